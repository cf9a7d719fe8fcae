"""Terraform (``.tf.json``) for a stage of the app, from its resource models.

:func:`render_terraform` turns an :class:`~myframework.deploy.models.AppModel`
into Terraform's JSON syntax; :func:`write_terraform` writes it as
``deployment.tf.json`` next to the zips the models name, so the folder is a
Terraform module (``terraform init && terraform apply`` in it, or ``source``
it from another configuration).

Choices:

* Versions: ``hashicorp/aws`` ``>= 5.0`` and Terraform ``>= 1.0``, lower
  bounds only. The region comes from ``data.aws_region.current.name``, which
  provider 6 still reads (with a deprecation warning) and provider 5 needs.
* Strings: in ``.tf.json`` every string value (and object key) is a template,
  so ``${`` and ``%{`` the app's data contains (IAM policy variables such as
  ``${aws:username}``, an environment variable's value, the OpenAPI document)
  are written as ``$${`` and ``%%{``. The model's ARN placeholders
  ``${Partition}``, ``${Region}`` and ``${AccountId}`` become references to the
  ``aws_partition``, ``aws_region`` and ``aws_caller_identity`` data sources;
  only the data sources a configuration uses are declared.
* Names: every resource's Terraform name is its logical id in snake_case
  (``ApiHandler`` -> ``aws_lambda_function.api_handler``, ``DefaultRole`` ->
  ``aws_iam_role.default_role``); the automatic dependencies layer is
  ``aws_lambda_layer_version.dependencies``.
* REST API: ``body`` is the OpenAPI document serialised as JSON, its
  integration URIs ``${aws_lambda_function.<name>.invoke_arn}``. The deployment
  is replaced (``create_before_destroy``) whenever the body's hash changes,
  and the stage points at it.
* S3: the app names a bucket it does not own. An ``aws_s3_bucket_notification``
  here would replace every other notification of that bucket, so none is
  written: only the permission for ``s3.amazonaws.com`` (scoped to the bucket
  and the account), and the ``s3_bucket_notifications`` output listing what
  must be merged into the bucket's notification configuration.
* Task functions get an ``aws_lambda_function_event_invoke_config`` (retries,
  maximum event age, the dead letter as ``on_failure`` destination).
* Functions that use the app's role depend on its inline policy, so event
  source mappings and invoke configs (which AWS checks against the role) are
  created after it.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
from typing import Any

from .appmodel import aws_name
from .models import LAMBDA_TRUST, AppModel, FunctionModel

FILE_NAME = "deployment.tf.json"
AWS_PROVIDER = {"source": "hashicorp/aws", "version": ">= 5.0"}
TERRAFORM_VERSION = ">= 1.0"
LAYER_NAME = "dependencies"

PARTITION = "${data.aws_partition.current.partition}"
REGION = "${data.aws_region.current.name}"
ACCOUNT_ID = "${data.aws_caller_identity.current.account_id}"
_PLACEHOLDERS = {"Partition": PARTITION, "Region": REGION, "AccountId": ACCOUNT_ID}
_PLACEHOLDER = re.compile(r"\$\{(Partition|Region|AccountId)\}")
_DOLLAR = '${"$"}'  # a literal "$" right before an interpolation
_DATA_SOURCES = {"aws_partition": "data.aws_partition.current.",
                 "aws_region": "data.aws_region.current.",
                 "aws_caller_identity": "data.aws_caller_identity.current."}
_INVOKE = "lambda:InvokeFunction"
_NOT_IDENT = re.compile(r"[^A-Za-z0-9_-]+")
_REF_TOKEN = "@@myframework-terraform-ref-%d@@"


# -- strings ---------------------------------------------------------------------------

def literal(text: str) -> str:
    """``text`` as a Terraform string that means exactly ``text`` (no interpolation)."""
    return text.replace("${", "$${").replace("%{", "%%{")


def arn(template: str) -> str:
    """An ARN template of the models: its placeholders become data source references,
    everything else stays literal."""
    parts: list[str] = []
    last = 0
    for match in _PLACEHOLDER.finditer(template):
        text = template[last:match.start()]
        if text.endswith("$"):  # "$" then "${" would read as the escape "$${"
            text = text[:-1]
            parts.extend((literal(text), _DOLLAR))
        else:
            parts.append(literal(text))
        parts.append(_PLACEHOLDERS[match.group(1)])
        last = match.end()
    parts.append(literal(template[last:]))
    return "".join(parts)


def literal_data(value: Any) -> Any:
    """``value`` (JSON data) with every string, keys included, made literal."""
    if isinstance(value, str):
        return literal(value)
    if isinstance(value, dict):
        return {literal(str(k)): literal_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [literal_data(item) for item in value]
    return value


def hcl_quoted(text: str) -> str:
    """``text`` as a quoted string literal inside a ``${...}`` expression."""
    return literal(json.dumps(text, ensure_ascii=False))


def tf_name(logical_id: str) -> str:
    """A Terraform name from a logical id: ``OnJobsSqs`` -> ``on_jobs_sqs``."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", logical_id)
    text = _NOT_IDENT.sub("_", text).lower().strip("_") or "resource"
    return text if text[0].isalpha() or text[0] == "_" else "r_" + text


