"""A :class:`~mechdesign.BayesianGame` seen as a :class:`LearningGame` (one agent per player).

Two ways to compute the interim utilities ``U_i[t, b]``, chosen automatically:

``"aggregate"`` — private values and independent types (every auction): when
    player i's payoff depends on her own type and the action profile only
    (on the types of positive probability) and the prior is a product, the
    others' types enter only through their *aggregate* action distributions
    ρ_j = Σ_s w_j[s] σ_j[s, ·]. Then U_i[t, b] = Σ_{a_-i} R_i[t, b, a_-i] Π_{j≠i} ρ_j[a_j]
    with R_i the payoffs at the player's own type: type profiles are never
    enumerated. Memory Σ_i k_i Π_j m_j floats; time per iteration
    O(Σ_i k_i Π_j m_j).
``"full"`` — any game (correlated priors, interdependent values): the payoff
    array weighted by the conditional beliefs P(θ_-i | θ_i), contracted with
    every other player's strategy. Memory N Π_j k_j Π_j m_j floats; time per
    iteration O(N Π_j k_j Π_j m_j).

Null types (marginal probability 0) get utility rows of zeros in the "full"
mode (their beliefs are undefined); the learning game ignores them either way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mechdesign import _validation as v
from mechdesign.games.bayesian import BayesianGame
from mechdesign.games.learning.game import LearningGame

MODES = ("auto", "aggregate", "full")


def private_independent(game: BayesianGame) -> bool:
    """Whether ``game`` has a product prior and private values on the types of positive probability."""
    prior = game.prior
    independent = prior.is_independent or (hasattr(prior, "is_product") and prior.is_product())
    if not independent:
        return False
    n = game.n_players
    active = [np.flatnonzero(game.active_types(j)) for j in range(n)]
    payoffs = game.payoffs[np.ix_(*active)] if n > 0 else game.payoffs
    for i in range(n):
        own = payoffs[..., i]
        first = own[tuple(slice(None) if j == i else slice(0, 1) for j in range(n))]
        if not np.array_equal(np.broadcast_to(first, own.shape), own):
            return False
    return True


class BayesianLearningGame(LearningGame):
    """The learning form of a finite Bayesian game: agent i is player i.

    Parameters
    ----------
    game : BayesianGame
    mode : {"auto", "aggregate", "full"}
        ``"auto"`` picks ``"aggregate"`` when the game has private values and
        independent types (see the module docstring), else ``"full"``.
    """

    def __init__(self, game: BayesianGame, mode: str = "auto"):
        if not isinstance(game, BayesianGame):
            raise v.fail("game", "a BayesianGame", type(game).__name__)
        mode = v.choice(mode, "mode", MODES)
        n = game.n_players
        weights = [np.asarray(game.prior.marginal(i), dtype=float) for i in range(n)]
        super().__init__(weights, game.n_actions, agent_names=game.players)
        self.game = game
        aggregate_ok = private_independent(game)
        if mode == "aggregate" and not aggregate_ok:
            raise v.fail("mode", "'full' or 'auto' for a game with correlated types or interdependent values",
                         "'aggregate'")
        self.mode = "aggregate" if (mode == "aggregate" or (mode == "auto" and aggregate_ok)) else "full"
        self._scale = float(game.scale()) or 1.0
        # per player i a table laid out (k_i, m_i, then one block per other player j, last player last),
        # so each other player is contracted by one matrix-vector product over the trailing axes
        self._others = [[j for j in range(n) if j != i] for i in range(n)]
        self._tables = []
        if self.mode == "aggregate":
            ref = [int(np.flatnonzero(game.active_types(j))[0]) for j in range(n)]
            for i in range(n):
                index = tuple(slice(None) if j == i else ref[j] for j in range(n))
                own = game.payoffs[index + (Ellipsis, i)]                             # (k_i, m_1..m_N)
                self._tables.append(np.ascontiguousarray(np.moveaxis(own, 1 + i, 1)))  # (k_i, m_i, m_-i...)
        else:
            joint = np.asarray(game.prior.joint(), dtype=float)
            for i in range(n):
                mass = np.asarray(game.prior.marginal(i))
                shape = [1] * n
                shape[i] = -1
                cond = joint / np.where(mass > 0, mass, 1.0).reshape(shape)        # P(θ_-i | θ_i), 0 at null θ_i
                payoff = game.payoffs[..., i] * cond.reshape(cond.shape + (1,) * n)    # (θ..., a...)
                order = [i, n + i] + [ax for j in self._others[i] for ax in (j, n + j)]
                self._tables.append(np.ascontiguousarray(payoff.transpose(order)))     # (k_i, m_i, k_j, m_j, ...)

    def payoff_scale(self) -> float:
        """Largest absolute payoff of the game."""
        return self._scale

    def utilities(self, strategies: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Interim utilities ``U_i[t, b]`` of every player (see the module docstring for the cost)."""
        factors = self._factors(strategies)      # aggregate ρ_j (m_j,), or σ_j flattened (k_j m_j,)
        return [self._contract(i, factors) for i in range(self.n_agents)]

    def utility_derivatives(self, strategies: Sequence[np.ndarray], c: int) -> list[np.ndarray]:
        """``∂U_a[t, b] / ∂sigma_c[s, d]`` for every player a (zero for a = c), shape ``(k_a, m_a, k_c, m_c)``.

        One contraction of each other player's table with every strategy but c's.
        """
        factors = self._factors(strategies)
        return [self.player_derivative(a, c, factors) for a in range(self.n_agents)]

    def player_derivative(self, a: int, c: int, factors: Sequence[np.ndarray]) -> np.ndarray:
        """``∂U_a / ∂sigma_c`` (see :meth:`utility_derivatives`) from precomputed factors."""
        k_c, m_c = self.n_types[c], self.n_actions[c]
        if a == c:
            return np.zeros((self.n_types[a], self.n_actions[a], k_c, m_c))
        others = self._others[a]
        sizes = [factors[j].size for j in others]
        table = self._tables[a].reshape(self.n_types[a], self.n_actions[a], *sizes)
        operands: list = [table, [0, 1, *range(2, 2 + len(others))]]
        for pos, j in enumerate(others):
            if j != c:
                operands += [factors[j], [2 + pos]]
        out = np.einsum(*operands, [0, 1, 2 + others.index(c)])
        if self.mode == "aggregate":             # ρ_c = w_c @ σ_c: ∂/∂σ_c[s, d] = w_c[s] ∂/∂ρ_c[d]
            return out[:, :, None, :] * self.type_weights[c][None, None, :, None]
        return out.reshape(self.n_types[a], self.n_actions[a], k_c, m_c)

    def _factors(self, strategies: Sequence[np.ndarray]) -> list[np.ndarray]:
        if self.mode == "aggregate":
            return [w @ s for w, s in zip(self.type_weights, strategies)]
        return [np.asarray(s, dtype=float).ravel() for s in strategies]

    def player_utilities(self, i: int, strategies: Sequence[np.ndarray]) -> np.ndarray:
        """``U_i[t, b]`` of player ``i`` alone."""
        return self._contract(i, self._factors(strategies))

    def _contract(self, i: int, factors: Sequence[np.ndarray]) -> np.ndarray:
        r = self._tables[i]
        for j in reversed(self._others[i]):
            f = factors[j]
            r = r.reshape(-1, f.size) @ f
        return r.reshape(self.n_types[i], self.n_actions[i])


