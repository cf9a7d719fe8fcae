"""Listings of two buckets through the S3 resource's object collections."""
import boto3

from myframework import App

app = App("corpus")
s3 = boto3.resource("s3")
archive = s3.Bucket("corpus-archive")


@app.route("/archive")
def list_archive() -> list[str]:
    return [obj.key for obj in archive.objects.all()]


@app.route("/logs/{day}")
def list_logs(day: str) -> list[dict[str, object]]:
    logs = s3.Bucket("corpus-logs")
    return [{"key": obj.key, "size": obj.size} for obj in logs.objects.filter(Prefix=f"{day}/")]
