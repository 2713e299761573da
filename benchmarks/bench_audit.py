"""Benchmark: DSIC + BIC audits of finite direct mechanisms, mechdesign vs the peer ``mechaudit``.

How to run (from the repository root)::

    pip install -e ".[bench]" && python benchmarks/bench_audit.py
    python benchmarks/bench_audit.py --quick       # only the small size
    python benchmarks/bench_audit.py --skip-peer   # mechdesign only (no mechaudit)

What it does (issue 3, "Benchmark"):

* Instances. ``md.examples.random_environment(N, k, |X|, seed=...)`` (independent prior,
  private values uniform on [0, 1)) with two direct mechanisms on it:
  ``vcg`` = ``md.vcg(env)`` (DSIC, hence BIC: both verdicts "holds") and ``random`` = a uniformly
  random deterministic decision with transfers uniform on [-1, 1) (both verdicts "fails").
  Sizes: 3 players x 8 types x 6 alternatives and 4 x 12 x 8 with both libraries, and
  6 x 10 x 10 (10^6 type profiles) with mechdesign alone.
* Each instance is generated once in this process and saved as raw numpy arrays. Each library then
  runs in its *own subprocess*: it builds its objects from the identical arrays (mechdesign:
  ``Environment`` + ``DirectMechanism``; mechaudit: ``FiniteEnvironment`` + ``JointPrior`` +
  ``PrivateValues`` + ``DirectMechanism.from_arrays`` with payments = -transfers, since mechaudit's
  positive payments go from agent to designer) and audits DSIC and BIC (mechdesign: ``md.is_dsic``
  and ``md.is_bic``; mechaudit: one ``audit_mechanism`` call with ``DSIC()`` and ``BIC()``, which
  also always runs its allocation-feasibility rows).
* Time: wall-clock (``time.perf_counter``) of build and of audit; a run is repeated (fresh build
  each time) while the total stays under about 2 s, at most 5 times, and the fastest repeat is
  reported. Memory: peak resident set size of the subprocess (``ru_maxrss``), which includes the
  interpreter, the imports and the loaded arrays; the increment over the level reached just before
  building ("delta RSS") is shown too. tracemalloc is not used (it would slow mechaudit's
  object-heavy code by a large factor).
* Checks: both libraries must give the same verdict for DSIC and for BIC; their worst violations
  (mechdesign ``violation`` vs mechaudit's ``epsilon`` = max(0, -min slack), both the largest gain
  from a misreport, in utility units) must agree within 1e-9, and for a failing property the worst
  misreport (player, true type, report, and the others' reports for DSIC) must be the same.

Targets printed at the end: verdicts identical; mechdesign >= 100x faster than mechaudit on
4 x 12 x 8 (build + audit) using <= 1/5 of its peak memory; the 6 x 10 x 10 DSIC + BIC audit under
10 s and under 2 GiB peak. Timings depend on the machine and its load (the load average is printed).

Exit status: 1 if the libraries disagree on a verdict, else 0 (missed speed/memory targets are
reported, not turned into an error).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SHARED_SIZES = [(3, 8, 6), (4, 12, 8)]     # (players, types per player, alternatives), both libraries
SOLO_SIZE = (6, 10, 10)                     # mechdesign only: 10^6 profiles
MECHANISMS = ("vcg", "random")
TARGET_SPEEDUP = 100.0
TARGET_MEMORY_FRACTION = 0.2
SOLO_TIME_LIMIT_S = 10.0
SOLO_MEMORY_LIMIT_MIB = 2048.0
VIOLATION_ATOL = 1e-9
REPEAT_BUDGET_S = 2.0
MAX_REPEATS = 5


# ---------------------------------------------------------------------------------------- instances
def make_instance(size: tuple[int, int, int], kind: str, seed: int, path: Path) -> None:
    """Generate one instance with mechdesign's generators and save its raw arrays to ``path``."""
    import mechdesign as md

    n, k, n_alt = size
    env = md.examples.random_environment(n, k, n_alt, seed=seed)
    if kind == "vcg":
        mech = md.vcg(env)
        decision = np.asarray(mech.decision_indices)
        transfers = np.asarray(mech.transfers)
    else:
        rng = np.random.default_rng(seed + 1)
        decision = rng.integers(0, n_alt, size=env.n_types)
        transfers = rng.uniform(-1.0, 1.0, size=(*env.n_types, n))
    marginals = np.stack([env.prior.marginal(i) for i in range(n)])
    valuations = np.stack([env.valuations[i] for i in range(n)])
    np.savez(path, marginals=marginals, valuations=valuations, decision=decision, transfers=transfers)


