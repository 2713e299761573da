"""Pydantic model of the ``combinatorial:`` section of a spec file (YAML/JSON).

Example::

    combinatorial:
      items: [A, B]
      language: xor                   # xor (default) | or
      bids:
        L1: [{bundle: [A], price: 2}]
        L2: [{bundle: [B], price: 2.5}]
        G:  [{bundle: [A, B], price: 3.5}]
      rules: [vcg, nearest_vcg, nearest_zero, nearest_bid]     # default: all but 'reference'
      solver: {backend: highs, time_limit: 10, mip_gap: 1e-9}  # backend: highs | scip | cpsat
      equilibrium: {model: llg, gamma: 0.0, grid: [64, 64]}    # for --equilibrium (Bayesian LLG)

Instead of ``items``/``bids``, ``generate: {kind: regions, n_items: 20, n_bids: 100, seed: 1}``
draws an instance (kinds: arbitrary, regions, paths, scheduling, llg, llllgg). A bid may
also be written ``[[A, B], 3.5]``. The bids are validated by
:class:`~mechdesign.combinatorial.CombinatorialAuction`: errors name the bidder, the bid
and the problem (unknown item, negative price, empty bundle, a bundle twice).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, StrictFloat, StrictInt, ValidationError,
                      model_validator)

from mechdesign.errors import SpecError
from mechdesign.io.loader import load_data

__all__ = ["CombinatorialSection", "CombinatorialSpec", "EquilibriumSection", "GenerateSection", "SolverSection",
           "load_combinatorial_spec", "DEFAULT_RULES"]

Rule = Literal["pay_as_bid", "vcg", "nearest_vcg", "nearest_zero", "nearest_bid", "proxy", "reference"]


def _name(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a name: a string or a number, not a boolean")
    return str(value) if isinstance(value, int) else value


#: An item or bidder name: a string, or an unquoted YAML integer (read as its text).
Name = Annotated[str, BeforeValidator(_name)]
DEFAULT_RULES = ["pay_as_bid", "vcg", "nearest_vcg", "nearest_zero", "nearest_bid"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GenerateSection(_Strict):
    """A seeded random instance (see :func:`mechdesign.combinatorial.generate`)."""

    kind: Literal["arbitrary", "regions", "paths", "scheduling", "llg", "llllgg"] = Field(
        description="Distribution: CATS-like arbitrary, regions, paths, scheduling; or LLG, LLLLGG")
    n_items: int | None = Field(None, strict=True, ge=1, le=5_000,
                                description="Number of items (CATS-like kinds; default 20)")
    n_bids: int | None = Field(None, strict=True, ge=1, le=1_000_000,
                               description="Number of bids (CATS-like kinds; default 100)")
    seed: int | None = Field(None, strict=True, ge=0, description="Random seed: the same seed gives the same auction")


class SolverSection(_Strict):
    """Winner-determination settings: backend, time limit (seconds per MILP), relative MIP gap."""

    backend: Literal["highs", "scip", "cpsat"] = Field("highs", description="MILP solver: HiGHS, SCIP "
                                                       "(pyscipopt) or OR-Tools CP-SAT")
    time_limit: float | None = Field(None, strict=True, gt=0, allow_inf_nan=False,
                                     description="Seconds per winner determination (best allocation found is kept)")
    mip_gap: float | None = Field(None, strict=True, ge=0, le=1, allow_inf_nan=False,
                                  description="Relative optimality gap at which a MILP may stop (default 1e-9)")


class EquilibriumSection(_Strict):
    """The Bayesian LLG model whose equilibria ``--equilibrium`` learns (:class:`mechdesign.combinatorial.LLG`)."""

    model: Literal["llg"] = Field("llg", description="The Bayesian model: LLG (locals U[0,1], global U[0,2])")
    gamma: float = Field(0.0, strict=True, ge=0, le=1, allow_inf_nan=False,
                         description="Correlation of the locals' values (Bernoulli weights)")
    grid: tuple[StrictInt, StrictInt] = Field((64, 64), description="Type cells and bid points of the discretised game")
    method: Literal["dual_averaging", "mirror_ascent", "frank_wolfe", "fictitious_play"] = Field(
        "dual_averaging", description="Learning dynamics")
    iterations: int | None = Field(None, strict=True, ge=1, le=10_000_000,
                                   description="Largest number of learning iterations")
    tol: float | None = Field(None, strict=True, gt=0, allow_inf_nan=False,
                              description="Target relative utility loss of the discrete game (default 1e-4)")
    refine: int = Field(3, strict=True, ge=0, le=100,
                        description="Best-response steps on the continuous prior after learning")
    global_bidder: Literal["truthful", "learn"] = Field(
        "truthful", description="truthful: the global bids his value; learn: he learns on a grid too (SODA's game)")

    @model_validator(mode="after")
    def _grid(self) -> "EquilibriumSection":
        if not all(2 <= g <= 1024 for g in self.grid):
            raise ValueError(f"grid: two integers in [2, 1024] (got {list(self.grid)})")
        return self

    def options(self) -> dict[str, Any]:
        """Options for :func:`mechdesign.games.learning.learn` (only those set)."""
        return {k: getattr(self, k) for k in ("iterations", "tol") if getattr(self, k) is not None}


class CombinatorialSection(_Strict):
    """The ``combinatorial:`` section."""

    items: list[Name] | None = Field(None, description="The items on sale (with bids)")
    language: Literal["xor", "or"] = Field("xor", description="Bid language: xor (one bid per bidder wins) or "
                                           "or (any disjoint set of her bids)")
    bids: dict[Name, list[Any]] | None = Field(None, description="Per bidder: her bids, each {bundle: [items], "
                                              "price: number} or [[items], price]")
    generate: GenerateSection | None = Field(None, description="A seeded random instance instead of items/bids")
    rules: list[Rule] = Field(default_factory=lambda: list(DEFAULT_RULES), min_length=1,
                              description="Payment rules to compute side by side")
    reference: dict[Name, StrictFloat] | None = Field(None, description="Reference point of rule 'reference': "
                                               "{bidder: amount}")
    solver: SolverSection = Field(default_factory=SolverSection, description="Winner-determination settings")
    equilibrium: EquilibriumSection | None = Field(None, description="The Bayesian LLG model of --equilibrium")

    @model_validator(mode="after")
    def _one_source(self) -> "CombinatorialSection":
        given = (self.bids is not None) + (self.generate is not None)
        if given > 1:
            raise ValueError("give either 'items' and 'bids', or 'generate', not both")
        if self.bids is not None and self.items is None:
            raise ValueError("'bids' needs 'items'")
        if given == 0 and self.equilibrium is None:
            raise ValueError("give 'items' and 'bids', or 'generate', or an 'equilibrium' section")
        if "reference" in self.rules and self.reference is None:
            raise ValueError("rule 'reference' needs a 'reference' mapping {bidder: amount}")
        return self

    @property
    def has_auction(self) -> bool:
        return self.bids is not None or self.generate is not None

    def build(self):
        """The :class:`~mechdesign.combinatorial.CombinatorialAuction` of this section."""
        from mechdesign.combinatorial import CombinatorialAuction, generate

        try:
            if self.generate is not None:
                g = self.generate
                return generate(g.kind, g.n_items, g.n_bids, g.seed)
            return CombinatorialAuction(self.items, self.bids, self.language)
        except SpecError as exc:
            raise SpecError(f"combinatorial.{exc}") from None


class CombinatorialSpec(BaseModel):
    """A spec file with a ``combinatorial:`` section (other top-level sections are ignored here)."""

    model_config = ConfigDict(extra="ignore")
    combinatorial: CombinatorialSection


def _read(path: Path) -> Any:
    return load_data(path, name="spec")


def load_combinatorial_spec(source: Any) -> CombinatorialSpec:
    """Load and validate a spec from a path (YAML or JSON) or an already parsed mapping."""
    data = _read(Path(source)) if isinstance(source, (str, Path)) else source
    if not isinstance(data, dict) or "combinatorial" not in data:
        raise SpecError(f"spec: a mapping with a 'combinatorial:' section (got {type(data).__name__})")
    try:
        return CombinatorialSpec.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{where}: {msg}" + (f" (got {err['input']!r})" if "input" in err and
                                                 not isinstance(err["input"], dict) else ""))
        raise SpecError("invalid spec: " + "; ".join(lines)) from None
