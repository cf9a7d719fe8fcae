"""Running event handlers: event-kind detection, explicit and combined dispatch, SQS batches.

A deployed function serves one registered handler, named by the
``MYFRAMEWORK_HANDLER`` environment variable (or by using the handler object
itself, ``app.on_upload``, as the Lambda handler). Without it, ``app(event,
context)`` is a combined entry point that routes each event by what the
decorators registered: S3 bucket and filters, SQS queue, SNS topic,
EventBridge pattern, or a myframework envelope naming the handler or task.
Nothing here imports or evaluates a name taken from an event: envelopes can
only name handlers and tasks the app registered.
"""
from .errors import UnknownEventError
from .event_errors import BatchFailedError, EventParseError
from .events import (
    ENVELOPE_KEY,
    CloudWatchEvent,
    LambdaFunctionEvent,
    S3Event,
    ScheduledEvent,
    SNSEvent,
    SQSEvent,
    SQSRecord,
)
from .http_events import http_kind

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from .app import App
    from .event_specs import HandlerSpec, S3EventSpec, SQSEventSpec

HANDLER_ENV = "MYFRAMEWORK_HANDLER"
TASKS_PREFIX = "tasks:"

_EVENT_CLASSES: "dict[str, type[Any]]" = {
    "schedule": ScheduledEvent, "cloudwatch": CloudWatchEvent, "s3": S3Event, "sns": SNSEvent,
    "sqs": SQSEvent,
}
# The event kinds (see event_kind) each handler kind accepts.
_ACCEPTS = {
    "schedule": ("scheduled", "cloudwatch"), "cloudwatch": ("scheduled", "cloudwatch"),
    "s3": ("s3",), "sqs": ("sqs",), "sns": ("sns",),
}
_DECORATORS = {
    "schedule": "@app.schedule", "cloudwatch": "@app.on_cw_event", "s3": "@app.on_s3_event",
    "sqs": "@app.on_sqs_message", "sns": "@app.on_sns_message",
    "pure_lambda": "@app.lambda_function",
}
_KIND_NAMES = {
    "s3": "an S3 notification", "sqs": "an SQS batch", "sns": "an SNS notification",
    "scheduled": "an EventBridge scheduled event", "cloudwatch": "an EventBridge event",
    "task": "a myframework task envelope", "routed": "a myframework event envelope",
}


class BatchItemFailures(Exception):
    """Report that some messages of an SQS batch failed, so only they are retried.

    Return it from (or raise it in) an ``on_sqs_message`` handler::

        @app.on_sqs_message(queue="jobs", batch_size=10)
        def on_jobs(event):
            failed = [r for r in event if not process(r)]
            return BatchItemFailures(failed)

    Items are :class:`SQSRecord` objects or message ids.
    """

    def __init__(self, failed: "Iterable[SQSRecord | str]") -> None:
        ids: list[str] = []
        for item in failed:
            if isinstance(item, SQSRecord):
                ids.append(item.message_id)
            elif isinstance(item, str) and item:
                ids.append(item)
            else:
                raise TypeError("BatchItemFailures takes SQSRecord objects or message ids, "
                                "got %r" % (item,))
        self.message_ids = ids
        super().__init__("%d message(s) failed: %s" % (len(ids), ", ".join(ids[:10])))


def event_kind(event: "Any", http: bool = True) -> str:
    """A short name for what sent ``event``: ``rest``, ``http-api``,
    ``function-url``, ``alb``, ``s3``, ``sqs``, ``sns``, ``scheduled``,
    ``cloudwatch``, ``task``, ``routed``, ``records:<eventSource>`` or ``unknown``.
    ``http=False`` skips the HTTP kinds (the caller already ruled them out)."""
    if type(event) is not dict:
        return "unknown"
    if http:
        http_event = http_kind(event)
        if http_event is not None:
            return http_event.name
    marker = event.get(ENVELOPE_KEY)
    if marker == "task":
        return "task"
    if marker == "event":
        return "routed"
    records = event.get("Records")
    if isinstance(records, list) and records and isinstance(records[0], dict):
        first = records[0]
        source = first.get("eventSource") or first.get("EventSource")
        if source == "aws:s3":
            return "s3"
        if source == "aws:sqs":
            return "sqs"
        if source == "aws:sns":
            return "sns"
        if isinstance(source, str):
            return "records:" + source
    if isinstance(event.get("detail-type"), str) and isinstance(event.get("source"), str):
        if event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events":
            return "scheduled"
        return "cloudwatch"
    return "unknown"


