"""What ``myframework local`` does in front of the function (myframework/local/gateway.py),
through a real server on 127.0.0.1: HTTP request -> the event API Gateway (REST or
HTTP API), a Function URL or an ALB would send -> the app -> the HTTP response.

What a user relies on: query strings, JSON and binary bodies, several cookies,
non-ASCII paths and 404s behave as behind the real service in every event
format; CORS preflights are answered; the view sees the X-Forwarded-* headers
the service adds; a mounted Flask app builds its URLs without a stage; routes
with authorizers are refused or let through as far as that can be checked
locally; ``.delay()`` runs tasks on the local pool; and an event over Lambda's
6 MB limit is refused.
"""
from __future__ import annotations

import base64
import json
import logging
import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from myframework import (
    App,
    CognitoUserPoolAuthorizer,
    CustomAuthorizer,
    IAMAuthorizer,
    Response,
)
from myframework.local.tasks import LocalTaskPool
from tests.apps.flask_site import create_app

from .local_helpers import LiveServer, Servers

FORMATS = ("rest", "http-api", "function-url", "alb")
POOL_ARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Example"
CUSTOM_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
              "arn:aws:lambda:us-east-1:123456789012:function:auth/invocations")
FORWARDED = ("x-forwarded-for", "x-forwarded-proto", "x-forwarded-port")


class Demo:
    """The app behind the gateway, and what its views and tasks saw."""

    def __init__(self) -> None:
        app = self.app = App("local-gateway")
        self.uploads: list[int] = []
        self.task_calls: list[Any] = []
        self.task_ran = threading.Event()

        @app.route("/query")
        def query() -> dict[str, Any]:
            return {"params": app.current_request.query_params.to_dict()}

        @app.route("/json", methods=["POST"])
        def echo_json() -> dict[str, Any]:
            return {"got": app.current_request.json_body}

        @app.route("/binary", methods=["POST"], content_types=["application/octet-stream"])
        def echo_binary() -> Response:
            data = app.current_request.raw_body
            self.uploads.append(len(data))
            return Response(body=data, headers={"Content-Type": "application/octet-stream"})

        @app.route("/cookies")
        def cookies() -> Response:
            return Response({"cookies": 3}, {"Set-Cookie": [
                "first=1", "second=two; Path=/; HttpOnly", "third=3; SameSite=Lax"]})

        @app.route("/hello/{name}")
        def hello(name: str) -> dict[str, str]:
            return {"name": name, "path": app.current_request.path}

        @app.route("/cors", methods=["GET", "PUT"], cors=True)
        def with_cors() -> dict[str, bool]:
            return {"cors": True}

        @app.route("/forwarded")
        def forwarded() -> dict[str, Any]:
            headers = app.current_request.headers
            return {name: headers.getlist(name) for name in FORWARDED}

        @app.route("/iam", authorizer=IAMAuthorizer())
        def iam() -> dict[str, bool]:
            return {"iam": True}

        @app.route("/cognito", authorizer=CognitoUserPoolAuthorizer(
            "pool", provider_arns=[POOL_ARN]))
        def cognito() -> dict[str, Any]:
            return {"authorizer": app.current_request.context.get("authorizer")}

        @app.route("/custom", authorizer=CustomAuthorizer("tokens", CUSTOM_URI))
        def custom() -> dict[str, bool]:
            return {"custom": True}

        @app.task
        def remember(value: Any) -> None:
            self.task_calls.append(value)
            self.task_ran.set()

        @app.route("/delay", methods=["POST"])
        def delay() -> dict[str, bool]:
            remember.delay(app.current_request.json_body)
            return {"queued": True}


@pytest.fixture(autouse=True)
def _not_on_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    """A function deployed for one handler would not route HTTP requests at all."""
    monkeypatch.delenv("MYFRAMEWORK_HANDLER", raising=False)
    monkeypatch.delenv("MYFRAMEWORK_BASE_PATH", raising=False)


