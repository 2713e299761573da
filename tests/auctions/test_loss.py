"""utility_loss: hand-computed best-response gains."""

import numpy as np
import pytest
from scipy import stats

import mechdesign as md
from mechdesign.errors import SpecError

A = md.auctions
U = stats.uniform(0, 1)


def truthful(v):
    return np.asarray(v, dtype=float)


def test_truthful_first_price_two_bidders_is_one_twelfth():
    # against a truthful opponent W(b) = b: max_b (v - b) b = v²/4; truthful earns 0; E[v²/4] = 1/12
    loss = A.utility_loss(A.FirstPrice([U] * 2), [truthful] * 2)
    assert np.allclose(loss.absolute, 1 / 12, atol=1e-9)
    assert np.allclose(loss.relative, 1.0) and np.allclose(loss.utility, 0.0)


def test_truthful_first_price_three_bidders_is_one_twenty_seventh():
    # W(b) = b²: max_b (v - b) b² at b = 2v/3 gives 4v³/27; E[4V³/27] = 1/27
    loss = A.utility_loss(A.FirstPrice([U] * 3), truthful)
    assert np.allclose(loss.absolute, 1 / 27, atol=1e-9)


def test_truthful_all_pay_is_one_sixth():
    # W(b) = b: v b - b <= 0 for v <= 1, so staying out is best (0); truthful earns v² - v;
    # the gain is E[V - V²] = 1/2 - 1/3 = 1/6
    loss = A.utility_loss(A.AllPay([U] * 2), [truthful] * 2)
    assert np.allclose(loss.absolute, 1 / 6, atol=1e-9)


def test_second_price_truthful_has_no_loss_and_shading_loses():
    a = A.SecondPrice([U] * 2)
    assert A.utility_loss(a, truthful).max_absolute == 0.0
    # bidding v/2 against truthful: lose when v/2 < w < v, payoff v - w: E ∫_{v/2}^v (v-w) dw = E[v²/8] = 1/24
    loss = A.utility_loss(a, [lambda v: np.asarray(v) / 2, truthful])
    assert loss.absolute[0] == pytest.approx(1 / 24, abs=1e-9)


def test_reserve_and_fee_in_best_response():
    # first price, one bidder, reserve r: best response is to bid r when v >= r
    a = A.FirstPrice([U], reserve=0.4)
    loss = A.utility_loss(a, truthful)
    assert loss.absolute[0] == pytest.approx(0.6**2 / 2, abs=1e-9)  # E[(V - r)^+] = (1-r)²/2


def test_monte_carlo_interval_covers_the_exact_value():
    a = A.FirstPrice([U] * 2)
    mc = A.utility_loss(a, truthful, method="monte_carlo", n_samples=40_000, seed=7)
    assert mc.method == "monte_carlo" and mc.ci.shape == (2, 2)
    assert np.all(mc.ci[:, 0] <= 1 / 12 + 2e-3) and np.all(mc.ci[:, 1] >= 1 / 12 - 2e-3)
    again = A.utility_loss(a, truthful, method="monte_carlo", n_samples=40_000, seed=7)
    assert np.array_equal(mc.absolute, again.absolute)  # reproducible
    assert "CI" in mc.summary() and mc.to_dict()["options"]["seed"] == 7


def test_result_is_read_only_and_serialisable():
    loss = A.utility_loss(A.FirstPrice([U] * 2), truthful)
    assert not loss.absolute.flags.writeable
    d = loss.to_dict()
    assert d["method"] == "quadrature" and len(d["absolute"]) == 2
    assert "UtilityLoss" in repr(loss)


@pytest.mark.parametrize("strategies,match", [
    ([truthful], "expected 2 callables"),
    ([truthful, 0.5], r"strategies\[1\]: expected a callable"),
    ([truthful, lambda v: 0.5], r"strategies\[1\]: must map an array"),
    ([truthful, lambda v: np.zeros((len(v), 2))], "same shape"),
    ([truthful, lambda v: v.undefined], r"strategies\[1\]: calling it"),
    (42, "expected a list"),
])
def test_bad_strategies(strategies, match):
    with pytest.raises(SpecError, match=match):
        A.utility_loss(A.FirstPrice([U] * 2), strategies)


def test_bad_options():
    a = A.FirstPrice([U] * 2)
    with pytest.raises(SpecError, match="method"):
        A.utility_loss(a, truthful, method="exact")
    with pytest.raises(SpecError, match="grid"):
        A.utility_loss(a, truthful, grid=3)
    with pytest.raises(SpecError, match="n_samples"):
        A.utility_loss(a, truthful, method="monte_carlo", n_samples=1)
