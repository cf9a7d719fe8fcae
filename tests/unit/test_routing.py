"""Routing: path parsing, the Router, and routing as users see it through the app."""
from __future__ import annotations

from typing import Any

import pytest

from myframework import App, RegistrationError
from myframework.runtime.routing import Router, parse_path
from myframework.testing import EVENT_FORMATS, Client, make_event

FORMATS = list(EVENT_FORMATS)


def _view() -> None:
    return None


# -- parse_path ----------------------------------------------------------------


def test_parse_path_root() -> None:
    parsed = parse_path("/", "here")
    assert parsed.path == "/"
    assert parsed.param_names == ()
    assert parsed.greedy is None


def test_parse_path_static() -> None:
    parsed = parse_path("/pets/all", "here")
    assert parsed.path == "/pets/all"
    assert parsed.param_names == ()
    assert parsed.greedy is None


def test_parse_path_params_in_order() -> None:
    parsed = parse_path("/users/{user_id}/posts/{post_id}", "here")
    assert parsed.param_names == ("user_id", "post_id")
    assert parsed.greedy is None


def test_parse_path_greedy_is_last_param() -> None:
    parsed = parse_path("/files/{bucket}/{key+}", "here")
    assert parsed.greedy == "key"
    assert parsed.param_names == ("bucket", "key")


def test_parse_path_same_shape_for_different_param_names() -> None:
    assert parse_path("/u/{id}", "x").shape == parse_path("/u/{uid}", "x").shape
    assert parse_path("/u/{id}", "x").shape != parse_path("/u/me", "x").shape


@pytest.mark.parametrize("path", ["pets", "/pets/", "/a//b", "/a/{b}c", "/{p+}/x", "/a b"])
def test_parse_path_rejects_malformed_with_where(path: str) -> None:
    with pytest.raises(RegistrationError) as info:
        parse_path(path, "register_something(here)")
    assert "register_something(here)" in str(info.value)
    assert repr(path) in str(info.value)


def test_parse_path_names_the_function() -> None:
    with pytest.raises(RegistrationError, match="_view"):
        parse_path("no-slash", _view)


def test_parse_path_rejects_non_string() -> None:
    with pytest.raises(RegistrationError):
        parse_path(42, "here")


# -- Router ----------------------------------------------------------------------


def _router(*paths: str) -> Router:
    router = Router()
    for path in paths:
        router.entry_for(parse_path(path, "test"), "test")
    return router


def _match(router: Router, path: str) -> tuple[str, dict[str, str]] | None:
    found = router.match(path)
    if found is None:
        return None
    entry, params = found
    return entry.path, params


def test_router_static_and_params() -> None:
    router = _router("/", "/pets", "/pets/{pet_id}", "/pets/{pet_id}/toys/{toy_id}")
    assert _match(router, "/") == ("/", {})
    assert _match(router, "/pets") == ("/pets", {})
    assert _match(router, "/pets/7") == ("/pets/{pet_id}", {"pet_id": "7"})
    assert _match(router, "/pets/7/toys/ball") == (
        "/pets/{pet_id}/toys/{toy_id}", {"pet_id": "7", "toy_id": "ball"})
    assert _match(router, "/pets/7/toys") is None
    assert _match(router, "/dogs") is None


def test_router_entry_for_is_idempotent() -> None:
    router = Router()
    first = router.entry_for(parse_path("/a/{x}", "t"), "t")
    again = router.entry_for(parse_path("/a/{x}", "t"), "t")
    assert first is again
    assert [e.path for e in router.entries()] == ["/a/{x}"]


def test_router_same_shape_other_names_rejected() -> None:
    router = _router("/u/{id}")
    with pytest.raises(RegistrationError, match="where-it-was"):
        router.entry_for(parse_path("/u/{uid}", "t"), "where-it-was")


def test_router_trailing_slash() -> None:
    router = _router("/pets", "/pets/{pet_id}")
    assert _match(router, "/pets/") == ("/pets", {})
    assert _match(router, "/pets/3/") == ("/pets/{pet_id}", {"pet_id": "3"})


def test_router_empty_segment_is_not_a_param() -> None:
    router = _router("/a/{x}/c")
    assert _match(router, "/a//c") is None


def test_router_literal_beats_param() -> None:
    router = _router("/users/{id}", "/users/me", "/a/{y}/c", "/a/b/{x}")
    assert _match(router, "/users/me") == ("/users/me", {})
    assert _match(router, "/users/42") == ("/users/{id}", {"id": "42"})
    assert _match(router, "/a/b/c") == ("/a/b/{x}", {"x": "c"})
    assert _match(router, "/a/z/c") == ("/a/{y}/c", {"y": "z"})


def test_router_literal_beats_param_regardless_of_order() -> None:
    router = _router("/a/b/{x}", "/a/{y}/c")
    assert _match(router, "/a/b/c") == ("/a/b/{x}", {"x": "c"})


