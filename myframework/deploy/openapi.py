"""The OpenAPI 3 document API Gateway imports to build an app's REST API.

:func:`openapi_document` reads the app's registry (routes, mounts, CORS and
binary settings) and returns the document as plain ``dict``/``list``/``str``
values, ready for ``json.dumps`` (``import_rest_api``/``put_rest_api``, or the
``Body`` of an ``AWS::ApiGateway::RestApi``). Every method is a Lambda proxy
integration of the one API function; the runtime routes the request again.

Decisions, each chosen so that API Gateway answers what the runtime answers:

HEAD
    The runtime serves ``HEAD`` with the ``GET`` view and lists it in
    ``Allow`` and in preflight answers, but API Gateway has no implicit HEAD:
    a method a resource lacks gets a 403 ``Missing Authentication Token``.
    So every path with a ``GET`` route and no ``HEAD`` route gets a ``head``
    operation, a copy of the ``GET`` one (same authorizer and API key).

OPTIONS
    A path whose routes have CORS on (``cors=`` or ``app.api.cors``) and no
    ``OPTIONS`` route gets an ``options`` operation: a ``mock`` integration
    answering 200 with exactly the headers the runtime's preflight answer
    carries (``Allow``, ``Access-Control-Allow-Methods``: the path's methods,
    ``HEAD`` where there is ``GET``, plus ``OPTIONS``, and the
    ``CORSConfig``'s headers). An origin allow-list is answered per request
    (the request's ``Origin`` echoed back, ``Vary: Origin``), which a static
    mock cannot do: then ``OPTIONS`` goes to the function instead. A
    preflight never carries credentials, so this operation has no authorizer
    and no API key.

WSGI mounts
    A mount gets ``ANY`` (``x-amazon-apigateway-any-method``) on its prefix
    and on a greedy child of it (``{prefix}/{proxy+}``; ``/`` and
    ``/{proxy+}`` for ``"/"``). ``ANY`` only catches the methods a resource
    does not declare, so a route's own methods keep their settings. The
    runtime sends a request whose path matches a route but whose method does
    not to the mount (docs/wsgi.rst), and API Gateway does not fall back from
    a matched resource to another for a missing method, so every resource the
    document creates under a mount's prefix gets ``ANY`` as well: the route
    paths and the parent resources API Gateway creates for them. Where the
    routes already have a variable child at the greedy position (API Gateway
    allows one per resource), that child is used: a greedy route is the
    mount's proxy itself, and below a ``{param}`` route the proxy goes one
    level down. Requests deeper under a route (``/pets/1/x`` next to
    ``/pets/{pet_id}``) are left to the mount's greedy resource: this relies
    on API Gateway choosing the most specific resource that matches the whole
    path (not checked against AWS here; moto serves no requests).

    A mount resource must never take a request from a route that has an
    authorizer or an API key (``/legacy/x`` is API Gateway's
    ``/legacy/{proxy+}`` but the runtime's ``/{proxy+}`` route): the view
    would run without the check. That raises ``ValueError``.

Binary media types
    ``app.api.binary_types``; ``["*/*"]`` when the app mounts a WSGI app (the
    bridge base64-encodes any binary body, whatever its type) or has a route
    with ``compress=True`` (gzip bodies are base64-encoded whatever their
    type). API Gateway only turns a base64 body back into bytes when a
    binary media type matches.

Authorizer scopes
    API Gateway uses authorization scopes with Cognito user pool authorizers
    only, so the ``security`` entry of other authorizers has no scopes.

Greedy parameters are named as API Gateway names them (``proxy`` for
``{proxy+}``), which strict OpenAPI validators (and moto's
``failOnWarnings=True``) reject. moto 5.2 cannot import a ``mock``
integration either (it requires a ``uri``, which AWS forbids for mocks).
"""
from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any, TypeAlias

