"""Domain events sent to a custom EventBridge bus."""
import json

import boto3

from myframework import App

app = App("corpus")
events = boto3.client("events")
BUS = "corpus-bus"


@app.route("/signups", methods=["POST"])
def signup() -> dict[str, int]:
    response = events.put_events(Entries=[{
        "EventBusName": BUS,
        "Source": "corpus.accounts",
        "DetailType": "SignedUp",
        "Detail": json.dumps(app.current_request.json_body),
    }])
    return {"failed": response["FailedEntryCount"]}
