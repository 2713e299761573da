"""Winner determination: the allocation of bids that maximises reported welfare, as a MILP.

One binary variable ``x_j`` per bid; every item sold at most once
(``Σ_{j ∋ i} x_j ≤ 1``); in the XOR language at most one bid per bidder
(``Σ_{j of k} x_j ≤ 1``); maximise ``Σ_j price_j x_j``. Backends:

* ``"highs"`` (default): HiGHS through ``highspy`` (a core dependency);
* ``"scip"``: SCIP through ``pyscipopt`` (optional extra ``mechdesign[mip]``);
* ``"cpsat"``: OR-Tools CP-SAT (optional extra ``mechdesign[mip]``). CP-SAT needs
  integer objective coefficients: prices are scaled by ``2**k`` (largest price
  ≈ 2**40) and rounded; the rounding error is added to the reported gap.

A :class:`WDPModel` is built once and solved many times with changed prices,
excluded bidders and MIP starts: VCG payments (one solve per winner without
her) and core-constraint generation (one solve per constraint) reuse it. The
welfare reported is the exact sum of the chosen bids' prices (not the solver's
objective), and the chosen bids are checked for feasibility. Bids of price zero
are never allocated (they cannot raise welfare; this makes the allocation
independent of how a solver breaks such ties).

Statuses are results, not exceptions (docs/combinatorial.md): ``"optimal"``
(proved within ``mip_gap``), ``"time_limit"`` (best allocation found so far, with
its gap), ``"iteration_limit"``, ``"infeasible"`` (cannot arise for the plain
problem: selling nothing is feasible), ``"interrupted"``, ``"memory_limit"``.
A crash of the solver raises :class:`~mechdesign.errors.SolverError`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from mechdesign import _validation as v
from mechdesign.combinatorial.bids import BidTable, sort_bundle
from mechdesign.errors import SolverError

BACKENDS = ("highs", "scip", "cpsat")
DEFAULT_MIP_GAP = 1e-9
_LIMITS = {"time_limit", "iteration_limit", "solution_limit", "interrupted", "memory_limit"}


@dataclass(frozen=True)
class WinnerDetermination:
    """The winners of a combinatorial auction.

    Attributes
    ----------
    allocation : dict
        ``{bidder: [bundle, ...]}`` for every bidder (an empty list for losers;
        one bundle at most in the XOR language). Bundles are frozensets of items.
    welfare : float
        Reported welfare of the allocation: the sum of the winning bids' prices.
    status : str
        ``"optimal"``, ``"time_limit"``, ... (module docstring).
    gap : float
        Relative gap ``(bound - welfare) / max(|bound|, 1e-12)`` (0 when proved optimal
        exactly; ≤ ``mip_gap`` when ``status == "optimal"``).
    bound : float
        The solver's upper bound on the optimal welfare.
    backend : str
    winning_bids : tuple of int
        Indices of the winning bids in ``auction.bids``.
    values : dict
        ``{bidder: sum of her winning bids' prices}`` (0 for losers).
    time : float
        Wall-clock seconds (model building and solving).
    """

    allocation: dict[str, list[frozenset[str]]]
    welfare: float
    status: str
    gap: float
    bound: float
    backend: str
    winning_bids: tuple[int, ...]
    values: dict[str, float]
    time: float
    items: tuple[str, ...] = field(default=(), repr=False)

    @property
    def winners(self) -> tuple[str, ...]:
        """Bidders who win at least one bundle."""
        return tuple(b for b, bundles in self.allocation.items() if bundles)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        order = self.items or None
        return {"allocation": {b: [sort_bundle(s, order) for s in bundles] for b, bundles in self.allocation.items()},
                "welfare": self.welfare, "status": self.status, "gap": self.gap, "bound": self.bound,
                "backend": self.backend, "winning_bids": list(self.winning_bids), "values": dict(self.values),
                "time": self.time}

    def summary(self) -> str:
        """A few lines: status, welfare and the winning bundles."""
        order = self.items or None
        won = [f"{b} {{{', '.join(sort_bundle(s, order))}}}" for b, bundles in self.allocation.items() for s in bundles]
        return (f"winner determination ({self.backend}): {self.status}, welfare {self.welfare:.6g}, "
                f"gap {self.gap:.2g}\n  winners: " + ("; ".join(won) if won else "none"))

    def to_frame(self):
        """A pandas DataFrame: one row per bidder (``wins``, ``value``)."""
        from mechdesign.display.combinatorial import winners_frame

        return winners_frame(self)

    def _repr_html_(self) -> str:
        from mechdesign.display import combinatorial

        return combinatorial.winners(self)

    def __repr__(self) -> str:
        return f"WinnerDetermination(welfare={self.welfare:.6g}, status={self.status!r}, winners={list(self.winners)})"


@dataclass
class RawSolve:
    """One solve of a :class:`WDPModel`: chosen bids (and participating bidders), status, bound."""

    chosen: np.ndarray          # indices of chosen bids
    status: str
    bound: float                # upper bound on the objective (nan if unknown)
    objective: float            # exact objective of the chosen bids under the solve's prices
    time: float


def check_backend(backend: Any) -> str:
    """Validate a backend name and that its package can be imported."""
    v.choice(backend, "backend", BACKENDS)
    if backend == "scip":
        try:
            import pyscipopt  # noqa: F401
        except ImportError:  # pragma: no cover - depends on the installation
            raise v.fail("backend", "an installed solver ('scip' needs pyscipopt: pip install "
                         "'mechdesign[mip]')", "'scip'") from None
    if backend == "cpsat":
        try:
            import ortools.sat.python.cp_model  # noqa: F401
        except ImportError:  # pragma: no cover - depends on the installation
            raise v.fail("backend", "an installed solver ('cpsat' needs ortools: pip install "
                         "'mechdesign[mip]')", "'cpsat'") from None
    return backend


def _limits(time_limit: Any, mip_gap: Any) -> tuple[float | None, float]:
    if time_limit is not None:
        time_limit = v.tolerance(time_limit, "time_limit")
        if time_limit == 0:
            raise v.fail("time_limit", "a positive number of seconds", 0)
    gap = DEFAULT_MIP_GAP if mip_gap is None else v.tolerance(mip_gap, "mip_gap")
    return time_limit, gap


class WDPModel:
    """A winner-determination MILP built once and solved repeatedly.

    Parameters
    ----------
    auction : CombinatorialAuction
    backend, time_limit, mip_gap, options
        As in :meth:`CombinatorialAuction.winners`; the time limit applies to each solve.
    participation : sequence of int
        Bidders (indices) that get a binary column ``y_k ≥ x_j`` for each of their bids,
        with a cost charged when they win anything (core separation in the OR language).
    """

    def __init__(self, auction: BidTable, backend: str = "highs", *, time_limit: Any = None,
                 mip_gap: Any = None, options: Mapping[str, Any] | None = None, participation: Sequence[int] = ()):
        self.auction = auction
        self.backend = check_backend(backend)
        self.time_limit, self.mip_gap = _limits(time_limit, mip_gap)
        if options is not None and not isinstance(options, Mapping):
            raise v.fail("options", "a mapping of solver options", type(options).__name__)
        self.options = dict(options or {})
        self.participation = np.asarray(list(participation), dtype=np.int64)
        self.n_x = auction.n_bids
        self.n_cols = self.n_x + self.participation.size
        self.matrix = self._matrix()
        self._impl = {"highs": _HighsImpl, "scip": _ScipImpl, "cpsat": _CpSatImpl}[self.backend](self)

    def _matrix(self) -> sp.csc_matrix:
        """Rows ``A z ≤ 1`` (items, XOR bidders) and ``x_j - y_k ≤ 0`` (participation)."""
        auc = self.auction
        blocks = []
        items = auc.incidence.T.tocsr()                                  # items x bids
        crowded = np.flatnonzero(np.diff(items.indptr) > 1)              # items with 2+ bids need a row
        blocks.append(items[crowded])
        if auc.language == "xor":
            owner = sp.csr_matrix((np.ones(auc.n_bids), (auc.bid_bidder, np.arange(auc.n_bids))),
                                  shape=(auc.n_bidders, auc.n_bids))
            blocks.append(owner[np.flatnonzero(np.diff(owner.indptr) > 1)])
        upper = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, auc.n_bids))
        upper = sp.hstack([upper, sp.csr_matrix((upper.shape[0], self.participation.size))], format="csr")
        self.n_packing_rows = upper.shape[0]
        rows, cols, vals = [], [], []
        r = 0
        for pos, bidder in enumerate(self.participation):
            for j in np.flatnonzero(auc.bid_bidder == bidder):
                rows += [r, r]
                cols += [int(j), self.n_x + pos]
                vals += [1.0, -1.0]
                r += 1
        link = sp.csr_matrix((vals, (rows, cols)), shape=(r, self.n_cols))
        return sp.vstack([upper, link], format="csc")

    def row_upper(self) -> np.ndarray:
        return np.concatenate([np.ones(self.n_packing_rows), np.zeros(self.matrix.shape[0] - self.n_packing_rows)])

    def solve(self, prices: np.ndarray | None = None, *, exclude: Sequence[int] = (),
              participation_cost: np.ndarray | None = None, start: Sequence[int] | None = None) -> RawSolve:
        """Maximise ``Σ prices_j x_j − Σ cost_k y_k`` with the bids of ``exclude`` (bidder indices) fixed out.

        ``start`` (indices of bids) is a feasible allocation handed to the solver as an incumbent.
        """
        auc = self.auction
        prices = auc.bid_price if prices is None else np.asarray(prices, dtype=float)
        cost = np.zeros(self.participation.size) if participation_cost is None else np.asarray(participation_cost)
        upper = np.ones(self.n_cols)
        excluded = np.isin(auc.bid_bidder, np.asarray(list(exclude), dtype=np.int64))
        upper[:self.n_x][excluded] = 0.0
        upper[:self.n_x][prices <= 0] = 0.0        # a bid that cannot add welfare is never chosen
        objective = np.concatenate([prices, -cost])
        start_vec = None
        if start is not None:
            start_vec = np.zeros(self.n_cols)
            chosen = np.asarray(list(start), dtype=np.int64)
            chosen = chosen[upper[chosen] > 0]
            start_vec[chosen] = 1.0
            for pos, bidder in enumerate(self.participation):
                if np.any(auc.bid_bidder[chosen] == bidder):
                    start_vec[self.n_x + pos] = 1.0
        began = time.perf_counter()
        if not np.any(upper[:self.n_x] > 0):
            return RawSolve(np.zeros(0, dtype=np.int64), "optimal", 0.0, 0.0, time.perf_counter() - began)
        status, z, bound = self._impl.run(objective, upper, start_vec)
        chosen = np.zeros(0, dtype=np.int64) if z is None else np.flatnonzero(z[:self.n_x] > 0.5)
        chosen = chosen[upper[chosen] > 0]
        if not auc.is_feasible(chosen.tolist()):
            raise SolverError(f"{self.backend}: the solver returned an infeasible allocation (bids {chosen.tolist()})")
        owners = set(auc.bid_bidder[chosen].tolist())
        value = math.fsum(prices[chosen]) - math.fsum(c for k, c in zip(self.participation, cost) if k in owners)
        if status == "infeasible":
            bound = math.nan
        return RawSolve(chosen, status, float(bound), value, time.perf_counter() - began)


def relative_gap(value: float, bound: float) -> float:
    """``(bound - value) / max(|bound|, 1e-12)``, clipped at 0; nan bound → inf."""
    if not math.isfinite(bound):
        return math.inf
    return max(0.0, (bound - value) / max(abs(bound), 1e-12))


# ------------------------------------------------------------------- backends
class _HighsImpl:
    _STATUS = {"kOptimal": "optimal", "kInfeasible": "infeasible", "kTimeLimit": "time_limit",
               "kIterationLimit": "iteration_limit", "kSolutionLimit": "solution_limit",
               "kInterrupt": "interrupted", "kHighsInterrupt": "interrupted", "kMemoryLimit": "memory_limit",
               "kModelEmpty": "optimal", "kObjectiveBound": "iteration_limit", "kObjectiveTarget": "iteration_limit"}

    def __init__(self, model: WDPModel):
        import highspy

        self.hs = highspy
        if "threads" in model.options:
            # HiGHS keeps one thread scheduler per process; another thread count needs a fresh one
            highspy._Highs.resetGlobalScheduler(True)
        h = highspy._Highs()
        defaults = {"output_flag": False, "mip_rel_gap": model.mip_gap, "mip_abs_gap": 1e-12,
                    "mip_feasibility_tolerance": 1e-9, "primal_feasibility_tolerance": 1e-9}
        for name, value in {**defaults, **model.options}.items():
            if isinstance(value, (np.integer, np.floating)):
                value = value.item()
            if h.setOptionValue(name, value) == highspy.HighsStatus.kError:
                raise v.fail(f"options[{name!r}]", "a HiGHS option name with a value of its type", repr(value))
        a = model.matrix
        inf = highspy.kHighsInf
        n = model.n_cols
        status = h.passModel(n, int(a.shape[0]), int(a.nnz), int(highspy.MatrixFormat.kColwise),
                             int(highspy.ObjSense.kMaximize), 0.0, np.zeros(n), np.zeros(n), np.ones(n),
                             np.full(a.shape[0], -inf), model.row_upper(), a.indptr.astype(np.int32),
                             a.indices.astype(np.int32), a.data.astype(np.float64), np.ones(n, np.int32))
        if status == highspy.HighsStatus.kError:
            raise SolverError("highs: the winner-determination model was rejected")
        self.h = h
        self.model = model
        self.all_cols = np.arange(n, dtype=np.int32)

    def run(self, objective, upper, start):
        h = self.h
        n = self.model.n_cols
        h.changeColsCost(n, self.all_cols, objective.astype(np.float64))
        h.changeColsBounds(n, self.all_cols, np.zeros(n), upper.astype(np.float64))
        status, z, bound, reported = self._run(start)
        if start is not None and z is not None and status == "optimal":
            # HiGHS 1.16 may return the MIP start itself with the objective of a better solution it found
            # (seen after presolve maps the start): check the solution's own objective, else solve cold
            value = float(objective @ np.round(z))
            if value < reported - 1e-9 * max(1.0, abs(reported)):
                status, z, bound, reported = self._run(None)
        return status, z, bound

    def _run(self, start):
        h, hs = self.h, self.hs
        if self.model.time_limit is not None:
            # HiGHS's clock runs across calls on one object: the limit is for this solve
            h.setOptionValue("time_limit", float(h.getRunTime() + self.model.time_limit))
        h.clearSolver()
        if start is not None:
            sol = hs.HighsSolution()
            sol.col_value = start.tolist()
            sol.value_valid = True
            h.setSolution(sol)
        try:
            h.run()
        except Exception as exc:  # pragma: no cover - a solver crash
            raise SolverError(f"highs: {type(exc).__name__}: {exc}") from exc
        name = h.getModelStatus().name
        status = self._STATUS.get(name)
        if status is None:
            raise SolverError(f"highs: winner determination failed ({h.modelStatusToString(h.getModelStatus())})")
        info = h.getInfo()
        z = None
        if info.primal_solution_status == 2:
            z = np.asarray(h.getSolution().col_value, dtype=float)
        reported = float(info.objective_function_value)
        bound = float(info.mip_dual_bound) if status != "infeasible" else math.nan
        if status == "optimal" and not math.isfinite(bound):
            bound = reported
        return status, z, bound, reported


class _ScipImpl:
    _STATUS = {"optimal": "optimal", "gaplimit": "optimal", "timelimit": "time_limit", "infeasible": "infeasible",
               "nodelimit": "iteration_limit", "totalnodelimit": "iteration_limit",
               "stallnodelimit": "iteration_limit", "sollimit": "solution_limit", "bestsollimit": "solution_limit",
               "userinterrupt": "interrupted", "memlimit": "memory_limit", "restartlimit": "iteration_limit"}

    def __init__(self, model: WDPModel):
        import pyscipopt

        self.scip = pyscipopt
        self.model = model
        self._build()

    def _build(self) -> None:
        # SCIP keeps every MIP start it is given (up to limits/maxorigsol): a model solved many
        # times with starts is rebuilt rather than reused
        model, pyscipopt = self.model, self.scip
        m = pyscipopt.Model()
        m.hideOutput()
        params = {"limits/gap": model.mip_gap, "limits/absgap": 1e-12, **model.options}
        for name, value in params.items():
            try:
                m.setParam(name, value.item() if isinstance(value, (np.integer, np.floating)) else value)
            except (KeyError, LookupError, TypeError, ValueError) as exc:
                raise v.fail(f"options[{name!r}]", "a SCIP parameter name with a value of its type",
                             f"{value!r} ({exc})") from None
        self.vars = [m.addVar(vtype="B", name=f"z{j}") for j in range(model.n_cols)]
        a = model.matrix.tocsr()
        upper = model.row_upper()
        for r in range(a.shape[0]):
            cols = a.indices[a.indptr[r]:a.indptr[r + 1]]
            vals = a.data[a.indptr[r]:a.indptr[r + 1]]
            m.addCons(pyscipopt.quicksum(float(c) * self.vars[k] for k, c in zip(cols, vals)) <= float(upper[r]))
        self.m = m
        self.solved = False

    def run(self, objective, upper, start):
        if self.solved:
            self._build()
        m, scip = self.m, self.scip
        for var, ub in zip(self.vars, upper):
            m.chgVarUb(var, float(ub))
        m.setObjective(scip.quicksum(float(c) * var for c, var in zip(objective, self.vars) if c != 0),
                       "maximize")
        if self.model.time_limit is not None:
            m.setParam("limits/time", float(self.model.time_limit))
        if start is not None:
            sol = m.createPartialSol()
            for var, val in zip(self.vars, start):
                m.setSolVal(sol, var, float(val))
            m.addSol(sol)
        try:
            m.optimize()
        except Exception as exc:  # pragma: no cover - a solver crash
            raise SolverError(f"scip: {type(exc).__name__}: {exc}") from exc
        self.solved = True
        status = self._STATUS.get(m.getStatus())
        if status is None:
            raise SolverError(f"scip: winner determination failed (status {m.getStatus()!r})")
        z = None
        if m.getNSols() > 0:
            best = m.getBestSol()
            z = np.array([m.getSolVal(best, var) for var in self.vars])
        bound = float(m.getDualbound()) if status != "infeasible" else math.nan
        return status, z, bound


class _CpSatImpl:
    _SCALE_BITS = 40

    def __init__(self, model: WDPModel):
        from ortools.sat.python import cp_model

        self.cp = cp_model
        self.model = model
        for name in model.options:
            if not hasattr(cp_model.CpSolver().parameters, name):
                raise v.fail(f"options[{name!r}]", "a CP-SAT parameter name (e.g. num_workers, random_seed)",
                             repr(model.options[name]))
        self.rows = model.matrix.tocsr()

    def run(self, objective, upper, start):
        cp = self.cp
        m = cp.CpModel()
        n = self.model.n_cols
        z = [m.NewBoolVar(f"z{j}") if upper[j] > 0 else m.NewConstant(0) for j in range(n)]
        a = self.rows
        packing = self.model.n_packing_rows
        for r in range(a.shape[0]):
            cols = a.indices[a.indptr[r]:a.indptr[r + 1]]
            if r < packing:                             # items and XOR bidders: at most one (CP-SAT's own constraint)
                live = [z[k] for k in cols if upper[k] > 0]
                if len(live) > 1:
                    m.AddAtMostOne(live)
            else:                                       # x_j <= y_k
                j, y = (int(k) for k in cols)
                if upper[j] > 0:
                    m.AddImplication(z[j], z[y])
        largest = float(np.max(np.abs(objective))) if objective.size else 0.0
        scale = 2.0 ** (self._SCALE_BITS - math.ceil(math.log2(largest))) if largest > 0 else 1.0
        coef = np.rint(objective * scale).astype(np.int64)
        m.Maximize(sum(int(c) * z[j] for j, c in enumerate(coef) if c != 0 and upper[j] > 0))
        if start is not None:
            for j in range(n):
                if upper[j] > 0:
                    m.AddHint(z[j], int(start[j] > 0.5))
        solver = cp.CpSolver()
        params = solver.parameters
        params.relative_gap_limit = float(self.model.mip_gap)
        if self.model.time_limit is not None:
            params.max_time_in_seconds = float(self.model.time_limit)
        for name, value in self.model.options.items():
            try:
                setattr(params, name, value.item() if isinstance(value, (np.integer, np.floating)) else value)
            except (TypeError, ValueError, AttributeError) as exc:
                raise v.fail(f"options[{name!r}]", "a CP-SAT parameter with a value of its type",
                             f"{value!r} ({exc})") from None
        code = solver.Solve(m)
        name = solver.StatusName(code)
        if name == "MODEL_INVALID":
            raise SolverError(f"cpsat: the model was rejected ({m.Validate()})")
        if name == "INFEASIBLE":
            return "infeasible", None, math.nan
        vals = None
        if name in {"OPTIMAL", "FEASIBLE"}:
            vals = np.array([solver.Value(var) if upper[j] > 0 else 0 for j, var in enumerate(z)], dtype=float)
        # rounding each coefficient moves the objective of any allocation by ≤ (#chosen)/2 units of 1/scale
        slack = 0.5 * n / scale
        bound = float(solver.BestObjectiveBound()) / scale + slack
        if name == "OPTIMAL":
            status = "optimal"
        elif vals is not None:
            value = float(coef[vals > 0.5].sum()) / scale
            status = "optimal" if relative_gap(value, float(solver.BestObjectiveBound()) / scale) <= \
                self.model.mip_gap else "time_limit"
        else:
            status = "time_limit"
        return status, vals, bound


# ------------------------------------------------------------------ front end
def allocation_of(auction: BidTable, chosen: Sequence[int]) -> dict[str, list[frozenset[str]]]:
    """``{bidder: [bundles]}`` for the chosen bid indices (every bidder listed)."""
    allocation: dict[str, list[frozenset[str]]] = {b: [] for b in auction.bidders}
    for j in chosen:
        bid = auction.bids[int(j)]
        allocation[bid.bidder].append(bid.bundle)
    return allocation


def result_from(auction: BidTable, raw: RawSolve, backend: str, elapsed: float) -> WinnerDetermination:
    """Wrap a :class:`RawSolve` of the plain problem as a :class:`WinnerDetermination`."""
    welfare = raw.objective
    bound = raw.bound if math.isfinite(raw.bound) else math.nan
    if math.isnan(bound) and raw.status != "infeasible":
        bound = trivial_bound(auction)              # the solver stopped before it had a bound
    if raw.status == "optimal":
        bound = max(bound, welfare) if math.isfinite(bound) else welfare
    gap = relative_gap(welfare, bound) if math.isfinite(bound) else math.inf
    if raw.status == "optimal" and gap <= 1e-12:
        gap = 0.0
    chosen = tuple(int(j) for j in raw.chosen)
    values = {b: 0.0 for b in auction.bidders}
    for j in chosen:
        values[auction.bids[j].bidder] += float(auction.bid_price[j])
    return WinnerDetermination(allocation_of(auction, chosen), welfare, raw.status, gap, bound, backend,
                               chosen, values, elapsed, auction.items)


def trivial_bound(auction: BidTable) -> float:
    """An upper bound on welfare without solving: each bidder's best bid (XOR) or all her bids (OR)."""
    best = np.zeros(auction.n_bidders)
    if auction.language == "xor":
        np.maximum.at(best, auction.bid_bidder, auction.bid_price)
    else:
        np.add.at(best, auction.bid_bidder, auction.bid_price)
    return float(best.sum())


def _check_auction(auction: Any) -> None:
    if not isinstance(auction, BidTable):
        raise v.fail("auction", "a CombinatorialAuction", type(auction).__name__)


def _settings(backend: Any, time_limit: Any, mip_gap: Any, options: Any) -> tuple:
    items = tuple(sorted((str(k), repr(val)) for k, val in options.items())) if isinstance(options, Mapping) else options
    return (backend, time_limit, mip_gap, items)


def model_for(auction: BidTable, backend: str = "highs", *, time_limit: Any = None, mip_gap: Any = None,
              options: Mapping[str, Any] | None = None, participation: Sequence[int] = ()) -> WDPModel:
    """The :class:`WDPModel` of ``auction`` for these settings, built once and kept with the auction."""
    _check_auction(auction)
    key = ("model", _settings(backend, time_limit, mip_gap, options), tuple(int(k) for k in participation))
    if key not in auction._solved:
        auction._solved[key] = WDPModel(auction, backend, time_limit=time_limit, mip_gap=mip_gap, options=options,
                                        participation=participation)
    return auction._solved[key]


def winners_of(auction: BidTable, backend: str = "highs", *, time_limit: Any = None, mip_gap: Any = None,
               options: Mapping[str, Any] | None = None) -> WinnerDetermination:
    """The efficient allocation of ``auction`` for these settings, solved once and kept with the auction."""
    _check_auction(auction)
    key = ("winners", _settings(backend, time_limit, mip_gap, options))
    if key not in auction._solved:
        model = model_for(auction, backend, time_limit=time_limit, mip_gap=mip_gap, options=options)
        auction._solved[key] = solve_wdp(auction, model=model)
    return auction._solved[key]


def solve_wdp(auction: BidTable, *, backend: str = "highs", time_limit: Any = None,
              mip_gap: Any = None, options: Mapping[str, Any] | None = None,
              model: WDPModel | None = None) -> WinnerDetermination:
    """Solve the winner-determination problem of ``auction`` (see the module docstring).

    ``model`` (built for ``auction``) replaces the other settings when given.
    """
    _check_auction(auction)
    began = time.perf_counter()
    if model is None:
        model = WDPModel(auction, backend, time_limit=time_limit, mip_gap=mip_gap, options=options)
    raw = model.solve(start=greedy_allocation(auction))
    return result_from(auction, raw, model.backend, time.perf_counter() - began)


def greedy_allocation(auction: BidTable) -> list[int]:
    """A feasible allocation to start from: bids by decreasing price, each taken if it still fits."""
    taken: list[int] = []
    used: set[str] = set()
    owners: set[int] = set()
    for j in np.argsort(-auction.bid_price, kind="stable"):
        bid = auction.bids[int(j)]
        owner = int(auction.bid_bidder[j])
        if bid.price <= 0 or bid.bundle & used or (auction.language == "xor" and owner in owners):
            continue
        taken.append(int(j))
        used |= bid.bundle
        owners.add(owner)
    return taken


__all__ = ["BACKENDS", "RawSolve", "WDPModel", "WinnerDetermination", "allocation_of", "check_backend", "greedy_allocation",
           "relative_gap", "result_from", "solve_wdp"]
