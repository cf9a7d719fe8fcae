"""The WSGI bridge: ``app.mount_wsgi(flask_app)`` serves an existing WSGI app.

Every HTTP request that no ``@app.route`` matched, under the mount's prefix,
is turned into a PEP 3333 environ, handed to the WSGI application, and its
answer becomes a :class:`~myframework.runtime.response.Response` that goes
through the same middleware, CORS and rendering as a view's response.

Loaded only by apps that mount one (it costs nothing to the others' cold
start). Standard library only.

The environ carries, besides the CGI and ``wsgi.*`` keys:

``myframework.event``           the raw Lambda event
``myframework.context``         the Lambda context object
``myframework.request_context`` the event's ``requestContext`` (``{}`` when absent)
``myframework.request``         the :class:`~myframework.runtime.request.Request`
``lambda.event``, ``lambda.context``  the same, under Zappa's names
"""
import sys
from _io import BytesIO

from .errors import RegistrationError
from .http_events import on_api_host
from .response import (
    BINARY_TYPE,
    MAX_PAYLOAD_BYTES,
    RenderedResponse,
    Response,
    header_value,
    render_bytes,
)
from .specs import CORSConfig, Frozen

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from .app import App
    from .request import Request
    from .response import HeadersType, Rendered

    WSGIApp = Callable[..., Iterable[bytes]]


