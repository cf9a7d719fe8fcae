"""``myframework deploy``, ``delete``, ``status`` and ``url``."""
from __future__ import annotations

import pathlib

import click

from .common import project_dir

STAGE_HELP = "The config stage (its settings, and its own set of resources on AWS)."


def _root(ctx: click.Context) -> pathlib.Path:
    from ..project import ProjectError, find_project
    try:
        return find_project(project_dir(ctx))
    except ProjectError as exc:
        raise click.ClickException(str(exc)) from None


def _log(line: str) -> None:
    click.echo(line, err=True)


@click.command()
@click.option("--stage", default="dev", show_default=True, help=STAGE_HELP)
@click.option("--dry-run", is_flag=True,
              help="Print what would be created, updated and deleted, from the recorded "
                   "state; no AWS calls are made.")
@click.option("--verify/--no-verify", default=False, show_default=True,
              help="Import and run every handler from the package in a clean interpreter "
                   "before deploying.")
@click.pass_context
def deploy(ctx: click.Context, stage: str, dry_run: bool, verify: bool) -> None:
    """Deploy the app: build its package, then create or update the IAM role, the Lambda
    functions, the REST API, schedules and event sources it needs, changing only what
    differs from what is deployed."""
    from ..deploy.aws import DeployError
    from ..deploy.deployer import deploy as run_deploy
    root = _root(ctx)
    try:
        report = run_deploy(root, stage, echo=click.echo, log=_log, dry_run=dry_run,
                            verify=verify)
    except DeployError as exc:
        if exc.state_file is None:
            raise click.ClickException(str(exc)) from None
        raise click.ClickException(
            "%s\nWhat was made so far is recorded in %s: run `myframework deploy` again to "
            "finish, or `myframework delete` to remove it." % (exc, exc.state_file)) from None
    if report.dry_run:
        click.echo("Dry run (from the recorded state; nothing was called): %s"
                   % report.plan.summary())
        for change in report.plan.changes:
            click.echo("  " + change.describe())
        return
    if not report.plan.changes:
        click.echo("Nothing to change: the deployed app matches.")
    click.echo("Deployed in %.1f s (%d AWS calls)." % (report.seconds, report.calls))
    for name, function_name in report.functions.items():
        click.echo("  %-24s %s" % (name, function_name))
    if report.url:
        click.echo("URL: %s" % report.url)


@click.command()
@click.option("--stage", default="dev", show_default=True, help=STAGE_HELP)
@click.pass_context
def delete(ctx: click.Context, stage: str) -> None:
    """Delete everything deployed for the stage (as recorded in
    .myframework/deployed/STAGE.json). Safe to run again."""
    from ..deploy.aws import DeployError
    from ..deploy.deployer import delete as run_delete
    root = _root(ctx)
    try:
        count = run_delete(root, stage, echo=click.echo)
    except DeployError as exc:
        if exc.state_file is None:
            raise click.ClickException(str(exc)) from None
        raise click.ClickException(
            "%s\nWhat is left is still recorded in %s: run `myframework delete` again."
            % (exc, exc.state_file)) from None
    if count:
        click.echo("Deleted %d resource(s) of stage %s." % (count, stage))
    else:
        click.echo("Nothing is deployed for stage %s." % stage)


@click.command()
@click.option("--stage", default="dev", show_default=True, help=STAGE_HELP)
@click.pass_context
def url(ctx: click.Context, stage: str) -> None:
    """Print the URL of the deployed REST API."""
    from ..deploy.aws import DeployError
    from ..deploy.deployer import recorded
    try:
        state = recorded(_root(ctx), stage)
    except DeployError as exc:
        raise click.ClickException(str(exc)) from None
    api_url = state.data.get("api_url")
    if not api_url:
        raise click.ClickException("stage %s has no REST API (the app registers no routes)"
                                   % stage)
    click.echo(api_url)


@click.command()
@click.option("--stage", default="dev", show_default=True, help=STAGE_HELP)
@click.pass_context
def status(ctx: click.Context, stage: str) -> None:
    """List the stage's resources on AWS and whether each matches the app."""
    from ..deploy.aws import DeployError
    from ..deploy.deployer import status as run_status
    from ..deploy.planner import CREATE, DELETE
    try:
        plan, state = run_status(_root(ctx), stage, log=_log)
    except DeployError as exc:
        raise click.ClickException(str(exc)) from None
    if not state.resources and not plan.unchanged:
        click.echo("Stage %s is not deployed." % stage)
    for change in plan.unchanged:
        click.echo("  ok        %s" % change.label)
    for change in plan.changes:
        if change.action == CREATE:
            word = "missing" if state.get(change.key) else "new"
            click.echo("  %-9s %s" % (word, change.label))
        elif change.action == DELETE:
            click.echo("  removed   %s (no longer in the app)" % change.label)
        else:
            click.echo("  differs   %s (%s)" % (change.label, ", ".join(change.fields)))
    click.echo("%s: %s" % (stage, "up to date" if not plan.changes
                           else "out of date (a deploy would make: %s)" % plan.summary()))
