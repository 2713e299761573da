"""``mechdesign example [NAME]``: list or run the built-in examples."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Optional

import typer
from rich.table import Table

from mechdesign.analysis.report import check
from mechdesign.cli.common import command, console, metrics_line, number, plain
from mechdesign.mechanisms.agv import agv
from mechdesign.mechanisms.groves import vcg
from mechdesign.model import generators
from mechdesign.model.environment import Environment
from mechdesign import _validation as v


@dataclass(frozen=True)
class Example:
    """A built-in example: an environment and the story it tells."""

    description: str
    environment: Callable[[], Environment]
    vcg_options: dict = field(default_factory=dict)


EXAMPLES: dict[str, Example] = {
    "public-project": Example(
        "2 players, a project costing 50 shared equally, values 10/30/45: VCG vs AGV",
        lambda: generators.public_project()),
    "auction": Example(
        "2 bidders, values 0..3 uniform: VCG is the second-price auction",
        lambda: generators.single_item_auction()),
    "bilateral-trade": Example(
        "seller cost and buyer value on {0,1,2}: VCG runs a deficit, AGV balances but fails ex-post IR",
        lambda: generators.bilateral_trade(),
        vcg_options={"pivot": "status_quo", "status_quo": "no trade"}),
}


def _environment_table(env: Environment) -> Table:
    table = Table(title="Environment", show_header=True)
    table.add_column("player")
    table.add_column("types")
    table.add_column("marginal prior")
    for i, p in enumerate(env.players):
        table.add_row(plain(p), plain(", ".join(env.type_labels[i])),
                      ", ".join(number(q, ".3g") for q in env.prior.marginal(i)))
    return table


def register(app: typer.Typer) -> None:
    """Add the ``example`` command to ``app``."""

    @app.command("example")
    @command
    def example_command(name: Optional[str] = typer.Argument(None, help="Example to run (public-project or "
                                                             "public_project); omit to list them.")) -> None:
        """List the built-in examples, or run one (build VCG and AGV and audit both)."""
        if name is None:
            table = Table(title="Built-in examples (run: mechdesign example NAME)")
            table.add_column("name")
            table.add_column("what it shows")
            for key, ex in EXAMPLES.items():
                table.add_row(key, ex.description)
            console.print(table)
            return
        key = v.choice(name.strip().lower().replace("_", "-"), "NAME", list(EXAMPLES))
        example = EXAMPLES[key]
        env = example.environment()
        console.print(f"[bold]{key}[/bold]: {example.description}")
        console.print(plain(f"alternatives: {', '.join(env.alternatives)}"))
        console.print(_environment_table(env))
        for mech in (vcg(env, **example.vcg_options), agv(env)):
            report = check(mech)
            console.print(report.rich_table())
            console.print(metrics_line(report.metrics))
