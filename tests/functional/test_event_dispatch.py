"""Event handlers driven exactly as Lambda drives them.

Every test calls ``app(event, context)`` (the combined entry point, or a
function bound with ``MYFRAMEWORK_HANDLER``), the ``EventHandler`` object
itself, or ``Client(app).lambda_.invoke``, with events built by
``Client(app).events``. Covered: routing of S3/SQS/SNS/EventBridge/schedule
events and envelopes, explicit binding, the typed objects handlers receive,
event middleware, and SQS partial batch failures.
"""
import json
import logging
import re
from collections.abc import Callable
from typing import Any

import pytest

from myframework import (
    App,
    BatchFailedError,
    BatchItemFailures,
    CloudWatchEvent,
    EventParseError,
    LambdaFunctionEvent,
    Request,
    S3Event,
    S3Record,
    ScheduledEvent,
    SNSEvent,
    SQSEvent,
    SQSRecord,
    TaskInvocation,
    UnknownEventError,
    UnknownTaskError,
)
from myframework.testing import Client, EventGenerator, FakeLambdaContext, make_event

ACCOUNT = "123456789012"
BILLING_QUEUE_ARN = "arn:aws:sqs:us-east-1:%s:billing" % ACCOUNT
AUDIT_TOPIC_ARN = "arn:aws:sns:us-east-1:%s:audit" % ACCOUNT
ENVELOPE = "__myframework__"
GetResponse = Callable[[Any], Any]


def ctx(name: str = "dispatch-tests") -> FakeLambdaContext:
    return FakeLambdaContext(name)


def merged(*events: dict[str, Any]) -> dict[str, Any]:
    """One notification carrying the records of several (as S3/SQS/SNS batch them)."""
    return {"Records": [record for event in events for record in event["Records"]]}


def routed(handler: str, event: Any) -> dict[str, Any]:
    return {ENVELOPE: "event", "handler": handler, "event": event}


def message_ids(event: dict[str, Any]) -> list[str]:
    return [record["messageId"] for record in event["Records"]]


def failures(*ids: str) -> dict[str, list[dict[str, str]]]:
    return {"batchItemFailures": [{"itemIdentifier": i} for i in ids]}


def failed_ids(result: Any) -> set[str]:
    assert isinstance(result, dict), result
    assert set(result) == {"batchItemFailures"}, result
    return {item["itemIdentifier"] for item in result["batchItemFailures"]}


# -- an app with a handler of every kind -----------------------------------------------------

class Harness:
    """An app with routes, handlers of every kind and a task; ``calls`` records what ran."""

    def __init__(self, name: str = "dispatch-app") -> None:
        self.calls: list[tuple[str, Any]] = []
        calls = self.calls
        self.app = app = App(name)

        @app.route("/ping")
        def ping() -> dict[str, str]:
            return {"pong": "yes"}

        @app.on_s3_event(bucket="media", prefix="images/", suffix=".jpg")
        def on_image(event: S3Event) -> dict[str, Any]:
            calls.append(("on_image", event))
            return {"handler": "on_image", "keys": [r.key for r in event]}

        @app.on_s3_event(bucket="media", prefix="docs/")
        def on_doc(event: S3Event) -> dict[str, Any]:
            calls.append(("on_doc", event))
            return {"handler": "on_doc", "keys": [r.key for r in event]}

        @app.on_s3_event(bucket="media", events=["s3:ObjectRemoved:*"])
        def on_delete(event: S3Event) -> dict[str, Any]:
            calls.append(("on_delete", event))
            return {"handler": "on_delete", "keys": [r.key for r in event]}

        @app.on_sqs_message(queue="jobs", batch_size=10)
        def on_jobs(event: SQSEvent) -> None:
            calls.append(("on_jobs", event))

        @app.on_sqs_message(queue_arn=BILLING_QUEUE_ARN, batch_size=10)
        def on_billing(event: SQSEvent) -> None:
            calls.append(("on_billing", event))

        @app.on_sns_message(topic="alerts")
        def on_alert(event: SNSEvent) -> str:
            calls.append(("on_alert", event))
            return "alert:" + event.message

        @app.on_sns_message(topic=AUDIT_TOPIC_ARN)
        def on_audit(event: SNSEvent) -> str:
            calls.append(("on_audit", event))
            return "audit:" + event.message

        @app.on_cw_event({"source": ["myapp.orders"], "detail-type": ["OrderPlaced"]})
        def on_order(event: CloudWatchEvent) -> str:
            calls.append(("on_order", event))
            return "order:%s" % event.detail.get("id")

        @app.on_cw_event({"source": ["aws.ec2"], "detail": {"state": ["stopped"]}})
        def on_ec2_stopped(event: CloudWatchEvent) -> str:
            calls.append(("on_ec2_stopped", event))
            return "ec2:%s" % event.detail.get("instance")

        @app.schedule("rate(5 minutes)")
        def every_five(event: ScheduledEvent) -> str:
            calls.append(("every_five", event))
            return "tick"

        @app.lambda_function(name="raw_fn")
        def raw_fn(event: Any, context: Any) -> dict[str, Any]:
            calls.append(("raw_fn", (event, context)))
            return {"echo": event}

        @app.task
        def add(a: int, b: int) -> int:
            calls.append(("add", (a, b)))
            return a + b

        self.on_image = on_image
        self.on_doc = on_doc
        self.on_jobs = on_jobs
        self.every_five = every_five
        self.add = add
        self.client = Client(app)
        self.events = self.client.events

    def ran(self) -> list[str]:
        return [name for name, _ in self.calls]

    def task_envelope(self, *args: Any) -> dict[str, Any]:
        """The payload ``add.delay(*args)`` sends to the task function."""
        self.add.delay(*args)
        payload = self.client.tasks.history[-1].payload
        envelope = json.loads(payload)
        assert isinstance(envelope, dict)
        return envelope


@pytest.fixture
def h() -> Harness:
    return Harness()


# -- combined entry point: S3 ------------------------------------------------------------------

@pytest.mark.parametrize("event_name", [
    "ObjectCreated:Put", "ObjectCreated:Post", "ObjectCreated:Copy",
    "ObjectCreated:CompleteMultipartUpload",
])
def test_s3_object_created_wildcard_matches_every_created_event(h: Harness,
                                                                 event_name: str) -> None:
    event = h.events.generate_s3_event("media", "images/cat.jpg", event_name=event_name)
    assert h.app(event, ctx()) == {"handler": "on_image", "keys": ["images/cat.jpg"]}
    assert h.ran() == ["on_image"]


@pytest.mark.parametrize("event_name", [
    "ObjectRemoved:Delete", "ObjectRemoved:DeleteMarkerCreated",
])
def test_s3_object_removed_goes_to_the_removed_handler_not_the_created_one(
        h: Harness, event_name: str) -> None:
    event = h.events.generate_s3_event("media", "images/cat.jpg", event_name=event_name)
    assert h.app(event, ctx()) == {"handler": "on_delete", "keys": ["images/cat.jpg"]}
    assert h.ran() == ["on_delete"]


def test_s3_object_removed_does_not_match_object_created_wildcard() -> None:
    app = App("dispatch-s3-created-only")
    ran: list[str] = []

    @app.on_s3_event(bucket="media")
    def on_upload(event: S3Event) -> None:
        ran.append(event.key)

    gen = Client(app).events
    app(gen.generate_s3_event("media", "a.txt"), ctx())
    assert ran == ["a.txt"]
    with pytest.raises(UnknownEventError, match="ObjectRemoved:Delete"):
        app(gen.generate_s3_event("media", "a.txt", event_name="ObjectRemoved:Delete"), ctx())
    assert ran == ["a.txt"]


