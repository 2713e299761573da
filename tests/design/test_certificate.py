"""Impossibility results as LP infeasibility, with Farkas certificates checked exactly."""

import dataclasses
import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mechdesign as md


def test_green_laffont_certificate_verifies_exactly():
    # Green & Laffont (1977): with rich enough types no efficient, DSIC (Groves) mechanism is
    # strongly budget balanced. 2-player public project, values {10, 30, 45}, cost 50 shared.
    env = md.examples.public_project(types=[10, 30, 45], cost=50)
    res = md.design(env, "welfare", ["dsic", "budget_strong"], decision="efficient")
    assert res.status == "infeasible" and res.mechanism is None
    cert = res.certificate
    assert cert.exact and cert.verify() is True and cert.bound < 0
    assert all(isinstance(w, Fraction) for *_, w in cert.weights)
    assert set(cert.family_weights()) == {"dsic", "budget_strong"}
    text = cert.explain()
    assert "dsic" in text and "budget_strong" in text and "0 ≤" in text
    json.dumps(res.to_dict())      # JSON-ready, weights as exact strings


def test_weak_budget_balance_unbounded_revenue_and_participation():
    env = md.examples.public_project(types=[10, 30, 45], cost=50)
    # Relaxed to weak budget balance, efficient + DSIC is feasible (Clarke pivot: Σ m_i ≤ 0) ...
    res = md.design(env, "welfare", ["dsic", "budget_weak"], decision="efficient")
    assert res.status == "optimal" and res.verification.holds
    assert res.value == pytest.approx(md.expected_welfare(md.vcg(env)), abs=1e-9)
    # ... but revenue is unbounded without participation: subtracting any constant from every
    # transfer keeps DSIC and weak balance. A status, not an exception.
    unbounded = md.design(env, "revenue", ["dsic", "budget_weak"], decision="efficient")
    assert unbounded.status == "unbounded" and unbounded.mechanism is None
    # With ex-post IR it is infeasible: a type-10 player loses 15 when the project is built, so
    # at (10, 45) she must be paid 15, and DSIC ties that to what 45-types receive at (45, 45),
    # where weak balance forbids paying both. The exact certificate makes this precise.
    ir = md.design(env, "revenue", ["dsic", "budget_weak", "ir_ex_post"], decision="efficient")
    assert ir.status == "infeasible" and ir.certificate.verify() is True
    assert set(ir.certificate.family_weights()) == {"dsic", "budget_weak", "ir_ex_post"}


def test_tampered_certificate_fails_verification():
    env = md.examples.public_project(types=[10, 30, 45], cost=50)
    cert = md.design(env, "welfare", ["dsic", "budget_strong"], decision="efficient").certificate
    family, key, w = cert.weights[0]
    halved = dataclasses.replace(cert, weights=((family, key, w / 2),) + cert.weights[1:])
    assert halved.verify() is False and halved.reason()
    dropped = dataclasses.replace(cert, weights=cert.weights[1:])
    assert dropped.verify() is False


@pytest.mark.parametrize("costs, values, feasible", [
    # Coarse grid: two types each. Payments are not pinned down by the allocation on such a grid
    # (no revenue equivalence), and the LP finds an efficient, BIC, interim-IR, ex-ante balanced
    # mechanism — re-verified by the audits.
    ((0, 2), (1, 3), True),
    # Overlapping finer grids (no ties v = c): the discrete Myerson–Satterthwaite impossibility;
    # the exact certificate is the proof.
    ((0, 1, 2), (0.5, 1.5, 2.5), False),
    ((0, 1, 2, 3), (0.5, 1.5, 2.5, 3.5), False),
])
def test_myerson_satterthwaite_discrete(costs, values, feasible):
    env = md.examples.bilateral_trade(costs, values)
    res = md.design(env, "welfare", ["bic", "ir_interim", "budget_ex_ante"], decision="efficient")
    if feasible:
        assert res.status == "optimal" and res.verification.holds
        mech = res.mechanism
        assert md.is_efficient(mech) and md.is_bic(mech) and md.is_ir(mech, "interim")
        assert md.is_budget_balanced(mech, "weak", ex_ante=True)
    else:
        assert res.status == "infeasible"
        assert res.certificate.exact and res.certificate.verify() is True
        assert {"bic", "ir_interim", "budget_ex_ante"} <= set(res.certificate.family_weights())


