"""CORS: per-route settings, the API-wide default, preflight answers and error responses.

Every behaviour is checked across the event formats a browser-facing API can
sit behind (REST API, HTTP API payload 2.0, ALB with multi-value headers).
"""
from typing import Any

import pytest

from myframework import App, BadRequestError, CORSConfig, Response
from myframework.testing import Client, HTTPResponse

FORMATS = ["rest", "http-api", "alb-multi"]
ACAO = "Access-Control-Allow-Origin"
ALLOWED = ["https://app.example.com", "https://admin.example.com", "http://localhost:3000"]


@pytest.fixture(params=FORMATS)
def fmt(request: pytest.FixtureRequest) -> str:
    value = request.param
    assert isinstance(value, str)
    return value


def split_list(value: str) -> set[str]:
    return {item.strip() for item in value.split(",") if item.strip()}


def vary_values(response: HTTPResponse) -> set[str]:
    out: set[str] = set()
    for value in response.headers.getlist("vary"):
        out |= split_list(value)
    return out


def make_app() -> App:
    app = App("cors")

    @app.route("/open", cors=True)
    def open_route() -> dict[str, bool]:
        return {"open": True}

    @app.route("/closed")
    def closed() -> dict[str, bool]:
        return {"closed": True}

    @app.route("/items", methods=["GET", "POST"], cors=True)
    def items() -> dict[str, str]:
        return {"method": app.current_request.method}

    @app.route("/items", methods=["DELETE"], cors=True, name="delete_items")
    def delete_items() -> None:
        return None

    @app.route("/bad", cors=True)
    def bad() -> None:
        raise BadRequestError("the id is wrong")

    @app.route("/boom", cors=True)
    def boom() -> None:
        raise RuntimeError("secret internals")

    @app.route("/unserialisable", cors=True)
    def unserialisable() -> dict[str, Any]:
        return {"value": object()}

    @app.route("/configured", methods=["GET", "PUT"], cors=CORSConfig(
        allow_origin="https://app.example.com",
        allow_headers=["X-Custom-Header", "X-Other"],
        expose_headers=["X-Request-Id", "X-Total-Count"],
        max_age=600,
        allow_credentials=True))
    def configured() -> Response:
        return Response({"ok": True}, {"X-Request-Id": "r-1"})

    @app.route("/listed", methods=["GET", "POST"], cors=CORSConfig(allow_origin=ALLOWED,
                                                                   max_age=60))
    def listed() -> dict[str, bool]:
        return {"listed": True}

    @app.route("/listed-vary", cors=CORSConfig(allow_origin=ALLOWED))
    def listed_vary() -> Response:
        return Response({"ok": True}, {"Vary": "Accept-Language"})

    @app.route("/listed-vary-list", cors=CORSConfig(allow_origin=ALLOWED))
    def listed_vary_list() -> Response:
        return Response({"ok": True}, {"Vary": ["Accept-Language", "Cookie"]})

    return app


@pytest.fixture
def client(fmt: str) -> Client:
    return Client(make_app(), event_format=fmt)


# -- cors=True ------------------------------------------------------------------------------

def test_cors_true_adds_default_headers(client: Client) -> None:
    response = client.http.get("/open", headers={"Origin": "https://anything.example"})
    assert response.status_code == 200
    assert response.json_body == {"open": True}
    assert response.headers[ACAO] == "*"
    assert split_list(response.headers["Access-Control-Allow-Headers"]) >= {
        "Authorization", "Content-Type", "X-Amz-Date", "X-Amz-Security-Token", "X-Api-Key"}
    # No credentials with a wildcard origin.
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_route_without_cors_has_no_cors_headers(client: Client) -> None:
    response = client.http.get("/closed", headers={"Origin": "https://anything.example"})
    assert response.status_code == 200
    assert not any(name.startswith("access-control-") for name in response.headers)


