"""Registration of the non-HTTP decorators: arguments are validated into specs when the decorator
runs, errors name the decorator, the function and the bad value, and the registry records
immutable specs in registration order (also through blueprints with a ``name_prefix``)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from myframework import (
    App,
    Blueprint,
    Chalice,
    Cron,
    Rate,
    RegistrationError,
    TaskDispatchError,
    UnknownEventError,
)
from myframework.runtime.event_specs import (
    CloudWatchEventSpec,
    FunctionOptions,
    HandlerSpec,
    LambdaFunctionSpec,
    S3EventSpec,
    ScheduleSpec,
    SNSEventSpec,
    SQSEventSpec,
    TaskSpec,
)
from myframework.runtime.handlers import EventHandler
from myframework.runtime.tasks import Task

ACCOUNT = "123456789012"
QUEUE_ARN = "arn:aws:sqs:us-east-1:%s:my-queue" % ACCOUNT
FIFO_QUEUE_ARN = "arn:aws:sqs:us-east-1:%s:jobs.fifo" % ACCOUNT
TOPIC_ARN = "arn:aws:sns:us-east-1:%s:mytopic" % ACCOUNT
DLQ_ARN = "arn:aws:sqs:us-east-1:%s:dlq" % ACCOUNT

# Minimal valid arguments for each event decorator, so one test can cover all of them.
EVENT_DECORATORS: dict[str, Callable[..., Any]] = {
    "schedule": lambda api, **kw: api.schedule("rate(5 minutes)", **kw),
    "on_s3_event": lambda api, **kw: api.on_s3_event(bucket="mybucket", **kw),
    "on_sqs_message": lambda api, **kw: api.on_sqs_message(queue="my-queue", **kw),
    "on_sns_message": lambda api, **kw: api.on_sns_message(topic="mytopic", **kw),
    "on_cw_event": lambda api, **kw: api.on_cw_event({"source": ["aws.ec2"]}, **kw),
    "lambda_function": lambda api, **kw: api.lambda_function(**kw),
}
ALL_DECORATORS: dict[str, Callable[..., Any]] = {
    **EVENT_DECORATORS,
    "task": lambda api, **kw: api.task(**kw),
}
SPEC_CLASSES: dict[str, type[HandlerSpec]] = {
    "schedule": ScheduleSpec, "on_s3_event": S3EventSpec, "on_sqs_message": SQSEventSpec,
    "on_sns_message": SNSEventSpec, "on_cw_event": CloudWatchEventSpec,
    "lambda_function": LambdaFunctionSpec,
}
EVENT_KINDS = list(EVENT_DECORATORS)
ALL_KINDS = list(ALL_DECORATORS)


def decorate(api: App | Blueprint, kind: str, func: Callable[..., Any], **kw: Any) -> Any:
    """Apply ``@api.<kind>(<minimal valid arguments>, **kw)`` to ``func``."""
    return ALL_DECORATORS[kind](api, **kw)(func)


def make_func(name: str = "handler") -> Callable[..., Any]:
    """A fresh function named ``name`` (its ``__qualname__`` is ``name`` too)."""
    def func(*args: Any) -> str:
        return "ran %s" % name
    func.__name__ = func.__qualname__ = name
    return func


def assert_message(exc: BaseException, decorator: str, func: Callable[..., Any],
                   *fragments: str) -> None:
    """The error names the decorator, the function and every fragment (the bad value)."""
    message = str(exc)
    assert "@%s" % decorator in message, message
    assert func.__qualname__ in message, message
    for fragment in fragments:
        assert fragment in message, message


@pytest.fixture
def app() -> App:
    return App("events-under-test")


def scheduled_event() -> dict[str, Any]:
    """The EventBridge scheduled event from the AWS docs."""
    return {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": "2015-10-08T16:53:06Z",
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:%s:rule/my-scheduled-rule" % ACCOUNT],
        "detail": {},
    }


def sns_event() -> dict[str, Any]:
    """An SNS notification, as in the AWS docs' sample event."""
    return {"Records": [{
        "EventVersion": "1.0",
        "EventSubscriptionArn": TOPIC_ARN + ":21be56ed-a058-49f5-8c98-aedd2564c486",
        "EventSource": "aws:sns",
        "Sns": {
            "SignatureVersion": "1",
            "Timestamp": "2019-01-02T12:45:07.000Z",
            "Signature": "tcc6faL2yUC6dgZdmrwh1Y4cGa/ebXEkAi6RibDsvpi+tE/1+82j...65r==",
            "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService.pem",
            "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
            "Message": "Hello from SNS!",
            "MessageAttributes": {},
            "Type": "Notification",
            "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
            "TopicArn": TOPIC_ARN,
            "Subject": "TestInvoke",
        },
    }]}


# -- @app.schedule --------------------------------------------------------------------------

@pytest.mark.parametrize(("expression", "expected"), [
    (Rate(5, unit=Rate.MINUTES), "rate(5 minutes)"),
    (Rate(1, unit=Rate.MINUTES), "rate(1 minute)"),
    (Rate(1, unit=Rate.HOURS), "rate(1 hour)"),
    (Rate(2, unit=Rate.DAYS), "rate(2 days)"),
    (Cron(0, 12, "*", "*", "?", "*"), "cron(0 12 * * ? *)"),
    (Cron("0/15", "9-17", "?", "*", "MON-FRI", "*"), "cron(0/15 9-17 ? * MON-FRI *)"),
    ("rate(1 minute)", "rate(1 minute)"),
    ("rate(12 hours)", "rate(12 hours)"),
    ("cron(0 12 * * ? *)", "cron(0 12 * * ? *)"),
    ("  rate(10 minutes)\n", "rate(10 minutes)"),
])
def test_schedule_expression_is_normalised(app: App, expression: Any, expected: str) -> None:
    func = make_func("tick")
    handler = app.schedule(expression)(func)
    spec = handler.spec
    assert isinstance(spec, ScheduleSpec)
    assert spec.expression == expected
    assert spec.name == "tick"
    assert spec.description == ""
    assert spec.kind == "schedule"
    assert app.registry.handlers == [spec]


@pytest.mark.parametrize(("expression", "fragment"), [
    ("rate(1 minutes)", "rate(1 minutes)"),
    ("rate(5 minute)", "rate(5 minute)"),
    ("rate(0 minutes)", "rate(0 minutes)"),
    ("rate(1 second)", "rate(1 second)"),
    ("cron(0 12 * * * *)", "cron(0 12 * * * *)"),
    ("cron(0 12 * * ?)", "cron(0 12 * * ?)"),
    ("cron(60 12 * * ? *)", "cron(60 12 * * ? *)"),
    ("every 5 minutes", "every 5 minutes"),
    ("RATE(5 minutes)", "RATE(5 minutes)"),
    ("rate(5 minutes", "rate(5 minutes"),
    (5, "5"),
    (None, "None"),
    ("", "empty"),
])
def test_bad_schedule_fails_at_decoration(app: App, expression: Any, fragment: str) -> None:
    func = make_func("nightly_job")
    decorator = app.schedule(expression)
    with pytest.raises(RegistrationError) as info:
        decorator(func)
    assert_message(info.value, "schedule", func, fragment)
    assert app.registry.handlers == []


