"""Output of ``mechdesign auction --method learn``: a progress bar and a table of the learned bids."""

from __future__ import annotations

import contextlib
import sys

import numpy as np


@contextlib.contextmanager
def progress_bar(kwargs: dict, quiet: bool = False):
    """A rich progress bar on standard error while learning (None when not learning or not a terminal)."""
    if kwargs.get("method") != "learn" or quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("learning"), BarColumn(), TextColumn("{task.completed}/{task.total} iterations"),
                   TimeElapsedColumn(), console=Console(stderr=True), transient=True)
    with bar:
        task = bar.add_task("learn", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def learned_table(auction, eq, rows: int = 9) -> None:
    """Print bids at a few values per bidder, with the grid epsilon and the continuous loss."""
    from rich.markup import escape
    from rich.table import Table

    from mechdesign.cli.common import console, plain

    d = eq.diagnostics
    table = Table(title=escape(f"learned equilibrium ({d['grid']}, {d['learning_method']}, status {eq.status})"))
    table.add_column("quantile", justify="right")
    for b in eq:
        table.add_column(escape(f"{b.label}: value"), justify="right")
        table.add_column("bid", justify="right")
    qs = np.linspace(0.05, 0.95, rows)
    for q in qs:
        cells = [f"{q:.2f}"]
        for b, dist in zip(eq, auction.distributions):
            v = float(dist.ppf(q))
            bid = float(b(np.array([v]))[0])
            cells += [f"{v:.4g}", "stays out" if not np.isfinite(bid) else f"{bid:.4g}"]
        table.add_row(*cells)
    console.print(table)
    loss = "not computed" if eq.loss is None else f"{eq.loss.max_relative:.2e}"
    console.print(plain(f"epsilon on the grid: {d['discrete_epsilon']:.3e}   relative utility loss on the grid: "
                        f"{d['discrete_relative_loss']:.3e}   on the continuum: {loss}"))
