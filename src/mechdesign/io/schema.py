"""The spec format as JSON Schema and as a field-by-field reference, generated from the pydantic models.

``mechdesign schema [SECTION]`` prints :func:`spec_schema`; ``docs/spec.md`` is
:func:`reference_markdown` (a test checks that the page matches the models, so it
cannot drift). A field's meaning is its pydantic ``description`` when the model gives
one, else the entry of :data:`MEANINGS`; every field must have one (tested).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, create_model

from mechdesign import _validation as v
from mechdesign.io.auction_spec import AuctionSection, BidderSpec, DistributionSpec
from mechdesign.io.combinatorial_spec import CombinatorialSection
from mechdesign.io.design_spec import DesignSpec
from mechdesign.io.game_spec import GameSpec
from mechdesign.io.spec import MechanismSpec, PriorSpec, Spec

#: Meaning of each field the models do not describe, by (model, field).
MEANINGS: dict[tuple[str, str], str] = {
    ("Spec", "name"): "Name of the model, shown in reports",
    ("Spec", "description"): "Free text describing the spec",
    ("Spec", "players"): "Player names, in player order",
    ("Spec", "alternatives"): "Names of the public alternatives X",
    ("Spec", "types"): "Per player: her types, numbers (type values) or labels",
    ("Spec", "prior"): "The common prior; omitted: independent uniform types",
    ("Spec", "valuations"): "Per player: u_i(x, θ), rows her types and columns the alternatives (private "
                            "values), or nested k_1 × … × k_N × |X| (interdependent values)",
    ("Spec", "mechanism"): "A direct mechanism to build (commands check, vcg, agv, compare)",
    ("Spec", "game"): "An indirect mechanism to play as a Bayesian game (commands solve, revelation, export)",
    ("Spec", "auction"): "A continuous-value auction (command auction)",
    ("Spec", "combinatorial"): "A combinatorial auction of bundles (command combinatorial)",
    ("Spec", "design"): "What the LP design should solve (command design)",
    ("PriorSpec", "independent"): "Per player (mapping by name, or list in player order): the probabilities of "
                                  "her types",
    ("PriorSpec", "joint"): "A nested k_1 × … × k_N list of profile probabilities (correlated types)",
    ("MechanismSpec", "kind"): "Which mechanism: vcg, groves, agv or direct",
    ("MechanismSpec", "allow_correlated"): "agv: build it under a correlated prior too (BIC is then not guaranteed)",
    ("MechanismSpec", "ties"): "Tie-breaking of the efficient decision: lowest index, or uniform over the ties",
    ("MechanismSpec", "pivot"): "vcg: Clarke pivot (the others' best alternative without i) or status quo",
    ("GameSpec", "kind"): "Which indirect mechanism: a table, or a built-in one on a grid",
    ("DesignSpec", "objective"): "Maximise revenue or welfare, or minimise the expected deficit",
    ("DesignSpec", "require"): "Constraint families the mechanism must satisfy",
    ("DesignSpec", "decision"): "Fix the decision rule ('efficient'), leaving only transfers to choose",
    ("DesignSpec", "randomized"): "Allow randomized decision rules (an LP); false: deterministic (a MILP)",
    ("DesignSpec", "method"): ("How to solve: auto, full (every row), cutting_plane (constraint generation) "
                               "or reduced_form (auctions, interim rules)"),
    ("DesignSpec", "options"): "Solver options: HiGHS option names, plus atol and rtol",
    ("AuctionSection", "format"): "Auction format: first_price, second_price, all_pay, contest (Tullock) or "
                                  "double_auction (bilateral trade)",
    ("AuctionSection", "bidders"): "One entry per bidder (name and value distribution)",
    ("AuctionSection", "n_bidders"): "Number of identical bidders (with distribution)",
    ("AuctionSection", "distribution"): "The value distribution of every bidder (with n_bidders)",
    ("AuctionSection", "reserve"): "Reserve price: bids below it lose",
    ("AuctionSection", "entry_fee"): "Fee every participating bidder pays",
    ("AuctionSection", "myerson"): "Also compute Myerson's optimal auction",
    ("AuctionSection", "solver"): "Options of the asymmetric equilibrium solver: steps, depth, batch, xtol, table (nothing else)",
    ("AuctionSection", "method"): "auto: exact solvers where they apply; learn: learn on a type x bid grid "
                                  "(contests and double auctions always learn)",
    ("AuctionSection", "grid"): "Grid of method learn: [types, bids] or one size for both (default 64 x 64)",
    ("AuctionSection", "learning"): ("Options of method learn: method, iterations, tol, stop, seed, init, step, regularizer, "
                                    "polish, time_limit, bids, zoom, symmetric, ties, bid_function, loss_grid (nothing else)"),
    ("AuctionSection", "utility"): "Bidders' risk attitude, e.g. {risk_aversion: 0.5}",
    ("AuctionSection", "r"): "Exponent of the Tullock contest success function b_i^r / sum_j b_j^r",
    ("AuctionSection", "k"): "Weight of the buyer's bid in the double-auction price k b + (1-k) s",
    ("AuctionSection", "buyer"): "The buyer's value distribution (double_auction)",
    ("AuctionSection", "seller"): "The seller's cost distribution (double_auction)",
    ("UtilitySpec", "risk_aversion"): "CRRA coefficient rho in (0, 1]: u(x) = x**rho (1 = risk neutral)",
    ("BidderSpec", "name"): "Bidder name (default 'bidder i')",
    ("BidderSpec", "distribution"): "Her value distribution",
    ("DistributionSpec", "family"): "Name of a scipy.stats continuous distribution (uniform, beta, norm, ...)",
    ("DistributionSpec", "args"): "Positional shape parameters of the family",
    ("DistributionSpec", "params"): "Keyword parameters (loc, scale, ...)",
    ("DistributionSpec", "truncate"): "Truncate the law to [low, high]",
}

#: Sections of ``mechdesign schema SECTION`` and their models (``spec``: the whole file).
SECTIONS: dict[str, type[BaseModel]] = {
    "prior": PriorSpec, "mechanism": MechanismSpec, "game": GameSpec, "auction": AuctionSection,
    "design": DesignSpec, "combinatorial": CombinatorialSection,
}


def _spec_file() -> type[BaseModel]:
    """The whole spec with its sections typed (the CLI validates ``game``/``auction`` when used)."""
    return create_model("Spec", __base__=Spec, __doc__=Spec.__doc__,
                        game=(GameSpec | None, None), auction=(AuctionSection | None, None),
                        combinatorial=(CombinatorialSection | None, None))


def _describe(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the meaning of every field that has no description."""
    def fill(model: dict[str, Any]) -> None:
        title = model.get("title", "")
        for name, prop in model.get("properties", {}).items():
            if "description" not in prop and (title, name) in MEANINGS:
                prop["description"] = MEANINGS[(title, name)]
    fill(schema)
    for model in schema.get("$defs", {}).values():
        fill(model)
    return schema


