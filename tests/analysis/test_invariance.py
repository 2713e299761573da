"""Invariance (OpenSpiel-style) and DSIC ⇒ BIC (seed 003), as hypothesis properties.

Verdicts must not depend on how types are ordered, how players are labelled, or
on adding a constant to a player's valuation (with her outside option shifted
by the same constant, since IR compares against it).
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import mechdesign as md

AUDITS = {
    "dsic": md.is_dsic,
    "bic": md.is_bic,
    "efficient": md.is_efficient,
    "budget_weak": lambda m: md.is_budget_balanced(m, "weak"),
    "budget_strong": lambda m: md.is_budget_balanced(m, "strong"),
}
IR_KINDS = ("ex_post", "interim", "ex_ante")

cases = st.tuples(
    st.integers(2, 3),                  # players
    st.integers(2, 3),                  # types per player
    st.integers(2, 3),                  # alternatives
    st.integers(0, 10_000),             # seed
    st.booleans(),                      # correlated prior
    st.sampled_from(["random", "vcg", "agv"]),
)


def build(case):
    n, k, x, seed, correlated, kind = case
    env = md.examples.random_environment(n, k, x, seed=seed, correlated=correlated)
    rng = np.random.default_rng(seed)
    if kind == "vcg":
        return md.vcg(env)
    if kind == "agv":
        return md.agv(env, allow_correlated=True)
    dec = rng.integers(0, x, size=env.n_types)
    return md.DirectMechanism(env, dec, rng.normal(size=(*env.n_types, n)) * 0.1)


def verdicts(mech, outside=None):
    out = {name: (f(mech).holds, f(mech).violation) for name, f in AUDITS.items()}
    for kind in IR_KINDS:
        r = md.is_ir(mech, kind, outside_option=outside)
        out[f"ir_{kind}"] = (r.holds, r.violation)
    return out


def assert_same(a, b):
    assert a.keys() == b.keys()
    for name in a:
        assert a[name][0] == b[name][0], name
        assert abs(a[name][1] - b[name][1]) < 1e-9, name


def permute_types(mech, i, perm):
    env = mech.env
    vals = [u if j != i else u[perm] for j, u in enumerate(env.valuations)]
    if env.prior.is_independent:
        prior = md.IndependentPrior([m if j != i else m[perm] for j, m in enumerate(env.prior.marginals)])
    else:
        prior = md.JointPrior(np.take(env.prior.joint(), perm, axis=i))
    types = [list(range(k)) for k in env.n_types]
    new_env = md.Environment(env.players, env.alternatives, types, prior, vals)
    return md.DirectMechanism(new_env, np.take(mech.decision, perm, axis=i),
                              np.take(mech.transfers, perm, axis=i))


def relabel_players(mech, order):
    env = mech.env
    n = env.n_players
    vals = [env.valuations[j] for j in order]
    if env.prior.is_independent:
        prior = md.IndependentPrior([env.prior.marginals[j] for j in order])
    else:
        prior = md.JointPrior(np.transpose(env.prior.joint(), order))
    types = [list(range(env.n_types[j])) for j in order]
    new_env = md.Environment([env.players[j] for j in order], env.alternatives, types, prior, vals)
    axes = (*order, n)
    return md.DirectMechanism(new_env, np.transpose(mech.decision, axes),
                              np.transpose(mech.transfers, axes)[..., list(order)])


def shift_valuation(mech, i, c):
    env = mech.env
    vals = [u + (c if j == i else 0.0) for j, u in enumerate(env.valuations)]
    types = [list(range(k)) for k in env.n_types]
    new_env = md.Environment(env.players, env.alternatives, types, env.prior, vals)
    return md.DirectMechanism(new_env, mech.decision, mech.transfers)


@settings(max_examples=40, deadline=None)
@given(cases, st.randoms(use_true_random=False))
def test_permuting_a_players_types_keeps_verdicts(case, rnd):
    mech = build(case)
    i = rnd.randrange(mech.env.n_players)
    perm = list(range(mech.env.n_types[i]))
    rnd.shuffle(perm)
    assert_same(verdicts(mech), verdicts(permute_types(mech, i, np.array(perm))))


@settings(max_examples=40, deadline=None)
@given(cases, st.randoms(use_true_random=False))
def test_relabelling_players_keeps_verdicts(case, rnd):
    mech = build(case)
    order = list(range(mech.env.n_players))
    rnd.shuffle(order)
    assert_same(verdicts(mech), verdicts(relabel_players(mech, order)))


@settings(max_examples=40, deadline=None)
@given(cases, st.integers(0, 2), st.floats(-5, 5))
def test_adding_a_constant_to_a_valuation_keeps_verdicts(case, player, c):
    mech = build(case)
    i = player % mech.env.n_players
    outside = [np.full(k, c if j == i else 0.0) for j, k in enumerate(mech.env.n_types)]
    assert_same(verdicts(mech), verdicts(shift_valuation(mech, i, c), outside=outside))


@settings(max_examples=60, deadline=None)
@given(cases)
def test_dsic_implies_bic(case):
    # An interim gain is a belief-weighted average of ex-post gains, so it never exceeds the DSIC gain.
    mech = build(case)
    dsic, bic = md.is_dsic(mech), md.is_bic(mech)
    assert bic.violation <= dsic.violation + 1e-12
    if dsic.holds:
        assert bic.holds
