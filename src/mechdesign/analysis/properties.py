"""Property audits of direct mechanisms: incentive compatibility, IR, budget, efficiency.

Each audit returns a :class:`~mechdesign.analysis.results.PropertyResult` with
the verdict, the worst violation and a witness. A property holds when its worst
violation is at most ``atol + rtol * scale``, where ``scale`` is the largest
absolute valuation or transfer of the mechanism.

Every audit is vectorised over type profiles (see :mod:`.misreports`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.analysis.misreports import PlayerView, interim_table, scan_dsic
from mechdesign.analysis.results import PropertyResult, Witness
from mechdesign.mechanisms.direct import DirectMechanism

IR_KINDS = ("ex_post", "interim", "ex_ante")
BUDGET_KINDS = ("weak", "strong")


def _check_mechanism(mech: Any) -> DirectMechanism:
    if not isinstance(mech, DirectMechanism):
        raise v.fail("mech", "a DirectMechanism", type(mech).__name__)
    return mech


def _threshold(mech: DirectMechanism, atol: float, rtol: float) -> float:
    return v.tolerance(atol, "atol") + v.tolerance(rtol, "rtol") * mech.scale()


def _result(name: str, violation: float, witness: Witness | None, tol: float) -> PropertyResult:
    holds = bool(violation <= tol)
    return PropertyResult(name=name, holds=holds, violation=float(violation), witness=witness, tolerance=tol)


def _others_profile(mech: DirectMechanism, i: int, flat: int) -> tuple[tuple[int, ...], dict[str, str]]:
    env = mech.env
    shape = tuple(k for j, k in enumerate(env.n_types) if j != i)
    idx = np.unravel_index(flat, shape) if shape else ()
    others = [j for j in range(env.n_players) if j != i]
    labels = {env.players[j]: env.type_labels[j][int(t)] for j, t in zip(others, idx)}
    return tuple(int(t) for t in idx), labels


def _full_profile(i: int, t: int, others: tuple[int, ...]) -> tuple[int, ...]:
    return (*others[:i], t, *others[i:])


def is_dsic(mech: DirectMechanism, *, atol: float = 1e-9, rtol: float = 1e-9) -> PropertyResult:
    """Is truth-telling a dominant strategy?

    For every player i, true type t, misreport r and *report profile* of the
    others θ̂_-i, checks u_i(x(t, θ̂_-i), t) + m_i(t, θ̂_-i) ≥
    u_i(x(r, θ̂_-i), t) + m_i(r, θ̂_-i) (expected over a randomized decision).
    With interdependent values a player's utility depends on the others' true
    types, so this checks the ex-post version (others truthful at every true
    profile), which is what dominance can mean there.

    Returns
    -------
    PropertyResult
        ``violation`` is the largest gain from misreporting; the witness names
        the player, true type, best misreport, the others' reports and the gain.
        Ties between equally large gains go to the lowest player, then others'
        profile (C order), true type and misreport.
    """
    mech = _check_mechanism(mech)
    env = mech.env
    best, best_player = None, -1
    for i in range(env.n_players):
        scan = scan_dsic(PlayerView(mech, i))
        if best is None or scan.gain > best.gain:
            best, best_player = scan, i
    tol = _threshold(mech, atol, rtol)
    i = best_player
    others, labels = _others_profile(mech, i, best.others)
    witness = None
    if best.gain > 0:
        who = env.players[i]
        description = (f"player {who!r} with true type {env.type_labels[i][best.true_type]} gains "
                       f"{best.gain:.6g} by reporting {env.type_labels[i][best.report]}"
                       + (f" when the others report {labels}" if labels else ""))
        witness = Witness(description=description, player=who, player_index=i,
                          true_type=env.type_labels[i][best.true_type], true_type_index=best.true_type,
                          report=env.type_labels[i][best.report], report_index=best.report,
                          others=labels, profile=_full_profile(i, best.report, others), gain=best.gain)
    return _result("dsic", best.gain, witness, tol)


def interim_utilities_table(mech: DirectMechanism, i: int) -> np.ndarray:
    """``U[t, r]``: player i's interim expected utility of type t reporting r (others truthful)."""
    mech = _check_mechanism(mech)
    prior = mech.env.prior
    return interim_table(PlayerView(mech, i), prior.belief_matrix(i), prior.is_independent)


