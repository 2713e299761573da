"""Audits: known answers, cross-checks against brute force, bad input."""

import numpy as np
import pytest

import mechdesign as md
from mechdesign.errors import SpecError
from tests import brute

TYPES = np.array([10.0, 30.0, 45.0])


def pp_env(prior=None):
    return md.examples.public_project(types=list(TYPES), cost=50, prior=prior)


def pp_efficient():
    # build (index 0) iff θ_A + θ_B > 50, the cost
    return np.where(TYPES[:, None] + TYPES[None, :] > 50, 0, 1)


def pp_clarke_by_hand():
    """Clarke pivot worked by hand: m_i = u_j(x*) − max(u_j(build), 0), u_j(build) = θ_j − 25."""
    net = TYPES - 25
    m = np.zeros((3, 3, 2))
    for a in range(3):
        for b in range(3):
            build = TYPES[a] + TYPES[b] > 50
            m[a, b, 0] = (net[b] if build else 0.0) - max(net[b], 0.0)
            m[a, b, 1] = (net[a] if build else 0.0) - max(net[a], 0.0)
    return m


def test_efficient_rule_without_transfers_is_not_dsic():
    # Type 30 facing a report of 10: truth gives skip (0), reporting 45 builds: 30 − 25 = 5.
    mech = md.DirectMechanism(pp_env(), pp_efficient(), np.zeros((3, 3, 2)))
    r = md.is_dsic(mech)
    assert not r and r.violation == pytest.approx(5.0)
    w = r.witness
    assert (w.player, w.true_type, w.report, w.others) == ("A", "30", "45", {"B": "10"})
    assert w.gain == pytest.approx(5.0) and w.profile == (2, 0)
    # the gain the witness claims is real: compare the two utilities directly
    env = mech.env
    assert (env.valuations[0][1] @ mech.decision[2, 0] - env.valuations[0][1] @ mech.decision[1, 0]) == 5.0
    assert md.is_efficient(mech)


def test_clarke_transfers_by_hand_are_dsic_bic_and_weakly_budget_balanced():
    mech = md.DirectMechanism(pp_env(), pp_efficient(), pp_clarke_by_hand())
    assert md.is_dsic(mech) and md.is_bic(mech) and md.is_efficient(mech)
    assert md.is_budget_balanced(mech, "weak")
    strong = md.is_budget_balanced(mech, "strong")
    # At (45, 10): build; B is pivotal? u_B = −15 < 0 so B's pivot is 0 and A pays 0; A pivotal: pays 15.
    assert not strong and strong.violation == pytest.approx(float(np.abs(pp_clarke_by_hand().sum(-1)).max()))
    assert md.expected_revenue(mech) == pytest.approx(-pp_clarke_by_hand().sum(-1).mean())


def _indep():
    return md.IndependentPrior([[0.5, 0.5], [0.5, 0.5]])


def _corr():
    return md.JointPrior([[0.45, 0.05], [0.05, 0.45]])


def _two_type_env(prior, values_a):
    zeros = np.zeros((2, 2))
    return md.Environment(["A", "B"], ["x", "y"], [[0, 1], [0, 1]], prior, [values_a, zeros])


def test_bic_under_independence_but_not_correlation():
    # A is paid 1 when her report MISmatches B's type. Independent uniform: either report expects 0.5.
    # Correlated (belief 0.9 on a match): type 0 truthfully expects 0.1, lying expects 0.9: gain 0.8.
    t = np.zeros((2, 2, 2))
    t[0, 1, 0] = t[1, 0, 0] = 1.0
    dec = np.zeros((2, 2), dtype=int)
    assert md.is_bic(md.DirectMechanism(_two_type_env(_indep(), np.zeros((2, 2))), dec, t))
    r = md.is_bic(md.DirectMechanism(_two_type_env(_corr(), np.zeros((2, 2))), dec, t))
    assert not r and r.violation == pytest.approx(0.8) and r.witness.player == "A"


def test_bic_under_correlation_but_not_independence():
    # A's report 1 picks y, which type 0 values at 0.3; A earns 1 when her report MATCHES B's type.
    # Independent: type 0 truthful 0.5, lying 0.3 + 0.5 = 0.8 (gain 0.3).
    # Correlated: truthful 0.9, lying 0.3 + 0.1 = 0.4; type 1: truthful 0.9 vs 0.1.
    values_a = np.array([[0.0, 0.3], [0.0, 0.0]])
    t = np.zeros((2, 2, 2))
    t[0, 0, 0] = t[1, 1, 0] = 1.0
    dec = np.array([[0, 0], [1, 1]])
    r = md.is_bic(md.DirectMechanism(_two_type_env(_indep(), values_a), dec, t))
    assert not r and r.violation == pytest.approx(0.3)
    assert (r.witness.true_type, r.witness.report) == ("0", "1")
    assert md.is_bic(md.DirectMechanism(_two_type_env(_corr(), values_a), dec, t))


def _random_mechanism(env, rng, randomized):
    shape = env.n_types
    if randomized:
        dec = rng.dirichlet(np.ones(env.n_alternatives), size=shape)
    else:
        dec = rng.integers(0, env.n_alternatives, size=shape)
    return md.DirectMechanism(env, dec, rng.normal(size=(*shape, env.n_players)))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("correlated", [False, True])
@pytest.mark.parametrize("interdependent", [False, True])
def test_vectorised_audits_match_brute_force(seed, correlated, interdependent):
    env = md.examples.random_environment(3, [2, 3, 2], 3, seed=seed, correlated=correlated,
                                         interdependent=interdependent)
    rng = np.random.default_rng(seed)
    mech = _random_mechanism(env, rng, randomized=bool(seed % 2))
    assert md.is_dsic(mech).violation == pytest.approx(brute.dsic_violation(mech), abs=1e-12)
    assert md.is_bic(mech).violation == pytest.approx(brute.bic_violation(mech), abs=1e-12)
    assert md.is_efficient(mech).violation == pytest.approx(brute.efficiency_loss(mech), abs=1e-12)


def test_dsic_witness_is_exact():
    env = md.examples.random_environment(2, 3, 3, seed=11)
    mech = _random_mechanism(env, np.random.default_rng(1), randomized=False)
    r = md.is_dsic(mech)
    w = r.witness
    i = w.player_index
    true_prof = list(w.profile)
    true_prof[i] = w.true_type_index
    gain = brute.utility(mech, i, tuple(true_prof), w.profile) - brute.utility(mech, i, tuple(true_prof), tuple(true_prof))
    assert gain == pytest.approx(r.violation, abs=1e-12)


def test_ir_kinds_and_outside_option():
    # Bilateral trade, trade at a fixed price 1 whenever v > c: seller of cost 2 never trades.
    env = md.examples.bilateral_trade([0, 2], [1, 3])
    dec = np.array([[0, 0], [1, 0]])
    m = np.zeros((2, 2, 2))
    for c in range(2):
        for b in range(2):
            if dec[c, b] == 0:
                m[c, b] = [1.5, -1.5]
    mech = md.DirectMechanism(env, dec, m)
    post = md.is_ir(mech, "ex_post")
    # seller cost 2 sells at 1.5 when buyer has value 3: −0.5; buyer value 1 pays 1.5: −0.5
    assert not post and post.violation == pytest.approx(0.5)
    assert md.is_ir(mech, "ex_post", outside_option=-0.5)
    interim = md.is_ir(mech, "interim")
    assert interim.violation == pytest.approx(0.25)     # buyer of value 1: (−0.5 + 0) / 2
    assert md.is_ir(mech, "ex_ante")
    per_type = [np.array([0.0, -1.0]), np.array([-1.0, 0.0])]
    assert md.is_ir(mech, "ex_post", outside_option=per_type)


def test_budget_balance_kinds():
    env = md.examples.bilateral_trade([0, 2], [1, 3])
    m = np.zeros((2, 2, 2))
    m[0, 0] = [1.0, 0.0]          # the designer pays 1 at one profile
    m[1, 1] = [0.0, -2.0]         # and collects 2 at another
    mech = md.DirectMechanism(env, np.zeros((2, 2), dtype=int), m)
    weak = md.is_budget_balanced(mech, "weak")
    assert not weak and weak.violation == 1.0 and weak.witness.profile == (0, 0)
    assert md.is_budget_balanced(mech, "strong").violation == 2.0
    assert md.is_budget_balanced(mech, "weak", ex_ante=True)          # E[Σm] = (1 − 2)/4 < 0
    assert md.is_budget_balanced(mech, "strong", ex_ante=True).violation == pytest.approx(0.25)


def test_efficiency_of_randomized_rules():
    env = pp_env()
    lottery = np.eye(2)[pp_efficient()]
    assert md.is_efficient(md.DirectMechanism(env, lottery, np.zeros((3, 3, 2))))
    mixed = lottery.copy()
    mixed[2, 2] = [0.5, 0.5]   # (45, 45): building gives 40, skipping 0: a coin loses 20
    r = md.is_efficient(md.DirectMechanism(env, mixed, np.zeros((3, 3, 2))))
    assert not r and r.violation == pytest.approx(20.0) and r.witness.profile == (2, 2)


def test_tolerances():
    mech = md.DirectMechanism(pp_env(), pp_efficient(), np.full((3, 3, 2), 1e-10))
    r = md.is_budget_balanced(mech, "weak", atol=0, rtol=0)
    assert not r and r.violation == pytest.approx(2e-10)
    assert md.is_budget_balanced(mech, "weak", atol=1e-9, rtol=0)
    # a budget compares transfers only: the scale is the largest |m_i| = 1e-10, not the valuations
    assert md.is_budget_balanced(mech, "weak", atol=0, rtol=2.5)
    assert not md.is_budget_balanced(mech, "weak", atol=0, rtol=1.5)
    with pytest.raises(SpecError, match="atol"):
        md.is_dsic(mech, atol=-1)


def test_bad_audit_input():
    mech = md.DirectMechanism(pp_env(), pp_efficient(), pp_clarke_by_hand())
    with pytest.raises(SpecError, match=r"kind: one of \['ex_post', 'interim', 'ex_ante'\]"):
        md.is_ir(mech, "expost")
    with pytest.raises(SpecError, match="kind: one of"):
        md.is_budget_balanced(mech, "exact")
    with pytest.raises(SpecError, match="mech: a DirectMechanism"):
        md.is_dsic("not a mechanism")
    with pytest.raises(SpecError, match="outside_option"):
        md.is_ir(mech, outside_option=[1.0])
