"""Property tests: no HTTP event, however malformed, makes the handler raise or answer garbage.

Each example starts from a valid event of one kind (REST, HTTP API 1.0 and
2.0, Function URL, ALB with and without multi-value headers) and breaks it:
keys deleted, values swapped for None / wrong types / huge strings, headers
null, undecodable percent-encoded paths, invalid base64 or JSON bodies,
header values that are lists of mixed types, 100 KB header values. The app's
views read every request attribute, so lazily parsed parts are exercised too.
"""
import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from myframework import App, Request, Response, UnknownEventError
from myframework.testing import EVENT_FORMATS, Client, FakeLambdaContext

FUZZ_SETTINGS = settings(max_examples=200, deadline=None,
                         suppress_health_check=[HealthCheck.too_slow,
                                                HealthCheck.data_too_large])
HUGE = "x" * 100_000
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


# -- an app whose views read everything -----------------------------------------------------

def read_everything(request: Request) -> dict[str, Any]:
    headers = request.headers
    query = request.query_params
    summary: dict[str, Any] = {
        "method": request.method,
        "path": request.path,
        "kind": request.event_kind,
        "uri_params": request.uri_params,
        "headers": {name: headers[name] for name in headers},
        "header_lists": {name: headers.getlist(name) for name in headers},
        "content_type": request.content_type,
        "has_ctype": "content-type" in headers,
        "origin": headers.get("origin"),
        "query": {name: query[name] for name in query},
        "query_lists": query.to_dict(),
        "query_a": query.get("a"),
        "cookies": request.cookies,
        "context": request.context,
        "stage_vars": request.stage_vars,
        "has_body": request.has_body,
        "raw_len": len(request.raw_body),
        "as_dict": request.to_dict(),
        "same_event": request.to_original_event() is not None,
        "repr": repr(request),
    }
    body = request.json_body
    summary["json_type"] = type(body).__name__
    return summary


def make_app() -> App:
    app = App("fuzz")

    @app.route("/inspect/{thing}", methods=ALL_METHODS, content_types=["*/*"])
    def inspect(thing: str) -> dict[str, Any]:
        return {"thing": thing, **read_everything(app.current_request)}

    @app.route("/strict", methods=ALL_METHODS)
    def strict() -> dict[str, Any]:
        return read_everything(app.current_request)

    @app.route("/", methods=ALL_METHODS, content_types=["*/*"])
    def root() -> dict[str, Any]:
        return read_everything(app.current_request)

    return app


APP = make_app()


# -- valid base events ----------------------------------------------------------------------

BODY = '{"name": "Rex", "tags": ["a", "b"]}'


def rest_event() -> dict[str, Any]:
    return {
        "resource": "/inspect/{thing}", "path": "/inspect/abc", "httpMethod": "POST",
        "headers": {"Content-Type": "application/json", "Cookie": "a=1; b=2",
                    "Host": "abc.execute-api.us-east-1.amazonaws.com", "Origin": "https://x.io"},
        "multiValueHeaders": {"Content-Type": ["application/json"], "Cookie": ["a=1; b=2"],
                              "Host": ["abc.execute-api.us-east-1.amazonaws.com"],
                              "Origin": ["https://x.io"]},
        "queryStringParameters": {"a": "2", "b": "x"},
        "multiValueQueryStringParameters": {"a": ["1", "2"], "b": ["x"]},
        "pathParameters": {"thing": "abc"}, "stageVariables": {"s": "v"},
        "requestContext": {"accountId": "123456789012", "apiId": "abc", "stage": "dev",
                           "httpMethod": "POST", "path": "/dev/inspect/abc",
                           "requestId": "id", "resourcePath": "/inspect/{thing}",
                           "identity": {"sourceIp": "192.0.2.1", "userAgent": "curl"}},
        "body": BODY, "isBase64Encoded": False,
    }


def http_api_v1_event() -> dict[str, Any]:
    event = rest_event()
    event["version"] = "1.0"
    event["requestContext"]["stage"] = "$default"
    return event


