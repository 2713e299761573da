"""``mechdesign solve | revelation | export``: a spec's ``game:`` section as a Bayesian game."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from mechdesign import _validation as v
from mechdesign.cli.common import (command, console, emit_json, json_option, max_rows_option, number, output_option,
                                   plain, spec_argument, status_text)
from mechdesign.cli.tables import mechanism_table
from mechdesign.games.bayesian import BayesianGame
from mechdesign.games.equilibrium import LEARNING_METHODS, METHODS, solve_bne
from mechdesign.games.gambit import ALGORITHMS, write_efg, write_nfg
from mechdesign.games.results import Equilibrium, EquilibriumResult, strategy_text
from mechdesign.games.revelation import revelation
from mechdesign.io.game_spec import build_game
from mechdesign.io.spec import load_spec


def _game(spec: Path) -> BayesianGame:
    return build_game(load_spec(spec))


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


def _equilibrium_table(game: BayesianGame, eq: Equilibrium, number_: int, max_rows: int) -> Table:
    table = Table(title=f"equilibrium {number_} (epsilon {number(eq.epsilon, '.3g')})")
    table.add_column("player")
    table.add_column("type -> action (or mixture)")
    for i, s in enumerate(eq.strategies):
        lines = strategy_text(game.labels, i, s)
        if len(lines) > max_rows:
            lines = lines[:max_rows] + [f"… {len(lines) - max_rows} more types"]
        table.add_row(plain(game.players[i]), plain("\n".join(lines)))
    return table


def _curve(history: dict) -> str:
    """The learning run's epsilon at iterations 0, 1, 10, 100, ... and at the end."""
    its, eps = history["iteration"], history["epsilon"]
    marks = sorted({0, len(its) - 1, *(10**p for p in range(1, 9) if 10**p < len(its))})
    return "epsilon by iteration: " + ", ".join(f"{its[k]}: {eps[k]:.3g}" for k in marks)


_METHOD_HELP = f"One of {' | '.join(METHODS)}."


def register(app: typer.Typer) -> None:
    """Add the ``solve``, ``revelation`` and ``export`` commands to ``app``."""

    @app.command("solve")
    @command
    def solve_command(
        spec: Path = spec_argument("YAML/JSON spec with a 'game:' section."),
        method: str = typer.Option("pure", "--method", help=_METHOD_HELP),
        algorithm: Optional[str] = typer.Option(None, "--algorithm", help="with --method gambit: lcp | logit | enummixed"),
        iterations: Optional[int] = typer.Option(None, "--iterations", min=1, help="learning methods: iteration budget."),
        tol: Optional[float] = typer.Option(None, "--tol", min=0.0, help="learning methods: target epsilon (default 1e-6)."),
        seed: Optional[int] = typer.Option(None, "--seed", min=0, help="learning methods: seed of a random start."),
        json_out: Optional[Path] = json_option(),
        max_rows: int = max_rows_option(),
    ) -> None:
        """Compute Bayes–Nash equilibria of the spec's mechanism; print each as a table per player."""
        game = _game(spec)
        learning = {"iterations": iterations, "tol": tol, "seed": seed}
        if seed is not None:
            learning["init"] = "random"
        result = _solve(game, method, algorithm, learning if any(x is not None for x in learning.values()) else None)
        if emit_json(result.to_dict(), json_out):
            return
        console.print(plain(repr(game)), style="bold")
        console.print(plain(f"method {result.method}: {status_text(result.status, result.message)}"))
        if "history" in result.diagnostics:
            console.print(plain(_curve(result.diagnostics["history"])))
        for count, eq in enumerate(result.equilibria):
            if count == max_rows:
                console.print(f"… {len(result.equilibria) - max_rows} more equilibria (raise --max-rows)")
                break
            console.print(_equilibrium_table(game, eq, count, max_rows))

    @app.command("revelation")
    @command
    def revelation_command(
        spec: Path = spec_argument("YAML/JSON spec with a 'game:' section."),
        method: str = typer.Option("pure", "--method", help="How to find the equilibrium. " + _METHOD_HELP),
        index: int = typer.Option(0, "--index", help="Which equilibrium of the list to reveal."),
        json_out: Optional[Path] = json_option(),
        max_rows: int = max_rows_option(),
    ) -> None:
        """Find a BNE σ* and print the direct mechanism g∘σ* with its truthfulness certificate."""
        game = _game(spec)
        result = _solve(game, method, None)
        if not result.equilibria:
            raise v.fail("SPEC", "a game with an equilibrium found by this method",
                         status_text(result.status, result.message))
        eq = result.equilibria[v.index(index, "--index", len(result.equilibria))]
        revealed = revelation(game, eq.strategies)
        if emit_json(revealed.to_dict(), json_out):
            return
        console.print(_equilibrium_table(game, eq, index, max_rows))
        console.print(mechanism_table(revealed.mechanism, max_rows,
                                      title="direct mechanism g∘σ* (reported types → outcome; money received)"))
        console.print(plain(revealed.summary()))

    @app.command("export")
    @command
    def export_command(
        spec: Path = spec_argument("YAML/JSON spec with a 'game:' section."),
        efg: Optional[Path] = output_option("--efg", "Write the Harsanyi extensive form (.efg)."),
        nfg: Optional[Path] = output_option("--nfg", "Write the ex-ante strategic form (.nfg; small games)."),
    ) -> None:
        """Export the game for Gambit (needs the optional pygambit: pip install 'mechdesign[gambit]')."""
        if efg is None and nfg is None:
            raise v.fail("--efg/--nfg", "at least one output file", "none")
        game = _game(spec)
        if efg is not None:
            console.print(plain(f"wrote {write_efg(game, efg)}"))
        if nfg is not None:
            console.print(plain(f"wrote {write_nfg(game, nfg)}"))
