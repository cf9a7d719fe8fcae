"""Event ingestion with a batch writer, and a filtered scan."""
from typing import Any

import boto3
from boto3.dynamodb.conditions import Attr

from myframework import App

app = App("corpus")
dynamodb = boto3.resource("dynamodb")
TABLE = "corpus-events"


@app.lambda_function()
def ingest(event: dict[str, Any], context: Any) -> int:
    table = dynamodb.Table(TABLE)
    with table.batch_writer() as batch:
        for item in event["items"]:
            batch.put_item(Item=item)
    return len(event["items"])


@app.route("/events/{kind}")
def events_of_kind(kind: str) -> list[dict[str, Any]]:
    response = dynamodb.Table(TABLE).scan(FilterExpression=Attr("kind").eq(kind))
    return list(response["Items"])
