"""A council in a comparison: who it is, how many live there, and its money in real terms.

A run of a council (``locality_table`` and ``local_authority``, see ``localities``) simulates
``locality_scale`` citizens per resident: at 0.01 one simulated citizen stands for a hundred
residents. Outcomes per head (life satisfaction, shares) do not depend on that resolution, but
the model's money and WELLBYs are sums over its citizens, so before they are reported they are
scaled to the council's residents as the table gives them (``in_real_terms``): each citizen's
pounds count for the residents it stands for. The resolution then changes only the noise of the
figures, not their size, and money is also given per resident.

WELLBYs count life satisfaction of adults (the ONS measure is of people aged 16 and over): when
the table has its age columns, of the residents aged 16+; otherwise of every resident, and the
report says so.

Fifths. A council's fifths are national (IMD deciles 1-2 the most deprived fifth) unless the
reader asks for local ones (``locality_fifths = "local"``). A national fifth with no
neighbourhood in the council is **empty**: its figures are left blank and said to be. A fifth
(or a neighbourhood) is **small** when it holds too few simulated citizens for its own mean to
be read: fewer than ``SMALL_FIFTH_CITIZENS`` citizens or ``SMALL_FIFTH_NEIGHBOURHOODS``
neighbourhoods for a fifth, fewer than ``SMALL_NEIGHBOURHOOD_CITIZENS`` citizens for a
neighbourhood. Small figures are shown, marked, never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from .localities import LocalityError, layout_of, locality_of
from .outcomes import MONEY_FLOWS, OUTCOME_NAMES

# Judgement, from the spread of individual well-being in the model (a standard deviation of
# about 1.5 life-satisfaction points): a mean over 200 citizens moves by about 0.1 points from
# chance alone, twice the smallest difference a report counts (0.05); a mean over 30 by about
# 0.3. A fifth of one or two neighbourhoods speaks for those places, not for a fifth.
SMALL_FIFTH_CITIZENS = 200
SMALL_FIFTH_NEIGHBOURHOODS = 3
SMALL_NEIGHBOURHOOD_CITIZENS = 30
# Money outcomes of a run's table: sums over the model's citizens, in GBP a month (or owed, at
# the month's end), with the money flows by who pays (``analysis.costs``, ``analysis.payers``).
MONEY_OUTCOMES = tuple(
    name for name in OUTCOME_NAMES
    if name.startswith(("spending_", "money_")) or name == "budget_available"
    or name in MONEY_FLOWS
)  # fmt: skip
LOCALITY_SETTINGS = ("locality_table", "local_authority", "locality_scale", "locality_fifths")
FIFTH_LABELS = {1: "least deprived fifth", 2: "fifth 2", 3: "fifth 3", 4: "fifth 4",
                5: "most deprived fifth"}  # fmt: skip


@dataclass(frozen=True)
class Council:
    """One council as a comparison reports it: its name and code, its residents as the table
    gives them (and the year of that population), the resolution it is simulated at, and the
    sizes of its fifths and neighbourhoods in the model."""

    name: str
    code: str
    table: str  # as the parameters name it: a shipped table's name or a path
    residents: float
    adults: float | None  # residents aged 16+, when the table has its age columns
    population_year: str
    table_year: str
    scale: float
    citizens: int
    fifths_kind: str
    fifths: pd.DataFrame  # one row per fifth 1 (least) ... 5 (most deprived)
    neighbourhoods: pd.DataFrame  # one row per neighbourhood (LSOA)
    ages: dict[str, float] | None = None  # shares of children, 16-59, 60+ (table's ages)
    figures: LocalFigures | None = None  # its own figures for the checks (--local-figures)

    @property
    def wellby_people(self) -> float:
        """The people whose life satisfaction WELLBYs count: residents aged 16+ if known."""
        return self.adults if self.adults is not None else self.residents

    @property
    def title(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name

    def population_words(self) -> str:
        """E.g. "123,456 residents (mid-2015 population, as in the table's 2019 districts)"."""
        year = f"mid-{self.population_year} population" if self.population_year else "population"
        table = f", {self.table_year} districts" if self.table_year else ""
        return f"{self.residents:,.0f} residents ({year} in the deprivation table{table})"

    def resolution_words(self, scaled: bool = True) -> str:
        """The resolution in words; ``scaled``: whether the money shown is in real terms."""
        factor = self.residents / self.citizens
        money = ("money and WELLBYs are scaled to the real population" if scaled else
                 f"the model's money is for its citizens: times {factor:,.0f} for the "
                 "council's residents")  # fmt: skip
        return (
            f"simulated at {self.scale:g} citizens per resident ({self.citizens:,} citizens in "
            f"{len(self.neighbourhoods):,} neighbourhoods, each citizen standing for "
            f"{factor:,.0f} residents); {money}"
        )

    def empty_fifths(self) -> list[int]:
        return self.fifths.loc[self.fifths["status"] == "empty", "fifth"].tolist()

    def small_fifths(self) -> list[int]:
        return self.fifths.loc[self.fifths["status"] == "small", "fifth"].tolist()

    def fifth_status(self, fifth: int) -> str:
        """'empty', 'small' or '' for fifth 1 (least) ... 5 (most deprived)."""
        return str(self.fifths.set_index("fifth").loc[fifth, "status"])

    def fifths_words(self) -> list[str]:
        """Sentences on empty and small fifths and small neighbourhoods (none when all is
        well), for the report and the terminal."""
        lines = []
        kind = "national" if self.fifths_kind == "national" else "local"
        empty = self.empty_fifths()
        if empty:
            named = ", ".join(f"{'the ' if q in (1, 5) else ''}{FIFTH_LABELS[q]} (IMD deciles "
                              f"{_deciles(q)})" for q in empty)  # fmt: skip
            lines.append(
                f"{self.name} has no neighbourhood in {named} of England: "
                f"{'its' if len(empty) == 1 else 'their'} figures are empty (shown as "
                "'none here'), not zero. Fifths are national so that councils compare on one "
                "scale; --fifths local ranks the council's own neighbourhoods instead."
                if kind == "national" else
                f"{self.name} has too few neighbourhoods for five local fifths: "
                f"{', '.join(FIFTH_LABELS[q] for q in empty)} empty."
            )  # fmt: skip
        small = self.fifths[self.fifths["status"] == "small"]
        if not small.empty:
            parts = "; ".join(
                f"{FIFTH_LABELS[int(r.fifth)]}: {int(r.citizens):,} citizens in "
                f"{int(r.neighbourhoods)} neighbourhood{'s' if r.neighbourhoods != 1 else ''}"
                for r in small.itertuples()
            )
            lines.append(
                f"Small samples (marked 'small'): {parts}. A fifth of fewer than "
                f"{SMALL_FIFTH_CITIZENS} simulated citizens or {SMALL_FIFTH_NEIGHBOURHOODS} "
                "neighbourhoods speaks for those few places; raise locality_scale (--scale) "
                "for a steadier figure."
            )
        tiny = int(self.neighbourhoods["small"].sum())
        if tiny:
            lines.append(
                f"{tiny:,} of {len(self.neighbourhoods):,} neighbourhoods hold fewer than "
                f"{SMALL_NEIGHBOURHOOD_CITIZENS} simulated citizens (marked in a comparison's "
                "neighbourhoods.csv): read the council and its fifths, not single "
                "neighbourhoods, at this resolution."
            )
        return lines

    def record(self) -> dict[str, Any]:
        """What a manifest keeps of the council."""
        return {
            "name": self.name, "code": self.code, "table": self.table,
            "residents": self.residents, "adults": self.adults,
            "population_year": self.population_year, "table_year": self.table_year,
            "scale": self.scale, "citizens": self.citizens, "fifths": self.fifths_kind,
            "empty_fifths": self.empty_fifths(), "small_fifths": self.small_fifths(),
            "local_figures": self.figures.record() if self.figures else None,
        }  # fmt: skip


STORED_FIELDS = ("name", "code", "table", "residents", "adults", "population_year",
                 "table_year", "scale", "citizens", "fifths_kind", "ages")  # fmt: skip


def stored(council: Council) -> dict[str, Any]:
    """What a comparison's results folder keeps of the council in report.json (its fifths and
    neighbourhoods go in CSVs, ``analysis.store``): enough to draw its report again without
    the deprivation table or the file of its own figures (named by file name only)."""
    out = {k: getattr(council, k) for k in STORED_FIELDS}
    out["table"] = council.table.replace("\\", "/").rsplit("/", 1)[-1]
    if council.figures is not None:
        f = council.figures
        out["local_figures"] = {"file": f.path.replace("\\", "/").rsplit("/", 1)[-1],
                                "council": f.council,
                                "figures": [dict(g.__dict__) for g in f.figures]}  # fmt: skip
    return out


def from_stored(data: dict[str, Any], fifths: pd.DataFrame, hoods: pd.DataFrame) -> Council:
    """The council as ``stored`` kept it, with its fifths and neighbourhoods read back from
    their CSVs (blank status: reported; ``small`` marked 'small')."""
    figures = data.get("local_figures")
    return Council(
        **{k: data[k] for k in STORED_FIELDS},
        fifths=fifths.assign(status=fifths["status"].fillna("").astype(str)),
        neighbourhoods=hoods.assign(small=hoods["small"].fillna("").eq("small")),
        figures=LocalFigures(figures["file"], figures["council"],
                             tuple(LocalFigure(**g) for g in figures["figures"]))
        if figures else None,
    )  # fmt: skip


def _deciles(fifth: int) -> str:
    """The national IMD deciles of fifth 1 (least deprived: 9-10) ... 5 (most: 1-2)."""
    return f"{11 - 2 * fifth}-{12 - 2 * fifth}"


def council_of(params: Any) -> Council | None:
    """The council that parameters name (None without a ``locality_table``)."""
    if not params["locality_table"]:
        return None
    return _council(*(params[k] for k in LOCALITY_SETTINGS), params["older_share"],
                    params["young_share"])  # fmt: skip


@lru_cache(maxsize=1024)
def _council(table, authority, scale, fifths_kind, older_share, young_share) -> Council:
    locality = locality_of(table, authority)
    layout = layout_of(locality, scale, fifths_kind, older_share, young_share)
    fifth = layout.quintile + 1  # 1 least ... 5 most deprived, as wellbeing_fifth_<k>
    hoods = pd.DataFrame({
        "lsoa": locality.codes, "residents": locality.population, "citizens": layout.sizes,
        "imd_decile": locality.decile, "fifth": fifth,
        "small": layout.sizes < SMALL_NEIGHBOURHOOD_CITIZENS,
    })  # fmt: skip
    rows = []
    for q in range(1, 6):
        part = hoods[hoods["fifth"] == q]
        citizens, count = int(part["citizens"].sum()), len(part)
        status = ("empty" if count == 0 else "small" if citizens < SMALL_FIFTH_CITIZENS
                  or count < SMALL_FIFTH_NEIGHBOURHOODS else "")  # fmt: skip
        rows.append({"fifth": q, "label": FIFTH_LABELS[q],
                     "imd_deciles": _deciles(q) if fifths_kind == "national" else "local",
                     "neighbourhoods": count, "residents": float(part["residents"].sum()),
                     "citizens": citizens, "status": status})  # fmt: skip
    ages = adults = None
    if locality.ages is not None:
        totals = locality.ages.sum(axis=1)
        ages = dict(zip(("children", "aged_16_59", "aged_60_plus"),
                        (totals / totals.sum()).tolist(), strict=True))  # fmt: skip
        adults = float(totals[1] + totals[2])
    return Council(
        name=locality.local_authority, code=locality.authority_code, table=str(table),
        residents=locality.residents, adults=adults,
        population_year=locality.population_year, table_year=locality.table_year,
        scale=float(scale), citizens=int(layout.sizes.sum()), fifths_kind=fifths_kind,
        fifths=pd.DataFrame(rows), neighbourhoods=hoods, ages=ages,
    )  # fmt: skip


def in_real_terms(table: pd.DataFrame, council: Council) -> pd.DataFrame:
    """A run's outcome table with its money scaled from the model's citizens to the council's
    residents (each citizen's pounds count for the residents it stands for)."""
    factor = council.residents / council.citizens
    money = [c for c in MONEY_OUTCOMES if c in table.columns]
    return table.assign(**{c: table[c] * factor for c in money})


def per_resident(appraisal: pd.DataFrame, council: Council) -> pd.DataFrame:
    """The value-for-money table with every money figure (extra cost, net values) also per
    resident over the whole run, in ``..._per_resident`` columns."""
    if appraisal.empty:
        return appraisal
    money = [c for c in appraisal.columns
             if c.startswith(("extra_cost_", "net_")) and not c.endswith("_positive")]  # fmt: skip
    return appraisal.assign(**{f"{c}_per_resident": appraisal[c] / council.residents
                               for c in money})  # fmt: skip


def locality_settings(params: Any) -> dict[str, Any]:
    """The settings that make a run a council's (table, authority, scale, fifths)."""
    return {k: params[k] for k in LOCALITY_SETTINGS}


def shared_council(scenarios: list[Any]) -> dict[str, Any] | None:
    """The council a comparison's scenarios name (each scenario file may name one): None when
    none does; its settings when those that do agree, to apply to every scenario. Scenarios
    naming different councils or tables raise ``LocalityError``."""
    named = [(s, locality_settings(s.params)) for s in scenarios if s.params["locality_table"]]
    if not named:
        return None
    first, settings = named[0]
    for other, theirs in named[1:]:
        if theirs != settings:
            key = next(k for k in LOCALITY_SETTINGS if theirs[k] != settings[k])
            raise LocalityError(
                f"{other.path}: {key} = {theirs[key]!r}, but {first.path} sets "
                f"{settings[key]!r}: a comparison is of one council; give it once with "
                "--council and --table"
            )
    return settings


def council_words(council: Council, scaled: bool = True) -> str:
    """The council in one line for the terminal (``scaled``: money shown in real terms)."""
    return (f"{council.title}: {council.population_words()}; "
            f"{council.resolution_words(scaled)}")  # fmt: skip


# --- the council's own figures ---------------------------------------------------------------
WHY_NATIONAL = (
    "A council may differ from England's averages for reasons the model's council shares only "
    "in part (its age mix and its neighbourhoods' deprivation are in the model; its rurality, "
    "history and services are not), and a survey's estimate for one council has a wider margin "
    "than England's: a national figure missed is a question for this council, not by itself a "
    "fault of the model."
)


@dataclass(frozen=True)
class LocalFigure:
    """One of the council's own figures, replacing the national target of the same name."""

    target: str  # the name of the national target it replaces (targets.toml)
    value: float
    low: float
    high: float
    source: str
    year: str = ""


@dataclass(frozen=True)
class LocalFigures:
    """A council's own figures (``--local-figures FILE``): they replace the national targets
    of the same names in that council's checks of its baseline."""

    path: str
    council: str  # as the file names it ("" when it does not)
    figures: tuple[LocalFigure, ...]

    def record(self) -> dict[str, Any]:
        return {"file": self.path, "council": self.council,
                "figures": [f.__dict__ for f in self.figures]}  # fmt: skip


def national_targets() -> list[Any]:
    """The shipped national targets a baseline is checked against (fit or held out)."""
    from .calibration.targets import load_targets
    from .shipped import shipped_folder

    targets = load_targets(shipped_folder("data") / "targets.toml")
    return [t for t in targets if t.role != "inactive"]


def load_local_figures(path: str, council: Council) -> LocalFigures:
    """Read a council's own figures (TOML)::

        council = "Brindleford"               # optional: must be the council compared
        [life_satisfaction_mean]              # the name of a national target (targets.toml)
        value = 7.3                           # the council's figure, on the target's scale
        band = [7.1, 7.5]                     # optional: default the value +/- the national
                                              # band's half-width
        source = "ONS, Personal well-being estimates by local authority, APS 2018/19"
        year = "2018/19"                      # optional

    Raise ``ScenarioError`` naming the file, the key and what is allowed."""
    from .inputs import read_toml
    from .messages import ScenarioError, unknown_name

    fail = lambda message: ScenarioError(f"{path}: {message}")  # noqa: E731
    data = dict(read_toml(path, "file of local figures"))
    national = {t.name: t for t in national_targets()}
    named = data.pop("council", "")
    if not isinstance(named, str):
        raise fail(f"council = {named!r} is not allowed: expected a name in quotes")
    if named and named.strip().casefold() not in (council.name.casefold(),
                                                  council.code.casefold()):  # fmt: skip
        raise fail(f"council = {named!r}, but the comparison is of {council.title}: "
                   "give the figures of the council compared")  # fmt: skip
    if not data:
        raise fail("holds no figures: add a table such as [life_satisfaction_mean] with "
                   "value and source")  # fmt: skip
    figures = []
    for name, item in data.items():
        if name not in national:
            raise fail(unknown_name(name, national, "national figure"))
        target = national[name]
        if not isinstance(item, dict):
            raise fail(f"'{name}' must be a table [{name}] with value and source")
        unknown = set(item) - {"value", "band", "source", "year"}
        if unknown:
            raise fail(f"[{name}] unknown key '{sorted(unknown)[0]}' (allowed: value, band, "
                       "source, year)")  # fmt: skip
        value = item.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail(f"[{name}] value = {value!r} is not allowed: expected a number on the "
                       f"scale of '{target.description}' (England: {target.value:g})")  # fmt: skip
        band = item.get("band", [value - target.half_band, value + target.half_band])
        if (not isinstance(band, list) or len(band) != 2 or
                not all(isinstance(b, int | float) and not isinstance(b, bool) for b in band)
                or not band[0] <= value <= band[1] or not band[0] < band[1]):  # fmt: skip
            raise fail(f"[{name}] band = {band!r} is not allowed: expected [low, high] around "
                       f"value {value:g}")  # fmt: skip
        source = item.get("source")
        if not isinstance(source, str) or not source.strip():
            raise fail(f"[{name}] source is missing: say where the figure comes from (e.g. "
                       "the ONS release and its year)")  # fmt: skip
        year = item.get("year", "")
        figures.append(LocalFigure(name, float(value), float(band[0]), float(band[1]),
                                   source.strip(), str(year)))  # fmt: skip
    return LocalFigures(str(path), named, tuple(figures))


def council_targets(figures: LocalFigures | None) -> tuple[list[Any], set[str]]:
    """The targets a council's baseline is checked against: its own figures where it gave
    them, the national ones elsewhere; and the names of those that are its own."""
    from dataclasses import replace

    targets = national_targets()
    own = {f.target: f for f in figures.figures} if figures else {}
    out = [
        replace(t, value=own[t.name].value, low=own[t.name].low, high=own[t.name].high,
                series="the council's own figure", source=own[t.name].source)
        if t.name in own else t
        for t in targets
    ]  # fmt: skip
    return out, set(own)
