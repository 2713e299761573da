"""Equilibrium learning on auction grids against SODA (issue 14, benchmark table).

Run: ``python benchmarks/bench_learning_auctions.py [--soda PATH] [--repeat 3] [--plot curves.png]``.

Every case is the discretised game SODA solves (Fichtl, Oberlechner and Bichler): 64 type
cells (midpoints) x 64 bids (both ends included) unless stated, ties lose (SODA's first-price
and all-pay configurations), from a random start, stopping at relative utility loss 1e-4 on
the grid (SODA's criterion). SODA runs its entropic dual averaging with eta = 50,
beta = 0.05 (its configuration); ours is ``mechdesign.auctions.learned.grid_game`` +
``mechdesign.games.learning.learn`` with the library's defaults for the game (entropic dual
averaging with the steps of ``mechdesign.auctions.learned.format_step``: eta = 800 for first
price, 200 for all pay with up to four bidders, SODA's 50 beyond; no zoom, no polishing). The
asymmetric case uses the library's default for asymmetric auctions (Frank-Wolfe with steps
4 / (t + 4), ties
split) and is compared with backward shooting.
"build" is the grid game's construction (SODA: ``Game`` + ``get_utility``), "learn" the
learning run, "CPU" the process time of build + learn (less sensitive than wall time to
other jobs on the machine); each case runs in a fresh process so "peak RSS" is its own
(imports included; "run alloc" is the peak of the allocations made while building and
learning, tracemalloc, in one extra run after the timed ones because tracing slows every
allocation down). The target column compares build + learn wall time.

SODA is academic-licensed: it is never installed or vendored. ``--soda PATH`` points to a
local checkout (its ``soda`` package is put on ``sys.path`` for the child process only; if
``tqdm``, which it imports for its progress bar, is missing, a pass-through stub stands in).
Without ``--soda`` (or when the checkout is absent) its columns read "skipped". SODA's
dense utility tensor has ``m^n`` entries per bidder: cases with ``n > --soda-max-bidders``
(default 3; 4 bidders need about 17 GB) are not run for SODA.

The printout ends with utility loss against time for every run (ours: recorded times;
SODA: its per-iteration loss at the mean time per iteration). Figures depend on the machine
and its load; run it on a quiet machine for the README.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import types as _types

import numpy as np

CASES = {
    "fp2": dict(title="first price, 2 symmetric bidders U[0,1]", fmt="first_price", n=2, grid=64, bids=(0.0, 1.0),
                target=0.02),
    "ap2": dict(title="all pay, 2 bidders", fmt="all_pay", n=2, grid=64, bids=(0.0, 0.7), target=0.02),
    "fp3": dict(title="first price, 3 bidders", fmt="first_price", n=3, grid=64, bids=(0.0, 1.0), target=0.1),
    "ap3": dict(title="all pay, 3 bidders", fmt="all_pay", n=3, grid=64, bids=(0.0, 0.7), target=0.1),
    "fp4": dict(title="first price, 4 bidders", fmt="first_price", n=4, grid=64, bids=(0.0, 1.0), target=0.5,
                memory=300),
    "fp10": dict(title="first price, 10 bidders, 128 x 128", fmt="first_price", n=10, grid=128, bids=(0.0, 1.0),
                 target=1.0),
    "ap10": dict(title="all pay, 10 bidders, 128 x 128", fmt="all_pay", n=10, grid=128, bids=(0.0, 1.0),
                 target=1.0),
    "asym3": dict(title="3 asymmetric bidders U[0,1], U[0,1.5], U[0,2], first price", fmt="first_price", n=3,
                  grid=64, bids=None, target=2.0, highs=(1.0, 1.5, 2.0)),
}
TOL = 1e-4
ITERATIONS = 5000


def _rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _curve(times, losses, points=8):
    """(time, best loss so far) at ``points`` log-spaced times."""
    times, losses = np.asarray(times, float), np.minimum.accumulate(np.asarray(losses, float))
    if times.size == 0:
        return []
    lo, hi = max(times[0], 1e-5), max(times[-1], 1e-5)
    grid = np.unique(np.geomspace(lo, hi, points)) if hi > lo else np.array([hi])
    idx = np.clip(np.searchsorted(times, grid, side="right") - 1, 0, times.size - 1)
    return [(float(times[k]), float(losses[k])) for k in idx]


# --------------------------------------------------------------------------- ours (child process)
def run_ours(key: str, repeat: int) -> dict:
    import tracemalloc

    from scipy import stats

    import mechdesign as md
    from mechdesign.auctions.grid import DistributionalStrategy
    from mechdesign.auctions.learned import grid_game
    from mechdesign.games.learning import learn

    A = md.auctions
    case = CASES[key]
    base_rss = _rss_mib()
    highs = case.get("highs", (1.0,) * case["n"])
    dists = [stats.uniform(0, h) for h in highs]
    cls = {"first_price": A.FirstPrice, "all_pay": A.AllPay}[case["fmt"]]
    auction = cls(dists)
    asym = len(set(highs)) > 1
    method, ties = ("frank_wolfe", "random") if asym else ("dual_averaging", "lose")
    grid = (case["grid"], case["grid"])
    kwargs = dict(iterations=ITERATIONS, tol=TOL, stop="relative_loss", init="random", polish=False)
    from mechdesign.auctions.learned import format_step

    # the library's defaults for these games (see mechdesign.auctions.learned)
    from mechdesign.auctions.learned import FRANK_WOLFE_WEIGHT

    step = {"weight": FRANK_WOLFE_WEIGHT} if asym else format_step(auction)
    # warm-up, reported apart: importing numba and loading the compiled kernels (compiled and
    # cached on disk the first time ever), first calls, on a tiny grid
    w0 = time.perf_counter()
    from mechdesign.games.learning import kernels  # noqa: F401  (what a run imports after 64 iterations)

    learn(grid_game(cls([stats.uniform(0, 1)] * 2), grid=(8, 8), bids=(0, 1)), "dual_averaging", iterations=100,
          tol=0.0, polish=False)
    warmup = time.perf_counter() - w0
    builds, learns, runs, cpus = [], [], [], []
    for r in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        game = grid_game(auction, grid=grid, bids=case["bids"], ties=ties)
        t1 = time.perf_counter()
        run = learn(game, method, seed=r, step=step, **kwargs)
        t2, c2 = time.perf_counter(), time.process_time()
        builds.append(t1 - t0), learns.append(t2 - t1), runs.append(run), cpus.append(c2 - c0)
    # allocations in one more run, apart: tracemalloc slows every allocation down (2-3x here)
    tracemalloc.start()
    learn(grid_game(auction, grid=grid, bids=case["bids"], ties=ties), method, seed=0, step=step, **kwargs)
    alloc = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    k = int(np.argsort(learns)[len(learns) // 2])                   # the median run
    run = runs[k]
    out = {"build": float(np.median(builds)), "learn": float(np.median(learns)), "cpu": float(cpus[k]),
           "learn_min": float(np.min(learns)), "iterations": int(run.iterations), "status": run.status,
           "loss": float(run.loss.max_relative), "epsilon": float(run.epsilon), "rss": _rss_mib(),
           "base_rss": base_rss, "alloc": alloc, "warmup": warmup,
           "curve": _curve(run.history.time, run.history.relative_loss)}
    # certify on the continuum (not timed) and, for the asymmetric case, compare with shooting
    bid_functions = []
    for a, members in enumerate(game.classes):
        ds = DistributionalStrategy(game.types[a], game.action_values(a), run.strategies[a])
        f = ds.monotone_bid_function(auction.distributions[members[0]], ties)
        bid_functions += [(i, f) for i in members]
    bid_functions = [f for _, f in sorted(bid_functions, key=lambda x: x[0])]
    out["continuous_loss"] = float(A.utility_loss(auction, bid_functions).max_relative)
    if asym:
        exact = auction.equilibrium(certify=False)
        step_size = float(np.diff(game.bid_values).max())
        worst = 0.0
        for i, d in enumerate(auction.distributions):
            v = np.linspace(d.low + 0.02 * d.high, d.high * 0.98, 200)
            worst = max(worst, float(np.abs(bid_functions[i](v) - exact[i](v)).max()))
        out["steps_from_shooting"] = worst / step_size
    return out


# --------------------------------------------------------------------------- SODA (child process)
def run_soda(key: str, path: str, repeat: int) -> dict:
    import tracemalloc

    sys.path.insert(0, path)
    try:
        import tqdm  # noqa: F401
    except ImportError:                     # SODA imports tqdm only for its progress bar
        stub = _types.ModuleType("tqdm")
        stub.tqdm = lambda iterable=None, *a, **k: iterable
        sys.modules["tqdm"] = stub
    from soda.game import Game
    from soda.learner.dual_averaging import SODA
    from soda.mechanism.all_pay import AllPayAuction
    from soda.mechanism.single_item import SingleItemAuction
    from soda.strategy import Strategy

    case = CASES[key]
    base_rss = _rss_mib()
    n, g = case["n"], case["grid"]
    lo, hi = case["bids"]
    bidder = ["1"] * n
    o_space, a_space = {"1": [0.0, 1.0]}, {"1": [lo, hi]}
    if case["fmt"] == "first_price":
        mech = SingleItemAuction(bidder, o_space, a_space, {"distribution": "uniform"},
                                 {"payment_rule": "first_price", "tie_breaking": "lose", "utility_type": "QL"})
    else:
        mech = AllPayAuction(bidder, o_space, a_space, {"distribution": "uniform"},
                             {"tie_breaking": "lose", "payment_rule": "first_price", "type": "value"})
    builds, learns, out_runs, cpus = [], [], [], []
    # the timed runs first, then one more under tracemalloc for the allocations (tracing slows
    # every allocation down, so it is kept out of the times, as for ours)
    for r in range(repeat + 1):
        traced = r == repeat
        if traced:
            tracemalloc.start()
        np.random.seed(r % repeat)
        c0, t0 = time.process_time(), time.perf_counter()
        game = Game(mech, g, g)
        game.get_utility()
        t1 = time.perf_counter()
        strategies = {i: Strategy(i, game) for i in game.set_bidder}
        for s in strategies.values():
            s.initialize("random")
        learner = SODA(ITERATIONS, TOL, "util_loss", {"regularizer": "entropic", "steprule_bool": True,
                                                     "eta": 50.0, "beta": 0.05})
        t2 = time.perf_counter()
        learner.run(game, strategies)
        t3, c3 = time.perf_counter(), time.process_time()
        if traced:
            alloc = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            break
        builds.append(t1 - t0), learns.append(t3 - t2), cpus.append(c3 - c0)
        loss = np.asarray(strategies["1"].utility_loss, float)
        its = int(getattr(learner, "iter", loss.size - 1)) + 1
        out_runs.append((its, loss[:its], learner.convergence))
    k = int(np.argsort(learns)[len(learns) // 2])
    its, loss, conv = out_runs[k]
    per = learns[k] / max(its, 1)
    return {"build": float(np.median(builds)), "learn": float(np.median(learns)), "cpu": float(cpus[k]),
            "iterations": its,
            "status": "success" if conv else "iteration_limit", "loss": float(loss[-1]), "rss": _rss_mib(),
            "base_rss": base_rss, "alloc": alloc,
            "curve": _curve(per * (np.arange(its) + 1), loss)}


# --------------------------------------------------------------------------- parent
def _child(args: list[str], timeout: float) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:g} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": tail}


def _fmt_time(x):
    return f"{x * 1e3:8.1f} ms" if x < 1 else f"{x:8.2f} s "


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--soda", default=None, help="path to a local SODA checkout (never installed)")
    parser.add_argument("--soda-max-bidders", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--plot", default=None, help="save the loss-vs-time curves to this image")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--peer", default="ours", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        res = run_ours(args.child, args.repeat) if args.peer == "ours" else run_soda(args.child, args.soda,
                                                                                       args.repeat)
        print(json.dumps(res))
        return 0
    soda_ok = bool(args.soda) and os.path.isdir(os.path.join(args.soda, "soda"))
    if args.soda and not soda_ok:
        print(f"SODA checkout not found at {args.soda}: its columns are skipped")
    keys = [k for k in args.cases.split(",") if k in CASES]
    print(f"grid games solved to relative utility loss {TOL:g} on the grid (random start); median of "
          f"{args.repeat} runs; date {time.strftime('%Y-%m-%d')}; machine: {os.cpu_count()} cores\n")
    header = (f"{'case':<58s} {'ours build':>11s} {'ours learn':>11s} {'ours CPU':>11s} {'its':>5s} {'grid loss':>9s} "
              f"{'cont. loss':>10s} {'peak RSS':>9s} {'run alloc':>9s} {'target':>8s} | {'SODA build':>11s} "
              f"{'SODA learn':>11s} {'SODA CPU':>11s} {'its':>5s} {'peak RSS':>9s} {'speed-up':>8s}")
    print(header)
    print("-" * len(header))
    results = {}
    for key in keys:
        case = CASES[key]
        ours = _child(["--child", key, "--repeat", str(args.repeat)], args.timeout)
        soda = None
        if soda_ok and case["bids"] is not None and case["n"] <= args.soda_max_bidders:
            soda = _child(["--child", key, "--peer", "soda", "--soda", args.soda, "--repeat", str(args.repeat)],
                          args.timeout)
        results[key] = (ours, soda)
        if "error" in ours:
            print(f"{case['title']:<58s} ours failed: {ours['error']}")
            continue
        total = ours["build"] + ours["learn"]
        ok = "ok" if total <= case["target"] else "MISSED"
        mem = f"{ours['rss']:7.0f} M" + ("" if "memory" not in case else f" (≤{case['memory']})")
        line = (f"{case['title']:<58s} {_fmt_time(ours['build'])} {_fmt_time(ours['learn'])} {_fmt_time(ours['cpu'])} "
                f"{ours['iterations']:5d} "
                f"{ours['loss']:9.1e} {ours['continuous_loss']:10.1e} {mem:>9s} {ours['alloc']:7.1f} M "
                f"{case['target']:5.2f} s {ok}")
        if soda is None:
            line += " | " + ("skipped (m^n tensor)" if soda_ok else "skipped")
        elif "error" in soda:
            line += f" | SODA failed: {soda['error']}"
        else:
            st = soda["build"] + soda["learn"]
            line += (f" | {_fmt_time(soda['build'])} {_fmt_time(soda['learn'])} {_fmt_time(soda['cpu'])} "
                     f"{soda['iterations']:5d} "
                     f"{soda['rss']:7.0f} M {st / total:7.1f}x")
        print(line)
        print(f"{'':<58s} once per process before these runs: numba import, kernels, first calls "
              f"{ours['warmup']:.2f} s")
        if "steps_from_shooting" in ours:
            print(f"{'':<58s} bids vs backward shooting: max {ours['steps_from_shooting']:.2f} grid steps")
    print("\nrelative utility loss on the grid against time (best so far):")
    for key, (ours, soda) in results.items():
        for name, res in (("ours", ours), ("SODA", soda)):
            if res and "curve" in res:
                pts = "  ".join(f"{t * 1e3:.1f} ms: {v:.1e}" for t, v in res["curve"])
                print(f"  {key:<6s} {name:<5s} {pts}")
    if args.plot:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(7, 4.5))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        for key, (ours, soda) in results.items():
            for name, res, style in (("ours", ours, "-"), ("SODA", soda, "--")):
                if res and "curve" in res and res["curve"]:
                    t, v = zip(*res["curve"])
                    ax.loglog(t, v, style, label=f"{key} {name}")
        ax.set_xlabel("time [s]")
        ax.set_ylabel("relative utility loss (grid)")
        ax.legend(fontsize="x-small", ncol=2)
        fig.savefig(args.plot, dpi=110)
        print(f"curves saved to {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
