"""The efficient decision, Groves/VCG and AGV transfers computed one block of profiles at a time.

These are the block versions of :mod:`.efficient`, :mod:`.groves` and
:mod:`.agv`, with the same arithmetic in the same order, so a mechanism built
block by block (``chunk_size=``, ``backend="dask"``) or evaluated lazily
(``lazy=True``, a :class:`~mechdesign.LazyDirectMechanism`) has exactly the
numbers of the one built in one go.

A block is given as one array of type indices per player (``types``); the
block is their Cartesian product.
"""

from __future__ import annotations

import numpy as np

from mechdesign.compute.backends import Compute
from mechdesign.compute.blocks import Block, BlockPlan, fold, tile_sums
from mechdesign.model import offsets
from mechdesign.model.environment import Environment
from mechdesign.model.prior import IndependentPrior


def utility_on(env: Environment, j: int, types: tuple[np.ndarray, ...], drop: int | None = None) -> np.ndarray:
    """u_j(x, θ) on the block, broadcastable to its shape + (|X|,).

    With ``drop=i`` player i's axis has length 1 (u_j must not depend on θ_i:
    private values, j ≠ i).
    """
    u = env.valuations[j]
    if u.ndim == 2:
        shape = [1] * env.n_players + [env.n_alternatives]
        shape[j] = len(types[j])
        return u[types[j]].reshape(shape)
    grid = list(types)
    if drop is not None:
        grid[drop] = grid[drop][:1]
    return u[np.ix_(*grid)]


def others_weights(env: Environment, i: int, block: Block) -> np.ndarray:
    """Conditional beliefs on the block's others' profiles: ``(n,)`` if independent, else ``(k, n)``.

    Computed element by element as :meth:`~mechdesign.Prior.belief_matrix` does.
    """
    prior = env.prior
    region = block.region
    if isinstance(prior, IndependentPrior):
        dist = np.ones(1)
        for j, m in enumerate(prior.marginals):
            if j != i:
                dist = np.multiply.outer(dist, m[region[j]]).ravel()
        return dist
    rows = np.moveaxis(prior.joint()[region], i, 0).reshape(env.n_types[i], block.size)
    mass = prior.marginal(i)
    safe = np.where(mass > 0, mass, 1.0)
    return np.where(mass[:, None] > 0, rows / safe[:, None], 0.0)


def profile_weights(env: Environment, block: Block) -> np.ndarray:
    """Prior probability of every profile of the block, flattened in C order."""
    prior = env.prior
    if isinstance(prior, IndependentPrior):
        dist = np.ones(1)
        for j, m in enumerate(prior.marginals):
            dist = np.multiply.outer(dist, m[block.region[j]]).ravel()
        return dist
    return np.ascontiguousarray(prior.joint()[block.region]).ravel()


def _shape(types: tuple[np.ndarray, ...]) -> tuple[int, ...]:
    return tuple(len(t) for t in types)


def total_block(env: Environment, types: tuple[np.ndarray, ...]) -> np.ndarray:
    """Σ_i u_i(x, θ) on the block, shape + (|X|,), added in player order from 0.

    Broadcasting grows the partial sums one player's axis at a time, so the
    cost is about one pass over the block (not N) and every element is
    ``((0 + u_0) + u_1) + ...``, as in :meth:`~mechdesign.Environment.total_valuation`.
    """
    total = np.zeros([1] * env.n_players + [env.n_alternatives])
    for i in range(env.n_players):
        total = total + utility_on(env, i, types)
    return np.broadcast_to(total, (*_shape(types), env.n_alternatives))


def efficient_block(env: Environment, types: tuple[np.ndarray, ...], ties: str, tol: float) -> np.ndarray:
    """The first-best decision on the block (as :func:`.efficient.efficient_decision`: offsets removed)."""
    total = total_block(offsets.normalised_environment(env), types)
    is_max = total >= total.max(axis=-1, keepdims=True) - tol
    if ties == "lowest":
        return np.argmax(is_max, axis=-1)
    return is_max / is_max.sum(axis=-1, keepdims=True)


