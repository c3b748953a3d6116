"""Value for money of a comparison (``analysis.costs``), checked on synthetic worlds whose
answers are known: discounting, dominance in words, net value at the three WELLBY values, the
time profile and its break-even month, and the money a run reports."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coauthor_sim.analysis import costs

WORLDS = 40


def test_discounting_follows_the_green_book_yearly_convention():
    months = np.arange(1, 37)
    f = costs.discount_factors(months, costs.COST_RATE)
    assert (f[:12] == 1.0).all()  # year 0 is not discounted
    assert f[12] == pytest.approx(1 / 1.035) and f[35] == pytest.approx(1 / 1.035**2)
    assert (np.diff(f) <= 0).all()
    # wellbeing is discounted less than money, so a late gain keeps more of its value
    assert (costs.discount_factors(months, costs.WELLBEING_RATE) >= f).all()
    assert costs.WELLBY_VALUES == {"low": 10_000, "central": 13_000, "high": 16_000}


@pytest.mark.parametrize(
    ("cost", "gain", "words"),
    [
        (-5.0, 2.0, "cheaper and better"),
        (0.0, 2.0, "better at no extra cost"),
        (5.0, 2.0, "dearer and better"),
        (5.0, -2.0, "dearer and worse"),
        (-5.0, -2.0, "cheaper and worse"),
        (0.5, -2.0, "worse at no extra cost"),
    ],
)
def test_dominance_in_words(cost, gain, words):
    assert costs.dominance(cost, gain, same=1.0) == words


def _runs(extra: float, gain: float, noise: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """Worlds in which 'policy' spends ``extra`` more (present value) and gains ``gain``
    WELLBYs (present value) against 'base', with a little noise across worlds."""
    rng = np.random.default_rng(seed)
    level = rng.normal(100_000, 5_000, WORLDS)
    wellbys = rng.normal(7_000, 100, WORLDS)
    rows = []
    for name, dc, dw in (("base", 0.0, 0.0), ("policy", extra, gain)):
        rows.append(pd.DataFrame({
            "scenario": name, "replication": np.arange(WORLDS),
            "pv_money_cost": level + dc + rng.normal(0, noise, WORLDS) * (dc != 0),
            "pv_citizen_hours": 0.0,  # full cost = money here (citizens' time: test_model_science)
            "pv_wellbys": wellbys + dw + rng.normal(0, noise / 20_000, WORLDS) * (dw != 0),
        }))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


def test_a_gain_at_a_saving_is_dominant_with_no_price():
    row = costs.appraisal(_runs(extra=-2_000.0, gain=5.0), "base").iloc[0]
    assert row["verdict"] == "cheaper and better" and row["worlds_with_verdict"] == WORLDS
    assert np.isnan(row["gbp_per_wellby"])  # no negative "price" of a WELLBY
    for name, value in costs.WELLBY_VALUES.items():
        assert row[f"net_{name}_mean"] == pytest.approx(5.0 * value + 2_000.0)
        assert row[f"net_{name}_positive"] == WORLDS


def test_a_dearer_gain_has_a_cost_per_wellby_with_an_interval():
    row = costs.appraisal(_runs(extra=50_000.0, gain=4.0, noise=5_000.0), "base").iloc[0]
    assert row["verdict"] == "dearer and better"
    assert row["gbp_per_wellby"] == pytest.approx(12_500, rel=0.05)
    assert row["gbp_per_wellby_low"] < row["gbp_per_wellby"] < row["gbp_per_wellby_high"]
    # worth it at the high value, not at the low one
    assert row["net_high_mean"] > 0 > row["net_low_mean"]
    assert row["extra_cost_low"] <= row["extra_cost_mean"] <= row["extra_cost_high"]


def test_a_cut_that_loses_wellbeing_is_priced_as_a_saving_per_wellby_lost():
    row = costs.appraisal(_runs(extra=-30_000.0, gain=-10.0, noise=1_000.0), "base").iloc[0]
    assert row["verdict"] == "cheaper and worse"
    assert row["gbp_per_wellby"] == pytest.approx(3_000, rel=0.05)  # saved per WELLBY lost
    assert row["net_central_mean"] < 0


def _paths(cost_per_month: float, gain_from: int, gain: float, months: int = 48):
    """Monthly paths: 'policy' spends ``cost_per_month`` more every month and raises life
    satisfaction by ``gain`` points from month ``gain_from`` on; two identical worlds."""
    rows = []
    for r in range(2):
        for name in ("base", "policy"):
            for m in range(0, months + 1):
                extra = name == "policy" and m >= 1
                rows.append({
                    "scenario": name, "replication": r, "month": m,
                    "life_satisfaction": 7.5 + (gain if extra and m >= gain_from else 0.0),
                    "spending_total": 60_000 + (cost_per_month if extra else 0.0),
                })  # fmt: skip
    return pd.DataFrame(rows)


def test_time_profile_and_break_even():
    # 1,000 citizens: 0.05 points a month is worth 0.05 x 1000 / 12 x 13,000 ~ GBP 54k a month,
    # against GBP 10k a month spent from month 1: the early months are a loss, then it pays
    profile = costs.time_profile(_paths(10_000.0, gain_from=7, gain=0.05), "base", 1_000)
    policy = profile[profile["scenario"] == "policy"].set_index("month")
    assert policy.loc[1, "mean"] == pytest.approx(-10_000.0)
    assert (policy["low"] <= policy["mean"]).all() and (policy["mean"] <= policy["high"]).all()
    month = costs.break_even(profile)["policy"]
    assert month is not None and 7 < month < 12
    assert costs.break_even_words(month).startswith(f"month {month}")
    never = costs.time_profile(_paths(10_000.0, gain_from=1, gain=0.0), "base", 1_000)
    assert costs.break_even(never)["policy"] is None
    assert costs.break_even_words(None) == "not within the run"
    free = costs.time_profile(_paths(0.0, gain_from=1, gain=0.05), "base", 1_000)
    assert costs.break_even(free)["policy"] == 1


def test_run_money_reads_the_model_table():
    from coauthor_sim.model import CoauthorModel

    table = CoauthorModel(seed=3, n_citizens=120, steps=14).run()
    money = costs.run_money(table, 120)
    months = table.iloc[1:]
    assert money["pv_spending"] <= months["spending_total"].sum() + 1e-6
    assert money["pv_spending"] > 0 and money["pv_wellbys"] > 0
    assert money["total_committed"] >= 0 and money["total_returned"] >= 0
    assert money["reserve_end"] == pytest.approx(months["money_carried_over"].iloc[-1])
