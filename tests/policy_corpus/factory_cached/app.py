"""Checks for and serves files, with the client from a cached factory."""
import functools
from typing import Any

import boto3
from botocore.exceptions import ClientError

from myframework import App, NotFoundError

app = App("corpus")
BUCKET = "corpus-static"


@functools.cache
def s3_client() -> Any:
    return boto3.client("s3")


def exists(key: str) -> bool:
    try:
        s3_client().head_object(Bucket=BUCKET, Key=key)
    except ClientError:
        return False
    return True


@app.route("/static/{key}")
def serve(key: str) -> bytes:
    if not exists(key):
        raise NotFoundError(key)
    return bytes(s3_client().get_object(Bucket=BUCKET, Key=key)["Body"].read())
