"""Each comparison is judged on the size of what it compares (docs/concepts.md, "Tolerances").

Adding c_i(θ) to u_i(x, θ) for every x changes no incentive, no efficient choice and no budget:
verdicts, violations and witnesses must not move, for offsets up to 1e12 (1e13 for the efficient
decision). IR moves with a player's own offset unless her outside option moves too, never with
another player's. Values are multiples of 1/16, so every shifted number is exact in float64.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mechdesign as md
from mechdesign.errors import SpecError
from tests.semantics.laws import dyadic

OFFSETS = (0.0, 1e6, 1e10, 1e12)


def b_gains_five(offset):
    # B gains 5 by misreporting; A's values are all `offset` (she is indifferent everywhere)
    env = md.Environment(players=["A", "B"], alternatives=["x", "y"], types=[[0, 1], [0, 1]],
                         prior=md.IndependentPrior([[0.5, 0.5], [0.5, 0.5]]),
                         valuations=[np.full((2, 2), offset), np.array([[0.0, 5.0], [0.0, 5.0]])])
    return md.DirectMechanism(env, np.array([[0, 1], [0, 1]]), np.zeros((2, 2, 2)))


@pytest.mark.parametrize("offset", OFFSETS)
def test_another_players_offset_does_not_hide_a_violation(offset):
    mech = b_gains_five(offset)
    for audit in (md.is_dsic, md.is_bic):
        r = audit(mech)
        assert not r.holds and r.violation == 5.0 and r.witness.player == "B", (offset, r)
        assert r.tolerance == pytest.approx(1e-9 + 1e-9 * 5.0)
    report = md.check(mech)
    assert not report["dsic"].holds and not report["bic"].holds


@pytest.mark.parametrize("offset", OFFSETS)
def test_the_game_verifier_uses_each_players_own_scale(offset):
    # the same situation as a game: B's deviation gains 5 whatever A's payoffs are
    payoffs = np.zeros((1, 1, 2, 2, 2))
    payoffs[..., 0] = offset
    payoffs[0, 0, :, 1, 1] = 5.0                      # B gets 5 from action 1
    game = md.BayesianGame.from_arrays(md.IndependentPrior([[1.0], [1.0]]), payoffs)
    check = md.verify_bne(game, [np.array([0]), np.array([0])])
    assert not check.holds and check.epsilon == 5.0 and check.worst.player == "P1"
    assert check.tolerances == pytest.approx((1e-9, 1e-9 + 5e-9))
    eqs = md.solve_bne(game, method="pure").equilibria
    assert {tuple(int(s[0]) for s in eq.pure()) for eq in eqs} == {(0, 1), (1, 1)}


@pytest.mark.parametrize("offset", (0.0, 1e10, 1e12, 1e13))
def test_efficient_decision_ignores_offsets(offset):
    # B prefers y by 5, A is indifferent (up to her offset): y is the only efficient choice.
    env = md.Environment(players=["A", "B"], alternatives=["x", "y"], types=[[0], [0]],
                         prior=md.IndependentPrior([[1.0], [1.0]]),
                         valuations=[np.full((1, 2), offset), np.array([[0.0, 5.0]])])
    assert md.efficient_decision(env).tolist() == [[1]]
    assert md.efficient_decision(env, chunk_size=1).tolist() == [[1]]
    assert md.vcg(env).decision_indices.tolist() == [[1]]
    wrong = md.is_efficient(md.DirectMechanism(env, np.zeros((1, 1), dtype=int), np.zeros((1, 1, 2))))
    assert not wrong.holds and wrong.violation == 5.0


def test_budget_is_judged_on_transfers_only():
    # a deficit of 1e-3 is real money whatever the valuations are
    for offset in OFFSETS:
        env = md.Environment(players=["A", "B"], alternatives=["x"], types=[[0], [0]],
                             prior=md.IndependentPrior([[1.0], [1.0]]),
                             valuations=[np.full((1, 1), offset), np.full((1, 1), 1e9)])
        mech = md.DirectMechanism(env, np.zeros((1, 1), dtype=int), np.array([[[1e-3, 0.0]]]))
        assert not md.is_budget_balanced(mech, "weak").holds


def test_ir_of_a_player_ignores_the_others_numbers():
    # A's shortfall of 1e-3 is not excused by B's huge utilities
    env = md.Environment(players=["A", "B"], alternatives=["x"], types=[[0], [0]],
                         prior=md.IndependentPrior([[1.0], [1.0]]),
                         valuations=[np.zeros((1, 1)), np.full((1, 1), 1e12)])
    mech = md.DirectMechanism(env, np.zeros((1, 1), dtype=int), np.array([[[-1e-3, 0.0]]]))
    for kind in ("ex_post", "interim", "ex_ante"):
        r = md.is_ir(mech, kind)
        assert not r.holds and r.violation == pytest.approx(1e-3) and r.witness.player == "A", (kind, r)


# ------------------------------------------------------------------ invariance, fuzzed
def environments():
    return st.tuples(st.integers(2, 3), st.integers(1, 3), st.integers(2, 3), st.integers(0, 2**31 - 1),
                     st.booleans(), st.booleans())


def build(case):
    """A random environment (dyadic values) and a random mechanism on it."""
    n, k, n_alt, seed, correlated, interdependent = case
    rng = np.random.default_rng(seed)
    n_types = [int(rng.integers(1, k + 1)) for _ in range(n)]
    if correlated:
        prior = md.JointPrior(rng.dirichlet(np.ones(int(np.prod(n_types)))).reshape(n_types))
    else:
        prior = md.IndependentPrior([rng.dirichlet(np.ones(t)) for t in n_types])
    shape = (lambda i: (*n_types, n_alt)) if interdependent else (lambda i: (n_types[i], n_alt))
    vals = [dyadic(rng, shape(i), -8, 8) for i in range(n)]
    env = md.Environment([f"P{i}" for i in range(n)], [f"x{a}" for a in range(n_alt)],
                         [list(range(t)) for t in n_types], prior, vals)
    decision = rng.integers(0, n_alt, size=n_types)
    if rng.random() < 0.5:   # sometimes the efficient rule, so that ties and zero violations occur
        decision = md.efficient_decision(env)
    return md.DirectMechanism(env, decision, dyadic(rng, (*n_types, n), -4, 4))


def shifted(mech, offsets):
    """The mechanism on an environment whose u_i gets offsets[i] (a scalar or per-type/profile array)."""
    env = mech.env
    vals = []
    for i, u in enumerate(env.valuations):
        c = np.asarray(offsets[i], float)
        vals.append(u + (c[..., None] if c.ndim else c))
    new = md.Environment(env.players, env.alternatives, [list(range(k)) for k in env.n_types], env.prior, vals)
    return md.DirectMechanism(new, mech.decision_indices, mech.transfers)


def offsets_for(env, rng, magnitude, players):
    """Per player: 0, or an offset of the given size varying with her type (or the profile)."""
    out = []
    for i, u in enumerate(env.valuations):
        if i not in players:
            out.append(0.0)
            continue
        shape = u.shape[:-1]
        out.append(magnitude * (1 + rng.integers(0, 3, size=shape)) * rng.choice([-1.0, 1.0]))
    return out


INVARIANT = {
    "dsic": md.is_dsic, "bic": md.is_bic, "efficient": md.is_efficient,
    "budget_weak": lambda m: md.is_budget_balanced(m, "weak"),
    "budget_strong": lambda m: md.is_budget_balanced(m, "strong"),
    "budget_strong_ex_ante": lambda m: md.is_budget_balanced(m, "strong", ex_ante=True),
}


def assert_same(a, b):
    assert a.holds == b.holds, (a, b)
    assert a.violation == pytest.approx(b.violation, abs=1e-12), (a, b)
    assert a.tolerance == pytest.approx(b.tolerance, rel=1e-12, abs=1e-15), (a, b)
    if a.witness is not None and b.witness is not None:
        assert a.witness.description == b.witness.description


@settings(max_examples=60, deadline=None)
@given(environments(), st.sampled_from([1e6, 1e10, 1e12]), st.integers(0, 2**31 - 1))
def test_offsets_change_no_incentive_efficiency_or_budget_verdict(case, magnitude, seed):
    mech = build(case)
    rng = np.random.default_rng(seed)
    players = set(rng.choice(mech.env.n_players, size=int(rng.integers(1, mech.env.n_players + 1)), replace=False))
    other = shifted(mech, offsets_for(mech.env, rng, magnitude, players))
    for audit in INVARIANT.values():
        assert_same(audit(mech), audit(other))
    np.testing.assert_array_equal(md.efficient_decision(mech.env), md.efficient_decision(other.env))
    np.testing.assert_array_equal(md.efficient_decision(mech.env, ties="uniform"),
                                  md.efficient_decision(other.env, ties="uniform"))
    ra, rb = md.check(mech), md.check(other)
    for name in INVARIANT:
        assert_same(ra[name], rb[name])


@settings(max_examples=40, deadline=None)
@given(environments(), st.sampled_from([1e6, 1e10, 1e12]), st.integers(0, 2**31 - 1))
def test_ir_moves_with_her_own_offset_only(case, magnitude, seed):
    mech = build(case)
    env = mech.env
    n = env.n_players
    rng = np.random.default_rng(seed)
    # every player shifted by a constant, her outside option with her: nothing changes
    c = [magnitude * rng.choice([-1.0, 1.0]) * int(rng.integers(0, 2)) for _ in range(n)]
    both = shifted(mech, c)
    outside = [np.full(k, c[j]) for j, k in enumerate(env.n_types)]
    for kind in ("ex_post", "interim", "ex_ante"):
        base = md.is_ir(mech, kind)
        assert_same(base, md.is_ir(both, kind, outside_option=outside))
        assert_same(md.check(mech)[f"ir_{kind}"], md.check(both, outside_option=outside)[f"ir_{kind}"])
    # player i's verdict does not see the others' offsets: raise the others' utilities by 1e6 or by
    # `magnitude` (so they hold by far either way); what remains is i's verdict, identical
    i = int(rng.integers(n))
    low = shifted(mech, [0.0 if j == i else 1e6 for j in range(n)])
    high = shifted(mech, [0.0 if j == i else magnitude for j in range(n)])
    for kind in ("ex_post", "interim", "ex_ante"):
        a, b = md.is_ir(low, kind), md.is_ir(high, kind)
        assert a.holds == b.holds
        if not a.holds:
            assert_same(a, b)
            assert a.witness.player_index == i


# ------------------------------------------------------------------ overflow
def test_values_whose_sums_overflow_are_refused():
    with pytest.raises(SpecError, match=r"valuations\['B1'\]: numbers of magnitude at most 1e\+300"):
        md.examples.single_item_auction(values=[-8e306, 8e306], n_bidders=2)
    env = md.examples.single_item_auction(values=[0, 1], n_bidders=2)
    with pytest.raises(SpecError, match="transfers: numbers of magnitude at most"):
        md.DirectMechanism(env, np.zeros((2, 2), dtype=int), np.full((2, 2, 2), 8e306))
    with pytest.raises(SpecError, match="outside_option"):
        md.is_ir(md.DirectMechanism(env, np.zeros((2, 2), dtype=int), np.zeros((2, 2, 2))),
                 outside_option=[np.full(2, 1e301), np.zeros(2)])
    with pytest.raises(SpecError, match="payoffs: numbers of magnitude at most"):
        md.BayesianGame.from_arrays(md.IndependentPrior([[1.0], [1.0]]), np.full((1, 1, 1, 1, 2), -1e305))


def test_the_largest_accepted_numbers_give_finite_verdicts():
    big = 1e300
    env = md.Environment(players=["A", "B", "C"], alternatives=["x", "y"], types=[[0, 1]] * 3,
                         prior=md.IndependentPrior([[0.5, 0.5]] * 3),
                         valuations=[np.array([[big, -big], [-big, big]])] * 3)
    decision = np.broadcast_to(np.array([1, 0])[:, None, None], (2, 2, 2))   # the alternative A dislikes
    mech = md.DirectMechanism(env, decision, np.full((2, 2, 2, 3), -big))
    report = md.check(mech)
    for name, r in report.results.items():
        assert np.isfinite(r.violation) and np.isfinite(r.tolerance), (name, r)
    assert all(np.isfinite(v) for v in report.metrics.values())
    assert not report["dsic"].holds and report["dsic"].violation == pytest.approx(2 * big)
    assert not report["efficient"].holds
