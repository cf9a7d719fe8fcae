"""`myframework deploy`, `delete`, `status`, `url`, `invoke` and `logs`, run as a user runs
them (the CLI in a subprocess) against moto_server on 127.0.0.1, on an app with routes, a
WSGI mount, two schedules, S3, SQS and SNS handlers and a task."""
from __future__ import annotations

import json
import pathlib
import time

import pytest

from .deploy_helpers import (
    BUCKET,
    EXPECTED,
    FUNCTIONS,
    PREFIX,
    counts,
    make_event_sources,
    run,
    write_project,
    writes,
)
from .moto_helpers import MotoServer, inventory, read_calls

# Chalice 1.34's figures on its equivalent of this app (../shared/specs/aws-emulator.md).
CHALICE_FIRST_DEPLOY_CALLS = 42


@pytest.fixture
def project(tmp_path: pathlib.Path, aws: MotoServer) -> pathlib.Path:
    make_event_sources(aws)
    return write_project(tmp_path / "shop")


@pytest.fixture
def deployed(project: pathlib.Path, aws: MotoServer, tmp_path: pathlib.Path) -> pathlib.Path:
    result = run(project, aws, "deploy", call_log=tmp_path / "first.jsonl")
    assert result.returncode == 0, result.stderr
    return project


def state(project: pathlib.Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(
        (project / ".myframework" / "deployed" / "dev.json").read_text())
    return data


def test_first_deploy_makes_one_of_each_resource(project: pathlib.Path, aws: MotoServer,
                                                 tmp_path: pathlib.Path) -> None:
    log = tmp_path / "calls.jsonl"
    result = run(project, aws, "deploy", call_log=log)
    assert result.returncode == 0, result.stderr
    assert counts(inventory(aws)) == EXPECTED
    assert len(read_calls(log)) <= CHALICE_FIRST_DEPLOY_CALLS
    # The summary names the functions and the URL; `url` prints the same URL.
    found = inventory(aws)
    api = found.deployed_by(PREFIX).rest_apis[0]
    assert api.stages == ["api"]
    url = "https://%s.execute-api.us-east-1.amazonaws.com/api/" % api.id
    assert "URL: " + url in result.stdout
    for name in FUNCTIONS:
        assert name in result.stdout
    shown = run(project, aws, "url")
    assert shown.stdout.strip() == url
    # What deploy recorded is what exists.
    recorded = state(project)
    assert recorded["region"] == "us-east-1"
    assert recorded["account"] == "123456789012"
    assert len(recorded["resources"]) == 19  # type: ignore[arg-type]


def test_functions_get_their_configuration(deployed: pathlib.Path, aws: MotoServer) -> None:
    lam = aws.client("lambda")
    job = lam.get_function(FunctionName="shop-dev-on_job")
    config = job["Configuration"]
    assert config["MemorySize"] == 256  # its own setting
    assert config["Timeout"] == 60
    assert config["Runtime"] == "python3.12"
    assert config["Handler"] == "app.app"
    assert config["Environment"]["Variables"]["SHOP_MODE"] == "dev"
    assert config["Environment"]["Variables"]["MYFRAMEWORK_HANDLER"] == "on_job"
    assert json.loads(config["Environment"]["Variables"]["MYFRAMEWORK_TASK_FUNCTIONS"]) == {
        "default": "shop-dev-tasks-default"}
    assert job["Tags"] == {"myframework:app": "shop", "myframework:stage": "dev"}
    assert lam.get_function(FunctionName="shop-dev")["Configuration"]["MemorySize"] == 128
    retries = lam.get_function_event_invoke_config(FunctionName="shop-dev-tasks-default")
    assert retries["MaximumRetryAttempts"] == 2
    mapping = lam.list_event_source_mappings(FunctionName="shop-dev-on_job")[
        "EventSourceMappings"][0]
    assert mapping["BatchSize"] == 5
    assert mapping["EventSourceArn"].endswith(":shop-jobs")


def test_the_role_policy_is_scoped_to_the_app(deployed: pathlib.Path, aws: MotoServer) -> None:
    iam = aws.client("iam")
    policy = iam.get_role_policy(RoleName=PREFIX, PolicyName="myframework")["PolicyDocument"]
    # The framework's own statements never grant "*".
    resources = [r for s in policy["Statement"] if not s["Sid"].startswith("App")
                 for r in s["Resource"]]
    assert "*" not in resources
    assert "arn:aws:sqs:us-east-1:123456789012:shop-jobs" in resources
    assert ("arn:aws:lambda:us-east-1:123456789012:function:shop-dev-tasks-default"
            in resources)
    # What the app's own code calls: put_object on a constant bucket is scoped to it;
    # get_object on a bucket read from the event is not known, so "*".
    granted = {action: statement["Resource"] for statement in policy["Statement"]
               for action in statement["Action"]}
    assert granted["s3:PutObject"] == ["arn:aws:s3:::shop-uploads/*"]
    assert granted["s3:GetObject"] == ["*"]
    trust = iam.get_role(RoleName=PREFIX)["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}


def test_permissions_name_their_source(deployed: pathlib.Path, aws: MotoServer) -> None:
    lam = aws.client("lambda")
    api = inventory(aws).deployed_by(PREFIX).rest_apis[0]
    statement = json.loads(lam.get_policy(FunctionName="shop-dev")["Policy"])["Statement"][0]
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == (
        "arn:aws:execute-api:us-east-1:123456789012:%s/*" % api.id)
    s3 = json.loads(lam.get_policy(FunctionName="shop-dev-on_upload")["Policy"])["Statement"][0]
    assert s3["Principal"] == {"Service": "s3.amazonaws.com"}
    assert s3["Condition"]["ArnLike"]["AWS:SourceArn"] == "arn:aws:s3:::shop-uploads"
    assert s3["Condition"]["StringEquals"]["AWS:SourceAccount"] == "123456789012"


def test_s3_notification_is_merged_with_the_buckets_others(deployed: pathlib.Path,
                                                            aws: MotoServer) -> None:
    config = aws.client("s3").get_bucket_notification_configuration(Bucket=BUCKET)
    assert [q["Id"] for q in config["QueueConfigurations"]] == ["audit"]
    [entry] = config["LambdaFunctionConfigurations"]
    assert entry["LambdaFunctionArn"].endswith(":function:shop-dev-on_upload")
    assert entry["Events"] == ["s3:ObjectCreated:*"]
    assert sorted((r["Name"], r["Value"]) for r in entry["Filter"]["Key"]["FilterRules"]) == [
        ("prefix", "images/"), ("suffix", ".png")]


def test_a_redeploy_with_nothing_changed_writes_nothing(deployed: pathlib.Path, aws: MotoServer,
                                                        tmp_path: pathlib.Path) -> None:
    before = inventory(aws)
    log = tmp_path / "again.jsonl"
    result = run(deployed, aws, "deploy", call_log=log)
    assert result.returncode == 0, result.stderr
    assert "Nothing to change" in result.stdout
    assert writes(log) == []
    assert read_calls(log)  # it did ask AWS
    assert inventory(aws) == before


def test_a_code_change_writes_only_code(deployed: pathlib.Path, aws: MotoServer,
                                        tmp_path: pathlib.Path) -> None:
    before = {name: f.code_sha256 for name, f in inventory(aws).functions.items()}
    app = deployed / "app.py"
    app.write_text(app.read_text().replace('"hello": "world"', '"hello": "there"'))
    log = tmp_path / "code.jsonl"
    result = run(deployed, aws, "deploy", call_log=log)
    assert result.returncode == 0, result.stderr
    # Every function runs the same zip (app.py is in it), so each gets the new code,
    # and nothing else is written.
    assert writes(log) == ["UpdateFunctionCode"] * len(FUNCTIONS)
    after = {name: f.code_sha256 for name, f in inventory(aws).functions.items()}
    assert all(after[name] != before[name] for name in FUNCTIONS)
    assert counts(inventory(aws)) == EXPECTED


def test_a_setting_of_one_function_updates_only_that_function(
        deployed: pathlib.Path, aws: MotoServer, tmp_path: pathlib.Path) -> None:
    config_file = deployed / ".myframework" / "config.json"
    config = json.loads(config_file.read_text())
    config["stages"]["dev"]["lambda_functions"]["on_job"]["lambda_memory_size"] = 512
    config_file.write_text(json.dumps(config))
    log = tmp_path / "config.jsonl"
    result = run(deployed, aws, "deploy", call_log=log)
    assert result.returncode == 0, result.stderr
    assert writes(log) == ["UpdateFunctionConfiguration"]
    assert "update function shop-dev-on_job (MemorySize)" in result.stdout
    lam = aws.client("lambda")
    assert lam.get_function(FunctionName="shop-dev-on_job")["Configuration"]["MemorySize"] == 512


def test_a_route_change_redeploys_the_api_only(deployed: pathlib.Path, aws: MotoServer,
                                               tmp_path: pathlib.Path) -> None:
    app = deployed / "app.py"
    app.write_text(app.read_text() + '\n\n@app.route("/health")\ndef health():\n    return {}\n')
    log = tmp_path / "route.jsonl"
    result = run(deployed, aws, "deploy", call_log=log)
    assert result.returncode == 0, result.stderr
    assert sorted(set(writes(log))) == ["CreateDeployment", "PutRestApi", "UpdateFunctionCode"]
    assert inventory(aws).deployed_by(PREFIX).rest_apis[0].deployments == 2


def test_a_removed_handler_loses_its_resources(deployed: pathlib.Path, aws: MotoServer) -> None:
    app = deployed / "app.py"
    source = app.read_text()
    start = source.index('@app.on_sns_message')
    end = source.index("@app.task")
    app.write_text(source[:start] + source[end:])
    result = run(deployed, aws, "deploy")
    assert result.returncode == 0, result.stderr
    assert "delete SNS subscription to shop-alerts" in result.stdout
    assert "delete function shop-dev-on_alert" in result.stdout
    found = counts(inventory(aws))
    assert found["functions"] == 6
    assert found["subscriptions"] == 0
    assert found["permissions"] == 4
    assert not any(key.endswith("on_alert") or "on_alert" in key
                   for key in state(deployed)["resources"])  # type: ignore[attr-defined]


def test_delete_removes_everything_and_can_run_again(deployed: pathlib.Path, aws: MotoServer,
                                                     tmp_path: pathlib.Path) -> None:
    log = tmp_path / "delete.jsonl"
    result = run(deployed, aws, "delete", call_log=log)
    assert result.returncode == 0, result.stderr
    assert "Deleted 19 resource(s)" in result.stdout
    left = inventory(aws)
    assert left.deployed_by(PREFIX).is_empty(), left.deployed_by(PREFIX)
    # What was the user's stays: the bucket, its other notification, queues, topic.
    assert BUCKET in left.buckets
    assert [n.id for n in left.s3_notifications] == ["audit"]
    assert len(left.queues) == 2
    assert len(left.topics) == 1
    assert not (deployed / ".myframework" / "deployed" / "dev.json").exists()
    again = run(deployed, aws, "delete")
    assert again.returncode == 0, again.stderr
    assert "Nothing is deployed" in again.stdout


def test_dry_run_calls_nothing(project: pathlib.Path, aws: MotoServer,
                               tmp_path: pathlib.Path) -> None:
    log = tmp_path / "dry.jsonl"
    result = run(project, aws, "deploy", "--dry-run", call_log=log)
    assert result.returncode == 0, result.stderr
    assert read_calls(log) == []
    assert "19 to create" in result.stdout
    assert "create function shop-dev-on_job" in result.stdout
    assert inventory(aws).deployed_by(PREFIX).is_empty()
    run(project, aws, "deploy")
    config_file = project / ".myframework" / "config.json"
    config = json.loads(config_file.read_text())
    config["stages"]["dev"]["environment_variables"]["SHOP_MODE"] = "live"
    config_file.write_text(json.dumps(config))
    result = run(project, aws, "deploy", "--dry-run", call_log=log)
    assert read_calls(log) == []
    assert "7 to update" in result.stdout
    assert "update function shop-dev-on_job (Environment)" in result.stdout


def test_status_shows_what_drifted(deployed: pathlib.Path, aws: MotoServer) -> None:
    result = run(deployed, aws, "status")
    assert result.returncode == 0, result.stderr
    assert "dev: up to date" in result.stdout
    aws.client("lambda").update_function_configuration(FunctionName="shop-dev-nightly",
                                                       Timeout=3)
    result = run(deployed, aws, "status")
    assert "differs   function shop-dev-nightly (Timeout)" in result.stdout
    fixed = run(deployed, aws, "deploy")
    assert "update function shop-dev-nightly (Timeout)" in fixed.stdout
    assert "dev: up to date" in run(deployed, aws, "status").stdout


def test_a_function_deleted_behind_its_back_is_made_again(deployed: pathlib.Path,
                                                          aws: MotoServer) -> None:
    aws.client("lambda").delete_function(FunctionName="shop-dev-every_five")
    result = run(deployed, aws, "deploy")
    assert result.returncode == 0, result.stderr
    assert "create function shop-dev-every_five" in result.stdout
    assert "shop-dev-every_five" in inventory(aws).functions


def test_invoke_prints_what_the_function_returns(deployed: pathlib.Path,
                                                 aws: MotoServer) -> None:
    result = run(deployed, aws, "invoke", "on_job", "--payload", '{"n": 1}')
    assert result.returncode == 0, result.stderr
    # moto does not run the code (no Docker here); it answers with the payload.
    assert json.loads(result.stdout) == {"n": 1}
    bad = run(deployed, aws, "invoke", "on_job", "--payload", "{nope")
    assert bad.returncode == 1
    assert "--payload is not JSON" in bad.stderr


def test_logs_prints_the_functions_log_events(deployed: pathlib.Path, aws: MotoServer) -> None:
    logs = aws.client("logs")
    group = "/aws/lambda/shop-dev-on_job"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="2026/11/21/[$LATEST]abcdef12")
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName=group, logStreamName="2026/11/21/[$LATEST]abcdef12",
                        logEvents=[{"timestamp": now - 1000, "message": "START one"},
                                   {"timestamp": now, "message": "job done"}])
    result = run(deployed, aws, "logs", "on_job", "--since", "1h")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(" ", 3)[3] for line in lines] == ["START one", "job done"]
    nothing = run(deployed, aws, "logs", "nightly")
    assert nothing.returncode == 1
    assert "has no logs yet" in nothing.stderr


