"""The ``myframework`` command line (click). Imported only by the console script.

Commands live in one module each; this module builds the group and turns the
errors a user can hit into one clear line (never a traceback).
"""
from __future__ import annotations

import click

from .. import __version__
from .common import ProjectDirOption


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="myframework")
@click.option("--project-dir", type=ProjectDirOption(), default=None,
              help="The project folder (the one holding app.py); default: the current folder.")
@click.pass_context
def cli(ctx: click.Context, project_dir: str | None) -> None:
    """myframework: serverless Python apps on AWS Lambda."""
    ctx.obj = {"project_dir": project_dir}


def _register() -> None:
    from .deploy import delete, deploy, status, url
    from .gen_policy import gen_policy
    from .invoke import invoke
    from .local import local
    from .logs import logs
    from .new_project import new_project
    from .package import package
    cli.add_command(new_project)
    cli.add_command(local)
    cli.add_command(invoke)
    cli.add_command(package)
    cli.add_command(deploy)
    cli.add_command(delete)
    cli.add_command(status)
    cli.add_command(url)
    cli.add_command(logs)
    cli.add_command(gen_policy)


_register()


def main() -> None:
    cli(prog_name="myframework")
