"""The first-best (efficient) decision rule x*(θ) ∈ argmax_x Σ_i u_i(x, θ) (Tadelis 14.2)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.compute.backends import Compute, compute_options
from mechdesign.mechanisms import blockwise
from mechdesign.model import offsets
from mechdesign.model.environment import Environment

TIES = ("lowest", "uniform")


def _tie_tolerance(env: Environment) -> float:
    # Sums of floats that are equal on paper can differ in the last bits; treat
    # alternatives within this distance of the maximum as tied. The scale is that of
    # the welfare differences compared (offsets removed), so adding a constant to a
    # player's values of every alternative changes no choice.
    return 1e-12 * max(1.0, offsets.welfare_scale(env))


def efficient_decision(env: Environment, ties: str = "lowest", *, chunk_size: int | None = None, memory_limit: int | None = None,
                       backend: str = "numpy", scheduler: Any = None, progress: Any = None) -> np.ndarray:
    """The first-best decision rule.

    Parameters
    ----------
    env : Environment
        Private or interdependent values (u_i evaluated at the true profile).
    ties : {"lowest", "uniform"}
        ``"lowest"`` (default): among maximisers pick the lowest alternative
        index (deterministic). ``"uniform"``: randomise uniformly over all
        maximisers. Alternatives whose total value is within ``1e-12 ·
        max(1, Σ_i scale_i)`` of the maximum count as maximisers
        (floating-point sums of equal numbers may differ in the last bits),
        scale_i being player i's largest utility difference between two
        alternatives. Totals are added after removing each player's smallest
        value at her type (profile), which changes no choice, so a large
        constant added to a player's values does not blur the comparison
        (docs/concepts.md, "Tolerances").
    chunk_size, memory_limit, backend, scheduler, progress
        Execution options (see :mod:`mechdesign.compute`): build block by
        block, in this process or on a Dask cluster; the result is the same.

    Returns
    -------
    ndarray
        ``ties="lowest"``: integer indices of shape ``(k_1, ..., k_N)``;
        ``ties="uniform"``: probabilities of shape ``(k_1, ..., k_N, |X|)``.
    """
    if not isinstance(env, Environment):
        raise v.fail("env", "an Environment", type(env).__name__)
    ties = v.choice(ties, "ties", TIES)
    opts = compute_options(chunk_size, memory_limit, backend, scheduler, progress)
    if opts != Compute():
        function = blockwise.EfficientFunction(env, ties, _tie_tolerance(env))
        return blockwise.assemble(env, function, opts, 8 * 3 * env.n_alternatives, "efficient decision")
    tol = _tie_tolerance(env)
    env = offsets.normalised_environment(env)
    if ties == "lowest":
        out = np.empty(env.n_types, dtype=np.intp)
    else:
        out = np.empty((*env.n_types, env.n_alternatives))
    for t0, total in _totals_by_first_type(env):
        is_max = total >= total.max(axis=-1, keepdims=True) - tol
        if ties == "lowest":
            out[t0] = np.argmax(is_max, axis=-1)
        else:
            out[t0] = is_max / is_max.sum(axis=-1, keepdims=True)
    return out


def _totals_by_first_type(env: Environment):
    """Yield ``(t0, Σ_i u_i(x, θ))`` for each type t0 of the first player, shape ``(k_2..k_N, |X|)``.

    Working one slice at a time keeps the memory of the efficient decision at
    ``|X| / k_1`` profile-sized arrays instead of ``|X|``.
    """
    parts = [env.utility_broadcast(i) for i in range(env.n_players)]
    rest = (*env.n_types[1:], env.n_alternatives)
    for t0 in range(env.n_types[0]):
        total = np.zeros(rest)
        for u in parts:
            total += u[t0 if u.shape[0] > 1 else 0]
        yield t0, total


def chosen_value(env: Environment, decision: np.ndarray, i: int) -> np.ndarray:
    """u_i(x(θ), θ) at every profile under a decision rule (indices or lottery), shape ``(k_1..k_N)``."""
    u = np.broadcast_to(env.utility_broadcast(i), (*env.n_types, env.n_alternatives))
    if decision.ndim == env.n_players:
        return np.take_along_axis(u, decision[..., None], axis=-1)[..., 0]
    return (decision * u).sum(axis=-1)


def chosen_welfare(env: Environment, decision: np.ndarray) -> np.ndarray:
    """Σ_i u_i(x(θ), θ) at every profile, shape ``(k_1..k_N)``."""
    total = chosen_value(env, decision, 0).copy()
    for i in range(1, env.n_players):
        total += chosen_value(env, decision, i)
    return total
