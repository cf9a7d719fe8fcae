"""Per-tenant buckets and tables, named from the request."""
from typing import Any

import boto3

from myframework import App

app = App("corpus")
s3 = boto3.client("s3")
dynamodb = boto3.client("dynamodb")


@app.route("/tenants/{tenant}/files/{name}")
def tenant_file(tenant: str, name: str) -> bytes:
    obj = s3.get_object(Bucket=f"corpus-{tenant}-files", Key=name)
    return bytes(obj["Body"].read())


@app.route("/tenants/{tenant}/meta")
def tenant_meta(tenant: str) -> Any:
    return dynamodb.get_item(TableName="corpus-" + tenant + "-meta",
                             Key={"id": {"S": "meta"}}).get("Item")
