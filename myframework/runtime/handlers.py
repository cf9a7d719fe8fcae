"""Validation of the event-handler and task decorators' arguments into specs.

Every check runs when the decorator runs (at import of ``app.py``), and its
error names the decorator, the function and the bad value. Loaded only when
an app registers something other than routes.
"""
from .errors import RegistrationError
from .event_specs import (
    NO_OPTIONS,
    CloudWatchEventSpec,
    FunctionOptions,
    LambdaFunctionSpec,
    S3EventSpec,
    ScheduleSpec,
    SNSEventSpec,
    SQSEventSpec,
    TaskSpec,
)
from .routing import did_you_mean, func_name

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:
    from typing import Any

    from .app import App
    from .event_specs import HandlerSpec

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
_ENV_FIRST = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ENV_CHARS = _ENV_FIRST | frozenset("0123456789_")
# Set by Lambda itself; a function's configuration may not use them.
RESERVED_ENV = frozenset((
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
))
OPTION_NAMES = ("memory_size", "timeout", "environment")

S3_EVENT_TYPES = (
    "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*", "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete", "s3:ReducedRedundancyLostObject",
    "s3:Replication:*", "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold", "s3:Replication:OperationNotTracked",
    "s3:LifecycleExpiration:*", "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated", "s3:LifecycleTransition",
    "s3:IntelligentTiering", "s3:ObjectTagging:*", "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete", "s3:ObjectAcl:Put",
)


def _is_int(value: "Any") -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_callable(where: str, func: "Any") -> None:
    if not callable(func):
        raise RegistrationError("%s: decorate a function, got %r" % (where, func))


def handler_name(where: str, func: "Any", name: "Any") -> str:
    """The registered name: ``name=`` or the function's ``__name__``, checked
    to be usable in a Lambda function name."""
    if name is None:
        name = getattr(func, "__name__", None)
        if not isinstance(name, str) or name == "<lambda>":
            raise RegistrationError("%s: give the handler a name= (the function has no "
                                    "usable __name__)" % where)
    if not isinstance(name, str) or not name:
        raise RegistrationError("%s: name must be a non-empty string, got %r" % (where, name))
    bad = sorted(set(name) - _NAME_CHARS)
    if bad or len(name) > 64:
        raise RegistrationError(
            "%s: name %r %s; use at most 64 letters, digits, '-' and '_' (it becomes part of "
            "the Lambda function's name)" % (
                where, name, "contains %s" % ", ".join(repr(c) for c in bad) if bad
                else "is too long"))
    return name


def function_options(where: str, options: "dict[str, Any]") -> FunctionOptions:
    """Validate ``memory_size=``, ``timeout=`` and ``environment=`` (Lambda's limits)."""
    if not options:
        return NO_OPTIONS
    for key in options:
        if key not in OPTION_NAMES:
            raise RegistrationError("%s: unknown argument %r%s" % (
                where, key, did_you_mean(key, OPTION_NAMES)))
    memory = options.get("memory_size")
    if memory is not None and (not _is_int(memory) or not 128 <= memory <= 10240):
        raise RegistrationError("%s: memory_size must be a whole number of MB from 128 to "
                                "10240, got %r" % (where, memory))
    timeout = options.get("timeout")
    if timeout is not None and (not _is_int(timeout) or not 1 <= timeout <= 900):
        raise RegistrationError("%s: timeout must be a whole number of seconds from 1 to 900 "
                                "(Lambda's limit), got %r" % (where, timeout))
    env = options.get("environment")
    pairs: list[tuple[str, str]] = []
    if env is not None:
        if not isinstance(env, dict):
            raise RegistrationError("%s: environment must be a dict of name -> string value, "
                                    "got %r" % (where, env))
        for key, value in env.items():
            if (not isinstance(key, str) or len(key) < 2 or key[0] not in _ENV_FIRST
                    or set(key) - _ENV_CHARS):
                raise RegistrationError("%s: environment variable name %r is not valid; use "
                                        "two or more letters, digits and '_', starting with a "
                                        "letter (Lambda's rule)"
                                        % (where, key))
            if key in RESERVED_ENV or key.startswith("MYFRAMEWORK_"):
                raise RegistrationError("%s: environment variable %s is reserved (set by "
                                        "Lambda or myframework); choose another name"
                                        % (where, key))
            if not isinstance(value, str):
                raise RegistrationError("%s: environment variable %s must be a string, got %r "
                                        "(Lambda passes strings only)" % (where, key, value))
            pairs.append((key, value))
    return FunctionOptions(memory, timeout, tuple(sorted(pairs)))


