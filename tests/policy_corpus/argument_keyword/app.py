"""An audit log: the DynamoDB client reaches the helpers as a keyword argument."""
import time
from typing import Any

import boto3

from myframework import App

app = App("corpus")
TABLE = "corpus-audit"


def record(action: str, *, db: Any) -> None:
    db.put_item(TableName=TABLE, Item={"action": {"S": action},
                                       "at": {"N": str(int(time.time()))}})


def audit_size(db: Any, field: str = "ItemCount") -> int:
    table = db.describe_table(TableName=TABLE)["Table"]
    return int(table[field])


@app.route("/login", methods=["POST"])
def login() -> dict[str, str]:
    record("login", db=boto3.client("dynamodb"))
    return {"status": "ok"}


@app.route("/audit/size")
def size() -> dict[str, int]:
    return {"items": audit_size(field="TableSizeBytes", db=boto3.client("dynamodb"))}
