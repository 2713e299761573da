"""Direct mechanisms defined by a function of a block of profiles, never stored whole.

A 7-player environment with 10 types has 10^7 profiles; its VCG transfers
alone take 560 MB. A :class:`LazyDirectMechanism` stores only a vectorised
function that computes the decision and transfers of a *block* of report
profiles, so the audits of :mod:`mechdesign.analysis` (which read mechanisms
block by block) work in memory proportional to a block.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.mechanisms.direct import BlockView, DirectMechanism, Outcome
from mechdesign.model.environment import Environment

BlockFunction = Callable[[tuple[np.ndarray, ...]], tuple[np.ndarray, np.ndarray]]


class LazyDirectMechanism(DirectMechanism):
    """A direct mechanism given by ``func(types) -> (decision, transfers)`` on blocks of profiles.

    Parameters
    ----------
    env : Environment
    func : callable
        ``func(types)`` receives one integer array of type indices per player;
        the block is their Cartesian product, of shape ``n = (len(types[0]),
        ..., len(types[N-1]))`` (``np.ix_(*types)`` indexes it). It returns
        ``(decision, transfers)``: integer alternative indices of shape ``n``
        (deterministic rule) or probabilities of shape ``(*n, |X|)``, and the
        money received of shape ``(*n, N)``. It must be a pure function of
        ``types`` (the same profile always gives the same outcome) and, for the
        Dask backend, picklable (module-level functions, classes, closures are
        fine). Optionally ``func(types, players=(i, ...))``: when the function
        accepts a ``players`` keyword, callers that need only some players'
        transfers (the misreport audits, one player at a time) pass it, and
        the other columns may be left at 0 — a saving when transfers are costly.
    name : str, optional

    Notes
    -----
    Outputs are checked block by block (shape, range, finiteness, lottery rows
    summing to one) as the kernels read them. ``decision``, ``transfers`` and
    the other whole-array attributes of :class:`DirectMechanism` materialise
    the mechanism (:meth:`materialize`): fine for small environments, avoid
    them for large ones.

    Examples
    --------
    >>> import numpy as np, mechdesign as md
    >>> env = md.examples.single_item_auction(values=[0, 1, 2], n_bidders=2)
    >>> def posted_price(types):            # B1 buys at price 1 when her value is at least 1
    ...     a, b = np.ix_(*types)
    ...     buys = np.broadcast_to(a >= 1, (a.size, b.size))
    ...     decision = np.where(buys, 0, 2)
    ...     transfers = np.stack([-1.0 * buys, 0.0 * buys], axis=-1)
    ...     return decision, transfers
    >>> md.is_dsic(md.LazyDirectMechanism(env, posted_price)).holds
    True
    """

    def __init__(self, env: Environment, func: BlockFunction, name: str | None = None):
        if not isinstance(env, Environment):
            raise v.fail("env", "an Environment", type(env).__name__)
        if not callable(func):
            raise v.fail("func", "a callable func(types) -> (decision, transfers)", type(func).__name__)
        self.env = env
        self.func = func
        self.name = name or "lazy direct mechanism"
        self._materialized: DirectMechanism | None = None
        try:
            self._takes_players = "players" in inspect.signature(func).parameters
        except (TypeError, ValueError):      # builtins without a signature
            self._takes_players = False
        first = tuple(slice(0, 1) for _ in env.n_types)
        self._deterministic = self.block(first)[0] is not None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_materialized"] = None        # ship the function, not a cached copy
        return state

    def block(self, region: tuple[slice, ...],
              players: tuple[int, ...] | None = None) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray]:
        """Evaluate ``func`` on a rectangle of profiles and check its output (see the class docstring).

        ``players``: only these players' transfers are needed (passed on to
        ``func`` if it accepts it).
        """
        env = self.env
        grid = tuple(np.arange(s.start, s.stop) for s in region)
        shape = tuple(len(g) for g in grid)
        where = f"func on the block {[(s.start, s.stop) for s in region]}"
        try:
            if players is not None and self._takes_players:
                decision, transfers = self.func(grid, players=players)
            else:
                decision, transfers = self.func(grid)
        except Exception as exc:
            raise v.fail("func", "a callable returning (decision, transfers) for a block of profiles",
                         f"{type(exc).__name__}: {exc} ({where})") from exc
        decision = np.asarray(decision)
        transfers = np.asarray(transfers, dtype=float)
        if transfers.shape != (*shape, env.n_players):
            raise v.fail("func", f"transfers of shape {(*shape, env.n_players)}", f"shape {transfers.shape} ({where})")
        if not np.all(np.isfinite(transfers)):
            raise v.fail("func", "finite transfers", f"non-finite values ({where})")
        if transfers.size and not np.abs(transfers).max() <= v.MAX_MAGNITUDE:
            raise v.fail("func", f"transfers of magnitude at most {v.MAX_MAGNITUDE:g}",
                         f"{np.abs(transfers).max():g} ({where})")
        if np.issubdtype(decision.dtype, np.integer):
            if decision.shape != shape:
                raise v.fail("func", f"decision indices of shape {shape}", f"shape {decision.shape} ({where})")
            if decision.size and (decision.min() < 0 or decision.max() >= env.n_alternatives):
                raise v.fail("func", f"alternative indices in 0..{env.n_alternatives - 1}", f"out of range ({where})")
            return decision.astype(np.intp, copy=False), None, transfers
        if decision.shape != (*shape, env.n_alternatives):
            raise v.fail("func", f"integer decisions of shape {shape} or a lottery of shape "
                         f"{(*shape, env.n_alternatives)}", f"shape {decision.shape} ({where})")
        lottery = decision.astype(float, copy=False)
        if (lottery < -v.PROB_ATOL).any() or (np.abs(lottery.sum(axis=-1) - 1) > v.PROB_ATOL).any():
            raise v.fail("func", "lottery rows of non-negative probabilities summing to 1", f"other values ({where})")
        return None, lottery, transfers

    def block_view(self, region: tuple[slice, ...], players: tuple[int, ...], compiled: bool = False) -> BlockView:
        """:meth:`DirectMechanism.block_view`: ``func`` is evaluated once on the region.

        With ``compiled``, the built-in block functions (VCG, Groves, AGV with
        private values) run their compiled versions (the same numbers): the
        decision once, each player's transfers when asked.
        """
        hook = getattr(self.func, "compiled_rule", None)
        rule = hook() if compiled and hook is not None else None
        if rule is None:
            return super().block_view(region, players, compiled)
        indices, lottery = rule.decide(region)

        def money(i: int) -> np.ndarray:
            values, largest = rule.money(region, i, indices)
            if not largest <= v.MAX_MAGNITUDE:
                raise v.fail("func", f"finite transfers of magnitude at most {v.MAX_MAGNITUDE:g}",
                             f"{largest:g} (func on the block {[(s.start, s.stop) for s in region]})")
            return values

        return BlockView(indices, lottery, money)

    def block_view_bytes(self) -> int:
        """Per profile: the decision and one player's transfers (compiled rules), else ``func``'s
        whole output (its own temporaries are not counted)."""
        env = self.env
        lottery = 0 if self.is_deterministic else 8 * env.n_alternatives
        hook = getattr(self.func, "compiled_rule", None)
        if hook is not None and hook() is not None:
            return 16 + lottery
        return 16 + 8 * env.n_players + lottery

    @property
    def is_deterministic(self) -> bool:
        """True when ``func`` returns alternative indices (judged on the first profile)."""
        return self._deterministic

    def outcome(self, profile: Any) -> Outcome:
        """The outcome at one report profile (evaluates ``func`` on that profile only).

        ``profile`` is a tuple of type indices or a mapping ``{player: type label
        or value}``, as in :meth:`DirectMechanism.outcome`.
        """
        prof = self.env.check_profile(profile)
        indices, lottery, transfers = self.block(tuple(slice(t, t + 1) for t in prof))
        first = (0,) * self.env.n_players
        if indices is not None:
            lottery = np.zeros(self.env.n_alternatives)
            lottery[indices[first]] = 1.0
            return Outcome(lottery=lottery, transfers=np.array(transfers[first]),
                           alternative=self.env.alternatives[int(indices[first])])
        return Outcome(lottery=np.array(lottery[first]), transfers=np.array(transfers[first]), alternative=None)

    def materialize(self) -> DirectMechanism:
        """The same mechanism with its arrays in memory (one evaluation of ``func`` on every profile)."""
        if self._materialized is None:
            whole = tuple(slice(0, k) for k in self.env.n_types)
            indices, lottery, transfers = self.block(whole)
            decision = indices if indices is not None else lottery
            self._materialized = DirectMechanism(self.env, decision, transfers, name=self.name)
        return self._materialized

    # Whole-array views used by DirectMechanism's methods: materialise on first use.
    @property
    def _indices(self) -> np.ndarray | None:
        return self.materialize().decision_indices

    @property
    def _lottery(self) -> np.ndarray:
        return self.materialize().decision

    @property
    def _transfers(self) -> np.ndarray:
        return self.materialize().transfers

    def scale(self) -> float:
        """Magnitude of the numbers involved (materialises; the audits compute it block by block)."""
        return self.materialize().scale()

    def __repr__(self) -> str:
        kind = "deterministic" if self.is_deterministic else "randomized"
        return (f"LazyDirectMechanism({self.name!r}, {kind}, players={list(self.env.players)}, "
                f"n_types={self.env.n_types})")
