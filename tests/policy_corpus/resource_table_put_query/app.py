"""Orders in a DynamoDB table, through the resource API."""
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key

from myframework import App

app = App("corpus")
table = boto3.resource("dynamodb").Table("corpus-orders")


@app.route("/customers/{customer}/orders", methods=["POST"])
def add_order(customer: str) -> dict[str, Any]:
    order = {"customer": customer, **app.current_request.json_body}
    table.put_item(Item=order)
    return order


@app.route("/customers/{customer}/orders")
def list_orders(customer: str) -> list[dict[str, Any]]:
    response = table.query(KeyConditionExpression=Key("customer").eq(customer))
    return list(response["Items"])
