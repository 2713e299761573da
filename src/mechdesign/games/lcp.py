"""Method ``"lcp"`` of :func:`~mechdesign.solve_bne`: one mixed BNE of a 2-player game by Lemke's
method on the sequence form of the Harsanyi game.

The glue between the dispatcher and the pivoting code: it builds the LCP
(:func:`.lemke.bayesian_lcp`, compiled in :mod:`.lemke_jit`), races tracing paths from a schedule of priors
(:mod:`.priors`, :mod:`.lemke_paths`), reads the strategies back and, when the
point found is not already exact, polishes it on its supports. Imports nothing
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
from mechdesign.games import lemke_jit
from mechdesign.games.lemke import (PIVOT_TOL, REFACTOR_EVERY, RELATIVE_PIVOT_TOL, ZERO_TOL, KernelLemke,
                                    LemkeOutcome, polish, tracing_covering)
from mechdesign.games.lemke_paths import available_cpus, lemke_portfolio
from mechdesign.games.priors import RegretMatching, interim_matrices, random_prior, uniform_prior

#: Starting rules of method "lcp" (see :func:`_lemke_paths`).
LCP_STARTS = ("tracing", "covering")
#: Default options of method "lcp".
DEFAULT_OPTIONS: dict[str, Any] = {"max_pivots": 2_000_000, "polish": True, "seed": 0, "start": "tracing",
                                   "workers": 2}
#: The tracing priors raced by ``start="tracing"``, in start order: an integer c is the
#: average of one regret-matching run after c iterations (an iteration costs about one
#: pivot), ``"uniform"`` the uniform prior; random priors follow. ``bench_bne.py --paths``
#: prints the path length from each per size.
#: The order and the admission rule below were chosen by simulating races on the path lengths
#: of 20 random games per size k = 2..12 (seeds 100-119, not those of the benchmark), with a
#: regret-matching iteration counted as 0.6 pivot: a few iterations of regret matching give
#: paths 2-5 times shorter than the uniform prior from k = 5 on.
TRACING_PRIORS: tuple[int | str, ...] = (10, 3, 30, "uniform", 100, 1, 300, 1000, 3000, 10_000)
#: The first path runs alone for ADMIT_FIRST × (LCP size) pivots; then one more path is
#: admitted each time the pivots spent grow by the factor ADMIT_GROWTH.
ADMIT_FIRST = 4.0
ADMIT_GROWTH = 2.0
#: Paths racing at a time at most.
MAX_PATHS = 8
#: A solution whose largest per-agent gain, in units of the player's payoff range, is below this
#: is taken as it is; above it the supports are re-solved exactly (option ``polish``).
EXACT_GAP = 1e-13


def solve_lcp(game: BayesianGame, opts: dict[str, Any], epsilon: Callable[[tuple[np.ndarray, ...]], float],
              report: Callable[[int, int], None]) -> tuple[list[tuple[np.ndarray, ...]], str, str]:
    """One BNE of a 2-player game by Lemke's method (method ``"lcp"`` of solve_bne).

    ``epsilon(profile)`` measures a candidate (the dispatcher passes
    :func:`~mechdesign.verify_bne`'s). The Lemke point is checked on the LCP
    itself (:func:`.lemke_jit.largest_gap`, one product with its matrix); only
    when some agent's gain is above :data:`EXACT_GAP` of the payoff range (and
    ``polish``) are the indifference equations re-solved on its supports, and
    the polished profile replaces the raw one when ``epsilon`` says it is no
    worse. Returns the candidate profiles (one, or none when the paths
    stopped), a message, and the status to report when there is none.
    """
    start = time.perf_counter()
    u1, u2, b1, b2, active = two_player_arrays(game)
    k1, k2, m1, m2 = u1.shape
    M, q, outcome, attempts, label = _lemke_paths((u1, u2, b1, b2), opts,
                                                  lambda spent: report(spent, opts["max_pivots"]))
    if outcome.z is None:
        status = "iteration_limit" if outcome.status == "iteration_limit" else "failed"
        return [], (f"Lemke stopped ({outcome.status}) after {outcome.pivots} pivots "
                    f"in {attempts} path(s)"), status
    n1, n2 = k1 * m1, k2 * m2
    x = outcome.z[:n1].reshape(k1, m1)
    y = outcome.z[n1:n1 + n2].reshape(k2, m2)
    x = x / x.sum(axis=1, keepdims=True)
    y = y / y.sum(axis=1, keepdims=True)
    best = embed(game, active, (x, y))
    note = ""
    s = np.concatenate([x.ravel(), y.ravel()])
    if opts["polish"] and lemke_jit.largest_gap(M, s, k1, m1, k2, m2) > EXACT_GAP:
        refined = polish(u1, u2, b1, b2, x, y)
        if refined is not None:
            candidate = embed(game, active, refined)
            if epsilon(candidate) <= epsilon(best):
                best, note = candidate, ", polished on its supports"
    elapsed = time.perf_counter() - start
    message = (f"Lemke: {outcome.pivots} pivots on an LCP of size {q.size} ({attempts} path(s), start "
               f"{opts['start']!r}, ended by the path from {label}){note}, {elapsed:.3g} s")
    return [best], message, "failed"


def _lemke_paths(arrays: tuple[np.ndarray, ...], opts: dict[str, Any], on_round: Callable[[int], None]
                 ) -> tuple[np.ndarray, np.ndarray, LemkeOutcome, int, str]:
    """Build the LCP and run Lemke's method as ``opts["start"]`` says.

    Returns M, q, the outcome (pivots summed over paths), the number of paths
    started and the winner's prior. ``"tracing"``: tracing procedures (van den
    Elzen & Talman 1991) raced by :func:`.lemke_paths.lemke_portfolio`: the one
    from the first prior of :data:`TRACING_PRIORS` alone first (LCP built and
    path pivoted in compiled calls, :func:`.lemke_jit.tracing_path`), then the
    next ones admitted as the spending grows (:data:`ADMIT_FIRST`,
    :data:`ADMIT_GROWTH`), then random priors (Dirichlet(1) per agent, seeded)
    as replacements of failed paths. Every path ends at an equilibrium
    given enough pivots; their lengths differ by orders of magnitude between
    priors, and racing bounds the cost by a small multiple of the shortest.
    """
    u1, u2, b1, b2 = arrays
    k1, k2, m1, m2 = u1.shape
    if opts["start"] == "covering":
        M, q = lemke_jit.bayesian_lcp(u1, u2, b1, b2)
        accept = functools.partial(_blocks_sum_to_one, M=M, q=q)
        # a generic covering vector makes the path nondegenerate (all d_i equal would tie every
        # type's row at the first pivot); seeded, so results are reproducible
        coverings = iter([1.0 + np.random.default_rng(opts["seed"]).uniform(size=q.size)])
        outcome, started = lemke_portfolio(M, q, coverings, opts["max_pivots"], accept, paths=1,
                                           on_round=on_round)
        return M, q, outcome, started, "a random covering vector"
    size = k1 * m1 + k2 * m2 + k1 + k2
    admit = [0] + [int(ADMIT_FIRST * size * ADMIT_GROWTH ** j) for j in range(len(TRACING_PRIORS) - 1)]
    labels: list[str] = []

    def priors() -> Iterator[np.ndarray]:
        regret: RegretMatching | None = None
        for prior in TRACING_PRIORS[1:]:          # the first one is computed with the first path
            if prior == "uniform":
                labels.append("the uniform prior")
                yield uniform_prior(k1, k2, m1, m2)
                continue
            if regret is None:
                keep = tuple(c for c in TRACING_PRIORS if not isinstance(c, str))
                regret = RegretMatching(*interim_matrices(u1, u2, b1, b2), m1, m2, keep=keep)
            labels.append(f"regret matching after {prior} iterations")
            yield regret.average(int(prior))
        rng = np.random.default_rng(opts["seed"])
        while True:
            labels.append("a random prior")
            yield random_prior(rng, k1, k2, m1, m2)

    starts = priors()
    budget = max(1, min(admit[1], opts["max_pivots"]))
    head = TRACING_PRIORS[0]
    labels.append("the uniform prior" if head == "uniform" else f"regret matching after {head} iterations")
    M, q, neg, covering, *state = lemke_jit.first_path(
        u1, u2, b1, b2, 0 if head == "uniform" else int(head), budget, REFACTOR_EVERY, PIVOT_TOL,
        RELATIVE_PIVOT_TOL, ZERO_TOL)
    accept = functools.partial(_blocks_sum_to_one, M=M, q=q)
    first = KernelLemke.from_state(q, neg, covering, *state)
    on_round(first.pivots)
    if first.status == "success":          # most small games: no race to set up
        z = first.solution()
        if accept(z):
            return M, q, LemkeOutcome(z, "success", first.pivots, 0), 1, labels[0]
        first.status = "inaccurate"        # the race below replaces it, as it replaces any refused path
    coverings = (tracing_covering(M, prior) for prior in starts)
    workers = min(opts["workers"], available_cpus())
    outcome, started = lemke_portfolio(M, q, coverings, opts["max_pivots"], accept, paths=MAX_PATHS,
                                       workers=workers, on_round=on_round, admit=admit, neg_columns=neg,
                                       first=first)
    label = labels[outcome.path] if outcome.z is not None else ""
    return M, q, outcome, started, label


def _blocks_sum_to_one(z: np.ndarray, M: np.ndarray, q: np.ndarray, atol: float = 1e-6) -> bool:
    """Whether every agent's block of the Lemke solution ``z`` sums to 1.

    Every exact solution has ``E s = 1``; a path whose end is spoilt by
    rounding violates it, and :func:`.lemke_paths.lemke_portfolio` then replaces it.
    """
    n_seq = int(np.count_nonzero(q == 0))                               # q = (0 per sequence, −1 per agent)
    return bool(np.abs(M[n_seq:, :n_seq] @ z[:n_seq] - 1.0).max() <= atol)
