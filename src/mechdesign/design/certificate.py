"""Farkas certificates of infeasibility, checked in exact rational arithmetic.

A certificate is a list of weights ``w_r`` on named constraint rows, each row
written ``a_r·z ≤ b_r`` (equalities may carry weights of either sign). It proves
that no mechanism satisfies the constraints when

* ``w_r ≥ 0`` on every inequality,
* the combination ``c = Σ_r w_r a_r`` is 0 on every transfer m_i(θ) (free
  variables) and ≥ 0 on every probability p(θ, x) (which are ≥ 0), and
* ``Σ_r w_r b_r < 0``:

then any mechanism would satisfy ``0 ≤ c·z = Σ_r w_r a_r·z ≤ Σ_r w_r b_r < 0``.

:meth:`FarkasCertificate.verify` re-derives every row it uses from the
environment's data (valuations, prior, fixed decision, user coefficients, each
float converted exactly with :class:`fractions.Fraction`) by plain loops written
independently of the vectorised LP builders, and checks the three conditions
exactly. The solver only suggests which rows to combine.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from mechdesign.design.constraints import LinearConstraint
from mechdesign.model.environment import Environment

EQUALITY_FAMILIES = ("lottery", "budget_strong")

Var = tuple  # ("p", profile, x) or ("m", profile, i)


class ExactRows:
    """The named rows of a design problem, rebuilt from the environment in exact arithmetic."""

    def __init__(self, env: Environment, fixed_lottery: np.ndarray | None,
                 user_constraints: tuple[LinearConstraint, ...]):
        self.env = env
        self.fixed = fixed_lottery
        self.user = user_constraints
        self.shape = env.n_types
        self.N = env.n_players
        self.X = env.n_alternatives
        self._marginals = [[Fraction(float(q)) for q in env.prior.marginal(i)] for i in range(self.N)]
        self._joint = None if env.prior.is_independent else np.asarray(env.prior.joint())
        self._cond_mass: dict[tuple[int, int], Fraction] = {}

    # ------------------------------------------------------------ data
    def u(self, i: int, x: int, prof: tuple[int, ...]) -> Fraction:
        val = self.env.valuations[i]
        return Fraction(float(val[prof[i], x] if val.ndim == 2 else val[(*prof, x)]))

    def prob(self, prof: tuple[int, ...]) -> Fraction:
        if self._joint is None:
            return math.prod((self._marginals[j][t] for j, t in enumerate(prof)), start=Fraction(1))
        return Fraction(float(self._joint[prof]))

    def belief(self, i: int, prof: tuple[int, ...]) -> Fraction:
        """P(θ_-i = prof_-i | θ_i = prof_i)."""
        if self._joint is None:
            return math.prod((self._marginals[j][t] for j, t in enumerate(prof) if j != i), start=Fraction(1))
        key = (i, prof[i])
        if key not in self._cond_mass:
            self._cond_mass[key] = sum((Fraction(float(q)) for q in np.take(self._joint, prof[i], axis=i).ravel()),
                                       start=Fraction(0))
        return self.prob(prof) / self._cond_mass[key]

    def flat(self, prof: tuple[int, ...]) -> int:
        return int(np.ravel_multi_index(prof, self.shape))

    def profile(self, flat: int) -> tuple[int, ...]:
        return tuple(int(t) for t in np.unravel_index(int(flat), self.shape))

    def with_type(self, i: int, others: int, t: int) -> tuple[int, ...]:
        rest = [k for j, k in enumerate(self.shape) if j != i]
        o = [int(a) for a in np.unravel_index(int(others), rest)] if rest else []
        return (*o[:i], t, *o[i:])

    def others_profiles(self, i: int, t: int):
        rest = [range(k) for j, k in enumerate(self.shape) if j != i]
        for o in np.ndindex(*[len(r) for r in rest]):
            yield (*o[:i], t, *o[i:])

    # ------------------------------------------------------------- rows
    def row(self, family: str, key: tuple[int, ...]) -> tuple[dict[Var, Fraction], Fraction]:
        """Coefficients and right-hand side of the row ``a·z ≤ b`` (or ``=``) named by (family, key)."""
        coefs: dict[Var, Fraction] = defaultdict(Fraction)
        rhs = [Fraction(0)]

        def p(prof: tuple[int, ...], x: int, c: Fraction) -> None:
            if c == 0:
                return
            if self.fixed is None:
                coefs[("p", self.flat(prof), x)] += c
            else:
                rhs[0] -= c * Fraction(float(self.fixed[self.flat(prof), x]))

        def utility(i: int, true: tuple[int, ...], report: tuple[int, ...], c: Fraction) -> None:
            """c·(Σ_x u_i(x, true) p(report, x) + m_i(report))."""
            for x in range(self.X):
                p(report, x, c * self.u(i, x, true))
            coefs[("m", self.flat(report), i)] += c

        if family == "lottery":
            for x in range(self.X):
                coefs[("p", key[0], x)] += 1
            rhs[0] += 1
        elif family == "dsic":
            i, t, r, o = key
            true, rep = self.with_type(i, o, t), self.with_type(i, o, r)
            utility(i, true, rep, Fraction(1))
            utility(i, true, true, Fraction(-1))
        elif family in {"bic", "ir_interim"}:
            i, t = key[0], key[1]
            for true in self.others_profiles(i, t):
                b = self.belief(i, true)
                if family == "bic":
                    utility(i, true, (*true[:i], key[2], *true[i + 1:]), b)
                utility(i, true, true, -b)
        elif family == "ir_ex_post":
            i, prof = key[0], self.profile(key[1])
            utility(i, prof, prof, Fraction(-1))
        elif family == "ir_ex_ante":
            i = key[0]
            for prof in np.ndindex(*self.shape):
                utility(i, prof, prof, -self.prob(prof))
        elif family in {"budget_weak", "budget_strong"}:
            for i in range(self.N):
                coefs[("m", key[0], i)] += 1
        elif family == "budget_ex_ante":
            for prof in np.ndindex(*self.shape):
                for i in range(self.N):
                    coefs[("m", self.flat(prof), i)] += self.prob(prof)
        elif family == "user":
            con = self.user[key[0]]
            sign = 1 if key[2] == 0 else -1
            bound = con.ub[key[1]] if key[2] == 0 else con.lb[key[1]]
            rhs[0] += sign * Fraction(float(bound))
            for prof in np.ndindex(*self.shape):
                if con.decision is not None:
                    for x in range(self.X):
                        p(prof, x, sign * Fraction(float(con.decision[(key[1], *prof, x)])))
                if con.transfers is not None:
                    for i in range(self.N):
                        coefs[("m", self.flat(prof), i)] += sign * Fraction(float(con.transfers[(key[1], *prof, i)]))
        else:
            raise ValueError(f"unknown constraint family {family!r}")
        return {k: c for k, c in coefs.items() if c != 0}, rhs[0]


def _check(rows: ExactRows, weights: list[tuple[str, tuple, Fraction]]) -> tuple[bool, Fraction, str]:
    """Exact Farkas check; returns (valid, Σ w·b, reason if invalid)."""
    total: dict[Var, Fraction] = defaultdict(Fraction)
    bound = Fraction(0)
    for family, key, w in weights:
        if w < 0 and family not in EQUALITY_FAMILIES:
            return False, bound, f"negative weight {w} on inequality {family}{key}"
        coefs, rhs = rows.row(family, key)
        for var, c in coefs.items():
            total[var] += w * c
        bound += w * rhs
    for var, c in total.items():
        if var[0] == "m" and c != 0:
            return False, bound, f"transfer {var} does not cancel (coefficient {c})"
        if var[0] == "p" and c < 0:
            return False, bound, f"probability {var} has a negative coefficient {c}"
    if bound >= 0:
        return False, bound, f"the combined right-hand side {bound} is not negative"
    return True, bound, ""


def _solve_exact(rows: ExactRows, support: list[tuple[str, tuple]], guess: list[float]) -> list[Fraction] | None:
    """Exact weights on ``support`` near ``guess`` that cancel every transfer and tight probability."""
    exact_rows = [rows.row(f, k) for f, k in support]
    float_bound = sum(g * float(rhs) for (_, rhs), g in zip(exact_rows, guess))
    if not float_bound < 0:
        return None
    guess = [-g / float_bound for g in guess]          # scaled so that Σ w·b ≈ −1
    float_comb: dict[Var, float] = defaultdict(float)
    for (coefs, _), g in zip(exact_rows, guess):
        for var, c in coefs.items():
            float_comb[var] += g * float(c)
    scale = max((abs(c) for coefs, _ in exact_rows for c in coefs.values()), default=1.0)
    # equations: Σ_r w_r a_r[var] = 0 for transfers and for probabilities the guess leaves at ~0; Σ w_r b_r = −1
    equations: dict[Var, dict[int, Fraction]] = defaultdict(dict)
    for r, (coefs, _) in enumerate(exact_rows):
        for var, c in coefs.items():
            if var[0] == "m" or float_comb[var] <= 1e-9 * float(scale):
                equations[var][r] = c
    system = [(eq, Fraction(0)) for eq in equations.values()]
    system.append(({r: rhs for r, (_, rhs) in enumerate(exact_rows) if rhs != 0}, Fraction(-1)))
    pivots: list[tuple[int, dict[int, Fraction], Fraction]] = []
    pivot_of: dict[int, int] = {}
    for eq, rhs in system:
        eq, rhs = _reduce(dict(eq), rhs, pivots, pivot_of)
        if not eq:
            if rhs != 0:
                return None
            continue
        piv = max(eq, key=lambda r: abs(guess[r]))
        c = eq[piv]
        prow = {u: a / c for u, a in eq.items() if u != piv}
        pivots.append((piv, prow, rhs / c))
        pivot_of[piv] = len(pivots) - 1
    values = {r: Fraction(g).limit_denominator(10**9) for r, g in enumerate(guess) if r not in pivot_of}
    for piv, prow, prhs in reversed(pivots):
        values[piv] = prhs - sum((a * values[u] for u, a in prow.items()), start=Fraction(0))
    return [values[r] for r in range(len(support))]


def _reduce(eq: dict[int, Fraction], rhs: Fraction, pivots: list, pivot_of: dict[int, int]
            ) -> tuple[dict[int, Fraction], Fraction]:
    """Substitute pivot variables out of ``eq`` (earliest pivot first, which only brings in later ones)."""
    while True:
        present = [pivot_of[u] for u in eq if u in pivot_of]
        if not present:
            return eq, rhs
        piv, prow, prhs = pivots[min(present)]
        c = eq.pop(piv)
        for u, a in prow.items():
            new = eq.get(u, Fraction(0)) - c * a
            if new == 0:
                eq.pop(u, None)
            else:
                eq[u] = new
        rhs -= c * prhs


@dataclass(frozen=True)
class FarkasCertificate:
    """Proof that the requested properties are incompatible.

    Attributes
    ----------
    weights : tuple of (family, key, Fraction)
        Weight of each row used, largest first; keys as in
        :mod:`mechdesign.design.constraints`.
    bound : Fraction
        Σ_r w_r b_r, the negative number the combination is bounded by.
    exact : bool
        Whether the weights were made exact (rationals that pass :meth:`verify`);
        otherwise they are the solver's floating-point weights.
    """

    weights: tuple[tuple[str, tuple, Fraction], ...]
    bound: Fraction
    exact: bool
    _rows: ExactRows = field(repr=False, compare=False)

    @classmethod
    def from_float(cls, rows: ExactRows, weights: list[tuple[str, tuple, float]]) -> "FarkasCertificate":
        """Turn solver weights into an exact certificate (falls back to float weights if that fails)."""
        top = max((abs(w) for *_, w in weights), default=0.0)
        support = [(f, k, w) for f, k, w in weights if abs(w) > 1e-9 * top]
        exact = None
        if support:
            exact = _solve_exact(rows, [(f, k) for f, k, _ in support], [w for *_, w in support])
        if exact is not None:
            cand = [(f, k, w) for (f, k, _), w in zip(support, exact) if w != 0]
            ok, bound, _ = _check(rows, cand)
            if ok:
                cand.sort(key=lambda item: -abs(item[2]))
                return cls(tuple(cand), bound, True, rows)
        loose = [(f, k, Fraction(w)) for f, k, w in support]
        loose.sort(key=lambda item: -abs(item[2]))
        _, bound, _ = _check(rows, loose)
        return cls(tuple(loose), bound, False, rows)

    def verify(self) -> bool:
        """Re-check the certificate exactly from the environment's data (independent of the solver)."""
        return _check(self._rows, list(self.weights))[0]

    def reason(self) -> str:
        """Why :meth:`verify` fails ("" when it succeeds)."""
        return _check(self._rows, list(self.weights))[2]

    def family_weights(self) -> dict[str, tuple[int, float]]:
        """Per family: number of rows used and share of the total |weight|."""
        total = sum(abs(w) for *_, w in self.weights) or Fraction(1)
        out: dict[str, list] = {}
        for family, _, w in self.weights:
            entry = out.setdefault(family, [0, Fraction(0)])
            entry[0] += 1
            entry[1] += abs(w)
        return {f: (n, float(s / total)) for f, (n, s) in sorted(out.items(), key=lambda kv: -kv[1][1])}

    def describe(self, family: str, key: tuple) -> str:
        """Human-readable statement of one row."""
        env = self._rows.env
        lab = env.type_labels
        pl = env.players

        def others(i: int, o: int) -> str:
            prof = self._rows.with_type(i, o, 0)
            return ", ".join(f"{pl[j]}={lab[j][t]}" for j, t in enumerate(prof) if j != i)

        def profile(flat: int) -> str:
            return ", ".join(f"{pl[j]}={lab[j][t]}" for j, t in enumerate(self._rows.profile(flat)))

        if family == "dsic":
            i, t, r, o = key
            return (f"dsic: {pl[i]} of type {lab[i][t]} must not gain by reporting {lab[i][r]}"
                    + (f" when the others report {others(i, o)}" if env.n_players > 1 else ""))
        if family == "bic":
            i, t, r = key
            return f"bic: {pl[i]} of type {lab[i][t]} must not expect to gain by reporting {lab[i][r]}"
        if family == "ir_interim":
            return f"ir_interim: {pl[key[0]]} of type {lab[key[0]][key[1]]} must expect utility ≥ 0"
        if family == "ir_ex_post":
            return f"ir_ex_post: {pl[key[0]]} must get utility ≥ 0 at ({profile(key[1])})"
        if family == "ir_ex_ante":
            return f"ir_ex_ante: {pl[key[0]]} must expect utility ≥ 0 ex ante"
        if family == "budget_weak":
            return f"budget_weak: transfers must sum to ≤ 0 at ({profile(key[0])})"
        if family == "budget_strong":
            return f"budget_strong: transfers must sum to 0 at ({profile(key[0])})"
        if family == "budget_ex_ante":
            return "budget_ex_ante: expected transfers must sum to ≤ 0"
        if family == "lottery":
            return f"lottery: probabilities must sum to 1 at ({profile(key[0])})"
        con = self._rows.user[key[0]]
        return f"user {con.name!r} row {key[1]} ({'upper' if key[2] == 0 else 'lower'} bound)"

    def explain(self, top: int = 10) -> str:
        """The constraint families and rows that carry weight, largest first."""
        lines = [f"No mechanism satisfies these constraints: adding {len(self.weights)} of them with the "
                 f"weights below gives 0 ≤ {float(self.bound):.6g} "
                 f"({'exact: ' + str(self.bound) if self.exact else 'floating-point weights, not exact'}).",
                 "By family (rows used, share of total weight):"]
        for family, (n, share) in self.family_weights().items():
            lines.append(f"  {family:<15} {n:>5} rows  {100 * share:5.1f}%")
        lines.append(f"Largest weights{' (first ' + str(top) + ')' if len(self.weights) > top else ''}:")
        for family, key, w in self.weights[:top]:
            lines.append(f"  {float(w):>10.4g} × {self.describe(family, key)}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from mechdesign.display import html

        return html.certificate(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: weights as exact strings and floats."""
        return {"exact": self.exact, "bound": str(self.bound), "bound_float": float(self.bound),
                "families": {f: {"rows": n, "share": s} for f, (n, s) in self.family_weights().items()},
                "weights": [{"family": f, "key": [int(k) for k in key], "weight": str(w), "weight_float": float(w),
                             "constraint": self.describe(f, key)} for f, key, w in self.weights]}

    def __repr__(self) -> str:
        fams = ", ".join(f"{f}×{n}" for f, (n, _) in self.family_weights().items())
        return f"FarkasCertificate({len(self.weights)} rows: {fams}; bound={float(self.bound):.6g}, exact={self.exact})"
