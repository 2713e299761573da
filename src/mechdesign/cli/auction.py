"""``mechdesign auction SPEC [--method learn] [--plot out.png] [--json PATH]``: equilibrium of an auction spec."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Optional

import typer

from mechdesign import _validation as v
from mechdesign.cli.common import (command, console, emit_json, json_option, plain, plot_option, save_figure,
                                   spec_argument)


def auction(
    spec: Path = spec_argument("YAML/JSON spec with an 'auction:' section."),
    plot: Optional[Path] = plot_option("Save bid functions (and Myerson panels) to this file; its extension "
                                       "(.png, .pdf, .svg, ...) sets the format."),
    json_out: Optional[Path] = json_option("Write a JSON report to this file ('-' = standard output only)."),
    method: Optional[str] = typer.Option(None, "--method",
                                         help="auto (exact solvers where they apply) or learn (learn on a type x "
                                              "bid grid); default: the spec's 'method:'."),
) -> None:
    """Solve the auction's equilibrium, print its summary and outcomes, optionally plot it."""
    from mechdesign.auctions import EquilibriumWarning, auction_figure, myerson
    from mechdesign.cli.auction_learn import learned_table, progress_bar
    from mechdesign.io.auction_spec import load_auction_spec

    if method is not None:
        method = v.choice(method, "--method", ("auto", "learn"))
    section = load_auction_spec(spec).auction
    auc = section.build()
    kwargs = section.equilibrium_arguments(method)
    to_stdout = json_out is not None and str(json_out) == "-"
    with progress_bar(kwargs, quiet=to_stdout) as progress, warnings.catch_warnings():
        warnings.simplefilter("ignore", EquilibriumWarning)     # printed with the summary instead
        if progress is not None:
            kwargs["progress"] = progress
        eq = auc.equilibrium(**kwargs)
    out = auc.outcomes(list(eq))
    opt = myerson(auc.distributions, labels=auc.labels) if section.myerson else None
    report = {"auction": auc.to_dict(), "equilibrium": eq.to_dict(), "outcomes": out.to_dict(),
              "myerson": None if opt is None else opt.to_dict()}
    for b in report["equilibrium"]["strategies"]:  # keep the report short
        b.pop("values"), b.pop("bids")
    report["equilibrium"].pop("distributional_strategies", None)
    report["equilibrium"]["diagnostics"].pop("history", None)
    emit_json(report, json_out)
    if not to_stdout:
        console.print(plain(repr(auc)))
        console.print(plain(eq.summary()))
        if eq.method == "learn":
            learned_table(auc, eq)
        console.print(plain(out.summary()))
        if opt is not None:
            console.print(plain(opt.summary()))
    if plot is not None:
        from mechdesign.auctions.plot_learned import learned_figure

        figure = learned_figure(eq) if eq.method == "learn" else auction_figure(eq, opt)
        if save_figure(figure, plot) and not to_stdout:
            console.print(plain(f"figure saved to {plot}"))


def register(app: typer.Typer) -> None:
    """Add the ``auction`` command to the ``mechdesign`` app."""
    app.command("auction")(command(auction))
