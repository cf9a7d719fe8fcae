"""A mounted WSGI app living next to the rest of a myframework app.

``app.mount_wsgi()`` registration, how requests are split between routes and
mounts, CORS, middleware, the test client in every event format, the custom
domain's base path, text/binary bodies, Lambda's 6 MB limit, errors, and the
non-HTTP events and tasks of the same app. The WSGI apps are plain callables
written here (no Flask or Django).
"""
import base64
import json
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from myframework import (
    App,
    CORSConfig,
    RegistrationError,
    Request,
    Response,
    SQSEvent,
    UnknownEventError,
)
from myframework.runtime.wsgi import WSGIMount
from myframework.testing import (
    EVENT_FORMATS,
    Client,
    FakeLambdaContext,
    HTTPResponse,
    decode_response,
    make_event,
)

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
GetResponse = Callable[[Request], Response]

MAX_BYTES = 6 * 1024 * 1024
CHUNK = 64 * 1024
ACAO = "Access-Control-Allow-Origin"
ACAM = "Access-Control-Allow-Methods"
CUSTOM_HOST = "api.example.com"


class EchoApp:
    """A WSGI app answering JSON that describes the request; it remembers every environ."""

    def __init__(self, name: str = "wsgi", status: str = "200 OK",
                 headers: list[tuple[str, str]] | None = None) -> None:
        self.name = name
        self.status = status
        self.headers = headers or []
        self.calls: list[Environ] = []

    def __call__(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        self.calls.append(environ)
        body = environ["wsgi.input"].read()
        payload = {
            "app": self.name,
            "method": environ["REQUEST_METHOD"],
            "script_name": environ["SCRIPT_NAME"],
            "path_info": environ["PATH_INFO"],
            "query": environ["QUERY_STRING"],
            "body": body.decode("utf-8"),
        }
        start_response(self.status, [("Content-Type", "application/json"), *self.headers])
        return [json.dumps(payload).encode("utf-8")]


def fixed_app(body: bytes, content_type: str | None,
              extra: list[tuple[str, str]] | None = None,
              status: str = "200 OK") -> Callable[[Environ, StartResponse], list[bytes]]:
    """A WSGI app that always answers ``body`` with this Content-Type (None: no Content-Type)."""
    def wsgi(environ: Environ, start_response: StartResponse) -> list[bytes]:
        headers = [] if content_type is None else [("Content-Type", content_type)]
        start_response(status, headers + (extra or []))
        return [body]
    return wsgi


def never_called(environ: Environ, start_response: StartResponse) -> list[bytes]:
    raise AssertionError("the mounted app must not be called for %s %s"
                         % (environ["REQUEST_METHOD"], environ["PATH_INFO"]))


def invoke(app: App, method: str, target: str, *, host: str | None = None,
           headers: dict[str, str] | None = None, event_format: str = "rest",
           stage: str = "api") -> dict[str, Any]:
    """Call the app with a test-client event; the raw dict Lambda would get back."""
    kwargs: dict[str, Any] = {}
    if host is not None:
        kwargs["host"] = host
    event = make_event(method, target, headers, event_format=event_format, stage=stage,
                       **kwargs)
    raw = app(event, FakeLambdaContext(app.app_name))
    assert isinstance(raw, dict)
    return raw


def invoke_decoded(app: App, method: str, target: str, *, host: str | None = None,
                   headers: dict[str, str] | None = None,
                   event_format: str = "rest") -> HTTPResponse:
    """Like :func:`invoke`, decoded (and checked) the way the test client does."""
    kwargs: dict[str, Any] = {}
    if host is not None:
        kwargs["host"] = host
    event = make_event(method, target, headers, event_format=event_format, **kwargs)
    return decode_response(app(event, FakeLambdaContext(app.app_name)), event_format, event)


def app_errors(caplog: pytest.LogCaptureFixture, app: App) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == app.app_name and r.levelno >= logging.ERROR]


# -- mount_wsgi(): registration -------------------------------------------------------------

@pytest.mark.parametrize(("args", "kwargs", "names"), [
    (("not an app",), {}, r"WSGI application"),
    ((None,), {}, r"WSGI application"),
    ((EchoApp(), "legacy"), {}, r"prefix must be a path starting with '/'.*'legacy'"),
    ((EchoApp(), ""), {}, r"prefix must be a path starting with '/'"),
    ((EchoApp(), b"/legacy"), {}, r"prefix must be a path starting with '/'"),
    ((EchoApp(), "/a//b"), {}, r"prefix '/a//b' has an invalid segment ''"),
    ((EchoApp(), "/a b"), {}, r"prefix '/a b' has an invalid segment 'a b'"),
    ((EchoApp(), "/pets/{id}"), {}, r"invalid segment '\{id\}'"),
    ((EchoApp(), "/legacy"), {"cors": "yes"}, r"cors must be True, False or a CORSConfig.*'yes'"),
    ((EchoApp(), "/legacy"), {"cors": {"allow_origin": "*"}}, r"cors must be"),
    ((EchoApp(), "/legacy"), {"script_name": "prod"}, r"script_name .*'prod'"),
    ((EchoApp(), "/legacy"), {"script_name": "/prod/"}, r"script_name .*'/prod/'"),
    ((EchoApp(), "/legacy"), {"script_name": 3}, r"script_name .*3"),
    ((EchoApp(), "/legacy"), {"exclude_headers": "X-Powered-By"},
     r"exclude_headers must be a list of header names.*'X-Powered-By'"),
    ((EchoApp(), "/legacy"), {"exclude_headers": ["X-A", 1]}, r"exclude_headers"),
])
def test_mount_wsgi_rejects_bad_arguments(args: tuple[Any, ...], kwargs: dict[str, Any],
                                          names: str) -> None:
    app = App("mount-bad-args")
    with pytest.raises(RegistrationError, match=names):
        app.mount_wsgi(*args, **kwargs)
    assert app.registry.mounts == []
    assert Client(app).http.get("/legacy/x").status_code == 404  # nothing half-registered


