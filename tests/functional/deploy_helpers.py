"""The app the deploy tests deploy, and running the CLI against a moto_server."""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from typing import Any

from .moto_helpers import MotoServer, hook_env, is_write, read_calls

PREFIX = "shop-dev"
BUCKET = "shop-uploads"
QUEUE = "shop-jobs"
TOPIC = "shop-alerts"
OTHER_QUEUE = "shop-uploads-audit"  # gets the bucket's notification that is not the app's
FUNCTIONS = ["shop-dev", "shop-dev-every_five", "shop-dev-nightly", "shop-dev-on_alert",
             "shop-dev-on_job", "shop-dev-on_upload", "shop-dev-tasks-default"]

APP = textwrap.dedent('''\
    import boto3

    from myframework import App, Cron, Rate

    app = App("shop")
    s3 = boto3.client("s3")


    @app.route("/")
    def index():
        return {"hello": "world"}


    @app.route("/items/{item_id}", methods=["GET", "PUT"])
    def item(item_id):
        return {"id": item_id}


    def legacy(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"legacy"]


    app.mount_wsgi(legacy)


    @app.schedule(Rate(5, unit=Rate.MINUTES))
    def every_five(event):
        return None


    @app.schedule(Cron(0, 3, "*", "*", "?", "*"))
    def nightly(event):
        return None


    @app.on_s3_event(bucket="shop-uploads", prefix="images/", suffix=".png")
    def on_upload(event):
        s3.get_object(Bucket=event.bucket, Key=event.key)
        s3.put_object(Bucket="shop-uploads", Key="thumbs/" + event.key, Body=b"")


    @app.on_sqs_message(queue="shop-jobs", batch_size=5)
    def on_job(event):
        return None


    @app.on_sns_message(topic="shop-alerts")
    def on_alert(event):
        return None


    @app.task
    def send_email(to):
        return to
    ''')

CONFIG: dict[str, Any] = {
    "version": "2.0", "app_name": "shop",
    "stages": {"dev": {"environment_variables": {"SHOP_MODE": "dev"},
                       "lambda_functions": {"on_job": {"lambda_memory_size": 256}}}},
}

# What the app above is made of on AWS (its own resources; the bucket, queues and topic
# are the test's).
EXPECTED = {"roles": 1, "inline_policies": 1, "functions": 7, "permissions": 5,
            "event_invoke_configs": 1, "layer_versions": 0, "mappings": 1, "rest_apis": 1,
            "stages": 1, "rules": 2, "targets": 2, "s3_lambda_notifications": 1,
            "subscriptions": 1}


def write_project(root: pathlib.Path, config: Mapping[str, Any] = CONFIG) -> pathlib.Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "app.py").write_text(APP, encoding="utf-8")
    (root / "requirements.txt").write_text("", encoding="utf-8")
    (root / ".myframework").mkdir(exist_ok=True)
    (root / ".myframework" / "config.json").write_text(json.dumps(config, indent=1),
                                                       encoding="utf-8")
    return root


def make_event_sources(server: MotoServer) -> None:
    """The bucket, queues and topic the app names, as a user would have made them; the
    bucket already sends its deletions to another queue (which deploy must keep)."""
    s3, sqs, sns = server.client("s3"), server.client("sqs"), server.client("sns")
    s3.create_bucket(Bucket=BUCKET)
    sqs.create_queue(QueueName=QUEUE)
    other = sqs.create_queue(QueueName=OTHER_QUEUE)["QueueUrl"]
    other_arn = sqs.get_queue_attributes(QueueUrl=other, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    sns.create_topic(Name=TOPIC)
    s3.put_bucket_notification_configuration(Bucket=BUCKET, NotificationConfiguration={
        "QueueConfigurations": [{"Id": "audit", "QueueArn": other_arn,
                                 "Events": ["s3:ObjectRemoved:*"]}]})


def counts(inventory: Any) -> dict[str, int]:
    return {key: value for key, value in inventory.deployed_by(PREFIX).counts().items()
            if key in EXPECTED}


def run(root: pathlib.Path, server: MotoServer, *args: str,
        call_log: pathlib.Path | None = None, kill_before: int | None = None,
        kill_pid: int | None = None, env: Mapping[str, str] | None = None,
        timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    """``myframework --project-dir ROOT ARGS`` in a subprocess pointed at ``server``."""
    environment = server.env()
    if call_log is not None:
        environment.update(hook_env(call_log, kill_before, kill_pid))
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "myframework", "--project-dir", str(root),
                           *args], capture_output=True, text=True, env=environment,
                          timeout=timeout, check=False)


def writes(call_log: pathlib.Path) -> list[str]:
    return [call["operation"] for call in read_calls(call_log) if is_write(call["operation"])]
