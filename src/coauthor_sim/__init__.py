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

Every name but the errors, ``Parameters``, ``resolve`` and ``__version__`` is imported on first
use, so ``import coauthor_sim`` (and the command line, and every worker process) stays light.
"""

from typing import Any

from ._version import __version__
from .messages import ScenarioError
from .params import ParameterError, Parameters, resolve

# Everything else is imported on first use (module __getattr__): ``import coauthor_sim``, the
# command line and every worker process then start without Mesa, pandas or scipy until they
# need them (benchmarks/bench_import.py measures it).
_LAZY = {
    "Citizen": "agents",
    "Provider": "agents",
    "PublicServant": "agents",
    "CoauthorModel": "model",
    "FINAL_MONTHS": "api",
    "batch_outcomes": "api",
    "final_outcomes": "api",
    "rerun": "api",
    "run_parameters": "api",
    "scenario_parameters": "api",
    "simulate": "api",
    "load_scenario": "scenario",
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
    """Import a public name's module only when the name is first asked for."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
