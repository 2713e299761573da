"""Groves mechanisms and the VCG (Clarke pivot) mechanism.

A Groves mechanism takes the first-best decision x*(θ̂) and pays each player
the others' reported welfare plus a term that does not depend on her report
(seed 000, Tadelis 14.3):

    m_i(θ̂) = Σ_{j≠i} u_j(x*(θ̂), θ̂_j) + h_i(θ̂_-i)

so each player's utility is total welfare (by her true type) plus h_i, and
truth-telling is a dominant strategy with private values. The Clarke pivot
h_i(θ̂_-i) = −max_x Σ_{j≠i} u_j(x, θ̂_j) makes each player pay the externality
she imposes on the others (VCG).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.compute.backends import Compute, compute_options
from mechdesign.mechanisms import blockwise
from mechdesign.mechanisms.direct import DirectMechanism
from mechdesign.mechanisms.efficient import TIES, _tie_tolerance, chosen_value, chosen_welfare, efficient_decision
from mechdesign.model.environment import Environment


def _check_env(env: Any) -> Environment:
    if not isinstance(env, Environment):
        raise v.fail("env", "an Environment", type(env).__name__)
    return env


def _others_shape(env: Environment, i: int) -> tuple[int, ...]:
    return tuple(k for j, k in enumerate(env.n_types) if j != i)


def _expand(env: Environment, i: int, h_i: np.ndarray) -> np.ndarray:
    """Insert player i's axis (length 1) into an array over θ_-i, to broadcast over profiles."""
    return np.expand_dims(h_i, axis=i)


def _validate_h(env: Environment, h: Any) -> list[np.ndarray]:
    """Turn ``h`` (callable or per-player arrays) into arrays over θ_-i, one per player."""
    n = env.n_players
    if callable(h):
        out = []
        for i in range(n):
            shape = _others_shape(env, i)
            values = np.empty(shape)
            for others in np.ndindex(*shape):
                try:
                    values[others] = float(h(i, tuple(int(t) for t in others)))
                except Exception as exc:  # name the failing call instead of a bare traceback
                    raise v.fail("h", "a callable h(i, others_profile) returning a number",
                                 f"{type(exc).__name__}: {exc} at h({i}, {others})") from exc
            out.append(v.float_array(values, f"h (player {env.players[i]!r})"))
        return out
    if isinstance(h, (str, bytes)) or not isinstance(h, (Sequence, np.ndarray)) or len(h) != n:
        raise v.fail("h", f"a callable h(i, others_profile) or one array per player ({n})",
                     type(h).__name__ if not hasattr(h, "__len__") else f"{len(h)} entries")
    out = []
    for i, h_i in enumerate(h):
        name = f"h[{env.players[i]!r}]"
        shape = _others_shape(env, i)
        arr = v.float_array(h_i, name)
        if arr.shape == shape:
            out.append(arr)
        elif arr.ndim == 1 and arr.size == int(np.prod(shape)):
            out.append(v.frozen(arr.reshape(shape).copy()))
        elif arr.shape == env.n_types:
            spread = np.ptp(arr, axis=i).max(initial=0.0)
            if spread > 1e-12 * max(1.0, np.abs(arr).max()):
                raise v.fail(name, f"h_i must not depend on player {env.players[i]!r}'s own report "
                             f"(an array over the others' types, shape {shape})",
                             f"values that vary with θ_{i} by up to {spread:.6g}")
            out.append(v.frozen(np.take(arr, 0, axis=i).copy()))
        else:
            raise v.fail(name, f"an array over the others' types of shape {shape} (h_i may not depend on θ_i)",
                         f"shape {arr.shape}")
    return out


