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

    def _table(self):
        if "_tab" not in self.__dict__:
            x = np.linspace(0.0, 1.0, 20001)
            self._tab = (x, self._cdf(x), self._sf(x))
        return self._tab

    def _newton(self, x, target, fn, sign):
        for _ in range(3):  # polish the interpolated start (the density is smooth)
            dens = self._pdf(x)
            step = np.where(dens > 1e-12, sign * (fn(x) - target) / np.maximum(dens, 1e-12), 0.0)
            x = np.clip(x - step, 0.0, 1.0)
        return x

    def _ppf(self, q):
        x, cdf, _ = self._table()
        return self._newton(np.interp(q, cdf, x), q, self._cdf, 1.0)

    def _isf(self, p):
        x, _, sf = self._table()
        return self._newton(np.interp(p, sf[::-1], x[::-1]), p, self._sf, -1.0)


def beta_mixture(w, p1, p2):
    """Frozen law ``w * Beta(*p1) + (1 - w) * Beta(*p2)`` on [0, 1]."""
    cls = type("BetaMixture", (_BetaMixture,), {"w": w, "c1": stats.beta(*p1), "c2": stats.beta(*p2)})
    return cls(a=0.0, b=1.0, name="beta_mixture")()


def bimodal():
    """A bimodal value law whose virtual value is not monotone above the optimal reserve,
    so ironing changes the optimal allocation."""
    return beta_mixture(0.5, (30, 20), (60, 5))
