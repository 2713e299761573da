"""The fast paths of method "lcp" and of verify_bne against independent references (no timing here).

* verify_bne's two-player interim payoffs (batched matrix products) and its vectorised choice of the
  worst / failing deviation, against plain loops over type and action profiles;
* the one-pass validation of float strategies keeps the full check's messages;
* equilibria of "lcp" (first path alone, or a race) are Nash equilibria of the ex-ante strategic form
  built here independently (Harsanyi 1967: a BNE is a Nash equilibrium of the strategic form; Kuhn's
  theorem maps behaviour to mixed strategies), and pygambit's equilibrium passes verify_bne;
* worker processes that are not ready never hold the race up.
"""

import itertools

import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import SpecError
from tests.extras import needs
from tests.games.gametools import random_game


def loop_interim(game, i, sigma):
    """U[t, a] of player i by loops: Σ_θ-i P(θ_-i | t) Σ_a-i σ_-i(a_-i | θ_-i) u_i(θ, a) (0 at null types)."""
    n = game.n_players
    joint = np.asarray(game.prior.joint())
    payoffs = np.asarray(game.payoffs)
    out = np.zeros((game.n_types[i], game.n_actions[i]))
    for theta in itertools.product(*(range(k) for k in game.n_types)):
        weight = joint[theta]
        if weight == 0:
            continue
        for actions in itertools.product(*(range(m) for m in game.n_actions)):
            p = weight
            for j in range(n):
                if j != i:
                    p *= sigma[j][theta[j], actions[j]]
            out[theta[i], actions[i]] += p * payoffs[(*theta, *actions, i)]
    mass = joint.sum(axis=tuple(j for j in range(n) if j != i))
    return np.where(mass[:, None] > 0, out / np.where(mass > 0, mass, 1.0)[:, None], 0.0)


def random_profile(rng, game):
    return [rng.dirichlet(np.ones(m), k) for k, m in zip(game.n_types, game.n_actions)]


@pytest.mark.parametrize("seed", range(6))
def test_interim_payoffs_and_gains_match_loops(seed):
    rng = np.random.default_rng(seed)
    n = 2 if seed < 4 else 3
    k = tuple(int(x) for x in rng.integers(1, 4, size=n))
    m = tuple(int(x) for x in rng.integers(2, 4, size=n))
    joint = rng.dirichlet(np.ones(int(np.prod(k)))).reshape(k)
    if seed % 2 and k[0] > 1:
        joint[0] = 0.0                                  # a null type of player 0
        joint /= joint.sum()
    prior = md.JointPrior(joint) if seed % 3 else md.IndependentPrior(
        [joint.sum(axis=tuple(j for j in range(n) if j != i)) for i in range(n)])
    game = md.BayesianGame.from_arrays(prior=prior, payoffs=rng.normal(size=(*k, *m, n)) + 1e3)
    sigma = random_profile(rng, game)
    check = md.verify_bne(game, sigma)
    for i in range(n):
        reference = loop_interim(game, i, sigma)
        mass = np.asarray(prior.marginal(i))
        # at a null type a product prior still defines the belief (the others' marginals); the gains there are 0
        rows = mass > 0 if prior.is_independent else slice(None)
        np.testing.assert_allclose(game.interim_payoffs(i, sigma)[rows], reference[rows], atol=1e-9)
        gain = np.where(mass > 0, reference.max(axis=1) - (reference * sigma[i]).sum(axis=1), 0.0)
        np.testing.assert_allclose(check.gains[i], np.maximum(gain, 0.0), atol=1e-9)
        for t, dev in enumerate(check.deviations[i]):
            assert (dev.player_index, dev.type_index) == (i, t)
            assert dev.action_index == int(np.argmax(game.interim_payoffs(i, sigma)[t]))
    flat = [(d.gain, d.player_index, d.type_index) for row in check.deviations for d in row]
    assert check.epsilon == max(g for g, _, _ in flat)
    first_largest = next(d for row in check.deviations for d in row if d.gain == check.epsilon)
    assert check.holds is False and check.worst == first_largest   # a random profile is no equilibrium


