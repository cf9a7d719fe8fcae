"""The SAM template of an app's resource models (myframework.deploy.cloudformation).

Every template is linted by cfn-lint in every region it knows, informational
and experimental rules included; cfn-lint runs the SAM transform first, so
the CloudFormation SAM expands to is checked too. No rule is ignored. Then
the resources themselves are checked: functions and their environment, event
sources, the role's policy, the REST API's body, permissions and outputs.
"""
from __future__ import annotations

import copy
import json
import pathlib
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file  # type: ignore[import-untyped]
from cfnlint.helpers import REGIONS  # type: ignore[import-untyped]
from flask import Flask

from myframework import (
    App,
    AuthRequest,
    AuthResponse,
    CloudWatchEvent,
    CognitoUserPoolAuthorizer,
    Cron,
    IAMAuthorizer,
    Rate,
    S3Event,
    ScheduledEvent,
    SNSEvent,
    SQSEvent,
)
from myframework.config import ProjectConfig
from myframework.deploy.appmodel import HANDLER_ENV, build_app_model
from myframework.deploy.cloudformation import TEMPLATE_FILE, render_sam, sub, write_sam
from myframework.deploy.models import AppModel
from myframework.project import load_app
from myframework.runtime.tasks import TASK_FUNCTIONS_ENV

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
ACCOUNT = "123456789012"
POOL_ARN = "arn:aws:cognito-idp:us-east-1:%s:userpool/us-east-1_Abc123" % ACCOUNT
DEAD_LETTER_QUEUE = "arn:aws:sqs:us-east-1:%s:kitchen-failed" % ACCOUNT
DEAD_LETTER_TOPIC = "arn:aws:sns:us-east-1:%s:kitchen-alerts" % ACCOUNT
ORDERS_QUEUE = "arn:aws:sqs:eu-west-1:%s:orders" % ACCOUNT
NEWS_TOPIC = "arn:aws:sns:eu-west-1:%s:kitchen-news" % ACCOUNT
SHARED_LAYER = "arn:aws:lambda:us-east-1:%s:layer:shared:3" % ACCOUNT
USER_ROLE = "arn:aws:iam::%s:role/kitchen-lambda" % ACCOUNT
RESIZE_ROLE = "arn:aws:iam::%s:role/kitchen-resize" % ACCOUNT
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
SECURITY_GROUPS = ["sg-0123456789abcdef0"]
SUB_ONLY_STATEMENTS = {"VpcNetworkInterfaces", "XRay"}  # where AWS requires Resource "*"

FULL_CONFIG: dict[str, Any] = {
    "app_name": "kitchen",
    "environment_variables": {"LOG_LEVEL": "info"},
    "stages": {"prod": {
        "api_gateway_stage": "v1",
        "api_gateway_endpoint_type": "REGIONAL",
        "minimum_compression_size": 1024,
        "layers": [SHARED_LAYER],
        "subnet_ids": SUBNETS,
        "security_group_ids": SECURITY_GROUPS,
        "xray": True,
        "tags": {"team": "kitchen"},
        "iam_policy_extra": {"Version": "2012-10-17", "Statement": [{
            "Sid": "UserFiles", "Effect": "Allow", "Action": ["s3:GetObject"],
            "Resource": ["arn:${Partition}:s3:::kitchen-files/${aws:username}/*"]}]},
        "lambda_functions": {
            "api_handler": {"reserved_concurrency": 20, "lambda_memory_size": 1024},
            "resize": {"architecture": "arm64", "lambda_timeout": 300,
                       "reserved_concurrency": 0},
        },
    }},
}
USER_ROLE_CONFIG: dict[str, Any] = {
    "app_name": "kitchen",
    "manage_iam_role": False,
    "iam_role_arn": USER_ROLE,
    "lambda_functions": {"resize": {"iam_role_arn": RESIZE_ROLE}},
}


# -- apps -----------------------------------------------------------------------------------

