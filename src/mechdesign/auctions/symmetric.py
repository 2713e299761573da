"""Exact symmetric equilibria by quadrature of the integral formulas.

With ``n`` identical bidders, value cdf ``F`` on ``[low, high]``, reserve ``r`` and
entry fee ``e``, let ``G = F^(n-1)`` be the probability of beating the others. Types
below the cut-off ``v*`` stay out; ``v*`` makes the lowest participant indifferent:

* first and second price: ``(v* - r) G(v*) = e``;
* all-pay: ``v* G(v*) = r + e``.

Above ``v*`` every format gives the same interim utility ``U(v) = ∫_{v*}^v G``
(revenue equivalence), hence (Krishna, *Auction Theory*, 2nd ed., ch. 2-3):

* first price: ``b(v) = v - (∫_{v*}^v G(s) ds + e) / G(v)``;
* second price: ``b(v) = v``;
* all-pay: ``b(v) = v G(v) - ∫_{v*}^v G(s) ds - e``.

The integrals are evaluated with Gauss-Legendre quadrature on ``[v*, v]`` of the
ratio ``(F(s)/F(v))^(n-1)``, which avoids underflow for many bidders.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from mechdesign.auctions._quadrature import gauss_legendre
from mechdesign.auctions.bid_function import BidFunction

GRID_POINTS = 1025
_INNER_NODES = 64
_CELLS = 2048
_TINY = 1e-200


def cutoff(fmt: str, dist, n: int, reserve: float, fee: float) -> float:
    """Lowest participating value ``v*`` (``high`` if nobody participates)."""
    def G(v):
        return float(dist.cdf(v)) ** (n - 1)

    if fmt == "all_pay":
        h = lambda v: v * G(v) - reserve - fee  # noqa: E731
    else:
        h = lambda v: (v - reserve) * G(v) - fee  # noqa: E731
    lo = max(dist.low, reserve)
    if h(lo) >= 0:
        return lo
    if h(dist.high) <= 0:
        return dist.high
    return brentq(h, lo, dist.high, xtol=1e-15, rtol=1e-15, maxiter=200)


class _CumulativeG:
    """``I(v) = ∫_{v*}^v F(s)^(n-1) ds``: exact cumulative sums on a fine grid of cells
    (Gauss-Legendre per cell) plus an 8-node rule on the last, partial cell."""

    def __init__(self, dist, n: int, v_star: float):
        self.dist, self.n, self.v_star = dist, n, v_star
        self.edges = np.linspace(v_star, dist.high, _CELLS + 1)
        t, self.w = gauss_legendre(0.0, 1.0, 8)
        self.t = t
        width = np.diff(self.edges)
        s = self.edges[:-1, None] + width[:, None] * t[None, :]
        cells = width * ((dist.cdf(s) ** (n - 1)) @ self.w)
        self.cum = np.concatenate([[0.0], np.cumsum(cells)])

    def __call__(self, v):
        k = np.clip(np.searchsorted(self.edges, v, side="right") - 1, 0, _CELLS - 1)
        left = self.edges[k]
        width = v - left
        s = left[:, None] + width[:, None] * self.t[None, :]
        return self.cum[k] + width * ((self.dist.cdf(s) ** (self.n - 1)) @ self.w)


def _ratio_integral(dist, n: int, v_star: float, v: np.ndarray) -> np.ndarray:
    """``∫_{v*}^v (F(s)/F(v))^(n-1) ds`` by a 64-node rule (no underflow for tiny F(v))."""
    t, w = gauss_legendre(0.0, 1.0, _INNER_NODES)
    width = v - v_star
    s = v_star + width[:, None] * t[None, :]
    Fv = dist.cdf(v)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(Fv > 0, dist.cdf(s) / Fv, 1.0)
    return width * ((ratio ** (n - 1)) @ w)


def bid_formula(fmt: str, dist, n: int, reserve: float, fee: float, v_star: float):
    """Return the exact evaluator ``v -> b(v)`` for ``v >= v*``."""
    cumulative = _CumulativeG(dist, n, v_star) if fmt != "second_price" else None

    def evaluate(v):
        # participants bid at least the reserve; the clip only removes rounding at v*
        return np.maximum(_formula(np.asarray(v, dtype=float)), reserve)

    def _formula(v):
        if fmt == "second_price":
            return v.copy()
        G = dist.cdf(v) ** (n - 1)
        # I = ∫_{v*}^v G / G(v); where G(v) is tiny use the ratio form (no underflow)
        tiny = G < _TINY
        with np.errstate(divide="ignore", invalid="ignore"):
            I = cumulative(v) / G
        if tiny.any():
            I[tiny] = _ratio_integral(dist, n, v_star, v[tiny])
        if fmt == "first_price":
            with np.errstate(divide="ignore", invalid="ignore"):
                fee_term = np.where(G > 0, fee / G, 0.0)
            return v - I - fee_term
        return G * (v - I) - fee  # all-pay: v G - ∫G - e, with ∫G = G * I

    return evaluate


def symmetric_bid_function(fmt: str, dist, n: int, reserve: float, fee: float, label: str) -> BidFunction:
    """The symmetric-equilibrium BidFunction of one bidder."""
    v_star = cutoff(fmt, dist, n, reserve, fee)
    evaluate = bid_formula(fmt, dist, n, reserve, fee, v_star)
    values = np.linspace(dist.low, dist.high, GRID_POINTS)
    if dist.low < v_star < dist.high:
        values = np.unique(np.append(values, v_star))
    bids = np.full(values.shape, np.nan)
    part = values >= v_star
    if part.any():
        bids[part] = evaluate(values[part])
    return BidFunction(values, bids, dist.support, v_star, evaluate=evaluate, label=label)
