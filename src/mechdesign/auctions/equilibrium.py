"""Equilibrium results and the dispatch to the symmetric / asymmetric solvers."""

from __future__ import annotations

import numpy as np

from mechdesign.auctions.bid_function import BidFunction
from mechdesign.auctions.symmetric import bid_formula, symmetric_bid_function
from mechdesign.errors import SpecError

__all__ = ["Equilibrium"]


class Equilibrium(tuple):
    """Equilibrium strategies: a tuple of :class:`BidFunction`, one per bidder.

    Besides indexing (``eq[0]`` is bidder 1's bid function) it records

    Attributes
    ----------
    method : str
        ``"symmetric-quadrature"``, ``"truthful"`` or ``"backward-shooting"``.
    status : str
        ``"optimal"`` (exact formula) or ``"converged"`` / ``"iteration_limit"``.
    options : dict
        Solver options used.
    loss : UtilityLoss or None
        Utility loss of the profile (``None`` when ``certify=False``).
    diagnostics : dict
        Solver-specific numbers (e.g. the highest bid and the bracket width).
    """

    def __new__(cls, strategies, method, status, options=None, loss=None, diagnostics=None):
        obj = super().__new__(cls, tuple(strategies))
        object.__setattr__(obj, "method", method)
        object.__setattr__(obj, "status", status)
        object.__setattr__(obj, "options", dict(options or {}))
        object.__setattr__(obj, "loss", loss)
        object.__setattr__(obj, "diagnostics", dict(diagnostics or {}))
        return obj

    def __setattr__(self, name, value):
        raise AttributeError("Equilibrium is immutable")

    @property
    def strategies(self) -> tuple:
        """The bid functions as a plain tuple."""
        return tuple(self)

    def to_dict(self) -> dict:
        """JSON-ready dictionary."""
        return {
            "method": self.method,
            "status": self.status,
            "options": {k: v for k, v in self.options.items()},
            "diagnostics": {k: float(v) if isinstance(v, (float, np.floating)) else v
                            for k, v in self.diagnostics.items()},
            "loss": None if self.loss is None else self.loss.to_dict(),
            "strategies": [b.to_dict() for b in self],
        }

    def summary(self) -> str:
        """Readable multi-line summary."""
        lines = [f"equilibrium ({self.method}, status {self.status}):"]
        for b in self:
            lines.append(f"  {b!r}")
        if self.loss is not None:
            lines.append(self.loss.summary())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from mechdesign.display import html

        return html.auction_equilibrium(self)

    def __repr__(self) -> str:
        loss = "" if self.loss is None else f", max relative loss {self.loss.max_relative:.2e}"
        return f"Equilibrium({len(self)} bidders, method={self.method!r}, status={self.status!r}{loss})"


def solve(auction, certify=True, **options) -> Equilibrium:
    """Dispatch :meth:`Auction.equilibrium` (see there)."""
    fmt = auction.format
    n = auction.n_bidders
    r, fee = auction.reserve, auction.entry_fee
    if auction.is_symmetric:
        if options:
            raise SpecError(f"options: the symmetric solver takes no options (got {sorted(options)})")
        d = auction.distributions[0]
        first = symmetric_bid_function(fmt, d, n, r, fee, auction.labels[0])
        bids = [first] + [
            BidFunction(first.values, first.bids, d.support, first.cutoff, first._evaluate, lab)
            for lab in auction.labels[1:]
        ]
        method, status, diag = "symmetric-quadrature", "optimal", {"cutoff": first.cutoff}
    elif fmt == "second_price":
        if fee > 0:
            raise SpecError(
                "entry_fee: the second-price equilibrium with asymmetric bidders is only "
                f"available without entry fee (got {fee:g})"
            )
        bids = []
        for d, lab in zip(auction.distributions, auction.labels):
            v_star = max(r, d.low)
            ev = bid_formula("second_price", d, n, r, 0.0, v_star)
            grid = np.linspace(d.low, d.high, 1025)
            bids.append(BidFunction(grid, np.where(grid >= v_star, grid, np.nan), d.support, v_star, ev, lab))
        method, status, diag = "truthful", "optimal", {}
    elif fmt == "first_price":
        import inspect

        from mechdesign.auctions.asymmetric import solve_first_price

        known = [p for p in inspect.signature(solve_first_price).parameters if p != "auction"]
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise SpecError(f"options: names among {known} for the asymmetric first-price solver (got {unknown})")
        bids, status, diag, options = solve_first_price(auction, **options)
        method = "backward-shooting"
    else:
        raise SpecError(
            f"distributions: {auction.title} equilibria are computed for identical bidders only "
            "(got bidders with different value distributions)"
        )
    loss = None
    if certify:
        from mechdesign.auctions.loss import utility_loss

        loss = utility_loss(auction, bids)
    return Equilibrium(bids, method, status, options, loss, diag)


