"""Result of a utility-loss computation (:func:`mechdesign.auctions.utility_loss`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["UtilityLoss"]


@dataclass(frozen=True)
class UtilityLoss:
    """Best-response gains per bidder.

    Attributes
    ----------
    absolute : numpy.ndarray
        ``E[u_i(BR)] - E[u_i(β_i)]`` per bidder (ex-ante, in money).
    relative : numpy.ndarray
        ``absolute / E[u_i(BR)]`` (``1 - u(β)/u(BR)``, as reported by bnelearn / SODA);
        0 where the best response earns nothing.
    utility, best_response_utility : numpy.ndarray
        Ex-ante utilities of the strategy and of the best response.
    ci : numpy.ndarray or None
        Monte Carlo confidence intervals of ``absolute``, shape ``(n, 2)``.
    method, options
        How it was computed (``"quadrature"`` or ``"monte_carlo"``) and with what.
    """

    absolute: np.ndarray
    relative: np.ndarray
    utility: np.ndarray
    best_response_utility: np.ndarray
    method: str
    options: dict = field(default_factory=dict)
    ci: np.ndarray | None = None

    @property
    def max_absolute(self) -> float:
        """Largest absolute loss over bidders."""
        return float(np.max(self.absolute))

    @property
    def max_relative(self) -> float:
        """Largest relative loss over bidders."""
        return float(np.max(self.relative))

    def to_dict(self) -> dict:
        """JSON-ready dictionary."""
        return {
            "absolute": self.absolute.tolist(),
            "relative": self.relative.tolist(),
            "utility": self.utility.tolist(),
            "best_response_utility": self.best_response_utility.tolist(),
            "method": self.method,
            "options": dict(self.options),
            "ci": None if self.ci is None else self.ci.tolist(),
        }

    def summary(self) -> str:
        """One line per bidder."""
        lines = [f"utility loss ({self.method}):"]
        for i, (a, r) in enumerate(zip(self.absolute, self.relative)):
            extra = "" if self.ci is None else f", CI [{self.ci[i, 0]:.3g}, {self.ci[i, 1]:.3g}]"
            lines.append(f"  bidder {i + 1}: absolute {a:.3e}, relative {r:.3e}{extra}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from mechdesign.display import html

        return html.utility_loss(self)

    def __repr__(self) -> str:
        return (
            f"UtilityLoss(method={self.method!r}, max absolute={self.max_absolute:.3e}, "
            f"max relative={self.max_relative:.3e})"
        )
