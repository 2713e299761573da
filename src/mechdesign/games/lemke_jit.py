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

from mechdesign.games.priors import regret_matching_prior

RUNNING, SUCCESS, RAY = 0, 1, 2


@njit(cache=True)
def _lexmin(rows, nrows, col, rhs, G, K, R, basis, n, zero_tol, ratios, tied):
    """:meth:`KernelLemke.lexmin` over ``rows[:nrows]`` (same tolerances, same order of tests).

    ``ratios`` and ``tied`` are work arrays of size n; nothing is allocated
    unless the ratio test ties (rare but for the first pivots).
    """
    vmax = 0.0
    for k in range(nrows):
        v = abs(rhs[rows[k]])
        if v > vmax:
            vmax = v
    tol_v = zero_tol * max(1.0, vmax)
    best = np.inf
    for k in range(nrows):
        i = rows[k]
        v = rhs[i]
        if abs(v) <= tol_v:
            v = 0.0
        ratios[k] = v / col[i]
        if ratios[k] < best:
            best = ratios[k]
    cut = best + zero_tol * max(1.0, abs(best))
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
def advance(neg_columns, neg_d, q, G, R, column_of_row, position_of_w, basis, rhs, state, budget,
            refactor_every, pivot_tol, rel_tol, zero_tol):
    """At most ``budget`` pivots of a :class:`~mechdesign.games.lemke.KernelLemke` path, in place.

    Refactorises the basis every ``refactor_every`` pivots and when the path
    ends, as :meth:`KernelLemke.advance` does. ``state`` holds (K, entering
    variable, pivots) and is updated; returns ``RUNNING`` (budget spent),
    ``SUCCESS`` (z0 left the basis) or ``RAY``.
    """
    while budget > 0:
        step = min(budget, refactor_every - state[2] % refactor_every)
        before = state[2]
        code = _pivots(neg_columns, neg_d, G, R, column_of_row, position_of_w, basis, rhs, state, step,
                       pivot_tol, rel_tol, zero_tol)
        budget -= state[2] - before
        if code == SUCCESS:
            refactorize(neg_columns, neg_d, q, G, R, state[0], position_of_w, basis, rhs)
            return code
        if code == RAY:
            return code
        if state[2] % refactor_every == 0:
            refactorize(neg_columns, neg_d, q, G, R, state[0], position_of_w, basis, rhs)
    return RUNNING


@njit(cache=True)
def refactorize(neg_columns, neg_d, q, G, R, K, position_of_w, basis, rhs):
    """Recompute G (the non-unit columns of B⁻¹) and the basic solution from the basis, in place.

    With A the n × K columns of the basic z variables (positions ``p``) and R
    the rows whose w is nonbasic: B⁻¹ restricted to the columns R is
    ``(A[R])⁻¹`` on the rows p and ``−A[w] (A[R])⁻¹`` on the rows of the basic w.
    Plain loops, no BLAS: BLAS threads contending with other processes made
    each refactorisation cost as much as a hundred pivots.
    """
    n = rhs.size
    if K == 0:
        for i in range(n):
            rhs[i] = q[i]
        return
    z_positions = np.empty(K, dtype=np.int64)
    c = 0
    for p in range(n):
        if basis[p] >= n:
            z_positions[c] = p
            c += 1
    A = np.empty((K, n)).T                                  # n × K, columns contiguous
    for c in range(K):
        var = basis[z_positions[c]]
        a = neg_columns[var - n] if var < 2 * n else neg_d
        for i in range(n):
            A[i, c] = a[i]
    kernel = np.empty((K, K))
    for r in range(K):
        for c in range(K):
            kernel[r, c] = A[R[r], c]
    inverse = _inverse(kernel)
    product = np.zeros((K, n)).T                            # A @ inverse, n × K, columns contiguous
    for j in range(K):
        for c in range(K):
            coefficient = inverse[c, j]
            if coefficient != 0.0:
                for i in range(n):
                    product[i, j] += A[i, c] * coefficient
    for c in range(K):
        p = z_positions[c]
        for j in range(K):
            G[p, j] = inverse[c, j]
    for i in range(n):
        p = position_of_w[i]
        if p >= 0:
            for j in range(K):
                G[p, j] = -product[i, j]
    for p in range(n):
        rhs[p] = 0.0
    for j in range(K):
        qj = q[R[j]]
        if qj != 0.0:
            for p in range(n):
                rhs[p] += G[p, j] * qj
    for i in range(n):
        p = position_of_w[i]
        if p >= 0:
            rhs[p] += q[i]


