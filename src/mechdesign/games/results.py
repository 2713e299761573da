"""Result objects of the game solvers: verified equilibria, verification reports, dominance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign._format import plural
from mechdesign.analysis.results import _plain
from mechdesign.games.bayesian import GameLabels

#: A mixed strategy whose rows are one-hot up to this tolerance is reported as pure.
PURE_ATOL = 1e-9


def strategy_text(labels: GameLabels, i: int, strategy: np.ndarray, digits: int = 4) -> list[str]:
    """One line per type: ``type -> action`` or ``type -> {action: prob, ...}``."""
    lines = []
    for t, row in enumerate(np.asarray(strategy)):
        if np.ndim(row) == 0:
            shown = labels.action_labels[i][int(row)]
        else:
            support = [(labels.action_labels[i][a], p) for a, p in enumerate(row) if p > PURE_ATOL]
            shown = (support[0][0] if len(support) == 1 else
                     "{" + ", ".join(f"{a}: {p:.{digits}g}" for a, p in support) + "}")
        lines.append(f"{labels.type_labels[i][t]} -> {shown}")
    return lines


@dataclass(frozen=True)
class Deviation:
    """The most profitable deviation of one player-type from a strategy profile.

    Attributes
    ----------
    player, player_index : str, int
    type, type_index : str, int
        The player's type (label and index).
    action, action_index : str, int
        Her best action against the others' strategies.
    gain : float
        Interim payoff of ``action`` minus that of her strategy (≥ 0).
    """

    player: str
    player_index: int
    type: str
    type_index: int
    action: str
    action_index: int
    gain: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return _plain(self.__dict__)

    def __str__(self) -> str:
        return (f"player {self.player!r} of type {self.type} gains {self.gain:.6g} by playing "
                f"{self.action}")


@dataclass(frozen=True)
class BNEVerification:
    """Whether a strategy profile is a Bayes–Nash equilibrium, and by how much it fails.

    Attributes
    ----------
    holds : bool
        Every player's largest gain is at most her own tolerance (``tolerances``).
    epsilon : float
        Largest interim gain of any player-type (of positive probability) from
        deviating, under her conditional belief. 0 for an exact equilibrium.
    tolerance : float
        The tolerance of the player of ``worst``; ``holds`` is
        ``worst.gain <= tolerance``.
    gains : tuple of ndarray
        Per player, the gain of each type, shape ``(k_i,)`` (0 for types of
        probability zero).
    deviations : tuple of tuple of Deviation
        Per player and type, the best deviation.
    worst : Deviation
        The deviation achieving ``epsilon``; when the profile fails, the largest
        deviation that exceeds its player's tolerance.
    tolerances : tuple of float
        Per player, ``atol + rtol * scale_i`` with scale_i her largest payoff
        difference between action profiles at one type profile.
    """

    holds: bool
    epsilon: float
    tolerance: float
    gains: tuple[np.ndarray, ...]
    deviations: tuple[tuple[Deviation, ...], ...] = field(repr=False)
    worst: Deviation
    tolerances: tuple[float, ...] = ()

    def __bool__(self) -> bool:
        return self.holds

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"holds": self.holds, "epsilon": float(self.epsilon), "tolerance": float(self.tolerance),
                "tolerances": [float(t) for t in self.tolerances],
                "gains": [g.tolist() for g in self.gains], "worst": self.worst.to_dict(),
                "deviations": [[d.to_dict() for d in per_player] for per_player in self.deviations]}

    def summary(self) -> str:
        """One line: verdict, epsilon and the worst deviation."""
        verdict = "is a BNE" if self.holds else "is NOT a BNE"
        text = f"profile {verdict} (epsilon {self.epsilon:.3g})"
        if self.epsilon > 0:
            text += f"; worst deviation: {self.worst}"
        return text

    def _repr_html_(self) -> str:
        from mechdesign.display import html

        return html.summary(self, "Bayes–Nash equilibrium check", self.holds)

    def __repr__(self) -> str:
        return f"BNEVerification({self.summary()})"


@dataclass(frozen=True)
class Equilibrium:
    """One Bayes–Nash equilibrium, verified.

    Attributes
    ----------
    strategies : tuple of ndarray
        Per player: integer actions ``(k_i,)`` (pure equilibria) or
        probabilities ``(k_i, |A_i|)`` (mixed equilibria); read-only.
    epsilon : float
        Its verified epsilon (largest interim gain from deviating).
    labels : GameLabels
        Names used for printing.
    """

    strategies: tuple[np.ndarray, ...]
    epsilon: float
    labels: GameLabels = field(repr=False, compare=False)

    @property
    def is_pure(self) -> bool:
        """True when every type plays one action with probability 1 (up to 1e-9)."""
        return all(s.ndim == 1 or bool(np.all(np.abs(s.max(axis=1) - 1.0) <= PURE_ATOL)) for s in self.strategies)

    def pure(self) -> tuple[np.ndarray, ...]:
        """The strategies as integer actions ``(k_i,)``; raises if the equilibrium is mixed."""
        if not self.is_pure:
            raise v.fail("equilibrium", "a pure equilibrium", "a mixed one")
        return tuple(s if s.ndim == 1 else s.argmax(axis=1) for s in self.strategies)

    def mixed(self) -> tuple[np.ndarray, ...]:
        """The strategies as probabilities ``(k_i, |A_i|)``."""
        out = []
        for s, acts in zip(self.strategies, self.labels.action_labels):
            if s.ndim == 1:
                m = np.zeros((s.size, len(acts)))
                m[np.arange(s.size), s] = 1.0
                s = m
            out.append(s)
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary: strategies per player (by name), epsilon, purity."""
        return {"strategies": {p: s.tolist() for p, s in zip(self.labels.players, self.strategies)},
                "epsilon": float(self.epsilon), "pure": self.is_pure}

    def summary(self) -> str:
        """Multi-line: per player, type -> action (or mixture)."""
        lines = [f"equilibrium (epsilon {self.epsilon:.3g})"]
        for i, s in enumerate(self.strategies):
            lines.append(f"  {self.labels.players[i]}: " + "; ".join(strategy_text(self.labels, i, s)))
        return "\n".join(lines)

    def to_frame(self):
        """Action probabilities as a DataFrame: index (player, type), columns the action labels."""
        from mechdesign.display import frames

        return frames.equilibrium_frame(self)

    def _repr_html_(self) -> str:
        from mechdesign.display import html

        return html.equilibrium(self)

    def __repr__(self) -> str:
        body = ", ".join(f"{p}: [{'; '.join(strategy_text(self.labels, i, s, digits=3))}]"
                         for i, (p, s) in enumerate(zip(self.labels.players, self.strategies)))
        return f"Equilibrium({body}, epsilon={self.epsilon:.3g})"


