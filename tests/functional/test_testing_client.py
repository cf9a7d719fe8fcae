"""The test client: sending requests in every event format, and validating what comes back."""
import base64
import hashlib
import json
from typing import Any, cast

import pytest

from myframework import App, Response
from myframework.testing import (
    EVENT_FORMATS,
    Client,
    HTTPResponse,
    InvalidResponseError,
    decode_response,
    make_event,
)

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]


def make_app() -> App:
    app = App("client-under-test")

    @app.route("/echo", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
               content_types=["*/*"])
    def echo() -> Response:
        request = app.current_request
        return Response({
            "method": request.method,
            "kind": request.event_kind,
            "headers": request.headers.to_dict(),
            "x_multi": request.headers.getlist("x-multi"),
            "query": request.query_params.to_dict(),
            "content_type": request.content_type,
            "text": request.raw_body.decode("utf-8", "replace"),
        }, {"X-Echo": "yes"})

    @app.route("/json", methods=["POST", "PUT", "PATCH"])
    def json_echo() -> Any:
        return {"got": app.current_request.json_body}

    @app.route("/upload", methods=["POST", "PUT"], content_types=["*/*"])
    def upload() -> dict[str, Any]:
        raw = app.current_request.raw_body
        return {"sha256": hashlib.sha256(raw).hexdigest(), "length": len(raw)}

    @app.route("/kind")
    def kind() -> dict[str, str]:
        return {"kind": app.current_request.event_kind}

    @app.route("/cookies")
    def cookies() -> Response:
        return Response({"in": app.current_request.cookies},
                        {"Set-Cookie": ["a=1; Path=/", "b=2"]})

    @app.route("/users/{name}")
    def user(name: str) -> dict[str, str]:
        return {"name": name}

    return app


@pytest.fixture
def client() -> Client:
    return Client(make_app())


def test_client_is_a_context_manager() -> None:
    app = make_app()
    with Client(app) as client:
        assert isinstance(client, Client)
        assert client.app is app
        assert client.http.get("/kind").json_body == {"kind": "rest"}


@pytest.mark.parametrize("method", ALL_METHODS)
def test_every_http_method(client: Client, method: str) -> None:
    send = getattr(client.http, method.lower())
    response = send("/echo")
    assert isinstance(response, HTTPResponse)
    assert response.status_code == 200
    assert response.headers["X-Echo"] == "yes"
    if method == "HEAD":
        assert response.body == b""
        assert response.json_body is None
    else:
        assert response.json_body["method"] == method


def test_headers_are_sent(client: Client) -> None:
    response = client.http.get("/echo", headers={"X-Custom": "value",
                                                 "X-Multi": ["one", "two"]})
    data = response.json_body
    assert data["headers"]["x-custom"] == "value"
    assert data["x_multi"] == ["one", "two"]


@pytest.mark.parametrize("fmt", EVENT_FORMATS)
def test_headers_in_every_format(fmt: str) -> None:
    client = Client(make_app(), event_format=fmt)
    data = client.http.get("/echo", headers={"X-Custom": "value"}).json_body
    assert data["headers"]["x-custom"] == "value"
    assert data["kind"] == {"alb-multi": "alb"}.get(fmt, fmt)


def test_query_string_in_the_path(client: Client) -> None:
    data = client.http.get("/echo?a=1&a=2&b=x%20y").json_body
    assert data["query"] == {"a": ["1", "2"], "b": ["x y"]}


@pytest.mark.parametrize("fmt", EVENT_FORMATS)
def test_path_is_quoted_and_decoded(fmt: str) -> None:
    client = Client(make_app(), event_format=fmt)
    assert client.http.get("/users/new york").json_body == {"name": "new york"}
    assert client.http.get("/users/café").json_body == {"name": "café"}


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_str_body(client: Client, method: str) -> None:
    response = client.http.request(method, "/echo", body="plain text ✓",
                                   headers={"Content-Type": "text/plain; charset=utf-8"})
    assert response.json_body["text"] == "plain text ✓"
    assert response.json_body["content_type"] == "text/plain"


def test_bytes_body_of_a_text_type(client: Client) -> None:
    response = client.http.post("/echo", body="héllo".encode(),
                                headers={"Content-Type": "text/plain"})
    assert response.json_body["text"] == "héllo"


@pytest.mark.parametrize("fmt", EVENT_FORMATS)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_json_body(fmt: str, method: str) -> None:
    client = Client(make_app(), event_format=fmt)
    doc = {"name": "Rex", "tags": ["good", "boy"], "age": 3, "weight": 12.5, "vet": None}
    response = client.http.request(method, "/json", json_body=doc)
    assert response.status_code == 200
    assert response.json_body == {"got": doc}


