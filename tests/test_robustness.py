"""Robust comparison on a toy setting whose answer is known: a lever whose effect size has a
prior straddling zero. The chance of doing better must then be near one half, and scenario
discovery (PRIM) must find the failures where the effect size is below zero."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coauthor_sim.analysis import robustness

WORLDS = 400


def toy_worlds(seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Worlds with an effect size ``effect`` ~ U(-0.4, 0.4) and three irrelevant parameters;
    the lever's scenario changes life satisfaction by ``effect`` (plus a little noise) and
    spends 100 more per world; a second scenario does nothing at all."""
    rng = np.random.default_rng(seed)
    worlds = pd.DataFrame({
        "seed": rng.integers(2**62, size=WORLDS),
        "effect": rng.uniform(-0.4, 0.4, WORLDS),
        **{f"other_{k}": rng.uniform(0, 1, WORLDS) for k in range(3)},
    })  # fmt: skip
    base_ls = 7.5 + rng.normal(0, 0.3, WORLDS)  # worlds differ a lot in level
    change = worlds["effect"].to_numpy() + rng.normal(0, 0.01, WORLDS)
    rows = []
    for name, delta, extra in (("base", 0.0, 0.0), ("lever", change, 100.0),
                               ("inert", 0.0, 0.0)):  # fmt: skip
        ls = base_ls + delta
        rows.append(pd.DataFrame({
            "scenario": name, "replication": np.arange(WORLDS), "life_satisfaction": ls,
            **{f"wellbeing_fifth_{q}": ls / 10 for q in range(1, 6)},
            "wellbys": ls * 100.0, "total_spending": 1000.0 + extra,
        }))  # fmt: skip
    return pd.concat(rows, ignore_index=True), worlds


def test_a_lever_whose_effect_straddles_zero_is_better_in_about_half_the_worlds():
    runs, _ = toy_worlds()
    table = robustness.robust_differences(runs, "base", mid=0.05)
    row = table[(table.scenario == "lever") & (table.group == "everyone")].iloc[0]
    assert row["p_better"] == pytest.approx(0.5, abs=0.07)
    # U(-0.4, 0.4): P(effect >= 0.05) = 0.4375, P(effect <= -0.05) likewise
    assert row["p_better_by_mid"] == pytest.approx(0.4375, abs=0.07)
    assert row["p_worse_by_mid"] == pytest.approx(0.4375, abs=0.07)
    assert row["worlds_low"] < 0 < row["worlds_high"]
    assert abs(row["difference"]) < 0.05
    inert = table[(table.scenario == "inert")]
    assert (inert["p_better"] == 0).all() and (inert["difference"] == 0).all()
    assert set(table["group"]) == set(robustness.GROUPS)


def test_prim_recovers_the_effect_size_threshold():
    runs, worlds = toy_worlds()
    boxes, words = robustness.scenario_discovery(runs, worlds, "base")
    box = boxes[boxes.scenario == "lever"]
    assert list(box["parameter"]) == ["effect"]  # the irrelevant parameters are left free
    assert box["high"].iloc[0] == pytest.approx(0.0, abs=0.05)
    assert box["coverage"].iloc[0] > 0.85 and box["density"].iloc[0] > 0.85
    assert "effect <" in words["lever"]
    assert "inert" not in set(boxes.scenario)  # never worse: nothing to discover
    assert "every one" in words["inert"] or "no range" in words["inert"]


def test_regret_is_shortfall_from_the_best_in_each_world():
    runs, worlds = toy_worlds()
    table = robustness.regret(runs).set_index("scenario")
    effect = worlds["effect"].to_numpy()
    # base and inert are identical; the lever is best when its effect is positive
    expected_base = np.clip(effect, 0, None).mean()
    assert table.loc["base", "mean_regret"] == pytest.approx(expected_base, abs=0.01)
    assert table.loc["lever", "worst_regret"] == pytest.approx(-effect.min(), abs=0.05)
    assert (table["mean_regret"] >= 0).all()
    assert (table["worst_regret"] >= table["mean_regret"]).all()


def _appraised(extra: float, wellbys: float, verdict: str, gain: float):
    """One scenario's appraisal row and its robust difference for everyone."""
    appraisal = pd.DataFrame(
        [
            {
                "scenario": "lever",
                "verdict": verdict,
                "extra_cost_mean": extra,
                "wellbys_mean": wellbys,
            }
        ]
    )
    robust = pd.DataFrame([{"scenario": "lever", "group": "everyone", "difference": gain}])
    return robustness.plausibility(appraisal, robust).set_index("scenario").loc["lever"]


def test_plausibility_guard_flags_ratios_above_six_to_one_and_large_free_gains():
    # 20 WELLBYs (GBP 260,000 at 13,000) bought for 100 GBP more: far above 6 : 1
    flagged = _appraised(100.0, 20.0, "dearer and better", 0.05)
    assert flagged["benefit_cost_ratio"] == pytest.approx(2_600)
    assert flagged["ratio_above_limit"] and flagged["outside_published"]
    assert flagged["cost_kind"] == "extra cost"
    modest = _appraised(100_000.0, 20.0, "dearer and better", 0.05)
    assert modest["benefit_cost_ratio"] < 6 and not modest["outside_published"]
    # a gain at an extra cost the appraisal counts as none has no ratio, whatever the small
    # extra cost is: the flag never contradicts the verdict "better at no extra cost"
    free = _appraised(764.0, 63.0, "better at no extra cost", 0.03)
    assert free["cost_kind"] == "no extra cost" and np.isnan(free["benefit_cost_ratio"])
    assert not free["outside_published"]
    # ... unless the gain itself is implausibly large (more than the UK's rise 2011-2019)
    large = _appraised(0.0, 900.0, "better at no extra cost", 0.5)
    assert large["gain_above_limit"] and large["outside_published"]
    assert not large["ratio_above_limit"]
    lost = _appraised(-5_000.0, -10.0, "cheaper and worse", -0.1)
    assert lost["cost_kind"] == "no gain" and not lost["outside_published"]


def test_find_box_gives_none_without_a_concentration_of_failures():
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"a": rng.uniform(size=200), "b": rng.uniform(size=200)})
    assert robustness.find_box(x, np.zeros(200, bool)) is None
    assert robustness.find_box(x, np.ones(200, bool)) is None
