"""Expected-value metrics of direct mechanisms (DESIGN.md §1 names).

``welfare`` = E[Σ_i u_i(x, θ)]; ``revenue`` = −E[Σ_i m_i] (what the designer
collects); ``surplus`` = welfare − revenue. Expectations are under the
environment's prior with truthful reports.
"""

from __future__ import annotations

import numpy as np

from mechdesign.analysis.properties import _check_mechanism
from mechdesign.mechanisms.direct import DirectMechanism


def expected_welfare(mech: DirectMechanism) -> float:
    """E[Σ_i u_i(x(θ), θ)] under the prior (money excluded: it only moves between parties)."""
    mech = _check_mechanism(mech)
    total = sum(mech.expected_valuation(i) for i in range(mech.env.n_players))
    return float(mech.env.prior.expect(total))


def budget_surplus(mech: DirectMechanism) -> np.ndarray:
    """Σ_i m_i(θ) at every profile, shape ``(k_1, ..., k_N)``: positive = the designer pays out."""
    mech = _check_mechanism(mech)
    return mech.transfers.sum(axis=-1)


def expected_revenue(mech: DirectMechanism) -> float:
    """−E[Σ_i m_i(θ)]: the designer's expected revenue (negative = expected deficit)."""
    return 0.0 - float(_check_mechanism(mech).env.prior.expect(budget_surplus(mech)))   # 0.0 - x: no -0.0


def expected_deficit(mech: DirectMechanism) -> float:
    """E[Σ_i m_i(θ)] = −revenue: the designer's expected subsidy."""
    return -expected_revenue(mech)


def worst_case_deficit(mech: DirectMechanism) -> float:
    """max_θ Σ_i m_i(θ): the largest subsidy the designer may have to pay at one profile."""
    return float(budget_surplus(mech).max())


def expected_surplus(mech: DirectMechanism) -> float:
    """Players' total expected utility E[Σ_i (u_i + m_i)] = welfare − revenue."""
    mech = _check_mechanism(mech)
    return float(mech.env.prior.expect(mech.ex_post_utilities().sum(axis=-1)))


def expected_utilities(mech: DirectMechanism) -> list[np.ndarray]:
    """Interim expected utility of truth-telling, one array ``(k_i,)`` per player.

    Entry t is E[u_i + m_i | θ_i = t] under the conditional belief; NaN for a
    type of probability zero under a joint prior (its belief is undefined).
    """
    mech = _check_mechanism(mech)
    env = mech.env
    utilities = mech.ex_post_utilities()
    out = []
    for i in range(env.n_players):
        rows = np.moveaxis(utilities[..., i], i, 0).reshape(env.n_types[i], -1)
        values = (env.prior.belief_matrix(i) * rows).sum(axis=1)
        if not env.prior.is_independent:
            values = np.where(env.prior.marginal(i) > 0, values, np.nan)
        out.append(values)
    return out
