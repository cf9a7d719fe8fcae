"""``myframework invoke``: run a registered handler."""
from __future__ import annotations

import click

from .common import project_dir


@click.command()
@click.argument("name")
@click.option("--local", "run_local", is_flag=True,
              help="Run the handler in this process instead of on AWS.")
@click.option("--stage", default="dev", show_default=True,
              help="The stage: the deployed one to invoke, or with --local the config stage whose "
                   "environment variables apply.")
@click.option("--event", "event_file", metavar="FILE",
              help="A JSON file with the event to send ('-' reads standard input).")
@click.option("--s3", metavar="BUCKET/KEY", help="Send an S3 ObjectCreated event for this object.")
@click.option("--sqs", metavar="BODY", help="Send an SQS batch with one message of this body.")
@click.option("--sns", metavar="MESSAGE", help="Send an SNS notification with this message.")
@click.option("--payload", metavar="JSON",
              help="The event to send to the deployed function (default: {}).")
@click.pass_context
def invoke(ctx: click.Context, name: str, run_local: bool, stage: str, event_file: str | None,
           s3: str | None, sqs: str | None, sns: str | None, payload: str | None) -> None:
    """Invoke the handler registered as NAME (a function name, or api_handler) and print
    what it returns: the deployed function, with --payload, or with --local the handler
    in this process (without an event option, a sample event of the handler's kind)."""
    if not run_local:
        if event_file or s3 or sqs or sns:
            raise click.ClickException("--event, --s3, --sqs and --sns go with --local; the "
                                       "deployed function takes --payload JSON")
        _invoke_remote(ctx, name, stage, payload if payload is not None else "{}")
        return
    if payload is not None:
        raise click.ClickException("--payload is for the deployed function; with --local use "
                                   "--event FILE (or - for standard input)")
    from ..local.invoke import EventChoice, InvokeError, invoke_local
    try:
        code = invoke_local(project_dir(ctx), stage, name, EventChoice(event_file, s3, sqs, sns))
    except InvokeError as exc:
        raise click.ClickException(str(exc)) from None
    ctx.exit(code)


def _invoke_remote(ctx: click.Context, name: str, stage: str, payload: str) -> None:
    from ..deploy.aws import Aws, DeployError
    from ..deploy.deployer import recorded
    from ..deploy.remote import function_name, invoke as run_invoke
    from ..project import ProjectError, find_project
    try:
        state = recorded(find_project(project_dir(ctx)), stage)
        result = run_invoke(Aws(), function_name(state, name), payload)
    except (DeployError, ProjectError) as exc:
        raise click.ClickException(str(exc)) from None
    if result.log_tail:
        click.echo(result.log_tail.rstrip("\n"), err=True)
    click.echo(result.payload.decode("utf-8", "replace"))
    if result.error:
        click.echo("The function failed (%s)." % result.error, err=True)
        ctx.exit(1)