def flask_app() -> Flask:
    site = Flask("legacy")

    @site.route("/")
    def home() -> str:
        return "legacy home"

    return site


def kitchen_app() -> App:
    """Every handler kind, tasks in two queues, three kinds of authorizer, a Flask mount."""
    app = App("kitchen")

    @app.authorizer(name="token_auth", ttl_seconds=60)
    def token_auth(request: AuthRequest) -> AuthResponse:
        return AuthResponse(routes=["*"], principal_id="cook")

    pool = CognitoUserPoolAuthorizer("pool", provider_arns=[POOL_ARN])

    @app.route("/orders", methods=["GET", "POST"], authorizer=token_auth)
    def orders() -> dict[str, str]:
        return {}

    @app.route("/admin", authorizer=IAMAuthorizer())
    def admin() -> dict[str, str]:
        return {}

    @app.route("/me", authorizer=pool.with_scopes(["kitchen/read"]))
    def me() -> dict[str, str]:
        return {}

    @app.route("/menu/{item}", cors=True)
    def menu(item: str) -> dict[str, str]:
        return {"item": item}

    app.mount_wsgi(flask_app(), "/legacy")

    @app.task(retries=1, dead_letter=DEAD_LETTER_QUEUE)
    def send_receipt(order_id: str) -> None:
        return None

    @app.task(queue="images", retries=0, timeout=300, dead_letter=DEAD_LETTER_TOPIC)
    def render_image(key: str) -> None:
        return None

    @app.schedule(Cron(0, 3, "*", "*", "?", "*"), description="nightly stock count")
    def stock_count(event: ScheduledEvent) -> None:
        return None

    @app.schedule(Rate(5, unit=Rate.MINUTES))
    def heartbeat(event: ScheduledEvent) -> None:
        return None

    @app.on_cw_event({"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change "
                                                              "Notification"]})
    def on_instance(event: CloudWatchEvent) -> None:
        return None

    @app.on_s3_event(bucket="kitchen-uploads", events=["s3:ObjectCreated:Put",
                                                       "s3:ObjectRemoved:*"], prefix="in/")
    def on_upload(event: S3Event) -> None:
        return None

    @app.on_sqs_message(queue_arn=ORDERS_QUEUE, batch_size=10, maximum_concurrency=5)
    def on_order(event: SQSEvent) -> None:
        return None

    @app.on_sns_message(topic=NEWS_TOPIC, memory_size=256)
    def on_news(event: SNSEvent) -> None:
        return None

    @app.lambda_function(name="resize")
    def resize(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return event

    return app


def example_model(name: str, config: dict[str, Any] | None = None,
                  stage: str = "dev") -> AppModel:
    app = load_app(EXAMPLES / name)
    return build_app_model(app, ProjectConfig(config or {}).stage(stage))


def kitchen_model() -> AppModel:
    return build_app_model(kitchen_app(), ProjectConfig(FULL_CONFIG).stage("prod"),
                           code={"api_handler": "deployment.zip",
                                 "resize": "deployment-python3.12-arm64.zip"})


def user_role_model() -> AppModel:
    return build_app_model(kitchen_app(), ProjectConfig(USER_ROLE_CONFIG).stage("dev"),
                           layer="deployment-layer.zip")


MODELS = {
    "petstore": lambda: example_model("petstore"),
    "events": lambda: example_model("events", {"stages": {"prod": {"xray": True}}}, "prod"),
    "kitchen": kitchen_model,
    "user-role-and-layer": user_role_model,
}


# -- helpers --------------------------------------------------------------------------------

def lint(template: dict[str, Any], folder: pathlib.Path) -> list[str]:
    """cfn-lint's errors and warnings in every region. (Its informational and
    experimental rules change from release to release, and CI takes the newest.)"""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "template.json"
    path.write_text(json.dumps(template, indent=2), encoding="utf-8")
    matches = lint_file(path, ManualArgs(regions=list(REGIONS)))
    return ["%s: %s" % (match.rule.id, match.message) for match in matches]


def resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: resource["Properties"] for name, resource in template["Resources"].items()
            if resource["Type"] == kind}


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return resources_of(template, "AWS::Serverless::Function")


