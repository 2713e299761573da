"""Interim rules of a direct mechanism: what each type expects to get and to pay.

For player i of type t, with the others reporting truthfully and her belief
P(θ_-i | θ_i = t):

* the interim allocation Q_i(x | t) = E[p(x | t, θ_-i) | θ_i = t], the probability of
  each alternative (in an auction whose alternatives are named after the bidders,
  Q_i(i | t) is her probability of winning);
* the interim expected payment P_i(t) = −E[m_i(t, θ_-i) | θ_i = t] (money *paid*,
  the opposite of the transfers, see ``docs/conventions.md``);
* the interim expected utility U_i(t) = E[u_i(x, θ) + m_i | θ_i = t].

These are the quantities of Myerson's characterisation (allocation increasing in the
type, payments given by the envelope formula). A type of probability zero under a
correlated prior has no belief: its entries are NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mechdesign.analysis.properties import _check_mechanism
from mechdesign.analysis.results import _plain


@dataclass(frozen=True)
class InterimRules:
    """Interim allocation, expected payment and expected utility by type, per player.

    Attributes
    ----------
    mechanism : str
        The mechanism's name.
    players, alternatives : tuple of str
    type_labels : tuple of tuple of str
    type_values : tuple of (ndarray or None)
        Numeric type values per player (None for labelled types).
    allocation : tuple of ndarray
        Per player, shape ``(k_i, |X|)``: Q_i(x | t).
    payment : tuple of ndarray
        Per player, shape ``(k_i,)``: expected money paid, −E[m_i | t].
    utility : tuple of ndarray
        Per player, shape ``(k_i,)``: E[u_i + m_i | t] under truth-telling.
    """

    mechanism: str
    players: tuple[str, ...]
    alternatives: tuple[str, ...]
    type_labels: tuple[tuple[str, ...], ...]
    type_values: tuple[Any, ...]
    allocation: tuple[np.ndarray, ...]
    payment: tuple[np.ndarray, ...]
    utility: tuple[np.ndarray, ...]

    def to_frame(self):
        """One row per (player, type): ``P(x)`` per alternative, ``expected payment``, ``expected utility``."""
        import pandas as pd

        rows, keys = [], []
        for i, p in enumerate(self.players):
            for t, label in enumerate(self.type_labels[i]):
                row = {f"P({x})": self.allocation[i][t, a] for a, x in enumerate(self.alternatives)}
                row["expected payment"] = self.payment[i][t]
                row["expected utility"] = self.utility[i][t]
                rows.append(row)
                keys.append((p, label))
        return pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(keys, names=["player", "type"]))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary, per player by name."""
        return _plain({"mechanism": self.mechanism, "alternatives": list(self.alternatives),
                       "players": {p: {"types": list(self.type_labels[i]),
                                       "allocation": self.allocation[i].tolist(),
                                       "payment": self.payment[i].tolist(),
                                       "utility": self.utility[i].tolist()}
                                   for i, p in enumerate(self.players)}})

    def plot(self, alternatives: Any = None, fig: Any = None):
        """Plot allocation and expected payment by type (see :func:`mechdesign.plot_interim`)."""
        from mechdesign.display.interim import plot_interim

        return plot_interim(self, alternatives=alternatives, fig=fig)

    def _repr_html_(self) -> str:
        return self.to_frame()._repr_html_()

    def __repr__(self) -> str:
        return f"InterimRules({self.mechanism!r}, players={list(self.players)})"


def interim_rules(mech: Any) -> InterimRules:
    """Interim allocation, expected payment and expected utility by type of a direct mechanism.

    Parameters
    ----------
    mech : DirectMechanism or LazyDirectMechanism
        Any direct mechanism (a lazy one is evaluated on every profile once).

    Returns
    -------
    InterimRules
        Per player: ``allocation`` (k_i, |X|), ``payment`` and ``utility`` (k_i,),
        under each type's conditional belief with the others truthful.

    Examples
    --------
    >>> import mechdesign as md
    >>> rules = md.interim_rules(md.vcg(md.examples.single_item_auction(values=[0, 1, 2, 3])))
    >>> rules.allocation[0][:, 0].round(3).tolist()   # P(B1 wins | her value), ties to B1
    [0.25, 0.5, 0.75, 1.0]
    """
    mech = _check_mechanism(mech)
    env = mech.env
    indices, lottery, transfers = mech.block(tuple(slice(0, k) for k in env.n_types))
    if indices is not None:
        lottery = np.zeros((*env.n_types, env.n_alternatives))
        np.put_along_axis(lottery, np.asarray(indices)[..., None], 1.0, axis=-1)
    transfers = np.asarray(transfers)
    allocation, payment, utility = [], [], []
    for i in range(env.n_players):
        k = env.n_types[i]
        belief = np.asarray(env.prior.belief_matrix(i))                           # (k_i, M)
        known = np.ones(k, dtype=bool) if env.prior.is_independent else np.asarray(env.prior.marginal(i)) > 0
        lot = np.moveaxis(np.asarray(lottery), i, 0).reshape(k, -1, env.n_alternatives)
        money = np.moveaxis(transfers[..., i], i, 0).reshape(k, -1)
        value = np.moveaxis(np.broadcast_to(env.utility_broadcast(i), (*env.n_types, env.n_alternatives)),
                            i, 0).reshape(k, -1, env.n_alternatives)
        q = np.einsum("tm,tmx->tx", belief, lot)
        m = np.einsum("tm,tm->t", belief, money)
        u = np.einsum("tm,tmx->t", belief, lot * value) + m
        q[~known], m[~known], u[~known] = np.nan, np.nan, np.nan
        allocation.append(q)
        payment.append(0.0 - m)
        utility.append(u)
    return InterimRules(mechanism=mech.name, players=env.players, alternatives=env.alternatives,
                        type_labels=env.type_labels, type_values=env.type_values, allocation=tuple(allocation),
                        payment=tuple(payment), utility=tuple(utility))
