"""The OpenAPI 3 document API Gateway imports for an app's REST API
(myframework.deploy.openapi): shapes, CORS preflights that answer what the
runtime answers, authorizers, API keys, binary types and WSGI mounts."""
from __future__ import annotations

import copy
import importlib
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from myframework import (
    App,
    AuthRequest,
    AuthResponse,
    Blueprint,
    CognitoUserPoolAuthorizer,
    CORSConfig,
    CustomAuthorizer,
    IAMAuthorizer,
    Response,
)
from myframework.deploy.openapi import ANY_METHOD, INTEGRATION, openapi_document
from myframework.testing import Client

REGION = "us-east-1"
ACCOUNT = "123456789012"


def lambda_uri(function: str) -> str:
    return ("arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/arn:aws:lambda:%s:%s:"
            "function:%s/invocations" % (REGION, REGION, ACCOUNT, function))


API_URI = lambda_uri("petstore-dev")
AUTH_URI = lambda_uri("petstore-dev-token_auth")
CFN_URI = {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                      "${ApiHandler.Arn}/invocations"}
POOL_ARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEfGhI"
PROXY = {"type": "aws_proxy", "httpMethod": "POST", "uri": API_URI,
         "passthroughBehavior": "when_no_match", "contentHandling": "CONVERT_TO_TEXT"}
HTTP_KEYS = {"get", "head", "post", "put", "patch", "delete", "options", ANY_METHOD}


def param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


# -- the apps --------------------------------------------------------------------------

def petstore() -> App:
    app = App("petstore")

    @app.route("/pets", methods=["GET"])
    def list_pets() -> Any:
        return []

    @app.route("/pets", methods=["POST"], content_types=["application/json", "text/csv"])
    def create_pet() -> Any:
        return Response({}, status_code=201)

    @app.route("/pets/{pet_id}", methods=["GET", "PUT"])
    def pet(pet_id: str) -> Any:
        return {"id": pet_id}

    @app.route("/pets/{pet_id}", methods=["DELETE"])
    def delete_pet(pet_id: str) -> Any:
        return Response(None, status_code=204)

    @app.route("/owners/{owner_id}/pets/{pet_id}")
    def owner_pet(owner_id: str, pet_id: str) -> Any:
        return {}

    @app.route("/static/{proxy+}")
    def static(proxy: str) -> Any:
        return {"file": proxy}

    @app.route("/upload", methods=["PUT"], content_types=["application/octet-stream"])
    def upload() -> Any:
        return {}

    return app


def secured() -> App:
    app = App("secured")

    @app.authorizer(name="token_auth")
    def token_auth(request: AuthRequest) -> AuthResponse:
        return AuthResponse(routes=["*"], principal_id="user")

    @app.authorizer(name="short_auth", ttl_seconds=60, header="X-Token",
                    execution_role="arn:aws:iam::123456789012:role/apigw-invoke")
    def short_auth(request: AuthRequest) -> AuthResponse:
        return AuthResponse(routes=["*"], principal_id="user")

    pool = CognitoUserPoolAuthorizer("pool", provider_arns=[POOL_ARN], header="X-Id-Token")
    custom = CustomAuthorizer("external", authorizer_uri=lambda_uri("shared-auth"),
                              ttl_seconds=0, header="X-Ext",
                              invoke_role_arn="arn:aws:iam::123456789012:role/invoke")

    @app.route("/builtin", authorizer=token_auth)
    def builtin() -> Any:
        return {}

    @app.route("/short", methods=["POST"], authorizer=short_auth)
    def short() -> Any:
        return {}

    @app.route("/iam", methods=["GET", "DELETE"], authorizer=IAMAuthorizer())
    def iam() -> Any:
        return {}

    @app.route("/cognito", authorizer=pool.with_scopes(["pets/read"]))
    def cognito_read() -> Any:
        return {}

    @app.route("/cognito", methods=["POST"], authorizer=pool.with_scopes(["pets/write"]))
    def cognito_write() -> Any:
        return {}

    @app.route("/custom", authorizer=custom)
    def custom_view() -> Any:
        return {}

    @app.route("/keyed", api_key_required=True)
    def keyed() -> Any:
        return {}

    @app.route("/both", authorizer=IAMAuthorizer(), api_key_required=True)
    def both() -> Any:
        return {}

    @app.route("/open")
    def open_view() -> Any:
        return {}

    return app


