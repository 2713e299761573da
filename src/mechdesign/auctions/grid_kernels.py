"""Compiled (numba) win probabilities of :class:`~mechdesign.auctions.grid_single_item.SingleItemGame`.

The formula of that module's docstring, for every agent in one call, as plain
loops: the numpy version spends most of its time calling numpy on arrays of one
bid grid's length (a few dozen to a few hundred numbers), once per opposing
class and quadrature node. The game switches to this kernel after
:data:`~mechdesign.auctions.grid_single_item.COMPILED_AFTER` utility
evaluations, or from the start once it has been imported (compiled once, cached
on disk).
"""

import numpy as np
from numba import njit


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
