"""One convention for expected revenue across md.expected_revenue, Auction.expected_revenue and Myerson.

All three are the seller's expected receipts from the bidders (−E[Σ m_i], payments plus entry fees).
Known answers for two bidders with values uniform on [0, 1] (Krishna, *Auction Theory*, 2nd ed.,
§2.5 and §5.2): every standard auction without reserve earns E[second-highest value] = 1/3; the
optimal auction (Myerson 1981) is a second-price auction with reserve 1/2 and earns 5/12, and by
revenue equivalence so does a first-price auction with reserve 1/2.
"""

import pytest
from scipy import stats

import mechdesign as md
import mechdesign.auctions as A

U = stats.uniform(0, 1)


def test_known_answers_share_one_sign_and_meaning():
    assert A.SecondPrice([U] * 2).expected_revenue() == pytest.approx(1 / 3, abs=1e-12)
    assert A.AllPay([U] * 2).expected_revenue() == pytest.approx(1 / 3, abs=1e-12)
    assert A.myerson([U] * 2).expected_revenue == pytest.approx(5 / 12, abs=1e-8)
    assert A.FirstPrice([U] * 2, reserve=0.5).expected_revenue() == pytest.approx(5 / 12, abs=1e-6)


@pytest.mark.parametrize("auction", [A.SecondPrice([U] * 2), A.FirstPrice([U] * 2, reserve=0.5),
                                     A.FirstPrice([U] * 2, entry_fee=0.1), A.AllPay([U] * 2)],
                         ids=["second", "first-reserve", "first-fee", "all-pay"])
def test_discretized_mechanism_has_the_same_revenue(auction):
    env, mech = auction.discretize(100)
    revenue = md.expected_revenue(mech)
    assert revenue == pytest.approx(auction.expected_revenue(), abs=1e-3)       # bins of width 1/100
    assert revenue == pytest.approx(md.check(mech).metrics["revenue"], abs=1e-12)
    assert revenue == pytest.approx(-md.expected_deficit(mech), abs=1e-12)
