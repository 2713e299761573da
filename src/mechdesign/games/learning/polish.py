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
  guessed supports also enforces that no action outside them earns more.

Guarantee: a candidate is only ever accepted because its re-evaluated epsilon
is smaller than that of the profile it replaces; polishing never claims an
equilibrium it has not measured. It finds one only when the guessed support
is right (the dynamics are close enough) and, for Newton, the Jacobian is
non-singular there.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def newton(game: LearningGame, strategies: Sequence[np.ndarray], supports: list[list[np.ndarray]],
           steps: int = NEWTON_STEPS) -> tuple[np.ndarray, ...] | None:
    """Solve the indifference equations on ``supports`` by Newton's method from ``strategies``.

    Returns the profile (probabilities clipped at 0 and renormalised) or None
    when the system is too large or singular or the solution leaves the simplex
    by more than rounding.
    """
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
    for _ in range(steps):
        U = game.utilities(tuple(sigma))
        if values is None:
            values = np.array([float(sigma[a][t] @ U[a][t]) for a, t, _ in blocks])
        residual = _residual(U, sigma, blocks, values)
        scale = max(1.0, max(float(np.abs(u).max()) for u in U))
        if np.abs(residual).max() <= 1e-14 * scale:
            break
        J = np.zeros((n_unknowns, n_unknowns))
        for col, (c, s, d) in enumerate(columns):
            if self_dependent[c]:
                h = 1e-6
                plus, minus = _perturbed(sigma, c, s, d, h), _perturbed(sigma, c, s, d, -h)
                dU = [(p - m) / (2 * h) for p, m in zip(game.utilities(plus), game.utilities(minus))]
            else:
                dU = [p - u for p, u in zip(game.utilities(_perturbed(sigma, c, s, d, 1.0)), U)]
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