def groves(env: Environment, h: Any, *, ties: str = "lowest", name: str = "Groves", lazy: bool = False, chunk_size: int | None = None,
           memory_limit: int | None = None, backend: str = "numpy", scheduler: Any = None,
           progress: Any = None) -> DirectMechanism:
    """A Groves mechanism: efficient decision and m_i = Σ_{j≠i} u_j(x*, θ̂_j) + h_i(θ̂_-i).

    Parameters
    ----------
    env : Environment
        With private values the mechanism is DSIC (Tadelis 14.3); with
        interdependent values u_j is evaluated at the reported profile and no
        incentive guarantee holds.
    h : callable or list of arrays
        ``h(i, others)`` with ``others`` the tuple of the other players' type
        indices (player order, i removed), or one array per player of shape
        ``(k_j for j ≠ i)``. A full-profile array is accepted only if it is
        constant in θ_i.
    ties : {"lowest", "uniform"}
        Tie-breaking of the efficient decision (see :func:`efficient_decision`).
    name : str
        Name shown in reports.
    lazy : bool
        Return a :class:`~mechdesign.LazyDirectMechanism` that computes each
        block of profiles when an audit reads it instead of storing the arrays
        (for environments too large for memory); its numbers are identical.
    chunk_size, memory_limit, backend, scheduler, progress
        Execution options (see :mod:`mechdesign.compute`): build block by
        block, in this process or on a Dask cluster; the result is the same.
    """
    env = _check_env(env)
    opts = compute_options(chunk_size, memory_limit, backend, scheduler, progress)
    if lazy or opts != Compute():
        function = blockwise.GrovesFunction(env, v.choice(ties, "ties", TIES), _tie_tolerance(env), _validate_h(env, h))
        return blockwise.build(env, function, name, lazy, opts)
    decision = efficient_decision(env, ties=ties)
    hs = _validate_h(env, h)
    welfare = chosen_welfare(env, decision)
    transfers = np.empty((*env.n_types, env.n_players))
    for i in range(env.n_players):
        transfers[..., i] = welfare - chosen_value(env, decision, i) + _expand(env, i, hs[i])
    return DirectMechanism(env, decision, transfers, name=name)


def clarke_pivot(env: Environment) -> list[np.ndarray]:
    """The Clarke pivot h_i(θ_-i) = −max_x Σ_{j≠i} u_j(x, θ_j), one array over θ_-i per player.

    Raises
    ------
    SpecError
        With interdependent values (Σ_{j≠i} u_j would depend on θ_i).
    """
    env = _check_env(env)
    if not env.private_values:
        raise v.fail("env", "private values (the Clarke pivot must not depend on θ_i)", "interdependent values")
    pivots = []
    for i in range(env.n_players):
        without_i = np.zeros([1] * env.n_players + [env.n_alternatives])   # axis i stays of length 1
        for j in range(env.n_players):
            if j != i:
                without_i = without_i + env.utility_broadcast(j)
        pivots.append(-np.take(without_i, 0, axis=i).max(axis=-1))
    return pivots


def vcg(env: Environment, *, ties: str = "lowest", lazy: bool = False, chunk_size: int | None = None,
        memory_limit: int | None = None, backend: str = "numpy", scheduler: Any = None,
        progress: Any = None) -> DirectMechanism:
    """The Vickrey–Clarke–Groves mechanism: Groves with the Clarke pivot.

    Each player pays the externality she imposes on the others,
    max_x Σ_{j≠i} u_j(x, θ_j) − Σ_{j≠i} u_j(x*(θ), θ_j) ≥ 0. In a single-item
    auction this is the second-price auction.

    Parameters
    ----------
    env : Environment
        Private values.
    ties : {"lowest", "uniform"}
        Tie-breaking of the efficient decision (see :func:`efficient_decision`).
    lazy : bool
        Return a :class:`~mechdesign.LazyDirectMechanism` that computes each
        block of profiles when an audit reads it instead of storing the arrays
        (for environments too large for memory); its numbers are identical.
    chunk_size, memory_limit, backend, scheduler, progress
        Execution options (see :mod:`mechdesign.compute`): build block by
        block, in this process or on a Dask cluster; the result is the same.
    """
    env = _check_env(env)
    opts = compute_options(chunk_size, memory_limit, backend, scheduler, progress)
    if lazy or opts != Compute():
        if not env.private_values:
            raise v.fail("env", "private values (the Clarke pivot must not depend on θ_i)", "interdependent values")
        function = blockwise.GrovesFunction(env, v.choice(ties, "ties", TIES), _tie_tolerance(env), None)
        return blockwise.build(env, function, "VCG", lazy, opts)
    return groves(env, clarke_pivot(env), ties=ties, name="VCG")
