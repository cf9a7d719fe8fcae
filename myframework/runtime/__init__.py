"""What runs inside Lambda: the app, routing, requests, responses, event adapters.

Standard library only, and cheap to import: this package is what the
deployment zip carries.
"""
from .app import APIGateway, App, Blueprint, Chalice
from .cors import CORSConfig
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
    CustomAuthorizer,
    IAMAuthorizer,
    MiddlewareSpec,
    Registry,
    RouteSpec,
)

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
