"""First-price, second-price and all-pay auctions on type and bid grids, by order statistics.

The finite game of :mod:`mechdesign.auctions.grid` for the single-item formats. Bidders
with the same value distribution (and the same type grid) form one class that shares a
strategy (SODA's model sharing), so ``n`` identical bidders are one learning agent.

Interim utilities come from order statistics of the other bidders' *aggregate* bid
distributions, never from bid profiles: with ``p_c`` the law of one class-``c`` bid on
the grid (``p_c = w_c @ sigma_c``) and ``L_c`` its cdf strictly below each bid, a bid
``b_j`` wins with probability ``W_j = Π_c L_c(j)^(n_c)`` when ties lose (the default,
``n_c`` opponents in class ``c``), and with uniform tie-breaking

    W_j = ∫_0^1 Π_c (L_c(j) + s p_c(j))^(n_c) ds

(``E[1/(1+K)] = ∫ s^K ds`` for ``K`` tied opponents), a polynomial of degree ``n - 1`` in
``s``, integrated exactly by Gauss-Legendre with ``ceil(n/2)`` nodes. Second-price payments use the law of the highest opposing bid
``Π_c (L_c + p_c)^(n_c) - Π_c L_c^(n_c)``. Per call of :meth:`SingleItemGame.utilities`:
time ``O(C (k + n) m + C² m ceil(n/2))`` and memory ``O(k m)`` per class (``C`` classes,
``k`` types, ``m`` bids) — independent of the number of bid profiles ``m^n``, so ten
bidders on 128 x 128 cost what two do.

Risk-averse bidders (CRRA, :mod:`mechdesign.auctions.risk`) value each outcome by ``u``:
first price ``W u(v - b - e) + (1 - W) u(-e)``, all pay ``W u(v - b - e) + (1 - W) u(-b - e)``,
second price the same expectation over the price. Staying out (the extra action when
there is a reserve or an entry fee ``e``) is worth 0.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from mechdesign.auctions.grid import bid_grid, type_grid, types_for_bidder
from mechdesign.auctions.risk import crra
from mechdesign.errors import SpecError
from mechdesign.games.learning import LearningGame

__all__ = ["SingleItemGame", "TIES", "COMPILED_AFTER"]

#: Utility evaluations after which a game with several classes computes its win probabilities in
#: :mod:`mechdesign.auctions.grid_kernels` (from the start once that module is imported).
COMPILED_AFTER = 64
_KERNELS = "mechdesign.auctions.grid_kernels"

#: Tie-breaking rules on the grid: ``"lose"`` (a tied bid loses, as in SODA's first-price
#: and all-pay settings) or ``"random"`` (the item goes to one of the tied bidders uniformly).
TIES = ("lose", "random")


def _exclusive_cumsum(x, axis=-1):
    c = np.cumsum(x, axis=axis)
    return c - x


class SingleItemGame(LearningGame):
    """A first-price, second-price or all-pay :class:`~mechdesign.auctions.Auction` on grids.

    Parameters
    ----------
    auction : FirstPrice, SecondPrice or AllPay
    types : int, array or list of arrays
        Type points per bidder (see :func:`~mechdesign.auctions.grid.type_grid`).
    bids : int or array
        The common bid grid (at least the reserve).
    bid_range : (float, float), optional
        Range of an ``int`` bid grid. Default: from the reserve (or the lowest value) to
        the second-highest upper end of the bidders' supports (first price and all pay:
        no bidder gains from bidding above every opponent's highest value) or the highest
        one (second price).
    symmetric : bool, default True
        Let bidders with the same law and type grid share one strategy.
    ties : {"lose", "random"}, default "lose"
        Tie-breaking on the grid (ties have probability zero on the continuum, so this is
        an artefact of the discretisation). ``"lose"`` (SODA's choice for first price and
        all pay) gives games whose learning dynamics converge quickly; with ``"random"``
        a tie at the top splits the item uniformly.

    Attributes
    ----------
    classes : tuple of tuple of int
        The bidders of each agent (class).
    types : tuple of TypeGrid
        Per agent.
    bids : numpy.ndarray
        Action values; ``nan`` is the stay-out action (index 0) when there is one.
    """

    def __init__(self, auction, types, bids, bid_range=None, symmetric: bool = True, ties: str = "lose"):
        n = auction.n_bidders
        self.auction = auction
        self.format = auction.format
        if ties not in TIES:
            raise SpecError(f"options['ties']: expected one of {list(TIES)} (got {ties!r})")
        self.ties = ties
        specs = [types_for_bidder(types, i, n) for i in range(n)]
        classes: list[list[int]] = []
        for i in range(n):
            for cls in classes:
                j = cls[0]
                if symmetric and auction.distributions[j].same_law(auction.distributions[i]) and _same_spec(
                        specs[j], specs[i]):
                    cls.append(i)
                    break
            else:
                classes.append([i])
        self.classes = tuple(tuple(c) for c in classes)
        self.counts = np.array([len(c) for c in classes])
        self.types = tuple(type_grid(auction.distributions[c[0]], specs[c[0]], f"grid[0] (bidder {c[0] + 1})")
                           for c in classes)
        r = auction.reserve
        if bid_range is None:
            highs = sorted(d.high for d in auction.distributions)
            top = highs[-1] if (self.format == "second_price" or n == 1) else highs[-2]
            lo, hi = r, max(top, r)
        else:
            lo, hi = bid_range
        if lo < r - 1e-12 * max(1.0, abs(r)):
            raise SpecError(f"options['bids']: the bid range must start at the reserve {r:g} or above (got {lo:g})")
        grid = bid_grid(bids, lo, hi, minimum=r)
        self.abstain = bool(auction.has_reserve or auction.entry_fee > 0)
        self.bid_values = grid
        self.bids = np.concatenate([[np.nan], grid]) if self.abstain else grid.copy()
        self.bids.flags.writeable = False
        m = self.bids.size
        names = [auction.labels[c[0]] if len(c) == 1 else f"{auction.labels[c[0]]} (class of {len(c)})"
                 for c in classes]
        super().__init__([t.weights for t in self.types], [m] * len(classes), names, [len(c) for c in classes])
        nodes, gw = np.polynomial.legendre.leggauss(max(1, math.ceil(n / 2)))
        self._s = ((nodes + 1) / 2)[:, None]
        self._sw = gw / 2
        self._fee = auction.entry_fee
        self._rho = getattr(auction, "risk_aversion", None)
        self._off = 1 if self.abstain else 0
        self._v = [t.points[:, None] for t in self.types]
        self._gap = [t.points[:, None] - grid[None, :] for t in self.types]
        self._fast = len(classes) == 1 and n > 1 and self._rho is None and self.format in ("first_price", "all_pay")
        self._n_others = n - 1
        self._cost = (grid + self._fee)[None, :]
        self._full = np.zeros((self.types[0].points.size, self.bids.size))
        self._calls = 0
        self._opponents = (self.counts[None, :] - np.eye(len(classes), dtype=np.int64)).astype(np.int64)
        self._nodes = np.ascontiguousarray(self._s[:, 0])
        if self._rho is not None:
            b = grid[None, :]
            self._u_win = [crra(t.points[:, None] - b - self._fee, self._rho) for t in self.types]
            self._u_out = float(crra(-self._fee, self._rho))
            self._u_lose_ap = crra(-grid - self._fee, self._rho)
            self._u_reserve = [crra(t.points - r - self._fee, self._rho) for t in self.types]

    @property
    def n_bids(self) -> int:
        """Number of bid points (without the stay-out action)."""
        return int(self.bid_values.size)

    def action_values(self, a: int) -> np.ndarray:
        """Bid of each action of agent ``a`` (``nan`` = stay out)."""
        return self.bids

    def payoff_scale(self) -> float:
        lo = min(t.edges[0] for t in self.types)
        hi = max(t.edges[-1] for t in self.types)
        return max(hi - lo, 1e-12)

    def utilities(self, strategies):
        if self._fast:
            return self._utilities_one_class(strategies[0])
        if self.format != "second_price":
            kernels = sys.modules.get(_KERNELS)
            self._calls += 1
            if kernels is None and self._calls > COMPILED_AFTER:
                kernels = _load_kernels()
            if kernels is not None:
                return self._utilities_compiled(strategies, kernels)
        off = self._off
        pmf = [w @ s for w, s in zip(self.type_weights, strategies)]
        # restricted to bid actions: mass strictly below each bid (stay-out counts as below) and at it
        E = [p[off:] for p in pmf]
        L = [np.cumsum(p)[off:] - e for p, e in zip(pmf, E)]
        out = []
        for a in range(self.n_agents):
            cnt = self.counts.copy()
            cnt[a] -= 1
            opp = np.flatnonzero(cnt)
            if self.ties == "lose":
                win = np.ones(self.bid_values.size)
                for c in opp:
                    win = win * L[c] ** cnt[c]
                strict = win
            else:
                poly = 1.0
                strict = 1.0
                for c in opp:
                    poly = poly * (L[c][None, :] + self._s * E[c][None, :]) ** cnt[c]
                    strict = strict * L[c] ** cnt[c]
                win = self._sw @ poly if opp.size else np.ones(self.bid_values.size)
                strict = strict if opp.size else np.ones(self.bid_values.size)
            upto = None
            if self.format == "second_price":
                upto = np.ones(self.bid_values.size)
                for c in opp:
                    upto = upto * (L[c] + E[c]) ** cnt[c]
            out.append(self._utility(a, win, strict, upto, pmf, cnt))
        return out

    def fused_dual_averaging(self):
        """Compiled entropic dual averaging for one symmetric risk-neutral class (first price or
        all pay): whole iterations in :func:`~mechdesign.auctions.grid_kernels.one_class_dual_averaging`;
        None for other games or where numba is unavailable."""
        if not self._fast:
            return None
        kernels = sys.modules.get(_KERNELS) or _load_kernels()
        if kernels is None:
            return None
        k, mb = self._gap[0].shape
        if self.format == "first_price":
            A, B = self._gap[0], np.full((k, mb), -float(self._fee))
        else:
            A, B = np.repeat(self._v[0], mb, axis=1), np.repeat(-self._cost, k, axis=0)
        w = np.ascontiguousarray(self.type_weights[0], dtype=float)
        A, B = np.ascontiguousarray(A, dtype=float), np.ascontiguousarray(B, dtype=float)
        split = self.ties == "random"
        nodes, weights = np.ascontiguousarray(self._nodes), np.ascontiguousarray(self._sw, dtype=float)

        def run(y, sigma, U, etas, tol, stop_loss, eps_out, loss_out, best_sigma, best):
            return kernels.one_class_dual_averaging(y[0], sigma[0], U[0], w, A, B, self._off, self._n_others, split,
                                                    nodes, weights, etas, tol, stop_loss, eps_out, loss_out,
                                                    best_sigma[0], best)

        return run

    def _utilities_compiled(self, strategies, kernels):
        """First price and all pay with several classes: the win probabilities in one compiled call."""
        off = self._off
        pmf = np.stack([w @ x for w, x in zip(self.type_weights, strategies)])
        E = np.ascontiguousarray(pmf[:, off:])
        L = np.ascontiguousarray(np.cumsum(pmf, axis=1)[:, off:]) - E
        win = np.empty((self.n_agents, self.bid_values.size))
        kernels.win_probabilities(L, E, self._opponents, self.ties == "random", self._nodes, self._sw, win)
        return [self._utility(a, win[a], None, None, None, None) for a in range(self.n_agents)]

    def _utilities_one_class(self, sigma):
        """All bidders identical, risk neutral, first price or all pay: the fewest array operations."""
        p = self.type_weights[0] @ sigma
        c = np.cumsum(p)
        off = self._off
        E = p[off:]
        L = c[off:] - E
        k = self._n_others
        if self.ties == "lose":
            win = L if k == 1 else L ** k
        elif k == 1:
            win = L + 0.5 * E
        else:
            win = self._sw @ (L + self._s * E) ** k
        if self.format == "first_price":
            U = win * self._gap[0]
            if self._fee:
                U -= self._fee
        else:
            U = self._v[0] * win - self._cost
        if self.abstain:
            out = self._full
            out[:, 1:] = U
            return [out.copy()]
        return [U]

    def _utility(self, a, win, strict, upto, pmf, cnt):
        b = self.bid_values
        fee, rho, fmt = self._fee, self._rho, self.format
        if fmt == "second_price":
            h0 = float(np.prod([pmf[c][0] ** cnt[c] for c in np.flatnonzero(cnt)])) if self.abstain else 0.0
            tie = win - strict
            step = upto - strict                        # P(highest opposing bid = b_l)
        if rho is None:
            if fmt == "first_price":
                U = win * self._gap[a]
                if fee:
                    U = U - fee
            elif fmt == "all_pay":
                U = self._v[a] * win - (b + fee)
            else:
                pay = h0 * self.auction.reserve + _exclusive_cumsum(step * b) + tie * b
                U = self._v[a] * win - (pay + fee)
        else:
            Uw = self._u_win[a]
            if fmt == "first_price":
                U = win * Uw + (1.0 - win) * self._u_out
            elif fmt == "all_pay":
                U = win * Uw + (1.0 - win) * self._u_lose_ap
            else:
                U = (h0 * self._u_reserve[a][:, None] + _exclusive_cumsum(step * Uw, axis=1)
                     + tie * Uw + (1.0 - win) * self._u_out)
        if self.abstain:
            full = np.zeros((U.shape[0], U.shape[1] + 1))
            full[:, 1:] = U
            return full
        return U


def _load_kernels():
    try:
        from mechdesign.auctions import grid_kernels
    except Exception:  # noqa: BLE001 - numba missing or broken: the numpy path stays
        return None
    return grid_kernels


def _same_spec(a, b) -> bool:
    if isinstance(a, (int, np.integer)) or isinstance(b, (int, np.integer)):
        return isinstance(a, (int, np.integer)) and isinstance(b, (int, np.integer)) and int(a) == int(b)
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all(a == b))
