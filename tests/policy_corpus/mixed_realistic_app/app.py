"""Inventory service: items in DynamoDB, images in S3, change events on SNS and SQS."""
from __future__ import annotations

import json
import logging
import os
import uuid
from collections import Counter
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from notifications import Notifier

from myframework import App, BadRequestError, NotFoundError, Rate

app = App("corpus")
log = logging.getLogger(__name__)

TABLE_NAME = os.environ["TABLE_NAME"]
UPLOAD_BUCKET = os.environ.get("UPLOAD_BUCKET", "corpus-mixed-local")
REPORT_BUCKET = "corpus-mixed-reports"

_dynamodb = boto3.resource("dynamodb")
_table = _dynamodb.Table(TABLE_NAME)
_s3 = boto3.client("s3")
_notifier = Notifier()


def _item_or_404(item_id: str) -> dict[str, Any]:
    item = _table.get_item(Key={"id": item_id}).get("Item")
    if item is None:
        raise NotFoundError(f"no item {item_id}")
    return item


@app.route("/items", methods=["POST"])
def create_item() -> dict[str, Any]:
    body = app.current_request.json_body
    if not isinstance(body, dict) or "name" not in body:
        raise BadRequestError('send {"name": ..., "category": ...}')
    item = {"id": str(uuid.uuid4()), "name": body["name"],
            "category": body.get("category", "misc")}
    _table.put_item(Item=item)
    _notifier.changed("created", item["id"])
    return item


@app.route("/items/{item_id}")
def get_item(item_id: str) -> dict[str, Any]:
    return _item_or_404(item_id)


@app.route("/categories/{category}/items")
def items_in_category(category: str) -> list[dict[str, Any]]:
    response = _table.query(IndexName="by-category",
                            KeyConditionExpression=Key("category").eq(category))
    return list(response["Items"])


@app.route("/items/{item_id}/image", methods=["POST"])
def image_upload_form(item_id: str) -> dict[str, Any]:
    _item_or_404(item_id)
    return dict(_s3.generate_presigned_post(Bucket=UPLOAD_BUCKET, Key=f"images/{item_id}",
                                            ExpiresIn=600))


@app.route("/items/{item_id}", methods=["DELETE"])
def delete_item(item_id: str) -> dict[str, str]:
    _table.delete_item(Key={"id": item_id})
    try:
        _s3.delete_object(Bucket=UPLOAD_BUCKET, Key=f"images/{item_id}")
    except ClientError:
        log.exception("could not delete the image of %s", item_id)
    _notifier.changed("deleted", item_id)
    return {"deleted": item_id}


@app.schedule(Rate(1, unit=Rate.DAYS))
def nightly_report(event: object) -> None:
    counts: Counter[str] = Counter()
    paginator = _dynamodb.meta.client.get_paginator("scan")
    for page in paginator.paginate(TableName=TABLE_NAME, ProjectionExpression="category"):
        counts.update(item["category"]["S"] for item in page["Items"])
    _s3.put_object(Bucket=REPORT_BUCKET, Key="daily/categories.json", Body=json.dumps(counts))


if __name__ == "__main__":
    _dynamodb.create_table(
        TableName=TABLE_NAME, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    )
