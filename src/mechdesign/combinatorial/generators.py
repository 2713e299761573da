"""Random combinatorial auctions with seeds: CATS-like distributions, LLG and LLLLGG.

``generate(kind, n_items, n_bids, seed)`` returns a :class:`CombinatorialAuction` in
the XOR language. The CATS-like kinds follow the generative stories of Leyton-Brown,
Pearson and Shoham (2000), "Towards a universal test suite for combinatorial auction
algorithms" (EC'00), written anew here (they are not bit-identical to the CATS
program, and need no dummy goods since XOR is native):

* ``"arbitrary"`` (§4.3): items have common values; pairs of items have random
  complementarities; a bidder grows a bundle item by item, favouring items she likes
  and that fit the bundle; then bids on substitutable bundles of the same size that
  share an item with the first, within her budget.
* ``"regions"`` (§4.2): the same story on a grid of items (real-estate lots or
  spectrum regions): bundles grow through neighbouring cells (4-neighbours, plus
  a diagonal with probability 0.2).
* ``"paths"`` (§4.1): items are the edges of a random geometric graph of cities; a
  bidder wants to connect two cities and bids on a few short paths between them,
  paying less for longer paths.
* ``"scheduling"`` (§4.4): items are time slots; a bidder has a job of some length
  and one or more deadlines (later deadlines worth less) and bids on every start
  time that meets a deadline (at most 10 bids, evenly spread).

Bids are generated bidder by bidder until there are ``n_bids`` (the last bidder's
bids are truncated). Prices are positive floats; items are named ``i0, i1, ...`` and
bidders ``b0, b1, ...``.

``"llg"`` and ``"llllgg"`` are the local-global models of bnelearn (Bosshard et al.
2017/2020): LLG has items A, B, locals L1 (bids on {A}) and L2 ({B}) with values
U[0, 1] and a global G ({A, B}) with a value U[0, 2]. LLLLGG has 8 items on a
ring, four locals each bidding (XOR) on two pairs of adjacent items with values
U[0, 1], and two globals each bidding on two blocks of four items with values U[0, 2].
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from mechdesign import _validation as v
from mechdesign.combinatorial.auction import CombinatorialAuction

KINDS = ("arbitrary", "regions", "paths", "scheduling", "llg", "llllgg")
#: Largest n_items of the CATS-like kinds (they hold dense item-by-item tables: 8 · n_items² bytes).
MAX_ITEMS = 5_000
#: Largest n_bids.
MAX_BIDS = 1_000_000

# CATS-like defaults (LPS 2000, Table 2 style parameters)
MAX_VALUE = 100.0
DEVIATION = 0.5
ADD_ITEM_PROB = 0.7
ADDITIVITY = 0.2
BUDGET_FACTOR = 1.5
RESALE_FACTOR = 0.5
MAX_SUBSTITUTES = 5


def _count(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise v.fail(name, f"an integer ≥ {minimum}", v._short(value))
    return int(value)


def _rng(seed: Any) -> np.random.Generator:
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise v.fail("seed", "a non-negative integer or None", v._short(seed))
    return np.random.default_rng(seed)


class _Collector:
    """Bids by bidder until ``n_bids`` are placed."""

    def __init__(self, n_bids: int):
        self.n_bids = n_bids
        self.count = 0
        self.bids: dict[str, list] = {}

    @property
    def full(self) -> bool:
        return self.count >= self.n_bids

    def add(self, bundles: list[tuple[frozenset, float]]) -> None:
        seen: set[frozenset] = set()
        unique = []
        for bundle, price in bundles:
            if bundle and price > 0 and bundle not in seen:
                seen.add(bundle)
                unique.append((bundle, float(price)))
        unique = unique[:self.n_bids - self.count]
        if unique:
            self.bids[f"b{len(self.bids)}"] = [(sorted(f"i{k}" for k in b), p) for b, p in unique]
            self.count += len(unique)


def _grow(rng, first: int, size_or_prob, weights_of, interests, fixed_size: bool) -> frozenset:
    """Grow a bundle from ``first``: next item ∝ interest × fit; stop by size or probability."""
    bundle = [first]
    mask = np.zeros(interests.size, dtype=bool)
    mask[first] = True
    while True:
        if fixed_size:
            if len(bundle) >= size_or_prob:
                break
        elif rng.random() >= size_or_prob:
            break
        fit = weights_of(mask)
        prob = np.where(mask, 0.0, interests * fit)
        total = prob.sum()
        if total <= 0:
            break
        item = int(rng.choice(interests.size, p=prob / total))
        bundle.append(item)
        mask[item] = True
    return frozenset(bundle)


def _bundle_story(rng, n_items: int, n_bids: int, weights_of) -> dict[str, list]:
    """The regions/arbitrary story of LPS 2000 with a bundle-fit function ``weights_of(mask)``."""
    common = 1.0 + (MAX_VALUE - 1.0) * rng.random(n_items)
    out = _Collector(n_bids)
    guard = 0
    while not out.full:
        guard += 1
        if guard > 100 * n_bids:                       # pragma: no cover - defensive
            break
        interests = rng.random(n_items)
        private = common + MAX_VALUE * DEVIATION * (2 * interests - 1)
        first = int(rng.choice(n_items, p=interests / interests.sum()))
        bundle = _grow(rng, first, ADD_ITEM_PROB, weights_of, interests, fixed_size=False)

        def price_of(b):
            idx = list(b)
            return private[idx].sum() + len(idx) ** (1 + ADDITIVITY)

        price = price_of(bundle)
        if price <= 0:
            continue
        bids = [(bundle, price)]
        candidates = []
        for item in bundle:
            sub = _grow(rng, item, len(bundle), weights_of, interests, fixed_size=True)
            candidates.append((sub, price_of(sub)))
        budget = BUDGET_FACTOR * price
        resale = RESALE_FACTOR * common[list(bundle)].sum()
        for sub, sub_price in sorted(candidates, key=lambda c: -c[1]):
            if len(bids) > MAX_SUBSTITUTES:
                break
            if 0 < sub_price <= budget and common[list(sub)].sum() >= resale:
                bids.append((sub, sub_price))
        out.add(bids)
    return out.bids


def _arbitrary(rng, n_items: int, n_bids: int) -> dict[str, list]:
    fit = np.triu(rng.random((n_items, n_items)), k=1)
    fit = fit + fit.T
    fit = fit / fit.sum(axis=1, keepdims=True) if n_items > 1 else np.zeros((1, 1))
    return _bundle_story(rng, n_items, n_bids, lambda mask: fit[mask].mean(axis=0))


def _regions(rng, n_items: int, n_bids: int) -> dict[str, list]:
    cols = max(1, int(math.ceil(math.sqrt(n_items))))
    adjacency = np.zeros((n_items, n_items), dtype=bool)
    for k in range(n_items):
        r, c = divmod(k, cols)
        for dr, dc in ((0, 1), (1, 0)):
            j = (r + dr) * cols + (c + dc)
            if c + dc < cols and j < n_items:
                adjacency[k, j] = adjacency[j, k] = True
        for dc in (-1, 1):                           # an additional diagonal neighbour, with probability 0.2
            j = (r + 1) * cols + (c + dc)
            if 0 <= c + dc < cols and j < n_items and rng.random() < 0.2:
                adjacency[k, j] = adjacency[j, k] = True
    return _bundle_story(rng, n_items, n_bids, lambda mask: adjacency[mask].any(axis=0).astype(float))


def _paths(rng, n_items: int, n_bids: int) -> dict[str, list]:
    # a connected geometric graph with n_items edges: minimum spanning tree, then shortest extra pairs
    n_cities = max(2, int(round(0.45 * n_items)) + 1)
    pts = rng.random((n_cities, 2))
    dist = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))
    tree = csgraph.minimum_spanning_tree(sp.csr_matrix(np.triu(dist, 1)))
    edges = set(map(tuple, np.sort(np.argwhere(tree.toarray() > 0), axis=1)))
    order = np.argsort(np.triu(dist, 1), axis=None)
    for flat in order:
        if len(edges) >= n_items:
            break
        a, b = divmod(int(flat), n_cities)
        if a < b:
            edges.add((a, b))
    edges = sorted(edges)[:n_items] if len(edges) > n_items else sorted(edges)
    edge_id = {e: k for k, e in enumerate(edges)}
    lengths = np.array([dist[a, b] for a, b in edges])
    out = _Collector(n_bids)
    while not out.full:
        s, t = (int(x) for x in rng.choice(n_cities, size=2, replace=False))
        found: dict[frozenset, float] = {}
        for attempt in range(12):
            noise = 1.0 if attempt == 0 else rng.uniform(1.0, 1.6, size=lengths.size)
            weights = lengths * noise
            graph = sp.csr_matrix((np.r_[weights, weights],
                                   (np.r_[[a for a, _ in edges], [b for _, b in edges]],
                                    np.r_[[b for _, b in edges], [a for a, _ in edges]])),
                                  shape=(n_cities, n_cities))
            _, pred = csgraph.dijkstra(graph, indices=s, return_predecessors=True)
            if pred[t] < 0:
                break
            path, node = [], t
            while node != s:
                prev = int(pred[node])
                path.append(edge_id[(min(prev, node), max(prev, node))])
                node = prev
            found[frozenset(path)] = float(lengths[path].sum())
            if len(found) > MAX_SUBSTITUTES:
                break
        if not found:
            continue
        shortest = min(found.values())
        value = shortest * MAX_VALUE * rng.uniform(1.0, 2.0)
        out.add([(b, value * shortest / length) for b, length in sorted(found.items(), key=lambda kv: kv[1])
                 if length <= 1.5 * shortest])
    return out.bids


def _scheduling(rng, n_items: int, n_bids: int) -> dict[str, list]:
    out = _Collector(n_bids)
    max_length = max(1, n_items // 5)
    while not out.full:
        length = int(rng.integers(1, max_length + 1))
        deadlines = [int(rng.integers(length, n_items + 1))]
        while deadlines[-1] < n_items and rng.random() < 0.7:
            deadlines.append(int(rng.integers(deadlines[-1] + 1, n_items + 1)))
        values = [length * MAX_VALUE * rng.uniform(0.5, 1.5)]
        for _ in deadlines[1:]:
            values.append(values[-1] * rng.uniform(0.5, 0.9))
        starts = np.arange(0, deadlines[-1] - length + 1)
        if starts.size > 10:
            starts = np.unique(np.linspace(0, starts[-1], 10).round().astype(int))
        bids = []
        for s in starts:
            finish = s + length
            worth = next(val for d, val in zip(deadlines, values) if finish <= d)
            bids.append((frozenset(range(int(s), int(finish))), worth))
        out.add(bids)
    return out.bids


def llg(values: Any = None, seed: Any = None) -> CombinatorialAuction:
    """The LLG auction: bids ``values = (L1, L2, G)`` or values drawn (locals U[0,1], global U[0,2])."""
    if values is None:
        rng = _rng(seed)
        values = (rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0, 2))
    arr = v.float_array(values, "values", shape=(3,))
    return CombinatorialAuction(["A", "B"], {"L1": [({"A"}, arr[0])], "L2": [({"B"}, arr[1])],
                                             "G": [({"A", "B"}, arr[2])]})


LLLLGG_BUNDLES = {
    "L1": [(0, 1), (1, 2)], "L2": [(2, 3), (3, 4)], "L3": [(4, 5), (5, 6)], "L4": [(6, 7), (7, 0)],
    "G1": [(0, 1, 2, 3), (4, 5, 6, 7)], "G2": [(2, 3, 4, 5), (6, 7, 0, 1)],
}


def llllgg(values: Any = None, seed: Any = None) -> CombinatorialAuction:
    """The LLLLGG auction (module docstring); ``values`` per bidder, two numbers each, or drawn."""
    names = list(LLLLGG_BUNDLES)
    if values is None:
        rng = _rng(seed)
        values = {b: rng.uniform(0, 2 if b.startswith("G") else 1, size=2) for b in names}
    if not isinstance(values, dict) or set(values) != set(names):
        raise v.fail("values", f"a mapping with two values for each of {names}", v._short(values))
    items = [f"i{k}" for k in range(8)]
    bids = {}
    for b in names:
        vals = v.float_array(values[b], f"values[{b!r}]", shape=(2,))
        bids[b] = [({items[k] for k in bundle}, float(p)) for bundle, p in zip(LLLLGG_BUNDLES[b], vals)]
    return CombinatorialAuction(items, bids)


def generate(kind: str = "arbitrary", n_items: Any = None, n_bids: Any = None, seed: Any = None) -> CombinatorialAuction:
    """A random combinatorial auction (module docstring).

    Parameters
    ----------
    kind : {"arbitrary", "regions", "paths", "scheduling", "llg", "llllgg"}
    n_items, n_bids : int
        Size of the CATS-like kinds (defaults 20 items, 100 bids); for ``"llg"``
        (2 items, 3 bids) and ``"llllgg"`` (8 items, 12 bids) leave them out or give
        those sizes.
    seed : int, optional
        The same seed gives the same auction.

    Returns
    -------
    CombinatorialAuction
    """
    v.choice(kind, "kind", KINDS)
    if kind in {"llg", "llllgg"}:
        fixed = {"llg": (2, 3), "llllgg": (8, 12)}[kind]
        for name, value, want in (("n_items", n_items, fixed[0]), ("n_bids", n_bids, fixed[1])):
            if value is not None and value != want:
                raise v.fail(name, f"{want} (or None) for kind {kind!r}", v._short(value))
        return llg(seed=seed) if kind == "llg" else llllgg(seed=seed)
    n_items = 20 if n_items is None else _count(n_items, "n_items", 2 if kind == "paths" else 1)
    n_bids = 100 if n_bids is None else _count(n_bids, "n_bids")
    if n_items > MAX_ITEMS:
        raise v.fail("n_items", f"at most {MAX_ITEMS:,} items (the generators hold item-by-item tables)", n_items)
    if n_bids > MAX_BIDS:
        raise v.fail("n_bids", f"at most {MAX_BIDS:,} bids", n_bids)
    rng = _rng(seed)
    bids = {"arbitrary": _arbitrary, "regions": _regions, "paths": _paths, "scheduling": _scheduling}[kind](
        rng, n_items, n_bids)
    return CombinatorialAuction([f"i{k}" for k in range(n_items)], bids, "xor")


__all__ = ["KINDS", "LLLLGG_BUNDLES", "MAX_BIDS", "MAX_ITEMS", "generate", "llg", "llllgg"]
