"""Fire the app's ``@app.schedule`` handlers on their Rate/Cron while
``myframework local`` runs, each run logged with its outcome.

A rate counts from when the server started (EventBridge counts from when the
rule was created); a cron fires on the whole minutes it names, in UTC. Each
run gets the event an EventBridge schedule rule sends and goes through the same
code as the deployed function (``run_bound``), on a worker thread, so a slow
handler does not hold up the others or the HTTP server.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from ..runtime.dispatch import run_bound
from ..runtime.event_specs import ScheduleSpec
from ..runtime.schedules import next_fire_time
from ..testing import EventGenerator, FakeLambdaContext

if TYPE_CHECKING:
    from ..runtime.app import App

log = logging.getLogger("myframework.local.schedules")


class LocalScheduler:
    """Runs on its own thread; :meth:`stop` ends it."""

    def __init__(self, app: App, stage: str = "dev",
                 timeout_for: dict[str, int] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.app = app
        self.clock = clock
        self.stage = stage
        self.specs = [spec for spec in app.registry.handlers if isinstance(spec, ScheduleSpec)]
        self._timeouts = timeout_for or {}
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(max_workers=max(1, min(4, len(self.specs))),
                                        thread_name_prefix="myframework-schedule")
        self.runs = 0
        self.failures = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        if not self.specs:
            return
        self._thread = threading.Thread(target=self._loop, name="myframework-scheduler",
                                        daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Re-check the clock now (tests moving a fake clock forward call this)."""
        self._wake.set()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop firing; runs already started finish on their own."""
        self._stop.set()
        self._wake.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def plan(self, now: float) -> dict[str, float]:
        """The next fire time (epoch seconds) of each schedule after ``now``."""
        return {spec.name: next_fire_time(spec.expression, now) for spec in self.specs}

    def _loop(self) -> None:
        due = self.plan(self.clock())
        by_name = {spec.name: spec for spec in self.specs}
        for spec in self.specs:
            log.info("schedule %s (%s) first fires at %s UTC", spec.name, spec.expression,
                     time.strftime("%H:%M:%S", time.gmtime(due[spec.name])))
        while not self._stop.is_set():
            name = min(due, key=due.__getitem__)
            wait = due[name] - self.clock()
            if wait > 0:
                self._wake.wait(min(wait, 60.0))  # re-check the wall clock at least each minute
                self._wake.clear()
                continue
            spec = by_name[name]
            due[name] = next_fire_time(spec.expression, max(due[name], self.clock() - 1))
            try:
                self._pool.submit(self.fire, spec)
            except RuntimeError:  # stopped meanwhile
                return

    def fire(self, spec: ScheduleSpec) -> bool:
        """Run one schedule now, as its EventBridge rule would; True if it succeeded."""
        app = self.app
        rule = "%s-%s-%s" % (app.app_name, self.stage, spec.name)
        event = EventGenerator().generate_scheduled_event(rule_name=rule)
        context = FakeLambdaContext(rule, timeout_seconds=float(self._timeouts.get(spec.name,
                                                                                    60)))
        started = time.monotonic()
        try:
            run_bound(app, spec.name, event, context)
        except Exception:
            with self._lock:
                self.runs += 1
                self.failures += 1
            log.exception("schedule %s (%s) failed after %.1f ms", spec.name, spec.expression,
                          (time.monotonic() - started) * 1000)
            return False
        with self._lock:
            self.runs += 1
        log.info("schedule %s (%s) ran in %.1f ms", spec.name, spec.expression,
                 (time.monotonic() - started) * 1000)
        return True
