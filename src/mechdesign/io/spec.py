"""Spec files (YAML or JSON): environments and what to build on them, validated by pydantic.

A spec is data, never code: it is read with ``yaml.safe_load`` and checked by
the models below. One schema serves every CLI command; the optional sections
``mechanism:``, ``game:``, ``auction:`` and ``design:`` say what to build and
are validated by the module that builds it. Example::

    players: [A, B]
    alternatives: [build, skip]
    types: {A: [10, 30, 45], B: [10, 30, 45]}
    prior: {independent: {A: [0.2, 0.5, 0.3], B: [0.2, 0.5, 0.3]}}
    valuations: {A: [[-15, 0], [5, 0], [20, 0]], B: [[-15, 0], [5, 0], [20, 0]]}
    mechanism: {kind: vcg}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, Union

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mechdesign import _validation as v
from mechdesign.errors import MechDesignError, SpecError
from mechdesign.io.design_spec import DesignSpec
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
    allow_correlated: bool = False
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
        prior = self._prior([len(t) for t in types])
        valuations = _keyed(self.valuations, self.players, "valuations")
        return Environment(self.players, self.alternatives, types, prior, valuations)

    def _prior(self, counts: list[int]) -> Prior:
        if self.prior is None:
            return IndependentPrior([np.full(k, 1.0 / k) for k in counts])
        if self.prior.joint is not None:
            return JointPrior(self.prior.joint)
        marginals = self.prior.independent
        if isinstance(marginals, dict):
            marginals = _keyed(marginals, self.players, "prior.independent")
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


def _format_validation_error(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"{where}: {err['msg']}")
    return "invalid spec:\n  " + "\n  ".join(lines)


def parse_spec(data: Any) -> Spec:
    """Validate a spec given as a dict (already parsed YAML/JSON)."""
    if not isinstance(data, dict):
        raise v.fail("spec", "a mapping with players, alternatives, types, valuations", type(data).__name__)
    try:
        return Spec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(_format_validation_error(exc)) from None


def load_spec(path: str | Path) -> Spec:
    """Read and validate a YAML or JSON spec file.

    Raises
    ------
    SpecError
        If the file is missing, is not valid YAML/JSON, or a field is wrong
        (the message lists each wrong field and why).
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise v.fail("spec", "a readable YAML or JSON file", f"{path}: {exc.strerror}") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise v.fail("spec", "valid YAML/JSON", f"{path}: {exc}") from None
    return parse_spec(data)


def build_mechanism(spec: Spec, env: Environment | None = None):
    """Build the direct mechanism of the spec's ``mechanism:`` section."""
    from mechdesign.mechanisms.agv import agv
    from mechdesign.mechanisms.direct import DirectMechanism
    from mechdesign.mechanisms.groves import groves, vcg

    env = env or spec.environment()
    m = spec.mechanism
    if m is None:
        raise v.fail("mechanism", "a 'mechanism:' section (kind: vcg | groves | agv | direct)", "none")
    if m.kind == "vcg":
        return vcg(env, pivot=m.pivot, status_quo=m.status_quo, ties=m.ties)
    if m.kind == "agv":
        return agv(env, allow_correlated=m.allow_correlated, ties=m.ties)
    if m.kind == "groves":
        if m.h is None:
            raise v.fail("mechanism.h", "h_i over the others' types for each player", "none")
        return groves(env, _keyed(m.h, list(env.players), "mechanism.h"), ties=m.ties)
    if m.decision is None or m.transfers is None:
        raise v.fail("mechanism", "'decision' and 'transfers' tables for kind 'direct'", "a missing table")
    decision = _decision_table(m.decision, env)
    return DirectMechanism(env, decision, m.transfers, name=spec.name or "direct mechanism")


def _decision_table(table: list[Any], env: Environment) -> np.ndarray:
    """Alternative names or indices (nested per profile) → integer array; numbers lists → lottery."""
    def convert(item: Any) -> Any:
        if isinstance(item, str):
            return env.alternative_index(item)
        if isinstance(item, list):
            return [convert(x) for x in item]
        return item

    converted = convert(table)
    arr = np.array(converted)
    if arr.ndim == env.n_players and np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)):
        arr = arr.astype(int)
    return arr


__all__ = ["Spec", "MechanismSpec", "PriorSpec", "load_spec", "parse_spec", "build_mechanism", "MechDesignError"]
