"""``myframework package``: build the deployment package (and its IaC template)."""
from __future__ import annotations

import pathlib

import click

from .common import project_dir


@click.command()
@click.argument("out_dir", metavar="OUTDIR", type=click.Path(file_okay=False))
@click.option("--stage", default="dev", show_default=True,
              help="Config stage whose runtime, architecture and settings apply.")
@click.option("--pkg-format", type=click.Choice(["cloudformation", "terraform"]),
              default="cloudformation", show_default=True,
              help="Also write a SAM/CloudFormation template (sam.json) or Terraform "
                   "(deployment.tf.json) describing everything the app registered.")
@click.option("--verify/--no-verify", default=False, show_default=True,
              help="Unpack the zip and import and run every handler in a clean interpreter.")
@click.pass_context
def package(ctx: click.Context, out_dir: str, stage: str, pkg_format: str,
            verify: bool) -> None:
    """Build the deployment zip(s) for the stage into OUTDIR, with the dependencies of
    requirements.txt built for the target Lambda runtime, and the template that deploys
    them."""
    from ..config import API_HANDLER, ConfigError, load_config
    from ..deploy.appmodel import build_app_model
    from ..deploy.build import TemplateCache, build_project
    from ..deploy.errors import PackagingError
    from ..deploy.packaging import describe
    from ..deploy.verify import verify_package
    from ..project import (
        AppLoadError,
        ProjectError,
        find_project,
        import_environment,
        load_app,
    )
    out = pathlib.Path(out_dir)
    try:
        root = find_project(project_dir(ctx))
        config = load_config(root)
        stage_config = config.stage(stage)
        # Functions with their own runtime or architecture get their own zip.
        functions = sorted(stage_config.per_function("runtime", "architecture"))
        build = build_project(root, stage_config, functions, out,
                              log=lambda line: click.echo(line, err=True))
        cache = TemplateCache(root / ".myframework" / "cache" / "templates", build, config,
                              stage, pkg_format)
        template, count = cache.restore(out)
        if template is None:  # something changed: the template needs the app's registry
            app = load_app(root, environment=import_environment(
                stage_config.environment(API_HANDLER)))
            code = {name: build.packages[target].zip_path.name
                    for name, target in build.targets.items()}
            layer = build.main.layer_path
            model = build_app_model(app, stage_config, code, layer.name if layer else None,
                                    root)
            if pkg_format == "terraform":
                from ..deploy.terraform import write_terraform
                template = write_terraform(model, out)
            else:
                from ..deploy.cloudformation import write_sam
                template = write_sam(model, out)
            count = len(model.functions)
            cache.store(template, count)
    except (ProjectError, AppLoadError, ConfigError, PackagingError) as exc:
        raise click.ClickException(str(exc)) from None
    except ValueError as exc:  # a template the app's registrations cannot be expressed in
        raise click.ClickException("cannot describe the app as %s: %s" % (pkg_format, exc)
                                   ) from None
    failed = False
    for target, result in build.packages.items():
        users = sorted(name for name, t in build.targets.items() if t == target)
        click.echo("%s for %s (%s)" % (describe(result), target, ", ".join(users)))
        if verify:
            checked = verify_package(result.zip_path, target, result.layer_path,
                                     stage_config.environment(API_HANDLER), stage)
            click.echo(checked.describe())
            failed = failed or not checked.ok
    click.echo("%s: %s describing %d function(s)" % (
        template, "SAM/CloudFormation template" if pkg_format == "cloudformation"
        else "Terraform configuration", count))
    if failed:
        ctx.exit(1)
