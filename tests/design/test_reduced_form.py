"""Reduced-form auctions (design/reduced_form.py): hierarchies, interim rules, and the lazy mechanism."""

import importlib
import itertools
import math

import numpy as np
import pytest

import mechdesign as md
from mechdesign.analysis.properties import interim_utilities_table

rf = importlib.import_module("mechdesign.design.reduced_form")

BIC = ["bic", "ir_interim"]


def brute_interim(level, f, units):
    """q_i(t) of a hierarchy by enumerating every profile: the `units` best levels present win, a tied last
    winning level shares what is left uniformly."""
    N, k = f.shape
    q = np.zeros((N, k))
    for prof in itertools.product(range(k), repeat=N):
        p = math.prod(f[i, t] for i, t in enumerate(prof))
        lv = [level[i, t] for i, t in enumerate(prof)]
        for i in range(N):
            if not np.isfinite(lv[i]):
                continue
            better = sum(lv[j] < lv[i] for j in range(N) if j != i)
            tied = sum(lv[j] == lv[i] for j in range(N) if j != i)
            if better < units:
                q[i, prof[i]] += p * min(1.0, (units - better) / (1 + tied))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(f > 0, q / np.where(f > 0, f, 1), np.nan)


@pytest.mark.parametrize("seed, units, ties", [(0, 1, False), (1, 1, False), (2, 2, False), (3, 2, True),
                                               (4, 3, False), (5, 1, True), (6, 1, True)])
def test_interim_allocation_of_a_hierarchy_matches_enumeration(seed, units, ties):
    rng = np.random.default_rng(seed)
    N, k = 4, 3
    f = rng.dirichlet(np.ones(k), size=N)
    level = (rng.integers(0, 4, size=(N, k)) if ties else rng.permutation(N * k).reshape(N, k)).astype(float)
    level[rng.random((N, k)) < 0.2] = np.inf                        # some pairs never win
    q = rf.interim_allocation(level, f, units)
    assert np.allclose(q, brute_interim(level, f, units), atol=1e-12)


