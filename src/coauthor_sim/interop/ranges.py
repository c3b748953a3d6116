"""Plausible ranges of parameters, for tools that sample them (EMA Workbench, SALib).

Only ranges the project states are used; first match wins:

1. the calibration's posterior sample (the one the calibrated ``status_quo`` names): from the
   smallest to the largest draw, as ``coauthor-sim compare`` and ``sensitivity --contrast``
   draw the calibrated parameters;
2. ``data/priors.toml``: the calibration's prior range, for a prior the posterior lacks;
3. ``data/effects.toml``: the range of plausible effect sizes a comparison draws;
4. a lever that is a share, intensity or probability (from 0 to at most 1): its whole range,
   the policy space ``docs/levers.md`` describes.

Any other parameter (need growth, costs, population, network, a lever in pounds) has no
stated range: asking for it without giving one raises ``ParameterError`` naming it, rather
than sampling the schema's widest bounds (``need_growth`` from 0 to 0.5 around a status quo of
0.08). A range given by the caller always wins, checked against the schema. Each file is read
by the loader the calibration or the comparison uses, so a range means the same everywhere and
a bad file is refused with the same message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..calibration.targets import load_priors
from ..effects import DEFAULT_EFFECTS, load_effects
from ..params import SPECS, ParameterError, Spec, unknown_key
from ..scenario import ScenarioError
from ..shipped import shipped_folder

PRIORS = shipped_folder("data") / "priors.toml"
EFFECTS = DEFAULT_EFFECTS
STATUS_QUO = shipped_folder("scenarios") / "status_quo.toml"
SOURCES = ("posterior", "priors", "effects", "lever", "given")


@dataclass(frozen=True)
class Range:
    """A parameter's plausible range and where it is stated (one of ``SOURCES``)."""

    name: str
    low: float
    high: float
    source: str


def default_posterior() -> Path | None:
    """The posterior sample the calibrated status quo names (None if it names none)."""
    from ..scenario import load_scenario

    return load_scenario(STATUS_QUO).posterior


def spec_of(name: str) -> Spec:
    """The schema entry of ``name``; ``ParameterError`` with a did-you-mean hint otherwise."""
    spec = SPECS.get(name)
    if spec is None:
        raise ParameterError(unknown_key(name).replace("unknown key", "unknown parameter"))
    return spec


def file_ranges(path: Path, loader: Callable[[Path], list]) -> dict[str, tuple[float, float]]:
    """``{name: (low, high)}`` from a priors or effects file read by its own loader; empty if
    the file does not exist. A bad file raises ``ParameterError`` with the loader's message,
    which names the file and the key."""
    path = Path(path)
    if not path.is_file():
        return {}
    try:
        return {entry.name: (entry.low, entry.high) for entry in loader(path)}
    except ScenarioError as err:
        raise ParameterError(str(err)) from None


def posterior_ranges(path: Path | None) -> dict[str, tuple[float, float]]:
    """``{name: (smallest draw, largest draw)}`` of a posterior sample; empty without one."""
    if path is None or not Path(path).is_file():
        return {}
    from ..compare import load_posterior

    try:
        sample = load_posterior(Path(path))
    except ScenarioError as err:
        raise ParameterError(str(err)) from None
    return {name: (float(sample[name].min()), float(sample[name].max())) for name in sample}


def stated_range(
    name: str, *, posterior: Path | str | None = "default", priors: Path = PRIORS,
    effects: Path = EFFECTS,
) -> Range | None:  # fmt: skip
    """The range the project states for ``name`` (see the module docstring), or None."""
    spec = spec_of(name)
    posterior = default_posterior() if posterior == "default" else posterior
    sources = (
        ("posterior", lambda: posterior_ranges(posterior)),
        ("priors", lambda: file_ranges(priors, load_priors)),
        ("effects", lambda: file_ranges(effects, load_effects)),
    )
    for source, found in sources:
        ranges = found()
        if name in ranges:
            return Range(name, *ranges[name], source)
    if spec.group == "lever" and spec.kind is float and spec.low >= 0 and spec.high <= 1:
        return Range(name, spec.low, spec.high, "lever")
    return None


def plausible_range(
    name: str, given: tuple[float, float] | None = None, *,
    posterior: Path | str | None = "default", priors: Path = PRIORS, effects: Path = EFFECTS,
) -> tuple[float, float]:  # fmt: skip
    """The range a numeric parameter is sampled over: ``given`` (checked against the schema),
    else the stated range; ``ParameterError`` naming the parameter when it has neither."""
    spec = spec_of(name)
    if spec.kind not in (int, float):
        raise ParameterError(f"{name} is {spec.allowed()}: it has no numeric range")
    if given is not None:
        try:
            low, high = (spec.check(v) for v in given)
        except (TypeError, ValueError) as err:
            raise ParameterError(f"{name}: range {given!r}: {err}") from None
        if not low < high:
            raise ParameterError(f"{name}: low ({low}) must be below high ({high})")
        return low, high
    found = stated_range(name, posterior=posterior, priors=priors, effects=effects)
    if found is None:
        raise ParameterError(
            f"{name} has no stated range (it is not in the calibration's posterior or priors, "
            f"nor among the effect sizes of data/effects.toml, nor a lever share): give one, "
            f"e.g. {{{name!r}: (low, high)}} (allowed: {spec.allowed()})"
        )
    return found.low, found.high
