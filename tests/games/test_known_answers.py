"""Known answers for Bayesian games: pure BNE by brute force, Bayesian Battle of the Sexes, dominance."""

import numpy as np
import pytest

import mechdesign as md
from tests.games.brute_games import pure_bne


def as_tuple(eq):
    return tuple(tuple(int(a) for a in s) for s in eq.pure())


def first_price_auction(values, bids):
    """Discrete first-price auction, ties split 50/50, as an indirect mechanism."""
    env = md.examples.single_item_auction(values=values, n_bidders=2)
    nb = len(bids)
    dec = np.zeros((nb, nb, 3))
    m = np.zeros((nb, nb, 2))
    for a, ba in enumerate(bids):
        for b, bb in enumerate(bids):
            if ba > bb:
                dec[a, b, 0], m[a, b, 0] = 1, -ba
            elif bb > ba:
                dec[a, b, 1], m[a, b, 1] = 1, -bb
            else:
                dec[a, b, :2] = 0.5
                m[a, b] = [-ba / 2, -bb / 2]
    return md.Mechanism(env, actions=[list(bids), list(bids)], outcome=(dec, m))


@pytest.mark.parametrize("values, bids", [((0, 1, 2), (0, 0.5, 1, 1.5)), ((1, 2, 3), (0, 1, 2))])
def test_first_price_pure_bne_equal_brute_force(values, bids):
    game = md.BayesianGame.from_mechanism(first_price_auction(values, bids))
    res = md.solve_bne(game, method="pure")
    truth = pure_bne(np.asarray(game.payoffs), game.prior.joint())
    assert truth, "the instance should have pure equilibria"
    assert {as_tuple(e) for e in res.equilibria} == truth
    assert all(e.epsilon <= 1e-9 for e in res.equilibria)


def bayesian_battle_of_the_sexes():
    """Osborne (2004), An Introduction to Game Theory, Example 273.2 (BoS with uncertainty).

    Player 1 (one type) does not know whether player 2 wishes to meet her ('y', prob. 1/2) or to
    avoid her ('n'). Actions B, S. Payoffs (player 1, player 2):
      type y:  (B,B) = (2,1), (B,S) = (0,0), (S,B) = (0,0), (S,S) = (1,2)
      type n:  (B,B) = (2,0), (B,S) = (0,2), (S,B) = (0,1), (S,S) = (1,0)
    """
    P = np.zeros((1, 2, 2, 2, 2))
    y = {(0, 0): (2, 1), (0, 1): (0, 0), (1, 0): (0, 0), (1, 1): (1, 2)}
    n = {(0, 0): (2, 0), (0, 1): (0, 2), (1, 0): (0, 1), (1, 1): (1, 0)}
    for t2, table in enumerate((y, n)):
        for (a, b), pay in table.items():
            P[0, t2, a, b] = pay
    prior = md.IndependentPrior([[1.0], [0.5, 0.5]])
    return md.BayesianGame.from_arrays(prior=prior, payoffs=P)


def test_bayesian_battle_of_the_sexes():
    # Worked by hand: if player 1 plays B, type y's best reply is B (1 > 0) and type n's is S (2 > 0);
    # against (B, S) player 1 gets 0.5·2 + 0.5·0 = 1 from B and 0.5·0 + 0.5·1 = 0.5 from S, so
    # (B, (B, S)) is a BNE. If player 1 plays S, type y plays S and type n plays B; then B gives
    # player 1 0.5·0 + 0.5·2 = 1 > S's 0.5·1 + 0.5·0 = 0.5: no BNE. The unique pure BNE is (B, (B, S)).
    game = bayesian_battle_of_the_sexes()
    res = md.solve_bne(game, method="pure")
    assert {as_tuple(e) for e in res.equilibria} == {((0,), (0, 1))}
    v = md.verify_bne(game, [np.array([1]), np.array([1, 0])])
    assert not v.holds and v.epsilon == pytest.approx(0.5)     # player 1 prefers B: 1 vs 0.5


def test_second_price_truthful_is_weakly_dominant():
    values = (0.0, 1.0, 2.0, 3.0)
    env = md.examples.single_item_auction(values=values, n_bidders=2)
    vcg = md.vcg(env)                         # the second-price auction (ties to bidder 1)
    mech = md.Mechanism(env, actions=[list(values)] * 2, outcome=(vcg.decision, vcg.transfers))
    game = md.BayesianGame.from_mechanism(mech)
    res = md.dominant_strategy_equilibria(game)
    truthful = (tuple(range(4)), tuple(range(4)))
    assert truthful in {as_tuple(e) for e in res.equilibria}
    # weakly, not strictly: whenever she loses with either bid (opponent bids 3, she bids 0 or 1)
    # a bidder is indifferent, so truth-telling is not strictly dominant
    strict = md.dominant_strategy_equilibria(game, strict=True)
    assert truthful not in {as_tuple(e) for e in strict.equilibria}


def test_dominant_strategy_equilibrium_makes_revelation_dsic():
    values = (0.0, 1.0, 2.0)
    env = md.examples.single_item_auction(values=values, n_bidders=2)
    vcg = md.vcg(env)
    mech = md.Mechanism(env, actions=[list(values)] * 2, outcome=(vcg.decision, vcg.transfers))
    game = md.BayesianGame.from_mechanism(mech)
    sigma = [np.arange(3), np.arange(3)]
    rev = md.revelation(game, sigma)
    assert md.is_dsic(rev.mechanism).holds and rev.dsic is not None and rev.dsic.holds
