"""Bayes–Nash equilibria of the LLG combinatorial auction (docs/combinatorial.md).

The LLG model (Ausubel and Milgrom 2006; Goeree and Lien 2016; Ausubel and
Baranov 2020): two items A and B; local bidder 1 wants {A}, local 2 wants {B},
the global bidder wants {A, B}. Locals' values are U[0, 1], correlated by
bnelearn's *Bernoulli weights* model: with probability γ both locals have the
same value (one U[0, 1] draw), otherwise independent values; the global's value
is U[0, 2], independent, and he bids truthfully (a weakly dominant strategy under
VCG and every core-selecting rule here: he pays b1 + b2 when he wins). The locals
win when b1 + b2 > b_G. Local 1 pays (local 2 by symmetry)

* ``vcg``: ``max(0, b_G - b2)``;
* ``nearest_vcg``: VCG plus half of the core's shortfall ``b_G - vcg1 - vcg2``;
* ``nearest_zero``: ``b_G / 2`` unless a local bids less than that (she pays her
  bid, the other the rest);
* ``nearest_bid``: ``(b1 - b2 + b_G) / 2`` (equal shortfalls) unless one local's
  excess over the other covers ``b_G`` alone (she pays ``b_G``);

the minimum-revenue core points nearest to the reference, computed in closed form
(and cross-checked against :meth:`CombinatorialAuction.payments` in the tests).

Symmetric equilibria of the locals are known in closed form (Ausubel and Baranov
2020, Bernoulli weights; the formulas bnelearn and SODA use):

* nearest-VCG: ``β(v) = max(0, 2/(2+γ) · (v − (3 − sqrt(9 − (1−γ)²))/(1−γ)))``;
* nearest-zero: ``β(v) = max(0, 1 + ln(γ + (1−γ)v)/(1−γ))``;
* nearest-bid: ``β(v) = (ln 2 − ln(2 − (1−γ)v))/(1−γ)``;
* VCG: truthful.

:meth:`LLG.equilibrium` *learns* the locals' equilibrium instead: the game is
discretised (types at the midpoints of n cells of [0, 1], bids on an evenly
spaced grid of m points of [0, 1]; the global's truthful bid is integrated out
exactly), the learning engine (:func:`mechdesign.games.learning.learn`) runs on it,
and the result is certified on the *continuous* prior: the bid function is the
piecewise-linear interpolation of the learned mean bid per type cell, and its
expected utilities and utility loss are evaluated by exact integration over the
global's value and fine quadrature over the locals' values (:meth:`LLG.evaluate`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.games.learning.game import LearningGame

LLG_RULES = ("vcg", "nearest_vcg", "nearest_zero", "nearest_bid")
#: bnelearn's BNE database, LLG with independent locals (γ = 0): expected utility (local, global).
PUBLISHED = {"nearest_vcg": (0.13317, 0.46734), "nearest_zero": (0.13399, 0.46403),
             "nearest_bid": (0.12500, 0.50000)}
GLOBAL_MAX = 2.0
#: Tables up to this many bid pairs are computed with numpy, larger ones with the compiled kernel.
SMALL_TABLE = 100_000
#: Memory the game with a learning global may hold in its (b1, b2, global bid) tables.
LEARN_GLOBAL_BYTES = 2 * 2**30


# ----------------------------------------------------------------- payments
def local_payment(rule: str, b1: Any, b2: Any, bg: Any) -> np.ndarray:
    """What local 1 pays when the locals win (b1 + b2 > bg), vectorised (module docstring)."""
    b1, b2, bg = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (b1, b2, bg)))
    if rule == "vcg":
        return np.maximum(0.0, bg - b2)
    if rule == "nearest_vcg":
        vcg1, vcg2 = np.maximum(0.0, bg - b2), np.maximum(0.0, bg - b1)
        return vcg1 + 0.5 * (bg - vcg1 - vcg2)
    if rule == "nearest_zero":
        return np.where(bg <= 2 * np.minimum(b1, b2), 0.5 * bg, np.where(b1 <= b2, b1, bg - b2))
    if rule == "nearest_bid":
        return np.where(bg < b1 - b2, bg, np.where(bg < b2 - b1, 0.0, 0.5 * (b1 - b2 + bg)))
    raise v.fail("rule", f"one of {list(LLG_RULES)}", repr(rule))


def payment_integral(rule: str, b1: np.ndarray, b2: np.ndarray, upper: float = GLOBAL_MAX) -> np.ndarray:
    """``∫_0^{min(b1+b2, upper)} p1(b1, b2, g) dg`` exactly (p1 is piecewise linear in g)."""
    b1, b2 = np.broadcast_arrays(np.asarray(b1, float), np.asarray(b2, float))
    top = np.minimum(b1 + b2, upper)
    knots = np.stack([np.zeros_like(b1), b1, b2, 2 * b1, 2 * b2, np.abs(b1 - b2), top], axis=-1)
    knots = np.sort(np.clip(knots, 0.0, top[..., None]), axis=-1)
    lengths = np.diff(knots, axis=-1)
    mids = 0.5 * (knots[..., 1:] + knots[..., :-1])
    pay = local_payment(rule, b1[..., None], b2[..., None], mids)
    return (lengths * pay).sum(axis=-1)


def interim_tables(rule: str, b1: Any, b2: Any) -> tuple[np.ndarray, np.ndarray]:
    """Win probability ``W`` and expected payment ``P`` of local 1 over the global's U[0, 2] value.

    For bids ``b1`` (rows) and ``b2`` (columns), ``W = min(b1 + b2, 2) / 2`` and
    ``P = ∫ p1 dG``; local 1 with value v expects ``v W − P``. ``P`` comes from
    :func:`payment_integral`, or for large tables from a compiled kernel with the same
    arithmetic (``mechdesign.combinatorial._llg_jit``).
    """
    b1 = np.ascontiguousarray(np.asarray(b1, float).ravel())
    b2 = np.ascontiguousarray(np.asarray(b2, float).ravel())
    win = np.minimum(b1[:, None] + b2[None, :], GLOBAL_MAX) / GLOBAL_MAX
    v.choice(rule, "rule", LLG_RULES)
    if b1.size * b2.size <= SMALL_TABLE:                 # not worth loading the compiled kernel
        return win, payment_integral(rule, b1[:, None], b2[None, :]) / GLOBAL_MAX
    from mechdesign.combinatorial._llg_jit import RULE_CODES, payment_integrals

    pay = payment_integrals(RULE_CODES[rule], b1, b2, GLOBAL_MAX) / GLOBAL_MAX
    return win, pay


def global_utility(total: Any) -> np.ndarray:
    """Truthful global's expected utility when the locals bid ``total = b1 + b2``: ``(2 − total)²₊ / 4``."""
    return np.maximum(GLOBAL_MAX - np.asarray(total, float), 0.0) ** 2 / (2 * GLOBAL_MAX)


