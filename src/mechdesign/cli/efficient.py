"""``mechdesign vcg|agv|compare SPEC``: build the efficient mechanisms of a spec, show and audit them."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import typer
from rich.table import Table

from mechdesign import _validation as v
from mechdesign.analysis.report import Report, check
from mechdesign.cli.common import console, handle_errors, write_json
from mechdesign.cli.plots import PLOT, save_interim_plot
from mechdesign.io.spec import MechanismSpec, Spec, load_spec
from mechdesign.mechanisms.agv import agv
from mechdesign.mechanisms.direct import DirectMechanism
from mechdesign.mechanisms.groves import vcg

#: Rows of ``compare``: (report key, label).
COMPARED = (("efficient", "efficient"), ("dsic", "DSIC"), ("bic", "BIC"),
            ("ir_ex_post", "IR ex post"), ("ir_interim", "IR interim"), ("ir_ex_ante", "IR ex ante"),
            ("budget_weak", "budget weak (every profile)"), ("budget_strong", "budget strong (every profile)"),
            ("budget_weak_ex_ante", "budget weak (ex ante)"), ("budget_strong_ex_ante", "budget strong (ex ante)"))
METRICS = (("welfare", "expected welfare"), ("revenue", "expected revenue"),
           ("worst_case_deficit", "worst-case deficit"))


def _decision_text(mech: DirectMechanism, profile: tuple[int, ...]) -> str:
    if mech.decision_indices is not None:
        return mech.env.alternatives[int(mech.decision_indices[profile])]
    lottery = mech.decision[profile]
    return ", ".join(f"{x}: {p:.3g}" for x, p in zip(mech.env.alternatives, lottery) if p > 0)


def mechanism_table(mech: DirectMechanism, rows: int = 20) -> Table:
    """Decision and transfers (money received) per type profile, the first ``rows`` profiles in C order."""
    env = mech.env
    table = Table(title=f"{mech.name}: decision and transfers (money received) per type profile")
    for p in env.players:
        table.add_column(f"θ {p}")
    table.add_column("decision")
    for p in env.players:
        table.add_column(f"m {p}", justify="right")
    table.add_column("Σ m", justify="right")
    for count, profile in enumerate(np.ndindex(*env.n_types)):
        if count == rows:
            table.add_row(*["…"] * (2 * env.n_players + 2))
            table.caption = f"first {rows} of {env.n_profiles} profiles; … {env.n_profiles - rows} more"
            break
        m = mech.transfers[profile]
        table.add_row(*(env.type_labels[i][t] for i, t in enumerate(profile)), _decision_text(mech, profile),
                      *(f"{x:.6g}" for x in m), f"{m.sum():.6g}")
    return table


def _mechanism_section(spec: Spec) -> MechanismSpec:
    return spec.mechanism or MechanismSpec(kind="vcg")


def build_vcg(spec: Spec, pivot: Optional[str] = None, status_quo: Optional[str] = None,
              ties: Optional[str] = None) -> DirectMechanism:
    """VCG on the spec's environment; options left as None fall back to the spec's ``mechanism:`` section."""
    m = _mechanism_section(spec)
    if pivot is None:
        pivot = "status_quo" if status_quo is not None else m.pivot
    if pivot == "status_quo" and status_quo is None:
        status_quo = m.status_quo
    return vcg(spec.environment(), pivot=pivot, status_quo=status_quo if pivot == "status_quo" else None,
               ties=ties or m.ties)


def build_agv(spec: Spec, allow_correlated: Optional[bool] = None, ties: Optional[str] = None) -> DirectMechanism:
    """AGV on the spec's environment; options left as None fall back to the spec's ``mechanism:`` section."""
    m = _mechanism_section(spec)
    allow = m.allow_correlated if allow_correlated is None else allow_correlated
    return agv(spec.environment(), allow_correlated=allow, ties=ties or m.ties)


def _show(mech: DirectMechanism, rows: int, json_out: Optional[Path]) -> None:
    rows = _rows(rows)
    report = check(mech)
    if json_out is not None:
        write_json({"mechanism": mech.to_dict(), "report": report.to_dict()}, json_out)
        if str(json_out) == "-":
            return
    console.print(mechanism_table(mech, rows))
    console.print(report.rich_table())
    console.print("  ".join(f"{k} = {val:.6g}" for k, val in report.metrics.items()))


def _rows(rows: int) -> int:
    if rows < 0:
        raise v.fail("--rows", "a non-negative number of profiles to show", rows)
    return rows


def _cell(report: Report, key: str) -> str:
    r = report[key]
    return "[green]yes[/green]" if r.holds else f"[red]no[/red] ({r.violation:.4g})"


def comparison_table(vcg_report: Report, agv_report: Report) -> Table:
    """VCG and AGV side by side: property verdicts (worst violation when failing) and metrics."""
    table = Table(title="VCG vs AGV")
    table.add_column("")
    table.add_column(vcg_report.mechanism)
    table.add_column(agv_report.mechanism)
    for key, label in COMPARED:
        table.add_row(label, _cell(vcg_report, key), _cell(agv_report, key))
    for key, label in METRICS:
        table.add_row(label, f"{vcg_report.metrics[key]:.6g}", f"{agv_report.metrics[key]:.6g}")
    return table


_JSON = typer.Option(None, "--json", help="Also write the result as JSON to this file ('-' = stdout only).")
_TIES = typer.Option(None, "--ties", help="Tie-breaking: lowest | uniform (default: the spec's, else lowest).")
_ROWS = typer.Option(20, "--rows", help="Profiles to print (the rest are counted).")
_PIVOT = typer.Option(None, "--pivot", help="clarke | status_quo (default: the spec's, else clarke).")
_STATUS_QUO = typer.Option(None, "--status-quo", help="Status-quo alternative for the status_quo pivot (implies it).")
_CORRELATED = typer.Option(None, "--allow-correlated/--no-allow-correlated",
                           help="Build AGV under a correlated prior (BIC not guaranteed).")


def register(app: typer.Typer) -> None:
    """Add the ``vcg``, ``agv`` and ``compare`` commands to ``app``."""

    @app.command("vcg")
    @handle_errors
    def vcg_command(spec: Path = typer.Argument(..., help="YAML/JSON spec (its 'mechanism:' section is optional)."),
                    json_out: Optional[Path] = _JSON, rows: int = _ROWS, pivot: Optional[str] = _PIVOT,
                    status_quo: Optional[str] = _STATUS_QUO, ties: Optional[str] = _TIES,
                    plot: Optional[Path] = PLOT) -> None:
        """Build the VCG mechanism of SPEC, print its decisions and transfers and audit it."""
        mech = build_vcg(load_spec(spec), pivot, status_quo, ties)
        if plot is not None:
            save_interim_plot([mech], plot, spec)
        _show(mech, rows, json_out)

    @app.command("agv")
    @handle_errors
    def agv_command(spec: Path = typer.Argument(..., help="YAML/JSON spec (its 'mechanism:' section is optional)."),
                    json_out: Optional[Path] = _JSON, rows: int = _ROWS,
                    allow_correlated: Optional[bool] = _CORRELATED, ties: Optional[str] = _TIES,
                    plot: Optional[Path] = PLOT) -> None:
        """Build the AGV (expected-externality) mechanism of SPEC, print it and audit it."""
        mech = build_agv(load_spec(spec), allow_correlated, ties)
        if plot is not None:
            save_interim_plot([mech], plot, spec)
        _show(mech, rows, json_out)

    @app.command("compare")
    @handle_errors
    def compare_command(spec: Path = typer.Argument(..., help="YAML/JSON spec (its 'mechanism:' section is optional)."),
                        json_out: Optional[Path] = _JSON, pivot: Optional[str] = _PIVOT,
                        status_quo: Optional[str] = _STATUS_QUO, allow_correlated: Optional[bool] = _CORRELATED,
                        ties: Optional[str] = _TIES, plot: Optional[Path] = PLOT) -> None:
        """VCG vs AGV on SPEC: efficiency, DSIC, BIC, IR, budget balance, revenue, worst-case deficit."""
        parsed = load_spec(spec)
        mechs = (build_vcg(parsed, pivot, status_quo, ties), build_agv(parsed, allow_correlated, ties))
        if plot is not None:
            save_interim_plot(list(mechs), plot, spec)
        reports = tuple(check(m) for m in mechs)
        if json_out is not None:
            write_json({"vcg": reports[0].to_dict(), "agv": reports[1].to_dict()}, json_out)
            if str(json_out) == "-":
                return
        console.print(comparison_table(*reports))
