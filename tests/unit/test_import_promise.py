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