def env(props: dict[str, Any]) -> dict[str, str]:
    variables: dict[str, str] = props.get("Environment", {}).get("Variables", {})
    return variables


def events_of(props: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [event["Properties"] for event in props.get("Events", {}).values()
            if event["Type"] == kind]


def policy(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    role = template["Resources"]["DefaultRole"]["Properties"]
    [inline] = role["Policies"]
    return {statement["Sid"]: statement for statement in inline["PolicyDocument"]["Statement"]}


def fn_sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def invocation_uri(function_id: str) -> dict[str, str]:
    return fn_sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/"
                  "functions/${%s.Arn}/invocations" % function_id)


def permissions(template: dict[str, Any], principal: str) -> dict[str, dict[str, Any]]:
    """Lambda permissions for ``principal``, by the logical id of their function."""
    found = {}
    for props in resources_of(template, "AWS::Lambda::Permission").values():
        if props["Principal"] == principal:
            found[props["FunctionName"]["Fn::GetAtt"][0]] = props
    return found


def check_role_policy(template: dict[str, Any], model: AppModel) -> None:
    statements = policy(template)
    prefix = "%s-%s" % (model.app_name, model.stage)
    base = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/"
    groups = [base + prefix, base + prefix + "-*"]  # not another stage starting the same
    assert statements["Logs"]["Resource"] == [fn_sub(g) for g in groups] + [
        fn_sub(g + ":*") for g in groups]
    for props in functions(template).values():  # every function's log group is covered
        assert props["FunctionName"].startswith(prefix)
    for sid, statement in statements.items():
        if "*" in statement["Resource"]:
            assert sid in SUB_ONLY_STATEMENTS, statement
        assert "${Partition}" not in json.dumps(statement)


# -- cfn-lint -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(MODELS))
def test_template_passes_cfn_lint(name: str, tmp_path: pathlib.Path) -> None:
    model = MODELS[name]()
    path = write_sam(model, tmp_path)
    assert path == tmp_path / TEMPLATE_FILE
    assert lint(json.loads(path.read_text(encoding="utf-8")), tmp_path / "lint") == []


def test_lint_reports_a_broken_template(tmp_path: pathlib.Path) -> None:
    """The linting above is not vacuous: a wrong reference, a retired runtime and a
    misspelt SAM event property are reported."""
    template = render_sam(kitchen_model())
    broken = copy.deepcopy(template)
    broken["Resources"]["ApiHandlerApiPermission"]["Properties"]["FunctionName"] = {
        "Fn::GetAtt": ["NoSuchFunction", "Arn"]}
    broken["Resources"]["Heartbeat"]["Properties"]["Runtime"] = "python2.7"
    found = lint(broken, tmp_path / "a")
    assert any(line.startswith("E1010") for line in found), found  # GetAtt of nothing
    assert any(line.startswith("E2533") for line in found), found  # a retired runtime
    broken = copy.deepcopy(template)
    broken["Resources"]["OnOrder"]["Properties"]["Events"]["OnOrderSqs"]["Properties"][
        "BatchSise"] = 10
    found = lint(broken, tmp_path / "b")  # reported by the SAM transform (E0001) or, in
    # newer cfn-lint, by its own schema of SAM events (E3002): either names the typo
    assert any(line.startswith("E") and "BatchSise" in line for line in found), found


# -- the templates' resources -----------------------------------------------------------------

def test_petstore_template() -> None:
    model = example_model("petstore")
    template = render_sam(model)
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    [(fid, props)] = functions(template).items()
    assert fid == "ApiHandler"
    assert props["FunctionName"] == "petstore-dev"
    assert props["CodeUri"] == "deployment.zip"
    assert props["Handler"] == "app.app"
    assert props["Runtime"].startswith("python3.")
    assert props["Architectures"] == ["x86_64"]
    assert (props["MemorySize"], props["Timeout"]) == (128, 60)
    assert props["Role"] == {"Fn::GetAtt": ["DefaultRole", "Arn"]}
    assert props["Tags"] == {"myframework:app": "petstore", "myframework:stage": "dev"}
    assert "Environment" not in props  # no handler name, no tasks
    assert "Events" not in props
    assert "Tracing" not in props
    assert "Layers" not in props
    role = template["Resources"]["DefaultRole"]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}]
    assert set(policy(template)) == {"Logs"}
    check_role_policy(template, model)

    api = template["Resources"]["RestApi"]
    assert api["Type"] == "AWS::Serverless::Api"
    props = api["Properties"]
    assert props["StageName"] == "api"
    assert props["EndpointConfiguration"] == {"Type": "EDGE"}
    assert props["OpenApiVersion"] == "3.0.1"
    assert "MinimumCompressionSize" not in props
    assert "TracingEnabled" not in props
    body = props["DefinitionBody"]
    assert model.rest_api is not None
    assert body == model.rest_api.document(invocation_uri("ApiHandler"), {})
    assert sorted(body["paths"]) == ["/", "/pets", "/pets/{pet_id}"]
    get_pet = body["paths"]["/pets/{pet_id}"]["get"]["x-amazon-apigateway-integration"]
    assert get_pet["uri"] == invocation_uri("ApiHandler")
    assert body["paths"]["/pets"]["options"]["x-amazon-apigateway-integration"]["type"] == "mock"

    assert permissions(template, "apigateway.amazonaws.com") == {"ApiHandler": {
        "Action": "lambda:InvokeFunction", "FunctionName": {"Fn::GetAtt": ["ApiHandler", "Arn"]},
        "Principal": "apigateway.amazonaws.com",
        "SourceArn": fn_sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:"
                            "${AWS::AccountId}:${RestApi}/*")}}
    outputs = template["Outputs"]
    assert outputs["EndpointURL"]["Value"] == fn_sub(
        "https://${RestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api/")
    assert outputs["RestAPIId"]["Value"] == {"Ref": "RestApi"}
    assert outputs["ApiHandlerName"]["Value"] == {"Ref": "ApiHandler"}
    assert outputs["ApiHandlerArn"]["Value"] == {"Fn::GetAtt": ["ApiHandler", "Arn"]}


