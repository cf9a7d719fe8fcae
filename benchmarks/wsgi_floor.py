#!/usr/bin/env python3
"""How fast can any bridge run the anchor Flask app? A bare adapter against the real ones.

    MYFRAMEWORK_SRC=$PWD ../shared/bench/runtime/run.sh --only warm   # once, to build the venv
    /tmp/bench-runtime/venv/bin/python benchmarks/wsgi_floor.py [../shared/bench/runtime]

Runs the anchor benchmark's own warm loop (``child.py warm``) on three
handlers of the same Flask app and prints median ns per request with the
ratio to apig-wsgi:

- ``flask+apig-wsgi``: the anchor's lightest adapter;
- ``bare adapter``: this module's :func:`handler`, which does only what
  cannot be skipped (headers copied in C, a fixed SCRIPT_NAME and host, no
  routing, no multi-value headers, no query string, no checks). No real
  bridge can be cheaper; it is the floor for the ``flask+myframework`` slot;
- ``flask+myframework``: ``app.mount_wsgi(flask_app)``.
"""
import importlib
import json
import os
import statistics
import subprocess
import sys
from io import BytesIO
from typing import Any

from myframework.runtime.wsgi import _keys_for

_flask_app: Any = None


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The bare adapter (REST events of the anchor benchmark only)."""
    global _flask_app
    if _flask_app is None:
        _flask_app = importlib.import_module("apps.flask_routes").flask_app
    headers = event["headers"]
    keys = _keys_for(tuple(headers))
    assert keys is not None
    env: dict[str, Any] = dict(zip(keys, headers.values(), strict=True))
    env.pop("", None)
    body = event["body"]
    data = body.encode() if body else b""
    env.update({
        "REQUEST_METHOD": event["httpMethod"], "SCRIPT_NAME": "/dev", "PATH_INFO": event["path"],
        "QUERY_STRING": "", "SERVER_NAME": "abc123defg.execute-api.us-east-1.amazonaws.com",
        "SERVER_PORT": "443", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "https",
        "wsgi.input": BytesIO(data), "CONTENT_LENGTH": str(len(data)), "wsgi.version": (1, 0),
        "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True,
        "wsgi.run_once": False, "wsgi.input_terminated": True})
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started[:] = (status, headers)

    result = _flask_app(env, start_response)
    out = b"".join(result)
    result.close()
    return {"statusCode": int(started[0][:3]), "headers": dict(started[1]),
            "body": out.decode(), "isBase64Encoded": False}


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    bench_dir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "..", "..", "shared", "bench", "runtime"))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([here, os.path.dirname(here)]))
    rows = {"flask+apig-wsgi": "apps.flask_apig_app", "bare adapter": "wsgi_floor",
            "flask+myframework": "apps.myframework_flask_app"}
    medians: dict[str, dict[str, float]] = {}
    for label, module in rows.items():
        proc = subprocess.run([sys.executable, os.path.join(bench_dir, "child.py"), "warm", module,
                               "6", "0.05"], cwd=bench_dir, env=env, capture_output=True,
                              text=True, check=True)
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        if "skipped" in out:
            sys.exit("%s skipped: %s" % (label, out["skipped"]))
        medians[label] = {sc: statistics.median(xs) for sc, xs in out["samples"].items()}
    base = medians["flask+apig-wsgi"]
    print("| handler | " + " | ".join(base) + " |")
    print("|---|" + "---|" * len(base))
    for label, row in medians.items():
        print("| %s | " % label + " | ".join(
            "%s ns %.3fx" % (format(round(row[sc]), ","), row[sc] / base[sc]) for sc in base)
            + " |")


if __name__ == "__main__":
    main()
