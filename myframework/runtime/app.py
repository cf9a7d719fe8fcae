"""The application object: decorators that fill the registry, and the Lambda handler."""
import _contextvars as contextvars  # the C module behind contextvars, without its import cost

from .cors import DEFAULT_CORS, CORSConfig
from .errors import (
    BadRequestError,
    ChaliceUnhandledError,
    ChaliceViewError,
    RegistrationError,
    UnknownEventError,
)
from .http_events import http_kind
from .response import JSON_TYPE, Response, accepts_gzip, add_vary, json_dumps, render
from .routing import HTTP_METHODS, Router, parse_path
from .specs import Authorizer, MiddlewareSpec, Registry, RouteSpec

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:
    import logging
    from collections.abc import Callable
    from typing import Any, TypeVar

    from .http_events import HttpEventKind
    from .request import Request
    from .routing import ParsedPath, PathEntry

    F = TypeVar("F", bound=Callable[..., Any])
    GetResponse = Callable[[Request], Response]

_current_request: "contextvars.ContextVar[Request | None]" = contextvars.ContextVar(
    "myframework_current_request", default=None)

_ROUTE_OPTIONS = frozenset(("methods", "name", "cors", "content_types", "authorizer",
                            "api_key_required", "compress"))
MIDDLEWARE_EVENT_TYPES = frozenset(("all", "http", "s3", "sqs", "sns", "cloudwatch", "scheduled",
                                    "pure_lambda", "task"))
DEFAULT_BINARY_TYPES = (
    "application/octet-stream", "application/x-tar", "application/zip", "application/gzip",
    "application/pdf", "audio/basic", "audio/ogg", "audio/mp4", "audio/mpeg", "audio/wav",
    "audio/webm", "image/png", "image/jpg", "image/jpeg", "image/gif", "image/webp",
    "video/ogg", "video/mpeg", "video/mp4", "video/webm",
)


def _func_name(func: "Any") -> str:
    return getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or repr(func)


def _unknown_option(where: str, key: str, allowed: frozenset[str]) -> "RegistrationError":
    import difflib
    hint = difflib.get_close_matches(key, sorted(allowed), n=1)
    return RegistrationError("%s: unknown argument %r%s; allowed: %s" % (
        where, key, "; did you mean %r?" % hint[0] if hint else "", ", ".join(sorted(allowed))))


class APIGateway:
    """API-wide HTTP settings.

    ``app.api.cors``: the CORS setting of routes that do not set ``cors=``.
    ``app.api.binary_types``: media types API Gateway treats as binary (the
    deployer configures them). A ``str`` body of such a type is sent
    base64-encoded, and ``bytes`` of such a type are never sent as text.
    ``bytes`` of any type that is not text (``text/*``, JSON, XML...) are
    base64-encoded whether listed or not.
    """

    def __init__(self) -> None:
        self.cors: bool | CORSConfig = False
        self.binary_types: list[str] = list(DEFAULT_BINARY_TYPES)
        self._binary_list: list[str] | None = None
        self._binary_len = -1
        self._binary_set: frozenset[str] = frozenset()

    def binary_type_set(self) -> frozenset[str]:
        """``binary_types`` as a lower-cased set (recomputed only when the list changed)."""
        types = self.binary_types
        if types is not self._binary_list or len(types) != self._binary_len:
            self._binary_list = types
            self._binary_len = len(types)
            self._binary_set = frozenset(t.lower() for t in types)
        return self._binary_set


_JSON_ONLY = ("application/json",)


