"""The standard figures of a sweep, written into its results folder by every sweep session.

- ``main_effects.png``: each recorded outcome's final-year value against each factor: the
  mean over runs at each level with its 95% interval (t, across runs) when the factor has few
  levels, else every run as a dot and the means of eight equal-count bins;
- ``trajectories.png`` (when a time series is recorded): each outcome month by month, the
  mean over runs (with a 95% band when three or more runs are behind it), one line per design
  point when there are few, else one line for all runs.

Built with matplotlib's object-oriented API (no display needed), from the store alone, so a
resumed or interrupted sweep draws what it has.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats as sps

from ..outcomes import OUTCOME_LABELS
from .plots import COLOURS
from .stats import CONFIDENCE

FOLDER = "figures"


def _colour(k: int) -> str:
    """The k-th colour of the report's colour-blind-safe palette (``plots.COLOURS``)."""
    return COLOURS[k % len(COLOURS)]


FEW_LEVELS = 12  # at most this many distinct values: one mean per level
MAX_DOTS = 4000  # runs drawn as dots at most (a random choice of them beyond)
MAX_LINES = 8  # design points drawn as their own line at most
MIN_BAND_RUNS = 3  # runs behind a mean before its interval is drawn (2 give a useless band)
HEADLINE = ("life_satisfaction", "wellbeing_gap", "engagement_rate", "unmet_need")


def _interval(values: pd.Series) -> tuple[float, float]:
    """Mean and half-width of its t interval (0 for fewer than two values)."""
    n = values.count()
    mean = float(values.mean())
    if n < 2:
        return mean, 0.0
    return mean, float(sps.t.ppf(0.5 + CONFIDENCE / 2, n - 1) * values.std(ddof=1) / np.sqrt(n))


def main_effects(runs: pd.DataFrame, factors: list[str], outcomes: list[str]) -> Figure:
    """Each outcome (rows) against each factor (columns), from the runs table."""
    fig = Figure(figsize=(3.2 * max(1, len(factors)), 2.5 * len(outcomes)), layout="constrained")
    axes = fig.subplots(len(outcomes), max(1, len(factors)), squeeze=False)
    rng = np.random.default_rng(0)
    for i, outcome in enumerate(outcomes):
        for j, factor in enumerate(factors):
            ax = axes[i, j]
            x, y = runs[f"x_{factor}"], runs[outcome]
            if x.nunique() <= FEW_LEVELS:
                levels = sorted(x.dropna().unique())
                stats = [_interval(y[x == level]) for level in levels]
                ax.errorbar(levels, [m for m, _ in stats], yerr=[h for _, h in stats],
                            marker="o", color=_colour(0), capsize=3)  # fmt: skip
            else:
                shown = runs if len(runs) <= MAX_DOTS else runs.iloc[
                    rng.choice(len(runs), MAX_DOTS, replace=False)]  # fmt: skip
                ax.scatter(shown[f"x_{factor}"], shown[outcome], s=6, alpha=0.35,
                           color=_colour(0), linewidths=0)  # fmt: skip
                bins = pd.qcut(x, 8, duplicates="drop")
                means = y.groupby(bins, observed=True).mean()
                centres = x.groupby(bins, observed=True).mean()
                ax.plot(centres, means, color=_colour(1), marker="o", lw=1.5)
            ax.grid(alpha=0.3)
            if i == len(outcomes) - 1:
                ax.set_xlabel(factor)
            if j == 0:
                ax.set_ylabel(OUTCOME_LABELS.get(outcome, outcome), fontsize=8)
    fig.suptitle(f"Final-year outcomes against each factor (means, {CONFIDENCE:.0%} intervals)")
    return fig


def trajectories(series: pd.DataFrame, runs: pd.DataFrame, outcomes: list[str]) -> Figure:
    """Each recorded outcome month by month: a mean line with its band per design point (or
    one for all runs when there are many points)."""
    merged = series.merge(runs[["run_id", "point"]], on="run_id")
    few = merged["point"].nunique() <= MAX_LINES
    groups = merged.groupby("point") if few else [("all runs", merged)]
    factors = [c for c in runs.columns if c.startswith("x_")]
    labels = runs.groupby("point")[factors].first() if factors else None
    fig = Figure(figsize=(4.2 * len(outcomes), 3.0), layout="constrained")
    axes = fig.subplots(1, len(outcomes), squeeze=False)[0]
    for k, (label, part) in enumerate(groups):
        by_month = part.groupby("month")
        for ax, outcome in zip(axes, outcomes, strict=True):
            stats = by_month[outcome].apply(_interval)
            mean = np.array([m for m, _ in stats])
            half = np.array([h for _, h in stats])
            months = stats.index.to_numpy()
            name = label
            if few and labels is not None:
                name = ", ".join(f"{c[2:]} {v:g}" if isinstance(v, float) else f"{c[2:]} {v}"
                                 for c, v in labels.loc[label].items())  # fmt: skip
            ax.plot(months, mean, color=_colour(k), lw=1.4, label=name)
            if by_month[outcome].count().min() >= MIN_BAND_RUNS:
                ax.fill_between(months, mean - half, mean + half, color=_colour(k), alpha=0.15)
    for ax, outcome in zip(axes, outcomes, strict=True):
        ax.set_title(OUTCOME_LABELS.get(outcome, outcome), fontsize=9)
        ax.set_xlabel("month")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    return fig


def write_figures(folder: str | Path) -> list[Path]:
    """Draw the standard figures of the sweep in ``folder`` into ``folder/figures``; return
    the files written (none while no run is done)."""
    from ..experiment.store import load_results
    from ..safe_output import write_atomic

    folder = Path(folder)
    runs, series = load_results(folder)
    runs = runs[runs["status"] == "done"]
    if runs.empty:
        return []
    factors = [c.removeprefix("x_") for c in runs.columns if c.startswith("x_")]
    outcomes = [o for o in HEADLINE if o in runs] or [c for c in OUTCOME_LABELS if c in runs][:4]
    out = folder / FOLDER
    out.mkdir(exist_ok=True)
    figures = {"main_effects.png": main_effects(runs, factors, outcomes)} if factors else {}
    recorded = [o for o in outcomes if o in series.columns]
    if len(series) and recorded:
        figures["trajectories.png"] = trajectories(series, runs, recorded)
    written = []
    for name, fig in figures.items():
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100)
        write_atomic(out / name, buffer.getvalue())
        written.append(out / name)
    return written
