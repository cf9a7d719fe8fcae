"""Asynchronous tasks: ``@app.task`` functions and their ``.delay()``.

``task(...)`` runs the function inline. ``task.delay(...)`` checks the
arguments against the function's signature, encodes them as JSON in an
envelope naming the registered task, checks the size limit, and hands the
envelope to the app's task dispatcher:

* on Lambda, :class:`LambdaDispatcher` invokes the task function
  asynchronously (``InvocationType='Event'``); its name comes from the
  ``MYFRAMEWORK_TASK_FUNCTIONS`` environment variable the deployer sets;
* locally, the dev server installs a worker pool
  (:class:`myframework.local.tasks.LocalTaskPool`) and the test client
  a recording (or eager) dispatcher;
* anywhere else ``.delay()`` raises :class:`TaskDispatchError`: a task is
  never silently run inline.

The receiving side runs only tasks registered on the app.
"""
import json
import os

from .event_errors import TaskDispatchError, UnknownTaskError
from .events import ENVELOPE_KEY, TaskInvocation
from .handlers import Registered

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:
    from typing import Any, Generic as _Generic, ParamSpec, TypeVar

    from .app import App
    from .event_specs import TaskSpec

    P = ParamSpec("P")
    R = TypeVar("R")
else:
    class _Generic:
        """Stands in for typing.Generic at run time, so ``Task[...]`` works
        without importing typing (cold start)."""

        def __class_getitem__(cls, item: object) -> type:
            return cls

    P = R = None

TASK_FUNCTIONS_ENV = "MYFRAMEWORK_TASK_FUNCTIONS"
ENVELOPE_VERSION = 1
MAX_PAYLOAD_BYTES = 256 * 1024
"""The envelope limit: Lambda's classic asynchronous-invoke payload limit (256 KB)."""


class TaskHandle:
    """What ``.delay()`` returns: the task's ``id`` (logged on both sides) and ``task_name``."""

    __slots__ = ("id", "task_name")

    def __init__(self, task_id: str, task_name: str) -> None:
        self.id = task_id
        self.task_name = task_name

    def __repr__(self) -> str:
        return "<TaskHandle %s id=%s>" % (self.task_name, self.id)


class TaskDispatcher:
    """Sends a task envelope somewhere it will run. Subclass and set
    ``app.task_dispatcher`` to change where ``.delay()`` sends tasks."""

    def dispatch(self, spec: "TaskSpec", envelope: "dict[str, Any]", payload: str) -> None:
        """Send ``payload`` (``envelope`` as JSON) for ``spec``'s task; raise on failure."""
        raise NotImplementedError


class Task(Registered, _Generic[P, R]):
    """What ``@app.task`` returns. Call it to run the function inline;
    ``.delay(*args, **kwargs)`` runs it asynchronously. Typed like the
    function it wraps: ``Task[(to: str), bool]``."""

    spec: "TaskSpec"

    def __call__(self, *args: "P.args", **kwargs: "P.kwargs") -> "R":
        return self.spec.func(*args, **kwargs)  # type: ignore[no-any-return]

    def delay(self, *args: "P.args", **kwargs: "P.kwargs") -> TaskHandle:
        """Run the task asynchronously with these (JSON-serialisable) arguments.

        Raises TypeError if the function cannot take them and
        TaskDispatchError if they cannot be sent; nothing is sent then.
        """
        app = self._app
        if app is None:
            raise TaskDispatchError("task %s is not registered on an app yet (register its "
                                    "blueprint first)" % self.spec.name)
        spec = self.spec
        check_arguments(spec.func, args, kwargs, "%s.delay()" % spec.name)
        envelope, payload = build_envelope(spec, args, kwargs)
        dispatcher = app.task_dispatcher or _default_dispatcher(app)
        dispatcher.dispatch(spec, envelope, payload)
        return TaskHandle(envelope["id"], spec.name)

    def __repr__(self) -> str:
        return "<Task %s>" % self.spec.name


