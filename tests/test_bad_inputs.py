"""Issue "Trust" §3-§4, Python API: each listed bad input raises SpecError/SolverError, never a raw exception.

The CLI side of the same cases is in tests/cli/test_safety.py.
"""

import time

import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import SolverError, SpecError


def test_outside_option_as_a_zero_dimensional_array():
    mech = md.vcg(md.examples.public_project())
    assert md.is_ir(mech, outside_option=np.array(1.0)).to_dict() == md.is_ir(mech, outside_option=1.0).to_dict()


@pytest.mark.parametrize("decision,message", [
    (np.zeros((2, 2), dtype=int), r"decision: integer alternative indices of shape \(3, 3\)"),
    (np.full((3, 3), 5), r"decision: alternative indices in 0..1 \(got 5\)"),
    (np.full((3, 3), 0.5), r"decision: a lottery array of shape \(3, 3, 2\)"),
    ([[0, 1], [1]], "decision: .*ragged"),
])
def test_expected_externality_checks_the_decision(decision, message):
    with pytest.raises(SpecError, match=message):
        md.expected_externality(md.examples.public_project(), decision)


def test_ragged_decision_of_a_direct_mechanism():
    env = md.examples.public_project()
    with pytest.raises(SpecError, match="decision: .*ragged"):
        md.DirectMechanism(env, decision=[[0, 1, 0], [1]], transfers=np.zeros((3, 3, 2)))


@pytest.mark.parametrize("kwargs,message", [
    ({"seed": "x"}, "seed: None or a non-negative integer"),
    ({"seed": -1}, "seed: None or a non-negative integer"),
    ({"n_types": 2.5}, r"n_types: an integer ≥ 1 \(got 2.5\)"),
    ({"n_types": [2, "a"]}, r"n_types\[1\]"),
    ({"correlated": "no"}, "correlated: True or False"),
])
def test_random_environment_arguments(kwargs, message):
    with pytest.raises(SpecError, match=message):
        md.examples.random_environment(**kwargs)


def test_game_labels_must_be_lists():
    payoffs = np.zeros((1, 2, 2, 2, 2))
    prior = md.IndependentPrior([[1.0], [0.5, 0.5]])
    for kwargs in ({"type_labels": 5}, {"action_labels": "ab"}, {"type_labels": [5, ["u", "v"]]}):
        with pytest.raises(SpecError, match="labels"):
            md.BayesianGame(prior, payoffs, **kwargs)


def test_auction_equilibrium_options_are_named():
    from scipy import stats

    sym = md.auctions.FirstPrice([stats.uniform(0, 1)] * 2)
    asym = md.auctions.FirstPrice([stats.uniform(0, 1), stats.uniform(0, 2)])
    with pytest.raises(SpecError, match="symmetric solver takes no options"):
        sym.equilibrium(bogus=1)
    with pytest.raises(SpecError, match=r"options: names among \['steps', .*\(got \['bogus'\]\)"):
        asym.equilibrium(bogus=1)


def test_lcp_seed_must_be_non_negative():
    game = md.BayesianGame.from_mechanism(md.examples.first_price_auction())
    for seed in (-1, "x", 1.5):
        with pytest.raises(SpecError, match=r"options\['seed'\]: None or a non-negative integer"):
            md.solve_bne(game, method="lcp", options={"seed": seed})


def test_pure_bne_of_a_one_player_game_is_her_optimal_plan():
    env = md.Environment(["A"], ["x", "y"], [[0, 1]], md.IndependentPrior([[0.5, 0.5]]),
                         [np.array([[0.0, 1.0], [1.0, 0.0]])])
    game = md.BayesianGame.from_mechanism(md.Mechanism(env, actions=[[0, 1]],
                                                       outcome=(np.array([0, 1]), np.zeros((2, 1)))))
    result = md.solve_bne(game, method="pure")
    assert [e.strategies[0].tolist() for e in result.equilibria] == [[1, 0]]     # type 0 wants y, type 1 wants x


def test_design_with_a_single_type_per_player():
    env = md.Environment(["A", "B"], ["x", "y"], [[0], [0]], md.IndependentPrior([[1.0], [1.0]]),
                         [np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]])])
    # no misreport exists, so incentive rows are empty; revenue is unbounded without participation constraints
    assert md.design(env, "revenue", ["dsic"]).status == "unbounded"
    res = md.design(env, "revenue", ["bic", "ir_interim"])
    assert res.status == "optimal" and abs(res.value - 1.0) < 1e-9     # extract the whole surplus of 1


