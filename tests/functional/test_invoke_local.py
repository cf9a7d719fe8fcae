"""``myframework invoke --local NAME``: each kind of handler run in this process
with a sample event of its kind or one built from ``--s3``/``--sqs``/``--sns``/
``--event``, the stage's environment applied, delayed tasks finished before the
command returns, and JSON (only) on stdout.

Both :func:`invoke_local` and the click command (through ``CliRunner``) are
driven, on a project written into ``tmp_path``.
"""
from __future__ import annotations

import io
import json
import os
import pathlib
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result

import myframework
from myframework.cli import cli
from myframework.local.invoke import EventChoice, InvokeError, build_event, invoke_local
from myframework.project import load_app
from myframework.testing import make_event

ROOT = pathlib.Path(__file__).resolve().parents[2]
FRAMEWORK_DIR = str(pathlib.Path(myframework.__file__).resolve().parent)
ENV_NAMES = ("TOP_VAR", "SHARED", "TOP_FN", "STAGE_VAR", "FN_VAR", "OTHER_FN")

APP = '''\
import os
import time
from typing import Any

from myframework import App, Rate

app = App("invoke-demo")
SEEN: list[str] = []
ENV_NAMES = %(env_names)r
AT_IMPORT = {name: os.environ.get(name) for name in ENV_NAMES}


def environment() -> dict[str, Any]:
    return {name: os.environ.get(name) for name in ENV_NAMES}


@app.task
def mark(path: str, text: str) -> None:
    time.sleep(0.3)
    with open(path, "w") as handle:
        handle.write(text)


@app.schedule(Rate(5, unit=Rate.MINUTES))
def tick(event):
    return {"kind": "schedule", "source": event.source, "detail_type": event.detail_type,
            "resources": event.resources, "env": environment()}


@app.on_s3_event(bucket="uploads", prefix="in/", suffix=".jpg")
def on_upload(event):
    return {"kind": "s3", "bucket": event.bucket, "key": event.key,
            "raw_key": event.records[0].raw_key}


@app.on_sqs_message(queue="jobs")
def on_jobs(event):
    SEEN.extend("%%s:%%s" %% (record.queue_name, record.body) for record in event)


@app.on_sns_message(topic="alerts")
def on_alert(event):
    return {"kind": "sns", "message": event.message, "topic": event.records[0].topic_arn}


@app.on_cw_event({"source": ["aws.s3"], "detail-type": ["Object Deleted"]})
def on_deleted(event):
    return {"kind": "cw", "source": event.source, "detail_type": event.detail_type}


@app.lambda_function(name="plain")
def plain(event, context):
    return {"event": event, "function_name": context.function_name,
            "memory": context.memory_limit_in_mb, "env": environment(),
            "at_import": AT_IMPORT}


@app.lambda_function(name="kick")
def kick(event, context):
    mark.delay(event["path"], event["text"])
    return "queued"


def explode(value):
    raise ValueError("boom happened with %%s" %% value)


@app.lambda_function(name="boom")
def boom(event, context):
    return explode(42)


@app.lambda_function(name="weird")
def weird(event, context):
    return {1, 2}


@app.route("/hello")
def hello():
    return {"hello": "world", "shared": os.environ.get("SHARED")}
''' % {"env_names": ENV_NAMES}

CONFIG = {
    "environment_variables": {"TOP_VAR": "top", "SHARED": "top"},
    "lambda_functions": {"plain": {"environment_variables": {"TOP_FN": "top-fn",
                                                             "SHARED": "top-fn"},
                                   "lambda_memory_size": 256}},
    "stages": {
        "dev": {"environment_variables": {"STAGE_VAR": "dev", "SHARED": "dev"},
                "lambda_functions": {
                    "plain": {"environment_variables": {"FN_VAR": "fn-dev",
                                                        "SHARED": "fn-dev"}},
                    "tick": {"environment_variables": {"OTHER_FN": "tick-only"}}}},
        "prod": {"environment_variables": {"STAGE_VAR": "prod"}, "lambda_memory_size": 512},
    },
}
HANDLERS = "boom, kick, on_alert, on_deleted, on_jobs, on_upload, plain, tick, weird, api_handler"


