"""``mechdesign combinatorial SPEC``: winners, payments under several rules side by side, core checks.

With ``--equilibrium``, also the Bayes–Nash equilibria of the Bayesian LLG model of the
section's ``equilibrium:`` entry (learned, certified on the continuous prior, beside the
closed forms and the published values).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from mechdesign.cli.common import command, console, emit_json, json_option, max_rows_option, spec_argument

LLG_RULES = ("vcg", "nearest_vcg", "nearest_zero", "nearest_bid")


def _bundle(bundle, items) -> str:
    from mechdesign.combinatorial.bids import sort_bundle

    return "{" + ", ".join(sort_bundle(bundle, items)) + "}"


def payments_table(auc, payments: dict, cores: dict, max_rows: int) -> Table:
    """Bidders (rows) × rules (columns): payments, then revenue, core constraints generated, core verdict."""
    wd = next(iter(payments.values())).winners
    table = Table(title="payments by rule (what each bidder pays)")
    table.add_column("bidder")
    table.add_column("wins")
    table.add_column("bid", justify="right")
    for rule in payments:
        table.add_column(rule, justify="right")
    shown = [b for b in auc.bidders if wd.allocation[b] or any(p.payments[b] for p in payments.values())]
    for count, bidder in enumerate(shown):
        if count == max_rows:
            table.add_row("…", *[""] * (2 + len(payments)))
            table.caption = f"first {max_rows} of {len(shown)} winners"
            break
        table.add_row(escape(bidder), escape(", ".join(_bundle(s, auc.items) for s in wd.allocation[bidder])),
                      f"{wd.values[bidder]:.6g}", *(f"{p.payments[bidder]:.6g}" for p in payments.values()))
    table.add_section()
    table.add_row("revenue", "", "", *(f"{p.revenue:.6g}" for p in payments.values()))
    table.add_row("constraints", "", "", *(str(p.core_constraints) for p in payments.values()))
    table.add_row("in the core", "", "", *("yes" if cores[r].holds else "NO" for r in payments))
    return table


def register(app: typer.Typer) -> None:
    """Add the ``combinatorial`` command to ``app``."""

    @app.command("combinatorial")
    @command
    def combinatorial_command(
        spec: Path = spec_argument("YAML/JSON spec with a 'combinatorial:' section."),
        rule: Optional[list[str]] = typer.Option(None, "--rule", help="Payment rule (repeat for several; default: "
                                                 "the section's 'rules')."),
        backend: Optional[str] = typer.Option(None, "--backend", help="highs, scip or cpsat (default: the "
                                              "section's solver.backend)."),
        time_limit: Optional[float] = typer.Option(None, "--time-limit", help="Seconds per winner determination."),
        equilibrium: bool = typer.Option(False, "--equilibrium", help="Also learn the Bayes-Nash equilibria of "
                                         "the section's Bayesian LLG model ('equilibrium:')."),
        json_out: Optional[Path] = json_option(),
        max_rows: int = max_rows_option(),
    ) -> None:
        """Winner determination, payments under the chosen rules side by side, core checks."""
        from mechdesign import _validation as v
        from mechdesign.combinatorial import LLG
        from mechdesign.combinatorial.payments import RULES
        from mechdesign.combinatorial.wdp import BACKENDS
        from mechdesign.io.combinatorial_spec import EquilibriumSection, load_combinatorial_spec

        section = load_combinatorial_spec(spec).combinatorial
        rules = list(rule) if rule else list(section.rules)
        for r in rules:
            v.choice(r, "--rule", RULES)
        if "reference" in rules and section.reference is None:
            raise v.fail("--rule", "'reference' only with a 'reference:' mapping in the spec", "'reference'")
        solver = section.solver
        chosen_backend = v.choice(backend, "--backend", BACKENDS) if backend is not None else solver.backend
        limit = time_limit if time_limit is not None else solver.time_limit
        if limit is not None:
            v.tolerance(limit, "--time-limit")
        report: dict = {}
        if section.has_auction:
            auc = section.build()
            settings = {"backend": chosen_backend, "time_limit": limit, "mip_gap": solver.mip_gap}
            wd = auc.winners(**settings)
            payments = {r: auc.payments(rule=r, reference=section.reference if r == "reference" else None,
                                        progress=True, **settings) for r in rules}
            cores = {r: auc.in_core(p, backend=chosen_backend) for r, p in payments.items()}
            report["auction"] = {"items": len(auc.items), "bidders": len(auc.bidders), "bids": auc.n_bids,
                                 "language": auc.language}
            report["winners"] = wd.to_dict()
            report["payments"] = {r: {k: val for k, val in p.to_dict().items() if k != "winners"}
                                  for r, p in payments.items()}
            report["core"] = {r: c.to_dict() for r, c in cores.items()}
        equilibria = {}
        if equilibrium:
            eq_section = section.equilibrium or EquilibriumSection()
            llg_rules = [r for r in rules if r in LLG_RULES] or ["nearest_vcg", "nearest_zero", "nearest_bid"]
            for r in llg_rules:
                model = LLG(eq_section.gamma, r)
                equilibria[r] = model.equilibrium(eq_section.method, grid=eq_section.grid,
                                                  options=eq_section.options(), progress=True,
                                                  global_bidder=eq_section.global_bidder, refine=eq_section.refine)
            report["equilibria"] = {r: eq.to_dict() for r, eq in equilibria.items()}
        if emit_json(report, json_out):
            return
        if section.has_auction:
            console.print(escape(repr(auc)))
            console.print(f"winner determination ({wd.backend}): {wd.status}, welfare {wd.welfare:.6g}, "
                          f"gap {wd.gap:.2g}, {wd.time:.3g} s")
            console.print(payments_table(auc, payments, cores, max_rows))
            for r, c in cores.items():
                if not c.holds and c.witness is not None:
                    console.print(f"{escape(r)}: not in the core: {escape(c.witness.description)}")
        for eq in equilibria.values():
            console.print(escape(eq.summary()))
