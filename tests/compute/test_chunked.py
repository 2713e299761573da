"""Chunked, unchunked and Dask audits agree exactly: verdicts, violations and witnesses.

"Unchunked" is the default call (one block per memory budget, which holds
these small environments whole); the ``small_tiles`` fixture cuts them into
tiles of ≤ 3 profiles so that ``chunk_size`` really splits them.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import mechdesign as md

AUDITS = {
    "dsic": md.is_dsic,
    "bic": md.is_bic,
    "efficient": md.is_efficient,
    "ir_ex_post": lambda m, **kw: md.is_ir(m, "ex_post", outside_option=0.3, **kw),
    "ir_interim": lambda m, **kw: md.is_ir(m, "interim", **kw),
    "ir_ex_ante": lambda m, **kw: md.is_ir(m, "ex_ante", **kw),
    "budget_weak": lambda m, **kw: md.is_budget_balanced(m, "weak", **kw),
    "budget_strong_ex_ante": lambda m, **kw: md.is_budget_balanced(m, "strong", ex_ante=True, **kw),
}
METRICS = (md.expected_welfare, md.expected_revenue, md.expected_deficit, md.expected_surplus,
           md.worst_case_deficit)


def mechanisms(seed, correlated, interdependent):
    """A few mechanisms on one random environment: arbitrary (randomized and deterministic) and VCG/AGV."""
    env = md.examples.random_environment(n_players=3, n_types=[3, 4, 2], n_alternatives=3, seed=seed,
                                         correlated=correlated, interdependent=interdependent)
    rng = np.random.default_rng(seed)
    transfers = rng.normal(size=(*env.n_types, 3))
    out = [md.DirectMechanism(env, rng.dirichlet(np.ones(3), size=env.n_types), transfers, name="randomized"),
           md.DirectMechanism(env, rng.integers(0, 3, env.n_types), transfers, name="deterministic")]
    if not interdependent:
        out += [md.vcg(env), md.vcg(env, ties="uniform"), md.agv(env, allow_correlated=True)]
    return out


CASES = [(seed, c, i) for seed in (0, 1) for c in (False, True) for i in (False, True)]


def as_dicts(results):
    return [r.to_dict() if hasattr(r, "to_dict") else (r.tolist() if hasattr(r, "tolist") else r) for r in results]


def run_all(mech, **kw):
    out = [audit(mech, **kw) for audit in AUDITS.values()]
    out += [metric(mech, **kw) for metric in METRICS]
    out += [md.check(mech, outside_option=0.1, **kw)]
    out += [u.tolist() for u in md.expected_utilities(mech, **kw)]
    return as_dicts(out)


@pytest.mark.parametrize("seed,correlated,interdependent", CASES)
def test_chunked_equals_unchunked(small_tiles, seed, correlated, interdependent):
    for mech in mechanisms(seed, correlated, interdependent):
        reference = run_all(mech)
        for chunk_size in (1, 7, 30):
            assert run_all(mech, chunk_size=chunk_size) == reference, (mech.name, chunk_size)
        assert run_all(mech, memory_limit=2000) == reference


@pytest.mark.parametrize("seed,correlated,interdependent", CASES[::3])
def test_dask_equals_numpy(small_tiles, dask_client, seed, correlated, interdependent):
    # check() runs every audit and metric kernel (three passes); one Dask task per block.
    for mech in mechanisms(seed, correlated, interdependent):
        reference = md.check(mech, outside_option=0.1).to_dict()
        for chunk_size in (None, 12):
            report = md.check(mech, outside_option=0.1, backend="dask", scheduler=dask_client, chunk_size=chunk_size)
            assert report.to_dict() == reference


def test_chunked_audits_agree_with_brute_force(small_tiles):
    from tests import brute

    for mech in mechanisms(3, True, True):
        assert md.is_dsic(mech, chunk_size=4).violation == pytest.approx(brute.dsic_violation(mech), abs=1e-12)
        assert md.is_bic(mech, chunk_size=4).violation == pytest.approx(brute.bic_violation(mech), abs=1e-12)
        assert md.is_efficient(mech, chunk_size=4).violation == pytest.approx(brute.efficiency_loss(mech), abs=1e-12)


def test_witness_of_tied_gains_is_the_first_in_c_order(small_tiles):
    # Every misreport of every player gains exactly 1 (transfers reward reporting type 1 over 0):
    # the witness must be player 0, others' profile 0, true type 0, report 1 for every block size.
    env = md.examples.random_environment(n_players=3, n_types=2, n_alternatives=1, seed=0)
    transfers = np.zeros((2, 2, 2, 3))
    for i in range(3):
        np.moveaxis(transfers[..., i], i, 0)[1] = 1.0
    mech = md.DirectMechanism(env, np.zeros((2, 2, 2), dtype=int), transfers)
    for chunk_size in (None, 1, 2, 4):
        w = md.is_dsic(mech, chunk_size=chunk_size).witness
        assert (w.player_index, w.true_type_index, w.report_index, w.profile) == (0, 0, 1, (1, 0, 0))


@pytest.mark.parametrize("correlated", [False, True])
@pytest.mark.parametrize("ties", ["lowest", "uniform"])
def test_construction_by_blocks_and_lazily_matches_one_shot(small_tiles, dask_client, correlated, ties):
    env = md.examples.random_environment(n_players=3, n_types=[3, 4, 2], n_alternatives=3, seed=5,
                                         correlated=correlated)
    env = md.Environment(env.players, env.alternatives, [list(range(k)) for k in env.n_types], env.prior,
                         [np.round(u * 2) / 2 for u in env.valuations])        # many ties
    h = [np.random.default_rng(1).normal(size=s) for s in [(4, 2), (3, 2), (3, 4)]]
    assert np.array_equal(md.efficient_decision(env, ties), md.efficient_decision(env, ties, chunk_size=2))
    assert np.array_equal(md.efficient_decision(env, ties),
                          md.efficient_decision(env, ties, backend="dask", scheduler=dask_client))
    for build in (lambda **kw: md.vcg(env, ties=ties, **kw), lambda **kw: md.groves(env, h, ties=ties, **kw)):
        one_shot = build()
        for other in (build(chunk_size=3), build(lazy=True), build(backend="dask", scheduler=dask_client)):
            assert np.array_equal(one_shot.decision, other.decision)
            assert np.array_equal(one_shot.transfers, other.transfers)
    status_quo = md.vcg(env, pivot="status_quo", status_quo=2, ties=ties)
    for other in (md.vcg(env, pivot="status_quo", status_quo=2, ties=ties, lazy=True),
                  md.vcg(env, pivot="status_quo", status_quo=2, ties=ties, chunk_size=4)):
        assert other.name == status_quo.name and np.array_equal(other.transfers, status_quo.transfers)
    agv = md.agv(env, ties=ties, allow_correlated=True)
    blocked = [md.agv(env, ties=ties, allow_correlated=True, **kw)
               for kw in ({"chunk_size": 2}, {"chunk_size": 9}, {"lazy": True})]
    for other in blocked:
        assert np.array_equal(other.decision, agv.decision)
        assert np.array_equal(other.transfers, blocked[0].transfers)      # tile sums: exact across blocks
        np.testing.assert_allclose(other.transfers, agv.transfers, rtol=0, atol=1e-14)


def test_vcg_lazy_refuses_interdependent_values():
    env = md.examples.random_environment(n_players=2, n_types=2, seed=0, interdependent=True)
    with pytest.raises(md.errors.SpecError, match="env: private values"):
        md.vcg(env, lazy=True)


def test_progress_callback_counts_every_block(small_tiles):
    mech = mechanisms(0, False, False)[0]
    calls = []
    md.is_dsic(mech, chunk_size=4, progress=lambda done, total: calls.append((done, total)))
    total = calls[0][1]
    assert total > 3 and calls == [(d, total) for d in range(1, total + 1)]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), n_types=st.lists(st.integers(1, 4), min_size=1, max_size=4),
       correlated=st.booleans(), chunk_size=st.integers(1, 40), tile=st.integers(1, 8))
def test_any_block_size_gives_the_same_report(monkeypatch, seed, n_types, correlated, chunk_size, tile):
    from mechdesign.compute import blocks

    env = md.examples.random_environment(n_players=len(n_types), n_types=n_types, n_alternatives=3, seed=seed,
                                         correlated=correlated)
    rng = np.random.default_rng(seed)
    mech = md.DirectMechanism(env, rng.dirichlet(np.ones(3), size=env.n_types),
                              rng.normal(size=(*env.n_types, env.n_players)))
    monkeypatch.setattr(blocks, "TILE_PROFILES", tile)
    assert md.check(mech, chunk_size=chunk_size).to_dict() == md.check(mech, chunk_size=10**9).to_dict()
