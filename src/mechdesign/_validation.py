"""Input validation shared by every public constructor.

All checks raise :class:`~mechdesign.errors.SpecError` with one message format:
``<argument>: <what was expected> (got <what was received>)``.
Validated data is copied and frozen, so nothing the caller passed in is mutated
or aliased.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from mechdesign.errors import SpecError

PROB_ATOL = 1e-9
#: Largest magnitude accepted for utilities, transfers, payoffs and outside options. Audits add and
#: subtract such numbers (over players, alternatives, reports); below this bound no sum or difference
#: of fewer than about 10**8 of them overflows float64, so a verdict is never NaN.
MAX_MAGNITUDE = 1e300


def fail(name: str, expected: str, got: Any) -> SpecError:
    """Build the SpecError for argument ``name`` (returned so callers can ``raise`` it)."""
    return SpecError(f"{name}: {expected} (got {got})")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def frozen(array: np.ndarray) -> np.ndarray:
    """Return ``array`` marked read-only (the caller must own it)."""
    array.flags.writeable = False
    return array


def float_array(value: Any, name: str, *, ndim: int | None = None,
                shape: tuple[int, ...] | None = None, finite: bool = True,
                bounded: bool = False) -> np.ndarray:
    """Convert ``value`` to a fresh, read-only float64 array and check its shape and values.

    ``bounded=True`` also requires every magnitude to be at most :data:`MAX_MAGNITUDE`
    (for numbers the audits add up: valuations, transfers, payoffs).
    """
    try:
        array = np.array(value, dtype=float, copy=True)
    except (TypeError, ValueError) as exc:
        raise fail(name, "an array of numbers", f"{_short(value)}: {exc}") from None
    if ndim is not None and array.ndim != ndim:
        raise fail(name, f"an array with {ndim} dimension(s)", f"shape {array.shape}")
    if shape is not None and array.shape != tuple(shape):
        raise fail(name, f"shape {tuple(shape)}", f"shape {array.shape}")
    if finite and not np.all(np.isfinite(array)):
        bad = tuple(int(k) for k in np.argwhere(~np.isfinite(array))[0])
        raise fail(name, "finite numbers only", f"{array[bad]} at index {bad}")
    if bounded:
        check_magnitude(array, name)
    return frozen(array)


def check_magnitude(array: np.ndarray, name: str) -> None:
    """Raise unless every |entry| of ``array`` is at most :data:`MAX_MAGNITUDE`."""
    if array.size and not np.abs(array).max() <= MAX_MAGNITUDE:
        bad = tuple(int(k) for k in np.argwhere(~(np.abs(array) <= MAX_MAGNITUDE))[0])
        where = f" at index {bad}" if bad else ""
        raise fail(name, f"numbers of magnitude at most {MAX_MAGNITUDE:g}, so that sums and differences of them "
                   "stay finite in float64", f"{array[bad]:g}{where}")


def probabilities(value: Any, name: str, *, shape: tuple[int, ...] | None = None,
                  axis: int | None = None) -> np.ndarray:
    """Validate a probability array: finite, non-negative, summing to 1.

    With ``axis=None`` the whole array must sum to 1; otherwise each slice along
    ``axis`` must (e.g. the rows of a lottery table).
    """
    array = float_array(value, name, shape=shape, finite=False)
    if array.size == 0:
        raise fail(name, "a non-empty probability array", "an empty array")
    if np.any(np.isnan(array)) or np.any(np.isinf(array)):
        raise fail(name, "probabilities that are finite numbers", "NaN or infinity")
    if np.any(array < 0):
        raise fail(name, "non-negative probabilities", f"minimum {array.min():.6g}")
    totals = array.sum() if axis is None else array.sum(axis=axis)
    off = np.abs(np.asarray(totals) - 1.0)
    if np.any(off > PROB_ATOL):
        worst = float(np.asarray(totals).ravel()[np.argmax(np.asarray(off).ravel())])
        raise fail(name, "probabilities must sum to 1", f"a sum of {worst:.12g}")
    return array


def names(value: Any, name: str, *, count: int | None = None) -> tuple[str, ...]:
    """Validate a sequence of unique, non-empty names."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise fail(name, "a list of names", _short(value))
    result = tuple(str(v) for v in value)
    if count is not None and len(result) != count:
        raise fail(name, f"{count} names", f"{len(result)}: {_short(list(result))}")
    if len(result) == 0:
        raise fail(name, "at least one name", "an empty list")
    seen: set[str] = set()
    for item in result:
        if item == "":
            raise fail(name, "non-empty names", _short(list(result)))
        if item in seen:
            raise fail(name, "unique names", f"duplicate {item!r}")
        seen.add(item)
    return result


def index(value: Any, name: str, size: int) -> int:
    """Validate an integer index in ``range(size)``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise fail(name, f"an integer index in 0..{size - 1}", _short(value))
    if not 0 <= int(value) < size:
        raise fail(name, f"an index in 0..{size - 1}", int(value))
    return int(value)


def lookup(value: Any, name: str, labels: Sequence[str]) -> int:
    """Accept either an index into ``labels`` or one of the labels themselves."""
    if isinstance(value, str):
        if value not in labels:
            raise fail(name, f"one of {list(labels)}", repr(value))
        return list(labels).index(value)
    return index(value, name, len(labels))


def profile(value: Any, name: str, n_types: tuple[int, ...]) -> tuple[int, ...]:
    """Validate a type (or report) profile: one index per player, each in range."""
    try:
        items = tuple(value)
    except TypeError:
        raise fail(name, f"a tuple of {len(n_types)} type indices", _short(value)) from None
    if len(items) != len(n_types):
        raise fail(name, f"{len(n_types)} type indices (one per player)", f"{len(items)}: {items}")
    return tuple(index(t, f"{name}[{i}]", k) for i, (t, k) in enumerate(zip(items, n_types)))


def call_user(func: Any, args: tuple, name: str, expected: str, where: str = "") -> Any:
    """Call a user-supplied function; turn its exceptions into a SpecError naming the call.

    ``where`` describes the call (e.g. ``"u(0, 'x', 1.0)"``); SpecErrors raised
    inside pass through unchanged.
    """
    try:
        return func(*args)
    except SpecError:
        raise
    except Exception as exc:
        suffix = f" at {where}" if where else ""
        raise fail(name, expected, f"{type(exc).__name__}: {exc}{suffix}") from exc


def tolerance(value: Any, name: str) -> float:
    """Validate a non-negative finite tolerance."""
    try:
        tol = float(value)
    except (TypeError, ValueError):
        raise fail(name, "a non-negative number", _short(value)) from None
    if not np.isfinite(tol) or tol < 0:
        raise fail(name, "a non-negative number", tol)
    return tol


def flag(value: Any, name: str) -> bool:
    """Validate a boolean argument: ``True``/``False`` (numpy booleans too), never a truthy string or number."""
    if not isinstance(value, (bool, np.bool_)):
        raise fail(name, "True or False", _short(value))
    return bool(value)


def choice(value: Any, name: str, allowed: Sequence[str]) -> str:
    """Validate that ``value`` is one of the ``allowed`` strings."""
    if not isinstance(value, str) or value not in allowed:
        raise fail(name, f"one of {list(allowed)}", _short(value))
    return value
