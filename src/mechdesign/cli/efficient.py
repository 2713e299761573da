"""``mechdesign vcg|agv|compare SPEC``: build the efficient mechanisms of a spec, show and audit them."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from mechdesign import _validation as v
from mechdesign.analysis.report import Report, check
from mechdesign.cli.common import (command, console, emit_json, json_option, max_rows_option, metrics_line, number,
                                   plain, spec_argument)
from mechdesign.cli.plots import PLOT, save_interim_plot
from mechdesign.cli.tables import mechanism_table
from mechdesign.io.spec import MechanismSpec, Spec, check_mechanism_size, load_spec
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

PIVOTS = ("clarke", "status_quo")
TIES = ("lowest", "uniform")


def _mechanism_section(spec: Spec) -> MechanismSpec:
    return spec.mechanism or MechanismSpec(kind="vcg")


def build_vcg(spec: Spec, pivot: Optional[str] = None, status_quo: Optional[str] = None,
              ties: Optional[str] = None) -> DirectMechanism:
    """VCG on the spec's environment; options left as None fall back to the spec's ``mechanism:`` section.

    ``--status-quo`` implies the status-quo pivot; combined with ``--pivot clarke`` it is an error
    (as in :func:`mechdesign.vcg`), never silently dropped.
    """
    m = _mechanism_section(spec)
    if pivot is not None:
        v.choice(pivot, "--pivot", PIVOTS)
    if ties is not None:
        v.choice(ties, "--ties", TIES)
    if pivot == "clarke" and status_quo is not None:
        raise v.fail("--status-quo", "only with --pivot status_quo (it implies it)", f"--pivot clarke --status-quo "
                     f"{status_quo!r}")
    if pivot is None:
        pivot = "status_quo" if status_quo is not None else m.pivot
    if pivot == "status_quo" and status_quo is None:
        status_quo = m.status_quo
    env = spec.environment()
    check_mechanism_size(env, "vcg", False)
    return vcg(env, pivot=pivot, status_quo=status_quo if pivot == "status_quo" else None, ties=ties or m.ties)


def build_agv(spec: Spec, allow_correlated: Optional[bool] = None, ties: Optional[str] = None) -> DirectMechanism:
    """AGV on the spec's environment; options left as None fall back to the spec's ``mechanism:`` section."""
    m = _mechanism_section(spec)
    if ties is not None:
        v.choice(ties, "--ties", TIES)
    allow = m.allow_correlated if allow_correlated is None else allow_correlated
    env = spec.environment()
    check_mechanism_size(env, "agv", False)
    return agv(env, allow_correlated=allow, ties=ties or m.ties)


def _show(mech: DirectMechanism, max_rows: int, json_out: Optional[Path]) -> None:
    report = check(mech)
    if emit_json({"mechanism": mech.to_dict(), "report": report.to_dict()}, json_out):
        return
    console.print(mechanism_table(mech, max_rows))
    console.print(report.rich_table())
    console.print(metrics_line(report.metrics))


def _cell(report: Report, key: str):
    from rich.text import Text

    r = report[key]
    return Text("yes", style="green") if r.holds else Text.assemble(("no", "red"), f" ({number(r.violation, '.4g')})")


def comparison_table(vcg_report: Report, agv_report: Report) -> Table:
    """VCG and AGV side by side: property verdicts (worst violation when failing) and metrics."""
    table = Table(title="VCG vs AGV")
    table.add_column("")
    table.add_column(plain(vcg_report.mechanism))
    table.add_column(plain(agv_report.mechanism))
    for key, label in COMPARED:
        table.add_row(label, _cell(vcg_report, key), _cell(agv_report, key))
    for key, label in METRICS:
        table.add_row(label, number(vcg_report.metrics[key]), number(agv_report.metrics[key]))
    return table


_TIES = typer.Option(None, "--ties", help="Tie-breaking: lowest | uniform (default: the spec's, else lowest).")
_PIVOT = typer.Option(None, "--pivot", help="clarke | status_quo (default: the spec's, else clarke).")
_STATUS_QUO = typer.Option(None, "--status-quo", help="Status-quo alternative for the status_quo pivot (implies it).")
_CORRELATED = typer.Option(None, "--allow-correlated/--no-allow-correlated", show_default=False,
                           help="Build AGV under a correlated prior (BIC not guaranteed). Default: the spec's, else no.")
_SPEC_HELP = "YAML/JSON spec (its 'mechanism:' section is optional)."


def register(app: typer.Typer) -> None:
    """Add the ``vcg``, ``agv`` and ``compare`` commands to ``app``."""

    @app.command("vcg")
    @command
    def vcg_command(spec: Path = spec_argument(_SPEC_HELP), json_out: Optional[Path] = json_option(),
                    max_rows: int = max_rows_option(), pivot: Optional[str] = _PIVOT,
                    status_quo: Optional[str] = _STATUS_QUO, ties: Optional[str] = _TIES,
                    plot: Optional[Path] = PLOT) -> None:
        """Build the VCG mechanism of SPEC, print its decisions and transfers and audit it."""
        mech = build_vcg(load_spec(spec), pivot, status_quo, ties)
        if plot is not None:
            save_interim_plot([mech], plot, spec)
        _show(mech, max_rows, json_out)

    @app.command("agv")
    @command
    def agv_command(spec: Path = spec_argument(_SPEC_HELP), json_out: Optional[Path] = json_option(),
                    max_rows: int = max_rows_option(), allow_correlated: Optional[bool] = _CORRELATED,
                    ties: Optional[str] = _TIES, plot: Optional[Path] = PLOT) -> None:
        """Build the AGV (expected-externality) mechanism of SPEC, print it and audit it."""
        mech = build_agv(load_spec(spec), allow_correlated, ties)
        if plot is not None:
            save_interim_plot([mech], plot, spec)
        _show(mech, max_rows, json_out)

    @app.command("compare")
    @command
    def compare_command(spec: Path = spec_argument(_SPEC_HELP), json_out: Optional[Path] = json_option(),
                        pivot: Optional[str] = _PIVOT, status_quo: Optional[str] = _STATUS_QUO,
                        allow_correlated: Optional[bool] = _CORRELATED, ties: Optional[str] = _TIES,
                        plot: Optional[Path] = PLOT) -> None:
        """VCG vs AGV on SPEC: efficiency, DSIC, BIC, IR, budget balance, revenue, worst-case deficit."""
        parsed = load_spec(spec)
        mechs = (build_vcg(parsed, pivot, status_quo, ties), build_agv(parsed, allow_correlated, ties))
        if plot is not None:
            save_interim_plot(list(mechs), plot, spec)
        reports = tuple(check(m) for m in mechs)
        if emit_json({"vcg": reports[0].to_dict(), "agv": reports[1].to_dict()}, json_out):
            return
        console.print(comparison_table(*reports))
