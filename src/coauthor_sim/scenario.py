"""Scenario files: TOML loading, ``extends``, and validation into clear errors.

A scenario file is readable TOML::

    description = "One or two sentences a policy reader understands."
    extends = "status_quo"          # optional: start from another scenario (looked up beside
                                    # this file first, then among the shipped scenarios)

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

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .inputs import read_text, read_toml
from .messages import ScenarioError, closest, printable, unknown_name
from .params import SPECS, ParameterError, Parameters, parse_paths, paths_text, resolve
from .shipped import find_scenario, shipped_folder, shipped_names

TABLES = {
    "population": "population",
    "network": "network",
    "levers": "lever",
    "uncertainties": "uncertainty",
    "run": "run",
}
GROUP_TABLE = {group: table for table, group in TABLES.items()}
TOP_LEVEL = ("description", "extends", "posterior")
PATHS = "paths"  # the table of yearly paths: name = [one value per year] (params.parse_paths)
MAX_POSTERIOR_BYTES = 200_000_000  # far above any calibration's sample
__all__ = ["Scenario", "ScenarioError", "find_scenarios", "load_scenario", "scenario_path"]


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
    return read_toml(path, "scenario file")


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
        if key == PATHS:
            overrides[PATHS] = _check_paths(path, value)
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
    close = closest(key, options)
    hint = f"; did you mean '{close}'?" if close else ""
    allowed = ", ".join(f"[{t}]" for t in TABLES)
    return (f"unknown key or table {printable(repr(key))}{hint} "
            f"(allowed: {', '.join(TOP_LEVEL)}, {allowed})")  # fmt: skip


def _check_key(path: Path, table: str, name: str, value: Any) -> Any:
    spec = SPECS.get(name)
    if spec is None:
        names = [n for n, s in SPECS.items() if s.group == TABLES[table]]
        hint = closest(name, SPECS)
        if hint is not None and hint not in names:
            names = [hint]  # a parameter of another table: suggest it, resolve will place it
        raise ScenarioError(f"{_where(path)}: {unknown_name(name, names, where=f'[{table}]')}")
    if GROUP_TABLE[spec.group] != table:
        raise ScenarioError(
            f"{_where(path)}: '{name}' belongs in [{GROUP_TABLE[spec.group]}], not [{table}]"
        )
    try:
        return spec.check(value)
    except ParameterError as err:
        raise ScenarioError(f"{_where(path)}: [{table}] {err}") from None


def _check_paths(path: Path, table: Any) -> dict[str, list[float]]:
    """A file's [paths] table: each key a numeric lever or uncertainty, each value a list of
    numbers (one per year) inside the parameter's range; the paths as a mapping (merged with
    the parents' name by name, then written into the ``paths`` parameter)."""
    if not isinstance(table, dict):
        raise ScenarioError(f"{_where(path)}: '{PATHS}' must be a table: [{PATHS}]")
    out = {}
    for name, values in table.items():
        if (
            not isinstance(values, list)
            or not values
            or any(isinstance(v, bool) or not isinstance(v, int | float) for v in values)
        ):
            raise ScenarioError(
                f"{_where(path)}: [{PATHS}] {printable(name)} = {printable(repr(values))} is not "
                "allowed: expected a list of numbers, one per year, e.g. [60, 57, 54]"
            )
        try:
            parse_paths(paths_text({name: values}))
        except ParameterError as err:
            raise ScenarioError(f"{_where(path)}: [{PATHS}] {err}") from None
        out[name] = [float(v) for v in values]
    return out


def _parent_path(path: Path, extends: str) -> Path:
    """The file ``extends`` names: a scenario name or a .toml path, looked up beside ``path``
    first, then among the shipped scenarios (so a copied scenario still finds its parent)."""
    target = Path(extends.strip())
    if target.suffix != ".toml":
        try:
            target = target.with_suffix(".toml")
        except ValueError:  # "/", ".", "..": not a file name
            raise ScenarioError(
                f"{_where(path)}: extends = {printable(repr(extends))} does not name a "
                "scenario file"
            ) from None
    if target.is_absolute():
        return target
    beside = path.parent / target
    if beside.is_file():
        return beside
    shipped = shipped_folder("scenarios") / target
    return shipped if shipped.is_file() else beside


