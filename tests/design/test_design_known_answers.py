"""Known answers of automated mechanism design (issue 7), each computed independently here."""

import itertools

import numpy as np
import pytest

import mechdesign as md


def one_bidder(values, probs=None):
    k = len(values)
    probs = [1 / k] * k if probs is None else probs
    return md.examples.single_item_auction(values=list(values), n_bidders=1,
                                           prior=md.IndependentPrior([probs]))


@pytest.mark.parametrize("K", [2, 5, 8, 11])
def test_one_bidder_posted_price(K):
    # Riley–Zeckhauser (1983): with one buyer the optimal mechanism is a posted
    # price p maximising p·P(v ≥ p); for v uniform on {1..K}, P(v ≥ p) = (K−p+1)/K.
    res = md.design(one_bidder(range(1, K + 1)), "revenue", ["dsic", "ir_ex_post"])
    best = max(p * (K - p + 1) / K for p in range(1, K + 1))
    assert res.status == "optimal"
    assert res.value == pytest.approx(best, abs=1e-9)
    assert res.verification.holds


def discrete_myerson_revenue(values, probs, n):
    """E[max(0, max_i φ(v_i))] with the discrete virtual value (Elkind 2007):
    φ(v_k) = v_k − (v_{k+1} − v_k)(1 − F(v_k)) / f(v_k), φ(v_K) = v_K (regular case)."""
    v, f = np.asarray(values, float), np.asarray(probs, float)
    F = np.cumsum(f)
    phi = v.copy()
    phi[:-1] = v[:-1] - (v[1:] - v[:-1]) * (1 - F[:-1]) / f[:-1]
    assert np.all(np.diff(phi) > 0), "instance must be regular (no ironing)"
    total = 0.0
    for prof in itertools.product(range(len(v)), repeat=n):
        total += np.prod(f[list(prof)]) * max(0.0, max(phi[list(prof)]))
    return total, phi


@pytest.mark.parametrize("values, probs", [
    (list(range(1, 11)), [0.1] * 10),                   # uniform {1..10}: 4.9 (issue 7 benchmark)
    ([1, 2, 4, 5], [0.1, 0.4, 0.3, 0.2]),               # non-uniform, regular
])
def test_two_bidders_discrete_myerson(values, probs):
    env = md.examples.single_item_auction(values=values, n_bidders=2, prior=md.IndependentPrior([probs, probs]))
    # the default solves the full LP (the optional symmetric reduction returns the symmetric
    # optimum, which splits the item between tied bidders)
    res = md.design(env, "revenue", ["dsic", "ir_ex_post"], randomized=True)
    expected, phi = discrete_myerson_revenue(values, probs, 2)
    assert res.status == "optimal" and res.value == pytest.approx(expected, abs=1e-8)
    symmetric = md.design(env, "revenue", ["dsic", "ir_ex_post"], options={"symmetry": True})
    assert symmetric.diagnostics["symmetry"]["player_swaps"] == 1
    assert symmetric.value == pytest.approx(expected, abs=1e-8) and symmetric.verification.holds
    # randomization is allowed but not needed: the optimum found is deterministic
    mech = res.mechanism
    assert mech.is_deterministic
    # and it allocates to a highest non-negative virtual value (Myerson's rule)
    for a, b in itertools.product(range(len(values)), repeat=2):
        winner = mech.decision_indices[a, b]
        top = max(phi[a], phi[b])
        if top < 0:
            assert winner == 2
        elif top > 0:
            assert winner in [i for i, t in enumerate((a, b)) if phi[t] == top]


