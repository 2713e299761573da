"""solve_bne with the learning methods: verification, cross-method agreement (lcp, enum, pygambit)."""
import json

import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import SpecError
from tests.games.gametools import random_game, same_profile

LEARNING = ("dual_averaging", "mirror_ascent", "frank_wolfe", "fictitious_play")


@pytest.fixture(scope="module")
def three_bidders():
    """The issue's 3-bidder discrete first-price auction: values 0..3 uniform, bids 0..5, ties split."""
    mech = md.examples.first_price_auction(bids=[0, 1, 2, 3, 4, 5], values=[0, 1, 2, 3], n_bidders=3)
    return md.BayesianGame.from_mechanism(mech)


@pytest.mark.parametrize("method", LEARNING)
def test_three_bidder_first_price_learned_exactly(three_bidders, method):
    res = md.solve_bne(three_bidders, method=method)
    assert res.status == "success" and res.method == method
    eq = res.equilibria[0]
    assert eq.epsilon == md.verify_bne(three_bidders, eq.strategies).epsilon == 0.0
    # the pure search lists every pure BNE: the learned one is among them (here it is the only one)
    pure = md.solve_bne(three_bidders, method="pure")
    assert any(same_profile(eq, other) for other in pure.equilibria)
    d = res.diagnostics
    assert d["mode"] == "aggregate" and d["polish"]["kind"] in ("pure", "none")
    assert len(d["history"]["epsilon"]) == d["iterations"] + 1
    json.dumps(res.to_dict())                                       # JSON-ready


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("method", LEARNING)
def test_random_two_player_games_polished_equilibria_verify(seed, method):
    game = random_game(seed, k=(2 + seed % 2, 2), m=(3, 2 + seed % 2), correlated=seed % 3 == 2)
    res = md.solve_bne(game, method=method, options={"iterations": 3000})
    eq = res.equilibria[0]
    assert res.status == "success", (res.message, res.diagnostics["polish"])
    assert eq.epsilon <= 1e-9 and eq.epsilon == md.verify_bne(game, eq.strategies).epsilon


@pytest.mark.parametrize("seed", [6, 10, 14, 27])
def test_unique_equilibrium_matches_lcp(seed):
    # support enumeration lists every equilibrium of these (generic) games: exactly one here, so every
    # method must find that one (10, 14 and 27 are mixed)
    k, m = ((2, 2) if seed % 2 else (2, 3)), ((3, 2) if seed % 3 else (2, 3))
    game = random_game(seed, k=k, m=m, correlated=seed % 5 == 4)
    everything = md.solve_bne(game, method="enum")
    assert len(everything.equilibria) == 1
    lcp = md.solve_bne(game, method="lcp").equilibria[0]
    assert same_profile(lcp, everything.equilibria[0])
    for method in LEARNING:
        res = md.solve_bne(game, method=method)
        assert res.status == "success" and same_profile(res.equilibria[0], lcp, atol=1e-7), method


def test_correlated_interdependent_game_uses_the_full_payoffs():
    rng = np.random.default_rng(4)
    prior = md.JointPrior(rng.dirichlet(np.ones(8)).reshape(2, 2, 2))
    game = md.BayesianGame.from_arrays(prior=prior, payoffs=rng.normal(size=(2, 2, 2, 2, 2, 2, 3)))
    res = md.solve_bne(game, method="frank_wolfe")
    assert res.diagnostics["mode"] == "full"
    assert res.equilibria[0].epsilon == md.verify_bne(game, res.equilibria[0].strategies).epsilon
    if res.status == "success":
        assert res.equilibria[0].epsilon <= 1e-6


def test_iteration_limit_still_returns_the_profile_with_its_exact_epsilon():
    game = random_game(16, k=(3, 2), m=(2, 3))
    res = md.solve_bne(game, method="fictitious_play", options={"iterations": 3, "polish": False})
    eq = res.equilibria[0]
    assert res.status == "iteration_limit" and eq.epsilon > 1e-6
    assert eq.epsilon == md.verify_bne(game, eq.strategies).epsilon
    assert res.diagnostics["iterations"] == 3 and res.diagnostics["polish"]["kind"] == "none"