def _under(module: object, roots: list[str]) -> bool:
    paths = [getattr(module, "__file__", None) or "",
             *list(getattr(module, "__path__", None) or [])]
    return any(str(p).startswith(root) for p in paths for root in roots)


@pytest.fixture(autouse=True)
def isolated(tmp_path: pathlib.Path) -> Iterator[None]:
    """Restore os.environ, sys.path and sys.modules after each test: invoking
    applies the stage's environment and imports the project's app.py."""
    saved_env = dict(os.environ)
    for name in ENV_NAMES:
        os.environ.pop(name, None)
    saved_path = list(sys.path)
    before = set(sys.modules)
    yield
    os.environ.clear()
    os.environ.update(saved_env)
    roots = [str(tmp_path), str(tmp_path.resolve()), str(ROOT / "examples")]
    for name, module in list(sys.modules.items()):
        if name not in before and (name == "app" or _under(module, roots)):
            del sys.modules[name]
    sys.path[:] = saved_path


@pytest.fixture
def project(tmp_path: pathlib.Path) -> pathlib.Path:
    root = tmp_path / "project"
    (root / ".myframework").mkdir(parents=True)
    (root / "app.py").write_text(APP, encoding="utf-8")
    (root / ".myframework" / "config.json").write_text(json.dumps(CONFIG), encoding="utf-8")
    return root.resolve()


def run_cli(root: pathlib.Path, *args: str, stdin: str | None = None,
            local: bool = True) -> Result:
    command = ["--project-dir", str(root), "invoke", *(["--local"] if local else []), *args]
    return CliRunner().invoke(cli, command, input=stdin)


def cli_json(root: pathlib.Path, *args: str, stdin: str | None = None) -> Any:
    """The JSON the command printed, after checking it succeeded."""
    result = run_cli(root, *args, stdin=stdin)
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return json.loads(result.stdout)  # stdout holds the JSON and nothing else


def cli_error(root: pathlib.Path, *args: str, local: bool = True) -> str:
    result = run_cli(root, *args, local=local)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.stderr
    return result.stderr


def seen() -> list[str]:
    module = sys.modules["app"]
    return list(module.SEEN)


# -- in process: invoke_local ------------------------------------------------------------------

def test_invoke_local_prints_the_result_as_json(project: pathlib.Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert invoke_local(str(project), "dev", "on_deleted", EventChoice(), out) == 0
    assert json.loads(out.getvalue()) == {"kind": "cw", "source": "aws.s3",
                                          "detail_type": "Object Deleted"}
    assert out.getvalue().endswith("}\n")
    assert "on_deleted ran in" in capsys.readouterr().err


def test_invoke_local_defaults_to_stdout(project: pathlib.Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke_local(str(project), "dev", "on_alert", EventChoice(sns="hi")) == 0
    assert json.loads(capsys.readouterr().out)["message"] == "hi"


def test_invoke_local_raises_invoke_error_for_an_unknown_name(project: pathlib.Path) -> None:
    with pytest.raises(InvokeError) as caught:
        invoke_local(str(project), "dev", "nope", EventChoice(), io.StringIO())
    assert str(caught.value) == ("invoke-demo has no handler named 'nope'; the handlers are: "
                                 + HANDLERS)


def test_invoke_local_waits_for_delayed_tasks(project: pathlib.Path, tmp_path: pathlib.Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "marker.txt"
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"path": str(marker), "text": "in-process"}), encoding="utf-8")
    out = io.StringIO()
    assert invoke_local(str(project), "dev", "kick", EventChoice(event_file=str(event)), out) == 0
    assert json.loads(out.getvalue()) == "queued"
    assert marker.read_text(encoding="utf-8") == "in-process"


def test_invoke_local_applies_the_environment_before_the_import(project: pathlib.Path) -> None:
    out = io.StringIO()
    assert invoke_local(str(project), "dev", "plain", EventChoice(), out) == 0
    assert json.loads(out.getvalue())["at_import"]["TOP_VAR"] == "top"
    assert os.environ["FN_VAR"] == "fn-dev"  # restored by the fixture afterwards


