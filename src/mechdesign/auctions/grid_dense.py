"""Rule-defined mechanisms on type and bid grids: dense payoff tensors.

The finite game of :mod:`mechdesign.auctions.grid` for a
:class:`~mechdesign.auctions.rule.RuleMechanism` (a user rule, a contest, a double
auction). The rule is evaluated once on all ``m_1 x ... x m_n`` bid profiles (in chunks);
bidder ``i``'s expected allocation and payment tensors, with her own bid axis first, are
kept. An iteration contracts them with the other bidders' aggregate bid distributions
(``p_j = w_j @ sigma_j``, one matrix-vector product per opponent axis), giving the expected
allocation ``X_i(b)`` and payment ``P_i(b)`` of each own bid and the interim utilities
``U_i[t, b] = θ_t X_i(b) - P_i(b)`` (or the mechanism's risk-averse form). Time per call
``O(n m^n)``, memory ``2 n m^n`` floats (``2 m^n`` for identical bidders and an anonymous
rule, which share one strategy).
"""

from __future__ import annotations

import numpy as np

from mechdesign.auctions.grid import bid_grid, type_grid, types_for_bidder
from mechdesign.auctions.grid_single_item import _same_spec
from mechdesign.errors import SpecError
from mechdesign.games.learning import LearningGame

__all__ = ["DenseGame", "MAX_TENSOR_BYTES"]

#: Largest memory (bytes) the payoff tensors of one grid game may take.
MAX_TENSOR_BYTES = 512 * 2**20
_CHUNK = 2**17


class DenseGame(LearningGame):
    """A :class:`~mechdesign.auctions.rule.RuleMechanism` on grids (see the module docstring).

    Parameters
    ----------
    mechanism : RuleMechanism
    types : int, array or list of arrays
        Type points per bidder.
    bids : int or array
        The common bid grid.
    bid_range : (float, float), optional
        Range of an ``int`` bid grid (default ``mechanism.bid_range``).
    symmetric : bool, default True
        Let identical bidders share one strategy when the rule is anonymous on the grid.
    """

    def __init__(self, mechanism, types, bids, bid_range=None, symmetric: bool = True):
        n = mechanism.n_bidders
        self.mechanism = mechanism
        lo, hi = mechanism.bid_range if bid_range is None else bid_range
        grid = bid_grid(bids, lo, hi)
        m = grid.size
        self.bid_values = grid
        specs = [types_for_bidder(types, i, n) for i in range(n)]
        identical = symmetric and n > 1 and mechanism.is_symmetric and all(
            _same_spec(specs[0], s) for s in specs[1:])
        profiles = m ** n
        stored = 1 if identical else n
        need = 2 * stored * profiles * 8
        if need > MAX_TENSOR_BYTES:
            raise SpecError(
                f"grid: {mechanism.title} with {n} bidders on {m} bids has {profiles:,} bid profiles; the payoff "
                f"tensors would take {need / 2**20:.0f} MiB (limit {MAX_TENSOR_BYTES / 2**20:.0f} MiB): use fewer "
                "bids, e.g. grid=(64, 32)"
            )
        tensors = self._build(mechanism, grid, n, list(range(stored)))
        if identical and not self._anonymous(mechanism, grid, n, tensors[0]):
            identical = False
            need = 2 * n * profiles * 8
            if need > MAX_TENSOR_BYTES:
                raise SpecError(
                    f"grid: the rule treats identical bidders differently, so each of the {n} bidders needs her "
                    f"own payoff tensors ({need / 2**20:.0f} MiB, limit {MAX_TENSOR_BYTES / 2**20:.0f} MiB): "
                    "use fewer bids"
                )
            tensors = self._build(mechanism, grid, n, list(range(n)))
        self.classes = ((tuple(range(n)),) if identical else tuple((i,) for i in range(n)))
        self._tensors = tensors
        self.types = tuple(type_grid(mechanism.distributions[c[0]], specs[c[0]], f"grid[0] (bidder {c[0] + 1})")
                           for c in self.classes)
        names = [mechanism.labels[c[0]] if len(c) == 1 else f"{mechanism.labels[c[0]]} (class of {len(c)})"
                 for c in self.classes]
        super().__init__([t.weights for t in self.types], [m] * len(self.classes), names,
                         [len(c) for c in self.classes])
        self.symmetric = identical

    @staticmethod
    def _build(mechanism, grid, n, bidders):
        """Per bidder in ``bidders``: a ``(2, m, ..., m)`` array (allocation, payment) with
        her own bid axis first and the others in order."""
        m = grid.size
        shape = (m,) * n
        alloc = [np.empty(m ** n) for _ in bidders]
        pay = [np.empty(m ** n) for _ in bidders]
        total = m ** n
        for start in range(0, total, _CHUNK):
            idx = np.arange(start, min(start + _CHUNK, total))
            B = grid[np.stack(np.unravel_index(idx, shape), axis=1)]
            x, p = mechanism.allocation_and_payments(B)
            for k, i in enumerate(bidders):
                alloc[k][idx] = x[:, i]
                pay[k][idx] = p[:, i]
        out = []
        for k, i in enumerate(bidders):
            T = np.stack([alloc[k].reshape(shape), pay[k].reshape(shape)])
            out.append(np.ascontiguousarray(np.moveaxis(T, 1 + i, 1)))
        return out

    @staticmethod
    def _anonymous(mechanism, grid, n, T0) -> bool:
        """Whether bidder i's outcome at b equals bidder 0's at b with bids 0 and i swapped."""
        m = grid.size
        shape = (m,) * n
        total = m ** n
        X0, P0 = T0[0].ravel(), T0[1].ravel()
        scale = max(1.0, float(np.abs(T0).max()))
        for start in range(0, total, _CHUNK):
            idx = np.arange(start, min(start + _CHUNK, total))
            multi = np.stack(np.unravel_index(idx, shape), axis=1)
            x, p = mechanism.allocation_and_payments(grid[multi])
            for i in range(1, n):
                swapped = multi.copy()
                swapped[:, [0, i]] = swapped[:, [i, 0]]
                # T0 has bidder 0's axis first and the others in order: the swapped profile
                # indexes it directly
                j = np.ravel_multi_index(tuple(swapped.T), shape)
                if (np.abs(x[:, i] - X0[j]).max() > 1e-12 * scale or np.abs(p[:, i] - P0[j]).max() > 1e-12 * scale):
                    return False
        return True

    @property
    def n_bids(self) -> int:
        return int(self.bid_values.size)

    def action_values(self, a: int) -> np.ndarray:
        """Bid of each action of agent ``a``."""
        return self.bid_values

    def payoff_scale(self) -> float:
        lo = min(t.edges[0] for t in self.types)
        hi = max(t.edges[-1] for t in self.types)
        return max(hi - lo, 1e-12)

    def utilities(self, strategies):
        pmf = [w @ s for w, s in zip(self.type_weights, strategies)]
        n = self.mechanism.n_bidders
        out = []
        for a, members in enumerate(self.classes):
            i = members[0]
            T = self._tensors[a]
            for j in reversed([j for j in range(n) if j != i]):
                T = T @ (pmf[0] if self.symmetric else pmf[j])
            out.append(self.mechanism._interim_utility(i, self.types[a].points, T[0], T[1], self.bid_values))
        return out
