"""The simple baseline of the audit benchmarks: DSIC + BIC of a stored mechanism as one fused numba loop.

Deterministic decision, private values, independent prior, no witnesses' bookkeeping
beyond the worst (player, true type, report, others' profile): what a careful user
would write by hand in about forty lines. It is not part of mechdesign; the benchmarks
run it on the same arrays to show what the machine allows. Its BIC sums are sequential
(not numpy's pairwise), so its worst BIC gain may differ from mechdesign's in the last
bits; the DSIC gains are computed with the same operations and agree exactly.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _player(decision, money, u, weights):
    """Player i's worst DSIC gain (first in (o, t, r) order) and BIC table, decision/money (pre, k, post)."""
    pre, k, post = decision.shape
    best, where = -np.inf, (0, 0, 0)
    lottery = np.zeros((k, u.shape[1]))
    expected_money = np.zeros(k)
    for p in range(pre):
        for q in range(post):
            o = p * post + q
            w = weights[o]
            for t in range(k):
                base = u[t, decision[p, t, q]] + money[p, t, q]
                for r in range(k):
                    gain = (u[t, decision[p, r, q]] + money[p, r, q]) - base
                    if gain > best:
                        best, where = gain, (o, t, r)
                lottery[t, decision[p, t, q]] += w      # row t of the loop = report t
                expected_money[t] += w * money[p, t, q]
    table = u @ lottery.T + expected_money[None, :]     # U[t, r]
    bic = table - np.diag(table).copy().reshape(k, 1)
    return best, where, bic


def audit(decision: np.ndarray, transfers: np.ndarray, valuations: list, marginals: list) -> dict:
    """Worst DSIC and BIC gains (and where) of a stored deterministic mechanism."""
    n = transfers.shape[-1]
    shape = decision.shape
    out = {"dsic": (-np.inf, None), "bic": (-np.inf, None)}
    for i in range(n):
        pre, k, post = int(np.prod(shape[:i])), shape[i], int(np.prod(shape[i + 1:]))
        weights = np.ones(1)
        for j in range(n):
            if j != i:
                weights = np.multiply.outer(weights, marginals[j]).ravel()
        gain, (o, t, r), bic = _player(decision.reshape(pre, k, post), transfers[..., i].reshape(pre, k, post),
                                       np.ascontiguousarray(valuations[i]), weights)
        if gain > out["dsic"][0]:
            out["dsic"] = (gain, (i, t, r, o))
        bic[np.asarray(marginals[i]) <= 0] = -np.inf
        flat = int(np.argmax(bic))
        if bic.flat[flat] > out["bic"][0]:
            out["bic"] = (float(bic.flat[flat]), (i, *np.unravel_index(flat, bic.shape)))
    return out
