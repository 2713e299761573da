"""The bridge to the finite core: Environment + DirectMechanism per rule, audited (issue 15 §1).

Known answers: VCG is DSIC (Vickrey 1961, Clarke 1971, Groves 1973); pay-as-bid is not; core-selecting
rules are not DSIC in general (Day and Milgrom 2008: a core-selecting rule is DSIC only where VCG is in
the core), with the profitable misreport as witness.
"""

import numpy as np
import pytest

import mechdesign as md
from mechdesign.combinatorial import CombinatorialAuction
from mechdesign.combinatorial.finite import feasible_allocations
from mechdesign.errors import SpecError


def llg_shape():
    return CombinatorialAuction(["A", "B"], {"L1": [({"A"}, 1.0)], "L2": [({"B"}, 1.0)], "G": [({"A", "B"}, 1.0)]})


def test_environment_of_llg():
    env, mechs = llg_shape().to_environment({"L1": [1.0, 2.6, 3.0], "L2": [0.5, 1.0], "G": [2.0, 3.5]})
    assert env.alternatives == ("none", "L1:{A}", "L1:{A}+L2:{B}", "L2:{B}", "G:{A,B}")
    assert env.n_types == (3, 2, 2) and set(mechs) == {"pay_as_bid", "vcg", "nearest_vcg", "nearest_zero",
                                                       "nearest_bid"}
    # L1 values 2.6 the alternatives giving her A, nothing else
    assert env.valuations[0][1].tolist() == [0.0, 2.6, 2.6, 0.0, 0.0]
    vcg = mechs["vcg"]
    # at (3, 1, 3.5) the locals win; VCG payments (3.5 - 1, 3.5 - 3) = (2.5, 0.5); nearest-VCG adds half the
    # shortfall 3.5 - 3 to each: (2.75, 0.75)
    assert env.alternatives[vcg.decision_indices[2, 1, 1]] == "L1:{A}+L2:{B}"
    assert np.allclose(vcg.transfers[2, 1, 1], [-2.5, -0.5, 0.0])
    assert np.allclose(mechs["nearest_vcg"].transfers[2, 1, 1], [-2.75, -0.75, 0.0])


def test_audits_vcg_dsic_others_not():
    env, mechs = llg_shape().to_environment({"L1": [1.0, 2.6, 3.0], "L2": [0.5, 1.0], "G": [2.0, 3.5]})
    assert md.is_dsic(mechs["vcg"]).holds
    assert md.is_efficient(mechs["vcg"]).holds
    for rule in ["pay_as_bid", "nearest_vcg", "nearest_zero", "nearest_bid"]:
        result = md.is_dsic(mechs[rule])
        assert not result.holds and result.witness.gain > 0, rule
        assert result.witness.player in {"L1", "L2"}            # the global's truthful bid stays dominant
    report = md.check(mechs["nearest_vcg"])
    assert not report["dsic"].holds and report["ir_ex_post"].holds


def test_xor_multi_bundle_types_and_prior():
    auc = CombinatorialAuction(["A", "B"], {"x": [({"A"}, 1.0), ({"A", "B"}, 1.0)], "y": [({"B"}, 1.0)]})
    allocations = feasible_allocations(auc)
    assert allocations == [(), (0,), (0, 2), (1,), (2,)]
    env, mechs = auc.to_environment({"x": [[1.0, 3.0], [2.0, 2.0]], "y": [1.5]}, prior={"x": [0.25, 0.75]},
                                    rules=["vcg"])
    assert env.type_labels[0] == ("(1, 3)", "(2, 2)") and env.n_types == (2, 1)
    assert np.allclose(env.prior.marginals[0], [0.25, 0.75])
    assert md.is_dsic(mechs["vcg"]).holds and md.is_bic(mechs["vcg"]).holds


