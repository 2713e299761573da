"""Cross-method checks on random small 2-player Bayesian games: lcp, enum and pygambit agree."""

import numpy as np
import pytest

import mechdesign as md
from tests.extras import needs
from tests.games.gametools import random_game


def same(a, b, tol=1e-6):
    return all(np.allclose(np.asarray(x, float), np.asarray(y, float), atol=tol) for x, y in zip(a, b))


def mixed(eq, game):
    return [np.asarray(s, float) for s in eq.mixed()]


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("correlated", [False, True])
def test_lcp_equilibrium_is_listed_by_enum(seed, correlated):
    game = random_game(seed, correlated=correlated)
    lcp = md.solve_bne(game, method="lcp")
    enum = md.solve_bne(game, method="enum")
    assert lcp.status == "success" and enum.status == "success"
    found = mixed(lcp.equilibria[0], game)
    assert md.verify_bne(game, found).epsilon <= 1e-9
    assert any(same(found, mixed(e, game)) for e in enum.equilibria)
    # every pure BNE is among the extreme equilibria enum lists
    for e in md.solve_bne(game, method="pure").equilibria:
        assert any(same(mixed(e, game), mixed(f, game)) for f in enum.equilibria)


@pytest.mark.parametrize("seed", range(4))
def test_larger_lcp_verifies(seed):
    game = random_game(100 + seed, k=(4, 3), m=(3, 4), correlated=bool(seed % 2))
    res = md.solve_bne(game, method="lcp")
    assert res.status == "success" and res.equilibria[0].epsilon <= 1e-9


@needs("gambit")
@pytest.mark.parametrize("seed", range(4))
def test_pygambit_finds_the_equilibria_enum_lists(seed):
    game = random_game(200 + seed)
    ours = [mixed(e, game) for e in md.solve_bne(game, method="enum").equilibria]
    theirs = md.solve_bne(game, method="gambit", options={"algorithm": "enummixed"})
    assert theirs.status == "success"
    found = [mixed(e, game) for e in theirs.equilibria]
    assert all(any(same(f, o) for o in ours) for f in found)
    assert all(any(same(o, f) for f in found) for o in ours)
    lcp = md.solve_bne(game, method="gambit", options={"algorithm": "lcp"})
    assert any(same(mixed(lcp.equilibria[0], game), o) for o in ours)


@needs("gambit")
def test_exported_efg_reads_back_and_gambit_solves_it(tmp_path):
    game = random_game(7, k=(2, 3), m=(2, 2))
    path = md.write_efg(game, tmp_path / "game.efg")
    back = md.read_efg(path)
    np.testing.assert_allclose(np.asarray(back.payoffs), np.asarray(game.payoffs), atol=1e-9)
    np.testing.assert_allclose(back.prior.joint(), game.prior.joint(), atol=1e-9)
    import pygambit as gbt

    g = gbt.read_efg(str(path))
    eqs = gbt.nash.lcp_solve(g, rational=False).equilibria
    assert len(eqs) >= 1
    nfg = md.write_nfg(game, tmp_path / "game.nfg")
    assert gbt.read_nfg(str(nfg)).title is not None
