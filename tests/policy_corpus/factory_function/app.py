"""Reports and thumbnails are built by other functions, invoked through a factory's client."""
import json
from typing import Any

import boto3

from myframework import App

app = App("corpus")


def lambda_client() -> Any:
    return boto3.client("lambda")


@app.route("/reports", methods=["POST"])
def start_report() -> dict[str, str]:
    lambda_client().invoke(FunctionName="corpus-report-builder", InvocationType="Event",
                           Payload=json.dumps(app.current_request.json_body))
    return {"status": "started"}


@app.route("/thumbnails/{key}")
def thumbnail(key: str) -> Any:
    client = lambda_client()
    response = client.invoke(FunctionName="corpus-thumbnailer",
                             Payload=json.dumps({"key": key}))
    return json.loads(response["Payload"].read())