def test_mount_error_names_the_app() -> None:
    def legacy_site(environ: Environ, start_response: StartResponse) -> list[bytes]:
        return []

    with pytest.raises(RegistrationError, match=r"mount_wsgi\(legacy_site\)"):
        App("mount-where").mount_wsgi(legacy_site, "nope")


@pytest.mark.parametrize("second", ["/legacy", "/legacy/"])
def test_the_same_prefix_twice_is_refused(second: str) -> None:
    app = App("mount-twice")
    first = EchoApp("first")
    app.mount_wsgi(first, "/legacy")
    with pytest.raises(RegistrationError, match=r"'/legacy' already has a WSGI app mounted"):
        app.mount_wsgi(EchoApp("second"), second)
    assert [m.app for m in app.registry.mounts] == [first]
    assert Client(app).http.get("/legacy/x").json_body["app"] == "first"


def test_the_root_prefix_twice_is_refused() -> None:
    app = App("mount-root-twice")
    app.mount_wsgi(EchoApp("first"))
    with pytest.raises(RegistrationError, match=r"'/' already has a WSGI app mounted"):
        app.mount_wsgi(EchoApp("second"), "/")


@pytest.mark.parametrize("order", ["root-first", "legacy-first"])
def test_the_longest_prefix_wins(order: str) -> None:
    app = App("mount-longest")
    root, legacy, deep = EchoApp("root"), EchoApp("legacy"), EchoApp("deep")
    mounts = [(root, "/"), (legacy, "/legacy"), (deep, "/legacy/admin")]
    for wsgi, prefix in (mounts if order == "root-first" else mounts[::-1]):
        app.mount_wsgi(wsgi, prefix)
    client = Client(app)

    def served_by(path: str) -> tuple[str, str, str]:
        body = client.http.get(path).json_body
        return body["app"], body["script_name"], body["path_info"]

    assert served_by("/legacy/a") == ("legacy", "/api/legacy", "/a")
    assert served_by("/legacy/admin/users") == ("deep", "/api/legacy/admin", "/users")
    assert served_by("/legacy/administrator") == ("legacy", "/api/legacy", "/administrator")
    assert served_by("/legacyx/a") == ("root", "/api", "/legacyx/a")  # whole segments only
    assert served_by("/other") == ("root", "/api", "/other")


def test_the_prefix_moves_into_script_name() -> None:
    app = App("mount-script-name")
    legacy = EchoApp()
    app.mount_wsgi(legacy, "/legacy/")
    client = Client(app)
    body = client.http.get("/legacy/a/b?x=1").json_body
    assert (body["script_name"], body["path_info"], body["query"]) == ("/api/legacy", "/a/b", "x=1")
    # The whole prefix, without a trailing path, is the mount's too.
    exact = client.http.get("/legacy")
    assert exact.status_code == 200
    assert exact.json_body["script_name"] == "/api/legacy"
    assert exact.json_body["path_info"] in ("", "/")


def test_script_name_argument_overrides_the_stage() -> None:
    app = App("mount-script-override")
    plain, forced = EchoApp("plain"), EchoApp("forced")
    app.mount_wsgi(plain, "/plain", script_name="")
    app.mount_wsgi(forced, "/forced", script_name="/prod")
    client = Client(app)
    assert client.http.get("/plain/a").json_body["script_name"] == "/plain"
    assert client.http.get("/forced/a").json_body["script_name"] == "/prod/forced"


def test_a_request_outside_every_prefix_gets_the_json_404() -> None:
    app = App("mount-404")
    app.mount_wsgi(never_called, "/legacy")
    app.mount_wsgi(never_called, "/admin")

    @app.route("/pets")
    def pets() -> list[str]:
        return []

    for path in ("/", "/other", "/legacyx", "/adm"):
        response = Client(app).http.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/json"
        assert response.json_body["Code"] == "NotFoundError"
        assert path in response.json_body["Message"]


def test_registry_mounts_holds_the_specs() -> None:
    app = App("mount-registry")
    root, legacy = EchoApp("root"), EchoApp("legacy")
    config = CORSConfig(allow_origin="https://a.example")
    app.mount_wsgi(root)
    app.mount_wsgi(legacy, "/legacy/", cors=config, script_name="/prod",
                   exclude_headers=["X-Powered-By", "Server"])
    first, second = app.registry.mounts
    assert isinstance(first, WSGIMount)
    assert (first.app, first.prefix, first.cors, first.script_name, first.exclude_headers) == (
        root, "/", None, None, frozenset())
    assert second.app is legacy
    assert second.prefix == "/legacy"
    assert second.cors is config
    assert second.script_name == "/prod"
    assert second.exclude_headers == frozenset({"x-powered-by", "server"})
    app.mount_wsgi(EchoApp(), "/off", cors=False, script_name="")
    assert (app.registry.mounts[2].cors, app.registry.mounts[2].script_name) == (False, "")


