"""The HTTP event kinds Lambda receives, and the response shape each expects.

One class per kind: API Gateway REST (payload 1.0, also HTTP API 1.0), HTTP
API payload 2.0, Lambda Function URLs (2.0 shape) and ALB target groups. Each
knows where its event keeps the method, path, headers, query string and
cookies, and how to shape a response (``multiValueHeaders``, the ``cookies``
list of 2.0, ALB's ``statusDescription``) so every ``Set-Cookie`` reaches the
client exactly once.
"""

from .errors import BadRequestError
from .request import Request

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:
    from typing import Any

    from .response import HeadersType, Rendered


def _request_with_escapes(kind: "HttpEventKind", event: "dict[str, Any]", context: "Any",
                          method: str, path: object) -> Request:
    """A Request for a path that needs normalising or percent-decoding.

    ``request.path`` is decoded; ``request.raw_path`` keeps the escapes, so the
    router can split on ``/`` first and ``%2F`` stays inside one segment.
    """
    if not isinstance(path, str):
        raise BadRequestError("The event's path must be a string, got %s" % type(path).__name__)
    if not path.startswith("/"):
        path = "/" + path
    decoded = path
    if "%" in path:
        from urllib.parse import unquote
        try:
            decoded = unquote(path, errors="strict")
        except UnicodeDecodeError:
            raise BadRequestError(
                "The request path is not valid UTF-8 once percent-decoded") from None
    return Request(kind, event, context, method, decoded, path)


def _strip_stage(path: "Any", ctx: "Any", event: "dict[str, Any]") -> "Any":
    """HTTP API paths carry a named stage (``/dev/pets``) on the API's own host; ``$default``
    adds none, and neither does a custom domain."""
    stage = ctx.get("stage") if isinstance(ctx, dict) else None
    if isinstance(path, str) and isinstance(stage, str) and stage and stage != "$default":
        prefix = "/" + stage
        if (path == prefix or path.startswith(prefix + "/")) and not _custom_domain(event):
            return path[len(prefix):] or "/"
    return path


def on_api_host(host: "Any", ctx: "Any") -> bool:
    """Whether a request came to the API's own ``execute-api`` host, not a custom domain.

    ``host`` is the Host header; without one (the console's test button),
    ``requestContext.domainName`` says; without either, the API's own host.
    """
    if not isinstance(host, str) or not host:
        host = ctx.get("domainName") if isinstance(ctx, dict) else None
        if not isinstance(host, str) or not host or host == CONSOLE_TEST_DOMAIN:
            return True
    return ".execute-api." in host


def _custom_domain(event: "dict[str, Any]") -> bool:
    headers = event.get("headers")
    host = headers.get("Host") or headers.get("host") if isinstance(headers, dict) else None
    return not on_api_host(host, event.get("requestContext"))


CONSOLE_TEST_DOMAIN = "testPrefix.testDomainName"
"""The requestContext.domainName of the API Gateway console's test button (no Host header)."""


def strip_base_path(request: "Request", base: str) -> None:
    """Take a custom domain's base path mapping (``/v1``) off the front of the request's path."""
    raw = request.raw_path
    if (raw == base or raw.startswith(base + "/")) and _custom_domain(request._event):
        request.raw_path = raw[len(base):] or "/"
        request.path = request.path[len(base):] or "/"  # the base has no escapes to decode
        request._base = base


def _lower_single(headers: "Any") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(headers, dict):
        for key, value in headers.items():
            if isinstance(key, str) and isinstance(value, str):
                out.setdefault(key.lower(), []).append(value)
    return out


def _lower_multi(headers: "dict[Any, Any]") -> dict[str, list[str]]:
    # Values are shared with the event, never mutated; Headers skips non-str items.
    out: dict[str, list[str]] = {}
    for key, values in headers.items():
        if type(key) is str:
            if type(values) is str:
                values = [values]
            elif type(values) is not list:
                continue
            lkey = key.lower()
            if lkey in out:  # the same name in two spellings: keep every value
                values = out[lkey] + values
            out[lkey] = values
    return out


