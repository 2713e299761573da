"""Direct revelation mechanisms: a choice rule f(θ̂) = (x(θ̂), m(θ̂)) over reported types.

Each player reports a type; the mechanism picks an alternative (or a lottery
over alternatives) and transfers money. ``transfers[..., i]`` is the money m_i
player i *receives* (Tadelis 2013, ch. 14); ``payments = -transfers``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.model.environment import Environment


@dataclass(frozen=True)
class Outcome:
    """The outcome of a direct mechanism at one report profile.

    Attributes
    ----------
    lottery : ndarray, shape (|X|,)
        Probability of each alternative.
    transfers : ndarray, shape (N,)
        Money received by each player.
    alternative : str or None
        The alternative chosen, when the decision is deterministic.
    """

    lottery: np.ndarray
    transfers: np.ndarray
    alternative: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"lottery": self.lottery.tolist(), "transfers": self.transfers.tolist(),
                "alternative": self.alternative}


def one_hot(indices: np.ndarray, n_alternatives: int) -> np.ndarray:
    """The read-only lottery array of a deterministic rule given by alternative ``indices``."""
    lottery = np.zeros((*indices.shape, n_alternatives))
    np.put_along_axis(lottery, indices[..., None], 1.0, axis=-1)
    return v.frozen(lottery)


def decision_rule(decision: Any, env: Environment, name: str = "decision",
                  shape: tuple[int, ...] | None = None) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Validate a decision rule: integer indices ``(k_1..k_N)`` or a lottery ``(k_1..k_N, |X|)``.

    ``shape`` replaces the profile shape ``(k_1..k_N)`` (e.g. action profiles
    ``(|A_1|..|A_N|)`` of an indirect mechanism). Returns ``(indices, lottery)``;
    exactly one is None unless a lottery is one-hot, in which case both are
    returned (indices allow faster kernels).
    """
    shape = env.n_types if shape is None else tuple(shape)
    n_alt = env.n_alternatives
    try:
        raw = np.asarray(decision)
    except (TypeError, ValueError):        # ragged nesting
        raw = np.empty(0, dtype=object)
    if raw.dtype == object:
        raise v.fail(name, f"an integer array {shape} or a lottery array {(*shape, n_alt)}", "a ragged or non-numeric array")
    if np.issubdtype(raw.dtype, np.integer) or np.issubdtype(raw.dtype, np.bool_):
        if raw.dtype == np.bool_:
            raise v.fail(name, "integer alternative indices", "booleans")
        if raw.shape != shape:
            raise v.fail(name, f"integer alternative indices of shape {shape}", f"shape {raw.shape}")
        if raw.size and (raw.min() < 0 or raw.max() >= n_alt):
            bad = raw.min() if raw.min() < 0 else raw.max()
            raise v.fail(name, f"alternative indices in 0..{n_alt - 1}", int(bad))
        return v.frozen(raw.astype(np.intp, copy=True)), None
    if raw.shape != (*shape, n_alt):
        raise v.fail(name, f"a lottery array of shape {(*shape, n_alt)} (or integer indices of shape {shape})",
                     f"shape {raw.shape}")
    lottery = v.probabilities(raw, name, axis=-1)
    if np.all((lottery == 0) | (lottery == 1)):
        return v.frozen(lottery.argmax(axis=-1)), lottery
    return None, lottery


class BlockView:
    """A mechanism on one region of report profiles, as the compiled audits read it.

    ``indices`` (None for a randomized rule) and ``lottery`` (None for a
    deterministic one) are region-shaped; ``money(i)`` gives player i's
    transfers on the region (computed when asked), ``transfers(players)``
    those of ``players`` stacked on a last axis.
    """

    def __init__(self, indices: np.ndarray | None, lottery: np.ndarray | None, money,
                 transfers: np.ndarray | None = None):
        self.indices, self.lottery, self._money, self._transfers = indices, lottery, money, transfers

    def money(self, i: int) -> np.ndarray:
        return self._money(i)

    def transfers(self, players: tuple[int, ...]) -> np.ndarray:
        if self._transfers is not None and self._transfers.shape[-1] == len(players):
            return self._transfers
        return np.stack([self._money(i) for i in players], axis=-1)


