"""Grid games of continuous auctions: discretisation, order-statistic utilities, bad input."""

import itertools

import numpy as np
import pytest
from scipy import stats

import mechdesign as md
from mechdesign.auctions.grid import bid_grid, type_grid
from mechdesign.auctions.learned import grid_game
from mechdesign.auctions.risk import crra
from mechdesign.errors import SpecError

A = md.auctions
U = stats.uniform


def test_type_grid_midpoints_and_cell_weights():
    g = type_grid(A.ValueDistribution(U(0, 1)), 4)
    assert np.allclose(g.points, [0.125, 0.375, 0.625, 0.875])
    assert np.allclose(g.weights, 0.25)
    b = type_grid(A.ValueDistribution(stats.beta(2, 1)), 4)      # F(v) = v^2
    assert np.allclose(b.weights, np.diff(np.linspace(0, 1, 5) ** 2))


def test_explicit_type_points_must_cover_the_support():
    d = A.ValueDistribution(U(0, 2))
    with pytest.raises(SpecError, match="cover the support"):
        type_grid(d, np.linspace(0, 1, 64))
    with pytest.raises(SpecError, match="must lie in the support"):
        type_grid(d, np.linspace(-0.5, 2, 10))
    with pytest.raises(SpecError, match="increasing"):
        type_grid(d, [0.5, 0.2, 1.0])
    g = type_grid(d, np.linspace(0.1, 1.9, 10))
    assert g.edges[0] == 0 and g.edges[-1] == 2 and abs(g.weights.sum() - 1) < 1e-12
    # the learning API names the argument
    with pytest.raises(SpecError, match="grid"):
        A.FirstPrice([U(0, 2)] * 2).equilibrium(method="learn", grid=(np.linspace(0, 1, 64), 64))


def test_bid_grid_and_grid_arguments():
    assert np.allclose(bid_grid(5, 0, 1), [0, 0.25, 0.5, 0.75, 1])
    with pytest.raises(SpecError, match="reserve"):
        bid_grid([0.0, 0.5, 1.0], 0, 1, minimum=0.2)
    with pytest.raises(SpecError, match="grid"):
        A.FirstPrice([U(0, 1)] * 2).equilibrium(method="learn", grid=(64, 1))
    with pytest.raises(SpecError, match="grid"):
        A.FirstPrice([U(0, 1)] * 2).equilibrium(method="learn", grid=(64, 64, 64))
    with pytest.raises(SpecError, match="options"):
        A.FirstPrice([U(0, 1)] * 2).equilibrium(method="learn", options={"iteration": 5})
    with pytest.raises(SpecError, match="bid range"):
        A.FirstPrice([U(0, 1)] * 2).equilibrium(method="learn", options={"bids": (1, 0)})
    with pytest.raises(SpecError, match="reserve"):
        A.FirstPrice([U(0, 1)] * 2, reserve=0.3).equilibrium(method="learn", options={"bids": (0, 1)})
    with pytest.raises(SpecError, match="method"):
        A.FirstPrice([U(0, 1)] * 2).equilibrium(method="lear")


# --- order statistics against a brute-force enumeration of bid profiles ---------------------------

def _brute_utilities(auction, game, strategies, ties):
    """U[t, j] of every bidder by enumerating the other bidders' actions (grid semantics)."""
    n = auction.n_bidders
    r, fee, rho = auction.reserve, auction.entry_fee, auction.risk_aversion
    bids = game.bids
    pmf = [game.type_weights[a] @ strategies[a] for a in range(game.n_agents)]
    agent_of = {i: a for a, members in enumerate(game.classes) for i in members}
    out = []
    for a, members in enumerate(game.classes):
        i = members[0]
        v = game.types[a].points
        U_a = np.zeros((v.size, bids.size))
        others = [j for j in range(n) if j != i]
        for j_own, b in enumerate(bids):
            if not np.isfinite(b):
                continue
            for prof in itertools.product(range(bids.size), repeat=n - 1):
                prob = np.prod([pmf[agent_of[j]][k] for j, k in zip(others, prof)])
                if prob == 0:
                    continue
                ob = np.array([bids[k] for k in prof])
                ob = np.where(np.isfinite(ob), ob, -np.inf)
                top = ob.max() if ob.size else -np.inf
                tied = int(np.sum(ob == b))
                if b > top:
                    p_win = 1.0
                elif b == top:
                    p_win = 0.0 if ties == "lose" else 1.0 / (tied + 1)
                else:
                    p_win = 0.0
                second = max(top if b >= top else -np.inf, r) if b >= top else r
                if auction.format == "first_price":
                    win_u, lose_u = crra(v - b - fee, rho), crra(-fee + 0 * v, rho)
                elif auction.format == "all_pay":
                    win_u, lose_u = crra(v - b - fee, rho), crra(-b - fee + 0 * v, rho)
                else:
                    price = max(top, r) if top > -np.inf else r
                    win_u, lose_u = crra(v - price - fee, rho), crra(-fee + 0 * v, rho)
                del second
                U_a[:, j_own] += prob * (p_win * win_u + (1 - p_win) * lose_u)
        out.append(U_a)
    return out


