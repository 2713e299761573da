"""``mechdesign auction SPEC [--method learn] [--plot out.png] [--json]``: equilibrium of an auction spec."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import typer

from mechdesign.errors import MechDesignError


def auction(
    spec: Path = typer.Argument(..., help="YAML/JSON spec with an 'auction:' section."),
    plot: Path | None = typer.Option(None, "--plot", help="Save bid functions (and Myerson panels) here."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON report instead of text."),
    method: str | None = typer.Option(None, "--method",
                                      help="auto (exact solvers where they apply) or learn (learn on a type x bid "
                                           "grid); default: the spec's 'method:'."),
) -> None:
    """Solve the auction's equilibrium, print its summary and outcomes, optionally plot it."""
    from mechdesign.auctions import EquilibriumWarning, auction_figure, myerson
    from mechdesign.cli.auction_learn import learned_table, progress_bar
    from mechdesign.io.auction_spec import load_auction_spec

    try:
        if method not in (None, "auto", "learn"):
            raise MechDesignError(f"--method: expected 'auto' or 'learn' (got {method!r})")
        section = load_auction_spec(spec).auction
        auc = section.build()
        kwargs = section.equilibrium_arguments(method)
        with progress_bar(kwargs, quiet=as_json) as progress, warnings.catch_warnings():
            warnings.simplefilter("ignore", EquilibriumWarning)     # printed with the summary instead
            if progress is not None:
                kwargs["progress"] = progress
            eq = auc.equilibrium(**kwargs)
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
        report["equilibrium"].pop("distributional_strategies", None)
        report["equilibrium"]["diagnostics"].pop("history", None)
        typer.echo(json.dumps(report, indent=2))
    else:
        typer.echo(repr(auc))
        typer.echo(eq.summary())
        if eq.method == "learn":
            learned_table(auc, eq)
        typer.echo(out.summary())
        if opt is not None:
            typer.echo(opt.summary())
    if plot is not None:
        from mechdesign.auctions.plot_learned import learned_figure

        (learned_figure(eq) if eq.method == "learn" else auction_figure(eq, opt)).savefig(plot, dpi=110)
        if not as_json:
            typer.echo(f"figure saved to {plot}")


def register(app: typer.Typer) -> None:
    """Add the ``auction`` command to the ``mechdesign`` app."""
    app.command("auction")(auction)
