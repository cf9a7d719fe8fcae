"""The WSGI bridge (``app.mount_wsgi``) against the acceptance checklist.

The checklist (/work/shared/specs/wsgi-checklist.md) gathers 77 behaviours that
apig-wsgi, serverless-wsgi, Mangum and Zappa pin; every test below names the
item(s) it pins as "#N" in its docstring (and its name starts with the number).
Items with nothing of ours to assert are in NOT_APPLICABLE, and
``test_every_checklist_item_is_covered_or_not_applicable`` keeps the two lists
complete. The tests at the end cover the checklist's section 2.10 (cases no
anchor tests).

Every test drives the app as Lambda does: an AWS-shaped event (see
wsgi_helpers.make) goes to ``app(event, context)``; a recording WSGI app keeps
the environ; the returned dict is checked against what the event's service
accepts (myframework.testing.decode_response) before it is looked at.
"""
from __future__ import annotations

import base64
import io
import json
import logging
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import flask
import pytest

from myframework import App, RegistrationError, Request, Response, UnknownEventError
from myframework.testing import FakeLambdaContext

from .wsgi_helpers import (
    ALB_KINDS,
    API_HOST,
    CLIENT_IP,
    CN_API_HOST,
    CUSTOM_HOST,
    KINDS,
    RESPONSE_FORMAT,
    REST_KINDS,
    TARGET_GROUP,
    URL_HOST,
    V1_KINDS,
    V2_KINDS,
    ClosingBody,
    Environ,
    RecordingApp,
    StartResponse,
    environ_for,
    invoke,
    make,
    mounted,
    respond,
    serve,
)

NOT_APPLICABLE: dict[int, str] = {
    6: "non-proxy 'Lambda integration' events are not supported (decided); only proxy "
       "integrations, HTTP APIs, Function URLs and ALB reach the bridge",
    7: "no pluggable event handler classes (decided): the event kinds are built in",
    8: "Lambda@Edge (CloudFront) events are not supported (decided)",
    43: "no requestContext -> header mapping (decided): the whole requestContext is in "
        "environ['myframework.request_context'] (pinned with the raw event exposure tests)",
    73: "an app that fails to import never runs: Lambda reports the init error itself",
    75: "ASGI is not supported (decided): only PEP 3333 WSGI apps are mounted",
    76: "ASGI lifespan is not supported (decided): there is no ASGI support",
}

MULTI_KINDS = ("rest", "http-v1", "alb-multi")  # events that carry repeated headers as lists
# Base path mappings belong to API Gateway custom domains.
API_GATEWAY_KINDS = ("rest", "rest-single", "http-v1", "http-v2")
SCHEDULED_EVENT: dict[str, Any] = {
    "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event", "source": "aws.events", "account": "123456789012",
    "time": "2015-10-08T16:53:06Z", "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule"], "detail": {},
}


def _with_middleware(app: App) -> None:
    def passthrough(request: Request, get_response: Callable[[Request], Response]) -> Response:
        return get_response(request)
    app.register_middleware(passthrough, "http")


def _with_cors(app: App) -> None:
    app.api.cors = True


# The bridge renders a response itself unless middleware or CORS may still change
# it; body rules must hold either way.
SETUPS: dict[str, Callable[[App], None] | None] = {
    "bare": None, "middleware": _with_middleware, "cors": _with_cors}


def _body(raw: dict[str, Any]) -> bytes:
    body = raw["body"]
    assert isinstance(body, str)
    return base64.b64decode(body) if raw["isBase64Encoded"] else body.encode("utf-8")


def _header_names(raw: dict[str, Any]) -> list[str]:
    names = list(raw.get("headers") or {}) + list(raw.get("multiValueHeaders") or {})
    return [name.lower() for name in names]


def _internal_error(raw: dict[str, Any]) -> dict[str, Any]:
    assert raw["statusCode"] == 500
    body = json.loads(_body(raw))
    assert isinstance(body, dict)
    assert body["Code"] == "InternalServerError"
    return body


def _flask_app() -> flask.Flask:
    """A Flask app with a few views the URL, form and error tests use."""
    web = flask.Flask("checklist")

    @web.route("/x")
    def x() -> dict[str, str]:
        return {"url": flask.url_for("x"), "external": flask.url_for("x", _external=True),
                "script_root": flask.request.script_root, "path": flask.request.path}

    @web.route("/upload", methods=["POST", "PUT"])
    def upload() -> dict[str, Any]:
        data = flask.request.files["file"].read()
        return {"name": flask.request.form["name"], "size": len(data),
                "sha": data.hex(), "content_length": flask.request.content_length}

    @web.route("/echo-form", methods=["POST"])
    def echo_form() -> flask.Response:
        return flask.Response(flask.request.form["text"], content_type="text/plain; charset=utf-8")

    @web.route("/boom")
    def boom() -> str:
        raise ValueError("boom")

    @web.errorhandler(500)
    def on_error(exc: Exception) -> tuple[str, int, dict[str, str]]:
        return "<h1>Our own error page</h1>", 500, {"Content-Type": "text/html; charset=utf-8"}

    return web


# -- 2.1 Event detection and non-HTTP events ----------------------------------------------


@pytest.mark.parametrize("kind", ALB_KINDS)
def test_01_alb_detected_by_requestcontext_elb(kind: str) -> None:
    """#1: an event with requestContext.elb (and no "version") is an ALB request."""
    wsgi = RecordingApp()
    event = make(kind, "GET", "/lambda", forwarded=False)
    assert "version" not in event
    raw = invoke(mounted(wsgi), event)
    assert raw["statusDescription"] == "200 OK"  # the ALB response shape
    assert wsgi.environ["myframework.request"].event_kind == "alb"
    assert wsgi.environ["wsgi.url_scheme"] == "http"  # the ALB default, not REST's https


def test_01_same_event_without_elb_is_rest() -> None:
    """#1: without requestContext.elb the same payload is an API Gateway REST event."""
    wsgi = RecordingApp()
    event = make("alb", "GET", "/lambda")
    event["requestContext"] = {"stage": "dev"}
    raw = invoke(mounted(wsgi), event)
    assert "statusDescription" not in raw
    assert wsgi.environ["myframework.request"].event_kind == "rest"


@pytest.mark.parametrize(("kind", "version", "expected"), [
    ("http-v2", "2.0", "http-api"), ("http-v1", "1.0", "rest"), ("rest", None, "rest")])
def test_02_version_selects_payload_format(kind: str, version: str | None,
                                           expected: str) -> None:
    """#2: version "2.0" is payload 2.0; "1.0" or no version is payload 1.0."""
    wsgi = RecordingApp(headers=[("Content-Type", "text/plain"), ("Set-Cookie", "a=1"),
                                 ("Set-Cookie", "b=2")])
    event = make(kind, "GET", "/x")
    assert event.get("version") == version
    raw = invoke(mounted(wsgi), event)
    assert wsgi.environ["myframework.request"].event_kind == expected
    if expected == "http-api":
        assert raw["cookies"] == ["a=1", "b=2"]
        assert "multiValueHeaders" not in raw
    else:
        assert "cookies" not in raw
        assert raw["multiValueHeaders"] == {"Set-Cookie": ["a=1", "b=2"]}


def test_02_unknown_version_without_http_fields_is_not_served() -> None:
    """#2: an event of an unknown version with no HTTP fields is an unknown event."""
    wsgi = RecordingApp()
    event = {"version": "distant-future", "routeKey": "$default",
             "requestContext": {"stage": "$default"}, "body": None}
    with pytest.raises(UnknownEventError):
        invoke(mounted(wsgi), event)
    assert wsgi.calls == []


def test_03_http_api_payload_1_0_is_served_as_v1() -> None:
    """#3: HTTP API payload 1.0 uses httpMethod, path and the multi-value query (v1 rules)."""
    wsgi = RecordingApp(headers=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
    event = make("http-v1", "PATCH", "/my/path", query=[("p", "1"), ("p", "2"), ("q", "a b")])
    event["requestContext"]["http"] = {"method": "IGNORED"}  # v1 never reads payload 2.0 fields
    raw = respond(mounted(wsgi), "http-v1", event).raw
    env = wsgi.environ
    assert env["REQUEST_METHOD"] == "PATCH"
    assert env["PATH_INFO"] == "/my/path"
    assert env["QUERY_STRING"] == "p=1&p=2&q=a+b"
    assert raw["multiValueHeaders"] == {"Set-Cookie": ["a=1", "b=2"]}
    assert "cookies" not in raw


@pytest.mark.parametrize("event", [
    pytest.param(SCHEDULED_EVENT, id="eventbridge-schedule"),
    pytest.param({"source": "serverless-plugin-warmup"}, id="warmup-plugin"),
])
def test_04_warmup_pings_never_reach_the_wsgi_app(event: dict[str, Any]) -> None:
    """#4: scheduled/warm-up pings are not HTTP; with no handler for them they are unknown."""
    wsgi = RecordingApp()
    with pytest.raises(UnknownEventError):
        invoke(mounted(wsgi), dict(event))
    assert wsgi.calls == []


def test_04_scheduled_ping_goes_to_the_schedule_handler() -> None:
    """#4: a scheduled event runs the app's @app.schedule handler, never the WSGI app."""
    wsgi = RecordingApp()
    app = mounted(wsgi)
    seen: list[Any] = []

    @app.schedule("rate(5 minutes)")
    def keep_warm(event: Any) -> dict[str, Any]:
        seen.append(event)
        return {}

    assert invoke(app, dict(SCHEDULED_EVENT)) == {}
    assert len(seen) == 1
    assert wsgi.calls == []


@pytest.mark.parametrize("event", [
    {"command": "import os; print(os.environ)"},
    {"manage": "migrate"},
    {"raw_command": "print(1)"},
    {"_serverless-wsgi": {"command": "exec", "data": "print(1)"}},
])
def test_05_admin_command_events_are_unknown(event: dict[str, Any]) -> None:
    """#5: no event shape runs code: command/manage events raise UnknownEventError."""
    wsgi = RecordingApp()
    with pytest.raises(UnknownEventError):
        invoke(mounted(wsgi), event)
    assert wsgi.calls == []


# -- 2.2 Path, SCRIPT_NAME, stage and base path ---------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("path", "expected"), [
    pytest.param("/api/path%2Finfo", "/api/path/info", id="9-slash"),
    pytest.param("/city/new%20york", "/city/new york", id="10-space"),
    pytest.param("/path%3A1", "/path:1", id="11-colon"),
    pytest.param("/a%25b", "/a%b", id="percent"),
])
def test_09_10_11_percent_escapes_decoded_in_path_info(kind: str, path: str,
                                                       expected: str) -> None:
    """#9, #10, #11: PATH_INFO is percent-decoded (%2F becomes "/") for every event kind."""
    env = environ_for(kind, "GET", path)
    assert env["PATH_INFO"] == expected


