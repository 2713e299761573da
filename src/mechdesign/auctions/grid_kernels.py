"""Compiled (numba) win probabilities of :class:`~mechdesign.auctions.grid_single_item.SingleItemGame`.

The formula of that module's docstring, for every agent in one call, as plain
loops: the numpy version spends most of its time calling numpy on arrays of one
bid grid's length (a few dozen to a few hundred numbers), once per opposing
class and quadrature node. The game switches to this kernel after
:data:`~mechdesign.auctions.grid_single_item.COMPILED_AFTER` utility
evaluations, or from the start once it has been imported (compiled once, cached
on disk). :func:`one_class_dual_averaging` runs whole iterations of entropic dual
averaging for one symmetric class in compiled code (the engine's fused path,
:meth:`~mechdesign.games.learning.LearningGame.fused_dual_averaging`).
"""

import numpy as np
from numba import njit

from mechdesign.games.learning.kernels import gaps, softmax_into


@njit(cache=True)
def win_probabilities(L, E, opponents, split, nodes, weights, out):
    """``out[a, j]``: probability that agent ``a``'s bid ``j`` wins.

    ``L[c, j]`` is the probability that one class-``c`` bid is strictly below bid ``j``,
    ``E[c, j]`` that it equals it; ``opponents[a, c]`` the number of class-``c``
    opponents of agent ``a``. Ties lose (``split`` False) or are split uniformly:
    ``Σ_q weights[q] Π_c (L[c, j] + nodes[q] E[c, j]) ** opponents[a, c]``.
    """
    n_agents, n_classes = opponents.shape
    m = L.shape[1]
    for a in range(n_agents):
        for j in range(m):
            if not split:
                p = 1.0
                for c in range(n_classes):
                    k = opponents[a, c]
                    if k > 0:
                        p *= L[c, j] ** k
                out[a, j] = p
            else:
                total = 0.0
                for q in range(nodes.size):
                    p = 1.0
                    for c in range(n_classes):
                        k = opponents[a, c]
                        if k > 0:
                            p *= (L[c, j] + nodes[q] * E[c, j]) ** k
                    total += weights[q] * p
                out[a, j] = total


@njit(cache=True)
def _one_class_utilities(sigma, w, A, B, off, others, split, nodes, weights, p, U):
    """``U`` of one symmetric class (first price or all pay, risk neutral): ``U[:, off + j] =
    A[:, j] * win[j] + B[:, j]`` with ``win`` from the class's own bid law ``p = w @ sigma``;
    the stay-out column (``off`` = 1) is worth 0."""
    k, m = sigma.shape
    for b in range(m):
        p[b] = 0.0
    for t in range(k):
        wt = w[t]
        if wt != 0.0:
            for b in range(m):
                p[b] += wt * sigma[t, b]
    below = 0.0
    for b in range(off):
        below += p[b]
        U[:, b] = 0.0
    for j in range(m - off):
        e = p[off + j]
        if not split:
            win = below if others == 1 else below ** others
        elif others == 1:
            win = below + 0.5 * e
        else:
            win = 0.0
            for q in range(nodes.size):
                win += weights[q] * (below + nodes[q] * e) ** others
        for t in range(k):
            U[t, off + j] = A[t, j] * win + B[t, j]
        below += e


@njit(cache=True)
def one_class_dual_averaging(y, sigma, U, w, A, B, off, others, split, nodes, weights, etas, tol, stop_loss,
                             eps_out, loss_out, best_sigma, best):
    """Up to ``etas.size`` iterations of entropic dual averaging on one symmetric class.

    Each iteration: ``y += etas[i] * U``, ``sigma = softmax(y)`` (rows), ``U`` = the
    utilities at the new ``sigma`` (:func:`_one_class_utilities`), then its epsilon and
    relative utility loss into ``eps_out[i]``, ``loss_out[i]``; ``best_sigma`` keeps the
    profile of smallest epsilon (``best[0]``). Stops after the iteration whose epsilon
    (``stop_loss`` False) or relative loss (True) is at most ``tol``. Returns the number of
    iterations run and whether the target was reached. ``y``, ``sigma``, ``U`` are updated
    in place (the state to continue from).
    """
    k, m = sigma.shape
    p = np.empty(m)
    for i in range(etas.size):
        eta = etas[i]
        for t in range(k):
            for b in range(m):
                y[t, b] += eta * U[t, b]
        softmax_into(y, sigma)
        _one_class_utilities(sigma, w, A, B, off, others, split, nodes, weights, p, U)
        eps, util, best_total = gaps(sigma, U, w)
        gap = best_total - util
        loss = 0.0
        if gap > 0.0:
            loss = gap / abs(best_total) if best_total != 0.0 else np.inf
        eps_out[i] = eps
        loss_out[i] = loss
        if eps < best[0]:
            best[0] = eps
            best_sigma[:, :] = sigma
        if (loss if stop_loss else eps) <= tol:
            return i + 1, True
    return etas.size, False
