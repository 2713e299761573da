"""Block plans: every profile exactly once, in C order, in whole tiles; tile sums fixed by the tiles."""

import math

import numpy as np
from hypothesis import given, settings, strategies as st

from mechdesign.compute import blocks
from mechdesign.compute.blocks import BlockPlan, fold, profiles_per_block, tile_sums

shapes = st.lists(st.integers(1, 5), min_size=1, max_size=4).map(tuple)


@settings(max_examples=60, deadline=None)
@given(shape=shapes, keep_seed=st.integers(0, 10), size=st.integers(1, 200), tile=st.integers(1, 30))
def test_blocks_cover_the_space_in_c_order_with_whole_tiles(shape, keep_seed, size, tile):
    old = blocks.TILE_PROFILES
    blocks.TILE_PROFILES = tile
    try:
        keep = None if keep_seed % (len(shape) + 1) == len(shape) else keep_seed % (len(shape) + 1)
        plan = BlockPlan(shape, keep, size)
    finally:
        blocks.TILE_PROFILES = old
    cut = tuple(k for j, k in enumerate(shape) if j != keep)
    seen = []
    start = 0
    for block in plan:
        assert block.start == start and block.size % plan.tile == 0 and block.n_tiles == block.size // plan.tile
        if keep is not None:
            assert block.region[keep] == slice(0, shape[keep])
        cut_region = [s for j, s in enumerate(block.region) if j != keep]
        if cut:
            grid = np.indices([s.stop - s.start for s in cut_region]).reshape(len(cut), -1)
            seen.extend(np.ravel_multi_index(grid + np.array([[s.start] for s in cut_region]), cut).tolist())
        else:                                                # one player, kept whole: one "profile" of others
            seen.append(0)
        start += block.size
    assert seen == list(range(math.prod(cut)))              # each profile once, C order
    assert plan.n_tiles * plan.tile == math.prod(cut)


def test_tile_sums_do_not_depend_on_how_many_tiles_a_block_holds():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(60, 3)) * 10.0 ** rng.integers(-8, 8, size=(60, 1))
    whole = tile_sums(values, 6)
    pieces = np.concatenate([tile_sums(values[a:a + 6 * n], 6) for a, n in ((0, 1), (6, 4), (30, 5))])
    assert np.array_equal(whole, pieces)
    assert np.array_equal(fold([whole]), fold([pieces[:3], pieces[3:]]))
    np.testing.assert_allclose(fold([whole]), values.sum(axis=0))


def test_block_size_from_chunk_size_or_memory_budget():
    assert profiles_per_block(80, 1000, None) == 1000
    assert profiles_per_block(80, None, 8000) == 100
    assert profiles_per_block(10**9, None, 1) == 1
    assert profiles_per_block(8, None, None) == blocks.DEFAULT_MEMORY // 8


def test_chunk_size_smaller_than_a_tile_gives_one_tile_per_block():
    plan = BlockPlan((4, 4, 4), 1, 1)
    assert plan.tile == 16 and len(plan) == 1           # 4 x 4 others fit one tile of ≤ TILE_PROFILES
    assert BlockPlan((40, 40, 40), None, 1).tile == 40   # 40 x 40 > TILE_PROFILES: the last axis alone
