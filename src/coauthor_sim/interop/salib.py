"""SALib problems from our priors, and stored Sobol sweeps laid out for SALib's analysers.

SALib itself is an optional extra (``pip install -e ".[salib]"``); this module only builds its
inputs, so it imports without SALib::

    from SALib.analyze import sobol
    from coauthor_sim.interop import salib

    problem = salib.problem()                       # every parameter of data/priors.toml
    problem, y = salib.sobol_outputs("results/sensitivity_status_quo", "life_satisfaction")
    indices = sobol.analyze(problem, y, calc_second_order=False)

A stored sweep's design role (``role``: A, B or AB:<factor>; ``design_row``) says where each run
goes. Replications of a design point are averaged first, as ``coauthor-sim sensitivity`` does:
the model is stochastic, and its noise would otherwise be counted as an effect. Our Sobol
design has no BA matrices, so second-order indices are not available
(``calc_second_order=False``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..calibration.targets import load_priors
from ..experiment.store import STORE_NAME, Store, load_results
from .ranges import PRIORS, plausible_range

Problem = dict[str, Any]


def problem(
    names: Iterable[str] | Mapping[str, tuple[float, float]] | None = None,
    *,
    priors: str | Path = PRIORS,
) -> Problem:
    """A SALib ``problem`` dict (``num_vars``, ``names``, ``bounds``).

    Without ``names``: every parameter of the priors file, with its prior range. With names,
    each range comes from the priors, the effect sizes or the schema
    (``coauthor_sim.interop.ranges``), or is the ``(low, high)`` given in a mapping."""
    if names is None:
        factors = load_priors(priors)
        ranges = {f.name: (f.low, f.high) for f in factors}
    else:
        given = dict(names) if isinstance(names, Mapping) else dict.fromkeys(names)
        ranges = {
            name: plausible_range(name, value, priors=Path(priors)) for name, value in given.items()
        }
    return {
        "num_vars": len(ranges),
        "names": list(ranges),
        "bounds": [[float(low), float(high)] for low, high in ranges.values()],
    }


def sweep_problem(results_folder: str | Path) -> Problem:
    """The ``problem`` of a stored Sobol sweep: its factors, in design order, with the ranges
    its experiment file gave them."""
    runs, _ = load_results(results_folder)
    factors = _factor_order(runs)
    with Store(Path(results_folder)) as store:
        text = store.get_meta("experiment_text")
    if not text:
        raise ValueError(f"{results_folder}/{STORE_NAME}: no experiment text stored")
    tables = tomllib.loads(text)
    bounds = []
    for name in factors:
        found = [t[name] for t in tables.values() if isinstance(t, dict) and name in t]
        if not found or not isinstance(found[0], dict):
            raise ValueError(f"{results_folder}: factor {name!r} has no range in the experiment")
        bounds.append([float(found[0]["low"]), float(found[0]["high"])])
    return {"num_vars": len(factors), "names": factors, "bounds": bounds}


def sobol_outputs(
    results_folder: str | Path, outcomes: str | list[str]
) -> tuple[Problem, np.ndarray]:
    """``(problem, Y)`` of a stored Sobol sweep, for ``SALib.analyze.sobol.analyze(problem,
    Y, calc_second_order=False)``.

    ``Y`` holds, for each base row j, the point means of A_j, AB_1j ... AB_dj and B_j (SALib's
    order); one column per outcome when ``outcomes`` is a list, a vector for one name."""
    runs, _ = load_results(results_folder)
    failed = runs[runs["status"] != "done"]
    if len(failed):
        raise ValueError(f"{results_folder}: {len(failed)} runs are not done; the indices need "
                         "every run (rerun the sweep to retry them)")  # fmt: skip
    factors = _factor_order(runs)
    names = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    means = runs.groupby(["role", "design_row"])[names].mean()
    n = int(runs["design_row"].max()) + 1
    order = ["A", *(f"AB:{f}" for f in factors), "B"]
    index = pd.MultiIndex.from_tuples([(role, j) for j in range(n) for role in order])
    missing = index.difference(means.index)
    if len(missing):
        raise ValueError(f"{results_folder}: design points missing, e.g. {missing[0]}")
    y = means.loc[index].to_numpy(dtype=float)
    return sweep_problem(results_folder), (y[:, 0] if isinstance(outcomes, str) else y)


def _factor_order(runs: pd.DataFrame) -> list[str]:
    """Factors of a Sobol sweep in design order (the order of their AB blocks)."""
    if "role" not in runs or not runs["role"].notna().any():
        raise ValueError("not a Sobol sweep: its runs have no design role (or were stored by "
                         'an older version); use [design] kind = "sobol"')  # fmt: skip
    roles = runs.sort_values("point")["role"].dropna()
    return [r.removeprefix("AB:") for r in dict.fromkeys(roles) if r.startswith("AB:")]
