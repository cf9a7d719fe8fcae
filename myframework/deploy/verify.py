"""``package --verify``: prove the zip works before anything reaches AWS.

The zip (and its layer) is unpacked into a temporary folder, and a fresh,
isolated interpreter (``-I -S``: no site-packages, no user paths, no
``PYTHON*`` variables), with only that folder and the standard library on its
path, imports the app and runs every registered handler once on a sample event
of its kind, and the HTTP handler on ``GET /``. A missing dependency or a crash
while importing fails the verification; an exception a handler raises on the
sample event (it may need AWS, or other data) is reported, not failed, unless
it is an ``ImportError``.

The interpreter must match the target: the same Python version, on the same
architecture. Without one, verification is skipped with a note saying what to
install.
"""
from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import platform
import shutil
import subprocess
import sys
import tempfile
import zipfile

import myframework

from .packaging import ARCHITECTURES, Target

# What the Lambda Python runtime itself provides (boto3 and what it needs), made
# visible to the verifier from this machine's installation when it has them.
LAMBDA_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")

_CHILD = r'''
import json, sys, traceback
package, layer, provided, testing_file, stage = sys.argv[1:6]
sys.path[:] = ([package, layer] + [p for p in sys.path[1:] if p and "site-packages" not in p]
               + [provided])  # last, as Lambda's own copy of boto3 is
report = {"imported": False, "handlers": []}
def emit():
    sys.stdout.write("\n@@VERIFY@@" + json.dumps(report) + "\n")
try:
    import app as module
    app = module.app
except BaseException as exc:
    report["error"] = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    emit()
    sys.exit(0)
report["imported"] = True
import importlib.util
spec = importlib.util.spec_from_file_location("myframework.testing", testing_file)
testing = importlib.util.module_from_spec(spec)
sys.modules["myframework.testing"] = testing
spec.loader.exec_module(testing)
from myframework.runtime.dispatch import run_bound
runs = [(s.name, testing.sample_event(s, app.app_name, stage)) for s in app.registry.handlers]
if app.registry.routes or app.registry.mounts:
    runs.insert(0, ("api_handler", testing.make_event("GET", "/")))
for name, event in runs:
    entry = {"name": name}
    try:
        if name == "api_handler":
            result = app(event, testing.FakeLambdaContext("verify"))
            entry["status"] = result.get("statusCode") if isinstance(result, dict) else None
        else:
            run_bound(app, name, event, testing.FakeLambdaContext("verify-" + name))
        entry["ok"] = True
    except BaseException as exc:
        entry["ok"] = False
        entry["import_error"] = isinstance(exc, ImportError)
        entry["error"] = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    report["handlers"].append(entry)
emit()
'''


@dataclasses.dataclass
class VerifyResult:
    """``ok``: the package imports and no handler lacked a module. ``skipped`` says why
    nothing could be run (no matching interpreter)."""

    ok: bool
    skipped: str | None = None
    import_error: str | None = None
    failures: list[str] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)
    ran: list[str] = dataclasses.field(default_factory=list)

    def describe(self) -> str:
        if self.skipped:
            return "verify: skipped: " + self.skipped
        if self.import_error:
            return "verify: FAILED: app.py does not import from the package:\n" + self.import_error
        lines = ["verify: %s: imported in a clean interpreter and ran %s" % (
            "ok" if self.ok else "FAILED", ", ".join(self.ran) or "no handlers")]
        lines.extend("  FAILED " + failure for failure in self.failures)
        lines.extend("  note: " + warning for warning in self.warnings)
        return "\n".join(lines)