@pytest.mark.parametrize("call,message", [
    (lambda env: md.agv(env, allow_correlated="no"), "allow_correlated: True or False"),
    (lambda env: md.agv(env, lazy="yes"), "lazy: True or False"),
    (lambda env: md.vcg(env, lazy="yes"), "lazy: True or False"),
    (lambda env: md.groves(env, h=[np.zeros(3), np.zeros(3)], lazy=1), "lazy: True or False"),
    (lambda env: md.is_budget_balanced(md.vcg(env), ex_ante="yes"), "ex_ante: True or False"),
])
def test_booleans_are_booleans(call, message):
    with pytest.raises(SpecError, match=message):
        call(md.examples.public_project())


# --------------------------------------------------------------------- built-in games match alternatives by name
def test_posted_price_matches_trade_by_name():
    base = md.examples.bilateral_trade()
    flipped = md.Environment(base.players, ["no trade", "trade"], [list(t) for t in base.type_values],
                             base.prior, [u[:, ::-1] for u in base.valuations])
    for env in (base, flipped):
        mech = md.examples.posted_price_trade(price=1.0, env=env)
        assert mech.outcome((1, 1)).alternative == "trade"              # both answer "yes"
        assert mech.outcome((0, 1)).alternative == "no trade"


def test_auction_alternatives_in_any_order_give_the_same_equilibria():
    base = md.examples.single_item_auction(values=[0, 1, 2], n_bidders=2)
    order = [2, 0, 1]                                       # [none, B1, B2]
    shuffled = md.Environment(base.players, [base.alternatives[k] for k in order], [list(t) for t in base.type_values],
                              base.prior, [u[:, order] for u in base.valuations])
    eqs = [md.solve_bne(md.BayesianGame.from_mechanism(md.examples.first_price_auction(bids=[0, 1], env=e)))
           for e in (base, shuffled)]
    assert [q.strategies[0].tolist() for q in eqs[0].equilibria] == [q.strategies[0].tolist() for q in eqs[1].equilibria]
    assert any(np.any(q.strategies[0] > 0) for q in eqs[1].equilibria)     # not "every type bids 0"


@pytest.mark.parametrize("alternatives", [["sold", "unsold", "x"], ["B1", "B2", "B3"], ["B1", "none", "B1 wins"]])
def test_unmatched_auction_alternatives_are_refused(alternatives):
    base = md.examples.single_item_auction(values=[0, 1], n_bidders=2)
    env = md.Environment(base.players, alternatives, [list(t) for t in base.type_values], base.prior,
                         list(base.valuations))
    with pytest.raises(SpecError, match="env.alternatives"):
        md.examples.first_price_auction(env=env)


# ------------------------------------------------------------------------------------------------------- Dask
def test_scheduler_addresses_are_checked_before_connecting():
    mech = md.vcg(md.examples.public_project())
    for address in ("not a url", "tcp://host", "http://x:1", "tcp://127.0.0.1:99999"):
        start = time.perf_counter()
        with pytest.raises(SpecError, match="scheduler: a Dask scheduler address"):
            md.check(mech, backend="dask", scheduler=address)
        assert time.perf_counter() - start < 1.0


def test_unreachable_scheduler_fails_fast():
    start = time.perf_counter()
    with pytest.raises(SpecError, match="scheduler: a running Dask scheduler"):
        md.is_dsic(md.vcg(md.examples.public_project()), backend="dask", scheduler="tcp://127.0.0.1:1")
    assert time.perf_counter() - start < 15


def test_a_cluster_without_workers_is_a_solver_error(monkeypatch):
    from distributed import Client, LocalCluster

    from mechdesign.compute import backends

    monkeypatch.setattr(backends, "NO_WORKER_GRACE", 0.5)
    with LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as cluster, \
            Client(cluster, set_as_default=False) as client:
        start = time.perf_counter()
        with pytest.raises(SolverError, match="dask: the cluster has no worker"):
            md.is_dsic(md.vcg(md.examples.public_project()), backend="dask", scheduler=client)
        assert time.perf_counter() - start < 30


def slow_square(x):
    time.sleep(0.05)
    return {"square": x * x}


def test_all_workers_lost_mid_run_is_a_solver_error(monkeypatch):
    from distributed import Client, LocalCluster

    from mechdesign.compute import backends

    monkeypatch.setattr(backends, "NO_WORKER_GRACE", 0.5)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster, \
            Client(cluster, set_as_default=False) as client:
        state = {"closed": False}

        def lose_every_worker(done, total):
            if not state["closed"]:
                state["closed"] = True
                for worker in list(cluster.workers.values()):
                    cluster.sync(worker.close)

        with pytest.raises(SolverError, match="dask: .*lost"):
            md.sweep(slow_square, {"x": list(range(40))}, backend="dask", scheduler=client, progress=lose_every_worker)
        assert state["closed"]
