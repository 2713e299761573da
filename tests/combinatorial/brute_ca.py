"""Brute-force references for combinatorial auctions (explicit enumeration; no MILP, no shared code).

Used to check winner determination, VCG and the core-selecting rules of
mechdesign.combinatorial on small instances.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import linprog


def flat_bids(bids):
    """[(bidder, frozenset bundle, price)] from {bidder: [(bundle, price)]}."""
    return [(b, frozenset(bundle), float(price)) for b, lst in bids.items() for bundle, price in lst]


def best_allocation(bids, language="xor", bidders=None):
    """Maximum welfare and one optimal set of flat bids, by enumerating every subset."""
    flat = [f for f in flat_bids(bids) if bidders is None or f[0] in bidders]
    best, best_set = 0.0, ()
    for r in range(len(flat) + 1):
        for combo in itertools.combinations(flat, r):
            names = [c[0] for c in combo]
            if language == "xor" and len(set(names)) < len(names):
                continue
            used = [i for c in combo for i in c[1]]
            if len(set(used)) < len(used):
                continue
            value = sum(c[2] for c in combo)
            if value > best + 1e-12:
                best, best_set = value, combo
    return best, best_set


def vcg(bids, language="xor"):
    """Clarke payments by n + 1 enumerations."""
    welfare, chosen = best_allocation(bids, language)
    values = {b: 0.0 for b in bids}
    for b, _, p in chosen:
        values[b] += p
    out = {}
    for b in bids:
        without, _ = best_allocation(bids, language, bidders=set(bids) - {b})
        out[b] = values[b] - (welfare - without)
    return out, values


def core_point(bids, reference, language="xor"):
    """Minimum-revenue core point nearest to ``reference`` (a dict), every coalition enumerated.

    LP (scipy linprog) for the minimum revenue, then the nearest point by Clarabel (an interior-point
    QP solver, independent of the HiGHS QP the library uses).
    """
    import clarabel
    import scipy.sparse as sp

    welfare, chosen = best_allocation(bids, language)
    names = list(bids)
    values = np.array([sum(p for b, _, p in chosen if b == name) for name in names])
    winners = [k for k, val in enumerate(values) if val > 0]
    rows, rhs = [], []
    for r in range(len(names) + 1):
        for coalition in itertools.combinations(range(len(names)), r):
            w_c, _ = best_allocation(bids, language, bidders={names[k] for k in coalition})
            row = np.array([0.0 if k in coalition else 1.0 for k in winners])
            rows.append(row)
            rhs.append(w_c - sum(values[k] for k in coalition))
    a_ub, b_ub = -np.array(rows), -np.array(rhs)
    bounds = [(0.0, values[k]) for k in winners]
    lp = linprog(np.ones(len(winners)), A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    assert lp.status == 0
    revenue = lp.fun
    ref = np.array([reference.get(names[k], 0.0) for k in winners])
    n = len(winners)
    eye = np.eye(n)
    # Clarabel's form: A x + s = b with s in the cones (zero cone: equality; non-negative: A x <= b)
    a = np.vstack([np.ones((1, n)), a_ub, -eye, eye])
    b = np.concatenate([[revenue], b_ub, np.zeros(n), [values[k] for k in winners]])
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.tol_gap_abs = settings.tol_gap_rel = settings.tol_feas = 1e-11
    solution = clarabel.DefaultSolver(sp.csc_matrix(2 * eye), -2 * ref, sp.csc_matrix(a), b,
                                      [clarabel.ZeroConeT(1), clarabel.NonnegativeConeT(a.shape[0] - 1)],
                                      settings).solve()
    assert str(solution.status) == "Solved", solution.status
    out = {name: 0.0 for name in names}
    for k, p in zip(winners, solution.x):
        out[names[k]] = float(p)
    return out, revenue
