"""Equilibria learned on grids: known answers, certification, warnings (issue 14 §2)."""

import warnings

import numpy as np
import pytest
from scipy import stats

import mechdesign as md
from mechdesign.auctions.grid import DistributionalStrategy
from mechdesign.auctions.learned import EquilibriumWarning, grid_game

A = md.auctions
U = stats.uniform
V = np.linspace(0.05, 0.95, 19)
HIGH = np.linspace(0.5, 0.95, 10)
#: about one step of a 64-point bid grid (the grid's resolution)
STEP = 1 / 63 * 1.9


def _learn(auction, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EquilibriumWarning)
        return auction.equilibrium(method="learn", **kw)


@pytest.mark.parametrize("n", [2, 3])
def test_symmetric_first_price(n):
    """Krishna, Auction Theory (2nd ed.), Prop. 2.2: b(v) = (n-1) v / n for U[0,1] values."""
    eq = _learn(A.FirstPrice([U(0, 1)] * n))
    assert eq.method == "learn" and eq.status == "success"
    assert np.abs(eq[0](V) - (n - 1) * V / n).max() < STEP
    assert eq.loss.max_relative < 2e-3
    assert eq.diagnostics["discrete_relative_loss"] <= 2e-4
    assert all(b is not None for b in eq) and len(eq.strategies) == n
    assert isinstance(eq.strategies[0], DistributionalStrategy)


@pytest.mark.slow
@pytest.mark.parametrize("n", [5, 10])
def test_symmetric_first_price_many_bidders(n):
    """Same closed form; with many bidders a low type almost never wins (probability v^(n-1)),
    so an epsilon-equilibrium leaves its bid loose: compared where winning is likely."""
    eq = _learn(A.FirstPrice([U(0, 1)] * n))
    assert np.abs(eq[0](HIGH) - (n - 1) * HIGH / n).max() < STEP
    assert eq.loss.max_relative < 1e-2


@pytest.mark.parametrize("n", [2, 3])
def test_symmetric_all_pay(n):
    """Krishna, Auction Theory, §2.5 (all-pay): b(v) = (n-1) v^n / n for U[0,1]."""
    eq = _learn(A.AllPay([U(0, 1)] * n))
    assert np.abs(eq[0](V) - (n - 1) * V ** n / n).max() < STEP
    assert eq.loss.max_relative < 5e-3


def test_risk_averse_first_price():
    """Krishna, Auction Theory, §4.1: CRRA u(x) = x^rho, U[0,1]: b(v) = (n-1) v / (n-1+rho)."""
    rho, n = 0.5, 2
    auction = A.FirstPrice([U(0, 1)] * n, risk_aversion=rho)
    eq = _learn(auction)
    assert np.abs(eq[0](V) - (n - 1) * V / (n - 1 + rho)).max() < STEP
    assert eq.loss.max_relative < 5e-3
    # the exact solver: the risk-neutral formula with (n - 1) / rho opponents
    exact = auction.equilibrium()
    assert exact.method == "symmetric-quadrature"
    assert np.abs(exact[0](V) - (n - 1) * V / (n - 1 + rho)).max() < 1e-9
    assert exact.loss.max_relative < 1e-6               # the risk-averse utility loss certifies it
    # risk-neutral play is not an equilibrium for a risk-averse bidder
    assert A.utility_loss(auction, [lambda v: v / 2] * 2).max_relative > 1e-2


def test_reserve_and_entry_fee_against_the_exact_solver():
    for auction in (A.FirstPrice([U(0, 1)] * 2, reserve=0.25), A.AllPay([U(0, 1)] * 2, entry_fee=0.05)):
        exact = auction.equilibrium()
        eq = _learn(auction)
        v = np.linspace(exact[0].cutoff + 0.05, 0.95, 15)
        assert np.abs(eq[0](v) - exact[0](v)).max() < STEP
        assert abs(eq[0].cutoff - exact[0].cutoff) < 0.05            # within about three type cells
        assert eq.loss.max_relative < 1e-2


