"""Result objects returned by property audits: a verdict, the worst violation, a witness."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from mechdesign._format import number


def _plain(value: Any) -> Any:
    """Convert numpy scalars / tuples to JSON-ready Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    return value


@dataclass(frozen=True)
class Witness:
    """A concrete counterexample to a property.

    Only the fields that make sense for the property are set: a misreport
    (DSIC/BIC) names ``player``, ``true_type``, ``report``, the others' reported
    profile ``others`` (DSIC only) and the ``gain``; an IR failure names the
    player, type (and profile, ex post) and the ``shortfall``; a budget or
    efficiency failure names the ``profile``. ``*_index`` fields hold indices,
    the others hold names/labels for people.
    """

    description: str
    player: str | None = None
    player_index: int | None = None
    true_type: str | None = None
    true_type_index: int | None = None
    report: str | None = None
    report_index: int | None = None
    others: dict[str, str] | None = None
    profile: tuple[int, ...] | None = None
    gain: float | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary of the set fields."""
        return {k: _plain(v) for k, v in asdict(self).items() if v is not None and v != {}}

    def __str__(self) -> str:
        return self.description


@dataclass(frozen=True)
class PropertyResult:
    """Outcome of one property audit.

    Attributes
    ----------
    name : str
        The property (e.g. ``"dsic"``, ``"ir_interim"``).
    holds : bool
        Whether every comparison holds against its own threshold
        ``atol + rtol * scale`` (docs/concepts.md, "Tolerances"); equal to
        ``violation <= tolerance``.
    violation : float
        Worst amount by which the property fails (≤ 0, or ~0, when it holds).
    witness : Witness or None
        The worst counterexample (None if there is nothing to report).
    tolerance : float
        The threshold ``atol + rtol * scale`` of the comparison reported
        (for a property of several players: that player's).
    """

    name: str
    holds: bool
    violation: float
    witness: Witness | None
    tolerance: float

    def __bool__(self) -> bool:
        return self.holds

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"name": self.name, "holds": self.holds, "violation": float(self.violation),
                "tolerance": float(self.tolerance),
                "witness": None if self.witness is None else self.witness.to_dict()}

    def summary(self) -> str:
        """One line: verdict, violation (or the slack when it holds strictly) and (if it fails) the witness."""
        verdict = "holds" if self.holds else "FAILS"
        if self.violation < 0:
            text = f"{self.name}: {verdict} (slack {number(-self.violation)})"
        else:
            text = f"{self.name}: {verdict} (worst violation {number(self.violation)})"
        if not self.holds and self.witness is not None:
            text += f" — {self.witness.description}"
        return text

    def _repr_html_(self) -> str:
        from mechdesign.display import html

        return html.property_result(self)

    def __repr__(self) -> str:
        return f"PropertyResult({self.summary()})"