@pytest.mark.parametrize(("registered", "sent", "matches"), [
    ("s3:ObjectCreated:Put", "ObjectCreated:Put", True),
    ("s3:ObjectCreated:Post", "ObjectCreated:Put", False),
    ("s3:ObjectRemoved:*", "ObjectCreated:Put", False),
    ("s3:ObjectRestore:*", "ObjectRestore:Completed", True),
    ("s3:ObjectTagging:*", "ObjectTagging:Put", True),
])
def test_s3_event_name_filter(registered: str, sent: str, matches: bool) -> None:
    app = App("dispatch-s3-names")
    ran: list[str] = []

    @app.on_s3_event(bucket="media", events=[registered])
    def on_event(event: S3Event) -> str:
        ran.append(event.event_name)
        return "ok"

    event = Client(app).events.generate_s3_event("media", "k", event_name=sent)
    if matches:
        assert app(event, ctx()) == "ok"
        assert ran == [sent]
    else:
        with pytest.raises(UnknownEventError):
            app(event, ctx())
        assert ran == []


def test_s3_prefix_applies_to_the_decoded_key(h: Harness) -> None:
    event = h.events.generate_s3_event("media", "images/red flower.jpg")
    assert event["Records"][0]["s3"]["object"]["key"] == "images/red+flower.jpg"
    assert h.app(event, ctx()) == {"handler": "on_image", "keys": ["images/red flower.jpg"]}
    s3_event = h.calls[0][1]
    assert isinstance(s3_event, S3Event)
    assert s3_event.key == "images/red flower.jpg"
    assert s3_event.records[0].raw_key == "images/red+flower.jpg"


@pytest.mark.parametrize(("prefix", "key"), [
    ("my photos/", "my photos/summer (1).png"),
    ("a+b/", "a+b/c.txt"),
    ("caf\u00e9/", "caf\u00e9/menu.pdf"),
    ("100%/", "100%/done.txt"),
])
def test_s3_prefix_with_characters_s3_encodes(prefix: str, key: str) -> None:
    app = App("dispatch-s3-encoded")
    ran: list[str] = []

    @app.on_s3_event(bucket="media", prefix=prefix)
    def on_upload(event: S3Event) -> None:
        ran.append(event.key)

    @app.on_s3_event(bucket="media", prefix="other/")
    def on_other(event: S3Event) -> None:
        ran.append("other")

    event = Client(app).events.generate_s3_event("media", key)
    assert event["Records"][0]["s3"]["object"]["key"] != key  # really sent encoded
    app(event, ctx())
    assert ran == [key]


@pytest.mark.parametrize("key", ["images/cat.png", "images/cat.jpg.txt", "thumbs/images/cat.jpg",
                                 "Images/cat.jpg"])
def test_s3_key_outside_prefix_or_suffix_is_not_routed(h: Harness, key: str) -> None:
    with pytest.raises(UnknownEventError, match=r"@app\.on_s3_event"):
        h.app(h.events.generate_s3_event("media", key), ctx())
    assert h.calls == []


def test_s3_handlers_with_different_prefixes_get_only_their_records(h: Harness) -> None:
    gen = h.events
    event = merged(gen.generate_s3_event("media", "images/a.jpg"),
                   gen.generate_s3_event("media", "docs/report.pdf"),
                   gen.generate_s3_event("media", "images/b c.jpg"))
    result = h.app(event, ctx())
    assert result == [{"handler": "on_image", "keys": ["images/a.jpg", "images/b c.jpg"]},
                      {"handler": "on_doc", "keys": ["docs/report.pdf"]}]
    assert h.ran() == ["on_image", "on_doc"]
    image_event, doc_event = h.calls[0][1], h.calls[1][1]
    assert [r.key for r in image_event] == ["images/a.jpg", "images/b c.jpg"]
    assert [r.key for r in doc_event] == ["docs/report.pdf"]


def test_s3_created_and_removed_records_in_one_event_run_both_handlers(h: Harness) -> None:
    gen = h.events
    event = merged(gen.generate_s3_event("media", "docs/old.pdf",
                                         event_name="ObjectRemoved:Delete"),
                   gen.generate_s3_event("media", "docs/new.pdf"))
    assert h.app(event, ctx()) == [{"handler": "on_delete", "keys": ["docs/old.pdf"]},
                                   {"handler": "on_doc", "keys": ["docs/new.pdf"]}]


@pytest.mark.parametrize(("bucket", "key"), [
    ("media", "videos/clip.mp4"),   # right bucket, no prefix matches
    ("backups", "images/a.jpg"),    # a bucket no handler watches
])
def test_s3_unmatched_record_raises_naming_bucket_and_key_and_nothing_runs(
        h: Harness, bucket: str, key: str) -> None:
    gen = h.events
    event = merged(gen.generate_s3_event("media", "images/ok.jpg"),
                   gen.generate_s3_event(bucket, key))
    with pytest.raises(UnknownEventError) as info:
        h.app(event, ctx())
    assert repr(bucket) in str(info.value)
    assert repr(key) in str(info.value)
    assert h.calls == []  # the matching record did not run either


def test_s3_event_without_any_s3_handler() -> None:
    app = App("dispatch-no-s3")

    @app.on_sqs_message(queue="jobs")
    def on_jobs(event: SQSEvent) -> None:
        raise AssertionError("must not run")

    with pytest.raises(UnknownEventError, match=r"no @app\.on_s3_event handler is registered"):
        app(Client(app).events.generate_s3_event("media", "a.jpg"), ctx())


# -- combined entry point: SQS, SNS ----------------------------------------------------------

def test_sqs_routed_by_queue_name(h: Harness) -> None:
    event = h.events.generate_sqs_event(["one", "two"], queue_name="jobs")
    assert h.app(event, ctx()) == {"batchItemFailures": []}
    assert h.ran() == ["on_jobs"]
    assert [r.body for r in h.calls[0][1]] == ["one", "two"]


def test_sqs_routed_by_queue_arn(h: Harness) -> None:
    event = h.events.generate_sqs_event(["invoice"], queue_name="billing")
    assert event["Records"][0]["eventSourceARN"] == BILLING_QUEUE_ARN
    assert h.app(event, ctx()) == {"batchItemFailures": []}
    assert h.ran() == ["on_billing"]


@pytest.mark.parametrize("region", ["eu-west-1"])
def test_sqs_queue_arn_must_match_exactly(h: Harness, region: str) -> None:
    # A queue named "billing" in another region is not the registered ARN.
    event = EventGenerator(region=region).generate_sqs_event(["x"], queue_name="billing")
    with pytest.raises(UnknownEventError, match="billing"):
        h.app(event, ctx())
    assert h.calls == []


def test_sqs_unknown_queue_names_the_queue(h: Harness) -> None:
    event = h.events.generate_sqs_event(["x"], queue_name="nobody-listens")
    with pytest.raises(UnknownEventError, match="nobody-listens"):
        h.app(event, ctx())
    assert h.calls == []


def test_sqs_records_of_two_queues_run_both_handlers(h: Harness) -> None:
    event = merged(h.events.generate_sqs_event(["j"], queue_name="jobs"),
                   h.events.generate_sqs_event(["b"], queue_name="billing"))
    assert h.app(event, ctx()) == {"batchItemFailures": []}
    assert sorted(h.ran()) == ["on_billing", "on_jobs"]


@pytest.mark.parametrize(("topic", "expected"), [
    ("alerts", "alert:hello"),
    ("arn:aws:sns:us-east-1:%s:alerts" % ACCOUNT, "alert:hello"),
    (AUDIT_TOPIC_ARN, "audit:hello"),
])
def test_sns_routed_by_topic_name_or_arn(h: Harness, topic: str, expected: str) -> None:
    assert h.app(h.events.generate_sns_event("hello", topic=topic), ctx()) == expected
    assert len(h.calls) == 1


