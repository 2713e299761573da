"""Implementation and the revelation principle (Tadelis 2013, ch. 14).

A mechanism Γ = (A, g) *implements* a choice rule f = (x, m) when some
Bayes–Nash equilibrium σ* has g(σ*(θ)) = f(θ) at every type profile θ. The
revelation principle: the direct mechanism D with f = g∘σ* has truth-telling
as a BNE (if a type could gain by reporting θ̂_i in D, she could gain in Γ by
playing σ*_i(θ̂_i)). If σ* is a dominant-strategy equilibrium, D is DSIC.
For a mixed σ*, D is randomized: its decision is the induced lottery over X
and its transfers are the expected transfers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.analysis.properties import is_bic, is_dsic
from mechdesign.analysis.results import PropertyResult, _plain
from mechdesign.games.bayesian import BayesianGame
from mechdesign.games.equilibrium import check_game, dominant_actions, solve_bne, threshold, verify_bne
from mechdesign.games.results import BNEVerification, Equilibrium
from mechdesign.mechanisms.direct import DirectMechanism, decision_rule
from mechdesign.mechanisms.indirect import Mechanism


def _mechanism_of(game: BayesianGame) -> Mechanism:
    game = check_game(game)
    if game.mechanism is None:
        raise v.fail("game", "a game built with BayesianGame.from_mechanism (its outcome function is needed)",
                     "a game built from payoff arrays")
    return game.mechanism


def composed_rule(mech: Mechanism, sigma: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
    """g∘σ: the lottery over X ``(k_1..k_N, |X|)`` and expected transfers ``(k_1..k_N, N)`` per type profile."""
    n = mech.n_players
    operands_x: list[Any] = [mech.decision, [*range(n, 2 * n), 2 * n]]
    operands_m: list[Any] = [mech.transfers, [*range(n, 2 * n), 2 * n]]
    for i, s in enumerate(sigma):
        operands_x += [s, [i, n + i]]
        operands_m += [s, [i, n + i]]
    decision = np.einsum(*operands_x, [*range(n), 2 * n], optimize=True)
    transfers = np.einsum(*operands_m, [*range(n), 2 * n], optimize=True)
    return decision, transfers


def induced_mechanism(game: BayesianGame, strategies: Any, name: str | None = None) -> DirectMechanism:
    """The direct mechanism g∘σ: what the game's mechanism does when the types play σ.

    Parameters
    ----------
    game : BayesianGame
        Built with :meth:`BayesianGame.from_mechanism`.
    strategies : list of array_like
        Any strategy profile σ (pure ``(k_i,)`` or mixed ``(k_i, |A_i|)``); it
        need not be an equilibrium (check that with :func:`~mechdesign.verify_bne`).
    name : str, optional
        Name of the direct mechanism.

    Returns
    -------
    DirectMechanism
        Decision = the lottery over X induced at each type profile, transfers =
        the expected money received; randomized when σ is mixed.
    """
    mech = _mechanism_of(game)
    sigma = game.check_strategies(strategies)
    decision, transfers = composed_rule(mech, sigma)
    return DirectMechanism(mech.env, decision, transfers, name=name or f"{mech.name} played with σ")


def _is_dominant(game: BayesianGame, sigma: tuple[np.ndarray, ...], atol: float) -> bool:
    dominant = dominant_actions(game, strict=False, atol=atol)
    for i, s in enumerate(sigma):
        for t in range(game.n_types[i]):
            if not set(np.flatnonzero(s[t] > 0)) <= set(dominant[i][t]):
                return False
    return True


@dataclass(frozen=True)
class RevelationResult:
    """The direct mechanism D = g∘σ* and the certificate that truth-telling is an equilibrium of D.

    Attributes
    ----------
    mechanism : DirectMechanism
        D (randomized when σ* is mixed; transfers are then expected transfers).
    equilibrium : BNEVerification
        The check that σ* is a BNE of the original game (its epsilon).
    bic : PropertyResult
        :func:`~mechdesign.is_bic` on D: truth-telling is a BNE of D.
    dominant : bool
        Whether σ* plays only (weakly) dominant actions.
    dsic : PropertyResult or None
        :func:`~mechdesign.is_dsic` on D when σ* is dominant, else None.
    """

    mechanism: DirectMechanism
    equilibrium: BNEVerification = field(repr=False)
    bic: PropertyResult
    dominant: bool
    dsic: PropertyResult | None

    @property
    def epsilon(self) -> float:
        """Epsilon of σ* in the original game."""
        return self.equilibrium.epsilon

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (the direct mechanism and the certificates)."""
        return {"mechanism": self.mechanism.to_dict(), "epsilon": float(self.epsilon),
                "bic": self.bic.to_dict(), "dominant": self.dominant,
                "dsic": None if self.dsic is None else self.dsic.to_dict()}

    def summary(self) -> str:
        """The certificate in two or three lines."""
        lines = [f"direct mechanism g∘σ* ({'deterministic' if self.mechanism.is_deterministic else 'randomized'}); "
                 f"σ* is a BNE of the game with epsilon {self.epsilon:.3g}", f"certificate: {self.bic.summary()}"]
        if self.dsic is not None:
            lines.append(f"σ* is dominant, so: {self.dsic.summary()}")
        return "\n".join(lines)

    def to_frame(self):
        """The direct mechanism g∘σ*'s table (see :meth:`DirectMechanism.to_frame`)."""
        from mechdesign.display import frames

        return frames.revelation_frame(self)

    def _repr_html_(self) -> str:
        from mechdesign.display import html

        return html.revelation(self)

    def __repr__(self) -> str:
        return f"RevelationResult({self.summary()})"


