"""How noisy the calibration's distance is: the spread of the distance over repeated
evaluations at one parameter point, for several numbers of replications per evaluation.

ABC can only tell two points apart when the difference in their distances is larger than the
noise of one evaluation; a tolerance below that noise accepts by luck. This measurement sets
how many replications an evaluation needs at the population size used in experiments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..experiment.runner import RunSpec, execute
from .statistics import BandDistance, point_seeds, run_statistics
from .targets import Target


def _run(spec: RunSpec) -> dict[str, float]:
    """Worker: one run's statistics."""
    return run_statistics(spec.params, spec.seed)


def distance_noise(
    params: Mapping[str, Any],
    values: Mapping[str, float],
    targets: list[Target],
    replications: tuple[int, ...] = (1, 2, 4, 8),
    repeats: int = 10,
    seed: int = 1,
    jobs: int | None = None,
) -> tuple[pd.DataFrame, float]:
    """For each number of replications R: ``repeats`` independent evaluations of the distance
    at one point (each the mean of R runs), and their mean, standard deviation and range.

    The runs are shared: ``repeats x max(R)`` runs are made once, and evaluation k with R
    replications uses runs k*max(R) .. k*max(R)+R-1, so every R is measured on the same runs.
    Also returns the mean time of one run in its worker (seconds), for time estimates.
    """
    fitted = [t for t in targets if t.fitted]
    distance = BandDistance(fitted)
    top = max(replications)
    seeds = point_seeds(values, seed, repeats * top)
    specs = [RunSpec(str(i), dict(params), s) for i, s in enumerate(seeds)]
    runs: dict[int, dict[str, float]] = {}
    seconds = []
    for result in execute(specs, _run, jobs=jobs, progress=False):
        if not result.ok:
            raise RuntimeError(f"noise run failed: {result.error}")
        runs[int(result.spec.key)] = result.value
        seconds.append(result.seconds)
    rows = []
    for r in replications:
        d = []
        for k in range(repeats):
            block = [runs[k * top + i] for i in range(r)]
            mean = {s: float(np.nanmean([b[s] for b in block])) for s in distance.statistic}
            d.append(distance(mean))
        d = np.array(d)
        rows.append({
            "replications": r, "evaluations": repeats, "mean": float(d.mean()),
            "sd": float(d.std(ddof=1)), "min": float(d.min()), "max": float(d.max()),
        })  # fmt: skip
    return pd.DataFrame(rows), float(np.mean(seconds))
