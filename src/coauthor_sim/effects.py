"""Effect-size priors (``data/effects.toml``): what we believe about how much each mechanism
does, as a distribution with a source.

A comparison draws every prior afresh for each replication, so that each replication is one
plausible world (see ``coauthor_sim.compare``). Every entry must say where its range comes from
and must contain "no effect", so that a policy is never credited with an effect the evidence
cannot rule out being absent. Anything wrong raises ``ScenarioError`` in the project's
one-line style, naming the file, the entry and what is allowed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .params import SPECS, ParameterError, unknown_key
from .scenario import ScenarioError
from .shipped import shipped_folder

if TYPE_CHECKING:  # the command line imports this module for its default path: keep it light
    import numpy as np
    import pandas as pd

DEFAULT_EFFECTS = shipped_folder("data") / "effects.toml"
DISTRIBUTIONS = ("uniform", "triangular")
ENTRY_KEYS = ("low", "high", "distribution", "mode", "no_effect", "source")


@dataclass(frozen=True)
class EffectPrior:
    """One effect size's prior: a range containing no effect, a distribution, a source."""

    name: str
    low: float
    high: float
    distribution: str
    source: str
    mode: float | None = None
    no_effect: float = 0.0

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at quantiles ``u`` in [0, 1) (inverse CDF), so any unit design maps on."""
        from scipy import stats

        width = self.high - self.low
        if self.distribution == "triangular":
            c = (self.mode - self.low) / width
            return stats.triang.ppf(u, c, loc=self.low, scale=width)
        import numpy as np

        return self.low + np.asarray(u, dtype=float) * width

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` independent draws."""
        return self.ppf(rng.random(size))


def _fail(path: Path, message: str) -> ScenarioError:
    return ScenarioError(f"{path}: {message}")


def _number(path: Path, where: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(path, f"{where} {key} = {value!r} is not allowed: expected a number")
    return float(value)


def load_effects(
    path: str | Path = DEFAULT_EFFECTS, exclude: set[str] | None = None
) -> list[EffectPrior]:
    """Load and check an effects file: only ``[effects.<uncertainty parameter>]`` tables, each
    with low < high inside the parameter's allowed range, no_effect inside [low, high], a
    known distribution (a triangular one with its mode) and a non-empty source. Parameters in
    ``exclude`` (e.g. those a posterior sample already draws) are refused."""
    path = Path(path)
    if not path.is_file():
        raise _fail(path, "no such effects file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise _fail(path, f"cannot be read: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise _fail(path, f"not valid TOML: {err}") from None
    extra = sorted(set(data) - {"effects"})
    if extra:
        raise _fail(path, f"unknown key or table '{extra[0]}' (allowed: [effects.<parameter>])")
    table = data.get("effects")
    if not isinstance(table, dict) or not table:
        raise _fail(path, "no priors: add tables [effects.<parameter>]")
    priors = []
    for name, entry in table.items():
        priors.append(_entry(path, name, entry, exclude or set()))
    return priors


def _entry(path: Path, name: str, entry: Any, exclude: set[str]) -> EffectPrior:
    where = f"[effects.{name}]"
    spec = SPECS.get(name)
    if spec is None:
        raise _fail(
            path, unknown_key(name, "[effects]").replace("unknown key", "unknown parameter")
        )
    if spec.group != "uncertainty" or spec.kind is not float:
        raise _fail(path, f"{where}: only numeric uncertainty parameters have effect priors "
                    f"({name} is a {spec.group} parameter)")  # fmt: skip
    if name in exclude:
        raise _fail(path, f"{where}: {name} is drawn from the calibrated posterior; remove it "
                    "here or from the posterior sample")  # fmt: skip
    if not isinstance(entry, dict):
        raise _fail(path, f"{where} must be a table with low, high, distribution and source")
    for key in entry:
        if key not in ENTRY_KEYS:
            raise _fail(path, f"{where}: unknown key '{key}' (allowed: {', '.join(ENTRY_KEYS)})")
    source = entry.get("source")
    if not isinstance(source, str) or not source.strip():
        raise _fail(path, f"{where}: 'source' is missing: name the published evaluation the "
                    'range rests on, or write "judgement" and why')  # fmt: skip
    for key in ("low", "high"):
        if key not in entry:
            raise _fail(path, f"{where}: '{key}' is missing: expected a number")
    low, high = (_number(path, where, k, entry[k]) for k in ("low", "high"))
    try:
        spec.check(low), spec.check(high)
    except ParameterError as err:
        raise _fail(path, f"{where}: {err}") from None
    if not low < high:
        raise _fail(path, f"{where}: low ({low:g}) must be below high ({high:g})")
    no_effect = _number(path, where, "no_effect", entry.get("no_effect", 0.0))
    if not low <= no_effect <= high:
        raise _fail(path, f"{where}: the range [{low:g}, {high:g}] must include no effect "
                    f"({no_effect:g}): the evidence cannot rule it out")  # fmt: skip
    distribution = entry.get("distribution", "uniform")
    if distribution not in DISTRIBUTIONS:
        raise _fail(path, f"{where}: distribution = {distribution!r} is not allowed: expected "
                    f"one of {', '.join(DISTRIBUTIONS)}")  # fmt: skip
    mode = None
    if distribution == "triangular":
        if "mode" not in entry:
            raise _fail(path, f"{where}: a triangular distribution needs a mode")
        mode = _number(path, where, "mode", entry["mode"])
        if not low <= mode <= high:
            raise _fail(path, f"{where}: mode = {mode:g} is not allowed: expected a number "
                        f"from {low:g} to {high:g}")  # fmt: skip
    elif "mode" in entry:
        raise _fail(path, f"{where}: 'mode' is only for a triangular distribution")
    return EffectPrior(name, low, high, distribution, " ".join(source.split()), mode, no_effect)


def draw_effects(priors: list[EffectPrior], worlds: int, seed: int) -> pd.DataFrame:
    """One row per world, one column per prior: independent draws from a stream spawned off
    the experiment seed (separate from the run seeds and the posterior draws)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2,)))
    return pd.DataFrame({p.name: p.sample(rng, worlds) for p in priors})