def test_json_body_sets_content_type(client: Client) -> None:
    data = client.http.post("/echo", json_body={"a": 1}).json_body
    assert data["content_type"] == "application/json"
    assert json.loads(data["text"]) == {"a": 1}


def test_json_body_keeps_an_explicit_content_type(client: Client) -> None:
    data = client.http.post("/echo", json_body={"a": 1},
                            headers={"content-type": "application/vnd.api+json"}).json_body
    assert data["content_type"] == "application/vnd.api+json"


@pytest.mark.parametrize("fmt", EVENT_FORMATS)
@pytest.mark.parametrize(("payload", "ctype"), [
    (bytes(range(256)) * 4, "application/octet-stream"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(200, 256)), "image/png"),
    (b"\xff\xfe not utf-8 \x80", "text/plain"),
    (b"\x00\x01\x02", None),
], ids=["octet-stream", "png", "text-type-not-utf8", "no-content-type"])
def test_binary_request_body_arrives_intact(fmt: str, payload: bytes, ctype: str | None) -> None:
    client = Client(make_app(), event_format=fmt)
    headers: dict[str, str | list[str]] = {"Content-Type": ctype} if ctype else {}
    response = client.http.post("/upload", body=payload, headers=headers)
    assert response.status_code == 200
    assert response.json_body == {"sha256": hashlib.sha256(payload).hexdigest(),
                                  "length": len(payload)}


def test_binary_request_body_is_sent_base64_encoded() -> None:
    event = make_event("POST", "/upload", {"Content-Type": "application/octet-stream"},
                       b"\x00\xff", "rest")
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\xff"


@pytest.mark.parametrize("fmt", EVENT_FORMATS)
def test_event_format_per_client(fmt: str) -> None:
    client = Client(make_app(), event_format=fmt)
    expected = "alb" if fmt.startswith("alb") else fmt
    response = client.http.get("/kind")
    assert response.json_body == {"kind": expected}
    if fmt.startswith("alb"):
        assert response.raw["statusDescription"] == "200 OK"
    if fmt == "alb-multi":
        assert "headers" not in response.raw
    if fmt in ("http-api", "function-url"):
        assert "cookies" in response.raw


def test_event_format_per_request_overrides_the_client() -> None:
    client = Client(make_app(), event_format="alb")
    assert client.http.get("/kind").json_body == {"kind": "alb"}
    assert client.http.get("/kind", event_format="http-api").json_body == {"kind": "http-api"}
    assert client.http.get("/kind", event_format="function-url").json_body == {
        "kind": "function-url"}
    assert client.http.get("/kind", event_format="rest").json_body == {"kind": "rest"}
    # The per-request choice does not stick.
    assert client.http.get("/kind").json_body == {"kind": "alb"}


def test_unknown_event_format_is_refused() -> None:
    with pytest.raises(ValueError, match="event_format"):
        Client(make_app(), event_format="graphql")
    with pytest.raises(ValueError, match="event_format"):
        Client(make_app()).http.get("/kind", event_format="websocket")


@pytest.mark.parametrize("fmt", EVENT_FORMATS)
def test_response_cookies_and_request_cookies(fmt: str) -> None:
    client = Client(make_app(), event_format=fmt)
    response = client.http.get("/cookies", headers={"Cookie": "session=abc; theme=dark"})
    assert sorted(response.cookies) == ["a=1; Path=/", "b=2"]
    assert response.json_body == {"in": {"session": "abc", "theme": "dark"}}


def test_response_headers_are_case_insensitive(client: Client) -> None:
    response = client.http.get("/echo")
    assert response.headers["x-echo"] == response.headers["X-ECHO"] == "yes"
    assert response.headers.getlist("Content-Type") == ["application/json"]
    assert response.text == response.body.decode()


def test_raw_is_what_the_handler_returned(client: Client) -> None:
    response = client.http.get("/kind")
    assert response.raw["statusCode"] == 200
    assert json.loads(response.raw["body"]) == {"kind": "rest"}


def test_lambda_context_is_passed() -> None:
    app = App("ctx-app")

    @app.route("/ctx")
    def ctx() -> dict[str, Any]:
        context = app.lambda_context
        return {"name": context.function_name,
                "remaining": context.get_remaining_time_in_millis() > 0}

    assert Client(app).http.get("/ctx").json_body == {"name": "ctx-app", "remaining": True}


# -- validation: the client refuses what AWS would reject ------------------------------------

class FakeHandler:
    """A stand-in handler returning a fixed (possibly invalid) response dict."""

    def __init__(self, result: Any) -> None:
        self.app_name = "fake"
        self.result = result
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        return self.result


def fake_client(result: Any, fmt: str = "rest") -> Client:
    return Client(cast(Any, FakeHandler(result)), event_format=fmt)


