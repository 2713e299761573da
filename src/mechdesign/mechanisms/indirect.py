"""Indirect mechanisms Γ = (A_1, ..., A_N, g): finite action sets and an outcome function.

Each player i picks an action a_i from a finite set A_i; the outcome function g
maps the action profile a = (a_1, ..., a_N) to a lottery over the alternatives
X and a vector of transfers (money *received*, ``docs/conventions.md``). Played by
privately informed players under the environment's prior, Γ is a Bayesian game
(Tadelis 2013, ch. 14); see :class:`mechdesign.BayesianGame.from_mechanism`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.errors import SpecError
from mechdesign.mechanisms.direct import Outcome, decision_rule, one_hot
from mechdesign.model.environment import Environment, _per_player, _type_space, profile_from_mapping


class Mechanism:
    """An indirect mechanism on a finite environment.

    Parameters
    ----------
    env : Environment
        Players, alternatives, types, prior and valuations.
    actions : list or mapping
        Per player, the list of actions: numbers (e.g. bids) or labels.
        Action ``a`` of player ``i`` is referred to by its index ``0..|A_i|-1``.
    outcome : tuple or callable
        Either a tuple ``(decision, transfers)`` of arrays over action profiles
        — ``decision`` integer alternative indices of shape ``(|A_1|, ..., |A_N|)``
        or lotteries of shape ``(|A_1|, ..., |A_N|, |X|)``, ``transfers`` money
        received of shape ``(|A_1|, ..., |A_N|, N)`` — or a callable
        ``g(action_profile) -> (alternative or lottery, transfers)`` called once
        per action profile with the tuple of action values (numbers, or labels
        for non-numeric actions); the alternative may be a name or an index.
    name : str, optional
        Shown in reports.

    Examples
    --------
    A first-price auction with bids {0, 1} (ties go to A):

    >>> import numpy as np, mechdesign as md
    >>> env = md.examples.single_item_auction(values=[0, 1, 2])
    >>> g = lambda bids: ((0, [-bids[0], 0.0]) if bids[0] >= bids[1] else (1, [0.0, -bids[1]]))
    >>> mech = md.Mechanism(env, actions=[[0, 1], [0, 1]], outcome=g)
    >>> mech.outcome((1, 0)).alternative
    'B1'
    """

    def __init__(self, env: Environment, actions: Any, outcome: Any, name: str | None = None):
        if not isinstance(env, Environment):
            raise v.fail("env", "an Environment", type(env).__name__)
        self.env = env
        spaces = [_type_space(a, f"actions[{env.players[i]!r}]")
                  for i, a in enumerate(_per_player(actions, "actions", env.players))]
        self.action_labels = tuple(labels for labels, _ in spaces)
        self.action_values = tuple(values for _, values in spaces)
        self.n_actions = tuple(len(labels) for labels in self.action_labels)
        if callable(outcome):
            decision, transfers = self._tabulate(outcome)
        elif isinstance(outcome, (tuple, list)) and len(outcome) == 2:
            decision, transfers = outcome
        else:
            raise v.fail("outcome", "a tuple (decision, transfers) of arrays or a callable g(action_profile)",
                         type(outcome).__name__)
        self._indices, self._lottery = decision_rule(decision, env, "outcome: decision", shape=self.n_actions)
        self._transfers = v.float_array(transfers, "outcome: transfers", shape=(*self.n_actions, env.n_players),
                                         bounded=True)
        self.name = name or "indirect mechanism"

    def _tabulate(self, g: Callable[..., Any]) -> tuple[np.ndarray, np.ndarray]:
        env = self.env
        points = [list(vals) if vals is not None else list(labels)
                  for labels, vals in zip(self.action_labels, self.action_values)]
        lottery = np.zeros((*self.n_actions, env.n_alternatives))
        transfers = np.zeros((*self.n_actions, env.n_players))
        for prof in itertools.product(*(range(m) for m in self.n_actions)):
            point = tuple(points[i][a] for i, a in enumerate(prof))
            where = f"g({point!r})"
            result = v.call_user(g, (point,), "outcome", "a callable returning (alternative or lottery, transfers)",
                                 where)
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                raise v.fail("outcome", "g to return a pair (alternative or lottery, transfers)",
                             f"{v._short(result)} at {where}")
            choice, money = result
            if isinstance(choice, (str, int, np.integer)) and not isinstance(choice, bool):
                try:
                    lottery[prof][env.alternative_index(choice)] = 1.0
                except SpecError as exc:
                    raise v.fail("outcome", "g to return a known alternative (name or index)",
                                 f"{exc} at {where}") from None
            else:
                lottery[prof] = v.probabilities(choice, f"outcome: lottery at {where}", shape=(env.n_alternatives,))
            transfers[prof] = v.float_array(money, f"outcome: transfers at {where}", shape=(env.n_players,))
        return lottery, transfers

    # ------------------------------------------------------------- the rule
    @property
    def n_players(self) -> int:
        """Number of players N."""
        return self.env.n_players

    @property
    def n_action_profiles(self) -> int:
        """Number of action profiles Π |A_i|."""
        return math.prod(self.n_actions)

    @property
    def is_deterministic(self) -> bool:
        """True when g picks one alternative at every action profile."""
        return self._indices is not None

    @property
    def decision(self) -> np.ndarray:
        """g's lottery over X at each action profile, shape ``(|A_1|, ..., |A_N|, |X|)`` (read-only)."""
        if self._lottery is None:
            self._lottery = one_hot(self._indices, self.env.n_alternatives)
        return self._lottery

    @property
    def decision_indices(self) -> np.ndarray | None:
        """Alternative index at each action profile when g is deterministic, else None."""
        return self._indices

    @property
    def transfers(self) -> np.ndarray:
        """Money received at each action profile, shape ``(|A_1|, ..., |A_N|, N)`` (read-only)."""
        return self._transfers

    def action_index(self, player: Any, action: Any) -> int:
        """Index of ``action`` (an index, a label or a numeric action value) of ``player``."""
        i = self.env.player_index(player)
        if isinstance(action, str):
            return v.lookup(action, f"action of player {self.env.players[i]!r}", self.action_labels[i])
        if isinstance(action, float) and self.action_values[i] is not None:
            hits = np.flatnonzero(self.action_values[i] == action)
            if hits.size:
                return int(hits[0])
        return v.index(action, f"action of player {self.env.players[i]!r}", self.n_actions[i])

    def outcome(self, profile: Any) -> Outcome:
        """The outcome g(a) at an action profile.

        Parameters
        ----------
        profile : tuple of int or mapping
            One action *index* per player in player order (``(1, 0)``), or a
            mapping from player to action *label or value* (``{"A": 1.0, "B": 0.0}``:
            the actions whose value, e.g. the bid, is 1 and 0). Numbers in a
            mapping are action values, never indices.

        Returns
        -------
        Outcome
            ``alternative`` is set whenever g(a) picks one alternative for sure.
        """
        if isinstance(profile, Mapping):
            prof = profile_from_mapping(profile, "profile", self.env.players, self.action_labels,
                                        self.action_values, "action")
        else:
            prof = v.profile(profile, "profile", self.n_actions)
        lottery = np.array(self.decision[prof])
        sure = np.flatnonzero(lottery == 1.0)
        alt = self.env.alternatives[int(sure[0])] if sure.size == 1 else None
        return Outcome(lottery=lottery, transfers=np.array(self._transfers[prof]), alternative=alt)

    def to_frame(self):
        """Outcome g(a) by action profile: ``P(x)`` per alternative and ``m <player>``."""
        from mechdesign.display import frames

        return frames.indirect_frame(self)

    def _repr_html_(self) -> str:
        from mechdesign.display import html

        return html.indirect_mechanism(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description: environment, actions, decision and transfers."""
        decision = self._indices.tolist() if self._indices is not None else self.decision.tolist()
        actions = [list(vals) if vals is not None else list(labels)
                   for labels, vals in zip(self.action_labels, self.action_values)]
        return {"name": self.name, "environment": self.env.to_dict(),
                "actions": {p: [float(a) if not isinstance(a, str) else a for a in acts]
                            for p, acts in zip(self.env.players, actions)},
                "decision": decision, "transfers": self._transfers.tolist()}

    def __repr__(self) -> str:
        return (f"Mechanism({self.name!r}, players={list(self.env.players)}, n_actions={self.n_actions}, "
                f"n_types={self.env.n_types})")
