"""The Bayesian LLG model: payments, closed-form equilibria, the learning game, learned equilibria.

Known answers: bnelearn's BNE database (LLG, independent locals: expected utilities nearest-VCG
0.13317 / 0.46734, nearest-zero 0.13399 / 0.46403, nearest-bid 0.12500 / 0.50000); the closed-form
equilibria of Ausubel and Baranov (2020, Bernoulli weights); truthful VCG by hand (local 5/24 and
global 7/24 for γ = 0; 11/48 and 5/16 for γ = 0.5).
"""

import itertools

import numpy as np
import pytest

import mechdesign as md
from mechdesign.combinatorial.bayesian import (LLG, PUBLISHED, InterpolatedBid, LLGGame, interim_tables,
                                               local_payment, payment_integral)
from mechdesign.errors import SpecError
from mechdesign.games.learning import LearningGame

RULES = ["nearest_vcg", "nearest_zero", "nearest_bid"]


def test_compiled_integrals_match_the_numpy_reference():
    from mechdesign.combinatorial._llg_jit import RULE_CODES, payment_integrals

    rng = np.random.default_rng(0)
    a, b = rng.uniform(0, 1.2, 40), rng.uniform(0, 1.2, 30)
    a[:3], b[:3] = 0.0, [0.0, 0.5, 1.0]
    for rule in ["vcg"] + RULES:
        compiled = payment_integrals(RULE_CODES[rule], a, b, 2.0)
        ref = payment_integral(rule, a[:, None], b[None, :])
        assert np.allclose(compiled, ref, atol=1e-14, rtol=0)
        _, pay = interim_tables(rule, a, b)
        assert np.allclose(pay, ref / 2.0, atol=1e-14, rtol=0)


def test_payment_integral_against_quadrature():
    # the integral over the global's bid, by a fine midpoint rule
    g = (np.arange(200_000) + 0.5) / 100_000                    # [0, 2]
    for rule in ["vcg"] + RULES:
        for b1, b2 in [(0.2, 0.9), (0.7, 0.7), (1.0, 0.1), (1.3, 1.1)]:
            win = g < b1 + b2
            quad = (local_payment(rule, b1, b2, g) * win).sum() * 1e-5
            assert payment_integral(rule, np.array(b1), np.array(b2)) == pytest.approx(quad, abs=1e-6)


def test_llg_payments_function():
    model = LLG(0.0, "nearest_vcg")
    p1, p2, pg = model.payments([4.0, 1.0], [1.0, 1.0], [3.5, 3.0])
    assert np.allclose(p1, [3.0, 0.0]) and np.allclose(p2, [0.5, 0.0]) and np.allclose(pg, [0.0, 2.0])


@pytest.mark.parametrize("rule", RULES)
def test_closed_forms_reproduce_the_published_utilities(rule):
    model = LLG(0.0, rule)
    ev = model.evaluate(model.closed_form_bid())
    local, glob = PUBLISHED[rule]
    assert ev.expected_utilities["local"] == pytest.approx(local, abs=1e-5)
    assert ev.expected_utilities["global"] == pytest.approx(glob, abs=1e-5)
    assert ev.utility_loss <= 1e-12 and ev.max_loss <= 1e-12          # an equilibrium: no profitable bid


@pytest.mark.parametrize("gamma", [0.25, 0.5, 0.9])
@pytest.mark.parametrize("rule", RULES)
def test_closed_forms_are_equilibria_for_correlated_locals(rule, gamma):
    model = LLG(gamma, rule)
    assert model.evaluate(model.closed_form_bid()).max_loss <= 1e-12
    shaded = model.evaluate(lambda v: 0.8 * model.closed_form_bid()(v))
    assert shaded.utility_loss > 1e-5                                  # and the check can fail


def test_loss_sees_best_responses_between_grid_bids():
    # a 3% shaded equilibrium: with 11 candidate bids the loss (grid + parabola vertex, evaluated exactly)
    # is within 2% of the loss over 1001 bids; the grid alone finds under a third of it
    model = LLG(0.0, "nearest_bid")
    shaded = lambda v: 0.97 * model.closed_form_bid()(v)          # noqa: E731
    coarse, fine = model.evaluate(shaded, n_bids=11), model.evaluate(shaded, n_bids=1001)
    assert fine.utility_loss > 5e-5
    assert coarse.utility_loss == pytest.approx(fine.utility_loss, rel=0.02)


@pytest.mark.parametrize("gamma, local, glob", [(0.0, 5 / 24, 7 / 24), (0.5, 11 / 48, 5 / 16)])
def test_vcg_truthful_by_hand(gamma, local, glob):
    model = LLG(gamma, "vcg")
    ev = model.evaluate(lambda v: np.asarray(v, float))
    assert ev.expected_utilities["local"] == pytest.approx(local, abs=1e-6)
    assert ev.expected_utilities["global"] == pytest.approx(glob, abs=1e-6)
    assert ev.utility_loss <= 1e-12


def brute_utilities(game: LLGGame, sigma, sigma_g=None):
    """U[t, b] by explicit loops over the other local's type and bid (and the global's, if he learns)."""
    n, m = sigma.shape
    U = np.zeros((n, m))
    for t, b in itertools.product(range(n), range(m)):
        total = 0.0
        for t2 in range(n):
            prob = (1 - game.gamma) / n + (game.gamma if t2 == t else 0.0)
            for b2 in range(m):
                x, y = game.bids[b], game.bids[b2]
                if sigma_g is None:
                    win, pay = interim_tables(game.rule, [x], [y])
                    value = game.types[t] * win[0, 0] - pay[0, 0]
                else:
                    value = 0.0
                    for tg, bg in itertools.product(range(n), range(m)):
                        g = game.global_bids[bg]
                        if x + y >= g:
                            value += sigma_g[tg, bg] / n * (game.types[t] - float(local_payment(game.rule, x, y, g)))
                total += prob * sigma[t2, b2] * value
        U[t, b] = total
    return U


