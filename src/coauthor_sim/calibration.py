"""Calibration of the uncertain parameters to published figures, by approximate Bayesian
computation (ABC) with rejection.

Why ABC rejection over a Latin hypercube: the model is stochastic and has no likelihood we can
write down, but it is cheap to run; rejection ABC needs nothing but simulations and a distance,
runs on the sweep engine (parallel, resumable, Dask), and its output is a sample of parameter
sets that fit, which comparisons can then draw their runs from so that confidence intervals
include what we do not know about the parameters. Its weakness (it wastes the rejected runs)
matters little at a few hundred runs.

The steps:
1. draw ``samples`` points from the priors (uniform ranges of ``uncertainty`` parameters only,
   never levers) by Latin hypercube, and run each ``replications`` times on the base scenario;
2. for each point, average each target's outcome over its replications and compute the
   distance ``sum_t weight_t ((simulated_t - observed_t) / half-band_t)^2``;
3. accept the ``accept`` share of points closest to the targets: that is the posterior sample;
4. (refinement) run each accepted point again with more replications, and take as the best
   point (written into the calibrated scenario) the one closest to the targets on those runs:
   with two replications a point can be accepted partly by luck, and the best of a few hundred
   noisy distances is the luckiest.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .experiment.definition import Experiment
from .experiment.design import Factor, Point, latin_hypercube
from .outcomes import OUTCOME_NAMES
from .params import SPECS, ParameterError
from .scenario import ScenarioError, load_scenario, toml_value

TARGET_KEYS = {"description", "value", "band", "outcome", "weight", "series", "source",
               "status", "mapping"}  # fmt: skip
REQUIRED_KEYS = {"description", "value", "band", "outcome", "series", "source"}


@dataclass(frozen=True)
class Target:
    """One published figure the model should reproduce, with its accepted band and source."""

    name: str
    description: str
    value: float
    low: float
    high: float
    outcome: str
    weight: float
    series: str
    source: str
    status: str = ""
    mapping: str = ""

    @property
    def half_band(self) -> float:
        return (self.high - self.low) / 2.0


def load_targets(path: str | Path) -> list[Target]:
    """Read and check a targets file: every target has a value inside its band, a known model
    outcome, a series and a source."""
    path = Path(path)
    data = _read(path)
    targets = []
    for name, item in data.items():
        if not isinstance(item, dict):
            raise ScenarioError(f"{path}: '{name}' must be a table [{name}]")
        missing = REQUIRED_KEYS - set(item)
        if missing:
            raise ScenarioError(f"{path}: [{name}] lacks {', '.join(sorted(missing))}")
        unknown = set(item) - TARGET_KEYS
        if unknown:
            raise ScenarioError(f"{path}: [{name}] unknown key(s) {', '.join(sorted(unknown))} "
                                f"(allowed: {', '.join(sorted(TARGET_KEYS))})")  # fmt: skip
        band = item["band"]
        if (
            not isinstance(band, list)
            or len(band) != 2
            or not all(isinstance(b, int | float) for b in band)
            or not band[0] < band[1]
        ):
            raise ScenarioError(f"{path}: [{name}] band must be [low, high] with low < high")
        value = item["value"]
        if not isinstance(value, int | float) or not band[0] <= value <= band[1]:
            raise ScenarioError(f"{path}: [{name}] value {value!r} must lie within band {band}")
        if item["outcome"] not in OUTCOME_NAMES:
            raise ScenarioError(f"{path}: [{name}] outcome {item['outcome']!r} is not a model "
                                "outcome (see coauthor_sim.outcomes.OUTCOME_NAMES)")  # fmt: skip
        weight = item.get("weight", 1.0)
        if not isinstance(weight, int | float) or weight < 0:
            raise ScenarioError(f"{path}: [{name}] weight must be a number >= 0")
        for key in ("series", "source", "description"):
            if not isinstance(item[key], str) or not item[key].strip():
                raise ScenarioError(f"{path}: [{name}] {key} must be a non-empty string")
        targets.append(Target(
            name=name, description=item["description"], value=float(value),
            low=float(band[0]), high=float(band[1]), outcome=item["outcome"],
            weight=float(weight), series=item["series"], source=item["source"],
            status=item.get("status", ""), mapping=item.get("mapping", ""),
        ))  # fmt: skip
    if not any(t.weight > 0 for t in targets):
        raise ScenarioError(f"{path}: no target has a weight above 0")
    return targets


def load_priors(path: str | Path) -> list[Factor]:
    """Uniform prior ranges from a priors file; only ``uncertainty`` parameters are allowed."""
    path = Path(path)
    data = _read(path)
    extra = set(data) - {"uncertainties"}
    if extra:
        raise ScenarioError(f"{path}: only an [uncertainties] table is allowed (calibration "
                            f"never moves levers); found {', '.join(sorted(extra))}")  # fmt: skip
    factors = []
    for name, rng in data.get("uncertainties", {}).items():
        spec = SPECS.get(name)
        if spec is None or spec.group != "uncertainty":
            what = "not a parameter" if spec is None else f"a {spec.group} parameter"
            raise ScenarioError(f"{path}: '{name}' is {what}; priors may only range over "
                                "uncertainty parameters")  # fmt: skip
        if not isinstance(rng, dict) or set(rng) != {"low", "high"}:
            raise ScenarioError(f"{path}: {name} needs a range {{low = ..., high = ...}}")
        try:
            low, high = spec.check(rng["low"]), spec.check(rng["high"])
        except ParameterError as err:
            raise ScenarioError(f"{path}: {err}") from None
        if not low < high:
            raise ScenarioError(f"{path}: {name}: low ({low}) must be below high ({high})")
        factors.append(Factor(name, spec.group, low=low, high=high, integer=spec.kind is int))
    if not factors:
        raise ScenarioError(f"{path}: no priors in [uncertainties]")
    return factors


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ScenarioError(f"{path}: no such file")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{path}: not valid TOML: {err}") from None


def calibration_experiment(
    scenario_path: str | Path,
    priors: list[Factor],
    targets: list[Target],
    samples: int,
    replications: int,
    seed: int,
    overrides: dict[str, Any] | None = None,
) -> Experiment:
    """The sweep that calibration runs: Latin hypercube points over the priors on the base
    scenario, recording final outcomes only."""
    scenario = load_scenario(scenario_path, overrides)
    points = latin_hypercube(priors, samples, seed)
    text = json.dumps({
        "scenario": str(scenario_path), "priors": [f.__dict__ for f in priors],
        "targets": [t.__dict__ for t in targets], "samples": samples,
        "replications": replications, "seed": seed, "overrides": overrides or {},
    }, sort_keys=True, default=str)  # fmt: skip
    # The calibrated parameters start from their schema defaults, not from whatever an earlier
    # calibration wrote into the scenario: every design point sets them anyway, and this keeps
    # the experiment (and so its results folder) the same when a calibration is repeated.
    base = {**scenario.params, **{f.name: SPECS[f.name].default for f in priors}}
    return Experiment(
        name=f"calibration-{scenario.name}", path=Path(scenario_path),
        description=f"ABC calibration of {scenario.name}", scenario=scenario, base=base,
        factors=tuple(priors), kind="latin_hypercube",
        points=tuple(points), seed=seed, replications=replications, every=0, series=(),
        samples=samples, text=text,
    )  # fmt: skip


def point_means(runs: pd.DataFrame, targets: list[Target]) -> pd.DataFrame:
    """Each design point's mean of every target outcome over its (successful) replications."""
    done = runs[runs["status"] == "done"]
    outcomes = sorted({t.outcome for t in targets})
    return done.groupby("point")[outcomes].mean()


