"""Restart ``myframework local`` when the project changes.

The command runs a supervisor process that owns the listening socket and a
child process that imports the app and serves on that inherited socket. When
a watched file changes, the child finishes the requests in progress and exits
with :data:`RESTART_CODE`; the supervisor starts a new child at once. The
socket stays open the whole time, so a request sent mid-reload waits in the
listen queue instead of being refused. If ``app.py`` fails to import, the child
prints the error, answers requests with a 500 that says so, and waits for the
next save.

Files are watched with ``watchdog`` when it is installed, and by polling their
modification times otherwise.
"""
from __future__ import annotations

import os
import pathlib
import threading
from collections.abc import Callable, Iterator

RESTART_CODE = 3
POLL_INTERVAL = 0.5
MAX_FILES = 20000
_SKIP_DIRS = frozenset(("__pycache__", "node_modules", "site-packages", "dist", "build",
                        ".git", ".hg", ".svn", ".tox", ".nox", ".mypy_cache", ".pytest_cache",
                        ".ruff_cache", ".venv", "venv", "env"))
_CONFIG = os.path.join(".myframework", "config.json")


def _is_watched(relative: str) -> bool:
    return relative.endswith(".py") or relative == _CONFIG


def watched_files(root: pathlib.Path) -> Iterator[str]:
    """The project's Python files and its config, skipping virtualenvs and caches."""
    config = root / _CONFIG
    if config.is_file():
        yield str(config)
    count = 0
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        if any(e.name == "pyvenv.cfg" for e in entries) and folder != str(root):
            continue  # a virtualenv inside the project
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in _SKIP_DIRS and not entry.name.startswith("."):
                    stack.append(entry.path)
            elif entry.name.endswith(".py"):
                count += 1
                if count > MAX_FILES:
                    return
                yield entry.path


def snapshot(root: pathlib.Path) -> dict[str, tuple[int, int]]:
    """Modification time and size of every watched file."""
    state = {}
    for path in watched_files(root):
        try:
            stat = os.stat(path)
        except OSError:
            continue
        state[path] = (stat.st_mtime_ns, stat.st_size)
    return state


class Watcher:
    """Calls ``on_change(path)`` once, on a background thread, when a watched
    file is created, changed or deleted."""

    def __init__(self, root: pathlib.Path, on_change: Callable[[str], None],
                 interval: float = POLL_INTERVAL, use_watchdog: bool | None = None) -> None:
        self.root = root
        self.on_change = on_change
        self.interval = interval
        self._stop = threading.Event()
        self._fired = False
        self._observer: object | None = None
        self.backend = "polling"
        if use_watchdog is not False:
            try:
                import watchdog.observers  # noqa: F401
                self.backend = "watchdog"
            except ImportError:
                if use_watchdog:
                    raise
        self._initial: dict[str, tuple[int, int]] = {}

    def _fire(self, path: str) -> None:
        if self._fired or self._stop.is_set():
            return
        self._fired = True
        self.on_change(path)

    def start(self) -> None:
        self._initial = snapshot(self.root)  # taken now, so an edit from here on counts
        if self.backend == "watchdog":
            self._start_watchdog()
        else:
            threading.Thread(target=self._poll, name="myframework-reloader", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        observer = self._observer
        if observer is not None:
            observer.stop()  # type: ignore[attr-defined]

    def _changed(self, before: dict[str, tuple[int, int]]) -> str | None:
        after = snapshot(self.root)
        for path, state in after.items():
            if before.get(path) != state:
                return path
        for path in before:
            if path not in after:
                return path
        return None

    def _poll(self) -> None:
        before = self._initial
        while not self._stop.wait(self.interval):
            changed = self._changed(before)
            if changed is not None:
                self._fire(changed)
                return

    def _start_watchdog(self) -> None:
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        watcher = self
        root = str(self.root)
        venvs: dict[str, bool] = {}

        def in_virtualenv(relative_parts: list[str]) -> bool:
            """Whether a folder between the root and the file holds a virtualenv."""
            folder = root
            for part in relative_parts:
                folder = os.path.join(folder, part)
                found = venvs.get(folder)
                if found is None:
                    found = venvs[folder] = os.path.exists(os.path.join(folder, "pyvenv.cfg"))
                if found:
                    return True
            return False

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.event_type in ("opened", "closed_no_write"):
                    return
                for raw in (event.src_path, getattr(event, "dest_path", "")):
                    path = os.fsdecode(raw)
                    if not path.startswith(root):
                        continue
                    relative = os.path.relpath(path, root)
                    parts = relative.split(os.sep)
                    if any(p in _SKIP_DIRS for p in parts[:-1]) or not _is_watched(relative):
                        continue
                    if relative != _CONFIG and any(p.startswith(".") for p in parts):
                        continue
                    if in_virtualenv(parts[:-1]):
                        continue
                    # Editors touch files without changing them; compare contents' stats.
                    if watcher._initial.get(path) == _stat(path):
                        continue
                    watcher._fire(path)

        observer = Observer()
        observer.schedule(Handler(), root, recursive=True)
        observer.daemon = True
        observer.start()
        self._observer = observer


def _stat(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size