def closed_form_bid(rule: str, gamma: float) -> Callable[[Any], np.ndarray]:
    """The locals' symmetric equilibrium bid function (Ausubel and Baranov 2020; module docstring)."""
    g = float(gamma)
    if rule == "vcg":
        return lambda x: np.asarray(x, dtype=float).copy()
    if g == 1.0:
        factor = {"nearest_vcg": 1 / (2 - 0.5), "nearest_zero": 1.0, "nearest_bid": 0.5}[rule]
        return lambda x: factor * np.asarray(x, dtype=float)
    if rule == "nearest_vcg":
        cut = (3 - math.sqrt(9 - (1 - g) ** 2)) / (1 - g)
        return lambda x: np.maximum(0.0, 2 / (2 + g) * (np.asarray(x, float) - cut))
    if rule == "nearest_zero":
        def nz(x):
            with np.errstate(divide="ignore"):
                return np.maximum(0.0, 1 + np.log(g + (1 - g) * np.asarray(x, float)) / (1 - g))
        return nz
    if rule == "nearest_bid":
        return lambda x: (math.log(2) - np.log(2 - (1 - g) * np.asarray(x, float))) / (1 - g)
    raise v.fail("rule", f"one of {list(LLG_RULES)}", repr(rule))


# --------------------------------------------------------- continuous results
@dataclass(frozen=True)
class LLGEvaluation:
    """A locals' bid function evaluated on the continuous prior.

    Attributes
    ----------
    expected_utilities : dict
        ``{"local": u_L, "global": u_G}``: ex-ante expected utility of one local and
        of the (truthful) global.
    revenue : float
        Expected revenue of the seller.
    utility_loss : float
        ``E_v[max_b u(b | v) − u(β(v) | v)]``: what a local gains ex ante by best
        responding (over a fine bid grid of [0, 1]) to the other local playing β.
    relative_loss : float
        ``utility_loss / E_v[max_b u(b | v)]``.
    max_loss : float
        The largest interim gain over the value grid.
    n_values, n_bids : int
        Quadrature nodes for the values and bid grid of the best responses.
    values, best_responses : ndarray
        The value nodes and a best-response bid at each (the best bid of the grid, or the
        vertex of the parabola through it and its neighbours where that does better).
    """

    expected_utilities: dict[str, float]
    revenue: float
    utility_loss: float
    relative_loss: float
    max_loss: float
    n_values: int
    n_bids: int
    values: np.ndarray = field(default=None, repr=False)
    best_responses: np.ndarray = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"expected_utilities": dict(self.expected_utilities), "revenue": self.revenue,
                "utility_loss": self.utility_loss, "relative_loss": self.relative_loss, "max_loss": self.max_loss,
                "n_values": self.n_values, "n_bids": self.n_bids}