VALID_REST: dict[str, Any] = {"statusCode": 200, "headers": {"Content-Type": "text/plain"},
                              "body": "ok", "isBase64Encoded": False}


def test_fake_handler_valid_response_passes() -> None:
    handler = FakeHandler(dict(VALID_REST))
    response = Client(cast(Any, handler)).http.get("/anything")
    assert response.status_code == 200
    assert response.body == b"ok"
    assert handler.events[0]["path"] == "/anything"


@pytest.mark.parametrize(("fmt", "result", "why"), [
    ("rest", {"statusCode": 200, "headers": {"Set-Cookie": "a=1"},
              "multiValueHeaders": {"set-cookie": ["b=2"]}, "body": "", "isBase64Encoded": False},
     "both headers and multiValueHeaders"),
    ("rest", {"statusCode": 200, "headers": {}, "body": {"not": "a string"},
              "isBase64Encoded": False}, "body must be a string"),
    ("rest", {"statusCode": 200, "headers": {}, "body": b"bytes", "isBase64Encoded": False},
     "not JSON-serialisable"),
    ("rest", None, "must return a dict"),
    ("rest", "200 OK", "must return a dict"),
    ("rest", {"statusCode": "200", "body": ""}, "statusCode"),
    ("rest", {"statusCode": 700, "body": ""}, "statusCode"),
    ("rest", {"statusCode": 200, "body": "", "isBase64Encoded": "false"}, "isBase64Encoded"),
    ("rest", {"statusCode": 200, "body": "!!not base64!!", "isBase64Encoded": True}, "base64"),
    ("rest", {"statusCode": 200, "headers": {"X-A": 1}, "body": ""}, "must be a string"),
    ("rest", {"statusCode": 200, "multiValueHeaders": {"X-A": "one"}, "body": ""},
     "list of strings"),
    ("rest", {"statusCode": 200, "body": "", "cookies": ["a=1"]}, "cookies list"),
    ("http-api", {"statusCode": 200, "body": "", "multiValueHeaders": {"X-A": ["1"]}},
     "no multiValueHeaders"),
    ("function-url", {"statusCode": 200, "body": "", "cookies": "a=1"}, "cookies must be"),
    ("alb", {"statusCode": 200, "headers": {}, "body": "", "isBase64Encoded": False},
     "statusDescription"),
    ("alb", {"statusCode": 200, "statusDescription": "200 OK", "body": "",
             "multiValueHeaders": {"X-A": ["1"]}}, "ignores 'multiValueHeaders'"),
    ("alb-multi", {"statusCode": 200, "statusDescription": "200 OK", "body": "",
                   "headers": {"X-A": "1"}}, "ignores 'headers'"),
], ids=["header-in-both", "dict-body", "bytes-body", "none", "str", "str-status",
        "status-700", "str-base64-flag", "bad-base64", "int-header", "str-multi-header",
        "rest-cookies", "v2-multi-headers", "v2-cookies-str", "alb-no-description",
        "alb-multi-headers", "alb-multi-single-headers"])
def test_invalid_response_is_rejected(fmt: str, result: Any, why: str) -> None:
    with pytest.raises(InvalidResponseError, match=why):
        fake_client(result, fmt).http.get("/")


def test_invalid_response_error_is_an_assertion_error() -> None:
    assert issubclass(InvalidResponseError, AssertionError)


def test_decode_response_directly() -> None:
    event = make_event("GET", "/", event_format="http-api")
    decoded = decode_response({"statusCode": 201, "headers": {"x-a": "1"},
                               "cookies": ["a=1", "b=2"], "body": "eyJ4IjoxfQ==",
                               "isBase64Encoded": True}, "http-api", event)
    assert decoded.status_code == 201
    assert decoded.json_body == {"x": 1}
    assert decoded.cookies == ["a=1", "b=2"]
    assert decoded.headers["X-A"] == "1"


def test_decode_response_alb_single_mode_cookie_casings() -> None:
    event = make_event("GET", "/", event_format="alb")
    decoded = decode_response({"statusCode": 200, "statusDescription": "200 OK",
                               "headers": {"set-cookie": "a=1", "Set-cookie": "b=2"},
                               "body": "", "isBase64Encoded": False}, "alb", event)
    assert sorted(decoded.cookies) == ["a=1", "b=2"]


@pytest.mark.parametrize("fmt", EVENT_FORMATS)
def test_real_app_responses_pass_validation_in_every_format(fmt: str) -> None:
    client = Client(make_app(), event_format=fmt)
    for path in ("/echo", "/kind", "/cookies", "/nowhere"):
        response = client.http.get(path)
        assert response.status_code in (200, 404)
    assert client.http.delete("/kind").status_code == 405
