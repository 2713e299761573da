"""Spec files (YAML or JSON): environments and what to build on them, validated by pydantic.

A spec is data, never code: it is read by the safe loader of
:mod:`mechdesign.io.loader` (YAML 1.2 core schema: ``yes``/``no``/``on``/``off``
stay strings; bounded size, depth and aliases) and checked by the models
below. One schema serves every CLI command; the optional sections
``mechanism:``, ``game:``, ``auction:`` and ``design:`` say what to build and
are validated by the module that builds it. Booleans must be ``true`` or
``false``. Builders estimate the memory they need first
(:mod:`mechdesign.io.memory`). Example::

    players: [A, B]
    alternatives: [build, skip]
    types: {A: [10, 30, 45], B: [10, 30, 45]}
    prior: {independent: {A: [0.2, 0.5, 0.3], B: [0.2, 0.5, 0.3]}}
    valuations: {A: [[-15, 0], [5, 0], [20, 0]], B: [[-15, 0], [5, 0], [20, 0]]}
    mechanism: {kind: vcg}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, model_validator

from mechdesign import _validation as v
from mechdesign.errors import MechDesignError, SpecError
from mechdesign.io import memory
from mechdesign.io.design_spec import DesignSpec
from mechdesign.io.loader import load_data
from mechdesign.model.environment import Environment
from mechdesign.model.prior import IndependentPrior, JointPrior, Prior

Number = Union[int, float]
TypeValue = Union[int, float, str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PriorSpec(_Strict):
    """``{independent: {player: [p...]}}`` or ``{joint: nested list}``; omitted means uniform."""

    independent: dict[str, list[Number]] | list[list[Number]] | None = None
    joint: list[Any] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "PriorSpec":
        if (self.independent is None) == (self.joint is None):
            raise ValueError("give exactly one of 'independent' or 'joint'")
        return self


class MechanismSpec(_Strict):
    """What direct mechanism to build: ``vcg``, ``groves`` (with ``h``), ``agv`` or ``direct``."""

    kind: Literal["vcg", "groves", "agv", "direct"]
    decision: list[Any] | None = Field(None, description="direct: alternative names/indices or lotteries per profile")
    transfers: list[Any] | None = Field(None, description="direct: money received, nested k_1 x ... x k_N x N")
    h: dict[str, list[Any]] | list[list[Any]] | None = Field(None, description="groves: h_i over the others' types")
    allow_correlated: StrictBool = False
    ties: Literal["lowest", "uniform"] = "lowest"
    pivot: Literal["clarke", "status_quo"] = "clarke"
    status_quo: str | None = Field(None, description="vcg with pivot status_quo: the status-quo alternative")


class Spec(_Strict):
    """A whole spec file."""

    name: str | None = None
    description: str | None = None
    players: list[str] = Field(min_length=1)
    alternatives: list[str] = Field(min_length=1)
    types: dict[str, list[TypeValue]]
    prior: PriorSpec | None = None
    valuations: dict[str, list[Any]]
    mechanism: MechanismSpec | None = None
    game: dict[str, Any] | None = None
    auction: dict[str, Any] | None = None
    combinatorial: dict[str, Any] | None = None
    design: DesignSpec | None = None

    def environment(self) -> Environment:
        """Build (and validate) the environment the spec describes."""
        types = _keyed(self.types, self.players, "types")
        for player, labels in zip(self.players, types):
            if len(labels) == 0:
                raise v.fail(f"types.{player}", "at least one type", "an empty list")
        prior = self._prior([len(t) for t in types])
        valuations = _keyed(self.valuations, self.players, "valuations")
        return Environment(self.players, self.alternatives, types, prior, valuations)

    def _prior(self, counts: list[int]) -> Prior:
        if self.prior is None:
            return IndependentPrior([np.full(k, 1.0 / k) for k in counts])
        if self.prior.joint is not None:
            return JointPrior(v.probabilities(self.prior.joint, "prior.joint"))
        marginals = _keyed(self.prior.independent, self.players, "prior.independent")
        for player, marginal, k in zip(self.players, marginals, counts):
            name = f"prior.independent.{player}"
            v.probabilities(marginal, name)
            if len(marginal) != k:
                raise v.fail(name, f"one probability per type of {player!r} ({k})", f"{len(marginal)}")
        return IndependentPrior(marginals)


def _keyed(mapping: Any, players: list[str], name: str) -> list[Any]:
    if isinstance(mapping, list):
        if len(mapping) != len(players):
            raise v.fail(name, f"one entry per player ({len(players)})", f"{len(mapping)} entries")
        return mapping
    unknown = sorted(set(mapping) - set(players))
    if unknown:
        raise v.fail(name, f"keys among the players {players}", f"unknown player(s) {unknown}")
    missing = [p for p in players if p not in mapping]
    if missing:
        raise v.fail(name, f"an entry for every player {players}", f"none for {missing}")
    return [mapping[p] for p in players]


def _format_validation_error(exc: ValidationError, section: str = "") -> str:
    """One line: the first wrong field, what is wrong and what was given (and how many more problems)."""
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    if section:
        where = f"{section}.{where}" if first["loc"] else section
    message = first["msg"].removeprefix("Value error, ")
    text = f"{where}: {message}"
    if "input" in first and first["type"] not in ("missing", "model_type", "dict_type", "list_type") \
            and not isinstance(first["input"], (dict, list)):
        text += f" (got {v._short(first['input'])})"
    if len(errors) > 1:
        text += f"; and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''}"
    return text


def parse_spec(data: Any) -> Spec:
    """Validate a spec given as a dict (already parsed YAML/JSON)."""
    if not isinstance(data, dict):
        raise v.fail("spec", "a mapping with players, alternatives, types, valuations", type(data).__name__)
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(_format_validation_error(exc)) from None
    if spec.design is not None:
        spec.design.solver_options()       # unknown or file-writing solver options fail here, at load
    return spec


def load_spec(path: str | Path) -> Spec:
    """Read and validate a YAML or JSON spec file (through :func:`mechdesign.io.loader.load_data`).

    Raises
    ------
    SpecError
        If the file is missing, is not valid YAML/JSON, exceeds the loader's
        limits, or a field is wrong (the message names the first wrong field
        and why).
    """
    return parse_spec(load_data(path, name="spec"))


def check_mechanism_size(env: Environment, kind: str, lazy: bool) -> None:
    """SpecError unless a (dense, or with ``lazy`` a blockwise) mechanism of ``kind`` on ``env`` can be built."""
    P = env.n_profiles
    if P > memory.MAX_PROFILES:
        raise v.fail("types", f"at most {memory.MAX_PROFILES:.3g} type profiles (2**62) to enumerate",
                     memory.profile_text(env.n_types))
    if lazy:
        return
    hint = ("use --chunk-size (the CLI then builds a lazy mechanism, md.vcg(env, lazy=True) in Python)"
            if kind in ("vcg", "agv", "groves") else "give fewer types or alternatives")
    memory.require_memory(memory.dense_mechanism_bytes(env.n_types, env.n_alternatives, env.n_players), "types",
                          detail=f"{memory.profile_text(env.n_types)} × {env.n_alternatives} alternatives",
                          suggestion=hint)


def build_mechanism(spec: Spec, env: Environment | None = None, *, lazy: bool = False):
    """Build the direct mechanism of the spec's ``mechanism:`` section.

    With ``lazy=True``, ``vcg``, ``groves`` and ``agv`` are built as
    :class:`~mechdesign.LazyDirectMechanism` (computed block by block);
    otherwise the memory of the dense arrays is estimated first and a spec
    that cannot fit is refused with a SpecError.
    """
    from mechdesign.mechanisms.agv import agv
    from mechdesign.mechanisms.direct import DirectMechanism
    from mechdesign.mechanisms.groves import groves, vcg

    env = env or spec.environment()
    m = spec.mechanism
    if m is None:
        raise v.fail("mechanism", "a 'mechanism:' section (kind: vcg | groves | agv | direct)", "none")
    check_mechanism_size(env, m.kind, lazy and m.kind != "direct")
    lazy = lazy and m.kind != "direct"
    if m.kind == "vcg":
        if m.pivot != "status_quo" and m.status_quo is not None:
            raise v.fail("mechanism.status_quo", "only with pivot: status_quo", f"pivot: {m.pivot}")
        return vcg(env, pivot=m.pivot, status_quo=m.status_quo, ties=m.ties, lazy=lazy)
    if m.kind == "agv":
        return agv(env, allow_correlated=m.allow_correlated, ties=m.ties, lazy=lazy)
    if m.kind == "groves":
        if m.h is None:
            raise v.fail("mechanism.h", "h_i over the others' types for each player", "none")
        return groves(env, _keyed(m.h, list(env.players), "mechanism.h"), ties=m.ties, lazy=lazy)
    if m.decision is None or m.transfers is None:
        raise v.fail("mechanism", "'decision' and 'transfers' tables for kind 'direct'", "a missing table")
    decision = _decision_table(m.decision, env, "mechanism.decision")
    transfers = _numeric_table(m.transfers, "mechanism.transfers")
    return DirectMechanism(env, decision, transfers, name=spec.name or "direct mechanism")


def _numeric_table(table: Any, name: str) -> np.ndarray:
    """A nested list of numbers as a float array; ragged nesting or non-numbers are a SpecError."""
    _rectangular(table, name)
    return v.float_array(table, name)


def _rectangular(table: Any, name: str) -> tuple[int, ...]:
    """The shape of a nested list, or a SpecError naming the first ragged position."""
    if not isinstance(table, list):
        return ()
    if not table:
        return (0,)
    shapes = [_rectangular(item, f"{name}[{k}]") for k, item in enumerate(table)]
    for k, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise v.fail(name, "a rectangular table (equal lengths at each level)",
                         f"entry {k} of shape {shape or 'scalar'} where entry 0 has shape {shapes[0] or 'scalar'}")
    return (len(table), *shapes[0])


def _decision_table(table: list[Any], env: Environment, name: str = "decision") -> np.ndarray:
    """Alternative names or indices (nested per profile) → integer array; numbers lists → lottery."""
    def convert(item: Any, where: str) -> Any:
        if isinstance(item, str):
            if item not in env.alternatives:
                raise v.fail(where, f"an alternative among {list(env.alternatives)} or an index", repr(item))
            return env.alternative_index(item)
        if isinstance(item, list):
            return [convert(x, f"{where}[{k}]") for k, x in enumerate(item)]
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            raise v.fail(where, "an alternative name, an index or a probability", v._short(item))
        return item

    converted = convert(table, name)
    _rectangular(converted, name)
    arr = np.array(converted)
    if arr.ndim == env.n_players and np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)):
        arr = arr.astype(int)
    return arr


__all__ = ["Spec", "MechanismSpec", "PriorSpec", "load_spec", "parse_spec", "build_mechanism", "check_mechanism_size",
           "MechDesignError"]