def test_events_example_template() -> None:
    model = example_model("events")
    template = render_sam(model)
    funcs = functions(template)
    assert sorted(funcs) == ["ApiHandler", "Heartbeat", "NightlyReport", "OnAlert",
                             "OnDeleted", "OnJobs", "OnUpload", "Resize", "TasksDefault"]
    tasks = {"default": "photo-pipeline-dev-tasks-default"}
    for fid, props in funcs.items():
        variables = env(props)
        assert json.loads(variables[TASK_FUNCTIONS_ENV]) == tasks  # every function can .delay()
        expected = {"ApiHandler": None, "TasksDefault": "tasks:default"}.get(
            fid, model.function(fid).name)
        assert variables.get(HANDLER_ENV) == expected
    assert funcs["TasksDefault"]["FunctionName"] == tasks["default"]
    assert funcs["OnUpload"]["MemorySize"] == 512
    assert funcs["TasksDefault"]["EventInvokeConfig"] == {"MaximumRetryAttempts": 2}
    assert "DeadLetterQueue" not in funcs["TasksDefault"]
    assert all("EventInvokeConfig" not in props for fid, props in funcs.items()
               if fid != "TasksDefault")

    assert events_of(funcs["NightlyReport"], "Schedule") == [{
        "Schedule": "cron(0 2 * * ? *)", "Name": "photo-pipeline-dev-nightly_report",
        "Description": "nightly report at 02:00 UTC"}]
    assert events_of(funcs["Heartbeat"], "Schedule") == [{
        "Schedule": "rate(15 minutes)", "Name": "photo-pipeline-dev-heartbeat"}]
    assert events_of(funcs["OnDeleted"], "EventBridgeRule") == [{
        "Pattern": {"source": ["aws.s3"], "detail-type": ["Object Deleted"]},
        "RuleName": "photo-pipeline-dev-on_deleted"}]
    queue = fn_sub("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:photo-jobs")
    assert events_of(funcs["OnJobs"], "SQS") == [{
        "Queue": queue, "BatchSize": 10, "MaximumBatchingWindowInSeconds": 5,
        "FunctionResponseTypes": ["ReportBatchItemFailures"]}]
    assert events_of(funcs["OnAlert"], "SNS") == [{"Topic": fn_sub(
        "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:photo-alerts")}]
    assert "Events" not in funcs["OnUpload"]  # the bucket is not the stack's

    assert permissions(template, "s3.amazonaws.com") == {"OnUpload": {
        "Action": "lambda:InvokeFunction", "FunctionName": {"Fn::GetAtt": ["OnUpload", "Arn"]},
        "Principal": "s3.amazonaws.com",
        "SourceArn": fn_sub("arn:${AWS::Partition}:s3:::photo-uploads"),
        "SourceAccount": {"Ref": "AWS::AccountId"}}}
    metadata = template["Metadata"]["myframework"]
    assert (metadata["App"], metadata["Stage"]) == ("photo-pipeline", "dev")
    note = metadata["S3Notifications"]["OnUploadS3"]
    assert {k: v for k, v in note.items() if k != "Note"} == {
        "Bucket": "photo-uploads", "Events": ["s3:ObjectCreated:*"], "Function": "OnUpload",
        "Prefix": "incoming/", "Suffix": ".jpg"}
    output = template["Outputs"]["OnUploadS3Notification"]
    assert "photo-uploads" in output["Description"]
    text = output["Value"]["Fn::Sub"]
    assert json.loads(text.replace("${OnUpload.Arn}", "arn:aws:lambda:fn")) == {
        "Id": "OnUploadS3", "LambdaFunctionArn": "arn:aws:lambda:fn",
        "Events": ["s3:ObjectCreated:*"], "Filter": {"Key": {"FilterRules": [
            {"Name": "prefix", "Value": "incoming/"}, {"Name": "suffix", "Value": ".jpg"}]}}}

    statements = policy(template)
    assert statements["ReadEventQueues"]["Resource"] == [queue]
    assert statements["InvokeTaskFunctions"]["Resource"] == [fn_sub(
        "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:%s"
        % tasks["default"])]
    assert "VpcNetworkInterfaces" not in statements
    assert "XRay" not in statements
    check_role_policy(template, model)
    for fid in funcs:
        assert template["Outputs"][fid + "Name"]["Value"] == {"Ref": fid}
        assert template["Outputs"][fid + "Arn"]["Value"] == {"Fn::GetAtt": [fid, "Arn"]}
    body = template["Resources"]["RestApi"]["Properties"]["DefinitionBody"]
    assert body["paths"]["/thumbnails"]["post"]["x-amazon-apigateway-integration"]["uri"] \
        == invocation_uri("ApiHandler")


