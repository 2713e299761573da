"""The compiled (numba) audit kernels give the numpy reference kernels' results bit for bit.

``MECHDESIGN_KERNELS`` selects the kernels (docs/scale.md, "Compiled kernels"). Every
audit, metric and report of a random mechanism — deterministic and randomized rules,
private and interdependent values, independent and correlated priors, types of
probability zero, stored and lazy mechanisms, VCG/Groves/AGV built block by block — is
computed with both and compared with ``==`` (floats included), for several block sizes,
also with per-type (per-profile) offsets up to 1e12 added to the valuations.
"""

import contextlib
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mechdesign as md
from mechdesign.analysis import passes
from mechdesign.analysis.properties import interim_utilities_table
from mechdesign.compute import backends, blocks, kernels
from mechdesign.errors import SpecError


@contextlib.contextmanager
def kernels_set_to(mode):
    before = os.environ.get("MECHDESIGN_KERNELS")
    os.environ["MECHDESIGN_KERNELS"] = mode
    try:
        yield
    finally:
        if before is None:
            del os.environ["MECHDESIGN_KERNELS"]
        else:
            os.environ["MECHDESIGN_KERNELS"] = before


AUDITS = [
    md.is_dsic, md.is_bic, md.is_efficient,
    lambda m, **kw: md.is_ir(m, "ex_post", outside_option=0.25, **kw),
    lambda m, **kw: md.is_ir(m, "interim", **kw),
    lambda m, **kw: md.is_ir(m, "ex_ante", **kw),
    lambda m, **kw: md.is_budget_balanced(m, "weak", **kw),
    lambda m, **kw: md.is_budget_balanced(m, "strong", **kw),
    lambda m, **kw: md.is_budget_balanced(m, "strong", ex_ante=True, **kw),
]
METRICS = [md.expected_welfare, md.expected_revenue, md.expected_surplus, md.worst_case_deficit]


def everything(mech, **kw):
    """Every audit, metric and table of a mechanism, as plain data."""
    out = [audit(mech, **kw).to_dict() for audit in AUDITS]
    out += [metric(mech, **kw) for metric in METRICS]
    out += [u.tolist() for u in md.expected_utilities(mech, **kw)]
    out += [interim_utilities_table(mech, i, **kw).tolist() for i in range(mech.env.n_players)]
    out.append(md.check(mech, outside_option=0.1, **kw).to_dict())
    return out


