"""Brute-force references for Bayesian games: every pure strategy profile, interim payoffs by loops."""

import itertools

import numpy as np


def interim_payoff(P, joint, i, t, a, others):
    """Interim (unnormalised: weighted by the joint prior) payoff of player i of type t playing a.

    ``P`` has shape (k_1..k_N, m_1..m_N, N); ``others`` are the other players' pure strategies
    (type -> action tuples), in player order with i's entry ignored.
    """
    n = joint.ndim
    total = 0.0
    for prof in itertools.product(*(range(k) for k in joint.shape)):
        if prof[i] != t or joint[prof] == 0:
            continue
        acts = tuple(a if j == i else others[j][prof[j]] for j in range(n))
        total += joint[prof] * P[(*prof, *acts, i)]
    return total


def pure_bne(P, joint):
    """All pure BNE by enumerating every strategy profile (tiny games only)."""
    n = joint.ndim
    k = joint.shape
    m = P.shape[n:2 * n]
    spaces = [list(itertools.product(range(m[i]), repeat=k[i])) for i in range(n)]
    found = set()
    for profile in itertools.product(*spaces):
        ok = True
        for i in range(n):
            for t in range(k[i]):
                if joint.sum(axis=tuple(j for j in range(n) if j != i))[t] == 0:
                    continue
                mine = interim_payoff(P, joint, i, t, profile[i][t], profile)
                best = max(interim_payoff(P, joint, i, t, a, profile) for a in range(m[i]))
                if mine < best - 1e-12:
                    ok = False
                    break
            if not ok:
                break
        if ok:
            found.add(profile)
    return found