def distance(means: pd.DataFrame, targets: list[Target]) -> pd.Series:
    """Weighted squared distance of each point from the targets, in half-bands."""
    total = pd.Series(0.0, index=means.index)
    for t in targets:
        if t.weight > 0:
            gap = (means[t.outcome] - t.value) / t.half_band
            total += t.weight * gap.fillna(np.inf) ** 2  # an undefined ratio fits nothing
    return total


@dataclass
class Posterior:
    """Accepted parameter sets with their distances, and what they simulate."""

    factors: list[Factor]
    targets: list[Target]
    accepted: pd.DataFrame  # one row per accepted point: parameters, distance, outcomes
    all_points: pd.DataFrame  # every point: parameters, distance, outcomes
    accept: float

    @property
    def best(self) -> dict[str, Any]:
        row = self.accepted.iloc[0]
        return {f.name: (int(row[f.name]) if f.integer else float(row[f.name]))
                for f in self.factors}  # fmt: skip

    def ranges(self) -> pd.DataFrame:
        """Prior range and posterior median and 5-95% range of each parameter."""
        rows = []
        for f in self.factors:
            values = self.accepted[f.name]
            rows.append({
                "parameter": f.name, "prior_low": f.low, "prior_high": f.high,
                "posterior_median": float(values.median()),
                "posterior_5%": float(values.quantile(0.05)),
                "posterior_95%": float(values.quantile(0.95)), "best": self.best[f.name],
            })  # fmt: skip
        return pd.DataFrame(rows)

    def fit(self) -> pd.DataFrame:
        """Every target: observed value and band, against the accepted points' simulated mean
        and 5-95% range, and whether the mean falls in the band."""
        rows = []
        for t in self.targets:
            sim = self.accepted[t.outcome]
            mean = float(sim.mean())
            rows.append({
                "target": t.name, "outcome": t.outcome, "weight": t.weight,
                "observed": t.value, "band_low": t.low, "band_high": t.high,
                "simulated_mean": mean, "simulated_5%": float(sim.quantile(0.05)),
                "simulated_95%": float(sim.quantile(0.95)),
                "in_band": bool(t.low <= mean <= t.high), "source": t.source,
            })  # fmt: skip
        return pd.DataFrame(rows)