# ------------------------------------------------------------------------------------------ workers
def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0   # Linux: KiB


def _build_mechdesign(data):
    import mechdesign as md

    marginals, valuations = data["marginals"], data["valuations"]
    n, k, n_alt = valuations.shape
    env = md.Environment(players=[f"P{i}" for i in range(n)], alternatives=[f"x{a}" for a in range(n_alt)],
                         types=[list(range(k))] * n, prior=md.IndependentPrior(list(marginals)),
                         valuations=list(valuations))
    return md.DirectMechanism(env, data["decision"], data["transfers"])


def _audit_mechdesign(mech) -> tuple[dict, float]:
    import mechdesign as md

    start = time.perf_counter()
    dsic = md.is_dsic(mech)
    middle = time.perf_counter()
    bic = md.is_bic(mech)
    end = time.perf_counter()
    out = {}
    for name, result in (("dsic", dsic), ("bic", bic)):
        w = result.witness
        witness = None
        if w is not None and not result.holds:
            others = None
            if w.profile is not None:
                others = [int(t) for j, t in enumerate(w.profile) if j != w.player_index]
            witness = [w.player, int(w.true_type_index), int(w.report_index), others]
        out[name] = {"holds": bool(result.holds), "violation": max(0.0, float(result.violation)),
                     "witness": witness}
    out["dsic_s"], out["bic_s"] = middle - start, end - middle
    return out, end - start


def _build_mechaudit(data):
    import mechaudit as ma

    marginals, valuations = data["marginals"], data["valuations"]
    decision, transfers = data["decision"], data["transfers"]
    n, k, n_alt = valuations.shape
    agents = [f"P{i}" for i in range(n)]
    outcomes = [f"x{a}" for a in range(n_alt)]
    agent_index = {a: i for i, a in enumerate(agents)}
    outcome_index = {x: a for a, x in enumerate(outcomes)}

    def value(agent, own_type, outcome):
        return valuations[agent_index[agent], own_type, outcome_index[outcome]]

    prior = ma.JointPrior.from_independent(
        {a: {t: float(marginals[i, t]) for t in range(k)} for i, a in enumerate(agents)})
    env = ma.FiniteEnvironment(agents={a: list(range(k)) for a in agents}, outcomes=outcomes, prior=prior,
                               values=ma.PrivateValues(value))
    allocation = np.eye(n_alt)[decision.reshape(-1)]           # profiles in C order = mechaudit's order
    payments = -transfers.reshape(-1, n)                        # mechaudit: positive = agent pays
    return env, ma.DirectMechanism.from_arrays(allocation, payments, environment=env)


def _audit_mechaudit(built) -> tuple[dict, float]:
    import mechaudit as ma

    env, mech = built
    start = time.perf_counter()
    report = ma.audit_mechanism(environment=env, mechanism=mech, requirements=[ma.DSIC(), ma.BIC()])
    elapsed = time.perf_counter() - start
    out = {}
    for name in ("dsic", "bic"):
        section = report.section(name, {name})
        worst = min(section.checks, key=lambda c: c.slack)
        witness = None
        if not section.passed:
            meta = worst.metadata
            others = [int(t) for _, t in meta["others_report"]] if name == "dsic" else None
            witness = [meta["agent"], int(meta["true_type"]), int(meta["deviation"]), others]
        out[name] = {"holds": bool(section.passed), "violation": float(section.epsilon), "witness": witness}
    return out, elapsed


WORKERS = {"mechdesign": (_build_mechdesign, _audit_mechdesign),
           "mechaudit": (_build_mechaudit, _audit_mechaudit)}


