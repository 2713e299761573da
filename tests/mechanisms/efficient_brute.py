"""Brute-force references for the efficient-mechanism tests: plain loops over profiles.

They follow the formulas of seeds 000 and 003 literally, one profile at a time,
independently of the vectorised code under test.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st

import mechdesign as md


def value(env, i, x, prof):
    """u_i(x, θ) at one profile (private or interdependent values)."""
    u = env.valuations[i]
    return float(u[prof[i], x] if u.ndim == 2 else u[(*prof, x)])


def best_alternative(env, prof, players=None):
    """argmax_x Σ_{i ∈ players} u_i(x, θ) with the lowest index on ties (exact comparisons)."""
    players = range(env.n_players) if players is None else players
    totals = [sum(value(env, i, x, prof) for i in players) for x in range(env.n_alternatives)]
    return int(np.argmax(totals)), max(totals)


def profiles(env):
    return itertools.product(*(range(k) for k in env.n_types))


def joint(env):
    return env.prior.joint()


def others_value(env, i, x, prof):
    return sum(value(env, j, x, prof) for j in range(env.n_players) if j != i)


def seed_agv_payments(env):
    """Seed 003 literally: t_i = E[−Σ_{j≠i} v_j(q(θ), θ_j) | θ_i] + τ_i(θ_-i), τ_i = −1/(n−1) Σ_{j≠i} K_j(θ_j).

    Payments (utility v_i − t_i), by loops over profiles under the joint prior.
    """
    n = env.n_players
    p = joint(env)
    q = {prof: best_alternative(env, prof)[0] for prof in profiles(env)}
    K = []                                  # K_j(θ_j) = E[k_j(θ_j, θ_-j) | θ_j], k_j = −Σ_{l≠j} v_l
    for j in range(n):
        num = np.zeros(env.n_types[j])
        den = np.zeros(env.n_types[j])
        for prof in profiles(env):
            num[prof[j]] += p[prof] * -others_value(env, j, q[prof], prof)
            den[prof[j]] += p[prof]
        K.append(num / den)
    pay = np.zeros((*env.n_types, n))
    for prof in profiles(env):
        for i in range(n):
            tau = -sum(K[j][prof[j]] for j in range(n) if j != i) / (n - 1)
            pay[(*prof, i)] = K[i][prof[i]] + tau       # the first term of t_i is K_i(θ_i)
    return pay


@st.composite
def independent_envs(draw, max_players=3, max_types=3, max_alternatives=3):
    """Random environments with independent priors (md.examples.random_environment)."""
    n = draw(st.integers(2, max_players))
    k = draw(st.lists(st.integers(1, max_types), min_size=n, max_size=n))
    x = draw(st.integers(1, max_alternatives))
    seed = draw(st.integers(0, 2**32 - 1))
    return md.examples.random_environment(n_players=n, n_types=k, n_alternatives=x, seed=seed)
