"""From resource models to the resources a deploy wants, with everything filled in.

Each :class:`Desired` resource has a stable ``key`` (the same app and stage
give the same keys on every deploy), a ``kind`` (which
:mod:`~myframework.deploy.kinds` module knows how to read, create, update and
delete it) and its ``config``: plain JSON data in the same shape the kind
reads back from AWS, so the planner compares the two field by field.

A value only known once another resource exists (the dependencies layer's
version ARN, the REST API's id) is written as a reference, ``${ref:KEY.FIELD}``,
and resolved from the recorded state when the planner compares and when the
executor makes the call.
"""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import pathlib
import re
from collections.abc import Callable
from typing import Any

from .models import LAMBDA_TRUST, AppModel, FunctionModel, RestApiModel

POLICY_NAME = "myframework"
RULE_TARGET_ID = "function"
DEFAULT_EPHEMERAL_STORAGE = 512
# Kinds in the order they are created; deletes run in the reverse order.
KIND_ORDER = ("role", "layer", "function", "rest_api", "rule", "permission", "s3_notification",
              "sqs_mapping", "sns_subscription")
_REF = re.compile(r"\$\{ref:([A-Za-z0-9_:.\-]+)\.([A-Za-z]+)\}")


@dataclasses.dataclass
class Desired:
    key: str
    kind: str
    label: str  # what the progress output calls it
    config: dict[str, Any]
    payload: Any = None  # what the call needs but is not compared (a zip's path, a document)


def ref(key: str, field: str) -> str:
    return "${ref:%s.%s}" % (key, field)


def resolve(value: Any, lookup: Callable[[str, str], Any]) -> Any:
    """``value`` with every ``${ref:KEY.FIELD}`` replaced by ``lookup(KEY, FIELD)``
    (left as it is where ``lookup`` gives None)."""
    if isinstance(value, str):
        def replace(match: re.Match[str]) -> str:
            found = lookup(match.group(1), match.group(2))
            return match.group(0) if found is None else str(found)
        return _REF.sub(replace, value) if "${ref:" in value else value
    if isinstance(value, list):
        return [resolve(item, lookup) for item in value]
    if isinstance(value, dict):
        return {key: resolve(item, lookup) for key, item in value.items()}
    return value


def unresolved(value: Any) -> bool:
    return "${ref:" in json.dumps(value)


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode("utf-8")).hexdigest()


