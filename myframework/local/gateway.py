"""What API Gateway (or a Function URL, or an ALB) does in front of the function,
done locally: turn an HTTP request into the event that service would send,
call the app's Lambda handler with it, and turn the returned dict back into an
HTTP response, refusing what the service would refuse.

The events come from :func:`myframework.testing.event_from_pairs` and the
responses are checked by :func:`myframework.testing.decode_response_parts`,
the same code the test client uses, so the dev server, the tests and Lambda
see one shape.
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from ..runtime.authorizers import BuiltinAuthorizer, policy_allows
from ..runtime.dispatch import run_bound
from ..runtime.specs import CognitoUserPoolAuthorizer, CustomAuthorizer, IAMAuthorizer
from ..testing import (
    FakeLambdaContext,
    InvalidResponseError,
    decode_response_parts,
    event_from_pairs,
)
from .httpserver import HTTPRequest, Reply

if TYPE_CHECKING:
    from ..runtime.app import App
    from ..runtime.specs import Authorizer, RouteSpec

log = logging.getLogger("myframework.local")

LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024  # synchronous invocation request and response
# Headers about this hop only; API Gateway does not pass them to the function.
_DROPPED = frozenset(("connection", "keep-alive", "te", "transfer-encoding", "upgrade", "expect",
                      "proxy-connection", "proxy-authorization", "trailer"))
_JSON = [("Content-Type", "application/json")]


def _message(status: int, text: str) -> Reply:
    return Reply(status, list(_JSON), json.dumps({"message": text}).encode("utf-8"))


def jwt_claims(token: str) -> dict[str, Any] | None:
    """The payload of a JWT, NOT verified (there are no keys locally), or None."""
    parts = token.split(" ")[-1].split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        return None
    return claims if isinstance(claims, dict) else None


class LocalGateway:
    """The HTTP front of the app for ``myframework local``."""

    def __init__(self, app: App, event_format: str = "rest", api_stage: str = "api",
                 function_name: str = "api_handler", timeout: int = 60, memory_size: int = 128,
                 port: int = 8000) -> None:
        self.app = app
        self.event_format = event_format
        # An HTTP API or Function URL serves locally from its $default stage (no
        # stage in the path); a REST API event carries the configured stage.
        self.stage = api_stage if event_format == "rest" else "$default"
        self.function_name = function_name
        self.timeout = timeout
        self.memory_size = memory_size
        self.port = str(port)
        self._lock = threading.Lock()
        self._warned: set[str] = set()
        routes = getattr(app, "routes", {})  # any handler callable can be served
        self._guarded = any(spec.authorizer is not None
                            for methods in routes.values() for spec in methods.values())

    def warn_once(self, key: str, message: str) -> None:
        with self._lock:
            if key in self._warned:
                return
            self._warned.add(key)
        log.warning(message)

    def _error_reply(self) -> Reply:
        """What the service answers when the function itself fails."""
        if self.event_format in ("http-api", "function-url"):
            return _message(500 if self.event_format == "http-api" else 502,
                            "Internal Server Error")
        return _message(502, "Internal server error")

    def __call__(self, request: HTTPRequest) -> Reply:
        path, _, query = request.target.partition("?")
        pairs = [(k, v) for k, v in request.headers if k.lower() not in _DROPPED]
        forwarded = next((v for k, v in pairs if k.lower() == "x-forwarded-for"), None)
        pairs = [(k, v) for k, v in pairs if not k.lower().startswith("x-forwarded-")]
        pairs.append(("X-Forwarded-For", "%s, %s" % (forwarded, request.client)
                      if forwarded else request.client))
        pairs.append(("X-Forwarded-Port", self.port))
        pairs.append(("X-Forwarded-Proto", "http"))
        event = event_from_pairs(request.method, path, query, pairs, request.body or None,
                                 self.event_format, self.stage, request.client)
        if self._guarded:
            refused = self._authorize(request, path, event)
            if refused is not None:
                return refused
        if len(request.body) > LAMBDA_PAYLOAD_LIMIT * 3 // 4 - 65536:
            size = len(json.dumps(event))
            if size > LAMBDA_PAYLOAD_LIMIT:
                return _message(413, "the event for this request is %d bytes, over Lambda's "
                                     "6 MB invocation limit; send large files straight to S3"
                                % size)
        context = FakeLambdaContext(self.function_name, self.memory_size, float(self.timeout))
        started = time.monotonic()
        try:
            raw = self.app(event, context)
        except Exception:
            log.exception("%s %s: the function raised (on AWS the caller gets %d)",
                          request.method, path, self._error_reply().status)
            return self._error_reply()
        finally:
            elapsed = time.monotonic() - started
            if elapsed > self.timeout:
                log.warning("%s %s took %.1f s; on Lambda it would have timed out after %d s "
                            "(lambda_timeout)", request.method, path, elapsed, self.timeout)
        try:
            status, headers, body = decode_response_parts(raw, self.event_format)
        except InvalidResponseError as exc:
            reply = self._error_reply()
            log.error("%s %s: the function returned a response the service would reject, so "
                      "the caller gets %d: %s", request.method, path, reply.status, exc)
            return reply
        return Reply(status, headers, body)

    # -- authorizers -------------------------------------------------------------------
    def _route(self, method: str, path: str) -> RouteSpec | None:
        try:
            match = self.app._router.match_raw(path)
        except UnicodeDecodeError:
            return None
        if match is None:
            return None
        methods = match[0].methods
        return methods.get(method) or (methods.get("GET") if method == "HEAD" else None)

    def _authorize(self, request: HTTPRequest, path: str, event: dict[str, Any]) -> Reply | None:
        """Run the route's authorizer as far as it can run locally."""
        spec = self._route(request.method, path)
        authorizer: Authorizer | None = spec.authorizer if spec is not None else None
        if authorizer is None:
            return None
        if self.event_format not in ("rest", "http-api"):
            self.warn_once("no-authorizers", (
                "routes have authorizers, but %s does not run API Gateway authorizers, so "
                "requests to them are not checked (as on AWS)" % (
                    "a Function URL" if self.event_format == "function-url" else "an ALB")))
            return None
        headers = {k.lower(): v for k, v in request.headers}
        if isinstance(authorizer, BuiltinAuthorizer):
            return self._run_builtin(authorizer, headers, request.method, path, event)
        if isinstance(authorizer, IAMAuthorizer):
            if "authorization" not in headers:
                return _message(403, "Missing Authentication Token")
            self.warn_once("iam", "IAMAuthorizer: SigV4 signatures cannot be checked locally; "
                                  "requests with an Authorization header are let through")
            return None
        header = str(getattr(authorizer, "header", "Authorization")).lower()
        token = headers.get(header)
        if not token:
            return _message(401, "Unauthorized")
        if isinstance(authorizer, CognitoUserPoolAuthorizer):
            claims = jwt_claims(token)
            if claims is None:
                return _message(401, "Unauthorized")
            self.warn_once("cognito:" + authorizer.name, (
                "CognitoUserPoolAuthorizer %r: token signatures cannot be checked locally; the "
                "token's claims are passed on unverified" % authorizer.name))
            context = event.setdefault("requestContext", {})
            if self.event_format in ("http-api", "function-url"):
                context["authorizer"] = {"jwt": {"claims": claims,
                                                 "scopes": authorizer.scopes or None}}
            else:
                context["authorizer"] = {"claims": claims}
            return None
        if isinstance(authorizer, CustomAuthorizer):
            self.warn_once("custom:" + authorizer.name, (
                "CustomAuthorizer %r is a Lambda function outside this app and does not run "
                "locally; requests with a %s header are let through"
                % (authorizer.name, authorizer.header)))
        return None


    def _run_builtin(self, authorizer: BuiltinAuthorizer, headers: dict[str, str], method: str,
                     path: str, event: dict[str, Any]) -> Reply | None:
        """Run an ``@app.authorizer()`` function as API Gateway would, and enforce its policy."""
        token = headers.get(authorizer.header.lower())
        if not token:
            return _message(401, "Unauthorized")
        context = event.setdefault("requestContext", {})
        method_arn = "arn:aws:execute-api:us-east-1:123456789012:%s/%s/%s%s" % (
            context.get("apiId", "local"), context.get("stage", self.stage), method, path)
        auth_event = {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn}
        try:
            if authorizer.name in self.app._handlers:
                result = run_bound(self.app, authorizer.name, auth_event,
                                   FakeLambdaContext("%s-%s" % (self.function_name,
                                                                authorizer.name)))
            else:
                result = authorizer(auth_event)
            allowed = policy_allows(result, method_arn)
        except Exception as exc:
            if str(exc) == "Unauthorized":  # how a Lambda authorizer asks for a 401
                return _message(401, "Unauthorized")
            log.exception("authorizer %s failed (API Gateway answers 500)", authorizer.name)
            return Reply(500, list(_JSON), b'{"message": null}')
        if allowed is not True:
            return Reply(403, list(_JSON), json.dumps({"Message": (
                "User is not authorized to access this resource"
                + (" with an explicit deny" if allowed is False else ""))}).encode("utf-8"))
        values = result.get("context") or {}
        principal = result.get("principalId")
        if self.event_format == "http-api":
            context["authorizer"] = {"lambda": {**values, "principalId": principal}}
        else:
            context["authorizer"] = {**values, "principalId": principal}
        return None


class BrokenApp:
    """Answers every request while ``app.py`` cannot be imported (the reloader is
    waiting for the next save): a 500 that says where to look."""

    def __init__(self, summary: str, what: str = "app.py") -> None:
        self.body = ("%s failed to load, so there is no app to call: %s\n"
                     "The full error is in the terminal running `myframework local`; save a "
                     "fix and the server reloads.\n" % (what, summary)).encode("utf-8")

    def __call__(self, request: HTTPRequest) -> Reply:
        return Reply(500, [("Content-Type", "text/plain; charset=utf-8")], self.body)
