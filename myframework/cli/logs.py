"""``myframework logs``: read a deployed function's CloudWatch logs."""
from __future__ import annotations

import click

from .common import project_dir


@click.command()
@click.argument("name")
@click.option("--stage", default="dev", show_default=True, help="The deployed stage.")
@click.option("--since", default="10m", show_default=True,
              help="How far back: 30s, 10m, 2h, 1d, or an ISO time (2026-01-31T12:00:00Z).")
@click.option("--follow", "-f", is_flag=True, help="Keep printing new log events (Ctrl-C stops).")
@click.pass_context
def logs(ctx: click.Context, name: str, stage: str, since: str, follow: bool) -> None:
    """Print the logs of the deployed function NAME (a handler's name, api_handler, or the
    function's name on AWS)."""
    import time

    from ..deploy.aws import Aws, DeployError
    from ..deploy.deployer import recorded
    from ..deploy.remote import function_name, parse_since, read_logs
    from ..project import ProjectError, find_project
    try:
        state = recorded(find_project(project_dir(ctx)), stage)
        function = function_name(state, name)
        start = parse_since(since, time.time())
        for event in read_logs(Aws(), function, start, follow=follow):
            click.echo(event.format())
    except (DeployError, ProjectError) as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        pass
