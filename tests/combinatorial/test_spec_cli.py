"""The combinatorial: spec section and the ``mechdesign combinatorial`` command (issue 15 §1, §4)."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mechdesign.cli import app
from mechdesign.errors import SpecError
from mechdesign.io.combinatorial_spec import load_combinatorial_spec
from mechdesign.io.spec import parse_spec

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "combinatorial_llg.yaml"
runner = CliRunner()


def section(**extra):
    base = {"items": ["A", "B"], "bids": {"L1": [{"bundle": ["A"], "price": 4}], "L2": [[["B"], 1]],
                                          "G": [{"bundle": ["A", "B"], "price": 3.5}]}}
    return {"combinatorial": {**base, **extra}}


def test_example_builds_the_auction():
    sec = load_combinatorial_spec(EXAMPLE).combinatorial
    auc = sec.build()
    assert auc.bidders == ("L1", "L2", "G") and auc.bid_price.tolist() == [4.0, 1.0, 3.5]
    assert sec.rules == ["pay_as_bid", "vcg", "nearest_vcg", "nearest_zero", "nearest_bid"]
    assert sec.equilibrium.gamma == 0.0 and sec.solver.backend == "highs"


def test_generate_and_defaults():
    sec = load_combinatorial_spec({"combinatorial": {"generate": {"kind": "regions", "n_items": 16, "n_bids": 40,
                                                                  "seed": 2}}}).combinatorial
    assert sec.build().n_bids == 40 and sec.language == "xor" and sec.equilibrium is None


@pytest.mark.parametrize("extra, match", [
    ({"bids": {"L1": [{"bundle": ["A", "C"], "price": 4}]}},
     r"combinatorial\.bids\['L1'\]\[0\]\.bundle: items among \['A', 'B'\] \(got unknown item 'C'"),
    ({"bids": {"L1": [{"bundle": ["A"], "price": -4}]}}, r"combinatorial\.bids\['L1'\]\[0\]\.price: a non-negative"),
    ({"bids": {"L1": [{"bundle": [], "price": 4}]}}, r"combinatorial\.bids\['L1'\]\[0\]\.bundle: a non-empty set"),
    ({"bids": {"L1": [{"bundle": ["A"], "price": 1}, {"bundle": ["A"], "price": 2}]}},
     r"combinatorial\.bids\['L1'\]\[1\]\.bundle: each bundle at most once"),
])
def test_bad_bids_name_bidder_bundle_and_problem(extra, match):
    with pytest.raises(SpecError, match=match):
        load_combinatorial_spec(section(**extra)).combinatorial.build()


@pytest.mark.parametrize("data, match", [
    (section(language="and"), "combinatorial.language"),
    (section(rules=["second_price"]), "combinatorial.rules"),
    (section(rules=["reference"]), "rule 'reference' needs a 'reference' mapping"),
    (section(solver={"backend": "gurobi"}), "combinatorial.solver.backend"),
    (section(solver={"time_limit": 0}), "combinatorial.solver.time_limit"),
    (section(solver={"log_file": "x.log"}), "combinatorial.solver.log_file"),
    (section(equilibrium={"gamma": 2}), "combinatorial.equilibrium.gamma"),
    (section(equilibrium={"grid": [1, 64]}), r"grid: two integers in \[2, 1024\]"),
    (section(generate={"kind": "llg"}), "either 'items' and 'bids', or 'generate'"),
    ({"combinatorial": {"bids": {"x": []}}}, "'bids' needs 'items'"),
    ({"combinatorial": {}}, "give 'items' and 'bids', or 'generate', or an 'equilibrium' section"),
    ({"auction": {}}, "a mapping with a 'combinatorial:' section"),
])
def test_bad_sections(data, match):
    with pytest.raises(SpecError, match=match):
        load_combinatorial_spec(data)


def test_section_accepted_by_the_one_schema():
    spec = {"players": ["A"], "alternatives": ["x"], "types": {"A": [1]}, "valuations": {"A": [[0]]},
            **section()}
    assert parse_spec(spec).combinatorial["items"] == ["A", "B"]


def test_cli_table_and_core_witness(monkeypatch):
    from mechdesign.cli import common

    monkeypatch.setattr(common.console, "width", 160)           # the table has a column per rule
    result = runner.invoke(app, ["combinatorial", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "nearest_bid" in out and "3.25" in out and "0.25" in out
    assert "vcg: not in the core: coalition ['G'] blocks with the seller" in out


def test_cli_json(tmp_path):
    target = tmp_path / "out.json"
    result = runner.invoke(app, ["combinatorial", str(EXAMPLE), "--rule", "vcg", "--rule", "nearest_vcg",
                                 "--backend", "cpsat", "--json", str(target)])
    assert result.exit_code == 0, result.output
    data = json.loads(target.read_text())
    assert set(data["payments"]) == {"vcg", "nearest_vcg"}
    assert data["payments"]["nearest_vcg"]["payments"] == pytest.approx({"L1": 3.0, "L2": 0.5, "G": 0.0})
    assert data["core"]["vcg"]["holds"] is False and data["core"]["nearest_vcg"]["holds"] is True
    assert data["winners"]["backend"] == "cpsat" and "equilibria" not in data


@pytest.mark.slow
def test_cli_equilibrium_json(tmp_path):
    path = tmp_path / "llg.json"
    path.write_text(json.dumps(section(rules=["nearest_bid"], equilibrium={"gamma": 0.0, "grid": [32, 32]})))
    result = runner.invoke(app, ["combinatorial", str(path), "--equilibrium", "--json", "-"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    eq = data["equilibria"]["nearest_bid"]
    assert abs(eq["expected_utilities"]["local"] - 0.125) < 2e-3
    assert eq["published"] == {"local": 0.125, "global": 0.5}


def test_cli_errors():
    result = runner.invoke(app, ["combinatorial", str(EXAMPLE), "--rule", "second_price"])
    assert result.exit_code == 2 and "--rule: one of" in result.output
    result = runner.invoke(app, ["combinatorial", str(EXAMPLE), "--backend", "gurobi"])
    assert result.exit_code == 2 and "--backend" in result.output


def test_cli_json_never_replaces_the_spec(tmp_path):
    spec = tmp_path / "auction.yaml"
    spec.write_text(EXAMPLE.read_text())
    before = spec.read_bytes()
    result = runner.invoke(app, ["combinatorial", str(spec), "--json", str(spec)])
    assert result.exit_code == 2 and "--json" in result.output
    assert spec.read_bytes() == before


def test_schema_section():
    result = runner.invoke(app, ["schema", "combinatorial"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert {"items", "bids", "rules", "solver", "equilibrium", "generate"} <= set(schema["properties"])


@pytest.mark.parametrize("extra, match", [
    ({"equilibrium": {"gamma": True}}, r"combinatorial\.equilibrium\.gamma: Input should be a valid number \(got True\)"),
    ({"equilibrium": {"grid": [32, True]}}, r"combinatorial\.equilibrium\.grid\.1: Input should be a valid integer"),
    ({"solver": {"time_limit": "5"}}, r"combinatorial\.solver\.time_limit: Input should be a valid number"),
    ({"generate": {"kind": "regions", "n_bids": 2.5}, "bids": None, "items": None}, r"generate\.n_bids"),
    ({"rules": ["reference"], "reference": {"L1": True}}, r"combinatorial\.reference\.L1: Input should be a valid"),
    ({"items": [True, "B"]}, r"combinatorial\.items\.0: a name: a string or a number, not a boolean"),
])
def test_numbers_are_numbers(extra, match):
    # no booleans or strings where numbers go (YAML 'yes' stays a string, True is not 1)
    data = section(**extra)
    data["combinatorial"] = {k: x for k, x in data["combinatorial"].items() if x is not None}
    with pytest.raises(SpecError, match=match):
        load_combinatorial_spec(data)


def test_numeric_names():
    data = {"combinatorial": {"items": [1, 2], "bids": {7: [[[1, 2], 3]], "x": [{"bundle": [2], "price": 1}]}}}
    auc = load_combinatorial_spec(data).combinatorial.build()
    assert auc.items == ("1", "2") and auc.bidders == ("7", "x") and auc.winners().welfare == 3.0
