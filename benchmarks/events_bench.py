#!/usr/bin/env python3
"""Warm per-invocation cost of event handlers: myframework against Chalice (if installed).

    python3 benchmarks/events_bench.py

For a one-record SQS batch, a one-record S3 notification, an SNS notification
and a scheduled event, each delivered to a handler that does nothing, it
prints the median ns per ``handler(event, context)`` (the deployed,
one-handler-per-function path: the handler object itself), plus
myframework's combined entry point (``app(event, context)``) and a task
envelope. Chalice is timed the same way when ``import chalice`` works (the
anchor venv has it: ``/tmp/bench-runtime/venv/bin/python``). No target is
set for these; they guard against regressions.
"""
import statistics
import sys
import timeit
from collections.abc import Callable
from typing import Any

from myframework import App, Rate
from myframework.testing import EventGenerator, FakeLambdaContext

GEN = EventGenerator()
EVENTS: dict[str, dict[str, Any]] = {
    "sqs": GEN.generate_sqs_event(['{"job": 1}'], queue_name="jobs"),
    "s3": GEN.generate_s3_event("uploads", "images/cat.jpg"),
    "sns": GEN.generate_sns_event("hello", topic="alerts"),
    "scheduled": GEN.generate_scheduled_event("tick"),
}


def build_myframework() -> tuple[App, dict[str, Callable[[Any, Any], Any]]]:
    app = App("bench")

    @app.on_sqs_message(queue="jobs")
    def sqs(event: Any) -> None:
        for record in event:
            record.body  # noqa: B018

    @app.on_s3_event(bucket="uploads")
    def s3(event: Any) -> None:
        event.key  # noqa: B018

    @app.on_sns_message(topic="alerts")
    def sns(event: Any) -> None:
        event.message  # noqa: B018

    @app.schedule(Rate(1, unit=Rate.MINUTES))
    def scheduled(event: Any) -> None:
        return None

    @app.task
    def task(x: int) -> int:
        return x

    return app, {"sqs": sqs, "s3": s3, "sns": sns, "scheduled": scheduled}


def build_chalice() -> dict[str, Callable[[Any, Any], Any]] | None:
    try:
        from chalice import Chalice, Rate as ChaliceRate  # type: ignore[import-not-found]
    except ImportError:
        return None
    app = Chalice("bench")

    @app.on_sqs_message(queue="jobs")  # type: ignore[untyped-decorator]
    def sqs(event: Any) -> None:
        for record in event:
            record.body  # noqa: B018

    @app.on_s3_event(bucket="uploads")  # type: ignore[untyped-decorator]
    def s3(event: Any) -> None:
        event.key  # noqa: B018

    @app.on_sns_message(topic="alerts")  # type: ignore[untyped-decorator]
    def sns(event: Any) -> None:
        event.message  # noqa: B018

    @app.schedule(ChaliceRate(1, unit=ChaliceRate.MINUTES))  # type: ignore[untyped-decorator]
    def scheduled(event: Any) -> None:
        return None

    return {"sqs": sqs, "s3": s3, "sns": sns, "scheduled": scheduled}


def time_ns(func: Callable[[], Any], repeat: int = 15, number: int = 2000) -> float:
    return statistics.median(timeit.repeat(func, repeat=repeat, number=number)) / number * 1e9


def _call(handler: Callable[[Any, Any], Any], event: Any, context: Any) -> Callable[[], Any]:
    return lambda: handler(event, context)


def main() -> None:
    context = FakeLambdaContext("bench")
    app, handlers = build_myframework()
    chalice = build_chalice()
    rows = []
    for kind, event in EVENTS.items():
        ours = time_ns(_call(handlers[kind], event, context))
        combined = time_ns(_call(app, event, context))
        theirs = time_ns(_call(chalice[kind], event, context)) if chalice is not None else None
        rows.append((kind, ours, combined, theirs))
    envelope = {"__myframework__": "task", "v": 1, "task": "task", "id": "x", "args": [1],
                "kwargs": {}}
    rows.append(("task envelope", time_ns(lambda: app(envelope, context)),
                 time_ns(lambda: app(envelope, context)), None))
    print("python %s" % sys.version.split()[0])
    print("| event | myframework handler | myframework app() | chalice handler |")
    print("|---|---|---|---|")
    for kind, ours, combined, theirs in rows:
        print("| %s | %s ns | %s ns | %s |" % (
            kind, format(round(ours), ","), format(round(combined), ","),
            "%s ns (%.1fx ours)" % (format(round(theirs), ","), theirs / ours)
            if theirs is not None else "-"))


if __name__ == "__main__":
    main()
