"""Built-in authorizers (``@app.authorizer()``): the policy they return, how the
dev server's gateway enforces it, and registration errors."""
from __future__ import annotations

import json
from typing import Any

import pytest

from myframework import App, AuthRequest, AuthResponse, AuthRoute, RegistrationError
from myframework.local.gateway import LocalGateway
from myframework.local.httpserver import HTTPRequest
from myframework.runtime.authorizers import AuthorizerSpec, BuiltinAuthorizer, policy_allows
from myframework.runtime.dispatch import run_bound

ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/api/GET/pets/1"


def make_app() -> App:
    app = App("authdemo")

    @app.authorizer(ttl_seconds=60, header="X-Token")
    def token_auth(request: AuthRequest) -> Any:
        if request.token == "allow-all":
            return AuthResponse(routes=["*"], principal_id="root")
        if request.token == "pets":
            return AuthResponse(routes=["/pets/*"], principal_id="alice",
                                context={"tier": "gold"})
        if request.token == "get-only":
            return AuthResponse(routes=[AuthRoute("/pets/*", ["GET"])], principal_id="bob")
        if request.token == "deny":
            return {"principalId": "eve", "policyDocument": {"Version": "2012-10-17",
                    "Statement": [{"Action": "execute-api:Invoke", "Effect": "Deny",
                                   "Resource": "*"},
                                  {"Action": "execute-api:*", "Effect": "Allow",
                                   "Resource": "*"}]}}
        if request.token == "boom":
            raise RuntimeError("database down")
        if request.token == "bad-shape":
            return ["not", "a", "policy"]
        raise Exception("Unauthorized")

    @app.route("/pets/{pet_id}", methods=["GET", "DELETE"], authorizer=token_auth)
    def pet(pet_id: str) -> Any:
        return {"id": pet_id, "auth": app.current_request.context.get("authorizer")}

    @app.route("/open")
    def open_view() -> Any:
        return {"open": True}

    return app


def call(gateway: LocalGateway, method: str, path: str, token: str | None = None
         ) -> tuple[int, Any]:
    headers = [("Host", "127.0.0.1:8000")]
    if token is not None:
        headers.append(("X-Token", token))
    reply = gateway(HTTPRequest(method, path, "HTTP/1.1", headers, b"", "127.0.0.1"))
    return reply.status, json.loads(reply.body) if reply.body else None


def test_auth_response_policy_lists_each_route_and_method() -> None:
    request = AuthRequest("TOKEN", "t", ARN)
    result = AuthResponse(routes=["/pets/*", AuthRoute("/users", ["GET", "POST"]), "*"],
                          principal_id="alice", context={"k": "v"}).to_dict(request)
    assert result["principalId"] == "alice"
    assert result["context"] == {"k": "v"}
    statement = result["policyDocument"]["Statement"][0]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "execute-api:Invoke"
    base = "arn:aws:execute-api:us-east-1:123456789012:abc123/api"
    assert statement["Resource"] == [base + "/*/pets/*", base + "/GET/users",
                                     base + "/POST/users", base + "/*/*"]


@pytest.mark.parametrize(("resource", "effect", "expected"), [
    (ARN, "Allow", True),
    ("arn:aws:execute-api:us-east-1:123456789012:abc123/api/*/pets/*", "Allow", True),
    ("arn:aws:execute-api:us-east-1:123456789012:abc123/api/POST/pets/*", "Allow", None),
    ("arn:aws:execute-api:us-east-1:123456789012:abc123/api/GET/pets/?", "Allow", True),
    ("arn:aws:execute-api:us-east-1:123456789012:abc123/api/GET/pets", "Allow", None),
    ("*", "Deny", False),
    ("arn:aws:execute-api:*", "Allow", True),
])
def test_policy_allows_uses_iam_wildcards(resource: str, effect: str,
                                          expected: bool | None) -> None:
    result = {"principalId": "p", "policyDocument": {"Statement": [
        {"Action": "execute-api:Invoke", "Effect": effect, "Resource": [resource]}]}}
    assert policy_allows(result, ARN) is expected


def test_policy_ignores_statements_for_other_actions() -> None:
    result = {"principalId": "p", "policyDocument": {"Statement": {
        "Action": "s3:GetObject", "Effect": "Allow", "Resource": "*"}}}
    assert policy_allows(result, ARN) is None