# -- the renderer ----------------------------------------------------------------------

class _Renderer:
    def __init__(self, model: AppModel) -> None:
        self.model = model
        self.resources: dict[str, dict[str, dict[str, Any]]] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self.functions: dict[str, str] = {}  # logical id -> name of its aws_lambda_function
        self.role: str | None = None  # name of the app's aws_iam_role
        self.policy: str | None = None  # and of its aws_iam_role_policy

    def add(self, kind: str, logical_id: str, body: dict[str, Any]) -> str:
        """Add a resource named after ``logical_id`` (unique within ``kind``)."""
        of_kind = self.resources.setdefault(kind, {})
        base = tf_name(logical_id)
        name, number = base, 2
        while name in of_kind:
            name, number = "%s_%d" % (base, number), number + 1
        of_kind[name] = body
        return name

    def function_ref(self, logical_id: str, attribute: str = "arn") -> str:
        try:
            name = self.functions[logical_id]
        except KeyError:
            raise ValueError("render_terraform: the model refers to function %r, which it does "
                             "not contain" % logical_id) from None
        return "${aws_lambda_function.%s.%s}" % (name, attribute)

    def permission(self, logical_id: str, function: str, principal: str,
                   source_arn: str, **extra: Any) -> str:
        body: dict[str, Any] = {
            "statement_id": logical_id, "action": _INVOKE,
            "function_name": self.function_ref(function, "function_name"),
            "principal": principal, "source_arn": source_arn, **extra}
        return self.add("aws_lambda_permission", logical_id, body)

    # -- the parts ---------------------------------------------------------------------

    def render(self) -> dict[str, Any]:
        model = self.model
        if model.role is not None:
            self.render_role()
        layer = self.render_layer()
        for function in model.functions:
            self.functions[function.logical_id] = self.render_function(function, layer)
        for function in model.functions:
            self.render_invoke_config(function)
        self.render_rest_api()
        self.render_rules()
        self.render_sources()
        self.outputs["function_names"] = {
            "description": "The Lambda function of each handler (registered name -> name)",
            "value": {literal(f.name): self.function_ref(f.logical_id, "function_name")
                      for f in model.functions}}
        self.outputs["function_arns"] = {
            "description": "The Lambda function of each handler (registered name -> ARN)",
            "value": {literal(f.name): self.function_ref(f.logical_id) for f in model.functions}}
        return self.document()

    def render_role(self) -> None:
        role = self.model.role
        assert role is not None
        self.role = self.add("aws_iam_role", role.logical_id, {
            "name": literal(role.role_name),
            "assume_role_policy": json.dumps(LAMBDA_TRUST, sort_keys=True)})
        policy = {"Version": "2012-10-17", "Statement": role.statements}
        self.policy = self.add("aws_iam_role_policy", role.logical_id, {
            "name": literal(role.role_name),
            "role": "${aws_iam_role.%s.id}" % self.role,
            "policy": arn(json.dumps(policy, sort_keys=True))})

    def render_layer(self) -> str | None:
        model = self.model
        if model.layer is None:
            return None
        path, digest = _module_file(model.layer)
        name = self.add("aws_lambda_layer_version", LAYER_NAME, {
            "layer_name": literal(aws_name("%s-%s-%s" % (model.app_name, model.stage,
                                                          LAYER_NAME))),
            "description": literal("Dependencies of %s (%s)" % (model.app_name, model.stage)),
            "filename": path,
            "source_code_hash": digest,
            "compatible_runtimes": sorted({f.runtime for f in model.functions}),
            "compatible_architectures": sorted({f.architecture for f in model.functions})})
        return "${aws_lambda_layer_version.%s.arn}" % name

    def render_function(self, function: FunctionModel, layer: str | None) -> str:
        path, digest = _module_file(function.code)
        body: dict[str, Any] = {
            "function_name": literal(function.function_name),
            "filename": path,
            "source_code_hash": digest,
            "handler": literal(function.handler),
            "runtime": function.runtime,
            "architectures": [function.architecture],
            "memory_size": function.memory_size,
            "timeout": function.timeout,
            "tags": literal_data(function.tags),
        }
        if function.description:
            body["description"] = literal(function.description)
        if function.role_arn is not None:
            body["role"] = arn(function.role_arn)
        elif self.role is not None:
            body["role"] = "${aws_iam_role.%s.arn}" % self.role
            body["depends_on"] = ["aws_iam_role_policy.%s" % self.policy]
        else:
            raise ValueError("render_terraform: function %s has no role: the app's role is not "
                             "managed (manage_iam_role is false) and the function names no "
                             "iam_role_arn" % function.name)
        if function.environment:
            body["environment"] = {"variables": literal_data(function.environment)}
        layers = ([layer] if layer else []) + [arn(item) for item in function.layers]
        if layers:
            body["layers"] = layers
        if function.subnet_ids or function.security_group_ids:
            body["vpc_config"] = {"subnet_ids": literal_data(function.subnet_ids),
                                  "security_group_ids": literal_data(function.security_group_ids)}
        if function.reserved_concurrency is not None:
            body["reserved_concurrent_executions"] = function.reserved_concurrency
        if function.ephemeral_storage is not None:
            body["ephemeral_storage"] = {"size": function.ephemeral_storage}
        if function.xray:
            body["tracing_config"] = {"mode": "Active"}
        return self.add("aws_lambda_function", function.logical_id, body)

    def render_invoke_config(self, function: FunctionModel) -> None:
        if (function.max_retries is None and function.dead_letter_arn is None
                and function.max_event_age is None):
            return
        body: dict[str, Any] = {
            "function_name": self.function_ref(function.logical_id, "function_name")}
        if function.max_retries is not None:
            body["maximum_retry_attempts"] = function.max_retries
        if function.max_event_age is not None:
            body["maximum_event_age_in_seconds"] = function.max_event_age
        if function.dead_letter_arn is not None:
            body["destination_config"] = {
                "on_failure": {"destination": arn(function.dead_letter_arn)}}
        self.add("aws_lambda_function_event_invoke_config", function.logical_id, body)

    def render_rest_api(self) -> None:
        api = self.model.rest_api
        if api is None:
            return
        document, body = self.api_body()
        rest: dict[str, Any] = {
            "name": literal(api.name),
            "body": body,
            "endpoint_configuration": {"types": [api.endpoint_type]},
        }
        binary = document.get("x-amazon-apigateway-binary-media-types")
        if binary:  # the same list as the body's, so Terraform sees no drift
            rest["binary_media_types"] = literal_data(binary)
        if api.minimum_compression_size is not None:
            rest["minimum_compression_size"] = str(api.minimum_compression_size)
        name = self.add("aws_api_gateway_rest_api", api.logical_id, rest)
        rest_ref = "aws_api_gateway_rest_api.%s" % name
        deployment = self.add("aws_api_gateway_deployment", api.logical_id, {
            "rest_api_id": "${%s.id}" % rest_ref,
            "description": literal("%s (%s)" % (self.model.app_name, self.model.stage)),
            "triggers": {"redeployment": "${sha256(%s.body)}" % rest_ref},
            "lifecycle": {"create_before_destroy": True}})
        stage: dict[str, Any] = {
            "rest_api_id": "${%s.id}" % rest_ref,
            "deployment_id": "${aws_api_gateway_deployment.%s.id}" % deployment,
            "stage_name": literal(api.stage_name)}
        if self.model.function(api.function).xray:
            stage["xray_tracing_enabled"] = True
        stage_name = self.add("aws_api_gateway_stage", api.logical_id, stage)
        self.permission(api.logical_id + "Invoke", api.function, "apigateway.amazonaws.com",
                        "${%s.execution_arn}/*" % rest_ref)
        for _, function in sorted(api.authorizers.items()):
            self.permission(function + "Authorizer", function, "apigateway.amazonaws.com",
                            "${%s.execution_arn}/authorizers/*" % rest_ref)
        self.outputs["api_url"] = {
            "description": "The REST API's URL",
            "value": "${aws_api_gateway_stage.%s.invoke_url}/" % stage_name}
        self.outputs["rest_api_id"] = {"description": "The REST API's id",
                                       "value": "${%s.id}" % rest_ref}

    def api_body(self) -> tuple[dict[str, Any], str]:
        """The OpenAPI document, and its JSON as a Terraform string whose integration
        URIs are references to the functions' ``invoke_arn``."""
        api = self.model.rest_api
        assert api is not None
        refs: dict[str, str] = {}

        def ref(function: str) -> str:
            token = _REF_TOKEN % len(refs)
            refs[token] = self.function_ref(function, "invoke_arn")
            return token
        uri = ref(api.function)
        authorizers = {name: ref(function) for name, function in sorted(api.authorizers.items())}
        document = api.document(uri, authorizers)
        text = literal(json.dumps(document))
        for token, expression in refs.items():
            quoted = json.dumps(token)
            if text.count(token) != text.count(quoted):  # the app's own text contains it
                raise ValueError("render_terraform: the OpenAPI document contains %r" % token)
            text = text.replace(quoted, '"%s"' % expression)
        return document, text

    def render_rules(self) -> None:
        for schedule in self.model.schedules:
            rule: dict[str, Any] = {"name": literal(schedule.rule_name),
                                    "schedule_expression": literal(schedule.expression)}
            if schedule.description:
                rule["description"] = literal(schedule.description)
            self.rule_target(schedule.logical_id, schedule.function, rule)
        for event_rule in self.model.event_rules:
            self.rule_target(event_rule.logical_id, event_rule.function, {
                "name": literal(event_rule.rule_name),
                "event_pattern": literal(json.dumps(event_rule.event_pattern, sort_keys=True))})

    def rule_target(self, logical_id: str, function: str, rule: dict[str, Any]) -> None:
        name = self.add("aws_cloudwatch_event_rule", logical_id, rule)
        self.add("aws_cloudwatch_event_target", logical_id, {
            "rule": "${aws_cloudwatch_event_rule.%s.name}" % name,
            "arn": self.function_ref(function)})
        self.permission(logical_id, function, "events.amazonaws.com",
                        "${aws_cloudwatch_event_rule.%s.arn}" % name)

    def render_sources(self) -> None:
        model = self.model
        for mapping in model.sqs_mappings:
            body: dict[str, Any] = {
                "event_source_arn": arn(mapping.queue_arn),
                "function_name": self.function_ref(mapping.function),
                "batch_size": mapping.batch_size,
                "maximum_batching_window_in_seconds": mapping.maximum_batching_window}
            if mapping.report_batch_item_failures:
                body["function_response_types"] = ["ReportBatchItemFailures"]
            if mapping.maximum_concurrency is not None:
                body["scaling_config"] = {"maximum_concurrency": mapping.maximum_concurrency}
            self.add("aws_lambda_event_source_mapping", mapping.logical_id, body)
        for subscription in model.sns_subscriptions:
            topic = arn(subscription.topic_arn)
            self.add("aws_sns_topic_subscription", subscription.logical_id, {
                "topic_arn": topic, "protocol": "lambda",
                "endpoint": self.function_ref(subscription.function)})
            self.permission(subscription.logical_id, subscription.function,
                            "sns.amazonaws.com", topic)
        notifications = []
        for notification in model.s3_notifications:
            bucket = literal(notification.bucket)
            self.permission(
                notification.logical_id, notification.function, "s3.amazonaws.com",
                arn(notification.bucket_arn), source_account=ACCOUNT_ID,
                **{"//": "The notification itself is not managed here: merge it into the "
                         "notification configuration of bucket %s (see the "
                         "s3_bucket_notifications output)" % bucket})
            notifications.append({
                "bucket": bucket,
                "lambda_function_arn": self.function_ref(notification.function),
                "events": literal_data(notification.events),
                "filter_prefix": _optional(notification.prefix),
                "filter_suffix": _optional(notification.suffix)})
        if notifications:
            self.outputs["s3_bucket_notifications"] = {
                "description": (
                    "S3 notifications to add to the buckets' notification configurations, "
                    "merged with the notifications they already have: the app does not own "
                    "the buckets, and an aws_s3_bucket_notification would replace them all"),
                "value": notifications}

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "//": literal("Generated by myframework for %s (stage %s); regenerate it rather "
                          "than editing it" % (self.model.app_name, self.model.stage)),
            "terraform": {"required_version": TERRAFORM_VERSION,
                          "required_providers": {"aws": dict(AWS_PROVIDER)}},
            "resource": self.resources,
            "output": self.outputs,
        }
        text = json.dumps(doc)
        data: dict[str, Any] = {kind: {"current": {}} for kind, prefix in _DATA_SOURCES.items()
                if prefix in text}
        if data:
            doc["data"] = data
        return doc


