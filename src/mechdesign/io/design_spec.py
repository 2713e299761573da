"""The ``design:`` section of a spec file (what :func:`mechdesign.design` should solve)."""

from __future__ import annotations

from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from mechdesign.io.options import DESIGN_OPTIONS, check_options

ConstraintName = Literal["dsic", "bic", "ir_ex_post", "ir_interim", "ir_ex_ante",
                         "budget_weak", "budget_strong", "budget_ex_ante"]


class DesignSpec(BaseModel):
    """``design: {objective: revenue, require: [dsic, ir_ex_post], decision: efficient, randomized: true}``.

    ``method``: ``auto`` (default), ``full``, ``cutting_plane`` or ``reduced_form``
    (see :func:`mechdesign.design`). ``options`` tune the solver. Only these names are accepted (the allow-list
    ``DESIGN_OPTIONS`` of ``mechdesign.io.options``; never options that read or
    write files): time_limit, threads, presolve, solver, parallel, run_crossover,
    simplex_strategy, random_seed, the feasibility/optimality tolerances, mip_rel_gap,
    mip_abs_gap, the iteration and node limits, and mechdesign's own atol, rtol,
    certificate, max_certificate_rows, symmetry, max_rounds, max_columns. Command-line flags override these
    fields.
    """

    model_config = ConfigDict(extra="forbid")

    objective: Literal["revenue", "welfare", "deficit"] = "revenue"
    require: list[ConstraintName] = Field(default_factory=list)
    decision: Literal["efficient"] | None = None
    randomized: StrictBool = True
    method: Literal["auto", "full", "cutting_plane", "reduced_form"] = "auto"
    options: dict[str, Union[bool, int, float, str]] = Field(default_factory=dict)

    def solver_options(self) -> dict[str, Any]:
        """The ``options`` checked against the allow-list (SpecError listing the allowed names)."""
        return check_options(self.options, DESIGN_OPTIONS, "design.options")
