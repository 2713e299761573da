"""Brute-force reference implementations (explicit loops over profiles) for cross-checks.

They follow the definitions of seeds 000/003 literally and share no code with
the vectorised kernels they check.
"""

from __future__ import annotations

import itertools

import numpy as np


def utility(mech, i, true_profile, report_profile):
    """u_i(x(report), true profile) + m_i(report), expected over a randomized decision."""
    env = mech.env
    lottery = mech.decision[report_profile]
    u = env.valuations[i]
    values = u[true_profile[i]] if u.ndim == 2 else u[true_profile]
    return float(lottery @ values + mech.transfers[report_profile][i])


def dsic_violation(mech):
    env = mech.env
    worst = -np.inf
    for i in range(env.n_players):
        for prof in itertools.product(*(range(k) for k in env.n_types)):
            for r in range(env.n_types[i]):
                rep = list(prof)
                rep[i] = r
                worst = max(worst, utility(mech, i, prof, tuple(rep)) - utility(mech, i, prof, prof))
    return worst


def conditional(env, i, t):
    joint = env.prior.joint()
    slab = np.take(joint, t, axis=i)
    return slab / slab.sum()


def interim(mech, i, t, r):
    env = mech.env
    belief = conditional(env, i, t)
    total = 0.0
    others = [range(k) for j, k in enumerate(env.n_types) if j != i]
    for o in itertools.product(*others):
        prof = (*o[:i], t, *o[i:])
        rep = (*o[:i], r, *o[i:])
        total += belief[o] * utility(mech, i, prof, rep)
    return total


def bic_violation(mech):
    env = mech.env
    worst = -np.inf
    for i in range(env.n_players):
        for t in range(env.n_types[i]):
            truth = interim(mech, i, t, t)
            for r in range(env.n_types[i]):
                worst = max(worst, interim(mech, i, t, r) - truth)
    return worst


def efficiency_loss(mech):
    env = mech.env
    worst = -np.inf
    for prof in itertools.product(*(range(k) for k in env.n_types)):
        totals = np.zeros(env.n_alternatives)
        for i in range(env.n_players):
            u = env.valuations[i]
            totals += u[prof[i]] if u.ndim == 2 else u[prof]
        worst = max(worst, totals.max() - float(mech.decision[prof] @ totals))
    return worst
