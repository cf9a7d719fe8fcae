"""HTTP errors a view can raise, with Chalice's names and status codes.

Raising one of these from a view produces a JSON response
``{"Code": "<ClassName>", "Message": "<str(exc)>"}`` with the class's
``STATUS_CODE``. Subclass :class:`ChaliceViewError` (or any of these) and set
``STATUS_CODE`` to add your own.
"""

class ChaliceError(Exception):
    """Base class of every error myframework defines."""


class ChaliceViewError(ChaliceError):
    """A view error answered with ``STATUS_CODE`` (500 unless a subclass says otherwise)."""

    STATUS_CODE: int = 500


class ChaliceUnhandledError(ChaliceError):
    """Not converted into a response by the view wrapper.

    Raise it from a view to let an ``http`` middleware see the exception; if
    nothing handles it, the client gets a 500.
    """


class BadRequestError(ChaliceViewError):
    STATUS_CODE = 400


class UnauthorizedError(ChaliceViewError):
    STATUS_CODE = 401


class ForbiddenError(ChaliceViewError):
    STATUS_CODE = 403


class NotFoundError(ChaliceViewError):
    STATUS_CODE = 404


class MethodNotAllowedError(ChaliceViewError):
    STATUS_CODE = 405


class RequestTimeoutError(ChaliceViewError):
    STATUS_CODE = 408


class ConflictError(ChaliceViewError):
    STATUS_CODE = 409


class RequestEntityTooLargeError(ChaliceViewError):
    STATUS_CODE = 413


class UnsupportedMediaType(ChaliceViewError):
    STATUS_CODE = 415


class UnprocessableEntityError(ChaliceViewError):
    STATUS_CODE = 422


class TooManyRequestsError(ChaliceViewError):
    STATUS_CODE = 429


class InternalServerError(ChaliceViewError):
    STATUS_CODE = 500


ALL_ERRORS = [
    ChaliceViewError,
    BadRequestError,
    UnauthorizedError,
    ForbiddenError,
    NotFoundError,
    MethodNotAllowedError,
    RequestTimeoutError,
    ConflictError,
    RequestEntityTooLargeError,
    UnsupportedMediaType,
    UnprocessableEntityError,
    TooManyRequestsError,
    InternalServerError,
]


class RegistrationError(ValueError):
    """A decorator was given arguments that cannot work.

    Raised at import time (when the decorator runs), naming the function.
    """


class UnknownEventError(ValueError):
    """The handler was invoked with an event it does not recognise."""

