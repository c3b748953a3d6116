"""Pictures for scenario comparisons. Each function returns a matplotlib ``Figure`` built with
the object-oriented API (no pyplot, no display needed); saving is the caller's business."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats as sps

from ..outcomes import OUTCOME_LABELS
from .stats import CONFIDENCE

# Okabe & Ito (2008), "Color Universal Design": eight colours told apart with every common form
# of colour blindness. The baseline is dark grey; the others take these in the order of the
# comparison, and keep them in every chart (``scenario_colours``). Yellow comes last: it is
# the weakest on white paper.
BASELINE_COLOUR = "#555555"
COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000",
           "#F0E442"]  # fmt: skip
LINESTYLES = ["-", "--", "-.", ":"]


def scenario_colours(names: list[str]) -> dict[str, str]:
    """One colour per scenario for every chart of a report: the first (the baseline) dark
    grey, the others in the order given. Beyond eight others the colours repeat, and the
    charts that draw lines tell them apart by line style as well (``scenario_style``)."""
    return {name: BASELINE_COLOUR if k == 0 else COLOURS[(k - 1) % len(COLOURS)]
            for k, name in enumerate(names)}  # fmt: skip


def scenario_style(names: list[str], name: str) -> str:
    """The line style of a scenario, fixed like its colour: solid for the first eight after
    the baseline, then dashed, and so on."""
    k = max(names.index(name) - 1, 0)
    return LINESTYLES[(k // len(COLOURS)) % len(LINESTYLES)]


FLOWS = ("spending_total", "crisis_rate", "crises")  # nothing flows before month 1


def _label(labels: dict[str, str] | None, name: str) -> str:
    return (labels or {}).get(name, name)


def trajectories(
    paths: pd.DataFrame,
    outcomes: list[str],
    colours: dict[str, str],
    labels: dict[str, str] | None = None,
) -> Figure:
    """Mean trajectory of each outcome per scenario (the scenarios of ``colours``, in its
    order) with its 95% confidence band across replications (t interval month by month).
    States start at month 0 (the common initial state); flows such as spending start at
    month 1. The legend sits below the panels, over no line."""
    order = list(colours)
    cols = 3
    rows = int(np.ceil(len(outcomes) / cols))
    fig = Figure(figsize=(4.2 * cols, 3.0 * rows + 0.8), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, outcome in zip(axes, outcomes, strict=False):
        for name in order:
            frame = paths[paths["scenario"] == name]
            if outcome in FLOWS:
                frame = frame[frame["month"] >= 1]
            scale = 10.0 if outcome.startswith("wellbeing_") else 1.0  # one scale: LS 0-10
            grouped = (frame[outcome] * scale).groupby(frame["month"])
            mean, sem, n = grouped.mean(), grouped.sem(), grouped.count()
            half = sem * sps.t.ppf(0.5 + CONFIDENCE / 2, np.maximum(n - 1, 1))
            ax.plot(mean.index, mean.to_numpy(), color=colours[name], lw=1.6,
                    ls=scenario_style(order, name), label=_label(labels, name))  # fmt: skip
            ax.fill_between(
                mean.index, (mean - half).to_numpy(), (mean + half).to_numpy(),
                color=colours[name], alpha=0.15, lw=0,
            )  # fmt: skip
        title = OUTCOME_LABELS.get(outcome, outcome)
        if outcome.startswith("wellbeing_"):
            title = title.replace("Well-being", "Life satisfaction") + " (0-10)"
        ax.set_title(title, fontsize=9.5)
        ax.set_xlabel("month")
        ax.grid(alpha=0.3)
    for ax in axes[len(outcomes) :]:
        ax.set_visible(False)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncol=min(len(order), 4), fontsize=9)
    return fig


def fifths(
    summary: pd.DataFrame,
    colours: dict[str, str],
    labels: dict[str, str] | None = None,
    marks: dict[int, str] | None = None,
) -> Figure:
    """Final-year life satisfaction (0-10) in each deprivation fifth (1 least, 5 most
    deprived), per scenario, with 95% confidence intervals, on the full 0-10 axis (the
    differences themselves are drawn by ``differences``). The legend sits below the axes, so
    it hides no bar. ``marks`` label fifths under their name (a council's empty or small
    fifths: "none here", "small sample")."""
    order = list(colours)
    fig = Figure(figsize=(9, 4.6), layout="constrained")
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
               color=colours[name], label=_label(labels, name), capsize=2)  # fmt: skip
    names = ["1 least\ndeprived", "2", "3", "4", "5 most\ndeprived"]
    marks = marks or {}
    ax.set_xticks(x, [f"{n}\n({marks[q]})" if q in marks else n
                      for q, n in enumerate(names, start=1)])  # fmt: skip
    ax.set_ylabel("life satisfaction (0-10), final year")
    ax.set_ylim(0, 10)  # bars start at zero: their lengths compare honestly
    ax.grid(axis="y", alpha=0.3)
    fig.legend(loc="outside lower center", fontsize=8, ncol=min(len(order), 4))
    ax.set_title("Life satisfaction by deprivation fifth of neighbourhoods")
    return fig


GROUP_MARKERS = [("everyone", "everyone", "o"), ("fifth 5", "most deprived fifth", "v"),
                 ("fifth 1", "least deprived fifth", "s")]  # fmt: skip


def differences(
    robust: pd.DataFrame,
    order: list[str],
    baseline: str,
    colours: dict[str, str],
    labels: dict[str, str] | None = None,
    apart: list[str] | None = None,
    marks: dict[int, str] | None = None,
) -> Figure:
    """Change in life satisfaction (0-10) of each scenario against the baseline, for everyone
    and for the most and least deprived fifths (one marker shape each, in the scenario's
    colour): the mean over plausible worlds (marker) and the range holding 90% of worlds
    (bar). Scenarios of ``apart`` (results that rest on implausible figures) are drawn below a
    line, apart from the ranking. The axis is centred on zero, so no difference is drawn as no
    difference; dotted lines mark the minimum important difference. ``marks`` label fifths in
    the legend (a council's: "none here" for a fifth it lacks, drawn as nothing; "small
    sample")."""
    apart = [a for a in (apart or []) if a in order]
    rows = [n for n in order if n not in apart] + apart
    gap = 0.6 if apart else 0.0
    fig = Figure(figsize=(8.5, 1.5 + 0.55 * len(rows) + gap), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(rows))[::-1].astype(float)
    y[len(rows) - len(apart) :] -= gap  # the ones shown apart sit lower, below a line
    spread = 0.0
    for g, (group, _label_text, marker) in enumerate(GROUP_MARKERS):
        part = robust[robust["group"] == group].set_index("scenario").loc[rows]
        offset = (1 - g) * 0.24
        mean = part["difference"].to_numpy()
        err = np.clip(np.vstack([mean - part["worlds_low"], part["worlds_high"] - mean]), 0, None)
        for k, name in enumerate(rows):
            ax.errorbar(mean[k], y[k] + offset, xerr=err[:, k : k + 1], fmt=marker,
                        color=colours[name], capsize=3, ms=5.5,
                        mfc=colours[name] if g == 0 else "white")  # fmt: skip
        ends = np.abs(part[["worlds_low", "worlds_high"]].to_numpy(float))
        spread = max(spread, float(np.nanmax(ends, initial=0.0)))
    mid = float(robust["mid"].iloc[0]) if "mid" in robust and len(robust) else 0.0
    ax.axvline(0, color="black", lw=1)
    for x in (-mid, mid):
        ax.axvline(x, color="grey", lw=0.8, ls=":")
    if apart:
        line = y[len(rows) - len(apart) - 1] - 0.5 - gap / 2
        ax.axhline(line, color="grey", lw=0.8, ls="--")
        ax.text(
            0.01,
            line - 0.08,
            "shown apart: the result rests on implausible figures",
            transform=ax.get_yaxis_transform(),
            va="top",
            fontsize=8,
            color="#444444",
        )
    limit = 1.1 * max(spread, 2 * mid, 0.05)
    ax.set_xlim(-limit, limit)
    ax.set_ylim(y.min() - 0.6, y.max() + 0.6)
    ax.set_yticks(y, [_label(labels, n) for n in rows])
    for tick, name in zip(ax.get_yticklabels(), rows, strict=True):
        tick.set_color(colours[name])
    ax.set_xlabel(f"change in life satisfaction (0-10) against {_label(labels, baseline).lower()}, "
                  "final year")  # fmt: skip
    ax.grid(axis="x", alpha=0.3)
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color="black", marker=m, ls="", mfc="black" if g == 0 else "white")
               for g, (_, _, m) in enumerate(GROUP_MARKERS)]  # fmt: skip
    quintile = {"fifth 5": 5, "fifth 1": 1}
    names = [t + (f" ({(marks or {})[quintile[g]]})" if quintile.get(g) in (marks or {}) else "")
             for g, t, _ in GROUP_MARKERS]  # fmt: skip
    fig.legend(handles, names, fontsize=8, loc="outside lower center",
               ncol=3, title="marker: mean over worlds; bar: range holding 90% of worlds",
               title_fontsize=8)  # fmt: skip
    return fig


