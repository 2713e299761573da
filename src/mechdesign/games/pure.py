"""Method ``"pure"`` of :func:`~mechdesign.solve_bne`: every pure Bayes–Nash equilibrium.

A pure profile is an equilibrium (within ``tol``) when every type of positive
probability plays an action within ``tol`` of her best interim payoff; types of
probability zero may play anything, so every choice of theirs is listed.

``search="pruned"`` (default) finds exactly the profiles the exhaustive search
finds, in three steps:

1. **Elimination.** An action a of player i's type t is dropped when some
   action b beats it by more than ``tol`` against *every* remaining pure
   profile of the others. The test uses a lower bound of that minimum,
   Σ_{θ_-i} P(θ_-i | t) min_{a_-i} [u_i(t, θ_-i, b, a_-i) − u_i(t, θ_-i, a, a_-i)]
   (the inner minimum over the others' remaining actions at each type
   profile), so no profile within ``tol`` of equilibrium is ever dropped;
   repeated until nothing changes. In auctions this removes the bids a type
   can never gain from (e.g. above her value), shrinking the search by orders
   of magnitude.
2. **Search over all players but one.** Player q, the one with the most
   remaining pure strategies, is not enumerated: against each profile of the
   others her best responses are derived type by type (every combination when
   several actions tie within ``tol``). A second player p is contracted in
   blocks: with the outer players' strategies fixed, q's interim payoff is a
   sum over p's types of precomputed tables ``G_q[θ_p, a_p, t_q, a_q]`` (and
   likewise p's payoff over q's types), so each profile costs
   O(k_p k_q m_q) instead of O(Π_j k_j m_q).
3. **Checks.** p's best-response condition is tested against the derived q
   in the same tables, the outer players' with the full interim payoffs; the
   dispatcher finally verifies every survivor with
   :func:`~mechdesign.verify_bne`.

``search="exhaustive"`` is the reference: every profile of all players but
the largest, without elimination (cost Π_{j≠q} |A_j|^{k_j} interim
evaluations over all type profiles).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from mechdesign.errors import SolverError
from mechdesign.games.bayesian import BayesianGame
from mechdesign.games.interim import batch_interim, decode_pure

SEARCHES = ("pruned", "exhaustive")
#: Default options of method "pure".
DEFAULT_OPTIONS: dict[str, Any] = {"max_profiles": 10**6, "search": "pruned"}
#: Floats per block of the vectorised search (bounds memory).
BLOCK_FLOATS = 2**21


def solve_pure(game: BayesianGame, opts: dict[str, Any], tol: Any,
               report: Callable[[int, int], None]) -> tuple[list[tuple[np.ndarray, ...]], str]:
    """All pure profiles within ``tol`` of equilibrium (candidates; the dispatcher verifies them).

    ``tol`` is one number or one per player (the tolerance of her gains).
    """
    tol = _per_player(tol, game.n_players)
    if opts.get("search", "pruned") == "exhaustive":
        return exhaustive(game, opts["max_profiles"], tol, report)
    return pruned(game, opts["max_profiles"], tol, report)


# ------------------------------------------------------------------ elimination
def _per_player(tol: Any, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(tol, dtype=float), (n,)).copy()


def _slack(game: BayesianGame, tol: np.ndarray) -> np.ndarray:
    """Per player, the tolerance widened by rounding (candidates are verified exactly afterwards)."""
    return tol + 1e-12 * np.maximum(1.0, np.asarray(game.incentive_scales(), dtype=float))


def surviving_actions(game: BayesianGame, tol: Any) -> list[np.ndarray]:
    """Per player, a boolean mask ``(k_i, m_i)`` of the actions left by iterated elimination (step 1).

    ``tol``: one number or one per player. Types of probability zero keep every action.
    """
    n = game.n_players
    joint = np.asarray(game.prior.joint(), dtype=float)
    alive = [np.ones((k, m), dtype=bool) for k, m in zip(game.n_types, game.n_actions)]
    margins = _slack(game, _per_player(tol, n))
    payoffs = game.incentive_payoffs()
    # per player: payoffs with own type and action first: (k_i, m_i, θ_-i..., a_-i...)
    tables, beliefs = [], []
    for i in range(n):
        u = np.moveaxis(payoffs[..., i], (i, n + i), (0, 1))
        tables.append(u.reshape(game.n_types[i], game.n_actions[i], *u.shape[2:]))
        mass = np.asarray(game.prior.marginal(i))
        cond = np.moveaxis(joint, i, 0) / np.where(mass > 0, mass, 1.0).reshape((-1,) + (1,) * (n - 1))
        beliefs.append(cond)                                                    # (k_i, θ_-i...)
    changed = True
    while changed:
        changed = False
        for i in range(n):
            if n == 1:
                break
            others = [j for j in range(n) if j != i]
            # forbidden[θ_-i..., a_-i...]: +inf where some other player's action is eliminated at her type
            penalty = np.zeros(tuple(game.n_types[j] for j in others) + tuple(game.n_actions[j] for j in others))
            for pos, j in enumerate(others):
                shape = [1] * penalty.ndim
                shape[pos], shape[len(others) + pos] = game.n_types[j], game.n_actions[j]
                penalty = penalty + np.where(alive[j], 0.0, np.inf).reshape(shape)
            action_axes = tuple(range(len(others) + 1, 2 * len(others) + 1))
            for t in np.flatnonzero(game.active_types(i)):
                u = tables[i][t]                                                 # (m_i, θ_-i..., a_-i...)
                candidates = np.flatnonzero(alive[i][t])
                if candidates.size <= 1:
                    continue
                weight = beliefs[i][t]
                for a in candidates:
                    diff = u - u[a][None]                                        # (b, θ_-i..., a_-i...)
                    worst = (diff + penalty[None]).min(axis=action_axes)          # (b, θ_-i...)
                    worst = np.where(weight[None] > 0, worst, 0.0)
                    bound = (worst * weight[None]).reshape(u.shape[0], -1).sum(axis=1)
                    if bound.max() > margins[i]:
                        alive[i][t, a] = False
                        changed = True
    return alive


# ------------------------------------------------------------------ pruned search
def pruned(game: BayesianGame, max_profiles: int, tol: np.ndarray,
           report: Callable[[int, int], None]) -> tuple[list[tuple[np.ndarray, ...]], str]:
    """Steps 1–3 of the module docstring."""
    start = time.perf_counter()
    n = game.n_players
    alive = surviving_actions(game, tol)
    choices = [[np.flatnonzero(row) for row in mask] for mask in alive]          # per player, per type
    counts = [math.prod(len(c) for c in per) for per in choices]
    full = [int(game.n_actions[i]) ** int(game.n_types[i]) for i in range(n)]
    q = int(np.argmax(counts))
    rest = [j for j in range(n) if j != q]
    total = math.prod(counts[j] for j in rest)
    if total > max_profiles:
        raise SolverError(
            f"options['max_profiles']: the pure search would enumerate {total} strategy profiles of players "
            f"{[game.players[j] for j in rest]} after eliminating dominated actions (more than max_profiles = "
            f"{max_profiles}); raise the bound or use a learning method (e.g. method='dual_averaging') or 'gambit'")
    pruned_note = (f"elimination left {counts} of {full} pure strategies per player; "
                   f"searched {total} profiles of players {[game.players[j] for j in rest]}, best responses of "
                   f"{game.players[q]!r} derived")
    if n == 1:
        found = [(np.array(combo, dtype=np.intp),) for combo in itertools.product(*_best_sets_single(game, tol[0]))]
        report(1, 1)
        return found, pruned_note + f"; {len(found)} candidate(s) in {time.perf_counter() - start:.3g} s"
    p = max(rest, key=lambda j: counts[j])
    outer = [j for j in rest if j != p]
    strategies = {j: _product(choices[j]) for j in rest}                            # (count_j, k_j) each
    joint = np.asarray(game.prior.joint(), dtype=float)
    n_outer = math.prod(counts[j] for j in outer)
    per_outer = counts[p] * game.n_types[q] * game.n_actions[q]
    block = max(1, BLOCK_FLOATS // max(1, per_outer))
    slack = _slack(game, tol)
    found: list[tuple[np.ndarray, ...]] = []
    done = 0
    for lo in range(0, n_outer, block):
        report(done, total)
        codes = np.arange(lo, min(lo + block, n_outer), dtype=np.int64)
        outer_strats = _outer_profiles(codes, outer, strategies, counts)          # {j: (B_o, k_j)}
        G_q = _tables(game, q, p, outer, outer_strats, joint, len(codes))           # (B_o, k_p, m_p, k_q, m_q)
        G_p = _tables(game, p, q, outer, outer_strats, joint, len(codes))           # (B_o, k_q, m_q, k_p, m_p)
        s_p = strategies[p]                                                        # (S_p, k_p)
        U_q = np.zeros((len(codes), s_p.shape[0], game.n_types[q], game.n_actions[q]))
        for theta in range(game.n_types[p]):
            U_q += G_q[:, theta, s_p[:, theta]]                                    # (B_o, S_p, k_q, m_q)
        best = (U_q >= U_q.max(axis=3, keepdims=True) - slack[q]) & alive[q][None, None]
        best[:, :, ~game.active_types(q), :] = True
        o_idx, p_idx, s_q = _expand(best.reshape(-1, game.n_types[q], game.n_actions[q]), s_p.shape[0])
        if o_idx.size:
            # p's condition against the derived s_q
            U_p = np.zeros((o_idx.size, game.n_types[p], game.n_actions[p]))
            for theta in range(game.n_types[q]):
                U_p += G_p[o_idx, theta, s_q[:, theta]]
            played = np.take_along_axis(U_p, s_p[p_idx][:, :, None], axis=2)[:, :, 0]
            ok = np.all((U_p.max(axis=2) - played <= slack[p]) | ~game.active_types(p)[None], axis=1)
            o_idx, p_idx, s_q = o_idx[ok], p_idx[ok], s_q[ok]
        if o_idx.size and outer:
            profile: list[np.ndarray | None] = [None] * n
            for j in outer:
                profile[j] = outer_strats[j][o_idx]
            profile[p], profile[q] = s_p[p_idx], s_q
            ok = np.ones(o_idx.size, dtype=bool)
            for j in outer:
                interim = batch_interim(game, j, profile, joint)
                played = np.take_along_axis(interim, profile[j][:, :, None], axis=2)[:, :, 0]
                ok &= np.all((interim.max(axis=2) - played <= slack[j]) | ~game.active_types(j)[None], axis=1)
            o_idx, p_idx, s_q = o_idx[ok], p_idx[ok], s_q[ok]
        for r in range(o_idx.size):
            prof: list[np.ndarray] = [np.empty(0, dtype=np.intp)] * n
            for j in outer:
                prof[j] = outer_strats[j][o_idx[r]]
            prof[p], prof[q] = s_p[p_idx[r]], s_q[r]
            found.append(tuple(np.asarray(x, dtype=np.intp) for x in prof))
        done += len(codes) * counts[p]
    report(total, total)
    found.sort(key=lambda prof: tuple(tuple(int(a) for a in s) for s in prof))
    elapsed = time.perf_counter() - start
    return found, pruned_note + f"; {len(found)} candidate(s) in {elapsed:.3g} s"


def _best_sets_single(game: BayesianGame, tol: float) -> list[list[int]]:
    u = game.incentive_payoffs()[..., 0]                                         # (k, m)
    out = []
    for t in range(game.n_types[0]):
        if not game.active_types(0)[t]:
            out.append(list(range(game.n_actions[0])))
        else:
            out.append(list(np.flatnonzero(u[t] >= u[t].max() - tol)))
    return out


def _product(per_type: list[np.ndarray]) -> np.ndarray:
    """All pure strategies with type t's action in ``per_type[t]``, shape ``(count, k)``."""
    grids = np.meshgrid(*per_type, indexing="ij")
    return np.stack([g.ravel() for g in grids], axis=1).astype(np.intp)


