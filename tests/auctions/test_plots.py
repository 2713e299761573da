import numpy as np
from scipy import stats

import mechdesign as md
from tests.auctions._dists import bimodal

A = md.auctions


def test_bid_plot_has_one_line_per_bidder_plus_diagonal(tmp_path):
    eq = A.FirstPrice([stats.uniform(0, 1), stats.uniform(0, 2)]).equilibrium(certify=False)
    fig = A.plot_bids(eq)
    ax, = fig.axes
    assert len(ax.get_lines()) == 3
    x, y = ax.get_lines()[0].get_data()
    assert np.allclose(y, eq[0](x), equal_nan=True)
    fig.savefig(tmp_path / "bids.png")


def test_virtual_value_plot_shades_ironed_interval_and_revenue_curve():
    opt = A.myerson([bimodal()])
    ax, = A.plot_virtual_values(opt).axes
    assert len(ax.patches) == 1  # one ironed interval
    ax2, = A.plot_revenue_curve(opt, 0).axes
    q, R = ax2.get_lines()[0].get_data()
    assert np.allclose(R, opt.revenue_curve(0)[1])


def test_auction_figure_panels():
    eq = A.SecondPrice([stats.uniform(0, 1)] * 2).equilibrium(certify=False)
    assert len(A.auction_figure(eq).axes) == 1
    assert len(A.auction_figure(eq, A.myerson([stats.uniform(0, 1)] * 2)).axes) == 3