def test_handler_raising_returns_1_with_only_project_frames(
        project: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert invoke_local(str(project), "dev", "boom", EventChoice(), out) == 1
    assert out.getvalue() == ""
    err = capsys.readouterr().err
    assert 'File "%s", line' % (project / "app.py") in err
    assert "in boom" in err
    assert "in explode" in err
    assert "ValueError: boom happened with 42" in err
    assert "boom raised after" in err
    assert FRAMEWORK_DIR not in err


# -- sample events of each kind ----------------------------------------------------------------

def test_default_schedule_event(project: pathlib.Path) -> None:
    result = cli_json(project, "tick")
    assert result["kind"] == "schedule"
    assert result["source"] == "aws.events"
    assert result["detail_type"] == "Scheduled Event"
    (rule,) = result["resources"]
    assert rule.startswith("arn:aws:events:")
    assert "invoke-demo" in rule
    assert "tick" in rule


def test_default_s3_event_matches_the_handlers_prefix_and_suffix(project: pathlib.Path) -> None:
    result = cli_json(project, "on_upload")
    assert result["kind"] == "s3"
    assert result["bucket"] == "uploads"
    assert result["key"].startswith("in/")
    assert result["key"].endswith(".jpg")


def test_default_sqs_event_comes_from_the_handlers_queue(project: pathlib.Path) -> None:
    assert cli_json(project, "on_jobs") == {"batchItemFailures": []}
    (entry,) = seen()
    queue, _, body = entry.partition(":")
    assert queue == "jobs"
    assert json.loads(body) == {"example": True}


def test_default_sns_event_comes_from_the_handlers_topic(project: pathlib.Path) -> None:
    result = cli_json(project, "on_alert")
    assert result["kind"] == "sns"
    assert result["topic"].startswith("arn:aws:sns:")
    assert result["topic"].endswith(":alerts")
    assert json.loads(result["message"]) == {"example": True}


def test_default_cw_event_matches_the_handlers_pattern(project: pathlib.Path) -> None:
    assert cli_json(project, "on_deleted") == {"kind": "cw", "source": "aws.s3",
                                               "detail_type": "Object Deleted"}


def test_default_lambda_function_event_is_empty(project: pathlib.Path) -> None:
    result = cli_json(project, "plain")
    assert result["event"] == {}
    assert result["function_name"] == "invoke-demo-dev-plain"


# -- events from options -------------------------------------------------------------------------

def test_s3_option_key_reaches_the_handler_decoded(project: pathlib.Path) -> None:
    result = cli_json(project, "on_upload", "--s3", "uploads/in/my photo+1 \u00e9.jpg")
    assert result["bucket"] == "uploads"
    assert result["key"] == "in/my photo+1 \u00e9.jpg"
    assert result["raw_key"] == "in/my+photo%2B1+%C3%A9.jpg"  # encoded as S3 sends it


def test_sqs_option_is_the_message_body(project: pathlib.Path) -> None:
    assert cli_json(project, "on_jobs", "--sqs", '{"photo": "cat.jpg"}') == {
        "batchItemFailures": []}
    assert seen() == ['jobs:{"photo": "cat.jpg"}']


def test_sns_option_is_the_message(project: pathlib.Path) -> None:
    result = cli_json(project, "on_alert", "--sns", "disk full")
    assert result["message"] == "disk full"
    assert result["topic"].endswith(":alerts")


def test_event_file_is_sent_as_is(project: pathlib.Path, tmp_path: pathlib.Path) -> None:
    event = {"order": 7, "items": ["a", "b"], "nested": {"ok": True}}
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    assert cli_json(project, "plain", "--event", str(path))["event"] == event


def test_event_dash_reads_stdin(project: pathlib.Path) -> None:
    event = {"from": "stdin", "n": [1, 2, 3]}
    assert cli_json(project, "plain", "--event", "-", stdin=json.dumps(event))["event"] == event


@pytest.mark.parametrize("options", [
    ("--s3", "b/k", "--sqs", "x"),
    ("--sns", "m", "--event", "-"),
    ("--s3", "b/k", "--sns", "m", "--sqs", "x"),
])
def test_two_event_options_are_refused(project: pathlib.Path, options: tuple[str, ...]) -> None:
    message = cli_error(project, "plain", *options)
    assert "pass only one of" in message
    for flag in options[::2]:
        assert flag in message


@pytest.mark.parametrize("value", ["uploads", "uploads/", "/key.jpg", ""])
def test_a_bad_s3_option_is_refused(project: pathlib.Path, value: str) -> None:
    assert "--s3 takes BUCKET/KEY" in cli_error(project, "on_upload", "--s3", value)


def test_a_missing_event_file_is_refused(project: pathlib.Path, tmp_path: pathlib.Path) -> None:
    message = cli_error(project, "plain", "--event", str(tmp_path / "missing.json"))
    assert "cannot read the event file %s" % (tmp_path / "missing.json") in message


def test_an_event_file_that_is_not_json_is_refused(project: pathlib.Path,
                                                    tmp_path: pathlib.Path) -> None:
    path = tmp_path / "event.json"
    path.write_text('{"a": 1,\n "b": }', encoding="utf-8")
    message = cli_error(project, "plain", "--event", str(path))
    assert "is not JSON" in message
    assert "line 2, column 7" in message


def test_build_event_without_options_for_an_unknown_function_is_empty(
        project: pathlib.Path) -> None:
    app = load_app(project)
    assert build_event(app, "plain", EventChoice()) == {}


# -- errors --------------------------------------------------------------------------------------

def test_an_unknown_name_lists_the_handlers(project: pathlib.Path) -> None:
    message = cli_error(project, "nope")
    assert "invoke-demo has no handler named 'nope'" in message
    assert "the handlers are: " + HANDLERS in message


def test_a_task_is_not_a_handler_name(project: pathlib.Path) -> None:
    assert "no handler named 'mark'" in cli_error(project, "mark")


def test_a_raising_handler_exits_1_with_the_project_frames(project: pathlib.Path) -> None:
    result = run_cli(project, "boom")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert 'File "%s", line' % (project / "app.py") in result.stderr
    assert 'raise ValueError("boom happened with %s" % value)' in result.stderr
    assert "ValueError: boom happened with 42" in result.stderr
    assert "on Lambda the invocation fails" in result.stderr
    assert FRAMEWORK_DIR not in result.stderr
    assert "importlib" not in result.stderr


def test_a_result_that_is_not_json_exits_1(project: pathlib.Path) -> None:
    result = run_cli(project, "weird")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "weird returned a value Lambda cannot send back as JSON" in result.stderr


def test_without_local_an_undeployed_stage_says_to_deploy(project: pathlib.Path) -> None:
    message = cli_error(project, "plain", local=False)
    assert "stage dev is not deployed" in message
    assert "myframework deploy" in message


def test_event_options_without_local_say_they_go_with_local(project: pathlib.Path) -> None:
    message = cli_error(project, "plain", "--sqs", "hello", local=False)
    assert "go with --local" in message
    assert "--payload" in message


def test_payload_with_local_points_at_event(project: pathlib.Path) -> None:
    message = cli_error(project, "plain", "--payload", "{}")
    assert "--event" in message


def test_an_unknown_stage_lists_the_stages(project: pathlib.Path) -> None:
    message = cli_error(project, "plain", "--stage", "qa")
    assert "no stage 'qa'" in message
    assert "dev, prod" in message


def test_a_folder_without_app_py_is_refused(tmp_path: pathlib.Path) -> None:
    message = cli_error(tmp_path, "plain")
    assert "no app.py" in message
    assert "new-project" in message


def test_an_app_that_fails_to_import_is_reported(project: pathlib.Path) -> None:
    (project / "app.py").write_text("from myframework import App\napp = App('x'\n",
                                    encoding="utf-8")
    message = cli_error(project, "plain")
    assert "app.py failed to import" in message
    assert "app.py, line 2" in message


# -- stage environment ---------------------------------------------------------------------------

def test_stage_and_function_environment_reach_the_handler(project: pathlib.Path) -> None:
    result = cli_json(project, "plain")
    assert result["env"] == {"TOP_VAR": "top", "SHARED": "fn-dev", "TOP_FN": "top-fn",
                             "STAGE_VAR": "dev", "FN_VAR": "fn-dev", "OTHER_FN": None}
    assert result["memory"] == 256


def test_another_stage_gets_its_own_environment(project: pathlib.Path) -> None:
    result = cli_json(project, "plain", "--stage", "prod")
    assert result["env"] == {"TOP_VAR": "top", "SHARED": "top-fn", "TOP_FN": "top-fn",
                             "STAGE_VAR": "prod", "FN_VAR": None, "OTHER_FN": None}
    assert result["function_name"] == "invoke-demo-prod-plain"
    assert result["memory"] == 512


def test_a_functions_own_variables_go_to_that_function_only(project: pathlib.Path) -> None:
    env = cli_json(project, "tick")["env"]
    assert env == {"TOP_VAR": "top", "SHARED": "dev", "TOP_FN": None, "STAGE_VAR": "dev",
                   "FN_VAR": None, "OTHER_FN": "tick-only"}


# -- tasks -------------------------------------------------------------------------------------

def test_delayed_tasks_have_run_when_the_command_returns(project: pathlib.Path,
                                                         tmp_path: pathlib.Path) -> None:
    marker = tmp_path / "done.txt"
    event = json.dumps({"path": str(marker), "text": "from the task"})
    assert cli_json(project, "kick", "--event", "-", stdin=event) == "queued"
    assert marker.read_text(encoding="utf-8") == "from the task"


def test_the_events_example_runs_its_thumbnail_task(tmp_path: pathlib.Path) -> None:
    example = ROOT / "examples" / "events"
    assert cli_json(example, "on_upload", "--s3", "photo-uploads/incoming/cat.jpg") is None
    assert sys.modules["app"].THUMBNAILS == ["photo-uploads/thumbs/128/cat.jpg"]


# -- api_handler ---------------------------------------------------------------------------------

def test_api_handler_needs_an_event(project: pathlib.Path) -> None:
    message = cli_error(project, "api_handler")
    assert "api_handler needs an HTTP event" in message
    assert "--event FILE" in message
    assert "myframework local" in message


@pytest.mark.parametrize("event_format", ["rest", "http-api"])
def test_api_handler_with_an_http_event_prints_the_response(
        project: pathlib.Path, tmp_path: pathlib.Path, event_format: str) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(make_event("GET", "/hello", event_format=event_format)),
                    encoding="utf-8")
    response = cli_json(project, "api_handler", "--event", str(path))
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"hello": "world", "shared": "dev"}


