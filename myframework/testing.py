"""Test your app in-process, through the same code path Lambda uses.

::

    from myframework.testing import Client
    from app import app

    def test_get_pet():
        with Client(app) as client:
            response = client.http.get("/pets/1")
            assert response.status_code == 200
            assert response.json_body == {"id": "1"}

Each request is turned into a real event of the chosen kind (API Gateway
REST by default, or ``"http-api"``, ``"function-url"``, ``"alb"``,
``"alb-multi"``), the app is called as Lambda would call it, and the
returned dict is checked against what that AWS service accepts before it is
decoded into an :class:`HTTPResponse`.
"""
from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote

from .runtime.request import Headers

if TYPE_CHECKING:
    from types import TracebackType

    from .runtime.app import App

EVENT_FORMATS = ("rest", "http-api", "function-url", "alb", "alb-multi")
_SAFE_PATH_CHARS = "/%:@!$&'()*+,;=-._~"
_TEXT_PREFIXES = ("text/", "application/json", "application/xml", "application/javascript",
                  "application/x-www-form-urlencoded")


class InvalidResponseError(AssertionError):
    """The handler returned something the event's AWS service would reject."""


class FakeLambdaContext:
    """A stand-in for the context object Lambda passes to a handler."""

    def __init__(self, function_name: str = "test-function", memory_size: int = 128,
                 timeout_seconds: float = 30.0) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = (
            "arn:aws:lambda:us-east-1:123456789012:function:%s" % function_name)
        self.memory_limit_in_mb = memory_size
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = "/aws/lambda/%s" % function_name
        self.log_stream_name = "2026/01/01/[$LATEST]00000000000000000000000000000000"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _split_target(target: str) -> tuple[str, str]:
    path, _, query = target.partition("?")
    return quote(path or "/", safe=_SAFE_PATH_CHARS), query


def _body_fields(body: bytes | str | None, content_type: str | None) -> tuple[str | None, bool]:
    if body is None or body == b"" or body == "":
        return None, False
    if isinstance(body, str):
        return body, False
    ctype = (content_type or "").lower()
    if ctype.startswith(_TEXT_PREFIXES) or ctype.endswith("+json"):
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True


def _header_pairs(headers: Mapping[str, str | list[str]] | None) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, value in (headers or {}).items():
        for item in (value if isinstance(value, list) else [value]):
            pairs.append((name, item))
    return pairs


