"""Combinatorial auctions: bundles, winner determination, VCG and core-selecting payments.

Build an auction from XOR/OR bids (:class:`CombinatorialAuction`), find its winners
(a MILP solved by HiGHS, SCIP or CP-SAT), compute payments under pay-as-bid, VCG or
core-selecting rules (minimum-revenue core by core-constraint generation, nearest
VCG / zero / bid / a reference point), check core membership with the blocking
coalition as witness, generate benchmark instances (:func:`generate`: CATS-like,
LLG, LLLLGG), find Bayes-Nash equilibria of the LLG model (:class:`LLG`) and turn
small auctions with finite types into the finite core's Environment and direct
mechanisms (:meth:`CombinatorialAuction.to_environment`). See docs/combinatorial.md.
"""

from mechdesign.combinatorial.bids import Bid, CombinatorialAuction
from mechdesign.combinatorial.payments import CORE_RULES, RULES, Payments
from mechdesign.combinatorial.wdp import BACKENDS, WinnerDetermination

__all__ = ["BACKENDS", "Bid", "CORE_RULES", "CombinatorialAuction", "Payments", "RULES", "WinnerDetermination"]
