"""One way to say each thing (issue "first hour" §4): what the CLI and the results print."""

import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import mechdesign as md
from mechdesign.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()

RUNS = [("check", "public_project.yaml"), ("check", "no_transfers.yaml"), ("check", "correlated_matching.yaml"),
        ("vcg", "bilateral_trade.yaml"), ("agv", "bilateral_trade.yaml"), ("compare", "public_project.yaml"),
        ("design", "design_auction.yaml"), ("design", "design_green_laffont.yaml"),
        ("solve", "battle_of_sexes_game.yaml"), ("solve", "first_price_game.yaml"),
        ("revelation", "first_price_game.yaml"), ("example", None)]

BANNED = {
    "status repeated by the solver message": re.compile(r"optimal — optimal", re.IGNORECASE),
    "'1 equilibria'": re.compile(r"(?<!\d)1 equilibria"),
    "a quoted number": re.compile(r"'-?\d+(\.\d+)?'"),
    "negative zero": re.compile(r"(?<![\w.])-0(\.0*)?(?![\d.e\w])"),
}


def printed(command, example):
    args = [command, "public-project"] if example is None else [command, str(EXAMPLES / example)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command,example", RUNS, ids=lambda x: str(x))
def test_no_banned_phrases(command, example):
    text = printed(command, example)
    for what, pattern in BANNED.items():
        assert not pattern.search(text), (what, pattern.search(text).group(0))


def test_result_texts():
    env = md.Environment(["A", "B"], ["x", "y"], [[0, 1], [0, 1]], md.IndependentPrior([[0.5, 0.5]] * 2),
                         [np.array([[0.0, 1.0], [0.0, 1.0]])] * 2)
    mech = md.DirectMechanism(env, decision=np.array([[0, 1], [0, 1]]), transfers=-0.0 * np.ones((2, 2, 2)))
    for text in (str(md.check(mech)), repr(md.is_dsic(mech)), md.design(env, "revenue", ["dsic"]).summary()):
        for what, pattern in BANNED.items():
            assert not pattern.search(text), (what, text)
    game = md.BayesianGame.from_mechanism(md.examples.posted_price_trade())
    assert "1 equilibrium," in repr(md.solve_bne(game, method="lcp"))


def test_slack_is_not_a_violation():
    report = md.check(md.vcg(md.examples.public_project()))
    assert report["ir_ex_ante"].violation < 0
    assert "slack" in repr(report["ir_ex_ante"]) and "worst violation -" not in repr(report["ir_ex_ante"])
    lines = [line for line in str(report).splitlines() if "ir_ex_ante" in line]
    cells = [c.strip() for c in lines[0].split("│")]
    assert cells[3] == "0" and float(cells[4]) == pytest.approx(-report["ir_ex_ante"].violation, rel=1e-5)


def test_package_not_found_error_is_not_public():
    assert not hasattr(md, "PackageNotFoundError")


def test_one_transfer_header_and_max_rows_everywhere():
    from typer.main import get_command

    group = get_command(app)
    for name in ("vcg", "agv", "design", "solve", "revelation"):
        opts = {o for p in group.commands[name].params for o in getattr(p, "opts", [])}
        assert "--max-rows" in opts and "--rows" not in opts, name
    for name, command in group.commands.items():
        for p in command.params:
            if "--json" in getattr(p, "opts", []):
                assert not getattr(p, "is_flag", False), name          # --json PATH, never a bare flag
    vcg = printed("vcg", "bilateral_trade.yaml")
    design = printed("design", "design_auction.yaml")
    reveal = printed("revelation", "first_price_game.yaml")
    for text in (vcg, design, reveal):
        assert "m A" in text or "m seller" in text
        assert "m[" not in text and "m_" not in text
