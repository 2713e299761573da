"""Block kernel for the per-profile audits and expectations of a direct mechanism.

Ex-post IR, budget balance and efficiency compare numbers profile by profile;
welfare, revenue and the ex-ante checks are expectations under the prior. One
pass over blocks of the whole profile space (no axis kept whole) computes what
is asked: per-block maxima with the first maximiser in C order, and per-tile
sums (see :mod:`mechdesign.compute.blocks`) so that every result is identical
for every block size and backend.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mechdesign.compute.blocks import Block, tile_sums
from mechdesign.mechanisms.blockwise import profile_weights, utility_on
from mechdesign.mechanisms.direct import DirectMechanism
from mechdesign.model.environment import Environment

#: What a pass can compute.
WANTS = frozenset({"ir", "budget", "efficiency", "expectations"})


def bytes_per_profile(env: Environment) -> int:
    """Working memory of :func:`profile_block` per profile."""
    return 8 * (4 * env.n_alternatives + 4 * env.n_players + 8)


@dataclass(frozen=True)
class ProfileScan:
    """Results of :func:`profile_block` on one block (None where not asked).

    ``ir[i]``, ``budget_weak``, ``budget_strong`` and ``efficiency`` are
    ``(worst value, flat profile index)``; ``sums`` has one row per tile and
    columns E-parts of u_i + m_i for each player i, then Σ_i u_i (welfare),
    then Σ_i m_i (net transfer), each weighted by the prior.
    """

    transfer_scale: float
    ir: list[tuple[float, int]] | None
    budget_weak: tuple[float, int] | None
    budget_strong: tuple[float, int] | None
    efficiency: tuple[float, int] | None
    sums: np.ndarray | None


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


def profile_block(task: tuple[Block, frozenset, tuple], mech: DirectMechanism) -> ProfileScan:
    """Per-profile audits on one block of the whole profile space.

    ``task = (block, wants, outside)``: ``wants`` ⊆ :data:`WANTS`, ``outside``
    one array of outside options per player (for ``"ir"``).
    """
    block, wants, outside = task
    env = mech.env
    n = env.n_players
    shape = block.shape
    indices, lottery, transfers = mech.block(block.region)
    money = [np.ascontiguousarray(transfers[..., i]).ravel() for i in range(n)]
    scale = float(np.abs(transfers).max(initial=0.0))
    values = [_chosen(utility_on(env, i, block.grid), indices, lottery, shape)
              if {"ir", "expectations"} & wants else None for i in range(n)]
    ir = weak = strong = efficiency = sums = None
    if "ir" in wants:
        ir = []
        for i in range(n):
            own = [1] * n
            own[i] = shape[i]
            floor = np.broadcast_to(outside[i][block.region[i]].reshape(own), shape).ravel()
            ir.append(_first_max(floor - (values[i] + money[i]), block.start))
    net = None
    if {"budget", "expectations"} & wants:
        net = money[0].copy()
        for i in range(1, n):
            net += money[i]
    if "budget" in wants:
        weak = _first_max(net, block.start)
        strong = _first_max(np.abs(net), block.start)
    if "efficiency" in wants:
        total = np.zeros((*shape, env.n_alternatives))
        for i in range(n):
            total += utility_on(env, i, block.grid)
        best = total.max(axis=-1).ravel()
        efficiency = _first_max(best - _chosen(total, indices, lottery, shape), block.start)
    if "expectations" in wants:
        w = profile_weights(env, block)
        welfare = values[0].copy()
        for i in range(1, n):
            welfare += values[i]
        columns = [w * (values[i] + money[i]) for i in range(n)] + [w * welfare, w * net]
        sums = tile_sums(np.stack(columns, axis=-1), block.size // block.n_tiles)
    return ProfileScan(scale, ir, weak, strong, efficiency, sums)
