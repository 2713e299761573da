"""Winner determination: brute force, the three backends on CATS-like instances, statuses (issue 15 §1, §2)."""

import numpy as np
import pytest

import mechdesign as md
from mechdesign.combinatorial import CombinatorialAuction
from mechdesign.combinatorial.wdp import WDPModel
from mechdesign.errors import SpecError

from .brute_ca import best_allocation

C = md.combinatorial
BACKENDS = ["highs", "scip", "cpsat"]


def random_bids(rng, items, n_bidders=4, per_bidder=3, max_size=3):
    bids = {}
    for b in range(n_bidders):
        bundles = []
        while len(bundles) < per_bidder:
            bundle = frozenset(rng.choice(items, size=rng.integers(1, max_size + 1), replace=False).tolist())
            if bundle not in bundles:
                bundles.append(bundle)
        bids[f"b{b}"] = [(set(s), float(rng.uniform(1, 10))) for s in bundles]
    return bids


def test_llg_by_hand():
    auc = CombinatorialAuction(["A", "B"], {"L1": [({"A"}, 2.0)], "L2": [({"B"}, 2.5)], "G": [({"A", "B"}, 3.5)]})
    wd = auc.winners()
    assert wd.welfare == 4.5 and wd.status == "optimal" and wd.gap == 0.0
    assert wd.allocation == {"L1": [frozenset({"A"})], "L2": [frozenset({"B"})], "G": []}
    assert wd.winners == ("L1", "L2") and wd.values == {"L1": 2.0, "L2": 2.5, "G": 0.0}
    assert wd.to_dict()["allocation"]["L1"] == [["A"]] and "L1 {A}" in wd.summary()


@pytest.mark.parametrize("language", ["xor", "or"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_against_brute_force(backend, language):
    rng = np.random.default_rng(11)
    items = list("abcdefg")
    for _ in range(6):
        bids = random_bids(rng, items)
        auc = CombinatorialAuction(items, bids, language=language)
        best, _ = best_allocation(bids, language)
        wd = auc.winners(backend)
        assert wd.status == "optimal"
        assert abs(wd.welfare - best) <= 1e-9 * max(1, best), (backend, language, wd.welfare, best)
        assert auc.is_feasible(wd.winning_bids)
        assert wd.bound >= wd.welfare - 1e-9


@pytest.mark.parametrize("kind, n_items, n_bids", [("arbitrary", 20, 60), ("regions", 36, 120),
                                                    ("paths", 30, 80), ("scheduling", 30, 80)])
def test_backends_agree_on_cats_instances(kind, n_items, n_bids):
    # the same optimum from HiGHS, SCIP (pyscipopt) and OR-Tools CP-SAT (issue 15 §2)
    for seed in range(2):
        auc = C.generate(kind, n_items, n_bids, seed=seed)
        welfare = {b: auc.winners(b).welfare for b in BACKENDS}
        statuses = {b: auc.winners(b).status for b in BACKENDS}
        assert set(statuses.values()) == {"optimal"}, statuses
        ref = welfare["scip"]
        assert all(abs(w - ref) <= 1e-7 * ref for w in welfare.values()), welfare


def test_time_limit_is_a_status():
    auc = C.generate("arbitrary", 100, 500, seed=1)   # takes HiGHS tens of seconds to prove optimal
    wd = auc.winners(time_limit=0.2)
    assert wd.status == "time_limit"
    assert wd.gap > 0 and not wd.bound < wd.welfare and auc.is_feasible(wd.winning_bids)
    assert wd.welfare > 0                              # at least the greedy start
    assert np.isclose(wd.welfare, sum(auc.bid_price[list(wd.winning_bids)]))


def test_mip_gap_and_options_are_passed():
    auc = C.generate("regions", 36, 120, seed=3)
    loose = auc.winners(mip_gap=0.5)
    assert loose.status == "optimal" and loose.gap <= 0.5
    assert auc.winners(options={"random_seed": 3}).welfare == pytest.approx(auc.winners().welfare, rel=1e-9)
    with pytest.raises(SpecError, match=r"options\['no_such_option'\]"):
        auc.winners(options={"no_such_option": 1})
    with pytest.raises(SpecError, match=r"options\['no_such_option'\]"):
        auc.winners("cpsat", options={"no_such_option": 1})
    with pytest.raises(SpecError, match=r"options\['no/such'\]"):
        auc.winners("scip", options={"no/such": 1})


def test_bad_backend_and_limits():
    auc = C.generate("llg", seed=0)
    with pytest.raises(SpecError, match=r"backend: one of \['highs', 'scip', 'cpsat'\]"):
        auc.winners("gurobi")
    with pytest.raises(SpecError, match="time_limit: a positive number"):
        auc.winners(time_limit=0)
    with pytest.raises(SpecError, match="mip_gap: a non-negative number"):
        auc.winners(mip_gap=-1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_model_reuse_with_exclusions_and_starts(backend):
    # one model, many solves: each equals a fresh brute force without the excluded bidder
    rng = np.random.default_rng(5)
    items = list("abcdef")
    bids = random_bids(rng, items, n_bidders=5)
    auc = CombinatorialAuction(items, bids)
    model = WDPModel(auc, backend)
    full = model.solve(start=[])
    for k, bidder in enumerate(auc.bidders):
        others = {b: lst for b, lst in bids.items() if b != bidder}
        best, _ = best_allocation(others)
        start = [j for j in full.chosen if auc.bid_bidder[j] != k]
        raw = model.solve(exclude=[k], start=start)
        assert raw.status == "optimal" and abs(raw.objective - best) <= 1e-9 * max(1, best)
        assert k not in set(auc.bid_bidder[raw.chosen].tolist())
