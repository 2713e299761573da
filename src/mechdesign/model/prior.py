"""Common priors over type profiles and the conditional beliefs they induce.

A prior is a probability distribution over type profiles θ = (θ_1, ..., θ_N),
each θ_i an index in ``0..k_i-1``. Player i of type t believes the others'
types are distributed as P(θ_-i | θ_i = t) (d'Aspremont and Gérard-Varet 1979, Bayesian implementation).

* :class:`IndependentPrior` stores one marginal per player and never
  materialises the joint distribution unless :meth:`Prior.joint` is called.
* :class:`JointPrior` stores a full array of shape ``(k_1, ..., k_N)`` for
  correlated types.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from mechdesign import _validation as v


class Prior(ABC):
    """Abstract common prior over type profiles."""

    n_types: tuple[int, ...]

    @property
    def n_players(self) -> int:
        """Number of players N."""
        return len(self.n_types)

    @property
    def n_profiles(self) -> int:
        """Number of type profiles Π k_i."""
        return math.prod(self.n_types)

    @property
    @abstractmethod
    def is_independent(self) -> bool:
        """True when types are independent by construction (an :class:`IndependentPrior`)."""

    @abstractmethod
    def marginal(self, i: int) -> np.ndarray:
        """Marginal distribution of player ``i``'s type, shape ``(k_i,)``."""

    @abstractmethod
    def belief_matrix(self, i: int) -> np.ndarray:
        """Conditional beliefs of player ``i`` as a matrix of shape ``(k_i, M)``.

        Row ``t`` is P(θ_-i | θ_i = t) over the others' profiles flattened in C
        order (player order, ``i`` removed); ``M = Π_{j≠i} k_j``. Rows of types
        with zero probability are zero (their belief is undefined).
        """

    @abstractmethod
    def joint(self) -> np.ndarray:
        """The full joint distribution, shape ``(k_1, ..., k_N)`` (materialised)."""

    @abstractmethod
    def expect(self, values: np.ndarray) -> np.ndarray:
        """E[values(θ)]: contract the N leading profile axes of ``values`` with the prior."""

    def belief(self, i: int, t: int) -> np.ndarray:
        """Conditional distribution of θ_-i given θ_i = t, shape ``(k_j for j ≠ i)``.

        Raises
        ------
        SpecError
            If ``i`` or ``t`` is out of range, or type ``t`` has probability zero
            (the conditional belief is then undefined).
        """
        i = v.index(i, "i", self.n_players)
        t = v.index(t, "t", self.n_types[i])
        if not self.is_independent and self.marginal(i)[t] <= 0:
            raise v.fail("t", f"a type of player {i} with positive probability", f"type {t} with probability 0")
        others = tuple(k for j, k in enumerate(self.n_types) if j != i)
        return np.array(self.belief_matrix(i)[t]).reshape(others)

    def interim_weights(self, i: int) -> np.ndarray:
        """Joint probabilities P(θ_i = t, θ_-i) as a ``(k_i, M)`` matrix (others flattened)."""
        return self.marginal(i)[:, None] * self.belief_matrix(i)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description."""
        if self.is_independent:
            return {"independent": [self.marginal(i).tolist() for i in range(self.n_players)]}
        return {"joint": self.joint().tolist()}


class IndependentPrior(Prior):
    """Independent types: P(θ) = Π_i p_i(θ_i), stored as the marginals.

    Parameters
    ----------
    marginals : sequence of array_like
        One probability vector per player (length k_i, non-negative, summing to 1).

    Examples
    --------
    >>> prior = IndependentPrior([[0.5, 0.5], [0.2, 0.3, 0.5]])
    >>> prior.n_types
    (2, 3)
    """

    def __init__(self, marginals: Any):
        if isinstance(marginals, np.ndarray) and marginals.ndim == 2:
            marginals = list(marginals)
        if isinstance(marginals, (str, bytes)) or not hasattr(marginals, "__len__") or len(marginals) == 0:
            raise v.fail("marginals", "a non-empty list of probability vectors (one per player)", marginals)
        self._marginals = tuple(
            v.probabilities(m, f"prior: marginals[{i}]", shape=None) for i, m in enumerate(marginals))
        for i, m in enumerate(self._marginals):
            if m.ndim != 1:
                raise v.fail(f"prior: marginals[{i}]", "a 1-D probability vector", f"shape {m.shape}")
        self.n_types = tuple(len(m) for m in self._marginals)

    @property
    def is_independent(self) -> bool:
        return True

    @property
    def marginals(self) -> tuple[np.ndarray, ...]:
        """The per-player marginals (read-only arrays)."""
        return self._marginals

    def marginal(self, i: int) -> np.ndarray:
        return self._marginals[v.index(i, "i", self.n_players)]

    def others_distribution(self, i: int) -> np.ndarray:
        """Distribution of θ_-i (the same for every type of ``i``), flattened, shape ``(M,)``."""
        dist = np.ones(1)
        for j, m in enumerate(self._marginals):
            if j != i:
                dist = np.multiply.outer(dist, m).ravel()
        return dist

    def belief_matrix(self, i: int) -> np.ndarray:
        i = v.index(i, "i", self.n_players)
        row = self.others_distribution(i)
        return np.broadcast_to(row, (self.n_types[i], row.size))

    def joint(self) -> np.ndarray:
        dist = np.ones(())
        for m in self._marginals:
            dist = np.multiply.outer(dist, m)
        return dist

    def expect(self, values: np.ndarray) -> np.ndarray:
        out = np.asarray(values, dtype=float)
        for m in self._marginals:  # contract the leading axis one player at a time
            out = np.tensordot(m, out, axes=(0, 0))
        return out

    def __repr__(self) -> str:
        return f"IndependentPrior(n_types={self.n_types})"


class JointPrior(Prior):
    """Correlated types: an explicit joint distribution over type profiles.

    Parameters
    ----------
    probabilities : array_like, shape (k_1, ..., k_N)
        Non-negative, summing to 1.

    Examples
    --------
    >>> prior = JointPrior([[0.4, 0.1], [0.1, 0.4]])
    >>> prior.belief(0, 0)
    array([0.8, 0.2])
    """

    def __init__(self, probabilities: Any):
        self._joint = v.probabilities(probabilities, "prior: joint probabilities")
        if self._joint.ndim < 1:
            raise v.fail("prior: joint probabilities", "an array with one axis per player", "a scalar")
        self.n_types = tuple(self._joint.shape)
        self._marginals = tuple(
            v.frozen(self._joint.sum(axis=tuple(j for j in range(self._joint.ndim) if j != i)))
            for i in range(self._joint.ndim))

    @property
    def is_independent(self) -> bool:
        return False

    def marginal(self, i: int) -> np.ndarray:
        return self._marginals[v.index(i, "i", self.n_players)]

    def belief_matrix(self, i: int) -> np.ndarray:
        i = v.index(i, "i", self.n_players)
        rows = np.moveaxis(self._joint, i, 0).reshape(self.n_types[i], -1)
        mass = self._marginals[i]
        safe = np.where(mass > 0, mass, 1.0)
        return np.where(mass[:, None] > 0, rows / safe[:, None], 0.0)

    def interim_weights(self, i: int) -> np.ndarray:
        i = v.index(i, "i", self.n_players)
        return np.moveaxis(self._joint, i, 0).reshape(self.n_types[i], -1)

    def joint(self) -> np.ndarray:
        return self._joint

    def expect(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        return np.tensordot(self._joint, values, axes=(list(range(self.n_players)), list(range(self.n_players))))

    def is_product(self, atol: float = 1e-12) -> bool:
        """True when the joint equals the product of its marginals (types are independent)."""
        return bool(np.allclose(self._joint, IndependentPrior(self._marginals).joint(), atol=atol, rtol=0))

    def __repr__(self) -> str:
        return f"JointPrior(n_types={self.n_types})"
