"""Frozen records of what the decorators registered (the app's registry), and CORS settings.

Everything above the runtime (dev server, deployer, policy generator) reads
the app through these specs, never through the decorated functions. They are
plain ``__slots__`` classes rather than dataclasses because importing
``dataclasses`` costs milliseconds of Lambda cold start.
"""

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from .event_specs import HandlerSpec, TaskSpec
    from .wsgi import WSGIMount


class Frozen:
    """Base for immutable records: attributes are set once in ``__init__``."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("%s is immutable; cannot set %r" % (type(self).__name__, name))

    def __delattr__(self, name: str) -> None:
        raise AttributeError("%s is immutable; cannot delete %r" % (type(self).__name__, name))

    def _set(self, **values: object) -> None:
        for key, value in values.items():
            object.__setattr__(self, key, value)

    def _replace(self, **changes: object) -> "Frozen":
        """A copy with some fields changed."""
        copy = object.__new__(type(self))
        for name, value in self._fields():
            object.__setattr__(copy, name, changes.get(name, value))
        return copy

    def _fields(self) -> tuple[tuple[str, object], ...]:
        names: tuple[str, ...] = self.__slots__
        return tuple((name, getattr(self, name)) for name in names)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Frozen)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._fields()))

    def __repr__(self) -> str:
        inner = ", ".join("%s=%r" % kv for kv in self._fields())
        return "%s(%s)" % (type(self).__name__, inner)


class RouteSpec(Frozen):
    """One ``@app.route`` registration: a path and the methods one view serves."""

    __slots__ = (
        "api_key_required",
        "authorizer",
        "compress",
        "content_types",
        "cors",
        "methods",
        "name",
        "param_names",
        "path",
        "view",
    )

    path: str
    methods: tuple[str, ...]
    name: str
    view: "Callable[..., Any]"
    cors: "CORSConfig | bool | None"  # None: use app.api.cors
    content_types: tuple[str, ...]
    authorizer: "Any"
    api_key_required: bool | None
    compress: bool
    param_names: tuple[str, ...]

    def __init__(self, path: str, methods: tuple[str, ...], name: str, view: "Callable[..., Any]",
                 cors: "CORSConfig | bool | None", content_types: tuple[str, ...],
                 authorizer: "Any",
                 api_key_required: bool | None, compress: bool,
                 param_names: tuple[str, ...]) -> None:
        init = object.__setattr__
        init(self, "path", path)
        init(self, "methods", methods)
        init(self, "name", name)
        init(self, "view", view)
        init(self, "cors", cors)
        init(self, "content_types", content_types)
        init(self, "authorizer", authorizer)
        init(self, "api_key_required", api_key_required)
        init(self, "compress", compress)
        init(self, "param_names", param_names)


class MiddlewareSpec(Frozen):
    """One ``@app.middleware(event_type)`` registration."""

    __slots__ = ("event_type", "func", "name")

    event_type: str
    func: "Callable[..., Any]"
    name: str

    def __init__(self, event_type: str, func: "Callable[..., Any]", name: str) -> None:
        self._set(event_type=event_type, func=func, name=name)


class Registry:
    """What an app registered, in registration order.

    ``routes`` holds :class:`RouteSpec` records, ``middleware``
    :class:`MiddlewareSpec`, ``handlers`` the event handlers (subclasses of
    :class:`~myframework.runtime.event_specs.HandlerSpec`) and ``tasks``
    :class:`~myframework.runtime.event_specs.TaskSpec`, and ``mounts`` the
    WSGI apps of ``app.mount_wsgi()`` (:class:`~myframework.runtime.wsgi.WSGIMount`).
    Read it; register through the decorators.
    """

    __slots__ = ("handlers", "middleware", "mounts", "routes", "tasks")

    def __init__(self) -> None:
        self.routes: list[RouteSpec] = []
        self.middleware: list[MiddlewareSpec] = []
        self.handlers: list[HandlerSpec] = []
        self.tasks: list[TaskSpec] = []
        self.mounts: list[WSGIMount] = []


class Authorizer:
    """Base of the API Gateway authorizers a route can name (deploy-side config)."""

    name: str = ""
    scopes: list[str]

    def with_scopes(self, scopes: list[str]) -> "Authorizer":
        raise NotImplementedError("%s does not support scopes" % type(self).__name__)


class IAMAuthorizer(Authorizer):
    """Require SigV4-signed requests (``AWS_IAM`` authorization)."""

    def __init__(self) -> None:
        self.name = "sigv4"
        self.scopes = []


class CognitoUserPoolAuthorizer(Authorizer):
    """Require a token from one of the given Cognito user pools."""

    def __init__(self, name: str, provider_arns: list[str], header: str = "Authorization",
                 scopes: list[str] | None = None) -> None:
        if not isinstance(provider_arns, list) or not all(
                isinstance(a, str) for a in provider_arns):
            raise TypeError("CognitoUserPoolAuthorizer(%r): provider_arns must be a list of user "
                            "pool "
                            "ARN strings, got %r" % (name, provider_arns))
        self.name = name
        self.provider_arns = list(provider_arns)
        self.header = header
        self.scopes = list(scopes or [])

    def with_scopes(self, scopes: list[str]) -> "Authorizer":
        return CognitoUserPoolAuthorizer(self.name, self.provider_arns, self.header, scopes)


class CustomAuthorizer(Authorizer):
    """A Lambda token authorizer deployed outside this app (by its invocation URI)."""

    def __init__(self, name: str, authorizer_uri: str, ttl_seconds: int = 300,
                 header: str = "Authorization", invoke_role_arn: str | None = None,
                 scopes: list[str] | None = None) -> None:
        self.name = name
        self.authorizer_uri = authorizer_uri
        self.ttl_seconds = ttl_seconds
        self.header = header
        self.invoke_role_arn = invoke_role_arn
        self.scopes = list(scopes or [])

    def with_scopes(self, scopes: list[str]) -> "Authorizer":
        return CustomAuthorizer(self.name, self.authorizer_uri, self.ttl_seconds, self.header,
                                self.invoke_role_arn, scopes)


# -- CORS configuration and the headers it produces ---------------------------------

_REQUIRED_HEADERS = ("Authorization", "Content-Type", "X-Amz-Date", "X-Amz-Security-Token",
                     "X-Api-Key")


class CORSConfig:
    """CORS settings for a route (``cors=CORSConfig(...)``) or a whole API (``app.api.cors``).

    ``allow_origin`` is ``"*"``, one origin, or a list of origins: with a list,
    the request's ``Origin`` is echoed back when it is on the list (with
    ``Vary: Origin``) and no CORS headers are sent otherwise.
    """

    __slots__ = (
        "_allow_credentials",
        "_allow_headers",
        "_expose_headers",
        "_max_age",
        "_origins",
        "_static",
        "allow_origin",
    )

    def __init__(self, allow_origin: "str | Sequence[str]" = "*",
                 allow_headers: "Sequence[str] | None" = None,
                 expose_headers: "Sequence[str] | None" = None,
                 max_age: int | None = None,
                 allow_credentials: bool | None = None) -> None:
        if isinstance(allow_origin, str):
            origins: tuple[str, ...] | None = None
            if not allow_origin:
                raise ValueError("CORSConfig: allow_origin must not be empty; use '*' or an origin "
                                 "such as 'https://example.com'")
        else:
            origins = tuple(allow_origin)
            if not origins or not all(isinstance(o, str) and o and o != "*" for o in origins):
                raise ValueError("CORSConfig: allow_origin list must hold origins such as "
                                 "'https://example.com' (not '*'), got %r" % (allow_origin,))
        if allow_credentials and allow_origin == "*":
            raise ValueError("CORSConfig: browsers reject allow_credentials=True with "
                             "allow_origin='*'; list the allowed origins instead")
        if max_age is not None and (not isinstance(max_age, int) or max_age < 0):
            raise ValueError("CORSConfig: max_age must be a non-negative number of seconds, "
                             "got %r" % (max_age,))
        self.allow_origin = allow_origin
        self._origins = origins
        self._allow_headers = ",".join(sorted(set(_REQUIRED_HEADERS) | set(allow_headers or ())))
        self._expose_headers = ",".join(expose_headers or ())
        self._max_age = max_age
        self._allow_credentials = bool(allow_credentials)
        # The headers that do not depend on the request, computed once.
        static = {"Access-Control-Allow-Headers": self._allow_headers}
        if self._expose_headers:
            static["Access-Control-Expose-Headers"] = self._expose_headers
        if self._max_age is not None:
            static["Access-Control-Max-Age"] = str(self._max_age)
        if self._allow_credentials:
            static["Access-Control-Allow-Credentials"] = "true"
        self._static = static

    @property
    def allow_headers(self) -> str:
        return self._allow_headers

    def origin_for(self, request_origin: str | None) -> str | None:
        """The ``Access-Control-Allow-Origin`` value for a request (None: send no CORS headers)."""
        if self._origins is None:
            assert isinstance(self.allow_origin, str)
            return self.allow_origin
        if request_origin is not None and request_origin in self._origins:
            return request_origin
        return None

    def get_access_control_headers(self, request_origin: str | None = None) -> dict[str, str]:
        """The CORS headers for a response to a request from ``request_origin``."""
        origin = self.origin_for(request_origin)
        if origin is None:
            return {"Vary": "Origin"} if self._origins is not None else {}
        headers = {"Access-Control-Allow-Origin": origin}
        headers.update(self._static)
        if self._origins is not None:
            headers["Vary"] = "Origin"
        return headers

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CORSConfig):
            return NotImplemented
        return (self.allow_origin, self._static) == (other.allow_origin, other._static)

    def __hash__(self) -> int:
        return hash((str(self.allow_origin), tuple(sorted(self._static.items()))))

    def __repr__(self) -> str:
        return "CORSConfig(allow_origin=%r, %r)" % (self.allow_origin, self._static)


DEFAULT_CORS = CORSConfig()
