"""One rule for types of probability zero, whatever the spelling of the prior (docs/concepts.md).

Interim conditions (BIC, interim IR, the BNE best-response condition, the LP's rows,
revelation's certificate) bind at types of positive marginal probability only; misreports
*to* such a type are still deviations; ex-post conditions hold at every profile. A law
written as an IndependentPrior and as the equal JointPrior must get the same verdicts.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mechdesign as md
from tests.semantics.laws import both_forms, joint_of, product_laws, random_mechanism

MARGINALS = [[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]]
AUDITS = {
    "dsic": md.is_dsic, "bic": md.is_bic, "efficient": md.is_efficient,
    "ir_ex_post": lambda m: md.is_ir(m, "ex_post"), "ir_interim": lambda m: md.is_ir(m, "interim"),
    "ir_ex_ante": lambda m: md.is_ir(m, "ex_ante"),
    "budget_weak": lambda m: md.is_budget_balanced(m, "weak"),
    "budget_strong": lambda m: md.is_budget_balanced(m, "strong"),
    "budget_weak_ex_ante": lambda m: md.is_budget_balanced(m, "weak", ex_ante=True),
}


def auctions():
    ind = md.examples.single_item_auction(values=[0, 1, 2], n_bidders=2, prior=md.IndependentPrior(MARGINALS))
    joint = md.examples.single_item_auction(values=[0, 1, 2], n_bidders=2,
                                            prior=md.JointPrior(np.outer(*MARGINALS)))
    return ind, joint


def same(a, b, atol=1e-9):
    assert a.holds == b.holds, (a, b)
    assert abs(a.violation - b.violation) <= atol, (a, b)
    wa, wb = a.witness, b.witness
    if max(a.violation, b.violation) > atol:
        # a raw worst gain at rounding level (the two spellings sum the interim expectation in a
        # different order: 2.2e-15 against 0) comes with a witness on one side only; above that,
        # both must name one
        assert (wa is None) == (wb is None), (a, b)
    if wa is not None and a.violation > 1e-6:
        assert (wa.player, wa.true_type, wa.report, wa.profile) == (wb.player, wb.true_type, wb.report, wb.profile)


def test_issue_example_designs_and_reverifies_with_an_independent_prior():
    # On main the LP skipped the null type's BIC rows but is_bic checked them under an IndependentPrior,
    # so design reported its own optimum as violating BIC.
    for env in auctions():
        res = md.design(env, "revenue", ["bic", "ir_interim"])
        assert res.status == "optimal" and res.success, res.message
        assert res.verification.holds
    values = [md.design(env, "revenue", ["bic", "ir_interim"]).value for env in auctions()]
    assert values[0] == pytest.approx(values[1], abs=1e-8)


def test_a_null_type_is_not_held_to_bic_but_a_report_of_it_is_checked():
    ind, joint = auctions()
    # The null type 2 of B1 would gain by reporting 0 (it wins at a price it dislikes), no one else gains.
    decision = np.full((3, 3), 2)                       # nobody gets the item ...
    decision[2, :] = 0                                  # ... except B1 reporting 2, who gets it
    transfers = np.zeros((3, 3, 2))
    transfers[2, :, 0] = -3.0                           # and pays 3: only her null type 2 (value 2) minds
    for env in (ind, joint):
        r = md.is_bic(md.DirectMechanism(env, decision, transfers))
        assert r.holds and r.violation == 0.0, r
    # a misreport *to* the null type: reporting 2 now pays positive-probability types
    transfers[2, :, 0] = +1.0
    results = [md.is_bic(md.DirectMechanism(env, decision, transfers)) for env in (ind, joint)]
    for r in results:
        assert not r.holds and r.witness.report == "2" and r.witness.true_type in {"0", "1"}
        assert r.violation == pytest.approx(2.0)      # type 1: value 1 + money 1 instead of 0
    same(*results)


def test_ex_post_conditions_hold_at_null_profiles_too():
    ind, joint = auctions()
    transfers = np.zeros((3, 3, 2))
    transfers[2, 2] = [1.0, 0.0]                        # the designer pays at a profile of probability 0
    for env in (ind, joint):
        mech = md.DirectMechanism(env, np.full((3, 3), 2), transfers)
        r = md.is_budget_balanced(mech, "weak")
        assert not r.holds and r.witness.profile == (2, 2)
        assert md.is_budget_balanced(mech, "weak", ex_ante=True).holds


def test_acceptance_style_random_mechanisms_agree():
    rng = np.random.default_rng(5)
    ind, joint = auctions()
    for _ in range(10):
        dec = rng.integers(0, 3, size=(3, 3))
        tr = rng.normal(size=(3, 3, 2))
        a, b = md.DirectMechanism(ind, dec, tr), md.DirectMechanism(joint, dec, tr)
        for audit in AUDITS.values():
            same(audit(a), audit(b))


def test_agv_with_a_factorising_joint_prior_and_a_null_type_is_bic():
    # B's second type has probability 0. On main the joint spelling gave it an expected externality
    # of 0 (no belief) and B's positive type gained by reporting it; the IndependentPrior was fine.
    for prior in (md.JointPrior(np.array([[1.0, 0.0]])), md.IndependentPrior([[1.0], [1.0, 0.0]])):
        env = md.Environment(players=["A", "B"], alternatives=["x"], types=[[0], [0, 1]], prior=prior,
                             valuations=[np.array([[-1.0]]), np.array([[0.0], [0.0]])])
        mech = md.agv(env)
        assert md.is_bic(mech).holds and md.is_budget_balanced(mech, kind="strong").holds
    env = md.Environment(players=["A", "B"], alternatives=["x", "y"], types=[[0, 1], [0, 1]],
                         prior=md.JointPrior(np.outer([0.5, 0.5], [1.0, 0.0])),
                         valuations=[np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([[0.0, 1.0], [3.0, 0.0]])])
    joint, independent = md.agv(env), md.agv(env.with_prior(md.IndependentPrior([[0.5, 0.5], [1.0, 0.0]])))
    assert md.is_bic(joint).holds
    np.testing.assert_allclose(joint.transfers, independent.transfers, rtol=0, atol=1e-12)
    # E_B(1) from A's marginal: against B's type 1 (values x: 3, y: 0) x is efficient for both A types,
    # and A gets 1 (type 0) or 0 (type 1): 0.5
    assert md.expected_externality(env)[1][1] == pytest.approx(0.5)


def test_revelation_certifies_the_equilibria_solve_bne_finds():
    prior = md.IndependentPrior(MARGINALS)
    for p in (prior, md.JointPrior(np.outer(*MARGINALS))):
        game = md.BayesianGame.from_mechanism(md.examples.first_price_auction(bids=[0, 1, 2], values=[0, 1, 2],
                                                                              prior=p))
        eqs = md.solve_bne(game, method="pure").equilibria
        assert eqs
        for eq in eqs:
            rev = md.revelation(game, eq.strategies)
            assert rev.bic.holds, (type(p).__name__, eq, rev.bic)


@settings(max_examples=25, deadline=None)
@given(product_laws(), st.integers(2, 3), st.integers(0, 2**31 - 1), st.booleans())
def test_both_spellings_of_a_product_law_agree_everywhere(marginals, n_alternatives, seed, randomized):
    ind, joint = both_forms(marginals, n_alternatives, seed)
    rng = np.random.default_rng(seed)
    mech = random_mechanism(ind, rng, randomized)
    a = mech
    b = md.DirectMechanism(joint, mech.decision if randomized else mech.decision_indices, mech.transfers)
    for audit in AUDITS.values():
        same(audit(a), audit(b))
    ra, rb = md.check(a), md.check(b)
    assert ra.holds == rb.holds
    for key in ra.metrics:
        assert ra.metrics[key] == pytest.approx(rb.metrics[key], abs=1e-9)
    for built in (md.vcg, md.agv):
        same(md.is_bic(built(ind)), md.is_bic(built(joint)))
        assert md.is_bic(built(joint)).holds
    for objective, constraints in (("revenue", ["bic", "ir_interim"]), ("welfare", ["bic", "budget_weak"]),
                                   ("revenue", ["dsic", "ir_ex_post"])):
        da, db = md.design(ind, objective, constraints), md.design(joint, objective, constraints)
        assert da.status == db.status, (da.message, db.message)
        if da.status == "optimal":
            assert da.value == pytest.approx(db.value, abs=1e-7)
            assert da.verification.holds and db.verification.holds, (da.message, db.message)
            # each optimum also passes the other spelling's audits
            swapped = md.DirectMechanism(ind, db.mechanism.decision, db.mechanism.transfers)
            for c in constraints:
                assert AUDITS[c](swapped).holds, (c, AUDITS[c](swapped))


@settings(max_examples=15, deadline=None)
@given(product_laws(max_players=2, max_types=3), st.integers(0, 2**31 - 1))
def test_games_and_revelation_agree_for_both_spellings(marginals, seed):
    rng = np.random.default_rng(seed)
    n_types = [len(m) for m in marginals]
    values = [sorted(rng.choice(4, size=k, replace=False).tolist()) for k in n_types]
    results = []
    for prior in (md.IndependentPrior(marginals), md.JointPrior(joint_of(marginals))):
        env = md.examples.single_item_auction(values=values, n_bidders=2, prior=prior)
        game = md.BayesianGame.from_mechanism(md.examples.first_price_auction(bids=[0, 1, 2], env=env))
        eqs = md.solve_bne(game, method="pure").equilibria
        certificates = [md.revelation(game, eq.strategies).bic for eq in eqs]
        assert all(c.holds for c in certificates)
        results.append(([tuple(map(tuple, eq.pure())) for eq in eqs], [c.violation for c in certificates]))
    assert results[0][0] == results[1][0]
    np.testing.assert_allclose(results[0][1], results[1][1], atol=1e-9)
