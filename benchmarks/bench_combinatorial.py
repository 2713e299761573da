"""Benchmark: combinatorial auctions (winner determination, VCG, core payments, LLG equilibria).

Cases (``python benchmarks/bench_combinatorial.py CASE [options]``; CASE = wdp | vcg | core | llg | all):

* ``wdp`` — winner determination on CATS-like instances (``arbitrary``, ``regions``;
  sizes 100 x 500 and 200 x 1,000; ``--seeds`` each): our model on each backend
  (HiGHS, SCIP, CP-SAT; model building included) against SCIP (pyscipopt) and
  OR-Tools CP-SAT used directly (a plain model written with their own APIs, same gap
  and time limit) in the same run. Prints median and worst seconds per solver, the
  statuses, whether every proved optimum agrees, and the ratio of our fastest
  backend's median to the best direct median (target ≤ 1.5); where solves stop at the time
  limit, each solver's welfare found relative to the best found on that instance.
* ``vcg`` — VCG payments: ``auction.payments(rule="vcg")`` (one model re-solved per
  winner, MIP starts, losers skipped) against n + 1 cold solves (a fresh model per
  bidder left out); same payments checked; ratio (target ≥ 2).
* ``core`` — nearest-VCG payments on 20-50 bidders (regions instances cut to the first
  B bidders): seconds, core constraints generated, MILP solves, revenue against VCG.
* ``llg`` — LLG equilibria at 64 x 64, γ = 0.5, SODA's stopping rule (relative utility
  loss 1e-4, entropic dual averaging): our game with the truthful global integrated
  out, our game in SODA's form (the global learns on a grid too), and SODA itself
  when ``--soda PATH`` points to a local checkout (its own dependencies, e.g. tqdm, on
  ``--soda-path-extra``). SODA is run in a subprocess; nothing of it is installed or
  copied. Target: ≥ 10x faster per rule.

Timings are wall-clock on whatever machine runs this; run it on a quiet machine for
figures to quote.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time


import mechdesign as md

C = md.combinatorial
OURS = ("highs", "scip", "cpsat")
DIRECT = ("scip_direct", "cpsat_direct")


# ------------------------------------------------------------------ direct peers
def direct_scip(auc, time_limit: float, gap: float) -> tuple[float, str, float]:
    """SCIP through pyscipopt, written as a user would: one binary per bid, one row per item and bidder."""
    import pyscipopt

    start = time.perf_counter()
    m = pyscipopt.Model()
    m.hideOutput()
    m.setParam("limits/time", time_limit)
    m.setParam("limits/gap", gap)
    x = [m.addVar(vtype="B") for _ in auc.bids]
    by_item: dict[str, list[int]] = {}
    by_bidder: dict[str, list[int]] = {}
    for j, bid in enumerate(auc.bids):
        by_bidder.setdefault(bid.bidder, []).append(j)
        for item in bid.bundle:
            by_item.setdefault(item, []).append(j)
    for group in list(by_item.values()) + list(by_bidder.values()):
        if len(group) > 1:
            m.addCons(pyscipopt.quicksum(x[j] for j in group) <= 1)
    m.setObjective(pyscipopt.quicksum(bid.price * x[j] for j, bid in enumerate(auc.bids)), "maximize")
    m.optimize()
    seconds = time.perf_counter() - start
    welfare = sum(bid.price for j, bid in enumerate(auc.bids) if m.getVal(x[j]) > 0.5) if m.getNSols() else 0.0
    return seconds, {"optimal": "optimal", "gaplimit": "optimal", "timelimit": "time_limit"}.get(m.getStatus(),
                                                                                              m.getStatus()), welfare


def direct_cpsat(auc, time_limit: float, gap: float) -> tuple[float, str, float]:
    """CP-SAT written as a user would: Booleans, at-most-one per item and bidder, prices scaled to integers."""
    from ortools.sat.python import cp_model

    start = time.perf_counter()
    m = cp_model.CpModel()
    x = [m.NewBoolVar(f"x{j}") for j in range(auc.n_bids)]
    by_item: dict[str, list[int]] = {}
    by_bidder: dict[str, list[int]] = {}
    for j, bid in enumerate(auc.bids):
        by_bidder.setdefault(bid.bidder, []).append(j)
        for item in bid.bundle:
            by_item.setdefault(item, []).append(j)
    for group in list(by_item.values()) + list(by_bidder.values()):
        if len(group) > 1:
            m.AddAtMostOne(x[j] for j in group)
    scale = 2.0 ** (40 - math.ceil(math.log2(max(b.price for b in auc.bids))))
    m.Maximize(sum(int(round(bid.price * scale)) * x[j] for j, bid in enumerate(auc.bids)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.relative_gap_limit = gap
    code = solver.Solve(m)
    seconds = time.perf_counter() - start
    name = solver.StatusName(code)
    welfare = sum(bid.price for j, bid in enumerate(auc.bids) if solver.Value(x[j])) if name in ("OPTIMAL", "FEASIBLE") else 0.0
    return seconds, {"OPTIMAL": "optimal", "FEASIBLE": "time_limit"}.get(name, name.lower()), welfare


def ours(auc, backend: str, time_limit: float, gap: float) -> tuple[float, str, float]:
    fresh = C.CombinatorialAuction(auc.items, {b: [(x.bundle, x.price) for x in auc.bids_of(b)] for b in auc.bidders})
    start = time.perf_counter()
    wd = fresh.winners(backend, time_limit=time_limit, mip_gap=gap)
    return time.perf_counter() - start, wd.status, wd.welfare


def bench_wdp(args) -> None:
    print("\n== winner determination (CATS-like, XOR) ==")
    print(f"time limit {args.time_limit:g} s per solve, relative gap {args.gap:g}; seconds include model building")
    for kind in args.kinds:
        for size in args.sizes:
            n_items, n_bids = size
            rows = {s: [] for s in OURS + DIRECT}
            agree = True
            for seed in range(args.seeds):
                auc = C.generate(kind, n_items, n_bids, seed=seed)
                results = {b: ours(auc, b, args.time_limit, args.gap) for b in OURS}
                results["scip_direct"] = direct_scip(auc, args.time_limit, args.gap)
                results["cpsat_direct"] = direct_cpsat(auc, args.time_limit, args.gap)
                optima = [w for _, status, w in results.values() if status == "optimal"]
                if optima and max(optima) - min(optima) > 1e-6 * max(optima):
                    agree = False
                for name, res in results.items():
                    rows[name].append(res)
                line = "  ".join(f"{n}={r[0]:.2f}s/{r[1][:3]}" for n, r in results.items())
                print(f"  {kind} {n_items}x{n_bids} seed {seed}: {line}", flush=True)
            print(f"{kind} {n_items} items x {n_bids} bids, {args.seeds} seeds:")
            med = {}
            for name, res in rows.items():
                times = [r[0] for r in res]
                solved = sum(r[1] == "optimal" for r in res)
                med[name] = statistics.median(times)
                print(f"  {name:13s} median {med[name]:8.3f} s   worst {max(times):8.3f} s   optimal {solved}/{len(res)}")
            # where a solve stopped at the limit its time says nothing more: compare what it had found
            # with the best welfare any solver found on that instance
            limited = [k for k in range(args.seeds) if any(rows[n][k][1] != "optimal" for n in rows)]
            if limited:
                print(f"  instances with a solve at the time limit: {len(limited)}; welfare found / best found there "
                      "(median, worst):")
                for name, res in rows.items():
                    shares = [res[k][2] / max(max(rows[n][k][2] for n in rows), 1e-300) for k in limited]
                    print(f"    {name:13s} {statistics.median(shares):.6f}  {min(shares):.6f}")
            best_ours = min(med[b] for b in OURS)
            best_direct = min(med[b] for b in DIRECT)
            capped = sum(r[1] != "optimal" for res in rows.values() for r in res)
            note = f" ({capped} solves stopped at the time limit: their times are the limit)" if capped else ""
            print(f"  same optima: {'yes' if agree else 'NO'}; our fastest median / best direct median = "
                  f"{best_ours / best_direct:.2f} (target <= 1.5){note}")


# --------------------------------------------------------------------------- VCG
def vcg_cold(auc) -> tuple[dict, float]:
    """n + 1 cold winner determinations: a fresh model for the auction and for each bidder left out."""
    start = time.perf_counter()
    from mechdesign.combinatorial.wdp import solve_wdp

    full = solve_wdp(auc)
    pay = {}
    for bidder in auc.bidders:
        rest = {b: [(x.bundle, x.price) for x in auc.bids_of(b)] for b in auc.bidders if b != bidder}
        without = solve_wdp(C.CombinatorialAuction(auc.items, rest)) if rest else None
        value = full.values[bidder]
        pay[bidder] = max(0.0, value - (full.welfare - (without.welfare if without else 0.0)))
    return pay, time.perf_counter() - start


def bench_vcg(args) -> None:
    print("\n== VCG payments: model reuse + MIP starts vs n + 1 cold solves ==")
    for kind, n_items, n_bids in [("regions", 100, 500), ("arbitrary", 40, 150)]:
        ratios = []
        for seed in range(args.seeds):
            auc = C.generate(kind, n_items, n_bids, seed=seed)
            fresh = C.CombinatorialAuction(auc.items, {b: [(x.bundle, x.price) for x in auc.bids_of(b)]
                                                       for b in auc.bidders})
            start = time.perf_counter()
            pay = fresh.payments(rule="vcg")
            warm = time.perf_counter() - start
            cold_pay, cold = vcg_cold(auc)
            same = all(abs(pay.payments[b] - cold_pay[b]) <= 1e-6 * max(1.0, pay.winners.welfare) for b in auc.bidders)
            ratios.append(cold / warm)
            print(f"  {kind} {n_items}x{n_bids} seed {seed}: {auc.n_bidders} bidders, {len(pay.winners.winners)} "
                  f"winners; ours {warm:.3f} s ({pay.solves} solves), cold {cold:.3f} s ({auc.n_bidders + 1} solves); "
                  f"ratio {cold / warm:.1f}; same payments {'yes' if same else 'NO'}", flush=True)
        print(f"{kind}: median speed-up {statistics.median(ratios):.1f}x (target >= 2)")


# ------------------------------------------------------------------------- core
def first_bidders(auc, count: int):
    keep = auc.bidders[:count]
    return C.CombinatorialAuction(auc.items, {b: [(x.bundle, x.price) for x in auc.bids_of(b)] for b in keep})


def bench_core(args) -> None:
    print("\n== nearest-VCG (core-constraint generation + HiGHS QP) on 20-50 bidders ==")
    for count in (20, 30, 40, 50):
        for seed in range(max(1, args.seeds // 2)):
            base = C.generate("regions", 40, 400, seed=seed)
            auc = first_bidders(base, count)
            start = time.perf_counter()
            pay = auc.payments(rule="nearest_vcg")
            seconds = time.perf_counter() - start
            vcg_rev = sum(pay.vcg.values())
            ok = auc.in_core(pay).holds
            print(f"  {count} bidders ({auc.n_bids} bids, {len(pay.winners.winners)} winners), seed {seed}: "
                  f"{seconds:.3f} s, {pay.core_constraints} core constraints, {pay.solves} MILP solves, revenue "
                  f"{pay.revenue:.2f} vs VCG {vcg_rev:.2f}, in core: {'yes' if ok else 'NO'}", flush=True)


# -------------------------------------------------------------------------- LLG
SODA_SCRIPT = r"""
import json, sys, time
from soda.util.config import Config
rule, gamma, n = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
game_cfg = {"mechanism": "soda.mechanism.llg_auction.LLGAuction", "bidder": ["L", "L", "G"],
            "o_space": {"L": [0.0, 1.0], "G": [0.0, 2.0]}, "a_space": {"L": [0.0, 1.0], "G": [0.0, 2.0]},
            "param_prior": {"distribution": "uniform", "corr": gamma},
            "param_util": {"payment_rule": rule, "tie_breaking": "local"}, "n": n, "m": n}
