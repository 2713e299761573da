"""Payments: VCG and core-selecting rules against hand computations, closed forms and enumeration.

Sources: LLG payments in closed form (Ausubel and Baranov 2020, §3; Goeree and Lien 2016; the
formulas bnelearn's LLGAuction implements), Day and Raghavan (2007) for the minimum-revenue core,
Day and Cramton (2012) for nearest-VCG; the brute force of brute_ca.py enumerates every coalition.
"""

import itertools

import numpy as np
import pytest

import mechdesign as md
from mechdesign.combinatorial import CombinatorialAuction
from mechdesign.combinatorial.bayesian import local_payment
from mechdesign.errors import SpecError

from .brute_ca import core_point, vcg

C = md.combinatorial
CORE = ["nearest_vcg", "nearest_zero", "nearest_bid"]


def llg(b1, b2, bg):
    return CombinatorialAuction(["A", "B"], {"L1": [({"A"}, b1)], "L2": [({"B"}, b2)], "G": [({"A", "B"}, bg)]})


def amounts(pay):
    return np.array([pay.payments["L1"], pay.payments["L2"], pay.payments["G"]])


def test_vcg_by_hand_and_outside_the_core():
    # L1 pays max(3.5, 2.5) - 2.5 = 1, L2 pays 3.5 - 2 = 1.5; revenue 2.5 < 3.5, the global blocks
    auc = llg(2.0, 2.5, 3.5)
    pay = auc.payments(rule="vcg")
    assert np.allclose(amounts(pay), [1.0, 1.5, 0.0]) and pay.revenue == pytest.approx(2.5)
    assert pay.core_constraints == 0 and pay.vcg == pay.payments and pay.status == "optimal"
    core = auc.in_core(pay)
    assert not core.holds and core.violation == pytest.approx(1.0)
    assert core.witness.details["coalition"] == ["G"] and core.witness.gain == pytest.approx(1.0)
    assert core.witness.details["allocation"] == {"G": [["A", "B"]]}


def test_textbook_vcg_revenue_zero():
    # two locals each value 1, the global 1 for the bundle: VCG charges nothing, the core needs >= 1
    auc = llg(1.0, 1.0, 1.0)
    pay = auc.payments(rule="vcg")
    assert pay.revenue == 0.0
    core = auc.in_core(pay)
    assert not core.holds and core.witness.details["coalition"] == ["G"]
    assert "blocks with the seller" in str(core.witness)
    for rule in CORE:
        p = auc.payments(rule=rule)
        assert p.revenue == pytest.approx(1.0) and auc.in_core(p).holds
        assert np.allclose(amounts(p), [0.5, 0.5, 0.0])


def test_core_rules_by_hand():
    auc = llg(2.0, 2.5, 3.5)
    expected = {"nearest_vcg": [1.5, 2.0, 0.0], "nearest_zero": [1.75, 1.75, 0.0], "nearest_bid": [1.5, 2.0, 0.0],
                "proxy": [1.75, 1.75, 0.0], "pay_as_bid": [2.0, 2.5, 0.0]}
    for rule, want in expected.items():
        pay = auc.payments(rule=rule)
        assert np.allclose(amounts(pay), want, atol=1e-9), (rule, pay.payments)
        assert auc.in_core(pay).holds
    pay = auc.payments(rule="nearest_vcg")
    assert pay.minimum_revenue == pytest.approx(3.5) and pay.core_constraints == 1
    assert pay.reference == {"L1": 1.0, "L2": 1.5, "G": 0.0}


def test_rules_separated():
    # bids L1 = 4, L2 = 1, G = 3.5 (issue 15 §2): VCG (2.5, 0), nearest-VCG (3, 0.5), nearest-bid (3.25, 0.25),
    # nearest-zero (2.5, 1)
    auc = llg(4.0, 1.0, 3.5)
    expected = {"vcg": [2.5, 0.0], "nearest_vcg": [3.0, 0.5], "nearest_bid": [3.25, 0.25], "nearest_zero": [2.5, 1.0]}
    for rule, want in expected.items():
        for backend in ("highs", "scip", "cpsat"):
            pay = auc.payments(rule=rule, backend=backend)
            assert np.allclose(amounts(pay)[:2], want, atol=1e-9), (rule, backend, pay.payments)


def test_llg_grid_matches_closed_forms():
    # every rule on a grid of LLG bid profiles, against the closed forms (module docstring sources)
    values = [0.0, 0.3, 0.7, 1.6]               # with bg: every branch of every rule (weak locals, outbidding)
    for b1, b2, bg in itertools.product(values, values, [0.4, 1.0, 1.9]):
        if b1 + b2 == bg:
            continue                                  # a tie: either allocation is efficient
        auc = llg(b1, b2, bg)
        locals_win = b1 + b2 > bg
        for rule in ["vcg"] + CORE:
            pay = auc.payments(rule=rule)
            if locals_win:
                want = [float(local_payment(rule, b1, b2, bg)), float(local_payment(rule, b2, b1, bg)), 0.0]
            else:
                want = [0.0, 0.0, b1 + b2 if bg > 0 else 0.0]
            assert np.allclose(amounts(pay), want, atol=1e-7), (rule, b1, b2, bg, pay.payments, want)