def _latin1(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("path", ["/caf%C3%A9/%E4%BB%8A", "/café/今"])
def test_12_non_ascii_path_is_utf8_bytes_as_latin1(kind: str, path: str) -> None:
    """#12: a non-ASCII path (escaped or not) reaches PATH_INFO as UTF-8 bytes read as latin-1."""
    env = environ_for(kind, "GET", path)
    assert env["PATH_INFO"] == _latin1("/café/今")


@pytest.mark.parametrize("kind", KINDS)
def test_12_every_cgi_string_is_latin1_encodable(kind: str) -> None:
    """#12: PATH_INFO, QUERY_STRING, SCRIPT_NAME and headers are all latin-1 strings."""
    wsgi = RecordingApp()
    app = mounted(wsgi, prefix="/app")
    event = make(kind, "GET", "/app/%E4%BB%8A", query=[("q", "今日"), ("k", "naïve")],
                 headers={"X-Name": "Zoë 今"})
    respond(app, kind, event)
    env = wsgi.environ
    for key, value in env.items():
        if key.isupper() and isinstance(value, str):
            value.encode("latin-1")  # PEP 3333: "native strings" hold bytes as latin-1
    assert env["SCRIPT_NAME"] == ("/dev/app" if kind in REST_KINDS else "/app")
    assert env["PATH_INFO"] == _latin1("/今")
    assert env["HTTP_X_NAME"] == _latin1("Zoë 今")


@pytest.mark.parametrize("kind", V1_KINDS)
def test_12_decoded_non_ascii_query_is_reencoded(kind: str) -> None:
    """#12: v1 query values arrive decoded; non-ASCII ones are sent on UTF-8 percent-encoded."""
    env = environ_for(kind, "GET", "/", query=[("q", "今日")])
    assert env["QUERY_STRING"] == "q=%E4%BB%8A%E6%97%A5"


@pytest.mark.parametrize("kind", ALB_KINDS)
def test_12_unescaped_non_ascii_alb_query_is_latin1(kind: str) -> None:
    """#12: a raw non-ASCII ALB query value stays a latin-1 native string."""
    wsgi = RecordingApp()
    event = make(kind, "GET", "/")
    key = "multiValueQueryStringParameters" if kind == "alb-multi" else "queryStringParameters"
    event[key] = {"q": ["今"]} if kind == "alb-multi" else {"q": "今"}
    respond(mounted(wsgi), kind, event)
    assert wsgi.environ["QUERY_STRING"] == _latin1("q=今")


@pytest.mark.parametrize("kind", KINDS)
def test_13_empty_path_is_root(kind: str) -> None:
    """#13: an empty path gives PATH_INFO "/"."""
    event = make(kind, "GET", "")
    wsgi = RecordingApp()
    respond(mounted(wsgi), kind, event)
    assert wsgi.environ["PATH_INFO"] == "/"


@pytest.mark.parametrize("kind", V2_KINDS)
def test_14_v2_path_from_raw_path_keeps_trailing_slash(kind: str) -> None:
    """#14: payload 2.0 uses rawPath (trailing slash kept), not requestContext.http.path."""
    wsgi = RecordingApp()
    event = make(kind, "GET", "/x/")
    event["requestContext"]["http"]["path"] = "/x"
    respond(mounted(wsgi), kind, event)
    assert wsgi.environ["PATH_INFO"] == "/x/"


def test_14_v2_named_stage_raw_path_keeps_trailing_slash() -> None:
    """#14: rawPath "/dev/x/" on stage dev gives PATH_INFO "/x/"."""
    wsgi = RecordingApp()
    event = make("http-v2", "GET", "/x/", stage="dev")
    event["requestContext"]["http"]["path"] = "/dev/x"
    respond(mounted(wsgi), "http-v2", event)
    assert (wsgi.environ["SCRIPT_NAME"], wsgi.environ["PATH_INFO"]) == ("/dev", "/x/")


@pytest.mark.parametrize("kind", REST_KINDS)
@pytest.mark.parametrize("host", [API_HOST, CN_API_HOST], ids=["aws", "china"])
def test_15_16_rest_default_endpoint_puts_stage_in_script_name(kind: str, host: str) -> None:
    """#15, #16: REST on the execute-api host (also *.amazonaws.com.cn): SCRIPT_NAME /{stage}."""
    env = environ_for(kind, "GET", "/some/path", host=host, stage="dev")
    assert env["SCRIPT_NAME"] == "/dev"
    assert env["PATH_INFO"] == "/some/path"


@pytest.mark.parametrize("kind", REST_KINDS)
def test_15_generated_urls_carry_the_stage_once(kind: str) -> None:
    """#15: a Flask app behind the execute-api host builds URLs with the stage once."""
    app = mounted(_flask_app())
    response = respond(app, kind, make(kind, "GET", "/x", stage="dev"))
    assert response.json_body == {"url": "/dev/x", "external": "https://%s/dev/x" % API_HOST,
                                  "script_root": "/dev", "path": "/x"}


@pytest.mark.parametrize("kind", REST_KINDS)
def test_17_rest_custom_domain_has_empty_script_name(kind: str) -> None:
    """#17: REST through a custom domain (no base path configured): SCRIPT_NAME ""."""
    env = environ_for(kind, "GET", "/some/path", host=CUSTOM_HOST)
    assert env["SCRIPT_NAME"] == ""
    assert env["PATH_INFO"] == "/some/path"
    assert env["SERVER_NAME"] == CUSTOM_HOST


def test_17_custom_domain_name_without_host_header() -> None:
    """#17: without a Host header, requestContext.domainName decides (custom: SCRIPT_NAME "")."""
    wsgi = RecordingApp()
    event = make("rest", "GET", "/some/path", host=None)
    event["requestContext"]["domainName"] = CUSTOM_HOST
    respond(mounted(wsgi), "rest", event)
    assert wsgi.environ["SCRIPT_NAME"] == ""
    assert wsgi.environ["SERVER_NAME"] == CUSTOM_HOST


@pytest.mark.parametrize("kind", API_GATEWAY_KINDS)
@pytest.mark.parametrize("base_path", ["prod", "/prod", "/prod/"])
def test_18_custom_domain_base_path_becomes_script_name(kind: str, base_path: str) -> None:
    """#18: app.api.base_path is taken off custom-domain paths and becomes SCRIPT_NAME."""
    wsgi = RecordingApp()
    app = mounted(wsgi)
    app.api.base_path = base_path
    assert app.api.base_path == "/prod"
    respond(app, kind, make(kind, "GET", "/prod/some/path", host=CUSTOM_HOST))
    assert wsgi.environ["SCRIPT_NAME"] == "/prod"
    assert wsgi.environ["PATH_INFO"] == "/some/path"


def test_18_base_path_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """#18: MYFRAMEWORK_BASE_PATH sets the base path."""
    monkeypatch.setenv("MYFRAMEWORK_BASE_PATH", "v1/")
    wsgi = RecordingApp()
    app = mounted(wsgi)
    assert app.api.base_path == "/v1"
    respond(app, "rest", make("rest", "GET", "/v1/a", host=CUSTOM_HOST))
    assert (wsgi.environ["SCRIPT_NAME"], wsgi.environ["PATH_INFO"]) == ("/v1", "/a")


@pytest.mark.parametrize("kind", REST_KINDS)
def test_18_base_path_not_taken_off_on_execute_api_host(kind: str) -> None:
    """#18: on the execute-api host the base path is an ordinary path segment."""
    wsgi = RecordingApp()
    app = mounted(wsgi)
    app.api.base_path = "prod"
    respond(app, kind, make(kind, "GET", "/prod/some/path", stage="dev"))
    assert (wsgi.environ["SCRIPT_NAME"], wsgi.environ["PATH_INFO"]) == ("/dev", "/prod/some/path")


def test_18_base_path_taken_off_before_native_routing() -> None:
    """#18: the base path comes off native routes' paths too; the route wins over the mount."""
    wsgi = RecordingApp()
    app = mounted(wsgi)
    app.api.base_path = "/prod"

    @app.route("/some/path")
    def native() -> dict[str, str]:
        return {"served_by": "route"}

    response = respond(app, "rest", make("rest", "GET", "/prod/some/path", host=CUSTOM_HOST))
    assert response.json_body == {"served_by": "route"}
    assert wsgi.calls == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("script_name", "expected"), [("", ""), ("/forced", "/forced")])
def test_19_script_name_option_overrides_the_automatic_prefix(kind: str, script_name: str,
                                                              expected: str) -> None:
    """#19: mount_wsgi(script_name="") turns the stage prefix off; "/x" forces one."""
    wsgi = RecordingApp()
    respond(mounted(wsgi, script_name=script_name), kind, make(kind, "GET", "/some/path"))
    assert wsgi.environ["SCRIPT_NAME"] == expected
    assert wsgi.environ["PATH_INFO"] == "/some/path"


@pytest.mark.parametrize("script_name", ["x", "/x/", 3])
def test_19_bad_script_name_rejected_at_mount_time(script_name: Any) -> None:
    """#19: script_name must be "" or "/x"; anything else fails when mounting."""
    with pytest.raises(RegistrationError):
        mounted(RecordingApp(), script_name=script_name)


@pytest.mark.parametrize("kind", REST_KINDS)
def test_20_console_test_event_without_host(kind: str) -> None:
    """#20: the console's test event (no Host, headers null, no domainName): /{stage}."""
    wsgi = RecordingApp()
    event = make(kind, "GET", "/some/path", host=None, forwarded=False, stage="test-stage")
    assert event["headers"] is None
    assert "domainName" not in event["requestContext"]
    respond(mounted(wsgi), kind, event)
    env = wsgi.environ
    assert (env["SCRIPT_NAME"], env["PATH_INFO"]) == ("/test-stage", "/some/path")
    assert (env["SERVER_NAME"], env["SERVER_PORT"], env["wsgi.url_scheme"]) == (
        "lambda", "443", "https")


