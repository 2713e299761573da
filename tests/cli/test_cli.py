import json
from pathlib import Path

from typer.testing import CliRunner

from mechdesign.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def test_version_and_example_list():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("mechdesign ")
    listing = runner.invoke(app, ["example"])
    assert listing.exit_code == 0 and "public-project" in listing.output


def test_example_public_project_prints_reports():
    result = runner.invoke(app, ["example", "public-project"])
    assert result.exit_code == 0, result.output
    assert "Properties of VCG" in result.output and "Properties of AGV" in result.output


def test_check_reports_failure_with_exit_code_zero():
    result = runner.invoke(app, ["check", str(EXAMPLES / "no_transfers.yaml")])
    assert result.exit_code == 0
    assert "gains 5 by reporting 45" in " ".join(result.output.replace("│", " ").split())   # wrapped cell


def test_check_json_output(tmp_path):
    out = tmp_path / "report.json"
    result = runner.invoke(app, ["check", str(EXAMPLES / "correlated_matching.yaml"), "--json", str(out)])
    assert result.exit_code == 0
    data = json.loads(out.read_text())
    assert data["properties"]["bic"]["holds"] is False
    assert abs(data["properties"]["bic"]["violation"] - 0.8) < 1e-12


def test_invalid_spec_is_a_clear_error_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("players: [A, B]\nalternatives: [x]\ntypes: {A: [1], B: [1]}\n"
                   "prior: {independent: {A: [0.7], B: [1.0]}}\nvaluations: {A: [[0]], B: [[0]]}\n"
                   "mechanism: {kind: vcg}\n")
    result = runner.invoke(app, ["check", str(bad)])
    assert result.exit_code == 2
    assert "prior" in result.output and "sum to 1" in result.output
    assert "Traceback" not in result.output


def test_unknown_example_is_an_error():
    result = runner.invoke(app, ["example", "nope"])
    assert result.exit_code == 2 and "public-project" in result.output
