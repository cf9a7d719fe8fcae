"""Carry out a plan, recording each resource the moment it exists."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .aws import Aws, DeployError
from .desired import resolve, unresolved
from .kinds import KINDS
from .planner import CREATE, DELETE, Plan, recorded_lookup
from .state import DeployState


def execute(aws: Aws, plan: Plan, state: DeployState,
            progress: Callable[[str], None]) -> None:
    lookup = recorded_lookup(state)
    # A deleted function takes its resource policy with it: no call per permission.
    deleted_functions = {(change.current.identity.get("FunctionName") if change.current else None)
                         for change in plan.changes
                         if change.action == DELETE and change.kind == "function"}
    for change in plan.changes:
        kind = KINDS[change.kind]
        key = change.key
        record = state.get(key)
        if change.action == DELETE:
            if record is not None and change.kind == "permission" and record["identity"].get(
                    "FunctionName") in deleted_functions:
                progress(change.describe() + " (goes with the function)")
            elif record is not None:
                progress(change.describe())
                kind.delete(aws, record)
            state.forget(key)
            continue
        progress(change.describe())
        desired = change.desired
        assert desired is not None
        config = resolve(desired.config, lookup)
        if unresolved(config):
            raise DeployError("%s refers to a resource this deploy has not made (%s); this is a "
                              "bug in myframework, please report it" % (change.label, config))

        def remember(identity: dict[str, Any], key: str = key, label: str = change.label,
                     kind_name: str = change.kind) -> None:
            state.record(key, {"kind": kind_name, "label": label, "identity": identity,
                               "config": None})
        if change.action == CREATE:
            identity = kind.create(aws, desired, config, remember)
        else:
            assert change.current is not None
            identity = kind.update(aws, desired, config, change.current, change.fields)
        state.record(key, {"kind": change.kind, "label": change.label, "identity": identity,
                           "config": config})
    for keep in plan.unchanged:  # adopted, or recorded before its last call: record it whole
        assert keep.desired is not None
        assert keep.current is not None
        record = {"kind": keep.kind, "label": keep.label, "identity": keep.current.identity,
                  "config": resolve(keep.desired.config, lookup)}
        if state.get(keep.key) != record:
            state.record(keep.key, record)


def delete_all(aws: Aws, state: DeployState, progress: Callable[[str], None]) -> int:
    """Delete every recorded resource (dependents first); the number deleted."""
    from .planner import make_plan
    plan = make_plan([], state, None)
    execute(aws, plan, state, progress)
    return len(plan.changes)
