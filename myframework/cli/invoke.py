"""``myframework invoke``: run a registered handler."""
from __future__ import annotations

import click

from .common import project_dir


@click.command()
@click.argument("name")
@click.option("--local", "run_local", is_flag=True,
              help="Run the handler in this process instead of on AWS.")
@click.option("--stage", default="dev", show_default=True,
              help="Config stage whose environment variables apply.")
@click.option("--event", "event_file", metavar="FILE",
              help="A JSON file with the event to send ('-' reads standard input).")
@click.option("--s3", metavar="BUCKET/KEY", help="Send an S3 ObjectCreated event for this object.")
@click.option("--sqs", metavar="BODY", help="Send an SQS batch with one message of this body.")
@click.option("--sns", metavar="MESSAGE", help="Send an SNS notification with this message.")
@click.pass_context
def invoke(ctx: click.Context, name: str, run_local: bool, stage: str, event_file: str | None,
           s3: str | None, sqs: str | None, sns: str | None) -> None:
    """Invoke the handler registered as NAME (a function name, or api_handler) and print
    what it returns. Without an event option, a sample event of the handler's kind is sent."""
    if not run_local:
        raise click.ClickException(
            "invoking the deployed function comes with `myframework deploy`, which this "
            "version does not have yet; run it locally with --local")
    from ..local.invoke import EventChoice, InvokeError, invoke_local
    try:
        code = invoke_local(project_dir(ctx), stage, name, EventChoice(event_file, s3, sqs, sns))
    except InvokeError as exc:
        raise click.ClickException(str(exc)) from None
    ctx.exit(code)
