"""Benchmark: revenue-optimal auctions, mechdesign vs the peer library mechaudit (issues 7 and 16).

Instances: n bidders with i.i.d. values on {1..K}; alternatives = who gets the item,
or nobody. DSIC + ex-post IR, or BIC + interim IR. Each (library, instance, repeat)
runs in a fresh subprocess so that timings and peak memory (max RSS) are its own.

    python benchmarks/bench_design.py              # both tables
    python benchmarks/bench_design.py --full-only  # table 1 only; --scale-only: table 2 only
    python benchmarks/bench_design.py --peer-all   # table 1: also run mechaudit on 6×6
    python benchmarks/bench_design.py --quick      # table 1: the three small instances only
    python benchmarks/bench_design.py --symmetry   # table 1 with the opt-in exact symmetry reduction
    python benchmarks/bench_design.py --repeats 3 --timeout 120   # table 2: repeats (median), time limit

**Table 1 (full LP).** Per instance (uniform values): our build time (environment +
LP assembly), solve time, audit time (re-verification of the optimum) and total; the
optimum; mechaudit's total (build + solve, its solve includes its own audit) and the
ratio to ours; both peak memories; and whether the optima agree within 1e-7.

**Table 2 (methods that scale).** DSIC instances by constraint generation
(``method="cutting_plane"``), BIC instances by reduced forms (``method="reduced_form"``;
8 × 8 has 1.7·10^7 profiles, 10 × 10 has 10^10), uniform values and random priors
(Dirichlet(2) over the K values, i.i.d. across bidders, one prior per seed). Every run
is timed the same way — end to end in a fresh process: building the environment,
solving and auditing the answer (mechaudit's solve includes its own audit) — with the
same number of repeats (median shown), against:

* our full LP (``method="full"``) and mechaudit (full LP), where they can finish within
  ``--timeout`` (otherwise "> T s");
* a simple baseline: for DSIC, one LP with only the rows that bind in these auctions
  (each type claiming the next lower value, the lowest types' participation), then the
  audits — the issue's "keep only the binding rows" experiment, which is right here but
  needs the audit to know it; for BIC, the discrete Myerson optimum in closed form
  (ironed virtual values), which is also the independent check of every optimum.

Ratios are baseline time / our time (> 1: ours is faster), wall-clock times; our
process's CPU time (all its threads) is printed too, as it is less sensitive to other
jobs on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

INSTANCES = [  # (n bidders, K values, constraints, expected optimum from issue 7)
    (2, 10, "dsic", 4.9),
    (3, 8, "dsic", 5.078125),
    (3, 12, "dsic", 7.21875),
    (4, 6, "bic", 4.515432098765432),
    (5, 6, "bic", 4.870370370370370),
    (6, 6, "bic", None),
]


def run_mechdesign(n: int, K: int, kind: str, symmetry: bool = False) -> dict:
    import mechdesign as md

    start = time.perf_counter()
    env = md.examples.single_item_auction(values=list(range(1, K + 1)), n_bidders=n)
    cons = ["dsic", "ir_ex_post"] if kind == "dsic" else ["bic", "ir_interim"]
    res = md.design(env, "revenue", cons, options={"symmetry": symmetry}, method="full")
    total = time.perf_counter() - start
    d = res.diagnostics
    build = total - d["solve_time"] - d["verify_time"]      # environment + LP assembly
    return {"build": build, "solve": d["solve_time"], "verify": d["verify_time"], "total": total,
            "value": res.value, "status": res.status, "verified": res.verification.holds}


def run_mechaudit(n: int, K: int, kind: str) -> dict:
    import mechaudit as ma

    start = time.perf_counter()
    agents = {f"b{i}": list(range(1, K + 1)) for i in range(n)}
    prior = ma.JointPrior.from_independent({a: {v: 1 / K for v in range(1, K + 1)} for a in agents})
    values = ma.PrivateValues(lambda agent, t, o: float(t) if o["winner"] == agent else 0.0)
    env = ma.FiniteEnvironment(agents=agents, outcomes=ma.single_item_outcomes(list(agents)), prior=prior,
                               values=values)
    reqs = [ma.DSIC(), ma.ExPostIR()] if kind == "dsic" else [ma.BIC(), ma.InterimIR()]
    problem = env.design(objective=ma.ExpectedRevenue(), requirements=reqs)
    problem.compile()
    build = time.perf_counter() - start
    start_solve = time.perf_counter()
    sol = problem.solve()
    solve = time.perf_counter() - start_solve
    return {"build": build, "solve": solve, "verify": 0.0, "total": build + solve, "value": sol.objective_value,
            "status": "optimal", "verified": sol.audit.passed}


def cross_check() -> None:
    """Correlated 2-bidder auction (values 1, 2, 4; ρ = 0.3): both libraries, both constraint sets."""
    import mechaudit as ma

    import mechdesign as md

    vals = [1, 2, 4]
    env = md.examples.correlated_auction(vals, n_bidders=2, correlation=0.3)
    joint = env.prior.joint()
    agents = {"b0": vals, "b1": vals}
    prior = ma.JointPrior(agents=list(agents), type_spaces=agents,
                          probabilities={(a, b): float(joint[i, j]) for i, a in enumerate(vals)
                                         for j, b in enumerate(vals)})
    values = ma.PrivateValues(lambda agent, t, o: float(t) if o["winner"] == agent else 0.0)
    peer_env = ma.FiniteEnvironment(agents=agents, outcomes=ma.single_item_outcomes(list(agents)), prior=prior,
                                    values=values)
    print("\ncross-check, correlated auction 2 bidders, values {1,2,4}, correlation 0.3:")
    for ours, theirs in ((["bic", "ir_interim"], [ma.BIC(), ma.InterimIR()]),
                         (["dsic", "ir_ex_post"], [ma.DSIC(), ma.ExPostIR()])):
        peer = peer_env.design(objective=ma.ExpectedRevenue(), requirements=theirs).solve().objective_value
        mine = md.design(env, "revenue", ours).value
        print(f"  {' + '.join(ours):<22} mechdesign {mine:.10f}  mechaudit {peer:.10f}  "
              f"{'agree' if abs(mine - peer) <= 1e-7 else 'DISAGREE'}")



# ------------------------------------------------------------------ table 2: methods that scale
SCALE_DSIC = [(2, 40, 0), (2, 60, 0), (3, 20, 0), (2, 60, 1), (3, 20, 1), (3, 20, 2)]     # (n, K, seed); seed 0 = uniform
SCALE_BIC = [(6, 6, 0), (8, 8, 0), (10, 10, 0), (8, 8, 1), (10, 10, 1), (10, 10, 2)]
TARGETS = {("dsic", 2, 60): 1.0, ("dsic", 3, 20): 5.0, ("bic", 8, 8): 10.0, ("bic", 10, 10): 10.0}
FULL_LP_LIMIT = 50_000      # profiles beyond which no full LP (ours or the peer's) is attempted


def prior_probs(K: int, seed: int) -> list[float]:
    """Uniform for seed 0, else a Dirichlet(2) draw (fixed by the seed), shared by every bidder."""
    import numpy as np

    if seed == 0:
        return [1.0 / K] * K
    return np.random.default_rng(seed).dirichlet(np.full(K, 2.0)).tolist()


def myerson_optimum(values: list[float], probs: list[list[float]]) -> float:
    """E[max(0, max_i φ̄_i(v_i))] for independent bidders, written here independently of mechdesign.

    Discrete Myerson (Elkind 2007): φ̄ are the slopes of the concave hull of the revenue
    curve (q_j, v_j q_j), q_j = P(v ≥ v_j). The expectation uses P(max ≤ x) = Π_i F_i(x)
    over the ironed values' levels, so 10^10 profiles cost nothing.
    """
    import numpy as np

    levels, per_bidder = set(), []
    v = np.asarray(values, float)
    for f in probs:
        f = np.asarray(f, float)
        q = np.append(np.cumsum(f[::-1])[::-1], 0.0)
        R = np.append(v * q[:-1], 0.0)
        hull: list[tuple[float, float]] = []
        for p in sorted(zip(q.tolist(), R.tolist())):
            while len(hull) >= 2 and ((hull[-1][1] - hull[-2][1]) * (p[0] - hull[-2][0])
                                      <= (p[1] - hull[-2][1]) * (hull[-1][0] - hull[-2][0])):
                hull.pop()
            hull.append(p)
        hq, hR = np.array(hull).T
        Rbar = np.interp(q, hq, hR)
        phi = np.where(f > 0, (Rbar[:-1] - Rbar[1:]) / np.where(f > 0, f, 1.0), -np.inf)
        per_bidder.append((phi, f))
        levels.update(np.maximum(phi[f > 0], 0.0).tolist())
    total, below = 0.0, 0.0
    for x in sorted(levels):
        at_most = float(np.prod([f[np.maximum(phi, 0.0) <= x].sum() for phi, f in per_bidder]))
        total += x * (at_most - below)
        below = at_most
    return total


def scale_child(lib: str, kind: str, n: int, K: int, seed: int) -> dict:
    # every library is imported before the clock starts (import times are printed once, separately)
    if lib == "mechaudit":
        import mechaudit  # noqa: F401
    elif lib != "myerson":
        import mechdesign  # noqa: F401
    import numpy  # noqa: F401
    cpu = time.process_time()
    out = _scale_run(lib, kind, n, K, seed)
    out["cpu"] = time.process_time() - cpu          # all threads of this process: less sensitive to machine load
    return out


def _scale_run(lib: str, kind: str, n: int, K: int, seed: int) -> dict:
    start = time.perf_counter()
    values = list(range(1, K + 1))
    probs = prior_probs(K, seed)
    if lib == "myerson":
        value = myerson_optimum(values, [probs] * n)
        return {"total": time.perf_counter() - start, "value": value, "status": "optimal", "verified": True}
    if lib == "mechaudit":
        import mechaudit as ma

        agents = {f"b{i}": values for i in range(n)}
        prior = ma.JointPrior.from_independent({a: dict(zip(values, probs)) for a in agents})
        vals = ma.PrivateValues(lambda agent, t, o: float(t) if o["winner"] == agent else 0.0)
        env = ma.FiniteEnvironment(agents=agents, outcomes=ma.single_item_outcomes(list(agents)), prior=prior,
                                   values=vals)
        reqs = [ma.DSIC(), ma.ExPostIR()] if kind == "dsic" else [ma.BIC(), ma.InterimIR()]
        sol = env.design(objective=ma.ExpectedRevenue(), requirements=reqs).solve()
        return {"total": time.perf_counter() - start, "value": sol.objective_value, "status": "optimal",
                "verified": sol.audit.passed}
    import mechdesign as md

    env = md.examples.single_item_auction(values=values, n_bidders=n, prior=md.IndependentPrior([probs] * n))
    cons = ["dsic", "ir_ex_post"] if kind == "dsic" else ["bic", "ir_interim"]
    if lib == "adjacent":
        return adjacent_baseline(md, env, cons, start)
    res = md.design(env, "revenue", cons, method=lib)
    out = {"total": time.perf_counter() - start, "value": res.value, "status": res.status,
           "verified": res.verification is not None and res.verification.holds}
    for key in ("rounds", "hierarchies_generated", "rows"):
        if key in res.diagnostics:
            out[key] = res.diagnostics[key]
    return out


def adjacent_baseline(md, env, cons, start) -> dict:
    """One LP with the rows that bind in these auctions only, then the audits (no generation loop)."""
    import importlib

    cutting = importlib.import_module("mechdesign.design.cutting")
    solver = importlib.import_module("mechdesign.design.solver")
    highs = importlib.import_module("mechdesign.design.highs")
    model_mod = importlib.import_module("mechdesign.design.model")
    generated = tuple(cons)
    rows = {c: cutting.initial_keys(env, c, generated) for c in generated}
    model, obj, _ = solver.build_model(env, "revenue", list(cons), [], None, False, rows)
    outcome = highs.solve(model.arrays(), {})
    mech = model_mod.mechanism_from_solution(model, outcome.x, None, "baseline")
    verified = md.is_dsic(mech).holds and md.is_ir(mech, "ex_post").holds
    value = obj.value(mech.decision.reshape(env.n_profiles, -1), mech.transfers)
    return {"total": time.perf_counter() - start, "value": value, "status": outcome.status, "verified": verified,
            "rows": model.n_rows}


def import_time(module: str) -> float:
    """Seconds to import ``module`` in a fresh interpreter (median of 3)."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = sorted(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
                   for _ in range(3))
    return times[1]


