"""Utility loss: how much each bidder gains by best-responding to the others."""

from __future__ import annotations

import numpy as np
from scipy import stats

from mechdesign.auctions._engine import DEFAULT_NODES, BidLaw, evaluate_strategy, opponents_of
from mechdesign.auctions._quadrature import quantile_rule
from mechdesign.auctions._arrays import readonly as _readonly
from mechdesign.auctions.results import UtilityLoss
from mechdesign.auctions.rule_interim import rule_utility_loss
from mechdesign.errors import SpecError

__all__ = ["UtilityLoss", "utility_loss"]

_METHODS = ("quadrature", "monte_carlo")



def utility_loss(auction, strategies, grid: int = 2048, method: str = "quadrature",
                 n_samples: int = 200_000, seed=None, confidence: float = 0.95) -> UtilityLoss:
    """Utility loss of a strategy profile: each bidder's gain from best-responding.

    For bidder ``i`` with value ``v`` the best response maximises the interim utility
    against the others' bid laws over all admissible bids and staying out (grid search
    over 1024 candidate bids, refined by golden-section search); in a second-price
    auction bidding one's value is used (a dominant strategy, also under risk aversion).
    Risk-averse bidders (``risk_aversion``) are measured in their CRRA utility.
    Rule-defined mechanisms (:class:`~mechdesign.auctions.Custom`,
    :class:`~mechdesign.auctions.Contest`, :class:`~mechdesign.auctions.DoubleAuction`) are
    handled by :func:`mechdesign.auctions.rule_interim.rule_utility_loss` (``grid`` sets
    its quadrature; ``method="quadrature"`` only).

    Parameters
    ----------
    auction : Auction
    strategies : callable or sequence of callables
        Vectorised maps value array -> bid array (``nan`` or below-reserve = stay out).
    grid : int, default 2048
        Quadrature nodes per bidder (composite Gauss-Legendre in quantile space); the
        other bidders' bid laws are tabulated on 4097 quantiles.
    method : {"quadrature", "monte_carlo"}
        ``"monte_carlo"`` samples ``n_samples`` values per bidder (opponents' bid laws
        are the empirical ones) and reports a normal confidence interval.
    n_samples, seed, confidence
        Monte Carlo sample size, seed (int or Generator) and interval level.

    Returns
    -------
    UtilityLoss
    """
    if method not in _METHODS:
        raise SpecError(f"method: expected one of {list(_METHODS)} (got {method!r})")
    if getattr(auction, "family", None) == "rule":
        if method != "quadrature":
            raise SpecError(f"method: rule-defined mechanisms use method='quadrature' (got {method!r})")
        return rule_utility_loss(auction, strategies, grid=grid)
    strategies = auction.check_strategies(strategies)
    if int(grid) < 16:
        raise SpecError(f"grid: need at least 16 quadrature nodes (got {grid})")
    r = auction.reserve
    n = auction.n_bidders
    dists = auction.distributions
    absolute = np.zeros(n)
    util = np.zeros(n)
    br = np.zeros(n)
    if method == "quadrature":
        laws = [BidLaw.from_strategy(d, s, r, i, DEFAULT_NODES) for i, (d, s) in enumerate(zip(dists, strategies))]
        done = {}
        for i in range(n):
            key = _symmetry_key(auction, strategies, i)
            if key in done:
                util[i], br[i] = done[key]
                continue
            d = dists[i]
            breaks = [d.cdf(r)]
            cut = getattr(strategies[i], "cutoff", None)
            if cut is not None:
                breaks.append(d.cdf(cut))
            q, w = quantile_rule(int(grid), breaks)
            v = d.ppf(q)
            opp = opponents_of(i, laws, r)
            u_own = auction.utility(opp, v, evaluate_strategy(strategies[i], v, i))
            u_br = np.maximum(auction.best_response_utility(opp, v), u_own)
            util[i], br[i] = float(w @ u_own), float(w @ u_br)
            done[key] = (util[i], br[i])
        absolute = br - util
        ci = None
        options = {"grid": int(grid)}
    else:
        if int(n_samples) < 2:
            raise SpecError(f"n_samples: need at least 2 samples (got {n_samples})")
        rng = np.random.default_rng(seed)
        values = [d.rvs(int(n_samples), rng) for d in dists]
        bids = [evaluate_strategy(s, v, i) for i, (s, v) in enumerate(zip(strategies, values))]
        laws = [BidLaw.from_samples(b, r) for b in bids]
        z = stats.norm.ppf(0.5 + confidence / 2)
        ci = np.zeros((n, 2))
        for i in range(n):
            opp = opponents_of(i, laws, r)
            u_own = auction.utility(opp, values[i], bids[i])
            u_br = np.maximum(auction.best_response_utility(opp, values[i]), u_own)
            gain = u_br - u_own
            util[i], br[i], absolute[i] = u_own.mean(), u_br.mean(), gain.mean()
            half = z * gain.std(ddof=1) / np.sqrt(gain.size)
            ci[i] = (absolute[i] - half, absolute[i] + half)
        options = {"n_samples": int(n_samples), "seed": seed if isinstance(seed, int) else None,
                   "confidence": confidence}
    absolute = np.maximum(absolute, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(br > 0, absolute / br, 0.0)
    return UtilityLoss(_readonly(absolute), _readonly(relative), _readonly(util), _readonly(br),
                       method, options, None if ci is None else _readonly(ci))


def _symmetry_key(auction, strategies, i):
    """Bidders with the same law and the same strategy object face the same problem."""
    for j in range(i):
        same = strategies[j] is strategies[i] or (
            getattr(strategies[j], "_evaluate", None) is not None
            and getattr(strategies[j], "_evaluate", None) is getattr(strategies[i], "_evaluate", None)
        )
        if same and auction.distributions[j].same_law(auction.distributions[i]):
            return j
    return i
