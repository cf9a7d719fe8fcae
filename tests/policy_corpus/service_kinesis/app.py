"""Click tracking into a Kinesis stream."""
import json

import boto3

from myframework import App

app = App("corpus")
STREAM = "corpus-clicks"


@app.route("/clicks", methods=["POST"])
def click() -> dict[str, str]:
    body = app.current_request.json_body
    response = boto3.client("kinesis").put_record(StreamName=STREAM, Data=json.dumps(body),
                                                  PartitionKey=str(body["user"]))
    return {"sequence": response["SequenceNumber"]}


@app.route("/clicks/batch", methods=["POST"])
def clicks() -> dict[str, int]:
    records = [{"Data": json.dumps(c), "PartitionKey": str(c["user"])}
               for c in app.current_request.json_body]
    response = boto3.client("kinesis").put_records(StreamName=STREAM, Records=records)
    return {"failed": response["FailedRecordCount"]}