def revelation(game: BayesianGame, strategies: Any, *, atol: float = 1e-9, rtol: float = 1e-9) -> RevelationResult:
    """The revelation principle: the direct mechanism g∘σ* with its truthfulness certificate.

    Parameters
    ----------
    game : BayesianGame
        Built with :meth:`BayesianGame.from_mechanism`.
    strategies : list of array_like
        A Bayes–Nash equilibrium σ* (pure ``(k_i,)`` or mixed ``(k_i, |A_i|)``).

    Returns
    -------
    RevelationResult
        ``.mechanism`` is the :class:`DirectMechanism` D; ``.bic`` is
        :func:`~mechdesign.is_bic` of D (holds by the revelation principle);
        ``.dsic`` is :func:`~mechdesign.is_dsic` of D when σ* is dominant.

    Raises
    ------
    SpecError
        If the game has no mechanism, or ``strategies`` is not a BNE (the
        message names the deviating player-type and her gain).
    """
    mech = _mechanism_of(game)
    sigma = game.check_strategies(strategies)
    check = verify_bne(game, sigma, atol=atol, rtol=rtol)
    if not check.holds:
        raise v.fail("strategies", "a Bayes–Nash equilibrium of the game",
                     f"a profile with epsilon {check.epsilon:.6g}: {check.worst}")
    direct = induced_mechanism(game, sigma, name=f"revelation of {mech.name}")
    dominant = _is_dominant(game, sigma, atol)
    return RevelationResult(mechanism=direct, equilibrium=check, bic=is_bic(direct, atol=atol, rtol=rtol),
                            dominant=dominant, dsic=is_dsic(direct, atol=atol, rtol=rtol) if dominant else None)


@dataclass(frozen=True)
class ImplementationResult:
    """Whether a mechanism implements a choice rule in Bayes–Nash equilibrium.

    Attributes
    ----------
    holds : bool
        σ* is a BNE and g(σ*(θ)) = f(θ) (lottery and transfers) at every θ.
    equilibrium : Equilibrium or None
        The equilibrium checked or found (None when the search found none).
    is_equilibrium : bool
        Whether that profile is a BNE.
    difference : float
        Largest absolute difference between g∘σ* and f (lotteries and transfers).
    profile : tuple of int or None
        A type profile where they differ most (the witness on failure).
    message : str
    """

    holds: bool
    equilibrium: Equilibrium | None
    is_equilibrium: bool
    difference: float
    profile: tuple[int, ...] | None
    message: str

    def __bool__(self) -> bool:
        return self.holds

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return _plain({"holds": self.holds, "is_equilibrium": self.is_equilibrium,
                       "difference": float(self.difference), "profile": self.profile, "message": self.message,
                       "equilibrium": None if self.equilibrium is None else self.equilibrium.to_dict()})

    def summary(self) -> str:
        """One line verdict with the witness."""
        return f"implements: {'yes' if self.holds else 'NO'} — {self.message}"

    def _repr_html_(self) -> str:
        from mechdesign.display import html

        return html.summary(self, "implementation", self.holds)

    def __repr__(self) -> str:
        return f"ImplementationResult({self.summary()})"