def test_kitchen_template_settings_tasks_and_authorizers() -> None:
    model = kitchen_model()
    template = render_sam(model)
    funcs = functions(template)
    api = funcs["ApiHandler"]
    assert (api["MemorySize"], api["ReservedConcurrentExecutions"]) == (1024, 20)
    assert funcs["Resize"]["Architectures"] == ["arm64"]
    assert funcs["Resize"]["CodeUri"] == "deployment-python3.12-arm64.zip"
    assert (funcs["Resize"]["Timeout"], funcs["Resize"]["ReservedConcurrentExecutions"]) \
        == (300, 0)
    assert funcs["OnNews"]["MemorySize"] == 256
    for props in funcs.values():
        assert props["Layers"] == [SHARED_LAYER]
        assert props["VpcConfig"] == {"SubnetIds": SUBNETS, "SecurityGroupIds": SECURITY_GROUPS}
        assert props["Tracing"] == "Active"
        assert props["Tags"]["team"] == "kitchen"
        assert env(props)["LOG_LEVEL"] == "info"
    assert "ReservedConcurrentExecutions" not in funcs["OnNews"]

    tasks = json.loads(env(api)[TASK_FUNCTIONS_ENV])
    assert tasks == {"default": "kitchen-prod-tasks-default",
                     "images": "kitchen-prod-tasks-images"}
    assert model.task_functions == {"default": "TasksDefault", "images": "TasksImages"}
    for queue, fid in model.task_functions.items():
        assert funcs[fid]["FunctionName"] == tasks[queue]
        assert env(funcs[fid])[HANDLER_ENV] == "tasks:" + queue
    assert funcs["TasksDefault"]["EventInvokeConfig"] == {"MaximumRetryAttempts": 1}
    assert funcs["TasksDefault"]["DeadLetterQueue"] == {"Type": "SQS",
                                                        "TargetArn": DEAD_LETTER_QUEUE}
    assert funcs["TasksImages"]["EventInvokeConfig"] == {"MaximumRetryAttempts": 0}
    assert funcs["TasksImages"]["DeadLetterQueue"] == {"Type": "SNS",
                                                       "TargetArn": DEAD_LETTER_TOPIC}
    assert funcs["TasksImages"]["Timeout"] == 300

    assert events_of(funcs["OnOrder"], "SQS") == [{
        "Queue": ORDERS_QUEUE, "BatchSize": 10, "ScalingConfig": {"MaximumConcurrency": 5},
        "FunctionResponseTypes": ["ReportBatchItemFailures"]}]
    assert events_of(funcs["OnNews"], "SNS") == [{"Topic": NEWS_TOPIC, "Region": "eu-west-1"}]
    assert events_of(funcs["StockCount"], "Schedule")[0]["Schedule"] == "cron(0 3 * * ? *)"
    assert events_of(funcs["OnInstance"], "EventBridgeRule")[0]["Pattern"]["source"] \
        == ["aws.ec2"]
    s3 = permissions(template, "s3.amazonaws.com")["OnUpload"]
    assert s3["SourceArn"] == fn_sub("arn:${AWS::Partition}:s3:::kitchen-uploads")
    note = template["Metadata"]["myframework"]["S3Notifications"]["OnUploadS3"]
    assert (note["Events"], note["Prefix"], "Suffix" in note) == (
        ["s3:ObjectCreated:Put", "s3:ObjectRemoved:*"], "in/", False)

    statements = policy(template)
    assert set(statements) >= SUB_ONLY_STATEMENTS
    assert statements["DeadLetterKitchenFailed"]["Action"] == ["sqs:SendMessage"]
    assert statements["DeadLetterKitchenAlerts"]["Action"] == ["sns:Publish"]
    assert statements["ReadEventQueues"]["Resource"] == [ORDERS_QUEUE]
    # iam_policy_extra: the model's placeholder is substituted, the IAM policy variable kept.
    assert statements["UserFiles"]["Resource"] == [
        fn_sub("arn:${AWS::Partition}:s3:::kitchen-files/${!aws:username}/*")]
    check_role_policy(template, model)

    rest = template["Resources"]["RestApi"]["Properties"]
    assert rest["StageName"] == "v1"
    assert rest["EndpointConfiguration"] == {"Type": "REGIONAL"}
    assert rest["MinimumCompressionSize"] == 1024
    assert rest["TracingEnabled"] is True
    body = rest["DefinitionBody"]
    schemes = body["components"]["securitySchemes"]
    token = schemes["token_auth"]["x-amazon-apigateway-authorizer"]
    assert token == {"type": "token", "authorizerUri": invocation_uri("TokenAuth"),
                     "authorizerResultTtlInSeconds": 60}
    assert schemes["sigv4"]["x-amazon-apigateway-authtype"] == "awsSigv4"
    assert schemes["pool"]["x-amazon-apigateway-authorizer"]["providerARNs"] == [POOL_ARN]
    assert body["paths"]["/orders"]["post"]["security"] == [{"token_auth": []}]
    assert body["paths"]["/me"]["get"]["security"] == [{"pool": ["kitchen/read"]}]
    legacy = body["paths"]["/legacy/{proxy+}"]["x-amazon-apigateway-any-method"]
    assert legacy["x-amazon-apigateway-integration"]["uri"] == invocation_uri("ApiHandler")
    assert body["x-amazon-apigateway-binary-media-types"] == ["*/*"]
    integrations = [op["x-amazon-apigateway-integration"] for item in body["paths"].values()
                    for op in item.values()]
    assert {json.dumps(i["uri"]) for i in integrations if i["type"] == "aws_proxy"} \
        == {json.dumps(invocation_uri("ApiHandler"))}

    api_permissions = permissions(template, "apigateway.amazonaws.com")
    assert sorted(api_permissions) == ["ApiHandler", "TokenAuth"]
    assert api_permissions["TokenAuth"]["SourceArn"] == fn_sub(
        "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
        "${RestApi}/authorizers/*")
    assert env(funcs["TokenAuth"])[HANDLER_ENV] == "token_auth"
    assert template["Outputs"]["EndpointURL"]["Value"] == fn_sub(
        "https://${RestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/v1/")


