"""The SAM (CloudFormation) template of one stage of an app, from its resource models.

:func:`render_sam` turns an :class:`~myframework.deploy.models.AppModel` into
a template for ``sam deploy`` / ``aws cloudformation package`` + ``deploy``;
:func:`write_sam` writes it as ``sam.json`` next to the zips (the models'
code paths are relative to that folder, so they are the ``CodeUri`` values
as they are). The same model always gives the same template.

Choices, and why:

Names
    Functions keep the names the models give them (``FunctionName``): the
    task functions are found by name at run time (``MYFRAMEWORK_TASK_FUNCTIONS``)
    and the role's log-group and invoke statements are scoped to those
    names. The role, the rules and the layer get their names from the
    models too where they have one; the role has no ``RoleName`` (nothing
    refers to it by name, and an unnamed role needs only ``CAPABILITY_IAM``).

ARN templates
    Every string the models hold with ``${Partition}``, ``${Region}`` or
    ``${AccountId}`` becomes ``{"Fn::Sub": ...}`` with the pseudo
    parameters; any other ``${...}`` in the same string (an IAM policy
    variable) is escaped as ``${!...}`` so it stays literal. Strings
    without those placeholders are left as they are.

REST API: ``AWS::Serverless::Api`` with ``DefinitionBody``
    rather than ``AWS::ApiGateway::RestApi`` + ``Deployment`` + ``Stage``:
    SAM names the deployment after a hash of the body, so a changed API is
    deployed again on the next stack update (a hand-written
    ``AWS::ApiGateway::Deployment`` is not replaced when the ``Body``
    changes, and the stage would keep serving the old API). ``OpenApiVersion``
    is set, which stops SAM from adding its extra stage named ``Stage``.
    The body is the model's OpenAPI document, with the integration and
    built-in authorizer URIs as ``Fn::Sub`` of the functions' ARNs. API
    Gateway may invoke the API function for any method of this API
    (``<api>/*``) and each built-in authorizer's function as an authorizer
    of this API only (``<api>/authorizers/*``). X-Ray tracing of the stage
    follows the API function's ``xray`` setting.

Schedules and event rules: SAM ``Schedule`` and ``EventBridgeRule`` events
    (``EventBridgeRule`` is SAM's current name for ``CloudWatchEvent``; same
    resources). SAM writes the ``AWS::Events::Rule`` and a permission scoped
    to that rule; the rule names come from the models.

SQS and SNS: SAM ``SQS`` and ``SNS`` events
    (an event source mapping with ``ReportBatchItemFailures``; a
    subscription and its permission). A topic given as a full ARN gets its
    region as the subscription's ``Region``, so a topic in another region
    works.

S3 notifications
    The app names an existing bucket, and SAM's ``S3`` event (like
    CloudFormation itself) can only configure a bucket the same template
    creates. So the template holds what it can honestly own: an
    ``AWS::Lambda::Permission`` letting ``s3.amazonaws.com`` invoke the
    function for that bucket in this account (``SourceArn`` +
    ``SourceAccount``). The notification itself is described in the
    template's ``Metadata`` (``myframework.S3Notifications``) and in an
    output per notification whose value is the
    ``LambdaFunctionConfigurations`` entry to merge into the bucket's
    configuration (``put_bucket_notification_configuration``, keeping the
    bucket's other notifications), which is what the deployer does.

Task functions
    ``EventInvokeConfig.MaximumRetryAttempts`` (and
    ``MaximumEventAgeInSeconds``) from the model, and the dead-letter
    target as the function's ``DeadLetterQueue`` rather than an
    ``OnFailure`` destination: a dead-letter queue receives the original
    event, the task envelope, which can be sent to the function again as
    it is (an ``OnFailure`` record wraps it in an invocation report).

Automatic layer
    An ``AWS::Serverless::LayerVersion`` (old versions deleted on update),
    listed after the user's layers on every function, so the app's own
    pinned dependencies win over files a user layer also has.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
from typing import Any

from .models import (
    LAMBDA_TRUST,
    AppModel,
    FunctionModel,
    RestApiModel,
    S3NotificationModel,
)

TEMPLATE_FILE = "sam.json"
FORMAT_VERSION = "2010-09-09"
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
METADATA_KEY = "myframework"

# A Lambda function's invocation URI for API Gateway (integration or authorizer).
INVOCATION_URI = ("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/"
                  "functions/${%s.Arn}/invocations")
EXECUTE_API_ARN = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${%s}/%s"
API_URL = "https://${%s}.execute-api.${AWS::Region}.${AWS::URLSuffix}/%s/"

_PLACEHOLDER = re.compile(r"\$\{(Partition|Region|AccountId)\}")
_PSEUDO = {"Partition": "${AWS::Partition}", "Region": "${AWS::Region}",
           "AccountId": "${AWS::AccountId}"}
_FUNCTION_ARN_MARK = "\x00function-arn\x00"


def sub(value: Any) -> Any:
    """``value`` with every string holding ``${Partition}``, ``${Region}`` or
    ``${AccountId}`` turned into ``{"Fn::Sub": ...}`` (dicts and lists walked)."""
    if isinstance(value, str):
        return _sub_string(value)
    if isinstance(value, list):
        return [sub(item) for item in value]
    if isinstance(value, dict):
        return {key: sub(item) for key, item in value.items()}
    return value


def _escape(text: str) -> str:
    """``text`` as literal ``Fn::Sub`` text: ``${`` written ``${!``."""
    return text.replace("${", "${!")


def _sub_string(text: str) -> str | dict[str, str]:
    parts = _PLACEHOLDER.split(text)  # literal, name, literal, name, ..., literal
    if len(parts) == 1:
        return text
    out = [_escape(part) if index % 2 == 0 else _PSEUDO[part]
           for index, part in enumerate(parts)]
    return {"Fn::Sub": "".join(out)}


def _arn(logical_id: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def _invocation_uri(function_id: str) -> dict[str, str]:
    return {"Fn::Sub": INVOCATION_URI % function_id}


class _Template:
    """The template being built, with the logical ids taken so far."""

    def __init__(self, model: AppModel) -> None:
        self.model = model
        self.resources: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = {}  # function id -> SAM events
        # Every id the models use: resources, and the SAM events SAM names resources after.
        self.taken: set[str] = {f.logical_id for f in model.functions}
        if model.role is not None:
            self.taken.add(model.role.logical_id)
        if model.rest_api is not None:
            self.taken.add(model.rest_api.logical_id)
        for group in (model.schedules, model.event_rules, model.s3_notifications,
                      model.sqs_mappings, model.sns_subscriptions):
            self.taken.update(item.logical_id for item in group)

    def fresh_id(self, base: str) -> str:
        """A logical id for a resource the renderer adds (``base``, numbered if taken)."""
        candidate, number = base, 2
        while candidate in self.taken:
            candidate, number = "%s%d" % (base, number), number + 1
        self.taken.add(candidate)
        return candidate

    def add(self, logical_id: str, kind: str, properties: dict[str, Any]) -> None:
        if logical_id in self.resources:
            raise ValueError("render_sam: two resources have the logical id %r; the resource "
                             "models must give every resource its own id" % logical_id)
        self.resources[logical_id] = {"Type": kind, "Properties": properties}

    def output(self, key: str, value: Any, description: str) -> None:
        if key in self.outputs:
            raise ValueError("render_sam: two outputs are named %r" % key)
        self.outputs[key] = {"Description": description, "Value": value}

    def function_id(self, logical_id: str, what: str) -> str:
        """``logical_id``, checked to name one of the model's functions."""
        try:
            return self.model.function(logical_id).logical_id
        except KeyError:
            raise ValueError("render_sam: %s names the function %r, which the model does not "
                             "have" % (what, logical_id)) from None

    def event(self, function: str, logical_id: str, kind: str,
              properties: dict[str, Any]) -> None:
        events = self.events.setdefault(self.function_id(function, logical_id), {})
        events[logical_id] = {"Type": kind, "Properties": properties}


def render_sam(model: AppModel) -> dict[str, Any]:
    """The SAM template of ``model`` (plain dicts, lists and strings)."""
    template = _Template(model)
    if model.role is not None:
        template.add(model.role.logical_id, "AWS::IAM::Role", {
            "AssumeRolePolicyDocument": LAMBDA_TRUST,
            "Policies": [{"PolicyName": model.role.role_name, "PolicyDocument": {
                "Version": "2012-10-17", "Statement": sub(model.role.statements)}}]})
    layer_id = _layer(template) if model.layer else None
    _events(template)
    metadata: dict[str, Any] = {"App": model.app_name, "Stage": model.stage}
    notifications = [_s3_notification(template, item) for item in model.s3_notifications]
    if notifications:
        metadata["S3Notifications"] = {item.logical_id: entry for item, entry
                                       in zip(model.s3_notifications, notifications, strict=True)}
    for function in model.functions:
        template.add(function.logical_id, "AWS::Serverless::Function",
                     _function_properties(template, function, layer_id))
        template.output(function.logical_id + "Name", {"Ref": function.logical_id},
                        "Name of the %s function" % function.name)
        template.output(function.logical_id + "Arn", _arn(function.logical_id),
                        "ARN of the %s function" % function.name)
    if model.rest_api is not None:
        _rest_api(template, model.rest_api)
    return {
        "AWSTemplateFormatVersion": FORMAT_VERSION,
        "Transform": SAM_TRANSFORM,
        "Description": "myframework app %s, stage %s" % (model.app_name, model.stage),
        "Metadata": {METADATA_KEY: metadata},
        "Resources": template.resources,
        "Outputs": template.outputs,
    }


def write_sam(model: AppModel, out_dir: str | os.PathLike[str]) -> pathlib.Path:
    """Write ``render_sam(model)`` to ``<out_dir>/sam.json`` (sorted keys) and return its path."""
    folder = pathlib.Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / TEMPLATE_FILE
    partial = folder / (TEMPLATE_FILE + ".partial")
    partial.write_text(json.dumps(render_sam(model), sort_keys=True, indent=2) + "\n",
                       encoding="utf-8")
    os.replace(partial, path)
    return path


# -- functions ------------------------------------------------------------------------------

def _layer(template: _Template) -> str:
    model = template.model
    layer_id = template.fresh_id("DependenciesLayer")
    template.add(layer_id, "AWS::Serverless::LayerVersion", {
        "LayerName": "%s-%s-dependencies" % (model.app_name, model.stage),
        "Description": "Dependencies of %s (%s)" % (model.app_name, model.stage),
        "ContentUri": model.layer,
        "CompatibleRuntimes": sorted({f.runtime for f in model.functions}),
        "CompatibleArchitectures": sorted({f.architecture for f in model.functions}),
        "RetentionPolicy": "Delete",
    })
    template.output(layer_id + "Arn", {"Ref": layer_id},
                    "ARN (with version) of the dependencies layer")
    return layer_id


def _function_properties(template: _Template, function: FunctionModel,
                         layer_id: str | None) -> dict[str, Any]:
    props: dict[str, Any] = {
        "FunctionName": function.function_name,
        "CodeUri": function.code,
        "Handler": function.handler,
        "Runtime": function.runtime,
        "Architectures": [function.architecture],
        "MemorySize": function.memory_size,
        "Timeout": function.timeout,
        "Role": _role(template, function),
        "Tags": dict(function.tags),
    }
    if function.description:
        props["Description"] = function.description
    if function.environment:
        props["Environment"] = {"Variables": dict(function.environment)}
    layers: list[Any] = [sub(layer) for layer in function.layers]
    if layer_id is not None:
        layers.append({"Ref": layer_id})
    if layers:
        props["Layers"] = layers
    if function.subnet_ids:
        props["VpcConfig"] = {"SubnetIds": list(function.subnet_ids),
                              "SecurityGroupIds": list(function.security_group_ids)}
    if function.reserved_concurrency is not None:
        props["ReservedConcurrentExecutions"] = function.reserved_concurrency
    if function.ephemeral_storage is not None:
        props["EphemeralStorage"] = {"Size": function.ephemeral_storage}
    if function.xray:
        props["Tracing"] = "Active"
    invoke: dict[str, Any] = {}
    if function.max_retries is not None:
        invoke["MaximumRetryAttempts"] = function.max_retries
    if function.max_event_age is not None:
        invoke["MaximumEventAgeInSeconds"] = function.max_event_age
    if invoke:
        props["EventInvokeConfig"] = invoke
    if function.dead_letter_arn:
        parts = function.dead_letter_arn.split(":")
        service = parts[2] if len(parts) > 2 else ""
        if service not in ("sqs", "sns"):
            raise ValueError("render_sam: the dead-letter target of %s must be an SQS queue or "
                             "SNS topic ARN, got %r" % (function.name, function.dead_letter_arn))
        props["DeadLetterQueue"] = {"Type": service.upper(),
                                    "TargetArn": sub(function.dead_letter_arn)}
    events = template.events.get(function.logical_id)
    if events:
        props["Events"] = events
    return props


def _role(template: _Template, function: FunctionModel) -> Any:
    if function.role_arn:
        return sub(function.role_arn)
    role = template.model.role
    if role is None:
        raise ValueError("render_sam: the function %s has no iam_role_arn and the model has no "
                         "role of its own (manage_iam_role is false); set iam_role_arn for it"
                         % function.name)
    return _arn(role.logical_id)


# -- event sources --------------------------------------------------------------------------

def _events(template: _Template) -> None:
    model = template.model
    for schedule in model.schedules:
        props: dict[str, Any] = {"Schedule": schedule.expression, "Name": schedule.rule_name}
        if schedule.description:
            props["Description"] = schedule.description
        template.event(schedule.function, schedule.logical_id, "Schedule", props)
    for rule in model.event_rules:
        template.event(rule.function, rule.logical_id, "EventBridgeRule",
                       {"Pattern": rule.event_pattern, "RuleName": rule.rule_name})
    for mapping in model.sqs_mappings:
        props = {"Queue": sub(mapping.queue_arn), "BatchSize": mapping.batch_size}
        if mapping.maximum_batching_window:
            props["MaximumBatchingWindowInSeconds"] = mapping.maximum_batching_window
        if mapping.maximum_concurrency is not None:
            props["ScalingConfig"] = {"MaximumConcurrency": mapping.maximum_concurrency}
        if mapping.report_batch_item_failures:
            props["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
        template.event(mapping.function, mapping.logical_id, "SQS", props)
    for subscription in model.sns_subscriptions:
        props = {"Topic": sub(subscription.topic_arn)}
        parts = subscription.topic_arn.split(":")
        if not _PLACEHOLDER.search(subscription.topic_arn) and len(parts) > 3 and parts[3]:
            props["Region"] = parts[3]  # the subscription is made in the topic's region
        template.event(subscription.function, subscription.logical_id, "SNS", props)


def _s3_notification(template: _Template, item: S3NotificationModel) -> dict[str, Any]:
    """The permission for S3 to invoke the function, and the notification (for Metadata)."""
    function = template.function_id(item.function, item.logical_id)
    template.add(template.fresh_id(item.logical_id + "Permission"), "AWS::Lambda::Permission", {
        "Action": "lambda:InvokeFunction",
        "FunctionName": _arn(function),
        "Principal": "s3.amazonaws.com",
        "SourceArn": sub(item.bucket_arn),
        "SourceAccount": {"Ref": "AWS::AccountId"},
    })
    rules = [{"Name": name, "Value": value}
             for name, value in (("prefix", item.prefix), ("suffix", item.suffix)) if value]
    configuration: dict[str, Any] = {"Id": item.logical_id, "LambdaFunctionArn":
                                     _FUNCTION_ARN_MARK, "Events": list(item.events)}
    if rules:
        configuration["Filter"] = {"Key": {"FilterRules": rules}}
    text = json.dumps(configuration, sort_keys=True)
    before, mark, after = text.rpartition(json.dumps(_FUNCTION_ARN_MARK)[1:-1])
    if not mark:
        raise AssertionError("the function ARN mark is missing from %s" % text)
    template.output(
        item.logical_id + "Notification",
        {"Fn::Sub": _escape(before) + "${%s.Arn}" % function + _escape(after)},
        "Add this to the LambdaFunctionConfigurations of the existing bucket %s (merged with "
        "its other notifications, as the deployer does with "
        "put_bucket_notification_configuration): this stack only allows S3 to invoke the "
        "function" % item.bucket)
    notification: dict[str, Any] = {
        "Bucket": item.bucket, "Events": list(item.events), "Function": function,
        "Note": "The bucket is not part of this stack: add the notification to it "
                "(see the output %sNotification)" % item.logical_id}
    if item.prefix:
        notification["Prefix"] = item.prefix
    if item.suffix:
        notification["Suffix"] = item.suffix
    return notification


# -- REST API -------------------------------------------------------------------------------

def _rest_api(template: _Template, api: RestApiModel) -> None:
    function = template.function_id(api.function, api.logical_id)
    authorizers = {name: template.function_id(fid, "the authorizer %r" % name)
                   for name, fid in sorted(api.authorizers.items())}
    body = api.document(_invocation_uri(function),
                        {name: _invocation_uri(fid) for name, fid in authorizers.items()})
    props: dict[str, Any] = {
        "Name": api.name,
        "StageName": api.stage_name,
        "DefinitionBody": body,
        "OpenApiVersion": str(body.get("openapi", "3.0.1")),
        "EndpointConfiguration": {"Type": api.endpoint_type},
    }
    if api.minimum_compression_size is not None:
        props["MinimumCompressionSize"] = api.minimum_compression_size
    if template.model.function(function).xray:
        props["TracingEnabled"] = True
    template.add(api.logical_id, "AWS::Serverless::Api", props)
    template.add(template.fresh_id(function + "ApiPermission"), "AWS::Lambda::Permission", {
        "Action": "lambda:InvokeFunction",
        "FunctionName": _arn(function),
        "Principal": "apigateway.amazonaws.com",
        "SourceArn": {"Fn::Sub": EXECUTE_API_ARN % (api.logical_id, "*")},
    })
    for fid in authorizers.values():
        template.add(template.fresh_id(fid + "AuthorizerPermission"), "AWS::Lambda::Permission", {
            "Action": "lambda:InvokeFunction",
            "FunctionName": _arn(fid),
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": {"Fn::Sub": EXECUTE_API_ARN % (api.logical_id, "authorizers/*")},
        })
    template.output("EndpointURL", {"Fn::Sub": API_URL % (api.logical_id, api.stage_name)},
                    "URL of the REST API's %s stage" % api.stage_name)
    template.output("RestAPIId", {"Ref": api.logical_id}, "Id of the REST API")
