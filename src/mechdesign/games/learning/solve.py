"""The learning methods of :func:`mechdesign.solve_bne`: a Bayesian game through the adapter into :func:`learn`.

The dispatcher (:mod:`mechdesign.games.equilibrium`) calls :func:`learn_bne`
and re-verifies the returned profile with :func:`~mechdesign.verify_bne`; this
module imports nothing from it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mechdesign.games.bayesian import BayesianGame
from mechdesign.games.learning.adapter import BayesianLearningGame, SymmetricLearningGame
from mechdesign.games.learning.dynamics import METHODS
from mechdesign.games.learning.engine import DEFAULT_ITERATIONS, learn
from mechdesign.games.learning.results import LearningRun

#: ``options`` of the learning methods of solve_bne and their defaults.
DEFAULT_OPTIONS: dict[str, Any] = {
    "iterations": DEFAULT_ITERATIONS, "tol": 1e-6, "seed": None, "init": "uniform", "step": None,
    "stop": "epsilon", "polish": True, "mode": "auto", "time_limit": None, "symmetric": False,
}
#: Extra option of dual averaging and mirror ascent.
MIRROR_OPTIONS: dict[str, Any] = {"regularizer": "entropic"}


def default_options(method: str) -> dict[str, Any]:
    """The options ``solve_bne`` accepts for learning ``method``, with their defaults."""
    out = dict(DEFAULT_OPTIONS)
    if method in ("dual_averaging", "mirror_ascent"):
        out.update(MIRROR_OPTIONS)
    return out


def learn_bne(game: BayesianGame, method: str, opts: dict[str, Any],
              progress: Any = None) -> tuple[tuple[np.ndarray, ...], LearningRun, Any]:
    """Run learning ``method`` on ``game``; returns the player strategies, the run and the learning game.

    With ``opts["symmetric"]`` the players of a symmetric game share one strategy
    (:class:`SymmetricLearningGame`; a SpecError if the game is not symmetric).
    """
    assert method in METHODS
    if opts["symmetric"]:
        lg: Any = SymmetricLearningGame(game, mode=opts["mode"])
    else:
        lg = BayesianLearningGame(game, mode=opts["mode"])
    kwargs = {k: opts[k] for k in ("iterations", "tol", "stop", "seed", "init", "step", "polish", "time_limit")}
    if "regularizer" in opts:
        kwargs["regularizer"] = opts["regularizer"]
    run = learn(lg, method, progress=progress, **kwargs)
    strategies = run.strategies * game.n_players if opts["symmetric"] else run.strategies
    return tuple(np.array(s) for s in strategies), run, lg


def diagnostics(run: LearningRun, lg: Any) -> dict[str, Any]:
    """What solve_bne records about a learning run: iterations, history, polishing, the adapter's mode."""
    return {"iterations": run.iterations, "elapsed": run.elapsed, "learning_status": run.status,
            "learning_epsilon": run.epsilon, "mode": lg.mode, "symmetric": isinstance(lg, SymmetricLearningGame),
            "polish": run.polish.to_dict(),
            "relative_loss": run.loss.relative.tolist(), "history": run.history.to_dict()}