def test_bad_type_values():
    auc = llg_shape()
    with pytest.raises(SpecError, match="type_values: bidders among"):
        auc.to_environment({"Z": [1.0]})
    with pytest.raises(SpecError, match=r"type_values\['L1'\]\[0\]: 1 value\(s\), one per bid of 'L1'"):
        auc.to_environment({"L1": [[1.0, 2.0]]})
    with pytest.raises(SpecError, match=r"type_values\['L1'\]\[0\]: non-negative finite values"):
        auc.to_environment({"L1": [-1.0]})
    with pytest.raises(SpecError, match=r"type_values\['L1'\]: distinct types"):
        auc.to_environment({"L1": [1.0, 1.0]})
    with pytest.raises(SpecError, match="rules"):
        auc.to_environment({"L1": [1.0]}, rules=["reference"])


def test_design_on_the_bridge():
    # the revenue-optimal DSIC + ex-post IR mechanism earns at least VCG's revenue (VCG is DSIC and IR)
    env, mechs = llg_shape().to_environment({"L1": [1.0, 2.0], "L2": [1.0, 2.0], "G": [1.5, 3.0]}, rules=["vcg"])
    best = md.design(env, "revenue", ["dsic", "ir_ex_post"])
    assert best.status == "optimal"
    assert best.value >= md.expected_revenue(mechs["vcg"]) - 1e-9


def utility(env, mech, player, true_type, profile):
    """Player's utility with true type ``true_type`` when the reported profile is ``profile``."""
    x = mech.decision_indices[profile]
    return env.valuations[player][true_type, x] + mech.transfers[profile][player]


def test_witnesses_are_genuine_misreports():
    # each audit's witness, replayed on the mechanism's own tables, gains what it says
    env, mechs = llg_shape().to_environment({"L1": [1.0, 2.6, 3.0], "L2": [0.5, 1.0], "G": [2.0, 3.5]})
    for rule in ["pay_as_bid", "nearest_vcg", "nearest_zero", "nearest_bid"]:
        w = md.is_dsic(mechs[rule]).witness
        i, t, r = w.player_index, w.true_type_index, w.report_index
        lie = list(w.profile)
        truth = list(w.profile)
        truth[i], lie[i] = t, r
        gain = utility(env, mechs[rule], i, t, tuple(lie)) - utility(env, mechs[rule], i, t, tuple(truth))
        assert gain == pytest.approx(w.gain) and gain > 0, rule


def test_nearest_vcg_misreport_by_hand():
    # L1 values 3, L2 bids 1, G bids 3.5 (no ties). Truthful: VCG (2.5, 0.5), shortfall 0.5 split -> L1 pays 2.75,
    # utility 0.25. Reporting 2.6: VCG (2.5, 0.9), shortfall 0.1 -> L1 pays 2.55, utility 0.45: gain 0.2
    env, mechs = llg_shape().to_environment({"L1": [1.0, 2.6, 3.0], "L2": [0.5, 1.0], "G": [2.0, 3.5]})
    mech = mechs["nearest_vcg"]
    assert utility(env, mech, 0, 2, (2, 1, 1)) == pytest.approx(0.25)
    assert utility(env, mech, 0, 2, (1, 1, 1)) == pytest.approx(0.45)
    assert md.is_dsic(mech).violation >= 0.2 - 1e-9
    # VCG at the same profiles: L1 pays 2.5 whatever she reports above 2.5 (DSIC)
    assert utility(env, mechs["vcg"], 0, 2, (2, 1, 1)) == pytest.approx(0.5)
    assert utility(env, mechs["vcg"], 0, 2, (1, 1, 1)) == pytest.approx(0.5)


def test_bic_and_reports():
    # uniform prior: VCG is BIC (DSIC implies BIC); pay-as-bid is not (a winner gains by shading her bid)
    env, mechs = llg_shape().to_environment({"L1": [1.0, 2.6, 3.0], "L2": [0.5, 1.0], "G": [2.0, 3.5]})
    assert md.is_bic(mechs["vcg"]).holds
    bic = md.is_bic(mechs["pay_as_bid"])
    assert not bic.holds and bic.witness.gain > 0 and bic.witness.report_index < bic.witness.true_type_index
    report = md.check(mechs["vcg"])
    assert report["dsic"].holds and report["bic"].holds and report["ir_ex_post"].holds and report["efficient"].holds
