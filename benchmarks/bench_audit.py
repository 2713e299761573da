"""Benchmark: DSIC + BIC audits of stored direct mechanisms — mechdesign, its numpy reference
kernels, a fused-loop baseline and the peer library ``mechaudit``, timed the same way.

How to run (from the repository root)::

    pip install -e ".[bench]" && python benchmarks/bench_audit.py
    python benchmarks/bench_audit.py --quick          # smallest size, one seed, two repeats
    python benchmarks/bench_audit.py --skip-peer      # without mechaudit

Instances: ``md.examples.random_environment(N, k, |X|, seed=s)`` (independent prior, private
values uniform on [0, 1)) with two mechanisms: ``vcg`` = ``md.vcg(env)`` (DSIC and BIC hold) and
``random`` = a uniformly random deterministic decision with transfers uniform on [-1, 1) (both
fail). Sizes 3x8x6, 4x12x8, 5x10x10 (10^5 profiles) and 6x10x10 (10^6), several seeds each.

Contenders, each in its *own fresh subprocess* per instance, built from the identical saved arrays:

* ``mechdesign`` — ``md.is_dsic`` + ``md.is_bic`` with the compiled kernels (``MECHDESIGN_KERNELS=numba``);
* ``md-numpy`` — the same with the numpy reference kernels (``MECHDESIGN_KERNELS=numpy``);
* ``baseline`` — a fused numba loop (``benchmarks/baseline_audit.py``, ~40 lines): what the
  machine allows without witnesses' bookkeeping, tolerances or generality;
* ``mechaudit`` — ``audit_mechanism`` with ``DSIC()`` and ``BIC()`` (0.1.x; payments = -transfers).

Timing, identical for all: in the subprocess, after imports, ``--repeats`` times (build the
library's objects from the arrays, then audit); ``cold`` is the first audit (it pays numba's
loading or compiling for the two numba contenders), ``warm`` the median of the others; build
times are reported separately. A contender whose runs would exceed ``--peer-budget``
seconds (estimated from its previous instance: warm time per inequality, plus the cold run's
extra loading time) is skipped and says so. Memory: peak RSS of the
subprocess (interpreter and imports included).

Checks: every contender's verdicts and worst gains (within 1e-9) agree with mechdesign's,
and so do the witnesses (player, true type, report, others' reports) of failing properties;
mechdesign's two kernels agree bit for bit.

Printed: a table per instance, then per size the ratios (median over seeds of warm audit
times) and the throughput in (player, type, misreport, profile) inequalities per second (also on
the audit's CPU time, which a loaded machine inflates less than the wall-clock time),
2·N·k·k^N per DSIC + BIC audit. Targets: >= 4e8 inequalities/s on 6x10x10 (mechdesign, warm);
>= 100x mechaudit on 4x12x8 with <= 1/5 of its memory; 6x10x10 under 10 s and 2 GiB.
The machine's load is printed: figures from a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SIZES = [(3, 8, 6), (4, 12, 8), (5, 10, 10), (6, 10, 10)]
MECHANISMS = ("vcg", "random")
CONTENDERS = ("mechdesign", "md-numpy", "baseline", "mechaudit")
TARGET_RATE = 4e8
TARGET_SPEEDUP = 100.0
VIOLATION_ATOL = 1e-9


# ---------------------------------------------------------------------------------------- instances
def make_instance(size, kind: str, seed: int, path: Path) -> None:
    """Generate one instance with mechdesign's generators and save its raw arrays."""
    import mechdesign as md

    n, k, n_alt = size
    env = md.examples.random_environment(n, k, n_alt, seed=seed)
    if kind == "vcg":
        mech = md.vcg(env)
        decision, transfers = np.asarray(mech.decision_indices), np.asarray(mech.transfers)
    else:
        rng = np.random.default_rng(seed + 1)
        decision = rng.integers(0, n_alt, size=env.n_types)
        transfers = rng.uniform(-1.0, 1.0, size=(*env.n_types, n))
    np.savez(path, marginals=np.stack([env.prior.marginal(i) for i in range(n)]),
             valuations=np.stack(env.valuations), decision=decision, transfers=transfers)


def inequalities(size) -> int:
    n, k, _ = size
    return 2 * n * k * k**n


# ------------------------------------------------------------------------------------------ workers
def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _witness(result) -> list | None:
    w = result.witness
    if w is None or result.holds:
        return None
    others = None if w.profile is None else [int(t) for j, t in enumerate(w.profile) if j != w.player_index]
    return [int(w.player_index), int(w.true_type_index), int(w.report_index), others]