def run_worker(library: str, instance: str) -> None:
    """Build and audit one instance with one library; print one JSON line of figures."""
    build, audit = WORKERS[library]
    importlib.import_module(library)                 # imports are not part of the timings
    data = dict(np.load(instance))
    gc.collect()
    baseline = _peak_rss_mib()
    best = None
    spent, repeats = 0.0, 0
    while repeats < MAX_REPEATS and (repeats == 0 or spent < REPEAT_BUDGET_S):
        start = time.perf_counter()
        built = build(data)
        build_s = time.perf_counter() - start
        verdicts, audit_s = audit(built)
        spent += build_s + audit_s
        repeats += 1
        if best is None or build_s + audit_s < best["build_s"] + best["audit_s"]:
            best = {**verdicts, "build_s": build_s, "audit_s": audit_s}
        del built
        gc.collect()
    best.update(peak_mib=_peak_rss_mib(), baseline_mib=baseline, repeats=repeats)
    print(json.dumps(best))


# ------------------------------------------------------------------------------------------- driver
@dataclass(frozen=True)
class Run:
    """One library's figures on one instance."""

    size: tuple[int, int, int]
    mechanism: str
    library: str
    figures: dict

    @property
    def total_s(self) -> float:
        return self.figures["build_s"] + self.figures["audit_s"]


def run_subprocess(library: str, instance: Path) -> dict:
    """Run :func:`run_worker` in a fresh interpreter so its peak memory is its own."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", library, "--instance", str(instance)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{library} worker failed on {instance.name}:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def peer_available() -> str | None:
    """mechaudit's version if it can be imported, else None."""
    try:
        import mechaudit
    except ImportError:
        return None
    return mechaudit.__version__


def _size_label(size: tuple[int, int, int]) -> str:
    n, k, n_alt = size
    return f"{n}x{k}x{n_alt}"


def _verdict(figures: dict, name: str) -> str:
    entry = figures[name]
    return f"{'holds' if entry['holds'] else 'FAILS'} {entry['violation']:.3g}"


