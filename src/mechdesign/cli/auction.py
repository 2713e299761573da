"""``mechdesign auction SPEC [--plot out.png] [--json PATH]``: equilibrium of an auction spec."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mechdesign.cli.common import (command, console, emit_json, json_option, plain, plot_option, save_figure,
                                   spec_argument)


def auction(
    spec: Path = spec_argument("YAML/JSON spec with an 'auction:' section."),
    plot: Optional[Path] = plot_option("Save bid functions (and Myerson panels) to this file; its extension "
                                       "(.png, .pdf, .svg, ...) sets the format."),
    json_out: Optional[Path] = json_option("Write a JSON report to this file ('-' = standard output only)."),
) -> None:
    """Solve the auction's equilibrium, print its summary and outcomes, optionally plot it."""
    from mechdesign.auctions import auction_figure, myerson
    from mechdesign.io.auction_spec import load_auction_spec

    section = load_auction_spec(spec).auction
    auc = section.build()
    eq = auc.equilibrium(**section.solver_options())
    out = auc.outcomes(list(eq))
    opt = myerson(auc.distributions, labels=auc.labels) if section.myerson else None
    report = {"auction": auc.to_dict(), "equilibrium": eq.to_dict(), "outcomes": out.to_dict(),
              "myerson": None if opt is None else opt.to_dict()}
    for b in report["equilibrium"]["strategies"]:  # keep the report short
        b.pop("values"), b.pop("bids")
    to_stdout = emit_json(report, json_out)
    if not to_stdout:
        for text in (repr(auc), eq.summary(), out.summary(), *(() if opt is None else (opt.summary(),))):
            console.print(plain(text))
    if save_figure(auction_figure(eq, opt), plot) and not to_stdout:
        console.print(plain(f"figure saved to {plot}"))


def register(app: typer.Typer) -> None:
    """Add the ``auction`` command to the ``mechdesign`` app."""
    app.command("auction")(command(auction))