def test_schedule_description_is_stored(app: App) -> None:
    handler = app.schedule("rate(1 day)", description="nightly cleanup")(make_func("cleanup"))
    assert isinstance(handler.spec, ScheduleSpec)
    assert handler.spec.description == "nightly cleanup"


@pytest.mark.parametrize("description", ["x" * 513, 5, None])
def test_bad_schedule_description(app: App, description: Any) -> None:
    func = make_func("cleanup")
    with pytest.raises(RegistrationError) as info:
        app.schedule("rate(1 day)", description=description)(func)
    assert_message(info.value, "schedule", func, "description")


def test_bare_schedule_decorator_is_an_error(app: App) -> None:
    schedule: Any = app.schedule
    with pytest.raises(RegistrationError):
        @schedule
        def every_minute(event: Any) -> None:
            return None
    assert app.registry.handlers == []


# -- @app.on_s3_event -----------------------------------------------------------------------

@pytest.mark.parametrize("bucket", [
    "mybucket", "my-bucket.logs", "abc", "a" * 63, "1bucket", "bucket9", "my.bucket-2024",
])
def test_valid_bucket_names(app: App, bucket: str) -> None:
    handler = app.on_s3_event(bucket=bucket)(make_func("on_upload"))
    assert isinstance(handler.spec, S3EventSpec)
    assert handler.spec.bucket == bucket


@pytest.mark.parametrize("bucket", [
    "ab", "a" * 64, "MyBucket", "my_bucket", "-bucket", "bucket-", ".bucket", "bucket.",
    "my..bucket", "my bucket", "", None, 5, "arn:aws:s3:::mybucket",
])
def test_invalid_bucket_names(app: App, bucket: Any) -> None:
    func = make_func("on_upload")
    with pytest.raises(RegistrationError) as info:
        app.on_s3_event(bucket=bucket)(func)
    assert_message(info.value, "on_s3_event", func, repr(bucket))
    assert app.registry.handlers == []


@pytest.mark.parametrize("bucket", ["192.168.5.4", "xn--bucket", "mybucket-s3alias"])
def test_bucket_names_s3_forbids(app: App, bucket: str) -> None:
    with pytest.raises(RegistrationError):
        app.on_s3_event(bucket=bucket)(make_func("on_upload"))


def test_s3_defaults(app: App) -> None:
    handler = app.on_s3_event(bucket="mybucket")(make_func("on_upload"))
    spec = handler.spec
    assert isinstance(spec, S3EventSpec)
    assert spec.events == ("s3:ObjectCreated:*",)
    assert spec.prefix is None
    assert spec.suffix is None
    assert spec.kind == "s3"


@pytest.mark.parametrize(("events", "expected"), [
    (["s3:ObjectRemoved:*"], ("s3:ObjectRemoved:*",)),
    (("s3:ObjectCreated:Put", "s3:ObjectCreated:Post"),
     ("s3:ObjectCreated:Put", "s3:ObjectCreated:Post")),
    ("s3:ObjectCreated:Put", ("s3:ObjectCreated:Put",)),
    (["s3:ObjectRestore:Completed", "s3:ObjectTagging:*", "s3:LifecycleExpiration:Delete"],
     ("s3:ObjectRestore:Completed", "s3:ObjectTagging:*", "s3:LifecycleExpiration:Delete")),
])
def test_s3_events_are_stored_as_a_tuple(app: App, events: Any,
                                         expected: tuple[str, ...]) -> None:
    handler = app.on_s3_event(bucket="mybucket", events=events)(make_func("on_change"))
    assert isinstance(handler.spec, S3EventSpec)
    assert handler.spec.events == expected


def test_s3_events_list_is_copied(app: App) -> None:
    events = ["s3:ObjectCreated:*"]
    handler = app.on_s3_event(bucket="mybucket", events=events)(make_func("on_upload"))
    events.append("s3:ObjectRemoved:*")
    assert isinstance(handler.spec, S3EventSpec)
    assert handler.spec.events == ("s3:ObjectCreated:*",)


@pytest.mark.parametrize(("event", "hint"), [
    ("s3:ObjectCreated:put", "s3:ObjectCreated:Put"),
    ("s3:ObjectCreated", "s3:ObjectCreated:*"),
    ("s3:objectremoved:*", "s3:ObjectRemoved:*"),
    ("ObjectCreated:Put", "s3:ObjectCreated:Put"),
    ("s3:ObjectCreate:*", "s3:ObjectCreated:*"),
])
def test_invalid_s3_event_type_with_hint(app: App, event: str, hint: str) -> None:
    func = make_func("on_upload")
    with pytest.raises(RegistrationError) as info:
        app.on_s3_event(bucket="mybucket", events=["s3:ObjectRemoved:*", event])(func)
    assert_message(info.value, "on_s3_event", func, repr(event), "did you mean %r" % hint)
    assert app.registry.handlers == []


def test_invalid_s3_event_type_without_close_match(app: App) -> None:
    func = make_func("on_upload")
    with pytest.raises(RegistrationError) as info:
        app.on_s3_event(bucket="mybucket", events=["bogus"])(func)
    assert_message(info.value, "on_s3_event", func, "'bogus'")
    assert "did you mean" not in str(info.value)


@pytest.mark.parametrize("events", [[], (), 5, {"s3:ObjectCreated:*": True}, [None]])
def test_s3_events_must_be_a_non_empty_list_of_types(app: App, events: Any) -> None:
    func = make_func("on_upload")
    with pytest.raises(RegistrationError) as info:
        app.on_s3_event(bucket="mybucket", events=events)(func)
    assert_message(info.value, "on_s3_event", func)


def test_duplicate_s3_events(app: App) -> None:
    func = make_func("on_upload")
    with pytest.raises(RegistrationError) as info:
        app.on_s3_event(bucket="mybucket",
                        events=["s3:ObjectCreated:*", "s3:ObjectCreated:*"])(func)
    assert_message(info.value, "on_s3_event", func, "twice", "s3:ObjectCreated:*")


def test_s3_prefix_and_suffix_are_stored(app: App) -> None:
    handler = app.on_s3_event(bucket="mybucket", prefix="images/", suffix=".jpg")(
        make_func("on_image"))
    assert isinstance(handler.spec, S3EventSpec)
    assert (handler.spec.prefix, handler.spec.suffix) == ("images/", ".jpg")


