"""``myframework gen-policy``: the IAM policy the app's functions need."""
from __future__ import annotations

import json

import click

from .common import project_dir


@click.command("gen-policy")
@click.option("--stage", default="dev", show_default=True,
              help="Config stage whose settings and environment variables apply.")
@click.option("--explain", is_flag=True,
              help="Instead of the policy: each action with the file and line that needs it, "
                   "and the code the analysis could not follow.")
@click.pass_context
def gen_policy(ctx: click.Context, stage: str, explain: bool) -> None:
    """Print the IAM policy of the app's execution role, as `myframework deploy` makes it:
    what the framework needs (logs, event sources, tasks) and what the app's own code calls,
    found by reading every module the package holds (scoped to the buckets, tables, queues...
    it names), plus iam_policy_extra."""
    from ..config import API_HANDLER, ConfigError, load_config
    from ..deploy.appmodel import app_permissions, build_app_model
    from ..deploy.errors import PackagingError
    from ..policy.generate import explain as explain_lines
    from ..project import (
        AppLoadError,
        ProjectError,
        find_project,
        import_environment,
        load_app,
    )
    try:
        root = find_project(project_dir(ctx))
        stage_config = load_config(root).stage(stage)
        app = load_app(root, environment=import_environment(
            stage_config.environment(API_HANDLER)))
        if explain:  # the model without root: its role is not needed, so no second analysis
            model = build_app_model(app, stage_config)
            for line in explain_lines(app_permissions(root, stage_config, model)):
                click.echo(line)
            return
        model = build_app_model(app, stage_config, root=root)
    except (ProjectError, AppLoadError, ConfigError, PackagingError) as exc:
        raise click.ClickException(str(exc)) from None
    if model.role is None:
        raise click.ClickException("every function of stage %s uses a role you manage "
                                   "(manage_iam_role: false), so there is no policy to make"
                                   % stage)
    click.echo(json.dumps({"Version": "2012-10-17", "Statement": model.role.statements},
                          indent=2))