@pytest.mark.parametrize("cls", [A.FirstPrice, A.SecondPrice, A.AllPay])
@pytest.mark.parametrize("ties", ["lose", "random"])
@pytest.mark.parametrize("setting", ["plain", "reserve_fee", "risk", "asymmetric"])
def test_order_statistics_match_enumeration(cls, ties, setting):
    dists = [U(0, 1)] * 3
    kwargs = {}
    if setting == "reserve_fee":
        kwargs = {"reserve": 0.2, "entry_fee": 0.05}
    elif setting == "risk":
        kwargs = {"risk_aversion": 0.5, "entry_fee": 0.05, "reserve": 0.1}
    elif setting == "asymmetric":
        dists = [U(0, 1), U(0, 2), U(0, 1)]
    auction = cls(dists, **kwargs)
    game = grid_game(auction, grid=(4, 5), ties=ties)
    rng = np.random.default_rng(7)
    sigma = [rng.dirichlet(np.ones(m), size=k) for k, m in zip(game.n_types, game.n_actions)]
    fast = game.utilities(sigma)
    brute = _brute_utilities(auction, game, sigma, ties)
    for f, b in zip(fast, brute):
        assert np.abs(f - b).max() < 1e-12


def test_identical_bidders_share_a_strategy():
    auction = A.FirstPrice([U(0, 1), U(0, 2), U(0, 1), U(0, 1)])
    shared = grid_game(auction, grid=(6, 7))
    assert shared.classes == ((0, 2, 3), (1,))
    alone = grid_game(auction, grid=(6, 7), symmetric=False)
    rng = np.random.default_rng(3)
    s_weak, s_strong = rng.dirichlet(np.ones(7), size=6), rng.dirichlet(np.ones(7), size=6)
    U_shared = shared.utilities([s_weak, s_strong])
    U_alone = alone.utilities([s_weak, s_strong, s_weak, s_weak])
    assert np.abs(U_shared[0] - U_alone[0]).max() < 1e-13
    assert np.abs(U_shared[1] - U_alone[1]).max() < 1e-13


def test_dense_rule_game_matches_order_statistics():
    """A Custom first-price rule with ties split gives the single-item game's utilities."""
    def first_price(b):
        win = (b == b.max(axis=1, keepdims=True)).astype(float)
        win /= win.sum(axis=1, keepdims=True)
        return win, win * b

    for dists in ([U(0, 1)] * 3, [U(0, 1), U(0, 2), stats.beta(2, 2)]):
        fp = grid_game(A.FirstPrice(dists), grid=(5, 8), ties="random", symmetric=False)
        custom = grid_game(A.Custom(dists, rule=first_price, bids=(0, fp.bid_values[-1])), grid=(5, 8),
                           symmetric=False)
        rng = np.random.default_rng(0)
        sigma = [rng.dirichlet(np.ones(8), size=5) for _ in dists]
        for x, y in zip(fp.utilities(sigma), custom.utilities(sigma)):
            assert np.abs(x - y).max() < 1e-13


def test_many_bidders_are_cheap():
    """Ten bidders on 128 x 128: the order-statistic game never forms the 128^10 profiles."""
    game = grid_game(A.AllPay([U(0, 1)] * 10), grid=(128, 128))
    assert game.n_agents == 1 and game.class_sizes == (10,)
    sigma = game.uniform_strategies()
    (u,) = game.utilities(sigma)
    # uniform bids on 128 points: win probability of bid j is ((j + 1/2)/128)^9-ish; check against
    # the closed form for ties "lose": P(all 9 others strictly below) = (j/128)^9
    j = np.arange(128)
    win = (j / 128.0) ** 9
    assert np.allclose(u, game.types[0].points[:, None] * win[None, :] - game.bid_values[None, :])