def check_arguments(func: "Any", args: "tuple[Any, ...]", kwargs: "dict[str, Any]",
                    where: str) -> None:
    """Raise TypeError, as calling ``func(*args, **kwargs)`` would, without calling it."""
    code = getattr(func, "__code__", None)
    if code is None or "__wrapped__" in getattr(func, "__dict__", ()):
        return  # not a plain function: nothing reliable to check
    names = code.co_varnames
    npos = code.co_argcount
    posonly = names[:code.co_posonlyargcount]
    positional = names[:npos]
    kwonly = names[npos:npos + code.co_kwonlyargcount]
    has_varargs = bool(code.co_flags & 0x04)
    has_varkw = bool(code.co_flags & 0x08)
    if len(args) > npos and not has_varargs:
        raise TypeError("%s: %s takes %d positional argument(s) but %d were given"
                        % (where, func.__name__, npos, len(args)))
    given = set(positional[:len(args)])
    for key in kwargs:
        if key in posonly:
            if has_varkw:
                continue  # goes into **kwargs; it does not fill the positional-only parameter
            raise TypeError("%s: argument %r is positional-only" % (where, key))
        if key in given:
            raise TypeError("%s: got multiple values for argument %r" % (where, key))
        if key not in positional and key not in kwonly and not has_varkw:
            raise TypeError("%s: unexpected keyword argument %r" % (where, key))
    defaults = func.__defaults__ or ()
    kwdefaults = func.__kwdefaults__ or {}
    missing = [n for n in positional[:npos - len(defaults)]
               if n not in given and (n in posonly or n not in kwargs)]
    missing += [n for n in kwonly if n not in kwargs and n not in kwdefaults]
    if missing:
        raise TypeError("%s: missing required argument(s) %s"
                        % (where, ", ".join(repr(n) for n in missing)))


def _check_json(value: "Any", where: str) -> None:
    """Refuse what JSON cannot carry unchanged (a str-keyed dict of plain values)."""
    kind = type(value)
    if value is None or kind in (str, int, bool):
        return
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise TaskDispatchError("%s is %r, which JSON cannot carry" % (where, value))
        return
    if kind in (list, tuple):
        for index, item in enumerate(value):
            _check_json(item, "%s[%d]" % (where, index))
        return
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise TaskDispatchError("%s has the key %r; JSON object keys are strings, so "
                                        "it would arrive changed; use string keys"
                                        % (where, key))
            _check_json(item, "%s[%r]" % (where, key))
        return
    hint = " (pass value.isoformat())" if hasattr(value, "isoformat") else ""
    raise TaskDispatchError("%s is of type %s, which JSON cannot carry; pass plain values (str, "
                            "int, float, bool, None, lists and dicts with string keys)%s"
                            % (where, kind.__name__, hint))


