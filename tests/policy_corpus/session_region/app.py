"""Customer records kept in a table in another region."""
from typing import Any

import boto3

from myframework import App, NotFoundError

app = App("corpus")
eu = boto3.Session(region_name="eu-west-1")
customers = eu.client("dynamodb")


@app.route("/customers/{customer_id}")
def get_customer(customer_id: str) -> dict[str, Any]:
    item = customers.get_item(TableName="corpus-eu-customers",
                              Key={"id": {"S": customer_id}}).get("Item")
    if item is None:
        raise NotFoundError(customer_id)
    return {name: value["S"] for name, value in item.items()}
