"""Copies payloads to whatever location the event names."""
from typing import Any

import boto3

from myframework import App

app = App("corpus")
s3 = boto3.client("s3")


@app.lambda_function()
def store(event: dict[str, Any], context: Any) -> dict[str, str]:
    target = event["target"]
    s3.put_object(Body=event["payload"].encode(), **target)
    return {"stored": target["Key"]}
