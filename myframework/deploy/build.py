"""The build step of ``package`` and ``deploy``: one zip per Lambda runtime and
architecture the stage's functions use, built from the project's config."""
from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Iterable

from ..config import API_HANDLER, StageConfig
from .packaging import (
    DEFAULT_ARCHITECTURE,
    DEFAULT_RUNTIME,
    Log,
    PackageResult,
    Target,
    build_package as build_zip,
)


@dataclasses.dataclass
class ProjectBuild:
    """The packages of a stage: ``packages[target]`` and which function uses which."""

    packages: dict[Target, PackageResult]
    targets: dict[str, Target]  # function name -> its target

    @property
    def main(self) -> PackageResult:
        return self.packages[self.targets[API_HANDLER]]


def function_target(stage: StageConfig, function: str | None) -> Target:
    return Target(str(stage.get("runtime", function, DEFAULT_RUNTIME)),
                  str(stage.get("architecture", function, DEFAULT_ARCHITECTURE)))


def build_project(root: pathlib.Path, stage: StageConfig, functions: Iterable[str],
                  out_dir: pathlib.Path, log: Log | None = None) -> ProjectBuild:
    """Build the packages ``functions`` (names; ``api_handler`` is always included) need."""
    names = [API_HANDLER, *(f for f in functions if f != API_HANDLER)]
    targets = {name: function_target(stage, name) for name in names}
    main = targets[API_HANDLER]
    packages: dict[Target, PackageResult] = {}
    for target in sorted(set(targets.values()), key=lambda t: (t != main, str(t))):
        suffix = "" if target == main else "-%s-%s" % (target.runtime, target.architecture)
        packages[target] = build_zip(
            root, out_dir, target, include_paths=stage.get("include_paths", default=[]),
            automatic_layer=bool(stage.get("automatic_layer", default=False)), log=log,
            name="deployment" + suffix)
    return ProjectBuild(packages, targets)
