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
  (a square system). The Jacobian comes from the game's
  :meth:`~mechdesign.games.learning.LearningGame.utility_derivatives` when it
  has them (the Bayesian-game adapter does), else column by column from
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

import itertools
from collections.abc import Callable, Sequence

import numpy as np

from mechdesign.games.learning.game import LearningGame

#: Largest number of unknowns of a Newton / LP polishing system (larger supports are not polished).
MAX_UNKNOWNS = 600
#: Largest strategy size k m whose linear map is built by finite differences (one utilities call per entry).
MAX_DIFFERENCE_COLUMNS = 200
#: Probability thresholds (relative to the row's largest entry) used to guess supports.
SUPPORT_THRESHOLDS = (1e-1, 1e-2, 1e-3)
#: Largest number of neighbouring support profiles tried by the local support search.
MAX_NEIGHBOURS = 64
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


def neighbour_supports(base: list[list[np.ndarray]], utilities: Sequence[np.ndarray], weights: Sequence[np.ndarray],
                       limit: int = MAX_NEIGHBOURS) -> list[list[list[np.ndarray]]]:
    """Support profiles that differ from ``base`` at one or two types (local support search).

    At a changed type a singleton support gains the next-best action (by
    utility) and a larger support shrinks to its best action. The types whose
    two best actions are closest in utility are changed first; at most
    ``limit`` profiles.
    """
    flips = []
    for a, (per, u, w) in enumerate(zip(base, utilities, weights)):
        for t, sup in enumerate(per):
            if w[t] <= 0 or u.shape[1] < 2:
                continue
            order = np.argsort(-u[t], kind="stable")
            if len(sup) == 1:
                other = next(int(b) for b in order if b != sup[0])
                new = np.array(sorted({int(sup[0]), other}))
            else:
                new = np.array([int(order[0])])
            closeness = float(u[t, order[0]] - u[t, order[1]])
            flips.append((closeness, a, t, new))
    flips.sort(key=lambda f: f[0])

    def changed(*picked: tuple) -> list[list[np.ndarray]]:
        prof = [list(per) for per in base]
        for _, a, t, new in picked:
            prof[a][t] = new
        return prof

    picks = itertools.chain(((f,) for f in flips), itertools.combinations(flips, 2))
    return [changed(*p) for p in itertools.islice(picks, limit)]


def support_key(supports: list[list[np.ndarray]]) -> bytes:
    """A hashable fingerprint of a support profile."""
    return b"|".join(np.asarray(sup, dtype=np.int32).tobytes() for per in supports for sup in per)


