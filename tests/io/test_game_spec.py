"""The spec's game: section."""
import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import SpecError
from mechdesign.io.game_spec import build_indirect
from mechdesign.io.spec import parse_spec

AUCTION = {"players": ["A", "B"], "alternatives": ["A", "B", "none"], "types": {"A": [0, 1, 2, 3], "B": [0, 1, 2, 3]},
           "valuations": {"A": [[v, 0, 0] for v in range(4)], "B": [[0, v, 0] for v in range(4)]}}


def test_builtin_first_price_matches_python_builder():
    mech = build_indirect(parse_spec({**AUCTION, "game": {"kind": "first_price", "bids": [0, 1, 2]}}))
    reference = md.examples.first_price_auction(bids=[0, 1, 2], values=[0, 1, 2, 3])
    assert np.allclose(mech.decision, reference.decision) and np.allclose(mech.transfers, reference.transfers)


def test_table_game():
    spec = {"players": ["A", "B"], "alternatives": ["build", "skip"], "types": {"A": [10, 40], "B": [10, 40]},
            "valuations": {"A": [[-15, 0], [15, 0]], "B": [[-15, 0], [15, 0]]},
            "game": {"kind": "table", "actions": {"A": ["no", "yes"], "B": ["no", "yes"]},
                     "decision": [["skip", "skip"], ["skip", "build"]],
                     "transfers": [[[0, 0], [0, 0]], [[0, 0], [0, 0]]]}}
    mech = build_indirect(parse_spec(spec))
    assert mech.outcome((1, 1)).alternative == "build" and mech.action_labels[0] == ("no", "yes")


@pytest.mark.parametrize("game, match", [
    ({"kind": "first_price"}, "game.bids"),
    ({"kind": "lottery"}, "kind"),
    ({"kind": "first_price", "bids": [0, 1], "colour": "red"}, "colour"),
    ({"kind": "table", "actions": {"A": [0, 1], "B": [0, 1]}, "decision": [[0, 0], [0, 0]]}, "game.transfers"),
])
def test_bad_game_sections(game, match):
    with pytest.raises(SpecError, match=match):
        build_indirect(parse_spec({**AUCTION, "game": game}))


def test_missing_game_section():
    with pytest.raises(SpecError, match="game"):
        build_indirect(parse_spec(AUCTION))


def test_auction_needs_winner_alternatives():
    spec = {**AUCTION, "alternatives": ["sold", "unsold"],
            "valuations": {"A": [[v, 0] for v in range(4)], "B": [[v, 0] for v in range(4)]},
            "game": {"kind": "all_pay", "bids": [0, 1]}}
    with pytest.raises(SpecError, match="env"):
        build_indirect(parse_spec(spec))
