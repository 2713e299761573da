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
to an equilibrium; :mod:`.priors` supplies such priors cheaply.

Implementation: :class:`KernelLemke` keeps only the columns of B⁻¹ that are not
unit vectors (one per row whose w is nonbasic), refactorises periodically, and
pivots in the compiled loop of :mod:`.lemke_jit` (its numpy methods are the
readable reference, followed pivot for pivot by the tests). :mod:`.lemke_paths`
runs several paths side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg.blas import dger

#: Entries of a pivot column below this are treated as zero in the ratio test ...
PIVOT_TOL = 1e-12
#: ... as are entries below this fraction of the column's largest entry: pivoting on
#: them (a near-degenerate row whose tiny entry only looks positive) turns the basis
#: numerically singular, which ended some 20 × 20 paths at garbage.
RELATIVE_PIVOT_TOL = 1e-9
#: Relative size below which tableau entries count as rounding noise in ties.
ZERO_TOL = 1e-10
#: Pivots between two refactorisations of the basis (fresh inverse, fresh solution).
REFACTOR_EVERY = 1000
#: Pivots of a path after which it continues in the compiled loop of :mod:`.lemke_jit`: from
#: the first one. The numpy loop is the readable reference (tests follow both pivot for pivot).
COMPILED_AFTER = 0


def pivot_candidates(column: np.ndarray) -> np.ndarray:
    """Positions whose entry of the entering column may serve as a pivot (positive, not noise)."""
    threshold = max(PIVOT_TOL, RELATIVE_PIVOT_TOL * float(np.abs(column).max()))
    return np.flatnonzero(column > threshold)


@dataclass(frozen=True)
class LemkeOutcome:
    """Raw outcome of :func:`lemke`: solution ``z`` (None if none), status, pivot count and winning path."""

    z: np.ndarray | None
    status: str
    pivots: int
    path: int = 0


def lemke(M: np.ndarray, q: np.ndarray, d: np.ndarray, max_pivots: int) -> LemkeOutcome:
    """Solve w = q + M z, w, z ≥ 0, wᵀz = 0 by Lemke's method with covering vector ``d > 0``.

    Revised form on the basis *kernel*. The basis B has the columns of
    [I, −M, −d] of the basic variables; a basic w_i contributes the unit
    column e_i, so column i of B⁻¹ is a unit vector too. Only the other
    columns of B⁻¹, one per row whose w is nonbasic (K of them, about the
    support size of the current point), are stored: an n × K matrix G instead
    of n × n, so a pivot (entering column G·a, rank-one update of G) costs
    O(nK) rather than O(n²). The basis is refactorised every
    ``REFACTOR_EVERY`` pivots and at the end, which bounds rounding drift on
    long paths. Ties in the ratio test are broken lexicographically with the
    rows of B⁻¹, so the method cannot cycle on degenerate problems.
    The pivots run in the compiled loop of :mod:`.lemke_jit`.
    """
    path = KernelLemke(M, q, d)
    path.advance(max_pivots)
    return path.outcome()


