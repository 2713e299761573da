"""Vectorised kernels for a player's gains from misreporting in a direct mechanism.

For player i, write o for a profile of the *others'* types (flattened in C
order, player order with i removed), t for i's true type and r for her report.
``value[o, t, r]`` is E_x[u_i(x, θ)] when the others report o and i reports r,
with θ = (t, o) the true profile. Adding her transfer m_i(r, o) gives her
utility. Arrays are laid out ``(o, t, r)`` so that processing blocks of o in
order visits (o, t, r) in the same C order as one big array would: the first
maximiser found is the same however the others' profiles are blocked, which
makes witnesses deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mechdesign.mechanisms.direct import DirectMechanism

#: Bytes a block of ``(o, t, r)`` floats may take; bounds the kernels' working memory.
BLOCK_BYTES = 32 * 2**20


class PlayerView:
    """Player i's slice of a direct mechanism, others' profiles flattened first."""

    def __init__(self, mech: DirectMechanism, i: int):
        env = mech.env
        self.i = i
        self.k = env.n_types[i]
        self.n_others = env.n_profiles // self.k
        self.n_alternatives = env.n_alternatives
        self.others_shape = tuple(k for j, k in enumerate(env.n_types) if j != i)
        m = mech.transfers[..., i]
        self.money = np.moveaxis(m, i, -1).reshape(self.n_others, self.k)
        idx = mech.decision_indices
        if idx is not None:
            self.indices = np.moveaxis(idx, i, -1).reshape(self.n_others, self.k)
            self.lottery = None
        else:
            self.indices = None
            self.lottery = np.moveaxis(mech.decision, i, -2).reshape(self.n_others, self.k, self.n_alternatives)
        u = env.valuations[i]
        self.private = u.ndim == 2
        if self.private:
            self.utility = u                                   # (t, x)
        else:
            self.utility = np.moveaxis(u, i, -2).reshape(self.n_others, self.k, self.n_alternatives)  # (o, t, x)

    def block_size(self) -> int:
        """Number of others' profiles per block so one (o, t, r) block fits BLOCK_BYTES."""
        per_profile = 8 * self.k * max(self.k, self.n_alternatives)
        return max(1, min(self.n_others, BLOCK_BYTES // per_profile))

    def blocks(self):
        """Yield ``(lo, hi)`` ranges over the others' profiles."""
        size = self.block_size()
        for lo in range(0, self.n_others, size):
            yield lo, min(lo + size, self.n_others)

    def values(self, lo: int, hi: int) -> np.ndarray:
        """``value[o, t, r]`` for others' profiles ``lo..hi-1``; shape ``(hi-lo, k, k)``."""
        k = self.k
        if self.private:
            u = self.utility
            if self.indices is not None:
                return u[np.arange(k)[None, :, None], self.indices[lo:hi, None, :]]
            return np.swapaxes(self.lottery[lo:hi] @ u.T, 1, 2)          # (o, r, t) -> (o, t, r)
        u = self.utility[lo:hi]                                           # (o, t, x)
        if self.indices is not None:
            idx = np.broadcast_to(self.indices[lo:hi, None, :], (hi - lo, k, k))
            return np.take_along_axis(u, idx, axis=2)
        return u @ np.swapaxes(self.lottery[lo:hi], 1, 2)                 # (o,t,x)@(o,x,r)

    def interim_value_independent(self, weights: np.ndarray) -> np.ndarray:
        """Σ_o w(o) value[o, t, r] for private values and a belief w independent of t.

        Costs O(M·k·|X|) instead of O(M·k²): the expected lottery of each report
        is formed first.
        """
        if self.indices is not None:
            expected = np.zeros((self.k, self.n_alternatives))
            for r in range(self.k):
                expected[r] = np.bincount(self.indices[:, r], weights=weights, minlength=self.n_alternatives)
        else:
            expected = np.einsum("o,orx->rx", weights, self.lottery)
        return self.utility @ expected.T                                  # (t, r)


@dataclass(frozen=True)
class DsicScan:
    """Largest ex-post gain from misreporting for one player and where it occurs."""

    gain: float
    others: int
    true_type: int
    report: int


def scan_dsic(view: PlayerView) -> DsicScan:
    """Worst-case gain of player i from any misreport against any others' report profile."""
    best = DsicScan(-np.inf, 0, 0, 0)
    k = view.k
    diag = np.arange(k)
    for lo, hi in view.blocks():
        value = view.values(lo, hi)
        money = view.money[lo:hi]
        utility = value + money[:, None, :]                        # (o, t, r)
        truthful = utility[:, diag, diag]                          # (o, t)
        gain = utility - truthful[:, :, None]
        flat = int(np.argmax(gain))
        if gain.flat[flat] > best.gain:
            o, t, r = np.unravel_index(flat, gain.shape)
            best = DsicScan(float(gain.flat[flat]), lo + int(o), int(t), int(r))
    return best


def interim_table(view: PlayerView, beliefs: np.ndarray, independent: bool) -> np.ndarray:
    """Interim expected utility ``U[t, r]`` of type t reporting r, others truthful.

    ``beliefs`` is the ``(k, M)`` matrix of conditional beliefs (rows may be
    zero for types of probability zero).
    """
    if independent and view.private:
        w = np.asarray(beliefs[0])
        return view.interim_value_independent(w) + (w @ view.money)[None, :]
    table = np.zeros((view.k, view.k))
    for lo, hi in view.blocks():
        w = np.asarray(beliefs[:, lo:hi])                          # (t, o)
        utility = view.values(lo, hi) + view.money[lo:hi, None, :]  # (o, t, r)
        table += np.einsum("to,otr->tr", w, utility)
    return table
