"""The model as an EMA Workbench ``Model`` (optional extra: ``pip install -e ".[ema]"``).

::

    from coauthor_sim.interop import ema
    model = ema.model(levers=["co_production"], uncertainties=["willingness_mean"])

Each experiment runs a scenario (default: the calibrated status quo) with the experiment's
lever and uncertainty values and returns the final-year outcomes of ``coauthor_sim.simulate``,
averaged over ``replications`` runs whose seeds are spawned from ``seed``: every experiment
shares them (common random numbers), so differences between experiments are not noise of
different draws. Names and ranges come from our schema, the calibration's posterior and
priors and the effect sizes (``coauthor_sim.interop.ranges``); a parameter with no stated
range is refused, naming it, unless you give ``{name: (low, high)}``.
The model function is picklable, so EMA's ``MultiprocessingEvaluator`` works too (under
``if __name__ == "__main__":``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from ..api import scenario_file, scenario_parameters, simulate
from ..outcomes import HEADLINE_OUTCOMES, OUTCOME_NAMES
from ..params import ParameterError
from .ranges import plausible_range, spec_of

try:
    with warnings.catch_warnings():  # "ipyparallel not installed": not needed here
        warnings.simplefilter("ignore", UserWarning)
        import ema_workbench as _ema
except ImportError:  # pragma: no cover - depends on the environment
    raise ImportError(
        "coauthor_sim.interop.ema needs EMA Workbench: pip install -e '.[ema]'"
    ) from None

DEFAULT_OUTCOMES = HEADLINE_OUTCOMES
# Which way is better, for EMA's optimisation; any other outcome is reported only (INFO).
MAXIMISE = {"life_satisfaction", "engagement_rate", "civic_participation", "coproduction_rate"}
MINIMISE = {"wellbeing_gap", "unmet_need", "crisis_rate", "spending_total", "gini_wellbeing",
            "low_wellbeing_share"}  # fmt: skip

Ranges = Iterable[str] | Mapping[str, Any]


class Simulator:
    """Picklable model function: keyword parameter values in, final-year outcomes out."""

    def __init__(self, scenario: str, seeds: list[int], outcomes: tuple[str, ...], fixed: dict):
        self.scenario, self.seeds, self.outcomes, self.fixed = scenario, seeds, outcomes, fixed

    def __call__(self, **values: Any) -> dict[str, float]:
        runs = [simulate(self.scenario, seed, **{**self.fixed, **values}) for seed in self.seeds]
        return {o: sum(r[o] for r in runs) / len(runs) for o in self.outcomes}


def parameter(name: str, given: Any = None) -> Any:
    """The EMA parameter of one model parameter: real, integer, boolean or categorical, with
    its plausible range (or the ``given`` (low, high) range, or list of categories)."""
    spec = spec_of(name)
    if spec.kind is bool:
        return _ema.BooleanParameter(name)
    if spec.kind is str:
        categories = list(given) if given is not None else list(spec.choices or ())
        for category in categories:
            spec.check(category)
        return _ema.CategoricalParameter(name, categories)
    low, high = plausible_range(name, given)
    if spec.kind is int:
        return _ema.IntegerParameter(name, int(low), int(high))
    return _ema.RealParameter(name, float(low), float(high))


def _parameters(items: Ranges, role: str) -> list[Any]:
    given = dict(items) if isinstance(items, Mapping) else {name: None for name in items}
    params = []
    for name, value in given.items():
        spec = spec_of(name)
        if role == "lever" and spec.group != "lever":
            raise ParameterError(f"{name} is not a policy lever (group: {spec.group}): "
                                 "give it in uncertainties=[...]")  # fmt: skip
        if role != "lever" and spec.group == "lever":
            raise ParameterError(f"{name} is a policy lever: give it in levers=[...]")
        params.append(parameter(name, value))
    return params


def model(
    levers: Ranges = (),
    uncertainties: Ranges = (),
    *,
    scenario: str = "status_quo",
    outcomes: Iterable[str] = DEFAULT_OUTCOMES,
    seed: int = 0,
    replications: int = 1,
    name: str = "coauthor",
    **fixed: Any,
) -> Any:
    """An EMA Workbench ``Model`` of ``scenario``.

    ``levers`` and ``uncertainties``: parameter names (ranges the project states: the
    calibration's posterior and priors, effect sizes, lever shares; see ``interop.ranges``) or
    a mapping ``{name: (low, high)}`` (categories for a choice parameter, ``None`` for the
    stated range). Levers must be policy levers; uncertainties
    may be any other parameter (uncertain effects, population, network). ``fixed``: other
    parameters held at a value for every experiment (e.g. ``n_citizens=300, steps=36``).
    Bad names, ranges or values raise ``ParameterError`` before any run.
    """
    from ..experiment.runner import replication_seeds

    outcomes = tuple(outcomes)
    for outcome in outcomes:
        if outcome not in OUTCOME_NAMES:
            raise ParameterError(f"unknown outcome {outcome!r} (see coauthor_sim.outcomes)")
    if replications < 1:
        raise ParameterError(f"replications = {replications} is not allowed: at least 1")
    scenario_parameters(scenario, **fixed)  # check the scenario and fixed values now
    seeds = replication_seeds(seed, replications)
    path = str(scenario_file(scenario).resolve())  # workers may start elsewhere
    ema_model = _ema.Model(name, function=Simulator(path, seeds, outcomes, fixed))
    ema_model.levers = _parameters(levers, "lever")
    ema_model.uncertainties = _parameters(uncertainties, "uncertainty")
    ema_model.outcomes = [_outcome(o) for o in outcomes]
    return ema_model


def _outcome(name: str) -> Any:
    kind = _ema.ScalarOutcome.INFO
    if name in MAXIMISE:
        kind = _ema.ScalarOutcome.MAXIMIZE
    elif name in MINIMISE:
        kind = _ema.ScalarOutcome.MINIMIZE
    return _ema.ScalarOutcome(name, kind=kind)
