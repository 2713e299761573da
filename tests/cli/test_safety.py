"""CLI: specs cannot write files, outputs never replace inputs, every bad input is one line and exit 2.

Issue "Trust" §3 and §4; each case listed there has a test here (API cases: tests/test_bad_inputs.py).
"""

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mechdesign.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()

CONTINUOUS = "auction: {format: second_price, n_bidders: 2, distribution: {family: uniform}}\n"
AUCTION_ENV = """players: [A, B]
alternatives: [A, B, none]
types: {A: [1, 2], B: [1, 2]}
valuations: {A: [[1, 0, 0], [2, 0, 0]], B: [[0, 1, 0], [0, 2, 0]]}
"""


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def write(folder, name, text):
    path = folder / name
    path.write_text(text)
    return path


def assert_clean_error(result, *fragments):
    """Exit code 2, exactly one line on stderr starting with 'error:', naming every fragment, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


# ------------------------------------------------------------------------------------------------ specs are data
def test_spec_options_cannot_make_the_solver_write_files(tmp_path):
    victim = write(tmp_path, "victim.txt", "precious\n")
    spec = write(tmp_path, "s.yaml", AUCTION_ENV + "design:\n  require: [dsic, ir_ex_post]\n"
                 f"  options: {{write_solution_to_file: true, solution_file: {victim}}}\n")
    line = assert_clean_error(run("design", spec), "design.options['write_solution_to_file']", "time_limit")
    assert "an option among" in line
    assert victim.read_text() == "precious\n"


def test_allowed_spec_options_are_used(tmp_path):
    spec = write(tmp_path, "s.yaml", AUCTION_ENV + "design:\n  require: [dsic, ir_ex_post]\n"
                 "  options: {time_limit: 30, presolve: 'off', threads: 1}\n")
    result = run("design", spec, "--json", "-")
    assert result.exit_code == 0, result.output
    options = json.loads(result.stdout)["options"]
    assert options["time_limit"] == 30 and options["presolve"] == "off"


@pytest.mark.parametrize("field,text", [
    ("mechanism.allow_correlated", "mechanism: {kind: agv, allow_correlated: 'no'}\n"),
    ("design.randomized", "design: {randomized: 'yes'}\n"),
])
def test_booleans_are_booleans(tmp_path, field, text):
    spec = write(tmp_path, "s.yaml", AUCTION_ENV + text)
    command = "agv" if "mechanism" in field else "design"
    assert_clean_error(run(command, spec), field, "valid boolean")


def test_yaml_words_stay_strings(tmp_path):
    spec = write(tmp_path, "s.yaml", "players: [A, B]\nalternatives: [build, skip]\n"
                 "types: {A: [no, yes], B: [off, on]}\nvaluations: {A: [[-1, 0], [1, 0]], B: [[-1, 0], [1, 0]]}\n"
                 "mechanism: {kind: vcg}\n")
    result = run("vcg", spec, "--json", "-")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["mechanism"]["environment"]["types"] == {"A": ["no", "yes"], "B": ["off", "on"]}


def test_billion_laughs_fails_fast(tmp_path):
    lines = ["players: &a [x, x, x, x, x, x, x, x, x]"]
    for k in range(1, 9):
        lines.append(f"k{k}: &{chr(97 + k)} [{', '.join(['*' + chr(96 + k)] * 9)}]")
    spec = write(tmp_path, "laughs.yaml", "\n".join(lines) + "\n")
    start = time.perf_counter()
    assert_clean_error(run("check", spec), "aliases expanding")
    assert time.perf_counter() - start < 5


# ---------------------------------------------------------------------------------------- outputs never inputs
SAME_FILE = [
    ("check", "public_project.yaml", "--json"),
    ("vcg", "public_project.yaml", "--json"),
    ("agv", "public_project.yaml", "--json"),
    ("compare", "public_project.yaml", "--json"),
    ("design", "design_auction.yaml", "--json"),
    ("solve", "first_price_game.yaml", "--json"),
    ("revelation", "first_price_game.yaml", "--json"),
    ("export", "first_price_game.yaml", "--efg"),
    ("export", "first_price_game.yaml", "--nfg"),
    ("auction", None, "--json"),
    ("auction", None, "--plot"),
]


@pytest.mark.parametrize("command,example,flag", SAME_FILE, ids=lambda x: str(x))
def test_output_never_replaces_the_spec(tmp_path, command, example, flag):
    name = "spec.png" if flag == "--plot" else "spec.yaml"
    spec = write(tmp_path, name, CONTINUOUS if example is None else (EXAMPLES / example).read_text())
    before = spec.read_text()
    line = assert_clean_error(run(command, spec, flag, spec), flag, "not an input of this command")
    assert spec.read_text() == before and str(spec) in line


def test_output_through_a_link_to_the_spec(tmp_path):
    spec = write(tmp_path, "s.yaml", (EXAMPLES / "public_project.yaml").read_text())
    link = tmp_path / "link.json"
    link.symlink_to(spec)
    assert_clean_error(run("check", spec, "--json", link), "--json", "not an input")
    assert spec.read_text() == (EXAMPLES / "public_project.yaml").read_text()


@pytest.mark.parametrize("target,fragment", [
    (lambda d: d, "which is a directory"),
    (lambda d: d / "missing" / "r.json", "a path in an existing folder"),
])
def test_bad_output_paths_fail_before_any_work(tmp_path, target, fragment):
    assert_clean_error(run("check", EXAMPLES / "public_project.yaml", "--json", target(tmp_path)), "--json", fragment)


def test_two_outputs_on_one_file(tmp_path):
    out = tmp_path / "game.out"
    assert_clean_error(run("export", EXAMPLES / "first_price_game.yaml", "--efg", out, "--nfg", out),
                       "--nfg", "other than the one given to --efg")


def test_plot_saves_exactly_the_path_given_or_refuses(tmp_path):
    spec = write(tmp_path, "a.yaml", CONTINUOUS)
    svg = tmp_path / "bids.svg"
    result = run("auction", spec, "--plot", svg)
    assert result.exit_code == 0, result.output
    assert svg.read_text().lstrip().startswith("<?xml") and sorted(p.name for p in tmp_path.iterdir()) == [
        "a.yaml", "bids.svg"]
    for bad in ("bids", "bids.docx"):
        assert_clean_error(run("auction", spec, "--plot", tmp_path / bad), "--plot", "a file name ending in one of")
        assert not (tmp_path / bad).exists() and not (tmp_path / f"{bad}.png").exists()


def test_json_everywhere_writes_valid_json(tmp_path):
    continuous = write(tmp_path, "continuous.yaml", CONTINUOUS)
    for command, example in (("check", "public_project.yaml"), ("vcg", "auction.yaml"),
                             ("design", "design_auction.yaml"), ("solve", "first_price_game.yaml"),
                             ("auction", None)):
        out = tmp_path / f"{command}.json"
        result = run(command, continuous if example is None else EXAMPLES / example, "--json", out)
        assert result.exit_code == 0, (command, result.output)
        assert isinstance(json.loads(out.read_text()), dict)


# ------------------------------------------------------------------------------------- §4: one-line errors
CASES = {
    "ragged decision": ("check", AUCTION_ENV.replace("[A, B, none]", "[x, y, z]") +
                        "mechanism: {kind: direct, decision: [[0, 1], [1]], "
                        "transfers: [[[0, 0], [0, 0]], [[0, 0], [0, 0]]]}\n", ["mechanism.decision", "rectangular"]),
    "empty types": ("check", "players: [A]\nalternatives: [x]\ntypes: {A: []}\nvaluations: {A: []}\n"
                    "mechanism: {kind: vcg}\n", ["types.A", "at least one type"]),
    "unknown alternative in a table": ("check", AUCTION_ENV + "mechanism: {kind: direct, decision: [[A, B], [A, C]], "
                                       "transfers: [[[0, 0], [0, 0]], [[0, 0], [0, 0]]]}\n",
                                       ["mechanism.decision[1][1]", "'C'"]),
    "prior of a player": ("check", AUCTION_ENV + "prior: {independent: {A: [0.5, 0.5], B: [0.7, 0.7]}}\n"
                          "mechanism: {kind: vcg}\n", ["prior.independent.B", "sum to 1"]),
    "unmatched game alternatives": ("solve", AUCTION_ENV.replace("[A, B, none]", "[first, second, neither]") +
                                    "game: {kind: first_price, bids: [0, 1]}\n", ["env.alternatives", "none"]),
    "auction solver bogus": ("auction", "auction: {format: first_price, bidders: [{distribution: {family: uniform}}, "
                             "{distribution: {family: uniform, params: {scale: 2}}}], solver: {bogus: 1}}\n",
                             ["auction.solver['bogus']", "an option among"]),
    "auction steps nan": ("auction", "auction: {format: first_price, bidders: [{distribution: {family: uniform}}, "
                          "{distribution: {family: uniform, params: {scale: 2}}}], solver: {steps: .nan}}\n",
                          ["auction.solver['steps']", "an integer"]),
    "auction steps 1e12": ("auction", "auction: {format: first_price, bidders: [{distribution: {family: uniform}}, "
                           "{distribution: {family: uniform, params: {scale: 2}}}], solver: {steps: 1e12}}\n",
                           ["auction.solver['steps']"]),
    "a million bidders": ("auction", "auction: {format: first_price, n_bidders: 1000000, "
                          "distribution: {family: uniform}}\n", ["auction.n_bidders", "1,000,000"]),
    "ten players, a thousand types": ("check", "json", ["types", "1e+30 type profiles"]),
    "not utf-8": ("check", None, ["UTF-8"]),
    "huge integer": ("check", AUCTION_ENV.replace("[1, 2], B", "[1, 123456789012345678901234], B") +
                     "mechanism: {kind: vcg}\n", ["integers between"]),
    "deep nesting": ("check", "players: " + "[" * 500 + "]" * 500 + "\n", ["nested at most"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_specs_give_one_line(tmp_path, name):
    command, text, fragments = CASES[name]
    spec = tmp_path / "s.yaml"
    if text is None:
        spec.write_bytes("players: [Andr\xe9]\n".encode("latin-1"))
    elif text == "json":                    # a large spec: JSON (the C parser) keeps the test fast
        players = [f"P{i}" for i in range(10)]
        spec = tmp_path / "s.json"
        spec.write_text(json.dumps({"players": players, "alternatives": ["x", "y"],
                                    "types": {p: list(range(1000)) for p in players},
                                    "valuations": {p: [[0, 1]] * 1000 for p in players},
                                    "mechanism": {"kind": "vcg"}}))
    else:
        spec.write_text(text)
    assert_clean_error(run(command, spec), *fragments)


def test_solve_on_a_one_player_game(tmp_path):
    spec = write(tmp_path, "one.yaml", "players: [A]\nalternatives: [x, y]\ntypes: {A: [0, 1]}\n"
                 "valuations: {A: [[0, 1], [1, 0]]}\n"
                 "game: {kind: table, actions: {A: [left, right]}, decision: [x, y], transfers: [[0], [0]]}\n")
    result = run("solve", spec)
    assert result.exit_code == 0, result.output
    assert "0 -> right" in result.output and "1 -> left" in result.output      # her optimal choice per type
    assert_clean_error(run("solve", spec, "--method", "lcp"), "method", "2-player")


def test_design_when_every_player_has_one_type(tmp_path):
    spec = write(tmp_path, "one.yaml", "players: [A, B]\nalternatives: [x, y]\ntypes: {A: [0], B: [0]}\n"
                 "valuations: {A: [[0, 1]], B: [[1, 0]]}\n")
    for require in ("dsic,ir_ex_post", "bic,ir_interim"):
        result = run("design", spec, "--require", require)
        assert result.exit_code == 0 and "status: optimal" in result.output, result.output


@pytest.mark.parametrize("args,fragments", [
    (["vcg", EXAMPLES / "public_project.yaml", "--pivot", "clarke", "--status-quo", "skip"],
     ["--status-quo", "only with --pivot status_quo"]),
    (["vcg", EXAMPLES / "public_project.yaml", "--pivot", "vickrey"], ["--pivot", "clarke"]),
    (["design", EXAMPLES / "design_auction.yaml", "--time-limit", "nan"], ["--time-limit", "nan"]),
    (["design", EXAMPLES / "design_auction.yaml", "--max-rows", "-1"], ["--max-rows"]),
    (["design", EXAMPLES / "design_auction.yaml", "--objective", "profit"], ["--objective"]),
    (["check", EXAMPLES / "public_project.yaml", "--backend", "dask", "--scheduler", "not a url"],
     ["scheduler", "not a url"]),
    (["check", EXAMPLES / "public_project.yaml", "--bogus"], ["--bogus"]),
    (["example", "nope"], ["NAME", "public-project"]),
])
def test_bad_options_give_one_line(args, fragments):
    assert_clean_error(run(*args), *fragments)


def test_unreachable_scheduler_fails_fast():
    start = time.perf_counter()
    assert_clean_error(run("check", EXAMPLES / "public_project.yaml", "--backend", "dask", "--scheduler",
                           "tcp://127.0.0.1:1"), "scheduler", "tcp://127.0.0.1:1")
    assert time.perf_counter() - start < 15


# ---------------------------------------------------------------------------------------- rich never eats text
def test_bracketed_labels_survive_rich(tmp_path):
    spec = write(tmp_path, "s.yaml", "players: ['[A]', B]\nalternatives: ['[x]', y]\n"
                 "types: {'[A]': ['[low]', '[high]'], B: ['[low]', '[high]']}\n"
                 "valuations: {'[A]': [[1, 0], [0, 1]], B: [[1, 0], [0, 1]]}\n"
                 "mechanism: {kind: direct, decision: [[0, 1], [0, 1]], "
                 "transfers: [[[0, 0], [0, 0]], [[0, 0], [0, 0]]]}\n")
    result = run("vcg", spec)
    for text in ("[A]", "[x]", "[low]", "m [A]"):
        assert text in result.output, text
    bad = write(tmp_path, "bad.yaml", "players: ['[bold]x']\nalternatives: [a]\ntypes: {'[bold]x': [1]}\n"
                "valuations: {'[bold]y': [[0]]}\n")
    assert "[bold]" in assert_clean_error(run("check", bad), "valuations")


def test_bracketed_labels_in_witnesses(tmp_path):
    spec = write(tmp_path, "s.yaml", "players: [A, B]\nalternatives: [x, y]\n"
                 "types: {A: ['[low]', '[high]'], B: ['[low]', '[high]']}\n"
                 "valuations: {A: [[0, 1], [0, 1]], B: [[0, 1], [0, 1]]}\n"
                 "mechanism: {kind: direct, decision: [[0, 1], [0, 1]], "
                 "transfers: [[[0, 0], [0, 0]], [[0, 0], [0, 0]]]}\n")
    result = run("check", spec)
    assert result.exit_code == 0, result.output
    assert "[low]" in result.output and "[high]" in result.output


def test_pip_extra_keeps_its_brackets(monkeypatch):
    from mechdesign.errors import MechDesignError
    from mechdesign.games import gambit

    assert "mechdesign[gambit]" in run("export", "--help").output

    def missing():
        raise MechDesignError("this feature needs pygambit, an optional dependency: pip install 'mechdesign[gambit]'")

    monkeypatch.setattr(gambit, "_pygambit", missing)
    result = run("export", EXAMPLES / "first_price_game.yaml", "--efg", "/tmp/never-written.efg")
    assert "pip install 'mechdesign[gambit]'" in assert_clean_error(result)


def test_flags_are_shown_without_a_type():
    text = run("agv", "--help").output
    assert "<bool>" not in text and "--allow-correlated / --no-allow-correlated" in text
    assert "<bool>" not in run("design", "--help").output


def test_example_names_with_underscores():
    a, b = run("example", "public_project"), run("example", "public-project")
    assert a.exit_code == b.exit_code == 0 and a.output == b.output
