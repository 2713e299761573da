"""Auction equilibria: time to equilibrium and relative utility loss (issue 6).

Run: ``python benchmarks/bench_auctions.py``.

Cases: symmetric first price with 2, 5, 10 bidders (exact quadrature formula) and
asymmetric first price with 2 and 3 bidders, uniform and beta values (backward shooting).
"time" is ``auction.equilibrium(certify=False)``; "loss" is the largest relative utility
loss over bidders from ``md.auctions.utility_loss`` (deterministic quadrature), timed
separately. Targets: asymmetric 2 bidders ≤ 1e-5 relative loss in < 1 s, 3 bidders < 5 s.
The anchor from the literature (not installed here) is SODA, about 1 s for a 2-bidder
first-price auction at relative loss ~1e-4.

No peer solver is installed in this environment (SODA / bnelearn are not available),
so the comparison figures are against the targets above; as an in-run cross-check the
shooting solver is also run on the symmetric Beta(2,3) pair and compared with the exact
symmetric formula (largest bid difference).
"""

from __future__ import annotations

import time

import numpy as np
from scipy import stats

import mechdesign as md
from mechdesign.auctions.asymmetric import solve_first_price

A = md.auctions
CASES = [
    ("symmetric FP, 2 x U[0,1]", [stats.uniform(0, 1)] * 2),
    ("symmetric FP, 5 x Beta(2,3)", [stats.beta(2, 3)] * 5),
    ("symmetric FP, 10 x U[0,1]", [stats.uniform(0, 1)] * 10),
    ("asymmetric FP, U[0,1] vs U[0,2]", [stats.uniform(0, 1), stats.uniform(0, 2)]),
    ("asymmetric FP, Beta(2,3) vs Beta(3,2)", [stats.beta(2, 3), stats.beta(3, 2)]),
    ("asymmetric FP, U[0,1], U[0,1.5], U[0,2]", [stats.uniform(0, 1), stats.uniform(0, 1.5), stats.uniform(0, 2)]),
    ("asymmetric FP, Beta(2,3), Beta(3,2), Beta(1,1)", [stats.beta(2, 3), stats.beta(3, 2), stats.beta(1, 1)]),
]


def best_of(fn, repeat=3):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main():
    rows = []
    print(f"{'case':<48s} {'time [s]':>9s} {'loss time [s]':>13s} {'max rel. loss':>14s}")
    for name, dists in CASES:
        auc = A.FirstPrice(dists)
        seconds, eq = best_of(lambda: auc.equilibrium(certify=False))
        t_loss, loss = best_of(lambda: A.utility_loss(auc, eq), repeat=1)
        print(f"{name:<48s} {seconds:9.3f} {t_loss:13.3f} {loss.max_relative:14.2e}")
        if not auc.is_symmetric:
            rows.append((seconds, loss.max_relative, auc.n_bidders))
    auc = A.FirstPrice([stats.beta(2, 3)] * 2)
    seconds, (bids, *_rest) = best_of(lambda: solve_first_price(auc))
    exact = auc.equilibrium(certify=False)[0]
    v = np.linspace(0.0, 1.0, 1001)
    gap = max(np.nanmax(np.abs(b(v) - exact(v))) for b in bids)
    print()
    print(f"cross-check, shooting on 2 x Beta(2,3): {seconds:.3f} s, largest bid difference to the "
          f"exact symmetric formula {gap:.2e}")
    target2 = all(t < 1 and l <= 1e-5 for t, l, n in rows if n == 2)
    target3 = all(t < 5 and l <= 1e-5 for t, l, n in rows if n == 3)
    print(f"targets: 2 asymmetric bidders < 1 s and loss <= 1e-5: {target2}; 3 bidders < 5 s: {target3}")

if __name__ == "__main__":
    main()
