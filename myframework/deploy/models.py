"""Resource models: what a stage of the app is made of on AWS, as plain data.

:func:`myframework.deploy.appmodel.build_app_model` makes them from the app's
registry and the stage's configuration; the CloudFormation/SAM and Terraform
renderers (and, later, the deployer's planner) read them. Nothing here knows
about a provider's syntax.

ARNs of things the app names but does not create (a queue, a topic) are kept
as templates with ``${Partition}``, ``${Region}`` and ``${AccountId}``, which
each renderer fills in its own way.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

# The name of the Lambda function serving the HTTP API, and the prefix of task functions.
API_FUNCTION = "api_handler"
ARN_PREFIX = "arn:${Partition}"
# The trust policy of the functions' execution role: Lambda may assume it.
LAMBDA_TRUST: dict[str, Any] = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}


@dataclasses.dataclass
class FunctionModel:
    """One Lambda function. ``name`` is the registered name (``api_handler``, a
    handler's name, ``tasks-<queue>``); ``function_name`` the name on AWS."""

    logical_id: str
    name: str
    function_name: str
    runtime: str
    architecture: str
    memory_size: int
    timeout: int
    code: str  # the zip, relative to the output folder
    environment: dict[str, str] = dataclasses.field(default_factory=dict)
    tags: dict[str, str] = dataclasses.field(default_factory=dict)
    layers: list[str] = dataclasses.field(default_factory=list)
    subnet_ids: list[str] = dataclasses.field(default_factory=list)
    security_group_ids: list[str] = dataclasses.field(default_factory=list)
    reserved_concurrency: int | None = None
    ephemeral_storage: int | None = None  # MB of /tmp
    role_arn: str | None = None  # a role the user manages; None: the app's role
    handler: str = "app.app"
    description: str = ""
    # Asynchronous invocation settings (task functions).
    max_retries: int | None = None
    dead_letter_arn: str | None = None
    max_event_age: int | None = None
    xray: bool = False


@dataclasses.dataclass
class RoleModel:
    """The execution role the app's functions share, with its inline policy."""

    logical_id: str
    role_name: str
    statements: list[dict[str, Any]]


@dataclasses.dataclass
class RestApiModel:
    """The REST API in front of the API function. ``document(integration_uri,
    authorizer_uris)`` gives its OpenAPI 3 document with the URIs a renderer
    supplies (a string, or the renderer's own expression)."""

    logical_id: str
    name: str
    stage_name: str
    function: str  # logical id of the API function
    authorizers: dict[str, str]  # built-in authorizer name -> logical id of its function
    document: Callable[[Any, dict[str, Any]], dict[str, Any]]
    endpoint_type: str = "EDGE"
    minimum_compression_size: int | None = None


@dataclasses.dataclass
class ScheduleModel:
    logical_id: str
    rule_name: str
    expression: str
    description: str
    function: str


@dataclasses.dataclass
class EventRuleModel:
    logical_id: str
    rule_name: str
    event_pattern: dict[str, Any]
    function: str


@dataclasses.dataclass
class S3NotificationModel:
    logical_id: str
    bucket: str
    events: list[str]
    prefix: str | None
    suffix: str | None
    function: str

    @property
    def bucket_arn(self) -> str:
        return "%s:s3:::%s" % (ARN_PREFIX, self.bucket)


@dataclasses.dataclass
class SQSMappingModel:
    logical_id: str
    queue_arn: str
    batch_size: int
    maximum_batching_window: int
    maximum_concurrency: int | None
    report_batch_item_failures: bool
    function: str


@dataclasses.dataclass
class SNSSubscriptionModel:
    logical_id: str
    topic_arn: str
    function: str


@dataclasses.dataclass
class AppModel:
    """Everything one stage of the app needs."""

    app_name: str
    stage: str
    functions: list[FunctionModel]
    role: RoleModel | None
    rest_api: RestApiModel | None = None
    schedules: list[ScheduleModel] = dataclasses.field(default_factory=list)
    event_rules: list[EventRuleModel] = dataclasses.field(default_factory=list)
    s3_notifications: list[S3NotificationModel] = dataclasses.field(default_factory=list)
    sqs_mappings: list[SQSMappingModel] = dataclasses.field(default_factory=list)
    sns_subscriptions: list[SNSSubscriptionModel] = dataclasses.field(default_factory=list)
    layer: str | None = None  # the dependencies layer zip, relative to the output folder
    task_functions: dict[str, str] = dataclasses.field(default_factory=dict)  # queue -> id

    def function(self, logical_id: str) -> FunctionModel:
        for function in self.functions:
            if function.logical_id == logical_id:
                return function
        raise KeyError(logical_id)