def test_cors_headers_sent_once(client: Client) -> None:
    response = client.http.get("/open")
    assert response.headers.getlist(ACAO) == ["*"]
    assert len(response.headers.getlist("Access-Control-Allow-Headers")) == 1


# -- CORSConfig -----------------------------------------------------------------------------

def test_cors_config_values_are_sent(client: Client) -> None:
    response = client.http.get("/configured", headers={"Origin": "https://app.example.com"})
    assert response.status_code == 200
    headers = response.headers
    assert headers[ACAO] == "https://app.example.com"
    assert split_list(headers["Access-Control-Allow-Headers"]) >= {"X-Custom-Header", "X-Other",
                                                                   "Authorization"}
    assert split_list(headers["Access-Control-Expose-Headers"]) == {"X-Request-Id",
                                                                    "X-Total-Count"}
    assert headers["Access-Control-Max-Age"] == "600"
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert headers["X-Request-Id"] == "r-1"


def test_wildcard_origin_with_credentials_is_refused() -> None:
    with pytest.raises(ValueError, match="allow_credentials"):
        CORSConfig(allow_origin="*", allow_credentials=True)


def test_wildcard_origin_without_credentials_is_fine() -> None:
    config = CORSConfig(allow_origin="*", allow_credentials=False)
    assert config.get_access_control_headers("https://x.example")[ACAO] == "*"


@pytest.mark.parametrize("bad", [[], ["*"], [""], ""], ids=["empty-list", "star-in-list",
                                                          "blank-in-list", "blank"])
def test_bad_allow_origin_is_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match="allow_origin"):
        CORSConfig(allow_origin=bad)


def test_negative_max_age_is_refused() -> None:
    with pytest.raises(ValueError, match="max_age"):
        CORSConfig(max_age=-1)


# -- allow-lists ----------------------------------------------------------------------------

@pytest.mark.parametrize("origin", ALLOWED)
def test_allow_listed_origin_is_echoed_with_vary(client: Client, origin: str) -> None:
    response = client.http.get("/listed", headers={"Origin": origin})
    assert response.status_code == 200
    assert response.headers[ACAO] == origin
    assert "Origin" in vary_values(response)
    assert response.headers["Access-Control-Max-Age"] == "60"


@pytest.mark.parametrize("origin", ["https://evil.example", "https://app.example.com.evil.io",
                                    "http://app.example.com", "null"])
def test_origin_not_on_the_list_gets_no_allow_origin(client: Client, origin: str) -> None:
    response = client.http.get("/listed", headers={"Origin": origin})
    assert response.status_code == 200
    assert response.json_body == {"listed": True}
    assert ACAO not in response.headers
    assert "Access-Control-Allow-Credentials" not in response.headers
    # Caches must still key on Origin, or an allowed origin's answer could be served here.
    assert "Origin" in vary_values(response)


def test_allow_list_without_origin_header_gets_no_allow_origin(client: Client) -> None:
    response = client.http.get("/listed")
    assert response.status_code == 200
    assert ACAO not in response.headers


def test_vary_from_the_view_is_kept_alongside_origin(client: Client) -> None:
    response = client.http.get("/listed-vary", headers={"Origin": ALLOWED[0]})
    assert response.headers[ACAO] == ALLOWED[0]
    assert vary_values(response) == {"Accept-Language", "Origin"}


def test_list_valued_vary_from_the_view_is_kept_alongside_origin(client: Client) -> None:
    response = client.http.get("/listed-vary-list", headers={"Origin": ALLOWED[0]})
    assert response.status_code == 200
    assert response.headers[ACAO] == ALLOWED[0]
    assert vary_values(response) == {"Accept-Language", "Cookie", "Origin"}


# -- app.api.cors default, cors=False opt-out ----------------------------------------------