def chosen_value_block(env: Environment, types: tuple[np.ndarray, ...], decision: np.ndarray, i: int) -> np.ndarray:
    """u_i(x(θ), θ) on the block (as :func:`.efficient.chosen_value`)."""
    u = env.valuations[i]
    if decision.ndim == env.n_players and u.ndim == 2:       # gather u_i[θ_i, x(θ)] directly
        own = [1] * env.n_players
        own[i] = len(types[i])
        return u[types[i].reshape(own), decision]
    u = np.broadcast_to(utility_on(env, i, types), (*_shape(types), env.n_alternatives))
    if decision.ndim == env.n_players:
        return np.take_along_axis(u, decision[..., None], axis=-1)[..., 0]
    return (decision * u).sum(axis=-1)


class EfficientFunction:
    """Block function of the first-best decision: ``f(types) -> decision`` (picklable)."""

    def __init__(self, env: Environment, ties: str, tol: float):
        self.env, self.ties, self.tol = env, ties, tol

    def __call__(self, types: tuple[np.ndarray, ...]) -> np.ndarray:
        return efficient_block(self.env, types, self.ties, self.tol)


class GrovesFunction:
    """Block function of a Groves mechanism: ``f(types) -> (decision, transfers)`` (picklable).

    ``pivots`` holds h_i as arrays over θ_-i, one per player; None means the
    Clarke pivot h_i = −max_x Σ_{j≠i} u_j(x, θ_j), computed on each block.
    """

    def __init__(self, env: Environment, ties: str, tol: float, pivots: list[np.ndarray] | None):
        self.env, self.ties, self.tol, self.pivots = env, ties, tol, pivots
        self._rule = None

    def compiled_rule(self):
        """The compiled version of this function (a :class:`.compiled.CompiledRule`), or None where
        it does not apply (interdependent values, ``ties="uniform"``)."""
        if not self.env.private_values or self.ties != "lowest":
            return None
        if self._rule is None:
            from mechdesign.mechanisms.compiled import CompiledRule

            self._rule = CompiledRule(self.env, self.ties, self.tol, 1 if self.pivots is None else 2, self.pivots)
        return self._rule

    def _without(self, types: tuple[np.ndarray, ...], i: int) -> np.ndarray:
        """Σ_{j≠i} u_j(x, θ_j) from 0 in player order, player i's axis of length 1 (private values)."""
        env = self.env
        without_i = np.zeros([1] * env.n_players + [env.n_alternatives])
        for j in range(env.n_players):
            if j != i:
                without_i = without_i + utility_on(env, j, types, drop=i)
        return without_i

    def pivot(self, types: tuple[np.ndarray, ...], i: int, without_i: np.ndarray | None = None) -> np.ndarray:
        """h_i on the block, with player i's axis of length 1."""
        if self.pivots is None:
            return -(self._without(types, i) if without_i is None else without_i).max(axis=-1)
        others = [t for j, t in enumerate(types) if j != i]
        return np.expand_dims(self.pivots[i][np.ix_(*others)] if others else self.pivots[i], axis=i)

    def __call__(self, types: tuple[np.ndarray, ...],
                 players: tuple[int, ...] | None = None) -> tuple[np.ndarray, np.ndarray]:
        env = self.env
        n = env.n_players
        shape = _shape(types)
        decision = efficient_block(env, types, self.ties, self.tol)
        transfers = np.zeros((*shape, n))
        # m_i = Σ_{j≠i} u_j(x*, θ_j) + h_i, the sum from 0 in player order as groves() and the pivots
        # take it (a non-pivotal player's Clarke tax is then exactly 0).
        if env.private_values and decision.ndim == n:
            for i in range(n) if players is None else players:      # gather Σ_{j≠i} u_j(x) at x*
                without_i = self._without(types, i)
                full = np.broadcast_to(without_i, (*shape, env.n_alternatives))
                others = np.take_along_axis(full, decision[..., None], axis=-1)[..., 0]
                transfers[..., i] = others + self.pivot(types, i, without_i)
            return decision, transfers
        values = [chosen_value_block(env, types, decision, j) for j in range(n)]
        for i in range(n) if players is None else players:
            others = np.zeros(shape)
            for j in range(n):
                if j != i:
                    others += values[j]
            transfers[..., i] = others + self.pivot(types, i)
        return decision, transfers


