"""Notebook views and tables of combinatorial results (winners, payments, LLG equilibria)."""

import pytest

import mechdesign as md
from mechdesign.combinatorial import CombinatorialAuction

C = md.combinatorial


def llg(b1, b2, bg):
    return CombinatorialAuction(["A", "B"], {"L1": [({"A"}, b1)], "L2": [({"B"}, b2)], "G": [({"A", "B"}, bg)]})


def test_winners_frame_and_html():
    wd = llg(4.0, 1.0, 3.5).winners()
    frame = wd.to_frame()
    assert list(frame.index) == ["L1", "L2", "G"] and frame.index.name == "bidder"
    assert frame.loc["L1", "wins"] == "{A}" and frame.loc["G", "wins"] == "" and frame["value"].sum() == 5.0
    html = wd._repr_html_()
    assert "winner determination (highs)" in html and "optimal" in html and "{A}" in html and "<td" in html


def test_payments_frame_and_html():
    pay = llg(4.0, 1.0, 3.5).payments(rule="nearest_vcg")
    frame = pay.to_frame()
    assert frame.loc["L1", "pays"] == pytest.approx(3.0) and frame.loc["L2", "utility"] == pytest.approx(0.5)
    assert frame.loc["L1", "vcg"] == pytest.approx(2.5) and "reference" in frame.columns
    html = pay._repr_html_()
    assert "payments (nearest_vcg)" in html and "minimum core revenue 3.5" in html and "1 core constraints" in html
    assert html.count("<tr><td") == 2 and "{A, B}" not in html                 # the losing global left out


def test_html_escapes_names():
    auc = CombinatorialAuction(["<i>"], {"<b>x</b>": [({"<i>"}, 1.0)]})
    html = auc.payments(rule="vcg")._repr_html_()
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html and "{&lt;i&gt;}" in html


def test_many_winners_are_capped():
    auc = CombinatorialAuction([f"i{k}" for k in range(40)], {f"b{k}": [({f"i{k}"}, 1.0)] for k in range(40)})
    html = auc.winners()._repr_html_()
    assert "first 30 of 40 winners" in html and len(auc.winners().to_frame()) == 40


@pytest.mark.slow
def test_llg_equilibrium_frame_and_html():
    eq = C.LLG(0.0, "nearest_bid").equilibrium(grid=(32, 32))
    frame = eq.to_frame()
    assert list(frame.index) == ["learned (grid, interpolated)", "refined (best responses)",
                                 "closed form (Ausubel-Baranov)", "published (bnelearn)"]
    assert frame.loc["published (bnelearn)", "global"] == 0.5
    assert frame.loc["refined (best responses)", "local"] == pytest.approx(0.125, abs=2e-3)
    html = eq._repr_html_()
    assert "LLG nearest_bid" in html and "published (bnelearn)" in html and "utility loss on the continuous" in html
