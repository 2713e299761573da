"""Tracing priors of method 'lcp': the compiled regret matching against a plain reference."""

import numpy as np
import pytest

from mechdesign.games.interim import two_player_arrays
from mechdesign.games.priors import RegretMatching, interim_matrices, random_prior, uniform_prior

from .gametools import random_game


def reference_regret_matching(u1, u2, b1, b2, iterations):
    """Regret matching+ written out agent by agent (alternating updates, linear averaging)."""
    k1, k2, m1, m2 = u1.shape
    x, y = np.full((k1, m1), 1.0 / m1), np.full((k2, m2), 1.0 / m2)
    r1, r2 = np.zeros((k1, m1)), np.zeros((k2, m2))
    sx, sy = np.zeros((k1, m1)), np.zeros((k2, m2))
    for it in range(1, iterations + 1):
        for t in range(k1):
            gain = np.array([sum(b1[t, s] * u1[t, s, a, b] * y[s, b] for s in range(k2) for b in range(m2))
                             for a in range(m1)])
            r1[t] = np.maximum(r1[t] + gain - gain @ x[t], 0.0)
            if r1[t].sum() > 0:
                x[t] = r1[t] / r1[t].sum()
        for s in range(k2):
            gain = np.array([sum(b2[s, t] * u2[t, s, a, b] * x[t, a] for t in range(k1) for a in range(m1))
                             for b in range(m2)])
            r2[s] = np.maximum(r2[s] + gain - gain @ y[s], 0.0)
            if r2[s].sum() > 0:
                y[s] = r2[s] / r2[s].sum()
        sx += it * x
        sy += it * y
    return np.concatenate([(sx / sx.sum(axis=1, keepdims=True)).ravel(), (sy / sy.sum(axis=1, keepdims=True)).ravel()])


@pytest.mark.parametrize("seed, correlated", [(0, False), (1, True), (2, False)])
def test_compiled_regret_matching_matches_the_reference_and_checkpoints_continue_one_run(seed, correlated):
    game = random_game(seed, k=(3, 2), m=(2, 4), correlated=correlated)
    u1, u2, b1, b2, _ = two_player_arrays(game)
    run = RegretMatching(*interim_matrices(u1, u2, b1, b2), 2, 4)
    for iterations in (1, 4, 12):          # few iterations: the dynamics amplify rounding differences later
        np.testing.assert_allclose(run.average(iterations), reference_regret_matching(u1, u2, b1, b2, iterations),
                                   atol=1e-12)
    with pytest.raises(ValueError, match="iterations"):
        run.average(3)
    kept = RegretMatching(*interim_matrices(u1, u2, b1, b2), 2, 4, keep=(4,))
    later = kept.average(12)                      # passes checkpoint 4 on the way and keeps it
    np.testing.assert_array_equal(kept.average(4), run.average(4))
    np.testing.assert_array_equal(later, run.average(12))


def test_uniform_and_random_priors_are_profiles():
    rng = np.random.default_rng(0)
    for prior in (uniform_prior(3, 2, 4, 5), random_prior(rng, 3, 2, 4, 5)):
        assert prior.shape == (3 * 4 + 2 * 5,) and prior.min() >= 0
        np.testing.assert_allclose(prior[:12].reshape(3, 4).sum(axis=1), 1.0)
        np.testing.assert_allclose(prior[12:].reshape(2, 5).sum(axis=1), 1.0)


@pytest.mark.parametrize("seed, correlated", [(3, False), (4, True)])
def test_one_call_prior_and_first_path_repeat_the_separate_steps(seed, correlated):
    # lemke_jit.first_path (LCP, regret-matching prior and first tracing path in one compiled call) must be
    # the composition of bayesian_lcp, RegretMatching.average and tracing_path, pivot for pivot
    from mechdesign.games import lemke_jit
    from mechdesign.games.lemke import PIVOT_TOL, REFACTOR_EVERY, RELATIVE_PIVOT_TOL, ZERO_TOL, bayesian_lcp
    from mechdesign.games.priors import regret_matching_prior

    game = random_game(seed, k=(3, 2), m=(2, 4), correlated=correlated)
    u1, u2, b1, b2, _ = two_player_arrays(game)
    run = RegretMatching(*interim_matrices(u1, u2, b1, b2), 2, 4)
    for iterations in (1, 10, 30):
        np.testing.assert_allclose(regret_matching_prior(u1, u2, b1, b2, iterations), run.average(iterations),
                                   atol=1e-14)
    M, q = bayesian_lcp(u1, u2, b1, b2)
    tolerances = (REFACTOR_EVERY, PIVOT_TOL, RELATIVE_PIVOT_TOL, ZERO_TOL)
    for iterations, prior in ((0, uniform_prior(3, 2, 2, 4)), (10, run.average(10))):
        for budget in (3, 10_000):
            one = lemke_jit.first_path(u1, u2, b1, b2, iterations, budget, *tolerances)
            np.testing.assert_allclose(one[0], M, atol=1e-15)
            separate = lemke_jit.tracing_path(one[0], one[1], prior, budget, *tolerances)
            assert int(one[-1]) == int(separate[-1])                                    # status code
            assert np.array_equal(one[-4], separate[-4]) and np.array_equal(one[-2], separate[-2])  # basis, pivots
            for a, b in zip(one[2:-1], separate[:-1]):
                np.testing.assert_allclose(a, b, atol=1e-12)