def abc_reject(
    experiment: Experiment, runs: pd.DataFrame, targets: list[Target], accept: float
) -> Posterior:
    """Rejection ABC: keep the ``accept`` share of design points closest to the targets."""
    means = point_means(runs, targets)
    dist = distance(means, targets)
    params = pd.DataFrame([experiment.points[i].values for i in means.index], index=means.index)
    table = pd.concat([params, dist.rename("distance"), means], axis=1)
    table = table.sort_values("distance", kind="stable")
    keep = max(2, round(accept * len(table)))
    return Posterior(list(experiment.factors), targets, table.head(keep), table, accept)


def refinement_experiment(
    experiment: Experiment, posterior: Posterior, replications: int, seed: int
) -> Experiment:
    """The accepted points again, each with ``replications`` new runs (seeds spawned from
    ``seed``, a different stream from the first stage's)."""
    points = tuple(
        Point({f.name: posterior.accepted.iloc[k][f.name].item() for f in posterior.factors})
        for k in range(len(posterior.accepted))
    )
    return replace(
        experiment, name=f"{experiment.name}-refine", kind="points", points=points,
        replications=replications, seed=seed,
        text=f"refinement of {experiment.fingerprint()} with {replications} replications",
    )  # fmt: skip


def refine(posterior: Posterior, refined: Experiment, runs: pd.DataFrame) -> Posterior:
    """Posterior whose accepted points carry the outcome means and distances of the
    refinement runs, best first (the parameter values are unchanged)."""
    means = point_means(runs, posterior.targets)
    dist = distance(means, posterior.targets)
    params = pd.DataFrame([refined.points[i].values for i in means.index], index=means.index)
    table = pd.concat([params, dist.rename("distance"), means], axis=1)
    table.index = posterior.accepted.index[table.index]  # back to first-stage point numbers
    table = table.sort_values("distance", kind="stable")
    return Posterior(posterior.factors, posterior.targets, table, posterior.all_points,
                     posterior.accept)  # fmt: skip