def test_user_role_and_automatic_layer() -> None:
    template = render_sam(user_role_model())
    assert resources_of(template, "AWS::IAM::Role") == {}
    funcs = functions(template)
    assert funcs["Resize"]["Role"] == RESIZE_ROLE
    assert {props["Role"] for fid, props in funcs.items() if fid != "Resize"} == {USER_ROLE}
    [(layer_id, layer)] = resources_of(template, "AWS::Serverless::LayerVersion").items()
    assert layer["ContentUri"] == "deployment-layer.zip"
    assert layer["LayerName"] == "kitchen-dev-dependencies"
    assert layer["CompatibleArchitectures"] == ["x86_64"]
    assert layer["CompatibleRuntimes"] == sorted({p["Runtime"] for p in funcs.values()})
    for props in funcs.values():
        assert props["Layers"] == [{"Ref": layer_id}]
        assert "VpcConfig" not in props
        assert "Tracing" not in props
        assert "ReservedConcurrentExecutions" not in props
    assert template["Outputs"][layer_id + "Arn"]["Value"] == {"Ref": layer_id}


def test_a_function_that_manages_its_role_gets_the_app_role() -> None:
    """manage_iam_role false for the stage but true for one function: that function
    gets the app's role, the others keep the user's."""
    config = {**USER_ROLE_CONFIG, "lambda_functions": {"resize": {"manage_iam_role": True}}}
    model = build_app_model(kitchen_app(), ProjectConfig(config).stage("dev"))
    assert model.role is not None
    assert model.function("Resize").role_arn is None
    template = render_sam(model)
    assert functions(template)["Resize"]["Role"] == {"Fn::GetAtt": ["DefaultRole", "Arn"]}
    assert functions(template)["ApiHandler"]["Role"] == USER_ROLE_CONFIG["iam_role_arn"]