CODE_OPTIONS_APP = '''\
import os

from myframework import App, AuthResponse

app = App("code-options")
AT_IMPORT = os.environ.get("FROM_CODE")


@app.lambda_function(memory_size=1024, timeout=300,
                     environment={"FROM_CODE": "code", "BOTH": "code"})
def configured(event, context):
    return {"at_import": AT_IMPORT, "from_code": os.environ.get("FROM_CODE"),
            "both": os.environ.get("BOTH"), "memory": context.memory_limit_in_mb,
            "timeout_ms": context.get_remaining_time_in_millis()}


@app.authorizer()
def gate(request):
    return AuthResponse(routes=["/"], principal_id="p-" + request.token)
'''


def test_settings_given_in_code_apply_and_config_overrides_them(tmp_path: pathlib.Path) -> None:
    root = tmp_path / "code"
    (root / ".myframework").mkdir(parents=True)
    (root / "app.py").write_text(CODE_OPTIONS_APP, encoding="utf-8")
    (root / ".myframework" / "config.json").write_text(json.dumps({"stages": {"dev": {
        "environment_variables": {"BOTH": "config"}}}}), encoding="utf-8")
    result = cli_json(root, "configured")
    assert result["at_import"] == "code"      # set before app.py is (re)imported
    assert result["from_code"] == "code"
    assert result["both"] == "config"         # the config wins over the decorator
    assert result["memory"] == 1024
    assert 290_000 < result["timeout_ms"] <= 300_000


def test_an_authorizer_gets_a_sample_token_event(tmp_path: pathlib.Path) -> None:
    root = tmp_path / "auth"
    root.mkdir()
    (root / "app.py").write_text(CODE_OPTIONS_APP, encoding="utf-8")
    result = cli_json(root, "gate")
    assert result["principalId"] == "p-example-token"
    statement = result["policyDocument"]["Statement"][0]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == ["arn:aws:execute-api:us-east-1:123456789012:abc123/api/*/"]
