"""Support enumeration on the agent form of a 2-player Bayesian game (method ``"enum"``).

Each player-type (agent) of positive probability chooses a support, a
non-empty set of actions. For a pair of support profiles (S_1, S_2) with
Σ|S_1| − k_1 = Σ|S_2| − k_2 the indifference equations — every action in an
agent's support earns that agent's value, the other player's blocks sum to 1 —
form a square linear system for each player's strategy. A solution that is
non-negative and against which no action outside the supports does better is
an equilibrium. In a nondegenerate game every equilibrium has such supports,
so the enumeration lists all of them (the classical method for bimatrix
games, e.g. Nisan et al., *Algorithmic Game Theory*, §3.3, applied agent by
agent). Degenerate games may have equilibria this misses; use ``"lcp"`` or
``"gambit"`` there.
"""

from __future__ import annotations

import itertools

import numpy as np

from mechdesign.errors import SolverError
from mechdesign.games.bayesian import BayesianGame
from mechdesign.games.interim import embed, two_player_arrays


def _supports(m: int) -> list[tuple[int, ...]]:
    return [s for size in range(1, m + 1) for s in itertools.combinations(range(m), size)]


def _profiles(k: int, m: int) -> dict[int, list[tuple[tuple[int, ...], ...]]]:
    """Support profiles of a player with k active types, grouped by Σ|S_t| − k."""
    groups: dict[int, list[tuple[tuple[int, ...], ...]]] = {}
    for profile in itertools.product(_supports(m), repeat=k):
        groups.setdefault(sum(len(s) for s in profile) - k, []).append(profile)
    return groups


def _strategy(interim: np.ndarray, own: tuple[tuple[int, ...], ...], other: tuple[tuple[int, ...], ...],
              tol: float) -> np.ndarray | None:
    """The other player's strategy on ``other`` making each own agent indifferent on ``own``.

    ``interim[t, a, s, b]``: own type t's conditional payoff of a when the
    other's type s plays b, weighted by the belief. Returns ``(k_other, m_other)``
    or None (singular system, negative probability, or a profitable action
    outside the own supports).
    """
    k, m, k_other, m_other = interim.shape
    cols = [(s, b) for s, sup in enumerate(other) for b in sup]
    rows = [(t, a) for t, sup in enumerate(own) for a in sup]
    n_var = len(cols) + k
    A = np.zeros((n_var, n_var))
    rhs = np.zeros(n_var)
    col_s = np.array([s for s, _ in cols])
    col_b = np.array([b for _, b in cols])
    for r, (t, a) in enumerate(rows):
        A[r, :len(cols)] = interim[t, a, col_s, col_b]
        A[r, len(cols) + t] = -1.0
    for s in range(k_other):
        A[len(rows) + s, :len(cols)] = col_s == s
        rhs[len(rows) + s] = 1.0
    try:
        solution = np.linalg.solve(A, rhs)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(solution)) or np.any(solution[:len(cols)] < -tol):
        return None
    out = np.zeros((k_other, m_other))
    out[col_s, col_b] = np.clip(solution[:len(cols)], 0.0, None)
    values = solution[len(cols):]
    payoff = np.einsum("tasb,sb->ta", interim, out)
    if np.any(payoff > values[:, None] + tol):
        return None
    return out


def enumerate_equilibria(game: BayesianGame, max_pairs: int, tol: float) -> tuple[list[tuple[np.ndarray, ...]], str]:
    """All equilibria found by support enumeration (candidates; the caller verifies them)."""
    u1, u2, b1, b2, active = two_player_arrays(game)
    k1, k2, m1, m2 = u1.shape
    interim_1 = (b1[:, :, None, None] * u1).transpose(0, 2, 1, 3)                 # (t, a, s, b)
    interim_2 = (b2.T[:, :, None, None] * u2).transpose(1, 3, 0, 2)               # (s, b, t, a)
    groups_1, groups_2 = _profiles(k1, m1), _profiles(k2, m2)
    pairs = sum(len(g) * len(groups_2.get(d, ())) for d, g in groups_1.items())
    if pairs > max_pairs:
        raise SolverError(f"options['max_pairs']: support enumeration would try {pairs} support pairs (more than "
                          f"max_pairs = {max_pairs}); raise the bound or use method='lcp' or 'gambit'")
    found = []
    for d, profiles_1 in groups_1.items():
        for s1 in profiles_1:
            for s2 in groups_2.get(d, ()):
                y = _strategy(interim_1, s1, s2, tol)
                if y is None:
                    continue
                x = _strategy(interim_2, s2, s1, tol)
                if x is None:
                    continue
                found.append(embed(game, active, (x, y)))
    return found, f"support enumeration over {pairs} support pairs: {len(found)} candidate(s)"
