"""Expected outcomes of an auction: revenue, welfare, bidder surplus, no-sale probability."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mechdesign.auctions._engine import DEFAULT_NODES, BidLaw, evaluate_strategy, opponents_of
from mechdesign.auctions._quadrature import quantile_rule
from mechdesign.auctions._arrays import readonly as _readonly
from mechdesign.errors import SpecError

__all__ = ["Outcomes", "RevenueEquivalence", "outcomes", "simulate", "revenue_equivalence"]



@dataclass(frozen=True)
class Outcomes:
    """Expected outcomes under a strategy profile.

    ``welfare = E[Σ v_i x_i]``, ``revenue = E[Σ payments + entry fees]``,
    ``surplus = welfare - revenue`` (``docs/conventions.md``). Per-bidder arrays are
    ordered like the auction's bidders. ``standard_errors`` is set for simulations.
    """

    revenue: float
    welfare: float
    surplus: float
    prob_no_sale: float
    win_probability: np.ndarray
    payment: np.ndarray
    bidder_surplus: np.ndarray
    method: str
    options: dict = field(default_factory=dict)
    standard_errors: dict | None = None

    def to_dict(self) -> dict:
        """JSON-ready dictionary."""
        return {
            "revenue": self.revenue, "welfare": self.welfare, "surplus": self.surplus,
            "prob_no_sale": self.prob_no_sale,
            "win_probability": self.win_probability.tolist(),
            "payment": self.payment.tolist(), "bidder_surplus": self.bidder_surplus.tolist(),
            "method": self.method, "options": dict(self.options),
            "standard_errors": None if self.standard_errors is None else dict(self.standard_errors),
        }

    def _repr_html_(self) -> str:
        from mechdesign.display import html

        return html.outcomes(self)

    def summary(self) -> str:
        """Readable summary."""
        se = self.standard_errors or {}

        def fmt(name):
            val = getattr(self, name)
            return f"{val:.6f}" + (f" ± {se[name]:.1e}" if name in se else "")

        return (
            f"outcomes ({self.method}): revenue {fmt('revenue')}, welfare {fmt('welfare')}, "
            f"bidder surplus {fmt('surplus')}, P(no sale) {fmt('prob_no_sale')}"
        )

    __repr__ = summary


def _profile(auction, strategies):
    if strategies is None:
        return list(auction.equilibrium(certify=False))
    return auction.check_strategies(strategies)


def outcomes(auction, strategies=None, n_nodes: int = 2048) -> Outcomes:
    """Exact expected outcomes by quadrature (equilibrium strategies by default)."""
    strategies = _profile(auction, strategies)
    r = auction.reserve
    laws = [BidLaw.from_strategy(d, s, r, i, DEFAULT_NODES)
            for i, (d, s) in enumerate(zip(auction.distributions, strategies))]
    n = auction.n_bidders
    win, pay, welfare = np.zeros(n), np.zeros(n), np.zeros(n)
    for i, (d, s) in enumerate(zip(auction.distributions, strategies)):
        breaks = [d.cdf(r)]
        if getattr(s, "cutoff", None) is not None:
            breaks.append(d.cdf(s.cutoff))
        q, w = quantile_rule(int(n_nodes), breaks)
        v = d.ppf(q)
        _, x, p = auction.interim(opponents_of(i, laws, r), evaluate_strategy(s, v, i))
        win[i], pay[i], welfare[i] = w @ x, w @ p, w @ (v * x)
    no_sale = float(np.prod([law.abstain for law in laws]))
    revenue, total = float(pay.sum()), float(welfare.sum())
    return Outcomes(revenue, total, total - revenue, no_sale, _readonly(win), _readonly(pay),
                    _readonly(welfare - pay), "quadrature", {"n_nodes": int(n_nodes)})


def simulate(auction, strategies=None, n: int = 100_000, seed=None) -> Outcomes:
    """Monte Carlo outcomes: ``n`` independent auctions, vectorised and reproducible.

    Ties among the highest bids are broken uniformly at random. Standard errors of
    the means are reported in ``standard_errors``.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise SpecError(f"n: expected an integer number of simulated auctions >= 2 (got {n!r})")
    strategies = _profile(auction, strategies)
    rng = np.random.default_rng(seed)
    N = auction.n_bidders
    values = np.column_stack([d.rvs(n, rng) for d in auction.distributions])
    bids = np.column_stack([evaluate_strategy(s, values[:, i], i) for i, s in enumerate(strategies)])
    part = bids >= auction.reserve
    eff = np.where(part, bids, -np.inf)
    # random tie-breaking: among maximal bids pick the one with the largest random key
    top = eff.max(axis=1, keepdims=True)
    key = np.where(eff == top, rng.random(eff.shape), -1.0)
    winner = key.argmax(axis=1)
    sold = np.isfinite(top[:, 0])
    alloc = np.zeros((n, N))
    alloc[np.arange(n)[sold], winner[sold]] = 1.0
    fee = auction.entry_fee * part
    if auction.format == "all_pay":
        pay = np.where(part, bids, 0.0) + fee
    else:
        if auction.format == "first_price":
            price = top[:, 0]
        else:
            others = eff.copy()
            others[np.arange(n), winner] = -np.inf
            price = np.maximum(others.max(axis=1), auction.reserve)
        pay = alloc * np.where(sold, price, 0.0)[:, None] + fee
    rev = pay.sum(axis=1)
    wel = (alloc * values).sum(axis=1)
    sur = wel - rev
    nos = (~sold).astype(float)

    def se(x):
        return float(x.std(ddof=1) / np.sqrt(n))

    errs = {"revenue": se(rev), "welfare": se(wel), "surplus": se(sur), "prob_no_sale": se(nos)}
    return Outcomes(float(rev.mean()), float(wel.mean()), float(sur.mean()), float(nos.mean()),
                    _readonly(alloc.mean(axis=0)), _readonly(pay.mean(axis=0)),
                    _readonly((alloc * values - pay).mean(axis=0)),
                    "simulation", {"n": int(n), "seed": seed if isinstance(seed, int) else None}, errs)