def test_learning_options_are_validated():
    game = random_game(0)
    with pytest.raises(SpecError, match="options"):
        md.solve_bne(game, method="dual_averaging", options={"speed": 3})
    with pytest.raises(SpecError, match="options"):
        md.solve_bne(game, method="frank_wolfe", options={"regularizer": "entropic"})
    with pytest.raises(SpecError, match="iterations"):
        md.solve_bne(game, method="mirror_ascent", options={"iterations": 0.5})
    calls = []
    md.solve_bne(game, method="dual_averaging", progress=lambda done, total: calls.append(done))
    assert calls


# ---------------------------------------------------------------- against pygambit (3 players)
def _three_player(seed):
    rng = np.random.default_rng(seed)
    prior = md.IndependentPrior([rng.dirichlet(np.ones(2)) for _ in range(3)])
    return md.BayesianGame.from_arrays(prior=prior, payoffs=rng.normal(size=(2, 2, 2, 2, 2, 2, 3)))


def _behaviour(game, profile, infosets):
    import pygambit as gbt

    if isinstance(profile, gbt.MixedStrategyProfile):
        profile = profile.as_behavior()
    return tuple(np.array([[float(profile[a]) for a in infosets[i][t].actions] for t in range(game.n_types[i])])
                 for i in range(game.n_players))


@pytest.mark.parametrize("seed", [1, 2, 7, 11])
def test_three_player_games_match_pygambit(seed):
    # 3-player games with 2 types x 2 actions each, on the Harsanyi tree: pygambit's gnm, ipa and logit
    # (three different algorithms) each return one and the same equilibrium here (mixed for seeds 1, 2 and 11);
    # every learning method that reports success must return that one, and most must succeed.
    gbt = pytest.importorskip("pygambit")
    from mechdesign.games.gambit import _tree

    game = _three_player(seed)
    tree, infosets = _tree(game, gbt, "test")
    reference = None
    for solver in (gbt.nash.gnm_solve, gbt.nash.ipa_solve, gbt.nash.logit_solve):
        found = solver(tree).equilibria
        assert len(found) == 1
        theirs = _behaviour(game, found[0], infosets)
        assert md.verify_bne(game, theirs).epsilon <= 1e-6
        reference = reference or theirs
        assert all(np.allclose(a, b, atol=1e-5) for a, b in zip(theirs, reference))
    successes = 0
    for method in LEARNING:
        res = md.solve_bne(game, method=method, options={"iterations": 5000})
        if res.status == "success":
            successes += 1
            assert res.equilibria[0].epsilon <= 1e-9
            assert all(np.allclose(a, b, atol=1e-5) for a, b in zip(res.equilibria[0].mixed(), reference)), method
    assert successes >= 3


@pytest.mark.parametrize("seed", [3, 6])
def test_three_player_games_with_several_equilibria_all_verify(seed):
    # here gnm finds three equilibria: ours need not be one of pygambit's, but it must verify
    gbt = pytest.importorskip("pygambit")
    from mechdesign.games.gambit import _tree

    game = _three_player(seed)
    tree, infosets = _tree(game, gbt, "test")
    for profile in gbt.nash.gnm_solve(tree).equilibria:
        assert md.verify_bne(game, _behaviour(game, profile, infosets)).epsilon <= 1e-6
    for method in LEARNING:
        res = md.solve_bne(game, method=method)
        assert res.status == "success" and res.equilibria[0].epsilon <= 1e-9


def test_symmetric_players_reduced_to_one_agent():
    # all-pay auction, 3 bidders, values 0..3, bids 0..3: no pure symmetric equilibrium here; the shared
    # strategy is learned by one agent (class of 3) and polished by Newton with central differences
    from mechdesign.games.learning import is_symmetric

    mech = md.examples.all_pay_auction(bids=[0, 1, 2, 3], values=[0, 1, 2, 3], n_bidders=3)
    game = md.BayesianGame.from_mechanism(mech)
    assert is_symmetric(game)
    res = md.solve_bne(game, method="dual_averaging", options={"symmetric": True})
    eq = res.equilibria[0]
    assert res.status == "success" and res.diagnostics["symmetric"]
    assert eq.epsilon <= 1e-9 and eq.epsilon == md.verify_bne(game, eq.strategies).epsilon
    assert all(np.array_equal(s, eq.strategies[0]) for s in eq.strategies)
    asymmetric = random_game(0)
    assert not is_symmetric(asymmetric)
    with pytest.raises(SpecError, match="symmetric"):
        md.solve_bne(asymmetric, method="dual_averaging", options={"symmetric": True})
