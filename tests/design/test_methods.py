"""design(method=...): every method that applies gives the known optimum (issue 16), and the dispatcher.

The optima are computed here independently of the library, from Myerson (1981)
in its discrete form (Elkind 2007, "Designing and learning optimal finite
support auctions"): the optimal revenue of a single-item auction with
independent private values is E[max(0, max_i φ̄_i(v_i))], where φ̄_i are the
ironed virtual values — slopes of the concave hull of the revenue curve
R(q) = q·v(q) in quantile space. For values uniform on {1..K},
φ_j = 2j − K (no ironing).
"""

import itertools

import numpy as np
import pytest

import mechdesign as md


def uniform_myerson(K, n):
    """E[max_i φ(v_i)^+] for n i.i.d. bidders uniform on {1..K}: φ_j = 2j − K; P(max = j) = (j/K)^n − ((j−1)/K)^n."""
    j = np.arange(1, K + 1)
    return float((np.maximum(2 * j - K, 0) * ((j / K) ** n - ((j - 1) / K) ** n)).sum())


def ironed_virtual_values(values, probs):
    """(ironed φ̄, raw φ) per type: slopes of the concave hull of the points (q_j, v_j q_j), q_j = P(v ≥ v_j)."""
    v, f = np.asarray(values, float), np.asarray(probs, float)
    q = np.append(np.cumsum(f[::-1])[::-1], 0.0)
    R = np.append(v * q[:-1], 0.0)
    hull = []
    for p in sorted(zip(q, R)):                     # upper hull, left to right
        while len(hull) >= 2 and ((hull[-1][1] - hull[-2][1]) * (p[0] - hull[-2][0])
                                  <= (p[1] - hull[-2][1]) * (hull[-1][0] - hull[-2][0])):
            hull.pop()
        hull.append(p)
    hq, hR = np.array(hull).T
    Rbar = np.interp(q, hq, hR)
    return (Rbar[:-1] - Rbar[1:]) / f, (R[:-1] - R[1:]) / f


def myerson_revenue(dists, ironed=True):
    """E[max(0, max_i φ̄_i(v_i))] by enumeration of the profiles."""
    phis = [ironed_virtual_values(v, f)[0 if ironed else 1] for v, f in dists]
    total = 0.0
    for prof in itertools.product(*[range(len(v)) for v, _ in dists]):
        p = np.prod([dists[i][1][t] for i, t in enumerate(prof)])
        total += p * max(0.0, max(phis[i][t] for i, t in enumerate(prof)))
    return total


def auction(K, n):
    return md.examples.single_item_auction(values=list(range(1, K + 1)), n_bidders=n)


DSIC = ["dsic", "ir_ex_post"]
BIC = ["bic", "ir_interim"]

# (bidders, K, expected) from issue 16; the expected values are also recomputed from φ_j = 2j − K
KNOWN = [(2, 4, 2.375), (2, 10, 4.9), (3, 8, 5.078125), (3, 12, 7.21875), (4, 6, 4.5154320988),
         (5, 6, 4.8703703704), (6, 6, 5.1233710562)]


@pytest.mark.parametrize("n, K, expected", KNOWN)
def test_known_answers_agree_with_the_closed_form(n, K, expected):
    assert uniform_myerson(K, n) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("n, K, expected", KNOWN)
def test_reduced_form_known_answers(n, K, expected):
    res = md.design(auction(K, n), "revenue", BIC, method="reduced_form")
    assert res.method == "reduced_form" and res.status == "optimal" and res.verification.holds
    assert res.value == pytest.approx(uniform_myerson(K, n), abs=1e-7)


@pytest.mark.parametrize("n, K, methods", [
    (2, 4, ("full", "cutting_plane")), (2, 10, ("full", "cutting_plane")), (3, 8, ("full", "cutting_plane")),
    (3, 12, ("cutting_plane",)), (4, 6, ("cutting_plane",))])
def test_dsic_known_answers(n, K, methods):
    for method in methods:
        res = md.design(auction(K, n), "revenue", DSIC, method=method)
        assert res.method == method and res.status == "optimal" and res.verification.holds
        assert res.value == pytest.approx(uniform_myerson(K, n), abs=1e-7), method


@pytest.mark.parametrize("n, K", [(2, 4), (4, 6), pytest.param(5, 6, marks=pytest.mark.slow)])
def test_bic_known_answers_every_method(n, K):
    for method in ("full", "cutting_plane", "reduced_form"):
        res = md.design(auction(K, n), "revenue", BIC, method=method)
        assert res.method == method and res.status == "optimal" and res.verification.holds
        assert res.value == pytest.approx(uniform_myerson(K, n), abs=1e-7), method


IRREGULAR = ([1, 2, 3, 4, 5], [0.16, 0.44, 0.09, 0.2, 0.11])     # φ = (−4.18, 1.08, −0.51, 3.43, 5): types 2, 3 ironed


