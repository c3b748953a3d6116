"""Statistics of scenario comparisons, checked on synthetic data with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coauthor_sim.analysis import stats
from coauthor_sim.experiment import replication_seeds


def test_mean_ci_matches_the_t_formula():
    x = np.array([1.0, 2.0, 4.0, 7.0])
    mean, low, high = stats.mean_ci(x)
    half = 3.182446305284263 * x.std(ddof=1) / 2  # t(0.975, 3) * s / sqrt(4)
    assert mean == pytest.approx(3.5)
    assert (low, high) == pytest.approx((3.5 - half, 3.5 + half))


def test_mean_ci_edge_cases():
    assert np.isnan(stats.mean_ci(np.array([2.0]))[1])
    assert stats.mean_ci(np.array([3.0, 3.0, 3.0])) == (3.0, 3.0, 3.0)


def test_confidence_intervals_cover_the_true_mean_95_percent_of_the_time():
    rng = np.random.default_rng(42)
    trials = 2000
    hits = sum(
        low <= 5.0 <= high
        for _, low, high in (stats.mean_ci(rng.normal(5.0, 2.0, size=10)) for _ in range(trials))
    )
    # Binomial(2000, 0.95) has sd ~ 0.0049: 0.935..0.965 is three sd either side.
    assert 0.935 <= hits / trials <= 0.965


def test_paired_difference_sees_a_shift_that_unpaired_noise_would_hide():
    rng = np.random.default_rng(1)
    base = rng.normal(0, 10, size=30)  # large between-replication noise, shared by the pair
    treated = base + 0.5 + rng.normal(0, 0.1, size=30)
    result = stats.paired_difference(treated, base)
    assert result["ci_low"] < 0.5 < result["ci_high"]
    assert result["p_value"] < 1e-10


def test_paired_difference_of_identical_runs_is_exactly_zero_with_p_one():
    x = np.arange(5.0)
    result = stats.paired_difference(x, x)
    assert result["difference"] == 0 and result["p_value"] == 1.0


def test_benjamini_hochberg_on_a_worked_example():
    p = np.array([0.01, 0.04, 0.03, 0.005])
    # sorted: 0.005, 0.01, 0.03, 0.04 -> p*m/rank: 0.02, 0.02, 0.04, 0.04
    assert stats.adjust_p_values(p) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert np.isnan(stats.adjust_p_values(np.array([np.nan, 0.5]))[0])


def test_correction_controls_false_discoveries_among_true_nulls():
    rng = np.random.default_rng(7)
    families, discoveries_raw, discoveries_adj = 300, 0, 0
    for _ in range(families):
        p = np.array([
            stats.paired_difference(rng.normal(size=20), rng.normal(size=20))["p_value"]
            for _ in range(10)
        ])  # fmt: skip
        discoveries_raw += (p < 0.05).any()
        discoveries_adj += (stats.adjust_p_values(p) < 0.05).any()
    # Ten true nulls: uncorrected, ~40% of families have a false positive; corrected, ~5%.
    assert discoveries_raw / families > 0.25
    assert discoveries_adj / families < 0.10


def _runs(effect: float, cost: float, reps: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    noise = rng.normal(0, 1.0, size=reps)
    base = pd.DataFrame({
        "scenario": "base", "replication": range(reps), "y": noise,
        "total_spending": 1000.0, "wellbys": 100 + noise,
    })  # fmt: skip
    new = pd.DataFrame({
        "scenario": "new", "replication": range(reps),
        "y": noise + effect + rng.normal(0, 0.1, size=reps),
        "total_spending": 1000.0 + cost,
        "wellbys": 100 + noise + effect + rng.normal(0, 0.01, size=reps),
    })  # fmt: skip
    return pd.concat([base, new], ignore_index=True)


def test_differences_table_finds_the_known_effect():
    table = stats.differences(_runs(effect=2.0, cost=0.0), ["y"], baseline="base")
    row = table.iloc[0]
    assert row["ci_low"] < 2.0 < row["ci_high"]
    assert bool(row["significant"]) and row["n_pairs"] == 20


def test_cost_per_wellby_known_ratio_and_no_price_without_gain():
    ce = stats.cost_effectiveness(_runs(effect=2.0, cost=500.0), baseline="base").iloc[0]
    assert ce["extra_cost"] == pytest.approx(500.0)
    assert ce["cost_per_wellby"] == pytest.approx(250.0, rel=0.01)
    assert ce["cost_per_wellby_low"] <= 250.0 <= ce["cost_per_wellby_high"]
    none = stats.cost_effectiveness(_runs(effect=-1.0, cost=500.0), baseline="base").iloc[0]
    assert np.isnan(none["cost_per_wellby"])


def test_replication_seeds_are_reproducible_and_distinct():
    a, b = replication_seeds(5, 100), replication_seeds(5, 100)
    assert a == b and len(set(a)) == 100
    assert replication_seeds(6, 3) != a[:3]
    assert replication_seeds(5, 3) == a[:3]  # growing replications keeps the first seeds