@pytest.fixture
def demo() -> Demo:
    return Demo()


@pytest.fixture
def servers() -> Iterator[Servers]:
    with Servers() as started:
        yield started


@pytest.fixture(params=FORMATS)
def event_format(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def live(servers: Servers, demo: Demo, event_format: str) -> LiveServer:
    return servers.app(demo.app, event_format)


def warnings_from(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "myframework.local" and r.levelno == logging.WARNING
            and text in r.getMessage()]


def unsigned_jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        raw = json.dumps(value).encode("utf-8")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
    return "%s.%s.%s" % (part({"alg": "none", "typ": "JWT"}), part(claims), "c2lnbmF0dXJl")


# -- every event format ------------------------------------------------------------------

def test_get_with_a_query_string(live: LiveServer) -> None:
    answer = live.request("GET", "/query?limit=2&name=two%20words&plus=a+b&empty=")
    assert answer.status == 200
    assert answer.json() == {"params": {"limit": ["2"], "name": ["two words"],
                                        "plus": ["a b"], "empty": [""]}}


def test_repeated_query_keys(live: LiveServer, event_format: str) -> None:
    answer = live.request("GET", "/query?kind=cat&kind=dog&other=1")
    assert answer.status == 200
    # An ALB without multi-value headers passes only the last value, as on AWS.
    kinds = ["dog"] if event_format == "alb" else ["cat", "dog"]
    assert answer.json() == {"params": {"kind": kinds, "other": ["1"]}}


def test_json_post(live: LiveServer) -> None:
    payload = {"name": "Rex", "tags": ["good", "dog"], "age": 3, "text": "caf\u00e9"}
    answer = live.request("POST", "/json", body=json.dumps(payload),
                          headers={"Content-Type": "application/json"})
    assert answer.status == 200
    assert answer.get("Content-Type") == "application/json"
    assert answer.json() == {"got": payload}


def test_binary_upload_is_echoed_byte_identical(live: LiveServer, demo: Demo) -> None:
    assert "application/octet-stream" in demo.app.api.binary_types
    data = os.urandom(256 * 1024) + b"\x00\xff\r\n\r\n"
    answer = live.request("POST", "/binary", body=data,
                          headers={"Content-Type": "application/octet-stream"})
    assert answer.status == 200
    assert answer.get("Content-Type") == "application/octet-stream"
    assert answer.get("Content-Length") == str(len(data))
    assert answer.body == data
    assert demo.uploads == [len(data)]


def test_three_set_cookie_headers_reach_the_client_separately(live: LiveServer) -> None:
    answer = live.request("GET", "/cookies")
    assert answer.status == 200
    assert answer.get_all("Set-Cookie") == [
        "first=1", "second=two; Path=/; HttpOnly", "third=3; SameSite=Lax"]


@pytest.mark.parametrize(("target", "name"), [
    ("/hello/caf%C3%A9", "caf\u00e9"),
    ("/hello/%E6%97%A5%E6%9C%AC", "\u65e5\u672c"),
    ("/hello/a%20b", "a b"),
    ("/hello/a%2Fb", "a/b"),  # an encoded slash stays inside the segment
])
def test_unicode_and_escaped_path_segments(live: LiveServer, target: str, name: str) -> None:
    answer = live.request("GET", target)
    assert answer.status == 200
    assert answer.json()["name"] == name


def test_unknown_path_gets_404_json(live: LiveServer) -> None:
    answer = live.request("GET", "/no/such/route")
    assert answer.status == 404
    assert answer.get("Content-Type") == "application/json"
    assert answer.json() == {"Code": "NotFoundError",
                             "Message": "No route for GET /no/such/route"}


def test_cors_preflight_is_answered(live: LiveServer) -> None:
    answer = live.request("OPTIONS", "/cors", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type"})
    assert answer.status == 200
    assert answer.get("Access-Control-Allow-Origin") == "*"
    methods = {m.strip() for m in (answer.get("Access-Control-Allow-Methods") or "").split(",")}
    assert {"GET", "PUT", "OPTIONS"} <= methods
    assert "Content-Type" in (answer.get("Access-Control-Allow-Headers") or "")
    # And the actual request carries the CORS header too.
    answer = live.request("GET", "/cors", headers={"Origin": "http://localhost:3000"})
    assert answer.status == 200
    assert answer.get("Access-Control-Allow-Origin") == "*"


def test_forwarded_headers_are_added_like_the_service_adds_them(live: LiveServer) -> None:
    answer = live.request("GET", "/forwarded")
    assert answer.status == 200
    assert answer.json() == {"x-forwarded-for": ["127.0.0.1"], "x-forwarded-proto": ["http"],
                             "x-forwarded-port": [str(live.port)]}


def test_client_sent_forwarded_headers_are_replaced(live: LiveServer) -> None:
    answer = live.request("GET", "/forwarded", headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-Port": "443",
        "X-Forwarded-For": "203.0.113.9"})
    assert answer.json() == {
        # The client's chain is kept with the caller's address appended, as API Gateway does.
        "x-forwarded-for": ["203.0.113.9, 127.0.0.1"],
        "x-forwarded-proto": ["http"], "x-forwarded-port": [str(live.port)]}


# -- a mounted Flask app -------------------------------------------------------------------

@pytest.mark.parametrize("event_format", FORMATS)
def test_mounted_flask_app_is_served(servers: Servers, event_format: str) -> None:
    app = App("flask-site")
    app.mount_wsgi(create_app())
    live = servers.app(app, event_format)

    answer = live.request("GET", "/json")
    assert answer.status == 200
    assert answer.json() == {"framework": "flask", "items": [1, 2, 3], "text": "caf\u00e9"}

    urls = live.request("GET", "/urls").json()
    # 127.0.0.1 is not an execute-api host: no /api stage prefix anywhere.
    assert urls["relative"] == "/json"
    assert urls["script_root"] == ""
    assert urls["path"] == "/urls"
    assert urls["external"] == "http://127.0.0.1:%d/json" % live.port

    redirect = live.request("GET", "/redirect")
    assert redirect.status == 302
    assert redirect.get("Location") == "/json"

    assert live.request("GET", "/hello/caf%C3%A9").json()["name"] == "caf\u00e9"
    assert len(live.request("GET", "/cookies/set").get_all("Set-Cookie")) == 3
    assert live.request("GET", "/missing").status == 404


# -- authorizers -------------------------------------------------------------------------

@pytest.mark.parametrize("event_format", ["rest", "http-api"])
def test_iam_authorizer(servers: Servers, demo: Demo, event_format: str,
                        caplog: pytest.LogCaptureFixture) -> None:
    live = servers.app(demo.app, event_format)
    refused = live.request("GET", "/iam")
    assert refused.status == 403
    assert refused.json() == {"message": "Missing Authentication Token"}
    for _ in range(2):
        answer = live.request("GET", "/iam", headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/"
                             "execute-api/aws4_request, SignedHeaders=host, Signature=abc"})
        assert answer.status == 200
        assert answer.json() == {"iam": True}
    assert len(warnings_from(caplog, "IAMAuthorizer")) == 1
    # Routes without an authorizer are not affected.
    assert live.request("GET", "/hello/open").status == 200


