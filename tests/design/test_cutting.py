"""Constraint generation (design/cutting.py): the full LP's optimum from a fraction of its rows."""

import importlib

import numpy as np
import pytest

import mechdesign as md
from mechdesign.compute.backends import compute_options

cutting = importlib.import_module("mechdesign.design.cutting")
solver = importlib.import_module("mechdesign.design.solver")

ENVS = {
    "random": md.examples.random_environment(n_players=2, n_types=3, n_alternatives=3, seed=0),
    "correlated": md.examples.random_environment(n_players=2, n_types=3, n_alternatives=3, seed=1, correlated=True),
    "interdependent": md.examples.random_environment(n_players=2, n_types=3, n_alternatives=3, seed=2,
                                                     interdependent=True),
    "project": md.examples.public_project(),
    "trade": md.examples.bilateral_trade(),
    "correlated_auction": md.examples.correlated_auction([1, 2, 4], n_bidders=2, correlation=0.3),
    "auction": md.examples.single_item_auction(values=[0, 1, 2], n_bidders=3),
}
CASES = [
    ("random", "welfare", ["dsic", "ir_ex_post", "budget_weak"], None),
    ("random", "revenue", ["bic", "ir_interim"], None),
    ("correlated", "revenue", ["bic", "ir_interim"], None),
    ("correlated", "welfare", ["dsic", "bic", "ir_interim", "ir_ex_post"], None),
    ("interdependent", "revenue", ["dsic", "ir_ex_post"], None),
    ("interdependent", "welfare", ["bic", "ir_ex_ante", "budget_ex_ante"], None),
    ("project", "welfare", ["dsic", "ir_ex_post", "budget_weak"], None),
    ("project", "deficit", ["bic", "ir_interim"], "efficient"),
    ("trade", "welfare", ["bic", "ir_interim", "budget_weak"], None),
    ("trade", "deficit", ["dsic", "ir_ex_post"], "efficient"),
    ("correlated_auction", "revenue", ["bic", "ir_interim"], None),       # Crémer–McLean: full surplus
    ("correlated_auction", "revenue", ["dsic", "ir_ex_post"], None),
    ("auction", "revenue", ["ir_ex_post"], None),
    ("auction", "welfare", ["dsic", "ir_interim", "budget_strong"], None),
]


@pytest.mark.parametrize("name, objective, cons, decision", CASES)
def test_same_optimum_as_the_full_lp(name, objective, cons, decision):
    env = ENVS[name]
    full = md.design(env, objective, cons, decision=decision, method="full")
    cut = md.design(env, objective, cons, decision=decision, method="cutting_plane")
    assert cut.method == "cutting_plane" and cut.status == full.status == "optimal"
    assert cut.value == pytest.approx(full.value, abs=1e-7)
    assert cut.verification.holds
    d = cut.diagnostics
    assert d["rounds"] == len(d["round_history"]) >= 1
    for family, rows in d["rows_generated"].items():
        assert 0 <= rows <= d["rows_full"][family]
        assert d["rows_per_family"][family] == rows


def test_deterministic_rules_too():
    env = ENVS["random"]
    full = md.design(env, "welfare", ["bic", "ir_interim", "budget_ex_ante"], randomized=False, method="full")
    cut = md.design(env, "welfare", ["bic", "ir_interim", "budget_ex_ante"], randomized=False, method="cutting_plane")
    assert cut.status == "optimal" and cut.mechanism.is_deterministic
    assert cut.value == pytest.approx(full.value, abs=1e-7)


def test_large_auction_uses_a_small_fraction_of_the_rows():
    env = md.examples.single_item_auction(values=list(range(1, 31)), n_bidders=2)
    res = md.design(env, "revenue", ["dsic", "ir_ex_post"], method="cutting_plane")
    assert res.status == "optimal" and res.verification.holds
    d = res.diagnostics
    assert d["rows_generated"]["dsic"] < d["rows_full"]["dsic"] / 10


def test_starting_rows_for_ordered_types():
    env = md.examples.single_item_auction(values=[3, 1, 2], n_bidders=2)      # value order: types 1, 2, 0
    keys = cutting.initial_keys(env, "dsic", ("dsic", "ir_ex_post"))
    # each type claims the next lower value, for every report of the other bidder
    assert {(int(t), int(r)) for _, t, r, _ in keys} == {(2, 1), (0, 2)}
    assert len(keys) == 2 * 2 * 3
    lowest = cutting.initial_keys(env, "ir_ex_post", ("dsic", "ir_ex_post"))
    assert {int(np.unravel_index(p, env.n_types)[i]) for i, p in lowest} == {1} and len(lowest) == 2 * 3
    # without the incentive rows that link the types, every participation row
    assert len(cutting.initial_keys(env, "ir_ex_post", ("ir_ex_post",))) == 2 * 9
    # types without values: no incentive rows to start with
    labelled = md.Environment(["A"], ["x", "y"], [["lo", "hi"]], md.IndependentPrior([[0.5, 0.5]]),
                              [np.array([[1.0, 0.0], [2.0, 0.0]])])
    assert len(cutting.initial_keys(labelled, "dsic", ("dsic",))) == 0


