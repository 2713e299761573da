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

Learned equilibria (any format, asymmetric bidders, risk aversion)::

    auction:
      format: all_pay                # also: contest (with r), double_auction (buyer, seller, k)
      bidders: [...]
      utility: {risk_aversion: 0.5}  # CRRA u(x) = x**0.5 (first/second price, all pay, contest)
      method: learn                  # auto (exact solvers where they apply) | learn
      grid: [64, 64]                 # types x bids
      learning: {iterations: 5000, tol: 1.0e-4}

    auction:
      format: double_auction
      k: 0.5
      buyer: {family: uniform}
      seller: {family: uniform}

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

__all__ = ["AuctionSection", "AuctionSpec", "BidderSpec", "DistributionSpec", "UtilitySpec", "load_auction_spec"]


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


class UtilitySpec(BaseModel):
    """Bidders' attitude to risk: ``risk_aversion: rho`` is CRRA ``u(x) = x**rho``, 0 < rho <= 1."""

    model_config = ConfigDict(extra="forbid")
    risk_aversion: float | None = None


class BidderSpec(BaseModel):
    """One bidder: an optional name and a value distribution."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    distribution: DistributionSpec


class AuctionSection(BaseModel):
    """The ``auction:`` section."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["first_price", "second_price", "all_pay", "contest", "double_auction"]
    bidders: list[BidderSpec] | None = None
    n_bidders: int | None = None
    distribution: DistributionSpec | None = None
    reserve: float | None = None
    entry_fee: float = 0.0
    myerson: bool = False
    solver: dict[str, float] = Field(default_factory=dict)
    method: Literal["auto", "learn"] = "auto"
    grid: list[int] | int | None = None
    learning: dict[str, float | int | str | bool | list[float]] = Field(default_factory=dict)
    utility: UtilitySpec | None = None
    r: float = 1.0
    k: float = 0.5
    buyer: DistributionSpec | None = None
    seller: DistributionSpec | None = None

    @model_validator(mode="after")
    def _one_way(self):
        if self.format == "double_auction":
            if self.buyer is None or self.seller is None or self.bidders is not None or self.distribution is not None:
                raise ValueError("a double_auction needs 'buyer' and 'seller' distributions (and no 'bidders')")
            return self
        if (self.bidders is None) == (self.distribution is None):
            raise ValueError("give either 'bidders' (a list) or 'n_bidders' with one 'distribution'")
        if self.distribution is not None and self.n_bidders is None:
            raise ValueError("'distribution' needs 'n_bidders'")
        return self

    def build(self):
        """The :class:`mechdesign.auctions.Auction` (or contest, double auction) of this section."""
        from mechdesign.auctions import AllPay, FirstPrice, SecondPrice

        if self.format in ("contest", "double_auction"):
            return self._build_rule_mechanism()

        cls = {"first_price": FirstPrice, "second_price": SecondPrice, "all_pay": AllPay}[self.format]
        if self.bidders is not None:
            dists = [b.distribution.build() for b in self.bidders]
            labels = [b.name or f"bidder {i + 1}" for i, b in enumerate(self.bidders)]
        else:
            if self.n_bidders < 1:
                raise SpecError(f"auction.n_bidders: must be >= 1 (got {self.n_bidders})")
            dists = [self.distribution.build()] * self.n_bidders
            labels = None
        return cls(dists, reserve=self.reserve, entry_fee=self.entry_fee, labels=labels,
                   risk_aversion=self.risk_aversion())

    def risk_aversion(self):
        """The CRRA coefficient of the ``utility:`` section (None: risk neutral)."""
        return None if self.utility is None else self.utility.risk_aversion

    def _build_rule_mechanism(self):
        from mechdesign.auctions import Contest, DoubleAuction

        if self.format == "double_auction":
            if self.utility is not None and self.utility.risk_aversion is not None:
                raise SpecError("auction.utility: risk aversion is not available for double auctions")
            return DoubleAuction(buyer=self.buyer.build(), seller=self.seller.build(), k=self.k)
        if self.reserve is not None or self.entry_fee:
            raise SpecError("auction.reserve, auction.entry_fee: not available for contests")
        if self.bidders is not None:
            dists = [b.distribution.build() for b in self.bidders]
            labels = [b.name or f"bidder {i + 1}" for i, b in enumerate(self.bidders)]
        else:
            if self.n_bidders < 1:
                raise SpecError(f"auction.n_bidders: must be >= 1 (got {self.n_bidders})")
            dists, labels = [self.distribution.build()] * self.n_bidders, None
        return Contest(dists, r=self.r, risk_aversion=self.risk_aversion(), labels=labels)

    def equilibrium_arguments(self, method: str | None = None) -> dict:
        """Keyword arguments of ``equilibrium()``: the method, and for ``learn`` grid and options."""
        method = method or self.method
        if self.format in ("contest", "double_auction"):
            method = "learn"
        if method == "learn":
            if self.solver:
                raise SpecError("auction.solver: options of the exact solvers; use 'learning:' with method learn")
            grid = tuple(self.grid) if isinstance(self.grid, list) else self.grid
            options = {k: (tuple(v) if isinstance(v, list) else v) for k, v in self.learning.items()}
            for key in ("iterations",):
                if key in options:
                    options[key] = int(options[key])
            return {"method": "learn", "grid": grid, "options": options}
        if self.learning or self.grid is not None:
            raise SpecError("auction.learning, auction.grid: only used with method: learn")
        return {"method": "auto", **self.solver_options()}

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
