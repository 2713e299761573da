"""Bayes–Nash equilibria: verification, solvers and dominant-strategy equilibria.

* :func:`verify_bne` — the epsilon of a strategy profile (largest interim gain
  of any player-type from deviating, under her conditional belief).
* :func:`solve_bne` — one entry point, ``method=`` one of

  ``"pure"``   all pure BNE (exhaustive, with best-response pruning);
  ``"lcp"``    one mixed BNE of a 2-player game by Lemke's method on the
               sequence form of the Harsanyi game (:mod:`.lemke`);
  ``"enum"``   all mixed BNE of a small nondegenerate 2-player game by
               support enumeration on the agent form (:mod:`.support`);
  ``"gambit"`` pygambit's ``lcp``, ``logit`` or ``enummixed`` on the exported
               Harsanyi game (:mod:`.gambit`; needs the ``[gambit]`` extra).

  Every equilibrium returned is re-verified with :func:`verify_bne`.
* :func:`dominant_strategy_equilibria` — dominant actions per player-type.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.errors import SolverError
from mechdesign.games.bayesian import BayesianGame, n_pure_strategies
from mechdesign.games.interim import embed, two_player_arrays  # noqa: F401  (re-exported)
from mechdesign.games.lcp import DEFAULT_OPTIONS as LCP_OPTIONS
from mechdesign.games.lcp import LCP_STARTS, solve_lcp
from mechdesign.games.results import (BNEVerification, Deviation, DominanceResult, Equilibrium,
                                      EquilibriumResult)

METHODS = ("pure", "lcp", "enum", "gambit")
DEFAULT_OPTIONS: dict[str, dict[str, Any]] = {
    "pure": {"max_profiles": 10**6},
    "lcp": LCP_OPTIONS,
    "enum": {"max_pairs": 10**6},
    "gambit": {"algorithm": None, "rational": False},
}
#: Floats per block of the vectorised pure-strategy search (bounds memory).
BLOCK_FLOATS = 2**21


def check_game(game: Any) -> BayesianGame:
    """Raise SpecError unless ``game`` is a BayesianGame."""
    if not isinstance(game, BayesianGame):
        raise v.fail("game", "a BayesianGame (see BayesianGame.from_mechanism / from_arrays)", type(game).__name__)
    return game


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
    for key in ("max_profiles", "max_pivots", "max_pairs", "workers"):
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
    return merged


def solve_bne(game: BayesianGame, method: str = "pure", options: dict[str, Any] | None = None, *,
              atol: float = 1e-9, rtol: float = 1e-9, progress: Any = None) -> EquilibriumResult:
    """Compute Bayes–Nash equilibria of a finite Bayesian game.

    Parameters
    ----------
    game : BayesianGame
    method : {"pure", "lcp", "enum", "gambit"}
        ``"pure"``: all pure BNE; ``"lcp"``: one (possibly mixed) BNE of a
        2-player game, Lemke on the sequence form, polynomial-size in Σ k_i|A_i|;
        ``"enum"``: all mixed BNE of a small 2-player game (support enumeration;
        complete for nondegenerate games); ``"gambit"``: pygambit.
    options : dict, optional
        ``pure``: ``max_profiles`` (default 10⁶) — refuse when more than this
        many pure-strategy profiles of all players but one would be searched;
        ``lcp``: ``max_pivots`` (2 000 000, summed over paths), ``polish``
        (True: re-solve the indifference equations on the supports found),
        ``start`` (``"tracing"``: two tracing procedures side by side, from two
        regret-matching priors (n and n / 10 iterations), a failed one replaced
        by one from the uniform, then a random prior; ``"covering"``: one path with a random
        covering vector near 1), ``workers`` (2: once the two paths have run
        20 000 pivots they move to this many worker processes, at most one per
        CPU; the result does not depend on it), ``seed`` (0: the seed of the random
        priors / covering vector, which select the equilibrium found);
        ``enum``: ``max_pairs`` (10⁶ support pairs);
        ``gambit``: ``algorithm`` (``"lcp"``, ``"logit"``, ``"enummixed"``;
        default ``"lcp"`` for 2 players, ``"logit"`` otherwise), ``rational`` (False).
    atol, rtol : float
        Equilibria must verify with epsilon ≤ ``atol + rtol * max|payoff|``.
    progress : None, True or callable, optional
        ``progress(done, total)`` as the search goes, or True for a progress
        bar on standard error. ``"pure"`` reports profiles searched of all;
        ``"lcp"`` reports pivots spent against ``max_pivots`` (an upper bound:
        a path usually ends long before it).

    Returns
    -------
    EquilibriumResult
        ``status`` ``"success"`` with the verified equilibria, or
        ``"no_equilibrium"`` / ``"iteration_limit"`` / ``"failed"`` with a message.

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
    if method in ("pure", "lcp"):
        from mechdesign.compute.backends import progress_reporter

        with progress_reporter(progress or None, f"solve_bne ({method})") as report:
            if method == "pure":
                return _solve_pure(game, opts, tol, atol, rtol, report)
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


def _same(a: Equilibrium, b: Equilibrium, atol: float = 1e-6) -> bool:
    return all(np.allclose(x, y, atol=atol) for x, y in zip(a.mixed(), b.mixed()))


# ------------------------------------------------------------------ pure BNE
def _active_profile_weights(game: BayesianGame) -> np.ndarray:
    return np.asarray(game.prior.joint())


