"""A health check that pokes each dependency through a dict of clients."""
import boto3

from myframework import App

app = App("corpus")
BUCKET = "corpus-health"
TABLE = "corpus-health"
CLIENTS = {
    "s3": boto3.client("s3"),
    "dynamodb": boto3.client("dynamodb"),
}


@app.route("/health")
def health() -> dict[str, str]:
    CLIENTS["s3"].list_objects_v2(Bucket=BUCKET, MaxKeys=1)
    status = CLIENTS["dynamodb"].describe_table(TableName=TABLE)["Table"]["TableStatus"]
    return {"s3": "ok", "dynamodb": status}