def describe(event: "Any", kind: str) -> str:
    """How an error message names the event that was seen."""
    if kind in _KIND_NAMES:
        return _KIND_NAMES[kind]
    if kind.startswith("records:"):
        return "a batch of %s records" % kind[8:]
    if kind != "unknown":
        return "an HTTP request (%s)" % kind
    if isinstance(event, dict):
        keys = sorted(map(str, event))[:12]
        return ("an object with keys %s" % ", ".join(repr(k) for k in keys) if keys
                else "an empty object")
    return "a %s" % type(event).__name__


# -- running one handler -----------------------------------------------------------

def run_handler(app: "App", spec: "HandlerSpec", event: "Any", context: "Any") -> "Any":
    """Run ``spec``'s handler on a raw ``event``, through the app's middleware."""
    if type(event) is dict and event.get(ENVELOPE_KEY) == "event":
        target = event.get("handler")
        if target != spec.name:
            raise UnknownEventError("%s: an envelope for handler %r reached handler %r"
                                    % (app.app_name, target, spec.name))
        event = event.get("event")
    kind = spec.kind
    if kind == "pure_lambda":
        def call_pure(obj: "LambdaFunctionEvent") -> "Any":
            return spec.func(obj.event, obj.context)
        return app._run_event_chain(spec.middleware_type, call_pure,
                                    LambdaFunctionEvent(event, context))
    seen = event_kind(event, http=False)
    if seen not in _ACCEPTS[kind]:
        seen = event_kind(event)
        raise UnknownEventError("%s: %s handler %r cannot handle this event: got %s" % (
            app.app_name, _DECORATORS[kind], spec.name, describe(event, seen)))
    obj = _EVENT_CLASSES[kind](event, context)
    if kind == "sqs":
        def call_sqs(batch: "SQSEvent") -> "Any":
            return process_sqs(app, spec, batch)  # type: ignore[arg-type]
        return app._run_event_chain("sqs", call_sqs, obj)
    return app._run_event_chain(spec.middleware_type, spec.func, obj)


# -- SQS batches ---------------------------------------------------------------------

def _is_fifo(spec: "SQSEventSpec", records: "list[SQSRecord]") -> bool:
    if spec.fifo:
        return True
    for record in records[:1]:
        raw = record._record
        if isinstance(raw, dict):
            arn = raw.get("eventSourceARN")
            return isinstance(arn, str) and arn.endswith(".fifo")
    return False


def _malformed(record: "SQSRecord") -> "str | None":
    """Why a record cannot be handed to the handler, or None."""
    raw = record._record
    if not isinstance(raw.get("body"), str):
        return "it has no string body"
    for key in ("attributes", "messageAttributes"):
        if key in raw and raw[key] is not None and not isinstance(raw[key], dict):
            return "its %s is not an object" % key
    return None


def process_sqs(app: "App", spec: "SQSEventSpec", batch: "SQSEvent") -> "dict[str, Any]":
    """Run an SQS handler on a batch; return ``{"batchItemFailures": [...]}``.

    Records that are malformed or whose handler raised (per-record mode), or
    that the handler reported (``BatchItemFailures``), are listed; on a FIFO
    queue the first failure also fails every record after it, so order is
    kept. If every record failed, BatchFailedError is raised instead, so the
    whole batch is retried even without ``ReportBatchItemFailures``.
    """
    records: list[SQSRecord] = batch.records
    ids: list[str] = []
    for record in records:
        raw = record._record
        message_id = raw.get("messageId") if isinstance(raw, dict) else None
        if not isinstance(message_id, str) or not message_id:
            raise EventParseError(
                "%s: SQS record %d has no messageId, so it cannot be reported on its own; "
                "failing the whole batch so SQS delivers it again" % (app.app_name, record.index))
        ids.append(message_id)
    if not records:
        return {"batchItemFailures": []}
    fifo = _is_fifo(spec, records)
    failed: list[str] = []
    usable: list[SQSRecord] = []
    stop = False
    for record, message_id in zip(records, ids, strict=True):
        if stop:
            failed.append(message_id)
            continue
        why = _malformed(record)
        if why is not None:
            app.log.error("%s: SQS message %s is malformed (%s); reported as failed",
                          spec.name, message_id, why)
            failed.append(message_id)
            stop = fifo
        elif spec.per_record:
            try:
                spec.func(record)
            except Exception:
                app.log.error("%s: SQS message %s failed", spec.name, message_id, exc_info=True)
                failed.append(message_id)
                stop = fifo
        else:
            usable.append(record)
    if not spec.per_record and usable:
        if len(usable) != len(records):
            batch = SQSEvent({**batch.to_dict(), "Records": [r._record for r in usable]},
                             batch.context)
        try:
            result = spec.func(batch)
        except BatchItemFailures as exc:
            result = exc
        reported = _reported_ids(spec, result, [ids[r.index] for r in usable])
        if reported:
            app.log.error("%s: handler reported %d of %d SQS message(s) as failed: %s",
                          spec.name, len(reported), len(records), ", ".join(reported[:20]))
        if fifo and reported:  # everything from the first reported message on is retried
            first = min(ids.index(m) for m in reported)
            reported = ids[first:]
        failed.extend(reported)  # duplicates are dropped below
    if failed and len(set(failed)) == len(set(ids)):
        raise BatchFailedError("%s: all %d SQS message(s) of the batch failed; raising so the "
                               "whole batch is retried" % (spec.name, len(ids)), failed)
    seen: set[str] = set()
    items = []
    for message_id in failed:
        if message_id not in seen:
            seen.add(message_id)
            items.append({"itemIdentifier": message_id})
    return {"batchItemFailures": items}


