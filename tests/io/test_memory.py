"""Size before allocation (issue "Trust" §3)."""

import pytest

from mechdesign.errors import SpecError
from mechdesign.io import memory
from mechdesign.io.spec import build_mechanism, parse_spec


def big_spec(n_players=10, n_types=1000):
    players = [f"P{i}" for i in range(n_players)]
    return {"players": players, "alternatives": ["x", "y"],
            "types": {p: list(range(n_types)) for p in players},
            "valuations": {p: [[0, 1]] * n_types for p in players}, "mechanism": {"kind": "vcg"}}


def test_budget_from_the_environment(monkeypatch):
    monkeypatch.setenv("MECHDESIGN_MEMORY_LIMIT", "512MiB")
    assert memory.memory_budget() == 512 * 2**20
    monkeypatch.setenv("MECHDESIGN_MEMORY_LIMIT", "2GB")
    assert memory.memory_budget() == 2 * 10**9
    monkeypatch.setenv("MECHDESIGN_MEMORY_LIMIT", "lots")
    with pytest.raises(SpecError, match="MECHDESIGN_MEMORY_LIMIT"):
        memory.memory_budget()
    monkeypatch.delenv("MECHDESIGN_MEMORY_LIMIT")
    assert memory.memory_budget() > 2**28


def test_estimates_are_exact_python_integers():
    # 1000**10 profiles overflow int64; the estimate must not
    assert memory.dense_mechanism_bytes([1000] * 10, 2, 10) == 8 * 1000**10 * (3 * 2 + 2 * 10 + 2)
    assert memory.game_bytes([2, 2], [3, 3], 2) == 2 * 8 * 4 * 9 * 2
    assert memory.format_bytes(1536) == "1.5 KiB" and memory.format_bytes(10**30).endswith("bytes")


def test_ten_players_with_a_thousand_types_each_is_refused_with_the_estimate():
    spec = parse_spec(big_spec())
    with pytest.raises(SpecError, match=r"types: at most 4.61e\+18 type profiles .* \(got 10 players × 1,000 types"):
        build_mechanism(spec)
    with pytest.raises(SpecError, match=r"types: at most 4.61e\+18"):
        build_mechanism(spec, lazy=True)


def test_too_large_for_memory_suggests_chunking(monkeypatch):
    monkeypatch.setenv("MECHDESIGN_MEMORY_LIMIT", "1MiB")
    spec = parse_spec(big_spec(n_players=3, n_types=100))
    with pytest.raises(SpecError, match=r"types: a problem that fits in 1 MiB of memory \(got an estimated .* MiB "
                                        r"for 100 × 100 × 100 = 1000000 type profiles × 2 alternatives\); "
                                        r"use --chunk-size"):
        build_mechanism(spec)
    assert build_mechanism(spec, lazy=True).env.n_profiles == 10**6      # lazily: no dense arrays
