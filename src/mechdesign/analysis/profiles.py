"""Block kernel for the per-profile audits and expectations of a direct mechanism.

Ex-post IR, budget balance and efficiency compare numbers profile by profile;
welfare, revenue and the ex-ante checks are expectations under the prior. One
pass over blocks of the whole profile space (no axis kept whole) computes what
is asked: per-block maxima with the first maximiser in C order, and per-tile
sums (see :mod:`mechdesign.compute.blocks`) so that every result is identical
for every block size and backend.

Each comparison reads the valuations in its own units (see
:mod:`mechdesign.model.offsets`): efficiency with the incentive offsets
removed, IR measured from each player's participation reference, and the
expectations (welfare, utilities) in the environment's own numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mechdesign.compute.blocks import Block, tile_sums
from mechdesign.mechanisms.blockwise import profile_weights
from mechdesign.mechanisms.direct import DirectMechanism
from mechdesign.model import offsets
from mechdesign.model.environment import Environment

#: What a pass can compute.
WANTS = frozenset({"ir", "budget", "efficiency", "expectations", "participation"})


def _utility_on(env: Environment, valuations: tuple[np.ndarray, ...], j: int, types) -> np.ndarray:
    """valuations[j](x, θ) on the block, broadcastable to its shape + (|X|,)."""
    u = valuations[j]
    if u.ndim == 2:
        shape = [1] * env.n_players + [env.n_alternatives]
        shape[j] = len(types[j])
        return u[types[j]].reshape(shape)
    return u[np.ix_(*types)]


def compiled_bytes_per_profile(mech: DirectMechanism) -> int:
    """Working memory of the compiled :func:`profile_block` per profile."""
    env = mech.env
    interdependent = sum(not env.is_private(i) for i in range(env.n_players))
    return mech.block_view_bytes() + 8 * (2 * env.n_players + 3 * interdependent * env.n_alternatives + 2)


def bytes_per_profile(env: Environment) -> int:
    """Working memory of :func:`profile_block` per profile."""
    return 8 * (4 * env.n_alternatives + 6 * env.n_players + 8)


@dataclass(frozen=True)
class ProfileScan:
    """Results of :func:`profile_block` on one block (None where not asked).

    ``ir[i]``, ``budget_weak``, ``budget_strong`` and ``efficiency`` are
    ``(worst value, flat profile index)``; ``sums`` has one row per tile and
    columns E-parts of u_i + m_i for each player i, then Σ_i u_i (welfare),
    then Σ_i m_i (net transfer), each weighted by the prior;
    ``participation`` the tile sums of u_i − r_i(θ_i) + m_i per player.
    ``transfer_scales[i]`` is the largest |m_i| of the block.
    """

    transfer_scales: tuple[float, ...]
    ir: list[tuple[float, int]] | None
    budget_weak: tuple[float, int] | None
    budget_strong: tuple[float, int] | None
    efficiency: tuple[float, int] | None
    sums: np.ndarray | None
    participation: np.ndarray | None = None


def _first_max(values: np.ndarray, start: int) -> tuple[float, int]:
    flat = int(np.argmax(values))
    return float(values[flat]), start + flat


def _chosen(values: np.ndarray, indices: np.ndarray | None, lottery: np.ndarray | None,
            shape: tuple[int, ...]) -> np.ndarray:
    """values(x(θ), θ) at every profile of the block (expected over a lottery), flattened."""
    full = np.broadcast_to(values, (*shape, values.shape[-1]))
    if indices is not None:
        return np.take_along_axis(full, indices[..., None], axis=-1)[..., 0].ravel()
    out = np.zeros(shape)
    for x in range(values.shape[-1]):
        out += lottery[..., x] * full[..., x]
    return out.ravel()


def _units_for_kernel(env: Environment, valuations: tuple[np.ndarray, ...], block: Block):
    """One unit of valuations as :func:`mechdesign.compute.kernels.profiles` reads it."""
    n_alt = env.n_alternatives
    private = np.zeros((env.n_players, max(env.n_types), n_alt))
    inter, where = [], np.full(env.n_players, -1, dtype=np.int64)
    for i, u in enumerate(valuations):
        if u.ndim == 2:
            private[i, :u.shape[0]] = u
        else:
            where[i] = len(inter)
            inter.append(u[block.region].reshape(block.size, n_alt))
    stacked = np.stack(inter) if inter else np.zeros((1, 1, n_alt))
    return private, stacked, where


def _compiled_profile_block(block: Block, wants: frozenset, outside, mech: DirectMechanism) -> ProfileScan:
    from mechdesign.compute import kernels

    env = mech.env
    n = env.n_players
    players = tuple(range(n))
    view = mech.block_view(block.region, players, compiled=True)
    indices, lottery = view.indices, view.lottery
    money = view.transfers(players).reshape(block.size, n)
    need = {"raw": "expectations" in wants, "participation": bool({"ir", "participation"} & wants),
            "incentive": "efficiency" in wants}
    sources = {"raw": env.valuations, "participation": offsets.participation_valuations(env),
               "incentive": offsets.incentive_valuations(env)}
    idle = (np.zeros((n, 1, env.n_alternatives)), np.zeros((1, 1, env.n_alternatives)),
            np.full(n, -1, dtype=np.int64))
    units = {name: _units_for_kernel(env, sources[name], block) if need[name] else idle for name in need}
    floor = np.zeros((n, max(env.n_types)))
    if "ir" in wants:
        for i in range(n):
            floor[i, :env.n_types[i]] = outside[i]
    weights = profile_weights(env, block) if {"expectations", "participation"} & wants else np.zeros(block.size)
    flags = [name in wants for name in ("ir", "budget", "efficiency", "expectations", "participation")]
    scales, (ir, ir_at), (top, top_at), sums = kernels.profiles(
        None if indices is None else indices.reshape(block.size),
        None if indices is not None else lottery.reshape(block.size, env.n_alternatives),
        money, block.shape, [s.start for s in block.region], units, floor, weights, flags,
        block.size // block.n_tiles)
    start = block.start
    at = lambda value, flat: (float(value), start + int(flat))       # noqa: E731
    return ProfileScan(
        tuple(float(s) for s in scales),
        [at(ir[i], ir_at[i]) for i in range(n)] if "ir" in wants else None,
        at(top[0], top_at[0]) if "budget" in wants else None,
        at(top[1], top_at[1]) if "budget" in wants else None,
        at(top[2], top_at[2]) if "efficiency" in wants else None,
        np.ascontiguousarray(sums[:, :n + 2]) if "expectations" in wants else None,
        np.ascontiguousarray(sums[:, n + 2:]) if "participation" in wants else None)


def profile_block(task: tuple[Block, frozenset, tuple, bool], mech: DirectMechanism) -> ProfileScan:
    """Per-profile audits on one block of the whole profile space.

    ``task = (block, wants, outside, compiled)``: ``wants`` ⊆ :data:`WANTS`,
    ``outside`` per player the outside option minus her participation
    reference (for ``"ir"``); ``compiled`` selects the numba kernel.
    """
    block, wants, outside, compiled = task
    if compiled:
        return _compiled_profile_block(block, wants, outside, mech)
    env = mech.env
    n = env.n_players
    shape = block.shape
    indices, lottery, transfers = mech.block(block.region)
    money = [np.ascontiguousarray(transfers[..., i]).ravel() for i in range(n)]
    scales = tuple(float(np.abs(m).max(initial=0.0)) for m in money)
    raw = env.valuations
    values = [_chosen(_utility_on(env, raw, i, block.grid), indices, lottery, shape)
              if "expectations" in wants else None for i in range(n)]
    level = None
    if {"ir", "participation"} & wants:
        part = offsets.participation_valuations(env)
        level = [_chosen(_utility_on(env, part, i, block.grid), indices, lottery, shape) + money[i]
                 for i in range(n)]
    ir = weak = strong = efficiency = sums = participation = None
    if "ir" in wants:
        ir = []
        for i in range(n):
            own = [1] * n
            own[i] = shape[i]
            floor = np.broadcast_to(outside[i][block.region[i]].reshape(own), shape).ravel()
            ir.append(_first_max(floor - level[i], block.start))
    net = None
    if {"budget", "expectations"} & wants:
        net = money[0].copy()
        for i in range(1, n):
            net += money[i]
    if "budget" in wants:
        weak = _first_max(net, block.start)
        strong = _first_max(np.abs(net), block.start)
    if "efficiency" in wants:
        normalised = offsets.incentive_valuations(env)
        total = np.zeros((*shape, env.n_alternatives))
        for i in range(n):
            total += _utility_on(env, normalised, i, block.grid)
        best = total.max(axis=-1).ravel()
        efficiency = _first_max(best - _chosen(total, indices, lottery, shape), block.start)
    if "expectations" in wants:
        w = profile_weights(env, block)
        welfare = values[0].copy()
        for i in range(1, n):
            welfare += values[i]
        columns = [w * (values[i] + money[i]) for i in range(n)] + [w * welfare, w * net]
        sums = tile_sums(np.stack(columns, axis=-1), block.size // block.n_tiles)
    if "participation" in wants:
        w = profile_weights(env, block)
        participation = tile_sums(np.stack([w * level[i] for i in range(n)], axis=-1),
                                  block.size // block.n_tiles)
    return ProfileScan(scales, ir, weak, strong, efficiency, sums, participation)
