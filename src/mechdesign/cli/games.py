"""``mechdesign solve | revelation | export``: a spec's ``game:`` section as a Bayesian game."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from mechdesign import _validation as v
from mechdesign.cli.common import console, handle_errors, write_json
from mechdesign.games.bayesian import BayesianGame
from mechdesign.games.equilibrium import LEARNING_METHODS, METHODS, solve_bne
from mechdesign.games.gambit import ALGORITHMS, write_efg, write_nfg
from mechdesign.games.results import Equilibrium, EquilibriumResult, strategy_text
from mechdesign.games.revelation import revelation
from mechdesign.io.game_spec import build_indirect
from mechdesign.io.spec import load_spec


def _game(spec: Path) -> BayesianGame:
    return BayesianGame.from_mechanism(build_indirect(load_spec(spec)))


def _solve(game: BayesianGame, method: str, algorithm: Optional[str],
           learning: Optional[dict] = None) -> EquilibriumResult:
    method = v.choice(method, "--method", METHODS)
    options = None
    if algorithm is not None:
        if method != "gambit":
            raise v.fail("--algorithm", "to be used with --method gambit", f"--method {method}")
        options = {"algorithm": v.choice(algorithm, "--algorithm", ALGORITHMS)}
    learning = {k: x for k, x in (learning or {}).items() if x is not None}
    if learning:
        if method not in LEARNING_METHODS:
            names = ", ".join(f"--{k}" for k in learning)
            raise v.fail(names, f"to be used with a learning method ({' | '.join(LEARNING_METHODS)})",
                         f"--method {method}")
        options = learning
    return solve_bne(game, method=method, options=options, progress=True)


def _equilibrium_table(game: BayesianGame, eq: Equilibrium, number: int) -> Table:
    table = Table(title=f"equilibrium {number} (epsilon {eq.epsilon:.3g})")
    table.add_column("player")
    table.add_column("type -> action (or mixture)")
    for i, s in enumerate(eq.strategies):
        table.add_row(game.players[i], "\n".join(strategy_text(game.labels, i, s)))
    return table


def _curve(history: dict) -> str:
    """The learning run's epsilon at iterations 0, 1, 10, 100, ... and at the end."""
    its, eps = history["iteration"], history["epsilon"]
    marks = sorted({0, len(its) - 1, *(10**p for p in range(1, 9) if 10**p < len(its))})
    return "epsilon by iteration: " + ", ".join(f"{its[k]}: {eps[k]:.3g}" for k in marks)


def register(app: typer.Typer) -> None:
    """Add the ``solve``, ``revelation`` and ``export`` commands to ``app``."""

    @app.command("solve")
    @handle_errors
    def solve_command(
        spec: Path = typer.Argument(..., help="YAML/JSON spec with a 'game:' section."),
        method: str = typer.Option("pure", "--method", help="pure | lcp | enum | gambit | dual_averaging | "
                                   "mirror_ascent | frank_wolfe | fictitious_play"),
        algorithm: Optional[str] = typer.Option(None, "--algorithm", help="with --method gambit: lcp | logit | enummixed"),
        iterations: Optional[int] = typer.Option(None, "--iterations", help="learning methods: iteration budget."),
        tol: Optional[float] = typer.Option(None, "--tol", help="learning methods: target epsilon (default 1e-6)."),
        seed: Optional[int] = typer.Option(None, "--seed", help="learning methods: seed of a random start."),
        json_out: Optional[Path] = typer.Option(None, "--json", help="Write the result as JSON ('-' = stdout)."),
    ) -> None:
        """Compute Bayes–Nash equilibria of the spec's mechanism; print each as a table per player."""
        game = _game(spec)
        learning = {"iterations": iterations, "tol": tol, "seed": seed}
        if seed is not None:
            learning["init"] = "random"
        result = _solve(game, method, algorithm, learning if any(x is not None for x in learning.values()) else None)
        if json_out is not None:
            write_json(result.to_dict(), json_out)
            if str(json_out) == "-":
                return
        console.print(f"[bold]{game!r}[/bold]")
        console.print(f"method {result.method}: {result.status} — {result.message}", highlight=False)
        if "history" in result.diagnostics:
            console.print(_curve(result.diagnostics["history"]), highlight=False)
        for number, eq in enumerate(result.equilibria):
            console.print(_equilibrium_table(game, eq, number))

    @app.command("revelation")
    @handle_errors
    def revelation_command(
        spec: Path = typer.Argument(..., help="YAML/JSON spec with a 'game:' section."),
        method: str = typer.Option("pure", "--method", help="How to find the equilibrium: pure | lcp | enum | gambit"),
        index: int = typer.Option(0, "--index", help="Which equilibrium of the list to reveal."),
        json_out: Optional[Path] = typer.Option(None, "--json", help="Write the result as JSON ('-' = stdout)."),
    ) -> None:
        """Find a BNE σ* and print the direct mechanism g∘σ* with its truthfulness certificate."""
        game = _game(spec)
        result = _solve(game, method, None)
        if not result.equilibria:
            raise v.fail("SPEC", "a game with an equilibrium found by this method", f"{result.status}: {result.message}")
        eq = result.equilibria[v.index(index, "--index", len(result.equilibria))]
        revealed = revelation(game, eq.strategies)
        if json_out is not None:
            write_json(revealed.to_dict(), json_out)
            if str(json_out) == "-":
                return
        console.print(_equilibrium_table(game, eq, index))
        direct = revealed.mechanism
        env = direct.env
        table = Table(title="direct mechanism g∘σ* (reported types → outcome)")
        for p in env.players:
            table.add_column(p)
        table.add_column("decision")
        for p in env.players:
            table.add_column(f"m_{p}", justify="right")
        for prof in itertools.product(*(range(k) for k in env.n_types)):
            out = direct.outcome(prof)
            decision = out.alternative or ", ".join(f"{x}: {p:.3g}" for x, p in zip(env.alternatives, out.lottery) if p > 0)
            table.add_row(*(env.type_labels[i][t] for i, t in enumerate(prof)), decision,
                          *(f"{m:.6g}" for m in out.transfers))
        console.print(table)
        console.print(revealed.summary(), highlight=False)

    @app.command("export")
    @handle_errors
    def export_command(
        spec: Path = typer.Argument(..., help="YAML/JSON spec with a 'game:' section."),
        efg: Optional[Path] = typer.Option(None, "--efg", help="Write the Harsanyi extensive form (.efg)."),
        nfg: Optional[Path] = typer.Option(None, "--nfg", help="Write the ex-ante strategic form (.nfg; small games)."),
    ) -> None:
        """Export the game for Gambit (needs the optional pygambit: pip install 'mechdesign[gambit]')."""
        if efg is None and nfg is None:
            raise v.fail("--efg/--nfg", "at least one output file", "none")
        game = _game(spec)
        if efg is not None:
            console.print(f"wrote {write_efg(game, efg)}")
        if nfg is not None:
            console.print(f"wrote {write_nfg(game, nfg)}")
