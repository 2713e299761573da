"""The root ``mechdesign`` command; each feature registers its commands from its own module."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mechdesign.cli import auction as auction_commands
from mechdesign.cli import check as check_commands
from mechdesign.cli import design as design_commands
from mechdesign.cli import efficient as efficient_commands
from mechdesign.cli import examples as example_commands
from mechdesign.cli import games as game_commands
from mechdesign.cli import schema as schema_commands

app = typer.Typer(
    name="mechdesign",
    help="Bayesian mechanism design: build mechanisms, audit their properties, solve games.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from mechdesign import __version__

        typer.echo(f"mechdesign {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Optional[bool] = typer.Option(None, "--version", callback=_version, is_eager=True,
                                                 help="Print the version and exit.")) -> None:
    """Bayesian mechanism design from the command line."""


for module in (auction_commands, check_commands, design_commands, efficient_commands, example_commands,
               game_commands, schema_commands):
    module.register(app)


def main() -> None:
    """Entry point of the ``mechdesign`` console script."""
    app()


__all__ = ["app", "main", "Path"]
