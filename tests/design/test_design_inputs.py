"""Bad input raises SpecError with the allowed names; solver trouble is a status; property tests."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mechdesign as md
from mechdesign.errors import SpecError


@pytest.fixture
def env():
    return md.examples.single_item_auction(values=[1, 2, 3], n_bidders=2)


def test_unknown_constraint_lists_allowed_names(env):
    with pytest.raises(SpecError, match=r"constraints\[1\].*'dsic'.*'budget_ex_ante'.*got 'dsci'"):
        md.design(env, "revenue", ["ir_ex_post", "dsci"])


def test_constraints_must_be_a_list(env):
    with pytest.raises(SpecError, match="constraints"):
        md.design(env, "revenue", 3)


def test_unknown_objective_lists_allowed_names(env):
    with pytest.raises(SpecError, match=r"objective: one of \['revenue', 'welfare', 'deficit'\]"):
        md.design(env, "profit", ["dsic"])


def test_callable_objective_wrong_shape(env):
    with pytest.raises(SpecError, match=r"c_transfers: shape \(3, 3, 2\)"):
        md.design(env, lambda e: (None, np.zeros((3, 3))), ["dsic"])


def test_callable_objective_not_a_pair(env):
    with pytest.raises(SpecError, match="pair"):
        md.design(env, lambda e: np.zeros((3, 3, 2)), ["dsic"])


def test_callable_objective_that_raises(env):
    with pytest.raises(SpecError, match="ZeroDivisionError"):
        md.design(env, lambda e: 1 / 0, ["dsic"])


def test_callable_objective_returning_nothing(env):
    with pytest.raises(SpecError, match="at least one"):
        md.design(env, lambda e: (None, None), ["dsic"])


def test_deterministic_design_with_fixed_lottery_is_contradictory(env):
    lottery = np.full((3, 3, 3), 1 / 3)
    with pytest.raises(SpecError, match="decision: a deterministic rule when randomized=False"):
        md.design(env, "welfare", ["dsic"], randomized=False, decision=lottery)


def test_unknown_decision_keyword(env):
    with pytest.raises(SpecError, match=r"decision: one of \['efficient'\]"):
        md.design(env, "welfare", ["dsic"], decision="first-best")


def test_decision_wrong_shape(env):
    with pytest.raises(SpecError, match="decision"):
        md.design(env, "welfare", ["dsic"], decision=np.zeros((2, 2), int))


def test_randomized_must_be_boolean(env):
    with pytest.raises(SpecError, match="randomized"):
        md.design(env, "welfare", ["dsic"], randomized="no")


def test_env_must_be_an_environment():
    with pytest.raises(SpecError, match="env: an Environment"):
        md.design("env", "welfare", ["dsic"])


def test_unknown_solver_option(env):
    with pytest.raises(SpecError, match=r"options\['time_limt'\]"):
        md.design(env, "revenue", ["dsic"], options={"time_limt": 3})


def test_options_must_be_a_dict(env):
    with pytest.raises(SpecError, match="options"):
        md.design(env, "revenue", ["dsic"], options=[("time_limit", 3)])


def test_negative_verification_tolerance(env):
    with pytest.raises(SpecError, match=r"options\['atol'\]"):
        md.design(env, "revenue", ["dsic"], options={"atol": -1})


def test_linear_constraint_shape_checked(env):
    bad = md.LinearConstraint(transfers=np.zeros((1, 2, 2, 2)), ub=0.0, name="cap")
    with pytest.raises(SpecError, match=r"constraints\[0\] \(cap\).transfers"):
        md.design(env, "revenue", ["dsic", bad])


def test_linear_constraint_validation():
    with pytest.raises(SpecError, match="neither"):
        md.LinearConstraint()
    with pytest.raises(SpecError, match="lb ≤ ub"):
        md.LinearConstraint(transfers=np.zeros((1, 2, 2)), lb=1, ub=0)
    with pytest.raises(SpecError, match="same number of rows"):
        md.LinearConstraint(decision=np.zeros((1, 2, 2)), transfers=np.zeros((2, 2, 2)))
    with pytest.raises(SpecError, match="leading row axis"):
        md.LinearConstraint(transfers=np.zeros(3))


def test_inputs_not_mutated(env):
    decision = np.zeros((3, 3), dtype=int)
    before = decision.copy()
    md.design(env, "welfare", ["dsic"], decision=decision)
    assert np.array_equal(decision, before)


def test_time_limit_is_a_status_not_a_crash():
    env = md.examples.single_item_auction(values=list(range(1, 9)), n_bidders=3)
    res = md.design(env, "revenue", ["dsic", "ir_ex_post"], options={"time_limit": 1e-6})
    assert res.status == "time_limit"
    assert res.certificate is None


def test_unbounded_is_a_status(env):
    res = md.design(env, "revenue", ["dsic"])
    assert res.status == "unbounded" and res.value is None and "participation" in res.message


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), n_types=st.integers(2, 3))
def test_random_environments_optimum_verifies_and_beats_vcg(seed, n_types):
    # Every optimum re-verifies; VCG (Clarke pivot) is DSIC and, with non-negative values, ex-post
    # IR, so the revenue optimum is at least its revenue and at most first-best welfare.
    env = md.examples.random_environment(n_players=2, n_types=n_types, n_alternatives=3, seed=seed)
    res = md.design(env, "revenue", ["dsic", "ir_ex_post"])
    assert res.status == "optimal" and res.verification.holds
    vcg = md.vcg(env)
    assert res.value >= md.expected_revenue(vcg) - 1e-7
    assert res.value <= md.expected_welfare(vcg) + 1e-7


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_relabelling_players_does_not_change_the_optimum(seed):
    env = md.examples.random_environment(n_players=2, n_types=[2, 3], n_alternatives=2, seed=seed, correlated=True)
    swapped = md.Environment(players=list(reversed(env.players)), alternatives=env.alternatives,
                             types=[list(range(3)), list(range(2))],
                             prior=md.JointPrior(np.asarray(env.prior.joint()).T),
                             valuations=list(reversed(env.valuations)))
    cons = ["bic", "ir_interim", "budget_weak"]
    a = md.design(env, "welfare", cons)
    b = md.design(swapped, "welfare", cons)
    assert a.status == b.status == "optimal"
    assert a.value == pytest.approx(b.value, abs=1e-7)


def test_solver_crash_is_a_status(env, monkeypatch):
    from mechdesign.design import highs

    def broken(h, lp):
        raise RuntimeError("HiGHS rejected the model")

    monkeypatch.setattr(highs, "_pass", broken)
    res = md.design(env, "revenue", ["dsic", "ir_ex_post"])
    assert res.status == "solver_error" and "rejected" in res.message
    assert res.mechanism is None and not res.success


def test_certificate_size_cap_reported():
    env = md.examples.public_project(types=[10, 30, 45], cost=50)
    res = md.design(env, "welfare", ["dsic", "budget_strong"], decision="efficient",
                    options={"max_certificate_rows": 3})
    assert res.status == "infeasible" and res.certificate is None
    assert "max_certificate_rows" in res.message
    off = md.design(env, "welfare", ["dsic", "budget_strong"], decision="efficient", options={"certificate": False})
    assert off.status == "infeasible" and off.certificate is None


@pytest.mark.parametrize("options, match", [
    ({"symmetry": "yes"}, r"options\['symmetry'\]: True or False"),
    ({"certificate": 1}, r"options\['certificate'\]"),
    ({"max_certificate_rows": 0}, r"options\['max_certificate_rows'\]: a positive integer"),
])
def test_own_options_validated(env, options, match):
    with pytest.raises(SpecError, match=match):
        md.design(env, "revenue", ["dsic"], options=options)
