"""Built-in authorizers: ``@app.authorizer()`` (Chalice's API).

The decorated function gets an :class:`AuthRequest` (the token from the
request's ``header``, and the ARN of the method being called) and returns an
:class:`AuthResponse` naming the routes the caller may call (or a raw API
Gateway authorizer result dict). On AWS it is deployed as its own Lambda
function, a TOKEN authorizer of the REST API; routes name it with
``authorizer=``. ``myframework local`` runs it before each request to such a
route and enforces the policy it returns, as API Gateway does.

Loaded only by apps that define one.
"""
from .errors import RegistrationError
from .event_specs import FunctionOptions, LambdaFunctionSpec
from .specs import Authorizer

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

ALL_HTTP_METHODS = ("DELETE", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "GET")


class AuthRequest:
    """What a built-in authorizer receives: ``auth_type`` (``"TOKEN"``), ``token``
    (the header's value) and ``method_arn`` (the API method being called)."""

    __slots__ = ("auth_type", "method_arn", "token")

    def __init__(self, auth_type: str, token: str, method_arn: str) -> None:
        self.auth_type = auth_type
        self.token = token
        self.method_arn = method_arn

    def __repr__(self) -> str:
        return "AuthRequest(%r, <token>, %r)" % (self.auth_type, self.method_arn)


class AuthRoute:
    """A path the caller may call, with only these ``methods``."""

    __slots__ = ("methods", "path")

    def __init__(self, path: str, methods: "list[str]") -> None:
        self.path = path
        self.methods = methods


class AuthResponse:
    """The caller may call ``routes`` (paths, :class:`AuthRoute`, or ``"*"`` for
    everything); ``principal_id`` identifies them; ``context`` (string values)
    reaches the view in ``current_request.context["authorizer"]``."""

    ALL_HTTP_METHODS = list(ALL_HTTP_METHODS)

    def __init__(self, routes: "list[str | AuthRoute]", principal_id: str,
                 context: "dict[str, Any] | None" = None) -> None:
        self.routes = routes
        self.principal_id = principal_id
        self.context = context if context is not None else {}

    def to_dict(self, request: AuthRequest) -> "dict[str, Any]":
        """The API Gateway authorizer result for ``request``."""
        return {
            "context": self.context,
            "principalId": self.principal_id,
            "policyDocument": {"Version": "2012-10-17", "Statement": [{
                "Action": "execute-api:Invoke", "Effect": "Allow",
                "Resource": self._resources(request)}]},
        }

    def _resources(self, request: AuthRequest) -> "list[str]":
        prefix, _, resource = request.method_arn.rpartition(":")
        base = "/".join(resource.split("/")[:2])  # api-id/stage
        arns = []
        for route in self.routes:
            if isinstance(route, AuthRoute):
                methods, path = list(route.methods), route.path
            elif route == "*":
                methods, path = ["*"], "*"
            else:
                methods, path = ["*"], route
            for method in methods:
                arns.append("%s:%s/%s/%s" % (prefix, base, method, path.lstrip("/")))
        return arns


class BuiltinAuthorizer(Authorizer):
    """What ``@app.authorizer()`` returns: pass it as a route's ``authorizer=``.
    Calling it with an API Gateway TOKEN (or REQUEST) event runs the function."""

    def __init__(self, name: str, func: "Callable[[AuthRequest], Any]",
                 ttl_seconds: "int | None" = None, execution_role: "str | None" = None,
                 header: str = "Authorization", scopes: "list[str] | None" = None) -> None:
        self.name = name
        self.func = func
        self.ttl_seconds = ttl_seconds
        self.execution_role = execution_role
        self.header = header
        self.scopes = list(scopes or [])

    def __call__(self, event: "dict[str, Any]", context: "Any" = None) -> "Any":
        if not isinstance(event, dict) or "methodArn" not in event:
            raise TypeError("authorizer %s: expected an API Gateway authorizer event with a "
                            "methodArn, got %.200r" % (self.name, event))
        token = event.get("authorizationToken")
        if token is None:  # a REQUEST authorizer event carries the headers instead
            headers = event.get("headers") or {}
            lowered = self.header.lower()
            token = next((v for k, v in headers.items() if k.lower() == lowered), "")
        request = AuthRequest(str(event.get("type", "TOKEN")), str(token), event["methodArn"])
        result = self.func(request)
        return result.to_dict(request) if isinstance(result, AuthResponse) else result

    def with_scopes(self, scopes: "list[str]") -> "BuiltinAuthorizer":
        return BuiltinAuthorizer(self.name, self.func, self.ttl_seconds, self.execution_role,
                                 self.header, scopes)

    def __repr__(self) -> str:
        return "<BuiltinAuthorizer %s>" % self.name


