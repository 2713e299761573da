"""Payment rules: pay-as-bid, VCG and core-selecting payments; the core check.

Conventions (docs/combinatorial.md): payments are what bidders *pay* (the finite
core's transfers are their negatives); every rule charges the winners of the
efficient allocation of the reported bids, and losers pay 0. ``value_k`` is the
sum of bidder k's winning bid prices and ``w(C)`` the best reported welfare of a
coalition C of bidders.

* ``pay_as_bid``: each winner pays her winning bids.
* ``vcg`` (Clarke): ``p_k = value_k - (w(N) - w(N \\ {k}))``. Losers need no
  extra solve (``w(N \\ {k}) = w(N)``); for each winner the model of
  :class:`~mechdesign.combinatorial.wdp.WDPModel` is re-solved with her bids
  fixed out, starting from the efficient allocation minus her bids.
* Core-selecting rules. A payment vector is in the *core* when no coalition C
  and the seller can both do better: ``Σ_{k ∉ C} p_k ≥ w(C) - Σ_{k ∈ C} value_k``
  for every C, and ``p_k ≤ value_k`` (so ``p ≥ VCG``). The *minimum-revenue core*
  (MRC) is found by core-constraint generation (Day and Raghavan 2007): start at
  the VCG payments, find the most violated core constraint by one MILP (winner
  determination where winner k's bids cost her surplus ``value_k - p_k``), add it,
  re-solve the LP ``min Σ p``, repeat until no constraint is violated. Among the
  MRC points, the rule picks the one nearest (Euclidean) to a reference point
  (Day and Cramton 2012; Erdil and Klemperer 2010) by a quadratic program solved
  by HiGHS's QP solver, again with constraint generation:

  - ``nearest_vcg``: reference = VCG payments (Day and Cramton's rule);
  - ``nearest_zero`` (alias ``proxy``): reference = 0, payments as equal as the
    core allows (in LLG it is the outcome bnelearn and SODA call proxy);
  - ``nearest_bid``: reference = the winning bids (equal shortfalls);
  - ``reference``: a reference point given by the caller.

  The squared distance is strictly convex, so the point is unique.

Guarantees: with every MILP solved to optimality (statuses ``"optimal"``) the
payments are exact up to the solvers' tolerances (~1e-9 relative); the
``status`` of a :class:`Payments` is the first non-optimal status met otherwise.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.analysis.results import PropertyResult, Witness
from mechdesign.combinatorial.bids import BidTable, sort_bundle
from mechdesign.combinatorial.wdp import WDPModel, WinnerDetermination, allocation_of, model_for, winners_of
from mechdesign.errors import SolverError

RULES = ("pay_as_bid", "vcg", "nearest_vcg", "nearest_zero", "nearest_bid", "proxy", "reference")
CORE_RULES = ("nearest_vcg", "nearest_zero", "nearest_bid", "proxy", "reference")
MAX_ROUNDS = 10_000


@dataclass(frozen=True)
class Payments:
    """Payments of a combinatorial auction under one rule.

    Attributes
    ----------
    rule : str
    payments : dict
        ``{bidder: amount paid}`` for every bidder (0 for losers).
    revenue : float
        Sum of the payments.
    core_constraints : int
        Number of core constraints generated (0 for pay-as-bid and VCG).
    winners : WinnerDetermination
        The allocation the payments are for.
    vcg : dict or None
        VCG payments (computed for ``vcg`` and every core-selecting rule).
    reference : dict or None
        The reference point of a core-selecting rule.
    minimum_revenue : float or None
        Revenue of the minimum-revenue core (core-selecting rules).
    status : str
        ``"optimal"`` when every solve was; else the first other status met.
    solves : int
        Winner-determination MILPs solved (the first one included).
    time : float
        Wall-clock seconds, the first winner determination included.
    """

    rule: str
    payments: dict[str, float]
    revenue: float
    core_constraints: int
    winners: WinnerDetermination
    vcg: dict[str, float] | None = None
    reference: dict[str, float] | None = None
    minimum_revenue: float | None = None
    status: str = "optimal"
    solves: int = 1
    time: float = 0.0

    def utilities(self) -> dict[str, float]:
        """Each bidder's reported surplus: her winning bids minus her payment."""
        won = self.winners.values
        return {b: won[b] - p for b, p in self.payments.items()}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"rule": self.rule, "payments": dict(self.payments), "revenue": self.revenue,
                "core_constraints": self.core_constraints, "vcg": self.vcg, "reference": self.reference,
                "minimum_revenue": self.minimum_revenue, "status": self.status, "solves": self.solves,
                "time": self.time, "winners": self.winners.to_dict()}

    def summary(self) -> str:
        """One line per winner and the revenue."""
        lines = [f"{self.rule}: revenue {self.revenue:.6g} ({self.status}, {self.core_constraints} core constraints)"]
        for bidder, amount in self.payments.items():
            if self.winners.allocation[bidder] or amount != 0:
                lines.append(f"  {bidder}: pays {amount:.6g}")
        return "\n".join(lines)

    def to_frame(self):
        """A pandas DataFrame: one row per bidder (``wins``, ``value``, ``pays``, ``utility``, ``vcg``, ...)."""
        from mechdesign.display.combinatorial import payments_frame

        return payments_frame(self)

    def _repr_html_(self) -> str:
        from mechdesign.display import combinatorial

        return combinatorial.payments(self)

    def __repr__(self) -> str:
        return f"Payments(rule={self.rule!r}, payments={self.payments}, revenue={self.revenue:.6g})"


