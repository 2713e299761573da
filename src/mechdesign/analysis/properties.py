"""Property audits of direct mechanisms: incentive compatibility, IR, budget, efficiency.

Each audit returns a :class:`~mechdesign.analysis.results.PropertyResult` with
the verdict, the worst violation and a witness. A property holds when its worst
violation is at most ``atol + rtol * scale``, where ``scale`` is the largest
absolute valuation or transfer of the mechanism.

Every audit reads the mechanism block by block (see :mod:`mechdesign.compute`)
and takes the execution keywords ``chunk_size``, ``memory_limit``,
``backend``, ``scheduler`` and ``progress`` (see
:mod:`mechdesign.compute.backends`); verdicts, violations and witnesses are
identical for every choice of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mechdesign import _validation as v
from mechdesign.analysis.passes import dsic_pass, interim_pass, profile_pass, transfer_scale
from mechdesign.analysis.results import PropertyResult, Witness
from mechdesign.compute.backends import compute_options
from mechdesign.mechanisms.direct import DirectMechanism

IR_KINDS = ("ex_post", "interim", "ex_ante")
BUDGET_KINDS = ("weak", "strong")

#: The execution keywords every audit accepts, documented once.
COMPUTE_DOC = """chunk_size, memory_limit, backend, scheduler, progress
        Execution options (blocks of profiles, ``"numpy"`` or ``"dask"``, a
        Dask scheduler, a progress callback); see :mod:`mechdesign.compute`.
        They never change the result."""


def _check_mechanism(mech: Any) -> DirectMechanism:
    if not isinstance(mech, DirectMechanism):
        raise v.fail("mech", "a DirectMechanism", type(mech).__name__)
    return mech


def _threshold(mech: DirectMechanism, scale: float, atol: float, rtol: float) -> float:
    return v.tolerance(atol, "atol") + v.tolerance(rtol, "rtol") * transfer_scale(mech, [scale])


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


def _profile_labels(mech: DirectMechanism, flat: int) -> tuple[tuple[int, ...], dict[str, str]]:
    env = mech.env
    prof = tuple(int(t) for t in np.unravel_index(flat, env.n_types))
    return prof, {env.players[j]: env.type_labels[j][t] for j, t in enumerate(prof)}


def is_dsic(mech: DirectMechanism, *, atol: float = 1e-9, rtol: float = 1e-9, chunk_size: int | None = None,
            memory_limit: int | None = None, backend: str = "numpy", scheduler: Any = None,
            progress: Any = None) -> PropertyResult:
    """Is truth-telling a dominant strategy?

    For every player i, true type t, misreport r and *report profile* of the
    others θ̂_-i, checks u_i(x(t, θ̂_-i), t) + m_i(t, θ̂_-i) ≥
    u_i(x(r, θ̂_-i), t) + m_i(r, θ̂_-i) (expected over a randomized decision).
    With interdependent values a player's utility depends on the others' true
    types, so this checks the ex-post version (others truthful at every true
    profile), which is what dominance can mean there.

    Parameters
    ----------
    mech : DirectMechanism
    atol, rtol : float
        Tolerances (``docs/conventions.md``).
    {compute}

    Returns
    -------
    PropertyResult
        ``violation`` is the largest gain from misreporting; the witness names
        the player, true type, best misreport, the others' reports and the gain.
        Ties between equally large gains go to the lowest player, then others'
        profile (C order), true type and misreport.
    """
    mech = _check_mechanism(mech)
    opts = compute_options(chunk_size, memory_limit, backend, scheduler, progress)
    i, best = dsic_pass(mech, opts)
    return dsic_result(mech, i, best, atol, rtol)


def dsic_result(mech: DirectMechanism, i: int, best, atol: float, rtol: float) -> PropertyResult:
    """Build the DSIC result from the pass's worst ``(player, scan)``."""
    env = mech.env
    tol = _threshold(mech, best.transfer_scale, atol, rtol)
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


def interim_utilities_table(mech: DirectMechanism, i: int, **compute: Any) -> np.ndarray:
    """``U[t, r]``: player i's interim expected utility of type t reporting r (others truthful).

    ``compute``: the execution keywords of :func:`is_bic`.
    """
    mech = _check_mechanism(mech)
    i = v.index(i, "i", mech.env.n_players)
    return interim_pass(mech, compute_options(**compute))[0][i]


