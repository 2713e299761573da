"""``mechdesign check SPEC``: audit the spec's mechanism and print the report."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mechdesign.analysis.report import check as check_mechanism
from mechdesign.cli.common import command, console, emit_json, json_option, metrics_line, spec_argument
from mechdesign.io.spec import build_mechanism, load_spec


def register(app: typer.Typer) -> None:
    """Add the ``check`` command to ``app``."""

    @app.command("check")
    @command
    def check_command(
        spec: Path = spec_argument("YAML/JSON spec with a 'mechanism:' section."),
        json_out: Optional[Path] = json_option("Write the report as JSON to this file ('-' = standard output only)."),
        outside_option: float = typer.Option(0.0, "--outside-option", help="Utility of not participating (IR)."),
        backend: str = typer.Option("numpy", "--backend", help="numpy (this process) or dask (a Dask cluster)."),
        scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address tcp://host:port "
                                                "(default with --backend dask: a local cluster)."),
        chunk_size: Optional[int] = typer.Option(None, "--chunk-size", help="Type profiles per block (bounds "
                                                 "memory; vcg, groves and agv are then built lazily)."),
    ) -> None:
        """Audit a mechanism: efficiency, DSIC, BIC, IR and budget balance, with counterexamples.

        Exits 0 whether or not the properties hold; non-zero only on errors.
        """
        from mechdesign.compute.backends import compute_options

        compute_options(chunk_size, None, backend, scheduler)      # bad options fail before any work
        parsed = load_spec(spec)
        mech = build_mechanism(parsed, lazy=chunk_size is not None)
        report = check_mechanism(mech, outside_option=outside_option, backend=backend, scheduler=scheduler,
                                 chunk_size=chunk_size, progress=True)
        if emit_json(report.to_dict(), json_out):
            return
        console.print(report.rich_table())
        console.print(metrics_line(report.metrics))
