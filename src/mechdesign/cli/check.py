"""``mechdesign check SPEC``: audit the spec's mechanism and print the report."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mechdesign.analysis.report import check as check_mechanism
from mechdesign.cli.common import console, handle_errors, write_json
from mechdesign.io.spec import build_mechanism, load_spec


def register(app: typer.Typer) -> None:
    """Add the ``check`` command to ``app``."""

    @app.command("check")
    @handle_errors
    def check_command(
        spec: Path = typer.Argument(..., help="YAML/JSON spec with a 'mechanism:' section."),
        json_out: Optional[Path] = typer.Option(None, "--json", help="Write the report as JSON to this file ('-' = stdout)."),
        outside_option: float = typer.Option(0.0, "--outside-option", help="Utility of not participating (IR)."),
        backend: str = typer.Option("numpy", "--backend", help="numpy (this process) or dask (a Dask cluster)."),
        scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address tcp://host:port "
                                                "(default with --backend dask: a local cluster)."),
        chunk_size: Optional[int] = typer.Option(None, "--chunk-size", help="Type profiles per block (bounds memory)."),
    ) -> None:
        """Audit a mechanism: efficiency, DSIC, BIC, IR and budget balance, with counterexamples.

        Exits 0 whether or not the properties hold; non-zero only on errors.
        """
        parsed = load_spec(spec)
        mech = build_mechanism(parsed)
        report = check_mechanism(mech, outside_option=outside_option, backend=backend, scheduler=scheduler,
                                 chunk_size=chunk_size, progress=True)
        if json_out is not None:
            write_json(report.to_dict(), json_out)
            if str(json_out) == "-":
                return
        console.print(report.rich_table())
        console.print("  ".join(f"{k} = {v:.6g}" for k, v in report.metrics.items()))