def test_20_real_console_test_event_is_served() -> None:
    """#20: the console's real test event (headers {}, domainName "testPrefix.testDomainName",
    stage "test-invoke-stage") is served without a crash."""
    event = {
        "resource": "/{proxy+}", "path": "/some/path", "httpMethod": "GET", "headers": {},
        "multiValueHeaders": {}, "queryStringParameters": None,
        "multiValueQueryStringParameters": None, "pathParameters": {"proxy": "some/path"},
        "stageVariables": None,
        "requestContext": {
            "resourceId": "abc123", "resourcePath": "/{proxy+}", "httpMethod": "GET",
            "extendedRequestId": "x=", "requestTime": "31/Jul/2019:03:25:30 +0000",
            "path": "/{proxy+}", "accountId": "123456789012", "protocol": "HTTP/1.1",
            "stage": "test-invoke-stage", "domainPrefix": "testPrefix",
            "requestTimeEpoch": 1564543530051, "requestId": "r",
            "identity": {"apiKey": "test-invoke-api-key", "sourceIp": "test-invoke-source-ip",
                         "userArn": "", "user": "", "caller": "", "accessKey": "",
                         "userAgent": "aws-internal/3"},
            "domainName": "testPrefix.testDomainName", "apiId": "9ni2ybgqg5",
        },
        "body": None, "isBase64Encoded": False,
    }
    wsgi = RecordingApp()
    assert respond(mounted(wsgi), "rest", event).status_code == 200
    assert wsgi.environ["PATH_INFO"] == "/some/path"


@pytest.mark.parametrize("kind", ["http-v1", "http-v2"])
def test_21_http_api_named_stage_moves_to_script_name(kind: str) -> None:
    """#21: path "/dev/x" on stage dev (execute-api host): SCRIPT_NAME /dev, PATH_INFO /x."""
    event = make(kind, "GET", "/x", stage="dev")
    assert (event.get("rawPath") or event.get("path")) == "/dev/x"
    wsgi = RecordingApp()
    respond(mounted(wsgi), kind, event)
    assert (wsgi.environ["SCRIPT_NAME"], wsgi.environ["PATH_INFO"]) == ("/dev", "/x")


@pytest.mark.parametrize("kind", ["http-v1", "http-v2"])
def test_21_generated_urls_carry_the_stage_once(kind: str) -> None:
    """#21: a Flask app on a named stage builds "/dev/x", not "/dev/dev/x" nor "/x"."""
    response = respond(mounted(_flask_app()), kind, make(kind, "GET", "/x", stage="dev"))
    assert response.json_body == {"url": "/dev/x", "external": "https://%s/dev/x" % API_HOST,
                                  "script_root": "/dev", "path": "/x"}


@pytest.mark.parametrize("kind", ["http-v1", "http-v2"])
def test_21_stage_not_taken_off_on_custom_domain(kind: str) -> None:
    """#21: through a custom domain a path that starts like the stage is left alone."""
    event = make(kind, "GET", "/x", stage="dev", host=CUSTOM_HOST)
    wsgi = RecordingApp()
    respond(mounted(wsgi), kind, event)
    assert (wsgi.environ["SCRIPT_NAME"], wsgi.environ["PATH_INFO"]) == ("", "/dev/x")


@pytest.mark.parametrize("kind", ["http-v1", "http-v2", "function-url"])
def test_22_default_stage_and_function_url_have_no_script_name(kind: str) -> None:
    """#22: stage "$default" and Function URLs: SCRIPT_NAME "", PATH_INFO the raw path."""
    event = make(kind, "GET", "/my/path")
    assert event["requestContext"]["stage"] == "$default"
    wsgi = RecordingApp()
    respond(mounted(wsgi), kind, event)
    assert (wsgi.environ["SCRIPT_NAME"], wsgi.environ["PATH_INFO"]) == ("", "/my/path")


def test_22_v2_event_without_stage() -> None:
    """#22: a payload 2.0 event with no stage at all: SCRIPT_NAME ""."""
    event = make("http-v2", "GET", "/my/path")
    del event["requestContext"]["stage"]
    wsgi = RecordingApp()
    respond(mounted(wsgi), "http-v2", event)
    assert (wsgi.environ["SCRIPT_NAME"], wsgi.environ["PATH_INFO"]) == ("", "/my/path")


@pytest.mark.parametrize("kind", ALB_KINDS)
def test_23_alb_has_no_script_name(kind: str) -> None:
    """#23: ALB: SCRIPT_NAME "", the path as given."""
    env = environ_for(kind, "GET", "/lambda/dev/x")
    assert (env["SCRIPT_NAME"], env["PATH_INFO"]) == ("", "/lambda/dev/x")


# -- 2.3 Query string ------------------------------------------------------------------------

