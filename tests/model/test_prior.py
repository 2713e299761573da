import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import SpecError


def test_independent_prior_stores_marginals_and_beliefs():
    prior = md.IndependentPrior([[0.5, 0.5], [0.2, 0.3, 0.5]])
    assert prior.n_types == (2, 3)
    assert prior.is_independent
    np.testing.assert_allclose(prior.marginal(1), [0.2, 0.3, 0.5])
    # With independent types the belief is the other's marginal whatever one's own type (seed 003).
    for t in range(2):
        np.testing.assert_allclose(prior.belief(0, t), [0.2, 0.3, 0.5])
    np.testing.assert_allclose(prior.joint(), np.outer([0.5, 0.5], [0.2, 0.3, 0.5]))
    np.testing.assert_allclose(prior.expect(np.arange(6.0).reshape(2, 3)),
                               (np.outer([0.5, 0.5], [0.2, 0.3, 0.5]) * np.arange(6.0).reshape(2, 3)).sum())


def test_joint_prior_conditional_beliefs_by_bayes_rule():
    joint = np.array([[0.4, 0.1], [0.1, 0.4]])
    prior = md.JointPrior(joint)
    assert not prior.is_independent
    np.testing.assert_allclose(prior.belief(0, 0), [0.8, 0.2])      # 0.4 / 0.5, 0.1 / 0.5
    np.testing.assert_allclose(prior.belief(1, 1), [0.2, 0.8])
    np.testing.assert_allclose(prior.marginal(1), [0.5, 0.5])
    assert not prior.is_product()
    assert md.JointPrior(np.outer([0.3, 0.7], [0.6, 0.4])).is_product()


def test_three_player_joint_belief_shape_and_values():
    rng = np.random.default_rng(0)
    joint = rng.dirichlet(np.ones(12)).reshape(2, 3, 2)
    prior = md.JointPrior(joint / joint.sum())
    belief = prior.belief(1, 2)
    assert belief.shape == (2, 2)
    np.testing.assert_allclose(belief, joint[:, 2, :] / joint[:, 2, :].sum())


def test_zero_probability_type_has_no_belief():
    prior = md.JointPrior([[0.5, 0.5], [0.0, 0.0]])
    with pytest.raises(SpecError, match="probability 0"):
        prior.belief(0, 1)
    assert np.all(prior.belief_matrix(0)[1] == 0)


@pytest.mark.parametrize("bad, fragment", [
    ([[0.5, 0.4], [0.5, 0.5]], "sum to 1"),
    ([[1.2, -0.2], [0.5, 0.5]], "non-negative"),
    ([[np.nan, 1.0], [0.5, 0.5]], "finite"),
    ([], "non-empty"),
])
def test_bad_independent_prior(bad, fragment):
    with pytest.raises(SpecError, match=fragment) as info:
        md.IndependentPrior(bad)
    assert "prior" in str(info.value) or "marginals" in str(info.value)


def test_bad_joint_prior_names_sum():
    with pytest.raises(SpecError, match=r"prior: joint probabilities: probabilities must sum to 1 \(got a sum of 0.9"):
        md.JointPrior([[0.4, 0.1], [0.1, 0.3]])


def test_prior_input_not_mutated_and_frozen():
    marginals = [np.array([0.5, 0.5]), np.array([0.25, 0.75])]
    prior = md.IndependentPrior(marginals)
    marginals[0][0] = 0.9
    np.testing.assert_allclose(prior.marginal(0), [0.5, 0.5])
    with pytest.raises(ValueError):
        prior.marginal(0)[0] = 1.0


def test_belief_index_out_of_range():
    prior = md.IndependentPrior([[0.5, 0.5], [1.0]])
    with pytest.raises(SpecError, match=r"t: an index in 0..1 \(got 2\)"):
        prior.belief(0, 2)
    with pytest.raises(SpecError, match="i:"):
        prior.belief(3, 0)
