"""The application object: decorators that fill the registry, and the Lambda handler."""
import _contextvars as contextvars  # the C module behind contextvars, without its import cost
import os

from .errors import (
    BadRequestError,
    ChaliceUnhandledError,
    ChaliceViewError,
    RegistrationError,
)
from .http_events import http_kind, strip_base_path
from .response import (
    JSON_TYPE,
    MAX_ESCAPE_FREE_CHARS,
    MAX_PAYLOAD_BYTES,
    RenderedResponse,
    Response,
    accepts_gzip,
    add_vary,
    json_dumps,
    payload_size,
    render,
)
from .routing import Router, check_view_signature, func_name, parse_path, route_spec, route_where
from .specs import DEFAULT_CORS, CORSConfig, MiddlewareSpec, Registry, RouteSpec

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Sequence
    from types import ModuleType
    from typing import Any, ParamSpec, TypeVar, overload

    from .authorizers import BuiltinAuthorizer
    from .event_specs import HandlerSpec, TaskSpec
    from .handlers import EventHandler, Registered
    from .http_events import HttpEventKind
    from .request import Request
    from .routing import ParsedPath, PathEntry
    from .schedules import ScheduleExpression
    from .tasks import Task, TaskDispatcher
    from .wsgi import Bridge

    F = TypeVar("F", bound=Callable[..., Any])
    P = ParamSpec("P")
    R = TypeVar("R")
    GetResponse = Callable[[Request], Response]
else:
    def overload(func: "Any") -> "Any":  # typing.overload without importing typing
        return func

_current_request: "contextvars.ContextVar[Request | None]" = contextvars.ContextVar(
    "myframework_current_request", default=None)

MIDDLEWARE_EVENT_TYPES = frozenset(("all", "http", "s3", "sqs", "sns", "cloudwatch", "scheduled",
                                    "pure_lambda", "task"))
