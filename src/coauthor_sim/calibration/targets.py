"""Targets and priors of the calibration: reading and checking ``data/targets.toml`` and
``data/priors.toml``.

A target is one published figure with the band a run's statistic must fall in and a role:
``fit`` (the calibration's distance uses it), ``holdout`` (kept out of the fit on purpose and
reported as validation) or ``inactive`` (the model cannot yet produce the statistic). A prior is
a uniform range over one parameter that data can inform; calibration never moves a lever.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..experiment.design import Factor
from ..outcomes import OUTCOME_NAMES
from ..params import SPECS, ParameterError
from ..scenario import ScenarioError

ROLES = ("fit", "holdout", "inactive")
# Statistics the calibration computes itself, from the model's state or its outcome table,
# beyond the model's own outcomes (see ``statistics.run_statistics``).
EXTRA_STATISTICS: dict[str, str] = {
    "high_wellbeing_share": "share with well-being 0.7 or more (life satisfaction 7-10)",
    "life_satisfaction_gap": "life satisfaction, least minus most deprived fifth (points)",
    "wellbeing_sd_ratio": "standard deviation of well-being, most over least deprived fifth",
    "civic_nesting": "1 when activism < consultation < participation, else 0",
}
STATISTICS = (*OUTCOME_NAMES, *EXTRA_STATISTICS)
TARGET_KEYS = {"description", "value", "band", "statistic", "role", "series", "source",
               "status", "mapping", "needs"}  # fmt: skip
REQUIRED_KEYS = {"description", "value", "band", "statistic", "role", "series", "source"}


def calibratable(name: str) -> bool:
    """Whether calibration may move (and a posterior sample may carry) parameter ``name``."""
    spec = SPECS.get(name)
    return spec is not None and spec.group == "uncertainty"


@dataclass(frozen=True)
class Target:
    """One published figure the model should reproduce, with its accepted band and source."""

    name: str
    description: str
    value: float
    low: float
    high: float
    statistic: str
    role: str
    series: str
    source: str
    status: str = ""
    mapping: str = ""
    needs: str = ""

    @property
    def half_band(self) -> float:
        return (self.high - self.low) / 2.0

    @property
    def centre(self) -> float:
        return (self.high + self.low) / 2.0

    @property
    def fitted(self) -> bool:
        return self.role == "fit"


def load_targets(path: str | Path) -> list[Target]:
    """Read and check a targets file: every target has a value inside its band, a known
    statistic (unless inactive), a role, a series and a source; at least one is fitted."""
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
        role = item["role"]
        if role not in ROLES:
            raise ScenarioError(f"{path}: [{name}] role {role!r} is not one of {', '.join(ROLES)}")
        if role == "fit" and not band[0] < value < band[1]:
            raise ScenarioError(f"{path}: [{name}] a fitted target's value {value!r} must lie "
                                f"strictly inside its band {band} (the distance scales each "
                                "side by the value's distance to that edge)")  # fmt: skip
        if role != "inactive" and item["statistic"] not in STATISTICS:
            raise ScenarioError(
                f"{path}: [{name}] statistic {item['statistic']!r} is not a model outcome or a "
                "calibration statistic (see coauthor_sim.outcomes.OUTCOME_NAMES and "
                'coauthor_sim.calibration.EXTRA_STATISTICS); mark it role = "inactive" with '
                'needs = "..." until the model reports it'
            )
        if role == "inactive" and not str(item.get("needs", "")).strip():
            raise ScenarioError(f"{path}: [{name}] an inactive target must say what it needs")
        for key in ("series", "source", "description"):
            if not isinstance(item[key], str) or not item[key].strip():
                raise ScenarioError(f"{path}: [{name}] {key} must be a non-empty string")
        targets.append(Target(
            name=name, description=item["description"], value=float(value),
            low=float(band[0]), high=float(band[1]), statistic=item["statistic"], role=role,
            series=item["series"], source=item["source"], status=item.get("status", ""),
            mapping=item.get("mapping", ""), needs=item.get("needs", ""),
        ))  # fmt: skip
    if not any(t.fitted for t in targets):
        raise ScenarioError(f'{path}: no target has role = "fit"')
    return targets


def load_priors(path: str | Path) -> list[Factor]:
    """Uniform prior ranges from a priors file; only parameters calibration may move
    (``calibratable``) are allowed, never a lever."""
    path = Path(path)
    data = _read(path)
    extra = set(data) - {"uncertainties"}
    if extra:
        raise ScenarioError(f"{path}: only an [uncertainties] table is allowed (calibration "
                            f"never moves levers); found {', '.join(sorted(extra))}")  # fmt: skip
    factors = []
    for name, rng in data.get("uncertainties", {}).items():
        spec = SPECS.get(name)
        if not calibratable(name):
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
