"""Correlated types: a correlated single-item auction and the Crémer–McLean conditions.

Crémer and McLean (1988, "Full extraction of the surplus in Bayesian and
dominant strategy auctions", Econometrica 56) give two sufficient conditions on
each bidder's conditional beliefs ``P(θ_-i | θ_i)`` (a matrix of shape
``(k_i, M)``, one row per type of positive probability) for a seller to extract
the full surplus E[max_i v_i] with an interim IR mechanism:

* Theorem 1 (dominant strategies): the rows are linearly independent (full
  row rank) — ``cremer_mclean_condition(env, kind="dsic")``;
* Theorem 2 (Bayesian incentive compatibility): no row is a convex
  combination of the other rows (*convex independence*) — weaker than full
  rank — ``cremer_mclean_condition(env, kind="bic")``.

Both are sufficient, not necessary, conditions.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
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


KINDS = ("dsic", "bic")


@dataclass(frozen=True)
class SpanningCondition:
    """Result of :func:`cremer_mclean_condition`.

    Attributes
    ----------
    holds : bool
        ``kind="dsic"``: every player's belief matrix has full row rank.
        ``kind="bic"``: no belief row is a convex combination of the player's
        other rows (certified by a separating vector checked in exact arithmetic).
    ranks : tuple of int
        Rank of each player's ``(k_i, M)`` belief matrix (types of zero probability excluded).
    n_types : tuple of int
        Number of types of positive probability, per player.
    kind : str
        ``"dsic"`` (Theorem 1) or ``"bic"`` (Theorem 2).
    distances : tuple of tuple of float or None
        ``kind="bic"``: per player and type of positive probability (in type
        order), a lower bound, exact for the stored prior, on the L1 distance
        from its belief to the convex hull of the player's other beliefs
        (``inf`` for a player with one such type). The condition holds when
        every bound exceeds ``tol``.
    witness : dict or None
        ``kind="bic"`` when the condition fails: the player, the type whose
        belief lies in (within ``tol`` of) the hull of the others, the
        ``combination`` of the other types (type label to weight, weights
        summing to 1) and its exact ``residual`` ‖Σ_s λ_s P(·|s) − P(·|t)‖₁.
    """

    holds: bool
    ranks: tuple[int, ...]
    n_types: tuple[int, ...]
    kind: str = "dsic"
    distances: tuple[tuple[float, ...], ...] | None = None
    witness: dict[str, Any] | None = None

    def __bool__(self) -> bool:
        return self.holds

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"holds": self.holds, "kind": self.kind, "ranks": list(self.ranks),
                               "n_types": list(self.n_types)}
        if self.distances is not None:     # a player with one type has no hull to be in: None
            out["distances"] = [[x if np.isfinite(x) else None for x in d] for d in self.distances]
        if self.witness is not None:
            out["witness"] = dict(self.witness)
        return out


def _exact_beliefs(prior: Prior, i: int, positive: np.ndarray) -> list[list[Fraction]]:
    """Belief rows of the types of positive probability, in exact arithmetic from the stored prior."""
    if prior.is_independent:
        row = [Fraction(float(p)) for p in np.asarray(prior.belief_matrix(i))[0]]
        total = sum(row)
        row = [p / total for p in row]
        return [row for _ in positive]
    weights = np.moveaxis(np.asarray(prior.joint()), i, 0).reshape(prior.n_types[i], -1)
    rows = []
    for t in positive:
        row = [Fraction(float(p)) for p in weights[t]]
        total = sum(row)
        rows.append([p / total for p in row])
    return rows


def _dot(y: list[Fraction], row: list[Fraction]) -> Fraction:
    return sum((a * b for a, b in zip(y, row) if a and b), Fraction(0))


def _hull_distance(rows: np.ndarray, exact: list[list[Fraction]], t: int):
    """Exact lower and upper bounds on the L1 distance from row t to the hull of the others, and λ.

    One LP (HiGHS): min ‖Σ_s λ_s b_s − b_t‖₁ over the simplex. Its dual gives a
    vector y, |y| ≤ 1, with y·b_t − max_s y·b_s a lower bound (weak duality);
    λ gives an upper bound. Both are evaluated in rational arithmetic.
    """
    from scipy.optimize import linprog      # scipy.optimize is heavy: imported on first use only

    others = [s for s in range(rows.shape[0]) if s != t]
    K, M = len(others), rows.shape[1]
    cost = np.concatenate([np.zeros(K), np.ones(2 * M)])
    a_eq = np.block([[rows[others].T, -np.eye(M), np.eye(M)], [np.ones((1, K)), np.zeros((1, 2 * M))]])
    b_eq = np.concatenate([rows[t], [1.0]])
    res = linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if res.status != 0:         # the LP is always feasible and bounded; a failure is the solver's
        from mechdesign.errors import SolverError

        raise SolverError(f"cremer_mclean_condition: the convex-independence LP failed ({res.message})")
    y = [Fraction(float(min(1.0, max(-1.0, w)))) for w in res.eqlin.marginals[:M]]
    lower = _dot(y, exact[t]) - max(_dot(y, exact[s]) for s in others)
    lam = [Fraction(float(max(0.0, x))) for x in res.x[:K]]
    total = sum(lam)
    lam = [x / total for x in lam] if total > 0 else [Fraction(1, K)] * K
    combo = [sum((lam[k] * exact[s][m] for k, s in enumerate(others) if lam[k]), Fraction(0)) for m in range(M)]
    upper = sum(abs(c - b) for c, b in zip(combo, exact[t]))
    return max(lower, Fraction(0)), upper, dict(zip(others, lam))


def cremer_mclean_condition(prior: Prior | Environment, tol: float | None = None,
                            kind: str = "dsic") -> SpanningCondition:
    """Test a Crémer–McLean condition on the conditional beliefs (types of positive probability).

    Parameters
    ----------
    prior : Prior or Environment
    tol : float, optional
        ``kind="dsic"``: singular values below ``tol`` count as zero (default:
        numpy's ``matrix_rank`` rule). ``kind="bic"``: a belief within L1
        distance ``tol`` of the hull of the others counts as in it (default 1e-9).
    kind : {"dsic", "bic"}
        ``"dsic"`` (default): full row rank of every belief matrix, the
        condition of Crémer and McLean (1988) Theorem 1 for full surplus
        extraction in dominant strategies. ``"bic"``: convex independence,
        Theorem 2, for full extraction with a BIC and interim IR mechanism;
        one LP per type finds the closest convex combination of the other
        beliefs, and both the verdict's certificate (a separating vector) and
        the witness (the combination) are checked in exact rational
        arithmetic on the stored prior. Full rank implies convex independence.

    Returns
    -------
    SpanningCondition
        ``holds`` is False for an independent prior with some player having
        two or more types of positive probability (all her rows are equal).
        With ``kind="bic"``: ``distances`` and, on failure, the ``witness``.

    Notes
    -----
    Both conditions are sufficient, not necessary, for full extraction. The
    exact checks use one rational number per belief entry: meant for the
    small type spaces where correlation is modelled explicitly.
    """
    if isinstance(prior, Environment):
        labels = prior.type_labels
        names = prior.players
        prior = prior.prior
    else:
        labels = names = None
    if not isinstance(prior, Prior):
        raise v.fail("prior", "a Prior or an Environment", type(prior).__name__)
    kind = v.choice(kind, "kind", KINDS)
    if tol is not None:
        tol = v.tolerance(tol, "tol")
    ranks, counts = [], []
    for i in range(prior.n_players):
        rows = np.asarray(prior.belief_matrix(i))[np.asarray(prior.marginal(i)) > 0]
        ranks.append(int(np.linalg.matrix_rank(rows, tol=tol if kind == "dsic" else None)))
        counts.append(rows.shape[0])
    if kind == "dsic":
        return SpanningCondition(all(r == c for r, c in zip(ranks, counts)), tuple(ranks), tuple(counts))
    limit = Fraction(1e-9 if tol is None else tol)
    distances, witness = [], None
    for i in range(prior.n_players):
        positive = np.flatnonzero(np.asarray(prior.marginal(i)) > 0)
        rows = np.asarray(prior.belief_matrix(i))[positive]
        exact = _exact_beliefs(prior, i, positive)
        per_type = []
        for t in range(len(positive)):
            if len(positive) == 1:
                per_type.append(float("inf"))      # nothing to combine: trivially independent
                continue
            lower, upper, lam = _hull_distance(rows, exact, t)
            per_type.append(float(lower))
            if lower <= limit and witness is None:
                label = (lambda s: labels[i][s]) if labels is not None else (lambda s: str(s))
                witness = {"player": names[i] if names is not None else str(i), "player_index": i,
                           "type": label(int(positive[t])), "type_index": int(positive[t]),
                           "combination": {label(int(positive[s])): float(w) for s, w in lam.items() if w},
                           "residual": float(upper)}
        distances.append(tuple(per_type))
    return SpanningCondition(witness is None, tuple(ranks), tuple(counts), kind="bic",
                             distances=tuple(distances), witness=witness)