@dataclass(frozen=True)
class EquilibriumResult:
    """What :func:`~mechdesign.solve_bne` found.

    Attributes
    ----------
    method : str
        ``"pure"``, ``"lcp"``, ``"enum"``, ``"gambit"`` or a learning method
        (``"dual_averaging"``, ``"mirror_ascent"``, ``"frank_wolfe"``, ``"fictitious_play"``).
    options : dict
        The options used (defaults filled in).
    status : str
        ``"success"`` (at least one equilibrium), ``"no_equilibrium"`` (the
        search was exhaustive and found none, e.g. no pure BNE),
        ``"iteration_limit"`` or ``"failed"`` (a solver stopped without a
        verified equilibrium; see ``message``). The learning methods return
        their final profile either way: ``"success"`` when its verified epsilon
        reached the target ``options["tol"]``, else ``"iteration_limit"``
        (like scipy's ``x`` on non-convergence; check ``epsilon``).
    equilibria : tuple of Equilibrium
        Each re-verified with :func:`~mechdesign.verify_bne`.
    message : str
        Human-readable details (counts, pivots, solver notes).
    diagnostics : dict
        Method-specific details (for the learning methods: the epsilon-vs-iteration
        history, the iterations run, what polishing did); empty for the others.
    """

    method: str
    options: dict[str, Any]
    status: str
    equilibria: tuple[Equilibrium, ...]
    message: str = ""
    diagnostics: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def success(self) -> bool:
        """True when at least one equilibrium was found."""
        return self.status == "success"

    @property
    def max_epsilon(self) -> float:
        """Largest epsilon over the equilibria returned (0 if none)."""
        return max((e.epsilon for e in self.equilibria), default=0.0)

    def __len__(self) -> int:
        return len(self.equilibria)

    def __iter__(self):
        return iter(self.equilibria)

    def __getitem__(self, k: int) -> Equilibrium:
        return self.equilibria[k]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        out = {"method": self.method, "options": _plain(self.options), "status": self.status,
               "message": self.message, "equilibria": [e.to_dict() for e in self.equilibria]}
        if self.diagnostics:
            out["diagnostics"] = _plain(self.diagnostics)
        return out

    def summary(self) -> str:
        """Header line plus each equilibrium's strategies."""
        head = (f"solve_bne(method={self.method!r}): {self.status}, {len(self.equilibria)} equilibri"
                f"{'um' if len(self.equilibria) == 1 else 'a'}, max epsilon {self.max_epsilon:.3g}")
        if self.message:
            head += f" — {self.message}"
        return "\n".join([head, *(e.summary() for e in self.equilibria)])

    def to_frame(self):
        """Every equilibrium's action probabilities: index (equilibrium, player, type)."""
        from mechdesign.display import frames

        return frames.equilibria_frame(self)

    def _repr_html_(self) -> str:
        from mechdesign.display import html

        return html.equilibrium_result(self)

    def __repr__(self) -> str:
        return (f"EquilibriumResult(method={self.method!r}, status={self.status!r}, "
                f"{plural(len(self.equilibria), 'equilibrium')}, max_epsilon={self.max_epsilon:.3g})")


