"""Benchmark: equilibrium learning and the pruned pure search on finite n-player games.

Cases (every run in its own subprocess with a wall-clock cap, ``--timeout``):

1. The 3-bidder discrete first-price auction of issue 14 (values 0..3 uniform,
   bids 0..5, ties split): ``solve_bne`` with each learning method (time to a
   verified BNE, its epsilon) and ``method="pure"`` with the pruned search
   against the exhaustive reference search (``options={"search": "exhaustive"}``;
   the time before this change, 1.7 million profiles).
2. The pure search on random 3-player games (4 types x 4 actions, normal
   payoffs, the instance of ``bench_bne.py``), where elimination removes
   less: pruned vs exhaustive, same answers checked.
3. Random 3-player Bayesian games, 2 types x 2 actions and 3 types x 4 actions
   each (normal payoffs, Dirichlet(1) independent priors, seeded): our four learning methods
   against pygambit's ``gnm_solve``, ``ipa_solve`` and ``logit_solve`` on the
   Harsanyi tree (``md.to_gambit``; only the solve is timed). Every profile
   returned is verified with ``md.verify_bne`` and its epsilon printed.

For each learning run the utility-loss curve is printed: epsilon and the
largest relative utility loss (SODA's criterion) against seconds, at
iterations 0, 1, 10, 100, ... ``--plot PATH`` also draws them (matplotlib).

Run: ``python benchmarks/bench_learning.py [--seeds 3] [--timeout 300] [--skip-exhaustive] [--skip-peer]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

import mechdesign as md

LEARNING = ("dual_averaging", "mirror_ascent", "frank_wolfe", "fictitious_play")
GAMBIT = ("gnm", "ipa", "logit")


def auction_game() -> md.BayesianGame:
    mech = md.examples.first_price_auction(bids=[0, 1, 2, 3, 4, 5], values=[0, 1, 2, 3], n_bidders=3)
    return md.BayesianGame.from_mechanism(mech)


def random_game(seed: int, k: int, m: int, n: int = 3, uniform: bool = False) -> md.BayesianGame:
    rng = np.random.default_rng(seed)
    if uniform:              # bench_bne.py's instance: uniform prior, payoffs drawn first
        payoffs = rng.normal(size=(k,) * n + (m,) * n + (n,))
        prior = md.IndependentPrior([np.full(k, 1.0 / k)] * n)
    else:
        prior = md.IndependentPrior([rng.dirichlet(np.ones(k)) for _ in range(n)])
        payoffs = rng.normal(size=(k,) * n + (m,) * n + (n,))
    return md.BayesianGame.from_arrays(prior=prior, payoffs=payoffs)


def build(case: str, seed: int) -> md.BayesianGame:
    if case == "auction":
        return auction_game()
    if case == "pure3":
        return random_game(seed, 4, 4, uniform=True)
    if case == "small3":
        return random_game(seed, 2, 2)
    return random_game(seed, 3, 4)


def curve(history: dict) -> list[tuple[int, float, float, float]]:
    """(iteration, seconds, epsilon, relative loss) at iterations 0, 1, 10, 100, ... and the last one."""
    its = history["iteration"]
    marks = sorted({0, len(its) - 1, *(10**p for p in range(0, 9) if 10**p < len(its))})
    return [(its[k], history["time"][k], history["epsilon"][k], history["relative_loss"][k]) for k in marks]


def worker(solver: str, case: str, seed: int) -> None:
    """Solve one instance and print one JSON line."""
    game = build(case, seed)
    if solver in LEARNING:
        start = time.perf_counter()
        res = md.solve_bne(game, method=solver)
        seconds = time.perf_counter() - start
        eq = res.equilibria[0]
        print(json.dumps({"seconds": seconds, "status": res.status, "epsilons": [eq.epsilon],
                          "verified": [md.verify_bne(game, eq.strategies).epsilon],
                          "iterations": res.diagnostics["iterations"], "polish": res.diagnostics["polish"]["kind"],
                          "curve": curve(res.diagnostics["history"])}))
        return
    if solver in ("pruned", "exhaustive"):
        start = time.perf_counter()
        res = md.solve_bne(game, method="pure", options={"search": solver, "max_profiles": 10**8})
        seconds = time.perf_counter() - start
        found = sorted(tuple(tuple(int(a) for a in s) for s in eq.pure()) for eq in res.equilibria)
        print(json.dumps({"seconds": seconds, "status": res.status, "equilibria": found,
                          "epsilons": [eq.epsilon for eq in res.equilibria]}))
        return
    import pygambit as gbt

    from mechdesign.games.gambit import _tree

    tree, infosets = _tree(game, gbt, "bench")
    solve = {"gnm": gbt.nash.gnm_solve, "ipa": gbt.nash.ipa_solve, "logit": gbt.nash.logit_solve}[solver]
    start = time.perf_counter()
    result = solve(tree)
    seconds = time.perf_counter() - start
    epsilons = []
    for profile in result.equilibria:
        if isinstance(profile, gbt.MixedStrategyProfile):
            profile = profile.as_behavior()
        sigma = [np.array([[float(profile[a]) for a in infosets[i][t].actions] for t in range(game.n_types[i])])
                 for i in range(game.n_players)]
        epsilons.append(md.verify_bne(game, sigma).epsilon)
    print(json.dumps({"seconds": seconds, "status": "success" if epsilons else "none", "epsilons": epsilons}))


def run(solver: str, case: str, seed: int, timeout: float) -> dict:
    try:
        out = subprocess.run([sys.executable, __file__, "--worker", solver, case, str(seed)],
                             capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "seconds": timeout, "epsilons": []}
    except subprocess.CalledProcessError as exc:
        return {"status": "error", "seconds": float("nan"), "epsilons": [], "error": exc.stderr.strip()[-300:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def fmt(r: dict) -> str:
    if r["status"] == "timeout":
        return f"> {r['seconds']:.0f} s (timeout)"
    if r["status"] == "error":
        return f"error: {r.get('error', '')}"
    eps = ", ".join(f"{e:.1e}" for e in r["epsilons"][:4]) + (" ..." if len(r["epsilons"]) > 4 else "")
    extra = f", {r['iterations']} it., polish {r['polish']}" if "iterations" in r else ""
    return f"{r['seconds']:8.3f} s  {r['status']:<15} eps [{eps}]{extra}"


def print_curve(name: str, r: dict) -> None:
    if "curve" in r:
        points = "; ".join(f"{it}: {t:.3g} s eps {e:.1e} loss {loss:.1e}" for it, t, e, loss in r["curve"])
        print(f"      curve {name}: {points}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3, help="random 3-player games (case 3)")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--skip-exhaustive", action="store_true", help="skip the exhaustive pure search of case 1")
    parser.add_argument("--skip-peer", action="store_true", help="skip pygambit")
    parser.add_argument("--plot", help="save the utility-loss curves to this PNG file")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], int(args.worker[2]))
        return
    print(f"mechdesign {md.__version__}, {os.cpu_count()} CPUs; timeout {args.timeout:.0f} s per run")
    curves: dict[str, dict] = {}

    print("\n1. 3-bidder first-price auction, values 0..3, bids 0..5 (verified BNE)")
    for method in LEARNING:
        r = run(method, "auction", 0, args.timeout)
        print(f"  {method:<16} {fmt(r)}")
        print_curve(method, r)
        curves[f"auction {method}"] = r
    pruned = run("pruned", "auction", 0, args.timeout)
    print(f"  pure (pruned)    {fmt(pruned)}")
    if not args.skip_exhaustive:
        full = run("exhaustive", "auction", 0, args.timeout)
        print(f"  pure (exhaustive){fmt(full)}")
        if full["status"] != "error" and pruned["status"] != "error":
            same = full.get("equilibria") == pruned.get("equilibria")
            bound = ">" if full["status"] == "timeout" else ""
            print(f"  pure search speed-up: {bound}{full['seconds'] / pruned['seconds']:.0f}x"
                  + ("" if full["status"] == "timeout" else f", same equilibria: {same}"))

    print("\n2. pure search, random 3-player games, 4 types x 4 actions (uniform prior)")
    for seed in range(args.seeds):
        a, b = run("pruned", "pure3", seed, args.timeout), run("exhaustive", "pure3", seed, args.timeout)
        same = a.get("equilibria") == b.get("equilibria")
        print(f"  seed {seed}: pruned {a['seconds']:.3f} s, exhaustive {b['seconds']:.3f} s, "
              f"ratio {b['seconds'] / a['seconds']:.1f}x, {len(a.get('equilibria', []))} BNE, same: {same}")

    for case, title in (("small3", "2 types x 2 actions"), ("random3", "3 types x 4 actions")):
        compare(case, title, args, curves)
    if args.plot:
        plot(curves, args.plot)


def compare(case: str, title: str, args: argparse.Namespace, curves: dict[str, dict]) -> None:
    """Our learning methods against pygambit on random 3-player games of one size."""
    print(f"\n3. random 3-player Bayesian games, {title} (ours vs pygambit on the Harsanyi tree)")
    for seed in range(args.seeds):
        print(f"  seed {seed}:")
        for method in LEARNING:
            r = run(method, case, seed, args.timeout)
            print(f"    {method:<16} {fmt(r)}")
            print_curve(method, r)
            curves[f"{case} seed {seed} {method}"] = r
        if not args.skip_peer:
            for solver in GAMBIT:
                print(f"    pygambit {solver:<7} {fmt(run(solver, case, seed, args.timeout))}")


def plot(curves: dict[str, dict], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for name, r in curves.items():
        if "curve" not in r:
            continue
        pts = np.array([(t, max(e, 1e-17), max(loss, 1e-17)) for _, t, e, loss in r["curve"]])
        axes[0].loglog(np.maximum(pts[:, 0], 1e-4), pts[:, 1], marker=".", label=name)
        axes[1].loglog(np.maximum(pts[:, 0], 1e-4), pts[:, 2], marker=".", label=name)
    axes[0].set(xlabel="seconds", ylabel="epsilon (iterate)", title="epsilon against time")
    axes[1].set(xlabel="seconds", ylabel="relative utility loss (iterate)", title="utility loss against time")
    axes[1].legend(fontsize=6)
    fig.tight_layout()
    directory = os.path.dirname(os.path.abspath(path))
    with tempfile.NamedTemporaryFile(dir=directory, suffix=".png", delete=False) as tmp:
        fig.savefig(tmp.name, dpi=120)
    os.replace(tmp.name, path)                  # atomic: never a half-written file
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
