"""Pieces the commands share: the project-dir option and error reporting."""
from __future__ import annotations

from typing import Any

import click


class ProjectDirOption(click.Path):
    """``--project-dir``: an existing folder (checked for app.py by the command)."""

    def __init__(self) -> None:
        super().__init__(exists=True, file_okay=False, dir_okay=True)


def project_dir(ctx: click.Context) -> str | None:
    """The ``--project-dir`` given to the group, if any."""
    obj: Any = ctx.find_root().obj
    return obj.get("project_dir") if isinstance(obj, dict) else None
