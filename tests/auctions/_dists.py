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


class _Piecewise(stats.rv_continuous):
    """Piecewise-constant density on [edges[0], edges[-1]]: mass[k] spread uniformly on [edges[k], edges[k+1]]."""

    edges, mass = np.array([0.0, 1.0]), np.array([1.0])

    def _where(self, x):
        return np.clip(np.searchsorted(self.edges, x, side="right") - 1, 0, len(self.mass) - 1)

    def _pdf(self, x):
        return (self.mass / np.diff(self.edges))[self._where(x)]

    def _cdf(self, x):
        k = self._where(x)
        return np.concatenate([[0.0], np.cumsum(self.mass)])[k] + (x - self.edges[k]) * self._pdf(x)

    def _sf(self, x):
        return 1.0 - self._cdf(x)

    def _ppf(self, q):
        cum = np.concatenate([[0.0], np.cumsum(self.mass)])
        k = np.clip(np.searchsorted(cum, q, side="right") - 1, 0, len(self.mass) - 1)
        return self.edges[k] + (q - cum[k]) / (self.mass / np.diff(self.edges))[k]

    def _isf(self, p):
        return self._ppf(1.0 - p)


def piecewise_uniform(edges, mass):
    """Frozen law with a piecewise-constant density (its jumps are kinks of the revenue curve)."""
    cls = type("Piecewise", (_Piecewise,), {"edges": np.asarray(edges, float), "mass": np.asarray(mass, float)})
    return cls(a=float(edges[0]), b=float(edges[-1]), name="piecewise_uniform")()
