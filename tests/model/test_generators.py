import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import SpecError


def test_public_project_equal_shares_and_designer_pays():
    env = md.examples.public_project(types=[10, 30, 45], cost=50)
    np.testing.assert_allclose(env.valuations[0][:, 0], [-15, 5, 20])       # θ − 50/2
    np.testing.assert_allclose(env.valuations[1][:, 1], 0)
    designer = md.examples.public_project(types=[10, 30], cost=50, cost_sharing="designer")
    np.testing.assert_allclose(designer.valuations[0][:, 0], [10, 30])
    shares = md.examples.public_project(types=[10, 30], cost=40, n_players=2, cost_sharing=[0.25, 0.75])
    np.testing.assert_allclose(shares.valuations[1][:, 0], [10 - 30, 30 - 30])


def test_single_item_auction_alternatives_and_values():
    env = md.examples.single_item_auction(values=[1, 2], n_bidders=3)
    assert env.alternatives == ("B1", "B2", "B3", "none")
    np.testing.assert_allclose(env.valuations[2], [[0, 0, 1, 0], [0, 0, 2, 0]])


def test_bilateral_trade():
    env = md.examples.bilateral_trade([1, 2], [0, 3])
    np.testing.assert_allclose(env.valuations[0], [[-1, 0], [-2, 0]])
    np.testing.assert_allclose(env.valuations[1], [[0, 0], [3, 0]])


def test_random_environment_reproducible_and_full_support():
    a = md.examples.random_environment(3, [2, 3, 4], 5, seed=7, correlated=True)
    b = md.examples.random_environment(3, [2, 3, 4], 5, seed=7, correlated=True)
    np.testing.assert_array_equal(a.prior.joint(), b.prior.joint())
    assert a.n_types == (2, 3, 4) and np.all(a.prior.joint() > 0)
    inter = md.examples.random_environment(2, 3, 2, seed=1, interdependent=True)
    assert inter.valuations[0].shape == (3, 3, 2)


@pytest.mark.parametrize("call, fragment", [
    (lambda: md.examples.public_project(cost=-1), "cost"),
    (lambda: md.examples.public_project(cost_sharing="half"), "cost_sharing"),
    (lambda: md.examples.public_project(n_players=0), "n_players"),
    (lambda: md.examples.single_item_auction(values=[[1, 2]], n_bidders=2), "values: one list per player"),
    (lambda: md.examples.random_environment(2, [2, 2, 2]), "n_types"),
])
def test_bad_generator_input(call, fragment):
    with pytest.raises(SpecError, match=fragment):
        call()
