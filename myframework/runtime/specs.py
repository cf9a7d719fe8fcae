"""Frozen records of what the decorators registered (the app's registry).

Everything above the runtime (dev server, deployer, policy generator) reads
the app through these specs, never through the decorated functions. They are
plain ``__slots__`` classes rather than dataclasses because importing
``dataclasses`` costs milliseconds of Lambda cold start.
"""

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from .cors import CORSConfig
    from .event_specs import HandlerSpec, TaskSpec


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
    :class:`~myframework.runtime.event_specs.TaskSpec`. Read it; register
    through the decorators.
    """

    __slots__ = ("handlers", "middleware", "routes", "tasks")

    def __init__(self) -> None:
        self.routes: list[RouteSpec] = []
        self.middleware: list[MiddlewareSpec] = []
        self.handlers: list[HandlerSpec] = []
        self.tasks: list[TaskSpec] = []


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