def is_bic(mech: DirectMechanism, *, atol: float = 1e-9, rtol: float = 1e-9) -> PropertyResult:
    """Is truth-telling a Bayes–Nash equilibrium of the direct mechanism?

    For every player i and type t of positive probability, the interim expected
    utility of reporting t, under the conditional belief P(θ_-i | θ_i = t) of
    the common prior (seed 003), is at least that of any misreport r. Works for
    independent and correlated priors.

    Returns
    -------
    PropertyResult
        ``violation`` is the largest interim gain; the witness names the player,
        true type, best misreport and gain.
    """
    mech = _check_mechanism(mech)
    env = mech.env
    best = (-np.inf, 0, 0, 0)
    for i in range(env.n_players):
        table = interim_utilities_table(mech, i)
        gain = table - np.diag(table)[:, None]
        if not env.prior.is_independent:   # a type of probability zero has no belief to respect
            gain[env.prior.marginal(i) <= 0] = -np.inf
        flat = int(np.argmax(gain))
        if gain.flat[flat] > best[0]:
            t, r = np.unravel_index(flat, gain.shape)
            best = (float(gain.flat[flat]), i, int(t), int(r))
    gain, i, t, r = best
    witness = None
    if gain > 0:
        who = env.players[i]
        witness = Witness(
            description=(f"player {who!r} with true type {env.type_labels[i][t]} expects to gain {gain:.6g} "
                         f"by reporting {env.type_labels[i][r]} (others truthful, conditional beliefs)"),
            player=who, player_index=i, true_type=env.type_labels[i][t], true_type_index=t,
            report=env.type_labels[i][r], report_index=r, gain=gain)
    return _result("bic", gain, witness, _threshold(mech, atol, rtol))


def _outside_options(mech: DirectMechanism, outside_option: Any) -> list[np.ndarray]:
    env = mech.env
    if outside_option is None:
        return [np.zeros(k) for k in env.n_types]
    if np.isscalar(outside_option):
        value = v.float_array(outside_option, "outside_option", ndim=0)
        return [np.full(k, float(value)) for k in env.n_types]
    if not hasattr(outside_option, "__len__") or len(outside_option) != env.n_players:
        raise v.fail("outside_option", f"a number or one array of shape (k_i,) per player ({env.n_players})",
                     type(outside_option).__name__)
    return [v.float_array(o, f"outside_option[{i}]", shape=(env.n_types[i],)) for i, o in enumerate(outside_option)]


def is_ir(mech: DirectMechanism, kind: str = "ex_post", *, outside_option: Any = None,
          atol: float = 1e-9, rtol: float = 1e-9) -> PropertyResult:
    """Individual rationality (participation) under truth-telling.

    Parameters
    ----------
    kind : {"ex_post", "interim", "ex_ante"}
        ``ex_post``: u_i + m_i ≥ outside option at every profile;
        ``interim``: in expectation given one's own type (conditional beliefs;
        types of probability zero under a joint prior are skipped);
        ``ex_ante``: in expectation under the prior.
    outside_option : float or list of arrays, optional
        Utility of not participating, per player and type (default 0).

    Returns
    -------
    PropertyResult
        ``violation`` is the largest shortfall below the outside option.
    """
    mech = _check_mechanism(mech)
    kind = v.choice(kind, "kind", IR_KINDS)
    env = mech.env
    outside = _outside_options(mech, outside_option)
    utilities = mech.ex_post_utilities()
    best: tuple[float, Witness | None] = (-np.inf, None)
    for i in range(env.n_players):
        who = env.players[i]
        shape = [1] * env.n_players
        shape[i] = env.n_types[i]
        shortfall_post = outside[i].reshape(shape) - utilities[..., i]
        if kind == "ex_post":
            flat = int(np.argmax(shortfall_post))
            value = float(shortfall_post.flat[flat])
            prof = tuple(int(t) for t in np.unravel_index(flat, env.n_types))
            labels = {env.players[j]: env.type_labels[j][t] for j, t in enumerate(prof)}
            witness = Witness(description=f"player {who!r} at profile {labels} gets {value:.6g} less than her outside option",
                              player=who, player_index=i, true_type=env.type_labels[i][prof[i]],
                              true_type_index=prof[i], profile=prof, details={"shortfall": value})
        elif kind == "interim":
            weights = env.prior.belief_matrix(i)
            per_type = (weights * np.moveaxis(shortfall_post, i, 0).reshape(env.n_types[i], -1)).sum(axis=1)
            per_type = np.where(env.prior.marginal(i) > 0, per_type, -np.inf)
            t = int(np.argmax(per_type))
            value = float(per_type[t])
            witness = Witness(description=f"player {who!r} of type {env.type_labels[i][t]} expects {value:.6g} "
                                          "less than her outside option",
                              player=who, player_index=i, true_type=env.type_labels[i][t], true_type_index=t,
                              details={"shortfall": value})
        else:
            value = float(env.prior.expect(shortfall_post))
            witness = Witness(description=f"player {who!r} expects ex ante {value:.6g} less than her outside option",
                              player=who, player_index=i, details={"shortfall": value})
        if value > best[0]:
            best = (value, witness)
    value, witness = best
    return _result(f"ir_{kind}", value, witness if value > 0 else None, _threshold(mech, atol, rtol))


