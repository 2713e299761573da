"""Bidders' value distributions: bounded scipy.stats continuous laws and their truncations."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from mechdesign.errors import SpecError

__all__ = ["ValueDistribution", "as_value_distribution", "truncate", "value_distributions"]


class ValueDistribution:
    """A continuous value distribution on a bounded interval ``[low, high]``.

    Wraps a frozen ``scipy.stats`` continuous distribution, optionally truncated
    to ``[low, high]`` (the law of ``V`` conditional on ``low <= V <= high``).

    Parameters
    ----------
    dist : scipy.stats frozen continuous distribution
        For example ``stats.beta(2, 3)`` or ``stats.uniform(0, 1)``.
    low, high : float, optional
        Truncation bounds. Default: the support of ``dist``, which must then be bounded.

    Raises
    ------
    SpecError
        If ``dist`` is not a frozen continuous distribution, if the resulting
        support is unbounded, empty, or carries no probability mass.
    """

    def __init__(self, dist, low: float | None = None, high: float | None = None):
        if not (hasattr(dist, "dist") and isinstance(dist.dist, stats.rv_continuous)):
            raise SpecError(
                "distribution: expected a frozen scipy.stats continuous distribution "
                f"such as stats.uniform(0, 1) (got {type(dist).__name__})"
            )
        s_low, s_high = (float(x) for x in dist.support())
        lo = s_low if low is None else max(float(low), s_low)
        hi = s_high if high is None else min(float(high), s_high)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise SpecError(
                "distribution: the support must be bounded; truncate it with "
                f"md.auctions.truncate(dist, low, high) (got support [{lo}, {hi}] "
                f"for {dist.dist.name})"
            )
        if not hi > lo:
            raise SpecError(f"distribution: truncation bounds must satisfy low < high (got [{lo}, {hi}])")
        self._dist = dist
        self.low = lo
        self.high = hi
        self._c_low = float(dist.cdf(lo))
        self._mass = float(dist.cdf(hi)) - self._c_low
        self._sf_high = float(dist.sf(hi))
        if not self._mass > 0:
            raise SpecError(
                f"distribution: no probability mass in [{lo}, {hi}] for {dist.dist.name}"
            )
        self.truncated = (lo, hi) != (s_low, s_high)

    # --- descriptive -------------------------------------------------------
    @property
    def name(self) -> str:
        """Readable description, e.g. ``beta(2, 3)`` or ``norm(0.5, 0.2) on [0, 1]``."""
        args = ", ".join(f"{a:g}" for a in self._dist.args)
        kwds = ", ".join(f"{k}={v:g}" for k, v in self._dist.kwds.items())
        text = f"{self._dist.dist.name}({', '.join(x for x in (args, kwds) if x)})"
        return f"{text} on [{self.low:g}, {self.high:g}]" if self.truncated else text

    def __repr__(self) -> str:
        return f"ValueDistribution({self.name})"

    @property
    def support(self) -> tuple[float, float]:
        """The interval ``(low, high)``."""
        return (self.low, self.high)

    def same_law(self, other: "ValueDistribution") -> bool:
        """Whether ``other`` is the same distribution (same family, parameters, bounds)."""
        return (
            self._dist.dist.name == other._dist.dist.name
            and tuple(self._dist.args) == tuple(other._dist.args)
            and dict(self._dist.kwds) == dict(other._dist.kwds)
            and self.support == other.support
        )

    def to_dict(self) -> dict:
        """JSON-ready description."""
        return {
            "family": self._dist.dist.name,
            "args": [float(a) for a in self._dist.args],
            "kwds": {k: float(v) for k, v in self._dist.kwds.items()},
            "support": [self.low, self.high],
        }

    # --- the law -----------------------------------------------------------
    def cdf(self, v):
        """Cumulative distribution function (vectorised)."""
        v = np.asarray(v, dtype=float)
        out = (self._dist.cdf(np.clip(v, self.low, self.high)) - self._c_low) / self._mass
        return np.clip(out, 0.0, 1.0)

    def pdf(self, v):
        """Density (vectorised), zero outside the support."""
        v = np.asarray(v, dtype=float)
        inside = (v >= self.low) & (v <= self.high)
        return np.where(inside, self._dist.pdf(np.clip(v, self.low, self.high)) / self._mass, 0.0)

    def ppf(self, q):
        """Quantile function (inverse cdf) on ``[0, 1]``."""
        q = np.clip(np.asarray(q, dtype=float), 0.0, 1.0)
        out = self._dist.ppf(self._c_low + q * self._mass)
        return np.clip(out, self.low, self.high)

    def isf(self, p):
        """Inverse survival function ``v`` with ``P(V > v) = p`` (accurate for small ``p``)."""
        p = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
        out = self._dist.isf(self._sf_high + p * self._mass)
        return np.clip(out, self.low, self.high)

    def rvs(self, size, rng: np.random.Generator):
        """Draw ``size`` values with the generator ``rng`` (inverse-cdf sampling)."""
        return self.ppf(rng.random(size))

    def mean(self) -> float:
        """Expected value (quadrature)."""
        from mechdesign.auctions._quadrature import expect

        return float(expect(self, lambda v: v))


def truncate(dist, low: float, high: float) -> ValueDistribution:
    """Truncate a scipy.stats continuous distribution to ``[low, high]``.

    Examples
    --------
    >>> from scipy import stats
    >>> d = truncate(stats.norm(0.5, 0.2), 0.0, 1.0)
    >>> d.support
    (0.0, 1.0)
    """
    return ValueDistribution(dist, low, high)


def as_value_distribution(d, argument: str = "distribution") -> ValueDistribution:
    """Coerce ``d`` (a ValueDistribution or a frozen scipy distribution) to a ValueDistribution."""
    if isinstance(d, ValueDistribution):
        return d
    try:
        return ValueDistribution(d)
    except SpecError as exc:
        raise SpecError(f"{argument}: {str(exc).split(': ', 1)[1]}") from None


def value_distributions(distributions, argument: str = "distributions") -> tuple:
    """Validate one distribution per bidder (a list; ``[dist] * n`` for identical bidders)."""
    if isinstance(distributions, ValueDistribution) or hasattr(distributions, "dist"):
        raise SpecError(
            f"{argument}: expected a list with one distribution per bidder, e.g. "
            f"[dist] * n (got a single {type(distributions).__name__})"
        )
    try:
        dists = list(distributions)
    except TypeError:
        raise SpecError(
            f"{argument}: expected a list of distributions (got {type(distributions).__name__})"
        ) from None
    if len(dists) < 1:
        raise SpecError(f"{argument}: need at least n = 1 bidder (got 0)")
    return tuple(as_value_distribution(d, f"{argument}[{i}]") for i, d in enumerate(dists))