@njit(cache=True)
def _inverse(matrix):
    """Inverse by Gauss–Jordan elimination with partial pivoting (LinAlgError when a pivot is zero)."""
    K = matrix.shape[0]
    work = matrix.copy()
    inverse = np.zeros((K, K))
    for i in range(K):
        inverse[i, i] = 1.0
    for col in range(K):
        pivot_row = col
        largest = abs(work[col, col])
        for r in range(col + 1, K):
            if abs(work[r, col]) > largest:
                largest = abs(work[r, col])
                pivot_row = r
        if largest == 0.0:
            raise np.linalg.LinAlgError("Matrix is singular to machine precision.")
        if pivot_row != col:
            for c in range(K):
                work[col, c], work[pivot_row, c] = work[pivot_row, c], work[col, c]
                inverse[col, c], inverse[pivot_row, c] = inverse[pivot_row, c], inverse[col, c]
        scale = 1.0 / work[col, col]
        for c in range(K):
            work[col, c] *= scale
            inverse[col, c] *= scale
        for r in range(K):
            if r != col:
                factor = work[r, col]
                if factor != 0.0:
                    for c in range(col, K):
                        work[r, c] -= factor * work[col, c]
                    for c in range(K):
                        inverse[r, c] -= factor * inverse[col, c]
    return inverse


@njit(cache=True)
def _pivots(neg_columns, neg_d, G, R, column_of_row, position_of_w, basis, rhs, state, budget,
            pivot_tol, rel_tol, zero_tol):
    """At most ``budget`` pivots, no refactorisation (see :func:`advance`)."""
    n = rhs.size
    z0 = 2 * n
    K, entering, pivots = state[0], state[1], state[2]
    column = np.empty(n)
    rows = np.empty(n, dtype=np.int64)
    row = np.empty(n + 1)
    ratios = np.empty(n)
    tied = np.empty(n, dtype=np.int64)
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
            r = _lexmin(rows, n, column, rhs, G, K, R, basis, n, zero_tol, ratios, tied)
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
            r = _lexmin(rows, nr, column, rhs, G, K, R, basis, n, zero_tol, ratios, tied)
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


@njit(cache=True)
def _rescale(u):
    """Payoffs mapped to [0, 1] (all zero when constant), as :func:`.lemke.bayesian_lcp` does."""
    low, high = u.min(), u.max()
    out = np.zeros(u.shape)
    if high > low:
        out[...] = (u - low) / (high - low)
    return out


@njit(cache=True)
def bayesian_lcp(payoff_1, payoff_2, belief_1, belief_2):
    """:func:`.lemke.bayesian_lcp` compiled: (M, q) of the sequence-form LCP (same entries)."""
    k1, k2, m1, m2 = payoff_1.shape
    n1, n2 = k1 * m1, k2 * m2
    n = n1 + n2
    size = n + k1 + k2
    r1, r2 = _rescale(payoff_1), _rescale(payoff_2)
    M = np.zeros((size, size))
    for i in range(n):
        for j in range(n):
            M[i, j] = 1.0
    for t in range(k1):
        for a in range(m1):
            for s in range(k2):
                for b in range(m2):
                    M[t * m1 + a, n1 + s * m2 + b] = belief_1[t, s] * (1.0 - r1[t, s, a, b]) + 1.0
                    M[n1 + s * m2 + b, t * m1 + a] = belief_2[s, t] * (1.0 - r2[t, s, a, b]) + 1.0
    for t in range(k1):
        for a in range(m1):
            M[n + t, t * m1 + a] = 1.0
            M[t * m1 + a, n + t] = -1.0
    for s in range(k2):
        for b in range(m2):
            M[n + k1 + s, n1 + s * m2 + b] = 1.0
            M[n1 + s * m2 + b, n + k1 + s] = -1.0
    q = np.zeros(size)
    for i in range(n, size):
        q[i] = -1.0
    return M, q