def make_event(method: str, target: str, headers: Mapping[str, str | list[str]] | None = None,
               body: bytes | str | None = None, event_format: str = "rest",
               stage: str = "api", source_ip: str = "127.0.0.1",
               host: str = "abc123.execute-api.us-east-1.amazonaws.com") -> dict[str, Any]:
    """Build the event ``event_format``'s AWS service would send for this request.

    ``target`` is a path with an optional query string (``/pets?limit=2``).
    Header values may be lists for repeated headers. A bytes body of a
    non-text content type is base64-encoded with ``isBase64Encoded`` set.
    """
    if event_format not in EVENT_FORMATS:
        raise ValueError("event_format must be one of %s, got %r" % (", ".join(EVENT_FORMATS),
                                                                    event_format))
    method = method.upper()
    path, query = _split_target(target)
    pairs = _header_pairs(headers)
    if not any(k.lower() == "host" for k, _ in pairs):
        pairs.insert(0, ("Host", host))
    content_type = next((v for k, v in pairs if k.lower() == "content-type"), None)
    body_text, is_b64 = _body_fields(body, content_type)
    query_pairs = parse_qsl(query, keep_blank_values=True)
    now = time.time()
    if event_format in ("http-api", "function-url"):
        return _v2_event(method, path, query, pairs, body_text, is_b64, event_format, stage,
                         source_ip, host, now)
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        single[name] = value
        multi.setdefault(name, []).append(value)
    if event_format.startswith("alb"):
        # ALB passes header names lower-cased and the query string still percent-encoded.
        raw_pairs = [(p.partition("=")[0], p.partition("=")[2]) for p in query.split("&") if p]
        event: dict[str, Any] = {
            "requestContext": {"elb": {"targetGroupArn": (
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/test/abc")}},
            "httpMethod": method, "path": path, "body": body_text or "",
            "isBase64Encoded": is_b64,
        }
        if event_format == "alb-multi":
            lowered: dict[str, list[str]] = {}
            for name, values in multi.items():
                lowered.setdefault(name.lower(), []).extend(values)
            event["multiValueHeaders"] = lowered
            mq: dict[str, list[str]] = {}
            for k, v in raw_pairs:
                mq.setdefault(k, []).append(v)
            event["multiValueQueryStringParameters"] = mq
        else:
            event["headers"] = {k.lower(): v for k, v in single.items()}
            event["queryStringParameters"] = dict(raw_pairs)
        return event
    mquery: dict[str, list[str]] = {}
    for k, v in query_pairs:
        mquery.setdefault(k, []).append(v)
    return {
        "resource": path, "path": path, "httpMethod": method,
        "headers": single, "multiValueHeaders": multi,
        "queryStringParameters": {k: v[-1] for k, v in mquery.items()} or None,
        "multiValueQueryStringParameters": mquery or None,
        "pathParameters": None, "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012", "apiId": host.split(".", 1)[0], "domainName": host,
            "httpMethod": method, "path": "/%s%s" % (stage, path), "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()), "requestTimeEpoch": int(now * 1000),
            "resourcePath": path, "stage": stage,
            "identity": {"sourceIp": source_ip, "userAgent": single.get("User-Agent", "")},
        },
        "body": body_text, "isBase64Encoded": is_b64,
    }


def _v2_event(method: str, path: str, query: str, pairs: list[tuple[str, str]],
              body_text: str | None, is_b64: bool, event_format: str, stage: str,
              source_ip: str, host: str, now: float) -> dict[str, Any]:
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in pairs:
        lname = name.lower()
        if lname == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        headers[lname] = headers[lname] + "," + value if lname in headers else value
    if event_format == "function-url":
        host = "abcdefghij.lambda-url.us-east-1.on.aws" if "execute-api" in host else host
        headers["host"] = host
        stage_name, raw_path = "$default", path
    else:
        stage_name = stage or "$default"
        raw_path = path if stage_name == "$default" else "/%s%s" % (stage_name, path)
    qsp: dict[str, str] = {}
    for k, v in parse_qsl(query, keep_blank_values=True):
        qsp[k] = qsp[k] + "," + v if k in qsp else v
    event: dict[str, Any] = {
        "version": "2.0", "routeKey": "$default", "rawPath": raw_path, "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012", "apiId": host.split(".", 1)[0], "domainName": host,
            "domainPrefix": host.split(".", 1)[0],
            "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1",
                     "sourceIp": source_ip, "userAgent": headers.get("user-agent", "")},
            "requestId": str(uuid.uuid4()), "routeKey": "$default", "stage": stage_name,
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": is_b64,
    }
    if cookies:
        event["cookies"] = cookies
    if qsp:
        event["queryStringParameters"] = qsp
    if body_text is not None:
        event["body"] = body_text
    return event


class HTTPResponse:
    """A decoded response: ``status_code``, ``headers`` (case-insensitive, with
    ``getlist``), ``body`` (bytes), ``json_body``, ``cookies`` (the Set-Cookie
    values) and ``raw`` (the dict the handler returned)."""

    def __init__(self, status_code: int, headers: Headers, body: bytes,
                 raw: dict[str, Any]) -> None:
        self.status_code = status_code
        self.headers = headers
        self.body = body
        self.raw = raw

    @property
    def json_body(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def cookies(self) -> list[str]:
        return self.headers.getlist("set-cookie")

    def __repr__(self) -> str:
        return "<HTTPResponse %s %r>" % (self.status_code, self.body[:80])


def _fail(event_format: str, why: str, raw: object) -> InvalidResponseError:
    return InvalidResponseError("%s response rejected: %s: %r" % (event_format, why, raw))


def decode_response(raw: Any, event_format: str, event: dict[str, Any]) -> HTTPResponse:
    """Check ``raw`` is a response ``event_format``'s service accepts, and decode it."""
    if not isinstance(raw, dict):
        raise _fail(event_format, "the handler must return a dict", raw)
    try:
        json.dumps(raw)
    except (TypeError, ValueError) as exc:
        raise _fail(event_format, "not JSON-serialisable (%s)" % exc, raw) from None
    status = raw.get("statusCode")
    if type(status) is not int or not 100 <= status <= 599:
        raise _fail(event_format, "statusCode must be an int from 100 to 599", raw)
    body = raw.get("body", "")
    if body is None:
        body = ""
    if not isinstance(body, str):
        raise _fail(event_format, "body must be a string", raw)
    is_b64 = raw.get("isBase64Encoded", False)
    if not isinstance(is_b64, bool):
        raise _fail(event_format, "isBase64Encoded must be a bool", raw)
    pairs: list[tuple[str, str]] = []
    single = raw.get("headers") or {}
    multi = raw.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise _fail(event_format, "headers and multiValueHeaders must be objects", raw)
    if event_format == "alb-multi" and single:
        raise _fail(event_format, "an ALB with multi-value headers on ignores 'headers'", raw)
    if event_format == "alb" and multi:
        raise _fail(event_format, "an ALB without multi-value headers ignores "
                    "'multiValueHeaders'", raw)
    if event_format in ("http-api", "function-url") and multi:
        raise _fail(event_format, "payload 2.0 has no multiValueHeaders", raw)
    if event_format.startswith("alb") and not isinstance(raw.get("statusDescription"), str):
        raise _fail(event_format, "ALB responses need a statusDescription", raw)
    lowered_single = {k.lower() for k in single}
    for name, value in single.items():
        if not isinstance(value, str):
            raise _fail(event_format, "header %r must be a string" % name, raw)
        if event_format == "alb":
            pairs.append(("set-cookie" if name.lower() == "set-cookie" else name, value))
        else:
            pairs.append((name, value))
    for name, values in multi.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise _fail(event_format, "multi-value header %r must be a list of strings" % name,
                        raw)
        if name.lower() in lowered_single:
            # API Gateway sends both: a header in both places reaches the client twice.
            raise _fail(event_format, "header %r is in both headers and multiValueHeaders; "
                        "the client would get it twice" % name, raw)
        pairs.extend((name, v) for v in values)
    cookies = raw.get("cookies")
    if cookies is not None:
        if event_format not in ("http-api", "function-url"):
            raise _fail(event_format, "only payload 2.0 has a cookies list", raw)
        if not isinstance(cookies, list) or not all(isinstance(c, str) for c in cookies):
            raise _fail(event_format, "cookies must be a list of strings", raw)
        pairs.extend(("set-cookie", c) for c in cookies)
    try:
        data = base64.b64decode(body, validate=True) if is_b64 else body.encode("utf-8")
    except ValueError:
        raise _fail(event_format, "isBase64Encoded is set but the body is not base64",
                    raw) from None
    merged: dict[str, list[str]] = {}
    for name, value in pairs:
        merged.setdefault(name.lower(), []).append(value)
    return HTTPResponse(status, Headers(merged), data, raw)


class HTTPClient:
    """``client.http``: send requests to the app and get :class:`HTTPResponse` back."""

    def __init__(self, app: App, event_format: str = "rest", stage: str = "api") -> None:
        if event_format not in EVENT_FORMATS:
            raise ValueError("event_format must be one of %s, got %r"
                             % (", ".join(EVENT_FORMATS), event_format))
        self._app = app
        self.event_format = event_format
        self.stage = stage

    def request(self, method: str, path: str,
                headers: Mapping[str, str | list[str]] | None = None,
                body: bytes | str | None = None, json_body: Any = None,
                event_format: str | None = None) -> HTTPResponse:
        """Send ``method path`` (``path`` may carry a query string); ``json_body=``
        sends a JSON document with ``Content-Type: application/json``."""
        fmt = event_format or self.event_format
        send: dict[str, str | list[str]] = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body)
            if not any(k.lower() == "content-type" for k in send):
                send["Content-Type"] = "application/json"
        event = make_event(method, path, send, body, fmt, stage=self.stage)
        raw = self._app(event, FakeLambdaContext(self._app.app_name))
        return decode_response(raw, fmt, event)

    def get(self, path: str, **kwargs: Any) -> HTTPResponse:
        return self.request("GET", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> HTTPResponse:
        return self.request("HEAD", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> HTTPResponse:
        return self.request("OPTIONS", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> HTTPResponse:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> HTTPResponse:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> HTTPResponse:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> HTTPResponse:
        return self.request("DELETE", path, **kwargs)


class Client:
    """The test client: ``Client(app).http.get('/')``; usable as a context manager.

    ``event_format`` picks the event kind every request is sent as (default
    ``"rest"``); each request can override it with ``event_format=``.
    """

    def __init__(self, app: App, event_format: str = "rest", stage: str = "api") -> None:
        self.app = app
        self.http = HTTPClient(app, event_format, stage)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        return None


__all__ = [
    "EVENT_FORMATS",
    "Client",
    "FakeLambdaContext",
    "HTTPClient",
    "HTTPResponse",
    "InvalidResponseError",
    "decode_response",
    "make_event",
]
