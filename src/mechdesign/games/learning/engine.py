"""The learning loop: run a dynamic on a :class:`LearningGame` until a target epsilon, then polish.

Cost: one call of ``game.utilities`` per iteration (it yields the gradient
and, for free, the iterate's exact epsilon and utility loss), plus one call
each time the rounded (pure) profile of the iterate settles on a profile not
tested before, plus the polishing at the end (one call per Newton step and
Jacobian column, on small supports only). Memory: the profile, the dual
variables of dual averaging and the history (four floats per iteration).

Games that offer :meth:`LearningGame.fused_dual_averaging` (one symmetric class of a
first-price or all-pay grid auction) run entropic dual averaging without polishing
in their own compiled loop, :data:`FUSED_CHUNK` iterations per call: the same
iterates up to rounding, no Python work per iteration (time stamps inside a chunk
are interpolated).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.games.learning import polish as _polish
from mechdesign.games.learning.dynamics import METHODS, REGULARIZERS, Dynamics, step_schedule
from mechdesign.games.learning.game import LearningGame
from mechdesign.games.learning.results import History, LearningRun, PolishReport

STOPS = ("epsilon", "relative_loss")
INITS = ("uniform", "random")
#: Default iteration budget.
DEFAULT_ITERATIONS = 20_000
#: The rounded profile is tested once it has stayed the same for this many iterations.
ROUNDING_PATIENCE = 3
#: First iteration at which the iterate is polished (then 2x, 4x, ... as long as polishing stays cheap).
FIRST_CHECKPOINT = 32
#: Work of one LP or Newton run, in utility evaluations (for polishing budgets; deterministic, not timed).
SOLVE_COST = 20
#: The local support search runs on games with at most this many agent-types of positive weight.
NEIGHBOUR_TYPES = 40
#: Work allowed to the final polish: half the iterations run, and at least this much.
FINAL_POLISH_WORK = 1000
#: Iterations after which a run switches to the compiled kernels (:mod:`~mechdesign.games.learning.kernels`);
#: once they are imported, every later run uses them from its first iteration.
COMPILED_AFTER = 64
_KERNELS = "mechdesign.games.learning.kernels"
#: Iterations per call of a game's compiled loop (:meth:`LearningGame.fused_dual_averaging`).
FUSED_CHUNK = 64


def learn(game: LearningGame, method: str = "dual_averaging", *, iterations: int = DEFAULT_ITERATIONS,
          tol: float = 1e-6, stop: str = "epsilon", seed: Any = None, init: Any = "uniform", step: Any = None,
          regularizer: str = "entropic", progress: Any = None, polish: bool = True,
          time_limit: float | None = None) -> LearningRun:
    """Learn an approximate Bayes–Nash equilibrium of a finite game by simultaneous learning dynamics.

    Parameters
    ----------
    game : LearningGame
    method : {"dual_averaging", "mirror_ascent", "frank_wolfe", "fictitious_play"}
        The update rule (:mod:`~mechdesign.games.learning.dynamics`).
    iterations : int
        Largest number of iterations (default 20 000).
    tol : float
        Target of the stopping criterion (default 1e-6).
    stop : {"epsilon", "relative_loss"}
        ``"epsilon"``: the largest interim gain of any type of positive
        probability; ``"relative_loss"``: SODA's criterion, the largest ex-ante
        relative utility loss ``1 - u(sigma) / u(best response)`` of any agent.
    seed : int or None
        Seed of the random start (``init="random"``).
    init : "uniform", "random" or sequence of arrays
        Starting profile: uniform mixing, a Dirichlet(1) draw per row, or given
        ``(k_a, m_a)`` strategies.
    step : None, float, dict or callable
        Step sizes (see :func:`~mechdesign.games.learning.dynamics.step_schedule`):
        ``eta`` / ``{"eta": .., "beta": ..}`` for η_t = eta / scale · (t+1)^−beta
        (dual averaging, mirror ascent), or a callable ``t -> step``.
    regularizer : {"entropic", "euclidean"}
        Mirror map of dual averaging / mirror ascent.
    progress : None, True or callable
        ``progress(done, total)`` after each iteration, or True for a progress
        bar on standard error (only when it is a terminal; otherwise quiet).
    polish : bool
        Try to turn the final iterate into an exact equilibrium
        (:mod:`~mechdesign.games.learning.polish`).
    time_limit : float, optional
        Stop (status ``"iteration_limit"``) after this many seconds.

    Returns
    -------
    LearningRun
        The profile of smallest epsilon among the final iterate, the best
        iterate seen and their polished versions, with its exact epsilon,
        ``status`` ``"success"`` when the criterion reached ``tol`` and the
        history of epsilon and relative loss per iteration.

    Notes
    -----
    Simultaneous gradient dynamics need not converge in every game (they can
    cycle around a mixed equilibrium); the status says whether they did. In
    games with a strict pure equilibrium they converge to one from nearby
    starts, and rounding then makes epsilon exactly 0.
    """
    start = time.perf_counter()
    if not isinstance(game, LearningGame):
        raise v.fail("game", "a LearningGame", type(game).__name__)
    method = v.choice(method, "method", METHODS)
    stop = v.choice(stop, "stop", STOPS)
    regularizer = v.choice(regularizer, "regularizer", REGULARIZERS)
    iterations = _count(iterations, "iterations")
    tol = v.tolerance(tol, "tol")
    if time_limit is not None:
        time_limit = v.tolerance(time_limit, "time_limit")
    if progress is not None and not isinstance(progress, bool) and not callable(progress):
        raise v.fail("progress", "None, True (a progress bar) or a callable progress(done, total)",
                     type(progress).__name__)
    rng = np.random.default_rng(seed)
    sigma = _initial(game, init, rng)
    U = game.utilities(sigma)
    scale = game.payoff_scale() or _spread(U)
    dynamics = Dynamics(method, regularizer, sigma, step_schedule(method, step, regularizer, scale))
    options = {"iterations": iterations, "tol": tol, "stop": stop, "seed": seed,
               "init": init if isinstance(init, str) else "given", "step": step if not callable(step) else "callable",
               "regularizer": regularizer, "polish": bool(polish), "time_limit": time_limit}

    kernels = sys.modules.get(_KERNELS)
    if kernels is not None:
        dynamics.use_kernels(kernels)
    measure = _measures(game, kernels)
    rec_it, rec_time, rec_eps, rec_loss = [], [], [], []
    best = (np.inf, sigma)
    tested: set[bytes] = set()
    rounded_key, rounded_age = b"", 0
    found: tuple[tuple[np.ndarray, ...], float, PolishReport] | None = None   # a polished success
    status = "iteration_limit"
    window = _Window(sigma, 0)
    checkpoint, polish_calls = FIRST_CHECKPOINT, 0
    every = max(1, iterations // 500)
    t = 0
    # whole iterations in compiled code where the game offers them (no per-iteration Python work is asked for)
    fusable = method == "dual_averaging" and regularizer == "entropic" and not polish

    def reached(profile: Sequence[np.ndarray], e: float) -> bool:
        return (e if stop == "epsilon" else game.utility_loss(profile).max_relative) <= tol

    with _reporter(progress, f"learn ({method})") as report:
        while True:
            eps, loss = measure(sigma, U)
            rec_it.append(t), rec_time.append(time.perf_counter() - start), rec_eps.append(eps), rec_loss.append(loss)
            if eps < best[0]:
                best = (eps, sigma)
            if (eps if stop == "epsilon" else loss) <= tol:
                status = "success"
                break
            if polish:
                # a pure profile the iterate settles on: test it once
                key = b"".join(x.argmax(axis=1).tobytes() for x in sigma)
                rounded_age = rounded_age + 1 if key == rounded_key else 0
                rounded_key = key
                if rounded_age >= ROUNDING_PATIENCE and key not in tested:
                    tested.add(key)
                    pure = _polish.round_pure(sigma)
                    e = game.epsilon(pure)
                    if reached(pure, e):
                        note = (f"iterate {t} rounded: epsilon {e:.3g}",)
                        found = (pure, e, PolishReport("pure", float(best[0]), e, note))
                        status = "success"
                        break
                # at checkpoints 32, 64, 128, ...: polish the iterate and the average since the last one,
                # as long as polishing has cost at most half as many utility evaluations as the dynamics
                if t >= checkpoint:
                    checkpoint *= 2
                    if polish_calls <= t // 2:
                        candidates, epsilons = [sigma], [eps]
                        if window.count:
                            candidates.append(window.mean()), epsilons.append(game.epsilon(candidates[-1]))
                        profile, e, rep = polish_profile(game, candidates, epsilons, window.supports(),
                                                         budget=t // 2 - polish_calls + SOLVE_COST)
                        polish_calls += rep.evaluations
                        if rep.kind != "none" and reached(profile, e):
                            found, status = (profile, e, rep), "success"
                            break
                    window = _Window(sigma, t)
            if t % every == 0:
                report(t, iterations, eps)
            if t >= iterations or (time_limit is not None and time.perf_counter() - start > time_limit):
                break
            if kernels is None and t == COMPILED_AFTER:
                kernels = _load_kernels()
                if kernels is not None:
                    dynamics.use_kernels(kernels)
                    measure = _measures(game, kernels)
            if fusable and kernels is not None:
                fusable = False
                fused = game.fused_dual_averaging()
                if fused is not None:
                    t, hit, sigma, best = _run_fused(fused, dynamics, sigma, U, t, best, stop, tol, iterations,
                                                     time_limit, start, (rec_it, rec_time, rec_eps, rec_loss), report)
                    status = "success" if hit else status
                    break
            sigma = dynamics.step(t, sigma, U)
            t += 1
            if polish:
                window.add(sigma)
            U = game.utilities(sigma)
        report(t, iterations, rec_eps[-1])

    history = History(np.array(rec_it), np.array(rec_time), np.array(rec_eps), np.array(rec_loss))
    eps_iterate = float(rec_eps[-1])
    if found is not None:
        profile, eps_final, report_polish = found
    elif polish and status != "success":
        candidates, epsilons = [sigma, best[1]], [eps_iterate, float(best[0])]
        if window.count:
            candidates.append(window.mean()), epsilons.append(game.epsilon(candidates[-1]))
        profile, eps_final, report_polish = polish_profile(game, candidates, epsilons, window.supports(),
                                                           budget=max(FINAL_POLISH_WORK, t // 2))
        if reached(profile, eps_final):
            status = "success"
    elif polish:                                          # target reached by the iterate: round it if that is exact
        pure = _polish.round_pure(sigma)
        e = game.epsilon(pure)
        if e < eps_iterate and reached(pure, e):
            profile, eps_final = pure, e
            report_polish = PolishReport("pure", eps_iterate, e, (f"iterate {t} rounded: epsilon {e:.3g}",))
        else:
            profile, eps_final = sigma, eps_iterate
            report_polish = PolishReport("none", eps_iterate, eps_iterate, (f"rounded: epsilon {e:.3g}",))
    elif status == "success":                             # the iterate met the criterion: return it
        profile, eps_final = sigma, eps_iterate
        report_polish = PolishReport("none", eps_final, eps_final)
    else:
        profile, eps_final = (sigma, eps_iterate) if eps_iterate <= best[0] else (best[1], float(best[0]))
        report_polish = PolishReport("none", eps_final, eps_final)
    profile = tuple(v.frozen(np.array(x)) for x in profile)
    eps_final = game.epsilon(profile)                   # re-evaluated on the returned arrays
    elapsed = time.perf_counter() - start
    message = (f"{method}: {status} after {t} iterations, epsilon {eps_final:.3g} "
               f"(iterate {eps_iterate:.3g}, polish {report_polish.kind}) in {elapsed:.3g} s")
    return LearningRun(method=method, options=options, strategies=profile, epsilon=eps_final, status=status,
                       iterations=t, history=history, polish=report_polish, loss=game.utility_loss(profile),
                       elapsed=elapsed, message=message)


def _run_fused(fused: Callable[..., tuple[int, bool]], dynamics: Dynamics, sigma: Sequence[np.ndarray],
               U: Sequence[np.ndarray], t: int, best: tuple[float, Any], stop: str, tol: float, iterations: int,
               time_limit: float | None, start: float, records: tuple[list, list, list, list], report: Any
               ) -> tuple[int, bool, tuple[np.ndarray, ...], tuple[float, tuple[np.ndarray, ...]]]:
    """Continue the run from iteration ``t`` in the game's compiled loop, :data:`FUSED_CHUNK`
    iterations per call; progress and the time limit are looked at between calls, and the times
    of the iterations inside a call are interpolated between its start and end."""
    sig = [np.array(s, dtype=float, order="C") for s in sigma]
    util = [np.array(u, dtype=float, order="C") for u in U]
    dual = dynamics.dual
    best_sigma = [np.array(s, dtype=float, order="C") for s in best[1]]
    best_eps = np.array([best[0]], dtype=float)
    rec_it, rec_time, rec_eps, rec_loss = records
    reached = False
    while t < iterations:
        n = min(FUSED_CHUNK, iterations - t)
        etas = np.array([dynamics.schedule(t + i) for i in range(n)], dtype=float)
        eps_out, loss_out = np.empty(n), np.empty(n)
        before = time.perf_counter() - start
        done, reached = fused(dual, sig, util, etas, float(tol), stop == "relative_loss", eps_out, loss_out,
                              best_sigma, best_eps)
        after = time.perf_counter() - start
        rec_it.extend(range(t + 1, t + done + 1))
        rec_time.extend(np.linspace(before, after, done + 1)[1:].tolist())
        rec_eps.extend(eps_out[:done].tolist()), rec_loss.extend(loss_out[:done].tolist())
        t += done
        report(t, iterations, rec_eps[-1])
        if reached or (time_limit is not None and after > time_limit):
            break
    return t, bool(reached), tuple(sig), (float(best_eps[0]), tuple(best_sigma))


def polish_profile(game: LearningGame, candidates: Sequence[Sequence[np.ndarray]], epsilons: Sequence[float],
                   extra_supports: Sequence[list[list[np.ndarray]]] = (), neighbours: bool = True,
                   budget: int | None = None) -> tuple[tuple[np.ndarray, ...], float, PolishReport]:
    """The best of ``candidates`` and of their polished versions, by exact epsilon.

    For each candidate: pure rounding, then each support guessed from it
    (:mod:`~mechdesign.games.learning.polish`) and each of ``extra_supports``
    — by the support LP and its Newton refinement for two agents, by Newton's
    method otherwise; then, with ``neighbours`` and at most
    :data:`NEIGHBOUR_TYPES` agent-types, the support profiles that differ from
    the last candidate's guess at one or two types. ``budget`` bounds the work
    (in utility evaluations; a Newton run counts :data:`SOLVE_COST`, an LP
    that plus Σ k_a m_a / 8): once spent, no further guess is tried.
    """
    order = int(np.argmin(epsilons))
    best_profile, best_eps, kind = tuple(candidates[order]), float(epsilons[order]), "none"
    before = best_eps
    attempts: list[str] = []
    calls = [0]

    def utilities(profile: Sequence[np.ndarray]) -> list[np.ndarray]:
        calls[0] += 1
        return game.utilities(profile)

    def consider(name: str, c: int, profile: tuple[np.ndarray, ...] | None) -> tuple[np.ndarray, ...] | None:
        nonlocal best_profile, best_eps, kind
        if profile is None:
            attempts.append(f"candidate {c}: {name} failed")
            return None
        eps = game.epsilon(profile, utilities(profile))
        attempts.append(f"candidate {c}: {name} epsilon {eps:.3g}")
        if eps < best_eps:
            best_profile, best_eps, kind = profile, eps, name
        return profile

    maps = None
    seen: set[bytes] = set()
    n_types = sum(int(np.count_nonzero(w > 0)) for w in game.type_weights)
    solves = [0]

    def spent() -> int:
        return calls[0] + SOLVE_COST * solves[0]

    def left() -> int | None:
        return None if budget is None else max(0, budget - spent())
    for c, sigma in enumerate(candidates):
        consider("pure", c, _polish.round_pure(sigma))
        U = utilities(sigma)
        eps = game.epsilon(sigma, U)
        spread = max(float(u.max() - u.min()) for u in U) or 1.0
        guesses = [_polish.guess_supports(sigma, th) for th in _polish.SUPPORT_THRESHOLDS]
        guesses += [_polish.near_best_supports(U, gap) for gap in (eps, 10 * eps, 1e-3 * spread)]
        guesses += list(extra_supports)
        if neighbours and c == len(candidates) - 1 and n_types <= NEIGHBOUR_TYPES:
            guesses += _polish.neighbour_supports(_polish.guess_supports(sigma, 1e-2), U, game.type_weights)
        for supports in guesses:
            if budget is not None and spent() > budget:
                attempts.append("budget spent")
                break
            key = _polish.support_key(supports)
            if key in seen or all(len(sup) == 1 for per in supports for sup in per):
                continue
            seen.add(key)
            if game.n_agents == 2 and maps is None:
                maps = _polish.linear_maps(game, sigma, utilities) or []
            solves[0] += 1
            if maps:
                solves[0] += sum(k * m for k, m in zip(game.n_types, game.n_actions)) // (8 * SOLVE_COST)
                lp = consider("support_lp", c, _polish.support_lp(game, sigma, supports, maps))
                if lp is not None:
                    used = _polish.guess_supports(lp, 1e-12)
                    consider("support_lp", c, _polish.newton(game, lp, used, utilities, max_evaluations=left()))
            else:
                consider("newton", c, _polish.newton(game, sigma, supports, utilities, max_evaluations=left()))
            if best_eps <= 1e-13 * spread:                 # exact up to rounding: stop searching
                break
        if best_eps <= 1e-13 * spread:
            break
        if budget is not None and spent() > budget:
            break
    return best_profile, best_eps, PolishReport(kind, before, best_eps, tuple(attempts), spent())


class _Window:
    """Mean and range of the iterates since the last checkpoint (support guesses for cycling dynamics)."""

    def __init__(self, sigma: Sequence[np.ndarray], start: int):
        self.start, self.count = start, 0
        self.total = [np.zeros_like(x) for x in sigma]
        self.low = [np.array(x) for x in sigma]
        self.high = [np.array(x) for x in sigma]

    def add(self, sigma: Sequence[np.ndarray]) -> None:
        self.count += 1
        for total, low, high, x in zip(self.total, self.low, self.high, sigma):
            total += x
            np.minimum(low, x, out=low)
            np.maximum(high, x, out=high)

    def mean(self) -> tuple[np.ndarray, ...]:
        return tuple(x / self.count for x in self.total)

    def supports(self) -> list[list[list[np.ndarray]]]:
        """Actions played with probability ≥ 5% at some iterate of the window, and at all of them."""
        union = [[np.flatnonzero(row >= 0.05 * row.max()) for row in high] for high in self.high]
        core = [[np.flatnonzero(row >= 0.05 * row.max()) if row.max() > 0 else np.flatnonzero(h >= 0.05 * h.max())
                 for row, h in zip(low, high)] for low, high in zip(self.low, self.high)]
        return [union, core] if self.count else []


def _load_kernels() -> Any:
    """The compiled kernels module, or None when numba cannot provide it here."""
    try:
        from mechdesign.games.learning import kernels
    except Exception:  # noqa: BLE001 - numba missing or broken: the numpy path stays
        return None
    return kernels


def _measures(game: LearningGame, kernels: Any = None
              ) -> Callable[[Sequence[np.ndarray], Sequence[np.ndarray]], tuple[float, float]]:
    """``(epsilon, largest relative utility loss)`` of a profile given its utilities.

    A vectorised (or, with ``kernels``, compiled) equivalent of
    :meth:`LearningGame.epsilon` and :meth:`LearningGame.utility_loss` (used
    unless a subclass overrides them).
    """
    if type(game).epsilon is not LearningGame.epsilon or type(game).utility_loss is not LearningGame.utility_loss:
        return lambda sigma, U: (game.epsilon(sigma, U), game.utility_loss(sigma, U).max_relative)
    if kernels is not None:
        full = [np.ascontiguousarray(w, dtype=float) for w in game.type_weights]

        def compiled(sigma: Sequence[np.ndarray], U: Sequence[np.ndarray]) -> tuple[float, float]:
            eps, loss = 0.0, 0.0
            for w, s, u in zip(full, sigma, U):
                e, util, br = kernels.gaps(np.ascontiguousarray(s, dtype=float),
                                           np.ascontiguousarray(u, dtype=float), w)
                eps = max(eps, e)
                gap = br - util
                if gap > 0:
                    loss = max(loss, gap / abs(br) if br != 0 else np.inf)
            return max(eps, 0.0), loss

        return compiled
    active = [np.flatnonzero(w > 0) if np.any(w <= 0) else slice(None) for w in game.type_weights]
    weights = [w[a] for w, a in zip(game.type_weights, active)]

    def measure(sigma: Sequence[np.ndarray], U: Sequence[np.ndarray]) -> tuple[float, float]:
        eps, loss = 0.0, 0.0
        for act, w, s, u in zip(active, weights, sigma, U):
            u = u[act]
            current = (s[act] * u).sum(axis=1)
            best = u.max(axis=1)
            eps = max(eps, float((best - current).max()))
            br = float(w @ best)
            gap = br - float(w @ current)
            if gap > 0:
                loss = max(loss, gap / abs(br) if br != 0 else np.inf)
        return max(eps, 0.0), loss

    return measure


def _initial(game: LearningGame, init: Any, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    if isinstance(init, str):
        init = v.choice(init, "init", INITS)
        return game.uniform_strategies() if init == "uniform" else game.random_strategies(rng)
    return game.check_strategies(init, "init")


def _spread(U: Sequence[np.ndarray]) -> float:
    spread = max(float(u.max() - u.min()) for u in U)
    return spread if spread > 0 else 1.0


def _count(value: Any, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or int(value) < 0:
        raise v.fail(name, "a non-negative integer", value)
    return int(value)


class _reporter:
    """``report(done, total, epsilon)`` for a progress option: None, True (a rich bar showing epsilon on a
    terminal, the shared notebook line in Jupyter, silence otherwise) or a callable ``progress(done, total)``."""

    def __init__(self, progress: Any, description: str):
        self.progress, self.description, self.bar, self.line = progress, description, None, None

    def __enter__(self) -> Callable[[int, int, float], None]:
        from mechdesign.compute.progress import in_notebook, stderr_is_terminal

        if self.progress is True and in_notebook():             # the shared notebook line
            from mechdesign.compute.progress import _NotebookLine

            self.line = _NotebookLine(self.description)
            return lambda done, total, eps: self.line(done, total)
        if self.progress is True and stderr_is_terminal():
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            task = self.bar.add_task(self.description, total=None)
            return lambda done, total, eps: self.bar.update(
                task, completed=done, total=total, description=f"{self.description} epsilon {eps:.2e}")
        if callable(self.progress):
            return lambda done, total, eps: self.progress(done, total)
        return lambda done, total, eps: None

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.stop()
        if self.line is not None:
            self.line.close()