_QUERY_KEYS = {
    "rest": ["queryStringParameters", "multiValueQueryStringParameters"],
    "rest-single": ["queryStringParameters"],
    "http-v1": ["queryStringParameters", "multiValueQueryStringParameters"],
    "http-v2": ["rawQueryString", "queryStringParameters"],
    "function-url": ["rawQueryString", "queryStringParameters"],
    "alb": ["queryStringParameters"],
    "alb-multi": ["multiValueQueryStringParameters"],
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("variant", ["absent", "null", "empty"])
def test_24_no_query_parameters(kind: str, variant: str) -> None:
    """#24: absent, null or empty query parameters give QUERY_STRING ""."""
    event = make(kind, "GET", "/")
    for key in _QUERY_KEYS[kind]:
        if variant == "absent":
            event.pop(key, None)
        elif variant == "null":
            event[key] = None
        else:
            event[key] = "" if key == "rawQueryString" else {}
    wsgi = RecordingApp()
    respond(mounted(wsgi), kind, event)
    assert wsgi.environ["QUERY_STRING"] == ""


@pytest.mark.parametrize("kind", KINDS)
def test_25_single_query_value(kind: str) -> None:
    """#25: one parameter: QUERY_STRING "foo=bar"."""
    assert environ_for(kind, "GET", "/", query=[("foo", "bar")])["QUERY_STRING"] == "foo=bar"


@pytest.mark.parametrize("kind", ["rest", "http-v1", "http-v2", "function-url", "alb-multi"])
def test_26_repeated_query_keys_all_kept(kind: str) -> None:
    """#26: a repeated key keeps every value, in order (multi-value preferred over single)."""
    event = make(kind, "GET", "/", query=[("foo", "bar"), ("foo", "baz")])
    if kind in V1_KINDS:
        assert event["queryStringParameters"] == {"foo": "baz"}
    wsgi = RecordingApp()
    respond(mounted(wsgi), kind, event)
    assert wsgi.environ["QUERY_STRING"] == "foo=bar&foo=baz"


@pytest.mark.parametrize("kind", ["rest", "http-v1"])
def test_26_multi_value_map_wins_over_a_different_single_map(kind: str) -> None:
    """#26: when both maps exist, multiValueQueryStringParameters is the one used."""
    event = make(kind, "GET", "/")
    event["queryStringParameters"] = {"only": "single"}
    event["multiValueQueryStringParameters"] = {"a": ["1", "2"]}
    wsgi = RecordingApp()
    respond(mounted(wsgi), kind, event)
    assert wsgi.environ["QUERY_STRING"] == "a=1&a=2"


@pytest.mark.parametrize("kind", V1_KINDS)
@pytest.mark.parametrize(("pairs", "expected"), [
    ([("a", "b+c")], "a=b%2Bc"),
    ([("a+b", "c")], "a%2Bb=c"),
    ([("x", "A,B")], "x=A%2CB"),
    ([("x", "C#D")], "x=C%23D"),
    ([("x", "M&M")], "x=M%26M"),
    ([("x", "a b")], "x=a+b"),
    ([("x", "100%")], "x=100%25"),
])
def test_27_v1_decoded_values_are_reencoded(kind: str, pairs: list[tuple[str, str]],
                                            expected: str) -> None:
    """#27: REST/HTTP API 1.0 values arrive decoded and are encoded again (urlencode)."""
    assert environ_for(kind, "GET", "/", query=pairs)["QUERY_STRING"] == expected


@pytest.mark.parametrize("kind", ["rest", "http-v1"])
def test_27_v1_multi_values_are_reencoded(kind: str) -> None:
    """#27: multi-value keys and values are re-encoded too."""
    env = environ_for(kind, "GET", "/", query=[("a+b", "b+c"), ("a+b", "M&M")])
    assert env["QUERY_STRING"] == "a%2Bb=b%2Bc&a%2Bb=M%26M"


@pytest.mark.parametrize(("kind", "params", "expected"), [
    ("alb", {"a": "b+c"}, "a=b+c"),
    ("alb", {"x": "foo%3Dbar"}, "x=foo%3Dbar"),
    ("alb", {"a%2Bb": "c%20d"}, "a%2Bb=c%20d"),
    ("alb-multi", {"a": ["b+c"]}, "a=b+c"),
    ("alb-multi", {"a": ["foo%3Dbar", "%2420", "100%25"]}, "a=foo%3Dbar&a=%2420&a=100%25"),
])
def test_28_alb_query_passed_through_still_encoded(kind: str, params: dict[str, Any],
                                                   expected: str) -> None:
    """#28: ALB parameters arrive still encoded and are passed through, never encoded twice."""
    event = make(kind, "GET", "/")
    event[_QUERY_KEYS[kind][0]] = params
    wsgi = RecordingApp()
    respond(mounted(wsgi), kind, event)
    assert wsgi.environ["QUERY_STRING"] == expected


@pytest.mark.parametrize("kind", ALB_KINDS)
def test_29_alb_query_not_decoded_and_reencoded(kind: str) -> None:
    """#29: we pass ALB's encoding through (apig-wsgi), not decode+re-encode (Mangum/SW)."""
    event = make(kind, "GET", "/")
    single = {"test": "test%20test", "path": "%2Fsome%2Fpath%2F", "%E4%BB%8A": "%E6%97%A5"}
    event[_QUERY_KEYS[kind][0]] = (single if kind == "alb"
                                   else {k: [v] for k, v in single.items()})
    wsgi = RecordingApp()
    respond(mounted(wsgi), kind, event)
    assert wsgi.environ["QUERY_STRING"] == (
        "test=test%20test&path=%2Fsome%2Fpath%2F&%E4%BB%8A=%E6%97%A5")


def test_30_alb_without_multi_value_gets_the_last_value() -> None:
    """#30: ALB without multi-value headers sends the last of repeated parameters; that is it."""
    event = make("alb", "GET", "/", query=[("name", "me"), ("name", "you")])
    assert event["queryStringParameters"] == {"name": "you"}
    wsgi = RecordingApp()
    respond(mounted(wsgi), "alb", event)
    assert wsgi.environ["QUERY_STRING"] == "name=you"


@pytest.mark.parametrize("kind", V2_KINDS)
@pytest.mark.parametrize(("raw_query", "params", "expected"), [
    ("parameter1=value1&parameter1=value2&parameter2=value",
     {"parameter1": "value1,value2", "parameter2": "value"},
     "parameter1=value1&parameter1=value2&parameter2=value"),
    ("q=a%2Bb&r=c+d&s=%E4%BB%8A", {"q": "a+b", "r": "c d", "s": "今"},
     "q=a%2Bb&r=c+d&s=%E4%BB%8A"),
    ("", {"stale": "value"}, ""),
    (None, {"stale": "value"}, ""),
])
def test_31_v2_query_is_raw_query_string_verbatim(kind: str, raw_query: str | None,
                                                  params: dict[str, str],
                                                  expected: str) -> None:
    """#31: payload 2.0: QUERY_STRING is rawQueryString as is, never rebuilt from the map."""
    event = make(kind, "GET", "/")
    event["queryStringParameters"] = params
    if raw_query is None:
        del event["rawQueryString"]
    else:
        event["rawQueryString"] = raw_query
    wsgi = RecordingApp()
    respond(mounted(wsgi), kind, event)
    assert wsgi.environ["QUERY_STRING"] == expected


# -- 2.4 Request headers -> environ --------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_32_plain_header(kind: str) -> None:
    """#32: Test-Header becomes HTTP_TEST_HEADER."""
    env = environ_for(kind, "GET", "/", headers={"Test-Header": "foobar"})
    assert env["HTTP_TEST_HEADER"] == "foobar"


@pytest.mark.parametrize("kind", KINDS)
def test_32_underscore_and_invalid_header_names_dropped(kind: str) -> None:
    """#32: names with "_" or non-token characters are dropped (no X_User posing as X-User)."""
    env = environ_for(kind, "GET", "/", headers={"X_User": "admin", "X(Role)": "root",
                                                 "X-Real": "yes"})
    assert "HTTP_X_USER" not in env
    assert not [key for key in env if "(" in key or "ROLE" in key]
    assert env["HTTP_X_REAL"] == "yes"


@pytest.mark.parametrize("kind", MULTI_KINDS)
def test_33_repeated_header_joined_with_comma_space(kind: str) -> None:
    """#33: repeated request headers (multiValueHeaders) are joined with ", "."""
    env = environ_for(kind, "GET", "/", headers={"X-Foo": ["foo", "bar"]})
    assert env["HTTP_X_FOO"] == "foo, bar"


def test_33_same_header_in_two_spellings_joined() -> None:
    """#33: the same name in two spellings (single-value map) joins with ", "."""
    wsgi = RecordingApp()
    event = make("rest-single", "GET", "/")
    event["headers"].update({"X-Foo": "a", "x-foo": "b"})
    respond(mounted(wsgi), "rest-single", event)
    assert wsgi.environ["HTTP_X_FOO"] == "a, b"


def test_33_cookie_in_two_spellings_joined_with_semicolon() -> None:
    """#33: two Cookie headers (two spellings) join with "; "."""
    wsgi = RecordingApp()
    event = make("rest-single", "GET", "/")
    event["headers"].update({"Cookie": "a=1", "cookie": "b=2"})
    respond(mounted(wsgi), "rest-single", event)
    assert wsgi.environ["HTTP_COOKIE"] == "a=1; b=2"


@pytest.mark.parametrize("kind", MULTI_KINDS)
def test_33_repeated_cookie_header_joined_with_semicolon(kind: str) -> None:
    """#33: a Cookie header repeated in multiValueHeaders joins with "; "."""
    env = environ_for(kind, "GET", "/", headers={"Cookie": ["a=1", "b=2"]})
    assert env["HTTP_COOKIE"] == "a=1; b=2"


@pytest.mark.parametrize("kind", V2_KINDS)
def test_33_v2_headers_arrive_already_joined(kind: str) -> None:
    """#33: payload 2.0 joins repeated headers with "," itself; the value passes as sent."""
    env = environ_for(kind, "GET", "/", headers={"X-Foo": ["foo", "bar"]})
    assert env["HTTP_X_FOO"] == "foo,bar"


@pytest.mark.parametrize("kind", KINDS)
def test_34_content_type_and_length_are_cgi_variables_only(kind: str) -> None:
    """#34: Content-Type -> CONTENT_TYPE; no HTTP_CONTENT_TYPE/HTTP_CONTENT_LENGTH."""
    env = environ_for(kind, "POST", "/", body="abc",
                      headers={"Content-Type": "application/json; charset=utf-8",
                               "Content-Length": "3"})
    assert env["CONTENT_TYPE"] == "application/json; charset=utf-8"
    assert env["CONTENT_LENGTH"] == "3"
    assert "HTTP_CONTENT_TYPE" not in env
    assert "HTTP_CONTENT_LENGTH" not in env


@pytest.mark.parametrize("kind", KINDS)
def test_35_content_length_is_decoded_body_length(kind: str) -> None:
    """#35: CONTENT_LENGTH is len(decoded body) even when the client's header says otherwise."""
    env = environ_for(kind, "POST", "/", body="héllo", headers={"Content-Length": "999"})
    assert env["CONTENT_LENGTH"] == "6"
    assert env["CONTENT_TYPE"] == ""


@pytest.mark.parametrize("kind", KINDS)
def test_35_empty_body_has_content_length_zero(kind: str) -> None:
    """#35: no body: CONTENT_LENGTH "0" and CONTENT_TYPE ""."""
    env = environ_for(kind, "GET", "/")
    assert (env["CONTENT_LENGTH"], env["CONTENT_TYPE"]) == ("0", "")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("host", "name", "port"), [
    ("example.com", "example.com", "443"),
    ("example.com:8443", "example.com", "8443"),
    ("[2001:db8::1]:8080", "[2001:db8::1]", "8080"),
    ("[2001:db8::1]", "[2001:db8::1]", "443"),
])
def test_36_38_server_name_and_port_from_host(kind: str, host: str, name: str,
                                              port: str) -> None:
    """#36, #38: SERVER_NAME is the Host without its port; the Host's port is SERVER_PORT."""
    env = environ_for(kind, "GET", "/", host=host, forwarded=False,
                      headers={"X-Forwarded-Proto": "https"})
    assert (env["SERVER_NAME"], env["SERVER_PORT"]) == (name, port)


@pytest.mark.parametrize("kind", [*V1_KINDS, *V2_KINDS])
def test_36_no_host_uses_domain_name(kind: str) -> None:
    """#36: no Host header: requestContext.domainName."""
    wsgi = RecordingApp()
    event = make(kind, "GET", "/", host=None, forwarded=False)
    event["requestContext"]["domainName"] = CUSTOM_HOST
    respond(mounted(wsgi), kind, event)
    assert wsgi.environ["SERVER_NAME"] == CUSTOM_HOST


@pytest.mark.parametrize("kind", [*REST_KINDS, *ALB_KINDS])
def test_36_no_host_and_no_domain_name_is_lambda(kind: str) -> None:
    """#36: neither Host nor domainName: SERVER_NAME "lambda"."""
    env = environ_for(kind, "GET", "/", host=None, forwarded=False)
    assert env["SERVER_NAME"] == "lambda"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("proto", "expected"), [
    ("http", "http"), ("https", "https"), ("HTTPS", "https"), ("http, https", "http"),
    ("https,http", "https"),
])
def test_37_x_forwarded_proto_sets_url_scheme(kind: str, proto: str, expected: str) -> None:
    """#37: X-Forwarded-Proto (its first value) is wsgi.url_scheme."""
    env = environ_for(kind, "GET", "/", forwarded=False, headers={"X-Forwarded-Proto": proto})
    assert env["wsgi.url_scheme"] == expected


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("proto", [None, "ftp", ""])
def test_37_default_scheme(kind: str, proto: str | None) -> None:
    """#37: no (or an unusable) X-Forwarded-Proto: https, but http for ALB."""
    headers = {} if proto is None else {"X-Forwarded-Proto": proto}
    env = environ_for(kind, "GET", "/", forwarded=False, headers=headers)
    assert env["wsgi.url_scheme"] == ("http" if kind in ALB_KINDS else "https")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("headers", "host", "port"), [
    ({"X-Forwarded-Port": "8443"}, "example.com:9000", "8443"),
    ({"X-Forwarded-Port": "8443, 443"}, "example.com", "8443"),
    ({}, "example.com:9000", "9000"),
    ({"X-Forwarded-Proto": "https"}, "example.com", "443"),
    ({"X-Forwarded-Proto": "http"}, "example.com", "80"),
])
def test_38_server_port(kind: str, headers: dict[str, str], host: str, port: str) -> None:
    """#38: X-Forwarded-Port, else the Host's port, else 443 (https) / 80 (http)."""
    env = environ_for(kind, "GET", "/", forwarded=False, host=host, headers=headers)
    assert env["SERVER_PORT"] == port


@pytest.mark.parametrize("kind", [*V1_KINDS, *V2_KINDS])
def test_39_remote_addr_is_aws_source_ip_not_x_forwarded_for(kind: str) -> None:
    """#39: REMOTE_ADDR is the sourceIp AWS saw; a client-sent X-Forwarded-For stays raw."""
    env = environ_for(kind, "GET", "/", forwarded=False, source_ip="203.0.113.9",
                      headers={"X-Forwarded-For": "1.2.3.4, 5.6.7.8"})
    assert env["REMOTE_ADDR"] == "203.0.113.9"
    assert env["HTTP_X_FORWARDED_FOR"] == "1.2.3.4, 5.6.7.8"


@pytest.mark.parametrize("kind", ALB_KINDS)
def test_39_alb_remote_addr_is_last_x_forwarded_for_entry(kind: str) -> None:
    """#39: ALB appends the client to X-Forwarded-For: REMOTE_ADDR is the last entry."""
    env = environ_for(kind, "GET", "/", forwarded=False,
                      headers={"X-Forwarded-For": "1.2.3.4, 5.6.7.8 ,  203.0.113.9"})
    assert env["REMOTE_ADDR"] == "203.0.113.9"
    assert env["HTTP_X_FORWARDED_FOR"] == "1.2.3.4, 5.6.7.8 ,  203.0.113.9"


