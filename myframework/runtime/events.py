"""Typed, lazily parsed wrappers around the events Lambda receives from AWS services.

Each wrapper keeps the raw event (``to_dict()``) and reads fields only when
asked. A missing or malformed field raises :class:`EventParseError` naming
the record, so one bad record never hides the others. Loaded only when an
app registers or receives a non-HTTP event.
"""
import json

from .event_errors import EventParseError

ENVELOPE_KEY = "__myframework__"
"""Marks a myframework envelope: ``{"__myframework__": "task", ...}`` (a task sent by
``.delay()``) or ``{"__myframework__": "event", "handler": name, "event": {...}}``."""

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any


def _field(data: "Any", path: "tuple[str, ...]", what: str, kind: "type | tuple[type, ...]",
           required: bool = True) -> "Any":
    """``data[path[0]][path[1]]...`` checked to be of ``kind``; EventParseError if not."""
    value = data
    for key in path:
        if not isinstance(value, dict) or key not in value:
            if not required:
                return None
            raise EventParseError("%s has no %s" % (what, ".".join(path)))
        value = value[key]
    if value is None and not required:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise EventParseError("%s: %s should be %s, got %s" % (
            what, ".".join(path), _kind_name(kind), type(value).__name__))
    return value


def _kind_name(kind: "type | tuple[type, ...]") -> str:
    names = {"str": "a string", "dict": "an object", "list": "a list", "int": "a number",
             "float": "a number"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k.__name__, k.__name__) for k in kinds)


def _loads(text: str, what: str) -> "Any":
    try:
        return json.loads(text)
    except ValueError as exc:
        raise EventParseError("%s is not valid JSON (%s)" % (what, exc)) from None
    except RecursionError:
        raise EventParseError("%s nests JSON too deeply to parse" % what) from None


class BaseLambdaEvent:
    """Base of the event wrappers: ``to_dict()`` returns the raw event and
    ``context`` the Lambda context object."""

    __slots__ = ("_event", "context")

    def __init__(self, event: "dict[str, Any]", context: "Any" = None) -> None:
        self._event = event
        self.context = context

    def to_dict(self) -> "dict[str, Any]":
        return self._event

    def __repr__(self) -> str:
        return "<%s %.200r>" % (type(self).__name__, self._event)


# -- EventBridge (CloudWatch Events) and schedules ---------------------------------

class CloudWatchEvent(BaseLambdaEvent):
    """An EventBridge (CloudWatch Events) event, as an ``on_cw_event`` handler receives it."""

    __slots__ = ()

    def _get(self, key: str, kind: "type | tuple[type, ...]", required: bool = True) -> "Any":
        return _field(self._event, (key,), type(self).__name__, kind, required)

    @property
    def version(self) -> str:
        return str(self._get("version", (str, int), False) or "0")

    @property
    def account(self) -> str:
        return self._get("account", str, False) or ""

    @property
    def region(self) -> str:
        return self._get("region", str, False) or ""

    @property
    def detail(self) -> "dict[str, Any]":
        detail = self._get("detail", dict, False)
        return detail if detail is not None else {}

    @property
    def detail_type(self) -> str:
        return self._get("detail-type", str)  # type: ignore[no-any-return]

    @property
    def source(self) -> str:
        return self._get("source", str)  # type: ignore[no-any-return]

    @property
    def time(self) -> str:
        """The event time as AWS sends it (ISO 8601, UTC, e.g. ``2026-01-01T12:00:00Z``)."""
        return self._get("time", str, False) or ""

    @property
    def event_id(self) -> str:
        return self._get("id", str, False) or ""

    @property
    def resources(self) -> "list[Any]":
        resources = self._get("resources", list, False)
        return resources if resources is not None else []


class ScheduledEvent(CloudWatchEvent):
    """The event a ``schedule`` handler receives (``detail_type`` is ``"Scheduled Event"``;
    ``resources`` holds the rule's ARN)."""

    __slots__ = ()


# -- records ---------------------------------------------------------------------

class _Record:
    """One record of a batch event; ``to_dict()`` is the raw record."""

    __slots__ = ("_record", "context", "index")
    _what = "record"

    def __init__(self, record: "Any", index: int, context: "Any" = None) -> None:
        self._record = record
        self.index = index
        self.context = context

    def to_dict(self) -> "dict[str, Any]":
        if not isinstance(self._record, dict):
            raise EventParseError("%s is not an object" % self._name())
        return self._record

    def _name(self) -> str:
        return "%s %d" % (self._what, self.index)

    def _get(self, path: "tuple[str, ...]", kind: "type | tuple[type, ...]",
             required: bool = True) -> "Any":
        if not isinstance(self._record, dict):
            raise EventParseError("%s is not an object" % self._name())
        return _field(self._record, path, self._name(), kind, required)

    def __repr__(self) -> str:
        return "<%s %.200r>" % (type(self).__name__, self._record)


