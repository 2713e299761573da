"""Starting profiles (priors) for the tracing procedure of method ``"lcp"``.

The tracing path of :mod:`.lemke` from a prior s⁰ starts where every agent
(player-type) best-responds to s⁰ and ends at an equilibrium; its length
depends enormously on s⁰ (``benchmarks/bench_bne.py --paths`` prints it per
prior and size). The priors here, cheapest first:

* the uniform profile (the centroid prior of Harsanyi & Selten), free;
* the averaged play of regret matching⁺ after a few numbers of iterations, all
  read off one run (:class:`RegretMatching`); each iteration costs about one
  pivot (two products with the interim payoff matrices), compiled with numba;
* Dirichlet(1) random profiles, seeded.

Regret matching need not converge to an equilibrium in general-sum games: its
averages only tend to be good places to start from, and their path lengths
differ so much from one number of iterations to the next that racing several
of them (:mod:`.lemke_paths`) pays.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def uniform_prior(k1: int, k2: int, m1: int, m2: int) -> np.ndarray:
    """Every agent mixes uniformly: the stacked ``(x, y)`` blocks."""
    return np.concatenate([np.full(k1 * m1, 1.0 / m1), np.full(k2 * m2, 1.0 / m2)])


def random_prior(rng: np.random.Generator, k1: int, k2: int, m1: int, m2: int) -> np.ndarray:
    """Dirichlet(1) mixtures per agent, from ``rng``."""
    return np.concatenate([rng.dirichlet(np.ones(m1), k1).ravel(), rng.dirichlet(np.ones(m2), k2).ravel()])


def interim_matrices(payoff_1: np.ndarray, payoff_2: np.ndarray, belief_1: np.ndarray,
                     belief_2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Interim payoff matrices: rows (own type, own action), columns (other type, other action).

    ``I1 @ y`` is player 1's conditional interim payoff of each (type, action)
    against the stacked strategy ``y`` of player 2, and ``I2 @ x`` player 2's.
    """
    k1, k2, m1, m2 = payoff_1.shape
    interim_1 = (belief_1[:, :, None, None] * payoff_1).transpose(0, 2, 1, 3).reshape(k1 * m1, k2 * m2)
    interim_2 = (belief_2.T[:, :, None, None] * payoff_2).transpose(1, 3, 0, 2).reshape(k2 * m2, k1 * m1)
    return np.ascontiguousarray(interim_1), np.ascontiguousarray(interim_2)


class RegretMatching:
    """Regret matching⁺ (alternating updates, linear averaging) run on demand, averages at checkpoints.

    Each agent plays proportionally to its positive cumulative regrets on its
    conditional interim payoffs (an agent with none keeps its previous
    mixture). :meth:`average` continues the run up to the requested iteration
    and returns the normalised weighted average of play; the averages at the
    ``keep`` checkpoints passed on the way are stored, so several checkpoints,
    asked for in any order, cost one run of the largest.
    """

    def __init__(self, interim_1: np.ndarray, interim_2: np.ndarray, m1: int, m2: int,
                 keep: tuple[int, ...] = ()) -> None:
        # transposed, so that each product is a sum of contiguous columns (plain loops, no BLAS threads)
        self.columns_1 = np.ascontiguousarray(interim_1.T)
        self.columns_2 = np.ascontiguousarray(interim_2.T)
        self.m1, self.m2 = m1, m2
        n1, n2 = interim_1.shape
        self.x, self.y = np.full(n1, 1.0 / m1), np.full(n2, 1.0 / m2)
        self.regret_1, self.regret_2 = np.zeros(n1), np.zeros(n2)
        self.mean_x, self.mean_y = np.zeros(n1), np.zeros(n2)
        self.iterations = 0
        self.keep = sorted(set(int(c) for c in keep))
        self.kept: dict[int, np.ndarray] = {}

    def average(self, iterations: int) -> np.ndarray:
        """The stacked averages after ``iterations`` iterations (run on if needed, or kept from the way)."""
        if iterations in self.kept:
            return self.kept[iterations]
        if iterations < self.iterations:
            raise ValueError(f"iterations: at least {self.iterations} or a kept checkpoint (got {iterations})")
        for stop in [c for c in self.keep if self.iterations < c < iterations] + [iterations]:
            _regret_matching(self.columns_1, self.columns_2, self.m1, self.m2, self.x, self.y, self.regret_1,
                             self.regret_2, self.mean_x, self.mean_y, self.iterations, stop)
            self.iterations = stop
            self.kept[stop] = _stacked_average(self.mean_x, self.mean_y, self.m1, self.m2)
        return self.kept[iterations]