def _route_spec(func: "Callable[..., Any]", path: str,
                options: "dict[str, Any]") -> "tuple[RouteSpec, ParsedPath]":
    """Validate ``route()`` arguments into a spec (before any blueprint prefix is added)."""
    parsed = parse_path(path, func)
    if not options:  # the common case: every default
        return RouteSpec(path, ("GET",), _view_name(func, None, path), func, None, _JSON_ONLY,
                         None, None, False, parsed.param_names), parsed
    where = _where(path, func)
    for key in options:
        if key not in _ROUTE_OPTIONS:
            raise _unknown_option(where, key, _ROUTE_OPTIONS)
    methods = options.get("methods", ["GET"])
    if isinstance(methods, str):
        methods = [methods]
    if not isinstance(methods, (list, tuple)) or not methods:
        raise RegistrationError("%s: methods must be a non-empty list such as ['GET', 'POST']"
                                % where)
    upper = []
    for method in methods:
        if not isinstance(method, str) or method.upper() not in HTTP_METHODS:
            raise RegistrationError("%s: unsupported method %r; use one of %s" % (
                where, method, ", ".join(sorted(HTTP_METHODS))))
        if method.upper() in upper:
            raise RegistrationError("%s: method %r is listed twice" % (where, method))
        upper.append(method.upper())
    name = _view_name(func, options.get("name"), path)
    cors = options.get("cors")
    if cors is True:
        cors = DEFAULT_CORS
    elif cors is not None and cors is not False and not isinstance(cors, CORSConfig):
        raise RegistrationError("%s: cors must be True, False or a CORSConfig, got %r"
                                % (where, cors))
    content_types = options.get("content_types", ["application/json"])
    if isinstance(content_types, str):
        content_types = [content_types]
    if (not isinstance(content_types, (list, tuple)) or not content_types
            or not all(isinstance(c, str) and "/" in c for c in content_types)):
        raise RegistrationError("%s: content_types must be a non-empty list of media types "
                                "such as ['application/json'], got %r" % (where, content_types))
    authorizer = options.get("authorizer")
    if authorizer is not None and not isinstance(authorizer, Authorizer):
        raise RegistrationError("%s: authorizer must be an IAMAuthorizer, "
                                "CognitoUserPoolAuthorizer or CustomAuthorizer, got %r"
                                % (where, authorizer))
    api_key_required = options.get("api_key_required")
    if api_key_required is not None and not isinstance(api_key_required, bool):
        raise RegistrationError("%s: api_key_required must be True or False" % where)
    compress = options.get("compress", False)
    if not isinstance(compress, bool):
        raise RegistrationError("%s: compress must be True or False" % where)
    return RouteSpec(path, tuple(upper), name, func, cors,
                     tuple(c.lower() for c in content_types), authorizer, api_key_required,
                     compress, parsed.param_names), parsed


def _where(path: str, func: "Any") -> str:
    return "@route(%r) on %s" % (path, _func_name(func))


def _view_name(func: "Any", name: "Any", path: str) -> str:
    name = name or getattr(func, "__name__", None)
    if not isinstance(name, str) or not name:
        raise RegistrationError("%s: give the route a name= (the view has no __name__)"
                                % _where(path, func))
    return name


def _check_view_signature(func: "Callable[..., Any]", params: tuple[str, ...], path: str) -> None:
    """Refuse a view that cannot be called with the path's URI parameters."""
    code = getattr(func, "__code__", None)
    if code is None or "__wrapped__" in getattr(func, "__dict__", ()):
        return  # not a plain function (or a functools.wraps wrapper): nothing reliable to check
    varnames = code.co_varnames  # a fresh tuple on every access in 3.11+: read it once
    nargs = code.co_argcount + code.co_kwonlyargcount
    names = varnames[:nargs]
    if not code.co_flags & 0x08:  # no **kwargs
        missing = [p for p in params if p not in names]
        if missing:
            raise RegistrationError("%s: the view does not accept URI parameter(s) %s; add them "
                                    "as arguments" % (_where(path, func), ", ".join(missing)))
    defaults = func.__defaults__
    required = list(varnames[code.co_posonlyargcount:code.co_argcount
                             - (len(defaults) if defaults else 0)])
    if code.co_kwonlyargcount:
        kwdefaults = func.__kwdefaults__ or {}
        required += [n for n in varnames[code.co_argcount:nargs] if n not in kwdefaults]
    extra = [n for n in required if n not in params]
    if code.co_posonlyargcount or extra:
        raise RegistrationError("%s: the view requires argument(s) %s that the path does not "
                                "provide; give them defaults or add {param} segments"
                                % (_where(path, func), ", ".join(extra or varnames[:1])))