def make_default_cors_app(default: bool | CORSConfig) -> App:
    app = App("api-cors")

    @app.route("/inherits", methods=["GET", "POST"])
    def inherits() -> dict[str, bool]:
        return {"inherits": True}

    @app.route("/opted-out", cors=False)
    def opted_out() -> dict[str, bool]:
        return {"opted_out": True}

    # Set after the routes: the default applies to routes already registered too.
    app.api.cors = default
    return app


def test_api_cors_true_is_the_default_for_routes_without_cors(fmt: str) -> None:
    client = Client(make_default_cors_app(True), event_format=fmt)
    response = client.http.get("/inherits", headers={"Origin": "https://x.example"})
    assert response.status_code == 200
    assert response.headers[ACAO] == "*"


def test_api_cors_config_is_the_default_for_routes_without_cors(fmt: str) -> None:
    config = CORSConfig(allow_origin=ALLOWED, max_age=5)
    client = Client(make_default_cors_app(config), event_format=fmt)
    response = client.http.get("/inherits", headers={"Origin": ALLOWED[1]})
    assert response.headers[ACAO] == ALLOWED[1]
    assert response.headers["Access-Control-Max-Age"] == "5"
    response = client.http.get("/inherits", headers={"Origin": "https://nope.example"})
    assert ACAO not in response.headers


