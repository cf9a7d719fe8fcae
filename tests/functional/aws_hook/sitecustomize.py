"""Counts a test subprocess's AWS API calls (on PYTHONPATH via moto_helpers.hook_env).

With ``MF_CALL_LOG=FILE`` set, every ``botocore.client.BaseClient._make_api_call``
appends one JSON line ``{"n": N, "service": ..., "operation": ...}`` to FILE,
``n`` counting this process's calls from 1. With ``MF_KILL_BEFORE_CALL=N`` and
``MF_KILL_PID=PID`` also set, PID is sent SIGKILL just before the Nth call and
awaited (up to 10 s; a zombie is gone); that call is logged with
``"killed": true`` and then goes ahead (and fails to connect: the point).
The kill variables are taken out of ``os.environ`` so this process's own
children do not kill again.

Without ``MF_CALL_LOG`` this does nothing and imports nothing. botocore is
not imported here either: an import hook patches ``botocore.client`` when the
process imports it, so a process that never uses boto3 pays nothing.
"""
from __future__ import annotations

import os

_CALL_LOG = os.environ.get("MF_CALL_LOG")

if _CALL_LOG:
    import importlib.abc
    import importlib.machinery
    import json
    import signal
    import sys
    import threading
    import time
    import types
    from collections.abc import Callable, Sequence
    from typing import Any

    _TARGET = "botocore.client"
    _lock = threading.Lock()
    _count = 0
    try:
        _kill_before = int(os.environ.pop("MF_KILL_BEFORE_CALL", "") or 0)
        _kill_pid = int(os.environ.pop("MF_KILL_PID", "") or 0)
    except ValueError:
        _kill_before = _kill_pid = 0

    def _gone(pid: int) -> bool:
        """``pid`` no longer exists or is a zombie (it need not be our child)."""
        try:
            with open("/proc/%d/stat" % pid, encoding="ascii", errors="replace") as stat:
                # "pid (comm) S ...": comm may hold spaces and parentheses
                state = stat.read().rsplit(")", 1)[1].split()[0]
            return state in ("Z", "X")
        except FileNotFoundError:
            return True
        except (OSError, IndexError):
            pass
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def _kill(pid: int) -> bool:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        deadline = time.monotonic() + 10.0
        while not _gone(pid):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def _log(entry: dict[str, Any]) -> None:
        assert _CALL_LOG is not None
        with open(_CALL_LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")
            log.flush()

    def _patch(module: types.ModuleType) -> None:
        base = module.BaseClient
        if getattr(base._make_api_call, "_mf_call_log", False):
            return
        original: Callable[..., Any] = base._make_api_call

        def _make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
            global _count
            with _lock:
                _count += 1
                entry: dict[str, Any] = {
                    "n": _count,
                    "service": self.meta.service_model.service_name,
                    "operation": operation_name,
                }
                if _kill_pid and entry["n"] == _kill_before:
                    entry["killed"] = _kill(_kill_pid)
                _log(entry)
            return original(self, operation_name, api_params)

        _make_api_call._mf_call_log = True  # type: ignore[attr-defined]
        base._make_api_call = _make_api_call

    class _PatchingLoader(importlib.abc.Loader):
        def __init__(self, loader: importlib.abc.Loader) -> None:
            self._loader = loader

        def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
            return self._loader.create_module(spec)

        def exec_module(self, module: types.ModuleType) -> None:
            self._loader.exec_module(module)
            _patch(module)

    class _Finder(importlib.abc.MetaPathFinder):
        """Wraps the loader of ``botocore.client`` so it is patched once executed."""

        def find_spec(self, fullname: str, path: Sequence[str] | None,
                      target: types.ModuleType | None = None,
                      ) -> importlib.machinery.ModuleSpec | None:
            if fullname != _TARGET:
                return None
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(fullname, path, target)
                if spec is not None:
                    break
            else:
                return None
            if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                spec.loader = _PatchingLoader(spec.loader)
            return spec

    if _TARGET in sys.modules:
        _patch(sys.modules[_TARGET])
    else:
        sys.meta_path.insert(0, _Finder())
