"""Lazy mechanisms: audited block by block, never materialised."""

import tracemalloc

import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import SpecError


@pytest.mark.slow
@pytest.mark.parametrize("kernels", ["numpy", "numba"])
def test_lazy_vcg_on_a_million_profiles_never_allocates_a_profile_array(kernels, monkeypatch):
    # 6 players x 10 types = 10^6 profiles; one float64 array over the profiles is 8 MB.
    # Blocks of one tile (1000 others' profiles x 10 own types) keep the peak near 3.5 MB.
    monkeypatch.setenv("MECHDESIGN_KERNELS", kernels)
    env = md.examples.random_environment(n_players=6, n_types=10, n_alternatives=3, seed=11)
    mech = md.vcg(env, lazy=True)
    small = md.vcg(md.examples.random_environment(n_players=2, n_types=2, n_alternatives=3, seed=1), lazy=True)
    md.is_dsic(small), md.is_bic(small)        # loads the compiled code (not the audit's memory)
    tracemalloc.start()
    try:
        dsic = md.is_dsic(mech, chunk_size=5_000)
        bic = md.is_bic(mech, chunk_size=5_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 10**6 / 2, f"peak {peak / 1e6:.1f} MB"
    # VCG is DSIC and hence BIC (Tadelis 14.3): the violations are rounding noise.
    assert dsic.holds and bic.holds and dsic.violation < 1e-12 and bic.violation < 1e-12
    assert mech._materialized is None


def test_lazy_audit_equals_materialised_audit_and_finds_a_violation(small_tiles):
    env = md.examples.random_environment(n_players=3, n_types=[2, 3, 4], n_alternatives=3, seed=2,
                                         correlated=True)
    rng = np.random.default_rng(0)
    table = rng.integers(0, 3, env.n_types)
    money = rng.normal(size=(*env.n_types, 3))

    def rule(types):
        grid = np.ix_(*types)
        return table[grid], money[grid]

    lazy = md.LazyDirectMechanism(env, rule, name="table")
    eager = md.DirectMechanism(env, table, money, name="table")
    assert md.check(lazy, chunk_size=5).to_dict() == md.check(eager).to_dict()
    assert not md.is_dsic(lazy).holds
    assert np.array_equal(lazy.transfers, money) and np.array_equal(lazy.decision_indices, table)
    assert lazy.outcome((1, 2, 3)).alternative == env.alternatives[table[1, 2, 3]]
    assert lazy.is_deterministic and "LazyDirectMechanism" in repr(lazy)


def test_lazy_randomized_rule():
    env = md.examples.random_environment(n_players=2, n_types=3, n_alternatives=2, seed=4)
    lottery = np.random.default_rng(1).dirichlet(np.ones(2), size=(3, 3))
    lazy = md.LazyDirectMechanism(env, lambda types: (lottery[np.ix_(*types)], np.zeros((len(types[0]), len(types[1]), 2))))
    assert not lazy.is_deterministic
    np.testing.assert_array_equal(lazy.outcome((2, 1)).lottery, lottery[2, 1])
    assert md.is_bic(lazy).to_dict() == md.is_bic(md.DirectMechanism(env, lottery, np.zeros((3, 3, 2)))).to_dict()


def _env():
    return md.examples.random_environment(n_players=2, n_types=2, n_alternatives=2, seed=0)


@pytest.mark.parametrize("func,message", [
    (lambda t: (np.zeros((2, 2), int), np.zeros((2, 2))), "transfers of shape"),
    (lambda t: (np.zeros((2, 2), int), np.full((len(t[0]), len(t[1]), 2), np.nan)), "finite transfers"),
    (lambda t: (np.full((len(t[0]), len(t[1])), 5), np.zeros((len(t[0]), len(t[1]), 2))), "alternative indices"),
    (lambda t: (np.zeros((len(t[0]), 3), int), np.zeros((len(t[0]), len(t[1]), 2))), "decision indices of shape"),
    (lambda t: (np.full((len(t[0]), len(t[1]), 2), 0.7), np.zeros((len(t[0]), len(t[1]), 2))), "summing to 1"),
    (lambda t: (np.zeros((len(t[0]), len(t[1]), 3)), np.zeros((len(t[0]), len(t[1]), 2))), "a lottery of shape"),
    (lambda t: 1 / 0, "ZeroDivisionError"),
])
def test_bad_block_functions_are_named(func, message):
    with pytest.raises(SpecError, match=message):
        md.is_dsic(md.LazyDirectMechanism(_env(), func), chunk_size=1)


def test_lazy_needs_an_environment_and_a_callable():
    with pytest.raises(SpecError, match="env: an Environment"):
        md.LazyDirectMechanism("env", lambda t: None)
    with pytest.raises(SpecError, match="func: a callable"):
        md.LazyDirectMechanism(_env(), 3)
