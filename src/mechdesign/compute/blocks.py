"""Iterating over a type-profile space in rectangular blocks of bounded size.

A profile space has one axis per player (``shape = n_types``). Kernels work on
*blocks*: rectangles of the space, given as one ``slice`` per axis, that fix
the leading axes and cover the trailing ones whole. Visiting the blocks in
order visits the profiles in C order, so a kernel that keeps the *first*
maximum it meets finds the same witness however the space is cut.

Player audits keep one axis whole (``keep=i``: a player's own type, so that
her truthful and misreported outcomes sit in the same block) and cut the
others' profiles.

Sums need more care: floating-point addition is not associative, so a sum
that follows the block boundaries would change in the last bits with the
block size. The space is therefore also cut into fixed *tiles* (at most
:data:`TILE_PROFILES` profiles of the cut axes, a choice that depends on the
shape only): kernels return one partial sum per tile and the caller adds the
tiles in order. Every block is a whole number of tiles, so results are
bit-identical for every ``chunk_size``, memory limit and backend.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

#: Upper bound on the profiles (of the cut axes) in one tile; fixes the order of every sum.
TILE_PROFILES = 1024

#: Working memory a block may take when neither ``chunk_size`` nor ``memory_limit`` is given.
DEFAULT_MEMORY = 64 * 2**20


@dataclass(frozen=True)
class Block:
    """One rectangle of the profile space.

    Attributes
    ----------
    index : int
        Position of the block in the plan (blocks are visited in this order).
    region : tuple of slice
        One slice per player axis; ``mech_array[region]`` is the block.
    start : int
        Flat C-order index (over the cut axes) of the block's first profile.
    size : int
        Number of profiles of the cut axes in the block.
    first_tile, n_tiles : int
        The tiles the block covers.
    """

    index: int
    region: tuple[slice, ...]
    start: int
    size: int
    first_tile: int
    n_tiles: int

    @property
    def grid(self) -> tuple[np.ndarray, ...]:
        """The block as one array of type indices per player (its Cartesian product is the block)."""
        return tuple(np.arange(s.start, s.stop) for s in self.region)

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of types of each player in the block."""
        return tuple(s.stop - s.start for s in self.region)


