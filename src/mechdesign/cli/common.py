"""What every CLI command shares: the error wrapper, input/output declarations, safe printing.

A new command gets the safety guarantees by using these pieces::

    @app.command("mycommand")
    @command                                   # errors -> one line on stderr, exit code 2
    def mycommand(spec: Path = spec_argument("YAML/JSON spec with a 'my:' section."),
                  json_out: Optional[Path] = json_option(),
                  plot: Optional[Path] = plot_option("Save the figure here."),
                  max_rows: int = max_rows_option()) -> None:
        data = load_spec(spec)                 # or mechdesign.io.loader.load_data(spec)
        ...
        if emit_json(result.to_dict(), json_out):   # True when the JSON went to stdout ('-')
            return
        console.print(table)
        save_figure(figure, plot)

* :func:`command` runs the command inside :func:`mechdesign._files.input_scope`,
  first checks every declared output path (not a directory, folder exists and
  is writable, not one of the declared inputs, not two outputs on one file,
  figure extension known), and turns :class:`~mechdesign.errors.MechDesignError`,
  ``MemoryError`` and interrupts into one line on standard error and exit code 2
  (130 for an interrupt). A bug still shows its traceback.
* :func:`spec_argument`, :func:`json_option`, :func:`output_option`,
  :func:`plot_option` declare inputs and outputs; :func:`max_rows_option` is the
  one row-limit flag.
* :func:`emit_json`, :func:`save_figure` and :func:`mechdesign._files.write_output`
  write atomically and never replace an input.
* Rich parses ``[...]`` as markup: user text (labels, names, messages) goes
  through :func:`plain` (a :class:`rich.text.Text`, never parsed) or
  :func:`rich.markup.escape` before it reaches a table or ``console.print``.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from mechdesign import _validation as v
from mechdesign._files import check_output, input_scope, write_output
from mechdesign._format import number, status_text
from mechdesign.cli._click import get_current_context
from mechdesign.errors import MechDesignError

__all__ = ["console", "err_console", "command", "handle_errors", "spec_argument", "json_option", "output_option",
           "plot_option", "max_rows_option", "emit_json", "write_json", "save_figure", "plain", "escape",
           "number", "status_text", "error_line", "metrics_line"]

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

F = TypeVar("F", bound=Callable[..., Any])

_INPUTS = "mechdesign.inputs"
_OUTPUTS = "mechdesign.outputs"
_FIGURES = "mechdesign.figures"


def error_line(message: str) -> str:
    """A message on one line (continuation lines joined with '; ')."""
    parts = [" ".join(line.split()) for line in str(message).splitlines()]
    parts = [p for p in parts if p]
    if not parts:
        return "unknown error"
    head, rest = parts[0], parts[1:]
    if rest:
        head = head.rstrip(":") + ": " + "; ".join(rest)
    return head


def _print_error(message: str) -> None:
    err_console.print(Text.assemble(("error: ", "bold red"), error_line(message)), soft_wrap=True)


def _declared(ctx: Any, key: str) -> list[tuple[str, Any]]:
    return list(ctx.meta.get(key, [])) if ctx is not None else []


def _check_declared_outputs() -> None:
    ctx = get_current_context(silent=True)
    inputs = [str(path) for _, path in _declared(ctx, _INPUTS)]
    seen: dict[str, str] = {}
    for flag, path in _declared(ctx, _OUTPUTS):
        if str(path) == "-":
            continue
        target = str(check_output(path, name=flag, inputs=inputs))
        if flag in {f for f, _ in _declared(ctx, _FIGURES)}:
            _figure_format(path, flag)
        if target in seen:
            raise v.fail(flag, f"a file other than the one given to {seen[target]}", str(path))
        seen[target] = flag


def command(func: F) -> F:
    """Wrap a CLI command: checked outputs, protected inputs, one-line errors, exit code 2."""
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with input_scope():
                _check_declared_outputs()
                return func(*args, **kwargs)
        except MechDesignError as exc:
            _print_error(str(exc))
            raise typer.Exit(code=2) from None
        except MemoryError:
            _print_error("out of memory: the problem is too large for this machine (try --chunk-size where "
                         "offered, or a smaller spec)")
            raise typer.Exit(code=2) from None
        except KeyboardInterrupt:
            _print_error("interrupted (no output file was changed)")
            raise typer.Exit(code=130) from None
    return wrapper  # type: ignore[return-value]


#: The historical name of :func:`command`.
handle_errors = command


def _remember(key: str, extra: str | None = None) -> Callable[..., Any]:
    def callback(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:
        if value is not None:
            flag = max(param.opts, key=len) if param.opts else (param.human_readable_name or param.name)
            if key == _INPUTS:
                flag = (param.name or "SPEC").upper()
            ctx.meta.setdefault(key, []).append((flag, value))
            if extra is not None:
                ctx.meta.setdefault(extra, []).append((flag, value))
        return value
    return callback


def spec_argument(help: str) -> Any:
    """The ``SPEC`` argument (an input: no output of the command may replace it)."""
    return typer.Argument(..., help=help, metavar="SPEC", callback=_remember(_INPUTS))


def output_option(flag: str, help: str) -> Any:
    """An optional output file option (checked before the command runs)."""
    return typer.Option(None, flag, help=help, metavar="PATH", callback=_remember(_OUTPUTS))


def json_option(help: str = "Write the result as JSON to this file ('-' = standard output only).") -> Any:
    """``--json PATH``: the one spelling of JSON output for every command."""
    return output_option("--json", help)


def plot_option(help: str = "Save the figure to this file; the extension (.png, .pdf, .svg, ...) sets the format.") -> Any:
    """``--plot PATH``: a figure, saved to exactly this path; unknown extensions are refused up front."""
    return typer.Option(None, "--plot", help=help, metavar="PATH", callback=_remember(_OUTPUTS, _FIGURES))


def max_rows_option(default: int = 20) -> Any:
    """``--max-rows N``: the one row-limit flag of printed tables."""
    return typer.Option(default, "--max-rows", min=0, metavar="N",
                        help="Rows of each printed table (the rest are counted).")


def emit_json(data: Any, target: Path | str | None, *, name: str = "--json") -> bool:
    """Write ``data`` as JSON to ``target`` ('-' = stdout). Returns True when it went to stdout.

    Returns False (and writes nothing) when ``target`` is None.
    """
    if target is None:
        return False
    text = json.dumps(data, indent=2, default=_default, allow_nan=True) + "\n"
    if str(target) == "-":
        sys.stdout.write(text)
        return True
    write_output(target, text, name=name)
    return False


def write_json(data: Any, target: Path | None) -> None:
    """Write JSON to ``target`` (a path) or to stdout when ``target`` is ``-``/None."""
    if target is None:
        target = "-"
    emit_json(data, target)


def _figure_format(path: Any, name: str) -> str:
    from matplotlib.figure import Figure

    supported = Figure().canvas.get_supported_filetypes()
    suffix = Path(str(path)).suffix.lower().lstrip(".")
    if suffix not in supported:
        raise v.fail(name, f"a file name ending in one of {sorted('.' + s for s in supported)}",
                     f"{path}" if suffix else f"{path} (no extension)")
    return suffix


def save_figure(figure: Any, path: Path | str | None, *, name: str = "--plot", dpi: int = 110) -> bool:
    """Save a matplotlib figure to exactly ``path`` (atomically); False when ``path`` is None."""
    if path is None:
        return False
    fmt = _figure_format(path, name)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=dpi)
    write_output(path, buffer.getvalue(), name=name)
    return True


def plain(value: Any) -> Text:
    """User text for a rich table cell or print, never parsed as markup."""
    return value if isinstance(value, Text) else Text(str(value))


def _default(obj: Any) -> Any:
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return str(obj)



def metrics_line(metrics: dict[str, Any]) -> Text:
    """``welfare = 1.5  revenue = 0  ...`` (no ``-0``)."""
    return Text("  ".join(f"{k} = {number(val)}" for k, val in metrics.items()))
