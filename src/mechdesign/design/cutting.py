"""Constraint generation for :func:`mechdesign.design` (``method="cutting_plane"``).

The full design LP has one incentive row per (player, true type, report,
others' profile) for DSIC — n·P·(k−1) rows — and one participation row per
(player, profile) for ex-post IR; most of them are slack at the optimum.
Constraint generation solves the LP with a few of them and adds the others
only when the solution violates them:

1. Start with the rows of the *generated families* (``dsic``, ``bic``,
   ``ir_ex_post``, ``ir_interim``) that usually bind: each type claiming to be
   the next lower one where a player's types are numbers (ordered by value),
   and participation of each player's lowest type when the incentive family
   that links her types is requested too; for a player whose types carry no
   values, no incentive rows and every participation row. Every other
   requested family (lottery rows, ex-ante IR, budget, user constraints) is in
   the LP from the start.
2. Solve; turn the solution into a mechanism exactly as the final answer is
   made (:func:`.model.mechanism_from_solution`) and audit it with the block
   kernels of :mod:`mechdesign.analysis` (:class:`AuditKernels`): every row of
   the generated families that it violates by more than ``atol`` is found.
3. Add them — for DSIC, the most profitable misreport of each (player, type,
   others' profile); the first time an incentive family is violated, its
   upward local rows instead (each type claiming the next higher value: with the
   downward ones they imply all others for single-crossing utilities such as
   an auction's, which matters when the relaxed optimum is not monotone) — to
   the live HiGHS model and re-solve from the previous basis
   (:class:`.highs.LiveLP`). Repeat until no row is violated.

The rows are written by the same builders as the full LP
(:data:`.constraints.KEYED_BUILDERS`, keys from :data:`.constraints.FAMILY_KEYS`),
so every row the full LP would hold — and only those: BIC and interim IR at
types of positive probability — can be generated.

**What it guarantees.** Every round's LP is a relaxation of the full LP, so
its optimum is at least as good; the last round's solution satisfies every row
of the full LP up to ``atol``, so it is optimal for the full LP (up to the same
tolerances as a solve of the full LP). It is then re-verified by the audits
like any other answer. An infeasible round proves the full LP infeasible (its
rows are a subset): the Farkas certificate is computed on that round's rows
and, if it cannot be made exact there, on the full row set. An unbounded
round adds the rows that the solver's unbounded direction violates; if that
direction violates none, or after ``max_rounds`` rounds, every remaining row is
added, so the answer is always the full LP's.

**What it does not.** It does not make a single solve faster: when most rows
bind (or the start misses them), the rounds can take longer than the full LP.
The symmetry reduction (``options={"symmetry": True}``) is not combined with it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from mechdesign.analysis import misreports
from mechdesign.analysis.passes import interim_pass
from mechdesign.compute.backends import Compute, compute_options
from mechdesign.compute.blocks import BlockPlan
from mechdesign.design import constraints as cons
from mechdesign.design import highs
from mechdesign.design.model import DesignModel, Layout, RowBlock, mechanism_from_solution
from mechdesign.mechanisms.blockwise import utility_on
from mechdesign.mechanisms.direct import DirectMechanism
from mechdesign.model.environment import Environment

#: Families whose rows are generated on demand; every other family is in the LP from the start.
GENERATED = tuple(cons.FAMILY_KEYS)

#: Defaults of the method's own options (``options={"max_rounds": ...}``).
DEFAULTS: dict[str, Any] = {"max_rounds": 50}


# ------------------------------------------------------------------ audit kernels
class AuditKernels:
    """The audit computations constraint generation needs, on the numpy block kernels.

    A faster implementation (e.g. compiled kernels) can replace it with
    :func:`set_kernels`: an object with the same three methods and the same
    results (up to the order of the rows returned).
    """

    def dsic_violations(self, mech: DirectMechanism, i: int, threshold: float, opts: Compute) -> np.ndarray:
        """Player i's most profitable misreport at each (others' profile o, true type t) where it gains
        more than ``threshold``: rows ``(t, r, o)``."""
        env = mech.env
        size = opts.block_profiles(misreports.bytes_per_profile(env, i), env.n_profiles)
        found = []
        diag = np.arange(env.n_types[i])
        for block in BlockPlan(env.n_types, i, size):
            utility = misreports.PlayerBlock(mech, i, block).utilities()           # (o, t, r)
            gain = utility - utility[:, diag, diag][:, :, None]
            best = gain.argmax(axis=2)
            o, t = np.nonzero(np.take_along_axis(gain, best[:, :, None], axis=2)[:, :, 0] > threshold)
            found.append(np.stack([t, best[o, t], block.start + o], axis=1))
        return np.concatenate(found) if found else np.zeros((0, 3), np.int64)

    def interim_tables(self, mech: DirectMechanism, opts: Compute, units: str = "raw") -> list[np.ndarray]:
        """Each player's interim utility table ``U[t, r]`` (others truthful, conditional beliefs).

        ``units="raw"`` (the LP's own units: what interim IR compares with 0) or
        ``"incentive"`` (offsets removed: for BIC gains, which do not depend on them).
        """
        return interim_pass(mech, opts, units=units)[0]

    def ex_post_shortfalls(self, mech: DirectMechanism, i: int, threshold: float, opts: Compute) -> np.ndarray:
        """Flat profiles where player i's utility u_i + m_i is below −``threshold``."""
        env = mech.env
        size = opts.block_profiles(8 * (2 * env.n_alternatives + 4), env.n_profiles)
        found = []
        for block in BlockPlan(env.n_types, None, size):
            indices, lottery, transfers = mech.block(block.region, players=(i,))
            values = np.broadcast_to(utility_on(env, i, block.grid), (*block.shape, env.n_alternatives))
            if indices is not None:
                chosen = np.take_along_axis(values, indices[..., None], axis=-1)[..., 0]
            else:
                chosen = np.zeros(block.shape)
                for x in range(env.n_alternatives):
                    chosen += lottery[..., x] * values[..., x]
            found.append(block.start + np.flatnonzero((chosen + transfers[..., i]).ravel() < -threshold))
        return np.concatenate(found) if found else np.zeros(0, np.int64)


KERNELS: AuditKernels = AuditKernels()


def set_kernels(kernels: AuditKernels) -> AuditKernels:
    """Use ``kernels`` for constraint generation from now on; returns the previous ones."""
    global KERNELS
    previous, KERNELS = KERNELS, kernels
    return previous


# ------------------------------------------------------------------ row selection
def _order(env: Environment, i: int) -> np.ndarray | None:
    """Player i's types sorted by value (None when they carry no numeric values)."""
    values = env.type_values[i]
    if values is None:
        return None
    return np.argsort(np.asarray(values, dtype=float), kind="stable")


def _adjacent_pairs(env: Environment, i: int, upward: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(true type, report) pairs: each type claiming to be the next lower one in the value order
    (``upward``: the next higher one). Empty when the types carry no values.

    The local downward constraints are the ones that bind in Myerson's optimal
    auction. With single-crossing utilities (an auction's v·x) local constraints
    in both directions imply every other one; the upward ones matter only when
    the relaxed optimum is not monotone (priors that need ironing).
    """
    order = _order(env, i)
    if order is None or order.size < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return (order[:-1], order[1:]) if upward else (order[1:], order[:-1])


def _admissible(env: Environment, family: str, keys: np.ndarray) -> np.ndarray:
    """Keep the keys that name rows of the full family (e.g. BIC only at types of positive probability)."""
    if family in ("bic", "ir_interim") and keys.size:
        full = cons.FAMILY_KEYS[family](env)
        return keys[np.isin(_encode(env, family, keys), _encode(env, family, full))]
    return keys


def upward_keys(env: Environment, family: str) -> np.ndarray:
    """Rows of each type claiming to be the next higher one (``dsic``/``bic``; empty for other families)."""
    if family not in ("dsic", "bic"):
        return np.zeros((0, 2), np.int64)
    parts = []
    for i in range(env.n_players):
        t, r = _adjacent_pairs(env, i, upward=True)
        if family == "dsic":
            M = env.n_profiles // env.n_types[i]
            o = np.repeat(np.arange(M), t.size)
            parts.append(np.stack([np.full(o.size, i), np.tile(t, M), np.tile(r, M), o], axis=1))
        else:
            parts.append(np.stack([np.full(t.size, i), t, r], axis=1))
    width = 4 if family == "dsic" else 3
    keys = np.concatenate(parts).astype(np.int64) if parts else np.zeros((0, width), np.int64)
    return _admissible(env, family, keys.reshape(-1, width))


def initial_keys(env: Environment, family: str, families: tuple[str, ...] = ()) -> np.ndarray:
    """The rows of ``family`` the first round starts with (see the module docstring).

    ``families``: every generated family of the problem. Participation starts
    at the lowest types only when the matching incentive family (``dsic`` for
    ``ir_ex_post``, ``bic`` for ``ir_interim``) is there too — with the local
    downward incentive rows, the lowest type's participation implies the
    others' in auctions; without them every participation row is needed.
    """
    N = env.n_players
    linked = {"ir_ex_post": "dsic", "ir_interim": "bic"}.get(family) in families
    parts = []
    for i in range(N):
        M = env.n_profiles // env.n_types[i]
        if family in ("dsic", "bic"):
            t, r = _adjacent_pairs(env, i)
            if family == "dsic":
                o = np.repeat(np.arange(M), t.size)
                parts.append(np.stack([np.full(o.size, i), np.tile(t, M), np.tile(r, M), o], axis=1))
            else:
                parts.append(np.stack([np.full(t.size, i), t, r], axis=1))
            continue
        order = _order(env, i)
        types = order[:1] if order is not None and linked else np.arange(env.n_types[i])
        if family == "ir_interim":
            parts.append(np.stack([np.full(types.size, i), types], axis=1))
        else:                                                              # ir_ex_post
            grid = np.arange(env.n_profiles).reshape(env.n_types)
            prof = np.take(grid, types, axis=i).ravel()
            parts.append(np.stack([np.full(prof.size, i), np.sort(prof)], axis=1))
    width = {"dsic": 4, "bic": 3, "ir_interim": 2, "ir_ex_post": 2}[family]
    keys = np.concatenate(parts).astype(np.int64) if parts else np.zeros((0, width), np.int64)
    return _admissible(env, family, keys.reshape(-1, width))


def _encode(env: Environment, family: str, keys: np.ndarray) -> np.ndarray:
    """One integer per key (for set operations on rows)."""
    N, kmax = env.n_players, max(env.n_types)
    if family == "dsic":
        M = max(env.n_profiles // k for k in env.n_types)
        return np.ravel_multi_index(tuple(keys.T), (N, kmax, kmax, M))
    if family == "bic":
        return np.ravel_multi_index(tuple(keys.T), (N, kmax, kmax))
    if family == "ir_interim":
        return np.ravel_multi_index(tuple(keys.T), (N, kmax))
    return np.ravel_multi_index(tuple(keys.T), (N, env.n_profiles))


def family_size(env: Environment, family: str) -> int:
    """Number of rows of ``family`` in the full LP (without building them)."""
    if family == "dsic":
        return sum(env.n_profiles * (k - 1) for k in env.n_types)
    if family == "ir_ex_post":
        return env.n_players * env.n_profiles
    positive = [int(np.count_nonzero(np.asarray(env.prior.marginal(i)) > 0)) for i in range(env.n_players)]
    if family == "bic":
        return sum(p * (k - 1) for p, k in zip(positive, env.n_types))
    return sum(positive)


def violated_keys(env: Environment, family: str, mech: DirectMechanism, threshold: float, opts: Compute,
                  kernels: AuditKernels | None = None) -> np.ndarray:
    """Keys of the rows of ``family`` that ``mech`` violates by more than ``threshold``.

    For DSIC, only the most profitable misreport of each (player, true type,
    others' profile); for BIC, every violated (player, type, report) at types
    of positive probability.
    """
    kernels = kernels or KERNELS
    N = env.n_players
    parts = []
    if family == "dsic":
        for i in range(N):
            rows = kernels.dsic_violations(mech, i, threshold, opts)
            parts.append(np.column_stack([np.full(len(rows), i), rows]))
    elif family in ("bic", "ir_interim"):
        tables = kernels.interim_tables(mech, opts, "incentive" if family == "bic" else "raw")
        for i, table in enumerate(tables):
            if family == "bic":
                t, r = np.nonzero(table - np.diag(table)[:, None] > threshold)
                parts.append(np.stack([np.full(t.size, i), t, r], axis=1))
            else:
                t = np.flatnonzero(np.diag(table) < -threshold)
                parts.append(np.stack([np.full(t.size, i), t], axis=1))
    else:
        for i in range(N):
            prof = kernels.ex_post_shortfalls(mech, i, threshold, opts)
            parts.append(np.stack([np.full(prof.size, i), prof], axis=1))
    width = {"dsic": 4, "bic": 3, "ir_interim": 2, "ir_ex_post": 2}[family]
    keys = np.concatenate(parts).astype(np.int64).reshape(-1, width) if parts else np.zeros((0, width), np.int64)
    return _admissible(env, family, keys)


# ------------------------------------------------------------------ the loop
@dataclass
class Generation:
    """State of a constraint-generation run: the row blocks in the live LP and the rows of each family."""

    layout: Layout
    interim: cons.InterimTerms
    blocks: list[RowBlock]
    cost: np.ndarray
    constant: float
    maximize: bool
    integer: bool
    families: list[str]
    included: dict[str, np.ndarray] = field(default_factory=dict)     # encoded keys, sorted

    def model(self) -> DesignModel:
        """The LP as solved so far (row order = the live model's)."""
        return DesignModel(self.layout, list(self.blocks), self.cost, self.constant, self.maximize, self.integer)

    def new_rows(self, family: str, keys: np.ndarray) -> RowBlock | None:
        """Block of the rows among ``keys`` not yet in the LP (None if there are none)."""
        env = self.layout.env
        if not keys.size:
            return None
        codes, first = np.unique(_encode(env, family, keys), return_index=True)
        fresh = ~np.isin(codes, self.included.get(family, np.zeros(0, np.int64)), assume_unique=True)
        if not fresh.any():
            return None
        keys = keys[np.sort(first[fresh])]
        self.included[family] = np.union1d(self.included.get(family, np.zeros(0, np.int64)), codes[fresh])
        return cons.KEYED_BUILDERS[family](self.layout, self.interim, keys)

    def missing_rows(self, family: str) -> RowBlock | None:
        """Block of every row of ``family`` not yet in the LP."""
        return self.new_rows(family, cons.FAMILY_KEYS[family](self.layout.env))


def _csr(block: RowBlock, n_cols: int) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    matrix = sp.csr_matrix((block.vals, (block.rows, block.cols)), shape=(block.n_rows, n_cols))
    lower = block.rhs if block.equality else np.full(block.n_rows, -math.inf)
    return matrix, lower, block.rhs


@dataclass
class CuttingOutcome:
    """What :func:`solve` returns: the LP as last solved, HiGHS's outcome, and the run's diagnostics."""

    model: DesignModel
    outcome: highs.SolveOutcome
    diagnostics: dict[str, Any]


def start(model: DesignModel, interim: cons.InterimTerms, families: list[str]) -> Generation:
    """Wrap the first round's LP (built with :func:`initial_keys` for ``families``)."""
    gen = Generation(model.layout, interim, list(model.blocks), model.cost, model.constant, model.maximize,
                     model.integer, families)
    env = model.layout.env
    for block in model.blocks:
        if block.family in families:
            gen.included[block.family] = np.unique(_encode(env, block.family, block.keys))
    return gen


def solve(gen: Generation, fixed_rule: Any, solver_options: dict[str, Any], atol: float,
          max_rounds: int) -> CuttingOutcome:
    """Run the rounds (see the module docstring) from :func:`start`'s LP."""
    env = gen.layout.env
    opts = compute_options()
    first = gen.model()
    lp = highs.LiveLP(first.arrays(), solver_options)
    history: list[dict[str, Any]] = []
    solve_time = separation_time = 0.0
    fallback = None
    rounds = 0
    upward_done: set[str] = set()
    while True:
        rounds += 1
        outcome = lp.run()
        solve_time += outcome.solve_time
        record: dict[str, Any] = {"round": rounds, "status": outcome.status, "rows": lp.n_rows,
                                  "solve_time": outcome.solve_time}
        history.append(record)
        if outcome.status == "optimal" and outcome.x is not None:
            tic = time.perf_counter()
            mech = mechanism_from_solution(gen.model(), outcome.x, fixed_rule, "round solution")
            found = {f: violated_keys(env, f, mech, atol, opts) for f in gen.families}
            for f in gen.families:          # first violation of an incentive family: its upward local rows instead
                if len(found[f]) and f not in upward_done:
                    upward_done.add(f)
                    up = upward_keys(env, f).reshape(-1, found[f].shape[1])
                    found[f] = up if len(up) else found[f]
            added = _add(gen, lp, found)
            separation_time += time.perf_counter() - tic
            record["added"] = added
            if not any(added.values()):
                break
        elif outcome.status == "unbounded" and fallback is None:
            tic = time.perf_counter()
            added = _cut_ray(gen, lp, fixed_rule, atol, opts)
            separation_time += time.perf_counter() - tic
            record["added"] = added
            if not any(added.values()):
                fallback = "the unbounded direction violates no generated row: every row added"
                record["added"] = _add_all(gen, lp)
                if not any(record["added"].values()):
                    break
        else:
            break                     # infeasible (proves the full LP infeasible), a limit, or an error
        if rounds >= max_rounds and fallback is None:
            fallback = f"options['max_rounds'] = {max_rounds} reached: every remaining row added"
            extra = _add_all(gen, lp)
            if any(extra.values()):
                outcome = lp.run()
                solve_time += outcome.solve_time
                history.append({"round": rounds + 1, "status": outcome.status, "rows": lp.n_rows,
                                "solve_time": outcome.solve_time, "added": {}})
                rounds += 1
            break
    model = gen.model()
    total = {f: sum(b.n_rows for b in model.blocks if b.family == f) for f in gen.families}
    full = {f: family_size(env, f) for f in gen.families}
    diagnostics = {"rounds": rounds, "rows_generated": total, "rows_full": full,
                   "cutting_solve_time": solve_time, "separation_time": separation_time,
                   "round_history": history}
    if fallback:
        diagnostics["fallback"] = fallback
    outcome.solve_time = solve_time
    return CuttingOutcome(model, outcome, diagnostics)


def _append(gen: Generation, lp: highs.LiveLP, block: RowBlock) -> None:
    # added rows go after every existing row, definitions included; they never need new columns
    if gen.layout.n_cols != len(gen.cost):
        raise AssertionError("a generated row created auxiliary variables after the first round")
    matrix, lower, upper = _csr(block, gen.layout.n_cols)
    lp.add_rows(matrix, lower, upper)
    gen.blocks.append(block)


def _add(gen: Generation, lp: highs.LiveLP, keys: dict[str, np.ndarray]) -> dict[str, int]:
    added = {}
    for family, k in keys.items():
        block = gen.new_rows(family, k)
        added[family] = 0 if block is None else block.n_rows
        if block is not None:
            _append(gen, lp, block)
    return added


def _add_all(gen: Generation, lp: highs.LiveLP) -> dict[str, int]:
    added = {}
    for family in gen.families:
        block = gen.missing_rows(family)
        added[family] = 0 if block is None else block.n_rows
        if block is not None:
            _append(gen, lp, block)
    return added


def _cut_ray(gen: Generation, lp: highs.LiveLP, fixed_rule: Any, atol: float, opts: Compute) -> dict[str, int]:
    """Rows violated far along the solver's direction of unboundedness (none if there is no usable one).

    A direction of an LP whose lotteries are bounded moves transfers (and
    auxiliary variables) only; the mechanism with the current decision and the
    transfers pushed far along it violates exactly the rows the direction
    increases (plus, possibly, some the current point violates — valid rows too).
    """
    ray = lp.primal_ray()
    layout = gen.layout
    env = layout.env
    x = lp.last_point()
    if ray is None or x is None or not np.all(np.isfinite(ray)):
        return {}
    P, N = env.n_profiles, env.n_players
    if layout.free_decision and np.abs(ray[:layout.m_offset]).max(initial=0.0) > 1e-9 * np.abs(ray).max(initial=1.0):
        return {}
    money = ray[layout.m_offset:layout.m_offset + P * N]
    size = np.abs(money).max(initial=0.0)
    if size == 0:
        return {}
    reach = 1e6 * (1.0 + env.scale() + np.abs(x[layout.m_offset:layout.m_offset + P * N]).max(initial=0.0))
    far = x.copy()
    far[layout.m_offset:layout.m_offset + P * N] += money * (reach / size)
    mech = mechanism_from_solution(gen.model(), far, fixed_rule, "unbounded direction")
    return _add(gen, lp, {f: violated_keys(env, f, mech, atol, opts) for f in gen.families})
