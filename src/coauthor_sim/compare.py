"""Scenario comparison: the same seeds under every scenario, then statistics.

``run_comparison`` runs each scenario ``replications`` times with one shared list of seeds
(common random numbers), reduces every run to a row of summaries as it finishes, and returns
the tables a policy reader needs. Writing files is left to ``coauthor_sim.analysis.report``.
"""

from __future__ import annotations

import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .analysis import stats
from .experiment import RunSpec, execute, replication_seeds
from .params import SPECS
from .scenario import Scenario, ScenarioError

SUMMARY_MONTHS = 12  # outcomes are averaged over the final year of each run
COMPARED = [
    "life_satisfaction",
    "wellbeing_least_deprived",
    "wellbeing_most_deprived",
    "wellbeing_gap",
    "gini_wellbeing",
    "low_wellbeing_share",
    "engagement_rate",
    "coproduction_rate",
    "civic_participation",
    "influence_share",
    "voice_share_most_deprived",
    "unmet_need",
    "crisis_rate",
    "spending_total",
]
FIFTHS = [f"wellbeing_fifth_{q}" for q in range(1, 6)]
TOTALS = ["total_spending", "wellbys"]
TRAJECTORY = [
    "life_satisfaction",
    "wellbeing_gap",
    "engagement_rate",
    "unmet_need",
    "crisis_rate",
    "spending_total",
]


@dataclass
class Comparison:
    """Everything a comparison produced: per-run rows, trajectories, and the statistics."""

    scenarios: list[Scenario]
    seeds: list[int]
    runs: pd.DataFrame
    trajectories: pd.DataFrame
    summary: pd.DataFrame
    differences: pd.DataFrame
    cost_effectiveness: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def baseline(self) -> str:
        return self.scenarios[0].name


def run_summary(table: pd.DataFrame, n_citizens: int) -> dict[str, float]:
    """One run reduced to numbers: final-year means of the compared outcomes and of well-being
    by deprivation fifth, spending over the whole run, and WELLBYs over the whole run."""
    months = table.iloc[1:]
    final = months.iloc[-SUMMARY_MONTHS:]
    row = {name: float(final[name].mean()) for name in COMPARED + FIFTHS}
    row["total_spending"] = float(months["spending_total"].sum())
    row["wellbys"] = float(months["life_satisfaction"].sum() * n_citizens / 12.0)
    return row


def _summarise_run(spec: RunSpec) -> tuple[dict[str, float], pd.DataFrame]:
    """Worker: simulate one run, return its summary row and its trajectory of key outcomes."""
    from .experiment.runner import simulate

    table = simulate(spec)
    return run_summary(table, spec.params["n_citizens"]), table[TRAJECTORY]


def load_posterior(path: Path) -> pd.DataFrame:
    """A posterior sample written by ``coauthor-sim calibrate``: one row per draw, one column
    per calibrated uncertain parameter."""
    try:
        sample = pd.read_csv(path)
    except (OSError, ValueError) as err:
        raise ScenarioError(f"{path}: cannot read the posterior sample: {err}") from None
    from .calibration.targets import calibratable

    bad = [c for c in sample.columns if not calibratable(c)]
    if bad or sample.empty:
        raise ScenarioError(f"{path}: a posterior sample needs rows and only uncertainty "
                            f"parameters as columns (found {bad or 'no rows'})")  # fmt: skip
    return sample


def posterior_draws(sample: pd.DataFrame, replications: int, seed: int) -> list[int]:
    """Which posterior row each replication uses: drawn with replacement, from a stream
    spawned off the experiment seed (separate from the run seeds)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
    return rng.integers(len(sample), size=replications).tolist()


def run_comparison(
    scenarios: list[Scenario],
    replications: int = 30,
    seed: int = 1,
    *,
    posterior: pd.DataFrame | None = None,
    jobs: int | None = None,
    executor: Executor | None = None,
    progress: bool = True,
) -> Comparison:
    """Run every scenario under the same ``replications`` seeds and compare them with the
    first scenario (the baseline).

    With a ``posterior`` sample, replication r of every scenario also shares one draw of the
    calibrated parameters, so intervals include parameter uncertainty; a scenario that sets
    such a parameter differently from the baseline (a stress test) keeps its own value.
    """
    seeds = replication_seeds(seed, replications)
    draws = posterior_draws(posterior, replications, seed) if posterior is not None else None
    baseline = scenarios[0].params

    def params_for(s: Scenario, r: int) -> dict[str, Any]:
        values = dict(s.params)
        if draws is not None:
            row = posterior.iloc[draws[r]]
            for name in posterior.columns:
                if s.params[name] == baseline[name]:
                    values[name] = SPECS[name].check(row[name].item())
        return values

    specs = [
        RunSpec(
            key=f"{s.name}/{r}",
            params=params_for(s, r),
            seed=run_seed,
            labels={
                "scenario": s.name,
                "replication": r,
                **({"posterior_draw": draws[r]} if draws is not None else {}),
            },
        )
        for s in scenarios
        for r, run_seed in enumerate(seeds)
    ]
    rows, paths = [], []
    start = time.perf_counter()
    for result in execute(
        specs, _summarise_run, jobs=jobs, executor=executor, progress=progress, desc="runs"
    ):
        if not result.ok:
            raise RuntimeError(f"run {result.spec.key} failed: {result.error}\n{result.traceback}")
        summary, trajectory = result.value
        spec = result.spec
        rows.append({**spec.labels, "seed": spec.seed, **summary})
        paths.append(trajectory.assign(**spec.labels).reset_index())
    elapsed = time.perf_counter() - start
    order = {s.name: k for k, s in enumerate(scenarios)}
    runs = pd.DataFrame(rows).sort_values(
        ["scenario", "replication"], key=lambda col: col.map(order) if col.name == "scenario"
        else col,
    ).reset_index(drop=True)  # fmt: skip
    trajectories = pd.concat(paths, ignore_index=True).sort_values(
        ["scenario", "replication", "month"],
        key=lambda col: col.map(order) if col.name == "scenario" else col,
    )
    baseline = scenarios[0].name
    outcomes = COMPARED + FIFTHS + TOTALS
    return Comparison(
        scenarios=scenarios,
        seeds=seeds,
        runs=runs,
        trajectories=trajectories.reset_index(drop=True),
        summary=stats.summarise(runs, outcomes),
        differences=stats.differences(runs, outcomes, baseline),
        cost_effectiveness=stats.cost_effectiveness(runs, baseline),
        settings={
            "posterior_draws": len(set(draws)) if draws is not None else 0,
            "posterior_size": len(posterior) if posterior is not None else 0,
            "replications": replications,
            "seed": seed,
            "summary_months": SUMMARY_MONTHS,
            "run_seconds": elapsed,
        },
    )
