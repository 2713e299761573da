"""Ready-made environments and indirect mechanisms (``md.examples``)."""

from mechdesign.games.examples import (all_pay_auction, first_price_auction, posted_price_trade,
                                       second_price_auction, voluntary_contribution)
from mechdesign.model.correlated import correlated_auction
from mechdesign.model.generators import (bilateral_trade, multi_unit_auction, public_project, random_environment,
                                         single_item_auction)

__all__ = ["all_pay_auction", "bilateral_trade", "correlated_auction", "first_price_auction", "multi_unit_auction",
           "posted_price_trade", "public_project", "random_environment", "second_price_auction", "single_item_auction",
           "voluntary_contribution"]
