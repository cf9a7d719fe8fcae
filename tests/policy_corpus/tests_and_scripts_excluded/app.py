"""Tasks in DynamoDB; its tests and maintenance scripts are not part of the package."""
from typing import Any

import boto3

from myframework import App, NotFoundError

app = App("corpus")
dynamodb = boto3.client("dynamodb")
TABLE = "corpus-tasks"


@app.route("/tasks/{task_id}")
def get_task(task_id: str) -> dict[str, Any]:
    item = dynamodb.get_item(TableName=TABLE, Key={"id": {"S": task_id}}).get("Item")
    if item is None:
        raise NotFoundError(task_id)
    return {"id": task_id, "title": item["title"]["S"]}
