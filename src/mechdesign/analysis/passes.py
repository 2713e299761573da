"""Run the audit kernels over every block of a mechanism and combine their results in block order.

* :func:`dsic_pass` — each player's worst ex-post gain (kernel :func:`.misreports.dsic_block`);
* :func:`interim_pass` — each player's interim utility table (:func:`.misreports.interim_block`);
* :func:`incentive_pass` — both of the above from one read of each block;
* :func:`profile_pass` — per-profile maxima and expectations (:func:`.profiles.profile_block`).

All players' blocks go to the backend in one batch (so a Dask cluster works on
every player at once); the combination is sequential and in plan order, which
is what makes the results independent of the block size and backend.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mechdesign.analysis import misreports, profiles
from mechdesign.compute.backends import Compute
from mechdesign.compute.blocks import BlockPlan, fold, player_block, serves_player
from mechdesign.mechanisms.direct import DirectMechanism


def _player_tasks(mech: DirectMechanism, opts: Compute) -> list[tuple[int, object]]:
    """``(i, block)`` for every player and block of her plan (the numpy kernels)."""
    env = mech.env
    tasks = []
    for i in range(env.n_players):
        size = opts.block_profiles(misreports.bytes_per_profile(env, i), env.n_profiles)
        tasks += [(i, block) for block in BlockPlan(env.n_types, i, size)]
    return tasks


def _compiled_tasks(mech: DirectMechanism, opts: Compute, job: tuple) -> list[tuple]:
    """Tasks of :func:`.misreports.compiled_block`: the blocks of a whole-space plan, each serving
    every player it can (the mechanism read once for all of them), then the other players' own plans."""
    env = mech.env
    size = opts.block_profiles(misreports.compiled_bytes_per_profile(mech), env.n_profiles)
    plan = BlockPlan(env.n_types, None, size)
    served = tuple(i for i in range(env.n_players) if serves_player(env.n_types, plan.cut_axis, i))
    tasks = [(served, tuple(player_block(env.n_types, block, i) for i in served), job)
             for block in plan] if served else []
    for i in range(env.n_players):
        if i not in served:
            tasks += [((i,), (block,), job) for block in BlockPlan(env.n_types, i, size)]
    return tasks


def _player_results(mech: DirectMechanism, opts: Compute, job: tuple, description: str) -> list[list]:
    """Per player, the results of her blocks in plan order, from the compiled or the numpy kernels.

    ``job``: ``("dsic",)``, ``("interim", diagonal, units)`` or ``("incentive",)``.
    """
    env = mech.env
    out: list[list] = [[] for _ in range(env.n_players)]
    if opts.compiled(env.n_profiles * env.n_players):
        tasks = _compiled_tasks(mech, opts, job)
        results = opts.run(misreports.compiled_block, tasks, mech, description=description)
        for (players, *_), result in zip(tasks, results):
            for i, r in zip(players, result):
                out[i].append(r)
        return out
    if job[0] == "interim":
        tasks = [(i, block, job[1], job[2]) for i, block in _player_tasks(mech, opts)]
    else:
        tasks = _player_tasks(mech, opts)
    kernel = {"dsic": misreports.dsic_block, "interim": misreports.interim_block,
              "incentive": misreports.incentive_block}[job[0]]
    for (i, *_), result in zip(tasks, opts.run(kernel, tasks, mech, description=description)):
        out[i].append(result)
    return out


def _first_max(items, key=lambda item: item[0]):
    """The first item with the largest key (strictly larger replaces)."""
    best = None
    for item in items:
        if best is None or key(item) > key(best):
            best = item
    return best


def _worst_gains(grouped: list[list]) -> list[misreports.DsicScan]:
    """Per player, the first largest gain over her blocks, with her largest |transfer|."""
    out = []
    for own in grouped:
        best = _first_max(own, key=lambda scan: scan.gain)
        scale = max(scan.transfer_scale for scan in own)
        out.append(misreports.DsicScan(best.gain, best.others, best.true_type, best.report, scale))
    return out


