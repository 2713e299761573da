"""``sweep``: run an experiment function over many parameter sets, locally or on Dask.

Typical use: build VCG and AGV for a thousand random environments and collect
their metrics in one table. Each call is an independent task; a task that
raises becomes a row with its error instead of stopping the sweep.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.compute.backends import compute_options


def _parameter_sets(params: Any) -> list[dict[str, Any]]:
    """A list of keyword dicts: ``params`` itself, or the Cartesian grid of a dict of lists."""
    if isinstance(params, Mapping):
        keys = [str(k) for k in params]
        values = []
        for key, value in params.items():
            if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
                raise v.fail(f"params[{key!r}]", "a list of values (params as a dict of lists is their grid)",
                             type(value).__name__)
            values.append(list(value))
        return [dict(zip(keys, combo)) for combo in itertools.product(*values)]
    if isinstance(params, (str, bytes)) or not isinstance(params, Sequence):
        raise v.fail("params", "a list of dicts (keyword arguments) or a dict of lists (a grid)",
                     type(params).__name__)
    for n, p in enumerate(params):
        if not isinstance(p, Mapping):
            raise v.fail(f"params[{n}]", "a dict of keyword arguments", type(p).__name__)
    return [dict(p) for p in params]


def task_seeds(seed: int, n: int) -> list[int]:
    """Independent per-task seeds from one master seed (:class:`numpy.random.SeedSequence`)."""
    return [int(child.generate_state(1)[0]) for child in np.random.SeedSequence(seed).spawn(n)]


def _run_task(kwargs: dict[str, Any], func: Callable[..., Any]) -> dict[str, Any]:
    """Call ``func(**kwargs)``; capture an exception or a non-dict return as the row's ``error``."""
    try:
        row = func(**kwargs)
    except Exception as exc:          # one bad task must not lose the others' results
        return {"error": f"{type(exc).__name__}: {exc}"}
    if not isinstance(row, Mapping):
        return {"error": f"TypeError: func must return a dict (one row), got {type(row).__name__}"}
    return {**row, "error": None}


def sweep(func: Callable[..., Mapping[str, Any]], params: Any, *, seed: int | None = None,
          backend: str = "numpy", scheduler: Any = None, progress: Any = None):
    """Run ``func`` once per parameter set and gather the returned rows in a DataFrame.

    Parameters
    ----------
    func : callable
        Called as ``func(**p)`` for each parameter set p; returns a dict (one
        row of the result). For ``backend="dask"`` it must be picklable
        (lambdas and closures are fine: Dask uses cloudpickle).
    params : list of dict or dict of lists
        The parameter sets, or a dict whose Cartesian grid (keys in order, the
        last varying fastest) is the list of parameter sets.
    seed : int, optional
        Master seed: task k additionally receives ``seed=`` an integer derived
        from it by :class:`numpy.random.SeedSequence` (independent streams; the
        same whatever the backend or the order tasks run in). ``func`` must then
        take a ``seed`` argument that the parameter sets do not give.
    backend, scheduler, progress
        Where to run (``"numpy"``: here, one task after another; ``"dask"``:
        one Dask task per call) and how to report progress; see
        :mod:`mechdesign.compute.backends`.

    Returns
    -------
    pandas.DataFrame
        One row per parameter set, in order: the parameters (and ``seed``),
        the keys ``func`` returned, and ``error``: missing (None/NaN) for a
        task that succeeded, ``"ExceptionType: message"`` for one that failed
        (its other columns are missing).

    Examples
    --------
    >>> import mechdesign as md
    >>> def revenue(n_types, seed):
    ...     env = md.examples.random_environment(n_players=2, n_types=n_types, seed=seed)
    ...     return {"revenue": md.expected_revenue(md.vcg(env))}
    >>> table = md.sweep(revenue, {"n_types": [2, 3]}, seed=7)
    >>> list(table.columns)
    ['n_types', 'seed', 'revenue', 'error']
    """
    import pandas as pd

    if not callable(func):
        raise v.fail("func", "a callable returning a dict", type(func).__name__)
    opts = compute_options(None, None, backend, scheduler, progress)
    sets = _parameter_sets(params)
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise v.fail("seed", "a non-negative integer or None", repr(seed))
        if any("seed" in p for p in sets):
            raise v.fail("seed", "None when the parameter sets already give 'seed'", seed)
        try:
            takes_seed = "seed" in inspect.signature(func).parameters
        except (TypeError, ValueError):
            takes_seed = True
        if not takes_seed:
            raise v.fail("func", "a 'seed' parameter (sweep was given seed=)", "a function without one")
        sets = [{**p, "seed": s} for p, s in zip(sets, task_seeds(int(seed), len(sets)))]
    rows = opts.run(_run_task, sets, func, description="sweep")
    frame = pd.DataFrame([{**p, **row} for p, row in zip(sets, rows)])
    if "error" in frame:
        frame = frame[[c for c in frame.columns if c != "error"] + ["error"]]
    return frame