def linear_maps(game: LearningGame, strategies: Sequence[np.ndarray],
                utilities: Callable[[Sequence[np.ndarray]], list[np.ndarray]]
                ) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """For two distinct agents: ``U_a = const_a + M_a @ vec(sigma_c)`` (c the other agent), exactly.

    Each agent's utilities are affine in the other's strategy; the columns of
    ``M_a`` are the differences of the utilities when one entry of ``sigma_c``
    moves by 1. Returns None unless there are two agents of class size 1.
    """
    if game.n_agents != 2 or any(size != 1 for size in game.class_sizes):
        return None
    if game.utility_derivatives(strategies, 0) is None and max(
            k * m for k, m in zip(game.n_types, game.n_actions)) > MAX_DIFFERENCE_COLUMNS:
        return None                                  # too many finite-difference columns
    sigma = tuple(np.array(x, dtype=float) for x in strategies)
    U = utilities(sigma)
    maps = []
    for a in range(2):
        c = 1 - a
        k, m = game.n_types[c], game.n_actions[c]
        exact = game.utility_derivatives(sigma, c)
        if exact is not None:
            M = exact[a].reshape(game.n_types[a] * game.n_actions[a], k * m)
        else:
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

    if sum(len(sup) + 1 for per in supports for sup in per) > MAX_UNKNOWNS:
        return None
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
           steps: int = NEWTON_STEPS, max_evaluations: int | None = None) -> tuple[np.ndarray, ...] | None:
    """Solve the indifference equations on ``supports`` by Newton's method from ``strategies``.

    ``utilities`` evaluates the game (default ``game.utilities``). Returns the
    profile (probabilities clipped at 0 and renormalised) or None when the
    system is too large, singular, the iteration diverges, the solution leaves
    the simplex by more than rounding, or building the Jacobian by finite
    differences would take more than ``max_evaluations`` utility calls.
    """
    utilities = utilities or game.utilities
    active = [w > 0 for w in game.type_weights]
    blocks = [(a, t, np.asarray(supports[a][t], dtype=np.intp)) for a in range(game.n_agents)
              for t in range(game.n_types[a]) if active[a][t]]
    n_prob = sum(len(sup) for _, _, sup in blocks)
    n_blocks = len(blocks)
    n_unknowns = n_prob + n_blocks
    if n_unknowns > MAX_UNKNOWNS or n_prob == n_blocks:              # all singletons: that is rounding
        return None
    # row r < n_prob is (agent, type, action) of a support entry; it reads flat index `flat[r]` of the
    # concatenated utilities, and belongs to block `block_of[r]`
    offsets = np.cumsum([0] + [game.n_types[a] * game.n_actions[a] for a in range(game.n_agents)])
    agent_of = np.concatenate([np.full(len(sup), a) for a, _, sup in blocks])
    type_of = np.concatenate([np.full(len(sup), t) for _, t, sup in blocks])
    action_of = np.concatenate([sup for _, _, sup in blocks])
    block_of = np.concatenate([np.full(len(sup), r) for r, (_, _, sup) in enumerate(blocks)])
    flat = offsets[agent_of] + type_of * np.asarray(game.n_actions)[agent_of] + action_of
    sigma = [np.array(x, dtype=float) for x in strategies]
    for a, t, sup in blocks:                                         # start on the support, renormalised
        row = np.zeros(game.n_actions[a])
        row[sup] = np.maximum(sigma[a][t, sup], 0.0)
        sigma[a][t] = row / row.sum() if row.sum() > 0 else np.where(np.isin(np.arange(row.size), sup),
                                                                      1.0 / len(sup), 0.0)
    self_dependent = [size > 1 for size in game.class_sizes]
    differenced = [c for c in set(agent_of.tolist()) if game.utility_derivatives(tuple(sigma), c) is None]
    cost = sum(int(np.count_nonzero(agent_of == c)) * (2 if self_dependent[c] else 1) for c in differenced)
    if max_evaluations is not None and cost * min(steps, 3) > max_evaluations:
        return None
    template = np.zeros((n_unknowns, n_unknowns))
    template[np.arange(n_prob), n_prob + block_of] = -1.0            # - v_block in every indifference row
    template[n_prob + block_of, np.arange(n_prob)] = 1.0             # normalisation rows
    values = None
    previous = np.inf
    for _ in range(steps):
        U = utilities(tuple(sigma))
        stacked = np.concatenate([u.ravel() for u in U])
        if values is None:
            values = np.array([float(sigma[a][t] @ U[a][t]) for a, t, _ in blocks])
        residual = np.empty(n_unknowns)
        residual[:n_prob] = stacked[flat] - values[block_of]
        residual[n_prob:] = np.bincount(block_of, weights=np.concatenate(
            [sigma[a][t, sup] for a, t, sup in blocks]), minlength=n_blocks) - 1.0
        scale = max(1.0, float(np.abs(stacked).max()))
        size = float(np.abs(residual).max())
        if size <= 1e-14 * scale:
            break
        if size > 10 * previous:                                     # diverging: the support guess is wrong
            return None
        previous = size
        J = template.copy()
        for c in range(game.n_agents):
            cols = np.flatnonzero(agent_of == c)
            if cols.size == 0:
                continue
            exact = game.utility_derivatives(tuple(sigma), c)
            if exact is not None:                                    # D[a] (k_a, m_a, k_c, m_c) -> rows x entries
                D = np.concatenate([d.reshape(-1, game.n_types[c] * game.n_actions[c]) for d in exact])
                J[:n_prob, cols] = D[np.ix_(flat, type_of[cols] * game.n_actions[c] + action_of[cols])]
                continue
            for col in cols:
                s_, d_ = int(type_of[col]), int(action_of[col])
                if self_dependent[c]:
                    h = 1e-6
                    plus = np.concatenate([u.ravel() for u in utilities(_perturbed(sigma, c, s_, d_, h))])
                    minus = np.concatenate([u.ravel() for u in utilities(_perturbed(sigma, c, s_, d_, -h))])
                    dU = (plus - minus) / (2 * h)
                else:
                    dU = np.concatenate([u.ravel() for u in utilities(_perturbed(sigma, c, s_, d_, 1.0))]) - stacked
                    dU[offsets[c]:offsets[c + 1]] = 0.0              # an agent's utilities ignore her own strategy
                J[:n_prob, col] = dU[flat]
        try:
            delta = np.linalg.solve(J, -residual)
        except np.linalg.LinAlgError:
            if n_unknowns > 100:
                return None
            delta = np.linalg.lstsq(J, -residual, rcond=None)[0]
        if not np.all(np.isfinite(delta)):
            return None
        for r, (a, t, sup) in enumerate(blocks):
            sigma[a][t, sup] += delta[:n_prob][block_of == r]
        values = values + delta[n_prob:]
    out = []
    for a, x in enumerate(sigma):
        if np.any(x < -1e-9):
            return None
        x = np.clip(x, 0.0, None)
        out.append(x / x.sum(axis=1, keepdims=True))
    return tuple(out)


def _perturbed(sigma: list[np.ndarray], c: int, s: int, d: int, h: float) -> tuple[np.ndarray, ...]:
    out = list(sigma)
    out[c] = sigma[c].copy()
    out[c][s, d] += h
    return tuple(out)
