"""The deploy tests' own infrastructure (moto_helpers, aws_hook): the emulator, the
inventory and the API call hook, each checked against a real moto_server on 127.0.0.1."""
from __future__ import annotations

import io
import json
import os
import pathlib
import socket
import subprocess
import sys
import urllib.parse
import zipfile

import pytest

from .moto_helpers import (
    ACCOUNT_ID,
    CALL_LOG_ENV,
    HOOK_DIR,
    HOST,
    REGION,
    REPO_ROOT,
    MotoServer,
    hook_env,
    inventory,
    is_write,
    read_calls,
    resource_name,
)

ARN = "arn:aws:%%s:%s:%s:%%s" % (REGION, ACCOUNT_ID)
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
ALL_ONE = dict.fromkeys([
    "roles", "inline_policies", "functions", "permissions", "event_invoke_configs",
    "layer_versions", "mappings", "rest_apis", "stages", "deployments", "rules", "targets",
    "buckets", "s3_notifications", "s3_lambda_notifications", "topics", "subscriptions",
    "queues"], 1)
MADE_BY_THE_TEST = ("buckets", "topics", "queues")


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60, check=False)


def _deploy_one_of_each(aws: MotoServer) -> str:
    """What a deployer of app ``app-`` makes, on a bucket, queue and topic "the test" made.
    Returns the function's ARN."""
    s3, sqs, sns = aws.client("s3"), aws.client("sqs"), aws.client("sns")
    s3.create_bucket(Bucket="fx-uploads")
    queue_url = sqs.create_queue(QueueName="fx-jobs")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic_arn = sns.create_topic(Name="fx-news")["TopicArn"]

    iam, lam = aws.client("iam"), aws.client("lambda")
    role_arn = iam.create_role(RoleName="app-dev", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    iam.put_role_policy(RoleName="app-dev", PolicyName="app-dev", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}))
    layer_arn = lam.publish_layer_version(
        LayerName="app-dev-deps", Content={"ZipFile": _zip("")})["LayerVersionArn"]
    function_arn: str = lam.create_function(
        FunctionName="app-dev", Runtime="python3.12", Role=role_arn, Handler="app.handler",
        Code={"ZipFile": _zip("def handler(event, context):\n    return event\n")},
        Environment={"Variables": {"STAGE": "dev"}}, Tags={"app": "app"},
        Layers=[layer_arn] if aws.lambda_docker else [])["FunctionArn"]
    lam.add_permission(FunctionName="app-dev", StatementId="s3-uploads",
                       Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
    lam.put_function_event_invoke_config(FunctionName="app-dev", MaximumRetryAttempts=0)
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="app-dev",
                                    BatchSize=5)

    apigw = aws.client("apigateway")
    api_id = apigw.create_rest_api(name="app-dev", description="app")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                     authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api_id, stageName="api")

    events = aws.client("events")
    events.put_rule(Name="app-dev-every-hour", ScheduleExpression="rate(1 hour)")
    events.put_targets(Rule="app-dev-every-hour", Targets=[{"Id": "1", "Arn": function_arn}])
    s3.put_bucket_notification_configuration(Bucket="fx-uploads", NotificationConfiguration={
        "LambdaFunctionConfigurations": [{
            "Id": "app-dev-upload", "LambdaFunctionArn": function_arn,
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}}}]})
    sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=function_arn)
    return function_arn


def test_a_fresh_server_holds_nothing(aws: MotoServer) -> None:
    found = inventory(aws)
    assert found.is_empty(), found
    assert set(found.counts()) == set(ALL_ONE)


def test_inventory_shows_exactly_what_exists(aws: MotoServer) -> None:
    function_arn = _deploy_one_of_each(aws)
    found = inventory(aws)
    assert found.counts() == ALL_ONE

    mine = found.deployed_by("app-")
    assert mine.counts() == {**ALL_ONE, **dict.fromkeys(MADE_BY_THE_TEST, 0)}
    assert inventory(aws).deployed_by("other-").is_empty()

    assert list(mine.roles) == ["app-dev"]
    assert mine.roles["app-dev"].inline_policies == ["app-dev"]
    function = mine.functions["app-dev"]
    assert function.arn == function_arn
    assert function.environment == {"STAGE": "dev"}
    assert function.tags == {"app": "app"}
    assert function.code_sha256
    assert function.policy_sids == ["s3-uploads"]
    assert function.layers == []  # see test_layers_need_lambda_docker
    assert mine.layer_versions == [ARN % ("lambda", "layer:app-dev-deps:1")]
    assert [(m.function_arn, m.source_arn) for m in mine.mappings] == [
        (function_arn, ARN % ("sqs", "fx-jobs"))]
    assert [(a.name, a.stages, a.deployments) for a in mine.rest_apis] == [
        ("app-dev", ["api"], 1)]
    rule = mine.rules["app-dev-every-hour"]
    assert (rule.schedule_expression, [t.arn for t in rule.targets]) == (
        "rate(1 hour)", [function_arn])
    [notification] = mine.s3_notifications
    assert (notification.bucket, notification.kind, notification.arn, notification.events,
            notification.filter) == ("fx-uploads", "lambda", function_arn,
                                     ["s3:ObjectCreated:*"], {"prefix": "in/"})
    assert [(s.topic_arn, s.protocol, s.endpoint) for s in mine.subscriptions] == [
        (ARN % ("sns", "fx-news"), "lambda", function_arn)]


def test_layers_need_lambda_docker(tmp_path: pathlib.Path) -> None:
    pytest.importorskip("moto.server", reason="moto_server is not installed")
    server = MotoServer(workdir=tmp_path, lambda_docker=True).start()
    try:
        _deploy_one_of_each(server)
        function = inventory(server).functions["app-dev"]
        assert function.layers == [ARN % ("lambda", "layer:app-dev-deps:1")]
    finally:
        server.stop()