def _module_file(path: str) -> tuple[str, str]:
    """A file of the output folder, relative to the module (kept as is when absolute):
    its name as a Terraform string, and the expression of its base64 SHA-256."""
    if os.path.isabs(path):
        return literal(path), "${filebase64sha256(%s)}" % hcl_quoted(path)
    relative = pathlib.PurePath(path).as_posix()
    return ("${path.module}/" + literal(relative),
            '${filebase64sha256("${path.module}/%s)}' % hcl_quoted(relative)[1:])


def _optional(text: str | None) -> str | None:
    return None if text is None else literal(text)


def render_terraform(model: AppModel) -> dict[str, Any]:
    """The Terraform JSON configuration (``.tf.json``) of ``model``, as a dict.

    The same model always gives the same configuration. Raises ValueError for a
    model that cannot be deployed (a function without a role) or whose OpenAPI
    document cannot be built.
    """
    return _Renderer(model).render()


def write_terraform(model: AppModel, out_dir: str | os.PathLike[str]) -> pathlib.Path:
    """Write ``<out_dir>/deployment.tf.json`` (sorted keys, indent 2) and return its path.
    The zips the model names are relative to ``out_dir``."""
    path = pathlib.Path(out_dir) / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(render_terraform(model), indent=2, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")
    return path
