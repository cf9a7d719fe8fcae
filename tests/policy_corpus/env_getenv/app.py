"""Work is handed to another function whose name comes from os.getenv(...)."""
import json
import os

import boto3

from myframework import App

app = App("corpus")
lambda_client = boto3.client("lambda")


@app.route("/work", methods=["POST"])
def start_work() -> dict[str, str]:
    lambda_client.invoke(FunctionName=os.getenv("WORKER_FUNCTION"), InvocationType="Event",
                         Payload=json.dumps(app.current_request.json_body))
    return {"status": "started"}
