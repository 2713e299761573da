"""Ready-made indirect mechanisms (``md.examples``): auctions on a bid grid, voluntary
contributions to a public project, posted-price bilateral trade.

Each builder returns a :class:`~mechdesign.Mechanism`; turn it into a game with
:meth:`mechdesign.BayesianGame.from_mechanism`. Given an environment, a builder
finds the alternatives it needs *by name* (in any order): auctions need one
alternative per bidder named after her (``"A"`` or ``"A wins"``) and one of
:data:`NO_SALE`; ``voluntary_contribution`` needs ``build`` and ``skip``;
``posted_price_trade`` needs ``trade`` and ``no trade``. An environment whose
alternatives cannot be matched is refused. Ties in auctions are broken
uniformly at random among the highest bidders: the decision is a lottery and
the transfers are the expected payments (quasilinear players only care about
expectations).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.mechanisms.indirect import Mechanism
from mechdesign.model.environment import Environment
from mechdesign.model.generators import bilateral_trade, public_project, single_item_auction
from mechdesign.model.prior import Prior


def _grid(values: Any, name: str) -> list[float]:
    grid = v.float_array(values, name, ndim=1)
    if grid.size == 0:
        raise v.fail(name, "a non-empty list of numbers", "an empty list")
    return grid.tolist()


#: Names accepted for the "nobody gets the item" alternative of an auction.
NO_SALE = ("none", "no sale", "nobody", "no one", "unsold")


def _match(env: Environment, wanted: dict[str, tuple[str, ...]], what: str) -> dict[str, int]:
    """Index of the alternative named by one of ``wanted[role]``, for every role; SpecError if unmatched."""
    found: dict[str, int] = {}
    for role, names in wanted.items():
        hits = [x for x, alt in enumerate(env.alternatives) if alt in names]
        if len(hits) != 1:
            raise v.fail("env.alternatives", f"{what}: exactly one alternative named {' or '.join(map(repr, names))}",
                         f"{list(env.alternatives)}")
        found[role] = hits[0]
    if len(found) != env.n_alternatives:
        extra = [a for x, a in enumerate(env.alternatives) if x not in found.values()]
        raise v.fail("env.alternatives", f"{what}: no alternatives besides the matched ones", f"also {extra}")
    return found


def _auction_env(env: Environment | None, values: Any, n_bidders: int,
                 prior: Prior | None) -> tuple[Environment, list[int]]:
    """The environment and, per bidder then for "no sale", the index of the alternative."""
    if env is None:
        env = single_item_auction(values=values, n_bidders=n_bidders, prior=prior)
    elif not isinstance(env, Environment):
        raise v.fail("env", "an Environment", type(env).__name__)
    wanted = {f"bidder {i}": (p, f"{p} wins") for i, p in enumerate(env.players)}
    wanted["none"] = NO_SALE
    found = _match(env, wanted, "one alternative per bidder (named after her, or '<name> wins') and 'none'")
    return env, [found[f"bidder {i}"] for i in range(env.n_players)] + [found["none"]]


def _auction(env: Environment, where: list[int], bids: list[float], pay: str, name: str) -> Mechanism:
    """Highest bid wins (ties uniform); ``pay``: 'first' (winner pays her bid), 'second', 'all' (all pay).

    ``where[i]`` is the alternative "bidder i wins" (``where[n]``: no sale).
    """
    n = env.n_players
    position = np.asarray(where[:n])

    def g(profile: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
        b = np.asarray(profile, dtype=float)
        money = -b.copy() if pay == "all" else np.zeros(n)
        top = b.max()
        winners = np.flatnonzero(b == top)
        share = 1.0 / winners.size
        lottery = np.zeros(n + 1)
        lottery[position[winners]] = share
        if pay == "first":
            money[winners] -= share * top
        elif pay == "second":
            price = top if winners.size > 1 else np.delete(b, winners[0]).max(initial=0.0)
            money[winners] -= share * price
        return lottery, money

    return Mechanism(env, actions=[bids] * n, outcome=g, name=name)


def first_price_auction(bids: Any = (0.0, 1.0, 2.0), values: Any = (0.0, 1.0, 2.0, 3.0), n_bidders: int = 2,
                        prior: Prior | None = None, env: Environment | None = None) -> Mechanism:
    """Discrete first-price sealed-bid auction: highest bid wins and pays her bid.

    Parameters
    ----------
    bids : list of numbers
        The bid grid (every bidder's action set).
    values, n_bidders, prior :
        The environment (:func:`mechdesign.examples.single_item_auction`) when
        ``env`` is not given.
    env : Environment, optional
        An environment with one alternative per bidder, named after her (or
        ``"<name> wins"``), and one named ``"none"`` (or another of
        :data:`NO_SALE`), in any order.
    """
    env, where = _auction_env(env, values, n_bidders, prior)
    return _auction(env, where, _grid(bids, "bids"), "first", "first-price auction")


def second_price_auction(bids: Any = (0.0, 1.0, 2.0, 3.0), values: Any = (0.0, 1.0, 2.0, 3.0), n_bidders: int = 2,
                         prior: Prior | None = None, env: Environment | None = None) -> Mechanism:
    """Discrete second-price (Vickrey) auction: highest bid wins and pays the highest other bid.

    With ties the winner is drawn uniformly and pays the tied bid; a lone
    bidder pays 0. The parameters are those of :func:`first_price_auction`.
    """
    env, where = _auction_env(env, values, n_bidders, prior)
    return _auction(env, where, _grid(bids, "bids"), "second", "second-price auction")


def all_pay_auction(bids: Any = (0.0, 1.0, 2.0), values: Any = (0.0, 1.0, 2.0, 3.0), n_bidders: int = 2,
                    prior: Prior | None = None, env: Environment | None = None) -> Mechanism:
    """Discrete all-pay auction: every bidder pays her bid, the highest bid wins.

    Parameters as in :func:`first_price_auction`.
    """
    env, where = _auction_env(env, values, n_bidders, prior)
    return _auction(env, where, _grid(bids, "bids"), "all", "all-pay auction")


def voluntary_contribution(contributions: Any = (0.0, 25.0, 50.0), types: Any = (10.0, 30.0, 45.0),
                           cost: float = 50.0, n_players: int = 2, refund: bool = True,
                           prior: Prior | None = None, env: Environment | None = None) -> Mechanism:
    """Voluntary contributions to a public project: it is built when they cover ``cost``.

    Player i values the project at her type θ_i (``public_project`` with
    ``cost_sharing="designer"``: the contributions pay for it). Each player
    announces a contribution from the grid; with ``refund=True`` contributions
    are collected only when the project is built (a money-back guarantee),
    otherwise they are always collected.

    Parameters
    ----------
    env : Environment, optional
        An environment with alternatives named ``build`` and ``skip`` (in any order).
    """
    if env is None:
        env = public_project(types=types, cost=cost, n_players=n_players, cost_sharing="designer", prior=prior)
    elif not isinstance(env, Environment):
        raise v.fail("env", "an Environment with alternatives build and skip", type(env).__name__)
    found = _match(env, {"build": ("build",), "skip": ("skip",)}, "alternatives build and skip")
    grid = _grid(contributions, "contributions")
    target = float(v.float_array(cost, "cost", ndim=0))
    refund = v.flag(refund, "refund")

    def g(profile: tuple[float, ...]) -> tuple[int, list[float]]:
        built = sum(profile) >= target
        pays = built or not refund
        return (found["build"] if built else found["skip"]), [-c if pays else 0.0 for c in profile]

    return Mechanism(env, actions=[grid] * env.n_players, outcome=g, name="voluntary contributions")


def posted_price_trade(price: float = 1.0, seller_costs: Any = (0.0, 1.0, 2.0), buyer_values: Any = (0.0, 1.0, 2.0),
                       prior: Prior | None = None, env: Environment | None = None) -> Mechanism:
    """Bilateral trade at a posted price: trade happens when both say "yes".

    The seller (player 0) and the buyer (player 1) each answer ``no``/``yes``;
    on trade the buyer pays ``price`` to the seller.

    Parameters
    ----------
    env : Environment, optional
        An environment with players [seller, buyer] (in that order) and
        alternatives named ``trade`` and ``no trade`` in any order
        (:func:`mechdesign.examples.bilateral_trade`).
    """
    if env is None:
        env = bilateral_trade(seller_costs=seller_costs, buyer_values=buyer_values, prior=prior)
    elif not isinstance(env, Environment) or env.n_players != 2:
        raise v.fail("env", "a 2-player Environment [seller, buyer] with alternatives trade and no trade",
                     type(env).__name__ if not isinstance(env, Environment) else f"{env.n_players} players")
    found = _match(env, {"trade": ("trade",), "no trade": ("no trade",)}, "alternatives trade and no trade")
    p = float(v.float_array(price, "price", ndim=0))
    yes, no = found["trade"], found["no trade"]
    decision = np.array([[no, no], [no, yes]])              # (seller, buyer) answers: trade only at (yes, yes)
    transfers = np.zeros((2, 2, 2))
    transfers[1, 1] = [p, -p]
    return Mechanism(env, actions=[["no", "yes"], ["no", "yes"]], outcome=(decision, transfers),
                     name=f"posted price {p:g}")