def time_profile(
    profile: pd.DataFrame,
    order: list[str],
    baseline: str,
    value: float,
    colours: dict[str, str],
    labels: dict[str, str] | None = None,
) -> Figure:
    """Cumulative discounted net value of each scenario against the baseline, month by month
    (WELLBYs gained at ``value`` GBP each, minus extra spending, both at present value): the
    mean over plausible worlds (line) and the range holding 90% of them (band). Where a line
    crosses zero for good, the scenario breaks even. Each scenario keeps its report colour."""
    fig = Figure(figsize=(8.5, 4.4), layout="constrained")
    ax = fig.subplots()
    big = profile.empty or float(profile[["low", "high"]].abs().to_numpy().max()) >= 5e6
    scale, unit = (1e6, "millions") if big else (1e3, "thousands")
    names = list(colours)
    for name in order:
        part = profile[profile["scenario"] == name].sort_values("month")
        if part.empty:
            continue
        ax.plot(part["month"], part["mean"] / scale, color=colours[name],
                ls=scenario_style(names, name), lw=1.8, label=_label(labels, name))  # fmt: skip
        ax.fill_between(part["month"], part["low"] / scale, part["high"] / scale,
                        color=colours[name], alpha=0.07, lw=0)  # fmt: skip
    ax.axhline(0, color="black", lw=1)
    ax.set_xlabel("month")
    ax.set_ylabel(f"GBP {unit}, present value")
    ax.set_title(f"Net value against {_label(labels, baseline)} over time, at GBP {value:,.0f} "
                 "per WELLBY")  # fmt: skip
    ax.grid(alpha=0.3)
    handles, names_shown = ax.get_legend_handles_labels()
    fig.legend(handles, names_shown, loc="outside lower center", ncol=min(len(names_shown), 4),
               fontsize=8)  # fmt: skip
    return fig


