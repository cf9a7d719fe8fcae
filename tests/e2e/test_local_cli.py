"""``myframework local`` run as a user runs it: a real process (a supervisor and
its serving child, or one process with ``--no-reload``) on a free port on
127.0.0.1, driven over HTTP and with signals.

Every server is started with ``--port 0`` in its own process group; the port
comes from the banner line ``  http://127.0.0.1:PORT/`` on stdout. Teardown
sends SIGTERM to the whole group, then SIGKILL after 5 s, so nothing is left
running.
"""
from __future__ import annotations

import http.client
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BANNER = re.compile(r"^  http://(?P<host>[^:/]+):(?P<port>\d+)/$")
STARTUP = 10.0


def child_env() -> dict[str, str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
    for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_CURRENT_TEST", "GREETING"):
        env.pop(name, None)
    return env


class Lines:
    """The lines a pipe has produced so far, read on a thread."""

    def __init__(self, pipe: object) -> None:
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._done = False
        self._thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._thread.start()

    def _read(self, pipe: object) -> None:
        for line in pipe:  # type: ignore[attr-defined]
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._done = True
            self._cond.notify_all()

    def wait_for(self, match: Callable[[str], bool], timeout: float = STARTUP,
                 start: int = 0) -> str | None:
        """The first line from index ``start`` on that ``match``es, waiting up to ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines[start:]:
                    if match(line):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._done:
                    return None
                self._cond.wait(remaining)

    def finish(self, timeout: float = 5.0) -> None:
        self._thread.join(timeout)

    @property
    def text(self) -> str:
        with self._cond:
            return "\n".join(self.lines)


class Server:
    """``python -m myframework.cli ... local ARGS`` in its own process group."""

    def __init__(self, project: pathlib.Path, *args: str) -> None:
        command = [sys.executable, "-m", "myframework.cli", "--project-dir", str(project),
                   "local", *args]
        self.proc = subprocess.Popen(command, cwd=project, env=child_env(),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, start_new_session=True)
        self.pgid = self.proc.pid  # start_new_session: the leader of its own group
        self.out = Lines(self.proc.stdout)
        self.err = Lines(self.proc.stderr)
        self._port: int | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            banner = self.out.wait_for(lambda line: BANNER.match(line) is not None)
            assert banner is not None, "no banner:\n%s\n%s" % (self.out.text, self.err.text)
            match = BANNER.match(banner)
            assert match is not None
            assert match["host"] == "127.0.0.1"
            self._port = int(match["port"])
        return self._port

    def get(self, path: str, timeout: float = 5.0) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path, headers={"Connection": "close"})
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8")
        finally:
            connection.close()

    def poll_until(self, path: str, accept: Callable[[int, str], bool],
                   timeout: float = 5.0) -> tuple[int, str]:
        """GET ``path`` until the answer is ``accept``ed; the last answer."""
        deadline = time.monotonic() + timeout
        answer = (0, "")
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "the server died:\n%s" % self.err.text
            try:
                answer = self.get(path, timeout=max(0.5, deadline - time.monotonic()))
            except (OSError, http.client.HTTPException) as exc:
                answer = (0, repr(exc))
            if accept(*answer):
                return answer
            time.sleep(0.1)
        raise AssertionError("no accepted answer within %.0f s; last %r\nstderr:\n%s"
                             % (timeout, answer, self.err.text))

    def wait(self, timeout: float = 10.0) -> int:
        code = self.proc.wait(timeout)
        self.out.finish()
        self.err.finish()
        return code

    def stop(self) -> None:
        """SIGTERM to the group, SIGKILL after 5 s."""
        try:
            os.killpg(self.pgid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.pgid, signal.SIGKILL)  # stragglers of the group too
        except ProcessLookupError:
            pass
        self.proc.wait(5)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(project: pathlib.Path, *args: str) -> Server:
        server = Server(project, "--port", "0", *args)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def run_local(project: pathlib.Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A ``local`` run expected to end by itself (a startup error)."""
    return subprocess.run([sys.executable, "-m", "myframework.cli", "--project-dir",
                           str(project), "local", *args], env=child_env(), capture_output=True,
                          text=True, timeout=20, check=False, start_new_session=True)


def make_project(root: pathlib.Path, app: str, config: dict[str, object] | None = None,
                 ) -> pathlib.Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "app.py").write_text(app, encoding="utf-8")
    if config is not None:
        (root / ".myframework").mkdir(exist_ok=True)
        (root / ".myframework" / "config.json").write_text(json.dumps(config),
                                                           encoding="utf-8")
    return root


