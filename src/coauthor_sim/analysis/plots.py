"""Pictures for scenario comparisons. Each function returns a matplotlib ``Figure`` built with
the object-oriented API (no pyplot, no display needed); saving is the caller's business."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats as sps

from ..outcomes import OUTCOME_LABELS
from .stats import CONFIDENCE, WELLBY_GBP

COLOURS = [
    "#1b5e9a", "#d1495b", "#2e933c", "#edae49", "#7b4b94", "#00798c", "#8c5e3c", "#666666",
]  # fmt: skip


def _colour(k: int) -> str:
    return COLOURS[k % len(COLOURS)]


FLOWS = ("spending_total", "crisis_rate", "crises")  # nothing flows before month 1


def trajectories(paths: pd.DataFrame, outcomes: list[str], order: list[str]) -> Figure:
    """Mean trajectory of each outcome per scenario with its 95% confidence band across
    replications (t interval month by month). States start at month 0 (the common initial
    state); flows such as spending start at month 1."""
    cols = 3
    rows = int(np.ceil(len(outcomes) / cols))
    fig = Figure(figsize=(4.2 * cols, 3.0 * rows + 0.8), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, outcome in zip(axes, outcomes, strict=False):
        for k, name in enumerate(order):
            frame = paths[paths["scenario"] == name]
            if outcome in FLOWS:
                frame = frame[frame["month"] >= 1]
            scale = 10.0 if outcome.startswith("wellbeing_") else 1.0  # one scale: LS 0-10
            grouped = (frame[outcome] * scale).groupby(frame["month"])
            mean, sem, n = grouped.mean(), grouped.sem(), grouped.count()
            half = sem * sps.t.ppf(0.5 + CONFIDENCE / 2, np.maximum(n - 1, 1))
            ax.plot(mean.index, mean.to_numpy(), color=_colour(k), lw=1.6, label=name)
            ax.fill_between(
                mean.index, (mean - half).to_numpy(), (mean + half).to_numpy(),
                color=_colour(k), alpha=0.18, lw=0,
            )  # fmt: skip
        title = OUTCOME_LABELS.get(outcome, outcome)
        if outcome.startswith("wellbeing_"):
            title = title.replace("Well-being", "Life satisfaction") + " (0-10)"
        ax.set_title(title, fontsize=9.5)
        ax.set_xlabel("month")
        ax.grid(alpha=0.3)
    for ax in axes[len(outcomes) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(len(order), 4), fontsize=9)
    return fig


def fifths(summary: pd.DataFrame, order: list[str]) -> Figure:
    """Final-year life satisfaction (0-10) in each deprivation fifth (1 least, 5 most
    deprived), per scenario, with 95% confidence intervals, on the full 0-10 axis (the
    differences themselves are drawn by ``differences``)."""
    fig = Figure(figsize=(9, 4.2), layout="constrained")
    ax = fig.subplots()
    width = 0.8 / len(order)
    x = np.arange(5)
    for k, name in enumerate(order):
        rows = summary[(summary["scenario"] == name)].set_index("outcome")
        keys = [f"wellbeing_fifth_{q}" for q in range(1, 6)]
        mean = 10 * rows.loc[keys, "mean"].to_numpy()
        err = 10 * np.vstack([
            rows.loc[keys, "mean"] - rows.loc[keys, "ci_low"],
            rows.loc[keys, "ci_high"] - rows.loc[keys, "mean"],
        ])  # fmt: skip
        ax.bar(x + (k - (len(order) - 1) / 2) * width, mean, width, yerr=np.nan_to_num(err),
               color=_colour(k), label=name, capsize=2)  # fmt: skip
    ax.set_xticks(x, ["1 least\ndeprived", "2", "3", "4", "5 most\ndeprived"])
    ax.set_ylabel("life satisfaction (0-10), final year")
    ax.set_ylim(0, 10)  # bars start at zero: their lengths compare honestly
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    ax.set_title("Well-being by deprivation fifth of neighbourhoods")
    return fig


def cost_vs_gain(ce: pd.DataFrame, person_years: float) -> Figure:
    """Extra cost against extra well-being of each scenario relative to the baseline, per
    citizen per year, with 95% confidence intervals; the dashed line is the Green Book value
    of a WELLBY (points above it gain more well-being than their cost would buy at that
    price)."""
    fig = Figure(figsize=(7.5, 5), layout="constrained")
    ax = fig.subplots()
    for k, row in enumerate(ce.itertuples(index=False)):
        x = row.extra_cost / person_years
        y = row.wellbys_gained / person_years
        xerr = [[x - row.extra_cost_low / person_years], [row.extra_cost_high / person_years - x]]
        yerr = [[y - row.wellbys_low / person_years], [row.wellbys_high / person_years - y]]
        ax.errorbar(x, y, xerr=np.nan_to_num(xerr), yerr=np.nan_to_num(yerr), fmt="o",
                    color=_colour(k + 1), capsize=3)  # fmt: skip
        ax.annotate(row.scenario, (x, y), textcoords="offset points", xytext=(6, 6), fontsize=8)
    ax.axhline(0, color="black", lw=0.8)
    ax.axvline(0, color="black", lw=0.8)
    lo, hi = ax.get_xlim()
    xs = np.linspace(min(lo, -1.0), max(hi, 1.0), 2)
    ax.plot(xs, xs / WELLBY_GBP, ls="--", color="grey", lw=1,
            label=f"GBP {WELLBY_GBP:,} per WELLBY (HM Treasury Green Book)")  # fmt: skip
    ax.set_xlim(xs[0], xs[1])
    ax.set_xlabel("extra spending, GBP per citizen per year (vs baseline)")
    ax.set_ylabel("extra life satisfaction, points per citizen per year")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    ax.set_title("Cost against well-being gained")
    return fig


def differences(robust: pd.DataFrame, order: list[str], baseline: str) -> Figure:
    """Change in life satisfaction (0-10) of each scenario against the baseline, for everyone
    and for the least and most deprived fifths: the mean over plausible worlds (dot) and the
    range holding 90% of worlds (bar). The axis is centred on zero, so no difference is
    drawn as no difference; dotted lines mark the minimum important difference."""
    groups = [("everyone", "everyone"), ("fifth 5", "most deprived fifth"),
              ("fifth 1", "least deprived fifth")]  # fmt: skip
    fig = Figure(figsize=(8.5, 1.0 + 0.55 * len(order) * len(groups) / 1.5), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(order))[::-1].astype(float)
    spread = 0.0
    for g, (group, label) in enumerate(groups):
        part = robust[robust["group"] == group].set_index("scenario").loc[order]
        offset = (1 - g) * 0.25
        mean = part["difference"].to_numpy()
        err = np.vstack([mean - part["worlds_low"], part["worlds_high"] - mean])
        ax.errorbar(mean, y + offset, xerr=np.clip(err, 0, None), fmt="o", color=_colour(g),
                    capsize=3, label=label, ms=5)  # fmt: skip
        spread = max(spread, float(np.abs(part[["worlds_low", "worlds_high"]]).to_numpy().max()))
    mid = float(robust["mid"].iloc[0]) if "mid" in robust and len(robust) else 0.0
    ax.axvline(0, color="black", lw=1)
    for x in (-mid, mid):
        ax.axvline(x, color="grey", lw=0.8, ls=":")
    limit = 1.1 * max(spread, 2 * mid, 0.05)
    ax.set_xlim(-limit, limit)
    ax.set_yticks(y, order)
    ax.set_xlabel(f"change in life satisfaction (0-10) against {baseline}, final year")
    ax.grid(axis="x", alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="outside lower center", ncol=3)
    ax.set_title("Differences across plausible worlds: mean and 90% of worlds")
    return fig
