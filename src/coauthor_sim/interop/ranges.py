"""Plausible ranges of parameters, for tools that sample them (EMA Workbench, SALib).

Where a range comes from, first match wins:

1. ``data/priors.toml``: the calibration's prior range of an uncertain parameter;
2. ``data/effects.toml``, when it exists: a range of plausible effect sizes from the literature
   (any table entry ``name = {low = ..., high = ...}``, or one with ``range`` or ``band`` =
   ``[low, high]``; other keys such as a source are ignored);
3. the parameter schema (``coauthor_sim.params``): the widest range the model accepts.

A range given by the caller always wins over all three.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..params import SPECS, ParameterError, Spec, unknown_key
from ..shipped import shipped_folder

DATA = shipped_folder("data")
PRIORS = DATA / "priors.toml"
EFFECTS = DATA / "effects.toml"


def spec_of(name: str) -> Spec:
    """The schema entry of ``name``; ``ParameterError`` with a did-you-mean hint otherwise."""
    spec = SPECS.get(name)
    if spec is None:
        raise ParameterError(unknown_key(name))
    return spec


def _ranges_in(tree: Mapping[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    """Every ``name = {low, high}`` (or ``range``/``band = [low, high]``) entry of a TOML tree
    whose name is a parameter, at any depth."""
    for key, value in tree.items():
        if not isinstance(value, Mapping):
            continue
        if key in SPECS:
            if "low" in value and "high" in value:
                yield key, value["low"], value["high"]
                continue
            pair = value.get("range", value.get("band"))
            if isinstance(pair, list) and len(pair) == 2:
                yield key, pair[0], pair[1]
                continue
        yield from _ranges_in(value)


def file_ranges(path: Path) -> dict[str, tuple[float, float]]:
    """Parameter ranges found in a TOML file (empty if the file does not exist), each checked
    against the schema; a bad one raises ``ParameterError`` naming the file and key."""
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        tree = tomllib.load(handle)
    found = {}
    for name, low, high in _ranges_in(tree):
        spec = SPECS[name]
        try:
            low, high = spec.check(low), spec.check(high)
        except ParameterError as err:
            raise ParameterError(f"{path}: {err}") from None
        if not low < high:
            raise ParameterError(f"{path}: {name}: low ({low}) must be below high ({high})")
        found.setdefault(name, (low, high))
    return found


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
    for path in (priors, effects):
        found = file_ranges(path)
        if name in found:
            return found[name]
    return spec.low, spec.high
