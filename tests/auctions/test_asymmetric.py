"""Asymmetric first-price equilibria (backward shooting)."""

import numpy as np
import pytest
from scipy import stats

import mechdesign as md
from mechdesign.auctions.asymmetric import solve_first_price
from mechdesign.errors import SpecError

A = md.auctions


def closed_form_uniform(a, b):
    """Two bidders U[0, a] and U[0, b], a < b, no reserve (Griesmer, Levitan & Shubik 1967;
    Krishna, Auction Theory, §4.3; the case v_low = 0 of Kaplan & Zamir 2012, Econ. Theory 50).

    With uniform laws F_i(v) = v / ω_i the first-order conditions are
    (φ_1 - b) φ_2'/φ_2 = 1 and (φ_2 - b) φ_1'/φ_1 = 1; they are solved by
    φ_1(b) = 2b / (1 + c b²), φ_2(b) = 2b / (1 - c b²), c = 1/a² - 1/b², with the common
    highest bid b̄ = ab / (a + b) (φ_1(b̄) = a, φ_2(b̄) = b). Inverting:
    b_1(v) = (1 - sqrt(1 - c v²)) / (c v), b_2(v) = (sqrt(1 + c v²) - 1) / (c v).
    """
    c = 1 / a**2 - 1 / b**2

    def b1(v):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(v > 0, (1 - np.sqrt(1 - c * v**2)) / (c * v), 0.0)  # b_1(0) = 0

    def b2(v):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(v > 0, (np.sqrt(1 + c * v**2) - 1) / (c * v), 0.0)

    return b1, b2, a * b / (a + b)


@pytest.mark.parametrize("a,b", [(1.0, 2.0), (1.0, 1.5), (0.5, 3.0)])
def test_two_uniform_bidders_match_the_closed_form(a, b):
    b1, b2, top = closed_form_uniform(a, b)
    # the closed form itself satisfies the first-order conditions (independent check)
    bb = np.linspace(0.01, top, 5)
    c = 1 / a**2 - 1 / b**2
    p1, p2 = 2 * bb / (1 + c * bb**2), 2 * bb / (1 - c * bb**2)
    assert np.allclose(b1(p1), bb) and np.allclose(b2(p2), bb)
    auc = A.FirstPrice([stats.uniform(0, a), stats.uniform(0, b)])
    eq = auc.equilibrium()
    assert eq.method == "backward-shooting" and eq.status == "converged"
    assert eq.diagnostics["highest_bid"] == pytest.approx(top, abs=1e-6)
    v1, v2 = np.linspace(1e-3, a, 301), np.linspace(1e-3, b, 301)
    assert np.max(np.abs(eq[0](v1) - b1(v1))) <= 1e-4
    assert np.max(np.abs(eq[1](v2) - b2(v2))) <= 1e-4
    assert eq.loss.max_relative <= 1e-5
    # the closed form is itself an equilibrium of the auction: near-zero utility loss
    exact = md.auctions.utility_loss(auc, [b1, b2])
    assert exact.max_relative <= 1e-6


def test_solver_agrees_with_the_symmetric_formula():
    # cross-method: forcing the shooting solver on identical beta bidders
    auc = A.FirstPrice([stats.beta(2, 3)] * 2)
    bids, status, diag, _ = solve_first_price(auc)
    exact = auc.equilibrium(certify=False)[0]
    v = np.linspace(0.01, 1, 200)
    assert status == "converged"
    assert np.max(np.abs(bids[0](v) - exact(v))) <= 1e-5
    assert np.max(np.abs(bids[1](v) - exact(v))) <= 1e-5


def test_three_asymmetric_bidders_including_late_entry():
    # U[0,1], U[0,1.5], U[0,2]: the weak bidder's top type bids below the common highest bid
    auc = A.FirstPrice([stats.uniform(0, 1), stats.uniform(0, 1.5), stats.uniform(0, 2)])
    eq = auc.equilibrium()
    assert eq.loss.max_relative <= 1e-5, eq.loss
    assert eq[0](1.0) < eq.diagnostics["highest_bid"] - 1e-3
    assert eq[1](1.5) == pytest.approx(eq[2](2.0), abs=1e-9)


