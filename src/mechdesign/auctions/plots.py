"""Matplotlib figures: bid functions, (ironed) virtual values, revenue curves.

Each function returns the figure it drew on. A new figure is a
:class:`mechdesign.display.figures.DisplayFigure`: no pyplot state, an Agg canvas (so
it works headless), shown inline when it is the value of a Jupyter cell and saved with
``fig.savefig(path)``. Pass ``ax`` to draw into an existing axes instead (its figure
is returned); the axes drawn are ``fig.axes``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["plot_bids", "plot_virtual_values", "plot_revenue_curve", "auction_figure"]


def _figure(**kwargs):
    """A displayable figure on an Agg canvas (imported here: matplotlib is slow to import)."""
    from mechdesign.display.figures import new_figure

    return new_figure(**kwargs)


def _axes(ax):
    if ax is not None:
        return ax
    return _figure(figsize=(5, 4)).add_subplot()


def plot_bids(strategies, ax=None, points: int = 400):
    """Plot bid functions (an :class:`Equilibrium` or a list of :class:`BidFunction`); returns the figure."""
    ax = _axes(ax)
    for b in strategies:
        v = np.linspace(b.support[0], b.support[1], points)
        ax.plot(v, b(v), label=b.label)
    lo = min(b.support[0] for b in strategies)
    hi = max(b.support[1] for b in strategies)
    ax.plot([lo, hi], [lo, hi], color="0.7", lw=0.8, ls="--", label="bid = value")
    ax.set_xlabel("value")
    ax.set_ylabel("bid")
    ax.set_title("equilibrium bid functions")
    ax.legend(fontsize="small")
    return ax.figure


def plot_virtual_values(result, ax=None, points: int = 600):
    """Plot virtual and ironed virtual values of a :class:`MyersonAuction`; ironed
    intervals are shaded and reserves marked. Returns the figure."""
    ax = _axes(ax)
    lows, highs = [], []
    for i, (lab, curve) in enumerate(zip(result.labels, result._curves)):
        d = curve.dist
        v = d.ppf(np.linspace(0.0, 1.0, points))
        line, = ax.plot(v, result.virtual_value(i, v), lw=0.8, ls=":", label=f"{lab}: φ")
        ax.plot(v, result.ironed_virtual_value(i, v), color=line.get_color(), label=f"{lab}: ironed φ̄")
        for a, b in result.ironed_intervals[i]:
            ax.axvspan(a, b, color=line.get_color(), alpha=0.12)
        ax.axvline(result.reserves[i], color=line.get_color(), lw=0.6, ls="--")
        lows.append(d.low)
        highs.append(d.high)
    span = max(highs) - min(lows)
    ax.set_ylim(min(lows) - span, max(highs) + 0.1 * span)
    ax.axhline(0.0, color="0.5", lw=0.6)
    ax.set_xlabel("value")
    ax.set_ylabel("virtual value")
    ax.set_title("virtual values (shaded: ironed, dashed: reserve)")
    ax.legend(fontsize="small")
    return ax.figure


def plot_revenue_curve(result, bidder: int = 0, ax=None):
    """Plot the revenue curve ``R(q)`` of one bidder and its concave hull; returns the figure."""
    ax = _axes(ax)
    q, R, hull = result.revenue_curve(bidder)
    ax.plot(q, R, label="R(q) = q · F⁻¹(1 − q)")
    ax.plot(q, hull, ls="--", label="concave hull (ironed)")
    ax.set_xlabel("quantile q = P(V > v)")
    ax.set_ylabel("revenue")
    ax.set_title(f"revenue curve, {result.labels[bidder]}")
    ax.legend(fontsize="small")
    return ax.figure


def auction_figure(equilibrium, optimal=None):
    """One figure: bid functions, and if ``optimal`` (a MyersonAuction) is given, its
    virtual values and the first bidder's revenue curve."""
    panels = 1 if optimal is None else 3
    fig = _figure(figsize=(5 * panels, 4), layout="constrained")
    axes = fig.subplots(1, panels, squeeze=False)[0]
    plot_bids(equilibrium, ax=axes[0])
    if optimal is not None:
        plot_virtual_values(optimal, ax=axes[1])
        plot_revenue_curve(optimal, 0, ax=axes[2])
    return fig
