"""Figures of learned equilibria: bid functions beside the distributional strategies on the grid."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_distributional_strategy", "learned_figure"]


def plot_distributional_strategy(strategy, ax=None):
    """Heat map of a :class:`~mechdesign.auctions.DistributionalStrategy`: the probability of
    each bid (rows of the grid) at each type (columns), with the mean bid drawn over it.
    Returns the figure drawn on (pass ``ax`` to draw into an existing axes)."""
    if ax is None:
        from mechdesign.auctions.plots import _figure

        ax = _figure(figsize=(5, 4)).add_subplot()
    bids = strategy.bids
    finite = np.isfinite(bids)
    probs = strategy.probabilities[:, finite]
    pts, values = strategy.points, bids[finite]
    edges = strategy.types.edges
    bid_edges = np.concatenate([[values[0]], (values[:-1] + values[1:]) / 2, [values[-1]]]) if values.size > 1 \
        else np.array([values[0] - 0.5, values[0] + 0.5])
    mesh = ax.pcolormesh(edges, bid_edges, probs.T, cmap="Greys", vmin=0.0, vmax=1.0, shading="flat")
    ax.plot(pts, strategy.mean_bid, color="tab:red", lw=1.0, label="mean bid")
    if not finite.all():
        out = strategy.probabilities[:, ~finite].sum(axis=1)
        ax.plot(pts, values[0] + 0 * pts, alpha=0)            # keep the limits
        ax.fill_between(pts, values[0], values[0] + (values[-1] - values[0]) * 0.03 * out, color="tab:blue",
                        alpha=0.4, step="mid", label="P(stay out)")
    ax.figure.colorbar(mesh, ax=ax, label="probability")
    ax.set_xlabel("type")
    ax.set_ylabel("bid")
    ax.set_title(f"distributional strategy, {strategy.label}")
    ax.legend(fontsize="small", loc="upper left")
    return ax.figure


def learned_figure(equilibrium):
    """One figure: the bid functions and, for each class of bidders sharing a strategy, its
    distributional strategy on the grid (for an equilibrium from ``method="learn"``)."""
    from mechdesign.auctions.plots import _figure, plot_bids

    seen, shown = set(), []
    for s in equilibrium.strategies:
        if id(s.probabilities) not in seen:
            seen.add(id(s.probabilities))
            shown.append(s)
    panels = 1 + len(shown)
    fig = _figure(figsize=(5 * panels, 4), layout="constrained")
    axes = fig.subplots(1, panels, squeeze=False)[0]
    plot_bids(equilibrium, ax=axes[0])
    for ax, s in zip(axes[1:], shown):
        plot_distributional_strategy(s, ax=ax)
    return fig