def _target(mech: Mechanism, choice_rule: Any) -> tuple[np.ndarray, np.ndarray]:
    env = mech.env
    if isinstance(choice_rule, DirectMechanism):
        if choice_rule.env.n_types != env.n_types or choice_rule.env.alternatives != env.alternatives:
            raise v.fail("choice_rule", f"a direct mechanism on the game's types {env.n_types} and alternatives "
                         f"{list(env.alternatives)}", repr(choice_rule))
        return np.asarray(choice_rule.decision), np.asarray(choice_rule.transfers)
    if not isinstance(choice_rule, (tuple, list)) or len(choice_rule) != 2:
        raise v.fail("choice_rule", "a DirectMechanism or a pair (decision, transfers) of arrays over type profiles",
                     type(choice_rule).__name__)
    decision, transfers = choice_rule
    indices, lottery = decision_rule(decision, env, "choice_rule: decision")
    if lottery is None:
        lottery = np.zeros((*env.n_types, env.n_alternatives))
        np.put_along_axis(lottery, indices[..., None], 1.0, axis=-1)
    return lottery, v.float_array(transfers, "choice_rule: transfers", shape=(*env.n_types, env.n_players))


def _compare(game: BayesianGame, mech: Mechanism, sigma: tuple[np.ndarray, ...], target: tuple[np.ndarray, np.ndarray],
             tol: float) -> tuple[float, tuple[int, ...]]:
    decision, transfers = composed_rule(mech, sigma)
    gap = np.maximum(np.abs(decision - target[0]).max(axis=-1), np.abs(transfers - target[1]).max(axis=-1))
    flat = int(np.argmax(gap))
    return float(gap.flat[flat]), tuple(int(t) for t in np.unravel_index(flat, game.n_types))


def implements(game: BayesianGame, choice_rule: Any, strategies: Any = None, *, atol: float = 1e-9,
               rtol: float = 1e-9, options: dict[str, Any] | None = None) -> ImplementationResult:
    """Does the mechanism behind ``game`` implement ``choice_rule`` in Bayes–Nash equilibrium?

    Parameters
    ----------
    game : BayesianGame
        Built with :meth:`BayesianGame.from_mechanism`.
    choice_rule : DirectMechanism or (decision, transfers)
        f = (x, m) over type profiles: decision as integer alternatives
        ``(k_1..k_N)`` or lotteries ``(k_1..k_N, |X|)``, transfers ``(k_1..k_N, N)``.
    strategies : list of array_like, optional
        σ*: check that it is a BNE and that g(σ*(θ)) = f(θ) at every θ.
        Omitted: search the pure BNE (``solve_bne(method="pure", options=options)``)
        for one that implements f.

    Returns
    -------
    ImplementationResult
        The verdict, the equilibrium, the largest difference and the profile
        where it occurs.
    """
    mech = _mechanism_of(game)
    target = _target(mech, choice_rule)
    tol = threshold(game, atol, rtol)
    if strategies is not None:
        sigma = game.check_strategies(strategies)
        check = verify_bne(game, sigma, atol=atol, rtol=rtol)
        gap, prof = _compare(game, mech, sigma, target, tol)
        eq = Equilibrium(strategies=sigma, epsilon=check.epsilon, labels=game.labels)
        holds = check.holds and gap <= tol
        if not check.holds:
            message = f"the strategies are not a BNE (epsilon {check.epsilon:.6g}: {check.worst})"
        elif gap > tol:
            message = f"g∘σ* differs from f by {gap:.6g} at type profile {_labels(game, prof)}"
        else:
            message = "σ* is a BNE and g∘σ* = f at every type profile"
        return ImplementationResult(holds, eq, check.holds, gap, None if holds else prof, message)
    result = solve_bne(game, method="pure", options=options, atol=atol, rtol=rtol)
    closest: tuple[float, Equilibrium | None, tuple[int, ...] | None] = (np.inf, None, None)
    for eq in result.equilibria:
        gap, prof = _compare(game, mech, eq.mixed(), target, tol)
        if gap <= tol:
            return ImplementationResult(True, eq, True, gap, None,
                                        f"pure BNE found that implements f (of {len(result.equilibria)} pure BNE)")
        if gap < closest[0]:
            closest = (gap, eq, prof)
    gap, eq, prof = closest
    if eq is None:
        return ImplementationResult(False, None, False, float("inf"), None, "the game has no pure BNE")
    return ImplementationResult(False, eq, True, gap, prof,
                                f"none of the {len(result.equilibria)} pure BNE implements f; the closest differs by "
                                f"{gap:.6g} at type profile {_labels(game, prof)}")


def _labels(game: BayesianGame, prof: tuple[int, ...]) -> dict[str, str]:
    return {game.players[i]: game.type_labels[i][t] for i, t in enumerate(prof)}
