"""Shared builders for the games tests (imported by the test modules)."""
import numpy as np

import mechdesign as md
from tests.games.brute_games import pure_bne


def random_game(seed, k=(2, 2), m=(2, 2), correlated=False):
    """A random 2-player Bayesian game with normal payoffs."""
    rng = np.random.default_rng(seed)
    payoffs = rng.normal(size=(*k, *m, 2))
    if correlated:
        prior = md.JointPrior(rng.dirichlet(np.ones(k[0] * k[1])).reshape(k))
    else:
        prior = md.IndependentPrior([rng.dirichlet(np.ones(k[0])), rng.dirichlet(np.ones(k[1]))])
    return md.BayesianGame.from_arrays(prior=prior, payoffs=payoffs)


def same_profile(a, b, atol=1e-6):
    return all(np.allclose(x, y, atol=atol) for x, y in zip(a.mixed(), b.mixed()))


def pure_tuple(eq):
    return tuple(tuple(int(a) for a in s) for s in eq.pure())


def brute_force_pure(game):
    """All pure BNE of ``game`` by the loop-based reference in brute_games (independent code)."""
    return pure_bne(game.payoffs, game.prior.joint())
