"""``mechdesign schema [SECTION]``: the JSON Schema of the spec format (or its reference page)."""

from __future__ import annotations

import json
import sys
from typing import Optional

import typer

from mechdesign.cli.common import handle_errors


def register(app: typer.Typer) -> None:
    """Add the ``schema`` command to ``app``."""

    @app.command("schema")
    @handle_errors
    def schema_command(
        section: Optional[str] = typer.Argument(
            None, help="spec (default: the whole file), prior, mechanism, game, auction or design."),
        markdown: bool = typer.Option(False, "--markdown", help="Print the field-by-field reference page instead."),
    ) -> None:
        """Print the JSON Schema of spec files, generated from the models that validate them."""
        from mechdesign.io.schema import reference_page, spec_schema

        if markdown:
            sys.stdout.write(reference_page())
            return
        sys.stdout.write(json.dumps(spec_schema(section), indent=2) + "\n")
