"""`import myframework` loads only the stdlib runtime: the Lambda cold-start promise."""
import json
import subprocess
import sys

# boto3/botocore/click belong to the deploy side; typing, dataclasses, logging and
# urllib.parse cost milliseconds of cold start and are only imported when needed.
FORBIDDEN = ("boto3", "botocore", "click", "typing", "dataclasses", "inspect", "logging",
             "urllib.parse", "base64", "decimal", "datetime")


def imported_by(code: str) -> set[str]:
    probe = (
        "import sys\nbefore = set(sys.modules)\n%s\n"
        "import json\nprint(json.dumps(sorted(set(sys.modules) - before)))" % code)
    # -I: isolated from site-packages' .pth side effects and the user's environment
    proc = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True,
                          check=True, env={"PYTHONPATH": ":".join(p for p in sys.path if p)})
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_import_myframework_pulls_in_no_heavy_or_deploy_side_module() -> None:
    loaded = imported_by("import myframework")
    assert not loaded & set(FORBIDDEN), sorted(loaded & set(FORBIDDEN))


def test_serving_a_request_stays_lean_too() -> None:
    code = (
        "import myframework\n"
        "app = myframework.App('t')\n"
        "@app.route('/users/{id}')\n"
        "def user(id): return {'id': id}\n"
        "r = app({'httpMethod': 'GET', 'path': '/users/7', 'headers': {'Accept': '*/*'},\n"
        "         'requestContext': {'stage': 'dev'}, 'body': None}, None)\n"
        "assert r['statusCode'] == 200, r\n")
    loaded = imported_by(code)
    assert not loaded & set(FORBIDDEN), sorted(loaded & set(FORBIDDEN))


EVENT_MODULES = {"myframework.runtime.events", "myframework.runtime.dispatch",
                 "myframework.runtime.handlers", "myframework.runtime.event_specs",
                 "myframework.runtime.tasks", "myframework.runtime.schedules",
                 "myframework.runtime.patterns"}


def test_an_http_only_app_does_not_load_the_event_and_task_modules() -> None:
    code = (
        "import myframework\n"
        "app = myframework.App('t')\n"
        "@app.route('/')\n"
        "def index(): return {}\n"
        "app({'httpMethod': 'GET', 'path': '/', 'headers': {}, 'requestContext': {},\n"
        "     'body': None}, None)\n")
    loaded = imported_by(code)
    assert not loaded & EVENT_MODULES, sorted(loaded & EVENT_MODULES)


def test_registering_and_running_event_handlers_and_tasks_stays_lean() -> None:
    # A schedule, an SQS handler and a task, run as Lambda runs them (task envelope included):
    # still nothing from the deploy side, and none of the slow stdlib modules.
    code = (
        "import os\n"
        "from myframework import App, Rate, Cron\n"
        "app = App('t')\n"
        "@app.schedule(Rate(5, unit=Rate.MINUTES))\n"
        "def tick(event): return event.detail_type\n"
        "@app.schedule(Cron(0, 12, '*', '*', '?', '*'))\n"
        "def noon(event): return 1\n"
        "@app.on_sqs_message(queue='jobs', per_record=True)\n"
        "def job(record): return record.json_body\n"
        "@app.on_cw_event({'source': ['aws.ec2'], 'detail': {'state': [{'prefix': 'run'}]}})\n"
        "def ec2(event): return event.detail\n"
        "@app.task\n"
        "def send(to): return to\n"
        "r = app({'Records': [{'messageId': 'm1', 'body': '{}', 'eventSource': 'aws:sqs',\n"
        "     'eventSourceARN': 'arn:aws:sqs:us-east-1:1:jobs'}]}, None)\n"
        "assert r == {'batchItemFailures': []}, r\n"
        "assert app({'source': 'aws.ec2', 'detail-type': 'x', 'detail': {'state': 'running'}},\n"
        "           None) == {'state': 'running'}\n"
        "assert app({'__myframework__': 'task', 'v': 1, 'task': 'send', 'id': 'i',\n"
        "            'args': ['a'], 'kwargs': {}}, None) == 'a'\n")
    loaded = imported_by(code)
    assert not loaded & set(FORBIDDEN), sorted(loaded & set(FORBIDDEN))
