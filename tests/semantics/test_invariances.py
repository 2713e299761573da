"""The invariances of docs/concepts.md, fuzzed through the audits, ``design`` and ``solve_bne``.

Relabelling players and permuting a player's types rename things and must change nothing;
adding c_i(θ) to u_i(x, θ) for every x (a game: to player i's payoff at θ for every action
profile) changes no incentive, efficiency or budget verdict and no equilibrium.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mechdesign as md
from tests.semantics.laws import dyadic


def random_env(seed, n, k, n_alt, correlated, null):
    rng = np.random.default_rng(seed)
    n_types = [int(rng.integers(1, k + 1)) for _ in range(n)]
    n_types[0] = max(n_types[0], 2)      # (an LP with no incentive row at all is issue 12 §4's business)
    if correlated:
        joint = rng.dirichlet(np.ones(int(np.prod(n_types)))).reshape(n_types)
        prior = md.JointPrior(joint)
    else:
        marginals = [rng.dirichlet(np.ones(t)) for t in n_types]
        if null:                          # a type of probability zero (the player keeps another one)
            for m in marginals:
                if m.size > 1:
                    m[int(rng.integers(m.size))] = 0.0
                    m /= m.sum()
        prior = md.IndependentPrior(marginals)
    vals = [dyadic(rng, (t, n_alt), -8, 8) for t in n_types]
    return md.Environment([f"P{i}" for i in range(n)], [f"x{a}" for a in range(n_alt)],
                          [list(range(t)) for t in n_types], prior, vals), rng


def relabel(env, order):
    """The environment with its players in ``order`` (private values)."""
    prior = (md.IndependentPrior([env.prior.marginals[j] for j in order]) if env.prior.is_independent
             else md.JointPrior(np.transpose(env.prior.joint(), order)))
    return md.Environment([env.players[j] for j in order], env.alternatives,
                          [list(range(env.n_types[j])) for j in order], prior, [env.valuations[j] for j in order])


def permute(env, i, perm):
    prior = (md.IndependentPrior([m if j != i else m[perm] for j, m in enumerate(env.prior.marginals)])
             if env.prior.is_independent else md.JointPrior(np.take(env.prior.joint(), perm, axis=i)))
    vals = [u if j != i else u[perm] for j, u in enumerate(env.valuations)]
    return md.Environment(env.players, env.alternatives, [list(range(k)) for k in env.n_types], prior, vals)


def shift(env, offsets):
    vals = [u + np.asarray(c, float)[..., None] for u, c in zip(env.valuations, offsets)]
    return md.Environment(env.players, env.alternatives, [list(range(k)) for k in env.n_types], env.prior, vals)


cases = st.tuples(st.integers(0, 2**31 - 1), st.integers(2, 3), st.integers(1, 3), st.integers(2, 3),
                  st.booleans(), st.booleans())
PROBLEMS = [("revenue", ["bic", "ir_interim"]), ("revenue", ["dsic", "ir_ex_post", "budget_weak"]),
            ("welfare", ["bic", "budget_strong"])]


def solved(env, objective, constraints):
    res = md.design(env, objective, constraints)
    if res.status == "optimal":
        assert res.verification.holds, res.message
    return res.status, res.value


@settings(max_examples=25, deadline=None)
@given(cases)
def test_design_does_not_depend_on_names_or_order(case):
    seed, n, k, n_alt, correlated, null = case
    env, rng = random_env(seed, n, k, n_alt, correlated, null)
    order = list(rng.permutation(n))
    i = int(rng.integers(n))
    perm = rng.permutation(env.n_types[i])
    for objective, constraints in PROBLEMS:
        base = solved(env, objective, constraints)
        for other in (relabel(env, order), permute(env, i, perm)):
            status, value = solved(other, objective, constraints)
            assert status == base[0]
            if status == "optimal":
                assert value == pytest.approx(base[1], abs=1e-7)


@settings(max_examples=20, deadline=None)
@given(cases, st.sampled_from([1e3, 1e6]))
def test_design_under_offsets(case, magnitude):
    # offsets do not move incentive or budget constraints: the welfare optimum moves by E[Σ c_i],
    # feasibility with the efficient rule does not change. (The LP itself carries the offsets in its
    # coefficients, so the magnitudes stay moderate here; the audits are tested to 1e12.)
    seed, n, k, n_alt, correlated, null = case
    env, rng = random_env(seed, n, k, n_alt, correlated, null)
    c = [magnitude * (1 + rng.integers(0, 3, size=t)) for t in env.n_types]
    other = shift(env, c)
    expected_shift = sum(float(np.asarray(env.prior.marginal(i)) @ ci) for i, ci in enumerate(c))
    a = solved(env, "welfare", ["bic", "budget_weak"])
    b = solved(other, "welfare", ["bic", "budget_weak"])
    assert a[0] == b[0] == "optimal"
    assert b[1] == pytest.approx(a[1] + expected_shift, abs=1e-6 * max(1.0, magnitude))
    for constraints in (["dsic", "budget_strong"], ["bic", "budget_strong"]):
        ra = md.design(env, "deficit", constraints, decision="efficient")
        rb = md.design(other, "deficit", constraints, decision="efficient")
        assert ra.status == rb.status, (ra.message, rb.message)


def random_game(seed, n, k, m):
    rng = np.random.default_rng(seed)
    n_types, n_actions = [int(rng.integers(1, k + 1)) for _ in range(n)], [int(rng.integers(1, m + 1)) for _ in range(n)]
    n_actions[0] = max(n_actions[0], 2)
    prior = md.IndependentPrior([rng.dirichlet(np.ones(t)) for t in n_types])
    payoffs = dyadic(rng, (*n_types, *n_actions, n), -4, 4)
    return md.BayesianGame.from_arrays(prior, payoffs), rng


def pure_set(game):
    res = md.solve_bne(game, method="pure")
    return {tuple(tuple(int(a) for a in s) for s in eq.pure()) for eq in res.equilibria}


games = st.tuples(st.integers(0, 2**31 - 1), st.integers(2, 3), st.integers(1, 2), st.integers(1, 3))


@settings(max_examples=40, deadline=None)
@given(games, st.sampled_from([1e6, 1e10, 1e12]))
def test_solve_bne_ignores_payoff_offsets(case, magnitude):
    seed, n, k, m = case
    game, rng = random_game(seed, n, k, m)
    offsets = [magnitude * (1 + rng.integers(0, 3, size=game.n_types)) for _ in range(n)]
    payoffs = np.array(game.payoffs)
    for i in range(n):
        payoffs[..., i] += offsets[i].reshape(*game.n_types, *([1] * n))
    other = md.BayesianGame.from_arrays(game.prior, payoffs)
    base = pure_set(game)
    assert pure_set(other) == base
    for profile in base:
        a = md.verify_bne(game, [np.array(s) for s in profile])
        b = md.verify_bne(other, [np.array(s) for s in profile])
        assert a.holds and b.holds and a.epsilon == b.epsilon
        np.testing.assert_allclose(a.tolerances, b.tolerances, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(games)
def test_solve_bne_does_not_depend_on_names_or_order(case):
    seed, n, k, m = case
    game, rng = random_game(seed, n, k, m)
    base = pure_set(game)
    # relabel players
    order = list(rng.permutation(n))
    payoffs = np.transpose(game.payoffs, (*order, *[n + j for j in order], 2 * n))[..., order]
    relabelled = md.BayesianGame.from_arrays(md.IndependentPrior([game.prior.marginals[j] for j in order]), payoffs)
    assert pure_set(relabelled) == {tuple(profile[j] for j in order) for profile in base}
    # permute one player's types
    i = int(rng.integers(n))
    perm = rng.permutation(game.n_types[i])
    marginals = [mg if j != i else mg[perm] for j, mg in enumerate(game.prior.marginals)]
    permuted = md.BayesianGame.from_arrays(md.IndependentPrior(marginals), np.take(game.payoffs, perm, axis=i))
    assert pure_set(permuted) == {tuple(s if j != i else tuple(s[p] for p in perm) for j, s in enumerate(profile))
                                  for profile in base}
