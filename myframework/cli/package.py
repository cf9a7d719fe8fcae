"""``myframework package``: build the deployment package."""
from __future__ import annotations

import pathlib

import click

from .common import project_dir


@click.command()
@click.argument("out_dir", metavar="OUTDIR", type=click.Path(file_okay=False))
@click.option("--stage", default="dev", show_default=True,
              help="Config stage whose runtime, architecture and settings apply.")
@click.option("--verify/--no-verify", default=False, show_default=True,
              help="Unpack the zip and import and run every handler in a clean interpreter.")
@click.pass_context
def package(ctx: click.Context, out_dir: str, stage: str, verify: bool) -> None:
    """Build the deployment zip(s) for the stage into OUTDIR: the app, the framework's
    runtime and the dependencies of requirements.txt built for the target Lambda runtime."""
    from ..config import API_HANDLER, ConfigError, load_config
    from ..deploy.build import build_project
    from ..deploy.errors import PackagingError
    from ..deploy.packaging import describe
    from ..deploy.verify import verify_package
    from ..project import AppLoadError, ProjectError, find_project, load_app
    try:
        root = find_project(project_dir(ctx))
        stage_config = load_config(root).stage(stage)
        functions = sorted(stage_config.per_function("runtime", "architecture"))
        if functions:
            # Only then does it matter which functions exist (importing the app costs time).
            try:
                app = load_app(root)
                functions = [spec.name for spec in app.registry.handlers
                             if spec.name in functions]
            except AppLoadError as exc:  # still build; --verify shows the error from the zip
                click.echo("warning: %s" % exc, err=True)
        build = build_project(root, stage_config, functions, pathlib.Path(out_dir),
                              log=lambda line: click.echo(line, err=True))
    except (ProjectError, ConfigError, PackagingError) as exc:
        raise click.ClickException(str(exc)) from None
    failed = False
    for target, result in build.packages.items():
        users = sorted(name for name, t in build.targets.items() if t == target)
        click.echo("%s for %s (%s)" % (describe(result), target, ", ".join(users)))
        if verify:
            checked = verify_package(result.zip_path, target, result.layer_path,
                                     stage_config.environment(API_HANDLER), stage)
            click.echo(checked.describe())
            failed = failed or not checked.ok
    if failed:
        ctx.exit(1)
