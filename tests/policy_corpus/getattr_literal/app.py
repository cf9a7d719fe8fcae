"""Uploads through getattr with a literal method name."""
import boto3

from myframework import App

app = App("corpus")
s3 = boto3.client("s3")
BUCKET = "corpus-getattr"


@app.route("/blobs/{key}", methods=["PUT"], content_types=["application/octet-stream"])
def put_blob(key: str) -> dict[str, str]:
    getattr(s3, "put_object")(Bucket=BUCKET, Key=key, Body=app.current_request.raw_body)  # noqa: B009
    return {"key": key}