_HOP_BY_HOP = frozenset(("connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                         "te", "trailers", "transfer-encoding", "upgrade"))
# RFC 9110 token characters, without "_": a header named X_User would otherwise
# arrive as HTTP_X_USER and pass for X-User (the underscore spoofing that
# nginx and gunicorn guard against by dropping such headers).
_TCHARS = frozenset("!#$%&'*+-.^`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

_UNKNOWN: "Any" = object()
_ENV_KEYS: dict[str, str] = {}
"""Header name as received -> environ key ("" for a header the environ does not carry)."""


def _env_key(name: str) -> str:
    upper = name.upper()
    if upper == "CONTENT-TYPE":
        key = "CONTENT_TYPE"
    elif upper == "CONTENT-LENGTH" or not name or not all(c in _TCHARS for c in name):
        key = ""  # CONTENT_LENGTH is the body's own length; invalid names are dropped
    else:
        key = "HTTP_" + upper.replace("-", "_")
    if len(_ENV_KEYS) < 2048:  # a cache, bounded against clients inventing header names
        _ENV_KEYS[name] = key
    return key


def _latin1(value: str) -> str:
    """PEP 3333 "bytes as str": UTF-8 text re-read as latin-1 (ASCII is left alone)."""
    return value if value.isascii() else value.encode("utf-8", "surrogateescape").decode("latin-1")


_KEY_SETS: "dict[tuple[Any, ...], tuple[str, ...] | None]" = {}
"""An event's header names, in order -> their environ keys, or None when two
names share a key (those headers must be joined one by one)."""


def _keys_for(names: "tuple[Any, ...]") -> "tuple[str, ...] | None":
    keys = _KEY_SETS.get(names, _UNKNOWN)
    if keys is _UNKNOWN:
        mapped: tuple[str, ...] | None = None
        if all(type(name) is str for name in names):
            mapped = tuple([_ENV_KEYS.get(name) or _env_key(name) for name in names])
            kept = [key for key in mapped if key]
            if len(set(kept)) != len(kept):
                mapped = None
        keys = mapped
        if len(_KEY_SETS) < 256:  # browsers and SDKs send a handful of header sets
            _KEY_SETS[names] = keys
    return keys  # type: ignore[no-any-return]


def _add_single_headers(env: "dict[str, Any]", headers: "dict[Any, Any]") -> None:
    """Headers with one value each: the common case, copied in C when it can be."""
    keys = _keys_for(tuple(headers))
    if keys is not None and ("HTTP_COOKIE" not in env or "HTTP_COOKIE" not in keys):
        values = headers.values()
        try:
            ascii_only = "".join(values).isascii()
        except TypeError:  # a value that is not a str
            ascii_only = False
        if ascii_only:
            env.update(zip(keys, values))  # noqa: B905 (one key per value)
            env.pop("", None)  # Content-Length and invalid names map to ""
            return
    _add_headers(env, headers)


def _add_headers(env: "dict[str, Any]", headers: "dict[Any, Any]") -> None:
    keys = _ENV_KEYS
    for name, value in headers.items():
        key = keys.get(name)
        if key is None:
            if type(name) is not str:
                continue
            key = _env_key(name)
        if not key:
            continue
        if type(value) is list:
            value = value[0] if len(value) == 1 else ("; " if key == "HTTP_COOKIE" else ", ").join(
                [v for v in value if type(v) is str])
        if type(value) is not str:
            continue
        if not value.isascii():
            value = _latin1(value)
        if key in env:  # the same header under two spellings, or v2 cookies already set
            value = env[key] + ("; " if key == "HTTP_COOKIE" else ", ") + value
        env[key] = value


def _one_each(multi: "dict[Any, Any]") -> bool:
    """Whether every header of a multi-value map has exactly one value."""
    try:
        return sum(map(len, multi.values())) == len(multi)
    except TypeError:
        return False


def _v1_query(event: "dict[str, Any]") -> str:
    """REST/HTTP API 1.0: parameters arrive decoded; encode them again (multi-value first)."""
    multi = event.get("multiValueQueryStringParameters")
    pairs: list[tuple[str, str]]
    if type(multi) is dict and multi:
        pairs = [(k, v) for k, vs in multi.items() if type(k) is str and type(vs) is list
                 for v in vs if type(v) is str]
    else:
        single = event.get("queryStringParameters")
        if type(single) is not dict or not single:
            return ""
        pairs = [(k, v) for k, v in single.items() if type(k) is str and type(v) is str]
    from urllib.parse import urlencode
    return urlencode(pairs)


def _alb_query(event: "dict[str, Any]") -> str:
    """ALB: parameters arrive exactly as the client encoded them; pass them through."""
    multi = event.get("multiValueQueryStringParameters")
    parts: list[str]
    if type(multi) is dict and multi:
        parts = [k + "=" + v for k, vs in multi.items() if type(k) is str and type(vs) is list
                 for v in vs if type(v) is str]
    else:
        single = event.get("queryStringParameters")
        if type(single) is not dict or not single:
            return ""
        parts = [k + "=" + v for k, v in single.items() if type(k) is str and type(v) is str]
    return _latin1("&".join(parts))


def _path_info(raw: str) -> str:
    if "%" in raw:
        from urllib.parse import unquote_to_bytes
        return unquote_to_bytes(raw).decode("latin-1")
    return _latin1(raw)


_HOSTS: "dict[str, tuple[str, str | None]]" = {}
"""Host header -> (server name, port or None)."""


def _host_facts(host: str) -> "tuple[str, str | None]":
    port: str | None = None
    if ":" not in host:
        name = host
    elif host[0] == "[":  # an IPv6 literal
        name, _, rest = host.partition("]")
        name += "]"
        port = rest[1:] if rest.startswith(":") else None
    else:
        name, _, port = host.partition(":")
    facts = (name, port or None)
    if len(_HOSTS) < 64:  # an API answers on a few names
        _HOSTS[host] = facts
    return facts


def _remote_user(ctx: "dict[str, Any]") -> "str | None":
    """The authorizer's principal: Lambda authorizer, JWT/Cognito subject, or IAM user."""
    auth = ctx.get("authorizer")
    if type(auth) is dict:
        for where in (auth, auth.get("lambda")):
            if type(where) is dict:
                principal = where.get("principalId")
                if type(principal) is str and principal:
                    return principal
        jwt = auth.get("jwt")
        for claims in (auth.get("claims"), jwt.get("claims") if type(jwt) is dict else None):
            if type(claims) is dict:
                sub = claims.get("sub")
                if type(sub) is str and sub:
                    return sub
        iam = auth.get("iam")
        if type(iam) is dict and type(iam.get("userArn")) is str and iam["userArn"]:
            return str(iam["userArn"])
    identity = ctx.get("identity")
    if type(identity) is dict:
        arn = identity.get("userArn")
        if type(arn) is str and arn:
            return arn
    return None


class WSGIMount(Frozen):
    """One ``app.mount_wsgi()`` registration (in ``app.registry.mounts``)."""

    __slots__ = ("app", "cors", "exclude_headers", "prefix", "script_name")

    app: "WSGIApp"
    prefix: str
    cors: "CORSConfig | bool | None"  # None: use app.api.cors
    script_name: "str | None"  # None: worked out from the event
    exclude_headers: frozenset[str]

    def __init__(self, app: "WSGIApp", prefix: str, cors: "CORSConfig | bool | None",
                 script_name: "str | None", exclude_headers: frozenset[str]) -> None:
        self._set(app=app, prefix=prefix, cors=cors, script_name=script_name,
                  exclude_headers=exclude_headers)


def mount_spec(wsgi_app: "Any", prefix: "Any", cors: "Any", script_name: "Any",
               exclude_headers: "Any") -> WSGIMount:
    """Check ``app.mount_wsgi()``'s arguments; the spec it registers."""
    where = "mount_wsgi(%s)" % (getattr(wsgi_app, "__name__", None) or type(wsgi_app).__name__)
    if not callable(wsgi_app):
        raise RegistrationError("%s: the first argument must be a WSGI application (a callable "
                                "taking environ and start_response), got %r" % (where, wsgi_app))
    if not isinstance(prefix, str) or not prefix.startswith("/"):
        raise RegistrationError("%s: prefix must be a path starting with '/', e.g. '/' or "
                                "'/legacy', got %r" % (where, prefix))
    if prefix != "/":
        prefix = prefix.rstrip("/")
        bad = [seg for seg in prefix[1:].split("/")
               if not seg or not all(c.isascii() and (c.isalnum() or c in "-._~") for c in seg)]
        if bad:
            raise RegistrationError(
                "%s: prefix %r has an invalid segment %r; use plain path segments "
                "(letters, digits, '-', '.', '_', '~'), e.g. '/legacy/app'" % (where, prefix,
                                                                             bad[0]))
    if cors is not None and not isinstance(cors, (bool, CORSConfig)):
        raise RegistrationError("%s: cors must be True, False or a CORSConfig, got %r"
                                % (where, cors))
    if script_name is not None and (not isinstance(script_name, str) or (
            script_name and (not script_name.startswith("/") or script_name.endswith("/")))):
        raise RegistrationError("%s: script_name must be '' (no prefix before the app's URLs) or "
                                "a path such as '/prod' without a trailing slash, got %r"
                                % (where, script_name))
    if exclude_headers is None:
        exclude_headers = ()
    if isinstance(exclude_headers, (str, bytes)) or not isinstance(
            exclude_headers, (list, tuple, set, frozenset)) or not all(
            isinstance(h, str) for h in exclude_headers):
        raise RegistrationError("%s: exclude_headers must be a list of header names, got %r"
                                % (where, exclude_headers))
    excluded = frozenset(h.lower() for h in exclude_headers)
    return WSGIMount(wsgi_app, prefix, cors, script_name, excluded)


class ResponseTooLarge(Exception):
    """The WSGI app produced more than a Lambda response can carry."""


_STATUS_CODES: dict[str, int] = {}
"""WSGI status lines already seen -> their codes (a bounded cache)."""


def _status_code(status: "Any") -> int:
    code = _STATUS_CODES.get(status) if type(status) is str else None
    if code is None:
        if (type(status) is not str or len(status) < 3 or not status[:3].isdigit()
                or (len(status) > 3 and status[3] != " ") or not 100 <= int(status[:3]) <= 599):
            raise ValueError("the WSGI app gave status %r; expected e.g. '200 OK'" % (status,))
        code = int(status[:3])
        if len(_STATUS_CODES) < 256:
            _STATUS_CODES[status] = code
    return code


class Bridge:
    """Serves requests to one mounted WSGI application."""

    __slots__ = ("_app", "_cors", "_keep", "_owner", "_prefix", "_prefix_slash", "spec")

    def __init__(self, owner: "App", spec: WSGIMount) -> None:
        self.spec = spec
        self._owner = owner
        self._app = spec.app
        self._prefix = "" if spec.prefix == "/" else spec.prefix
        self._prefix_slash = self._prefix + "/"
        self._cors = spec.cors
        # Response header name as sent -> whether to keep it (hop-by-hop and excluded ones are not).
        self._keep: dict[str, bool] = {}

    def covers(self, raw_path: str) -> bool:
        prefix = self._prefix
        return not prefix or raw_path == prefix or raw_path.startswith(self._prefix_slash)

    def environ(self, request: "Request") -> "dict[str, Any]":
        """The PEP 3333 environ for ``request``."""
        event = request._event
        kind = request._kind.name
        ctx = event.get("requestContext")
        if type(ctx) is not dict:
            ctx = {}
        body = request.raw_body
        context = request.lambda_context
        env: dict[str, Any] = {
            "REQUEST_METHOD": request.method,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.input": BytesIO(body),
            "wsgi.input_terminated": True,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "myframework.event": event,
            "myframework.context": context,
            "myframework.request_context": ctx,
            "myframework.request": request,
            "lambda.event": event,
            "lambda.context": context,
        }
        user = None
        if kind == "rest" or kind == "alb":
            single = event.get("headers")
            multi = event.get("multiValueHeaders")
            if type(multi) is dict and multi and not (
                    type(single) is dict and len(single) == len(multi) and _one_each(multi)):
                _add_headers(env, multi)  # some header came more than once: join them
            elif type(single) is dict:
                _add_single_headers(env, single)
            if kind == "rest":
                query = _v1_query(event)
                identity = ctx.get("identity")
                if type(identity) is dict:
                    remote = identity.get("sourceIp")
                    if identity.get("userArn"):
                        user = _remote_user(ctx)
                else:
                    remote = None
            else:
                query = _alb_query(event)
                forwarded = env.get("HTTP_X_FORWARDED_FOR")  # the ALB appends the client's address
                remote = forwarded.rsplit(",", 1)[-1].strip() if forwarded else None
        else:  # payload 2.0: cookies apart from the headers, the query string as sent
            cookies = event.get("cookies")
            if type(cookies) is list and cookies:
                env["HTTP_COOKIE"] = _latin1("; ".join([c for c in cookies if type(c) is str]))
            headers = event.get("headers")
            if type(headers) is dict:
                _add_single_headers(env, headers)
            raw_query = event.get("rawQueryString")
            query = _latin1(raw_query) if type(raw_query) is str else ""
            http = ctx.get("http")
            remote = http.get("sourceIp") if type(http) is dict else None
        env["QUERY_STRING"] = query
        if "CONTENT_TYPE" not in env:
            env["CONTENT_TYPE"] = ""
        if type(remote) is str and remote:
            env["REMOTE_ADDR"] = remote
        if "authorizer" in ctx:
            user = _remote_user(ctx)
        if user is not None:
            env["REMOTE_USER"] = _latin1(user)

        scheme = env.get("HTTP_X_FORWARDED_PROTO")
        if scheme != "https":
            if scheme is not None:
                scheme = scheme.split(",", 1)[0].strip().lower()
            if scheme != "http" and scheme != "https":
                scheme = "http" if kind == "alb" else "https"
        env["wsgi.url_scheme"] = scheme
        host = env.get("HTTP_HOST")
        if host:
            name, port = _HOSTS.get(host) or _host_facts(host)
        else:
            port = None
            domain = ctx.get("domainName")
            name = domain if type(domain) is str and domain else "lambda"
        env["SERVER_NAME"] = name
        forwarded_port = env.get("HTTP_X_FORWARDED_PORT")
        if forwarded_port:
            port = forwarded_port if forwarded_port.isdigit() else forwarded_port.split(
                ",", 1)[0].strip()
        env["SERVER_PORT"] = port or ("443" if scheme == "https" else "80")

        raw = request.raw_path
        script = self._script_name(request, kind, event, ctx, host)
        prefix = self._prefix
        if prefix:
            script += prefix
            raw = raw[len(prefix):]
        env["SCRIPT_NAME"] = script
        env["PATH_INFO"] = raw if raw.isascii() and "%" not in raw else _path_info(raw)
        return env

    def _script_name(self, request: "Request", kind: str, event: "dict[str, Any]",
                     ctx: "dict[str, Any]", host: "str | None") -> str:
        """What the API's URL has before the path: ``/{stage}``, a base path, or nothing."""
        override = self.spec.script_name
        if override is not None:
            return override
        if request._base:
            return request._base
        if kind == "rest":
            stage = ctx.get("stage")
            if type(stage) is not str or not stage or stage == "$default":
                return ""
            if "version" in event:  # HTTP API payload 1.0: the stage is in the path, or absent
                return "/" + stage if event.get("path") != request.raw_path else ""
            return "/" + stage if on_api_host(host, ctx) else ""
        if kind == "http-api" and event.get("rawPath") != request.raw_path:
            stage = ctx.get("stage")
            return "/" + stage if type(stage) is str else ""
        return ""

    def __call__(self, request: "Request") -> Response:
        """Run the WSGI app for ``request``; its answer as a Response."""
        owner = self._owner
        try:
            status, header_list, body = call_app(self._app, self.environ(request))
        except ResponseTooLarge as exc:
            return owner._too_large(request, str(exc))
        code = _status_code(status)
        if owner._debug:
            owner.log.debug("%s %s %s", request.method, request.path, code)
        # Collect the headers as a dict (repeated names as lists), checking them on the way.
        keep = self._keep
        headers: HeadersType = {}
        ctype = None
        encoded = False
        for name, value in header_list:
            kept = keep.get(name)
            if kept is None:
                kept = self._keep_header(name)
            if not kept:
                continue
            if type(value) is not str or "\r" in value or "\n" in value:
                raise ValueError("the WSGI app gave header %r the value %r; a header value is a "
                                 "str without line breaks" % (name, value))
            if name in headers:
                previous = headers[name]
                if type(previous) is list:
                    previous.append(value)
                else:
                    headers[name] = [previous, value]  # type: ignore[list-item]
            else:
                headers[name] = value
            if len(name) == 12 and name.lower() == "content-type":
                ctype = value
            elif len(name) == 16 and name.lower() == "content-encoding":
                encoded = True
        if body and ctype is None:
            ctype = headers["Content-Type"] = BINARY_TYPE
        cors = self._cors
        if cors is None:
            cors = owner.api.cors
        if cors or owner._http_middleware:  # something may still change it: render it later
            response = Response(body, headers, code)
            if cors:
                self._add_cors(response, cors, request)
            return response
        if request.method == "HEAD" or code == 204 or code == 304:
            rendered: Rendered = (code, headers, "", False)
        else:
            rendered = render_bytes(code, headers, body, ctype, encoded,
                                    owner.api.binary_type_set(), owner.api.text_type_set())
        return RenderedResponse(rendered, headers, body)

    def _keep_header(self, name: "Any") -> bool:
        if type(name) is not str or not name or "\r" in name or "\n" in name or ":" in name:
            raise ValueError("the WSGI app gave a bad header name %r" % (name,))
        lname = name.lower()
        kept = lname not in _HOP_BY_HOP and lname not in self.spec.exclude_headers
        if len(self._keep) < 256:
            self._keep[name] = kept
        return kept

    def _add_cors(self, response: Response, cors: "CORSConfig | bool", request: "Request") -> None:
        if not isinstance(cors, CORSConfig):
            from .specs import DEFAULT_CORS
            cors = DEFAULT_CORS
        self._owner._with_cors(response, cors, request)
        if request.method == "OPTIONS":
            headers = response.headers
            allow = header_value(headers, "allow")
            if (allow is not None and header_value(headers, "access-control-allow-origin")
                    and header_value(headers, "access-control-allow-methods") is None):
                headers["Access-Control-Allow-Methods"] = allow


def call_app(app: "WSGIApp", environ: "dict[str, Any]") -> "tuple[Any, Any, bytes]":
    """Call a WSGI application: its status line, header list and body (closing its iterable).

    Raises what the application raises, :class:`ResponseTooLarge` when the
    body passes Lambda's limit (the iterable is not read further), and
    RuntimeError/TypeError when the application breaks PEP 3333.
    """
    started: list[Any] = []
    chunks: list[bytes] = []
    written = [0]  # bytes given to write()
    size = 0  # bytes read from the iterable

    def start_response(status: str, headers: "list[tuple[str, str]]",
                       exc_info: "Any" = None) -> "Callable[[bytes], None]":
        if exc_info is not None:
            try:
                if chunks:  # the body has begun: too late to replace the status (PEP 3333)
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
            started.clear()
        elif started:
            raise RuntimeError("the WSGI app called start_response() twice without exc_info")
        started.append(status)
        started.append(headers)
        return write

    def write(data: bytes) -> None:
        if not started:
            raise RuntimeError("the WSGI app called write() before start_response()")
        if type(data) is not bytes:
            raise TypeError("the WSGI app wrote %s; a WSGI body is bytes" % type(data).__name__)
        chunks.append(data)
        written[0] += len(data)
        if written[0] > MAX_PAYLOAD_BYTES:
            raise ResponseTooLarge(_too_large_message(written[0]))

    result = app(environ, start_response)
    try:
        for chunk in result:
            if chunk:
                if type(chunk) is not bytes:
                    raise TypeError("the WSGI app yielded %s; a WSGI body is bytes"
                                    % type(chunk).__name__)
                if not started:
                    raise RuntimeError("the WSGI app yielded a body before start_response()")
                chunks.append(chunk)
                size += len(chunk)
                if size + written[0] > MAX_PAYLOAD_BYTES:
                    raise ResponseTooLarge(_too_large_message(size + written[0]))
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    if not started:
        raise RuntimeError("the WSGI app returned without calling start_response()")
    return started[0], started[1], chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _too_large_message(size: int) -> str:
    return ("the WSGI app's response body passed %d bytes (read no further); a Lambda response "
            "can carry at most %d. Serve large files from S3 (for example through a presigned "
            "URL) instead" % (size, MAX_PAYLOAD_BYTES))
