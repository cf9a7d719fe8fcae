"""Orders in DynamoDB; each new order is announced on SNS."""
import json
import uuid
from typing import Any

import boto3

ORDERS_TABLE = "corpus-shop-orders"
ORDERS_TOPIC = "arn:aws:sns:us-east-1:123456789012:corpus-shop-orders"

_dynamodb = boto3.client("dynamodb")
_sns = boto3.client("sns")


def place_order(order: dict[str, Any]) -> dict[str, Any]:
    order_id = str(uuid.uuid4())
    _dynamodb.put_item(TableName=ORDERS_TABLE,
                       Item={"id": {"S": order_id}, "body": {"S": json.dumps(order)}})
    _sns.publish(TopicArn=ORDERS_TOPIC, Message=json.dumps({"id": order_id}))
    return {"id": order_id}


def order_status(order_id: str) -> dict[str, Any]:
    item = _dynamodb.get_item(TableName=ORDERS_TABLE, Key={"id": {"S": order_id}}).get("Item")
    return {"id": order_id, "found": item is not None}
