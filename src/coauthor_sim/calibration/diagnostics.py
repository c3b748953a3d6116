"""Diagnostics of a calibration a referee asks for: the posterior against the prior, the
correlations between parameters, the tolerance schedule and effective sample size, and the
posterior predictive check of every target. Computation and pictures; no files written here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..experiment.design import Factor
from ..experiment.runner import RunSpec, execute, replication_seeds
from ..params import SPECS
from .statistics import run_statistics
from .targets import Target

EDGE = 0.05  # a posterior whose 5% or 95% quantile lies this close to a prior edge is flagged


def diagnostics_path(posterior: Path) -> Path:
    """The ABC diagnostics written beside a posterior sample (``X.posterior.csv`` ->
    ``X.abc.json``)."""
    name = posterior.name.removesuffix(".posterior.csv")
    return posterior.with_name(f"{name}.abc.json")


def load_diagnostics(posterior: Path) -> dict[str, Any] | None:
    path = diagnostics_path(posterior)
    return json.loads(path.read_text()) if path.exists() else None


def _draw(spec: RunSpec) -> dict[str, float]:
    """Worker: one posterior predictive run's statistics."""
    return run_statistics(spec.params, spec.seed)


def posterior_predictive(
    params: dict[str, Any],
    posterior: pd.DataFrame | None,
    runs: int,
    seed: int,
    jobs: int | None = None,
) -> pd.DataFrame:
    """``runs`` single runs of the scenario, each with its own posterior draw (as comparisons
    draw them): one row per run, one column per statistic, plus the draw's index."""
    from ..compare import posterior_draws

    seeds = replication_seeds(seed, runs)
    draws = posterior_draws(posterior, runs, seed) if posterior is not None else None
    specs = []
    for r, run_seed in enumerate(seeds):
        values = dict(params)
        if draws is not None:
            row = posterior.iloc[draws[r]]
            values.update({k: SPECS[k].check(row[k].item()) for k in posterior.columns})
        specs.append(RunSpec(str(r), values, run_seed, {"draw": -1 if draws is None else draws[r]}))
    rows = []
    for result in execute(specs, _draw, jobs=jobs, progress=False):
        if not result.ok:
            raise RuntimeError(f"posterior predictive run failed: {result.error}")
        rows.append({"run": int(result.spec.key), "draw": result.spec.labels["draw"],
                     **result.value})  # fmt: skip
    return pd.DataFrame(rows).sort_values("run").reset_index(drop=True)


def predictive_check(runs: pd.DataFrame, targets: list[Target]) -> pd.DataFrame:
    """Every active target: band against the runs' median and 5-95% interval; whether the
    median lies in the band, the share of single runs inside it (a median in band with few
    runs inside is a weak fit) and whether the interval overlaps it."""
    rows = []
    for t in targets:
        if t.role == "inactive":
            continue
        sim = runs[t.statistic].dropna()
        median, low, high = (float(sim.quantile(q)) for q in (0.5, 0.05, 0.95))
        rows.append({
            "target": t.name, "role": t.role, "statistic": t.statistic, "observed": t.value,
            "band_low": t.low, "band_high": t.high, "median": median, "q05": low, "q95": high,
            "median_in_band": bool(t.low <= median <= t.high),
            "share_in_band": float(sim.between(t.low, t.high).mean()) if len(sim) else np.nan,
            "interval_overlaps": bool(low <= t.high and high >= t.low),
            "undefined_runs": int(len(runs) - len(sim)), "source": t.source,
        })  # fmt: skip
    return pd.DataFrame(rows)


def posterior_table(sample: pd.DataFrame, priors: list[Factor]) -> pd.DataFrame:
    """Each parameter: prior range, posterior median and 5-95% range, the share of the prior
    range the 90% interval covers, and whether it presses against a prior edge."""
    rows = []
    for f in priors:
        if f.name not in sample:
            continue
        x = sample[f.name]
        q05, q50, q95 = (float(x.quantile(q)) for q in (0.05, 0.5, 0.95))
        width = f.high - f.low
        edge = []
        if q05 - f.low < EDGE * width:
            edge.append("low")
        if f.high - q95 < EDGE * width:
            edge.append("high")
        rows.append({
            "parameter": f.name, "prior_low": f.low, "prior_high": f.high, "median": q50,
            "q05": q05, "q95": q95, "share_of_prior": (q95 - q05) / width,
            "at_edge": "+".join(edge) or "-",
        })  # fmt: skip
    return pd.DataFrame(rows)


