"""``mechdesign design SPEC``: prints the optimum or the certificate, writes JSON, reports bad input."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mechdesign.cli import app
from mechdesign.io.spec import parse_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def test_design_prints_optimal_auction_and_writes_json(tmp_path):
    out = tmp_path / "res.json"
    result = runner.invoke(app, ["design", str(EXAMPLES / "design_auction.yaml"), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "optimal" in result.output and "every property holds" in result.output
    data = json.loads(out.read_text())
    # two bidders uniform on {1..4}: discrete virtual values 2k − 4 → E[max(φ, 0)] = 2.375
    assert data["status"] == "optimal" and data["value"] == pytest.approx(2.375, abs=1e-9)
    assert data["verification"]["holds"] is True


def test_design_prints_certificate_explanation():
    result = runner.invoke(app, ["design", str(EXAMPLES / "design_green_laffont.yaml")])
    assert result.exit_code == 0, result.output
    assert "infeasible" in result.output and "verifies exactly: True" in result.output
    assert "budget_strong" in result.output and "dsic" in result.output


def test_flags_override_the_spec_section():
    result = runner.invoke(app, ["design", str(EXAMPLES / "design_green_laffont.yaml"), "--require",
                                 "dsic,budget_weak", "--objective", "welfare", "--json", "-"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["status"] == "optimal" and data["constraints"] == ["dsic", "budget_weak"]


def test_deterministic_flag_uses_milp():
    result = runner.invoke(app, ["design", str(EXAMPLES / "design_auction.yaml"), "--deterministic",
                                 "--time-limit", "30", "--json", "-"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["diagnostics"]["solver"] == "highs-milp"


def test_unknown_requirement_is_an_error_listing_names():
    result = runner.invoke(app, ["design", str(EXAMPLES / "design_auction.yaml"), "--require", "dsic,foo"])
    assert result.exit_code == 2
    assert "budget_ex_ante" in result.output and "foo" in result.output


def test_design_section_is_validated():
    spec = {"players": ["A"], "alternatives": ["x"], "types": {"A": [1]}, "valuations": {"A": [[1]]},
            "design": {"objective": "profit"}}
    with pytest.raises(Exception, match="design.objective"):
        parse_spec(spec)
    spec["design"] = {"require": ["dsic", "bic"], "decision": "efficient"}
    assert parse_spec(spec).design.require == ["dsic", "bic"]


def test_method_flag_and_spec_field():
    # BIC + interim IR on the two-bidder auction: the reduced form gives Myerson's 2.375 as well
    result = runner.invoke(app, ["design", str(EXAMPLES / "design_auction.yaml"), "--require", "bic,ir_interim",
                                 "--method", "reduced_form", "--json", "-"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["method"] == "reduced_form" and data["value"] == pytest.approx(2.375, abs=1e-9)
    assert data["mechanism"]["kind"] == "hierarchy_lottery"
    text = runner.invoke(app, ["design", str(EXAMPLES / "design_auction.yaml"), "--method", "cutting_plane"])
    assert text.exit_code == 0 and "cutting_plane" in text.output
    spec = parse_spec({**json.loads(json.dumps(_auction_spec())), "design": {"method": "cutting_plane"}})
    assert spec.design.method == "cutting_plane"
    bad = runner.invoke(app, ["design", str(EXAMPLES / "design_auction.yaml"), "--method", "reduced_form"])
    assert bad.exit_code != 0 and "not interim" in bad.output


def _auction_spec():
    return {"players": ["A", "B"], "alternatives": ["A", "B", "none"], "types": {"A": [1, 2], "B": [1, 2]},
            "valuations": {"A": [[1, 0, 0], [2, 0, 0]], "B": [[0, 1, 0], [0, 2, 0]]},
            "prior": {"independent": {"A": [0.5, 0.5], "B": [0.5, 0.5]}}}
