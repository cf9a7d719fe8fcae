"""The resources an IAM action is needed on, from the names a call passes.

:func:`resource_arns` turns the arguments of one boto3 call whose values are
known constants (a bucket name, a table name, a queue URL...) into the ARNs
its action needs. ARNs are templates with ``${Partition}``, ``${Region}`` and
``${AccountId}`` (as in :mod:`myframework.deploy.models`); a value given as a
full ARN is kept as it is. ``("*",)`` when the name is not known, when the
action has no resource-level permission, or for a service not handled here.

Choices worth knowing:

* S3 object actions are scoped to ``arn:${Partition}:s3:::BUCKET/*`` even when
  the call's ``Key`` is a constant: keys are mostly built at run time, the same
  bucket is usually read and written under several keys, and bucket-wide object
  access is what the framework's own S3 event sources grant.
* ``ssm:GetParametersByPath`` is authorised against the path itself, so a
  ``Path`` gives both ``parameter/PATH`` and ``parameter/PATH/*``.
* An SQS queue URL gives the queue's name; the ARN takes the stage's region
  and account like every other template (the URL's host and account are not
  trusted, so a local emulator's URL works too).
* A Lambda function called with a qualifier (``name:alias``, a qualified ARN,
  or a ``Qualifier`` argument) needs ``function:NAME:*`` as well as the
  function's own ARN.

Pure string work: no botocore, no AWS. Which actions take which resource type
follows the IAM service authorization reference, as checked in
``tests/unit/test_policy_resources.py``.
"""
from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Mapping

__all__ = ["ANY", "resource_arns"]

ANY = ("*",)
_PARTITION = "arn:${Partition}"
Params = Mapping[str, str | None]


def _regional(service: str, resource: str) -> str:
    return f"{_PARTITION}:{service}:${{Region}}:${{AccountId}}:{resource}"


def _known(params: Params, *keys: str) -> str | None:
    """The first of ``keys`` the call passes with a known, non-empty value."""
    for key in keys:
        value = params.get(key)
        if value:
            return value
    return None


def _passes(params: Params, *keys: str) -> bool:
    return any(key in params for key in keys)


def _is_arn(value: str) -> bool:
    return value.startswith("arn:")


# ---------------------------------------------------------------- S3

# Actions on a bucket (resource type "bucket"; most also accept an access point).
_S3_BUCKET_ACTIONS = frozenset({
    "AllowVendedLogDeliveryForResource", "CreateBucket", "CreateBucketMetadataTableConfiguration",
    "DeleteBucket", "DeleteBucketMetadataTableConfiguration", "DeleteBucketPolicy",
    "DeleteBucketWebsite", "GetAccelerateConfiguration", "GetAnalyticsConfiguration",
    "GetBucketAbac", "GetBucketAcl", "GetBucketCORS", "GetBucketLocation", "GetBucketLogging",
    "GetBucketMetadataTableConfiguration", "GetBucketNotification",
    "GetBucketObjectLockConfiguration", "GetBucketOwnershipControls", "GetBucketPolicy",
    "GetBucketPolicyStatus", "GetBucketPublicAccessBlock", "GetBucketRequestPayment",
    "GetBucketTagging", "GetBucketVersioning", "GetBucketWebsite", "GetEncryptionConfiguration",
    "GetIntelligentTieringConfiguration", "GetInventoryConfiguration",
    "GetLifecycleConfiguration", "GetMetricsConfiguration", "GetReplicationConfiguration",
    "ListBucket", "ListBucketMultipartUploads", "ListBucketVersions", "PauseReplication",
    "PutAccelerateConfiguration", "PutAnalyticsConfiguration", "PutBucketAbac", "PutBucketAcl",
    "PutBucketCORS", "PutBucketLogging", "PutBucketNotification",
    "PutBucketObjectLockConfiguration", "PutBucketOwnershipControls", "PutBucketPolicy",
    "PutBucketPublicAccessBlock", "PutBucketRequestPayment", "PutBucketTagging",
    "PutBucketVersioning", "PutBucketWebsite", "PutEncryptionConfiguration",
    "PutIntelligentTieringConfiguration", "PutInventoryConfiguration",
    "PutLifecycleConfiguration", "PutMetricsConfiguration", "PutReplicationConfiguration",
    "UpdateBucketMetadataAnnotationTableConfiguration",
    "UpdateBucketMetadataInventoryTableConfiguration",
    "UpdateBucketMetadataJournalTableConfiguration",
})
# Actions on the objects in a bucket (resource type "object").
_S3_OBJECT_ACTIONS = frozenset({
    "AbortMultipartUpload", "BypassGovernanceRetention", "DeleteObject", "DeleteObjectAnnotation",
    "DeleteObjectTagging", "DeleteObjectVersion", "DeleteObjectVersionAnnotation",
    "DeleteObjectVersionTagging", "GetObject", "GetObjectAcl", "GetObjectAnnotation",
    "GetObjectAttributes", "GetObjectLegalHold", "GetObjectRetention", "GetObjectTagging",
    "GetObjectTorrent", "GetObjectVersion", "GetObjectVersionAcl", "GetObjectVersionAnnotation",
    "GetObjectVersionAttributes", "GetObjectVersionForReplication", "GetObjectVersionTagging",
    "GetObjectVersionTorrent", "InitiateReplication", "ListMultipartUploadParts",
    "ListObjectAnnotations", "ListObjectVersionAnnotations", "ObjectOwnerOverrideToBucketOwner",
    "PutObject", "PutObjectAcl", "PutObjectAnnotation", "PutObjectLegalHold",
    "PutObjectRetention", "PutObjectTagging", "PutObjectVersionAcl", "PutObjectVersionAnnotation",
    "PutObjectVersionTagging", "ReplicateDelete", "ReplicateObject", "ReplicateObjectAnnotation",
    "ReplicateTags", "RestoreObject", "UpdateObjectEncryption",
})
# Bucket names, including the legacy ones with capitals and underscores.
_BUCKET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,254}")
_ACCESS_POINT_ARN = re.compile(r"arn:[^:]+:s3:[^:]*:[^:]*:accesspoint/[^/]+")


