"""Auction construction and its bad-input errors."""

import pytest
from scipy import stats

import mechdesign as md
from mechdesign.errors import SpecError

A = md.auctions
U = stats.uniform(0, 1)


def test_construction_and_description():
    a = A.FirstPrice([U, stats.beta(2, 2)], reserve=0.1, entry_fee=0.05, labels=["x", "y"])
    assert a.n_bidders == 2 and a.has_reserve and not a.is_symmetric
    assert "reserve=0.1" in repr(a) and a.to_dict()["bidders"][1]["label"] == "y"
    b = A.SecondPrice.symmetric(U, 3)
    assert b.n_bidders == 3 and b.is_symmetric and b.reserve == 0.0 and not b.has_reserve


@pytest.mark.parametrize("kwargs,match", [
    (dict(distributions=[]), r"n = 1 bidder \(got 0\)"),
    (dict(distributions=U), "one distribution per bidder"),
    (dict(distributions=5), "list of distributions"),
    (dict(distributions=[U], reserve=1.5), r"reserve: must lie in the support \[0, 1\] \(got 1.5\)"),
    (dict(distributions=[U], reserve=-0.1), "reserve: must lie in the support"),
    (dict(distributions=[U], reserve="high"), "reserve: expected a number"),
    (dict(distributions=[U], entry_fee=-0.1), r"entry_fee: must be non-negative \(got -0.1\)"),
    (dict(distributions=[U], entry_fee=float("inf")), "entry_fee: expected a finite number"),
    (dict(distributions=[U], labels=["a", "b"]), "labels: expected 1 names"),
    (dict(distributions=[stats.norm()]), "support must be bounded"),
    (dict(distributions=[stats.poisson(3)]), "frozen scipy.stats continuous"),
])
@pytest.mark.parametrize("cls", [A.FirstPrice, A.SecondPrice, A.AllPay])
def test_bad_input(cls, kwargs, match):
    with pytest.raises(SpecError, match=match):
        cls(**kwargs)


@pytest.mark.parametrize("n", [0, -1, 2.5, True])
def test_symmetric_needs_positive_integer(n):
    with pytest.raises(SpecError, match="n_bidders"):
        A.FirstPrice.symmetric(U, n)


def test_inputs_are_not_mutated():
    dists = [U, U]
    A.FirstPrice(dists, reserve=0.2)
    assert dists == [U, U]
