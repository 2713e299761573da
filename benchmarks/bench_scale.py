"""Benchmark: DSIC + BIC audit of VCG on 10^5, 10^6 and 10^7 type profiles.

Environments: ``md.examples.random_environment(n_players=N, n_types=10,
n_alternatives=10, seed=0)`` for N = 5, 6, 7. VCG is built lazily
(``md.vcg(env, lazy=True)``), so no profile-sized array is ever stored and the
audits' memory is set by the block size alone.

Configurations, each run in a fresh subprocess so that its peak memory (max
RSS) is its own:

* ``numpy``  — chunked, single process (the default backend);
* ``dask1`` / ``dask2`` — a LocalCluster with 1 or 2 single-threaded worker
  processes (cluster start-up excluded from the time, reported separately;
  workers started with glibc's default malloc thresholds, see docs/scale.md);
  peak memory = the client's max RSS + the largest worker's;
* ``mechaudit`` — the peer library (0.1.0) auditing the materialised VCG
  tables with its DSIC and BIC requirements, killed after ``--timeout`` s.

Run: ``python benchmarks/bench_scale.py`` (about 10 minutes on 2 cores without
the peer's timeouts; ``--sizes 5,6`` for a quick run).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

PLAYERS = {5: "10^5", 6: "10^6", 7: "10^7"}


def environment(n_players: int):
    import mechdesign as md

    return md.examples.random_environment(n_players=n_players, n_types=10, n_alternatives=10, seed=0)


def ram_mb() -> float:
    """Physical memory of the machine in MiB."""
    import os

    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_mechdesign(n_players: int, config: str) -> dict:
    import mechdesign as md

    env = environment(n_players)
    mech = md.vcg(env, lazy=True)
    kwargs, client, startup = {}, None, 0.0
    if config.startswith("dask"):
        import dask
        from distributed import Client, LocalCluster

        # Dask's default MALLOC_TRIM_THRESHOLD_=65536 for worker processes also freezes glibc's
        # mmap threshold, so every block-sized temporary is a fresh mmap (~30% slower kernels).
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 2**30,
                         "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": 2**25})
        start = time.perf_counter()
        cluster = LocalCluster(n_workers=int(config[4:]), threads_per_worker=1, processes=True,
                               dashboard_address=":0")
        client = Client(cluster)
        startup = time.perf_counter() - start
        kwargs = {"backend": "dask", "scheduler": client}
    start = time.perf_counter()
    dsic = md.is_dsic(mech, **kwargs)
    bic = md.is_bic(mech, **kwargs)
    elapsed = time.perf_counter() - start
    peak = max_rss_mb()
    if client is not None:
        workers = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        peak += max(workers.values())
    return {"time": elapsed, "startup": startup, "peak_mb": peak, "dsic": dsic.violation, "bic": bic.violation,
            "holds": dsic.holds and bic.holds}


def run_mechaudit(n_players: int) -> dict:
    import mechaudit as ma
    import mechdesign as md

    env = environment(n_players)
    mech = md.vcg(env)
    index = {p: i for i, p in enumerate(env.players)}
    alternative = {x: a for a, x in enumerate(env.alternatives)}
    start = time.perf_counter()
    prior = ma.JointPrior.from_independent(
        {p: {t: float(q) for t, q in enumerate(env.prior.marginal(i))} for i, p in enumerate(env.players)})
    values = ma.PrivateValues(lambda agent, t, x: float(env.valuations[index[agent]][t, alternative[x]]))
    menv = ma.FiniteEnvironment(agents={p: list(range(k)) for p, k in zip(env.players, env.n_types)},
                                outcomes=list(env.alternatives), prior=prior, values=values)
    n = env.n_profiles
    mm = ma.DirectMechanism.from_arrays(mech.decision.reshape(n, -1), -mech.transfers.reshape(n, -1),
                                        environment=menv)
    report = ma.audit_mechanism(environment=menv, mechanism=mm, requirements=[ma.DSIC(), ma.BIC()])
    elapsed = time.perf_counter() - start
    failed = sum(1 for c in report.checks if c.status == ma.CheckStatus.FAIL)
    return {"time": elapsed, "startup": 0.0, "peak_mb": max_rss_mb(), "dsic": None, "bic": None,
            "holds": failed == 0}


def measure(n_players: int, config: str, timeout: float) -> dict:
    """Run one case in a fresh interpreter; returns its figures or {"error": ...}."""
    cmd = [sys.executable, __file__, "--case", str(n_players), config]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout:.0f} s"}
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": last[:100]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,6,7", help="numbers of players (10 types each)")
    parser.add_argument("--configs", default="numpy,dask1,dask2,mechaudit")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per case (the issue's 10 minutes)")
    parser.add_argument("--case", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        n, config = int(args.case[0]), args.case[1]
        print(json.dumps(run_mechaudit(n) if config == "mechaudit" else run_mechdesign(n, config)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    configs = args.configs.split(",")
    results: dict[tuple[int, str], dict] = {}
    print(f"{'profiles':>9} {'config':>10} {'time s':>8} {'profiles/s':>11} {'peak MiB':>9} {'start s':>8}  verdict")
    for n in sizes:
        for config in configs:
            earlier = [results.get((m, config), {}) for m in sizes if m < n]
            r = None
            if config == "mechaudit" and earlier:
                last = earlier[-1]
                if "error" in last:
                    r = {"error": "skipped: as the smaller size"}
                elif last["time"] * 10 > args.timeout or last["peak_mb"] * 10 > ram_mb() / 2:
                    # the peer's cost grows at least linearly in the profiles (10x per size)
                    r = {"error": f"skipped: 10x the previous size's {last['time']:.0f} s and "
                                  f"{last['peak_mb'] / 1024:.1f} GiB exceeds the timeout or half the RAM"}
            if r is None:
                r = measure(n, config, args.timeout)
            results[(n, config)] = r
            if "error" in r:
                print(f"{PLAYERS.get(n, n):>9} {config:>10}  {r['error']}")
                continue
            rate = 10**n / r["time"]
            verdict = "DSIC+BIC hold" if r["holds"] else "VIOLATION"
            print(f"{PLAYERS.get(n, n):>9} {config:>10} {r['time']:>8.2f} {rate:>11.3g} {r['peak_mb']:>9.0f} "
                  f"{r['startup']:>8.1f}  {verdict}", flush=True)
    print()
    big = max(sizes)
    one, two = results.get((big, "dask1"), {}), results.get((big, "dask2"), {})
    if "time" in one and "time" in two:
        print(f"Dask speed-up 2 workers vs 1 at {PLAYERS.get(big, big)} profiles: {one['time'] / two['time']:.2f}x"
              " (target >= 1.6x)")
    numpy = [(10**n, results[(n, "numpy")]) for n in sizes if "time" in results.get((n, "numpy"), {})]
    if len(numpy) >= 2:
        (p0, r0), (p1, r1) = numpy[0], numpy[-1]
        slope = (r1["peak_mb"] - r0["peak_mb"]) * 2**20 / (p1 - p0)
        print(f"numpy peak-memory slope: {slope:.4f} bytes per profile ({r0['peak_mb']:.0f} -> {r1['peak_mb']:.0f} MiB"
              f" from {p0:.0e} to {p1:.0e} profiles)")
        if big == 7 and (7, "numpy") in results and "time" in results[(7, "numpy")]:
            r = results[(7, "numpy")]
            print(f"10^7 target (< 60 s, < 2 GiB): {r['time']:.1f} s, {r['peak_mb']:.0f} MiB")
    for n in sizes:
        peer, ours = results.get((n, "mechaudit"), {}), results.get((n, "numpy"), {})
        if "time" in peer and "time" in ours:
            print(f"mechaudit / mechdesign-numpy time at {PLAYERS.get(n, n)}: {peer['time'] / ours['time']:.1f}x, "
                  f"memory {peer['peak_mb'] / ours['peak_mb']:.1f}x")


if __name__ == "__main__":
    main()
