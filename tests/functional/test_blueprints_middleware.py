"""Blueprints (routes registered under a prefix) and HTTP middleware."""
from collections.abc import Callable
from typing import Any

import pytest

from myframework import (
    App,
    Blueprint,
    ChaliceUnhandledError,
    ForbiddenError,
    NotFoundError,
    RegistrationError,
    Request,
    Response,
)
from myframework.testing import Client

GetResponse = Callable[[Request], Response]


# -- blueprints -----------------------------------------------------------------------------

def make_blueprint() -> Blueprint:
    bp = Blueprint(__name__)

    @bp.route("/items/{item_id}")
    def get_item(item_id: str) -> dict[str, Any]:
        request = bp.current_request
        return {"item_id": item_id, "path": request.path,
                "q": request.query_params.get("q")}

    @bp.route("/items", methods=["POST"])
    def create_item() -> dict[str, Any]:
        return {"created": bp.current_request.json_body}

    @bp.route("/")
    def index() -> dict[str, str]:
        return {"index": bp.current_request.path}

    return bp


def test_blueprint_routes_are_served_under_the_url_prefix() -> None:
    app = App("bp")
    app.register_blueprint(make_blueprint(), url_prefix="/v1", name_prefix="v1_")
    client = Client(app)
    response = client.http.get("/v1/items/42?q=x")
    assert response.status_code == 200
    assert response.json_body == {"item_id": "42", "path": "/v1/items/42", "q": "x"}
    assert client.http.post("/v1/items", json_body={"a": 1}).json_body == {"created": {"a": 1}}
    assert client.http.get("/v1").json_body == {"index": "/v1"}
    # Not reachable without the prefix.
    assert client.http.get("/items/42").status_code == 404


def test_blueprint_route_names_and_paths_in_the_registry() -> None:
    app = App("bp")
    app.register_blueprint(make_blueprint(), url_prefix="/v1", name_prefix="v1_")
    routes = {spec.name: spec for spec in app.registry.routes}
    assert set(routes) == {"v1_get_item", "v1_create_item", "v1_index"}
    assert routes["v1_get_item"].path == "/v1/items/{item_id}"
    assert routes["v1_create_item"].methods == ("POST",)
    assert routes["v1_index"].path == "/v1"


def test_blueprint_without_prefixes() -> None:
    app = App("bp")
    app.register_blueprint(make_blueprint())
    assert {spec.name for spec in app.registry.routes} == {"get_item", "create_item", "index"}
    assert Client(app).http.get("/items/3").json_body["item_id"] == "3"


def test_blueprint_registered_twice_serves_both_prefixes() -> None:
    app = App("bp")
    bp = make_blueprint()
    app.register_blueprint(bp, url_prefix="/v1", name_prefix="v1_")
    app.register_blueprint(bp, url_prefix="/v2", name_prefix="v2_")
    client = Client(app, event_format="http-api")
    assert client.http.get("/v1/items/1").json_body["path"] == "/v1/items/1"
    assert client.http.get("/v2/items/2").json_body["path"] == "/v2/items/2"
    names = {spec.name for spec in app.registry.routes}
    assert {"v1_get_item", "v2_get_item", "v1_index", "v2_index"} <= names


@pytest.mark.parametrize("fmt", ["rest", "http-api", "function-url", "alb", "alb-multi"])
def test_blueprint_current_request_in_every_event_format(fmt: str) -> None:
    app = App("bp")
    app.register_blueprint(make_blueprint(), url_prefix="/v1")
    response = Client(app, event_format=fmt).http.get("/v1/items/9?q=hello%20there")
    assert response.json_body == {"item_id": "9", "path": "/v1/items/9", "q": "hello there"}


def test_blueprint_current_request_outside_a_request_raises() -> None:
    bp = Blueprint(__name__)
    with pytest.raises(RuntimeError, match="current_request"):
        bp.current_request  # noqa: B018


def test_blueprint_route_added_after_registration_is_refused() -> None:
    app = App("bp")
    bp = make_blueprint()
    app.register_blueprint(bp, url_prefix="/v1")
    with pytest.raises(RegistrationError):
        @bp.route("/late")
        def late() -> None:
            return None


def test_blueprint_and_app_routes_live_together() -> None:
    app = App("bp")

    @app.route("/health")
    def health() -> dict[str, bool]:
        return {"ok": True}

    app.register_blueprint(make_blueprint(), url_prefix="/api")
    client = Client(app)
    assert client.http.get("/health").json_body == {"ok": True}
    assert client.http.get("/api/items/5").json_body["item_id"] == "5"


