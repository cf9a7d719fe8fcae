"""Which account am I in? (No permission needed.)"""
import boto3

from myframework import App

app = App("corpus")
sts = boto3.client("sts")


@app.route("/whoami")
def whoami() -> dict[str, str]:
    identity = sts.get_caller_identity()
    return {"account": identity["Account"], "arn": identity["Arn"]}