def _s3(action: str, params: Params) -> tuple[str, ...]:
    if action in _S3_OBJECT_ACTIONS:
        # CopyObject and UploadPartCopy read their source with s3:GetObject.
        key = ("CopySourceBucket" if action == "GetObject" and "CopySourceBucket" in params
               else "Bucket")
        bucket = _known(params, key)
        if bucket and _ACCESS_POINT_ARN.fullmatch(bucket):
            return (f"{bucket}/object/*",)
        if bucket and _BUCKET_NAME.fullmatch(bucket):
            return (f"{_PARTITION}:s3:::{bucket}/*",)
        return ANY
    if action in _S3_BUCKET_ACTIONS:
        bucket = _known(params, "Bucket")
        if bucket and _ACCESS_POINT_ARN.fullmatch(bucket):
            return (bucket,)
        if bucket and _BUCKET_NAME.fullmatch(bucket):
            return (f"{_PARTITION}:s3:::{bucket}",)
    return ANY  # ListAllMyBuckets and the account-level actions


def _s3express(action: str, params: Params) -> tuple[str, ...]:
    bucket = _known(params, "Bucket")
    if action == "CreateSession" and bucket and _BUCKET_NAME.fullmatch(bucket):
        return (_regional("s3express", f"bucket/{bucket}"),)
    return ANY


# ---------------------------------------------------------------- DynamoDB

# Actions on a table (resource type "table"; Query, Scan and PartiQLSelect also on its
# indexes); the others have no resource, or one the call's names do not give.
_DYNAMODB_TABLE_ACTIONS = frozenset({
    "AssociateTableReplica", "BatchGetItem", "BatchWriteItem", "ConditionCheckItem",
    "CreateBackup", "CreateGlobalTable", "CreateGlobalTableWitness", "CreateTable",
    "CreateTableReplica", "DeleteGlobalTableWitness", "DeleteItem", "DeleteResourcePolicy",
    "DeleteTable", "DeleteTableReplica", "DescribeContinuousBackups",
    "DescribeContributorInsights", "DescribeKinesisStreamingDestination", "DescribeTable",
    "DescribeTableReplicaAutoScaling", "DescribeTimeToLive",
    "DisableKinesisStreamingDestination", "DisassociateTableReplica",
    "EnableKinesisStreamingDestination", "ExportTableToPointInTime", "GetItem",
    "GetResourcePolicy", "ImportTable", "ListTagsOfResource", "PartiQLDelete", "PartiQLInsert",
    "PartiQLSelect", "PartiQLUpdate", "PutItem", "PutResourcePolicy", "Query",
    "ReadDataForReplication", "ReplicateSettings", "RestoreTableFromAwsBackup",
    "RestoreTableFromBackup", "RestoreTableToPointInTime", "Scan", "SearchVectors",
    "StartAwsBackupJob", "TagResource", "UntagResource", "UpdateContinuousBackups",
    "UpdateContributorInsights", "UpdateGlobalTable", "UpdateGlobalTableSettings",
    "UpdateGlobalTableVersion", "UpdateItem", "UpdateKinesisStreamingDestination",
    "UpdateTable", "UpdateTableReplicaAutoScaling", "UpdateTimeToLive",
    "WriteDataForReplication",
})
_DYNAMODB_INDEXED = frozenset({
    "Query", "Scan", "PartiQLSelect", "DescribeContributorInsights", "UpdateContributorInsights",
    "SearchVectors",
})
_DYNAMODB_STREAM = frozenset({"DescribeStream", "GetRecords", "GetShardIterator"})


