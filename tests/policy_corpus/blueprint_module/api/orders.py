"""Order routes, as a blueprint."""
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key

from myframework import Blueprint

bp = Blueprint(__name__)
table = boto3.resource("dynamodb").Table("corpus-bp-orders")


@bp.route("/customers/{customer}/orders")
def customer_orders(customer: str) -> list[dict[str, Any]]:
    response = table.query(IndexName="by-customer",
                           KeyConditionExpression=Key("customer").eq(customer))
    return list(response["Items"])