def schedule_spec(func: "Any", expression: "Any", name: "Any", description: "Any",
                  options: "dict[str, Any]") -> ScheduleSpec:
    where = "@schedule on %s" % func_name(func)
    _check_callable(where, func)
    from .schedules import validate_schedule
    expr = validate_schedule(expression, where)
    if not isinstance(description, str) or len(description) > 512:
        raise RegistrationError("%s: description must be a string of at most 512 characters"
                                % where)
    return ScheduleSpec(handler_name(where, func, name), func, function_options(where, options),
                        expr, description)


_BUCKET_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-")
_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def _bucket_name(where: str, bucket: "Any") -> str:
    """Check an S3 bucket name against S3's general-purpose bucket naming rules."""
    problem = None
    if not isinstance(bucket, str) or not 3 <= len(bucket) <= 63 or set(bucket) - _BUCKET_CHARS:
        problem = "3-63 lower-case letters, digits, '.' and '-'"
    elif not bucket[0].isalnum() or not bucket[-1].isalnum() or ".." in bucket:
        problem = "starting and ending with a letter or digit, without '..'"
    elif all(part.isdigit() for part in bucket.split(".")) and bucket.count(".") == 3:
        problem = "not formatted as an IP address"
    elif bucket.startswith(_BUCKET_PREFIXES) or bucket.endswith(_BUCKET_SUFFIXES):
        problem = "not using a prefix or suffix S3 reserves (%s)" % ", ".join(
            _BUCKET_PREFIXES + _BUCKET_SUFFIXES)
    if problem is not None:
        raise RegistrationError("%s: bucket must be an S3 bucket name (%s), got %r"
                                % (where, problem, bucket))
    return str(bucket)


def s3_spec(func: "Any", bucket: "Any", events: "Any", prefix: "Any", suffix: "Any",
            name: "Any", options: "dict[str, Any]") -> S3EventSpec:
    where = "@on_s3_event on %s" % func_name(func)
    _check_callable(where, func)
    _bucket_name(where, bucket)
    if events is None:
        events = ["s3:ObjectCreated:*"]
    if isinstance(events, str):
        events = [events]
    if not isinstance(events, (list, tuple)) or not events:
        raise RegistrationError("%s: events must be a non-empty list such as "
                                "['s3:ObjectCreated:*'], got %r" % (where, events))
    for event in events:
        if event not in S3_EVENT_TYPES:
            raise RegistrationError("%s: %r is not an S3 event type%s (see the S3 event "
                                    "notification types, e.g. 's3:ObjectCreated:*')"
                                    % (where, event, did_you_mean(str(event), S3_EVENT_TYPES)))
    if len(set(events)) != len(events):
        raise RegistrationError("%s: events lists an event type twice: %r" % (where, events))
    for label, value in (("prefix", prefix), ("suffix", suffix)):
        if value is not None and (not isinstance(value, str) or not value
                                  or len(value) > 1024):
            raise RegistrationError("%s: %s must be a non-empty string of at most 1024 "
                                    "characters, or None, got %r" % (where, label, value))
    return S3EventSpec(handler_name(where, func, name), func, function_options(where, options),
                       bucket, tuple(events), prefix, suffix)


