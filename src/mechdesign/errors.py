"""Exceptions raised by mechdesign.

Every error the library raises on purpose derives from :class:`MechDesignError`.
Bad input raises :class:`SpecError`, which is also a :class:`ValueError`, with a
message that names the argument, what was expected and what was received.
"""

from __future__ import annotations


class MechDesignError(Exception):
    """Base class of every error raised by mechdesign."""


class SpecError(MechDesignError, ValueError):
    """Invalid input: a wrong shape, a bad probability, an unknown name, ..."""


class SolverError(MechDesignError):
    """A numerical solver failed in a way that is not a status (e.g. it crashed)."""

__all__ = ["MechDesignError", "SolverError", "SpecError"]
