"""Sealed-bid single-item auctions with independent private values.

``FirstPrice``, ``SecondPrice`` and ``AllPay`` share one base class. A bidder who bids
at least the reserve participates and pays the entry fee; a bid below the reserve (or
``nan``) means staying out, which costs nothing. Without a reserve, the reserve is the
lowest value in any bidder's support. The highest bid wins (ties have probability
zero in the continuous models handled here).
"""

from __future__ import annotations

import abc
import math
from typing import ClassVar, Sequence

import numpy as np

from mechdesign.auctions._engine import Opponents
from mechdesign.auctions.distributions import value_distributions
from mechdesign.auctions.risk import check_risk_aversion, crra
from mechdesign.errors import SpecError

__all__ = ["Auction", "FirstPrice", "SecondPrice", "AllPay"]

_CANDIDATES = 1024
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
_GOLDEN_STEPS = 60
_CHUNK = 256


class Auction(abc.ABC):
    """Base class of the sealed-bid formats (not instantiated directly).

    Parameters
    ----------
    distributions : sequence of distributions
        One value distribution per bidder: frozen ``scipy.stats`` continuous
        distributions with bounded support, or :class:`ValueDistribution` (e.g. from
        :func:`truncate`). ``[dist] * n`` gives ``n`` identical bidders.
    reserve : float, optional
        Minimum admissible bid; must lie in the hull of the supports.
    entry_fee : float, default 0
        Paid by every participating bidder; must be non-negative.
    labels : sequence of str, optional
        Bidder names (default ``"bidder 1"``, ...).
    risk_aversion : float, optional
        CRRA coefficient ``rho`` in ``(0, 1]``: every bidder values a money gain ``x`` by
        ``u(x) = x**rho`` (losses by ``-(-x)**rho``; see :mod:`mechdesign.auctions.risk`).
        Default: risk neutral.
    """

    format: ClassVar[str] = ""
    title: ClassVar[str] = ""
    #: Which computations apply: order statistics of the bids (``"single_item"``); rule-defined
    #: mechanisms (:class:`~mechdesign.auctions.RuleMechanism`) are ``"rule"``.
    family: ClassVar[str] = "single_item"

    def __init__(self, distributions: Sequence, reserve: float | None = None,
                 entry_fee: float = 0.0, labels: Sequence[str] | None = None, risk_aversion=None):
        self.distributions = value_distributions(distributions)
        self.n_bidders = len(self.distributions)
        lo = min(d.low for d in self.distributions)
        hi = max(d.high for d in self.distributions)
        if reserve is None:
            self.reserve = lo
            self.has_reserve = False
        else:
            r = _as_float(reserve, "reserve")
            if not lo <= r <= hi:
                raise SpecError(f"reserve: must lie in the support [{lo:g}, {hi:g}] (got {r:g})")
            self.reserve = r
            self.has_reserve = True
        fee = _as_float(entry_fee, "entry_fee")
        if fee < 0:
            raise SpecError(f"entry_fee: must be non-negative (got {fee:g})")
        self.entry_fee = fee
        if labels is None:
            labels = [f"bidder {i + 1}" for i in range(self.n_bidders)]
        labels = [str(x) for x in labels]
        if len(labels) != self.n_bidders:
            raise SpecError(
                f"labels: expected {self.n_bidders} names, one per bidder (got {len(labels)})"
            )
        self.labels = tuple(labels)
        self.risk_aversion = check_risk_aversion(risk_aversion)

    @classmethod
    def symmetric(cls, distribution, n_bidders: int, **kwargs):
        """``n_bidders`` bidders with the same value distribution."""
        if isinstance(n_bidders, bool) or not isinstance(n_bidders, (int, np.integer)) or n_bidders < 1:
            raise SpecError(f"n_bidders: must be an integer >= 1 (got {n_bidders!r})")
        return cls([distribution] * int(n_bidders), **kwargs)

    # --- description ------------------------------------------------------
    @property
    def is_symmetric(self) -> bool:
        """True when all bidders have the same value distribution."""
        d0 = self.distributions[0]
        return all(d0.same_law(d) for d in self.distributions[1:])

    def __repr__(self) -> str:
        extras = []
        if self.has_reserve:
            extras.append(f"reserve={self.reserve:g}")
        if self.entry_fee:
            extras.append(f"entry_fee={self.entry_fee:g}")
        if self.risk_aversion is not None:
            extras.append(f"risk_aversion={self.risk_aversion:g}")
        dists = ", ".join(d.name for d in self.distributions)
        return f"{type(self).__name__}([{dists}]{''.join(', ' + e for e in extras)})"

    def to_dict(self) -> dict:
        """JSON-ready description."""
        return {
            "format": self.format,
            "bidders": [dict(label=lab, **d.to_dict()) for lab, d in zip(self.labels, self.distributions)],
            "reserve": self.reserve if self.has_reserve else None,
            "entry_fee": self.entry_fee,
            "risk_aversion": self.risk_aversion,
        }

    # --- strategies -------------------------------------------------------
    def check_strategies(self, strategies) -> list:
        """Validate a strategy profile: one vectorised callable per bidder (or one for all)."""
        from mechdesign.auctions._engine import check_strategy_profile

        return check_strategy_profile(strategies, self.distributions, noun="value")

    def equilibrium(self, method: str = "auto", certify: bool = True, grid=None, options=None,
                    progress=None, **solver_options):
        """Bayes-Nash equilibrium bid functions.

        ``method="auto"`` (the default) uses the exact solvers where they apply: identical
        bidders get the exact symmetric equilibrium (quadrature of the integral formulas;
        with CRRA risk aversion ``rho`` in a first-price auction without entry fee, the
        risk-neutral formula with ``(n - 1) / rho`` opponents, Krishna §4.1); asymmetric
        first-price auctions are solved numerically by backward shooting
        (:func:`mechdesign.auctions.asymmetric.solve_first_price`); second-price auctions
        without entry fee by truthful bidding (a dominant strategy, also under risk
        aversion). ``method="learn"`` discretises the auction on a type x bid grid, learns
        an equilibrium of the finite game and certifies its bid functions on the continuum
        (:func:`mechdesign.auctions.learned.learn_equilibrium`); it handles every format,
        asymmetric bidders, reserves, entry fees and risk aversion.

        Parameters
        ----------
        method : {"auto", "learn"}
        certify : bool, default True
            Compute the utility loss of the result (:func:`utility_loss`) and store it.
        grid : int or (types, bids), optional
            ``method="learn"`` only: grid sizes (default 64 x 64) or explicit points.
        options : dict, optional
            ``method="learn"`` only: learning options (see ``learn_equilibrium``).
        progress : None, True or callable, optional
            ``method="learn"`` only: a progress bar (True) or ``progress(done, total)``.
        **solver_options
            Options of the asymmetric first-price solver (see ``solve_first_price``).

        Returns
        -------
        Equilibrium
            A tuple of :class:`BidFunction` (one per bidder) with ``method``,
            ``status``, ``options``, ``loss`` and ``diagnostics``.
        """
        if method == "learn":
            if solver_options:
                raise SpecError(
                    f"options: method='learn' takes its options as options={{...}} (got {sorted(solver_options)})"
                )
            from mechdesign.auctions.learned import learn_equilibrium

            return learn_equilibrium(self, grid=grid, options=options, progress=progress, certify=certify)
        if method != "auto":
            raise SpecError(f"method: expected 'auto' or 'learn' (got {method!r})")
        if grid is not None or options is not None or progress is not None:
            raise SpecError("grid, options, progress: only used with method='learn'")
        from mechdesign.auctions.equilibrium import solve

        return solve(self, certify=certify, **solver_options)

    def outcomes(self, strategies=None, n_nodes: int = 2048):
        """Exact expected outcomes (quadrature); equilibrium strategies by default."""
        from mechdesign.auctions.outcomes import outcomes

        return outcomes(self, strategies, n_nodes=n_nodes)

    def expected_revenue(self, strategies=None) -> float:
        """Expected revenue (payments plus entry fees); equilibrium strategies by default.

        The seller's expected receipts from the bidders: the convention of
        :func:`mechdesign.expected_revenue` (−E[Σ_i m_i] of the direct mechanism, e.g. of
        :meth:`discretize`) and of ``MyersonAuction.expected_revenue``.
        """
        return self.outcomes(strategies).revenue

    def discretize(self, n_types: int, strategies=None):
        """Finite environment and direct mechanism of this auction on ``n_types``
        equal-probability types per bidder (see :func:`mechdesign.auctions.discretize.discretize`).

        Returns ``(environment, mechanism)``; every audit of the finite core applies
        (e.g. ``md.check(mechanism)``)."""
        from mechdesign.auctions.discretize import discretize

        return discretize(self, n_types, strategies)

    # --- per-format interim quantities ------------------------------------
    @abc.abstractmethod
    def _pay(self, opp: Opponents, b, win):
        """Expected payment (without entry fee) of a participant bidding ``b``."""

    def utility(self, opp: Opponents, v, b):
        """Interim utility of a bidder with values ``v`` bidding ``b`` against ``opp``
        (expected CRRA utility of the money gain under risk aversion)."""
        v = np.asarray(v, dtype=float)
        b = np.asarray(b, dtype=float)
        part = b >= self.reserve
        bb = np.where(part, b, self.reserve)
        win = opp.win(bb)
        if self.risk_aversion is None:
            u = v * win - self._pay(opp, bb, win) - self.entry_fee
        else:
            u = self._risk_utility(opp, v, bb, win)
        return np.where(part, u, 0.0)

    def _risk_utility(self, opp: Opponents, v, b, win):
        """Expected CRRA utility of a participant bidding ``b`` (win probability ``win``)."""
        raise NotImplementedError  # pragma: no cover - every format defines it

    def interim(self, opp: Opponents, b):
        """``(participates, win probability, expected payment incl. fee)`` for bids ``b``."""
        b = np.asarray(b, dtype=float)
        part = b >= self.reserve
        bb = np.where(part, b, self.reserve)
        win = opp.win(bb)
        pay = self._pay(opp, bb, win) + self.entry_fee
        return part, np.where(part, win, 0.0), np.where(part, pay, 0.0)

    def best_response_utility(self, opp: Opponents, v):
        """Best-response interim utility (≥ 0, staying out is allowed) for values ``v``."""
        v = np.asarray(v, dtype=float)
        r = self.reserve
        top = max(opp.top, r)
        if top <= r:
            return np.maximum(self.utility(opp, v, np.full_like(v, r)), 0.0)
        cands = np.linspace(r, top, _CANDIDATES)
        w_c = opp.win(cands)
        pay_c = self._pay(opp, cands, w_c) + self.entry_fee
        best = np.empty_like(v)
        lo = np.empty_like(v)
        hi = np.empty_like(v)
        for s in range(0, v.size, _CHUNK):
            vs = v[s:s + _CHUNK]
            if self.risk_aversion is None:
                U = vs[:, None] * w_c[None, :] - pay_c[None, :]
            else:
                U = self._risk_utility(opp, vs[:, None], cands[None, :], w_c[None, :])
            k = np.argmax(U, axis=1)
            best[s:s + _CHUNK] = U[np.arange(vs.size), k]
            lo[s:s + _CHUNK] = cands[np.maximum(k - 1, 0)]
            hi[s:s + _CHUNK] = cands[np.minimum(k + 1, cands.size - 1)]
        for _ in range(_GOLDEN_STEPS):  # vectorised golden-section refinement
            x1 = hi - _GOLDEN * (hi - lo)
            x2 = lo + _GOLDEN * (hi - lo)
            f1 = self.utility(opp, v, x1)
            f2 = self.utility(opp, v, x2)
            left = f1 >= f2
            hi = np.where(left, x2, hi)
            lo = np.where(left, lo, x1)
        best = np.maximum(best, self.utility(opp, v, (lo + hi) / 2))
        return np.maximum(best, 0.0)


