"""The spec format as JSON Schema (mechdesign schema) and the docs page generated from the models."""
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mechdesign.cli import app
from mechdesign.io import schema as S

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _models():
    whole = S.spec_schema()
    return {"Spec": whole, **whole["$defs"]}


def test_schema_command_prints_the_whole_spec_schema():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data["properties"]) >= {"players", "alternatives", "types", "prior", "valuations", "mechanism",
                                       "game", "auction", "design"}
    assert set(data["required"]) == {"players", "alternatives", "types", "valuations"}
    assert {"GameSpec", "AuctionSection", "DesignSpec", "MechanismSpec", "PriorSpec"} <= set(data["$defs"])


@pytest.mark.parametrize("section, field", [("game", "bids"), ("auction", "bidders"), ("design", "require"),
                                            ("mechanism", "pivot"), ("prior", "joint"), ("spec", "players")])
def test_schema_of_one_section(section, field):
    result = runner.invoke(app, ["schema", section])
    assert result.exit_code == 0, result.output
    assert field in json.loads(result.output)["properties"]


def test_unknown_section_is_a_clear_error():
    result = runner.invoke(app, ["schema", "auctions"])
    assert result.exit_code == 2 and "SECTION: one of" in result.output


def test_every_field_has_a_meaning_and_a_type():
    for title, model in _models().items():
        for name, prop in model["properties"].items():
            assert prop.get("description"), f"{title}.{name} has no meaning (add it to io/schema.py MEANINGS)"
    assert not [key for key in S.MEANINGS if key[1] not in _models().get(key[0], {}).get("properties", {})], \
        "MEANINGS describes fields that no longer exist"


def test_docs_page_matches_the_models():
    page = (ROOT / "docs" / "spec.md").read_text()
    assert page == S.reference_page(), "docs/spec.md is stale: run python -m mechdesign.io.schema > docs/spec.md"
    for title, model in _models().items():
        assert f"## {title}" in page
        for name in model["properties"]:
            assert f"| `{name}` |" in page


def test_example_specs_validate_against_the_schema():
    from mechdesign.io.spec import parse_spec

    from mechdesign.io.combinatorial_spec import load_combinatorial_spec

    for path in sorted((ROOT / "examples").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        assert set(data) <= set(S.spec_schema()["properties"]), path.name
        if "combinatorial" in data:
            load_combinatorial_spec(data)
        elif "auction" not in data:
            parse_spec(data)
