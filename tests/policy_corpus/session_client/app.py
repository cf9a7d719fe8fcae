"""Exports written through a client of an explicit boto3 session."""
import json

import boto3

from myframework import App

app = App("corpus")
session = boto3.session.Session()
s3 = session.client("s3")
BUCKET = "corpus-exports"


@app.route("/exports/{name}", methods=["POST"])
def export(name: str) -> dict[str, str]:
    s3.put_object(Bucket=BUCKET, Key=f"{name}.json", Body=json.dumps(app.current_request.json_body))
    return {"key": f"{name}.json"}


@app.route("/exports/{name}")
def read_export(name: str) -> object:
    client = boto3.session.Session().client("s3")
    return json.loads(client.get_object(Bucket=BUCKET, Key=f"{name}.json")["Body"].read())