def test_router_greedy() -> None:
    router = _router("/files/{proxy+}", "/files/special")
    assert _match(router, "/files/a") == ("/files/{proxy+}", {"proxy": "a"})
    assert _match(router, "/files/a/b/c.txt") == ("/files/{proxy+}", {"proxy": "a/b/c.txt"})
    assert _match(router, "/files/special") == ("/files/special", {})
    assert _match(router, "/files") is None
    assert _match(router, "/files/") is None


def test_router_root_greedy_does_not_match_root() -> None:
    router = _router("/{proxy+}")
    assert _match(router, "/") is None
    assert _match(router, "/x") == ("/{proxy+}", {"proxy": "x"})
    assert _match(router, "/x/y") == ("/{proxy+}", {"proxy": "x/y"})


# -- through the app -------------------------------------------------------------


@pytest.fixture(scope="module")
def app() -> App:
    app = App("routing-app")

    @app.route("/")
    def index() -> dict[str, Any]:
        return {"view": "index"}

    @app.route("/pets")
    def pets() -> dict[str, Any]:
        return {"view": "pets"}

    @app.route("/pets/{pet_id}")
    def pet(pet_id: str) -> dict[str, Any]:
        return {"view": "pet", "pet_id": pet_id}

    @app.route("/owners/{owner}/pets/{pet_id}")
    def owner_pet(owner: str, pet_id: str) -> dict[str, Any]:
        return {"view": "owner_pet", "owner": owner, "pet_id": pet_id}

    @app.route("/users/{id}")
    def user(id: str) -> dict[str, Any]:
        return {"view": "user", "id": id}

    @app.route("/users/me")
    def me() -> dict[str, Any]:
        return {"view": "me"}

    @app.route("/a/{y}/c")
    def a_y_c(y: str) -> dict[str, Any]:
        return {"view": "a_y_c", "y": y}

    @app.route("/a/b/{x}")
    def a_b_x(x: str) -> dict[str, Any]:
        return {"view": "a_b_x", "x": x}

    @app.route("/static/{proxy+}")
    def static(proxy: str) -> dict[str, Any]:
        return {"view": "static", "proxy": proxy}

    @app.route("/items", methods=["GET", "POST"])
    def items() -> dict[str, Any]:
        return {"view": "items", "method": app.current_request.method}

    @app.route("/items", methods=["DELETE"])
    def delete_items() -> dict[str, Any]:
        return {"view": "delete_items"}

    @app.route("/post-only", methods=["POST"])
    def post_only() -> dict[str, Any]:
        return {"view": "post_only"}

    return app


@pytest.fixture(params=FORMATS)
def client(request: pytest.FixtureRequest, app: App) -> Client:
    fmt: str = request.param
    return Client(app, event_format=fmt)


@pytest.mark.parametrize(("path", "expected"), [
    ("/", {"view": "index"}),
    ("/pets", {"view": "pets"}),
    ("/pets/42", {"view": "pet", "pet_id": "42"}),
    ("/owners/ann/pets/7", {"view": "owner_pet", "owner": "ann", "pet_id": "7"}),
    ("/users/me", {"view": "me"}),
    ("/users/42", {"view": "user", "id": "42"}),
    ("/a/b/c", {"view": "a_b_x", "x": "c"}),
    ("/a/z/c", {"view": "a_y_c", "y": "z"}),
    ("/a/b/q", {"view": "a_b_x", "x": "q"}),
    ("/static/css/site.css", {"view": "static", "proxy": "css/site.css"}),
    ("/static/x", {"view": "static", "proxy": "x"}),
])
def test_app_routes(client: Client, path: str, expected: dict[str, Any]) -> None:
    response = client.http.get(path)
    assert response.status_code == 200
    assert response.json_body == expected


@pytest.mark.parametrize(("path", "expected"), [
    ("/pets/", {"view": "pets"}),
    ("/pets/42/", {"view": "pet", "pet_id": "42"}),
    ("/users/me/", {"view": "me"}),
    ("/static/a/b/", {"view": "static", "proxy": "a/b"}),
])
def test_trailing_slash_still_matches(client: Client, path: str,
                                      expected: dict[str, Any]) -> None:
    response = client.http.get(path)
    assert response.status_code == 200
    assert response.json_body == expected


@pytest.mark.parametrize("path", ["/static", "/static/", "/nope", "/pets/1/2", "/users",
                                  "/owners/ann/pets", "/a/b", "/Pets"])
def test_unknown_path_is_404_json(client: Client, path: str) -> None:
    response = client.http.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    body = response.json_body
    assert body["Code"] == "NotFoundError"
    assert isinstance(body["Message"], str)


def test_root_greedy_does_not_match_root() -> None:
    app = App("greedy-root")

    @app.route("/{proxy+}")
    def catch_all(proxy: str) -> dict[str, str]:
        return {"proxy": proxy}

    client = Client(app)
    assert client.http.get("/").status_code == 404
    response = client.http.get("/a/b")
    assert response.status_code == 200
    assert response.json_body == {"proxy": "a/b"}


def test_uri_params_passed_as_keyword_args() -> None:
    app = App("kwargs-app")
    seen: list[tuple[str, str]] = []

    @app.route("/x/{first}/{second}")
    def view(second: str, first: str) -> None:  # order differs from the path on purpose
        seen.append((first, second))

    assert Client(app).http.get("/x/one/two").status_code == 200
    assert seen == [("one", "two")]


