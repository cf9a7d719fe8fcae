"""``myframework local``: put the app behind a local HTTP server.

:func:`run` checks the project and config, binds the socket, then either
serves in this process (``reload=False``) or supervises a child process that
serves and exits with :data:`~myframework.local.reloader.RESTART_CODE` when a
file changes (see :mod:`myframework.local.reloader`). :func:`serve` is what
the serving process does: apply the stage's environment variables, import the
app, install the local task pool and scheduler, and serve until stopped.
"""
from __future__ import annotations

import dataclasses
import errno
import ipaddress
import json
import logging
import os
import pathlib
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import TextIO

from ..config import API_HANDLER, DEFAULT_TIMEOUT, ConfigError, StageConfig, load_config
from ..project import AppLoadError, ProjectError, find_project, load_app
from ..testing import EVENT_FORMATS
from .gateway import BrokenApp, LocalGateway
from .httpserver import MAX_BODY, MAX_HEAD, AccessLog, Handler, HTTPServer
from .reloader import RESTART_CODE, Watcher
from .scheduler import LocalScheduler
from .tasks import LocalTaskPool

FD_ENV = "MYFRAMEWORK_LOCAL_FD"
log = logging.getLogger("myframework.local")
# Request limits per event format: (head bytes, body bytes, whose limits). API Gateway
# takes 10 KB of request line and headers and a 10 MB body; ALBs and Function URLs take
# bigger heads, but an ALB passes at most 1 MB of body to a Lambda target and a Function
# URL at most Lambda's 6 MB invocation payload.
FORMAT_LIMITS = {
    "rest": (MAX_HEAD, MAX_BODY, "API Gateway"),
    "http-api": (MAX_HEAD, MAX_BODY, "API Gateway"),
    "function-url": (64 * 1024, 6 * 1024 * 1024, "Lambda Function URLs"),
    "alb": (64 * 1024, 1024 * 1024, "ALB Lambda targets"),
    "alb-multi": (64 * 1024, 1024 * 1024, "ALB Lambda targets"),
}
HEAD_LIMITS = {name: limits[0] for name, limits in FORMAT_LIMITS.items()}


def _server(sock: socket.socket, handler: Handler, options: LocalOptions,
            on_error: Callable[[BaseException], None] | None = None) -> HTTPServer:
    max_head, max_body, service = FORMAT_LIMITS[options.event_format]
    return HTTPServer(sock, handler, AccessLog(sys.stderr), max_head=max_head,
                      max_body=max_body, service=service, on_error=on_error)


class LocalError(Exception):
    """``myframework local`` cannot start; the message says why and what to do."""


@dataclasses.dataclass
class LocalOptions:
    project_dir: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    stage: str = "dev"
    event_format: str = "rest"
    reload: bool = True
    schedules: bool = True
    workers: int = 4


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, or a :class:`LocalError` saying what to do."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise LocalError("cannot listen on %s: %s; pass --host 127.0.0.1 (the default) or "
                         "another address of this machine" % (host, exc.strerror)) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise LocalError("port %d on %s is already in use: stop the program using it, or "
                             "pass another port (--port %d)" % (port, host, port + 1)) from None
        if exc.errno == errno.EACCES:
            raise LocalError("no permission to listen on port %d; use a port above 1023 "
                             "(--port 8000)" % port) from None
        raise LocalError("cannot listen on %s:%d: %s" % (host, port, exc.strerror)) from None
    return sock


def check(options: LocalOptions) -> tuple[pathlib.Path, StageConfig]:
    """The project folder and the stage's settings, or a clear error."""
    if options.event_format not in EVENT_FORMATS:
        raise LocalError("--event-format must be one of %s" % ", ".join(EVENT_FORMATS))
    try:
        root = find_project(options.project_dir)
        stage = load_config(root).stage(options.stage)
    except (ProjectError, ConfigError) as exc:
        raise LocalError(str(exc)) from None
    return root, stage


