"""Fault injection: a first deploy is cut off by killing the emulator just before its
N-th API call, for every N. The emulator then comes back with everything it had received
(its recording replayed), deploy is run again, then delete. Every time: exactly one of each
resource after the second deploy, and nothing of the app left after delete.

Chalice 1.34 fails this (../shared/specs/aws-emulator.md): killed after its REST API
import, the re-run makes a second REST API and a second SQS mapping, and its delete
leaves both behind, because it records what it made only at the end.
"""
from __future__ import annotations

import pathlib

from .deploy_helpers import EXPECTED, PREFIX, counts, make_event_sources, run, write_project
from .moto_helpers import MotoServer, inventory, read_calls


def _one_cut(server: MotoServer, root: pathlib.Path, n: int) -> list[str]:
    """Deploy killed before call ``n``, then deploy and delete; what went wrong (if anything)."""
    problems: list[str] = []
    server.reset()
    make_event_sources(server)
    project = write_project(root)
    log = root.parent / ("%s.jsonl" % root.name)
    cut = run(project, server, "deploy", call_log=log, kill_before=n, kill_pid=server.pid)
    calls = read_calls(log)
    killed = [call for call in calls if call.get("killed")]
    if not killed:
        return ["call %d: the emulator was never killed (%d calls made)" % (n, len(calls))]
    where = "killed before call %d (%s.%s)" % (n, killed[0]["service"], killed[0]["operation"])
    if cut.returncode != 1 or not cut.stderr.startswith("Error: ") or "Traceback" in cut.stderr:
        problems.append("%s: the cut deploy did not fail with one clear error: rc %d, %s"
                        % (where, cut.returncode, cut.stderr[-500:]))
    server.restart_with_replay()
    again = run(project, server, "deploy")
    if again.returncode != 0:
        return [*problems, "%s: the re-run failed: %s" % (where, again.stderr[-800:])]
    found = counts(inventory(server))
    if found != EXPECTED:
        problems.append("%s: after the re-run %s" % (where, {
            key: (found.get(key), value) for key, value in EXPECTED.items()
            if found.get(key) != value}))
    audit = [item.id for item in inventory(server).s3_notifications if item.kind == "queue"]
    if audit != ["audit"]:
        problems.append("%s: the bucket's own notification was lost: %s" % (where, audit))
    gone = run(project, server, "delete")
    left = inventory(server).deployed_by(PREFIX)
    if gone.returncode != 0 or not left.is_empty():
        problems.append("%s: delete rc %d left %s" % (
            where, gone.returncode, {k: v for k, v in left.counts().items() if v}))
    return problems


def test_a_first_deploy_cut_off_before_any_call_converges(tmp_path: pathlib.Path) -> None:
    server = MotoServer(recording_file=tmp_path / "recording.jsonl",
                        workdir=tmp_path / "moto").start()
    try:
        make_event_sources(server)
        project = write_project(tmp_path / "count")
        log = tmp_path / "count.jsonl"
        first = run(project, server, "deploy", call_log=log)
        assert first.returncode == 0, first.stderr
        total = len(read_calls(log))
        assert total > 10
        problems: list[str] = []
        for n in range(1, total + 1):
            problems += _one_cut(server, tmp_path / ("cut%02d" % n), n)
        assert problems == [], "\n".join(problems)
    finally:
        server.stop()