class DecoratorAPI:
    """Decorators shared by :class:`App` and :class:`Blueprint`."""

    def _defer(self, register: "Callable[[App, str, str], None]") -> None:
        raise NotImplementedError

    @property
    def current_request(self) -> "Request":
        """The request being handled in this thread or task.

        Raises RuntimeError outside a request (for example at import time).
        """
        request = _current_request.get()
        if request is None:
            raise RuntimeError("current_request is only available while a request is being "
                               "handled (inside a view or middleware)")
        return request

    def route(self, path: str, **options: "Any") -> "Callable[[F], F]":
        """Register the decorated function as the view for ``path``.

        Options: ``methods`` (default ``['GET']``), ``name``, ``cors`` (True,
        False or a :class:`CORSConfig`; default: ``app.api.cors``),
        ``content_types`` (request media types accepted, default
        ``['application/json']``), ``authorizer``, ``api_key_required``,
        ``compress`` (gzip the response when the client accepts it).
        """
        def decorator(func: "F") -> "F":
            spec, parsed = _route_spec(func, path, options)

            def register(app: "App", url_prefix: str, name_prefix: str) -> None:
                app._add_route(spec, parsed, url_prefix, name_prefix)
            self._defer(register)
            return func
        return decorator

    def middleware(self, event_type: str = "all") -> "Callable[[F], F]":
        """Register ``func(request, get_response)`` to wrap every request of ``event_type``.

        For ``http``, ``get_response(request)`` runs routing and the view and
        returns a :class:`Response` (errors already turned into responses);
        the middleware returns a Response (or any value a view may return).
        """
        def decorator(func: "F") -> "F":
            self.register_middleware(func, event_type)
            return func
        return decorator

    def register_middleware(self, func: "Callable[..., Any]", event_type: str = "all") -> None:
        where = "middleware %s" % _func_name(func)
        if event_type not in MIDDLEWARE_EVENT_TYPES:
            raise RegistrationError("%s: unknown event type %r; use one of %s" % (
                where, event_type, ", ".join(sorted(MIDDLEWARE_EVENT_TYPES))))
        if not callable(func):
            raise RegistrationError("%s: a middleware must be callable" % where)
        spec = MiddlewareSpec(event_type, func, getattr(func, "__name__", repr(func)))

        def register(app: "App", url_prefix: str, name_prefix: str) -> None:
            app._add_middleware(spec)
        self._defer(register)


