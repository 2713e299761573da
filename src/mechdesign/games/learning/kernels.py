"""Compiled (numba) inner loops of the learning engine: the entropic step and the per-iteration measures.

The same arithmetic as the numpy code of :mod:`~mechdesign.games.learning.dynamics`
(:func:`~mechdesign.games.learning.dynamics.softmax_rows`) and of the engine's
measures, as plain loops over one ``(k, m)`` strategy. What makes them faster
than numpy is not the loops but skipping work numpy cannot skip: in a learned
auction most of a row's dual variables lie hundreds of units below the row's
maximum, where ``exp`` underflows to zero (and, just above the underflow, to
slow subnormal numbers), so the kernel writes 0 there without calling ``exp``.
A probability below ``exp(-UNDERFLOW)`` ≈ 1e-304 is set to 0 exactly; that
changes any expected utility by less than 1e-300 times the payoffs.

The engine switches to these kernels after :data:`COMPILED_AFTER` iterations
of a run, or from the start once this module has been imported (so short runs
never pay for importing numba, and the compilation, a few seconds the first
time, is cached on disk afterwards).
"""

import numpy as np
from numba import njit

#: Dual variables more than this below their row's maximum get probability exactly 0.
UNDERFLOW = 700.0


@njit(cache=True)
def softmax_into(y, out):
    """``out = softmax(y)`` row by row, without changing ``y``."""
    k, m = y.shape
    for t in range(k):
        top = -np.inf
        for b in range(m):
            if y[t, b] > top:
                top = y[t, b]
        total = 0.0
        for b in range(m):
            d = y[t, b] - top
            if d > -UNDERFLOW:
                e = np.exp(d)
                out[t, b] = e
                total += e
            else:
                out[t, b] = 0.0
        inv = 1.0 / total
        for b in range(m):
            out[t, b] *= inv


@njit(cache=True)
def entropic_dual_step(y, u, eta, out):
    """``y += eta * u`` and ``out = softmax(y)`` row by row (``y``, ``u``, ``out``: ``(k, m)``)."""
    k, m = y.shape
    for t in range(k):
        for b in range(m):
            y[t, b] += eta * u[t, b]
    softmax_into(y, out)


@njit(cache=True)
def gaps(s, u, w):
    """``(epsilon, utility, best)`` of one agent: the largest interim gain over types of positive weight
    ``w``, the ex-ante utility ``Σ_t w_t s_t·u_t`` and that of a best response ``Σ_t w_t max_b u_tb``."""
    k, m = s.shape
    eps = 0.0
    util = 0.0
    best_total = 0.0
    for t in range(k):
        if w[t] <= 0.0:
            continue
        best = -np.inf
        current = 0.0
        for b in range(m):
            x = u[t, b]
            if x > best:
                best = x
            current += s[t, b] * x
        if best - current > eps:
            eps = best - current
        util += w[t] * current
        best_total += w[t] * best
    return eps, util, best_total
