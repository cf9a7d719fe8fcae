"""Setup checks that wait for a bucket, an object and a table."""
import boto3

from myframework import App

app = App("corpus")
s3 = boto3.client("s3")
dynamodb = boto3.client("dynamodb")
BUCKET = "corpus-ready"
TABLE = "corpus-ready"


@app.route("/ready")
def ready() -> dict[str, bool]:
    s3.get_waiter("bucket_exists").wait(Bucket=BUCKET)
    marker = s3.get_waiter("object_exists")
    marker.wait(Bucket=BUCKET, Key="READY", WaiterConfig={"Delay": 2, "MaxAttempts": 5})
    dynamodb.get_waiter("table_exists").wait(TableName=TABLE)
    return {"ready": True}
