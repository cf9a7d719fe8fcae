"""Least-privilege IAM from the app's code: which AWS calls it makes, on what.

:func:`required_permissions` reads every project module the app imports (by
``ast``, nothing is imported or run), finds the boto3 calls, maps each to its
IAM actions and, where the names are constants or declared environment
variables, to resource ARNs. ``myframework gen-policy`` prints the result;
the deployer adds it to the role's policy.

ARNs are templates with ``${Partition}``, ``${Region}`` and ``${AccountId}``,
as in :mod:`myframework.deploy.models`.
"""
from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Mapping


@dataclasses.dataclass
class Use:
    """One place in the code that needs an action."""

    path: str  # relative to the project
    line: int
    call: str  # e.g. "s3.put_object" or "dynamodb.Table.put_item"


@dataclasses.dataclass
class Permissions:
    """What the code needs: ``actions[action] = {resource ARN templates}`` ("*" when
    unknown), where each is needed, and what the analysis could not follow."""

    actions: dict[str, set[str]] = dataclasses.field(default_factory=dict)
    uses: dict[str, list[Use]] = dataclasses.field(default_factory=dict)
    skipped: list[Use] = dataclasses.field(default_factory=list)  # call: why it was skipped


def required_permissions(files: Mapping[str, pathlib.Path],
                         environment: Mapping[str, str] | None = None) -> Permissions:
    """The permissions the code in ``files`` needs: relative path -> file, what the
    package holds (:func:`myframework.deploy.sources.collect_app_files`; tests and
    scripts that are not packaged are not read). ``environment`` is the stage's
    environment variables, for names the code reads with ``os.environ``."""
    from .analysis import analyze
    from .generate import permissions_from
    return permissions_from(analyze(files, environment or {}))