def _reported_ids(spec: "SQSEventSpec", result: "Any", batch_ids: "list[str]") -> "list[str]":
    """Message ids a batch-mode handler reported as failed (checked to be in the batch)."""
    if isinstance(result, BatchItemFailures):
        reported = result.message_ids
    elif isinstance(result, dict) and "batchItemFailures" in result:
        items = result["batchItemFailures"] or []
        if not isinstance(items, list) or not all(
                isinstance(i, dict) and isinstance(i.get("itemIdentifier"), str) for i in items):
            raise ValueError("%s returned a malformed batchItemFailures (it must be a list of "
                             "{'itemIdentifier': message_id}); return BatchItemFailures([...])"
                             % spec.name)
        reported = [i["itemIdentifier"] for i in items]
    else:
        if (isinstance(result, (list, tuple)) and result
                and all(isinstance(i, SQSRecord) for i in result)):
            raise TypeError("%s returned a list of SQSRecord objects; to report them as failed, "
                            "return BatchItemFailures(records)" % spec.name)
        return []
    unknown = [m for m in reported if m not in batch_ids]
    if unknown:
        raise ValueError("%s reported message id(s) %s that are not in this batch; report the "
                         "SQSRecord objects it received" % (spec.name, ", ".join(unknown[:5])))
    return reported


# -- the combined entry point -----------------------------------------------------------

def dispatch_event(app: "App", event: "Any", context: "Any") -> "Any":
    """Route a non-HTTP event (the caller ruled HTTP out) to its handler or task."""
    kind = event_kind(event, http=False)
    if kind == "task":
        from .tasks import run_task_envelope
        return run_task_envelope(app, event, context)
    if kind == "routed":
        target = event.get("handler")
        spec = app._handlers.get(target) if isinstance(target, str) else None
        if spec is None:
            raise UnknownEventError("%s: the event envelope names handler %r, which is not "
                                    "registered on this app" % (app.app_name, target))
        return run_handler(app, spec, event, context)
    if kind in _PICKERS:
        return _route_records(app, event, context, kind)
    if kind == "scheduled" or kind == "cloudwatch":
        return _route_eventbridge(app, event, context, kind == "scheduled")
    raise UnknownEventError(
        "%s cannot handle this event: got %s, which no route or registered handler takes"
        % (app.app_name, describe(event, kind)))


def _handlers_of(app: "App", kind: str) -> "list[Any]":
    return [spec for spec in app._handlers.values() if spec.kind == kind]


def _route_records(app: "App", event: "dict[str, Any]", context: "Any", kind: str) -> "Any":
    """Group ``event``'s records by the handler each belongs to, then run each group."""
    pick = _PICKERS[kind]
    what = _DECORATORS[kind]
    specs = _handlers_of(app, kind)
    if not specs:
        raise UnknownEventError("%s cannot handle this event: got %s, and no %s handler is "
                                "registered" % (app.app_name, describe(event, kind), what))
    groups: dict[str, list[Any]] = {}
    unmatched: list[str] = []
    for index, record in enumerate(event["Records"]):
        spec = pick(app, specs, record) if isinstance(record, dict) else None
        if spec is None and len(specs) == 1 and not _routable(record, kind):
            spec = specs[0]  # a malformed record: its one possible handler reports it
        if spec is None:
            unmatched.append(_record_label(record, index, kind))
        else:
            groups.setdefault(spec.name, []).append(record)
    if unmatched:
        raise UnknownEventError("%s: no %s handler matches %s" % (
            app.app_name, what, "; ".join(unmatched[:5])))
    if len(groups) == 1:  # the usual case: every record belongs to one handler
        (name,) = groups
        return run_handler(app, app._handlers[name], event, context)
    results = [run_handler(app, app._handlers[name], {**event, "Records": records}, context)
               for name, records in groups.items()]
    if kind == "sqs":
        return {"batchItemFailures": [i for r in results for i in r["batchItemFailures"]]}
    return results


