"""The result of :func:`mechdesign.design`: status, optimum, mechanism or certificate, verification."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mechdesign._format import status_text
from mechdesign.analysis.results import PropertyResult
from mechdesign.design.certificate import FarkasCertificate
from mechdesign.mechanisms.direct import DirectMechanism


@dataclass(frozen=True)
class Verification:
    """Every requested property re-checked on the returned mechanism by the audits.

    Attributes
    ----------
    checks : dict of str to PropertyResult
        One audit per requested constraint (plus ``efficient`` for
        ``decision="efficient"`` and one entry per user constraint).
    """

    checks: dict[str, PropertyResult]

    @property
    def holds(self) -> bool:
        """True when every check holds."""
        return all(r.holds for r in self.checks.values())

    @property
    def violations(self) -> dict[str, float]:
        """Worst violation of each failing check."""
        return {name: r.violation for name, r in self.checks.items() if not r.holds}

    def to_dict(self) -> dict[str, Any]:
        return {"holds": self.holds, "checks": {k: r.to_dict() for k, r in self.checks.items()}}

    def _repr_html_(self) -> str:
        from mechdesign.display import html

        return html.verification(self)

    def __repr__(self) -> str:
        bad = self.violations
        return "Verification(all hold)" if not bad else f"Verification(violated: {bad})"


@dataclass(frozen=True)
class DesignResult:
    """Outcome of an automated-design run.

    Attributes
    ----------
    method : str
        The method that ran: ``"full"``, ``"cutting_plane"`` or ``"reduced_form"``
        (``method="auto"`` records its choice and ``diagnostics["method_reason"]``).
        The HiGHS problem type is ``diagnostics["solver"]`` (``"highs-lp"``, or
        ``"highs-milp"`` for ``randomized=False``).
    options : dict
        Solver options used (defaults merged with the caller's).
    status : str
        ``"optimal"``, ``"infeasible"``, ``"unbounded"``, ``"time_limit"``,
        ``"iteration_limit"``, ``"solver_error"``, ... (``docs/conventions.md``).
    objective : str
        Objective name (``revenue``, ``welfare``, ``deficit`` or the callable's name).
    constraints : tuple of str
        The requested constraint families (user constraints as ``user:<name>``).
    value : float or None
        Optimal objective value (revenue, welfare, expected deficit, ...), None
        without a solution.
    mechanism : DirectMechanism or None
        The optimal mechanism (also the incumbent at a time limit, if any); for
        ``reduced_form`` a lazily evaluated
        :class:`~mechdesign.design.reduced_form.HierarchicalMechanism`.
    certificate : FarkasCertificate or None
        Proof of infeasibility (LP; for a MILP, of its LP relaxation when that is infeasible).
    verification : Verification or None
        The audits of the requested properties on ``mechanism``.
    message : str
        Solver message and notes.
    diagnostics : dict
        Sizes (rows, columns, rows per family) and timings (``build_time``, ``solve_time``, ``verify_time``);
        constraint generation adds ``rounds``, ``rows_generated`` / ``rows_full`` per family and
        ``round_history``; reduced forms add ``rounds``, ``hierarchies_generated`` / ``hierarchies_used``
        and how the answer was verified (``verification``).
    """

    method: str
    options: dict[str, Any]
    status: str
    objective: str
    constraints: tuple[str, ...]
    value: float | None
    mechanism: DirectMechanism | None
    certificate: FarkasCertificate | None
    verification: Verification | None
    message: str
    diagnostics: dict[str, Any] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        """True when an optimal mechanism was found and every property re-verifies."""
        return self.status == "optimal" and self.verification is not None and self.verification.holds

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "method": self.method,
            "options": {k: (v if isinstance(v, (bool, int, float, str)) or v is None else str(v))
                        for k, v in self.options.items()},
            "status": self.status,
            "objective": self.objective,
            "constraints": list(self.constraints),
            "value": self.value,
            "mechanism": None if self.mechanism is None else self.mechanism.to_dict(),
            "certificate": None if self.certificate is None else self.certificate.to_dict(),
            "verification": None if self.verification is None else self.verification.to_dict(),
            "message": self.message,
            "diagnostics": self.diagnostics,
        }

    def summary(self) -> str:
        """A few readable lines: status, value, verification or certificate."""
        lines = [f"design [{self.method}] maximising {self.objective}" if self.objective != "deficit"
                 else f"design [{self.method}] minimising deficit",
                 f"  subject to: {', '.join(self.constraints) or '(none)'}",
                 f"  status: {status_text(self.status, self.message)}"]
        if self.value is not None:
            lines.append(f"  value: {self.value:.10g}")
        if self.verification is not None:
            lines.append("  verification: " + ("every property holds" if self.verification.holds else
                                               f"VIOLATED {self.verification.violations}"))
        if self.certificate is not None:
            lines.append(f"  certificate: {self.certificate!r}, verifies exactly: {self.certificate.verify()}")
        timing = {k: self.diagnostics[k] for k in ("build_time", "solve_time", "verify_time") if k in self.diagnostics}
        if timing:
            lines.append("  " + ", ".join(f"{k} {t:.3g}s" for k, t in timing.items()))
        return "\n".join(lines)

    def to_frame(self):
        """The designed mechanism's table (:meth:`DirectMechanism.to_frame`); empty when there is none."""
        from mechdesign.display import frames

        return frames.design_frame(self)

    def _repr_html_(self) -> str:
        from mechdesign.display import html

        return html.design(self)

    def __repr__(self) -> str:
        value = "" if self.value is None else f", value={self.value:.10g}"
        return f"DesignResult(status={self.status!r}, objective={self.objective!r}{value}, method={self.method!r})"
