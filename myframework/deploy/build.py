"""The build step of ``package`` and ``deploy``: one zip per Lambda runtime and
architecture the stage's functions use, built from the project's config."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pathlib
from collections.abc import Iterable

from .. import __version__ as _VERSION
from ..config import API_HANDLER, ProjectConfig, StageConfig
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


class TemplateCache:
    """The template of the last build, reused when nothing it depends on changed: the
    zips (the app's code, the runtime, the dependencies), the config, the stage and the
    format. Then the app need not even be imported."""

    def __init__(self, folder: pathlib.Path, build: ProjectBuild, config: ProjectConfig,
                 stage: str, pkg_format: str) -> None:
        digest = hashlib.sha256()
        policy_file = config.stage(stage).get("iam_policy_file")
        if policy_file:  # the role's whole policy, read from .myframework/
            try:
                digest.update((folder.parents[1] / str(policy_file)).read_bytes())
            except OSError:
                digest.update(b"missing")
        for source in sorted(pathlib.Path(__file__).parent.glob("*.py")):  # the renderers
            digest.update(source.read_bytes())
        for part in (_VERSION, stage, pkg_format, json.dumps(config.data, sort_keys=True),
                     *sorted(result.sha256 + (result.layer_sha256 or "")
                             for result in build.packages.values()),
                     *sorted("%s=%s" % item for item in
                             ((name, str(target)) for name, target in build.targets.items()))):
            digest.update(part.encode("utf-8") + b"\0")
        self.entry = folder / (digest.hexdigest()[:32] + ".json")

    def restore(self, out_dir: pathlib.Path) -> tuple[pathlib.Path | None, int]:
        try:
            saved = json.loads(self.entry.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None, 0
        target = out_dir / saved["file"]
        target.write_text(saved["text"], encoding="utf-8")
        return target, int(saved["functions"])

    def store(self, template: pathlib.Path, functions: int) -> None:
        self.entry.parent.mkdir(parents=True, exist_ok=True)
        partial = self.entry.with_suffix(".partial")
        partial.write_text(json.dumps({"file": template.name, "functions": functions,
                                       "text": template.read_text(encoding="utf-8")}),
                           encoding="utf-8")
        os.replace(partial, self.entry)
