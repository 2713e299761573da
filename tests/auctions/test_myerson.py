"""Myerson's optimal auction (Myerson 1981; Krishna, Auction Theory, ch. 5)."""

import numpy as np
import pytest
from scipy import stats

import mechdesign as md
from mechdesign.errors import SpecError
from tests.auctions._dists import bimodal, piecewise_uniform

A = md.auctions
U = stats.uniform(0, 1)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_uniform_bidders_reserve_half_and_revenue(n):
    # φ(v) = 2v - 1, reserve 1/2; revenue = E[second-highest] + extra from the reserve
    # = (n-1)/(n+1) + 2^{-n}/(n+1)  (5/12 for n = 2, 17/32 for n = 3)
    opt = A.myerson([U] * n)
    assert np.allclose(opt.reserves, 0.5, atol=1e-9)
    assert opt.expected_revenue == pytest.approx((n - 1) / (n + 1) + 2.0**-n / (n + 1), abs=1e-6)
    assert all(ivs == () for ivs in opt.ironed_intervals)


def test_two_uniform_known_values():
    assert A.myerson([U] * 2).expected_revenue == pytest.approx(5 / 12, abs=1e-6)
    assert A.myerson([U] * 3).expected_revenue == pytest.approx(17 / 32, abs=1e-6)


def test_second_price_with_optimal_reserve_equals_myerson_for_regular_symmetric():
    opt = A.myerson([stats.beta(2, 2)] * 2)
    r = float(opt.reserves[0])
    # optimal reserve solves v - (1 - F(v))/f(v) = 0 (checked directly)
    d = stats.beta(2, 2)
    assert r - d.sf(r) / d.pdf(r) == pytest.approx(0.0, abs=1e-7)
    a = A.SecondPrice([d] * 2, reserve=r)
    assert a.expected_revenue() == pytest.approx(opt.expected_revenue, abs=1e-6)


def test_asymmetric_uniform_revenue_closed_form():
    # U[0,1] and U[0,2]: φ_1 = 2v - 1, φ_2 = 2v - 2; revenue = E[max(0, φ_1, φ_2)]
    # = ∫_0^∞ (1 - K_1(t) K_2(t)) dt with K_1 = min(1, (t+1)/2), K_2 = min(1, (t+2)/4):
    # ∫_0^1 (1 - (t+1)(t+2)/8) dt + ∫_1^2 (1 - (t+2)/4) dt = 25/48 + 6/48 = 31/48
    opt = A.myerson([stats.uniform(0, 1), stats.uniform(0, 2)])
    assert np.allclose(opt.reserves, [0.5, 1.0], atol=1e-9)
    assert opt.expected_revenue == pytest.approx(31 / 48, abs=1e-6)


def test_allocation_and_payments_for_uniform():
    opt = A.myerson([U] * 2)
    v = np.array([[0.3, 0.6], [0.7, 0.6], [0.2, 0.4], [0.9, 0.8]])
    assert np.allclose(opt.allocation(v), [[0, 1], [1, 0], [0, 0], [1, 0]])
    # the winner pays max(other value, reserve) (second price with reserve 1/2)
    assert np.allclose(opt.payments(v), [[0, 0.5], [0.6, 0], [0, 0], [0.8, 0]], atol=1e-9)


def test_irregular_distribution_ironing_beats_second_price_with_any_reserve():
    d = bimodal()
    opt = A.myerson([d] * 2)
    (lo, hi), = opt.ironed_intervals[0]
    # the ironed interval lies above the reserve, so ironing changes the allocation
    assert opt.reserves[0] < lo < hi
    phi_bar = opt.ironed_virtual_value(0, np.linspace(lo + 1e-3, hi - 1e-3, 7))
    assert np.ptp(phi_bar) == 0.0 and phi_bar[0] > 0
    v = np.linspace(0.3, 0.99, 300)
    assert np.any(np.diff(opt.virtual_value(0, v)) < 0)  # not regular
    assert np.all(np.diff(opt.ironed_virtual_value(0, v)) >= -1e-12)
    # search over reserves for the best second-price auction; independent formula
    # Rev(r) = 2 ∫_r^1 (v f(v) - (1 - F(v))) F(v) dv (Myerson's lemma, n = 2), all r at once
    v = np.linspace(0.0, 1.0, 200_001)
    g = (v * d.pdf(v) - d.sf(v)) * d.cdf(v)
    tail = np.concatenate([np.cumsum(((g[1:] + g[:-1]) / 2 * np.diff(v))[::-1])[::-1], [0.0]])
    k = int(np.argmax(2 * tail))
    best, r_best = 2 * tail[k], v[k]
    assert A.SecondPrice([d] * 2, reserve=r_best).expected_revenue() == pytest.approx(best, abs=1e-6)
    assert opt.expected_revenue >= best + 1e-3
    # within an ironed interval two bidders tie and split the item
    mid = (lo + hi) / 2
    assert np.allclose(opt.allocation([[mid, mid + 1e-3]]), [[0.5, 0.5]])


