"""The table name comes from os.environ[...], set in the stage's config."""
import os
from typing import Any

import boto3

from myframework import App, NotFoundError

app = App("corpus")
TABLE_NAME = os.environ["ORDERS_TABLE"]
table = boto3.resource("dynamodb").Table(TABLE_NAME)


@app.route("/orders/{order_id}")
def get_order(order_id: str) -> dict[str, Any]:
    item = table.get_item(Key={"id": order_id}).get("Item")
    if item is None:
        raise NotFoundError(order_id)
    return item