DEFAULT_BINARY_TYPES = (
    "application/octet-stream", "application/x-tar", "application/zip", "application/gzip",
    "application/pdf", "audio/basic", "audio/ogg", "audio/mp4", "audio/mpeg", "audio/wav",
    "audio/webm", "image/png", "image/jpg", "image/jpeg", "image/gif", "image/webp",
    "video/ogg", "video/mpeg", "video/mp4", "video/webm",
)


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
        self.text_types: list[str] = []
        """Media types (or ``type/*``) sent as text besides ``text/*``, JSON, XML..."""
        self._binary_set = _LoweredSet()
        self._text_set = _LoweredSet()
        self._base_path = ""
        self.base_path = os.environ.get("MYFRAMEWORK_BASE_PATH", "")

    @property
    def base_path(self) -> str:
        """The base path mapping of the API's custom domain (``"/v1"``), or ``""``.

        Requests that arrive through a custom domain carry it at the start of
        their path; it is taken off before routing (and becomes a mounted WSGI
        app's ``SCRIPT_NAME``). Requests to the default ``execute-api`` host
        are not touched. Defaults to ``$MYFRAMEWORK_BASE_PATH``.
        """
        return self._base_path

    @base_path.setter
    def base_path(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("app.api.base_path must be a str such as '/v1', got %r" % (value,))
        value = value.strip("/")
        self._base_path = "/" + value if value else ""

    def binary_type_set(self) -> frozenset[str]:
        """``binary_types`` as a lower-cased set."""
        return self._binary_set.of(self.binary_types)

    def text_type_set(self) -> frozenset[str]:
        """``text_types`` as a lower-cased set."""
        return self._text_set.of(self.text_types)


class _LoweredSet:
    """A list of media types as a lower-cased set, rebuilt only when the list changed
    (another list, or items added or removed)."""

    __slots__ = ("_len", "_list", "_set")

    def __init__(self) -> None:
        self._list: list[str] | None = None
        self._len = -1
        self._set: frozenset[str] = frozenset()

    def of(self, types: list[str]) -> frozenset[str]:
        if types is not self._list or len(types) != self._len:
            self._list = types
            self._len = len(types)
            self._set = frozenset(t.lower() for t in types)
        return self._set


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
            spec, parsed = route_spec(func, path, options)

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
        where = "middleware %s" % func_name(func)
        if event_type not in MIDDLEWARE_EVENT_TYPES:
            raise RegistrationError("%s: unknown event type %r; use one of %s" % (
                where, event_type, ", ".join(sorted(MIDDLEWARE_EVENT_TYPES))))
        if not callable(func):
            raise RegistrationError("%s: a middleware must be callable" % where)
        spec = MiddlewareSpec(event_type, func, getattr(func, "__name__", repr(func)))

        def register(app: "App", url_prefix: str, name_prefix: str) -> None:
            app._add_middleware(spec)
        self._defer(register)

    # -- event handlers and tasks (their code loads only when used) -----------------
    def schedule(self, expression: "str | ScheduleExpression", name: "str | None" = None,
                 description: str = "", **options: "Any") -> "Callable[[Any], EventHandler]":
        """Run the decorated ``handler(event)`` on a schedule: a :class:`Rate`,
        a :class:`Cron` or an AWS ``rate(...)``/``cron(...)`` string.

        ``options``: ``memory_size``, ``timeout``, ``environment`` (for every
        event decorator).
        """
        _check_bare("@app.schedule", expression, "@app.schedule(Rate(5, unit=Rate.MINUTES))")

        def decorator(func: "Any") -> "EventHandler":
            from .handlers import schedule_spec
            return self._register_handler(
                schedule_spec(func, expression, name, description, options))
        return decorator

    def on_s3_event(self, bucket: str, events: "list[str] | None" = None,
                    prefix: "str | None" = None, suffix: "str | None" = None,
                    name: "str | None" = None,
                    **options: "Any") -> "Callable[[Any], EventHandler]":
        """Run ``handler(event: S3Event)`` for S3 notifications of ``bucket``
        (``events`` default ``['s3:ObjectCreated:*']``; ``prefix``/``suffix``
        filter keys)."""
        _check_bare("@app.on_s3_event", bucket, "@app.on_s3_event(bucket='my-bucket')")

        def decorator(func: "Any") -> "EventHandler":
            from .handlers import s3_spec
            return self._register_handler(
                s3_spec(func, bucket, events, prefix, suffix, name, options))
        return decorator

    def on_sqs_message(self, queue: "str | None" = None, batch_size: int = 1,
                       name: "str | None" = None, queue_arn: "str | None" = None,
                       maximum_batching_window_in_seconds: int = 0,
                       maximum_concurrency: "int | None" = None, per_record: bool = False,
                       **options: "Any") -> "Callable[[Any], EventHandler]":
        """Run ``handler(event: SQSEvent)`` for batches from an SQS queue, or
        ``handler(record: SQSRecord)`` once per message with ``per_record=True``
        (a message whose handler raises is retried alone)."""
        _check_bare("@app.on_sqs_message", queue, "@app.on_sqs_message(queue='my-queue')")

        def decorator(func: "Any") -> "EventHandler":
            from .handlers import sqs_spec
            return self._register_handler(sqs_spec(
                func, queue, queue_arn, batch_size, maximum_batching_window_in_seconds,
                maximum_concurrency, per_record, name, options))
        return decorator

    def on_sns_message(self, topic: str, name: "str | None" = None,
                       **options: "Any") -> "Callable[[Any], EventHandler]":
        """Run ``handler(event: SNSEvent)`` for notifications of ``topic`` (name or ARN)."""
        _check_bare("@app.on_sns_message", topic, "@app.on_sns_message(topic='my-topic')")

        def decorator(func: "Any") -> "EventHandler":
            from .handlers import sns_spec
            return self._register_handler(sns_spec(func, topic, name, options))
        return decorator

    def on_cw_event(self, event_pattern: "dict[str, Any]", name: "str | None" = None,
                    **options: "Any") -> "Callable[[Any], EventHandler]":
        """Run ``handler(event: CloudWatchEvent)`` for EventBridge events matching
        ``event_pattern``."""
        _check_bare("@app.on_cw_event", event_pattern,
                    "@app.on_cw_event({'source': ['aws.ec2']})")

        def decorator(func: "Any") -> "EventHandler":
            from .handlers import cw_spec
            return self._register_handler(cw_spec(func, event_pattern, name, options))
        return decorator

    @overload
    def lambda_function(self, name: "Callable[..., Any]") -> "EventHandler": ...

    @overload
    def lambda_function(self, name: "str | None" = None,  # noqa: F811 (runtime overload stand-in)
                        **options: "Any") -> "Callable[[Any], EventHandler]": ...

    def lambda_function(self, name: "Any" = None, **options: "Any") -> "Any":  # noqa: F811
        """Deploy the decorated plain ``handler(event, context)`` as its own function."""
        def decorator(func: "Any") -> "EventHandler":
            from .handlers import lambda_spec
            return self._register_handler(lambda_spec(func, name, options))
        if callable(name):  # used bare: @app.lambda_function
            func, name = name, None
            return decorator(func)
        return decorator

    def authorizer(self, ttl_seconds: "int | None" = None, execution_role: "str | None" = None,
                   name: "str | None" = None, header: str = "Authorization",
                   **options: "Any") -> "Callable[[Any], BuiltinAuthorizer]":
        """A built-in authorizer (Chalice's ``@app.authorizer()``): the decorated
        ``func(auth_request)`` returns an ``AuthResponse``; pass the result as a
        route's ``authorizer=``. Deployed as its own function (``memory_size=``,
        ``timeout=``, ``environment=`` as for other handlers)."""
        def decorator(func: "Any") -> "BuiltinAuthorizer":
            from .authorizers import authorizer_spec
            spec = authorizer_spec(func, name, ttl_seconds, execution_role, header, options)
            self._register_handler(spec)
            return spec.authorizer
        if callable(ttl_seconds):
            raise RegistrationError("@authorizer needs parentheses: write @app.authorizer() "
                                    "above %s" % func_name(ttl_seconds))
        return decorator

    @overload
    def task(self, func: "Callable[P, R]") -> "Task[P, R]": ...

    @overload
    def task(self, func: None = None, *,  # noqa: F811 (runtime overload stand-in)
             name: "str | None" = None, queue: str = "default",
             retries: "int | None" = None, timeout: "int | None" = None,
             dead_letter: "str | None" = None) -> "Callable[[Callable[P, R]], Task[P, R]]": ...

    def task(self, func: "Any" = None, *,  # noqa: F811
             name: "str | None" = None, queue: str = "default",
             retries: "int | None" = None, timeout: "int | None" = None,
             dead_letter: "str | None" = None) -> "Any":
        """Make the decorated function a :class:`Task`: call it to run it
        inline, ``.delay(...)`` to run it asynchronously (on Lambda, an
        asynchronous invoke of the ``queue``'s task function)."""
        def decorator(target: "Any") -> "Task[Any, Any]":
            from .handlers import task_spec
            from .tasks import Task
            spec = task_spec(target, name, queue, retries, timeout, dead_letter)
            task: Task[Any, Any] = Task(spec)

            def register(app: "App", url_prefix: str, name_prefix: str) -> None:
                app._add_task(task, name_prefix)
            self._defer(register)
            return task
        return decorator(func) if func is not None else decorator

    def _register_handler(self, spec: "HandlerSpec") -> "EventHandler":
        from .handlers import EventHandler
        handler = EventHandler(spec)

        def register(app: "App", url_prefix: str, name_prefix: str) -> None:
            app._add_handler(handler, name_prefix)
        self._defer(register)
        return handler


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
        self._http_middleware = False  # whether HTTP middleware wraps _dispatch
        self._log: logging.Logger | None = None
        self.blueprints: dict[str, Blueprint] = {}
        self._handlers: dict[str, HandlerSpec] = {}
        self._tasks: dict[str, TaskSpec] = {}
        self.task_dispatcher: TaskDispatcher | None = None
        """Where ``task.delay()`` sends tasks (None: on Lambda, an asynchronous invoke)."""
        # A deployed function serves the one handler this names (see runtime/dispatch.py).
        self._bound_name: str | None = os.environ.get("MYFRAMEWORK_HANDLER") or None
        self._mounts: list[Bridge] = []

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
        check_view_signature(func, spec.param_names, path)
        existing = self._route_names.get(name)
        if existing is not None and existing is not func:
            raise RegistrationError(
                "%s: another view, %s, is already named %r; pass name= to tell them apart"
                % (route_where(path, func), func_name(existing), name))
        entry = self._router.entry_for(parsed, func)
        for method in spec.methods:
            if method in entry.methods:
                raise RegistrationError("%s: %s %s is already routed to %s" % (
                    route_where(path, func), method, path, func_name(entry.methods[method].view)))
        for other in entry.methods.values():
            if other.cors != spec.cors:
                raise RegistrationError(
                    "%s: every method of %s must share one CORS setting (the preflight answer "
                    "covers the path); %s has cors=%r" % (route_where(path, func), path,
                                                          func_name(other.view), other.cors))
        for method in spec.methods:
            entry.methods[method] = spec
        self._route_names[name] = func
        self.registry.routes.append(spec)

    def _add_middleware(self, spec: "MiddlewareSpec") -> None:
        self.registry.middleware.append(spec)
        if spec.event_type in ("http", "all"):
            self._build_http_chain()

    def _add_handler(self, handler: "EventHandler", name_prefix: str) -> None:
        spec = self._final_spec(handler, name_prefix)
        self._handlers[spec.name] = spec
        self.registry.handlers.append(spec)

    def _add_task(self, task: "Task[Any, Any]", name_prefix: str) -> None:
        spec = self._final_spec(task, name_prefix)
        self._tasks[spec.name] = spec
        self.registry.tasks.append(spec)

    def _final_spec(self, registered: "Registered", name_prefix: str) -> "Any":
        """The spec under its final name (checked to be valid and free), bound to this app."""
        spec = registered.spec
        if name_prefix:  # the spec's own name was checked when it was made; the prefix was not
            spec = spec._replace(name=name_prefix + spec.name)
            from .handlers import handler_name
            handler_name("%s (registered as %r)" % (func_name(spec.func), spec.name), spec.func,
                         spec.name)
        name, func = spec.name, spec.func
        other = self._handlers.get(name) or self._tasks.get(name)
        if other is not None:
            raise RegistrationError(
                "%s: the name %r is already used by %s; pass name= to tell them apart"
                % (func_name(func), name, func_name(other.func)))
        registered._bind(self, spec)
        return spec

    def _run_event_chain(self, event_type: str, final: "Callable[[Any], Any]",
                         event: "Any") -> "Any":
        """Call ``final(event)`` through the middleware registered for ``event_type``."""
        handler = final
        for spec in reversed(self.registry.middleware):
            if spec.event_type == event_type or spec.event_type == "all":
                handler = _wrap_event_middleware(spec.func, handler)
        return handler(event)

    def _build_http_chain(self) -> None:
        handler: GetResponse = self._dispatch
        for spec in reversed(self.registry.middleware):
            if spec.event_type in ("http", "all"):
                handler = _wrap_middleware(spec.func, handler)
        self._http_handler = handler
        self._http_middleware = handler != self._dispatch

    def mount_wsgi(self, wsgi_app: "Callable[..., Any]", prefix: str = "/", *,
                   cors: "bool | CORSConfig | None" = None, script_name: "str | None" = None,
                   exclude_headers: "Sequence[str]" = ()) -> None:
        """Send every request under ``prefix`` that no route matched to a WSGI app.

        ``wsgi_app`` is any PEP 3333 application (a Flask app, Django's
        ``get_wsgi_application()``...). Routes registered with ``@app.route``
        win, also for other methods on their path only when the route has no
        such method and the request is not a CORS preflight the route answers.
        ``prefix`` moves into ``SCRIPT_NAME``, so the app's own URL
        building sees it. ``cors``: CORS headers for the app's responses
        (default ``app.api.cors``). ``script_name``: what the app should see as
        the URL prefix before its paths (default: ``/{stage}`` on the
        ``execute-api`` host, ``app.api.base_path`` on a custom domain; ``""``
        turns the prefix off). ``exclude_headers``: response header names to
        drop (hop-by-hop headers are always dropped).
        """
        from .wsgi import Bridge, mount_spec
        spec = mount_spec(wsgi_app, prefix, cors, script_name, exclude_headers)
        for other in self._mounts:
            if other.spec.prefix == spec.prefix:
                raise RegistrationError(
                    "mount_wsgi(): %r already has a WSGI app mounted (%r); mount the second one "
                    "under another prefix" % (spec.prefix, other.spec.app))
        self._mounts.append(Bridge(self, spec))
        self._mounts.sort(key=lambda bridge: -len(bridge.spec.prefix))  # the longest prefix wins
        self.registry.mounts.append(spec)

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
        if self._bound_name is not None:  # a function deployed for one handler
            return _dispatch().run_bound(self, self._bound_name, event, context)
        if type(event) is dict:
            kind = http_kind(event)
            if kind is not None:
                return self._handle_http(kind, event, context)
        return self._handle_other(event, context)

    def _handle_other(self, event: "Any", context: "Any") -> "Any":
        return _dispatch().dispatch_event(self, event, context)

    def _run_handler(self, spec: "HandlerSpec", event: "Any", context: "Any") -> "Any":
        return _dispatch().run_handler(self, spec, event, context)

    def _handle_http(self, kind: "HttpEventKind", event: "dict[str, Any]", context: "Any") -> "Any":
        try:
            request = kind.request(event, context)
        except Exception as exc:  # a malformed event: the client's fault, never a crash
            if not isinstance(exc, ChaliceViewError):
                exc = BadRequestError("Malformed %s event (%s)" % (kind.name, type(exc).__name__))
            return self._shape_safely(kind, _error_response(exc, 400), event)
        base = self.api._base_path
        if base and kind.name in ("rest", "http-api"):  # base path mappings are API Gateway's
            strip_base_path(request, base)
        token = _current_request.set(request)
        try:
            try:
                response = self._http_handler(request)
                if type(response) is not Response and type(response) is not RenderedResponse:
                    response = _to_response(response)
            except ChaliceViewError as exc:
                response = self._view_error(exc, request)
            except Exception:
                response = self._internal_error(request)
            route = request.route
            try:
                if type(response) is RenderedResponse:  # a mounted WSGI app's, settled already
                    rendered = response.rendered
                else:
                    rendered = render(
                        response, self.api.binary_type_set(), request.method == "HEAD",
                        route is not None and route.compress
                        and accepts_gzip(request.headers.get("accept-encoding")),
                        self.api.text_type_set())
                shaped = kind.shape(rendered, event)
                if len(rendered[2]) > MAX_ESCAPE_FREE_CHARS:
                    size = payload_size(shaped)
                    if size > MAX_PAYLOAD_BYTES:
                        return self._shape_safely(kind, self._too_large(
                            request, "the response is %d bytes as JSON; a Lambda response can "
                            "carry at most %d. Return less, or serve large files from S3 (for "
                            "example through a presigned URL)" % (size, MAX_PAYLOAD_BYTES)), event)
                return shaped
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
            if self._mounts:
                mounted = self._to_mount(request)
                if mounted is not None:
                    return mounted
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

    def _to_mount(self, request: "Request") -> "Response | None":
        """The response of the WSGI app mounted over the path (a failure is a 500, as a view's
        is), or None when no mount covers it."""
        for mount in self._mounts:  # the longest prefix first
            if mount.covers(request.raw_path):
                try:
                    return mount(request)
                except Exception:
                    return self._internal_error(request)
        return None

    def _no_method(self, entry: "PathEntry", request: "Request") -> "Response":
        method = request.method
        any_route = next(iter(entry.methods.values()))
        cors = self._cors_for(any_route)
        if self._mounts and (method != "OPTIONS" or cors is None):
            mounted = self._to_mount(request)  # routed, but not for this method: the mount's
            if mounted is not None:
                return mounted
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

    def _too_large(self, request: "Request", message: str) -> "Response":
        """A 502 for a response Lambda could not return (logged: the client sees little)."""
        self.log.error("%s %s: %s", request.method, request.path, message)
        return Response({"Code": "BadGateway",
                         "Message": "The response is larger than AWS Lambda can return."},
                        None, 502)

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


_dispatch_module: "ModuleType | None" = None


def _dispatch() -> "ModuleType":
    """runtime.dispatch, imported with the first non-HTTP event (then one global read a call)."""
    global _dispatch_module
    if _dispatch_module is None:
        from . import dispatch
        _dispatch_module = dispatch
    return _dispatch_module


def _check_bare(decorator: str, first: "Any", example: str) -> None:
    """Refuse ``@app.schedule`` written without its arguments (it would register nothing)."""
    if callable(first) and hasattr(first, "__code__"):
        raise RegistrationError("%s needs arguments: write %s above %s" % (
            decorator, example, func_name(first)))


def _wrap_event_middleware(func: "Callable[..., Any]",
                           get_response: "Callable[[Any], Any]") -> "Callable[[Any], Any]":
    def call(event: "Any") -> "Any":
        return func(event, get_response)
    return call


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