def build_envelope(spec: "TaskSpec", args: "tuple[Any, ...]",
                   kwargs: "dict[str, Any]") -> "tuple[dict[str, Any], str]":
    """The task envelope and its JSON; TaskDispatchError if it cannot be sent."""
    where = "%s.delay()" % spec.name
    for index, value in enumerate(args):
        _check_json(value, "%s: argument %d" % (where, index + 1))
    for key, value in kwargs.items():
        _check_json(value, "%s: argument %r" % (where, key))
    import time
    envelope = {
        ENVELOPE_KEY: "task", "v": ENVELOPE_VERSION, "task": spec.name,
        "id": os.urandom(16).hex(), "args": list(args), "kwargs": kwargs,
        "sent_at": round(time.time(), 3),
    }
    payload = json.dumps(envelope, separators=(",", ":"), allow_nan=False)
    size = len(payload.encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise TaskDispatchError(
            "%s: the arguments make a %d-byte payload, over myframework's %d-byte "
            "task envelope limit (Lambda's classic asynchronous payload limit); store large "
            "data elsewhere (S3, DynamoDB) and pass its key" % (where, size, MAX_PAYLOAD_BYTES))
    return envelope, payload


class LambdaDispatcher(TaskDispatcher):
    """Send each task as an asynchronous invoke of its queue's task function.

    ``functions`` maps queue name to function name or ARN (on Lambda, from
    ``MYFRAMEWORK_TASK_FUNCTIONS``); ``client`` is a boto3 Lambda client
    (created on first use when not given).
    """

    def __init__(self, functions: "dict[str, str]", client: "Any" = None) -> None:
        self.functions = dict(functions)
        self._client = client

    @classmethod
    def from_environment(cls) -> "LambdaDispatcher":
        raw = os.environ.get(TASK_FUNCTIONS_ENV, "")
        try:
            functions = json.loads(raw) if raw else {}
        except ValueError:
            functions = None
        if not isinstance(functions, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in functions.items()):
            raise TaskDispatchError("%s must be a JSON object of queue -> function name, got "
                                    "%r; the deployment sets it: redeploy the app"
                                    % (TASK_FUNCTIONS_ENV, raw[:200]))
        return cls(functions)

    def _lambda_client(self) -> "Any":
        if self._client is None:
            import boto3  # present on Lambda; imported only when a task is first sent
            # A session of its own: creating clients from boto3's default session is not
            # thread-safe.
            self._client = boto3.session.Session().client("lambda")
        return self._client

    def dispatch(self, spec: "TaskSpec", envelope: "dict[str, Any]", payload: str) -> None:
        function = self.functions.get(spec.queue)
        if not function:
            raise TaskDispatchError(
                "%s.delay(): task queue %r has no task function in this deployment (%s lists "
                "%s); redeploy the app so the queue gets a task function" % (
                    spec.name, spec.queue, TASK_FUNCTIONS_ENV,
                    ", ".join(sorted(self.functions)) or "none"))
        try:
            response = self._lambda_client().invoke(
                FunctionName=function, InvocationType="Event", Payload=payload.encode("utf-8"))
        except Exception as exc:
            raise TaskDispatchError("%s.delay(): could not invoke task function %s: %s" % (
                spec.name, function, exc)) from exc
        status = response.get("StatusCode")
        if status != 202:
            raise TaskDispatchError("%s.delay(): invoking %s asynchronously returned status %r, "
                                    "not 202" % (spec.name, function, status))


def _default_dispatcher(app: "App") -> TaskDispatcher:
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        dispatcher = LambdaDispatcher.from_environment()
        app.task_dispatcher = dispatcher
        return dispatcher
    raise TaskDispatchError(
        "task.delay() has nowhere to send the task: outside Lambda, use the test client "
        "(Client(app).tasks), a local worker pool (myframework.local.tasks.LocalTaskPool), or "
        "set app.task_dispatcher; to run a task inline, call it directly")


def summarise(args: "list[Any]", kwargs: "dict[str, Any]", limit: int = 300) -> str:
    """A short, truncated rendering of task arguments for logs."""
    parts = [_short(a) for a in args] + ["%s=%s" % (k, _short(v)) for k, v in kwargs.items()]
    text = "(" + ", ".join(parts) + ")"
    return text if len(text) <= limit else text[:limit - 4] + "...)"


def _short(value: "Any") -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def run_task_envelope(app: "App", envelope: "dict[str, Any]", context: "Any",
                      queue: "str | None" = None) -> "Any":
    """Run the registered task an envelope names; reject anything else.

    ``queue`` is the queue this function serves; a task of another queue
    still runs (so in-flight retries survive moving a task between queues),
    with a warning about the routing.
    """
    name = envelope.get("task")
    task_id = envelope.get("id")
    args = envelope.get("args", [])
    kwargs = envelope.get("kwargs", {})
    spec = app._tasks.get(name) if isinstance(name, str) else None
    problem = None
    if spec is None:
        problem = "it names %r, which is not a task registered on this app" % (name,)
    elif not isinstance(task_id, str) or not task_id:
        problem = "it has no task id"
    elif not isinstance(args, list) or not isinstance(kwargs, dict) or not all(
            isinstance(k, str) for k in kwargs):
        problem = "its args/kwargs are not a list and a string-keyed object"
    elif envelope.get("v") != ENVELOPE_VERSION:
        problem = "it has envelope version %r; this app reads version %d" % (
            envelope.get("v"), ENVELOPE_VERSION)
    if problem is not None or spec is None or not isinstance(task_id, str):
        message = "%s: rejected a task envelope: %s" % (app.app_name, problem)
        app.log.error(message)
        raise UnknownTaskError(message)
    if queue is not None and spec.queue != queue:
        app.log.warning("task %s (id %s) belongs to queue %r but reached the function for queue "
                        "%r; running it here", spec.name, task_id, spec.queue, queue)
    task_func = spec.func

    def run(invocation: "TaskInvocation") -> "Any":
        return task_func(*invocation.args, **invocation.kwargs)
    invocation = TaskInvocation(spec.name, task_id, args, kwargs, context)
    try:
        return app._run_event_chain("task", run, invocation)
    except Exception:
        app.log.error("task %s (id %s) failed; arguments %s", spec.name, task_id,
                      summarise(args, kwargs), exc_info=True)
        raise


__all__ = [
    "MAX_PAYLOAD_BYTES",
    "LambdaDispatcher",
    "Task",
    "TaskDispatcher",
    "TaskHandle",
    "build_envelope",
    "check_arguments",
    "run_task_envelope",
]
