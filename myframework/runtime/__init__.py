"""What runs inside Lambda: the app, routing, requests, responses, event adapters.

Standard library only, and cheap to import: this package is what the
deployment zip carries.
"""
from .app import APIGateway, App, Blueprint, Chalice
from .errors import (
    ALL_ERRORS,
    BadRequestError,
    ChaliceError,
    ChaliceUnhandledError,
    ChaliceViewError,
    ConflictError,
    ForbiddenError,
    InternalServerError,
    MethodNotAllowedError,
    NotFoundError,
    RegistrationError,
    RequestEntityTooLargeError,
    RequestTimeoutError,
    TooManyRequestsError,
    UnauthorizedError,
    UnknownEventError,
    UnprocessableEntityError,
    UnsupportedMediaType,
)
from .request import Headers, MultiDict, Request
from .response import Response
from .specs import (
    Authorizer,
    CognitoUserPoolAuthorizer,
    CORSConfig,
    CustomAuthorizer,
    IAMAuthorizer,
    MiddlewareSpec,
    Registry,
    RouteSpec,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:  # the lazily loaded names, for type checkers
    from typing import Any

    from .authorizers import (
        AuthorizerSpec as AuthorizerSpec,
        AuthRequest as AuthRequest,
        AuthResponse as AuthResponse,
        AuthRoute as AuthRoute,
        BuiltinAuthorizer as BuiltinAuthorizer,
        ChaliceAuthorizer as ChaliceAuthorizer,
    )
    from .dispatch import BatchItemFailures as BatchItemFailures
    from .event_errors import (
        BatchFailedError as BatchFailedError,
        EventParseError as EventParseError,
        TaskDispatchError as TaskDispatchError,
        UnknownTaskError as UnknownTaskError,
    )
    from .event_specs import (
        CloudWatchEventSpec as CloudWatchEventSpec,
        FunctionOptions as FunctionOptions,
        HandlerSpec as HandlerSpec,
        LambdaFunctionSpec as LambdaFunctionSpec,
        S3EventSpec as S3EventSpec,
        ScheduleSpec as ScheduleSpec,
        SNSEventSpec as SNSEventSpec,
        SQSEventSpec as SQSEventSpec,
        TaskSpec as TaskSpec,
    )
    from .events import (
        BaseLambdaEvent as BaseLambdaEvent,
        CloudWatchEvent as CloudWatchEvent,
        LambdaFunctionEvent as LambdaFunctionEvent,
        S3Event as S3Event,
        S3Record as S3Record,
        ScheduledEvent as ScheduledEvent,
        SNSEvent as SNSEvent,
        SNSRecord as SNSRecord,
        SQSEvent as SQSEvent,
        SQSRecord as SQSRecord,
        TaskInvocation as TaskInvocation,
    )
    from .handlers import EventHandler as EventHandler
    from .schedules import Cron as Cron, Rate as Rate, ScheduleExpression as ScheduleExpression
    from .tasks import (
        LambdaDispatcher as LambdaDispatcher,
        Task as Task,
        TaskDispatcher as TaskDispatcher,
        TaskHandle as TaskHandle,
    )

# Names whose modules load on first use, so an HTTP-only app's cold start does not pay for them.
LAZY_NAMES = {
    "AuthRequest": "authorizers", "AuthResponse": "authorizers", "AuthRoute": "authorizers",
    "AuthorizerSpec": "authorizers", "BuiltinAuthorizer": "authorizers",
    "ChaliceAuthorizer": "authorizers",
    "BatchItemFailures": "dispatch",
    "BatchFailedError": "event_errors", "EventParseError": "event_errors",
    "TaskDispatchError": "event_errors", "UnknownTaskError": "event_errors",
    "CloudWatchEventSpec": "event_specs", "FunctionOptions": "event_specs",
    "HandlerSpec": "event_specs", "LambdaFunctionSpec": "event_specs",
    "S3EventSpec": "event_specs", "ScheduleSpec": "event_specs", "SNSEventSpec": "event_specs",
    "SQSEventSpec": "event_specs", "TaskSpec": "event_specs",
    "BaseLambdaEvent": "events", "CloudWatchEvent": "events", "LambdaFunctionEvent": "events",
    "S3Event": "events", "S3Record": "events", "ScheduledEvent": "events", "SNSEvent": "events",
    "SNSRecord": "events", "SQSEvent": "events", "SQSRecord": "events",
    "TaskInvocation": "events",
    "EventHandler": "handlers",
    "Cron": "schedules", "Rate": "schedules", "ScheduleExpression": "schedules",
    "LambdaDispatcher": "tasks", "Task": "tasks", "TaskDispatcher": "tasks",
    "TaskHandle": "tasks",
}


def __getattr__(name: str) -> "Any":
    module = LAZY_NAMES.get(name)
    if module is None:
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    import importlib
    value = getattr(importlib.import_module("." + module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> "list[str]":
    return sorted([*globals(), *LAZY_NAMES])


__all__ = [
    "ALL_ERRORS",
    "APIGateway",
    "App",
    "Authorizer",
    "BadRequestError",
    "Blueprint",
    "CORSConfig",
    "Chalice",
    "ChaliceError",
    "ChaliceUnhandledError",
    "ChaliceViewError",
    "CognitoUserPoolAuthorizer",
    "ConflictError",
    "CustomAuthorizer",
    "ForbiddenError",
    "Headers",
    "IAMAuthorizer",
    "InternalServerError",
    "MethodNotAllowedError",
    "MiddlewareSpec",
    "MultiDict",
    "NotFoundError",
    "RegistrationError",
    "Registry",
    "Request",
    "RequestEntityTooLargeError",
    "RequestTimeoutError",
    "Response",
    "RouteSpec",
    "TooManyRequestsError",
    "UnauthorizedError",
    "UnknownEventError",
    "UnprocessableEntityError",
    "UnsupportedMediaType",
]