def batch_interim(game: BayesianGame, i: int, pure: list[np.ndarray | None], joint: np.ndarray) -> np.ndarray:
    """Conditional interim payoffs ``U[b, t, a]`` of player ``i`` against a batch of pure profiles.

    ``pure[j]`` (j ≠ i) is an integer array ``(B, k_j)``: the b-th profile's
    strategy of player j. Rows of types with probability zero are zero.
    Payoffs are :meth:`BayesianGame.incentive_payoffs` (offsets removed; only
    differences between actions are meaningful).
    """
    n = game.n_players
    payoff = np.moveaxis(game.incentive_payoffs()[..., i], n + i, -1)      # (k..., A_-i..., A_i)
    batch = next((p.shape[0] for j, p in enumerate(pure) if j != i), 1)      # 1 for a one-player game
    index: list[np.ndarray] = []
    for j, k in enumerate(game.n_types):
        shape = [1] * (n + 1)
        shape[j + 1] = k
        index.append(np.arange(k).reshape(shape))
    for j, k in enumerate(game.n_types):
        if j != i:
            shape = [1] * (n + 1)
            shape[0], shape[j + 1] = batch, k
            index.append(np.asarray(pure[j]).reshape(shape))
    values = payoff[tuple(index)]                                              # (B, k..., A_i)
    out_axes = [0, i + 1, n + 1]
    weighted = np.einsum(values, [0, *range(1, n + 2)], joint, list(range(1, n + 1)), out_axes, optimize=True)
    mass = np.asarray(game.prior.marginal(i))
    return weighted / np.where(mass > 0, mass, 1.0)[None, :, None]


def _decode(codes: np.ndarray, k: int, m: int) -> np.ndarray:
    """Pure strategies numbered 0..m^k−1 (type 0 most significant) → ``(B, k)`` actions."""
    out = np.empty((codes.size, k), dtype=np.intp)
    rest = codes.copy()
    for t in range(k - 1, -1, -1):
        out[:, t] = rest % m
        rest //= m
    return out


def _solve_pure(game: BayesianGame, opts: dict[str, Any], tol: np.ndarray, atol: float, rtol: float,
                report: Callable[[int, int], None]) -> EquilibriumResult:
    start = time.perf_counter()
    n = game.n_players
    counts = [n_pure_strategies(game, i) for i in range(n)]
    last = int(np.argmax(counts))                       # the player whose best responses are derived, not searched
    searched = [j for j in range(n) if j != last]
    total = math.prod(counts[j] for j in searched)
    if total > opts["max_profiles"]:
        raise SolverError(
            f"options['max_profiles']: the pure search would enumerate {total} strategy profiles of players "
            f"{[game.players[j] for j in searched]} (more than max_profiles = {opts['max_profiles']}); raise the "
            "bound or use method='lcp' (2 players) or 'gambit'")
    joint = _active_profile_weights(game)
    active = [game.active_types(i) for i in range(n)]
    per_profile = math.prod(game.n_types) * max(game.n_actions)
    block = max(1, BLOCK_FLOATS // per_profile)
    found: list[tuple[np.ndarray, ...]] = []
    for lo in range(0, total, block):
        report(lo, total)
        codes = np.arange(lo, min(lo + block, total), dtype=np.int64)
        pure: list[np.ndarray | None] = [None] * n
        rest = codes
        for j in reversed(searched):
            pure[j] = _decode(rest % counts[j], game.n_types[j], game.n_actions[j])
            rest = rest // counts[j]
        # best responses of `last` to each searched profile: product over her types
        interim = batch_interim(game, last, pure, joint)
        best = interim >= interim.max(axis=2, keepdims=True) - tol[last]
        best[:, ~active[last], :] = True
        unique = np.all(best.sum(axis=2) == 1, axis=1)            # one best response per type: vectorised
        cand_rows = [np.flatnonzero(unique)]
        cand_strats = [best[unique].argmax(axis=2)]
        for b in np.flatnonzero(~unique):                          # ties: every combination of best responses
            choices = [np.flatnonzero(best[b, t]) for t in range(game.n_types[last])]
            combos = np.array(list(itertools.product(*choices)), dtype=np.intp)
            cand_rows.append(np.full(len(combos), b))
            cand_strats.append(combos)
        rows = np.concatenate(cand_rows)
        if rows.size == 0:
            continue
        profile = [None if j == last else pure[j][rows] for j in range(n)]
        profile[last] = np.concatenate(cand_strats).astype(np.intp).reshape(rows.size, game.n_types[last])
        ok = np.ones(rows.size, dtype=bool)
        for j in searched:   # do the searched players best respond too?
            interim_j = batch_interim(game, j, profile, joint)
            played = np.take_along_axis(interim_j, profile[j][:, :, None], axis=2)[:, :, 0]
            regret = interim_j.max(axis=2) - played
            ok &= np.all((regret <= tol[j]) | ~active[j][None, :], axis=1)
        for c in np.flatnonzero(ok):
            found.append(tuple(np.asarray(profile[j][c]) for j in range(n)))
    report(total, total)
    equilibria = []
    for strategies in found:
        eq, holds = _equilibrium(game, strategies, atol, rtol)
        if holds:
            equilibria.append(eq)
    elapsed = time.perf_counter() - start
    message = (f"searched {total} profiles of players {[game.players[j] for j in searched]}, best responses of "
               f"{game.players[last]!r} derived; {len(equilibria)} pure BNE in {elapsed:.3g} s")
    status = "success" if equilibria else "no_equilibrium"
    return EquilibriumResult(method="pure", options=opts, status=status, equilibria=tuple(equilibria),
                             message=message)


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
