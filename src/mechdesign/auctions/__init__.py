"""Auctions and other mechanisms with continuous independent private values.

Formats (:class:`FirstPrice`, :class:`SecondPrice`, :class:`AllPay`) with reserve, entry
fee and CRRA risk aversion; exact symmetric equilibria and numerical asymmetric
first-price equilibria (:meth:`Auction.equilibrium`), certified by :func:`utility_loss`;
equilibria of every format, of Tullock contests (:class:`Contest`), k-double auctions
(:class:`DoubleAuction`) and user-defined rules (:class:`Custom`) learned on a type x bid
grid (``equilibrium(method="learn")``, :mod:`mechdesign.auctions.learned`); outcomes
(:func:`outcomes`, :func:`simulate`), :func:`revenue_equivalence`, Myerson's optimal
auction (:func:`myerson`), plots and a bridge to the finite core
(:meth:`Auction.discretize`).
"""

from mechdesign.auctions.bid_function import BidFunction
from mechdesign.auctions.contest import Contest
from mechdesign.auctions.double_auction import DoubleAuction
from mechdesign.auctions.distributions import ValueDistribution, truncate
from mechdesign.auctions.equilibrium import Equilibrium
from mechdesign.auctions.formats import AllPay, Auction, FirstPrice, SecondPrice
from mechdesign.auctions.grid import DistributionalStrategy
from mechdesign.auctions.learned import EquilibriumWarning
from mechdesign.auctions.loss import UtilityLoss, utility_loss
from mechdesign.auctions.myerson import MyersonAuction, myerson
from mechdesign.auctions.outcomes import Outcomes, RevenueEquivalence, outcomes, revenue_equivalence, simulate
from mechdesign.auctions.plot_learned import learned_figure, plot_distributional_strategy
from mechdesign.auctions.plots import auction_figure, plot_bids, plot_revenue_curve, plot_virtual_values
from mechdesign.auctions.rule import Custom, RuleMechanism

__all__ = [
    "AllPay", "Auction", "BidFunction", "Contest", "Custom", "DistributionalStrategy", "DoubleAuction",
    "Equilibrium", "EquilibriumWarning", "FirstPrice", "MyersonAuction", "Outcomes",
    "RevenueEquivalence", "RuleMechanism", "SecondPrice", "UtilityLoss", "ValueDistribution",
    "auction_figure", "learned_figure", "myerson", "outcomes", "plot_bids", "plot_distributional_strategy",
    "plot_revenue_curve", "plot_virtual_values",
    "revenue_equivalence", "simulate", "truncate", "utility_loss",
]
