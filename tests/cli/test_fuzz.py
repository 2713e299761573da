"""Fuzzing specs into the loader and every CLI command (issue "Trust", "Done when").

Random texts and bytes go into the loader; random specs and mutated example specs (from
``examples/``) go into every command of the ``mechdesign`` app that takes a SPEC, run in process
with typer's CliRunner. The only acceptable outcomes are a result (exit code 0) or one of the
library's own errors (exit code 2, one line on standard error); any other exception is a bug.

Commands are discovered from the app, so commands added later are fuzzed too. Runtime is kept
modest: a few hundred examples in total, small specs, cheap solver methods.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.main import get_command
from typer.testing import CliRunner

from mechdesign.cli import app
from mechdesign.errors import MechDesignError
from mechdesign.io.loader import parse_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SPECS = {p.name: yaml.safe_load(p.read_text()) for p in sorted(EXAMPLES.glob("*.yaml"))}
runner = CliRunner()

#: Extra arguments per command (outputs go to a scratch folder); commands not listed get none.
EXTRA = {"export": ["--efg", "{tmp}/game.efg"], "solve": ["--method", "pure"], "revelation": ["--method", "pure"]}


def spec_commands() -> list[str]:
    group = get_command(app)
    names = []
    for name, command in group.commands.items():
        params = [p for p in command.params if getattr(p, "param_type_name", "") == "argument"]
        if params and params[0].name == "spec":
            names.append(name)
    return sorted(names)


COMMANDS = spec_commands()

SETTINGS = settings(deadline=None, derandomize=False, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large, HealthCheck.filter_too_much])

WORDS = ["A", "B", "x", "y", "none", "build", "skip", "yes", "no", "on", "off", "[low]", "[bold]x", "0", "1.5",
         "trade", "no trade", "seller", "buyer", "", " ", "vcg", "agv", "direct", "table", "first_price", "é"]
NUMBERS = [0, 1, -1, 2, 0.5, -0.0, 1e-300, 1e300, -8e306, math.inf, -math.inf, math.nan, 2**63, 10**30, 3.7]


def scalars() -> st.SearchStrategy:
    return st.one_of(st.sampled_from(WORDS), st.sampled_from(NUMBERS), st.booleans(), st.none(),
                     st.integers(-3, 6), st.floats(-10, 10, allow_nan=False))


def values() -> st.SearchStrategy:
    return st.recursive(scalars(), lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(st.sampled_from(WORDS), inner, max_size=3)),
                        max_leaves=12)


def paths(data, prefix=()):
    """Every position (tuple of keys/indices) in nested data."""
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(data, list):
        for k, v in enumerate(data):
            yield from paths(v, (*prefix, k))


def mutate(data, draw):
    """One random change at a random position: delete, replace, wrap, stringify, resize or renumber."""
    where = draw(st.sampled_from(list(paths(data))))
    if not where:
        return draw(values()) if draw(st.booleans()) else data
    parent = data
    for key in where[:-1]:
        parent = parent[key]
    key = where[-1]
    old = parent[key]
    action = draw(st.sampled_from(["delete", "replace", "wrap", "string", "resize", "number", "rename"]))
    if action == "delete":
        del parent[key]
    elif action == "replace":
        parent[key] = draw(values())
    elif action == "wrap":
        parent[key] = [old]
    elif action == "string":
        parent[key] = str(old)
    elif action == "resize" and isinstance(old, list):
        parent[key] = old[:draw(st.integers(0, max(len(old) - 1, 0)))] if draw(st.booleans()) else old + old[:2]
    elif action == "number":
        parent[key] = draw(st.sampled_from(NUMBERS))
    elif action == "rename" and isinstance(parent, dict):
        parent[draw(st.sampled_from(WORDS))] = parent.pop(key)
    return data


@st.composite
def mutated_examples(draw):
    name = draw(st.sampled_from(sorted(SPECS)))
    data = copy.deepcopy(SPECS[name])
    for _ in range(draw(st.integers(1, 3))):
        data = mutate(data, draw)
    return data


@st.composite
def random_specs(draw):
    """Small specs built field by field, often valid, sometimes not."""
    n = draw(st.integers(1, 3))
    players = draw(st.lists(st.sampled_from(WORDS), min_size=n, max_size=n))
    alternatives = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
    k = [draw(st.integers(0, 3)) for _ in players]
    entry = st.one_of(st.integers(-5, 5), st.floats(-5, 5, allow_nan=False), st.sampled_from(NUMBERS))
    spec = {"players": players, "alternatives": alternatives,
            "types": {p: draw(st.lists(st.one_of(st.integers(0, 9), st.sampled_from(WORDS)), min_size=m, max_size=m))
                      for p, m in zip(players, k)},
            "valuations": {p: [[draw(entry) for _ in alternatives] for _ in range(m)] for p, m in zip(players, k)}}
    if draw(st.booleans()):
        spec["prior"] = {"independent": {p: draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 1 / 3, -0.5]),
                                                          min_size=m, max_size=m)) for p, m in zip(players, k)}}
    section = draw(st.sampled_from(["mechanism", "game", "design", "auction", None]))
    if section == "mechanism":
        spec["mechanism"] = {"kind": draw(st.sampled_from(["vcg", "agv", "groves", "direct"])),
                             **draw(st.dictionaries(st.sampled_from(["ties", "pivot", "status_quo",
                                                                     "allow_correlated", "decision", "transfers"]),
                                                    values(), max_size=2))}
    elif section == "game":
        kind = draw(st.sampled_from(["first_price", "second_price", "all_pay", "posted_price",
                                     "voluntary_contribution", "table"]))
        spec["game"] = {"kind": kind, "bids": [0, 1], "price": 1, "contributions": [0, 1], "cost": 1,
                        **draw(st.dictionaries(st.sampled_from(["bids", "actions", "decision", "transfers", "cost"]),
                                               values(), max_size=2))}
    elif section == "design":
        spec["design"] = {"require": draw(st.lists(st.sampled_from(["dsic", "bic", "ir_ex_post", "ir_interim",
                                                                    "budget_weak", "bogus"]), max_size=3)),
                          "options": draw(st.dictionaries(st.sampled_from(["time_limit", "threads", "log_file",
                                                                           "presolve"]), scalars(), max_size=2))}
    elif section == "auction":
        spec["auction"] = {"format": draw(st.sampled_from(["first_price", "second_price", "all_pay", "dutch"])),
                           "n_bidders": draw(st.sampled_from([0, 1, 2, 3, 2**40])),
                           "distribution": {"family": draw(st.sampled_from(["uniform", "beta", "norm", "eval",
                                                                            "_reduce"])),
                                            "args": draw(st.lists(st.sampled_from([0.5, 2, -1, math.nan]),
                                                                  max_size=2))},
                           "solver": draw(st.dictionaries(st.sampled_from(["steps", "bogus", "table"]),
                                                          st.sampled_from([8, 1e12, math.nan, -1]), max_size=1))}
    return spec


def dump(data) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, TypeError, ValueError):
        return str(data)


def assert_clean(result, command, text):
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{command}: {type(result.exception).__name__}: {result.exception}\n--- spec:\n{text}") \
            from result.exception
    assert result.exit_code in (0, 2), (command, result.exit_code, result.output, text)
    assert "Traceback" not in result.output, (command, result.output)
    if result.exit_code == 2:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), (command, result.stderr, text)


def run_spec(tmp_path, command, text):
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    extra = [a.format(tmp=tmp_path) for a in EXTRA.get(command, [])]
    result = runner.invoke(app, [command, str(spec), *extra])
    assert_clean(result, command, text)


def test_every_spec_command_is_fuzzed():
    assert {"check", "vcg", "agv", "compare", "design", "solve", "revelation", "export", "auction"} <= set(COMMANDS)


@SETTINGS
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
                 values().map(dump), mutated_examples().map(dump)))
def test_loader_returns_data_or_a_spec_error(text):
    for fmt in ("yaml", "json"):
        try:
            parse_text(text, fmt=fmt)
        except MechDesignError:
            pass


@SETTINGS
@given(st.binary(max_size=300))
def test_loader_on_raw_bytes(tmp_path_factory, raw):
    from mechdesign.io.loader import load_data

    path = tmp_path_factory.mktemp("raw") / "spec.yaml"
    path.write_bytes(raw)
    try:
        load_data(path)
    except MechDesignError:
        pass


@pytest.mark.slow
@settings(SETTINGS, max_examples=75)
@given(data=mutated_examples(), command=st.sampled_from(COMMANDS))
def test_mutated_examples_through_every_command(tmp_path_factory, data, command):
    run_spec(tmp_path_factory.mktemp("fuzz"), command, dump(data))


@pytest.mark.slow
@settings(SETTINGS, max_examples=75)
@given(data=random_specs(), command=st.sampled_from(COMMANDS))
def test_random_specs_through_every_command(tmp_path_factory, data, command):
    run_spec(tmp_path_factory.mktemp("fuzz"), command, dump(data))


@pytest.mark.parametrize("name", sorted(SPECS))
def test_each_example_through_every_command(tmp_path, name):
    text = (EXAMPLES / name).read_text()
    for command in COMMANDS:
        run_spec(tmp_path, command, text)