from myframework.runtime.app import App
from myframework.runtime.authorizers import BuiltinAuthorizer
from myframework.runtime.specs import (
    DEFAULT_CORS,
    CognitoUserPoolAuthorizer,
    CORSConfig,
    CustomAuthorizer,
    IAMAuthorizer,
    RouteSpec,
)

IntegrationURI: TypeAlias = "str | Mapping[str, Any]"
"""A Lambda invocation URI: a string, or a CloudFormation intrinsic (``{"Fn::Sub": ...}``)."""

OPENAPI_VERSION = "3.0.1"
API_VERSION = "1.0"
ANY_METHOD = "x-amazon-apigateway-any-method"
INTEGRATION = "x-amazon-apigateway-integration"
API_KEY_SCHEME = "api_key"
"""The security scheme of ``api_key_required=True`` routes."""

_API_KEY = {"type": "apiKey", "name": "x-api-key", "in": "header"}
_SIGV4 = {"type": "apiKey", "name": "Authorization", "in": "header",
          "x-amazon-apigateway-authtype": "awsSigv4"}
_DEFAULT_TTL = 300  # API Gateway's default for a Lambda authorizer's cache
_BODY_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))
_SCHEME_NAME = re.compile(r"[A-Za-z0-9._-]+")  # OpenAPI 3.0's rule for component names
_OK = {"200": {"description": "200 response"}}
_STRING = {"type": "string"}


