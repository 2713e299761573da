"""Optimal auctions by reduced forms (``design(..., method="reduced_form")``).

For an auction of one item — or of c identical units to unit-demand bidders —
with independent private values, every Bayesian constraint of the design LP
(``bic``, ``ir_interim``, ``ir_ex_ante``, ``budget_ex_ante``) and the revenue,
welfare and deficit objectives depend on a mechanism only through its *interim
rules*: q_i(t), the probability that bidder i of type t wins, and M_i(t), the
money she expects to receive. The LP over (q, M) has Σ_i k_i² rows instead of
rows over the k^N type profiles. Which q are achievable by some ex-post
allocation is Border's question (Border 1991, 2007): q is feasible iff for
every set S = ∪_i S_i of (bidder, type) pairs

    Σ_{(i,t)∈S} f_i(t) q_i(t) ≤ E[min(c, #{i : t_i ∈ S_i})],

the right-hand side being g(S) = 1 − Π_i (1 − f_i(S_i)) for one item. g is a
polymatroid rank function, so the feasible w = f·q form a polymatroid whose
vertices are the *hierarchical allocations* (Border): rank the pairs, keep a
prefix, and give the units to the c highest-ranked bidders present (Edmonds'
greedy: a vertex's w_e is the marginal g(prefix ∪ e) − g(prefix)).

**Method.** Column generation on this vertex description — the LP dual of
separating Border's inequalities: the master LP holds (q, M), the requested
interim rows and q = Σ_H λ_H q^H over the hierarchies H found so far
(Σ λ_H ≤ 1, the rest of the time nobody wins). Pricing a new hierarchy
against the master's duals y is linear optimisation over the Border
polytope, solved exactly by the greedy order of y_e / f_e (types of
probability zero go first when y_e > 0: they never displace anyone). When no
hierarchy has a positive reduced cost the master's optimum is the optimum over
all feasible reduced forms, i.e. over all mechanisms (the interim LP is the
projection of the full LP). A common-threshold check of Border's inequalities
(sets {(i, t) : q_i(t) ≥ x}) is *not* a valid separation oracle for asymmetric
bidders — see the test suite for a reduced form it accepts although it is
infeasible — which is why the exact greedy is used instead.

**The mechanism.** The optimum is a lottery over the hierarchies with weight
λ_H, which is its own ex-post implementation, evaluated lazily per block of
profiles (:class:`~mechdesign.mechanisms.lazy.LazyDirectMechanism`): at a
profile, each hierarchy gives the units to the highest-ranked bidders present.
A winner of type t pays −M_i(t)/q_i(t) (so losers pay nothing and interim
IR implies ex-post IR for her), or M_i(t) is paid whatever happens when
q_i(t) = 0. Its interim rules are computed in closed form from the
hierarchies (q_i^H(t) = P(fewer than c other bidders ranked above (i, t))),
and the requested properties are re-audited on them exactly (no sampling); on
profile spaces of at most :data:`BLOCK_AUDIT_LIMIT` profiles the ordinary
block audits also evaluate the mechanism at every profile.

**Scope.** Applies when the prior is independent, values are private and each
bidder's value for an alternative is either her value v_i(t) (she is among its
winners) or 0, the alternatives' winner sets being exactly all sets of at most
c bidders (each at least once). Not for DSIC / ex-post constraints, budget at
every profile, user constraints, fixed decisions, deterministic rules or
callable objectives: :func:`not_applicable` says why.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from mechdesign.analysis import properties as audits
from mechdesign.analysis.results import PropertyResult, Witness
from mechdesign.design import highs
from mechdesign.design.result import DesignResult, Verification
from mechdesign.mechanisms.lazy import LazyDirectMechanism
from mechdesign.model.environment import Environment

#: Constraint families expressible in interim rules.
INTERIM_FAMILIES = ("bic", "ir_interim", "ir_ex_ante", "budget_ex_ante")

#: The block audits (every profile) run on spaces up to this many profiles.
BLOCK_AUDIT_LIMIT = 10**7

#: Defaults of the method's own options.
DEFAULTS: dict[str, Any] = {"max_columns": 5000}

_WEIGHT_FLOOR = 1e-12     # hierarchies with a smaller weight are dropped (the audits see what is kept)


@dataclass(frozen=True)
class Allocation:
    """The auction structure of an environment: bidders' values, units, and the alternative of each winner set.

    ``values[i]``: v_i(t), shape ``(k_i,)``; ``bidders``: players who can win
    (the others have no value for any alternative); ``units``: c;
    ``alternative``: winner set (frozenset of players) → alternative index.
    """

    values: tuple[np.ndarray, ...]
    bidders: tuple[int, ...]
    units: int
    alternative: dict[frozenset, int]


def allocation_structure(env: Environment) -> Allocation | str:
    """The :class:`Allocation` of ``env``, or a sentence saying why it is not an auction of identical units."""
    if not env.private_values:
        return "values are interdependent (reduced forms need private values)"
    N, X = env.n_players, env.n_alternatives
    values, wins = [], []
    for i in range(N):
        u = np.asarray(env.valuations[i], dtype=float)               # (k_i, X)
        nonzero = np.flatnonzero(np.any(u != 0, axis=0))
        if nonzero.size == 0:
            values.append(np.zeros(u.shape[0]))
            wins.append(np.zeros(X, bool))
            continue
        col = u[:, nonzero[0]]
        if not np.all(u[:, nonzero] == col[:, None]):
            return (f"player {env.players[i]!r} values alternatives differently beyond 'wins or not' "
                    "(reduced forms need u_i(x, t) = v_i(t) when she is among x's winners, 0 otherwise)")
        values.append(col.copy())
        mask = np.zeros(X, bool)
        mask[nonzero] = True
        wins.append(mask)
    bidders = tuple(i for i in range(N) if wins[i].any())
    if not bidders:
        return "no player values any alternative"
    sets = [frozenset(i for i in bidders if wins[i][x]) for x in range(X)]
    units = max(len(s) for s in sets)
    alternative: dict[frozenset, int] = {}
    for x, s in enumerate(sets):
        alternative.setdefault(s, x)
    expected = sum(math.comb(len(bidders), j) for j in range(units + 1))
    if len(alternative) != expected:
        return (f"the alternatives' winner sets are not all the sets of at most {units} bidder(s) "
                f"({len(alternative)} distinct winner sets, {expected} needed)")
    return Allocation(tuple(values), bidders, units, alternative)


def not_applicable(env: Environment, objective: Any, names: list[str], users: list, decision: Any,
                   randomized: bool) -> str | None:
    """Why ``method="reduced_form"`` cannot solve this problem (None when it can)."""
    if not isinstance(objective, str) or objective not in ("revenue", "welfare", "deficit"):
        return "the objective must be 'revenue', 'welfare' or 'deficit' (a callable objective is ex post)"
    other = [n for n in names if n not in INTERIM_FAMILIES]
    if other:
        return (f"constraints {other} are not interim (reduced forms express only {list(INTERIM_FAMILIES)}; "
                "use method='cutting_plane' or 'full')")
    if users:
        return "user LinearConstraint rows are ex post"
    if decision is not None:
        return "the decision is fixed"
    if not randomized:
        return "randomized=False (the reduced-form optimum is a lottery over hierarchies)"
    if not env.prior.is_independent:
        return "the prior is not an IndependentPrior (Border's theorem needs independent types)"
    found = allocation_structure(env)
    return found if isinstance(found, str) else None


# ---------------------------------------------------------------- hierarchies
def _padded(rows: list[np.ndarray], k: int, fill: float) -> np.ndarray:
    out = np.full((len(rows), k), fill, dtype=float)
    for i, r in enumerate(rows):
        out[i, :len(r)] = r
    return out


def interim_allocation(level: np.ndarray, f: np.ndarray, units: int, sizes: np.ndarray | None = None) -> np.ndarray:
    """q(t) of each row's pairs under the hierarchy with levels ``level[c, t]`` (lower wins; ``inf``: never).

    Rows are classes of ``sizes[c]`` identical bidders (default: one bidder
    each) with type probabilities ``f[c, t]`` (padded with 0); every member of
    a class has the same levels. At a profile the ``units`` best levels present
    win, ties at the last winning level broken uniformly at random. A pair
    (c, t) at level L wins with probability Σ P(A others above L, x others at L)
    · [A < units] · min(1, (units − A)/(1 + x)), the others' positions being
    independent: computed by an exact recursion over the other bidders.
    """
    C, k = level.shape
    sizes = np.ones(C, np.int64) if sizes is None else np.asarray(sizes, np.int64)
    finite = np.isfinite(level)
    L = level.ravel()                                                     # pairs
    own = np.repeat(np.arange(C), k)
    above = np.einsum("ds,pds->pd", f, level[None, :, :] < L[:, None, None])     # (pairs, classes)
    same = np.einsum("ds,pds->pd", f, level[None, :, :] == L[:, None, None])
    n_others = int(sizes.sum()) - 1
    dist = np.zeros((L.size, units + 1, max(n_others, 0) + 1))          # (pairs, A capped at units, x)
    dist[:, 0, 0] = 1.0
    for d in range(C):
        for m in range(int(sizes[d])):
            active = own != d if m == sizes[d] - 1 else np.ones(L.size, bool)     # a pair's own bidder is not other
            a = np.where(active, above[:, d], 0.0)[:, None, None]
            b = np.where(active, same[:, d], 0.0)[:, None, None]
            new = dist * (1.0 - a - b)
            new[:, 1:, :] += dist[:, :-1, :] * a
            new[:, -1, :] += dist[:, -1, :] * a[:, 0]                     # A ≥ units stays there
            new[:, :, 1:] += dist[:, :, :-1] * b
            dist = new
    A = np.arange(units + 1)[:, None]
    x = np.arange(dist.shape[2])[None, :]
    share = np.where(A < units, np.minimum(1.0, (units - A) / (1.0 + x)), 0.0)
    q = np.einsum("pax,ax->p", dist, share).reshape(C, k)
    return np.where(finite, q, 0.0)


def greedy_hierarchy(y: np.ndarray, f: np.ndarray, allowed: np.ndarray,
                     sizes: np.ndarray | None = None) -> np.ndarray:
    """Levels of the hierarchy maximising Σ_(c,t) y[c, t] q[c, t] (Edmonds' greedy on the Border polymatroid).

    ``q[c, t]`` is a class member's interim allocation and ``y`` weighs the
    class (its members' weights are y / sizes). Pairs of positive probability
    with y > 0 are ranked by y / (sizes·f) (larger first, ties by index); pairs
    of probability zero with y > 0 go first (they are never present, so they
    displace nobody); the rest never win. All members of a class share the
    levels — the class-symmetric average of the greedy orders.
    """
    C, k = y.shape
    sizes = np.ones(C) if sizes is None else np.asarray(sizes, float)
    level = np.full((C, k), np.inf)
    positive = allowed & (y > 0)
    null = positive & (f <= 0)
    weight = sizes[:, None] * f
    ratio = np.where(positive & (f > 0), y / np.where(weight > 0, weight, 1.0), -np.inf)
    flat_null = np.flatnonzero(null.ravel())
    order = np.argsort(-ratio.ravel(), kind="stable")
    order = order[np.isfinite(ratio.ravel()[order])]
    ranked = np.concatenate([flat_null, order])
    level.ravel()[ranked] = np.arange(ranked.size, dtype=float)
    return level


class HierarchyLottery:
    """Ex-post rule: with probability ``weights[h]`` the hierarchy ``levels[h]`` allocates (picklable).

    ``levels[h][i, t]``: bidder i's level when her type is t (lower wins,
    ``inf`` never); the ``units`` best levels present win, ties broken
    uniformly (ties occur for one unit only: several units use strict ranks).
    Called as ``func(types)`` by :class:`LazyDirectMechanism`. Transfers: a
    winner of type t receives M_i(t)/q_i(t) (a payment when M < 0), everybody
    receives M_i(t) when q_i(t) = 0.
    """

    def __init__(self, n_players: int, n_alternatives: int, allocation: Allocation, levels: np.ndarray,
                 weights: np.ndarray, q: list[np.ndarray], money: list[np.ndarray]):
        self.n_players = n_players
        self.n_alternatives = n_alternatives
        self.bidders = allocation.bidders
        self.units = allocation.units
        self.alternative = dict(allocation.alternative)
        self.levels = levels                  # (H, N, k) over all players (non-bidders never win)
        self.weights = weights
        self.q = q
        self.money = money
        self.none = self.alternative[frozenset()]
        self.single = np.array([self.alternative[frozenset([i])] if i in self.bidders else self.none
                                for i in range(n_players)]) if self.units == 1 else None
        ties = False
        for lv in levels:
            finite = lv[np.isfinite(lv)]
            ties = ties or np.unique(finite).size < finite.size
        if ties and self.units > 1:
            raise AssertionError("several units are allocated by strict ranks only")
        self.deterministic = (len(weights) == 1 and abs(float(weights[0]) - 1.0) <= _WEIGHT_FLOOR and not ties)

    def _allocate(self, lottery: np.ndarray, stacked: np.ndarray, weight: float) -> None:
        """Add one hierarchy's allocation (weight ``weight``) at every profile (rows of ``stacked``: levels)."""
        n = stacked.shape[0]
        if self.units == 1:
            best = stacked.min(axis=1)
            alive = np.isfinite(best)
            at = (stacked == best[:, None]) & alive[:, None]
            share = weight / np.maximum(at.sum(axis=1), 1)
            for i in self.bidders:
                lottery[:, self.single[i]] += np.where(at[:, i], share, 0.0)
            lottery[:, self.none] += np.where(alive, 0.0, weight)
            return
        top = np.argsort(stacked, axis=1, kind="stable")[:, :self.units]
        alive = np.isfinite(np.take_along_axis(stacked, top, axis=1))
        codes = np.zeros(n, np.int64)
        for c in range(self.units):
            codes |= np.where(alive[:, c], np.int64(1) << top[:, c].astype(np.int64), 0)
        uniq, inverse = np.unique(codes, return_inverse=True)
        lookup = np.array([self.alternative[frozenset(j for j in range(self.n_players) if (u >> j) & 1)]
                           for u in uniq.tolist()])
        lottery[np.arange(n), lookup[inverse.ravel()]] += weight          # one entry per row

    def __call__(self, types: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
        N = self.n_players
        shape = tuple(len(t) for t in types)
        n = math.prod(shape)
        lottery = np.zeros((n, self.n_alternatives))
        for level, weight in zip(self.levels, self.weights):
            stacked = np.empty((n, N))
            for i in range(N):
                view = [1] * N
                view[i] = shape[i]
                stacked[:, i] = np.broadcast_to(level[i][types[i]].reshape(view), shape).ravel()
            self._allocate(lottery, stacked, float(weight))
        lottery[:, self.none] += max(0.0, 1.0 - float(self.weights.sum()))
        wins = np.zeros((n, N))
        for winners, x in self.alternative.items():
            for i in winners:
                wins[:, i] += lottery[:, x]
        transfers = np.zeros((n, N))
        for i in range(N):
            view = [1] * N
            view[i] = shape[i]
            t = np.broadcast_to(types[i].reshape(view), shape).ravel()
            q, m = self.q[i][t], self.money[i][t]
            win_pay = np.divide(m, q, out=np.zeros_like(m), where=q > 0)
            transfers[:, i] = np.where(q > 0, win_pay * wins[:, i], m)
        if self.deterministic:
            return lottery.argmax(axis=1).reshape(shape), transfers.reshape(*shape, N)
        return lottery.reshape(*shape, self.n_alternatives), transfers.reshape(*shape, N)


class HierarchicalMechanism(LazyDirectMechanism):
    """The reduced-form optimum: a lottery over hierarchical allocations, evaluated per block of profiles.

    A :class:`~mechdesign.mechanisms.lazy.LazyDirectMechanism` (every audit
    reads it block by block) that also knows its structure.

    Attributes
    ----------
    hierarchies : list of (float, list of list of (str, str))
        Each hierarchy's probability and its levels, best first, each level a
        list of (player, type label) pairs (tied: among those present, the
        units go uniformly at random); pairs not listed never win.
    interim_allocation : tuple of ndarray
        q_i(t): probability that player i of type t wins (one item or unit).
    interim_transfers : tuple of ndarray
        M_i(t): money player i of type t expects to receive.
    """

    #: Profile spaces up to this size are also written out in full by :meth:`to_dict`.
    TABLE_LIMIT = 10**5

    def __init__(self, env: Environment, rule: HierarchyLottery, name: str):
        super().__init__(env, rule, name=name)
        labels = env.type_labels
        self.hierarchies = []
        for level, weight in zip(rule.levels, rule.weights):
            groups: dict[float, list[tuple[str, str]]] = {}
            for i, t in zip(*np.nonzero(np.isfinite(level))):
                if t < env.n_types[i]:
                    groups.setdefault(float(level[i, t]), []).append((env.players[i], labels[i][t]))
            self.hierarchies.append((float(weight), [groups[key] for key in sorted(groups)]))
        self.interim_allocation = tuple(np.array(q) for q in rule.q)
        self.interim_transfers = tuple(np.array(m) for m in rule.money)
        for a in (*self.interim_allocation, *self.interim_transfers):
            a.flags.writeable = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the hierarchies and interim rules (and the full tables on small profile spaces)."""
        env = self.env
        out: dict[str, Any] = {
            "name": self.name, "kind": "hierarchy_lottery", "environment": env.to_dict(),
            "hierarchies": [{"probability": w, "levels": [[list(pair) for pair in lv] for lv in levels]}
                            for w, levels in self.hierarchies],
            "interim_allocation": {p: q.tolist() for p, q in zip(env.players, self.interim_allocation)},
            "interim_transfers": {p: m.tolist() for p, m in zip(env.players, self.interim_transfers)},
            "payments": "a winner of type t receives M(t)/q(t); when q(t) = 0 every profile pays M(t)",
        }
        if env.n_profiles <= self.TABLE_LIMIT:
            table = super().to_dict()
            out["decision"], out["transfers"] = table["decision"], table["transfers"]
        return out

    def __repr__(self) -> str:
        return (f"HierarchicalMechanism({self.name!r}, {len(self.hierarchies)} hierarchies, "
                f"players={list(self.env.players)}, n_types={self.env.n_types})")


# ---------------------------------------------------------------- master LP
class _Master:
    """The interim LP in (q, M) per class of identical bidders, with hierarchy columns λ_H, solved warm by HiGHS.

    ``sizes[c]``: members of class c (they share q and M: an exact restriction,
    the problem being invariant under permutations within a class).
    """

    def __init__(self, f: np.ndarray, values: np.ndarray, allowed: np.ndarray, sizes: np.ndarray, names: list[str],
                 objective: str, options: dict[str, Any]):
        N, k = f.shape
        self.shape = (N, k)
        m = N * k
        self.m = m
        h = highs._new_highs({"presolve": "off", **options})       # warm re-solves: presolve would redo its work
        inf = highspy.kHighsInf
        # columns: q (m) in [0, 1] (0 on padding), M (m) free (0 on padding)
        q_ub = np.where(allowed.ravel(), 1.0, 0.0)
        m_lb = np.where(allowed.ravel(), -inf, 0.0)
        m_ub = np.where(allowed.ravel(), inf, 0.0)
        cost = np.zeros(2 * m)
        mass = (np.asarray(sizes, float)[:, None] * f).ravel()              # expected members of each type
        if objective == "revenue":
            cost[m:] = -mass
        elif objective == "deficit":
            cost[m:] = mass
        else:
            cost[:m] = mass * values.ravel()
        self.maximize = objective != "deficit"
        h.changeObjectiveSense(highspy.ObjSense.kMaximize if self.maximize else highspy.ObjSense.kMinimize)
        h.addVars(2 * m, np.concatenate([np.zeros(m), m_lb]), np.concatenate([q_ub, m_ub]))
        h.changeColsCost(2 * m, np.arange(2 * m, dtype=np.int32), cost)
        rows: list[tuple[float, float, list[int], list[float]]] = []
        # definitions q_e − Σ λ_H q^H_e = 0 (rows 0..m−1) and the convexity row Σ λ_H ≤ 1 (row m)
        for e in range(m):
            rows.append((0.0, 0.0, [e], [1.0]))
        rows.append((-inf, 1.0, [], []))
        self.family_rows: dict[str, list[tuple]] = {}
        qi = lambda i, t: i * k + t                                    # noqa: E731
        mi = lambda i, t: m + i * k + t                                # noqa: E731
        for name in names:
            keys = []
            for i in range(N):
                types = np.flatnonzero(allowed[i])
                positive = types[f[i, types] > 0]
                if name == "bic":
                    for t in positive:
                        for r in types:
                            if r != t:
                                rows.append((-inf, 0.0, [qi(i, r), mi(i, r), qi(i, t), mi(i, t)],
                                             [values[i, t], 1.0, -values[i, t], -1.0]))
                                keys.append((i, int(t), int(r)))
                elif name == "ir_interim":
                    for t in positive:
                        rows.append((-inf, 0.0, [qi(i, t), mi(i, t)], [-values[i, t], -1.0]))
                        keys.append((i, int(t)))
                elif name == "ir_ex_ante":
                    rows.append((-inf, 0.0, [qi(i, t) for t in types] + [mi(i, t) for t in types],
                                 [-f[i, t] * values[i, t] for t in types] + [-f[i, t] for t in types]))
                    keys.append((i,))
            if name == "budget_ex_ante":
                pairs = [(i, t) for i in range(N) for t in np.flatnonzero(allowed[i])]
                rows.append((-inf, 0.0, [mi(i, t) for i, t in pairs], [sizes[i] * f[i, t] for i, t in pairs]))
                keys.append(())
            self.family_rows[name] = keys
        lower = np.array([r[0] for r in rows])
        upper = np.array([r[1] for r in rows])
        starts = np.cumsum([0] + [len(r[2]) for r in rows[:-1]]).astype(np.int32)
        index = np.array([c for r in rows for c in r[2]], dtype=np.int32)
        value = np.array([c for r in rows for c in r[3]], dtype=float)
        h.addRows(len(rows), lower, upper, int(index.size), starts, index, value)
        self.h = h
        self.n_columns = 0

    def add_column(self, q: np.ndarray) -> None:
        """Add hierarchy column λ_H (≥ 0) with interim allocation ``q`` (flattened like the q block)."""
        q = q.ravel()
        nz = np.flatnonzero(q)
        index = np.concatenate([nz, [self.m]]).astype(np.int32)
        value = np.concatenate([-q[nz], [1.0]])
        self.h.addCol(0.0, 0.0, highspy.kHighsInf, int(index.size), index, value)
        self.n_columns += 1

    def solve(self) -> str:
        self.h.run()
        return highs._STATUS.get(self.h.getModelStatus().name, "unknown")

    def solution(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """(q, M, λ, objective) of the last solve."""
        sol = self.h.getSolution()
        x = np.asarray(sol.col_value)
        N, k = self.shape
        return (x[:self.m].reshape(N, k), x[self.m:2 * self.m].reshape(N, k), x[2 * self.m:],
                float(self.h.getInfo().objective_function_value))

    def duals(self) -> tuple[np.ndarray, float]:
        """Duals of the definition rows (shape (N, k)) and of the convexity row."""
        y = np.asarray(self.h.getSolution().row_dual)
        N, k = self.shape
        return y[:self.m].reshape(N, k), float(y[self.m])


# ---------------------------------------------------------------- the method
def _interim_audit(name: str, f: np.ndarray, values: np.ndarray, allowed: np.ndarray, q: np.ndarray,
                   money: np.ndarray, env: Environment, atol: float, rtol: float) -> PropertyResult:
    """Audit of one interim family on the interim rules (q, M) the mechanism induces."""
    N = f.shape[0]
    best = (-math.inf, None)
    tol = atol
    for i in range(N):
        types = np.flatnonzero(allowed[i])
        scale = max(1.0, float(np.abs(values[i, types]).max(initial=0.0)), float(np.abs(money[i, types]).max(initial=0.0)))
        tol = max(tol, atol + rtol * scale)
        who = env.players[i]
        positive = types[f[i, types] > 0]
        if name == "bic" and positive.size:
            table = values[i][:, None] * q[i][None, :] + money[i][None, :]       # U[t, r]
            gain = table[np.ix_(positive, types)] - np.diag(table)[positive][:, None]
            a, b = np.unravel_index(int(np.argmax(gain)), gain.shape)
            g = float(gain[a, b])
            if g > best[0]:
                t, r = int(positive[a]), int(types[b])
                best = (g, Witness(description=f"player {who!r} with true type {env.type_labels[i][t]} expects to "
                                               f"gain {g:.6g} by reporting {env.type_labels[i][r]}",
                                   player=who, player_index=i, true_type=env.type_labels[i][t], true_type_index=t,
                                   report=env.type_labels[i][r], report_index=r, gain=g))
        elif name == "ir_interim" and positive.size:
            short = -(values[i, positive] * q[i, positive] + money[i, positive])
            a = int(np.argmax(short))
            if short[a] > best[0]:
                t = int(positive[a])
                best = (float(short[a]), Witness(description=f"player {who!r} of type {env.type_labels[i][t]} "
                                                             f"expects {short[a]:.6g} less than her outside option",
                                                 player=who, player_index=i, true_type=env.type_labels[i][t],
                                                 true_type_index=t, details={"shortfall": float(short[a])}))
        elif name == "ir_ex_ante":
            short = -float(np.sum(f[i] * (values[i] * q[i] + money[i])))
            if short > best[0]:
                best = (short, Witness(description=f"player {who!r} expects ex ante {short:.6g} less than her "
                                                   "outside option", player=who, player_index=i,
                                       details={"shortfall": short}))
    if name == "budget_ex_ante":
        net = float(np.sum(f * money))
        best = (net, Witness(description=f"the designer pays out {net:.6g} in expectation",
                             details={"expected_net_transfer": net}))
    violation, witness = best
    if violation == -math.inf:
        violation = 0.0
    return PropertyResult(name=name, holds=bool(violation <= tol), violation=float(violation),
                          witness=witness if violation > tol else None, tolerance=tol)


_BLOCK_AUDITS = {
    "bic": lambda m, a, r: audits.is_bic(m, atol=a, rtol=r),
    "ir_interim": lambda m, a, r: audits.is_ir(m, "interim", atol=a, rtol=r),
    "ir_ex_ante": lambda m, a, r: audits.is_ir(m, "ex_ante", atol=a, rtol=r),
    "budget_ex_ante": lambda m, a, r: audits.is_budget_balanced(m, "weak", ex_ante=True, atol=a, rtol=r),
}


def _classes(env: Environment, allocation: Allocation, f: np.ndarray, values: np.ndarray,
             can_win: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Classes of interchangeable bidders: (class of each player, first player of each class).

    Players are interchangeable when their type counts, values, type
    probabilities and whether they can win agree — then the problem is
    invariant under swapping them, and averaging an optimum over the swaps is
    an optimum in which they share q and M. For several units every player is
    its own class (hierarchies there use strict ranks).
    """
    N = env.n_players
    if allocation.units > 1:
        return np.arange(N), np.arange(N)
    keys: dict[bytes, int] = {}
    member = np.empty(N, np.int64)
    first = []
    for i in range(N):
        key = (np.int64(env.n_types[i]).tobytes() + f[i].tobytes() + values[i].tobytes() + can_win[i].tobytes())
        if key not in keys:
            keys[key] = len(first)
            first.append(i)
        member[i] = keys[key]
    return member, np.array(first)


def solve(env: Environment, objective: str, names: list[str], own: dict[str, Any],
          solver_options: dict[str, Any], options_record: dict[str, Any]) -> DesignResult:
    """Run the reduced-form method (the caller checked :func:`not_applicable`)."""
    tic = time.perf_counter()
    allocation = allocation_structure(env)
    assert not isinstance(allocation, str)
    N = env.n_players
    k = max(env.n_types)
    f = _padded([np.asarray(env.prior.marginal(i), dtype=float) for i in range(N)], k, 0.0)
    values = _padded(list(allocation.values), k, 0.0)
    allowed = _padded([np.ones(n) for n in env.n_types], k, 0.0).astype(bool)
    bidder = np.zeros(N, bool)
    bidder[list(allocation.bidders)] = True
    can_win = allowed & bidder[:, None]
    member, first = _classes(env, allocation, f, values, can_win)
    sizes = np.bincount(member)
    fc, vc, ac, wc = f[first], values[first], allowed[first], can_win[first]
    master = _Master(fc, vc, ac, sizes, names, objective, solver_options)
    max_columns = int(own.get("max_columns", DEFAULTS["max_columns"]))
    seen: set[bytes] = set()
    columns: list[np.ndarray] = []
    allocations: list[np.ndarray] = []
    rounds = 0
    status = "optimal"
    reduced = math.nan
    solve_time = 0.0
    while True:
        rounds += 1
        start = time.perf_counter()
        status = master.solve()
        solve_time += time.perf_counter() - start
        if status != "optimal":
            break
        y, mu = master.duals()
        sign = 1.0 if master.maximize else -1.0
        level = greedy_hierarchy(sign * y, fc, wc, sizes)
        q_new = interim_allocation(level, fc, allocation.units, sizes)
        reduced = sign * (float(np.sum(y * q_new)) - mu)
        scale = 1.0 + float(np.abs(y).max(initial=0.0)) + abs(mu)
        key = level.tobytes()
        if reduced <= 1e-11 * scale or key in seen or len(columns) >= max_columns:
            break
        seen.add(key)
        columns.append(level)
        allocations.append(q_new)
        master.add_column(q_new)
    diagnostics: dict[str, Any] = {"method": "reduced_form", "rounds": rounds, "hierarchies_generated": len(columns),
                                   "bidder_classes": int(sizes.size),
                                   "master_rows": int(master.h.getNumRow()),
                                   "master_columns": int(master.h.getNumCol()), "final_reduced_cost": reduced,
                                   "solve_time": solve_time, "units": allocation.units}
    labels = tuple(names)
    if status != "optimal":
        message = master.h.modelStatusToString(master.h.getModelStatus())
        if status == "unbounded":
            message += "; the objective can grow without limit (e.g. revenue without a participation constraint)"
        diagnostics["build_time"] = time.perf_counter() - tic - solve_time
        return DesignResult(method="reduced_form", options=options_record, status=status, objective=objective,
                            constraints=labels, value=None, mechanism=None, certificate=None, verification=None,
                            message=message, diagnostics=diagnostics)
    message = "Optimal"
    if len(columns) >= max_columns and reduced > 1e-11:
        message += f"; options['max_columns'] = {max_columns} reached before the pricing certified optimality"
        status = "iteration_limit"
    _, money_c, lam, _ = master.solution()
    lam = np.asarray(lam, dtype=float)[:len(columns)]
    keep = np.flatnonzero(lam > _WEIGHT_FLOOR)
    weights = lam[keep]
    diagnostics["hierarchies_used"] = int(keep.size)
    # every bidder takes her class's levels and interim money; her interim allocation is recomputed per
    # bidder from the levels (ties between the members of a class included), not copied from the master
    levels = np.array([columns[h][member] for h in keep]) if keep.size else np.zeros((0, N, k))
    money = money_c[member]
    q = sum((w * interim_allocation(lv, f, allocation.units) for w, lv in zip(weights, levels)), np.zeros((N, k)))
    unpadded = [money[i, :env.n_types[i]] for i in range(N)]
    rule = HierarchyLottery(N, env.n_alternatives, allocation, levels, weights,
                            [q[i, :env.n_types[i]] for i in range(N)], unpadded)
    mech = HierarchicalMechanism(env, rule, name=f"optimal {objective} auction (reduced form)")
    if objective == "revenue":
        value = -float(np.sum(f * money))
    elif objective == "deficit":
        value = float(np.sum(f * money))
    else:
        value = float(np.sum(f * values * q))
    diagnostics["build_time"] = time.perf_counter() - tic - solve_time
    start = time.perf_counter()
    atol, rtol = own["atol"], own["rtol"]
    checks: dict[str, PropertyResult] = {}
    block = env.n_profiles <= BLOCK_AUDIT_LIMIT
    for name in names:
        interim = _interim_audit(name, f, values, allowed, q, money, env, atol, rtol)
        if block:
            checks[name] = _BLOCK_AUDITS[name](mech, atol, rtol)
            checks[f"{name} (interim rules)"] = interim
        else:
            checks[name] = interim
    diagnostics["verify_time"] = time.perf_counter() - start
    diagnostics["verification"] = ("block audits at every profile and the induced interim rules" if block else
                                   f"the induced interim rules (more than {BLOCK_AUDIT_LIMIT:.0e} profiles: no "
                                   "block audits)")
    verification = Verification(checks)
    if not verification.holds:
        message += f"; re-verification found violations {verification.violations}"
    return DesignResult(method="reduced_form", options=options_record, status=status, objective=objective,
                        constraints=labels, value=value, mechanism=mech, certificate=None, verification=verification,
                        message=message, diagnostics=diagnostics)