@dataclass(frozen=True)
class RevenueEquivalence:
    """Comparison of equilibrium revenues across auction formats.

    ``applies`` says whether the revenue-equivalence theorem's hypotheses hold
    numerically (same interim allocation rule within ``atol`` and same utility of the
    lowest type); ``holds`` whether the revenues then agree within ``atol``.
    """

    names: tuple
    revenues: np.ndarray
    differences: np.ndarray
    allocation_gap: float
    lowest_utility_gap: float
    applies: bool
    holds: bool
    atol: float

    @property
    def max_difference(self) -> float:
        """Largest absolute revenue difference to the first auction."""
        return float(np.max(np.abs(self.differences)))

    def to_dict(self) -> dict:
        """JSON-ready dictionary."""
        return {
            "names": list(self.names), "revenues": self.revenues.tolist(),
            "differences": self.differences.tolist(), "allocation_gap": self.allocation_gap,
            "lowest_utility_gap": self.lowest_utility_gap, "applies": self.applies,
            "holds": self.holds, "atol": self.atol,
        }

    def summary(self) -> str:
        """Readable table."""
        lines = [f"revenue equivalence (applies: {self.applies}, holds: {self.holds}):"]
        for name, rev, diff in zip(self.names, self.revenues, self.differences):
            lines.append(f"  {name:<40s} revenue {rev:.8f}  difference {diff:+.2e}")
        lines.append(f"  allocation gap {self.allocation_gap:.2e}, lowest-type utility gap "
                     f"{self.lowest_utility_gap:.2e}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from mechdesign.display import html

        return html.revenue_equivalence(self)

    def __bool__(self) -> bool:
        return self.holds

    __repr__ = summary


def revenue_equivalence(*auctions, atol: float = 1e-6, allocation_tol: float = 1e-5,
                        grid: int = 257) -> RevenueEquivalence:
    """Compare the equilibrium revenues of auctions with the same bidders.

    Parameters
    ----------
    *auctions : Auction
        Two or more auctions with the same value distributions.
    atol : float
        Tolerance for "same revenue".
    allocation_tol : float
        Tolerance for "same interim allocation" and "same lowest-type utility".
    grid : int
        Values per bidder at which the interim allocation rules are compared.
    """
    if len(auctions) < 2:
        raise SpecError(f"auctions: need at least two auctions to compare (got {len(auctions)})")
    base = auctions[0]
    for k, a in enumerate(auctions[1:], start=1):
        if a.n_bidders != base.n_bidders or not all(
            d.same_law(e) for d, e in zip(a.distributions, base.distributions)
        ):
            raise SpecError(f"auctions[{k}]: must have the same bidders and value distributions as auctions[0]")
    revenues, allocs, lows = [], [], []
    for a in auctions:
        eq = list(a.equilibrium(certify=False))
        revenues.append(a.outcomes(eq).revenue)
        laws = [BidLaw.from_strategy(d, s, a.reserve, i) for i, (d, s) in enumerate(zip(a.distributions, eq))]
        x_rows, low_u = [], []
        for i, (d, s) in enumerate(zip(a.distributions, eq)):
            v = np.linspace(d.low, d.high, grid)
            opp = opponents_of(i, laws, a.reserve)
            _, x, _ = a.interim(opp, evaluate_strategy(s, v, i))
            x_rows.append(x)
            low_u.append(float(a.utility(opp, v[:1], evaluate_strategy(s, v[:1], i))[0]))
        allocs.append(np.array(x_rows))
        lows.append(np.array(low_u))
    revenues = np.array(revenues)
    gap = max(float(np.max(np.abs(x - allocs[0]))) for x in allocs)
    low_gap = max(float(np.max(np.abs(u - lows[0]))) for u in lows)
    applies = gap <= allocation_tol and low_gap <= allocation_tol
    diffs = revenues - revenues[0]
    holds = applies and float(np.max(np.abs(diffs))) <= atol
    return RevenueEquivalence(tuple(repr(a) for a in auctions), _readonly(revenues), _readonly(diffs),
                              gap, low_gap,
                              bool(applies), bool(holds), float(atol))
