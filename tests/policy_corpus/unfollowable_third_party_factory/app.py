"""A client from the company's shared library, which is installed, not part of the project."""
from typing import Any

import boto3
from acme_aws.clients import make

from myframework import App

app = App("corpus")
client = make()
settings_table = boto3.resource("dynamodb").Table("corpus-known-settings")


@app.route("/objects/{key}", methods=["PUT"], content_types=["application/octet-stream"])
def upload(key: str) -> dict[str, str]:
    client.put_object(Bucket="corpus-shared", Key=key, Body=app.current_request.raw_body)
    return {"key": key}


@app.route("/settings/{name}")
def setting(name: str) -> Any:
    return settings_table.get_item(Key={"name": name}).get("Item")
