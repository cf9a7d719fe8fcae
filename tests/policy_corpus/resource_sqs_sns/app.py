"""Order events: a queue looked up by name and a topic, through the resource APIs."""
import json

import boto3

from myframework import App

app = App("corpus")
sqs = boto3.resource("sqs")
sns = boto3.resource("sns")
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:corpus-order-events"


@app.route("/orders", methods=["POST"])
def place_order() -> dict[str, str]:
    order = app.current_request.json_body
    queue = sqs.get_queue_by_name(QueueName="corpus-order-queue")
    queue.send_message(MessageBody=json.dumps(order))
    sns.Topic(TOPIC_ARN).publish(Message=json.dumps({"placed": order}))
    return {"status": "queued"}
