"""A small repository class that keeps its S3 client on the instance."""
import boto3

from myframework import App

app = App("corpus")
BUCKET = "corpus-attachments"


class AttachmentStore:
    def __init__(self) -> None:
        self.s3 = boto3.client("s3")

    def save(self, key: str, body: bytes) -> None:
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)

    def remove(self, key: str) -> None:
        self.s3.delete_object(Bucket=BUCKET, Key=key)


store = AttachmentStore()


@app.route("/attachments/{key}", methods=["PUT"], content_types=["application/octet-stream"])
def upload(key: str) -> dict[str, str]:
    store.save(key, app.current_request.raw_body)
    return {"key": key}


@app.route("/attachments/{key}", methods=["DELETE"])
def delete(key: str) -> dict[str, str]:
    store.remove(key)
    return {"deleted": key}
