"""mechdesign: Bayesian mechanism design."""

from mechdesign import auctions
