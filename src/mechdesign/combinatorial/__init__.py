"""Combinatorial auctions: bundles, winner determination, VCG and core-selecting payments.

* :class:`CombinatorialAuction` — items and XOR/OR bids; :meth:`~CombinatorialAuction.winners`
  (a MILP solved by HiGHS, SCIP or CP-SAT), :meth:`~CombinatorialAuction.payments`
  (pay-as-bid, VCG, core-selecting: minimum-revenue core by core-constraint
  generation, nearest to VCG / zero / the bids / a reference point),
  :meth:`~CombinatorialAuction.in_core` (with the blocking coalition as witness) and
  :meth:`~CombinatorialAuction.to_environment` (the finite core's Environment and
  direct mechanisms).
* :func:`generate` — seeded instances: CATS-like (arbitrary, regions, paths,
  scheduling), LLG, LLLLGG.
* :class:`LLG` — the Bayesian LLG model: closed-form and learned Bayes–Nash
  equilibria, certified on the continuous prior.

See docs/combinatorial.md.
"""

from mechdesign.combinatorial.bayesian import LLG, LLG_RULES, LLGEquilibrium, LLGEvaluation, LLGGame
from mechdesign.combinatorial.auction import CombinatorialAuction
from mechdesign.combinatorial.bids import Bid, BidTable
from mechdesign.combinatorial.finite import to_environment
from mechdesign.combinatorial.generators import KINDS, generate, llg, llllgg
from mechdesign.combinatorial.payments import CORE_RULES, RULES, Payments
from mechdesign.combinatorial.wdp import BACKENDS, WinnerDetermination

__all__ = ["BACKENDS", "Bid", "BidTable", "CORE_RULES", "CombinatorialAuction", "KINDS", "LLG", "LLGEquilibrium", "LLGEvaluation",
           "LLGGame", "LLG_RULES", "Payments", "RULES", "WinnerDetermination", "generate", "llg", "llllgg",
           "to_environment"]
