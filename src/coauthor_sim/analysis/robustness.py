"""Robust comparison across plausible worlds: how much better, how sure, and where it fails.

A comparison runs every scenario in the same worlds: replication ``r`` of every scenario shares
one seed, one draw of the calibrated posterior and one draw of every effect-size prior. So the
difference between a scenario and the baseline in world ``r`` is a paired difference, and the
share of worlds in which it is positive is the chance, under what we believe about the model's
uncertain parameters, that the scenario does better. That chance, the size of the difference
and its spread across worlds are what a policy reader needs; p-values answer another question
(could the mean difference be zero, given this many runs?) and stay in the researchers' tables.

Every figure is on one scale: life satisfaction, 0-10, as the ONS reports it (the model's
well-being is 0-1; one well-being unit is ten life-satisfaction points).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .stats import WELLBY_GBP

MID_DEFAULT = 0.05  # minimum important difference, life-satisfaction points (0-10)
WORLD_INTERVAL = (0.05, 0.95)  # 90% of plausible worlds fall between these quantiles
PLAUSIBLE_RATIO = 6.0  # NESTA/nef (2010): co-produced services "up to six times" the investment
# ONS Annual Population Survey: UK mean life satisfaction rose from about 7.4 (2011/12) to 7.7
# (2018/19); a single locality's reform gaining more than that for everyone is flagged.
PLAUSIBLE_GAIN = 0.3
# The highest level each outcome has reached in England, for the check that a scenario stays
# within experience (outcome: (ceiling, what it is, source)). Survey shares are national
# figures of the Community Life Survey's online series, the series the baseline is calibrated
# on; one locality can sit above the national level, so a flag asks for a reason, not a
# rejection.
EXPERIENCE: dict[str, tuple[float, str, str]] = {
    "life_satisfaction": (
        8.2, "mean life satisfaction",
        "the highest local-authority mean, pooled 2011-14 (ONS, 27 Mar 2015: 6.9 to 8.2)"),
    "engagement_rate": (
        0.27, "formal volunteering at least monthly",
        "27% in the face-to-face CLS 2013/14-2015/16, the highest national figure; online "
        "series 16-23%"),
    "engaged_last_year": (
        0.45, "formal volunteering in the last year",
        "45%, the highest of the CLS online series 2013/14-2019/20"),
    "civic_participation": (
        0.42, "civic participation in the last year",
        "41%, the highest of the CLS online series: 2016/17, 2019/20, 2020/21"),
    "influence_share": (
        0.29, "feeling able to influence local decisions",
        "25-27% in the CLS online series 2013/14-2019/20; the face-to-face series, a different "
        "mode, reached 38% in 2012/13"),
    "civic_activism": (
        0.10, "civic activism", "8% in the CLS 2019/20, the only year read; band to 10%"),
}  # fmt: skip
# Falls against the baseline beyond what evaluations have seen (outcome: (largest fall, what it
# is, source)).
EXPERIENCE_FALLS: dict[str, tuple[float, str, str]] = {
    "crisis_rate": (
        0.3, "preventable crises",
        "the Peterborough social impact bond cut reconviction events by 9% on a high-need "
        "group; falls beyond 20-30% should be flagged (empirical targets 5a)"),
}  # fmt: skip
EXPERIENCE_MARGIN = 0.01  # a scenario must exceed the baseline by this share (or 0.1 LS points)
GROUPS = {
    "everyone": ("life_satisfaction", 1.0),
    **{
        f"fifth {q}": (f"wellbeing_fifth_{q}", 10.0)  # well-being 0-1 -> life satisfaction 0-10
        for q in range(1, 6)
    },
}
GROUP_LABELS = {
    "everyone": "everyone",
    "fifth 1": "least deprived fifth",
    "fifth 2": "fifth 2",
    "fifth 3": "fifth 3",
    "fifth 4": "fifth 4",
    "fifth 5": "most deprived fifth",
}


def world_matrix(runs: pd.DataFrame, outcome: str, scale: float = 1.0) -> pd.DataFrame:
    """One row per world (replication), one column per scenario, in the order of ``runs``."""
    order = list(dict.fromkeys(runs["scenario"]))
    wide = runs.pivot(index="replication", columns="scenario", values=outcome)
    return wide[order].dropna() * scale


def robust_differences(runs: pd.DataFrame, baseline: str, mid: float = MID_DEFAULT) -> pd.DataFrame:
    """For every scenario against ``baseline`` and every group (everyone, each deprivation
    fifth): the mean paired difference in life satisfaction, the range in which 90% of worlds'
    differences fall, the chance of doing better (share of worlds with a positive difference),
    of doing better by at least ``mid`` points, and of doing worse by at least ``mid``."""
    rows = []
    for group, (outcome, scale) in GROUPS.items():
        wide = world_matrix(runs, outcome, scale)
        for scenario in wide.columns:
            if scenario == baseline:
                continue
            d = (wide[scenario] - wide[baseline]).to_numpy()
            if d.size == 0:  # a group with nobody in it (a council without that fifth)
                rows.append({"scenario": scenario, "group": group, "difference": np.nan,
                             "worlds_low": np.nan, "worlds_high": np.nan, "better": 0,
                             "better_by_mid": 0, "worse_by_mid": 0, "worlds": 0,
                             "p_better": np.nan, "p_better_by_mid": np.nan,
                             "p_worse_by_mid": np.nan, "mid": mid})  # fmt: skip
                continue
            low, high = np.quantile(d, WORLD_INTERVAL)
            rows.append({
                "scenario": scenario, "group": group, "difference": float(d.mean()),
                "worlds_low": float(low), "worlds_high": float(high),
                "better": int((d > 0).sum()), "better_by_mid": int((d >= mid).sum()),
                "worse_by_mid": int((d <= -mid).sum()), "worlds": len(d),
                "p_better": float((d > 0).mean()), "p_better_by_mid": float((d >= mid).mean()),
                "p_worse_by_mid": float((d <= -mid).mean()), "mid": mid,
            })  # fmt: skip
    return pd.DataFrame(rows)


def regret(runs: pd.DataFrame, outcome: str = "life_satisfaction") -> pd.DataFrame:
    """Regret of every scenario (baseline included): in each world, how far its outcome falls
    short of the best compared scenario in that world; its mean, its worst case across
    worlds, and the share of worlds in which it is the best."""
    wide = world_matrix(runs, outcome)
    best = wide.max(axis=1)
    short = wide.rsub(best, axis=0)
    return pd.DataFrame({
        "scenario": wide.columns,
        "mean_regret": short.mean().to_numpy(),
        "worst_regret": short.max().to_numpy(),
        "share_best": wide.eq(best, axis=0).mean().to_numpy(),
    })  # fmt: skip


def plausibility(
    appraisal: pd.DataFrame,
    robust: pd.DataFrame,
    runs: pd.DataFrame | None = None,
    baseline: str | None = None,
    ratio_limit: float = PLAUSIBLE_RATIO,
    gain_limit: float = PLAUSIBLE_GAIN,
) -> pd.DataFrame:
    """Benefit against extra cost at the Green Book's central value, and the size of the gain,
    flagged where either is outside published experience.

    Read from the value-for-money appraisal (``analysis.costs.appraisal``: WELLBYs gained and
    extra cost at present value, mean over worlds, and the dominance verdict) and the robust
    differences (the change in life satisfaction for everyone), so the flag and the verdict
    are one computation and cannot contradict each other. Benefit = WELLBYs gained x GBP
    13,000 (HM Treasury wellbeing guidance, 2021; 2019 prices).

    - A gain bought with extra spending (verdict "dearer and better") has a benefit : cost
      ratio; published experience tops out near 6:1 (NESTA/nef 2010, an advocacy bound; local
      area coordination SROI forecasts about 4:1), so a larger ratio is flagged: a sign to
      check the effect sizes behind it.
    - A gain at no extra cost (an extra cost the appraisal counts as none) or with a saving
      has no ratio: it is "no extra cost" (dominant), and is flagged only if the gain itself
      is implausibly large.
    - The gain is implausibly large when the final-year change in life satisfaction for
      everyone exceeds ``gain_limit`` points: the whole rise of the UK mean between 2011/12 and
      2018/19 (about 0.3 points, ONS Annual Population Survey), whatever the spending.
    - With the ``runs`` and the ``baseline``'s name, every outcome the scenario pushes beyond
      anything England has seen is named (``outside_experience``).
    """
    gains = robust[robust["group"] == "everyone"].set_index("scenario")["difference"]
    rows = []
    for r in appraisal.itertuples(index=False):
        value = float(r.wellbys_mean) * WELLBY_GBP
        extra = float(r.extra_cost_mean)
        gain = float(gains.loc[r.scenario])
        if value <= 0:
            ratio, kind = float("nan"), "no gain"
        elif r.verdict == "dearer and better":
            ratio, kind = value / extra, "extra cost"
        else:
            ratio, kind = float("nan"), "no extra cost"
        ratio_flag = bool(ratio > ratio_limit)
        gain_flag = bool(gain > gain_limit)
        beyond = (
            outside_experience(runs[runs["scenario"] == r.scenario],
                               runs[runs["scenario"] == baseline])
            if runs is not None and baseline is not None else []
        )  # fmt: skip
        rows.append({
            "scenario": r.scenario, "benefit_gbp": value, "extra_cost_gbp": extra,
            "cost_kind": kind, "benefit_cost_ratio": ratio, "gain_ls": gain,
            "ratio_above_limit": ratio_flag, "gain_above_limit": gain_flag,
            "experience_outside_england": bool(beyond),
            "beyond_experience": "; ".join(beyond) or "none",
            "outside_published": ratio_flag or gain_flag or bool(beyond),
        })  # fmt: skip
    return pd.DataFrame(rows, columns=PLAUSIBILITY_COLUMNS)


PLAUSIBILITY_COLUMNS = ["scenario", "benefit_gbp", "extra_cost_gbp", "cost_kind",
                        "benefit_cost_ratio", "gain_ls", "ratio_above_limit",
                        "gain_above_limit", "experience_outside_england", "beyond_experience",
                        "outside_published"]  # fmt: skip


def outside_experience(frame: pd.DataFrame, base: pd.DataFrame | None = None) -> list[str]:
    """The outcomes whose final-year mean over a scenario's worlds (``frame``) is above the
    highest level England has seen (``EXPERIENCE``) and, when the ``base`` runs are given,
    that the scenario itself pushes there (above the baseline by EXPERIENCE_MARGIN: a baseline
    already past a ceiling is a calibration miss, reported with the calibration); with
    ``base``, also falls beyond what evaluations have seen (``EXPERIENCE_FALLS``). Each in
    words with its ceiling (the sources are in EXPERIENCE and docs/report.md)."""
    found = []
    for outcome, (ceiling, label, _source) in EXPERIENCE.items():
        if outcome not in frame:
            continue
        level = float(frame[outcome].mean())
        margin = 10 * EXPERIENCE_MARGIN if outcome == "life_satisfaction" else EXPERIENCE_MARGIN
        pushed = base is None or level > float(base[outcome].mean()) + margin
        if level > ceiling and pushed:
            shown = (f"{level:.2f} against {ceiling:.1f}" if outcome == "life_satisfaction"
                     else f"{level:.0%} against {ceiling:.0%}")  # fmt: skip
            found.append(f"{label} {shown}")
    if base is not None:
        for outcome, (limit, label, _source) in EXPERIENCE_FALLS.items():
            if outcome not in frame or outcome not in base:
                continue
            before, after = float(base[outcome].mean()), float(frame[outcome].mean())
            if before > 0 and after < (1.0 - limit) * before:
                found.append(f"{label} down {1 - after / before:.0%} against at most {limit:.0%}")
    return found


@dataclass
class Box:
    """A PRIM box: ranges of uncertain parameters in which a scenario tends to fail."""

    scenario: str
    limits: dict[str, tuple[float, float]]  # restricted parameters only
    coverage: float  # share of all failures that fall inside the box
    density: float  # share of worlds inside the box that are failures
    mass: float  # share of all worlds inside the box
    failures: int
    worlds: int


def prim_available() -> bool:
    """Whether EMA Workbench (the PRIM implementation used here) is installed."""
    import importlib.util

    return importlib.util.find_spec("ema_workbench") is not None


def _prim():
    with warnings.catch_warnings():  # EMA warns about optional parallel back-ends it lacks
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return prim


def find_box(
    x: pd.DataFrame,
    failed: np.ndarray,
    scenario: str = "",
    max_dims: int = 3,
    significance: float = 0.05,
) -> Box | None:
    """The PRIM box (Friedman & Fisher 1999, as implemented in EMA Workbench) of the
    uncertain parameters ``x`` (one row per world) in which ``failed`` worlds concentrate.

    Of the boxes on PRIM's peeling trajectory that restrict at most ``max_dims`` parameters,
    the one with the best balance of coverage and density (their product) is kept; then only
    the restrictions that matter are kept: those whose quasi-p value (Bryant & Lempert 2010, a
    one-sided binomial test of the box with that restriction removed) is below
    ``significance``, so that a few worlds do not yield a box of chance coincidences. None
    when there are no failures, every world fails, or no restriction survives.
    """
    failed = np.asarray(failed, dtype=bool)
    x = x.loc[:, x.nunique() > 1].reset_index(drop=True).astype(float)
    if x.empty or failed.all() or not failed.any():
        return None
    prim = _prim()
    finder = prim.Prim(x, failed.astype(int), threshold=failed.mean(), peel_alpha=0.05,
                       mass_min=0.05)  # fmt: skip
    box = finder.find_box()
    trajectory = box.peeling_trajectory
    ok = trajectory[(trajectory["res_dim"] <= max_dims) & (trajectory["res_dim"] > 0)]
    if ok.empty:
        return None
    best = int((ok["coverage"] * ok["density"]).idxmax())
    lims = box.box_lims[best]
    qp = box.qp[best]
    limits = {}
    for name, values in qp.items():
        p_values = [v for v in values if v >= 0]  # -1: that side is not restricted
        if p_values and min(p_values) < significance:
            limits[name] = (float(lims.loc[0, name]), float(lims.loc[1, name]))
    if not limits:
        return None
    inside = np.ones(len(x), dtype=bool)
    for name, (low, high) in limits.items():
        inside &= (x[name] >= low).to_numpy() & (x[name] <= high).to_numpy()
    hits = int((inside & failed).sum())
    density = hits / inside.sum()
    if density <= failed.mean():
        return None
    return Box(scenario, limits, hits / failed.sum(), density, float(inside.mean()),
               int(failed.sum()), len(failed))  # fmt: skip


def scenario_discovery(
    runs: pd.DataFrame, worlds: pd.DataFrame, baseline: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    """For every scenario that does worse than ``baseline`` (life satisfaction, everyone) in
    some but not all worlds, its PRIM box of uncertain parameters: a long table (one row per
    restricted parameter) and one sentence per scenario in plain words."""
    wide = world_matrix(runs, "life_satisfaction")
    x = worlds.drop(columns=["seed", "posterior_draw"], errors="ignore").loc[wide.index]
    x = x.select_dtypes("number")
    rows, words = [], {}
    for scenario in wide.columns:
        if scenario == baseline:
            continue
        failed = (wide[scenario] < wide[baseline]).to_numpy()
        n_fail = int(failed.sum())
        if n_fail == 0:
            words[scenario] = f"better than {baseline} in every one of the {len(failed)} worlds."
            continue
        if n_fail == len(failed):
            words[scenario] = f"worse than {baseline} in every one of the {len(failed)} worlds."
            continue
        box = find_box(x, failed, scenario)
        if box is None or not box.limits:
            words[scenario] = (
                f"worse than {baseline} in {n_fail} of {len(failed)} worlds, with no range of "
                "the uncertain parameters that concentrates the failures."
            )
            continue
        for name, (low, high) in box.limits.items():
            rows.append({
                "scenario": scenario, "parameter": name, "low": low, "high": high,
                "coverage": box.coverage, "density": box.density, "mass": box.mass,
                "failures": box.failures, "worlds": box.worlds,
            })  # fmt: skip
        words[scenario] = describe_box(box, x, baseline)
    return pd.DataFrame(rows, columns=BOX_COLUMNS), words


BOX_COLUMNS = ["scenario", "parameter", "low", "high", "coverage", "density", "mass",
               "failures", "worlds"]  # fmt: skip


def condition(
    name: str, low: float, high: float, least: float, most: float, plain: bool = False
) -> str:
    """One restriction of a PRIM box in words: "x < 0.21", "x > 0.6" or "x is between 0.2 and
    0.5", as cut from the range ``least`` to ``most`` the worlds span; ``plain`` gives "the x
    is below 0.21" with the parameter's name in words."""
    lo_cut, hi_cut = low > least, high < most
    what = f"the {name.replace('_', ' ')}" if plain else name
    if lo_cut and hi_cut:
        return f"{what} is between {low:.3g} and {high:.3g}"
    if hi_cut:
        return f"{what} is below {high:.3g}" if plain else f"{what} < {high:.3g}"
    return f"{what} is above {low:.3g}" if plain else f"{what} > {low:.3g}"


def describe_box(box: Box, x: pd.DataFrame, baseline: str) -> str:
    """A box in plain words, e.g. "worse than status_quo when coproduction_effect < 0.21 and
    prevention_effect > 0.6: 80% of the failures, 9 in 10 worlds inside the box"."""
    parts = [condition(name, low, high, x[name].min(), x[name].max())
             for name, (low, high) in box.limits.items()]  # fmt: skip
    inside = round(box.density * 10)
    return (
        f"worse than {baseline} in {box.failures} of {box.worlds} worlds, mostly when "
        + " and ".join(parts)
        + f": {box.coverage:.0%} of the failures, {inside} in 10 worlds inside the box "
        f"(PRIM coverage {box.coverage:.2f}, density {box.density:.2f})."
    )


def certainty_words(better: int, worlds: int) -> str:
    """How sure, in words a policy reader can repeat: "better in 27 of 30 plausible worlds"."""
    return f"better in {better} of {worlds} plausible worlds"