@dataclass(frozen=True)
class DominanceResult:
    """Dominant actions per player-type and the dominant-strategy equilibria they form.

    Attributes
    ----------
    strict : bool
        Whether strict dominance was required.
    dominant : tuple of tuple of tuple of int
        ``dominant[i][t]``: the action indices of player i that are dominant
        for type t (empty when none is).
    equilibria : tuple of Equilibrium
        Every profile choosing a dominant action for each player-type (empty
        unless each player-type has one).
    """

    strict: bool
    dominant: tuple[tuple[tuple[int, ...], ...], ...]
    equilibria: tuple[Equilibrium, ...]
    labels: GameLabels = field(repr=False, compare=False)

    @property
    def exists(self) -> bool:
        """True when every player-type has a dominant action."""
        return bool(self.equilibria)

    def __bool__(self) -> bool:
        return self.exists

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"strict": self.strict, "exists": self.exists,
                "dominant": {p: [list(a) for a in d] for p, d in zip(self.labels.players, self.dominant)},
                "equilibria": [e.to_dict() for e in self.equilibria]}

    def summary(self) -> str:
        """Per player-type, the dominant actions; then the verdict."""
        kind = "strictly" if self.strict else "weakly"
        lines = [f"{kind} dominant actions:"]
        for i, per_type in enumerate(self.dominant):
            shown = "; ".join(f"{self.labels.type_labels[i][t]} -> "
                              + ("/".join(self.labels.action_labels[i][a] for a in acts) if acts else "none")
                              for t, acts in enumerate(per_type))
            lines.append(f"  {self.labels.players[i]}: {shown}")
        lines.append(f"{len(self.equilibria)} dominant-strategy equilibri{'um' if len(self.equilibria) == 1 else 'a'}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from mechdesign.display import html

        return html.summary(self, "dominant strategies", self.exists)

    def __repr__(self) -> str:
        return f"DominanceResult(strict={self.strict}, {plural(len(self.equilibria), 'equilibrium')})"
