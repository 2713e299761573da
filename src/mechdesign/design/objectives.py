"""Objectives of the design LP as linear coefficients on (p, m).

Names follow ``docs/conventions.md``: ``revenue`` = −E[Σ_i m_i] (maximised), ``welfare`` =
E[Σ_i u_i(x, θ)] (maximised), ``deficit`` = E[Σ_i m_i] (the designer's expected
subsidy, minimised). A callable ``objective(env)`` returns a pair of arrays
``(c_decision, c_transfers)`` of shapes ``(k_1..k_N, |X|)`` and
``(k_1..k_N, N)`` (either may be None); Σ c_decision·p + Σ c_transfers·m is
maximised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.model.environment import Environment

#: Objective names accepted by :func:`mechdesign.design`.
OBJECTIVES = ("revenue", "welfare", "deficit")


@dataclass(frozen=True)
class Objective:
    """Coefficients of an objective over the profiles (flattened in C order)."""

    name: str
    decision: np.ndarray | None      # (n_profiles, |X|)
    transfers: np.ndarray | None     # (n_profiles, N)
    maximize: bool

    def value(self, decision: np.ndarray, transfers: np.ndarray) -> float:
        """The objective at a mechanism's decision (lottery) and transfers arrays."""
        total = 0.0
        if self.decision is not None:
            total += float(np.sum(self.decision * decision.reshape(self.decision.shape)))
        if self.transfers is not None:
            total += float(np.sum(self.transfers * transfers.reshape(self.transfers.shape)))
        return total


def objective_coefficients(env: Environment, objective: Any) -> Objective:
    """Validate ``objective`` and return its coefficients.

    Raises
    ------
    SpecError
        For an unknown name (the message lists the allowed ones) or a callable
        returning arrays of the wrong shape.
    """
    n, N, X = env.n_profiles, env.n_players, env.n_alternatives
    if callable(objective) and not isinstance(objective, str):
        return _from_callable(env, objective)
    if not isinstance(objective, str) or objective not in OBJECTIVES:
        raise v.fail("objective", f"one of {list(OBJECTIVES)} or a callable objective(env) -> "
                     "(c_decision, c_transfers)", repr(objective))
    name = objective
    P = np.asarray(env.prior.joint(), dtype=float).ravel()
    if name == "welfare":
        return Objective("welfare", P[:, None] * env.total_valuation().reshape(n, X), None, True)
    money = np.repeat(P[:, None], N, axis=1)
    if name == "revenue":
        return Objective("revenue", None, -money, True)
    return Objective("deficit", None, money, False)


def _from_callable(env: Environment, func: Callable[..., Any]) -> Objective:
    n, N, X = env.n_profiles, env.n_players, env.n_alternatives
    out = v.call_user(func, (env,), "objective", "a callable objective(env) -> (c_decision, c_transfers)")
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise v.fail("objective", "a callable returning a pair (c_decision, c_transfers)", type(out).__name__)
    c_dec, c_money = out
    if c_dec is None and c_money is None:
        raise v.fail("objective", "at least one coefficient array", "(None, None)")
    dec = None if c_dec is None else v.float_array(c_dec, "objective: c_decision", shape=(*env.n_types, X))
    money = None if c_money is None else v.float_array(c_money, "objective: c_transfers", shape=(*env.n_types, N))
    name = getattr(func, "__name__", "custom")
    return Objective(name, None if dec is None else dec.reshape(n, X),
                     None if money is None else money.reshape(n, N), True)
