"""Benchmark: one Bayes–Nash equilibrium of random 2-player Bayesian games, ours against peers.

Instances: k types and m = k actions per player, independent uniform prior,
standard normal payoffs (``make_game(k, seed)``, seeds 0, 1, ...).

Every solver is timed the same way, end to end: from the ``BayesianGame``
object to a verified equilibrium (``md.verify_bne`` inside the timing for the
peers; ours verifies inside ``solve_bne``). Each (solver, size, seed) runs in a
fresh process with a wall-clock cap (``--timeout``); the process first solves
a 3 × 3 warm-up game with the same solver (imports done, compiled code loaded:
warm for all), then times runs, each on a freshly built game object, until
``--min-time`` seconds are spent or ``--repeats`` runs are done (the same rule
for every solver), and reports their median. Runs are interleaved: for each size and
seed the solvers run one after the other, in an order that rotates with the
seed. The parent re-verifies every returned profile, outside the timing.

Solvers (``--solvers``):

* ``ours``         ``md.solve_bne(game, method="lcp")``;
* ``qe_uniform``   ``quantecon.optimize.lcp_lemke`` on our sequence-form LCP
                   (built by us, inside its timing) with the tracing covering
                   vector of the uniform prior;
* ``qe_ones``      the same with its default covering vector (all ones);
* ``gambit_tree``  ``pygambit.nash.lcp_solve(rational=False)`` on the Harsanyi
                   tree (``md.to_gambit``; building the tree is timed);
* ``gambit_nfg``   the same with ``use_strategic=True, stop_after=1`` (its
                   reduced strategic form);
* ``qe_lh``        ``quantecon.game_theory.lemke_howson`` on the ex-ante strategic
                   form (m^k pure strategies per player; built inside the timing);
* ``nashpy_lh``    ``nashpy.Game(A, B).lemke_howson(0)`` on the strategic form.

The strategic-form solvers run only where the form has at most
``--max-strategic`` cells (default 10^6, i.e. k ≤ 4 here). A solver that times
out on ``--drop-after`` seeds of a size is not run at larger sizes (reported
as dropped). For every size the script prints each solver's median and worst
time over the seeds and the ratios of ours to the best peer's median and to
the best peer's worst, and checks the targets of issue 16 (our median ≤ the
best peer's median, our worst ≤ 1.5 × the best peer's worst, every epsilon
≤ 1e-9).

Run (the full comparison; see ``docs/games.md`` for its duration)::

    python benchmarks/bench_bne.py --sizes 2 3 4 5 6 7 8 9 10 12 14 16 18 20 --seeds 10
    python benchmarks/bench_bne.py --sizes 30 --seeds 10 --solvers ours --timeout 600

``--paths`` instead prints, per size, the length of the tracing path from
each prior of ``start="tracing"`` (the data behind its schedule), the cost of a
pivot in the numpy and compiled loops and of a regret-matching iteration::

    python benchmarks/bench_bne.py --paths --sizes 4 8 12 16 20 --seeds 10
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time

import numpy as np

import mechdesign as md

SOLVERS = ("ours", "qe_uniform", "qe_ones", "gambit_tree", "gambit_nfg", "qe_lh", "nashpy_lh")
STRATEGIC = ("gambit_nfg", "qe_lh", "nashpy_lh")
TARGET_EPSILON = 1e-9


def make_game(k: int, seed: int, n_players: int = 2) -> md.BayesianGame:
    rng = np.random.default_rng(seed)
    shape = (k,) * n_players * 2 + (n_players,)
    return md.BayesianGame.from_arrays(prior=md.IndependentPrior([np.full(k, 1.0 / k)] * n_players),
                                       payoffs=rng.normal(size=shape))


# ------------------------------------------------------------------ the solvers (game -> strategies)
def solve_ours(game: md.BayesianGame) -> tuple[list[np.ndarray] | None, float | None, str]:
    result = md.solve_bne(game, method="lcp", options={"max_pivots": 10**9})
    if not result.equilibria:
        return None, None, result.message
    eq = result.equilibria[0]
    return list(eq.mixed()), eq.epsilon, result.message


def _our_lcp(game: md.BayesianGame):
    from mechdesign.games import lemke_jit
    from mechdesign.games.interim import two_player_arrays

    u1, u2, b1, b2, _ = two_player_arrays(game)
    M, q = lemke_jit.bayesian_lcp(u1, u2, b1, b2)
    return u1.shape, M, q


def _read_lcp(shape, z) -> list[np.ndarray]:
    k1, k2, m1, m2 = shape
    x = z[:k1 * m1].reshape(k1, m1)
    y = z[k1 * m1:k1 * m1 + k2 * m2].reshape(k2, m2)
    return [x / x.sum(axis=1, keepdims=True), y / y.sum(axis=1, keepdims=True)]


def solve_qe(game: md.BayesianGame, covering: str):
    from quantecon.optimize import lcp_lemke

    from mechdesign.games.lemke import tracing_covering
    from mechdesign.games.priors import uniform_prior

    shape, M, q = _our_lcp(game)
    d = tracing_covering(M, uniform_prior(*shape)) if covering == "uniform" else None
    result = lcp_lemke(M, q, d=d, max_iter=10**9)
    if not result.success:
        return None, None, f"lcp_lemke status {result.status} after {result.num_iter} pivots"
    return _read_lcp(shape, result.z), None, f"{result.num_iter} pivots"


def solve_gambit(game: md.BayesianGame, strategic: bool):
    import pygambit as gbt

    from mechdesign.games.gambit import _tree

    g, infosets = _tree(game, gbt, "bench")
    if strategic:
        result = gbt.nash.lcp_solve(g, rational=False, use_strategic=True, stop_after=1)
    else:
        result = gbt.nash.lcp_solve(g, rational=False)
    if not result.equilibria:
        return None, None, "no equilibrium returned"
    profile = result.equilibria[0]
    if isinstance(profile, gbt.MixedStrategyProfile):
        profile = profile.as_behavior()
    return [np.array([[float(profile[a]) for a in infosets[i][t].actions] for t in range(game.n_types[i])])
            for i in range(2)], None, f"pygambit {gbt.__version__}"


def strategic_form(game: md.BayesianGame):
    """Ex-ante payoff matrices over pure strategies (type -> action maps) and the one-hot maps."""
    from mechdesign.games.interim import two_player_arrays

    u1, u2, b1, b2, _ = two_player_arrays(game)
    k1, k2, m1, m2 = u1.shape
    joint = np.asarray(game.prior.joint())
    maps = []
    for k, m in ((k1, m1), (k2, m2)):
        codes = np.arange(m ** k)
        onehot = np.zeros((m ** k, k, m))
        for t in range(k):
            onehot[codes, t, (codes // m ** (k - 1 - t)) % m] = 1.0
        maps.append(onehot.reshape(m ** k, k * m))
    J1 = (joint[:, :, None, None] * u1).transpose(0, 2, 1, 3).reshape(k1 * m1, k2 * m2)
    J2 = (joint[:, :, None, None] * u2).transpose(0, 2, 1, 3).reshape(k1 * m1, k2 * m2)
    X, Y = maps
    return X @ J1 @ Y.T, X @ J2 @ Y.T, X, Y, (k1, k2, m1, m2)


def _behaviour(X, Y, sigma_1, sigma_2, shape):
    """Behaviour strategies of a mixed strategic profile (Kuhn: the marginal per type)."""
    k1, k2, m1, m2 = shape
    return [(X.T @ sigma_1).reshape(k1, m1), (Y.T @ sigma_2).reshape(k2, m2)]


def solve_qe_lh(game: md.BayesianGame):
    from quantecon.game_theory import NormalFormGame, Player, lemke_howson

    A, B, X, Y, shape = strategic_form(game)
    g = NormalFormGame([Player(A), Player(B.T)])
    sigma_1, sigma_2 = lemke_howson(g, max_iter=10**9)
    return _behaviour(X, Y, sigma_1, sigma_2, shape), None, f"strategic form {A.shape[0]} x {A.shape[1]}"


def solve_nashpy(game: md.BayesianGame):
    import nashpy

    A, B, X, Y, shape = strategic_form(game)
    sigma_1, sigma_2 = nashpy.Game(A, B).lemke_howson(initial_dropped_label=0)
    if np.any(np.isnan(sigma_1)) or np.any(np.isnan(sigma_2)):
        return None, None, "nashpy returned nan"
    return _behaviour(X, Y, sigma_1, sigma_2, shape), None, f"strategic form {A.shape[0]} x {A.shape[1]}"


def solve(solver: str, game: md.BayesianGame):
    """Strategies (verified inside the timing) of one solver on one game: (strategies, epsilon, note)."""
    if solver == "ours":
        return solve_ours(game)
    if solver in ("qe_uniform", "qe_ones"):
        found = solve_qe(game, solver[3:])
    elif solver in ("gambit_tree", "gambit_nfg"):
        found = solve_gambit(game, solver == "gambit_nfg")
    elif solver == "qe_lh":
        found = solve_qe_lh(game)
    elif solver == "nashpy_lh":
        found = solve_nashpy(game)
    else:
        raise ValueError(solver)
    strategies, _, note = found
    if strategies is None:
        return None, None, note
    return strategies, md.verify_bne(game, strategies).epsilon, note


def worker(solver: str, k: int, seed: int, repeats: int, min_time: float) -> None:
    """Warm up on a 3 x 3 game, then time end-to-end runs; print one JSON line.

    Runs until ``min_time`` seconds are spent or ``repeats`` runs are done (at least one).
    """
    solve(solver, make_game(3, 10**6 + seed))
    seconds: list[float] = []
    found = None
    while not seconds or (len(seconds) < repeats and sum(seconds) < min_time):
        game = make_game(k, seed)
        start = time.perf_counter()
        found = solve(solver, game)
        seconds.append(time.perf_counter() - start)
    strategies, epsilon, note = found
    print(json.dumps({"seconds": float(np.median(seconds)), "runs": seconds, "epsilon": epsilon, "note": note,
                      "strategies": None if strategies is None else [np.asarray(s).tolist() for s in strategies]}))


# ------------------------------------------------------------------ the driver
def run(solver: str, k: int, seed: int, timeout: float, repeats: int, min_time: float) -> dict:
    try:
        out = subprocess.run([sys.executable, __file__, "--worker", solver, str(k), str(seed), str(repeats),
                              str(min_time)],
                             capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "seconds": math.inf}
    except subprocess.CalledProcessError as exc:
        return {"status": "error", "seconds": math.inf, "note": " ".join(exc.stderr.strip().splitlines()[-1:])}
    data = json.loads(out.stdout.strip().splitlines()[-1])
    if data["strategies"] is None:
        return {"status": "no equilibrium", "seconds": math.inf, "note": data["note"]}
    eps = md.verify_bne(make_game(k, seed), [np.array(s) for s in data["strategies"]]).epsilon
    status = "ok" if eps <= TARGET_EPSILON else "inexact"
    return {"status": status, "seconds": data["seconds"], "epsilon": eps, "note": data["note"]}


def fits(solver: str, k: int, max_cells: int) -> bool:
    return solver not in STRATEGIC or (k ** k) ** 2 <= max_cells


def fmt_seconds(s: float) -> str:
    if not math.isfinite(s):
        return "-"
    return f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.2f} s"


def compare(args: argparse.Namespace) -> None:
    solvers = [s for s in SOLVERS if s in args.solvers]
    print(f"mechdesign {md.__version__}; 2-player random Bayesian games, k types = m actions; timeout "
          f"{args.timeout:.0f} s per process; per run the median of warm runs (up to {args.repeats}, until "
          f"{args.min_time} s are spent); {args.seeds} seed(s) per size", flush=True)
    dropped: dict[str, int] = {}
    record = []
    ok_all = True
    for k in args.sizes:
        results: dict[str, list[dict]] = {s: [] for s in solvers}
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            shift = seed % len(solvers)
            for solver in solvers[shift:] + solvers[:shift]:
                if solver in dropped or not fits(solver, k, args.max_strategic):
                    continue
                results[solver].append(run(solver, k, seed, args.timeout, args.repeats, args.min_time))
            for solver in solvers:
                timeouts = sum(r["status"] == "timeout" for r in results[solver])
                if solver != "ours" and solver not in dropped and timeouts >= args.drop_after:
                    dropped[solver] = k
        print(f"\nk = m = {k} (LCP size {2 * k * k + 2 * k})", flush=True)
        print(f"  {'solver':<12} {'median':>11} {'worst':>11} {'max eps':>9}  failures")
        summary = {}
        for solver in solvers:
            rs = results[solver]
            if not rs:
                why = f"dropped after timeouts at k = {dropped[solver]}" if solver in dropped and dropped[solver] < k \
                    else "strategic form too large"
                print(f"  {solver:<12} {why}")
                continue
            secs = np.array([r["seconds"] for r in rs])
            eps = [r["epsilon"] for r in rs if "epsilon" in r]
            fails = [r["status"] for r in rs if r["status"] != "ok"]
            summary[solver] = (float(np.median(secs)), float(secs.max()), max(eps) if eps else math.nan, fails)
            med, worst = summary[solver][:2]
            print(f"  {solver:<12} {fmt_seconds(med):>11} {fmt_seconds(worst):>11} "
                  f"{(max(eps) if eps else math.nan):>9.1e}  {', '.join(sorted(set(fails))) or '-'}"
                  f"{f' ({len(fails)})' if fails else ''}")
        record.append({"k": k, "results": {s: results[s] for s in solvers}})
        if "ours" not in summary:
            continue
        peers = {s: v for s, v in summary.items() if s != "ours"}
        our_med, our_worst, our_eps, our_fails = summary["ours"]
        if peers:
            best_med = min(v[0] for v in peers.values())
            best_worst = min(v[1] for v in peers.values())
            med_ok = our_med <= best_med
            worst_ok = our_worst <= 1.5 * best_worst
            r_med = our_med / best_med if math.isfinite(best_med) else 0.0
            r_worst = our_worst / best_worst if math.isfinite(best_worst) else 0.0
            print(f"  ours / best peer: median {r_med:.2f}x (target <= 1), worst {r_worst:.2f}x (target <= 1.5)"
                  f"{'' if math.isfinite(best_worst) else ' (every peer failed on some seed)'}"
                  f" -> {'ok' if med_ok and worst_ok else 'MISSED'}", flush=True)
            ok_all &= med_ok and worst_ok
        eps_ok = not our_fails and our_eps <= TARGET_EPSILON
        ok_all &= eps_ok
        if not eps_ok:
            print(f"  ours: failures {our_fails}, max eps {our_eps:.1e} -> MISSED")
    print(f"\nall targets met: {ok_all}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(record, handle, default=str)


def path_lengths(k: int, seeds: range, cap: int) -> None:
    """Per prior of start='tracing', pivots to the end of one path (or the cap); costs per pivot and iteration."""
    from mechdesign.games.interim import two_player_arrays
    from mechdesign.games.lcp import TRACING_PRIORS
    from mechdesign.games.lemke import KernelLemke, bayesian_lcp, tracing_covering
    from mechdesign.games.priors import RegretMatching, interim_matrices, uniform_prior

    checkpoints = tuple(c for c in TRACING_PRIORS if not isinstance(c, str))
    names = [p if isinstance(p, str) else f"rm {p}" for p in TRACING_PRIORS]
    print(f"\ntracing paths, {k} x {k} (LCP size {2 * k * k + 2 * k}), pivots to the end of one path from each "
          f"prior of start='tracing' in start order (cap {cap:,}); 'race': pivots solve_bne spent racing them")
    print(f"{'seed':>4} | " + " | ".join(f"{n:>9}" for n in names) + f" | {'shortest':>9} | {'race':>9}")
    lengths = []
    for seed in seeds:
        game = make_game(k, seed)
        u1, u2, b1, b2, _ = two_player_arrays(game)
        M, q = bayesian_lcp(u1, u2, b1, b2)
        regret = RegretMatching(*interim_matrices(u1, u2, b1, b2), k, k, keep=checkpoints)
        row = []
        for prior in TRACING_PRIORS:
            s0 = uniform_prior(k, k, k, k) if prior == "uniform" else regret.average(int(prior))
            path = KernelLemke(M, q, tracing_covering(M, s0))
            status = path.advance(cap)
            row.append(path.pivots if status == "success" else math.inf)
        message = md.solve_bne(game, method="lcp", options={"max_pivots": 10**9}).message
        race = int(message.split(" pivots")[0].split()[-1])
        lengths.append(row + [min(row), race])
        cells = [f"{p:>9,}" if math.isfinite(p) else f"{'> cap':>9}" for p in row + [min(row)]]
        print(f"{seed:>4} | " + " | ".join(cells) + f" | {race:>9,}", flush=True)
    medians = np.median(np.array(lengths, dtype=float), axis=0)
    print(f"{'med.':>4} | " + " | ".join(f"{m:>9,.0f}" if math.isfinite(m) else f"{'> cap':>9}" for m in medians))
    u1, u2, b1, b2, _ = two_player_arrays(make_game(k, 0))
    M, q = bayesian_lcp(u1, u2, b1, b2)
    d = tracing_covering(M, uniform_prior(k, k, k, k))
    costs = []
    for compiled_after in (10**12, 0):
        KernelLemke(M, q, d, compiled_after=compiled_after).advance(3)          # load the compiled code
        path = KernelLemke(M, q, d, compiled_after=compiled_after)
        start = time.perf_counter()
        path.advance(2_000 if compiled_after else 20_000)
        costs.append((time.perf_counter() - start) / max(1, path.pivots) * 1e6)
    regret = RegretMatching(*interim_matrices(u1, u2, b1, b2), k, k)
    regret.average(1)
    start = time.perf_counter()
    regret.average(501)
    per_iteration = (time.perf_counter() - start) / 500 * 1e6
    print(f"seed 0, from the uniform prior: {costs[0]:.1f} us per pivot in the numpy loop, {costs[1]:.1f} us "
          f"in the compiled loop; regret matching {per_iteration:.1f} us per iteration")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 20])
    parser.add_argument("--seeds", type=int, default=10, help="instances per size")
    parser.add_argument("--first-seed", type=int, default=0, help="first instance seed")
    parser.add_argument("--solvers", nargs="+", default=list(SOLVERS), choices=SOLVERS)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per process (warm-up included)")
    parser.add_argument("--repeats", type=int, default=20,
                        help="at most this many timed runs per process (median reported) ...")
    parser.add_argument("--min-time", type=float, default=0.5,
                        help="... and no more once their total reaches this many seconds (at least one run)")
    parser.add_argument("--drop-after", type=int, default=3,
                        help="a peer timing out on this many seeds of a size is not run at larger sizes")
    parser.add_argument("--max-strategic", type=int, default=10**6, help="largest strategic form (cells)")
    parser.add_argument("--json", help="also write every run to this file")
    parser.add_argument("--paths", action="store_true", help="path length per prior, costs per pivot")
    parser.add_argument("--cap", type=int, default=1_000_000, help="pivot cap of one path with --paths")
    parser.add_argument("--pure", action="store_true", help="also time 'pure' on 3-player 4 x 4 games")
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), int(args.worker[2]), int(args.worker[3]), float(args.worker[4]))
        return
    if args.paths:
        for k in args.sizes:
            path_lengths(k, range(args.first_seed, args.first_seed + args.seeds), args.cap)
        return
    compare(args)
    if args.pure:
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