@pytest.mark.parametrize("topic", [
    "other-topic",
    "arn:aws:sns:us-east-1:999999999999:audit",  # same name, another account: not the ARN
])
def test_sns_unknown_topic_raises_naming_it(h: Harness, topic: str) -> None:
    with pytest.raises(UnknownEventError, match=re.escape(topic)):
        h.app(h.events.generate_sns_event("hello", topic=topic), ctx())
    assert h.calls == []


# -- combined entry point: EventBridge and schedules -------------------------------------------

@pytest.mark.parametrize(("source", "detail_type", "detail", "expected"), [
    ("myapp.orders", "OrderPlaced", {"id": "o-1"}, "order:o-1"),
    ("aws.ec2", "EC2 Instance State-change Notification",
     {"instance": "i-123", "state": "stopped"}, "ec2:i-123"),
])
def test_eventbridge_event_routed_by_pattern(h: Harness, source: str, detail_type: str,
                                             detail: dict[str, Any], expected: str) -> None:
    event = h.events.generate_cw_event(source, detail_type, detail, [])
    assert h.app(event, ctx()) == expected
    assert len(h.calls) == 1
    assert type(h.calls[0][1]) is CloudWatchEvent


@pytest.mark.parametrize(("source", "detail_type", "detail"), [
    ("myapp.orders", "OrderCancelled", {"id": "o-1"}),
    ("aws.ec2", "EC2 Instance State-change Notification", {"state": "running"}),
    ("myapp.other", "OrderPlaced", {}),
])
def test_eventbridge_event_matching_no_pattern_raises(h: Harness, source: str, detail_type: str,
                                                      detail: dict[str, Any]) -> None:
    event = h.events.generate_cw_event(source, detail_type, detail, [])
    with pytest.raises(UnknownEventError) as info:
        h.app(event, ctx())
    assert repr(source) in str(info.value)
    assert repr(detail_type) in str(info.value)
    assert h.calls == []


def test_scheduled_event_with_one_schedule_goes_to_it(h: Harness) -> None:
    event = h.events.generate_scheduled_event("every-five-rule")
    assert h.app(event, ctx()) == "tick"
    assert h.ran() == ["every_five"]
    scheduled = h.calls[0][1]
    assert isinstance(scheduled, ScheduledEvent)
    assert scheduled.detail_type == "Scheduled Event"
    assert scheduled.resources == [
        "arn:aws:events:us-east-1:%s:rule/every-five-rule" % ACCOUNT]


def test_scheduled_event_with_two_schedules_explains_the_envelope() -> None:
    app = App("dispatch-two-schedules")
    ran: list[str] = []

    @app.schedule("rate(1 hour)")
    def hourly(event: ScheduledEvent) -> None:
        ran.append("hourly")

    @app.schedule("cron(0 12 * * ? *)")
    def at_noon(event: ScheduledEvent) -> str:
        ran.append("at_noon")
        return "noon"

    gen = Client(app).events
    with pytest.raises(UnknownEventError) as info:
        app(gen.generate_scheduled_event(), ctx())
    message = str(info.value)
    assert "hourly" in message
    assert "at_noon" in message
    assert ENVELOPE in message
    assert "handler" in message
    assert ran == []
    # ... and the envelope it describes does pick one.
    assert app(routed("at_noon", gen.generate_scheduled_event()), ctx()) == "noon"
    assert ran == ["at_noon"]


def test_scheduled_event_without_schedules_raises() -> None:
    app = App("dispatch-no-schedule")

    @app.on_cw_event({"source": ["myapp.orders"]})
    def on_order(event: CloudWatchEvent) -> None:
        raise AssertionError("must not run")

    with pytest.raises(UnknownEventError, match=r"@app\.schedule"):
        app(Client(app).events.generate_scheduled_event(), ctx())


def test_scheduled_event_can_be_taken_by_a_cw_pattern() -> None:
    app = App("dispatch-cw-schedule")

    @app.on_cw_event({"source": ["aws.events"], "detail-type": ["Scheduled Event"]})
    def on_tick(event: CloudWatchEvent) -> str:
        return event.detail_type

    assert app(Client(app).events.generate_scheduled_event(), ctx()) == "Scheduled Event"


# -- combined entry point: envelopes, unknown events, HTTP --------------------------------------

@pytest.mark.parametrize(("handler", "make", "expected"), [
    ("on_doc", lambda g: g.generate_s3_event("media", "docs/a.pdf"),
     {"handler": "on_doc", "keys": ["docs/a.pdf"]}),
    # The envelope bypasses the S3 filters: it names the handler.
    ("on_image", lambda g: g.generate_s3_event("media", "docs/a.pdf"),
     {"handler": "on_image", "keys": ["docs/a.pdf"]}),
    ("on_jobs", lambda g: g.generate_sqs_event(["x"], queue_name="elsewhere"),
     {"batchItemFailures": []}),
    ("on_alert", lambda g: g.generate_sns_event("hi", topic="elsewhere"), "alert:hi"),
    ("every_five", lambda g: g.generate_scheduled_event(), "tick"),
    ("on_order", lambda g: g.generate_cw_event("x", "y", {"id": 7}, []), "order:7"),
    ("raw_fn", lambda g: {"anything": [1, 2]}, {"echo": {"anything": [1, 2]}}),
])
def test_routed_envelope_runs_the_named_handler(h: Harness, handler: str,
                                                make: Callable[[EventGenerator], Any],
                                                expected: Any) -> None:
    assert h.app(routed(handler, make(h.events)), ctx()) == expected
    assert h.ran() == [handler]


@pytest.mark.parametrize("target", ["no_such_handler", None, 42, "add"])
def test_routed_envelope_naming_an_unregistered_handler_raises(h: Harness, target: Any) -> None:
    with pytest.raises(UnknownEventError) as info:
        h.app(routed(target, h.events.generate_scheduled_event()), ctx())
    assert repr(target) in str(info.value)
    assert h.calls == []


def test_routed_envelope_with_an_event_of_the_wrong_kind_raises(h: Harness) -> None:
    with pytest.raises(UnknownEventError) as info:
        h.app(routed("on_doc", h.events.generate_sqs_event(["x"])), ctx())
    assert "on_doc" in str(info.value)
    assert "an SQS batch" in str(info.value)
    assert h.calls == []


def test_task_envelope_runs_the_task(h: Harness) -> None:
    assert h.app(h.task_envelope(2, 3), ctx()) == 5
    assert h.calls == [("add", (2, 3))]


def test_task_envelope_naming_an_unregistered_task_raises(h: Harness) -> None:
    envelope = h.task_envelope(2, 3)
    envelope["task"] = "os.system"
    with pytest.raises(UnknownTaskError, match=r"os\.system"):
        h.app(envelope, ctx())
    assert h.calls == []


KINESIS_EVENT = {"Records": [{
    "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": "1",
                "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
                "data": "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==",
                "approximateArrivalTimestamp": 1545084650.987},
    "eventSource": "aws:kinesis", "eventVersion": "1.0",
    "eventID": "shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
    "eventName": "aws:kinesis:record", "awsRegion": "us-east-2",
    "eventSourceARN": "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
}]}
DYNAMODB_EVENT = {"Records": [{
    "eventID": "1", "eventVersion": "1.0", "eventName": "INSERT",
    "dynamodb": {"Keys": {"Id": {"N": "101"}}, "SequenceNumber": "111", "SizeBytes": 26,
                 "StreamViewType": "NEW_AND_OLD_IMAGES"},
    "awsRegion": "us-west-2", "eventSource": "aws:dynamodb",
    "eventSourceARN": "arn:aws:dynamodb:us-west-2:123456789012:table/t/stream/2015-06-27",
}]}


