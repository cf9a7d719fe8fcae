"""The deployer's side of AWS: clients, ARNs, retries and readable errors.

One :class:`Aws` per command. It makes (and caches) the boto3 clients from
one session, knows the account, region and partition the ARNs need, and runs
every call through :meth:`Aws.call`, which

- retries what real AWS answers while it settles: throttling, a function
  that is still being created or updated (``ResourceConflictException``), and
  a role that Lambda or SQS cannot use yet because IAM has not propagated it
  (only in the minute after this deploy wrote the role);
- turns every other failure into one :class:`DeployError` that names the
  step, AWS's error code and message, and what to do.

Tests hand in their own session (clients pointed at moto_server, or clients
with a botocore Stubber) and a ``sleep`` that does not wait.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import boto3

T = TypeVar("T")

# Retried until SETTLE_SECONDS: throttling, conflicts and resources still being
# created settle by themselves.
SETTLING = {"ResourceInUseException", "Throttling", "ThrottlingException", "ThrottledException",
            "TooManyRequestsException", "RequestLimitExceeded", "SlowDown",
            "PriorRequestNotComplete"}
CONFLICT = "ResourceConflictException"
DIRECT_UPLOAD_LIMIT = 50 * 1024 * 1024
# How long a fresh role may take to be usable by Lambda (AWS documents "a few seconds";
# in practice up to about a minute).
ROLE_PROPAGATION_SECONDS = 90.0
SETTLE_SECONDS = 300.0  # functions in Pending / InProgress, throttling
# A conflict that passes: the function is being created or updated. ("already exists" is
# not one; its message names the resource, which may contain any word.)
_CONFLICT_SETTLING = ("in progress", "pending", "at this time", "following state")
_ROLE_NOT_READY = ("cannot be assumed", "role defined for the function",
                   "does not have permissions", "not authorized to perform", "execution role")

_HINTS = {
    "AccessDenied": "the AWS credentials in use may not make this call; use credentials "
                    "allowed to manage IAM, Lambda, API Gateway, EventBridge, S3 "
                    "notifications, SQS mappings and SNS subscriptions",
    "AccessDeniedException": "the AWS credentials in use may not make this call",
    "UnrecognizedClientException": "the AWS credentials are not valid; check AWS_PROFILE or "
                                   "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY",
    "InvalidClientTokenId": "the AWS credentials are not valid; check AWS_PROFILE or "
                            "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY",
    "ExpiredToken": "the AWS session has expired; log in again (for example `aws sso login`)",
    "ExpiredTokenException": "the AWS session has expired; log in again",
    "NoSuchBucket": "the bucket the app listens to must exist first; create it, or fix the "
                    "bucket name in @app.on_s3_event",
    "NotFound": "a topic or queue the app subscribes to may not exist; create it first",
    "CodeStorageExceededException": "the account's Lambda code storage is full; delete old "
                                    "versions or layers",
    "LimitExceededException": "an account limit was reached; see the message",
}


class DeployError(Exception):
    """A deploy, delete or remote command stopped; the message says why and what to do.

    ``state_file`` is set when the stop came while resources were being changed:
    what was made so far is recorded there."""

    state_file: str | None = None


class Aws:
    """Clients and facts of one AWS account and region."""

    def __init__(self, session: boto3.session.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if session is None:
            import boto3
            session = boto3.session.Session()
        self.session = session
        self.sleep = sleep
        self.clock = clock
        region = session.region_name
        if not region:
            raise DeployError("no AWS region is set: set AWS_DEFAULT_REGION (for example "
                              "`export AWS_DEFAULT_REGION=us-east-1`) or a region in your AWS "
                              "profile")
        self.region: str = region
        from botocore.exceptions import BotoCoreError
        try:
            self.partition: str = session.get_partition_for_region(region)
        except BotoCoreError:
            raise DeployError("the AWS region %r is not one AWS has (set AWS_DEFAULT_REGION to "
                              "a region such as us-east-1 or eu-west-1)" % region) from None
        self._clients: dict[str, Any] = {}
        self._account: str | None = None
        self.role_written_at: float | None = None  # when this run wrote the role or its policy
        # Lambda takes a zip of up to 50 MB in the request itself; bigger ones go through
        # the deployment bucket (made on first use).
        self.direct_upload_limit = DIRECT_UPLOAD_LIMIT
        self.deployment_bucket: str | None = None
        self.calls = 0

    def client(self, service: str, once: bool = False) -> Any:
        """The client of ``service`` (one per service, created on first use);
        ``"sns@eu-west-1"`` is one for another region. ``once``: a client that never
        repeats a request itself, for creates that are not idempotent."""
        name, _, region = service.partition("@")
        key = (name if region in ("", self.region) else service) + ("!once" if once else "")
        if key not in self._clients:
            from botocore.config import Config
            retries: Any = {"mode": "standard"}
            if once:
                retries["total_max_attempts"] = 1
            self._clients[key] = self.session.client(  # type: ignore[call-overload]
                name, region_name=region or self.region,
                config=Config(retries=retries, user_agent_extra="myframework"))
        return self._clients[key]

    @property
    def account(self) -> str:
        if self._account is None:
            identity = self.call("find the AWS account", "sts", "get_caller_identity")
            self._account = str(identity["Account"])
        return self._account

    @account.setter
    def account(self, value: str) -> None:
        self._account = value

    def arn(self, template: str) -> str:
        """``template`` with ``${Partition}``, ``${Region}`` and ``${AccountId}`` filled in."""
        text = template.replace("${Partition}", self.partition).replace("${Region}", self.region)
        if "${AccountId}" in text:
            text = text.replace("${AccountId}", self.account)
        return text

    @property
    def url_suffix(self) -> str:
        return "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"

    def call(self, step: str, service: str, operation: str, *,
             missing: tuple[str, ...] = (), once: bool = False, **params: Any) -> Any:
        """``client(service).<operation>(**params)``, retried while AWS settles.

        Returns None when the error code is one of ``missing`` (a lookup of
        something that is not there). Raises :class:`DeployError` otherwise.
        ``once``: botocore must not repeat the request after a server error (a
        create that may have happened anyway).
        """
        from botocore.exceptions import BotoCoreError, ClientError
        method = getattr(self.client(service, once), operation)
        started = self.clock()
        delay = 1.0
        while True:
            try:
                self.calls += 1
                return method(**params)
            except ClientError as exc:
                error = exc.response.get("Error", {})
                code = str(error.get("Code", "Unknown"))
                message = str(error.get("Message", "")) or str(exc)
                deadline = self._settle_deadline(code, message, started)
                if deadline is not None:  # AWS settles by itself: wait, up to a limit
                    if self.clock() < deadline:
                        self.sleep(delay)
                        delay = min(delay * 2, 16.0)
                        continue
                elif code in missing:
                    return None
                raise DeployError(self.describe(step, code, message)) from None
            except BotoCoreError as exc:
                raise DeployError(self.describe_client_error(step, exc)) from None

    def _settle_deadline(self, code: str, message: str, started: float) -> float | None:
        """Until when (clock) to wait for what this error is about to settle; None: it
        will not settle by waiting."""
        lowered = message.lower()
        if code in SETTLING or (code == CONFLICT
                                and any(part in lowered for part in _CONFLICT_SETTLING)):
            return started + SETTLE_SECONDS
        if (code == "InvalidParameterValueException" and self.role_written_at is not None
                and any(part in lowered for part in _ROLE_NOT_READY)):
            return self.role_written_at + ROLE_PROPAGATION_SECONDS
        return None

    @staticmethod
    def describe(step: str, code: str, message: str) -> str:
        text = "%s failed: AWS answered %s: %s" % (step, code, message.rstrip("."))
        hint = _HINTS.get(code)
        return text + (" (%s)" % hint if hint else "")

    @staticmethod
    def describe_client_error(step: str, exc: Exception) -> str:
        name = type(exc).__name__
        if name in ("NoCredentialsError", "PartialCredentialsError"):
            return ("%s failed: no AWS credentials were found; set AWS_PROFILE, or "
                    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" % step)
        if name in ("EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError",
                    "ConnectionClosedError"):
            return ("%s failed: AWS could not be reached (%s); check the network, the region "
                    "and AWS_ENDPOINT_URL" % (step, exc))
        return "%s failed: %s" % (step, exc)
