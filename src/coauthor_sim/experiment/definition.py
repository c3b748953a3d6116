"""Experiment files: a base scenario, factors, a design, replications, what to record.

An experiment file is TOML::

    description = "What this experiment asks."
    scenario = "status_quo"      # a scenario name (looked up in ../scenarios, then among the
                                 # shipped scenarios) or a .toml path beside this file
    seed = 2026
    replications = 5

    [fixed]                      # parameters held at other values than the scenario's
    steps = 60

    [design]
    kind = "latin_hypercube"     # full_factorial | points | latin_hypercube | sobol
    samples = 32                 # latin_hypercube and sobol

    [levers]                     # policy factors, kept apart from the uncertainties
    co_production = [0.1, 0.5]   # levels (full_factorial), or {low = 0.1, high = 0.5}

    [uncertainties]
    need_growth = {low = 0.06, high = 0.1}

    [[points]]                   # only with kind = "points"
    co_production = 0.3

    [record]
    every = 12                   # time series every 12 months (0: final outcomes only)
    outcomes = ["life_satisfaction", "wellbeing_gap"]

Everything is checked before any run, with the same kind of one-line errors as scenario files
(``ScenarioError`` naming the file, the key and what is allowed).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..inputs import parse_toml, read_text
from ..limits import MAX_POINTS
from ..messages import closest, printable, unknown_name
from ..outcomes import OUTCOME_NAMES
from ..params import SPECS, ParameterError, resolve
from ..scenario import (
    GROUP_TABLE,
    LOCALITY_KEYS,
    TABLES,
    Scenario,
    ScenarioError,
    load_scenario,
    with_locality,
)
from ..shipped import find_experiment, shipped_folder
from .design import DESIGNS, Factor, Point, full_factorial, latin_hypercube, sobol_matrices
from .runner import RunSpec, child_seed

TOP_KEYS = ("description", "scenario", "seed", "replications", "fixed", "design", "points",
            "record", *TABLES)  # fmt: skip
FACTOR_TABLES = tuple(TABLES)  # factors may vary parameters of any group, each in its table


@dataclass(frozen=True)
class Experiment:
    """A validated experiment: base scenario, factors, design points, seeds, recording."""

    name: str
    path: Path
    description: str
    scenario: Scenario
    base: dict[str, Any]  # every parameter of the base scenario after [fixed]
    factors: tuple[Factor, ...]
    kind: str
    points: tuple[Point, ...]
    seed: int
    replications: int
    every: int
    series: tuple[str, ...]
    samples: int = 0
    text: str = field(default="", repr=False)

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.replications

    def runs(self) -> list[RunSpec]:
        """Every run: point i, replication r, with its own seed spawned from the experiment
        seed (child ``i x replications + r`` of ``SeedSequence(seed)``). A Sobol design uses
        common seeds instead (replication r of every point shares child r): otherwise seed
        noise between points is counted as parameters' effects."""
        children = np.random.SeedSequence(self.seed).spawn(self.n_runs)
        specs = []
        for i, point in enumerate(self.points):
            params = {**self.base, **point.values}
            if params["locality_table"] and set(point.values) & set(LOCALITY_KEYS):
                params = dict(with_locality(resolve(params), str(self.path)))  # its own size
            for r in range(self.replications):
                run_id = i * self.replications + r
                child = children[r if self.kind == "sobol" else run_id]
                specs.append(RunSpec(
                    key=str(run_id), params=params, seed=child_seed(child),
                    labels={"run_id": run_id, "point": i, "replication": r},
                ))  # fmt: skip
        return specs

    def fingerprint(self) -> str:
        """Hash of everything that decides the runs and what is recorded (not the comments
        or layout of the file): a results folder belongs to exactly one fingerprint."""
        canonical = {
            "base": self.base,
            "factors": [f.__dict__ for f in self.factors],
            "kind": self.kind,
            "points": [[p.values, p.role, p.row] for p in self.points],
            "seed": self.seed,
            "replications": self.replications,
            "every": self.every,
            "series": list(self.series),
            **({"common_seeds": True} if self.kind == "sobol" else {}),
        }
        blob = json.dumps(canonical, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()

    def file_hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


def _fail(path: Path, message: str) -> ScenarioError:
    return ScenarioError(f"{path}: {message}")


def _want(path: Path, data: dict, key: str, kind: type | tuple, what: str, default=None):
    if key not in data:
        if default is None:
            raise _fail(path, f"'{key}' is missing: expected {what}")
        return default
    value = data[key]
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise _fail(path, f"{key} = {value!r} is not allowed: expected {what}")
    if not isinstance(value, kind):
        raise _fail(path, f"{key} = {value!r} is not allowed: expected {what}")
    return value


def load_experiment(path: str | Path) -> Experiment:
    """Load and validate an experiment file (a path, or the name of one in ``./experiments`` or
    among the shipped experiments, e.g. ``"small_example"``); raise ScenarioError on anything
    wrong."""
    path = find_experiment(str(path))
    text = read_text(path, "experiment file")
    data = parse_toml(text, path)

    for key in data:
        if key not in TOP_KEYS:
            top = closest(key, TOP_KEYS)
            hint = key if key in SPECS else closest(key, SPECS)
            if top:
                raise _fail(path, f"unknown key {printable(repr(key))}; did you mean '{top}'?")
            where = f"; parameters go in [fixed] or a factor table ({hint!r}?)" if hint else ""
            raise _fail(path, f"unknown key {printable(repr(key))} (allowed: "
                        f"{', '.join(TOP_KEYS)}){where}")  # fmt: skip
    description = _want(path, data, "description", str, "a string describing the experiment")
    scenario_ref = _want(path, data, "scenario", str, "a scenario name or .toml path")
    seed = _want(path, data, "seed", int, "a whole number", 0)
    replications = _want(path, data, "replications", int, "a whole number from 1", 1)
    if seed < 0:
        raise _fail(path, f"seed = {seed} is not allowed: expected a whole number from 0")
    if replications < 1:
        raise _fail(path, f"replications = {replications} is not allowed: expected at least 1")

    scenario_file = _scenario_file(path, scenario_ref)
    fixed = _want(path, data, "fixed", dict, "a table [fixed] of parameter values", {})
    for name in fixed:
        if name not in SPECS:
            raise _fail(path, unknown_name(name, SPECS, where="[fixed]"))
    try:
        scenario = load_scenario(scenario_file, fixed, origin=f"{path}: [fixed]")
    except ScenarioError as err:
        if str(err).startswith(f"{path}: [fixed]"):
            raise
        raise _fail(path, f"scenario = {printable(repr(scenario_ref))}: {err}") from None

    design = _want(path, data, "design", dict, "a table [design] with kind", None)
    kind = _want(path, design, "kind", str, f"one of {', '.join(DESIGNS)}", None)
    if kind not in DESIGNS:
        raise _fail(path, f"[design] kind = {kind!r} is not allowed: expected one of "
                    + ", ".join(DESIGNS))  # fmt: skip
    for key in design:
        if key not in ("kind", "samples"):
            raise _fail(path, f"unknown key '{key}' in [design] (allowed: kind, samples)")
    sampled = kind in ("latin_hypercube", "sobol")
    samples = 0
    if sampled:
        samples = _want(path, design, "samples", int, "a whole number of samples from 2", None)
        if samples < 2:
            raise _fail(path, f"[design] samples = {samples} is not allowed: expected at least 2")
        if kind == "sobol" and samples & (samples - 1):
            raise _fail(path, f"[design] samples = {samples} is not allowed: a Sobol design "
                        "needs a power of 2 (e.g. 64, 128, 256)")  # fmt: skip

    factors = _factors(path, data, kind, sampled)
    both = [f.name for f in factors if f.name in fixed]
    if both:
        raise _fail(path, f"'{both[0]}' is both in [fixed] and a factor; keep it in one place")
    _check_design_size(path, data, kind, factors, samples, replications)
    if kind == "points":
        points = _explicit_points(path, data, factors)
    elif "points" in data:
        raise _fail(path, '[[points]] are only allowed with [design] kind = "points"')
    elif not factors:
        raise _fail(path, "no factors: name at least one parameter in [levers], "
                    "[uncertainties], [population], [network] or [run]")  # fmt: skip
    elif kind == "full_factorial":
        points = full_factorial(factors)
    elif kind == "latin_hypercube":
        points = latin_hypercube(factors, samples, seed)
    else:
        points = sobol_matrices(factors, samples, seed)

    base = dict(scenario.params)
    for point in points:  # every point must make a valid model (cross-parameter rules too)
        try:
            values = resolve({**base, **point.values})
        except ParameterError as err:
            raise _fail(path, f"design point {point.values}: {err}") from None
        if values["locality_table"] and set(point.values) & set(LOCALITY_KEYS):
            with_locality(values, f"{path}: design point {point.values}")  # table and council

    record = _want(path, data, "record", dict, "a table [record]", {})
    for key in record:
        if key not in ("every", "outcomes"):
            raise _fail(path, f"unknown key '{key}' in [record] (allowed: every, outcomes)")
    every = _want(path, record, "every", int, "a whole number of months (0 = none)", 0)
    if every < 0:
        raise _fail(path, f"[record] every = {every} is not allowed: expected 0 or more")
    series = record.get("outcomes", list(OUTCOME_NAMES))
    if not isinstance(series, list) or not all(isinstance(s, str) for s in series):
        raise _fail(path, "[record] outcomes must be a list of outcome names")
    for name in series:
        if name not in OUTCOME_NAMES:
            raise _fail(path, "[record] " + unknown_name(name, OUTCOME_NAMES, "outcome"))

    return Experiment(
        name=path.stem, path=path, description=description, scenario=scenario, base=base,
        factors=tuple(factors), kind=kind, points=tuple(points), seed=seed,
        replications=replications, every=every, series=tuple(series), samples=samples,
        text=text,
    )  # fmt: skip


def _scenario_file(path: Path, ref: str) -> Path:
    """The base scenario: a .toml path beside the experiment, else a name in the scenarios
    folder beside the experiments folder, else a shipped scenario."""
    if ref.endswith(".toml"):
        return path.parent / ref
    local = path.parent.parent / "scenarios" / f"{ref}.toml"
    if local.is_file():
        return local
    shipped = shipped_folder("scenarios") / f"{ref}.toml"
    return shipped if shipped.is_file() else local


def _check_design_size(path: Path, data: dict, kind: str, factors: list[Factor], samples: int,
                       replications: int) -> None:  # fmt: skip
    """Refuse a design too large to hold before building it (2**40 Sobol samples ...)."""
    if kind == "full_factorial":
        count = math.prod(len(f.levels or ()) for f in factors)
    elif kind == "sobol":
        count = samples * (len(factors) + 2)
    elif kind == "latin_hypercube":
        count = samples
    else:
        count = len(data.get("points", [])) if isinstance(data.get("points"), list) else 0
    if count * replications > MAX_POINTS:
        shown = f"{count:,}" if count < 10**15 else f"{count:.3g}"
        raise _fail(path, f"{shown} design points x {replications:,} replications is more "
                    f"runs than this program can hold (at most {MAX_POINTS:,}); use fewer "
                    "samples, levels or replications")  # fmt: skip


def _factors(path: Path, data: dict, kind: str, sampled: bool) -> list[Factor]:
    factors = []
    for table in FACTOR_TABLES:
        entries = data.get(table, {})
        if not isinstance(entries, dict):
            raise _fail(path, f"'{table}' must be a table: [{table}]")
        for name, spec_value in entries.items():
            spec = SPECS.get(name)
            if spec is None:
                raise _fail(path, unknown_name(name, SPECS, where=f"[{table}]"))
            if GROUP_TABLE[spec.group] != table:
                raise _fail(path, f"'{name}' belongs in [{GROUP_TABLE[spec.group]}], "
                            f"not [{table}]")  # fmt: skip
            factors.append(_factor(path, table, spec, spec_value, kind, sampled))
    return factors


def _factor(path: Path, table: str, spec, value: Any, kind: str, sampled: bool) -> Factor:
    where = f"[{table}] {spec.name}"
    if sampled:
        if not isinstance(value, dict) or set(value) != {"low", "high"}:
            raise _fail(path, f"{where}: a {kind} design needs a range {{low = ..., high = ...}}")
        if spec.kind not in (int, float):
            raise _fail(path, f"{where}: only numeric parameters can be sampled from a range")
        try:
            low, high = spec.check(value["low"]), spec.check(value["high"])
        except ParameterError as err:
            raise _fail(path, f"{where}: {err}") from None
        if not low < high:
            raise _fail(path, f"{where}: low ({low}) must be below high ({high})")
        return Factor(spec.name, spec.group, low=low, high=high, integer=spec.kind is int)
    if kind == "points":
        raise _fail(path, f'{where}: with kind = "points" give values in [[points]] only')
    if not isinstance(value, list) or not value:
        raise _fail(path, f"{where}: a full_factorial design needs a list of levels")
    try:
        levels = tuple(spec.check(v) for v in value)
    except ParameterError as err:
        raise _fail(path, f"{where}: {err}") from None
    if len(set(levels)) != len(levels):
        raise _fail(path, f"{where}: levels repeat: {list(value)}")
    return Factor(spec.name, spec.group, levels=levels)


def _explicit_points(path: Path, data: dict, factors: list[Factor]) -> list[Point]:
    rows = data.get("points")
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise _fail(path, 'kind = "points" needs one or more [[points]] tables')
    points = []
    for k, row in enumerate(rows, start=1):
        values = {}
        for name, value in row.items():
            spec = SPECS.get(name)
            if spec is None:
                raise _fail(path, unknown_name(name, SPECS, where=f"[[points]] number {k}"))
            try:
                values[name] = spec.check(value)
            except ParameterError as err:
                raise _fail(path, f"[[points]] number {k}: {err}") from None
        points.append(Point(values))
    return points