def _queue_name_ok(name: str) -> bool:
    base = name[:-5] if name.endswith(".fifo") else name
    return 1 <= len(name) <= 80 and bool(base) and not set(base) - _NAME_CHARS


def sqs_spec(func: "Any", queue: "Any", queue_arn: "Any", batch_size: "Any",
             window: "Any", maximum_concurrency: "Any", per_record: "Any", name: "Any",
             options: "dict[str, Any]") -> SQSEventSpec:
    where = "@on_sqs_message on %s" % func_name(func)
    _check_callable(where, func)
    if (queue is None) == (queue_arn is None):
        raise RegistrationError("%s: give exactly one of queue= (a queue name in this account "
                                "and region) and queue_arn=" % where)
    if queue is not None and (not isinstance(queue, str) or not _queue_name_ok(queue)):
        raise RegistrationError("%s: queue must be an SQS queue name (up to 80 letters, digits, "
                                "'-' and '_', optionally ending in .fifo), got %r; pass an ARN "
                                "as queue_arn=" % (where, queue))
    if queue_arn is not None:
        parts = queue_arn.split(":") if isinstance(queue_arn, str) else []
        if (len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs" or not parts[3]
                or not parts[4].isdigit() or not _queue_name_ok(parts[5])):
            raise RegistrationError("%s: queue_arn must look like "
                                    "arn:aws:sqs:us-east-1:123456789012:my-queue, got %r"
                                    % (where, queue_arn))
    fifo = (queue or queue_arn).endswith(".fifo")
    limit = 10 if fifo else 10000
    if not _is_int(batch_size) or not 1 <= batch_size <= limit:
        raise RegistrationError("%s: batch_size must be a whole number from 1 to %d%s, got %r"
                                % (where, limit, " for a FIFO queue" if fifo else "",
                                   batch_size))
    if not _is_int(window) or not 0 <= window <= 300:
        raise RegistrationError("%s: maximum_batching_window_in_seconds must be a whole number "
                                "from 0 to 300, got %r" % (where, window))
    if fifo and window:
        raise RegistrationError("%s: FIFO queues do not support "
                                "maximum_batching_window_in_seconds; leave it at 0" % where)
    if batch_size > 10 and not window:
        raise RegistrationError("%s: a batch_size over 10 needs "
                                "maximum_batching_window_in_seconds of at least 1 (an SQS rule)"
                                % where)
    if maximum_concurrency is not None and (not _is_int(maximum_concurrency)
                                            or not 2 <= maximum_concurrency <= 1000):
        raise RegistrationError("%s: maximum_concurrency must be a whole number from 2 to 1000, "
                                "or None, got %r" % (where, maximum_concurrency))
    if not isinstance(per_record, bool):
        raise RegistrationError("%s: per_record must be True or False" % where)
    return SQSEventSpec(handler_name(where, func, name), func, function_options(where, options),
                        queue, queue_arn, batch_size, window, maximum_concurrency, per_record)


def sns_spec(func: "Any", topic: "Any", name: "Any", options: "dict[str, Any]") -> SNSEventSpec:
    where = "@on_sns_message on %s" % func_name(func)
    _check_callable(where, func)
    topic_name = topic
    if isinstance(topic, str) and topic.startswith("arn:"):
        parts = topic.split(":")
        topic_name = parts[5] if len(parts) == 6 and parts[2] == "sns" else None
    base = (topic_name[:-5] if isinstance(topic_name, str) and topic_name.endswith(".fifo")
            else topic_name)
    if (not isinstance(base, str) or not isinstance(topic_name, str) or not base
            or len(topic_name) > 256 or set(base) - _NAME_CHARS):
        raise RegistrationError("%s: topic must be an SNS topic name (up to 256 letters, digits, "
                                "'-' and '_') or ARN (arn:aws:sns:us-east-1:123456789012:topic), "
                                "got %r" % (where, topic))
    return SNSEventSpec(handler_name(where, func, name), func, function_options(where, options),
                        topic)