def calibrated_scenario_text(
    posterior: Posterior, base: str, posterior_file: str, fingerprint: str
) -> str:
    """A scenario file holding the best-fitting values of the calibrated parameters and naming
    the posterior sample that comparisons draw from."""
    lines = [
        "# Written by `coauthor-sim calibrate`: do not edit by hand; rerun the command instead.",
        f"# Calibrated from {base} (fingerprint {fingerprint[:12]}).",
        'description = """',
        "The calibrated baseline: the uncertain parameters that best reproduce the published UK",
        "figures in data/targets.toml (ABC rejection; see docs/validation.md). Policy scenarios",
        "extend it through status_quo, and comparisons draw their runs from its posterior.",
        '"""',
        f'posterior = "{posterior_file}"',
        "",
        "[uncertainties]",
    ]
    for name, value in posterior.best.items():
        lines.append(f"{name} = {toml_value(round(value, 6))}")
    return "\n".join(lines) + "\n"


def plot_fit(fit: pd.DataFrame) -> Figure:
    """Each target: its band (grey) and observed value (black), against the accepted points'
    simulated mean (dot) and 5-95% range (line), scaled so every band spans the same width."""
    fig = Figure(figsize=(8, 0.55 * len(fit) + 1.2), layout="constrained")
    ax = fig.subplots()
    for y, (_, row) in enumerate(fit.iterrows()):
        half = (row["band_high"] - row["band_low"]) / 2
        centre = (row["band_high"] + row["band_low"]) / 2

        def scale(v, centre=centre, half=half):
            return (v - centre) / half

        ax.barh(y, 2, left=-1, height=0.6, color="#dddddd")
        ax.plot([scale(row["observed"])] * 2, [y - 0.3, y + 0.3], color="black", lw=2)
        colour = "#2e933c" if row["in_band"] else "#d1495b"
        ax.plot([scale(row["simulated_5%"]), scale(row["simulated_95%"])], [y, y], color=colour,
                lw=2)  # fmt: skip
        ax.plot(scale(row["simulated_mean"]), y, "o", color=colour)
    ax.set_yticks(range(len(fit)),
                  [f"{t}{'' if w > 0 else ' (not fitted)'}" for t, w in
                   zip(fit["target"], fit["weight"], strict=True)])  # fmt: skip
    ax.invert_yaxis()
    ax.axvline(0, color="grey", lw=0.6)
    ax.set_xlabel("position within the target's band (-1 = low edge, +1 = high edge)")
    ax.set_title("Calibrated baseline against published targets")
    ax.set_xlim(-4, 4)
    return fig


def plot_posterior(posterior: Posterior) -> Figure:
    """Histogram of each calibrated parameter among accepted points over its prior range."""
    factors = posterior.factors
    cols = min(4, len(factors))
    rows = int(np.ceil(len(factors) / cols))
    fig = Figure(figsize=(3.4 * cols, 2.4 * rows + 0.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for ax, f in zip(axes, factors, strict=False):
        ax.hist(posterior.all_points[f.name], bins=12, range=(f.low, f.high), color="#cccccc",
                label="prior sample")  # fmt: skip
        ax.hist(posterior.accepted[f.name], bins=12, range=(f.low, f.high), color="#1b5e9a",
                label="accepted")  # fmt: skip
        ax.set_title(f.name, fontsize=9)
    for ax in axes[len(factors) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"Posterior (accepted {len(posterior.accepted)} of "
                 f"{len(posterior.all_points)} points)")  # fmt: skip
    return fig
