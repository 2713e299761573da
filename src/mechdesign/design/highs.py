"""Solving a :class:`~mechdesign.design.model.DesignModel` with HiGHS (``highspy``).

The model goes to HiGHS as CSC arrays through ``passModel`` (no dense matrix).
Solver outcomes become statuses (``docs/conventions.md``), never exceptions: ``optimal``,
``infeasible``, ``unbounded``, ``time_limit``, ``iteration_limit``,
``solution_limit``, ``interrupted``, ``memory_limit``, ``solver_error``, ``unknown``.

For infeasible LPs, :func:`elastic_duals` solves the elastic (phase-one) LP
``min Σ s  s.t.  a·z − s ≤ b`` whose optimal row duals are a Farkas ray.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from mechdesign import _validation as v
from mechdesign.design.model import DesignModel, LPArrays
from mechdesign.errors import SpecError

#: Our defaults (tight tolerances: the audits re-check the solution at 1e-9; no log file).
#: Options that write files (``solution_file``, ``write_model_file``, ...) reach HiGHS only when
#: a Python caller passes them explicitly; specs and the CLI cannot (``mechdesign.io.options``).
DEFAULT_OPTIONS: dict[str, Any] = {
    "output_flag": False,
    "log_file": "",
    "primal_feasibility_tolerance": 1e-9,
    "dual_feasibility_tolerance": 1e-9,
    "mip_rel_gap": 1e-9,
    "mip_feasibility_tolerance": 1e-9,
}

_STATUS = {
    "kOptimal": "optimal",
    "kInfeasible": "infeasible",
    "kUnbounded": "unbounded",
    "kUnboundedOrInfeasible": "infeasible_or_unbounded",
    "kTimeLimit": "time_limit",
    "kIterationLimit": "iteration_limit",
    "kSolutionLimit": "solution_limit",
    "kInterrupt": "interrupted",
    "kHighsInterrupt": "interrupted",
    "kMemoryLimit": "memory_limit",
    "kModelEmpty": "optimal",
    "kObjectiveBound": "objective_bound",
    "kObjectiveTarget": "objective_target",
}


@dataclass
class SolveOutcome:
    """What HiGHS returned: status, message, primal values and objective, timing."""

    status: str
    message: str
    x: np.ndarray | None
    objective: float | None
    solve_time: float
    mip_gap: float | None = None


def _new_highs(options: dict[str, Any]) -> Any:
    # highspy.Highs prints a banner on first construction; the core class does not.
    if "threads" in options:
        # HiGHS keeps one thread scheduler per process; a new thread count needs a fresh one
        highspy._Highs.resetGlobalScheduler(True)
    h = highspy._Highs()
    for name, value in {**DEFAULT_OPTIONS, **options}.items():
        if isinstance(value, (np.integer, np.floating)):
            value = value.item()
        status = h.setOptionValue(name, value)
        if status == highspy.HighsStatus.kError:
            raise v.fail(f"options[{name!r}]", "a HiGHS option name (e.g. time_limit, threads, presolve, solver, "
                         "primal_feasibility_tolerance, mip_rel_gap) with a value of its type", repr(value))
    return h


def check_options(options: dict[str, Any]) -> None:
    """Raise SpecError for an unknown HiGHS option or a value of the wrong type."""
    _new_highs(options)


def _pass(h: Any, lp: LPArrays) -> None:
    sense = highspy.ObjSense.kMaximize if lp.maximize else highspy.ObjSense.kMinimize
    inf = highspy.kHighsInf
    matrix = lp.matrix
    n_cols = int(matrix.shape[1])
    integrality = np.zeros(n_cols, np.int32) if lp.integrality is None else lp.integrality.astype(np.int32)
    status = h.passModel(n_cols, int(matrix.shape[0]), int(matrix.nnz),
                         int(highspy.MatrixFormat.kColwise), int(sense), 0.0,
                         np.ascontiguousarray(lp.cost, dtype=np.float64),
                         *(np.nan_to_num(a, neginf=-inf, posinf=inf)
                           for a in (lp.col_lower, lp.col_upper, lp.row_lower, lp.row_upper)),
                         matrix.indptr.astype(np.int32), matrix.indices.astype(np.int32),
                         matrix.data.astype(np.float64), integrality)
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS rejected the model")


def solve(lp: LPArrays, options: dict[str, Any]) -> SolveOutcome:
    """Solve the model; solver trouble is reported in the status, not raised."""
    start = time.perf_counter()
    try:
        h = _new_highs(options)
        _pass(h, lp)
        h.run()
        status = _STATUS.get(h.getModelStatus().name, "unknown")
        if status == "infeasible_or_unbounded":
            # presolve could not tell; the simplex without presolve can
            h.setOptionValue("presolve", "off")
            h.clearSolver()
            h.run()
            status = _STATUS.get(h.getModelStatus().name, "unknown")
        message = h.modelStatusToString(h.getModelStatus())
    except Exception as exc:  # a crash inside the solver is a status, not an exception for the caller
        if isinstance(exc, SpecError):
            raise
        return SolveOutcome("solver_error", f"{type(exc).__name__}: {exc}", None, None, time.perf_counter() - start)
    x = objective = gap = None
    info = h.getInfo()
    if status == "optimal" or (status in {"time_limit", "iteration_limit", "solution_limit", "interrupted"}
                               and info.primal_solution_status == 2):
        x = np.asarray(h.getSolution().col_value, dtype=float)
        objective = float(info.objective_function_value)
        if lp.integrality is not None:
            gap = float(info.mip_gap)
    return SolveOutcome(status, message, x, objective, time.perf_counter() - start, gap)


def elastic_duals(model: DesignModel, options: dict[str, Any]) -> tuple[np.ndarray, float] | None:
    """Farkas weights of an infeasible LP from the elastic LP's duals.

    Returns ``(w, gap)``: weights ``w`` on the rows written ``a·z ≤ b`` (≥ 0 for
    inequalities, free for equalities) and the total infeasibility ``gap > 0``
    (the elastic optimum); ``None`` if the elastic LP does not confirm infeasibility.
    """
    lp = model.arrays()
    matrix = lp.matrix
    n_rows, n_cols = matrix.shape
    row_lower, row_upper = lp.row_lower, lp.row_upper
    equality = np.isfinite(row_lower)
    eq_rows = np.flatnonzero(equality)
    # a·z − s_minus ≤ b for every row; a·z + s_plus ≥ b for equalities
    minus = sp.csc_matrix((-np.ones(n_rows), (np.arange(n_rows), np.arange(n_rows))), shape=(n_rows, n_rows))
    plus = sp.csc_matrix((np.ones(eq_rows.size), (eq_rows, np.arange(eq_rows.size))), shape=(n_rows, eq_rows.size))
    full = sp.hstack([matrix, minus, plus], format="csc")
    cost = np.concatenate([np.zeros(n_cols), np.ones(n_rows + eq_rows.size)])
    col_lower, col_upper = model.col_bounds()
    col_lower = np.concatenate([col_lower, np.zeros(n_rows + eq_rows.size)])
    col_upper[:model.layout.m_offset] = math.inf   # p ≤ 1 is implied; the certificate uses p ≥ 0 only
    col_upper = np.concatenate([col_upper, np.full(n_rows + eq_rows.size, math.inf)])
    own = {k: val for k, val in options.items() if k in {"threads", "time_limit", "random_seed"}}
    h = _new_highs({**own, "presolve": "off"})
    _pass(h, LPArrays(cost, full, row_lower, row_upper, col_lower, col_upper, False))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    gap = float(h.getInfo().objective_function_value)
    if gap <= 1e-9:
        return None
    y = np.asarray(h.getSolution().row_dual, dtype=float)
    w = -y
    w[~equality] = np.maximum(w[~equality], 0.0)
    return w, gap


class LiveLP:
    """A HiGHS model kept alive between solves, so that rows can be added and the solve resumed warm.

    After :meth:`add_rows` the simplex restarts from the previous optimal basis
    (the new rows' slacks enter it as basic), which is what makes constraint
    generation cheap: each round re-optimises only what the new rows cut off.
    """

    def __init__(self, lp: LPArrays, options: dict[str, Any]):
        self.options = options
        self.integer = lp.integrality is not None
        self.n_rows = int(lp.matrix.shape[0])
        self._h = _new_highs(options)
        self._point: np.ndarray | None = None
        _pass(self._h, lp)

    def add_rows(self, matrix: sp.csr_matrix, lower: np.ndarray, upper: np.ndarray) -> None:
        """Append rows ``lower ≤ matrix·z ≤ upper`` (−inf / inf for one-sided rows)."""
        matrix = sp.csr_matrix(matrix)
        matrix.sum_duplicates()
        inf = highspy.kHighsInf
        status = self._h.addRows(int(matrix.shape[0]), np.nan_to_num(np.asarray(lower, float), neginf=-inf, posinf=inf),
                                 np.nan_to_num(np.asarray(upper, float), neginf=-inf, posinf=inf), int(matrix.nnz),
                                 matrix.indptr[:-1].astype(np.int32), matrix.indices.astype(np.int32),
                                 matrix.data.astype(np.float64))
        if status == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS rejected the added rows")
        self.n_rows += int(matrix.shape[0])

    def run(self) -> SolveOutcome:
        """Solve (warm after the first call); like :func:`solve`, trouble is a status."""
        start = time.perf_counter()
        h = self._h
        try:
            h.run()
            status = _STATUS.get(h.getModelStatus().name, "unknown")
            if status == "infeasible_or_unbounded":
                h.setOptionValue("presolve", "off")
                h.run()
                status = _STATUS.get(h.getModelStatus().name, "unknown")
                h.setOptionValue("presolve", self.options.get("presolve", "choose"))
            message = h.modelStatusToString(h.getModelStatus())
        except Exception as exc:  # a crash inside the solver is a status, not an exception for the caller
            return SolveOutcome("solver_error", f"{type(exc).__name__}: {exc}", None, None, time.perf_counter() - start)
        x = objective = gap = None
        info = h.getInfo()
        self._point = None
        if info.primal_solution_status == 2:
            self._point = np.asarray(h.getSolution().col_value, dtype=float)
        if status == "optimal" or (status in {"time_limit", "iteration_limit", "solution_limit", "interrupted"}
                                   and info.primal_solution_status == 2):
            x = np.asarray(h.getSolution().col_value, dtype=float)
            objective = float(info.objective_function_value)
            if self.integer:
                gap = float(info.mip_gap)
        return SolveOutcome(status, message, x, objective, time.perf_counter() - start, gap)

    def last_point(self) -> np.ndarray | None:
        """The last solve's primal point when it was feasible (also for an ``unbounded`` status)."""
        return self._point

    def primal_ray(self) -> np.ndarray | None:
        """A direction of unboundedness after an ``unbounded`` solve, if HiGHS has one."""
        try:
            status, has_ray, ray = self._h.getPrimalRay()
        except Exception:
            return None
        if status == highspy.HighsStatus.kError or not has_ray:
            return None
        return np.asarray(ray, dtype=float)

    @property
    def simplex_iterations(self) -> int:
        return int(self._h.getInfo().simplex_iteration_count)
