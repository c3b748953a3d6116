"""The history test: the 2010-2019 decade lived from a 2010 baseline, judged against what
England saw, with criteria written down before the first run (``data/history.toml``).

The decade is driven only by published inputs (``Decade.inputs``: the council grant per
person, the deprivation premium of the needs formula, the share of money on prevention, need
from an ageing population, unemployment), each a yearly path from 2010/11. An ``index`` input
scales the baseline's own value in each plausible world (so a drawn or calibrated value keeps
its draw); a ``level`` input sets the value. Nothing is fitted to the decade: a miss is a
finding about the model.

``run_history`` runs the decade over plausible worlds (each a seed and a draw of the 2010
baseline's posterior, as comparisons draw them) and reduces it to yearly means by deprivation
fifth; ``judge`` applies the pre-registered criteria. The command ``coauthor-sim history``
writes the table, the pictures and a manifest; the validation page reports the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .inputs import read_toml
from .messages import ScenarioError
from .params import SPECS, ParameterError, parse_paths, paths_text
from .shipped import shipped_folder

DEFAULT_HISTORY = shipped_folder("data") / "history.toml"
INPUT_KINDS = ("index", "level")
CHANGES = ("difference", "relative")
MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class Input:
    """One driver of the decade: a yearly path of one parameter, with its source."""

    name: str
    kind: str  # "index" (relative to the baseline's value) or "level" (the value itself)
    values: tuple[float, ...]
    source: str
    status: str = ""


@dataclass(frozen=True)
class Criterion:
    """One pre-registered check: the change of a statistic between two years, and the band
    its median over plausible worlds must fall in."""

    name: str
    description: str
    statistic: str
    from_year: str
    to_year: str
    change: str
    observed: float
    low: float
    high: float
    source: str
    status: str = ""


@dataclass(frozen=True)
class Decade:
    """The decade: its years (financial years, the first is months 1-12), its inputs and its
    pre-registered criteria."""

    years: tuple[str, ...]
    inputs: tuple[Input, ...]
    criteria: tuple[Criterion, ...]
    path: Path

    def year_index(self, year: str) -> int:
        """The position (1 = first) of a year named as in ``years``."""
        return self.years.index(year) + 1

    def paths(self, base: dict[str, Any]) -> str:
        """The ``paths`` parameter for a world whose baseline values are ``base``: index
        inputs scale the world's own value, level inputs set it; each value checked."""
        found = {}
        for item in self.inputs:
            if item.kind == "index":
                found[item.name] = [base[item.name] * v for v in item.values]
            else:
                found[item.name] = list(item.values)
        text = paths_text(found)
        parse_paths(text)  # every value inside its parameter's range
        return text


def _fail(path: Path, message: str) -> ScenarioError:
    return ScenarioError(f"{path}: {message}")


def load_decade(path: str | Path = DEFAULT_HISTORY) -> Decade:
    """Load and check a history file: its years, each input (a known parameter that may
    follow a path, one value per year) and each criterion (a statistic the runs report, two of
    its years, a change kind and a band around the observed change)."""
    from .calibration.targets import STATISTICS

    path = Path(path)
    data = read_toml(path, "history file")
    years = data.get("years")
    if not isinstance(years, list) or not years or not all(isinstance(y, str) for y in years):
        raise _fail(path, "years must be a list of year names, e.g. ['2010/11', '2011/12']")
    inputs = []
    for name, item in (data.get("inputs") or {}).items():
        spec = SPECS.get(name)
        if spec is None:
            raise _fail(path, f"[inputs.{name}]: unknown parameter")
        kind, values = item.get("kind"), item.get("values")
        if kind not in INPUT_KINDS:
            raise _fail(path, f"[inputs.{name}] kind = {kind!r}: expected one of {INPUT_KINDS}")
        if (
            not isinstance(values, list)
            or len(values) != len(years)
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        ):
            raise _fail(path, f"[inputs.{name}] values: expected {len(years)} numbers, one a year")
        if not str(item.get("source", "")).strip():
            raise _fail(path, f"[inputs.{name}] needs a source")
        try:
            parse_paths(paths_text({name: [spec.default] if kind == "index" else values}))
        except ParameterError as err:
            raise _fail(path, f"[inputs.{name}] {err}") from None
        inputs.append(Input(name, kind, tuple(float(v) for v in values), item["source"],
                            item.get("status", "")))  # fmt: skip
    criteria = []
    for name, item in (data.get("criteria") or {}).items():
        band = item.get("band")
        if item.get("statistic") not in STATISTICS:
            raise _fail(path, f"[criteria.{name}] statistic {item.get('statistic')!r} is not "
                              "one the runs report")  # fmt: skip
        if item.get("from_year") not in years or item.get("to_year") not in years:
            raise _fail(path, f"[criteria.{name}] from_year and to_year must be among years")
        if item.get("change") not in CHANGES:
            raise _fail(path, f"[criteria.{name}] change must be one of {CHANGES}")
        if not (isinstance(band, list) and len(band) == 2 and band[0] < band[1]):
            raise _fail(path, f"[criteria.{name}] band must be [low, high] with low < high")
        criteria.append(Criterion(
            name, item["description"], item["statistic"], item["from_year"], item["to_year"],
            item["change"], float(item["observed"]), float(band[0]), float(band[1]),
            item["source"], item.get("status", ""),
        ))  # fmt: skip
    return Decade(tuple(years), tuple(inputs), tuple(criteria), path)


def criteria_markdown(decade: Decade) -> str:
    """The pre-registered criteria as a Markdown table."""
    rows = ["| criterion | statistic | change | observed | passes if the median is in | source |",
            "|---|---|---|---|---|---|"]  # fmt: skip
    for c in decade.criteria:
        unit = "%" if c.change == "relative" else ""
        scale = 100 if c.change == "relative" else 1

        def shown(v: float, scale: float = scale, unit: str = unit) -> str:
            return f"{v * scale:+.3g}{unit}"

        rows.append(
            f"| {c.description} | `{c.statistic}` | {c.from_year} to {c.to_year}, "
            f"{c.change} | {shown(c.observed)} | {shown(c.low)} to {shown(c.high)} | "
            f"{c.source} ({c.status}) |"
        )
    return "\n".join(rows)


def inputs_markdown(decade: Decade) -> str:
    """The decade's inputs as a Markdown table, one row per driver."""
    rows = ["| input | kind | " + " | ".join(decade.years) + " | source |",
            "|---|---|" + "---|" * len(decade.years) + "---|"]  # fmt: skip
    for item in decade.inputs:
        values = " | ".join(f"{v:.3g}" for v in item.values)
        rows.append(f"| `{item.name}` | {item.kind} | {values} | {item.source} ({item.status}) |")
    return "\n".join(rows)