def test_bic_equals_dsic_revenue_with_independent_private_values():
    # Myerson (1981) / Gershkov et al. (2013) equivalence on this instance: the BIC + interim IR
    # optimum equals the DSIC + ex-post IR optimum (issue 7 benchmark: 4 × 6 gives 4.515432...).
    env = md.examples.single_item_auction(values=list(range(1, 7)), n_bidders=3)
    a = md.design(env, "revenue", ["dsic", "ir_ex_post"]).value
    b = md.design(env, "revenue", ["bic", "ir_interim"]).value
    assert a == pytest.approx(b, abs=1e-8)
    expected, _ = discrete_myerson_revenue(range(1, 7), [1 / 6] * 6, 3)
    assert b == pytest.approx(expected, abs=1e-8)


def test_agv_is_feasible_and_welfare_design_reaches_first_best():
    env = md.examples.public_project()
    agv = md.agv(env)
    first_best = md.expected_welfare(md.vcg(env))          # efficient decision: first-best welfare
    # AGV satisfies efficient + BIC + strong budget balance (d'Aspremont & Gérard-Varet 1979) ...
    assert md.is_bic(agv) and md.is_budget_balanced(agv, "strong")
    # ... so pinning the transfers to AGV's leaves the LP feasible
    shape = (*env.n_types, env.n_players)
    pin = md.LinearConstraint(transfers=np.eye(int(np.prod(shape))).reshape(-1, *shape),
                              lb=agv.transfers.ravel(), ub=agv.transfers.ravel(), name="agv")
    pinned = md.design(env, "welfare", ["bic", "budget_strong", pin], decision="efficient")
    assert pinned.status == "optimal" and pinned.verification.holds
    assert np.allclose(pinned.mechanism.transfers, agv.transfers, atol=1e-9)
    # and the welfare-maximising BIC + strongly balanced design recovers first-best welfare
    free = md.design(env, "welfare", ["bic", "budget_strong"])
    assert free.status == "optimal" and free.value == pytest.approx(first_best, abs=1e-8)
    assert md.is_efficient(free.mechanism)


def test_cremer_mclean_full_surplus_extraction():
    # Crémer & McLean (1988): beliefs of full rank → BIC + interim IR revenue = E[max_i v_i].
    values = np.array([1.0, 2.0, 4.0])
    env = md.examples.correlated_auction(values, n_bidders=2, correlation=0.3)
    assert md.cremer_mclean_condition(env).holds
    res = md.design(env, "revenue", ["bic", "ir_interim"])
    surplus = float((env.prior.joint() * np.maximum.outer(values, values)).sum())
    assert res.status == "optimal" and res.value == pytest.approx(surplus, abs=1e-8)
    assert res.verification.holds
    # without correlation the seller leaves rent to the bidders
    indep = md.design(md.examples.correlated_auction(values, 2, 0.0), "revenue", ["bic", "ir_interim"])
    assert indep.value < surplus - 0.1


def test_milp_matches_brute_force_over_deterministic_rules():
    # Cross-method: the MILP optimum over deterministic rules equals the best of the
    # LPs with each of the 3^4 deterministic decision rules fixed.
    env = md.examples.random_environment(n_players=2, n_types=2, n_alternatives=3, seed=4)
    cons = ["bic", "ir_interim", "budget_ex_ante"]
    milp = md.design(env, "welfare", cons, randomized=False)
    best = -np.inf
    for rule in itertools.product(range(3), repeat=4):
        res = md.design(env, "welfare", cons, decision=np.array(rule).reshape(2, 2))
        if res.status == "optimal":
            best = max(best, res.value)
    assert milp.status == "optimal" and milp.method == "full" and milp.diagnostics["solver"] == "highs-milp"
    assert milp.mechanism.is_deterministic
    assert milp.value == pytest.approx(best, abs=1e-7)
    lp = md.design(env, "welfare", cons)
    assert lp.value >= milp.value - 1e-9


