"""Documents in one bucket, through a client made once at import time."""
import boto3

from myframework import App

app = App("corpus")
s3 = boto3.client("s3")
BUCKET = "corpus-documents"


@app.route("/docs/{name}")
def read_doc(name: str) -> dict[str, str]:
    obj = s3.get_object(Bucket=BUCKET, Key=f"docs/{name}")
    return {"name": name, "body": obj["Body"].read().decode()}


@app.route("/docs/{name}", methods=["PUT"], content_types=["text/plain"])
def write_doc(name: str) -> dict[str, str]:
    s3.put_object(Bucket=BUCKET, Key=f"docs/{name}", Body=app.current_request.raw_body)
    return {"name": name}
