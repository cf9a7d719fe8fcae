"""A generic S3 operation runner: the operation name arrives in the event."""
from typing import Any

import boto3

from myframework import App

app = App("corpus")
s3 = boto3.client("s3")


@app.lambda_function()
def run_operation(event: dict[str, Any], context: Any) -> Any:
    operation = event["operation"]
    return getattr(s3, operation)(**event.get("params", {}))


@app.route("/buckets")
def buckets() -> list[str]:
    return [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]
