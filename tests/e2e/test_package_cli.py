"""``myframework package OUTDIR``: the command as a user runs it (a subprocess), offline.

Dependencies come from local wheels named in ``requirements.txt`` with
``--no-index --find-links``; the commands run with ``PIP_NO_INDEX=1`` so no pip
run can reach an index.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import zipfile

import pytest

from myframework.deploy.sources import runtime_files
from tests.functional.test_cloudformation import lint
from tests.functional.test_packaging import build_wheelhouse, offline_requirements

THIS_RUNTIME = "python%d.%d" % sys.version_info[:2]
OTHER_RUNTIME = "python3.10" if THIS_RUNTIME != "python3.10" else "python3.12"

# tinypkg is imported inside the handler: the CLI imports the app (to see which functions
# exist) where tinypkg is not installed; the verifier runs the handler from the package.
APP = """from myframework import App, Rate

import helpers

app = App('shop')


@app.route('/')
def index():
    import tinypkg
    return {'value': tinypkg.VALUE, 'helper': helpers.NAME}


@app.on_sqs_message(queue='jobs')
def on_job(event):
    return len(list(event))


@app.schedule(Rate(1, unit=Rate.HOURS))
def nightly(event):
    return 'done'
"""


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return build_wheelhouse(tmp_path_factory.mktemp("wheelhouse"))


def child_env() -> dict[str, str]:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PIP_NO_INDEX="1")
    for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PIP_FIND_LINKS", "PIP_INDEX_URL",
                 "PIP_EXTRA_INDEX_URL"):
        env.pop(name, None)
    return env


def make_project(root: pathlib.Path, wheelhouse: pathlib.Path, app: str = APP,
                 config: dict[str, object] | None = None,
                 requirements: tuple[str, ...] = ("tinypkg",)) -> pathlib.Path:
    root.mkdir(parents=True)
    (root / "app.py").write_text(app, encoding="utf-8")
    (root / "helpers.py").write_text("NAME = 'helpers'\n", encoding="utf-8")
    (root / "requirements.txt").write_text(offline_requirements(wheelhouse, *requirements),
                                           encoding="utf-8")
    (root / ".env").write_text("SECRET=1\n", encoding="utf-8")
    (root / "tests").mkdir()
    (root / "tests" / "test_app.py").write_text("import app\n", encoding="utf-8")
    if config is not None:
        (root / ".myframework").mkdir()
        (root / ".myframework" / "config.json").write_text(json.dumps(config),
                                                            encoding="utf-8")
    return root


def package(project: pathlib.Path, out: pathlib.Path, *args: str
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "myframework.cli", "--project-dir",
                           str(project), "package", str(out), *args],
                          cwd=project.parent, env=child_env(), capture_output=True, text=True,
                          timeout=180, check=False)


def zips(out: pathlib.Path) -> list[str]:
    return sorted(name for name in os.listdir(out) if name.endswith(".zip"))


def stage_config(**settings: object) -> dict[str, object]:
    return {"version": "1.0", "app_name": "shop", "stages": {"dev": settings}}


def test_package_writes_the_zip_and_prints_the_report(tmp_path: pathlib.Path,
                                                      wheelhouse: pathlib.Path) -> None:
    project = make_project(tmp_path / "shop", wheelhouse)
    out = tmp_path / "dist"
    proc = package(project, out)
    assert proc.returncode == 0, proc.stderr
    zip_path = out / "deployment.zip"
    assert zips(out) == ["deployment.zip"]
    with zipfile.ZipFile(zip_path) as archive:
        names = set(archive.namelist())
    assert {"app.py", "helpers.py", "tinypkg/__init__.py"} <= names
    assert set(runtime_files()) <= names
    assert not [n for n in names if n.startswith(("tests/", ".env", "requirements"))]
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("%s: " % zip_path)
    assert " MB zipped, " in lines[0]
    assert " MB unzipped (sha256 " in lines[0]
    assert lines[1].startswith("largest parts (unzipped): myframework 0.")
    assert "tinypkg 0.0 MB" in lines[1]
    assert "app.py 0.0 MB" in lines[1]
    # Which functions are listed with the main zip depends on whether the command imports
    # the app; api_handler always is.
    assert lines[2].startswith("dependencies: built with 1 pip run(s) and cached for "
                               "python3.12 x86_64 (api_handler")
    assert proc.stderr == "Installing dependencies for python3.12 x86_64 (pip)...\n"

    again = package(project, out)
    assert again.returncode == 0, again.stderr
    assert again.stderr == ""
    assert ("dependencies: reused from the cache (no pip run) for python3.12 x86_64"
            in again.stdout)
    assert again.stdout.splitlines()[0] == lines[0]  # same bytes, same sha256
    assert (project / ".myframework" / "cache" / "deps").is_dir()


def test_package_verify_prints_ok(tmp_path: pathlib.Path, wheelhouse: pathlib.Path) -> None:
    project = make_project(tmp_path / "shop", wheelhouse,
                           config=stage_config(runtime=THIS_RUNTIME))
    proc = package(project, tmp_path / "dist", "--verify")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ("verify: ok: imported in a clean interpreter and ran api_handler, on_job, nightly"
            in proc.stdout), proc.stdout
    assert "FAILED" not in proc.stdout


@pytest.mark.parametrize(("app", "expected"), [
    (APP + "import flask\n",  # installed where the CLI runs, not in the package
     ["verify: FAILED: app.py does not import from the package",
      "ModuleNotFoundError: No module named 'flask'"]),
    (APP + "\n\n@app.lambda_function(name='report')\ndef report(event, context):\n"
     "    import reportlab_missing\n",
     ["verify: FAILED: imported in a clean interpreter",
      "  FAILED report: ModuleNotFoundError: No module named 'reportlab_missing'"]),
])
def test_package_verify_of_a_broken_package_exits_1(
        tmp_path: pathlib.Path, wheelhouse: pathlib.Path, app: str,
        expected: list[str]) -> None:
    project = make_project(tmp_path / "shop", wheelhouse, app,
                           config=stage_config(runtime=THIS_RUNTIME))
    proc = package(project, tmp_path / "dist", "--verify")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    for phrase in expected:
        assert phrase in proc.stdout
    assert (tmp_path / "dist" / "deployment.zip").is_file()
    assert "Traceback" not in proc.stderr


def test_a_function_with_another_runtime_or_architecture_gets_its_own_zip(
        tmp_path: pathlib.Path, wheelhouse: pathlib.Path) -> None:
    config = stage_config(runtime=THIS_RUNTIME, lambda_functions={
        "nightly": {"runtime": OTHER_RUNTIME}, "on_job": {"architecture": "arm64"}})
    project = make_project(tmp_path / "shop", wheelhouse, config=config)
    out = tmp_path / "dist"
    proc = package(project, out, "--verify")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    other = "deployment-%s-x86_64.zip" % OTHER_RUNTIME
    arm = "deployment-%s-arm64.zip" % THIS_RUNTIME
    assert zips(out) == sorted(["deployment.zip", other, arm])
    for name in zips(out):
        with zipfile.ZipFile(out / name) as archive:
            assert {"app.py", "helpers.py", "tinypkg/__init__.py"} <= set(archive.namelist())
    assert "for %s x86_64 (api_handler)" % THIS_RUNTIME in proc.stdout
    assert "%s: " % (out / other) in proc.stdout
    assert "for %s x86_64 (nightly)" % OTHER_RUNTIME in proc.stdout
    assert "%s: " % (out / arm) in proc.stdout
    assert "for %s arm64 (on_job)" % THIS_RUNTIME in proc.stdout
    assert "verify: ok: imported in a clean interpreter and ran" in proc.stdout
    assert "verify: skipped: it is built for arm64" in proc.stdout
    assert proc.stderr.count("Installing dependencies for") == 3


@pytest.mark.parametrize(("setup", "phrase"), [
    ("bad json", "not valid JSON"),
    ("bad runtime", "runtime must be one of python3.10"),
    ("unknown setting", "unknown setting 'lambda_memory'"),
    ("unknown stage", "no stage 'dev'"),
    ("missing include", "include_paths: 'missing.txt' matches nothing"),
    ("outside include", "include_paths: '../elsewhere.txt' is outside the project"),
    ("no app", "no app.py in"),
    ("uninstallable", "tinypkg>=5 cannot be had for python3.12 x86_64"),
])
def test_config_and_packaging_errors_exit_1_without_a_traceback(
        tmp_path: pathlib.Path, wheelhouse: pathlib.Path, setup: str, phrase: str) -> None:
    configs: dict[str, dict[str, object]] = {
        "bad runtime": stage_config(runtime="python3.9"),
        "unknown setting": stage_config(lambda_memory=512),
        "unknown stage": {"stages": {"prod": {}}},
        "missing include": stage_config(include_paths=["missing.txt"]),
        "outside include": stage_config(include_paths=["../elsewhere.txt"]),
    }
    requirements = ("tinypkg>=5",) if setup == "uninstallable" else ("tinypkg",)
    project = make_project(tmp_path / "shop", wheelhouse, config=configs.get(setup),
                           requirements=requirements)
    (tmp_path / "elsewhere.txt").write_text("x", encoding="utf-8")
    if setup == "bad json":
        (project / ".myframework").mkdir()
        (project / ".myframework" / "config.json").write_text("{", encoding="utf-8")
    if setup == "no app":
        (project / "app.py").unlink()
    proc = package(project, tmp_path / "dist")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stdout == ""
    error = proc.stderr[proc.stderr.index("Error: "):]
    assert phrase in error, proc.stderr
    assert not (tmp_path / "dist" / "deployment.zip").exists()



def test_an_app_that_crashes_on_import_exits_1_without_a_traceback_of_the_cli(
        tmp_path: pathlib.Path, wheelhouse: pathlib.Path) -> None:
    project = make_project(tmp_path / "shop", wheelhouse,
                           APP + "raise RuntimeError('no database at import')\n")
    proc = package(project, tmp_path / "dist", "--verify")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "RuntimeError: no database at import" in proc.stdout + proc.stderr
    assert "Traceback (most recent call last)" not in proc.stderr


ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("pkg_format", ["cloudformation", "terraform"])
def test_the_events_example_packages_with_its_template(tmp_path: pathlib.Path,
                                                        pkg_format: str) -> None:
    """The bundled events example, as a user packages it: the zip and a template that
    describes all nine functions; the SAM template passes cfn-lint."""
    project = tmp_path / "events"
    project.mkdir()
    (project / "app.py").write_text((ROOT / "examples" / "events" / "app.py").read_text())
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "myframework", "--project-dir", str(project),
                           "package", str(out), "--pkg-format", pkg_format],
                          capture_output=True, text=True, env=child_env(), timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert "describing 9 function(s)" in proc.stdout
    assert (out / "deployment.zip").is_file()
    if pkg_format == "terraform":
        config = json.loads((out / "deployment.tf.json").read_text())
        assert len(config["resource"]["aws_lambda_function"]) == 9
        return
    template = json.loads((out / "sam.json").read_text())
    functions = [r for r in template["Resources"].values()
                 if r["Type"] == "AWS::Serverless::Function"]
    assert len(functions) == 9
    assert {f["Properties"]["CodeUri"] for f in functions} == {"deployment.zip"}
    assert lint(template, tmp_path / "lint") == []
    # A second run with nothing changed reuses the template, byte for byte.
    before = (out / "sam.json").read_bytes()
    again = subprocess.run([sys.executable, "-m", "myframework", "--project-dir",
                            str(project), "package", str(out)], capture_output=True, text=True,
                           env=child_env(), timeout=120, check=False)
    assert again.returncode == 0, again.stderr
    assert (out / "sam.json").read_bytes() == before
