"""The safe spec loader: YAML 1.2 core schema, bounded cost, clear errors (issue "Trust" §3)."""

import math
import time

import pytest

from mechdesign.errors import SpecError
from mechdesign.io import loader
from mechdesign.io.loader import load_data, parse_text
from mechdesign.io.spec import load_spec


def test_yaml_11_words_stay_strings():
    # YAML 1.2 core schema (yaml.org/spec/1.2.2, 10.3.2): only true/false are booleans
    data = parse_text("types: {A: [no, yes], B: [off, on], C: [y, n, Yes, NO]}\nflag: [true, False, TRUE]\n")
    assert data["types"] == {"A": ["no", "yes"], "B": ["off", "on"], "C": ["y", "n", "Yes", "NO"]}
    assert data["flag"] == [True, False, True]


def test_core_schema_numbers_nulls_and_dates():
    data = parse_text("x: [010, 0o17, 0x1f, -5, +3, 1e12, 2.5, .5, -.inf, .NaN, ~, null, '', 2001-12-14, 1_000]")
    x = data["x"]
    assert x[:5] == [10, 15, 31, -5, 3]                      # 010 is ten in YAML 1.2 (eight in 1.1)
    assert x[5] == 1e12 and isinstance(x[5], float)          # a string in YAML 1.1
    assert x[6:8] == [2.5, 0.5] and x[8] == -math.inf and math.isnan(x[9])
    assert x[10:13] == [None, None, ""]
    assert x[13:] == ["2001-12-14", "1_000"]                 # no timestamps, no underscores


@pytest.mark.parametrize("text,message", [
    ("a: !!python/object/apply:os.system ['echo hi']", "could not determine a constructor"),
    ("a: !!binary aGk=", "could not determine a constructor"),
    ("a: !!set {x: null}", "could not determine a constructor"),
    ("a: !custom 1", "could not determine a constructor"),
    ("a: 1\na: 2\n", "each key once"),
    ("a: 123456789012345678901", "integers between"),
    ("a: " + "9" * 5000, "integers of at most 19 digits"),
    ("a: 1e999", "float64 range"),
    ("a: [1, 2", "valid YAML"),
    ("a: \x00", "valid YAML"),
    ("a: &x [*x]", "recursive aliases"),
    ("{[1]: 2}", "key that is a list"),
])
def test_refused_documents(text, message):
    with pytest.raises(SpecError, match=message):
        parse_text(text)


def test_deep_nesting_is_a_clear_error_not_a_recursion_error():
    for text, fmt in (("[" * 5000 + "]" * 5000, "yaml"), ("[" * 100_000 + "]" * 100_000, "json")):
        with pytest.raises(SpecError, match="nested at most"):
            parse_text(text, fmt=fmt)
    assert parse_text("[" * loader.MAX_DEPTH + "]" * loader.MAX_DEPTH) is not None


def test_billion_laughs_is_refused_at_once():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for k in range(1, 9):
        prev, name = chr(96 + k), chr(97 + k)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    text = "\n".join(lines) + "\n"
    assert len(text) < 700
    start = time.perf_counter()
    with pytest.raises(SpecError, match="aliases expanding to at most"):
        parse_text(text)
    assert time.perf_counter() - start < 2.0
    # a few aliases (the intended use) are fine
    assert parse_text("row: &r [1, 2]\nt: [*r, *r]\n")["t"] == [[1, 2], [1, 2]]


def test_deep_nesting_through_aliases_is_refused():
    text = "a: &a " + "[" * 40 + "]" * 40 + "\nb: &b " + "[" * 30 + "*a" + "]" * 30 + "\n"
    with pytest.raises(SpecError, match="aliases included"):
        parse_text(text)


def test_json_rules(tmp_path):
    assert parse_text('{"a": [1, 2.5, true, null]}', fmt="json") == {"a": [1, 2.5, True, None]}
    for text, message in (('{"a": 1, "a": 2}', "each key once"), ('{"a": 123456789012345678901}', "integers"),
                          ('{"a": [1, 2}', "valid JSON")):
        with pytest.raises(SpecError, match=message):
            parse_text(text, fmt="json")


def test_files(tmp_path):
    good = tmp_path / "s.yaml"
    good.write_text("players: [A]\n", encoding="utf-8")
    assert load_data(good) == {"players": ["A"]}
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbfplayers: [A]\n")
    assert load_data(bom) == {"players": ["A"]}
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("players: [Andr\xe9]\n".encode("latin-1"))
    with pytest.raises(SpecError, match=r"spec: a UTF-8 text file \(got .*latin.yaml: byte 14 is not UTF-8\)"):
        load_data(latin)
    with pytest.raises(SpecError, match="a readable YAML or JSON file"):
        load_data(tmp_path / "missing.yaml")
    with pytest.raises(SpecError, match="a directory"):
        load_data(tmp_path)
    with pytest.raises(SpecError, match="not a regular file"):
        load_data("/dev/null")
    js = tmp_path / "s.json"
    js.write_text('{"players": ["A"], "x": NaN}')
    assert load_data(js)["players"] == ["A"]


def test_file_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 10)
    big = tmp_path / "big.yaml"
    big.write_text("players: [A, B, C]\n")
    with pytest.raises(SpecError, match="a file of at most"):
        load_data(big)


def test_spec_with_yaml_11_words(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("players: [A, B]\nalternatives: [yes, no]\ntypes: {A: [no, yes], B: [off, on]}\n"
                    "valuations: {A: [[-1, 0], [1, 0]], B: [[-1, 0], [1, 0]]}\n")
    env = load_spec(spec).environment()
    assert env.alternatives == ("yes", "no") and env.type_labels == (("no", "yes"), ("off", "on"))
