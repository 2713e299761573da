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


@pytest.mark.parametrize("case", [
    dict(cls="AllPay", n=2, ties="lose", bids=(0.0, 0.7)),
    dict(cls="AllPay", n=10, ties="lose", bids=(0.0, 1.0), eta=25.0),          # L ** 9 (at eta 50 this small
    #                                                                 grid cycles chaotically: rounding grows)
    dict(cls="FirstPrice", n=3, ties="random", bids=(0.0, 1.0)),               # Gauss-Legendre ties
    dict(cls="FirstPrice", n=2, ties="random", bids=(0.0, 1.0)),               # L + E / 2
    dict(cls="FirstPrice", n=2, ties="lose", bids=(0.1, 1.0), reserve=0.1, entry_fee=0.05),  # stay-out action
    dict(cls="AllPay", n=3, ties="lose", bids=(0.1, 0.8), reserve=0.1),
])
def test_fused_dual_averaging_is_the_same_run(case):
    """The compiled loop (step, utilities, measures in one kernel) against the engine's own loop
    on the same game: same iterations and status, histories and strategies equal to rounding."""
    from mechdesign.games.learning import kernels, learn  # noqa: F401  (kernels loaded: fused from iteration 0)

    case = dict(case)
    cls, n, ties, bids = getattr(A, case.pop("cls")), case.pop("n"), case.pop("ties"), case.pop("bids")
    eta = case.pop("eta", 50.0)
    game = grid_game(cls([stats.uniform(0, 1)] * n, **case), grid=(24, 20), bids=bids, ties=ties)
    assert game.fused_dual_averaging() is not None
    opts = dict(seed=3, step={"eta": eta}, iterations=400, tol=1e-5, stop="relative_loss", init="random",
                polish=False)
    fused = learn(game, "dual_averaging", **opts)
    game.fused_dual_averaging = lambda: None
    plain = learn(game, "dual_averaging", **opts)
    assert (fused.iterations, fused.status) == (plain.iterations, plain.status)
    np.testing.assert_array_equal(fused.history.iteration, plain.history.iteration)
    finite = np.isfinite(plain.history.relative_loss)
    np.testing.assert_array_equal(finite, np.isfinite(fused.history.relative_loss))
    np.testing.assert_allclose(fused.history.relative_loss[finite], plain.history.relative_loss[finite],
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fused.history.epsilon, plain.history.epsilon, rtol=1e-9, atol=1e-12)
    assert np.all(np.diff(fused.history.time) >= 0)
    for f, p in zip(fused.strategies, plain.strategies):
        np.testing.assert_allclose(f, p, atol=1e-9)
    assert fused.epsilon == pytest.approx(plain.epsilon, rel=1e-9, abs=1e-12)


def test_fused_path_only_where_it_applies():
    """Several classes, risk aversion and second price keep the engine's loop; polishing or
    another method never takes the fused path."""
    from mechdesign.games.learning import learn

    assert grid_game(A.FirstPrice([stats.uniform(0, 1), stats.uniform(0, 2)]), grid=(8, 8)).fused_dual_averaging() is None
    assert grid_game(A.FirstPrice([stats.uniform(0, 1)] * 2, risk_aversion=0.5), grid=(8, 8)).fused_dual_averaging() is None
    assert grid_game(A.SecondPrice([stats.uniform(0, 1)] * 2), grid=(8, 8)).fused_dual_averaging() is None
    game = grid_game(A.FirstPrice([stats.uniform(0, 1)] * 2), grid=(8, 8), bids=(0, 1))
    calls = []
    inner = game.fused_dual_averaging
    game.fused_dual_averaging = lambda: calls.append(1) or inner()
    learn(game, "dual_averaging", iterations=100, tol=0.0, polish=True)
    learn(game, "frank_wolfe", iterations=100, tol=0.0, polish=False)
    assert calls == []
    learn(game, "dual_averaging", iterations=100, tol=0.0, polish=False)
    assert calls == [1]


def test_fused_run_reports_progress_and_honours_the_time_limit():
    from mechdesign.games.learning import kernels, learn  # noqa: F401

    game = grid_game(A.AllPay([stats.uniform(0, 1)] * 3), grid=(32, 32), bids=(0, 0.8))
    seen = []
    run = learn(game, "dual_averaging", iterations=1000, tol=0.0, polish=False, progress=lambda d, t: seen.append(d))
    assert run.iterations == 1000 and seen[-1] == 1000 and len(seen) > 5
    assert list(run.history.iteration) == list(range(1001))
    limited = learn(game, "dual_averaging", iterations=10**7, tol=0.0, polish=False, time_limit=0.2)
    assert limited.status == "iteration_limit" and limited.iterations < 10**7 and limited.elapsed < 5.0