def _mechdesign(data):
    import mechdesign as md

    marginals, valuations = data["marginals"], data["valuations"]
    n, k, n_alt = valuations.shape

    def build():
        env = md.Environment(players=[f"P{i}" for i in range(n)], alternatives=[f"x{a}" for a in range(n_alt)],
                             types=[list(range(k))] * n, prior=md.IndependentPrior(list(marginals)),
                             valuations=list(valuations))
        return md.DirectMechanism(env, data["decision"], data["transfers"])

    def audit(mech):
        dsic, bic = md.is_dsic(mech), md.is_bic(mech)
        return {name: {"holds": bool(r.holds), "violation": max(0.0, float(r.violation)), "witness": _witness(r),
                       "raw": float(r.violation)} for name, r in (("dsic", dsic), ("bic", bic))}

    return build, audit


def _baseline(data):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import baseline_audit

    shape = data["decision"].shape

    def build():
        return data["decision"], data["transfers"], list(data["valuations"]), list(data["marginals"])

    def audit(built):
        worst = baseline_audit.audit(*built)
        out = {}
        for name in ("dsic", "bic"):
            gain, where = worst[name]
            holds = gain <= 1e-9
            witness = None
            if not holds:
                i, t, r = (int(x) for x in where[:3])
                others = None
                if name == "dsic":
                    o_shape = [s for j, s in enumerate(shape) if j != i]
                    others = [int(x) for x in np.unravel_index(where[3], o_shape)] if o_shape else []
                witness = [i, t, r, others]
            out[name] = {"holds": holds, "violation": max(0.0, float(gain)), "witness": witness}
        return out

    return build, audit


def _mechaudit(data):
    import mechaudit as ma

    marginals, valuations = data["marginals"], data["valuations"]
    decision, transfers = data["decision"], data["transfers"]
    n, k, n_alt = valuations.shape
    agents = [f"P{i}" for i in range(n)]
    outcomes = [f"x{a}" for a in range(n_alt)]
    agent_index = {a: i for i, a in enumerate(agents)}
    outcome_index = {x: a for a, x in enumerate(outcomes)}

    def build():
        prior = ma.JointPrior.from_independent(
            {a: {t: float(marginals[i, t]) for t in range(k)} for i, a in enumerate(agents)})
        env = ma.FiniteEnvironment(agents={a: list(range(k)) for a in agents}, outcomes=outcomes, prior=prior,
                                   values=ma.PrivateValues(lambda agent, t, x: valuations[agent_index[agent], t,
                                                                                         outcome_index[x]]))
        allocation = np.eye(n_alt)[decision.reshape(-1)]           # profiles in C order = mechaudit's order
        return env, ma.DirectMechanism.from_arrays(allocation, -transfers.reshape(-1, n), environment=env)

    def audit(built):
        env, mech = built
        report = ma.audit_mechanism(environment=env, mechanism=mech, requirements=[ma.DSIC(), ma.BIC()])
        out = {}
        for name in ("dsic", "bic"):
            section = report.section(name, {name})
            worst = min(section.checks, key=lambda c: c.slack)
            witness = None
            if not section.passed:
                meta = worst.metadata
                others = [int(t) for _, t in meta["others_report"]] if name == "dsic" else None
                witness = [agent_index[meta["agent"]], int(meta["true_type"]), int(meta["deviation"]), others]
            out[name] = {"holds": bool(section.passed), "violation": float(section.epsilon), "witness": witness}
        return out

    return build, audit


def run_worker(contender: str, instance: str, repeats: int) -> None:
    """Build and audit one instance ``repeats`` times; print one JSON line of figures."""
    if contender in ("mechdesign", "md-numpy"):
        os.environ["MECHDESIGN_KERNELS"] = "numba" if contender == "mechdesign" else "numpy"
        import mechdesign  # noqa: F401   (imports are not part of the timings)
        factory = _mechdesign
    elif contender == "baseline":
        import numba  # noqa: F401
        factory = _baseline
    else:
        import mechaudit  # noqa: F401
        factory = _mechaudit
    data = dict(np.load(instance))
    build, audit = factory(data)
    builds, audits, cpus, verdicts = [], [], [], None
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        built = build()
        middle = time.perf_counter()
        cpu = time.process_time()
        verdicts = audit(built)
        cpus.append(time.process_time() - cpu)
        audits.append(time.perf_counter() - middle)
        builds.append(middle - start)
        del built
    print(json.dumps({**verdicts, "build_s": statistics.median(builds), "cold_s": audits[0],
                      "warm_s": statistics.median(audits[1:]) if len(audits) > 1 else audits[0],
                      "warm_cpu_s": statistics.median(cpus[1:]) if len(cpus) > 1 else cpus[0],
                      "peak_mib": _peak_rss_mib(), "repeats": repeats}))