def _query_lists(event: "dict[str, Any]") -> dict[str, list[str]]:
    multi = event.get("multiValueQueryStringParameters")
    if isinstance(multi, dict) and multi:
        out: dict[str, list[str]] = {}
        for key, values in multi.items():
            if isinstance(key, str):
                if isinstance(values, list):
                    kept = [v for v in values if isinstance(v, str)]
                    if kept:
                        out[key] = kept
                elif isinstance(values, str):
                    out[key] = [values]
        return out
    single = event.get("queryStringParameters")
    if isinstance(single, dict):
        return {k: [v] for k, v in single.items() if isinstance(k, str) and isinstance(v, str)}
    return {}


def _set_cookie_split(headers: "HeadersType") -> tuple[dict[str, str], list[str]]:
    """Headers joined to single values, with Set-Cookie pulled out as a list."""
    single: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers.items():
        if name.lower() == "set-cookie":
            if isinstance(value, list):
                cookies.extend(value)
            else:
                cookies.append(value)
        elif isinstance(value, list):
            single[name] = ",".join(value)
        else:
            single[name] = value
    return single, cookies


class HttpEventKind:
    """How one AWS service delivers HTTP requests to Lambda."""

    name = "http"

    def request(self, event: "dict[str, Any]", context: "Any") -> "Request":
        method = event["httpMethod"]
        if not isinstance(method, str) or not method:
            raise BadRequestError("The event's httpMethod must be a non-empty string")
        path = event.get("path") or "/"
        if "version" in event:  # HTTP API payload 1.0: a named stage prefixes the path
            path = _strip_stage(path, event.get("requestContext"), event)
        if type(path) is str and path[:1] == "/" and "%" not in path:  # the common case
            return Request(self, event, context, method.upper(), path, path)
        return _request_with_escapes(self, event, context, method.upper(), path)

    def headers(self, event: "dict[str, Any]") -> dict[str, list[str]]:
        multi = event.get("multiValueHeaders")
        if isinstance(multi, dict) and multi:
            return _lower_multi(multi)
        return _lower_single(event.get("headers"))

    def query(self, event: "dict[str, Any]") -> dict[str, list[str]]:
        return _query_lists(event)

    def cookie_strings(self, event: "dict[str, Any]", request: "Request") -> list[str]:
        return request.headers.getlist("cookie")

    def shape(self, rendered: "Rendered", event: "dict[str, Any]") -> "dict[str, Any]":
        """The response dict this event kind's service expects."""
        raise NotImplementedError


class RestApiEvent(HttpEventKind):
    """API Gateway REST API proxy integration (payload 1.0); also HTTP API payload 1.0."""

    name = "rest"

    def shape(self, rendered: "Rendered", event: "dict[str, Any]") -> "dict[str, Any]":
        status, headers, body, is_base64 = rendered
        single: dict[str, str] = {}
        multi: dict[str, list[str]] = {}
        for name, value in headers.items():
            if type(value) is list:
                multi[name] = value
            else:
                single[name] = value  # type: ignore[assignment]
        out = {"statusCode": status, "headers": single, "body": body, "isBase64Encoded": is_base64}
        if multi:
            out["multiValueHeaders"] = multi
        return out


