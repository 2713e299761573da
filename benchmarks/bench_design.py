"""Benchmark: revenue-optimal auctions by LP, mechdesign vs the peer library mechaudit (issue 7).

Instances: n bidders with i.i.d. values uniform on {1..K}; alternatives = who gets
the item, or nobody. DSIC + ex-post IR, or BIC + interim IR. Each (library,
instance) runs in a fresh subprocess so that peak memory (max RSS) is its own.

    python benchmarks/bench_design.py            # all instances; mechaudit skips 6×6 (minutes)
    python benchmarks/bench_design.py --peer-all # also run mechaudit on 6×6
    python benchmarks/bench_design.py --quick    # the three small instances only
    python benchmarks/bench_design.py --symmetry # with the opt-in exact symmetry reduction

Prints, per instance: our build time (environment + LP assembly), solve time,
audit time (re-verification of the optimum) and total; the optimum; mechaudit's
total (build + solve, its solve includes its own audit) and the ratio to ours;
both peak memories; and whether the optima agree within 1e-7.
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
    res = md.design(env, "revenue", cons, options={"symmetry": symmetry})
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
    parser.add_argument("--peer-all", action="store_true", help="run mechaudit on 6×6 too")
    parser.add_argument("--quick", action="store_true", help="only the three smallest instances")
    parser.add_argument("--symmetry", action="store_true",
                        help="use the exact symmetry reduction (options={'symmetry': True}); default: the full LP")
    args = parser.parse_args()
    if args.child:
        lib, n, K, kind = args.child
        child(lib, int(n), int(K), kind)
        return
    try:
        import mechaudit
        peer = f"mechaudit {mechaudit.__version__}"
    except ImportError:
        peer = None
    import highspy  # noqa: F401  (version in the header)
    mode = "exact symmetry reduction on" if args.symmetry else "full LP, the default"
    print(f"mechdesign design benchmark ({mode}); peer: {peer or 'mechaudit not installed'}")
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
