"""The schedules of ``myframework local`` (myframework/local/scheduler.py).

What a user relies on: ``@app.schedule`` handlers run with the event an
EventBridge schedule rule sends, through the same code as the deployed
function; a failing run is logged and counted, not fatal; the next fire times
are those of the deployed rule; and the scheduler's thread starts and stops
promptly with the server.

The loop's timing is not tested against a real minute: the scheduler reads the
wall clock (``time.time``) and waits on its own event, with no clock to inject,
and we do not patch our own modules. The tests check that ``plan`` gives the
right times, that ``start``/``stop`` are prompt, and (through a subclass whose
``plan`` says a schedule is already due) that ``fire`` is what the loop calls.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest

from myframework import App, Cron, Rate, ScheduledEvent
from myframework.local.scheduler import LocalScheduler
from myframework.runtime.event_specs import ScheduleSpec
from myframework.runtime.schedules import next_fire_time

ACCOUNT_RULE = "arn:aws:events:us-east-1:123456789012:rule/%s"
THREAD_NAME = "myframework-scheduler"
NOW = 1_767_225_600.0 + 12 * 3600 + 34 * 60 + 56.5  # 2026-01-01 12:34:56.5 UTC


class Demo:
    """An app with schedules that record what they were given."""

    def __init__(self) -> None:
        app = self.app = App("sched-demo")
        self.events: list[dict[str, Any]] = []
        self.contexts: list[Any] = []
        self.middleware: list[str] = []
        self.ran = threading.Event()

        @app.middleware("scheduled")
        def around(event: Any, get_response: Any) -> Any:
            self.middleware.append(type(event).__name__)
            return get_response(event)

        @app.schedule(Rate(1, unit=Rate.MINUTES))
        def every_minute(event: ScheduledEvent) -> str:
            self.events.append(event.to_dict())
            self.contexts.append(event.context)
            self.ran.set()
            return "done"

        @app.schedule(Cron(0, 12, "*", "*", "?", "*"), name="noon")
        def at_noon(event: ScheduledEvent) -> None:
            self.events.append(event.to_dict())

        @app.schedule("rate(2 hours)")
        def broken(event: ScheduledEvent) -> None:
            raise ValueError("the nightly job failed")

    def spec(self, name: str) -> ScheduleSpec:
        [spec] = [s for s in self.app.registry.handlers
                  if isinstance(s, ScheduleSpec) and s.name == name]
        return spec


@pytest.fixture(autouse=True)
def _not_on_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MYFRAMEWORK_HANDLER", raising=False)


@pytest.fixture
def demo() -> Demo:
    return Demo()


def scheduler_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD_NAME]


# -- fire --------------------------------------------------------------------------------

def test_fire_runs_the_handler_with_a_scheduled_event(demo: Demo) -> None:
    scheduler = LocalScheduler(demo.app, stage="dev", timeout_for={"every_minute": 30})
    try:
        assert [s.name for s in scheduler.specs] == ["every_minute", "noon", "broken"]
        assert scheduler.fire(demo.spec("every_minute")) is True
    finally:
        scheduler.stop()
    [event] = demo.events
    assert event["source"] == "aws.events"
    assert event["detail-type"] == "Scheduled Event"
    assert event["detail"] == {}
    assert event["account"] == "123456789012"
    assert event["resources"] == [ACCOUNT_RULE % "sched-demo-dev-every_minute"]
    [context] = demo.contexts
    assert context.function_name == "sched-demo-dev-every_minute"
    assert 25_000 < context.get_remaining_time_in_millis() <= 30_000
    assert demo.middleware == ["ScheduledEvent"]  # the deployed function's path, middleware too
    assert (scheduler.runs, scheduler.failures) == (1, 0)


def test_fire_uses_the_stage_in_the_rule_name(demo: Demo) -> None:
    scheduler = LocalScheduler(demo.app, stage="prod")
    try:
        assert scheduler.fire(demo.spec("noon")) is True
    finally:
        scheduler.stop()
    assert demo.events[0]["resources"] == [ACCOUNT_RULE % "sched-demo-prod-noon"]


def test_a_failing_handler_returns_false_is_logged_and_counted(
        demo: Demo, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="myframework.local.schedules")
    scheduler = LocalScheduler(demo.app)
    try:
        assert scheduler.fire(demo.spec("broken")) is False
        assert (scheduler.runs, scheduler.failures) == (1, 1)
        assert scheduler.fire(demo.spec("every_minute")) is True
        assert (scheduler.runs, scheduler.failures) == (2, 1)
    finally:
        scheduler.stop()
    [failed] = [r for r in caplog.records
                if r.name == "myframework.local.schedules" and r.levelno == logging.ERROR]
    assert "broken" in failed.getMessage()
    assert "rate(2 hours)" in failed.getMessage()
    assert failed.exc_info is not None
    assert isinstance(failed.exc_info[1], ValueError)
    succeeded = [r.getMessage() for r in caplog.records
                 if r.name == "myframework.local.schedules" and r.levelno == logging.INFO]
    assert any("every_minute" in m and "ran in" in m for m in succeeded)


# -- plan --------------------------------------------------------------------------------

def test_plan_matches_next_fire_time(demo: Demo) -> None:
    scheduler = LocalScheduler(demo.app)
    try:
        plan = scheduler.plan(NOW)
    finally:
        scheduler.stop()
    assert plan == {
        "every_minute": next_fire_time(Rate(1, unit=Rate.MINUTES), NOW),
        "noon": next_fire_time(Cron(0, 12, "*", "*", "?", "*"), NOW),
        "broken": next_fire_time("rate(2 hours)", NOW),
    }
    # And what those are: a rate counts from now, a cron fires on its whole minute (UTC).
    assert plan["every_minute"] == NOW + 60
    assert plan["broken"] == NOW + 7200
    assert plan["noon"] == 1_767_225_600.0 + 86400 + 12 * 3600  # tomorrow 12:00 UTC


# -- the loop ------------------------------------------------------------------------------

def test_start_and_stop_are_prompt(demo: Demo) -> None:
    before = set(scheduler_threads())
    scheduler = LocalScheduler(demo.app)
    started = time.perf_counter()
    scheduler.start()
    threads = [t for t in scheduler_threads() if t not in before]
    assert len(threads) == 1
    assert threads[0].daemon
    scheduler.stop()
    assert time.perf_counter() - started < 0.5
    threads[0].join(2.0)  # the loop wakes from its wait (up to a minute) and ends
    assert not threads[0].is_alive()
    assert demo.events == []  # nothing was due yet


def test_start_without_schedules_starts_no_thread() -> None:
    app = App("no-schedules")

    @app.route("/")
    def index() -> dict[str, str]:
        return {}

    before = set(scheduler_threads())
    scheduler = LocalScheduler(app)
    scheduler.start()
    try:
        assert scheduler.specs == []
        assert [t for t in scheduler_threads() if t not in before] == []
    finally:
        scheduler.stop()


class DueNow(LocalScheduler):
    """A scheduler whose first plan says ``due`` schedules fire right away (the loop's
    only input besides the wall clock); it records every ``fire`` the loop makes."""

    def __init__(self, app: App, due: set[str]) -> None:
        super().__init__(app)
        self.due = due
        self.fired: list[str] = []
        self.fired_event = threading.Event()

    def plan(self, now: float) -> dict[str, float]:
        planned = super().plan(now)
        return {name: now - 1 if name in self.due else at for name, at in planned.items()}

    def fire(self, spec: ScheduleSpec) -> bool:
        self.fired.append(spec.name)
        try:
            return super().fire(spec)
        finally:
            self.fired_event.set()


def test_the_loop_fires_due_schedules_through_fire(demo: Demo) -> None:
    before = set(scheduler_threads())
    scheduler = DueNow(demo.app, {"every_minute"})
    scheduler.start()
    try:
        assert scheduler.fired_event.wait(5.0)
        assert demo.ran.wait(5.0)
        time.sleep(0.1)  # no second run: the next one is a minute away
    finally:
        scheduler.stop()
    for thread in scheduler_threads():
        if thread not in before:
            thread.join(2.0)
            assert not thread.is_alive()
    assert scheduler.fired == ["every_minute"]
    assert len(demo.events) == 1
    assert demo.events[0]["resources"] == [ACCOUNT_RULE % "sched-demo-dev-every_minute"]
    assert (scheduler.runs, scheduler.failures) == (1, 0)


def test_a_failing_schedule_does_not_stop_the_loop(demo: Demo) -> None:
    scheduler = DueNow(demo.app, {"broken", "every_minute"})
    scheduler.start()
    try:
        assert demo.ran.wait(5.0)
        deadline = time.monotonic() + 5.0
        while scheduler.runs < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        scheduler.stop()
    assert sorted(scheduler.fired) == ["broken", "every_minute"]
    assert (scheduler.runs, scheduler.failures) == (2, 1)


def test_the_loop_fires_again_one_period_later_on_the_clock() -> None:
    """A fake clock moved forward by a Rate's period makes the loop fire again."""
    app = App("clocked")
    runs: list[float] = []

    @app.schedule(Rate(5, unit=Rate.MINUTES))
    def every_five(event: Any) -> None:
        runs.append(now[0])

    now = [1_800_000_000.0]
    scheduler = LocalScheduler(app, clock=lambda: now[0])
    scheduler.start()
    try:
        def wait_for(count: int) -> None:
            deadline = time.monotonic() + 5
            while len(runs) < count and time.monotonic() < deadline:
                time.sleep(0.01)
        time.sleep(0.1)
        assert runs == []                     # not due yet
        now[0] += 300
        scheduler.wake()
        wait_for(1)
        assert runs == [1_800_000_300.0]
        now[0] += 299
        scheduler.wake()
        time.sleep(0.1)
        assert len(runs) == 1                 # one second early: still waiting
        now[0] += 1
        scheduler.wake()
        wait_for(2)
        assert runs == [1_800_000_300.0, 1_800_000_600.0]
    finally:
        scheduler.stop()