def is_bic(mech: DirectMechanism, *, atol: float = 1e-9, rtol: float = 1e-9, chunk_size: int | None = None,
           memory_limit: int | None = None, backend: str = "numpy", scheduler: Any = None,
           progress: Any = None) -> PropertyResult:
    """Is truth-telling a Bayes–Nash equilibrium of the direct mechanism?

    For every player i and type t of positive probability, the interim expected
    utility of reporting t, under the conditional belief P(θ_-i | θ_i = t) of
    the common prior (d'Aspremont and Gérard-Varet 1979), is at least that of any misreport r. Works for
    independent and correlated priors.

    Parameters
    ----------
    mech : DirectMechanism
    atol, rtol : float
        Tolerances (``docs/conventions.md``).
    {compute}

    Returns
    -------
    PropertyResult
        ``violation`` is the largest interim gain; the witness names the player,
        true type, best misreport and gain.
    """
    mech = _check_mechanism(mech)
    opts = compute_options(chunk_size, memory_limit, backend, scheduler, progress)
    tables, scale = interim_pass(mech, opts)
    return bic_result(mech, tables, scale, atol, rtol)


def bic_result(mech: DirectMechanism, tables: list[np.ndarray], scale: float, atol: float,
               rtol: float) -> PropertyResult:
    """Build the BIC result from the players' interim tables ``U[t, r]``."""
    env = mech.env
    best = (-np.inf, 0, 0, 0)
    for i, table in enumerate(tables):
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
    return _result("bic", gain, witness, _threshold(mech, scale, atol, rtol))


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


def ir_result(mech: DirectMechanism, kind: str, outside: list[np.ndarray], ex_post, interim, ex_ante,
              scale: float, atol: float, rtol: float) -> PropertyResult:
    """Build the IR result of ``kind`` from the passes' outputs.

    ``ex_post``: per player (worst shortfall, flat profile); ``interim``: per
    player interim utility of truth-telling U[t, t]; ``ex_ante``: per player
    E[u_i + m_i]. Only the one for ``kind`` is read.
    """
    env = mech.env
    best: tuple[float, Witness | None] = (-np.inf, None)
    for i in range(env.n_players):
        who = env.players[i]
        if kind == "ex_post":
            value, flat = ex_post[i]
            prof, labels = _profile_labels(mech, flat)
            witness = Witness(description=f"player {who!r} at profile {labels} gets {value:.6g} less than her "
                                          "outside option",
                              player=who, player_index=i, true_type=env.type_labels[i][prof[i]],
                              true_type_index=prof[i], profile=prof, details={"shortfall": value})
        elif kind == "interim":
            per_type = outside[i] - interim[i]
            per_type = np.where(env.prior.marginal(i) > 0, per_type, -np.inf)
            t = int(np.argmax(per_type))
            value = float(per_type[t])
            witness = Witness(description=f"player {who!r} of type {env.type_labels[i][t]} expects {value:.6g} "
                                          "less than her outside option",
                              player=who, player_index=i, true_type=env.type_labels[i][t], true_type_index=t,
                              details={"shortfall": value})
        else:
            value = float(env.prior.marginal(i) @ outside[i] - ex_ante[i])
            witness = Witness(description=f"player {who!r} expects ex ante {value:.6g} less than her outside option",
                              player=who, player_index=i, details={"shortfall": value})
        if value > best[0]:
            best = (value, witness)
    value, witness = best
    return _result(f"ir_{kind}", value, witness if value > 0 else None, _threshold(mech, scale, atol, rtol))