def run_subprocess(contender: str, instance: Path, repeats: int, timeout: float) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", contender, "--instance", str(instance),
               "--repeats", str(repeats)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1][:120]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------------------- driver
def _label(size) -> str:
    return "x".join(str(s) for s in size)


def _agrees(ours: dict, other: dict) -> tuple[bool, bool, bool]:
    props = ("dsic", "bic")
    return (all(ours[p]["holds"] == other[p]["holds"] for p in props),
            all(abs(ours[p]["violation"] - other[p]["violation"]) <= VIOLATION_ATOL for p in props),
            all(ours[p]["witness"] == other[p]["witness"] for p in props))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3x8x6 only, one seed, two repeats")
    parser.add_argument("--sizes", default=",".join(_label(s) for s in SIZES), help="e.g. 3x8x6,6x10x10")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per size (default 3)")
    parser.add_argument("--repeats", type=int, default=3, help="build + audit runs per process, for all (default 3)")
    parser.add_argument("--skip-peer", action="store_true", help="do not run mechaudit")
    parser.add_argument("--peer-budget", type=float, default=300.0,
                        help="skip a contender whose estimated run exceeds this many seconds (default 300)")
    parser.add_argument("--worker", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        run_worker(args.worker, args.instance, args.repeats)
        return 0
    sizes = [tuple(int(x) for x in s.split("x")) for s in args.sizes.split(",")]
    seeds, repeats = args.seeds, args.repeats
    if args.quick:
        sizes, seeds, repeats = sizes[:1], 1, 2
    import mechdesign as md

    contenders = [c for c in CONTENDERS if not (c == "mechaudit" and args.skip_peer)]
    if "mechaudit" in contenders:
        try:
            import mechaudit
            peer = mechaudit.__version__
        except ImportError:
            contenders.remove("mechaudit")
            peer = "not installed"
    else:
        peer = "not run"
    print(f"mechdesign {md.__version__}, mechaudit {peer}, numpy {np.__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (wall-clock; noisy on a shared machine)")
    print(f"each contender: fresh process per instance, {repeats} x (build + audit); cold = first audit, "
          f"warm = median of the others\n")
    runs: dict = {}
    per_profile: dict = {}           # contender -> (seconds per inequality warm, fixed cold cost) at its last size
    start_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench_audit_") as tmp:
        for size in sizes:
            print(f"{'size':>9} {'mech':>6} {'seed':>5} {'contender':>11} {'build s':>8} {'cold s':>8} {'warm s':>8} "
                  f"{'cpu s':>8} {'peak MiB':>8}  DSIC / BIC")
            for seed in range(2024, 2024 + seeds):
                for kind in MECHANISMS:
                    path = Path(tmp) / f"{_label(size)}_{kind}_{seed}.npz"
                    make_instance(size, kind, seed, path)
                    for contender in contenders:
                        rate, fixed = per_profile.get(contender, (0.0, 0.0))
                        estimate = fixed + rate * inequalities(size) * (repeats + 1)
                        if estimate > args.peer_budget:
                            result = {"error": f"skipped: estimated {estimate:.0f} s > --peer-budget"}
                        else:
                            result = run_subprocess(contender, path, repeats, timeout=max(60.0, 3 * args.peer_budget))
                        runs[(size, kind, seed, contender)] = result
                        if "error" in result:
                            print(f"{_label(size):>9} {kind:>6} {seed:>5} {contender:>11}  {result['error']}")
                            continue
                        per_profile[contender] = (result["warm_s"] / inequalities(size),      # cold - warm: loading
                                                  max(0.0, result["cold_s"] - result["warm_s"]))
                        verdict = " / ".join(f"{'holds' if result[p]['holds'] else 'FAILS'} {result[p]['violation']:.3g}"
                                             for p in ("dsic", "bic"))
                        print(f"{_label(size):>9} {kind:>6} {seed:>5} {contender:>11} {result['build_s']:>8.4f} "
                              f"{result['cold_s']:>8.4f} {result['warm_s']:>8.4f} {result['warm_cpu_s']:>8.4f} "
                              f"{result['peak_mib']:>8.0f}  {verdict}",
                              flush=True)
    print(f"\ntotal benchmark time {time.perf_counter() - start_all:.0f} s\n")

    ok = True
    print("agreement with mechdesign (verdicts / worst gains within 1e-9 / witnesses), over all instances:")
    for contender in contenders[1:]:
        pairs = [(r, runs[(s, k, e, contender)]) for (s, k, e, c), r in runs.items()
                 if c == "mechdesign" and "error" not in r and "error" not in runs[(s, k, e, contender)]]
        marks = [_agrees(a, b) for a, b in pairs]
        verdicts = sum(m[0] for m in marks)
        ok &= verdicts == len(marks)
        print(f"  {contender:>11}: {verdicts}/{len(marks)} verdicts, {sum(m[1] for m in marks)}/{len(marks)} gains, "
              f"{sum(m[2] for m in marks)}/{len(marks)} witnesses")
        if contender == "md-numpy":
            bits = all(a[p]["raw"] == b[p]["raw"] for a, b in pairs for p in ("dsic", "bic"))
            ok &= bits
            print(f"  {'':>11}  compiled and numpy kernels bit-identical: {bits}")

    print("\nper size, median over seeds and mechanisms of the warm audit (ratios: contender / mechdesign):")
    print(f"{'size':>9} {'inequalities':>13} " + " ".join(f"{c:>16}" for c in contenders) + "   mechdesign ineq/s (warm)")
    rates = {}
    for size in sizes:
        cells, ours = [], None
        for contender in contenders:
            times = [runs[(size, k, e, contender)]["warm_s"] for k in MECHANISMS for e in range(2024, 2024 + seeds)
                     if "error" not in runs[(size, k, e, contender)]]
            median = statistics.median(times) if times else None
            if contender == "mechdesign":
                ours = median
            cells.append(median)
        text = []
        for contender, median in zip(contenders, cells):
            if median is None:
                text.append(f"{'-':>16}")
            elif contender == "mechdesign":
                text.append(f"{median:>14.4f} s")
            else:
                text.append(f"{median:>8.3f} s {median / ours:>5.1f}x")
        rates[size] = inequalities(size) / ours if ours else None
        cpu = [runs[(size, k, e, "mechdesign")]["warm_cpu_s"] for k in MECHANISMS for e in range(2024, 2024 + seeds)
               if "error" not in runs[(size, k, e, "mechdesign")]]
        cpu_rate = inequalities(size) / statistics.median(cpu) if cpu else None
        print(f"{_label(size):>9} {inequalities(size):>13.3g} " + " ".join(text)
              + (f"   {rates[size]:.3g} (on CPU time {cpu_rate:.3g})" if rates[size] else ""))

    print("\ntargets:")
    big = (6, 10, 10)
    if big in rates and rates[big]:
        print(f"  {'PASS' if rates[big] >= TARGET_RATE else 'MISS'}  >= {TARGET_RATE:.0e} inequalities/s on 6x10x10: "
              f"{rates[big]:.3g}")
        worst = max(runs[(big, k, e, 'mechdesign')]["warm_s"] for k in MECHANISMS for e in range(2024, 2024 + seeds))
        peak = max(runs[(big, k, e, 'mechdesign')]["peak_mib"] for k in MECHANISMS for e in range(2024, 2024 + seeds))
        print(f"  {'PASS' if worst < 10 and peak < 2048 else 'MISS'}  6x10x10 under 10 s and 2 GiB: slowest {worst:.2f} s, "
              f"{peak:.0f} MiB")
    mid = (4, 12, 8)
    pairs = [(runs[(mid, k, e, "mechdesign")], runs[(mid, k, e, "mechaudit")]) for k in MECHANISMS
             for e in range(2024, 2024 + seeds) if (mid, k, e, "mechaudit") in runs
             and "error" not in runs[(mid, k, e, "mechaudit")]]
    if pairs:
        speed = min((p["build_s"] + p["warm_s"]) / (o["build_s"] + o["warm_s"]) for o, p in pairs)
        memory = max(o["peak_mib"] / p["peak_mib"] for o, p in pairs)
        print(f"  {'PASS' if speed >= TARGET_SPEEDUP else 'MISS'}  >= {TARGET_SPEEDUP:.0f}x mechaudit on 4x12x8 "
              f"(build + warm audit): worst {speed:.0f}x")
        print(f"  {'PASS' if memory <= 0.2 else 'MISS'}  <= 1/5 of mechaudit's peak memory on 4x12x8: worst {memory:.3f}")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
