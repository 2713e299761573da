"""Allow-lists of solver options that a spec file or a command-line flag may set.

A spec is data: it may tune a solver (time limit, gaps, threads, presolve, ...)
but never make it read or write files or change what is printed. So every
``options:``/``solver:`` mapping that comes from a spec or the CLI goes through
:func:`check_options` with one of the tables below; a name that is not listed
is a :class:`~mechdesign.errors.SpecError` that lists the allowed names, and a
value of the wrong kind (a string for a number, ``nan``, ``"yes"`` for a
boolean) is one too. The Python API (``md.design(..., options=...)``) accepts
any HiGHS option its caller writes explicitly; nothing a spec says reaches the
solver unchecked.

To allow a new option from specs, add an :class:`Option` to the right table
(e.g. ``DESIGN_OPTIONS["my_knob"] = Option("int", low=1)``); file-writing
options (``solution_file``, ``write_solution_to_file``, ``log_file``,
``write_model_file``, ...) must never be added.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mechdesign import _validation as v

__all__ = ["Option", "check_options", "DESIGN_OPTIONS", "AUCTION_OPTIONS", "LEARNING_OPTIONS"]


@dataclass(frozen=True)
class Option:
    """What values one allowed option takes.

    Attributes
    ----------
    kind : {"number", "int", "bool", "choice", "range"}
        A ``"range"`` is a pair ``[low, high]`` of finite numbers with low < high.
    low, high : float, optional
        Inclusive bounds for numbers and ints.
    choices : tuple of str
        The allowed strings of a ``"choice"``.
    """

    kind: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()

    def expected(self) -> str:
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            return f"one of {list(self.choices)}"
        if self.kind == "range":
            return "a pair [low, high] of finite numbers with low < high"
        word = "an integer" if self.kind == "int" else "a finite number"
        if self.low is not None and self.high is not None:
            return f"{word} in [{self.low:g}, {self.high:g}]"
        if self.low is not None:
            return f"{word} >= {self.low:g}"
        return word

    def validate(self, value: Any, name: str) -> Any:
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise v.fail(name, self.expected(), repr(value))
            return value
        if self.kind == "choice":
            return v.choice(value, name, self.choices)
        if self.kind == "range":
            if (not isinstance(value, (list, tuple)) or len(value) != 2
                    or any(isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) for x in value)
                    or not value[0] < value[1]):
                raise v.fail(name, self.expected(), repr(value))
            return [float(x) for x in value]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise v.fail(name, self.expected(), repr(value))
        if self.kind == "int":
            if isinstance(value, float):
                if not (math.isfinite(value) and value == int(value)):
                    raise v.fail(name, self.expected(), repr(value))
                value = int(value)
        elif not math.isfinite(value):
            raise v.fail(name, self.expected(), repr(value))
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise v.fail(name, self.expected(), repr(value))
        return value


_ON_OFF = ("off", "choose", "on")
_TOL = Option("number", low=0.0)
_INT_LIMIT = Option("int", low=0, high=2**31 - 1)

#: Options of ``design`` a spec's ``design.options`` or the CLI may set: HiGHS knobs that change
#: nothing but how (long) the LP is solved, and mechdesign's own (see :func:`mechdesign.design`).
DESIGN_OPTIONS: dict[str, Option] = {
    "time_limit": Option("number", low=0.0),
    "threads": Option("int", low=0, high=1024),
    "presolve": Option("choice", choices=_ON_OFF),
    "solver": Option("choice", choices=("choose", "simplex", "ipm", "pdlp")),
    "parallel": Option("choice", choices=_ON_OFF),
    "run_crossover": Option("choice", choices=_ON_OFF),
    "simplex_strategy": Option("int", low=0, high=4),
    "random_seed": Option("int", low=0, high=2**31 - 1),
    "primal_feasibility_tolerance": _TOL,
    "dual_feasibility_tolerance": _TOL,
    "ipm_optimality_tolerance": _TOL,
    "mip_feasibility_tolerance": _TOL,
    "mip_rel_gap": _TOL,
    "mip_abs_gap": _TOL,
    "simplex_iteration_limit": _INT_LIMIT,
    "ipm_iteration_limit": _INT_LIMIT,
    "mip_max_nodes": _INT_LIMIT,
    # mechdesign's own
    "atol": _TOL,
    "rtol": _TOL,
    "certificate": Option("bool"),
    "max_certificate_rows": Option("int", low=1, high=10**7),
    "symmetry": Option("bool"),
    "max_rounds": Option("int", low=1, high=10**6),
    "max_columns": Option("int", low=1, high=10**7),
}

#: Options of the asymmetric first-price solver an ``auction.solver`` section may set
#: (see :func:`mechdesign.auctions.asymmetric.solve_first_price`). The bounds keep the
#: work finite; :mod:`mechdesign.io.memory` checks the memory they imply.
AUCTION_OPTIONS: dict[str, Option] = {
    "steps": Option("int", low=4, high=10**7),
    "depth": Option("number", low=1.0, high=700.0),
    "batch": Option("int", low=2, high=10**5),
    "xtol": Option("number", low=0.0, high=1.0),
    "table": Option("int", low=16, high=10**8),
}

#: Options of ``method: learn`` an ``auction.learning`` section may set (see
#: :func:`mechdesign.auctions.learned.learn_equilibrium`); the grid sizes are checked by
#: :func:`mechdesign.io.memory.grid_game_bytes`.
LEARNING_OPTIONS: dict[str, Option] = {
    "method": Option("choice", choices=("auto", "dual_averaging", "mirror_ascent", "frank_wolfe", "fictitious_play")),
    "iterations": Option("int", low=1, high=10**7),
    "tol": _TOL,
    "stop": Option("choice", choices=("epsilon", "relative_loss")),
    "seed": Option("int", low=0, high=2**32 - 1),
    "init": Option("choice", choices=("uniform", "random")),
    "step": Option("number", low=1e-12, high=1e12),
    "regularizer": Option("choice", choices=("entropic", "euclidean")),
    "polish": Option("bool"),
    "time_limit": Option("number", low=0.0),
    "bids": Option("range"),
    "zoom": Option("bool"),
    "symmetric": Option("bool"),
    "ties": Option("choice", choices=("auto", "lose", "random")),
    "bid_function": Option("choice", choices=("auto", "monotone", "interpolated", "step")),
    "loss_grid": Option("int", low=16, high=10**6),
}


def check_options(options: Any, allowed: Mapping[str, Option], name: str) -> dict[str, Any]:
    """Validate a mapping of options from a spec or the CLI against an allow-list.

    Parameters
    ----------
    options : mapping or None
    allowed : mapping of str to Option
        E.g. :data:`DESIGN_OPTIONS`.
    name : str
        Where the options come from, for messages (e.g. ``"design.options"``).

    Returns
    -------
    dict
        The options with normalised values (integral floats of ``int`` options
        become ints).

    Raises
    ------
    SpecError
        An option not in ``allowed`` (the message lists the allowed names) or
        a value of the wrong kind.
    """
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise v.fail(name, "a mapping of option names to values", type(options).__name__)
    out: dict[str, Any] = {}
    for key, value in options.items():
        if not isinstance(key, str) or key not in allowed:
            raise v.fail(f"{name}[{key!r}]", f"an option among {sorted(allowed)}", f"unknown option {key!r}")
        out[key] = allowed[key].validate(value, f"{name}[{key!r}]")
    return out