@pytest.mark.parametrize("kind", KINDS)
def test_39_remote_addr_absent_when_unknown(kind: str) -> None:
    """#39: no sourceIp (ALB: no X-Forwarded-For): no REMOTE_ADDR at all."""
    wsgi = RecordingApp()
    event = make(kind, "GET", "/", forwarded=False)
    ctx = event["requestContext"]
    ctx.pop("identity", None)
    if "http" in ctx:
        del ctx["http"]["sourceIp"]
    respond(mounted(wsgi), kind, event)
    assert "REMOTE_ADDR" not in wsgi.environ


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("variant", ["absent", "null"])
def test_40_headers_missing_or_null(kind: str, variant: str) -> None:
    """#40: headers (and multiValueHeaders) missing or null: served, no crash."""
    event = make(kind, "GET", "/x")
    for key in ("headers", "multiValueHeaders"):
        if key in event:
            if variant == "absent":
                del event[key]
            else:
                event[key] = None
    wsgi = RecordingApp()
    # An ALB event without the multiValueHeaders key is a single-value target group's.
    shape = "alb" if kind == "alb-multi" and variant == "absent" else kind
    response = respond(mounted(wsgi), shape, event)
    assert response.status_code == 200
    assert wsgi.environ["PATH_INFO"] == "/x"
    assert not [key for key in wsgi.environ if key.startswith("HTTP_")]


def test_41_elb_health_check() -> None:
    """#41: the ALB health check (no Host, no X-Forwarded-*) is served with the defaults."""
    event = {"requestContext": {"elb": {"targetGroupArn": TARGET_GROUP}},
             "httpMethod": "GET", "path": "/", "queryStringParameters": {},
             "headers": {"user-agent": "ELB-HealthChecker/2.0"}, "body": "",
             "isBase64Encoded": False}
    wsgi = RecordingApp()
    response = respond(mounted(wsgi), "alb", event)
    assert response.status_code == 200
    assert response.raw["statusDescription"] == "200 OK"
    env = wsgi.environ
    assert (env["SERVER_NAME"], env["SERVER_PORT"], env["wsgi.url_scheme"]) == (
        "lambda", "80", "http")
    assert env["QUERY_STRING"] == ""
    assert env["HTTP_USER_AGENT"] == "ELB-HealthChecker/2.0"
    assert "REMOTE_ADDR" not in env


_IAM_ARN = "arn:aws:iam::123456789012:user/alice"


@pytest.mark.parametrize(("kind", "authorizer", "identity_arn", "expected"), [
    ("rest", {"principalId": "wile_e_coyote", "integrationLatency": 0}, None, "wile_e_coyote"),
    ("rest", {"claims": {"sub": "cognito-sub", "email": "a@b.c"}}, None, "cognito-sub"),
    ("rest", None, _IAM_ARN, _IAM_ARN),
    ("rest", {"principalId": "first", "claims": {"sub": "later"}}, _IAM_ARN, "first"),
    ("http-v1", {"principalId": "p-v1"}, None, "p-v1"),
    ("http-v2", {"lambda": {"principalId": "p-v2", "tier": "gold"}}, None, "p-v2"),
    ("http-v2", {"jwt": {"claims": {"sub": "jwt-sub"}, "scopes": None}}, None, "jwt-sub"),
    ("http-v2", {"iam": {"userArn": _IAM_ARN, "accessKey": "AKIA"}}, None, _IAM_ARN),
    ("function-url", {"iam": {"userArn": _IAM_ARN}}, None, _IAM_ARN),
])
def test_42_remote_user_from_authorizer(kind: str, authorizer: dict[str, Any] | None,
                                        identity_arn: str | None, expected: str) -> None:
    """#42: REMOTE_USER: principalId, lambda.principalId, claims.sub, jwt sub, IAM userArn."""
    event = make(kind, "GET", "/")
    ctx = event["requestContext"]
    if authorizer is not None:
        ctx["authorizer"] = authorizer
    if identity_arn is not None:
        ctx["identity"]["userArn"] = identity_arn
    wsgi = RecordingApp()
    respond(mounted(wsgi), kind, event)
    assert wsgi.environ["REMOTE_USER"] == expected


@pytest.mark.parametrize("kind", KINDS)
def test_42_no_authorizer_no_remote_user(kind: str) -> None:
    """#42: without an authorizer or IAM identity there is no REMOTE_USER."""
    assert "REMOTE_USER" not in environ_for(kind, "GET", "/")


@pytest.mark.parametrize("kind", KINDS)
def test_44_raw_event_and_context_in_environ(kind: str) -> None:
    """#44: the raw event, Lambda context, requestContext and Request are in the environ."""
    wsgi = RecordingApp()
    app = mounted(wsgi)
    event = make(kind, "GET", "/x")
    context = FakeLambdaContext("fn")
    app(event, context)
    env = wsgi.environ
    assert env["myframework.event"] is event
    assert env["lambda.event"] is event
    assert env["myframework.context"] is context
    assert env["lambda.context"] is context
    assert env["myframework.request_context"] is event["requestContext"]
    request = env["myframework.request"]
    assert isinstance(request, Request)
    assert request.path == "/x"


@pytest.mark.parametrize("kind", V1_KINDS)
@pytest.mark.parametrize("variant", ["absent", "null"])
def test_45_request_context_missing_or_null(kind: str, variant: str) -> None:
    """#45: a payload 1.0 event without requestContext is served; request_context is {}."""
    event = make(kind, "GET", "/x")
    if variant == "absent":
        del event["requestContext"]
    else:
        event["requestContext"] = None
    wsgi = RecordingApp()
    assert respond(mounted(wsgi), kind, event).status_code == 200
    env = wsgi.environ
    assert env["myframework.request_context"] == {}
    assert env["PATH_INFO"] == "/x"
    assert "REMOTE_ADDR" not in env


@pytest.mark.parametrize("kind", V2_KINDS)
def test_45_v2_request_context_null_is_a_client_error(kind: str) -> None:
    """#45: payload 2.0 keeps its method in requestContext: without it, a 4xx, no crash."""
    event = make(kind, "GET", "/x")
    event["requestContext"] = None
    wsgi = RecordingApp()
    raw = invoke(mounted(wsgi), event)
    assert 400 <= raw["statusCode"] < 500
    assert wsgi.calls == []


def test_46_wsgi_errors_is_stderr_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """#46: wsgi.errors is sys.stderr as it is when the request runs."""
    replaced = io.StringIO()
    monkeypatch.setattr(sys, "stderr", replaced)
    env = environ_for("rest", "GET", "/")
    assert env["wsgi.errors"] is replaced


def test_46_app_writes_to_wsgi_errors_reach_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    """#46: what the app writes to wsgi.errors appears on stderr, nothing on stdout."""
    def wsgi(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        environ["wsgi.errors"].write("something went sideways\n")
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    invoke(mounted(wsgi), make("rest", "GET", "/"))
    out, err = capsys.readouterr()
    assert "something went sideways" in err
    assert "something went sideways" not in out


# -- 2.5 Request body -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("variant", ["absent", "null", "empty"])
def test_47_no_body_is_empty_input(kind: str, variant: str) -> None:
    """#47: a missing, null or empty body: wsgi.input is empty, CONTENT_LENGTH "0"."""
    event = make(kind, "POST", "/")
    if variant == "absent":
        event.pop("body", None)
    else:
        event["body"] = None if variant == "null" else ""
    wsgi = RecordingApp()
    respond(mounted(wsgi), kind, event)
    assert wsgi.input == b""
    assert wsgi.environ["CONTENT_LENGTH"] == "0"


@pytest.mark.parametrize("kind", KINDS)
def test_48_text_body_is_utf8_input(kind: str) -> None:
    """#48: a plain (not base64) body reaches wsgi.input UTF-8 encoded."""
    wsgi = RecordingApp()
    event = make(kind, "POST", "/", body="héllo wörld ☃",
                 headers={"Content-Type": "text/plain"})
    respond(mounted(wsgi), kind, event)
    assert wsgi.input == "héllo wörld ☃".encode()
    assert wsgi.environ["CONTENT_LENGTH"] == str(len("héllo wörld ☃".encode()))
    assert wsgi.environ["wsgi.input_terminated"] is True


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "GET", "DELETE"])
def test_49_base64_body_decoded_for_any_method(kind: str, method: str) -> None:
    """#49: isBase64Encoded bodies are decoded (any method); CONTENT_LENGTH counts bytes."""
    data = b"\x00\xff\xfe binary \x89PNG"
    wsgi = RecordingApp()
    event = make(kind, method, "/", body=base64.b64encode(data).decode(), b64=True)
    respond(mounted(wsgi), kind, event)
    assert wsgi.input == data
    assert wsgi.environ["CONTENT_LENGTH"] == str(len(data))


# A complete 1x1 PNG: binary bytes that are not valid UTF-8.
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def _multipart(fields: list[tuple[str, str | None, str, bytes]]) -> tuple[str, bytes]:
    """A multipart/form-data body: (name, filename, content type, data) per part."""
    boundary = "----checklistBoundary7MA4YWxkTrZu0gW"
    parts = []
    for name, filename, ctype, data in fields:
        disposition = 'form-data; name="%s"' % name
        if filename is not None:
            disposition += '; filename="%s"' % filename
        parts.append(b"--%s\r\nContent-Disposition: %s\r\nContent-Type: %s\r\n\r\n%s\r\n"
                     % (boundary.encode(), disposition.encode(), ctype.encode(), data))
    body = b"".join(parts) + b"--%s--\r\n" % boundary.encode()
    return "multipart/form-data; boundary=%s" % boundary, body


@pytest.mark.parametrize("kind", KINDS)
def test_50_base64_multipart_upload_parsed(kind: str) -> None:
    """#50: a base64 multipart upload with a PNG reaches Flask whole; the form field parses."""
    ctype, body = _multipart([("name", None, "text/plain", b"tiny"),
                              ("file", "pixel.png", "image/png", _PNG)])
    event = make(kind, "POST", "/upload", headers={"Content-Type": ctype},
                 body=base64.b64encode(body).decode(), b64=True)
    response = respond(mounted(_flask_app()), kind, event)
    assert response.status_code == 200
    assert response.json_body == {"name": "tiny", "size": len(_PNG), "sha": _PNG.hex(),
                                  "content_length": len(body)}


