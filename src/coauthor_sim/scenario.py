"""Scenario files: TOML loading, ``extends``, and validation into clear errors.

A scenario file is readable TOML::

    description = "One or two sentences a policy reader understands."
    extends = "status_quo"          # optional: start from another scenario in the same folder

    [levers]
    co_production = 0.4

    [uncertainties]
    need_growth = 0.05

Tables: ``[population]``, ``[network]``, ``[levers]``, ``[uncertainties]``, ``[run]``, each
holding only parameters of its group (see ``coauthor_sim.params``). Anything wrong (a file
that is missing or not TOML, an unknown table or key, a key in the wrong table, a wrong type or
an out-of-range value, a cycle of ``extends``) raises ``ScenarioError`` naming the file, the
key and what is allowed, before any simulation runs.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .params import SPECS, ParameterError, Parameters, resolve, unknown_key

TABLES = {
    "population": "population",
    "network": "network",
    "levers": "lever",
    "uncertainties": "uncertainty",
    "run": "run",
}
GROUP_TABLE = {group: table for table, group in TABLES.items()}
TOP_LEVEL = ("description", "extends", "posterior")


class ScenarioError(ValueError):
    """A scenario file cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Scenario:
    """A resolved scenario: its name, file, description, and every parameter value."""

    name: str
    path: Path
    description: str
    params: Parameters
    chain: tuple[Path, ...]  # this file first, then the files it extends, in order
    posterior: Path | None = None  # sample of calibrated parameters, from the chain if any

    @property
    def summary(self) -> str:
        """First sentence of the description, for one-line listings."""
        text = " ".join(self.description.split())
        match = re.match(r"(.+?[.!?])(\s|$)", text)
        return match.group(1) if match else text


def _where(path: Path) -> str:
    return str(path)


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ScenarioError(f"{_where(path)}: no such scenario file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"{_where(path)}: cannot be read: {err}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{_where(path)}: not valid TOML: {err}") from None


def _check_structure(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """Check tables and keys of one file; return its parameter overrides (flat)."""
    overrides: dict[str, Any] = {}
    for key, value in data.items():
        if key in TOP_LEVEL:
            if not isinstance(value, str) or not value.strip():
                raise ScenarioError(f"{_where(path)}: '{key}' must be a non-empty string")
            continue
        if key in TABLES:
            if not isinstance(value, dict):
                raise ScenarioError(f"{_where(path)}: '{key}' must be a table: [{key}]")
            for name, item in value.items():
                overrides[name] = _check_key(path, key, name, item)
            continue
        raise ScenarioError(f"{_where(path)}: {_unknown_top_level(key)}")
    if "description" not in data:
        raise ScenarioError(
            f"{_where(path)}: 'description' is missing: start the file with "
            'description = "what this scenario is, for a policy reader"'
        )
    return overrides


def _unknown_top_level(key: str) -> str:
    spec = SPECS.get(key)
    if spec is not None:
        return f"'{key}' must be inside the [{GROUP_TABLE[spec.group]}] table"
    options = list(TABLES) + list(TOP_LEVEL)
    close = difflib.get_close_matches(key, options, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    allowed = ", ".join(f"[{t}]" for t in TABLES)
    return f"unknown key or table '{key}'{hint} (allowed: {', '.join(TOP_LEVEL)}, {allowed})"


def _check_key(path: Path, table: str, name: str, value: Any) -> Any:
    spec = SPECS.get(name)
    if spec is None:
        raise ScenarioError(f"{_where(path)}: {unknown_key(name, f'[{table}]')}")
    if GROUP_TABLE[spec.group] != table:
        raise ScenarioError(
            f"{_where(path)}: '{name}' belongs in [{GROUP_TABLE[spec.group]}], not [{table}]"
        )
    try:
        return spec.check(value)
    except ParameterError as err:
        raise ScenarioError(f"{_where(path)}: [{table}] {err}") from None


def _parent_path(path: Path, extends: str) -> Path:
    """The file ``extends`` names: a scenario name or a .toml path, relative to ``path``."""
    target = Path(extends.strip())
    if target.suffix != ".toml":
        try:
            target = target.with_suffix(".toml")
        except ValueError:  # "/", ".", "..": not a file name
            raise ScenarioError(
                f"{_where(path)}: extends = {extends!r} does not name a scenario file"
            ) from None
    return target if target.is_absolute() else path.parent / target


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load, merge (following ``extends``) and validate a scenario file.

    A file may name a ``posterior``: a CSV sample of calibrated uncertain parameters (written
    by ``coauthor-sim calibrate``) that comparisons draw their runs from; the nearest file in
    the ``extends`` chain that names one decides.

    ``overrides`` (e.g. from the command line) are applied last and validated the same way.
    """
    path = Path(path)
    chain: list[Path] = []
    layers: list[dict[str, Any]] = []
    description = None
    posterior: Path | None = None
    current: Path | None = path
    while current is not None:
        resolved = current.resolve()
        if resolved in [p.resolve() for p in chain]:
            names = " -> ".join(p.stem for p in [*chain, current])
            raise ScenarioError(f"{_where(path)}: 'extends' makes a cycle: {names}")
        data = _read_toml(current)
        layers.append(_check_structure(current, data))
        chain.append(current)
        if description is None:
            description = data["description"]
        if posterior is None and "posterior" in data:
            posterior = current.parent / data["posterior"]
            if not posterior.is_file():
                raise ScenarioError(
                    f"{_where(current)}: posterior = {data['posterior']!r}, but {posterior} "
                    "does not exist (run coauthor-sim calibrate ... --write-scenario)"
                )
        parent = data.get("extends")
        current = _parent_path(current, parent) if parent else None
        if current is not None and not current.is_file():
            raise ScenarioError(
                f"{_where(chain[-1])}: extends '{parent}', but {_where(current)} does not exist"
            )
    merged: dict[str, Any] = {}
    for layer in reversed(layers):
        merged.update(layer)
    try:
        params = resolve({**merged, **(overrides or {})})
    except ParameterError as err:
        raise ScenarioError(f"{_where(path)}: {err}") from None
    return Scenario(path.stem, path, description.strip(), params, tuple(chain), posterior)


def find_scenarios(folder: str | Path) -> list[Path]:
    """Scenario files in ``folder``, sorted by name."""
    return sorted(Path(folder).glob("*.toml"))


def scenario_path(name_or_path: str, folder: str | Path = "scenarios") -> Path:
    """A path as given, or the file ``<folder>/<name>.toml`` for a bare scenario name."""
    given = Path(name_or_path)
    if given.suffix == ".toml" or given.exists():
        return given
    return Path(folder) / f"{name_or_path}.toml"


def to_toml(scenario: Scenario) -> str:
    """The fully resolved scenario as TOML text, grouped in tables, loadable again."""
    lines = [f"description = {toml_value(scenario.description)}"]
    for table, group in TABLES.items():
        lines += ["", f"[{table}]"]
        for name, spec in SPECS.items():
            if spec.group == group:
                lines.append(f"{name} = {toml_value(scenario.params[name])}")
    return "\n".join(lines) + "\n"


def toml_value(value: Any) -> str:
    """A parameter value written as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
        return f'"{escaped}"'
    return repr(value)
