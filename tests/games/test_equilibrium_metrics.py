"""md.expected_revenue(game, strategies) and friends: metrics of a strategy profile of a game."""
import numpy as np
import pytest

import mechdesign as md


def test_metrics_of_a_game_and_strategy_profile_equal_those_of_its_revelation(first_price):
    sigma = md.solve_bne(first_price, method="pure").equilibria[0].strategies
    direct = md.revelation(first_price, sigma).mechanism
    for metric in (md.expected_revenue, md.expected_welfare, md.expected_surplus, md.expected_deficit):
        assert metric(first_price, sigma) == metric(direct)
    for mine, theirs in zip(md.expected_utilities(first_price, sigma), md.expected_utilities(direct)):
        assert np.array_equal(mine, theirs)
    # the revenue is the expected winning bid: cross-check by hand from the equilibrium bids
    env = first_price.mechanism.env
    bids = np.asarray(first_price.mechanism.action_values[0])
    prior = env.prior.joint()
    revenue = 0.0
    for t1 in range(env.n_types[0]):
        for t2 in range(env.n_types[1]):
            b1, b2 = bids[sigma[0][t1]], bids[sigma[1][t2]]
            revenue += prior[t1, t2] * max(b1, b2)          # ties: the winner pays the tied bid
    assert abs(md.expected_revenue(first_price, sigma) - revenue) < 1e-12


def test_metrics_of_any_profile_not_only_equilibria(first_price):
    truthful_ish = [np.minimum(np.arange(4), 2), np.zeros(4, dtype=int)]   # B1 bids min(value, 2), B2 bids 0
    assert not md.verify_bne(first_price, truthful_ish).holds
    mech = first_price.induced_mechanism(truthful_ish)
    assert md.expected_revenue(first_price, truthful_ish) == md.expected_revenue(mech)


def test_strategies_need_a_game():
    env = md.examples.public_project()
    with pytest.raises(md.errors.SpecError, match="mech: a BayesianGame built from a mechanism"):
        md.expected_revenue(md.vcg(env), [np.zeros(3, dtype=int)] * 2)
