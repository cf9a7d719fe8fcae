"""The Terraform renderer (myframework.deploy.terraform): the resources and
their arguments for the example apps and for apps using every feature, the
interpolations Terraform must evaluate, the escaping of every other ``${``
and ``%{``, version constraints without an upper bound, deterministic output.

Where a ``terraform`` binary and the AWS provider are on the machine (a
filesystem mirror, no network), the rendered configurations are also run
through ``terraform test`` with a mocked AWS provider: Terraform itself
parses and validates them against the provider's schema, and evaluates every
string, which the assertions compare with what the models say.
"""
from __future__ import annotations

import copy
import json
import os
import pathlib
import re
import shutil
import subprocess
from typing import Any

import pytest
from flask import Flask

from myframework import App, AuthRequest, AuthResponse, Cron, CustomAuthorizer, Rate
from myframework.config import ProjectConfig, load_config
from myframework.deploy.appmodel import build_app_model
from myframework.deploy.models import AppModel
from myframework.deploy.terraform import (
    FILE_NAME,
    arn,
    literal,
    render_terraform,
    tf_name,
    write_terraform,
)
from myframework.project import load_app

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
PARTITION = "${data.aws_partition.current.partition}"
REGION = "${data.aws_region.current.name}"
ACCOUNT = "${data.aws_caller_identity.current.account_id}"
DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:kitchen-failed"
DLT_ARN = "arn:aws:sns:us-east-1:123456789012:kitchen-failures"
SHARED_LAYER = "arn:aws:lambda:us-east-1:123456789012:layer:shared:3"
USER_ROLE = "arn:aws:iam::123456789012:role/kitchen-own"
TRICKY = "hello ${USER} and %{ if x } and $${literal} and 100%"
# An API Gateway stage variable: API Gateway, not Terraform, must see this ${...}.
STAGE_VAR_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:"
                 "us-east-1:123456789012:function:${stageVariables.authFunction}/invocations")


# -- the models ------------------------------------------------------------------------

def example_model(name: str, layer: str | None = None) -> AppModel:
    root = EXAMPLES / name
    return build_app_model(load_app(root), load_config(root).stage("dev"), layer=layer)


def kitchen_app() -> App:
    """Every handler kind, two task queues, a built-in authorizer and a Flask mount."""
    app = App("kitchen")
    site = Flask("legacy_site")

    @site.get("/")
    def legacy_index() -> str:
        return "<h1>legacy</h1>"

    app.mount_wsgi(site, "/legacy")

    @app.authorizer(name="token_auth", ttl_seconds=60)
    def token_auth(request: AuthRequest) -> AuthResponse:
        return AuthResponse(routes=["*"], principal_id="user")

    @app.route("/menu")
    def menu() -> dict[str, str]:
        return {}

    @app.route("/orders", methods=["POST"], authorizer=token_auth)
    def order() -> dict[str, str]:
        return {}

    @app.route("/partners", authorizer=CustomAuthorizer("partner", STAGE_VAR_URI))
    def partners() -> dict[str, str]:
        return {}

    @app.schedule(Cron(0, 3, "*", "*", "?", "*"), name="nightly",
                  description="costs ${5} at %{night}")
    def nightly(event: Any) -> None:
        return None

    @app.schedule(Rate(1, unit=Rate.HOURS))
    def hourly(event: Any) -> None:
        return None

    @app.on_s3_event(bucket="kitchen-uploads", prefix="in/", events=["s3:ObjectCreated:Put"])
    def on_upload(event: Any) -> None:
        return None

    @app.on_s3_event(bucket="kitchen-archive")
    def on_archive(event: Any) -> None:
        return None

    @app.on_sqs_message(queue="kitchen-jobs", batch_size=50,
                        maximum_batching_window_in_seconds=10, maximum_concurrency=4)
    def on_jobs(event: Any) -> None:
        return None

    @app.on_sqs_message(queue_arn="arn:aws:sqs:eu-west-1:210987654321:shared-jobs.fifo",
                        batch_size=5)
    def on_shared(event: Any) -> None:
        return None

    @app.on_sns_message(topic="kitchen-alerts")
    def on_alert(event: Any) -> None:
        return None

    @app.on_sns_message(topic="arn:aws:sns:eu-west-1:210987654321:shared-alerts")
    def on_shared_alert(event: Any) -> None:
        return None

    @app.on_cw_event({"source": ["aws.ec2"], "detail-type": ["EC2 ${state} change"]})
    def on_ec2(event: Any) -> None:
        return None

    @app.lambda_function(name="direct")
    def direct(event: Any, context: Any) -> None:
        return None

    @app.task(retries=1, dead_letter=DLQ_ARN)
    def send_email(to: str) -> None:
        return None

    @app.task(queue="slow", retries=0, timeout=600, dead_letter=DLT_ARN)
    def render_report(day: str) -> None:
        return None

    return app


