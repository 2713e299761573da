"""Ready-made environments (``md.examples``)."""

from mechdesign.model.correlated import correlated_auction
from mechdesign.model.generators import (bilateral_trade, public_project, random_environment,
                                         single_item_auction)

__all__ = ["bilateral_trade", "correlated_auction", "public_project", "random_environment", "single_item_auction"]
