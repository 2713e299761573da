"""Indirect mechanisms: outcome given as arrays or a callable, validated once."""
import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import SpecError


@pytest.fixture
def env():
    return md.examples.single_item_auction(values=[0, 1, 2])


def test_callable_and_arrays_agree(env):
    def g(bids):
        return ("B1", [-bids[0], 0.0]) if bids[0] >= bids[1] else ("B2", [0.0, -bids[1]])
    from_callable = md.Mechanism(env, actions=[[0, 1], [0, 1]], outcome=g)
    decision = np.array([[0, 0], [0, 0]])
    decision[0, 1] = 1
    transfers = np.array([[[0, 0], [0, -1]], [[-1, 0], [-1, 0]]], dtype=float)
    from_arrays = md.Mechanism(env, actions=[[0, 1], [0, 1]], outcome=(decision, transfers))
    assert np.array_equal(from_callable.decision, from_arrays.decision)
    assert np.array_equal(from_callable.transfers, from_arrays.transfers)
    assert from_callable.outcome((0, 1)).alternative == "B2"
    assert not from_arrays.transfers.flags.writeable


def test_lottery_outcome(env):
    mech = md.Mechanism(env, actions=[["x"], ["y", "z"]],
                        outcome=lambda a: ([0.5, 0.5, 0.0], [0.0, 0.0]) if a[1] == "y" else (2, [1.0, -1.0]))
    assert not mech.is_deterministic
    assert mech.decision[0, 0].tolist() == [0.5, 0.5, 0.0]
    assert mech.action_index(1, "z") == 1


def test_input_not_mutated(env):
    decision = np.zeros((2, 2), dtype=int)
    transfers = np.zeros((2, 2, 2))
    md.Mechanism(env, actions=[[0, 1], [0, 1]], outcome=(decision, transfers))
    assert decision.flags.writeable and transfers.flags.writeable


@pytest.mark.parametrize("outcome, match", [
    ((np.zeros((2, 3), dtype=int), np.zeros((2, 2, 2))), "decision"),
    ((np.full((2, 2), 7), np.zeros((2, 2, 2))), "alternative indices in 0..2"),
    ((np.zeros((2, 2), dtype=int), np.zeros((2, 2, 3))), "transfers"),
    ((np.full((2, 2, 3), 0.5), np.zeros((2, 2, 2))), "sum to 1"),
    (lambda a: 1 / 0, "ZeroDivisionError"),
    (lambda a: (0,), "pair"),
    (lambda a: ("nowhere", [0, 0]), "alternative"),
    ("nonsense", "outcome"),
])
def test_bad_outcomes(env, outcome, match):
    with pytest.raises(SpecError, match=match):
        md.Mechanism(env, actions=[[0, 1], [0, 1]], outcome=outcome)


def test_bad_actions(env):
    with pytest.raises(SpecError, match="actions"):
        md.Mechanism(env, actions=[[0, 1]], outcome=(np.zeros((2,), dtype=int), np.zeros((2, 2))))
    with pytest.raises(SpecError, match="actions"):
        md.Mechanism(env, actions=[[0, 0], [0, 1]], outcome=(np.zeros((2, 2), dtype=int), np.zeros((2, 2, 2))))
