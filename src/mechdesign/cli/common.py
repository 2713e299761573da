"""Helpers shared by CLI commands: console, error reporting, spec loading, JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console

from mechdesign.errors import MechDesignError

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Turn mechdesign errors into a one-paragraph message and exit code 2 (no traceback)."""
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except MechDesignError as exc:
            err_console.print(f"[bold red]error:[/bold red] {exc}", highlight=False)
            raise typer.Exit(code=2) from None
    return wrapper  # type: ignore[return-value]


def write_json(data: Any, target: Path | None) -> None:
    """Write JSON to ``target`` (a path) or to stdout when ``target`` is ``-``/None."""
    text = json.dumps(data, indent=2, default=_default)
    if target is None or str(target) == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(target).write_text(text + "\n")


def _default(obj: Any) -> Any:
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return str(obj)