@pytest.mark.slow
def test_asymmetric_first_price_against_closed_form():
    """U[0,1] vs U[0,2]: the library's backward shooting matches the closed form (test_asymmetric)."""
    auction = A.FirstPrice([U(0, 1), U(0, 2)])
    exact = auction.equilibrium()
    eq = _learn(auction)
    for i, hi in enumerate((1.0, 2.0)):
        v = np.linspace(0.05 * hi, 0.95 * hi, 19)
        assert np.abs(eq[i](v) - exact[i](v)).max() < STEP
    assert eq.loss.max_relative < 1e-2


@pytest.mark.slow
def test_three_asymmetric_bidders_against_backward_shooting():
    auction = A.FirstPrice([U(0, 1), U(0, 1.5), U(0, 2)])
    exact = auction.equilibrium()
    eq = _learn(auction)
    step = float(np.diff(eq.strategies[0].bids).max())
    for i, d in enumerate(auction.distributions):
        v = np.linspace(d.low + 0.05 * d.high, 0.95 * d.high, 19)
        assert np.abs(eq[i](v) - exact[i](v)).max() < step
    assert eq.loss.max_relative < 1e-2


@pytest.mark.slow
def test_asymmetric_all_pay_is_learned_and_certified():
    eq = _learn(A.AllPay([U(0, 1), U(0, 2)]))
    assert eq.loss.max_relative < 2e-2
    assert eq.diagnostics["learning_method"] == "frank_wolfe"
    # Frank-Wolfe's default budget is 20 000 iterations (5000 left it at grid loss 2.5e-3)
    assert eq.diagnostics["iterations"] > 5000 and eq.diagnostics["discrete_relative_loss"] < 5e-4


def test_revenue_equivalence_from_learned_equilibria():
    """Two U[0,1] bidders: every standard format earns E[second-highest value] = 1/3."""
    revenues = []
    for cls in (A.FirstPrice, A.SecondPrice, A.AllPay):
        auction = cls([U(0, 1)] * 2)
        eq = _learn(auction)
        revenues.append(auction.outcomes(list(eq)).revenue)
    assert np.abs(np.array(revenues) - 1 / 3).max() < 0.01, revenues


def test_result_reports_grid_epsilon_exactly():
    auction = A.FirstPrice([U(0, 1)] * 2)
    eq = _learn(auction, grid=(16, 16), options={"zoom": False, "bids": (0, 1)})
    game = grid_game(auction, grid=(16, 16), bids=(0, 1), ties=eq.diagnostics["ties"])
    sigma = [eq.strategies[0].probabilities]
    assert abs(game.epsilon(sigma) - eq.diagnostics["discrete_epsilon"]) < 1e-15
    assert eq.diagnostics["grid"] == "16 types x 16 bids"
    d = eq.to_dict()
    assert d["method"] == "learn" and len(d["distributional_strategies"]) == 2
    assert "grid game" in eq.summary()
    assert len(eq.diagnostics["history"]["relative_loss"]) == eq.diagnostics["iterations"] + 1


def test_iteration_limit_and_non_monotone_bids_are_flagged():
    auction = A.FirstPrice([U(0, 1)] * 2)
    with pytest.warns(EquilibriumWarning) as record:
        # two iterations at the earlier default step (eta 200) leave the random start's decreasing bids
        eq = auction.equilibrium(method="learn", options={"iterations": 2, "zoom": False,
                                                          "step": {"eta": 200.0, "beta": 0.05}})
    assert eq.status == "iteration_limit"
    text = " ".join(str(w.message) for w in record)
    assert "learning stopped" in text and "decrease" in text
    assert any("decrease" in w for w in eq.warnings)


def test_too_narrow_bid_grid_is_flagged():
    with pytest.warns(EquilibriumWarning, match="too narrow"):
        eq = A.FirstPrice([U(0, 1)] * 2).equilibrium(method="learn", options={"bids": (0, 0.2)})
    assert any("too narrow" in w for w in eq.warnings)


def test_explicit_grids_and_options():
    auction = A.FirstPrice([U(0, 1)] * 2)
    eq = _learn(auction, grid=(np.linspace(0.01, 0.99, 40), np.linspace(0, 0.6, 31)),
                options={"method": "frank_wolfe", "ties": "random", "iterations": 3000})
    assert eq.diagnostics["grid"] == "40 types x 31 bids"
    assert eq.diagnostics["learning_method"] == "frank_wolfe" and eq.diagnostics["ties"] == "random"
    assert np.abs(eq[0](V) - V / 2).max() < 0.03
