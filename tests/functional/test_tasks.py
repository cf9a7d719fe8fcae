"""Tasks: ``@app.task``, ``.delay()``, the test client's recorder, the Lambda
dispatcher (boto3 behind botocore's Stubber), the receiving side of a task
envelope, and the local worker pool.

No test contacts AWS: every boto3 client is stubbed, and the environment
variables that say "running on Lambda" are removed unless a test sets them.
"""
import datetime
import decimal
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import ANY, Stubber

from myframework import (
    App,
    Blueprint,
    TaskDispatchError,
    TaskInvocation,
    UnknownEventError,
    UnknownTaskError,
)
from myframework.local.tasks import LocalTaskPool
from myframework.runtime.event_specs import TaskSpec
from myframework.runtime.tasks import MAX_PAYLOAD_BYTES, LambdaDispatcher, TaskDispatcher
from myframework.testing import Client, FakeLambdaContext

TASK_FUNCTIONS = {"default": "demo-dev-tasks", "reports": "demo-dev-reports"}
TASK_FUNCTIONS_ENV = "MYFRAMEWORK_TASK_FUNCTIONS"

SECRET_CALLS: list[Any] = []


def secret_function(*args: Any, **kwargs: Any) -> None:
    """A module-level function that is not a task: no envelope may ever run it."""
    SECRET_CALLS.append((args, kwargs))


class Demo:
    """An app with a few tasks (and one plain Lambda handler), and a log of what ran."""

    def __init__(self, name: str = "tasks-demo") -> None:
        app = self.app = App(name)
        calls: list[tuple[str, Any]] = []
        self.calls = calls

        @app.task
        def add(a: int, b: int) -> int:
            calls.append(("add", (a, b)))
            return a + b

        @app.task
        def echo(*args: Any, **kwargs: Any) -> dict[str, Any]:
            calls.append(("echo", (args, kwargs)))
            return {"args": list(args), "kwargs": kwargs}

        @app.task
        def boom(message: str = "boom", *extra: Any, **more: Any) -> None:
            calls.append(("boom", message))
            raise ValueError(message)

        @app.task
        def fan_out(n: int) -> str:
            calls.append(("fan_out", n))
            add.delay(n, n)
            echo.delay(n)
            return "queued"

        @app.task(queue="reports")
        def report(month: str) -> str:
            calls.append(("report", month))
            return "report " + month

        @app.task
        def forever(n: int) -> None:
            forever.delay(n + 1)

        @app.lambda_function(name="nightly")
        def nightly(event: Any, context: Any) -> str:
            calls.append(("nightly", event))
            return "ran"

        self.add = add
        self.echo = echo
        self.boom = boom
        self.fan_out = fan_out
        self.report = report
        self.forever = forever

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


def envelope(task: Any = "add", *, args: Any = None, kwargs: Any = None,
             task_id: Any = "0123456789abcdef0123456789abcdef", version: Any = 1,
             drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """A task envelope as ``.delay()`` sends it (the fields can be made wrong)."""
    event: dict[str, Any] = {
        "__myframework__": "task", "v": version, "task": task, "id": task_id,
        "args": [1, 2] if args is None else args, "kwargs": {} if kwargs is None else kwargs,
        "sent_at": 1700000000.5,
    }
    for key in drop:
        del event[key]
    return event


def dispatcher_of(app: App) -> TaskDispatcher | None:
    """``app.task_dispatcher`` as it is now (a call, so type checkers do not narrow it)."""
    return app.task_dispatcher


def error_messages(caplog: pytest.LogCaptureFixture, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == logger and r.levelno >= logging.ERROR]


# -- fixtures -----------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _not_on_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts outside Lambda, unbound, with no task functions configured."""
    for name in ("AWS_LAMBDA_FUNCTION_NAME", "MYFRAMEWORK_HANDLER", TASK_FUNCTIONS_ENV):
        monkeypatch.delenv(name, raising=False)
    SECRET_CALLS.clear()


@pytest.fixture
def demo() -> Demo:
    return Demo()


@pytest.fixture
def client(demo: Demo) -> Iterator[Client]:
    with Client(demo.app) as test_client:
        yield test_client


@pytest.fixture
def on_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "demo-dev")
    monkeypatch.setenv(TASK_FUNCTIONS_ENV, json.dumps({"default": "demo-dev-tasks"}))


@pytest.fixture(scope="module")
def boto_session() -> boto3.session.Session:
    return boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x",
                                 region_name="us-east-1")


class StubbedLambda:
    """A real boto3 Lambda client behind a Stubber; ``calls`` holds the parameters of
    every ``invoke`` the code under test made."""

    def __init__(self, session: boto3.session.Session) -> None:
        self.client = session.client("lambda")
        self.stubber = Stubber(self.client)
        self.calls: list[dict[str, Any]] = []
        self.client.meta.events.register("before-parameter-build.lambda.Invoke", self._capture)

    def _capture(self, params: dict[str, Any], **kwargs: Any) -> None:
        self.calls.append(dict(params))

    def expect_invoke(self, function: str, status: int = 202) -> None:
        self.stubber.add_response(
            "invoke", {"StatusCode": status},
            {"FunctionName": function, "InvocationType": "Event", "Payload": ANY})


@pytest.fixture
def stubbed_lambda(boto_session: boto3.session.Session) -> Iterator[StubbedLambda]:
    stub = StubbedLambda(boto_session)
    with stub.stubber:
        yield stub


class RecordingLambdaDispatcher(LambdaDispatcher):
    """A LambdaDispatcher that keeps the payload strings it was asked to send."""

    def __init__(self, functions: dict[str, str], client: Any = None) -> None:
        super().__init__(functions, client)
        self.sent: list[str] = []

    def dispatch(self, spec: TaskSpec, envelope: dict[str, Any], payload: str) -> None:
        self.sent.append(payload)
        super().dispatch(spec, envelope, payload)


