"""The model as a function: parameters in, final-year outcomes out.

This module holds the one definition of a run's *final outcomes* (``final_outcomes``: the mean
of every outcome over the last twelve months, month 0 excluded) that sweeps, comparisons, the
EMA Workbench and SALib adapters and the ``mesa.batch_run`` guidance in the README all use, and
the small functions researchers call from their own code:

- ``simulate(scenario="status_quo", seed=0, **overrides)``: one run of a (calibrated)
  scenario, with any parameter overridden, reduced to a dict of final outcomes;
- ``scenario_parameters(scenario, **overrides)``: every parameter of a scenario, resolved;
- ``run_parameters(row)`` and ``rerun(results_folder, run_id)``: any stored sweep run again,
  from its row of the runs table.

``CoauthorModel(seed=...)`` alone is the calibrated status quo (``calibrated_parameters``);
``simulate`` and ``CoauthorModel.from_scenario`` start from any scenario file, and
``CoauthorModel.uncalibrated`` from the schema's bare defaults.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .params import SPECS, ParameterError, Parameters
from .scenario import load_scenario, scenario_path

FINAL_MONTHS = 12  # final outcomes are means over the last year of each run

__all__ = [
    "FINAL_MONTHS",
    "batch_outcomes",
    "calibrated_parameters",
    "final_outcomes",
    "rerun",
    "run_parameters",
    "scenario_file",
    "scenario_parameters",
    "simulate",
]


def final_outcomes(table: pd.DataFrame) -> dict[str, float]:
    """Mean of every outcome over the final year (or all months if the run is shorter),
    excluding month 0, the initial state.

    ``table`` is an outcome table, one row per month from month 0, as returned by
    ``CoauthorModel.run()``: a year smooths out the month-to-month noise of a single run.
    """
    months = table.iloc[1:] if len(table) > 1 else table
    return {k: float(v) for k, v in months.iloc[-FINAL_MONTHS:].mean().items()}


def batch_outcomes(rows: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """Final outcomes of every run of ``mesa.batch_run(CoauthorModel, ...,
    data_collection_period=1)``, one row per ``RunId`` with its parameters: the same numbers
    ``simulate`` gives for the same parameters and seed.

    ``CoauthorModel`` reports every month to its horizon (``steps``) to ``batch_run``, the
    last included. Warns when the runs had no seed (they cannot be repeated) or were cut
    short of their horizon by ``max_steps``."""
    from .outcomes import OUTCOME_NAMES

    table = pd.DataFrame(rows)
    if "Step" not in table or table.groupby("RunId")["Step"].nunique().min() < 2:
        raise ValueError("batch_run rows hold one month per run: pass data_collection_period=1")
    if "seed" not in table or table["seed"].isna().any():
        warnings.warn("these batch_run runs had no seed, so they cannot be repeated: put "
                      '"seed": [1, 2, ...] among the parameters', UserWarning,
                      stacklevel=2)  # fmt: skip
    out = []
    for _, run in table.sort_values(["RunId", "Step"]).groupby("RunId"):
        months = run.set_index("Step")[list(OUTCOME_NAMES)]
        first = run.iloc[0].drop([*OUTCOME_NAMES, "Step"], errors="ignore").to_dict()
        out.append({**first, "months": int(months.index.max()), **final_outcomes(months)})
    result = pd.DataFrame(out)
    horizon = result["steps"] if "steps" in result else calibrated_parameters()["steps"]
    if (result["months"] < horizon).any():
        warnings.warn("some batch_run runs stopped before their horizon (steps): max_steps was "
                      "smaller; their final outcomes are those of the months they ran",
                      UserWarning, stacklevel=2)  # fmt: skip
    return result


@functools.cache
def calibrated_parameters() -> Parameters:
    """Every parameter of the shipped, calibrated ``status_quo`` scenario (not a
    ``./scenarios/status_quo.toml`` of the user's): what ``CoauthorModel(...)`` starts from.
    Read once per process."""
    from .shipped import shipped_folder

    return load_scenario(shipped_folder("scenarios") / "status_quo.toml").params


def scenario_file(name_or_path: str | Path) -> Path:
    """The scenario file a name or path stands for.

    A path (anything ending in ``.toml``, or an existing file) is used as given; a bare name
    such as ``"status_quo"`` is looked up in ``./scenarios`` and then among the shipped
    scenarios. Raises ``ScenarioError`` naming the places searched."""
    return scenario_path(str(name_or_path))


def scenario_parameters(scenario: str | Path = "status_quo", **overrides: Any) -> Parameters:
    """Every parameter of ``scenario`` (a name or a .toml path), with ``overrides`` applied
    and validated. A bad override raises ``ParameterError`` naming the parameter and what is
    allowed (as ``CoauthorModel`` does); a bad or missing scenario file ``ScenarioError``
    naming the file and the key."""
    return load_scenario(scenario_file(scenario), overrides, origin=None).params


def simulate(scenario: str | Path = "status_quo", seed: int = 0, **overrides: Any) -> dict:
    """Run ``scenario`` once and return its final-year outcomes as ``{outcome: value}``.

    ``overrides`` are model parameters (levers, uncertainties, ``n_citizens``, ``steps`` ...)
    replacing the scenario's values. The same scenario, seed and overrides give the same
    numbers, bit for bit, in any process. For example::

        simulate("status_quo", seed=1, co_production=0.4, steps=24)["life_satisfaction"]
    """
    from .model import CoauthorModel

    model = CoauthorModel(seed=seed, **scenario_parameters(scenario, **overrides))
    return final_outcomes(model.run())


def run_parameters(row: Mapping[str, Any] | pd.Series) -> dict[str, Any]:
    """Every model parameter of one stored run, from its row of a sweep's runs table.

    The runs table has a column for every parameter, named as in ``coauthor_sim.params``; this
    gives them back with their schema types (SQLite keeps true/false as 1/0), ready for
    ``CoauthorModel(seed=int(row["seed"]), **run_parameters(row))``."""
    missing = [name for name in SPECS if name not in row]
    if missing:
        raise ParameterError(
            f"this runs table has no column for {missing[0]!r} (and {len(missing) - 1} more "
            "parameters): it was written by an older version; rerun the sweep into a new folder"
        )
    return {name: spec.check(spec.kind(row[name])) for name, spec in SPECS.items()}


def rerun(results_folder: str | Path, run_id: int) -> dict[str, float]:
    """Run one stored run of a sweep again and return its final outcomes.

    The result equals the stored row's outcomes bit for bit (same parameters, same seed)::

        rerun("results/small_example", 3)
    """
    from .experiment.store import load_results
    from .model import CoauthorModel

    runs, _ = load_results(results_folder)
    match = runs[runs["run_id"] == run_id]
    if match.empty:
        raise KeyError(f"{results_folder}: no run {run_id} (run ids 0 to {len(runs) - 1})")
    row = match.iloc[0]
    model = CoauthorModel(seed=int(row["seed"]), **run_parameters(row))
    return final_outcomes(model.run())
