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


# ------------------------------------------------------------------ Theorem 2: convex independence
B1 = np.array([[0.6, 0.2, 0.2], [0.2, 0.6, 0.2], [0.2, 0.2, 0.6], [0.45, 0.45, 0.1]])


def four_type_auction(rows=B1):
    v1, v2 = [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0]
    return md.Environment(players=["B1", "B2"], alternatives=["B1", "B2", "none"], types=[v1, v2],
                          prior=md.JointPrior(0.25 * rows),
                          valuations=[np.array([[v, 0, 0] for v in v1]), np.array([[0, v, 0] for v in v2])])


def test_convex_independence_without_full_rank():
    # four beliefs about three types have rank 3 < 4 (Theorem 1 fails) but are in convex position
    env = four_type_auction()
    dsic = md.cremer_mclean_condition(env)
    assert not dsic.holds and dsic.kind == "dsic" and dsic.ranks == (3, 3) and dsic.n_types == (4, 3)
    bic = md.cremer_mclean_condition(env, kind="bic")
    assert bic.holds and bic.kind == "bic" and bic.witness is None
    # type 4's belief (0.45, 0.45, 0.1) is at L1 distance 0.2 from the hull of the others (0.2 + 0.4·simplex)
    assert bic.distances[0][3] == pytest.approx(0.2, abs=1e-12)
    assert min(min(d) for d in bic.distances) > 0.1
    assert bic.to_dict()["kind"] == "bic"


def test_theorem_2_full_extraction_under_bic_but_not_dsic():
    # Crémer & McLean (1988) Thm 2: convex independence suffices for full surplus extraction with a
    # BIC and interim IR mechanism; dominant strategies (full rank, Thm 1) would be needed for DSIC.
    env = four_type_auction()
    surplus = float((env.prior.joint() * np.maximum.outer([1, 2, 3, 4], [1, 2, 3])).sum())
    bic = md.design(env, "revenue", ["bic", "ir_interim"])
    assert bic.status == "optimal" and bic.value == pytest.approx(surplus, abs=1e-8) and bic.verification.holds
    dsic = md.design(env, "revenue", ["dsic", "ir_interim"])
    assert dsic.status == "optimal" and dsic.value < surplus - 0.1


def test_a_belief_in_the_hull_of_the_others_is_the_witness():
    rows = B1.copy()
    rows[3] = [0.4, 0.4, 0.2]                   # = (row 0 + row 1) / 2
    res = md.cremer_mclean_condition(four_type_auction(rows), kind="bic")
    assert not res.holds
    w = res.witness
    assert (w["player"], w["type"], w["type_index"]) == ("B1", "4", 3)
    assert w["combination"] == pytest.approx({"1": 0.5, "2": 0.5}, abs=1e-9)
    assert w["residual"] <= 1e-12
    # the exact check: Σ λ_s P(·|s) equals P(·|4) up to the residual
    combo = sum(lam * rows[int(s) - 1] for s, lam in w["combination"].items())
    assert np.abs(combo - rows[3]).sum() <= 1e-12


def test_bic_kind_on_independent_and_single_type_players():
    assert not md.cremer_mclean_condition(md.IndependentPrior([[0.5, 0.5], [0.3, 0.7]]), kind="bic")
    res = md.cremer_mclean_condition(md.JointPrior([[0.4, 0.1], [0.1, 0.4]]), kind="bic")
    assert res.holds and res.distances[0] == pytest.approx((1.2, 1.2))   # |(.8,.2) − (.2,.8)|₁
    single = md.cremer_mclean_condition(md.JointPrior([[0.5, 0.5]]), kind="bic")
    assert single.distances[0] == (float("inf"),) and single.to_dict()["distances"][0] == [None]
    # full rank implies convex independence
    env = md.examples.correlated_auction([1, 2, 3], 2, 0.3)
    assert md.cremer_mclean_condition(env).holds and md.cremer_mclean_condition(env, kind="bic").holds
    with pytest.raises(SpecError, match="kind: one of"):
        md.cremer_mclean_condition(env, kind="ex_post")
