"""Lemke's algorithm on the sequence-form LCP of a 2-player Bayesian (Harsanyi) game.

The Harsanyi game: chance draws θ = (θ_1, θ_2) from the prior, each player sees
her own type and moves once. Her sequences are the pairs (type, action), one
information set per type, so the sequence form has Σ_i k_i |A_i| variables and
the constraint matrix E has one row per type (the root sequence is eliminated:
each information set follows it directly). We never build the strategic form.

LCP (costs, so that every matrix entry is positive). For agent α = (i, t) and
sequences (t, a), (s, b) of the other player,

    C[(t, a), (s, b)] = P(s | t) (1 − û_i(t, s, a, b)) + 1,   C = 1 on same-player blocks,

with û_i the payoffs rescaled to [0, 1]. Scaling an agent's row by 1/P(t)
(conditional instead of joint probabilities) and adding a constant to every
entry of a row leave each agent's best responses unchanged once every block of
the strategy vector s sums to 1, so the LCP

    w = C s − Eᵀ p ≥ 0 ⊥ s ≥ 0,     v = E s − 1 ≥ 0 ⊥ p ≥ 0

characterises the Bayes–Nash equilibria (p_α is agent α's smallest cost; p_α > 0
forces its block to sum to 1). ``M = [[C, −Eᵀ], [E, 0]]`` has zᵀMz = sᵀCs, and C > 0
entrywise, so M is copositive-plus and the LCP is feasible: Lemke's algorithm
with covering vector 1 and lexicographic pivoting ends at a solution, never on
a secondary ray (Cottle, Pang & Stone, *The Linear Complementarity Problem*,
Thm 4.4.13, which holds for every covering vector d > 0; Miller & Zucker 1991
for polymatrix games, of which the agent form of a 2-player Bayesian game is one).

Tracing covering vector (van den Elzen & Talman 1991; von Stengel, van den Elzen
& Talman 2002). Given a starting profile s⁰ (a prior, every block summing to 1),
the covering vector ``d = (C s⁰, 1)`` turns the augmented system into

    w = C (s + z₀ s⁰) − Eᵀ p ≥ 0 ⊥ s,     v = E s − (1 − z₀) ≥ 0 ⊥ p,

so along the path each agent's block of s sums to 1 − z₀ and its support
best-responds to the mixture s + z₀ s⁰: the linear tracing procedure from s⁰
(z₀ = 1: everyone best-responds to s⁰; z₀ = 0: an equilibrium). d > 0 since
C > 0, so the theorem above still applies. The path is short when s⁰ is close
to an equilibrium; :func:`regret_matching_prior` supplies such a prior cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg.blas import dger
from threadpoolctl import threadpool_limits

#: Entries of a pivot column below this are treated as zero in the ratio test.
PIVOT_TOL = 1e-12
#: Relative size below which tableau entries count as rounding noise in ties.
ZERO_TOL = 1e-10


@dataclass(frozen=True)
class LemkeOutcome:
    """Raw outcome of :func:`lemke`: solution ``z`` (None if none), status and pivot count."""

    z: np.ndarray | None
    status: str
    pivots: int


def _lexmin(rows: np.ndarray, column: np.ndarray, rhs: np.ndarray, binv: np.ndarray) -> int:
    """Row (among ``rows``) with the lexicographically smallest (rhs, B⁻¹ row) / column entry.

    Entries below ``ZERO_TOL`` (relative to the largest) are rounding noise and
    count as zero, so that noise divided by a small pivot entry cannot decide a tie.
    """
    values = rhs[rows]
    values = np.where(np.abs(values) <= ZERO_TOL * max(1.0, float(np.abs(values).max())), 0.0, values)
    ratios = values / column[rows]
    best = ratios.min()
    keep = ratios <= best + ZERO_TOL * max(1.0, abs(best))
    tied = rows[keep]
    if tied.size == 1:
        return int(tied[0])
    block = binv[tied]
    block = np.where(np.abs(block) <= ZERO_TOL * max(1.0, float(np.abs(block).max())), 0.0, block)
    block /= column[tied][:, None]
    while tied.size > 1:
        low, high = block.min(axis=0), block.max(axis=0)
        differ = np.flatnonzero(high - low > ZERO_TOL * np.maximum(1.0, np.abs(low)))
        if differ.size == 0:
            break
        j = differ[0]
        keep = block[:, j] <= low[j] + ZERO_TOL * max(1.0, abs(low[j]))
        tied, block = tied[keep], block[keep]
    return int(tied[0])


def lemke(M: np.ndarray, q: np.ndarray, d: np.ndarray, max_pivots: int) -> LemkeOutcome:
    """Solve w = q + M z, w, z ≥ 0, wᵀz = 0 by Lemke's method with covering vector ``d > 0``.

    Revised form: only B⁻¹ (n × n) and the basic solution are kept; each
    pivot computes the entering column B⁻¹·(column) and applies a rank-one
    update in place (BLAS ``dger`` on a Fortran-ordered B⁻¹), O(n²) per pivot. Ties in the ratio test
    are broken lexicographically with the rows of B⁻¹, so the method cannot
    cycle on degenerate problems.

    BLAS runs single-threaded during the pivots: each pivot is two level-2
    operations on an n × n matrix between Python steps, and waking BLAS
    threads for each of them costs far more than it saves (measured 25×
    slower per pivot at n ≈ 860 on a busy 2-core machine).
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _pivot(M, q, d, max_pivots)


