"""Bridge to the finite core: an auction on quantile-binned types as a DirectMechanism.

Each bidder's value distribution is split into ``n_types`` bins of equal probability;
type ``k`` is the conditional mean value of bin ``k`` (prior ``1/n_types`` each). The
direct mechanism is the auction played with the given bid functions (by default
the equilibrium): reported types are mapped to bids, the highest admissible bid wins
(ties split uniformly), and payments follow the format. Alternatives are the bidders
(who gets the item) and ``"none"``, as in :func:`mechdesign.examples.single_item_auction`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mechdesign.auctions._engine import evaluate_strategy
from mechdesign.auctions._quadrature import gauss_legendre
from mechdesign.errors import SpecError

__all__ = ["DiscreteAuction", "discretize"]


class DiscreteAuction(NamedTuple):
    """``(environment, mechanism)``: unpack as ``env, mech = auction.discretize(k)``."""

    environment: object
    mechanism: object


def _bin_means(dist, k: int) -> np.ndarray:
    t, w = gauss_legendre(0.0, 1.0, 64)
    edges = np.arange(k + 1) / k
    q = edges[:-1, None] + (edges[1:] - edges[:-1])[:, None] * t[None, :]
    return dist.ppf(q) @ w


def discretize(auction, n_types: int, strategies=None) -> DiscreteAuction:
    """Finite single-item environment and the direct mechanism of ``auction``.

    Parameters
    ----------
    auction : Auction
    n_types : int
        Types per bidder (equal-probability quantile bins, >= 1).
    strategies : sequence of callables, optional
        Bid functions; default: the auction's equilibrium.

    Returns
    -------
    DiscreteAuction
        ``(environment, mechanism)`` with ``md.Environment`` and ``md.DirectMechanism``.
    """
    from mechdesign.mechanisms.direct import DirectMechanism
    from mechdesign.model.environment import Environment
    from mechdesign.model.prior import IndependentPrior

    if isinstance(n_types, bool) or not isinstance(n_types, (int, np.integer)) or n_types < 1:
        raise SpecError(f"n_types: expected an integer >= 1 (got {n_types!r})")
    k = int(n_types)
    if strategies is None:
        strategies = list(auction.equilibrium(certify=False))
    else:
        strategies = auction.check_strategies(strategies)
    N = auction.n_bidders
    values = [_bin_means(d, k) for d in auction.distributions]
    bids = [evaluate_strategy(s, v, i) for i, (s, v) in enumerate(zip(strategies, values))]
    valuations = []
    for i in range(N):
        u = np.zeros((k, N + 1))
        u[:, i] = values[i]
        valuations.append(u)
    env = Environment(list(auction.labels), [*auction.labels, "none"], [v.tolist() for v in values],
                      IndependentPrior([np.full(k, 1.0 / k)] * N), valuations)
    grids = np.meshgrid(*bids, indexing="ij")
    B = np.stack(grids, axis=-1)                                  # (k, ..., k, N) bids
    part = B >= auction.reserve
    eff = np.where(part, B, -np.inf)
    top = eff.max(axis=-1, keepdims=True)
    winners = (eff == top) & part
    share = winners / np.maximum(winners.sum(axis=-1, keepdims=True), 1)
    sold = winners.any(axis=-1)
    decision = np.concatenate([share, (~sold)[..., None].astype(float)], axis=-1)
    fee = auction.entry_fee * part
    if auction.format == "all_pay":
        pay = np.where(part, B, 0.0) + fee
    elif auction.format == "first_price":
        pay = share * np.where(part, B, 0.0) + fee
    else:
        # second highest admissible bid: the top bid again if it is tied
        srt = np.sort(eff, axis=-1)
        second = srt[..., -2] if N > 1 else np.full(srt.shape[:-1], -np.inf)
        price = np.maximum(second, auction.reserve)
        pay = share * price[..., None] + fee
    mech = DirectMechanism(env, decision, -pay, name=f"discretised {auction.title} auction")
    return DiscreteAuction(env, mech)