@pytest.fixture
def pool(demo: Demo) -> Iterator[LocalTaskPool]:
    task_pool = LocalTaskPool(demo.app, workers=2, retry_delay=0)
    demo.app.task_dispatcher = task_pool
    try:
        yield task_pool
    finally:
        task_pool.shutdown()


# -- calling inline, and the test client's recorder -------------------------------------------

def test_calling_a_task_runs_it_inline_and_returns_the_result(demo: Demo, client: Client) -> None:
    assert demo.add(2, 3) == 5
    assert demo.add(a=4, b=5) == 9
    assert demo.calls == [("add", (2, 3)), ("add", (4, 5))]
    assert client.tasks.history == []  # an inline call sends nothing


def test_calling_a_task_inline_needs_no_dispatcher_outside_lambda(demo: Demo) -> None:
    assert demo.app.task_dispatcher is None
    assert demo.report("2024-01") == "report 2024-01"
    with pytest.raises(ValueError, match="kaboom"):
        demo.boom("kaboom")


def test_delay_records_a_pending_task(demo: Demo, client: Client) -> None:
    handle = demo.add.delay(1, b=2)
    assert demo.calls == []  # not run yet
    [task] = client.tasks.history
    assert task.status == "pending"
    assert client.tasks.pending == [task]
    assert (task.name, task.args, task.kwargs) == ("add", [1], {"b": 2})
    assert task.id == handle.id
    assert re.fullmatch(r"[0-9a-f]{32}", task.id)
    assert handle.task_name == "add"
    assert task.result is None
    assert task.error is None
    sent = json.loads(task.payload)
    assert sent["task"] == "add"
    assert sent["id"] == handle.id
    assert (sent["args"], sent["kwargs"]) == ([1], {"b": 2})


def test_every_delay_gets_its_own_id(demo: Demo, client: Client) -> None:
    ids = {demo.add.delay(1, 1).id for _ in range(20)}
    assert len(ids) == 20
    assert {t.id for t in client.tasks.history} == ids


def test_run_pending_runs_tasks_from_their_json_payload(demo: Demo, client: Client) -> None:
    demo.echo.delay((1, 2), "x", when={"k": (3, 4)}, flag=None)
    [task] = client.tasks.run_pending()
    # The task function receives what JSON carries: tuples arrive as lists.
    assert demo.calls == [("echo", (([1, 2], "x"), {"when": {"k": [3, 4]}, "flag": None}))]
    assert task.status == "succeeded"
    assert task.result == {"args": [[1, 2], "x"], "kwargs": {"when": {"k": [3, 4]}, "flag": None}}
    assert client.tasks.pending == []
    assert client.tasks.succeeded == [task]


def test_run_pending_stores_each_result_in_order(demo: Demo, client: Client) -> None:
    first = demo.add.delay(1, 2)
    second = demo.report.delay("2024-02")
    ran = client.tasks.run_pending()
    assert [t.id for t in ran] == [first.id, second.id]
    assert [t.result for t in ran] == [3, "report 2024-02"]
    assert all(t.status == "succeeded" for t in ran)
    assert client.tasks.run_pending() == []  # nothing left to run


def test_tasks_delayed_by_tasks_run_in_the_same_run_pending(demo: Demo, client: Client) -> None:
    demo.fan_out.delay(7)
    ran = client.tasks.run_pending()
    assert [t.name for t in ran] == ["fan_out", "add", "echo"]
    assert demo.names() == ["fan_out", "add", "echo"]
    assert [t.result for t in ran] == ["queued", 14, {"args": [7], "kwargs": {}}]
    assert client.tasks.pending == []
    assert len(client.tasks.succeeded) == 3


def test_run_pending_stops_a_task_loop(demo: Demo, client: Client) -> None:
    demo.forever.delay(0)
    with pytest.raises(RuntimeError, match="5 rounds"):
        client.tasks.run_pending(max_rounds=5)
    assert len(client.tasks.succeeded) == 5
    assert len(client.tasks.pending) == 1


def test_a_failing_task_is_recorded_then_reraised(demo: Demo, client: Client) -> None:
    demo.boom.delay("bad input")
    later = demo.add.delay(1, 1)
    with pytest.raises(ValueError, match="bad input") as info:
        client.tasks.run_pending()
    failed = client.tasks.named("boom")[0]
    assert failed.status == "failed"
    assert failed.error is info.value
    assert client.tasks.failed == [failed]
    assert [t.id for t in client.tasks.pending] == [later.id]  # the run stopped at the failure


def test_raise_errors_false_records_failures_and_runs_the_rest(
        demo: Demo, client: Client) -> None:
    demo.boom.delay("first")
    demo.add.delay(2, 2)
    ran = client.tasks.run_pending(raise_errors=False)
    assert [t.status for t in ran] == ["failed", "succeeded"]
    [failed] = client.tasks.failed
    assert isinstance(failed.error, ValueError)
    assert str(failed.error) == "first"
    assert failed.result is None
    assert client.tasks.succeeded[0].result == 4


def test_eager_tasks_run_when_delayed(demo: Demo) -> None:
    with Client(demo.app, eager_tasks=True) as eager:
        handle = demo.add.delay(2, 5)
        assert demo.calls == [("add", (2, 5))]
        [task] = eager.tasks.history
        assert task.id == handle.id
        assert (task.status, task.result) == ("succeeded", 7)


def test_eager_task_failure_propagates_to_the_caller(demo: Demo) -> None:
    with Client(demo.app, eager_tasks=True) as eager:
        with pytest.raises(ValueError, match="loud"):
            demo.boom.delay("loud")
        [task] = eager.tasks.history
        assert task.status == "failed"
        assert isinstance(task.error, ValueError)


