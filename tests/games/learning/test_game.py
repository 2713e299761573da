"""The LearningGame interface: epsilon, gains, utility loss, validation; the BayesianGame adapter."""
import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import SpecError
from mechdesign.games.learning import BayesianLearningGame, LearningGame, learning_game


class MatchingPennies(LearningGame):
    """Two agents with one type each; agent 0 wins 1 on a match, agent 1 on a mismatch (zero-sum)."""

    def __init__(self):
        super().__init__([[1.0], [1.0]], [2, 2], agent_names=["row", "col"])

    def utilities(self, strategies):
        A = np.array([[1.0, -1.0], [-1.0, 1.0]])
        x, y = strategies[0][0], strategies[1][0]
        return [(A @ y)[None, :], (-A.T @ x)[None, :]]


class WithNullType(LearningGame):
    """One agent, two types, the second of weight 0: her actions never matter."""

    def __init__(self):
        super().__init__([[1.0, 0.0]], [2])

    def utilities(self, strategies):
        return [np.array([[1.0, 0.0], [0.0, 5.0]])]


def test_epsilon_gains_and_utility_loss_by_hand():
    game = MatchingPennies()
    profile = (np.array([[1.0, 0.0]]), np.array([[0.25, 0.75]]))
    # U_row = A y = (-0.5, 0.5): row plays action 0 (-0.5), best 0.5 -> gain 1
    # U_col = -A^T x = (-1, 1): col plays 0.25 * -1 + 0.75 * 1 = 0.5, best 1 -> gain 0.5
    gains = game.gains(profile)
    np.testing.assert_allclose(gains[0], [1.0])
    np.testing.assert_allclose(gains[1], [0.5])
    assert game.epsilon(profile) == pytest.approx(1.0)
    loss = game.utility_loss(profile)
    np.testing.assert_allclose(loss.utility, [-0.5, 0.5])
    np.testing.assert_allclose(loss.best_response, [0.5, 1.0])
    np.testing.assert_allclose(loss.absolute, [1.0, 0.5])
    np.testing.assert_allclose(loss.relative, [2.0, 0.5])          # 1 - u / u_br, SODA's definition
    assert loss.max_relative == pytest.approx(2.0) and loss.max_absolute == pytest.approx(1.0)
    assert game.epsilon(game.uniform_strategies()) == pytest.approx(0.0)   # the unique equilibrium


def test_null_types_never_count():
    game = WithNullType()
    profile = (np.array([[1.0, 0.0], [1.0, 0.0]]),)      # the null type "could gain 5" but has weight 0
    assert game.epsilon(profile) == 0.0
    assert game.gains(profile)[0].tolist() == [0.0, 0.0]
    assert game.utility_loss(profile).max_absolute == 0.0


def test_constructor_and_strategy_validation():
    with pytest.raises(SpecError, match="type_weights"):
        LearningGame.__init__(MatchingPennies.__new__(MatchingPennies), [[0.5, 0.4]], [2])
    with pytest.raises(SpecError, match="n_actions"):
        LearningGame.__init__(MatchingPennies.__new__(MatchingPennies), [[1.0]], [0])
    with pytest.raises(SpecError, match="n_actions"):
        LearningGame.__init__(MatchingPennies.__new__(MatchingPennies), [[1.0]], [2, 2])
    game = MatchingPennies()
    with pytest.raises(SpecError, match=r"strategies\[1\]"):
        game.check_strategies([np.array([[0.5, 0.5]]), np.array([[0.5, 0.6]])])
    with pytest.raises(SpecError, match="one strategy per agent"):
        game.check_strategies([np.array([[0.5, 0.5]])])
    pure = game.check_strategies([np.array([1]), np.array([0])])
    assert pure[0].tolist() == [[0.0, 1.0]] and pure[1].tolist() == [[1.0, 0.0]]


def random_bayesian(seed, n=3, k=3, m=3, correlated=False, private=False):
    rng = np.random.default_rng(seed)
    shape = (*([k] * n), *([m] * n), n)
    payoffs = rng.normal(size=shape)
    if private:      # player i's payoff depends on her own type and the actions only
        for i in range(n):
            own = payoffs[(*[slice(None) if j == i else slice(0, 1) for j in range(n)], Ellipsis, i)]
            payoffs[..., i] = np.broadcast_to(own, shape[:-1])
    if correlated:
        prior = md.JointPrior(rng.dirichlet(np.ones(k ** n)).reshape([k] * n))
    else:
        prior = md.IndependentPrior([rng.dirichlet(np.ones(k)) for _ in range(n)])
    return md.BayesianGame.from_arrays(prior=prior, payoffs=payoffs)


@pytest.mark.parametrize("correlated,private", [(False, True), (False, False), (True, True), (True, False)])
def test_adapter_utilities_equal_the_games_interim_payoffs(correlated, private):
    game = random_bayesian(1, correlated=correlated, private=private)
    lg = learning_game(game)
    assert lg.mode == ("aggregate" if private and not correlated else "full")
    rng = np.random.default_rng(2)
    for _ in range(3):
        sigma = lg.random_strategies(rng)
        for i, u in enumerate(lg.utilities(sigma)):
            np.testing.assert_allclose(u, game.interim_payoffs(i, sigma), atol=1e-12)
        assert lg.epsilon(sigma) == pytest.approx(md.verify_bne(game, sigma).epsilon, abs=1e-12)


def test_aggregate_and_full_modes_agree_on_an_auction():
    game = md.BayesianGame.from_mechanism(md.examples.first_price_auction(bids=[0, 1, 2, 3], values=[0, 1, 2],
                                                                          n_bidders=3))
    agg, full = BayesianLearningGame(game, "aggregate"), BayesianLearningGame(game, "full")
    sigma = agg.random_strategies(np.random.default_rng(0))
    for a, b in zip(agg.utilities(sigma), full.utilities(sigma)):
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_aggregate_mode_refused_for_correlated_types_and_null_types_ignored():
    with pytest.raises(SpecError, match="mode"):
        BayesianLearningGame(random_bayesian(0, correlated=True, private=True), "aggregate")
    game = random_bayesian(3, n=2, k=3, m=2, private=True)
    prior = md.IndependentPrior([[0.5, 0.0, 0.5], game.prior.marginal(1)])
    game = md.BayesianGame.from_arrays(prior=prior, payoffs=game.payoffs)
    lg = learning_game(game)
    sigma = lg.random_strategies(np.random.default_rng(1))
    assert lg.epsilon(sigma) == pytest.approx(md.verify_bne(game, sigma).epsilon, abs=1e-12)
