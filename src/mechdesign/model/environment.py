"""Finite quasilinear environments.

An :class:`Environment` holds N players, a finite set X of public alternatives,
a finite type space per player, a common prior over type profiles and the
players' valuations u_i(x, θ). Player i's payoff from alternative x and money
m_i (received) is u_i(x, θ) + m_i (Tadelis 2013, ch. 14, quasilinear preferences).

Valuations are either *private* (u_i depends on θ_i only; an array of shape
``(k_i, |X|)``) or *interdependent* (u_i depends on the whole profile; shape
``(k_1, ..., k_N, |X|)``).
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.errors import SpecError
from mechdesign.model.prior import IndependentPrior, JointPrior, Prior


def _names_or_count(value: Any, name: str, prefix: str) -> tuple[str, ...]:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if value < 1:
            raise v.fail(name, "a positive count or a list of names", value)
        return tuple(f"{prefix}{k}" for k in range(int(value)))
    return v.names(value, name)


def _per_player(value: Any, name: str, players: tuple[str, ...]) -> list[Any]:
    """Accept a list in player order or a mapping keyed by player name."""
    if isinstance(value, Mapping):
        unknown = [key for key in value if str(key) not in players]
        if unknown:
            raise v.fail(name, f"keys among the players {list(players)}", f"unknown {unknown}")
        missing = [p for p in players if p not in {str(k) for k in value}]
        if missing:
            raise v.fail(name, f"an entry for every player {list(players)}", f"none for {missing}")
        by_name = {str(k): val for k, val in value.items()}
        return [by_name[p] for p in players]
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise v.fail(name, "one entry per player (a list or a mapping by player name)", type(value).__name__)
    if len(value) != len(players):
        raise v.fail(name, f"one entry per player ({len(players)} players)", f"{len(value)} entries")
    return list(value)


def _type_space(values: Any, name: str) -> tuple[tuple[str, ...], np.ndarray | None]:
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise v.fail(name, "a list of type values or labels", values)
    items = list(values)
    if not items:
        raise v.fail(name, "at least one type", "an empty list")
    numeric = all(isinstance(t, numbers.Real) and not isinstance(t, bool) for t in items)
    if numeric:
        arr = v.float_array(items, name, ndim=1)
        if len(np.unique(arr)) != len(arr):
            raise v.fail(name, "distinct type values", items)
        labels = tuple(f"{t:g}" for t in arr)
        if len(set(labels)) != len(labels):          # values too close for 6 digits: print them in full
            labels = tuple(repr(float(t)) for t in arr)
        return labels, arr
    labels = v.names([str(t) for t in items], name)
    return labels, None


class Environment:
    """A finite quasilinear environment (players, alternatives, types, prior, valuations).

    Parameters
    ----------
    players : list of str or int
        Player names (unique), or a count N (names ``P0..P{N-1}``).
    alternatives : list of str or int
        Public alternatives X (unique names), or a count.
    types : list or mapping
        Per player, the list of types: numbers (type values) or labels.
        Type ``t`` of player ``i`` is referred to by its index ``0..k_i-1``.
    prior : Prior, optional
        :class:`IndependentPrior` or :class:`JointPrior` with matching shape.
        Omitted (or None): the uniform prior, independent types each drawn
        uniformly (as when a spec file has no ``prior:``).
    valuations : list or mapping
        Per player, u_i as an array of shape ``(k_i, |X|)`` (private values) or
        ``(k_1, ..., k_N, |X|)`` (interdependent values). Must be finite.
        Required; give it by keyword when the prior is omitted.

    Notes
    -----
    A type profile is given either as a tuple of type *indices*, one per
    player in player order (``(3, 1)``: player 0's fourth type, player 1's
    second), or as a mapping from player to type *label or value*
    (``{"A": 4, "B": 2}``: the types whose value is 4 and 2). In a tuple every
    entry is an index, never a value; in a mapping a number is a type value,
    never an index. See :meth:`check_profile`.

    Examples
    --------
    >>> env = Environment(players=["A", "B"], alternatives=["build", "skip"],
    ...                   types=[[10, 40], [10, 40]],
    ...                   prior=IndependentPrior([[0.5, 0.5], [0.5, 0.5]]),
    ...                   valuations=[[[-15, 0], [15, 0]], [[-15, 0], [15, 0]]])
    >>> env.n_profiles
    4
    """

    def __init__(self, players: Any, alternatives: Any, types: Any, prior: Prior | None = None,
                 valuations: Any = None):
        self.players = _names_or_count(players, "players", "P")
        self.alternatives = _names_or_count(alternatives, "alternatives", "x")
        spaces = [_type_space(t, f"types[{self.players[i]!r}]")
                  for i, t in enumerate(_per_player(types, "types", self.players))]
        self.type_labels = tuple(labels for labels, _ in spaces)
        self.type_values = tuple(values for _, values in spaces)
        self.n_types = tuple(len(labels) for labels in self.type_labels)
        if prior is not None and not isinstance(prior, Prior):
            raise v.fail("prior", "an IndependentPrior or JointPrior, or None for the uniform prior (give "
                         "valuations= by keyword when omitting the prior)", type(prior).__name__)
        if valuations is None:
            raise v.fail("valuations", "per player, an array (k_i, |X|) or (k_1, ..., k_N, |X|)", "none")
        if prior is None:
            prior = IndependentPrior([np.full(k, 1.0 / k) for k in self.n_types])
        if prior.n_types != self.n_types:
            raise v.fail("prior", f"type counts {self.n_types} matching `types`", f"{prior.n_types}")
        self.prior = prior
        n_alt = len(self.alternatives)
        arrays = []
        for i, val in enumerate(_per_player(valuations, "valuations", self.players)):
            name = f"valuations[{self.players[i]!r}]"
            arr = v.float_array(val, name, bounded=True)
            if arr.shape not in {(self.n_types[i], n_alt), (*self.n_types, n_alt)}:
                raise v.fail(name, f"shape {(self.n_types[i], n_alt)} (private values) or "
                             f"{(*self.n_types, n_alt)} (interdependent values)", f"shape {arr.shape}")
            arrays.append(arr)
        self.valuations = tuple(arrays)

    # ------------------------------------------------------------------ sizes
    @property
    def n_players(self) -> int:
        """Number of players N."""
        return len(self.players)

    @property
    def n_alternatives(self) -> int:
        """Number of public alternatives |X|."""
        return len(self.alternatives)

    @property
    def n_profiles(self) -> int:
        """Number of type profiles Π k_i."""
        return math.prod(self.n_types)

    @property
    def private_values(self) -> bool:
        """True when every u_i depends on θ_i only."""
        return all(self.is_private(i) for i in range(self.n_players))

    def is_private(self, i: int) -> bool:
        """True when player ``i``'s valuation depends on her own type only."""
        return self.valuations[i].ndim == 2

    # ------------------------------------------------------------- look-ups
    def player_index(self, player: int | str) -> int:
        """Index of ``player`` (a name or an index)."""
        return v.lookup(player, "player", self.players)

    def alternative_index(self, alternative: int | str) -> int:
        """Index of ``alternative`` (a name or an index)."""
        return v.lookup(alternative, "alternative", self.alternatives)

    def type_index(self, player: int | str, t: Any) -> int:
        """Index of type ``t`` (an index, a label, or a numeric type value) of ``player``."""
        i = self.player_index(player)
        if isinstance(t, str):
            return v.lookup(t, f"type of player {self.players[i]!r}", self.type_labels[i])
        if isinstance(t, float) and self.type_values[i] is not None:
            hits = np.flatnonzero(self.type_values[i] == t)
            if hits.size:
                return int(hits[0])
        return v.index(t, f"type of player {self.players[i]!r}", self.n_types[i])

    def check_profile(self, profile: Any, name: str = "profile") -> tuple[int, ...]:
        """Validate a type profile and return it as a tuple of type indices.

        Parameters
        ----------
        profile : tuple of int or mapping
            Either one type *index* per player, in player order (a tuple,
            list or array of integers: ``(3, 1)``), or a mapping from each
            player (name or index) to her type *label or value*
            (``{"A": 4, "B": 2}``, ``{"A": "4", "B": "2"}``). A number in a
            mapping is a type value, never an index; an entry of a tuple is an
            index, never a value.
        name : str
            Argument name used in error messages.

        Raises
        ------
        SpecError
            If an index is out of range, a label or value is not a type of its
            player, or a player is missing or unknown.
        """
        if isinstance(profile, Mapping):
            return profile_from_mapping(profile, name, self.players, self.type_labels, self.type_values, "type")
        try:
            return v.profile(profile, name, self.n_types)
        except SpecError as exc:
            raise SpecError(f"{exc}; a tuple holds type indices (0..k_i-1) in player order; to give type "
                              f"labels or values use a mapping {{player: type}}") from None

    def profiles(self):
        """Iterate over all type profiles in C order (small environments only)."""
        return itertools.product(*(range(k) for k in self.n_types))

    # ------------------------------------------------------------ utilities
    def utility_broadcast(self, i: int) -> np.ndarray:
        """u_i as an array broadcastable to ``(k_1, ..., k_N, |X|)`` (a view, no copy)."""
        u = self.valuations[i]
        if u.ndim != 2:
            return u
        shape = [1] * self.n_players + [self.n_alternatives]
        shape[i] = self.n_types[i]
        return u.reshape(shape)

    def total_valuation(self) -> np.ndarray:
        """Σ_i u_i(x, θ), shape ``(k_1, ..., k_N, |X|)`` (materialised)."""
        total = np.zeros((*self.n_types, self.n_alternatives))
        for i in range(self.n_players):
            total += self.utility_broadcast(i)
        return total

    def scale(self) -> float:
        """Largest absolute valuation (used for relative tolerances)."""
        return float(max(np.abs(u).max() for u in self.valuations))

    # --------------------------------------------------------- constructors
    @classmethod
    def from_function(cls, players: Any, alternatives: Any, types: Any, prior: Prior | None = None,
                      u: Callable[..., float] | None = None, interdependent: bool = False) -> "Environment":
        """Build an environment from a valuation function.

        Parameters
        ----------
        players, alternatives, types, prior
            As in :class:`Environment` (prior omitted: uniform).
        u : callable
            ``u(i, x, t)`` returns player ``i``'s (index) value for alternative
            ``x`` (its name) when her type is ``t`` (the type value, or label if
            the types are labels). With ``interdependent=True`` the third
            argument is the whole profile as a tuple of type values/labels.
        interdependent : bool
            Whether u_i depends on every player's type.
        """
        interdependent = v.flag(interdependent, "interdependent")
        probe = cls.__new__(cls)
        probe.players = _names_or_count(players, "players", "P")
        probe.alternatives = _names_or_count(alternatives, "alternatives", "x")
        spaces = [_type_space(t, f"types[{probe.players[i]!r}]")
                  for i, t in enumerate(_per_player(types, "types", probe.players))]
        points = [[float(x) for x in vals] if vals is not None else list(labels) for labels, vals in spaces]
        if not callable(u):
            raise v.fail("u", "a callable u(i, x, t)", type(u).__name__)
        n_types = tuple(len(p) for p in points)
        valuations = []
        for i in range(len(probe.players)):
            if interdependent:
                arr = np.empty((*n_types, len(probe.alternatives)))
                for prof in itertools.product(*(range(k) for k in n_types)):
                    point = tuple(points[j][t] for j, t in enumerate(prof))
                    for a, x in enumerate(probe.alternatives):
                        arr[(*prof, a)] = _call_u(u, i, x, point)
            else:
                arr = np.array([[_call_u(u, i, x, t) for x in probe.alternatives] for t in points[i]],
                               dtype=float)
            valuations.append(arr)
        original = [list(t) for t in _per_player(types, "types", probe.players)]
        return cls(probe.players, probe.alternatives, original, prior, valuations)

    def with_prior(self, prior: Prior) -> "Environment":
        """A copy of this environment with another prior."""
        return Environment(self.players, self.alternatives, self._types_argument(), prior, self.valuations)

    def _types_argument(self) -> list[list[Any]]:
        return [vals.tolist() if vals is not None else list(labels)
                for labels, vals in zip(self.type_labels, self.type_values)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (the same shape as a spec file)."""
        return {
            "players": list(self.players),
            "alternatives": list(self.alternatives),
            "types": {p: t for p, t in zip(self.players, self._types_argument())},
            "prior": _prior_spec(self),
            "valuations": {p: u.tolist() for p, u in zip(self.players, self.valuations)},
        }

    def __repr__(self) -> str:
        kind = "private" if self.private_values else "interdependent"
        return (f"Environment(players={list(self.players)}, alternatives={list(self.alternatives)}, "
                f"n_types={self.n_types}, {kind} values, prior={self.prior!r})")


def profile_from_mapping(profile: Mapping, name: str, players: tuple[str, ...], labels: tuple[tuple[str, ...], ...],
                         values: tuple[np.ndarray | None, ...], what: str) -> tuple[int, ...]:
    """Indices of a profile given as ``{player: label or value}`` (types, or actions of a game).

    A string is a label; a number is a value (it must equal one of the
    player's numeric values); booleans and other objects are rejected.
    """
    article = "an" if what[0] in "aeiou" else "a"
    chosen: dict[int, int] = {}
    for key, item in profile.items():
        i = v.lookup(key, f"{name} key", players)
        if i in chosen:
            raise v.fail(f"{name} key", "each player once", f"player {players[i]!r} twice")
        where = f"{name}[{players[i]!r}]"
        if isinstance(item, str):
            chosen[i] = v.lookup(item, where, labels[i])
        elif isinstance(item, numbers.Real) and not isinstance(item, (bool, np.bool_)):
            if values[i] is None:
                raise v.fail(where, f"{article} {what} label among {list(labels[i])}", repr(item))
            hits = np.flatnonzero(values[i] == float(item))
            if not hits.size:
                raise v.fail(where, f"{article} {what} value among {[float(x) for x in values[i]]} (numbers in a "
                             f"mapping are {what} values, not indices)", item)
            chosen[i] = int(hits[0])
        else:
            raise v.fail(where, f"{article} {what} label (str) or value (number)", type(item).__name__)
    missing = [p for k, p in enumerate(players) if k not in chosen]
    if missing:
        raise v.fail(name, f"{article} {what} for every player {list(players)}", f"none for {missing}")
    return tuple(chosen[k] for k in range(len(players)))


def _prior_spec(env: Environment) -> dict[str, Any]:
    if isinstance(env.prior, IndependentPrior):
        return {"independent": {p: env.prior.marginal(i).tolist() for i, p in enumerate(env.players)}}
    assert isinstance(env.prior, JointPrior)
    return {"joint": env.prior.joint().tolist()}


def _call_u(u: Callable[..., float], i: int, x: str, t: Any) -> float:
    value = v.call_user(lambda: float(u(i, x, t)), (), "u", "a callable returning a number",
                        f"u({i}, {x!r}, {t!r})")
    if not np.isfinite(value):
        raise v.fail("u", "finite values", f"{value} at u({i}, {x!r}, {t!r})")
    return value
