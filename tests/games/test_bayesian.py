"""BayesianGame construction, strategies and interim payoffs."""
import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import SpecError


def test_from_mechanism_payoffs_match_utilities(first_price):
    # bidder A of value 3 bidding 2 against a bid of 1 wins and pays 2: payoff 1 (quasilinear, by hand)
    assert first_price.payoffs[3, 0, 2, 1, 0] == pytest.approx(1.0)
    # tie at bid 1 for values (2, 3): each wins with prob 1/2 and pays 1/2 in expectation
    assert first_price.payoffs[2, 3, 1, 1, 0] == pytest.approx(0.5 * 2 - 0.5)
    assert first_price.payoffs[2, 3, 1, 1, 1] == pytest.approx(0.5 * 3 - 0.5)
    assert not first_price.payoffs.flags.writeable


def test_interim_payoffs_use_conditional_beliefs():
    # correlated types: P(t1, t2) = [[0.4, 0.1], [0.1, 0.4]]; player 0's payoff is 1 when t2 = 1
    payoffs = np.zeros((2, 2, 1, 1, 2))
    payoffs[:, 1, 0, 0, 0] = 1.0
    game = md.BayesianGame.from_arrays(prior=md.JointPrior([[0.4, 0.1], [0.1, 0.4]]), payoffs=payoffs)
    interim = game.interim_payoffs(0, [np.array([0, 0]), np.array([0, 0])])
    assert interim[:, 0] == pytest.approx([0.2, 0.8])   # P(t2 = 1 | t1) by Bayes' rule


def test_expected_payoffs_pure_and_mixed_agree():
    rng = np.random.default_rng(3)
    game = md.BayesianGame.from_arrays(prior=md.IndependentPrior([[0.3, 0.7], [0.5, 0.5]]),
                                       payoffs=rng.normal(size=(2, 2, 3, 2, 2)))
    pure = [np.array([2, 0]), np.array([1, 1])]
    mixed = [np.eye(3)[[2, 0]], np.eye(2)[[1, 1]]]
    assert np.allclose(game.expected_payoffs(pure), game.expected_payoffs(mixed))
    # brute force: sum over type profiles of P(θ) u(θ, s(θ))
    joint = game.prior.joint()
    manual = sum(joint[a, b] * game.payoffs[a, b, pure[0][a], pure[1][b]] for a in range(2) for b in range(2))
    assert np.allclose(game.expected_payoffs(pure), manual)


def test_labels_and_repr(first_price):
    assert first_price.players == ("B1", "B2")
    assert first_price.action_labels[0] == ("0", "1", "2")
    assert "BayesianGame" in repr(first_price)


@pytest.mark.parametrize("strategies, match", [
    ([np.array([0, 0, 0]), np.array([0, 0, 0, 0])], r"shape \(4,\)"),
    ([np.array([0, 0, 0, 5]), np.array([0, 0, 0, 0])], "action indices in 0..2"),
    ([np.full((4, 3), 0.5), np.array([0, 0, 0, 0])], "sum to 1"),
    ([np.array([[1.5, -0.5, 0]] * 4), np.array([0, 0, 0, 0])], "non-negative"),
    ([np.array([0, 0, 0, 0])], "one strategy per player"),
    ([np.zeros((4, 2)), np.array([0, 0, 0, 0])], r"shape \(4, 3\)"),
])
def test_bad_strategies(first_price, strategies, match):
    with pytest.raises(SpecError, match=match):
        md.verify_bne(first_price, strategies)


def test_bad_payoffs_shape():
    with pytest.raises(SpecError, match="payoffs"):
        md.BayesianGame.from_arrays(prior=md.IndependentPrior([[1.0], [1.0]]), payoffs=np.zeros((1, 1, 2, 2)))
    with pytest.raises(SpecError, match="payoffs"):
        md.BayesianGame.from_arrays(prior=md.IndependentPrior([[1.0], [1.0]]), payoffs=np.full((1, 1, 2, 2, 2), np.nan))


def test_from_mechanism_rejects_other_objects():
    with pytest.raises(SpecError, match="mech"):
        md.BayesianGame.from_mechanism("not a mechanism")
