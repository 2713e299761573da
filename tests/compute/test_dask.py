"""The Dask backend: options, the scheduler-address path, the embedded cluster, and killed workers.

The address and fault tests share one cluster started here as separate
processes on 127.0.0.1 (``dask scheduler`` + ``dask worker --nworkers 2``),
as a user would on several machines.
"""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

import mechdesign as md
from mechdesign.compute import backends
from mechdesign.errors import SpecError


@pytest.fixture(scope="module")
def address(tmp_path_factory):
    """Start a scheduler and two single-threaded workers on 127.0.0.1; yield the scheduler address."""
    from distributed import Client

    file = tmp_path_factory.mktemp("dask") / "scheduler.json"
    common = ["--no-dashboard"]
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", "0", "--scheduler-file", str(file), *common],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file", str(file),
                                "--host", "127.0.0.1", "--nworkers", "2", "--nthreads", "1", *common],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        addr = None
        while addr is None:          # the scheduler may be seen between creating and filling its file
            try:
                addr = json.loads(file.read_text())["address"]
            except (FileNotFoundError, json.JSONDecodeError, KeyError):
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        with Client(addr, set_as_default=False) as c:
            c.wait_for_workers(2, timeout=60)
        yield addr
    finally:
        backends.close_clients()
        for proc in (workers, scheduler):
            proc.terminate()
            proc.wait(timeout=30)


def mechanism(n_players=4, n_types=5, seed=0):
    env = md.examples.random_environment(n_players=n_players, n_types=n_types, n_alternatives=4, seed=seed,
                                         correlated=True)
    rng = np.random.default_rng(seed)
    return md.DirectMechanism(env, rng.dirichlet(np.ones(4), size=env.n_types), rng.normal(size=(*env.n_types, n_players)))


def kill_one_worker_after(client, n_done):
    """A progress callback that SIGKILLs one worker process once ``n_done`` tasks have finished."""
    pids = sorted(client.run(os.getpid).values())
    state = {"killed": None}

    def progress(done, total):
        if done == n_done and state["killed"] is None:
            os.kill(pids[0], signal.SIGKILL)
            state["killed"] = pids[0]
    return progress, state


def test_scheduler_address_path(address, small_tiles):
    mech = mechanism()
    assert md.check(mech, backend="dask", scheduler=address).to_dict() == md.check(mech).to_dict()
    assert backends.client(address) is backends.client(address)          # one client per address, reused


def test_killed_worker_mid_audit_does_not_change_the_result(address, small_tiles):
    mech = mechanism(n_players=4, n_types=5, seed=1)
    reference = [md.is_bic(mech).to_dict(), md.is_dsic(mech).to_dict()]
    client = backends.client(address)
    progress, state = kill_one_worker_after(client, 10)
    result = [md.is_bic(mech, backend="dask", scheduler=address, chunk_size=25, progress=progress).to_dict(),
              md.is_dsic(mech, backend="dask", scheduler=address, chunk_size=25).to_dict()]
    assert state["killed"] is not None and result == reference
    client.wait_for_workers(2, timeout=60)                               # the nanny restarts it


def slow_revenue(seed):
    time.sleep(0.01)
    env = md.examples.random_environment(n_players=3, n_types=3, n_alternatives=3, seed=seed)
    return {"revenue": md.expected_revenue(md.vcg(env))}


def test_killed_worker_mid_sweep_does_not_change_the_result(address):
    params = {"seed": list(range(80))}
    local = md.sweep(slow_revenue, params)
    client = backends.client(address)
    progress, state = kill_one_worker_after(client, 20)
    remote = md.sweep(slow_revenue, params, backend="dask", scheduler=address, progress=progress)
    assert state["killed"] is not None
    pd.testing.assert_frame_equal(local, remote, check_exact=True)
    client.wait_for_workers(2, timeout=60)


def test_embedded_local_cluster_when_no_scheduler_is_given():
    mech = mechanism(n_players=3)
    try:
        assert md.is_bic(mech, backend="dask").to_dict() == md.is_bic(mech).to_dict()
        c = backends.client(None)
        assert len(c.scheduler_info()["workers"]) == (os.cpu_count() or 1)
    finally:
        backends.close_clients()


def test_dask_block_size_gives_each_worker_several_tasks(dask_client):
    opts = md.compute.compute_options(backend="dask", scheduler=dask_client)
    assert opts.block_profiles(8, 10**6) == 10**6 // (backends.TASKS_PER_WORKER * 2)
    assert md.compute.compute_options(chunk_size=10, backend="dask", scheduler=dask_client).block_profiles(8, 10**6) == 10


@pytest.mark.parametrize("kwargs,message", [
    ({"chunk_size": 0}, "chunk_size: a positive integer"),
    ({"chunk_size": 2.5}, "chunk_size: a positive integer"),
    ({"memory_limit": True}, "memory_limit: a positive integer"),
    ({"backend": "ray"}, "backend: "),
    ({"scheduler": "tcp://127.0.0.1:1"}, 'scheduler: None unless backend="dask"'),
    ({"backend": "dask", "scheduler": 8786}, "scheduler: an address"),
    ({"progress": "yes"}, "progress: None, True"),
])
def test_bad_execution_options_are_named(kwargs, message):
    with pytest.raises(SpecError, match=message):
        md.is_dsic(mechanism(n_players=2, n_types=2), **kwargs)
