"""The d'Aspremont–Gérard-Varet (expected-externality) mechanism (seed 003)."""

import numpy as np
import pytest
from hypothesis import given, settings

import mechdesign as md
from mechdesign.errors import SpecError
from tests import brute
from tests.mechanisms.efficient_brute import independent_envs, profiles, seed_agv_payments, value

CORRELATED = np.array([[0.3, 0.02, 0.01], [0.02, 0.3, 0.02], [0.01, 0.02, 0.3]])


def test_seed_formula_with_payments_gives_the_same_numbers():
    # Seed 003 writes t_i as a payment (utility v_i − t_i); mechdesign's m_i is money received.
    env = md.examples.random_environment(n_players=3, n_types=[2, 3, 2], n_alternatives=3, seed=4)
    np.testing.assert_allclose(md.agv(env).transfers, -seed_agv_payments(env), rtol=0, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(independent_envs())
def test_seed_formula_on_random_environments(env):
    np.testing.assert_allclose(md.agv(env).transfers, -seed_agv_payments(env), rtol=0, atol=1e-12)


def test_bilateral_trade_agv_balances_but_fails_ex_post_ir():
    # Seller cost c, buyer value v in {0, 1, 2}, uniform; trade iff v ≥ c (ties towards trade).
    # Expected externalities by hand: E_seller(c) = E_v[v·1{v ≥ c}] = (0+1+2)/3, (1+2)/3, 2/3
    # = 1, 1, 2/3; E_buyer(v) = E_c[−c·1{c ≤ v}] = 0, −1/3, −(0+1+2)/3 = 0, −1/3, −1.
    env = md.examples.bilateral_trade()
    e_seller, e_buyer = np.array([1.0, 1.0, 2 / 3]), np.array([0.0, -1 / 3, -1.0])
    ext = md.expected_externality(env)
    np.testing.assert_allclose(ext[0], e_seller)
    np.testing.assert_allclose(ext[1], e_buyer)
    mech = md.agv(env)
    # n = 2: m_seller = E_s(c) − E_b(v), m_buyer = E_b(v) − E_s(c).
    expected = np.stack([e_seller[:, None] - e_buyer[None, :], e_buyer[None, :] - e_seller[:, None]], axis=-1)
    np.testing.assert_allclose(mech.transfers, expected)
    assert md.is_budget_balanced(mech, kind="strong")
    np.testing.assert_allclose(md.budget_surplus(mech), 0.0, atol=1e-15)
    assert md.is_bic(mech)
    # At (c, v) = (0, 0) trade happens, the buyer gets 0 and pays E_s(0) − E_b(0) = 1.
    ir = md.is_ir(mech, kind="ex_post")
    assert not ir
    assert ir.witness.player == "buyer" and ir.witness.profile == (0, 0)
    assert ir.violation == pytest.approx(1.0)
    # Compare: the status-quo VCG is ex-post IR but runs a deficit (see test_groves.py).
    assert md.expected_deficit(md.vcg(env, pivot="status_quo", status_quo="no trade")) > 0


@settings(max_examples=30, deadline=None)
@given(independent_envs())
def test_agv_is_bic_and_strongly_budget_balanced_everywhere(env):
    mech = md.agv(env)
    assert md.is_bic(mech).holds
    assert md.is_budget_balanced(mech, kind="strong").holds
    assert np.abs(md.budget_surplus(mech)).max() <= 1e-12
    assert md.is_efficient(mech).holds


@settings(max_examples=30, deadline=None)
@given(independent_envs())
def test_agv_and_vcg_share_decision_and_interim_utility_differences(env):
    # Both give type θ_i the expected welfare E[Σ_j u_j(x*(θ)) | θ_i] plus a term that does not
    # depend on θ_i (independent types), so interim utilities differ by a constant per player.
    a, g = md.agv(env), md.vcg(env)
    np.testing.assert_array_equal(a.decision_indices, g.decision_indices)
    for ua, ug in zip(md.expected_utilities(a), md.expected_utilities(g)):
        diff = ua - ug
        assert np.ptp(diff) <= 1e-9


def test_expected_externality_by_loops_and_with_a_given_decision():
    env = md.examples.random_environment(n_players=3, n_types=[3, 2, 2], n_alternatives=3, seed=8)
    decision = md.efficient_decision(env)
    joint = env.prior.joint()
    ext = md.expected_externality(env, decision)
    for i in range(3):
        num = np.zeros(env.n_types[i])
        for prof in profiles(env):
            x = decision[prof]
            num[prof[i]] += joint[prof] * sum(value(env, j, x, prof) for j in range(3) if j != i)
        np.testing.assert_allclose(ext[i], num / env.prior.marginal(i), rtol=1e-12)
    lottery = md.efficient_decision(env, ties="uniform")
    for e1, e2 in zip(md.expected_externality(env, lottery), ext):
        np.testing.assert_allclose(e1, e2, rtol=1e-12)


def test_factorising_joint_prior_is_accepted_and_agrees():
    env = md.examples.public_project()
    product = md.JointPrior(np.outer([0.2, 0.5, 0.3], [0.1, 0.6, 0.3]))
    independent = md.IndependentPrior([[0.2, 0.5, 0.3], [0.1, 0.6, 0.3]])
    np.testing.assert_allclose(md.agv(env.with_prior(product)).transfers,
                               md.agv(env.with_prior(independent)).transfers, atol=1e-12)


def test_correlated_prior_is_refused_without_allow_correlated():
    env = md.examples.public_project(prior=md.JointPrior(CORRELATED))
    with pytest.raises(SpecError, match=r"env.prior: independent types: with a correlated prior AGV is not BIC"
                                        r".*allow_correlated=True.*\(got a correlated JointPrior\)"):
        md.agv(env)


def test_correlated_agv_fails_bic_with_a_witness():
    # Strongly correlated values in the 2-player public project (cost 50, types 10/30/45): with the
    # interim expected externalities computed from P(θ_-i | θ_i), type 30 of A gains by reporting 45.
    env = md.examples.public_project(prior=md.JointPrior(CORRELATED))
    mech = md.agv(env, allow_correlated=True)
    assert md.is_budget_balanced(mech, kind="strong")
    bic = md.is_bic(mech)
    assert not bic
    w = bic.witness
    assert (w.player, w.true_type, w.report) == ("A", "30", "45")
    # Independent check of the gain: interim utilities by loops over the joint prior.
    t, r = w.true_type_index, w.report_index
    assert w.gain == pytest.approx(brute.interim(mech, 0, t, r) - brute.interim(mech, 0, t, t))
    assert bic.violation == pytest.approx(w.gain) and w.gain > 1


def test_agv_needs_two_players():
    env = md.Environment(["solo"], ["x", "y"], [[0, 1]], md.IndependentPrior([[0.5, 0.5]]), [[[1.0, 0.0], [0.0, 1.0]]])
    with pytest.raises(SpecError, match=r"env: at least 2 players .* \(got 1 player\)"):
        md.agv(env)
    with pytest.raises(SpecError, match=r"env: an Environment \(got NoneType\)"):
        md.agv(None)


def test_interdependent_values_are_refused():
    # d'Aspremont–Gérard-Varet assume private values; on main agv built a non-BIC mechanism here
    env = md.examples.random_environment(n_players=2, n_types=2, n_alternatives=2, seed=1, interdependent=True)
    with pytest.raises(SpecError, match=r"env: private values .*d'Aspremont.*\(got interdependent values\)"):
        md.agv(env)
    with pytest.raises(SpecError, match="private values"):
        md.agv(env, lazy=True)
    with pytest.raises(SpecError, match="private values"):
        md.expected_externality(env)


@pytest.mark.parametrize("correlated", [False, True])
def test_bit_identical_whatever_the_blocking(correlated):
    # on main the one-shot build summed the externalities differently (1e-15 apart at chunk_size=40)
    for seed in range(4):
        env = md.examples.random_environment(n_players=3, n_types=5, n_alternatives=4, seed=seed,
                                             correlated=correlated)
        one = md.agv(env, allow_correlated=correlated)
        for other in (md.agv(env, allow_correlated=correlated, chunk_size=40),
                      md.agv(env, allow_correlated=correlated, chunk_size=7),
                      md.agv(env, allow_correlated=correlated, memory_limit=10_000),
                      md.agv(env, allow_correlated=correlated, lazy=True).materialize()):
            np.testing.assert_array_equal(one.transfers, other.transfers)
            np.testing.assert_array_equal(one.decision, other.decision)
        for e1, e2 in zip(md.expected_externality(env), _one_shot_externality(env)):
            np.testing.assert_allclose(e1, e2, rtol=0, atol=1e-14)


def _one_shot_externality(env):
    """E_i(θ_i) by the einsum path (a given decision), to cross-check the tiled sums."""
    return md.expected_externality(env, md.efficient_decision(env))
