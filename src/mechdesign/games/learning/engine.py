"""The learning loop: run a dynamic on a :class:`LearningGame` until a target epsilon, then polish.

Cost: one call of ``game.utilities`` per iteration (it yields the gradient
and, for free, the iterate's exact epsilon and utility loss), plus one call
each time the rounded (pure) profile of the iterate settles on a profile not
tested before, plus the polishing at the end (one call per Newton step and
Jacobian column, on small supports only). Memory: the profile, the dual
variables of dual averaging and the history (four floats per iteration).
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

    measure = _measures(game)
    rec_it, rec_time, rec_eps, rec_loss = [], [], [], []
    best = (np.inf, sigma)
    tested: set[bytes] = set()
    rounded_key, rounded_age = b"", 0
    found: tuple[tuple[np.ndarray, ...], float, PolishReport] | None = None   # a polished success
    status = "iteration_limit"
    averaging = method in ("dual_averaging", "mirror_ascent")      # FW / FP iterates are averages already
    window, window_start = [np.zeros_like(x) for x in sigma], 0
    checkpoint, polish_calls = FIRST_CHECKPOINT, 0
    every = max(1, iterations // 500)
    t = 0

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
                        found = (pure, e, PolishReport("pure", float(best[0]), e, (f"iterate {t} rounded: epsilon {e:.3g}",)))
                        status = "success"
                        break
                # at checkpoints 32, 64, 128, ...: polish the iterate and the average since the last one,
                # as long as polishing has cost at most half as many utility evaluations as the dynamics
                if t >= checkpoint:
                    checkpoint *= 2
                    if polish_calls <= t // 2:
                        candidates, epsilons = [sigma], [eps]
                        if averaging and t > window_start:
                            avg = tuple(x / (t - window_start) for x in window)
                            candidates.append(avg), epsilons.append(game.epsilon(avg))
                        profile, e, rep = polish_profile(game, candidates, epsilons)
                        polish_calls += rep.evaluations
                        if rep.kind != "none" and reached(profile, e):
                            found, status = (profile, e, rep), "success"
                            break
                    window, window_start = [np.zeros_like(x) for x in sigma], t
            if t % every == 0:
                report(t, iterations)
            if t >= iterations or (time_limit is not None and time.perf_counter() - start > time_limit):
                break
            sigma = dynamics.step(t, sigma, U)
            t += 1
            if averaging:
                for acc, x in zip(window, sigma):
                    acc += x
            U = game.utilities(sigma)
        report(t, iterations)

    history = History(np.array(rec_it), np.array(rec_time), np.array(rec_eps), np.array(rec_loss))
    eps_iterate = float(rec_eps[-1])
    if found is not None:
        profile, eps_final, report_polish = found
    elif polish and status != "success":
        candidates, epsilons = [sigma, best[1]], [eps_iterate, float(best[0])]
        if averaging and t > window_start:
            avg = tuple(x / (t - window_start) for x in window)
            candidates.append(avg), epsilons.append(game.epsilon(avg))
        profile, eps_final, report_polish = polish_profile(game, candidates, epsilons)
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


def polish_profile(game: LearningGame, candidates: Sequence[Sequence[np.ndarray]],
                   epsilons: Sequence[float]) -> tuple[tuple[np.ndarray, ...], float, PolishReport]:
    """The best of ``candidates`` and of their polished versions, by exact epsilon.

    For each candidate: pure rounding, then each support guessed from it
    (:mod:`~mechdesign.games.learning.polish`) — by the support LP and its
    Newton refinement for two agents, by Newton's method otherwise.
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
    for c, sigma in enumerate(candidates):
        consider("pure", c, _polish.round_pure(sigma))
        U = utilities(sigma)
        eps = game.epsilon(sigma, U)
        spread = max(float(u.max() - u.min()) for u in U) or 1.0
        guesses = [_polish.guess_supports(sigma, th) for th in _polish.SUPPORT_THRESHOLDS]
        guesses += [_polish.near_best_supports(U, gap) for gap in (eps, 10 * eps, 1e-3 * spread)]
        for supports in guesses:
            key = _polish.support_key(supports)
            if key in seen or all(len(sup) == 1 for per in supports for sup in per):
                continue
            seen.add(key)
            if game.n_agents == 2 and maps is None:
                maps = _polish.linear_maps(game, sigma, utilities) or []
            if maps:
                lp = consider("support_lp", c, _polish.support_lp(game, sigma, supports, maps))
                if lp is not None:
                    used = _polish.guess_supports(lp, 1e-12)
                    consider("support_lp", c, _polish.newton(game, lp, used, utilities))
            else:
                consider("newton", c, _polish.newton(game, sigma, supports, utilities))
            if best_eps == 0.0:
                break
    return best_profile, best_eps, PolishReport(kind, before, best_eps, tuple(attempts), calls[0])


def _measures(game: LearningGame) -> Callable[[Sequence[np.ndarray], Sequence[np.ndarray]], tuple[float, float]]:
    """``(epsilon, largest relative utility loss)`` of a profile given its utilities.

    A vectorised equivalent of :meth:`LearningGame.epsilon` and
    :meth:`LearningGame.utility_loss` (used unless a subclass overrides them).
    """
    if type(game).epsilon is not LearningGame.epsilon or type(game).utility_loss is not LearningGame.utility_loss:
        return lambda sigma, U: (game.epsilon(sigma, U), game.utility_loss(sigma, U).max_relative)
    active = [np.flatnonzero(w > 0) for w in game.type_weights]
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
    """``report(done, total)`` for a progress option: None, True (a rich bar on a terminal) or a callable."""

    def __init__(self, progress: Any, description: str):
        self.progress, self.description, self.bar = progress, description, None

    def __enter__(self) -> Callable[[int, int], None]:
        if self.progress is True and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            task = self.bar.add_task(self.description, total=None)
            return lambda done, total: self.bar.update(task, completed=done, total=total)
        if callable(self.progress):
            return self.progress
        return lambda done, total: None

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.stop()
