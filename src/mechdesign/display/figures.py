"""Figures that a notebook displays inline and that save with ``savefig``.

Plot functions return a :class:`DisplayFigure`: a plain matplotlib Figure on an Agg
canvas (no pyplot state: nothing accumulates in scripts or servers, and it works
headless) that also has ``_repr_png_``, so Jupyter shows it inline when it is the
value of a cell, whether or not pyplot was imported. ``fig.savefig(path)`` works as
for any figure.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


class DisplayFigure(Figure):
    """A matplotlib Figure with a PNG representation for IPython/Jupyter."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        return buffer.getvalue()


def new_figure(**kwargs) -> DisplayFigure:
    """A :class:`DisplayFigure` (keyword arguments as for ``Figure``) with its Agg canvas attached."""
    fig = DisplayFigure(**kwargs)
    FigureCanvasAgg(fig)
    return fig