@pytest.mark.parametrize(("event", "named"), [
    (KINESIS_EVENT, "aws:kinesis records"),
    (DYNAMODB_EVENT, "aws:dynamodb records"),
    ({"orderId": 7, "action": "ship"}, "'action', 'orderId'"),
    ({}, "an empty object"),
    ({"Records": []}, "'Records'"),
    ([1, 2], "a list"),
    ("hello", "a str"),
])
def test_unknown_event_kinds_raise_naming_what_was_seen(h: Harness, event: Any,
                                                        named: str) -> None:
    with pytest.raises(UnknownEventError, match=named):
        h.app(event, ctx())
    assert h.calls == []


@pytest.mark.parametrize("fmt", ["rest", "http-api", "function-url", "alb"])
def test_http_requests_still_work_alongside_event_handlers(h: Harness, fmt: str) -> None:
    response = h.client.http.get("/ping", event_format=fmt)
    assert response.status_code == 200
    assert response.json_body == {"pong": "yes"}
    assert h.client.http.get("/nope", event_format=fmt).status_code == 404
    assert h.calls == []
    # ... and events still route on the same app.
    assert h.app(h.events.generate_scheduled_event(), ctx()) == "tick"


# -- explicit binding: MYFRAMEWORK_HANDLER ------------------------------------------------------

