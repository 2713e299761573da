"""The example mechanisms: outcome tables checked by hand and their equilibria."""
import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import SpecError


def test_first_price_outcomes():
    mech = md.examples.first_price_auction(bids=[0, 1, 2])
    assert mech.outcome((2, 1)).alternative == "B1" and mech.outcome((2, 1)).transfers.tolist() == [-2.0, 0.0]
    tie = mech.outcome((1, 1))
    assert tie.lottery.tolist() == [0.5, 0.5, 0.0] and tie.transfers.tolist() == [-0.5, -0.5]


def test_second_and_all_pay_outcomes():
    second = md.examples.second_price_auction(bids=[0, 1, 2, 3])
    assert second.outcome((3, 1)).transfers.tolist() == [-1.0, 0.0]
    all_pay = md.examples.all_pay_auction(bids=[0, 1, 2])
    assert all_pay.outcome((2, 1)).transfers.tolist() == [-2.0, -1.0]


def test_voluntary_contribution_refund():
    mech = md.examples.voluntary_contribution(contributions=[0, 25, 50], cost=50)
    assert mech.outcome((1, 1)).alternative == "build" and mech.outcome((1, 1)).transfers.tolist() == [-25, -25]
    assert mech.outcome((1, 0)).alternative == "skip" and mech.outcome((1, 0)).transfers.tolist() == [0, 0]
    no_refund = md.examples.voluntary_contribution(contributions=[0, 25, 50], cost=50, refund=False)
    assert no_refund.outcome((1, 0)).transfers.tolist() == [-25, 0]


def test_posted_price_equilibrium_trades_when_gains_exist():
    # price 1: a seller of cost 0 and a buyer of value 2 gain from trade; "yes" is weakly dominant for them
    game = md.BayesianGame.from_mechanism(md.examples.posted_price_trade(price=1.0))
    dominant = md.dominant_strategy_equilibria(game)
    assert 1 in dominant.dominant[0][0] and 1 in dominant.dominant[1][2]
    assert 0 in dominant.dominant[0][2] and 0 in dominant.dominant[1][0]
    assert dominant.exists


def test_bad_example_arguments():
    with pytest.raises(SpecError, match="bids"):
        md.examples.first_price_auction(bids=[])
    with pytest.raises(SpecError, match="env"):
        md.examples.posted_price_trade(env=md.examples.single_item_auction())
    with pytest.raises(SpecError, match="env"):
        md.examples.voluntary_contribution(env=md.examples.single_item_auction())
