"""Property audits of direct mechanisms: incentive compatibility, IR, budget, efficiency.

Each audit returns a :class:`~mechdesign.analysis.results.PropertyResult` with
the verdict, the worst violation and a witness. A comparison holds when its
violation is at most ``atol + rtol * scale``, where ``scale`` is the size of
what that comparison compares and nothing else (docs/concepts.md,
"Tolerances"; the numbers come from :mod:`mechdesign.model.offsets`):

* DSIC and BIC of player i: her largest utility difference between two
  alternatives at one type (profile), and her largest |transfer|;
* IR of player i: her utility, transfers and outside option, each measured
  from her participation reference r_i(θ_i);
* efficiency: the welfare differences Σ_i (utility differences of i);
* budget balance: the largest |transfer|.

A property of several players holds when every player's comparisons hold
against her own threshold. The result reports the worst violation among the
players that fail (or the worst of all when none fails) with that player's
threshold as ``tolerance``, so ``holds`` is ``violation <= tolerance``.

Interim conditions (BIC, interim IR) bind at the types of positive marginal
probability only, whatever the form of the prior; misreports *to* a type of
probability zero are still checked. Ex-post conditions are checked at every
profile.

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
from mechdesign._format import profile_text
from mechdesign.analysis.passes import dsic_pass, interim_pass, profile_pass
from mechdesign.analysis.results import PropertyResult, Witness
from mechdesign.compute.backends import compute_options
from mechdesign.errors import MechDesignError
from mechdesign.mechanisms.direct import DirectMechanism
from mechdesign.model import offsets

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


def _tolerances(atol: float, rtol: float) -> tuple[float, float]:
    return v.tolerance(atol, "atol"), v.tolerance(rtol, "rtol")


def incentive_thresholds(mech: DirectMechanism, transfer_scales, atol: float, rtol: float) -> list[float]:
    """Per player, ``atol + rtol · max(her utility differences, her |transfers|)`` (DSIC, BIC)."""
    atol, rtol = _tolerances(atol, rtol)
    return [offsets.threshold(atol, rtol, u, m)
            for u, m in zip(offsets.incentive_scales(mech.env), transfer_scales)]


def _pick(values, thresholds) -> int:
    """The player to report: the largest violation among those that fail, else the largest (lowest index on ties)."""
    failing = [i for i, (x, tol) in enumerate(zip(values, thresholds)) if x > tol]
    best = None
    for i in failing or range(len(values)):
        if best is None or values[i] > values[best]:
            best = i
    return best


def _result(name: str, violation: float, witness: Witness | None, tol: float) -> PropertyResult:
    if not np.isfinite(violation):
        raise MechDesignError(f"{name}: the audit's worst violation is not a finite number ({violation}); "
                              "some sum of the mechanism's numbers is not representable in float64")
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
    profile), which is what dominance can mean there. Checked at every
    profile, whatever its probability.

    Parameters
    ----------
    mech : DirectMechanism
    atol, rtol : float
        Player i's gains are judged against ``atol + rtol · scale_i``, scale_i
        her largest utility difference between alternatives and her largest
        |transfer| (docs/concepts.md, "Tolerances").
    {compute}

    Returns
    -------
    PropertyResult
        ``violation`` is the largest gain from misreporting (of the players
        that fail, if any); the witness names the player, true type, best
        misreport, the others' reports and the gain. Ties between equally
        large gains go to the lowest player, then others' profile (C order),
        true type and misreport.
    """
    mech = _check_mechanism(mech)
    opts = compute_options(chunk_size, memory_limit, backend, scheduler, progress)
    return dsic_result(mech, dsic_pass(mech, opts), atol, rtol)