def test_eager_tasks_run_tasks_they_delay(demo: Demo) -> None:
    with Client(demo.app, eager_tasks=True) as eager:
        demo.fan_out.delay(3)
        assert demo.names() == ["fan_out", "add", "echo"]
        assert [t.status for t in eager.tasks.history] == ["succeeded"] * 3


def test_a_view_that_delays_a_task(demo: Demo, client: Client) -> None:
    app = demo.app

    @app.route("/orders", methods=["POST"])
    def create_order() -> dict[str, Any]:
        body = app.current_request.json_body
        handle = demo.add.delay(body["a"], b=body["b"])
        return {"task_id": handle.id}

    response = client.http.post("/orders", json_body={"a": 20, "b": 22})
    assert response.status_code == 200
    [task] = client.tasks.pending
    assert response.json_body == {"task_id": task.id}
    assert (task.name, task.args, task.kwargs) == ("add", [20], {"b": 22})
    assert demo.calls == []  # the view only queued it
    client.tasks.run_pending()
    assert task.result == 42


def test_named_returns_the_tasks_of_one_name(demo: Demo, client: Client) -> None:
    demo.add.delay(1, 2)
    demo.echo.delay("x")
    demo.add.delay(3, 4)
    assert [t.args for t in client.tasks.named("add")] == [[1, 2], [3, 4]]
    assert [t.args for t in client.tasks.named("echo")] == [["x"]]
    assert client.tasks.named("report") == []


def test_clear_forgets_recorded_tasks(demo: Demo, client: Client) -> None:
    demo.add.delay(1, 2)
    demo.boom.delay()
    client.tasks.clear()
    assert client.tasks.history == []
    assert client.tasks.run_pending() == []
    assert demo.calls == []


def test_client_restores_the_previous_dispatcher_on_exit(demo: Demo) -> None:
    original = TaskDispatcher()
    demo.app.task_dispatcher = original
    with Client(demo.app) as test_client:
        assert demo.app.task_dispatcher is test_client.tasks
        demo.add.delay(1, 2)
    assert demo.app.task_dispatcher is original
    assert len(test_client.tasks.history) == 1


def test_client_close_gives_back_no_dispatcher(demo: Demo) -> None:
    test_client = Client(demo.app)
    assert demo.app.task_dispatcher is test_client.tasks
    test_client.close()
    assert dispatcher_of(demo.app) is None
    with pytest.raises(TaskDispatchError):
        demo.add.delay(1, 2)


def test_nested_clients_restore_in_order(demo: Demo) -> None:
    with Client(demo.app) as outer:
        with Client(demo.app) as inner:
            demo.add.delay(1, 2)
            assert demo.app.task_dispatcher is inner.tasks
        assert dispatcher_of(demo.app) is outer.tasks
        demo.add.delay(3, 4)
    assert dispatcher_of(demo.app) is None
    assert [t.args for t in inner.tasks.history] == [[1, 2]]
    assert [t.args for t in outer.tasks.history] == [[3, 4]]


def test_client_exit_keeps_a_dispatcher_set_meanwhile(demo: Demo) -> None:
    replacement = TaskDispatcher()
    with Client(demo.app):
        demo.app.task_dispatcher = replacement
    assert demo.app.task_dispatcher is replacement


def test_a_task_registered_with_a_name(client: Client, demo: Demo) -> None:
    @demo.app.task(name="send-mail")
    def send(to: str) -> str:
        return "sent to " + to

    assert send.name == "send-mail"
    send.delay("ann@example.com")
    [task] = client.tasks.run_pending()
    assert task.name == "send-mail"
    assert json.loads(task.payload)["task"] == "send-mail"
    assert task.result == "sent to ann@example.com"


def test_a_blueprint_task_is_delayed_under_its_prefixed_name(demo: Demo, client: Client) -> None:
    bp = Blueprint("mail")

    @bp.task
    def send(to: str) -> str:
        return "sent to " + to

    with pytest.raises(TaskDispatchError, match="not registered on an app"):
        send.delay("early@example.com")
    demo.app.register_blueprint(bp, name_prefix="mail_")
    send.delay("bob@example.com")
    [task] = client.tasks.run_pending()
    assert task.name == "mail_send"
    assert task.result == "sent to bob@example.com"


# -- .delay() refuses arguments before anything is sent ----------------------------------------

def two_args(a: Any, b: Any) -> Any:
    return [a, b]


def pos_only(a: Any, /, b: Any) -> Any:
    return [a, b]


def kw_only(a: Any, *, b: Any) -> Any:
    return [a, b]


def with_defaults(a: Any, b: Any = 1, *, c: Any = 2) -> Any:
    return [a, b, c]


def star_args(a: Any, *rest: Any) -> Any:
    return [a, list(rest)]


def anything(*args: Any, **kwargs: Any) -> Any:
    return [list(args), kwargs]


def only_kwargs(**kwargs: Any) -> Any:
    return kwargs


def pos_only_and_kwargs(a: Any, /, **kwargs: Any) -> Any:
    return [a, kwargs]


@pytest.mark.parametrize(("func", "args", "kwargs", "message"), [
    (two_args, (1,), {}, "missing required argument(s) 'b'"),
    (two_args, (), {}, "missing required argument(s) 'a', 'b'"),
    (two_args, (1, 2, 3), {}, "takes 2 positional argument(s) but 3 were given"),
    (two_args, (1, 2), {"c": 3}, "unexpected keyword argument 'c'"),
    (two_args, (1,), {"a": 2}, "got multiple values for argument 'a'"),
    (pos_only, (), {"a": 1, "b": 2}, "argument 'a' is positional-only"),
    (kw_only, (1,), {}, "missing required argument(s) 'b'"),
    (kw_only, (1, 2), {}, "takes 1 positional argument(s) but 2 were given"),
    (with_defaults, (), {"b": 1}, "missing required argument(s) 'a'"),
    (with_defaults, (1, 2, 3), {}, "takes 2 positional argument(s) but 3 were given"),
    (with_defaults, (1,), {"d": 4}, "unexpected keyword argument 'd'"),
    (star_args, (), {}, "missing required argument(s) 'a'"),
    (star_args, (1,), {"rest": [2]}, "unexpected keyword argument 'rest'"),
    (only_kwargs, (1,), {}, "takes 0 positional argument(s) but 1 were given"),
], ids=lambda value: getattr(value, "__name__", None))
def test_delay_refuses_arguments_the_function_cannot_take(
        func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
        message: str) -> None:
    app = App("signature-demo")
    task = app.task(func)
    with pytest.raises(TypeError):  # the call itself would fail the same way
        func(*args, **kwargs)
    with Client(app) as test_client:
        with pytest.raises(TypeError, match=re.escape(message)) as info:
            task.delay(*args, **kwargs)
        assert str(info.value).startswith("%s.delay(): " % func.__name__)
        assert test_client.tasks.history == []