def winning_values(auction: BidTable, wd: WinnerDetermination) -> np.ndarray:
    """Per bidder (auction order), the sum of her winning bids' prices."""
    values = np.zeros(auction.n_bidders)
    np.add.at(values, auction.bid_bidder[list(wd.winning_bids)], auction.bid_price[list(wd.winning_bids)])
    return values


def _worse(status: str, new: str) -> str:
    return new if status == "optimal" and new != "optimal" else status


# --------------------------------------------------------------------------- VCG
def vcg_payments(auction: BidTable, wd: WinnerDetermination, model: WDPModel,
                 report=None) -> tuple[np.ndarray, str, int]:
    """VCG payments per bidder, the worst status and the number of solves (``report(done, total)`` after each)."""
    values = winning_values(auction, wd)
    pay = np.zeros(auction.n_bidders)
    status, solves = "optimal", 0
    winners = np.unique(auction.bid_bidder[list(wd.winning_bids)])
    for k in winners:
        start = [j for j in wd.winning_bids if auction.bid_bidder[j] != k]
        raw = model.solve(exclude=[int(k)], start=start)
        solves += 1
        if report is not None:
            report(solves, int(winners.size))
        status = _worse(status, raw.status)
        others = wd.welfare - values[k]              # the others' welfare in the efficient allocation
        pay[k] = min(max(raw.objective - others, 0.0), values[k])
    return pay, status, solves


# ------------------------------------------------------------- core generation
class _Separation:
    """The most violated core constraint for a payment vector, by one MILP."""

    def __init__(self, auction: BidTable, wd: WinnerDetermination, backend: str, time_limit, mip_gap,
                 options, bidders: np.ndarray):
        self.auction = auction
        self.wd = wd
        self.bidders = bidders                       # bidders whose surplus can be positive
        participation = bidders if auction.language == "or" else ()
        self.model = model_for(auction, backend, time_limit=time_limit, mip_gap=mip_gap, options=options,
                               participation=participation)

    def most_violated(self, surplus: np.ndarray) -> tuple[np.ndarray, set[int], float, str]:
        """Blocking allocation (bid indices), its coalition, its value ``w`` and the solve status.

        ``surplus`` is per bidder (auction order), ≥ 0.
        """
        auc = self.auction
        if auc.language == "xor":
            prices = auc.bid_price - surplus[auc.bid_bidder]
            raw = self.model.solve(prices, start=self.wd.winning_bids)
        else:
            raw = self.model.solve(participation_cost=surplus[self.bidders], start=self.wd.winning_bids)
        coalition = set(int(k) for k in auc.bid_bidder[raw.chosen])
        value = math.fsum(auc.bid_price[raw.chosen])
        return raw.chosen, coalition, value, raw.status