def dsic_result(mech: DirectMechanism, scans, atol: float, rtol: float) -> PropertyResult:
    """Build the DSIC result from the pass's worst scan of each player."""
    env = mech.env
    tols = incentive_thresholds(mech, [s.transfer_scale for s in scans], atol, rtol)
    i = _pick([s.gain for s in scans], tols)
    best = scans[i]
    others, labels = _others_profile(mech, i, best.others)
    witness = None
    if best.gain > 0:
        who = env.players[i]
        description = (f"player {who!r} with true type {env.type_labels[i][best.true_type]} gains "
                       f"{best.gain:.6g} by reporting {env.type_labels[i][best.report]}"
                       + (f" when the others report {profile_text(labels)}" if labels else ""))
        witness = Witness(description=description, player=who, player_index=i,
                          true_type=env.type_labels[i][best.true_type], true_type_index=best.true_type,
                          report=env.type_labels[i][best.report], report_index=best.report,
                          others=labels, profile=_full_profile(i, best.report, others), gain=best.gain)
    return _result("dsic", best.gain, witness, tols[i])


def interim_utilities_table(mech: DirectMechanism, i: int, **compute: Any) -> np.ndarray:
    """``U[t, r]``: player i's interim expected utility of type t reporting r (others truthful).

    In the environment's own units (no offset removed). Rows of types of
    probability zero under a joint prior are 0 (their belief is undefined).
    ``compute``: the execution keywords of :func:`is_bic`.
    """
    mech = _check_mechanism(mech)
    i = v.index(i, "i", mech.env.n_players)
    return interim_pass(mech, compute_options(**compute), units="raw")[0][i]


def is_bic(mech: DirectMechanism, *, atol: float = 1e-9, rtol: float = 1e-9, chunk_size: int | None = None,
           memory_limit: int | None = None, backend: str = "numpy", scheduler: Any = None,
           progress: Any = None) -> PropertyResult:
    """Is truth-telling a Bayes–Nash equilibrium of the direct mechanism?

    For every player i and every type t of positive marginal probability, the
    interim expected utility of reporting t, under the conditional belief
    P(θ_-i | θ_i = t) of the common prior (d'Aspremont and Gérard-Varet 1979), is at least that of any
    misreport r — including a report of a type of probability zero. Types of
    probability zero are not checked as true types, for an
    :class:`~mechdesign.IndependentPrior` and a
    :class:`~mechdesign.JointPrior` alike (docs/concepts.md, "Types of
    probability zero"). Works for independent and correlated priors.

    Parameters
    ----------
    mech : DirectMechanism
    atol, rtol : float
        Tolerances, per player as in :func:`is_dsic`.
    {compute}

    Returns
    -------
    PropertyResult
        ``violation`` is the largest interim gain; the witness names the player,
        true type, best misreport and gain.
    """
    mech = _check_mechanism(mech)
    opts = compute_options(chunk_size, memory_limit, backend, scheduler, progress)
    tables, scales = interim_pass(mech, opts)
    return bic_result(mech, tables, scales, atol, rtol)


def bic_result(mech: DirectMechanism, tables: list[np.ndarray], transfer_scales, atol: float,
               rtol: float) -> PropertyResult:
    """Build the BIC result from the players' interim tables ``U[t, r]`` (incentive units)."""
    env = mech.env
    bests = []
    for i, table in enumerate(tables):
        gain = table - np.diag(table)[:, None]
        gain[np.asarray(env.prior.marginal(i)) <= 0] = -np.inf     # a null type has no interim condition
        flat = int(np.argmax(gain))
        t, r = np.unravel_index(flat, gain.shape)
        bests.append((float(gain.flat[flat]), int(t), int(r)))
    tols = incentive_thresholds(mech, transfer_scales, atol, rtol)
    i = _pick([b[0] for b in bests], tols)
    gain, t, r = bests[i]
    witness = None
    if gain > 0:
        who = env.players[i]
        witness = Witness(
            description=(f"player {who!r} with true type {env.type_labels[i][t]} expects to gain {gain:.6g} "
                         f"by reporting {env.type_labels[i][r]} (others truthful, conditional beliefs)"),
            player=who, player_index=i, true_type=env.type_labels[i][t], true_type_index=t,
            report=env.type_labels[i][r], report_index=r, gain=gain)
    return _result("bic", gain, witness, tols[i])


