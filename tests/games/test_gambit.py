"""Gambit interoperability (needs pygambit: skipped without the [gambit] extra, a failure under CI=true)."""
import numpy as np
import pytest

from tests import extras

extras.require("gambit")

import pygambit as gbt  # noqa: E402  (after the skip: pygambit is an optional extra)

import mechdesign as md
from mechdesign.errors import SpecError

from tests.games.gametools import random_game, same_profile


def test_efg_round_trip(tmp_path, first_price):
    path = md.write_efg(first_price, tmp_path / "fp.efg")
    back = md.read_efg(path)
    assert np.allclose(back.payoffs, first_price.payoffs)
    assert np.allclose(back.prior.joint(), first_price.prior.joint())
    assert back.players == first_price.players and back.action_labels == first_price.action_labels
    assert back.prior.is_independent
    a = {tuple(map(tuple, e.pure())) for e in md.solve_bne(first_price, method="pure").equilibria}
    b = {tuple(map(tuple, e.pure())) for e in md.solve_bne(back, method="pure").equilibria}
    assert a == b


def test_correlated_round_trip(tmp_path):
    game = random_game(5, k=(2, 3), m=(2, 2), correlated=True)
    back = md.from_gambit(gbt.read_efg(str(md.write_efg(game, tmp_path / "g.efg"))))
    assert not back.prior.is_independent
    assert np.allclose(back.prior.joint(), game.prior.joint(), atol=1e-12)
    assert np.allclose(back.payoffs, game.payoffs)


@pytest.mark.parametrize("seed", range(6))
def test_pygambit_finds_the_same_equilibria(seed):
    game = random_game(40 + seed, k=(2, 2), m=(2, 3) if seed % 2 else (2, 2), correlated=seed >= 3)
    ours = md.solve_bne(game, method="enum").equilibria
    theirs = md.solve_bne(game, method="gambit", options={"algorithm": "enummixed"}).equilibria
    assert len(ours) == len(theirs)
    assert all(any(same_profile(a, b) for b in theirs) for a in ours)
    lcp = md.solve_bne(game, method="gambit").equilibria[0]
    assert any(same_profile(lcp, a) for a in ours)


def test_exported_file_solved_by_gambit_matches(tmp_path):
    game = random_game(77, k=(2, 2), m=(3, 2))
    g = gbt.read_efg(str(md.write_efg(game, tmp_path / "r.efg")))
    result = gbt.nash.lcp_solve(g, rational=False)
    assert result.equilibria
    ours = md.solve_bne(game, method="enum").equilibria
    for profile in result.equilibria:
        strategies = [np.array([[float(profile[a]) for a in inf.actions] for inf in p.infosets]) for p in g.players]
        assert md.verify_bne(game, strategies).epsilon <= 1e-9
        assert any(all(np.allclose(x, y, atol=1e-6) for x, y in zip(strategies, eq.mixed())) for eq in ours)


def test_strategic_form(tmp_path):
    game = random_game(3, k=(2, 2), m=(2, 2))
    g = md.to_gambit(game, form="strategic")
    assert [len(p.strategies) for p in g.players] == [4, 4]
    path = md.write_nfg(game, tmp_path / "g.nfg")
    assert path.read_text().startswith("NFG")
    # ex-ante payoff of the first profile (action 0 for every type) = Σ_θ P(θ) u(θ, 0, 0)
    expected = (game.prior.joint() * game.payoffs[:, :, 0, 0, 0]).sum()
    assert float(g.to_arrays()[0][0, 0]) == pytest.approx(expected)
    back = np.array(g.to_arrays()[1], dtype=float)
    assert back.shape == (4, 4)


def test_three_players_with_logit():
    rng = np.random.default_rng(2)
    game = md.BayesianGame.from_arrays(prior=md.IndependentPrior([[0.5, 0.5]] * 3),
                                       payoffs=rng.normal(size=(2, 2, 2, 2, 2, 2, 3)))
    # logit tracing stops at a small regret (pygambit's maxregret), not an exact equilibrium
    strict = md.solve_bne(game, method="gambit")
    assert strict.status == "failed" and "failed verification" in strict.message
    result = md.solve_bne(game, method="gambit", atol=1e-6)
    assert result.options["algorithm"] is None and "logit" in result.message
    assert result.success and result.equilibria[0].epsilon <= 1e-6
    with pytest.raises(SpecError, match="logit"):
        md.solve_bne(game, method="gambit", options={"algorithm": "lcp"})


def test_read_rejects_other_shapes(tmp_path):
    g = gbt.Game.new_tree(players=["A"], title="no chance")
    g.append_move(g.root, "A", ["x", "y"])
    with pytest.raises(SpecError, match="chance"):
        md.from_gambit(g)
    with pytest.raises(SpecError, match="efg"):
        md.read_efg(tmp_path / "missing.efg")
    with pytest.raises(SpecError, match="form"):
        md.to_gambit(random_game(0), form="sideways")