class AlbEvent(HttpEventKind):
    """Application Load Balancer target group, with or without multi-value headers."""

    name = "alb"

    def query(self, event: "dict[str, Any]") -> dict[str, list[str]]:
        lists = _query_lists(event)
        if not lists:
            return lists
        from urllib.parse import unquote_plus  # ALB passes the query string still encoded
        return {unquote_plus(k): [unquote_plus(v) for v in vs] for k, vs in lists.items()}

    def shape(self, rendered: "Rendered", event: "dict[str, Any]") -> "dict[str, Any]":
        status, headers, body, is_base64 = rendered
        out: dict[str, Any] = {"statusCode": status, "statusDescription": _status_line(status),
                               "body": body, "isBase64Encoded": is_base64}
        if "multiValueHeaders" in event:  # the target group has multi-value headers on
            out["multiValueHeaders"] = {
                name: (value if isinstance(value, list) else [value])
                for name, value in headers.items()}
            return out
        single, cookies = _set_cookie_split(headers)
        # Without multi-value mode each header name is sent once, so repeated
        # Set-Cookie headers go out under differently-cased names.
        for index, cookie in enumerate(cookies):
            single[_case_variant("set-cookie", index)] = cookie
        out["headers"] = single
        return out


class HttpApiEvent(HttpEventKind):
    """API Gateway HTTP API payload 2.0."""

    name = "http-api"

    def request(self, event: "dict[str, Any]", context: "Any") -> "Request":
        ctx = event.get("requestContext")
        http = ctx.get("http") if isinstance(ctx, dict) else None
        method = http.get("method") if isinstance(http, dict) else None
        if not isinstance(method, str) or not method:
            raise BadRequestError("The event has no requestContext.http.method")
        path = event.get("rawPath") or "/"
        if not isinstance(path, str):
            raise BadRequestError("The event's rawPath must be a string")
        path = _strip_stage(path, ctx, event)
        return _request_with_escapes(self, event, context, method.upper(), path)

    def headers(self, event: "dict[str, Any]") -> dict[str, list[str]]:
        return _lower_single(event.get("headers"))

    def query(self, event: "dict[str, Any]") -> dict[str, list[str]]:
        raw = event.get("rawQueryString")
        if isinstance(raw, str):
            if not raw:
                return {}
            from urllib.parse import parse_qsl
            out: dict[str, list[str]] = {}
            for key, value in parse_qsl(raw, keep_blank_values=True):
                out.setdefault(key, []).append(value)
            return out
        return _query_lists(event)

    def cookie_strings(self, event: "dict[str, Any]", request: "Request") -> list[str]:
        cookies = event.get("cookies")
        found = [c for c in cookies if isinstance(c, str)] if isinstance(cookies, list) else []
        return found + request.headers.getlist("cookie")

    def shape(self, rendered: "Rendered", event: "dict[str, Any]") -> "dict[str, Any]":
        status, headers, body, is_base64 = rendered
        single, cookies = _set_cookie_split(headers)
        return {"statusCode": status, "headers": single, "cookies": cookies, "body": body,
                "isBase64Encoded": is_base64}


class FunctionUrlEvent(HttpApiEvent):
    """Lambda Function URL (payload 2.0 shape, stage ``$default``)."""

    name = "function-url"


REST = RestApiEvent()
ALB = AlbEvent()
HTTP_API = HttpApiEvent()
FUNCTION_URL = FunctionUrlEvent()


def http_kind(event: "dict[str, Any]") -> "HttpEventKind | None":
    """The HTTP event kind of ``event``, or None when it is not an HTTP event."""
    if "httpMethod" in event:
        ctx = event.get("requestContext")
        if isinstance(ctx, dict) and "elb" in ctx:
            return ALB
        return REST
    if event.get("version") == "2.0" or "rawPath" in event:
        ctx = event.get("requestContext")
        if isinstance(ctx, dict):
            domain = ctx.get("domainName")
            if isinstance(domain, str) and ".lambda-url." in domain:
                return FUNCTION_URL
        return HTTP_API
    return None


def _case_variant(name: str, index: int) -> str:
    """The index-th distinct upper/lower-case spelling of ``name``."""
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    chars = list(name)
    for bit, pos in enumerate(letters):
        if (index >> bit) & 1:
            chars[pos] = chars[pos].upper()
    return "".join(chars)


def _status_line(code: int) -> str:
    from http import HTTPStatus
    try:
        return "%d %s" % (code, HTTPStatus(code).phrase)
    except ValueError:
        return "%d Unknown" % code
