"""Interim win probabilities and payments given the other bidders' strategies (internal).

Each opponent's strategy is summarised by the law of its bid, tabulated at quantile
nodes (deterministic) or at sampled values (Monte Carlo). Abstention and bids below
the reserve count as "below every admissible bid". Ties have probability zero for
atomless bid laws; atoms are resolved by the interpolation convention of ``np.interp``.
"""

from __future__ import annotations

import numpy as np

from mechdesign.errors import SpecError

DEFAULT_NODES = 4097


def evaluate_strategy(strategy, values: np.ndarray, bidder: int) -> np.ndarray:
    """Call ``strategy`` on a 1-d array of values and check the vectorised shape."""
    try:
        bids = strategy(values)
    except Exception as exc:  # user callables may raise anything
        raise SpecError(
            f"strategies[{bidder}]: calling it on an array of {values.size} values failed "
            f"({type(exc).__name__}: {exc})"
        ) from None
    bids = np.asarray(bids, dtype=float)
    if bids.shape != values.shape:
        raise SpecError(
            f"strategies[{bidder}]: must map an array of values of shape {values.shape} to bids "
            f"of the same shape (got shape {bids.shape})"
        )
    return bids


class BidLaw:
    """Law of one bidder's bid: ``below(b) = P(bid < b or no participation)``."""

    def __init__(self, bids: np.ndarray, cum: np.ndarray, abstain: float):
        self.bids = bids
        self.cum = cum
        self.abstain = abstain

    @classmethod
    def from_strategy(cls, dist, strategy, reserve, bidder, n_nodes=DEFAULT_NODES):
        # nodes uniform in quantile and uniform in value (dense wherever either is needed)
        q1 = np.linspace(0.0, 1.0, n_nodes)
        v2 = np.linspace(dist.low, dist.high, n_nodes)[1:-1]
        q = np.concatenate([q1, dist.cdf(v2)])
        v = np.concatenate([dist.ppf(q1), v2])
        order = np.lexsort((v, q))
        q, v = q[order], np.maximum.accumulate(v[order])
        cut = getattr(strategy, "cutoff", None)
        if cut is not None and dist.low < cut < dist.high:
            # the participation cut-off is a node, so the abstention mass is exact
            k = int(np.searchsorted(v, cut))
            q = np.insert(q, k, dist.cdf(cut))
            v = np.insert(v, k, cut)
        bids = evaluate_strategy(strategy, v, bidder)
        part = bids >= reserve
        s = np.sort(bids[part])
        if s.size == 0:
            return cls(np.array([reserve]), np.array([1.0]), 1.0)
        cum = q[q.size - s.size:]
        return cls(s, cum, float(cum[0]))

    @classmethod
    def from_samples(cls, bids, reserve):
        part = bids >= reserve
        s = np.sort(bids[part])
        n = bids.size
        a = n - s.size
        if s.size == 0:
            return cls(np.array([reserve]), np.array([1.0]), 1.0)
        cum = (a + np.arange(s.size) + 0.5) / n
        return cls(s, cum, a / n)

    def below(self, b):
        return np.interp(b, self.bids, self.cum, left=self.abstain, right=1.0)


class Opponents:
    """What bidder i faces: win probability ``W(b)`` and ``∫_r^b W``."""

    def __init__(self, laws: list[BidLaw], reserve: float):
        self.laws = laws
        self.reserve = reserve
        if laws:
            grid = np.unique(np.concatenate([law.bids for law in laws] + [[reserve]]))
            self.grid = grid[grid >= reserve]
            # between consecutive grid points every opponent's law is linear, so W is a
            # polynomial of degree len(laws): Gauss-Legendre with enough nodes is exact
            self._x, self._w = np.polynomial.legendre.leggauss(min(len(laws) // 2 + 1, 8))
            left, width = self.grid[:-1], np.diff(self.grid)
            nodes = left[:, None] + width[:, None] * (self._x[None, :] + 1) / 2
            pieces = width * (self.win(nodes) @ (self._w / 2))
            self._cum = np.concatenate([[0.0], np.cumsum(pieces)])
            self.top = float(self.grid[-1])
        else:
            self.grid = np.array([reserve])
            self.top = reserve

    def win(self, b):
        out = np.ones_like(np.asarray(b, dtype=float))
        for law in self.laws:
            out = out * law.below(b)
        return out

    def integral(self, b):
        """``∫_r^b W(y) dy`` (W = 1 above the highest opposing bid)."""
        b = np.asarray(b, dtype=float)
        if not self.laws:
            return b - self.reserve
        inside = np.clip(b, self.reserve, self.top)
        k = np.clip(np.searchsorted(self.grid, inside, side="right") - 1, 0, self.grid.size - 1)
        left = self.grid[k]
        width = inside - left
        nodes = left[..., None] + width[..., None] * (self._x[None, :] + 1) / 2
        partial = width * (self.win(nodes) @ (self._w / 2))
        return self._cum[k] + partial + np.maximum(b - self.top, 0.0)


def opponents_of(i: int, laws: list[BidLaw], reserve: float) -> Opponents:
    return Opponents([law for j, law in enumerate(laws) if j != i], reserve)


def check_strategy_profile(strategies, distributions, noun: str = "value") -> list:
    """Validate a profile: one vectorised callable ``noun -> bid`` per bidder (or one for all),
    each evaluated once on three points of its bidder's support."""
    n = len(distributions)
    if callable(strategies):
        strategies = [strategies] * n
    try:
        strategies = list(strategies)
    except TypeError:
        raise SpecError(
            f"strategies: expected a list of {n} callables {noun} -> bid (got {type(strategies).__name__})"
        ) from None
    if len(strategies) != n:
        raise SpecError(f"strategies: expected {n} callables, one per bidder (got {len(strategies)})")
    for i, s in enumerate(strategies):
        if not callable(s):
            raise SpecError(f"strategies[{i}]: expected a callable {noun} -> bid (got {type(s).__name__})")
    for i, (s, d) in enumerate(zip(strategies, distributions)):
        evaluate_strategy(s, np.linspace(d.low, d.high, 3), i)
    return strategies