def test_exclude_headers_are_dropped_case_insensitively() -> None:
    app = App("mount-exclude")
    app.mount_wsgi(EchoApp(headers=[("X-Powered-By", "PHP"), ("Server", "x"), ("X-Kept", "1"),
                                    ("Connection", "close"), ("Transfer-Encoding", "chunked")]),
                   exclude_headers=["x-powered-by", "SERVER"])
    response = Client(app).http.get("/a")
    assert response.headers.get("x-kept") == "1"
    for gone in ("x-powered-by", "server", "connection", "transfer-encoding"):
        assert gone not in response.headers


# -- routes and mounts ----------------------------------------------------------------------

def routed_app(name: str) -> tuple[App, EchoApp]:
    app = App(name)
    wsgi = EchoApp("mounted", headers=[("Allow", "GET, HEAD, OPTIONS, DELETE")])
    app.mount_wsgi(wsgi)

    @app.route("/pets")
    def pets() -> dict[str, str]:
        return {"from": "route"}

    @app.route("/pets/{pet_id}", methods=["GET", "PUT"])
    def pet(pet_id: str) -> dict[str, str]:
        return {"from": "route", "id": pet_id}

    @app.route("/open", cors=True)
    def open_route() -> dict[str, str]:
        return {"from": "route"}

    return app, wsgi


def test_routes_win_over_the_mount() -> None:
    app, wsgi = routed_app("mount-routes-win")
    client = Client(app)
    assert client.http.get("/pets").json_body == {"from": "route"}
    assert client.http.get("/pets/7").json_body == {"from": "route", "id": "7"}
    assert client.http.put("/pets/7").json_body == {"from": "route", "id": "7"}
    assert wsgi.calls == []
    assert client.http.get("/pets/7/photos").json_body["app"] == "mounted"
    assert len(wsgi.calls) == 1


def test_routes_win_whatever_the_mount_order() -> None:
    app = App("mount-before-routes")
    app.mount_wsgi(never_called)
    app.mount_wsgi(never_called, "/pets")

    @app.route("/pets")
    def pets() -> str:
        return "route"

    assert Client(app).http.get("/pets").text == "route"


@pytest.mark.parametrize(("method", "path"), [("POST", "/pets"), ("DELETE", "/pets/7"),
                                              ("PATCH", "/pets/7"), ("DELETE", "/open")])
def test_a_routed_path_with_another_method_goes_to_the_mount(method: str, path: str) -> None:
    app, wsgi = routed_app("mount-other-method")
    response = Client(app).http.request(method, path, body="payload")
    assert len(wsgi.calls) == 1
    assert response.status_code == 200
    assert response.json_body["app"] == "mounted"
    assert response.json_body["method"] == method
    assert response.json_body["path_info"] == path
    assert response.json_body["body"] == "payload"


def test_another_method_outside_the_mount_is_still_405() -> None:
    app = App("mount-405")
    app.mount_wsgi(never_called, "/legacy")

    @app.route("/pets")
    def pets() -> list[str]:
        return []

    response = Client(app).http.post("/pets")
    assert response.status_code == 405
    assert response.json_body["Code"] == "MethodNotAllowedError"
    assert response.headers["allow"].startswith("GET")


@pytest.mark.parametrize("fmt", ["rest", "http-api", "alb-multi"])
def test_preflight_on_a_cors_route_is_answered_by_myframework(fmt: str) -> None:
    app, wsgi = routed_app("mount-preflight")
    response = Client(app, event_format=fmt).http.options("/open", headers={
        "Origin": "https://web.example", "Access-Control-Request-Method": "GET"})
    assert wsgi.calls == []
    assert response.status_code == 200
    assert response.headers[ACAO] == "*"
    methods = {m.strip() for m in response.headers[ACAM].split(",")}
    assert {"GET", "OPTIONS"} <= methods
    assert "DELETE" not in methods  # the route's methods, not the mounted app's Allow


def test_preflight_under_api_wide_cors_is_answered_by_myframework() -> None:
    app, wsgi = routed_app("mount-preflight-api-cors")
    app.api.cors = True
    response = Client(app).http.options("/pets", headers={"Origin": "https://web.example"})
    assert wsgi.calls == []
    assert response.headers[ACAO] == "*"
    assert "GET" in response.headers[ACAM]


def test_options_on_a_route_without_cors_goes_to_the_mount() -> None:
    app, wsgi = routed_app("mount-options-no-cors")
    response = Client(app).http.options("/pets")
    assert response.json_body["app"] == "mounted"
    assert wsgi.calls[0]["REQUEST_METHOD"] == "OPTIONS"


def test_head_on_a_routed_get_path_runs_the_view() -> None:
    app, wsgi = routed_app("mount-head")
    client = Client(app)
    response = client.http.head("/pets")
    assert response.status_code == 200
    assert response.body == b""
    assert response.headers["content-type"] == "application/json"
    assert wsgi.calls == []
    mounted = client.http.head("/elsewhere")  # not routed: the mount's, body dropped
    assert mounted.status_code == 200
    assert mounted.body == b""
    assert wsgi.calls[0]["REQUEST_METHOD"] == "HEAD"


# -- CORS -----------------------------------------------------------------------------------

def cors_app(name: str, wsgi: Any, **mount: Any) -> App:
    app = App(name)
    app.mount_wsgi(wsgi, **mount)
    return app


ORIGIN = {"Origin": "https://web.example"}


@pytest.mark.parametrize("fmt", ["rest", "http-api", "alb", "alb-multi"])
def test_mount_cors_true_adds_the_headers(fmt: str) -> None:
    app = cors_app("mount-cors-true", EchoApp(), cors=True)
    response = Client(app, event_format=fmt).http.get("/a", headers=ORIGIN)
    assert response.headers[ACAO] == "*"
    assert "content-type" in response.headers["access-control-allow-headers"].lower()
    assert response.json_body["app"] == "wsgi"


