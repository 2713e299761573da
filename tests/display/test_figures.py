"""Plots return figures with the expected artists, displayable inline (PNG) and savable."""
import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy import stats

import mechdesign as md
from mechdesign.errors import SpecError

PNG = b"\x89PNG\r\n\x1a\n"


def test_auction_plots_return_displayable_figures(tmp_path):
    A = md.auctions
    eq = A.FirstPrice([stats.uniform(0, 1)] * 2).equilibrium()
    fig = A.plot_bids(eq)
    assert isinstance(fig, Figure) and fig._repr_png_().startswith(PNG)
    ax, = fig.axes
    x, y = ax.lines[0].get_data()
    assert np.allclose(y, x / 2, atol=1e-9)             # b(v) = v/2 for two U[0,1] bidders
    fig.savefig(tmp_path / "bids.png")
    assert (tmp_path / "bids.png").read_bytes().startswith(PNG)
    opt = A.myerson([stats.uniform(0, 1)] * 2)
    assert A.plot_virtual_values(opt).axes[0].lines and A.plot_revenue_curve(opt).axes[0].lines
    assert len(A.auction_figure(eq, opt).axes) == 3 and A.auction_figure(eq)._repr_png_().startswith(PNG)


def test_plot_into_given_axes_returns_its_figure():
    from mechdesign.display.figures import new_figure

    fig = new_figure()
    ax = fig.add_subplot()
    eq = md.auctions.SecondPrice([stats.uniform(0, 1)] * 2).equilibrium(certify=False)
    assert md.auctions.plot_bids(eq, ax=ax) is fig and len(ax.lines) == 3


def test_interim_rules_of_the_second_price_auction():
    # VCG = second price, values 0..3 uniform, ties to the lowest index (B1):
    # P(B1 wins | v) = (v + 1)/4, P(B2 wins | v) = v/4; expected payment of B1 at v = E[v_B2; v_B2 ≤ v]/4
    env = md.examples.single_item_auction(values=[0, 1, 2, 3])
    rules = md.interim_rules(md.vcg(env))
    assert np.allclose(rules.allocation[0][:, 0], [0.25, 0.5, 0.75, 1.0])
    assert np.allclose(rules.allocation[1][:, 1], [0.0, 0.25, 0.5, 0.75])
    assert np.allclose(rules.payment[0], [0, 1 / 4, 3 / 4, 6 / 4])
    assert np.allclose(rules.payment[1], [0, 0, 1 / 4, 3 / 4])
    # interim utility = value · P(win) − payment
    assert np.allclose(rules.utility[0], np.arange(4) * rules.allocation[0][:, 0] - rules.payment[0])
    frame = rules.to_frame()
    assert list(frame.index.names) == ["player", "type"] and "expected payment" in frame.columns
    assert "expected payment" in rules._repr_html_()


def test_interim_rules_under_a_correlated_prior_use_beliefs_and_nan_for_null_types():
    env = md.examples.single_item_auction(values=[0, 1, 2])
    joint = np.array([[0.3, 0.1, 0.0], [0.1, 0.3, 0.0], [0.0, 0.0, 0.2]])
    env = env.with_prior(md.JointPrior(joint))
    rules = md.interim_rules(md.vcg(env))
    mech = md.vcg(env)
    for t in range(3):      # by hand from the conditional beliefs
        belief = env.prior.belief(0, t)
        win = sum(belief[s] * mech.decision[t, s, 0] for s in range(3))
        assert np.isclose(rules.allocation[0][t, 0], win)
    null = md.JointPrior(np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]) + 0.0)
    rules = md.interim_rules(md.vcg(env.with_prior(null)))
    assert np.isnan(rules.payment[0][1:]).all() and not np.isnan(rules.payment[0][0])


def test_plot_interim_draws_allocation_and_payment_per_player_and_mechanism(tmp_path):
    env = md.examples.single_item_auction(values=[0, 1, 2, 3])
    fig = md.plot_interim([md.vcg(env), md.agv(env)])
    assert isinstance(fig, Figure) and len(fig.axes) == 4 and fig._repr_png_().startswith(PNG)
    top = fig.axes[0]
    assert [l.get_label() for l in top.lines] == ["VCG P(wins)", "AGV P(wins)"]
    assert np.allclose(top.lines[0].get_ydata(), [0.25, 0.5, 0.75, 1.0])
    payment_b1 = fig.axes[2]
    assert np.allclose(payment_b1.lines[0].get_ydata(), md.interim_rules(md.vcg(env)).payment[0])
    fig.savefig(tmp_path / "interim.png")


def test_plot_interim_of_a_public_project_draws_every_alternative_or_the_chosen_ones():
    env = md.examples.public_project()
    fig = md.plot_interim(md.vcg(env))
    assert [l.get_label() for l in fig.axes[0].lines] == ["P(build)", "P(skip)"]
    fig = md.plot_interim(md.vcg(env), alternatives="build")
    assert [l.get_label() for l in fig.axes[0].lines] == ["P(build)"]
    with pytest.raises(SpecError, match="alternatives"):
        md.plot_interim(md.vcg(env), alternatives="demolish")
    with pytest.raises(SpecError, match="mechanisms: at least one"):
        md.plot_interim([])
