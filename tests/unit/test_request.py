"""``app.current_request`` as a view sees it."""
from __future__ import annotations

import base64
import json
import threading
from typing import Any

import pytest

from myframework import App, Request
from myframework.testing import EVENT_FORMATS, Client, FakeLambdaContext, make_event

FORMATS = list(EVENT_FORMATS)
# Formats whose events carry repeated headers / query keys separately.
MULTI_QUERY_FORMATS = ["rest", "http-api", "function-url", "alb-multi"]
MULTI_HEADER_FORMATS = ["rest", "alb-multi"]
EXPECTED_KIND = {"rest": "rest", "http-api": "http-api", "function-url": "function-url",
                 "alb": "alb", "alb-multi": "alb"}
ANY_TYPE = ["*/*"]


class Recorder:
    """Keeps the request each view saw, and whatever the view pulled out of it."""

    def __init__(self) -> None:
        self.request: Request | None = None
        self.values: dict[str, Any] = {}

    @property
    def seen(self) -> Request:
        assert self.request is not None, "the view did not run"
        return self.request


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def app(recorder: Recorder) -> App:
    app = App("request-app")

    @app.route("/echo", methods=["GET", "POST", "PUT", "DELETE", "PATCH"],
               content_types=ANY_TYPE)
    def echo() -> dict[str, Any]:
        request = app.current_request
        recorder.request = request
        return {"method": request.method, "path": request.path}

    @app.route("/pets/{pet_id}/toys/{toy}")
    def toy(pet_id: str, toy: str) -> dict[str, Any]:
        request = app.current_request
        recorder.request = request
        return {"uri_params": request.uri_params}

    @app.route("/json", methods=["POST"],
               content_types=["application/json", "text/plain", "application/vnd.api+json"])
    def json_view() -> dict[str, Any]:
        recorder.request = app.current_request
        return {"json": app.current_request.json_body}

    @app.route("/raw", methods=["POST", "GET"], content_types=ANY_TYPE)
    def raw_view() -> dict[str, Any]:
        recorder.request = app.current_request
        body = app.current_request.raw_body
        assert isinstance(body, bytes)
        return {"b64": base64.b64encode(body).decode("ascii")}

    @app.route("/untouched", methods=["GET", "POST"], content_types=ANY_TYPE)
    def untouched() -> str:
        recorder.request = app.current_request
        return "fine"

    return app


