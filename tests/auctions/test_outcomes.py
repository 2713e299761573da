"""Outcomes (exact and simulated), revenue equivalence."""

import numpy as np
import pytest
from scipy import stats

import mechdesign as md
from mechdesign.errors import SpecError

A = md.auctions
U = stats.uniform(0, 1)


def test_exact_outcomes_uniform_first_price():
    o = A.FirstPrice([U] * 2).outcomes()
    # welfare E[max] = 2/3, revenue 1/3, bidder surplus 1/3, always sold
    assert o.welfare == pytest.approx(2 / 3, abs=1e-9)
    assert o.revenue == pytest.approx(1 / 3, abs=1e-9)
    assert o.surplus == pytest.approx(1 / 3, abs=1e-9)
    assert o.prob_no_sale == pytest.approx(0.0, abs=1e-12)
    assert np.allclose(o.win_probability, 0.5) and np.allclose(o.payment, 1 / 6)
    assert o.to_dict()["method"] == "quadrature" and "revenue" in o.summary()


@pytest.mark.parametrize("cls", [A.FirstPrice, A.SecondPrice, A.AllPay])
def test_simulation_agrees_with_quadrature(cls):
    a = cls([stats.beta(2, 3)] * 3, reserve=0.2, entry_fee=0.01)
    exact = a.outcomes()
    sim = A.simulate(a, None, n=100_000, seed=11)
    for name in ("revenue", "welfare", "surplus", "prob_no_sale"):
        se = sim.standard_errors[name]
        assert abs(getattr(sim, name) - getattr(exact, name)) <= 4.5 * se + 1e-12, name


def test_simulation_is_reproducible_and_vectorised():
    a = A.SecondPrice([U, stats.beta(2, 2)])
    s1 = A.simulate(a, None, n=5_000, seed=1)
    s2 = A.simulate(a, None, n=5_000, seed=1)
    assert s1.to_dict() == s2.to_dict()
    assert s1.method == "simulation" and s1.options == {"n": 5_000, "seed": 1}


def test_no_sale_probability_with_reserve():
    # nobody bids when all values are below r: P = r^n
    a = A.SecondPrice([U] * 3, reserve=0.4)
    assert a.outcomes().prob_no_sale == pytest.approx(0.4**3, abs=1e-12)


def test_ties_are_split_in_simulation():
    a = A.FirstPrice([U] * 2)
    const = [lambda v: np.full_like(np.asarray(v, float), 0.25)] * 2
    sim = A.simulate(a, const, n=20_000, seed=0)
    assert sim.revenue == pytest.approx(0.25) and abs(sim.win_probability[0] - 0.5) < 0.02


def test_revenue_equivalence_fails_for_asymmetric_bidders():
    ds = [stats.uniform(0, 1), stats.uniform(0, 2)]
    res = A.revenue_equivalence(A.FirstPrice(ds), A.SecondPrice(ds))
    # Maskin & Riley (2000): allocations differ, so the theorem does not apply
    assert not res.applies and res.allocation_gap > 1e-2
    assert res.max_difference > 1e-3 and "applies: False" in res.summary()


def test_revenue_equivalence_input_errors():
    with pytest.raises(SpecError, match="at least two"):
        A.revenue_equivalence(A.FirstPrice([U] * 2))
    with pytest.raises(SpecError, match=r"auctions\[1\]"):
        A.revenue_equivalence(A.FirstPrice([U] * 2), A.FirstPrice([U] * 3))


def test_simulate_input_errors():
    with pytest.raises(SpecError, match="n: expected an integer"):
        A.simulate(A.FirstPrice([U] * 2), None, n=1)
