"""Compiled (numba) kernel for the LLG payment integrals of :mod:`mechdesign.combinatorial.bayesian`.

Same arithmetic as ``bayesian._payment_integral`` (the numpy reference the tests
compare it with): the payment of local 1 is piecewise linear in the global's bid
g, with kinks among b1, b2, 2 b1, 2 b2 and |b1 − b2|, so the midpoint rule on the
pieces integrates it exactly.
"""

from __future__ import annotations

import numpy as np
from numba import njit

RULE_CODES = {"vcg": 0, "nearest_vcg": 1, "nearest_zero": 2, "nearest_bid": 3}


@njit(cache=True)
def _pay(code, b1, b2, g):
    if code == 0:
        return max(0.0, g - b2)
    if code == 1:
        v1 = max(0.0, g - b2)
        v2 = max(0.0, g - b1)
        return v1 + 0.5 * (g - v1 - v2)
    if code == 2:
        if g <= 2.0 * min(b1, b2):
            return 0.5 * g
        return b1 if b1 <= b2 else g - b2
    if g < b1 - b2:
        return g
    if g < b2 - b1:
        return 0.0
    return 0.5 * (b1 - b2 + g)


@njit(cache=True)
def payment_integrals(code, rows, cols, upper):
    """``out[i, j] = ∫_0^{min(rows[i] + cols[j], upper)} p1(rows[i], cols[j], g) dg``."""
    n, m = rows.size, cols.size
    out = np.empty((n, m))
    knots = np.empty(7)
    for i in range(n):
        b1 = rows[i]
        for j in range(m):
            b2 = cols[j]
            top = min(b1 + b2, upper)
            knots[0] = 0.0
            knots[1] = b1
            knots[2] = b2
            knots[3] = 2.0 * b1
            knots[4] = 2.0 * b2
            knots[5] = abs(b1 - b2)
            knots[6] = top
            for k in range(7):
                knots[k] = min(max(knots[k], 0.0), top)
            for k in range(1, 7):                      # insertion sort of 7 numbers
                x = knots[k]
                q = k - 1
                while q >= 0 and knots[q] > x:
                    knots[q + 1] = knots[q]
                    q -= 1
                knots[q + 1] = x
            total = 0.0
            for k in range(6):
                length = knots[k + 1] - knots[k]
                if length > 0.0:
                    total += length * _pay(code, b1, b2, 0.5 * (knots[k] + knots[k + 1]))
            out[i, j] = total
    return out