def _agreement(ours: dict, peer: dict) -> tuple[bool, bool, bool]:
    """(verdicts equal, worst violations equal within VIOLATION_ATOL, witnesses equal) over DSIC and BIC."""
    verdicts = all(ours[p]["holds"] == peer[p]["holds"] for p in ("dsic", "bic"))
    violations = all(abs(ours[p]["violation"] - peer[p]["violation"]) <= VIOLATION_ATOL for p in ("dsic", "bic"))
    witnesses = all(ours[p]["witness"] == peer[p]["witness"] for p in ("dsic", "bic"))
    return verdicts, violations, witnesses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="run only the smallest size (3x8x6)")
    parser.add_argument("--skip-peer", action="store_true", help="do not run mechaudit")
    parser.add_argument("--seed", type=int, default=2024, help="seed of the random instances (default 2024)")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        run_worker(args.worker, args.instance)
        return 0

    from rich.console import Console
    from rich.table import Table

    import mechdesign as md

    console = Console(width=150)
    peer_version = None if args.skip_peer else peer_available()
    if not args.skip_peer and peer_version is None:
        console.print("[yellow]mechaudit is not installed (pip install -e '.[bench]'): running mechdesign only[/]")
    console.print(f"mechdesign {md.__version__}, mechaudit {peer_version or 'not run'}, numpy {np.__version__}, "
                  f"Python {platform.python_version()}, {os.cpu_count()} CPUs, "
                  f"load average {os.getloadavg()[0]:.2f} (timings are wall-clock and noisy on a shared machine)")
    jobs = [(size, True) for size in SHARED_SIZES[:1 if args.quick else None]]
    if not args.quick:
        jobs.append((SOLO_SIZE, False))

    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench_audit_") as tmp:
        for size, shared in jobs:
            for kind in MECHANISMS:
                path = Path(tmp) / f"{_size_label(size)}_{kind}.npz"
                make_instance(size, kind, args.seed, path)
                libraries = ["mechdesign"] + (["mechaudit"] if shared and peer_version else [])
                for library in libraries:
                    console.print(f"  {_size_label(size)} {kind:<6} {library} ...", end=" ")
                    run = Run(size, kind, library, run_subprocess(library, path))
                    console.print(f"{run.total_s:.3f} s")
                    runs.append(run)

    table = Table(title="DSIC + BIC audits: seconds (fastest of `reps` repeats), subprocess peak RSS, "
                        "verdict and worst gain from misreporting")
    for column in ("size", "profiles", "mechanism", "library", "build s", "audit s", "total s",
                   "reps", "peak MiB", "delta MiB", "DSIC", "BIC"):
        table.add_column(column, justify="right" if column.endswith(("s", "MiB", "profiles")) else "left")
    for run in runs:
        f = run.figures
        table.add_row(_size_label(run.size), f"{run.size[1] ** run.size[0]:,}", run.mechanism, run.library,
                      f"{f['build_s']:.4f}", f"{f['audit_s']:.4f}", f"{run.total_s:.4f}", str(f["repeats"]),
                      f"{f['peak_mib']:.0f}", f"{f['peak_mib'] - f['baseline_mib']:.0f}",
                      _verdict(f, "dsic"), _verdict(f, "bic"))
    console.print(table)

    pairs = [(a, b) for a in runs for b in runs if a.library == "mechdesign" and b.library == "mechaudit"
             and (a.size, a.mechanism) == (b.size, b.mechanism)]
    agree_all = True
    if pairs:
        comparison = Table(title="mechdesign vs mechaudit on identical instances")
        for column in ("size", "mechanism", "verdicts agree", "violations agree", "witnesses agree",
                       "speed-up audit", "speed-up build+audit", "peak memory ratio"):
            comparison.add_column(column)
        for ours, peer in pairs:
            verdicts, violations, witnesses = _agreement(ours.figures, peer.figures)
            agree_all &= verdicts
            comparison.add_row(_size_label(ours.size), ours.mechanism, str(verdicts), str(violations), str(witnesses),
                               f"{peer.figures['audit_s'] / ours.figures['audit_s']:.0f}x",
                               f"{peer.total_s / ours.total_s:.0f}x",
                               f"{ours.figures['peak_mib'] / peer.figures['peak_mib']:.3f}")
        console.print(comparison)

    console.print("[bold]targets[/]")

    def target(label: str, ok: bool | None, detail: str) -> None:
        mark = "[green]PASS[/]" if ok else ("[yellow]not run[/]" if ok is None else "[red]FAIL[/]")
        console.print(f"  {mark}  {label}: {detail}")

    if pairs:
        details = [_agreement(o.figures, p.figures) for o, p in pairs]
        target("verdicts identical (DSIC and BIC, every shared instance)", agree_all,
               f"{sum(d[0] for d in details)}/{len(details)} instances agree; worst violations agree on "
               f"{sum(d[1] for d in details)}/{len(details)}, witnesses on {sum(d[2] for d in details)}/{len(details)}")
    else:
        target("verdicts identical", None, "peer not run")
    large = [(o, p) for o, p in pairs if o.size == SHARED_SIZES[-1]]
    if large:
        speed = min(p.total_s / o.total_s for o, p in large)
        memory = max(o.figures["peak_mib"] / p.figures["peak_mib"] for o, p in large)
        target(f">= {TARGET_SPEEDUP:.0f}x faster than mechaudit on {_size_label(SHARED_SIZES[-1])} (build + audit)",
               speed >= TARGET_SPEEDUP, f"worst over mechanisms {speed:.0f}x")
        target(f"<= 1/5 of mechaudit's peak memory on {_size_label(SHARED_SIZES[-1])}",
               memory <= TARGET_MEMORY_FRACTION, f"worst ratio {memory:.3f}")
    else:
        target(f"speed and memory vs mechaudit on {_size_label(SHARED_SIZES[-1])}", None,
               "needs the full run with the peer")
    solo = [r for r in runs if r.size == SOLO_SIZE]
    if solo:
        audit = max(r.figures["audit_s"] for r in solo)
        peak = max(r.figures["peak_mib"] for r in solo)
        target(f"{_size_label(SOLO_SIZE)} DSIC + BIC audit < {SOLO_TIME_LIMIT_S:.0f} s", audit < SOLO_TIME_LIMIT_S,
               f"slowest {audit:.2f} s (build + audit {max(r.total_s for r in solo):.2f} s)")
        target(f"{_size_label(SOLO_SIZE)} peak memory < 2 GiB", peak < SOLO_MEMORY_LIMIT_MIB, f"{peak:.0f} MiB")
    else:
        target(f"{_size_label(SOLO_SIZE)} under 10 s and 2 GiB", None, "skipped by --quick")
    console.print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0 if agree_all else 1


if __name__ == "__main__":
    sys.exit(main())