def _outer_profiles(codes: np.ndarray, outer: list[int], strategies: dict[int, np.ndarray],
                    counts: list[int]) -> dict[int, np.ndarray]:
    out = {}
    rest = codes
    for j in reversed(outer):
        out[j] = strategies[j][rest % counts[j]]
        rest = rest // counts[j]
    return out


def _tables(game: BayesianGame, i: int, p: int, outer: list[int], outer_strats: dict[int, np.ndarray],
            joint: np.ndarray, batch: int) -> np.ndarray:
    """``G_i[o, θ_p, a_p, t_i, a_i]``: player i's conditional payoff sums over the outer players (fixed by o)."""
    n = game.n_players
    mass = np.asarray(game.prior.marginal(i))
    u = game.incentive_payoffs()[..., i]                                         # (θ..., a...)
    # gather the outer players' actions at their types: index a_j by s_j(θ_j) for each outer j
    index: list[Any] = []
    for j in range(n):
        shape = [1] * (n + 1)
        shape[j + 1] = game.n_types[j]
        index.append(np.arange(game.n_types[j]).reshape(shape))
    for j in range(n):
        if j in outer:
            shape = [1] * (n + 1)
            shape[0], shape[j + 1] = batch, game.n_types[j]
            index.append(outer_strats[j].reshape(shape))
        else:
            index.append(slice(None))
    # advanced indices (types and outer actions) broadcast to (batch, θ...); the sliced action axes of p
    # and i follow: values (batch, θ..., a_{min(p,i)}, a_{max(p,i)})
    values = u[tuple(index)]
    if p < i:
        values = np.swapaxes(values, -1, -2)                                     # (batch, θ..., a_i, a_p)
    weight = joint / np.where(mass > 0, mass, 1.0).reshape([-1 if j == i else 1 for j in range(n)])
    weight = np.where(mass.reshape([-1 if j == i else 1 for j in range(n)]) > 0, weight, 0.0)
    # sum over the outer types: G[o, θ_p, a_p, t_i, a_i]
    letters = "abcdefghijklmnopqrstuvwxyz"
    theta = letters[:n]
    sub_values = "Z" + theta + "XY"                                              # X = a_i, Y = a_p
    out = "Z" + theta[p] + "Y" + theta[i] + "X"
    return np.einsum(f"{sub_values},{theta}->{out}", values, weight, optimize=True)


