"""Names of the bucket and table come from the project's settings module."""
import boto3
import settings
from settings import BUCKET

from myframework import App

app = App("corpus")
s3 = boto3.client("s3")
dynamodb = boto3.client("dynamodb")


@app.route("/files/{key}", methods=["PUT"], content_types=["application/octet-stream"])
def put_file(key: str) -> dict[str, str]:
    s3.put_object(Bucket=BUCKET, Key=key, Body=app.current_request.raw_body)
    return {"key": key}


@app.route("/records/{record_id}", methods=["DELETE"])
def delete_record(record_id: str) -> dict[str, str]:
    dynamodb.delete_item(TableName=settings.TABLE, Key={"id": {"S": record_id}})
    return {"deleted": record_id}
