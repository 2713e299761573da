"""method="pure": the pruned search lists exactly what the exhaustive search and brute force list."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mechdesign as md
from mechdesign.games.pure import surviving_actions
from tests.games.gametools import brute_force_pure


def listed(result):
    return sorted(tuple(tuple(int(a) for a in s) for s in eq.pure()) for eq in result.equilibria)


def tied_game(seed, n):
    """Random game with small integer payoffs (many ties), random sizes, sometimes a null type."""
    rng = np.random.default_rng(seed)
    k = tuple(int(x) for x in rng.integers(1, 4, size=n))
    m = tuple(int(x) for x in rng.integers(1, 4, size=n))
    payoffs = rng.integers(-2, 3, size=(*k, *m, n)).astype(float)
    if seed % 2:
        prior = md.JointPrior(rng.dirichlet(np.ones(int(np.prod(k)))).reshape(k))
    else:
        marginals = [rng.dirichlet(np.ones(kk)) for kk in k]
        if seed % 4 == 0 and k[0] > 1:
            marginals[0][0] = 0.0
            marginals[0] /= marginals[0].sum()
        prior = md.IndependentPrior(marginals)
    return md.BayesianGame.from_arrays(prior=prior, payoffs=payoffs)


@pytest.mark.parametrize("seed", range(40))
def test_pruned_equals_exhaustive_on_random_games(seed):
    game = tied_game(seed, n=2 + seed % 2)
    pruned = md.solve_bne(game, method="pure")
    exhaustive = md.solve_bne(game, method="pure", options={"search": "exhaustive"})
    assert listed(pruned) == listed(exhaustive)
    assert pruned.status == exhaustive.status


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.sampled_from([2, 3]))
def test_pruned_equals_brute_force(seed, n):
    game = tied_game(seed, n)
    reference = brute_force_pure(game)           # loops over every profile (independent code)
    assert set(listed(md.solve_bne(game, method="pure"))) == {tuple(tuple(s) for s in p) for p in reference}


def test_elimination_keeps_every_equilibrium_action_and_prunes_overbidding():
    mech = md.examples.first_price_auction(bids=[0, 1, 2, 3, 4, 5], values=[0, 1, 2, 3], n_bidders=3)
    game = md.BayesianGame.from_mechanism(mech)
    alive = surviving_actions(game, 1e-9)
    # no type ever bids above her value in what survives (bidding b > v loses money whenever it wins)
    for mask in alive:
        for value, row in enumerate(mask):
            assert not row[value + 1:].any()
    result = md.solve_bne(game, method="pure")          # 1.7 million profiles before elimination: now instant
    assert result.status == "success"
    for eq in result.equilibria:
        for i, s in enumerate(eq.pure()):
            assert all(alive[i][t, a] for t, a in enumerate(s))
    assert "elimination left" in result.message


def test_one_player_game_lists_her_best_responses():
    payoffs = np.array([[[1.0], [1.0], [0.0]], [[0.0], [2.0], [2.0]]])        # (k=2, m=3, N=1)
    game = md.BayesianGame.from_arrays(prior=md.IndependentPrior([[0.5, 0.5]]), payoffs=payoffs)
    expected = sorted(((a, b),) for a, b in itertools.product([0, 1], [1, 2]))
    assert listed(md.solve_bne(game, method="pure")) == expected


def test_null_types_may_play_anything():
    rng = np.random.default_rng(0)
    payoffs = rng.normal(size=(2, 2, 2, 2, 2))
    game = md.BayesianGame.from_arrays(prior=md.IndependentPrior([[1.0, 0.0], [0.5, 0.5]]), payoffs=payoffs)
    found = listed(md.solve_bne(game, method="pure"))
    assert found == listed(md.solve_bne(game, method="pure", options={"search": "exhaustive"}))
    # every equilibrium comes in both versions of the null type's action
    assert len(found) % 2 == 0 and {s[0][1] for s in found} <= {0, 1}


def test_unknown_search_is_a_spec_error():
    with pytest.raises(md.errors.SpecError, match="search"):
        md.solve_bne(tied_game(0, 2), method="pure", options={"search": "greedy"})
