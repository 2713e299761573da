"""The ``mechdesign`` command-line interface (typer + rich).

One module per group of commands, each with ``register(app)``; every command is wrapped by
:func:`mechdesign.cli.common.command` and declares its SPEC and output files with the helpers of
:mod:`mechdesign.cli.common` (see there), so it gets checked outputs, protected inputs, one-line
errors (exit 2) and markup-safe printing. Shared tables: :mod:`mechdesign.cli.tables`.
"""

from mechdesign.cli.app import app, main

__all__ = ["app", "main"]