def _machine() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def find_interpreter(target: Target) -> str | None:
    """A Python of the target's version on this machine, if its architecture matches."""
    if _machine() != ARCHITECTURES[target.architecture]:
        return None
    if "%d.%d" % sys.version_info[:2] == target.python_version:
        return sys.executable
    found = shutil.which("python" + target.python_version)
    if found is None:
        return None
    try:  # e.g. a pyenv shim for a version that is not selected answers with an error
        probe = subprocess.run([found, "-I", "-S", "-c",
                                "import sys; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return found if probe.stdout.strip() == target.python_version else None


def verify_package(zip_path: pathlib.Path, target: Target,
                   layer_path: pathlib.Path | None = None,
                   environment: dict[str, str] | None = None, stage: str = "dev",
                   timeout: float = 120.0) -> VerifyResult:
    """Unpack and exercise the package as Lambda would load it."""
    python = find_interpreter(target)
    if python is None:
        if _machine() != ARCHITECTURES[target.architecture]:
            why = ("it is built for %s and this machine is %s; verify it on an %s machine"
                   % (target.architecture, _machine(), target.architecture))
        else:
            why = ("there is no working python%s on this machine to run it with; install one "
                   "to verify packages for %s" % (target.python_version, target.runtime))
        return VerifyResult(True, skipped=why)
    testing_file = pathlib.Path(myframework.__file__).resolve().parent / "testing.py"
    with tempfile.TemporaryDirectory(prefix="myframework-verify-") as scratch:
        package = pathlib.Path(scratch) / "task"
        layer = pathlib.Path(scratch) / "opt"
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(package)
        if layer_path is not None:
            with zipfile.ZipFile(layer_path) as archive:
                archive.extractall(layer)
        provided = pathlib.Path(scratch) / "runtime"
        missing = _provide_lambda_libraries(provided)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
               "AWS_LAMBDA_FUNCTION_NAME": "verify", "LAMBDA_TASK_ROOT": str(package),
               **(environment or {})}
        try:
            proc = subprocess.run(
                [python, "-I", "-S", "-c", _CHILD, str(package), str(layer / "python"),
                 str(provided), str(testing_file), stage],
                capture_output=True, text=True, timeout=timeout, env=env, cwd=scratch,
                check=False)
        except subprocess.TimeoutExpired:
            return VerifyResult(False, failures=["the package did not finish importing and "
                                                 "running its handlers in %d s" % timeout])
    marker = proc.stdout.rfind("@@VERIFY@@")
    if missing and marker >= 0 and "No module named 'boto3'" in proc.stdout[marker:]:
        return VerifyResult(True, skipped="the app imports boto3, which Lambda provides but "
                                          "this machine does not have; pip install boto3 to "
                                          "verify it")
    if marker < 0:
        return VerifyResult(False, import_error=(proc.stderr or proc.stdout)[-4000:]
                            or "the interpreter exited with %s" % proc.returncode)
    report = json.loads(proc.stdout[marker + len("@@VERIFY@@"):].strip().splitlines()[0])
    if not report["imported"]:
        return VerifyResult(False, import_error=report["error"])
    result = VerifyResult(True)
    if missing:
        result.warnings.append("boto3 is not installed on this machine, so an app importing "
                               "it fails here although Lambda provides it; pip install boto3")
    for entry in report["handlers"]:
        result.ran.append(entry["name"])
        if entry["ok"]:
            continue
        if entry["import_error"]:
            result.ok = False
            result.failures.append("%s: %s (a dependency missing from the package?)"
                                   % (entry["name"], entry["error"]))
        else:
            result.warnings.append("%s raised on its sample event: %s" % (entry["name"],
                                                                         entry["error"]))
    return result


def _provide_lambda_libraries(folder: pathlib.Path) -> bool:
    """Link this machine's boto3 family into ``folder``; True if boto3 is missing."""
    import importlib.util
    folder.mkdir()
    missing = False
    for name in LAMBDA_PROVIDED:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None or spec.origin is None:
            missing = missing or name == "boto3"
            continue
        origin = pathlib.Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        try:
            os.symlink(source, folder / source.name)
        except OSError:
            missing = missing or name == "boto3"
    return missing