def _dynamodb(action: str, params: Params) -> tuple[str, ...]:
    if action in _DYNAMODB_STREAM:
        stream = _known(params, "StreamArn")
        return (stream,) if stream and _is_arn(stream) else ANY
    if action not in _DYNAMODB_TABLE_ACTIONS:
        return ANY
    # BatchGetItem / BatchWriteItem / transactions name their tables inside
    # RequestItems / TransactItems: the analysis passes "TableName" when it knows them.
    table = _known(params, "TableName", "TableArn")
    if not table:
        return ANY
    arn = table if _is_arn(table) else _regional("dynamodb", f"table/{table}")
    if action in _DYNAMODB_INDEXED:
        return (arn, f"{arn}/index/*")
    return (arn,)


# ---------------------------------------------------------------- SQS / SNS


def _queue_name(params: Params) -> str | None:
    name = _known(params, "QueueName")
    if name:
        return name
    url = _known(params, "QueueUrl")
    if not url:
        return None
    # https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, https://queue.amazonaws.com/...,
    # https://REGION.queue.amazonaws.com/..., http://localhost:4566/ACCOUNT/NAME.
    path = [part for part in urllib.parse.urlsplit(url).path.split("/") if part]
    return path[-1] if path else None


_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}(\.fifo)?")
_SQS_QUEUE_ACTIONS = frozenset({
    "AddPermission", "CancelMessageMoveTask", "ChangeMessageVisibility", "CreateQueue",
    "DeleteMessage", "DeleteQueue", "GetQueueAttributes", "GetQueueUrl",
    "ListDeadLetterSourceQueues", "ListMessageMoveTasks", "ListQueueTags", "PurgeQueue",
    "ReceiveMessage", "RemovePermission", "SendMessage", "SetQueueAttributes",
    "StartMessageMoveTask", "TagQueue", "UntagQueue",
})


_SQS_URL = re.compile(r"^https://(?:sqs\.)?([a-z0-9-]+)\.(?:queue\.)?amazonaws\.com(?:\.cn)?"
                      r"/(\d{12})/")


def _sqs(action: str, params: Params) -> tuple[str, ...]:
    name = _queue_name(params)
    if action not in _SQS_QUEUE_ACTIONS or not name or not _QUEUE_NAME.fullmatch(name):
        return ANY
    url = _known(params, "QueueUrl") if not _known(params, "QueueName") else None
    match = _SQS_URL.match(url or "")
    if match and match.group(1) != "queue":  # the URL names the queue's region and account
        return ("%s:sqs:%s:%s:%s" % (_PARTITION, match.group(1), match.group(2), name),)
    return (_regional("sqs", name),)


_SNS_TOPIC_ACTIONS = frozenset({
    "AddPermission", "ConfirmSubscription", "CreateTopic", "DeleteTopic",
    "GetDataProtectionPolicy", "GetSubscriptionAttributes", "GetTopicAttributes",
    "ListSubscriptionsByTopic", "ListTagsForResource", "Publish", "PutDataProtectionPolicy",
    "RemovePermission", "SetSubscriptionAttributes", "SetTopicAttributes", "Subscribe",
    "TagResource", "Unsubscribe", "UntagResource",
})