def _routable(record: "Any", kind: str) -> bool:
    if not isinstance(record, dict):
        return False
    if kind == "s3":
        s3 = record.get("s3")
        return isinstance(s3, dict) and isinstance(s3.get("bucket"), dict)
    if kind == "sqs":
        return isinstance(record.get("eventSourceARN"), str)
    sns = record.get("Sns")
    return isinstance(sns, dict) and isinstance(sns.get("TopicArn"), str)


def _record_label(record: "Any", index: int, kind: str) -> str:
    try:
        if kind == "s3":
            from urllib.parse import unquote_plus
            return "bucket %r key %r (%s)" % (record["s3"]["bucket"]["name"],
                                             unquote_plus(record["s3"]["object"]["key"]),
                                             record["eventName"])
        if kind == "sqs":
            return "queue %s" % record["eventSourceARN"]
        return "topic %s" % record["Sns"]["TopicArn"]
    except (KeyError, TypeError, AttributeError):
        return "record %d (malformed)" % index


def _s3_matches(spec: "S3EventSpec", record: "dict[str, Any]") -> bool:
    try:
        bucket = record["s3"]["bucket"]["name"]
        raw_key = record["s3"]["object"]["key"]
        name = "s3:" + record["eventName"]
    except (KeyError, TypeError):
        return False
    if bucket != spec.bucket:
        return False
    if not any(name == e or (e.endswith(":*") and name.startswith(e[:-1])) for e in spec.events):
        return False
    if spec.prefix or spec.suffix:
        from urllib.parse import unquote_plus
        key = unquote_plus(raw_key) if isinstance(raw_key, str) else ""
        if spec.prefix and not key.startswith(spec.prefix):
            return False
        if spec.suffix and not key.endswith(spec.suffix):
            return False
    return True


def _pick_s3(app: "App", specs: "list[Any]", record: "dict[str, Any]") -> "Any":
    return next((s for s in specs if _s3_matches(s, record)), None)


def _pick_sqs(app: "App", specs: "list[Any]", record: "dict[str, Any]") -> "Any":
    arn = record.get("eventSourceARN")
    if not isinstance(arn, str):
        return None
    name = arn.rpartition(":")[2]
    return next((s for s in specs if s.queue_arn == arn
                 or (s.queue_arn is None and s.queue == name)), None)


def _pick_sns(app: "App", specs: "list[Any]", record: "dict[str, Any]") -> "Any":
    sns = record.get("Sns")
    arn = sns.get("TopicArn") if isinstance(sns, dict) else None
    if not isinstance(arn, str):
        return None
    name = arn.rpartition(":")[2]
    return next((s for s in specs if s.topic == arn
                 or (not s.topic.startswith("arn:") and s.topic == name)), None)


def _route_eventbridge(app: "App", event: "dict[str, Any]", context: "Any",
                       scheduled: bool) -> "Any":
    from .patterns import matches
    for spec in _handlers_of(app, "cloudwatch"):
        if matches(spec.event_pattern, event):
            return run_handler(app, spec, event, context)
    if scheduled:
        schedules = _handlers_of(app, "schedule")
        if len(schedules) == 1:
            return run_handler(app, schedules[0], event, context)
        if schedules:
            raise UnknownEventError(
                "%s: a scheduled event reached the combined entry point, but %d schedules are "
                "registered (%s) and it does not say which one fired; deploy each schedule as "
                "its own function, or have the rule send the envelope {%r: 'event', 'handler': "
                "NAME, 'event': ...}" % (app.app_name, len(schedules),
                                         ", ".join(s.name for s in schedules), ENVELOPE_KEY))
    raise UnknownEventError("%s: no @app.on_cw_event pattern%s matches this EventBridge event "
                            "(source %r, detail-type %r)" % (
                                app.app_name, " or @app.schedule" if scheduled else "",
                                event.get("source"),
                                event.get("detail-type")))


_PICKERS: "dict[str, Callable[[App, list[Any], dict[str, Any]], Any]]" = {
    "s3": _pick_s3, "sqs": _pick_sqs, "sns": _pick_sns,
}


def run_bound(app: "App", name: str, event: "Any", context: "Any") -> "Any":
    """Run the handler (or task queue) that ``MYFRAMEWORK_HANDLER`` names."""
    if name.startswith(TASKS_PREFIX):
        if event_kind(event) != "task":
            raise UnknownEventError("%s: this function runs tasks (%s=%s) but got %s" % (
                app.app_name, HANDLER_ENV, name, describe(event, event_kind(event))))
        from .tasks import run_task_envelope
        return run_task_envelope(app, event, context, name[len(TASKS_PREFIX):])
    spec = app._handlers.get(name)
    if spec is None:
        raise UnknownEventError(
            "%s: %s=%s names no registered handler; registered: %s" % (
                app.app_name, HANDLER_ENV, name, ", ".join(sorted(app._handlers)) or "none"))
    return run_handler(app, spec, event, context)
