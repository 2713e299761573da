"""Symmetric equilibria: closed forms for uniform values (Krishna, Auction Theory, 2nd ed.,
§2.3 (first price), §2.2 (second price), §3.2.2 (all-pay); Vickrey 1961)."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats

import mechdesign as md
from mechdesign.errors import SpecError

A = md.auctions
U = stats.uniform(0, 1)
V = np.linspace(0.0, 1.0, 11)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_first_price_uniform(n):
    eq = A.FirstPrice([U] * n).equilibrium()
    assert np.allclose(eq[0](V), (n - 1) * V / n, atol=1e-12)
    assert eq.method == "symmetric-quadrature" and eq.status == "optimal"
    assert eq.loss.max_absolute <= 1e-7


@pytest.mark.parametrize("n", [2, 3, 5])
def test_all_pay_uniform(n):
    eq = A.AllPay([U] * n).equilibrium()
    assert np.allclose(eq[n - 1](V), (n - 1) * V**n / n, atol=1e-12)
    assert eq.loss.max_absolute <= 1e-7


@pytest.mark.parametrize("cls", [A.FirstPrice, A.SecondPrice, A.AllPay])
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_revenue_uniform_is_n_minus_1_over_n_plus_1(cls, n):
    # E[second-highest of n U[0,1]] = (n-1)/(n+1); revenue equivalence for all three formats
    assert cls([U] * n).expected_revenue() == pytest.approx((n - 1) / (n + 1), abs=1e-6)


def test_second_price_is_truthful_above_the_reserve():
    b = A.SecondPrice([U] * 3, reserve=0.3).equilibrium()[0]
    assert np.isnan(b(0.2)) and b(0.3) == 0.3 and np.allclose(b(V[V >= 0.3]), V[V >= 0.3])


def test_first_price_with_reserve_closed_form_and_revenue():
    # b(v) = v - ∫_r^v s ds / v = (v^2 + r^2) / (2v) for v >= r (2 bidders, U[0,1]);
    # revenue with r = 1/2 is the Myerson optimum 5/12 (Myerson 1981)
    r = 0.5
    a = A.FirstPrice([U] * 2, reserve=r)
    eq = a.equilibrium()
    v = V[V >= r]
    assert np.allclose(eq[0](v), (v**2 + r**2) / (2 * v), atol=1e-12)
    assert np.all(np.isnan(eq[0](V[V < r])))
    assert a.expected_revenue() == pytest.approx(5 / 12, abs=1e-6)
    assert a.outcomes().prob_no_sale == pytest.approx(r**2, abs=1e-12)
    assert eq.loss.max_absolute <= 1e-7


def test_entry_fee_cutoff_and_bids():
    # 2 bidders U[0,1], no reserve, fee e: cut-off v* with v* G(v*) = v*^2 = e (first and second price)
    e = 0.09
    fp = A.FirstPrice([U] * 2, entry_fee=e).equilibrium()
    assert fp[0].cutoff == pytest.approx(0.3, abs=1e-12)
    # b(v) = v - (∫_{v*}^v s ds + e)/v = v - (v^2 - v*^2 + 2e)/(2v)
    v = np.array([0.4, 0.7, 1.0])
    assert np.allclose(fp[0](v), v - (v**2 - 0.09 + 2 * e) / (2 * v), atol=1e-12)
    assert fp.loss.max_absolute <= 1e-7
    ap = A.AllPay([U] * 2, entry_fee=e).equilibrium()
    assert ap[0].cutoff == pytest.approx(0.3, abs=1e-12)  # v* G(v*) = r + e with r = 0


def test_revenue_equivalence_with_reserve_and_fee_beta_values():
    d = stats.beta(2, 3)
    fp = A.FirstPrice([d] * 3, reserve=0.2, entry_fee=0.02)
    sp = A.SecondPrice([d] * 3, reserve=0.2, entry_fee=0.02)
    res = A.revenue_equivalence(fp, sp)
    assert res.applies and res.holds and res.max_difference <= 1e-6
    assert res.to_dict()["holds"] is True
    # all-pay with the same reserve has another participation cut-off: theorem does not apply
    ap = A.AllPay([d] * 3, reserve=0.2, entry_fee=0.02)
    res2 = A.revenue_equivalence(fp, ap)
    assert not res2.applies and not res2


def test_equilibria_of_beta_bidders_have_negligible_loss():
    for cls in (A.FirstPrice, A.AllPay):
        eq = cls([stats.beta(2, 5)] * 4, reserve=0.1).equilibrium()
        assert eq.loss.max_relative <= 1e-6, (cls, eq.loss)


@pytest.mark.slow
@settings(max_examples=6, deadline=None)
@given(a=st.floats(0.6, 4.0), b=st.floats(0.6, 4.0), n=st.integers(2, 4))
def test_property_first_and_second_price_revenues_agree(a, b, n):
    d = stats.beta(a, b)
    res = A.revenue_equivalence(A.FirstPrice([d] * n), A.SecondPrice([d] * n), A.AllPay([d] * n))
    assert res.holds, res.summary()


def test_many_bidders_do_not_underflow():
    # n = 30 bidders: b(v) = 29 v / 30 exactly even where F(v)^29 underflows
    b = A.FirstPrice([U] * 30).equilibrium(certify=False)[0]
    v = np.array([1e-12, 1e-3, 0.5])
    assert np.allclose(b(v), 29 * v / 30, rtol=1e-10)


def test_equilibrium_result_is_immutable_and_serialisable():
    eq = A.FirstPrice([U] * 2).equilibrium()
    with pytest.raises(AttributeError):
        eq.method = "x"
    d = eq.to_dict()
    assert d["method"] == "symmetric-quadrature" and len(d["strategies"]) == 2
    assert "symmetric-quadrature" in eq.summary() and "Equilibrium(" in repr(eq)
    assert not eq[0].values.flags.writeable and not eq[0].bids.flags.writeable


def test_symmetric_solver_takes_no_options():
    with pytest.raises(SpecError, match="options"):
        A.FirstPrice([U] * 2).equilibrium(steps=10)
