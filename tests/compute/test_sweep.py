"""md.sweep: parameter grids, seeding, per-task failures, local vs Dask."""

import numpy as np
import pandas as pd
import pytest

import mechdesign as md
from mechdesign.compute.sweep import task_seeds
from mechdesign.errors import SpecError


def vcg_and_agv(n_players, n_types, seed):
    """Build VCG and AGV on a random environment and return their revenue and welfare."""
    env = md.examples.random_environment(n_players=n_players, n_types=n_types, n_alternatives=3, seed=seed)
    vcg, agv = md.vcg(env), md.agv(env)
    return {"vcg_revenue": md.expected_revenue(vcg), "agv_revenue": md.expected_revenue(agv),
            "welfare": md.expected_welfare(vcg), "vcg_dsic": md.is_dsic(vcg).holds}


def test_grid_of_a_dict_of_lists_in_order():
    table = md.sweep(vcg_and_agv, {"n_players": [2, 3], "n_types": [2, 3], "seed": [0]})
    assert list(table[["n_players", "n_types"]].itertuples(index=False, name=None)) == [(2, 2), (2, 3), (3, 2), (3, 3)]
    assert list(table.columns) == ["n_players", "n_types", "seed", "vcg_revenue", "agv_revenue", "welfare",
                                   "vcg_dsic", "error"]
    assert table["error"].isna().all() and table["vcg_dsic"].all()
    # AGV balances the budget at every profile (seed 003): revenue 0.
    np.testing.assert_allclose(table["agv_revenue"], 0.0, atol=1e-12)
    row = vcg_and_agv(3, 2, 0)
    assert table.iloc[2]["vcg_revenue"] == row["vcg_revenue"]


def test_master_seed_gives_reproducible_independent_task_seeds():
    first = md.sweep(lambda n_types, seed: {"draw": np.random.default_rng(seed).random()},
                     [{"n_types": 2}] * 4, seed=123)
    again = md.sweep(lambda n_types, seed: {"draw": np.random.default_rng(seed).random()},
                     [{"n_types": 2}] * 4, seed=123)
    pd.testing.assert_frame_equal(first, again)
    assert first["seed"].tolist() == task_seeds(123, 4) and first["seed"].nunique() == 4


def test_a_failing_task_does_not_lose_the_others():
    def fragile(x):
        if x == 2:
            raise ValueError("bad x")
        return {"square": x * x} if x != 3 else [x]

    table = md.sweep(fragile, [{"x": x} for x in range(5)])
    assert table["error"].isna().tolist() == [True, True, False, False, True]
    assert table["error"][2] == "ValueError: bad x"
    assert table["error"][3].startswith("TypeError: func must return a dict")
    assert table["square"][4] == 16 and np.isnan(table["square"][2])


def test_progress_callback():
    calls = []
    md.sweep(lambda x: {"x": x}, {"x": [1, 2, 3]}, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_sweep_on_a_two_worker_cluster_equals_the_local_sweep(dask_client):
    params = [{"n_players": 2 + s % 2, "n_types": 2 + s % 3, "seed": s} for s in range(200)]
    local = md.sweep(vcg_and_agv, params)
    remote = md.sweep(vcg_and_agv, params, backend="dask", scheduler=dask_client)
    pd.testing.assert_frame_equal(local, remote, check_exact=True)


@pytest.mark.parametrize("kwargs,message", [
    ({"func": 3, "params": []}, "func: a callable"),
    ({"params": 5}, "params: a list of dicts"),
    ({"params": [{"x": 1}, 2]}, r"params\[1\]: a dict"),
    ({"params": {"x": 3}}, r"params\['x'\]: a list of values"),
    ({"params": [{"x": 1}], "seed": -1}, "seed: a non-negative integer"),
    ({"params": [{"x": 1, "seed": 2}], "seed": 1}, "seed: None when the parameter sets already give 'seed'"),
    ({"params": [{"x": 1}], "seed": 1, "func": lambda x: {}}, "func: a 'seed' parameter"),
    ({"params": [{"x": 1}], "backend": "spark"}, "backend: "),
])
def test_bad_arguments(kwargs, message):
    kwargs = {"func": lambda x, seed=0: {"x": x}, **kwargs}
    with pytest.raises(SpecError, match=message):
        md.sweep(kwargs.pop("func"), kwargs.pop("params"), **kwargs)
