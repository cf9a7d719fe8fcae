"""The reloader's file watching: which files count (the project's .py files and
its config, not virtualenvs, caches, VCS or node_modules), and the
:class:`Watcher` calling back once on a change, with polling and with watchdog."""
from __future__ import annotations

import os
import pathlib
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from myframework.local.reloader import Watcher, snapshot, watched_files

WAIT = 3.0       # the longest a callback may take
QUIET = 0.4      # how long to watch for a callback that must not come


def write(path: pathlib.Path, text: str) -> pathlib.Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: pathlib.Path) -> pathlib.Path:
    root = tmp_path / "project"
    write(root / "app.py", "from myframework import App\napp = App('w')\n")
    write(root / "lib" / "__init__.py", "")
    write(root / "lib" / "helpers.py", "X = 1\n")
    write(root / "lib" / "deep" / "more.py", "Y = 2\n")
    write(root / ".myframework" / "config.json", "{}\n")
    write(root / ".myframework" / "other.py", "")
    write(root / "README.md", "docs\n")
    write(root / "notes.txt", "notes\n")
    write(root / ".git" / "hooks" / "hook.py", "")
    write(root / "lib" / "__pycache__" / "helpers.py", "")
    write(root / "node_modules" / "pkg" / "index.py", "")
    write(root / "myenv" / "pyvenv.cfg", "home = /usr/bin\n")
    write(root / "myenv" / "lib" / "python3.11" / "site-packages" / "dep.py", "")
    write(root / "myenv" / "bin" / "activate_this.py", "")
    write(root / ".tox" / "py311" / "x.py", "")
    write(root / ".hidden" / "secret.py", "")
    return root


def expected_files(root: pathlib.Path) -> set[str]:
    return {str(root / "app.py"), str(root / "lib" / "__init__.py"),
            str(root / "lib" / "helpers.py"), str(root / "lib" / "deep" / "more.py"),
            str(root / ".myframework" / "config.json")}


def test_watched_files_are_the_project_sources_and_the_config(project: pathlib.Path) -> None:
    assert set(watched_files(project)) == expected_files(project)


def test_watched_files_are_listed_once(project: pathlib.Path) -> None:
    files = list(watched_files(project))
    assert len(files) == len(set(files))


def test_a_project_without_a_config_watches_only_python(project: pathlib.Path) -> None:
    (project / ".myframework" / "config.json").unlink()
    assert set(watched_files(project)) == expected_files(project) - {
        str(project / ".myframework" / "config.json")}


def test_a_project_that_is_itself_a_virtualenv_is_still_watched(
        project: pathlib.Path) -> None:
    write(project / "pyvenv.cfg", "home = /usr/bin\n")
    assert str(project / "app.py") in set(watched_files(project))


def test_snapshot_holds_mtime_and_size_of_each_watched_file(project: pathlib.Path) -> None:
    state = snapshot(project)
    assert set(state) == expected_files(project)
    stat = os.stat(project / "lib" / "helpers.py")
    assert state[str(project / "lib" / "helpers.py")] == (stat.st_mtime_ns, stat.st_size)


def test_snapshot_changes_when_a_file_is_edited(project: pathlib.Path) -> None:
    before = snapshot(project)
    write(project / "lib" / "helpers.py", "X = 12345\n")
    after = snapshot(project)
    changed = {path for path in after if after[path] != before.get(path)}
    assert changed == {str(project / "lib" / "helpers.py")}


# -- Watcher -------------------------------------------------------------------------------------