class BlockPlan:
    """The blocks and tiles of a profile space.

    Parameters
    ----------
    shape : tuple of int
        Types per player ``(k_1, ..., k_N)``.
    keep : int, optional
        An axis every block covers whole (a player audit's own type).
    profiles_per_block : int
        Target number of profiles (of the whole space, kept axis included) per
        block; rounded down to whole tiles, at least one tile.

    Attributes
    ----------
    tile : int
        Profiles of the cut axes per tile.
    n_tiles : int
    blocks : list of Block
    """

    def __init__(self, shape: tuple[int, ...], keep: int | None, profiles_per_block: int):
        self.shape = tuple(int(k) for k in shape)
        self.keep = keep
        cut = [k for j, k in enumerate(self.shape) if j != keep]
        kept = 1 if keep is None else self.shape[keep]
        split = _tile_split(cut)             # tiles cover the axes cut[split:] whole
        self.tile = math.prod(cut[split:])
        tiles_shape = cut[:split]            # one tile per index of the leading cut axes
        self.n_tiles = math.prod(tiles_shape)
        per_block = max(1, int(profiles_per_block) // (kept * self.tile))
        self.blocks = self._cut(cut, tiles_shape, per_block)

    def _cut(self, cut: list[int], tiles_shape: list[int], per_block: int) -> list[Block]:
        # Rectangles of tiles in C order: fix the axes before `axis`, step along `axis`,
        # cover the remaining tile axes whole.
        axis = 0
        while axis < len(tiles_shape) and math.prod(tiles_shape[axis + 1:]) > per_block:
            axis += 1
        blocks: list[Block] = []
        if axis == len(tiles_shape):          # no tile axes (or one tile): a single block
            self._add(blocks, [slice(0, k) for k in cut], 0)
            return blocks
        inner = math.prod(tiles_shape[axis + 1:])
        step = max(1, per_block // inner)
        for prefix in itertools.product(*(range(k) for k in tiles_shape[:axis])):
            for lo in range(0, tiles_shape[axis], step):
                hi = min(lo + step, tiles_shape[axis])
                slices = [slice(p, p + 1) for p in prefix] + [slice(lo, hi)]
                slices += [slice(0, k) for k in cut[axis + 1:]]
                first = int(np.ravel_multi_index((*prefix, lo, *[0] * (len(tiles_shape) - axis - 1)),
                                                 tiles_shape))
                self._add(blocks, slices, first)
        return blocks

    def _add(self, blocks: list[Block], cut_slices: list[slice], first_tile: int) -> None:
        size = math.prod(s.stop - s.start for s in cut_slices)
        region = list(cut_slices)
        if self.keep is not None:
            region.insert(self.keep, slice(0, self.shape[self.keep]))
        blocks.append(Block(index=len(blocks), region=tuple(region), start=first_tile * self.tile,
                            size=size, first_tile=first_tile, n_tiles=size // self.tile))

    @property
    def cut_axis(self) -> int:
        """The last axis that some block does not cover whole (−1 if every block is the whole space)."""
        last = -1
        for block in self.blocks:
            for j, (s, k) in enumerate(zip(block.region, self.shape)):
                if (s.start, s.stop) != (0, k):
                    last = max(last, j)
        return last

    def __len__(self) -> int:
        return len(self.blocks)

    def __iter__(self):
        return iter(self.blocks)

    def __repr__(self) -> str:
        return (f"BlockPlan(shape={self.shape}, keep={self.keep}, {len(self.blocks)} blocks, "
                f"{self.n_tiles} tiles of {self.tile})")


def _tile_split(cut: list[int]) -> int:
    """Position in ``cut`` (axis lengths) from which the trailing axes make up one tile."""
    split = len(cut)
    while split > 0 and math.prod(cut[split - 1:]) <= TILE_PROFILES:
        split -= 1
    if split == len(cut) and cut:            # the last axis alone exceeds a tile: it is one tile
        split -= 1
    return split


def player_tile(shape: tuple[int, ...], i: int) -> tuple[int, int]:
    """``(tile, first axis)`` of player i's plans (``keep=i``): the tile size and the first profile
    axis it covers (``len(shape)`` when the others' profile is a single one)."""
    axes = [j for j in range(len(shape)) if j != i]
    split = _tile_split([shape[j] for j in axes])
    return math.prod(shape[j] for j in axes[split:]), (axes[split] if split < len(axes) else len(shape))


def serves_player(shape: tuple[int, ...], cut_axis: int, i: int) -> bool:
    """Whether the blocks of a whole-space plan cutting axes up to ``cut_axis`` are blocks of player i.

    True when i's axis and her tiles lie after ``cut_axis``: each block then
    covers all her types and a run of whole tiles of the others' profiles, in
    order (see :func:`player_block`).
    """
    return i > cut_axis and player_tile(shape, i)[1] > cut_axis


def player_block(shape: tuple[int, ...], block: Block, i: int) -> Block:
    """A block of a whole-space plan seen as a block of player i's plan (:func:`serves_player`)."""
    others = [j for j in range(len(shape)) if j != i]
    start = int(np.ravel_multi_index([block.region[j].start for j in others], [shape[j] for j in others])) \
        if others else 0
    size = block.size // shape[i]
    tile, _ = player_tile(shape, i)
    return Block(index=block.index, region=block.region, start=start, size=size, first_tile=start // tile,
                 n_tiles=size // tile)


def profiles_per_block(bytes_per_profile: int, chunk_size: int | None, memory_limit: int | None) -> int:
    """Block size in profiles: ``chunk_size`` if given, else the memory budget over the cost per profile."""
    if chunk_size is not None:
        return chunk_size
    budget = DEFAULT_MEMORY if memory_limit is None else memory_limit
    return max(1, budget // max(1, bytes_per_profile))


def tile_sums(values: np.ndarray, tile: int) -> np.ndarray:
    """Sum ``values`` (leading axis: profiles of a block, in C order) per tile of ``tile`` profiles.

    Returns shape ``(n_tiles, *values.shape[1:])``. Each tile is summed as one
    contiguous run of ``tile`` numbers (numpy's pairwise summation along the
    last axis), so a tile's sum depends on its numbers only, not on how many
    tiles the block holds.
    """
    n = values.shape[0]
    rest = values.shape[1:]
    runs = np.ascontiguousarray(np.moveaxis(values.reshape((n // tile, tile, -1)), 1, -1))
    return runs.sum(axis=-1).reshape((n // tile, *rest))


def fold(partials: list[np.ndarray]) -> np.ndarray:
    """Add per-tile partial sums (blocks in order) one tile at a time, left to right."""
    stacked = np.concatenate(partials, axis=0)
    total = np.zeros(stacked.shape[1:])
    for row in stacked:
        total = total + row
    return total