def run(options: LocalOptions, out: TextIO | None = None) -> int:
    """Serve until Ctrl-C; the exit status."""
    out = out or sys.stdout
    check(options)
    sock = bind(options.host, options.port)
    if not is_loopback(options.host):
        print("WARNING: serving on %s, so other machines can reach this server; it is for "
              "development only (the default --host 127.0.0.1 keeps it local)" % options.host,
              file=sys.stderr, flush=True)
    try:
        if not options.reload:
            return serve(options, sock, supervised=False, out=out)
        return supervise(options, sock)
    finally:
        sock.close()


def supervise(options: LocalOptions, sock: socket.socket) -> int:
    """Run serving children on ``sock`` until one exits for another reason than a reload."""
    env = dict(os.environ)
    env[FD_ENV] = str(sock.fileno())
    arguments = json.dumps(dataclasses.asdict(options))

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        while True:
            child = subprocess.Popen([sys.executable, "-m", "myframework.local.child",
                                      arguments], pass_fds=(sock.fileno(),), env=env)
            try:
                code = child.wait()
            except KeyboardInterrupt:  # Ctrl-C reaches the child too; SIGTERM may not
                child.terminate()
                try:
                    child.wait(10)
                except (subprocess.TimeoutExpired, KeyboardInterrupt):
                    child.kill()
                    child.wait()
                return 0
            if code != RESTART_CODE:
                return 0 if code in (-signal.SIGINT, -signal.SIGTERM) else code
    finally:
        signal.signal(signal.SIGTERM, previous)


def _orphan_check(server: HTTPServer) -> None:
    """Stop serving if the supervisor is gone (killed without a chance to stop us)."""
    parent = os.getppid()
    while not server.stopping.wait(1.0):
        if os.getppid() != parent:
            log.warning("the myframework local process that started this server is gone; "
                        "stopping")
            server.stopping.set()


def _setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s",
                                           "%H:%M:%S"))
    root = logging.getLogger("myframework")
    if not root.handlers:
        root.addHandler(handler)
    root.setLevel(logging.INFO)


def _banner(options: LocalOptions, root: pathlib.Path, app_name: str, routes: int, mounts: int,
            schedules: int, tasks: int, sock: socket.socket, watcher: Watcher | None) -> str:
    host, port = sock.getsockname()[:2]
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    if ":" in shown:
        shown = "[%s]" % shown
    kind = {"rest": "API Gateway REST", "http-api": "HTTP API", "function-url": "Function URL",
            "alb": "ALB", "alb-multi": "ALB (multi-value)"}[options.event_format]
    parts = ["%d route%s" % (routes, "" if routes == 1 else "s")]
    if mounts:
        parts.append("%d WSGI mount%s" % (mounts, "" if mounts == 1 else "s"))
    if schedules:
        parts.append("%d schedule%s%s" % (schedules, "" if schedules == 1 else "s",
                                          "" if options.schedules else " (off)"))
    if tasks:
        parts.append("%d task%s on %d local workers" % (tasks, "" if tasks == 1 else "s",
                                                        options.workers))
    lines = ["Serving %s (stage %s, %s events): %s" % (app_name, options.stage, kind,
                                                       ", ".join(parts)),
             "  http://%s:%d/" % (shown, port),
             "  %s; Ctrl-C to quit" % ("reloading on changes to %s (%s)"
                                      % (root, watcher.backend) if watcher else "no reloading")]
    return "\n".join(lines)


