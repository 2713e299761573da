"""Ready-made environments: the classic textbook ones and random ones for experiments."""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.model.environment import Environment
from mechdesign.model.prior import IndependentPrior, JointPrior, Prior


def _per_player_lists(values: Any, n: int, name: str) -> list[list[float]]:
    """One list of numbers per player: a flat list is shared by all ``n`` players."""
    if isinstance(values, np.ndarray):
        values = values.tolist()
    if not isinstance(values, Sequence) or isinstance(values, str) or len(values) == 0:
        raise v.fail(name, "a non-empty list of numbers (or one list per player)", values)
    if all(isinstance(x, numbers.Real) for x in values):
        return [list(map(float, values)) for _ in range(n)]
    if len(values) != n:
        raise v.fail(name, f"one list per player ({n})", f"{len(values)} lists")
    return [list(map(float, x)) for x in values]


def _uniform_prior(n_types: Sequence[int]) -> IndependentPrior:
    return IndependentPrior([np.full(k, 1.0 / k) for k in n_types])


def _count(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise v.fail(name, f"an integer ≥ {minimum}", value)
    return int(value)


def public_project(types: Any = (10.0, 30.0, 45.0), cost: float = 50.0, n_players: int = 2,
                   cost_sharing: str | Sequence[float] = "equal", prior: Prior | None = None) -> Environment:
    """A public project that is built or not (alternatives ``["build", "skip"]``).

    Player i values the project at her type θ_i.

    Parameters
    ----------
    types : list of numbers, or one list per player
        Possible values θ_i of the project.
    cost : float
        Cost of building.
    n_players : int
    cost_sharing : "equal", "designer", or a list of shares summing to 1
        ``"equal"``: each player bears cost/N when it is built, so
        u_i(build) = θ_i − cost/N; a list of shares s_i gives θ_i − s_i·cost;
        ``"designer"``: the designer pays the cost out of the money she
        collects, so u_i(build) = θ_i and the cost is not part of the players'
        welfare (compare the mechanism's revenue with the cost yourself).
    prior : Prior, optional
        Default: independent and uniform.
    """
    n = _count(n_players, "n_players")
    cost = float(v.float_array(cost, "cost", ndim=0))
    if cost < 0:
        raise v.fail("cost", "a non-negative cost", cost)
    spaces = _per_player_lists(types, n, "types")
    if isinstance(cost_sharing, str):
        cost_sharing = v.choice(cost_sharing, "cost_sharing", ("equal", "designer"))
        shares = np.full(n, 1.0 / n) if cost_sharing == "equal" else np.zeros(n)
    else:
        shares = v.float_array(cost_sharing, "cost_sharing", shape=(n,))
        if np.any(shares < 0) or abs(shares.sum() - 1) > 1e-9:
            raise v.fail("cost_sharing", "non-negative shares summing to 1", shares.tolist())
    valuations = [np.array([[t - shares[i] * cost, 0.0] for t in spaces[i]]) for i in range(n)]
    players = [chr(ord("A") + i) if n <= 26 else f"P{i}" for i in range(n)]
    prior = prior or _uniform_prior([len(s) for s in spaces])
    return Environment(players, ["build", "skip"], spaces, prior, valuations)


def single_item_auction(values: Any = (0.0, 1.0, 2.0, 3.0), n_bidders: int = 2,
                        prior: Prior | None = None) -> Environment:
    """One item for sale: alternatives are who gets it (one per bidder) or ``"none"``.

    Bidder i's type is her value v_i; u_i(i gets it) = v_i, otherwise 0.

    Parameters
    ----------
    values : list of numbers, or one list per bidder
        Possible values.
    n_bidders : int
    prior : Prior, optional
        Default: independent and uniform.
    """
    n = _count(n_bidders, "n_bidders")
    spaces = _per_player_lists(values, n, "values")
    players = [f"B{i + 1}" for i in range(n)]
    valuations = []
    for i in range(n):
        u = np.zeros((len(spaces[i]), n + 1))
        u[:, i] = spaces[i]
        valuations.append(u)
    prior = prior or _uniform_prior([len(s) for s in spaces])
    return Environment(players, [*players, "none"], spaces, prior, valuations)


def multi_unit_auction(values: Any = (0.0, 1.0, 2.0, 3.0), n_bidders: int = 3, units: int = 2,
                       prior: Prior | None = None) -> Environment:
    """``units`` identical items for unit-demand bidders: alternatives are the sets of at most ``units`` winners.

    Bidder i's type is her value v_i for one item; u_i(S) = v_i if i ∈ S, else 0.
    Alternatives are labelled by their winners (``"B1+B3"``; ``"none"`` for
    nobody), sets of fewer winners first. With ``units=1`` this is
    :func:`single_item_auction` up to the order of the alternatives.

    Parameters
    ----------
    values : list of numbers, or one list per bidder
    n_bidders : int
    units : int
        Number of items, between 1 and ``n_bidders``.
    prior : Prior, optional
        Default: independent and uniform.
    """
    n = _count(n_bidders, "n_bidders")
    c = _count(units, "units")
    if c > n:
        raise v.fail("units", f"at most n_bidders = {n}", c)
    spaces = _per_player_lists(values, n, "values")
    players = [f"B{i + 1}" for i in range(n)]
    sets = [s for size in range(c + 1) for s in itertools.combinations(range(n), size)]
    labels = ["+".join(players[i] for i in s) if s else "none" for s in sets]
    valuations = []
    for i in range(n):
        u = np.zeros((len(spaces[i]), len(sets)))
        for x, s in enumerate(sets):
            if i in s:
                u[:, x] = spaces[i]
        valuations.append(u)
    prior = prior or _uniform_prior([len(s) for s in spaces])
    return Environment(players, labels, spaces, prior, valuations)


def bilateral_trade(seller_costs: Any = (0.0, 1.0, 2.0), buyer_values: Any = (0.0, 1.0, 2.0),
                    prior: Prior | None = None) -> Environment:
    """A seller with cost c and a buyer with value v: alternatives ``["trade", "no trade"]``.

    u_seller(trade) = −c, u_buyer(trade) = v, both 0 without trade. Trade is
    efficient when v > c (Myerson–Satterthwaite setting).

    Parameters
    ----------
    seller_costs, buyer_values : list of numbers
    prior : Prior, optional
        Default: independent and uniform.
    """
    costs = _per_player_lists(seller_costs, 1, "seller_costs")[0]
    values = _per_player_lists(buyer_values, 1, "buyer_values")[0]
    seller = np.array([[-c, 0.0] for c in costs])
    buyer = np.array([[b, 0.0] for b in values])
    prior = prior or _uniform_prior([len(costs), len(values)])
    return Environment(["seller", "buyer"], ["trade", "no trade"], [costs, values], prior, [seller, buyer])


def random_environment(n_players: int = 2, n_types: int | Sequence[int] = 3, n_alternatives: int = 3,
                       seed: int | None = None, correlated: bool = False,
                       interdependent: bool = False) -> Environment:
    """A random environment for experiments and property tests.

    Valuations are uniform on [0, 1); marginals (or, with ``correlated=True``,
    the joint prior) are drawn from a flat Dirichlet distribution, so every
    type profile has positive probability.

    Parameters
    ----------
    n_players : int
    n_types : int or list of int
        Types per player (one count for all, or one per player).
    n_alternatives : int
    seed : int, optional
        Seed of :func:`numpy.random.default_rng` (reproducible).
    correlated : bool
        Draw a :class:`JointPrior` instead of an :class:`IndependentPrior`.
    interdependent : bool
        Valuations depend on the whole type profile.
    """
    n = _count(n_players, "n_players")
    n_alt = _count(n_alternatives, "n_alternatives")
    if isinstance(n_types, (str, bytes)) or not isinstance(n_types, Sequence) and not hasattr(n_types, "__len__"):
        counts = [_count(n_types, "n_types")] * n
    else:
        counts = [_count(k, f"n_types[{j}]") for j, k in enumerate(n_types)]
        if len(counts) != n:
            raise v.fail("n_types", f"one count per player ({n})", len(counts))
    for name, flag in (("correlated", correlated), ("interdependent", interdependent)):
        if not isinstance(flag, (bool, np.bool_)):
            raise v.fail(name, "True or False", repr(flag))
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise v.fail("seed", "None or a non-negative integer", repr(seed))
    rng = np.random.default_rng(seed)
    if correlated:
        joint = rng.dirichlet(np.ones(int(np.prod(counts)))).reshape(counts)
        prior: Prior = JointPrior(joint / joint.sum())
    else:
        prior = IndependentPrior([rng.dirichlet(np.ones(k)) for k in counts])
    if interdependent:
        valuations = [rng.uniform(size=(*counts, n_alt)) for _ in range(n)]
    else:
        valuations = [rng.uniform(size=(k, n_alt)) for k in counts]
    types = [list(range(k)) for k in counts]
    return Environment([f"P{i}" for i in range(n)], [f"x{a}" for a in range(n_alt)], types, prior, valuations)