def _outside_options(mech: DirectMechanism, outside_option: Any) -> list[np.ndarray]:
    env = mech.env
    if outside_option is None:
        return [np.zeros(k) for k in env.n_types]
    if np.isscalar(outside_option) or (isinstance(outside_option, np.ndarray) and outside_option.ndim == 0):
        value = v.float_array(outside_option, "outside_option", ndim=0, bounded=True)
        return [np.full(k, float(value)) for k in env.n_types]
    if not hasattr(outside_option, "__len__") or len(outside_option) != env.n_players:
        raise v.fail("outside_option", f"a number or one array of shape (k_i,) per player ({env.n_players})",
                     type(outside_option).__name__)
    return [v.float_array(o, f"outside_option[{i}]", shape=(env.n_types[i],), bounded=True) for i, o in enumerate(outside_option)]


def participation_outside(mech: DirectMechanism, outside: list[np.ndarray]) -> list[np.ndarray]:
    """Outside options measured from each player's participation reference: o_i(t) − r_i(t)."""
    return [o - offsets.participation_reference(mech.env, i) for i, o in enumerate(outside)]


def ir_result(mech: DirectMechanism, kind: str, outside: list[np.ndarray], ex_post, interim, ex_ante,
              transfer_scales, atol: float, rtol: float) -> PropertyResult:
    """Build the IR result of ``kind`` from the passes' outputs (all in participation units).

    ``outside``: per player o_i − r_i (:func:`participation_outside`);
    ``ex_post``: per player (worst shortfall, flat profile); ``interim``: per
    player the interim utility of truth-telling U[t, t]; ``ex_ante``: per
    player E[u_i − r_i + m_i]. Only the one for ``kind`` is read.
    """
    env = mech.env
    atol, rtol = _tolerances(atol, rtol)
    values, witnesses, tols = [], [], []
    for i in range(env.n_players):
        who = env.players[i]
        if kind == "ex_post":
            value, flat = ex_post[i]
            prof, labels = _profile_labels(mech, flat)
            witness = Witness(description=f"player {who!r} at profile {profile_text(labels)} gets {value:.6g} less "
                                          "than her outside option",
                              player=who, player_index=i, true_type=env.type_labels[i][prof[i]],
                              true_type_index=prof[i], profile=prof, details={"shortfall": value})
        elif kind == "interim":
            per_type = np.where(np.asarray(env.prior.marginal(i)) > 0, outside[i] - interim[i], -np.inf)
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
        values.append(value)
        witnesses.append(witness)
        tols.append(offsets.threshold(atol, rtol, offsets.participation_scales(env)[i], transfer_scales[i],
                                      float(np.abs(outside[i]).max(initial=0.0))))
    i = _pick(values, tols)
    return _result(f"ir_{kind}", values[i], witnesses[i] if values[i] > 0 else None, tols[i])


def is_ir(mech: DirectMechanism, kind: str = "ex_post", *, outside_option: Any = None,
          atol: float = 1e-9, rtol: float = 1e-9, chunk_size: int | None = None, memory_limit: int | None = None,
          backend: str = "numpy", scheduler: Any = None, progress: Any = None) -> PropertyResult:
    """Individual rationality (participation) under truth-telling.

    Parameters
    ----------
    kind : {"ex_post", "interim", "ex_ante"}
        ``ex_post``: u_i + m_i ≥ outside option at every profile (whatever its
        probability); ``interim``: in expectation given one's own type
        (conditional beliefs), at every type of positive probability;
        ``ex_ante``: in expectation under the prior.
    outside_option : float or list of arrays, optional
        Utility of not participating, per player and type (default 0).
    atol, rtol : float
        Player i's shortfalls are judged against ``atol + rtol · scale_i``,
        scale_i the size of her utility, transfers and outside option, each
        measured from her smallest utility at her type (docs/concepts.md,
        "Tolerances"): other players' numbers never enter it, and shifting
        her utilities and outside option by one constant changes nothing.
    {compute}

    Returns
    -------
    PropertyResult
        ``violation`` is the largest shortfall below the outside option.
    """
    mech = _check_mechanism(mech)
    kind = v.choice(kind, "kind", IR_KINDS)
    opts = compute_options(chunk_size, memory_limit, backend, scheduler, progress)
    outside = participation_outside(mech, _outside_options(mech, outside_option))
    ex_post = interim = ex_ante = None
    if kind == "interim":
        tables, scales = interim_pass(mech, opts, diagonal=True, units="participation")
        interim = [np.diag(t) if t.ndim == 2 else t for t in tables]
    else:
        summary = profile_pass(mech, opts, {"ir"} if kind == "ex_post" else {"participation"}, outside)
        scales, ex_post, ex_ante = summary.transfer_scales, summary.ir, summary.participation
    return ir_result(mech, kind, outside, ex_post, interim, ex_ante, scales, atol, rtol)