class App(DecoratorAPI):
    """A myframework application, and its own Lambda handler: ``app(event, context)``.

    ``debug=True`` puts the traceback of an unexpected exception in its 500
    response (never do this in production) and lowers ``app.log`` to DEBUG.
    """

    def __init__(self, app_name: str, debug: bool = False) -> None:
        if not isinstance(app_name, str) or not app_name:
            raise ValueError("App(app_name): give the app a non-empty name, e.g. App('petstore')")
        self.app_name = app_name
        self._debug = bool(debug)
        self.api = APIGateway()
        self.registry = Registry()
        self._router = Router()
        self._route_names: dict[str, Callable[..., Any]] = {}
        self._http_handler: GetResponse = self._dispatch
        self._log: logging.Logger | None = None
        self.blueprints: dict[str, Blueprint] = {}

    # -- registration -------------------------------------------------------
    def _defer(self, register: "Callable[[App, str, str], None]") -> None:
        register(self, "", "")

    def _add_route(self, spec: "RouteSpec", parsed: "ParsedPath", url_prefix: str,
                   name_prefix: str) -> None:
        func = spec.view
        if url_prefix or name_prefix:  # a blueprint's route: the same spec under the prefixes
            path = spec.path
            if url_prefix:
                path = (url_prefix.rstrip("/") + (path if path != "/" else "")) or "/"
                parsed = parse_path(path, func)
            spec = RouteSpec(path, spec.methods, name_prefix + spec.name, func, spec.cors,
                             spec.content_types, spec.authorizer, spec.api_key_required,
                             spec.compress, parsed.param_names)
        path = spec.path
        name = spec.name
        _check_view_signature(func, spec.param_names, path)
        existing = self._route_names.get(name)
        if existing is not None and existing is not func:
            raise RegistrationError("%s: another view, %s, is already named %r; pass name= to "
                                    "tell them apart" % (_where(path, func), _func_name(existing),
                                                         name))
        entry = self._router.entry_for(parsed, func)
        for method in spec.methods:
            if method in entry.methods:
                raise RegistrationError("%s: %s %s is already routed to %s" % (
                    _where(path, func), method, path, _func_name(entry.methods[method].view)))
        for other in entry.methods.values():
            if other.cors != spec.cors:
                raise RegistrationError(
                    "%s: every method of %s must share one CORS setting (the preflight answer "
                    "covers the path); %s has cors=%r" % (_where(path, func), path,
                                                          _func_name(other.view), other.cors))
        for method in spec.methods:
            entry.methods[method] = spec
        self._route_names[name] = func
        self.registry.routes.append(spec)

    def _add_middleware(self, spec: "MiddlewareSpec") -> None:
        self.registry.middleware.append(spec)
        if spec.event_type in ("http", "all"):
            self._build_http_chain()

    def _build_http_chain(self) -> None:
        handler: GetResponse = self._dispatch
        for spec in reversed(self.registry.middleware):
            if spec.event_type in ("http", "all"):
                handler = _wrap_middleware(spec.func, handler)
        self._http_handler = handler

    def register_blueprint(self, blueprint: "Blueprint", name_prefix: str | None = None,
                           url_prefix: str | None = None) -> None:
        """Add a blueprint's routes and middleware, under ``url_prefix`` and ``name_prefix``."""
        if not isinstance(blueprint, Blueprint):
            raise RegistrationError("register_blueprint() takes a Blueprint, got %r" % (blueprint,))
        if url_prefix:
            parse_path(url_prefix, "register_blueprint(%s, url_prefix=%r)"
                       % (blueprint.import_name, url_prefix), what="url_prefix")
        blueprint._register(self, url_prefix or "", name_prefix or "")
        self.blueprints[(name_prefix or "") + blueprint.import_name] = blueprint

    # -- settings -------------------------------------------------------------
    @property
    def debug(self) -> bool:
        return self._debug

    @debug.setter
    def debug(self, value: bool) -> None:
        self._debug = bool(value)
        if self._log is not None:
            self._log.setLevel(10 if value else 20)

    @property
    def log(self) -> "logging.Logger":
        """The app's logger (named after the app; INFO, or DEBUG with ``debug=True``)."""
        log = self._log
        if log is None:
            import logging
            log = logging.getLogger(self.app_name)
            if not log.handlers and not logging.getLogger().handlers:
                handler = logging.StreamHandler()
                handler.setFormatter(logging.Formatter("%(name)s - %(levelname)s - %(message)s"))
                log.addHandler(handler)
                log.propagate = False
            log.setLevel(logging.DEBUG if self._debug else logging.INFO)
            self._log = log
        return log

    @property
    def routes(self) -> "dict[str, dict[str, RouteSpec]]":
        """Registered routes: path -> method -> RouteSpec."""
        return {e.path: dict(e.methods) for e in self._router.entries()}

    @property
    def lambda_context(self) -> "Any":
        request = _current_request.get()
        return request.lambda_context if request is not None else None

    # -- the Lambda handler ---------------------------------------------------
    def __call__(self, event: "Any", context: "Any" = None) -> "Any":
        if type(event) is dict:
            kind = http_kind(event)
            if kind is not None:
                return self._handle_http(kind, event, context)
        return self._handle_other(event, context)

    def _handle_other(self, event: "Any", context: "Any") -> "Any":
        if isinstance(event, dict):
            keys = sorted(map(str, event))[:12]
            seen = ("an object with keys %s" % ", ".join(repr(k) for k in keys) if keys
                    else "an empty object")
        else:
            seen = "a %s" % type(event).__name__
        raise UnknownEventError(
            "%s cannot handle this event: got %s, which is not an API Gateway REST, HTTP API, "
            "Function URL or ALB request" % (self.app_name, seen))

    def _handle_http(self, kind: "HttpEventKind", event: "dict[str, Any]", context: "Any") -> "Any":
        try:
            request = kind.request(event, context)
        except Exception as exc:  # a malformed event: the client's fault, never a crash
            if not isinstance(exc, ChaliceViewError):
                exc = BadRequestError("Malformed %s event (%s)" % (kind.name, type(exc).__name__))
            return self._shape_safely(kind, _error_response(exc, 400), event)
        token = _current_request.set(request)
        try:
            try:
                response = self._http_handler(request)
                if type(response) is not Response:
                    response = _to_response(response)
            except ChaliceViewError as exc:
                response = self._view_error(exc, request)
            except Exception:
                response = self._internal_error(request)
            route = request.route
            try:
                rendered = render(
                    response, self.api.binary_type_set(), request.method == "HEAD",
                    route is not None and route.compress
                    and accepts_gzip(request.headers.get("accept-encoding")))
                return kind.shape(rendered, event)
            except Exception:  # the response could not be serialised: a logged 500
                response = self._internal_error(request)
                if route is not None:
                    self._with_cors(response, self._cors_for(route), request)
                return self._shape_safely(kind, response, event)
        finally:
            _current_request.reset(token)

    def _shape_safely(self, kind: "HttpEventKind", response: "Response",
                      event: "dict[str, Any]") -> "Any":
        try:
            return kind.shape(render(response, frozenset()), event)
        except Exception:  # the event is too broken to shape against: REST shape always works
            self.log.exception("could not shape an error response for a %s event", kind.name)
            return {"statusCode": response.status_code,
                    "headers": {"Content-Type": JSON_TYPE},
                    "body": json_dumps(response.body), "isBase64Encoded": False}

    def _dispatch(self, request: "Request") -> "Response":
        """Route ``request`` and run its view; always returns a Response."""
        path = request.path
        match = (self._router.match(path) if request.raw_path is path
                 else self._router.match_raw(request.raw_path))
        if match is None:
            return Response({"Code": "NotFoundError",
                             "Message": "No route for %s %s" % (request.method, request.path)},
                            None, 404)
        entry, params = match
        method = request.method
        route = entry.methods.get(method)
        if route is None:
            if method != "HEAD" or "GET" not in entry.methods:
                return self._no_method(entry, request)
            route = entry.methods["GET"]  # HEAD runs the GET view; rendering drops the body
        request.route = route
        request.uri_params = params
        cors = self._cors_for(route) if route.cors is not None or self.api.cors else None
        if route.content_types and request._event.get("body"):
            ctype = request.content_type or "application/json"
            if ctype not in route.content_types and "*/*" not in route.content_types:
                response = Response(
                    {"Code": "UnsupportedMediaType",
                     "Message": "Unsupported media type: %s; this route accepts %s"
                                % (ctype, ", ".join(route.content_types))},
                    None, 415)
                return self._with_cors(response, cors, request)
        try:
            result = route.view(**params)
        except ChaliceUnhandledError:
            raise
        except ChaliceViewError as exc:
            result = self._view_error(exc, request)
        except Exception:
            result = self._internal_error(request)
        response = result if type(result) is Response else Response(result)
        if cors is not None:
            self._with_cors(response, cors, request)
        return response

    def _no_method(self, entry: "PathEntry", request: "Request") -> "Response":
        method = request.method
        any_route = next(iter(entry.methods.values()))
        cors = self._cors_for(any_route)
        allow = entry.allow
        if cors is not None:
            allow = ", ".join(sorted({*entry.allow.split(", "), "OPTIONS"}))
            if method == "OPTIONS":
                response = Response(None, {"Allow": allow}, 200)
                self._with_cors(response, cors, request)
                if "Access-Control-Allow-Origin" in response.headers:
                    response.headers["Access-Control-Allow-Methods"] = allow
                return response
        response = Response({"Code": "MethodNotAllowedError",
                             "Message": "Unsupported method: %s" % method},
                            {"Content-Type": JSON_TYPE, "Allow": allow}, 405)
        return self._with_cors(response, cors, request)

    def _cors_for(self, route: "RouteSpec") -> "CORSConfig | None":
        cors = route.cors
        if cors is None:  # not set on the route: the API-wide default
            cors = self.api.cors
            if cors is True:
                return DEFAULT_CORS
        return cors if isinstance(cors, CORSConfig) else None

    def _with_cors(self, response: Response, cors: "CORSConfig | None",
                   request: "Request") -> Response:
        """Add the CORS headers for ``request``'s origin; the view's own headers win."""
        if cors is not None:
            cors_headers = cors.get_access_control_headers(request.headers.get("origin"))
            if cors_headers:
                headers = dict(response.headers)
                present = {name.lower() for name in headers}
                for name, value in cors_headers.items():
                    if name == "Vary":
                        add_vary(headers, value)
                    elif name.lower() not in present:
                        headers[name] = value
                response.headers = headers
        return response

    def _view_error(self, exc: "ChaliceViewError", request: "Request") -> "Response":
        status = getattr(exc, "STATUS_CODE", 500)
        if not isinstance(status, int) or not 400 <= status <= 599:
            status = 500
        if status >= 500:
            self.log.error("%s %s failed with %s", request.method, request.path,
                           type(exc).__name__, exc_info=True)
        return _error_response(exc, status)

    def _internal_error(self, request: "Request | None") -> "Response":
        where = "%s %s" % (request.method, request.path) if request is not None else "request"
        self.log.error("Unhandled exception in %s", where, exc_info=True)
        body: dict[str, Any] = {"Code": "InternalServerError",
                                "Message": "An internal server error occurred."}
        if self._debug:
            import traceback
            body["Traceback"] = traceback.format_exc()
        return Response(body, None, 500)