def test_cors_false_opts_out_of_the_api_default(fmt: str) -> None:
    client = Client(make_default_cors_app(True), event_format=fmt)
    response = client.http.get("/opted-out", headers={"Origin": "https://x.example"})
    assert response.status_code == 200
    assert ACAO not in response.headers
    preflight = client.http.options("/opted-out", headers={
        "Origin": "https://x.example", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 405
    assert ACAO not in preflight.headers


def test_api_cors_default_preflight(fmt: str) -> None:
    client = Client(make_default_cors_app(True), event_format=fmt)
    response = client.http.options("/inherits", headers={
        "Origin": "https://x.example", "Access-Control-Request-Method": "POST"})
    assert response.status_code == 200
    # GET views also answer HEAD, so HEAD is allowed wherever GET is.
    assert split_list(response.headers["Access-Control-Allow-Methods"]) == {
        "GET", "HEAD", "POST", "OPTIONS"}


def test_api_cors_off_by_default(fmt: str) -> None:
    client = Client(make_default_cors_app(False), event_format=fmt)
    response = client.http.get("/inherits", headers={"Origin": "https://x.example"})
    assert ACAO not in response.headers


# -- preflight ------------------------------------------------------------------------------

def test_preflight_is_answered_without_a_user_view(client: Client) -> None:
    response = client.http.options("/items", headers={
        "Origin": "https://x.example", "Access-Control-Request-Method": "DELETE",
        "Access-Control-Request-Headers": "Content-Type"})
    assert response.status_code == 200
    assert response.headers[ACAO] == "*"
    # Every method of the path (from both views), HEAD (served by GET) and OPTIONS.
    assert split_list(response.headers["Access-Control-Allow-Methods"]) == {
        "GET", "HEAD", "POST", "DELETE", "OPTIONS"}
    assert "Content-Type" in split_list(response.headers["Access-Control-Allow-Headers"])


def test_preflight_with_cors_config(client: Client) -> None:
    response = client.http.options("/configured", headers={
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "X-Custom-Header"})
    assert response.status_code == 200
    headers = response.headers
    assert headers[ACAO] == "https://app.example.com"
    assert split_list(headers["Access-Control-Allow-Methods"]) == {
        "GET", "HEAD", "PUT", "OPTIONS"}
    assert "X-Custom-Header" in split_list(headers["Access-Control-Allow-Headers"])
    assert headers["Access-Control-Max-Age"] == "600"
    assert headers["Access-Control-Allow-Credentials"] == "true"


def test_preflight_from_allow_listed_origin(client: Client) -> None:
    response = client.http.options("/listed", headers={
        "Origin": ALLOWED[2], "Access-Control-Request-Method": "POST"})
    assert response.status_code == 200
    assert response.headers[ACAO] == ALLOWED[2]
    # GET views also answer HEAD, so HEAD is allowed wherever GET is.
    assert split_list(response.headers["Access-Control-Allow-Methods"]) == {
        "GET", "HEAD", "POST", "OPTIONS"}
    assert response.headers["Access-Control-Max-Age"] == "60"
    assert "Origin" in vary_values(response)


def test_preflight_from_origin_not_on_the_list_is_not_allowed(client: Client) -> None:
    response = client.http.options("/listed", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert ACAO not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


def test_options_on_a_route_without_cors_is_405(client: Client) -> None:
    response = client.http.options("/closed", headers={
        "Origin": "https://x.example", "Access-Control-Request-Method": "GET"})
    assert response.status_code == 405
    assert ACAO not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


def test_user_options_view_wins_over_the_runtime_preflight(fmt: str) -> None:
    app = App("own-options")

    @app.route("/x", methods=["GET", "OPTIONS"], cors=True)
    def x() -> Response:
        return Response({"mine": app.current_request.method}, {"X-Mine": "1"}, 200)

    response = Client(app, event_format=fmt).http.options("/x")
    assert response.json_body == {"mine": "OPTIONS"}
    assert response.headers["X-Mine"] == "1"
    assert response.headers[ACAO] == "*"


# -- CORS headers on errors -----------------------------------------------------------------

def test_cors_headers_on_a_view_error(client: Client) -> None:
    response = client.http.get("/bad", headers={"Origin": "https://x.example"})
    assert response.status_code == 400
    assert response.json_body == {"Code": "BadRequestError", "Message": "the id is wrong"}
    assert response.headers[ACAO] == "*"


def test_cors_headers_on_an_uncaught_exception(client: Client) -> None:
    response = client.http.get("/boom", headers={"Origin": "https://x.example"})
    assert response.status_code == 500
    assert response.json_body["Code"] == "InternalServerError"
    assert "secret internals" not in response.body.decode()
    assert response.headers[ACAO] == "*"


def test_cors_headers_on_a_500_from_an_unserialisable_return_value(client: Client) -> None:
    response = client.http.get("/unserialisable", headers={"Origin": "https://x.example"})
    assert response.status_code == 500
    assert response.json_body["Code"] == "InternalServerError"
    assert response.headers.get(ACAO) == "*"


def test_cors_headers_on_405_for_a_cors_path(client: Client) -> None:
    response = client.http.patch("/items", headers={"Origin": "https://x.example"})
    assert response.status_code == 405
    assert response.json_body["Code"] == "MethodNotAllowedError"
    assert response.headers[ACAO] == "*"
    assert split_list(response.headers["Allow"]) >= {"GET", "POST", "DELETE"}


def test_cors_headers_on_415_for_a_cors_path(client: Client) -> None:
    response = client.http.post("/items", body="a=1", headers={
        "Origin": "https://x.example", "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
    assert response.headers[ACAO] == "*"


def test_cors_allow_list_on_error_responses(client: Client) -> None:
    response = client.http.delete("/listed", headers={"Origin": ALLOWED[0]})
    assert response.status_code == 405
    assert response.headers[ACAO] == ALLOWED[0]
    response = client.http.delete("/listed", headers={"Origin": "https://evil.example"})
    assert response.status_code == 405
    assert ACAO not in response.headers


def test_cors_does_not_leak_onto_404(client: Client) -> None:
    response = client.http.get("/no/such/path", headers={"Origin": "https://x.example"})
    assert response.status_code == 404
    assert ACAO not in response.headers


def test_mixed_cors_settings_on_one_path_are_refused() -> None:
    from myframework import RegistrationError

    app = App("mixed")

    @app.route("/p", methods=["GET"], cors=True)
    def get_p() -> None:
        return None

    with pytest.raises(RegistrationError, match="CORS"):
        @app.route("/p", methods=["POST"])
        def post_p() -> None:
            return None
