"""``mechdesign auction SPEC [--plot out.png] [--json]``: equilibrium of an auction spec."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from mechdesign.errors import MechDesignError


def auction(
    spec: Path = typer.Argument(..., help="YAML/JSON spec with an 'auction:' section."),
    plot: Path | None = typer.Option(None, "--plot", help="Save bid functions (and Myerson panels) here."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON report instead of text."),
) -> None:
    """Solve the auction's equilibrium, print its summary and outcomes, optionally plot it."""
    from mechdesign.auctions import auction_figure, myerson
    from mechdesign.io.auction_spec import load_auction_spec

    try:
        section = load_auction_spec(spec).auction
        auc = section.build()
        eq = auc.equilibrium(**section.solver_options())
        out = auc.outcomes(list(eq))
        opt = myerson(auc.distributions, labels=auc.labels) if section.myerson else None
    except MechDesignError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    if as_json:
        report = {"auction": auc.to_dict(), "equilibrium": eq.to_dict(), "outcomes": out.to_dict(),
                  "myerson": None if opt is None else opt.to_dict()}
        for b in report["equilibrium"]["strategies"]:  # keep the report short
            b.pop("values"), b.pop("bids")
        typer.echo(json.dumps(report, indent=2))
    else:
        typer.echo(repr(auc))
        typer.echo(eq.summary())
        typer.echo(out.summary())
        if opt is not None:
            typer.echo(opt.summary())
    if plot is not None:
        auction_figure(eq, opt).savefig(plot, dpi=110)
        if not as_json:
            typer.echo(f"figure saved to {plot}")


def register(app: typer.Typer) -> None:
    """Add the ``auction`` command to the ``mechdesign`` app."""
    app.command("auction")(auction)