def test_interim_allocation_of_a_class_is_that_of_each_member():
    rng = np.random.default_rng(9)
    f_class = rng.dirichlet(np.ones(3), size=2)
    level_class = rng.permutation(6).astype(float).reshape(2, 3)
    sizes = np.array([3, 1])
    member = np.array([0, 0, 0, 1])
    per_bidder = rf.interim_allocation(level_class[member], f_class[member], 1)      # ties between members
    assert np.allclose(per_bidder, brute_interim(level_class[member], f_class[member], 1), atol=1e-12)
    assert np.allclose(rf.interim_allocation(level_class, f_class, 1, sizes), per_bidder[[0, 3]], atol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_greedy_hierarchy_is_the_best_hierarchy(seed):
    # Edmonds: the greedy order maximises a linear function over the polymatroid's vertices, i.e. over
    # every ranking of the pairs and every prefix of it
    rng = np.random.default_rng(seed)
    N, k, units = 2, 2, 1
    f = rng.dirichlet(np.ones(k), size=N)
    y = rng.normal(size=(N, k))
    allowed = np.ones((N, k), bool)
    best = -np.inf
    for perm in itertools.permutations(range(N * k)):
        for cut in range(N * k + 1):
            rank = np.full(N * k, np.inf)
            rank[list(perm[:cut])] = np.arange(cut)
            best = max(best, float(np.sum(y * rf.interim_allocation(rank.reshape(N, k), f, units))))
    greedy = rf.greedy_hierarchy(y, f, allowed)
    assert float(np.sum(y * rf.interim_allocation(greedy, f, units))) == pytest.approx(max(best, 0.0), abs=1e-12)


def random_auction(rng, n, units=1, null=False):
    vals = [sorted(rng.choice(np.arange(0, 9), size=int(rng.integers(2, 4)), replace=False).tolist())
            for _ in range(n)]
    probs = [rng.dirichlet(np.ones(len(v))) for v in vals]
    if null:
        probs[0][0] = 0.0
        probs[0] /= probs[0].sum()
    prior = md.IndependentPrior(probs)
    if units == 1:
        return md.examples.single_item_auction(values=vals, n_bidders=n, prior=prior)
    return md.examples.multi_unit_auction(values=vals, n_bidders=n, units=units, prior=prior)


@pytest.mark.parametrize("seed, n, units, objective, cons, null", [
    (0, 2, 1, "revenue", BIC, False),
    (1, 3, 1, "revenue", BIC, True),
    (2, 3, 1, "welfare", ["bic", "ir_interim", "budget_ex_ante"], False),
    (3, 2, 1, "deficit", ["bic", "ir_interim"], True),
    (4, 3, 1, "revenue", ["bic", "ir_ex_ante"], False),
    (5, 3, 2, "revenue", BIC, False),
    (6, 4, 2, "welfare", ["bic", "ir_interim", "budget_ex_ante"], False),
    (7, 3, 3, "revenue", BIC, True),
])
def test_same_optimum_as_the_full_lp(seed, n, units, objective, cons, null):
    env = random_auction(np.random.default_rng(seed), n, units, null)
    full = md.design(env, objective, cons, method="full")
    red = md.design(env, objective, cons, method="reduced_form")
    assert red.status == full.status == "optimal"
    assert red.value == pytest.approx(full.value, abs=1e-7)
    assert red.verification.holds
    # both audits ran: at every profile and on the induced interim rules
    assert set(red.verification.checks) == set(cons) | {f"{c} (interim rules)" for c in cons}


def test_unbounded_without_participation():
    env = md.examples.single_item_auction(values=[1, 2], n_bidders=2)
    assert md.design(env, "revenue", ["bic"], method="reduced_form").status == "unbounded"


def test_interim_rules_in_closed_form_match_the_block_audit():
    env = random_auction(np.random.default_rng(11), 3)
    res = md.design(env, "revenue", BIC, method="reduced_form")
    rule = res.mechanism.func
    for i in range(env.n_players):
        table = interim_utilities_table(res.mechanism, i)
        values = env.valuations[i][:, i]
        closed = values[:, None] * rule.q[i][None, :] + rule.money[i][None, :]
        assert np.allclose(table, closed, atol=1e-12)


def test_winners_pay_and_interim_participation_implies_ex_post():
    env = md.examples.single_item_auction(values=[1, 2, 3, 4], n_bidders=3)
    res = md.design(env, "revenue", BIC, method="reduced_form")
    mech = res.mechanism
    assert md.is_ir(mech, "ex_post").holds
    losers_pay = [mech.outcome(p).transfers[i] for p in env.profiles() for i in range(3)
                  if mech.outcome(p).lottery[i] == 0]
    assert np.allclose(losers_pay, 0.0)
    # Myerson with φ_j = 2j − 4: sell to a highest value among those ≥ 3 (φ(2) = 0: selling is optional);
    # the bidders are interchangeable, so the optimum found treats them alike: ties are split uniformly
    tie = mech.outcome((3, 3, 0))
    assert tie.lottery[:2] == pytest.approx([0.5, 0.5]) and tie.transfers[0] == pytest.approx(tie.transfers[1])
    out = mech.outcome((3, 0, 1))
    # the winner pays her type's expected payment per win, −M(t)/q(t), at most her value
    rule = mech.func
    assert out.lottery[0] == pytest.approx(1.0) and out.transfers[0] == pytest.approx(rule.money[0][3] / rule.q[0][3])
    assert -4.0 <= out.transfers[0] < 0


def test_multi_unit_structure_and_uniform_known_answer():
    # 2 units, 3 bidders uniform on {1,2,3}: φ = (−1, 1, 3); with unit demand the optimum sells to every
    # bidder with φ > 0 among the 2 highest (φ(2) = 1 > 0), revenue E[Σ of the 2 largest φ⁺]
    env = md.examples.multi_unit_auction(values=[1, 2, 3], n_bidders=3, units=2)
    structure = rf.allocation_structure(env)
    assert structure.units == 2 and len(structure.alternative) == 7
    phi = np.array([-1.0, 1.0, 3.0])
    expected = np.mean([sum(sorted(np.maximum(phi[list(p)], 0))[-2:]) for p in itertools.product(range(3), repeat=3)])
    res = md.design(env, "revenue", BIC, method="reduced_form")
    assert res.value == pytest.approx(expected, abs=1e-9) and res.verification.holds
    assert res.diagnostics["units"] == 2


def test_structure_rejects_what_is_not_an_auction_of_identical_units():
    assert "interdependent" in rf.allocation_structure(
        md.examples.random_environment(n_players=2, n_types=2, n_alternatives=3, seed=0, interdependent=True))
    # three alternatives, each giving the item to one of two bidders, and no 'nobody' alternative
    env = md.Environment(["A", "B"], ["a", "b", "a2"], [[1, 2], [1, 2]], md.IndependentPrior([[.5, .5]] * 2),
                         [np.array([[1.0, 0, 1.0], [2.0, 0, 2.0]]), np.array([[0, 1.0, 0], [0, 2.0, 0]])])
    assert "winner sets" in rf.allocation_structure(env)


def test_ten_bidders_ten_values_at_scale():
    # 10^10 profiles: audited on the interim rules only; the mechanism is evaluated lazily at any profile
    env = md.examples.single_item_auction(values=list(range(1, 11)), n_bidders=10)
    res = md.design(env, "revenue", BIC)
    j = np.arange(1, 11)
    expected = float((np.maximum(2 * j - 10, 0) * ((j / 10) ** 10 - ((j - 1) / 10) ** 10)).sum())
    assert res.method == "reduced_form" and res.value == pytest.approx(expected, abs=1e-7)
    assert res.verification.holds and set(res.verification.checks) == set(BIC)
    assert "interim rules" in res.diagnostics["verification"]
    out = res.mechanism.outcome((9, 3, 9, 0, 0, 0, 0, 0, 0, 0))
    assert out.lottery[[0, 2]] == pytest.approx([0.5, 0.5]) and out.lottery.sum() == pytest.approx(1.0)
    assert -10.0 <= min(out.transfers) < 0 and out.transfers[1] == 0
    low = res.mechanism.outcome((4,) * 10)           # all values 5: φ = 0, a sale is optional; nobody pays above 5
    assert low.lottery.sum() == pytest.approx(1.0) and min(low.transfers) >= -5.0 - 1e-9