ChaliceAuthorizer = BuiltinAuthorizer  # Chalice's name for it


class AuthorizerSpec(LambdaFunctionSpec):
    """The function deployed for a built-in authorizer (``authorizer`` holds its settings)."""

    __slots__ = ("authorizer", "func", "name", "options")
    authorizer: BuiltinAuthorizer

    def __init__(self, name: str, func: "Callable[..., Any]", options: FunctionOptions,
                 authorizer: BuiltinAuthorizer) -> None:
        self._set(name=name, func=func, options=options, authorizer=authorizer)


def authorizer_spec(func: "Any", name: "Any", ttl_seconds: "Any", execution_role: "Any",
                    header: "Any", options: "dict[str, Any]") -> AuthorizerSpec:
    from .handlers import _check_callable, function_options, handler_name
    from .routing import func_name
    where = "@authorizer on %s" % func_name(func)
    _check_callable(where, func)
    final = handler_name(where, func, name)
    if ttl_seconds is not None and (isinstance(ttl_seconds, bool) or not isinstance(
            ttl_seconds, int) or not 0 <= ttl_seconds <= 3600):
        raise RegistrationError("%s: ttl_seconds must be a whole number of seconds from 0 to "
                                "3600 (API Gateway's limit), got %r" % (where, ttl_seconds))
    if not isinstance(header, str) or not header:
        raise RegistrationError("%s: header must be a header name such as 'Authorization', "
                                "got %r" % (where, header))
    if execution_role is not None and not isinstance(execution_role, str):
        raise RegistrationError("%s: execution_role must be a role ARN string, got %r"
                                % (where, execution_role))
    authorizer = BuiltinAuthorizer(final, func, ttl_seconds, execution_role, header)
    return AuthorizerSpec(final, authorizer, function_options(where, options), authorizer)


def _wildcard(pattern: str, text: str) -> bool:
    """IAM-style match: ``*`` is any run of characters, ``?`` any one."""
    if "*" not in pattern and "?" not in pattern:
        return pattern == text
    import re
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.S) is not None


def _as_list(value: "Any") -> "list[Any]":
    return value if isinstance(value, list) else [value]


def policy_allows(result: "Any", method_arn: str) -> "bool | None":
    """Whether the authorizer ``result`` lets the caller invoke ``method_arn``:
    True (allowed), False (explicitly denied) or None (not allowed)."""
    if not isinstance(result, dict) or not isinstance(result.get("policyDocument"), dict):
        raise ValueError("an authorizer must return an AuthResponse or a dict with "
                         "principalId and policyDocument, got %.200r" % (result,))
    allowed = None
    for statement in _as_list(result["policyDocument"].get("Statement", [])):
        if not isinstance(statement, dict):
            continue
        actions = _as_list(statement.get("Action", []))
        if not any(isinstance(a, str) and _wildcard(a, "execute-api:Invoke") for a in actions):
            continue
        resources = _as_list(statement.get("Resource", []))
        if not any(isinstance(r, str) and _wildcard(r, method_arn) for r in resources):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed
