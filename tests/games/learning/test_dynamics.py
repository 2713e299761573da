"""Update rules, step schedules, the learning loop and polishing, on games with known equilibria."""
import itertools

import numpy as np
import pytest

from mechdesign.errors import SpecError
from mechdesign.games.learning import METHODS, LearningGame, learn
from mechdesign.games.learning.dynamics import project_rows, softmax_rows, step_schedule
from tests.games.learning.test_game import MatchingPennies


class Bimatrix(LearningGame):
    """A 2-player normal-form game (one type each) from payoff matrices A (row) and B (column)."""

    def __init__(self, A, B):
        self.A, self.B = np.asarray(A, float), np.asarray(B, float)
        super().__init__([[1.0], [1.0]], list(self.A.shape))

    def utilities(self, strategies):
        x, y = strategies[0][0], strategies[1][0]
        return [(self.A @ y)[None, :], (self.B.T @ x)[None, :]]


def test_projection_onto_the_simplex():
    rng = np.random.default_rng(0)
    y = rng.normal(size=(50, 5)) * 3
    x = project_rows(y)
    np.testing.assert_allclose(x.sum(axis=1), 1.0)
    assert np.all(x >= 0)
    # optimality (KKT): y - x = theta on the support, <= theta off it
    for yr, xr in zip(y, x):
        theta = (yr - xr)[xr > 0]
        assert np.ptp(theta) < 1e-12 and np.all((yr - xr)[xr == 0] <= theta[0] + 1e-12)
    p = np.array([[0.2, 0.3, 0.5]])
    np.testing.assert_allclose(project_rows(p), p)               # points of the simplex stay
    np.testing.assert_allclose(softmax_rows(np.array([[0.0, np.log(3.0)]])), [[0.25, 0.75]])


def test_step_schedules_follow_soda():
    eta = step_schedule("dual_averaging", {"eta": 2.0, "beta": 0.5}, "entropic", scale=4.0)
    assert eta(0) == pytest.approx(0.5) and eta(3) == pytest.approx(0.5 / 2)     # eta / scale * (t+1)^-beta
    assert step_schedule("frank_wolfe", None, "entropic", 1.0)(2) == pytest.approx(0.5)      # 2 / (t + 2)
    assert step_schedule("fictitious_play", None, "entropic", 1.0)(2) == pytest.approx(0.25)  # 1 / (t + 2)
    assert step_schedule("mirror_ascent", lambda t: 7.0, "entropic", 1.0)(5) == 7.0
    with pytest.raises(SpecError, match="step"):
        step_schedule("frank_wolfe", 0.5, "entropic", 1.0)
    with pytest.raises(SpecError, match="eta"):
        step_schedule("dual_averaging", {"eta": -1.0}, "entropic", 1.0)
    with pytest.raises(SpecError, match="step"):
        step_schedule("dual_averaging", {"speed": 1.0}, "entropic", 1.0)


def dominance_solvable():
    # prisoners' dilemma: defect (action 1) strictly dominant for both; unique equilibrium (1, 1)
    A = np.array([[3.0, 0.0], [5.0, 1.0]])
    return Bimatrix(A, A.T)


@pytest.mark.parametrize("method", METHODS)
def test_every_method_finds_the_dominant_strategy_equilibrium_exactly(method):
    run = learn(dominance_solvable(), method)
    assert run.status == "success" and run.epsilon == 0.0
    assert [s.argmax(axis=1).tolist() for s in run.strategies] == [[1], [1]]
    assert len(run.history) == run.iterations + 1


@pytest.mark.parametrize("method,regularizer", [("dual_averaging", "entropic"), ("dual_averaging", "euclidean"),
                                                ("mirror_ascent", "entropic"), ("mirror_ascent", "euclidean"),
                                                ("frank_wolfe", "entropic"), ("fictitious_play", "entropic")])
def test_matching_pennies_polished_to_its_unique_mixed_equilibrium(method, regularizer):
    # zero-sum, unique equilibrium (1/2, 1/2) each: the support LP on the guessed full supports finds it
    run = learn(MatchingPennies(), method, regularizer=regularizer, seed=3, init="random")
    assert run.status == "success" and run.epsilon <= 1e-12
    np.testing.assert_allclose(run.strategies[0], [[0.5, 0.5]], atol=1e-9)
    np.testing.assert_allclose(run.strategies[1], [[0.5, 0.5]], atol=1e-9)
    assert run.polish.kind in ("support_lp", "none")