@pytest.mark.parametrize(("func", "args", "kwargs"), [
    (with_defaults, (1,), {}),
    (with_defaults, (1, 5), {"c": 6}),
    (with_defaults, (), {"a": 1, "b": 5}),
    (kw_only, (1,), {"b": 2}),
    (kw_only, (), {"a": 1, "b": 2}),
    (pos_only, (1,), {"b": 2}),
    (pos_only, (1, 2), {}),
    (star_args, (1, 2, 3), {}),
    (anything, (), {}),
    (anything, (1, "two", [3]), {"x": 1, "y": {"z": None}}),
    (only_kwargs, (), {"any": 1, "name": 2}),
], ids=lambda value: getattr(value, "__name__", None))
def test_delay_accepts_what_the_function_accepts(
        func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    app = App("signature-demo")
    task = app.task(func)
    with Client(app) as test_client:
        task.delay(*args, **kwargs)
        [ran] = test_client.tasks.run_pending()
    assert ran.status == "succeeded"
    assert ran.result == func(*args, **kwargs)


def test_delay_lets_kwargs_take_a_name_of_a_positional_only_parameter() -> None:
    app = App("signature-demo")
    task = app.task(pos_only_and_kwargs)
    assert pos_only_and_kwargs(1, a=2) == [1, {"a": 2}]
    with Client(app) as test_client:
        task.delay(1, a=2)
        [ran] = test_client.tasks.run_pending()
    assert ran.result == [1, {"a": 2}]


def test_delay_refuses_a_positional_only_parameter_given_only_by_keyword() -> None:
    app = App("signature-demo")
    task = app.task(pos_only_and_kwargs)
    with pytest.raises(TypeError):
        pos_only_and_kwargs(a=2)  # type: ignore[call-arg]
    with Client(app) as test_client:
        try:
            with pytest.raises(TypeError, match="'a'"):
                task.delay(a=2)  # type: ignore[call-arg]
        finally:
            assert test_client.tasks.history == []


JSON_PROBLEMS = [
    pytest.param((datetime.datetime(2024, 1, 2, 3, 4, 5),), {},
                 ["argument 1 is of type datetime", "pass value.isoformat()"], id="datetime"),
    pytest.param((), {"when": datetime.date(2024, 1, 2)},
                 ["argument 'when' is of type date", "pass value.isoformat()"], id="date-kwarg"),
    pytest.param(({1, 2},), {}, ["argument 1 is of type set"], id="set"),
    pytest.param((b"raw",), {}, ["argument 1 is of type bytes"], id="bytes"),
    pytest.param(("ok", object()), {}, ["argument 2 is of type object"], id="object"),
    pytest.param((decimal.Decimal("1.5"),), {}, ["argument 1 is of type Decimal"], id="decimal"),
    pytest.param((float("nan"),), {}, ["argument 1 is nan"], id="nan"),
    pytest.param((), {"limit": float("inf")}, ["argument 'limit' is inf"], id="inf"),
    pytest.param((float("-inf"),), {}, ["argument 1 is -inf"], id="-inf"),
    pytest.param(({1: "one"},), {}, ["argument 1 has the key 1", "use string keys"],
                 id="int-key"),
    pytest.param(([1, [2, {3}]],), {}, ["argument 1[1][1] is of type set"], id="nested-list"),
    pytest.param((), {"payload": {"a": {"b": datetime.datetime(2024, 1, 1)}}},
                 ["argument 'payload'['a']['b'] is of type datetime", "isoformat"],
                 id="nested-dict"),
    pytest.param((), {"payload": {"rows": [{"id": 1}, {2: "x"}]}},
                 ["argument 'payload'['rows'][1] has the key 2"], id="nested-int-key"),
    pytest.param(((1, float("nan")),), {}, ["argument 1[1] is nan"], id="nan-in-tuple"),
]


@pytest.mark.parametrize(("args", "kwargs", "fragments"), JSON_PROBLEMS)
def test_delay_refuses_values_json_cannot_carry(
        demo: Demo, client: Client, args: tuple[Any, ...], kwargs: dict[str, Any],
        fragments: list[str]) -> None:
    with pytest.raises(TaskDispatchError) as info:
        demo.echo.delay(*args, **kwargs)
    message = str(info.value)
    assert message.startswith("echo.delay(): ")
    for fragment in fragments:
        assert fragment in message
    assert client.tasks.history == []
    assert demo.calls == []


@pytest.mark.parametrize("value", [{1, 2}, b"raw", object()], ids=["set", "bytes", "object"])
def test_the_isoformat_hint_is_only_for_dates(demo: Demo, client: Client, value: Any) -> None:
    with pytest.raises(TaskDispatchError) as info:
        demo.echo.delay(value)
    assert "isoformat" not in str(info.value)


def test_max_payload_is_the_async_invoke_limit() -> None:
    assert MAX_PAYLOAD_BYTES == 256 * 1024


def test_delay_refuses_a_payload_over_the_limit(demo: Demo, client: Client) -> None:
    limit = "over myframework's %d-byte task envelope limit" % MAX_PAYLOAD_BYTES
    with pytest.raises(TaskDispatchError, match=limit):
        demo.echo.delay("x" * MAX_PAYLOAD_BYTES)
    assert client.tasks.history == []


def test_payload_limit_boundary(demo: Demo, client: Client,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: 1700000000.25)  # a fixed-width sent_at
    demo.echo.delay("")
    overhead = len(client.tasks.history[0].payload.encode("utf-8"))
    client.tasks.clear()
    fill = MAX_PAYLOAD_BYTES - overhead

    demo.echo.delay("x" * fill)  # exactly at the limit: sent
    [task] = client.tasks.history
    assert len(task.payload.encode("utf-8")) == MAX_PAYLOAD_BYTES

    with pytest.raises(TaskDispatchError, match="%d-byte payload" % (MAX_PAYLOAD_BYTES + 1)):
        demo.echo.delay("x" * (fill + 1))
    assert len(client.tasks.history) == 1
    client.tasks.run_pending()
    assert task.status == "succeeded"


# -- nowhere to send it -------------------------------------------------------------------------

def test_delay_outside_lambda_without_dispatcher_raises(demo: Demo) -> None:
    assert "AWS_LAMBDA_FUNCTION_NAME" not in os.environ
    with pytest.raises(TaskDispatchError) as info:
        demo.add.delay(1, 2)
    message = str(info.value)
    for advice in ("LocalTaskPool", "Client(app).tasks", "app.task_dispatcher",
                   "call it directly"):
        assert advice in message
    assert demo.calls == []  # never run inline as a fallback
    assert demo.app.task_dispatcher is None


def test_delay_outside_lambda_checks_arguments_first(demo: Demo) -> None:
    with pytest.raises(TypeError, match="missing required"):
        demo.add.delay(1)  # type: ignore[call-arg]
    with pytest.raises(TaskDispatchError, match="isoformat"):
        demo.add.delay(1, datetime.date(2024, 1, 1))  # type: ignore[arg-type]
    assert demo.calls == []


# -- on Lambda: asynchronous invokes --------------------------------------------------------

@pytest.mark.usefixtures("on_lambda")
def test_lambda_dispatcher_invokes_the_task_function_asynchronously(
        demo: Demo, stubbed_lambda: StubbedLambda) -> None:
    dispatcher = RecordingLambdaDispatcher(TASK_FUNCTIONS, client=stubbed_lambda.client)
    demo.app.task_dispatcher = dispatcher
    stubbed_lambda.expect_invoke("demo-dev-tasks")
    handle = demo.add.delay(1, b=2)
    stubbed_lambda.stubber.assert_no_pending_responses()
    [call] = stubbed_lambda.calls
    assert call["FunctionName"] == "demo-dev-tasks"
    assert call["InvocationType"] == "Event"
    assert isinstance(call["Payload"], bytes)
    assert call["Payload"] == dispatcher.sent[0].encode("utf-8")
    sent = json.loads(call["Payload"])
    assert sent == {"__myframework__": "task", "v": 1, "task": "add", "id": handle.id,
                    "args": [1], "kwargs": {"b": 2}, "sent_at": sent["sent_at"]}
    assert abs(sent["sent_at"] - time.time()) < 60
    assert demo.calls == []  # sent, not run here


@pytest.mark.usefixtures("on_lambda")
def test_the_invoked_payload_runs_on_the_task_function(
        demo: Demo, stubbed_lambda: StubbedLambda, monkeypatch: pytest.MonkeyPatch) -> None:
    demo.app.task_dispatcher = LambdaDispatcher(TASK_FUNCTIONS, client=stubbed_lambda.client)
    stubbed_lambda.expect_invoke("demo-dev-tasks")
    demo.echo.delay((1, 2), note="hi")
    event = json.loads(stubbed_lambda.calls[0]["Payload"])

    monkeypatch.setenv("MYFRAMEWORK_HANDLER", "tasks:default")
    receiver = Demo()  # the same app, as the deployed task function loads it
    result = receiver.app(event, FakeLambdaContext("demo-dev-tasks"))
    assert result == {"args": [[1, 2]], "kwargs": {"note": "hi"}}
    assert receiver.names() == ["echo"]


@pytest.mark.usefixtures("on_lambda")
def test_lambda_dispatcher_picks_the_function_of_the_task_queue(
        demo: Demo, stubbed_lambda: StubbedLambda) -> None:
    demo.app.task_dispatcher = LambdaDispatcher(TASK_FUNCTIONS, client=stubbed_lambda.client)
    stubbed_lambda.expect_invoke("demo-dev-reports")
    stubbed_lambda.expect_invoke("demo-dev-tasks")
    demo.report.delay("2024-03")
    demo.add.delay(1, 2)
    stubbed_lambda.stubber.assert_no_pending_responses()
    assert [c["FunctionName"] for c in stubbed_lambda.calls] == ["demo-dev-reports",
                                                                "demo-dev-tasks"]


@pytest.mark.usefixtures("on_lambda")
def test_lambda_dispatcher_refuses_a_queue_without_a_function(
        demo: Demo, stubbed_lambda: StubbedLambda) -> None:
    demo.app.task_dispatcher = LambdaDispatcher({"default": "demo-dev-tasks"},
                                                client=stubbed_lambda.client)
    with pytest.raises(TaskDispatchError) as info:
        demo.report.delay("2024-03")
    message = str(info.value)
    assert "'reports'" in message
    assert "report.delay()" in message
    assert TASK_FUNCTIONS_ENV in message
    assert "default" in message
    assert stubbed_lambda.calls == []


@pytest.mark.usefixtures("on_lambda")
def test_lambda_dispatcher_refuses_a_status_other_than_202(
        demo: Demo, stubbed_lambda: StubbedLambda) -> None:
    demo.app.task_dispatcher = LambdaDispatcher(TASK_FUNCTIONS, client=stubbed_lambda.client)
    stubbed_lambda.expect_invoke("demo-dev-tasks", status=200)
    with pytest.raises(TaskDispatchError, match="status 200, not 202"):
        demo.add.delay(1, 2)
    assert len(stubbed_lambda.calls) == 1


@pytest.mark.usefixtures("on_lambda")
def test_lambda_dispatcher_wraps_a_client_error(
        demo: Demo, stubbed_lambda: StubbedLambda) -> None:
    demo.app.task_dispatcher = LambdaDispatcher(TASK_FUNCTIONS, client=stubbed_lambda.client)
    stubbed_lambda.stubber.add_client_error(
        "invoke", service_error_code="ResourceNotFoundException",
        service_message="Function not found: demo-dev-tasks", http_status_code=404)
    with pytest.raises(TaskDispatchError) as info:
        demo.add.delay(1, 2)
    assert isinstance(info.value.__cause__, ClientError)
    assert "could not invoke task function demo-dev-tasks" in str(info.value)
    assert "ResourceNotFoundException" in str(info.value)


@pytest.mark.usefixtures("on_lambda")
def test_lambda_dispatcher_sends_nothing_for_bad_arguments(
        demo: Demo, stubbed_lambda: StubbedLambda) -> None:
    demo.app.task_dispatcher = LambdaDispatcher(TASK_FUNCTIONS, client=stubbed_lambda.client)
    with pytest.raises(TypeError, match="positional"):
        demo.add.delay(1, 2, 3)  # type: ignore[call-arg]
    with pytest.raises(TaskDispatchError, match="set"):
        demo.add.delay(1, {3})  # type: ignore[arg-type]
    with pytest.raises(TaskDispatchError):
        demo.echo.delay("x" * MAX_PAYLOAD_BYTES)
    assert stubbed_lambda.calls == []


def test_from_environment_reads_the_task_functions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TASK_FUNCTIONS_ENV, json.dumps(TASK_FUNCTIONS))
    dispatcher = LambdaDispatcher.from_environment()
    assert dispatcher.functions == TASK_FUNCTIONS