def test_reset_empties_the_server(aws: MotoServer) -> None:
    _deploy_one_of_each(aws)
    aws.reset()
    assert inventory(aws).is_empty()


@pytest.mark.parametrize(("arn", "name"), [
    ("arn:aws:lambda:us-east-1:123456789012:function:app-dev", "app-dev"),
    ("arn:aws:lambda:us-east-1:123456789012:function:app-dev:live", "app-dev"),
    ("arn:aws:lambda:us-east-1:123456789012:layer:app-deps:3", "app-deps"),
    ("arn:aws:iam::123456789012:role/app-dev", "app-dev"),
    ("arn:aws:sqs:us-east-1:123456789012:jobs", "jobs"),
    ("arn:aws:sns:us-east-1:123456789012:news", "news"),
    ("arn:aws:s3:::uploads", "uploads"),
    ("http://127.0.0.1:5000/123456789012/jobs", "jobs"),
    ("uploads", "uploads"),
])
def test_resource_name(arn: str, name: str) -> None:
    assert resource_name(arn) == name


@pytest.mark.parametrize(("operation", "write"), [
    ("GetFunction", False), ("ListTargetsByRule", False), ("DescribeStacks", False),
    ("HeadBucket", False), ("CreateFunction", True), ("UpdateFunctionCode", True),
    ("PutRule", True), ("ImportRestApi", True), ("AddPermission", True),
    ("DeleteRestApi", True),
])
def test_is_write(operation: str, write: bool) -> None:
    assert is_write(operation) is write


def test_env_and_session_reach_the_emulator_only(aws: MotoServer,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "someones-real-profile")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-looking-token")
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", "https://example.invalid")
    env = aws.env()
    assert urllib.parse.urlsplit(env["AWS_ENDPOINT_URL"]).hostname == HOST
    assert {k: env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION",
                                "AWS_DEFAULT_REGION", "AWS_MAX_ATTEMPTS")} == {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, "AWS_MAX_ATTEMPTS": "1"}
    assert not {"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_LAMBDA"} & set(env)

    assert aws.client("sqs").list_queues().get("QueueUrls", []) == []
    stray = aws.session().client("sqs")  # no endpoint_url: would be the real AWS
    with pytest.raises(RuntimeError, match="endpoint_url"):
        stray.list_queues()


def test_hook_logs_every_call(aws: MotoServer, tmp_path: pathlib.Path) -> None:
    log = tmp_path / "calls.jsonl"
    proc = _run("import boto3\n"
                "sqs = boto3.client('sqs')\n"
                "sqs.create_queue(QueueName='hooked')\n"
                "sqs.list_queues()\n", {**aws.env(), **hook_env(log)})
    assert proc.returncode == 0, proc.stderr
    calls = read_calls(log)
    assert calls == [{"n": 1, "service": "sqs", "operation": "CreateQueue"},
                     {"n": 2, "service": "sqs", "operation": "ListQueues"}]
    assert [is_write(c["operation"]) for c in calls] == [True, False]
    assert [resource_name(q) for q in inventory(aws).queues] == ["hooked"]


def test_hook_costs_nothing_unless_used(tmp_path: pathlib.Path) -> None:
    log = tmp_path / "calls.jsonl"
    probe = ("import sys, sitecustomize\n"
             "print(sitecustomize.__file__)\n"
             "print('botocore' in sys.modules)\n")
    off = {k: v for k, v in hook_env(log).items() if k != CALL_LOG_ENV}
    for env in (off, hook_env(log)):  # without the log; with it but no boto3
        proc = _run(probe, env)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.split() == [str(HOOK_DIR / "sitecustomize.py"), "False"]
    assert read_calls(log) == []
    assert str(REPO_ROOT) in hook_env(log)["PYTHONPATH"].split(os.pathsep)


def test_kill_before_a_call_then_replay(tmp_path: pathlib.Path) -> None:
    pytest.importorskip("moto.server", reason="moto_server is not installed")
    server = MotoServer(recording_file=tmp_path / "recording.jsonl", workdir=tmp_path / "moto")
    server.start()
    try:
        log = tmp_path / "calls.jsonl"
        proc = _run(
            "import boto3, botocore.exceptions\n"
            "print(boto3.client('apigateway').create_rest_api(name='survivor',"
            " description='call 1')['id'])\n"
            "try:\n"
            "    boto3.client('sqs').create_queue(QueueName='lost')\n"
            "except botocore.exceptions.EndpointConnectionError as exc:\n"
            "    print(type(exc).__name__)\n",
            {**server.env(), **hook_env(log, kill_before=2, kill_pid=server.pid)})
        assert proc.returncode == 0, proc.stderr
        api_id, error = proc.stdout.split()
        assert error == "EndpointConnectionError"
        assert not server.running
        assert read_calls(log) == [
            {"n": 1, "service": "apigateway", "operation": "CreateRestApi"},
            {"n": 2, "service": "sqs", "operation": "CreateQueue", "killed": True}]

        server.restart_with_replay()
        found = inventory(server)
        assert [(a.id, a.name) for a in found.rest_apis] == [(api_id, "survivor")]
        assert found.queues == []
    finally:
        server.stop()
    assert not server.running


def test_a_server_that_cannot_start_says_why(tmp_path: pathlib.Path) -> None:
    pytest.importorskip("moto.server", reason="moto_server is not installed")
    server = MotoServer(workdir=tmp_path)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind((HOST, 0))  # bound, not listening: connecting is refused at once
        server.port = taken.getsockname()[1]
        with pytest.raises(RuntimeError, match=r"exited with .*log tail"):
            server.start()
    server.stop()