def openapi_document(app: App, integration_uri: IntegrationURI, *,
                     authorizer_uris: Mapping[str, IntegrationURI] | None = None,
                     title: str | None = None,
                     description: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.0.1 document of ``app``'s REST API.

    ``integration_uri`` is the proxy integration URI of the API function, and
    ``authorizer_uris`` maps each built-in authorizer's name to its own
    function's URI; each is a string or a CloudFormation intrinsic dict and is
    inserted unchanged. ``title`` defaults to the app's name; ``description``
    must not be empty (moto's import needs one). The same app always gives
    the same document, key order included (paths and methods sorted).

    Raises ValueError for a built-in authorizer without a URI, two different
    authorizers under one name, or a WSGI mount that would bypass a route's
    authorizer or API key (see the module's notes).
    """
    uri = _checked_uri("integration_uri", integration_uri)
    if title is None:
        title = app.app_name
    if description is None:
        description = "REST API of the %s app (generated by myframework)" % app.app_name
    for name, value in (("title", title), ("description", description)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError("openapi_document: %s must be a non-empty string, got %r"
                             % (name, value))
    security = _Security(authorizer_uris or {})
    routes = _routes_by_path(app)
    items: dict[str, dict[str, Any]] = {}
    for path, methods in routes.items():
        items[path] = _route_operations(app, path, methods, uri, security)
    for path in _mount_paths(app, routes):
        items.setdefault(path, {})[ANY_METHOD] = _operation(path, _OK, None, uri)
    doc: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title, "description": description, "version": API_VERSION},
        "paths": {path: {key: items[path][key] for key in sorted(items[path])}
                  for path in sorted(items)},
    }
    if security.schemes:
        doc["components"] = {"securitySchemes": {
            name: security.schemes[name][0] for name in sorted(security.schemes)}}
    if API_KEY_SCHEME in security.schemes:
        doc["x-amazon-apigateway-api-key-source"] = "HEADER"
    doc["x-amazon-apigateway-binary-media-types"] = binary_media_types(app)
    return doc


def binary_media_types(app: App) -> list[str]:
    """The REST API's binary media types (``["*/*"]`` with a WSGI mount or compression)."""
    if app.registry.mounts or any(spec.compress for spec in app.registry.routes):
        return ["*/*"]
    return list(dict.fromkeys(app.api.binary_types))


# -- operations ---------------------------------------------------------------------

def _checked_uri(what: str, uri: object) -> str | dict[str, Any]:
    if isinstance(uri, str):
        if uri:
            return uri
    elif isinstance(uri, Mapping):
        if uri:
            return copy.deepcopy(dict(uri))
    else:
        raise TypeError("openapi_document: %s must be an invocation URI string or a "
                        "CloudFormation intrinsic dict, got %r" % (what, uri))
    raise ValueError("openapi_document: %s is empty" % what)


def _proxy_integration(uri: str | dict[str, Any]) -> dict[str, Any]:
    return {"type": "aws_proxy", "httpMethod": "POST", "uri": copy.deepcopy(uri),
            "passthroughBehavior": "when_no_match", "contentHandling": "CONVERT_TO_TEXT"}


def _segments(path: str) -> list[str]:
    return [] if path == "/" else path[1:].split("/")


def _param_name(segment: str) -> str | None:
    """``pet_id`` for ``{pet_id}``, ``proxy`` for ``{proxy+}``, None for a literal."""
    if segment.startswith("{") and segment.endswith("}"):
        return segment[1:-1].rstrip("+")
    return None


def _path_parameters(path: str) -> list[dict[str, Any]]:
    names = [name for name in map(_param_name, _segments(path)) if name is not None]
    return [{"name": name, "in": "path", "required": True, "schema": dict(_STRING)}
            for name in names]


def _operation(path: str, responses: dict[str, Any], security: dict[str, list[str]] | None,
               uri: str | dict[str, Any], request_types: tuple[str, ...] = (),
               integration: dict[str, Any] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {}
    parameters = _path_parameters(path)
    if parameters:
        op["parameters"] = parameters
    if request_types:
        op["requestBody"] = {"content": {ctype: {} for ctype in request_types}}
    op["responses"] = copy.deepcopy(responses)
    if security:
        op["security"] = [security]
    op[INTEGRATION] = integration if integration is not None else _proxy_integration(uri)
    return op


def _routes_by_path(app: App) -> dict[str, dict[str, RouteSpec]]:
    routes: dict[str, dict[str, RouteSpec]] = {}
    for spec in app.registry.routes:
        for method in spec.methods:
            routes.setdefault(spec.path, {})[method] = spec
    return routes


def _route_operations(app: App, path: str, methods: dict[str, RouteSpec],
                      uri: str | dict[str, Any], security: _Security) -> dict[str, Any]:
    ops: dict[str, Any] = {}
    served = dict(methods)
    if "GET" in served and "HEAD" not in served:
        served["HEAD"] = served["GET"]  # the runtime runs the GET view for HEAD
    for method, spec in served.items():
        where = "%s %s (view %s)" % (method, path, spec.name)
        types = tuple(dict.fromkeys(spec.content_types)) if method in _BODY_METHODS else ()
        ops[method.lower()] = _operation(path, _OK, security.requirement(spec, where), uri,
                                         types)
    cors = _cors_for(app, next(iter(methods.values())))
    if cors is not None and "OPTIONS" not in methods:
        ops["options"] = _preflight(path, sorted({*served, "OPTIONS"}), cors, uri)
    return ops


def _cors_for(app: App, spec: RouteSpec) -> CORSConfig | None:
    """The route's CORS configuration, as the runtime resolves it (None: CORS off)."""
    cors = spec.cors
    if cors is None:
        cors = app.api.cors
        if cors is True:
            return DEFAULT_CORS
    return cors if isinstance(cors, CORSConfig) else None


def _preflight(path: str, methods: list[str], cors: CORSConfig,
               uri: str | dict[str, Any]) -> dict[str, Any]:
    """The ``options`` operation: a mock answering as the runtime does, or the function."""
    allow = ", ".join(methods)
    headers: dict[str, str] | None = None
    if isinstance(cors.allow_origin, str):  # the same answer for every origin
        headers = {"Allow": allow}
        headers.update(cors.get_access_control_headers(None))
        headers["Access-Control-Allow-Methods"] = allow
        if any("'" in value for value in headers.values()):
            headers = None  # not expressible as a static mapping value: ask the function
    if headers is None:
        return _operation(path, _OK, None, uri)
    responses = {"200": {"description": "CORS preflight",
                         "headers": {name: {"schema": dict(_STRING)} for name in headers}}}
    mock = {
        "type": "mock",
        "requestTemplates": {"application/json": '{"statusCode": 200}'},
        "passthroughBehavior": "when_no_match",
        "responses": {"default": {"statusCode": "200", "responseParameters": {
            "method.response.header.%s" % name: "'%s'" % value
            for name, value in headers.items()}}},
    }
    return _operation(path, responses, None, uri, integration=mock)


# -- authorizers and API keys -----------------------------------------------------------

class _Security:
    """The security schemes the operations use, checked for name clashes."""

    def __init__(self, authorizer_uris: Mapping[str, IntegrationURI]) -> None:
        self._uris = authorizer_uris
        self.schemes: dict[str, tuple[dict[str, Any], str]] = {}  # name -> (scheme, first user)

    def requirement(self, spec: RouteSpec, where: str) -> dict[str, list[str]]:
        """The operation's security requirement (``{}``: open)."""
        requirement: dict[str, list[str]] = {}
        authorizer = spec.authorizer
        if authorizer is not None:
            self._add(authorizer.name, self._scheme(authorizer, where), where)
            scopes = (list(authorizer.scopes)
                      if isinstance(authorizer, CognitoUserPoolAuthorizer) else [])
            requirement[authorizer.name] = scopes
        if spec.api_key_required:
            self._add(API_KEY_SCHEME, dict(_API_KEY), where)
            requirement[API_KEY_SCHEME] = []
        return requirement

    def _add(self, name: str, scheme: dict[str, Any], where: str) -> None:
        if not isinstance(name, str) or not _SCHEME_NAME.fullmatch(name):
            raise ValueError("openapi_document: %s: authorizer name %r cannot name an OpenAPI "
                             "security scheme; use letters, digits, '.', '-' and '_'"
                             % (where, name))
        known = self.schemes.get(name)
        if known is None:
            self.schemes[name] = (scheme, where)
        elif known[0] != scheme:
            raise ValueError(
                "openapi_document: %s and %s use two different security schemes named %r "
                "(an authorizer's name, or %r for api_key_required=True); give each "
                "authorizer its own name" % (known[1], where, name, API_KEY_SCHEME))

    def _scheme(self, authorizer: Any, where: str) -> dict[str, Any]:
        if isinstance(authorizer, IAMAuthorizer):
            return dict(_SIGV4)
        if isinstance(authorizer, CognitoUserPoolAuthorizer):
            return _header_scheme(authorizer.header, "cognito_user_pools", {
                "type": "cognito_user_pools", "providerARNs": list(authorizer.provider_arns)})
        if isinstance(authorizer, BuiltinAuthorizer):
            uri = self._uris.get(authorizer.name)
            if uri is None:
                raise ValueError(
                    "openapi_document: %s uses the built-in authorizer %r, but authorizer_uris "
                    "has no invocation URI for it; pass authorizer_uris={%r: <URI of its "
                    "function>}" % (where, authorizer.name, authorizer.name))
            ttl = authorizer.ttl_seconds
            return _token_scheme(authorizer.header,
                                 _checked_uri("authorizer_uris[%r]" % authorizer.name, uri),
                                 _DEFAULT_TTL if ttl is None else ttl,
                                 authorizer.execution_role)
        if isinstance(authorizer, CustomAuthorizer):
            return _token_scheme(authorizer.header,
                                 _checked_uri("the authorizer_uri of %r" % authorizer.name,
                                              authorizer.authorizer_uri),
                                 authorizer.ttl_seconds, authorizer.invoke_role_arn)
        raise ValueError("openapi_document: %s: unsupported authorizer %r; use an "
                         "IAMAuthorizer, CognitoUserPoolAuthorizer, CustomAuthorizer or "
                         "@app.authorizer()" % (where, authorizer))


def _header_scheme(header: str, authtype: str, authorizer: dict[str, Any]) -> dict[str, Any]:
    return {"type": "apiKey", "name": header, "in": "header",
            "x-amazon-apigateway-authtype": authtype,
            "x-amazon-apigateway-authorizer": authorizer}


def _token_scheme(header: str, uri: str | dict[str, Any], ttl: int,
                  credentials: str | None) -> dict[str, Any]:
    authorizer: dict[str, Any] = {"type": "token", "authorizerUri": uri,
                                  "authorizerResultTtlInSeconds": ttl}
    if credentials:
        authorizer["authorizerCredentials"] = credentials
    return _header_scheme(header, "custom", authorizer)


# -- WSGI mounts -------------------------------------------------------------------------

def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] or "/"


def _child(path: str, segment: str) -> str:
    return "/" + segment if path == "/" else path + "/" + segment


def _ancestors(path: str) -> list[str]:
    """The resources API Gateway creates above ``path`` (``/`` excluded)."""
    found = []
    while path != "/":
        path = _parent(path)
        if path != "/":
            found.append(path)
    return found


def _mount_paths(app: App, routes: dict[str, dict[str, RouteSpec]]) -> list[str]:
    """The paths that get an ``ANY`` operation sending requests on to the mounts."""
    prefixes = [mount.prefix for mount in app.registry.mounts]
    if not prefixes:
        return []
    known = set(routes)
    for path in [*routes, *prefixes]:
        known.add(path)
        known.update(_ancestors(path))

    def covered(path: str) -> bool:
        return any(prefix == "/" or path == prefix or path.startswith(prefix + "/")
                   for prefix in prefixes)

    paths = {path for path in known if covered(path)}
    for prefix in prefixes:
        node = prefix
        paths.add(node)
        while True:  # find or add the greedy resource under the prefix
            variable = sorted(p for p in known if p != "/" and _parent(p) == node
                              and _param_name(_segments(p)[-1]) is not None)
            if not variable:
                paths.add(_child(node, "{proxy+}"))
                break
            node = variable[0]  # API Gateway allows one variable child per resource
            paths.add(node)
            if node.endswith("+}"):
                break
    _check_no_bypass(sorted(paths - set(routes)), routes)
    return sorted(paths)


def _rank(segment: str) -> int:
    """0 for a literal segment, 1 for ``{param}``, 2 for ``{greedy+}``."""
    if _param_name(segment) is None:
        return 0
    return 2 if segment.endswith("+}") else 1


def _overlap(a: list[str], b: list[str]) -> bool:
    """Whether some request path matches both segment patterns."""
    if a and _rank(a[0]) == 2:
        return bool(b)
    if b and _rank(b[0]) == 2:
        return bool(a)
    if not a or not b:
        return not a and not b
    if _rank(a[0]) == 0 and _rank(b[0]) == 0 and a[0] != b[0]:
        return False
    return _overlap(a[1:], b[1:])


def _more_specific(a: list[str], b: list[str]) -> bool:
    """Whether ``a`` wins over ``b`` for a path both match (literal, then param, then greedy,
    compared from the left: the order of API Gateway and of the runtime's router)."""
    for x, y in zip(a, b, strict=False):  # the shorter one decides
        if _rank(x) != _rank(y):
            return _rank(x) < _rank(y)
    return False


def _check_no_bypass(mount_only: list[str], routes: dict[str, dict[str, RouteSpec]]) -> None:
    for path in mount_only:
        for route_path, methods in routes.items():
            guarded = sorted(m for m, spec in methods.items()
                             if spec.authorizer is not None or spec.api_key_required)
            if guarded and _overlap(_segments(path), _segments(route_path)) and _more_specific(
                    _segments(path), _segments(route_path)):
                raise ValueError(
                    "openapi_document: %s %s has an authorizer or requires an API key, but "
                    "the WSGI mount makes API Gateway send requests for %s to the function "
                    "without that check, and the runtime would serve some of them with that "
                    "route; mount the WSGI app under a prefix the route does not match, or "
                    "give the route a more specific path"
                    % ("/".join(guarded), route_path, path))
