"""Arrays shared by the equilibrium solvers: the two-player restriction to active types.

Below every solver module and below the dispatcher (:mod:`mechdesign.games.equilibrium`);
it imports nothing from them.
"""

from __future__ import annotations

import numpy as np

from mechdesign.games.bayesian import BayesianGame


def two_player_arrays(game: BayesianGame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
    """Payoffs ``(k_1', k_2', m_1, m_2)`` and beliefs restricted to types of positive probability."""
    prior = game.prior
    marginals = [np.asarray(prior.marginal(i)) for i in range(2)]
    active = [np.flatnonzero(m > 0) for m in marginals]
    payoffs = game.payoffs
    if prior.is_independent:                   # every type's belief is the other's marginal (no copies)
        belief_1 = np.broadcast_to(marginals[1], (marginals[0].size, marginals[1].size))
        belief_2 = np.broadcast_to(marginals[0], (marginals[1].size, marginals[0].size))
    else:
        belief_1 = np.asarray(prior.belief_matrix(0))
        belief_2 = np.asarray(prior.belief_matrix(1))
    if active[0].size < game.n_types[0] or active[1].size < game.n_types[1]:
        payoffs = payoffs[np.ix_(active[0], active[1])]
        belief_1 = belief_1[np.ix_(active[0], active[1])]
        belief_2 = belief_2[np.ix_(active[1], active[0])]
    return payoffs[..., 0], payoffs[..., 1], belief_1, belief_2, active


def embed(game: BayesianGame, active: list[np.ndarray], parts: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, ...]:
    """Full mixed strategies from those of the active types (types of probability zero play action 0)."""
    out = []
    for i, part in enumerate(parts):
        full = np.zeros((game.n_types[i], game.n_actions[i]))
        full[:, 0] = 1.0
        full[active[i]] = part
        out.append(full)
    return tuple(out)
