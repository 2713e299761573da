"""The bridge to the finite core: a combinatorial auction with finite types as an Environment.

Each bidder's *type* is the list of her values for the bundles she bids on (one
number per bid of hers, in order; a single number for a bidder with one bid).
Alternatives are the feasible allocations of bids (pairwise disjoint bundles; XOR:
at most one bid per bidder), named like ``"L1:{A}+L2:{B}"`` (``"none"`` for selling
nothing). A bidder's valuation of an alternative is the sum of her values of her
bids in it. At every reported type profile, each payment rule runs the auction on
the reports as bids: the decision is its winner determination and the transfers
are minus its payments (transfers are money *received*, docs/concepts.md).

So ``md.is_dsic``, ``md.is_bic``, ``md.check`` and ``md.design`` work on small
instances: VCG is DSIC, pay-as-bid is not, core-selecting rules are not DSIC in
general (the audit's witness shows the profitable misreport).

Cost: one winner determination per profile and rule (plus VCG's and the core
constraints' solves), so keep type spaces small (hundreds of profiles).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.combinatorial.bids import BidTable, sort_bundle
from mechdesign.combinatorial.payments import RULES
from mechdesign.mechanisms.direct import DirectMechanism
from mechdesign.model.environment import Environment
from mechdesign.model.prior import IndependentPrior, Prior

DEFAULT_RULES = ("pay_as_bid", "vcg", "nearest_vcg", "nearest_zero", "nearest_bid")
MAX_ALTERNATIVES = 10_000
MAX_PROFILES = 100_000


def feasible_allocations(auction: BidTable) -> list[tuple[int, ...]]:
    """Every feasible set of bids (sorted index tuples), the empty set first."""
    n = auction.n_bids
    items = [frozenset(b.bundle) for b in auction.bids]
    out: list[tuple[int, ...]] = []

    def extend(start: int, chosen: list[int], used: frozenset, owners: frozenset) -> None:
        out.append(tuple(chosen))
        if len(out) > MAX_ALTERNATIVES:
            raise v.fail("auction", f"at most {MAX_ALTERNATIVES} feasible allocations for the finite bridge",
                         "more")
        for j in range(start, n):
            owner = int(auction.bid_bidder[j])
            if items[j] & used or (auction.language == "xor" and owner in owners):
                continue
            extend(j + 1, chosen + [j], used | items[j], owners | {owner})

    extend(0, [], frozenset(), frozenset())
    return out


def _alternative_name(auction: BidTable, chosen: tuple[int, ...]) -> str:
    if not chosen:
        return "none"
    return "+".join(f"{auction.bids[j].bidder}:{{{','.join(sort_bundle(auction.bids[j].bundle, auction.items))}}}"
                    for j in chosen)


def _types_of(auction: BidTable, type_values: Mapping[str, Any]) -> list[np.ndarray]:
    """Per bidder an array (k_i, n_bids_i) of values; bidders not listed keep their bids as one type."""
    if not isinstance(type_values, Mapping):
        raise v.fail("type_values", "a mapping {bidder: [type, ...]}", type(type_values).__name__)
    unknown = [b for b in type_values if str(b) not in auction.bidders]
    if unknown:
        raise v.fail("type_values", f"bidders among {list(auction.bidders)}", f"unknown {unknown}")
    given = {str(b): t for b, t in type_values.items()}
    out = []
    for k, bidder in enumerate(auction.bidders):
        own = auction.bid_indices(bidder)
        if bidder not in given:
            out.append(np.asarray(auction.bid_price[own], dtype=float)[None, :])
            continue
        raw = given[bidder]
        where = f"type_values[{bidder!r}]"
        if isinstance(raw, (str, bytes)) or not isinstance(raw, (Sequence, np.ndarray)) or len(raw) == 0:
            raise v.fail(where, "a non-empty list of types", v._short(raw))
        rows = []
        for t, entry in enumerate(raw):
            vals = np.atleast_1d(np.asarray(entry, dtype=float)) if not isinstance(entry, str) else None
            if vals is None or vals.shape != (own.size,):
                raise v.fail(f"{where}[{t}]", f"{own.size} value(s), one per bid of {bidder!r}", v._short(entry))
            if not np.all(np.isfinite(vals)) or vals.min() < 0:
                raise v.fail(f"{where}[{t}]", "non-negative finite values", v._short(entry))
            rows.append(vals)
        arr = np.array(rows)
        if len({tuple(r) for r in arr.tolist()}) != len(arr):
            raise v.fail(where, "distinct types", v._short(raw))
        out.append(arr)
    return out


def _prior(auction: BidTable, prior: Any, counts: list[int]) -> Prior:
    if prior is None:
        return IndependentPrior([np.full(k, 1.0 / k) for k in counts])
    if isinstance(prior, Prior):
        return prior
    if isinstance(prior, Mapping):
        unknown = [b for b in prior if str(b) not in auction.bidders]
        if unknown:
            raise v.fail("prior", f"bidders among {list(auction.bidders)}", f"unknown {unknown}")
        given = {str(b): p for b, p in prior.items()}
        return IndependentPrior([given.get(b, np.full(k, 1.0 / k)) for b, k in zip(auction.bidders, counts)])
    raise v.fail("prior", "None, a Prior or a mapping {bidder: probabilities}", type(prior).__name__)


def to_environment(auction: BidTable, type_values: Mapping[str, Any], *, prior: Any = None,
                   rules: Sequence[str] | None = None, backend: str = "highs") -> tuple[Environment, dict[str, DirectMechanism]]:
    """An :class:`~mechdesign.Environment` and one :class:`~mechdesign.DirectMechanism` per payment rule.

    Parameters
    ----------
    auction : CombinatorialAuction
        Bidders, bundles and bid language (its prices are only used for bidders
        without ``type_values``, as their single type).
    type_values : mapping
        ``{bidder: [type, ...]}``, a type being her value of each of her bundles
        (module docstring).
    prior : None, Prior or mapping, optional
        Uniform and independent by default; or marginals ``{bidder: [p, ...]}``; or
        any :class:`~mechdesign.Prior` of matching shape.
    rules : sequence of str, optional
        Payment rules (default pay-as-bid, VCG, nearest-VCG, nearest-zero, nearest-bid).

    Returns
    -------
    (Environment, dict)
        The environment and ``{rule: DirectMechanism}``.
    """
    if not isinstance(auction, BidTable):
        raise v.fail("auction", "a CombinatorialAuction", type(auction).__name__)
    rules = tuple(DEFAULT_RULES if rules is None else rules)
    for r in rules:
        v.choice(r, "rules", tuple(x for x in RULES if x != "reference"))
    types = _types_of(auction, type_values)
    counts = [len(t) for t in types]
    if math.prod(counts) > MAX_PROFILES:
        raise v.fail("type_values", f"at most {MAX_PROFILES} type profiles", math.prod(counts))
    allocations = feasible_allocations(auction)
    index_of = {alloc: a for a, alloc in enumerate(allocations)}
    names = [_alternative_name(auction, alloc) for alloc in allocations]
    own = [auction.bid_indices(b) for b in auction.bidders]
    valuations = []
    for k, t in enumerate(types):
        table = np.zeros((len(t), len(allocations)))
        position = {int(j): q for q, j in enumerate(own[k])}
        for a, alloc in enumerate(allocations):
            mine = [position[j] for j in alloc if j in position]
            if mine:
                table[:, a] = t[:, mine].sum(axis=1)
        valuations.append(table)
    labels = []
    for k, t in enumerate(types):
        if t.shape[1] == 1:
            labels.append([float(x) for x in t[:, 0]])
        else:
            labels.append(["(" + ", ".join(f"{x:g}" for x in row) + ")" for row in t])
    env = Environment(list(auction.bidders), names, labels, _prior(auction, prior, counts), valuations)
    shape = tuple(counts)
    decisions = {r: np.zeros(shape, dtype=np.int64) for r in rules}
    transfers = {r: np.zeros(shape + (auction.n_bidders,)) for r in rules}
    for profile in itertools.product(*(range(k) for k in counts)):
        prices = np.empty(auction.n_bids)
        for k, t in enumerate(profile):
            prices[own[k]] = types[k][t]
        reported = auction.with_prices(prices)
        for r in rules:
            pay = reported.payments(rule=r, backend=backend)
            decisions[r][profile] = index_of[tuple(sorted(pay.winners.winning_bids))]
            transfers[r][profile] = [-pay.payments[b] for b in auction.bidders]
    mechanisms = {r: DirectMechanism(env, decisions[r], transfers[r], name=f"combinatorial auction ({r})")
                  for r in rules}
    return env, mechanisms


__all__ = ["DEFAULT_RULES", "feasible_allocations", "to_environment"]
