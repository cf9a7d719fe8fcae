"""Presigned download and upload links (URLs and a POST form)."""
from typing import Any

import boto3

from myframework import App

app = App("corpus")
s3 = boto3.client("s3")
DOWNLOADS = "corpus-downloads"
UPLOADS = "corpus-incoming"


@app.route("/downloads/{key}")
def download_link(key: str) -> dict[str, str]:
    url = s3.generate_presigned_url("get_object", Params={"Bucket": DOWNLOADS, "Key": key},
                                    ExpiresIn=300)
    return {"url": url}


@app.route("/uploads/{name}/url")
def upload_link(name: str) -> dict[str, str]:
    url = s3.generate_presigned_url(ClientMethod="put_object",
                                    Params={"Bucket": UPLOADS, "Key": f"incoming/{name}"})
    return {"url": url}


@app.route("/uploads/{name}/form")
def upload_form(name: str) -> dict[str, Any]:
    return dict(s3.generate_presigned_post(Bucket=UPLOADS, Key=f"incoming/{name}",
                                           ExpiresIn=600))