@pytest.mark.parametrize("kind", KINDS)
def test_51_non_latin1_text_body_round_trips(kind: str) -> None:
    """#51: a multipart text body with テスト 테스트 测试 (not base64) round-trips."""
    text = "テスト 테스트 测试"
    ctype, body = _multipart([("text", None, "text/plain; charset=utf-8", text.encode())])
    event = make(kind, "POST", "/echo-form", headers={"Content-Type": ctype},
                 body=body.decode("utf-8"))
    response = respond(mounted(_flask_app()), kind, event)
    assert response.status_code == 200
    assert response.text == text
    assert response.raw["isBase64Encoded"] is False


# -- 2.6 Response headers and cookies --------------------------------------------------------

_COOKIES = ["a=1; Path=/", "b=2; HttpOnly", "c=3; Secure"]


@pytest.mark.parametrize("kind", ALB_KINDS)
def test_52_alb_response_shape_follows_the_event(kind: str) -> None:
    """#52: ALB: "multiValueHeaders" iff the event had them, else "headers" (never both)."""
    raw = serve(kind, headers=[("Content-Type", "text/plain"), ("X-One", "1")]).raw
    if kind == "alb-multi":
        assert "headers" not in raw
        assert raw["multiValueHeaders"] == {"Content-Type": ["text/plain"], "X-One": ["1"]}
    else:
        assert "multiValueHeaders" not in raw
        assert raw["headers"] == {"Content-Type": "text/plain", "X-One": "1"}


@pytest.mark.parametrize("kind", V1_KINDS)
def test_52_53_rest_single_headers_in_headers_repeated_in_multi(kind: str) -> None:
    """#52, #53: REST: single-valued headers in "headers", repeated ones only in
    "multiValueHeaders" (API Gateway merges both), whatever the event carried."""
    headers = [("Content-Type", "text/plain"), ("X-One", "1"), ("Vary", "Accept"),
               ("Set-Cookie", _COOKIES[0]), ("Vary", "Origin"), ("Set-Cookie", _COOKIES[1])]
    response = serve(kind, headers=headers)
    raw = response.raw
    assert raw["headers"] == {"Content-Type": "text/plain", "X-One": "1"}
    assert raw["multiValueHeaders"] == {"Vary": ["Accept", "Origin"],
                                        "Set-Cookie": _COOKIES[:2]}
    assert response.headers.getlist("vary") == ["Accept", "Origin"]


@pytest.mark.parametrize("kind", V1_KINDS)
def test_52_rest_single_valued_response_needs_no_multi_value_headers(kind: str) -> None:
    """#52: with no repeated header every header is in "headers"."""
    raw = serve(kind, headers=[("Content-Type", "text/plain"), ("X-One", "1")]).raw
    assert raw["headers"] == {"Content-Type": "text/plain", "X-One": "1"}
    assert not raw.get("multiValueHeaders")


@pytest.mark.parametrize("kind", MULTI_KINDS)
def test_54_several_set_cookie_each_once_in_order(kind: str) -> None:
    """#54: multi-value mode: one Set-Cookie list, every cookie exactly once, in order."""
    response = serve(kind, headers=[("Content-Type", "text/plain")]
                     + [("Set-Cookie", c) for c in _COOKIES])
    assert response.raw["multiValueHeaders"]["Set-Cookie"] == _COOKIES
    assert "Set-Cookie" not in (response.raw.get("headers") or {})
    assert response.cookies == _COOKIES


def test_55_alb_single_value_mode_case_permutes_set_cookie() -> None:
    """#55: ALB without multi-value headers: cookies go out under case-permuted names."""
    response = serve("alb", headers=[("Content-Type", "text/plain")]
                     + [("Set-Cookie", c) for c in _COOKIES])
    headers = response.raw["headers"]
    assert headers["set-cookie"] == _COOKIES[0]
    assert headers["Set-cookie"] == _COOKIES[1]
    assert headers["sEt-cookie"] == _COOKIES[2]
    assert sorted(v for k, v in headers.items() if k.lower() == "set-cookie") == sorted(_COOKIES)
    assert response.cookies == _COOKIES


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("count", [0, 1])
def test_56_one_or_zero_cookies(kind: str, count: int) -> None:
    """#56: one cookie: one plain Set-Cookie (v2: the cookies list); none: no Set-Cookie."""
    cookies = _COOKIES[:count]
    response = serve(kind, headers=[("Content-Type", "text/plain")]
                     + [("Set-Cookie", c) for c in cookies])
    assert response.cookies == cookies
    raw = response.raw
    names = _header_names(raw)
    if kind in V2_KINDS:
        assert raw["cookies"] == cookies
        assert "set-cookie" not in names
    else:
        assert names.count("set-cookie") == count
        if count and kind != "alb-multi":
            assert raw["headers"].get("Set-Cookie", raw["headers"].get("set-cookie")) == cookies[0]


@pytest.mark.parametrize("kind", V2_KINDS)
@pytest.mark.parametrize("count", [0, 1, 3])
def test_57_v2_set_cookie_only_in_cookies_list(kind: str, count: int) -> None:
    """#57: payload 2.0: Set-Cookie only in the top-level "cookies" list ([] when none)."""
    cookies = _COOKIES[:count]
    raw = serve(kind, headers=[("Content-Type", "text/plain")]
                + [("Set-Cookie", c) for c in cookies]).raw
    assert raw["cookies"] == cookies
    assert "set-cookie" not in _header_names(raw)


@pytest.mark.parametrize("kind", V2_KINDS)
def test_58_v2_other_repeated_headers_joined_with_comma(kind: str) -> None:
    """#58: payload 2.0: other repeated response headers are joined with ","."""
    raw = serve(kind, headers=[("Content-Type", "text/plain"), ("X-Multi", "foo"),
                               ("X-Multi", "bar")]).raw
    assert raw["headers"]["X-Multi"] == "foo,bar"


@pytest.mark.parametrize("kind", V2_KINDS)
def test_59_v2_request_cookies_joined_into_http_cookie(kind: str) -> None:
    """#59: event "cookies" joined with "; " into HTTP_COOKIE; a Cookie header merged after."""
    event = make(kind, "GET", "/")
    event["cookies"] = ["a=1", "b=2"]
    wsgi = RecordingApp()
    respond(mounted(wsgi), kind, event)
    assert wsgi.environ["HTTP_COOKIE"] == "a=1; b=2"

    event["headers"]["cookie"] = "c=3"
    wsgi = RecordingApp()
    respond(mounted(wsgi), kind, event)
    assert wsgi.environ["HTTP_COOKIE"] == "a=1; b=2; c=3"


@pytest.mark.parametrize("kind", V2_KINDS)
def test_60_v2_response_header_name_case_preserved(kind: str) -> None:
    """#60: payload 2.0 response header names keep the case the app gave them."""
    raw = serve(kind, headers=[("content-type", "text/plain"), ("X-Custom-Header", "v"),
                               ("x-lower", "w")]).raw
    assert raw["headers"] == {"content-type": "text/plain", "X-Custom-Header": "v",
                              "x-lower": "w"}


@pytest.mark.parametrize("kind", KINDS)
def test_61_excluded_headers_dropped_case_insensitively(kind: str) -> None:
    """#61: mount_wsgi(exclude_headers=...) drops those response headers, any case."""
    response = serve(kind, headers=[("Content-Type", "text/plain"), ("X-Powered-By", "PHP"),
                                    ("SERVER", "gunicorn"), ("X-Kept", "yes")],
                     exclude_headers=["x-powered-by", "Server"])
    names = _header_names(response.raw)
    assert "x-powered-by" not in names
    assert "server" not in names
    assert response.headers["x-kept"] == "yes"


@pytest.mark.parametrize("value", ["X-Powered-By", ["ok", 7]])
def test_61_exclude_headers_must_be_a_list_of_names(value: Any) -> None:
    """#61: exclude_headers given as a str (or with non-str items) fails at mount time."""
    with pytest.raises(RegistrationError):
        mounted(RecordingApp(), exclude_headers=value)


def test_61_exclude_headers_not_iterable_is_a_registration_error() -> None:
    """#61: a non-iterable exclude_headers is a bad argument: RegistrationError at mount time."""
    with pytest.raises(RegistrationError):
        mounted(RecordingApp(), exclude_headers=42)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("setup", list(SETUPS))
def test_62_no_content_type_and_empty_body_adds_nothing(kind: str, setup: str) -> None:
    """#62: no Content-Type and an empty body: no Content-Type is added, body ""."""
    response = serve(kind, headers=[("X-Only", "1")], body=[], app_setup=SETUPS[setup])
    assert "content-type" not in _header_names(response.raw)
    assert response.raw["body"] == ""
    assert response.raw["isBase64Encoded"] is False


# -- 2.7 Binary / base64 responses ------------------------------------------------------------

_TEXT = "héllo <b>wörld</b> ☃".encode()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("ctype", [
    "text/plain", "text/html; charset=utf-8", "text/csv", "application/json",
    "application/problem+json", "application/vnd.api+json", "application/javascript",
    "application/xml", "application/atom+xml", "image/svg+xml",
    "application/json; charset=utf-8",
])
def test_63_text_types_sent_as_text(kind: str, ctype: str) -> None:
    """#63: text/*, JSON, +json, +xml, JavaScript, XML and SVG bodies travel as text."""
    response = serve(kind, headers=[("Content-Type", ctype)], body=[_TEXT])
    assert response.raw["isBase64Encoded"] is False
    assert response.raw["body"] == _TEXT.decode()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("setup", list(SETUPS))
@pytest.mark.parametrize("encoding", ["gzip", "br", "brotli", "deflate"])
def test_64_any_content_encoding_is_base64(kind: str, setup: str, encoding: str) -> None:
    """#64: a Content-Encoding makes the body base64 even for a text type valid as UTF-8."""
    response = serve(kind, headers=[("Content-Type", "text/plain"),
                                    ("Content-Encoding", encoding)],
                     body=[b"looks like text"], app_setup=SETUPS[setup])
    assert response.raw["isBase64Encoded"] is True
    assert response.body == b"looks like text"
    assert response.headers["content-encoding"] == encoding


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("setup", list(SETUPS))
@pytest.mark.parametrize("ctype", ["application/octet-stream", "image/jpeg", "image/gif",
                                   "image/png", "application/pdf"])
def test_65_68_binary_types_base64_for_every_kind(kind: str, setup: str, ctype: str) -> None:
    """#65, #68: binary bodies are base64 with isBase64Encoded true, the same in every kind."""
    response = serve(kind, headers=[("Content-Type", ctype)], body=[_PNG],
                     app_setup=SETUPS[setup])
    assert response.raw["isBase64Encoded"] is True
    assert response.body == _PNG


