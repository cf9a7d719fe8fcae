"""AWS API calls of `myframework deploy` and `delete`, counted, against moto_server.

    python benchmarks/deploy_calls.py

Deploys the functional tests' app (routes, a WSGI mount, two schedules, S3, SQS and
SNS handlers, a task; tests/functional/deploy_helpers.py) to a moto_server on
127.0.0.1, counting every botocore API call with the tests' hook, for: a first
deploy, a redeploy with nothing changed, a code change, a setting of one function,
and delete. Chalice 1.34's figures on its equivalent app (6 functions, no task;
../shared/specs/aws-emulator.md): first deploy 42 calls, no-op redeploy 50 calls of
which 32 writes, delete 22.

Targets (issue 7): first deploy no more calls than Chalice; a no-op redeploy makes
zero writes; a code change writes only code.
"""
from __future__ import annotations

import collections
import json
import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from tests.functional.deploy_helpers import (
    make_event_sources,
    run,
    write_project,
)
from tests.functional.moto_helpers import MotoServer, is_write, read_calls

CHALICE = {"first deploy": (42, None), "no-op redeploy": (50, 32), "delete": (22, None)}


def main() -> None:
    rows: list[tuple[str, int, int, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        root = pathlib.Path(folder)
        server = MotoServer(workdir=root / "moto").start()
        try:
            make_event_sources(server)
            project = write_project(root / "shop")

            def step(name: str, *args: str) -> None:
                log = root / ("%s.jsonl" % name.replace(" ", "-"))
                result = run(project, server, *args, call_log=log)
                if result.returncode != 0:
                    raise SystemExit("%s failed:\n%s" % (name, result.stderr))
                calls = read_calls(log)
                written = collections.Counter(c["operation"] for c in calls
                                              if is_write(c["operation"]))
                rows.append((name, len(calls), sum(written.values()),
                             ", ".join("%s x%d" % item for item in sorted(written.items()))))

            step("first deploy", "deploy")
            step("no-op redeploy", "deploy")
            app = project / "app.py"
            app.write_text(app.read_text().replace('"hello": "world"', '"hello": "there"'))
            step("code change", "deploy")
            config_file = project / ".myframework" / "config.json"
            config = json.loads(config_file.read_text())
            config["stages"]["dev"]["lambda_functions"]["on_job"]["lambda_memory_size"] = 512
            config_file.write_text(json.dumps(config))
            step("one function's setting", "deploy")
            step("delete", "delete")
        finally:
            server.stop()
    print("| step | calls | writes | Chalice 1.34 calls (writes) | what was written |")
    print("|---|---|---|---|---|")
    for name, calls, writes, what in rows:
        chalice = CHALICE.get(name)
        reference = ("%d%s" % (chalice[0], " (%d)" % chalice[1] if chalice[1] else "")
                     if chalice else "")
        print("| %s | %d | %d | %s | %s |" % (name, calls, writes, reference, what or "nothing"))


if __name__ == "__main__":
    main()
