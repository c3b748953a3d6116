"""Docking: the model's engagement rule reproduces Granovetter (1978) and Watts (2002).

Granovetter, M. (1978). Threshold models of collective behavior. AJS 83(6): 1420-1443.
Watts, D. J. (2002). A simple model of global cascades on random networks. PNAS 99(9): 5766-5771.

Everything here runs the real ``update_engagement`` (no mocks); see ``coauthor_sim.docking``.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from coauthor_sim import docking
from coauthor_sim.mechanisms import engagement
from coauthor_sim.network import adjacency as graph_adjacency


# ---------------------------------------------------------------------------------------------
# The docking runs the model's own rule
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(20))
def test_limiting_configuration_is_the_plain_threshold_rule(seed):
    """With everyone able and both rates 0, update_engagement is "stay, or join when exposure
    reaches the threshold", whatever the uniform draws are."""
    rng = np.random.default_rng(seed)
    n = 500
    engaged = rng.random(n) < 0.3
    exposure = rng.random(n)
    exposure[:50] = 0.4  # some exact ties between exposure and threshold
    threshold = rng.random(n)
    threshold[:50] = 0.4
    plain = engaged | (exposure >= threshold)

    able = np.full(n, rng.random())  # any spare capacity at or above the floor
    new = engagement.update_engagement(
        engaged, exposure, threshold, able, rng.random(n), float(able[0]), 0.0, 0.0, rng.random(n)
    )
    np.testing.assert_array_equal(new, plain)
    np.testing.assert_array_equal(docking.limiting_update(engaged, exposure, threshold), plain)


def test_the_limit_is_not_vacuous():
    """Switching the extras back on changes the outcome, so the docking exercises the function
    whose extras it switches off (and not a copy of the rule)."""
    n = 4
    engaged = np.array([True, True, False, False])
    exposure = np.array([0.0, 0.0, 0.0, 1.0])
    threshold = np.full(n, 0.5)
    ones = np.ones(n)
    base = docking.limiting_update(engaged, exposure, threshold)
    np.testing.assert_array_equal(base, [True, True, False, True])
    dropout = engagement.update_engagement(
        engaged, exposure, threshold, ones, ones, 0.0, 0.0, 1.0, np.zeros(n)
    )
    np.testing.assert_array_equal(dropout, [False, False, False, True])
    unable = engagement.update_engagement(
        engaged, exposure, threshold, ones, ones, 2.0, 0.0, 0.0, np.zeros(n)
    )
    assert not unable.any()
    spontaneous = engagement.update_engagement(
        engaged, exposure, threshold, ones, ones, 0.0, 1.0, 0.0, np.zeros(n)
    )
    assert spontaneous.all()


@pytest.mark.parametrize("fractional", [True, False])
def test_run_to_rest_is_iterated_update_engagement(fractional):
    """run_to_rest equals iterating the model's functions by hand on a random network."""
    rng = np.random.default_rng(7)
    n = 400
    a = graph_adjacency(nx.fast_gnp_random_graph(n, 4 / (n - 1), seed=rng))
    degree = np.asarray(a.sum(axis=1)).ravel()
    threshold = rng.uniform(0.0, 0.5, n) if fractional else rng.integers(0, 3, n).astype(float)
    initial = rng.random(n) < 0.02

    engaged = initial.copy()
    for _ in range(n + 1):
        exposure = engagement.neighbour_exposure(a, engaged, degree, fractional)
        new = engagement.update_engagement(
            engaged, exposure, threshold, np.ones(n), np.ones(n), 0.0, 0.0, 0.0, rng.random(n)
        )
        if np.array_equal(new, engaged):
            break
        engaged = new
    final, rounds = docking.run_to_rest(a, threshold, initial, fractional)
    np.testing.assert_array_equal(final, engaged)
    assert rounds >= 1 and final.sum() > initial.sum()


def test_complete_graph_counts_the_others():
    a = docking.complete_graph_adjacency(6)
    active = np.array([True, False, True, True, False, False])
    counts = engagement.neighbour_exposure(a, active, np.full(6, 5.0), fractional=False)
    np.testing.assert_array_equal(counts, active.sum() - active)


# ---------------------------------------------------------------------------------------------
# Granovetter (1978)
# ---------------------------------------------------------------------------------------------
def test_granovetter_uniform_thresholds():
    """Thresholds 0..99: everyone joins; move the threshold-1 person to 2: only one joins."""
    assert docking.granovetter_uniform() == 100
    assert docking.granovetter_uniform(perturb=True) == 1


def test_granovetter_continuous_critical_sigma():
    """The paper's calculation r <- N F(r) jumps at sigma = 12.22 (reported as 12.2), from
    about 6 people to all."""
    critical = docking.granovetter_critical_sigma()
    assert critical == pytest.approx(12.22, abs=0.01)
    assert 5 <= docking.granovetter_mean_field(critical - 0.01) <= 7
    assert docking.granovetter_mean_field(critical + 0.01) > 99


