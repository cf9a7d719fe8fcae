"""Alerts: the SNS client is handed to a helper as a positional argument."""
from typing import Any

import boto3

from myframework import App

app = App("corpus")
sns = boto3.client("sns")
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:corpus-alerts"


def notify(client: Any, subject: str, message: str) -> str:
    response = client.publish(TopicArn=TOPIC_ARN, Subject=subject, Message=message)
    return str(response["MessageId"])


@app.route("/alerts", methods=["POST"])
def raise_alert() -> dict[str, str]:
    body = app.current_request.json_body or {}
    return {"id": notify(sns, "alert", str(body.get("text", "")))}
