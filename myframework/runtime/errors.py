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


class EventParseError(ChaliceError, ValueError):
    """A field of an event record is missing or malformed (for example an SQS
    body that is not valid JSON when ``json_body`` is read).

    The message names the record. In an ``on_sqs_message(per_record=True)``
    handler it makes that message a batch item failure; in batch mode it
    fails the whole batch unless the handler catches it and reports the
    record with ``BatchItemFailures``.
    """


class TaskDispatchError(ChaliceError):
    """``task.delay()`` could not send the task: arguments that are not JSON,
    a payload over the asynchronous-invoke limit, or nowhere to send it.

    Raised before anything is sent.
    """


class UnknownTaskError(UnknownEventError):
    """A task envelope named a task that is not registered on the app (or was malformed)."""


class BatchFailedError(ChaliceError):
    """Every message of an SQS batch failed: raised so Lambda retries the whole
    batch even where ``ReportBatchItemFailures`` is not enabled.

    ``failures`` holds the message ids.
    """

    def __init__(self, message: str, failures: "list[str]") -> None:
        super().__init__(message)
        self.failures = failures
