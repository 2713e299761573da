"""Shared builders for the games tests (imported by the test modules)."""
import itertools

import numpy as np
import mechdesign as md


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


def brute_force_pure(game, tol=1e-9):
    """Every pure profile checked against every unilateral deviation of every type (independent code)."""
    n = game.n_players
    strategy_sets = [list(itertools.product(range(game.n_actions[i]), repeat=game.n_types[i])) for i in range(n)]
    joint = game.prior.joint()
    out = set()
    for prof in itertools.product(*strategy_sets):
        ok = True
        for i in range(n):
            for t in range(game.n_types[i]):
                mass = sum(joint[th] for th in itertools.product(*(range(k) for k in game.n_types)) if th[i] == t)
                if mass == 0:
                    continue
                def value(a):
                    total = 0.0
                    for th in itertools.product(*(range(k) for k in game.n_types)):
                        if th[i] != t:
                            continue
                        acts = [prof[j][th[j]] for j in range(n)]
                        acts[i] = a
                        total += joint[th] * game.payoffs[(*th, *acts, i)]
                    return total / mass
                if max(value(a) for a in range(game.n_actions[i])) > value(prof[i][t]) + tol:
                    ok = False
                    break
            if not ok:
                break
        if ok:
            out.add(prof)
    return out


