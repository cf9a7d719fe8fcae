"""A background worker pool that runs the tasks sent with ``.delay()``, locally.

``myframework local`` installs one as ``app.task_dispatcher``. Each task runs
on a worker thread through the same receiving code as the deployed task
function (the JSON payload included), with Lambda's retry behaviour: a
failed task is retried ``retries`` times (2 when the task does not say),
then logged as given up.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, TimeoutError as FutureTimeoutError
from typing import TYPE_CHECKING, Any

from ..runtime.event_errors import TaskDispatchError
from ..runtime.tasks import TaskDispatcher
from ..testing import run_task_payload

if TYPE_CHECKING:
    from ..runtime.app import App
    from ..runtime.event_specs import TaskSpec

LAMBDA_DEFAULT_RETRIES = 2
log = logging.getLogger("myframework.local.tasks")


class LocalTaskPool(TaskDispatcher):
    """Run tasks on ``workers`` threads; ``retry_delay`` seconds between attempts."""

    def __init__(self, app: App, workers: int = 4, retry_delay: float = 1.0) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1, got %r" % workers)
        self._app = app
        self.retry_delay = retry_delay
        self._executor = ThreadPoolExecutor(max_workers=workers,
                                            thread_name_prefix="myframework-task")
        self._lock = threading.Lock()
        self._futures: set[Future[None]] = set()
        self.completed = 0
        self.failed = 0

    def dispatch(self, spec: TaskSpec, envelope: dict[str, Any], payload: str) -> None:
        try:
            future = self._executor.submit(self._run, spec, envelope["id"], payload)
        except RuntimeError as exc:  # the pool was shut down
            raise TaskDispatchError("%s.delay(): the local task pool is shut down (%s)"
                                    % (spec.name, exc)) from exc
        with self._lock:
            self._futures.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._futures.discard(future)

    def _run(self, spec: TaskSpec, task_id: str, payload: str) -> None:
        retries = spec.retries if spec.retries is not None else LAMBDA_DEFAULT_RETRIES
        app = self._app
        for attempt in range(1, retries + 2):
            started = time.monotonic()
            try:
                run_task_payload(app, spec, payload)
            except Exception:  # already logged with the task id and arguments
                if attempt <= retries:
                    log.warning("task %s (id %s) failed on attempt %d of %d; retrying",
                                spec.name, task_id, attempt, retries + 1)
                    time.sleep(self.retry_delay)
                    continue
                with self._lock:
                    self.failed += 1
                log.error("task %s (id %s) failed after %d attempt(s)%s", spec.name, task_id,
                          attempt, "; on Lambda it would go to %s" % spec.dead_letter
                          if spec.dead_letter else "")
                return
            with self._lock:
                self.completed += 1
            log.info("task %s (id %s) done in %.1f ms", spec.name, task_id,
                     (time.monotonic() - started) * 1000)
            return

    def join(self, timeout: float | None = None) -> bool:
        """Wait until every task sent so far (and any they delay) has finished."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                futures = list(self._futures)
            if not futures:
                return True
            for future in futures:
                remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                try:
                    future.result(remaining)
                except FutureTimeoutError:
                    return False

    def shutdown(self, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait)
