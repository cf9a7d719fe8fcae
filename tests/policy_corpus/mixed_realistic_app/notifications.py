"""Change notifications: SNS for people, SQS for the indexer."""
import json
import os

import boto3

TOPIC_ARN = os.environ["TOPIC_ARN"]


class Notifier:
    def __init__(self) -> None:
        self.sns = boto3.client("sns")
        self.queue = boto3.resource("sqs").get_queue_by_name(QueueName=os.environ["QUEUE_NAME"])

    def changed(self, kind: str, item_id: str) -> None:
        message = json.dumps({"kind": kind, "id": item_id})
        self.sns.publish(TopicArn=TOPIC_ARN, Subject=f"item {kind}", Message=message)
        self.queue.send_message(MessageBody=message)
