"""The ``myframework`` command line (click). Imported only by the console script."""
from __future__ import annotations

import click

from .. import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="myframework")
def cli() -> None:
    """myframework: serverless Python apps on AWS Lambda."""


def main() -> None:
    cli(prog_name="myframework")
