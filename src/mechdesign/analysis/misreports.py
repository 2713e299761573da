"""Block kernels for a player's gains from misreporting in a direct mechanism.

For player i, write o for a profile of the *others'* types (flattened in C
order, player order with i removed), t for i's true type and r for her report.
``value[o, t, r]`` is E_x[u_i(x, θ)] when the others report o and i reports r,
with θ = (t, o) the true profile. Adding her transfer m_i(r, o) gives her
utility.

The kernels work on one block of a :class:`~mechdesign.compute.blocks.BlockPlan`
with i's axis kept whole: a contiguous range of o, all t and r. Arrays are laid
out ``(o, t, r)`` so that scanning the blocks in order visits (o, t, r) in C
order, and the first maximiser found is the same however the others' profiles
are blocked. Every value is computed element by element (no matrix products,
whose rounding may depend on the array shape), and sums go through fixed tiles,
so results are bit-identical for every block size and backend.

Valuations are read in the units the caller asks for (see
:mod:`mechdesign.model.offsets`): ``"incentive"`` (offsets removed per type or
profile; DSIC and BIC), ``"participation"`` (measured from each type's
participation reference; interim IR) or ``"raw"`` (the environment's own
numbers; the interim utilities reported to users).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mechdesign.compute.blocks import Block, fold, tile_sums
from mechdesign.mechanisms.blockwise import others_weights
from mechdesign.mechanisms.direct import DirectMechanism
from mechdesign.model import offsets
from mechdesign.model.environment import Environment

UNITS = ("incentive", "participation", "raw")


def valuations_in(env: Environment, units: str) -> tuple[np.ndarray, ...]:
    """The players' valuations in ``units`` (one of :data:`UNITS`)."""
    if units == "incentive":
        return offsets.incentive_valuations(env)
    if units == "participation":
        return offsets.participation_valuations(env)
    return env.valuations


def compiled_bytes_per_profile(mech: DirectMechanism) -> int:
    """Working memory of :func:`compiled_block` per profile of a block."""
    return mech.block_view_bytes() + 16


def bytes_per_profile(env: Environment, i: int) -> int:
    """Working memory of the misreport kernels per profile of player i's view (about six (t, r) arrays)."""
    return 6 * 8 * max(env.n_types[i], env.n_alternatives)


class PlayerBlock:
    """Player i's slice of a mechanism on one block: ``n`` others' profiles × her k types."""

    def __init__(self, mech: DirectMechanism, i: int, block: Block, units: str = "incentive"):
        env = mech.env
        self.i = i
        self.k = env.n_types[i]
        self.n = block.size
        self.n_alternatives = env.n_alternatives
        indices, lottery, transfers = mech.block(block.region, players=(i,))
        self.money = np.moveaxis(transfers[..., i], i, -1).reshape(self.n, self.k)
        self.transfer_scale = float(np.abs(self.money).max(initial=0.0))     # player i's transfers
        if indices is not None:
            self.indices = np.moveaxis(indices, i, -1).reshape(self.n, self.k)
            self.lottery = None
        else:
            self.indices = None
            self.lottery = np.moveaxis(lottery, i, -2).reshape(self.n, self.k, self.n_alternatives)
        u = valuations_in(env, units)[i]
        self.private = u.ndim == 2
        if self.private:
            self.utility = u                                              # (t, x)
        else:
            self.utility = np.moveaxis(u[block.region], i, -2).reshape(self.n, self.k, self.n_alternatives)

    def values(self) -> np.ndarray:
        """``value[o, t, r]``, shape ``(n, k, k)``."""
        k = self.k
        if self.indices is not None:
            if self.private:
                return self.utility[np.arange(k)[None, :, None], self.indices[:, None, :]]
            idx = np.broadcast_to(self.indices[:, None, :], (self.n, k, k))
            return np.take_along_axis(self.utility, idx, axis=2)
        out = np.zeros((self.n, k, k))
        for x in range(self.n_alternatives):                               # Σ_x p(r, o; x) u(x; t, o)
            p = self.lottery[:, None, :, x]                                 # (o, 1, r)
            u = self.utility[None, :, x, None] if self.private else self.utility[:, :, x, None]
            out += p * u
        return out

    def utilities(self) -> np.ndarray:
        """``value[o, t, r] + m_i(r, o)``, shape ``(n, k, k)``."""
        return self.values() + self.money[:, None, :]


