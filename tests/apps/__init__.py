"""Real WSGI applications (Flask, Django) the functional tests mount in myframework,
and what those tests share: the hosts each event format arrives on, and a
multipart/form-data encoder."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from myframework.testing import FakeLambdaContext, HTTPResponse, decode_response, make_event

EXECUTE_API_HOST = "abc123.execute-api.us-east-1.amazonaws.com"  # the test client's default
FUNCTION_URL_HOST = "abcdefghij.lambda-url.us-east-1.on.aws"  # the test client's Function URL
ALB_HOST = "my-alb-1234567890.us-east-1.elb.amazonaws.com"
CUSTOM_HOST = "www.example.com"
STAGE = "api"  # the test client's default stage

# What an ALB adds in front of the app (without X-Forwarded-Proto the scheme is "http").
ALB_HEADERS = {"Host": ALB_HOST, "X-Forwarded-Proto": "https", "X-Forwarded-Port": "443",
               "X-Forwarded-For": "203.0.113.9"}


def format_headers(fmt: str) -> dict[str, str]:
    """The headers every request of this event format carries in the tests."""
    return dict(ALB_HEADERS) if fmt.startswith("alb") else {}


def path_root(fmt: str) -> str:
    """What comes before the app's own paths in URLs the app generates.

    API Gateway's execute-api host keeps the stage in the URL (REST always; the
    HTTP API for a named stage); Function URLs and ALBs have none.
    """
    return "/" + STAGE if fmt in ("rest", "http-api") else ""


def url_root(fmt: str) -> str:
    """Scheme, host and path root of the URLs the app generates for this format."""
    host = {"rest": EXECUTE_API_HOST, "http-api": EXECUTE_API_HOST,
            "function-url": FUNCTION_URL_HOST}.get(fmt, ALB_HOST)
    return "https://" + host + path_root(fmt)


def custom_domain_request(app: Any, fmt: str, method: str, target: str,
                          headers: Mapping[str, str] | None = None,
                          body: bytes | str | None = None,
                          host: str = CUSTOM_HOST) -> HTTPResponse:
    """Send a request arriving through a custom domain ``host``, shaped as AWS sends it.

    REST and ALB: the Host header (and ``requestContext.domainName``) is the custom
    domain. HTTP API: the same, and ``rawPath`` carries no stage. Function URL:
    the Host header is the custom domain (a proxy in front), the domain the URL's own.
    """
    send = dict(headers or {})
    if fmt.startswith("alb"):
        send.update({k: v for k, v in ALB_HEADERS.items() if k != "Host"})
    if fmt == "function-url":
        event = make_event(method, target, send, body, fmt)
        event["headers"]["host"] = host
    else:
        event = make_event(method, target, send, body, fmt, host=host)
    if fmt == "http-api":  # a custom domain's API mapping: the path has no stage
        staged = event["rawPath"]
        assert staged.startswith("/" + STAGE + "/")
        event["rawPath"] = event["requestContext"]["http"]["path"] = staged[len(STAGE) + 1:]
    raw = app(event, FakeLambdaContext(app.app_name))
    return decode_response(raw, fmt, event)


def multipart(fields: Mapping[str, str],
              files: Mapping[str, tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body: ``files`` maps a field to (filename, content type, data).

    Returns the body and the Content-Type header value (with its boundary).
    """
    boundary = "----myframework" + uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n"
                      % (boundary, name)).encode("utf-8") + value.encode("utf-8") + b"\r\n")
    for name, (filename, ctype, data) in files.items():
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                      "Content-Type: %s\r\n\r\n" % (boundary, name, filename, ctype)
                      ).encode("utf-8") + data + b"\r\n")
    parts.append(("--%s--\r\n" % boundary).encode("ascii"))
    return b"".join(parts), "multipart/form-data; boundary=" + boundary


def cookie_pairs(set_cookies: list[str]) -> dict[str, str]:
    """name -> value of each Set-Cookie header value (attributes dropped)."""
    pairs: dict[str, str] = {}
    for item in set_cookies:
        name, _, value = item.strip().split(";", 1)[0].partition("=")
        pairs[name.strip()] = value
    return pairs


def cookie_header(set_cookies: list[str]) -> str:
    """The Cookie header a browser would send back after these Set-Cookie headers."""
    return "; ".join("%s=%s" % item for item in cookie_pairs(set_cookies).items())