class _PaymentProgram:
    """Payments of the winners: bounds, generated core rows, LP (min revenue) or QP (nearest point)."""

    def __init__(self, lower: np.ndarray, upper: np.ndarray):
        self.lower = lower
        self.upper = upper
        self.rows: list[tuple[np.ndarray, float]] = []     # (0/1 mask over winners, rhs): mask·p ≥ rhs

    def add(self, mask: np.ndarray, rhs: float) -> None:
        self.rows.append((mask.astype(float), float(rhs)))

    def solve(self, reference: np.ndarray | None = None, revenue: float | None = None) -> np.ndarray:
        """LP ``min Σ p`` (reference None) or QP ``min |p - reference|²`` at ``Σ p = revenue``."""
        import highspy

        n = self.lower.size
        h = highspy._Highs()
        opts = {"output_flag": False, "primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
        if reference is not None:
            opts["qp_regularization_value"] = 0.0
        for name, value in opts.items():
            h.setOptionValue(name, value)
        inf = highspy.kHighsInf
        rows = list(self.rows)
        if revenue is not None:
            rows.append((np.ones(n), float(revenue)))
        a = np.array([m for m, _ in rows]).reshape(len(rows), n)
        lo = np.array([r for _, r in rows])
        hi = np.full(len(rows), inf)
        if revenue is not None:
            hi[-1] = float(revenue)
        cost = np.ones(n) if reference is None else -2.0 * reference
        csc = _dense_to_csc(a)
        h.passModel(n, len(rows), int(csc[2].size), int(highspy.MatrixFormat.kColwise),
                    int(highspy.ObjSense.kMinimize), 0.0, cost.astype(float), self.lower.astype(float),
                    self.upper.astype(float), lo.astype(float), hi.astype(float), *csc,
                    np.zeros(n, np.int32))
        if reference is not None:
            hess = highspy.HighsHessian()
            hess.dim_ = n
            hess.format_ = highspy.HessianFormat.kTriangular
            hess.start_ = list(range(n + 1))
            hess.index_ = list(range(n))
            hess.value_ = [2.0] * n
            h.passHessian(hess)
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolverError(f"highs: the payment {'QP' if reference is not None else 'LP'} ended with "
                              f"{h.modelStatusToString(status)}")
        p = np.asarray(h.getSolution().col_value, dtype=float)
        return np.clip(p, self.lower, self.upper)


def _dense_to_csc(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import scipy.sparse as sp

    m = sp.csc_matrix(a) if a.size else sp.csc_matrix(a.shape)
    return m.indptr.astype(np.int32), m.indices.astype(np.int32), m.data.astype(np.float64)


def core_payments(auction: BidTable, wd: WinnerDetermination, vcg: np.ndarray, reference: np.ndarray,
                  *, backend: str, time_limit, mip_gap, options, report=None) -> tuple[np.ndarray, float, int, str, int]:
    """Nearest point to ``reference`` in the minimum-revenue core (per bidder arrays).

    Returns payments, minimum revenue, constraints generated, status, MILP solves;
    ``report(done, total)`` after each separation MILP (the total grows with the rounds).
    """
    values = winning_values(auction, wd)
    winners = np.unique(auction.bid_bidder[list(wd.winning_bids)])
    pay = np.zeros(auction.n_bidders)
    if winners.size == 0:
        return pay, 0.0, 0, "optimal", 0
    tol = 1e-9 * max(1.0, wd.welfare)
    program = _PaymentProgram(vcg[winners], values[winners])
    separation = _Separation(auction, wd, backend, time_limit, mip_gap, options, winners)
    status, solves = "optimal", 0

    def generate(p_w: np.ndarray) -> bool:
        """Add the most violated constraint at ``p_w``; False if none is violated."""
        nonlocal status, solves
        surplus = np.zeros(auction.n_bidders)
        surplus[winners] = np.maximum(values[winners] - p_w, 0.0)
        _, coalition, value, sep_status = separation.most_violated(surplus)
        solves += 1
        if report is not None:
            report(solves, solves + 1)
        status = _worse(status, sep_status)
        inside = np.isin(winners, list(coalition))
        rhs = value - values[winners][inside].sum()
        if rhs - p_w[~inside].sum() <= tol:
            return False
        program.add(~inside, rhs)
        return True

    p_w = vcg[winners].copy()
    rounds = 0
    while generate(p_w):                              # Day-Raghavan: minimum-revenue core
        p_w = program.solve()
        rounds += 1
        if rounds > MAX_ROUNDS:
            status = _worse(status, "iteration_limit")
            break
    revenue = float(p_w.sum())
    ref = reference[winners]
    p_w = program.solve(ref, revenue)
    while generate(p_w):                              # nearest point: the QP may leave the generated rows
        p_w = program.solve(ref, revenue)
        rounds += 1
        if rounds > MAX_ROUNDS:
            status = _worse(status, "iteration_limit")
            break
    pay[winners] = p_w
    return pay, revenue, len(program.rows), status, solves


# ----------------------------------------------------------------- front end
def _reference_vector(auction: BidTable, reference: Any) -> np.ndarray:
    if not isinstance(reference, Mapping):
        raise v.fail("reference", "a mapping {bidder: amount} for rule 'reference'", type(reference).__name__)
    out = np.zeros(auction.n_bidders)
    for bidder, amount in reference.items():
        k = v.lookup(str(bidder), "reference", auction.bidders)
        out[k] = float(v.float_array(amount, f"reference[{bidder!r}]", ndim=0))
    return out


def compute_payments(auction: BidTable, rule: str, *, reference: Any = None, backend: str = "highs",
                     time_limit: Any = None, mip_gap: Any = None, options: Mapping[str, Any] | None = None,
                     progress: Any = None) -> Payments:
    """Payments of ``auction`` under ``rule`` (module docstring).

    ``progress``: None, True (a bar on a terminal, a line in a notebook) or a callable
    ``progress(done, total)`` called after each winner determination of VCG and of the
    core-constraint generation.
    """
    from mechdesign.compute.progress import progress_reporter

    if progress is not None and not isinstance(progress, bool) and not callable(progress):
        raise v.fail("progress", "None, True (a progress bar) or a callable progress(done, total)",
                     type(progress).__name__)
    with progress_reporter(progress, f"payments ({rule})") as report:
        return _compute_payments(auction, rule, reference, backend, time_limit, mip_gap, options, report)


def _compute_payments(auction, rule, reference, backend, time_limit, mip_gap, options, report) -> Payments:
    v.choice(rule, "rule", RULES)
    if reference is not None and rule != "reference":
        raise v.fail("reference", "no reference point unless rule='reference'", f"one with rule {rule!r}")
    ref_given = _reference_vector(auction, reference) if rule == "reference" else None
    began = time.perf_counter()
    wd = winners_of(auction, backend, time_limit=time_limit, mip_gap=mip_gap, options=options)
    values = winning_values(auction, wd)
    status, solves, generated = wd.status, 1, 0
    vcg = ref_out = mrc = None
    if rule == "pay_as_bid":
        pay = values.copy()
    else:
        model = model_for(auction, backend, time_limit=time_limit, mip_gap=mip_gap, options=options)
        vcg_arr, vcg_status, n = vcg_payments(auction, wd, model, report)
        status, solves = _worse(status, vcg_status), solves + n
        vcg = dict(zip(auction.bidders, map(float, vcg_arr)))
        if rule == "vcg":
            pay = vcg_arr
        else:
            ref = {"nearest_vcg": vcg_arr, "nearest_zero": np.zeros(auction.n_bidders),
                   "proxy": np.zeros(auction.n_bidders), "nearest_bid": values}.get(rule, ref_given)
            pay, mrc, generated, core_status, n = core_payments(
                auction, wd, vcg_arr, ref, backend=backend, time_limit=time_limit, mip_gap=mip_gap,
                options=options, report=report)
            status, solves = _worse(status, core_status), solves + n
            ref_out = dict(zip(auction.bidders, map(float, ref)))
    payments = {b: float(p) for b, p in zip(auction.bidders, pay)}
    return Payments(rule, payments, math.fsum(payments.values()), generated, wd, vcg, ref_out, mrc, status, solves,
                    time.perf_counter() - began)


def _payment_vector(auction: BidTable, payments: Any) -> np.ndarray:
    if isinstance(payments, Payments):
        payments = payments.payments
    if not isinstance(payments, Mapping):
        raise v.fail("payments", "a Payments result or a mapping {bidder: amount}", type(payments).__name__)
    out = np.zeros(auction.n_bidders)
    for bidder, amount in payments.items():
        k = v.lookup(str(bidder), "payments", auction.bidders)
        try:
            value = float(amount)
        except (TypeError, ValueError):
            raise v.fail(f"payments[{bidder!r}]", "a finite number", v._short(amount)) from None
        if not math.isfinite(value):
            raise v.fail(f"payments[{bidder!r}]", "a finite number", value)
        out[k] = value
    return out


def core_check(auction: BidTable, payments: Any, *, atol: float = 1e-9, rtol: float = 1e-9,
               backend: str = "highs") -> PropertyResult:
    """Core membership of a payment vector for the efficient allocation (see the module docstring).

    The worst violation is the larger of the worst individual-rationality breach
    (``p_k - value_k``) and the most violated coalition constraint, found by one
    MILP with the surpluses clipped at 0.
    """
    atol = v.tolerance(atol, "atol")
    rtol = v.tolerance(rtol, "rtol")
    pay = _payment_vector(auction, payments)
    wd = payments.winners if isinstance(payments, Payments) else winners_of(auction, backend)
    values = winning_values(auction, wd)
    scale = max([float(auction.bid_price.max()) if auction.n_bids else 0.0, float(np.abs(pay).max())])
    tolerance = atol + rtol * scale
    ir = pay - values
    worst_ir = int(np.argmax(ir))
    surplus = np.maximum(values - pay, 0.0)
    active = np.flatnonzero(surplus > 0)
    separation = _Separation(auction, wd, backend, None, None, None, active)
    chosen, coalition, value, status = separation.most_violated(surplus)
    inside = np.zeros(auction.n_bidders, dtype=bool)
    inside[list(coalition)] = True
    keeps = float(pay[~inside].sum() + values[inside].sum())     # what the seller and C get now
    gain = value - keeps
    violation = max(float(ir[worst_ir]), gain)
    witness = None
    if violation > tolerance or status != "optimal":
        if ir[worst_ir] >= gain:
            bidder = auction.bidders[worst_ir]
            witness = Witness(f"{bidder} pays {pay[worst_ir]:.6g}, more than her winning bids "
                              f"({values[worst_ir]:.6g}): she would rather not take part",
                              player=bidder, player_index=worst_ir, gain=float(ir[worst_ir]),
                              details={"coalition": [bidder], "payment": float(pay[worst_ir]),
                                       "value": float(values[worst_ir])})
        else:
            members = [auction.bidders[k] for k in sorted(coalition)]
            alloc = {b: [sort_bundle(s, auction.items) for s in bundles]
                     for b, bundles in allocation_of(auction, chosen).items() if bundles}
            text = "; ".join(f"{b} {{{', '.join(bundle)}}}" for b, bundles in alloc.items() for bundle in bundles)
            witness = Witness(f"coalition {members} blocks with the seller: its bids for {text} total {value:.6g}, "
                              f"more than the {keeps:.6g} the seller and the coalition get with these payments "
                              f"(gain {gain:.6g})", gain=float(gain),
                              details={"coalition": members, "allocation": alloc, "coalition_value": float(value),
                                       "current_value": keeps, "separation_status": status})
    holds = violation <= tolerance and status == "optimal"
    return PropertyResult("core", bool(holds), float(violation), witness, float(tolerance))


__all__ = ["CORE_RULES", "Payments", "RULES", "compute_payments", "core_check", "core_payments", "vcg_payments",
           "winning_values"]