class FirstPrice(Auction):
    """First-price sealed-bid auction: the highest bidder wins and pays her bid.

    Examples
    --------
    >>> from scipy import stats
    >>> import mechdesign as md
    >>> a = md.auctions.FirstPrice([stats.uniform(0, 1)] * 3)
    >>> b = a.equilibrium()[0]
    >>> round(float(b(0.9)), 6)
    0.6
    """

    format = "first_price"
    title = "first-price"

    def _pay(self, opp, b, win):
        return b * win

    def _risk_utility(self, opp, v, b, win):
        rho, e = self.risk_aversion, self.entry_fee
        return win * crra(v - b - e, rho) + (1.0 - win) * crra(-e, rho)


class SecondPrice(Auction):
    """Second-price sealed-bid auction: the winner pays max(second-highest bid, reserve)."""

    format = "second_price"
    title = "second-price"

    def _pay(self, opp, b, win):
        return b * win - opp.integral(b)

    def _risk_utility(self, opp, v, b, win):
        # E[u(v - max(Y, r) - e); Y < b] + (1 - W(b)) u(-e), Y the highest opposing bid
        # (law W = opp.win): a midpoint Stieltjes sum over the opponents' bid grid
        rho, e, r = self.risk_aversion, self.entry_fee, self.reserve
        v, b = np.broadcast_arrays(np.asarray(v, dtype=float), np.asarray(b, dtype=float))
        fine = opp.grid if opp.grid.size > 1 else np.array([r, max(r, opp.top) + 1.0])
        H = opp.win(fine)
        flat_v, flat_b = v.ravel(), b.ravel()
        out = np.empty(flat_v.size)
        chunk = 32
        for s in range(0, flat_v.size, chunk):
            vs, bs = flat_v[s:s + chunk], flat_b[s:s + chunk]
            # the part of each segment [fine_g, fine_g+1] below b: its mass and midpoint
            upper = np.minimum(bs[:, None], fine[None, 1:])
            inside = upper > fine[None, :-1]
            mass = np.where(inside, opp.win(np.where(inside, upper, fine[None, :-1])) - H[None, :-1], 0.0)
            mid = np.where(inside, (fine[None, :-1] + upper) / 2, r)
            gain = (mass * crra(vs[:, None] - np.maximum(mid, r) - e, rho)).sum(axis=1)
            gain += H[0] * crra(vs - r - e, rho)
            out[s:s + chunk] = gain + (1.0 - opp.win(bs)) * crra(-e, rho)
        return out.reshape(v.shape)

    def best_response_utility(self, opp, v):
        # bidding one's value is a dominant strategy among participants
        return np.maximum(self.utility(opp, v, v), 0.0)


class AllPay(Auction):
    """All-pay auction: every participant pays her bid, the highest bid wins."""

    format = "all_pay"
    title = "all-pay"

    def _pay(self, opp, b, win):
        return b

    def _risk_utility(self, opp, v, b, win):
        rho, e = self.risk_aversion, self.entry_fee
        return win * crra(v - b - e, rho) + (1.0 - win) * crra(-b - e, rho)


def _as_float(x, name: str) -> float:
    try:
        val = float(x)
    except (TypeError, ValueError):
        raise SpecError(f"{name}: expected a number (got {x!r})") from None
    if not math.isfinite(val):
        raise SpecError(f"{name}: expected a finite number (got {val})")
    return val
