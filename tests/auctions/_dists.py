"""Test helpers: a bimodal (irregular) value distribution as a scipy.stats continuous law."""

import numpy as np
from scipy import stats


class _BetaMixture(stats.rv_continuous):
    """w * c1 + (1 - w) * c2 for two beta laws c1, c2 (class attributes) on [0, 1]."""

    w, c1, c2 = 0.5, stats.beta(1, 1), stats.beta(1, 1)

    def _pdf(self, x):
        return self.w * self.c1.pdf(x) + (1 - self.w) * self.c2.pdf(x)

    def _cdf(self, x):
        return self.w * self.c1.cdf(x) + (1 - self.w) * self.c2.cdf(x)

    def _sf(self, x):
        return self.w * self.c1.sf(x) + (1 - self.w) * self.c2.sf(x)

    def _ppf(self, q):
        lo, hi = np.zeros_like(q), np.ones_like(q)
        for _ in range(60):  # vectorised bisection: the cdf is increasing
            mid = (lo + hi) / 2
            low = self._cdf(mid) < q
            lo, hi = np.where(low, mid, lo), np.where(low, hi, mid)
        return (lo + hi) / 2

    def _isf(self, p):
        lo, hi = np.zeros_like(p), np.ones_like(p)
        for _ in range(60):
            mid = (lo + hi) / 2
            above = self._sf(mid) > p
            lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
        return (lo + hi) / 2


def beta_mixture(w, p1, p2):
    """Frozen law ``w * Beta(*p1) + (1 - w) * Beta(*p2)`` on [0, 1]."""
    cls = type("BetaMixture", (_BetaMixture,), {"w": w, "c1": stats.beta(*p1), "c2": stats.beta(*p2)})
    return cls(a=0.0, b=1.0, name="beta_mixture")()


def bimodal():
    """A bimodal value law whose virtual value is not monotone above the optimal reserve,
    so ironing changes the optimal allocation."""
    return beta_mixture(0.5, (30, 20), (60, 5))