@pytest.mark.parametrize("kind", KINDS)
def test_65_binary_types_setting_wins_over_text(kind: str) -> None:
    """#65: a type listed in app.api.binary_types is base64 even when it is text."""
    def setup(app: App) -> None:
        app.api.binary_types.append("text/csv")

    response = serve(kind, headers=[("Content-Type", "text/csv")], body=[b"a,b\n1,2\n"],
                     app_setup=setup)
    assert response.raw["isBase64Encoded"] is True
    assert response.body == b"a,b\n1,2\n"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("text_types", "is_text"), [
    ([], False), (["application/x-custom"], True), (["application/*"], True),
    (["APPLICATION/X-CUSTOM"], True), (["text/x-other"], False),
])
def test_66_configurable_text_types(kind: str, text_types: list[str], is_text: bool) -> None:
    """#66: an unknown type is base64 by default, text once app.api.text_types lists it."""
    def setup(app: App) -> None:
        app.api.text_types = list(text_types)

    response = serve(kind, headers=[("Content-Type", "application/x-custom; v=1")],
                     body=[b"key: value\n"], app_setup=setup)
    assert response.raw["isBase64Encoded"] is (not is_text)
    assert response.body == b"key: value\n"


@pytest.mark.parametrize("kind", KINDS)
def test_66_text_type_that_is_not_utf8_is_base64(kind: str) -> None:
    """#66: a text type whose bytes are not UTF-8 still travels base64 (never mangled)."""
    response = serve(kind, headers=[("Content-Type", "text/plain; charset=latin-1")],
                     body=["café".encode("latin-1")])
    assert response.raw["isBase64Encoded"] is True
    assert response.body == "café".encode("latin-1")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("setup", list(SETUPS))
def test_67_no_content_type_gets_octet_stream_and_base64(kind: str, setup: str) -> None:
    """#67: no Content-Type and a body: application/octet-stream is added, body base64."""
    response = serve(kind, headers=[], body=[b"Hello World\n"], app_setup=SETUPS[setup])
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.raw["isBase64Encoded"] is True
    assert response.raw["body"] == "SGVsbG8gV29ybGQK"


