"""Bayes–Nash equilibria: verification, solvers and dominant-strategy equilibria.

* :func:`verify_bne` — the epsilon of a strategy profile (largest interim gain
  of any player-type from deviating, under her conditional belief).
* :func:`solve_bne` — one entry point, ``method=`` one of

  ``"pure"``   all pure BNE (elimination of dominated actions, then a search
               over all players but one, :mod:`.pure`);
  ``"lcp"``    one mixed BNE of a 2-player game by Lemke's method on the
               sequence form of the Harsanyi game (:mod:`.lcp`, :mod:`.lemke`);
  ``"enum"``   all mixed BNE of a small nondegenerate 2-player game by
               support enumeration on the agent form (:mod:`.support`);
  ``"gambit"`` pygambit's ``lcp``, ``logit`` or ``enummixed`` on the exported
               Harsanyi game (:mod:`.gambit`; needs the ``[gambit]`` extra);
  ``"dual_averaging"``, ``"mirror_ascent"``, ``"frank_wolfe"``, ``"fictitious_play"``
               learning dynamics, any number of players (:mod:`.learning`).

  Every equilibrium returned is re-verified with :func:`verify_bne`.

This module is the dispatcher and the verifier: each method lives in its own
module, which imports nothing from here (shared arrays are in :mod:`.interim`).
* :func:`dominant_strategy_equilibria` — dominant actions per player-type.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.games.bayesian import BayesianGame, check_game
from mechdesign.games.interim import batch_interim, embed, two_player_arrays  # noqa: F401  (re-exported)
from mechdesign.games.lcp import DEFAULT_OPTIONS as LCP_OPTIONS
from mechdesign.games.lcp import LCP_STARTS, solve_lcp
from mechdesign.games.learning.solve import default_options as learning_options
from mechdesign.games.pure import DEFAULT_OPTIONS as PURE_OPTIONS
from mechdesign.games.pure import SEARCHES, solve_pure
from mechdesign.games.results import (BNEVerification, Deviation, DominanceResult, Equilibrium,
                                      EquilibriumResult)

LEARNING_METHODS = ("dual_averaging", "mirror_ascent", "frank_wolfe", "fictitious_play")
METHODS = ("pure", "lcp", "enum", "gambit", *LEARNING_METHODS)
DEFAULT_OPTIONS: dict[str, dict[str, Any]] = {
    "pure": dict(PURE_OPTIONS),
    "lcp": dict(LCP_OPTIONS),
    "enum": {"max_pairs": 10**6},
    "gambit": {"algorithm": None, "rational": False},
    **{m: learning_options(m) for m in LEARNING_METHODS},
}


def threshold(game: BayesianGame, atol: float, rtol: float) -> float:
    """``atol + rtol * max|payoff|``: the tolerance of comparisons between outcomes (not incentives)."""
    return v.tolerance(atol, "atol") + v.tolerance(rtol, "rtol") * game.scale()


def thresholds(game: BayesianGame, atol: float, rtol: float) -> np.ndarray:
    """Per player ``atol + rtol * scale_i``, scale_i her largest payoff difference at one type profile.

    The tolerance of player i's gains from deviating: other players' payoffs
    and offsets that change none of her comparisons never enter it
    (docs/concepts.md, "Tolerances").
    """
    return v.tolerance(atol, "atol") + v.tolerance(rtol, "rtol") * np.asarray(game.incentive_scales())


# ------------------------------------------------------------------ verification
def verify_bne(game: BayesianGame, strategies: Any, *, atol: float = 1e-9, rtol: float = 1e-9) -> BNEVerification:
    """How far ``strategies`` is from a Bayes–Nash equilibrium of ``game``.

    For every player i and type t of positive probability (whatever the form
    of the prior; docs/concepts.md), computes the interim payoff U_i(t, a) of
    every action a against the others' strategies (expected over θ_-i under the
    conditional belief P(θ_-i | θ_i = t) and over mixed actions) and the gain
    max_a U_i(t, a) − U_i(t, σ_i(t)). Deviations to any action, including one
    only a type of probability zero plays, count. Exact up to float rounding
    for finite games; payoff offsets per player and type profile are removed
    first (:meth:`BayesianGame.incentive_payoffs`).

    Parameters
    ----------
    strategies : list of array_like
        Per player, pure ``(k_i,)`` integer actions or mixed ``(k_i, |A_i|)``.
    atol, rtol : float
        The profile is a BNE when every player's largest gain is at most
        ``atol + rtol * scale_i``, scale_i her largest payoff difference
        between action profiles at one type profile (:func:`thresholds`).

    Returns
    -------
    BNEVerification
        ``epsilon``, per player-type gains and best deviations, the worst one.
    """
    game = check_game(game)
    sigma = game.check_strategies(strategies)
    tols = thresholds(game, atol, rtol)
    gains, best = [], []
    for i in range(game.n_players):
        interim = game._interim(i, sigma, normalised=True)
        current = (interim * sigma[i]).sum(axis=1)
        best.append(interim.argmax(axis=1))
        gains.append(v.frozen(np.where(game.active_types(i), np.maximum(interim.max(axis=1) - current, 0.0), 0.0)))
    deviations = tuple(
        tuple(Deviation(player=game.players[i], player_index=i, type=game.type_labels[i][t], type_index=t,
                        action=game.action_labels[i][int(best[i][t])], action_index=int(best[i][t]),
                        gain=float(gains[i][t])) for t in range(game.n_types[i]))
        for i in range(game.n_players))
    flat = np.concatenate(gains)                      # player, then type order: the first largest is reported
    over = flat > np.repeat(tols, game.n_types)
    worst = int(np.argmax(flat))
    failing = int(np.argmax(np.where(over, flat, -np.inf))) if over.any() else None
    agents = [dev for row in deviations for dev in row]
    shown = agents[worst if failing is None else failing]
    return BNEVerification(holds=failing is None, epsilon=float(flat[worst]),
                           tolerance=float(tols[shown.player_index]), gains=tuple(gains), deviations=deviations,
                           worst=shown, tolerances=tuple(float(t) for t in tols))


def _equilibrium(game: BayesianGame, strategies: tuple[np.ndarray, ...], atol: float, rtol: float) -> tuple[Equilibrium, bool]:
    check = verify_bne(game, strategies, atol=atol, rtol=rtol)
    frozen = tuple(v.frozen(np.array(s)) for s in strategies)
    return Equilibrium(strategies=frozen, epsilon=check.epsilon, labels=game.labels), check.holds


# ------------------------------------------------------------------ entry point
def _options(method: str, options: Any) -> dict[str, Any]:
    defaults = DEFAULT_OPTIONS[method]
    if options is None:
        return dict(defaults)
    if not isinstance(options, dict):
        raise v.fail("options", "a dict of method options", type(options).__name__)
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        raise v.fail("options", f"keys among {sorted(defaults)} for method {method!r}", f"unknown {unknown}")
    merged = {**defaults, **options}
    for key in ("max_profiles", "max_pivots", "max_pairs", "workers", "iterations"):
        if key in merged:
            value = merged[key]
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise v.fail(f"options[{key!r}]", "a positive integer", value)
    if merged.get("seed") is not None:
        seed = merged["seed"]
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise v.fail("options['seed']", "None or a non-negative integer", repr(seed))
    if "start" in merged and merged["start"] not in LCP_STARTS:
        raise v.fail("options['start']", f"one of {list(LCP_STARTS)}", merged["start"])
    if method == "pure":
        v.choice(merged["search"], "options['search']", SEARCHES)
    return merged


def solve_bne(game: BayesianGame, method: str = "pure", options: dict[str, Any] | None = None, *,
              atol: float = 1e-9, rtol: float = 1e-9, progress: Any = None) -> EquilibriumResult:
    """Compute Bayes–Nash equilibria of a finite Bayesian game.

    Parameters
    ----------
    game : BayesianGame
    method : {"pure", "lcp", "enum", "gambit", "dual_averaging", "mirror_ascent", "frank_wolfe", "fictitious_play"}
        ``"pure"``: all pure BNE; ``"lcp"``: one (possibly mixed) BNE of a
        2-player game, Lemke on the sequence form, polynomial-size in Σ k_i|A_i|;
        ``"enum"``: all mixed BNE of a small 2-player game (support enumeration;
        complete for nondegenerate games); ``"gambit"``: pygambit; the learning
        methods: one profile learned by simultaneous dynamics and polished
        (any number of players; see :func:`mechdesign.games.learning.learn`).
    options : dict, optional
        ``pure``: ``max_profiles`` (default 10⁶) — refuse when more than this
        many pure-strategy profiles of all players but one would be searched
        (after elimination); ``search`` (``"pruned"``, or ``"exhaustive"``: no
        elimination, the reference);
        ``lcp``: ``max_pivots`` (2 000 000, summed over paths), ``polish``
        (True: re-solve the indifference equations on the supports found),
        ``start`` (``"tracing"``: tracing procedures raced cheapest first — the
        path from regret matching's average after 10 iterations alone, then,
        each time the pivots spent double, one more from the schedule of
        :data:`mechdesign.games.lcp.TRACING_PRIORS` (other regret-matching
        averages, the uniform prior), random priors replacing failed paths;
        ``"covering"``: one path with a random covering vector near 1),
        ``workers`` (2: racing paths move to this many worker processes, at
        most one per CPU, once they have raced for a second and the workers
        have started; the result does not depend on it), ``seed`` (0: the seed
        of the random priors / covering vector, which select the equilibrium found);
        ``enum``: ``max_pairs`` (10⁶ support pairs);
        ``gambit``: ``algorithm`` (``"lcp"``, ``"logit"``, ``"enummixed"``;
        default ``"lcp"`` for 2 players, ``"logit"`` otherwise), ``rational`` (False).
        learning methods: ``iterations`` (20 000), ``tol`` (1e-6: the target
        epsilon), ``stop`` (``"epsilon"`` or ``"relative_loss"``), ``seed`` and
        ``init`` (``"uniform"``, ``"random"`` or strategies), ``step``,
        ``regularizer`` (dual averaging / mirror ascent: ``"entropic"`` or
        ``"euclidean"``), ``polish`` (True), ``mode`` (``"auto"``,
        ``"aggregate"``, ``"full"``), ``time_limit``, ``symmetric`` (False: True
        lets the players of a symmetric game share one strategy).
    atol, rtol : float
        Equilibria must verify with epsilon ≤ ``atol + rtol * max|payoff|``.
    progress : None, True or callable, optional
        ``progress(done, total)`` as the search goes, or True for a progress
        bar on standard error. ``"pure"`` reports profiles searched of all;
        ``"lcp"`` reports pivots spent against ``max_pivots`` (an upper bound:
        a path usually ends long before it); learning methods report
        iterations (the bar, on a terminal only, shows the current epsilon).

    Returns
    -------
    EquilibriumResult
        ``status`` ``"success"`` with the verified equilibria, or
        ``"no_equilibrium"`` / ``"iteration_limit"`` / ``"failed"`` with a message.
        Learning methods always return their final profile with its verified
        epsilon: ``"success"`` when it is at most ``options["tol"]``, else
        ``"iteration_limit"``; ``diagnostics`` holds the epsilon history and
        what polishing did.

    Raises
    ------
    SpecError
        Unknown method or option, ``"lcp"``/``"enum"`` on a game that does not
        have 2 players.
    SolverError
        The search would exceed ``max_profiles`` / ``max_pairs``.
    """
    game = check_game(game)
    method = v.choice(method, "method", METHODS)
    opts = _options(method, options)
    tol = thresholds(game, atol, rtol)
    if progress is not None and not isinstance(progress, bool) and not callable(progress):
        raise v.fail("progress", "None, True (a progress bar) or a callable progress(done, total)",
                     type(progress).__name__)
    if method in ("lcp", "enum") and game.n_players != 2:
        raise v.fail("method", f"a 2-player game for method {method!r} (use method='gambit' with "
                     "algorithm 'logit' for 3 or more players, or method='pure')", f"{game.n_players} players")
    if method in LEARNING_METHODS:
        return _solve_learning(game, method, opts, atol, rtol, progress)
    if method in ("pure", "lcp"):
        from mechdesign.compute.backends import progress_reporter

        with progress_reporter(progress or None, f"solve_bne ({method})") as report:
            if method == "pure":
                candidates, message = solve_pure(game, opts, tol, report)
                return _verified_pure(game, opts, candidates, message, atol, rtol)
            candidates, message, stopped = solve_lcp(
                game, opts, lambda s: verify_bne(game, s, atol=atol, rtol=rtol).epsilon, report)
        if not candidates:
            return EquilibriumResult(method="lcp", options=opts, status=stopped, equilibria=(), message=message)
        return _result(game, "lcp", opts, candidates, message, atol, rtol)
    if method == "enum":
        from mechdesign.games.support import enumerate_equilibria

        strategies, message = enumerate_equilibria(game, opts["max_pairs"], float(tol.max()))
        return _result(game, "enum", opts, strategies, message, atol, rtol)
    from mechdesign.games.gambit import gambit_equilibria

    strategies, message = gambit_equilibria(game, opts["algorithm"], bool(opts["rational"]))
    return _result(game, "gambit", opts, strategies, message, atol, rtol)


def _solve_learning(game: BayesianGame, method: str, opts: dict[str, Any], atol: float, rtol: float,
                    progress: Any) -> EquilibriumResult:
    from mechdesign.games.learning.solve import diagnostics, learn_bne

    strategies, run, lg = learn_bne(game, method, opts, progress)
    eq, _ = _equilibrium(game, strategies, atol, rtol)
    if opts["stop"] == "epsilon":
        status = "success" if eq.epsilon <= v.tolerance(opts["tol"], "options['tol']") else "iteration_limit"
    else:
        status = run.status
    message = (f"{method} ({lg.mode} utilities): {run.iterations} iterations, epsilon {eq.epsilon:.3g} "
               f"(target {opts['tol']:.3g}), polish {run.polish.kind}, {run.elapsed:.3g} s")
    return EquilibriumResult(method=method, options=opts, status=status, equilibria=(eq,), message=message,
                             diagnostics=diagnostics(run, lg))


def _result(game: BayesianGame, method: str, opts: dict[str, Any], candidates: list[tuple[np.ndarray, ...]],
            message: str, atol: float, rtol: float) -> EquilibriumResult:
    """Verify candidate profiles, drop duplicates and failures, and wrap them."""
    kept: list[Equilibrium] = []
    rejected = 0
    for strategies in candidates:
        eq, ok = _equilibrium(game, strategies, atol, rtol)
        if not ok:
            rejected += 1
            continue
        if not any(_same(eq, other) for other in kept):
            kept.append(eq)
    if rejected:
        message += f"; {rejected} candidate(s) failed verification and were dropped"
    status = "success" if kept else "failed"
    return EquilibriumResult(method=method, options=opts, status=status, equilibria=tuple(kept), message=message)


def _verified_pure(game: BayesianGame, opts: dict[str, Any], candidates: list[tuple[np.ndarray, ...]],
                   message: str, atol: float, rtol: float) -> EquilibriumResult:
    """The pure candidates that verify ("no_equilibrium" when none does: the search was exhaustive)."""
    equilibria = []
    for strategies in candidates:
        eq, holds = _equilibrium(game, strategies, atol, rtol)
        if holds:
            equilibria.append(eq)
    message += f"; {len(equilibria)} pure BNE"
    status = "success" if equilibria else "no_equilibrium"
    return EquilibriumResult(method="pure", options=opts, status=status, equilibria=tuple(equilibria),
                             message=message)


def _same(a: Equilibrium, b: Equilibrium, atol: float = 1e-6) -> bool:
    return all(np.allclose(x, y, atol=atol) for x, y in zip(a.mixed(), b.mixed()))


# ------------------------------------------------------------------ dominance
def dominant_actions(game: BayesianGame, strict: bool = False, atol: float = 1e-9) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """Per player and type, the indices of the (weakly or strictly) dominant actions.

    Action a is weakly dominant for type t of player i when, for every type
    profile θ_-i of the others and every action profile a_-i,
    u_i(t, θ_-i, a, a_-i) ≥ u_i(t, θ_-i, a', a_-i) − atol for all a'; strictly
    dominant when u_i(a) > u_i(a') + atol for all a' ≠ a (Tadelis 2013, ch. 14: a dominant
    strategy needs no knowledge of the others' types or play).
    """
    n = game.n_players
    out = []
    for i in range(n):
        u = np.moveaxis(game.payoffs[..., i], (i, n + i), (0, 1))
        u = u.reshape(game.n_types[i], game.n_actions[i], -1)                     # (t, a, rest)
        per_type = []
        for t in range(game.n_types[i]):
            table = u[t]
            if strict:
                acts = []
                for a in range(table.shape[0]):
                    others = np.delete(table, a, axis=0)
                    if others.size == 0 or np.all(table[a] > others.max(axis=0) + atol):
                        acts.append(a)
            else:
                acts = [a for a in range(table.shape[0]) if np.all(table[a] >= table.max(axis=0) - atol)]
            per_type.append(tuple(acts))
        out.append(tuple(per_type))
    return tuple(out)


def dominant_strategy_equilibria(game: BayesianGame, strict: bool = False, *, atol: float = 1e-9,
                                 max_equilibria: int = 10_000) -> DominanceResult:
    """Dominant-strategy equilibria: every player-type plays a dominant action.

    Parameters
    ----------
    strict : bool
        Require strict dominance (the textbook definition) instead of weak.
    atol : float
        Payoff tolerance of the comparisons.
    max_equilibria : int
        With weak dominance several payoff-equivalent actions may be dominant;
        at most this many equilibria (their product) are listed.

    Returns
    -------
    DominanceResult
        The dominant actions per player-type and the equilibria, each verified
        as a BNE (epsilon recorded).
    """
    game = check_game(game)
    atol = v.tolerance(atol, "atol")
    if isinstance(max_equilibria, bool) or not isinstance(max_equilibria, (int, np.integer)) or max_equilibria < 1:
        raise v.fail("max_equilibria", "a positive integer", max_equilibria)
    strict = v.flag(strict, "strict")
    dominant = dominant_actions(game, strict=strict, atol=atol)
    equilibria = []
    if all(acts for per_type in dominant for acts in per_type):
        per_player = [itertools.product(*per_type) for per_type in dominant]
        for combo in itertools.islice(itertools.product(*per_player), max_equilibria):
            strategies = tuple(np.asarray(s, dtype=np.intp) for s in combo)
            eq, _ = _equilibrium(game, strategies, atol, 0.0)
            equilibria.append(eq)
    return DominanceResult(strict=bool(strict), dominant=dominant, equilibria=tuple(equilibria), labels=game.labels)
