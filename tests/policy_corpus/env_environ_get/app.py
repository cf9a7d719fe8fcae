"""The bucket name comes from os.environ.get(...), with a default for local runs."""
import os

import boto3

from myframework import App

app = App("corpus")
s3 = boto3.client("s3")
BUCKET = os.environ.get("UPLOAD_BUCKET", "corpus-local-uploads")


@app.route("/uploads/{name}", methods=["PUT"], content_types=["application/octet-stream"])
def upload(name: str) -> dict[str, str]:
    s3.put_object(Bucket=BUCKET, Key=name, Body=app.current_request.raw_body)
    return {"key": name}


@app.route("/uploads/{name}")
def download(name: str) -> bytes:
    obj = s3.get_object(Bucket=os.environ.get("UPLOAD_BUCKET"), Key=name)
    return bytes(obj["Body"].read())
