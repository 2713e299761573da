"""``check``: every property audit and the main metrics of a mechanism in one report."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np

from mechdesign._format import number
from mechdesign.analysis import properties
from mechdesign.analysis.passes import incentive_pass, interim_pass, profile_pass
from mechdesign.analysis.results import PropertyResult
from mechdesign.compute.backends import compute_options
from mechdesign.mechanisms.direct import DirectMechanism

#: Property names in report order.
PROPERTIES = ("efficient", "dsic", "bic", "ir_ex_post", "ir_interim", "ir_ex_ante",
              "budget_weak", "budget_strong", "budget_weak_ex_ante", "budget_strong_ex_ante")


@dataclass(frozen=True)
class Report:
    """All property audits and metrics of one mechanism.

    Attributes
    ----------
    mechanism : str
        The mechanism's name.
    results : dict of str to PropertyResult
        One result per property, keyed as in :data:`PROPERTIES`.
    metrics : dict of str to float
        ``welfare``, ``revenue``, ``surplus``, ``worst_case_deficit``.
    """

    mechanism: str
    results: dict[str, PropertyResult]
    metrics: dict[str, float]

    def __getitem__(self, name: str) -> PropertyResult:
        return self.results[name]

    @property
    def holds(self) -> dict[str, bool]:
        """Verdict per property."""
        return {name: r.holds for name, r in self.results.items()}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"mechanism": self.mechanism,
                "properties": {name: r.to_dict() for name, r in self.results.items()},
                "metrics": {k: float(v) for k, v in self.metrics.items()}}

    def to_frame(self):
        """The property table as a pandas DataFrame (index: property)."""
        import pandas as pd

        rows = [{"property": name, "holds": r.holds, "violation": r.violation,
                 "witness": "" if r.witness is None or r.holds else r.witness.description}
                for name, r in self.results.items()]
        return pd.DataFrame(rows).set_index("property")

    def rich_table(self):
        """A :class:`rich.table.Table` of the verdicts, worst violations, slacks and witnesses.

        The worst violation is shown when it is ≥ 0; a property that holds with room to
        spare (violation < 0) shows 0 there and the room in the ``slack`` column.
        """
        from rich.table import Table
        from rich.text import Text

        # user text (mechanism name, labels in witnesses) is never parsed as rich markup
        table = Table(title=Text(f"Properties of {self.mechanism}"), show_lines=False)
        table.add_column("property")
        table.add_column("holds")
        table.add_column("worst\nviolation", justify="right")
        table.add_column("slack", justify="right")
        table.add_column("counterexample", overflow="fold")
        for name, r in self.results.items():
            mark = Text("yes", style="green") if r.holds else Text("no", style="red")
            witness = "" if r.holds or r.witness is None else r.witness.description
            # a negative violation is room to spare, not a violation: it goes to the slack column
            violation = number(r.violation) if r.violation >= 0 else "0"
            slack = number(-r.violation) if r.violation < 0 else ""
            table.add_row(name, mark, violation, slack, Text(witness))
        return table

    def summary(self) -> str:
        """Plain-text rendering of the table and metrics."""
        from rich.console import Console

        buffer = io.StringIO()
        console = Console(file=buffer, width=120, color_system=None)
        console.print(self.rich_table())
        console.print("  ".join(f"{k} = {number(v)}" for k, v in self.metrics.items()), markup=False)
        return buffer.getvalue()

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        from mechdesign.display import html

        return html.report(self)

    def __repr__(self) -> str:
        verdicts = ", ".join(f"{k}={'yes' if v else 'no'}" for k, v in self.holds.items())
        return f"Report({self.mechanism!r}: {verdicts})"


def check(mech: DirectMechanism, *, outside_option: Any = None, atol: float = 1e-9,
          rtol: float = 1e-9, chunk_size: int | None = None, memory_limit: int | None = None,
          backend: str = "numpy", scheduler: Any = None, progress: Any = None) -> Report:
    """Audit every property of a direct mechanism.

    Two passes over the profiles (per-profile checks and expectations; ex-post
    misreports and interim utilities per player) serve all the audits.

    Parameters
    ----------
    mech : DirectMechanism
    outside_option : float or list of arrays, optional
        Passed to :func:`~mechdesign.is_ir`.
    atol, rtol : float
        Tolerances passed to every audit.
    chunk_size, memory_limit, backend, scheduler, progress
        Execution options (see :mod:`mechdesign.compute`); they never change the result.

    Returns
    -------
    Report
        Printable (a table), ``to_dict()`` and ``to_frame()``.
    """
    mech = properties._check_mechanism(mech)
    opts = compute_options(chunk_size, memory_limit, backend, scheduler, progress)
    env = mech.env
    outside = properties.participation_outside(mech, properties._outside_options(mech, outside_option))
    summary = profile_pass(mech, opts, {"ir", "budget", "efficiency", "expectations", "participation"}, outside)
    worst, tables, transfer_scales = incentive_pass(mech, opts)
    tol = {"atol": atol, "rtol": rtol}
    results = {
        "efficient": properties.efficiency_result(mech, summary.efficiency, **tol),
        "dsic": properties.dsic_result(mech, worst, **tol),
        "bic": properties.bic_result(mech, tables, transfer_scales, **tol),
    }
    expected = summary.expectations
    if env.private_values:       # participation and incentive units coincide: reuse the incentive tables
        truthful = [np.diag(t) for t in tables]
    else:
        diagonal, _ = interim_pass(mech, opts, diagonal=True, units="participation")
        truthful = [np.diag(t) if t.ndim == 2 else t for t in diagonal]
    for kind in properties.IR_KINDS:
        results[f"ir_{kind}"] = properties.ir_result(mech, kind, outside, summary.ir, truthful,
                                                     summary.participation, transfer_scales, **tol)
    for ex_ante in (False, True):
        for kind in properties.BUDGET_KINDS:
            worst_net = summary.budget_weak if kind == "weak" else summary.budget_strong
            r = properties.budget_result(mech, kind, ex_ante, worst_net, float(expected[-1]),
                                         summary.transfer_scale, **tol)
            results[r.name] = r
    values = {"welfare": float(expected[-2]), "revenue": 0.0 - float(expected[-1])}
    values["surplus"] = values["welfare"] - values["revenue"]
    values["worst_case_deficit"] = summary.budget_weak[0]
    return Report(mechanism=mech.name, results=results, metrics=values)
