"""The model for SALib: problems over our stated ranges, the model as a function of a sample,
and stored Sobol sweeps laid out for SALib's analysers (optional extra:
``pip install -e ".[salib]"``)::

    from coauthor_sim.interop import salib

    sp = salib.problem(["willingness_mean", "voice_rate"], outputs=["life_satisfaction"])
    sp.sample_sobol(64, calc_second_order=False)
    sp.evaluate(salib.model(sp, n_citizens=200, steps=24, seed=1))
    sp.analyze_sobol(calc_second_order=False)

``problem`` is a SALib ``ProblemSpec`` whose ranges are the project's own
(``coauthor_sim.interop.ranges``: the calibration's posterior, priors and effect sizes, lever
shares), refusing a parameter with none unless a range is given. ``model`` is a picklable
function of a sample matrix, one run per row and replication (common seeds across rows, so
differences between rows are not seed noise), executed like a sweep's runs on local processes
or any ``concurrent.futures.Executor``; ``evaluate`` calls it once.

A stored sweep's design role (``role``: A, B or AB:<factor>; ``design_row``) says where each run
goes. Replications of a design point are averaged first, as ``coauthor-sim sensitivity`` does:
the model is stochastic, and its noise would otherwise be counted as an effect. Our Sobol
design has no BA matrices, so second-order indices are not available
(``calc_second_order=False``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..experiment.store import STORE_NAME, Store, load_results
from ..params import ParameterError
from .ranges import EFFECTS, PRIORS, file_ranges, plausible_range, spec_of

DEFAULT_OUTPUTS = ("life_satisfaction",)

__all__ = ["evaluate", "model", "problem", "sobol_outputs", "sweep_problem"]


def _problem_spec(names: list[str], bounds: list[list[float]], outputs: Sequence[str]) -> Any:
    try:
        from SALib import ProblemSpec
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "coauthor_sim.interop.salib needs SALib: pip install -e '.[salib]'"
        ) from None
    return ProblemSpec({"names": names, "bounds": bounds, "outputs": list(outputs)})


def problem(
    names: Iterable[str] | Mapping[str, tuple[float, float] | None] | None = None,
    *,
    outputs: Sequence[str] = DEFAULT_OUTPUTS,
    posterior: Path | str | None = "default",
    priors: str | Path = PRIORS,
    effects: str | Path = EFFECTS,
) -> Any:
    """A SALib ``ProblemSpec`` (``names``, ``bounds``, ``num_vars``, ``outputs``).

    Without ``names``: every parameter the calibration fits (``data/priors.toml``). Each range
    is the one the project states (``coauthor_sim.interop.ranges``: posterior, priors,
    effects, lever shares), or the ``(low, high)`` given in a mapping; a parameter with
    neither raises ``ParameterError`` naming it. ``outputs``: model outcomes, the columns of
    what ``model`` returns."""
    from ..outcomes import OUTCOME_NAMES

    if names is None:
        given: dict[str, Any] = dict.fromkeys(file_ranges(Path(priors), _load_priors))
    else:
        given = dict(names) if isinstance(names, Mapping) else dict.fromkeys(names)
    for outcome in outputs:
        if outcome not in OUTCOME_NAMES:
            raise ParameterError(f"unknown outcome {outcome!r} (see coauthor_sim.outcomes)")
    where = {"posterior": posterior, "priors": Path(priors), "effects": Path(effects)}
    ranges = {name: plausible_range(name, value, **where) for name, value in given.items()}
    bounds = [[float(low), float(high)] for low, high in ranges.values()]
    return _problem_spec(list(ranges), bounds, outputs)


def _load_priors(path: Path) -> list:
    from ..calibration.targets import load_priors

    return load_priors(path)


class Model:
    """Picklable model function for SALib: a sample matrix (one row per point, one column per
    name of the problem) in, the final-year outcomes of ``scenario`` at each row out (averaged
    over ``replications`` runs with seeds shared by every row)."""

    def __init__(
        self, names: list[str], outputs: list[str], base: dict[str, Any], seeds: list[int],
        jobs: int | None, executor: Executor | None,
    ) -> None:  # fmt: skip
        self.names, self.outputs, self.base, self.seeds = names, outputs, base, seeds
        self.jobs, self.executor = jobs, executor

    def __call__(self, x: np.ndarray) -> np.ndarray:
        from ..experiment.runner import RunSpec, execute

        x = np.atleast_2d(np.asarray(x, dtype=float))
        if x.shape[1] != len(self.names):
            raise ValueError(f"a sample of {x.shape[1]} columns for {len(self.names)} names")
        specs = []
        for i, row in enumerate(x):
            values = {}
            for name, value in zip(self.names, row, strict=True):
                spec = spec_of(name)
                values[name] = spec.check(round(value) if spec.kind is int else float(value))
            for r, seed in enumerate(self.seeds):
                specs.append(RunSpec(key=f"{i}:{r}", params={**self.base, **values}, seed=seed))
        out = np.zeros((len(x), len(self.outputs)))
        for result in execute(specs, _final, jobs=self.jobs, executor=self.executor,
                              progress=False, desc="SALib sample"):  # fmt: skip
            if not result.ok:
                raise RuntimeError(f"sample row {result.spec.key}: {result.error}")
            row = int(result.spec.key.split(":")[0])
            out[row] += [result.value[o] for o in self.outputs]
        out /= len(self.seeds)
        return out[:, 0] if len(self.outputs) == 1 else out


def _final(spec: Any) -> dict[str, float]:
    """Worker: one run's final-year outcomes."""
    from ..api import final_outcomes
    from ..experiment.runner import simulate

    return final_outcomes(simulate(spec))


