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


def direct_scip_welfare(auc) -> float:
    """The winner determination written directly in pyscipopt, independent of our model code:
    one binary per bid, at most one bid per item, at most one bid per bidder (XOR)."""
    import pyscipopt

    m = pyscipopt.Model()
    m.hideOutput()
    m.setParam("limits/gap", 0.0)
    x = [m.addVar(vtype="B") for _ in auc.bids]
    groups: dict = {}
    for j, bid in enumerate(auc.bids):
        groups.setdefault(("bidder", bid.bidder), []).append(j)
        for item in bid.bundle:
            groups.setdefault(("item", item), []).append(j)
    for members in groups.values():
        m.addCons(pyscipopt.quicksum(x[j] for j in members) <= 1)
    m.setObjective(pyscipopt.quicksum(bid.price * x[j] for j, bid in enumerate(auc.bids)), "maximize")
    m.optimize()
    assert m.getStatus() == "optimal"
    return m.getObjVal()


def direct_cpsat_welfare(auc) -> float:
    """The same model written directly in OR-Tools CP-SAT (prices in integer cents: the generators' prices are
    rounded here and the comparison is made on the same rounded prices)."""
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    x = [m.NewBoolVar(f"x{j}") for j in range(auc.n_bids)]
    groups: dict = {}
    for j, bid in enumerate(auc.bids):
        groups.setdefault(("bidder", bid.bidder), []).append(j)
        for item in bid.bundle:
            groups.setdefault(("item", item), []).append(j)
    for members in groups.values():
        m.AddAtMostOne(x[j] for j in members)
    m.Maximize(sum(int(round(100 * bid.price)) * x[j] for j, bid in enumerate(auc.bids)))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.Solve(m) == cp_model.OPTIMAL
    return solver.ObjectiveValue() / 100


@pytest.mark.parametrize("kind, n_items, n_bids", [("arbitrary", 20, 60), ("regions", 36, 120),
                                                    ("paths", 30, 80), ("scheduling", 30, 80)])
def test_against_direct_scip_and_cpsat(kind, n_items, n_bids):
    # issue 15 §2: our model (every backend) against SCIP and CP-SAT used directly, on CATS-like instances
    for seed in range(2):
        auc = C.generate(kind, n_items, n_bids, seed=seed)
        scip = direct_scip_welfare(auc)
        for backend in BACKENDS:
            wd = auc.winners(backend)
            assert wd.status == "optimal" and auc.is_feasible(wd.winning_bids)
            assert wd.welfare == pytest.approx(scip, rel=1e-9, abs=1e-9), (kind, seed, backend)
        cents = auc.with_prices(np.round(100 * auc.bid_price) / 100)
        assert cents.winners().welfare == pytest.approx(direct_cpsat_welfare(auc), rel=1e-12, abs=1e-9)


def test_cached_solves_refuse_what_is_not_an_auction():
    from mechdesign.combinatorial.wdp import model_for, solve_wdp, winners_of

    for fn in (model_for, winners_of, solve_wdp):
        with pytest.raises(SpecError, match=r"auction: a CombinatorialAuction \(got dict\)"):
            fn({"items": ["A"]})
    auc = CombinatorialAuction(["A", "B"], {"L1": [({"A"}, 1.0)], "G": [({"A", "B"}, 1.5)]})
    assert winners_of(auc) is auc.winners()                  # one solve, kept with the auction
    assert model_for(auc) is auc.wdp_model()