class KernelLemke:
    """State of one Lemke path (see :func:`lemke`). Variables: w_i = i, z_j = n + j, z0 = 2n."""

    def __init__(self, M: np.ndarray | None, q: np.ndarray, d: np.ndarray, compiled_after: int = COMPILED_AFTER,
                 neg_columns: np.ndarray | None = None) -> None:
        n = q.size
        self.n, self.q = n, np.asarray(q, dtype=float)
        # neg_columns[j] = −M[:, j], the column of z_j (paths on one LCP may share it: pass it instead of M)
        self.neg_columns = negated_columns(M) if neg_columns is None else neg_columns
        self.neg_d = -np.asarray(d, dtype=float)
        self.G = np.zeros((n, n + 1), order="F")               # B⁻¹[:, R]: columns of rows with w nonbasic
        self.R = np.zeros(n + 1, dtype=np.intp)                # those rows, in the order of G's columns
        self.K = 0
        self.column_of_row = np.full(n, -1)                    # G column of a row whose w is nonbasic
        self.position_of_w = np.arange(n)                      # basis position of w_i, −1 when nonbasic
        self.basis = np.arange(n)                              # basic variable at each position
        self.rhs = self.q.copy()                               # basic solution
        self.compiled_after = compiled_after                   # pivots before the compiled loop takes over
        self.entering = 2 * n                                  # z0 enters first
        self.pivots = 0
        self.status = "running"

    @classmethod
    def from_state(cls, q: np.ndarray, neg_columns: np.ndarray, covering: np.ndarray, G: np.ndarray,
                   R: np.ndarray, column_of_row: np.ndarray, position_of_w: np.ndarray, basis: np.ndarray,
                   rhs: np.ndarray, state: np.ndarray, code: int) -> "KernelLemke":
        """A path from the arrays of the compiled :func:`.lemke_jit.tracing_path` (to continue it here)."""
        from mechdesign.games import lemke_jit

        path = cls.__new__(cls)
        path.n, path.q, path.neg_columns, path.neg_d = q.size, q, neg_columns, -covering
        path.G, path.R, path.column_of_row, path.position_of_w = G, R, column_of_row, position_of_w
        path.basis, path.rhs, path.compiled_after = basis, rhs, 0
        path.K, path.entering, path.pivots = int(state[0]), int(state[1]), int(state[2])
        path.status = {lemke_jit.SUCCESS: "success", lemke_jit.RAY: "ray_termination"}.get(int(code), "running")
        return path

    def a_column(self, var: int) -> np.ndarray:
        """Column of a z-type variable (z_j or z0) in [I, −M, −d]."""
        return self.neg_columns[var - self.n] if var < 2 * self.n else self.neg_d

    def entering_column(self, var: int) -> np.ndarray:
        """B⁻¹ times the column of ``var``."""
        if var < self.n:
            return self.G[:, self.column_of_row[var]].copy()
        a = self.a_column(var)
        K = self.K
        column = self.G[:, :K] @ a[self.R[:K]] if K else np.zeros(self.n)
        basic_w = self.position_of_w >= 0
        column[self.position_of_w[basic_w]] += a[basic_w]
        return column

    def binv_rows(self, positions: np.ndarray) -> np.ndarray:
        """Full rows of B⁻¹ at basis ``positions`` (for lexicographic ties only)."""
        out = np.zeros((positions.size, self.n))
        out[:, self.R[:self.K]] = self.G[positions, :self.K]
        variables = self.basis[positions]
        is_w = variables < self.n
        out[np.flatnonzero(is_w), variables[is_w]] = 1.0
        return out

    def lexmin(self, rows: np.ndarray, column: np.ndarray) -> int:
        """Position (among ``rows``) with the lexicographically smallest (rhs, B⁻¹ row) / column entry.

        Entries below ``ZERO_TOL`` (relative to the largest) are rounding noise
        and count as zero, so that noise divided by a small pivot entry cannot decide a tie.
        """
        values = self.rhs[rows]
        # two-sided: at the first pivot the values are q, negative, and must keep their sign
        values = np.where(np.abs(values) <= ZERO_TOL * max(1.0, float(np.abs(values).max())), 0.0, values)
        ratios = values / column[rows]
        best = ratios.min()
        tied = rows[ratios <= best + ZERO_TOL * max(1.0, abs(best))]
        if tied.size == 1:
            return int(tied[0])
        block = self.binv_rows(tied)
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

    def refactorize(self) -> None:
        """Recompute G and the basic solution from the basis (kernel inverse; :func:`.lemke_jit.refactorize`)."""
        from mechdesign.games import lemke_jit

        lemke_jit.refactorize(self.neg_columns, self.neg_d, self.q, self.G, self.R, self.K, self.position_of_w,
                              self.basis, self.rhs)

    def pivot(self, r: int, entering: int, column: np.ndarray) -> int:
        """Exchange the basic variable at position ``r`` for ``entering``; returns the leaving variable."""
        K, G = self.K, self.G
        pivot = column[r]
        value = self.rhs[r] / pivot
        if K:
            row = G[r, :K] / pivot
            dger(-1.0, column, row, a=G[:, :K], overwrite_a=True)      # in place: G[:, :K] is Fortran-contiguous
            G[r, :K] = row
        self.rhs -= column * value
        self.rhs[r] = value
        leaving = int(self.basis[r])
        self.basis[r] = entering
        if leaving < self.n:                 # w_leaving turns nonbasic: its B⁻¹ column (was e_r) joins G
            G[:, K] = -column / pivot
            G[r, K] = 1.0 / pivot
            self.R[K] = leaving
            self.column_of_row[leaving] = K
            self.position_of_w[leaving] = -1
            K += 1
        if entering < self.n:                # w_entering turns basic: its column is now e_r, drop it
            c = self.column_of_row[entering]
            K -= 1
            if c != K:
                G[:, c] = G[:, K]
                self.R[c] = self.R[K]
                self.column_of_row[self.R[c]] = c
            self.column_of_row[entering] = -1
            self.position_of_w[entering] = r
        self.K = K
        return leaving

    def advance(self, budget: int) -> str:
        """Pivot at most ``budget`` more times; returns the status.

        ``"running"``, ``"success"``, ``"ray_termination"``, or ``"singular_basis"``
        when rounding made the basis singular (seen only with degenerate
        covering vectors such as all ones; the path is then abandoned).
        """
        try:
            return self._advance(budget)
        except np.linalg.LinAlgError:
            self.status = "singular_basis"
            return self.status

    def _advance(self, budget: int) -> str:
        n = self.n
        if self.status != "running":
            return self.status
        if self.pivots == 0 and np.all(self.q >= 0):
            self.status = "success"
            return self.status
        if self.pivots >= self.compiled_after:
            return self._advance_compiled(budget)
        if self.pivots + budget > self.compiled_after:
            first = self.compiled_after - self.pivots
            if self._advance(first) != "running":
                return self.status
            return self._advance(budget - first)
        positions = np.arange(n)
        z0 = 2 * n
        for _ in range(budget):
            column = self.entering_column(self.entering)
            if self.pivots == 0:     # z0 enters (column −d): the row of the lexicographically most negative q/d leaves
                r = self.lexmin(positions, -column)
            else:
                candidates = pivot_candidates(column)
                if candidates.size == 0:
                    self.status = "ray_termination"
                    return self.status
                r = self.lexmin(candidates, column)
            leaving = self.pivot(r, self.entering, column)
            self.pivots += 1
            if leaving == z0:
                self.refactorize()
                self.status = "success"
                return self.status
            self.entering = leaving + n if leaving < n else leaving - n
            if self.pivots % REFACTOR_EVERY == 0:
                self.refactorize()
        return self.status

    def _advance_compiled(self, budget: int) -> str:
        """:meth:`advance` by the compiled loop (same pivots, same refactorisations)."""
        from mechdesign.games import lemke_jit

        state = np.array([self.K, self.entering, self.pivots], dtype=np.int64)
        try:
            code = lemke_jit.advance(self.neg_columns, self.neg_d, self.q, self.G, self.R, self.column_of_row,
                                     self.position_of_w, self.basis, self.rhs, state, budget, REFACTOR_EVERY,
                                     PIVOT_TOL, RELATIVE_PIVOT_TOL, ZERO_TOL)
        finally:                    # the pivots are counted even when a refactorisation fails
            self.K, self.entering, self.pivots = int(state[0]), int(state[1]), int(state[2])
        if code == lemke_jit.SUCCESS:
            self.status = "success"
        elif code == lemke_jit.RAY:
            self.status = "ray_termination"
        return self.status

    def solution(self) -> np.ndarray:
        """The z part of the basic solution (call once :meth:`advance` returned ``"success"``)."""
        n = self.n
        z = np.zeros(n)
        in_z = (self.basis >= n) & (self.basis < 2 * n)
        z[self.basis[in_z] - n] = self.rhs[in_z]
        return np.maximum(z, 0.0, out=z)

    def outcome(self) -> LemkeOutcome:
        """This path as a :class:`LemkeOutcome` (``"running"`` reads as ``"iteration_limit"``)."""
        if self.status == "success":
            return LemkeOutcome(self.solution(), "success", self.pivots)
        return LemkeOutcome(None, "iteration_limit" if self.status == "running" else self.status, self.pivots)


def negated_columns(M: np.ndarray) -> np.ndarray:
    """``−Mᵀ`` as a C-contiguous array: row j is the column of z_j in [I, −M, −d]."""
    transposed = np.asarray(M, dtype=float).T
    out = np.empty(transposed.shape)
    np.negative(transposed, out=out)
    return out


def tracing_covering(M: np.ndarray, s0: np.ndarray) -> np.ndarray:
    """Covering vector ``(C s⁰, 1)`` of the tracing procedure from the prior ``s⁰`` (agent blocks summing to 1)."""
    n = s0.size
    return np.concatenate([M[:n, :n] @ s0, np.ones(M.shape[0] - n)])


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
    sequences = np.arange(n)
    agents = n + np.concatenate([np.repeat(np.arange(k1), m1), k1 + np.repeat(np.arange(k2), m2)])
    M[agents, sequences] = 1.0                                                      # E: agent rows
    M[sequences, agents] = -1.0                                                     # −Eᵀ
    q = np.zeros(size)
    q[n:] = -1.0
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
