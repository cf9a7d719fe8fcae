"""The bundled events example, driven the way its users would test it."""
import importlib.util
import pathlib
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from myframework import BatchFailedError, UnknownEventError
from myframework.testing import Client

APP_PATH = pathlib.Path(__file__).resolve().parents[2] / "examples" / "events" / "app.py"


@pytest.fixture
def example() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("events_example", APP_PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["events_example"] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules["events_example"]


@pytest.fixture
def client(example: ModuleType) -> Iterator[Client]:
    with Client(example.app) as client:
        yield client


def test_every_handler_is_registered(example: ModuleType) -> None:
    kinds = {spec.name: spec.kind for spec in example.app.registry.handlers}
    assert kinds == {"on_upload": "s3", "on_jobs": "sqs", "on_alert": "sns",
                     "nightly_report": "schedule", "heartbeat": "schedule",
                     "on_deleted": "cloudwatch", "resize": "pure_lambda"}
    assert [t.name for t in example.app.registry.tasks] == ["make_thumbnail"]
    schedules = {s.name: s.expression for s in example.app.registry.handlers
                 if s.kind == "schedule"}
    assert schedules == {"nightly_report": "cron(0 2 * * ? *)", "heartbeat": "rate(15 minutes)"}


def test_an_upload_delays_a_thumbnail_task_per_matching_record(
        client: Client, example: ModuleType) -> None:
    event = client.events.generate_s3_event("photo-uploads", "incoming/my cat.jpg")
    event["Records"].append(
        client.events.generate_s3_event("photo-uploads", "incoming/dog.jpg")["Records"][0])
    client.lambda_.invoke("on_upload", event)
    assert [t.args for t in client.tasks.pending] == [
        ["photo-uploads", "incoming/my cat.jpg"], ["photo-uploads", "incoming/dog.jpg"]]
    client.tasks.run_pending()
    assert example.THUMBNAILS == ["photo-uploads/thumbs/128/my cat.jpg",
                                  "photo-uploads/thumbs/128/dog.jpg"]


def test_the_combined_entry_point_ignores_nothing_silently(client: Client) -> None:
    # A .png under incoming/ matches no handler's filter: an error, not a silent no-op.
    with pytest.raises(UnknownEventError, match=r"incoming/x\.png"):
        client.app(client.events.generate_s3_event("photo-uploads", "incoming/x.png"), None)


def test_only_the_bad_job_is_retried(client: Client, example: ModuleType) -> None:
    event = client.events.generate_sqs_event(
        ['{"photo": "a.jpg"}', '{"oops": 1}', '{"photo": "b.jpg"}'], queue_name="photo-jobs")
    result = client.app(event, None)
    bad_id = event["Records"][1]["messageId"]
    assert result == {"batchItemFailures": [{"itemIdentifier": bad_id}]}
    assert example.PROCESSED == ["a.jpg", "b.jpg"]


def test_a_batch_where_every_job_fails_is_retried_whole(client: Client) -> None:
    event = client.events.generate_sqs_event(['{"oops": 1}'], queue_name="photo-jobs")
    with pytest.raises(BatchFailedError):
        client.app(event, None)


def test_alerts_schedules_eventbridge_and_pure_functions(
        client: Client, example: ModuleType) -> None:
    client.app(client.events.generate_sns_event("disk full", subject="ops",
                                                topic="photo-alerts"), None)
    assert example.ALERTS == ["ops: disk full"]
    scheduled = client.events.generate_scheduled_event("nightly")
    assert client.lambda_.invoke("nightly_report", scheduled).payload.startswith("report for ")
    assert client.lambda_.invoke("heartbeat", scheduled).payload == "alive"
    deleted = client.events.generate_cw_event("aws.s3", "Object Deleted",
                                              {"object": {"key": "k.jpg"}}, [])
    assert client.app(deleted, None) == "deleted k.jpg"
    resized = client.lambda_.invoke("resize", {"bucket": "b", "key": "x/y.jpg"})
    assert resized.payload == {"thumbnail": "b/thumbs/64/y.jpg"}


def test_the_http_route_delays_the_task(client: Client, example: ModuleType) -> None:
    response = client.http.post("/thumbnails", json_body={"bucket": "b", "key": "k.jpg"})
    assert response.status_code == 200
    (task,) = client.tasks.pending
    assert response.json_body == {"task_id": task.id}
    assert client.tasks.run_pending()[0].result == "b/thumbs/128/k.jpg"
