"""From the calls found to permissions, and to IAM policy statements."""
from __future__ import annotations

import hashlib
import re
from typing import Any

from . import Permissions, Use
from .values import Analysis

_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")


def permissions_from(analysis: Analysis) -> Permissions:
    from .actions import iam_actions
    from .resources import resource_arns
    permissions = Permissions()
    for call in analysis.calls:
        for operation in call.operations:
            for action in iam_actions(call.service, operation):
                arns = set(resource_arns(call.service, action, call.params))
                if call.region:  # the code names the client's region
                    arns = {arn.replace("${Region}", call.region) for arn in arns}
                found = permissions.actions.setdefault(action, set())
                found.update(arns)
                permissions.uses.setdefault(action, []).append(
                    Use(call.path, call.line, call.label))
    for action, arns in permissions.actions.items():
        if "*" in arns:  # one call on an unknown resource needs it everywhere
            permissions.actions[action] = {"*"}
    for action, uses in permissions.uses.items():  # one line per call, however many ops
        unique = {(use.path, use.line, use.call): use for use in uses}
        permissions.uses[action] = [unique[key] for key in sorted(unique)]
    permissions.skipped = sorted((Use(skip.path, skip.line, skip.why)
                                  for skip in analysis.skipped),
                                 key=lambda use: (use.path, use.line, use.call))
    return permissions


def policy_statements(permissions: Permissions) -> list[dict[str, Any]]:
    """One statement per set of resources, actions and resources sorted, with statement
    ids made from what they hold: the same permissions give the same bytes."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for action, arns in permissions.actions.items():
        groups.setdefault(tuple(sorted(arns)), []).append(action)
    statements: list[dict[str, Any]] = []
    for resources, actions in sorted(groups.items(), key=lambda item: (sorted(item[1]),
                                                                       item[0])):
        actions.sort()
        prefixes = sorted({action.split(":")[0] for action in actions})
        digest = hashlib.sha256("\n".join([*actions, "", *resources]).encode()).hexdigest()[:8]
        sid = "App" + "".join(word[:1].upper() + word[1:] for prefix in prefixes
                              for word in _NOT_ALNUM.split(prefix) if word) + digest
        statements.append({"Sid": sid, "Effect": "Allow", "Action": actions,
                           "Resource": list(resources)})
    return statements


def explain(permissions: Permissions) -> list[str]:
    """Per action, the file and line of each call that needs it; then what was skipped."""
    lines: list[str] = []
    if not permissions.actions:
        lines.append("The app's code makes no AWS calls (that the analysis can see).")
    for action in sorted(permissions.actions):
        resources = ", ".join(sorted(permissions.actions[action]))
        lines.append("%s on %s" % (action, resources))
        for use in permissions.uses.get(action, []):
            lines.append("    %s:%d  %s" % (use.path, use.line, use.call))
    if permissions.skipped:
        lines.append("Not followed (grant these yourself with iam_policy_extra if they call "
                     "AWS):")
        for use in permissions.skipped:
            lines.append("    %s:%d  %s" % (use.path, use.line, use.call))
    return lines