def value_app(value: str) -> str:
    return ("from myframework import App\n\napp = App('reload-demo')\n\n\n"
            "@app.route('/')\ndef index():\n    return {'value': %r}\n" % value)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def is_running(pid: int) -> bool:
    try:
        stat = pathlib.Path("/proc/%d/stat" % pid).read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def listening_addresses(port: int) -> list[str]:
    """The IPv4 addresses (hex, as in /proc/net/tcp) listening on ``port``."""
    found = []
    for line in pathlib.Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        address, _, hex_port = fields[1].partition(":")
        if int(hex_port, 16) == port and fields[3] == "0A":
            found.append(address)
    return found


# -- serving -------------------------------------------------------------------------------------

def test_serves_the_petstore_example_on_127_0_0_1(serve: Callable[..., Server]) -> None:
    server = serve(ROOT / "examples" / "petstore")
    status, body = server.get("/pets/1")
    assert status == 200
    assert json.loads(body) == {"id": "1", "name": "Rex", "kind": "dog"}
    assert server.out.lines[0].startswith("Serving petstore (stage dev")
    assert "  http://127.0.0.1:%d/" % server.port in server.out.lines
    if pathlib.Path("/proc/net/tcp").exists():
        assert listening_addresses(server.port) == ["0100007F"]  # 127.0.0.1 only
    status, body = server.get("/pets/99")
    assert status == 404
    assert "no pet with id 99" in body
    assert server.err.wait_for(lambda line: '"GET /pets/1 HTTP/1.1" 200' in line) is not None


STAGE_APP = """\
import os

from myframework import App

app = App("stages-demo")


@app.route("/")
def index():
    return {"greeting": os.environ["GREETING"]}
"""
STAGE_CONFIG: dict[str, object] = {"stages": {
    "dev": {"environment_variables": {"GREETING": "hi"}},
    "prod": {"environment_variables": {"GREETING": "bonjour from prod"}},
}}


@pytest.mark.parametrize(("args", "greeting"), [
    (("--stage", "prod"), "bonjour from prod"),
    (("--no-reload",), "hi"),
])
def test_the_stages_environment_reaches_the_app(
        tmp_path: pathlib.Path, serve: Callable[..., Server], args: tuple[str, ...],
        greeting: str) -> None:
    project = make_project(tmp_path, STAGE_APP, STAGE_CONFIG)
    server = serve(project, *args)
    status, body = server.get("/")
    assert status == 200
    assert json.loads(body) == {"greeting": greeting}


def test_an_unknown_stage_exits_1_with_the_stage_list(tmp_path: pathlib.Path) -> None:
    project = make_project(tmp_path, STAGE_APP, STAGE_CONFIG)
    proc = run_local(project, "--port", "0", "--stage", "qa")
    assert proc.returncode == 1
    assert "no stage 'qa'; the stages are dev, prod" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


# -- reloading -----------------------------------------------------------------------------------

def test_edits_reload_and_a_broken_app_answers_500_until_fixed(
        tmp_path: pathlib.Path, serve: Callable[..., Server]) -> None:
    project = make_project(tmp_path, value_app("first"))
    server = serve(project)
    assert server.get("/") == (200, '{"value":"first"}')
    supervisor = server.proc.pid

    (project / "app.py").write_text(value_app("the second version"), encoding="utf-8")
    server.poll_until("/", lambda status, body: body == '{"value":"the second version"}')

    err_mark = len(server.err.lines)
    (project / "app.py").write_text(
        "from myframework import App\n\napp = App('reload-demo'\n@app.route('/')\n",
        encoding="utf-8")
    _, body = server.poll_until("/", lambda status, body: status == 500)
    assert "app.py" in body
    assert "failed to load" in body
    assert server.err.wait_for(lambda line: "app.py, line 3" in line, start=err_mark)
    assert server.err.wait_for(lambda line: "app = App('reload-demo'" in line, start=err_mark)
    assert "Traceback" not in server.err.text

    (project / "app.py").write_text(value_app("fixed at last!"), encoding="utf-8")
    server.poll_until("/", lambda status, body: (status, body) == (200,
                                                                   '{"value":"fixed at last!"}'))
    assert server.proc.poll() is None
    assert server.proc.pid == supervisor
    ports = {BANNER.match(line)["port"] for line in server.out.lines  # type: ignore[index]
             if BANNER.match(line)}
    assert ports == {str(server.port)}  # every child served the same socket
    assert sum(1 for line in server.out.lines if BANNER.match(line)) >= 3


def test_a_broken_config_edit_keeps_the_server_running(tmp_path: pathlib.Path,
                                                       serve: Callable[..., Server]) -> None:
    project = make_project(tmp_path, value_app("config"), {"lambda_timeout": 30})
    server = serve(project)
    assert server.get("/")[0] == 200
    config = project / ".myframework" / "config.json"
    config.write_text('{"lambda_timeout": 30,,}', encoding="utf-8")
    assert server.err.wait_for(lambda line: "not valid JSON" in line) is not None
    time.sleep(0.5)
    assert server.proc.poll() is None, "the server exited with %s" % server.proc.returncode
    config.write_text('{"lambda_timeout": 45}', encoding="utf-8")
    server.poll_until("/", lambda status, body: status == 200)


