"""An event-driven example: photo uploads, a work queue, alerts, a nightly report and tasks.

Every handler here runs the same way on Lambda, under the test client and
(later) under ``myframework local``; ``tests/e2e/test_events_example.py``
drives each one with AWS-shaped events.
"""
from typing import Any

from myframework import (
    App,
    BatchItemFailures,
    CloudWatchEvent,
    Cron,
    Rate,
    S3Event,
    ScheduledEvent,
    SNSEvent,
    SQSEvent,
)

app = App("photo-pipeline")

THUMBNAILS: list[str] = []
PROCESSED: list[str] = []
ALERTS: list[str] = []
REPORTS: list[str] = []


@app.task(retries=2, timeout=60)
def make_thumbnail(bucket: str, key: str, width: int = 128) -> str:
    """Runs asynchronously in the task function (``make_thumbnail.delay(...)``)."""
    name = "%s/thumbs/%d/%s" % (bucket, width, key.rsplit("/", 1)[-1])
    THUMBNAILS.append(name)
    return name


@app.on_s3_event(bucket="photo-uploads", prefix="incoming/", suffix=".jpg", memory_size=512)
def on_upload(event: S3Event) -> None:
    for record in event:  # every record, not just the first
        make_thumbnail.delay(record.bucket, record.key)


@app.on_sqs_message(queue="photo-jobs", batch_size=10, maximum_batching_window_in_seconds=5)
def on_jobs(event: SQSEvent) -> BatchItemFailures:
    failed = []
    for record in event:
        job: dict[str, Any] = record.json_body
        if "photo" not in job:
            failed.append(record)  # only this message is retried
            continue
        PROCESSED.append(job["photo"])
    return BatchItemFailures(failed)


@app.on_sns_message(topic="photo-alerts")
def on_alert(event: SNSEvent) -> None:
    for record in event:
        ALERTS.append("%s: %s" % (record.subject, record.message))


@app.schedule(Cron(0, 2, "*", "*", "?", "*"), description="nightly report at 02:00 UTC")
def nightly_report(event: ScheduledEvent) -> str:
    REPORTS.append(event.time)
    return "report for %s" % event.time


@app.schedule(Rate(15, unit=Rate.MINUTES))
def heartbeat(event: ScheduledEvent) -> str:
    return "alive"


@app.on_cw_event({"source": ["aws.s3"], "detail-type": ["Object Deleted"]})
def on_deleted(event: CloudWatchEvent) -> str:
    return "deleted %s" % event.detail.get("object", {}).get("key")


@app.lambda_function(name="resize")
def resize(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"thumbnail": make_thumbnail(event["bucket"], event["key"], event.get("width", 64))}


@app.route("/thumbnails", methods=["POST"])
def request_thumbnail() -> dict[str, str]:
    body = app.current_request.json_body
    handle = make_thumbnail.delay(body["bucket"], body["key"])
    return {"task_id": handle.id}
