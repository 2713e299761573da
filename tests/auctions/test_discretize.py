"""Bridge to the finite core: discretised auctions are audited by md.check & co."""

import numpy as np
import pytest
from scipy import stats

import mechdesign as md
from mechdesign.errors import SpecError

A = md.auctions
U = stats.uniform(0, 1)


def test_second_price_discretised_is_dsic_and_ir():
    env, mech = A.SecondPrice([U] * 2).discretize(6)
    assert env.n_types == (6, 6) and env.alternatives == ("bidder 1", "bidder 2", "none")
    # bin means of U[0,1] with 6 equal bins: (2k+1)/12
    assert np.allclose(env.type_values[0], (2 * np.arange(6) + 1) / 12)
    assert md.is_dsic(mech) and md.is_ir(mech, kind="ex_post") and md.is_efficient(mech)
    # revenue = E[min of two discrete uniforms on the bin means]
    vals = (2 * np.arange(6) + 1) / 12
    assert md.expected_revenue(mech) == pytest.approx(np.minimum.outer(vals, vals).mean(), abs=1e-12)


def test_first_price_discretised_payments_and_decision():
    a = A.FirstPrice([U] * 2, reserve=0.3)
    env, mech = a.discretize(4)
    b = a.equilibrium(certify=False)[0]
    vals = env.type_values[0]
    bids = b(vals)
    # profile (3, 1): bidder 1 has the higher value, wins and pays her bid
    assert np.allclose(mech.decision[3, 1], [1, 0, 0])
    assert mech.payments[3, 1, 0] == pytest.approx(bids[3]) and mech.payments[3, 1, 1] == 0
    # profile (0, 0): both below the reserve -> no sale
    assert vals[0] < 0.3 and np.allclose(mech.decision[0, 0], [0, 0, 1])
    # ties split the item
    assert np.allclose(mech.decision[2, 2], [0.5, 0.5, 0])
    assert md.is_ir(mech, kind="interim")


def test_all_pay_every_participant_pays():
    a = A.AllPay([U] * 2)
    env, mech = a.discretize(3)
    bids = a.equilibrium(certify=False)[0](env.type_values[0])
    assert np.allclose(mech.payments[2, 1], [bids[2], bids[1]])


def test_bad_n_types():
    with pytest.raises(SpecError, match="n_types"):
        A.FirstPrice([U] * 2).discretize(0)