def _expand(best: np.ndarray, per_outer: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every combination of best responses of each row: (outer index, p index, s_q) per combination."""
    rows, k, m = best.shape
    sizes = best.sum(axis=2)                                                     # (rows, k)
    combos = np.prod(sizes, axis=1)
    keep = np.flatnonzero(combos > 0)
    rep = np.repeat(keep, combos[keep])
    if rep.size == 0:
        return rep, rep, np.zeros((0, k), dtype=np.intp)
    within = np.arange(rep.size) - np.repeat(np.cumsum(combos[keep]) - combos[keep], combos[keep])
    order = np.argsort(~best, axis=2, kind="stable")                             # best actions first
    s_q = np.empty((rep.size, k), dtype=np.intp)
    rest = within
    for t in range(k - 1, -1, -1):
        size_t = sizes[rep, t]
        digit = rest % size_t
        rest = rest // size_t
        s_q[:, t] = order[rep, t, digit]
    return rep // per_outer, rep % per_outer, s_q


# ------------------------------------------------------------------ exhaustive reference
def exhaustive(game: BayesianGame, max_profiles: int, tol: np.ndarray,
               report: Callable[[int, int], None]) -> tuple[list[tuple[np.ndarray, ...]], str]:
    """Every profile of all players but the largest; her best responses derived (no elimination)."""
    start = time.perf_counter()
    n = game.n_players
    counts = [int(game.n_actions[i]) ** int(game.n_types[i]) for i in range(n)]
    last = int(np.argmax(counts))                       # the player whose best responses are derived, not searched
    searched = [j for j in range(n) if j != last]
    total = math.prod(counts[j] for j in searched)
    if total > max_profiles:
        raise SolverError(
            f"options['max_profiles']: the pure search would enumerate {total} strategy profiles of players "
            f"{[game.players[j] for j in searched]} (more than max_profiles = {max_profiles}); raise the "
            "bound or use search='pruned', a learning method (e.g. method='dual_averaging') or 'gambit'")
    joint = np.asarray(game.prior.joint())
    active = [game.active_types(i) for i in range(n)]
    per_profile = math.prod(game.n_types) * max(game.n_actions)
    block = max(1, BLOCK_FLOATS // per_profile)
    found: list[tuple[np.ndarray, ...]] = []
    for lo in range(0, total, block):
        report(lo, total)
        codes = np.arange(lo, min(lo + block, total), dtype=np.int64)
        pure: list[np.ndarray | None] = [None] * n
        rest = codes
        for j in reversed(searched):
            pure[j] = decode_pure(rest % counts[j], game.n_types[j], game.n_actions[j])
            rest = rest // counts[j]
        # best responses of `last` to each searched profile: product over her types
        interim = batch_interim(game, last, pure, joint)
        best = interim >= interim.max(axis=2, keepdims=True) - tol[last]
        best[:, ~active[last], :] = True
        unique = np.all(best.sum(axis=2) == 1, axis=1)            # one best response per type: vectorised
        cand_rows = [np.flatnonzero(unique)]
        cand_strats = [best[unique].argmax(axis=2)]
        for b in np.flatnonzero(~unique):                          # ties: every combination of best responses
            choices = [np.flatnonzero(best[b, t]) for t in range(game.n_types[last])]
            combos = np.array(list(itertools.product(*choices)), dtype=np.intp)
            cand_rows.append(np.full(len(combos), b))
            cand_strats.append(combos)
        rows = np.concatenate(cand_rows)
        if rows.size == 0:
            continue
        profile = [None if j == last else pure[j][rows] for j in range(n)]
        profile[last] = np.concatenate(cand_strats).astype(np.intp).reshape(rows.size, game.n_types[last])
        ok = np.ones(rows.size, dtype=bool)
        for j in searched:   # do the searched players best respond too?
            interim_j = batch_interim(game, j, profile, joint)
            played = np.take_along_axis(interim_j, profile[j][:, :, None], axis=2)[:, :, 0]
            regret = interim_j.max(axis=2) - played
            ok &= np.all((regret <= tol[j]) | ~active[j][None, :], axis=1)
        for c in np.flatnonzero(ok):
            found.append(tuple(np.asarray(profile[j][c]) for j in range(n)))
    report(total, total)
    elapsed = time.perf_counter() - start
    message = (f"searched {total} profiles of players {[game.players[j] for j in searched]}, best responses of "
               f"{game.players[last]!r} derived; {len(found)} candidate(s) in {elapsed:.3g} s")
    return found, message