def test_beta_bidders_and_reserve():
    eq = A.FirstPrice([stats.beta(2, 3), stats.beta(3, 2)]).equilibrium()
    assert eq.loss.max_relative <= 1e-5
    v = np.linspace(0, 1, 101)
    assert np.all(np.diff(eq[0](v)) >= 0) and np.all(eq[0](v) <= v + 1e-12)
    auc = A.FirstPrice([stats.uniform(0, 1), stats.uniform(0, 2)], reserve=0.3)
    eq = auc.equilibrium()
    assert eq.loss.max_relative <= 1e-5
    assert np.isnan(eq[0](0.29)) and eq[0](0.3) == pytest.approx(0.3, abs=1e-9)


def test_weak_bidder_shades_less():
    # Maskin & Riley (2000, RES): the weak bidder bids more aggressively at equal values
    eq = A.FirstPrice([stats.uniform(0, 1), stats.uniform(0, 2)]).equilibrium(certify=False)
    v = np.linspace(0.1, 1, 10)
    assert np.all(eq[0](v) > eq[1](v))


def test_unsupported_cases_are_clear_errors():
    with pytest.raises(SpecError, match="entry_fee"):
        A.FirstPrice([stats.uniform(0, 1), stats.uniform(0, 2)], entry_fee=0.1).equilibrium()
    with pytest.raises(SpecError, match="common lowest value"):
        A.FirstPrice([stats.uniform(0, 1), stats.uniform(0.5, 1)]).equilibrium()
    with pytest.raises(SpecError, match="identical bidders"):
        A.AllPay([stats.uniform(0, 1), stats.uniform(0, 2)]).equilibrium()
    with pytest.raises(SpecError, match="entry_fee"):
        A.SecondPrice([stats.uniform(0, 1), stats.uniform(0, 2)], entry_fee=0.1).equilibrium()
    with pytest.raises(SpecError, match="steps"):
        A.FirstPrice([stats.uniform(0, 1), stats.uniform(0, 2)]).equilibrium(steps=2)


def test_second_price_asymmetric_is_truthful():
    eq = A.SecondPrice([stats.uniform(0, 1), stats.beta(2, 2)], reserve=0.2).equilibrium()
    assert eq.method == "truthful" and eq.loss.max_absolute == 0.0
    assert eq[1](0.5) == 0.5 and np.isnan(eq[1](0.1))


@pytest.mark.slow
@pytest.mark.parametrize("a,b", [(1.0, 2.0), (1.0, 3.0)])
def test_highest_bid_is_as_accurate_as_reported(a, b):
    # on main a linear quantile table put ~1e-7 into b̄ while bracket_width said 1.6e-14; now the
    # error is a few 1e-9 and diagnostics["highest_bid_error"] (an overestimate) covers it
    top = a * b / (a + b)
    eq = A.FirstPrice([stats.uniform(0, a), stats.uniform(0, b)]).equilibrium(certify=False)
    error = abs(eq.diagnostics["highest_bid"] - top)
    assert error <= 1e-8
    assert error <= eq.diagnostics["highest_bid_error"] <= 1e-6
    assert eq.diagnostics["bracket_width"] <= 1e-13


def test_quantile_table_interpolates_to_high_order():
    from mechdesign.auctions.asymmetric import _Quantiles
    from mechdesign.auctions.distributions import as_value_distribution

    y = -np.geomspace(1e-14, 70, 20001)
    for law, bound in ((stats.uniform(0, 2), 1e-12), (stats.beta(0.5, 3), 1e-12), (stats.beta(2, 2), 1e-8)):
        d = as_value_distribution(law)
        table = _Quantiles(d, 20001)
        exact = d.isf(-np.expm1(y))
        assert np.abs(table(y) - exact).max() <= bound, law.dist.name
        assert np.all(np.diff(table(np.sort(y))) >= 0)       # monotone