@pytest.mark.parametrize("label", ["prefix", "suffix"])
@pytest.mark.parametrize("value", ["", 5, b"images/", "x" * 1025, ["images/"]])
def test_bad_s3_prefix_or_suffix(app: App, label: str, value: Any) -> None:
    func = make_func("on_upload")
    with pytest.raises(RegistrationError) as info:
        app.on_s3_event(bucket="mybucket", **{label: value})(func)
    assert_message(info.value, "on_s3_event", func, label)


# -- @app.on_sqs_message --------------------------------------------------------------------

@pytest.mark.parametrize("arguments", [{}, {"queue": "my-queue", "queue_arn": QUEUE_ARN}])
def test_sqs_needs_exactly_one_of_queue_and_queue_arn(app: App, arguments: Any) -> None:
    func = make_func("on_message")
    with pytest.raises(RegistrationError) as info:
        app.on_sqs_message(**arguments)(func)
    assert_message(info.value, "on_sqs_message", func, "queue=", "queue_arn=")
    assert app.registry.handlers == []


def test_sqs_defaults(app: App) -> None:
    handler = app.on_sqs_message(queue="my-queue")(make_func("on_message"))
    spec = handler.spec
    assert isinstance(spec, SQSEventSpec)
    assert (spec.queue, spec.queue_arn) == ("my-queue", None)
    assert spec.batch_size == 1
    assert spec.maximum_batching_window_in_seconds == 0
    assert spec.maximum_concurrency is None
    assert spec.per_record is False
    assert spec.report_batch_item_failures is True
    assert spec.kind == "sqs"


@pytest.mark.parametrize(("queue", "fifo"), [
    ("my-queue", False),
    ("my_queue_1", False),
    ("q" * 80, False),
    ("jobs.fifo", True),
    ("q" * 75 + ".fifo", True),
])
def test_valid_queue_names(app: App, queue: str, fifo: bool) -> None:
    handler = app.on_sqs_message(queue=queue)(make_func("on_message"))
    spec = handler.spec
    assert isinstance(spec, SQSEventSpec)
    assert spec.queue == queue
    assert spec.queue_name == queue
    assert spec.fifo is fifo


@pytest.mark.parametrize("queue", [
    "", "q" * 81, "my.queue", "my queue", ".fifo", "q" * 76 + ".fifo", "jobs.FIFO", 5, QUEUE_ARN,
])
def test_invalid_queue_names(app: App, queue: Any) -> None:
    func = make_func("on_message")
    with pytest.raises(RegistrationError) as info:
        app.on_sqs_message(queue=queue)(func)
    assert_message(info.value, "on_sqs_message", func, repr(queue), "queue_arn=")


@pytest.mark.parametrize(("arn", "name", "fifo"), [
    (QUEUE_ARN, "my-queue", False),
    (FIFO_QUEUE_ARN, "jobs.fifo", True),
    ("arn:aws-cn:sqs:cn-north-1:%s:orders" % ACCOUNT, "orders", False),
])
def test_valid_queue_arns(app: App, arn: str, name: str, fifo: bool) -> None:
    handler = app.on_sqs_message(queue_arn=arn)(make_func("on_message"))
    spec = handler.spec
    assert isinstance(spec, SQSEventSpec)
    assert (spec.queue, spec.queue_arn) == (None, arn)
    assert spec.queue_name == name
    assert spec.fifo is fifo


@pytest.mark.parametrize("arn", [
    "my-queue",
    "arn:aws:sns:us-east-1:%s:my-queue" % ACCOUNT,
    "arn:aws:sqs:us-east-1:%s" % ACCOUNT,
    "arn:aws:sqs:us-east-1:%s:my.queue" % ACCOUNT,
    "arn:aws:sqs:us-east-1:%s:my-queue:extra" % ACCOUNT,
    5,
])
def test_invalid_queue_arns(app: App, arn: Any) -> None:
    func = make_func("on_message")
    with pytest.raises(RegistrationError) as info:
        app.on_sqs_message(queue_arn=arn)(func)
    assert_message(info.value, "on_sqs_message", func, repr(arn))


@pytest.mark.parametrize(("queue", "batch_size", "window"), [
    ("my-queue", 1, 0),
    ("my-queue", 10, 0),
    ("my-queue", 11, 1),
    ("my-queue", 10000, 300),
    ("jobs.fifo", 1, 0),
    ("jobs.fifo", 10, 0),
])
def test_valid_batch_sizes(app: App, queue: str, batch_size: int, window: int) -> None:
    handler = app.on_sqs_message(queue=queue, batch_size=batch_size,
                                 maximum_batching_window_in_seconds=window)(make_func("batch"))
    spec = handler.spec
    assert isinstance(spec, SQSEventSpec)
    assert spec.batch_size == batch_size
    assert spec.maximum_batching_window_in_seconds == window


@pytest.mark.parametrize(("queue", "batch_size", "limit"), [
    ("my-queue", 0, "10000"),
    ("my-queue", -1, "10000"),
    ("my-queue", 10001, "10000"),
    ("my-queue", True, "10000"),
    ("my-queue", 1.0, "10000"),
    ("my-queue", "5", "10000"),
    ("jobs.fifo", 11, "FIFO"),
    ("jobs.fifo", 0, "FIFO"),
])
def test_invalid_batch_sizes(app: App, queue: str, batch_size: Any, limit: str) -> None:
    func = make_func("batch")
    with pytest.raises(RegistrationError) as info:
        app.on_sqs_message(queue=queue, batch_size=batch_size,
                           maximum_batching_window_in_seconds=0 if queue.endswith(".fifo")
                           else 1)(func)
    assert_message(info.value, "on_sqs_message", func, "batch_size", repr(batch_size), limit)


def test_fifo_batch_size_limit_applies_to_queue_arn(app: App) -> None:
    func = make_func("batch")
    with pytest.raises(RegistrationError) as info:
        app.on_sqs_message(queue_arn=FIFO_QUEUE_ARN, batch_size=11)(func)
    assert_message(info.value, "on_sqs_message", func, "FIFO", "11")


@pytest.mark.parametrize("batch_size", [11, 100, 10000])
def test_large_batch_needs_a_batching_window(app: App, batch_size: int) -> None:
    func = make_func("batch")
    with pytest.raises(RegistrationError) as info:
        app.on_sqs_message(queue="my-queue", batch_size=batch_size)(func)
    assert_message(info.value, "on_sqs_message", func, "maximum_batching_window_in_seconds")


