"""Arrays shared by the equilibrium solvers: the two-player restriction to active types, interim
payoffs against batches of pure profiles, and the numbering of pure strategies.

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


def batch_interim(game: BayesianGame, i: int, pure: list[np.ndarray | None], joint: np.ndarray) -> np.ndarray:
    """Conditional interim payoffs ``U[b, t, a]`` of player ``i`` against a batch of pure profiles.

    ``pure[j]`` (j ≠ i) is an integer array ``(B, k_j)``: the b-th profile's
    strategy of player j. Rows of types with probability zero are zero.
    Payoffs are :meth:`BayesianGame.incentive_payoffs` (offsets removed; only
    differences between actions are meaningful).
    """
    n = game.n_players
    payoff = np.moveaxis(game.incentive_payoffs()[..., i], n + i, -1)      # (k..., A_-i..., A_i)
    batch = next((p.shape[0] for j, p in enumerate(pure) if j != i), 1)      # 1 for a one-player game
    index: list[np.ndarray] = []
    for j, k in enumerate(game.n_types):
        shape = [1] * (n + 1)
        shape[j + 1] = k
        index.append(np.arange(k).reshape(shape))
    for j, k in enumerate(game.n_types):
        if j != i:
            shape = [1] * (n + 1)
            shape[0], shape[j + 1] = batch, k
            index.append(np.asarray(pure[j]).reshape(shape))
    values = payoff[tuple(index)]                                              # (B, k..., A_i)
    out_axes = [0, i + 1, n + 1]
    weighted = np.einsum(values, [0, *range(1, n + 2)], joint, list(range(1, n + 1)), out_axes, optimize=True)
    mass = np.asarray(game.prior.marginal(i))
    return weighted / np.where(mass > 0, mass, 1.0)[None, :, None]


def decode_pure(codes: np.ndarray, k: int, m: int) -> np.ndarray:
    """Pure strategies numbered 0..m^k−1 (type 0 most significant) → ``(B, k)`` actions."""
    out = np.empty((codes.size, k), dtype=np.intp)
    rest = codes.copy()
    for t in range(k - 1, -1, -1):
        out[:, t] = rest % m
        rest //= m
    return out