def test_deficit_objective_and_user_constraint():
    # Bilateral trade, costs {0, 2}, values {1, 3}, uniform; efficient trade at (0,1), (0,3), (2,3).
    # With DSIC and ex-post IR a trading buyer pays at most her critical (lowest trading) type given
    # c — 1 at c=0, 3 at c=2 — and a trading seller receives at least her critical (highest trading)
    # cost given v — 0 at v=1, 2 at v=3 (same allocation ⇒ same payment; IR at the critical type).
    # No-trade transfers 0. Net Σm per profile: (0,1): 0−1, (0,3): 2−1, (2,3): 2−3, (2,1): 0,
    # so the minimal expected deficit is (−1 + 1 − 1 + 0)/4 = −0.25 (a surplus of 0.25).
    env = md.examples.bilateral_trade((0, 2), (1, 3))
    res = md.design(env, "deficit", ["dsic", "ir_ex_post"], decision="efficient")
    assert res.status == "optimal"
    assert res.value == pytest.approx(-0.25, abs=1e-9)
    assert md.expected_deficit(res.mechanism) == pytest.approx(res.value, abs=1e-9)
    # a user cap on the seller's receipts at every profile is respected by the optimum
    shape = (*env.n_types, env.n_players)
    A = np.zeros((4, *shape))
    for k, (a, b) in enumerate(itertools.product(range(2), repeat=2)):
        A[k, a, b, 0] = 1.0
    capped = md.design(env, "deficit", ["dsic", "ir_ex_post", md.LinearConstraint(transfers=A, ub=2.5, name="cap")],
                       decision="efficient")
    assert capped.verification.checks["user:cap"].holds
    assert capped.mechanism.transfers[..., 0].max() <= 2.5 + 1e-9


def test_callable_objective_matches_named_one():
    env = md.examples.single_item_auction(values=[1, 3], n_bidders=2)

    def revenue(e):
        P = e.prior.joint()
        return None, -np.repeat(P[..., None], e.n_players, axis=-1)

    named = md.design(env, "revenue", ["dsic", "ir_ex_post"])
    custom = md.design(env, revenue, ["dsic", "ir_ex_post"])
    assert custom.objective == "revenue" and custom.value == pytest.approx(named.value, abs=1e-9)


def test_result_records_method_options_and_serialises():
    import json

    env = one_bidder([1, 2, 3])
    res = md.design(env, "revenue", ["dsic", "ir_ex_post"], options={"threads": 1, "time_limit": 30.0})
    assert res.options["threads"] == 1 and res.options["time_limit"] == 30.0
    data = json.loads(json.dumps(res.to_dict()))
    assert data["status"] == "optimal" and data["verification"]["holds"] is True
    assert "value" in res.summary() and "optimal" in repr(res)


def test_ex_ante_participation_extracts_expected_value():
    # One bidder, values {1, 2, 3}: with only ex-ante IR, "always sell for a fee E[v] = 2" is DSIC
    # and ex-ante IR, and revenue ≤ welfare ≤ E[v] (sum the IR constraint), so the optimum is 2.
    env = one_bidder([1, 2, 3])
    res = md.design(env, "revenue", ["dsic", "ir_ex_ante"])
    assert res.status == "optimal" and res.value == pytest.approx(2.0, abs=1e-9)
    assert res.verification.checks["ir_ex_ante"].holds


def test_zero_probability_types_are_skipped_in_bic_and_interim_ir():
    # Type 3 of bidder B never occurs: it has no belief, so no BIC/interim-IR rows (as in the audits).
    joint = np.array([[0.3, 0.2, 0.0], [0.1, 0.4, 0.0]])
    env = md.Environment(["A", "B"], ["A", "B", "none"], [[1, 2], [1, 2, 3]], md.JointPrior(joint),
                         [[[1, 0, 0], [2, 0, 0]], [[0, 1, 0], [0, 2, 0], [0, 3, 0]]])
    res = md.design(env, "revenue", ["bic", "ir_interim"])
    assert res.status == "optimal" and res.verification.holds
    assert res.diagnostics["rows_per_family"]["bic"] == 2 * 1 + 2 * 2      # A: 2 types × 1; B: 2 types × 2
    assert res.value <= float((joint * np.maximum.outer([1, 2], [1, 2, 3])).sum()) + 1e-9
