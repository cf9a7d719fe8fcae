"""``myframework local``: the dev server."""
from __future__ import annotations

import click

from ..testing import EVENT_FORMATS
from .common import project_dir


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 serves other machines too (with a warning).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")
@click.option("--stage", default="dev", show_default=True,
              help="Config stage whose environment variables and settings apply.")
@click.option("--reload/--no-reload", default=True, show_default=True,
              help="Restart when a project file or the config changes.")
@click.option("--schedules/--no-schedules", default=True, show_default=True,
              help="Fire @app.schedule handlers on their Rate/Cron while serving.")
@click.option("--event-format", type=click.Choice(EVENT_FORMATS), default="rest",
              show_default=True,
              help="Which service's events to build: API Gateway REST, HTTP API, Function URL "
                   "or ALB.")
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Worker threads running the tasks sent with .delay().")
@click.pass_context
def local(ctx: click.Context, host: str, port: int, stage: str, reload: bool, schedules: bool,
          event_format: str, workers: int) -> None:
    """Serve the app locally, through the same handler that runs on Lambda."""
    from ..local.runner import LocalError, LocalOptions, run
    options = LocalOptions(project_dir(ctx), host, port, stage, event_format, reload,
                           schedules, workers)
    try:
        code = run(options)
    except LocalError as exc:
        raise click.ClickException(str(exc)) from None
    ctx.exit(code)
