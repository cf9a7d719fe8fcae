"""Compare what the stage should have with what it has, and say what to do.

:func:`observe` asks AWS about every desired or recorded resource;
:func:`make_plan` compares each desired configuration, field by field, with
what AWS reported, falling back to the recorded configuration for settings
AWS does not report (a REST API's document, a function's dead-letter target
on emulators that drop it). Without observations (``--dry-run``, which makes
no calls) the recorded configurations alone stand for AWS.

The plan lists creates and updates in dependency order, then deletes of
what the app no longer has, in the reverse order (S3 notifications the app
dropped are deleted first, as S3 refuses overlapping entries).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from .aws import Aws
from .desired import KIND_ORDER, Desired, resolve
from .kinds import KINDS, Observed
from .state import DeployState

CREATE, UPDATE, DELETE, KEEP = "create", "update", "delete", "keep"


@dataclasses.dataclass
class Change:
    action: str
    key: str
    kind: str
    label: str
    fields: list[str] = dataclasses.field(default_factory=list)
    desired: Desired | None = None
    current: Observed | None = None

    def describe(self) -> str:
        if self.action == UPDATE:
            return "update %s (%s)" % (self.label, ", ".join(self.fields))
        return "%s %s" % (self.action, self.label)


@dataclasses.dataclass
class Plan:
    changes: list[Change]
    unchanged: list[Change]  # KEEP: already as desired (recorded again if need be)

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    def summary(self) -> str:
        return "%d to create, %d to update, %d to delete, %d unchanged" % (
            self.count(CREATE), self.count(UPDATE), self.count(DELETE), len(self.unchanged))


def recorded_lookup(state: DeployState) -> Callable[[str, str], Any]:
    def lookup(key: str, field: str) -> Any:
        record = state.get(key)
        return (record.get("identity") or {}).get(field) if record else None
    return lookup


# Kinds whose create cannot tell that the resource exists already (AWS names REST APIs
# without making the names unique), so they are looked for even on a first deploy.
FIND_BEFORE_CREATE = {"rest_api"}
DELETE_FIRST = {"s3_notification"}


def observe(aws: Aws, desired: list[Desired], state: DeployState) -> dict[str, Observed | None]:
    """What AWS has of each desired resource (None: it does not exist).

    On a stage's first deploy (nothing recorded) only REST APIs are looked for:
    every other kind is found by its deterministic name when it is created (a
    create that finds it existing adopts it), which saves a read per resource.
    """
    cache: dict[Any, Any] = {}
    first = not state.resources
    return {item.key: None if first and item.kind not in FIND_BEFORE_CREATE
            else KINDS[item.kind].observe(aws, cache, item, state.get(item.key))
            for item in desired}


def _recorded(record: dict[str, Any] | None) -> Observed | None:
    if record is None:
        return None
    return Observed(dict(record.get("identity") or {}), dict(record.get("config") or {}))


def make_plan(desired: list[Desired], state: DeployState,
              observed: dict[str, Observed | None] | None) -> Plan:
    """The changes that make AWS match ``desired``; ``observed`` None plans from the
    recorded state alone."""
    lookup = recorded_lookup(state)
    changes: list[Change] = []
    unchanged: list[Change] = []
    for item in desired:
        record = state.get(item.key)
        if observed is None:
            current = _recorded(record)
        else:
            seen = observed.get(item.key)
            current = None if seen is None else Observed(
                seen.identity, {**((record or {}).get("config") or {}), **seen.config})
        if current is None:
            changes.append(Change(CREATE, item.key, item.kind, item.label, desired=item))
            continue
        config = resolve(item.config, lookup)
        fields = sorted(key for key, value in config.items() if current.config.get(key) != value)
        if fields:
            changes.append(Change(UPDATE, item.key, item.kind, item.label, fields, item, current))
        else:
            unchanged.append(Change(KEEP, item.key, item.kind, item.label, [], item, current))
    wanted = {item.key for item in desired}
    order = {kind: index for index, kind in enumerate(KIND_ORDER)}
    gone = sorted((key for key in state.resources if key not in wanted),
                  key=lambda key: (-order.get(state.resources[key].get("kind", ""), 0), key))
    deletes = [Change(DELETE, key, state.resources[key].get("kind", ""),
                      state.resources[key].get("label", key),
                      current=_recorded(state.resources[key])) for key in gone]
    # S3 refuses two notifications of a bucket that overlap (same events, overlapping
    # prefix/suffix), as a renamed handler's old and new entries would: those go first.
    first = [change for change in deletes if change.kind in DELETE_FIRST]
    return Plan(first + changes + [c for c in deletes if c.kind not in DELETE_FIRST], unchanged)
