"""Statistics for comparing scenarios across replications.

Scenarios are run with the same list of seeds (common random numbers), so replication ``r`` of
every scenario shares its random draws and differences are taken pair by pair.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

CONFIDENCE = 0.95
WELLBY_GBP = 13_000  # HM Treasury Green Book (2021): 1 WELLBY = GBP 13,000 (2019 prices)


def mean_ci(values: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean and its t confidence interval (NaN bounds with fewer than two values; the mean
    itself as both bounds when all values are equal)."""
    x = np.asarray(values, dtype=float)
    mean = float(x.mean()) if x.size else float("nan")
    if x.size < 2:
        return mean, float("nan"), float("nan")
    if np.all(x == x[0]):
        return mean, mean, mean
    ci = stats.ttest_1samp(x, 0.0).confidence_interval(confidence)
    return mean, float(ci.low), float(ci.high)


def paired_difference(
    treated: np.ndarray, baseline: np.ndarray, confidence: float = CONFIDENCE
) -> dict[str, float]:
    """Mean paired difference ``treated - baseline``, its confidence interval, and the two-
    sided p-value of a paired t-test (1 when every difference is exactly zero)."""
    d = np.asarray(treated, dtype=float) - np.asarray(baseline, dtype=float)
    mean, low, high = mean_ci(d, confidence)
    if d.size < 2:
        p = float("nan")
    elif np.all(d == d[0]):
        p = 1.0 if d[0] == 0 else 0.0
    else:
        p = float(stats.ttest_1samp(d, 0.0).pvalue)
    return {"difference": mean, "ci_low": low, "ci_high": high, "p_value": p}


def adjust_p_values(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (false discovery rate) over a family of tests;
    NaN stays NaN."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = stats.false_discovery_control(p[ok], method="bh")
    return out


def summarise(runs: pd.DataFrame, outcomes: list[str], by: str = "scenario") -> pd.DataFrame:
    """Mean and confidence interval of each outcome in each group of ``runs`` (one row per
    run, one column per outcome)."""
    rows = []
    for group, frame in runs.groupby(by, sort=False):
        for outcome in outcomes:
            mean, low, high = mean_ci(frame[outcome].to_numpy())
            rows.append(
                {by: group, "outcome": outcome, "mean": mean, "ci_low": low, "ci_high": high,
                 "n": len(frame)}
            )  # fmt: skip
    return pd.DataFrame(rows)


def _pairs(runs: pd.DataFrame, baseline: str, by: str, pair: str):
    """For each group other than ``baseline``: its name, its runs and the baseline's runs,
    both indexed by ``pair`` and limited to the pairs they share."""
    base = runs[runs[by] == baseline].set_index(pair)
    for group, frame in runs.groupby(by, sort=False):
        if group != baseline:
            frame = frame.set_index(pair)
            common = frame.index.intersection(base.index)
            yield group, frame.loc[common], base.loc[common]


def differences(
    runs: pd.DataFrame,
    outcomes: list[str],
    baseline: str,
    by: str = "scenario",
    pair: str = "replication",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Paired difference of every group from ``baseline`` for every outcome, with confidence
    intervals, p-values, Benjamini-Hochberg adjusted p-values over the whole table, and
    whether each difference is significant at false discovery rate ``alpha``."""
    rows = []
    for group, frame, base in _pairs(runs, baseline, by, pair):
        for outcome in outcomes:
            result = paired_difference(frame[outcome].to_numpy(), base[outcome].to_numpy())
            rows.append({by: group, "outcome": outcome, **result, "n_pairs": len(frame)})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["p_adjusted"] = adjust_p_values(table["p_value"].to_numpy())
    table["significant"] = table["p_adjusted"] < alpha
    return table


def cost_effectiveness(
    runs: pd.DataFrame,
    baseline: str,
    cost: str = "total_spending",
    gain: str = "wellbys",
    by: str = "scenario",
    pair: str = "replication",
) -> pd.DataFrame:
    """Extra cost and extra well-being of each group against ``baseline``, per pair of runs.

    Well-being is counted in WELLBYs (one point of life satisfaction for one person for one
    year). Cost per WELLBY is given only where the gain is clearly positive (its confidence
    interval above zero) and bought with extra money (mean extra cost above zero); a scenario
    that gains while saving money (dominant), saves money and loses well-being, or gains
    nothing, is not given a ratio that would read as a (negative) price. Its bootstrap interval
    resamples pairs. Undiscounted, for researchers; the report's value for money, at present
    values, is ``analysis.costs.appraisal``.
    """
    rows = []
    for group, frame, base in _pairs(runs, baseline, by, pair):
        dc = frame[cost].to_numpy() - base[cost].to_numpy()
        dw = frame[gain].to_numpy() - base[gain].to_numpy()
        c_mean, c_low, c_high = mean_ci(dc)
        w_mean, w_low, w_high = mean_ci(dw)
        ratio, r_low, r_high = float("nan"), float("nan"), float("nan")
        if len(frame) >= 2 and w_low > 0 and c_mean > 0:
            ratio = c_mean / w_mean
            boot = stats.bootstrap(
                (dc, dw), lambda c, w: np.mean(c) / np.mean(w), paired=True,
                vectorized=False, method="percentile", n_resamples=2000,
                rng=np.random.default_rng(0),
            )  # fmt: skip
            r_low, r_high = (
                float(boot.confidence_interval.low),
                float(boot.confidence_interval.high),
            )
        rows.append({
            by: group, "extra_cost": c_mean, "extra_cost_low": c_low, "extra_cost_high": c_high,
            "wellbys_gained": w_mean, "wellbys_low": w_low, "wellbys_high": w_high,
            "cost_per_wellby": ratio, "cost_per_wellby_low": r_low,
            "cost_per_wellby_high": r_high,
            "net_value_gbp": w_mean * WELLBY_GBP - c_mean,
        })  # fmt: skip
    return pd.DataFrame(rows)