class InterpolatedBid:
    """A bid function through points ``(values, bids)``: linear between them, extended linearly, clipped."""

    def __init__(self, values: np.ndarray, bids: np.ndarray, low: float = 0.0, high: float = 1.0):
        self.values = v.frozen(np.asarray(values, float).copy())
        self.bids = v.frozen(np.asarray(bids, float).copy())
        self.low, self.high = low, high

    def __call__(self, x: Any) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        out = np.interp(x, self.values, self.bids)
        if self.values.size > 1:
            left = (self.bids[1] - self.bids[0]) / (self.values[1] - self.values[0])
            right = (self.bids[-1] - self.bids[-2]) / (self.values[-1] - self.values[-2])
            out = np.where(x < self.values[0], self.bids[0] + left * (x - self.values[0]), out)
            out = np.where(x > self.values[-1], self.bids[-1] + right * (x - self.values[-1]), out)
        return np.clip(out, self.low, self.high)

    def __repr__(self) -> str:
        return f"InterpolatedBid({self.values.size} points)"


@dataclass(frozen=True)
class LLGEquilibrium:
    """A learned Bayes–Nash equilibrium of the locals in LLG.

    Attributes
    ----------
    rule : str
    gamma : float
    grid : tuple of int
        ``(n_types, n_bids)`` of the discretised game.
    bid_function : callable
        Value → bid of each local (interpolated mean bid of the learned strategy).
    strategies : ndarray, shape (n_types, n_bids)
        The learned behavioural strategy of the locals on the grid.
    type_grid, bid_grid : ndarray
    evaluation : LLGEvaluation
        Expected utilities, revenue and utility loss of ``bid_function`` on the
        continuous prior.
    learned : LLGEvaluation
        The same for the learned strategy's interpolated mean bids (before refinement).
    refinement_losses : tuple of float
        Continuous utility loss of the learned bid function and of each refinement step.
    expected_utilities : dict
        ``{"local": ..., "global": ...}`` (from ``evaluation``).
    closed_form : LLGEvaluation or None
        The same evaluation of the closed-form equilibrium (module docstring).
    published : dict or None
        bnelearn's BNE database values for γ = 0.
    run : LearningRun
        The learning run on the discrete game (epsilon, status, history, ...).
    time : float
    """

    rule: str
    gamma: float
    grid: tuple[int, int]
    bid_function: Callable[[Any], np.ndarray] = field(repr=False)
    strategies: np.ndarray = field(repr=False)
    type_grid: np.ndarray = field(repr=False)
    bid_grid: np.ndarray = field(repr=False)
    evaluation: LLGEvaluation = field(repr=False)
    learned: LLGEvaluation = field(repr=False)
    refinement_losses: tuple[float, ...] = field(repr=False)
    closed_form: LLGEvaluation | None = field(repr=False)
    published: dict[str, float] | None = field(repr=False)
    run: Any = field(repr=False)
    time: float = 0.0

    @property
    def expected_utilities(self) -> dict[str, float]:
        """``{"local": u_L, "global": u_G}`` on the continuous prior."""
        return dict(self.evaluation.expected_utilities)

    @property
    def loss(self) -> LLGEvaluation:
        """Alias of ``evaluation`` (utility loss and utilities on the continuous prior)."""
        return self.evaluation

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (the strategy table left out; bids at the type grid included)."""
        return {"rule": self.rule, "gamma": self.gamma, "grid": list(self.grid),
                "expected_utilities": self.expected_utilities, "evaluation": self.evaluation.to_dict(),
                "learned": self.learned.to_dict(), "refinement_losses": list(self.refinement_losses),
                "closed_form": None if self.closed_form is None else self.closed_form.to_dict(),
                "published": self.published, "types": self.type_grid.tolist(),
                "bids": np.asarray(self.bid_function(self.type_grid)).tolist(),
                "learning": {"method": self.run.method, "status": self.run.status, "epsilon": float(self.run.epsilon),
                             "iterations": int(self.run.iterations),
                             "relative_loss": float(self.run.loss.max_relative), "elapsed": float(self.run.elapsed)},
                "time": self.time}

    def summary(self) -> str:
        """Learned vs closed-form vs published expected utilities, and the certificates."""
        u = self.expected_utilities
        lines = [f"LLG {self.rule}, gamma {self.gamma:g}, grid {self.grid[0]}x{self.grid[1]}: "
                 f"{self.run.method} {self.run.status} after {self.run.iterations} iterations "
                 f"(discrete epsilon {self.run.epsilon:.2g}, relative loss {self.run.loss.max_relative:.2g}) "
                 f"in {self.time:.3g} s",
                 f"  {'expected utility':28s}{'local':>10s}{'global':>10s}"]
        a = self.learned.expected_utilities
        lines.append(f"  {'learned (grid, interpolated)':28s}{a['local']:10.5f}{a['global']:10.5f}")
        if len(self.refinement_losses) > 1:
            lines.append(f"  {'refined (best responses)':28s}{u['local']:10.5f}{u['global']:10.5f}")
        if self.closed_form is not None:
            c = self.closed_form.expected_utilities
            lines.append(f"  {'closed form (A&B 2020)':28s}{c['local']:10.5f}{c['global']:10.5f}")
        if self.published is not None:
            p = self.published
            lines.append(f"  {'published (bnelearn)':28s}{p['local']:10.5f}{p['global']:10.5f}")
        e = self.evaluation
        lines.append(f"  utility loss on the continuous prior: {e.utility_loss:.2e} "
                     f"(relative {e.relative_loss:.2e}, worst type {e.max_loss:.2e}; "
                     f"learned {self.learned.utility_loss:.2e})")
        return "\n".join(lines)

    def to_frame(self):
        """A pandas DataFrame of the expected utilities: learned, refined, closed form, published."""
        from mechdesign.display.combinatorial import llg_frame

        return llg_frame(self)

    def _repr_html_(self) -> str:
        from mechdesign.display import combinatorial

        return combinatorial.llg_equilibrium(self)

    def __repr__(self) -> str:
        u = self.expected_utilities
        return (f"LLGEquilibrium(rule={self.rule!r}, gamma={self.gamma:g}, local={u['local']:.5f}, "
                f"global={u['global']:.5f}, loss={self.evaluation.utility_loss:.2e})")


# --------------------------------------------------------------- the game
class LLGGame(LearningGame):
    """The discretised LLG as a :class:`LearningGame` (module docstring).

    Agents: the two locals as one symmetric class (``"locals"``), and with
    ``global_bidder="learn"`` also the global (``"global"``: types at the midpoints
    of n cells of [0, 2], bids on m points of [0, 2], locals winning ties; SODA's
    discretisation). With ``global_bidder="truthful"`` (default) the global bids
    his value, which is integrated out exactly.
    """

    def __init__(self, rule: str, gamma: float, n_types: int = 64, n_bids: int = 64,
                 global_bidder: str = "truthful"):
        self.rule = v.choice(rule, "rule", LLG_RULES)
        self.gamma = float(gamma)
        self.global_bidder = v.choice(global_bidder, "global_bidder", ("truthful", "learn"))
        n, m = int(n_types), int(n_bids)
        self.types = v.frozen((np.arange(n) + 0.5) / n)
        self.bids = v.frozen(np.linspace(0.0, 1.0, m))
        weights = [np.full(n, 1.0 / n)]
        actions = [m]
        names = ["locals"]
        sizes = [2]
        if self.global_bidder == "truthful":
            self.win, self.pay = interim_tables(self.rule, self.bids, self.bids)
        else:
            if 3 * 8 * m ** 3 > LEARN_GLOBAL_BYTES:
                raise v.fail("n_bids", f"at most {int((LEARN_GLOBAL_BYTES / 24) ** (1 / 3))} bids with "
                             "global_bidder='learn' (three tables of n_bids³ numbers)", m)
            self.global_types = v.frozen((np.arange(n) + 0.5) / n * GLOBAL_MAX)
            self.global_bids = v.frozen(np.linspace(0.0, GLOBAL_MAX, m))
            b1, b2, g = np.meshgrid(self.bids, self.bids, self.global_bids, indexing="ij")
            wins = (b1 + b2 >= g).astype(float)                   # ties go to the locals (SODA's "local")
            self.win3 = wins.reshape(m * m, m)                    # (b1, b2) x global bid
            self.pay3 = (wins * local_payment(self.rule, b1, b2, g)).reshape(m * m, m)
            self.total = (self.bids[:, None] + self.bids[None, :]).ravel()
            # the global wins when his bid beats b1 + b2 strictly, and pays b1 + b2
            self.beats = (self.global_bids[None, :] > self.total[:, None]).astype(float)
            weights.append(np.full(n, 1.0 / n))
            actions.append(m)
            names.append("global")
            sizes.append(1)
        super().__init__(weights, actions, agent_names=names, class_sizes=sizes)

    def payoff_scale(self) -> float:
        return 1.0

    def _local_utilities(self, sigma: np.ndarray, win: np.ndarray, pay: np.ndarray) -> np.ndarray:
        w = self.type_weights[0]
        mu = w @ sigma                                            # the other local's bid distribution
        g = self.gamma
        out = (1 - g) * (self.types[:, None] * (win @ mu)[None, :] - (pay @ mu)[None, :])
        if g:
            out = out + g * (self.types[:, None] * (sigma @ win.T) - sigma @ pay.T)
        return out

    def utilities(self, strategies):
        sigma = strategies[0]
        if self.global_bidder == "truthful":
            return [self._local_utilities(sigma, self.win, self.pay)]
        m = self.n_actions[0]
        nu = self.type_weights[1] @ strategies[1]                 # the global's bid distribution
        win = (self.win3 @ nu).reshape(m, m)
        pay = (self.pay3 @ nu).reshape(m, m)
        locals_u = self._local_utilities(sigma, win, pay)
        w = self.type_weights[0]
        mu = w @ sigma
        joint = (1 - self.gamma) * np.outer(mu, mu)               # the locals' joint bid distribution
        if self.gamma:
            joint = joint + self.gamma * (sigma * w[:, None]).T @ sigma
        joint = joint.ravel()
        mass = joint @ self.beats
        paid = (joint * self.total) @ self.beats
        global_u = self.global_types[:, None] * mass[None, :] - paid[None, :]
        return [locals_u, global_u]


# ------------------------------------------------------------------ the model
class LLG:
    """The Bayesian LLG auction with a core-selecting (or VCG) payment rule (module docstring).

    Parameters
    ----------
    gamma : float
        Correlation of the locals' values in [0, 1] (Bernoulli weights).
    rule : {"nearest_vcg", "nearest_zero", "nearest_bid", "vcg"}

    Examples
    --------
    >>> eq = LLG(gamma=0.0, rule="nearest_bid").equilibrium()       # doctest: +SKIP
    >>> eq.expected_utilities                                        # doctest: +SKIP
    {'local': 0.125..., 'global': 0.500...}
    """

    def __init__(self, gamma: float = 0.0, rule: str = "nearest_vcg"):
        g = v.tolerance(gamma, "gamma")
        if g > 1:
            raise v.fail("gamma", "a correlation in [0, 1]", g)
        self.gamma = g
        self.rule = v.choice(rule, "rule", LLG_RULES)

    # ---------------------------------------------------------------- pieces
    def payments(self, b1: Any, b2: Any, bg: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Payments ``(p1, p2, pG)`` at bid profiles (vectorised; the locals win when b1 + b2 > bg)."""
        b1, b2, bg = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (b1, b2, bg)))
        locals_win = b1 + b2 > bg
        p1 = np.where(locals_win, local_payment(self.rule, b1, b2, bg), 0.0)
        p2 = np.where(locals_win, local_payment(self.rule, b2, b1, bg), 0.0)
        pg = np.where(locals_win, 0.0, b1 + b2)
        return p1, p2, pg

    def closed_form_bid(self) -> Callable[[Any], np.ndarray]:
        """The locals' closed-form equilibrium bid function (module docstring)."""
        return closed_form_bid(self.rule, self.gamma)

    def game(self, n_types: int = 64, n_bids: int = 64, global_bidder: str = "truthful") -> LLGGame:
        """The discretised game for the learning engine."""
        for name, value in (("n_types", n_types), ("n_bids", n_bids)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 2:
                raise v.fail(name, "an integer ≥ 2", v._short(value))
        return LLGGame(self.rule, self.gamma, int(n_types), int(n_bids), global_bidder)

    # ------------------------------------------------------------ evaluation
    def evaluate(self, bid: Callable[[Any], Any], n_values: int = 1000, n_bids: int = 1001) -> LLGEvaluation:
        """Expected utilities, revenue and utility loss of the locals playing ``bid`` (continuous prior).

        The global's value is integrated out exactly (payments are piecewise linear
        in it); the locals' values by the midpoint rule on ``n_values`` cells (error
        O(n_values⁻²) for bid functions with bounded slope, plus the kinks' share);
        best responses are taken over ``n_bids`` evenly spaced bids in [0, 1] and, per
        value, at the vertex of the parabola through the best grid bid and its
        neighbours (evaluated exactly), so the loss is a lower bound of the true one,
        tight up to the bid grid's resolution.
        """
        if not callable(bid):
            raise v.fail("bid", "a callable value -> bid (vectorised)", type(bid).__name__)
        x = (np.arange(n_values) + 0.5) / n_values
        beta = np.asarray(bid(x), dtype=float)
        if beta.shape != x.shape or not np.all(np.isfinite(beta)) or beta.min() < 0:
            raise v.fail("bid", "finite non-negative bids of the shape of its input", f"shape {beta.shape}")
        g = self.gamma
        # independent part: the other local's bid is beta(v') for v' uniform
        win, pay = interim_tables(self.rule, beta, beta)        # (own value cell, other's cell)
        own_ind = x * win.mean(axis=1) - pay.mean(axis=1)
        own_cor = x * np.diag(win) - np.diag(pay)
        local = (1 - g) * own_ind.mean() + g * own_cor.mean()
        totals = beta[:, None] + beta[None, :]
        glob = (1 - g) * global_utility(totals).mean() + g * global_utility(2 * beta).mean()
        # welfare minus surplus = revenue
        welfare = (1 - g) * _welfare_mean(x[:, None] + x[None, :], totals) + g * _welfare_mean(2 * x, 2 * beta)
        revenue = welfare - 2 * local - glob
        # best responses over a bid grid
        grid = np.linspace(0.0, 1.0, n_bids)
        win_g, pay_g = interim_tables(self.rule, grid, beta)   # (bid, other's cell)
        u_ind = x[:, None] * win_g.mean(axis=1)[None, :] - pay_g.mean(axis=1)[None, :]
        u = (1 - g) * u_ind
        if g:
            win_c, pay_c = win_g.T, pay_g.T                     # (own value cell, bid): the other bids beta(v)
            u = u + g * (x[:, None] * win_c - pay_c)
        current = (1 - g) * own_ind + g * own_cor
        rows = np.arange(n_values)
        choice = u.argmax(axis=1)
        # the parabola's vertex between grid bids, evaluated exactly: sub-grid best responses
        refined = _parabolic_argmax(u, grid, choice)
        win_r, pay_r = interim_tables(self.rule, refined, beta)  # (own value cell with its bid, other's cell)
        u_refined = (1 - g) * (x * win_r.mean(axis=1) - pay_r.mean(axis=1))
        if g:
            u_refined = u_refined + g * (x * np.diag(win_r) - np.diag(pay_r))
        on_grid = u[rows, choice]
        responses = np.where(u_refined > on_grid, refined, grid[choice])
        best = np.maximum(np.maximum(on_grid, u_refined), current)
        gain = best - current
        loss = float(gain.mean())
        best_mean = float(best.mean())
        return LLGEvaluation({"local": float(local), "global": float(glob)}, float(revenue), loss,
                             loss / best_mean if best_mean > 0 else 0.0, float(gain.max()), n_values, n_bids,
                             v.frozen(x), v.frozen(responses))

    def auction(self, b1: float, b2: float, bg: float):
        """The LLG instance with these bids as a :class:`CombinatorialAuction`."""
        from mechdesign.combinatorial.generators import llg

        return llg((b1, b2, bg))

    # ------------------------------------------------------------ equilibrium
    def equilibrium(self, method: str = "dual_averaging", grid: tuple[int, int] = (64, 64),
                    options: Mapping[str, Any] | None = None, progress: Any = None,
                    global_bidder: str = "truthful", refine: int = 3) -> LLGEquilibrium:
        """Learn the locals' Bayes–Nash equilibrium and certify it on the continuous prior.

        Parameters
        ----------
        method : str
            A method of :func:`mechdesign.games.learning.learn` (default dual averaging).
        grid : (int, int)
            Type cells and bid points of the discretised game (default 64 × 64).
        options : mapping, optional
            Passed to ``learn`` (``iterations``, ``tol``, ``stop``, ``step``, ...).
            Defaults: SODA's stopping rule ``stop="relative_loss"``, ``tol=1e-4``,
            and ``polish=False``.
        progress : None, True or callable
            Progress of the learning run (``learn``'s option).
        global_bidder : {"truthful", "learn"}
            ``"learn"`` lets the global learn too on a grid of [0, 2] (SODA's game);
            the continuous evaluation still uses a truthful global.
        refine : int
            Best-response steps on the continuous prior after learning (default 3):
            each replaces the bid function by a best response to it (over the
            evaluation's fine bid grid); the function of smallest continuous utility
            loss among the learned one and the steps is returned. ``refine=0``
            returns the learned (interpolated) bid function itself.

        Notes
        -----
        A grid strategy carries the grid's rounding: learned to a small discrete
        loss, its mean bids sit within about a grid step of the continuous
        equilibrium, which moves the global's utility by ~1e-3 at 64 bids. The
        refinement removes most of that; both evaluations are kept
        (``learned`` and ``evaluation`` of the result).

        Returns
        -------
        LLGEquilibrium
        """
        from mechdesign.games.learning import learn

        began = time.perf_counter()
        if isinstance(grid, (str, bytes)) or not hasattr(grid, "__len__") or len(grid) != 2:
            raise v.fail("grid", "(n_types, n_bids)", v._short(grid))
        if options is not None and not isinstance(options, Mapping):
            raise v.fail("options", "a mapping of learning options", type(options).__name__)
        refine = _count(refine, "refine", 0)
        game = self.game(grid[0], grid[1], global_bidder)
        opts = {"stop": "relative_loss", "tol": 1e-4, "polish": False, **dict(options or {})}
        run = learn(game, method, progress=progress, **opts)
        sigma = np.asarray(run.strategies[0])
        learned_bid = InterpolatedBid(game.types, sigma @ game.bids, 0.0, 1.0)
        learned = self.evaluate(learned_bid)
        bid, evaluation, losses = learned_bid, learned, [learned.utility_loss]
        current = learned
        for _ in range(refine):                  # best responses on the continuous prior; keep the best
            candidate = InterpolatedBid(current.values, current.best_responses, 0.0, 1.0)
            current = self.evaluate(candidate)
            losses.append(current.utility_loss)
            if current.utility_loss < evaluation.utility_loss:
                bid, evaluation = candidate, current
        closed = self.evaluate(self.closed_form_bid())
        published = None
        if self.gamma == 0.0 and self.rule in PUBLISHED:
            published = dict(zip(("local", "global"), PUBLISHED[self.rule]))
        return LLGEquilibrium(self.rule, self.gamma, (int(grid[0]), int(grid[1])), bid, v.frozen(sigma.copy()),
                              game.types, game.bids, evaluation, learned, tuple(losses), closed, published, run,
                              time.perf_counter() - began)

    def __repr__(self) -> str:
        return f"LLG(gamma={self.gamma:g}, rule={self.rule!r})"


def _parabolic_argmax(u: np.ndarray, grid: np.ndarray, choice: np.ndarray) -> np.ndarray:
    """Per row, the maximiser of the parabola through the grid maximum and its neighbours.

    Sub-grid accuracy for smooth maxima (no rounding bias towards either neighbour); kept
    between the neighbours, and the grid point itself where the row is not concave there.
    """
    rows = np.arange(u.shape[0])
    inner = (choice > 0) & (choice < grid.size - 1)
    j = np.clip(choice, 1, grid.size - 2)
    left, mid, right = u[rows, j - 1], u[rows, j], u[rows, j + 1]
    curvature = left - 2 * mid + right
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curvature < 0, 0.5 * (left - right) / curvature, 0.0)
    step = grid[1] - grid[0]
    refined = grid[j] + np.clip(shift, -1.0, 1.0) * step
    return np.where(inner, refined, grid[choice])


def _count(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise v.fail(name, f"an integer ≥ {minimum}", v._short(value))
    return int(value)


def _welfare_mean(local_values: np.ndarray, local_bids: np.ndarray) -> float:
    """E over the global's U[0, 2] value of the realised welfare, averaged over the given cells."""
    # locals win (welfare = their values) when g < bids; the global otherwise (welfare = g)
    top = np.minimum(local_bids, GLOBAL_MAX)
    locals_part = local_values * top / GLOBAL_MAX
    global_part = (GLOBAL_MAX ** 2 - top ** 2) / (2 * GLOBAL_MAX)
    return float((locals_part + global_part).mean())


__all__ = ["InterpolatedBid", "LLG", "LLGEquilibrium", "LLGEvaluation", "LLGGame", "LLG_RULES", "PUBLISHED",
           "closed_form_bid", "global_utility", "interim_tables", "local_payment", "payment_integral"]
