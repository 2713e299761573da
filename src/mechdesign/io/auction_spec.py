"""Pydantic model of the ``auction:`` section of a spec file (YAML/JSON).

Example::

    auction:
      format: first_price            # first_price | second_price | all_pay
      reserve: 0.1                   # optional
      entry_fee: 0.0                 # optional
      bidders:
        - {name: weak,   distribution: {family: uniform, params: {loc: 0, scale: 1}}}
        - {name: strong, distribution: {family: beta, args: [2, 1.5]}}
        - {name: capped, distribution: {family: norm, params: {loc: 0.5, scale: 0.3}, truncate: [0, 1]}}
      myerson: true                  # also compute the optimal auction

``n_bidders`` with one ``distribution`` may replace ``bidders`` for identical bidders.
Distribution families are names of ``scipy.stats`` continuous distributions; a spec is
data and cannot run code. ``solver:`` options are checked against
:data:`mechdesign.io.options.AUCTION_OPTIONS`, and the memory the solver needs is
estimated before it runs (:mod:`mechdesign.io.memory`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, model_validator
from scipy import stats

from mechdesign.errors import SpecError
from mechdesign.io import memory
from mechdesign.io.loader import load_data
from mechdesign.io.options import AUCTION_OPTIONS, check_options

#: Most bidders an auction spec may have (the quadratures are O(n) per node).
MAX_BIDDERS = 10_000

__all__ = ["AuctionSection", "AuctionSpec", "BidderSpec", "DistributionSpec", "load_auction_spec"]


class DistributionSpec(BaseModel):
    """A scipy.stats continuous distribution by name, with parameters and optional truncation."""

    model_config = ConfigDict(extra="forbid")
    family: str
    args: list[float] = Field(default_factory=list)
    params: dict[str, float] = Field(default_factory=dict)
    truncate: tuple[float, float] | None = None

    def build(self):
        from mechdesign.auctions.distributions import ValueDistribution

        for x in [*self.args, *self.params.values(), *(self.truncate or ())]:
            if not math.isfinite(x):
                raise SpecError(f"distribution: finite parameters (got {x} for {self.family!r})")
        family = getattr(stats, self.family, None) if not self.family.startswith("_") else None
        if not isinstance(family, stats.rv_continuous):
            raise SpecError(
                f"distribution.family: expected the name of a scipy.stats continuous distribution "
                f"such as 'uniform' or 'beta' (got {self.family!r})"
            )
        try:
            frozen = family(*self.args, **self.params)
            frozen.support()
        except (TypeError, ValueError) as exc:
            raise SpecError(f"distribution: bad parameters for {self.family!r} ({exc})") from None
        low, high = self.truncate if self.truncate is not None else (None, None)
        return ValueDistribution(frozen, low, high)


class BidderSpec(BaseModel):
    """One bidder: an optional name and a value distribution."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    distribution: DistributionSpec


class AuctionSection(BaseModel):
    """The ``auction:`` section."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["first_price", "second_price", "all_pay"]
    bidders: list[BidderSpec] | None = None
    n_bidders: int | None = None
    distribution: DistributionSpec | None = None
    reserve: float | None = None
    entry_fee: float = 0.0
    myerson: StrictBool = False
    solver: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_way(self):
        if (self.bidders is None) == (self.distribution is None):
            raise ValueError("give either 'bidders' (a list) or 'n_bidders' with one 'distribution'")
        if self.distribution is not None and self.n_bidders is None:
            raise ValueError("'distribution' needs 'n_bidders'")
        return self

    def build(self):
        """The :class:`mechdesign.auctions.Auction` described by this section."""
        from mechdesign.auctions import AllPay, FirstPrice, SecondPrice

        cls = {"first_price": FirstPrice, "second_price": SecondPrice, "all_pay": AllPay}[self.format]
        n = len(self.bidders) if self.bidders is not None else self.n_bidders
        if n < 1 or n > MAX_BIDDERS:
            raise SpecError(f"auction.n_bidders: between 1 and {MAX_BIDDERS:,} bidders (got {n:,})")
        options = self.solver_options()
        defaults = {"steps": 400, "batch": 64, "table": 20001}
        sizes = {k: int(options.get(k, d)) for k, d in defaults.items()}
        memory.require_memory(memory.auction_bytes(n, **sizes), "auction",
                              detail=f"{n:,} bidders, steps {sizes['steps']:,}, batch {sizes['batch']:,}, "
                                     f"table {sizes['table']:,}",
                              suggestion="use fewer bidders or smaller solver steps/batch/table")
        for name in ("reserve", "entry_fee"):
            value = getattr(self, name)
            if value is not None and not math.isfinite(value):
                raise SpecError(f"auction.{name}: a finite number (got {value})")
        if self.bidders is not None:
            dists = [b.distribution.build() for b in self.bidders]
            labels = [b.name or f"bidder {i + 1}" for i, b in enumerate(self.bidders)]
        else:
            dists = [self.distribution.build()] * self.n_bidders
            labels = None
        return cls(dists, reserve=self.reserve, entry_fee=self.entry_fee, labels=labels)

    def solver_options(self) -> dict:
        """The ``solver:`` options, checked against :data:`~mechdesign.io.options.AUCTION_OPTIONS`."""
        return check_options(self.solver, AUCTION_OPTIONS, "auction.solver")


class AuctionSpec(BaseModel):
    """A spec file with an ``auction:`` section (other top-level sections are ignored here)."""

    model_config = ConfigDict(extra="ignore")
    auction: AuctionSection


def load_auction_spec(source) -> AuctionSpec:
    """Load and validate a spec from a path (YAML or JSON, read by the safe loader) or a parsed mapping."""
    if isinstance(source, (str, Path)):
        data = load_data(source, name="spec")
    else:
        data = source
    if not isinstance(data, dict) or "auction" not in data:
        raise SpecError(f"spec: expected a mapping with an 'auction:' section (got {type(data).__name__})")
    try:
        spec = AuctionSpec.model_validate(data)
    except ValidationError as exc:
        from mechdesign.io.spec import _format_validation_error

        raise SpecError(_format_validation_error(exc)) from None
    spec.auction.solver_options()
    return spec
