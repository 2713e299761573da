"""Benchmark: DSIC + BIC audit of VCG on 10^5, 10^6 and 10^7 type profiles.

Environments: ``md.examples.random_environment(n_players=N, n_types=10, n_alternatives=10,
seed=s)`` for N = 5, 6, 7 and several seeds. mechdesign's VCG is lazy
(``md.vcg(env, lazy=True)``): no profile-sized array is stored, so the audit's memory is set
by the block size alone (flat in the number of profiles).

Configurations, each case in a fresh subprocess (its peak memory is its own):

* ``mechdesign`` — compiled kernels (``MECHDESIGN_KERNELS=numba``), one process;
* ``md-numpy`` — the numpy reference kernels, one process;
* ``dask1`` / ``dask2`` — compiled kernels on a LocalCluster of 1 or 2 single-threaded worker
  processes (start-up excluded and reported; workers started with glibc's default malloc
  thresholds, see docs/scale.md); peak memory = the client's max RSS + the largest worker's;
* ``baseline`` — the fused numba loop of ``benchmarks/baseline_audit.py`` on the stored VCG
  arrays (``md.vcg(env)``, built before the clock starts: it needs them in memory);
* ``mechaudit`` — the peer (0.1.x) on the stored VCG tables, killed after ``--timeout`` s and
  skipped at a size when the previous size already took a tenth of the timeout.

Every configuration is timed the same way (wall-clock; the CPU time is printed beside it — for
Dask the client's and the workers' together, per run): the process first audits a tiny instance with the
same configuration (imports, numba's code loading, Dask workers' imports: reported as
``warm-up s``), then ``--repeats`` times DSIC + BIC of the instance; the median is reported.

Run: ``python benchmarks/bench_scale.py`` (all sizes, 3 seeds; mechdesign's part takes a few
minutes on 2 idle cores, md-numpy about 10 minutes, mechaudit up to the timeout per size);
``--sizes 5,6 --seeds 1`` for a quick run. The load average is printed: figures from a shared
machine are noisy. Targets: mechdesign 10^7 DSIC + BIC <= 5 s with flat memory; dask2 >= 1.6x
dask1 at 10^7.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

LABELS = {5: "10^5", 6: "10^6", 7: "10^7"}
CONFIGS = ("mechdesign", "md-numpy", "dask1", "dask2", "baseline", "mechaudit")
TARGET_SECONDS = 5.0
TARGET_DASK = 1.6


def environment(n_players: int, seed: int):
    import mechdesign as md

    return md.examples.random_environment(n_players=n_players, n_types=10, n_alternatives=10, seed=seed)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ram_mb() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20


_CPU: list[float] = []        # CPU seconds of this process's last timed runs


def _timed(audit, repeats: int):
    times, out = [], None
    _CPU.clear()
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        out = audit()
        times.append(time.perf_counter() - start)
        _CPU.append(time.process_time() - cpu)
    return statistics.median(times), out


def run_mechdesign(n_players: int, seed: int, config: str, repeats: int) -> dict:
    os.environ["MECHDESIGN_KERNELS"] = "numpy" if config == "md-numpy" else "numba"
    import mechdesign as md

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
    tiny = md.vcg(md.examples.random_environment(n_players=5, n_types=3, n_alternatives=10, seed=1), lazy=True)
    md.is_dsic(tiny, **kwargs), md.is_bic(tiny, **kwargs)
    warmup = time.perf_counter() - start
    mech = md.vcg(environment(n_players, seed), lazy=True)
    workers_cpu = 0.0
    if client is not None:
        workers_cpu = -sum(client.run(_cpu_seconds).values())
    seconds, (dsic, bic) = _timed(lambda: (md.is_dsic(mech, **kwargs), md.is_bic(mech, **kwargs)), repeats)
    cpu = statistics.median(_CPU)
    peak = max_rss_mb()
    if client is not None:
        workers_cpu += sum(client.run(_cpu_seconds).values())
        cpu = sum(_CPU) / repeats + workers_cpu / repeats        # client + workers, per run (mean)
        workers = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        peak += max(workers.values())
    return {"time": seconds, "cpu": cpu, "startup": startup,
            "warmup": warmup, "peak_mb": peak, "dsic": dsic.violation,
            "bic": bic.violation, "holds": bool(dsic.holds and bic.holds)}


def run_baseline(n_players: int, seed: int, repeats: int) -> dict:
    import numpy as np

    import mechdesign as md

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import baseline_audit

    def arrays(env):
        mech = md.vcg(env)
        return (np.asarray(mech.decision_indices), np.asarray(mech.transfers), list(env.valuations),
                [env.prior.marginal(i) for i in range(env.n_players)])

    start = time.perf_counter()
    baseline_audit.audit(*arrays(md.examples.random_environment(n_players=5, n_types=3, n_alternatives=10, seed=1)))
    warmup = time.perf_counter() - start
    start = time.perf_counter()
    data = arrays(environment(n_players, seed))
    build = time.perf_counter() - start
    seconds, worst = _timed(lambda: baseline_audit.audit(*data), repeats)
    return {"time": seconds, "cpu": statistics.median(_CPU), "startup": build, "warmup": warmup,
            "peak_mb": max_rss_mb(),
            "dsic": worst["dsic"][0], "bic": worst["bic"][0],
            "holds": bool(worst["dsic"][0] <= 1e-9 and worst["bic"][0] <= 1e-9)}


def run_mechaudit(n_players: int, seed: int, repeats: int) -> dict:
    import mechaudit as ma

    import mechdesign as md

    def audit(env, mech):
        index = {p: i for i, p in enumerate(env.players)}
        alternative = {x: a for a, x in enumerate(env.alternatives)}
        prior = ma.JointPrior.from_independent(
            {p: {t: float(q) for t, q in enumerate(env.prior.marginal(i))} for i, p in enumerate(env.players)})
        values = ma.PrivateValues(lambda agent, t, x: float(env.valuations[index[agent]][t, alternative[x]]))
        menv = ma.FiniteEnvironment(agents={p: list(range(k)) for p, k in zip(env.players, env.n_types)},
                                    outcomes=list(env.alternatives), prior=prior, values=values)
        n = env.n_profiles
        mm = ma.DirectMechanism.from_arrays(mech.decision.reshape(n, -1), -mech.transfers.reshape(n, -1),
                                            environment=menv)
        report = ma.audit_mechanism(environment=menv, mechanism=mm, requirements=[ma.DSIC(), ma.BIC()])
        return sum(1 for c in report.checks if c.status == ma.CheckStatus.FAIL) == 0

    start = time.perf_counter()
    tiny = md.examples.random_environment(n_players=5, n_types=3, n_alternatives=10, seed=1)
    audit(tiny, md.vcg(tiny))
    warmup = time.perf_counter() - start
    env = environment(n_players, seed)
    mech = md.vcg(env)
    seconds, holds = _timed(lambda: audit(env, mech), repeats)      # tables built inside: the peer's build
    return {"time": seconds, "cpu": statistics.median(_CPU), "startup": 0.0, "warmup": warmup,
            "peak_mb": max_rss_mb(), "dsic": None, "bic": None,
            "holds": holds}


def measure(n_players: int, seed: int, config: str, repeats: int, timeout: float) -> dict:
    """Run one case in a fresh interpreter; its figures or {"error": ...}."""
    cmd = [sys.executable, __file__, "--case", str(n_players), str(seed), config, "--repeats", str(repeats)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout:.0f} s"}
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["?"])[-1][:100]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,6,7", help="numbers of players (10 types each)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per size (default 3)")
    parser.add_argument("--repeats", type=int, default=1, help="timed audits per process, for all (median)")
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per case (default 600)")
    parser.add_argument("--case", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        n, seed, config = int(args.case[0]), int(args.case[1]), args.case[2]
        if config == "mechaudit":
            result = run_mechaudit(n, seed, args.repeats)
        elif config == "baseline":
            result = run_baseline(n, seed, args.repeats)
        else:
            result = run_mechdesign(n, seed, config, args.repeats)
        print(json.dumps(result))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    configs = args.configs.split(",")
    seeds = list(range(args.seeds))
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (wall-clock; noisy on a shared machine); "
          f"{args.repeats} timed run(s) per process after a warm-up audit")
    print(f"{'profiles':>9} {'seed':>4} {'config':>10} {'time s':>8} {'cpu s':>7} {'profiles/s':>11} {'peak MiB':>9} "
          f"{'start s':>8} {'warm-up s':>9}  verdict")
    results: dict = {}
    began = time.perf_counter()
    for n in sizes:
        for config in configs:
            for seed in seeds:
                r = None
                if config == "mechaudit":
                    earlier = [results[(m, config, s)] for m in sizes if m < n for s in seeds
                               if (m, config, s) in results]
                    if earlier and "error" in earlier[-1]:
                        r = {"error": "skipped: as the smaller size"}
                    elif earlier and (earlier[-1]["time"] * 10 > args.timeout or earlier[-1]["peak_mb"] * 10 > ram_mb() / 2):
                        r = {"error": f"skipped: 10x the previous size's {earlier[-1]['time']:.0f} s exceeds the timeout"}
                    elif seed > 0 and (n, config, 0) in results and "error" in results[(n, config, 0)]:
                        r = {"error": "skipped: as seed 0"}
                if r is None:
                    r = measure(n, seed, config, args.repeats, args.timeout)
                results[(n, config, seed)] = r
                if "error" in r:
                    print(f"{LABELS.get(n, n):>9} {seed:>4} {config:>10}  {r['error']}", flush=True)
                    continue
                verdict = "DSIC+BIC hold" if r["holds"] else "VIOLATION"
                cpu = "-" if r.get("cpu") is None else f"{r['cpu']:.2f}"
                print(f"{LABELS.get(n, n):>9} {seed:>4} {config:>10} {r['time']:>8.2f} {cpu:>7} {10**n / r['time']:>11.3g} "
                      f"{r['peak_mb']:>9.0f} {r['startup']:>8.1f} {r['warmup']:>9.1f}  {verdict}", flush=True)
    print(f"\ntotal benchmark time {time.perf_counter() - began:.0f} s")

    def median_time(n, config):
        times = [results[(n, config, s)]["time"] for s in seeds if "time" in results.get((n, config, s), {})]
        return statistics.median(times) if times else None

    print("\nmedian over seeds (ratio = config / mechdesign):")
    print(f"{'profiles':>9} " + " ".join(f"{c:>18}" for c in configs))
    for n in sizes:
        ours = median_time(n, "mechdesign")
        cells = []
        for c in configs:
            t = median_time(n, c)
            cells.append(f"{'-':>18}" if t is None else f"{t:>9.2f} s" + (f" {t / ours:>6.2f}x" if ours else " " * 8))
        print(f"{LABELS.get(n, n):>9} " + " ".join(cells))
    big = max(sizes)
    one, two = median_time(big, "dask1"), median_time(big, "dask2")
    if one and two:
        print(f"\nDask 2 workers vs 1 at {LABELS.get(big, big)} profiles: {one / two:.2f}x (target >= {TARGET_DASK}x)")
    ours = [(n, results[(n, "mechdesign", s)]) for n in sizes for s in seeds
            if "time" in results.get((n, "mechdesign", s), {})]
    if ours:
        small, large = min(ours, key=lambda x: x[0]), max(ours, key=lambda x: x[0])
        print(f"mechdesign peak memory {small[1]['peak_mb']:.0f} MiB at {LABELS.get(small[0])} -> "
              f"{large[1]['peak_mb']:.0f} MiB at {LABELS.get(large[0])} profiles")
    if median_time(7, "mechdesign") is not None:
        t = median_time(7, "mechdesign")
        cpu = [results[(7, "mechdesign", s)]["cpu"] for s in seeds if "cpu" in results.get((7, "mechdesign", s), {})]
        print(f"10^7 target DSIC + BIC of a lazy VCG <= {TARGET_SECONDS:.0f} s: median {t:.2f} s "
              f"({'PASS' if t <= TARGET_SECONDS else 'MISS'}; CPU time {statistics.median(cpu):.2f} s)")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