@pytest.mark.parametrize("gamma", [0.0, 0.4])
def test_learning_game_utilities_against_loops(gamma):
    rng = np.random.default_rng(1)
    game = LLG(gamma, "nearest_bid").game(4, 5)
    assert isinstance(game, LearningGame) and game.n_agents == 1 and game.class_sizes == (2,)
    sigma = rng.dirichlet(np.ones(5), size=4)
    assert np.allclose(game.utilities([sigma])[0], brute_utilities(game, sigma), atol=1e-12)


def test_learning_game_with_a_learning_global_against_loops():
    rng = np.random.default_rng(2)
    game = LLG(0.3, "nearest_vcg").game(3, 4, global_bidder="learn")
    assert game.n_agents == 2 and game.agent_names == ("locals", "global")
    sigma, sigma_g = rng.dirichlet(np.ones(4), size=3), rng.dirichlet(np.ones(4), size=3)
    U_l, U_g = game.utilities([sigma, sigma_g])
    assert np.allclose(U_l, brute_utilities(game, sigma, sigma_g), atol=1e-12)
    # the global: wins with a bid strictly above b1 + b2 and pays b1 + b2
    want = np.zeros((3, 4))
    for t, bg in itertools.product(range(3), range(4)):
        for t1, t2 in itertools.product(range(3), range(3)):
            p_types = (1 - game.gamma) / 9 + (game.gamma / 3 if t1 == t2 else 0.0)
            for b1, b2 in itertools.product(range(4), range(4)):
                total = game.bids[b1] + game.bids[b2]
                if game.global_bids[bg] > total:
                    want[t, bg] += p_types * sigma[t1, b1] * sigma[t2, b2] * (game.global_types[t] - total)
    assert np.allclose(U_g, want, atol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("rule", RULES)
def test_learned_equilibrium_reproduces_published_values(rule):
    eq = LLG(0.0, rule).equilibrium()
    u = eq.expected_utilities
    local, glob = PUBLISHED[rule]
    assert abs(u["local"] - local) < 2e-3 and abs(u["global"] - glob) < 2e-3, u
    assert eq.run.status == "success" and eq.evaluation.relative_loss < 1e-4
    # the learned bids are close to the closed form
    x = np.linspace(0.05, 0.95, 19)
    assert np.max(np.abs(eq.bid_function(x) - LLG(0.0, rule).closed_form_bid()(x))) < 0.02
    assert eq.published == {"local": local, "global": glob}
    text = eq.summary()
    assert "published (bnelearn)" in text and "closed form" in text
    assert eq.to_dict()["learning"]["status"] == "success"


@pytest.mark.slow
def test_learned_equilibrium_with_correlation():
    model = LLG(0.5, "nearest_vcg")
    eq = model.equilibrium()
    closed = model.evaluate(model.closed_form_bid()).expected_utilities
    assert abs(eq.expected_utilities["local"] - closed["local"]) < 2e-3
    assert abs(eq.expected_utilities["global"] - closed["global"]) < 2e-3
    assert eq.published is None and eq.closed_form is not None
    raw = model.equilibrium(refine=0, grid=(32, 32))
    assert raw.evaluation == raw.learned and len(raw.refinement_losses) == 1


def test_interpolated_bid():
    f = InterpolatedBid(np.array([0.25, 0.75]), np.array([0.1, 0.6]), 0.0, 1.0)
    assert np.allclose(f([0.0, 0.25, 0.5, 0.75, 1.0]), [0.0, 0.1, 0.35, 0.6, 0.85])


def test_bad_arguments():
    with pytest.raises(SpecError, match=r"gamma: a correlation in \[0, 1\]"):
        LLG(1.5)
    with pytest.raises(SpecError, match="gamma: a non-negative number"):
        LLG(-0.1)
    with pytest.raises(SpecError, match=r"rule: one of \['vcg', 'nearest_vcg'"):
        LLG(0.0, "pay_as_bid")
    with pytest.raises(SpecError, match="n_types: an integer ≥ 2"):
        LLG().game(1, 10)
    with pytest.raises(SpecError, match="grid"):
        LLG().equilibrium(grid=64)
    with pytest.raises(SpecError, match="options: a mapping"):
        LLG().equilibrium(options=[1])
    with pytest.raises(SpecError, match="refine: an integer"):
        LLG().equilibrium(refine=-1)
    with pytest.raises(SpecError, match="bid: a callable"):
        LLG().evaluate(0.5)
    with pytest.raises(SpecError, match="bid: finite non-negative bids"):
        LLG().evaluate(lambda v: -np.ones_like(v))
    with pytest.raises(SpecError, match="global_bidder"):
        LLG().game(4, 4, global_bidder="sometimes")
    with pytest.raises(SpecError, match="n_bids: at most 447 bids with global_bidder='learn'"):
        LLG().game(8, 1000, global_bidder="learn")


def test_md_combinatorial_names():
    C = md.combinatorial
    assert C.LLG is LLG and "nearest_bid" in C.LLG_RULES