learner_cfg = {"learner": "soda.learner.dual_averaging.SODA", "max_iter": 1000, "tol": 1e-4,
               "stop_criterion": "util_loss",
               "parameter": {"regularizer": "entropic", "steprule_bool": True, "eta": 50.0, "beta": 0.05}}
cfg = Config(game_cfg, learner_cfg)
t = time.perf_counter(); game, learner = cfg.create_setting(); game.get_utility(); build = time.perf_counter() - t
strategies = cfg.create_strategies(game, "equal")
t = time.perf_counter(); learner.run(game, strategies); learn = time.perf_counter() - t
print(json.dumps({"build": build, "learn": learn, "iterations": learner.iter, "converged": bool(learner.convergence)}))
"""


def run_soda(path: str, extra: list[str], rule: str, gamma: float, n: int, timeout: float) -> dict | None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([path, *extra])
    try:
        out = subprocess.run([sys.executable, "-c", SODA_SCRIPT, rule, str(gamma), str(n)], capture_output=True,
                             text=True, timeout=timeout, env=env, cwd=path, check=True)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:g} s"}
    except subprocess.CalledProcessError as exc:
        return {"error": (exc.stderr or "").strip().splitlines()[-1:] or "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_llg(args) -> None:
    from mechdesign.combinatorial.bayesian import LLG
    from mechdesign.games.learning import learn

    n, gamma = args.grid, args.gamma
    print(f"\n== LLG equilibria: {n} x {n}, gamma {gamma:g}, entropic dual averaging to relative loss 1e-4 ==")
    if args.soda and not os.path.isdir(os.path.join(args.soda, "soda")):
        print(f"  (no SODA checkout at {args.soda}: SODA skipped)")
        args.soda = None
    if not args.soda:
        print("  SODA skipped (give --soda PATH to a local checkout)")
    for rule in ("nearest_vcg", "nearest_zero", "nearest_bid"):
        line = [f"{rule:12s}"]
        times = {}
        for global_bidder in ("truthful", "learn"):
            model = LLG(gamma, rule)
            start = time.perf_counter()
            game = model.game(n, n, global_bidder)
            build = time.perf_counter() - start
            run = learn(game, "dual_averaging", stop="relative_loss", tol=1e-4, polish=False, iterations=1000)
            times[global_bidder] = build + run.elapsed
            line.append(f"ours[{global_bidder}] build {build:.2f} s + learn {run.elapsed:.2f} s "
                        f"({run.iterations} it, {run.status})")
        eq = LLG(gamma, rule).equilibrium(grid=(n, n))
        line.append(f"with continuous certificate {eq.time:.2f} s (loss {eq.evaluation.utility_loss:.1e})")
        if args.soda:
            soda = run_soda(args.soda, args.soda_path_extra, rule, gamma, n, args.soda_timeout)
            if "error" in soda:
                line.append(f"SODA failed: {soda['error']}")
            else:
                total = soda["build"] + soda["learn"]
                line.append(f"SODA build {soda['build']:.2f} s + learn {soda['learn']:.2f} s ({soda['iterations']} it); "
                            f"speed-up {total / times['truthful']:.1f}x (truthful global), "
                            f"{total / times['learn']:.1f}x (SODA's game)")
        print("\n    ".join(line), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", choices=["wdp", "vcg", "core", "llg", "all"], nargs="?", default="all")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--gap", type=float, default=1e-9)
    parser.add_argument("--kinds", default="arbitrary,regions")
    parser.add_argument("--sizes", default="100x500,200x1000")
    parser.add_argument("--grid", type=int, default=64)
    parser.add_argument("--gamma", type=float, default=0.5)
    parser.add_argument("--soda", default=None, help="path to a local SODA checkout (skipped when absent)")
    parser.add_argument("--soda-path-extra", default="", help="extra PYTHONPATH entries for SODA's dependencies")
    parser.add_argument("--soda-timeout", type=float, default=1800.0)
    args = parser.parse_args()
    args.kinds = [k for k in args.kinds.split(",") if k]
    args.sizes = [tuple(int(x) for x in s.split("x")) for s in args.sizes.split(",") if s]
    args.soda_path_extra = [p for p in args.soda_path_extra.split(os.pathsep) if p]
    print(f"mechdesign {md.__version__}; {time.strftime('%Y-%m-%d %H:%M')}; load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    cases = ["wdp", "vcg", "core", "llg"] if args.case == "all" else [args.case]
    for case in cases:
        {"wdp": bench_wdp, "vcg": bench_vcg, "core": bench_core, "llg": bench_llg}[case](args)


if __name__ == "__main__":
    main()