def test_certificate_with_free_decision_and_user_constraint():
    # Forcing "none" (index 2) with probability ≥ 0.5 at every profile of a 1-bidder auction while
    # requiring the item be sold with probability ≥ 0.6 at every profile: infeasible through the
    # lottery rows and user rows; decision variables are free (p ≥ 0 used in the certificate).
    env = md.examples.single_item_auction(values=[1, 2], n_bidders=1)
    sell = np.zeros((2, 2, 2)); sell[0, 0, 0] = sell[1, 1, 0] = 1
    keep = np.zeros((2, 2, 2)); keep[0, 0, 1] = keep[1, 1, 1] = 1
    res = md.design(env, "revenue", ["ir_ex_post", md.LinearConstraint(decision=sell, lb=0.6, name="sell"),
                                     md.LinearConstraint(decision=keep, lb=0.5, name="keep")])
    assert res.status == "infeasible"
    assert res.certificate.verify() is True
    assert "lottery" in res.certificate.family_weights()


def test_milp_infeasible_but_relaxation_feasible_has_no_certificate():
    # One bidder with values {1, 2}: selling with probability exactly 1/2 at every profile is
    # possible only with a lottery.
    env = md.examples.single_item_auction(values=[1, 2], n_bidders=1)
    half = np.zeros((2, 2, 2)); half[0, 0, 0] = half[1, 1, 0] = 1
    cons = ["ir_ex_post", md.LinearConstraint(decision=half, lb=0.5, ub=0.5, name="half")]
    assert md.design(env, "revenue", cons).status == "optimal"
    res = md.design(env, "revenue", cons, randomized=False)
    assert res.status == "infeasible" and res.certificate is None
    assert "relaxation is feasible" in res.message


def test_correlated_bic_certificate_verifies():
    # With a correlated prior the BIC rows use conditional beliefs (exact ratios of the joint's
    # entries in the check). Weakly correlated bilateral trade: efficient + BIC + ex-post IR +
    # ex-ante budget balance is infeasible.
    base = md.examples.bilateral_trade((0, 1, 2), (0.5, 1.5, 2.5))
    joint = np.array([[0.12, 0.11, 0.1], [0.11, 0.12, 0.11], [0.1, 0.11, 0.12]])
    env = base.with_prior(md.JointPrior(joint / joint.sum()))
    res = md.design(env, "welfare", ["bic", "ir_ex_post", "budget_ex_ante"], decision="efficient")
    assert res.status == "infeasible"
    assert res.certificate.verify() is True


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), correlated=st.booleans(),
       cons=st.sampled_from([["dsic", "budget_strong"], ["bic", "ir_interim", "budget_ex_ante"],
                             ["bic", "ir_ex_post", "budget_weak"], ["dsic", "ir_ex_post", "budget_weak"]]))
def test_every_infeasible_random_problem_has_an_exact_certificate(seed, correlated, cons):
    raw = md.examples.random_environment(n_players=2, n_types=3, n_alternatives=3, seed=seed, correlated=correlated)
    # values in [−0.5, 0.5): participation and budget constraints bind often
    env = md.Environment(raw.players, raw.alternatives, [[0, 1, 2]] * 2, raw.prior, [u - 0.5 for u in raw.valuations])
    res = md.design(env, "welfare", cons, decision="efficient")
    assert res.status in {"optimal", "infeasible"}
    if res.status == "infeasible":
        assert res.certificate.exact and res.certificate.verify() is True
    else:
        assert res.verification.holds
