"""``logs`` and ``invoke`` of deployed functions, found through the recorded state."""
from __future__ import annotations

import base64
import dataclasses
import datetime
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from .aws import Aws, DeployError
from .state import DeployState

_SINCE = re.compile(r"^(\d+)\s*([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def function_name(state: DeployState, name: str) -> str:
    """The AWS name of the deployed function registered as ``name`` (or named so on AWS)."""
    functions = {key.split(":", 1)[1]: str(record["identity"]["FunctionName"])
                 for key, record in state.resources.items() if record.get("kind") == "function"}
    if name in functions:
        return functions[name]
    if name in functions.values():
        return name
    if "tasks:" + name in functions:
        return functions["tasks:" + name]
    raise DeployError("stage %s has no function %r; deployed: %s" % (
        state.data.get("stage"), name, ", ".join(sorted(functions)) or "none"))


def parse_since(text: str, now: float) -> float:
    """``10m``, ``2h``, ``1d``, ``30s``, ``1w`` ago, or an ISO 8601 time; epoch seconds."""
    match = _SINCE.match(text.strip())
    if match:
        return now - int(match.group(1)) * _UNITS[match.group(2)]
    try:
        moment = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise DeployError("--since %r is not a duration (10m, 2h, 1d) or an ISO time "
                          "(2026-01-31T12:00:00Z)" % text) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


@dataclasses.dataclass
class LogEvent:
    timestamp: int  # milliseconds
    stream: str
    message: str

    def format(self) -> str:
        moment = datetime.datetime.fromtimestamp(self.timestamp / 1000, datetime.timezone.utc)
        return "%s %s %s" % (moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3], self.stream[-8:],
                             self.message.rstrip("\n"))


def read_logs(aws: Aws, function: str, since: float, follow: bool = False,
              poll_seconds: float = 2.0, stop: Callable[[], bool] = lambda: False
              ) -> Iterator[LogEvent]:
    """The function's log events from ``since``; with ``follow``, new ones as they come
    (until ``stop()``)."""
    group = "/aws/lambda/%s" % function
    start = int(since * 1000)
    seen: set[str] = set()
    while True:
        params: dict[str, Any] = {"logGroupName": group, "startTime": start}
        while True:
            page = aws.call("read the logs of %s" % function, "logs", "filter_log_events",
                            missing=("ResourceNotFoundException",), **params)
            if page is None:
                if not follow:
                    raise DeployError("%s has no logs yet (it has not run since it was "
                                      "deployed, or its logs have expired)" % function)
                break
            for event in page.get("events", []):
                event_id = str(event.get("eventId", ""))
                if event_id in seen:
                    continue
                seen.add(event_id)
                start = max(start, int(event.get("timestamp", start)))
                yield LogEvent(int(event.get("timestamp", 0)),
                               str(event.get("logStreamName", "")), str(event.get("message", "")))
            token = page.get("nextToken")
            if not token:
                break
            params["nextToken"] = token
        if not follow or stop():
            return
        aws.sleep(poll_seconds)


@dataclasses.dataclass
class InvokeResult:
    payload: bytes
    error: str | None  # FunctionError ("Unhandled"), or None
    log_tail: str


def invoke(aws: Aws, function: str, payload: str) -> InvokeResult:
    try:
        json.loads(payload)
    except ValueError as exc:
        raise DeployError("--payload is not JSON (%s); for example --payload '{\"key\": 1}'"
                          % exc) from None
    answer = aws.call("invoke %s" % function, "lambda", "invoke", FunctionName=function,
                      InvocationType="RequestResponse", LogType="Tail",
                      Payload=payload.encode("utf-8"))
    body = answer["Payload"].read() if answer.get("Payload") is not None else b""
    tail = answer.get("LogResult") or ""
    return InvokeResult(body, answer.get("FunctionError"),
                        base64.b64decode(tail).decode("utf-8", "replace") if tail else "")

