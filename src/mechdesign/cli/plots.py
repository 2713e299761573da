"""``--plot PATH`` of the vcg, agv, compare and design commands: interim allocation and payment by type."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import typer

from mechdesign import _validation as v

PLOT = typer.Option(None, "--plot", help="Save a figure of the interim allocation and expected payment by type "
                                         "(per player) to this file (.png, .pdf, .svg).")


def save_interim_plot(mechanisms: list[Any], target: Path, spec: Path | None = None) -> None:
    """Draw :func:`mechdesign.plot_interim` of ``mechanisms`` and write it atomically to ``target``."""
    from mechdesign.display.interim import plot_interim

    target = Path(target)
    if spec is not None and target.resolve() == Path(spec).resolve():
        raise v.fail("--plot", "an output file other than the spec", str(target))
    suffix = target.suffix.lower().lstrip(".") or "png"
    fig = plot_interim(mechanisms)
    handle, tmp = tempfile.mkstemp(dir=target.resolve().parent, prefix=f".{target.name}.", suffix=f".{suffix}")
    os.close(handle)
    try:
        fig.savefig(tmp, format=suffix, dpi=110)
        os.replace(tmp, target)
    except (OSError, ValueError) as exc:
        raise v.fail("--plot", "a writable image file (.png, .pdf, .svg)", f"{target}: {exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
