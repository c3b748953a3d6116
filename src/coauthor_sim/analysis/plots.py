"""Pictures for scenario comparisons. Each function returns a matplotlib ``Figure`` built with
the object-oriented API (no pyplot, no display needed); saving is the caller's business."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats as sps

from ..outcomes import OUTCOME_LABELS
from .stats import CONFIDENCE

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


def fifths(summary: pd.DataFrame, order: list[str], marks: dict[int, str] | None = None) -> Figure:
    """Final-year life satisfaction (0-10) in each deprivation fifth (1 least, 5 most
    deprived), per scenario, with 95% confidence intervals, on the full 0-10 axis (the
    differences themselves are drawn by ``differences``). ``marks`` label fifths under their
    name (a council's empty or small fifths: "none here", "small sample")."""
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
    names = ["1 least\ndeprived", "2", "3", "4", "5 most\ndeprived"]
    marks = marks or {}
    ax.set_xticks(x, [f"{n}\n({marks[q]})" if q in marks else n
                      for q, n in enumerate(names, start=1)])  # fmt: skip
    ax.set_ylabel("life satisfaction (0-10), final year")
    ax.set_ylim(0, 10)  # bars start at zero: their lengths compare honestly
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    ax.set_title("Well-being by deprivation fifth of neighbourhoods")
    return fig


def differences(robust: pd.DataFrame, order: list[str], baseline: str) -> Figure:
    """Change in life satisfaction (0-10) of each scenario against the baseline, for everyone
    and for the least and most deprived fifths: the mean over plausible worlds (dot) and the
    range holding 90% of worlds (bar). The axis is centred on zero, so no difference is
    drawn as no difference; dotted lines mark the minimum important difference."""
    groups = [("everyone", "everyone"), ("fifth 5", "most deprived fifth"),
              ("fifth 1", "least deprived fifth")]  # fmt: skip
    fig = Figure(figsize=(8.5, 1.6 + 0.5 * len(order)), layout="constrained")
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


LINESTYLES = ["-", "--", "-.", ":"]


def time_profile(profile: pd.DataFrame, order: list[str], baseline: str, value: float) -> Figure:
    """Cumulative discounted net value of each scenario against the baseline, month by month
    (WELLBYs gained at ``value`` GBP each, minus extra spending, both at present value): the
    mean over plausible worlds (line) and the range holding 90% of them (band). Where a line
    crosses zero for good, the scenario breaks even. Colours and line styles both differ, so
    scenarios stay apart in print and for colour-blind readers."""
    fig = Figure(figsize=(8.5, 4.2), layout="constrained")
    ax = fig.subplots()
    big = profile.empty or float(profile[["low", "high"]].abs().to_numpy().max()) >= 5e6
    scale, unit = (1e6, "millions") if big else (1e3, "thousands")
    for k, name in enumerate(order):
        part = profile[profile["scenario"] == name].sort_values("month")
        if part.empty:
            continue
        colour, style = _colour(k + 1), LINESTYLES[k % len(LINESTYLES)]
        ax.plot(part["month"], part["mean"] / scale, color=colour, ls=style, lw=1.8, label=name)
        ax.fill_between(part["month"], part["low"] / scale, part["high"] / scale, color=colour,
                        alpha=0.06, lw=0)  # fmt: skip
    ax.axhline(0, color="black", lw=1)
    ax.set_xlabel("month")
    ax.set_ylabel(f"GBP {unit}, present value")
    ax.set_title(f"Net value against {baseline} over time, at GBP {value:,.0f} per WELLBY")
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 4), fontsize=8)
    return fig


def value_plane(appraisal: pd.DataFrame, values: dict[str, float]) -> Figure:
    """Extra cost against WELLBYs gained, both at present value, for each scenario against the
    baseline: mean over worlds with the range holding 90% of them. The lines are the Green
    Book's low, central and high values of a WELLBY: below and right of a line, a scenario
    costs more than its gain is worth at that value. The axes hold every point and line."""
    fig = Figure(figsize=(7.5, 4.8), layout="constrained")
    ax = fig.subplots()
    for k, r in enumerate(appraisal.itertuples(index=False)):
        x, y = r.extra_cost_mean / 1000, r.wellbys_mean
        xerr = [[max(x - r.extra_cost_low / 1000, 0)], [max(r.extra_cost_high / 1000 - x, 0)]]
        yerr = [[max(y - r.wellbys_low, 0)], [max(r.wellbys_high - y, 0)]]
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="o", color=_colour(k + 1), capsize=3)
        ax.annotate(r.scenario, (x, y), textcoords="offset points", xytext=(6, 6), fontsize=8)
    ax.axhline(0, color="black", lw=0.8)
    ax.axvline(0, color="black", lw=0.8)
    lo, hi = ax.get_xlim()
    ylo, yhi = ax.get_ylim()
    span = max(abs(lo), abs(hi), abs(ylo) * max(values.values()) / 1000,
               abs(yhi) * max(values.values()) / 1000, 1.0)  # fmt: skip
    xs = np.array([-span, span])
    for (name, v), style in zip(values.items(), (":", "--", "-."), strict=False):
        ax.plot(xs, xs * 1000 / v, ls=style, color="grey", lw=1,
                label=f"{name}: GBP {v:,.0f} per WELLBY")  # fmt: skip
    ax.set_xlim(min(lo, -0.05 * span), max(hi, 0.05 * span))
    ax.set_ylim(min(ylo, lo * 1000 / max(values.values())), max(yhi, hi * 1000 / min(
        values.values())))  # fmt: skip
    ax.set_xlabel("extra spending, GBP thousands (present value, whole run)")
    ax.set_ylabel("WELLBYs gained (present value, whole run)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    ax.set_title("Cost against well-being gained, with the Green Book's values of a WELLBY")
    return fig