def value_plane(
    appraisal: pd.DataFrame,
    values: dict[str, float],
    colours: dict[str, str],
    labels: dict[str, str] | None = None,
) -> Figure:
    """Extra cost against WELLBYs gained, both at present value, for each scenario against the
    baseline: mean over worlds with the range holding 90% of them, in the scenario's colour.
    The lines are the Green Book's low, central and high values of a WELLBY: below and right
    of a line, a scenario costs more than its gain is worth at that value. The axes hold every
    point and line; the legend sits below the axes."""
    fig = Figure(figsize=(7.5, 5.2), layout="constrained")
    ax = fig.subplots()
    for r in appraisal.itertuples(index=False):
        x, y = r.extra_cost_mean / 1000, r.wellbys_mean
        xerr = [[max(x - r.extra_cost_low / 1000, 0)], [max(r.extra_cost_high / 1000 - x, 0)]]
        yerr = [[max(y - r.wellbys_low, 0)], [max(r.wellbys_high - y, 0)]]
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="o", color=colours[r.scenario], capsize=3,
                    label=_label(labels, r.scenario))  # fmt: skip
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
    fig.legend(fontsize=8, loc="outside lower center", ncol=3)
    ax.set_title("Cost against well-being gained, with the Green Book's values of a WELLBY")
    return fig
