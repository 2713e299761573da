"""The ``mechdesign`` command-line interface (typer + rich)."""

from mechdesign.cli.app import app, main

__all__ = ["app", "main"]