def budget_result(mech: DirectMechanism, kind: str, ex_ante: bool, worst: tuple[float, int] | None,
                  expected_net: float | None, scale: float, atol: float, rtol: float) -> PropertyResult:
    """Build a budget-balance result from the profile pass (``worst``: (value, flat profile)).

    ``scale``: the largest |transfer| (the only numbers a budget compares).
    """
    name = f"budget_{kind}" + ("_ex_ante" if ex_ante else "")
    atol, rtol = _tolerances(atol, rtol)
    tol = offsets.threshold(atol, rtol, scale)
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
    witness = Witness(description=f"at profile {profile_text(labels)} the transfers sum to {net:.6g}",
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
        Sums are judged against ``atol + rtol · (largest |transfer|)``.
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
    ex_ante = v.flag(ex_ante, "ex_ante")
    summary = profile_pass(mech, opts, {"expectations"} if ex_ante else {"budget"})
    worst = summary.budget_weak if kind == "weak" else summary.budget_strong
    net = None if summary.expectations is None else float(summary.expectations[-1])
    return budget_result(mech, kind, ex_ante, worst, net, summary.transfer_scale, atol, rtol)


def efficiency_result(mech: DirectMechanism, worst: tuple[float, int], atol: float,
                      rtol: float) -> PropertyResult:
    """Build the efficiency result from the profile pass (``worst``: (loss, flat profile)).

    The scale is Σ_i of player i's largest utility difference between
    alternatives: a bound on the welfare differences compared.
    """
    env = mech.env
    atol, rtol = _tolerances(atol, rtol)
    value, flat = worst
    prof, labels = _profile_labels(mech, flat)
    normalised = offsets.incentive_valuations(env)
    total = np.zeros(env.n_alternatives)
    for i in range(env.n_players):
        total = total + (normalised[i][prof[i]] if env.is_private(i) else normalised[i][prof])
    top = env.alternatives[int(np.argmax(total))]
    witness = Witness(description=f"at profile {profile_text(labels)} the decision loses {value:.6g} of welfare "
                                  f"(best alternative {top!r})",
                      profile=prof, details={"welfare_loss": value, "best_alternative": top})
    tol = offsets.threshold(atol, rtol, offsets.welfare_scale(env))
    return _result("efficient", value, witness if value > 0 else None, tol)


def is_efficient(mech: DirectMechanism, *, atol: float = 1e-9, rtol: float = 1e-9, chunk_size: int | None = None,
                 memory_limit: int | None = None, backend: str = "numpy", scheduler: Any = None,
                 progress: Any = None) -> PropertyResult:
    """Does the decision maximise Σ_i u_i(x, θ) at every profile (Tadelis 14.2)?

    A randomized rule is efficient when its expected total value equals the
    maximum, i.e. it only mixes over maximisers. Checked at every profile,
    whatever its probability.

    Parameters
    ----------
    mech : DirectMechanism
    atol, rtol : float
        Welfare losses are judged against ``atol + rtol · Σ_i scale_i``,
        scale_i player i's largest utility difference between alternatives.
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
    return efficiency_result(mech, summary.efficiency, atol, rtol)


for _audit in (is_dsic, is_bic, is_ir, is_budget_balanced, is_efficient):
    _audit.__doc__ = _audit.__doc__.replace("{compute}", COMPUTE_DOC)
