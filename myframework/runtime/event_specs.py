"""Frozen records of the non-HTTP registrations: event handlers and tasks.

``app.registry.handlers`` holds one :class:`HandlerSpec` subclass per
``schedule`` / ``on_s3_event`` / ``on_sqs_message`` / ``on_sns_message`` /
``on_cw_event`` / ``lambda_function`` registration, ``app.registry.tasks``
one :class:`TaskSpec` per ``@app.task``. The deployer, dev server and policy
generator read these; the values are already validated.
"""
from .specs import Frozen

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class FunctionOptions(Frozen):
    """Per-function Lambda settings given in code (``None``: from config or the default).

    ``environment`` is a sorted tuple of ``(name, value)`` pairs; see
    :meth:`environment_dict`.
    """

    __slots__ = ("environment", "memory_size", "timeout")

    memory_size: "int | None"
    timeout: "int | None"
    environment: "tuple[tuple[str, str], ...]"

    def __init__(self, memory_size: "int | None" = None, timeout: "int | None" = None,
                 environment: "tuple[tuple[str, str], ...]" = ()) -> None:
        self._set(memory_size=memory_size, timeout=timeout, environment=environment)

    def environment_dict(self) -> "dict[str, str]":
        return dict(self.environment)


NO_OPTIONS = FunctionOptions()


class HandlerSpec(Frozen):
    """Base of the event-handler registrations. ``kind`` names the event
    source; ``middleware_type`` the ``@app.middleware`` event type that wraps it."""

    __slots__ = ()
    kind = ""
    middleware_type = ""
    name: str
    func: "Callable[..., Any]"
    options: FunctionOptions


class ScheduleSpec(HandlerSpec):
    """``@app.schedule``: ``expression`` is the validated AWS string (``rate(5 minutes)``)."""

    __slots__ = ("description", "expression", "func", "name", "options")
    kind = "schedule"
    middleware_type = "scheduled"
    expression: str
    description: str

    def __init__(self, name: str, func: "Callable[..., Any]", options: FunctionOptions,
                 expression: str, description: str) -> None:
        self._set(name=name, func=func, options=options, expression=expression,
                  description=description)


class S3EventSpec(HandlerSpec):
    """``@app.on_s3_event``: ``events`` as configured (``s3:ObjectCreated:*``)."""

    __slots__ = ("bucket", "events", "func", "name", "options", "prefix", "suffix")
    kind = "s3"
    middleware_type = "s3"
    bucket: str
    events: "tuple[str, ...]"
    prefix: "str | None"
    suffix: "str | None"

    def __init__(self, name: str, func: "Callable[..., Any]", options: FunctionOptions,
                 bucket: str, events: "tuple[str, ...]", prefix: "str | None",
                 suffix: "str | None") -> None:
        self._set(name=name, func=func, options=options, bucket=bucket, events=events,
                  prefix=prefix, suffix=suffix)


class SQSEventSpec(HandlerSpec):
    """``@app.on_sqs_message``. Exactly one of ``queue`` (a name) and
    ``queue_arn`` is set. Handlers always answer with ``batchItemFailures``,
    so ``report_batch_item_failures`` is True: the deployer enables
    ``ReportBatchItemFailures`` on the mapping."""

    __slots__ = ("batch_size", "func", "maximum_batching_window_in_seconds",
                 "maximum_concurrency", "name", "options", "per_record", "queue", "queue_arn",
                 "report_batch_item_failures")
    kind = "sqs"
    middleware_type = "sqs"
    queue: "str | None"
    queue_arn: "str | None"
    batch_size: int
    maximum_batching_window_in_seconds: int
    maximum_concurrency: "int | None"
    per_record: bool
    report_batch_item_failures: bool

    def __init__(self, name: str, func: "Callable[..., Any]", options: FunctionOptions,
                 queue: "str | None", queue_arn: "str | None", batch_size: int,
                 maximum_batching_window_in_seconds: int, maximum_concurrency: "int | None",
                 per_record: bool) -> None:
        self._set(name=name, func=func, options=options, queue=queue, queue_arn=queue_arn,
                  batch_size=batch_size,
                  maximum_batching_window_in_seconds=maximum_batching_window_in_seconds,
                  maximum_concurrency=maximum_concurrency, per_record=per_record,
                  report_batch_item_failures=True)

    @property
    def queue_name(self) -> str:
        """The queue's name, from ``queue`` or the last part of ``queue_arn``."""
        return self.queue or (self.queue_arn or "").rpartition(":")[2]

    @property
    def fifo(self) -> bool:
        return self.queue_name.endswith(".fifo")


class SNSEventSpec(HandlerSpec):
    """``@app.on_sns_message``: ``topic`` is a topic name or ARN."""

    __slots__ = ("func", "name", "options", "topic")
    kind = "sns"
    middleware_type = "sns"
    topic: str

    def __init__(self, name: str, func: "Callable[..., Any]", options: FunctionOptions,
                 topic: str) -> None:
        self._set(name=name, func=func, options=options, topic=topic)

    @property
    def topic_name(self) -> str:
        return self.topic.rpartition(":")[2] if self.topic.startswith("arn:") else self.topic


class CloudWatchEventSpec(HandlerSpec):
    """``@app.on_cw_event``: ``event_pattern`` is the validated pattern (a
    dict; do not modify it)."""

    __slots__ = ("event_pattern", "func", "name", "options")
    kind = "cloudwatch"
    middleware_type = "cloudwatch"
    event_pattern: "dict[str, Any]"

    def __init__(self, name: str, func: "Callable[..., Any]", options: FunctionOptions,
                 event_pattern: "dict[str, Any]") -> None:
        self._set(name=name, func=func, options=options, event_pattern=event_pattern)

    def __hash__(self) -> int:  # the pattern is a dict
        return hash((type(self).__name__, self.name, self.func))


class LambdaFunctionSpec(HandlerSpec):
    """``@app.lambda_function``: a plain ``(event, context)`` function."""

    __slots__ = ("func", "name", "options")
    kind = "pure_lambda"
    middleware_type = "pure_lambda"

    def __init__(self, name: str, func: "Callable[..., Any]", options: FunctionOptions) -> None:
        self._set(name=name, func=func, options=options)


class TaskSpec(Frozen):
    """``@app.task``: run asynchronously by ``.delay()``.

    ``queue`` names the task function it runs in (``"default"``);
    ``retries`` (0-2) and ``dead_letter`` (an SQS queue or SNS topic ARN, or
    ``None``) configure Lambda's asynchronous retries; ``timeout`` (seconds)
    is the least timeout its function needs.
    """

    __slots__ = ("dead_letter", "func", "name", "queue", "retries", "timeout")

    name: str
    func: "Callable[..., Any]"
    queue: str
    retries: "int | None"
    timeout: "int | None"
    dead_letter: "str | None"

    def __init__(self, name: str, func: "Callable[..., Any]", queue: str, retries: "int | None",
                 timeout: "int | None", dead_letter: "str | None") -> None:
        self._set(name=name, func=func, queue=queue, retries=retries, timeout=timeout,
                  dead_letter=dead_letter)


__all__ = [
    "NO_OPTIONS",
    "CloudWatchEventSpec",
    "FunctionOptions",
    "HandlerSpec",
    "LambdaFunctionSpec",
    "S3EventSpec",
    "SNSEventSpec",
    "SQSEventSpec",
    "ScheduleSpec",
    "TaskSpec",
]
