"""Rule-defined mechanisms: Custom rules, Tullock contests, k-double auctions (issue 14 §2)."""

import warnings

import numpy as np
import pytest
from scipy import stats

import mechdesign as md
from mechdesign.auctions.learned import EquilibriumWarning, grid_game
from mechdesign.errors import SpecError

A = md.auctions
U = stats.uniform
V = np.linspace(0.05, 0.95, 19)


def first_price(b):
    win = (b == b.max(axis=1, keepdims=True)).astype(float)
    win /= win.sum(axis=1, keepdims=True)
    return win, win * b


def _learn(mech, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EquilibriumWarning)
        return mech.equilibrium(method="learn", **kw)


def test_custom_first_price_rule_learns_the_first_price_equilibrium():
    eq = _learn(A.Custom([U(0, 1)] * 2, rule=first_price))
    # Custom rules learn by Frank-Wolfe by default; it meets the grid target (dual averaging
    # stopped at 6e-3 after 5000 iterations)
    assert eq.diagnostics["learning_method"] == "frank_wolfe" and eq.status == "success"
    assert eq.diagnostics["discrete_relative_loss"] <= 1e-4
    assert np.abs(eq[0](V) - V / 2).max() < 0.03
    # certified on the continuum by the rule-based utility loss; the exact equilibrium scores ~0
    exact = A.utility_loss(A.Custom([U(0, 1)] * 2, rule=first_price), [lambda v: v / 2] * 2)
    assert exact.max_relative < 2e-3
    assert eq.loss.max_relative < 3e-2


def test_bad_rules_are_refused_clearly():
    dists = [U(0, 1)] * 2
    with pytest.raises(SpecError, match="rule: expected a callable"):
        A.Custom(dists, rule=3)
    with pytest.raises(SpecError, match=r"rule: the allocation must have the shape of the bids"):
        A.Custom(dists, rule=lambda b: (b[:, :1], b))
    with pytest.raises(SpecError, match="rule: the payments must be finite"):
        A.Custom(dists, rule=lambda b: (np.zeros_like(b), np.where(b > 0.5, np.nan, b)))
    with pytest.raises(SpecError, match=r"rule: expected it to return \(allocation, payments\)"):
        A.Custom(dists, rule=lambda b: b)
    with pytest.raises(SpecError, match="rule: calling it on bids of shape"):
        A.Custom(dists, rule=lambda b: 1 / 0)
    # a rule that breaks only on some grid profiles is caught when the tensors are built
    sneaky = A.Custom(dists, rule=lambda b: (np.zeros_like(b), np.where(np.abs(b - 0.5) < 0.01, np.inf, b)))
    with pytest.raises(SpecError, match="finite"):
        sneaky.equilibrium(method="learn", grid=(8, 65))
    with pytest.raises(SpecError, match="method"):
        A.Custom(dists, rule=first_price).equilibrium(method="auto")


def test_anonymous_rules_share_a_strategy_and_others_do_not():
    dists = [U(0, 1)] * 3
    assert grid_game(A.Custom(dists, rule=first_price), grid=(4, 5)).classes == ((0, 1, 2),)

    def favour_first(b):                       # ties go to the lowest index: not anonymous
        win = np.zeros_like(b)
        win[np.arange(b.shape[0]), b.argmax(axis=1)] = 1.0
        return win, win * b

    assert grid_game(A.Custom(dists, rule=favour_first), grid=(4, 5)).classes == ((0,), (1,), (2,))


def test_dense_tensors_have_a_memory_limit():
    with pytest.raises(SpecError, match="grid: .* bid profiles"):
        grid_game(A.Custom([U(0, 1)] * 6, rule=first_price), grid=(8, 64))


def test_double_auction_gains_stay_below_the_second_best():
    """Chatterjee–Samuelson (1983): with uniform values and costs and k = 1/2 the linear
    equilibrium b(v) = 2v/3 + 1/12, s(c) = 2c/3 + 1/4 attains the Myerson–Satterthwaite
    second best 9/64; no equilibrium does better."""
    da = A.DoubleAuction(buyer=U(0, 1), seller=U(0, 1), k=0.5)
    linear = [lambda v: 2 * v / 3 + 1 / 12, lambda c: 2 * c / 3 + 1 / 4]
    assert abs(da.expected_gains_from_trade(linear) - 9 / 64) < 5e-4
    assert A.utility_loss(da, linear).max_relative < 1e-3        # it is an equilibrium
    truthful = [lambda v: v, lambda c: c]
    assert abs(da.expected_gains_from_trade(truthful) - 1 / 6) < 5e-4   # first best, not an equilibrium
    assert A.utility_loss(da, truthful).max_relative > 0.05
    eq = _learn(da)
    assert eq.diagnostics["learning_method"] == "dual_averaging"
    assert eq.diagnostics["discrete_relative_loss"] <= 2e-4          # verified on the grid
    gains = da.expected_gains_from_trade(eq)
    assert 0 < gains <= 9 / 64 + 2e-3, gains
    assert eq.loss.max_relative < 5e-2
    with pytest.raises(SpecError, match="k: expected a number in"):
        A.DoubleAuction(buyer=U(0, 1), seller=U(0, 1), k=1.5)


def test_tullock_contest():
    """Lottery contest (r = 1) with two U[0,1] bidders: the learned efforts certify on the
    continuum; efforts increase with the value and stay below it."""
    contest = A.Contest([U(0, 1)] * 2, r=1.0)
    x, pay = contest.allocation_and_payments(np.array([[0.1, 0.3], [0.0, 0.0]]))
    assert np.allclose(x, [[0.25, 0.75], [0.5, 0.5]]) and np.allclose(pay, [[0.1, 0.3], [0, 0]])
    eq = _learn(contest)
    assert eq.diagnostics["learning_method"] == "frank_wolfe" and eq.status == "success"
    assert eq.loss.max_relative < 5e-3
    b = eq[0](V)
    assert np.all(np.diff(b) >= -1e-9) and np.all(b <= V)
    averse = _learn(A.Contest([U(0, 1)] * 2, r=1.0, risk_aversion=0.5))
    assert averse.loss.max_relative < 1e-2
    with pytest.raises(SpecError, match="r: expected a positive"):
        A.Contest([U(0, 1)] * 2, r=0)
    with pytest.raises(SpecError, match="risk_aversion"):
        A.Contest([U(0, 1)] * 2, risk_aversion=2.0)


def test_double_auction_sorted_expectations_match_the_rule():
    from mechdesign.auctions import rule_interim

    da = A.DoubleAuction(buyer=U(0, 1), seller=stats.beta(2, 3), k=0.3)
    strategies = [lambda v: 0.7 * v + 0.1, lambda c: 0.6 * c + 0.3]
    own = np.random.default_rng(0).random(40)
    for i in range(2):
        profiles, w = rule_interim._opponent_profiles(da, strategies, i, 200)
        X, P = da._interim_expectations(i, own, profiles, w)
        for b, x, p in zip(own, X, P):
            rows = profiles.copy()
            rows[:, i] = b
            alloc, pay = da.allocation_and_payments(rows)
            assert abs(alloc[:, i] @ w - x) < 1e-13 and abs(pay[:, i] @ w - p) < 1e-13
