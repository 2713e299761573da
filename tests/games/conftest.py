"""Fixtures for the games tests."""
import pytest

import mechdesign as md


@pytest.fixture
def first_price():
    """First-price auction, 2 bidders, values 0..3 uniform, bids 0..2 (ties split)."""
    return md.BayesianGame.from_mechanism(md.examples.first_price_auction(bids=[0, 1, 2], values=[0, 1, 2, 3]))