class DirectMechanism:
    """A direct revelation mechanism D = (x, m) on a finite environment.

    Parameters
    ----------
    env : Environment
        The environment whose type spaces are the players' message spaces.
    decision : array_like
        Either integer alternative indices of shape ``(k_1, ..., k_N)``
        (deterministic rule) or probabilities of shape ``(k_1, ..., k_N, |X|)``
        (randomized rule; each row sums to 1).
    transfers : array_like, shape (k_1, ..., k_N, N)
        Money *received* by each player at each report profile.
    name : str, optional
        Shown in reports.

    Examples
    --------
    >>> import mechdesign as md
    >>> env = md.examples.public_project(types=[10, 40], cost=50)
    >>> mech = md.DirectMechanism(env, decision=[[1, 1], [1, 0]], transfers=np.zeros((2, 2, 2)))
    >>> mech.outcome((1, 1)).alternative
    'build'
    """

    def __init__(self, env: Environment, decision: Any, transfers: Any, name: str | None = None):
        if not isinstance(env, Environment):
            raise v.fail("env", "an Environment", type(env).__name__)
        self.env = env
        self._indices, self._lottery = decision_rule(decision, env)
        self._transfers = v.float_array(transfers, "transfers", shape=(*env.n_types, env.n_players),
                                         bounded=True)
        self.name = name or "direct mechanism"

    # ------------------------------------------------------------- the rule
    @property
    def is_deterministic(self) -> bool:
        """True when the decision rule picks one alternative at every profile."""
        return self._indices is not None

    @property
    def decision(self) -> np.ndarray:
        """Decision rule as probabilities, shape ``(k_1, ..., k_N, |X|)`` (read-only)."""
        if self._lottery is None:
            self._lottery = one_hot(self._indices, self.env.n_alternatives)
        return self._lottery

    @property
    def decision_indices(self) -> np.ndarray | None:
        """Alternative index at each profile for deterministic rules, else None."""
        return self._indices

    @property
    def transfers(self) -> np.ndarray:
        """Money received, shape ``(k_1, ..., k_N, N)`` (read-only)."""
        return self._transfers

    @property
    def payments(self) -> np.ndarray:
        """Money paid, ``-transfers``."""
        return v.frozen(-self._transfers)

    def outcome(self, profile: Any) -> Outcome:
        """The outcome at a report profile.

        Parameters
        ----------
        profile : tuple of int or mapping
            One type *index* per player in player order (``(3, 1)``), or a
            mapping from player to type *label or value* (``{"A": 4, "B": 2}``).
            With type values ``[1, 2, 3, 4]``, ``(3, 1)`` and ``{"A": 4, "B": 2}``
            are the same profile: numbers in a tuple are indices, numbers in a
            mapping are type values (see :meth:`Environment.check_profile`).

        Returns
        -------
        Outcome
            The lottery over alternatives, the transfers (money received) and,
            for a deterministic rule, the alternative chosen.
        """
        prof = self.env.check_profile(profile)
        alt = None
        if self._indices is not None:
            alt = self.env.alternatives[int(self._indices[prof])]
        return Outcome(lottery=np.array(self.decision[prof]), transfers=np.array(self._transfers[prof]),
                       alternative=alt)

    def block(self, region: tuple[slice, ...],
              players: tuple[int, ...] | None = None) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray]:
        """Decision and transfers on a rectangle of report profiles (one slice per player).

        Returns ``(indices, lottery, transfers)`` with the region's shape: the
        integer decision (None for a randomized rule), else the lottery, and
        the transfers. ``players`` says whose transfers the caller needs (a
        hint for mechanisms that compute them; here every column is read).
        The chunked kernels of :mod:`mechdesign.compute` read a mechanism only
        through this method.
        """
        if self._indices is not None:
            return self._indices[region], None, self._transfers[region]
        return None, self._lottery[region], self._transfers[region]

    def block_view(self, region: tuple[slice, ...], players: tuple[int, ...],
                   compiled: bool = False) -> BlockView:
        """The decision and the transfers of ``players`` on a region, as the compiled audits read them.

        Here views of the stored arrays (no copy). ``compiled``: the caller
        runs compiled kernels, and a lazy mechanism may then compute the block
        with compiled code too (the numbers are the same).
        """
        indices, lottery, transfers = self.block(region, players=players)
        return BlockView(indices, lottery, lambda i: transfers[..., i], transfers)

    def block_view_bytes(self) -> int:
        """Memory a :meth:`block_view` and its use by one player's kernel take per profile (bytes)."""
        return 16

    # ------------------------------------------------------------ utilities
    def expected_valuation(self, i: int) -> np.ndarray:
        """Σ_x p(θ, x) u_i(x, θ) under truthful reports, shape ``(k_1, ..., k_N)``."""
        u = self.env.utility_broadcast(i)
        if self._indices is not None:
            full = np.broadcast_to(u, (*self.env.n_types, self.env.n_alternatives))
            return np.take_along_axis(full, self._indices[..., None], axis=-1)[..., 0]
        return (self.decision * u).sum(axis=-1)

    def ex_post_utilities(self) -> np.ndarray:
        """u_i(x(θ), θ) + m_i(θ) at every profile under truth-telling, shape ``(k_1..k_N, N)``."""
        return np.stack([self.expected_valuation(i) + self._transfers[..., i]
                         for i in range(self.env.n_players)], axis=-1)

    def interim_utility(self, i: Any, true_type: Any, report: Any | None = None) -> float:
        """Expected utility of player ``i`` of type ``true_type`` reporting ``report``.

        The expectation is over the others' types under the player's conditional
        belief P(θ_-i | θ_i = true_type), the others reporting truthfully; so it
        is correct for correlated priors too.
        """
        i = self.env.player_index(i)
        t = self.env.type_index(i, true_type)
        r = t if report is None else self.env.type_index(i, report)
        belief = self.env.prior.belief(i, t).ravel()
        reported = np.moveaxis(self.decision, i, 0)[r].reshape(-1, self.env.n_alternatives)
        u = self.env.valuations[i]
        if u.ndim == 2:
            value = reported @ u[t]
        else:
            value = (reported * np.moveaxis(u, i, 0)[t].reshape(-1, self.env.n_alternatives)).sum(axis=-1)
        money = np.moveaxis(self._transfers[..., i], i, 0)[r].ravel()
        return float(belief @ (value + money))

    def scale(self) -> float:
        """Magnitude of the numbers involved (for relative tolerances)."""
        return max(self.env.scale(), float(np.abs(self._transfers).max(initial=0.0)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description: environment, decision and transfers."""
        decision = self._indices.tolist() if self._indices is not None else self.decision.tolist()
        return {"name": self.name, "environment": self.env.to_dict(), "decision": decision,
                "transfers": self._transfers.tolist()}

    def to_frame(self):
        """Decision and transfers by report profile (index: one level per player, her type labels).

        Columns: ``decision`` (deterministic rule) or ``P(x)`` per alternative, then
        ``m <player>`` (money received). See :func:`mechdesign.display.frames.mechanism_frame`.
        """
        from mechdesign.display import frames

        return frames.mechanism_frame(self)

    def _repr_html_(self) -> str:
        from mechdesign.display import html

        return html.mechanism(self)

    def __repr__(self) -> str:
        kind = "deterministic" if self.is_deterministic else "randomized"
        return f"DirectMechanism({self.name!r}, {kind}, players={list(self.env.players)}, n_types={self.env.n_types})"
