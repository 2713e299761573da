"""Scaling: profile-space blocks, execution backends (numpy, Dask) and parameter sweeps.

* :mod:`.blocks` — cutting a profile space into blocks and fixed tiles;
* :mod:`.backends` — the execution keywords (``chunk_size``, ``memory_limit``,
  ``backend``, ``scheduler``, ``progress``) and where block kernels run;
* :mod:`.sweep` — :func:`sweep`, many independent experiments in one table.

The kernels themselves live next to what they compute
(:mod:`mechdesign.analysis.misreports`, :mod:`mechdesign.analysis.profiles`,
:mod:`mechdesign.mechanisms.blockwise`). See ``docs/scale.md``.
"""

from mechdesign.compute.backends import BACKENDS, Compute, client, close_clients, compute_options
from mechdesign.compute.sweep import sweep

__all__ = ["BACKENDS", "Compute", "client", "close_clients", "compute_options", "sweep"]
