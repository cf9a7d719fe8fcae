"""The README's first command and the console script, run as a user would."""
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=False)


def test_invoke_example_returns_the_pet_as_api_gateway_expects() -> None:
    proc = run(sys.executable, "scripts/invoke_example.py", "GET", "/pets/1")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["statusCode"] == 200
    assert result["isBase64Encoded"] is False
    assert json.loads(result["body"]) == {"id": "1", "name": "Rex", "kind": "dog"}


def test_invoke_example_posts_json_over_http_api() -> None:
    proc = run(sys.executable, "scripts/invoke_example.py", "POST", "/pets", "--body",
               '{"name": "Kit", "kind": "cat"}', "--event-format", "http-api")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["statusCode"] == 201
    assert result["cookies"] == []
    assert json.loads(result["body"])["name"] == "Kit"


def test_invoke_example_reports_a_missing_app_file_without_a_traceback() -> None:
    proc = run(sys.executable, "scripts/invoke_example.py", "GET", "/", "--app", "nope.py")
    assert proc.returncode != 0
    assert "no app file" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_console_script_reports_its_version() -> None:
    proc = run(sys.executable, "-m", "myframework.cli", "--version")
    assert proc.returncode == 0, proc.stderr
    assert "myframework" in proc.stdout
