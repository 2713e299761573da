"""Benchmark: Bayes–Nash equilibria of random 2-player Bayesian games, ours vs pygambit.

Instances: k types and m = k actions per player, independent uniform prior,
standard normal payoffs (seeded). Each solver runs in its own subprocess with
a wall-clock cap (``--timeout``, default 120 s); a run past the cap is reported
as "timeout".

* ours:   ``md.solve_bne(game, method="lcp")`` (Lemke on the sequence-form LCP);
* peer:   ``pygambit.nash.lcp_solve(g, rational=False)`` on the Harsanyi extensive
          form built with ``Game.new_tree`` (a chance move draws the type profile,
          one information set per player-type), i.e. ``md.to_gambit(game)``.
          Only the solve is timed, not the tree construction.

Every equilibrium returned is verified with ``md.verify_bne`` (epsilon). Also
times ``method="pure"`` (all pure BNE) on 3-player games, 4 types × 4 actions.

Run: ``python benchmarks/bench_bne.py [--sizes 4 6 8 10 20] [--timeout 120]``

``--paths`` instead prints, per instance, the length of one tracing path from
each prior (uniform; regret matching with 1,000 and 10,000 iterations), and the
cost of a pivot in the numpy loop and in the compiled loop of ``lemke_jit``:
``python benchmarks/bench_bne.py --paths --sizes 20 --seeds 3``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np

import mechdesign as md


def make_game(k: int, seed: int, n_players: int = 2) -> md.BayesianGame:
    rng = np.random.default_rng(seed)
    shape = (k,) * n_players * 2 + (n_players,)
    return md.BayesianGame.from_arrays(prior=md.IndependentPrior([np.full(k, 1.0 / k)] * n_players),
                                       payoffs=rng.normal(size=shape))


def worker(solver: str, k: int, seed: int) -> None:
    """Solve one instance and print a JSON line: seconds and strategies (or none)."""
    game = make_game(k, seed)
    if solver == "ours":
        start = time.perf_counter()
        result = md.solve_bne(game, method="lcp", options={"max_pivots": 10**8})
        seconds = time.perf_counter() - start
        strategies = [s.tolist() for s in result.equilibria[0].mixed()] if result.equilibria else None
        print(json.dumps({"seconds": seconds, "strategies": strategies, "note": result.message}))
        return
    import pygambit as gbt

    g = md.to_gambit(game)
    start = time.perf_counter()
    result = gbt.nash.lcp_solve(g, rational=False)
    seconds = time.perf_counter() - start
    strategies = None
    if result.equilibria:
        profile = result.equilibria[0]
        strategies = [[[float(profile[a]) for a in inf.actions] for inf in p.infosets] for p in g.players]
    print(json.dumps({"seconds": seconds, "strategies": strategies, "note": f"pygambit {gbt.__version__}"}))


def run(solver: str, k: int, seed: int, timeout: float) -> dict:
    try:
        out = subprocess.run([sys.executable, __file__, "--worker", solver, str(k), str(seed)],
                             capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "seconds": timeout}
    except subprocess.CalledProcessError as exc:
        return {"status": "error", "seconds": float("nan"), "note": exc.stderr.strip().splitlines()[-1:]}
    data = json.loads(out.stdout.strip().splitlines()[-1])
    if data["strategies"] is None:
        return {"status": "no equilibrium", "seconds": data["seconds"]}
    game = make_game(k, seed)
    eps = md.verify_bne(game, [np.array(s) for s in data["strategies"]]).epsilon
    return {"status": "ok", "seconds": data["seconds"], "epsilon": eps}


def fmt(r: dict) -> str:
    if r["status"] == "skipped":
        return "skipped"
    if r["status"] == "ok":
        return f"{r['seconds']:8.3f} s  eps {r['epsilon']:.1e}"
    if r["status"] == "timeout":
        return f"  > {r['seconds']:.0f} s  (timeout)"
    return f"{r['seconds']:8.3f} s  ({r['status']})"


def path_lengths(k: int, seeds: range, cap: int) -> None:
    """One tracing path per prior, pivots to its end (or the cap), and the seconds per pivot of both loops."""
    from threadpoolctl import threadpool_limits

    from mechdesign.games.equilibrium import two_player_arrays
    from mechdesign.games.lemke import KernelLemke, bayesian_lcp, regret_matching_prior, tracing_covering

    print(f"tracing paths, {k} x {k}, pivots to the end of one path (cap {cap:,})")
    print(f"{'seed':>4} | {'uniform':>12} | {'regret m. 1,000':>16} | {'regret m. 10,000':>17}")
    for seed in seeds:
        u1, u2, b1, b2, _ = two_player_arrays(make_game(k, seed))
        M, q = bayesian_lcp(u1, u2, b1, b2)
        priors = [np.full(2 * k * k, 1.0 / k), regret_matching_prior(u1, u2, b1, b2, 1_000),
                  regret_matching_prior(u1, u2, b1, b2, 10_000)]
        cells = []
        for prior in priors:
            path = KernelLemke(M, q, tracing_covering(M, prior))
            with threadpool_limits(limits=1, user_api="blas"):
                status = path.advance(cap)
            cells.append(f"{path.pivots:,}" if status == "success" else f"> {cap:,}")
        print(f"{seed:>4} | {cells[0]:>12} | {cells[1]:>16} | {cells[2]:>17}", flush=True)
    u1, u2, b1, b2, _ = two_player_arrays(make_game(k, 0))
    M, q = bayesian_lcp(u1, u2, b1, b2)
    d = tracing_covering(M, np.full(2 * k * k, 1.0 / k))
    costs = []
    with threadpool_limits(limits=1, user_api="blas"):
        KernelLemke(M, q, d, compiled_after=0).advance(10)          # load (or compile) the compiled loop
        for compiled_after in (10**9, 0):
            path = KernelLemke(M, q, d, compiled_after=compiled_after)
            path.advance(5_000)                                        # past the start, where K is small
            first, start = path.pivots, time.perf_counter()
            path.advance(20_000)
            if path.pivots - first < 1_000:
                print("seconds per pivot: the paths are too short to measure")
                return
            costs.append((time.perf_counter() - start) / (path.pivots - first) * 1e6)
    print(f"seconds per pivot on seed 0 (pivots 5,000-25,000 from the uniform prior): numpy loop "
          f"{costs[0]:.1f} us, compiled loop {costs[1]:.1f} us ({costs[0] / costs[1]:.1f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 6, 8, 10, 20])
    parser.add_argument("--seeds", type=int, default=1, help="instances per size")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--skip-peer", action="store_true", help="time ours only (no pygambit runs)")
    parser.add_argument("--paths", action="store_true", help="path length per prior and cost per pivot")
    parser.add_argument("--cap", type=int, default=1_000_000, help="pivot cap of one path with --paths")
    parser.add_argument("--first-seed", type=int, default=0, help="first instance seed")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), int(args.worker[2]))
        return
    if args.paths:
        for k in args.sizes:
            path_lengths(k, range(args.first_seed, args.first_seed + args.seeds), args.cap)
        return
    print(f"mechdesign {md.__version__}; 2-player random Bayesian games, k types = m actions, "
          f"timeout {args.timeout:.0f} s per run")
    print(f"{'k=m':>4} {'seed':>4} | {'ours (lcp)':>26} | {'pygambit lcp_solve':>26} | ratio")
    for k in args.sizes:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            ours = run("ours", k, seed, args.timeout)
            peer = {"status": "skipped"} if args.skip_peer else run("gambit", k, seed, args.timeout)
            ratio = ""
            if ours["status"] == "ok" and peer["status"] in ("ok", "timeout", "no equilibrium"):
                bound = ">" if peer["status"] == "timeout" else ""
                ratio = f"{bound}{peer['seconds'] / max(ours['seconds'], 1e-9):.1f}x"
            print(f"{k:>4} {seed:>4} | {fmt(ours):>26} | {fmt(peer):>26} | {ratio}", flush=True)
    print("\n'pure' (all pure BNE) on 3-player games, 4 types x 4 actions each:")
    for seed in range(3):
        game = make_game(4, seed, n_players=3)
        start = time.perf_counter()
        result = md.solve_bne(game, method="pure")
        seconds = time.perf_counter() - start
        print(f"  seed {seed}: {len(result.equilibria)} pure BNE in {seconds:.3f} s, "
              f"max eps {result.max_epsilon:.1e} ({result.message})", flush=True)


if __name__ == "__main__":
    main()