def dsic_pass(mech: DirectMechanism, opts: Compute) -> list[misreports.DsicScan]:
    """Per player, the worst ex-post gain (first in (o, t, r) C order) and her transfer scale."""
    return _worst_gains(_player_results(mech, opts, ("dsic",), "DSIC audit"))


def _tables(env, grouped: list[list], units: str) -> tuple[list[np.ndarray], list[float]]:
    tables = [misreports.interim_table(env, i, grouped[i], units) for i in range(env.n_players)]
    return tables, [max(p.transfer_scale for p in own) for own in grouped]


def interim_pass(mech: DirectMechanism, opts: Compute, diagonal: bool = False,
                 units: str = "incentive") -> tuple[list[np.ndarray], list[float]]:
    """Each player's interim table ``U[t, r]`` (others truthful) in ``units``, and her transfer scale.

    With ``diagonal=True`` only U[t, t] is needed (the kernels may still return the table).
    """
    grouped = _player_results(mech, opts, ("interim", diagonal, units), "interim utilities")
    return _tables(mech.env, grouped, units)


def incentive_pass(mech: DirectMechanism, opts: Compute):
    """:func:`dsic_pass` and :func:`interim_pass` in one pass over the blocks (each block read once)."""
    grouped = _player_results(mech, opts, ("incentive",), "incentive audits")
    worst = _worst_gains([[r[0] for r in own] for own in grouped])
    tables, scales = _tables(mech.env, [[r[1] for r in own] for own in grouped], "incentive")
    return worst, tables, scales


@dataclass(frozen=True)
class ProfileSummary:
    """Combined :class:`.profiles.ProfileScan` of every block."""

    transfer_scales: tuple[float, ...]     # per player, max |m_i|
    ir: list[tuple[float, int]] | None
    budget_weak: tuple[float, int] | None
    budget_strong: tuple[float, int] | None
    efficiency: tuple[float, int] | None
    expectations: np.ndarray | None    # E[u_i + m_i] for each i, then E[Σ u_i], then E[Σ m_i]
    participation: np.ndarray | None   # E[u_i − r_i(θ_i) + m_i] for each i

    @property
    def transfer_scale(self) -> float:
        """Largest |m_i| over every player and profile."""
        return max(self.transfer_scales, default=0.0)


def profile_pass(mech: DirectMechanism, opts: Compute, wants: set[str], outside=None) -> ProfileSummary:
    """Per-profile audits and expectations (see :func:`.profiles.profile_block`).

    ``outside``: per player, the outside option minus her participation
    reference, ``o_i(t) − r_i(t)`` (for ``"ir"``).
    """
    env = mech.env
    compiled = opts.compiled(env.n_profiles * env.n_players)
    need = profiles.compiled_bytes_per_profile(mech) if compiled else profiles.bytes_per_profile(env)
    plan = BlockPlan(env.n_types, None, opts.block_profiles(need, env.n_profiles))
    wants = frozenset(wants)
    outside = tuple(outside) if outside is not None else None
    scans = opts.run(profiles.profile_block, [(b, wants, outside, compiled) for b in plan], mech,
                     description="profile audits")
    ir = None
    if "ir" in wants:
        ir = [_first_max(s.ir[i] for s in scans) for i in range(env.n_players)]
    needs = {"budget_weak": "budget", "budget_strong": "budget", "efficiency": "efficiency"}
    pick = {name: _first_max(getattr(s, name) for s in scans) if want in wants else None
            for name, want in needs.items()}
    sums = fold([s.sums for s in scans]) if "expectations" in wants else None
    participation = fold([s.participation for s in scans]) if "participation" in wants else None
    scales = tuple(max(s.transfer_scales[i] for s in scans) for i in range(env.n_players))
    return ProfileSummary(scales, ir, pick["budget_weak"], pick["budget_strong"], pick["efficiency"], sums,
                          participation)