@pytest.mark.parametrize("event_format", ["rest", "http-api"])
def test_cognito_authorizer(servers: Servers, demo: Demo, event_format: str,
                            caplog: pytest.LogCaptureFixture) -> None:
    live = servers.app(demo.app, event_format)
    missing = live.request("GET", "/cognito")
    assert missing.status == 401
    assert missing.json() == {"message": "Unauthorized"}
    for token in ("not-a-jwt", "a.b.c", "Bearer x.%s.y" % base64.urlsafe_b64encode(b"[1]")
                  .decode().rstrip("=")):
        answer = live.request("GET", "/cognito", headers={"Authorization": token})
        assert answer.status == 401, token
    assert warnings_from(caplog, "CognitoUserPoolAuthorizer") == []

    claims = {"sub": "1234", "email": "kit@example.com", "cognito:groups": ["admins"]}
    token = unsigned_jwt(claims)
    for value in (token, "Bearer " + token):
        answer = live.request("GET", "/cognito", headers={"Authorization": value})
        assert answer.status == 200
        seen = answer.json()["authorizer"]
        if event_format == "http-api":  # payload 2.0 keeps JWT claims under "jwt"
            assert seen["jwt"]["claims"] == claims
        else:
            assert seen == {"claims": claims}
    assert len(warnings_from(caplog, "CognitoUserPoolAuthorizer")) == 1


