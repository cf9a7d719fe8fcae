"""A table export and a secrets inventory, with paginators."""
from typing import Any

import boto3

from myframework import App

app = App("corpus")
dynamodb = boto3.client("dynamodb")
secretsmanager = boto3.client("secretsmanager")
TABLE = "corpus-inventory"


@app.route("/inventory")
def inventory() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=TABLE):
        items.extend(page["Items"])
    return items


@app.route("/secrets")
def secret_names() -> list[str]:
    pages = secretsmanager.get_paginator("list_secrets").paginate()
    return [secret["Name"] for page in pages for secret in page["SecretList"]]
