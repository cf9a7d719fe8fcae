"""``myframework new-project NAME``: create a working project from a template."""
from __future__ import annotations

import os
import pathlib

import click

from ..newproject import (
    DEFAULT_TEMPLATE,
    TEMPLATES,
    NewProjectError,
    create_project,
    has_requirements,
)

_TEMPLATE_HELP = {
    "rest-api": "a JSON CRUD API (routes, errors, CORS)",
    "events": "a schedule, S3, SQS and SNS handlers and a background task",
    "flask": "a Flask app mounted with app.mount_wsgi()",
    "django": "a Django project mounted with app.mount_wsgi()",
}


def _files(project: pathlib.Path) -> list[str]:
    return sorted(path.relative_to(project).as_posix()
                  for path in project.rglob("*") if path.is_file())


# ignore_unknown_options: a name such as "-x" reaches the name check (and its
# message) instead of being reported as an unknown option.
@click.command("new-project", context_settings={"ignore_unknown_options": True})
@click.argument("name")
@click.option("--template", "-t", type=click.Choice(TEMPLATES), default=DEFAULT_TEMPLATE,
              show_default=True, help="What the project starts with: "
              + "; ".join("%s: %s" % (name, _TEMPLATE_HELP[name]) for name in TEMPLATES)
              + ".")
def new_project(name: str, template: str) -> None:
    """Create the folder NAME in the current folder, holding a working project:
    app.py, its tests, requirements.txt, .gitignore and .myframework/config.json.

    NAME (1-64 letters, digits, - and _) is also the app's name. The folder
    must not exist yet.
    """
    try:
        # A relative parent, so messages name the folder as the user typed it.
        project = create_project(name, pathlib.Path(os.curdir), template)
    except NewProjectError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("Created the project %s from the %s template:" % (name, template))
    for path in _files(project):
        click.echo("  %s/%s" % (name, path))
    click.echo("")
    click.echo("Next steps:")
    click.echo("  cd %s" % name)
    if has_requirements(project):
        click.echo("  python -m pip install -r requirements.txt")
    click.echo("  myframework local        # serve the app on your machine")
    click.echo("  python -m pytest         # run its tests")
