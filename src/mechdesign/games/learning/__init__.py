"""Equilibrium learning on finite Bayesian games (any number of players).

* :class:`LearningGame` — the interface the dynamics run on (agents, types with
  prior weights, actions, and the interim utilities ``U_a[t, b]``); epsilon and
  SODA's utility loss are derived from it.
* :func:`learn` — simultaneous online dual averaging (SODA), entropic mirror
  ascent, Frank–Wolfe and fictitious play, with SODA's step-size schedules, a
  target epsilon, a history, and polishing (pure rounding, Newton on the
  support, a support LP for two agents).
* :class:`BayesianLearningGame` / :func:`learning_game` — a
  :class:`~mechdesign.BayesianGame` as a learning game (aggregate action
  distributions for private values and independent types, full payoff arrays
  otherwise); :class:`SymmetricLearningGame` — all players of a symmetric game
  as one agent sharing a strategy (symmetric equilibria).

:func:`mechdesign.solve_bne` with ``method="dual_averaging"`` (or one of the
other learning methods) runs all of this on a Bayesian game and re-verifies the
result with :func:`mechdesign.verify_bne`.
"""

from mechdesign.games.learning.adapter import (BayesianLearningGame, SymmetricLearningGame, is_symmetric,
                                               learning_game)
from mechdesign.games.learning.dynamics import METHODS, REGULARIZERS
from mechdesign.games.learning.engine import learn
from mechdesign.games.learning.game import LearningGame, UtilityLoss
from mechdesign.games.learning.results import History, LearningRun, PolishReport

__all__ = ["BayesianLearningGame", "History", "LearningGame", "LearningRun", "METHODS", "PolishReport",
           "REGULARIZERS", "SymmetricLearningGame", "UtilityLoss", "is_symmetric", "learn", "learning_game"]