@pytest.mark.parametrize(("path", "pet_id"), [
    ("/pets/a%20b", "a b"),
    ("/pets/caf%C3%A9", "café"),
    ("/pets/a b", "a b"),  # the client percent-encodes the space itself
    ("/pets/100%25", "100%"),
])
def test_percent_encoded_path_is_decoded(client: Client, path: str, pet_id: str) -> None:
    response = client.http.get(path)
    assert response.status_code == 200
    assert response.json_body == {"view": "pet", "pet_id": pet_id}


@pytest.mark.parametrize("path", ["/pets/%ff", "/pets/a%C3", "/pets/%80abc"])
def test_non_utf8_percent_encoding_is_400(client: Client, path: str) -> None:
    response = client.http.get(path)
    assert response.status_code == 400
    body = response.json_body
    assert body["Code"] == "BadRequestError"
    assert isinstance(body["Message"], str)


def test_non_utf8_percent_encoding_raw_event(app: App) -> None:
    event = make_event("GET", "/pets/%ff")
    raw = app(event, None)
    assert raw["statusCode"] == 400


def test_head_runs_get_view_with_empty_body(client: Client) -> None:
    calls: list[str] = []
    head_app = App("head-app")

    @head_app.route("/thing/{name}")
    def thing(name: str) -> dict[str, str]:
        calls.append(name)
        return {"name": name}

    fmt = client.http.event_format
    head_client = Client(head_app, event_format=fmt)
    response = head_client.http.head("/thing/abc")
    assert response.status_code == 200
    assert response.body == b""
    assert calls == ["abc"]
    assert response.headers["content-type"].startswith("application/json")
    # GET gives the same view's body
    assert head_client.http.get("/thing/abc").json_body == {"name": "abc"}


def test_head_on_unknown_path_is_404(client: Client) -> None:
    response = client.http.head("/nope")
    assert response.status_code == 404
    assert response.body == b""


def test_methods_dispatch(client: Client) -> None:
    assert client.http.get("/items").json_body == {"view": "items", "method": "GET"}
    assert client.http.post("/items").json_body == {"view": "items", "method": "POST"}
    assert client.http.delete("/items").json_body == {"view": "delete_items"}


def _allow(value: str) -> set[str]:
    return {m.strip() for m in value.split(",") if m.strip()}


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_405_with_allow_header(client: Client, method: str) -> None:
    response = client.http.request(method, "/items")
    assert response.status_code == 405
    assert response.json_body["Code"] == "MethodNotAllowedError"
    allow = _allow(response.headers["allow"])
    assert allow == {"GET", "HEAD", "POST", "DELETE"}  # GET views answer HEAD too
    assert method not in allow


def test_405_for_get_on_post_only(client: Client) -> None:
    response = client.http.get("/post-only")
    assert response.status_code == 405
    allow = _allow(response.headers["allow"])
    assert "POST" in allow
    assert "GET" not in allow


def test_405_on_param_path(client: Client) -> None:
    response = client.http.delete("/pets/3")
    assert response.status_code == 405
    assert _allow(response.headers["allow"]) >= {"GET"}
    assert "DELETE" not in _allow(response.headers["allow"])


def test_lowercase_method_in_event_is_accepted(app: App) -> None:
    event = make_event("GET", "/pets/9")
    event["httpMethod"] = "get"
    raw = app(event, None)
    assert raw["statusCode"] == 200


def test_routing_is_case_sensitive(client: Client) -> None:
    assert client.http.get("/PETS/1").status_code == 404


def test_static_route_registered_after_param_still_wins() -> None:
    app = App("order-app")

    @app.route("/users/{id}")
    def user(id: str) -> str:
        return "param"

    @app.route("/users/me")
    def me() -> str:
        return "static"

    client = Client(app)
    assert client.http.get("/users/me").body == b"static"
    assert client.http.get("/users/you").body == b"param"


def test_param_then_different_literals() -> None:
    # params with a literal after them (/a/{x}/b) must not match /a/{x}/c
    app = App("middle-param")

    @app.route("/a/{x}/b")
    def ab(x: str) -> str:
        return "b:" + x

    @app.route("/a/{x}/c")
    def ac(x: str) -> str:
        return "c:" + x

    client = Client(app)
    assert client.http.get("/a/1/b").body == b"b:1"
    assert client.http.get("/a/1/c").body == b"c:1"
    assert client.http.get("/a/1/d").status_code == 404


def test_registration_error_for_bad_route_is_raised_by_decorator() -> None:
    app = App("bad")
    with pytest.raises(RegistrationError):
        app.route("/a//b")(_view)


def test_encoded_slash_stays_inside_one_param(client: Client) -> None:
    # %2F is data inside a segment, not a separator: decoding must happen after splitting.
    response = client.http.get("/pets/a%2Fb")
    assert response.status_code == 200
    assert response.json_body == {"view": "pet", "pet_id": "a/b"}
