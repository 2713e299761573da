"""Compiled (numba) audit kernels, bit-identical to the numpy reference kernels.

The numpy kernels of :mod:`mechdesign.analysis.misreports` and
:mod:`mechdesign.analysis.profiles` are the reference: they state the
arithmetic of every audit (which numbers are added, in which order, and which
maximiser is reported). The kernels here do the same arithmetic as plain loops,
one profile at a time, without the block-sized temporaries of the numpy
versions:

* :func:`dsic_det`, :func:`dsic_lottery` — a player's largest ex-post gain on
  a block, first maximiser in (others, true type, report) C order;
* :func:`interim_marginal_det`, :func:`interim_marginal_lottery` — tile sums of
  the weighted lottery and money of each report (independent prior, private
  values);
* :func:`interim_full_det`, :func:`interim_full_lottery` — tile sums of the
  belief-weighted utilities ``U[o, t, r]`` (or their diagonal);
* :func:`profile_det`, :func:`profile_lottery` — ex-post IR, budget,
  efficiency and the expectations, per profile of a block.

Why the results are the same bits:

* every product and sum is formed as the numpy kernel forms it (same operands,
  same order; numba without ``fastmath`` neither reassociates nor contracts
  ``a * b + c`` into a fused multiply-add);
* sums over a tile of profiles reproduce numpy's own reduction,
  ``0.0 + pairwise(x)`` with numpy's pairwise summation (blocks of at most 128
  numbers summed with 8 accumulators, halves split at multiples of 8): see
  :func:`pairwise_plan`. A test compares it with ``numpy.sum`` on every length
  up to thousands, so a numpy release that changed its summation would be
  caught;
* maxima keep the first maximiser (strictly larger replaces), as ``argmax``.

Array arguments are declared with layout ``A`` (any strides), so views of a
stored mechanism are read in place, and each kernel has one compiled version,
cached on disk (``cache=True``) after the first compilation. Kernels release
the GIL, so threaded Dask workers run them in parallel.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba import types as nt

_JIT = {"cache": True, "nogil": True}


def _array(dtype, ndim: int, readonly: bool = True):
    """Inputs: any strides, read-only or not; outputs (always allocated here): C-contiguous."""
    return nt.Array(dtype, ndim, "A", readonly=True) if readonly else nt.Array(dtype, ndim, "C")


# Argument types of the kernels, given up front so that each kernel is compiled once (for any
# strides, read-only or not) and its machine code cached on disk.
_F1, _F2, _F3, _F4 = (_array(nt.float64, d) for d in (1, 2, 3, 4))
_I1, _I3 = _array(nt.int64, 1), _array(nt.int64, 3)
_B1 = _array(nt.boolean, 1)
_W1, _W2 = _array(nt.float64, 1, False), _array(nt.float64, 2, False)
_WI1 = _array(nt.int64, 1, False)
_PAIRWISE = (_I1, _I1, _W2, _W2)          # slots, ends, acc, stack

#: numpy's pairwise-summation block (``PW_BLOCKSIZE`` in numpy's loops_utils.h).
PAIRWISE_BLOCK = 128


# ------------------------------------------------------------------------------- pairwise sums
def pairwise_plan(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The shape of numpy's pairwise sum of ``n`` contiguous numbers.

    Returns ``(leaves, ops)``: the lengths of the runs summed directly (in
    order), and a postfix program over them, ``ops[j] >= 0`` pushing the sum
    of leaf ``ops[j]`` and ``-1`` replacing the two top sums by their sum.
    """
    leaves: list[int] = []
    ops: list[int] = []

    def split(length: int) -> None:
        if length <= PAIRWISE_BLOCK:
            ops.append(len(leaves))
            leaves.append(length)
            return
        half = length // 2
        half -= half % 8
        split(half)
        split(length - half)
        ops.append(-1)

    split(int(n))
    return np.array(leaves, dtype=np.int64), np.array(ops, dtype=np.int64)


