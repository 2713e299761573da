"""Correlated auction generator and the Crémer–McLean spanning condition."""

import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import SpecError


def test_correlated_auction_prior_by_hand():
    # ρ = 0.5, values {1, 2}: P(v, v) = 0.5/4 + 0.5/2 = 0.375, P(v, w≠v) = 0.5/4 = 0.125
    env = md.examples.correlated_auction([1, 2], n_bidders=2, correlation=0.5)
    assert np.allclose(env.prior.joint(), [[0.375, 0.125], [0.125, 0.375]])
    assert env.alternatives == ("B1", "B2", "none")
    assert env.valuations[1][1].tolist() == [0.0, 2.0, 0.0]


def test_three_bidders_mass_on_the_diagonal():
    env = md.examples.correlated_auction([1, 2, 3], n_bidders=3, correlation=0.25)
    joint = env.prior.joint()
    assert joint.sum() == pytest.approx(1.0)
    assert joint[1, 1, 1] == pytest.approx(0.75 / 27 + 0.25 / 3)
    assert md.cremer_mclean_condition(env).holds


@pytest.mark.parametrize("rho, holds", [(0.0, False), (0.3, True)])
def test_spanning_condition(rho, holds):
    # independent beliefs: all rows equal (rank 1 < 3); any ρ > 0: ρ·I plus a constant matrix, full rank
    env = md.examples.correlated_auction([1, 2, 3], 2, rho)
    res = md.cremer_mclean_condition(env)
    assert res.holds is holds and bool(res) is holds
    assert res.ranks == ((3, 3) if holds else (1, 1)) and res.n_types == (3, 3)
    assert res.to_dict()["holds"] is holds


def test_spanning_condition_skips_zero_probability_types():
    prior = md.JointPrior([[0.5, 0.0, 0.0], [0.0, 0.5, 0.0], [0.0, 0.0, 0.0]])
    res = md.cremer_mclean_condition(prior)
    assert res.n_types == (2, 2) and res.holds


def test_independent_prior_fails_the_condition():
    assert not md.cremer_mclean_condition(md.IndependentPrior([[0.5, 0.5], [0.5, 0.5]]))


@pytest.mark.parametrize("kwargs, match", [
    ({"correlation": 1.0}, "correlation"),
    ({"correlation": -0.1}, "correlation"),
    ({"n_bidders": 1}, "n_bidders"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(SpecError, match=match):
        md.examples.correlated_auction(**kwargs)


def test_condition_rejects_non_priors():
    with pytest.raises(SpecError, match="prior"):
        md.cremer_mclean_condition([[0.5, 0.5]])
    with pytest.raises(SpecError, match="tol"):
        md.cremer_mclean_condition(md.IndependentPrior([[1.0]]), tol=-1)
