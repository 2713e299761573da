"""Exact symmetry reduction: detection, and the same optimum with and without it."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mechdesign as md
from mechdesign.design.symmetry import swap_symmetries

SYMMETRIC = {"symmetry": True}     # the reduction is opt-in


def test_auction_swaps_permute_the_winner():
    env = md.examples.single_item_auction(values=[1, 2, 3], n_bidders=3)
    swaps = swap_symmetries(env)
    assert len(swaps) == 2                       # a spanning tree of the 3 interchangeable bidders
    i, j, pi = swaps[0]
    assert (i, j) == (0, 1) and pi.tolist() == [1, 0, 2, 3]


def test_different_marginals_break_symmetry():
    env = md.examples.single_item_auction(values=[1, 2], n_bidders=2,
                                          prior=md.IndependentPrior([[0.5, 0.5], [0.4, 0.6]]))
    assert swap_symmetries(env) == []
    assert "symmetry" not in md.design(env, "revenue", ["dsic", "ir_ex_post"], options=SYMMETRIC).diagnostics


def test_asymmetric_joint_prior_breaks_symmetry():
    env = md.examples.correlated_auction([1, 2], 2, 0.5)
    assert len(swap_symmetries(env)) == 1
    skewed = env.with_prior(md.JointPrior([[0.4, 0.2], [0.1, 0.3]]))
    assert swap_symmetries(skewed) == []


def interdependent_auction(n_types):
    # u_i(i wins) = θ_i + θ_j / 2: symmetric interdependent values
    return md.Environment.from_function(["A", "B"], ["A", "B", "none"], [list(range(1, n_types + 1))] * 2,
                                        md.IndependentPrior([[1 / n_types] * n_types] * 2),
                                        u=lambda i, x, t: (t[i] + t[1 - i] / 2) if x == "AB"[i] else 0.0,
                                        interdependent=True)


@pytest.mark.parametrize("cons", [["dsic", "ir_ex_post"], ["bic", "ir_interim"]])
def test_interdependent_values_same_optimum(cons):
    env = interdependent_auction(3)
    assert len(swap_symmetries(env)) == 1
    a = md.design(env, "revenue", cons, options=SYMMETRIC)
    b = md.design(env, "revenue", cons)
    assert a.value == pytest.approx(b.value, abs=1e-8) and a.verification.holds


def test_infeasible_symmetric_problem_still_gets_a_certificate():
    # Every alternative destroys value (Σ_i u_i = −1), so ex-post IR and strong budget balance
    # cannot both hold; the two players are interchangeable (π swaps the alternatives).
    env = md.Environment(["A", "B"], ["x", "y"], [[0, 1], [0, 1]], md.IndependentPrior([[0.5, 0.5]] * 2),
                         [[[-2, 1], [-2, 1]], [[1, -2], [1, -2]]])
    assert len(swap_symmetries(env)) == 1
    res = md.design(env, "welfare", ["ir_ex_post", "budget_strong"], options=SYMMETRIC)
    assert res.status == "infeasible" and "symmetry" in res.diagnostics
    assert res.certificate.verify() is True


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 3), correlated=st.booleans(),
       cons=st.sampled_from([["dsic", "ir_ex_post"], ["bic", "ir_interim"], ["bic", "ir_ex_post", "budget_weak"]]),
       objective=st.sampled_from(["revenue", "welfare"]))
def test_symmetric_reduction_is_exact(seed, n, correlated, cons, objective):
    rng = np.random.default_rng(seed)
    values = np.sort(rng.choice(np.arange(1, 10), size=3, replace=False)).tolist()
    if correlated:
        # exactly exchangeable: the weight of a profile depends on its sorted types only
        weight = {}
        joint = np.zeros((3,) * n)
        for prof in np.ndindex(*joint.shape):
            joint[prof] = weight.setdefault(tuple(sorted(prof)), rng.uniform(0.1, 1.0))
        prior = md.JointPrior(joint / joint.sum())
    else:
        marginal = rng.dirichlet(np.ones(3))
        prior = md.IndependentPrior([marginal] * n)
    env = md.examples.single_item_auction(values=values, n_bidders=n, prior=prior)
    a = md.design(env, objective, cons, options=SYMMETRIC)
    b = md.design(env, objective, cons)
    assert "symmetry" in a.diagnostics
    assert a.status == b.status
    if a.status == "optimal":
        assert a.value == pytest.approx(b.value, abs=1e-7)
        assert a.verification.holds
