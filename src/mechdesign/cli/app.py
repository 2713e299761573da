"""The root ``mechdesign`` command; each feature registers its commands from its own module.

Every command module has a ``register(app)`` function and wraps its commands
with :func:`mechdesign.cli.common.command` (see that module for the shared
input/output/error helpers). Usage errors (an unknown option, a bad value for
a typed option, a missing argument) print one line on standard error and exit
with code 2, like the commands' own errors. Help is plain text (no rich
markup), so help strings may contain brackets.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

import typer
from typer.core import TyperGroup

from mechdesign.cli import auction as auction_commands
from mechdesign.cli import check as check_commands
from mechdesign.cli import combinatorial as combinatorial_commands
from mechdesign.cli import design as design_commands
from mechdesign.cli import efficient as efficient_commands
from mechdesign.cli import examples as example_commands
from mechdesign.cli import games as game_commands
from mechdesign.cli import schema as schema_commands
from mechdesign.cli._click import exceptions
from mechdesign.cli.common import err_console, error_line


class _Group(TyperGroup):
    """The root group: usage errors become one line ``error: ...`` (exit code 2)."""

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except exceptions.NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except exceptions.ClickException as exc:
            from rich.text import Text

            hint = ""
            ctx = getattr(exc, "ctx", None)
            if ctx is not None:
                hint = f" (see: {ctx.command_path} --help)"
            err_console.print(Text.assemble(("error: ", "bold red"), error_line(exc.format_message()) + hint),
                              soft_wrap=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            err_console.print("error: interrupted", markup=False)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    name="mechdesign",
    cls=_Group,
    help="Bayesian mechanism design: build mechanisms, audit their properties, solve games.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # plain help: flags shown without a "<bool>" type, and brackets in help text (pip install
    # 'mechdesign[gambit]') printed as written instead of being read as rich markup
    rich_markup_mode=None,
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


for module in (auction_commands, check_commands, combinatorial_commands, design_commands, efficient_commands, example_commands,
               game_commands, schema_commands):
    module.register(app)


def main() -> None:
    """Entry point of the ``mechdesign`` console script."""
    app()


__all__ = ["app", "main", "Path"]