def test_a_function_without_a_managed_or_given_role_is_an_error() -> None:
    from myframework.deploy.errors import PackagingError
    config = {"lambda_functions": {"resize": {"manage_iam_role": False}}}
    with pytest.raises(PackagingError, match="manage_iam_role is false for resize"):
        build_app_model(kitchen_app(), ProjectConfig(config).stage("dev"))


def test_logical_ids_never_overwrite_each_other() -> None:
    """The renderer's own resources step aside for the models' ids; two model
    resources with one id are refused rather than one silently replacing the other."""
    app = App("ids")

    @app.route("/")
    def index() -> dict[str, str]:
        return {}

    @app.lambda_function(name="api_handler_api_permission")
    def clash(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return event

    model = build_app_model(app, ProjectConfig({}).stage("dev"))
    template = render_sam(model)
    assert template["Resources"]["ApiHandlerApiPermission"]["Type"] \
        == "AWS::Serverless::Function"
    assert template["Resources"]["ApiHandlerApiPermission2"]["Properties"][
        "FunctionName"] == {"Fn::GetAtt": ["ApiHandler", "Arn"]}
    assert model.role is not None
    model.role.logical_id = "ApiHandler"
    with pytest.raises(ValueError, match="two resources have the logical id 'ApiHandler'"):
        render_sam(model)


def test_same_model_same_template(tmp_path: pathlib.Path) -> None:
    assert render_sam(kitchen_model()) == render_sam(kitchen_model())
    first = write_sam(kitchen_model(), tmp_path / "a").read_bytes()
    second = write_sam(kitchen_model(), tmp_path / "b").read_bytes()
    assert first == second
    data = json.loads(first)
    assert data == render_sam(kitchen_model())
    assert first.decode("utf-8") == json.dumps(data, sort_keys=True, indent=2) + "\n"
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [TEMPLATE_FILE]


def test_sub_turns_arn_templates_into_fn_sub() -> None:
    assert sub("arn:${Partition}:sqs:${Region}:${AccountId}:q") == fn_sub(
        "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:q")
    assert sub("arn:aws:sqs:us-east-1:%s:q" % ACCOUNT) == "arn:aws:sqs:us-east-1:%s:q" % ACCOUNT
    assert sub("${aws:username}") == "${aws:username}"  # nothing to substitute: left alone
    assert sub({"Resource": ["arn:${Partition}:s3:::b/${aws:userid}", "*"], "n": 1}) == {
        "Resource": [fn_sub("arn:${AWS::Partition}:s3:::b/${!aws:userid}"), "*"], "n": 1}


def test_ephemeral_storage_reaches_the_function() -> None:
    from myframework.deploy.terraform import render_terraform
    config = {"lambda_functions": {"resize": {"lambda_ephemeral_storage": 2048}}}
    model = build_app_model(kitchen_app(), ProjectConfig(config).stage("dev"))
    assert functions(render_sam(model))["Resize"]["EphemeralStorage"] == {"Size": 2048}
    assert "EphemeralStorage" not in functions(render_sam(model))["ApiHandler"]
    lambdas = render_terraform(model)["resource"]["aws_lambda_function"]
    assert [f.get("ephemeral_storage") for f in lambdas.values() if f.get(
        "ephemeral_storage")] == [{"size": 2048}]


@pytest.mark.parametrize(("settings", "message"), [
    ({"subnet_ids": ["subnet-1"]}, "needs both subnet_ids and security_group_ids"),
    ({"security_group_ids": ["sg-1"]}, "needs both subnet_ids and security_group_ids"),
    ({"layers": ["arn:aws:lambda:us-east-1:123456789012:layer:l%d:1" % i for i in range(6)]},
     "at most 5 layers"),
])
def test_settings_lambda_would_refuse_are_errors(settings: dict[str, Any], message: str) -> None:
    from myframework.deploy.errors import PackagingError
    with pytest.raises(PackagingError, match=message):
        build_app_model(kitchen_app(), ProjectConfig(settings).stage("dev"))


def test_the_automatic_layer_counts_toward_lambdas_five() -> None:
    from myframework.deploy.errors import PackagingError
    layers = ["arn:aws:lambda:us-east-1:123456789012:layer:l%d:1" % i for i in range(5)]
    config = ProjectConfig({"layers": layers}).stage("dev")
    build_app_model(kitchen_app(), config)  # five of the user's own are fine
    with pytest.raises(PackagingError, match="with the automatic layer"):
        build_app_model(kitchen_app(), config, layer="deployment-layer.zip")
