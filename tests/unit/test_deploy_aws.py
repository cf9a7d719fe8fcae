"""The deployer's AWS side (myframework.deploy.aws) and the kinds' calls, behind
botocore's Stubber: what real AWS answers and moto does not (a role IAM has not
propagated yet, functions Pending or being updated, throttling, duplicates that
AWS refuses), the retries and the give-up points (on a fake clock, no waiting),
and the one readable error every other failure becomes.

No network: the Stubber answers every call; the two tests of unreachable AWS use
a closed port on 127.0.0.1.
"""
from __future__ import annotations

import datetime
import pathlib
import socket
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.stub import Stubber

from myframework.deploy.aws import (
    ROLE_PROPAGATION_SECONDS,
    SETTLE_SECONDS,
    Aws,
    DeployError,
)
from myframework.deploy.desired import Desired
from myframework.deploy.kinds import Observed
from myframework.deploy.kinds.events import PermissionKind, RestApiKind, SQSMappingKind
from myframework.deploy.kinds.functions import FunctionKind

ACCOUNT = "123456789012"
ROLE_ARN = "arn:aws:iam::%s:role/shop-dev" % ACCOUNT
FUNCTION = "shop-dev"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:%s:function:%s" % (ACCOUNT, FUNCTION)
QUEUE_ARN = "arn:aws:sqs:us-east-1:%s:jobs" % ACCOUNT
ROLE_NOT_READY = "The role defined for the function cannot be assumed by Lambda."
UPDATE_IN_PROGRESS = ("The operation cannot be performed at this time. An update is in progress "
                      "for resource: %s" % FUNCTION_ARN)


# -- fixtures and helpers -----------------------------------------------------------------

pytestmark = pytest.mark.usefixtures("no_aws_environment")