# -- startup errors ------------------------------------------------------------------------------

def test_a_port_in_use_exits_1_without_a_traceback(tmp_path: pathlib.Path) -> None:
    project = make_project(tmp_path, value_app("x"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        proc = run_local(project, "--port", str(port))
    assert proc.returncode == 1
    assert "port %d on 127.0.0.1 is already in use" % port in proc.stderr
    assert "--port %d" % (port + 1) in proc.stderr
    assert "Traceback" not in proc.stderr


def test_host_0_0_0_0_warns(tmp_path: pathlib.Path, serve: Callable[..., Server]) -> None:
    project = make_project(tmp_path, value_app("x"))
    server = serve(project, "--host", "0.0.0.0", "--no-reload")
    warning = server.err.wait_for(lambda line: line.startswith("WARNING:"))
    server.stop()  # at once: nothing is served to other machines for longer than needed
    assert warning is not None
    assert "serving on 0.0.0.0" in warning
    assert "127.0.0.1" in warning


@pytest.mark.parametrize(("source", "expected"), [
    ("from myframework import App\napp = App('x'\n", ["app.py, line 2", "app = App('x'"]),
    ("from myframework import App\n\n\ndef setup():\n    raise RuntimeError('no table')\n\n\n"
     "setup()\napp = App('x')\n",
     ['app.py", line 8, in <module>', 'app.py", line 5, in setup',
      "RuntimeError: no table"]),
])
def test_no_reload_with_a_broken_app_exits_1(tmp_path: pathlib.Path, source: str,
                                              expected: list[str]) -> None:
    project = make_project(tmp_path, source)
    proc = run_local(project, "--port", "0", "--no-reload")
    assert proc.returncode == 1
    assert "app.py failed to import" in proc.stderr
    for text in expected:
        assert text in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "myframework/" not in proc.stderr.replace(str(project), "")
    assert "importlib" not in proc.stderr


# -- stopping ------------------------------------------------------------------------------------

def test_sigterm_to_the_supervisor_leaves_no_child(tmp_path: pathlib.Path,
                                                   serve: Callable[..., Server]) -> None:
    project = make_project(tmp_path, value_app("x"))
    server = serve(project)
    assert server.get("/")[0] == 200
    children = children_of(server.proc.pid)
    assert len(children) == 1
    assert all(is_running(pid) for pid in children)
    os.kill(server.proc.pid, signal.SIGTERM)  # the supervisor only, not the group
    assert server.wait() == 0
    assert not [pid for pid in children if is_running(pid)]
    assert "Traceback" not in server.err.text


@pytest.mark.parametrize("args", [(), ("--no-reload",)], ids=["reload", "no-reload"])
def test_ctrl_c_exits_0(tmp_path: pathlib.Path, serve: Callable[..., Server],
                        args: tuple[str, ...]) -> None:
    project = make_project(tmp_path, value_app("x"))
    server = serve(project, *args)
    assert server.get("/")[0] == 200
    os.killpg(server.pgid, signal.SIGINT)  # what the terminal does on Ctrl-C
    assert server.wait() == 0
    assert "Traceback" not in server.err.text
    assert "KeyboardInterrupt" not in server.err.text


# -- schedules -----------------------------------------------------------------------------------

SCHEDULE_APP = """\
from myframework import App, Rate

app = App("schedule-demo")


@app.schedule(Rate(1, unit=Rate.MINUTES))
def ping(event):
    return "pong"


@app.route("/")
def index():
    return {"ok": True}
"""


def test_a_schedule_logs_when_it_first_fires(tmp_path: pathlib.Path,
                                             serve: Callable[..., Server]) -> None:
    project = make_project(tmp_path, SCHEDULE_APP)
    server = serve(project)
    assert server.port
    line = server.err.wait_for(lambda line: "first fires at" in line)
    assert line is not None
    assert "schedule ping" in line
    assert re.search(r"first fires at \d\d:\d\d:\d\d UTC", line)
    assert "1 schedule" in server.out.lines[0]
    assert "(off)" not in server.out.lines[0]


def test_no_schedules_does_not_start_them(tmp_path: pathlib.Path,
                                          serve: Callable[..., Server]) -> None:
    project = make_project(tmp_path, SCHEDULE_APP)
    server = serve(project, "--no-schedules")
    assert server.get("/")[0] == 200  # serving, so the scheduler would have started by now
    assert server.err.wait_for(lambda line: "first fires at" in line, timeout=0.5) is None
    assert "1 schedule (off)" in server.out.lines[0]