def scale_measure(lib: str, kind: str, n: int, K: int, seed: int, timeout: float) -> dict:
    try:
        proc = subprocess.run([sys.executable, __file__, "--scale-child", lib, kind, str(n), str(K), str(seed)],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:]}


def _median_run(lib: str, kind: str, n: int, K: int, seed: int, repeats: int, timeout: float) -> dict:
    runs = []
    for _ in range(repeats):
        out = scale_measure(lib, kind, n, K, seed, timeout)
        if "total" not in out:
            return out
        runs.append(out)
    runs.sort(key=lambda r: r["total"])
    best = dict(runs[len(runs) // 2])
    best["times"] = [r["total"] for r in runs]
    return best


def scale_table(peer: str | None, repeats: int, timeout: float) -> None:
    print(f"\nTable 2 — methods that scale (fresh process per run, median of {repeats}, time limit {timeout:g} s; "
          "timed from building the environment to the audited answer, libraries already imported; "
          "ratio = other / ours)")
    imports = [f"mechdesign {import_time('mechdesign'):.2f} s"]
    if peer:
        imports.append(f"mechaudit {import_time('mechaudit'):.2f} s")
    print("import times (not included): " + ", ".join(imports))
    header = (f"{'instance':<20}{'method':<14}{'ours s':>8}{'cpu s':>7}{'optimum':>15}{'Myerson':>8}  {'full LP':<18}"
              f"{'baseline':<35}{'mechaudit':<18}target")
    print(header)
    print("-" * len(header))

    def fmt(other: dict, ours: float) -> str:
        if "timeout" in other:
            return f"> {other['timeout']:g} s"
        if "total" not in other:
            return "error" if "error" in other else other.get("skip", "-")
        return f"{other['total']:.3g} s ({other['total'] / ours:.2g}x)" if ours > 0 else f"{other['total']:.3g} s"

    for kind, cases, method in (("dsic", SCALE_DSIC, "cutting_plane"), ("bic", SCALE_BIC, "reduced_form")):
        for n, K, seed in cases:
            label = f"{n}x{K} {kind.upper()} " + ("uniform" if seed == 0 else f"seed {seed}")
            ours = _median_run(method, kind, n, K, seed, repeats, timeout)
            if "total" not in ours:
                print(f"{label:<22}{method:<14} failed: {ours}")
                continue
            oracle = _median_run("myerson", kind, n, K, seed, repeats, timeout)
            profiles = K ** n
            small = profiles <= FULL_LP_LIMIT
            full = _median_run("full", kind, n, K, seed, repeats, timeout) if small else {"skip": "not tried"}
            base = (_median_run("adjacent", kind, n, K, seed, repeats, timeout) if kind == "dsic" else oracle)
            theirs = (_median_run("mechaudit", kind, n, K, seed, repeats, timeout) if peer and small
                      else {"skip": "not tried" if peer else "absent"})
            agree = abs(ours["value"] - oracle["value"]) <= 1e-6
            for other in (full, theirs):
                if "value" in other and abs(other["value"] - oracle["value"]) > 1e-6:
                    other["skip"] = "WRONG"
                    other.pop("total", None)
            target = TARGETS.get((kind, n, K))
            verdict = "" if target is None else (f"≤ {target:g} s " + ("met" if ours["total"] <= target else "MISSED"))
            base_label = ("binding LP " if kind == "dsic" else "closed form ") + fmt(base, ours["total"])
            if kind == "dsic" and "verified" in base and not base["verified"]:
                base_label = "binding LP fails the audit"
            print(f"{label:<20}{method:<14}{ours['total']:>8.3f}{ours['cpu']:>7.2f}{ours['value']:>15.10f}"
                  f"{'ok' if agree else 'DIFFERS':>8}  {fmt(full, ours['total']):<18}{base_label:<35}"
                  f"{fmt(theirs, ours['total']):<18}{verdict}"
                  + ("" if ours["verified"] else "  VERIFICATION FAILED"))


def child(lib: str, n: int, K: int, kind: str) -> None:
    if lib == "cross-check":
        # own process: HiGHS keeps one thread scheduler per process and mechaudit pins threads=1
        cross_check()
        return
    if lib == "mechaudit":
        out = run_mechaudit(n, K, kind)
    else:
        out = run_mechdesign(n, K, kind, symmetry=lib == "mechdesign-symmetry")
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(out))


def measure(lib: str, n: int, K: int, kind: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", lib, str(n), str(K), kind],
                          capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--scale-child", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--full-only", action="store_true", help="table 1 only")
    parser.add_argument("--scale-only", action="store_true", help="table 2 only")
    parser.add_argument("--repeats", type=int, default=1, help="table 2: runs per (library, instance); median shown")
    parser.add_argument("--timeout", type=float, default=120.0, help="table 2: seconds before a run is stopped")
    parser.add_argument("--peer-all", action="store_true", help="run mechaudit on 6×6 too")
    parser.add_argument("--quick", action="store_true", help="only the three smallest instances")
    parser.add_argument("--symmetry", action="store_true",
                        help="use the exact symmetry reduction (options={'symmetry': True}); default: the full LP")
    args = parser.parse_args()
    if args.child:
        lib, n, K, kind = args.child
        child(lib, int(n), int(K), kind)
        return
    if args.scale_child:
        lib, kind, n, K, seed = args.scale_child
        out = scale_child(lib, kind, int(n), int(K), int(seed))
        out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("RESULT " + json.dumps(out))
        return
    try:
        import mechaudit
        peer = f"mechaudit {mechaudit.__version__}"
    except ImportError:
        peer = None
    import highspy  # noqa: F401  (version in the header)
    if not args.scale_only:
        full_table(args, peer)
    if not args.full_only:
        scale_table(peer, max(1, args.repeats), args.timeout)


def full_table(args, peer: str | None) -> None:
    mode = "exact symmetry reduction on" if args.symmetry else "full LP, the default"
    print(f"mechdesign design benchmark; peer: {peer or 'mechaudit not installed'}")
    print(f"\nTable 1 — {mode} (method='full')")
    header = (f"{'instance':<14}{'build s':>9}{'solve s':>9}{'audit s':>9}{'total s':>9}{'optimum':>16}"
              f"{'peer s':>9}{'speed-up':>9}{'MB':>7}{'peer MB':>9}  agree")
    print(header)
    print("-" * len(header))
    cases = INSTANCES[:3] if args.quick else INSTANCES
    for n, K, kind, expected in cases:
        ours = measure("mechdesign-symmetry" if args.symmetry else "mechdesign", n, K, kind)
        label = f"{n}x{K} {kind.upper()}"
        if "error" in ours:
            print(f"{label:<14} mechdesign failed: {ours['error']}")
            continue
        theirs = None
        if peer and (args.peer_all or n < 6):
            theirs = measure("mechaudit", n, K, kind)
        ratio = peer_s = peer_mb = agree = "-"
        if theirs and "error" not in theirs:
            peer_s = f"{theirs['total']:.2f}"
            ratio = f"{theirs['total'] / ours['total']:.1f}x"
            peer_mb = f"{theirs['peak_mb']:.0f}"
            agree = "yes" if abs(theirs["value"] - ours["value"]) <= 1e-7 else f"NO ({theirs['value']!r})"
        elif theirs:
            peer_s = "error"
        ok = "" if expected is None or abs(ours["value"] - expected) <= 1e-7 else f"  (expected {expected})"
        print(f"{label:<14}{ours['build']:>9.3f}{ours['solve']:>9.3f}{ours['verify']:>9.3f}{ours['total']:>9.3f}{ours['value']:>16.10f}"
              f"{peer_s:>9}{ratio:>9}{ours['peak_mb']:>7.0f}{peer_mb:>9}  {agree}{ok}"
              + ("" if ours["verified"] else "  VERIFICATION FAILED"))
    if peer:
        proc = subprocess.run([sys.executable, __file__, "--child", "cross-check", "0", "0", "-"],
                              capture_output=True, text=True)
        print(proc.stdout.rstrip() or proc.stderr.strip().splitlines()[-1])




if __name__ == "__main__":
    main()
