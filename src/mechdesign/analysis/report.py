"""``check``: every property audit and the main metrics of a mechanism in one report."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from mechdesign.analysis import metrics, properties
from mechdesign.analysis.results import PropertyResult
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
        """A :class:`rich.table.Table` of the verdicts and witnesses."""
        from rich.table import Table

        table = Table(title=f"Properties of {self.mechanism}", show_lines=False)
        table.add_column("property")
        table.add_column("holds")
        table.add_column("worst violation", justify="right")
        table.add_column("counterexample", overflow="fold")
        for name, r in self.results.items():
            mark = "[green]yes[/green]" if r.holds else "[red]no[/red]"
            witness = "" if r.holds or r.witness is None else r.witness.description
            table.add_row(name, mark, f"{r.violation:.6g}", witness)
        return table

    def summary(self) -> str:
        """Plain-text rendering of the table and metrics."""
        from rich.console import Console

        buffer = io.StringIO()
        console = Console(file=buffer, width=120, color_system=None)
        console.print(self.rich_table())
        console.print("  ".join(f"{k} = {v:.6g}" for k, v in self.metrics.items()))
        return buffer.getvalue()

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        verdicts = ", ".join(f"{k}={'yes' if v else 'no'}" for k, v in self.holds.items())
        return f"Report({self.mechanism!r}: {verdicts})"


def check(mech: DirectMechanism, *, outside_option: Any = None, atol: float = 1e-9,
          rtol: float = 1e-9) -> Report:
    """Audit every property of a direct mechanism.

    Parameters
    ----------
    mech : DirectMechanism
    outside_option : float or list of arrays, optional
        Passed to :func:`~mechdesign.is_ir`.
    atol, rtol : float
        Tolerances passed to every audit.

    Returns
    -------
    Report
        Printable (a table), ``to_dict()`` and ``to_frame()``.
    """
    mech = properties._check_mechanism(mech)
    tol = {"atol": atol, "rtol": rtol}
    results = {
        "efficient": properties.is_efficient(mech, **tol),
        "dsic": properties.is_dsic(mech, **tol),
        "bic": properties.is_bic(mech, **tol),
    }
    for kind in properties.IR_KINDS:
        results[f"ir_{kind}"] = properties.is_ir(mech, kind, outside_option=outside_option, **tol)
    for ex_ante in (False, True):
        for kind in properties.BUDGET_KINDS:
            r = properties.is_budget_balanced(mech, kind, ex_ante=ex_ante, **tol)
            results[r.name] = r
    values = {"welfare": metrics.expected_welfare(mech), "revenue": metrics.expected_revenue(mech)}
    values["surplus"] = values["welfare"] - values["revenue"]
    values["worst_case_deficit"] = metrics.worst_case_deficit(mech)
    return Report(mechanism=mech.name, results=results, metrics=values)