def learning_game(game: BayesianGame, mode: str = "auto") -> BayesianLearningGame:
    """The :class:`LearningGame` of ``game`` (see :class:`BayesianLearningGame`)."""
    return BayesianLearningGame(game, mode=mode)


def is_symmetric(game: BayesianGame) -> bool:
    """Whether swapping any two players (their types, actions and payoffs) leaves the game unchanged.

    Checked exactly on the transpositions (0 j), which generate every permutation: same type and
    action counts, the same prior under the swap, and ``payoffs[θ, a, i]`` equal to the swapped entry.
    """
    n = game.n_players
    if n < 2 or len(set(game.n_types)) != 1 or len(set(game.n_actions)) != 1:
        return False
    joint = np.asarray(game.prior.joint())
    for j in range(1, n):
        perm = list(range(n))
        perm[0], perm[j] = j, 0
        if not np.array_equal(joint.transpose(perm), joint):
            return False
        swapped = game.payoffs.transpose(perm + [n + p for p in perm] + [2 * n])[..., perm]
        if not np.array_equal(swapped, game.payoffs):
            return False
    return True


class SymmetricLearningGame(LearningGame):
    """A symmetric Bayesian game with every player in one class sharing one strategy (symmetric equilibria).

    One agent with ``class_sizes == (N,)``: its utilities are those of player 0 when every other
    player plays the shared strategy, computed by the :class:`BayesianLearningGame` of the game
    (same memory; time per iteration that of one player instead of N). Only symmetric profiles are
    searched; every finite symmetric game has a symmetric equilibrium (Nash 1951).
    """

    def __init__(self, game: BayesianGame, mode: str = "auto"):
        if not is_symmetric(game):
            raise v.fail("game", "a symmetric game (players interchangeable) for the symmetric reduction",
                         "a game that changes when two players are swapped")
        self.full = BayesianLearningGame(game, mode=mode)
        self.game, self.mode = game, self.full.mode
        super().__init__([self.full.type_weights[0]], [game.n_actions[0]], agent_names=["all players"],
                         class_sizes=[game.n_players])

    def payoff_scale(self) -> float:
        """Largest absolute payoff of the game."""
        return self.full.payoff_scale()

    def utilities(self, strategies: Sequence[np.ndarray]) -> list[np.ndarray]:
        """``U[t, b]`` of any player of type t playing b when all others play ``strategies[0]``."""
        return [self.full.player_utilities(0, [strategies[0]] * self.game.n_players)]

    def utility_derivatives(self, strategies: Sequence[np.ndarray], c: int) -> list[np.ndarray]:
        """``∂U / ∂sigma``: the sum over the other players j of player 0's derivative in σ_j."""
        factors = self.full._factors([strategies[0]] * self.game.n_players)
        return [sum(self.full.player_derivative(0, j, factors) for j in range(1, self.game.n_players))]
