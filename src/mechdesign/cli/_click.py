"""The click that typer runs on: recent typer versions vendor it as ``typer._click``, older ones use click."""

try:
    from typer._click import exceptions
    from typer._click.globals import get_current_context
except ImportError:  # typer < 0.20 runs on click itself
    from click import exceptions, get_current_context

__all__ = ["exceptions", "get_current_context"]