def test_no_bic_row_at_a_type_of_probability_zero():
    # bidder 1's value 1 has probability 0: no BIC/interim-IR row is ever written for it, although
    # misreports *to* it are checked (SEMANTICS: interim conditions at types of positive probability)
    env = md.examples.single_item_auction(values=[1, 2, 3], n_bidders=2,
                                          prior=md.IndependentPrior([[0.0, 0.5, 0.5], [1 / 3] * 3]))
    # a mechanism that rewards bidder 1 for reporting 1, whatever her type
    transfers = np.zeros((3, 3, 2))
    transfers[0, :, 0] = 5.0
    mech = md.DirectMechanism(env, np.full((3, 3), 2), transfers)
    keys = cutting.violated_keys(env, "bic", mech, 1e-9, compute_options())
    assert len(keys) and not np.any((keys[:, 0] == 0) & (keys[:, 1] == 0))
    assert np.all(keys[keys[:, 0] == 0][:, 2] == 0)                      # the violated rows are misreports to it
    full = md.design(env, "revenue", ["bic", "ir_interim"], method="full")
    cut = md.design(env, "revenue", ["bic", "ir_interim"], method="cutting_plane")
    assert cut.value == pytest.approx(full.value, abs=1e-7)


def test_infeasible_round_gives_an_exact_certificate():
    # Green–Laffont: efficient + DSIC + strong budget balance is impossible for the public project
    res = md.design(md.examples.public_project(), "welfare", ["dsic", "budget_strong"], decision="efficient",
                    method="cutting_plane")
    assert res.status == "infeasible" and res.certificate.exact and res.certificate.verify() is True
    assert res.diagnostics["certificate_rows"] == "generated"


def test_certificate_falls_back_to_every_row(monkeypatch):
    calls = []
    original = solver._certificate

    def first_fails(env, model, *args):
        calls.append(model.n_rows)
        return (None, "no certificate") if len(calls) == 1 else original(env, model, *args)

    monkeypatch.setattr(solver, "_certificate", first_fails)
    res = md.design(md.examples.public_project(), "welfare", ["dsic", "budget_strong"], decision="efficient",
                    method="cutting_plane")
    assert res.status == "infeasible" and res.certificate.verify() is True
    assert res.diagnostics["certificate_rows"] == "full" and calls[1] > calls[0]


def test_unbounded_problem_is_reported_unbounded():
    # DSIC alone does not bound revenue (subtract a constant from every transfer)
    env = md.examples.single_item_auction(values=[0, 1, 2], n_bidders=2)
    res = md.design(env, "revenue", ["dsic"], method="cutting_plane")
    assert res.status == "unbounded" == md.design(env, "revenue", ["dsic"], method="full").status
    assert "fallback" in res.diagnostics


def test_unbounded_rounds_are_cut_along_the_ray():
    # correlated values: with only the lowest types' participation rows, side bets on the others' reports
    # make revenue unbounded until the solver's ray has shown which rows are missing
    env = ENVS["correlated_auction"]
    res = md.design(env, "revenue", ["bic", "ir_interim"], method="cutting_plane")
    full = md.design(env, "revenue", ["bic", "ir_interim"], method="full")
    assert res.status == "optimal" and res.value == pytest.approx(full.value, abs=1e-7)
    assert any(r["status"] == "unbounded" for r in res.diagnostics["round_history"])


def test_max_rounds_falls_back_to_every_row():
    env = md.examples.public_project()
    full = md.design(env, "welfare", ["dsic", "ir_ex_post", "budget_weak"], method="full")
    res = md.design(env, "welfare", ["dsic", "ir_ex_post", "budget_weak"], method="cutting_plane",
                    options={"max_rounds": 1})
    assert res.value == pytest.approx(full.value, abs=1e-7) and "max_rounds" in res.diagnostics["fallback"]
    assert res.diagnostics["rows_generated"] == res.diagnostics["rows_full"]


def test_audit_kernels_are_pluggable():
    calls = []

    class Counting(cutting.AuditKernels):
        def dsic_violations(self, mech, i, threshold, opts):
            calls.append(i)
            return super().dsic_violations(mech, i, threshold, opts)

    previous = cutting.set_kernels(Counting())
    try:
        env = md.examples.single_item_auction(values=[1, 2, 3], n_bidders=2)
        res = md.design(env, "revenue", ["dsic", "ir_ex_post"], method="cutting_plane")
    finally:
        cutting.set_kernels(previous)
    assert res.status == "optimal" and sorted(set(calls)) == [0, 1]
