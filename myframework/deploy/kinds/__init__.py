"""How each kind of resource is read from AWS, created, updated and deleted.

One :class:`Kind` per resource kind, registered in :data:`KINDS` by name
(typed dispatch: the planner and executor never build method names). Every
kind follows the same rules:

- ``observe`` finds the resource by what was recorded, else by its
  deterministic name (so one created by a deploy that stopped before
  recording it is adopted, never duplicated), and reports its configuration
  in the same shape as :class:`~myframework.deploy.desired.Desired.config`.
  It reports only what AWS tells; anything else is taken from the record.
- ``create`` calls ``remember(identity)`` the moment the resource exists,
  before any further call, so the state never misses it; it adopts a
  resource that turns out to exist already.
- ``update`` makes only the calls the differing ``fields`` need.
- ``delete`` treats "not found" as done, so it can be repeated.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ..aws import Aws
from ..desired import Desired

Remember = Callable[[dict[str, Any]], None]


@dataclasses.dataclass
class Observed:
    identity: dict[str, Any]
    config: dict[str, Any]


class Kind:
    """The base: subclasses implement the four operations."""

    name = ""

    def observe(self, aws: Aws, cache: dict[Any, Any], desired: Desired | None,
                record: dict[str, Any] | None) -> Observed | None:
        raise NotImplementedError

    def create(self, aws: Aws, desired: Desired, config: dict[str, Any],
               remember: Remember) -> dict[str, Any]:
        raise NotImplementedError

    def update(self, aws: Aws, desired: Desired, config: dict[str, Any], current: Observed,
               fields: list[str]) -> dict[str, Any]:
        raise NotImplementedError

    def delete(self, aws: Aws, record: dict[str, Any]) -> None:
        raise NotImplementedError


def _registry() -> dict[str, Kind]:
    from .events import (
        PermissionKind,
        RestApiKind,
        RuleKind,
        S3NotificationKind,
        SNSSubscriptionKind,
        SQSMappingKind,
    )
    from .functions import FunctionKind, LayerKind, RoleKind
    kinds: list[Kind] = [RoleKind(), LayerKind(), FunctionKind(), RestApiKind(), RuleKind(),
                         PermissionKind(), S3NotificationKind(), SQSMappingKind(),
                         SNSSubscriptionKind()]
    return {kind.name: kind for kind in kinds}


KINDS: dict[str, Kind] = _registry()