def test_granovetter_normal_thresholds_jump():
    """The docked crowd (quantile thresholds) stays at a few people up to sigma 12 and is all
    in from 13 on; the jump, from about 6 to 100, lies in [12.2, 12.9] -- a little right of the
    paper's 12.2 because whole people must reach a threshold (see granovetter_normal)."""
    for sigma in np.arange(0.0, 12.01, 0.5):
        assert docking.granovetter_normal(sigma) <= 6, sigma
    for sigma in np.arange(13.0, 25.01, 0.5):
        assert docking.granovetter_normal(sigma) >= 95, sigma
    jump = docking.granovetter_jump_sigma()
    assert 12.2 <= jump <= 12.9
    assert 4 <= docking.granovetter_normal(jump - 0.005) <= 8
    assert docking.granovetter_normal(jump + 0.005) >= 95


def test_granovetter_sampled_crowds():
    """Crowds with sampled normal thresholds: at sigma 8 nearly nobody, at sigma 20 nearly all
    on average; participation rises with sigma through the jump region. Deterministic given
    the seed; 200 crowds put the means' standard errors under 3 people."""
    table = docking.granovetter_curve([8.0, 12.0, 16.0, 20.0], realisations=200, seed=1)
    mean = table.set_index("sigma")["sampled_mean"]
    assert mean[8.0] < 5
    assert mean[20.0] > 90
    assert mean.is_monotonic_increasing
    again = docking.granovetter_normal_sampled(12.0, realisations=200, seed=1)
    assert again.mean() == pytest.approx(mean[12.0])


# ---------------------------------------------------------------------------------------------
# Watts (2002)
# ---------------------------------------------------------------------------------------------
def test_watts_analytic_window():
    lower, upper = docking.watts_window(0.18)
    assert lower == pytest.approx(1.02, abs=0.005)
    assert upper == pytest.approx(5.76, abs=0.005)
    assert docking.watts_window(0.6) is None


def test_watts_is_reproducible_and_per_z():
    """Same seed, same numbers; the streams of one z do not depend on the other z run."""
    both = docking.watts_frequency([2.0, 3.0], n=1000, realisations=5, seed=3)
    alone = docking.watts_frequency([3.0], n=1000, realisations=5, seed=3)
    assert both.iloc[1].equals(alone.iloc[0])
    assert docking.watts_cascade(1000, 3.0, 0.18, seed=11) == docking.watts_cascade(
        1000, 3.0, 0.18, seed=11
    )


# Statistical reasoning for the three tests below (n = 10,000, phi = 0.18). Each run is seeded and
# so deterministic; the bounds are chosen so that they would also hold for almost any other seed.
# Calibration (seed 12345, not used here): z = 1: 1 global cascade in 1,000 runs (size 0.103);
# z = 3: 341 of 400; z = 6: 18 of 300; z = 7: 0 of 600.
# * z = 1 is the percolation point of the graph, just below the window's lower edge 1.02; a
#   cascade reaching 1,000 nodes needs the seed inside an unusually large component. The 95%
#   upper bound on p from 1 in 1,000 is 0.005. We allow at most 3 global cascades in 60 runs:
#   at p = 0.005, P(Bin(60, p) >= 4) = 2.4e-4.
# * z = 7 is above the upper edge 5.76 (finite size stretches it: z = 6 still gives 6%); the
#   vulnerable nodes no longer percolate. 0 of 600 bounds p below 0.005 (95%); allowing 3 in
#   40 runs, P(Bin(40, 0.005) >= 4) = 5e-5.
# * z = 3 is inside the window, where about 85% of runs cascade globally. We require at least
#   half of 40 runs: P(Bin(40, 0.85) < 20) = 4e-8, and still only 1.7e-4 at a pessimistic 0.75.
# Cost on one core: about 0.035 s per run at z = 1, 0.08 s at z = 3, 0.15 s at z = 7 (~12 s).
N_WATTS = 10_000


def test_watts_no_global_cascades_at_z1():
    table = docking.watts_frequency([1.0], n=N_WATTS, realisations=60, seed=2002)
    assert table["global_cascades"].iloc[0] <= 3
    assert table["mean_size"].iloc[0] < 0.02


def test_watts_no_global_cascades_at_z7():
    table = docking.watts_frequency([7.0], n=N_WATTS, realisations=40, seed=2002)
    assert table["global_cascades"].iloc[0] <= 3
    assert table["mean_size"].iloc[0] < 0.02


def test_watts_frequent_global_cascades_at_z3():
    table = docking.watts_frequency([3.0], n=N_WATTS, realisations=40, seed=2002)
    assert table["frequency"].iloc[0] >= 0.5
    # Inside the window a global cascade takes most of the network (Watts's fig. 1).
    assert table["mean_global_size"].iloc[0] > 0.8
