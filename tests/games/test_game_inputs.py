"""Bad input to Bayesian games, mechanisms and solvers: clear SpecErrors naming the argument."""

import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import SpecError
from tests.games.gametools import random_game
from tests.games.test_known_answers import first_price_auction


def test_strategies_wrong_shape_or_probabilities():
    game = random_game(0, k=(2, 2), m=(2, 3))
    with pytest.raises(SpecError, match="strategies"):
        md.verify_bne(game, [np.zeros(3, dtype=int), np.zeros(2, dtype=int)])
    with pytest.raises(SpecError, match="sum to 1"):
        md.verify_bne(game, [np.full((2, 2), 0.4), np.full((2, 3), 1 / 3)])
    with pytest.raises(SpecError, match="strategies"):
        md.verify_bne(game, [np.zeros(2, dtype=int), np.array([0, 3])])       # action 3 of 3 actions
    with pytest.raises(SpecError, match="strategies"):
        md.verify_bne(game, [np.zeros(2, dtype=int)])                       # one player missing


def test_unknown_method_and_lcp_on_three_players():
    game = random_game(0)
    with pytest.raises(SpecError, match=r"method: one of"):
        md.solve_bne(game, method="simplex")
    rng = np.random.default_rng(0)
    three = md.BayesianGame.from_arrays(prior=md.IndependentPrior([[0.5, 0.5]] * 3),
                                        payoffs=rng.normal(size=(2, 2, 2, 2, 2, 2, 3)))
    with pytest.raises(SpecError, match="gambit"):
        md.solve_bne(three, method="lcp")
    with pytest.raises(SpecError, match="options"):
        md.solve_bne(game, method="pure", options={"max_pivots": 3})
    with pytest.raises(SpecError, match=r"options\['start'\]: one of"):
        md.solve_bne(game, method="lcp", options={"start": "centroid"})
    for bad in (0, -2, 1.5, True, "2"):
        with pytest.raises(SpecError, match=r"options\['workers'\]: a positive integer"):
            md.solve_bne(game, method="lcp", options={"workers": bad})
        with pytest.raises(SpecError, match=r"options\['max_pivots'\]: a positive integer"):
            md.solve_bne(game, method="lcp", options={"max_pivots": bad})
    with pytest.raises(SpecError, match="options"):
        md.solve_bne(game, method="lcp", options={"threads": 2})         # the old name is refused, not ignored


def test_pure_search_refuses_above_its_bound():
    game = random_game(1, k=(3, 3), m=(3, 3))
    with pytest.raises(md.errors.MechDesignError, match="max_profiles"):
        md.solve_bne(game, method="pure", options={"max_profiles": 10})


def test_bad_payoffs_and_prior():
    with pytest.raises(SpecError, match="payoffs"):
        md.BayesianGame.from_arrays(prior=md.IndependentPrior([[0.5, 0.5], [1.0]]), payoffs=np.zeros((2, 2, 2, 2, 2)))
    with pytest.raises(SpecError, match="payoffs"):
        md.BayesianGame.from_arrays(prior=md.IndependentPrior([[0.5, 0.5], [1.0]]),
                                    payoffs=np.full((2, 1, 2, 2, 2), np.nan))


def test_bad_mechanism_outcome():
    env = md.examples.single_item_auction(values=(0, 1), n_bidders=2)
    with pytest.raises(SpecError, match="outcome"):
        md.Mechanism(env, actions=[[0, 1], [0, 1]], outcome=(np.zeros((2, 2), dtype=int), np.zeros((2, 2, 3))))
    with pytest.raises(SpecError, match="outcome"):
        md.Mechanism(env, actions=[[0, 1], [0, 1]], outcome=(np.full((2, 2), 5), np.zeros((2, 2, 2))))
    with pytest.raises(SpecError, match="outcome"):
        md.Mechanism(env, actions=[[0, 1], [0, 1]], outcome=lambda a: ("nobody", [0, 0]))
    with pytest.raises(SpecError, match="actions"):
        md.Mechanism(env, actions=[[0, 0], [0, 1]], outcome=lambda a: ("none", [0, 0]))


def test_nothing_passed_in_is_mutated():
    mech = first_price_auction((0, 1), (0, 1))
    game = md.BayesianGame.from_mechanism(mech)
    sigma = [np.array([0, 1]), np.array([0, 1])]
    before = [s.copy() for s in sigma]
    md.verify_bne(game, sigma)
    md.solve_bne(game, method="pure")
    assert all(np.array_equal(a, b) for a, b in zip(sigma, before))
