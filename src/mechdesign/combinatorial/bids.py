"""Items, bids and bid languages: the :class:`BidTable` under every combinatorial auction.

A *bid* is a bundle (a non-empty set of items) with a price. Each bidder submits a
list of bids in one of two bid languages (docs/combinatorial.md):

* ``"xor"``: at most one of a bidder's bids wins (she values any set of items at
  its best bundle among her bids);
* ``"or"``: any set of her bids with pairwise disjoint bundles may win, and she
  pays/values the sum of their prices.

Items are sold once: winning bundles are pairwise disjoint. Prices are what the
bidders *report*; payment rules (:mod:`mechdesign.combinatorial.payments`) turn
reports into what each winner pays.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from mechdesign import _validation as v

LANGUAGES = ("xor", "or")


@dataclass(frozen=True)
class Bid:
    """One bid: ``bidder`` offers ``price`` for the items of ``bundle``."""

    bidder: str
    bundle: frozenset[str]
    price: float

    def to_dict(self, order: Sequence[str] | None = None) -> dict[str, Any]:
        """JSON-ready form (items in ``order`` if given, else sorted)."""
        return {"bidder": self.bidder, "bundle": sort_bundle(self.bundle, order), "price": self.price}


def sort_bundle(bundle: Iterable[str], order: Sequence[str] | None = None) -> list[str]:
    """Items of ``bundle`` as a list, in the auction's item order when given."""
    if order is None:
        return sorted(bundle)
    rank = {item: k for k, item in enumerate(order)}
    return sorted(bundle, key=lambda item: rank.get(item, len(rank)))


def _bundle_text(items: Iterable[Any]) -> str:
    return "[" + ", ".join(repr(str(i)) for i in items) + "]"


def _parse_bid(entry: Any, where: str) -> tuple[Any, Any]:
    """A bid given as ``(bundle, price)`` or ``{"bundle": ..., "price": ...}``."""
    if isinstance(entry, Mapping):
        unknown = sorted(set(map(str, entry)) - {"bundle", "price"})
        if unknown or "bundle" not in entry or "price" not in entry:
            raise v.fail(where, "a bid {bundle: [items], price: number}", v._short(dict(entry)))
        return entry["bundle"], entry["price"]
    if isinstance(entry, (str, bytes)) or not isinstance(entry, Sequence) or len(entry) != 2:
        raise v.fail(where, "a bid (bundle, price)", v._short(entry))
    return entry[0], entry[1]


def _parse_bundle(raw: Any, where: str, items: Mapping[str, int]) -> frozenset[str]:
    if isinstance(raw, (str, bytes)) or not isinstance(raw, (Iterable, np.ndarray)):
        raise v.fail(f"{where}.bundle", "a set or list of item names", v._short(raw))
    members = [str(i) for i in raw]
    if not members:
        raise v.fail(f"{where}.bundle", "a non-empty set of items", "an empty bundle")
    unknown = [i for i in members if i not in items]
    if unknown:
        raise v.fail(f"{where}.bundle", f"items among {list(items)}",
                     f"unknown item {unknown[0]!r} in bundle {_bundle_text(members)}")
    if len(set(members)) != len(members):
        dup = next(i for i in members if members.count(i) > 1)
        raise v.fail(f"{where}.bundle", "each item at most once",
                     f"{dup!r} twice in bundle {_bundle_text(members)}")
    return frozenset(members)


def _parse_price(raw: Any, where: str, bundle: Sequence[str]) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (numbers.Real, np.integer, np.floating)):
        raise v.fail(f"{where}.price", "a non-negative finite number",
                     f"{v._short(raw)} for bundle {_bundle_text(bundle)}")
    price = float(raw)
    if not math.isfinite(price) or price < 0:
        raise v.fail(f"{where}.price", "a non-negative finite number", f"{price!r} for bundle {_bundle_text(bundle)}")
    return price