def _to_response(value: "Any") -> "Response":
    if isinstance(value, Response):
        return value
    return Response(value)


def _error_response(exc: "BaseException", status: int) -> "Response":
    return Response({"Code": type(exc).__name__, "Message": str(exc)}, None, status)


def _wrap_middleware(func: "Callable[..., Any]", get_response: "GetResponse") -> "GetResponse":
    def call(request: "Request") -> "Response":
        return _to_response(func(request, get_response))
    return call


class Blueprint(DecoratorAPI):
    """A group of routes and middleware registered on an app later with
    ``app.register_blueprint(bp, url_prefix='/v1', name_prefix='v1_')``."""

    def __init__(self, import_name: str) -> None:
        self.import_name = import_name
        self._deferred: list[Callable[[App, str, str], None]] = []
        self._app: App | None = None

    def _defer(self, register: "Callable[[App, str, str], None]") -> None:
        if self._app is not None:
            raise RegistrationError("Blueprint %s is already registered on app %s; add routes "
                                    "before register_blueprint()" % (self.import_name,
                                                                     self._app.app_name))
        self._deferred.append(register)

    def _register(self, app: "App", url_prefix: str, name_prefix: str) -> None:
        for register in self._deferred:
            register(app, url_prefix, name_prefix)
        self._app = app

    @property
    def log(self) -> "logging.Logger":
        if self._app is None:
            raise RuntimeError("Blueprint %s is not registered on an app yet" % self.import_name)
        return self._app.log

    @property
    def lambda_context(self) -> "Any":
        request = _current_request.get()
        return request.lambda_context if request is not None else None


Chalice = App
