"""Packaging benchmark: `myframework package` against `chalice package`, in one run.

    python benchmarks/package_bench.py [--python PY] [--rounds 3]

Both build the same small app, with `requests` and `pydantic` in
requirements.txt, for the same target (the interpreter's Python version on
x86_64, which is what Chalice builds for). PY must have chalice, requests and
pydantic installed (both tools import the app while packaging); by default the
script makes such a venv in /tmp/package-bench-venv. myframework comes from
this checkout (PYTHONPATH).

Three timings per tool, medians of ROUNDS fresh projects:
- first build: a new project (no project cache), pip's own download cache
  warmed for both tools beforehand, so neither pays for the network;
- rebuild: the same command again, nothing changed;
- code change: app.py edited, then the command again.
For myframework it also reports whether the rebuild ran pip.

Targets (issue 6): first build no slower than Chalice; rebuild at most 0.5x
Chalice's rebuild; a code-only change rebuilds without touching dependencies.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
VENV = pathlib.Path("/tmp/package-bench-venv")
DEFAULT_PY = str(VENV / "bin" / "python")
REQUIREMENTS = "requests\npydantic\n"

CHALICE_APP = '''from chalice import Chalice
import requests
import pydantic

app = Chalice(app_name="pkgbench")


@app.route("/")
def index():
    return {"requests": requests.__version__, "pydantic": pydantic.VERSION}
'''
MYFRAMEWORK_APP = (CHALICE_APP
                   .replace("from chalice import Chalice", "from myframework import App")
                   .replace('Chalice(app_name="pkgbench")', 'App("pkgbench")'))


def make_project(kind: str, where: pathlib.Path, python_version: str) -> pathlib.Path:
    where.mkdir(parents=True)
    (where / "requirements.txt").write_text(REQUIREMENTS)
    if kind == "chalice":
        (where / "app.py").write_text(CHALICE_APP)
        (where / ".chalice").mkdir()
        (where / ".chalice" / "config.json").write_text(json.dumps(
            {"version": "2.0", "app_name": "pkgbench", "stages": {"dev": {}}}))
    else:
        (where / "app.py").write_text(MYFRAMEWORK_APP)
        (where / ".myframework").mkdir()
        (where / ".myframework" / "config.json").write_text(json.dumps(
            {"app_name": "pkgbench", "stages": {"dev": {
                "runtime": "python" + python_version, "architecture": "x86_64"}}}))
    return where


def command(kind: str, python: str, project: pathlib.Path, out: pathlib.Path) -> list[str]:
    if kind == "chalice":
        return [str(pathlib.Path(python).parent / "chalice"), "--project-dir", str(project),
                "package", str(out)]
    return [python, "-m", "myframework", "--project-dir", str(project), "package", str(out)]


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError("%s failed:\n%s\n%s" % (" ".join(cmd), proc.stdout, proc.stderr))
    return elapsed, proc.stdout + proc.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=DEFAULT_PY)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.python == DEFAULT_PY and not os.path.exists(DEFAULT_PY):
        print("creating %s (chalice, requests, pydantic)..." % VENV, file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([DEFAULT_PY, "-m", "pip", "install", "-q", "chalice==1.34.0", "requests",
                        "pydantic", "click"], check=True)
    if not os.path.exists(args.python):
        sys.exit("error: %s not found; pass --python with chalice installed" % args.python)
    version = subprocess.run([args.python, "-c", "import sys; print('%d.%d' % "
                              "sys.version_info[:2])"], capture_output=True, text=True,
                             check=True).stdout.strip()
    env = dict(os.environ, PYTHONPATH=str(ROOT), AWS_DEFAULT_REGION="us-east-1")
    results: dict[str, dict[str, list[float]]] = {}
    pip_in_rebuild: list[bool] = []
    with tempfile.TemporaryDirectory(prefix="package-bench-") as tmp:
        scratch = pathlib.Path(tmp)
        for kind in ("chalice", "myframework"):  # warm pip's download cache for both
            project = make_project(kind, scratch / ("warm-" + kind), version)
            timed(command(kind, args.python, project, scratch / ("warm-out-" + kind)), env)
        for round_no in range(args.rounds):
            for kind in ("chalice", "myframework"):
                project = make_project(kind, scratch / ("%s-%d" % (kind, round_no)), version)
                out = scratch / ("out-%s-%d" % (kind, round_no))
                cmd = command(kind, args.python, project, out)
                first, _ = timed(cmd, env)
                rebuild, text = timed(cmd, env)
                if kind == "myframework":
                    pip_in_rebuild.append("no pip run" not in text)
                app = project / "app.py"
                app.write_text(app.read_text().replace('"requests"', '"requests-version"'))
                change, text = timed(cmd, env)
                if kind == "myframework":
                    pip_in_rebuild.append("no pip run" not in text)
                timings = results.setdefault(kind, {"first": [], "rebuild": [], "change": []})
                timings["first"].append(first)
                timings["rebuild"].append(rebuild)
                timings["change"].append(change)
                print("round %d %-11s first %.2fs rebuild %.2fs code change %.2fs"
                      % (round_no + 1, kind, first, rebuild, change), file=sys.stderr)
    med = {kind: {k: statistics.median(v) for k, v in t.items()} for kind, t in results.items()}
    print("| step | chalice package | myframework package | ratio |")
    print("|---|---|---|---|")
    for step, label in (("first", "first build"), ("rebuild", "rebuild, nothing changed"),
                        ("change", "rebuild after a code change")):
        c, m = med["chalice"][step], med["myframework"][step]
        print("| %s | %.2f s | %.2f s | %.2fx |" % (label, c, m, m / c))
    print("\nmyframework ran pip in a rebuild: %s" % ("yes" if any(pip_in_rebuild) else "no"))
    ok_first = med["myframework"]["first"] <= med["chalice"]["first"]
    ok_rebuild = med["myframework"]["rebuild"] <= 0.5 * med["chalice"]["rebuild"]
    print("first build no slower than chalice: %s" % ("yes" if ok_first else "NO"))
    print("rebuild at most 0.5x chalice's: %s" % ("yes" if ok_rebuild else "NO"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