def _pivot(M: np.ndarray, q: np.ndarray, d: np.ndarray, max_pivots: int) -> LemkeOutcome:
    """The pivoting of :func:`lemke` (see there)."""
    n = q.size
    if np.all(q >= 0):
        return LemkeOutcome(np.zeros(n), "success", 0)
    columns = np.ascontiguousarray(M.T)                # columns[j] = M[:, j]
    binv = np.asfortranarray(np.eye(n))
    rhs = np.array(q, dtype=float)
    basis = np.arange(n)                               # variables: w_0..w_{n-1}, z_0..z_{n-1}, z0 = 2n
    z0 = 2 * n
    all_rows = np.arange(n)
    # first pivot: z0 enters, the row with the lexicographically smallest (q, B⁻¹)/d leaves
    r = _lexmin(all_rows, d, rhs, binv)
    entering = z0
    pivots = 0
    while True:
        if entering < n:
            column = binv[:, entering].copy()
        elif entering < 2 * n:
            column = -(binv @ columns[entering - n])
        else:
            column = -(binv @ d)
        if pivots:
            candidates = all_rows[column > PIVOT_TOL]
            if candidates.size == 0:
                return LemkeOutcome(None, "ray_termination", pivots)
            r = _lexmin(candidates, column, rhs, binv)
        pivot = column[r]
        row = binv[r] / pivot
        value = rhs[r] / pivot
        binv = dger(-1.0, column, row, a=binv, overwrite_a=True)
        binv[r] = row
        rhs -= column * value
        rhs[r] = value
        leaving = int(basis[r])
        basis[r] = entering
        pivots += 1
        if leaving == z0:
            break
        entering = leaving + n if leaving < n else leaving - n
        if pivots >= max_pivots:
            return LemkeOutcome(None, "iteration_limit", pivots)
    z = np.zeros(n)
    in_z = (basis >= n) & (basis < 2 * n)
    z[basis[in_z] - n] = rhs[in_z]
    return LemkeOutcome(np.clip(z, 0.0, None), "success", pivots)


def tracing_covering(M: np.ndarray, s0: np.ndarray) -> np.ndarray:
    """Covering vector ``(C s⁰, 1)`` of the tracing procedure from the prior ``s⁰`` (agent blocks summing to 1)."""
    n = s0.size
    return np.concatenate([M[:n, :n] @ s0, np.ones(M.shape[0] - n)])


def regret_matching_prior(payoff_1: np.ndarray, payoff_2: np.ndarray, belief_1: np.ndarray,
                          belief_2: np.ndarray, iterations: int) -> np.ndarray:
    """A starting profile for the tracing procedure: the averaged play of regret matching⁺.

    Each agent (player-type) runs regret matching⁺ (alternating updates, linear
    averaging) on its conditional interim payoffs. In general-sum games this
    need not converge to an equilibrium; it only provides a prior from which
    the tracing path tends to be short. Returns the stacked ``(x, y)`` blocks.
    """
    k1, k2, m1, m2 = payoff_1.shape
    weighted_1 = belief_1[:, :, None, None] * payoff_1                                  # (t, s, a, b)
    weighted_2 = belief_2.T[:, :, None, None] * payoff_2                                # (t, s, a, b)
    x, y = np.full((k1, m1), 1.0 / m1), np.full((k2, m2), 1.0 / m2)
    regret_1, regret_2 = np.zeros_like(x), np.zeros_like(y)
    mean_x, mean_y = np.zeros_like(x), np.zeros_like(y)
    for it in range(1, iterations + 1):
        interim_1 = np.einsum("tsab,sb->ta", weighted_1, y)
        regret_1 = np.maximum(regret_1 + interim_1 - (interim_1 * x).sum(axis=1, keepdims=True), 0.0)
        x = _normalised(regret_1, x)
        interim_2 = np.einsum("tsab,ta->sb", weighted_2, x)
        regret_2 = np.maximum(regret_2 + interim_2 - (interim_2 * y).sum(axis=1, keepdims=True), 0.0)
        y = _normalised(regret_2, y)
        mean_x += it * x
        mean_y += it * y
    mean_x /= mean_x.sum(axis=1, keepdims=True)
    mean_y /= mean_y.sum(axis=1, keepdims=True)
    return np.concatenate([mean_x.ravel(), mean_y.ravel()])


