"""Single-item auctions with continuous independent private values.

Formats (:class:`FirstPrice`, :class:`SecondPrice`, :class:`AllPay`) with reserve and
entry fee; exact symmetric equilibria and numerical asymmetric first-price equilibria
(:meth:`Auction.equilibrium`), certified by :func:`utility_loss`; outcomes
(:func:`outcomes`, :func:`simulate`), :func:`revenue_equivalence`, Myerson's optimal
auction (:func:`myerson`), plots and a bridge to the finite core
(:meth:`Auction.discretize`).
"""

from mechdesign.auctions.bid_function import BidFunction
from mechdesign.auctions.distributions import ValueDistribution, truncate
from mechdesign.auctions.equilibrium import Equilibrium
from mechdesign.auctions.formats import AllPay, Auction, FirstPrice, SecondPrice
from mechdesign.auctions.loss import UtilityLoss, utility_loss
from mechdesign.auctions.myerson import MyersonAuction, myerson
from mechdesign.auctions.outcomes import Outcomes, RevenueEquivalence, outcomes, revenue_equivalence, simulate
from mechdesign.auctions.plots import auction_figure, plot_bids, plot_revenue_curve, plot_virtual_values

__all__ = [
    "AllPay", "Auction", "BidFunction", "Equilibrium", "FirstPrice", "MyersonAuction", "Outcomes",
    "RevenueEquivalence", "SecondPrice", "UtilityLoss", "ValueDistribution",
    "auction_figure", "myerson", "outcomes", "plot_bids", "plot_revenue_curve", "plot_virtual_values",
    "revenue_equivalence", "simulate", "truncate", "utility_loss",
]
