"""Plots of interim rules: allocation probability and expected payment by type, per player."""

from __future__ import annotations

from typing import Any

import numpy as np

from mechdesign import _validation as v


def _rules(item: Any):
    from mechdesign.analysis.interim import InterimRules, interim_rules

    return item if isinstance(item, InterimRules) else interim_rules(item)


def _shown(rules: Any, i: int, alternatives: Any) -> list[int]:
    """Alternatives drawn in player i's allocation panel."""
    if alternatives is None:
        if rules.players[i] in rules.alternatives:           # an auction: her own allocation
            return [rules.alternatives.index(rules.players[i])]
        return list(range(len(rules.alternatives)))
    names = [alternatives] if isinstance(alternatives, str) else list(alternatives)
    return [v.lookup(x, "alternatives", rules.alternatives) for x in names]


def plot_interim(mechanisms: Any, alternatives: Any = None, fig: Any = None):
    """Interim allocation probability and expected payment by type, one column per player.

    Parameters
    ----------
    mechanisms : DirectMechanism, InterimRules, or a list of them
        Several mechanisms (on the same environment) are drawn over each other,
        e.g. ``[md.vcg(env), md.agv(env)]``.
    alternatives : str or list of str, optional
        Alternatives whose interim probability Q_i(x | t) is drawn. Default: in an
        environment with an alternative named after the player (an auction), that
        one (her probability of winning); otherwise every alternative.
    fig : matplotlib Figure, optional
        Draw into this figure (cleared first) instead of a new one.

    Returns
    -------
    DisplayFigure
        Two rows of axes (allocation; expected payment, money *paid*) by player
        columns, one line per mechanism (and alternative); shown inline in Jupyter,
        saved with ``fig.savefig(path)``.
    """
    from mechdesign.display.figures import new_figure

    items = list(mechanisms) if isinstance(mechanisms, (list, tuple)) else [mechanisms]
    if not items:
        raise v.fail("mechanisms", "at least one mechanism", "an empty list")
    rules = [_rules(m) for m in items]
    first = rules[0]
    for r in rules[1:]:
        if r.players != first.players or r.type_labels != first.type_labels:
            raise v.fail("mechanisms", "mechanisms on the same players and types",
                         f"{r.mechanism!r} differs from {first.mechanism!r}")
    n = len(first.players)
    if fig is None:
        fig = new_figure(figsize=(4.2 * n, 6.4), layout="constrained")
    else:
        fig.clear()
    axes = fig.subplots(2, n, squeeze=False, sharex="col")
    for i, player in enumerate(first.players):
        values = first.type_values[i]
        x = np.asarray(values, dtype=float) if values is not None else np.arange(len(first.type_labels[i]))
        shown = _shown(first, i, alternatives)
        for r in rules:
            tag = f"{r.mechanism}" if len(rules) > 1 else ""
            for a in shown:
                name = f"P({r.alternatives[a]})" if len(shown) > 1 or r.alternatives[a] != player else "P(wins)"
                axes[0, i].plot(x, r.allocation[i][:, a], marker="o", label=" ".join(filter(None, [tag, name])))
            axes[1, i].plot(x, r.payment[i], marker="o", label=tag or "expected payment")
        axes[0, i].set_title(f"{player}: interim allocation")
        axes[0, i].set_ylabel("probability")
        axes[0, i].set_ylim(-0.05, 1.05)
        axes[1, i].set_title(f"{player}: expected payment")
        axes[1, i].set_ylabel("money paid, −E[m | type]")
        axes[1, i].set_xlabel("type")
        axes[1, i].axhline(0.0, color="0.6", lw=0.6)
        if values is None:
            axes[1, i].set_xticks(x, first.type_labels[i])
        for ax in axes[:, i]:
            ax.legend(fontsize="small")
    return fig