def plot_posterior_vs_prior(sample: pd.DataFrame, priors: list[Factor]) -> Figure:
    """Histogram of the posterior sample of every parameter over its prior range, with the
    flat prior density for reference."""
    cols = 4
    rows = int(np.ceil(len(priors) / cols))
    fig = Figure(figsize=(3.3 * cols, 2.3 * rows + 0.7), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for ax, f in zip(axes, priors, strict=False):
        ax.hist(sample[f.name], bins=20, range=(f.low, f.high), density=True, color="#1b5e9a",
                alpha=0.85, label="posterior")  # fmt: skip
        ax.axhline(1.0 / (f.high - f.low), color="#888888", ls="--", lw=1.2, label="prior")
        ax.set_xlim(f.low, f.high)
        ax.set_title(f.name, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    for ax in axes[len(priors) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"Posterior (histogram, {len(sample)} draws) against the uniform prior (dashed)")
    return fig


def plot_correlations(sample: pd.DataFrame, priors: list[Factor]) -> Figure:
    """Spearman rank correlations between the posterior's parameters."""
    names = [f.name for f in priors if f.name in sample]
    corr = sample[names].corr(method="spearman").to_numpy()
    fig = Figure(figsize=(0.55 * len(names) + 3.5, 0.55 * len(names) + 2.2), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(corr, cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    for i in range(len(names)):
        for j in range(len(names)):
            if i != j and abs(corr[i, j]) >= 0.3:
                ax.text(j, i, f"{corr[i, j]:.1f}", ha="center", va="center", fontsize=6)
    fig.colorbar(image, ax=ax, shrink=0.7, label="Spearman correlation")
    ax.set_title("Posterior correlations between parameters (|r| >= 0.3 printed)")
    return fig


def plot_tolerance(generations: pd.DataFrame) -> Figure:
    """Tolerance, acceptance rate and effective sample size by generation."""
    fig = Figure(figsize=(8, 3.2), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    g = generations[np.isfinite(generations["epsilon"])]
    ax1.plot(g["t"], g["epsilon"], "o-", color="#1b5e9a")
    ax1.set_xlabel("generation")
    ax1.set_ylabel("tolerance (RMS, 1 = band edge)")
    ax1.set_title("Tolerance schedule (generation 0: the prior)", fontsize=9)
    ax2.plot(generations["t"], generations["acceptance_rate"], "s-", color="#d1495b",
             label="acceptance rate")  # fmt: skip
    ax2.plot(generations["t"], generations["ess"] / generations["accepted"], "^-",
             color="#2e933c", label="ESS / particles")  # fmt: skip
    ax2.set_ylim(0, 1.05)
    ax2.set_xlabel("generation")
    ax2.legend(fontsize=7)
    ax2.set_title("Acceptance and effective sample size", fontsize=9)
    return fig


def plot_predictive(check: pd.DataFrame) -> Figure:
    """Each target: its band (grey) and value (black) against the posterior predictive median
    (dot) and 5-95% interval (line), scaled so every band spans -1 to 1; held-out targets
    below the line."""
    check = pd.concat([check[check["role"] == "fit"], check[check["role"] != "fit"]])
    fig = Figure(figsize=(10, 0.5 * len(check) + 1.4), layout="constrained")
    ax = fig.subplots()
    for y, row in enumerate(check.itertuples()):
        half = (row.band_high - row.band_low) / 2
        centre = (row.band_high + row.band_low) / 2

        def scale(v, centre=centre, half=half):
            return float(np.clip((v - centre) / half, -4.5, 4.5))

        ax.barh(y, 2, left=-1, height=0.6, color="#dddddd")
        ax.plot([scale(row.observed)] * 2, [y - 0.3, y + 0.3], color="black", lw=2)
        colour = "#2e933c" if row.median_in_band else "#d1495b"
        ax.plot([scale(row.q05), scale(row.q95)], [y, y], color=colour, lw=2)
        ax.plot(scale(row.median), y, "o", color=colour)
    fitted = int((check["role"] == "fit").sum())
    if fitted < len(check):
        ax.axhline(fitted - 0.5, color="black", lw=0.8)
    ax.set_yticks(range(len(check)),
                  [f"{t}{'' if r == 'fit' else ' (held out)'}" for t, r in
                   zip(check["target"], check["role"], strict=True)])  # fmt: skip
    ax.invert_yaxis()
    ax.axvline(0, color="grey", lw=0.6)
    ax.set_xlim(-4.6, 4.6)
    ax.set_xlabel(
        "position within the target's band (-1 = low edge, +1 = high edge; clipped at 4.5)"
    )
    ax.set_title("Posterior predictive check: median and 90% interval of single runs")
    return fig
