"""The compiled learning kernels against the numpy reference, and the run that switches to them."""
import numpy as np
import pytest
from scipy import stats

from mechdesign.games.learning import learn
from mechdesign.games.learning import engine as engine_module
from mechdesign.games.learning.dynamics import softmax_rows

kernels = pytest.importorskip("mechdesign.games.learning.kernels")


def _reference_softmax(y):
    z = np.exp(y - y.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("spread", [1.0, 300.0, 5000.0])
def test_entropic_step_matches_numpy(spread):
    rng = np.random.default_rng(1)
    y = rng.normal(size=(40, 33)) * spread
    u = rng.random((40, 33))
    expected_y = y + 0.7 * u
    expected = _reference_softmax(expected_y)
    out = np.empty_like(y)
    kernels.entropic_dual_step(y, u, 0.7, out)
    np.testing.assert_allclose(y, expected_y, rtol=0, atol=1e-12)
    # entries below exp(-700) are exactly 0 in the kernel (and below 1e-304 in the reference)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(softmax_rows(expected_y), expected, rtol=1e-12, atol=1e-300)
    again = np.empty_like(y)
    kernels.softmax_into(expected_y, again)
    np.testing.assert_allclose(again, out, rtol=1e-14, atol=0)


def test_gaps_match_the_game_measures():
    from mechdesign.auctions import FirstPrice
    from mechdesign.auctions.learned import grid_game

    game = grid_game(FirstPrice([stats.uniform(0, 1)] * 3), grid=(16, 12), bids=(0, 1))
    sigma = game.random_strategies(np.random.default_rng(0))
    U = game.utilities(sigma)
    w = game.type_weights[0].copy()
    w[3] = 0.0                                  # a null type is skipped
    eps, util, best = kernels.gaps(sigma[0], U[0], w)
    active = w > 0
    gains = U[0].max(axis=1) - (sigma[0] * U[0]).sum(axis=1)
    assert eps == pytest.approx(gains[active].max(), rel=1e-12)
    assert util == pytest.approx(w @ (sigma[0] * U[0]).sum(axis=1), rel=1e-12)
    assert best == pytest.approx(w @ U[0].max(axis=1), rel=1e-12)


def test_a_run_switching_to_the_kernels_is_the_numpy_run(monkeypatch):
    """Same game, same seed: the compiled run after COMPILED_AFTER iterations follows the numpy one."""
    from mechdesign.auctions import FirstPrice
    from mechdesign.auctions.learned import grid_game

    game = grid_game(FirstPrice([stats.uniform(0, 1)] * 2), grid=(24, 24), bids=(0, 1))
    kwargs = dict(iterations=150, tol=0.0, stop="relative_loss", seed=3, init="random", polish=False)
    compiled = learn(game, "dual_averaging", **kwargs)          # switches at iteration 64 (or is compiled already)
    monkeypatch.setattr(engine_module, "_load_kernels", lambda: None)
    monkeypatch.delitem(__import__("sys").modules, engine_module._KERNELS)
    plain = learn(game, "dual_averaging", **kwargs)
    np.testing.assert_allclose(compiled.strategies[0], plain.strategies[0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(compiled.history.relative_loss, plain.history.relative_loss, rtol=1e-9, atol=1e-15)


def test_success_without_polish_returns_the_profile_that_met_the_criterion():
    from mechdesign.auctions import FirstPrice
    from mechdesign.auctions.learned import grid_game

    # seed 1 once returned the profile of smallest epsilon seen, of relative loss 2e-4, as a "success"
    game = grid_game(FirstPrice([stats.uniform(0, 1)] * 3), grid=(64, 64), bids=(0, 1))
    for seed in range(3):
        run = learn(game, "dual_averaging", iterations=3000, tol=1e-4, stop="relative_loss", seed=seed,
                    init="random", polish=False, step={"eta": 200.0, "beta": 0.05})
        assert run.status == "success"
        assert run.loss.max_relative <= 1e-4