KITCHEN_CONFIG: dict[str, Any] = {
    "app_name": "kitchen",
    "environment_variables": {"GREETING": TRICKY},
    "stages": {"dev": {
        "api_gateway_stage": "v1",
        "api_gateway_endpoint_type": "REGIONAL",
        "minimum_compression_size": 1024,
        "xray": True,
        "layers": [SHARED_LAYER],
        "subnet_ids": ["subnet-1", "subnet-2"],
        "security_group_ids": ["sg-1"],
        "tags": {"team": "kitchen", "cost": "${center}"},
        "iam_policy_extra": {"Statement": [{
            "Sid": "OwnPrefix", "Effect": "Allow", "Action": ["s3:GetObject"],
            "Resource": ["arn:${Partition}:s3:::kitchen-data/${aws:username}/*",
                         "arn:${Partition}:s3:::kitchen-data/$${Region}/*"]}]},
        "lambda_functions": {
            "api_handler": {"reserved_concurrency": 5, "lambda_memory_size": 512},
            "nightly": {"lambda_timeout": 300},
            "direct": {"manage_iam_role": False, "iam_role_arn": USER_ROLE},
        },
    }},
}


def kitchen_model(config: dict[str, Any] | None = None) -> AppModel:
    stage = ProjectConfig(copy.deepcopy(config or KITCHEN_CONFIG)).stage("dev")
    return build_app_model(kitchen_app(), stage, layer="deployment-layer.zip")


def user_role_model() -> AppModel:
    """manage_iam_role false: every function runs with the user's role."""
    app = App("ownrole")

    @app.route("/")
    def index() -> dict[str, str]:
        return {}

    @app.on_sqs_message(queue="ownrole-jobs")
    def on_jobs(event: Any) -> None:
        return None

    config = {"stages": {"dev": {"manage_iam_role": False, "iam_role_arn": USER_ROLE}}}
    return build_app_model(app, ProjectConfig(config).stage("dev"))


# -- helpers -----------------------------------------------------------------------------

def as_terraform(template: str) -> str:
    """A model's ARN template with the data source references Terraform should get."""
    return (template.replace("${Partition}", PARTITION).replace("${Region}", REGION)
            .replace("${AccountId}", ACCOUNT))


