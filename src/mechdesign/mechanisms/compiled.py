"""Compiled (numba) block functions of the efficient decision, Groves/VCG and AGV (private values).

The same numbers as the numpy block functions of :mod:`.blockwise` — which
remain the reference — for the cases they cover: private values, a
deterministic efficient decision (``ties="lowest"``) for Groves/VCG, either
tie rule for the efficient decision and AGV. The audits' compiled kernels
(:mod:`mechdesign.compute.kernels`) read lazy mechanisms through them, so a
lazy VCG costs little more to audit than a stored one.

The arithmetic, step by step as in :mod:`.blockwise`:

* totals Σ_i ν_i(x, θ_i) of the valuations with offsets removed, added from 0
  in player order; the decision is the lowest x with total ≥ max − tol (or
  the uniform lottery over those x);
* Groves: m_i = w_i(x*) + h_i with w_i = Σ_{j≠i} u_j(x, θ_j) added from 0 in
  player order, and h_i = −max_x w_i(x) (Clarke) or the given pivot;
* AGV: m_j = Σ over i in player order of E_j(θ_j) (i = j) or −E_i(θ_i)/(n−1).

Block profiles are visited in C order and the partial sums over the leading
players are kept between neighbouring profiles (an odometer), so a total
costs about one addition per alternative and profile, not N. The function
adds in the same order either way; keeping a prefix is not re-association.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numba import types as nt

_JIT = {"cache": True, "nogil": True}


def _array(dtype, ndim: int, readonly: bool = True):
    """Inputs: any strides, read-only or not; outputs (always allocated here): C-contiguous."""
    return nt.Array(dtype, ndim, "A", readonly=True) if readonly else nt.Array(dtype, ndim, "C")


_F1, _F2, _F3 = (_array(nt.float64, d) for d in (1, 2, 3))
_I1, _I2, _I3 = _array(nt.int64, 1), _array(nt.int64, 2), _array(nt.int64, 3)
_WI1, _W1, _W2, _W3 = (_array(nt.int64, 1, False), _array(nt.float64, 1, False), _array(nt.float64, 2, False),
                       _array(nt.float64, 3, False))


@njit(inline="always", **_JIT)
def _decide(total, best, tol, uniform, lottery_row):
    """The lowest x with total[x] ≥ best − tol (``best`` = max of ``total``); with ``uniform`` also the
    lottery over all such x.

    Totals are finite (valuations are bounded by ``MAX_MAGNITUDE``) and never
    −0.0 (sums from +0.0), so their maximum is numpy's in any order. The
    lowest x is selected without branches (a scan from the top keeps the last
    qualifying x): the maximiser always qualifies.
    """
    n_alt = total.shape[0]
    cut = best - tol
    chosen = n_alt - 1
    for x in range(n_alt - 2, -1, -1):
        chosen = x if total[x] >= cut else chosen
    if uniform:
        count = 0
        for x in range(n_alt):
            count += 1 if total[x] >= cut else 0
        for x in range(n_alt):
            lottery_row[x] = (1.0 if total[x] >= cut else 0.0) / count
    return chosen


@njit([(_F3, _I1, _I1, nt.float64, nt.boolean, _WI1, _W2)], **_JIT)
def _decisions(nu, shape, starts, tol, uniform, decision, lottery):
    """The efficient decision on a block (profiles in C order): ``decision`` and, with ``uniform``, ``lottery``."""
    nu = np.ascontiguousarray(nu)              # a small table: a contiguous copy indexes faster
    n_players = nu.shape[0]
    n_alt = nu.shape[2]
    last = n_players - 1
    prefix = np.zeros((n_players, n_alt))      # prefix[d] = Σ_{j<d} ν_j, from 0 in player order
    total = np.empty(n_alt)
    count = np.zeros(n_players, np.int64)
    row = np.empty(n_alt)
    level = 0
    f = 0
    while f < decision.shape[0]:
        for d in range(level, last):
            t = starts[d] + count[d]
            for x in range(n_alt):
                prefix[d + 1, x] = prefix[d, x] + nu[d, t, x]
        for t in range(starts[last], starts[last] + shape[last]):     # the last player's types
            best = -np.inf
            for x in range(n_alt):                    # the totals and their maximum in one sweep
                value = prefix[last, x] + nu[last, t, x]
                total[x] = value
                best = value if value > best else best
            decision[f] = _decide(total, best, tol, uniform, row)
            if uniform:
                for x in range(n_alt):
                    lottery[f, x] = row[x]
            f += 1
        j = last - 1
        while j >= 0:
            count[j] += 1
            if count[j] < shape[j]:
                break
            count[j] = 0
            j -= 1
        level = max(j, 0)


@njit([(nt.int64, _F3, _I1, _I1, nt.int64, _I3, _F1, _I1, _I2, _F2, nt.float64, _W3, _W1)], **_JIT)
def _player_money(kind, u, shape, starts, i, decision, h, h_off, h_strides, externality, spread, money,
                  largest):
    """Player i's transfers on a block, ``decision`` and ``money`` as ``(pre, k, post)`` views.

    ``kind``: 1 Groves with the Clarke pivot, 2 Groves with the pivots ``h``
    (player i's array flattened at ``h_off[i]`` with strides ``h_strides[i]``),
    3 AGV with ``externality`` ``(N, k_max)`` and ``spread = n − 1``.
    The others' part w_i = Σ_{j≠i} u_j (and the Clarke pivot −max_x w_i) is
    computed once per profile of the others. ``largest[0]`` gets the largest
    |money| (nan if one is nan).
    """
    u = np.ascontiguousarray(u)
    externality = np.ascontiguousarray(externality)
    n_players = u.shape[0]
    n_alt = u.shape[2]
    pre, k, post = money.shape
    others = np.empty(n_players - 1, np.int64)
    c = 0
    for j in range(n_players):
        if j != i:
            others[c] = j
            c += 1
    chain = np.zeros((n_players, n_alt))
    count = np.zeros(n_players, np.int64)
    types = np.zeros(n_players, np.int64)
    level = 0
    big = largest[0]                           # kept in a register: money's stores cannot alias it
    for o in range(pre * post):
        for lv in range(level, n_players - 1):
            d = others[lv]
            t = starts[d] + count[lv]
            types[d] = t
            if kind != 3:
                for x in range(n_alt):
                    chain[lv + 1, x] = chain[lv, x] + u[d, t, x]
        p = o // post
        q = o - p * post
        pivot = 0.0
        if kind == 1:
            top = chain[n_players - 1, 0]
            for x in range(1, n_alt):
                value = chain[n_players - 1, x]
                top = value if value > top else top
            pivot = -top
        elif kind == 2:
            at = h_off[i]
            for j in range(n_players):
                if j != i:
                    at += types[j] * h_strides[i, j]
            pivot = h[at]
        for ti in range(k):
            if kind == 3:
                acc = 0.0
                for j in range(n_players):
                    if j == i:
                        acc += externality[i, starts[i] + ti]
                    else:
                        acc -= externality[j, types[j]] / spread
                m = acc
            else:
                m = chain[n_players - 1, decision[p, ti, q]] + pivot
            money[p, ti, q] = m
            a = abs(m)
            if a > big or a != a:
                big = a
        lv = n_players - 2
        while lv >= 0:
            count[lv] += 1
            if count[lv] < shape[others[lv]]:
                break
            count[lv] = 0
            lv -= 1
        level = max(lv, 0)
    largest[0] = big


def _padded(arrays, n_alt: int) -> np.ndarray:
    out = np.zeros((len(arrays), max(a.shape[0] for a in arrays), n_alt))
    for i, a in enumerate(arrays):
        out[i, :a.shape[0]] = a
    return out


class CompiledRule:
    """The packed arrays of one mechanism's compiled block function (built once, picklable)."""

    def __init__(self, env, ties: str, tol: float, kind: int = 0, pivots=None, externality=None):
        from mechdesign.model import offsets

        n, n_alt = env.n_players, env.n_alternatives
        self.n_players, self.n_alt = n, n_alt
        self.uniform = ties == "uniform"
        self.tol = float(tol)
        self.kind = kind
        self.nu = _padded(offsets.incentive_valuations(env), n_alt)
        self.u = _padded(env.valuations, n_alt) if kind in (1, 2) else np.zeros((n, 1, n_alt))
        self.h = np.zeros(1)
        self.h_off = np.zeros(n, np.int64)
        self.h_strides = np.zeros((n, n), np.int64)
        if kind == 2:
            flat, at = [], 0
            for i, h_i in enumerate(pivots):
                self.h_off[i] = at
                strides = [0] * n
                step = 1
                others = [j for j in range(n) if j != i]
                for j in reversed(others):
                    strides[j] = step
                    step *= env.n_types[j]
                self.h_strides[i] = strides
                flat.append(np.asarray(h_i, dtype=float).ravel())
                at += flat[-1].size
            self.h = np.concatenate(flat)
        self.externality = np.zeros((n, 1))
        if kind == 3:
            self.externality = np.zeros((n, max(env.n_types)))
            for i, e in enumerate(externality):
                self.externality[i, :len(e)] = e

    def decide(self, region: tuple[slice, ...]) -> tuple[np.ndarray, np.ndarray | None]:
        """``(indices, None)`` (``ties="lowest"``) or ``(None, lottery)`` (``"uniform"``): the
        efficient decision on a region, region-shaped."""
        shape = tuple(sl.stop - sl.start for sl in region)
        size = math.prod(shape)
        decision = np.empty(size, dtype=np.int64)
        lottery = np.empty((size, self.n_alt)) if self.uniform else np.zeros((1, self.n_alt))
        _decisions(self.nu, np.array(shape, dtype=np.int64), np.array([sl.start for sl in region], dtype=np.int64),
                   self.tol, self.uniform, decision, lottery)
        if self.uniform:
            return None, lottery.reshape(*shape, self.n_alt)
        return decision.reshape(shape), None

    def money(self, region: tuple[slice, ...], i: int, indices: np.ndarray | None) -> tuple[np.ndarray, float]:
        """Player i's transfers on a region (region-shaped) given the decision's ``indices`` there,
        and their largest magnitude."""
        shape = tuple(sl.stop - sl.start for sl in region)
        view = (math.prod(shape[:i]), shape[i], math.prod(shape[i + 1:]))
        out = np.empty(view)
        decision = np.zeros((1, 1, 1), dtype=np.int64) if indices is None else indices.reshape(view)
        largest = np.zeros(1)
        _player_money(self.kind, self.u, np.array(shape, dtype=np.int64),
                      np.array([sl.start for sl in region], dtype=np.int64), i, decision, self.h, self.h_off,
                      self.h_strides, self.externality, float(self.n_players - 1), out, largest)
        return out.reshape(shape), float(largest[0])