def is_ir(mech: DirectMechanism, kind: str = "ex_post", *, outside_option: Any = None,
          atol: float = 1e-9, rtol: float = 1e-9, chunk_size: int | None = None, memory_limit: int | None = None,
          backend: str = "numpy", scheduler: Any = None, progress: Any = None) -> PropertyResult:
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
    atol, rtol : float
        Tolerances (``docs/conventions.md``).
    {compute}

    Returns
    -------
    PropertyResult
        ``violation`` is the largest shortfall below the outside option.
    """
    mech = _check_mechanism(mech)
    kind = v.choice(kind, "kind", IR_KINDS)
    opts = compute_options(chunk_size, memory_limit, backend, scheduler, progress)
    outside = _outside_options(mech, outside_option)
    ex_post = interim = ex_ante = None
    if kind == "interim":
        tables, scale = interim_pass(mech, opts, diagonal=True)
        interim = [np.diag(t) if t.ndim == 2 else t for t in tables]
    else:
        summary = profile_pass(mech, opts, {"ir"} if kind == "ex_post" else {"expectations"}, outside)
        scale, ex_post = summary.transfer_scale, summary.ir
        ex_ante = None if summary.expectations is None else summary.expectations[:mech.env.n_players]
    return ir_result(mech, kind, outside, ex_post, interim, ex_ante, scale, atol, rtol)


def budget_result(mech: DirectMechanism, kind: str, ex_ante: bool, worst: tuple[float, int] | None,
                  expected_net: float | None, scale: float, atol: float, rtol: float) -> PropertyResult:
    """Build a budget-balance result from the profile pass (``worst``: (value, flat profile))."""
    name = f"budget_{kind}" + ("_ex_ante" if ex_ante else "")
    tol = _threshold(mech, scale, atol, rtol)
    if ex_ante:
        value = expected_net if kind == "weak" else abs(expected_net)
        flow = (f"the designer pays out {expected_net:.6g}" if expected_net >= 0
                else f"the designer collects {-expected_net:.6g}")
        witness = Witness(description=f"{flow} in expectation",
                          details={"expected_net_transfer": expected_net})
        return _result(name, value, witness if value > 0 else None, tol)
    value, flat = worst
    prof, labels = _profile_labels(mech, flat)
    transfers = mech.outcome(prof).transfers
    net = float(transfers[0])
    for m in transfers[1:]:      # in player order, as the kernel adds them
        net += float(m)
    witness = Witness(description=f"at profile {labels} the transfers sum to {net:.6g}",
                      profile=prof, details={"net_transfer": net})
    return _result(name, value, witness if value > 0 else None, tol)


def is_budget_balanced(mech: DirectMechanism, kind: str = "weak", ex_ante: bool = False, *,
                       atol: float = 1e-9, rtol: float = 1e-9, chunk_size: int | None = None,
                       memory_limit: int | None = None, backend: str = "numpy", scheduler: Any = None,
                       progress: Any = None) -> PropertyResult:
    """Budget balance of the transfers.

    Parameters
    ----------
    kind : {"weak", "strong"}
        ``weak``: Σ_i m_i ≤ 0 (no outside funds; the feasibility condition of
        Tadelis 2013, ch. 14); ``strong``: Σ_i m_i = 0.
    ex_ante : bool
        Require it only in expectation under the prior instead of at every profile.
    atol, rtol : float
        Tolerances (``docs/conventions.md``).
    {compute}

    Returns
    -------
    PropertyResult
        ``violation`` is the largest subsidy Σ m_i (weak) or largest |Σ m_i|
        (strong); the witness gives the profile.
    """
    mech = _check_mechanism(mech)
    kind = v.choice(kind, "kind", BUDGET_KINDS)
    opts = compute_options(chunk_size, memory_limit, backend, scheduler, progress)
    summary = profile_pass(mech, opts, {"expectations"} if ex_ante else {"budget"})
    worst = summary.budget_weak if kind == "weak" else summary.budget_strong
    net = None if summary.expectations is None else float(summary.expectations[-1])
    return budget_result(mech, kind, ex_ante, worst, net, summary.transfer_scale, atol, rtol)


def efficiency_result(mech: DirectMechanism, worst: tuple[float, int], scale: float, atol: float,
                      rtol: float) -> PropertyResult:
    """Build the efficiency result from the profile pass (``worst``: (loss, flat profile))."""
    env = mech.env
    value, flat = worst
    prof, labels = _profile_labels(mech, flat)
    total = sum(np.asarray(env.valuations[i][prof[i]] if env.is_private(i) else env.valuations[i][prof])
                for i in range(env.n_players))
    top = env.alternatives[int(np.argmax(total))]
    witness = Witness(description=f"at profile {labels} the decision loses {value:.6g} of welfare "
                                  f"(best alternative {top!r})",
                      profile=prof, details={"welfare_loss": value, "best_alternative": top})
    return _result("efficient", value, witness if value > 0 else None, _threshold(mech, scale, atol, rtol))


def is_efficient(mech: DirectMechanism, *, atol: float = 1e-9, rtol: float = 1e-9, chunk_size: int | None = None,
                 memory_limit: int | None = None, backend: str = "numpy", scheduler: Any = None,
                 progress: Any = None) -> PropertyResult:
    """Does the decision maximise Σ_i u_i(x, θ) at every profile (Tadelis 14.2)?

    A randomized rule is efficient when its expected total value equals the
    maximum, i.e. it only mixes over maximisers.

    Parameters
    ----------
    mech : DirectMechanism
    atol, rtol : float
        Tolerances (``docs/conventions.md``).
    {compute}

    Returns
    -------
    PropertyResult
        ``violation`` is the largest welfare loss; the witness gives the profile,
        the best alternative and the loss.
    """
    mech = _check_mechanism(mech)
    opts = compute_options(chunk_size, memory_limit, backend, scheduler, progress)
    summary = profile_pass(mech, opts, {"efficiency"})
    return efficiency_result(mech, summary.efficiency, summary.transfer_scale, atol, rtol)


for _audit in (is_dsic, is_bic, is_ir, is_budget_balanced, is_efficient):
    _audit.__doc__ = _audit.__doc__.replace("{compute}", COMPUTE_DOC)