@njit(cache=True)
def regret_matching_prior(payoff_1, payoff_2, belief_1, belief_2, iterations):
    """:class:`RegretMatching`'s average after ``iterations`` in one compiled call (the same numbers)."""
    k1, k2, m1, m2 = payoff_1.shape
    n1, n2 = k1 * m1, k2 * m2
    columns_1 = np.empty((n2, n1))                  # interim_matrices(...)[0].T
    columns_2 = np.empty((n1, n2))                  # interim_matrices(...)[1].T
    for t in range(k1):
        for s in range(k2):
            for a in range(m1):
                for b in range(m2):
                    columns_1[s * m2 + b, t * m1 + a] = belief_1[t, s] * payoff_1[t, s, a, b]
                    columns_2[t * m1 + a, s * m2 + b] = belief_2[s, t] * payoff_2[t, s, a, b]
    x = np.full(n1, 1.0 / m1)
    y = np.full(n2, 1.0 / m2)
    mean_x, mean_y = np.zeros(n1), np.zeros(n2)
    _regret_matching(columns_1, columns_2, m1, m2, x, y, np.zeros(n1), np.zeros(n2), mean_x, mean_y, 0,
                     iterations)
    return _stacked_average(mean_x, mean_y, m1, m2)


@njit(cache=True)
def _stacked_average(mean_x, mean_y, m1, m2):
    """The weighted sums of play normalised per agent, stacked."""
    out = np.empty(mean_x.size + mean_y.size)
    for block, m, offset in ((mean_x, m1, 0), (mean_y, m2, mean_x.size)):
        for start in range(0, block.size, m):
            total = 0.0
            for a in range(start, start + m):
                total += block[a]
            for a in range(start, start + m):
                out[offset + a] = block[a] / total
    return out


@njit(cache=True)
def _play(regret, previous, m):
    """Mixtures proportional to positive regrets, per agent (blocks of m); none: keep the previous one."""
    for start in range(0, regret.size, m):
        total = 0.0
        for a in range(start, start + m):
            total += regret[a]
        if total > 0.0:
            for a in range(start, start + m):
                previous[a] = regret[a] / total


@njit(cache=True)
def _update(regret, gain, play, m):
    """regret ← max(regret + gain − (value of play), 0), per agent."""
    for start in range(0, regret.size, m):
        value = 0.0
        for a in range(start, start + m):
            value += gain[a] * play[a]
        for a in range(start, start + m):
            regret[a] = max(regret[a] + gain[a] - value, 0.0)


@njit(cache=True)
def _product(columns, v, out):
    """out = Mᵀ-stored matrix times v: Σ_j v[j] · columns[j] (``columns`` holds the matrix's columns as rows)."""
    for i in range(out.size):
        out[i] = 0.0
    for j in range(v.size):
        vj = v[j]
        if vj != 0.0:
            for i in range(out.size):
                out[i] += columns[j, i] * vj


@njit(cache=True)
def _regret_matching(columns_1, columns_2, m1, m2, x, y, regret_1, regret_2, mean_x, mean_y, done, until):
    """Iterations ``done + 1 .. until`` of regret matching⁺, in place."""
    gain_1 = np.empty(x.size)
    gain_2 = np.empty(y.size)
    for it in range(done + 1, until + 1):
        _product(columns_1, y, gain_1)
        _update(regret_1, gain_1, x, m1)
        _play(regret_1, x, m1)
        _product(columns_2, x, gain_2)
        _update(regret_2, gain_2, y, m2)
        _play(regret_2, y, m2)
        mean_x += it * x
        mean_y += it * y
