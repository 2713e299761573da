"""Size before allocation: estimate what a command will need, refuse clearly when it cannot fit.

A spec of 10 players with 1,000 types each is a few kilobytes of YAML, but its
dense mechanism would hold 10**30 profiles. Rather than let numpy fail with a
``MemoryError`` (or the machine swap), the spec builders estimate the memory of
the arrays they are about to create and call :func:`require_memory`, which
raises a :class:`~mechdesign.errors.SpecError` stating the estimate, the
budget and what to do instead (``--chunk-size`` and lazy mechanisms for
audits, a smaller grid for auctions, ...).

The estimates count the large arrays (float64, 8 bytes a number) and a small
factor for temporaries; they are meant to be right within a factor of about
2, which is enough to tell "fits" from "cannot fit".

The budget is :func:`memory_budget`: the ``MECHDESIGN_MEMORY_LIMIT``
environment variable (bytes, or with a unit: ``512MiB``, ``8GB``) when set,
else 80% of the machine's physical memory.

Estimators (all return bytes, as Python ints so that huge counts do not overflow):
:func:`dense_mechanism_bytes`, :func:`game_bytes`, :func:`design_bytes`,
:func:`auction_bytes`, :func:`grid_game_bytes`.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence

from mechdesign.errors import SpecError

__all__ = ["memory_budget", "require_memory", "format_bytes", "count_profiles", "profile_text",
           "dense_mechanism_bytes", "game_bytes", "design_bytes", "auction_bytes", "grid_game_bytes",
           "MAX_PROFILES"]

#: Type-profile spaces beyond this size cannot be indexed (int64), chunked or not.
MAX_PROFILES = 2**62

_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "kib": 2**10, "m": 10**6, "mb": 10**6, "mib": 2**20,
          "g": 10**9, "gb": 10**9, "gib": 2**30, "t": 10**12, "tb": 10**12, "tib": 2**40}


def memory_budget() -> int:
    """Bytes a single command may allocate (see the module docstring)."""
    text = os.environ.get("MECHDESIGN_MEMORY_LIMIT", "").strip()
    if text:
        match = re.fullmatch(r"([0-9]+(?:\.[0-9]*)?)\s*([a-zA-Z]*)", text)
        unit = match and _UNITS.get(match.group(2).lower())
        if not match or unit is None:
            raise SpecError(f"MECHDESIGN_MEMORY_LIMIT: a size such as 8GiB or 512MB (got {text!r})")
        return int(float(match.group(1)) * unit)
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not on POSIX: assume a modest machine
        total = 8 * 2**30
    return int(0.8 * total)


def format_bytes(n: int | float) -> str:
    """``1536`` → ``"1.5 KiB"``; astronomically large sizes in powers of ten."""
    if n >= 2**60:
        return f"{float(n):.2g} bytes"
    for unit, size in (("PiB", 2**50), ("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{int(n)} bytes"


def require_memory(nbytes: int, what: str, *, detail: str = "", suggestion: str = "") -> None:
    """Raise SpecError when ``nbytes`` exceeds :func:`memory_budget`.

    Parameters
    ----------
    nbytes : int
        The estimate.
    what : str
        The argument or section the size comes from (e.g. ``"types"``); the message starts with it.
    detail : str
        What the estimate counts (e.g. ``"10**30 type profiles × 2 alternatives"``).
    suggestion : str
        What to do instead (e.g. ``"use --chunk-size to audit a lazy mechanism"``).
    """
    budget = memory_budget()
    if nbytes <= budget:
        return
    message = (f"{what}: a problem that fits in {format_bytes(budget)} of memory (got an estimated "
               f"{format_bytes(nbytes)}{' for ' + detail if detail else ''})")
    if suggestion:
        message += f"; {suggestion}"
    raise SpecError(message)


def count_profiles(n_types: Sequence[int]) -> int:
    """Π k_i as a Python int (no overflow)."""
    return math.prod(int(k) for k in n_types)


def profile_text(n_types: Sequence[int]) -> str:
    """``"1,000 × 1,000 = 1e+06 type profiles"`` (compact for many players)."""
    counts = [int(k) for k in n_types]
    total = count_profiles(counts)
    shown = total if total < 10**9 else f"{float(total):.3g}"
    if len(set(counts)) == 1 and len(counts) > 3:
        return f"{len(counts)} players × {counts[0]:,} types = {shown} type profiles"
    return f"{' × '.join(f'{k:,}' for k in counts)} = {shown} type profiles"


def dense_mechanism_bytes(n_types: Sequence[int], n_alternatives: int, n_players: int) -> int:
    """A materialised direct mechanism and its construction (decision lottery, welfare table, transfers)."""
    return 8 * count_profiles(n_types) * (3 * n_alternatives + 2 * n_players + 2)


def game_bytes(n_types: Sequence[int], n_actions: Sequence[int], n_players: int) -> int:
    """A Bayesian game's payoff table (profiles × action profiles × players), plus a working copy."""
    return 2 * 8 * count_profiles(n_types) * count_profiles(n_actions) * n_players


def design_bytes(n_types: Sequence[int], n_alternatives: int, n_players: int, constraints: Sequence[str],
                 fixed_decision: bool = False) -> int:
    """The design LP in sparse form: about 60 bytes per non-zero (COO build, CSC, the solver's copy)."""
    P, X, N = count_profiles(n_types), int(n_alternatives), int(n_players)
    decision = 0 if fixed_decision else X
    terms = decision + 1                  # decision columns and one transfer per row and profile
    nnz = P * decision                    # lotteries sum to one
    for name in constraints:
        if name == "dsic":
            nnz += sum(P * (k - 1) * 2 * terms for k in n_types)
        elif name == "bic":
            nnz += sum((k - 1) * 2 * P * terms for k in n_types)
        elif name in ("ir_ex_post", "ir_interim"):
            nnz += N * P * terms
        else:                             # budget and ex-ante rows
            nnz += P * N
    columns = P * (decision + N)
    return 60 * nnz + 40 * columns


def auction_bytes(n_bidders: int, steps: int = 400, batch: int = 64, table: int = 20001,
                  nodes: int = 2048) -> int:
    """The asymmetric solver's paths and quantile tables, and the outcome quadrature."""
    n = int(n_bidders)
    return 8 * n * (3 * (steps + 1) * batch + 2 * table + 4 * nodes)


def grid_game_bytes(n_bidders: int, n_types: int, n_bids: int) -> int:
    """A learned auction's grid game: per bidder, strategies, utilities and the dynamics' state
    (each ``n_types x n_bids``, with temporaries), and the order-statistic tables over bids."""
    n, k, m = int(n_bidders), int(n_types), int(n_bids)
    return 8 * n * (16 * k * m + 8 * n * m)