def test_a_missing_bucket_is_one_clear_error_and_deploy_finishes_later(
        project: pathlib.Path, aws: MotoServer) -> None:
    s3 = aws.client("s3")
    s3.put_bucket_notification_configuration(Bucket=BUCKET, NotificationConfiguration={})
    s3.delete_bucket(Bucket=BUCKET)
    result = run(project, aws, "deploy")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ")
    assert "NoSuchBucket" in result.stderr
    assert "create it" in result.stderr
    assert "recorded in" in result.stderr
    assert "Traceback" not in result.stderr
    s3.create_bucket(Bucket=BUCKET)
    again = run(project, aws, "deploy")
    assert again.returncode == 0, again.stderr
    assert counts(inventory(aws)) == EXPECTED


def test_without_credentials_it_says_how_to_give_them(project: pathlib.Path,
                                                      aws: MotoServer) -> None:
    result = run(project, aws, "deploy", env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})
    assert result.returncode == 1
    assert "credentials" in result.stderr
    assert "Traceback" not in result.stderr


def test_other_commands_before_any_deploy(project: pathlib.Path, aws: MotoServer) -> None:
    for args in (["url"], ["logs", "on_job"], ["invoke", "on_job"]):
        result = run(project, aws, *args)
        assert result.returncode == 1
        assert "stage dev is not deployed" in result.stderr
    status = run(project, aws, "status")
    assert status.returncode == 0
    assert "Stage dev is not deployed." in status.stdout