def test_empty_environment_variable_means_the_combined_entry_point(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYFRAMEWORK_HANDLER", "")
    h = Harness("dispatch-empty-env")
    assert h.app(h.events.generate_s3_event("media", "docs/a.pdf"), ctx()) == {
        "handler": "on_doc", "keys": ["docs/a.pdf"]}
    assert h.client.http.get("/ping").status_code == 200


def test_bound_function_always_runs_its_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYFRAMEWORK_HANDLER", "on_doc")
    h = Harness("dispatch-bound")
    gen = h.events
    # S3 only delivers what the notification configuration lets through; the function
    # serves its one handler, whatever the routing table of the combined entry point says.
    for key in ("docs/a.pdf", "images/b.jpg"):
        assert h.app(gen.generate_s3_event("media", key), ctx()) == {
            "handler": "on_doc", "keys": [key]}
    assert h.ran() == ["on_doc", "on_doc"]


@pytest.mark.parametrize("make", [
    lambda g: g.generate_sqs_event(["x"], queue_name="jobs"),
    lambda g: g.generate_sns_event("x", topic="alerts"),
    lambda g: g.generate_scheduled_event(),
    lambda g: {"orderId": 1},
])
def test_bound_s3_function_refuses_other_event_kinds_naming_both(
        monkeypatch: pytest.MonkeyPatch, make: Callable[[EventGenerator], Any]) -> None:
    monkeypatch.setenv("MYFRAMEWORK_HANDLER", "on_doc")
    h = Harness("dispatch-bound")
    with pytest.raises(UnknownEventError) as info:
        h.app(make(h.events), ctx())
    message = str(info.value)
    assert "@app.on_s3_event" in message
    assert "'on_doc'" in message
    assert "got " in message
    assert h.calls == []


def test_bound_sqs_event_to_s3_handler_names_the_sqs_batch(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYFRAMEWORK_HANDLER", "on_image")
    h = Harness("dispatch-bound")
    with pytest.raises(UnknownEventError, match=r"'on_image'.*an SQS batch"):
        h.app(h.events.generate_sqs_event(["x"], queue_name="jobs"), ctx())


@pytest.mark.parametrize("fmt", ["rest", "http-api", "function-url", "alb"])
def test_bound_function_refuses_http_requests(monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    monkeypatch.setenv("MYFRAMEWORK_HANDLER", "on_doc")
    h = Harness("dispatch-bound")
    with pytest.raises(UnknownEventError, match=r"on_doc.*an HTTP request \(%s\)" % fmt):
        h.app(make_event("GET", "/ping", event_format=fmt), ctx())


def test_bound_to_an_unregistered_name_lists_the_registered_ones(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYFRAMEWORK_HANDLER", "on_upload")
    h = Harness("dispatch-bound")
    with pytest.raises(UnknownEventError) as info:
        h.app(h.events.generate_s3_event("media", "docs/a.pdf"), ctx())
    message = str(info.value)
    assert "on_upload" in message
    for name in ("on_image", "on_doc", "on_delete", "on_jobs", "on_billing", "on_alert",
                 "on_audit", "on_order", "every_five", "raw_fn"):
        assert name in message
    assert h.calls == []


def test_bound_to_the_task_function_runs_task_envelopes_only(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYFRAMEWORK_HANDLER", "tasks:default")
    h = Harness("dispatch-bound")
    assert h.app(h.task_envelope(20, 22), ctx()) == 42
    assert h.calls == [("add", (20, 22))]
    for event in (h.events.generate_s3_event("media", "docs/a.pdf"),
                  h.events.generate_sqs_event(["x"], queue_name="jobs"),
                  routed("on_doc", h.events.generate_s3_event("media", "docs/a.pdf")),
                  make_event("GET", "/ping")):
        with pytest.raises(UnknownEventError, match="runs tasks"):
            h.app(event, ctx())
    envelope = h.task_envelope(1, 1)
    envelope["task"] = "not_a_task"
    with pytest.raises(UnknownTaskError, match="not_a_task"):
        h.app(envelope, ctx())
    assert h.calls == [("add", (20, 22))]


def test_bound_function_accepts_its_own_routed_envelope_only(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYFRAMEWORK_HANDLER", "every_five")
    h = Harness("dispatch-bound")
    assert h.app(routed("every_five", h.events.generate_scheduled_event()), ctx()) == "tick"
    with pytest.raises(UnknownEventError, match="on_order"):
        h.app(routed("on_order", h.events.generate_cw_event("x", "y", {}, [])), ctx())
    assert h.ran() == ["every_five"]


def test_bound_sqs_function_reports_partial_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYFRAMEWORK_HANDLER", "worker")
    app = App("dispatch-bound-sqs")

    @app.on_sqs_message(queue="work", batch_size=10, per_record=True, name="worker")
    def work(record: SQSRecord) -> None:
        if record.body == "bad":
            raise ValueError("bad message")

    event = Client(app).events.generate_sqs_event(["ok", "bad", "ok"], queue_name="work")
    assert app(event, ctx()) == failures(message_ids(event)[1])


def test_event_handler_object_is_a_lambda_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    h = Harness("dispatch-handler-object")
    s3 = h.events.generate_s3_event("media", "images/x y.jpg")
    direct = h.on_image(s3, ctx())
    assert direct == {"handler": "on_image", "keys": ["images/x y.jpg"]}
    assert h.client.lambda_.invoke("on_image", s3).payload == direct
    monkeypatch.setenv("MYFRAMEWORK_HANDLER", "on_image")
    bound = Harness("dispatch-handler-object")
    assert bound.app(s3, ctx()) == direct
    # Like the bound function, the handler object does not apply the routing filters,
    # and refuses events of another kind.
    assert h.on_image(h.events.generate_s3_event("media", "docs/a.pdf"), ctx()) == {
        "handler": "on_image", "keys": ["docs/a.pdf"]}
    with pytest.raises(UnknownEventError, match="on_image"):
        h.on_image(h.events.generate_sns_event("x"), ctx())


def test_event_handler_object_runs_sqs_batches_like_the_bound_function() -> None:
    app = App("dispatch-handler-sqs")

    @app.on_sqs_message(queue="work", batch_size=10, name="worker")
    def work(event: SQSEvent) -> BatchItemFailures:
        return BatchItemFailures([r for r in event if r.body == "bad"])

    event = Client(app).events.generate_sqs_event(["bad", "ok"], queue_name="work")
    expected = failures(message_ids(event)[0])
    assert work(event, ctx()) == expected
    assert Client(app).lambda_.invoke("worker", event).payload == expected
    assert work.name == "worker"
    assert work.func.__name__ == "work"


def test_event_handler_attributes(h: Harness) -> None:
    assert h.every_five.name == "every_five"
    assert h.every_five.spec.kind == "schedule"
    assert h.on_jobs.spec.queue == "jobs"  # type: ignore[attr-defined]
    # .func is the plain function, callable with a typed event in unit tests.
    event = S3Event(h.events.generate_s3_event("media", "docs/a.pdf"), None)
    assert h.on_doc.func(event) == {"handler": "on_doc", "keys": ["docs/a.pdf"]}


# -- what handlers receive and return -----------------------------------------------------------

@pytest.mark.parametrize(("handler", "make", "event_type"), [
    ("on_image", lambda g: g.generate_s3_event("media", "images/a.jpg"), S3Event),
    ("on_jobs", lambda g: g.generate_sqs_event(["a"], queue_name="jobs"), SQSEvent),
    ("on_alert", lambda g: g.generate_sns_event("m", topic="alerts"), SNSEvent),
    ("on_order", lambda g: g.generate_cw_event("myapp.orders", "OrderPlaced", {}, []),
     CloudWatchEvent),
    ("every_five", lambda g: g.generate_scheduled_event(), ScheduledEvent),
])
def test_handlers_receive_typed_events_carrying_the_context(
        h: Harness, handler: str, make: Callable[[EventGenerator], Any],
        event_type: type[Any]) -> None:
    context = ctx("typed")
    raw = make(h.events)
    h.app(raw, context)
    assert h.ran() == [handler]
    received = h.calls[0][1]
    assert type(received) is event_type
    assert received.context is context
    assert received.to_dict() == raw


def test_s3_event_fields(h: Harness) -> None:
    h.app(h.events.generate_s3_event("media", "images/a b.jpg", size=2048, etag="abc"), ctx())
    event = h.calls[0][1]
    assert (event.bucket, event.key, event.size, event.etag, event.event_name) == (
        "media", "images/a b.jpg", 2048, "abc", "ObjectCreated:Put")
    assert all(isinstance(r, S3Record) for r in event)


def test_sns_event_fields(h: Harness) -> None:
    event = h.events.generate_sns_event('{"n": 1}', subject="Subj", topic="alerts",
                                        message_attributes={"kind": "x"})
    assert h.app(event, ctx()) == 'alert:{"n": 1}'
    sns = h.calls[0][1]
    assert (sns.subject, sns.json_message) == ("Subj", {"n": 1})
    assert sns.message_attributes == {"kind": {"Type": "String", "Value": "x"}}


def test_lambda_function_gets_the_raw_event_and_context(h: Harness) -> None:
    response = h.client.lambda_.invoke("raw_fn", {"a": [1, "two"]})
    assert response.payload == {"echo": {"a": [1, "two"]}}
    event, context = h.calls[0][1]
    assert event == {"a": [1, "two"]}
    assert isinstance(context, FakeLambdaContext)
    assert context.function_name == "dispatch-app-raw_fn"


@pytest.mark.parametrize(("handler", "make", "payload"), [
    ("on_doc", lambda g: g.generate_s3_event("media", "docs/a.pdf"),
     {"handler": "on_doc", "keys": ["docs/a.pdf"]}),
    ("on_audit", lambda g: g.generate_sns_event("m", topic=AUDIT_TOPIC_ARN), "audit:m"),
    ("on_ec2_stopped", lambda g: g.generate_cw_event("aws.ec2", "x", {"instance": "i-9",
                                                                       "state": "stopped"}, []),
     "ec2:i-9"),
    ("every_five", lambda g: g.generate_scheduled_event(), "tick"),
    ("on_billing", lambda g: g.generate_sqs_event(["a"], queue_name="billing"),
     {"batchItemFailures": []}),
])
def test_lambda_invoke_returns_the_handlers_return_value(
        h: Harness, handler: str, make: Callable[[EventGenerator], Any], payload: Any) -> None:
    assert h.client.lambda_.invoke(handler, make(h.events)).payload == payload
    assert h.ran() == [handler]


# -- middleware for events ------------------------------------------------------------------------

MIDDLEWARE_TYPES = ["s3", "sqs", "sns", "cloudwatch", "scheduled", "pure_lambda", "task", "http",
                    "all"]


def with_recording_middleware(h: Harness) -> list[str]:
    """Register one middleware per event type (``all`` last); return what they log."""
    log: list[str] = []
    for event_type in MIDDLEWARE_TYPES:
        def middleware(event: Any, get_response: GetResponse, event_type: str = event_type) -> Any:
            log.append("%s:%s" % (event_type, type(event).__name__))
            return get_response(event)
        h.app.middleware(event_type)(middleware)
    return log


@pytest.mark.parametrize(("trigger", "expected"), [
    (lambda h: h.app(h.events.generate_s3_event("media", "images/a.jpg"), ctx()),
     ["s3:S3Event", "all:S3Event"]),
    (lambda h: h.app(h.events.generate_sqs_event(["x"], queue_name="jobs"), ctx()),
     ["sqs:SQSEvent", "all:SQSEvent"]),
    (lambda h: h.app(h.events.generate_sns_event("x", topic="alerts"), ctx()),
     ["sns:SNSEvent", "all:SNSEvent"]),
    (lambda h: h.app(h.events.generate_cw_event("myapp.orders", "OrderPlaced", {}, []), ctx()),
     ["cloudwatch:CloudWatchEvent", "all:CloudWatchEvent"]),
    (lambda h: h.app(h.events.generate_scheduled_event(), ctx()),
     ["scheduled:ScheduledEvent", "all:ScheduledEvent"]),
    (lambda h: h.client.lambda_.invoke("raw_fn", {"x": 1}),
     ["pure_lambda:LambdaFunctionEvent", "all:LambdaFunctionEvent"]),
    (lambda h: h.app(h.task_envelope(1, 2), ctx()),
     ["task:TaskInvocation", "all:TaskInvocation"]),
    (lambda h: h.client.http.get("/ping"), ["http:Request", "all:Request"]),
], ids=["s3", "sqs", "sns", "cloudwatch", "scheduled", "pure_lambda", "task", "http"])
def test_middleware_wraps_only_its_event_type_and_all(trigger: Callable[[Harness], Any],
                                                      expected: list[str]) -> None:
    h = Harness("dispatch-mw")
    log = with_recording_middleware(h)
    trigger(h)
    assert log == expected
    assert len(h.calls) == 1 or expected[0] == "http:Request"


def test_http_middleware_does_not_run_for_events_and_event_middleware_not_for_http() -> None:
    h = Harness("dispatch-mw")
    log: list[str] = []

    @h.app.middleware("http")
    def http_only(request: Request, get_response: GetResponse) -> Any:
        log.append("http")
        return get_response(request)

    @h.app.middleware("s3")
    def s3_only(event: S3Event, get_response: GetResponse) -> Any:
        log.append("s3")
        return get_response(event)

    h.app(h.events.generate_s3_event("media", "images/a.jpg"), ctx())
    assert log == ["s3"]
    assert h.client.http.get("/ping").status_code == 200
    assert log == ["s3", "http"]


def test_middleware_can_modify_the_result(h: Harness) -> None:
    @h.app.middleware("s3")
    def stamp(event: S3Event, get_response: GetResponse) -> Any:
        return {"wrapped": get_response(event), "bucket": event.bucket}

    result = h.app(h.events.generate_s3_event("media", "docs/a.pdf"), ctx())
    assert result == {"wrapped": {"handler": "on_doc", "keys": ["docs/a.pdf"]},
                      "bucket": "media"}


def test_sqs_middleware_sees_the_batch_failures_and_can_change_them() -> None:
    app = App("dispatch-mw-sqs")
    seen: list[Any] = []

    @app.middleware("sqs")
    def observe(event: SQSEvent, get_response: GetResponse) -> Any:
        result = get_response(event)
        seen.append((len(event), result))
        return result

    @app.on_sqs_message(queue="work", batch_size=10, per_record=True, name="worker")
    def work(record: SQSRecord) -> None:
        if record.body == "bad":
            raise ValueError("bad")

    event = Client(app).events.generate_sqs_event(["bad", "ok", "ok"], queue_name="work")
    expected = failures(message_ids(event)[0])
    assert app(event, ctx()) == expected
    assert seen == [(3, expected)]


@pytest.mark.parametrize("event_type", ["s3", "all"])
def test_middleware_can_short_circuit(h: Harness, event_type: str) -> None:
    @h.app.middleware(event_type)
    def refuse(event: Any, get_response: GetResponse) -> Any:
        return "skipped"

    assert h.app(h.events.generate_s3_event("media", "docs/a.pdf"), ctx()) == "skipped"
    assert h.calls == []


def test_task_middleware_can_short_circuit_and_sees_the_invocation(h: Harness) -> None:
    seen: list[tuple[str, list[Any]]] = []

    @h.app.middleware("task")
    def gate(invocation: TaskInvocation, get_response: GetResponse) -> Any:
        seen.append((invocation.name, invocation.args))
        if invocation.args[0] < 0:
            return "refused"
        return get_response(invocation)

    assert h.app(h.task_envelope(-1, 2), ctx()) == "refused"
    assert h.app(h.task_envelope(1, 2), ctx()) == 3
    assert seen == [("add", [-1, 2]), ("add", [1, 2])]
    assert h.calls == [("add", (1, 2))]


def test_pure_lambda_middleware_sees_event_and_context(h: Harness) -> None:
    seen: list[Any] = []

    @h.app.middleware("pure_lambda")
    def observe(event: LambdaFunctionEvent, get_response: GetResponse) -> Any:
        seen.append((event.event, event.context))
        return get_response(event)

    context = ctx("pure")
    assert h.app(routed("raw_fn", {"k": "v"}), context) == {"echo": {"k": "v"}}
    assert seen == [({"k": "v"}, context)]


def test_middleware_order_is_registration_order_outermost_first(h: Harness) -> None:
    log: list[str] = []
    for label, event_type in (("first", "sns"), ("second", "all"), ("third", "sns")):
        def middleware(event: Any, get_response: GetResponse, label: str = label) -> Any:
            log.append(label + ">")
            result = get_response(event)
            log.append("<" + label)
            return "%s(%s)" % (label, result)
        h.app.middleware(event_type)(middleware)

    result = h.app(h.events.generate_sns_event("m", topic="alerts"), ctx())
    assert result == "first(second(third(alert:m)))"
    assert log == ["first>", "second>", "third>", "<third", "<second", "<first"]


def test_all_middleware_runs_for_http_and_events(h: Harness) -> None:
    seen: list[str] = []

    @h.app.middleware("all")
    def everywhere(event: Any, get_response: GetResponse) -> Any:
        seen.append(type(event).__name__)
        return get_response(event)

    assert h.client.http.get("/ping").json_body == {"pong": "yes"}
    assert h.app(h.events.generate_scheduled_event(), ctx()) == "tick"
    assert h.client.lambda_.invoke("on_doc", h.events.generate_s3_event(
        "media", "docs/a")).payload == {"handler": "on_doc", "keys": ["docs/a"]}
    assert seen == ["Request", "ScheduledEvent", "S3Event"]


def test_event_middleware_sees_handler_exceptions(h: Harness) -> None:
    app = App("dispatch-mw-errors")
    caught: list[str] = []

    @app.middleware("scheduled")
    def catch(event: ScheduledEvent, get_response: GetResponse) -> Any:
        try:
            return get_response(event)
        except RuntimeError as exc:
            caught.append(str(exc))
            raise

    @app.schedule("rate(1 day)")
    def nightly(event: ScheduledEvent) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        app(Client(app).events.generate_scheduled_event(), ctx())
    assert caught == ["disk full"]


# -- event handler errors propagate (Lambda's async retry) ---------------------------------------

class Boom(Exception):
    pass


@pytest.mark.parametrize("kind", ["s3", "sns", "schedule", "cloudwatch", "pure_lambda"])
def test_event_handler_errors_propagate(kind: str) -> None:
    app = App("dispatch-errors")

    def fail(*args: Any) -> None:
        raise Boom(kind)

    registrations: dict[str, Callable[[], Any]] = {
        "s3": lambda: app.on_s3_event(bucket="media", name="h")(fail),
        "sns": lambda: app.on_sns_message(topic="alerts", name="h")(fail),
        "schedule": lambda: app.schedule("rate(1 hour)", name="h")(fail),
        "cloudwatch": lambda: app.on_cw_event({"source": ["myapp"]}, name="h")(fail),
        "pure_lambda": lambda: app.lambda_function(name="h")(fail),
    }
    handler = registrations[kind]()
    gen = Client(app).events
    event: dict[str, Any] = {
        "s3": gen.generate_s3_event("media", "a.jpg"),
        "sns": gen.generate_sns_event("m", topic="alerts"),
        "schedule": gen.generate_scheduled_event(),
        "cloudwatch": gen.generate_cw_event("myapp", "Thing", {}, []),
        "pure_lambda": routed("h", {"x": 1}),
    }[kind]
    with pytest.raises(Boom, match=kind):
        app(event, ctx())
    with pytest.raises(Boom):
        handler(event, ctx())
    with pytest.raises(Boom):
        Client(app).lambda_.invoke("h", event)


# -- SQS partial batch failures ---------------------------------------------------------------

def sqs_app(handler: Callable[[Any], Any], *, queue: str = "work", per_record: bool = False,
            queue_arn: str | None = None) -> App:
    app = App("dispatch-sqs")
    if queue_arn is not None:
        app.on_sqs_message(queue_arn=queue_arn, batch_size=10, per_record=per_record,
                           name="worker")(handler)
    else:
        app.on_sqs_message(queue=queue, batch_size=10, per_record=per_record,
                           name="worker")(handler)
    return app


def sqs_event(bodies: list[str], queue: str = "work") -> dict[str, Any]:
    return EventGenerator().generate_sqs_event(bodies, queue_name=queue)


REPORTERS: dict[str, Callable[[SQSEvent], Any]] = {}


def _reporter(name: str) -> Callable[[Callable[[SQSEvent], Any]], Callable[[SQSEvent], Any]]:
    def register(func: Callable[[SQSEvent], Any]) -> Callable[[SQSEvent], Any]:
        REPORTERS[name] = func
        return func
    return register


def _bad(event: SQSEvent) -> list[SQSRecord]:
    return [r for r in event if r.body.startswith("bad")]


@_reporter("return BatchItemFailures(records)")
def _return_records(event: SQSEvent) -> Any:
    return BatchItemFailures(_bad(event))


@_reporter("raise BatchItemFailures(records)")
def _raise_records(event: SQSEvent) -> Any:
    raise BatchItemFailures(_bad(event))


@_reporter("return BatchItemFailures(ids)")
def _return_ids(event: SQSEvent) -> Any:
    return BatchItemFailures([r.message_id for r in _bad(event)])


@_reporter("raise BatchItemFailures(ids)")
def _raise_ids(event: SQSEvent) -> Any:
    raise BatchItemFailures(r.message_id for r in _bad(event))


@_reporter("return the AWS dict")
def _return_aws_dict(event: SQSEvent) -> Any:
    return {"batchItemFailures": [{"itemIdentifier": r.message_id} for r in _bad(event)]}


@pytest.mark.parametrize("how", list(REPORTERS))
def test_batch_mode_reports_the_failed_message(how: str,
                                               caplog: pytest.LogCaptureFixture) -> None:
    app = sqs_app(REPORTERS[how])
    event = sqs_event(["ok-1", "bad", "ok-2"])
    ids = message_ids(event)
    expected = failures(ids[1])
    with caplog.at_level(logging.ERROR):
        assert app(event, ctx()) == expected
    assert Client(app).lambda_.invoke("worker", event).payload == expected
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert ids[1] in logged
    assert ids[0] not in logged


@pytest.mark.parametrize("how", list(REPORTERS))
def test_batch_mode_reports_several_failures(how: str) -> None:
    app = sqs_app(REPORTERS[how])
    event = sqs_event(["bad-1", "ok", "bad-2", "ok"])
    ids = message_ids(event)
    assert app(event, ctx()) == failures(ids[0], ids[2])


@pytest.mark.parametrize("how", list(REPORTERS))
def test_batch_mode_success_reports_nothing(how: str) -> None:
    app = sqs_app(REPORTERS[how])
    assert app(sqs_event(["ok-1", "ok-2"]), ctx()) == {"batchItemFailures": []}


@pytest.mark.parametrize("returned", [None, "done", 42, [], {"processed": 2},
                                      {"batchItemFailures": []}, {"batchItemFailures": None}])
def test_batch_mode_success_whatever_else_the_handler_returns(returned: Any) -> None:
    app = sqs_app(lambda event: returned)
    assert app(sqs_event(["a", "b"]), ctx()) == {"batchItemFailures": []}


def test_batch_mode_duplicate_reports_are_listed_once() -> None:
    def handler(event: SQSEvent) -> Any:
        first = event.records[0]
        return BatchItemFailures([first, first.message_id, first])

    event = sqs_event(["a", "b"])
    assert sqs_app(handler)(event, ctx()) == failures(message_ids(event)[0])


@pytest.mark.parametrize("form", ["BatchItemFailures", "dict"])
def test_batch_mode_reporting_an_id_not_in_the_batch_raises(form: str) -> None:
    def handler(event: SQSEvent) -> Any:
        if form == "dict":
            return {"batchItemFailures": [{"itemIdentifier": "not-in-this-batch"}]}
        return BatchItemFailures(["not-in-this-batch"])

    with pytest.raises(ValueError, match="not-in-this-batch"):
        sqs_app(handler)(sqs_event(["a", "b"]), ctx())


@pytest.mark.parametrize("items", [
    [{"itemIdentifier": 7}], [{"id": "x"}], ["x"], "x", {"itemIdentifier": "x"},
])
def test_batch_mode_malformed_aws_dict_raises(items: Any) -> None:
    with pytest.raises(ValueError, match="batchItemFailures"):
        sqs_app(lambda event: {"batchItemFailures": items})(sqs_event(["a", "b"]), ctx())


@pytest.mark.parametrize("item", [42, None, "", b"id", {"messageId": "x"}])
def test_batch_item_failures_takes_records_or_ids_only(item: Any) -> None:
    with pytest.raises(TypeError, match="SQSRecord"):
        BatchItemFailures([item])


def test_batch_mode_handler_exception_propagates() -> None:
    def handler(event: SQSEvent) -> None:
        raise ConnectionError("database down")

    with pytest.raises(ConnectionError, match="database down"):
        sqs_app(handler)(sqs_event(["a", "b"]), ctx())


def test_batch_mode_handler_gets_the_whole_batch_once() -> None:
    calls: list[list[str]] = []

    def handler(event: SQSEvent) -> None:
        assert isinstance(event, SQSEvent)
        calls.append([r.body for r in event])

    sqs_app(handler)(sqs_event(["a", "b", "c"]), ctx())
    assert calls == [["a", "b", "c"]]


def test_per_record_handler_called_once_per_record() -> None:
    context = ctx("per-record")
    seen: list[tuple[str, str, Any]] = []

    def handler(record: SQSRecord) -> None:
        assert isinstance(record, SQSRecord)
        seen.append((record.message_id, record.body, record.context))

    event = sqs_event(["a", "b", "c"])
    assert sqs_app(handler, per_record=True)(event, context) == {"batchItemFailures": []}
    assert seen == [(i, b, context) for i, b in zip(message_ids(event), ["a", "b", "c"],
                                                    strict=True)]


def test_per_record_failure_is_reported_alone_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    processed: list[str] = []

    def handler(record: SQSRecord) -> None:
        if record.body == "bad":
            raise ValueError("cannot process")
        processed.append(record.body)

    event = sqs_event(["one", "bad", "three"])
    ids = message_ids(event)
    with caplog.at_level(logging.ERROR):
        assert sqs_app(handler, per_record=True)(event, ctx()) == failures(ids[1])
    assert processed == ["one", "three"]  # later records still processed (not FIFO)
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(ids[1] in m for m in messages), messages
    assert not any(ids[0] in m or ids[2] in m for m in messages)
    failed_record = next(r for r in caplog.records if ids[1] in r.getMessage())
    assert failed_record.exc_info is not None
    assert "cannot process" in str(failed_record.exc_info[1])


def test_per_record_invalid_json_body_is_reported_for_that_record_only(
        caplog: pytest.LogCaptureFixture) -> None:
    parsed: list[Any] = []

    def handler(record: SQSRecord) -> None:
        parsed.append(record.json_body)

    event = sqs_event(['{"n": 1}', "{not json", '{"n": 3}'])
    ids = message_ids(event)
    with caplog.at_level(logging.ERROR):
        assert sqs_app(handler, per_record=True)(event, ctx()) == failures(ids[1])
    assert parsed == [{"n": 1}, {"n": 3}]
    errors = [r for r in caplog.records if ids[1] in r.getMessage()]
    assert errors
    assert errors[0].exc_info is not None
    exc = errors[0].exc_info[1]
    assert isinstance(exc, EventParseError)
    assert ids[1] in str(exc)


@pytest.mark.parametrize("queue", ["work.fifo", "arn:aws:sqs:us-east-1:%s:work.fifo" % ACCOUNT])
def test_fifo_per_record_stops_at_the_first_failure(queue: str) -> None:
    passed: list[str] = []

    def handler(record: SQSRecord) -> None:
        passed.append(record.body)
        if record.body == "2":
            raise ValueError("fail")

    if queue.startswith("arn:"):
        app = sqs_app(handler, per_record=True, queue_arn=queue)
    else:
        app = sqs_app(handler, per_record=True, queue=queue)
    event = sqs_event(["1", "2", "3", "4"], queue="work.fifo")
    ids = message_ids(event)
    assert event["Records"][0]["attributes"]["MessageGroupId"]  # a real FIFO record
    result = app(event, ctx())
    assert passed == ["1", "2"]  # 3 and 4 never reached the handler
    assert failed_ids(result) == {ids[1], ids[2], ids[3]}


def test_fifo_batch_mode_reporting_record_2_of_4_reports_2_3_4() -> None:
    calls: list[int] = []

    def handler(event: SQSEvent) -> Any:
        calls.append(len(event))
        return BatchItemFailures([event.records[1]])

    event = sqs_event(["1", "2", "3", "4"], queue="work.fifo")
    ids = message_ids(event)
    result = sqs_app(handler, queue="work.fifo")(event, ctx())
    assert failed_ids(result) == set(ids[1:])
    assert len(result["batchItemFailures"]) == 3
    assert calls == [4]


def test_fifo_batch_mode_reporting_the_last_record_reports_only_it() -> None:
    event = sqs_event(["1", "2", "3", "4"], queue="work.fifo")
    ids = message_ids(event)
    result = sqs_app(lambda e: BatchItemFailures([ids[3]]), queue="work.fifo")(event, ctx())
    assert result == failures(ids[3])


def test_non_fifo_batch_mode_reports_only_what_was_reported() -> None:
    event = sqs_event(["1", "2", "3", "4"])
    ids = message_ids(event)
    assert sqs_app(lambda e: BatchItemFailures([ids[1]]))(event, ctx()) == failures(ids[1])


@pytest.mark.parametrize(("queue", "per_record", "handler"), [
    ("work", True, lambda record: 1 / 0),
    ("work", False, lambda event: BatchItemFailures(event)),
    ("work", False, lambda event: {"batchItemFailures": [
        {"itemIdentifier": r.message_id} for r in event]}),
    ("work.fifo", True, lambda record: 1 / 0),                      # first fails: all fail
    ("work.fifo", False, lambda event: BatchItemFailures([event.records[0]])),
], ids=["per-record", "batch-object", "batch-dict", "fifo-per-record", "fifo-batch-first"])
def test_all_records_failed_raises_batch_failed_error(queue: str, per_record: bool,
                                                      handler: Callable[[Any], Any]) -> None:
    event = sqs_event(["a", "b", "c"], queue=queue)
    app = sqs_app(handler, queue=queue, per_record=per_record)
    with pytest.raises(BatchFailedError) as info:
        app(event, ctx())
    assert sorted(info.value.failures) == sorted(message_ids(event))
    assert isinstance(info.value, Exception)  # Lambda sees an error and retries the batch


def test_single_record_batch_failure_raises_batch_failed_error() -> None:
    event = sqs_event(["only"])
    app = sqs_app(lambda record: 1 / 0, per_record=True)
    with pytest.raises(BatchFailedError) as info:
        Client(app).lambda_.invoke("worker", event)
    assert info.value.failures == message_ids(event)


MALFORMATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "no body": lambda record: record.pop("body"),
    "null body": lambda record: record.update(body=None),
    "number body": lambda record: record.update(body=12),
    "object body": lambda record: record.update(body={"a": 1}),
    "attributes not an object": lambda record: record.update(attributes="x"),
}


@pytest.mark.parametrize("per_record", [True, False], ids=["per-record", "batch"])
@pytest.mark.parametrize("malformation", list(MALFORMATIONS))
def test_malformed_record_is_reported_and_never_reaches_the_handler(
        per_record: bool, malformation: str, caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []

    def per_message(record: SQSRecord) -> None:
        seen.append(record.message_id)

    def batch(event: SQSEvent) -> None:
        seen.extend(r.message_id for r in event)

    event = sqs_event(["a", "b", "c"])
    ids = message_ids(event)
    MALFORMATIONS[malformation](event["Records"][1])
    app = sqs_app(per_message if per_record else batch, per_record=per_record)
    with caplog.at_level(logging.ERROR):
        assert app(event, ctx()) == failures(ids[1])
    assert seen == [ids[0], ids[2]]
    assert any(ids[1] in r.getMessage() for r in caplog.records)


def test_malformed_record_and_a_reported_record_are_both_listed() -> None:
    event = sqs_event(["a", "b", "bad"])
    ids = message_ids(event)
    del event["Records"][0]["body"]
    result = sqs_app(REPORTERS["return BatchItemFailures(records)"])(event, ctx())
    assert failed_ids(result) == {ids[0], ids[2]}
    assert len(result["batchItemFailures"]) == 2


def test_every_record_malformed_raises_batch_failed_without_calling_the_handler() -> None:
    calls: list[Any] = []
    event = sqs_event(["a", "b"])
    for record in event["Records"]:
        record["body"] = None
    with pytest.raises(BatchFailedError) as info:
        sqs_app(calls.append)(event, ctx())
    assert sorted(info.value.failures) == sorted(message_ids(event))
    assert calls == []


def test_fifo_malformed_record_stops_processing() -> None:
    passed: list[str] = []
    event = sqs_event(["1", "2", "3"], queue="work.fifo")
    ids = message_ids(event)
    event["Records"][1]["body"] = None
    app = sqs_app(lambda record: passed.append(record.body), queue="work.fifo", per_record=True)
    assert failed_ids(app(event, ctx())) == {ids[1], ids[2]}
    assert passed == ["1"]


def test_fifo_batch_mode_malformed_record_hides_the_rest_from_the_handler() -> None:
    seen: list[list[str]] = []

    def handler(event: SQSEvent) -> None:
        seen.append([r.body for r in event])
        assert len(event.to_dict()["Records"]) == len(event)

    event = sqs_event(["1", "2", "3", "4"], queue="work.fifo")
    ids = message_ids(event)
    event["Records"][2]["body"] = None
    result = sqs_app(handler, queue="work.fifo")(event, ctx())
    assert seen == [["1", "2"]]
    assert failed_ids(result) == {ids[2], ids[3]}


def test_batch_mode_invalid_json_body_fails_the_whole_batch() -> None:
    # In batch mode the handler's own exception propagates: the batch is retried.
    # Use per_record=True (or report the record) to retry only the bad message.
    def handler(event: SQSEvent) -> None:
        for record in event:
            record.json_body  # noqa: B018

    event = sqs_event(['{"n": 1}', "{not json"])
    with pytest.raises(EventParseError, match=message_ids(event)[1]):
        sqs_app(handler)(event, ctx())



@pytest.mark.parametrize("per_record", [True, False], ids=["per-record", "batch"])
@pytest.mark.parametrize("message_id", ["missing", None, "", 17])
def test_record_without_message_id_fails_the_whole_batch(per_record: bool,
                                                         message_id: Any) -> None:
    calls: list[Any] = []
    event = sqs_event(["a", "b", "c"])
    if message_id == "missing":
        del event["Records"][1]["messageId"]
    else:
        event["Records"][1]["messageId"] = message_id
    with pytest.raises(EventParseError, match="messageId"):
        sqs_app(calls.append, per_record=per_record)(event, ctx())
    assert calls == []  # nothing ran: SQS delivers the whole batch again


def test_sqs_routing_of_records_from_two_queues_keeps_their_failures_apart() -> None:
    app = App("dispatch-sqs-two")

    @app.on_sqs_message(queue="alpha", batch_size=10, per_record=True)
    def on_alpha(record: SQSRecord) -> None:
        if record.body == "bad":
            raise ValueError("bad")

    @app.on_sqs_message(queue="beta", batch_size=10)
    def on_beta(event: SQSEvent) -> Any:
        return BatchItemFailures(r for r in event if r.body == "bad")

    gen = Client(app).events
    alpha = gen.generate_sqs_event(["ok", "bad"], queue_name="alpha")
    beta = gen.generate_sqs_event(["bad", "ok"], queue_name="beta")
    result = app(merged(alpha, beta), ctx())
    assert failed_ids(result) == {message_ids(alpha)[1], message_ids(beta)[0]}


def test_s3_unmatched_error_names_the_decoded_key() -> None:
    app = App("decoded")

    @app.on_s3_event(bucket="media", prefix="images/")
    def images(event: S3Event) -> None:
        return None

    event = EventGenerator().generate_s3_event("media", "videos/my clip+1.mp4")
    with pytest.raises(UnknownEventError, match=re.escape("'videos/my clip+1.mp4'")):
        app(event, ctx())


def test_returning_a_bare_list_of_records_is_refused_not_taken_as_success() -> None:
    # Returning the failed records without BatchItemFailures would otherwise delete them.
    app = App("bare-list")

    @app.on_sqs_message(queue="jobs", batch_size=2)
    def jobs(event: SQSEvent) -> list[SQSRecord]:
        return [record for record in event if record.body == "bad"]

    with pytest.raises(TypeError, match="BatchItemFailures"):
        app(EventGenerator().generate_sqs_event(["ok", "bad"], queue_name="jobs"), ctx())


def test_a_task_of_another_queue_still_runs_with_a_routing_warning(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("MYFRAMEWORK_HANDLER", "tasks:default")
    app = App("queues")

    @app.task(queue="slow")
    def slow(value: int) -> int:
        return value * 2

    envelope = {ENVELOPE: "task", "v": 1, "task": "slow", "id": "t1", "args": [21],
                "kwargs": {}}
    with caplog.at_level(logging.WARNING):
        assert app(envelope, ctx()) == 42
    assert "belongs to queue 'slow'" in caplog.text