def _sns(action: str, params: Params) -> tuple[str, ...]:
    if action not in _SNS_TOPIC_ACTIONS:
        return ANY
    if action == "Publish" and _passes(params, "PhoneNumber"):
        return ANY  # an SMS has no topic
    arn = _known(params, "TopicArn", "TargetArn", "ResourceArn")
    subscription = _known(params, "SubscriptionArn")
    if not arn and subscription and subscription.count(":") == 6:
        arn = subscription.rsplit(":", 1)[0]  # TOPIC_ARN:SUBSCRIPTION_ID
    if arn:
        return (arn,) if _is_arn(arn) else ANY
    name = _known(params, "Name") if action == "CreateTopic" else None
    return (_regional("sns", name),) if name else ANY


# ---------------------------------------------------------------- Lambda

# Actions on a function (resource type "function"); layers, event source mappings,
# code-signing configs and the rest are "*".
_LAMBDA_FUNCTION_ACTIONS = frozenset({
    "AddPermission", "CreateAlias", "CreateFunction", "CreateFunctionUrlConfig", "DeleteAlias",
    "DeleteFunction", "DeleteFunctionCodeSigningConfig", "DeleteFunctionConcurrency",
    "DeleteFunctionEventInvokeConfig", "DeleteFunctionUrlConfig", "DeleteResourcePolicy",
    "DisableReplication", "EnableReplication", "GetAlias", "GetFunction",
    "GetFunctionCodeSigningConfig", "GetFunctionConcurrency", "GetFunctionConfiguration",
    "GetFunctionEventInvokeConfig", "GetFunctionRecursionConfig", "GetFunctionScalingConfig",
    "GetFunctionUrlConfig", "GetPolicy", "GetResourcePolicy", "GetRuntimeManagementConfig",
    "InvokeAsync", "InvokeFunction", "InvokeFunctionUrl", "ListAliases",
    "ListDurableExecutionsByFunction", "ListFunctionEventInvokeConfigs",
    "ListFunctionUrlConfigs", "ListProvisionedConcurrencyConfigs", "ListTags",
    "ListVersionsByFunction", "PublishVersion", "PutFunctionCodeSigningConfig",
    "PutFunctionConcurrency", "PutFunctionEventInvokeConfig", "PutFunctionRecursionConfig",
    "PutFunctionScalingConfig", "PutResourcePolicy", "PutRuntimeManagementConfig",
    "RemovePermission", "TagResource", "UntagResource", "UpdateAlias", "UpdateFunctionCode",
    "UpdateFunctionCodeSigningConfig", "UpdateFunctionConfiguration",
    "UpdateFunctionEventInvokeConfig", "UpdateFunctionUrlConfig",
})
# name, name:qualifier, ACCOUNT:function:name[:qualifier], or the full ARN.
_FUNCTION = re.compile(
    r"(?:arn:(?P<partition>[^:]+):lambda:(?P<region>[^:]+):(?P<arn_account>\d{12}):function:"
    r"|(?P<account>\d{12}):function:)?"
    r"(?P<name>[A-Za-z0-9_-]{1,140})(?::(?P<qualifier>[A-Za-z0-9$_-]+))?")


def _lambda(action: str, params: Params) -> tuple[str, ...]:
    function = _known(params, "FunctionName")
    match = _FUNCTION.fullmatch(function) if function else None
    if action not in _LAMBDA_FUNCTION_ACTIONS or match is None:
        return ANY
    name = match["name"]
    if match["arn_account"]:
        arn = (f"arn:{match['partition']}:lambda:{match['region']}:{match['arn_account']}"
               f":function:{name}")
    elif match["account"]:
        arn = f"{_PARTITION}:lambda:${{Region}}:{match['account']}:function:{name}"
    else:
        arn = _regional("lambda", f"function:{name}")
    if match["qualifier"] or _passes(params, "Qualifier"):
        return (arn, f"{arn}:*")
    return (arn,)


# ---------------------------------------------------------------- Secrets Manager / SSM

_SECRET_ACTIONS = frozenset({
    "CancelRotateSecret", "CreateSecret", "DeleteResourcePolicy", "DeleteSecret",
    "DescribeSecret", "GetResourcePolicy", "GetSecretValue", "ListSecretVersionIds",
    "PutResourcePolicy", "PutSecretValue", "RemoveRegionsFromReplication",
    "ReplicateSecretToRegions", "RestoreSecret", "RotateSecret", "StopReplicationToReplica",
    "TagResource", "UntagResource", "UpdateSecret", "UpdateSecretVersionStage",
    "ValidateResourcePolicy",
})


