"""``mechdesign design SPEC``: optimal mechanism by LP, or the certificate that none exists."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import typer
from rich.table import Table

from mechdesign import _validation as v
from mechdesign.cli.common import console, handle_errors, write_json
from mechdesign.cli.plots import PLOT, save_interim_plot
from mechdesign.design import CONSTRAINTS, DesignResult, design
from mechdesign.io.design_spec import DesignSpec
from mechdesign.io.spec import load_spec
from mechdesign.mechanisms.direct import DirectMechanism


def mechanism_table(mech: DirectMechanism, max_rows: int = 40) -> Table:
    """One row per report profile: the decision (alternative or lottery) and each player's transfer."""
    env = mech.env
    table = Table(title=f"{mech.name} (transfers = money received)")
    for p in env.players:
        table.add_column(p, justify="right")
    table.add_column("decision")
    for p in env.players:
        table.add_column(f"m[{p}]", justify="right")
    for n, prof in enumerate(env.profiles()):
        if n == max_rows:
            table.add_row(*["…"] * (2 * env.n_players + 1))
            break
        if mech.decision_indices is not None:
            decision = env.alternatives[int(mech.decision_indices[prof])]
        else:
            lottery = mech.decision[prof]
            decision = ", ".join(f"{env.alternatives[x]} {q:.3g}" for x, q in enumerate(lottery) if q > 1e-9)
        table.add_row(*[env.type_labels[i][t] for i, t in enumerate(prof)], decision,
                      *[f"{m + 0.0:.6g}" for m in np.asarray(mech.transfers[prof])])
    return table


def _print(result: DesignResult, max_rows: int) -> None:
    console.print(result.summary(), highlight=False, markup=False)
    if result.mechanism is not None:
        console.print(mechanism_table(result.mechanism, max_rows))
    if result.certificate is not None:
        console.print(result.certificate.explain(), highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Add the ``design`` command to ``app``."""

    @app.command("design")
    @handle_errors
    def design_command(
        spec: Path = typer.Argument(..., help="YAML/JSON spec (environment; optional 'design:' section)."),
        objective: Optional[str] = typer.Option(None, "--objective", help="revenue | welfare | deficit."),
        require: Optional[str] = typer.Option(None, "--require",
                                              help=f"Comma-separated constraints among {', '.join(CONSTRAINTS)}."),
        decision: Optional[str] = typer.Option(None, "--decision", help="Fix the decision rule: 'efficient'."),
        deterministic: bool = typer.Option(False, "--deterministic", help="Deterministic decision rules (MILP)."),
        time_limit: Optional[float] = typer.Option(None, "--time-limit", help="Solver time limit in seconds."),
        json_out: Optional[Path] = typer.Option(None, "--json", help="Write the result as JSON ('-' = stdout)."),
        max_rows: int = typer.Option(40, "--max-rows", help="Profiles shown in the mechanism table."),
        plot: Optional[Path] = PLOT,
    ) -> None:
        """Find the optimal direct mechanism subject to the required properties.

        Prints the mechanism (and the re-verification of every property), or, when no
        mechanism exists, the Farkas certificate's explanation. Exits 0 for any solver
        status; non-zero only on errors.
        """
        parsed = load_spec(spec)
        env = parsed.environment()
        section = parsed.design or DesignSpec()
        names = list(section.require) if require is None else [r.strip() for r in require.split(",") if r.strip()]
        for k, name in enumerate(names):
            v.choice(name, f"--require[{k}]", CONSTRAINTS)
        options = dict(section.options)
        if time_limit is not None:
            options["time_limit"] = float(time_limit)
        result = design(env, objective=objective or section.objective, constraints=names,
                        randomized=section.randomized and not deterministic,
                        decision=decision if decision is not None else section.decision, options=options)
        if plot is not None and result.mechanism is not None:   # no mechanism (infeasible): nothing to draw
            save_interim_plot([result.mechanism], plot, spec)
        if json_out is not None:
            write_json(result.to_dict(), json_out)
            if str(json_out) == "-":
                return
        _print(result, max_rows)
