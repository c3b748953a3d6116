"""Sobol sensitivity indices from a sweep's stored outputs.

The sweep engine runs the Saltelli design (``experiment.design.sobol_matrices``); here its
final outcomes are arranged as ``f_A``, ``f_B`` and ``f_AB`` and handed to
``scipy.stats.sobol_indices``, which computes first-order and total indices (Saltelli et al.
2010 estimators) and bootstrap confidence intervals. Replications of a point are averaged
first: the model is stochastic, and its noise would otherwise be counted as an effect.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats


def arrange(
    values: pd.DataFrame, factors: list[str], outcomes: list[str], n: int
) -> dict[str, np.ndarray]:
    """``f_A`` (s, n), ``f_B`` (s, n) and ``f_AB`` (d, s, n) from a table with columns
    ``role`` ("A", "B", "AB:<factor>"), ``row`` (0..n-1) and the outcomes."""

    def block(role: str) -> np.ndarray:
        part = values[values["role"] == role].sort_values("row")
        if len(part) != n:
            raise ValueError(f"design role {role} has {len(part)} rows, expected {n}")
        return part[outcomes].to_numpy(dtype=float).T

    return {
        "f_A": block("A"),
        "f_B": block("B"),
        "f_AB": np.stack([block(f"AB:{f}") for f in factors]),
    }


def sobol_table(
    outputs: dict[str, np.ndarray],
    factors: list[str],
    outcomes: list[str],
    n: int,
    confidence: float = 0.95,
    n_resamples: int = 999,
    seed: int = 0,
) -> pd.DataFrame:
    """First-order and total Sobol indices of every factor for every outcome, with
    bootstrap confidence intervals, as a long table."""
    result = stats.sobol_indices(func=outputs, n=n)
    boot = result.bootstrap(confidence_level=confidence, n_resamples=n_resamples)
    shape = (len(outcomes), len(factors))  # scipy drops the outcome axis when there is one

    def grid(values) -> np.ndarray:
        return np.reshape(np.asarray(values, dtype=float), shape)

    first, total = grid(result.first_order), grid(result.total_order)
    first_ci, total_ci = boot.first_order.confidence_interval, boot.total_order.confidence_interval
    first_low, first_high = grid(first_ci.low), grid(first_ci.high)
    total_low, total_high = grid(total_ci.low), grid(total_ci.high)
    rows = []
    for s, outcome in enumerate(outcomes):
        for d, factor in enumerate(factors):
            rows.append({
                "outcome": outcome, "factor": factor,
                "first_order": first[s, d], "first_order_low": first_low[s, d],
                "first_order_high": first_high[s, d],
                "total": total[s, d], "total_low": total_low[s, d], "total_high": total_high[s, d],
            })  # fmt: skip
    return pd.DataFrame(rows)


def plot_indices(table: pd.DataFrame) -> Figure:
    """One panel per outcome: first-order and total index of each factor with intervals."""
    outcomes = list(dict.fromkeys(table["outcome"]))
    cols = min(3, len(outcomes))
    rows = int(np.ceil(len(outcomes) / cols))
    fig = Figure(figsize=(4.6 * cols, 3.2 * rows + 0.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for ax, outcome in zip(axes, outcomes, strict=False):
        part = table[table["outcome"] == outcome]
        y = np.arange(len(part))
        for offset, kind, colour in ((-0.18, "first_order", "#1b5e9a"), (0.18, "total", "#d1495b")):
            mid = part[kind].to_numpy()
            err = np.vstack([mid - part[f"{kind}_low"], part[f"{kind}_high"] - mid])
            ax.barh(y + offset, mid, height=0.34, xerr=np.clip(np.nan_to_num(err), 0, None),
                    color=colour, label=kind.replace("_", " "), capsize=2)  # fmt: skip
        ax.set_yticks(y, part["factor"])
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(outcome, fontsize=9.5)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[len(outcomes) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8)
    fig.suptitle("Sobol indices (95% bootstrap intervals)")
    return fig
