"""Groves mechanisms, the Clarke pivot (VCG) and the status-quo pivot (seed 000, Tadelis 14.3)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mechdesign as md
from mechdesign.errors import SpecError
from tests.mechanisms.efficient_brute import best_alternative, independent_envs, others_value, profiles


# ----------------------------------------------------------------- known answers
def test_single_item_vcg_is_the_second_price_auction():
    # Vickrey (1961): the winner pays the highest competing value, losers pay 0.
    values = (0.0, 1.0, 2.5, 4.0)
    env = md.examples.single_item_auction(values=values, n_bidders=3)
    mech = md.vcg(env)
    for prof in profiles(env):
        bids = [values[t] for t in prof]
        winner = int(np.argmax(bids))                 # highest value, lowest index on ties
        assert mech.decision_indices[prof] == winner
        second = max(b for j, b in enumerate(bids) if j != winner)
        expected = np.zeros(3)
        expected[winner] = -second
        np.testing.assert_array_equal(mech.transfers[prof], expected)
    assert md.is_dsic(mech) and md.is_ir(mech, kind="ex_post")


# A 3-player public project worked by hand: cost 60 shared equally (20 each),
# values A ∈ {5, 25, 40}, B ∈ {10, 30}, C ∈ {15, 22}, so u_i(build) = θ_i − 20.
PP3 = dict(types=[[5.0, 25.0, 40.0], [10.0, 30.0], [15.0, 22.0]], cost=60.0, n_players=3)


@pytest.mark.parametrize("profile, decision, transfers", [
    # θ = (40, 10, 15): u = (20, −10, −5), total 5 > 0 → build. Without A the others
    # total −15 < 0 → skip: A is pivotal and pays 0 − (−15) = 15. Without B: 20 − 5 = 15 > 0,
    # without C: 20 − 10 = 10 > 0 — build anyway, no tax.
    ((2, 0, 0), "build", (-15.0, 0.0, 0.0)),
    # θ = (40, 30, 15): u = (20, 10, −5), total 25; no one changes the decision alone → no taxes.
    ((2, 1, 0), "build", (0.0, 0.0, 0.0)),
    # θ = (5, 30, 22): u = (−15, 10, 2), total −3 → skip. Without A: 12 > 0 → build, so A is
    # pivotal and pays the others' loss 12. Without B: −13, without C: −5 → skip anyway.
    ((0, 1, 1), "skip", (-12.0, 0.0, 0.0)),
    # θ = (25, 10, 22): u = (5, −10, 2), total −3 → skip. Without A: −8 → skip; without B:
    # 7 → build (B pays 7); without C: −5 → skip.
    ((1, 0, 1), "skip", (0.0, -7.0, 0.0)),
])
def test_three_player_public_project_by_hand(profile, decision, transfers):
    env = md.examples.public_project(**PP3)
    mech = md.vcg(env)
    assert mech.outcome(profile).alternative == decision
    np.testing.assert_allclose(mech.transfers[profile], transfers)


def test_clarke_taxes_only_for_pivotal_players():
    env = md.examples.public_project(**PP3)
    mech = md.vcg(env)
    for prof in profiles(env):
        x = mech.decision_indices[prof]
        for i in range(3):
            others = [j for j in range(3) if j != i]
            x_without, best_without = best_alternative(env, prof, others)
            pivotal = others_value(env, i, x, prof) < best_without
            assert (mech.transfers[(*prof, i)] < 0) == pivotal
            # the tax is the others' loss from i's presence
            assert mech.transfers[(*prof, i)] == pytest.approx(others_value(env, i, x, prof) - best_without)


def test_bilateral_trade_vcg_with_status_quo_pivot_runs_a_deficit():
    # Krishna–Perry / Myerson–Satterthwaite VCG: pivot at "no trade". Seller cost c, buyer value v
    # in {0, 1, 2}, uniform. Trade iff v ≥ c (v = c is a tie, broken towards "trade", index 0).
    # With trade the seller receives v and the buyer pays c, so the designer pays v − c ≥ 0.
    env = md.examples.bilateral_trade()
    mech = md.vcg(env, pivot="status_quo", status_quo="no trade")
    expected = np.zeros((3, 3, 2))
    for c in range(3):
        for v in range(3):
            if v >= c:
                expected[c, v] = (v, -c)
    np.testing.assert_allclose(mech.transfers, expected)
    # Deficits v − c at (0,1), (0,2), (1,2) are 1, 2, 1: expectation 4/9, worst 2.
    assert md.expected_deficit(mech) == pytest.approx(4 / 9)
    assert md.expected_revenue(mech) == pytest.approx(-4 / 9)
    assert md.worst_case_deficit(mech) == pytest.approx(2.0)
    np.testing.assert_allclose(md.budget_surplus(mech), expected.sum(axis=-1))
    weak = md.is_budget_balanced(mech, kind="weak")
    assert not weak and weak.witness.profile == (0, 2) and weak.violation == pytest.approx(2.0)
    assert md.is_dsic(mech) and md.is_ir(mech, kind="ex_post")
    assert mech.name == "VCG (status quo 'no trade')"
    np.testing.assert_allclose(md.vcg(env, pivot="status_quo", status_quo=1).transfers, expected)


def test_bilateral_trade_clarke_pivot_collects_money_and_hurts_the_seller():
    # The plain Clarke pivot h_seller = −max_x u_buyer(x) = −v lets the buyer "trade without the
    # seller" in the seller's absence. So the seller receives u_buyer(x*) − v: 0 with trade and −v
    # without, and the buyer pays c with trade. The designer never pays (no deficit), but the
    # seller is charged v even when no trade happens and is not ex-post IR.
    env = md.examples.bilateral_trade()
    mech = md.vcg(env)
    for c in range(3):
        for v in range(3):
            trade = v >= c
            np.testing.assert_allclose(mech.transfers[c, v], (0.0 if trade else -v, -c if trade else 0.0))
    assert np.all(md.budget_surplus(mech) <= 0)
    assert md.is_budget_balanced(mech, kind="weak")
    # revenue: c over the 6 trades (0+0+0+1+1+2) plus v over the 3 no-trade profiles (0+0+1), /9
    assert md.expected_revenue(mech) == pytest.approx(5 / 9)
    ir = md.is_ir(mech, kind="ex_post")
    assert not ir and ir.witness.player == "seller"


def test_groves_transfer_formula_by_loops():
    env = md.examples.random_environment(n_players=3, n_types=[2, 3, 2], n_alternatives=3, seed=11)
    rng = np.random.default_rng(1)
    h = [rng.normal(size=(3, 2)), rng.normal(size=(2, 2)), rng.normal(size=(2, 3))]
    mech = md.groves(env, h=h)
    for prof in profiles(env):
        x = best_alternative(env, prof)[0]
        for i in range(3):
            rest = tuple(t for j, t in enumerate(prof) if j != i)
            assert mech.transfers[(*prof, i)] == pytest.approx(others_value(env, i, x, prof) + h[i][rest])
    via_callable = md.groves(env, h=lambda i, others: h[i][others])
    np.testing.assert_array_equal(via_callable.transfers, mech.transfers)


def test_groves_accepts_flat_and_constant_full_profile_h():
    env = md.examples.random_environment(n_players=2, n_types=[2, 3], n_alternatives=2, seed=2)
    h = [np.arange(3.0), np.arange(2.0)]
    full = [np.broadcast_to(h[0][None, :], (2, 3)), np.broadcast_to(h[1][:, None], (2, 3))]
    np.testing.assert_array_equal(md.groves(env, h=full).transfers, md.groves(env, h=h).transfers)
    env3 = md.examples.random_environment(n_players=3, n_types=2, n_alternatives=2, seed=2)
    flat = [np.arange(4.0)] * 3
    np.testing.assert_array_equal(md.groves(env3, h=flat).transfers,
                                  md.groves(env3, h=[a.reshape(2, 2) for a in flat]).transfers)


def test_pivots_do_not_depend_on_own_type_and_have_the_others_shape():
    env = md.examples.random_environment(n_players=3, n_types=[2, 3, 4], n_alternatives=3, seed=5)
    for pivots in (md.clarke_pivot(env), md.status_quo_pivot(env, "x1")):
        assert [p.shape for p in pivots] == [(3, 4), (2, 4), (2, 3)]
    clarke = md.clarke_pivot(env)
    for prof in profiles(env):
        rest = prof[1:]
        assert clarke[0][rest] == pytest.approx(-best_alternative(env, prof, [1, 2])[1])


# -------------------------------------------------------------------- properties
@settings(max_examples=30, deadline=None)
@given(independent_envs(), st.integers(0, 2**32 - 1), st.sampled_from(["lowest", "uniform"]))
def test_every_groves_mechanism_is_dsic(env, seed, ties):
    rng = np.random.default_rng(seed)
    h = [rng.normal(scale=10, size=tuple(k for j, k in enumerate(env.n_types) if j != i))
         for i in range(env.n_players)]
    mech = md.groves(env, h=h, ties=ties)
    assert md.is_dsic(mech).holds
    assert md.is_efficient(mech).holds


@settings(max_examples=30, deadline=None)
@given(independent_envs())
def test_clarke_with_nonnegative_values_is_ex_post_ir(env):
    # random_environment draws valuations in [0, 1): all non-negative.
    mech = md.vcg(env)
    assert md.is_ir(mech, kind="ex_post").holds
    assert md.is_dsic(mech).holds
    for prof in profiles(env):        # a player who does not change the decision pays exactly 0
        for i in range(env.n_players):
            others = [j for j in range(env.n_players) if j != i]
            if best_alternative(env, prof, others)[0] == mech.decision_indices[prof]:
                assert mech.transfers[(*prof, i)] == 0.0


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 4), st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=4, unique=True))
def test_clarke_never_runs_a_deficit_in_single_item_auctions(n, values):
    mech = md.vcg(md.examples.single_item_auction(values=sorted(values), n_bidders=n))
    assert np.all(md.budget_surplus(mech) <= 0)
    assert md.worst_case_deficit(mech) <= 0
    assert md.is_budget_balanced(mech, kind="weak").holds


def test_relabelling_players_permutes_the_transfers():
    env = md.examples.random_environment(n_players=3, n_types=[2, 3, 2], n_alternatives=3, seed=9)
    order = [2, 0, 1]
    swapped = md.Environment([env.players[j] for j in order], env.alternatives,
                             [list(range(env.n_types[j])) for j in order],
                             md.IndependentPrior([env.prior.marginal(j) for j in order]),
                             [env.valuations[j] for j in order])
    a, b = md.vcg(env).transfers, md.vcg(swapped).transfers
    np.testing.assert_allclose(np.transpose(a, (*order, 3))[..., order], b, rtol=0, atol=1e-12)


# --------------------------------------------------------------------- bad input
def test_h_with_wrong_shape_is_refused():
    env = md.examples.public_project()
    with pytest.raises(SpecError, match=r"h\['A'\]: an array over the others' types of shape \(3,\).*\(got shape \(2,\)\)"):
        md.groves(env, h=[np.zeros(2), np.zeros(3)])
    with pytest.raises(SpecError, match=r"h: a callable h\(i, others_profile\) or one array per player \(2\) \(got 1 entries\)"):
        md.groves(env, h=[np.zeros(3)])
    with pytest.raises(SpecError, match=r"h: .*\(got float\)"):
        md.groves(env, h=1.5)


def test_h_depending_on_own_type_is_refused():
    env = md.examples.public_project()
    own = np.arange(9.0).reshape(3, 3)          # varies along A's axis
    with pytest.raises(SpecError, match=r"h\['A'\]: h_i must not depend on player 'A''s own report.*varies|vary with θ_0"):
        md.groves(env, h=[own, np.zeros(3)])


def test_h_callable_failures_and_non_finite_values_are_reported():
    env = md.examples.public_project()
    with pytest.raises(SpecError, match=r"h: a callable .*ZeroDivisionError.*at h\(0, \(0,\)\)"):
        md.groves(env, h=lambda i, others: 1 / 0)
    with pytest.raises(SpecError, match=r"h\[.*finite numbers only"):
        md.groves(env, h=[np.array([0.0, np.nan, 0.0]), np.zeros(3)])


def test_pivot_options_are_validated():
    env = md.examples.bilateral_trade()
    with pytest.raises(SpecError, match=r"pivot: one of \['clarke', 'status_quo'\] \(got 'vickrey'\)"):
        md.vcg(env, pivot="vickrey")
    with pytest.raises(SpecError, match=r"status_quo: the status-quo alternative .* \(got None\)"):
        md.vcg(env, pivot="status_quo")
    with pytest.raises(SpecError, match=r"status_quo: no status quo with pivot=\"clarke\""):
        md.vcg(env, status_quo="no trade")
    with pytest.raises(SpecError, match=r"status_quo: one of \['trade', 'no trade'\] \(got 'walk away'\)"):
        md.vcg(env, pivot="status_quo", status_quo="walk away")
    with pytest.raises(SpecError, match=r"status_quo: an index in 0..1 \(got 5\)"):
        md.status_quo_pivot(env, 5)


def test_pivots_need_private_values():
    env = md.examples.random_environment(n_players=2, n_types=2, n_alternatives=2, seed=0, interdependent=True)
    with pytest.raises(SpecError, match=r"env: private values .* \(got interdependent values\)"):
        md.clarke_pivot(env)
    with pytest.raises(SpecError, match=r"env: private values"):
        md.status_quo_pivot(env, 0)
    with pytest.raises(SpecError, match=r"env: an Environment \(got str\)"):
        md.vcg("env")
