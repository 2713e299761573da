"""Composite Gauss-Legendre rules in quantile space (internal)."""

from __future__ import annotations

import numpy as np

_GL_NODES = 8
_x, _w = np.polynomial.legendre.leggauss(_GL_NODES)
_X01 = (_x + 1.0) / 2.0
_W01 = _w / 2.0


def gauss_legendre(a: float, b: float, n_nodes: int):
    """Composite Gauss-Legendre nodes and weights on ``[a, b]`` with about ``n_nodes`` nodes."""
    panels = max(1, int(n_nodes) // _GL_NODES)
    edges = np.linspace(a, b, panels + 1)
    width = np.diff(edges)
    x = (edges[:-1, None] + width[:, None] * _X01[None, :]).ravel()
    w = (width[:, None] * _W01[None, :]).ravel()
    return x, w


def quantile_rule(n_nodes: int, breaks=()):
    """Nodes ``q`` and weights ``w`` on ``[0, 1]``, split at the quantiles ``breaks``.

    Splitting at kinks and jumps of the integrand (participation cut-offs) keeps
    the rule high-order on each piece; a sine substitution clusters nodes at the
    ends of each piece.
    """
    pts = np.unique(np.clip(np.concatenate([[0.0, 1.0], np.asarray(breaks, float)]), 0.0, 1.0))
    qs, ws = [], []
    for a, b in zip(pts[:-1], pts[1:]):
        if b - a <= 1e-15:
            continue
        share = max(_GL_NODES, int(round(n_nodes * (b - a))))
        t, w = gauss_legendre(0.0, 1.0, share)
        # sine substitution q = a + (b-a)(t - sin(2πt)/2π): nodes cluster at both ends,
        # which tames the root singularities of quantile functions (densities -> 0 or ∞)
        qs.append(a + (b - a) * (t - np.sin(2 * np.pi * t) / (2 * np.pi)))
        ws.append((b - a) * w * (1 - np.cos(2 * np.pi * t)))
    return np.concatenate(qs), np.concatenate(ws)


def expect(dist, g, n_nodes: int = 2048, breaks=()):
    """``E[g(V)]`` for ``V ~ dist`` by quadrature in quantile space."""
    q, w = quantile_rule(n_nodes, breaks)
    return float(np.dot(w, g(dist.ppf(q))))
