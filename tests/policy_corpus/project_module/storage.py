"""Users in DynamoDB."""
from typing import Any

import boto3

_table = boto3.resource("dynamodb").Table("corpus-users")


def load_user(user_id: str) -> dict[str, Any] | None:
    return _table.get_item(Key={"id": user_id}).get("Item")


def save_user(user_id: str, data: dict[str, Any]) -> dict[str, Any]:
    user = {**data, "id": user_id}
    _table.put_item(Item=user)
    return user
