"""The sparse linear program of a design problem: variables, row blocks, objective.

Variables (in this column order):

* ``p(θ, x)`` — probability of alternative x at report profile θ (only when the
  decision is not fixed), column ``θ·|X| + x`` with θ the C-order flat profile;
* ``m_i(θ)`` — money received by player i at θ, column ``offset_m + θ·N + i``;
* auxiliary interim variables (see :mod:`.constraints`), defined by equality rows.

Every named constraint family is a :class:`RowBlock` of rows ``a·z ≤ b`` (or
``a·z = b``) stored as COO triples built with numpy index arithmetic; the model
is handed to HiGHS as one CSC matrix. Nothing dense over profiles × rows is
ever formed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from mechdesign.mechanisms.direct import DirectMechanism
from mechdesign.model.environment import Environment

_SNAP = 1e-9   # probabilities within this of 0/1 everywhere make a deterministic rule


def player_profiles(env: Environment, i: int) -> np.ndarray:
    """Flat profile index of (θ_i = t, θ_-i = o) as an array ``idx[o, t]`` of shape ``(M, k_i)``.

    ``o`` runs over the others' profiles flattened in C order (player order, i removed),
    the same order as :meth:`Prior.belief_matrix`.
    """
    grid = np.arange(env.n_profiles).reshape(env.n_types)
    return np.moveaxis(grid, i, -1).reshape(-1, env.n_types[i])


def utility_rows(env: Environment, i: int, profiles: np.ndarray, own_types: np.ndarray) -> np.ndarray:
    """u_i(·, θ) at the given true profiles (flat) with own types, shape ``(n, |X|)``."""
    u = env.valuations[i]
    if u.ndim == 2:
        return u[own_types]
    return u.reshape(env.n_profiles, env.n_alternatives)[profiles]


class Layout:
    """Column indexing of the variables, and the fixed decision when there is one.

    Parameters
    ----------
    env : Environment
    fixed_lottery : ndarray or None
        ``(n_profiles, |X|)`` probabilities when the decision rule is fixed;
        then decision terms of a row are constants moved to its right-hand side.
    """

    def __init__(self, env: Environment, fixed_lottery: np.ndarray | None):
        self.env = env
        self.n_profiles = env.n_profiles
        self.n_alt = env.n_alternatives
        self.n_players = env.n_players
        self.fixed_lottery = fixed_lottery
        self.free_decision = fixed_lottery is None
        self.m_offset = self.n_profiles * self.n_alt if self.free_decision else 0
        self.n_cols = self.m_offset + self.n_profiles * self.n_players
        self.aux: dict[tuple, tuple[int, int]] = {}

    def add_aux(self, key: tuple, count: int) -> int:
        """Reserve ``count`` auxiliary columns under ``key`` (once); return the first column."""
        if key not in self.aux:
            self.aux[key] = (self.n_cols, count)
            self.n_cols += count
        return self.aux[key][0]

    def p(self, profiles: np.ndarray) -> np.ndarray:
        """First decision column of each profile (add x for alternative x)."""
        return profiles * self.n_alt

    def m(self, profiles: np.ndarray, i: int | np.ndarray) -> np.ndarray:
        """Transfer column m_i(θ) for flat profiles θ."""
        return self.m_offset + profiles * self.n_players + i


@dataclass
class RowBlock:
    """One named constraint family: rows ``a·z ≤ b`` (``equality=False``) or ``a·z = b``.

    ``keys`` (shape ``(n_rows, len(key_names))``) identify each row semantically
    (player, types, profile...) for certificates and explanations.
    """

    family: str
    key_names: tuple[str, ...]
    keys: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    rhs: np.ndarray
    equality: bool
    named: bool = True          # False for definitional rows of auxiliary variables

    @property
    def n_rows(self) -> int:
        return int(self.rhs.size)


class RowBuilder:
    """Accumulates COO entries of one row family (rows numbered locally from 0)."""

    def __init__(self, layout: Layout, n_rows: int):
        self.layout = layout
        self.n_rows = n_rows
        self.rhs = np.zeros(n_rows)
        self._rows: list[np.ndarray] = []
        self._cols: list[np.ndarray] = []
        self._vals: list[np.ndarray] = []

    def add(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray | float) -> None:
        """Add entries (broadcast together)."""
        rows, cols, vals = np.broadcast_arrays(np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64),
                                               np.asarray(vals, dtype=float))
        keep = vals != 0
        self._rows.append(rows[keep].ravel())
        self._cols.append(cols[keep].ravel())
        self._vals.append(vals[keep].ravel())

    def add_decision(self, rows: np.ndarray, profiles: np.ndarray, coefs: np.ndarray) -> None:
        """Add Σ_x coefs[j, x]·p(profiles[j], x) to rows[j] (constants if the decision is fixed)."""
        layout = self.layout
        if layout.free_decision:
            cols = layout.p(profiles)[:, None] + np.arange(layout.n_alt)[None, :]
            self.add(rows[:, None], cols, coefs)
        else:
            const = np.einsum("jx,jx->j", coefs, layout.fixed_lottery[profiles])
            self.rhs -= np.bincount(rows, weights=const, minlength=self.n_rows)

    def add_money(self, rows: np.ndarray, profiles: np.ndarray, i: int | np.ndarray, coef: np.ndarray | float) -> None:
        """Add coef·m_i(profile) to rows."""
        self.add(rows, self.layout.m(profiles, i), coef)

    def block(self, family: str, key_names: tuple[str, ...], keys: np.ndarray, *, equality: bool = False,
              named: bool = True) -> RowBlock:
        """Freeze the entries into a :class:`RowBlock`."""
        cat = (lambda parts, dt: np.concatenate(parts).astype(dt) if parts else np.zeros(0, dt))
        return RowBlock(family=family, key_names=key_names, keys=np.asarray(keys, dtype=np.int64).reshape(self.n_rows, len(key_names)),
                        rows=cat(self._rows, np.int64), cols=cat(self._cols, np.int64),
                        vals=cat(self._vals, float), rhs=self.rhs, equality=equality, named=named)


@dataclass
class LPArrays:
    """A model as the arrays HiGHS takes: ``max/min cost·z`` s.t. row and column bounds, CSC matrix."""

    cost: np.ndarray
    matrix: sp.csc_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    maximize: bool
    integrality: np.ndarray | None = None


@dataclass
class DesignModel:
    """The assembled LP/MILP: maximise ``c·z + constant`` subject to the row blocks.

    Decision columns have bounds [0, 1] (and are binary when ``integer``);
    transfers and auxiliary columns are free.
    """

    layout: Layout
    blocks: list[RowBlock]
    cost: np.ndarray
    constant: float
    maximize: bool
    integer: bool
    offsets: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.offsets = list(np.cumsum([0] + [b.n_rows for b in self.blocks]))

    @property
    def n_rows(self) -> int:
        return int(self.offsets[-1])

    @property
    def n_cols(self) -> int:
        return self.layout.n_cols

    def matrix(self) -> sp.csc_matrix:
        """The constraint matrix in CSC form (duplicates summed)."""
        rows = np.concatenate([b.rows + off for b, off in zip(self.blocks, self.offsets)] or [np.zeros(0, np.int64)])
        cols = np.concatenate([b.cols for b in self.blocks] or [np.zeros(0, np.int64)])
        vals = np.concatenate([b.vals for b in self.blocks] or [np.zeros(0)])
        mat = sp.coo_matrix((vals, (rows, cols)), shape=(self.n_rows, self.n_cols)).tocsc()
        mat.sum_duplicates()
        mat.eliminate_zeros()
        return mat

    def row_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Row lower and upper bounds (−inf for ≤ rows)."""
        upper = np.concatenate([b.rhs for b in self.blocks] or [np.zeros(0)])
        lower = np.concatenate([b.rhs if b.equality else np.full(b.n_rows, -math.inf) for b in self.blocks]
                               or [np.zeros(0)])
        return lower, upper

    def col_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Column bounds: decision probabilities in [0, 1], everything else free."""
        lower = np.full(self.n_cols, -math.inf)
        upper = np.full(self.n_cols, math.inf)
        n_p = self.layout.m_offset
        lower[:n_p] = 0.0
        upper[:n_p] = 1.0
        return lower, upper

    def arrays(self) -> LPArrays:
        """The whole model as :class:`LPArrays` (decision columns integer for a MILP)."""
        row_lower, row_upper = self.row_bounds()
        col_lower, col_upper = self.col_bounds()
        integrality = None
        if self.integer:
            integrality = np.zeros(self.n_cols, np.int32)
            integrality[:self.layout.m_offset] = 1
        return LPArrays(self.cost, self.matrix(), row_lower, row_upper, col_lower, col_upper, self.maximize,
                        integrality)

    def locate(self, row: int) -> tuple[RowBlock, int]:
        """The block holding global row ``row`` and the local row number."""
        b = int(np.searchsorted(self.offsets, row, side="right") - 1)
        return self.blocks[b], row - int(self.offsets[b])

    def block_sizes(self) -> dict[str, int]:
        """Rows per family (named and auxiliary)."""
        sizes: dict[str, int] = {}
        for b in self.blocks:
            sizes[b.family] = sizes.get(b.family, 0) + b.n_rows
        return sizes


def mechanism_from_solution(model: DesignModel, x: np.ndarray, fixed_rule, name: str) -> DirectMechanism:
    """The direct mechanism of a solution ``x`` of ``model``.

    Lotteries are clipped at 0 and renormalised (the solver's tolerance may
    leave −1e-12); a rule within 1e-9 of 0/1 everywhere (or a MILP's) is made
    deterministic. ``fixed_rule``: the decision when it was not designed.
    """
    layout = model.layout
    env = layout.env
    P, N, X = env.n_profiles, env.n_players, env.n_alternatives
    transfers = x[layout.m_offset:layout.m_offset + P * N].reshape(*env.n_types, N)
    if not layout.free_decision:
        return DirectMechanism(env, fixed_rule, transfers, name=name)
    p = np.clip(x[:layout.m_offset].reshape(P, X), 0.0, None)
    p /= p.sum(axis=1, keepdims=True)
    if model.integer or np.all(np.minimum(p, 1.0 - p) <= _SNAP):
        decision: np.ndarray = p.argmax(axis=1).reshape(env.n_types)
    else:
        decision = p.reshape(*env.n_types, X)
    return DirectMechanism(env, decision, transfers, name=name)