@pytest.mark.parametrize("window", [-1, 301, 1.5, True, "10", None])
def test_invalid_batching_window(app: App, window: Any) -> None:
    func = make_func("batch")
    with pytest.raises(RegistrationError) as info:
        app.on_sqs_message(queue="my-queue", maximum_batching_window_in_seconds=window)(func)
    assert_message(info.value, "on_sqs_message", func, "maximum_batching_window_in_seconds",
                   repr(window))


@pytest.mark.parametrize("arguments", [
    {"queue": "jobs.fifo", "maximum_batching_window_in_seconds": 1},
    {"queue_arn": FIFO_QUEUE_ARN, "maximum_batching_window_in_seconds": 300},
])
def test_fifo_queues_take_no_batching_window(app: App, arguments: Any) -> None:
    func = make_func("batch")
    with pytest.raises(RegistrationError) as info:
        app.on_sqs_message(**arguments)(func)
    assert_message(info.value, "on_sqs_message", func, "FIFO",
                   "maximum_batching_window_in_seconds")


@pytest.mark.parametrize("concurrency", [None, 2, 50, 1000])
def test_valid_maximum_concurrency(app: App, concurrency: int | None) -> None:
    handler = app.on_sqs_message(queue="my-queue", maximum_concurrency=concurrency)(
        make_func("batch"))
    assert isinstance(handler.spec, SQSEventSpec)
    assert handler.spec.maximum_concurrency == concurrency


@pytest.mark.parametrize("concurrency", [0, 1, 1001, True, 2.5, "10"])
def test_invalid_maximum_concurrency(app: App, concurrency: Any) -> None:
    func = make_func("batch")
    with pytest.raises(RegistrationError) as info:
        app.on_sqs_message(queue="my-queue", maximum_concurrency=concurrency)(func)
    assert_message(info.value, "on_sqs_message", func, "maximum_concurrency", repr(concurrency))


@pytest.mark.parametrize("per_record", [True, False])
def test_per_record_is_stored_and_batch_failures_reported(app: App, per_record: bool) -> None:
    handler = app.on_sqs_message(queue="my-queue", per_record=per_record)(make_func("each"))
    spec = handler.spec
    assert isinstance(spec, SQSEventSpec)
    assert spec.per_record is per_record
    assert spec.report_batch_item_failures is True


@pytest.mark.parametrize("per_record", ["yes", 1, 0, None])
def test_per_record_must_be_a_bool(app: App, per_record: Any) -> None:
    func = make_func("each")
    with pytest.raises(RegistrationError) as info:
        app.on_sqs_message(queue="my-queue", per_record=per_record)(func)
    assert_message(info.value, "on_sqs_message", func, "per_record")


# -- @app.on_sns_message --------------------------------------------------------------------

@pytest.mark.parametrize(("topic", "topic_name"), [
    ("mytopic", "mytopic"),
    ("my-topic_1", "my-topic_1"),
    ("t" * 256, "t" * 256),
    ("orders.fifo", "orders.fifo"),
    (TOPIC_ARN, "mytopic"),
    ("arn:aws:sns:eu-west-1:%s:orders.fifo" % ACCOUNT, "orders.fifo"),
])
def test_valid_topics(app: App, topic: str, topic_name: str) -> None:
    handler = app.on_sns_message(topic=topic)(make_func("on_note"))
    spec = handler.spec
    assert isinstance(spec, SNSEventSpec)
    assert spec.topic == topic
    assert spec.topic_name == topic_name
    assert spec.kind == "sns"


@pytest.mark.parametrize("topic", [
    "", "t" * 257, "my.topic", "my topic", ".fifo", None, 5,
    "arn:aws:sqs:us-east-1:%s:mytopic" % ACCOUNT,
    "arn:aws:sns:us-east-1:mytopic",
    "arn:aws:sns:us-east-1:%s:bad.name" % ACCOUNT,
])
def test_invalid_topics(app: App, topic: Any) -> None:
    func = make_func("on_note")
    with pytest.raises(RegistrationError) as info:
        app.on_sns_message(topic=topic)(func)
    assert_message(info.value, "on_sns_message", func, repr(topic))
    assert app.registry.handlers == []


def test_fifo_topic_name_limit_includes_suffix(app: App) -> None:
    with pytest.raises(RegistrationError):
        app.on_sns_message(topic="t" * 252 + ".fifo")(make_func("on_note"))


# -- @app.on_cw_event -----------------------------------------------------------------------

@pytest.mark.parametrize("pattern", [
    {"source": ["aws.ec2"]},
    {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"],
     "detail": {"state": ["running", "stopped"]}},
    {"detail": {"size": [{"numeric": [">", 10]}]}},
    {"source": [{"prefix": "aws."}]},
])
def test_cw_pattern_is_stored(app: App, pattern: dict[str, Any]) -> None:
    handler = app.on_cw_event(pattern)(make_func("on_ec2"))
    spec = handler.spec
    assert isinstance(spec, CloudWatchEventSpec)
    assert spec.event_pattern == pattern
    assert spec.kind == "cloudwatch"


def test_cw_pattern_is_copied(app: App) -> None:
    pattern: dict[str, Any] = {"source": ["aws.ec2"]}
    handler = app.on_cw_event(pattern)(make_func("on_ec2"))
    pattern["source"].append("aws.s3")
    pattern["detail-type"] = ["x"]
    assert isinstance(handler.spec, CloudWatchEventSpec)
    assert handler.spec.event_pattern == {"source": ["aws.ec2"]}


@pytest.mark.parametrize("pattern", [
    {}, [], None, "aws.ec2", {"source": "aws.ec2"}, {"detail": {}}, {"source": []},
])
def test_bad_cw_pattern(app: App, pattern: Any) -> None:
    func = make_func("on_ec2")
    with pytest.raises(RegistrationError) as info:
        app.on_cw_event(pattern)(func)
    assert_message(info.value, "on_cw_event", func)
    assert app.registry.handlers == []


# -- @app.lambda_function -------------------------------------------------------------------

def test_lambda_function_bare(app: App) -> None:
    @app.lambda_function
    def plain(event: Any, context: Any) -> dict[str, Any]:
        return {"event": event, "context": context}

    assert isinstance(plain, EventHandler)
    assert isinstance(plain.spec, LambdaFunctionSpec)
    assert plain.name == "plain"
    assert plain.spec.kind == "pure_lambda"
    assert plain({"a": 1}, "ctx") == {"event": {"a": 1}, "context": "ctx"}
    assert app.registry.handlers == [plain.spec]


@pytest.mark.parametrize(("call", "expected"), [
    (lambda app: app.lambda_function(), "plain"),
    (lambda app: app.lambda_function(name="x"), "x"),
    (lambda app: app.lambda_function("custom"), "custom"),
    (lambda app: app.lambda_function(name="custom-fn", memory_size=512), "custom-fn"),
])
def test_lambda_function_with_parentheses(app: App, call: Callable[[App], Any],
                                          expected: str) -> None:
    def plain(event: Any, context: Any) -> str:
        return "hello %s" % event["who"]

    handler = call(app)(plain)
    assert isinstance(handler, EventHandler)
    assert handler.name == expected
    assert handler.func is plain
    assert handler({"who": "world"}, None) == "hello world"


