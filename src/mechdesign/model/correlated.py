"""Correlated types: a correlated single-item auction and the Crémer–McLean spanning condition.

Crémer and McLean (1988) show that when each bidder's conditional beliefs
about the others are linearly independent across her types (the belief matrix
``P(θ_-i | θ_i)`` of shape ``(k_i, M)`` has full row rank k_i), a seller can
extract the full surplus with a BIC and interim IR mechanism: expected
revenue E[max_i v_i].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.model.environment import Environment
from mechdesign.model.generators import _count, _per_player_lists, single_item_auction
from mechdesign.model.prior import JointPrior, Prior


def correlated_auction(values: Any = (1.0, 2.0, 3.0), n_bidders: int = 2, correlation: float = 0.5) -> Environment:
    """A single-item auction whose bidders' values are correlated.

    The prior mixes independence and perfect correlation: with probability
    ``1 − correlation`` every bidder's value is drawn independently and
    uniformly from ``values``; with probability ``correlation`` one value is
    drawn uniformly and every bidder has it. For ``0 < correlation < 1`` every
    profile has positive probability and the Crémer–McLean condition holds
    (each belief matrix is ``ρ·e_(t,…,t)`` plus a constant row, of full rank).

    Parameters
    ----------
    values : list of numbers
        Possible values (shared by all bidders).
    n_bidders : int
        At least 2 (correlation needs someone to be correlated with).
    correlation : float
        Weight ρ in [0, 1) of the perfectly correlated component.

    Returns
    -------
    Environment
        Alternatives ``B1..BN`` (who gets the item) and ``"none"``, with a
        :class:`JointPrior`.

    Examples
    --------
    >>> env = correlated_auction([1, 2], n_bidders=2, correlation=0.5)
    >>> env.prior.joint().round(3).tolist()
    [[0.375, 0.125], [0.125, 0.375]]
    """
    n = _count(n_bidders, "n_bidders", minimum=2)
    vals = _per_player_lists(values, 1, "values")[0]
    rho = float(v.float_array(correlation, "correlation", ndim=0))
    if not 0 <= rho < 1:
        raise v.fail("correlation", "a number in [0, 1)", rho)
    k = len(vals)
    joint = np.full((k,) * n, (1 - rho) / k**n)
    diag = np.arange(k)
    joint[(diag,) * n] += rho / k
    env = single_item_auction(vals, n_bidders=n)
    return env.with_prior(JointPrior(joint))


@dataclass(frozen=True)
class SpanningCondition:
    """Result of :func:`cremer_mclean_condition`.

    Attributes
    ----------
    holds : bool
        Every player's belief matrix has full row rank.
    ranks : tuple of int
        Rank of each player's ``(k_i, M)`` belief matrix (types of zero probability excluded).
    n_types : tuple of int
        Number of types of positive probability, per player.
    """

    holds: bool
    ranks: tuple[int, ...]
    n_types: tuple[int, ...]

    def __bool__(self) -> bool:
        return self.holds

    def to_dict(self) -> dict[str, Any]:
        return {"holds": self.holds, "ranks": list(self.ranks), "n_types": list(self.n_types)}


def cremer_mclean_condition(prior: Prior | Environment, tol: float | None = None) -> SpanningCondition:
    """Test the Crémer–McLean spanning condition: full-rank conditional belief matrices.

    Parameters
    ----------
    prior : Prior or Environment
    tol : float, optional
        Singular values below ``tol`` count as zero (default: numpy's
        ``matrix_rank`` rule).

    Returns
    -------
    SpanningCondition
        ``holds`` is False for an independent prior with some player having
        two or more types (all her rows are equal).
    """
    if isinstance(prior, Environment):
        prior = prior.prior
    if not isinstance(prior, Prior):
        raise v.fail("prior", "a Prior or an Environment", type(prior).__name__)
    if tol is not None:
        tol = v.tolerance(tol, "tol")
    ranks, counts = [], []
    for i in range(prior.n_players):
        rows = np.asarray(prior.belief_matrix(i))[np.asarray(prior.marginal(i)) > 0]
        ranks.append(int(np.linalg.matrix_rank(rows, tol=tol)))
        counts.append(rows.shape[0])
    return SpanningCondition(all(r == c for r, c in zip(ranks, counts)), tuple(ranks), tuple(counts))