def cw_spec(func: "Any", event_pattern: "Any", name: "Any",
            options: "dict[str, Any]") -> CloudWatchEventSpec:
    where = "@on_cw_event on %s" % func_name(func)
    _check_callable(where, func)
    from .patterns import validate_pattern
    pattern = validate_pattern(event_pattern, where)
    return CloudWatchEventSpec(handler_name(where, func, name), func,
                               function_options(where, options), pattern)


def lambda_spec(func: "Any", name: "Any", options: "dict[str, Any]") -> LambdaFunctionSpec:
    where = "@lambda_function on %s" % func_name(func)
    _check_callable(where, func)
    return LambdaFunctionSpec(handler_name(where, func, name), func,
                              function_options(where, options))


def task_spec(func: "Any", name: "Any", queue: "Any", retries: "Any", timeout: "Any",
              dead_letter: "Any") -> TaskSpec:
    where = "@task on %s" % func_name(func)
    _check_callable(where, func)
    if not isinstance(queue, str) or not queue or set(queue) - _NAME_CHARS or len(queue) > 32:
        raise RegistrationError("%s: queue must be a short name of letters, digits, '-' and '_' "
                                "(the task function it runs in), got %r" % (where, queue))
    if retries is not None and (not _is_int(retries) or not 0 <= retries <= 2):
        raise RegistrationError("%s: retries must be 0, 1 or 2 (Lambda retries a failed "
                                "asynchronous invocation at most twice), got %r"
                                % (where, retries))
    if timeout is not None and (not _is_int(timeout) or not 1 <= timeout <= 900):
        raise RegistrationError("%s: timeout must be a whole number of seconds from 1 to 900, "
                                "got %r" % (where, timeout))
    if dead_letter is not None:
        parts = dead_letter.split(":") if isinstance(dead_letter, str) else []
        if (len(parts) != 6 or parts[0] != "arn" or parts[2] not in ("sqs", "sns")
                or not parts[3] or not parts[4].isdigit() or not parts[5]
                or set(parts[5]) - _NAME_CHARS - {"."}):
            raise RegistrationError("%s: dead_letter must be the ARN of an SQS queue or SNS "
                                    "topic (arn:aws:sqs:us-east-1:123456789012:failed-tasks), "
                                    "got %r" % (where, dead_letter))
    return TaskSpec(handler_name(where, func, name), func, queue, retries, timeout, dead_letter)


class Registered:
    """Base of what the decorators return: a registered function with its spec.

    ``spec`` is the final record (with any blueprint name prefix) once the
    app has it; ``func`` is the decorated function.
    """

    spec: "Any"

    def __init__(self, spec: "Any") -> None:
        self.spec = spec
        self.func = spec.func
        self.__wrapped__ = spec.func
        self.__name__ = getattr(spec.func, "__name__", spec.name)
        self.__doc__ = getattr(spec.func, "__doc__", None)
        self._app: App | None = None

    @property
    def name(self) -> str:
        return self.spec.name  # type: ignore[no-any-return]

    def _bind(self, app: "App", spec: "Any") -> None:
        self._app = app
        self.spec = spec


class EventHandler(Registered):
    """What an event decorator returns: the registered function wrapped as a
    Lambda handler. ``handler(event, context)`` runs it exactly as Lambda
    would (``app.on_upload`` can be a function's handler string); the
    original function is ``handler.func``."""

    spec: "HandlerSpec"

    def __call__(self, event: "Any", context: "Any" = None) -> "Any":
        app = self._app
        if app is None:
            raise RuntimeError("%s is not registered on an app yet (register its blueprint "
                               "first)" % self.spec.name)
        return app._run_handler(self.spec, event, context)

    def __repr__(self) -> str:
        return "<%s handler %s>" % (self.spec.kind, self.spec.name)