def test_lambda_function_bare_on_a_lambda_needs_a_name(app: App) -> None:
    with pytest.raises(RegistrationError) as info:
        app.lambda_function(lambda event, context: None)
    assert "@lambda_function" in str(info.value)
    assert "name=" in str(info.value)
    handler = app.lambda_function(name="anon")(lambda event, context: event)
    assert handler.name == "anon"
    assert handler(7) == 7


# -- @app.task ------------------------------------------------------------------------------

def test_bare_task(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)

    @app.task
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    assert isinstance(add, Task)
    assert add(2, 3) == 5
    assert add.name == "add"
    assert add.__name__ == "add"
    assert add.__doc__ == "Add two numbers."
    assert add.func.__name__ == "add"
    assert callable(add.delay)
    assert app.registry.tasks == [add.spec]
    assert app.registry.handlers == []
    spec = add.spec
    assert isinstance(spec, TaskSpec)
    assert (spec.name, spec.queue, spec.retries, spec.timeout, spec.dead_letter) == (
        "add", "default", None, None, None)
    with pytest.raises(TaskDispatchError):  # outside Lambda with no dispatcher: never inline
        add.delay(1, 2)


def test_task_with_options(app: App) -> None:
    @app.task(queue="heavy", retries=1, timeout=60, dead_letter=DLQ_ARN)
    def crunch(n: int) -> int:
        return n * 2

    assert isinstance(crunch, Task)
    assert crunch(21) == 42
    spec = crunch.spec
    assert (spec.name, spec.queue, spec.retries, spec.timeout, spec.dead_letter) == (
        "crunch", "heavy", 1, 60, DLQ_ARN)


def test_task_with_empty_parentheses_and_name(app: App) -> None:
    plain = app.task()(make_func("plain"))
    named = app.task(name="renamed")(make_func("original"))
    assert [t.name for t in app.registry.tasks] == ["plain", "renamed"]
    assert plain() == "ran plain"
    assert named() == "ran original"


@pytest.mark.parametrize("queue", ["default", "heavy", "io-bound_2", "q" * 32])
def test_valid_task_queues(app: App, queue: str) -> None:
    task = app.task(queue=queue)(make_func("job"))
    assert task.spec.queue == queue


@pytest.mark.parametrize("queue", ["", "heavy queue", "a.b", "q" * 33, 5, None])
def test_invalid_task_queues(app: App, queue: Any) -> None:
    func = make_func("job")
    with pytest.raises(RegistrationError) as info:
        app.task(queue=queue)(func)
    assert_message(info.value, "task", func, "queue", repr(queue))
    assert app.registry.tasks == []


@pytest.mark.parametrize("retries", [None, 0, 1, 2])
def test_valid_task_retries(app: App, retries: int | None) -> None:
    assert app.task(retries=retries)(make_func("job")).spec.retries == retries


@pytest.mark.parametrize("retries", [-1, 3, True, "1", 1.0])
def test_invalid_task_retries(app: App, retries: Any) -> None:
    func = make_func("job")
    with pytest.raises(RegistrationError) as info:
        app.task(retries=retries)(func)
    assert_message(info.value, "task", func, "retries", repr(retries))


@pytest.mark.parametrize("timeout", [None, 1, 900])
def test_valid_task_timeouts(app: App, timeout: int | None) -> None:
    assert app.task(timeout=timeout)(make_func("job")).spec.timeout == timeout


@pytest.mark.parametrize("timeout", [0, 901, 1.5, "60", True])
def test_invalid_task_timeouts(app: App, timeout: Any) -> None:
    func = make_func("job")
    with pytest.raises(RegistrationError) as info:
        app.task(timeout=timeout)(func)
    assert_message(info.value, "task", func, "timeout", repr(timeout))


@pytest.mark.parametrize("dead_letter", [
    DLQ_ARN, "arn:aws:sns:us-east-1:%s:failed-tasks" % ACCOUNT,
])
def test_valid_dead_letters(app: App, dead_letter: str) -> None:
    assert app.task(dead_letter=dead_letter)(make_func("job")).spec.dead_letter == dead_letter


@pytest.mark.parametrize("dead_letter", [
    "dlq",
    "arn:aws:lambda:us-east-1:%s:function:on-failure" % ACCOUNT,
    "arn:aws:lambda:us-east-1:%s:on-failure" % ACCOUNT,
    "arn:aws:s3:::failed-tasks",
    "arn:aws:sqs:us-east-1:%s" % ACCOUNT,
    "arn:aws:events:us-east-1:%s:event-bus/default" % ACCOUNT,
    5,
])
def test_invalid_dead_letters(app: App, dead_letter: Any) -> None:
    func = make_func("job")
    with pytest.raises(RegistrationError) as info:
        app.task(dead_letter=dead_letter)(func)
    assert_message(info.value, "task", func, "dead_letter", repr(dead_letter))


def test_dead_letter_arn_needs_a_resource_name(app: App) -> None:
    with pytest.raises(RegistrationError):
        app.task(dead_letter="arn:aws:sqs:us-east-1:%s:" % ACCOUNT)(make_func("job"))


# -- per-handler options --------------------------------------------------------------------

@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_options_default_to_none(app: App, kind: str) -> None:
    handler = decorate(app, kind, make_func())
    assert handler.spec.options == FunctionOptions()
    options = handler.spec.options
    assert (options.memory_size, options.timeout, options.environment) == (None, None, ())
    assert options.environment_dict() == {}


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_options_are_stored(app: App, kind: str) -> None:
    handler = decorate(app, kind, make_func(), memory_size=1024, timeout=300,
                       environment={"TABLE": "pets", "STAGE": "dev"})
    options = handler.spec.options
    assert isinstance(options, FunctionOptions)
    assert options.memory_size == 1024
    assert options.timeout == 300
    assert options.environment == (("STAGE", "dev"), ("TABLE", "pets"))
    assert options.environment_dict() == {"STAGE": "dev", "TABLE": "pets"}


def test_environment_dict_is_a_copy(app: App) -> None:
    handler = app.on_sns_message(topic="mytopic", environment={"A1": "x"})(make_func())
    env = handler.spec.options.environment_dict()
    env["B"] = "y"
    assert handler.spec.options.environment_dict() == {"A1": "x"}


