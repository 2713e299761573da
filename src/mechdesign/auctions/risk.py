"""Risk attitudes of bidders: constant relative risk aversion (CRRA).

A bidder with ``risk_aversion=rho`` evaluates a money gain ``x`` by ``u(x) = x**rho``
(Krishna, *Auction Theory*, 2nd ed., §4.1), ``0 < rho <= 1``; ``rho = 1`` is risk
neutrality. Losses (an all-pay bid or an entry fee that is not recovered) are valued by
the odd extension ``u(x) = -(-x)**rho``, so ``u`` is increasing on the whole line and
``u(0) = 0`` (staying out is worth nothing). Values stay in money: revenue and welfare
are unaffected by ``rho``; only the bidders' choices are.
"""

from __future__ import annotations

import math

import numpy as np

from mechdesign.errors import SpecError

__all__ = ["check_risk_aversion", "crra"]


def check_risk_aversion(rho) -> float | None:
    """Validate ``risk_aversion``: ``None`` (risk neutral) or a number in ``(0, 1]``.

    ``1`` is returned as ``None`` (risk neutrality takes the linear fast paths).
    """
    if rho is None:
        return None
    if isinstance(rho, bool):
        raise SpecError(f"risk_aversion: expected a number rho in (0, 1] with u(x) = x**rho (got {rho!r})")
    try:
        val = float(rho)
    except (TypeError, ValueError):
        raise SpecError(
            f"risk_aversion: expected a number rho in (0, 1] with u(x) = x**rho (got {rho!r})"
        ) from None
    if not (math.isfinite(val) and 0.0 < val <= 1.0):
        raise SpecError(f"risk_aversion: expected a number rho in (0, 1] with u(x) = x**rho (got {val:g})")
    return None if val == 1.0 else val


def crra(x, rho: float | None):
    """``u(x) = sign(x) |x|**rho`` elementwise (the identity when ``rho`` is ``None``)."""
    x = np.asarray(x, dtype=float)
    if rho is None:
        return x
    return np.sign(x) * np.abs(x) ** rho