def test_mount_cors_config_is_used() -> None:
    config = CORSConfig(allow_origin=["https://web.example"], max_age=600,
                        expose_headers=["X-Total"])
    app = cors_app("mount-cors-config",
                   EchoApp(headers=[("Vary", "Accept-Encoding")]), cors=config)
    client = Client(app)
    allowed = client.http.get("/a", headers=ORIGIN)
    assert allowed.headers[ACAO] == "https://web.example"
    assert allowed.headers["access-control-max-age"] == "600"
    assert allowed.headers["access-control-expose-headers"] == "X-Total"
    vary = {v.strip().lower() for item in allowed.headers.getlist("vary")
            for v in item.split(",")}
    assert vary == {"accept-encoding", "origin"}  # the app's Vary kept, Origin added
    other = client.http.get("/a", headers={"Origin": "https://evil.example"})
    assert ACAO not in other.headers
    assert other.status_code == 200


def test_mount_cors_defaults_to_app_api_cors() -> None:
    app = cors_app("mount-cors-default", EchoApp())
    client = Client(app)
    assert ACAO not in client.http.get("/a", headers=ORIGIN).headers
    app.api.cors = True
    assert client.http.get("/a", headers=ORIGIN).headers[ACAO] == "*"
    app.api.cors = CORSConfig(allow_origin="https://web.example")
    assert client.http.get("/a", headers=ORIGIN).headers[ACAO] == "https://web.example"


def test_mount_cors_false_turns_it_off_under_api_cors() -> None:
    app = cors_app("mount-cors-off", EchoApp(), cors=False)
    app.api.cors = True
    response = Client(app).http.get("/a", headers=ORIGIN)
    assert response.status_code == 200
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]


@pytest.mark.parametrize("spelling", [ACAO, "access-control-allow-origin"])
def test_the_apps_own_cors_headers_win(spelling: str) -> None:
    wsgi = EchoApp(headers=[(spelling, "https://own.example"),
                            ("Access-Control-Allow-Headers", "X-Own")])
    app = cors_app("mount-cors-own", wsgi, cors=True)
    response = Client(app).http.get("/a", headers=ORIGIN)
    assert response.headers.getlist(ACAO) == ["https://own.example"]
    assert response.headers.getlist("access-control-allow-headers") == ["X-Own"]


def options_app(allow: str | None, extra: list[tuple[str, str]] | None = None) -> Any:
    def wsgi(environ: Environ, start_response: StartResponse) -> list[bytes]:
        headers = [("Allow", allow)] if allow is not None else []
        start_response("200 OK", headers + (extra or []))
        return []
    return wsgi


@pytest.mark.parametrize("fmt", ["rest", "http-api", "alb-multi"])
def test_options_copies_allow_into_allow_methods(fmt: str) -> None:
    app = cors_app("mount-cors-options", options_app("GET, HEAD, POST, OPTIONS"), cors=True)
    response = Client(app, event_format=fmt).http.options("/a", headers={
        **ORIGIN, "Access-Control-Request-Method": "POST"})
    assert response.status_code == 200
    assert response.headers[ACAO] == "*"
    assert response.headers[ACAM] == "GET, HEAD, POST, OPTIONS"
    assert response.headers["allow"] == "GET, HEAD, POST, OPTIONS"


def test_options_keeps_the_apps_own_allow_methods() -> None:
    app = cors_app("mount-cors-options-own",
                   options_app("GET, POST, OPTIONS", [("Access-Control-Allow-Methods", "GET")]),
                   cors=True)
    response = Client(app).http.options("/a", headers=ORIGIN)
    assert response.headers.getlist(ACAM) == ["GET"]


def test_allow_is_not_copied_without_cors_or_for_other_methods() -> None:
    off = cors_app("mount-cors-options-off", options_app("GET, OPTIONS"))
    assert ACAM not in Client(off).http.options("/a", headers=ORIGIN).headers
    on = cors_app("mount-cors-get-allow", options_app("GET, OPTIONS"), cors=True)
    assert ACAM not in Client(on).http.get("/a", headers=ORIGIN).headers
    refused = cors_app("mount-cors-options-refused", options_app("GET, OPTIONS"),
                       cors=CORSConfig(allow_origin=["https://other.example"]))
    response = Client(refused).http.options("/a", headers=ORIGIN)
    assert ACAO not in response.headers
    assert ACAM not in response.headers  # no CORS for this origin: nothing to copy


# -- middleware and current_request ---------------------------------------------------------

@pytest.mark.parametrize("event_type", ["http", "all"])
def test_middleware_sees_mounted_requests_and_changes_the_response(event_type: str) -> None:
    app = App("mount-middleware-" + event_type)
    wsgi = EchoApp(headers=[("X-App", "1")])
    app.mount_wsgi(wsgi, "/legacy")
    seen: list[tuple[str, str, type, int, str | None]] = []

    @app.middleware(event_type)
    def stamp(request: Request, get_response: GetResponse) -> Response:
        response = get_response(request)
        seen.append((request.method, request.path, type(response.body), response.status_code,
                     response.headers.get("X-App")))  # type: ignore[arg-type]
        response.headers["X-Middleware"] = "stamped"
        response.status_code = 203
        return response

    response = Client(app).http.post("/legacy/items", body="x")
    assert seen == [("POST", "/legacy/items", bytes, 200, "1")]
    assert response.status_code == 203
    assert response.headers["x-middleware"] == "stamped"
    assert response.headers["x-app"] == "1"
    assert response.json_body["path_info"] == "/items"
    assert len(wsgi.calls) == 1