def http_api_v2_event() -> dict[str, Any]:
    return {
        "version": "2.0", "routeKey": "$default", "rawPath": "/dev/inspect/abc",
        "rawQueryString": "a=1&a=2&b=&c=x%20y", "cookies": ["a=1", "b=2"],
        "headers": {"content-type": "application/json", "host": "r3pmxmplak.execute-api.aws",
                    "cookie": "c=3", "x-multi": "v1,v2"},
        "queryStringParameters": {"a": "1,2", "b": "", "c": "x y"},
        "requestContext": {"accountId": "123456789012", "apiId": "r3pmxmplak",
                           "domainName": "r3pmxmplak.execute-api.us-east-2.amazonaws.com",
                           "http": {"method": "POST", "path": "/dev/inspect/abc",
                                    "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1",
                                    "userAgent": "curl"},
                           "requestId": "id", "routeKey": "$default", "stage": "dev",
                           "timeEpoch": 1583348638390},
        "pathParameters": {"thing": "abc"}, "stageVariables": None,
        "body": BODY, "isBase64Encoded": False,
    }


def function_url_event() -> dict[str, Any]:
    event = http_api_v2_event()
    event["rawPath"] = "/inspect/abc"
    event["requestContext"]["stage"] = "$default"
    event["requestContext"]["domainName"] = "abcdefghij.lambda-url.us-west-2.on.aws"
    event["requestContext"]["http"]["path"] = "/inspect/abc"
    return event


def alb_event(multi: bool) -> dict[str, Any]:
    event: dict[str, Any] = {
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:"
                                                     "123456789012:targetgroup/t/abc"}},
        "httpMethod": "POST", "path": "/inspect/abc", "body": BODY, "isBase64Encoded": False,
    }
    if multi:
        event["multiValueHeaders"] = {"content-type": ["application/json"],
                                      "cookie": ["a=1; b=2"], "x-multi": ["v1", "v2"]}
        event["multiValueQueryStringParameters"] = {"a": ["1", "b%20c"], "d": ["x+y"]}
    else:
        event["headers"] = {"content-type": "application/json", "cookie": "a=1; b=2"}
        event["queryStringParameters"] = {"a": "b%20c", "d": "x+y"}
    return event


BASE_EVENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "rest": rest_event,
    "http-api-1.0": http_api_v1_event,
    "http-api-2.0": http_api_v2_event,
    "function-url": function_url_event,
    "alb": lambda: alb_event(False),
    "alb-multi": lambda: alb_event(True),
}


# -- breaking them --------------------------------------------------------------------------

# Lambda hands the handler parsed JSON, which AWS never fills with NaN or Infinity (and the
# /inspect view echoes what it reads, which allow_nan=False JSON would then refuse: a 500).
scalar_junk = st.one_of(
    st.none(), st.booleans(), st.integers(),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
    st.just(HUGE), st.just(""), st.just("%ff%fe"),
)
junk = st.recursive(scalar_junk, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=8)

BAD_PATHS = ["/%ff%fe", "/inspect/%ff", "/%", "/%zz/%", "/inspect/%E4%BB%8A", "", "inspect/x",
             "/inspect/x%2Fy", "/\x00", "//", "/inspect/" + "a" * 100_000, "/%C0%AF",
             "/inspect/%ED%A0%80", "/dev", "/dev/", "/inspect/abc?x=1", "/inspect/abc/"]
bad_path = st.one_of(st.sampled_from(BAD_PATHS), st.text(max_size=40),
                     st.text(max_size=20).map(lambda t: "/inspect/" + t))
bad_base64 = st.one_of(st.sampled_from(["!!!", "abc", "a===", "====", "\u00e9t\u00e9", "YQ"]),
                       st.text(max_size=40))
bad_json = st.one_of(st.sampled_from(["{", "[1,", "nul", "{'a': 1}", '{"a": NaN', "\ufeff{}",
                                      "[" * 5000 + "]" * 5000, "1e999999", '"\\ud800"']),
                     st.text(max_size=40))
mixed_list = st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=10), st.booleans(),
                                st.lists(st.text(max_size=3), max_size=2),
                                st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)),
                      max_size=5)
methods = st.one_of(st.sampled_from(["get", "post", "OPTIONS", "HEAD", "TRACE", "", " "]),
                    junk)

HEADER_KEYS = ("headers", "multiValueHeaders")
QUERY_KEYS = ("queryStringParameters", "multiValueQueryStringParameters")


def key_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            paths.append((*prefix, key))
            paths.extend(key_paths(item, (*prefix, key)))
    return paths


def parent_of(event: dict[str, Any], path: tuple[Any, ...]) -> Any:
    node: Any = event
    for key in path[:-1]:
        node = node[key]
    return node


def header_containers(event: dict[str, Any]) -> list[str]:
    return [k for k in HEADER_KEYS if isinstance(event.get(k), dict)] or ["headers"]


