"""Shared pieces for the WSGI bridge checklist tests.

Events are built as literal dicts in the shape each AWS service sends (the
samples in the API Gateway, Lambda Function URL and ELB developer guides), so
the tests drive ``app(event, context)`` exactly as Lambda does.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from myframework import App
from myframework.testing import FakeLambdaContext, HTTPResponse, decode_response

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
HeaderInput = Mapping[str, str | list[str]]

API_HOST = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
CN_API_HOST = "a1b2c3d4e5.execute-api.cn-north-1.amazonaws.com.cn"
URL_HOST = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws"
ALB_HOST = "my-alb-123456789.us-east-1.elb.amazonaws.com"
CUSTOM_HOST = "api.example.com"
CLIENT_IP = "198.51.100.7"
TARGET_GROUP = ("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/"
                "lambda-tg/49e9d65c45c6791a")

# Every event kind the bridge serves; "rest-single" is a REST event without the
# multiValue* keys, "alb" an ALB target group without multi-value headers.
KINDS = ("rest", "rest-single", "http-v1", "http-v2", "function-url", "alb", "alb-multi")
REST_KINDS = ("rest", "rest-single")  # API Gateway REST (payload 1.0, no "version")
V1_KINDS = ("rest", "rest-single", "http-v1")  # decoded query parameters
V2_KINDS = ("http-v2", "function-url")
ALB_KINDS = ("alb", "alb-multi")
# The response format myframework.testing.decode_response checks each kind against.
RESPONSE_FORMAT = {"rest": "rest", "rest-single": "rest", "http-v1": "rest", "http-v2": "http-api",
                   "function-url": "function-url", "alb": "alb", "alb-multi": "alb-multi"}
DEFAULT_HOST = {"rest": API_HOST, "rest-single": API_HOST, "http-v1": API_HOST,
                "http-v2": API_HOST, "function-url": URL_HOST, "alb": ALB_HOST,
                "alb-multi": ALB_HOST}

_DEFAULT: Any = object()
_names = itertools.count()


def _pairs(headers: HeaderInput | None) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, value in (headers or {}).items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, item))
    return pairs


def make(kind: str, method: str = "GET", path: str = "/", *,
         headers: HeaderInput | None = None,
         query: Sequence[tuple[str, str]] = (),
         body: str | None = None, b64: bool = False,
         host: Any = _DEFAULT, stage: Any = _DEFAULT,
         forwarded: bool = True, source_ip: str = CLIENT_IP) -> dict[str, Any]:
    """An event of ``kind`` for ``method path`` as the AWS service sends it.

    ``path`` is the path as it travels (percent-escapes kept). ``query`` holds
    the decoded (key, value) pairs the client meant; each kind carries them its
    own way (decoded maps, ``rawQueryString``, or ALB's still-encoded values).
    ``host=None`` sends no Host header. ``forwarded`` adds the
    X-Forwarded-For/-Port/-Proto headers every one of these services adds.
    ``stage``: REST default ``dev``; HTTP API default ``$default``.
    """
    if kind not in KINDS:
        raise ValueError(kind)
    if host is _DEFAULT:
        host = DEFAULT_HOST[kind]
    pairs: list[tuple[str, str]] = []
    if host is not None:
        pairs.append(("Host", host))
    if forwarded:
        pairs += [("X-Forwarded-For", source_ip), ("X-Forwarded-Port", "443"),
                  ("X-Forwarded-Proto", "https")]
    pairs += _pairs(headers)
    if kind in V2_KINDS:
        return _v2(kind, method, path, pairs, query, body, b64, host, stage, source_ip)
    if kind in ALB_KINDS:
        return _alb(kind, method, path, pairs, query, body, b64)
    return _v1(kind, method, path, pairs, query, body, b64, host, stage, source_ip)


def _v1(kind: str, method: str, path: str, pairs: list[tuple[str, str]],
        query: Sequence[tuple[str, str]], body: str | None, b64: bool, host: str | None,
        stage: Any, source_ip: str) -> dict[str, Any]:
    http_v1 = kind == "http-v1"
    if stage is _DEFAULT:
        stage = "$default" if http_v1 else "dev"
    if http_v1:  # HTTP API passes header names lower-cased
        pairs = [(name.lower(), value) for name, value in pairs]
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        single[name] = value
        multi.setdefault(name, []).append(value)
    mquery: dict[str, list[str]] = {}
    for key, value in query:
        mquery.setdefault(key, []).append(value)
    # HTTP API 1.0 puts a named stage in the path; REST never does.
    event_path = "/%s%s" % (stage, path) if http_v1 and stage != "$default" else path
    ctx: dict[str, Any] = {
        "accountId": "123456789012", "apiId": "a1b2c3d4e5",
        "authorizer": {"claims": None, "scopes": None} if http_v1 else None,
        "extendedRequestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "httpMethod": method,
        "identity": {"accessKey": None, "accountId": None, "caller": None,
                     "cognitoAuthenticationProvider": None, "cognitoAuthenticationType": None,
                     "cognitoIdentityId": None, "cognitoIdentityPoolId": None,
                     "principalOrgId": None, "sourceIp": source_ip, "user": None,
                     "userAgent": "Custom User Agent String", "userArn": None},
        "path": "/%s%s" % (stage, path) if not http_v1 else event_path,
        "protocol": "HTTP/1.1", "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "requestTime": "09/Apr/2015:12:34:56 +0000", "requestTimeEpoch": 1428582896000,
        "resourceId": "123456", "resourcePath": "/{proxy+}", "stage": stage,
    }
    if ctx["authorizer"] is None:
        del ctx["authorizer"]
    if host is not None:
        ctx["domainName"] = host
        ctx["domainPrefix"] = host.split(".", 1)[0]
    event: dict[str, Any] = {
        "resource": "/{proxy+}", "path": event_path, "httpMethod": method,
        "headers": single or None,
        "queryStringParameters": {k: v[-1] for k, v in mquery.items()} or None,
        "pathParameters": {"proxy": path.lstrip("/")}, "stageVariables": None,
        "requestContext": ctx, "body": body, "isBase64Encoded": b64,
    }
    if kind != "rest-single":
        event["multiValueHeaders"] = multi or None
        event["multiValueQueryStringParameters"] = mquery or None
    if http_v1:
        event = {"version": "1.0", **event}
    return event


def _v2(kind: str, method: str, path: str, pairs: list[tuple[str, str]],
        query: Sequence[tuple[str, str]], body: str | None, b64: bool, host: str | None,
        stage: Any, source_ip: str) -> dict[str, Any]:
    if stage is _DEFAULT or kind == "function-url":
        stage = "$default"
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in pairs:
        lname = name.lower()
        if lname == "cookie":  # payload 2.0 moves cookies out of the headers
            cookies += [c.strip() for c in value.split(";") if c.strip()]
        else:  # repeated headers arrive joined with commas
            headers[lname] = headers[lname] + "," + value if lname in headers else value
    raw_path = path if stage == "$default" else "/%s%s" % (stage, path)
    qsp: dict[str, str] = {}
    for key, value in query:
        qsp[key] = qsp[key] + "," + value if key in qsp else value
    # A Function URL is known by its lambda-url domainName, whatever the Host header says.
    domain = host if host is not None and kind != "function-url" else DEFAULT_HOST[kind]
    event: dict[str, Any] = {
        "version": "2.0", "routeKey": "$default", "rawPath": raw_path,
        "rawQueryString": urlencode(list(query), quote_via=quote),
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012", "apiId": domain.split(".", 1)[0],
            "domainName": domain, "domainPrefix": domain.split(".", 1)[0],
            "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1",
                     "sourceIp": source_ip, "userAgent": "agent"},
            "requestId": "JKJaXmPLvHcESHA=", "routeKey": "$default", "stage": stage,
            "time": "12/Mar/2020:19:03:58 +0000", "timeEpoch": 1583348638390,
        },
        "isBase64Encoded": b64,
    }
    if kind == "function-url":
        event["requestContext"]["authorizer"] = None
        event["pathParameters"] = None
        event["stageVariables"] = None
    if cookies:
        event["cookies"] = cookies
    if qsp:
        event["queryStringParameters"] = qsp
    if body is not None:
        event["body"] = body
    return event


def _alb(kind: str, method: str, path: str, pairs: list[tuple[str, str]],
         query: Sequence[tuple[str, str]], body: str | None, b64: bool) -> dict[str, Any]:
    pairs = [(name.lower(), value) for name, value in pairs]  # ALB lower-cases header names
    # ALB hands the query string over still percent-encoded, as the client sent it.
    encoded = [(quote(k, safe=""), quote(v, safe="")) for k, v in query]
    event: dict[str, Any] = {
        "requestContext": {"elb": {"targetGroupArn": TARGET_GROUP}},
        "httpMethod": method, "path": path,
        "body": body if body is not None else "", "isBase64Encoded": b64,
    }
    if kind == "alb-multi":
        multi: dict[str, list[str]] = {}
        for name, value in pairs:
            multi.setdefault(name, []).append(value)
        mquery: dict[str, list[str]] = {}
        for key, value in encoded:
            mquery.setdefault(key, []).append(value)
        event["multiValueHeaders"] = multi
        event["multiValueQueryStringParameters"] = mquery
    else:  # without multi-value headers the ALB sends the last value of each name
        event["headers"] = dict(pairs)
        event["queryStringParameters"] = dict(encoded)
    return event


class RecordingApp:
    """A WSGI app that keeps each environ (and the body it read) and answers as told."""

    def __init__(self, body: Iterable[bytes] = (b"ok",), status: str = "200 OK",
                 headers: Sequence[tuple[str, str]] = (("Content-Type", "text/plain"),)) -> None:
        self.body = list(body)
        self.status = status
        self.headers = list(headers)
        self.calls: list[Environ] = []
        self.inputs: list[bytes] = []

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        self.calls.append(environ)
        self.inputs.append(environ["wsgi.input"].read())
        start_response(self.status, list(self.headers))
        return list(self.body)

    @property
    def environ(self) -> Environ:
        assert len(self.calls) == 1, "the WSGI app ran %d times" % len(self.calls)
        return self.calls[0]

    @property
    def input(self) -> bytes:
        assert len(self.inputs) == 1
        return self.inputs[0]


class ClosingBody:
    """A WSGI body iterable that records whether close() was called."""

    def __init__(self, chunks: Iterable[Any], fail_after: int | None = None) -> None:
        self.chunks = list(chunks)
        self.fail_after = fail_after
        self.closed = 0
        self.yielded = 0

    def __iter__(self) -> ClosingBody:
        return self

    def __next__(self) -> Any:
        if self.fail_after is not None and self.yielded == self.fail_after:
            raise RuntimeError("the body broke mid-iteration")
        if self.yielded >= len(self.chunks):
            raise StopIteration
        self.yielded += 1
        return self.chunks[self.yielded - 1]

    def close(self) -> None:
        self.closed += 1


def mounted(wsgi: Callable[..., Any], *, debug: bool = False, **mount: Any) -> App:
    """A fresh App (unique name, so loggers are not shared) with ``wsgi`` mounted."""
    app = App("wsgi-checklist-%d" % next(_names), debug=debug)
    app.mount_wsgi(wsgi, **mount)
    return app


def invoke(app: App, event: dict[str, Any]) -> Any:
    """Call the app as Lambda does."""
    return app(event, FakeLambdaContext(app.app_name))


def respond(app: App, kind: str, event: dict[str, Any]) -> HTTPResponse:
    """Invoke, then check the answer against what ``kind``'s service accepts and decode it."""
    return decode_response(invoke(app, event), RESPONSE_FORMAT[kind], event)


def environ_for(kind: str, method: str = "GET", path: str = "/", **options: Any) -> Environ:
    """The environ a recording app mounted at "/" receives for one event."""
    wsgi = RecordingApp()
    respond(mounted(wsgi), kind, make(kind, method, path, **options))
    return wsgi.environ


def serve(kind: str, status: str = "200 OK",
          headers: Sequence[tuple[str, str]] = (("Content-Type", "text/plain"),),
          body: Iterable[bytes] = (b"ok",), method: str = "GET",
          app_setup: Callable[[App], None] | None = None, **mount: Any) -> HTTPResponse:
    """The decoded response when the WSGI app answers ``status headers body``."""
    wsgi = RecordingApp(body, status, headers)
    app = mounted(wsgi, **mount)
    if app_setup is not None:
        app_setup(app)
    return respond(app, kind, make(kind, method, "/page"))