def test_middleware_can_answer_instead_of_the_mount() -> None:
    app = App("mount-middleware-short")
    app.mount_wsgi(never_called)

    @app.middleware("http")
    def gate(request: Request, get_response: GetResponse) -> Response:
        if request.headers.get("authorization") != "Bearer ok":
            return Response({"Code": "Unauthorized"}, None, 401)
        return get_response(request)

    assert Client(app).http.get("/admin").status_code == 401


def test_middleware_can_replace_the_mounted_body() -> None:
    app = App("mount-middleware-body")
    app.mount_wsgi(fixed_app(b"hello", "text/plain"))

    @app.middleware("http")
    def upper(request: Request, get_response: GetResponse) -> Response:
        response = get_response(request)
        assert isinstance(response.body, bytes)
        response.body = response.body.upper()
        return response

    assert Client(app).http.get("/x").text == "HELLO"


def test_middleware_sees_the_500_of_a_failing_mount_like_a_failing_view() -> None:
    app = App("mount-middleware-500")

    def broken(environ: Environ, start_response: StartResponse) -> list[bytes]:
        raise RuntimeError("broken")

    app.mount_wsgi(broken, "/legacy")

    @app.route("/view")
    def view() -> None:
        raise RuntimeError("broken view")

    @app.middleware("http")
    def request_id(request: Request, get_response: GetResponse) -> Response:
        response = get_response(request)
        response.headers["X-Request-Id"] = "r-1"
        return response

    client = Client(app)
    view_response = client.http.get("/view")
    assert view_response.status_code == 500
    assert view_response.headers["x-request-id"] == "r-1"
    mounted = client.http.get("/legacy/x")
    assert mounted.status_code == 500
    assert mounted.headers["x-request-id"] == "r-1"


def test_current_request_inside_the_wsgi_app() -> None:
    app = App("mount-current-request")
    seen: dict[str, Any] = {}

    def wsgi(environ: Environ, start_response: StartResponse) -> list[bytes]:
        request = app.current_request
        seen.update(
            same=environ["myframework.request"] is request,
            method=request.method, path=request.path, q=request.query_params.get("q"),
            token=request.headers.get("x-token"), kind=request.event_kind,
            context=app.lambda_context is environ["myframework.context"])
        start_response("204 No Content", [])
        return []

    app.mount_wsgi(wsgi, "/legacy")
    response = Client(app).http.get("/legacy/search?q=cats", headers={"X-Token": "t1"})
    assert response.status_code == 204
    assert seen == {"same": True, "method": "GET", "path": "/legacy/search", "q": "cats",
                    "token": "t1", "kind": "rest", "context": True}
    with pytest.raises(RuntimeError, match="current_request"):
        app.current_request  # noqa: B018 (the request is over)


# -- the test client, every event format -----------------------------------------------------

EXPECTED_SCRIPT_NAME = {"rest": "/api/legacy", "http-api": "/api/legacy",
                        "function-url": "/legacy", "alb": "/legacy", "alb-multi": "/legacy"}


@pytest.mark.parametrize("fmt", EVENT_FORMATS)
def test_client_works_for_mounted_apps(fmt: str) -> None:
    app = App("mount-client")

    def wsgi(environ: Environ, start_response: StartResponse) -> list[bytes]:
        body = environ["wsgi.input"].read()
        start_response("201 Created", [
            ("Content-Type", "application/json"), ("X-Seen", environ["PATH_INFO"]),
            ("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; Path=/")])
        return [json.dumps({"method": environ["REQUEST_METHOD"],
                            "script_name": environ["SCRIPT_NAME"],
                            "query": environ["QUERY_STRING"],
                            "cookie": environ.get("HTTP_COOKIE"),
                            "body": body.decode("utf-8")}).encode("utf-8")]

    app.mount_wsgi(wsgi, "/legacy")

    @app.route("/native")
    def native() -> dict[str, bool]:
        return {"native": True}

    with Client(app, event_format=fmt) as client:
        response = client.http.post("/legacy/items?x=1", json_body={"n": 1},
                                    headers={"Cookie": "sid=abc"})
        assert client.http.get("/native").json_body == {"native": True}
        assert client.http.get("/nowhere").status_code == 404
    assert response.status_code == 201
    assert response.headers["x-seen"] == "/items"
    assert sorted(response.cookies) == ["a=1; Path=/", "b=2; Path=/"]
    assert response.json_body == {"method": "POST", "script_name": EXPECTED_SCRIPT_NAME[fmt],
                                  "query": "x=1", "cookie": "sid=abc", "body": '{"n": 1}'}


@pytest.mark.parametrize("fmt", EVENT_FORMATS)
def test_client_gets_binary_bodies_from_mounted_apps(fmt: str) -> None:
    data = bytes(range(256))
    app = App("mount-client-binary")
    app.mount_wsgi(fixed_app(data, "image/png"))
    response = Client(app, event_format=fmt).http.get("/logo.png")
    assert response.raw["isBase64Encoded"] is True
    assert response.body == data


# -- app.api.base_path ----------------------------------------------------------------------

def base_path_app(name: str, base_path: str | None = "v1") -> tuple[App, EchoApp]:
    app = App(name)
    if base_path is not None:
        app.api.base_path = base_path
    wsgi = EchoApp()
    app.mount_wsgi(wsgi, "/legacy")

    @app.route("/pets")
    def pets() -> dict[str, str]:
        return {"path": app.current_request.path}

    @app.route("/")
    def index() -> str:
        return "index"

    return app, wsgi


