"""Seeded generators: CATS-like kinds, LLG and LLLLGG (issue 15 §1)."""

import numpy as np
import pytest

import mechdesign as md
from mechdesign.combinatorial.generators import LLLLGG_BUNDLES
from mechdesign.errors import SpecError

C = md.combinatorial


@pytest.mark.parametrize("kind", ["arbitrary", "regions", "paths", "scheduling"])
def test_cats_like_kinds_are_seeded_and_sized(kind):
    a = C.generate(kind, n_items=20, n_bids=60, seed=3)
    b = C.generate(kind, n_items=20, n_bids=60, seed=3)
    c = C.generate(kind, n_items=20, n_bids=60, seed=4)
    assert a.to_dict() == b.to_dict() and a.to_dict() != c.to_dict()
    assert a.n_bids == 60 and a.n_items == 20 and a.language == "xor"
    assert all(bid.price > 0 and len(bid.bundle) >= 1 for bid in a.bids)
    assert a.winners().welfare == b.winners().welfare
    # several bidders with substitutable (XOR) bids
    counts = np.bincount(a.bid_bidder)
    assert counts.max() > 1 and counts.size > 1


def test_regions_bundles_are_connected_on_the_grid():
    auc = C.generate("regions", n_items=25, n_bids=80, seed=1)
    cols = 5
    for bid in auc.bids:
        cells = {int(i[1:]) for i in bid.bundle}
        seen, todo = set(), [next(iter(cells))]
        while todo:                                   # neighbours: 4-neighbourhood and diagonals
            k = todo.pop()
            seen.add(k)
            r, c = divmod(k, cols)
            for j in cells - seen:
                rj, cj = divmod(j, cols)
                if max(abs(r - rj), abs(c - cj)) == 1:
                    todo.append(j)
        assert seen == cells, bid


def test_scheduling_bundles_are_intervals():
    auc = C.generate("scheduling", n_items=30, n_bids=60, seed=2)
    for bid in auc.bids:
        slots = sorted(int(i[1:]) for i in bid.bundle)
        assert slots == list(range(slots[0], slots[-1] + 1))


def test_llg_and_llllgg():
    llg = C.generate("llg", seed=5)
    assert llg.items == ("A", "B") and llg.bidders == ("L1", "L2", "G")
    assert 0 <= llg.bids[0].price <= 1 and 0 <= llg.bids[2].price <= 2
    assert C.llg((4.0, 1.0, 3.5)).bid_price.tolist() == [4.0, 1.0, 3.5]
    big = C.generate("llllgg", seed=5)
    assert big.n_items == 8 and big.n_bids == 12 and big.bidders == tuple(LLLLGG_BUNDLES)
    # the bundles of Bosshard et al. (2019) and bnelearn's LLLLGGAuction on items A..H = i0..i7: each local
    # two adjacent pairs, each global two halves of the ring
    bosshard = {"L1": ["AB", "BC"], "L2": ["CD", "DE"], "L3": ["EF", "FG"], "L4": ["GH", "AH"],
                "G1": ["ABCD", "EFGH"], "G2": ["CDEF", "ABGH"]}
    assert set(LLLLGG_BUNDLES) == set(bosshard)
    for bidder, bundles in bosshard.items():
        got = ["".join(sorted("ABCDEFGH"[int(i[1:])] for i in b.bundle)) for b in big.bids_of(bidder)]
        assert got == bundles, bidder
    assert C.generate("llllgg", seed=5).to_dict() == big.to_dict()


def test_bad_arguments():
    with pytest.raises(SpecError, match=r"kind: one of \['arbitrary'"):
        C.generate("random")
    with pytest.raises(SpecError, match="n_items: an integer ≥ 1"):
        C.generate("arbitrary", n_items=0)
    with pytest.raises(SpecError, match="n_bids: an integer ≥ 1"):
        C.generate("arbitrary", n_bids=2.5)
    with pytest.raises(SpecError, match="seed: a non-negative integer"):
        C.generate("arbitrary", seed=-1)
    with pytest.raises(SpecError, match="n_items: 2 .or None. for kind 'llg'"):
        C.generate("llg", n_items=5)
    with pytest.raises(SpecError, match="values"):
        C.llllgg({"L1": [1, 2]})
    with pytest.raises(SpecError, match="n_items: at most 5,000 items"):
        C.generate("regions", n_items=100_000)