def test_from_environment_without_the_variable_has_no_functions(
        demo: Demo, stubbed_lambda: StubbedLambda) -> None:
    dispatcher = LambdaDispatcher.from_environment()
    assert dispatcher.functions == {}
    dispatcher._client = stubbed_lambda.client
    demo.app.task_dispatcher = dispatcher
    with pytest.raises(TaskDispatchError, match=r"queue 'default' .*lists none"):
        demo.add.delay(1, 2)
    assert stubbed_lambda.calls == []


@pytest.mark.parametrize("raw", [
    "not json", "{", "[]", '["default"]', '"demo-dev-tasks"', "null", "42",
    '{"default": 1}', '{"default": ["demo-dev-tasks"]}', '{"default": null}',
])
def test_from_environment_refuses_a_malformed_variable(
        monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(TASK_FUNCTIONS_ENV, raw)
    with pytest.raises(TaskDispatchError) as info:
        LambdaDispatcher.from_environment()
    assert TASK_FUNCTIONS_ENV in str(info.value)
    assert "JSON object" in str(info.value)


@pytest.mark.usefixtures("on_lambda")
def test_the_default_dispatcher_on_lambda_invokes_from_the_environment(
        demo: Demo, stubbed_lambda: StubbedLambda, monkeypatch: pytest.MonkeyPatch) -> None:
    requested: list[str] = []

    def fake_client(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        requested.append(service_name)
        return stubbed_lambda.client

    monkeypatch.setattr(boto3.session.Session, "client", fake_client)
    assert demo.app.task_dispatcher is None
    stubbed_lambda.expect_invoke("demo-dev-tasks")
    stubbed_lambda.expect_invoke("demo-dev-tasks")
    first = demo.add.delay(1, 2)
    second = demo.echo.delay("x")
    dispatcher = dispatcher_of(demo.app)
    assert type(dispatcher) is LambdaDispatcher
    assert dispatcher.functions == {"default": "demo-dev-tasks"}
    assert requested == ["lambda"]  # one client, made on first use and kept
    stubbed_lambda.stubber.assert_no_pending_responses()
    assert [json.loads(c["Payload"])["id"] for c in stubbed_lambda.calls] == [first.id,
                                                                              second.id]
    assert demo.calls == []


def test_the_default_dispatcher_on_lambda_needs_the_task_functions(
        demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "demo-dev")
    with pytest.raises(TaskDispatchError, match=r"queue 'default' has no task function"):
        demo.add.delay(1, 2)
    assert type(demo.app.task_dispatcher) is LambdaDispatcher
    assert demo.calls == []


def test_the_default_dispatcher_on_lambda_refuses_a_malformed_variable(
        demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "demo-dev")
    monkeypatch.setenv(TASK_FUNCTIONS_ENV, "{not json")
    with pytest.raises(TaskDispatchError, match=TASK_FUNCTIONS_ENV):
        demo.add.delay(1, 2)
    assert demo.app.task_dispatcher is None
    assert demo.calls == []


# -- the receiving side -------------------------------------------------------------------------

def test_the_app_runs_a_task_envelope(demo: Demo) -> None:
    assert demo.app(envelope("add", args=[2], kwargs={"b": 3})) == 5
    assert demo.calls == [("add", (2, 3))]


def test_a_tasks_bound_app_runs_task_envelopes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYFRAMEWORK_HANDLER", "tasks:default")
    bound = Demo()
    context = FakeLambdaContext("tasks-demo-tasks-default")
    assert bound.app(envelope("add", args=[4, 5]), context) == 9
    assert bound.app(envelope("echo", args=["a"], kwargs={"k": 1}), context) == {
        "args": ["a"], "kwargs": {"k": 1}}
    assert bound.names() == ["add", "echo"]


def test_a_tasks_bound_app_refuses_other_events(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYFRAMEWORK_HANDLER", "tasks:default")
    bound = Demo()
    s3_event = Client(bound.app).events.generate_s3_event("bucket", "key")
    with pytest.raises(UnknownEventError, match="runs tasks"):
        bound.app(s3_event)
    with pytest.raises(UnknownEventError, match="runs tasks"):
        bound.app({"task": "add", "args": [1, 2], "id": "x"})  # no envelope marker
    assert bound.calls == []


BAD_ENVELOPES = [
    pytest.param(envelope("os.system", args=["echo pwned"]), id="os.system"),
    pytest.param(envelope("__import__", args=["os"]), id="__import__"),
    pytest.param(envelope("app.secret_function"), id="dotted-module-function"),
    pytest.param(envelope("secret_function"), id="unregistered-function"),
    pytest.param(envelope("nightly", args=[{"x": 1}, None]), id="a-handler-not-a-task"),
    pytest.param(envelope("Add"), id="wrong-case"),
    pytest.param(envelope(None), id="no-task-name"),
    pytest.param(envelope(["add"]), id="task-name-not-a-string"),
    pytest.param(envelope("add", version=2), id="version-2"),
    pytest.param(envelope("add", drop=("v",)), id="no-version"),
    pytest.param(envelope("add", args="12"), id="args-a-string"),
    pytest.param(envelope("add", args={"a": 1, "b": 2}), id="args-an-object"),
    pytest.param(envelope("add", args=[], kwargs=[1, 2]), id="kwargs-a-list"),
    pytest.param(envelope("add", args=[], kwargs="a=1"), id="kwargs-a-string"),
    pytest.param(envelope("add", drop=("id",)), id="no-id"),
    pytest.param(envelope("add", task_id=""), id="empty-id"),
    pytest.param(envelope("add", task_id=12), id="id-not-a-string"),
]


@pytest.mark.parametrize("bound", [False, True], ids=["combined", "tasks-bound"])
@pytest.mark.parametrize("event", BAD_ENVELOPES)
def test_a_bad_envelope_is_rejected_logged_and_never_runs_anything(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        event: dict[str, Any], bound: bool) -> None:
    system_calls: list[Any] = []
    monkeypatch.setattr(os, "system", lambda *a: system_calls.append(a))
    if bound:
        monkeypatch.setenv("MYFRAMEWORK_HANDLER", "tasks:default")
    receiver = Demo("tasks-receiver")
    with pytest.raises(UnknownTaskError) as info:
        receiver.app(event, FakeLambdaContext("tasks-receiver-tasks-default"))
    assert "rejected a task envelope" in str(info.value)
    assert str(info.value) in error_messages(caplog, "tasks-receiver")
    assert receiver.calls == []
    assert SECRET_CALLS == []
    assert system_calls == []


def test_a_rejected_envelope_names_what_it_asked_for(
        demo: Demo, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(UnknownTaskError, match=r"'os\.system', which is not a task registered"):
        demo.app(envelope("os.system"))
    with pytest.raises(UnknownTaskError, match="envelope version 2"):
        demo.app(envelope("add", version=2))
    with pytest.raises(UnknownTaskError, match="no task id"):
        demo.app(envelope("add", drop=("id",)))
    assert len(error_messages(caplog, "tasks-demo")) == 3


def test_a_failing_task_logs_its_name_id_and_a_short_argument_summary(
        demo: Demo, caplog: pytest.LogCaptureFixture) -> None:
    long_text = "y" * 5000
    event = envelope("boom", args=[long_text], kwargs={"note": "short"})
    with pytest.raises(ValueError, match=r"^y{5000}$"):
        demo.app(event)
    [record] = [r for r in caplog.records if r.name == "tasks-demo"
                and r.levelno == logging.ERROR]
    message = record.getMessage()
    assert "task boom" in message
    assert event["id"] in message
    assert "failed" in message
    assert "'yyyy" in message
    assert "..." in message
    assert "note='short'" in message
    assert long_text not in message
    assert len(message) < 400
    assert record.exc_info is not None
    assert record.exc_info[0] is ValueError


def test_the_argument_summary_of_many_arguments_is_capped(
        demo: Demo, caplog: pytest.LogCaptureFixture) -> None:
    args = ["z" * 40 + str(i) for i in range(50)]
    event = envelope("boom", args=args)
    with pytest.raises(ValueError, match=r"^z{40}0$"):
        demo.app(event)
    [message] = error_messages(caplog, "tasks-demo")
    summary = message.split("; arguments ", 1)[1]
    assert len(summary) <= 300
    assert summary.startswith("('zzz")
    assert summary.endswith("...)")


def test_a_failing_task_through_the_client_is_logged_too(
        demo: Demo, client: Client, caplog: pytest.LogCaptureFixture) -> None:
    handle = demo.boom.delay("nope")
    client.tasks.run_pending(raise_errors=False)
    [message] = error_messages(caplog, "tasks-demo")
    assert "task boom (id %s) failed" % handle.id in message
    assert "'nope'" in message


def test_task_middleware_sees_the_task_invocation(demo: Demo, client: Client) -> None:
    seen: list[TaskInvocation] = []
    order: list[str] = []

    @demo.app.middleware("task")
    def around_tasks(invocation: TaskInvocation, get_response: Callable[[Any], Any]) -> Any:
        seen.append(invocation)
        order.append("task-middleware")
        return {"wrapped": get_response(invocation)}

    @demo.app.middleware("all")
    def around_everything(event: Any, get_response: Callable[[Any], Any]) -> Any:
        order.append("all-middleware:%s" % type(event).__name__)
        return get_response(event)

    @demo.app.middleware("s3")
    def around_s3(event: Any, get_response: Callable[[Any], Any]) -> Any:
        order.append("s3-middleware")
        return get_response(event)

    handle = demo.add.delay(1, b=2)
    [task] = client.tasks.run_pending()
    [invocation] = seen
    assert isinstance(invocation, TaskInvocation)
    assert (invocation.name, invocation.id) == ("add", handle.id)
    assert (invocation.args, invocation.kwargs) == ([1], {"b": 2})
    assert invocation.context.function_name == "tasks-demo-tasks-default"
    assert task.result == {"wrapped": 3}
    assert order == ["task-middleware", "all-middleware:TaskInvocation"]


def test_task_middleware_can_refuse_to_run_a_task(demo: Demo) -> None:
    @demo.app.middleware("task")
    def deny(invocation: TaskInvocation, get_response: Callable[[Any], Any]) -> Any:
        if invocation.name == "add":
            raise PermissionError("add is disabled")
        return get_response(invocation)

    with pytest.raises(PermissionError):
        demo.app(envelope("add"))
    assert demo.app(envelope("echo", args=[1])) == {"args": [1], "kwargs": {}}
    assert demo.names() == ["echo"]


# -- the local worker pool ----------------------------------------------------------------------

def test_pool_runs_tasks_on_worker_threads(demo: Demo, pool: LocalTaskPool) -> None:
    threads: list[str] = []

    @demo.app.task
    def where(tag: Any) -> None:
        threads.append(threading.current_thread().name)
        demo.calls.append(("where", tag))

    for i in range(4):
        where.delay((i, "tuple"))
    assert pool.join(timeout=5)
    assert pool.completed == 4
    assert pool.failed == 0
    assert len(threads) == 4
    assert threading.current_thread().name not in threads
    assert all(name.startswith("myframework-task") for name in threads)
    # the pool runs the JSON payload, as the task function would
    assert sorted(tag for _, tag in demo.calls) == [[i, "tuple"] for i in range(4)]


def test_pool_join_waits_for_running_tasks(demo: Demo, pool: LocalTaskPool) -> None:
    release = threading.Event()
    finished: list[bool] = []

    @demo.app.task
    def slow() -> None:
        release.wait(5)
        finished.append(True)

    slow.delay()
    assert pool.join(timeout=0.05) is False
    assert finished == []
    release.set()
    assert pool.join(timeout=5) is True
    assert finished == [True]
    assert pool.completed == 1


def test_pool_retries_a_failing_task_until_it_succeeds(
        demo: Demo, pool: LocalTaskPool, caplog: pytest.LogCaptureFixture) -> None:
    attempts: list[int] = []

    @demo.app.task(retries=2)
    def flaky(n: int) -> int:
        attempts.append(n)
        if len(attempts) < 3:
            raise ConnectionError("try again")
        return n

    flaky.delay(5)
    assert pool.join(timeout=5)
    assert attempts == [5, 5, 5]
    assert (pool.completed, pool.failed) == (1, 0)
    warnings = [r.getMessage() for r in caplog.records
                if r.name == "myframework.local.tasks" and r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert all("retrying" in w for w in warnings)
    assert error_messages(caplog, "myframework.local.tasks") == []


def test_pool_gives_up_after_the_retries(
        demo: Demo, pool: LocalTaskPool, caplog: pytest.LogCaptureFixture) -> None:
    attempts: list[int] = []

    @demo.app.task(retries=1)
    def broken() -> None:
        attempts.append(1)
        raise RuntimeError("always")

    handle = broken.delay()
    assert pool.join(timeout=5)
    assert len(attempts) == 2
    assert (pool.completed, pool.failed) == (0, 1)
    [given_up] = error_messages(caplog, "myframework.local.tasks")
    assert "failed after 2 attempt(s)" in given_up
    assert "broken" in given_up
    assert handle.id in given_up
    # each attempt was also logged by the receiving side, with the task id
    assert len([m for m in error_messages(caplog, "tasks-demo") if handle.id in m]) == 2


def test_pool_retries_twice_when_the_task_does_not_say(
        demo: Demo, pool: LocalTaskPool, caplog: pytest.LogCaptureFixture) -> None:
    demo.boom.delay("again")
    assert pool.join(timeout=5)
    assert demo.names() == ["boom", "boom", "boom"]
    assert pool.failed == 1
    assert any("failed after 3 attempt(s)" in m
               for m in error_messages(caplog, "myframework.local.tasks"))


def test_pool_with_no_retries_runs_once_and_names_the_dead_letter_target(
        demo: Demo, pool: LocalTaskPool, caplog: pytest.LogCaptureFixture) -> None:
    dlq = "arn:aws:sqs:us-east-1:123456789012:failed-tasks"
    attempts: list[int] = []

    @demo.app.task(retries=0, dead_letter=dlq)
    def once() -> None:
        attempts.append(1)
        raise RuntimeError("no")

    once.delay()
    assert pool.join(timeout=5)
    assert attempts == [1]
    [given_up] = error_messages(caplog, "myframework.local.tasks")
    assert "failed after 1 attempt(s)" in given_up
    assert dlq in given_up


def test_pool_runs_tasks_delayed_by_tasks(demo: Demo, pool: LocalTaskPool) -> None:
    demo.fan_out.delay(2)
    assert pool.join(timeout=5)
    assert sorted(demo.names()) == ["add", "echo", "fan_out"]
    assert (pool.completed, pool.failed) == (3, 0)


def test_pool_shutdown_finishes_what_was_sent(demo: Demo) -> None:
    task_pool = LocalTaskPool(demo.app, workers=1, retry_delay=0)
    demo.app.task_dispatcher = task_pool
    for i in range(5):
        demo.add.delay(i, i)
    task_pool.shutdown()
    assert task_pool.completed == 5
    assert sorted(args for _, args in demo.calls) == [(i, i) for i in range(5)]
    assert task_pool.join(timeout=1)


def test_pool_needs_a_worker(demo: Demo) -> None:
    with pytest.raises(ValueError, match="workers must be at least 1"):
        LocalTaskPool(demo.app, workers=0)