class FakeTime:
    """A clock that only moves when the code sleeps; every sleep is recorded."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_session(region: str = "us-east-1") -> boto3.session.Session:
    return boto3.session.Session(region_name=region, aws_access_key_id="x",
                                 aws_secret_access_key="y")


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def aws(fake_time: FakeTime) -> Aws:
    return Aws(make_session(), sleep=fake_time.sleep, clock=fake_time.clock)


@pytest.fixture
def stubbers() -> Iterator[list[Stubber]]:
    """Stubbers made by :func:`stub` in a test are deactivated after it."""
    made: list[Stubber] = []
    yield made
    for stubber in made:
        stubber.deactivate()


def stub(aws: Aws, service: str, made: list[Stubber]) -> Stubber:
    """A Stubber on the client ``aws`` uses for ``service`` (Aws caches its clients)."""
    stubber = Stubber(aws.client(service))
    stubber.activate()
    made.append(stubber)
    return stubber


def function_zip(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "deployment.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("app.py", "from myframework import App\napp = App('shop')\n")
    return path


def function_config(**changes: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "FunctionName": FUNCTION, "Runtime": "python3.12", "Handler": "app.app",
        "Role": ROLE_ARN, "MemorySize": 128, "Timeout": 60,
        "Description": "HTTP API of shop (dev)", "Environment": {"STAGE": "dev"},
        "Layers": [], "Architectures": ["x86_64"],
        "VpcConfig": {"SubnetIds": [], "SecurityGroupIds": []}, "EphemeralStorage": 512,
        "TracingConfig": "PassThrough", "DeadLetterTarget": None,
        "Tags": {"myframework:app": "shop", "myframework:stage": "dev"},
        "ReservedConcurrency": None, "CodeSha256": "c2hhMjU2",
    }
    config.update(changes)
    return config


def configuration_params(config: dict[str, Any]) -> dict[str, Any]:
    """What create_function / update_function_configuration must be sent for ``config``."""
    return {"FunctionName": config["FunctionName"], "Runtime": config["Runtime"],
            "Role": config["Role"], "Handler": config["Handler"],
            "Description": config["Description"], "Timeout": config["Timeout"],
            "MemorySize": config["MemorySize"],
            "Environment": {"Variables": config["Environment"]}, "Layers": config["Layers"],
            "VpcConfig": config["VpcConfig"],
            "EphemeralStorage": {"Size": config["EphemeralStorage"]},
            "TracingConfig": {"Mode": config["TracingConfig"]}}


CREATE_PARAMS: dict[str, Any] = {"FunctionName": FUNCTION, "Role": ROLE_ARN,
                                 "Runtime": "python3.12", "Handler": "app.app",
                                 "Code": {"ZipFile": b"PK"}}


# -- retries: IAM propagation ---------------------------------------------------------------

def test_role_not_yet_assumable_is_retried_with_growing_delays(
        aws: Aws, fake_time: FakeTime, stubbers: list[Stubber]) -> None:
    aws.role_written_at = aws.clock()
    lam = stub(aws, "lambda", stubbers)
    for _ in range(2):
        lam.add_client_error("create_function", "InvalidParameterValueException",
                             ROLE_NOT_READY, 400, expected_params=CREATE_PARAMS)
    lam.add_response("create_function", {"FunctionName": FUNCTION, "FunctionArn": FUNCTION_ARN},
                     expected_params=CREATE_PARAMS)

    created = aws.call("create function %s" % FUNCTION, "lambda", "create_function",
                       **CREATE_PARAMS)

    assert created["FunctionArn"] == FUNCTION_ARN
    assert len(fake_time.sleeps) == 2
    assert fake_time.sleeps[0] < fake_time.sleeps[1]  # backs off
    assert aws.calls == 3
    lam.assert_no_pending_responses()


def test_role_error_is_not_retried_when_this_run_wrote_no_role(
        aws: Aws, fake_time: FakeTime, stubbers: list[Stubber]) -> None:
    """A role the user manages (or one written by an earlier deploy) will not start
    working by waiting: the error is reported at once."""
    assert aws.role_written_at is None
    lam = stub(aws, "lambda", stubbers)
    lam.add_client_error("create_function", "InvalidParameterValueException", ROLE_NOT_READY)

    with pytest.raises(DeployError) as caught:
        aws.call("create function %s" % FUNCTION, "lambda", "create_function", **CREATE_PARAMS)

    message = str(caught.value)
    assert "create function shop-dev" in message
    assert "InvalidParameterValueException" in message
    assert "cannot be assumed by Lambda" in message
    assert fake_time.sleeps == []
    assert aws.calls == 1


def test_role_error_is_reported_once_the_propagation_time_has_passed(
        aws: Aws, fake_time: FakeTime, stubbers: list[Stubber]) -> None:
    aws.role_written_at = aws.clock()
    lam = stub(aws, "lambda", stubbers)
    for _ in range(30):
        lam.add_client_error("create_function", "InvalidParameterValueException",
                             ROLE_NOT_READY)

    with pytest.raises(DeployError, match="InvalidParameterValueException"):
        aws.call("create function %s" % FUNCTION, "lambda", "create_function", **CREATE_PARAMS)

    waited = sum(fake_time.sleeps)
    assert waited >= ROLE_PROPAGATION_SECONDS  # it waited for IAM as long as documented...
    assert waited - fake_time.sleeps[-1] < ROLE_PROPAGATION_SECONDS  # ...and no longer
    assert aws.calls == len(fake_time.sleeps) + 1


def test_role_error_long_after_the_role_was_written_is_not_retried(
        aws: Aws, fake_time: FakeTime, stubbers: list[Stubber]) -> None:
    aws.role_written_at = aws.clock()
    fake_time.now += ROLE_PROPAGATION_SECONDS
    lam = stub(aws, "lambda", stubbers)
    lam.add_client_error("create_function", "InvalidParameterValueException", ROLE_NOT_READY)

    with pytest.raises(DeployError, match="InvalidParameterValueException"):
        aws.call("create function %s" % FUNCTION, "lambda", "create_function", **CREATE_PARAMS)
    assert fake_time.sleeps == []


def test_other_invalid_parameters_are_not_retried_after_a_role_was_written(
        aws: Aws, fake_time: FakeTime, stubbers: list[Stubber]) -> None:
    aws.role_written_at = aws.clock()
    lam = stub(aws, "lambda", stubbers)
    lam.add_client_error("create_function", "InvalidParameterValueException",
                         "The runtime parameter of python2.7 is no longer supported")

    with pytest.raises(DeployError, match=r"python2\.7 is no longer supported"):
        aws.call("create function %s" % FUNCTION, "lambda", "create_function", **CREATE_PARAMS)
    assert fake_time.sleeps == []


# -- retries: conflicts and throttling ------------------------------------------------------

def test_update_in_progress_is_retried_until_it_succeeds(
        aws: Aws, fake_time: FakeTime, stubbers: list[Stubber]) -> None:
    lam = stub(aws, "lambda", stubbers)
    for _ in range(3):
        lam.add_client_error("update_function_code", "ResourceConflictException",
                             UPDATE_IN_PROGRESS, 409)
    lam.add_response("update_function_code", {"FunctionName": FUNCTION, "CodeSha256": "abc"},
                     expected_params={"FunctionName": FUNCTION, "ZipFile": b"PK"})

    answer = aws.call("upload the code of %s" % FUNCTION, "lambda", "update_function_code",
                      FunctionName=FUNCTION, ZipFile=b"PK")

    assert answer["CodeSha256"] == "abc"
    assert len(fake_time.sleeps) == 3
    assert fake_time.sleeps == sorted(fake_time.sleeps)
    lam.assert_no_pending_responses()


def test_update_in_progress_is_retried_whatever_the_function_is_called(
        aws: Aws, fake_time: FakeTime, stubbers: list[Stubber]) -> None:
    name = "shop-dev-when_file_exists"
    lam = stub(aws, "lambda", stubbers)
    lam.add_client_error("update_function_code", "ResourceConflictException",
                         "The operation cannot be performed at this time. An update is in "
                         "progress for resource: arn:aws:lambda:us-east-1:%s:function:%s"
                         % (ACCOUNT, name), 409)
    lam.add_response("update_function_code", {"FunctionName": name})

    answer = aws.call("upload the code of %s" % name, "lambda", "update_function_code",
                      FunctionName=name, ZipFile=b"PK")

    assert answer["FunctionName"] == name
    assert len(fake_time.sleeps) == 1

def test_already_exists_conflict_is_missing_without_a_retry(
        aws: Aws, fake_time: FakeTime, stubbers: list[Stubber]) -> None:
    lam = stub(aws, "lambda", stubbers)
    lam.add_client_error("create_function", "ResourceConflictException",
                         "Function already exist: %s" % FUNCTION, 409)

    answer = aws.call("create function %s" % FUNCTION, "lambda", "create_function",
                      missing=("ResourceConflictException",), **CREATE_PARAMS)

    assert answer is None
    assert fake_time.sleeps == []
    assert aws.calls == 1
    lam.assert_no_pending_responses()


def test_already_exists_conflict_is_an_error_where_not_expected(
        aws: Aws, fake_time: FakeTime, stubbers: list[Stubber]) -> None:
    lam = stub(aws, "lambda", stubbers)
    lam.add_client_error("create_function", "ResourceConflictException",
                         "Function already exist: %s" % FUNCTION, 409)

    with pytest.raises(DeployError) as caught:
        aws.call("create function %s" % FUNCTION, "lambda", "create_function", **CREATE_PARAMS)

    assert "ResourceConflictException" in str(caught.value)
    assert "Function already exist: shop-dev" in str(caught.value)
    assert fake_time.sleeps == []


@pytest.mark.parametrize("code", ["TooManyRequestsException", "ThrottlingException"])
def test_throttling_is_retried(code: str, aws: Aws, fake_time: FakeTime,
                               stubbers: list[Stubber]) -> None:
    lam = stub(aws, "lambda", stubbers)
    lam.add_client_error("get_function", code, "Rate exceeded", 429)
    lam.add_client_error("get_function", code, "Rate exceeded", 429)
    lam.add_response("get_function", {"Configuration": {"FunctionName": FUNCTION}},
                     expected_params={"FunctionName": FUNCTION})

    answer = aws.call("read function %s" % FUNCTION, "lambda", "get_function",
                      FunctionName=FUNCTION)

    assert answer["Configuration"]["FunctionName"] == FUNCTION
    assert len(fake_time.sleeps) == 2
    lam.assert_no_pending_responses()


@pytest.mark.parametrize("code", ["TooManyRequestsException", "ThrottlingException"])
def test_throttling_gives_up_after_the_settle_time(code: str, aws: Aws, fake_time: FakeTime,
                                                   stubbers: list[Stubber]) -> None:
    lam = stub(aws, "lambda", stubbers)
    for _ in range(60):
        lam.add_client_error("get_function", code, "Rate exceeded", 429)

    with pytest.raises(DeployError) as caught:
        aws.call("read function %s" % FUNCTION, "lambda", "get_function", FunctionName=FUNCTION)

    assert code in str(caught.value)
    assert "read function shop-dev" in str(caught.value)
    waited = sum(fake_time.sleeps)
    assert waited >= SETTLE_SECONDS
    assert waited - fake_time.sleeps[-1] < SETTLE_SECONDS
    # it backs off, but keeps asking at a reasonable pace (not one call per settle time)
    assert fake_time.sleeps == sorted(fake_time.sleeps)
    assert max(fake_time.sleeps) <= SETTLE_SECONDS / 10


# -- readable errors ------------------------------------------------------------------------

def test_error_names_step_code_message_and_hint_for_access_denied(
        aws: Aws, stubbers: list[Stubber]) -> None:
    iam = stub(aws, "iam", stubbers)
    iam.add_client_error("get_role", "AccessDenied",
                         "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
                         "iam:GetRole on resource: role shop-dev", 403)

    with pytest.raises(DeployError) as caught:
        aws.call("read IAM role shop-dev", "iam", "get_role", RoleName="shop-dev")

    message = str(caught.value)
    assert message.startswith("read IAM role shop-dev failed")
    assert "AccessDenied" in message
    assert "is not authorized to perform: iam:GetRole" in message
    assert "credentials" in message  # what to do about it
    assert "IAM" in message


def test_error_names_step_code_message_and_hint_for_a_missing_bucket(
        aws: Aws, stubbers: list[Stubber]) -> None:
    s3 = stub(aws, "s3", stubbers)
    s3.add_client_error("get_bucket_notification_configuration", "NoSuchBucket",
                        "The specified bucket does not exist", 404)

    with pytest.raises(DeployError) as caught:
        aws.call("read the notifications of bucket uploads", "s3",
                 "get_bucket_notification_configuration", Bucket="uploads")

    message = str(caught.value)
    assert message.startswith("read the notifications of bucket uploads failed")
    assert "NoSuchBucket" in message
    assert "The specified bucket does not exist" in message
    assert "must exist first" in message
    assert "@app.on_s3_event" in message


def test_error_without_a_known_code_has_no_hint(aws: Aws, stubbers: list[Stubber]) -> None:
    lam = stub(aws, "lambda", stubbers)
    lam.add_client_error("get_function", "ServiceException", "Internal failure.", 500)

    with pytest.raises(DeployError) as caught:
        aws.call("read function f", "lambda", "get_function", FunctionName="f")

    assert str(caught.value) == ("read function f failed: AWS answered ServiceException: "
                                 "Internal failure")


def test_no_credentials_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    session = boto3.session.Session(region_name="us-east-1",
                                    botocore_session=botocore.session.Session())
    aws = Aws(session, sleep=lambda seconds: None)

    with pytest.raises(DeployError) as caught:
        aws.account  # noqa: B018 (the property makes the call)

    message = str(caught.value)
    assert "find the AWS account failed" in message
    assert "no AWS credentials were found" in message
    assert "AWS_PROFILE" in message
    assert "AWS_ACCESS_KEY_ID" in message


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_unreachable_endpoint_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:%d" % closed_port())
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    session = boto3.session.Session(region_name="us-east-1",
                                    botocore_session=botocore.session.Session())
    aws = Aws(session, sleep=lambda seconds: None)

    with pytest.raises(DeployError) as caught:
        aws.call("read function f", "lambda", "get_function", FunctionName="f")

    message = str(caught.value)
    assert message.startswith("read function f failed: AWS could not be reached")
    assert "127.0.0.1" in message  # which endpoint
    assert "AWS_ENDPOINT_URL" in message


def test_no_region_tells_to_set_one() -> None:
    session = boto3.session.Session(botocore_session=botocore.session.Session())
    assert not session.region_name

    with pytest.raises(DeployError) as caught:
        Aws(session)
    assert "AWS_DEFAULT_REGION" in str(caught.value)


def test_unknown_region_is_a_clear_error() -> None:
    with pytest.raises(DeployError) as caught:
        Aws(make_session("us_east_1"))
    assert "us_east_1" in str(caught.value)
    assert "AWS_DEFAULT_REGION" in str(caught.value)

# -- ARNs -----------------------------------------------------------------------------------

def test_arn_fills_partition_region_and_account_asking_once(
        aws: Aws, stubbers: list[Stubber]) -> None:
    sts = stub(aws, "sts", stubbers)
    sts.add_response("get_caller_identity", {
        "Account": ACCOUNT, "UserId": "AIDAEXAMPLE", "Arn": "arn:aws:iam::%s:user/ci" % ACCOUNT},
        expected_params={})

    # no account in the template: no call at all
    assert aws.arn("arn:${Partition}:s3:::${Region}-bucket") == "arn:aws:s3:::us-east-1-bucket"
    assert aws.calls == 0

    assert (aws.arn("arn:${Partition}:lambda:${Region}:${AccountId}:function:f")
            == "arn:aws:lambda:us-east-1:123456789012:function:f")
    assert (aws.arn("arn:${Partition}:iam::${AccountId}:role/r")
            == "arn:aws:iam::123456789012:role/r")
    assert aws.account == ACCOUNT
    assert aws.calls == 1
    sts.assert_no_pending_responses()


def test_arn_in_the_china_partition() -> None:
    aws = Aws(make_session("cn-north-1"))
    aws.account = ACCOUNT  # no call needed
    assert (aws.arn("arn:${Partition}:sqs:${Region}:${AccountId}:jobs")
            == "arn:aws-cn:sqs:cn-north-1:123456789012:jobs")
    assert aws.url_suffix == "amazonaws.com.cn"


# -- FunctionKind ---------------------------------------------------------------------------

def test_function_create_while_pending_retries_the_concurrency_call(
        aws: Aws, fake_time: FakeTime, stubbers: list[Stubber], tmp_path: pathlib.Path) -> None:
    """AWS answers create_function with State Pending; the call that follows meets
    "an update is in progress" until the function is Active."""
    payload = function_zip(tmp_path)
    config = function_config(ReservedConcurrency=5)
    lam = stub(aws, "lambda", stubbers)
    lam.add_response("create_function", {
        "FunctionName": FUNCTION, "FunctionArn": FUNCTION_ARN, "State": "Pending",
        "StateReason": "The function is being created.", "StateReasonCode": "Creating"},
        expected_params={**configuration_params(config),
                         "Code": {"ZipFile": payload.read_bytes()},
                         "Architectures": ["x86_64"], "Publish": False, "Tags": config["Tags"]})
    lam.add_client_error("put_function_concurrency", "ResourceConflictException",
                         UPDATE_IN_PROGRESS, 409,
                         expected_params={"FunctionName": FUNCTION,
                                          "ReservedConcurrentExecutions": 5})
    lam.add_response("put_function_concurrency", {"ReservedConcurrentExecutions": 5},
                     expected_params={"FunctionName": FUNCTION,
                                      "ReservedConcurrentExecutions": 5})
    remembered: list[tuple[dict[str, Any], int]] = []

    def remember(identity: dict[str, Any]) -> None:
        remembered.append((identity, aws.calls))

    desired = Desired("function:api_handler", "function", "function shop-dev", config, payload)
    identity = FunctionKind().create(aws, desired, config, remember)

    assert identity == {"FunctionName": FUNCTION, "FunctionArn": FUNCTION_ARN}
    # recorded as soon as it existed, before the concurrency call
    assert remembered == [(identity, 1)]
    assert len(fake_time.sleeps) == 1
    lam.assert_no_pending_responses()


def updated(aws: Aws, tmp_path: pathlib.Path, config: dict[str, Any],
            fields: list[str], current_config: dict[str, Any] | None = None
            ) -> dict[str, Any]:
    payload = function_zip(tmp_path)
    desired = Desired("function:api_handler", "function", "function shop-dev", config, payload)
    current = Observed({"FunctionName": FUNCTION, "FunctionArn": FUNCTION_ARN},
                       current_config or function_config())
    return FunctionKind().update(aws, desired, config, current, fields)


def test_function_update_of_the_code_only_uploads_the_code(
        aws: Aws, stubbers: list[Stubber], tmp_path: pathlib.Path) -> None:
    lam = stub(aws, "lambda", stubbers)
    lam.add_response("update_function_code", {"FunctionName": FUNCTION},
                     expected_params={"FunctionName": FUNCTION, "Architectures": ["x86_64"],
                                      "ZipFile": function_zip(tmp_path).read_bytes()})

    identity = updated(aws, tmp_path, function_config(CodeSha256="bmV3"), ["CodeSha256"])

    assert identity == {"FunctionName": FUNCTION, "FunctionArn": FUNCTION_ARN}
    assert aws.calls == 1
    lam.assert_no_pending_responses()


def test_function_update_of_a_setting_only_updates_the_configuration(
        aws: Aws, stubbers: list[Stubber], tmp_path: pathlib.Path) -> None:
    config = function_config(MemorySize=1024)
    lam = stub(aws, "lambda", stubbers)
    lam.add_response("update_function_configuration", {"FunctionName": FUNCTION},
                     expected_params=configuration_params(config))

    updated(aws, tmp_path, config, ["MemorySize"])

    assert aws.calls == 1
    lam.assert_no_pending_responses()


def test_function_update_of_tags_untags_removed_and_tags_changed_only(
        aws: Aws, stubbers: list[Stubber], tmp_path: pathlib.Path) -> None:
    old = function_config(Tags={"keep": "1", "change": "old", "drop": "x"})
    config = function_config(Tags={"keep": "1", "change": "new", "add": "y"})
    lam = stub(aws, "lambda", stubbers)
    lam.add_response("untag_resource", {},
                     expected_params={"Resource": FUNCTION_ARN, "TagKeys": ["drop"]})
    lam.add_response("tag_resource", {},
                     expected_params={"Resource": FUNCTION_ARN,
                                      "Tags": {"change": "new", "add": "y"}})

    updated(aws, tmp_path, config, ["Tags"], current_config=old)

    assert aws.calls == 2
    lam.assert_no_pending_responses()


# -- event sources and permissions ----------------------------------------------------------

def mapping_config() -> dict[str, Any]:
    return {"EventSourceArn": QUEUE_ARN, "FunctionName": "shop-dev-on_job", "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 0, "FunctionResponseTypes": [],
            "MaximumConcurrency": None}


def test_sqs_mapping_create_adopts_the_mapping_aws_says_exists(
        aws: Aws, stubbers: list[Stubber]) -> None:
    """AWS refuses a second mapping of the same queue and function (moto accepts it):
    the existing one is found, recorded and brought up to date."""
    config = mapping_config()
    uuid = "a1b2c3d4-5678-90ab-cdef-11111EXAMPLE"
    settings = {"FunctionName": "shop-dev-on_job", "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 0, "FunctionResponseTypes": []}
    lam = stub(aws, "lambda", stubbers)
    lam.add_client_error(
        "create_event_source_mapping", "ResourceConflictException",
        "An event source mapping with SQS arn (\" %s \") and function (\" shop-dev-on_job \") "
        "already exists. Please update or delete the existing mapping with UUID %s"
        % (QUEUE_ARN, uuid), 409, expected_params={"EventSourceArn": QUEUE_ARN, **settings})
    lam.add_response("list_event_source_mappings", {"EventSourceMappings": [{
        "UUID": uuid, "EventSourceArn": QUEUE_ARN, "BatchSize": 1,
        "FunctionArn": "arn:aws:lambda:us-east-1:%s:function:shop-dev-on_job" % ACCOUNT,
        "State": "Enabled"}]},
        expected_params={"FunctionName": "shop-dev-on_job", "EventSourceArn": QUEUE_ARN})
    lam.add_response("update_event_source_mapping", {"UUID": uuid},
                     expected_params={"UUID": uuid, **settings})
    remembered: list[dict[str, Any]] = []

    desired = Desired("sqs:OnJobSqs", "sqs_mapping", "SQS mapping of jobs", config)
    identity = SQSMappingKind().create(aws, desired, config, remembered.append)

    assert identity == {"UUID": uuid}
    assert remembered == [{"UUID": uuid}]
    lam.assert_no_pending_responses()


def test_sqs_mapping_conflict_that_does_not_settle_is_reported_as_such(
        fake_time: FakeTime, stubbers: list[Stubber]) -> None:
    def long_sleep(seconds: float) -> None:  # each wait outlasts the settle time
        fake_time.sleep(SETTLE_SECONDS)

    aws = Aws(make_session(), sleep=long_sleep, clock=fake_time.clock)
    config = mapping_config()
    lam = stub(aws, "lambda", stubbers)
    for _ in range(2):  # asked, waited, asked again: given up
        lam.add_client_error("create_event_source_mapping", "ResourceConflictException",
                             UPDATE_IN_PROGRESS, 409)
    lam.add_response("list_event_source_mappings", {"EventSourceMappings": []})
    desired = Desired("sqs:OnJobSqs", "sqs_mapping", "SQS mapping of jobs", config)

    with pytest.raises(DeployError) as caught:
        SQSMappingKind().create(aws, desired, config, lambda identity: None)

    assert fake_time.sleeps == [SETTLE_SECONDS]
    assert "ResourceConflictException" in str(caught.value)
    assert "update is in progress" in str(caught.value)

def test_permission_create_replaces_a_statement_id_that_exists(
        aws: Aws, stubbers: list[Stubber]) -> None:
    config = {"FunctionName": FUNCTION, "StatementId": "myframework-rest-api",
              "Principal": "apigateway.amazonaws.com",
              "SourceArn": "arn:aws:execute-api:us-east-1:%s:abc123/*" % ACCOUNT,
              "SourceAccount": None}
    add = {"FunctionName": FUNCTION, "StatementId": "myframework-rest-api",
           "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com",
           "SourceArn": config["SourceArn"]}
    lam = stub(aws, "lambda", stubbers)
    lam.add_client_error("add_permission", "ResourceConflictException",
                         "The statement id (myframework-rest-api) provided already exists. "
                         "Please provide a new statement id, or remove the existing statement.",
                         409, expected_params=add)
    lam.add_response("remove_permission", {},
                     expected_params={"FunctionName": FUNCTION,
                                      "StatementId": "myframework-rest-api"})
    lam.add_response("add_permission", {"Statement": "{}"}, expected_params=add)
    remembered: list[dict[str, Any]] = []

    desired = Desired("permission:shop-dev:myframework-rest-api", "permission",
                      "permission for apigateway to invoke shop-dev", config)
    identity = PermissionKind().create(aws, desired, config, remembered.append)

    assert identity == {"FunctionName": FUNCTION, "StatementId": "myframework-rest-api"}
    assert remembered == [identity]
    lam.assert_no_pending_responses()


def test_rest_api_observe_finds_the_oldest_api_of_its_name_across_pages(
        aws: Aws, stubbers: list[Stubber]) -> None:
    """API Gateway lets two APIs share a name: a deploy that stopped before recording
    its API finds it (the first one made) instead of making another."""
    def created(day: int) -> datetime.datetime:
        return datetime.datetime(2026, 1, day, 12, tzinfo=datetime.timezone.utc)

    apigateway = stub(aws, "apigateway", stubbers)
    apigateway.add_response("get_rest_apis", {"position": "page-2", "items": [
        {"id": "other1", "name": "other-dev", "createdDate": created(1)},
        {"id": "newer1", "name": "shop-dev", "createdDate": created(20)}]},
        expected_params={"limit": 500})
    apigateway.add_response("get_rest_apis", {"items": [
        {"id": "older1", "name": "shop-dev", "createdDate": created(5)},
        {"id": "other2", "name": "shop-dev-2", "createdDate": created(2)}]},
        expected_params={"limit": 500, "position": "page-2"})
    desired = Desired("rest_api", "rest_api", "REST API shop-dev",
                      {"Name": "shop-dev", "Document": "digest", "Stage": "api",
                       "EndpointType": "EDGE", "MinimumCompressionSize": None}, {})

    found = RestApiKind().observe(aws, {}, desired, None)

    assert found == Observed({"id": "older1"}, {"Name": "shop-dev"})
    apigateway.assert_no_pending_responses()


def test_rest_api_observe_finds_nothing_when_no_api_has_its_name(
        aws: Aws, stubbers: list[Stubber]) -> None:
    apigateway = stub(aws, "apigateway", stubbers)
    apigateway.add_response("get_rest_apis", {"items": [{"id": "x", "name": "shop-prod"}]},
                            expected_params={"limit": 500})
    desired = Desired("rest_api", "rest_api", "REST API shop-dev", {"Name": "shop-dev"}, {})

    assert RestApiKind().observe(aws, {}, desired, None) is None