class _BatchEvent(BaseLambdaEvent):
    """An event carrying ``Records``; iterating it yields one wrapper per record."""

    __slots__ = ("_records",)
    _record_class: "type[_Record]" = _Record

    def __init__(self, event: "dict[str, Any]", context: "Any" = None) -> None:
        super().__init__(event, context)
        self._records: list[Any] | None = None

    @property
    def records(self) -> "list[Any]":
        records = self._records
        if records is None:
            raw = self._event.get("Records") if isinstance(self._event, dict) else None
            if not isinstance(raw, list):
                raise EventParseError("%s has no Records list" % type(self).__name__)
            cls = self._record_class
            records = self._records = [cls(r, i, self.context) for i, r in enumerate(raw)]
        return records

    def __iter__(self) -> "Iterator[Any]":
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def _first(self) -> "Any":
        records = self.records
        if not records:
            raise EventParseError("%s has no records" % type(self).__name__)
        return records[0]


# -- S3 --------------------------------------------------------------------------

class S3Record(_Record):
    """One S3 event notification record."""

    __slots__ = ()
    _what = "S3 record"

    @property
    def bucket(self) -> str:
        return self._get(("s3", "bucket", "name"), str)  # type: ignore[no-any-return]

    @property
    def raw_key(self) -> str:
        """The object key exactly as S3 sent it (URL-encoded, spaces as ``+``)."""
        return self._get(("s3", "object", "key"), str)  # type: ignore[no-any-return]

    @property
    def key(self) -> str:
        """The object key, decoded the way S3 encodes it in notifications
        (``red+flower%281%29.jpg`` -> ``red flower(1).jpg``)."""
        raw = self.raw_key
        if "%" not in raw and "+" not in raw:
            return raw
        from urllib.parse import unquote_plus
        # Escapes that are not UTF-8 (S3 keys always are) decode to U+FFFD; raw_key keeps them.
        return unquote_plus(raw)

    @property
    def size(self) -> "int | None":
        """The object size in bytes (``None`` for events without one, such as deletes)."""
        size = self._get(("s3", "object", "size"), int, False)
        return int(size) if size is not None else None

    @property
    def etag(self) -> "str | None":
        return self._get(("s3", "object", "eTag"), str, False)  # type: ignore[no-any-return]

    @property
    def version_id(self) -> "str | None":
        return self._get(("s3", "object", "versionId"), str, False)  # type: ignore[no-any-return]

    @property
    def sequencer(self) -> "str | None":
        return self._get(("s3", "object", "sequencer"), str, False)  # type: ignore[no-any-return]

    @property
    def event_name(self) -> str:
        """For example ``ObjectCreated:Put`` (without the ``s3:`` of the configuration)."""
        return self._get(("eventName",), str)  # type: ignore[no-any-return]

    @property
    def event_time(self) -> str:
        return self._get(("eventTime",), str, False) or ""

    @property
    def region(self) -> str:
        return self._get(("awsRegion",), str, False) or ""


class S3Event(_BatchEvent):
    """An S3 event notification. Iterate it for every record; ``bucket``,
    ``key`` and the other record attributes read the first record (as in
    Chalice, where an event had one record)."""

    __slots__ = ()
    _record_class = S3Record

    @property
    def bucket(self) -> str:
        return self._first().bucket  # type: ignore[no-any-return]

    @property
    def key(self) -> str:
        return self._first().key  # type: ignore[no-any-return]

    @property
    def size(self) -> "int | None":
        return self._first().size  # type: ignore[no-any-return]

    @property
    def etag(self) -> "str | None":
        return self._first().etag  # type: ignore[no-any-return]

    @property
    def event_name(self) -> str:
        return self._first().event_name  # type: ignore[no-any-return]


# -- SQS -------------------------------------------------------------------------

