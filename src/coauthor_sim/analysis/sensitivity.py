"""Sobol sensitivity indices from a sweep's stored outputs.

The sweep engine runs the Saltelli design (``experiment.design.sobol_matrices``); here its
final outcomes are arranged as ``f_A``, ``f_B`` and ``f_AB`` and handed to
``scipy.stats.sobol_indices``, which computes first-order and total indices (Saltelli et al.
2010 estimators) and bootstrap confidence intervals. Replications of a point are averaged
first: the model is stochastic, and its noise would otherwise be counted as an effect.

The sensitivity of a policy contrast (scenario A minus scenario B, run with the same seeds in
the same world) is what a policy choice turns on: ``morris_screen`` screens every uncertainty
(SALib's Morris elementary effects), ``sobol_contrast`` gives Sobol indices for the few that
matter. Seeds are common within the design: they are chosen by one more design column, the
dummy ``dummy_randomness``, so that a point that changes a parameter keeps the seeds of the
point it is compared with. Seed noise is then counted against the dummy, not against the
parameters, and the dummy's index is the noise floor: a parameter not above it is
indistinguishable from the model's own randomness (a parameter with no effect gets exactly
zero).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
    with warnings.catch_warnings():  # a factor with no effect has a degenerate interval
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", getattr(stats, "DegenerateDataWarning", RuntimeWarning))
        # scipy's SobolResult.bootstrap takes no random generator and resamples from numpy's
        # global stream: seed that stream for the call and put it back, so the intervals are
        # the same for the same seed (and the caller's global stream is left as it was)
        saved = np.random.get_state()  # noqa: NPY002 (the stream scipy reads)
        np.random.seed(seed)  # noqa: NPY002
        try:
            boot = result.bootstrap(confidence_level=confidence, n_resamples=n_resamples)
        finally:
            np.random.set_state(saved)  # noqa: NPY002
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


# --- Sensitivity of a policy contrast (A - B) ---------------------------------------------------

NOISE = "dummy_randomness"  # the design column that picks the seeds: the noise floor


@dataclass(frozen=True)
class Uncertain:
    """A factor of a contrast design: a parameter and the inverse CDF of its prior (uniform
    over [low, high] unless given), or the noise dummy."""

    name: str
    low: float = 0.0
    high: float = 1.0
    ppf: Callable[[np.ndarray], np.ndarray] | None = None

    def values(self, unit: np.ndarray) -> np.ndarray:
        unit = np.clip(np.asarray(unit, dtype=float), 0.0, 1.0 - 1e-12)
        return self.ppf(unit) if self.ppf is not None else self.low + unit * (self.high - self.low)


@dataclass(frozen=True)
class Contrast:
    """The difference ``treated - baseline`` in the final-year mean of ``outcome``, both run
    with the same seeds (``replications`` of them, averaged) in the same world. Picklable,
    so it can be sent to local processes or Dask workers."""

    baseline: dict[str, Any]
    treated: dict[str, Any]
    outcome: str
    replications: int
    seed: int

    def seeds(self, noise: float) -> list[int]:
        """Seeds for a value of the noise dummy: the same value, the same seeds, so every
        design point that keeps the dummy fixed shares its random numbers."""
        from ..experiment.runner import child_seed

        entropy = [self.seed, round(float(noise) * 1_000_000)]
        return [child_seed(c) for c in np.random.SeedSequence(entropy).spawn(self.replications)]

    def __call__(self, spec) -> float:
        # A run's final-year outcomes, computing outcomes for the final year alone (the same
        # numbers as final_outcomes(simulate(...)): calibration.statistics.run_statistics).
        from ..calibration.statistics import run_statistics

        world = dict(spec.params)
        noise = world.pop(NOISE, 0.0)
        # as in compare: a scenario that sets a parameter apart from the baseline keeps it
        treated_world = {k: v for k, v in world.items()
                         if self.treated.get(k) == self.baseline.get(k)}  # fmt: skip
        total = 0.0
        for seed in self.seeds(noise):
            for sign, scenario, values in ((1.0, self.treated, treated_world),
                                           (-1.0, self.baseline, world)):  # fmt: skip
                total += sign * run_statistics({**scenario, **values}, seed)[self.outcome]
        return total / self.replications


def evaluate(
    contrast: Contrast,
    factors: list[Uncertain],
    unit: np.ndarray,
    *,
    jobs: int | None = None,
    executor=None,
    progress: bool = False,
    desc: str = "design",
) -> np.ndarray:
    """The contrast at every row of a unit-cube design (one column per factor)."""
    from ..experiment.runner import RunSpec, execute

    columns = [f.values(unit[:, j]) for j, f in enumerate(factors)]
    specs = [
        RunSpec(
            key=str(i),
            params={f.name: float(col[i]) for f, col in zip(factors, columns, strict=True)},
            seed=0,
        )
        for i in range(unit.shape[0])
    ]
    out = np.full(len(specs), np.nan)
    for result in execute(specs, contrast, jobs=jobs, executor=executor, progress=progress,
                          desc=desc):  # fmt: skip
        if not result.ok:
            raise RuntimeError(f"design point {result.spec.key} failed: {result.error}")
        out[int(result.spec.key)] = result.value
    return out


def morris_screen(
    contrast: Contrast, factors: list[Uncertain], trajectories: int, seed: int, **run
) -> pd.DataFrame:
    """Morris elementary effects (SALib) of every factor on the contrast, the noise dummy
    included: mu* (mean absolute effect, in the outcome's units), its confidence interval,
    sigma, and whether the factor stands above the noise floor (its mu* above the dummy's
    mu* plus that interval)."""
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    problem = {"num_vars": len(factors), "names": [f.name for f in factors],
               "bounds": [[0.0, 1.0]] * len(factors)}  # fmt: skip
    unit = sample.sample(problem, trajectories, num_levels=4, seed=seed)
    y = evaluate(contrast, factors, unit, desc="screening", **run)
    result = analyze.analyze(problem, unit, y, num_levels=4, seed=seed)
    table = pd.DataFrame({
        "factor": problem["names"], "mu_star": result["mu_star"],
        "mu_star_conf": result["mu_star_conf"], "sigma": result["sigma"],
    })  # fmt: skip
    noise = table.set_index("factor").loc[NOISE]
    floor = float(noise["mu_star"] + noise["mu_star_conf"])
    table["noise_floor"] = floor
    table["above_noise"] = (table["mu_star"] > floor) & (table["factor"] != NOISE)
    return table.sort_values("mu_star", ascending=False).reset_index(drop=True)


def sobol_contrast(
    contrast: Contrast, factors: list[Uncertain], samples: int, seed: int,
    n_resamples: int = 999, **run,
) -> pd.DataFrame:  # fmt: skip
    """First-order and total Sobol indices of ``factors`` (the noise dummy among them) for the
    contrast, from Saltelli's design (``experiment.design.sobol_matrices``) and
    ``scipy.stats.sobol_indices``. A factor whose total index is not above the dummy's is
    indistinguishable from the model's own randomness."""
    from ..experiment.design import Factor, sobol_matrices

    unit_factors = [Factor(f.name, "uncertainty", low=0.0, high=1.0) for f in factors]
    points = sobol_matrices(unit_factors, samples, seed)
    unit = np.array([[p.values[f.name] for f in factors] for p in points])
    y = evaluate(contrast, factors, unit, desc="sobol", **run)
    table = pd.DataFrame({"role": [p.role for p in points], "row": [p.row for p in points],
                          "contrast": y})  # fmt: skip
    names = [f.name for f in factors]
    indices = sobol_table(arrange(table, names, ["contrast"], samples), names, ["contrast"],
                          samples, n_resamples=n_resamples, seed=seed)  # fmt: skip
    floor = indices.set_index("factor").loc[NOISE]
    indices["noise_floor"] = float(floor["total"])
    indices["above_noise"] = (indices["total_low"] > floor["total_high"]) & (
        indices["factor"] != NOISE
    )
    return indices.sort_values("total", ascending=False).reset_index(drop=True)
