"""``logs`` and ``invoke`` of deployed functions (myframework.deploy.remote): the
``--since`` forms, finding the function through the recorded state, reading
(and following) CloudWatch Logs, and invoking, with AWS behind a Stubber."""
from __future__ import annotations

import base64
import datetime
import io
import json
import pathlib
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from myframework.deploy.aws import Aws, DeployError
from myframework.deploy.remote import LogEvent, function_name, invoke, parse_since, read_logs
from myframework.deploy.state import DeployState

NOW = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc).timestamp()
GROUP = "/aws/lambda/shop-dev"


pytestmark = pytest.mark.usefixtures("no_aws_environment")


# -- parse_since ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "seconds"), [
    ("30s", 30), ("10m", 600), ("2h", 7200), ("1d", 86400), ("1w", 604800), (" 5 m ", 300)])
def test_since_duration_is_that_long_before_now(text: str, seconds: int) -> None:
    assert parse_since(text, NOW) == NOW - seconds


@pytest.fixture
def local_time_not_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's local time five hours behind UTC (a naive time must not use it)."""
    monkeypatch.setenv("TZ", "EST+05")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("local_time_not_utc")
@pytest.mark.parametrize(("text", "expected"), [
    ("2026-01-31T12:00:00Z", datetime.datetime(2026, 1, 31, 12, tzinfo=datetime.timezone.utc)),
    ("2026-01-31T14:00:00+02:00",
     datetime.datetime(2026, 1, 31, 12, tzinfo=datetime.timezone.utc)),
    ("2026-01-31T12:00:00", datetime.datetime(2026, 1, 31, 12, tzinfo=datetime.timezone.utc)),
], ids=["utc-z", "offset", "naive-is-utc"])
def test_since_iso_time(text: str, expected: datetime.datetime) -> None:
    assert parse_since(text, NOW) == expected.timestamp()


@pytest.mark.parametrize("text", ["3x", "ten minutes", "", "m10"])
def test_since_that_is_neither_is_an_error_with_examples(text: str) -> None:
    with pytest.raises(DeployError) as caught:
        parse_since(text, NOW)
    message = str(caught.value)
    assert repr(text) in message
    assert "10m" in message
    assert "2026-01-31T12:00:00Z" in message


# -- function_name --------------------------------------------------------------------------

def deployed(tmp_path: pathlib.Path) -> DeployState:
    state = DeployState.load(tmp_path, "shop", "dev")
    for key, name in [("function:api_handler", "shop-dev"),
                      ("function:on_job", "shop-dev-on_job"),
                      ("function:tasks:default", "shop-dev-tasks-default")]:
        state.record(key, {"kind": "function", "label": "function %s" % name,
                           "identity": {"FunctionName": name}, "config": None})
    state.record("role", {"kind": "role", "label": "IAM role shop-dev",
                          "identity": {"RoleName": "shop-dev"}, "config": None})
    return state


@pytest.mark.parametrize(("name", "expected"), [
    ("api_handler", "shop-dev"),  # registered name
    ("on_job", "shop-dev-on_job"),
    ("shop-dev-on_job", "shop-dev-on_job"),  # the name on AWS
    ("tasks:default", "shop-dev-tasks-default"),
    ("default", "shop-dev-tasks-default"),  # a task queue by its name
])
def test_function_name_finds_the_deployed_function(tmp_path: pathlib.Path, name: str,
                                                   expected: str) -> None:
    assert function_name(deployed(tmp_path), name) == expected


def test_unknown_function_is_an_error_listing_the_deployed_ones(tmp_path: pathlib.Path) -> None:
    with pytest.raises(DeployError) as caught:
        function_name(deployed(tmp_path), "shop-dev-role")
    message = str(caught.value)
    assert "'shop-dev-role'" in message
    assert "stage dev" in message
    assert "api_handler, on_job, tasks:default" in message


# -- read_logs ------------------------------------------------------------------------------

class FakeSleep:
    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.sleeps.append(seconds)


@pytest.fixture
def sleeps() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def aws(sleeps: FakeSleep) -> Aws:
    session = boto3.session.Session(region_name="us-east-1", aws_access_key_id="x",
                                    aws_secret_access_key="y")
    return Aws(session, sleep=sleeps)


@pytest.fixture
def lambda_stub(aws: Aws) -> Iterator[Stubber]:
    with Stubber(aws.client("lambda")) as stubber:
        yield stubber


@pytest.fixture
def logs_stub(aws: Aws) -> Iterator[Stubber]:
    with Stubber(aws.client("logs")) as stubber:
        yield stubber


def event(event_id: str, seconds: float, message: str) -> dict[str, Any]:
    return {"eventId": event_id, "timestamp": int((NOW + seconds) * 1000),
            "logStreamName": "2026/03/01/[$LATEST]0123456789abcdef", "message": message,
            "ingestionTime": int((NOW + seconds) * 1000)}