def test_the_failing_deviation_is_the_largest_above_its_own_players_tolerance():
    # player 0's payoff differences are 1e6 times larger, so is her tolerance (~1e-3): her gain 5e-4
    # passes while player 1's gain 1e-6 fails; epsilon is player 0's gain, the reported deviation
    # player 1's (the rule of the loop this replaced)
    payoffs = np.zeros((1, 1, 3, 2, 2))
    payoffs[0, 0, 0, :, 0] = 1e6
    payoffs[0, 0, 1, :, 0] = 1e6 + 5e-4
    payoffs[0, 0, :, 1, 1] = 1.0
    game = md.BayesianGame.from_arrays(prior=md.IndependentPrior([[1.0], [1.0]]), payoffs=payoffs)
    sigma = [np.array([[1.0, 0.0, 0.0]]), np.array([[1e-6, 1.0 - 1e-6]])]
    check = md.verify_bne(game, sigma)
    gains = [float(g[0]) for g in check.gains]
    assert gains[0] == pytest.approx(5e-4, rel=1e-5) and gains[1] == pytest.approx(1e-6, rel=1e-5)
    assert gains[0] < check.tolerances[0] and gains[1] > check.tolerances[1]
    assert not check.holds and check.worst.player_index == 1 and check.worst.action_index == 1
    assert check.epsilon == gains[0] and check.tolerance == check.tolerances[1]
    assert md.verify_bne(game, [np.array([[1.0, 0.0, 0.0]]), np.array([[0.0, 1.0]])]).holds  # 5e-4 is tolerated


@pytest.mark.parametrize("bad, message", [
    ([[0.5, 0.6], [0.5, 0.5]], "probabilities must sum to 1"),
    ([[-0.5, 1.5], [0.5, 0.5]], "non-negative probabilities"),
    ([[np.nan, 1.0], [0.5, 0.5]], "finite numbers"),
    ([[np.inf, 1.0], [0.5, 0.5]], "finite numbers"),
])
def test_float_strategies_keep_the_full_checks_messages(bad, message):
    game = random_game(3)
    with pytest.raises(SpecError, match=rf"strategies\[0\] \(player 'P0'\): .*{message}"):
        md.verify_bne(game, [np.array(bad), np.full((2, 2), 0.5)])
    # a valid profile off by rounding is renormalised, as before
    sigma = game.check_strategies([np.array([[0.3, 0.7 + 1e-12], [1.0, 0.0]]), np.full((2, 2), 0.5)])
    np.testing.assert_allclose(sigma[0].sum(axis=1), 1.0, atol=1e-15)


def strategic_form(game):
    """Ex-ante bimatrix over pure strategies (one action per type), by loops over the joint prior."""
    joint = np.asarray(game.prior.joint())
    payoffs = np.asarray(game.payoffs)
    spaces = [list(itertools.product(range(m), repeat=k)) for k, m in zip(game.n_types, game.n_actions)]
    A = np.zeros((len(spaces[0]), len(spaces[1])))
    B = np.zeros_like(A)
    for r, s1 in enumerate(spaces[0]):
        for c, s2 in enumerate(spaces[1]):
            for t1, t2 in itertools.product(range(game.n_types[0]), range(game.n_types[1])):
                A[r, c] += joint[t1, t2] * payoffs[t1, t2, s1[t1], s2[t2], 0]
                B[r, c] += joint[t1, t2] * payoffs[t1, t2, s1[t1], s2[t2], 1]
    return A, B, spaces


def mixed_from_behaviour(behaviour, space):
    """Kuhn: the product distribution over pure strategies."""
    return np.array([np.prod([behaviour[t, a] for t, a in enumerate(s)]) for s in space])


@pytest.mark.parametrize("seed, size, workers", [(0, (2, 2), 1), (1, (3, 2), 2), (2, (2, 3), 1), (3, (3, 3), 2)])
def test_lcp_equilibria_are_nash_equilibria_of_the_strategic_form(seed, size, workers):
    game = random_game(300 + seed, k=size, m=(size[1], size[0]), correlated=bool(seed % 2))
    result = md.solve_bne(game, method="lcp", options={"workers": workers})
    assert result.status == "success" and result.equilibria[0].epsilon <= 1e-9
    A, B, spaces = strategic_form(game)
    x, y = (mixed_from_behaviour(s, space) for s, space in zip(result.equilibria[0].mixed(), spaces))
    assert (A @ y).max() - x @ A @ y <= 1e-9 and (x @ B).max() - x @ B @ y <= 1e-9