def model(
    problem: Mapping[str, Any],
    *,
    scenario: str = "status_quo",
    seed: int = 0,
    replications: int = 1,
    jobs: int | None = 1,
    executor: Executor | None = None,
    **fixed: Any,
) -> Model:
    """The model as a function of a SALib sample for ``problem`` (its ``names`` and
    ``outputs``): ``scenario`` (default the calibrated status quo) with ``fixed`` parameters
    (e.g. ``n_citizens=200, steps=24``) and each row's values. Runs go to ``jobs`` local
    processes (default 1: this process) or ``executor``. Bad names or values raise
    ``ParameterError`` before any run."""
    from ..api import scenario_parameters
    from ..experiment.runner import replication_seeds

    if replications < 1:
        raise ParameterError(f"replications = {replications} is not allowed: at least 1")
    base = dict(scenario_parameters(scenario, **fixed))
    outputs = list(problem.get("outputs") or DEFAULT_OUTPUTS)
    return Model(list(problem["names"]), outputs, base, replication_seeds(seed, replications),
                 jobs, executor)  # fmt: skip


def evaluate(problem: Mapping[str, Any], x: np.ndarray, **options: Any) -> np.ndarray:
    """``model(problem, **options)(x)``: the outputs at every row of the sample ``x``."""
    return model(problem, **options)(x)


def sweep_problem(results_folder: str | Path, outputs: Sequence[str] = DEFAULT_OUTPUTS) -> Any:
    """The ``ProblemSpec`` of a stored Sobol sweep: its factors, in design order, with the
    ranges its experiment file gave them."""
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
    return _problem_spec(factors, bounds, outputs)


def sobol_outputs(results_folder: str | Path, outcomes: str | list[str]) -> tuple[Any, np.ndarray]:
    """``(problem, Y)`` of a stored Sobol sweep, for ``SALib.analyze.sobol.analyze(problem,
    Y, calc_second_order=False)`` (or ``problem.set_results(Y).analyze_sobol(...)``).

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
    return sweep_problem(results_folder, names), (y[:, 0] if isinstance(outcomes, str) else y)


def _factor_order(runs: pd.DataFrame) -> list[str]:
    """Factors of a Sobol sweep in design order (the order of their AB blocks)."""
    if "role" not in runs or not runs["role"].notna().any():
        raise ValueError("not a Sobol sweep: its runs have no design role (or were stored by "
                         'an older version); use [design] kind = "sobol"')  # fmt: skip
    roles = runs.sort_values("point")["role"].dropna()
    return [r.removeprefix("AB:") for r in dict.fromkeys(roles) if r.startswith("AB:")]
