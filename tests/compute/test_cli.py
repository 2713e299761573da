"""``mechdesign check --chunk-size/--backend/--scheduler``: same report, errors named."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mechdesign.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def report(*options):
    result = runner.invoke(app, ["check", str(EXAMPLES / "correlated_matching.yaml"), "--json", "-", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_chunked_and_dask_reports_equal_the_default(small_tiles, dask_client):
    reference = report()
    assert report("--chunk-size", "1") == reference
    assert report("--backend", "dask", "--scheduler", dask_client.scheduler.address) == reference


@pytest.mark.parametrize("options,message", [
    (["--chunk-size", "0"], "chunk_size: a positive integer"),
    (["--backend", "spark"], "backend: "),
    (["--scheduler", "tcp://127.0.0.1:1"], 'scheduler: None unless backend="dask"'),
])
def test_bad_options_exit_2_with_a_message(options, message):
    result = runner.invoke(app, ["check", str(EXAMPLES / "clarke_by_hand.yaml"), *options])
    assert result.exit_code == 2 and message in " ".join(result.output.split())
