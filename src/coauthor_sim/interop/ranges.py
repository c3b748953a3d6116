"""Plausible ranges of parameters, for tools that sample them (EMA Workbench, SALib).

Where a range comes from, first match wins:

1. ``data/priors.toml``: the calibration's prior range of an uncertain parameter (read by
   ``calibration.targets.load_priors``);
2. ``data/effects.toml``: the range of plausible effect sizes a comparison draws (read by
   ``effects.load_effects``);
3. the parameter schema (``coauthor_sim.params``): the widest range the model accepts.

A range given by the caller always wins over all three. The two files are read by the same
loaders the calibration and the comparison use, so a range means the same everywhere and a
bad file is refused with the same message.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..calibration.targets import load_priors
from ..effects import DEFAULT_EFFECTS, load_effects
from ..params import SPECS, ParameterError, Spec, unknown_key
from ..scenario import ScenarioError
from ..shipped import shipped_folder

PRIORS = shipped_folder("data") / "priors.toml"
EFFECTS = DEFAULT_EFFECTS


def spec_of(name: str) -> Spec:
    """The schema entry of ``name``; ``ParameterError`` with a did-you-mean hint otherwise."""
    spec = SPECS.get(name)
    if spec is None:
        raise ParameterError(unknown_key(name))
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


def plausible_range(
    name: str, given: tuple[float, float] | None = None, *, priors: Path = PRIORS,
    effects: Path = EFFECTS,
) -> tuple[float, float]:  # fmt: skip
    """The range a numeric parameter is sampled over (see the module docstring for the order);
    a ``given`` range is checked against the schema."""
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
    for path, loader in ((priors, load_priors), (effects, load_effects)):
        found = file_ranges(path, loader)
        if name in found:
            return found[name]
    return spec.low, spec.high
