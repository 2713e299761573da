import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import SpecError


def _prior():
    return md.IndependentPrior([[0.5, 0.5], [0.5, 0.5]])


def _vals():
    return [[[-15.0, 0.0], [15.0, 0.0]], [[-15.0, 0.0], [15.0, 0.0]]]


def test_private_values_environment():
    env = md.Environment(["A", "B"], ["build", "skip"], [[10, 40], [10, 40]], _prior(), _vals())
    assert env.n_players == 2 and env.n_alternatives == 2 and env.n_types == (2, 2)
    assert env.private_values and env.n_profiles == 4
    assert env.type_labels[0] == ("10", "40")
    np.testing.assert_allclose(env.total_valuation()[1, 1], [30.0, 0.0])
    assert env.type_index("A", 40.0) == 1 and env.type_index("A", "10") == 0
    assert env.player_index("B") == 1 and env.alternative_index("skip") == 1


def test_mapping_arguments_by_player_name():
    env = md.Environment(["A", "B"], ["build", "skip"], {"B": [1, 2], "A": [1, 2]}, _prior(),
                         {"A": _vals()[0], "B": _vals()[1]})
    assert env.n_types == (2, 2)


def test_interdependent_values_shape():
    rng = np.random.default_rng(1)
    vals = [rng.normal(size=(2, 3, 2)), rng.normal(size=(2, 3, 2))]
    prior = md.IndependentPrior([[0.5, 0.5], [0.2, 0.3, 0.5]])
    env = md.Environment(["A", "B"], ["x", "y"], [[0, 1], [0, 1, 2]], prior, vals)
    assert not env.private_values
    np.testing.assert_allclose(env.total_valuation(), vals[0] + vals[1])


def test_from_function_private_and_interdependent():
    prior = md.IndependentPrior([[0.5, 0.5], [0.5, 0.5]])
    env = md.Environment.from_function(["A", "B"], ["build", "skip"], [[10, 40], [10, 40]], prior,
                                       u=lambda i, x, t: (t - 25.0) if x == "build" else 0.0)
    np.testing.assert_allclose(env.valuations[0], _vals()[0])
    inter = md.Environment.from_function(["A", "B"], ["build", "skip"], [[10, 40], [10, 40]], prior,
                                         u=lambda i, x, th: (sum(th) / 2 - 25.0) if x == "build" else 0.0,
                                         interdependent=True)
    assert inter.valuations[1].shape == (2, 2, 2)
    assert inter.valuations[1][0, 1, 0] == pytest.approx(0.0)   # (10 + 40) / 2 - 25


def test_from_function_reports_failing_call():
    with pytest.raises(SpecError, match=r"u: .*ZeroDivisionError"):
        md.Environment.from_function(["A"], ["x"], [[0, 1]], md.IndependentPrior([[0.5, 0.5]]),
                                     u=lambda i, x, t: 1 / t)


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(players=["A", "A"]), "players: unique names"),
    (dict(alternatives=["build", "build"]), "alternatives: unique names"),
    (dict(types=[[10, 40]]), "types: one entry per player"),
    (dict(types={"A": [10, 40], "C": [1, 2]}), "unknown"),
    (dict(prior=md.IndependentPrior([[1.0], [0.5, 0.5]])), "prior: type counts"),
    (dict(valuations=[[[1.0, 0.0]], _vals()[1]]), r"valuations\['A'\]: shape \(2, 2\)"),
    (dict(valuations=[[[np.nan, 0.0], [1.0, 0.0]], _vals()[1]]), "finite numbers only"),
    (dict(valuations=[[[np.inf, 0.0], [1.0, 0.0]], _vals()[1]]), "finite numbers only"),
    (dict(prior=[[0.5, 0.5], [0.5, 0.5]]), "prior: an IndependentPrior or JointPrior"),
    (dict(types=[[10, 10], [10, 40]]), "distinct type values"),
])
def test_bad_environment(kwargs, fragment):
    args = dict(players=["A", "B"], alternatives=["build", "skip"], types=[[10, 40], [10, 40]],
                prior=_prior(), valuations=_vals())
    args.update(kwargs)
    with pytest.raises(SpecError, match=fragment):
        md.Environment(**args)


def test_environment_does_not_alias_or_mutate_input():
    vals = [np.array(v) for v in _vals()]
    env = md.Environment(["A", "B"], ["build", "skip"], [[10, 40], [10, 40]], _prior(), vals)
    vals[0][0, 0] = 99.0
    assert env.valuations[0][0, 0] == -15.0
    with pytest.raises(ValueError):
        env.valuations[0][0, 0] = 1.0


def test_profile_out_of_range():
    env = md.Environment(["A", "B"], ["build", "skip"], [[10, 40], [10, 40]], _prior(), _vals())
    with pytest.raises(SpecError, match=r"profile\[1\]: an index in 0..1 \(got 2\)"):
        env.check_profile((0, 2))
    with pytest.raises(SpecError, match="2 type indices"):
        env.check_profile((0,))
    with pytest.raises(SpecError, match="player: one of"):
        env.player_index("Z")
    with pytest.raises(SpecError, match="alternative: one of"):
        env.alternative_index("demolish")


def test_to_dict_round_trips_through_spec():
    from mechdesign.io.spec import parse_spec

    env = md.examples.public_project()
    again = parse_spec(env.to_dict()).environment()
    assert again.players == env.players and again.n_types == env.n_types
    for a, b in zip(again.valuations, env.valuations):
        np.testing.assert_array_equal(a, b)


def test_to_dict_is_plain_yaml_data():
    import yaml

    text = yaml.safe_dump(md.examples.public_project().to_dict())
    assert "build" in text


def test_close_type_values_get_distinct_labels():
    prior = md.IndependentPrior([[0.5, 0.5]])
    env = md.Environment(["A"], ["x"], [[99.99999999999999, 100.0]], prior, [[[0.0], [1.0]]])
    assert len(set(env.type_labels[0])) == 2