@pytest.mark.parametrize("value", ["v1", "/v1", "/v1/", "v1/"])
def test_base_path_spellings(value: str) -> None:
    app = App("base-path-spellings")
    app.api.base_path = value
    assert app.api.base_path == "/v1"


def test_base_path_defaults_to_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MYFRAMEWORK_BASE_PATH", raising=False)
    assert App("base-path-default").api.base_path == ""


def test_native_routes_work_behind_the_custom_domain_base_path() -> None:
    app, wsgi = base_path_app("base-path-routes")
    response = invoke_decoded(app, "GET", "/v1/pets", host=CUSTOM_HOST)
    assert response.status_code == 200
    assert response.json_body == {"path": "/pets"}
    assert invoke_decoded(app, "GET", "/v1", host=CUSTOM_HOST).text == "index"
    assert invoke_decoded(app, "GET", "/v1/", host=CUSTOM_HOST).text == "index"
    assert wsgi.calls == []


def test_base_path_uses_the_host_header_or_the_domain_name() -> None:
    app, _ = base_path_app("base-path-domain-name")
    event = make_event("GET", "/v1/pets", host=CUSTOM_HOST)
    event["headers"].pop("Host")
    event["multiValueHeaders"].pop("Host")
    raw = app(event, FakeLambdaContext())
    assert raw["statusCode"] == 200  # requestContext.domainName says custom domain
    assert json.loads(raw["body"]) == {"path": "/pets"}


def test_base_path_is_the_mounts_script_name_on_the_custom_domain() -> None:
    app, _ = base_path_app("base-path-mount")
    body = invoke_decoded(app, "GET", "/v1/legacy/a?x=1", host=CUSTOM_HOST).json_body
    assert (body["script_name"], body["path_info"], body["query"]) == ("/v1/legacy", "/a", "x=1")


def test_base_path_is_not_stripped_on_the_execute_api_host() -> None:
    app, _ = base_path_app("base-path-execute-api")
    client = Client(app)
    assert client.http.get("/pets").json_body == {"path": "/pets"}
    assert client.http.get("/v1/pets").status_code == 404
    legacy = client.http.get("/legacy/a").json_body
    assert (legacy["script_name"], legacy["path_info"]) == ("/api/legacy", "/a")
    assert client.http.get("/v1/legacy/a").status_code == 404
    china = invoke(app, "GET", "/v1/pets", host="abc.execute-api.cn-north-1.amazonaws.com.cn")
    assert china["statusCode"] == 404


def test_base_path_only_strips_a_whole_segment() -> None:
    app, _ = base_path_app("base-path-segment")
    assert invoke(app, "GET", "/v1pets", host=CUSTOM_HOST)["statusCode"] == 404
    # Without the base path the custom domain's request is routed as it came.
    assert invoke(app, "GET", "/pets", host=CUSTOM_HOST)["statusCode"] == 200


def test_base_path_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYFRAMEWORK_BASE_PATH", "/v2/")
    app, _ = base_path_app("base-path-env", base_path=None)
    assert app.api.base_path == "/v2"
    assert invoke_decoded(app, "GET", "/v2/pets", host=CUSTOM_HOST).json_body == {
        "path": "/pets"}
    assert invoke_decoded(app, "GET", "/v2/legacy/a", host=CUSTOM_HOST).json_body[
        "script_name"] == "/v2/legacy"


@pytest.mark.parametrize("bad", [1, None, b"/v1", ["v1"]])
def test_base_path_of_a_bad_type_is_refused(bad: Any) -> None:
    app = App("base-path-bad")
    with pytest.raises(TypeError, match="base_path"):
        app.api.base_path = bad
    assert app.api.base_path == ""


# -- text and binary bodies -----------------------------------------------------------------

def body_of(raw: dict[str, Any]) -> tuple[bool, str]:
    return raw["isBase64Encoded"], raw["body"]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@pytest.mark.parametrize("ctype", ["application/x-custom", "application/x-custom; charset=utf-8",
                                   "Application/X-Custom"])
def test_text_types_make_a_custom_type_text(ctype: str) -> None:
    app = App("text-types")
    app.mount_wsgi(fixed_app(b"hello", ctype))
    assert body_of(invoke(app, "GET", "/x")) == (True, b64(b"hello"))
    app.api.text_types.append("application/x-custom")
    assert body_of(invoke(app, "GET", "/x")) == (False, "hello")
    app.api.text_types.clear()
    assert body_of(invoke(app, "GET", "/x")) == (True, b64(b"hello"))


def test_text_types_wildcard() -> None:
    app = App("text-types-wildcard")
    app.mount_wsgi(fixed_app(b"hello", "application/x-custom"), "/custom")
    app.mount_wsgi(fixed_app(b"hello", "image/x-custom"), "/image")
    app.api.text_types = ["application/*"]
    assert body_of(invoke(app, "GET", "/custom/x")) == (False, "hello")
    assert body_of(invoke(app, "GET", "/image/x")) == (True, b64(b"hello"))


def test_text_types_still_base64_bytes_that_are_not_utf8() -> None:
    app = App("text-types-not-utf8")
    app.mount_wsgi(fixed_app(b"\xff\xfe", "application/x-custom"))
    app.api.text_types = ["application/x-custom"]
    assert body_of(invoke(app, "GET", "/x")) == (True, b64(b"\xff\xfe"))


