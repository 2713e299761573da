"""``design``: optimal direct mechanisms by linear programming, or a certificate that none exists."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.analysis import properties as audits
from mechdesign.analysis.results import PropertyResult, Witness
from mechdesign.design import constraints as cons
from mechdesign.design import cutting, highs, reduced_form
from mechdesign.design.certificate import ExactRows, FarkasCertificate
from mechdesign.design.model import DesignModel, Layout, RowBlock, mechanism_from_solution
from mechdesign.design.objectives import OBJECTIVES, objective_coefficients
from mechdesign.design.result import DesignResult, Verification
from mechdesign.design.symmetry import Reduction, swap_symmetries
from mechdesign.mechanisms.direct import DirectMechanism, decision_rule
from mechdesign.mechanisms.efficient import efficient_decision
from mechdesign.model.environment import Environment

#: Options handled by mechdesign itself (everything else goes to HiGHS).
OWN_OPTIONS = {"atol": 1e-9, "rtol": 1e-9, "certificate": True, "max_certificate_rows": 5000, "symmetry": False,
               "max_rounds": 50, "max_columns": 5000}

#: The methods of :func:`design`.
METHODS = ("auto", "full", "cutting_plane", "reduced_form")

#: ``method="auto"`` generates constraints when the full LP would hold more incentive/participation rows than this.
AUTO_CUTTING_ROWS = 20_000

_AUDITS = {
    "dsic": lambda m, a, r: audits.is_dsic(m, atol=a, rtol=r),
    "bic": lambda m, a, r: audits.is_bic(m, atol=a, rtol=r),
    "ir_ex_post": lambda m, a, r: audits.is_ir(m, "ex_post", atol=a, rtol=r),
    "ir_interim": lambda m, a, r: audits.is_ir(m, "interim", atol=a, rtol=r),
    "ir_ex_ante": lambda m, a, r: audits.is_ir(m, "ex_ante", atol=a, rtol=r),
    "budget_weak": lambda m, a, r: audits.is_budget_balanced(m, "weak", atol=a, rtol=r),
    "budget_strong": lambda m, a, r: audits.is_budget_balanced(m, "strong", atol=a, rtol=r),
    "budget_ex_ante": lambda m, a, r: audits.is_budget_balanced(m, "weak", ex_ante=True, atol=a, rtol=r),
}

def _parse_constraints(constraints: Any) -> tuple[list[str], list[cons.LinearConstraint]]:
    if isinstance(constraints, (str, cons.LinearConstraint)):
        constraints = [constraints]
    if constraints is None or not hasattr(constraints, "__iter__"):
        raise v.fail("constraints", f"a list of names among {list(cons.CONSTRAINTS)} and LinearConstraint objects",
                     repr(constraints))
    names: list[str] = []
    users: list[cons.LinearConstraint] = []
    for k, item in enumerate(constraints):
        if isinstance(item, cons.LinearConstraint):
            users.append(item)
        elif isinstance(item, str) and item in cons.CONSTRAINTS:
            if item not in names:
                names.append(item)
        else:
            raise v.fail(f"constraints[{k}]", f"one of {list(cons.CONSTRAINTS)} or a LinearConstraint", repr(item))
    return names, users


def _parse_decision(env: Environment, decision: Any, randomized: bool) -> tuple[Any, np.ndarray | None, str | None]:
    """Returns (argument for DirectMechanism, fixed lottery (P, X), label) or (None, None, None) when free."""
    if decision is None:
        return None, None, None
    if isinstance(decision, str):
        v.choice(decision, "decision", ("efficient",))
        rule = efficient_decision(env)
        label = "efficient"
    else:
        indices, lottery = decision_rule(decision, env)
        if indices is None and not randomized:
            raise v.fail("decision", "a deterministic rule when randomized=False", "a lottery that randomizes")
        rule = indices if indices is not None else lottery
        label = "fixed"
    lottery = np.zeros((env.n_profiles, env.n_alternatives))
    if rule.ndim == env.n_players:
        lottery[np.arange(env.n_profiles), rule.ravel()] = 1.0
    else:
        lottery[:] = rule.reshape(env.n_profiles, -1)
    return rule, lottery, label


def _parse_options(options: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise v.fail("options", "a dict of solver options", type(options).__name__)
    own = {k: options.get(k, default) for k, default in OWN_OPTIONS.items()}
    own["atol"] = v.tolerance(own["atol"], "options['atol']")
    own["rtol"] = v.tolerance(own["rtol"], "options['rtol']")
    for flag in ("certificate", "symmetry"):
        if not isinstance(own[flag], (bool, np.bool_)):
            raise v.fail(f"options[{flag!r}]", "True or False", repr(own[flag]))
    for name in ("max_certificate_rows", "max_rounds", "max_columns"):
        cap = own[name]
        if isinstance(cap, bool) or not isinstance(cap, (int, np.integer)) or cap < 1:
            raise v.fail(f"options[{name!r}]", "a positive integer", repr(cap))
    solver = {k: val for k, val in options.items() if k not in OWN_OPTIONS}
    highs.check_options(solver)
    return own, solver


def build_model(env: Environment, objective: Any, names: list[str], users: list[cons.LinearConstraint],
                fixed_lottery: np.ndarray | None, integer: bool,
                start_rows: dict[str, np.ndarray] | None = None) -> tuple[DesignModel, Any, cons.InterimTerms]:
    """Assemble the LP/MILP (vectorised; see :mod:`.constraints`).

    ``start_rows``: for the families it names, only the rows with these keys
    (constraint generation's first round); then every player's auxiliary
    interim variables are created up front, so that rows added later refer
    to existing columns.
    """
    obj = objective_coefficients(env, objective)
    layout = Layout(env, fixed_lottery)
    interim = cons.InterimTerms(layout)
    start_rows = start_rows or {}
    if {"bic", "ir_interim"} & set(start_rows):
        for i in range(env.n_players):
            interim.prepare(i)
    blocks: list[RowBlock] = [cons.lottery(layout)] if layout.free_decision else []
    for name in names:
        if name in start_rows:
            blocks.append(cons.KEYED_BUILDERS[name](layout, interim, start_rows[name]))
        else:
            blocks.append(cons.BUILDERS[name](layout, interim))
    blocks += [cons.user(layout, u, k) for k, u in enumerate(users)]
    blocks += interim.definitions
    cost = np.zeros(layout.n_cols)
    constant = 0.0
    P, N = env.n_profiles, env.n_players
    if obj.decision is not None:
        if layout.free_decision:
            cost[:layout.m_offset] = obj.decision.ravel()
        else:
            constant = float(np.sum(obj.decision * fixed_lottery))
    if obj.transfers is not None:
        cost[layout.m_offset:layout.m_offset + P * N] = obj.transfers.ravel()
    return DesignModel(layout, blocks, cost, constant, obj.maximize, integer and layout.free_decision), obj, interim


def _verify(mech: DirectMechanism, names: list[str], users: list[cons.LinearConstraint], efficient: bool,
            atol: float, rtol: float) -> Verification:
    checks: dict[str, PropertyResult] = {}
    if efficient:
        checks["efficient"] = audits.is_efficient(mech, atol=atol, rtol=rtol)
    for name in names:
        checks[name] = _AUDITS[name](mech, atol, rtol)
    for k, con in enumerate(users):
        values = con.evaluate(mech.decision, mech.transfers)
        gaps = np.maximum(con.lb - values, values - con.ub)
        worst = int(np.argmax(gaps))
        tol = atol + rtol * max(1.0, mech.scale())
        violation = float(gaps[worst])
        witness = None if violation <= 0 else Witness(
            description=f"row {worst} of {con.name!r} is {values[worst]:.6g}, outside [{con.lb[worst]}, {con.ub[worst]}]",
            details={"row": worst, "value": float(values[worst])})
        checks[f"user:{con.name}" + (f"#{k}" if f"user:{con.name}" in checks else "")] = PropertyResult(
            name=f"user:{con.name}", holds=violation <= tol, violation=violation, witness=witness, tolerance=tol)
    return Verification(checks)


def _certificate(env: Environment, model: DesignModel, solver_options: dict[str, Any], fixed_lottery: Any,
                 users: list[cons.LinearConstraint], max_rows: int) -> tuple[FarkasCertificate | None, str]:
    found = highs.elastic_duals(model, solver_options)
    if found is None:
        return None, "the elastic LP did not confirm infeasibility; no certificate"
    w, _ = found
    weights = []
    for row in np.flatnonzero(w):
        block, local = model.locate(int(row))
        if block.named:
            weights.append((block.family, tuple(int(k) for k in block.keys[local]), float(w[row])))
    top = max((abs(x) for *_, x in weights), default=0.0)
    support = [item for item in weights if abs(item[2]) > 1e-9 * top]
    if len(support) > max_rows:
        return None, (f"a certificate would combine {len(support)} rows (> options['max_certificate_rows'] = "
                      f"{max_rows}); not built")
    rows = ExactRows(env, fixed_lottery, tuple(users))
    cert = FarkasCertificate.from_float(rows, support)
    return cert, "" if cert.exact else "the certificate could not be made exact: " + cert.reason()


def _choose_method(env: Environment, names: list[str], users: list, decision: Any, randomized: bool,
                   objective: Any, own: dict[str, Any]) -> tuple[str, str]:
    """The method ``"auto"`` runs, and why."""
    if own["symmetry"]:
        return "full", "options['symmetry'] applies to the full LP"
    if reduced_form.not_applicable(env, objective, names, users, decision, randomized) is None:
        return "reduced_form", "an auction with independent private values and interim constraints only"
    generated = [n for n in names if n in cutting.GENERATED]
    rows = sum(cutting.family_size(env, n) for n in generated)
    if rows > AUTO_CUTTING_ROWS:
        return "cutting_plane", f"the full LP would hold {rows} generated-family rows (> {AUTO_CUTTING_ROWS})"
    return "full", f"the full LP is small ({rows} incentive and participation rows)"


def design(env: Environment, objective: Any = "revenue", constraints: Any = (), randomized: bool = True,
           decision: Any = None, options: dict[str, Any] | None = None, method: str = "auto") -> DesignResult:
    """Find an optimal direct mechanism subject to incentive, participation and budget constraints.

    The problem is a linear program in the decision lotteries p(θ, x) and the
    transfers m_i(θ) (money received, ``docs/conventions.md``), solved by HiGHS; with
    ``randomized=False`` the decision is deterministic (a MILP). Three methods solve
    it (``docs/design.md``); they return the same optimum.

    Parameters
    ----------
    env : Environment
        A finite environment (private or interdependent values; independent or
        correlated prior — ``bic`` and ``ir_interim`` use the conditional beliefs).
    objective : {"revenue", "welfare", "deficit"} or callable
        ``revenue`` = −E[Σ m_i] and ``welfare`` = E[Σ u_i] are maximised;
        ``deficit`` = E[Σ m_i] (expected subsidy) is minimised. A callable
        ``objective(env)`` returns ``(c_decision, c_transfers)`` with shapes
        ``(k_1..k_N, |X|)`` and ``(k_1..k_N, N)`` (either may be None);
        Σ c_decision·p + Σ c_transfers·m is maximised.
    constraints : list
        Names among ``"dsic"``, ``"bic"``, ``"ir_ex_post"``, ``"ir_interim"``,
        ``"ir_ex_ante"``, ``"budget_weak"`` (Σ m_i ≤ 0 at every profile),
        ``"budget_strong"`` (= 0), ``"budget_ex_ante"`` (E[Σ m_i] ≤ 0), and
        :class:`LinearConstraint` objects.
    randomized : bool
        Allow lotteries over alternatives (LP). ``False``: deterministic rules (MILP).
    decision : None, "efficient" or array_like
        Fix the decision rule (then only transfers are designed): the
        first-best rule (ties to the lowest index) or a given rule (integer
        indices or a lottery array).
    options : dict, optional
        HiGHS options, passed through (``time_limit``, ``threads``,
        ``primal_feasibility_tolerance``, ``presolve``, ``solver``, ``mip_rel_gap``,
        ...), plus ``atol``/``rtol`` (tolerances of the verification audits,
        default 1e-9), ``certificate`` (build one when infeasible, default True),
        ``max_certificate_rows`` (default 5000), ``symmetry`` (default False;
        full LP only: True merges the variables of interchangeable players: the
        optimal value is the same and large symmetric problems solve several
        times faster, but the optimum returned is the symmetric one, which may
        split the item by lottery between tied bidders where the full LP has a
        deterministic optimum; see :mod:`mechdesign.design.symmetry`),
        ``max_rounds`` (constraint generation, default 50) and ``max_columns``
        (reduced forms, default 5000).
    method : {"auto", "full", "cutting_plane", "reduced_form"}
        ``full``: every row at once. ``cutting_plane``: constraint generation
        (:mod:`mechdesign.design.cutting`) — the same LP, rows added as the
        solution violates them. ``reduced_form``: auctions of identical units
        with independent private values and interim constraints only, solved
        over interim rules (:mod:`mechdesign.design.reduced_form`); the
        mechanism is a lazily evaluated lottery over hierarchical allocations.
        ``auto`` (default): ``reduced_form`` where it applies, else
        ``cutting_plane`` when the full LP would hold more than
        :data:`AUTO_CUTTING_ROWS` incentive and participation rows, else
        ``full``. ``result.method`` says which ran (and
        ``diagnostics["method_reason"]`` why, for ``auto``).

    Returns
    -------
    DesignResult
        ``status`` "optimal" with ``mechanism``, ``value`` and ``verification``
        (every requested property re-audited); "infeasible" with a
        :class:`FarkasCertificate`; or another solver status.

    Raises
    ------
    SpecError
        Unknown constraint/objective names or method (the message lists the
        allowed ones), a method that does not apply to the problem (the
        message says why), a fixed lottery with ``randomized=False``, a
        callable objective of the wrong shape, unknown solver options.

    Examples
    --------
    >>> import mechdesign as md
    >>> env = md.examples.single_item_auction(values=[1, 2, 3], n_bidders=1)
    >>> res = md.design(env, "revenue", ["dsic", "ir_ex_post"])
    >>> res.status, round(res.value, 6)
    ('optimal', 1.333333)
    """
    if not isinstance(env, Environment):
        raise v.fail("env", "an Environment", type(env).__name__)
    method = v.choice(method, "method", METHODS)
    names, users = _parse_constraints(constraints)
    for k, con in enumerate(users):
        con.check_shapes(env, k)
    if not isinstance(randomized, (bool, np.bool_)):
        raise v.fail("randomized", "True or False", repr(randomized))
    fixed_rule, fixed_lottery, decision_label = _parse_decision(env, decision, bool(randomized))
    own, solver_options = _parse_options(options)
    if not callable(objective) and objective not in OBJECTIVES:
        objective_coefficients(env, objective)          # raises the SpecError listing the objectives
    reason = None
    if method == "auto":
        method, reason = _choose_method(env, names, users, decision, bool(randomized), objective, own)
    elif method == "reduced_form":
        why = reduced_form.not_applicable(env, objective, names, users, decision, bool(randomized))
        if why is not None:
            raise v.fail("method", "'reduced_form' only for auctions of identical units with independent private "
                         "values, a named objective and interim constraints", f"'reduced_form', but {why}")
    if own["symmetry"] and method != "full":
        raise v.fail("options['symmetry']", "False unless method='full'", f"True with method={method!r}")
    record = {**highs.DEFAULT_OPTIONS, **solver_options, **own}
    if method == "reduced_form":
        result = reduced_form.solve(env, objective, names, own, solver_options, record)
        if reason is not None:
            result.diagnostics["method_reason"] = reason
        return result
    start = time.perf_counter()
    start_rows = None
    if method == "cutting_plane":
        generated = tuple(n for n in names if n in cutting.GENERATED)
        start_rows = {n: cutting.initial_keys(env, n, generated) for n in generated}
    model, obj, interim = build_model(env, objective, names, users, fixed_lottery, not randomized, start_rows)
    labels = tuple(names) + tuple(f"user:{u.name}" for u in users)
    diagnostics: dict[str, Any] = {"solver": "highs-milp" if model.integer else "highs-lp",
                                   "decision": decision_label or ("free" if randomized else "deterministic")}
    if reason is not None:
        diagnostics["method_reason"] = reason
    reduction = None
    if method == "cutting_plane":
        diagnostics["build_time"] = time.perf_counter() - start
        run = cutting.solve(cutting.start(model, interim, list(start_rows)), fixed_rule, solver_options,
                            own["atol"], int(own["max_rounds"]))
        model, outcome = run.model, run.outcome
        diagnostics.update(run.diagnostics)
    else:
        if own["symmetry"] and randomized and fixed_lottery is None and not users and isinstance(objective, str):
            swaps = swap_symmetries(env)
            if swaps:
                reduction = Reduction(model, swaps)
        lp = model.arrays() if reduction is None else reduction.arrays()
        if reduction is not None:
            diagnostics["symmetry"] = {"player_swaps": len(swaps), "columns": int(lp.matrix.shape[1]),
                                       "rows": int(lp.matrix.shape[0])}
        diagnostics["build_time"] = time.perf_counter() - start
        outcome = highs.solve(lp, solver_options)
    diagnostics.update({"rows": model.n_rows, "columns": model.n_cols, "rows_per_family": model.block_sizes()})
    diagnostics["solve_time"] = outcome.solve_time
    if outcome.mip_gap is not None:
        diagnostics["mip_gap"] = outcome.mip_gap
    mech = verification = certificate = None
    value = None
    message = outcome.message
    if outcome.x is not None:
        x = outcome.x if reduction is None else reduction.expand(outcome.x)
        mech = mechanism_from_solution(model, x, fixed_rule, f"optimal {obj.name} mechanism")
        value = obj.value(mech.decision.reshape(env.n_profiles, -1), mech.transfers)
        start = time.perf_counter()
        verification = _verify(mech, names, users, decision_label == "efficient", own["atol"], own["rtol"])
        diagnostics["verify_time"] = time.perf_counter() - start
        if not verification.holds:
            message += f"; re-verification found violations {verification.violations}"
    elif outcome.status == "infeasible" and own["certificate"]:
        start = time.perf_counter()
        certificate, note = _certificate(env, model, solver_options, fixed_lottery, users,
                                         int(own["max_certificate_rows"]))
        if method == "cutting_plane" and (certificate is None or not certificate.exact):
            # the round's rows did not give an exact certificate: try every row
            full, _, _ = build_model(env, objective, names, users, fixed_lottery, not randomized)
            certificate, note = _certificate(env, full, solver_options, fixed_lottery, users,
                                             int(own["max_certificate_rows"]))
            diagnostics["certificate_rows"] = "full"
        elif method == "cutting_plane":
            diagnostics["certificate_rows"] = "generated"
        diagnostics["certificate_time"] = time.perf_counter() - start
        if model.integer and certificate is not None:
            note = "the certificate proves the LP relaxation (randomized rules) infeasible" + (f"; {note}" if note else "")
        elif model.integer:
            note = "the LP relaxation is feasible: only deterministic rules are ruled out (no Farkas certificate)"
        if note:
            message += f"; {note}"
    elif outcome.status == "unbounded":
        message += "; the objective can grow without limit (e.g. revenue without a participation constraint)"
    return DesignResult(method=method, options=record, status=outcome.status, objective=obj.name,
                        constraints=labels, value=value, mechanism=mech, certificate=certificate,
                        verification=verification, message=message, diagnostics=diagnostics)
