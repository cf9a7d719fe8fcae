"""Jobs go to an SQS queue; the client is made inside each view."""
import json

import boto3

from myframework import App

app = App("corpus")
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/corpus-jobs"


@app.route("/jobs", methods=["POST"])
def submit_job() -> dict[str, str]:
    sqs = boto3.client("sqs")
    result = sqs.send_message(QueueUrl=QUEUE_URL,
                              MessageBody=json.dumps(app.current_request.json_body))
    return {"id": result["MessageId"]}


@app.route("/jobs/pending")
def pending_jobs() -> dict[str, str]:
    sqs = boto3.client("sqs")
    response = sqs.get_queue_attributes(QueueUrl=QUEUE_URL,
                                        AttributeNames=["ApproximateNumberOfMessages"])
    return response["Attributes"]
