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
data and cannot run code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from scipy import stats

from mechdesign.errors import SpecError

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

        family = getattr(stats, self.family, None)
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
    myerson: bool = False
    solver: dict[str, float] = Field(default_factory=dict)

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
        if self.bidders is not None:
            dists = [b.distribution.build() for b in self.bidders]
            labels = [b.name or f"bidder {i + 1}" for i, b in enumerate(self.bidders)]
        else:
            if self.n_bidders < 1:
                raise SpecError(f"auction.n_bidders: must be >= 1 (got {self.n_bidders})")
            dists = [self.distribution.build()] * self.n_bidders
            labels = None
        return cls(dists, reserve=self.reserve, entry_fee=self.entry_fee, labels=labels)

    def solver_options(self) -> dict:
        """Options for the asymmetric solver (integers where the solver expects them)."""
        ints = {"steps", "batch", "table"}
        return {k: int(v) if k in ints else float(v) for k, v in self.solver.items()}


class AuctionSpec(BaseModel):
    """A spec file with an ``auction:`` section (other top-level sections are ignored here)."""

    model_config = ConfigDict(extra="ignore")
    auction: AuctionSection


def load_auction_spec(source) -> AuctionSpec:
    """Load and validate a spec from a path (YAML or JSON) or an already parsed mapping."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            data = yaml.safe_load(path.read_text())
        except OSError as exc:
            raise SpecError(f"spec: cannot read {path} ({exc.strerror})") from None
        except yaml.YAMLError as exc:
            raise SpecError(f"spec: {path} is not valid YAML/JSON ({exc})") from None
    else:
        data = source
    if not isinstance(data, dict) or "auction" not in data:
        raise SpecError(f"spec: expected a mapping with an 'auction:' section (got {type(data).__name__})")
    try:
        return AuctionSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SpecError(f"auction spec: {where}: {first['msg']} (got {first.get('input')!r})") from None