@pytest.mark.parametrize(("memory_size", "timeout"), [(128, 1), (10240, 900), (3008, 60)])
def test_option_limits_accepted(app: App, memory_size: int, timeout: int) -> None:
    handler = app.on_sns_message(topic="mytopic", memory_size=memory_size,
                                 timeout=timeout)(make_func())
    assert (handler.spec.options.memory_size, handler.spec.options.timeout) == (
        memory_size, timeout)


@pytest.mark.parametrize("kind", EVENT_KINDS)
@pytest.mark.parametrize("memory_size", [127, 10241, 256.0, True, "256"])
def test_invalid_memory_size(app: App, kind: str, memory_size: Any) -> None:
    func = make_func("hungry")
    with pytest.raises(RegistrationError) as info:
        decorate(app, kind, func, memory_size=memory_size)
    assert_message(info.value, kind, func, "memory_size", repr(memory_size))
    assert app.registry.handlers == []


@pytest.mark.parametrize("kind", EVENT_KINDS)
@pytest.mark.parametrize("timeout", [0, 901, 1.5, "60", False])
def test_invalid_timeout(app: App, kind: str, timeout: Any) -> None:
    func = make_func("slow")
    with pytest.raises(RegistrationError) as info:
        decorate(app, kind, func, timeout=timeout)
    assert_message(info.value, kind, func, "timeout", repr(timeout))


@pytest.mark.parametrize("name", ["1ABC", "A-B", "", "MY VAR", "ÄPFEL", 5, None])
def test_invalid_environment_names(app: App, name: Any) -> None:
    func = make_func("configured")
    with pytest.raises(RegistrationError) as info:
        app.on_sns_message(topic="mytopic", environment={name: "x"})(func)
    assert_message(info.value, "on_sns_message", func, repr(name))


@pytest.mark.parametrize("name", [
    "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_LAMBDA_FUNCTION_NAME", "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "LAMBDA_TASK_ROOT", "MYFRAMEWORK_HANDLER",
    "MYFRAMEWORK_TASK_FUNCTIONS", "MYFRAMEWORK_ANYTHING",
])
def test_reserved_environment_names(app: App, name: str) -> None:
    func = make_func("configured")
    with pytest.raises(RegistrationError) as info:
        app.on_s3_event(bucket="mybucket", environment={"OK": "1", name: "x"})(func)
    assert_message(info.value, "on_s3_event", func, name, "reserved")


@pytest.mark.parametrize("value", [1, None, True, b"x", ["a"], 1.5])
def test_environment_values_must_be_strings(app: App, value: Any) -> None:
    func = make_func("configured")
    with pytest.raises(RegistrationError) as info:
        app.schedule("rate(1 hour)", environment={"LEVEL": value})(func)
    assert_message(info.value, "schedule", func, "LEVEL", repr(value))


@pytest.mark.parametrize("environment", [["A=1"], "A=1", (("A", "1"),)])
def test_environment_must_be_a_dict(app: App, environment: Any) -> None:
    func = make_func("configured")
    with pytest.raises(RegistrationError) as info:
        app.lambda_function(name="configured", environment=environment)(func)
    assert_message(info.value, "lambda_function", func, "environment")


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_unknown_option_memory_hints_memory_size(app: App, kind: str) -> None:
    func = make_func("typo")
    with pytest.raises(RegistrationError) as info:
        decorate(app, kind, func, memory=256)
    assert_message(info.value, kind, func, "'memory'", "did you mean 'memory_size'?")
    assert app.registry.handlers == []


@pytest.mark.parametrize(("option", "hint"), [
    ("timout", "timeout"), ("environ", "environment"), ("mem_size", "memory_size"),
    ("memorysize", "memory_size"),
])
def test_unknown_option_hints(app: App, option: str, hint: str) -> None:
    func = make_func("typo")
    options: dict[str, Any] = {option: 1}
    with pytest.raises(RegistrationError) as info:
        app.on_sqs_message(queue="my-queue", **options)(func)
    assert_message(info.value, "on_sqs_message", func, repr(option), "did you mean %r" % hint)


def test_unknown_option_without_close_match(app: App) -> None:
    func = make_func("typo")
    with pytest.raises(RegistrationError) as info:
        app.on_cw_event({"source": ["aws.ec2"]}, vpc_config={})(func)
    assert_message(info.value, "on_cw_event", func, "'vpc_config'")
    assert "did you mean" not in str(info.value)


# -- names ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ALL_KINDS)
def test_default_name_is_the_function_name(app: App, kind: str) -> None:
    registered = decorate(app, kind, make_func("resize_images"))
    assert registered.name == "resize_images"
    assert registered.spec.name == "resize_images"


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_explicit_name(app: App, kind: str) -> None:
    registered = decorate(app, kind, make_func("resize_images"), name="Resize-2")
    assert registered.name == "Resize-2"
    specs = app.registry.tasks if kind == "task" else app.registry.handlers
    assert [s.name for s in specs] == ["Resize-2"]


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize("name", ["my handler", "my.handler", "h/1", "héllo", "a:b", "a" * 65])
def test_invalid_names(app: App, kind: str, name: str) -> None:
    func = make_func("good_function")
    with pytest.raises(RegistrationError) as info:
        decorate(app, kind, func, name=name)
    assert_message(info.value, kind, func, repr(name))
    assert app.registry.handlers == []
    assert app.registry.tasks == []


@pytest.mark.parametrize("name", ["", 5])
def test_name_must_be_a_non_empty_string(app: App, name: Any) -> None:
    func = make_func("good_function")
    with pytest.raises(RegistrationError) as info:
        app.on_sns_message(topic="mytopic", name=name)(func)
    assert_message(info.value, "on_sns_message", func, "name", repr(name))


def test_name_of_64_characters_is_accepted(app: App) -> None:
    assert app.on_sns_message(topic="mytopic", name="n" * 64)(make_func()).name == "n" * 64


def test_long_function_name_needs_an_explicit_name(app: App) -> None:
    func = make_func("f" * 65)
    with pytest.raises(RegistrationError) as info:
        app.on_sns_message(topic="mytopic")(func)
    assert "too long" in str(info.value)
    assert app.on_sns_message(topic="mytopic", name="short")(func).name == "short"


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_lambda_without_name_is_an_error(app: App, kind: str) -> None:
    with pytest.raises(RegistrationError) as info:
        decorate(app, kind, lambda *args: None)
    assert "@%s" % kind in str(info.value)
    assert "name=" in str(info.value)
    assert decorate(app, kind, lambda *args: None, name="anonymous").name == "anonymous"


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_decorating_a_non_callable_is_an_error(app: App, kind: str) -> None:
    with pytest.raises(RegistrationError) as info:
        ALL_DECORATORS[kind](app, name="x")("not a function")
    assert "@%s" % kind in str(info.value)
    assert "'not a function'" in str(info.value)


