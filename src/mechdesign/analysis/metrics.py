"""Expected-value metrics of direct mechanisms (names as in ``docs/conventions.md``).

``welfare`` = E[Σ_i u_i(x, θ)]; ``revenue`` = −E[Σ_i m_i] (what the designer
collects); ``surplus`` = welfare − revenue. Expectations are under the
environment's prior with truthful reports.

The expected metrics also take a Bayesian game and a strategy profile,
``expected_revenue(game, strategies)``: they are then those of the direct
mechanism g∘σ the profile induces (:meth:`BayesianGame.induced_mechanism`),
the same numbers as ``expected_revenue(revelation(game, strategies).mechanism)``
without the equilibrium check.

Every metric except :func:`budget_surplus` (which returns a profile-sized
array) reads the mechanism block by block and takes the execution keywords
``chunk_size``, ``memory_limit``, ``backend``, ``scheduler`` and ``progress``
(see :mod:`mechdesign.compute.backends`); results do not depend on them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.analysis.passes import interim_pass, profile_pass
from mechdesign.analysis.properties import _check_mechanism
from mechdesign.compute.backends import compute_options
from mechdesign.mechanisms.direct import DirectMechanism


def _direct(mech: Any, strategies: Any) -> Any:
    """``mech`` itself, or the direct mechanism a game's strategy profile induces."""
    if strategies is None:
        return mech
    induce = getattr(mech, "induced_mechanism", None)
    if induce is None:
        raise v.fail("mech", "a BayesianGame built from a mechanism when strategies are given",
                     type(mech).__name__)
    return induce(strategies)


def _expectations(mech: DirectMechanism, compute: dict[str, Any]) -> np.ndarray:
    """E[u_i + m_i] per player, then E[Σ_i u_i], then E[Σ_i m_i]."""
    mech = _check_mechanism(mech)
    return profile_pass(mech, compute_options(**compute), {"expectations"}).expectations


def expected_welfare(mech: DirectMechanism, strategies: Any = None, **compute: Any) -> float:
    """E[Σ_i u_i(x(θ), θ)] under the prior (money excluded: it only moves between parties).

    Parameters
    ----------
    mech : DirectMechanism or BayesianGame
        A direct mechanism (truthful reports), or a game built with
        :meth:`BayesianGame.from_mechanism` when ``strategies`` is given.
    strategies : list of array_like, optional
        A strategy profile σ of the game (e.g. an equilibrium's
        ``.strategies``): the metric is then that of the direct mechanism g∘σ.
    **compute
        ``chunk_size``, ``memory_limit``, ``backend``, ``scheduler``,
        ``progress`` (they never change the result).
    """
    mech = _direct(mech, strategies)
    return float(_expectations(mech, compute)[-2])


def budget_surplus(mech: DirectMechanism) -> np.ndarray:
    """Σ_i m_i(θ) at every profile, shape ``(k_1, ..., k_N)``: positive = the designer pays out."""
    mech = _check_mechanism(mech)
    return mech.transfers.sum(axis=-1)


def expected_revenue(mech: DirectMechanism, strategies: Any = None, **compute: Any) -> float:
    """−E[Σ_i m_i(θ)]: the designer's expected revenue (negative = expected deficit).

    Money the designer receives from the players in expectation (``m_i`` is money player i
    receives). The continuous auctions use the same convention: ``Auction.expected_revenue()``
    (payments plus entry fees) and ``MyersonAuction.expected_revenue``.

    Parameters
    ----------
    mech : DirectMechanism or BayesianGame
        A direct mechanism (truthful reports), or a game built with
        :meth:`BayesianGame.from_mechanism` when ``strategies`` is given.
    strategies : list of array_like, optional
        A strategy profile σ of the game (e.g. an equilibrium's
        ``.strategies``): the metric is then that of the direct mechanism g∘σ.
    **compute
        ``chunk_size``, ``memory_limit``, ``backend``, ``scheduler``,
        ``progress`` (they never change the result).
    """
    mech = _direct(mech, strategies)
    return 0.0 - float(_expectations(mech, compute)[-1])   # 0.0 - x: no -0.0


def expected_deficit(mech: DirectMechanism, strategies: Any = None, **compute: Any) -> float:
    """E[Σ_i m_i(θ)] = −revenue: the designer's expected subsidy.

    Parameters
    ----------
    mech : DirectMechanism or BayesianGame
        A direct mechanism (truthful reports), or a game built with
        :meth:`BayesianGame.from_mechanism` when ``strategies`` is given.
    strategies : list of array_like, optional
        A strategy profile σ of the game (e.g. an equilibrium's
        ``.strategies``): the metric is then that of the direct mechanism g∘σ.
    **compute
        ``chunk_size``, ``memory_limit``, ``backend``, ``scheduler``,
        ``progress`` (they never change the result).
    """
    mech = _direct(mech, strategies)
    return float(_expectations(mech, compute)[-1])


def worst_case_deficit(mech: DirectMechanism, **compute: Any) -> float:
    """max_θ Σ_i m_i(θ): the largest subsidy the designer may have to pay at one profile."""
    mech = _check_mechanism(mech)
    return profile_pass(mech, compute_options(**compute), {"budget"}).budget_weak[0]


def expected_surplus(mech: DirectMechanism, strategies: Any = None, **compute: Any) -> float:
    """Players' total expected utility E[Σ_i (u_i + m_i)] = welfare − revenue.

    Parameters
    ----------
    mech : DirectMechanism or BayesianGame
        A direct mechanism (truthful reports), or a game built with
        :meth:`BayesianGame.from_mechanism` when ``strategies`` is given.
    strategies : list of array_like, optional
        A strategy profile σ of the game (e.g. an equilibrium's
        ``.strategies``): the metric is then that of the direct mechanism g∘σ.
    **compute
        ``chunk_size``, ``memory_limit``, ``backend``, ``scheduler``,
        ``progress`` (they never change the result).
    """
    mech = _direct(mech, strategies)
    mech = _check_mechanism(mech)
    values = _expectations(mech, compute)[:mech.env.n_players]
    total = 0.0
    for value in values:
        total += float(value)
    return total


def expected_utilities(mech: DirectMechanism, strategies: Any = None, **compute: Any) -> list[np.ndarray]:
    """Interim expected utility of truth-telling, one array ``(k_i,)`` per player.

    Entry t is E[u_i + m_i | θ_i = t] under the conditional belief; NaN for a
    type of probability zero under a joint prior (its belief is undefined).
    With ``(game, strategies)``: the interim utilities of the types playing σ.
    """
    mech = _direct(mech, strategies)
    mech = _check_mechanism(mech)
    tables, _ = interim_pass(mech, compute_options(**compute), diagonal=True, units="raw")
    env = mech.env
    out = []
    for i, table in enumerate(tables):
        values = np.diag(table).copy() if table.ndim == 2 else table
        if not env.prior.is_independent:
            values = np.where(env.prior.marginal(i) > 0, values, np.nan)
        out.append(values)
    return out