class CompiledBlock:
    """Player i's slice of a block as the compiled kernels read it (:mod:`mechdesign.compute.kernels`).

    Views of shape ``(pre, k, post)`` of a :class:`~mechdesign.mechanisms.direct.BlockView`
    (the block with i's axis in the middle; others' profile o = p·post + q,
    C order), made without copying where numpy can.
    """

    def __init__(self, env: Environment, i: int, block: Block, view, units: str = "incentive"):
        shape = block.shape
        pre, k, post = math.prod(shape[:i]), shape[i], math.prod(shape[i + 1:])
        self.i, self.k, self.n = i, k, block.size
        self.money = view.money(i).reshape(pre, k, post)
        self.indices = None if view.indices is None else view.indices.reshape(pre, k, post)
        self.lottery = None if view.indices is not None else view.lottery.reshape(pre, k, post, env.n_alternatives)
        u = valuations_in(env, units)[i]
        self.private = u.ndim == 2
        self.u2 = u if self.private else _NO_PRIVATE
        self.u4 = _NO_INTERDEPENDENT if self.private else u[block.region].reshape(pre, k, post, -1)


_NO_PRIVATE = np.zeros((1, 1))
_NO_INTERDEPENDENT = np.zeros((1, 1, 1, 1))


@dataclass(frozen=True)
class DsicScan:
    """Largest ex-post gain from misreporting for one player on one block, and where it occurs."""

    gain: float
    others: int
    true_type: int
    report: int
    transfer_scale: float


def _dsic_scan(view: PlayerBlock, block: Block) -> DsicScan:
    utility = view.utilities()                                         # (o, t, r)
    diag = np.arange(view.k)
    gain = utility - utility[:, diag, diag][:, :, None]
    flat = int(np.argmax(gain))
    o, t, r = np.unravel_index(flat, gain.shape)
    return DsicScan(float(gain.flat[flat]), block.start + int(o), int(t), int(r), view.transfer_scale)


def _compiled_dsic_scan(view: CompiledBlock, block: Block) -> DsicScan:
    from mechdesign.compute import kernels

    if view.indices is not None:
        gain, o, t, r, scale = kernels.dsic_det(view.indices, view.money, view.u2, view.u4, view.private)
    else:
        gain, o, t, r, scale = kernels.dsic_lottery(view.lottery, view.money, view.u2, view.u4, view.private)
    return DsicScan(float(gain), block.start + int(o), int(t), int(r), float(scale))


def dsic_block(task: tuple[int, Block], mech: DirectMechanism) -> DsicScan:
    """Worst gain of player i on a block (first maximiser in (o, t, r) C order)."""
    i, block = task
    return _dsic_scan(PlayerBlock(mech, i, block), block)


@dataclass(frozen=True)
class InterimPartial:
    """Per-tile partial sums of a block towards player i's interim table.

    With an independent prior and private values the table is
    ``U[t, r] = u[t] · lottery[r] + money[r]`` from the expected lottery and
    money of each report (O(k·|X|) per profile instead of O(k²)); otherwise
    the tiles hold Σ_o belief[t, o] · utility[o, t, r] directly (its diagonal
    only when ``diagonal`` is set).
    """

    lottery: np.ndarray | None        # (tiles, r, x)
    money: np.ndarray | None          # (tiles, r)
    table: np.ndarray | None          # (tiles, t, r) or (tiles, t)
    transfer_scale: float