@pytest.mark.parametrize(("first", "second"), [
    ("schedule", "on_sns_message"),
    ("on_s3_event", "task"),
    ("task", "on_sqs_message"),
    ("task", "task"),
    ("on_cw_event", "lambda_function"),
    ("on_sqs_message", "on_sqs_message"),
])
def test_duplicate_names_across_handlers_and_tasks(app: App, first: str, second: str) -> None:
    one = make_func("first_function")
    two = make_func("second_function")
    decorate(app, first, one, name="shared")
    before = (list(app.registry.handlers), list(app.registry.tasks))
    with pytest.raises(RegistrationError) as info:
        decorate(app, second, two, name="shared")
    message = str(info.value)
    assert "first_function" in message, message
    assert "second_function" in message, message
    assert "'shared'" in message, message
    assert (app.registry.handlers, app.registry.tasks) == before


def test_same_function_name_twice_is_a_duplicate(app: App) -> None:
    def process(event: Any) -> None:
        return None

    app.on_sns_message(topic="a-topic")(process)
    with pytest.raises(RegistrationError, match="already used"):
        app.on_sns_message(topic="b-topic")(process)
    app.on_sns_message(topic="b-topic", name="process_b")(process)
    assert [s.name for s in app.registry.handlers] == ["process", "process_b"]


# -- blueprints -----------------------------------------------------------------------------

def build_blueprint() -> tuple[Blueprint, dict[str, Any]]:
    bp = Blueprint(__name__)
    registered = {kind: decorate(bp, kind, make_func("bp_" + kind)) for kind in ALL_KINDS}
    return bp, registered


def test_blueprint_name_prefix_applies_to_every_spec(app: App) -> None:
    bp, registered = build_blueprint()
    app.register_blueprint(bp, name_prefix="v1_")
    assert [s.name for s in app.registry.handlers] == ["v1_bp_" + k for k in EVENT_KINDS]
    assert [s.name for s in app.registry.tasks] == ["v1_bp_task"]
    for kind, obj in registered.items():
        assert obj.name == "v1_bp_" + kind
        assert obj.func.__name__ == "bp_" + kind
    s3 = registered["on_s3_event"].spec
    assert isinstance(s3, S3EventSpec)
    assert (s3.bucket, s3.events) == ("mybucket", ("s3:ObjectCreated:*",))
    assert app.registry.handlers[1] is s3


def test_blueprint_without_prefix_keeps_names(app: App) -> None:
    bp, _ = build_blueprint()
    app.register_blueprint(bp)
    assert [s.name for s in app.registry.handlers] == ["bp_" + k for k in EVENT_KINDS]
    assert [s.name for s in app.registry.tasks] == ["bp_task"]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_blueprint_prefix_can_collide_with_app_names(app: App, kind: str) -> None:
    decorate(app, kind, make_func("app_function"), name="v1_bp_" + kind)
    bp, _ = build_blueprint()
    with pytest.raises(RegistrationError) as info:
        app.register_blueprint(bp, name_prefix="v1_")
    assert "app_function" in str(info.value)
    assert "bp_" + kind in str(info.value)


def test_same_blueprint_names_under_two_prefixes(app: App) -> None:
    v1, _ = build_blueprint()
    v2, _ = build_blueprint()
    app.register_blueprint(v1, name_prefix="v1_")
    app.register_blueprint(v2, name_prefix="v2_")
    names = [s.name for s in app.registry.handlers]
    assert len(names) == len(set(names)) == 2 * len(EVENT_KINDS)


def test_prefixed_name_over_64_characters(app: App) -> None:
    bp = Blueprint(__name__)
    bp.on_sns_message(topic="mytopic", name="n" * 64)(make_func())
    with pytest.raises(RegistrationError):
        app.register_blueprint(bp, name_prefix="v1_")


def test_prefixed_name_with_invalid_characters(app: App) -> None:
    bp = Blueprint(__name__)
    bp.on_sns_message(topic="mytopic", name="notes")(make_func())
    with pytest.raises(RegistrationError):
        app.register_blueprint(bp, name_prefix="v1.")


def test_blueprint_handler_before_registration_raises(app: App) -> None:
    bp = Blueprint(__name__)
    handler = bp.schedule("rate(1 hour)")(make_func("hourly"))
    with pytest.raises(RuntimeError, match="hourly"):
        handler(scheduled_event(), None)
    app.register_blueprint(bp, name_prefix="v1_")
    assert handler(scheduled_event(), None) == "ran hourly"


def test_blueprint_lambda_function_before_registration_raises(app: App) -> None:
    bp = Blueprint(__name__)
    handler = bp.lambda_function(name="plain")(make_func("plain"))
    with pytest.raises(RuntimeError, match="not registered"):
        handler({}, None)
    app.register_blueprint(bp)
    assert handler({}, None) == "ran plain"


def test_blueprint_task_delay_before_registration(app: App) -> None:
    bp = Blueprint(__name__)
    task = bp.task(make_func("job"))
    assert task() == "ran job"  # calling runs inline, registered or not
    with pytest.raises(TaskDispatchError, match="job"):
        task.delay()
    assert app.registry.tasks == []


def test_blueprint_registers_nothing_until_registered(app: App) -> None:
    _bp, _ = build_blueprint()
    assert app.registry.handlers == []
    assert app.registry.tasks == []


# -- what the decorators return -------------------------------------------------------------

@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_event_decorators_return_an_event_handler(app: App, kind: str) -> None:
    def original(*args: Any) -> None:
        """Docs of the original."""
        return None

    handler = decorate(app, kind, original)
    assert isinstance(handler, EventHandler)
    assert isinstance(handler.spec, SPEC_CLASSES[kind])
    assert handler.func is original
    assert handler.__wrapped__ is original
    assert handler.name == "original"
    assert handler.__name__ == "original"
    assert handler.__doc__ == "Docs of the original."
    assert handler.spec.func is original
    assert app.registry.handlers == [handler.spec]


def test_schedule_handler_runs_as_a_lambda_handler(app: App) -> None:
    seen: list[Any] = []

    @app.schedule(Rate(1, unit=Rate.HOURS))
    def hourly(event: Any) -> str:
        seen.append(event)
        return "done"

    assert hourly(scheduled_event(), None) == "done"
    assert seen[0].detail_type == "Scheduled Event"
    assert seen[0].resources == scheduled_event()["resources"]


def test_sns_handler_runs_as_a_lambda_handler(app: App) -> None:
    @app.on_sns_message(topic="mytopic")
    def on_note(event: Any) -> tuple[str, str]:
        return event.subject, event.message

    assert on_note(sns_event(), None) == ("TestInvoke", "Hello from SNS!")