class AgvFunction:
    """Block function of the AGV mechanism from the expected externalities E_i(θ_i) (picklable)."""

    def __init__(self, decide: EfficientFunction, externality: list[np.ndarray]):
        self.decide, self.externality = decide, externality
        self._rule = None

    def compiled_rule(self):
        """The compiled version of this function (see :meth:`GrovesFunction.compiled_rule`)."""
        env = self.decide.env
        if not env.private_values:
            return None
        if self._rule is None:
            from mechdesign.mechanisms.compiled import CompiledRule

            self._rule = CompiledRule(env, self.decide.ties, self.decide.tol, 3, externality=self.externality)
        return self._rule

    def __call__(self, types: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
        env = self.decide.env
        n = env.n_players
        shape = _shape(types)
        decision = self.decide(types)
        transfers = np.zeros((*shape, n))
        for i in range(n):
            own = [1] * n
            own[i] = shape[i]
            e_i = self.externality[i][types[i]].reshape(own)
            transfers[..., i] += e_i
            for j in range(n):
                if j != i:
                    transfers[..., j] -= e_i / (n - 1)
        return decision, transfers


def _evaluate(block, func):
    return func(block.grid)


def assemble(env: Environment, func, opts: Compute, bytes_per_profile: int, description: str):
    """Evaluate a block function on every profile and write the blocks into whole arrays."""
    plan = BlockPlan(env.n_types, None, opts.block_profiles(bytes_per_profile, env.n_profiles))
    parts = opts.run(_evaluate, plan.blocks, func, description=description)
    first = parts[0] if not isinstance(parts[0], tuple) else parts[0][0]
    decision = np.empty((*env.n_types, *first.shape[env.n_players:]), dtype=first.dtype)
    transfers = np.empty((*env.n_types, env.n_players)) if isinstance(parts[0], tuple) else None
    for block, part in zip(plan.blocks, parts):
        if transfers is None:
            decision[block.region] = part
        else:
            decision[block.region], transfers[block.region] = part
    return decision if transfers is None else (decision, transfers)


def _externality_block(task, env: Environment, decide: EfficientFunction):
    """Tile sums of belief(o | t) · Σ_{j≠i} u_j(x*(θ), θ) over a block with player i's axis whole."""
    i, block = task
    types = block.grid
    decision = decide(types)
    values = [chosen_value_block(env, types, decision, j) for j in range(env.n_players)]
    others = None
    for j in range(env.n_players):
        if j != i:
            others = values[j].copy() if others is None else others + values[j]
    if others is None:
        others = np.zeros(block.shape)
    rows = np.moveaxis(others, i, -1).reshape(block.size, env.n_types[i])         # (o, t)
    beliefs = others_weights(env, i, block)
    weighted = rows * (beliefs[:, None] if beliefs.ndim == 1 else beliefs.T)
    return tile_sums(weighted, block.size // block.n_tiles)


def expected_externality_blocks(env: Environment, decide: EfficientFunction, opts: Compute) -> list[np.ndarray]:
    """E_i(θ_i) = E[Σ_{j≠i} u_j(x*(θ), θ) | θ_i] per player, by blocks (types of probability 0 get 0)."""
    tasks = []
    for i in range(env.n_players):
        size = opts.block_profiles(8 * (4 * env.n_alternatives + 2 * env.n_players), env.n_profiles)
        tasks += [(i, block) for block in BlockPlan(env.n_types, i, size)]
    parts = opts.run(_externality_block, tasks, env, decide, description="expected externalities")
    return [fold([p for (j, _), p in zip(tasks, parts) if j == i]) for i in range(env.n_players)]


def build(env: Environment, func, name: str, lazy: bool, opts: Compute):
    """A :class:`LazyDirectMechanism` over ``func`` (``lazy=True``) or the arrays assembled by blocks."""
    from mechdesign.mechanisms.direct import DirectMechanism
    from mechdesign.mechanisms.lazy import LazyDirectMechanism

    if lazy:
        return LazyDirectMechanism(env, func, name=name)
    decision, transfers = assemble(env, func, opts, 8 * (4 * env.n_alternatives + 3 * env.n_players),
                                   f"building {name}")
    return DirectMechanism(env, decision, transfers, name=name)
