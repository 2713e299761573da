"""Spec and CLI for learned equilibria: ``mechdesign auction SPEC --method learn``."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mechdesign.cli import app
from mechdesign.errors import SpecError
from mechdesign.io.auction_spec import load_auction_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()
SMALL = {"grid": [16, 16], "learning": {"iterations": 300}}


def test_spec_builds_every_format_and_risk_aversion():
    base = {"n_bidders": 2, "distribution": {"family": "uniform"}}
    fp = load_auction_spec({"auction": {"format": "first_price", "utility": {"risk_aversion": 0.5}, **base}})
    assert fp.auction.build().risk_aversion == 0.5
    contest = load_auction_spec({"auction": {"format": "contest", "r": 2.0, **base}}).auction
    assert contest.build().r == 2.0 and contest.equilibrium_arguments()["method"] == "learn"
    da = load_auction_spec({"auction": {"format": "double_auction", "k": 0.25, "buyer": {"family": "uniform"},
                                        "seller": {"family": "uniform"}}}).auction
    assert da.build().k == 0.25
    args = load_auction_spec({"auction": {"format": "all_pay", "method": "learn", "grid": [32, 48],
                                          "learning": {"iterations": 100, "bids": [0, 0.7]}, **base}}).auction
    kw = args.equilibrium_arguments()
    assert kw == {"method": "learn", "grid": (32, 48), "options": {"iterations": 100, "bids": (0, 0.7)}}


@pytest.mark.parametrize("auction,match", [
    ({"format": "double_auction", "buyer": {"family": "uniform"}}, "buyer"),
    ({"format": "first_price", "n_bidders": 2, "distribution": {"family": "uniform"},
      "utility": {"risk_aversion": 2}}, "risk_aversion"),
    ({"format": "first_price", "n_bidders": 2, "distribution": {"family": "uniform"},
      "learning": {"iterations": 5}}, "only used with method: learn"),
    ({"format": "first_price", "n_bidders": 2, "distribution": {"family": "uniform"},
      "utility": {"loss_aversion": 2}}, "loss_aversion"),
    # learning options are an allow-list of typed values (specs are data)
    ({"format": "first_price", "n_bidders": 2, "distribution": {"family": "uniform"}, "method": "learn",
      "learning": {"log_file": "x.txt"}}, "unknown option 'log_file'"),
    ({"format": "first_price", "n_bidders": 2, "distribution": {"family": "uniform"}, "method": "learn",
      "learning": {"iterations": "many"}}, r"auction.learning\['iterations'\]: an integer"),
    ({"format": "first_price", "n_bidders": 2, "distribution": {"family": "uniform"}, "method": "learn",
      "learning": {"bids": [1, 0]}}, "low < high"),
    ({"format": "first_price", "n_bidders": 2, "distribution": {"family": "uniform"}, "method": "learn",
      "grid": [64, 64, 64]}, "auction.grid"),
    ({"format": "first_price", "n_bidders": 2, "distribution": {"family": "uniform"}, "method": "learn",
      "grid": [10**6, 10**6]}, "memory"),
    ({"format": "contest", "n_bidders": 0, "distribution": {"family": "uniform"}}, "n_bidders"),
])
def test_bad_learning_specs(auction, match):
    with pytest.raises(SpecError, match=match):
        section = load_auction_spec({"auction": auction}).auction
        section.build()
        section.equilibrium_arguments()


def test_cli_learns_with_a_table_and_a_plot(tmp_path):
    spec = tmp_path / "fp.yaml"
    spec.write_text(json.dumps({"auction": {"format": "first_price", "n_bidders": 2,
                                            "distribution": {"family": "uniform"}, **SMALL}}))
    out = tmp_path / "bids.png"
    res = runner.invoke(app, ["auction", str(spec), "--method", "learn", "--plot", str(out)])
    assert res.exit_code == 0, res.output
    assert "learned equilibrium" in res.output and "epsilon on the grid" in res.output
    assert out.exists() and out.stat().st_size > 0
    res = runner.invoke(app, ["auction", str(spec), "--method", "learn", "--json", "-"])
    report = json.loads(res.output[res.output.index("{"):])
    assert report["equilibrium"]["method"] == "learn"
    assert report["equilibrium"]["diagnostics"]["discrete_epsilon"] >= 0
    res = runner.invoke(app, ["auction", str(spec), "--method", "guess"])
    assert res.exit_code == 2 and "--method" in res.output


def test_double_auction_example_runs():
    res = runner.invoke(app, ["auction", str(EXAMPLES / "double_auction.yaml")])
    assert res.exit_code == 0, res.output
    assert "welfare" in res.output


def test_learned_figure_shows_bids_and_strategies(tmp_path):
    import warnings

    from scipy import stats

    import mechdesign as md

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eq = md.auctions.FirstPrice([stats.uniform(0, 1), stats.uniform(0, 2)], reserve=0.1).equilibrium(
            method="learn", grid=(16, 16), options={"iterations": 200})
    fig = md.auctions.learned_figure(eq)
    assert len([a for a in fig.axes if a.get_title()]) == 3          # bids + one heat map per bidder
    fig.savefig(tmp_path / "x.png")