@pytest.fixture(params=FORMATS)
def fmt(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


# -- method, path, uri params, kind ------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH"])
def test_method_and_path(app: App, recorder: Recorder, fmt: str, method: str) -> None:
    response = Client(app, event_format=fmt).http.request(method, "/echo?x=1")
    assert response.status_code == 200
    assert response.json_body == {"method": method, "path": "/echo"}
    assert recorder.seen.method == method
    assert recorder.seen.path == "/echo"


def test_path_has_no_stage_prefix(app: App, recorder: Recorder) -> None:
    Client(app, event_format="http-api", stage="prod").http.get("/echo")
    assert recorder.seen.path == "/echo"


def test_uri_params(app: App, recorder: Recorder, fmt: str) -> None:
    response = Client(app, event_format=fmt).http.get("/pets/rex/toys/ball%20one")
    assert response.status_code == 200
    assert recorder.seen.uri_params == {"pet_id": "rex", "toy": "ball one"}
    assert response.json_body == {"uri_params": {"pet_id": "rex", "toy": "ball one"}}


def test_uri_params_empty_for_static_route(app: App, recorder: Recorder) -> None:
    Client(app).http.get("/echo")
    assert recorder.seen.uri_params == {}


def test_event_kind(app: App, recorder: Recorder, fmt: str) -> None:
    Client(app, event_format=fmt).http.get("/echo")
    assert recorder.seen.event_kind == EXPECTED_KIND[fmt]


# -- headers ---------------------------------------------------------------------------------


def test_headers_case_insensitive(app: App, recorder: Recorder, fmt: str) -> None:
    Client(app, event_format=fmt).http.get("/echo", headers={"X-Custom-Thing": "Value 1"})
    headers = recorder.seen.headers
    assert headers["x-custom-thing"] == "Value 1"
    assert headers["X-CUSTOM-THING"] == "Value 1"
    assert headers["X-Custom-Thing"] == "Value 1"
    assert headers.get("x-CUSTOM-thing") == "Value 1"
    assert "X-Custom-Thing" in headers
    assert "x-custom-thing" in headers
    assert "x-missing" not in headers
    assert headers.get("x-missing") is None
    with pytest.raises(KeyError):
        headers["x-missing"]


@pytest.mark.parametrize("fmt_multi", MULTI_HEADER_FORMATS)
def test_repeated_headers_joined_and_getlist(app: App, recorder: Recorder,
                                             fmt_multi: str) -> None:
    Client(app, event_format=fmt_multi).http.get(
        "/echo", headers={"X-Multi": ["one", "two", "three"]})
    headers = recorder.seen.headers
    assert headers["x-multi"] == "one, two, three"
    assert headers.getlist("X-MULTI") == ["one", "two", "three"]
    assert headers.getlist("x-none") == []


def test_repeated_headers_raw_rest_event(app: App, recorder: Recorder) -> None:
    event = make_event("GET", "/echo")
    event["headers"] = {"Accept": "application/json"}
    event["multiValueHeaders"] = {"Accept": ["text/html", "application/json"]}
    raw = app(event, None)
    assert raw["statusCode"] == 200
    headers = recorder.seen.headers
    assert headers.getlist("accept") == ["text/html", "application/json"]
    assert headers["Accept"] == "text/html, application/json"


def test_header_names_differing_in_case_are_one_header(app: App, recorder: Recorder) -> None:
    # Header names are case-insensitive: a REST event keyed "Accept" and "accept"
    # carries three values of one header; none may be dropped.
    event = make_event("GET", "/echo")
    event["headers"] = {"Accept": "text/html", "accept": "text/plain"}
    event["multiValueHeaders"] = {"Accept": ["text/html", "application/json"],
                                  "accept": ["text/plain"]}
    raw = app(event, None)
    assert raw["statusCode"] == 200
    headers = recorder.seen.headers
    assert headers.getlist("accept") == ["text/html", "application/json", "text/plain"]
    assert headers["Accept"] == "text/html, application/json, text/plain"


def test_headers_iterate_lower_case(app: App, recorder: Recorder) -> None:
    Client(app).http.get("/echo", headers={"X-Upper": "1"})
    keys = list(recorder.seen.headers)
    assert "x-upper" in keys
    assert all(k == k.lower() for k in keys)


# -- query parameters ---------------------------------------------------------------------


def test_query_params(app: App, recorder: Recorder, fmt: str) -> None:
    Client(app, event_format=fmt).http.get("/echo?name=rex&kind=dog%20cat&empty=")
    query = recorder.seen.query_params
    assert query["name"] == "rex"
    assert query["kind"] == "dog cat"
    assert query["empty"] == ""
    assert query.get("missing") is None
    assert query.getlist("missing") == []
    assert set(query) == {"name", "kind", "empty"}
    assert query


def test_query_repeated_key_last_value(app: App, recorder: Recorder, fmt: str) -> None:
    Client(app, event_format=fmt).http.get("/echo?tag=a&tag=b&tag=c")
    assert recorder.seen.query_params["tag"] == "c"


@pytest.mark.parametrize("fmt_multi", MULTI_QUERY_FORMATS)
def test_query_repeated_key_getlist(app: App, recorder: Recorder, fmt_multi: str) -> None:
    Client(app, event_format=fmt_multi).http.get("/echo?tag=a&tag=b&tag=c&one=1")
    query = recorder.seen.query_params
    assert query.getlist("tag") == ["a", "b", "c"]
    assert query.getlist("one") == ["1"]


def test_query_params_empty_and_falsy(app: App, recorder: Recorder, fmt: str) -> None:
    Client(app, event_format=fmt).http.get("/echo")
    query = recorder.seen.query_params
    assert not query
    assert len(query) == 0
    assert dict(query) == {}
    assert query.getlist("x") == []


def test_query_params_rest_event_with_null_fields(app: App, recorder: Recorder) -> None:
    event = make_event("GET", "/echo")
    event["queryStringParameters"] = None
    event["multiValueQueryStringParameters"] = None
    assert app(event, None)["statusCode"] == 200
    assert not recorder.seen.query_params


# -- json_body ------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [{"a": 1, "b": [1, 2]}, [1, "two"], "text", 3, True])
def test_json_body(app: App, recorder: Recorder, fmt: str, payload: Any) -> None:
    response = Client(app, event_format=fmt).http.post("/json", json_body=payload)
    assert response.status_code == 200
    assert response.json_body == {"json": payload}
    assert recorder.seen.json_body == payload


@pytest.mark.parametrize("ctype", ["application/json; charset=utf-8", "application/vnd.api+json"])
def test_json_body_with_json_like_content_type(app: App, ctype: str) -> None:
    response = Client(app).http.post("/json", body='{"x": 1}', headers={"Content-Type": ctype})
    assert response.status_code == 200
    assert response.json_body == {"json": {"x": 1}}


def test_json_body_invalid_is_400(app: App, fmt: str) -> None:
    response = Client(app, event_format=fmt).http.post(
        "/json", body="{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    body = response.json_body
    assert body["Code"] == "BadRequestError"
    assert isinstance(body["Message"], str)


def test_json_body_invalid_without_content_type_is_400(app: App) -> None:
    event = make_event("POST", "/json", body="{nope")
    raw = app(event, None)
    assert raw["statusCode"] == 400
    assert json.loads(raw["body"])["Code"] == "BadRequestError"


def test_json_body_none_for_non_json_content_type(app: App, recorder: Recorder,
                                                  fmt: str) -> None:
    response = Client(app, event_format=fmt).http.post(
        "/json", body="{not json either", headers={"Content-Type": "text/plain"})
    assert response.status_code == 200
    assert response.json_body == {"json": None}
    assert recorder.seen.raw_body == b"{not json either"


def test_json_body_none_without_body(app: App, recorder: Recorder) -> None:
    response = Client(app).http.post("/json", headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert response.json_body == {"json": None}


def test_json_body_base64_encoded(app: App) -> None:
    event = make_event("POST", "/json", headers={"Content-Type": "application/json"})
    event["body"] = base64.b64encode(b'{"k": "v"}').decode("ascii")
    event["isBase64Encoded"] = True
    raw = app(event, None)
    assert raw["statusCode"] == 200
    assert json.loads(raw["body"]) == {"json": {"k": "v"}}


def test_json_body_is_lazy_and_cached() -> None:
    app = App("lazy-json")
    results: list[Any] = []

    @app.route("/j", methods=["POST"])
    def view() -> str:
        request = app.current_request
        first = request.json_body
        first["mutated"] = True
        results.append(request.json_body)
        return "ok"

    response = Client(app).http.post("/j", json_body={"a": 1})
    assert response.status_code == 200
    assert results == [{"a": 1, "mutated": True}]


def test_invalid_json_not_touched_is_fine(app: App) -> None:
    response = Client(app).http.post(
        "/untouched", body="{broken", headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert response.body == b"fine"


# -- raw_body --------------------------------------------------------------------------------


def _raw_of(response_json: Any) -> bytes:
    return base64.b64decode(response_json["b64"])


def test_raw_body_text(app: App, recorder: Recorder, fmt: str) -> None:
    response = Client(app, event_format=fmt).http.post(
        "/raw", body="héllo", headers={"Content-Type": "text/plain; charset=utf-8"})
    assert response.status_code == 200
    assert _raw_of(response.json_body) == "héllo".encode()
    assert recorder.seen.raw_body == "héllo".encode()


def test_raw_body_binary(app: App, recorder: Recorder, fmt: str) -> None:
    payload = bytes(range(256))
    response = Client(app, event_format=fmt).http.post(
        "/raw", body=payload, headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 200
    assert _raw_of(response.json_body) == payload


def test_raw_body_empty(app: App, recorder: Recorder, fmt: str) -> None:
    Client(app, event_format=fmt).http.get("/raw")
    assert recorder.seen.raw_body == b""


def test_raw_body_base64_flag_from_event(app: App) -> None:
    event = make_event("POST", "/raw", headers={"Content-Type": "image/png"})
    event["body"] = base64.b64encode(b"\x89PNG\r\n\x00\xff").decode("ascii")
    event["isBase64Encoded"] = True
    raw = app(event, None)
    assert raw["statusCode"] == 200
    assert _raw_of(json.loads(raw["body"])) == b"\x89PNG\r\n\x00\xff"


def test_raw_body_base64_looking_text_not_decoded(app: App) -> None:
    event = make_event("POST", "/raw", headers={"Content-Type": "text/plain"}, body="aGk=")
    assert event["isBase64Encoded"] is False
    raw = app(event, None)
    assert raw["statusCode"] == 200
    assert _raw_of(json.loads(raw["body"])) == b"aGk="


@pytest.mark.parametrize("fmt_name", FORMATS)
@pytest.mark.parametrize("bad", ["not base64!!", "abc", "@@@@"])
def test_raw_body_invalid_base64_is_400(app: App, fmt_name: str, bad: str) -> None:
    event = make_event("POST", "/raw", headers={"Content-Type": "application/octet-stream"},
                       body=b"\x00\x01", event_format=fmt_name)
    event["body"] = bad
    event["isBase64Encoded"] = True
    raw = app(event, None)
    assert raw["statusCode"] == 400
    assert json.loads(raw["body"])["Code"] == "BadRequestError"


@pytest.mark.parametrize("fmt_name", FORMATS)
def test_body_parsed_only_on_access(app: App, recorder: Recorder, fmt_name: str) -> None:
    event = make_event("GET", "/untouched", event_format=fmt_name)
    event["body"] = "%%% definitely not base64 %%%"
    event["isBase64Encoded"] = True
    raw = app(event, None)
    assert raw["statusCode"] == 200
    assert raw["body"] == "fine"
    assert recorder.request is not None


# -- cookies, context, stage variables, lambda context ---------------------------------------


def test_cookies(app: App, recorder: Recorder, fmt: str) -> None:
    Client(app, event_format=fmt).http.get(
        "/echo", headers={"Cookie": 'session=abc123; theme="dark"; flag=1'})
    assert recorder.seen.cookies == {"session": "abc123", "theme": "dark", "flag": "1"}


def test_no_cookies(app: App, recorder: Recorder, fmt: str) -> None:
    Client(app, event_format=fmt).http.get("/echo")
    assert recorder.seen.cookies == {}


def test_http_api_cookies_list(app: App, recorder: Recorder) -> None:
    event = make_event("GET", "/echo", event_format="http-api")
    event["cookies"] = ["a=1", "b=2"]
    assert app(event, None)["statusCode"] == 200
    assert recorder.seen.cookies == {"a": "1", "b": "2"}


def test_context(app: App, recorder: Recorder, fmt: str) -> None:
    event = make_event("GET", "/echo", event_format=fmt)
    assert app(event, None)["statusCode"] == 200
    assert recorder.seen.context == event["requestContext"]
    assert recorder.seen.context is event["requestContext"]


def test_context_rest_fields(app: App, recorder: Recorder) -> None:
    Client(app).http.get("/echo")
    context = recorder.seen.context
    assert context["stage"] == "api"
    assert context["identity"]["sourceIp"] == "127.0.0.1"


def test_stage_vars(app: App, recorder: Recorder) -> None:
    event = make_event("GET", "/echo")
    event["stageVariables"] = {"table": "pets-prod"}
    assert app(event, None)["statusCode"] == 200
    assert recorder.seen.stage_vars == {"table": "pets-prod"}


def test_stage_vars_empty(app: App, recorder: Recorder, fmt: str) -> None:
    Client(app, event_format=fmt).http.get("/echo")
    assert recorder.seen.stage_vars == {}


def test_lambda_context(app: App, recorder: Recorder) -> None:
    context = FakeLambdaContext("my-func")
    event = make_event("GET", "/echo")
    assert app(event, context)["statusCode"] == 200
    assert recorder.seen.lambda_context is context


def test_lambda_context_via_client(app: App, recorder: Recorder) -> None:
    Client(app).http.get("/echo")
    assert isinstance(recorder.seen.lambda_context, FakeLambdaContext)


def test_app_lambda_context_inside_view() -> None:
    app = App("ctx")
    seen: list[object] = []

    @app.route("/")
    def view() -> None:
        seen.append(app.lambda_context)

    context = FakeLambdaContext()
    app(make_event("GET", "/"), context)
    assert seen == [context]
    assert app.lambda_context is None


# -- to_dict / to_original_event ---------------------------------------------------------------


def test_to_dict(app: App, recorder: Recorder, fmt: str) -> None:
    Client(app, event_format=fmt).http.get(
        "/pets/rex/toys/ball?a=1", headers={"X-Thing": "yes", "Cookie": "c=d"})
    data = recorder.seen.to_dict()
    round_trip = json.loads(json.dumps(data))
    assert round_trip == data
    assert data["method"] == "GET"
    assert data["path"] == "/pets/rex/toys/ball"
    assert data["uri_params"] == {"pet_id": "rex", "toy": "ball"}
    assert data["headers"]["x-thing"] == "yes"
    assert data["query_params"]["a"] in ("1", ["1"])
    assert data["cookies"] == {"c": "d"}
    assert data["event_kind"] == EXPECTED_KIND[fmt]


def test_to_dict_with_lambda_context_is_serialisable(app: App, recorder: Recorder) -> None:
    app(make_event("POST", "/raw", body=b"\x00\xff",
                   headers={"Content-Type": "application/octet-stream"}), FakeLambdaContext())
    json.dumps(recorder.seen.to_dict())


def test_to_original_event(app: App, recorder: Recorder, fmt: str) -> None:
    event = make_event("GET", "/echo?q=1", event_format=fmt)
    snapshot = json.loads(json.dumps(event))
    app(event, None)
    assert recorder.seen.to_original_event() is event
    assert event == snapshot  # handling did not modify it


# -- current_request ---------------------------------------------------------------------------


def test_current_request_outside_a_request() -> None:
    app = App("outside")
    with pytest.raises(RuntimeError):
        app.current_request  # noqa: B018


def test_current_request_reset_after_request(app: App) -> None:
    Client(app).http.get("/echo")
    with pytest.raises(RuntimeError):
        app.current_request  # noqa: B018


def test_current_request_reset_after_error() -> None:
    app = App("after-error")

    @app.route("/")
    def boom() -> None:
        raise ValueError("boom")

    assert Client(app).http.get("/").status_code == 500
    with pytest.raises(RuntimeError):
        app.current_request  # noqa: B018


def test_current_request_per_thread() -> None:
    app = App("threads")
    barrier = threading.Barrier(2, timeout=10)

    @app.route("/who/{name}")
    def who(name: str) -> dict[str, Any]:
        before = app.current_request
        barrier.wait()  # both requests are in flight now
        after = app.current_request
        return {
            "same": before is after,
            "param": name,
            "path": after.path,
            "query": after.query_params["id"],
            "header": after.headers["x-caller"],
        }

    results: dict[str, Any] = {}
    errors: list[BaseException] = []

    def call(name: str) -> None:
        try:
            response = Client(app).http.get(
                "/who/%s?id=%s" % (name, name), headers={"X-Caller": name})
            results[name] = response.json_body
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(n,)) for n in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    for name in ("alice", "bob"):
        assert results[name] == {"same": True, "param": name, "path": "/who/" + name,
                                 "query": name, "header": name}


@pytest.mark.parametrize("path", ["/raw", "/json"])
def test_non_string_event_body_is_400(app: App, path: str) -> None:
    event = make_event("POST", path, headers={"Content-Type": "application/json"})
    event["body"] = {"already": "parsed"}
    raw = app(event, None)
    assert raw["statusCode"] == 400
    assert json.loads(raw["body"])["Code"] == "BadRequestError"


def test_body_parsed_only_on_access_default_route() -> None:
    app = App("lazy-default")

    @app.route("/")
    def index() -> dict[str, str]:
        return {"method": app.current_request.method}

    for fmt_name in FORMATS:
        event = make_event("GET", "/", event_format=fmt_name)
        event["body"] = "!!not-base64!!"
        event["isBase64Encoded"] = True
        raw = app(event, None)
        assert raw["statusCode"] == 200, fmt_name
        assert json.loads(raw["body"]) == {"method": "GET"}
