import numpy as np
import pytest
from scipy import stats

import mechdesign as md
from mechdesign.errors import SpecError


def test_truncation_renormalises():
    d = md.auctions.truncate(stats.norm(0.5, 0.3), 0.0, 1.0)
    assert d.support == (0.0, 1.0) and d.truncated
    # independent check: P(V <= 0.5 | 0 <= V <= 1) for the normal, by symmetry = 1/2
    assert d.cdf(0.5) == pytest.approx(0.5, abs=1e-12)
    q = np.linspace(0, 1, 11)
    assert np.allclose(d.cdf(d.ppf(q)), q, atol=1e-10)
    assert np.allclose(d.isf(1 - q), d.ppf(q), atol=1e-10)
    assert "on [0, 1]" in d.name


def test_bounded_scipy_distribution_accepted_as_is():
    d = md.auctions.ValueDistribution(stats.beta(2, 3))
    assert d.support == (0.0, 1.0) and not d.truncated
    assert d.mean() == pytest.approx(0.4, abs=1e-12)  # Beta(2,3) mean a/(a+b)


def test_unbounded_support_without_truncation_is_rejected():
    with pytest.raises(SpecError, match="support must be bounded"):
        md.auctions.FirstPrice([stats.norm(0, 1)] * 2)


def test_not_a_distribution_is_rejected():
    with pytest.raises(SpecError, match=r"distributions\[0\].*frozen scipy.stats"):
        md.auctions.FirstPrice([lambda v: v])


def test_truncation_bounds_must_be_ordered_and_carry_mass():
    with pytest.raises(SpecError, match="low < high"):
        md.auctions.truncate(stats.norm(0, 1), 1.0, 0.0)
    with pytest.raises(SpecError, match="low < high"):
        md.auctions.truncate(stats.expon(), -2.0, -1.0)  # clipped to the support [0, inf): empty
