"""Polishing: from an approximate equilibrium to an exact one where its support is guessed right.

Learning dynamics approach an equilibrium at a sublinear rate; polishing
finishes the job:

* **pure rounding** — every type plays its most likely action; the rounded
  profile is kept when its epsilon (exact, re-evaluated) is smaller. A strict
  pure equilibrium near the iterate is found exactly (epsilon 0).
* **Newton's method on the support** — guess each type's support (the actions
  it plays with probability at least a threshold), then solve the indifference
  equations: every action in a type's support earns that type's value v, each
  row sums to 1. The unknowns are the support probabilities and the values
  (a square system). The Jacobian is built column by column from
  :meth:`~mechdesign.games.learning.LearningGame.utilities`: the utilities of
  one agent are affine in another single agent's strategy (exact one-sided
  differences), and central differences are used where an agent's utility
  depends on its own strategy (a class of symmetric players). A solution
  with non-negative probabilities whose non-support actions do not earn more
  is an equilibrium; its epsilon is reported exactly (rounding error only,
  typically ≤ 1e-12 times the payoff scale).
* **support LP (2 agents)** — for two distinct agents the conditions on each
  one's strategy are linear and decouple; a feasibility LP (HiGHS) on the
  guessed supports also enforces that no action outside them earns more. Its
  solution is then refined by Newton's method on the supports it uses (one
  exact linear solve for two agents), which removes the LP's own tolerance.

Supports are guessed from each candidate profile (the iterate, the best
iterate, the average since the last checkpoint) in two ways: the actions
played with probability at least a threshold (relative to the row's largest
probability), and the actions whose utility is within a gap of the best.

Guarantee: a candidate is only ever accepted because its re-evaluated epsilon
is smaller than that of the profile it replaces; polishing never claims an
equilibrium it has not measured. It finds one only when the guessed support
is right (the dynamics are close enough) and, for Newton, the Jacobian is
non-singular there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from mechdesign.games.learning.game import LearningGame

#: Largest number of unknowns of a Newton / LP polishing system (larger supports are not polished).
MAX_UNKNOWNS = 600
#: Probability thresholds (relative to the row's largest entry) used to guess supports.
SUPPORT_THRESHOLDS = (1e-1, 1e-2, 1e-3)
#: Newton iterations per support guess.
NEWTON_STEPS = 8


def round_pure(strategies: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
    """Every type plays its most likely action (one-hot rows; ties to the lowest index)."""
    out = []
    for s in strategies:
        x = np.zeros_like(s)
        x[np.arange(s.shape[0]), s.argmax(axis=1)] = 1.0
        out.append(x)
    return tuple(out)


def guess_supports(strategies: Sequence[np.ndarray], threshold: float) -> list[list[np.ndarray]]:
    """Per agent and type, the actions with probability ≥ ``threshold`` × the row's maximum."""
    return [[np.flatnonzero(row >= threshold * row.max()) for row in s] for s in strategies]


def near_best_supports(utilities: Sequence[np.ndarray], gap: float) -> list[list[np.ndarray]]:
    """Per agent and type, the actions whose utility is within ``gap`` of the best."""
    return [[np.flatnonzero(row >= row.max() - gap) for row in u] for u in utilities]


def support_key(supports: list[list[np.ndarray]]) -> bytes:
    """A hashable fingerprint of a support profile."""
    return b"|".join(np.asarray(sup, dtype=np.int32).tobytes() for per in supports for sup in per)


def linear_maps(game: LearningGame, strategies: Sequence[np.ndarray],
                utilities: Callable[[Sequence[np.ndarray]], list[np.ndarray]]) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """For two distinct agents: ``U_a = const_a + M_a @ vec(sigma_c)`` (c the other agent), exactly.

    Each agent's utilities are affine in the other's strategy; the columns of
    ``M_a`` are the differences of the utilities when one entry of ``sigma_c``
    moves by 1. Returns None unless there are two agents of class size 1.
    """
    if game.n_agents != 2 or any(size != 1 for size in game.class_sizes):
        return None
    sigma = tuple(np.array(x, dtype=float) for x in strategies)
    U = utilities(sigma)
    maps = []
    for a in range(2):
        c = 1 - a
        k, m = game.n_types[c], game.n_actions[c]
        M = np.empty((game.n_types[a] * game.n_actions[a], k * m))
        for col in range(k * m):
            s, d = divmod(col, m)
            M[:, col] = (utilities(_perturbed(list(sigma), c, s, d, 1.0))[a] - U[a]).ravel()
        const = U[a].ravel() - M @ sigma[c].ravel()
        maps.append((const, M))
    return maps