def serve(options: LocalOptions, sock: socket.socket, supervised: bool,
          out: TextIO | None = None) -> int:
    """Import the app and serve it on ``sock`` until Ctrl-C or, when
    ``supervised``, until a watched file changes (then :data:`RESTART_CODE`)."""
    out = out or sys.stdout
    _setup_logging()
    try:
        root, stage = check(options)
    except LocalError as exc:
        if not supervised:
            raise
        # e.g. config.json saved with an error: wait for the fix, as for a broken app.py
        root = pathlib.Path(options.project_dir or os.getcwd()).resolve()
        print("Error: %s" % exc, file=sys.stderr, flush=True)
        return _wait_for_fix(sock, root, options, str(exc).splitlines()[0], "The project")
    os.environ.update(stage.environment(API_HANDLER))
    reloader = _Reloader(root) if supervised else None
    if reloader is not None:
        reloader.watcher.start()  # before importing, so an edit during a slow import counts
    try:
        app = load_app(root)
    except AppLoadError as exc:
        print(str(exc), file=sys.stderr, flush=True)
        if reloader is None:
            return 1
        reloader.watcher.stop()
        if reloader.restart.is_set():  # saved again while importing: try it at once
            return RESTART_CODE
        return _wait_for_fix(sock, root, options, exc.summary)
    gateway = LocalGateway(app, options.event_format, stage.api_gateway_stage,
                           "%s-%s" % (app.app_name, options.stage), stage.timeout(API_HANDLER),
                           stage.memory_size(API_HANDLER), sock.getsockname()[1])
    pool = LocalTaskPool(app, workers=options.workers)
    app.task_dispatcher = pool
    scheduler = LocalScheduler(app, options.stage, {
        s.name: int(stage.get("lambda_timeout", s.name) or s.options.timeout or DEFAULT_TIMEOUT)
        for s in app.registry.handlers})
    server = _server(sock, gateway, options,
                     lambda exc: log.error("dev server error", exc_info=exc))
    print(_banner(options, root, app.app_name, len(app.registry.routes),
                  len(app.registry.mounts), len(scheduler.specs), len(app.registry.tasks),
                  sock, reloader.watcher if reloader else None), file=out, flush=True)
    if options.schedules:
        scheduler.start()
    try:
        if reloader is not None:
            reloader.serve(server)
        else:
            _serve_until_stopped(server)
    finally:
        scheduler.stop()
        pool.shutdown(wait=False)
    return RESTART_CODE if reloader is not None and reloader.restart.is_set() else 0


def _wait_for_fix(sock: socket.socket, root: pathlib.Path, options: LocalOptions,
                  summary: str, what: str = "app.py") -> int:
    """The project cannot be served: answer every request with a 500 saying so
    until a watched file changes (then :data:`RESTART_CODE`)."""
    host, port = sock.getsockname()[:2]
    print("Waiting for a change to the project to try again; meanwhile http://%s:%d/ answers "
          "every request with a 500 saying what failed..." % (
              "127.0.0.1" if host in ("0.0.0.0", "::") else host, port),
          file=sys.stderr, flush=True)
    reloader = _Reloader(root)
    reloader.watcher.start()
    reloader.serve(_server(sock, BrokenApp(summary, what), options))
    return RESTART_CODE if reloader.restart.is_set() else 0


class _Reloader:
    """A supervised child's watch on the project: a change stops the server it serves
    with, and ``restart`` tells the supervisor to start a fresh child."""

    def __init__(self, root: pathlib.Path) -> None:
        self.root = root
        self.restart = threading.Event()
        self.server: HTTPServer | None = None
        self.watcher = Watcher(root, self.changed)

    def changed(self, path: str) -> None:
        log.info("%s changed; reloading", os.path.relpath(path, self.root))
        self.restart.set()
        if self.server is not None:
            self.server.stopping.set()

    def serve(self, server: HTTPServer) -> None:
        """Serve until stopped, a change, or the supervisor's end; then stop watching."""
        self.server = server
        if self.restart.is_set():  # changed before the server existed
            server.stopping.set()
        threading.Thread(target=_orphan_check, args=(server,), daemon=True).start()
        try:
            _serve_until_stopped(server)
        finally:
            self.watcher.stop()


def _serve_until_stopped(server: HTTPServer) -> None:
    """Serve; on Ctrl-C or SIGTERM finish the requests in progress and return."""
    def terminate(signum: int, frame: object) -> None:
        server.stopping.set()

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, terminate)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop(timeout=5.0)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
