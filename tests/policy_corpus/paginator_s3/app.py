"""Key listings with S3 paginators."""
from collections.abc import Iterator

import boto3

from myframework import App

app = App("corpus")
s3 = boto3.client("s3")
BUCKET = "corpus-datalake"
paginator = s3.get_paginator("list_objects_v2")


def keys(prefix: str) -> Iterator[str]:
    for page in paginator.paginate(Bucket=BUCKET, Prefix=prefix):
        for obj in page.get("Contents", []):
            yield obj["Key"]


@app.route("/datasets/{name}")
def dataset_files(name: str) -> list[str]:
    return list(keys(f"{name}/"))


@app.route("/datasets/{name}/versions")
def dataset_versions(name: str) -> list[str]:
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=BUCKET, Prefix=f"{name}/")
    return [v["VersionId"] for page in pages for v in page.get("Versions", [])]