def same_bits(a, b):
    """Equal as data, with floats compared bit for bit (nan equal to nan, 0.0 distinct from -0.0)."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_bits(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same_bits(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return np.array(a).tobytes() == np.array(b).tobytes()
    return a == b


@st.composite
def environments(draw):
    n = draw(st.integers(1, 3))
    n_types = [draw(st.integers(1, 4)) for _ in range(n)]
    n_alt = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**31))
    prior_kind = draw(st.sampled_from(["independent", "independent-null", "joint", "joint-null", "product-joint"]))
    interdependent = draw(st.booleans())
    rng = np.random.default_rng(seed)
    if prior_kind.startswith("independent") or prior_kind == "product-joint":
        marginals = [rng.dirichlet(np.ones(k)) for k in n_types]
        if prior_kind == "independent-null":
            for m in marginals:
                if len(m) > 1:
                    m[rng.integers(len(m))] = 0.0
                    m /= m.sum()
        if prior_kind == "product-joint":
            joint = np.ones(())
            for m in marginals:
                joint = np.multiply.outer(joint, m)
            prior = md.JointPrior(joint)
        else:
            prior = md.IndependentPrior(marginals)
    else:
        joint = rng.dirichlet(np.ones(int(np.prod(n_types)))).reshape(n_types)
        if prior_kind == "joint-null" and n_types[0] > 1:
            joint[rng.integers(n_types[0])] = 0.0            # a type of player 0 of probability zero
            joint /= joint.sum()
        prior = md.JointPrior(joint)
    if interdependent:
        valuations = [rng.normal(size=(*n_types, n_alt)) for _ in range(n)]
    else:
        valuations = [rng.normal(size=(k, n_alt)) * 10.0 ** rng.integers(-2, 3) for k in n_types]
    if draw(st.booleans()):
        # offsets c_i(θ) up to 1e12 added to every alternative (docs/concepts.md: incentives remove them)
        valuations = [u + rng.choice([-1.0, 1.0], size=(*u.shape[:-1], 1)) * 10.0 ** rng.uniform(0, 12, size=(*u.shape[:-1], 1))
                      for u in valuations]
    return md.Environment([f"P{i}" for i in range(n)], [f"x{a}" for a in range(n_alt)],
                          [list(range(k)) for k in n_types], prior, valuations), rng


def mechanisms(env, rng):
    """Arbitrary stored and lazy mechanisms on ``env``, and VCG/Groves/AGV built every way."""
    n, shape = env.n_players, env.n_types
    transfers = rng.normal(size=(*shape, n))
    lottery = rng.dirichlet(np.ones(env.n_alternatives), size=shape)
    indices = rng.integers(0, env.n_alternatives, size=shape)
    out = [md.DirectMechanism(env, indices, transfers), md.DirectMechanism(env, lottery, transfers)]

    def table_rule(types):
        grid = np.ix_(*types)
        return indices[grid], transfers[grid]

    out.append(md.LazyDirectMechanism(env, table_rule, name="lazy table"))
    if env.private_values:
        h = [rng.normal(size=[k for j, k in enumerate(shape) if j != i]) for i in range(n)]
        for lazy in (False, True):
            out += [md.vcg(env, lazy=lazy), md.vcg(env, ties="uniform", lazy=lazy), md.groves(env, h, lazy=lazy)]
            if n >= 2:
                out += [md.agv(env, allow_correlated=True, lazy=lazy),
                        md.agv(env, allow_correlated=True, ties="uniform", lazy=lazy)]
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(environments())
def test_compiled_kernels_equal_the_numpy_kernels(small_tiles, drawn):
    env, rng = drawn
    for mech in mechanisms(env, rng):
        with kernels_set_to("numpy"):
            reference = everything(mech)
        with kernels_set_to("numba"):
            for chunk_size in (None, 1, 5):
                calls = []
                progress = (lambda done, total: calls.append(done)) if chunk_size == 5 else None
                assert same_bits(everything(mech, chunk_size=chunk_size, progress=progress), reference), \
                    (mech.name, chunk_size)
                assert calls or progress is None


def test_a_plan_with_served_and_unserved_players_gives_the_same_bits(small_tiles):
    # Blocks of 12 profiles cut the first two axes: players 2 and 3 are read from the shared blocks,
    # players 0 and 1 from their own plans.
    env = md.examples.random_environment(n_players=4, n_types=[3, 2, 4, 3], n_alternatives=3, seed=5,
                                         correlated=True)
    mechs = [md.vcg(env, lazy=True), md.agv(env, allow_correlated=True, lazy=True),
             md.DirectMechanism(env, np.random.default_rng(1).integers(0, 3, env.n_types),
                                np.random.default_rng(2).normal(size=(*env.n_types, 4)))]
    opts = backends.compute_options(chunk_size=12)
    tasks = passes._compiled_tasks(mechs[0], opts, ("dsic",))
    assert {t[0] for t in tasks} == {(2, 3), (0,), (1,)}
    for mech in mechs:
        with kernels_set_to("numpy"):
            reference = everything(mech)
        with kernels_set_to("numba"):
            assert same_bits(everything(mech, chunk_size=12), reference)


def test_compiled_kernels_on_dask_equal_the_numpy_kernels(small_tiles, dask_client):
    env = md.examples.random_environment(n_players=3, n_types=[3, 4, 2], n_alternatives=3, seed=4)
    for mech in (md.vcg(env, lazy=True), md.agv(env, lazy=True), md.vcg(env)):
        with kernels_set_to("numpy"):
            reference = md.check(mech, outside_option=0.1).to_dict()
        with kernels_set_to("numba"):
            for chunk_size in (None, 5):
                report = md.check(mech, outside_option=0.1, backend="dask", scheduler=dask_client,
                                  chunk_size=chunk_size)
                assert same_bits(report.to_dict(), reference)


def test_compiled_block_functions_equal_the_numpy_block_functions():
    rng = np.random.default_rng(3)
    for seed in range(3):
        env = md.examples.random_environment(n_players=3, n_types=[3, 4, 2], n_alternatives=4, seed=seed,
                                             correlated=seed == 2)
        h = [rng.normal(size=[k for j, k in enumerate(env.n_types) if j != i]) for i in range(3)]
        for mech in (md.vcg(env, lazy=True), md.groves(env, h, lazy=True), md.agv(env, lazy=True, allow_correlated=True),
                     md.agv(env, lazy=True, allow_correlated=True, ties="uniform")):
            for region in [tuple(slice(0, k) for k in env.n_types), (slice(1, 2), slice(0, 4), slice(0, 2)),
                           (slice(0, 3), slice(2, 3), slice(1, 2))]:
                indices, lottery, transfers = mech.block(region)
                view = mech.block_view(region, (0, 1, 2), compiled=True)
                if indices is not None:
                    assert view.lottery is None and np.array_equal(view.indices, indices)
                else:
                    assert view.indices is None and np.array_equal(view.lottery, lottery)
                for i in range(3):
                    assert np.array_equal(view.money(i), transfers[..., i])


def test_a_lazy_groves_with_unrepresentable_transfers_fails_clearly_with_either_kernels():
    env = md.Environment(["A", "B", "C"], ["x", "y"], [[0, 1]] * 3, valuations=[[[1.0, 0.0], [6e299, 0.0]]] * 3)
    mech = md.groves(env, [np.zeros((2, 2))] * 3, lazy=True)       # at (1, 1, 1) m_i = 6e299 + 6e299
    for mode in ("numpy", "numba"):
        with kernels_set_to(mode), pytest.raises(SpecError, match="magnitude at most"):
            md.is_dsic(mech)


def test_the_kernels_variable_is_validated_and_auto_uses_compiled_kernels_only_for_large_passes(monkeypatch):
    monkeypatch.setenv("MECHDESIGN_KERNELS", "fortran")
    with pytest.raises(SpecError, match="MECHDESIGN_KERNELS"):
        md.is_dsic(md.vcg(md.examples.public_project()))
    monkeypatch.setenv("MECHDESIGN_KERNELS", "auto")
    opts = backends.compute_options()
    assert not opts.compiled(10) and opts.compiled(backends.COMPILED_MIN_WORK)
    for mode, expected in (("numba", True), ("numpy", False)):
        monkeypatch.setenv("MECHDESIGN_KERNELS", mode)
        assert backends.compute_options().compiled(1) is expected and \
            backends.compute_options().compiled(10**12) is expected


@pytest.mark.parametrize("n", list(range(1, 300)) + [1000, 1024, 1031, 4096, 9001])
def test_streaming_pairwise_sums_are_numpys_sums(n):
    # numpy's reduction: 0.0 + pairwise sum (blocks of 128 with 8 accumulators); a numpy release
    # that changed it would fail here, and the kernels would be adapted.
    rng = np.random.default_rng(n)
    values = rng.normal(size=(n, 3)) * 10.0 ** rng.integers(-8, 8, size=(n, 3))
    values[rng.random((n, 3)) < 0.2] = 0.0
    values[:, 2] = -0.0 if n % 2 else values[:, 2]
    for tile in {1, n} | {d for d in (2, 3, 8, 9, 128, 129, 1000) if n % d == 0}:
        ours, numpys = kernels.tile_sums(values, tile), blocks.tile_sums(values, tile)
        assert ours.tobytes() == numpys.tobytes(), tile
    rows = np.ascontiguousarray(values.T)                 # numpy sums a contiguous run pairwise
    assert kernels.tile_sums(values, n)[0].tobytes() == rows.sum(axis=1).tobytes()