@njit(cache=True)
def tracing_path(M, q, prior, budget, refactor_every, pivot_tol, rel_tol, zero_tol):
    """Follow the tracing path of the LCP (M, q) from ``prior`` for at most ``budget`` pivots.

    One call for what small games need (no Python between the steps): the
    covering vector ``(C s⁰, 1)`` (:func:`.lemke.tracing_covering`), −Mᵀ and a
    fresh :class:`~mechdesign.games.lemke.KernelLemke` state, then the pivots.
    Returns −Mᵀ, the covering vector and the path's state arrays (a path not
    finished continues in ``KernelLemke``, pivot for pivot the same) and the
    status code.
    """
    size = q.size
    n_seq = prior.size
    covering = np.ones(size)
    for i in range(n_seq):
        total = 0.0
        for j in range(n_seq):
            total += M[i, j] * prior[j]
        covering[i] = total
    neg_columns = np.empty((size, size))
    for i in range(size):
        for j in range(size):
            neg_columns[j, i] = -M[i, j]
    neg_d = -covering
    G = np.zeros((size + 1, size)).T                       # Fortran order, as KernelLemke keeps it
    R = np.zeros(size + 1, dtype=np.int64)
    column_of_row = np.full(size, -1, dtype=np.int64)
    position_of_w = np.arange(size)
    basis = np.arange(size)
    rhs = q.copy()
    state = np.array([0, 2 * size, 0], dtype=np.int64)
    code = advance(neg_columns, neg_d, q, G, R, column_of_row, position_of_w, basis, rhs, state, budget,
                   refactor_every, pivot_tol, rel_tol, zero_tol)
    return neg_columns, covering, G, R, column_of_row, position_of_w, basis, rhs, state, code


@njit(cache=True)
def first_path(payoff_1, payoff_2, belief_1, belief_2, iterations, budget, refactor_every, pivot_tol, rel_tol,
               zero_tol):
    """The LCP and the first tracing path of ``start="tracing"``, in one call.

    The prior is regret matching's average after ``iterations`` iterations
    (:func:`.priors.regret_matching_prior`), or the uniform prior when
    ``iterations`` is 0. Returns M, q and what :func:`tracing_path` returns.
    """
    k1, k2, m1, m2 = payoff_1.shape
    M, q = bayesian_lcp(payoff_1, payoff_2, belief_1, belief_2)
    if iterations > 0:
        prior = regret_matching_prior(payoff_1, payoff_2, belief_1, belief_2, iterations)
    else:
        prior = np.empty(k1 * m1 + k2 * m2)
        prior[:k1 * m1] = 1.0 / m1
        prior[k1 * m1:] = 1.0 / m2
    neg_columns, covering, G, R, column_of_row, position_of_w, basis, rhs, state, code = tracing_path(
        M, q, prior, budget, refactor_every, pivot_tol, rel_tol, zero_tol)
    return M, q, neg_columns, covering, G, R, column_of_row, position_of_w, basis, rhs, state, code


@njit(cache=True)
def largest_gap(M, s, k1, m1, k2, m2):
    """Largest gain of an agent from deviating, in units of its player's payoff range (see :mod:`.lcp`)."""
    n1 = k1 * m1
    n = n1 + k2 * m2
    cost = np.empty(n)
    for i in range(n):
        total = 0.0
        for j in range(n):
            total += M[i, j] * s[j]
        cost[i] = total
    gap = 0.0
    for agent in range(k1 + k2):
        start, m = (agent * m1, m1) if agent < k1 else (n1 + (agent - k1) * m2, m2)
        low = np.inf
        value = 0.0
        for a in range(start, start + m):
            value += cost[a] * s[a]
            if cost[a] < low:
                low = cost[a]
        gap = max(gap, value - low)
    return gap
