"""Test your app in-process, through the same code path Lambda uses.

HTTP requests, AWS events (``client.events``), direct invocations of
registered handlers (``client.lambda_``) and the tasks sent with ``.delay()``
(``client.tasks``) all go through the handler Lambda would call.

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
import hashlib
import json
import re
import time
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, quote_plus

from .runtime.request import Headers
from .runtime.tasks import TaskDispatcher

if TYPE_CHECKING:
    from types import TracebackType

    from .runtime.app import App
    from .runtime.event_specs import TaskSpec

EVENT_FORMATS = ("rest", "http-api", "function-url", "alb", "alb-multi")
_SAFE_PATH_CHARS = "/%:@!$&'()*+,;=-._~"
_BREAKS = re.compile("[\r\n\x00]")
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
    path, query = _split_target(target)
    return event_from_pairs(method, path, query, _header_pairs(headers), body, event_format,
                            stage, source_ip, host)


def event_from_pairs(method: str, path: str, query: str, pairs: list[tuple[str, str]],
                     body: bytes | str | None, event_format: str = "rest", stage: str = "api",
                     source_ip: str = "127.0.0.1",
                     host: str = "abc123.execute-api.us-east-1.amazonaws.com") -> dict[str, Any]:
    """:func:`make_event` for a request already split up: ``path`` percent-encoded
    as sent, ``query`` the raw query string, ``pairs`` the headers in order
    (the dev server builds its events with this)."""
    method = method.upper()
    if not any(k.lower() == "host" for k, _ in pairs):
        pairs = [("Host", host), *pairs]
    else:
        host = next(v for k, v in pairs if k.lower() == "host")
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
    status, pairs, data = decode_response_parts(raw, event_format)
    merged: dict[str, list[str]] = {}
    for name, value in pairs:
        merged.setdefault(name.lower(), []).append(value)
    return HTTPResponse(status, Headers(merged), data, raw)


def decode_response_parts(raw: Any, event_format: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """:func:`decode_response` as ``(status, header pairs in order, body bytes)``;
    raises :class:`InvalidResponseError` for what the service would reject."""
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
        if _BREAKS.search(name) or _BREAKS.search(value):
            raise _fail(event_format, "header %r contains a line break or NUL (it would "
                        "split the response)" % name, raw)
        if event_format == "alb":
            pairs.append(("set-cookie" if name.lower() == "set-cookie" else name, value))
        else:
            pairs.append((name, value))
    for name, values in multi.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise _fail(event_format, "multi-value header %r must be a list of strings" % name,
                        raw)
        if _BREAKS.search(name) or any(_BREAKS.search(v) for v in values):
            raise _fail(event_format, "header %r contains a line break or NUL (it would "
                        "split the response)" % name, raw)
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
        if any(_BREAKS.search(c) for c in cookies):
            raise _fail(event_format, "a cookie contains a line break or NUL", raw)
        pairs.extend(("set-cookie", c) for c in cookies)
    try:
        data = base64.b64decode(body, validate=True) if is_b64 else body.encode("utf-8")
    except ValueError:
        raise _fail(event_format, "isBase64Encoded is set but the body is not base64",
                    raw) from None
    return status, pairs, data


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


ACCOUNT = "123456789012"


def _iso_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


class EventGenerator:
    """``client.events``: build events shaped exactly like the ones AWS sends
    (the documented sample events, with your values filled in)."""

    def __init__(self, region: str = "us-east-1") -> None:
        self.region = region

    def generate_s3_event(self, bucket: str, key: str, event_name: str = "ObjectCreated:Put",
                          size: int = 1024, etag: str = "d41d8cd98f00b204e9800998ecf8427e",
                          version_id: str | None = None) -> dict[str, Any]:
        """An S3 notification for one object. ``key`` is given decoded; it is
        URL-encoded the way S3 encodes keys in notifications (spaces as ``+``)."""
        obj: dict[str, Any] = {"key": quote_plus(key, safe="/"), "size": size, "eTag": etag,
                               "sequencer": "0A1B2C3D4E5F678901"}
        if event_name.startswith("ObjectRemoved"):
            obj = {"key": obj["key"], "sequencer": obj["sequencer"]}
        if version_id is not None:
            obj["versionId"] = version_id
        return {"Records": [{
            "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": self.region,
            "eventTime": _iso_now(), "eventName": event_name,
            "userIdentity": {"principalId": "AWS:AIDAINPONIXQXHT3IKHL2"},
            "requestParameters": {"sourceIPAddress": "127.0.0.1"},
            "responseElements": {"x-amz-request-id": "D82B88E5F771F645",
                                 "x-amz-id-2": "vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHP"},
            "s3": {
                "s3SchemaVersion": "1.0", "configurationId": "myframework-test",
                "bucket": {"name": bucket, "ownerIdentity": {"principalId": "A3I5XTEXAMAI3E"},
                           "arn": "arn:aws:s3:::%s" % bucket},
                "object": obj,
            },
        }]}

    def generate_sqs_event(self, message_bodies: list[str], queue_name: str = "queue-name",
                           message_attributes: dict[str, str] | None = None,
                           group_id: str = "group-1") -> dict[str, Any]:
        """One SQS batch with a record per body. A queue name ending in
        ``.fifo`` gets FIFO attributes (``MessageGroupId``...)."""
        now = str(int(time.time() * 1000))
        attrs_in = {name: {"stringValue": value, "stringListValues": [], "binaryListValues": [],
                           "dataType": "String"}
                    for name, value in (message_attributes or {}).items()}
        records = []
        for index, body in enumerate(message_bodies):
            attributes = {"ApproximateReceiveCount": "1", "SentTimestamp": now,
                          "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                          "ApproximateFirstReceiveTimestamp": now}
            if queue_name.endswith(".fifo"):
                attributes.update({"SequenceNumber": str(18849496460467696128 + index),
                                   "MessageGroupId": group_id,
                                   "MessageDeduplicationId": uuid.uuid4().hex})
            records.append({
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a" + uuid.uuid4().hex,
                "body": body, "attributes": attributes, "messageAttributes": dict(attrs_in),
                "md5OfBody": hashlib.md5(body.encode("utf-8")).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:%s:%s:%s" % (self.region, ACCOUNT, queue_name),
                "awsRegion": self.region,
            })
        return {"Records": records}

    def generate_sns_event(self, message: str, subject: str | None = "",
                           message_attributes: Mapping[str, str | dict[str, str]] | None = None,
                           topic: str = "mytopic") -> dict[str, Any]:
        """An SNS notification on ``topic`` (a name or ARN). ``message_attributes``
        values are strings or SNS-shaped ``{"Type": ..., "Value": ...}`` dicts
        (Chalice's form); the arguments are in Chalice's order."""
        arn = topic if topic.startswith("arn:") else "arn:aws:sns:%s:%s:%s" % (
            self.region, ACCOUNT, topic)
        return {"Records": [{
            "EventVersion": "1.0",
            "EventSubscriptionArn": "%s:%s" % (arn, uuid.uuid4()),
            "EventSource": "aws:sns",
            "Sns": {
                "SignatureVersion": "1", "Timestamp": _iso_now(),
                "Signature": "EXAMPLE", "MessageId": str(uuid.uuid4()),
                "SigningCertUrl": "https://sns.%s.amazonaws.com/"
                                  "SimpleNotificationService-0000.pem" % self.region,
                "Message": message,
                "MessageAttributes": {
                    name: dict(value) if isinstance(value, dict)
                    else {"Type": "String", "Value": value}
                    for name, value in (message_attributes or {}).items()},
                "Type": "Notification",
                "UnsubscribeUrl": "https://sns.%s.amazonaws.com/?Action=Unsubscribe" % self.region,
                "TopicArn": arn, "Subject": subject if subject else None,
            },
        }]}

    def generate_cw_event(self, source: str, detail_type: str, detail: dict[str, Any],
                          resources: list[str], region: str | None = None) -> dict[str, Any]:
        """An EventBridge (CloudWatch Events) event."""
        return {"version": "0", "id": str(uuid.uuid4()), "detail-type": detail_type,
                "source": source, "account": ACCOUNT,
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "region": region or self.region, "resources": list(resources), "detail": detail}

    def generate_scheduled_event(self, rule_name: str = "my-schedule") -> dict[str, Any]:
        """The event an EventBridge schedule rule sends."""
        return self.generate_cw_event(
            "aws.events", "Scheduled Event", {},
            ["arn:aws:events:%s:%s:rule/%s" % (self.region, ACCOUNT, rule_name)])


def sample_event(spec: Any, app_name: str = "app", stage: str = "dev") -> Any:
    """A realistic event for a registered handler (a ``HandlerSpec``): the kind of
    event its source sends, for its own bucket, queue, topic or pattern, so that
    its filters match. Used by ``invoke --local`` and ``package --verify``."""
    events = EventGenerator()
    kind = spec.kind
    if kind == "schedule":
        return events.generate_scheduled_event("%s-%s-%s" % (app_name, stage, spec.name))
    if kind == "s3":
        key = (spec.prefix or "") + "example" + (spec.suffix or ".txt")
        return events.generate_s3_event(spec.bucket, key)
    if kind == "sqs":
        return events.generate_sqs_event(['{"example": true}'], queue_name=spec.queue_name)
    if kind == "sns":
        return events.generate_sns_event('{"example": true}', topic=spec.topic)
    if kind == "cloudwatch":
        pattern = spec.event_pattern
        source = pattern.get("source", ["myframework.local"])
        detail_type = pattern.get("detail-type", ["Local test"])
        return events.generate_cw_event(
            source[0] if isinstance(source, list) and source else "myframework.local",
            detail_type[0] if isinstance(detail_type, list) and detail_type else "Local test",
            {}, [])
    if getattr(spec, "authorizer", None) is not None:  # an @app.authorizer() function
        return {"type": "TOKEN", "authorizationToken": "example-token",
                "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc123/api/GET/"}
    return {}


class InvokeResponse:
    """``client.lambda_.invoke`` result: ``payload`` is what the handler returned."""

    def __init__(self, payload: Any) -> None:
        self.payload = payload

    def __repr__(self) -> str:
        return "<InvokeResponse %.200r>" % (self.payload,)


class LambdaClient:
    """``client.lambda_``: invoke a registered handler as its deployed function would be."""

    def __init__(self, app: App) -> None:
        self._app = app

    def invoke(self, function_name: str, payload: Any = None) -> InvokeResponse:
        """Run the handler registered as ``function_name`` on ``payload`` (an
        event dict, e.g. from ``client.events``). Exceptions propagate."""
        from .runtime.dispatch import run_bound
        app = self._app
        if function_name not in app._handlers:
            raise ValueError("%s has no handler named %r; registered: %s" % (
                app.app_name, function_name, ", ".join(sorted(app._handlers)) or "none"))
        try:
            event = json.loads(json.dumps(payload if payload is not None else {}))
        except (TypeError, ValueError) as exc:
            raise ValueError("the payload must be JSON-serialisable, as Lambda sends JSON: %s"
                             % exc) from None
        context = FakeLambdaContext("%s-%s" % (app.app_name, function_name))
        result = run_bound(app, function_name, event, context)
        try:
            json.dumps(result)
        except (TypeError, ValueError) as exc:
            raise InvalidResponseError("%s returned a value Lambda cannot send back as JSON: %s"
                                       % (function_name, exc)) from None
        return InvokeResponse(result)


def run_task_payload(app: App, spec: TaskSpec, payload: str) -> Any:
    """Run a task's JSON payload as its deployed task function would (used by the
    test client and the local worker pool)."""
    from .runtime.dispatch import TASKS_PREFIX, run_bound
    context = FakeLambdaContext("%s-tasks-%s" % (app.app_name, spec.queue),
                                timeout_seconds=float(spec.timeout or 900))
    return run_bound(app, TASKS_PREFIX + spec.queue, json.loads(payload), context)


class DelayedTask:
    """One ``.delay()`` call seen by the test client.

    ``status`` is ``"pending"``, ``"succeeded"`` or ``"failed"``; after it
    ran, ``result`` or ``error`` hold the outcome.
    """

    def __init__(self, spec: TaskSpec, envelope: dict[str, Any], payload: str) -> None:
        self.spec = spec
        self.id: str = envelope["id"]
        self.name = spec.name
        sent = json.loads(payload)  # what the task function will receive (tuples are lists)
        self.args: list[Any] = sent["args"]
        self.kwargs: dict[str, Any] = sent["kwargs"]
        self.payload = payload
        self.status = "pending"
        self.result: Any = None
        self.error: BaseException | None = None

    def __repr__(self) -> str:
        return "<DelayedTask %s %s id=%s>" % (self.name, self.status, self.id)


class TaskRecorder(TaskDispatcher):
    """``client.tasks``: records every ``.delay()`` instead of invoking Lambda.

    ``run_pending()`` runs the recorded tasks through the same receiving code
    as the deployed task function (the JSON payload included). With
    ``eager = True`` each task runs as soon as it is delayed, and its
    exception propagates to the ``.delay()`` caller so tests fail loudly
    (on Lambda the caller never sees a task's failure).
    """

    def __init__(self, app: App, eager: bool = False) -> None:
        self._app = app
        self.eager = eager
        self.history: list[DelayedTask] = []

    @property
    def pending(self) -> list[DelayedTask]:
        return [t for t in self.history if t.status == "pending"]

    @property
    def succeeded(self) -> list[DelayedTask]:
        return [t for t in self.history if t.status == "succeeded"]

    @property
    def failed(self) -> list[DelayedTask]:
        return [t for t in self.history if t.status == "failed"]

    def named(self, name: str) -> list[DelayedTask]:
        return [t for t in self.history if t.name == name]

    def dispatch(self, spec: TaskSpec, envelope: dict[str, Any], payload: str) -> None:
        task = DelayedTask(spec, envelope, payload)
        self.history.append(task)
        if self.eager:
            self.run(task, raise_errors=True)

    def run(self, task: DelayedTask, raise_errors: bool = True) -> DelayedTask:
        """Run one recorded task as the deployed task function would."""
        try:
            task.result = run_task_payload(self._app, task.spec, task.payload)
            task.status = "succeeded"
        except Exception as exc:
            task.status, task.error = "failed", exc
            if raise_errors:
                raise
        return task

    def run_pending(self, raise_errors: bool = True, max_rounds: int = 100) -> list[DelayedTask]:
        """Run every pending task, including tasks they delay, in order.

        With ``raise_errors`` the first failure is re-raised after it is
        recorded; otherwise failures are only recorded (see ``failed``).
        """
        ran: list[DelayedTask] = []
        for _ in range(max_rounds):
            batch = self.pending
            if not batch:
                return ran
            for task in batch:
                ran.append(self.run(task, raise_errors))
        raise RuntimeError("tasks kept delaying more tasks for %d rounds; is there a loop?"
                           % max_rounds)

    def clear(self) -> None:
        self.history.clear()


class Client:
    """The test client: ``Client(app).http.get('/')``; usable as a context manager.

    ``event_format`` picks the event kind every request is sent as (default
    ``"rest"``); each request can override it with ``event_format=``.
    ``client.events`` builds AWS events, ``client.lambda_.invoke(name,
    event)`` runs a registered handler, and ``client.tasks`` records the
    tasks the app sends with ``.delay()`` (the client sets ``app.task_dispatcher``
    until it is closed; ``eager_tasks=True`` runs them at once).
    """

    def __init__(self, app: App, event_format: str = "rest", stage: str = "api",
                 eager_tasks: bool = False) -> None:
        self.app = app
        self.http = HTTPClient(app, event_format, stage)
        self.events = EventGenerator()
        self.lambda_ = LambdaClient(app)
        self.tasks = TaskRecorder(app, eager_tasks)
        # Any handler callable works for HTTP; only an App has tasks.
        self._previous_dispatcher = getattr(app, "task_dispatcher", None)
        if hasattr(app, "task_dispatcher"):
            app.task_dispatcher = self.tasks

    def close(self) -> None:
        """Give the app back the task dispatcher it had before this client."""
        if getattr(self.app, "task_dispatcher", None) is self.tasks:
            self.app.task_dispatcher = self._previous_dispatcher

    def __enter__(self) -> Client:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


__all__ = [
    "EVENT_FORMATS",
    "Client",
    "DelayedTask",
    "EventGenerator",
    "FakeLambdaContext",
    "HTTPClient",
    "HTTPResponse",
    "InvalidResponseError",
    "InvokeResponse",
    "LambdaClient",
    "TaskRecorder",
    "decode_response",
    "make_event",
]
