"""Method ``"lcp"`` of :func:`~mechdesign.solve_bne`: one mixed BNE of a 2-player game by Lemke's
method on the sequence form of the Harsanyi game.

The glue between the dispatcher and the pivoting code: it builds the LCP
(:func:`.lemke.bayesian_lcp`), runs the tracing paths (:mod:`.lemke_paths`),
reads the strategies back and polishes them on their supports. Imports nothing
from the dispatcher (:mod:`mechdesign.games.equilibrium`); it receives the
epsilon measure as an argument.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from mechdesign.games.bayesian import BayesianGame
from mechdesign.games.interim import embed, two_player_arrays

#: Starting rules of method "lcp" (see :func:`_lemke_paths`).
LCP_STARTS = ("tracing", "covering")
#: Regret-matching iterations n behind the tracing priors (the averages after n and
#: after n / 10 iterations): this many per sequence (type-action pair), within the
#: bounds below. On ten 20 × 20 random games (``bench_bne.py --paths``) the shorter of
#: the two paths (n = 10 000) had at most 0.56 million pivots; with the uniform prior
#: instead of the n / 10 one, up to 0.75 million.
PRIOR_ITERATIONS_PER_SEQUENCE = 16
PRIOR_ITERATIONS_BOUNDS = (200, 10_000)
#: Default options of method "lcp".
DEFAULT_OPTIONS: dict[str, Any] = {"max_pivots": 2_000_000, "polish": True, "seed": 0, "start": "tracing",
                                   "workers": 2}


def solve_lcp(game: BayesianGame, opts: dict[str, Any], epsilon: Callable[[tuple[np.ndarray, ...]], float],
              report: Callable[[int, int], None]) -> tuple[list[tuple[np.ndarray, ...]], str, str]:
    """One BNE of a 2-player game by Lemke's method (method ``"lcp"`` of solve_bne).

    ``epsilon(profile)`` measures a candidate (the dispatcher passes
    :func:`~mechdesign.verify_bne`'s); the polished profile replaces the raw one
    when it is no worse. Returns the candidate profiles (one, or none when the
    paths stopped), a message, and the status to report when there is none.
    """
    from mechdesign.games.lemke import bayesian_lcp, polish

    start = time.perf_counter()
    u1, u2, b1, b2, active = two_player_arrays(game)
    k1, k2, m1, m2 = u1.shape
    M, q = bayesian_lcp(u1, u2, b1, b2)
    outcome, attempts = _lemke_paths(M, q, (u1, u2, b1, b2), opts, lambda spent: report(spent, opts["max_pivots"]))
    if outcome.z is None:
        status = "iteration_limit" if outcome.status == "iteration_limit" else "failed"
        return [], (f"Lemke stopped ({outcome.status}) after {outcome.pivots} pivots "
                    f"in {attempts} path(s)"), status
    s = outcome.z[:k1 * m1 + k2 * m2]
    x = s[:k1 * m1].reshape(k1, m1)
    y = s[k1 * m1:].reshape(k2, m2)
    x = x / x.sum(axis=1, keepdims=True)
    y = y / y.sum(axis=1, keepdims=True)
    raw = embed(game, active, (x, y))
    best, best_eps = raw, epsilon(raw)
    note = ""
    if opts["polish"]:
        refined = polish(u1, u2, b1, b2, x, y)
        if refined is not None:
            candidate = embed(game, active, refined)
            eps = epsilon(candidate)
            if eps <= best_eps:
                best, best_eps, note = candidate, eps, ", polished on its supports"
    elapsed = time.perf_counter() - start
    message = (f"Lemke: {outcome.pivots} pivots on an LCP of size {q.size} ({attempts} path(s), start "
               f"{opts['start']!r}){note}, {elapsed:.3g} s")
    return [best], message, "failed"


def _lemke_paths(M: np.ndarray, q: np.ndarray, arrays: tuple[np.ndarray, ...], opts: dict[str, Any],
                 on_round: Callable[[int], None]) -> tuple[Any, int]:
    """Run Lemke's method as ``opts["start"]`` says; returns the outcome (pivots summed over paths) and the path count.

    ``"tracing"``: two tracing procedures side by side (:func:`.lemke_paths.lemke_portfolio`),
    from the averaged play of regret matching after n and after n / 10
    iterations (one run gives both); a path that fails is replaced by one from
    the centroid (uniform) prior of Harsanyi and Selten, then from random priors
    (Dirichlet(1) per type, seeded). Every path ends at an equilibrium given
    enough pivots; on large games their lengths differ by orders of magnitude
    between priors, and the pair bounds the cost by twice the shorter one.
    """
    from mechdesign.games.lemke import regret_matching_priors, tracing_covering
    from mechdesign.games.lemke_paths import available_cpus, lemke_portfolio

    rng = np.random.default_rng(opts["seed"])
    accept = functools.partial(_blocks_sum_to_one, M=M, q=q)
    if opts["start"] == "covering":
        # a generic covering vector makes the path nondegenerate (all d_i equal would tie every
        # type's row at the first pivot); seeded, so results are reproducible
        coverings = iter([1.0 + rng.uniform(size=q.size)])
        return lemke_portfolio(M, q, coverings, opts["max_pivots"], accept, paths=1, on_round=on_round)
    u1, u2, b1, b2 = arrays
    k1, k2, m1, m2 = u1.shape

    def priors() -> Iterator[np.ndarray]:
        low, high = PRIOR_ITERATIONS_BOUNDS
        iterations = min(high, max(low, PRIOR_ITERATIONS_PER_SEQUENCE * (k1 * m1 + k2 * m2)))
        yield from regret_matching_priors(u1, u2, b1, b2, [iterations, max(1, iterations // 10)])
        yield np.concatenate([np.full(k1 * m1, 1.0 / m1), np.full(k2 * m2, 1.0 / m2)])
        while True:
            yield np.concatenate([rng.dirichlet(np.ones(m1), k1).ravel(), rng.dirichlet(np.ones(m2), k2).ravel()])

    coverings = (tracing_covering(M, prior) for prior in priors())
    workers = min(opts["workers"], available_cpus())
    return lemke_portfolio(M, q, coverings, opts["max_pivots"], accept, paths=2, workers=workers,
                           on_round=on_round)


def _blocks_sum_to_one(z: np.ndarray, M: np.ndarray, q: np.ndarray, atol: float = 1e-6) -> bool:
    """Whether every agent's block of the Lemke solution ``z`` sums to 1.

    Every exact solution has ``E s = 1``; a path whose end is spoilt by
    rounding violates it, and :func:`.lemke_paths.lemke_portfolio` then replaces it.
    """
    n_seq = int(np.count_nonzero(q == 0))                               # q = (0 per sequence, −1 per agent)
    return bool(np.allclose(M[n_seq:, :n_seq] @ z[:n_seq], 1.0, atol=atol))
