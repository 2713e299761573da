"""BidFunction: a vectorised bidding strategy with its tabulation on a grid."""

from __future__ import annotations

import numpy as np
from scipy.interpolate import PchipInterpolator

from mechdesign.auctions._arrays import readonly as _readonly

__all__ = ["BidFunction"]



class BidFunction:
    """A bidder's strategy: value -> bid, vectorised.

    ``b(v)`` returns an array of the same shape as ``v``. Types that stay out of the
    auction (below the participation cut-off) bid ``nan``. Values outside the support
    also map to ``nan``.

    Parameters
    ----------
    values, bids : array_like
        Tabulation of the strategy on an increasing grid of values (``nan`` bids for
        non-participating values).
    support : (float, float)
        The bidder's value support.
    cutoff : float
        Lowest participating value: types below it abstain.
    evaluate : callable, optional
        Exact evaluator ``v -> bids`` (for closed-form or quadrature strategies). If
        omitted, the tabulation is interpolated (monotone cubic, PCHIP).
    label : str
        Name used in plots and summaries.

    Attributes
    ----------
    values, bids : numpy.ndarray
        The read-only tabulation grid.
    """

    def __init__(self, values, bids, support, cutoff, evaluate=None, label: str = "bidder"):
        self.values = _readonly(values)
        self.bids = _readonly(bids)
        self.support = (float(support[0]), float(support[1]))
        self.cutoff = float(cutoff)
        self.label = label
        if evaluate is None:
            ok = np.isfinite(self.bids)
            if ok.sum() >= 2:
                spline = PchipInterpolator(self.values[ok], self.bids[ok], extrapolate=True)
            else:
                const = float(self.bids[ok][0]) if ok.any() else np.nan
                spline = lambda v: np.full_like(v, const)  # noqa: E731
            self._evaluate = spline
        else:
            self._evaluate = evaluate

    def __call__(self, v):
        v = np.asarray(v, dtype=float)
        flat = np.atleast_1d(v).ravel()
        out = np.full(flat.shape, np.nan)
        lo, hi = self.support
        ok = (flat >= self.cutoff) & (flat >= lo) & (flat <= hi)
        if ok.any():
            out[ok] = np.asarray(self._evaluate(flat[ok]), dtype=float)
        return out.reshape(v.shape) if v.ndim else out[0]

    def __repr__(self) -> str:
        ok = np.isfinite(self.bids)
        top = float(self.bids[ok].max()) if ok.any() else float("nan")
        return (
            f"BidFunction({self.label}: values [{self.support[0]:g}, {self.support[1]:g}], "
            f"cut-off {self.cutoff:.6g}, highest bid {top:.6g}, {len(self.values)} grid points)"
        )

    def to_dict(self) -> dict:
        """JSON-ready tabulation (``None`` for non-participating values)."""
        return {
            "label": self.label,
            "support": list(self.support),
            "cutoff": self.cutoff,
            "values": self.values.tolist(),
            "bids": [None if not np.isfinite(b) else float(b) for b in self.bids],
        }
