"""Build time and peak memory of VCG and AGV on large finite environments (issue 4).

Run: ``python benchmarks/bench_efficient.py``. Targets: each build < 2 s and < 1 GiB.

Peak memory is measured with :mod:`tracemalloc` (numpy reports its buffers to
it), as the peak *above* what was allocated before the build started, so it
includes the returned mechanism. For scale it also prints the size of one
profile-sized float64 array and of the transfers array (the output). There is
no peer library that builds VCG/AGV (mechaudit audits given tables), so the
comparison is against a straightforward per-profile Python loop on a smaller
environment, measured in the same run.
"""

from __future__ import annotations

import resource
import time
import tracemalloc

import numpy as np

import mechdesign as md

CASES = [(5, 10, 20), (7, 6, 10)]        # (players, types each, alternatives)
TARGET_SECONDS = 2.0
TARGET_BYTES = 2**30


def measure(build, env):
    """(seconds, peak bytes above baseline) of ``build(env)``."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    start = time.perf_counter()
    mech = build(env)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del mech
    return seconds, peak - base


def loop_vcg(env):
    """Reference VCG by a Python loop over profiles (Clarke pivot), for the speed ratio."""
    n = env.n_players
    transfers = np.zeros((*env.n_types, n))
    for prof in env.profiles():
        rows = np.array([env.valuations[i][prof[i]] for i in range(n)])
        total = rows.sum(axis=0)
        x = int(np.argmax(total))
        for i in range(n):
            others = total - rows[i]
            transfers[(*prof, i)] = others[x] - others.max()
    return transfers


def main() -> None:
    mib = 2**20
    print(f"{'case':>22} {'mechanism':>9} {'profiles':>9} {'seconds':>8} {'peak MiB':>9} "
          f"{'profile-array MiB':>17} {'output MiB':>10}  target")
    ok = True
    for n, k, x in CASES:
        env = md.examples.random_environment(n_players=n, n_types=k, n_alternatives=x, seed=0)
        one = env.n_profiles * 8
        for name, build in (("VCG", md.vcg), ("AGV", md.agv)):
            build(env)                                      # warm-up (imports, caches)
            seconds, peak = measure(build, env)
            good = seconds < TARGET_SECONDS and peak < TARGET_BYTES
            ok &= good
            print(f"{f'{n} pl x {k} types x {x} alt':>22} {name:>9} {env.n_profiles:>9} {seconds:>8.3f} "
                  f"{peak / mib:>9.1f} {one / mib:>17.2f} {one * n / mib:>10.2f}  {'ok' if good else 'MISSED'}")
    small = md.examples.random_environment(n_players=4, n_types=8, n_alternatives=10, seed=1)
    start = time.perf_counter()
    reference = loop_vcg(small)
    loop_seconds = time.perf_counter() - start
    start = time.perf_counter()
    mech = md.vcg(small)
    vec_seconds = time.perf_counter() - start
    assert np.allclose(mech.transfers, reference), "vectorised VCG differs from the loop reference"
    print(f"VCG on 4 pl x 8 types x 10 alt ({small.n_profiles} profiles): vectorised {vec_seconds:.4f} s, "
          f"Python loop {loop_seconds:.3f} s, speed-up x{loop_seconds / vec_seconds:.0f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS {rss:.0f} MiB; all targets {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
