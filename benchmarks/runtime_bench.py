#!/usr/bin/env python3
"""myframework's own runtime figures: warm dispatch and cold import, against the floor.

    python3 benchmarks/runtime_bench.py            # ~30 s
    python3 benchmarks/runtime_bench.py --quick    # ~5 s, smoke only

Warm: ns per ``handler(event, context)`` for GET /, GET /users/{id}, a 2 KB
JSON POST and a 404, on realistic API Gateway REST events (17-19 headers,
full requestContext), each framework in its own fresh interpreter, samples
interleaved; median and ratio to the floor. Cold: median cumulative
``-X importtime`` of importing the app module (which builds the 50 routes),
and its ratio to the floor's. Targets (issue 2): warm GET <= 3x floor, POST
<= 1.15x, 404 <= 3x; cold <= 1.5x. The cross-framework comparison lives in
../shared/bench/runtime; this script needs nothing but myframework.
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
APPS = {"floor": "benchmarks.apps.floor", "myframework": "benchmarks.apps.fifty_routes"}
SCENARIOS = ("get_root", "get_user", "post_items", "not_found")
TARGETS = {"get_root": 3.0, "get_user": 3.0, "post_items": 1.15, "not_found": 3.0}
COLD_TARGET = 1.5


def events() -> dict[str, dict[str, Any]]:
    from myframework.testing import make_event
    base = {
        "Accept": "application/json", "Accept-Encoding": "gzip, deflate, br",
        "Accept-Language": "en-US,en;q=0.9", "CloudFront-Forwarded-Proto": "https",
        "CloudFront-Is-Desktop-Viewer": "true", "CloudFront-Is-Mobile-Viewer": "false",
        "CloudFront-Is-SmartTV-Viewer": "false", "CloudFront-Is-Tablet-Viewer": "false",
        "CloudFront-Viewer-Country": "US", "User-Agent": "Mozilla/5.0 (X11; Linux x86_64)",
        "Via": "2.0 4f3c1a2b6d7e8f9a.cloudfront.net (CloudFront)",
        "X-Amz-Cf-Id": "Xw3Zb9Q0c1d2e3f4g5h6i7j8k9l0m1n2o3p4q5r6s7t8u9v0w1x2y3==",
        "X-Amzn-Trace-Id": "Root=1-65a1b2c3-0123456789abcdef01234567",
        "X-Forwarded-For": "203.0.113.10, 198.51.100.20", "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }
    doc = {"name": "widget", "tags": ["t%02d" % i for i in range(10)],
           "lines": [{"sku": "SKU-%04d" % i, "qty": i % 7 + 1, "price": 9.99 + i}
                     for i in range(43)]}
    body = json.dumps(doc, separators=(",", ":"))
    post_headers = dict(base, **{"Content-Type": "application/json",
                                 "Content-Length": str(len(body))})
    return {
        "get_root": make_event("GET", "/", dict(base), None, "rest", stage="dev"),
        "get_user": make_event("GET", "/users/42", dict(base), None, "rest", stage="dev"),
        "post_items": make_event("POST", "/items", post_headers, body, "rest", stage="dev"),
        "not_found": make_event("GET", "/nope/missing", dict(base), None, "rest", stage="dev"),
    }


def child_warm(module: str, repeats: int, target_s: float) -> None:
    """In a fresh interpreter: calibrated loops, samples interleaved across scenarios."""
    import importlib
    handler = importlib.import_module(module).handler
    evs = events()
    for name, ev in evs.items():
        status = handler(ev, None)["statusCode"]
        assert status == {"post_items": 201, "not_found": 404}.get(name, 200), (name, status)
    numbers = {}
    for name, ev in evs.items():
        n = 1
        while True:
            t0 = time.perf_counter_ns()
            for _ in range(n):
                handler(ev, None)
            elapsed = time.perf_counter_ns() - t0
            if elapsed > 20e6:
                break
            n *= 4
        numbers[name] = max(1, int(n * target_s * 1e9 / elapsed))
    samples: dict[str, list[float]] = {name: [] for name in evs}
    for _ in range(repeats):
        for name, ev in evs.items():
            n = numbers[name]
            t0 = time.perf_counter_ns()
            for _ in range(n):
                handler(ev, None)
            samples[name].append((time.perf_counter_ns() - t0) / n)
    print(json.dumps(samples))


def run_child(*args: str) -> Any:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, str(HERE / "runtime_bench.py"), "--child", *args],
                          capture_output=True, text=True, env=env, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def importtime_us(module: str) -> int:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # -S: no site imports, so modules a site hook preloads (re, typing...) are paid for
    # here, as in a clean Lambda-like virtualenv
    proc = subprocess.run([sys.executable, "-S", "-X", "importtime", "-c", "import " + module],
                          capture_output=True, text=True, env=env, check=True)
    for line in proc.stderr.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1])
    raise RuntimeError("no importtime line for " + module)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("MODULE", "REPEATS", "TARGET_S"))
    args = parser.parse_args()
    if args.child:
        child_warm(args.child[0], int(args.child[1]), float(args.child[2]))
        return
    rounds, repeats, target = (1, 3, 0.02) if args.quick else (4, 6, 0.05)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "myframework"),
                    str(HERE)], check=True)
    warm: dict[str, dict[str, list[float]]] = {app: {s: [] for s in SCENARIOS} for app in APPS}
    order = list(APPS)
    for r in range(rounds):
        for app in order[r % 2:] + order[:r % 2]:
            for name, xs in run_child(APPS[app], str(repeats), str(target)).items():
                warm[app][name].extend(xs)
    cold: dict[str, list[int]] = {app: [] for app in APPS}
    for _ in range(5 if args.quick else 15):
        for app, module in APPS.items():
            cold[app].append(importtime_us(module))
    floor = {s: statistics.median(warm["floor"][s]) for s in SCENARIOS}
    cold_floor = statistics.median(cold["floor"])
    print("| app | " + " | ".join(SCENARIOS) + " | cold importtime µs |")
    print("|---" * (len(SCENARIOS) + 2) + "|")
    ok = True
    for app in APPS:
        cells = []
        for s in SCENARIOS:
            med = statistics.median(warm[app][s])
            ratio = med / floor[s]
            if app != "floor" and ratio > TARGETS[s]:
                ok = False
            cells.append("%s ns %.2fx" % (format(med, ",.0f"), ratio))
        c = statistics.median(cold[app])
        if app != "floor" and c / cold_floor > COLD_TARGET:
            ok = False
        print("| %s | %s | %s %.2fx |" % (app, " | ".join(cells), format(c, ","), c / cold_floor))
    print("\ntargets: GET <= 3x, POST <= 1.15x, 404 <= 3x, cold <= 1.5x: %s"
          % ("met" if ok else "NOT met"))


if __name__ == "__main__":
    main()
