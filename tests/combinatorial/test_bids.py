"""Items, bids and bid languages: construction and the errors of bad input (issue 15 §1)."""

import pytest

import mechdesign as md
from mechdesign.combinatorial import CombinatorialAuction
from mechdesign.errors import SpecError

C = md.combinatorial


def llg_auction():
    return CombinatorialAuction(items=["A", "B"], bids={"L1": [({"A"}, 2.0)], "L2": [({"B"}, 2.5)],
                                                        "G": [({"A", "B"}, 3.5)]})


def test_construction_and_views():
    auc = llg_auction()
    assert auc.items == ("A", "B") and auc.bidders == ("L1", "L2", "G") and auc.language == "xor"
    assert auc.n_bids == 3 and auc.n_items == 2 and auc.n_bidders == 3
    assert [b.bundle for b in auc.bids_of("G")] == [frozenset({"A", "B"})]
    assert auc.incidence.toarray().tolist() == [[1, 0], [0, 1], [1, 1]]
    assert auc.bid_price.flags.writeable is False
    assert auc.is_feasible([0, 1]) and not auc.is_feasible([0, 2])
    assert auc.to_dict()["bids"]["G"] == [{"bundle": ["A", "B"], "price": 3.5}]
    assert "3 bids" in repr(auc)


def test_dict_form_bids_and_lists_of_items():
    auc = CombinatorialAuction(["x", "y"], {"a": [{"bundle": ["x", "y"], "price": 3}], "b": [(("y",), 1)]},
                               language="or")
    assert auc.bids[0].bundle == frozenset({"x", "y"}) and auc.bids[0].price == 3.0
    assert auc.language == "or"


def test_with_prices_keeps_bundles():
    auc = llg_auction().with_prices([1.0, 1.0, 1.0])
    assert auc.bid_price.tolist() == [1.0, 1.0, 1.0] and auc.bids[2].bundle == frozenset({"A", "B"})
    with pytest.raises(SpecError, match="prices"):
        llg_auction().with_prices([1.0])


def test_xor_feasibility_counts_bidders():
    auc = CombinatorialAuction(["A", "B"], {"x": [({"A"}, 1), ({"B"}, 1)]}, language="xor")
    assert not auc.is_feasible([0, 1])
    auc_or = CombinatorialAuction(["A", "B"], {"x": [({"A"}, 1), ({"B"}, 1)]}, language="or")
    assert auc_or.is_feasible([0, 1])


@pytest.mark.parametrize("bids, match", [
    ({"L1": [({"A", "C"}, 1.0)]}, r"bids\['L1'\]\[0\]\.bundle: items among \['A', 'B'\] \(got unknown item 'C' in bundle"),
    ({"L1": [({"A"}, -1.0)]}, r"bids\['L1'\]\[0\]\.price: a non-negative finite number \(got -1\.0 for bundle \['A'\]\)"),
    ({"L1": [({"A"}, float("nan"))]}, r"bids\['L1'\]\[0\]\.price: a non-negative finite number"),
    ({"L1": [({"A"}, "2")]}, r"bids\['L1'\]\[0\]\.price: a non-negative finite number \(got '2' for bundle"),
    ({"L1": [(set(), 1.0)]}, r"bids\['L1'\]\[0\]\.bundle: a non-empty set of items \(got an empty bundle\)"),
    ({"L1": [({"A"}, 1.0), (["A"], 2.0)]},
     r"bids\['L1'\]\[1\]\.bundle: each bundle at most once in a bidder's bids \(got \['A'\] again; first at bids\['L1'\]\[0\]\)"),
    ({"L1": [(["A", "A"], 1.0)]}, r"each item at most once"),
    ({"L1": [("AB", 1.0)]}, r"bids\['L1'\]\[0\]\.bundle: a set or list of item names"),
    ({"L1": [({"A"}, 1.0, 2.0)]}, r"bids\['L1'\]\[0\]: a bid \(bundle, price\)"),
    ({"L1": [{"bundle": ["A"]}]}, r"bids\['L1'\]\[0\]: a bid \{bundle: \[items\], price: number\}"),
    ({"L1": ({"A"}, 1.0)}, r"bids\['L1'\]\[0\]"),
    ({"L1": "A"}, r"bids\['L1'\]: a list of bids"),
    ({}, r"bids: at least one bidder"),
])
def test_bad_bids_name_bidder_bundle_and_problem(bids, match):
    with pytest.raises(SpecError, match=match):
        CombinatorialAuction(["A", "B"], bids)


def test_bad_items_and_language():
    with pytest.raises(SpecError, match="items: unique names"):
        CombinatorialAuction(["A", "A"], {"x": [({"A"}, 1)]})
    with pytest.raises(SpecError, match=r"language: one of \['xor', 'or'\]"):
        CombinatorialAuction(["A"], {"x": [({"A"}, 1)]}, language="and")
    with pytest.raises(SpecError, match="bids: a mapping"):
        CombinatorialAuction(["A"], [("x", {"A"}, 1)])
    with pytest.raises(SpecError, match="bidder"):
        llg_auction().bids_of("nobody")


def test_bidder_without_bids_and_zero_price():
    auc = CombinatorialAuction(["A"], {"x": [], "y": [({"A"}, 0.0)]})
    wd = auc.winners()
    assert wd.welfare == 0.0 and wd.allocation == {"x": [], "y": []}     # zero bids never win
    assert auc.payments(rule="nearest_vcg").payments == {"x": 0.0, "y": 0.0}