def resources(doc: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = doc["resource"].get(kind, {})
    return found


def unescape(template: str) -> str:
    """What Terraform makes of a string without interpolations but escapes (``$${`` ->
    ``${``, ``%%{`` -> ``%{``, ``${"$"}`` -> ``$``); references are left as they are."""
    return re.sub(r'\$\{"\$"\}|\$\$\{|%%\{',
                  lambda m: "$" if m.group(0) == '${"$"}' else m.group(0)[1:], template)


def strings(value: Any) -> list[str]:
    """Every string in ``value``: dict keys and values, list items."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k != "//" for s in [k, *strings(v)]]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


# The interpolations the renderer means to write; anything else unescaped is a bug.
_REFERENCE = (r"\$\{(?:data\.aws_(?:partition\.current\.partition|region\.current\.name"
              r"|caller_identity\.current\.account_id)"
              r"|aws_[a-z0-9_]+\.[a-z_][a-z0-9_-]*\.[a-z_]+"
              r"|path\.module|\"\$\""
              r"|sha256\(aws_api_gateway_rest_api\.[a-z_][a-z0-9_-]*\.body\))\}")
_FILE_HASH = r'\$\{filebase64sha256\("\$\{path\.module\}/[^"$%\\]+"\)\}'
ALLOWED = re.compile("%s|%s" % (_FILE_HASH, _REFERENCE))


def stray_templates(doc: dict[str, Any]) -> list[str]:
    """Strings with a ``${`` or ``%{`` Terraform would evaluate that is not one of ours."""
    bad = []
    for text in strings(doc):
        rest = re.sub(r"\$\$\{|%%\{", "", ALLOWED.sub("", text))
        if "${" in rest or "%{" in rest:
            bad.append(text)
    return bad


def body_document(rest_api: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(unescape(rest_api["body"]))
    return document


def integration_uris(document: dict[str, Any]) -> set[str]:
    return {op["x-amazon-apigateway-integration"].get("uri", "mock")
            for item in document["paths"].values() for op in item.values()}


# -- the petstore example ------------------------------------------------------------------

def test_petstore_function_role_and_rest_api() -> None:
    model = example_model("petstore")
    doc = render_terraform(model)
    functions = resources(doc, "aws_lambda_function")
    assert list(functions) == ["api_handler"]
    api = functions["api_handler"]
    assert api["function_name"] == "petstore-dev"
    assert api["filename"] == "${path.module}/deployment.zip"
    assert api["source_code_hash"] == '${filebase64sha256("${path.module}/deployment.zip")}'
    assert (api["handler"], api["runtime"], api["architectures"]) == (
        "app.app", "python3.12", ["x86_64"])
    assert (api["memory_size"], api["timeout"]) == (128, 60)
    assert api["role"] == "${aws_iam_role.default_role.arn}"
    assert api["depends_on"] == ["aws_iam_role_policy.default_role"]
    assert api["tags"] == {"myframework:app": "petstore", "myframework:stage": "dev"}
    assert "environment" not in api
    assert "layers" not in api
    assert "vpc_config" not in api

    role = resources(doc, "aws_iam_role")["default_role"]
    assert role["name"] == "petstore-dev"
    assert json.loads(role["assume_role_policy"])["Statement"] == [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}]
    policy = resources(doc, "aws_iam_role_policy")["default_role"]
    assert policy["role"] == "${aws_iam_role.default_role.id}"
    assert model.role is not None
    assert json.loads(policy["policy"]) == {
        "Version": "2012-10-17",
        "Statement": json.loads(as_terraform(json.dumps(model.role.statements)))}
    assert "log-group:/aws/lambda/petstore-dev" in policy["policy"]

    rest = resources(doc, "aws_api_gateway_rest_api")["rest_api"]
    assert rest["name"] == "petstore-dev"
    assert rest["endpoint_configuration"] == {"types": ["EDGE"]}
    assert "minimum_compression_size" not in rest
    document = body_document(rest)
    assert document == model.rest_api.document(  # type: ignore[union-attr]
        "${aws_lambda_function.api_handler.invoke_arn}", {})
    assert set(document["paths"]) == {"/", "/pets", "/pets/{pet_id}"}
    assert integration_uris(document) <= {"${aws_lambda_function.api_handler.invoke_arn}",
                                          "mock"}

    deployment = resources(doc, "aws_api_gateway_deployment")["rest_api"]
    assert deployment["rest_api_id"] == "${aws_api_gateway_rest_api.rest_api.id}"
    assert deployment["triggers"] == {
        "redeployment": "${sha256(aws_api_gateway_rest_api.rest_api.body)}"}
    assert deployment["lifecycle"] == {"create_before_destroy": True}
    assert "stage_name" not in deployment  # deprecated there: the stage resource has it
    stage = resources(doc, "aws_api_gateway_stage")["rest_api"]
    assert stage == {"rest_api_id": "${aws_api_gateway_rest_api.rest_api.id}",
                     "deployment_id": "${aws_api_gateway_deployment.rest_api.id}",
                     "stage_name": "api"}
    permission = resources(doc, "aws_lambda_permission")["rest_api_invoke"]
    assert permission["function_name"] == "${aws_lambda_function.api_handler.function_name}"
    assert permission["principal"] == "apigateway.amazonaws.com"
    assert permission["action"] == "lambda:InvokeFunction"
    assert permission["source_arn"] == "${aws_api_gateway_rest_api.rest_api.execution_arn}/*"

    assert doc["output"]["api_url"]["value"] == "${aws_api_gateway_stage.rest_api.invoke_url}/"
    assert doc["output"]["rest_api_id"]["value"] == "${aws_api_gateway_rest_api.rest_api.id}"
    assert doc["output"]["function_names"]["value"] == {
        "api_handler": "${aws_lambda_function.api_handler.function_name}"}
    assert set(doc["data"]) == {"aws_partition", "aws_region", "aws_caller_identity"}
    assert stray_templates(doc) == []


def test_provider_and_terraform_versions_have_lower_bounds_only() -> None:
    for model in (example_model("petstore"), kitchen_model()):
        block = render_terraform(model)["terraform"]
        aws = block["required_providers"]["aws"]
        assert aws == {"source": "hashicorp/aws", "version": ">= 5.0"}
        for constraint in (aws["version"], block["required_version"]):
            assert constraint.startswith(">= ")
            assert not re.search(r"<|~>|!=|,", constraint)


# -- the events example --------------------------------------------------------------------

def test_events_example_sources_and_permissions() -> None:
    doc = render_terraform(example_model("events"))
    functions = resources(doc, "aws_lambda_function")
    assert set(functions) == {"api_handler", "on_upload", "on_jobs", "on_alert",
                              "nightly_report", "heartbeat", "on_deleted", "resize",
                              "tasks_default"}
    tasks = {"MYFRAMEWORK_TASK_FUNCTIONS": json.dumps(
        {"default": "photo-pipeline-dev-tasks-default"})}
    for name, function in functions.items():
        expected = dict(tasks) if name == "api_handler" else {
            **tasks, "MYFRAMEWORK_HANDLER": "tasks:default" if name == "tasks_default"
            else name}
        assert function["environment"] == {"variables": expected}, name
    assert functions["on_upload"]["memory_size"] == 512

    rules = resources(doc, "aws_cloudwatch_event_rule")
    assert rules["nightly_report_schedule"] == {
        "name": "photo-pipeline-dev-nightly_report",
        "schedule_expression": "cron(0 2 * * ? *)",
        "description": "nightly report at 02:00 UTC"}
    assert rules["heartbeat_schedule"]["schedule_expression"] == "rate(15 minutes)"
    assert json.loads(rules["on_deleted_rule"]["event_pattern"]) == {
        "source": ["aws.s3"], "detail-type": ["Object Deleted"]}
    targets = resources(doc, "aws_cloudwatch_event_target")
    assert targets["on_deleted_rule"] == {
        "rule": "${aws_cloudwatch_event_rule.on_deleted_rule.name}",
        "arn": "${aws_lambda_function.on_deleted.arn}"}
    assert targets["heartbeat_schedule"]["arn"] == "${aws_lambda_function.heartbeat.arn}"

    permissions = resources(doc, "aws_lambda_permission")
    by_principal = {name: p["principal"] for name, p in permissions.items()}
    assert by_principal == {
        "rest_api_invoke": "apigateway.amazonaws.com",
        "nightly_report_schedule": "events.amazonaws.com",
        "heartbeat_schedule": "events.amazonaws.com",
        "on_deleted_rule": "events.amazonaws.com",
        "on_upload_s3": "s3.amazonaws.com",
        "on_alert_sns": "sns.amazonaws.com"}
    assert permissions["heartbeat_schedule"]["source_arn"] == (
        "${aws_cloudwatch_event_rule.heartbeat_schedule.arn}")
    topic = "arn:%s:sns:%s:%s:photo-alerts" % (PARTITION, REGION, ACCOUNT)
    assert permissions["on_alert_sns"]["source_arn"] == topic
    s3 = permissions["on_upload_s3"]
    assert s3["function_name"] == "${aws_lambda_function.on_upload.function_name}"
    assert s3["source_arn"] == "arn:%s:s3:::photo-uploads" % PARTITION
    assert s3["source_account"] == ACCOUNT

    mapping = resources(doc, "aws_lambda_event_source_mapping")["on_jobs_sqs"]
    assert mapping == {
        "event_source_arn": "arn:%s:sqs:%s:%s:photo-jobs" % (PARTITION, REGION, ACCOUNT),
        "function_name": "${aws_lambda_function.on_jobs.arn}",
        "batch_size": 10, "maximum_batching_window_in_seconds": 5,
        "function_response_types": ["ReportBatchItemFailures"]}
    subscription = resources(doc, "aws_sns_topic_subscription")["on_alert_sns"]
    assert subscription == {"topic_arn": topic, "protocol": "lambda",
                            "endpoint": "${aws_lambda_function.on_alert.arn}"}
    invoke = resources(doc, "aws_lambda_function_event_invoke_config")
    assert invoke == {"tasks_default": {
        "function_name": "${aws_lambda_function.tasks_default.function_name}",
        "maximum_retry_attempts": 2}}
    assert stray_templates(doc) == []


def test_s3_notifications_are_left_to_the_bucket_owner() -> None:
    """The app names a bucket it does not own: an aws_s3_bucket_notification would
    replace the bucket's other notifications, so only the permission and an output."""
    doc = render_terraform(example_model("events"))
    assert "aws_s3_bucket_notification" not in doc["resource"]
    assert "aws_s3_bucket" not in doc["resource"]
    output = doc["output"]["s3_bucket_notifications"]
    assert output["value"] == [{
        "bucket": "photo-uploads", "events": ["s3:ObjectCreated:*"],
        "filter_prefix": "incoming/", "filter_suffix": ".jpg",
        "lambda_function_arn": "${aws_lambda_function.on_upload.arn}"}]
    assert "merged" in output["description"]
    assert "replace" in output["description"]
    note = resources(doc, "aws_lambda_permission")["on_upload_s3"]["//"]
    assert "photo-uploads" in note
    assert "s3_bucket_notifications" in note


# -- every feature ---------------------------------------------------------------------------

def test_kitchen_functions_settings() -> None:
    model = kitchen_model()
    doc = render_terraform(model)
    functions = resources(doc, "aws_lambda_function")
    api = functions["api_handler"]
    assert (api["memory_size"], api["reserved_concurrent_executions"]) == (512, 5)
    assert functions["nightly"]["timeout"] == 300
    assert "reserved_concurrent_executions" not in functions["nightly"]
    for name, function in functions.items():
        assert function["layers"] == ["${aws_lambda_layer_version.dependencies.arn}",
                                      SHARED_LAYER], name
        assert function["vpc_config"] == {"subnet_ids": ["subnet-1", "subnet-2"],
                                          "security_group_ids": ["sg-1"]}, name
        assert function["tracing_config"] == {"mode": "Active"}, name
        assert function["tags"]["team"] == "kitchen"
        assert function["tags"]["cost"] == "$${center}"
        assert function["environment"]["variables"]["GREETING"] == literal(TRICKY)
    assert functions["direct"]["role"] == USER_ROLE
    assert "depends_on" not in functions["direct"]
    assert functions["api_handler"]["role"] == "${aws_iam_role.default_role.arn}"
    assert functions["tasks_slow"]["timeout"] == 600

    layer = resources(doc, "aws_lambda_layer_version")["dependencies"]
    assert layer["layer_name"] == "kitchen-dev-dependencies"
    assert layer["filename"] == "${path.module}/deployment-layer.zip"
    assert layer["source_code_hash"] == (
        '${filebase64sha256("${path.module}/deployment-layer.zip")}')
    assert layer["compatible_runtimes"] == ["python3.12"]
    assert layer["compatible_architectures"] == ["x86_64"]
    assert stray_templates(doc) == []


def test_kitchen_rest_api_authorizer_and_mount() -> None:
    model = kitchen_model()
    doc = render_terraform(model)
    rest = resources(doc, "aws_api_gateway_rest_api")["rest_api"]
    assert rest["endpoint_configuration"] == {"types": ["REGIONAL"]}
    assert rest["minimum_compression_size"] == "1024"
    assert rest["binary_media_types"] == ["*/*"]  # the WSGI mount
    document = body_document(rest)
    assert document == model.rest_api.document(  # type: ignore[union-attr]
        "${aws_lambda_function.api_handler.invoke_arn}",
        {"token_auth": "${aws_lambda_function.token_auth.invoke_arn}"})
    scheme = document["components"]["securitySchemes"]["token_auth"]
    authorizer = scheme["x-amazon-apigateway-authorizer"]
    assert authorizer["authorizerUri"] == "${aws_lambda_function.token_auth.invoke_arn}"
    assert authorizer["authorizerResultTtlInSeconds"] == 60
    assert document["paths"]["/orders"]["post"]["security"] == [{"token_auth": []}]
    assert "x-amazon-apigateway-any-method" in document["paths"]["/legacy/{proxy+}"]
    partner = document["components"]["securitySchemes"]["partner"]
    assert partner["x-amazon-apigateway-authorizer"]["authorizerUri"] == STAGE_VAR_URI
    assert "function:$${stageVariables.authFunction}/invocations" in rest["body"]

    stage = resources(doc, "aws_api_gateway_stage")["rest_api"]
    assert stage["stage_name"] == "v1"
    assert stage["xray_tracing_enabled"] is True
    permissions = resources(doc, "aws_lambda_permission")
    assert permissions["token_auth_authorizer"] == {
        "statement_id": "TokenAuthAuthorizer", "action": "lambda:InvokeFunction",
        "function_name": "${aws_lambda_function.token_auth.function_name}",
        "principal": "apigateway.amazonaws.com",
        "source_arn": "${aws_api_gateway_rest_api.rest_api.execution_arn}/authorizers/*"}
    assert doc["output"]["api_url"]["value"] == "${aws_api_gateway_stage.rest_api.invoke_url}/"


def test_kitchen_event_sources() -> None:
    doc = render_terraform(kitchen_model())
    mappings = resources(doc, "aws_lambda_event_source_mapping")
    assert mappings["on_jobs_sqs"]["scaling_config"] == {"maximum_concurrency": 4}
    assert (mappings["on_jobs_sqs"]["batch_size"],
            mappings["on_jobs_sqs"]["maximum_batching_window_in_seconds"]) == (50, 10)
    assert mappings["on_shared_sqs"]["event_source_arn"] == (
        "arn:aws:sqs:eu-west-1:210987654321:shared-jobs.fifo")
    assert "scaling_config" not in mappings["on_shared_sqs"]
    for mapping in mappings.values():
        assert mapping["function_response_types"] == ["ReportBatchItemFailures"]
    subscriptions = resources(doc, "aws_sns_topic_subscription")
    assert subscriptions["on_shared_alert_sns"]["topic_arn"] == (
        "arn:aws:sns:eu-west-1:210987654321:shared-alerts")
    assert subscriptions["on_alert_sns"]["topic_arn"] == (
        "arn:%s:sns:%s:%s:kitchen-alerts" % (PARTITION, REGION, ACCOUNT))
    permissions = resources(doc, "aws_lambda_permission")
    assert permissions["on_shared_alert_sns"]["source_arn"] == (
        "arn:aws:sns:eu-west-1:210987654321:shared-alerts")
    assert permissions["on_archive_s3"]["source_arn"] == (
        "arn:%s:s3:::kitchen-archive" % PARTITION)
    notifications = doc["output"]["s3_bucket_notifications"]["value"]
    assert [n["bucket"] for n in notifications] == ["kitchen-uploads", "kitchen-archive"]
    assert notifications[0]["events"] == ["s3:ObjectCreated:Put"]
    assert (notifications[1]["filter_prefix"], notifications[1]["filter_suffix"]) == (
        None, None)

    rules = resources(doc, "aws_cloudwatch_event_rule")
    assert rules["nightly_schedule"]["schedule_expression"] == "cron(0 3 * * ? *)"
    assert rules["nightly_schedule"]["description"] == "costs $${5} at %%{night}"
    assert rules["hourly_schedule"]["schedule_expression"] == "rate(1 hour)"
    assert json.loads(unescape(rules["on_ec2_rule"]["event_pattern"])) == {
        "source": ["aws.ec2"], "detail-type": ["EC2 ${state} change"]}
    assert "$${state}" in rules["on_ec2_rule"]["event_pattern"]


def test_kitchen_task_functions() -> None:
    model = kitchen_model()
    doc = render_terraform(model)
    functions = resources(doc, "aws_lambda_function")
    names = {"default": "kitchen-dev-tasks-default", "slow": "kitchen-dev-tasks-slow"}
    for function in functions.values():
        assert function["environment"]["variables"]["MYFRAMEWORK_TASK_FUNCTIONS"] == (
            json.dumps(names))
    assert functions["tasks_default"]["function_name"] == "kitchen-dev-tasks-default"
    assert functions["tasks_slow"]["environment"]["variables"]["MYFRAMEWORK_HANDLER"] == (
        "tasks:slow")
    invoke = resources(doc, "aws_lambda_function_event_invoke_config")
    assert invoke == {
        "tasks_default": {
            "function_name": "${aws_lambda_function.tasks_default.function_name}",
            "maximum_retry_attempts": 1,
            "destination_config": {"on_failure": {"destination": DLQ_ARN}}},
        "tasks_slow": {
            "function_name": "${aws_lambda_function.tasks_slow.function_name}",
            "maximum_retry_attempts": 0,
            "destination_config": {"on_failure": {"destination": DLT_ARN}}}}
    statements = json.loads(unescape(
        resources(doc, "aws_iam_role_policy")["default_role"]["policy"]))["Statement"]
    actions = {a for s in statements for a in s["Action"]}
    assert {"sqs:SendMessage", "sns:Publish", "lambda:InvokeFunction"} <= actions
    invoke_tasks = next(s for s in statements if s["Sid"] == "InvokeTaskFunctions")
    assert invoke_tasks["Resource"] == [
        "arn:%s:lambda:%s:%s:function:%s" % (PARTITION, REGION, ACCOUNT, name)
        for name in sorted(names.values())]


def test_policy_placeholders_become_data_sources_and_policy_variables_stay() -> None:
    doc = render_terraform(kitchen_model())
    policy = resources(doc, "aws_iam_role_policy")["default_role"]["policy"]
    assert "${Partition}" not in policy
    assert "${Region}" not in policy
    assert "${AccountId}" not in policy
    # The IAM policy variable reaches IAM as ${aws:username}: escaped for Terraform.
    assert "arn:%s:s3:::kitchen-data/$${aws:username}/*" % PARTITION in policy
    statements = json.loads(unescape(policy))["Statement"]
    own = next(s for s in statements if s["Sid"] == "OwnPrefix")
    assert own["Resource"] == ["arn:%s:s3:::kitchen-data/${aws:username}/*" % PARTITION,
                               "arn:%s:s3:::kitchen-data/$%s/*" % (PARTITION, REGION)]
    vpc = next(s for s in statements if s["Sid"] == "VpcNetworkInterfaces")
    assert vpc["Resource"] == ["*"]
    assert stray_templates(doc) == []


def test_escaping_of_templates_that_are_not_terraform_s() -> None:
    assert literal("${aws:username}") == "$${aws:username}"
    assert literal("%{ if x }") == "%%{ if x }"
    assert literal("$${x}") == "$$${x}"
    assert literal("100% of $5 {x}") == "100% of $5 {x}"
    assert arn("arn:${Partition}:sqs:${Region}:${AccountId}:q") == (
        "arn:%s:sqs:%s:%s:q" % (PARTITION, REGION, ACCOUNT))
    assert arn("arn:${Partition}:s3:::b/${aws:username}/${Region}") == (
        "arn:%s:s3:::b/$${aws:username}/%s" % (PARTITION, REGION))
    assert arn("arn:$${Partition}") == 'arn:${"$"}%s' % PARTITION  # "$" + the partition
    assert arn("a$$${Region}") == 'a$${"$"}%s' % REGION
    doc = render_terraform(kitchen_model())
    text = json.dumps(doc)
    assert "${USER}" not in text.replace("$${USER}", "")
    assert "%{ if x }" not in text.replace("%%{ if x }", "")


def test_stray_template_check_catches_an_unescaped_string() -> None:
    doc = render_terraform(example_model("petstore"))
    assert stray_templates(doc) == []
    doc["resource"]["aws_lambda_function"]["api_handler"]["description"] = "${oops}"
    doc["output"]["extra"] = {"value": "%{ if true }x%{ endif }"}
    assert stray_templates(doc) == ["${oops}", "%{ if true }x%{ endif }"]


def test_user_managed_role() -> None:
    doc = render_terraform(user_role_model())
    assert "aws_iam_role" not in doc["resource"]
    assert "aws_iam_role_policy" not in doc["resource"]
    for function in resources(doc, "aws_lambda_function").values():
        assert function["role"] == USER_ROLE
        assert "depends_on" not in function
    assert "on_jobs_sqs" in resources(doc, "aws_lambda_event_source_mapping")


def test_a_function_without_a_role_is_an_error() -> None:
    model = user_role_model()
    model.functions[1].role_arn = None
    with pytest.raises(ValueError, match="function on_jobs has no role"):
        render_terraform(model)


def test_names_are_snake_case_and_unique() -> None:
    assert tf_name("ApiHandler") == "api_handler"
    assert tf_name("OnJobsSqs") == "on_jobs_sqs"
    assert tf_name("ABTest2") == "ab_test2"
    assert tf_name("TasksDefault") == "tasks_default"
    assert tf_name("9Lives") == "r_9_lives"
    app = App("clash")

    @app.lambda_function(name="a_b")
    def first(event: Any, context: Any) -> None:
        return None

    @app.lambda_function(name="ab")
    def second(event: Any, context: Any) -> None:
        return None

    model = build_app_model(app, ProjectConfig({}).stage("dev"))
    assert [f.logical_id for f in model.functions] == ["AB", "Ab"]
    doc = render_terraform(model)
    functions = resources(doc, "aws_lambda_function")
    assert {name: f["function_name"] for name, f in functions.items()} == {
        "ab": "clash-dev-a_b", "ab_2": "clash-dev-ab"}
    assert doc["output"]["function_names"]["value"] == {
        "a_b": "${aws_lambda_function.ab.function_name}",
        "ab": "${aws_lambda_function.ab_2.function_name}"}


def test_data_sources_only_when_used() -> None:
    app = App("plain")

    @app.lambda_function()
    def direct(event: Any, context: Any) -> None:
        return None

    config = {"manage_iam_role": False, "iam_role_arn": USER_ROLE}
    doc = render_terraform(build_app_model(app, ProjectConfig(config).stage("dev")))
    assert "data" not in doc
    doc = render_terraform(example_model("petstore"))
    assert doc["data"] == {"aws_partition": {"current": {}}, "aws_region": {"current": {}},
                           "aws_caller_identity": {"current": {}}}


# -- output ----------------------------------------------------------------------------------

def test_deterministic_and_written_as_sorted_json(tmp_path: pathlib.Path) -> None:
    first = json.dumps(render_terraform(kitchen_model()), sort_keys=True)
    second = json.dumps(render_terraform(kitchen_model()), sort_keys=True)
    assert first == second
    assert json.dumps(render_terraform(example_model("events"))) == json.dumps(
        render_terraform(example_model("events")))
    path = write_terraform(kitchen_model(), tmp_path / "out")
    assert path == tmp_path / "out" / FILE_NAME
    text = path.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(first), indent=2, sort_keys=True) + "\n"
    assert write_terraform(kitchen_model(), tmp_path / "out").read_text(
        encoding="utf-8") == text


# -- Terraform itself (when it is installed, with a local provider mirror) -----------------------

TERRAFORM = shutil.which("terraform")
PLUGIN_DIR = pathlib.Path(os.environ.get("MYFRAMEWORK_TF_PLUGIN_DIR", "/opt/tf-plugins"))
needs_terraform = pytest.mark.skipif(
    TERRAFORM is None or not (PLUGIN_DIR / "registry.terraform.io" / "hashicorp" / "aws").is_dir(),
    reason="needs a terraform binary and the hashicorp/aws provider in a local mirror "
           "(MYFRAMEWORK_TF_PLUGIN_DIR, default /opt/tf-plugins)")
MOCK_PARTITION, MOCK_REGION, MOCK_ACCOUNT = "aws-cn", "eu-west-1", "123456789012"
MOCK_INVOKE_ARN = ("arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/"
                   "arn:aws:lambda:eu-west-1:123456789012:function:mock/invocations")
MOCK_URL = "https://mock.execute-api.eu-west-1.amazonaws.com/v1"
MOCK_RESOURCES = {
    "aws_lambda_function": {"arn": "arn:aws:lambda:eu-west-1:123456789012:function:mock",
                            "invoke_arn": MOCK_INVOKE_ARN},
    "aws_iam_role": {"arn": "arn:aws:iam::123456789012:role/mock"},
    "aws_cloudwatch_event_rule": {"arn": "arn:aws:events:eu-west-1:123456789012:rule/mock"},
    "aws_lambda_layer_version": {"arn": "arn:aws:lambda:eu-west-1:123456789012:layer:mock:1"},
    "aws_api_gateway_rest_api": {
        "execution_arn": "arn:aws:execute-api:eu-west-1:123456789012:mock"},
    "aws_api_gateway_stage": {"invoke_url": MOCK_URL},
}


def evaluated(template: str) -> str:
    """A model's ARN template as Terraform evaluates it with the mocked data sources."""
    return (template.replace("${Partition}", MOCK_PARTITION)
            .replace("${Region}", MOCK_REGION).replace("${AccountId}", MOCK_ACCOUNT))


def hcl_string(value: Any) -> str:
    """``value`` as JSON, quoted as an HCL string inside a ``${...}`` expression."""
    text = json.dumps(json.dumps(value, sort_keys=True))
    return text.replace("${", "$${").replace("%{", "%%{")


def equals(expression: str, value: Any) -> dict[str, str]:
    return {"condition": "${jsondecode(jsonencode(%s)) == jsondecode(%s)}"
                         % (expression, hcl_string(value)),
            "error_message": "%s is not %s" % (literal(expression),
                                               literal(json.dumps(value)))}


def expectations(model: AppModel) -> list[dict[str, str]]:
    """What Terraform must evaluate, taken from the model, not from the rendered file."""
    names = {f.logical_id: tf_name(f.logical_id) for f in model.functions}
    checks = []
    for function in model.functions:
        ref = "aws_lambda_function.%s" % names[function.logical_id]
        checks.append(equals(ref + ".function_name", function.function_name))
        checks.append(equals(ref + ".tags", function.tags))
        checks.append(equals(ref + ".description", function.description))
        if function.environment:
            checks.append(equals(ref + ".environment[0].variables", function.environment))
        checks.append(equals(ref + ".role", function.role_arn or MOCK_RESOURCES[
            "aws_iam_role"]["arn"]))
        layers = ([MOCK_RESOURCES["aws_lambda_layer_version"]["arn"]] if model.layer
                  else []) + function.layers
        checks.append(equals(ref + ".layers", layers or None))
    if model.role is not None:
        checks.append(equals("jsondecode(aws_iam_role_policy.default_role.policy)", {
            "Version": "2012-10-17",
            "Statement": json.loads(evaluated(json.dumps(model.role.statements)))}))
    if model.rest_api is not None:
        document = model.rest_api.document(
            MOCK_INVOKE_ARN, dict.fromkeys(model.rest_api.authorizers, MOCK_INVOKE_ARN))
        checks.append(equals("jsondecode(aws_api_gateway_rest_api.rest_api.body)", document))
        checks.append(equals("output.api_url", MOCK_URL + "/"))
        checks.append(equals("aws_api_gateway_stage.rest_api.stage_name",
                             model.rest_api.stage_name))
    for schedule in model.schedules:
        ref = "aws_cloudwatch_event_rule.%s" % tf_name(schedule.logical_id)
        checks.append(equals(ref + ".schedule_expression", schedule.expression))
        checks.append(equals(ref + ".description", schedule.description or None))
    for rule in model.event_rules:
        ref = "aws_cloudwatch_event_rule.%s" % tf_name(rule.logical_id)
        checks.append(equals("jsondecode(%s.event_pattern)" % ref, rule.event_pattern))
    for mapping in model.sqs_mappings:
        ref = "aws_lambda_event_source_mapping.%s" % tf_name(mapping.logical_id)
        checks.append(equals(ref + ".event_source_arn", evaluated(mapping.queue_arn)))
    for subscription in model.sns_subscriptions:
        ref = "aws_sns_topic_subscription.%s" % tf_name(subscription.logical_id)
        checks.append(equals(ref + ".topic_arn", evaluated(subscription.topic_arn)))
    for notification in model.s3_notifications:
        ref = "aws_lambda_permission.%s" % tf_name(notification.logical_id)
        checks.append(equals(ref + ".source_arn", evaluated(notification.bucket_arn)))
        checks.append(equals(ref + ".source_account", MOCK_ACCOUNT))
    for function in model.functions:
        if function.dead_letter_arn:
            ref = "aws_lambda_function_event_invoke_config.%s" % names[function.logical_id]
            checks.append(equals(ref + ".destination_config[0].on_failure[0].destination",
                                 function.dead_letter_arn))
    checks.append(equals("output.function_names",
                         {f.name: f.function_name for f in model.functions}))
    return checks


def terraform_test(models: dict[str, AppModel], root: pathlib.Path) -> None:
    """Each model's configuration as a module under ``root``, then ``terraform init``
    (from the local mirror) and one ``terraform test`` with a mocked AWS provider
    and a run per module: Terraform parses each, validates it against the
    provider's schema, plans, applies (in memory) and checks :func:`expectations`."""
    assert TERRAFORM is not None
    runs = {}
    for name, model in models.items():
        write_terraform(model, root / name)
        for code in {f.code for f in model.functions} | ({model.layer} if model.layer
                                                          else set()):
            (root / name / code).write_bytes(b"not really a zip")
        runs[name] = {"command": "apply", "module": {"source": "./" + name},
                      "assert": expectations(model)}
    test = {
        "mock_provider": {"aws": {
            "mock_data": {
                "aws_partition": {"defaults": {"partition": MOCK_PARTITION}},
                "aws_region": {"defaults": {"name": MOCK_REGION}},
                "aws_caller_identity": {"defaults": {"account_id": MOCK_ACCOUNT}}},
            "mock_resource": {kind: {"defaults": values}
                              for kind, values in MOCK_RESOURCES.items()}}},
        "run": runs,
    }
    (root / "tests").mkdir()
    (root / "tests" / "rendered.tftest.json").write_text(json.dumps(test, indent=1))
    (root / "main.tf.json").write_text(json.dumps(
        {"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}}}}))
    rc = root / "terraformrc"
    rc.write_text("")
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1", "TF_INPUT": "0",
           "TF_CLI_CONFIG_FILE": str(rc)}
    env.pop("TF_PLUGIN_CACHE_DIR", None)
    for command in (["init", "-backend=false", "-plugin-dir=%s" % PLUGIN_DIR],
                    ["test"]):
        result = subprocess.run([TERRAFORM, *command, "-no-color"], cwd=root, env=env,
                                capture_output=True, text=True, timeout=300, check=False)
        output = result.stdout[-8000:] + result.stderr[-8000:]
        assert result.returncode == 0, "terraform %s:\n%s" % (command[0], output)
        if command[0] == "test":  # e.g. a deprecated argument or attribute
            assert "Warning" not in output, output
            for name in models:
                assert 'run "%s"... pass' % name in output, output


@needs_terraform
def test_terraform_validates_and_evaluates(tmp_path: pathlib.Path) -> None:
    terraform_test({"petstore": example_model("petstore"), "events": example_model("events"),
                    "kitchen": kitchen_model(), "user_role": user_role_model()}, tmp_path)
