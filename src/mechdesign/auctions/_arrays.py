"""Read-only float arrays for public result objects (internal)."""

import numpy as np


def readonly(a) -> np.ndarray:
    """A float64 copy of ``a`` that cannot be written to."""
    a = np.array(a, dtype=float)
    a.flags.writeable = False
    return a