def is_budget_balanced(mech: DirectMechanism, kind: str = "weak", ex_ante: bool = False, *,
                       atol: float = 1e-9, rtol: float = 1e-9) -> PropertyResult:
    """Budget balance of the transfers.

    Parameters
    ----------
    kind : {"weak", "strong"}
        ``weak``: Σ_i m_i ≤ 0 (no outside funds; the feasibility condition of
        seed 000); ``strong``: Σ_i m_i = 0.
    ex_ante : bool
        Require it only in expectation under the prior instead of at every profile.

    Returns
    -------
    PropertyResult
        ``violation`` is the largest subsidy Σ m_i (weak) or largest |Σ m_i|
        (strong); the witness gives the profile.
    """
    mech = _check_mechanism(mech)
    kind = v.choice(kind, "kind", BUDGET_KINDS)
    env = mech.env
    surplus = mech.transfers.sum(axis=-1)        # money paid out by the designer at each profile
    name = f"budget_{kind}" + ("_ex_ante" if ex_ante else "")
    if ex_ante:
        mean = float(env.prior.expect(surplus))
        value = mean if kind == "weak" else abs(mean)
        witness = Witness(description=f"the designer pays out {mean:.6g} in expectation",
                          details={"expected_net_transfer": mean})
        return _result(name, value, witness if value > 0 else None, _threshold(mech, atol, rtol))
    measure = surplus if kind == "weak" else np.abs(surplus)
    flat = int(np.argmax(measure))
    value = float(measure.flat[flat])
    prof = tuple(int(t) for t in np.unravel_index(flat, env.n_types))
    labels = {env.players[j]: env.type_labels[j][t] for j, t in enumerate(prof)}
    witness = Witness(description=f"at profile {labels} the transfers sum to {float(surplus[prof]):.6g}",
                      profile=prof, details={"net_transfer": float(surplus[prof])})
    return _result(name, value, witness if value > 0 else None, _threshold(mech, atol, rtol))


def is_efficient(mech: DirectMechanism, *, atol: float = 1e-9, rtol: float = 1e-9) -> PropertyResult:
    """Does the decision maximise Σ_i u_i(x, θ) at every profile (Tadelis 14.2)?

    A randomized rule is efficient when its expected total value equals the
    maximum, i.e. it only mixes over maximisers.

    Returns
    -------
    PropertyResult
        ``violation`` is the largest welfare loss; the witness gives the profile,
        the best alternative and the loss.
    """
    mech = _check_mechanism(mech)
    env = mech.env
    total = env.total_valuation()
    best = total.max(axis=-1)
    if mech.decision_indices is not None:
        chosen = np.take_along_axis(total, mech.decision_indices[..., None], axis=-1)[..., 0]
    else:
        chosen = (mech.decision * total).sum(axis=-1)
    loss = best - chosen
    flat = int(np.argmax(loss))
    value = float(loss.flat[flat])
    prof = tuple(int(t) for t in np.unravel_index(flat, env.n_types))
    labels = {env.players[j]: env.type_labels[j][t] for j, t in enumerate(prof)}
    top = env.alternatives[int(np.argmax(total[prof]))]
    witness = Witness(description=f"at profile {labels} the decision loses {value:.6g} of welfare "
                                  f"(best alternative {top!r})",
                      profile=prof, details={"welfare_loss": value, "best_alternative": top})
    return _result("efficient", value, witness if value > 0 else None, _threshold(mech, atol, rtol))