def _secretsmanager(action: str, params: Params) -> tuple[str, ...]:
    secret = _known(params, "SecretId", "Name") if action in _SECRET_ACTIONS else None
    if not secret:
        return ANY
    if _is_arn(secret):
        return (secret,)
    # The ARN ends in a random six-character suffix the name does not carry.
    return (_regional("secretsmanager", f"secret:{secret}-*"),)


_SSM_PARAMETER_ACTIONS = frozenset({
    "DeleteParameter", "DeleteParameters", "GetParameter", "GetParameterHistory",
    "GetParameters", "GetParametersByPath", "LabelParameterVersion", "PutParameter",
    "UnlabelParameterVersion",
})


def _parameter_arn(name: str) -> str:
    if _is_arn(name):
        return name
    name = name.split(":", 1)[0]  # "/app/key:3" or ":label" selects a version
    return _regional("ssm", f"parameter/{name[1:] if name.startswith('/') else name}")


def _ssm(action: str, params: Params) -> tuple[str, ...]:
    if action not in _SSM_PARAMETER_ACTIONS:
        return ANY
    if action == "GetParametersByPath":
        path = _known(params, "Path")
        if not path:
            return ANY
        path = path.strip("/")
        if not path:
            return (_regional("ssm", "parameter/*"),)
        return (_regional("ssm", f"parameter/{path}"), _regional("ssm", f"parameter/{path}/*"))
    # "Names" (GetParameters, DeleteParameters) is a list: the analysis passes one
    # known name as a string.
    name = _known(params, "Name", "Names")
    return (_parameter_arn(name),) if name else ANY


# ---------------------------------------------------------------- streams, state machines

# Actions on a stream (resource type "stream"); consumers, channels and the
# account-level actions are "*".
_KINESIS_STREAM_ACTIONS = frozenset({
    "AddTagsToStream", "CreateStream", "DecreaseStreamRetentionPeriod", "DeleteResourcePolicy",
    "DeleteStream", "DescribeStream", "DescribeStreamSummary", "GetRecords",
    "GetResourcePolicy", "GetShardIterator", "IncreaseStreamRetentionPeriod", "ListShards",
    "ListStreamConsumers", "ListTagsForResource", "ListTagsForStream", "MergeShards",
    "PutRecord", "PutRecords", "PutResourcePolicy", "RegisterStreamConsumer",
    "RemoveTagsFromStream", "SplitShard", "StartStreamEncryption", "StopStreamEncryption",
    "TagResource", "UntagResource", "UpdateMaxRecordSize",
    "UpdateStreamRecordDistributionStrategy", "UpdateStreamWarmThroughput",
})


def _kinesis(action: str, params: Params) -> tuple[str, ...]:
    if action not in _KINESIS_STREAM_ACTIONS:
        return ANY
    arn = _known(params, "StreamARN")
    if arn:
        return (arn,) if _is_arn(arn) else ANY
    name = _known(params, "StreamName")
    return (_regional("kinesis", f"stream/{name}"),) if name else ANY


def _firehose(action: str, params: Params) -> tuple[str, ...]:
    name = _known(params, "DeliveryStreamName")
    if action == "ListDeliveryStreams" or not name:
        return ANY
    return (_regional("firehose", f"deliverystream/{name}"),)


_STATES_MACHINE_ACTIONS = frozenset({
    "DeleteStateMachine", "DescribeStateMachine", "ListExecutions", "StartExecution",
    "StartSyncExecution", "UpdateStateMachine", "PublishStateMachineVersion",
    "ListStateMachineVersions", "ListStateMachineAliases", "DeleteStateMachineVersion",
    "CreateStateMachineAlias", "ListTagsForResource", "TagResource", "UntagResource",
})
_STATES_EXECUTION_ACTIONS = frozenset({
    "DescribeExecution", "DescribeStateMachineForExecution", "GetExecutionHistory",
    "StopExecution", "RedriveExecution", "ListMapRuns",
})


def _states(action: str, params: Params) -> tuple[str, ...]:
    if action in _STATES_MACHINE_ACTIONS:
        arn = _known(params, "stateMachineArn", "resourceArn")
    elif action in _STATES_EXECUTION_ACTIONS:
        arn = _known(params, "executionArn")
    else:
        arn = None
    return (arn,) if arn and _is_arn(arn) else ANY


