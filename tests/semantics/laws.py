"""Random finite environments for the semantics tests: product laws with null types, dyadic values.

Values and transfers are multiples of 1/16 of moderate size, so adding an offset up to 1e12
(or 1e13) is exact in float64: an invariance test then compares the same numbers on paper.
"""

import numpy as np
from hypothesis import strategies as st

import mechdesign as md


@st.composite
def product_laws(draw, max_players=3, max_types=3, null_types=True):
    """Marginals (one per player) with some zero entries; every player keeps one positive type."""
    n = draw(st.integers(2, max_players))
    marginals = []
    for _ in range(n):
        k = draw(st.integers(1 if not null_types else 2, max_types))
        weights = draw(st.lists(st.integers(0 if null_types else 1, 4), min_size=k, max_size=k))
        if sum(weights) == 0:
            weights[draw(st.integers(0, k - 1))] = 1
        marginals.append(np.array(weights, float) / sum(weights))
    return marginals


def joint_of(marginals):
    joint = np.ones(())
    for m in marginals:
        joint = np.multiply.outer(joint, m)
    return joint


def dyadic(rng, shape, low=-32, high=32):
    """Multiples of 1/16 in [low, high] (exact under offsets up to 1e13)."""
    return rng.integers(low * 16, high * 16 + 1, size=shape) / 16.0


def environment(marginals, n_alternatives, rng, form="independent"):
    """A private-values environment on the law; ``form`` is "independent" or "joint"."""
    prior = md.IndependentPrior(marginals) if form == "independent" else md.JointPrior(joint_of(marginals))
    n_types = [len(m) for m in marginals]
    valuations = [dyadic(rng, (k, n_alternatives), -8, 8) for k in n_types]
    return md.Environment([f"P{i}" for i in range(len(n_types))], [f"x{a}" for a in range(n_alternatives)],
                          [list(range(k)) for k in n_types], prior, valuations)


def both_forms(marginals, n_alternatives, seed):
    """The same environment written with an IndependentPrior and with the equal JointPrior."""
    return (environment(marginals, n_alternatives, np.random.default_rng(seed), "independent"),
            environment(marginals, n_alternatives, np.random.default_rng(seed), "joint"))


def random_mechanism(env, rng, randomized=False):
    n_types = env.n_types
    if randomized:
        decision = rng.dirichlet(np.ones(env.n_alternatives), size=n_types)
    else:
        decision = rng.integers(0, env.n_alternatives, size=n_types)
    return md.DirectMechanism(env, decision, dyadic(rng, (*n_types, env.n_players), -4, 4))