def pairwise_schedule(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per position of a run of ``n`` numbers, what numpy's pairwise sum does with it.

    ``slots[pos]``: the accumulator the number goes into (0–7: numpy's eight
    accumulators; 8: the leaf's running sum; 9: first combine the eight into
    the running sum, then add to it). ``ends[pos]``: 0, or at the end of a
    leaf 1 + the number of merges of finished sums that follow (+1000 when the
    eight accumulators are combined first). See the ``_pw_*`` kernels.
    """
    leaves, ops = pairwise_plan(n)
    slots = np.empty(n, dtype=np.int64)
    ends = np.zeros(n, dtype=np.int64)
    pos = 0
    for op in ops:
        if op < 0:
            ends[pos - 1] += 1
            continue
        length = int(leaves[op])
        main = length - length % 8 if length >= 8 else 0
        for a in range(length):
            slots[pos + a] = 8 if a >= main else a % 8
        if 8 <= length and main < length:
            slots[pos + main] = 9
        ends[pos + length - 1] = 1 + (1000 if length >= 8 and main == length else 0)
        pos += length
    return slots, ends


# Streaming pairwise sums: the numbers of each position of a tile (in order) are added into
# `acc` (9, m): rows 0..7 are numpy's eight accumulators, row 8 the running sum of the current
# leaf; `stack` (depth, m) holds finished sums. Accumulators start at +0.0 where numpy copies the
# first eight numbers: the two differ at most in the sign of a zero, which the tile's final
# `0.0 + sum` removes.
@njit(inline="always", **_JIT)
def _pw_combine(acc):
    for j in range(acc.shape[1]):
        acc[8, j] = ((acc[0, j] + acc[1, j]) + (acc[2, j] + acc[3, j])) + ((acc[4, j] + acc[5, j])
                                                                          + (acc[6, j] + acc[7, j]))


@njit(inline="always", **_JIT)
def _pw_slot(slots, pos, acc):
    """The row of ``acc`` that position ``pos`` goes into."""
    s = slots[pos]
    if s == 9:
        _pw_combine(acc)
        return 8
    return s


@njit(inline="always", **_JIT)
def _pw_end(ends, pos, acc, stack, depth):
    """After position ``pos``: at a leaf's end push its sum and merge; returns the stack depth."""
    e = ends[pos]
    if e == 0:
        return depth
    if e >= 1000:
        _pw_combine(acc)
        e -= 1000
    m = acc.shape[1]
    for j in range(m):
        stack[depth, j] = acc[8, j]
    depth += 1
    acc[:, :] = 0.0
    for _ in range(e - 1):
        for j in range(m):
            stack[depth - 2, j] = stack[depth - 2, j] + stack[depth - 1, j]
        depth -= 1
    return depth


def _pw_buffers(tile: int, m: int):
    """``(slots, ends, acc, stack)`` for tiles of ``tile`` positions and ``m`` sums."""
    slots, ends = pairwise_schedule(tile)
    leaves = len(pairwise_plan(tile)[0])
    depth = 2 + int(np.ceil(np.log2(max(1, leaves))))
    return slots, ends, np.zeros((9, m)), np.zeros((depth, m))


@njit([(_F2, *_PAIRWISE, _W2)], **_JIT)
def _tile_sums_kernel(values, slots, ends, acc, stack, out):
    pos = depth = tile = 0
    for o in range(values.shape[0]):
        s = _pw_slot(slots, pos, acc)
        for j in range(values.shape[1]):
            acc[s, j] += values[o, j]
        depth = _pw_end(ends, pos, acc, stack, depth)
        pos += 1
        if pos == slots.shape[0]:
            for j in range(values.shape[1]):
                out[tile, j] = 0.0 + stack[0, j]
            pos = depth = 0
            tile += 1


def tile_sums(values: np.ndarray, tile: int) -> np.ndarray:
    """:func:`mechdesign.compute.blocks.tile_sums` by the streaming kernels (used to test them)."""
    n = values.shape[0]
    flat = np.ascontiguousarray(values.reshape(n, -1), dtype=float)
    slots, ends, acc, stack = _pw_buffers(tile, flat.shape[1])
    out = np.zeros((n // tile, flat.shape[1]))
    _tile_sums_kernel(flat, slots, ends, acc, stack, out)
    return out.reshape((n // tile, *values.shape[1:]))


# ------------------------------------------------------------------------------------- DSIC
@njit(**_JIT)
def _better(g, best, first):
    """argmax's rule: the first value, then strictly larger ones (a nan wins once)."""
    return first or g > best or (g != g and best == best)


@njit([(_I3, _F3, _F2, _F4, nt.boolean)], **_JIT)
def dsic_det(idx, money, u2, u4, private):
    """Largest gain of one player on a block (deterministic rule).

    ``idx``, ``money``: ``(pre, k, post)`` views of the block (the player's
    axis in the middle; others' profile o = p·post + q in C order); ``u2``
    ``(k, |X|)`` (private values) or ``u4`` ``(pre, k, post, |X|)``.
    Returns ``(gain, o, t, r, largest |money|)``: the first largest gain in
    (o, t, r) C order, as ``argmax`` over the numpy kernel's gain array
    (gains are finite: inputs are bounded by ``MAX_MAGNITUDE``).

    Reports r with the same decision x differ only in money, and the gain
    (u(x) + m_r) − base is non-decreasing in m_r (rounding is monotone), so
    the largest gain of (o, t) is found among the distinct decisions, each
    with its largest money; when it beats the best so far, the reports are
    scanned again for the first one that reaches it.
    """
    pre, k, post = idx.shape
    uc = np.ascontiguousarray(u2)
    n_alt = u2.shape[1] if private else u4.shape[3]
    d = np.empty(k, np.int64)
    m = np.empty(k)
    top = np.full(n_alt, -np.inf)          # per alternative: the largest money of a report deciding it
    alts = np.empty(k, np.int64)           # the distinct decisions of o's reports
    best, bo, bt, br = 0.0, 0, 0, 0
    first = True
    scale = 0.0
    for p in range(pre):
        for q in range(post):
            o = p * post + q
            n_d = 0
            for r in range(k):
                x = idx[p, r, q]
                mr = money[p, r, q]
                d[r] = x
                m[r] = mr
                a = abs(mr)
                if a > scale:
                    scale = a
                if top[x] == -np.inf:
                    alts[n_d] = x
                    n_d += 1
                    top[x] = mr
                elif mr > top[x]:
                    top[x] = mr
            for t in range(k):
                local = -np.inf
                if private:
                    base = uc[t, d[t]] + m[t]
                    for j in range(n_d):
                        g = (uc[t, alts[j]] + top[alts[j]]) - base
                        if g > local:
                            local = g
                else:
                    base = u4[p, t, q, d[t]] + m[t]
                    for j in range(n_d):
                        g = (u4[p, t, q, alts[j]] + top[alts[j]]) - base
                        if g > local:
                            local = g
                if first or local > best:
                    for r in range(k):
                        value = uc[t, d[r]] if private else u4[p, t, q, d[r]]
                        if (value + m[r]) - base == local:
                            best, bo, bt, br, first = local, o, t, r, False
                            break
            for j in range(n_d):
                top[alts[j]] = -np.inf
    return best, bo, bt, br, scale


@njit(**_JIT)
def _lottery_values(lot, p, q, u2, u4, private, values):
    """values[t, r] = Σ_x p(r; x) u(x; t), from 0 in x order (the numpy kernel's loop)."""
    k = lot.shape[1]
    n_alt = lot.shape[3]
    for t in range(k):
        for r in range(k):
            acc = 0.0
            for x in range(n_alt):
                if private:
                    acc += lot[p, r, q, x] * u2[t, x]
                else:
                    acc += lot[p, r, q, x] * u4[p, t, q, x]
            values[t, r] = acc


@njit([(_F4, _F3, _F2, _F4, nt.boolean)], **_JIT)
def dsic_lottery(lot, money, u2, u4, private):
    """:func:`dsic_det` for a randomized rule, ``lot`` of shape ``(pre, k, post, |X|)``."""
    pre, k, post, _ = lot.shape
    m = np.empty(k)
    values = np.empty((k, k))
    best, bo, bt, br = 0.0, 0, 0, 0
    first = True
    scale = 0.0
    for p in range(pre):
        for q in range(post):
            o = p * post + q
            for r in range(k):
                m[r] = money[p, r, q]
                a = abs(m[r])
                if a > scale:
                    scale = a
            _lottery_values(lot, p, q, u2, u4, private, values)
            for t in range(k):
                base = values[t, t] + m[t]
                local, at = -np.inf, 0
                for r in range(k):
                    g = (values[t, r] + m[r]) - base
                    if g > local:
                        local, at = g, r
                if first or local > best:
                    best, bo, bt, br, first = local, o, t, at, False
    return best, bo, bt, br, scale


# ---------------------------------------------------------------------------------- interim
@njit([(_F3,)], **_JIT)
def _largest_magnitude(values):
    """max |values| (0 for none), as ``np.abs(values).max(initial=0.0)`` for finite numbers."""
    top = 0.0
    for p in range(values.shape[0]):
        for r in range(values.shape[1]):
            for q in range(values.shape[2]):
                a = abs(values[p, r, q])
                if a > top:
                    top = a
    return top


@njit(inline="always", **_JIT)
def _marginal_add(acc, s, idx, lot, det, money, weights, n_alt, r, p, q, post):
    w = weights[p * post + q]
    if det:
        acc[s, idx[p, r, q]] += w
    else:
        for x in range(n_alt):
            acc[s, x] += lot[p, r, q, x] * w
    acc[s, n_alt] += money[p, r, q] * w


@njit(inline="always", **_JIT)
def _marginal_add_all(acc, s, idx, lot, det, money, weights, n_alt, p, q, post):
    w = weights[p * post + q]
    k = money.shape[1]
    for r in range(k):
        if det:
            acc[s, r * n_alt + idx[p, r, q]] += w
        else:
            for x in range(n_alt):
                acc[s, r * n_alt + x] += lot[p, r, q, x] * w
        acc[s, k * n_alt + r] += money[p, r, q] * w


@njit([(_I3, _F4, nt.boolean, _F3, _F1, nt.int64, _I1, _I1, _W2, _W2, _W2, _W1)], **_JIT)
def _interim_marginal(idx, lot, det, money, weights, n_alt, leaves, ops, acc, stack, out, largest):
    # The leaves of the pairwise sum are walked explicitly (eight accumulators in turn). With the
    # player's axis last (post == 1) each profile's reports are adjacent in memory: all reports at
    # once; otherwise one report at a time (each column's sum is its own), reading rows in order.
    pre, k, post = money.shape
    n_tiles = out.shape[0]
    whole = post == 1
    m = acc.shape[1]
    for r in range(1 if whole else k):
        p = q = 0
        for tile in range(n_tiles):
            depth = 0
            for op in ops:
                if op < 0:
                    for j in range(m):
                        stack[depth - 2, j] = stack[depth - 2, j] + stack[depth - 1, j]
                    depth -= 1
                    continue
                length = leaves[op]
                acc[:, :] = 0.0
                main = length - length % 8 if length >= 8 else 0
                for g in range(0, main, 8):
                    for s in range(8):
                        if whole:
                            _marginal_add_all(acc, s, idx, lot, det, money, weights, n_alt, p, q, post)
                        else:
                            _marginal_add(acc, s, idx, lot, det, money, weights, n_alt, r, p, q, post)
                        q += 1
                        if q == post:
                            q = 0
                            p += 1
                if main > 0:
                    _pw_combine(acc)
                for a in range(main, length):
                    if whole:
                        _marginal_add_all(acc, 8, idx, lot, det, money, weights, n_alt, p, q, post)
                    else:
                        _marginal_add(acc, 8, idx, lot, det, money, weights, n_alt, r, p, q, post)
                    q += 1
                    if q == post:
                        q = 0
                        p += 1
                for j in range(m):
                    stack[depth, j] = acc[8, j]
                depth += 1
            if whole:
                for j in range(m):
                    out[tile, j] = 0.0 + stack[0, j]
            else:
                for x in range(n_alt):
                    out[tile, r * n_alt + x] = 0.0 + stack[0, x]
                out[tile, k * n_alt + r] = 0.0 + stack[0, n_alt]
    largest[0] = _largest_magnitude(money)


def interim_marginal(idx, lot, money, weights, n_alt: int, tile: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Tile sums of ``w(o)·lottery(r, o)`` ``(tiles, k, |X|)`` and ``w(o)·money(r, o)`` ``(tiles, k)``,
    and the largest |money|.

    The partials of the independent-prior, private-values interim table
    (:class:`mechdesign.analysis.misreports.InterimPartial`).
    """
    k = money.shape[1]
    n = money.shape[0] * money.shape[2]
    leaves, ops = pairwise_plan(tile)
    width = k * n_alt + k if money.shape[2] == 1 else n_alt + 1
    acc, stack = np.zeros((9, width)), np.zeros((len(leaves) + 1, width))
    out = np.zeros((n // tile, k * n_alt + k))
    det = idx is not None
    if det:
        lot = _NO_LOTTERY
    else:
        idx = _NO_INDICES
    largest = np.zeros(1)
    _interim_marginal(idx, lot, det, money, weights, n_alt, leaves, ops, acc, stack, out, largest)
    return out[:, :k * n_alt].reshape(-1, k, n_alt), np.ascontiguousarray(out[:, k * n_alt:]), float(largest[0])


_NO_LOTTERY = np.zeros((1, 1, 1, 1))
_NO_INDICES = np.zeros((1, 1, 1), np.int64)


@njit([(_I3, _F4, nt.boolean, _F3, _F2, _F4, nt.boolean, _F2, nt.boolean, *_PAIRWISE, _W2)], **_JIT)
def _interim_full(idx, lot, det, money, u2, u4, private, beliefs, diagonal, slots, ends, acc, stack, out):
    pre, k, post = money.shape
    u2 = np.ascontiguousarray(u2)
    m = np.empty(k)
    values = np.empty((k, k))
    width = acc.shape[1]
    pos = depth = tile = 0
    for p in range(pre):
        for q in range(post):
            o = p * post + q
            for r in range(k):
                m[r] = money[p, r, q]
            if det:
                for t in range(k):
                    for r in range(k):
                        if private:
                            values[t, r] = u2[t, idx[p, r, q]]
                        else:
                            values[t, r] = u4[p, t, q, idx[p, r, q]]
            else:
                _lottery_values(lot, p, q, u2, u4, private, values)
            s = _pw_slot(slots, pos, acc)
            for t in range(k):
                b = beliefs[t, o]
                if diagonal:
                    acc[s, t] += (values[t, t] + m[t]) * b
                else:
                    for r in range(k):
                        acc[s, t * k + r] += (values[t, r] + m[r]) * b
            depth = _pw_end(ends, pos, acc, stack, depth)
            pos += 1
            if pos == slots.shape[0]:
                for j in range(width):
                    out[tile, j] = 0.0 + stack[0, j]
                pos = depth = 0
                tile += 1


def interim_full(idx, lot, money, u2, u4, private: bool, beliefs, diagonal: bool,
                 tile: int) -> tuple[np.ndarray, float]:
    """Tile sums of ``belief[t, o]·(value[o, t, r] + money[o, r])``: ``(tiles, k, k)`` or ``(tiles, k)``,
    and the largest |money|."""
    k = money.shape[1]
    m = k if diagonal else k * k
    n = money.shape[0] * money.shape[2]
    slots, ends, acc, stack = _pw_buffers(tile, m)
    out = np.zeros((n // tile, m))
    det = idx is not None
    if det:
        lot = _NO_LOTTERY
    else:
        idx = _NO_INDICES
    _interim_full(idx, lot, det, money, u2, u4, private, beliefs, diagonal, slots, ends, acc, stack, out)
    return (out if diagonal else out.reshape(-1, k, k)), float(_largest_magnitude(money))


# ---------------------------------------------------------------------------------- profiles
@njit(**_JIT)
def _chosen(priv, inter, where, j, t, f, det, x, lot, n_alt):
    """u_j(x(θ), θ) at profile f of the block (expected over a lottery, from 0 in x order)."""
    if det:
        if where[j] < 0:
            return priv[j, t, x]
        return inter[where[j], f, x]
    acc = 0.0
    for y in range(n_alt):
        if where[j] < 0:
            acc += lot[f, y] * priv[j, t, y]
        else:
            acc += lot[f, y] * inter[where[j], f, y]
    return acc


@njit([(nt.boolean, _I1, _F2, _F2, _I1, _I1, _F3, _F3, _I1, _F3, _F3, _I1, _F3, _F3, _I1, _F2, _F1, _B1,
                *_PAIRWISE, _W2, _W1, _W1, _WI1, _W1, _WI1)], **_JIT)
def _profiles(det, idx, lot, money, shape, starts, raw, raw_inter, raw_where, part, part_inter, part_where,
              inc, inc_inter, inc_where, outside, weights, wants, slots, ends, acc, stack, sums,
              scales, ir, ir_at, top, top_at):
    n, players = money.shape
    n_alt = raw.shape[2]
    want_ir, want_budget, want_eff, want_exp, want_part = wants[0], wants[1], wants[2], wants[3], wants[4]
    count = np.zeros(players, np.int64)
    values = np.empty(players)
    level = np.empty(players)
    total = np.empty(n_alt)
    ir_first = np.ones(players, np.bool_)
    first = np.ones(3, np.bool_)
    width = acc.shape[1]
    pos = depth = tile = 0
    for f in range(n):
        x = 0 if not det else idx[f]
        for i in range(players):
            a = abs(money[f, i])
            if a > scales[i]:
                scales[i] = a
        if want_exp:
            for i in range(players):
                values[i] = _chosen(raw, raw_inter, raw_where, i, starts[i] + count[i], f, det, x, lot, n_alt)
        if want_ir or want_part:
            for i in range(players):
                level[i] = _chosen(part, part_inter, part_where, i, starts[i] + count[i], f, det, x, lot,
                                   n_alt) + money[f, i]
        if want_ir:
            for i in range(players):
                g = outside[i, starts[i] + count[i]] - level[i]
                if _better(g, ir[i], ir_first[i]):
                    ir[i], ir_at[i], ir_first[i] = g, f, False
        net = money[f, 0]
        for i in range(1, players):
            net += money[f, i]
        if want_budget:
            if _better(net, top[0], first[0]):
                top[0], top_at[0], first[0] = net, f, False
            if _better(abs(net), top[1], first[1]):
                top[1], top_at[1], first[1] = abs(net), f, False
        if want_eff:
            for y in range(n_alt):
                total[y] = 0.0
            for i in range(players):
                t = starts[i] + count[i]
                for y in range(n_alt):
                    if inc_where[i] < 0:
                        total[y] += inc[i, t, y]
                    else:
                        total[y] += inc_inter[inc_where[i], f, y]
            best = total[0]
            for y in range(1, n_alt):
                if total[y] > best or (total[y] != total[y] and best == best):
                    best = total[y]
            if det:
                chosen = total[x]
            else:
                chosen = 0.0
                for y in range(n_alt):
                    chosen += lot[f, y] * total[y]
            loss = best - chosen
            if _better(loss, top[2], first[2]):
                top[2], top_at[2], first[2] = loss, f, False
        if want_exp or want_part:
            w = weights[f]
            s = _pw_slot(slots, pos, acc)
            if want_exp:
                welfare = values[0]
                for i in range(1, players):
                    welfare += values[i]
                for i in range(players):
                    acc[s, i] += w * (values[i] + money[f, i])
                acc[s, players] += w * welfare
                acc[s, players + 1] += w * net
            if want_part:
                for i in range(players):
                    acc[s, players + 2 + i] += w * level[i]
            depth = _pw_end(ends, pos, acc, stack, depth)
            pos += 1
            if pos == slots.shape[0]:
                for j in range(width):
                    sums[tile, j] = 0.0 + stack[0, j]
                pos = depth = 0
                tile += 1
        # next profile of the block in C order
        j = players - 1
        while j >= 0:
            count[j] += 1
            if count[j] < shape[j]:
                break
            count[j] = 0
            j -= 1


def profiles(idx, lot, money, shape, starts, units, outside, weights, wants, tile: int):
    """Per-profile audits of one block (see :func:`mechdesign.analysis.profiles.profile_block`).

    ``units``: for ``"raw"``, ``"participation"`` and ``"incentive"`` a triple
    ``(private (N, k_max, |X|), interdependent block values (M, n, |X|),
    where (N,))`` with ``where[i]`` the row of player i in the interdependent
    array, or −1 when her values are private. ``wants``: booleans (ir,
    budget, efficiency, expectations, participation). Returns ``(scales,
    (ir values, ir positions), (budget weak, strong, efficiency) values and
    positions, tile sums (tiles, 2N + 2))``.
    """
    n, players = money.shape
    m = 2 * players + 2
    slots, ends, acc, stack = _pw_buffers(tile, m)
    sums = np.zeros((n // tile, m))
    scales = np.zeros(players)
    ir, ir_at = np.zeros(players), np.zeros(players, np.int64)
    top, top_at = np.zeros(3), np.zeros(3, np.int64)
    det = idx is not None
    if det:
        lot = np.zeros((1, 1))
    else:
        idx = np.zeros(1, np.int64)
    _profiles(det, idx, lot, money, np.asarray(shape, np.int64), np.asarray(starts, np.int64), *units["raw"],
              *units["participation"], *units["incentive"], outside, weights, np.asarray(wants, np.bool_),
              slots, ends, acc, stack, sums, scales, ir, ir_at, top, top_at)
    return scales, (ir, ir_at), (top, top_at), sums