@pytest.mark.slow
def test_simulated_payments_reproduce_expected_revenue():
    d = bimodal()
    opt = A.myerson([d, U])
    rng = np.random.default_rng(3)
    vals = np.column_stack([A.ValueDistribution(d).rvs(20_000, rng), rng.random(20_000)])
    rev = opt.payments(vals).sum(axis=1)
    se = rev.std() / np.sqrt(rev.size)
    assert abs(rev.mean() - opt.expected_revenue) <= 4 * se
    assert np.all(opt.payments(vals) <= vals * opt.allocation(vals) + 1e-9)  # ex-post IR


def test_result_api_and_errors():
    opt = A.myerson([U] * 2, labels=["a", "b"])
    q, R, hull = opt.revenue_curve(1)
    assert np.allclose(R, q * (1 - q), atol=1e-12) and np.all(hull >= R - 1e-12)
    assert opt.to_dict()["labels"] == ["a", "b"] and "reserve" in opt.summary()
    with pytest.raises(SpecError, match="bidder"):
        opt.virtual_value(2, 0.5)
    with pytest.raises(SpecError, match="values"):
        opt.allocation(np.zeros((3, 3)))
    with pytest.raises(SpecError, match="support must be bounded"):
        A.myerson([stats.norm()])
    with pytest.raises(SpecError, match="at least one bidder"):
        A.myerson([])
    with pytest.raises(SpecError, match="single distribution"):
        A.myerson(U)
    with pytest.raises(SpecError, match="n_grid"):
        A.myerson([U], n_grid=10)


def _posted_price_revenue(edges, mass):
    """max_p p·P(V > p) for a piecewise-uniform law: on each piece p·S(p) is a concave quadratic."""
    d = piecewise_uniform(edges, mass)
    candidates = list(edges)
    for k in range(len(mass)):
        density = mass[k] / (edges[k + 1] - edges[k])
        p = (1 - sum(mass[:k]) + density * edges[k]) / (2 * density)      # stationary point of the piece
        if edges[k] <= p <= edges[k + 1]:
            candidates.append(p)
    return max(p * float(d.sf(p)) for p in candidates)


def _regular_revenue(d, edges, n):
    """E[max_i φ(V_i)^+] = ∫ φ(v)^+ d F(v)^n for n i.i.d. bidders with a regular law (Myerson 1981)."""
    from scipy import integrate

    phi = lambda v: v - d.sf(v) / d.pdf(v)                                 # noqa: E731
    return sum(integrate.quad(lambda v: max(phi(v), 0.0) * n * d.cdf(v) ** (n - 1) * d.pdf(v), a, b,
                              epsabs=1e-15, epsrel=1e-13, limit=200)[0] for a, b in zip(edges[:-1], edges[1:]))


@pytest.mark.parametrize("edges, mass", [([0, 0.3, 0.55, 1], [0.15, 0.25, 0.6]),
                                         ([0, 1 / 3, 2 / 3, 1], [0.2, 0.3, 0.5])])
def test_revenue_at_kinks_of_a_three_piece_density(edges, mass):
    # increasing piecewise-constant densities: regular, and the revenue curve has a kink at each jump;
    # in the first case the monopoly price sits at the jump v = 0.55 (on main: 1.8e-6 short)
    d = piecewise_uniform(edges, mass)
    one = A.myerson([d])
    assert one.expected_revenue == pytest.approx(_posted_price_revenue(edges, mass), abs=1e-9)
    for n in (2, 3):
        opt = A.myerson([d] * n)
        exact = _regular_revenue(d, edges, n)
        assert opt.expected_revenue == pytest.approx(exact, abs=5e-9)
        # the stated error estimate is of the right size (it is not a bound: within a factor 3 here)
        assert abs(opt.expected_revenue - exact) <= 3 * opt.revenue_error + 1e-12
        assert opt.revenue_error <= 1e-8


def test_kink_quantiles_are_located_to_machine_precision():
    d = piecewise_uniform([0, 0.3, 0.55, 1], [0.15, 0.25, 0.6])
    curve = A.myerson([d])._curves[0]
    np.testing.assert_allclose(curve.kinks, [0.6, 0.85], atol=1e-14)     # P(V > 0.55), P(V > 0.3)
    assert A.myerson([stats.uniform(0, 1)])._curves[0].kinks.size == 0   # a smooth density has none