class Calls:
    """Records the watcher's callbacks; ``wait`` blocks until one came."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.threads: list[str] = []
        self._event = threading.Event()

    def __call__(self, path: str) -> None:
        self.paths.append(path)
        self.threads.append(threading.current_thread().name)
        self._event.set()

    def wait(self, timeout: float = WAIT) -> bool:
        return self._event.wait(timeout)


WatcherFactory = Callable[[pathlib.Path], tuple[Watcher, Calls]]


@pytest.fixture(params=[False, True], ids=["polling", "watchdog"])
def start_watcher(request: pytest.FixtureRequest) -> Iterator[WatcherFactory]:
    started: list[Watcher] = []

    def start(root: pathlib.Path) -> tuple[Watcher, Calls]:
        calls = Calls()
        watcher = Watcher(root, calls, interval=0.05, use_watchdog=request.param)
        assert watcher.backend == ("watchdog" if request.param else "polling")
        watcher.start()
        started.append(watcher)
        return watcher, calls

    yield start
    for watcher in started:
        watcher.stop()


def settle() -> None:
    """Let a fresh file's mtime differ from the next write's, on coarse clocks."""
    time.sleep(0.02)


def test_an_edit_calls_back_once_with_the_path(project: pathlib.Path,
                                               start_watcher: WatcherFactory) -> None:
    _, calls = start_watcher(project)
    settle()
    write(project / "lib" / "helpers.py", "X = 'edited'\n")
    assert calls.wait()
    write(project / "app.py", "# another edit\n")
    write(project / "lib" / "new.py", "")
    time.sleep(QUIET)
    assert calls.paths == [str(project / "lib" / "helpers.py")]
    assert calls.threads[0] != threading.main_thread().name


def test_a_new_python_file_calls_back(project: pathlib.Path,
                                      start_watcher: WatcherFactory) -> None:
    _, calls = start_watcher(project)
    write(project / "lib" / "deep" / "added.py", "Z = 3\n")
    assert calls.wait()
    assert calls.paths == [str(project / "lib" / "deep" / "added.py")]


def test_a_deleted_file_calls_back(project: pathlib.Path,
                                   start_watcher: WatcherFactory) -> None:
    _, calls = start_watcher(project)
    (project / "lib" / "deep" / "more.py").unlink()
    assert calls.wait()
    assert calls.paths == [str(project / "lib" / "deep" / "more.py")]


def test_a_config_edit_calls_back(project: pathlib.Path,
                                  start_watcher: WatcherFactory) -> None:
    _, calls = start_watcher(project)
    write(project / ".myframework" / "config.json", '{"stages": {"dev": {}}}\n')
    assert calls.wait()
    assert calls.paths == [str(project / ".myframework" / "config.json")]


def test_other_files_do_not_call_back(project: pathlib.Path,
                                      start_watcher: WatcherFactory) -> None:
    _, calls = start_watcher(project)
    write(project / "notes.txt", "changed notes, longer than before\n")
    write(project / "README.md", "more docs\n")
    write(project / "data.json", "{}\n")
    write(project / ".myframework" / "other.py", "changed = True\n")
    write(project / ".git" / "hooks" / "hook.py", "changed = True\n")
    write(project / "lib" / "__pycache__" / "helpers.py", "changed = True\n")
    write(project / "node_modules" / "pkg" / "index.py", "changed = True\n")
    write(project / "myenv" / "lib" / "python3.11" / "site-packages" / "dep.py", "x = 1\n")
    write(project / "myenv" / "bin" / "tool.py", "x = 1\n")  # a virtualenv by its pyvenv.cfg
    write(project / ".hidden" / "secret.py", "changed = True\n")
    assert not calls.wait(QUIET)
    # ...while the watcher is alive: a .py edit still counts.
    write(project / "app.py", "from myframework import App\napp = App('edited')\n")
    assert calls.wait()
    assert calls.paths == [str(project / "app.py")]


def test_a_stopped_watcher_does_not_call_back(project: pathlib.Path,
                                              start_watcher: WatcherFactory) -> None:
    watcher, calls = start_watcher(project)
    watcher.stop()
    write(project / "app.py", "# edited after stop\n")
    assert not calls.wait(QUIET)


def test_a_touch_without_change_is_ignored_by_watchdog(project: pathlib.Path) -> None:
    calls = Calls()
    watcher = Watcher(project, calls, interval=0.05, use_watchdog=True)
    watcher.start()
    try:
        with open(project / "app.py", "rb"):
            pass  # opened and closed without writing
        assert not calls.wait(QUIET)
    finally:
        watcher.stop()


def test_watchdog_is_the_default_when_installed(project: pathlib.Path) -> None:
    assert Watcher(project, Calls()).backend == "watchdog"
    assert Watcher(project, Calls(), use_watchdog=False).backend == "polling"
