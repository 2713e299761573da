"""From continuous types to grids and back: type grids, bid grids, distributional strategies.

A continuous-type mechanism is approximated by a finite game (Fichtl, Oberlechner and
Bichler, "Computing Bayes-Nash equilibrium strategies in auction games via simultaneous
online dual averaging", 2022-24):

* **types**: bidder ``i``'s support ``[low, high]`` is cut into ``k`` cells of equal width;
  type ``t`` stands for the cell's midpoint and carries the cell's probability
  ``F(right) - F(left)`` (the prior weights of the finite game). An explicit array of
  points may be given instead; its cells are bounded by the midpoints between
  consecutive points and by the support ends, and the points must cover the support
  (no end gap wider than the widest spacing).
* **bids**: ``m`` equally spaced bids including both ends of the bid range (or an explicit
  increasing array). Where a bidder may stay out (a reserve or an entry fee), the finite
  game has one more action, "stay out", which costs and earns nothing.

Back on the continuum, a learned behavioural strategy ``sigma`` (shape ``(k, m)``) is a
:class:`DistributionalStrategy` (SODA's distributional strategy is ``weights[:, None] *
sigma``); its mean bid at each type point, interpolated linearly between the points, is a
:class:`~mechdesign.auctions.BidFunction` that the continuous-type
:func:`~mechdesign.auctions.utility_loss` certifies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mechdesign.auctions._arrays import readonly
from mechdesign.auctions.bid_function import BidFunction
from mechdesign.errors import SpecError

__all__ = ["TypeGrid", "DistributionalStrategy", "type_grid", "bid_grid", "parse_grid", "DEFAULT_GRID"]

#: SODA's default discretisation: 64 types x 64 bids.
DEFAULT_GRID = (64, 64)


@dataclass(frozen=True)
class TypeGrid:
    """Type points of one bidder with their cells and prior weights.

    Attributes
    ----------
    points : numpy.ndarray, shape (k,)
        Representative type of each cell.
    edges : numpy.ndarray, shape (k + 1,)
        Cell boundaries; ``edges[0]`` and ``edges[-1]`` are the support ends.
    weights : numpy.ndarray, shape (k,)
        Prior probability of each cell (sums to 1).
    """

    points: np.ndarray
    edges: np.ndarray
    weights: np.ndarray


def _count(value, name: str, minimum: int = 2) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise SpecError(f"{name}: expected an integer >= {minimum} or an increasing array of points (got {value!r})")
    return int(value)


def _points(value, name: str) -> np.ndarray:
    try:
        pts = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise SpecError(f"{name}: expected an integer or an increasing array of points (got {value!r})") from None
    if pts.ndim != 1 or pts.size < 2:
        raise SpecError(f"{name}: expected at least 2 points in a 1-d array (got shape {pts.shape})")
    if not np.all(np.isfinite(pts)):
        raise SpecError(f"{name}: expected finite points (got {pts[~np.isfinite(pts)][0]})")
    if np.any(np.diff(pts) <= 0):
        raise SpecError(f"{name}: expected strictly increasing points (got {pts.tolist()[:8]}...)")
    return pts


def type_grid(dist, spec, name: str = "grid[0]") -> TypeGrid:
    """Type grid of one bidder with value distribution ``dist`` (see the module docstring)."""
    lo, hi = dist.low, dist.high
    if isinstance(spec, (int, np.integer)) and not isinstance(spec, (bool, np.bool_)):
        k = _count(spec, name)
        edges = np.linspace(lo, hi, k + 1)
        points = (edges[:-1] + edges[1:]) / 2
    else:
        points = _points(spec, name)
        tol = 1e-12 * max(1.0, abs(lo), abs(hi))
        if points[0] < lo - tol or points[-1] > hi + tol:
            raise SpecError(
                f"{name}: type points must lie in the support [{lo:g}, {hi:g}] "
                f"(got points from {points[0]:g} to {points[-1]:g})"
            )
        widest = float(np.max(np.diff(points)))
        if points[0] - lo > widest + tol or hi - points[-1] > widest + tol:
            raise SpecError(
                f"{name}: type points must cover the support [{lo:g}, {hi:g}]: the gaps to its ends "
                f"may not exceed the widest spacing {widest:g} (got points from {points[0]:g} to {points[-1]:g})"
            )
        points = np.clip(points, lo, hi)
        edges = np.concatenate([[lo], (points[:-1] + points[1:]) / 2, [hi]])
    cdf = dist.cdf(edges)
    cdf[0], cdf[-1] = 0.0, 1.0
    weights = np.maximum(np.diff(cdf), 0.0)
    weights = weights / weights.sum()
    return TypeGrid(readonly(points), readonly(edges), readonly(weights))


def bid_grid(spec, lo: float, hi: float, name: str = "grid[1]", minimum: float | None = None) -> np.ndarray:
    """Bid points: ``spec`` equally spaced bids on ``[lo, hi]``, or an explicit increasing array.

    ``minimum`` (a reserve) is the lowest admissible bid of an explicit array.
    """
    if isinstance(spec, (int, np.integer)) and not isinstance(spec, (bool, np.bool_)):
        m = _count(spec, name)
        if not hi > lo:
            raise SpecError(f"options['bids']: expected a bid range (low, high) with low < high (got ({lo:g}, {hi:g}))")
        return readonly(np.linspace(lo, hi, m))
    pts = _points(spec, name)
    if minimum is not None and pts[0] < minimum - 1e-12 * max(1.0, abs(minimum)):
        raise SpecError(
            f"{name}: bids must be at least the reserve {minimum:g}; staying out is a separate action "
            f"(got lowest bid {pts[0]:g})"
        )
    return readonly(pts)


def parse_grid(grid) -> tuple:
    """``grid`` -> ``(types_spec, bids_spec)``: an int (both), a pair, or ``None`` (64 x 64)."""
    if grid is None:
        return DEFAULT_GRID
    if isinstance(grid, (int, np.integer)) and not isinstance(grid, (bool, np.bool_)):
        return (int(grid), int(grid))
    try:
        items = list(grid)
    except TypeError:
        raise SpecError(f"grid: expected (n_types, n_bids) such as (64, 64) (got {grid!r})") from None
    if len(items) != 2:
        raise SpecError(f"grid: expected a pair (n_types, n_bids) such as (64, 64) (got {len(items)} entries)")
    return items[0], items[1]


def types_for_bidder(types_spec, i: int, n: int):
    """The type spec of bidder ``i``: an int, one array for all, or a list of one array per bidder."""
    if isinstance(types_spec, (int, np.integer)):
        return types_spec
    if isinstance(types_spec, (list, tuple)) and len(types_spec) == n and all(
        np.ndim(t) == 1 for t in types_spec
    ):
        return types_spec[i]
    return types_spec


def _run_centres(x: np.ndarray, y: np.ndarray, span: float):
    """Collapse runs of equal ``y`` into their centres (see :func:`bid_function_from_points`)."""
    if x.size < 3:
        return x, y
    tol = 1e-9 * max(span, 1e-300)
    new_run = np.concatenate([[True], np.abs(np.diff(y)) > tol])
    starts = np.flatnonzero(new_run)
    ends = np.concatenate([starts[1:], [x.size]]) - 1
    cx = (x[starts] + x[ends]) / 2
    cy = y[starts]
    if ends[0] > starts[0] and cy.size > 1 and cy[0] <= y.min() + tol:
        cx = np.concatenate([[x[0]], cx])
        cy = np.concatenate([[cy[0]], cy])
    if cx.size == 1:
        return x, y
    return cx, cy


class DistributionalStrategy:
    """A learned behavioural strategy of one bidder on the type grid.

    Parameters
    ----------
    types : TypeGrid
    bids : array_like, shape (m,)
        Action values; ``nan`` marks the "stay out" action.
    probabilities : array_like, shape (k, m)
        ``probabilities[t]`` is the lottery over actions played at type ``t``.
    label : str

    Attributes
    ----------
    points, weights : numpy.ndarray
        Type points and their prior weights.
    distribution : numpy.ndarray
        ``weights[:, None] * probabilities`` (joint law of type cell and action; SODA's
        distributional strategy).
    participation : numpy.ndarray
        Probability of submitting a bid at each type point.
    mean_bid : numpy.ndarray
        Expected bid given participation (``nan`` where the type always stays out).
    """

    def __init__(self, types: TypeGrid, bids, probabilities, label: str = "bidder"):
        self.types = types
        self.bids = readonly(bids)
        self.probabilities = readonly(probabilities)
        self.label = label
        k, m = self.probabilities.shape
        if (k, m) != (types.points.size, self.bids.size):
            raise SpecError(f"probabilities: expected shape {(types.points.size, self.bids.size)} (got {(k, m)})")

    @property
    def points(self) -> np.ndarray:
        return self.types.points

    @property
    def weights(self) -> np.ndarray:
        return self.types.weights

    @property
    def distribution(self) -> np.ndarray:
        return readonly(self.weights[:, None] * self.probabilities)

    @property
    def participation(self) -> np.ndarray:
        bid = np.isfinite(self.bids)
        return readonly(self.probabilities[:, bid].sum(axis=1))

    @property
    def mean_bid(self) -> np.ndarray:
        bid = np.isfinite(self.bids)
        mass = self.probabilities[:, bid].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = (self.probabilities[:, bid] @ self.bids[bid]) / mass
        return readonly(np.where(mass > 0, mean, np.nan))

    def bid_function(self, support) -> BidFunction:
        """The mean bid as a function on the continuum (see :func:`bid_function_from_points`)."""
        part = self.participation >= 0.5
        return bid_function_from_points(self.types, np.where(part, self.mean_bid, np.nan), support, self.label,
                                        float(np.nanmin(self.bids)), float(np.nanmax(self.bids)))

    def step_bid_function(self, support) -> BidFunction:
        """Each type cell bids its mean bid: a step function (``nan`` where the cell stays out)."""
        part = self.participation >= 0.5
        mean = np.where(part, self.mean_bid, np.nan)
        edges = self.types.edges
        first = int(np.argmax(part)) if part.any() else mean.size
        cutoff = float(edges[first]) if first < mean.size else float(support[1])

        def evaluate(v, edges=edges, mean=mean):
            k = np.clip(np.searchsorted(edges, np.asarray(v, dtype=float), side="right") - 1, 0, mean.size - 1)
            return mean[k]

        return BidFunction(self.points, mean, support, cutoff, evaluate, self.label)

    def monotone_bid_function(self, dist, ties: str = "lose") -> BidFunction:
        """The increasing bid function with the learned bid distribution: ``b(v) = G^{-1}(F(v))``.

        ``G`` is the aggregate law of the learned bids (``weights @ probabilities``) with the
        mass of each bid played spread uniformly over its cell: from the next lower bid
        played up to it when ties lose on the grid (a grid bid beats every lower bid and
        not its own), between the midpoints to the neighbouring bids played when ties are
        split (the lowest grid bid keeps its mass as an atom: no bid is lower); ``F`` is the
        value distribution. (Cells reach to the neighbouring bids that
        are *played*: a staircase that skips grid bids leaves no gaps in ``G``, which a best
        response on the continuum would exploit.) Stay-out mass goes to the lowest types (their bid is ``nan``). For
        formats whose equilibria are increasing (first price, all pay) this map reproduces
        the learned bid law on the continuum without the atoms a flat grid strategy would
        have; it hides a non-monotone grid strategy, which the learning result flags
        separately.
        """
        bid = np.isfinite(self.bids)
        values = self.bids[bid]
        mass = self.weights @ self.probabilities
        out_mass = float(mass[~bid].sum())
        p = mass[bid]
        lowest = float(values[0])
        used = p > 1e-12 * max(float(p.sum()), 1e-300)
        values, p = values[used], p[used]
        if values.size == 0:
            edges = np.array([float(self.bids[bid][0])] * 2)
        elif ties == "lose":
            edges = np.concatenate([[values[0]], values])
        else:
            edges = np.concatenate([[values[0]], (values[:-1] + values[1:]) / 2, [values[-1]]])
            if values[0] <= lowest:                     # an atom at the lowest bid stays an atom
                edges[1] = values[0]
        cdf = out_mass + np.concatenate([[0.0], np.cumsum(p)])
        xs = np.ravel(np.column_stack([cdf[:-1], cdf[1:]]))
        ys = np.ravel(np.column_stack([edges[:-1], edges[1:]]))
        cutoff = float(dist.ppf(min(out_mass, 1.0))) if out_mass > 0 else float(dist.low)

        def evaluate(v, xs=xs, ys=ys):
            return np.interp(dist.cdf(np.asarray(v, dtype=float)), xs, ys)

        grid = np.linspace(dist.low, dist.high, 1025)
        tab = np.where(grid >= cutoff, evaluate(grid), np.nan) if xs.size else np.full(grid.shape, np.nan)
        if not xs.size:
            return BidFunction(grid, tab, dist.support, float(dist.high), lambda v: np.full_like(v, np.nan),
                               self.label)
        return BidFunction(grid, tab, dist.support, cutoff, evaluate, self.label)

    def to_dict(self) -> dict:
        """JSON-ready dictionary (``None`` for the stay-out action's bid)."""
        return {
            "label": self.label,
            "types": self.points.tolist(),
            "weights": self.weights.tolist(),
            "bids": [None if not np.isfinite(b) else float(b) for b in self.bids],
            "probabilities": self.probabilities.tolist(),
        }

    def __repr__(self) -> str:
        k, m = self.probabilities.shape
        return f"DistributionalStrategy({self.label}: {k} types x {m} actions)"


def bid_function_from_points(types: TypeGrid, bids: np.ndarray, support, label: str,
                             bid_low: float, bid_high: float) -> BidFunction:
    """A BidFunction through ``(types.points, bids)``: linear between the points, extended
    linearly to the support ends and clipped to ``[bid_low, bid_high]``.

    A run of consecutive type points with the same bid (a flat step of a pure strategy on
    the bid grid) is replaced by one point at the run's centre: the grid cannot tell where
    inside the run the continuous bid crosses the grid bid, and a flat stretch would give
    the opponents' bid laws atoms that a best response exploits. A run at the lowest bid
    that starts at the lowest type keeps its left end as well (bids cannot go lower).
    Types below the first participating cell (a ``nan`` bid) stay out: the cut-off is the
    lower edge of that cell.
    """
    pts = types.points
    bids = np.asarray(bids, dtype=float)
    ok = np.isfinite(bids)
    if not ok.any():
        cutoff = support[1]
        return BidFunction(pts, bids, support, cutoff, lambda v: np.full_like(v, np.nan), label)
    first = int(np.argmax(ok))
    cutoff = float(types.edges[first]) if first > 0 else float(support[0])
    x, y = _run_centres(pts[ok], bids[ok], bid_high - bid_low)

    def evaluate(v, x=x, y=y):
        v = np.asarray(v, dtype=float)
        out = np.interp(v, x, y)
        if x.size >= 2:
            lo_slope = (y[1] - y[0]) / (x[1] - x[0])
            hi_slope = (y[-1] - y[-2]) / (x[-1] - x[-2])
            out = np.where(v < x[0], y[0] + lo_slope * (v - x[0]), out)
            out = np.where(v > x[-1], y[-1] + hi_slope * (v - x[-1]), out)
        return np.clip(out, bid_low, bid_high)

    return BidFunction(pts, bids, support, cutoff, evaluate, label)
