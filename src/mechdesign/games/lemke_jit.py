"""The pivot loop of :class:`~mechdesign.games.lemke.KernelLemke`, compiled with numba.

The same steps, tolerances and tie-breaking as the numpy methods of
``KernelLemke`` (entering column, ratio test, lexicographic ties, rank-one
update of the kernel columns G), as plain loops: a pivot then costs two
passes over the n × K block of G and little else, where much of the numpy
loop's time goes to calling numpy (``benchmarks/bench_bne.py --paths`` prints
the cost per pivot of both; 2–3× at n = 840).
Paths switch to it after :data:`~mechdesign.games.lemke.COMPILED_AFTER`
pivots, so small games never pay for importing numba (nor for a
few seconds of compilation the first time, cached on disk afterwards).
"""

import numpy as np
from numba import njit

RUNNING, SUCCESS, RAY = 0, 1, 2


@njit(cache=True)
def _lexmin(rows, nrows, col, rhs, G, K, R, basis, n, zero_tol):
    """:meth:`KernelLemke.lexmin` over ``rows[:nrows]`` (same tolerances, same order of tests)."""
    vmax = 0.0
    for k in range(nrows):
        v = abs(rhs[rows[k]])
        if v > vmax:
            vmax = v
    tol_v = zero_tol * max(1.0, vmax)
    best = np.inf
    ratios = np.empty(nrows)
    for k in range(nrows):
        i = rows[k]
        v = rhs[i]
        if abs(v) <= tol_v:
            v = 0.0
        ratios[k] = v / col[i]
        if ratios[k] < best:
            best = ratios[k]
    cut = best + zero_tol * max(1.0, abs(best))
    tied = np.empty(nrows, dtype=np.int64)
    nt = 0
    for k in range(nrows):
        if ratios[k] <= cut:
            tied[nt] = rows[k]
            nt += 1
    if nt == 1:
        return tied[0]
    # lexicographic: rows of B^-1 divided by the column entry
    block = np.zeros((nt, n))
    bmax = 0.0
    for t in range(nt):
        p = tied[t]
        for j in range(K):
            block[t, R[j]] = G[p, j]
        var = basis[p]
        if var < n:
            block[t, var] = 1.0
        for c in range(n):
            a = abs(block[t, c])
            if a > bmax:
                bmax = a
    btol = zero_tol * max(1.0, bmax)
    for t in range(nt):
        cp = col[tied[t]]
        for c in range(n):
            if abs(block[t, c]) <= btol:
                block[t, c] = 0.0
            else:
                block[t, c] /= cp
    alive = np.ones(nt, dtype=np.bool_)
    remaining = nt
    for c in range(n):
        if remaining <= 1:
            break
        low = np.inf
        high = -np.inf
        for t in range(nt):
            if alive[t]:
                v = block[t, c]
                if v < low:
                    low = v
                if v > high:
                    high = v
        if high - low > zero_tol * max(1.0, abs(low)):
            lim = low + zero_tol * max(1.0, abs(low))
            for t in range(nt):
                if alive[t] and block[t, c] > lim:
                    alive[t] = False
                    remaining -= 1
    for t in range(nt):
        if alive[t]:
            return tied[t]
    return tied[0]


@njit(cache=True)
def advance(neg_columns, neg_d, G, R, column_of_row, position_of_w, basis, rhs, state, budget,
            pivot_tol, rel_tol, zero_tol):
    """At most ``budget`` pivots of a :class:`~mechdesign.games.lemke.KernelLemke` path, in place.

    ``state`` holds (K, entering variable, pivots) and is updated; returns
    ``RUNNING`` (budget spent), ``SUCCESS`` (z0 left the basis) or ``RAY``.
    """
    n = rhs.size
    z0 = 2 * n
    K, entering, pivots = state[0], state[1], state[2]
    column = np.empty(n)
    rows = np.empty(n, dtype=np.int64)
    row = np.empty(n + 1)
    status = RUNNING
    for _ in range(budget):
        if entering < n:
            c = column_of_row[entering]
            for i in range(n):
                column[i] = G[i, c]
        else:
            if entering < 2 * n:
                a = neg_columns[entering - n]
            else:
                a = neg_d
            for i in range(n):
                column[i] = 0.0
            for j in range(K):
                aj = a[R[j]]
                if aj != 0.0:
                    for i in range(n):
                        column[i] += G[i, j] * aj
            for i in range(n):
                p = position_of_w[i]
                if p >= 0:
                    column[p] += a[i]
        if pivots == 0:
            for i in range(n):
                rows[i] = i
                column[i] = -column[i]
            r = _lexmin(rows, n, column, rhs, G, K, R, basis, n, zero_tol)
            for i in range(n):
                column[i] = -column[i]
        else:
            cmax = 0.0
            for i in range(n):
                a_ = abs(column[i])
                if a_ > cmax:
                    cmax = a_
            thr = max(pivot_tol, rel_tol * cmax)
            nr = 0
            for i in range(n):
                if column[i] > thr:
                    rows[nr] = i
                    nr += 1
            if nr == 0:
                status = RAY
                break
            r = _lexmin(rows, nr, column, rhs, G, K, R, basis, n, zero_tol)
        pivot = column[r]
        value = rhs[r] / pivot
        if K:
            for j in range(K):
                row[j] = G[r, j] / pivot
            for j in range(K):
                rj = row[j]
                if rj != 0.0:
                    for i in range(n):
                        G[i, j] -= column[i] * rj
            for j in range(K):
                G[r, j] = row[j]
        for i in range(n):
            rhs[i] -= column[i] * value
        rhs[r] = value
        leaving = basis[r]
        basis[r] = entering
        if leaving < n:
            for i in range(n):
                G[i, K] = -column[i] / pivot
            G[r, K] = 1.0 / pivot
            R[K] = leaving
            column_of_row[leaving] = K
            position_of_w[leaving] = -1
            K += 1
        if entering < n:
            c = column_of_row[entering]
            K -= 1
            if c != K:
                for i in range(n):
                    G[i, c] = G[i, K]
                R[c] = R[K]
                column_of_row[R[c]] = c
            column_of_row[entering] = -1
            position_of_w[entering] = r
        pivots += 1
        if leaving == z0:
            status = SUCCESS
            break
        if leaving < n:
            entering = leaving + n
        else:
            entering = leaving - n
    state[0], state[1], state[2] = K, entering, pivots
    return status
