import json

import numpy as np
import pytest

import mechdesign as md


def test_report_contains_every_property_and_metrics():
    mech = md.vcg(md.examples.bilateral_trade())
    report = md.check(mech)
    assert set(report.results) == {"efficient", "dsic", "bic", "ir_ex_post", "ir_interim", "ir_ex_ante",
                                   "budget_weak", "budget_strong", "budget_weak_ex_ante", "budget_strong_ex_ante"}
    assert report["dsic"].holds and report["efficient"].holds
    data = json.loads(json.dumps(report.to_dict()))
    assert data["properties"]["dsic"]["holds"] is True
    assert data["metrics"]["welfare"] == pytest.approx(md.expected_welfare(mech))
    frame = report.to_frame()
    assert list(frame.index)[:3] == ["efficient", "dsic", "bic"]
    text = str(report)
    assert "dsic" in text and "welfare" in text
    failing = [name for name, r in report.results.items() if not r.holds]
    assert "ir_ex_post" in failing          # the Clarke pivot lets the buyer "trade alone" (seller pays)
    for name in failing:
        assert report[name].witness is not None and data["properties"][name]["witness"]["description"]


def test_metrics_known_values():
    env = md.examples.public_project(types=[10, 40], cost=50)
    # build only at (40, 40): welfare 15 + 15 = 30 with probability 1/4
    dec = np.array([[1, 1], [1, 0]])
    m = np.zeros((2, 2, 2))
    m[1, 1] = [-5.0, -5.0]
    mech = md.DirectMechanism(env, dec, m)
    assert md.expected_welfare(mech) == pytest.approx(30 / 4)
    assert md.expected_revenue(mech) == pytest.approx(10 / 4)
    assert md.expected_surplus(mech) == pytest.approx(30 / 4 - 10 / 4)
    assert md.worst_case_deficit(mech) == 0.0
    u = md.expected_utilities(mech)
    np.testing.assert_allclose(u[0], [0.0, 10 / 2])
    np.testing.assert_allclose(md.budget_surplus(mech), m.sum(-1))


def test_expected_utilities_correlated_zero_probability_type_is_nan():
    prior = md.JointPrior([[0.5, 0.0], [0.0, 0.5]])
    env = md.Environment(["A", "B"], ["x"], [[0, 1], [0, 1]], prior, [np.ones((2, 1)), np.ones((2, 1))])
    mech = md.DirectMechanism(env, np.zeros((2, 2), dtype=int), np.zeros((2, 2, 2)))
    np.testing.assert_allclose(md.expected_utilities(mech)[0], [1.0, 1.0])
    prior0 = md.JointPrior([[1.0, 0.0], [0.0, 0.0]])
    env0 = env.with_prior(prior0)
    mech0 = md.DirectMechanism(env0, np.zeros((2, 2), dtype=int), np.zeros((2, 2, 2)))
    assert np.isnan(md.expected_utilities(mech0)[0][1])
