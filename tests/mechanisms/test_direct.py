import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import SpecError
from tests import brute


def _env():
    return md.examples.public_project(types=[10, 30, 45], cost=50)


def test_deterministic_decision_and_outcome():
    env = _env()
    dec = np.array([[1, 1, 1], [1, 0, 0], [1, 0, 0]])
    m = np.arange(18.0).reshape(3, 3, 2)
    mech = md.DirectMechanism(env, dec, m)
    assert mech.is_deterministic
    out = mech.outcome((1, 2))
    assert out.alternative == "build"
    np.testing.assert_array_equal(out.lottery, [1.0, 0.0])
    np.testing.assert_array_equal(out.transfers, m[1, 2])
    np.testing.assert_array_equal(mech.payments, -m)
    np.testing.assert_array_equal(mech.decision.argmax(-1), dec)


def test_randomized_decision():
    env = _env()
    lottery = np.full((3, 3, 2), 0.5)
    mech = md.DirectMechanism(env, lottery, np.zeros((3, 3, 2)))
    assert not mech.is_deterministic and mech.decision_indices is None
    assert mech.outcome((0, 0)).alternative is None
    # u_A(build, type 45) = 20, so a fair coin gives 10
    assert mech.ex_post_utilities()[2, 0, 0] == pytest.approx(10.0)


def test_one_hot_lottery_is_recognised_as_deterministic():
    env = _env()
    lottery = np.zeros((3, 3, 2))
    lottery[..., 1] = 1.0
    assert md.DirectMechanism(env, lottery, np.zeros((3, 3, 2))).is_deterministic


def test_interim_utility_matches_brute_force_under_correlated_prior():
    env = md.examples.random_environment(3, [2, 3, 2], 4, seed=3, correlated=True)
    rng = np.random.default_rng(0)
    lottery = rng.dirichlet(np.ones(4), size=(2, 3, 2))
    mech = md.DirectMechanism(env, lottery, rng.normal(size=(2, 3, 2, 3)))
    for i, t, r in [(0, 1, 0), (1, 2, 0), (2, 0, 0), (1, 1, 1)]:
        assert mech.interim_utility(i, t, r) == pytest.approx(brute.interim(mech, i, t, r), abs=1e-12)


@pytest.mark.parametrize("decision, transfers, fragment", [
    (np.zeros((3, 2), dtype=int), np.zeros((3, 3, 2)), r"decision: integer alternative indices of shape \(3, 3\)"),
    (np.full((3, 3), 2), np.zeros((3, 3, 2)), r"decision: alternative indices in 0..1 \(got 2\)"),
    (np.full((3, 3, 2), 0.4), np.zeros((3, 3, 2)), "decision: probabilities must sum to 1"),
    (np.dstack([np.full((3, 3), 1.5), np.full((3, 3), -0.5)]), np.zeros((3, 3, 2)), "non-negative"),
    (np.full((3, 3, 2), np.nan), np.zeros((3, 3, 2)), "decision"),
    (np.zeros((3, 3), dtype=int), np.zeros((3, 3, 3)), r"transfers: shape \(3, 3, 2\)"),
    (np.zeros((3, 3), dtype=int), np.full((3, 3, 2), np.inf), "transfers: finite numbers only"),
])
def test_bad_mechanism(decision, transfers, fragment):
    with pytest.raises(SpecError, match=fragment):
        md.DirectMechanism(_env(), decision, transfers)


def test_bad_env_and_profile():
    with pytest.raises(SpecError, match="env: an Environment"):
        md.DirectMechanism("env", np.zeros((3, 3), dtype=int), np.zeros((3, 3, 2)))
    mech = md.DirectMechanism(_env(), np.zeros((3, 3), dtype=int), np.zeros((3, 3, 2)))
    with pytest.raises(SpecError, match=r"profile\[0\]: an index in 0..2 \(got 3\)"):
        mech.outcome((3, 0))
    with pytest.raises(SpecError, match="type of player 'A'"):
        mech.interim_utility("A", 5)


def test_inputs_not_mutated_and_arrays_read_only():
    dec = np.zeros((3, 3), dtype=int)
    m = np.zeros((3, 3, 2))
    mech = md.DirectMechanism(_env(), dec, m)
    dec[0, 0] = 1
    m[0, 0, 0] = 5
    assert mech.decision_indices[0, 0] == 0 and mech.transfers[0, 0, 0] == 0
    with pytest.raises(ValueError):
        mech.transfers[0, 0, 0] = 1.0
