"""The floor: the least a hand-written Lambda handler can do (an if-chain and json.dumps)."""
import json
from typing import Any

_HEADERS = {"Content-Type": "application/json"}


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    method, path = event["httpMethod"], event["path"]
    body: Any
    if path == "/" and method == "GET":
        status, body = 200, {"hello": "world"}
    elif path.startswith("/users/") and method == "GET":
        status, body = 200, {"id": path[7:], "name": "user-" + path[7:]}
    elif path == "/items" and method == "POST":
        status, body = 201, json.loads(event["body"])
    else:
        status, body = 404, {"message": "Not Found"}
    return {"statusCode": status, "headers": _HEADERS, "body": json.dumps(body)}