def mutate(draw: st.DrawFn, event: dict[str, Any]) -> None:
    """Apply one drawn mutation to ``event`` in place."""
    how = draw(st.sampled_from(["delete", "replace", "headers_null", "path", "base64", "json",
                                "mixed_headers", "huge_header", "mixed_query", "method",
                                "context_null"]))
    if how in ("delete", "replace"):
        paths = key_paths(event)
        if not paths:
            return
        path = draw(st.sampled_from(paths))
        parent = parent_of(event, path)
        if how == "delete":
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(junk)
    elif how == "headers_null":
        for key in HEADER_KEYS:
            event[key] = None
    elif how == "path":
        key = "rawPath" if "rawPath" in event else "path"
        event[key] = draw(bad_path)
    elif how == "base64":
        event["body"] = draw(bad_base64)
        event["isBase64Encoded"] = True
    elif how == "json":
        event["body"] = draw(bad_json)
        event["isBase64Encoded"] = draw(st.booleans())
    elif how in ("mixed_headers", "huge_header"):
        name = draw(st.sampled_from(["content-type", "Cookie", "x-thing", "origin"]))
        for key in header_containers(event):
            if not isinstance(event.get(key), dict):
                event[key] = {}
            if how == "huge_header":
                value: Any = HUGE if key == "headers" else [HUGE, HUGE]
            else:
                value = draw(mixed_list)
            event[key][name] = value
    elif how == "mixed_query":
        name = draw(st.sampled_from(["a", "b", "new"]))
        for key in QUERY_KEYS:
            if not isinstance(event.get(key), dict):
                event[key] = {}
            event[key][name] = draw(st.one_of(mixed_list, junk))
        if "rawQueryString" in event:
            event["rawQueryString"] = draw(st.one_of(junk, st.sampled_from(
                ["a=%ff", "&&==&", "a", "a=1;b=2", "%", HUGE])))
    elif how == "method":
        ctx = event.get("requestContext")
        if "httpMethod" in event:
            event["httpMethod"] = draw(methods)
        elif isinstance(ctx, dict) and isinstance(ctx.get("http"), dict):
            ctx["http"]["method"] = draw(methods)
    elif how == "context_null":
        event["requestContext"] = draw(st.sampled_from([None, {}, [], "ctx"]))


@st.composite
def malformed_events(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(sorted(BASE_EVENTS)))
    event = BASE_EVENTS[name]()
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        mutate(draw, event)
    return name, event


def effective_method(event: dict[str, Any]) -> Any:
    if "httpMethod" in event:
        return event["httpMethod"]
    ctx = event.get("requestContext")
    http = ctx.get("http") if isinstance(ctx, dict) else None
    return http.get("method") if isinstance(http, dict) else None


def still_http(event: dict[str, Any]) -> bool:
    """Whether the event still carries what marks an HTTP event (checklist 2.1)."""
    return "httpMethod" in event or event.get("version") == "2.0" or "rawPath" in event


def call_app(event: dict[str, Any]) -> Any:
    """``APP(event)``; an event stripped of every HTTP marker must raise UnknownEventError."""
    if still_http(event):
        return APP(event, FakeLambdaContext())
    with pytest.raises(UnknownEventError):
        APP(event, FakeLambdaContext())
    return None


def assert_valid_answer(event: dict[str, Any], raw: Any) -> int:
    assert isinstance(raw, dict), raw
    status = raw.get("statusCode")
    assert type(status) is int, raw
    assert 200 <= status <= 599, raw
    body = raw.get("body")
    assert isinstance(body, str), raw
    if status >= 400:
        method = effective_method(event)
        if body == "" and isinstance(method, str) and method.upper() == "HEAD":
            return status  # a HEAD answer has no body, errors included
        assert raw.get("isBase64Encoded") is False, raw
        data = json.loads(body)
        assert isinstance(data, dict), body
        assert isinstance(data.get("Code"), str), body
        assert isinstance(data.get("Message"), str), body
    return status


# -- properties -----------------------------------------------------------------------------

def test_base_events_are_valid() -> None:
    """The starting points are served normally, so mutations are what the fuzz exercises."""
    for name, build in BASE_EVENTS.items():
        event = build()
        raw = APP(event, FakeLambdaContext())
        assert assert_valid_answer(event, raw) == 200, (name, raw)
        data = json.loads(raw["body"])
        assert data["thing"] == "abc", name
        assert data["json_type"] == "dict", name


