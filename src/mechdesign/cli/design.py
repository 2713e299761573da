"""``mechdesign design SPEC``: optimal mechanism by LP, or the certificate that none exists."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mechdesign import _validation as v
from mechdesign.cli.common import command, console, emit_json, json_option, max_rows_option, plain, spec_argument
from mechdesign.cli.tables import mechanism_table
from mechdesign.cli.plots import PLOT, save_interim_plot
from mechdesign.design import CONSTRAINTS, DesignResult, design
from mechdesign.io import memory
from mechdesign.io.design_spec import DesignSpec
from mechdesign.io.options import DESIGN_OPTIONS
from mechdesign.io.spec import load_spec

def _print(result: DesignResult, max_rows: int) -> None:
    console.print(plain(result.summary()))
    if result.mechanism is not None:
        console.print(mechanism_table(result.mechanism, max_rows))
    if result.certificate is not None:
        console.print(plain(result.certificate.explain()))


def _check_size(env, names: list[str], fixed: bool) -> None:
    if env.n_profiles > memory.MAX_PROFILES:
        raise v.fail("types", "at most 2**62 type profiles", memory.profile_text(env.n_types))
    memory.require_memory(memory.design_bytes(env.n_types, env.n_alternatives, env.n_players, names, fixed),
                          "types", detail=f"the linear program over {memory.profile_text(env.n_types)}",
                          suggestion="give fewer types, or fix the decision with --decision efficient")


def register(app: typer.Typer) -> None:
    """Add the ``design`` command to ``app``."""

    @app.command("design")
    @command
    def design_command(
        spec: Path = spec_argument("YAML/JSON spec (environment; optional 'design:' section)."),
        objective: Optional[str] = typer.Option(None, "--objective", help="revenue | welfare | deficit."),
        require: Optional[str] = typer.Option(None, "--require",
                                              help=f"Comma-separated constraints among {', '.join(CONSTRAINTS)}."),
        decision: Optional[str] = typer.Option(None, "--decision", help="Fix the decision rule: 'efficient'."),
        deterministic: bool = typer.Option(False, "--deterministic", help="Deterministic decision rules (MILP)."),
        time_limit: Optional[float] = typer.Option(None, "--time-limit", help="Solver time limit in seconds."),
        json_out: Optional[Path] = json_option(),
        max_rows: int = max_rows_option(40),
        plot: Optional[Path] = PLOT,
        method: Optional[str] = typer.Option(None, "--method",
                                             help="auto | full | cutting_plane | reduced_form (default: auto)."),
    ) -> None:
        """Find the optimal direct mechanism subject to the required properties.

        Prints the mechanism (and the re-verification of every property), or, when no
        mechanism exists, the Farkas certificate's explanation. Exits 0 for any solver
        status; non-zero only on errors. Solver options come from the spec's
        design.options (an allow-list: time limit, gaps, threads, presolve, tolerances).
        """
        options = {}
        if time_limit is not None:
            options["time_limit"] = DESIGN_OPTIONS["time_limit"].validate(time_limit, "--time-limit")
        if objective is not None:
            v.choice(objective, "--objective", ("revenue", "welfare", "deficit"))
        if decision is not None:
            v.choice(decision, "--decision", ("efficient",))
        parsed = load_spec(spec)
        env = parsed.environment()
        section = parsed.design or DesignSpec()
        names = list(section.require) if require is None else [r.strip() for r in require.split(",") if r.strip()]
        for k, name in enumerate(names):
            v.choice(name, f"--require[{k}]", CONSTRAINTS)
        options = {**section.solver_options(), **options}
        fixed = decision if decision is not None else section.decision
        _check_size(env, names, fixed is not None)
        result = design(env, objective=objective or section.objective, constraints=names,
                        randomized=section.randomized and not deterministic, decision=fixed, options=options,
                        method=method or section.method)
        if plot is not None and result.mechanism is not None:   # no mechanism (infeasible): nothing to draw
            save_interim_plot([result.mechanism], plot, spec)
        if emit_json(result.to_dict(), json_out):
            return
        _print(result, max_rows)
