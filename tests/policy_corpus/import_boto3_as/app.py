"""A database password from Secrets Manager, with boto3 imported under another name."""
import json

import boto3 as b

from myframework import App

app = App("corpus")
secrets = b.client("secretsmanager")


def db_credentials() -> dict[str, str]:
    secret = secrets.get_secret_value(SecretId="corpus/db")
    return dict(json.loads(secret["SecretString"]))


@app.route("/db/user")
def db_user() -> dict[str, str]:
    return {"user": db_credentials()["username"]}