def test_a_race_of_several_paths_still_ends_at_an_equilibrium_of_the_strategic_form(monkeypatch):
    # the first path's budget set to one pivot: the race of :mod:`.lemke_paths` must finish the job
    import mechdesign.games.lcp as lcp

    monkeypatch.setattr(lcp, "ADMIT_FIRST", 1e-9)
    game = random_game(11, k=(3, 3), m=(3, 3))
    result = md.solve_bne(game, method="lcp")
    assert result.status == "success" and "path(s)" in result.message and "1 path(s)" not in result.message
    A, B, spaces = strategic_form(game)
    x, y = (mixed_from_behaviour(s, space) for s, space in zip(result.equilibria[0].mixed(), spaces))
    assert (A @ y).max() - x @ A @ y <= 1e-9 and (x @ B).max() - x @ B @ y <= 1e-9


def test_nashpy_equilibria_of_the_strategic_form_verify_as_bne():
    nashpy = pytest.importorskip("nashpy")
    game = random_game(21, k=(2, 2), m=(2, 2))
    A, B, spaces = strategic_form(game)
    for sigma_1, sigma_2 in nashpy.Game(A, B).support_enumeration():
        behaviour = []
        for sigma, space, k, m in zip((sigma_1, sigma_2), spaces, game.n_types, game.n_actions):
            marginal = np.zeros((k, m))
            for p, s in zip(sigma, space):
                for t, a in enumerate(s):
                    marginal[t, a] += p
            behaviour.append(marginal)
        assert md.verify_bne(game, behaviour).epsilon <= 1e-9


@needs("gambit")
@pytest.mark.parametrize("seed", range(3))
def test_pygambit_lcp_equilibrium_verifies_and_ours_is_one_of_enummixeds(seed):
    game = random_game(400 + seed, k=(2, 2), m=(2, 2))
    theirs = md.solve_bne(game, method="gambit", options={"algorithm": "lcp"})
    assert theirs.status == "success"
    assert md.verify_bne(game, theirs.equilibria[0].mixed()).epsilon <= 1e-9
    listed = md.solve_bne(game, method="gambit", options={"algorithm": "enummixed"}).equilibria
    ours = md.solve_bne(game, method="lcp").equilibria[0]
    assert any(all(np.allclose(a, b, atol=1e-6) for a, b in zip(ours.mixed(), e.mixed())) for e in listed)


def test_workers_that_are_not_ready_never_hold_the_race(monkeypatch):
    import mechdesign.games.lemke_paths as paths_module
    from mechdesign.games.interim import two_player_arrays
    from mechdesign.games.lemke import bayesian_lcp, tracing_covering

    game = random_game(31, k=(4, 4), m=(4, 4))
    u1, u2, b1, b2, _ = two_player_arrays(game)
    M, q = bayesian_lcp(u1, u2, b1, b2)
    coverings = [tracing_covering(M, np.full(32, 0.25)), tracing_covering(M, np.linspace(1, 2, 32) / 6)]
    alone, _ = paths_module.lemke_portfolio(M, q, iter(coverings), 10_000, lambda z: True, workers=1, chunk=1,
                                           first_chunk=1)
    created, closed = [], []

    class NeverReady:
        def __init__(self):
            created.append(self)

        def is_ready(self):
            return False

        def close(self):
            closed.append(self)

    monkeypatch.setattr(paths_module, "_Worker", NeverReady)
    raced, _ = paths_module.lemke_portfolio(M, q, iter(coverings), 10_000, lambda z: True, workers=2,
                                            handoff=1e-12, prestart=0.0, chunk=1, first_chunk=1)
    assert raced.status == "success" and np.array_equal(raced.z, alone.z) and raced.pivots == alone.pivots
    assert len(created) == 2 and closed == created            # started early, never waited for, closed