def random_auction(rng, n_bidders, items, language):
    bids = {}
    for b in range(n_bidders):
        bundles = []
        while len(bundles) < 2:
            bundle = frozenset(rng.choice(items, size=rng.integers(1, 4), replace=False).tolist())
            if bundle not in bundles:
                bundles.append(bundle)
        bids[f"b{b}"] = [(set(s), float(np.round(rng.uniform(1, 10), 2))) for s in bundles]
    return bids


@pytest.mark.parametrize("language", ["xor", "or"])
def test_against_full_coalition_enumeration(language):
    # constraint generation finds the same minimum-revenue core and nearest points as enumerating every
    # coalition (2^n core constraints, LP + SLSQP in brute_ca.py)
    rng = np.random.default_rng(2)
    items = list("abcdef")
    for _ in range(4):
        bids = random_auction(rng, 5, items, language)
        auc = CombinatorialAuction(items, bids, language=language)
        want_vcg, values = vcg(bids, language)
        got_vcg = auc.payments(rule="vcg")
        assert all(abs(got_vcg.payments[b] - want_vcg[b]) < 1e-7 for b in bids)
        for rule in CORE:
            ref = {"nearest_vcg": want_vcg, "nearest_zero": {}, "nearest_bid": values}[rule]
            want, revenue = core_point(bids, ref, language)
            got = auc.payments(rule=rule)
            assert got.minimum_revenue == pytest.approx(revenue, abs=1e-7)
            assert all(abs(got.payments[b] - want[b]) < 1e-5 for b in bids), (rule, got.payments, want)
            assert auc.in_core(got).holds
            assert got.revenue >= got_vcg.revenue - 1e-9
            assert all(got.payments[b] <= values[b] + 1e-9 for b in bids)


def test_reference_rule_and_errors():
    auc = llg(4.0, 1.0, 3.5)
    pay = auc.payments(rule="reference", reference={"L1": 4.0, "L2": 0.0})
    assert np.allclose(amounts(pay), [3.5, 0.0, 0.0])            # the MRC face point nearest (4, 0)
    with pytest.raises(SpecError, match="reference: a mapping"):
        auc.payments(rule="reference")
    with pytest.raises(SpecError, match="reference: no reference point unless rule='reference'"):
        auc.payments(rule="vcg", reference={"L1": 1})
    with pytest.raises(SpecError, match="reference"):
        auc.payments(rule="reference", reference={"nobody": 1})
    with pytest.raises(SpecError, match=r"rule: one of \['pay_as_bid', 'vcg'"):
        auc.payments(rule="second_price")


def test_in_core_individual_rationality_and_mappings():
    auc = llg(2.0, 2.5, 3.5)
    over = auc.in_core({"L1": 2.5, "L2": 1.5})                  # L1 pays more than her bid
    assert not over.holds and over.witness.player == "L1" and over.violation == pytest.approx(0.5)
    assert auc.in_core({"L1": 1.5, "L2": 2.0}).holds
    assert not auc.in_core({"L1": 1.5, "L2": 1.9}).holds          # revenue 3.4 < 3.5: G blocks
    with pytest.raises(SpecError, match="payments"):
        auc.in_core({"X": 1.0})
    with pytest.raises(SpecError, match=r"payments\['L1'\]: a finite number"):
        auc.in_core({"L1": float("inf")})
    with pytest.raises(SpecError, match="payments: a Payments result or a mapping"):
        auc.in_core([1.0, 2.0])


def test_llllgg_vcg_against_brute_force():
    for seed in range(3):
        auc = C.generate("llllgg", seed=seed)
        bids = {b: [(set(x.bundle), x.price) for x in auc.bids_of(b)] for b in auc.bidders}
        want, _ = vcg(bids)
        got = auc.payments(rule="vcg")
        assert all(abs(got.payments[b] - want[b]) < 1e-9 for b in bids)
        core = auc.payments(rule="nearest_vcg")
        assert auc.in_core(core).holds and core.revenue >= got.revenue - 1e-9


def test_vcg_skips_losers_and_counts_solves():
    auc = llg(2.0, 2.5, 3.5)
    pay = auc.payments(rule="vcg")
    assert pay.solves == 1 + 2                                    # the allocation + one per winner
    assert "L1: pays 1" in pay.summary() and pay.to_dict()["rule"] == "vcg"
    assert pay.utilities() == {"L1": 1.0, "L2": 1.0, "G": 0.0}


def test_progress_callback_sees_every_solve():
    calls = []
    auc = C.generate("regions", 25, 60, seed=4)
    pay = auc.payments(rule="nearest_vcg", progress=lambda done, total: calls.append((done, total)))
    n_vcg = len(pay.winners.winners)
    assert [c[0] for c in calls][:n_vcg] == list(range(1, n_vcg + 1)) and calls[n_vcg - 1] == (n_vcg, n_vcg)
    assert len(calls) == pay.solves - 1                          # every solve after the allocation
    with pytest.raises(SpecError, match="progress"):
        auc.payments(rule="vcg", progress="yes")
