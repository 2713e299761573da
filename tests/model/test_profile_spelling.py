"""Profiles by index tuple or by {player: label/value}, and the uniform default prior."""
import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import SpecError


@pytest.fixture
def auction():
    return md.vcg(md.examples.single_item_auction(values=[1, 2, 3, 4], n_bidders=2))


def test_mapping_by_value_equals_tuple_of_indices(auction):
    # values [1, 2, 3, 4]: the value-4 type is index 3, the value-2 type is index 1
    by_value = auction.outcome({"B1": 4, "B2": 2})
    by_label = auction.outcome({"B1": "4", "B2": "2"})
    by_index = auction.outcome((3, 1))
    for other in (by_value, by_label):
        assert np.array_equal(other.transfers, by_index.transfers) and other.alternative == by_index.alternative
    # second-price: B1 wins and pays B2's value 2 (not the index 1)
    assert by_index.alternative == "B1" and by_index.transfers.tolist() == [-2.0, 0.0]


def test_mapping_keys_may_be_player_indices_and_any_order(auction):
    assert auction.outcome({1: 2.0, 0: 4}).transfers.tolist() == [-2.0, 0.0]


@pytest.mark.parametrize("bad, message", [
    ({"B1": 5, "B2": 1}, r"profile\['B1'\]: a type value among \[1.0, 2.0, 3.0, 4.0\] \(numbers in a mapping"),
    ({"B1": 4}, r"a type for every player .* none for \['B2'\]"),
    ({"B1": 4, "B2": 1, "B3": 1}, r"profile key: one of \['B1', 'B2'\]"),
    ({"B1": True, "B2": 1}, r"a type label \(str\) or value \(number\) \(got bool\)"),
    ((4.0, 2.0), r"profile\[0\]: an integer index in 0..3 .* a tuple holds type indices"),
    (("4", "2"), r"a tuple holds type indices .* use a mapping \{player: type\}"),
    ((4, 1), r"profile\[0\]: an index in 0..3 \(got 4\)"),
])
def test_ambiguous_or_wrong_profiles_fail_with_the_rule(auction, bad, message):
    with pytest.raises(SpecError, match=message):
        auction.outcome(bad)


def test_labelled_types_reject_numbers_in_a_mapping():
    env = md.Environment(players=["A", "B"], alternatives=["x", "y"], types=[["lo", "hi"], ["lo", "hi"]],
                         valuations=[[[0, 1], [1, 0]]] * 2)
    mech = md.DirectMechanism(env, decision=np.zeros((2, 2), dtype=int), transfers=np.zeros((2, 2, 2)))
    assert mech.outcome({"A": "hi", "B": "lo"}).alternative == "x"
    with pytest.raises(SpecError, match=r"profile\['A'\]: a type label among \['lo', 'hi'\] \(got 1\)"):
        mech.outcome({"A": 1, "B": "lo"})


def test_lazy_mechanism_and_indirect_mechanism_take_mappings():
    env = md.examples.single_item_auction(values=[1, 2, 3, 4], n_bidders=2)
    lazy = md.vcg(env, lazy=True)
    assert lazy.outcome({"B1": 4, "B2": 2}).transfers.tolist() == [-2.0, 0.0]
    fp = md.examples.first_price_auction(bids=[0, 1, 2], values=[0, 1, 2, 3])
    assert np.array_equal(fp.outcome({"B1": 2, "B2": 1.0}).transfers, fp.outcome((2, 1)).transfers)
    with pytest.raises(SpecError, match=r"an action value among \[0.0, 1.0, 2.0\]"):
        fp.outcome({"B1": 3, "B2": 1})


def test_environment_without_prior_is_uniform_and_positional_calls_still_work():
    vals = [np.zeros((3, 2)), np.zeros((2, 2))]
    env = md.Environment(players=["A", "B"], alternatives=["x", "y"], types=[[0, 1, 2], [0, 1]], valuations=vals)
    assert isinstance(env.prior, md.IndependentPrior)
    assert np.allclose(env.prior.marginal(0), 1 / 3) and np.allclose(env.prior.marginal(1), 1 / 2)
    explicit = md.IndependentPrior([[0.5, 0.25, 0.25], [0.5, 0.5]])
    positional = md.Environment(["A", "B"], ["x", "y"], [[0, 1, 2], [0, 1]], explicit, vals)
    assert positional.prior is explicit
    built = md.Environment.from_function(["A", "B"], ["x", "y"], [[0, 1, 2], [0, 1]], u=lambda i, x, t: t)
    assert np.allclose(built.prior.joint(), 1 / 6)


def test_omitting_the_prior_positionally_names_the_fix():
    with pytest.raises(SpecError, match="valuations: per player"):
        md.Environment(["A"], ["x"], [[1]])
    with pytest.raises(SpecError, match="prior: an IndependentPrior or JointPrior, or None .* valuations= by keyword"):
        md.Environment(["A"], ["x"], [[1]], [[[1.0]]])