def spec_schema(section: str | None = None) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a spec file, or of one of its sections.

    Parameters
    ----------
    section : {None, "spec", "prior", "mechanism", "game", "auction", "design", "combinatorial"}
        None or ``"spec"``: the whole file.
    """
    if section in (None, "spec"):
        model = _spec_file()
    else:
        model = SECTIONS[v.choice(section, "SECTION", ["spec", *SECTIONS])]
    schema = _describe(model.model_json_schema())
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def _type(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in prop:
        return f"[{prop['$ref'].split('/')[-1]}](#{prop['$ref'].split('/')[-1].lower()})"
    if "anyOf" in prop:
        parts = [_type(p, defs) for p in prop["anyOf"] if p.get("type") != "null"]
        return " or ".join(parts) + (" or null" if any(p.get("type") == "null" for p in prop["anyOf"]) else "")
    if "enum" in prop:
        return " \\| ".join(f"`{x}`" for x in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    kind = prop.get("type", "any")
    if kind == "array":
        if "prefixItems" in prop:
            return "[" + ", ".join(_type(p, defs) for p in prop["prefixItems"]) + "]"
        items = prop.get("items") or {}
        return f"list of {_group(_type(items, defs))}" if items else "list"
    if kind == "object":
        extra = prop.get("additionalProperties")
        return f"mapping to {_group(_type(extra, defs))}" if isinstance(extra, dict) and extra else "mapping"
    return {"number": "number", "integer": "integer", "string": "string", "boolean": "boolean"}.get(kind, kind)


def _group(text: str) -> str:
    return f"({text})" if " or " in text else text


def _one_line(text: str) -> str:
    return " ".join(text.replace("``", "`").replace("|", "\\|").split())


def reference_markdown() -> str:
    """The field-by-field reference of the spec format (the body of ``docs/spec.md``)."""
    schema = spec_schema()
    defs = schema.get("$defs", {})
    order = ["Spec", "PriorSpec", "MechanismSpec", "GameSpec", "DesignSpec", "AuctionSection", "BidderSpec",
             "DistributionSpec", "UtilitySpec", "CombinatorialSection", "GenerateSection", "SolverSection",
             "EquilibriumSection"]
    models = {"Spec": schema, **defs}
    where = {"Spec": "the top level", "PriorSpec": "`prior:`", "MechanismSpec": "`mechanism:`",
             "GameSpec": "`game:`", "DesignSpec": "`design:`", "AuctionSection": "`auction:`",
             "BidderSpec": "each entry of `auction.bidders`",
             "DistributionSpec": "`auction.distribution`, `auction.bidders[].distribution`, `auction.buyer`, "
                                 "`auction.seller`",
             "UtilitySpec": "`auction.utility`",
             "CombinatorialSection": "`combinatorial:`", "GenerateSection": "`combinatorial.generate`",
             "SolverSection": "`combinatorial.solver`", "EquilibriumSection": "`combinatorial.equilibrium`"}
    lines = []
    for title in order + sorted(set(models) - set(order)):
        model = models[title]
        lines += [f"## {title}", "", f"Where: {where.get(title, title)}.", ""]
        if model.get("description"):
            lines += [_one_line(model["description"]), ""]
        required = set(model.get("required", []))
        lines += ["| field | type | required / default | meaning |", "|---|---|---|---|"]
        for name, prop in model.get("properties", {}).items():
            need = "required" if name in required else (
                f"default `{json.dumps(prop['default'])}`" if "default" in prop else "optional")
            lines.append(f"| `{name}` | {_type(prop, defs)} | {need} | {_one_line(prop.get('description', ''))} |")
        lines.append("")
    return "\n".join(lines)


def reference_page() -> str:
    """The whole ``docs/spec.md`` page."""
    head = ("# Spec reference\n\n"
            "Every field of a spec file (YAML or JSON), with its type and meaning. This page is generated\n"
            "from the pydantic models that validate specs (`python -m mechdesign.io.schema > docs/spec.md`;\n"
            "a test checks that it matches them). `mechdesign schema [SECTION]` prints the same format as\n"
            "JSON Schema, for editors and validators. Conventions: [Conventions](conventions.md); examples:\n"
            "the `examples/` folder of the repository.\n\n")
    return head + reference_markdown()


if __name__ == "__main__":  # python -m mechdesign.io.schema > docs/spec.md
    print(reference_page(), end="")
