"""``mechdesign vcg|agv|compare`` and the example spec files."""

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import mechdesign as md
from mechdesign.cli import app
from mechdesign.io.spec import build_mechanism, load_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("name, kind", [("public_project", "vcg"), ("bilateral_trade", "vcg"), ("auction", "vcg")])
def test_example_specs_load_and_build(name, kind):
    spec = load_spec(EXAMPLES / f"{name}.yaml")
    assert spec.mechanism.kind == kind
    mech = build_mechanism(spec)
    assert md.is_efficient(mech) and md.is_dsic(mech)


def test_bilateral_trade_spec_is_the_status_quo_vcg():
    spec = load_spec(EXAMPLES / "bilateral_trade.yaml")
    mech = build_mechanism(spec)
    expected = md.vcg(md.examples.bilateral_trade(), pivot="status_quo", status_quo="no trade")
    np.testing.assert_allclose(mech.transfers, expected.transfers)


def test_auction_spec_is_the_second_price_auction():
    mech = build_mechanism(load_spec(EXAMPLES / "auction.yaml"))
    # values 3 and 1: B1 wins and pays the other value, 1 (Vickrey).
    np.testing.assert_array_equal(mech.transfers[3, 1], [-1.0, 0.0])


def test_vcg_prints_table_and_report():
    result = run("vcg", EXAMPLES / "auction.yaml")
    assert result.exit_code == 0, result.output
    assert "VCG: decision and transfers" in result.output
    assert "Properties of VCG" in result.output and "dsic" in result.output
    assert "more" not in result.output                   # 16 profiles ≤ 20 rows: nothing left out


def test_vcg_truncates_large_spaces(tmp_path):
    env = md.examples.random_environment(n_players=3, n_types=3, n_alternatives=2, seed=0)
    spec = tmp_path / "big.json"
    spec.write_text(json.dumps(env.to_dict()))
    result = run("vcg", spec, "--max-rows", 5)
    assert result.exit_code == 0, result.output
    assert "first 5 of 27 profiles; … 22 more" in " ".join(result.output.split())


def test_vcg_status_quo_option_overrides_the_spec(tmp_path):
    out = tmp_path / "vcg.json"
    result = run("vcg", EXAMPLES / "auction.yaml", "--status-quo", "none", "--json", out)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["mechanism"]["name"] == "VCG (status quo 'none')"
    # Pivot at "nobody gets it": the winner is paid 0 by the others' loss... i.e. transfers are 0 for
    # the winner (others' values at x* and at 'none' are both 0) and each loser receives the winner's value.
    assert data["mechanism"]["transfers"][3][1] == [0.0, 3.0]
    assert data["report"]["properties"]["budget_weak"]["holds"] is False


def test_agv_json_to_stdout_only():
    result = run("agv", EXAMPLES / "bilateral_trade.yaml", "--json", "-")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["mechanism"]["name"] == "AGV"
    assert data["report"]["properties"]["budget_strong"]["holds"] is True
    assert data["report"]["properties"]["ir_ex_post"]["holds"] is False
    np.testing.assert_allclose(np.array(data["mechanism"]["transfers"]).sum(axis=-1), 0.0, atol=1e-12)


def test_agv_uniform_ties_prints_lotteries():
    result = run("agv", EXAMPLES / "bilateral_trade.yaml", "--ties", "uniform")
    assert result.exit_code == 0, result.output
    assert "trade: 0.5, no trade: 0.5" in result.output     # v = c: both alternatives give 0


def test_compare_side_by_side(tmp_path):
    result = run("compare", EXAMPLES / "bilateral_trade.yaml")
    assert result.exit_code == 0, result.output
    for label in ("efficient", "DSIC", "BIC", "IR ex post", "IR interim", "IR ex ante", "budget weak",
                  "budget strong", "expected revenue", "worst-case deficit"):
        assert label in result.output
    out = tmp_path / "cmp.json"
    assert run("compare", EXAMPLES / "bilateral_trade.yaml", "--json", out).exit_code == 0
    data = json.loads(out.read_text())
    assert data["vcg"]["metrics"]["revenue"] == pytest.approx(-4 / 9)     # see test_groves.py
    assert data["agv"]["metrics"]["revenue"] == pytest.approx(0.0)
    assert data["vcg"]["properties"]["ir_ex_post"]["holds"] and not data["agv"]["properties"]["ir_ex_post"]["holds"]


def test_compare_correlated_prior_needs_the_flag(tmp_path):
    env = md.examples.public_project(prior=md.JointPrior([[0.3, 0.02, 0.01], [0.02, 0.3, 0.02], [0.01, 0.02, 0.3]]))
    spec = tmp_path / "corr.json"
    spec.write_text(json.dumps(env.to_dict()))
    refused = run("compare", spec)
    assert refused.exit_code == 2
    assert "allow_correlated=True" in refused.output and "Traceback" not in refused.output
    allowed = run("compare", spec, "--allow-correlated")
    assert allowed.exit_code == 0, allowed.output


@pytest.mark.parametrize("args, message", [
    (["vcg", "missing.yaml"], "spec: a readable YAML or JSON file"),
    (["vcg", EXAMPLES / "auction.yaml", "--pivot", "vickrey"], "pivot: one of ['clarke', 'status_quo']"),
    (["vcg", EXAMPLES / "auction.yaml", "--ties", "random"], "ties: one of ['lowest', 'uniform']"),
    (["vcg", EXAMPLES / "auction.yaml", "--status-quo", "nobody"], "status_quo: one of ['B1', 'B2', 'none']"),
    (["vcg", EXAMPLES / "auction.yaml", "--max-rows", "-1"], "--max-rows"),
    (["agv", EXAMPLES / "auction.yaml", "--ties", "max"], "ties: one of"),
])
def test_errors_exit_2_without_traceback(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_agv_one_player_spec_is_an_error(tmp_path):
    spec = tmp_path / "solo.yaml"
    spec.write_text(yaml.safe_dump({"players": ["solo"], "alternatives": ["x", "y"], "types": {"solo": [0, 1]},
                                    "valuations": {"solo": [[1, 0], [0, 1]]}}))
    result = run("agv", spec)
    assert result.exit_code == 2
    assert "at least 2 players" in result.output


def test_spec_pivot_fields_are_validated(tmp_path):
    data = yaml.safe_load((EXAMPLES / "bilateral_trade.yaml").read_text())
    data["mechanism"] = {"kind": "vcg", "pivot": "vickrey"}
    spec = tmp_path / "bad.yaml"
    spec.write_text(yaml.safe_dump(data))
    result = run("vcg", spec)
    assert result.exit_code == 2
    assert "mechanism.pivot" in result.output and "'clarke' or 'status_quo'" in result.output
    data["mechanism"] = {"kind": "vcg", "pivot": "status_quo"}       # no status_quo alternative
    spec.write_text(yaml.safe_dump(data))
    result = run("vcg", spec)
    assert result.exit_code == 2 and "status_quo: the status-quo alternative" in " ".join(result.output.split())
