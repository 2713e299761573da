"""BNE verification and solvers: known answers, cross-method agreement, invariance, bad input."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import mechdesign as md
from mechdesign.errors import SolverError, SpecError

from tests.games.gametools import brute_force_pure, pure_tuple, random_game, same_profile

PAYOFF_ATOL = 1e-9


# ------------------------------------------------------------------ known answers
def test_first_price_pure_bne_match_brute_force(first_price):
    # the brute-force enumeration in conftest (independent code) is the reference
    found = {pure_tuple(eq) for eq in md.solve_bne(first_price, method="pure").equilibria}
    truth = brute_force_pure(first_price)
    assert truth and found == truth


def test_first_price_three_bids_values_zero_to_four():
    game = md.BayesianGame.from_mechanism(md.examples.first_price_auction(bids=[0, 1, 2], values=[0, 1, 2, 3, 4]))
    result = md.solve_bne(game, method="pure")
    assert {pure_tuple(eq) for eq in result.equilibria} == brute_force_pure(game)
    assert all(eq.epsilon <= PAYOFF_ATOL for eq in result.equilibria)


def test_second_price_truthful_is_weakly_dominant():
    # Vickrey: bidding one's value is weakly dominant (seed 000 / Tadelis 14.3, VCG truthful in dominant strategies)
    game = md.BayesianGame.from_mechanism(md.examples.second_price_auction(bids=[0, 1, 2, 3], values=[0, 1, 2, 3]))
    result = md.dominant_strategy_equilibria(game)
    truthful = ((0, 1, 2, 3), (0, 1, 2, 3))
    assert truthful in {pure_tuple(eq) for eq in result.equilibria}
    for i in range(2):
        for t in range(4):
            assert t in result.dominant[i][t]
    # overbidding is not dominant: value 1 bidding 2 loses 1/2 against a bid of 2 (tie, pays 2 w.p. 1/2)
    assert 2 not in result.dominant[0][1]
    assert not md.dominant_strategy_equilibria(game, strict=True).exists   # ties make dominance weak only


def test_first_price_has_no_dominant_strategy_equilibrium(first_price):
    assert not md.dominant_strategy_equilibria(first_price)
    assert "dominant" in md.dominant_strategy_equilibria(first_price).summary()


def battle_of_sexes():
    """A has one type; B is friendly (wants to meet A) or unfriendly (wants to avoid A), each w.p. 1/2.

    Actions 0 = opera, 1 = fight. A: (O,O) -> 2, (F,F) -> 1. Friendly B: (O,O) -> 1, (F,F) -> 2.
    Unfriendly B: (O,F) -> 2, (F,O) -> 1 (Osborne, *An Introduction to Game Theory*, Example 276.1 style).
    """
    P = np.zeros((1, 2, 2, 2, 2))
    P[0, :, 0, 0, 0] = 2
    P[0, :, 1, 1, 0] = 1
    P[0, 0, 0, 0, 1], P[0, 0, 1, 1, 1] = 1, 2
    P[0, 1, 0, 1, 1], P[0, 1, 1, 0, 1] = 2, 1
    return md.BayesianGame.from_arrays(prior=md.IndependentPrior([[1.0], [0.5, 0.5]]), payoffs=P,
                                       players=["A", "B"], type_labels=[["-"], ["friendly", "unfriendly"]],
                                       action_labels=[["opera", "fight"]] * 2)


def bos_equilibria():
    """Worked out by hand. Let p = P(A plays opera), q_f, q_u = P(opera) for B's types.
    Friendly B is indifferent iff p = 2/3, unfriendly iff p = 1/3; A is indifferent iff
    (q_f + q_u)/2 * 2 = (2 - q_f - q_u)/2, i.e. q_f + q_u = 2/3.
    * p = 1: friendly -> opera, unfriendly -> fight, q_f + q_u = 1 > 2/3 so A -> opera: a pure BNE.
    * p = 2/3: unfriendly -> fight (4/3 > 1/3), so q_f = 2/3.
    * p = 1/3: friendly -> fight (4/3 > 1/3), so q_u = 2/3.
    * p = 0 fails (both B types then give q_f + q_u = 1, so A wants opera); any other p makes
      both B types pure with q_f + q_u ∈ {0, 1}, contradicting A's choice.
    """
    def prof(p, qf, qu):
        return [np.array([[p, 1 - p]]), np.array([[qf, 1 - qf], [qu, 1 - qu]])]
    return [prof(1, 1, 0), prof(Fraction(2, 3), Fraction(2, 3), 0), prof(Fraction(1, 3), 0, Fraction(2, 3))]


def _as_float(profile):
    return [np.asarray(s, dtype=float) for s in profile]


def test_battle_of_sexes_pure_and_mixed():
    game = battle_of_sexes()
    truth = [_as_float(p) for p in bos_equilibria()]
    for profile in truth:
        assert md.verify_bne(game, profile).epsilon <= PAYOFF_ATOL
    pure = md.solve_bne(game, method="pure").equilibria
    assert [pure_tuple(e) for e in pure] == [((0,), (0, 1))]
    found = md.solve_bne(game, method="enum").equilibria
    assert len(found) == 3
    for profile in truth:
        assert sum(all(np.allclose(a, b, atol=1e-9) for a, b in zip(eq.mixed(), profile)) for eq in found) == 1
    lcp = md.solve_bne(game, method="lcp").equilibria[0]
    assert any(all(np.allclose(a, b, atol=1e-9) for a, b in zip(lcp.mixed(), profile)) for profile in truth)


def test_verify_reports_the_deviation():
    game = battle_of_sexes()
    check = md.verify_bne(game, [np.array([1]), np.array([1, 0])])   # A fight, friendly fight, unfriendly opera
    # A's gain: opera earns (0 + 2)/2 = 1, fight earns 1/2
    assert not check.holds
    assert check.epsilon == pytest.approx(0.5)
    assert (check.worst.player, check.worst.action) == ("A", "opera")
    assert "NOT a BNE" in check.summary()
    assert check.to_dict()["worst"]["gain"] == pytest.approx(0.5)


# ------------------------------------------------------------------ cross-method
@pytest.mark.parametrize("seed", range(12))
def test_lcp_finds_an_equilibrium_enum_lists(seed):
    shapes = [(2, 2), (2, 3), (3, 2)]
    game = random_game(seed, k=shapes[seed % 3], m=shapes[(seed // 3) % 3], correlated=seed % 2 == 1)
    lcp = md.solve_bne(game, method="lcp")
    enum = md.solve_bne(game, method="enum")
    assert lcp.success and enum.success
    assert lcp.equilibria[0].epsilon <= PAYOFF_ATOL
    assert any(same_profile(lcp.equilibria[0], eq) for eq in enum.equilibria)
    assert all(eq.epsilon <= PAYOFF_ATOL for eq in enum.equilibria)


def test_pure_equilibria_are_listed_by_enum():
    for seed in range(6):
        game = random_game(100 + seed, k=(2, 2), m=(2, 3))
        pure = md.solve_bne(game, method="pure").equilibria
        enum = md.solve_bne(game, method="enum").equilibria
        for eq in pure:
            assert any(same_profile(eq, other) for other in enum)


@pytest.mark.parametrize("start", ["tracing", "covering"])
@pytest.mark.parametrize("seed", range(6))
def test_both_lcp_starts_find_an_equilibrium_enum_lists(seed, start):
    game = random_game(300 + seed, k=(2, 3), m=(3, 2), correlated=seed % 2 == 1)
    lcp = md.solve_bne(game, method="lcp", options={"start": start, "seed": seed})
    assert lcp.success and lcp.options["start"] == start and f"start {start!r}" in lcp.message
    assert lcp.equilibria[0].epsilon <= PAYOFF_ATOL
    assert any(same_profile(lcp.equilibria[0], eq) for eq in md.solve_bne(game, method="enum").equilibria)


def test_tracing_from_a_strict_equilibrium_stays_there():
    # Linear tracing procedure (van den Elzen & Talman 1991): from a prior that is a strict
    # equilibrium every agent best-responds to the prior at z0 = 1, so the path ends there.
    from mechdesign.games.equilibrium import two_player_arrays
    from mechdesign.games.lemke import bayesian_lcp, lemke, tracing_covering

    checked = 0
    for seed in range(8):
        game = random_game(400 + seed, k=(3, 2), m=(3, 3), correlated=seed % 2 == 1)
        u1, u2, b1, b2, _ = two_player_arrays(game)
        M, q = bayesian_lcp(u1, u2, b1, b2)
        for eq in md.solve_bne(game, method="pure").equilibria:
            gaps = [np.diff(np.sort(game._interim(i, eq.mixed()), axis=1)[:, -2:], axis=1) for i in range(2)]
            if min(float(g.min()) for g in gaps) <= 1e-6:
                continue                                          # not strict
            prior = np.concatenate([s.ravel() for s in eq.mixed()])
            z = lemke(M, q, tracing_covering(M, prior), 10_000).z
            assert np.allclose(z[:prior.size], prior, atol=1e-12)
            checked += 1
    assert checked >= 3


def test_lcp_pivot_budget_reports_iteration_limit():
    game = random_game(3, k=(6, 6), m=(6, 6))
    for start in ("tracing", "covering"):
        result = md.solve_bne(game, method="lcp", options={"max_pivots": 3, "start": start})
        assert result.status == "iteration_limit" and not result.equilibria and "pivots" in result.message


def test_lcp_on_larger_game_and_zero_probability_type():
    rng = np.random.default_rng(7)
    game = md.BayesianGame.from_arrays(prior=md.IndependentPrior([[0.5, 0.0, 0.5], [0.2, 0.3, 0.5]]),
                                       payoffs=rng.normal(size=(3, 3, 4, 4, 2)))
    result = md.solve_bne(game, method="lcp")
    assert result.success and result.equilibria[0].epsilon <= PAYOFF_ATOL
    large = random_game(11, k=(6, 6), m=(6, 6))
    assert md.solve_bne(large, method="lcp").equilibria[0].epsilon <= PAYOFF_ATOL


def test_pure_three_players_against_brute_force():
    rng = np.random.default_rng(5)
    payoffs = rng.integers(0, 3, size=(2, 2, 2, 2, 2, 2, 3)).astype(float)   # ties on purpose
    game = md.BayesianGame.from_arrays(prior=md.IndependentPrior([[0.5, 0.5]] * 3), payoffs=payoffs)
    found = {pure_tuple(e) for e in md.solve_bne(game, method="pure").equilibria}
    assert found == brute_force_pure(game)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6), shift=st.floats(-5, 5), scale=st.floats(0.1, 10))
def test_invariance_to_affine_payoff_changes(seed, shift, scale):
    # shifting a player's payoffs by a constant and scaling by a positive number keeps the BNE
    game = random_game(seed, k=(2, 2), m=(2, 2))
    moved = md.BayesianGame.from_arrays(prior=game.prior, payoffs=game.payoffs * scale + shift)
    a = {pure_tuple(e) for e in md.solve_bne(game, method="pure").equilibria}
    b = {pure_tuple(e) for e in md.solve_bne(moved, method="pure").equilibria}
    assert a == b
    eq = md.solve_bne(moved, method="lcp").equilibria[0]
    assert md.verify_bne(game, eq.strategies).epsilon <= 1e-8


def test_relabelling_players_swaps_equilibria():
    game = random_game(21, k=(2, 3), m=(3, 2))
    swapped = md.BayesianGame.from_arrays(
        prior=md.JointPrior(game.prior.joint().T),
        payoffs=game.payoffs.transpose(1, 0, 3, 2, 4)[..., ::-1])
    a = {pure_tuple(e) for e in md.solve_bne(game, method="pure").equilibria}
    b = {tuple(reversed(pure_tuple(e))) for e in md.solve_bne(swapped, method="pure").equilibria}
    assert a == b


# ------------------------------------------------------------------ results
def test_result_objects(first_price):
    result = md.solve_bne(first_price, method="pure")
    data = result.to_dict()
    assert data["method"] == "pure" and data["status"] == "success"
    assert data["options"]["max_profiles"] == 10**6
    assert "equilibri" in result.summary() and "B1" in result.equilibria[0].summary()
    eq = result.equilibria[0]
    assert eq.is_pure and eq.strategies[0].dtype.kind == "i" and not eq.strategies[0].flags.writeable
    import json
    json.dumps(data)


def test_no_pure_equilibrium_status():
    # matching pennies with one type each: no pure equilibrium
    P = np.zeros((1, 1, 2, 2, 2))
    P[0, 0, :, :, 0] = [[1, -1], [-1, 1]]
    P[0, 0, :, :, 1] = [[-1, 1], [1, -1]]
    game = md.BayesianGame.from_arrays(prior=md.IndependentPrior([[1.0], [1.0]]), payoffs=P)
    assert md.solve_bne(game, method="pure").status == "no_equilibrium"
    eq = md.solve_bne(game, method="lcp").equilibria[0]
    assert np.allclose(eq.mixed()[0], 0.5) and np.allclose(eq.mixed()[1], 0.5)


# ------------------------------------------------------------------ bad input
def test_unknown_method(first_price):
    with pytest.raises(SpecError, match="method: one of"):
        md.solve_bne(first_price, method="magic")


def test_lcp_on_three_players_points_to_gambit():
    game = md.BayesianGame.from_arrays(prior=md.IndependentPrior([[1.0]] * 3), payoffs=np.zeros((1, 1, 1, 2, 2, 2, 3)))
    with pytest.raises(SpecError, match="gambit"):
        md.solve_bne(game, method="lcp")
    with pytest.raises(SpecError, match="2-player"):
        md.solve_bne(game, method="enum")


def test_pure_refuses_above_max_profiles(first_price):
    # the bound counts the profiles the search would enumerate: all of them for the exhaustive search,
    # those left after eliminating dominated actions for the pruned one (here elimination leaves few)
    with pytest.raises(SolverError, match="max_profiles"):
        md.solve_bne(first_price, method="pure", options={"max_profiles": 10, "search": "exhaustive"})
    assert md.solve_bne(first_price, method="pure", options={"max_profiles": 10}).success
    with pytest.raises(SolverError, match="max_profiles.*after eliminating"):
        md.solve_bne(random_game(0, k=(3, 3), m=(4, 4)), method="pure", options={"max_profiles": 10})


def test_enum_refuses_above_max_pairs():
    with pytest.raises(SolverError, match="max_pairs"):
        md.solve_bne(random_game(0, k=(3, 3), m=(3, 3)), method="enum", options={"max_pairs": 5})


@pytest.mark.parametrize("options, match", [
    ({"bogus": 1}, "unknown"), ({"max_profiles": 0}, "positive integer"), ("fast", "dict")])
def test_bad_options(first_price, options, match):
    with pytest.raises(SpecError, match=match):
        md.solve_bne(first_price, method="pure", options=options)


def test_not_a_game():
    with pytest.raises(SpecError, match="game"):
        md.verify_bne("game", [])
    with pytest.raises(SpecError, match="game"):
        md.dominant_strategy_equilibria(None)


def test_lemke_limits_blas_threads_only_while_pivoting():
    # the single-thread BLAS limit of lemke() is scoped: thread counts after the call equal those before
    from threadpoolctl import threadpool_info

    from mechdesign.games.lemke import lemke

    before = [(lib["filepath"], lib["num_threads"]) for lib in threadpool_info()]
    M = np.array([[2.0, 1.0], [1.0, 2.0]])
    outcome = lemke(M, np.array([-1.0, -1.0]), np.ones(2), 10)
    assert outcome.status == "success"
    np.testing.assert_allclose(M @ outcome.z + np.array([-1.0, -1.0]), 0.0, atol=1e-12)  # w = 0 at z = (1/3, 1/3)
    assert [(lib["filepath"], lib["num_threads"]) for lib in threadpool_info()] == before


def test_lcp_replaces_a_path_ending_at_an_inaccurate_solution(monkeypatch):
    # a path whose "solution" has an agent block not summing to 1 (rounding on long paths) is discarded
    import mechdesign.games.lcp as equilibrium_module

    real, calls = equilibrium_module._blocks_sum_to_one, []

    def first_solutions_inaccurate(z, M, q):
        calls.append(z)
        return len(calls) > 2 and real(z, M, q)

    # the first two paths to end (from the uniform prior, then its replacement) "end inaccurately"; the third
    # start of the schedule replaces them and is accepted
    monkeypatch.setattr(equilibrium_module, "_blocks_sum_to_one", first_solutions_inaccurate)
    game = random_game(5, k=(2, 2), m=(2, 3))
    result = md.solve_bne(game, method="lcp")
    assert result.status == "success" and len(calls) == 3 and "3 path(s)" in result.message
    assert md.verify_bne(game, result.equilibria[0].mixed()).epsilon <= 1e-9
    monkeypatch.setattr(equilibrium_module, "_blocks_sum_to_one", lambda z, M, q: False)
    failed = md.solve_bne(game, method="lcp", options={"start": "covering"})
    assert failed.status == "failed" and "inaccurate" in failed.message and not failed.equilibria


def dense_lemke(M, q, d, max_pivots=10_000):
    """Reference: Lemke's method on the full tableau B⁻¹[I, −M, −d | q], lexicographic ratio test (textbook form)."""
    n = q.size
    tableau = np.hstack([np.eye(n), -M, -d[:, None], q[:, None]]).astype(float)
    basis = list(range(n))

    def lexmin(rows, column):
        # x_B(θ) = B⁻¹q − θ·column: the row reaching zero first, ties by the rows of B⁻¹ (lexicographic rule)
        return min(rows, key=lambda i: tuple(np.round(np.r_[tableau[i, -1], tableau[i, :n]] / column[i], 9)))

    def pivot(r, col):
        tableau[r] /= tableau[r, col]
        for i in range(n):
            if i != r:
                tableau[i] -= tableau[i, col] * tableau[r]
        leaving, basis[r] = basis[r], col
        return leaving

    leaving = pivot(lexmin(range(n), d), 2 * n)             # z0 enters: the most negative q_i / d_i leaves
    for pivots in range(1, max_pivots):
        entering = leaving + n if leaving < n else leaving - n
        column = tableau[:, entering]
        rows = [i for i in range(n) if column[i] > 1e-12]
        if not rows:
            return None, pivots
        leaving = pivot(lexmin(rows, column.copy()), entering)
        if leaving == 2 * n:
            z = np.zeros(n)
            for i, var in enumerate(basis):
                if n <= var < 2 * n:
                    z[var - n] = tableau[i, -1]
            return z, pivots + 1
    return None, max_pivots


def test_kernel_lemke_follows_the_textbook_tableau_path():
    # the revised kernel form must visit the same bases as the full-tableau method: same pivot count, same
    # solution, whether it pivots with numpy or in the compiled loop of lemke_jit
    from mechdesign.games.equilibrium import two_player_arrays
    from threadpoolctl import threadpool_limits

    from mechdesign.games.lemke import KernelLemke, bayesian_lcp, tracing_covering
    from mechdesign.games.priors import RegretMatching, interim_matrices

    lengths = []
    for seed in range(6):
        game = random_game(900 + seed, k=(5, 4), m=(4, 5), correlated=seed % 2 == 0)
        u1, u2, b1, b2, _ = two_player_arrays(game)
        M, q = bayesian_lcp(u1, u2, b1, b2)
        d = tracing_covering(M, RegretMatching(*interim_matrices(u1, u2, b1, b2), 4, 5).average(5))
        z_ref, pivots_ref = dense_lemke(M, q, d)
        lengths.append(pivots_ref)
        for compiled_after in (10**9, 0, 17):              # numpy loop, compiled loop, switch mid-path
            path = KernelLemke(M, q, d, compiled_after=compiled_after)
            with threadpool_limits(limits=1, user_api="blas"):
                assert path.advance(10_000) == "success"
            assert path.pivots == pivots_ref
            np.testing.assert_allclose(path.solution(), z_ref, atol=1e-9)
            w = q + M @ path.solution()
            assert w.min() >= -1e-9 and abs(w @ path.solution()) <= 1e-9
    assert max(lengths) >= 60                      # long enough paths to exercise every kind of basis change


def test_pivot_candidates_ignore_entries_that_are_noise_relative_to_the_column():
    # a tiny positive entry (here 1e-11 against 3) in a degenerate row used to win the ratio test and
    # make the basis numerically singular on a 20 x 20 game; it is not a pivot candidate
    from mechdesign.games.lemke import pivot_candidates

    assert pivot_candidates(np.array([3.0, 1e-11, -2.0, 0.5])).tolist() == [0, 3]
    assert pivot_candidates(np.array([1e-11, -1.0])).tolist() == []
    assert pivot_candidates(np.array([2e-12, 1e-13])).tolist() == [0]          # absolute floor 1e-12


def test_portfolio_result_does_not_depend_on_workers_or_rounds_and_prefers_the_first_path():
    from mechdesign.games.equilibrium import two_player_arrays
    from mechdesign.games.lemke import bayesian_lcp, lemke, tracing_covering
    from mechdesign.games.lemke_paths import lemke_portfolio

    game = random_game(31, k=(4, 4), m=(4, 4))
    u1, u2, b1, b2, _ = two_player_arrays(game)
    M, q = bayesian_lcp(u1, u2, b1, b2)
    rng = np.random.default_rng(0)
    priors = [np.concatenate([rng.dirichlet(np.ones(4), 4).ravel() for _ in range(2)]) for _ in range(2)]
    coverings = [tracing_covering(M, p) for p in priors]
    singles = [lemke(M, q, d, 10_000) for d in coverings]
    # workers=2 with handoff=0 moves both paths to worker processes before the first round
    outcomes = [lemke_portfolio(M, q, iter(coverings), 10_000, lambda z: True, workers=w, handoff=0,
                                chunk=c, first_chunk=c)
                for w in (1, 2) for c in (1, 7, 10_000)]
    for outcome, started in outcomes:
        assert started == 2 and outcome.status == "success"
    first = min(range(2), key=lambda i: singles[i].pivots)     # with chunk 1 the shorter path ends first
    np.testing.assert_allclose(outcomes[0][0].z, singles[first].z, atol=1e-12)
    np.testing.assert_allclose(outcomes[3][0].z, singles[first].z, atol=1e-12)
    assert outcomes[0][0].pivots == outcomes[3][0].pivots == 2 * singles[first].pivots - (first == 0)
    np.testing.assert_allclose(outcomes[2][0].z, singles[0].z, atol=1e-12)   # one round: the first path wins
    np.testing.assert_allclose(outcomes[5][0].z, singles[0].z, atol=1e-12)
    for (local, _), (remote, _) in zip(outcomes[:3], outcomes[3:]):
        assert np.array_equal(local.z, remote.z) and local.pivots == remote.pivots


def test_solve_bne_lcp_gives_the_same_equilibrium_with_worker_processes(monkeypatch):
    import mechdesign.games.lemke_paths as paths_module

    game = random_game(44, k=(5, 5), m=(5, 5))
    alone = md.solve_bne(game, method="lcp", options={"workers": 1})
    real = paths_module.lemke_portfolio
    monkeypatch.setattr(paths_module, "lemke_portfolio", lambda *a, **kw: real(*a, **{**kw, "handoff": 0}))
    monkeypatch.setattr(paths_module, "available_cpus", lambda: 2)
    shared = md.solve_bne(game, method="lcp", options={"workers": 2})
    assert alone.status == shared.status == "success"
    for a, b in zip(alone.equilibria[0].mixed(), shared.equilibria[0].mixed()):
        assert np.array_equal(a, b)


def test_a_dead_worker_process_is_a_solver_error(monkeypatch):
    from mechdesign.errors import SolverError
    from mechdesign.games.lemke_paths import _Worker

    worker = _Worker()
    worker.process.kill()
    worker.process.wait()
    with pytest.raises(SolverError, match="worker process ended"):
        worker.request("advance", [(0, 10)])
        worker.reply()
    worker.close()


def test_portfolio_stops_at_the_pivot_budget_and_when_starts_run_out():
    from mechdesign.games.lemke_paths import lemke_portfolio

    M = np.array([[2.0, 1.0], [1.0, 2.0]])
    q = np.array([-1.0, -1.0])
    outcome, started = lemke_portfolio(M, q, iter([np.ones(2), np.array([1.0, 2.0])]), 10, lambda z: False)
    assert outcome.status == "inaccurate" and outcome.z is None and started == 2
    outcome, started = lemke_portfolio(M, q, iter([np.ones(2)]), 10, lambda z: True)
    assert outcome.status == "success" and started == 1
    np.testing.assert_allclose(outcome.z, [1 / 3, 1 / 3], atol=1e-12)


def test_kernel_lemke_matches_the_textbook_tableau_on_general_lcps():
    # not only Bayesian-game LCPs: random positive M (copositive-plus, so Lemke ends at a solution),
    # q with negative entries of different sizes and a random covering vector, so the first pivot
    # must pick the most negative q_i / d_i
    from threadpoolctl import threadpool_limits

    from mechdesign.games.lemke import KernelLemke

    rng = np.random.default_rng(5)
    for trial in range(12):
        n = int(rng.integers(2, 9))
        M = rng.uniform(0.1, 2.0, size=(n, n))
        q = rng.uniform(-3.0, 1.0, size=n)
        q[0] = -abs(q[0]) - 0.1
        d = rng.uniform(0.5, 2.0, size=n)
        z_ref, pivots_ref = dense_lemke(M, q, d)
        for compiled_after in (10**9, 0):
            path = KernelLemke(M, q, d, compiled_after=compiled_after)
            with threadpool_limits(limits=1, user_api="blas"):
                assert path.advance(1000) == "success"
            assert path.pivots == pivots_ref
            z = path.solution()
            np.testing.assert_allclose(z, z_ref, atol=1e-9)
            w = q + M @ z
            assert w.min() >= -1e-9 and abs(w @ z) <= 1e-9


def test_compiled_pivots_repeat_the_numpy_pivots_on_a_long_path():
    # 10 x 10 random game: a path of a few thousand pivots with several refactorisations; the compiled loop
    # makes the same choices, so the bases agree pivot for pivot and the values to rounding
    from threadpoolctl import threadpool_limits

    from mechdesign.games.equilibrium import two_player_arrays
    from mechdesign.games.lemke import KernelLemke, bayesian_lcp, tracing_covering

    rng = np.random.default_rng(0)
    game = md.BayesianGame.from_arrays(prior=md.IndependentPrior([np.full(10, 0.1)] * 2),
                                       payoffs=rng.normal(size=(10, 10, 10, 10, 2)))
    u1, u2, b1, b2, _ = two_player_arrays(game)
    M, q = bayesian_lcp(u1, u2, b1, b2)
    d = tracing_covering(M, np.full(200, 0.1))
    plain, compiled = KernelLemke(M, q, d, compiled_after=10**9), KernelLemke(M, q, d, compiled_after=0)
    with threadpool_limits(limits=1, user_api="blas"):
        while plain.status == "running":
            plain.advance(701)
            compiled.advance(701)
            assert plain.pivots == compiled.pivots and np.array_equal(plain.basis, compiled.basis)
            np.testing.assert_allclose(plain.rhs, compiled.rhs, atol=1e-9)
    assert compiled.status == "success" and plain.pivots > 2 * 500


def test_solve_bne_reports_progress_and_validates_the_callback():
    seen = []
    game = random_game(12, k=(3, 3), m=(3, 3))
    md.solve_bne(game, method="pure", progress=lambda done, total: seen.append(("pure", done, total)))
    assert seen[-1][1] == seen[-1][2] > 0                     # the search ends at its total
    assert all(done <= total for _, done, total in seen)
    seen.clear()
    result = md.solve_bne(game, method="lcp", progress=lambda done, total: seen.append((done, total)))
    assert result.status == "success" and seen and seen[-1][1] == 2_000_000
    assert [done for done, _ in seen] == sorted(done for done, _ in seen) and seen[-1][0] > 0
    assert md.solve_bne(game, method="lcp", progress=True).status == "success"
    with pytest.raises(SpecError, match="progress"):
        md.solve_bne(game, method="lcp", progress="yes")


def test_portfolio_keeps_pivoting_here_when_no_worker_process_can_start(monkeypatch):
    import mechdesign.games.lemke_paths as paths_module
    from mechdesign.games.equilibrium import two_player_arrays
    from mechdesign.games.lemke import bayesian_lcp, tracing_covering

    def no_subprocesses(*args, **kwargs):
        raise OSError("subprocesses are not allowed here")

    game = random_game(31, k=(4, 4), m=(4, 4))
    u1, u2, b1, b2, _ = two_player_arrays(game)
    M, q = bayesian_lcp(u1, u2, b1, b2)
    coverings = [tracing_covering(M, np.full(32, 0.25)), tracing_covering(M, np.linspace(1, 2, 32) / 6)]
    alone, _ = paths_module.lemke_portfolio(M, q, iter(coverings), 10_000, lambda z: True, workers=1)
    monkeypatch.setattr(paths_module.subprocess, "Popen", no_subprocesses)
    with pytest.warns(RuntimeWarning, match="could not start"):
        fallback, _ = paths_module.lemke_portfolio(M, q, iter(coverings), 10_000, lambda z: True, workers=2, handoff=0)
    assert fallback.status == "success" and np.array_equal(fallback.z, alone.z) and fallback.pivots == alone.pivots


def test_replacement_paths_run_in_worker_processes_too():
    from mechdesign.games.lemke_paths import lemke_portfolio

    M = np.array([[2.0, 1.0], [1.0, 2.0]])
    q = np.array([-1.0, -1.0])
    answers = iter([False, False, True])
    coverings = iter([np.ones(2), np.array([1.0, 2.0]), np.array([2.0, 1.0]), np.array([1.0, 3.0])])
    outcome, started = lemke_portfolio(M, q, coverings, 100, lambda z: next(answers), workers=2, handoff=0)
    assert outcome.status == "success" and started == 4
    np.testing.assert_allclose(outcome.z, [1 / 3, 1 / 3], atol=1e-12)
