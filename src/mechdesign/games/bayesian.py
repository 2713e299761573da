"""Finite Bayesian games: types, a common prior, actions and payoffs over (types × actions).

A Bayesian game (Harsanyi) draws a type profile θ from the common prior; each
player sees her own type θ_i only and picks an action a_i; player i gets
``payoffs[θ, a, i]``. A (behavioural) strategy of player i maps each of her
types to a lottery over her actions: an array of shape ``(k_i, |A_i|)``; a pure
strategy is an integer array of shape ``(k_i,)`` of action indices.

A mechanism Γ = (A, g) played in an environment is such a game (Tadelis 2013, ch. 14):
``payoffs[θ, a, i] = E_{x ~ g(a)}[u_i(x, θ)] + m_i(a)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.mechanisms.indirect import Mechanism
from mechdesign.model import offsets
from mechdesign.model.prior import JointPrior, Prior

#: Probabilities in a strategy may be off by this much (they are renormalised).
STRATEGY_ATOL = 1e-9


@dataclass(frozen=True)
class GameLabels:
    """Names used to print strategies: players, type labels and action labels per player."""

    players: tuple[str, ...]
    type_labels: tuple[tuple[str, ...], ...]
    action_labels: tuple[tuple[str, ...], ...]


def _labels(value: Any, name: str, count: int, prefix: str) -> tuple[str, ...]:
    if value is None:
        return tuple(f"{prefix}{k}" for k in range(count))
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise v.fail(name, f"a list of {count} labels", v._short(value))
    return v.names([str(x) for x in value] if not isinstance(value, (str, bytes)) else value, name, count=count)


class BayesianGame:
    """A finite Bayesian game with a common prior (independent or correlated types).

    Parameters
    ----------
    prior : Prior or array_like
        :class:`~mechdesign.IndependentPrior`, :class:`~mechdesign.JointPrior`,
        or a joint probability array of shape ``(k_1, ..., k_N)``.
    payoffs : array_like, shape (k_1, ..., k_N, |A_1|, ..., |A_N|, N)
        ``payoffs[θ, a, i]`` is player i's payoff at type profile θ and action
        profile a. Finite numbers.
    players, type_labels, action_labels : optional
        Names for printing (default ``P0..``, ``t0..``, ``a0..``).
    mechanism : Mechanism, optional
        The indirect mechanism the game comes from (set by :meth:`from_mechanism`;
        needed by :func:`~mechdesign.revelation` and :func:`~mechdesign.implements`).

    Examples
    --------
    >>> import numpy as np, mechdesign as md
    >>> payoffs = np.zeros((2, 1, 2, 2, 2)); payoffs[0, 0, 0, 0] = 1
    >>> game = md.BayesianGame.from_arrays(prior=md.IndependentPrior([[0.5, 0.5], [1.0]]), payoffs=payoffs)
    >>> game.n_types, game.n_actions
    ((2, 1), (2, 2))
    """

    def __init__(self, prior: Any, payoffs: Any, players: Any = None, type_labels: Any = None,
                 action_labels: Any = None, mechanism: Mechanism | None = None):
        if not isinstance(prior, Prior):
            prior = JointPrior(prior)
        self.prior = prior
        n = prior.n_players
        arr = v.float_array(payoffs, "payoffs", bounded=True)
        if arr.ndim != 2 * n + 1 or arr.shape[:n] != prior.n_types or arr.shape[-1] != n:
            raise v.fail("payoffs", f"shape (k_1..k_N, |A_1|..|A_N|, N) = ({', '.join(map(str, prior.n_types))}, "
                         f"|A_1|..|A_{n}|, {n}) for {n} players", f"shape {arr.shape}")
        if any(m == 0 for m in arr.shape):
            raise v.fail("payoffs", "at least one action per player", f"shape {arr.shape}")
        self._payoffs = arr
        self._normalised = None
        self.n_types = prior.n_types
        self.n_actions = tuple(arr.shape[n:2 * n])
        self.players = _labels(players, "players", n, "P")
        if type_labels is None:
            type_labels = [None] * n
        if action_labels is None:
            action_labels = [None] * n
        for label_name, value in (("type_labels", type_labels), ("action_labels", action_labels)):
            if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
                raise v.fail(label_name, f"one list of labels per player ({n})", v._short(value))
        if len(type_labels) != n or len(action_labels) != n:
            raise v.fail("type_labels/action_labels", f"one list per player ({n})",
                         f"{len(type_labels)} and {len(action_labels)} lists")
        self.type_labels = tuple(_labels(t, f"type_labels[{i}]", k, "t")
                                 for i, (t, k) in enumerate(zip(type_labels, self.n_types)))
        self.action_labels = tuple(_labels(a, f"action_labels[{i}]", m, "a")
                                   for i, (a, m) in enumerate(zip(action_labels, self.n_actions)))
        if mechanism is not None and not isinstance(mechanism, Mechanism):
            raise v.fail("mechanism", "a Mechanism or None", type(mechanism).__name__)
        self.mechanism = mechanism

    # ------------------------------------------------------------ builders
    @classmethod
    def from_arrays(cls, prior: Any, payoffs: Any, players: Any = None, type_labels: Any = None,
                    action_labels: Any = None) -> "BayesianGame":
        """Build a game from a prior and a payoff array ``(k_1..k_N, |A_1|..|A_N|, N)``.

        See :class:`BayesianGame` for the parameters.
        """
        return cls(prior, payoffs, players=players, type_labels=type_labels, action_labels=action_labels)

    @classmethod
    def from_mechanism(cls, mech: Mechanism) -> "BayesianGame":
        """The Bayesian game induced by an indirect mechanism played in its environment.

        ``payoffs[θ, a, i] = Σ_x g_x(a) u_i(x, θ) + m_i(a)`` (quasilinear utility,
        money received).
        """
        if not isinstance(mech, Mechanism):
            raise v.fail("mech", "a Mechanism", type(mech).__name__)
        env = mech.env
        n = env.n_players
        payoffs = np.empty((*env.n_types, *mech.n_actions, n))
        for i in range(n):
            u = np.broadcast_to(env.utility_broadcast(i), (*env.n_types, env.n_alternatives))
            value = np.tensordot(u, mech.decision, axes=([-1], [-1]))          # (k..., A...)
            payoffs[..., i] = value + mech.transfers[..., i]
        return cls(env.prior, payoffs, players=env.players, type_labels=env.type_labels,
                   action_labels=mech.action_labels, mechanism=mech)

    # --------------------------------------------------------------- sizes
    @property
    def payoffs(self) -> np.ndarray:
        """Payoffs, shape ``(k_1..k_N, |A_1|..|A_N|, N)`` (read-only)."""
        return self._payoffs

    @property
    def n_players(self) -> int:
        """Number of players N."""
        return self.prior.n_players

    @property
    def labels(self) -> GameLabels:
        """Player, type and action names."""
        return GameLabels(self.players, self.type_labels, self.action_labels)

    @property
    def n_agents(self) -> int:
        """Σ_i k_i: the number of player-types (agents of the agent form)."""
        return sum(self.n_types)

    def scale(self) -> float:
        """Largest absolute payoff."""
        return float(np.abs(self._payoffs).max(initial=0.0))

    def _offsets(self) -> tuple[np.ndarray, np.ndarray]:
        if getattr(self, "_normalised", None) is None:
            self._normalised = offsets.payoff_offsets(self._payoffs, self.n_players)
        return self._normalised

    def incentive_payoffs(self) -> np.ndarray:
        """Payoffs minus each player's smallest payoff at each type profile (read-only).

        Adding a constant c_i(θ) to player i's payoff at θ for every action
        profile changes none of her comparisons; verification works on these
        numbers so such offsets neither enter its tolerance nor its rounding
        (docs/concepts.md, "Tolerances").
        """
        return self._offsets()[0]

    def incentive_scales(self) -> np.ndarray:
        """Per player, her largest payoff difference between two action profiles at one type profile."""
        return self._offsets()[1]

    def active_types(self, i: int) -> np.ndarray:
        """Boolean mask of player ``i``'s types with positive probability."""
        return np.asarray(self.prior.marginal(i)) > 0

    # ---------------------------------------------------------- strategies
    def check_strategies(self, strategies: Any, name: str = "strategies") -> tuple[np.ndarray, ...]:
        """Validate a strategy profile and return it in mixed form, one ``(k_i, |A_i|)`` array per player.

        Each player's strategy is an integer array ``(k_i,)`` of action indices
        (pure) or a probability array ``(k_i, |A_i|)`` whose rows sum to 1.

        Raises
        ------
        SpecError
            Wrong number of players, wrong shape, action index out of range,
            negative probabilities or rows not summing to 1.
        """
        n = self.n_players
        if isinstance(strategies, np.ndarray) and strategies.dtype != object and strategies.ndim >= 1 \
                and strategies.shape[0] == n:
            strategies = list(strategies)
        if isinstance(strategies, (str, bytes, dict)) or not hasattr(strategies, "__len__"):
            raise v.fail(name, f"one strategy per player ({n})", type(strategies).__name__)
        if len(strategies) != n:
            raise v.fail(name, f"one strategy per player ({n})", f"{len(strategies)} strategies")
        out = []
        for i, s in enumerate(strategies):
            k, m = self.n_types[i], self.n_actions[i]
            where = f"{name}[{i}] (player {self.players[i]!r})"
            raw = np.asarray(s)
            if raw.dtype == object:
                raise v.fail(where, f"an integer array ({k},) or probabilities ({k}, {m})", "a ragged array")
            if raw.dtype == np.bool_:
                raise v.fail(where, "integer action indices or probabilities", "booleans")
            if np.issubdtype(raw.dtype, np.integer):
                if raw.shape != (k,):
                    raise v.fail(where, f"a pure strategy of shape ({k},) (one action per type)",
                                 f"shape {raw.shape}")
                if raw.min() < 0 or raw.max() >= m:
                    bad = int(raw.min() if raw.min() < 0 else raw.max())
                    raise v.fail(where, f"action indices in 0..{m - 1}", bad)
                mixed = np.zeros((k, m))
                mixed[np.arange(k), raw] = 1.0
            else:
                if raw.shape != (k, m):
                    raise v.fail(where, f"a mixed strategy of shape ({k}, {m}) or a pure one of shape ({k},)",
                                 f"shape {raw.shape}")
                if raw.dtype.kind == "f":    # float rows: one pass when valid, else the full check's message
                    mixed = np.array(raw, dtype=float)
                    totals = mixed.sum(axis=1)
                    if not (mixed.min() >= 0.0 and np.abs(totals - 1.0).max() <= v.PROB_ATOL):
                        v.probabilities(raw, where, axis=1)
                else:
                    mixed = np.array(v.probabilities(raw, where, axis=1))
                    totals = mixed.sum(axis=1)
                mixed /= totals[:, None]
            out.append(v.frozen(mixed))
        return tuple(out)

    # ------------------------------------------------------------- payoffs
    def interim_payoffs(self, i: int, strategies: Any) -> np.ndarray:
        """Interim expected payoff ``U[t, a]`` of player ``i`` of type t playing a.

        The others play ``strategies``; the expectation is over θ_-i under the
        conditional belief P(θ_-i | θ_i = t) and over the others' mixed actions.
        Rows of types with probability zero are zero.
        """
        i = v.index(i, "i", self.n_players)
        sigma = self.check_strategies(strategies)
        return self._interim(i, sigma)

    def _interim(self, i: int, sigma: tuple[np.ndarray, ...], normalised: bool = False) -> np.ndarray:
        """``U[t, a]`` (with ``normalised``, from :meth:`incentive_payoffs`: differences are unchanged)."""
        n = self.n_players
        payoffs = self.incentive_payoffs() if normalised else self._payoffs
        if n == 2:      # batched matrix products: the same sums as the einsum below, without its planning
            if i == 0:
                value = (payoffs[..., 0] @ sigma[1][None, :, :, None])[..., 0]               # (t, s, a)
            else:
                value = (sigma[0][:, None, None, :] @ payoffs[..., 1])[:, :, 0, :].transpose(1, 0, 2)  # (s, t, b)
            if self.prior.is_independent:                      # one belief for every type: the other's marginal
                return self.prior.marginal(1 - i) @ value
            return (np.asarray(self.prior.belief_matrix(i))[:, None, :] @ value)[:, 0, :]
        theta_axes = list(range(n))
        action_axes = list(range(n, 2 * n))
        operands: list[Any] = [payoffs[..., i], theta_axes + action_axes]
        for j in range(n):
            if j != i:
                operands += [sigma[j], [j, n + j]]
        value = np.einsum(*operands, theta_axes + [n + i], optimize=True)     # (k..., A_i)
        rows = np.moveaxis(value, i, 0).reshape(self.n_types[i], -1, self.n_actions[i])
        return np.einsum("tm,tma->ta", np.asarray(self.prior.belief_matrix(i)), rows)

    def expected_payoffs(self, strategies: Any) -> np.ndarray:
        """Ex-ante expected payoff of each player under ``strategies``, shape ``(N,)``."""
        sigma = self.check_strategies(strategies)
        out = np.empty(self.n_players)
        for i in range(self.n_players):
            interim = (self._interim(i, sigma) * sigma[i]).sum(axis=1)
            out[i] = float(np.asarray(self.prior.marginal(i)) @ interim)
        return out

    def induced_mechanism(self, strategies: Any, name: str | None = None):
        """The direct mechanism g∘σ of this game's mechanism under ``strategies``.

        See :func:`mechdesign.games.revelation.induced_mechanism`; the metrics
        (``md.expected_revenue(game, strategies)``, ...) use it.
        """
        from mechdesign.games.revelation import induced_mechanism

        return induced_mechanism(self, strategies, name=name)

    def __repr__(self) -> str:
        kind = "independent" if self.prior.is_independent else "correlated"
        origin = f", from {self.mechanism.name!r}" if self.mechanism is not None else ""
        return (f"BayesianGame(players={list(self.players)}, n_types={self.n_types}, "
                f"n_actions={self.n_actions}, {kind} prior{origin})")


def check_game(game: Any) -> BayesianGame:
    """Raise SpecError unless ``game`` is a BayesianGame."""
    if not isinstance(game, BayesianGame):
        raise v.fail("game", "a BayesianGame (see BayesianGame.from_mechanism / from_arrays)", type(game).__name__)
    return game


def n_pure_strategies(game: BayesianGame, i: int) -> int:
    """|A_i|^{k_i}: the number of pure strategies of player ``i``."""
    return int(game.n_actions[i]) ** int(game.n_types[i])


def size(game: BayesianGame) -> int:
    """Π_i |A_i|^{k_i}: the number of pure strategy profiles."""
    return math.prod(n_pure_strategies(game, i) for i in range(game.n_players))
