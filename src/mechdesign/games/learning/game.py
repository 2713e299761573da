"""The finite game interface the learning dynamics run on (:class:`LearningGame`).

A learning game is a finite Bayesian game seen by agents. Agent a (a player, or
a class of symmetric players who share one strategy) has k_a types with prior
weights w_a (marginal probabilities summing to 1) and m_a actions. Strategies
are behavioural: ``sigma_a`` of shape ``(k_a, m_a)``, each row a probability
vector over actions. The distributional strategy of SODA (Fichtl, Oberlechner
and Bichler) is ``w_a[:, None] * sigma_a``.

A concrete game implements one method, :meth:`LearningGame.utilities`: the
interim expected utility ``U_a[t, b]`` of agent a playing action b at type t
when everybody else plays the given profile. That array is the gradient of
agent a's ex-ante utility with respect to her distributional strategy, which is
all the dynamics need; the base class derives from it the equilibrium gap
(:meth:`~LearningGame.epsilon`) and SODA's utility loss
(:meth:`~LearningGame.utility_loss`).

Interface stability: the attributes ``n_agents``, ``n_types``, ``n_actions``,
``type_weights``, the abstract ``utilities`` and the provided ``epsilon``,
``gains`` and ``utility_loss`` are the contract other subpackages build on
(auction grids, combinatorial auctions); later versions only add to it.
Added since the first version: ``agent_names``, ``class_sizes``, the optional
hooks ``payoff_scale`` and ``utility_derivatives`` (defaults keep the old
behaviour), ``uniform_strategies``, ``random_strategies``, ``check_strategies``.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mechdesign import _validation as v

#: Rows of a strategy may be off from summing to 1 by this much (they are renormalised).
STRATEGY_ATOL = 1e-9


@dataclass(frozen=True)
class UtilityLoss:
    """How much each agent could gain ex ante by best responding (SODA's criterion).

    Attributes
    ----------
    utility : ndarray, shape (n_agents,)
        Ex-ante utility ``sum_t w[t] * sigma[t] @ U[t]`` of each agent.
    best_response : ndarray, shape (n_agents,)
        Ex-ante utility of a best response, ``sum_t w[t] * max_b U[t, b]``.
    absolute : ndarray, shape (n_agents,)
        ``best_response - utility`` (≥ 0).
    relative : ndarray, shape (n_agents,)
        ``1 - utility / best_response`` (SODA's relative utility loss), i.e.
        ``absolute / |best_response|``; 0 where ``absolute`` is 0 and ``inf``
        where the best-response utility is 0 but the loss is not.
    """

    utility: np.ndarray
    best_response: np.ndarray
    absolute: np.ndarray
    relative: np.ndarray

    @property
    def max_absolute(self) -> float:
        """Largest absolute utility loss over the agents."""
        return float(self.absolute.max())

    @property
    def max_relative(self) -> float:
        """Largest relative utility loss over the agents."""
        return float(self.relative.max())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"utility": self.utility.tolist(), "best_response": self.best_response.tolist(),
                "absolute": self.absolute.tolist(), "relative": self.relative.tolist()}


class LearningGame(abc.ABC):
    """A finite Bayesian game in the form learning dynamics need.

    Agent a (a player, or a class of symmetric players who share one strategy)
    has ``n_types[a]`` types with prior weights ``type_weights[a]`` (marginal
    probabilities, summing to 1) and ``n_actions[a]`` actions. Strategies are
    behavioural: ``sigma_a`` of shape ``(k_a, m_a)``, each row a probability
    vector over actions (the distributional strategy in SODA's sense is
    ``w_a[:, None] * sigma_a``).

    Subclasses call ``super().__init__(type_weights, n_actions)`` and implement
    :meth:`utilities`.

    Parameters
    ----------
    type_weights : sequence of array_like
        Per agent, the prior probabilities of her types (non-negative, sum 1).
        Types of weight 0 (null types) are carried along but never constrain an
        equilibrium: :meth:`epsilon` and :meth:`utility_loss` skip them.
    n_actions : sequence of int
        Per agent, the number of actions (≥ 1).
    agent_names : sequence of str, optional
        Names for printing (default ``"A0"``, ``"A1"``, ...).
    class_sizes : sequence of int, optional
        Per agent, how many players share its strategy (default 1 each). Only
        informative: :meth:`utilities` already accounts for the other members.
    """

    n_agents: int
    n_types: tuple[int, ...]
    n_actions: tuple[int, ...]
    type_weights: tuple[np.ndarray, ...]
    agent_names: tuple[str, ...]
    class_sizes: tuple[int, ...]

    def __init__(self, type_weights: Sequence[Any], n_actions: Sequence[int], agent_names: Sequence[str] | None = None,
                 class_sizes: Sequence[int] | None = None):
        if isinstance(type_weights, np.ndarray) and type_weights.ndim == 2:
            type_weights = list(type_weights)
        weights = tuple(v.probabilities(np.asarray(w, dtype=float), f"type_weights[{a}]")
                        for a, w in enumerate(type_weights))
        if not weights:
            raise v.fail("type_weights", "at least one agent", "none")
        if any(w.ndim != 1 for w in weights):
            raise v.fail("type_weights", "one 1-d weight vector per agent", [w.shape for w in weights])
        actions = tuple(_positive_int(m, f"n_actions[{a}]") for a, m in enumerate(n_actions))
        if len(actions) != len(weights):
            raise v.fail("n_actions", f"one action count per agent ({len(weights)})", f"{len(actions)} counts")
        self.type_weights = weights
        self.n_agents = len(weights)
        self.n_types = tuple(int(w.size) for w in weights)
        self.n_actions = actions
        names = agent_names if agent_names is not None else [f"A{a}" for a in range(self.n_agents)]
        self.agent_names = v.names(list(names), "agent_names", count=self.n_agents)
        sizes = class_sizes if class_sizes is not None else [1] * self.n_agents
        self.class_sizes = tuple(_positive_int(c, f"class_sizes[{a}]") for a, c in enumerate(sizes))
        if len(self.class_sizes) != self.n_agents:
            raise v.fail("class_sizes", f"one size per agent ({self.n_agents})", f"{len(self.class_sizes)} sizes")

    # ------------------------------------------------------------ the one method to implement
    @abc.abstractmethod
    def utilities(self, strategies: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Interim expected utilities ``U_a[t, b]`` of every agent, each of shape ``(k_a, m_a)``.

        ``U_a[t, b]`` is agent a's expected utility of playing action b at type t
        (conditional on t) when everybody else plays ``strategies`` (for a
        symmetric class, all other members play ``sigma_a``). It is the gradient
        of agent a's ex-ante utility with respect to her distributional strategy.
        Rows of null types may hold any finite value (they are ignored).
        """

    # ------------------------------------------------------------ optional hints
    def utility_derivatives(self, strategies: Sequence[np.ndarray], c: int) -> list[np.ndarray] | None:
        """Optional: ``D[a][t, b, s, d] = ∂U_a[t, b] / ∂sigma_c[s, d]`` at ``strategies``, for every agent a.

        Used by polishing (Newton's method, the support LP) instead of finite
        differences of :meth:`utilities`. The default None means "not
        available": polishing then takes one ``utilities`` call per column.
        """
        return None

    def fused_dual_averaging(self) -> Callable[..., tuple[int, bool]] | None:
        """Optional: whole iterations of entropic dual averaging in compiled code, or None (the default).

        A game that can run the engine's loop body (step, utilities, epsilon and
        relative loss) faster than one :meth:`utilities` call per iteration
        returns ``run(y, sigma, U, etas, tol, stop_loss, eps_out, loss_out,
        best_sigma, best) -> (iterations done, target reached)``: lists of
        per-agent arrays ``y`` (dual variables), ``sigma`` and ``U`` updated in
        place, one step ``etas[i]`` per iteration, the measures written to
        ``eps_out`` / ``loss_out``, and ``best_sigma`` / ``best[0]`` the profile
        of smallest epsilon. The engine uses it for ``dual_averaging`` with the
        entropic regulariser when no polishing is asked for; the result is the
        same run up to rounding.
        """
        return None

    def payoff_scale(self) -> float | None:
        """A typical size of utility differences (used to scale default step sizes), or None.

        The default None lets the engine measure the spread of the utilities at
        its starting profile.
        """
        return None

    # ------------------------------------------------------------ strategies
    def uniform_strategies(self) -> tuple[np.ndarray, ...]:
        """Every type of every agent mixes uniformly over her actions."""
        return tuple(np.full((k, m), 1.0 / m) for k, m in zip(self.n_types, self.n_actions))

    def random_strategies(self, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        """Each row drawn from the flat Dirichlet distribution (uniform on the simplex)."""
        return tuple(rng.dirichlet(np.ones(m), size=k) for k, m in zip(self.n_types, self.n_actions))

    def check_strategies(self, strategies: Any, name: str = "strategies") -> tuple[np.ndarray, ...]:
        """Validate a profile: one ``(k_a, m_a)`` probability array per agent (rows renormalised).

        Pure strategies (integer arrays ``(k_a,)`` of action indices) are
        accepted and returned one-hot.
        """
        if isinstance(strategies, (str, bytes, dict)) or not hasattr(strategies, "__len__"):
            raise v.fail(name, f"one strategy per agent ({self.n_agents})", type(strategies).__name__)
        if len(strategies) != self.n_agents:
            raise v.fail(name, f"one strategy per agent ({self.n_agents})", f"{len(strategies)} strategies")
        out = []
        for a, s in enumerate(strategies):
            k, m = self.n_types[a], self.n_actions[a]
            raw = np.asarray(s)
            where = f"{name}[{a}]"
            if np.issubdtype(raw.dtype, np.integer) and raw.shape == (k,):
                if raw.size and (raw.min() < 0 or raw.max() >= m):
                    raise v.fail(where, f"action indices in 0..{m - 1}", f"{raw.min()}..{raw.max()}")
                mixed = np.zeros((k, m))
                mixed[np.arange(k), raw] = 1.0
            else:
                if raw.shape != (k, m):
                    raise v.fail(where, f"probabilities of shape ({k}, {m})", f"shape {raw.shape}")
                mixed = np.clip(np.array(v.probabilities(raw, where, axis=1)), 0.0, None)
                mixed /= mixed.sum(axis=1, keepdims=True)
            out.append(mixed)
        return tuple(out)

    # ------------------------------------------------------------ derived measures
    def _utilities_of(self, strategies: Sequence[np.ndarray],
                      utilities: Sequence[np.ndarray] | None) -> list[np.ndarray]:
        return list(self.utilities(strategies) if utilities is None else utilities)

    def gains(self, strategies: Sequence[np.ndarray],
              utilities: Sequence[np.ndarray] | None = None) -> list[np.ndarray]:
        """Per agent, each type's interim gain ``max_b U[t, b] - sigma[t] @ U[t]`` (0 at null types).

        ``utilities`` may pass ``self.utilities(strategies)`` when already computed.
        """
        U = self._utilities_of(strategies, utilities)
        out = []
        for w, s, u in zip(self.type_weights, strategies, U):
            gain = np.maximum(u.max(axis=1) - np.einsum("tb,tb->t", s, u), 0.0)
            out.append(np.where(w > 0, gain, 0.0))
        return out

    def epsilon(self, strategies: Sequence[np.ndarray], utilities: Sequence[np.ndarray] | None = None) -> float:
        """The equilibrium gap: ``max_a max_{t: w_a[t] > 0} (max_b U_a[t, b] - sigma_a[t] @ U_a[t])``.

        0 exactly at a Bayes–Nash equilibrium of the game (up to rounding).
        """
        return float(max(g.max(initial=0.0) for g in self.gains(strategies, utilities)))

    def utility_loss(self, strategies: Sequence[np.ndarray],
                     utilities: Sequence[np.ndarray] | None = None) -> UtilityLoss:
        """Ex-ante utility of each agent, of her best response, and SODA's absolute and relative loss."""
        U = self._utilities_of(strategies, utilities)
        util = np.empty(self.n_agents)
        best = np.empty(self.n_agents)
        for a, (w, s, u) in enumerate(zip(self.type_weights, strategies, U)):
            active = w > 0
            util[a] = float(w[active] @ np.einsum("tb,tb->t", s[active], u[active]))
            best[a] = float(w[active] @ u[active].max(axis=1))
        absolute = np.maximum(best - util, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.where(absolute == 0, 0.0, absolute / np.abs(best))
        return UtilityLoss(utility=util, best_response=best, absolute=absolute, relative=relative)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(n_agents={self.n_agents}, n_types={self.n_types}, "
                f"n_actions={self.n_actions})")


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or int(value) < 1:
        raise v.fail(name, "a positive integer", value)
    return int(value)