def _normalised(regret: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """Play proportional to positive regrets; an agent with none keeps its previous mixture."""
    total = regret.sum(axis=1, keepdims=True)
    return np.where(total > 0, regret / np.where(total > 0, total, 1.0), previous)


def _rescaled(u: np.ndarray) -> np.ndarray:
    low, high = float(u.min()), float(u.max())
    return (u - low) / (high - low) if high > low else np.zeros_like(u)


def bayesian_lcp(payoff_1: np.ndarray, payoff_2: np.ndarray, belief_1: np.ndarray,
                 belief_2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Build (M, q) for a 2-player Bayesian game restricted to types of positive probability.

    ``payoff_i`` has shape ``(k_1, k_2, m_1, m_2)``; ``belief_1[t, s] = P(θ_2 = s | θ_1 = t)``
    and ``belief_2[s, t] = P(θ_1 = t | θ_2 = s)``.
    """
    k1, k2, m1, m2 = payoff_1.shape
    n1, n2 = k1 * m1, k2 * m2
    cost_1 = belief_1[:, :, None, None] * (1.0 - _rescaled(payoff_1)) + 1.0          # (t, s, a, b)
    cost_2 = belief_2.T[:, :, None, None] * (1.0 - _rescaled(payoff_2)) + 1.0        # (t, s, a, b)
    n = n1 + n2
    size = n + k1 + k2
    M = np.zeros((size, size))
    M[:n, :n] = 1.0
    M[:n1, n1:n] = cost_1.transpose(0, 2, 1, 3).reshape(n1, n2)                     # rows (t, a), cols (s, b)
    M[n1:n, :n1] = cost_2.transpose(1, 3, 0, 2).reshape(n2, n1)                     # rows (s, b), cols (t, a)
    E = np.zeros((k1 + k2, n))
    for t in range(k1):
        E[t, t * m1:(t + 1) * m1] = 1.0
    for s in range(k2):
        E[k1 + s, n1 + s * m2:n1 + (s + 1) * m2] = 1.0
    M[:n, n:] = -E.T
    M[n:, :n] = E
    q = np.concatenate([np.zeros(n), -np.ones(k1 + k2)])
    return M, q


def polish(payoff_1: np.ndarray, payoff_2: np.ndarray, belief_1: np.ndarray, belief_2: np.ndarray,
           x: np.ndarray, y: np.ndarray, support_tol: float = 1e-9) -> tuple[np.ndarray, np.ndarray] | None:
    """Re-solve the indifference equations on the supports of (x, y) to full precision.

    ``x`` is ``(k_1, m_1)``, ``y`` is ``(k_2, m_2)``. Returns the refined pair, or
    None when the supports do not determine a non-negative solution.
    """
    refined_y = _solve_support(payoff_1, belief_1, x > support_tol, y > support_tol)
    refined_x = _solve_support(payoff_2.transpose(1, 0, 3, 2), belief_2, y > support_tol, x > support_tol)
    if refined_x is None or refined_y is None:
        return None
    return refined_x, refined_y


def _solve_support(payoff: np.ndarray, belief: np.ndarray, own: np.ndarray, other: np.ndarray) -> np.ndarray | None:
    """The other player's strategy on support ``other`` making each own type indifferent on ``own``.

    ``payoff[t, s, a, b]`` is the own player's payoff; unknowns are the other's
    probabilities on her support and one value per own type.
    """
    k, k_other, m, m_other = payoff.shape
    interim = belief[:, :, None, None] * payoff                                     # (t, s, a, b)
    cols = np.argwhere(other)                                                      # (s, b) pairs
    rows = np.argwhere(own)                                                        # (t, a) pairs
    n_var = len(cols) + k
    A = np.zeros((len(rows) + k_other, n_var))
    rhs = np.zeros(len(rows) + k_other)
    A[:len(rows), :len(cols)] = interim[rows[:, 0][:, None], cols[:, 0][None, :],
                                        rows[:, 1][:, None], cols[:, 1][None, :]]
    A[np.arange(len(rows)), len(cols) + rows[:, 0]] = -1.0
    for s in range(k_other):
        A[len(rows) + s, :len(cols)] = cols[:, 0] == s
        rhs[len(rows) + s] = 1.0
    solution, *_ = np.linalg.lstsq(A, rhs, rcond=None)
    if not np.allclose(A @ solution, rhs, atol=1e-9) or np.any(solution[:len(cols)] < -1e-9):
        return None
    out = np.zeros((k_other, m_other))
    out[cols[:, 0], cols[:, 1]] = np.clip(solution[:len(cols)], 0.0, None)
    return out / out.sum(axis=1, keepdims=True)