@pytest.mark.parametrize("event_format", ["rest", "http-api"])
def test_custom_authorizer(servers: Servers, demo: Demo, event_format: str,
                           caplog: pytest.LogCaptureFixture) -> None:
    live = servers.app(demo.app, event_format)
    refused = live.request("GET", "/custom")
    assert refused.status == 401
    assert refused.json() == {"message": "Unauthorized"}
    for _ in range(2):
        answer = live.request("GET", "/custom", headers={"Authorization": "any-token"})
        assert answer.status == 200
        assert answer.json() == {"custom": True}
    assert len(warnings_from(caplog, "CustomAuthorizer")) == 1


@pytest.mark.parametrize("event_format", ["function-url", "alb"])
def test_authorizers_do_not_run_without_api_gateway(
        servers: Servers, demo: Demo, event_format: str,
        caplog: pytest.LogCaptureFixture) -> None:
    """A Function URL or an ALB has no API Gateway authorizers: routes are not checked
    (as on AWS), with one warning."""
    live = servers.app(demo.app, event_format)
    assert live.request("GET", "/iam").status == 200
    assert live.request("GET", "/custom").status == 200
    assert live.request("GET", "/cognito").status == 200
    assert len(warnings_from(caplog, "does not run API Gateway authorizers")) == 1


# -- tasks -----------------------------------------------------------------------------------

def test_delay_from_a_view_runs_the_task_on_the_local_pool(
        servers: Servers, demo: Demo) -> None:
    pool = LocalTaskPool(demo.app, workers=2, retry_delay=0)
    demo.app.task_dispatcher = pool
    try:
        live = servers.app(demo.app, "rest")
        answer = live.request("POST", "/delay", body=json.dumps({"order": 7}),
                              headers={"Content-Type": "application/json"})
        assert answer.status == 200
        assert answer.json() == {"queued": True}
        assert pool.join(timeout=5.0)
        assert demo.task_calls == [{"order": 7}]
        assert (pool.completed, pool.failed) == (1, 0)
    finally:
        pool.shutdown(wait=True)


# -- Lambda's payload limit ---------------------------------------------------------------

def test_an_event_over_6_mb_gets_413_with_a_message(servers: Servers, demo: Demo) -> None:
    live = servers.app(demo.app, "rest")
    data = os.urandom(5 * 1024 * 1024)  # 5 MB, about 6.7 MB once base64-encoded in the event
    answer = live.request("POST", "/binary", body=data,
                          headers={"Content-Type": "application/octet-stream"})
    assert answer.status == 413
    assert answer.get("Content-Type") == "application/json"
    message = answer.json()["message"]
    assert "6 MB" in message
    assert "S3" in message
    assert demo.uploads == []  # the function was never called
    # A body whose event fits is served.
    small = os.urandom(3 * 1024 * 1024)
    answer = live.request("POST", "/binary", body=small,
                          headers={"Content-Type": "application/octet-stream"})
    assert answer.status == 200
    assert answer.body == small