def test_logs_are_read_across_pages_in_order(aws: Aws, logs_stub: Stubber) -> None:
    start = int(NOW * 1000)
    logs_stub.add_response("filter_log_events", {
        "events": [event("1", 1, "START\n"), event("2", 2, "hello\n")], "nextToken": "more"},
        expected_params={"logGroupName": GROUP, "startTime": start})
    logs_stub.add_response("filter_log_events", {"events": [event("3", 3, "END\n")]},
                           expected_params={"logGroupName": GROUP, "startTime": start,
                                            "nextToken": "more"})

    events = list(read_logs(aws, "shop-dev", NOW))

    assert [item.message for item in events] == ["START\n", "hello\n", "END\n"]
    assert events[0] == LogEvent(int((NOW + 1) * 1000),
                                 "2026/03/01/[$LATEST]0123456789abcdef", "START\n")
    assert events[1].format() == "2026-03-01 12:00:02.000 89abcdef hello"
    logs_stub.assert_no_pending_responses()


def test_following_logs_shows_each_event_once_and_stops(aws: Aws, logs_stub: Stubber,
                                                        sleeps: FakeSleep) -> None:
    start = int(NOW * 1000)
    logs_stub.add_response("filter_log_events",
                           {"events": [event("1", 1, "one"), event("2", 2, "two")]},
                           expected_params={"logGroupName": GROUP, "startTime": start})
    # CloudWatch answers from the last timestamp seen, so that event comes again
    logs_stub.add_response("filter_log_events",
                           {"events": [event("2", 2, "two"), event("3", 3, "three")]},
                           expected_params={"logGroupName": GROUP,
                                            "startTime": int((NOW + 2) * 1000)})
    polls: list[int] = []

    def stop() -> bool:
        polls.append(1)
        return len(polls) == 2

    events = list(read_logs(aws, "shop-dev", NOW, follow=True, poll_seconds=2.0, stop=stop))

    assert [item.message for item in events] == ["one", "two", "three"]
    assert sleeps.sleeps == [2.0]
    logs_stub.assert_no_pending_responses()


def test_following_waits_for_a_log_group_that_does_not_exist_yet(
        aws: Aws, logs_stub: Stubber, sleeps: FakeSleep) -> None:
    logs_stub.add_client_error("filter_log_events", "ResourceNotFoundException",
                               "The specified log group does not exist.")
    logs_stub.add_response("filter_log_events", {"events": [event("1", 1, "first run")]})
    answers = iter([False, True])

    events = list(read_logs(aws, "shop-dev", NOW, follow=True, stop=lambda: next(answers)))

    assert [item.message for item in events] == ["first run"]
    assert sleeps.sleeps == [2.0]


def test_missing_log_group_without_follow_is_an_error(aws: Aws, logs_stub: Stubber) -> None:
    logs_stub.add_client_error("filter_log_events", "ResourceNotFoundException",
                               "The specified log group does not exist.")
    with pytest.raises(DeployError, match="shop-dev has no logs yet"):
        list(read_logs(aws, "shop-dev", NOW))


# -- invoke ---------------------------------------------------------------------------------

def test_payload_that_is_not_json_is_an_error_before_any_call(
        aws: Aws, lambda_stub: Stubber) -> None:
    with pytest.raises(DeployError) as caught:
        invoke(aws, "shop-dev", "{name: 1}")
    assert "--payload is not JSON" in str(caught.value)
    assert aws.calls == 0


def test_invoke_returns_the_payload_the_function_error_and_the_log_tail(
        aws: Aws, lambda_stub: Stubber) -> None:
    answer = json.dumps({"errorMessage": "boom", "errorType": "ValueError"}).encode()
    tail = "START RequestId: 1\nTraceback: boom\nEND RequestId: 1\n"
    lambda_stub.add_response("invoke", {
        "StatusCode": 200, "FunctionError": "Unhandled",
        "LogResult": base64.b64encode(tail.encode()).decode("ascii"),
        "Payload": StreamingBody(io.BytesIO(answer), len(answer))},
        expected_params={"FunctionName": "shop-dev", "InvocationType": "RequestResponse",
                         "LogType": "Tail", "Payload": b"{\"order\": 7}"})

    result = invoke(aws, "shop-dev", "{\"order\": 7}")

    assert result.payload == answer
    assert result.error == "Unhandled"
    assert result.log_tail == tail
    lambda_stub.assert_no_pending_responses()


def test_invoke_without_error_or_logs(aws: Aws, lambda_stub: Stubber) -> None:
    lambda_stub.add_response("invoke", {
        "StatusCode": 200, "Payload": StreamingBody(io.BytesIO(b"\"ok\""), 4)})

    result = invoke(aws, "shop-dev", "{}")

    assert (result.payload, result.error, result.log_tail) == (b"\"ok\"", None, "")