def test_handler_refuses_another_kind_of_event(app: App) -> None:
    @app.on_sns_message(topic="mytopic")
    def on_note(event: Any) -> None:
        return None

    with pytest.raises(UnknownEventError, match="on_note"):
        on_note(scheduled_event(), None)


def test_task_returns_task_and_runs_inline(app: App) -> None:
    calls: list[tuple[Any, ...]] = []

    @app.task(queue="heavy")
    def record(*args: Any, **kwargs: Any) -> dict[str, Any]:
        calls.append(args)
        return {"args": list(args), "kwargs": kwargs}

    assert isinstance(record, Task)
    assert record(1, 2, x=3) == {"args": [1, 2], "kwargs": {"x": 3}}
    assert calls == [(1, 2)]
    assert record.func.__name__ == "record"
    assert hasattr(record, "delay")


# -- the registry ---------------------------------------------------------------------------

def register_one_of_each(app: App) -> None:
    app.schedule(Rate(5, unit=Rate.MINUTES))(make_func("a_schedule"))
    app.task(make_func("a_task"))
    app.on_sqs_message(queue="jobs")(make_func("an_sqs"))
    app.on_s3_event(bucket="mybucket")(make_func("an_s3"))
    app.task(queue="heavy")(make_func("b_task"))
    app.lambda_function(make_func("a_lambda"))
    app.on_cw_event({"source": ["aws.ec2"]})(make_func("a_cw"))
    app.on_sns_message(topic="mytopic")(make_func("an_sns"))


def test_registry_is_in_registration_order(app: App) -> None:
    register_one_of_each(app)
    assert [(type(s).__name__, s.name) for s in app.registry.handlers] == [
        ("ScheduleSpec", "a_schedule"), ("SQSEventSpec", "an_sqs"), ("S3EventSpec", "an_s3"),
        ("LambdaFunctionSpec", "a_lambda"), ("CloudWatchEventSpec", "a_cw"),
        ("SNSEventSpec", "an_sns"),
    ]
    assert [(s.name, s.queue) for s in app.registry.tasks] == [
        ("a_task", "default"), ("b_task", "heavy")]
    assert app.registry.routes == []


def all_specs() -> list[Any]:
    app = App("specs")
    register_one_of_each(app)
    app.on_sns_message(topic="with-env", environment={"A1": "x"}, memory_size=256)(
        make_func("with_options"))
    return [*app.registry.handlers, *app.registry.tasks]


@pytest.mark.parametrize("spec", all_specs(), ids=lambda spec: spec.name)
@pytest.mark.parametrize("attribute", ["name", "func", "brand_new"])
def test_specs_are_immutable(spec: Any, attribute: str) -> None:
    with pytest.raises(AttributeError):
        setattr(spec, attribute, "changed")
    if attribute != "brand_new":
        with pytest.raises(AttributeError):
            delattr(spec, attribute)
        assert getattr(spec, attribute) != "changed"


def test_function_options_are_immutable(app: App) -> None:
    handler = app.on_sns_message(topic="mytopic", memory_size=256)(make_func())
    with pytest.raises(AttributeError):
        handler.spec.options.memory_size = 512
    assert handler.spec.options.memory_size == 256


@pytest.mark.parametrize("spec", all_specs(), ids=lambda spec: spec.name)
def test_specs_are_hashable(spec: Any) -> None:
    assert isinstance(hash(spec), int)
    assert spec in {spec}
    assert hash(spec._replace()) == hash(spec)
    assert spec._replace() == spec


def test_specs_work_as_set_members() -> None:
    first, second = all_specs(), all_specs()
    # The functions differ between the two apps, so no spec equals another.
    assert len(set(first) | set(second)) == len(first) + len(second)
    assert len(set(first) | set(first)) == len(first)


# -- Chalice-compatible apps ----------------------------------------------------------------

def test_chalice_documented_app_registers_cleanly() -> None:
    """An app written exactly as in the Chalice docs (events and pure Lambda functions)."""
    app = Chalice(app_name="chalice-style")

    @app.schedule(Rate(1, unit=Rate.HOURS))
    def every_hour(event: Any) -> None:
        print(event.to_dict())

    @app.schedule(Cron(0, 10, "*", "*", "?", "*"))
    def every_day_at_ten(event: Any) -> None:
        return None

    @app.schedule("cron(15 10 ? * 6L 2002-2005)")
    def last_friday(event: Any) -> None:
        return None

    @app.schedule("rate(5 minutes)", description="every five minutes")
    def every_five(event: Any) -> None:
        return None

    @app.on_s3_event(bucket="mybucket", events=["s3:ObjectCreated:*"])
    def handler(event: Any) -> None:
        print("Object uploaded for bucket: %s, key: %s" % (event.bucket, event.key))

    @app.on_s3_event(bucket="mybucket", events=["s3:ObjectCreated:*"], prefix="images/",
                     suffix=".jpg")
    def resize_image(event: Any) -> None:
        return None

    @app.on_sqs_message(queue="my-queue", batch_size=1)
    def handle_sqs_message(event: Any) -> None:
        for record in event:
            print("Message body: %s" % record.body)

    @app.on_sns_message(topic="mytopic")
    def handle_sns_message(event: Any) -> None:
        print("Message received with subject: %s, message: %s" % (event.subject, event.message))

    @app.on_cw_event({"source": ["aws.ec2"]})
    def on_ec2_event(event: Any) -> None:
        print(event.to_dict())

    @app.lambda_function(name="custom")
    def custom_lambda_function(event: Any, context: Any) -> dict[str, str]:
        return {"hello": "world"}

    @app.lambda_function()
    def foo(event: Any, context: Any) -> dict[str, str]:
        return {"foo": "bar"}

    handlers = app.registry.handlers
    assert [(s.kind, s.name) for s in handlers] == [
        ("schedule", "every_hour"), ("schedule", "every_day_at_ten"),
        ("schedule", "last_friday"), ("schedule", "every_five"), ("s3", "handler"),
        ("s3", "resize_image"), ("sqs", "handle_sqs_message"), ("sns", "handle_sns_message"),
        ("cloudwatch", "on_ec2_event"), ("pure_lambda", "custom"), ("pure_lambda", "foo"),
    ]
    schedules = [s for s in handlers if isinstance(s, ScheduleSpec)]
    assert [s.expression for s in schedules] == [
        "rate(1 hour)", "cron(0 10 * * ? *)", "cron(15 10 ? * 6L 2002-2005)", "rate(5 minutes)"]
    sqs = handlers[6]
    assert isinstance(sqs, SQSEventSpec)
    assert (sqs.queue, sqs.batch_size) == ("my-queue", 1)
    assert custom_lambda_function({}, None) == {"hello": "world"}
    assert foo({}, None) == {"foo": "bar"}
    assert app.registry.tasks == []
