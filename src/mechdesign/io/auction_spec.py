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
from mechdesign.io.options import AUCTION_OPTIONS, LEARNING_OPTIONS, check_options

#: Most bidders an auction spec may have (the quadratures are O(n) per node).
MAX_BIDDERS = 10_000

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
    myerson: StrictBool = False
    solver: dict[str, Any] = Field(default_factory=dict)
    method: Literal["auto", "learn"] = "auto"
    grid: list[int] | int | None = None
    learning: dict[str, Any] = Field(default_factory=dict)
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
        n = self._n_bidders()
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
        return cls(dists, reserve=self.reserve, entry_fee=self.entry_fee, labels=labels,
                   risk_aversion=self.risk_aversion())

    def risk_aversion(self):
        """The CRRA coefficient of the ``utility:`` section (None: risk neutral)."""
        return None if self.utility is None else self.utility.risk_aversion

    def _n_bidders(self) -> int:
        n = len(self.bidders) if self.bidders is not None else self.n_bidders
        if n < 1 or n > MAX_BIDDERS:
            raise SpecError(f"auction.n_bidders: between 1 and {MAX_BIDDERS:,} bidders (got {n:,})")
        return n

    def _build_rule_mechanism(self):
        from mechdesign.auctions import Contest, DoubleAuction

        for name in ("r", "k"):
            if not math.isfinite(getattr(self, name)):
                raise SpecError(f"auction.{name}: a finite number (got {getattr(self, name)})")
        if self.format == "double_auction":
            if self.utility is not None and self.utility.risk_aversion is not None:
                raise SpecError("auction.utility: risk aversion is not available for double auctions")
            return DoubleAuction(buyer=self.buyer.build(), seller=self.seller.build(), k=self.k)
        if self.reserve is not None or self.entry_fee:
            raise SpecError("auction.reserve, auction.entry_fee: not available for contests")
        self._n_bidders()
        if self.bidders is not None:
            dists = [b.distribution.build() for b in self.bidders]
            labels = [b.name or f"bidder {i + 1}" for i, b in enumerate(self.bidders)]
        else:
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
            sizes = (64, 64) if grid is None else ((grid, grid) if isinstance(grid, int) else grid)
            if len(sizes) != 2 or min(sizes) < 2:
                raise SpecError(f"auction.grid: an integer >= 2 or a pair [types, bids] of them (got {self.grid!r})")
            types, bids = sizes
            options = self.learning_options()
            n = 2 if self.format == "double_auction" else self._n_bidders()
            memory.require_memory(memory.grid_game_bytes(n, types, bids), "auction",
                                  detail=f"{n:,} bidders on a {types:,} x {bids:,} grid",
                                  suggestion="use a smaller grid")
            return {"method": "learn", "grid": grid, "options": options}
        if self.learning or self.grid is not None:
            raise SpecError("auction.learning, auction.grid: only used with method: learn")
        return {"method": "auto", **self.solver_options()}

    def learning_options(self) -> dict:
        """The ``learning:`` options, checked against :data:`~mechdesign.io.options.LEARNING_OPTIONS`."""
        options = check_options(self.learning, LEARNING_OPTIONS, "auction.learning")
        if "bids" in options:
            options["bids"] = tuple(options["bids"])
        return options

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
    spec.auction.learning_options()
    return spec
