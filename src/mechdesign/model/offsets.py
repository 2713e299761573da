"""Utility offsets that change no comparison, and the scale each comparison is judged on.

Adding a constant c_i(θ) to u_i(x, θ) for every alternative x changes no
incentive, no efficient choice and no budget (docs/concepts.md, "Tolerances").
The audits therefore work with *normalised* valuations, from which such an
offset has been removed, and judge every comparison against the size of what
it compares only. This module is the one place that defines both, so every
kernel (the numpy audits, the LP re-verification, the game verifiers, compiled
kernels) uses the same numbers:

* :func:`incentive_valuations` — u_i(x, θ) − min_y u_i(y, θ): the reference is
  per type θ_i for private values and per profile θ for interdependent values.
  Used by DSIC, BIC, efficiency and :func:`~mechdesign.efficient_decision`;
  gains and welfare differences are unchanged (the offsets cancel exactly in
  the arithmetic) but no longer carry the rounding error of a large offset.
* :func:`participation_reference` and :func:`participation_valuations` —
  u_i(x, θ) − r_i(θ_i) with r_i(t) = min over alternatives and the others'
  types: IR compares u_i + m_i with the outside option, and both sides are
  measured from r_i(θ_i) (subtracted from the outside option too).
* :func:`incentive_scales`, :func:`welfare_scale`, :func:`participation_scales`
  — the valuation part of each comparison's scale.
* :func:`payoff_offsets` — the same for the payoffs of a Bayesian game.

Subtracting a reference is exact up to one rounding of the difference, so a
normalised value is as accurate as the input allows: for an input u + c the
result is (u + c) − c, with the error of storing u + c in float64 and no more.
"""

from __future__ import annotations

import numpy as np

from mechdesign import _validation as v


def _cache(env) -> dict:
    cache = env.__dict__.get("_offsets_cache")
    if cache is None:
        cache = env.__dict__["_offsets_cache"] = {}
    return cache


def incentive_reference(u: np.ndarray) -> np.ndarray:
    """min_x u(x, ·) over the last axis: per type (private values) or per profile (interdependent)."""
    return u.min(axis=-1)


def incentive_valuations(env) -> tuple[np.ndarray, ...]:
    """Per player u_i(x, θ) − min_y u_i(y, θ), same shapes as ``env.valuations`` (read-only, cached)."""
    cache = _cache(env)
    if "incentive" not in cache:
        cache["incentive"] = tuple(v.frozen(u - incentive_reference(u)[..., None]) for u in env.valuations)
    return cache["incentive"]


def participation_reference(env, i: int) -> np.ndarray:
    """r_i(t) = min over alternatives and the others' types of u_i(x, (t, θ_-i)), shape ``(k_i,)``."""
    cache = _cache(env)
    key = ("participation_reference", i)
    if key not in cache:
        u = env.valuations[i]
        if u.ndim == 2:
            ref = u.min(axis=-1)
        else:
            ref = np.moveaxis(u, i, 0).reshape(env.n_types[i], -1).min(axis=1)
        cache[key] = v.frozen(ref)
    return cache[key]


def participation_valuations(env) -> tuple[np.ndarray, ...]:
    """Per player u_i(x, θ) − r_i(θ_i) (see :func:`participation_reference`), read-only, cached."""
    cache = _cache(env)
    if "participation" not in cache:
        out = []
        for i, u in enumerate(env.valuations):
            ref = participation_reference(env, i)
            if u.ndim == 2:
                out.append(v.frozen(u - ref[:, None]))
            else:
                shape = [1] * env.n_players + [1]
                shape[i] = env.n_types[i]
                out.append(v.frozen(u - ref.reshape(shape)))
        cache["participation"] = tuple(out)
    return cache["participation"]


def _largest(arrays) -> tuple[float, ...]:
    return tuple(float(np.abs(a).max(initial=0.0)) for a in arrays)


def incentive_scales(env) -> tuple[float, ...]:
    """Per player, the largest difference of u_i between two alternatives at one type (profile)."""
    cache = _cache(env)
    if "incentive_scales" not in cache:
        cache["incentive_scales"] = _largest(incentive_valuations(env))
    return cache["incentive_scales"]


def welfare_scale(env) -> float:
    """Σ_i (incentive scale of i): a bound on every welfare difference between two alternatives."""
    total = 0.0
    for s in incentive_scales(env):
        total += s
    return total


def participation_scales(env) -> tuple[float, ...]:
    """Per player, the largest |u_i − r_i(θ_i)|."""
    cache = _cache(env)
    if "participation_scales" not in cache:
        cache["participation_scales"] = _largest(participation_valuations(env))
    return cache["participation_scales"]


def threshold(atol: float, rtol: float, *scales: float) -> float:
    """``atol + rtol · max(scales)``: the tolerance of one comparison."""
    return atol + rtol * max(scales, default=0.0)


def payoff_offsets(payoffs: np.ndarray, n_players: int) -> tuple[np.ndarray, np.ndarray]:
    """Normalised payoffs of a Bayesian game and each player's scale.

    ``payoffs`` has shape ``(k_1..k_N, |A_1|..|A_N|, N)``; player i's reference
    at a type profile θ is her smallest payoff over all action profiles, which
    changes none of her comparisons. Returns ``(normalised payoffs, scales)``
    with ``scales[i]`` the largest normalised payoff of player i.
    """
    n = n_players
    action_axes = tuple(range(n, 2 * n))
    ref = payoffs.min(axis=action_axes, keepdims=True)
    normalised = payoffs - ref
    scales = np.abs(normalised).max(axis=tuple(range(2 * n)), initial=0.0) if normalised.size else np.zeros(n)
    return v.frozen(normalised), v.frozen(np.asarray(scales, dtype=float))


def normalised_environment(env):
    """The environment with :func:`incentive_valuations` as its valuations (cached; same prior).

    Its efficient decisions, welfare differences and incentives are those of
    ``env``; only the levels of utility differ.
    """
    from mechdesign.model.environment import Environment

    cache = _cache(env)
    if "environment" not in cache:
        normalised = Environment(env.players, env.alternatives, env._types_argument(), env.prior,
                                 incentive_valuations(env))
        _cache(normalised)["environment"] = normalised
        cache["environment"] = normalised
    return cache["environment"]
