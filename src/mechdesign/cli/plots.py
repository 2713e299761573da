"""``--plot PATH`` of the vcg, agv, compare and design commands: interim allocation and payment by type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mechdesign.cli.common import plot_option, save_figure

PLOT = plot_option("Save a figure of the interim allocation and expected payment by type (per player) to "
                   "this file; its extension (.png, .pdf, .svg, ...) sets the format.")


def save_interim_plot(mechanisms: list[Any], target: Path, spec: Path | None = None) -> None:
    """Draw :func:`mechdesign.plot_interim` of ``mechanisms`` and save it to exactly ``target``.

    Written atomically by :func:`mechdesign.cli.common.save_figure`; the command's SPEC (``spec``,
    and any file its loader read) is never replaced, and an unknown extension is refused before
    the command runs.
    """
    from mechdesign.display.interim import plot_interim

    save_figure(plot_interim(mechanisms), target)
