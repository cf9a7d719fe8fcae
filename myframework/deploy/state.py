"""What a stage has on AWS: ``.myframework/deployed/<stage>.json``.

Each resource the deployer creates is written here the moment AWS answers
(the file is replaced atomically), so a deploy stopped at any point leaves a
record of everything it made: the next ``deploy`` continues from it and
``delete`` removes it. A record holds the resource's kind, its identity on
AWS (name, ARN, id) and the configuration last applied to it, which is what
the planner compares with when AWS does not report a setting back.

A lock file next to it stops two commands from changing the same stage at
once.
"""
from __future__ import annotations

import contextlib
import json
import os
import pathlib
import time
from collections.abc import Iterator
from typing import Any

from .aws import DeployError

FORMAT = 1


def state_path(root: pathlib.Path, stage: str) -> pathlib.Path:
    return root / ".myframework" / "deployed" / ("%s.json" % stage)


class DeployState:
    """The recorded resources of one stage (``resources[key]`` -> record)."""

    def __init__(self, path: pathlib.Path, app_name: str, stage: str,
                 data: dict[str, Any] | None = None) -> None:
        self.path = path
        self.data: dict[str, Any] = data or {"format": FORMAT, "app": app_name,
                                             "stage": stage, "resources": {}}

    @classmethod
    def load(cls, root: pathlib.Path, app_name: str | None, stage: str) -> DeployState:
        path = state_path(root, stage)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path, app_name or "", stage)
        except OSError as exc:
            raise DeployError("cannot read %s: %s" % (path, exc)) from None
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or not isinstance(data.get("resources"), dict):
                raise ValueError("no \"resources\"")
        except ValueError as exc:
            raise DeployError("%s is damaged (%s); restore it from version control or a backup "
                              "(it lists what stage %s has on AWS)" % (path, exc, stage)) from None
        if data.get("format", FORMAT) > FORMAT:
            raise DeployError("%s was written by a newer myframework; upgrade to use it" % path)
        if app_name and not data["resources"]:
            data["app"] = app_name  # nothing recorded: nothing of another app to keep
        if app_name and data.get("app") and data["app"] != app_name:
            raise DeployError("%s records app %r, but this project's app is %r; deploying would "
                              "replace it. Use another stage, or delete the old app first"
                              % (path, data["app"], app_name))
        return cls(path, app_name or str(data.get("app", "")), stage, data)

    @property
    def exists(self) -> bool:
        return self.path.exists()

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        resources: dict[str, dict[str, Any]] = self.data["resources"]
        return resources

    def get(self, key: str) -> dict[str, Any] | None:
        return self.resources.get(key)

    def record(self, key: str, record: dict[str, Any]) -> None:
        """Remember ``key`` (replacing what was recorded) and save at once."""
        self.resources[key] = record
        self.save()

    def forget(self, key: str) -> None:
        if self.resources.pop(key, None) is not None:
            self.save()

    def set(self, name: str, value: Any) -> None:
        if self.data.get(name) != value:
            self.data[name] = value
            self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".json.partial")
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump(self.data, handle, indent=1, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, self.path)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold ``<stage>.lock`` while changing the stage (a stale lock of a dead process is
        taken over)."""
        lock = self.path.with_suffix(".lock")
        lock.parent.mkdir(parents=True, exist_ok=True)
        busy = DeployError("another myframework command is changing stage %s (lock %s); wait "
                           "for it, or delete the lock file if no such command is running"
                           % (self.data.get("stage"), lock))
        for _ in range(2):
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if _alive(lock):
                    raise busy from None
                lock.unlink(missing_ok=True)  # its process is gone
                continue
            with os.fdopen(fd, "w") as handle:
                handle.write(str(os.getpid()))
            break
        else:
            raise busy
        try:
            yield
        finally:
            lock.unlink(missing_ok=True)


LOCK_WRITE_SECONDS = 10.0  # a lock without a pid yet is being written (if this fresh)


def _alive(lock: pathlib.Path) -> bool:
    """Whether the lock's process may still hold it."""
    try:
        text = lock.read_text().strip()
        pid = int(text or "0")
        age = time.time() - lock.stat().st_mtime
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        return True  # unreadable: better to say so than to take it
    if pid <= 0:
        return age < LOCK_WRITE_SECONDS  # its owner has made it and not written its pid yet
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