def test_the_irregular_prior_needs_ironing():
    ironed, raw = ironed_virtual_values(*IRREGULAR)
    assert np.any(np.diff(raw) < 0) and np.all(np.diff(ironed) >= -1e-12)
    assert ironed[1] == pytest.approx(ironed[2]) and ironed[1] > 0
    # ironing changes the optimum here, so the checks below tell the two formulas apart
    assert abs(myerson_revenue([IRREGULAR] * 2) - myerson_revenue([IRREGULAR] * 2, ironed=False)) > 0.05


@pytest.mark.parametrize("dists", [
    [IRREGULAR, IRREGULAR],
    [IRREGULAR, ([1, 2, 3, 4, 5], [0.2] * 5)],
    [IRREGULAR, ([0, 2, 6], [0.5, 0.3, 0.2]), ([1, 3], [0.6, 0.4])],
])
def test_ironed_myerson_optimum_every_method(dists):
    env = md.examples.single_item_auction(values=[v for v, _ in dists], n_bidders=len(dists),
                                          prior=md.IndependentPrior([f for _, f in dists]))
    expected = myerson_revenue(dists)
    for method in ("full", "cutting_plane", "reduced_form"):
        res = md.design(env, "revenue", BIC, method=method)
        assert res.status == "optimal" and res.verification.holds
        assert res.value == pytest.approx(expected, abs=1e-7), method
    for method in ("full", "cutting_plane"):                    # Myerson: the DSIC optimum is the same
        res = md.design(env, "revenue", DSIC, method=method)
        assert res.value == pytest.approx(expected, abs=1e-7), method


# ----------------------------------------------------------------- dispatcher
def test_auto_picks_reduced_form_for_bic_auctions_and_says_why():
    res = md.design(auction(6, 3), "revenue", BIC)
    assert res.method == "reduced_form" and "interim" in res.diagnostics["method_reason"]


def test_auto_picks_cutting_planes_for_large_dsic_and_full_for_small():
    big = md.design(auction(40, 2), "revenue", DSIC)
    assert big.method == "cutting_plane" and big.diagnostics["rounds"] >= 1
    assert big.value == pytest.approx(uniform_myerson(40, 2), abs=1e-7)
    small = md.design(md.examples.public_project(), "welfare", ["dsic", "budget_weak"])
    assert small.method == "full"
    # the symmetry reduction belongs to the full LP: auto honours it
    sym = md.design(auction(4, 2), "revenue", BIC, options={"symmetry": True})
    assert sym.method == "full" and "symmetry" in sym.diagnostics


def test_unknown_method_is_a_spec_error_listing_the_methods():
    with pytest.raises(md.errors.SpecError, match="method.*cutting_plane"):
        md.design(auction(3, 2), "revenue", BIC, method="cutting")


@pytest.mark.parametrize("env, cons, why", [
    (auction(3, 2), DSIC, "not interim"),
    (md.examples.correlated_auction([1, 2, 4], n_bidders=2, correlation=0.3), BIC, "IndependentPrior"),
    (md.examples.public_project(), BIC, "winner sets"),
    (md.examples.random_environment(n_players=2, n_types=2, n_alternatives=3, seed=1), BIC,
     "values alternatives differently"),
])
def test_reduced_form_that_does_not_apply_says_why(env, cons, why):
    with pytest.raises(md.errors.SpecError, match=why):
        md.design(env, "revenue", cons, method="reduced_form")


def test_reduced_form_rejects_fixed_decisions_deterministic_rules_and_callables():
    env = auction(3, 2)
    with pytest.raises(md.errors.SpecError, match="randomized=False"):
        md.design(env, "revenue", BIC, randomized=False, method="reduced_form")
    with pytest.raises(md.errors.SpecError, match="fixed"):
        md.design(env, "revenue", BIC, decision="efficient", method="reduced_form")
    with pytest.raises(md.errors.SpecError, match="callable"):
        md.design(env, lambda e: (None, -np.ones((*e.n_types, e.n_players))), BIC, method="reduced_form")


def test_bad_objective_is_reported_as_such_whatever_the_method():
    with pytest.raises(md.errors.SpecError, match="objective"):
        md.design(auction(3, 2), "revnue", BIC, method="reduced_form")


def test_symmetry_only_with_the_full_lp():
    with pytest.raises(md.errors.SpecError, match="symmetry"):
        md.design(auction(3, 2), "revenue", DSIC, method="cutting_plane", options={"symmetry": True})


@pytest.mark.parametrize("name", ["max_rounds", "max_columns"])
def test_method_options_are_validated(name):
    with pytest.raises(md.errors.SpecError, match=name):
        md.design(auction(3, 2), "revenue", DSIC, options={name: 0})