def secured_doc(app: App | None = None, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("authorizer_uris", {"token_auth": AUTH_URI,
                                          "short_auth": lambda_uri("short")})
    return openapi_document(app or secured(), API_URI, **kwargs)


def flask_app() -> Flask:
    site = Flask("legacy_site")

    @site.get("/")
    def index() -> str:
        return "<h1>legacy</h1>"

    return site


def mounted_at_root() -> App:
    app = App("site")
    app.mount_wsgi(flask_app())

    @app.route("/health")
    def health() -> Any:
        return {"ok": True}

    @app.route("/api/pets/{pet_id}", methods=["GET"])
    def pet(pet_id: str) -> Any:
        return {"id": pet_id}

    return app


def mounted_at_legacy() -> App:
    app = App("site")
    app.mount_wsgi(flask_app(), "/legacy")

    @app.route("/health")
    def health() -> Any:
        return {"ok": True}

    @app.route("/legacy/status")
    def status() -> Any:
        return {"ok": True}

    return app


def with_blueprints() -> App:
    app = App("bp")
    v1 = Blueprint("v1")

    @v1.route("/")
    def index() -> Any:
        return {}

    @v1.route("/items/{item_id}", methods=["GET", "PATCH"], cors=True)
    def item(item_id: str) -> Any:
        return {}

    app.register_blueprint(v1, url_prefix="/v1")
    app.register_blueprint(v1, url_prefix="/v2", name_prefix="v2_")
    return app


ALLOW_LIST = CORSConfig(allow_origin=["https://app.example.com", "https://admin.example.com"],
                        max_age=600, allow_credentials=True)


def cors_app(api_cors: bool | CORSConfig) -> App:
    app = App("corsy")
    app.api.cors = api_cors

    @app.route("/pets", methods=["GET", "POST"])
    def pets() -> Any:
        return []

    @app.route("/pets/{pet_id}", methods=["PUT", "DELETE"], authorizer=IAMAuthorizer(),
               api_key_required=True)
    def pet(pet_id: str) -> Any:
        return {}

    @app.route("/private", cors=False)
    def private() -> Any:
        return {}

    return app


# -- validity ----------------------------------------------------------------------------

def check_structure(doc: dict[str, Any]) -> None:
    """What API Gateway's import needs, checked without any validator."""
    assert doc["openapi"] == "3.0.1"
    info = doc["info"]
    assert info["version"] == "1.0"
    assert isinstance(info["title"], str)
    assert info["title"]
    assert isinstance(info["description"], str)
    assert info["description"].strip()
    schemes = doc.get("components", {}).get("securitySchemes", {})
    for path, item in doc["paths"].items():
        assert path == "/" or re.fullmatch(r"(/[^/{}]+|/\{[A-Za-z_]\w*\+?\})+", path), path
        assert item, path
        assert set(item) <= HTTP_KEYS, (path, sorted(item))
        names = re.findall(r"\{(\w+)\+?\}", path)
        for key, op in item.items():
            declared = [p["name"] for p in op.get("parameters", [])]
            assert declared == names, (path, key, declared)
            assert all(p["in"] == "path" and p["required"] is True
                       and p["schema"] == {"type": "string"} for p in op.get("parameters", []))
            assert "200" in op["responses"]
            assert all(r["description"] for r in op["responses"].values())
            integration = op[INTEGRATION]
            assert integration["type"] in ("aws_proxy", "mock")
            if integration["type"] == "aws_proxy":
                assert integration["httpMethod"] == "POST"
            for requirement in op.get("security", []):
                assert set(requirement) <= set(schemes)
    json.dumps(doc)  # plain JSON values only


def as_strict_openapi(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with greedy parameters named ``proxy+`` instead of ``proxy``.

    API Gateway names the parameter of ``{proxy+}`` ``proxy`` (its own exports
    do, and the request parameter is ``method.request.path.proxy``); the
    OpenAPI validator takes the whole ``proxy+`` between the braces as the
    name. Only the validator gets this copy.
    """
    strict = copy.deepcopy(doc)
    for path, item in strict["paths"].items():
        for greedy in re.findall(r"\{(\w+)\+\}", path):
            for op in item.values():
                for parameter in op.get("parameters", []):
                    if parameter["name"] == greedy:
                        parameter["name"] = greedy + "+"
    return strict


def check_valid(doc: dict[str, Any]) -> None:
    check_structure(doc)
    try:
        validator = importlib.import_module("openapi_spec_validator")
    except ImportError:  # not a dependency: the structural checks above stand alone
        return
    validator.validate(as_strict_openapi(doc))


DOCS: dict[str, Callable[[], dict[str, Any]]] = {
    "petstore": lambda: openapi_document(petstore(), API_URI),
    "secured": secured_doc,
    "mounted-at-root": lambda: openapi_document(mounted_at_root(), API_URI),
    "mounted-at-legacy": lambda: openapi_document(mounted_at_legacy(), API_URI),
    "blueprints": lambda: openapi_document(with_blueprints(), CFN_URI),
    "cors-everywhere": lambda: openapi_document(cors_app(CORSConfig(max_age=600)), API_URI),
    "allow-list": lambda: openapi_document(cors_app(ALLOW_LIST), API_URI),
}


@pytest.mark.parametrize("name", sorted(DOCS))
def test_every_document_is_valid_openapi_3(name: str) -> None:
    check_valid(DOCS[name]())


@pytest.mark.parametrize("name", sorted(DOCS))
def test_the_same_app_gives_the_same_bytes(name: str) -> None:
    first, second = DOCS[name](), DOCS[name]()
    assert json.dumps(first, sort_keys=False) == json.dumps(second, sort_keys=False)
    assert list(first["paths"]) == sorted(first["paths"])
    for item in first["paths"].values():
        assert list(item) == sorted(item)


def test_the_validator_catches_a_broken_document() -> None:
    doc = openapi_document(petstore(), API_URI)
    del doc["paths"]["/pets/{pet_id}"]["get"]["parameters"]
    with pytest.raises(AssertionError):
        check_structure(doc)
    pytest.importorskip("openapi_spec_validator")
    with pytest.raises(Exception, match="pet_id"):
        check_valid(dict(doc, paths={"/pets/{pet_id}": doc["paths"]["/pets/{pet_id}"]}))


# -- routes ------------------------------------------------------------------------------

def test_info_and_top_level_keys() -> None:
    doc = openapi_document(petstore(), API_URI)
    assert list(doc) == ["openapi", "info", "paths", "x-amazon-apigateway-binary-media-types"]
    assert doc["info"]["title"] == "petstore"
    assert "petstore" in doc["info"]["description"]
    doc = openapi_document(petstore(), API_URI, title="Pets", description="All the pets")
    assert doc["info"] == {"title": "Pets", "description": "All the pets", "version": "1.0"}


@pytest.mark.parametrize("bad", ["", "   "])
def test_an_empty_description_or_title_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="description must be a non-empty string"):
        openapi_document(petstore(), API_URI, description=bad)
    with pytest.raises(ValueError, match="title must be a non-empty string"):
        openapi_document(petstore(), API_URI, title=bad)


def test_one_path_item_per_route_path_and_one_operation_per_method() -> None:
    paths = openapi_document(petstore(), API_URI)["paths"]
    assert list(paths) == ["/owners/{owner_id}/pets/{pet_id}", "/pets", "/pets/{pet_id}",
                           "/static/{proxy+}", "/upload"]
    assert list(paths["/pets"]) == ["get", "head", "post"]
    assert list(paths["/pets/{pet_id}"]) == ["delete", "get", "head", "put"]
    assert list(paths["/upload"]) == ["put"]  # no GET, so no HEAD either


def test_every_operation_is_a_lambda_proxy_integration_of_the_api_function() -> None:
    paths = openapi_document(petstore(), API_URI)["paths"]
    for item in paths.values():
        for op in item.values():
            assert op[INTEGRATION] == PROXY
            assert op["responses"] == {"200": {"description": "200 response"}}
            assert "security" not in op


def test_path_parameters_of_each_operation() -> None:
    paths = openapi_document(petstore(), API_URI)["paths"]
    for key in ("get", "head", "put", "delete"):
        assert paths["/pets/{pet_id}"][key]["parameters"] == [param("pet_id")]
    assert paths["/owners/{owner_id}/pets/{pet_id}"]["get"]["parameters"] == [
        param("owner_id"), param("pet_id")]
    # The greedy parameter is named as API Gateway names it, without the "+".
    assert paths["/static/{proxy+}"]["get"]["parameters"] == [param("proxy")]
    assert "parameters" not in paths["/pets"]["get"]


def test_request_content_types_of_methods_with_a_body() -> None:
    paths = openapi_document(petstore(), API_URI)["paths"]
    assert paths["/pets"]["post"]["requestBody"] == {
        "content": {"application/json": {}, "text/csv": {}}}
    assert paths["/upload"]["put"]["requestBody"] == {
        "content": {"application/octet-stream": {}}}
    assert paths["/pets/{pet_id}"]["put"]["requestBody"] == {
        "content": {"application/json": {}}}
    assert "requestBody" not in paths["/pets"]["get"]
    assert "requestBody" not in paths["/pets"]["head"]


def test_head_is_the_get_operation_as_the_runtime_serves_it() -> None:
    app = petstore()
    paths = openapi_document(app, API_URI)["paths"]
    assert paths["/pets/{pet_id}"]["head"] == paths["/pets/{pet_id}"]["get"]
    response = Client(app).http.head("/pets/7")  # what that HEAD method reaches
    assert response.status_code == 200
    assert response.body == b""


def test_a_head_route_of_its_own_is_kept() -> None:
    app = App("heads")

    @app.route("/doc", methods=["GET"], api_key_required=True)
    def get_doc() -> Any:
        return {}

    @app.route("/doc", methods=["HEAD"])
    def head_doc() -> Any:
        return Response(None)

    item = openapi_document(app, API_URI)["paths"]["/doc"]
    assert item["get"]["security"] == [{"api_key": []}]
    assert "security" not in item["head"]


def test_a_cloudformation_intrinsic_uri_is_passed_through() -> None:
    doc = openapi_document(petstore(), CFN_URI)
    ops = [op for item in doc["paths"].values() for op in item.values()]
    assert len(ops) > 1
    assert all(op[INTEGRATION]["uri"] == CFN_URI for op in ops)
    ops[0][INTEGRATION]["uri"]["Fn::Sub"] = "changed"  # every operation has its own copy
    assert ops[1][INTEGRATION]["uri"] == CFN_URI
    assert CFN_URI["Fn::Sub"].startswith("arn:aws:apigateway:")


@pytest.mark.parametrize("bad", ["", {}])
def test_an_empty_integration_uri_is_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match="integration_uri is empty"):
        openapi_document(petstore(), bad)


def test_an_integration_uri_of_another_type_is_refused() -> None:
    with pytest.raises(TypeError, match="integration_uri must be"):
        openapi_document(petstore(), ["arn:aws:apigateway"])  # type: ignore[arg-type]


def test_blueprint_routes_appear_under_their_url_prefix() -> None:
    doc = openapi_document(with_blueprints(), CFN_URI)
    assert list(doc["paths"]) == ["/v1", "/v1/items/{item_id}", "/v2", "/v2/items/{item_id}"]
    item = doc["paths"]["/v2/items/{item_id}"]
    assert list(item) == ["get", "head", "options", "patch"]
    assert item["patch"]["parameters"] == [param("item_id")]
    assert item["patch"][INTEGRATION]["uri"] == CFN_URI
    assert item["options"][INTEGRATION]["type"] == "mock"


# -- CORS ----------------------------------------------------------------------------------

def mock_headers(op: dict[str, Any]) -> dict[str, str]:
    """The headers a mock ``options`` operation answers with."""
    integration = op[INTEGRATION]
    assert integration["type"] == "mock"
    assert integration["requestTemplates"] == {"application/json": '{"statusCode": 200}'}
    default = integration["responses"]["default"]
    assert default["statusCode"] == "200"
    headers = {}
    for key, value in default["responseParameters"].items():
        assert key.startswith("method.response.header.")
        assert value.startswith("'")
        assert value.endswith("'")
        headers[key[len("method.response.header."):]] = value[1:-1]
    declared = op["responses"]["200"]["headers"]
    assert declared == {name: {"schema": {"type": "string"}} for name in headers}
    return headers


def test_cors_true_gives_a_mock_preflight_with_the_default_headers() -> None:
    app = App("corsy")

    @app.route("/pets", methods=["GET", "POST"], cors=True)
    def pets() -> Any:
        return []

    op = openapi_document(app, API_URI)["paths"]["/pets"]["options"]
    assert "security" not in op
    assert "parameters" not in op
    assert mock_headers(op) == {
        "Allow": "GET, HEAD, OPTIONS, POST",
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Headers": ("Authorization,Content-Type,X-Amz-Date,"
                                         "X-Amz-Security-Token,X-Api-Key"),
        "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS, POST",
    }


def test_app_wide_cors_covers_every_path_but_the_opted_out_one() -> None:
    cors = CORSConfig(allow_origin="https://app.example.com", allow_headers=["X-Request-Id"],
                      expose_headers=["X-Request-Id", "ETag"], max_age=600,
                      allow_credentials=True)
    paths = openapi_document(cors_app(cors), API_URI)["paths"]
    assert "options" not in paths["/private"]
    op = paths["/pets/{pet_id}"]["options"]
    assert op["parameters"] == [param("pet_id")]
    assert "security" not in op  # preflights carry no credentials
    assert paths["/pets/{pet_id}"]["put"]["security"] == [{"sigv4": [], "api_key": []}]
    assert mock_headers(op) == {
        "Allow": "DELETE, OPTIONS, PUT",
        "Access-Control-Allow-Origin": "https://app.example.com",
        "Access-Control-Allow-Headers": ("Authorization,Content-Type,X-Amz-Date,"
                                         "X-Amz-Security-Token,X-Api-Key,X-Request-Id"),
        "Access-Control-Expose-Headers": "X-Request-Id,ETag",
        "Access-Control-Max-Age": "600",
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": "DELETE, OPTIONS, PUT",
    }


@pytest.mark.parametrize("cors", [
    True,
    CORSConfig(),
    CORSConfig(allow_origin="https://app.example.com", max_age=0),
    CORSConfig(allow_origin="https://app.example.com", allow_headers=["X-Trace"],
               expose_headers=["X-Trace"], max_age=86400, allow_credentials=True),
])
def test_the_mock_answers_the_preflight_as_the_runtime_does(cors: bool | CORSConfig) -> None:
    app = cors_app(cors)
    paths = openapi_document(app, API_URI)["paths"]
    client = Client(app)
    for path, concrete in (("/pets", "/pets"), ("/pets/{pet_id}", "/pets/9")):
        mocked = mock_headers(paths[path]["options"])
        runtime = client.http.options(concrete, headers={
            "Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"})
        assert runtime.status_code == 200
        cors_names = {name for name in runtime.headers
                      if name.lower().startswith("access-control-") or name.lower() == "allow"}
        assert {name.lower() for name in mocked} == {name.lower() for name in cors_names}
        for name, value in mocked.items():
            assert runtime.headers.get(name) == value, name


def test_no_cors_no_options() -> None:
    paths = openapi_document(cors_app(False), API_URI)["paths"]
    assert all("options" not in item for item in paths.values())


def test_an_origin_allow_list_sends_the_preflight_to_the_function() -> None:
    app = cors_app(ALLOW_LIST)
    paths = openapi_document(app, API_URI)["paths"]
    for path in ("/pets", "/pets/{pet_id}"):
        op = paths[path]["options"]
        assert op[INTEGRATION] == PROXY
        assert "security" not in op
        assert op["responses"] == {"200": {"description": "200 response"}}
    # Why a mock cannot do it: the answer depends on the request's Origin.
    client = Client(app)
    ok = client.http.options("/pets", headers={"Origin": "https://admin.example.com"})
    assert ok.headers.get("Access-Control-Allow-Origin") == "https://admin.example.com"
    assert ok.headers.get("Vary") == "Origin"
    other = client.http.options("/pets", headers={"Origin": "https://evil.example"})
    assert other.headers.get("Access-Control-Allow-Origin") is None


def test_an_options_route_answers_its_own_preflights() -> None:
    app = App("own")

    @app.route("/things", methods=["GET", "OPTIONS"], cors=True)
    def things() -> Any:
        return {}

    item = openapi_document(app, API_URI)["paths"]["/things"]
    assert list(item) == ["get", "head", "options"]
    assert item["options"][INTEGRATION] == PROXY


# -- authorizers and API keys ----------------------------------------------------------

def test_security_schemes_for_each_kind_of_authorizer() -> None:
    schemes = secured_doc()["components"]["securitySchemes"]
    assert list(schemes) == ["api_key", "external", "pool", "short_auth", "sigv4",
                             "token_auth"]
    assert schemes["sigv4"] == {"type": "apiKey", "name": "Authorization", "in": "header",
                                "x-amazon-apigateway-authtype": "awsSigv4"}
    assert schemes["api_key"] == {"type": "apiKey", "name": "x-api-key", "in": "header"}
    assert schemes["pool"] == {
        "type": "apiKey", "name": "X-Id-Token", "in": "header",
        "x-amazon-apigateway-authtype": "cognito_user_pools",
        "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools",
                                           "providerARNs": [POOL_ARN]}}
    assert schemes["external"] == {
        "type": "apiKey", "name": "X-Ext", "in": "header",
        "x-amazon-apigateway-authtype": "custom",
        "x-amazon-apigateway-authorizer": {
            "type": "token", "authorizerUri": lambda_uri("shared-auth"),
            "authorizerResultTtlInSeconds": 0,
            "authorizerCredentials": "arn:aws:iam::123456789012:role/invoke"}}
    assert schemes["token_auth"] == {
        "type": "apiKey", "name": "Authorization", "in": "header",
        "x-amazon-apigateway-authtype": "custom",
        "x-amazon-apigateway-authorizer": {"type": "token", "authorizerUri": AUTH_URI,
                                           "authorizerResultTtlInSeconds": 300}}
    assert schemes["short_auth"] == {
        "type": "apiKey", "name": "X-Token", "in": "header",
        "x-amazon-apigateway-authtype": "custom",
        "x-amazon-apigateway-authorizer": {
            "type": "token", "authorizerUri": lambda_uri("short"),
            "authorizerResultTtlInSeconds": 60,
            "authorizerCredentials": "arn:aws:iam::123456789012:role/apigw-invoke"}}


def test_security_of_each_operation() -> None:
    paths = secured_doc()["paths"]

    def security(path: str, key: str) -> Any:
        return paths[path][key].get("security")

    assert security("/builtin", "get") == [{"token_auth": []}]
    assert security("/builtin", "head") == [{"token_auth": []}]
    assert security("/short", "post") == [{"short_auth": []}]
    assert security("/iam", "get") == security("/iam", "delete") == [{"sigv4": []}]
    assert security("/cognito", "get") == [{"pool": ["pets/read"]}]
    assert security("/cognito", "post") == [{"pool": ["pets/write"]}]
    assert security("/custom", "get") == [{"external": []}]
    assert security("/keyed", "get") == [{"api_key": []}]
    assert security("/both", "get") == [{"sigv4": [], "api_key": []}]
    assert security("/open", "get") is None


def test_api_keys_read_from_the_header() -> None:
    assert secured_doc()["x-amazon-apigateway-api-key-source"] == "HEADER"
    assert "x-amazon-apigateway-api-key-source" not in openapi_document(petstore(), API_URI)
    assert "components" not in openapi_document(petstore(), API_URI)


def test_scopes_only_reach_cognito_authorizers() -> None:
    app = App("scoped")
    external = CustomAuthorizer("external", authorizer_uri=lambda_uri("auth"),
                                scopes=["ignored/by-api-gateway"])

    @app.route("/x", authorizer=external)
    def x() -> Any:
        return {}

    assert openapi_document(app, API_URI)["paths"]["/x"]["get"]["security"] == [
        {"external": []}]


def test_a_built_in_authorizer_without_a_uri_is_an_error_naming_it() -> None:
    with pytest.raises(ValueError, match=r"built-in authorizer 'short_auth'.*"
                                         r"authorizer_uris=\{'short_auth'"):
        secured_doc(authorizer_uris={"token_auth": AUTH_URI})
    with pytest.raises(ValueError, match="built-in authorizer 'token_auth'"):
        secured_doc(authorizer_uris={})


def test_a_built_in_authorizer_uri_may_be_an_intrinsic() -> None:
    auth_uri = {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/"
                           "functions/${TokenAuth.Arn}/invocations"}
    doc = secured_doc(authorizer_uris={"token_auth": auth_uri, "short_auth": AUTH_URI})
    scheme = doc["components"]["securitySchemes"]["token_auth"]
    assert scheme["x-amazon-apigateway-authorizer"]["authorizerUri"] == auth_uri


def test_two_different_authorizers_under_one_name_are_an_error() -> None:
    app = App("clash")

    @app.route("/a", authorizer=CustomAuthorizer("auth", authorizer_uri=lambda_uri("one")))
    def a() -> Any:
        return {}

    @app.route("/b", authorizer=CustomAuthorizer("auth", authorizer_uri=lambda_uri("two")))
    def b() -> Any:
        return {}

    with pytest.raises(ValueError, match=r"GET /a \(view a\) and GET /b \(view b\) use two "
                                         r"different security schemes named 'auth'"):
        openapi_document(app, API_URI)


def test_an_authorizer_named_like_the_api_key_scheme_is_an_error() -> None:
    app = App("clash")

    @app.route("/a", authorizer=CustomAuthorizer("api_key", authorizer_uri=lambda_uri("x")),
               api_key_required=True)
    def a() -> Any:
        return {}

    with pytest.raises(ValueError, match="named 'api_key'"):
        openapi_document(app, API_URI)


def test_an_authorizer_name_that_cannot_name_a_scheme_is_an_error() -> None:
    app = App("spaces")

    @app.route("/a", authorizer=CognitoUserPoolAuthorizer("my pool", [POOL_ARN]))
    def a() -> Any:
        return {}

    with pytest.raises(ValueError, match="authorizer name 'my pool' cannot name"):
        openapi_document(app, API_URI)


# -- binary media types ------------------------------------------------------------------

BINARY = "x-amazon-apigateway-binary-media-types"


def test_binary_media_types_are_the_apps() -> None:
    app = petstore()
    assert openapi_document(app, API_URI)[BINARY] == app.api.binary_types
    app.api.binary_types = ["application/x-protobuf", "image/avif", "image/avif"]
    assert openapi_document(app, API_URI)[BINARY] == ["application/x-protobuf", "image/avif"]


@pytest.mark.parametrize("factory", [mounted_at_root, mounted_at_legacy])
def test_a_wsgi_mount_makes_every_type_binary(factory: Callable[[], App]) -> None:
    assert openapi_document(factory(), API_URI)[BINARY] == ["*/*"]


def test_compression_makes_every_type_binary() -> None:
    app = petstore()

    @app.route("/report", compress=True)
    def report() -> Any:
        return {"rows": ["x" * 100] * 10}

    assert openapi_document(app, API_URI)[BINARY] == ["*/*"]
    # Why: the gzip body is base64-encoded though JSON is no binary type.
    raw = Client(app).http.get("/report", headers={"Accept-Encoding": "gzip"}).raw
    assert raw["isBase64Encoded"] is True
    assert "application/json" not in app.api.binary_types


# -- WSGI mounts --------------------------------------------------------------------------

def any_op(doc: dict[str, Any], path: str) -> dict[str, Any]:
    op: dict[str, Any] = doc["paths"][path][ANY_METHOD]
    assert op[INTEGRATION] == PROXY
    assert "security" not in op
    return op


def test_a_mount_at_the_root_gets_any_on_root_and_proxy() -> None:
    doc = openapi_document(mounted_at_root(), API_URI)
    assert list(doc["paths"]) == ["/", "/api", "/api/pets", "/api/pets/{pet_id}", "/health",
                                  "/{proxy+}"]
    assert list(doc["paths"]["/"]) == [ANY_METHOD]
    assert "parameters" not in any_op(doc, "/")
    assert any_op(doc, "/{proxy+}")["parameters"] == [param("proxy")]
    # Other methods of a route's path go to the mount in the runtime: ANY catches them.
    assert list(doc["paths"]["/health"]) == ["get", "head", ANY_METHOD]
    assert any_op(doc, "/api/pets/{pet_id}")["parameters"] == [param("pet_id")]
    # So do the parents API Gateway creates for the routes' paths.
    assert list(doc["paths"]["/api"]) == list(doc["paths"]["/api/pets"]) == [ANY_METHOD]


def test_what_the_any_methods_reach_in_the_runtime() -> None:
    client = Client(mounted_at_root())
    assert client.http.get("/health").json_body == {"ok": True}
    assert b"legacy" in client.http.get("/").body
    # Not myframework's JSON 405 or 404: Flask's own HTML 404 page.
    for response in (client.http.post("/health"), client.http.get("/api/pets")):
        assert response.status_code == 404
        assert response.headers.get("Content-Type", "").startswith("text/html")


def test_a_mount_under_a_prefix_leaves_other_paths_alone() -> None:
    doc = openapi_document(mounted_at_legacy(), API_URI)
    assert list(doc["paths"]) == ["/health", "/legacy", "/legacy/status", "/legacy/{proxy+}"]
    assert list(doc["paths"]["/health"]) == ["get", "head"]
    assert list(doc["paths"]["/legacy"]) == [ANY_METHOD]
    assert list(doc["paths"]["/legacy/status"]) == ["get", "head", ANY_METHOD]
    assert any_op(doc, "/legacy/{proxy+}")["parameters"] == [param("proxy")]


def test_a_route_on_the_mount_paths_keeps_its_methods_and_gets_any() -> None:
    app = App("site")
    app.mount_wsgi(flask_app())

    @app.route("/", authorizer=IAMAuthorizer())
    def index() -> Any:
        return {}

    @app.route("/{proxy+}", methods=["POST"], cors=True)
    def catch_all(proxy: str) -> Any:
        return {}

    doc = openapi_document(app, API_URI)
    assert list(doc["paths"]) == ["/", "/{proxy+}"]  # no second greedy resource
    root = doc["paths"]["/"]
    assert list(root) == ["get", "head", ANY_METHOD]
    assert root["get"]["security"] == [{"sigv4": []}]
    greedy = doc["paths"]["/{proxy+}"]
    assert list(greedy) == ["options", "post", ANY_METHOD]
    assert greedy["options"][INTEGRATION]["type"] == "mock"
    check_valid(doc)


def test_the_mount_proxy_goes_below_a_parameter_route() -> None:
    app = App("site")
    app.mount_wsgi(flask_app(), "/legacy")

    @app.route("/legacy/{item}")
    def item(item: str) -> Any:
        return {}

    doc = openapi_document(app, API_URI)
    # API Gateway allows one variable child per resource: /legacy/{item} is it.
    assert list(doc["paths"]) == ["/legacy", "/legacy/{item}", "/legacy/{item}/{proxy+}"]
    assert any_op(doc, "/legacy/{item}/{proxy+}")["parameters"] == [param("item"),
                                                                   param("proxy")]
    assert list(doc["paths"]["/legacy/{item}"]) == ["get", "head", ANY_METHOD]
    check_valid(doc)


def test_nested_mounts_each_get_their_resources() -> None:
    app = App("site")
    app.mount_wsgi(flask_app())
    app.mount_wsgi(flask_app(), "/admin/reports")
    paths = openapi_document(app, API_URI)["paths"]
    assert list(paths) == ["/", "/admin", "/admin/reports", "/admin/reports/{proxy+}",
                           "/{proxy+}"]
    assert all(list(item) == [ANY_METHOD] for item in paths.values())


def test_a_mount_that_would_bypass_a_routes_authorizer_is_an_error() -> None:
    app = App("site")
    app.mount_wsgi(flask_app(), "/legacy")

    @app.route("/{proxy+}", authorizer=IAMAuthorizer())
    def everything(proxy: str) -> Any:
        return {}

    # /legacy/x is API Gateway's /legacy/{proxy+} (no authorizer), the runtime's /{proxy+}.
    assert Client(app).http.get("/legacy/x").status_code == 200
    with pytest.raises(ValueError, match=r"GET /\{proxy\+\} has an authorizer.*"
                                         r"requests for /legacy"):
        openapi_document(app, API_URI)


def test_a_mount_next_to_a_keyed_parameter_route_is_an_error() -> None:
    app = App("site")
    app.mount_wsgi(flask_app(), "/items/special")

    @app.route("/items/{item_id}", methods=["DELETE"], api_key_required=True)
    def item(item_id: str) -> Any:
        return {}

    with pytest.raises(ValueError, match=r"DELETE /items/\{item_id\} has an authorizer or "
                                         r"requires an API key"):
        openapi_document(app, API_URI)


def test_an_open_route_may_overlap_a_mount() -> None:
    app = App("site")
    app.mount_wsgi(flask_app(), "/legacy")

    @app.route("/{proxy+}")
    def everything(proxy: str) -> Any:
        return {}

    paths = openapi_document(app, API_URI)["paths"]
    assert list(paths) == ["/legacy", "/legacy/{proxy+}", "/{proxy+}"]
