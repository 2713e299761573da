"""What a learning run returns: the profile, its exact epsilon, the convergence history, polishing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mechdesign.games.learning.game import UtilityLoss


@dataclass(frozen=True)
class History:
    """The run's progress, one entry per recorded iteration.

    Attributes
    ----------
    iteration : ndarray of int
    time : ndarray of float
        Seconds since the run started (set-up included).
    epsilon : ndarray of float
        Epsilon of the iterate (the dynamics' own profile, before polishing).
    relative_loss : ndarray of float
        Largest relative utility loss over the agents at that iterate.
    """

    iteration: np.ndarray
    time: np.ndarray
    epsilon: np.ndarray
    relative_loss: np.ndarray

    def __len__(self) -> int:
        return int(self.iteration.size)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary of lists."""
        return {"iteration": self.iteration.tolist(), "time": self.time.tolist(),
                "epsilon": self.epsilon.tolist(), "relative_loss": self.relative_loss.tolist()}


@dataclass(frozen=True)
class PolishReport:
    """What polishing did to the profile the dynamics produced.

    Attributes
    ----------
    kind : str
        ``"none"`` (polishing off or nothing better found: the iterate is
        returned), ``"pure"`` (rounded to a pure profile), ``"newton"``
        (Newton's method on the indifference equations of a guessed support)
        or ``"support_lp"`` (2 agents: a feasibility LP on a guessed support).
    epsilon_before, epsilon_after : float
        Epsilon of the best iterate and of the returned profile.
    attempts : tuple of str
        One line per candidate tried, with its epsilon.
    evaluations : int
        Calls of the game's ``utilities`` spent polishing.
    """

    kind: str
    epsilon_before: float
    epsilon_after: float
    attempts: tuple[str, ...] = ()
    evaluations: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"kind": self.kind, "epsilon_before": float(self.epsilon_before),
                "epsilon_after": float(self.epsilon_after), "attempts": list(self.attempts),
                "evaluations": int(self.evaluations)}


@dataclass(frozen=True)
class LearningRun:
    """The outcome of :func:`~mechdesign.games.learning.learn`.

    Attributes
    ----------
    method : str
    options : dict
        The settings used (defaults filled in).
    strategies : tuple of ndarray
        Per agent, ``(k_a, m_a)`` behavioural strategies (read-only).
    epsilon : float
        Epsilon of ``strategies``, re-evaluated (not the running estimate).
    status : str
        ``"success"`` (the stopping criterion reached ``tol``, possibly after
        polishing) or ``"iteration_limit"`` (``strategies`` is the best profile
        found; see ``epsilon``).
    iterations : int
        Iterations of the dynamics run.
    history : History
    polish : PolishReport
    loss : UtilityLoss
        Utility loss of ``strategies``.
    elapsed : float
        Seconds for the whole run.
    message : str
    """

    method: str
    options: dict[str, Any]
    strategies: tuple[np.ndarray, ...]
    epsilon: float
    status: str
    iterations: int
    history: History = field(repr=False)
    polish: PolishReport
    loss: UtilityLoss = field(repr=False)
    elapsed: float
    message: str = ""

    @property
    def success(self) -> bool:
        """True when the target was reached."""
        return self.status == "success"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (strategies as nested lists)."""
        return {"method": self.method, "status": self.status, "epsilon": float(self.epsilon),
                "iterations": int(self.iterations), "elapsed": float(self.elapsed), "message": self.message,
                "strategies": [s.tolist() for s in self.strategies], "polish": self.polish.to_dict(),
                "loss": self.loss.to_dict(), "history": self.history.to_dict()}

    def summary(self) -> str:
        """One line: method, status, epsilon, iterations, polishing."""
        return (f"learn(method={self.method!r}): {self.status}, epsilon {self.epsilon:.3g} after "
                f"{self.iterations} iterations in {self.elapsed:.3g} s; polish: {self.polish.kind}")

    def __repr__(self) -> str:
        return f"LearningRun({self.summary()})"
