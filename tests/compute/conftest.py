"""Shared fixtures for the compute tests: one in-process 2-worker Dask cluster per session."""

import pytest


@pytest.fixture(scope="session")
def dask_client():
    """A 2-worker LocalCluster in this process (threads: cheap to start; results are what is tested)."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        with Client(cluster, set_as_default=False) as client:
            yield client


@pytest.fixture
def small_tiles(monkeypatch):
    """Tiles of at most 3 profiles, so that small environments split into many blocks."""
    from mechdesign.compute import blocks

    monkeypatch.setattr(blocks, "TILE_PROFILES", 3)
