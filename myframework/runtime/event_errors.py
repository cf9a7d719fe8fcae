"""Errors of event handlers and tasks (loaded with them, not by HTTP-only apps)."""
from .errors import ChaliceError, UnknownEventError


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