def load_scenario(
    path: str | Path, overrides: dict[str, Any] | None = None, origin: str | None = "command line"
) -> Scenario:
    """Load, merge (following ``extends``) and validate a scenario file.

    A file may name a ``posterior``: a CSV sample of calibrated uncertain parameters (written
    by ``coauthor-sim calibrate``) that comparisons draw their runs from; the nearest file in
    the ``extends`` chain that names one decides.

    ``overrides`` (e.g. from the command line) are applied last and validated the same way;
    an error in one of them is blamed on ``origin`` (e.g. "command line", or "exp.toml:
    [fixed]"), not on the scenario file. With ``origin=None`` (keyword arguments from Python)
    it is a ``ParameterError`` naming the parameter, like ``CoauthorModel``'s.
    """
    path = Path(path)
    for name, value in (overrides or {}).items():
        spec = SPECS.get(name)
        try:
            if spec is None:
                raise ParameterError(unknown_name(name, SPECS, "parameter"))
            spec.check(value)
        except ParameterError as err:
            if origin is None:
                raise
            raise ScenarioError(f"{origin}: {err}") from None
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
                    f"{_where(current)}: posterior = {printable(repr(data['posterior']))}, but "
                    f"{posterior} does not exist (run coauthor-sim calibrate ... --write-scenario)"
                )
            check_posterior(posterior, f"{_where(current)}: posterior = {posterior.name!r}")
        parent = data.get("extends")
        current = _parent_path(current, parent) if parent else None
        if current is not None and not current.is_file():
            raise ScenarioError(
                f"{_where(chain[-1])}: extends '{printable(parent)}', but {_where(current)} does "
                f"not exist{_did_you_mean(parent, chain[-1])}"
            )
    merged: dict[str, Any] = {}
    paths: dict[str, list[float]] = {}
    for layer in reversed(layers):
        paths.update(layer.pop(PATHS, {}))  # a child's path replaces its parent's, by name
        merged.update(layer)
    if paths:
        merged[PATHS] = paths_text(paths)
    try:
        params = resolve(merged)
    except ParameterError as err:
        raise ScenarioError(f"{_where(path)}: {err}") from None
    if overrides:
        try:
            params = resolve({**merged, **overrides})
        except ParameterError as err:  # a rule across parameters, broken by an override
            if origin is None:
                raise ParameterError(f"{err} (with the values of {_where(path)})") from None
            raise ScenarioError(f"{_where(path)} with {origin}: {err}") from None
    if params["locality_table"]:
        sized = [k for k in ("n_citizens", "n_neighbourhoods") if k in (overrides or {})]
        if sized:
            message = (
                f"{sized[0]} is not allowed with a locality_table ({_where(path)}): the table "
                "sets the neighbourhoods; change locality_scale instead"
            )
            if origin is None:
                raise ParameterError(message)
            raise ScenarioError(f"{origin}: {message}")
        given = {k for k in LOCALITY_KEYS if k in (overrides or {})}
        setter = next((f for f, layer in zip(chain, layers, strict=True)
                       if "locality_table" in layer), path)  # fmt: skip
        where = (origin or "keyword arguments") if given else _where(setter)
        beside = None if "locality_table" in given else setter.parent
        params = with_locality(params, where, beside)
    return Scenario(path.stem, path, description.strip(), params, tuple(chain), posterior)


def _did_you_mean(extends: str, path: Path) -> str:
    """ "; did you mean 'status_quo'?" for a misspelt ``extends``: the closest name among the
    scenarios beside ``path`` and the shipped ones (difflib, ``messages.closest``), or ""."""
    given = Path(extends.strip())
    names = {p.stem for p in path.parent.glob("*.toml") if p.resolve() != path.resolve()}
    names |= {Path(n).name for n in shipped_names()}
    hint = closest(given.stem, sorted(names))
    if hint is None or hint == given.stem:
        return ""
    return f"; did you mean '{hint}'?"


LOCALITY_KEYS = ("locality_table", "local_authority", "locality_scale")