def test_without_polishing_the_status_reports_the_iteration_limit():
    run = learn(MatchingPennies(), "dual_averaging", iterations=50, polish=False, init=[[[0.9, 0.1]], [[0.2, 0.8]]])
    assert run.status == "iteration_limit" and run.iterations == 50
    assert run.epsilon == pytest.approx(MatchingPennies().epsilon(run.strategies))
    assert run.epsilon == pytest.approx(min(run.history.epsilon))          # the best iterate is returned
    assert run.polish.kind == "none"


def test_relative_loss_criterion_progress_and_time_limit():
    calls = []
    run = learn(dominance_solvable(), "dual_averaging", stop="relative_loss", tol=1e-3, polish=False,
                progress=lambda done, total: calls.append((done, total)))
    assert run.status == "success" and run.loss.max_relative <= 1e-3
    assert calls and calls[-1][1] == run.options["iterations"]
    slow = learn(MatchingPennies(), "fictitious_play", polish=False, time_limit=0.0, iterations=10**6,
                 init=[[[0.9, 0.1]], [[0.2, 0.8]]])
    assert slow.status == "iteration_limit" and slow.iterations <= 2


def test_bad_arguments_are_spec_errors():
    game = MatchingPennies()
    for kwargs, name in [({"method": "sgd"}, "method"), ({"stop": "never"}, "stop"), ({"iterations": -1}, "iterations"),
                         ({"tol": -1.0}, "tol"), ({"init": "zeros"}, "init"), ({"regularizer": "l1"}, "regularizer"),
                         ({"progress": 3}, "progress")]:
        with pytest.raises(SpecError, match=name):
            learn(game, **kwargs)
    with pytest.raises(SpecError, match="game"):
        learn("not a game")


def test_runs_are_reproducible_with_a_seed():
    a = learn(MatchingPennies(), "dual_averaging", init="random", seed=5, iterations=30, polish=False)
    b = learn(MatchingPennies(), "dual_averaging", init="random", seed=5, iterations=30, polish=False)
    for x, y in zip(a.strategies, b.strategies):
        np.testing.assert_array_equal(x, y)


def test_newton_polishes_a_three_agent_mixed_equilibrium():
    # three agents, each with one type and two actions; agent a's payoff is 1 when her action differs from
    # agent (a+1)'s ("odd one out" cycle). The uniform profile is the unique fully mixed equilibrium candidate
    # on full supports: each agent is indifferent when her successor mixes 1/2-1/2.
    class Cycle(LearningGame):
        def __init__(self):
            super().__init__([[1.0]] * 3, [2, 2, 2])

        def utilities(self, strategies):
            out = []
            for a in range(3):
                nxt = strategies[(a + 1) % 3][0]
                out.append(np.array([[nxt[1], nxt[0]]]))        # action 0 pays when the successor plays 1
            return out

    from mechdesign.games.learning import polish as P
    game = Cycle()
    start = (np.array([[0.6, 0.4]]), np.array([[0.3, 0.7]]), np.array([[0.55, 0.45]]))
    full = [[np.array([0, 1])] for _ in range(3)]
    out = P.newton(game, start, full)
    assert out is not None and game.epsilon(out) <= 1e-14
    for s in out:
        np.testing.assert_allclose(s, [[0.5, 0.5]], atol=1e-12)


def test_frank_wolfe_weighted_schedule():
    """gamma_t = c / (t + c): c = 2 is the classic 2 / (t + 2); c must be a number >= 1."""
    classic = step_schedule("frank_wolfe", None, "entropic", 1.0)
    two = step_schedule("frank_wolfe", {"weight": 2}, "entropic", 1.0)
    four = step_schedule("frank_wolfe", {"weight": 4.0}, "entropic", 7.0)      # not scaled by the payoffs
    assert [two(t) for t in range(5)] == [classic(t) for t in range(5)]
    assert [four(t) for t in (0, 1, 4, 12)] == [1.0, 0.8, 0.5, 0.25]
    for bad in ({"weight": 0.5}, {"weight": "4"}, {"weight": True}, {"weight": float("nan")}):
        with pytest.raises(SpecError, match="weight"):
            step_schedule("frank_wolfe", bad, "entropic", 1.0)
    with pytest.raises(SpecError, match="'weight'"):
        step_schedule("frank_wolfe", 3.0, "entropic", 1.0)
