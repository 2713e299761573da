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
        ``"symmetric-quadrature"``, ``"truthful"``, ``"backward-shooting"`` or ``"learn"``.
    status : str
        ``"optimal"`` (exact formula), ``"converged"`` / ``"iteration_limit"`` (backward
        shooting) or ``"success"`` / ``"iteration_limit"`` (learning: whether the target on
        the grid was reached).
    options : dict
        Solver options used.
    loss : UtilityLoss or None
        Utility loss of the profile (``None`` when ``certify=False``).
    diagnostics : dict
        Solver-specific numbers (e.g. the highest bid and the bracket width; for
        ``method="learn"`` the grid game's ``discrete_epsilon``, ``discrete_relative_loss``,
        the learning ``history`` and any ``warnings``).
    """

    def __new__(cls, strategies, method, status, options=None, loss=None, diagnostics=None,
                distributional=None):
        obj = super().__new__(cls, tuple(strategies))
        object.__setattr__(obj, "method", method)
        object.__setattr__(obj, "status", status)
        object.__setattr__(obj, "options", dict(options or {}))
        object.__setattr__(obj, "loss", loss)
        object.__setattr__(obj, "diagnostics", dict(diagnostics or {}))
        object.__setattr__(obj, "_distributional", None if distributional is None else tuple(distributional))
        return obj

    def __setattr__(self, name, value):
        raise AttributeError("Equilibrium is immutable")

    @property
    def strategies(self) -> tuple:
        """The strategies as the solver computed them: for ``method="learn"`` the
        distributional strategies on the grid (one
        :class:`~mechdesign.auctions.grid.DistributionalStrategy` per bidder), otherwise
        the bid functions as a plain tuple. ``tuple(eq)`` is always the bid functions."""
        return self._distributional if self._distributional is not None else tuple(self)

    @property
    def warnings(self) -> tuple:
        """Warnings about the result (e.g. non-monotone learned bids), possibly empty."""
        return tuple(self.diagnostics.get("warnings", ()))

    def to_dict(self) -> dict:
        """JSON-ready dictionary."""
        out = {
            "method": self.method,
            "status": self.status,
            "options": {k: _jsonable(v) for k, v in self.options.items()},
            "diagnostics": {k: _jsonable(v) for k, v in self.diagnostics.items()},
            "loss": None if self.loss is None else self.loss.to_dict(),
            "strategies": [b.to_dict() for b in self],
        }
        if self._distributional is not None:
            out["distributional_strategies"] = [s.to_dict() for s in self._distributional]
        return out

    def summary(self) -> str:
        """Readable multi-line summary."""
        lines = [f"equilibrium ({self.method}, status {self.status}):"]
        for b in self:
            lines.append(f"  {b!r}")
        d = self.diagnostics
        if "discrete_epsilon" in d:
            lines.append(f"  grid game ({d.get('grid', '')}): epsilon {d['discrete_epsilon']:.3e}, relative "
                         f"utility loss {d.get('discrete_relative_loss', float('nan')):.3e} after "
                         f"{d.get('iterations', '?')} iterations in {d.get('time', float('nan')):.3g} s")
        if self.loss is not None:
            lines.append(self.loss.summary())
        for w in self.warnings:
            lines.append(f"  warning: {w}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from mechdesign.display import html

        return html.auction_equilibrium(self)

    def __repr__(self) -> str:
        loss = "" if self.loss is None else f", max relative loss {self.loss.max_relative:.2e}"
        return f"Equilibrium({len(self)} bidders, method={self.method!r}, status={self.status!r}{loss})"


def _jsonable(value):
    """Numbers, arrays and nested containers as JSON-ready Python objects."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def solve(auction, certify=True, **options) -> Equilibrium:
    """Dispatch :meth:`Auction.equilibrium` (see there)."""
    fmt = auction.format
    n = auction.n_bidders
    r, fee = auction.reserve, auction.entry_fee
    rho = getattr(auction, "risk_aversion", None)
    if rho is not None and not (fmt == "second_price" and fee == 0) and not (
            fmt == "first_price" and fee == 0 and auction.is_symmetric):
        raise SpecError(
            f"risk_aversion: exact {auction.title} equilibria with risk-averse bidders are computed for "
            "identical first-price bidders and second-price auctions without entry fee only; use "
            "method='learn' (got risk_aversion="
            f"{rho:g}, entry_fee={fee:g}, {'identical' if auction.is_symmetric else 'asymmetric'} bidders)"
        )
    if auction.is_symmetric:
        if options:
            raise SpecError(f"options: the symmetric solver takes no options (got {sorted(options)})")
        d = auction.distributions[0]
        # CRRA first price: the risk-neutral formula with (n - 1) / rho opponents (Krishna, §4.1)
        n_eff = n if rho is None or fmt != "first_price" else 1.0 + (n - 1) / rho
        first = symmetric_bid_function(fmt, d, n_eff, r, fee, auction.labels[0])
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
            f"distributions: exact {auction.title} equilibria are computed for identical bidders only; "
            "use method='learn' for asymmetric bidders (got bidders with different value distributions)"
        )
    loss = None
    if certify:
        from mechdesign.auctions.loss import utility_loss

        loss = utility_loss(auction, bids)
    return Equilibrium(bids, method, status, options, loss, diag)