def b64_sha256(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")


@dataclasses.dataclass
class Artifacts:
    """The built zips: ``code[path relative to folder] -> CodeSha256``."""

    folder: pathlib.Path
    code: dict[str, str]
    layer: str | None = None  # relative path of the automatic layer zip
    layer_sha256: str | None = None  # CodeSha256 form


class _Builder:
    def __init__(self, model: AppModel, arn: Callable[[str], str],
                 artifacts: Artifacts) -> None:
        self.model = model
        self.arn = arn
        self.artifacts = artifacts
        self.prefix = "%s-%s" % (model.app_name, model.stage)
        self.resources: list[Desired] = []
        self.function_arns = {f.logical_id: self.function_arn(f.function_name)
                              for f in model.functions}
        self.function_names = {f.logical_id: f.function_name for f in model.functions}

    def function_arn(self, name: str) -> str:
        return self.arn("arn:${Partition}:lambda:${Region}:${AccountId}:function:%s" % name)

    def add(self, key: str, kind: str, label: str, config: dict[str, Any],
            payload: Any = None) -> None:
        self.resources.append(Desired(key, kind, label, config, payload))

    def permission(self, function_id: str, sid: str, principal: str, source_arn: str,
                   source_account: str | None = None) -> None:
        name = self.function_names[function_id]
        config = {"FunctionName": name, "StatementId": sid, "Principal": principal,
                  "SourceArn": source_arn, "SourceAccount": source_account}
        self.add("permission:%s:%s" % (name, sid), "permission",
                 "permission for %s to invoke %s" % (principal.split(".")[0], name), config)


def desired_resources(model: AppModel, arn: Callable[[str], str],
                      artifacts: Artifacts) -> list[Desired]:
    """Every resource of the stage, in creation order (``arn`` fills the ARN templates)."""
    builder = _Builder(model, arn, artifacts)
    role_arn = None
    if model.role is not None:
        role_arn = arn("arn:${Partition}:iam::${AccountId}:role/%s" % model.role.role_name)
        builder.add("role", "role", "IAM role %s" % model.role.role_name, {
            "RoleName": model.role.role_name, "Arn": role_arn,
            "AssumeRolePolicyDocument": LAMBDA_TRUST,
            "Policy": {"Version": "2012-10-17",
                       "Statement": json.loads(arn(json.dumps(model.role.statements)))}})
    if artifacts.layer is not None and artifacts.layer_sha256 is not None:
        runtimes = sorted({f.runtime for f in model.functions})
        architectures = sorted({f.architecture for f in model.functions})
        builder.add("layer", "layer", "dependencies layer %s-dependencies" % builder.prefix, {
            "LayerName": "%s-dependencies" % builder.prefix, "CodeSha256": artifacts.layer_sha256,
            "CompatibleRuntimes": runtimes, "CompatibleArchitectures": architectures},
            payload=artifacts.folder / artifacts.layer)
    for function in model.functions:
        _function(builder, function, role_arn)
    if model.rest_api is not None:
        _rest_api(builder, model.rest_api)
    for schedule in model.schedules:
        _rule(builder, schedule.logical_id, schedule.rule_name, schedule.function,
              {"ScheduleExpression": schedule.expression,
               "Description": schedule.description or "schedule of %s" % builder.prefix})
    for rule in model.event_rules:
        _rule(builder, rule.logical_id, rule.rule_name, rule.function,
              {"EventPattern": json.dumps(rule.event_pattern, sort_keys=True),
               "Description": "event rule of %s" % builder.prefix})
    for item in model.s3_notifications:
        bucket_arn = arn(item.bucket_arn)
        builder.permission(item.function, "myframework-%s" % item.logical_id,
                           "s3.amazonaws.com", bucket_arn, arn("${AccountId}"))
        rules = [{"Name": name, "Value": value}
                 for name, value in (("prefix", item.prefix), ("suffix", item.suffix)) if value]
        builder.add("s3:%s" % item.logical_id, "s3_notification",
                    "notification of bucket %s" % item.bucket, {
                        "Bucket": item.bucket, "Id": "%s-%s" % (builder.prefix, item.logical_id),
                        "LambdaFunctionArn": builder.function_arns[item.function],
                        "Events": sorted(item.events), "FilterRules": rules})
    for mapping in model.sqs_mappings:
        queue = arn(mapping.queue_arn)
        builder.add("sqs:%s" % mapping.logical_id, "sqs_mapping",
                    "SQS mapping of %s" % queue.rsplit(":", 1)[-1], {
                        "EventSourceArn": queue,
                        "FunctionName": builder.function_names[mapping.function],
                        "BatchSize": mapping.batch_size,
                        "MaximumBatchingWindowInSeconds": mapping.maximum_batching_window,
                        "FunctionResponseTypes": (["ReportBatchItemFailures"]
                                                  if mapping.report_batch_item_failures else []),
                        "MaximumConcurrency": mapping.maximum_concurrency})
    for subscription in model.sns_subscriptions:
        topic = arn(subscription.topic_arn)
        builder.permission(subscription.function, "myframework-%s" % subscription.logical_id,
                           "sns.amazonaws.com", topic)
        builder.add("sns:%s" % subscription.logical_id, "sns_subscription",
                    "SNS subscription to %s" % topic.rsplit(":", 1)[-1],
                    {"TopicArn": topic, "Endpoint": builder.function_arns[subscription.function]})
    order = {kind: index for index, kind in enumerate(KIND_ORDER)}
    return sorted(builder.resources, key=lambda item: order[item.kind])


def _function(builder: _Builder, function: FunctionModel, role_arn: str | None) -> None:
    artifacts = builder.artifacts
    layers = [builder.arn(layer) for layer in function.layers]
    if artifacts.layer is not None:
        layers.append(ref("layer", "arn"))
    role = builder.arn(function.role_arn) if function.role_arn else role_arn
    config: dict[str, Any] = {
        "FunctionName": function.function_name,
        "Runtime": function.runtime,
        "Handler": function.handler,
        "Role": role,
        "MemorySize": function.memory_size,
        "Timeout": function.timeout,
        "Description": function.description,
        "Environment": dict(sorted(function.environment.items())),
        "Layers": layers,
        "Architectures": [function.architecture],
        "VpcConfig": {"SubnetIds": sorted(function.subnet_ids),
                      "SecurityGroupIds": sorted(function.security_group_ids)},
        "EphemeralStorage": function.ephemeral_storage or DEFAULT_EPHEMERAL_STORAGE,
        "TracingConfig": "Active" if function.xray else "PassThrough",
        "DeadLetterTarget": builder.arn(function.dead_letter_arn)
        if function.dead_letter_arn else None,
        "Tags": dict(sorted(function.tags.items())),
        "ReservedConcurrency": function.reserved_concurrency,
        "CodeSha256": artifacts.code[function.code],
    }
    if function.max_retries is not None or function.max_event_age is not None:
        config["Async"] = {"MaximumRetryAttempts": function.max_retries,
                           "MaximumEventAgeInSeconds": function.max_event_age}
    builder.add("function:%s" % function.name, "function", "function %s" % function.function_name,
                config, payload=artifacts.folder / function.code)


def _rest_api(builder: _Builder, api: RestApiModel) -> None:
    def invocation_uri(function_id: str) -> str:
        return builder.arn("arn:${Partition}:apigateway:${Region}:lambda:path/2015-03-31/"
                           "functions/%s/invocations" % builder.function_arns[function_id])
    document = api.document(invocation_uri(api.function),
                            {name: invocation_uri(fid) for name, fid in api.authorizers.items()})
    builder.add("rest_api", "rest_api", "REST API %s" % api.name, {
        "Name": api.name, "Document": digest(document), "Stage": api.stage_name,
        "EndpointType": api.endpoint_type,
        "MinimumCompressionSize": api.minimum_compression_size}, payload=document)
    execute = builder.arn("arn:${Partition}:execute-api:${Region}:${AccountId}:")
    builder.permission(api.function, "myframework-rest-api", "apigateway.amazonaws.com",
                       execute + ref("rest_api", "id") + "/*")
    for function_id in sorted(set(api.authorizers.values())):
        builder.permission(function_id, "myframework-rest-api-authorizer",
                           "apigateway.amazonaws.com",
                           execute + ref("rest_api", "id") + "/authorizers/*")


def _rule(builder: _Builder, logical_id: str, rule_name: str, function_id: str,
          config: dict[str, Any]) -> None:
    rule_arn = builder.arn("arn:${Partition}:events:${Region}:${AccountId}:rule/%s" % rule_name)
    builder.add("rule:%s" % rule_name, "rule", "rule %s" % rule_name, {
        "Name": rule_name, **config, "State": "ENABLED",
        "Target": builder.function_arns[function_id]})
    builder.permission(function_id, "myframework-%s" % logical_id, "events.amazonaws.com",
                       rule_arn)
