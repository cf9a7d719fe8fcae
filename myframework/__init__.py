"""myframework: a Python microframework for serverless apps on AWS Lambda.

``import myframework`` loads only the standard-library runtime; the CLI,
deployer and policy generator are imported on their own.
"""
from .runtime import *  # noqa: F403
from .runtime import LAZY_NAMES as _LAZY_NAMES, __all__ as _runtime_all

TYPE_CHECKING = False

if TYPE_CHECKING:  # the lazily loaded names, for type checkers
    from typing import Any

    from .runtime import (
        AuthorizerSpec as AuthorizerSpec,
        AuthRequest as AuthRequest,
        AuthResponse as AuthResponse,
        AuthRoute as AuthRoute,
        BaseLambdaEvent as BaseLambdaEvent,
        BatchFailedError as BatchFailedError,
        BatchItemFailures as BatchItemFailures,
        BuiltinAuthorizer as BuiltinAuthorizer,
        ChaliceAuthorizer as ChaliceAuthorizer,
        CloudWatchEvent as CloudWatchEvent,
        Cron as Cron,
        EventHandler as EventHandler,
        EventParseError as EventParseError,
        LambdaDispatcher as LambdaDispatcher,
        LambdaFunctionEvent as LambdaFunctionEvent,
        Rate as Rate,
        S3Event as S3Event,
        S3Record as S3Record,
        ScheduledEvent as ScheduledEvent,
        ScheduleExpression as ScheduleExpression,
        SNSEvent as SNSEvent,
        SNSRecord as SNSRecord,
        SQSEvent as SQSEvent,
        SQSRecord as SQSRecord,
        Task as Task,
        TaskDispatcher as TaskDispatcher,
        TaskDispatchError as TaskDispatchError,
        TaskHandle as TaskHandle,
        TaskInvocation as TaskInvocation,
        UnknownTaskError as UnknownTaskError,
    )


def __getattr__(name: str) -> "Any":
    """The event and task names load their modules on first use (see runtime.LAZY_NAMES)."""
    if name in _LAZY_NAMES:
        from . import runtime as runtime
        value = getattr(runtime, name)
        globals()[name] = value
        return value
    raise AttributeError("module 'myframework' has no attribute %r" % name)

__version__ = "0.1.0.dev0"
__all__ = ["__version__", *_runtime_all]