class BidTable:
    """The validated items, bidders and bids of a combinatorial auction (no solving).

    :class:`~mechdesign.combinatorial.CombinatorialAuction` adds winner determination,
    payments and the bridges; the solving modules (``wdp``, ``payments``, ``finite``)
    work on this table, so they depend on this module and not on the auction's.

    Parameters and errors: those of :class:`~mechdesign.combinatorial.CombinatorialAuction`.
    """

    def __init__(self, items: Any, bids: Any, language: str = "xor"):
        self.items: tuple[str, ...] = v.names(items, "items")
        self.language: str = v.choice(language, "language", LANGUAGES)
        if not isinstance(bids, Mapping):
            raise v.fail("bids", "a mapping {bidder: [(bundle, price), ...]}", type(bids).__name__)
        if not bids:
            raise v.fail("bids", "at least one bidder", "an empty mapping")
        self.bidders: tuple[str, ...] = v.names([str(b) for b in bids], "bids (bidder names)")
        item_index = {item: k for k, item in enumerate(self.items)}
        flat: list[Bid] = []
        for bidder, entries in zip(self.bidders, bids.values()):
            if isinstance(entries, (str, bytes, Mapping)) or not isinstance(entries, (Sequence, np.ndarray)):
                raise v.fail(f"bids[{bidder!r}]", "a list of bids (bundle, price)", v._short(entries))
            seen: dict[frozenset[str], int] = {}
            for k, entry in enumerate(entries):
                where = f"bids[{bidder!r}][{k}]"
                raw_bundle, raw_price = _parse_bid(entry, where)
                bundle = _parse_bundle(raw_bundle, where, item_index)
                price = _parse_price(raw_price, where, sort_bundle(bundle, self.items))
                if bundle in seen:
                    raise v.fail(f"{where}.bundle", "each bundle at most once in a bidder's bids",
                                 f"{_bundle_text(sort_bundle(bundle, self.items))} again; first at "
                                 f"bids[{bidder!r}][{seen[bundle]}]")
                seen[bundle] = k
                flat.append(Bid(bidder, bundle, price))
        self.bids: tuple[Bid, ...] = tuple(flat)
        index = {b: k for k, b in enumerate(self.bidders)}
        self.bid_bidder = v.frozen(np.array([index[b.bidder] for b in flat], dtype=np.int64))
        self.bid_price = v.frozen(np.array([b.price for b in flat], dtype=float))
        rows = np.repeat(np.arange(len(flat)), [len(b.bundle) for b in flat])
        cols = np.array([item_index[i] for b in flat for i in sort_bundle(b.bundle, self.items)], dtype=np.int64)
        self.incidence = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(len(flat), len(self.items)))
        # winner-determination models and results per solver settings, kept by mechdesign.combinatorial.wdp
        self._solved: dict[tuple, Any] = {}

    # ------------------------------------------------------------------ views
    @property
    def n_bids(self) -> int:
        """Number of bids (over all bidders)."""
        return len(self.bids)

    @property
    def n_items(self) -> int:
        """Number of items."""
        return len(self.items)

    @property
    def n_bidders(self) -> int:
        """Number of bidders."""
        return len(self.bidders)

    def bids_of(self, bidder: str) -> list[Bid]:
        """The bids of ``bidder`` in the order given."""
        v.lookup(bidder, "bidder", self.bidders)
        return [b for b in self.bids if b.bidder == bidder]

    def bid_indices(self, bidder: str | int) -> np.ndarray:
        """Indices (into :attr:`bids`) of one bidder's bids."""
        k = v.lookup(bidder, "bidder", self.bidders)
        return np.flatnonzero(self.bid_bidder == k)

    def with_prices(self, prices: Any) -> BidTable:
        """The same bidders and bundles with new prices (one per bid, in :attr:`bids` order)."""
        arr = v.float_array(prices, "prices", shape=(self.n_bids,))
        grouped: dict[str, list] = {b: [] for b in self.bidders}
        for bid, price in zip(self.bids, arr):
            grouped[bid.bidder].append((bid.bundle, float(price)))
        return type(self)(self.items, grouped, self.language)

    def is_feasible(self, chosen: Iterable[int]) -> bool:
        """Whether the bids with these indices can win together (disjoint; XOR: one per bidder)."""
        used: set[str] = set()
        owners: set[int] = set()
        for j in chosen:
            bid = self.bids[int(j)]
            if bid.bundle & used:
                return False
            used |= bid.bundle
            owner = int(self.bid_bidder[int(j)])
            if self.language == "xor" and owner in owners:
                return False
            owners.add(owner)
        return True

    # -------------------------------------------------------------- analysis
    # ---------------------------------------------------------------- output
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (items, language, bids by bidder)."""
        grouped: dict[str, list] = {b: [] for b in self.bidders}
        for bid in self.bids:
            grouped[bid.bidder].append({"bundle": sort_bundle(bid.bundle, self.items), "price": bid.price})
        return {"items": list(self.items), "language": self.language, "bids": grouped}

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.n_items} items, {self.n_bidders} bidders, {self.n_bids} bids, "
                f"language={self.language!r})")


__all__ = ["Bid", "BidTable", "LANGUAGES", "sort_bundle"]
