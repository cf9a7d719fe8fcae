"""``myframework invoke --local NAME``: run one registered handler in this
process with an AWS-shaped event, as its deployed function would, and print
what it returned.

The event is a JSON file (``--event``; ``-`` reads standard input), or built
from ``--s3 BUCKET/KEY``, ``--sqs BODY`` or ``--sns MESSAGE``; with none of
them, a sample event of the handler's own kind (its bucket, queue or topic).
The stage's environment variables, including the function's own, are applied
first. Tasks the handler ``.delay()``s run on the local worker pool before the
command returns.
"""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from typing import Any, TextIO

from ..config import (
    API_HANDLER,
    DEFAULT_MEMORY_SIZE,
    DEFAULT_TIMEOUT,
    ConfigError,
    load_config,
)
from ..project import AppLoadError, ProjectError, find_project, load_app, project_traceback
from ..runtime.app import App
from ..runtime.dispatch import run_bound
from ..runtime.event_specs import (
    NO_OPTIONS,
    HandlerSpec,
    SNSEventSpec,
    SQSEventSpec,
)
from ..testing import EventGenerator, FakeLambdaContext, sample_event
from .tasks import LocalTaskPool


class InvokeError(Exception):
    """The handler cannot be invoked as asked; the message says why."""


@dataclass
class EventChoice:
    event_file: str | None = None
    s3: str | None = None
    sqs: str | None = None
    sns: str | None = None

    def given(self) -> list[str]:
        return [flag for flag, value in (("--event", self.event_file), ("--s3", self.s3),
                                         ("--sqs", self.sqs), ("--sns", self.sns))
                if value is not None]


def _read_event(path: str) -> Any:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as exc:
        raise InvokeError("cannot read the event file %s: %s" % (path, exc.strerror)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvokeError("the event file %s is not JSON: %s at line %d, column %d"
                          % (path, exc.msg, exc.lineno, exc.colno)) from None


def build_event(app: App, name: str, choice: EventChoice, stage: str = "dev") -> Any:
    """The event to invoke ``name`` with."""
    given = choice.given()
    if len(given) > 1:
        raise InvokeError("pass only one of %s" % ", ".join(given))
    if choice.event_file is not None:
        return _read_event(choice.event_file)
    spec: HandlerSpec | None = app._handlers.get(name)
    events = EventGenerator()
    if choice.s3 is not None:
        bucket, sep, key = choice.s3.partition("/")
        if not bucket or not sep or not key:
            raise InvokeError("--s3 takes BUCKET/KEY, e.g. --s3 uploads/images/cat.jpg")
        return events.generate_s3_event(bucket, key)
    if choice.sqs is not None:
        queue = spec.queue_name if isinstance(spec, SQSEventSpec) else "queue-name"
        return events.generate_sqs_event([choice.sqs], queue_name=queue)
    if choice.sns is not None:
        topic = spec.topic if isinstance(spec, SNSEventSpec) else "mytopic"
        return events.generate_sns_event(choice.sns, topic=topic)
    if spec is not None:  # no event given: a sample of the handler's own kind
        return sample_event(spec, app.app_name, stage)
    if name == API_HANDLER:
        raise InvokeError("%s needs an HTTP event: pass --event FILE (an API Gateway, "
                          "Function URL or ALB event), or use `myframework local`" % API_HANDLER)
    return {}


def invoke_local(project_dir: str | None, stage_name: str, name: str, choice: EventChoice,
                 out: TextIO | None = None) -> int:
    """Run handler ``name`` and print its JSON result; 1 if it raised."""
    out = out or sys.stdout
    try:
        root = find_project(project_dir)
        stage = load_config(root).stage(stage_name)
    except (ProjectError, ConfigError) as exc:
        raise InvokeError(str(exc)) from None
    configured = stage.environment(name)
    os.environ.update(configured)
    try:
        app = load_app(root)
        names = sorted(app._handlers)
        if name not in app._handlers and name != API_HANDLER:
            raise InvokeError("%s has no handler named %r; the handlers are: %s"
                              % (app.app_name, name, ", ".join([*names, API_HANDLER])))
        spec = app._handlers.get(name)
        options = spec.options if spec is not None else NO_OPTIONS
        # Settings given in code (environment=, memory_size=, timeout=) apply as on
        # Lambda; the config overrides them. Import again so module-level code sees them.
        from_code = {k: v for k, v in options.environment if k not in configured}
        if any(os.environ.get(k) != v for k, v in from_code.items()):
            os.environ.update(from_code)
            app = load_app(root)
    except AppLoadError as exc:
        raise InvokeError(str(exc)) from None
    event = build_event(app, name, choice, stage_name)
    pool = LocalTaskPool(app, workers=2, retry_delay=0.2)
    app.task_dispatcher = pool
    memory = stage.get("lambda_memory_size", name) or options.memory_size or DEFAULT_MEMORY_SIZE
    timeout = stage.get("lambda_timeout", name) or options.timeout or DEFAULT_TIMEOUT
    function = ("%s-%s" % (app.app_name, stage_name) if name == API_HANDLER
                else "%s-%s-%s" % (app.app_name, stage_name, name))
    context = FakeLambdaContext(function, int(memory), float(timeout))
    started = time.monotonic()
    try:
        result = app(event, context) if name == API_HANDLER else run_bound(app, name, event,
                                                                           context)
    except Exception as exc:
        print(project_traceback(exc, root), end="", file=sys.stderr)
        print("%s raised after %.1f ms (on Lambda the invocation fails with this error)"
              % (name, (time.monotonic() - started) * 1000), file=sys.stderr)
        pool.join(60)
        pool.shutdown()
        return 1
    elapsed = time.monotonic() - started
    try:
        text = json.dumps(result, indent=2, sort_keys=True)
    except (TypeError, ValueError) as exc:
        print("%s returned a value Lambda cannot send back as JSON: %s (%r)" % (
            name, exc, result), file=sys.stderr)
        code = 1
    else:
        print(text, file=out)
        print("%s ran in %.1f ms" % (name, elapsed * 1000), file=sys.stderr)
        code = 0
    if not pool.join(60):
        print("some tasks it delayed were still running after 60 s", file=sys.stderr)
    pool.shutdown(wait=False)
    return code