def test_blueprint_middleware_applies_to_the_app() -> None:
    app = App("bp")
    bp = make_blueprint()

    @bp.middleware("http")
    def tag(request: Request, get_response: GetResponse) -> Response:
        response = get_response(request)
        response.headers["X-From-Blueprint"] = "yes"
        return response

    app.register_blueprint(bp, url_prefix="/v1")
    assert Client(app).http.get("/v1/items/1").headers["X-From-Blueprint"] == "yes"


# -- middleware -----------------------------------------------------------------------------

def make_app() -> App:
    app = App("mw")

    @app.route("/hello", methods=["GET", "POST"])
    def hello() -> dict[str, str]:
        return {"hello": "world"}

    @app.route("/missing")
    def missing() -> None:
        raise NotFoundError("gone fishing")

    @app.route("/unhandled")
    def unhandled() -> None:
        raise ChaliceUnhandledError("let the middleware see this")

    return app


@pytest.mark.parametrize("fmt", ["rest", "http-api", "alb"])
def test_middleware_runs_around_every_request_including_404_and_405(fmt: str) -> None:
    app = make_app()
    seen: list[tuple[str, str, int]] = []

    @app.middleware("http")
    def record(request: Request, get_response: GetResponse) -> Response:
        response = get_response(request)
        seen.append((request.method, request.path, response.status_code))
        return response

    client = Client(app, event_format=fmt)
    assert client.http.get("/hello").status_code == 200
    assert client.http.get("/nope").status_code == 404
    assert client.http.delete("/hello").status_code == 405
    assert seen == [("GET", "/hello", 200), ("GET", "/nope", 404), ("DELETE", "/hello", 405)]


def test_middleware_can_add_response_headers() -> None:
    app = make_app()

    @app.middleware("http")
    def add_header(request: Request, get_response: GetResponse) -> Response:
        response = get_response(request)
        response.headers["X-Request-Path"] = request.path
        return response

    client = Client(app)
    response = client.http.get("/hello")
    assert response.json_body == {"hello": "world"}
    assert response.headers["X-Request-Path"] == "/hello"
    assert client.http.get("/nope").headers["X-Request-Path"] == "/nope"


def test_middleware_can_short_circuit() -> None:
    app = App("mw")
    calls: list[str] = []

    @app.route("/secret")
    def secret() -> dict[str, str]:
        calls.append("view")
        return {"secret": "42"}

    @app.middleware("http")
    def gate(request: Request, get_response: GetResponse) -> Response:
        if request.headers.get("x-token") != "letmein":
            return Response({"Code": "Unauthorized", "Message": "no token"}, None, 401)
        return get_response(request)

    client = Client(app)
    response = client.http.get("/secret")
    assert response.status_code == 401
    assert response.json_body == {"Code": "Unauthorized", "Message": "no token"}
    assert calls == []
    assert client.http.get("/secret", headers={"X-Token": "letmein"}).json_body == {
        "secret": "42"}
    assert calls == ["view"]


def test_middleware_sees_view_errors_as_responses() -> None:
    app = make_app()
    seen: list[Any] = []

    @app.middleware("http")
    def inspect(request: Request, get_response: GetResponse) -> Response:
        response = get_response(request)
        seen.append(response)
        return response

    client = Client(app)
    assert client.http.get("/missing").status_code == 404
    assert len(seen) == 1
    assert isinstance(seen[0], Response)
    assert seen[0].status_code == 404
    assert seen[0].body == {"Code": "NotFoundError", "Message": "gone fishing"}


def test_middleware_can_rewrite_an_error_response() -> None:
    app = make_app()

    @app.middleware("http")
    def soften(request: Request, get_response: GetResponse) -> Response:
        response = get_response(request)
        if response.status_code == 404:
            return Response({"soft": True}, None, 200)
        return response

    assert Client(app).http.get("/missing").json_body == {"soft": True}


def test_several_middlewares_run_in_registration_order() -> None:
    app = App("mw")
    order: list[str] = []

    @app.route("/")
    def index() -> dict[str, bool]:
        order.append("view")
        return {"ok": True}

    def make(name: str) -> Callable[[Request, GetResponse], Response]:
        def middleware(request: Request, get_response: GetResponse) -> Response:
            order.append(name + ":before")
            response = get_response(request)
            order.append(name + ":after")
            trail = response.headers.get("X-Trail", "")
            assert isinstance(trail, str)
            response.headers["X-Trail"] = trail + name
            return response
        return middleware

    app.register_middleware(make("a"), "http")
    app.middleware("http")(make("b"))
    app.register_middleware(make("c"), "all")
    response = Client(app).http.get("/")
    assert order == ["a:before", "b:before", "c:before", "view", "c:after", "b:after",
                     "a:after"]
    assert response.headers["X-Trail"] == "cba"


