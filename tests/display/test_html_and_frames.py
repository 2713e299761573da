"""Rich display (HTML) names verdicts and labels; to_frame() tables have labelled indexes."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import mechdesign as md


@pytest.fixture(scope="module")
def project():
    return md.examples.public_project()


@pytest.fixture(scope="module")
def first_price():
    return md.BayesianGame.from_mechanism(md.examples.first_price_auction(bids=[0, 1, 2], values=[0, 1, 2, 3]))


def test_report_html_names_every_property_verdict_and_witness(project):
    rep = md.check(md.agv(project))
    html = rep._repr_html_()
    for name, r in rep.results.items():
        assert f"<td class=\"l\">{name}</td>" in html
    assert html.count(">holds<") == sum(rep.holds.values())
    assert html.count(">FAILS<") == len(rep.results) - sum(rep.holds.values()) > 0
    failing = next(r for r in rep.results.values() if not r.holds)
    assert failing.witness.description.replace("'", "&#x27;") in html
    for metric in rep.metrics:
        assert metric in html


def test_property_result_html(project):
    bad = md.is_ir(md.agv(project), kind="ex_post")
    html = bad._repr_html_()
    assert "property ir_ex_post" in html and ">FAILS<" in html and "witness" in html
    assert ">holds<" in md.is_dsic(md.vcg(project))._repr_html_()


def test_mechanism_html_and_frame_by_profile_with_labels(project):
    mech = md.vcg(project)
    html = mech._repr_html_()
    assert "θ A" in html and "m B" in html and "build" in html and "skip" in html
    assert "<td class=\"l\">45</td>" in html
    frame = mech.to_frame()
    assert list(frame.index.names) == ["A", "B"] and len(frame) == 9
    assert list(frame.columns) == ["decision", "m A", "m B"]
    # the row (45, 10): build iff 45 + 10 > 50, A pivotal pays 50/2 - 10 ... read from the arrays
    row = frame.loc[("45", "10")]
    assert row["decision"] == project.alternatives[mech.decision_indices[2, 0]]
    assert np.allclose([row["m A"], row["m B"]], mech.transfers[2, 0])


def test_randomized_mechanism_frame_has_lottery_columns_and_html_caps_rows():
    env = md.examples.random_environment(n_players=3, n_types=4, n_alternatives=2, seed=0)
    mech = md.vcg(env, ties="uniform")
    lottery = np.full((4, 4, 4, 2), 0.5)
    rnd = md.DirectMechanism(env, decision=lottery, transfers=mech.transfers, name="coin")
    frame = rnd.to_frame()
    assert [c for c in frame.columns if c.startswith("P(")] == [f"P({x})" for x in env.alternatives]
    assert len(frame) == 64 and frame.index.nlevels == 3
    html = rnd._repr_html_()
    assert "first 30 of 64 profiles" in html and "randomized" in html


def test_lazy_mechanism_displays_like_a_direct_one(project):
    lazy, eager = md.vcg(project, lazy=True), md.vcg(project)
    pd.testing.assert_frame_equal(lazy.to_frame(), eager.to_frame())
    assert "θ A" in lazy._repr_html_()


def test_equilibrium_html_and_frames(first_price):
    res = md.solve_bne(first_price, method="pure")
    html = res._repr_html_()
    n = len(res.equilibria)
    assert "success" in html and f"{n} equilibri" in html and "B1" in html and "B2" in html
    eq = res.equilibria[0]
    eh = eq._repr_html_()
    assert "Bayes–Nash equilibrium (pure" in eh and "<th class=\"l\">plays</th>" in eh
    frame = eq.to_frame()
    assert list(frame.index.names) == ["player", "type"] and list(frame.columns) == ["0", "1", "2"]
    for i, s in enumerate(eq.pure()):
        player = first_price.players[i]
        for t, a in enumerate(s):
            assert frame.loc[(player, first_price.type_labels[i][t]), first_price.action_labels[i][a]] == 1.0
    stacked = res.to_frame()
    assert list(stacked.index.names) == ["equilibrium", "player", "type"] and len(stacked) == 8 * n


def test_mixed_equilibrium_frame_rows_sum_to_one(first_price):
    eq = md.solve_bne(first_price, method="lcp").equilibria[0]
    frame = eq.to_frame()
    assert np.allclose(frame.sum(axis=1), 1.0)


def test_revelation_and_design_html(project, first_price):
    sigma = md.solve_bne(first_price, method="pure").equilibria[0].strategies
    rev = md.revelation(first_price, sigma)
    html = rev._repr_html_()
    assert "Revelation principle" in html and "BIC" in html and ">holds<" in html and "θ B1" in html
    assert len(rev.to_frame()) == 16
    gl = md.design(project, "welfare", ["dsic", "budget_strong"], decision="efficient")
    gh = gl._repr_html_()
    assert "infeasible" in gh and "Farkas certificate" in gh and "dsic, budget_strong" in gh and ">holds<" in gh
    assert gl.to_frame().empty
    opt = md.design(md.examples.single_item_auction(values=[1, 2, 3, 4]), "revenue", ["dsic", "ir_ex_post"])
    oh = opt._repr_html_()
    assert "optimal" in oh and "re-audited" in oh and "ir_ex_post" in oh and "m B1" in oh
    assert len(opt.to_frame()) == 16


def test_other_game_results_html(first_price):
    sigma = md.solve_bne(first_price, method="pure").equilibria[0].strategies
    assert ">holds<" in md.verify_bne(first_price, sigma)._repr_html_()
    vickrey = md.BayesianGame.from_mechanism(md.examples.second_price_auction())
    assert "dominant" in md.dominant_strategy_equilibria(vickrey)._repr_html_()
    direct = md.revelation(first_price, sigma).mechanism
    assert "implementation" in md.implements(first_price, direct, sigma)._repr_html_()
    indirect = md.examples.first_price_auction(bids=[0, 1, 2], values=[0, 1, 2, 3])
    assert "a B1" in indirect._repr_html_() and len(indirect.to_frame()) == 9


def test_auction_results_html():
    A = md.auctions
    fp = A.FirstPrice([stats.uniform(0, 1)] * 2)
    eq = fp.equilibrium()
    html = eq._repr_html_()
    assert "auction equilibrium" in html and "bidder 1" in html and "relative loss" in html
    assert "revenue" in fp.outcomes(list(eq))._repr_html_()
    assert "relative" in eq.loss._repr_html_()
    opt = A.myerson([stats.uniform(0, 1)] * 2)
    assert "reserve" in opt._repr_html_() and "0.5" in opt._repr_html_()
    rev = A.revenue_equivalence(fp, A.SecondPrice([stats.uniform(0, 1)] * 2))
    assert ">holds<" in rev._repr_html_()


def test_certificate_and_verification_html(project):
    gl = md.design(project, "welfare", ["dsic", "budget_strong"], decision="efficient")
    html = gl.certificate._repr_html_()
    assert "Farkas certificate" in html and ">holds<" in html and "budget_strong" in html
    opt = md.design(md.examples.single_item_auction(values=[1, 2, 3, 4]), "revenue", ["dsic", "ir_ex_post"])
    vh = opt.verification._repr_html_()
    assert "dsic" in vh and "ir_ex_post" in vh and ">FAILS<" not in vh
