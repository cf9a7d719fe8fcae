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


def readme_first_command() -> list[str]:
    """The dev-server part of the README's first line, as argv."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = readme.split("```bash\n", 1)[1].splitlines()[0]
    install, _, serve = first.partition(" && ")
    assert install == "python3 -m pip install -e ."
    argv = serve.split()
    assert argv[:3] == ["python3", "-m", "myframework"]
    assert argv[-1] == "local"
    return [sys.executable, *argv[1:]]


def test_readme_first_command_serves_the_example_at_port_8000() -> None:
    import os
    import signal
    import time
    import urllib.request

    argv = readme_first_command()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline() + proc.stdout.readline()
        if not banner:  # port 8000 taken on this machine: serve the same app on a free port
            err = proc.communicate(timeout=10)[1]
            assert "already in use" in err, err
            proc = subprocess.Popen([*argv, "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, start_new_session=True)
            assert proc.stdout is not None
            banner = proc.stdout.readline() + proc.stdout.readline()
        else:
            assert "http://127.0.0.1:8000/" in banner
        url = banner.split()[-1]
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(url + "pets/1", timeout=5) as response:
                    assert response.status == 200
                    assert json.loads(response.read()) == {"id": "1", "name": "Rex",
                                                           "kind": "dog"}
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 0
