"""--plot PATH on vcg, agv, compare and design: interim allocation and payment by type, written atomically."""
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mechdesign.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("command, spec", [("vcg", "auction.yaml"), ("agv", "public_project.yaml"),
                                           ("compare", "bilateral_trade.yaml"), ("design", "design_auction.yaml")])
def test_plot_writes_an_image(tmp_path, command, spec):
    out = tmp_path / f"{command}.png"
    result = runner.invoke(app, [command, str(EXAMPLES / spec), "--plot", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(PNG)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]       # no temporary file left behind


def test_plot_as_svg_and_never_over_the_spec(tmp_path):
    out = tmp_path / "trade.svg"
    assert runner.invoke(app, ["compare", str(EXAMPLES / "bilateral_trade.yaml"), "--plot", str(out)]).exit_code == 0
    assert out.read_text().lstrip().startswith("<?xml")
    spec = tmp_path / "spec.yaml"
    spec.write_text((EXAMPLES / "auction.yaml").read_text())
    result = runner.invoke(app, ["vcg", str(spec), "--plot", str(spec)])
    assert result.exit_code == 2 and "--plot: a file that is not an input of this command" in result.output
    assert spec.read_text() == (EXAMPLES / "auction.yaml").read_text()


def test_bad_plot_format_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["vcg", str(EXAMPLES / "auction.yaml"), "--plot", str(tmp_path / "x.nope")])
    assert result.exit_code == 2 and "--plot: a file name ending in one of" in result.output
    assert list(tmp_path.iterdir()) == []
