"""Revelation principle and implementation."""
import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import SpecError

from tests.games.gametools import random_game


def _revenue_in_game(game, sigma):
    """E_θ[-Σ_i m_i(g(σ(θ)))] computed directly from the mechanism's tables (independent of revelation)."""
    mech = game.mechanism
    joint = game.prior.joint()
    total = 0.0
    for a in range(game.n_types[0]):
        for b in range(game.n_types[1]):
            for x in range(game.n_actions[0]):
                for y in range(game.n_actions[1]):
                    total -= joint[a, b] * sigma[0][a, x] * sigma[1][b, y] * mech.transfers[x, y].sum()
    return total


@pytest.mark.parametrize("builder", [md.examples.first_price_auction, md.examples.all_pay_auction])
def test_revelation_of_every_pure_bne_is_bic_with_same_revenue(builder):
    game = md.BayesianGame.from_mechanism(builder(bids=[0, 1, 2], values=[0, 1, 2, 3]))
    equilibria = md.solve_bne(game, method="pure").equilibria
    assert equilibria
    for eq in equilibria:
        result = md.revelation(game, eq.strategies)
        assert md.is_bic(result.mechanism).holds and result.bic.holds
        assert md.expected_revenue(result.mechanism) == pytest.approx(_revenue_in_game(game, eq.mixed()), abs=1e-12)
        # round trip: the original game implements the revealed rule with that equilibrium
        assert md.implements(game, result.mechanism, eq.strategies).holds
        assert md.implements(game, result.mechanism).holds      # found by searching the pure BNE


def test_mixed_equilibrium_gives_randomized_bic_mechanism():
    game = md.BayesianGame.from_mechanism(md.examples.first_price_auction(bids=[0, 1, 2], values=[0, 1, 2, 3]))
    eq = md.solve_bne(game, method="lcp", options={"seed": 3}).equilibria[0]
    mixed = [s.copy() for s in eq.mixed()]
    result = md.revelation(game, mixed)
    assert result.bic.holds
    assert md.expected_revenue(result.mechanism) == pytest.approx(_revenue_in_game(game, mixed), abs=1e-12)


def test_mixed_bne_of_a_random_mechanism_is_bic():
    # a random indirect mechanism with lotteries; its lcp equilibrium is mixed in general
    env = md.examples.random_environment(n_players=2, n_types=2, n_alternatives=3, seed=4)
    rng = np.random.default_rng(4)
    decision = rng.dirichlet(np.ones(3), size=(3, 3))
    transfers = rng.normal(size=(3, 3, 2))
    game = md.BayesianGame.from_mechanism(md.Mechanism(env, actions=[[0, 1, 2]] * 2, outcome=(decision, transfers)))
    for eq in md.solve_bne(game, method="enum").equilibria:
        result = md.revelation(game, eq.strategies)
        assert result.bic.holds
        assert md.implements(game, result.mechanism, eq.strategies).holds


def test_dominant_strategy_revelation_is_dsic():
    game = md.BayesianGame.from_mechanism(md.examples.second_price_auction(bids=[0, 1, 2, 3], values=[0, 1, 2, 3]))
    truthful = [np.arange(4), np.arange(4)]
    result = md.revelation(game, truthful)
    assert result.dominant and result.dsic.holds and md.is_dsic(result.mechanism).holds
    # B2 of value 0 bidding 2 wins for sure and pays 2; bidding 0 gives at least 0: gain 2 (by hand)
    # a BNE that is not dominant gives no DSIC certificate
    fp = md.BayesianGame.from_mechanism(md.examples.first_price_auction())
    eq = md.solve_bne(fp, method="pure").equilibria[0]
    assert md.revelation(fp, eq.strategies).dsic is None


def test_revelation_rejects_non_equilibrium(first_price):
    bad = [np.zeros(4, dtype=int), np.full(4, 2)]
    with pytest.raises(SpecError, match="Bayes–Nash equilibrium.*player 'B2' of type 0 gains 2"):
        md.revelation(first_price, bad)


def test_implements_detects_a_different_rule(first_price):
    eq = md.solve_bne(first_price, method="pure").equilibria[0]
    rule = md.revelation(first_price, eq.strategies).mechanism
    other = (rule.decision, np.asarray(rule.transfers) + 0.25)
    result = md.implements(first_price, other, eq.strategies)
    assert not result.holds and result.is_equilibrium
    assert result.difference == pytest.approx(0.25) and result.profile is not None
    assert not md.implements(first_price, other).holds
    not_bne = md.implements(first_price, rule, [np.zeros(4, dtype=int), np.full(4, 2)])
    assert not not_bne.holds and not not_bne.is_equilibrium


def test_revelation_needs_a_mechanism():
    with pytest.raises(SpecError, match="from_mechanism"):
        md.revelation(random_game(0), [np.array([0, 0]), np.array([0, 0])])


def test_implements_bad_choice_rule(first_price):
    with pytest.raises(SpecError, match="choice_rule"):
        md.implements(first_price, "rule")
    with pytest.raises(SpecError, match="transfers"):
        md.implements(first_price, (np.zeros((4, 4), dtype=int), np.zeros((4, 4, 3))))
