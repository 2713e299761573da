"""CLI: mechdesign solve / revelation / export on spec files with a game: section."""
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import mechdesign as md
from mechdesign.cli import app
from tests.extras import needs

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


@pytest.mark.parametrize("method", ["pure", "lcp", "enum", pytest.param("gambit", marks=needs("gambit"))])
def test_solve_battle_of_sexes(method):
    result = runner.invoke(app, ["solve", str(EXAMPLES / "battle_of_sexes_game.yaml"), "--method", method])
    assert result.exit_code == 0, result.output
    assert "friendly" in result.output and "epsilon" in result.output


def test_solve_json():
    result = runner.invoke(app, ["solve", str(EXAMPLES / "first_price_game.yaml"), "--json", "-"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["method"] == "pure" and data["status"] == "success" and data["equilibria"]


def test_revelation_prints_direct_mechanism():
    result = runner.invoke(app, ["revelation", str(EXAMPLES / "first_price_game.yaml")])
    assert result.exit_code == 0, result.output
    assert "direct mechanism" in result.output and "bic: holds" in result.output


@needs("gambit")
def test_export_efg_opens_in_gambit(tmp_path):
    import pygambit as gbt

    out = tmp_path / "fp.efg"
    result = runner.invoke(app, ["export", str(EXAMPLES / "first_price_game.yaml"), "--efg", str(out)])
    assert result.exit_code == 0, result.output
    g = gbt.read_efg(str(out))
    assert len(g.players) == 2
    assert md.read_efg(out).n_types == (4, 4)


def test_errors_exit_2(tmp_path):
    spec = EXAMPLES / "battle_of_sexes_game.yaml"
    assert runner.invoke(app, ["solve", str(spec), "--method", "magic"]).exit_code == 2
    assert runner.invoke(app, ["solve", str(spec), "--algorithm", "logit"]).exit_code == 2
    assert runner.invoke(app, ["export", str(spec)]).exit_code == 2
    no_game = tmp_path / "plain.yaml"
    no_game.write_text(spec.read_text().split("game:")[0])
    result = runner.invoke(app, ["solve", str(no_game)])
    assert result.exit_code == 2 and "game" in result.output


@pytest.mark.parametrize("method", ["dual_averaging", "frank_wolfe"])
def test_solve_with_a_learning_method(method):
    spec = str(EXAMPLES / "first_price_game.yaml")
    result = runner.invoke(app, ["solve", spec, "--method", method, "--tol", "1e-9", "--iterations", "500"])
    assert result.exit_code == 0, result.output
    assert "epsilon by iteration" in result.output and "success" in result.output
    data = json.loads(runner.invoke(app, ["solve", spec, "--method", method, "--json", "-"]).output)
    assert data["status"] == "success" and data["diagnostics"]["history"]["epsilon"]
    assert runner.invoke(app, ["solve", spec, "--method", "pure", "--tol", "1e-9"]).exit_code == 2