def test_middleware_for_other_event_types_does_not_run_for_http() -> None:
    app = make_app()
    ran: list[str] = []

    @app.middleware("sqs")
    def sqs_only(event: Any, get_response: Callable[[Any], Any]) -> Any:
        ran.append("sqs")
        return get_response(event)

    assert Client(app).http.get("/hello").status_code == 200
    assert ran == []


def test_middleware_raising_forbidden_gives_403_json() -> None:
    app = make_app()

    @app.middleware("http")
    def deny(request: Request, get_response: GetResponse) -> Response:
        raise ForbiddenError("not for you")

    for fmt in ("rest", "http-api", "alb-multi"):
        response = Client(app, event_format=fmt).http.get("/hello")
        assert response.status_code == 403
        assert response.json_body == {"Code": "ForbiddenError", "Message": "not for you"}
        assert response.headers["Content-Type"] == "application/json"


def test_middleware_raising_an_arbitrary_exception_gives_500_without_traceback() -> None:
    app = make_app()

    @app.middleware("http")
    def broken(request: Request, get_response: GetResponse) -> Response:
        raise KeyError("database password is hunter2")

    response = Client(app).http.get("/hello")
    assert response.status_code == 500
    assert response.json_body == {"Code": "InternalServerError",
                                  "Message": "An internal server error occurred."}
    text = response.body.decode()
    assert "hunter2" not in text
    assert "Traceback" not in text


def test_middleware_exception_after_get_response_gives_500() -> None:
    app = make_app()
    calls: list[str] = []

    @app.route("/count")
    def count() -> dict[str, bool]:
        calls.append("view")
        return {"ok": True}

    @app.middleware("http")
    def broken_after(request: Request, get_response: GetResponse) -> Response:
        get_response(request)
        raise ValueError("late failure")

    response = Client(app).http.get("/count")
    assert response.status_code == 500
    assert response.json_body["Code"] == "InternalServerError"
    assert calls == ["view"]


def test_unhandled_error_from_a_view_reaches_middleware_as_an_exception() -> None:
    app = make_app()
    caught: list[BaseException] = []

    @app.middleware("http")
    def handler(request: Request, get_response: GetResponse) -> Response:
        try:
            return get_response(request)
        except ChaliceUnhandledError as exc:
            caught.append(exc)
            return Response({"handled": str(exc)}, None, 503)

    response = Client(app).http.get("/unhandled")
    assert response.status_code == 503
    assert response.json_body == {"handled": "let the middleware see this"}
    assert len(caught) == 1
    assert isinstance(caught[0], ChaliceUnhandledError)


def test_unhandled_error_nobody_catches_is_a_500() -> None:
    app = make_app()

    @app.middleware("http")
    def passthrough(request: Request, get_response: GetResponse) -> Response:
        return get_response(request)

    response = Client(app).http.get("/unhandled")
    assert response.status_code == 500
    assert response.json_body["Code"] == "InternalServerError"
    assert "let the middleware see this" not in response.body.decode()


def test_unhandled_error_without_middleware_is_a_500() -> None:
    response = Client(make_app()).http.get("/unhandled")
    assert response.status_code == 500
    assert response.json_body["Code"] == "InternalServerError"


def test_middleware_sees_current_request() -> None:
    app = make_app()
    paths: list[str] = []

    @app.middleware("http")
    def via_app(request: Request, get_response: GetResponse) -> Response:
        paths.append(app.current_request.path)
        assert app.current_request is request
        return get_response(request)

    Client(app).http.get("/hello")
    assert paths == ["/hello"]


def test_middleware_may_return_a_plain_value() -> None:
    app = make_app()

    @app.middleware("http")
    def plain(request: Request, get_response: GetResponse) -> Any:
        return {"replaced": True}

    response = Client(app).http.get("/hello")
    assert response.status_code == 200
    assert response.json_body == {"replaced": True}


@pytest.mark.parametrize("event_type", ["htp", "HTTP", "", "websocket"])
def test_unknown_middleware_event_type_is_a_registration_error(event_type: str) -> None:
    app = App("mw")
    with pytest.raises(RegistrationError, match="event type"):
        @app.middleware(event_type)
        def mw(request: Request, get_response: GetResponse) -> Response:
            return get_response(request)
    assert app.registry.middleware == []


def test_unknown_middleware_event_type_on_a_blueprint_is_a_registration_error() -> None:
    bp = Blueprint(__name__)
    with pytest.raises(RegistrationError, match="event type"):
        bp.register_middleware(lambda request, get_response: get_response(request), "htttp")