def test_binary_types_force_base64_for_a_text_type() -> None:
    app = App("binary-types")
    app.mount_wsgi(fixed_app(b"a,b\n1,2\n", "text/csv"), "/csv")
    app.mount_wsgi(fixed_app(b"hello", "application/x-custom"), "/custom")
    assert body_of(invoke(app, "GET", "/csv/x")) == (False, "a,b\n1,2\n")
    app.api.binary_types.append("text/csv")
    app.api.text_types.append("application/x-custom")
    app.api.binary_types.append("application/x-custom")  # binary wins over text
    assert body_of(invoke(app, "GET", "/csv/x")) == (True, b64(b"a,b\n1,2\n"))
    assert body_of(invoke(app, "GET", "/custom/x")) == (True, b64(b"hello"))
    response = Client(app).http.get("/csv/x")
    assert response.body == b"a,b\n1,2\n"


def test_text_type_settings_are_per_app() -> None:
    texty, plain = App("text-types-a"), App("text-types-b")
    for app in (texty, plain):
        app.mount_wsgi(fixed_app(b"hello", "application/x-custom"))
    texty.api.text_types = ["application/x-custom"]
    for _ in range(2):  # alternating apps
        assert body_of(invoke(texty, "GET", "/x")) == (False, "hello")
        assert body_of(invoke(plain, "GET", "/x")) == (True, b64(b"hello"))


# -- Lambda's 6 MB limit --------------------------------------------------------------------

class ChunkStream:
    """A WSGI body of ``total`` bytes in 64 KB chunks that counts what was read."""

    def __init__(self, total: int, fill: bytes = b"x") -> None:
        self.total_chunks = total // CHUNK
        self.read = 0
        self.closed = 0
        self._chunk = fill * CHUNK

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self.read >= self.total_chunks:
            raise StopIteration
        self.read += 1
        return self._chunk

    def close(self) -> None:
        self.closed += 1


def test_a_streamed_7mb_body_is_a_502(caplog: pytest.LogCaptureFixture) -> None:
    app = App("too-large-wsgi")
    stream = ChunkStream(7 * 1024 * 1024)

    def wsgi(environ: Environ, start_response: StartResponse) -> ChunkStream:
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return stream

    app.mount_wsgi(wsgi)
    with caplog.at_level(logging.ERROR):
        response = Client(app).http.get("/download")
    assert response.status_code == 502
    assert response.json_body == {"Code": "BadGateway",
                                  "Message": "The response is larger than AWS Lambda can return."}
    assert response.headers["content-type"] == "application/json"
    assert stream.total_chunks == 112
    assert MAX_BYTES // CHUNK <= stream.read < stream.total_chunks  # stopped soon after 6 MB
    assert stream.closed == 1
    [record] = app_errors(caplog, app)
    message = record.getMessage()
    assert "/download" in message
    sizes = [int(n) for n in re.findall(r"\d{6,}", message)]
    assert any(n > MAX_BYTES for n in sizes), message


def test_a_7mb_body_through_write_is_a_502(caplog: pytest.LogCaptureFixture) -> None:
    app = App("too-large-write")
    written: list[int] = []

    def wsgi(environ: Environ, start_response: StartResponse) -> list[bytes]:
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        for _ in range(112):
            write(b"x" * CHUNK)
            written.append(CHUNK)
        return []

    app.mount_wsgi(wsgi)
    with caplog.at_level(logging.ERROR):
        response = Client(app).http.get("/download")
    assert response.status_code == 502
    assert response.json_body["Code"] == "BadGateway"
    assert len(written) < 112
    assert app_errors(caplog, app)


def test_the_502_goes_through_middleware_and_cors() -> None:
    app = App("too-large-middleware")
    app.mount_wsgi(lambda environ, start_response: (
        start_response("200 OK", [("Content-Type", "text/plain")]), ChunkStream(7 << 20))[1],
                   cors=True)
    statuses: list[int] = []

    @app.middleware("http")
    def watch(request: Request, get_response: GetResponse) -> Response:
        response = get_response(request)
        statuses.append(response.status_code)
        return response

    response = Client(app).http.get("/big", headers=ORIGIN)
    assert response.status_code == 502
    assert statuses == [502]


def test_a_5mb_text_body_passes() -> None:
    app = App("five-mb")
    stream = ChunkStream(5 * 1024 * 1024, fill=b"a")

    def wsgi(environ: Environ, start_response: StartResponse) -> ChunkStream:
        start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
        return stream

    app.mount_wsgi(wsgi)
    response = Client(app).http.get("/report.txt")
    assert response.status_code == 200
    assert response.raw["isBase64Encoded"] is False
    assert len(response.body) == 5 * 1024 * 1024
    assert response.body == b"a" * (5 * 1024 * 1024)
    assert stream.closed == 1


def test_a_native_view_returning_7mb_is_a_502(caplog: pytest.LogCaptureFixture) -> None:
    app = App("too-large-view")
    app.mount_wsgi(never_called, "/legacy")

    @app.route("/big")
    def big() -> str:
        return "x" * (7 * 1024 * 1024)

    with caplog.at_level(logging.ERROR):
        response = Client(app).http.get("/big")
    assert response.status_code == 502
    assert response.json_body == {"Code": "BadGateway",
                                  "Message": "The response is larger than AWS Lambda can return."}
    [record] = app_errors(caplog, app)
    assert "/big" in record.getMessage()
    assert any(int(n) > MAX_BYTES for n in re.findall(r"\d{6,}", record.getMessage()))


# -- errors ---------------------------------------------------------------------------------

