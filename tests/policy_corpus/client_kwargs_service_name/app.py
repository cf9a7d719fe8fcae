"""Feature flags read from S3 by a client configured with keyword arguments."""
import json

import boto3
from botocore.config import Config

from myframework import App

app = App("corpus")
s3 = boto3.client(service_name="s3", region_name="us-east-1",
                  config=Config(retries={"max_attempts": 10, "mode": "standard"}))


@app.route("/flags")
def flags() -> object:
    obj = s3.get_object(Bucket="corpus-config", Key="flags.json")
    return json.loads(obj["Body"].read())
