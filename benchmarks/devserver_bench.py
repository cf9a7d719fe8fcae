"""Dev-server benchmark: `myframework local` against `chalice local` and Flask's
threaded dev server, on the same 50-route app, in one run.

    python benchmarks/devserver_bench.py [--duration 10] [--python PY]

PY is an interpreter with chalice and flask installed; the default is the
anchor harness's venv (`../shared/bench/runtime/run.sh` creates it at
/tmp/bench-runtime/venv). myframework is taken from this checkout (PYTHONPATH),
so the numbers are for the code in front of you. The apps are the anchor's
(`../shared/bench/runtime/apps`), so every server answers the same routes with
the same bodies. Every server runs as a user would start it: `myframework
local` with its reloader on (the default), `chalice local --no-autoreload` (as
the anchor runs it) and `flask_app.run(threaded=True)`. Each logs every request;
the logs go to /dev/null for all three.

Load comes from `wrk` (Debian package `wrk`) when installed, otherwise the
anchor's bounded loopback load generator. Only 127.0.0.1 is ever contacted.
For each endpoint and concurrency the three servers run back to back, so their
ratio is fair on a noisy machine. Targets (issue 5): at least 2.5x Flask's
requests/second at 1 and 16 connections, and p99 under 5 ms at 1 connection.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
ANCHOR = ROOT.parent / "shared" / "bench" / "runtime"
DEFAULT_PY = "/tmp/bench-runtime/venv/bin/python"
SERVERS = ("myframework local", "chalice local", "flask dev (werkzeug, threaded)")
FLASK = SERVERS[2]
TARGETS = (("GET /users/42", "/users/42", False), ("POST /items 2KB", "/items", True))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(kind: str, python: str, scratch: pathlib.Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = dict(os.environ)
    if kind == "myframework local":
        project = scratch / "myframework_proj"
        project.mkdir(exist_ok=True)
        (project / "app.py").write_text("import sys\nsys.path.insert(0, %r)\n"
                                        "from apps.myframework_app import app\n" % str(ANCHOR))
        env["PYTHONPATH"] = str(ROOT)
        cmd = [python, "-m", "myframework.cli", "--project-dir", str(project), "local",
               "--host", "127.0.0.1", "--port", str(port)]
    elif kind == "chalice local":
        project = scratch / "chalice_proj"
        (project / ".chalice").mkdir(parents=True, exist_ok=True)
        (project / ".chalice" / "config.json").write_text(json.dumps(
            {"version": "2.0", "app_name": "bench", "stages": {"dev": {"api_gateway_stage":
                                                                        "api"}}}))
        (project / "app.py").write_text("import sys\nsys.path.insert(0, %r)\n"
                                        "from apps.chalice_app import app\n" % str(ANCHOR))
        cmd = [str(pathlib.Path(python).parent / "chalice"), "--project-dir", str(project),
               "local", "--host", "127.0.0.1", "--port", str(port), "--no-autoreload"]
    else:
        cmd = [python, "-c", "from apps.flask_routes import flask_app\n"
               "flask_app.run(host='127.0.0.1', port=%d, threaded=True)" % port]
    proc = subprocess.Popen(cmd, cwd=ANCHOR, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %s: %s" % (kind, proc.returncode, cmd))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError(kind + " did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server and anything it started (its own process group)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def load(url: str, conc: int, duration: int, body: pathlib.Path | None,
         scratch: pathlib.Path) -> dict[str, Any]:
    if shutil.which("wrk"):
        cmd = ["wrk", "-t", str(min(conc, 2)), "-c", str(conc), "-d", "%ds" % duration,
               "--latency", "--timeout", "5s"]
        if body is not None:
            lua = scratch / "post.lua"
            lua.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = '
                           '"application/json"\nwrk.body = [==[%s]==]\n' % body.read_text())
            cmd += ["-s", str(lua)]
        out = subprocess.run([*cmd, url], capture_output=True, text=True,
                             timeout=duration + 60).stdout
        pct = {p: _ms(v, u) for p, v, u in
               re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)$", out, re.M)}
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
        return {"tool": "wrk", "rps": float(rps.group(1)) if rps else 0.0,
                "p50_ms": pct.get("50"), "p99_ms": pct.get("99"),
                "errors": int(non2xx.group(1)) if non2xx else 0}
    cmd = [sys.executable, str(ANCHOR / "loadgen.py"), url, str(conc), str(duration)]
    if body is not None:
        cmd.append(str(body))
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return {"tool": "loadgen.py", **result}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--python", default=DEFAULT_PY,
                        help="interpreter with chalice and flask (default: %(default)s)")
    parser.add_argument("--json", help="also write the raw results to this file")
    args = parser.parse_args()
    if not (ANCHOR / "apps").is_dir():
        sys.exit("error: %s not found; this benchmark needs ../shared beside the checkout"
                 % ANCHOR)
    if not os.path.exists(args.python):
        sys.exit("error: %s not found; run ../shared/bench/runtime/run.sh --quick once (it "
                 "creates that venv) or pass --python with chalice and flask installed"
                 % args.python)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="devserver-bench-") as tmp:
        scratch = pathlib.Path(tmp)
        body = scratch / "post_body.json"
        event = json.loads((ANCHOR / "events" / "post_items.json").read_text())
        body.write_text(event["body"])
        servers: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
        try:
            for kind in SERVERS:
                servers[kind] = start(kind, args.python, scratch)
            for label, path, post in TARGETS:
                for conc in (1, 16):
                    for kind, (_, port) in servers.items():
                        r = load("http://127.0.0.1:%d%s" % (port, path), conc, args.duration,
                                 body if post else None, scratch)
                        results.append({"server": kind, "endpoint": label, "conc": conc, **r})
                        print("%-32s %-16s c=%-3d %8.0f req/s  p99 %s ms" % (
                            kind, label, conc, r["rps"], r["p99_ms"]), file=sys.stderr)
        finally:
            for proc, _ in servers.values():
                stop(proc)
    print(table(results))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


def table(results: list[dict[str, Any]]) -> str:
    flask = {(r["endpoint"], r["conc"]): r["rps"] for r in results if r["server"] == FLASK}
    rows = ["| server | endpoint | conc | req/s | p50 ms | p99 ms | x flask | non-2xx |",
            "|---|---|---|---|---|---|---|---|"]
    verdicts = []
    for r in results:
        ratio = r["rps"] / flask[(r["endpoint"], r["conc"])] if flask.get(
            (r["endpoint"], r["conc"])) else float("nan")
        rows.append("| %s | %s | %d | %.0f | %s | %s | %.2fx | %s |" % (
            r["server"], r["endpoint"], r["conc"], r["rps"],
            "%.2f" % r["p50_ms"] if r["p50_ms"] is not None else "-",
            "%.2f" % r["p99_ms"] if r["p99_ms"] is not None else "-", ratio, r["errors"]))
        if r["server"] == "myframework local":
            ok = ratio >= 2.5 and (r["conc"] != 1 or (r["p99_ms"] or 99) < 5.0)
            verdicts.append("%s c=%d: %.2fx flask%s -> %s" % (
                r["endpoint"], r["conc"], ratio,
                ", p99 %.2f ms" % r["p99_ms"] if r["conc"] == 1 and r["p99_ms"] else "",
                "meets the target" if ok else "MISSES the target"))
    return "\n".join(rows) + "\n\n" + "\n".join(verdicts)


if __name__ == "__main__":
    sys.exit(main())