def support_lp(game: LearningGame, strategies: Sequence[np.ndarray], supports: list[list[np.ndarray]],
               maps: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, ...] | None:
    """Two agents: for each, an LP for the other's strategy on ``supports`` that makes every action in her
    own supports a best response (HiGHS). Returns the profile or None when an LP is infeasible."""
    from scipy.optimize import linprog

    out = [np.array(x, dtype=float) for x in strategies]
    for a in range(2):
        c = 1 - a
        const, M = maps[a]
        k_a, m_a, k_c, m_c = game.n_types[a], game.n_actions[a], game.n_types[c], game.n_actions[c]
        act_a = np.flatnonzero(game.type_weights[a] > 0)
        act_c = np.flatnonzero(game.type_weights[c] > 0)
        cols = [s * m_c + d for s in act_c for d in supports[c][s]]
        fixed = np.ones(k_c * m_c, dtype=bool)
        fixed[[s * m_c + d for s in act_c for d in range(m_c)]] = False
        base = const + M[:, fixed] @ out[c].ravel()[fixed]                   # inactive rows of c stay as they are
        n_y, n_v = len(cols), len(act_a)
        eq_rows, eq_rhs, ub_rows, ub_rhs = [], [], [], []
        for r, t in enumerate(act_a):
            own = set(int(b) for b in supports[a][t])
            for b in range(m_a):
                row = np.zeros(n_y + n_v)
                row[:n_y] = M[t * m_a + b, cols]
                row[n_y + r] = -1.0
                (eq_rows if b in own else ub_rows).append(row)
                (eq_rhs if b in own else ub_rhs).append(-base[t * m_a + b])
        for s in act_c:
            row = np.zeros(n_y + n_v)
            row[[i for i, col in enumerate(cols) if col // m_c == s]] = 1.0
            eq_rows.append(row)
            eq_rhs.append(1.0)
        res = linprog(np.zeros(n_y + n_v), A_ub=np.array(ub_rows) if ub_rows else None,
                      b_ub=np.array(ub_rhs) if ub_rhs else None, A_eq=np.array(eq_rows), b_eq=np.array(eq_rhs),
                      bounds=[(0, None)] * n_y + [(None, None)] * n_v, method="highs",
                      options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10})
        if res.status != 0:
            return None
        sigma_c = out[c].copy()
        for s in act_c:
            sigma_c[s] = 0.0
        for i, col in enumerate(cols):
            sigma_c[col // m_c, col % m_c] = max(res.x[i], 0.0)
        sigma_c[act_c] /= sigma_c[act_c].sum(axis=1, keepdims=True)
        out[c] = sigma_c
    return tuple(out)


def newton(game: LearningGame, strategies: Sequence[np.ndarray], supports: list[list[np.ndarray]],
           utilities: Callable[[Sequence[np.ndarray]], list[np.ndarray]] | None = None,
           steps: int = NEWTON_STEPS) -> tuple[np.ndarray, ...] | None:
    """Solve the indifference equations on ``supports`` by Newton's method from ``strategies``.

    ``utilities`` evaluates the game (default ``game.utilities``). Returns the
    profile (probabilities clipped at 0 and renormalised) or None when the
    system is too large, the iteration diverges, or the solution leaves the
    simplex by more than rounding.
    """
    utilities = utilities or game.utilities
    active = [w > 0 for w in game.type_weights]
    blocks = [(a, t, supports[a][t]) for a in range(game.n_agents) for t in range(game.n_types[a])
              if active[a][t]]
    n_prob = sum(len(sup) for _, _, sup in blocks)
    n_unknowns = n_prob + len(blocks)
    if n_unknowns > MAX_UNKNOWNS or n_prob == len(blocks):          # all singletons: that is rounding
        return None
    sigma = [np.array(s, dtype=float) for s in strategies]
    for a, t, sup in blocks:                                         # start on the support, renormalised
        row = np.zeros(game.n_actions[a])
        row[sup] = np.maximum(sigma[a][t, sup], 0.0)
        sigma[a][t] = row / row.sum() if row.sum() > 0 else np.where(np.isin(np.arange(row.size), sup),
                                                                      1.0 / len(sup), 0.0)
    columns = [(a, t, b) for a, t, sup in blocks for b in sup]
    self_dependent = [size > 1 for size in game.class_sizes]
    values = None
    previous = np.inf
    for _ in range(steps):
        U = utilities(tuple(sigma))
        if values is None:
            values = np.array([float(sigma[a][t] @ U[a][t]) for a, t, _ in blocks])
        residual = _residual(U, sigma, blocks, values)
        scale = max(1.0, max(float(np.abs(u).max()) for u in U))
        size = float(np.abs(residual).max())
        if size <= 1e-14 * scale:
            break
        if size > 10 * previous:                                     # diverging: the support guess is wrong
            return None
        previous = size
        J = np.zeros((n_unknowns, n_unknowns))
        for col, (c, s, d) in enumerate(columns):
            if self_dependent[c]:
                h = 1e-6
                plus, minus = _perturbed(sigma, c, s, d, h), _perturbed(sigma, c, s, d, -h)
                dU = [(p - m) / (2 * h) for p, m in zip(utilities(plus), utilities(minus))]
            else:
                dU = [p - u for p, u in zip(utilities(_perturbed(sigma, c, s, d, 1.0)), U)]
                dU[c] = np.zeros_like(dU[c])                        # an agent's utilities ignore her own strategy
            J[:, col] = _stack_rows(dU, blocks, None, n_unknowns, len(blocks))
        for r, (a, t, sup) in enumerate(blocks):
            J[_block_rows(blocks, r), n_prob + r] = -1.0
        # the normalisation rows: one per block, sum of its probabilities
        offset = 0
        for r, (a, t, sup) in enumerate(blocks):
            J[n_prob + r, offset:offset + len(sup)] = 1.0
            offset += len(sup)
        try:
            delta = np.linalg.solve(J, -residual)
        except np.linalg.LinAlgError:
            delta = np.linalg.lstsq(J, -residual, rcond=None)[0]
        if not np.all(np.isfinite(delta)):
            return None
        offset = 0
        for r, (a, t, sup) in enumerate(blocks):
            sigma[a][t, sup] += delta[offset:offset + len(sup)]
            offset += len(sup)
        values = values + delta[n_prob:]
    out = []
    for a, s in enumerate(sigma):
        if np.any(s < -1e-9):
            return None
        s = np.clip(s, 0.0, None)
        out.append(s / s.sum(axis=1, keepdims=True))
    return tuple(out)


def _perturbed(sigma: list[np.ndarray], c: int, s: int, d: int, h: float) -> tuple[np.ndarray, ...]:
    out = list(sigma)
    out[c] = sigma[c].copy()
    out[c][s, d] += h
    return tuple(out)


def _block_rows(blocks: list, r: int) -> slice:
    start = sum(len(sup) for _, _, sup in blocks[:r])
    return slice(start, start + len(blocks[r][2]))


def _stack_rows(U: list[np.ndarray], blocks: list, values: np.ndarray | None, n: int, n_blocks: int) -> np.ndarray:
    """The indifference rows U_a[t, b] (b in the support) stacked, then zeros for the normalisation rows."""
    out = np.zeros(n)
    offset = 0
    for r, (a, t, sup) in enumerate(blocks):
        out[offset:offset + len(sup)] = U[a][t, sup] - (0.0 if values is None else values[r])
        offset += len(sup)
    return out


def _residual(U: list[np.ndarray], sigma: list[np.ndarray], blocks: list, values: np.ndarray) -> np.ndarray:
    n_prob = sum(len(sup) for _, _, sup in blocks)
    out = _stack_rows(U, blocks, values, n_prob + len(blocks), len(blocks))
    for r, (a, t, sup) in enumerate(blocks):
        out[n_prob + r] = sigma[a][t, sup].sum() - 1.0
    return out
