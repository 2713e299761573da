"""One builder per named constraint family of the design LP (conventions: ``docs/conventions.md``).

Every row is written ``a·z ≤ b`` (or ``= b``) so that a Farkas certificate is a
non-negative combination of rows giving ``0 ≤ negative``:

=================  ==========================================================  ==============
family             row                                                          key
=================  ==========================================================  ==============
``lottery``        Σ_x p(θ, x) = 1                                              (profile)
``dsic``           [u_i(x(r,o), (t,o)) + m_i(r,o)] − [same with t] ≤ 0           (i, t, r, o)
``bic``            U_i(t → r) − U_i(t → t) ≤ 0 (conditional beliefs)             (i, t, r)
``ir_ex_post``     −(u_i(x(θ), θ) + m_i(θ)) ≤ 0                                  (i, profile)
``ir_interim``     −U_i(t → t) ≤ 0                                               (i, t)
``ir_ex_ante``     −E[u_i + m_i] ≤ 0                                              (i,)
``budget_weak``    Σ_i m_i(θ) ≤ 0                                                 (profile)
``budget_strong``  Σ_i m_i(θ) = 0                                                 (profile)
``budget_ex_ante`` E[Σ_i m_i] ≤ 0                                                  ()
``user``           rows of :class:`LinearConstraint` (two rows for a range)      (k, row, side)
=================  ==========================================================  ==============

Here o is the others' profile (C order), U_i(t → r) = Σ_o P(o | t)[Σ_x u_i(x, (t, o))
p((r, o), x) + m_i(r, o)] is the interim utility of type t reporting r.

With an independent prior, interim expectations do not depend on the true
type's belief, so they are written through auxiliary variables (exact, no
approximation): M_i(r) = Σ_o P(o) m_i(r, o) and, for private values,
Q_i(r, g) = Σ_o P(o) Σ_{x∈g} p((r, o), x) for each group g of alternatives with
identical non-zero value columns u_i(·, x). BIC then has O(k_i²) short rows
instead of rows over every profile; the definitions are equality rows that
are not a named family (``interim_definitions``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.design.model import Layout, RowBlock, RowBuilder, player_profiles, utility_rows
from mechdesign.model.environment import Environment

#: Constraint names accepted by :func:`mechdesign.design`.
CONSTRAINTS = ("dsic", "bic", "ir_ex_post", "ir_interim", "ir_ex_ante",
               "budget_weak", "budget_strong", "budget_ex_ante")


class LinearConstraint:
    """User linear constraints ``lb ≤ A_p·p + A_m·m ≤ ub`` on the design variables.

    Modelled on :class:`scipy.optimize.LinearConstraint`: each of the ``n``
    rows has coefficients on the decision probabilities and/or the transfers.

    Parameters
    ----------
    decision : array_like, optional
        Coefficients on p(θ, x), shape ``(n, k_1, ..., k_N, |X|)``.
    transfers : array_like, optional
        Coefficients on m_i(θ) (money received), shape ``(n, k_1, ..., k_N, N)``.
    lb, ub : float or array_like of shape (n,)
        Bounds (``-inf``/``inf`` for one-sided rows; ``lb == ub`` for equalities).
    name : str
        Shown in explanations and verification reports.

    Examples
    --------
    Cap every payment at 10 (m_i ≥ −10) with 2 players of 2 types each: one
    row per transfer m_i(θ), i.e. the identity over the 8 transfers:

    >>> import numpy as np
    >>> cap = LinearConstraint(transfers=np.eye(8).reshape(8, 2, 2, 2), lb=-10, name="cap")
    >>> cap.n_rows
    8
    """

    def __init__(self, decision: Any = None, transfers: Any = None, lb: Any = -np.inf, ub: Any = np.inf,
                 name: str = "user"):
        if decision is None and transfers is None:
            raise v.fail("LinearConstraint", "coefficients on `decision` and/or `transfers`", "neither")
        self.decision = None if decision is None else v.float_array(decision, f"{name}.decision")
        self.transfers = None if transfers is None else v.float_array(transfers, f"{name}.transfers")
        arrays = [a for a in (self.decision, self.transfers) if a is not None]
        if any(a.ndim < 2 for a in arrays):
            raise v.fail(f"{name}.decision/transfers", "arrays with a leading row axis", [a.shape for a in arrays])
        self.n_rows = arrays[0].shape[0]
        if any(a.shape[0] != self.n_rows for a in arrays):
            raise v.fail(f"{name}", "the same number of rows in decision and transfers",
                         [a.shape[0] for a in arrays])
        self.lb = v.frozen(np.broadcast_to(np.asarray(lb, dtype=float), (self.n_rows,)).copy())
        self.ub = v.frozen(np.broadcast_to(np.asarray(ub, dtype=float), (self.n_rows,)).copy())
        if np.any(np.isnan(self.lb)) or np.any(np.isnan(self.ub)) or np.any(self.lb > self.ub):
            raise v.fail(f"{name}.lb/ub", "lb ≤ ub, no NaN", f"lb={self.lb.tolist()}, ub={self.ub.tolist()}")
        self.name = str(name)

    def check_shapes(self, env: Environment, position: int) -> None:
        """Raise SpecError unless the coefficient arrays fit ``env``."""
        where = f"constraints[{position}] ({self.name})"
        if self.decision is not None and self.decision.shape[1:] != (*env.n_types, env.n_alternatives):
            raise v.fail(f"{where}.decision", f"shape (n, {', '.join(map(str, env.n_types))}, {env.n_alternatives})",
                         f"shape {self.decision.shape}")
        if self.transfers is not None and self.transfers.shape[1:] != (*env.n_types, env.n_players):
            raise v.fail(f"{where}.transfers", f"shape (n, {', '.join(map(str, env.n_types))}, {env.n_players})",
                         f"shape {self.transfers.shape}")

    def evaluate(self, decision: np.ndarray, transfers: np.ndarray) -> np.ndarray:
        """Row values A_p·p + A_m·m for a mechanism's arrays."""
        total = np.zeros(self.n_rows)
        if self.decision is not None:
            total += self.decision.reshape(self.n_rows, -1) @ decision.ravel()
        if self.transfers is not None:
            total += self.transfers.reshape(self.n_rows, -1) @ transfers.ravel()
        return total

    def __repr__(self) -> str:
        return f"LinearConstraint({self.name!r}, rows={self.n_rows})"