def test_policy_allows_rejects_a_result_without_a_policy() -> None:
    with pytest.raises(ValueError, match="AuthResponse"):
        policy_allows({"principalId": "p"}, ARN)


def test_authorizer_is_registered_as_its_own_function_and_runs_on_a_token_event() -> None:
    app = make_app()
    spec = app._handlers["token_auth"]
    assert isinstance(spec, AuthorizerSpec)
    assert spec.authorizer.header == "X-Token"
    assert spec.authorizer.ttl_seconds == 60
    route = app.routes["/pets/{pet_id}"]["GET"]
    assert isinstance(route.authorizer, BuiltinAuthorizer)
    event = {"type": "TOKEN", "authorizationToken": "pets", "methodArn": ARN}
    result = run_bound(app, "token_auth", event, None)
    assert result["principalId"] == "alice"
    assert policy_allows(result, ARN) is True


def test_request_authorizer_event_reads_the_token_from_the_header() -> None:
    app = make_app()
    event = {"type": "REQUEST", "methodArn": ARN, "headers": {"x-token": "get-only"}}
    assert run_bound(app, "token_auth", event, None)["principalId"] == "bob"


@pytest.mark.parametrize(("method", "token", "status"), [
    ("GET", None, 401),           # no token: API Gateway answers before calling anything
    ("GET", "", 401),
    ("GET", "wrong", 401),        # the function raised Exception("Unauthorized")
    ("GET", "allow-all", 200),
    ("GET", "pets", 200),
    ("DELETE", "pets", 200),
    ("GET", "get-only", 200),
    ("DELETE", "get-only", 403),  # allowed routes do not include this method
    ("GET", "deny", 403),         # an explicit Deny wins over an Allow
    ("GET", "boom", 500),
    ("GET", "bad-shape", 500),
])
def test_gateway_enforces_the_returned_policy(method: str, token: str | None,
                                              status: int) -> None:
    gateway = LocalGateway(make_app(), "rest")
    got, body = call(gateway, method, "/pets/7", token)
    assert got == status, body
    if status == 403:
        assert "not authorized" in body["Message"]


def test_authorizer_context_and_principal_reach_the_view() -> None:
    status, body = call(LocalGateway(make_app(), "rest"), "GET", "/pets/7", "pets")
    assert status == 200
    assert body == {"id": "7", "auth": {"tier": "gold", "principalId": "alice"}}


def test_http_api_puts_the_context_under_lambda() -> None:
    status, body = call(LocalGateway(make_app(), "http-api"), "GET", "/pets/7", "pets")
    assert status == 200
    assert body["auth"] == {"lambda": {"tier": "gold", "principalId": "alice"}}


def test_routes_without_authorizer_are_not_checked() -> None:
    assert call(LocalGateway(make_app(), "rest"), "GET", "/open") == (200, {"open": True})


@pytest.mark.parametrize("event_format", ["alb", "function-url"])
def test_services_without_api_gateway_authorizers_let_requests_through(
        event_format: str, caplog: pytest.LogCaptureFixture) -> None:
    gateway = LocalGateway(make_app(), event_format)
    with caplog.at_level("WARNING", logger="myframework.local"):
        assert call(gateway, "GET", "/pets/7")[0] == 200
        assert call(gateway, "GET", "/pets/8")[0] == 200
    warnings = [r for r in caplog.records if "not checked" in r.getMessage()]
    assert len(warnings) == 1


def test_registration_errors_name_the_function() -> None:
    app = App("x")

    def auth(request: AuthRequest) -> None:
        return None

    with pytest.raises(RegistrationError, match=r"@authorizer on .*auth: ttl_seconds"):
        app.authorizer(ttl_seconds=-1)(auth)
    with pytest.raises(RegistrationError, match="header"):
        app.authorizer(header="")(auth)
    with pytest.raises(RegistrationError, match="parentheses"):
        @app.authorizer  # type: ignore[arg-type]
        def bare(request: AuthRequest) -> None:
            return None
    with pytest.raises(RegistrationError, match="unknown argument"):
        app.authorizer(memory=256)(auth)


def test_chalice_names_are_importable() -> None:
    from myframework import ChaliceAuthorizer
    assert ChaliceAuthorizer is BuiltinAuthorizer
