"""The compiled win probabilities of the single-item grid games against the numpy path."""
import sys

import numpy as np
import pytest
from scipy import stats

import mechdesign as md
from mechdesign.auctions import grid_single_item
from mechdesign.auctions.learned import grid_game

pytest.importorskip("mechdesign.auctions.grid_kernels")
A = md.auctions


@pytest.mark.parametrize("ties", ["lose", "random"])
@pytest.mark.parametrize("case", [
    dict(cls="FirstPrice", highs=(1.0, 1.5, 2.0)),
    dict(cls="AllPay", highs=(1.0, 1.0, 2.0, 2.0, 2.0)),                       # two classes, 2 + 3 bidders
    dict(cls="FirstPrice", highs=(1.0, 2.0), reserve=0.2, entry_fee=0.05),     # a stay-out action
    dict(cls="AllPay", highs=(1.0, 2.0), risk_aversion=0.5),
    dict(cls="FirstPrice", highs=(1.0, 1.0, 1.0), risk_aversion=0.5),          # one class, risk averse
])
def test_compiled_win_probabilities_equal_numpy(case, ties, monkeypatch):
    case = dict(case)
    cls, highs = getattr(A, case.pop("cls")), case.pop("highs")
    auction = cls([stats.uniform(0, h) for h in highs], **case)
    game = grid_game(auction, grid=(12, 10), ties=ties)
    sigma = game.random_strategies(np.random.default_rng(4))
    compiled = game.utilities(sigma)                              # the kernel module is imported above
    monkeypatch.delitem(sys.modules, grid_single_item._KERNELS)
    monkeypatch.setattr(grid_single_item, "_load_kernels", lambda: None)
    reference = game.utilities(sigma)
    for c, r in zip(compiled, reference):
        np.testing.assert_allclose(c, r, rtol=1e-12, atol=1e-14)
