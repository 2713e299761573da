from pathlib import Path

import numpy as np
import pytest
import yaml

import mechdesign as md
from mechdesign.errors import SpecError
from mechdesign.io.spec import build_mechanism, load_spec, parse_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def base():
    return {
        "players": ["A", "B"],
        "alternatives": ["build", "skip"],
        "types": {"A": [10, 30], "B": [10, 30]},
        "prior": {"independent": {"A": [0.5, 0.5], "B": [0.25, 0.75]}},
        "valuations": {"A": [[-15, 0], [5, 0]], "B": [[-15, 0], [5, 0]]},
    }


def test_spec_builds_environment_and_mechanisms():
    spec = parse_spec({**base(), "mechanism": {"kind": "vcg"}})
    env = spec.environment()
    np.testing.assert_allclose(env.prior.marginal(1), [0.25, 0.75])
    assert md.is_dsic(build_mechanism(spec))
    assert build_mechanism(parse_spec({**base(), "mechanism": {"kind": "agv"}})).name == "AGV"
    groves = parse_spec({**base(), "mechanism": {"kind": "groves", "h": {"A": [1, 2], "B": [3, 4]}}})
    assert md.is_dsic(build_mechanism(groves))


def test_joint_prior_and_default_uniform_prior():
    spec = parse_spec({**base(), "prior": {"joint": [[0.4, 0.1], [0.1, 0.4]]}})
    assert not spec.environment().prior.is_independent
    data = base()
    del data["prior"]
    np.testing.assert_allclose(parse_spec(data).environment().prior.marginal(0), [0.5, 0.5])


# finite-environment specs; continuous auction specs (only an ``auction:`` section) are
# checked in tests/auctions/test_spec_cli.py
FINITE = [p for p in sorted(EXAMPLES.glob("*.yaml")) if "players" in yaml.safe_load(p.read_text())]


@pytest.mark.parametrize("path", FINITE, ids=lambda p: p.name)
def test_every_example_spec_loads(path):
    spec = load_spec(path)
    spec.environment()
    if spec.mechanism is not None:
        build_mechanism(spec)


@pytest.mark.parametrize("change, fragment", [
    (lambda d: d.update(players="A"), "players"),
    (lambda d: d.update(colour="red"), "colour: Extra inputs are not permitted"),
    (lambda d: d["types"].update(C=[1]), r"types: keys among the players \['A', 'B'\] \(got unknown player\(s\) \['C'\]\)"),
    (lambda d: d["valuations"].pop("B"), "valuations: an entry for every player"),
    (lambda d: d.update(prior={"independent": {"A": [0.5, 0.5], "B": [0.5, 0.6]}}), "sum to 1"),
    (lambda d: d.update(prior={"independent": {"A": [0.5, 0.5]}, "joint": [[1]]}), "exactly one"),
    (lambda d: d.update(mechanism={"kind": "magic"}), "mechanism.kind"),
    (lambda d: d.update(mechanism={"kind": "direct"}), "'decision' and 'transfers'"),
    (lambda d: d.update(mechanism={"kind": "direct", "decision": [["build", "demolish"], ["skip", "skip"]],
                                   "transfers": [[[0, 0], [0, 0]], [[0, 0], [0, 0]]]}),
     r"mechanism.decision\[0\]\[1\]: an alternative among \['build', 'skip'\]"),
    (lambda d: d["valuations"].update(A=[[1, 0]]), r"valuations\['A'\]: shape \(2, 2\)"),
])
def test_invalid_spec_names_the_field(change, fragment):
    data = base()
    change(data)
    with pytest.raises(SpecError, match=fragment):
        spec = parse_spec(data)
        build_mechanism(spec) if spec.mechanism else spec.environment()


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(SpecError, match="spec: a readable YAML or JSON file"):
        load_spec(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("players: [A, B\n")
    with pytest.raises(SpecError, match="valid YAML"):
        load_spec(bad)
    code = tmp_path / "code.yaml"
    code.write_text("!!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(SpecError):          # safe_load refuses to construct Python objects
        load_spec(code)
