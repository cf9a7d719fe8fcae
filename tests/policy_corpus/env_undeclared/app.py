"""Names from environment variables that the config does not declare."""
import json
import os

import boto3

from myframework import App

app = App("corpus")
s3 = boto3.client("s3")
dynamodb = boto3.client("dynamodb")
EXPORT_BUCKET = os.environ["EXPORT_BUCKET"]


@app.route("/exports/{name}", methods=["POST"])
def export(name: str) -> dict[str, str]:
    body = json.dumps(app.current_request.json_body)
    s3.put_object(Bucket=EXPORT_BUCKET, Key=name, Body=body)
    dynamodb.put_item(TableName=os.getenv("AUDIT_TABLE"),
                      Item={"export": {"S": name}})
    return {"key": name}
