"""Update rules of the learning dynamics and their step-size schedules.

Every rule maps the current profile ``sigma`` and the interim utilities ``U``
at it (the gradients of the agents' ex-ante utilities with respect to their
distributional strategies) to the next profile; all agents move at once
(simultaneous learning). Step sizes follow SODA (Fichtl, Oberlechner and
Bichler, "Computing Bayes–Nash equilibrium strategies in auction games via
simultaneous online dual averaging"):

``dual_averaging``
    Y ← Y + η_t U, sigma = Q(Y) (lazy): with the entropic regulariser Q is the
    softmax of each row (exponential weights), with the Euclidean one the
    projection of each row onto the simplex.
``mirror_ascent``
    sigma ← argmax_x ⟨η_t U, x⟩ − D(x, sigma) (greedy): entropic — the
    multiplicative update sigma·exp(η_t U), renormalised; Euclidean —
    projected gradient ascent. With the entropic map it coincides with entropic
    dual averaging (as in SODA); the two differ with the Euclidean map.
``frank_wolfe``
    sigma ← sigma + γ_t (BR − sigma), γ_t = 2 / (t + 2), BR the best response.
``fictitious_play``
    the same with γ_t = 1 / (t + 2): sigma is the average of the initial
    profile and all best responses so far.

η_t = η_0 (t + 1)^(−β) for t = 0, 1, ... with η_0 = eta / scale, where scale
is the spread of the utilities (so ``eta`` is free of the payoffs' units);
defaults ``eta`` and ``beta`` are :data:`DEFAULT_STEPS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mechdesign import _validation as v

METHODS = ("dual_averaging", "mirror_ascent", "frank_wolfe", "fictitious_play")
REGULARIZERS = ("entropic", "euclidean")
#: Default step parameters (eta relative to the utility spread, beta the decay exponent).
DEFAULT_STEPS = {
    "entropic": {"eta": 50.0, "beta": 0.05},
    "euclidean": {"eta": 0.5, "beta": 0.05},
}


def step_schedule(method: str, step: Any, regularizer: str, scale: float) -> Callable[[int], float]:
    """η_t (or γ_t for Frank–Wolfe / fictitious play) as a function of the iteration t = 0, 1, ...

    ``step`` is None (defaults), a number ``eta``, a dict with keys ``eta`` and/or
    ``beta`` (η_t = eta / scale · (t + 1)^−beta), or a callable ``t -> step``
    used as given (not scaled).
    """
    if callable(step):
        return lambda t: float(step(t))
    if method in ("frank_wolfe", "fictitious_play"):
        if step is not None:
            raise v.fail("step", f"None or a callable t -> step for method {method!r} "
                         f"(its schedule is {'2/(t+2)' if method == 'frank_wolfe' else '1/(t+2)'})", repr(step))
        if method == "frank_wolfe":
            return lambda t: 2.0 / (t + 2.0)
        return lambda t: 1.0 / (t + 2.0)
    params = dict(DEFAULT_STEPS[regularizer])
    if isinstance(step, (int, float, np.floating, np.integer)) and not isinstance(step, bool):
        params["eta"] = float(step)
    elif isinstance(step, dict):
        unknown = sorted(set(step) - {"eta", "beta"})
        if unknown:
            raise v.fail("step", "a dict with keys 'eta' and/or 'beta'", f"unknown keys {unknown}")
        params.update({k: float(x) for k, x in step.items()})
    elif step is not None:
        raise v.fail("step", "None, a number eta, a dict {'eta', 'beta'} or a callable t -> step",
                     type(step).__name__)
    eta, beta = params["eta"], params["beta"]
    if not np.isfinite(eta) or eta <= 0:
        raise v.fail("step['eta']", "a positive number", eta)
    if not np.isfinite(beta) or beta < 0:
        raise v.fail("step['beta']", "a non-negative number", beta)
    eta0 = eta / scale
    return lambda t: eta0 * (t + 1.0) ** (-beta)


def softmax_rows(y: np.ndarray) -> np.ndarray:
    """Row-wise softmax (stable). Entries more than 700 below their row's maximum get probability
    exactly 0 (below 1e-304) without computing ``exp``, which there underflows slowly."""
    d = y - y.max(axis=1, keepdims=True)
    z = np.zeros_like(d)
    np.exp(d, out=z, where=d > -700.0)
    return z / z.sum(axis=1, keepdims=True)


def project_rows(y: np.ndarray) -> np.ndarray:
    """Euclidean projection of each row onto the probability simplex (sort-based, exact)."""
    m = y.shape[1]
    u = -np.sort(-y, axis=1)
    css = np.cumsum(u, axis=1) - 1.0
    ks = np.arange(1, m + 1)
    cond = u - css / ks > 0
    rho = m - 1 - np.argmax(cond[:, ::-1], axis=1)                    # last index where cond holds
    theta = css[np.arange(y.shape[0]), rho] / (rho + 1.0)
    return np.maximum(y - theta[:, None], 0.0)


def best_response(u: np.ndarray) -> np.ndarray:
    """One-hot best response of each row (ties to the lowest action index)."""
    out = np.zeros_like(u)
    out[np.arange(u.shape[0]), u.argmax(axis=1)] = 1.0
    return out


class Dynamics:
    """State of one run of a learning rule over all agents."""

    def __init__(self, method: str, regularizer: str, start: tuple[np.ndarray, ...], schedule: Callable[[int], float]):
        self.method = method
        self.regularizer = regularizer
        self.schedule = schedule
        if method == "dual_averaging":
            if regularizer == "entropic":
                self.dual = [np.log(np.maximum(s, 1e-300)) for s in start]
            else:
                self.dual = [s.copy() for s in start]
        self.log = [np.log(np.maximum(s, 1e-300)) for s in start] if (
            method == "mirror_ascent" and regularizer == "entropic") else None
        self.kernels = None

    @property
    def compilable(self) -> bool:
        """Whether :meth:`use_kernels` speeds this rule up (entropic dual averaging)."""
        return self.method == "dual_averaging" and self.regularizer == "entropic"

    def use_kernels(self, kernels) -> None:
        """Run the entropic dual-averaging step in the compiled kernels of
        :mod:`~mechdesign.games.learning.kernels` from now on (the same update)."""
        if self.compilable:
            self.kernels = kernels

    def step(self, t: int, sigma: tuple[np.ndarray, ...], U: list[np.ndarray]) -> tuple[np.ndarray, ...]:
        """The next profile from ``sigma`` and its utilities ``U`` at iteration ``t``."""
        eta = self.schedule(t)
        if self.method == "dual_averaging":
            out = []
            if self.kernels is not None:
                for y, u in zip(self.dual, U):
                    x = np.empty_like(y)
                    self.kernels.entropic_dual_step(y, np.ascontiguousarray(u, dtype=float), float(eta), x)
                    out.append(x)
                return tuple(out)
            for y, u in zip(self.dual, U):
                y += eta * u
                out.append(softmax_rows(y) if self.regularizer == "entropic" else project_rows(y))
            return tuple(out)
        if self.method == "mirror_ascent":
            if self.regularizer == "entropic":
                out = []
                for a, u in enumerate(U):
                    y = self.log[a] + eta * u
                    y -= y.max(axis=1, keepdims=True)
                    x = np.exp(y)
                    x /= x.sum(axis=1, keepdims=True)
                    self.log[a] = np.log(np.maximum(x, 1e-300))
                    out.append(x)
                return tuple(out)
            return tuple(project_rows(s + eta * u) for s, u in zip(sigma, U))
        # Frank–Wolfe and fictitious play: move towards the best response (ties to the lowest index)
        out = []
        for s, u in zip(sigma, U):
            x = s * (1.0 - eta)
            x[np.arange(u.shape[0]), u.argmax(axis=1)] += eta
            out.append(x)
        return tuple(out)
