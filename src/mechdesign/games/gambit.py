"""Gambit interoperability: Bayesian games ⇄ pygambit games and .efg / .nfg files.

The Harsanyi extensive form: a chance move at the root draws the type profile
θ with its prior probability; then players move in order, each at an
information set that groups every node where she has the same type (she sees
her own type, not the others' types nor their actions). Information sets are
labelled with the type labels, actions with the action labels.
``form="strategic"`` builds the (ex-ante) strategic form instead, whose pure
strategies are maps from types to actions (|A_i|^{k_i} of them: small games only).

pygambit is an optional dependency (``pip install mechdesign[gambit]``); it is
imported when one of these functions is called.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign._files import check_output, write_output
from mechdesign.errors import MechDesignError, SpecError
from mechdesign.games.bayesian import BayesianGame, check_game
from mechdesign.model.prior import IndependentPrior, JointPrior

FORMS = ("extensive", "strategic")
ALGORITHMS = ("lcp", "logit", "enummixed")
#: Largest number of pure-strategy profiles ``form="strategic"`` builds.
MAX_STRATEGIC_PROFILES = 10**6


def _pygambit() -> Any:
    try:
        import pygambit
    except ImportError as exc:
        raise MechDesignError("this feature needs pygambit, an optional dependency: "
                              "pip install 'mechdesign[gambit]'") from exc
    return pygambit


def _exact_probabilities(probs: np.ndarray) -> list[Fraction]:
    """Fractions close to ``probs`` that sum to exactly 1 (Gambit requires it)."""
    fractions = [Fraction(float(p)).limit_denominator(10**12) for p in probs]
    biggest = int(np.argmax(probs))
    fractions[biggest] += 1 - sum(fractions)
    return fractions


def to_gambit(game: BayesianGame, form: str = "extensive", title: str | None = None) -> Any:
    """The game as a :class:`pygambit.Game`.

    Parameters
    ----------
    game : BayesianGame
    form : {"extensive", "strategic"}
        The Harsanyi tree (chance node, one information set per player-type)
        or the ex-ante strategic form (pure strategies = type → action maps).
    title : str, optional

    Returns
    -------
    pygambit.Game
    """
    game = check_game(game)
    form = v.choice(form, "form", FORMS)
    gbt = _pygambit()
    title = title or "Bayesian game (mechdesign)"
    if form == "strategic":
        return _strategic(game, gbt, title)
    tree, _ = _tree(game, gbt, title)
    return tree


def _tree(game: BayesianGame, gbt: Any, title: str) -> tuple[Any, list[list[Any]]]:
    """Build the Harsanyi tree; also return the information sets indexed [player][type]."""
    n = game.n_players
    g = gbt.Game.new_tree(players=list(game.players), title=title)
    profiles = list(itertools.product(*(range(k) for k in game.n_types)))
    g.append_move(g.root, g.players.chance,
                  [",".join(game.type_labels[i][t] for i, t in enumerate(prof)) for prof in profiles])
    joint = np.asarray(game.prior.joint()).ravel()
    g.set_chance_probs(g.root.infoset, _exact_probabilities(joint))
    players = list(g.players)
    infosets: list[list[Any]] = [[None] * k for k in game.n_types]
    counter = 0
    for prof, chance_node in zip(profiles, g.root.children):
        level = [chance_node]
        for i in range(n):
            t = prof[i]
            for node in level:
                if infosets[i][t] is None:
                    g.append_move(node, players[i], list(game.action_labels[i]))
                    infosets[i][t] = node.infoset
                    node.infoset.label = game.type_labels[i][t]
                else:
                    g.append_infoset(node, infosets[i][t])
            level = [child for node in level for child in node.children]
        values = game.payoffs[prof].reshape(-1, n)
        for node, payoff in zip(level, values):
            counter += 1
            g.set_outcome(node, g.add_outcome(f"o{counter}", [float(x) for x in payoff]))
    return g, infosets


def _pure_strategies(game: BayesianGame, i: int) -> np.ndarray:
    return np.array(list(itertools.product(range(game.n_actions[i]), repeat=game.n_types[i])), dtype=np.intp)


def _strategic(game: BayesianGame, gbt: Any, title: str) -> Any:
    n = game.n_players
    counts = [game.n_actions[i] ** game.n_types[i] for i in range(n)]
    if math.prod(counts) > MAX_STRATEGIC_PROFILES:
        raise v.fail("form", f"'extensive' for games with more than {MAX_STRATEGIC_PROFILES} pure-strategy profiles",
                     f"'strategic' with {math.prod(counts)} profiles")
    tables = [_pure_strategies(game, i) for i in range(n)]
    joint = np.asarray(game.prior.joint())
    arrays = np.zeros((n, *counts))
    for prof in itertools.product(*(range(k) for k in game.n_types)):
        if joint[prof] == 0:
            continue
        idx = np.ix_(*(tables[i][:, prof[i]] for i in range(n)))
        block = game.payoffs[prof]                                   # (A..., N)
        for i in range(n):
            arrays[i] += joint[prof] * block[..., i][idx]
    g = gbt.Game.from_arrays(*arrays, title=title)
    for i, player in enumerate(g.players):
        player.label = game.players[i]
        for strategy, row in zip(player.strategies, tables[i]):
            strategy.label = "/".join(f"{game.type_labels[i][t]}:{game.action_labels[i][a]}" for t, a in enumerate(row))
    return g


def write_efg(game: BayesianGame, path: str | Path) -> Path:
    """Write the Harsanyi extensive form of ``game`` to a Gambit ``.efg`` file; returns the path.

    The file is written atomically (a temporary file in the same folder, then
    renamed): an existing file is replaced only by a complete one. A directory,
    a missing folder or an unwritable path is a SpecError naming ``path``.
    """
    check_output(path, name="path")
    return write_output(path, to_gambit(game, form="extensive").to_efg(), name="path")


def write_nfg(game: BayesianGame, path: str | Path) -> Path:
    """Write the ex-ante strategic form of ``game`` to a Gambit ``.nfg`` file; returns the path.

    Written atomically, like :func:`write_efg`.
    """
    check_output(path, name="path")
    return write_output(path, to_gambit(game, form="strategic").to_nfg(), name="path")


def read_efg(path: str | Path) -> BayesianGame:
    """Read a Bayesian game back from an ``.efg`` file of the Harsanyi shape (see :func:`from_gambit`)."""
    gbt = _pygambit()
    path = Path(path)
    if not path.is_file():
        raise v.fail("path", "an existing .efg file", str(path))
    try:
        g = gbt.read_efg(str(path))
    except Exception as exc:  # pygambit raises several types for malformed files
        raise v.fail("path", "a valid Gambit .efg file", f"{path}: {exc}") from None
    return from_gambit(g)


def from_gambit(g: Any) -> BayesianGame:
    """Convert a pygambit extensive game of the Harsanyi shape to a :class:`BayesianGame`.

    Shape: the root is a chance move; below each chance outcome every player
    moves exactly once; player i's information sets are her types (in the
    order pygambit lists them) and all have the same actions. The chance
    probability of each outcome is the prior probability of the type profile
    read along its subtree.

    Raises
    ------
    SpecError
        If the tree does not have that shape.
    """
    gbt = _pygambit()
    if not isinstance(g, gbt.Game) or not g.is_tree:
        raise v.fail("game", "a pygambit extensive (tree) game", type(g).__name__)
    if g.root.player is None or not g.root.player.is_chance:
        raise v.fail("game", "a tree whose root is a chance move (Harsanyi form)", "a root that is not a chance node")
    players = list(g.players)
    n = len(players)
    index = {p.label: i for i, p in enumerate(players)}
    infoset_type = [{inf.number: t for t, inf in enumerate(p.infosets)} for p in players]
    n_types = tuple(len(m) for m in infoset_type)
    action_labels = []
    for i, p in enumerate(players):
        sets = list(p.infosets)
        if not sets:
            raise v.fail("game", "every player to move", f"player {p.label!r} never moves")
        labels = [a.label or f"a{k}" for k, a in enumerate(sets[0].actions)]
        if any(len(s.actions) != len(labels) for s in sets):
            raise v.fail("game", f"the same actions at every information set of player {p.label!r}",
                         [len(s.actions) for s in sets])
        action_labels.append(labels)
    n_actions = tuple(len(a) for a in action_labels)
    payoffs = np.zeros((*n_types, *n_actions, n))
    joint = np.zeros(n_types)
    seen = np.zeros(n_types, dtype=bool)
    for action, child in zip(g.root.infoset.actions, g.root.children):
        prob = float(action.prob)
        types: list[int | None] = [None] * n
        leaves: list[tuple[tuple[int, ...], Any]] = []
        _walk(child, [None] * n, types, leaves, index, infoset_type)
        if any(t is None for t in types):
            raise v.fail("game", "every player to move once below each chance outcome", f"types {types}")
        prof = tuple(int(t) for t in types)
        if seen[prof]:
            raise v.fail("game", "one chance outcome per type profile", f"profile {prof} twice")
        seen[prof] = True
        joint[prof] = prob
        if len(leaves) != math.prod(n_actions):
            raise v.fail("game", f"{math.prod(n_actions)} terminal nodes below each chance outcome",
                         len(leaves))
        for actions, leaf in leaves:
            outcome = leaf.outcome
            payoffs[(*prof, *actions)] = [0.0 if outcome is None else float(outcome[p]) for p in players]
    joint_prior = JointPrior(joint / joint.sum())
    prior = IndependentPrior([joint_prior.marginal(i) for i in range(n)]) if joint_prior.is_product() else joint_prior
    type_labels = []
    for i, p in enumerate(players):
        labels = [inf.label or f"t{t}" for t, inf in enumerate(p.infosets)]
        type_labels.append(labels if len(set(labels)) == len(labels) else None)
    return BayesianGame(prior, payoffs, players=[p.label or f"P{i}" for i, p in enumerate(players)],
                        type_labels=type_labels, action_labels=action_labels)


def _walk(node: Any, actions: list[int | None], types: list[int | None], leaves: list, index: dict[str, int],
          infoset_type: list[dict[int, int]]) -> None:
    if not node.children:
        if any(a is None for a in actions):
            raise v.fail("game", "every player to move once on every path", "a path where a player does not move")
        leaves.append((tuple(actions), node))
        return
    if node.player is None or node.player.is_chance:
        raise v.fail("game", "chance to move only at the root", "a chance move below the root")
    i = index[node.player.label]
    if actions[i] is not None:
        raise v.fail("game", "each player to move once on every path", f"player {node.player.label!r} twice")
    t = infoset_type[i][node.infoset.number]
    if types[i] is None:
        types[i] = t
    elif types[i] != t:
        raise SpecError("game: each player's information set (type) must not depend on earlier moves "
                        f"(got two information sets of player {node.player.label!r} below one chance outcome)")
    for a, child in enumerate(node.children):
        actions[i] = a
        _walk(child, actions, types, leaves, index, infoset_type)
    actions[i] = None


def gambit_equilibria(game: BayesianGame, algorithm: str | None, rational: bool) -> tuple[list[tuple[np.ndarray, ...]], str]:
    """Equilibria found by pygambit on the Harsanyi tree, as our mixed strategies (unverified)."""
    gbt = _pygambit()
    if algorithm is None:
        algorithm = "lcp" if game.n_players == 2 else "logit"
    algorithm = v.choice(algorithm, "options['algorithm']", ALGORITHMS)
    if algorithm in ("lcp", "enummixed") and game.n_players != 2:
        raise v.fail("options['algorithm']", f"'logit' for {game.n_players} players (pygambit's {algorithm} "
                     "handles 2 players)", repr(algorithm))
    g, infosets = _tree(game, gbt, "Bayesian game (mechdesign)")
    if algorithm == "lcp":
        result = gbt.nash.lcp_solve(g, rational=rational)
    elif algorithm == "enummixed":
        result = gbt.nash.enummixed_solve(g, rational=rational)
    else:
        result = gbt.nash.logit_solve(g)
    found = []
    for profile in result.equilibria:
        if isinstance(profile, gbt.MixedStrategyProfile):
            profile = profile.as_behavior()
        found.append(tuple(
            np.array([[float(profile[a]) for a in infosets[i][t].actions] for t in range(game.n_types[i])])
            for i in range(game.n_players)))
    return found, f"pygambit {gbt.__version__} {algorithm}_solve on the Harsanyi tree: {len(found)} profile(s)"
