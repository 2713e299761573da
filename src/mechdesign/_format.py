"""Small text helpers shared by every printed result (no ``-0``, no "1 equilibria", no "optimal — Optimal")."""

from __future__ import annotations

from typing import Any

__all__ = ["number", "plural", "status_text", "label", "profile_text"]


def number(x: Any, fmt: str = ".6g") -> str:
    """``format(x, fmt)`` with negative zero (and values that round to it) shown as ``0``."""
    value = float(x) + 0.0
    text = format(value, fmt)
    if text.startswith("-") and text[1:].strip("0.") == "" and "e" not in text:
        return text[1:]
    return text


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``"1 equilibrium"``, ``"2 equilibria"``."""
    if plural_form is None:
        plural_form = singular[:-2] + "a" if singular.endswith("um") else singular + "s"
    return f"{n} {singular if n == 1 else plural_form}"


def status_text(status: str, message: str | None) -> str:
    """``"optimal"`` or ``"infeasible — presolve found ..."``: the message only when it says more."""
    if not message:
        return status
    said = message.strip().lower().replace(" ", "_").replace("-", "_").rstrip(".")
    if said == status.lower() or said.startswith(status.lower()) and len(said) <= len(status) + 1:
        return status
    return f"{status} — {message}"


def label(text: Any) -> str:
    """A type/alternative label in prose: as written (``45``, ``low``), quoted only when it needs it."""
    text = str(text)
    if text and not any(c in text for c in ",:{}'\"") and text == text.strip():
        return text
    return repr(text)


def profile_text(profile: dict[str, Any]) -> str:
    """``{A: 10, B: 45}`` — a profile of labels by player, numbers not quoted."""
    return "{" + ", ".join(f"{label(k)}: {label(v)}" for k, v in profile.items()) + "}"
