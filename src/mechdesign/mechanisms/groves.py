"""Groves mechanisms and the VCG (Clarke pivot) mechanism.

A Groves mechanism takes the first-best decision x*(θ̂) and pays each player
the others' reported welfare plus a term that does not depend on her report
(Tadelis 2013, §14.3):

    m_i(θ̂) = Σ_{j≠i} u_j(x*(θ̂), θ̂_j) + h_i(θ̂_-i)

so each player's utility is total welfare (by her true type) plus h_i, and
truth-telling is a dominant strategy with private values. The Clarke pivot
h_i(θ̂_-i) = −max_x Σ_{j≠i} u_j(x, θ̂_j) makes each player pay the externality
she imposes on the others (VCG).

The Clarke pivot compares with the best alternative *for the others*, which
presumes every alternative stays feasible without player i. When that is not
so — in bilateral trade "trade" needs the seller — pivot at a status-quo
alternative x0 instead: h_i(θ̂_-i) = −Σ_{j≠i} u_j(x0, θ̂_j)
(:func:`status_quo_pivot`, ``vcg(env, pivot="status_quo", status_quo=x0)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.compute.backends import Compute, compute_options
from mechdesign.mechanisms import blockwise
from mechdesign.mechanisms.direct import DirectMechanism
from mechdesign.mechanisms.efficient import TIES, _tie_tolerance, chosen_value, efficient_decision
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
                args = (i, tuple(int(t) for t in others))
                values[others] = v.call_user(lambda: float(h(*args)), (), "h",
                                             "a callable h(i, others_profile) returning a number",
                                             f"h({i}, {others})")
            out.append(v.float_array(values, f"h (player {env.players[i]!r})", bounded=True))
        return out
    if isinstance(h, (str, bytes)) or not isinstance(h, (Sequence, np.ndarray)) or len(h) != n:
        raise v.fail("h", f"a callable h(i, others_profile) or one array per player ({n})",
                     type(h).__name__ if not hasattr(h, "__len__") else f"{len(h)} entries")
    out = []
    for i, h_i in enumerate(h):
        name = f"h[{env.players[i]!r}]"
        shape = _others_shape(env, i)
        arr = v.float_array(h_i, name, bounded=True)
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
    lazy = v.flag(lazy, "lazy")
    opts = compute_options(chunk_size, memory_limit, backend, scheduler, progress)
    if lazy or opts != Compute():
        function = blockwise.GrovesFunction(env, v.choice(ties, "ties", TIES), _tie_tolerance(env), _validate_h(env, h))
        return blockwise.build(env, function, name, lazy, opts)
    decision = efficient_decision(env, ties=ties)
    hs = _validate_h(env, h)
    n = env.n_players
    # others[i] = Σ_{j≠i} u_j(x*, θ̂_j), summed in player order as the pivots sum it, so that a
    # Clarke (or status-quo) tax is exactly 0, not a rounding residue, when i is not pivotal.
    others = np.zeros((n, *env.n_types))
    for j in range(n):
        value_j = chosen_value(env, decision, j)
        for i in range(n):
            if i != j:
                others[i] += value_j
        del value_j
    for i in range(n):
        others[i] += _expand(env, i, hs[i])
    return DirectMechanism(env, decision, np.moveaxis(others, 0, -1), name=name)


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


def status_quo_pivot(env: Environment, status_quo: int | str) -> list[np.ndarray]:
    """The status-quo pivot h_i(θ_-i) = −Σ_{j≠i} u_j(x0, θ_j), one array over θ_-i per player.

    With it a Groves mechanism pays each player the others' gain over the
    status quo x0, m_i = Σ_{j≠i} [u_j(x*, θ_j) − u_j(x0, θ_j)]. This is the
    textbook VCG mechanism of bilateral trade (Krishna and Perry 1998;
    Myerson and Satterthwaite 1983): with x0 = "no trade" the seller receives
    the buyer's value and the buyer pays the seller's cost, so every player
    gets the whole gain from trade and the designer pays the difference.

    Parameters
    ----------
    env : Environment
        Private values.
    status_quo : int or str
        The alternative x0 (index or name) that is chosen when no agreement is
        reached, i.e. that is always feasible without any one player.

    Raises
    ------
    SpecError
        With interdependent values, or an unknown ``status_quo``.
    """
    env = _check_env(env)
    if not env.private_values:
        raise v.fail("env", "private values (the pivot must not depend on θ_i)", "interdependent values")
    x0 = v.lookup(status_quo, "status_quo", env.alternatives)
    pivots = []
    for i in range(env.n_players):
        without_i = np.zeros([1] * env.n_players)
        for j in range(env.n_players):
            if j != i:
                without_i = without_i + env.utility_broadcast(j)[..., x0]
        pivots.append(-np.take(without_i, 0, axis=i))
    return pivots


PIVOTS = ("clarke", "status_quo")


def vcg(env: Environment, *, pivot: str = "clarke", status_quo: int | str | None = None,
        ties: str = "lowest", lazy: bool = False, chunk_size: int | None = None,
        memory_limit: int | None = None, backend: str = "numpy", scheduler: Any = None,
        progress: Any = None) -> DirectMechanism:
    """The Vickrey–Clarke–Groves mechanism: Groves with a pivot term.

    With the Clarke pivot (default) each player pays the externality she
    imposes on the others, max_x Σ_{j≠i} u_j(x, θ_j) − Σ_{j≠i} u_j(x*(θ), θ_j) ≥ 0.
    In a single-item auction this is the second-price auction.

    Parameters
    ----------
    env : Environment
        Private values.
    pivot : {"clarke", "status_quo"}
        ``"clarke"``: h_i = −max_x Σ_{j≠i} u_j(x, θ_j) (:func:`clarke_pivot`);
        this presumes every alternative is feasible without player i.
        ``"status_quo"``: h_i = −Σ_{j≠i} u_j(x0, θ_j) for the alternative x0
        given as ``status_quo`` (:func:`status_quo_pivot`); use it when an
        alternative needs every player, as trade needs the seller.
    status_quo : int or str, optional
        The status-quo alternative; required with ``pivot="status_quo"`` and
        refused otherwise.
    ties : {"lowest", "uniform"}
        Tie-breaking of the efficient decision (see :func:`efficient_decision`).
    lazy : bool
        Return a :class:`~mechdesign.LazyDirectMechanism` that computes each
        block of profiles when an audit reads it instead of storing the arrays
        (for environments too large for memory); its numbers are identical.
    chunk_size, memory_limit, backend, scheduler, progress
        Execution options (see :mod:`mechdesign.compute`): build block by
        block, in this process or on a Dask cluster; the result is the same.

    Examples
    --------
    >>> import mechdesign as md
    >>> env = md.examples.bilateral_trade()
    >>> mech = md.vcg(env, pivot="status_quo", status_quo="no trade")
    >>> mech.transfers[1, 2]          # cost 1, value 2: the seller gets 2, the buyer pays 1
    array([ 2., -1.])
    """
    env = _check_env(env)
    lazy = v.flag(lazy, "lazy")
    pivot = v.choice(pivot, "pivot", PIVOTS)
    opts = compute_options(chunk_size, memory_limit, backend, scheduler, progress)
    blocks = lazy or opts != Compute()
    if pivot == "clarke":
        if status_quo is not None:
            raise v.fail("status_quo", 'no status quo with pivot="clarke" (use pivot="status_quo")',
                         repr(status_quo))
        if not blocks:
            return groves(env, clarke_pivot(env), ties=ties, name="VCG")
        if not env.private_values:
            raise v.fail("env", "private values (the Clarke pivot must not depend on θ_i)", "interdependent values")
        function = blockwise.GrovesFunction(env, v.choice(ties, "ties", TIES), _tie_tolerance(env), None)
        return blockwise.build(env, function, "VCG", lazy, opts)    # the Clarke pivot is computed per block
    if status_quo is None:
        raise v.fail("status_quo", 'the status-quo alternative (a name or index) with pivot="status_quo"', "None")
    h = status_quo_pivot(env, status_quo)
    x0 = env.alternatives[v.lookup(status_quo, "status_quo", env.alternatives)]
    return groves(env, h, ties=ties, name=f"VCG (status quo {x0!r})", lazy=lazy, chunk_size=chunk_size,
                  memory_limit=memory_limit, backend=backend, scheduler=scheduler, progress=progress)