def raising_app(environ: Environ, start_response: StartResponse) -> list[bytes]:
    raise ValueError("kaboom-secret-detail")


def test_an_exception_from_the_wsgi_app_is_a_logged_500(
        caplog: pytest.LogCaptureFixture) -> None:
    app = App("wsgi-error")
    app.mount_wsgi(raising_app, "/legacy")
    with caplog.at_level(logging.ERROR):
        response = Client(app).http.get("/legacy/x")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.json_body == {"Code": "InternalServerError",
                                  "Message": "An internal server error occurred."}
    assert b"Traceback" not in response.body
    assert b"kaboom" not in response.body
    [record] = app_errors(caplog, app)
    assert "/legacy/x" in record.getMessage()
    assert record.exc_info is not None
    assert record.exc_info[0] is ValueError


def test_with_debug_the_500_carries_the_traceback(caplog: pytest.LogCaptureFixture) -> None:
    app = App("wsgi-error-debug", debug=True)
    app.mount_wsgi(raising_app, "/legacy")
    with caplog.at_level(logging.ERROR):
        response = Client(app).http.get("/legacy/x")
    assert response.status_code == 500
    body = response.json_body
    assert body["Code"] == "InternalServerError"
    assert "Traceback" in body
    assert "ValueError: kaboom-secret-detail" in body["Traceback"]
    assert "raising_app" in body["Traceback"]
    assert app_errors(caplog, app)


def test_an_exception_while_iterating_is_a_500_and_the_body_is_closed(
        caplog: pytest.LogCaptureFixture) -> None:
    app = App("wsgi-error-iterating")
    closed: list[bool] = []

    class Body:
        def __iter__(self) -> Iterator[bytes]:
            yield b"partial"
            raise OSError("disk gone")

        def close(self) -> None:
            closed.append(True)

    def wsgi(environ: Environ, start_response: StartResponse) -> Body:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Body()

    app.mount_wsgi(wsgi)
    with caplog.at_level(logging.ERROR):
        response = Client(app).http.get("/x")
    assert response.status_code == 500
    assert b"partial" not in response.body
    assert closed == [True]
    [record] = app_errors(caplog, app)
    assert record.exc_info is not None
    assert record.exc_info[0] is OSError


def test_a_wsgi_error_status_passes_through_untouched() -> None:
    page = b"<html><h1>Not Found</h1></html>"
    app = App("wsgi-own-404")
    app.mount_wsgi(fixed_app(page, "text/html; charset=utf-8", status="404 NOT FOUND"))
    response = Client(app).http.get("/missing")
    assert response.status_code == 404
    assert response.body == page
    assert response.headers["content-type"] == "text/html; charset=utf-8"


# -- events and tasks next to a mount -------------------------------------------------------

def test_sqs_events_reach_their_handler_not_the_mount() -> None:
    app = App("mount-sqs")
    app.mount_wsgi(never_called)
    received: list[list[str]] = []

    @app.on_sqs_message(queue="jobs", batch_size=10)
    def on_jobs(event: SQSEvent) -> None:
        received.append([record.body for record in event])

    client = Client(app)
    event = client.events.generate_sqs_event(["one", "two"], queue_name="jobs")
    assert app(event, FakeLambdaContext()) == {"batchItemFailures": []}
    assert received == [["one", "two"]]
    invoked = client.lambda_.invoke("on_jobs", event)
    assert invoked.payload == {"batchItemFailures": []}
    assert received[-1] == ["one", "two"]


def test_unknown_events_never_reach_the_mount() -> None:
    app = App("mount-unknown-event")
    app.mount_wsgi(never_called)
    for event in ({"command": "myapp.tasks.cleanup"}, {"manage": "migrate"}):
        with pytest.raises(UnknownEventError):
            app(event, FakeLambdaContext())


def test_tasks_delayed_from_the_wsgi_app_run_without_the_mount() -> None:
    app = App("mount-tasks")
    done: list[int] = []
    wsgi_calls: list[str] = []

    @app.task
    def process(order_id: int) -> int:
        done.append(order_id)
        return order_id * 2

    def wsgi(environ: Environ, start_response: StartResponse) -> list[bytes]:
        wsgi_calls.append(environ["PATH_INFO"])
        process.delay(int(environ["PATH_INFO"].rsplit("/", 1)[1]))
        start_response("202 Accepted", [])
        return []

    app.mount_wsgi(wsgi)
    with Client(app) as client:
        assert client.http.post("/orders/41").status_code == 202
        assert done == []
        [task] = client.tasks.run_pending()
    assert task.status == "succeeded"
    assert task.result == 82
    assert done == [41]
    assert wsgi_calls == ["/orders/41"]


def test_console_test_event_keeps_the_stage_in_script_name() -> None:
    """The console's test button: no Host, domainName testPrefix.testDomainName (checklist #20)."""
    seen: list[Environ] = []

    def wsgi(environ: Environ, start_response: StartResponse) -> list[bytes]:
        seen.append(environ)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    app = App("console-test")
    app.api.base_path = "v1"
    app.mount_wsgi(wsgi)
    event = make_event("GET", "/v1/pets")
    event["headers"] = None
    event["multiValueHeaders"] = None
    event["requestContext"].update(domainName="testPrefix.testDomainName",
                                   stage="test-invoke-stage")
    raw = app(event, FakeLambdaContext())
    assert raw["statusCode"] == 200
    assert seen[0]["SCRIPT_NAME"] == "/test-invoke-stage"
    assert seen[0]["PATH_INFO"] == "/v1/pets"  # no custom domain, so no base path is taken off
