"""Batch operations written as comprehensions and lambdas."""
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3

from myframework import App

app = App("corpus")
s3 = boto3.client("s3")
dynamodb = boto3.client("dynamodb")
BUCKET = "corpus-batch"
TABLE = "corpus-batch-items"


@app.route("/sizes", methods=["POST"])
def sizes() -> dict[str, int]:
    keys: list[str] = app.current_request.json_body["keys"]
    return {key: s3.head_object(Bucket=BUCKET, Key=key)["ContentLength"] for key in keys}


@app.route("/purge", methods=["POST"])
def purge() -> dict[str, int]:
    keys: list[str] = app.current_request.json_body["keys"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda key: s3.delete_object(Bucket=BUCKET, Key=key), keys))
    return {"deleted": len(keys)}


@app.route("/items", methods=["POST"])
def items() -> list[Any]:
    ids: list[str] = app.current_request.json_body["ids"]
    found = [dynamodb.get_item(TableName=TABLE, Key={"id": {"S": i}}).get("Item") for i in ids]
    return [item for item in found if item is not None]
