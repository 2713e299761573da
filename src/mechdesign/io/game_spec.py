"""The ``game:`` section of a spec: an indirect mechanism on the spec's environment.

Either a table (``kind: table`` with actions and outcome tables over action
profiles) or a built-in mechanism on a grid::

    game: {kind: first_price, bids: [0, 1, 2]}        # also second_price, all_pay
    game: {kind: voluntary_contribution, contributions: [0, 25, 50], cost: 50}
    game: {kind: posted_price, price: 1}
    game:
      kind: table
      actions: {A: [low, high], B: [low, high]}
      decision: [[skip, build], [build, build]]        # alternative per action profile (or lotteries)
      transfers: [[[0, 0], [-5, -5]], [[-5, -5], [-5, -5]]]   # money received, |A_1| x ... x |A_N| x N

Built-in kinds find the alternatives they need by name, in any order (a spec
whose alternatives cannot be matched is refused): auctions need one
alternative per player named after her (``A`` or ``A wins``) and ``none``;
``voluntary_contribution`` needs ``build`` and ``skip`` and values θ_i for
building (the contributions pay the cost); ``posted_price`` needs players
[seller, buyer] and ``trade`` and ``no trade``.

:func:`build_game` estimates the memory of the game's payoff table first
(:mod:`mechdesign.io.memory`) and refuses a game that cannot fit.
"""

from __future__ import annotations

from typing import Any, Literal, Union

from pydantic import Field, StrictBool, ValidationError

from mechdesign import _validation as v
from mechdesign.errors import SpecError
from mechdesign.io import memory
from mechdesign.io.spec import Spec, _decision_table, _format_validation_error, _keyed, _numeric_table, _Strict
from mechdesign.mechanisms.indirect import Mechanism

Number = Union[int, float]
ActionValue = Union[int, float, str]


class GameSpec(_Strict):
    """What indirect mechanism to build on the spec's environment."""

    kind: Literal["table", "first_price", "second_price", "all_pay", "voluntary_contribution", "posted_price"]
    actions: dict[str, list[ActionValue]] | list[list[ActionValue]] | None = Field(
        None, description="table: the actions of each player")
    decision: list[Any] | None = Field(None, description="table: alternative (name/index) or lottery per action profile")
    transfers: list[Any] | None = Field(None, description="table: money received, nested |A_1| x ... x |A_N| x N")
    bids: list[Number] | None = Field(None, description="auctions: the bid grid")
    contributions: list[Number] | None = Field(None, description="voluntary_contribution: the contribution grid")
    cost: Number | None = Field(None, description="voluntary_contribution: cost of the project")
    refund: StrictBool = Field(True, description="voluntary_contribution: contributions collected only if built")
    price: Number | None = Field(None, description="posted_price: the price")


def parse_game(spec: Spec) -> GameSpec:
    """Validate the spec's ``game:`` section."""
    if spec.game is None:
        raise v.fail("game", "a 'game:' section (kind: table | first_price | second_price | all_pay | "
                     "voluntary_contribution | posted_price)", "none")
    try:
        return GameSpec.model_validate(spec.game)
    except ValidationError as exc:
        raise SpecError(_format_validation_error(exc, "game")) from None


def _need(value: Any, name: str, kind: str) -> Any:
    if value is None:
        raise v.fail(f"game.{name}", f"a value for kind {kind!r}", "none")
    return value


def _action_counts(game: GameSpec, env) -> list[int]:
    if game.kind in ("first_price", "second_price", "all_pay"):
        return [len(game.bids or [])] * env.n_players
    if game.kind == "voluntary_contribution":
        return [len(game.contributions or [])] * env.n_players
    if game.kind == "posted_price":
        return [2, 2]
    actions = game.actions or []
    lists = list(actions.values()) if isinstance(actions, dict) else list(actions)
    return [len(a) for a in lists] or [1]


def build_indirect(spec: Spec) -> Mechanism:
    """Build the :class:`Mechanism` of the spec's ``game:`` section on the spec's environment."""
    from mechdesign.games import examples

    game = parse_game(spec)
    env = spec.environment()
    counts = _action_counts(game, env)
    if env.n_profiles > memory.MAX_PROFILES or memory.count_profiles(counts) > memory.MAX_PROFILES:
        raise v.fail("game", "at most 2**62 type and action profiles", memory.profile_text(env.n_types))
    memory.require_memory(memory.game_bytes(env.n_types, counts, env.n_players), "game",
                          detail=f"{memory.profile_text(env.n_types)} × {memory.count_profiles(counts):,} "
                                 "action profiles",
                          suggestion="use fewer types or a coarser action grid")
    kind = game.kind
    if kind in ("first_price", "second_price", "all_pay"):
        builder = {"first_price": examples.first_price_auction, "second_price": examples.second_price_auction,
                   "all_pay": examples.all_pay_auction}[kind]
        return builder(bids=_need(game.bids, "bids", kind), env=env)
    if kind == "voluntary_contribution":
        return examples.voluntary_contribution(contributions=_need(game.contributions, "contributions", kind),
                                               cost=_need(game.cost, "cost", kind), refund=game.refund, env=env)
    if kind == "posted_price":
        return examples.posted_price_trade(price=_need(game.price, "price", kind), env=env)
    actions = _keyed(_need(game.actions, "actions", kind), list(env.players), "game.actions")
    for player, acts in zip(env.players, actions):
        if len(acts) == 0:
            raise v.fail(f"game.actions.{player}", "at least one action", "an empty list")
    decision = _decision_table(_need(game.decision, "decision", kind), env, "game.decision")
    transfers = _numeric_table(_need(game.transfers, "transfers", kind), "game.transfers")
    return Mechanism(env, actions=actions, outcome=(decision, transfers), name=spec.name or "indirect mechanism")


def build_game(spec: Spec):
    """The :class:`~mechdesign.BayesianGame` of the spec's ``game:`` section (memory checked first)."""
    from mechdesign.games.bayesian import BayesianGame

    return BayesianGame.from_mechanism(build_indirect(spec))
