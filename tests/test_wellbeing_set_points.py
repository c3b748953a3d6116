"""Personal set points of well-being: a skew that gives life satisfaction its long lower tail
without moving the mean or the spread, and the plain normal when the skew is zero."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from coauthor_sim.mechanisms.wellbeing import set_points
from coauthor_sim.model import CoauthorModel


def test_zero_skew_is_the_plain_normal_draw():
    z = np.random.default_rng(1).standard_normal(1000)
    assert np.array_equal(set_points(z, 0.14, 0.0), 0.14 * z)


@pytest.mark.parametrize("skew", [-1e-308, -1e-12, -2e-6, -1e-4])
def test_a_tiny_skew_is_finite_and_all_but_the_normal_draw(skew):
    z = np.random.default_rng(1).standard_normal(1000)
    x = set_points(z, 0.14, skew)
    assert np.isfinite(x).all()
    np.testing.assert_allclose(x, 0.14 * z, atol=1e-3)


@pytest.mark.parametrize("skew", [-0.2, -0.5, -1.0])
def test_negative_skew_keeps_mean_and_spread_and_lengthens_the_lower_tail(skew):
    z = np.random.default_rng(2).standard_normal(400_000)
    x = set_points(z, 0.15, skew)
    assert abs(x.mean()) < 0.003 and x.std() == pytest.approx(0.15, rel=0.05)
    assert stats.skew(x) < -0.5
    # the lower tail is longer than the upper one
    assert -np.quantile(x, 0.01) > np.quantile(x, 0.99)
    # more skew, longer lower tail
    assert stats.skew(set_points(z, 0.15, skew - 0.2)) < stats.skew(x)


def test_a_skewed_population_has_more_people_far_below_the_mean():
    small = {"n_citizens": 400, "steps": 1}
    plain = CoauthorModel(seed=3, **small).citizens.disposition
    skewed = CoauthorModel(seed=3, wellbeing_disposition_skew=-0.8, **small).citizens.disposition
    assert np.mean(skewed < -0.3) > np.mean(plain < -0.3)
    assert np.mean(skewed) == pytest.approx(np.mean(plain), abs=0.02)