# ----------------------------------------------------------------- families
def lottery(layout: Layout) -> RowBlock:
    """Σ_x p(θ, x) = 1 at every profile."""
    n, X = layout.n_profiles, layout.n_alt
    b = RowBuilder(layout, n)
    prof = np.arange(n)
    b.add(prof[:, None], layout.p(prof)[:, None] + np.arange(X)[None, :], 1.0)
    b.rhs[:] = 1.0
    return b.block("lottery", ("profile",), prof, equality=True)


def dsic_keys(env: Environment) -> np.ndarray:
    """Keys (player, type, report, others) of every ``dsic`` row, in the order :func:`dsic` writes them."""
    keys = []
    for i in range(env.n_players):
        M, k = env.n_profiles // env.n_types[i], env.n_types[i]
        o, t, r = (a.ravel() for a in np.meshgrid(np.arange(M), np.arange(k), np.arange(k), indexing="ij"))
        keep = t != r
        keys.append(np.stack([np.full(int(keep.sum()), i), t[keep], r[keep], o[keep]], axis=1))
    return np.concatenate(keys).astype(np.int64)


def _rows_of_player(keys: np.ndarray, i: int) -> np.ndarray:
    return np.flatnonzero(keys[:, 0] == i)


def dsic(layout: Layout, keys: np.ndarray | None = None) -> RowBlock:
    """No player gains by misreporting, whatever the others report (ex post for interdependent values).

    ``keys``: only these rows (player, type, report, others) — default all of :func:`dsic_keys`.
    """
    env = layout.env
    keys = dsic_keys(env) if keys is None else np.asarray(keys, dtype=np.int64).reshape(-1, 4)
    b = RowBuilder(layout, len(keys))
    for i in range(env.n_players):
        rows = _rows_of_player(keys, i)
        if not rows.size:
            continue
        idx = player_profiles(env, i)
        t, r, o = keys[rows, 1], keys[rows, 2], keys[rows, 3]
        true, rep = idx[o, t], idx[o, r]
        u = utility_rows(env, i, true, t)
        b.add_decision(rows, rep, u)
        b.add_decision(rows, true, -u)
        b.add_money(rows, rep, i, 1.0)
        b.add_money(rows, true, i, -1.0)
    return b.block("dsic", ("player", "type", "report", "others"), keys)


