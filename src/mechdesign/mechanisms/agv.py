"""The d'Aspremont–Gérard-Varet (AGV) or expected-externality mechanism.

The usual statement (d'Aspremont and Gérard-Varet 1979) writes it with t_i a *payment* (utility v_i − t_i):

    t_i(θ) = E[−Σ_{j≠i} v_j(q(θ), θ_j) | θ_i] + τ_i(θ_-i),
    τ_i(θ_-i) = −1/(n−1) Σ_{j≠i} K_j(θ_j),  K_j(θ_j) = E[−Σ_{l≠j} v_l(q(θ), θ_l) | θ_j].

mechdesign uses money *received*, m_i = −t_i (``docs/conventions.md``). With the expected
externality E_i(θ_i) = E[Σ_{j≠i} u_j(x*(θ), θ_j) | θ_i] = −K_i(θ_i):

    m_i(θ) = E_i(θ_i) − 1/(n−1) Σ_{j≠i} E_j(θ_j),

and Σ_i m_i(θ) = 0 at every profile.

The beliefs: with independent types — an :class:`~mechdesign.IndependentPrior`
or a :class:`~mechdesign.JointPrior` that factorises — E_i(t) is an expectation
over the others' *marginals*, the same for every type t, also for a type of
probability zero (so a report of such a type is priced like any other and the
mechanism is BIC for every product prior). With a correlated prior (only with
``allow_correlated=True``) E_i(t) uses the conditional belief P(θ_-i | θ_i = t),
and a type of probability zero, which has no belief, gets 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.compute.backends import Compute, compute_options
from mechdesign.mechanisms import blockwise
from mechdesign.mechanisms.direct import DirectMechanism, decision_rule
from mechdesign.mechanisms.efficient import TIES, _tie_tolerance, chosen_value, efficient_decision
from mechdesign.mechanisms.groves import _check_env
from mechdesign.model.environment import Environment
from mechdesign.model.prior import IndependentPrior, JointPrior, Prior


def _conditional_mean(prior: Prior, values: np.ndarray, i: int) -> np.ndarray:
    """E[values(θ) | θ_i] for every type of player i, shape ``(k_i,)``.

    One ``einsum`` over the profile axes: no profile-sized temporary is made
    (an independent prior enters as its marginals, a joint prior as itself).
    Types of probability zero under a joint prior get 0.
    """
    n = prior.n_players
    axes = list(range(n))
    if isinstance(prior, IndependentPrior):
        operands = [values, axes]
        for j in range(n):
            if j != i:
                operands += [prior.marginal(j), [j]]
        return np.einsum(*operands, [i])
    mass = prior.marginal(i)
    joint_sum = np.einsum(prior.joint(), axes, values, axes, [i])
    return np.where(mass > 0, joint_sum / np.where(mass > 0, mass, 1.0), 0.0)


def belief_environment(env: Environment) -> Environment:
    """``env`` with the prior whose beliefs AGV uses: a factorising JointPrior becomes its marginals."""
    prior = env.prior
    if isinstance(prior, JointPrior) and prior.is_product():
        return env.with_prior(IndependentPrior([prior.marginal(i) for i in range(prior.n_players)]))
    return env


def _check_private(env: Environment) -> None:
    if not env.private_values:
        raise v.fail("env", "private values (d'Aspremont and Gérard-Varet assume them: with interdependent "
                     "values the expected-externality mechanism is not BIC in general)", "interdependent values")


def expected_externality(env: Environment, decision: np.ndarray | None = None) -> list[np.ndarray]:
    """E_i(θ_i) = E[Σ_{j≠i} u_j(x(θ), θ_j) | θ_i] for each player, arrays of shape ``(k_i,)``.

    Parameters
    ----------
    env : Environment
        Private values.
    decision : ndarray, optional
        Decision rule (integer indices or lottery, as returned by
        :func:`efficient_decision`); default the efficient rule, and then the
        numbers are exactly those :func:`agv` uses.

    Notes
    -----
    With independent types (an independent prior or a joint prior that
    factorises) the expectation is over the others' marginals, for every type
    including those of probability zero; with a correlated prior it uses the
    conditional belief, and a type of probability zero gets 0 (its belief is
    undefined). Memory: one profile-sized array at a time.

    Raises
    ------
    SpecError
        With interdependent values.
    """
    env = _check_env(env)
    _check_private(env)
    beliefs = belief_environment(env)
    if decision is None:
        decide = blockwise.EfficientFunction(env, "lowest", _tie_tolerance(env))
        return blockwise.expected_externality_blocks(beliefs, decide, Compute())
    indices, lottery = decision_rule(decision, env)
    decision = indices if indices is not None else lottery
    n = env.n_players
    out = [np.zeros(k) for k in env.n_types]
    for j in range(n):
        value_j = chosen_value(env, decision, j)
        for i in range(n):
            if i != j:
                out[i] += _conditional_mean(beliefs.prior, value_j, i)
        del value_j
    return out


def agv(env: Environment, *, allow_correlated: bool = False, ties: str = "lowest", lazy: bool = False,
        chunk_size: int | None = None, memory_limit: int | None = None, backend: str = "numpy",
        scheduler: Any = None, progress: Any = None) -> DirectMechanism:
    """The AGV (expected-externality) mechanism: efficient, BIC, Σ_i m_i = 0 at every profile.

    Parameters
    ----------
    env : Environment
        At least two players and private values. With independent types (an
        :class:`~mechdesign.IndependentPrior`, or a :class:`~mechdesign.JointPrior`
        that factorises, with or without types of probability zero)
        truth-telling is a Bayes–Nash equilibrium (d'Aspremont and
        Gérard-Varet 1979) and the budget balances exactly.
    allow_correlated : bool
        A correlated prior breaks the BIC guarantee, so it is refused unless
        this is True; then the *interim* version is built, with E_i computed
        from the conditional beliefs P(θ_-i | θ_i). Budget balance still holds
        at every profile; BIC is **not** guaranteed (check it with
        :func:`~mechdesign.is_bic`).
    ties : {"lowest", "uniform"}
        Tie-breaking of the efficient decision.
    lazy : bool
        Return a :class:`~mechdesign.LazyDirectMechanism` that computes each
        block of profiles when an audit reads it instead of storing the arrays
        (for environments too large for memory); its numbers are those of
        the other builds.
    chunk_size, memory_limit, backend, scheduler, progress
        Execution options (see :mod:`mechdesign.compute`): build block by
        block, in this process or on a Dask cluster; the result is the same.

    Returns
    -------
    DirectMechanism
        Transfers m_i(θ) = E_i(θ_i) − 1/(n−1) Σ_{j≠i} E_j(θ_j), money received
        (the textbook payment is t_i = −m_i; see the module docstring).

    Raises
    ------
    SpecError
        With fewer than two players, interdependent values (the theorem
        assumes private values), or a correlated prior without
        ``allow_correlated``.

    Notes
    -----
    The expected externalities E_i are sums over fixed tiles of profiles
    (:mod:`mechdesign.compute.blocks`) however the mechanism is built, so
    ``agv(env)``, every ``chunk_size``, ``memory_limit``, ``lazy=True`` and
    ``backend="dask"`` give bit-identical transfers.
    """
    env = _check_env(env)
    allow_correlated, lazy = v.flag(allow_correlated, "allow_correlated"), v.flag(lazy, "lazy")
    n = env.n_players
    if n < 2:
        raise v.fail("env", "at least 2 players (AGV spreads each player's payment over the others)",
                     f"{n} player")
    _check_private(env)
    prior = env.prior
    if isinstance(prior, JointPrior) and not prior.is_product() and not allow_correlated:
        raise v.fail("env.prior", "independent types: with a correlated prior AGV is not BIC in general; "
                     "pass allow_correlated=True to build the interim version anyway", "a correlated JointPrior")
    opts = compute_options(chunk_size, memory_limit, backend, scheduler, progress)
    decide = blockwise.EfficientFunction(env, v.choice(ties, "ties", TIES), _tie_tolerance(env))
    externality = blockwise.expected_externality_blocks(belief_environment(env), decide, opts)
    if lazy or opts != Compute():
        return blockwise.build(env, blockwise.AgvFunction(decide, externality), "AGV", lazy, opts)
    decision = efficient_decision(env, ties=ties)
    transfers = np.zeros((*env.n_types, n))
    for i in range(n):       # the arithmetic of blockwise.AgvFunction, in the same order
        shape = [1] * n
        shape[i] = env.n_types[i]
        e_i = externality[i].reshape(shape)
        transfers[..., i] += e_i
        for j in range(n):
            if j != i:
                transfers[..., j] -= e_i / (n - 1)
    return DirectMechanism(env, decision, transfers, name="AGV")
