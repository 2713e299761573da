"""Revelation principle and implementation (seed 000, Tadelis 14.1; seed 003 'Revelation Principle')."""

import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import MechDesignError
from tests.games.test_known_answers import first_price_auction


def _game():
    return md.BayesianGame.from_mechanism(first_price_auction((0, 1, 2), (0, 0.5, 1, 1.5)))


def _expected_revenue_of_play(mech, sigma, prior):
    """−E[Σ m_i(g(σ(θ)))] by a loop over type profiles."""
    joint = prior.joint()
    total = 0.0
    for a in range(joint.shape[0]):
        for b in range(joint.shape[1]):
            total -= joint[a, b] * mech.transfers[sigma[0][a], sigma[1][b]].sum()
    return total


def test_revelation_of_every_pure_bne_is_bic_and_keeps_revenue():
    game = _game()
    mech = first_price_auction((0, 1, 2), (0, 0.5, 1, 1.5))
    eqs = md.solve_bne(game, method="pure").equilibria
    assert eqs
    for eq in eqs:
        sigma = eq.pure()
        rev = md.revelation(game, sigma)
        direct = rev.mechanism
        assert md.is_bic(direct).holds and rev.bic.holds
        assert md.expected_revenue(direct) == pytest.approx(_expected_revenue_of_play(mech, sigma, game.prior), abs=1e-12)
        # round trip: the original game with σ* implements the direct mechanism's rule
        impl = md.implements(game, direct, strategies=sigma)
        assert impl.holds


def test_revelation_rejects_a_non_equilibrium():
    game = _game()
    bad = [np.zeros(3, dtype=int), np.full(3, 3)]          # A never bids, B always bids 1.5
    assert md.verify_bne(game, bad).epsilon > 1e-9
    with pytest.raises(MechDesignError, match="strategies"):
        md.revelation(game, bad)


def test_implements_finds_a_pure_bne_and_rejects_a_wrong_rule():
    game = _game()
    sigma = md.solve_bne(game, method="pure").equilibria[0].pure()
    target = md.revelation(game, sigma).mechanism
    assert md.implements(game, target).holds               # searched among the pure BNE
    wrong = md.DirectMechanism(target.env, np.full((3, 3), 2), np.zeros((3, 3, 2)))   # never sell
    res = md.implements(game, wrong, strategies=sigma)
    assert not res.holds


def test_mixed_equilibrium_gives_a_randomized_bic_direct_mechanism():
    # Matching pennies played through money (A gains 1 on a match, B on a mismatch); A has two
    # payoff-identical types. The unique BNE is mixed: B plays 50/50.
    env = md.Environment(["A", "B"], ["heads", "tails"], [[0, 1], [0]], md.IndependentPrior([[0.5, 0.5], [1.0]]),
                         [np.zeros((2, 2)), np.zeros((1, 2))])
    # the mechanism: outcome alternative = B's action, transfers = the pennies payoffs
    dec = np.array([[0, 1], [0, 1]])
    m = np.zeros((2, 2, 2))
    m[..., 0] = [[1, -1], [-1, 1]]
    m[..., 1] = -m[..., 0]
    game = md.BayesianGame.from_mechanism(md.Mechanism(env, actions=[["H", "T"], ["H", "T"]], outcome=(dec, m)))
    res = md.solve_bne(game, method="lcp")
    eq = res.equilibria[0]
    assert not eq.is_pure and eq.epsilon <= 1e-9
    rev = md.revelation(game, eq.strategies)
    assert not rev.mechanism.is_deterministic
    np.testing.assert_allclose(rev.mechanism.decision[:, 0], 0.5)     # B mixes 50/50
    assert md.is_bic(rev.mechanism).holds
