"""Settings in Parameter Store, with `from boto3 import client`."""
import datetime

from boto3 import client

from myframework import App

app = App("corpus")
ssm = client("ssm")


@app.route("/settings/api-url")
def api_url() -> dict[str, str]:
    return {"url": ssm.get_parameter(Name="/corpus/api-url")["Parameter"]["Value"]}


@app.route("/runs", methods=["POST"])
def mark_run() -> dict[str, str]:
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    ssm.put_parameter(Name="/corpus/last-run", Value=now, Type="String", Overwrite=True)
    return {"last_run": now}
