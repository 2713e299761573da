"""pandas DataFrames of mechanisms, equilibria and design results, with labelled indexes."""

from __future__ import annotations

from typing import Any

import numpy as np


def _profile_index(names: tuple[str, ...], labels: tuple[tuple[str, ...], ...]):
    import pandas as pd

    return pd.MultiIndex.from_product([list(lab) for lab in labels], names=list(names))


def mechanism_frame(mech: Any):
    """One row per report profile (index: one level per player, her type labels).

    Columns: ``decision`` (the alternative) for a deterministic rule, else one
    column ``P(x)`` per alternative; then ``m <player>``, the money each player
    receives. Rows are in C order of the profiles, as the arrays.
    """
    import pandas as pd

    env = mech.env
    indices, lottery, transfers = mech.block(tuple(slice(0, k) for k in env.n_types))
    index = _profile_index(env.players, env.type_labels)
    columns: dict[str, Any] = {}
    if indices is not None:
        columns["decision"] = pd.Categorical(np.asarray(env.alternatives, dtype=object)[np.asarray(indices).ravel()],
                                             categories=list(env.alternatives))
    else:
        flat = np.asarray(lottery).reshape(-1, env.n_alternatives)
        for a, x in enumerate(env.alternatives):
            columns[f"P({x})"] = flat[:, a]
    money = np.asarray(transfers).reshape(-1, env.n_players) + 0.0      # + 0.0: no -0.0 in tables
    for i, p in enumerate(env.players):
        columns[f"m {p}"] = money[:, i]
    return pd.DataFrame(columns, index=index)


def indirect_frame(mech: Any):
    """One row per action profile (index: one level per player, her action labels): decision and transfers."""
    import pandas as pd

    env = mech.env
    index = _profile_index(env.players, mech.action_labels)
    columns: dict[str, Any] = {}
    flat = np.asarray(mech.decision).reshape(-1, env.n_alternatives)
    for a, x in enumerate(env.alternatives):
        columns[f"P({x})"] = flat[:, a]
    money = np.asarray(mech.transfers).reshape(-1, env.n_players) + 0.0
    for i, p in enumerate(env.players):
        columns[f"m {p}"] = money[:, i]
    return pd.DataFrame(columns, index=index)


def equilibrium_frame(eq: Any):
    """Probabilities of each action by (player, type): index levels ``player`` and ``type``.

    Columns are the action labels (in order of first appearance over players);
    an action a player does not have is NaN. A pure equilibrium has 0/1 entries.
    """
    import pandas as pd

    labels = eq.labels
    actions: list[str] = []
    for acts in labels.action_labels:
        actions += [a for a in acts if a not in actions]
    rows, keys = [], []
    for i, s in enumerate(eq.mixed()):
        position = {a: k for k, a in enumerate(labels.action_labels[i])}
        for t, probs in enumerate(np.asarray(s)):
            rows.append([probs[position[a]] if a in position else np.nan for a in actions])
            keys.append((labels.players[i], labels.type_labels[i][t]))
    index = pd.MultiIndex.from_tuples(keys, names=["player", "type"])
    return pd.DataFrame(rows, index=index, columns=pd.Index(actions, name="action"))


def equilibria_frame(result: Any):
    """Every equilibrium of a solve_bne result stacked: index ``(equilibrium, player, type)``."""
    import pandas as pd

    frames = [equilibrium_frame(eq) for eq in result.equilibria]
    if not frames:
        empty = pd.MultiIndex.from_tuples([], names=["equilibrium", "player", "type"])
        return pd.DataFrame(index=empty)
    return pd.concat(frames, keys=range(len(frames)), names=["equilibrium"])


def revelation_frame(result: Any):
    """The direct mechanism g∘σ* of a revelation result (:func:`mechanism_frame`)."""
    return mechanism_frame(result.mechanism)


def design_frame(result: Any):
    """The designed mechanism's table (:func:`mechanism_frame`); empty when there is none (e.g. infeasible)."""
    import pandas as pd

    if result.mechanism is None:
        return pd.DataFrame()
    return mechanism_frame(result.mechanism)