@FUZZ_SETTINGS
@given(malformed_events())
def test_malformed_events_never_crash_the_handler(case: tuple[str, dict[str, Any]]) -> None:
    _, event = case
    original = copy.deepcopy(event)
    raw = call_app(event)
    if raw is not None:
        assert_valid_answer(original, raw)


@FUZZ_SETTINGS
@given(malformed_events())
def test_malformed_events_are_client_errors_not_server_errors(
        case: tuple[str, dict[str, Any]]) -> None:
    # A broken event is the caller's fault: it gets a 4xx (or is served), never a logged 500.
    _, event = case
    original = copy.deepcopy(event)
    raw = call_app(event)
    if raw is not None:
        status = assert_valid_answer(original, raw)
        assert status != 500, (original, raw)


@FUZZ_SETTINGS
@given(name=st.sampled_from(sorted(BASE_EVENTS)), path=bad_path)
def test_any_path_is_answered(name: str, path: str) -> None:
    event = BASE_EVENTS[name]()
    event["rawPath" if "rawPath" in event else "path"] = path
    raw = APP(event, None)
    status = assert_valid_answer(event, raw)
    assert status in (200, 400, 404, 405), raw


@FUZZ_SETTINGS
@given(name=st.sampled_from(sorted(BASE_EVENTS)), body=bad_json)
def test_invalid_json_body_is_a_400(name: str, body: str) -> None:
    try:
        json.loads(body)
    except (ValueError, RecursionError):
        pass
    else:
        return  # happens to be JSON: nothing to check here
    if body == "":
        return  # an empty body is no body, not bad JSON
    event = BASE_EVENTS[name]()
    event["body"] = body
    raw = APP(event, None)
    assert assert_valid_answer(event, raw) == 400, raw
    assert json.loads(raw["body"])["Code"] == "BadRequestError"


@FUZZ_SETTINGS
@given(name=st.sampled_from(sorted(BASE_EVENTS)), body=bad_base64)
def test_invalid_base64_body_is_a_400(name: str, body: str) -> None:
    import base64
    import binascii
    try:
        base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        pass
    else:
        return
    event = BASE_EVENTS[name]()
    event["body"] = body
    event["isBase64Encoded"] = True
    raw = APP(event, None)
    assert assert_valid_answer(event, raw) == 400, raw


# -- JSON round trip ------------------------------------------------------------------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(),
              st.floats(allow_nan=False, allow_infinity=False), st.text()),
    lambda inner: st.one_of(st.lists(inner, max_size=5),
                            st.dictionaries(st.text(), inner, max_size=5)),
    max_leaves=20)

_returned: list[Any] = [None]


def make_roundtrip_app() -> App:
    app = App("roundtrip")

    @app.route("/value")
    def value() -> Any:
        return _returned[0]

    @app.route("/echo", methods=["POST"])
    def echo() -> Any:
        return {"v": app.current_request.json_body}

    return app


ROUNDTRIP_CLIENT = Client(make_roundtrip_app())


@FUZZ_SETTINGS
@given(json_values)
def test_view_return_value_round_trips_as_json(value: Any) -> None:
    _returned[0] = value
    for fmt in EVENT_FORMATS:
        response = ROUNDTRIP_CLIENT.http.get("/value", event_format=fmt)
        assert response.status_code == 200, (fmt, response)
        if isinstance(value, str):
            # A str is sent as text, as documented for Response bodies.
            assert response.text == value, fmt
        else:
            assert response.json_body == value, fmt


@FUZZ_SETTINGS
@given(json_values)
def test_request_json_body_round_trips(value: Any) -> None:
    for fmt in EVENT_FORMATS:
        response = ROUNDTRIP_CLIENT.http.post("/echo", json_body={"v": value}, event_format=fmt)
        assert response.status_code == 200, (fmt, response)
        assert response.json_body == {"v": {"v": value}}, fmt


def test_round_trip_survives_a_view_returning_a_response() -> None:
    app = App("r")

    @app.route("/r")
    def r() -> Response:
        return Response({"a": [1, 2.5, None, True, "ü"]}, {"X-A": "1"}, 201)

    for fmt in EVENT_FORMATS:
        response = Client(app, event_format=fmt).http.get("/r")
        assert response.status_code == 201
        assert response.json_body == {"a": [1, 2.5, None, True, "ü"]}