def _value_groups(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group alternatives with identical non-zero value columns: (group of each x or −1, values (k, G))."""
    cols = np.ascontiguousarray(u.T)
    nonzero = np.any(cols != 0, axis=1)
    group = np.full(u.shape[1], -1)
    if not nonzero.any():
        return group, np.zeros((u.shape[0], 0))
    uniq, inverse = np.unique(cols[nonzero], axis=0, return_inverse=True)
    group[nonzero] = inverse.ravel()
    return group, uniq.T


class InterimTerms:
    """Writes U_i(t → r) into rows, through auxiliary variables when the prior is independent."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.env = layout.env
        self.definitions: list[RowBlock] = []

    def _money_aux(self, i: int) -> int:
        key = ("M", i)
        if key in self.layout.aux:
            return self.layout.aux[key][0]
        env, layout = self.env, self.layout
        idx = player_profiles(env, i)
        M, k = idx.shape
        start = layout.add_aux(key, k)
        w = env.prior.belief_matrix(i)[0]
        b = RowBuilder(layout, k)
        r = np.arange(k)
        b.add(r, start + r, 1.0)
        b.add_money(np.repeat(r, M), idx.T.ravel(), i, -np.tile(w, k))
        self.definitions.append(b.block("interim_definitions", ("kind", "player", "report", "group"),
                                        np.stack([np.zeros(k, int), np.full(k, i), r, np.full(k, -1)], axis=1),
                                        equality=True, named=False))
        return start

    def _decision_aux(self, i: int) -> tuple[int, np.ndarray]:
        group, values = _value_groups(self.env.valuations[i])
        key = ("Q", i)
        if key in self.layout.aux:
            return self.layout.aux[key][0], values
        env, layout = self.env, self.layout
        idx = player_profiles(env, i)
        M, k = idx.shape
        G = values.shape[1]
        start = layout.add_aux(key, k * G)
        w = env.prior.belief_matrix(i)[0]
        rows = np.arange(k * G)
        r_of, g_of = np.divmod(rows, max(G, 1))
        b = RowBuilder(layout, k * G)
        b.add(rows, start + rows, 1.0)
        member = group[None, :] == g_of[:, None]                                  # (rows, X)
        coefs = -w[None, :, None] * member[:, None, :]                            # (rows, M, X)
        b.add_decision(np.repeat(rows, M), idx[:, r_of].T.ravel(), coefs.reshape(-1, env.n_alternatives))
        self.definitions.append(b.block("interim_definitions", ("kind", "player", "report", "group"),
                                        np.stack([np.ones(k * G, int), np.full(k * G, i), r_of, g_of], axis=1),
                                        equality=True, named=False))
        return start, values

    def prepare(self, i: int) -> None:
        """Create player i's auxiliary variables now (rows added later may then refer to them)."""
        if self.env.prior.is_independent:
            self._money_aux(i)
            if self.env.is_private(i) and self.layout.free_decision:
                self._decision_aux(i)

    def add(self, b: RowBuilder, rows: np.ndarray, i: int, t: np.ndarray, r: np.ndarray, sign: float) -> None:
        """Add sign·U_i(t[j] → r[j]) to rows[j]."""
        env = self.env
        independent = env.prior.is_independent
        aggregate_decision = independent and env.is_private(i) and self.layout.free_decision
        if independent:
            b.add(rows, self._money_aux(i) + r, sign)
        if aggregate_decision:
            start, values = self._decision_aux(i)
            G = values.shape[1]
            b.add(rows[:, None], start + r[:, None] * G + np.arange(G)[None, :], sign * values[t])
            return
        idx = player_profiles(env, i)
        M = idx.shape[0]
        beliefs = np.asarray(env.prior.belief_matrix(i))[t]                      # (n, M)
        rr = np.repeat(rows, M)
        true = idx[:, t].T.ravel()
        rep = idx[:, r].T.ravel()
        u = utility_rows(env, i, true, np.repeat(t, M))
        b.add_decision(rr, rep, sign * beliefs.reshape(-1, 1) * u)
        if not independent:
            b.add_money(rr, rep, i, sign * beliefs.ravel())


def _positive_types(env: Environment, i: int) -> np.ndarray:
    return np.flatnonzero(np.asarray(env.prior.marginal(i)) > 0)


def bic_keys(env: Environment) -> np.ndarray:
    """Keys (player, type, report) of every ``bic`` row: true types of positive probability, any other report."""
    keys = []
    for i in range(env.n_players):
        t, r = np.meshgrid(_positive_types(env, i), np.arange(env.n_types[i]), indexing="ij")
        keep = t != r
        keys.append(np.stack([np.full(int(keep.sum()), i), t[keep], r[keep]], axis=1))
    return np.concatenate(keys).astype(np.int64)


def bic(layout: Layout, interim: InterimTerms, keys: np.ndarray | None = None) -> RowBlock:
    """Truth-telling is a Bayes–Nash equilibrium (types of positive probability).

    ``keys``: only these rows (player, type, report) — default all of :func:`bic_keys`.
    """
    env = layout.env
    keys = bic_keys(env) if keys is None else np.asarray(keys, dtype=np.int64).reshape(-1, 3)
    b = RowBuilder(layout, len(keys))
    for i in range(env.n_players):
        rows = _rows_of_player(keys, i)
        if rows.size:
            t, r = keys[rows, 1], keys[rows, 2]
            interim.add(b, rows, i, t, r, 1.0)
            interim.add(b, rows, i, t, t, -1.0)
    return b.block("bic", ("player", "type", "report"), keys)


def ir_interim_keys(env: Environment) -> np.ndarray:
    """Keys (player, type) of every ``ir_interim`` row: types of positive probability."""
    return np.concatenate([np.stack([np.full(t.size, i), t], axis=1)
                           for i, t in ((i, _positive_types(env, i)) for i in range(env.n_players))]).astype(np.int64)


def ir_interim(layout: Layout, interim: InterimTerms, keys: np.ndarray | None = None) -> RowBlock:
    """Each type of positive probability expects a non-negative utility.

    ``keys``: only these rows (player, type) — default all of :func:`ir_interim_keys`.
    """
    env = layout.env
    keys = ir_interim_keys(env) if keys is None else np.asarray(keys, dtype=np.int64).reshape(-1, 2)
    b = RowBuilder(layout, len(keys))
    for i in range(env.n_players):
        rows = _rows_of_player(keys, i)
        if rows.size:
            t = keys[rows, 1]
            interim.add(b, rows, i, t, t, -1.0)
    return b.block("ir_interim", ("player", "type"), keys)


def ir_ex_post_keys(env: Environment) -> np.ndarray:
    """Keys (player, profile) of every ``ir_ex_post`` row (player-major)."""
    n, N = env.n_profiles, env.n_players
    return np.stack([np.repeat(np.arange(N), n), np.tile(np.arange(n), N)], axis=1).astype(np.int64)


def ir_ex_post(layout: Layout, keys: np.ndarray | None = None) -> RowBlock:
    """Every player's utility is non-negative at every profile.

    ``keys``: only these rows (player, profile) — default all of :func:`ir_ex_post_keys`.
    """
    env = layout.env
    keys = ir_ex_post_keys(env) if keys is None else np.asarray(keys, dtype=np.int64).reshape(-1, 2)
    b = RowBuilder(layout, len(keys))
    for i in range(env.n_players):
        rows = _rows_of_player(keys, i)
        if rows.size:
            prof = keys[rows, 1]
            own = np.asarray(np.unravel_index(prof, env.n_types)[i])
            b.add_decision(rows, prof, -utility_rows(env, i, prof, own))
            b.add_money(rows, prof, i, -1.0)
    return b.block("ir_ex_post", ("player", "profile"), keys)


def _joint(env: Environment) -> np.ndarray:
    return np.asarray(env.prior.joint(), dtype=float).ravel()


def ir_ex_ante(layout: Layout) -> RowBlock:
    """Every player's ex-ante expected utility is non-negative."""
    env = layout.env
    n, N = env.n_profiles, env.n_players
    P = _joint(env)
    prof = np.arange(n)
    own = np.stack(np.unravel_index(prof, env.n_types), axis=1)
    b = RowBuilder(layout, N)
    for i in range(N):
        rows = np.full(n, i)
        b.add_decision(rows, prof, -P[:, None] * utility_rows(env, i, prof, own[:, i]))
        b.add_money(rows, prof, i, -P)
    return b.block("ir_ex_ante", ("player",), np.arange(N)[:, None])


def budget(layout: Layout, kind: str) -> RowBlock:
    """``weak``: Σ_i m_i ≤ 0; ``strong``: = 0 (every profile); ``ex_ante``: E[Σ_i m_i] ≤ 0."""
    env = layout.env
    n, N = env.n_profiles, env.n_players
    prof = np.arange(n)
    if kind == "ex_ante":
        b = RowBuilder(layout, 1)
        P = _joint(env)
        for i in range(N):
            b.add_money(np.zeros(n, np.int64), prof, i, P)
        return b.block("budget_ex_ante", (), np.zeros((1, 0)))
    b = RowBuilder(layout, n)
    for i in range(N):
        b.add_money(prof, prof, i, 1.0)
    return b.block(f"budget_{kind}", ("profile",), prof, equality=kind == "strong")


def user(layout: Layout, constraint: LinearConstraint, position: int) -> RowBlock:
    """Rows of a :class:`LinearConstraint`: ``a·z ≤ ub`` (side 0) and ``−a·z ≤ −lb`` (side 1) where finite."""
    env = layout.env
    sides = [(np.flatnonzero(np.isfinite(bound)), sign, side)
             for bound, sign, side in ((constraint.ub, 1.0, 0), (constraint.lb, -1.0, 1))]
    b = RowBuilder(layout, sum(sel.size for sel, _, _ in sides))
    keys, offset = [], 0
    prof = np.arange(env.n_profiles)
    for sel, sign, side in sides:
        for j, row in enumerate(sel):
            local = np.full(prof.size, offset + j)
            if constraint.decision is not None:
                b.add_decision(local, prof, sign * constraint.decision[row].reshape(env.n_profiles, -1))
            if constraint.transfers is not None:
                coef = sign * constraint.transfers[row].reshape(env.n_profiles, env.n_players)
                for i in range(env.n_players):
                    b.add_money(local, prof, i, coef[:, i])
        bound = constraint.ub if side == 0 else constraint.lb
        b.rhs[offset:offset + sel.size] += sign * bound[sel]
        keys.append(np.stack([np.full(sel.size, position), sel, np.full(sel.size, side)], axis=1))
        offset += sel.size
    return b.block("user", ("constraint", "row", "side"), np.concatenate(keys))


#: Families whose rows can be generated on demand (constraint generation): the keys of all their rows,
#: and a builder of the rows with given keys.
FAMILY_KEYS: dict[str, Callable[[Environment], np.ndarray]] = {
    "dsic": dsic_keys, "bic": bic_keys, "ir_ex_post": ir_ex_post_keys, "ir_interim": ir_interim_keys}
KEYED_BUILDERS: dict[str, Callable[..., RowBlock]] = {
    "dsic": lambda layout, interim, keys: dsic(layout, keys),
    "bic": lambda layout, interim, keys: bic(layout, interim, keys),
    "ir_ex_post": lambda layout, interim, keys: ir_ex_post(layout, keys),
    "ir_interim": lambda layout, interim, keys: ir_interim(layout, interim, keys),
}

BUILDERS: dict[str, Callable[..., RowBlock]] = {
    "dsic": lambda layout, interim: dsic(layout),
    "bic": bic,
    "ir_ex_post": lambda layout, interim: ir_ex_post(layout),
    "ir_interim": ir_interim,
    "ir_ex_ante": lambda layout, interim: ir_ex_ante(layout),
    "budget_weak": lambda layout, interim: budget(layout, "weak"),
    "budget_strong": lambda layout, interim: budget(layout, "strong"),
    "budget_ex_ante": lambda layout, interim: budget(layout, "ex_ante"),
}
