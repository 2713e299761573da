"""Solver options from specs and the CLI: an allow-list (issue "Trust" §3)."""

import math

import pytest

from mechdesign.errors import SpecError
from mechdesign.io.options import AUCTION_OPTIONS, DESIGN_OPTIONS, check_options
from mechdesign.io.spec import parse_spec

FILE_WRITING = ["write_solution_to_file", "solution_file", "log_file", "write_model_to_file", "write_model_file",
                "write_presolved_model_file", "write_iis_model_file", "write_basis_file", "read_basis_file",
                "read_solution_file"]


@pytest.mark.parametrize("name", FILE_WRITING)
def test_no_option_that_reads_or_writes_files(name):
    assert name not in DESIGN_OPTIONS
    with pytest.raises(SpecError, match=r"design.options\['" + name + r"'\]: an option among \[.*'time_limit'"):
        check_options({name: "/tmp/x"}, DESIGN_OPTIONS, "design.options")


def test_allowed_options_are_normalised():
    got = check_options({"time_limit": 5, "threads": 2.0, "presolve": "off", "mip_rel_gap": 1e-6,
                         "certificate": False}, DESIGN_OPTIONS, "design.options")
    assert got == {"time_limit": 5, "threads": 2, "presolve": "off", "mip_rel_gap": 1e-6, "certificate": False}
    assert check_options(None, DESIGN_OPTIONS, "x") == {}


@pytest.mark.parametrize("options,message", [
    ({"time_limit": math.nan}, "time_limit'\\]: a finite number >= 0 \\(got nan\\)"),
    ({"time_limit": -1}, "a finite number >= 0"),
    ({"time_limit": "10"}, "a finite number"),
    ({"threads": 2.5}, "an integer"),
    ({"threads": True}, "an integer"),
    ({"presolve": "maybe"}, "one of \\['off', 'choose', 'on'\\]"),
    ({"certificate": "no"}, "true or false"),
    ({"symmetry": 1}, "true or false"),
])
def test_bad_values(options, message):
    with pytest.raises(SpecError, match=message):
        check_options(options, DESIGN_OPTIONS, "design.options")
    with pytest.raises(SpecError):
        check_options([("time_limit", 1)], DESIGN_OPTIONS, "design.options")


@pytest.mark.parametrize("solver,message", [({"bogus": 1}, "an option among"), ({"steps": math.nan}, "an integer"),
                                            ({"steps": 1e12}, "an integer in \\[4, 1e\\+07\\]")])
def test_auction_solver_options(solver, message):
    with pytest.raises(SpecError, match=message):
        check_options(solver, AUCTION_OPTIONS, "auction.solver")


def test_spec_options_are_checked_at_load():
    data = {"players": ["A"], "alternatives": ["x"], "types": {"A": [1]}, "valuations": {"A": [[0]]},
            "design": {"options": {"solution_file": "/etc/passwd", "write_solution_to_file": True}}}
    with pytest.raises(SpecError, match="design.options"):
        parse_spec(data)
    data["design"]["options"] = {"time_limit": 3}
    assert parse_spec(data).design.solver_options() == {"time_limit": 3}