class SQSRecord(_Record):
    """One SQS message."""

    __slots__ = ()
    _what = "SQS record"

    def _name(self) -> str:
        record = self._record
        message_id = record.get("messageId") if isinstance(record, dict) else None
        if isinstance(message_id, str):
            return "SQS message %s" % message_id
        return "SQS record %d" % self.index

    @property
    def message_id(self) -> str:
        return self._get(("messageId",), str)  # type: ignore[no-any-return]

    @property
    def body(self) -> str:
        return self._get(("body",), str)  # type: ignore[no-any-return]

    @property
    def json_body(self) -> "Any":
        """The body parsed as JSON (EventParseError naming the message if it is not JSON)."""
        return _loads(self.body, "the body of %s" % self._name())

    @property
    def receipt_handle(self) -> str:
        return self._get(("receiptHandle",), str, False) or ""

    @property
    def attributes(self) -> "dict[str, str]":
        """System attributes: ``ApproximateReceiveCount``, ``SentTimestamp``,
        ``MessageGroupId`` (FIFO)..."""
        return self._get(("attributes",), dict, False) or {}

    @property
    def message_attributes(self) -> "dict[str, dict[str, Any]]":
        """User attributes as SQS sends them: ``{"name": {"stringValue": ...,
        "dataType": "String"}}``."""
        return self._get(("messageAttributes",), dict, False) or {}

    @property
    def event_source_arn(self) -> str:
        return self._get(("eventSourceARN",), str, False) or ""

    @property
    def queue_name(self) -> str:
        return self.event_source_arn.rpartition(":")[2]


class SQSEvent(_BatchEvent):
    """A batch of SQS messages; iterate it for :class:`SQSRecord` objects."""

    __slots__ = ()
    _record_class = SQSRecord

    @property
    def queue_name(self) -> str:
        return self._first().queue_name  # type: ignore[no-any-return]


# -- SNS -------------------------------------------------------------------------

class SNSRecord(_Record):
    """One SNS notification."""

    __slots__ = ()
    _what = "SNS record"

    @property
    def message(self) -> str:
        return self._get(("Sns", "Message"), str)  # type: ignore[no-any-return]

    @property
    def json_message(self) -> "Any":
        return _loads(self.message, "the message of %s" % self._name())

    @property
    def subject(self) -> str:
        return self._get(("Sns", "Subject"), str, False) or ""

    @property
    def message_id(self) -> str:
        return self._get(("Sns", "MessageId"), str, False) or ""

    @property
    def topic_arn(self) -> str:
        return self._get(("Sns", "TopicArn"), str)  # type: ignore[no-any-return]

    @property
    def timestamp(self) -> str:
        return self._get(("Sns", "Timestamp"), str, False) or ""

    @property
    def message_attributes(self) -> "dict[str, dict[str, Any]]":
        """As SNS sends them: ``{"name": {"Type": "String", "Value": "..."}}``."""
        return self._get(("Sns", "MessageAttributes"), dict, False) or {}


class SNSEvent(_BatchEvent):
    """An SNS notification event; iterate it for :class:`SNSRecord` objects.
    ``message`` and ``subject`` read the first record (Chalice's attributes)."""

    __slots__ = ()
    _record_class = SNSRecord

    @property
    def message(self) -> str:
        return self._first().message  # type: ignore[no-any-return]

    @property
    def json_message(self) -> "Any":
        return self._first().json_message

    @property
    def subject(self) -> str:
        return self._first().subject  # type: ignore[no-any-return]

    @property
    def message_attributes(self) -> "dict[str, dict[str, Any]]":
        return self._first().message_attributes  # type: ignore[no-any-return]


# -- direct invocations and tasks ---------------------------------------------------

class LambdaFunctionEvent:
    """What a ``pure_lambda`` middleware sees: the raw ``event`` and ``context``."""

    __slots__ = ("context", "event")

    def __init__(self, event: "Any", context: "Any") -> None:
        self.event = event
        self.context = context

    def to_dict(self) -> "Any":
        return self.event


class TaskInvocation:
    """One run of a task, as a ``task`` middleware sees it."""

    __slots__ = ("args", "context", "id", "kwargs", "name")

    def __init__(self, name: str, task_id: str, args: "list[Any]", kwargs: "dict[str, Any]",
                 context: "Any") -> None:
        self.name = name
        self.id = task_id
        self.args = args
        self.kwargs = kwargs
        self.context = context

    def __repr__(self) -> str:
        return "<TaskInvocation %s id=%s>" % (self.name, self.id)


__all__ = [
    "BaseLambdaEvent",
    "CloudWatchEvent",
    "LambdaFunctionEvent",
    "S3Event",
    "S3Record",
    "SNSEvent",
    "SNSRecord",
    "SQSEvent",
    "SQSRecord",
    "ScheduledEvent",
    "TaskInvocation",
]
