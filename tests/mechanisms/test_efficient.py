"""The first-best decision rule x*(θ) = argmax_x Σ_i u_i(x, θ) (Tadelis 14.2)."""

import numpy as np
import pytest
from hypothesis import given, settings

import mechdesign as md
from mechdesign.errors import SpecError
from tests.mechanisms.efficient_brute import best_alternative, independent_envs, profiles, value
from mechdesign.mechanisms.efficient import chosen_value, chosen_welfare


def tie_env():
    """Two players, three alternatives; at profile (0, 0) alternatives 0 and 2 tie (total 3)."""
    prior = md.IndependentPrior([[0.5, 0.5], [0.5, 0.5]])
    a = [[1.0, 0.0, 2.0], [0.0, 5.0, 0.0]]
    b = [[2.0, 1.0, 1.0], [0.0, 0.0, 4.0]]
    return md.Environment(["A", "B"], ["x", "y", "z"], [[0, 1], [0, 1]], prior, [a, b])


def test_public_project_builds_iff_values_exceed_cost():
    # Closed form: with cost 50 shared 25/25, u_i(build) = θ_i − 25, so build (index 0) iff θ_A + θ_B > 50.
    env = md.examples.public_project(types=(10.0, 30.0, 45.0), cost=50.0)
    t = np.array([10.0, 30.0, 45.0])
    expected = np.where(t[:, None] + t[None, :] > 50, 0, 1)
    np.testing.assert_array_equal(md.efficient_decision(env), expected)


@settings(max_examples=25, deadline=None)
@given(independent_envs(max_alternatives=4))
def test_matches_brute_force_argmax(env):
    decision = md.efficient_decision(env)
    assert decision.shape == env.n_types
    for prof in profiles(env):
        assert decision[prof] == best_alternative(env, prof)[0]


def test_interdependent_values_use_the_whole_profile():
    env = md.examples.random_environment(n_players=3, n_types=[2, 3, 2], n_alternatives=4, seed=7,
                                         interdependent=True)
    decision = md.efficient_decision(env)
    for prof in profiles(env):
        assert decision[prof] == best_alternative(env, prof)[0]


def test_ties_lowest_picks_the_lowest_index():
    decision = md.efficient_decision(tie_env())
    assert decision[0, 0] == 0          # x (0) and z (2) both total 3
    assert decision[1, 0] == 1          # y: 5 + 1 = 6 is the unique maximum


def test_ties_uniform_mixes_over_all_maximisers():
    lottery = md.efficient_decision(tie_env(), ties="uniform")
    assert lottery.shape == (2, 2, 3)
    np.testing.assert_allclose(lottery[0, 0], [0.5, 0.0, 0.5])
    np.testing.assert_allclose(lottery[1, 0], [0.0, 1.0, 0.0])
    np.testing.assert_allclose(lottery.sum(axis=-1), 1.0)


def test_rounding_differences_count_as_ties():
    # 0.1 + 0.2 != 0.3 in floating point; the two alternatives are tied on paper.
    prior = md.IndependentPrior([[1.0], [1.0]])
    env = md.Environment(["A", "B"], ["x", "y"], [[0], [0]], prior, [[[0.1, 0.3]], [[0.2, 0.0]]])
    assert md.efficient_decision(env)[0, 0] == 0
    np.testing.assert_allclose(md.efficient_decision(env, ties="uniform")[0, 0], [0.5, 0.5])


def test_invariant_to_type_dependent_constants_and_alternative_order():
    env = md.examples.random_environment(n_players=3, n_types=3, n_alternatives=5, seed=3)
    rng = np.random.default_rng(0)
    shifted = md.Environment(env.players, env.alternatives, [list(range(k)) for k in env.n_types], env.prior,
                             [u + rng.normal(size=(u.shape[0], 1)) for u in env.valuations])
    np.testing.assert_array_equal(md.efficient_decision(shifted), md.efficient_decision(env))
    perm = np.array([3, 0, 4, 1, 2])
    permuted = md.Environment(env.players, [env.alternatives[p] for p in perm],
                              [list(range(k)) for k in env.n_types], env.prior,
                              [u[:, perm] for u in env.valuations])
    np.testing.assert_array_equal(perm[md.efficient_decision(permuted)], md.efficient_decision(env))


def test_chosen_value_and_welfare_match_loops():
    env = tie_env()
    for ties in ("lowest", "uniform"):
        decision = md.efficient_decision(env, ties=ties)
        welfare = chosen_welfare(env, decision)
        for prof in profiles(env):
            assert welfare[prof] == pytest.approx(best_alternative(env, prof)[1])
    lottery = md.efficient_decision(env, ties="uniform")
    assert chosen_value(env, lottery, 0)[0, 0] == pytest.approx(0.5 * 1.0 + 0.5 * 2.0)
    assert chosen_value(env, md.efficient_decision(env), 1)[0, 0] == value(env, 1, 0, (0, 0))


def test_ties_must_be_an_allowed_rule():
    with pytest.raises(SpecError, match=r"ties: one of \['lowest', 'uniform'\] \(got 'random'\)"):
        md.efficient_decision(tie_env(), ties="random")
    with pytest.raises(SpecError, match="ties: one of"):
        md.vcg(tie_env(), ties=None)
    with pytest.raises(SpecError, match="ties: one of"):
        md.agv(tie_env(), ties="highest")


def test_env_must_be_an_environment():
    with pytest.raises(SpecError, match=r"env: an Environment \(got dict\)"):
        md.efficient_decision({"players": ["A"]})


def test_nan_valuations_are_refused_at_construction():
    prior = md.IndependentPrior([[0.5, 0.5], [1.0]])
    with pytest.raises(SpecError, match=r"valuations\['A'\]: finite numbers only \(got nan at index \(1, 0\)\)"):
        md.Environment(["A", "B"], ["x", "y"], [[0, 1], [0]], prior, [[[1.0, 0.0], [np.nan, 0.0]], [[0.0, 1.0]]])