def _raises(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    raise ValueError("the app failed")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", ["text", "binary", "empty", "error"])
def test_69_is_base64_encoded_always_present(kind: str, case: str) -> None:
    """#69: every response carries isBase64Encoded as a bool (ALB requires it)."""
    wsgi: Callable[..., Iterable[bytes]]
    if case == "error":
        wsgi = _raises
    else:
        body = {"text": [b"hi"], "binary": [_PNG], "empty": []}[case]
        ctype = "image/png" if case == "binary" else "text/plain"
        wsgi = RecordingApp(body, headers=[("Content-Type", ctype)])
    raw = respond(mounted(wsgi), kind, make(kind, "GET", "/")).raw
    assert raw["isBase64Encoded"] is (case == "binary")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("setup", list(SETUPS))
def test_70_empty_chunks_skipped_and_closeless_iterable_accepted(kind: str, setup: str) -> None:
    """#70: empty chunks are skipped and an iterable without close() is fine."""
    def wsgi(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return iter([b"", b"Hi", b"", b" there", b"!", b""])  # a list iterator: no close()

    app = mounted(wsgi)
    prepare = SETUPS[setup]
    if prepare is not None:
        prepare(app)
    response = respond(app, kind, make(kind, "GET", "/"))
    assert response.raw["body"] == "Hi there!"
    assert response.raw["isBase64Encoded"] is False


@pytest.mark.parametrize("kind", KINDS)
def test_70_empty_body_is_empty_string_not_base64(kind: str) -> None:
    """#70: an empty body is "" with isBase64Encoded false, even for a binary type."""
    response = serve(kind, headers=[("Content-Type", "image/png")], body=[b""])
    assert response.raw["body"] == ""
    assert response.raw["isBase64Encoded"] is False


# -- 2.8 ALB status line, errors, logging --------------------------------------------------------


@pytest.mark.parametrize("kind", ALB_KINDS)
@pytest.mark.parametrize(("status", "code", "description"), [
    ("200 OK", 200, "200 OK"), ("201 Created", 201, "201 Created"),
    ("404 Not Found", 404, "404 Not Found"), ("302 Found", 302, "302 Found"),
    ("500 Internal Server Error", 500, "500 Internal Server Error"),
])
def test_71_alb_status_description(kind: str, status: str, code: int, description: str) -> None:
    """#71: ALB responses carry statusDescription, e.g. "200 OK"."""
    raw = serve(kind, status=status).raw
    assert (raw["statusCode"], raw["statusDescription"]) == (code, description)


@pytest.mark.parametrize("kind", KINDS)
def test_71_status_code_from_the_wsgi_status_line(kind: str) -> None:
    """#71: the status code comes from the WSGI status line."""
    assert serve(kind, status="418 I'm a teapot").status_code == 418


def test_72_exc_info_before_body_replaces_status_and_headers() -> None:
    """#72: start_response(..., exc_info) before any body replaces the status (PEP 3333)."""
    def wsgi(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-First", "1")])
        try:
            raise ValueError("late failure")
        except ValueError:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")],
                           sys.exc_info())
        return [b"try again later"]

    response = respond(mounted(wsgi), "rest", make("rest", "GET", "/"))
    assert response.status_code == 503
    assert response.body == b"try again later"
    assert "x-first" not in response.headers


def test_72_exc_info_after_body_written_reraises(caplog: pytest.LogCaptureFixture) -> None:
    """#72: once body data went out (write()), exc_info is re-raised: a logged 500."""
    def wsgi(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"partial")
        try:
            raise ValueError("original failure")
        except ValueError:
            start_response("500 Oops", [("Content-Type", "text/plain")], sys.exc_info())
        return [b"never sent"]

    raw = invoke(mounted(wsgi), make("rest", "GET", "/"))
    _internal_error(raw)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors
    exc_info = errors[0].exc_info
    assert exc_info is not None
    assert isinstance(exc_info[1], ValueError)
    assert str(exc_info[1]) == "original failure"


def test_72_exc_info_after_body_yielded_reraises() -> None:
    """#72: a generator that yielded body, then calls start_response with exc_info: a 500."""
    def wsgi(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"partial"
        try:
            raise ValueError("original failure")
        except ValueError:
            start_response("500 Oops", [("Content-Type", "text/plain")], sys.exc_info())
        yield b"never sent"

    _internal_error(invoke(mounted(wsgi), make("rest", "GET", "/")))


@pytest.mark.parametrize("kind", KINDS)
def test_74_unhandled_exception_is_logged_500_json(kind: str,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    """#74: an exception from the app: 500 JSON InternalServerError, logged with traceback."""
    raw = respond(mounted(_raises), kind, make(kind, "GET", "/")).raw
    body = _internal_error(raw)
    assert "Traceback" not in body
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    assert logged
    assert logged[0].exc_info is not None
    assert isinstance(logged[0].exc_info[1], ValueError)


def test_74_middleware_sees_the_failure_as_a_500_and_may_replace_it() -> None:
    """#74: an HTTP middleware (the app-wide exception hook) gets the failing mount's 500
    Response, like a failing view's, and may answer instead."""
    app = mounted(_raises)
    seen: list[int] = []

    @app.middleware("http")
    def on_error(request: Request, get_response: Callable[[Request], Response]) -> Response:
        response = get_response(request)
        seen.append(response.status_code)
        if response.status_code == 500:
            return Response({"error": "handled"}, {"X-Handled": "1"}, 503)
        return response

    response = respond(app, "rest", make("rest", "GET", "/"))
    assert seen == [500]
    assert response.status_code == 503
    assert response.json_body == {"error": "handled"}
    assert response.headers["x-handled"] == "1"


def test_74_debug_puts_traceback_in_the_body() -> None:
    """#74: with App(debug=True) the 500 body carries the traceback."""
    raw = invoke(mounted(_raises, debug=True), make("rest", "GET", "/"))
    body = _internal_error(raw)
    assert "ValueError: the app failed" in body["Traceback"]


@pytest.mark.parametrize("kind", KINDS)
def test_74_framework_error_handler_page_passes_through(kind: str) -> None:
    """#74: a framework's own exception handler (Flask errorhandler(500)) is used as is."""
    response = respond(mounted(_flask_app()), kind, make(kind, "GET", "/boom"))
    assert response.status_code == 500
    assert response.text == "<h1>Our own error page</h1>"
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_74_framework_404_page_passes_through() -> None:
    """#74: Flask's own 404 HTML page reaches the client untouched."""
    response = respond(mounted(_flask_app()), "rest", make("rest", "GET", "/missing"))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Not Found" in response.text


def _start_twice(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [])
    start_response("200 OK", [])
    return [b"x"]


def _never_starts(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    return []


def _yields_str(environ: Environ, start_response: StartResponse) -> Iterable[Any]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return ["not bytes"]


def _bad_status(status: str) -> Callable[..., Iterable[bytes]]:
    def wsgi(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response(status, [("Content-Type", "text/plain")])
        return [b"x"]
    return wsgi


@pytest.mark.parametrize("kind", ["rest", "http-v2", "alb"])
@pytest.mark.parametrize("wsgi", [
    pytest.param(_start_twice, id="start-twice"),
    pytest.param(_never_starts, id="never-started"),
    pytest.param(_yields_str, id="str-chunk"),
    pytest.param(_bad_status("OK"), id="status-OK"),
    pytest.param(_bad_status("2000 OK"), id="status-2000"),
    pytest.param(_bad_status("abc Nope"), id="status-abc"),
])
def test_74_pep3333_violations_are_500(kind: str, wsgi: Callable[..., Iterable[bytes]],
                                       caplog: pytest.LogCaptureFixture) -> None:
    """#74: PEP 3333 violations by the app are a logged 500, never a crashed handler."""
    _internal_error(respond(mounted(wsgi), kind, make(kind, "GET", "/")).raw)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("kind", KINDS)
def test_77_debug_logs_one_line_per_request(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    """#77: with App(debug=True) each mounted request logs "GET /path status" at DEBUG."""
    wsgi = RecordingApp(status="404 Not Found")
    app = mounted(wsgi, debug=True)
    invoke(app, make(kind, "GET", "/test/hello"))
    lines = [r.getMessage() for r in caplog.records
             if r.name == app.app_name and r.levelno == logging.DEBUG
             and "/test/hello" in r.getMessage()]
    assert lines == ["GET /test/hello 404"]


def test_77_no_request_log_without_debug(caplog: pytest.LogCaptureFixture) -> None:
    """#77: without debug there is no per-request line."""
    caplog.set_level(logging.DEBUG)
    app = mounted(RecordingApp())
    invoke(app, make("rest", "GET", "/test/hello"))
    assert not [r for r in caplog.records if "/test/hello" in r.getMessage()]


# -- 2.10 Cases no anchor tests ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("setup", list(SETUPS))
def test_head_drops_the_body(kind: str, setup: str) -> None:
    """HEAD: the app runs (REQUEST_METHOD HEAD) but the response body is dropped."""
    body = ClosingBody([b"hello"])

    def wsgi(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        assert environ["REQUEST_METHOD"] == "HEAD"
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-Kept", "1")])
        return body

    app = mounted(wsgi)
    prepare = SETUPS[setup]
    if prepare is not None:
        prepare(app)
    response = respond(app, kind, make(kind, "HEAD", "/"))
    assert response.status_code == 200
    assert (response.raw["body"], response.raw["isBase64Encoded"]) == ("", False)
    assert response.headers["x-kept"] == "1"
    assert body.closed == 1


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("setup", list(SETUPS))
@pytest.mark.parametrize("status", ["204 No Content", "304 Not Modified"])
def test_204_and_304_have_no_body(kind: str, setup: str, status: str) -> None:
    """204 and 304 responses go out without a body, whatever the app yielded."""
    response = serve(kind, status=status, headers=[("Content-Type", "image/png")],
                     body=[_PNG], app_setup=SETUPS[setup])
    assert response.status_code == int(status[:3])
    assert (response.raw["body"], response.raw["isBase64Encoded"]) == ("", False)


_HOP_BY_HOP = ["Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailers", "Upgrade",
               "Proxy-Authenticate", "Proxy-Authorization"]


@pytest.mark.parametrize("kind", KINDS)
def test_hop_by_hop_headers_dropped(kind: str) -> None:
    """Hop-by-hop response headers are always dropped, in any case; others are kept."""
    headers = [("Content-Type", "text/plain"), ("X-Kept", "1")]
    headers += [(name, "x") for name in _HOP_BY_HOP]
    headers += [(name.upper(), "y") for name in _HOP_BY_HOP]
    response = serve(kind, headers=headers)
    names = _header_names(response.raw)
    assert not {name.lower() for name in _HOP_BY_HOP} & set(names)
    assert response.headers["x-kept"] == "1"


@pytest.mark.parametrize("kind", ["rest", "http-v2", "alb"])
def test_response_header_order_kept(kind: str) -> None:
    """Response headers keep the order the app gave them."""
    given = [("Content-Type", "text/plain"), ("X-C", "3"), ("X-A", "1"), ("X-B", "2")]
    raw = serve(kind, headers=given).raw
    assert list(raw["headers"].items()) == given


@pytest.mark.parametrize("kind", KINDS)
def test_non_latin1_response_header_value_does_not_crash(kind: str) -> None:
    """A str header value with a non-latin-1 character: the handler still answers.

    The value is passed on as given (a 500 would be acceptable too); the answer
    must be a response the service accepts, and JSON-serialisable for Lambda.
    """
    response = serve(kind, headers=[("Content-Type", "text/plain"), ("X-Note", "café ☕")])
    json.dumps(response.raw)
    assert response.status_code in (200, 500)
    if response.status_code == 200:
        assert response.body == b"ok"
        assert response.headers["x-note"] == "café ☕"


@pytest.mark.parametrize(("kind", "expected"), [
    ("rest", "a=&b="), ("rest-single", "a=&b="), ("http-v1", "a=&b="),
    ("http-v2", "a=&b"), ("function-url", "a=&b"), ("alb", "a=&b="), ("alb-multi", "a=&b="),
])
def test_blank_query_values(kind: str, expected: str) -> None:
    """Blank query values (?a=&b) survive: v2 verbatim, v1/ALB as "a=&b="."""
    event = make(kind, "GET", "/", query=[("a", ""), ("b", "")])
    if kind in V2_KINDS:
        event["rawQueryString"] = "a=&b"
    wsgi = RecordingApp()
    respond(mounted(wsgi), kind, event)
    assert wsgi.environ["QUERY_STRING"] == expected


@pytest.mark.parametrize("kind", KINDS)
def test_generator_raising_mid_iteration_is_closed_and_500(kind: str) -> None:
    """A body that raises mid-iteration: close() is called and the client gets a 500."""
    body = ClosingBody([b"first", b"second"], fail_after=1)

    def wsgi(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return body

    _internal_error(respond(mounted(wsgi), kind, make(kind, "GET", "/")).raw)
    assert body.closed == 1


def test_real_generator_raising_mid_iteration_runs_its_finally() -> None:
    """A generator app that raises mid-iteration has its cleanup run; the client gets a 500."""
    cleaned: list[str] = []

    def wsgi(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        try:
            yield b"first"
            raise RuntimeError("mid-stream failure")
        finally:
            cleaned.append("done")

    _internal_error(invoke(mounted(wsgi), make("rest", "GET", "/")))
    assert cleaned == ["done"]


def _closing_app(body: ClosingBody, status: str = "200 OK") -> Callable[..., Iterable[Any]]:
    def wsgi(environ: Environ, start_response: StartResponse) -> Iterable[Any]:
        start_response(status, [("Content-Type", "text/plain")])
        return body
    return wsgi


@pytest.mark.parametrize(("case", "body", "status", "method", "code"), [
    ("normal", ClosingBody([b"a", b"b"]), "200 OK", "GET", 200),
    ("head", ClosingBody([b"a"]), "200 OK", "HEAD", 200),
    ("no-content", ClosingBody([b"a"]), "204 No Content", "GET", 204),
    ("str-chunk", ClosingBody([b"a", "oops"]), "200 OK", "GET", 500),
    ("raises", ClosingBody([b"a"], fail_after=0), "200 OK", "GET", 500),
    ("bad-status", ClosingBody([b"a"]), "OK", "GET", 500),
])
def test_close_always_called(case: str, body: ClosingBody, status: str, method: str,
                             code: int) -> None:
    """close() on the app's iterable is called exactly once, whatever happens."""
    for setup in SETUPS.values():
        body.closed = body.yielded = 0
        app = mounted(_closing_app(body, status))
        if setup is not None:
            setup(app)
        raw = respond(app, "rest", make("rest", method, "/")).raw
        assert raw["statusCode"] == code, case
        assert body.closed == 1, case


def test_close_called_when_start_response_never_called() -> None:
    """close() is called even when the app returned without calling start_response()."""
    body = ClosingBody([])

    def wsgi(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        return body

    _internal_error(invoke(mounted(wsgi), make("rest", "GET", "/")))
    assert body.closed == 1


_LIMIT = 6 * 1024 * 1024


@pytest.mark.parametrize("kind", ["rest", "http-v2", "alb"])
def test_body_over_6mb_is_502_closed_and_logged(kind: str,
                                                caplog: pytest.LogCaptureFixture) -> None:
    """Over 6 MB: reading stops, close() is called, a 502 BadGateway, the size logged."""
    chunk = b"x" * (1024 * 1024)
    body = ClosingBody([chunk] * 10)
    response = respond(mounted(_closing_app(body)), kind, make(kind, "GET", "/big"))
    assert response.status_code == 502
    assert response.json_body == {"Code": "BadGateway",
                                  "Message": "The response is larger than AWS Lambda can return."}
    assert body.closed == 1
    assert body.yielded < 10  # the rest of the body was never read
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors
    assert re.search(r"\d{7,}", errors[0])  # the size it reached


def test_body_over_6mb_through_write_is_502() -> None:
    """Over 6 MB through write(): the same 502."""
    def wsgi(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        write = start_response("200 OK", [("Content-Type", "application/octet-stream")])
        write(b"x" * _LIMIT)
        write(b"y")
        return []

    assert invoke(mounted(wsgi), make("rest", "GET", "/"))["statusCode"] == 502


@pytest.mark.parametrize("kind", KINDS)
def test_wsgi_constants(kind: str) -> None:
    """The wsgi.* keys and SERVER_PROTOCOL every PEP 3333 app may rely on."""
    env = environ_for(kind, "GET", "/")
    assert env["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert env["wsgi.version"] == (1, 0)
    assert env["wsgi.input_terminated"] is True
    assert (env["wsgi.multithread"], env["wsgi.multiprocess"], env["wsgi.run_once"]) == (
        False, True, False)


@pytest.mark.parametrize("kind", KINDS)
def test_non_latin1_request_header_is_utf8_bytes_as_latin1(kind: str) -> None:
    """A non-latin-1 request header value arrives as its UTF-8 bytes read as latin-1."""
    env = environ_for(kind, "GET", "/", headers={"X-Name": "Zoë 今"})
    assert env["HTTP_X_NAME"] == _latin1("Zoë 今")
    assert env["HTTP_X_NAME"].encode("latin-1").decode("utf-8") == "Zoë 今"


def test_response_format_table_covers_every_kind() -> None:
    """The helper table used to check responses knows every event kind."""
    assert set(RESPONSE_FORMAT) == set(KINDS)
    assert make("function-url")["requestContext"]["domainName"] == URL_HOST
    assert make("rest")["requestContext"]["identity"]["sourceIp"] == CLIENT_IP


# -- completeness ---------------------------------------------------------------------------


def _items_named_by_tests() -> set[int]:
    items: set[int] = set()
    for name, obj in globals().items():
        if not name.startswith("test_") or not callable(obj) or name == (
                "test_every_checklist_item_is_covered_or_not_applicable"):
            continue
        numbers = re.match(r"test_((?:\d{2}_)+)", name)
        if numbers:
            items |= {int(n) for n in numbers.group(1).split("_") if n}
        items |= {int(n) for n in re.findall(r"#(\d+)", obj.__doc__ or "")}
    return items


def test_every_checklist_item_is_covered_or_not_applicable() -> None:
    """Each of the 77 checklist items has a test naming it, or is listed as not applicable."""
    covered = _items_named_by_tests()
    assert covered | set(NOT_APPLICABLE) == set(range(1, 78))
    assert not covered & set(NOT_APPLICABLE), "an item both tested and listed as N/A"
    assert all(reason.strip() for reason in NOT_APPLICABLE.values())
