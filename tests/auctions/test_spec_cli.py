"""Auction spec model and the ``mechdesign auction`` command."""

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mechdesign.cli import app
from mechdesign.errors import SpecError
from mechdesign.io.auction_spec import load_auction_spec

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "auction_asymmetric.yaml"
runner = CliRunner()


def test_example_spec_builds_the_auction():
    section = load_auction_spec(EXAMPLE).auction
    auc = section.build()
    assert auc.format == "first_price" and auc.labels == ("weak", "strong", "normal")
    assert auc.distributions[2].truncated and auc.distributions[2].support == (0.0, 1.0)


@pytest.mark.parametrize("path", [p for p in sorted(EXAMPLE.parent.glob("*.yaml"))
                                  if "auction" in yaml.safe_load(p.read_text())], ids=lambda p: p.name)
def test_every_continuous_auction_example_loads(path):
    assert load_auction_spec(path).auction.build().n_bidders >= 1


def test_symmetric_shorthand_and_options():
    spec = {"auction": {"format": "all_pay", "n_bidders": 3, "reserve": 0.1,
                        "distribution": {"family": "beta", "args": [2, 2]}}}
    auc = load_auction_spec(spec).auction.build()
    assert auc.n_bidders == 3 and auc.is_symmetric and auc.reserve == 0.1


@pytest.mark.parametrize("auction,match", [
    ({"format": "dutch", "n_bidders": 2, "distribution": {"family": "uniform"}}, "format"),
    ({"format": "first_price", "n_bidders": 2, "distribution": {"family": "eval"}}, "family"),
    ({"format": "first_price", "n_bidders": 2, "distribution": {"family": "poisson", "args": [2]}}, "family"),
    ({"format": "first_price", "n_bidders": 2, "distribution": {"family": "norm"}}, "bounded"),
    ({"format": "first_price", "n_bidders": 0, "distribution": {"family": "uniform"}}, "n_bidders"),
    ({"format": "first_price"}, "either 'bidders'"),
    ({"format": "first_price", "bidders": [], "n_bidders": 2, "distribution": {"family": "uniform"}}, "either"),
    ({"format": "first_price", "n_bidders": 2, "distribution": {"family": "uniform", "seed": 1}}, "seed"),
    ({"format": "first_price", "n_bidders": 2, "distribution": {"family": "uniform"}, "entry_fee": -1},
     "entry_fee"),
])
def test_bad_specs(auction, match):
    with pytest.raises(SpecError, match=match):
        load_auction_spec({"auction": auction}).auction.build()


def test_missing_section_and_file(tmp_path):
    with pytest.raises(SpecError, match="auction"):
        load_auction_spec({"players": ["a"]})
    with pytest.raises(SpecError, match="a readable YAML or JSON file"):
        load_auction_spec(tmp_path / "nope.yaml")


def test_cli_prints_summary_and_saves_figure(tmp_path):
    out = tmp_path / "fig.png"
    result = runner.invoke(app, ["auction", str(EXAMPLE), "--plot", str(out)])
    assert result.exit_code == 0, result.output
    assert "backward-shooting" in result.output and "Myerson optimal auction" in result.output
    assert out.exists() and out.stat().st_size > 10_000


def test_cli_json_and_error_exit(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("auction: {format: second_price, n_bidders: 2, distribution: {family: uniform}}\n")
    result = runner.invoke(app, ["auction", str(spec), "--json", "-"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert abs(report["outcomes"]["revenue"] - 1 / 3) < 1e-6
    bad = tmp_path / "bad.yaml"
    bad.write_text("auction: {format: second_price, n_bidders: 2, distribution: {family: norm}}\n")
    result = runner.invoke(app, ["auction", str(bad)])
    assert result.exit_code == 2 and "support must be bounded" in result.output