# ---------------------------------------------------------------- EventBridge, KMS

_EVENTS_BUS_ACTIONS = frozenset({"PutEvents", "DescribeEventBus"})
_EVENTS_RULE_ACTIONS = frozenset({
    "DeleteRule", "DescribeRule", "DisableRule", "EnableRule", "ListTargetsByRule", "PutRule",
    "PutTargets", "RemoveTargets",
})


def _events(action: str, params: Params) -> tuple[str, ...]:
    # No EventBusName is the account's default bus; one we cannot read is any bus.
    keys = ("EventBusName", "Name") if action == "DescribeEventBus" else ("EventBusName",)
    bus = _known(params, *keys)
    if bus is None and _passes(params, *keys):
        return ANY
    bus = bus or "default"
    if action in _EVENTS_BUS_ACTIONS:
        return (bus if _is_arn(bus) else _regional("events", f"event-bus/{bus}"),)
    if action in _EVENTS_RULE_ACTIONS:
        rule = _known(params, "Rule" if "Rule" in params else "Name")
        if not rule or _is_arn(bus):
            return ANY
        path = f"rule/{rule}" if bus == "default" else f"rule/{bus}/{rule}"
        return (_regional("events", path),)
    return ANY


# Actions on a key (resource type "key"); the alias actions also need the alias.
_KMS_KEY_ACTIONS = frozenset({
    "CancelKeyDeletion", "CreateGrant", "Decapsulate", "Decrypt", "DeleteImportedKeyMaterial",
    "DeriveSharedSecret", "DescribeKey", "DisableKey", "DisableKeyRotation", "EnableKey",
    "EnableKeyRotation", "Encapsulate", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext", "GenerateMac",
    "GetKeyLastUsage", "GetKeyPolicy", "GetKeyRotationStatus", "GetParametersForImport",
    "GetPublicKey", "ImportKeyMaterial", "ListGrants", "ListKeyPolicies", "ListKeyRotations",
    "ListResourceTags", "PutKeyPolicy", "ReEncryptFrom", "ReEncryptTo", "ReplicateKey",
    "RetireGrant", "RevokeGrant", "RotateKeyOnDemand", "ScheduleKeyDeletion", "Sign",
    "SynchronizeMultiRegionKey", "TagResource", "UntagResource", "UpdateKeyDescription",
    "UpdatePrimaryRegion", "Verify", "VerifyMac",
})
_KEY_ID = re.compile(r"(mrk-)?[0-9a-f]{8}-?[0-9a-f-]{4,}", re.IGNORECASE)


def _kms(action: str, params: Params) -> tuple[str, ...]:
    key = _known(params, "KeyId", "SourceKeyId", "DestinationKeyId")
    if action not in _KMS_KEY_ACTIONS or not key:
        return ANY
    if _is_arn(key):
        # An alias ARN does not name the key the policy is checked against.
        return (key,) if ":key/" in key else ANY
    if _KEY_ID.fullmatch(key):
        return (_regional("kms", f"key/{key}"),)
    return ANY  # "alias/name"


# ---------------------------------------------------------------- dispatch

_BY_PREFIX: dict[str, Callable[[str, Params], tuple[str, ...]]] = {
    "s3": _s3,
    "s3express": _s3express,
    "dynamodb": _dynamodb,
    "sqs": _sqs,
    "sns": _sns,
    "lambda": _lambda,
    "secretsmanager": _secretsmanager,
    "ssm": _ssm,
    "kinesis": _kinesis,
    "firehose": _firehose,
    "states": _states,
    "events": _events,
    "kms": _kms,
}


def resource_arns(service: str, action: str, params: Mapping[str, str | None]) -> tuple[str, ...]:
    """The ARNs (templates) ``action`` is needed on for a call of the ``service``
    client with ``params``: the call's keyword arguments whose values are known
    strings, ``None`` for those passed with a value the analysis cannot read.
    ``action`` is the IAM action (``"s3:GetObject"``; a bare name is taken to
    be in the client's own prefix). ``("*",)`` when the resource is not known."""
    prefix, _, name = action.rpartition(":")
    if not prefix:
        from .actions import iam_prefix

        prefix = iam_prefix(service) or service
    handler = _BY_PREFIX.get(prefix)
    return handler(name, params) if handler else ANY
