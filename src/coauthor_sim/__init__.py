"""coauthor-sim: citizens as co-authors of their well-being in local public services.

An agent-based model (Mesa) of the system of Local Public Support proposed by the University of
Birmingham Policy Commission (2011). See docs/ODD.md for the full description.

The public API, kept small and stable::

    simulate(scenario="status_quo", seed=0, **overrides) -> {outcome: final-year mean}
    CoauthorModel(seed=1, co_production=0.4)   # the calibrated status quo, one lever changed
    CoauthorModel.from_scenario("austerity", seed=1)
    CoauthorModel.uncalibrated(seed=1)         # the schema's bare defaults
    load_scenario(path), load_experiment(path), run_sweep(experiment, folder, executor=...),
    load_results(folder), rerun(folder, run_id), run_comparison(scenarios)

Sweeps, comparisons and analysis are imported on first use, so ``import coauthor_sim`` (and
every worker process) stays light.
"""

from typing import Any

from ._version import __version__
from .agents import Citizen, Provider, PublicServant
from .api import (
    FINAL_MONTHS,
    batch_outcomes,
    final_outcomes,
    rerun,
    run_parameters,
    scenario_parameters,
    simulate,
)
from .model import CoauthorModel
from .params import ParameterError, Parameters, resolve
from .scenario import ScenarioError, load_scenario

_LAZY = {
    "load_experiment": "experiment.definition",
    "load_results": "experiment.store",
    "run_sweep": "experiment.sweep",
    "run_comparison": "compare",
}

__all__ = [
    "FINAL_MONTHS",
    "Citizen",
    "CoauthorModel",
    "ParameterError",
    "Parameters",
    "Provider",
    "PublicServant",
    "ScenarioError",
    "__version__",
    "batch_outcomes",
    "final_outcomes",
    "load_experiment",
    "load_results",
    "load_scenario",
    "rerun",
    "resolve",
    "run_comparison",
    "run_parameters",
    "run_sweep",
    "scenario_parameters",
    "simulate",
]


def __getattr__(name: str) -> Any:
    """Import sweeps and comparisons only when first asked for."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