def with_locality(params: Parameters, where: str, beside: Path | None = None) -> Parameters:
    """``params`` with the neighbourhoods of their ``locality_table``: the table found (beside
    the scenario file first, then among the shipped tables), read and checked, and
    ``n_citizens`` and ``n_neighbourhoods`` set to what it gives at ``locality_scale``. A bad
    table, authority or scale raises ScenarioError naming ``where``, the key and the table."""
    from .localities import FIFTHS, LocalityError, find_table, locality_of, shipped_table_name

    if params["locality_fifths"] not in FIFTHS:  # text (no widget in the app): checked here
        raise ScenarioError(f"{where}: locality_fifths = {params['locality_fifths']!r} is not "
                            f"allowed: expected one of {', '.join(map(repr, FIFTHS))}")  # fmt: skip
    path = find_table(params["locality_table"], beside)
    table = shipped_table_name(path) or str(path.resolve() if path.is_file() else path)
    try:
        locality = locality_of(table, params["local_authority"])
        sizes = locality.sizes(params["locality_scale"])
    except LocalityError as err:
        raise ScenarioError(f"{where}: locality_table: {err}") from None
    try:
        return resolve({**params, "locality_table": table, "n_citizens": int(sizes.sum()),
                        "n_neighbourhoods": len(sizes)})  # fmt: skip
    except ParameterError as err:
        raise ScenarioError(
            f"{where}: locality_scale = {params['locality_scale']:g} gives {int(sizes.sum()):,} "
            f"citizens in {len(sizes):,} neighbourhoods of {locality.local_authority}: {err}"
        ) from None


def find_scenarios(folder: str | Path) -> list[Path]:
    """Scenario files in ``folder``, sorted by name."""
    return sorted(Path(folder).glob("*.toml"))


def scenario_path(name_or_path: str, folder: str | Path | None = None) -> Path:
    """A path as given, or ``<folder>/<name>.toml`` (default ``./scenarios``), or the shipped
    scenario of that name (see ``coauthor_sim.shipped.find_scenario``)."""
    return find_scenario(name_or_path, folder)


def check_posterior(path: Path, where: str) -> None:
    """Refuse a file that is not a posterior sample (a CSV whose header names uncertainty
    parameters) without echoing its content; ``where`` says who named the file."""
    if path.suffix.lower() != ".csv":
        raise ScenarioError(f"{where}: a posterior sample is a .csv file written by "
                            "coauthor-sim calibrate")  # fmt: skip
    try:
        text = read_text(path, "posterior sample (CSV)", MAX_POSTERIOR_BYTES)
    except ScenarioError as err:
        raise ScenarioError(f"{where}: {err}") from None
    header = next(csv.reader(io.StringIO(text)), [])
    bad = [c for c in header if c not in SPECS or SPECS[c].group != "uncertainty"]
    if not header or bad:
        named = bad and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,40}", bad[0])
        shown = repr(bad[0]) if named else f"{len(bad)} column(s) not shown" if bad else "none"
        raise ScenarioError(
            f"{where}: {path} is not a posterior sample: its header must name uncertainty "
            f"parameters only (first bad column: {shown})"
        )
    if len(text.strip().splitlines()) < 2:
        raise ScenarioError(f"{where}: {path} holds no draws (a header line only)")


def to_toml(scenario: Scenario) -> str:
    """The fully resolved scenario as TOML text, grouped in tables, loadable again."""
    lines = [f"description = {toml_value(scenario.description)}"]
    for table, group in TABLES.items():
        lines += ["", f"[{table}]"]
        for name, spec in SPECS.items():
            if spec.group == group and name != PATHS:
                lines.append(f"{name} = {toml_value(scenario.params[name])}")
    paths = parse_paths(scenario.params[PATHS])
    if paths:
        lines += ["", f"[{PATHS}]  # one value a year, from month 1"]
        lines += [f"{name} = [{', '.join(repr(v) for v in values)}]"
                  for name, values in paths.items()]  # fmt: skip
    return "\n".join(lines) + "\n"


def toml_value(value: Any) -> str:
    """A parameter value written as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
        return f'"{escaped}"'
    return repr(value)