def _interim_partial(view: PlayerBlock, block: Block, env: Environment, diagonal: bool) -> InterimPartial:
    weights = others_weights(env, view.i, block)
    tile = block.size // block.n_tiles
    if weights.ndim == 1 and view.private:
        if view.indices is not None:
            lottery = np.zeros((view.n, view.k, view.n_alternatives))
            np.put_along_axis(lottery, view.indices[:, :, None], weights[:, None, None], axis=2)
        else:
            lottery = view.lottery * weights[:, None, None]
        return InterimPartial(tile_sums(lottery, tile), tile_sums(view.money * weights[:, None], tile), None,
                              view.transfer_scale)
    beliefs = np.broadcast_to(weights, (view.k, view.n)) if weights.ndim == 1 else weights
    utility = view.utilities()
    if diagonal:
        diag = np.arange(view.k)
        weighted = utility[:, diag, diag] * beliefs.T                    # (o, t)
    else:
        weighted = utility * beliefs.T[:, :, None]                       # (o, t, r)
    return InterimPartial(None, None, tile_sums(weighted, tile), view.transfer_scale)


def _compiled_interim_partial(view: CompiledBlock, block: Block, env: Environment,
                              diagonal: bool) -> InterimPartial:
    from mechdesign.compute import kernels

    weights = others_weights(env, view.i, block)
    tile = block.size // block.n_tiles
    if weights.ndim == 1 and view.private:
        lottery, money, scale = kernels.interim_marginal(view.indices, view.lottery, view.money, weights,
                                                         env.n_alternatives, tile)
        return InterimPartial(lottery, money, None, scale)
    beliefs = np.broadcast_to(weights, (view.k, view.n)) if weights.ndim == 1 else weights
    table, scale = kernels.interim_full(view.indices, view.lottery, view.money, view.u2, view.u4, view.private,
                                        beliefs, diagonal, tile)
    return InterimPartial(None, None, table, scale)


def interim_block(task: tuple[int, Block, bool, str], mech: DirectMechanism) -> InterimPartial:
    """Tile sums of player i's interim utilities on a block (others truthful), in ``units``."""
    i, block, diagonal, units = task
    return _interim_partial(PlayerBlock(mech, i, block, units), block, mech.env, diagonal)


def incentive_block(task: tuple[int, Block], mech: DirectMechanism) -> tuple[DsicScan, InterimPartial]:
    """:func:`dsic_block` and :func:`interim_block` (full table) from one read of the block."""
    i, block = task
    view = PlayerBlock(mech, i, block)
    return _dsic_scan(view, block), _interim_partial(view, block, mech.env, False)


#: What a compiled task computes for each of its players.
JOBS = ("dsic", "interim", "incentive")


def compiled_block(task: tuple[tuple[int, ...], tuple[Block, ...], tuple], mech: DirectMechanism) -> list:
    """The compiled kernels on one region for several players, the mechanism read once.

    ``task = (players, blocks, job)``: one block per player listed, all on
    the same region — a block of the whole profile space seen as a block of
    each player's plan (:func:`mechdesign.compute.blocks.player_block`), or a
    block of the single player's own plan; ``job`` is ``("dsic",)``,
    ``("interim", diagonal, units)`` or ``("incentive",)``. Returns one result
    per player, as :func:`dsic_block`, :func:`interim_block` or
    :func:`incentive_block` would on her blocks.
    """
    players, blocks, job = task
    env = mech.env
    view = mech.block_view(blocks[0].region, players, compiled=True)
    out = []
    for i, own in zip(players, blocks):
        units = job[2] if job[0] == "interim" else "incentive"
        player = CompiledBlock(env, i, own, view, units)
        if job[0] == "dsic":
            out.append(_compiled_dsic_scan(player, own))
        elif job[0] == "interim":
            out.append(_compiled_interim_partial(player, own, env, job[1]))
        else:
            out.append((_compiled_dsic_scan(player, own), _compiled_interim_partial(player, own, env, False)))
    return out


def interim_table(env: Environment, i: int, partials: list[InterimPartial], units: str = "incentive") -> np.ndarray:
    """Combine a player's block partials (in block order) into ``U[t, r]`` (or its diagonal ``U[t, t]``)."""
    if partials[0].table is not None:
        return fold([p.table for p in partials])
    lottery = fold([p.lottery for p in partials])                       # (r, x)
    money = fold([p.money for p in partials])                           # (r,)
    u = valuations_in(env, units)[i]                                    # (t, x)
    table = np.zeros((u.shape[0], lottery.shape[0]))
    for x in range(lottery.shape[1]):
        table += u[:, x, None] * lottery[None, :, x]
    return table + money[None, :]
