"""The ``design:`` section of a spec file (what :func:`mechdesign.design` should solve)."""

from __future__ import annotations

from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field

ConstraintName = Literal["dsic", "bic", "ir_ex_post", "ir_interim", "ir_ex_ante",
                         "budget_weak", "budget_strong", "budget_ex_ante"]


class DesignSpec(BaseModel):
    """``design: {objective: revenue, require: [dsic, ir_ex_post], decision: efficient, randomized: true}``.

    ``options`` are passed to the solver (HiGHS option names, plus ``atol``/``rtol``).
    ``method``: ``auto`` (default), ``full``, ``cutting_plane`` or ``reduced_form``
    (see :func:`mechdesign.design`). Command-line flags override these fields.
    """

    model_config = ConfigDict(extra="forbid")

    objective: Literal["revenue", "welfare", "deficit"] = "revenue"
    require: list[ConstraintName] = Field(default_factory=list)
    decision: Literal["efficient"] | None = None
    randomized: bool = True
    method: Literal["auto", "full", "cutting_plane", "reduced_form"] = "auto"
    options: dict[str, Union[bool, int, float, str]] = Field(default_factory=dict)
