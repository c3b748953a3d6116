"""Localities from data: neighbourhoods, their sizes and deprivation from an IoD table.

A council analyst already has the English Indices of Deprivation file (one row per LSOA, the
small areas of about 1,500 residents that the indices rank). This module reads such a table as
it is downloaded, keeps the rows of one local authority, and turns them into the model's
neighbourhoods: one neighbourhood per LSOA, with a number of citizens proportional to its
population (at 1:1 or a chosen scale) and its national deprivation.

Column names are those of the official files, matched by their stable beginning so that
vintages differ only in the year in brackets (IoD2019 File 7: ``LSOA code (2011)``,
``Local Authority District name (2019)``, ``Index of Multiple Deprivation (IMD) Decile (where 1
is most deprived 10% of LSOAs)``, ``Total population: mid 2015 (excluding prisoners)``, and the
age columns ``Dependent Children aged 0-15``, ``Population aged 16-59`` and ``Older population
aged 60 and over``; the IoD2025 files name 2021 LSOAs and a mid-2022 population). Short names
(``lsoa_code``, ``local_authority``, ``population``, ``imd_decile``, ``imd_rank``,
``imd_score``, ``aged_0_15``, ``aged_16_59``, ``aged_60_plus``) are accepted too, for tables
made by hand. A table may be gzip-compressed (``.csv.gz``).

Deprivation in the model runs from 0 (least) to 1 (most deprived) and is national, so a run of
Knowsley and a run of Wokingham sit on the same scale: it is taken from the national IMD rank
when the table has one (32,844 LSOAs in IoD2019), else from the decile (the middle of the
decile's tenth). Neighbourhood fifths follow the national deciles (deciles 1-2 are the most
deprived fifth), so a council with no neighbourhood in deciles 9-10 has no least deprived fifth:
its figures are empty, and said to be (``Locality.missing_fifths``). ``local`` fifths rank a
council's own neighbourhoods instead (each fifth about a fifth of its residents).

Every problem in the rows used (a missing column, a value that is not a number, a decile
outside 1-10, a rank outside 1-32,844 or at odds with its decile, a negative population, ages
that do not add up to it, a duplicated LSOA, an unknown local authority) is found before any
work and raised as one ``LocalityError``, one line naming the file, the column and row of the
first case of each problem, how many rows share it, and what is allowed. Nothing here touches
the model: the result is plain arrays that the model's set-up takes.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

N_LSOA_ENGLAND = 32_844  # LSOAs ranked in IoD2015 and IoD2019 (MHCLG IoD2019 release)
FIFTHS = ("national", "local")  # how neighbourhoods are grouped into deprivation fifths
AGE_ROLES = ("children", "working", "older")

# Column roles: the beginnings of the official names, then the short names accepted.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "code": (("LSOA code",), ("lsoa_code", "lsoa")),
    "name": (("LSOA name",), ("lsoa_name",)),
    "la_code": (("Local Authority District code",), ("la_code", "lad_code")),
    "la_name": (("Local Authority District name",), ("local_authority", "la_name", "lad_name")),
    "population": (("Total population",), ("population",)),
    "decile": (("Index of Multiple Deprivation (IMD) Decile",), ("imd_decile", "decile")),
    "rank": (("Index of Multiple Deprivation (IMD) Rank",), ("imd_rank", "rank")),
    "score": (("Index of Multiple Deprivation (IMD) Score",), ("imd_score", "score")),
    "children": (("Dependent Children aged 0-15",), ("aged_0_15", "children")),
    "working": (("Population aged 16-59",), ("aged_16_59",)),
    "older": (("Older population aged 60 and over",), ("aged_60_plus", "older")),
}
REQUIRED = ("code", "population")
# The columns of IoD2019 File 7 the model reads, named as the official file names them (the
# file has more: domain scores, ranks and deciles), in its order.
FILE7_COLUMNS = (
    "LSOA code (2011)", "LSOA name (2011)", "Local Authority District code (2019)",
    "Local Authority District name (2019)", "Index of Multiple Deprivation (IMD) Score",
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
    "Total population: mid 2015 (excluding prisoners)",
    "Dependent Children aged 0-15: mid 2015 (excluding prisoners)",
    "Population aged 16-59: mid 2015 (excluding prisoners)",
    "Older population aged 60 and over: mid 2015 (excluding prisoners)",
)  # fmt: skip


class LocalityError(ValueError):
    """A deprivation table cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Locality:
    """The neighbourhoods of one local authority, read from a deprivation table.

    ``population`` is the residents of each LSOA as the table gives them; ``deprivation`` is
    national, in (0, 1) with 1 the most deprived; ``decile`` is the national IMD decile
    (1 = most deprived 10%). ``older_ratio`` (when the table has its age columns) is each
    LSOA's share of people aged 60+ among those aged 16+, over that share in the whole table
    (England's, in the national file): 1 where the LSOA is like the table as a whole."""

    source: Path
    local_authority: str
    codes: tuple[str, ...]
    population: np.ndarray
    decile: np.ndarray
    deprivation: np.ndarray
    authority_code: str = ""
    population_column: str = ""  # as the table names it, e.g. "Total population: mid 2015 ..."
    authority_column: str = ""  # e.g. "Local Authority District name (2019)"
    ages: np.ndarray | None = None  # (3, H): children 0-15, 16-59, 60+ per LSOA, if given
    older_ratio: np.ndarray | None = None

    @property
    def n_neighbourhoods(self) -> int:
        return len(self.codes)

    @property
    def residents(self) -> float:
        """Residents of the whole authority, as the table gives them."""
        return float(self.population.sum())

    @property
    def population_year(self) -> str:
        """The year of the population figures, read from the column name ("mid 2015"), or ""."""
        found = re.search(r"mid[- ]?(\d{4})", self.population_column, re.IGNORECASE)
        return found.group(1) if found else ""

    @property
    def table_year(self) -> str:
        """The year in brackets of the authority column (IoD2019: "(2019)"), or ""."""
        found = re.search(r"\((\d{4})\)", self.authority_column)
        return found.group(1) if found else ""

    @property
    def quintile(self) -> np.ndarray:
        """National fifth of each neighbourhood: 0 least deprived ... 4 most deprived."""
        return 4 - (self.decile - 1) // 2

    def local_quintile(self) -> np.ndarray:
        """Fifth of each neighbourhood among the authority's own (0 least ... 4 most deprived):
        neighbourhoods ordered by national deprivation, each in the fifth of the authority's
        residents that holds its middle resident, so each fifth holds about a fifth of them."""
        order = np.argsort(self.deprivation, kind="stable")  # least deprived first
        people = self.population[order]
        middle = (np.cumsum(people) - people / 2) / max(people.sum(), 1e-300)
        fifths = np.empty(len(order), dtype=np.int64)
        fifths[order] = np.minimum((middle * 5).astype(np.int64), 4)
        return fifths

    def fifths(self, kind: str = "national") -> np.ndarray:
        """The ``national`` or ``local`` fifth of each neighbourhood (0 least deprived)."""
        if kind not in FIFTHS:
            raise LocalityError(f"fifths = {kind!r} is not allowed: expected one of {FIFTHS}")
        return self.quintile if kind == "national" else self.local_quintile()

    @property
    def missing_fifths(self) -> list[int]:
        """National fifths (1 least ... 5 most deprived) with no neighbourhood here."""
        present = set((self.quintile + 1).tolist())
        return [q for q in range(1, 6) if q not in present]

    def sizes(self, scale: float = 1.0, minimum: int = 1) -> np.ndarray:
        """Citizens per neighbourhood at ``scale`` citizens per resident (1.0 = one citizen per
        resident), rounded so that the total is the rounded scaled population (largest
        remainders) and no neighbourhood has fewer than ``minimum`` citizens."""
        if not np.isfinite(scale) or scale <= 0:
            raise LocalityError(f"scale = {scale!r} is not allowed: expected a number above 0")
        return apportion(self.population * scale, minimum)


def apportion(quotas: np.ndarray, minimum: int = 1) -> np.ndarray:
    """Whole numbers close to ``quotas`` whose sum is ``round(sum(quotas))`` (largest remainder
    method), each at least ``minimum``; ties go to the earlier entry, so it is deterministic."""
    quotas = np.asarray(quotas, dtype=float)
    total = max(round(float(quotas.sum())), minimum * len(quotas))
    counts = np.floor(quotas).astype(np.int64)
    short = total - int(counts.sum())
    if short > 0:
        order = np.argsort(-(quotas - counts), kind="stable")
        counts[order[:short]] += 1
    counts = np.maximum(counts, minimum)
    excess = int(counts.sum()) - total
    while excess > 0:  # only after raising tiny areas to the minimum: take from the largest
        j = int(np.argmax(counts))
        take = min(excess, int(counts[j]) - minimum)
        counts[j] -= take
        excess -= take
    return counts


def _find_columns(columns: list[str], where: str) -> dict[str, str]:
    """Map each role to the table's column name, preferring the official names."""
    found: dict[str, str] = {}
    lowered = {c.strip().lower(): c for c in columns}
    for role, (prefixes, short) in COLUMNS.items():
        match = next(
            (c for c in columns if any(c.strip().startswith(p) for p in prefixes)), None
        ) or next((lowered[s] for s in short if s in lowered), None)
        if match is not None:
            found[role] = match
    missing = [r for r in REQUIRED if r not in found]
    if "decile" not in found and "rank" not in found:
        missing.append("decile")
    if missing:
        names = ", ".join(f"'{COLUMNS[r][0][0]}...' (or '{COLUMNS[r][1][0]}')" for r in missing)
        raise LocalityError(f"{where}: missing column {names}")
    ages = [r for r in AGE_ROLES if r in found]
    if ages and len(ages) < len(AGE_ROLES):
        absent = [f"'{COLUMNS[r][0][0]}...'" for r in AGE_ROLES if r not in found]
        raise LocalityError(
            f"{where}: has {', '.join(repr(found[r]) for r in ages)} but not "
            f"{', '.join(absent)}: give all three age columns or none"
        )
    return found


def _check_readable(path: Path) -> None:
    where = str(path)
    if not path.is_file():
        raise LocalityError(f"{where}: no such deprivation table")
    if path.suffix.lower() in (".xlsx", ".xls", ".ods"):
        raise LocalityError(
            f"{where}: a spreadsheet; save the sheet as CSV (the IoD files are also published "
            "as CSV, e.g. IoD2019 File 7)"
        )


def _read_csv(path: Path, **options) -> pd.DataFrame:
    try:
        return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False,
                           **options)  # fmt: skip
    except UnicodeDecodeError:
        raise LocalityError(f"{path}: not UTF-8 text; save it as CSV in UTF-8") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError, EOFError) as err:
        message = " ".join(str(err).split())
        raise LocalityError(f"{path}: not a readable CSV table: {message}") from None


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a deprivation table, every column as text (CSV, UTF-8 with or without a
    byte-order mark, plain or gzip-compressed)."""
    path = Path(path)
    _check_readable(path)
    return _read_csv(path)


@dataclass(frozen=True)
class Table:
    """The columns of a deprivation table the model uses, checked, for every row: one
    ``Table`` per file is read once per process (``table_of``), however many councils."""

    path: Path
    columns: dict[str, str]  # role -> the table's column name
    rows: pd.DataFrame  # the role columns as text, index = row number in the file - 2
    older_share_all: float  # share of 60+ among 16+ over the whole table (NaN: no ages)
    lookup: dict[str, np.ndarray]  # an authority's name or code, case-folded -> its rows

    @property
    def authority_names(self) -> pd.Series:
        return self.rows[self.columns["la_name"]].str.strip()


@lru_cache(maxsize=4)
def _table_cached(path: str, modified: float) -> Table:
    source = Path(path)
    _check_readable(source)
    header = list(_read_csv(source, nrows=0).columns)
    columns = _find_columns(header, path)
    rows = _read_csv(source, usecols=list(columns.values()))
    if rows.empty:
        raise LocalityError(f"{path}: the table has no rows")
    share = float("nan")
    if "older" in columns:
        problems = _Problems(path)
        working = _numbers(rows, columns["working"], problems, whole=False)
        older = _numbers(rows, columns["older"], problems, whole=False)
        if not problems and (working + older).sum() > 0:
            share = float(older.sum() / (working + older).sum())
    lookup: dict[str, np.ndarray] = {}
    for role in ("la_name", "la_code"):
        if role in columns:
            keys = rows[columns[role]].str.strip().str.casefold()
            for key, where in keys.groupby(keys, sort=False).indices.items():
                lookup.setdefault(key, where)
    return Table(source, columns, rows, share, lookup)


def table_of(path: str | Path) -> Table:
    """The deprivation table at ``path``, its columns found and read once per process (a
    changed file is read again)."""
    source = Path(path)
    modified = source.stat().st_mtime if source.is_file() else 0.0
    return _table_cached(str(source), modified)


class _Problems:
    """Every problem found in a table, reported together in one line."""

    def __init__(self, where: str):
        self.where, self.items = where, []

    def add(self, column: str, rows: np.ndarray, first: str, allowed: str) -> None:
        """``rows``: file row numbers with the problem; ``first``: the first one in words."""
        more = len(rows) - 1
        also = f" ({more} more row{'s' if more > 1 else ''} like it)" if more > 0 else ""
        self.items.append(f"column '{column}', row {int(rows[0])}: {first}{also}; {allowed}")

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_any(self) -> None:
        if not self.items:
            return
        head = f"{len(self.items)} problems: " if len(self.items) > 1 else ""
        raise LocalityError(f"{self.where}: {head}" + " | ".join(self.items))


def _file_rows(table: pd.DataFrame, mask: np.ndarray) -> np.ndarray:
    return table.index.to_numpy()[mask] + 2  # header on line 1, first row on line 2


def _numbers(table: pd.DataFrame, column: str, problems: _Problems, whole: bool) -> np.ndarray:
    """The column as numbers (thousands commas allowed); bad cells are problems (and NaN)."""
    text = table[column].str.replace(",", "", regex=False).str.strip()
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (whole & (values != np.round(values)))
    if bad.any():
        kind = "a whole number" if whole else "a number"
        first = table[column].to_numpy()[bad][0]
        problems.add(column, _file_rows(table, bad), f"{first!r} is not {kind}",
                     f"expected {kind}")  # fmt: skip
        values = np.where(bad, np.nan, values)
    return values


def _check_range(table, column, values, low, high, what, allowed, problems) -> None:
    bad = np.isfinite(values) & ((values < low) | (values > high))
    if bad.any():
        problems.add(column, _file_rows(table, bad), f"{what} {values[bad][0]:g} is not allowed",
                     f"expected {allowed}")  # fmt: skip


def _pick_authority(table: Table, wanted: str | None, where: str) -> tuple[np.ndarray, str]:
    """A mask of the wanted local authority's rows (by name or code, any case)."""
    cols = table.columns
    rows = table.rows
    la_cols = [cols[r] for r in ("la_name", "la_code") if r in cols]
    everything = np.ones(len(rows), dtype=bool)
    if not la_cols:
        if wanted:
            raise LocalityError(
                f"{where}: local_authority = {wanted!r} asked for, but the table has no "
                "'Local Authority District name' or code column"
            )
        return everything, "(whole table)"
    names = rows[la_cols[0]].str.strip()
    if wanted is None:
        distinct = sorted(set(names))
        if len(distinct) == 1:
            return everything, distinct[0]
        raise LocalityError(
            f"{where}: holds {len(distinct)} local authorities; choose one with local_authority "
            f"(one of {', '.join(distinct[:8])}{', ...' if len(distinct) > 8 else ''})"
        )
    mask = np.zeros(len(rows), dtype=bool)
    mask[table.lookup.get(wanted.strip().casefold(), [])] = True
    if not mask.any():
        distinct = sorted(set(names))
        close = difflib.get_close_matches(wanted, distinct, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "one of " + ", ".join(distinct[:8])
        raise LocalityError(f"{where}: local_authority = {wanted!r} is not in the table: {hint}")
    return mask, str(names[mask].iloc[0])


def check_rows(table: Table, rows: pd.DataFrame, where: str) -> dict[str, np.ndarray]:
    """Check ``rows`` of ``table`` and return their values by role (codes, population,
    decile, deprivation, ages); raise one LocalityError listing every problem found."""
    cols, problems = table.columns, _Problems(where)
    codes = rows[cols["code"]].str.strip()
    duplicated = codes.duplicated(keep="first").to_numpy()
    if duplicated.any():
        problems.add(cols["code"], _file_rows(rows, duplicated),
                     f"LSOA {codes[duplicated].iloc[0]!r} appears more than once",
                     "expected each LSOA once")  # fmt: skip
    population = _numbers(rows, cols["population"], problems, whole=False)
    _check_range(rows, cols["population"], population, 0, np.inf, "population",
                 "0 or more residents", problems)  # fmt: skip
    rank = decile = None
    if "rank" in cols:
        rank = _numbers(rows, cols["rank"], problems, whole=True)
        _check_range(rows, cols["rank"], rank, 1, N_LSOA_ENGLAND, "rank",
                     f"1 to {N_LSOA_ENGLAND:,} (1 = most deprived)", problems)  # fmt: skip
    if "decile" in cols:
        decile = _numbers(rows, cols["decile"], problems, whole=True)
        _check_range(rows, cols["decile"], decile, 1, 10, "decile",
                     "a whole number from 1 to 10 (1 = most deprived)", problems)  # fmt: skip
    if rank is not None and decile is not None:  # a decile's ranks, give or take one at its ends
        implied = _decile_of(rank)
        tenth = N_LSOA_ENGLAND / 10
        bad = (rank < (decile - 1) * tenth - 1) | (rank > decile * tenth + 1)
        bad &= (rank >= 1) & (rank <= N_LSOA_ENGLAND) & (decile >= 1) & (decile <= 10)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            problems.add(cols["decile"], _file_rows(rows, bad),
                         f"decile {decile[i]:g} is at odds with rank {rank[i]:,.0f}",
                         f"expected decile {implied[i]:g} (national tenths of "
                         f"{N_LSOA_ENGLAND:,} ranks)")  # fmt: skip
    ages = None
    if "older" in cols:
        ages = np.vstack([_numbers(rows, cols[r], problems, whole=False) for r in AGE_ROLES])
        for k, role in enumerate(AGE_ROLES):
            _check_range(rows, cols[role], ages[k], 0, np.inf, "count", "0 or more", problems)
        total = ages.sum(axis=0)
        off = np.isfinite(total) & np.isfinite(population)
        off &= np.abs(total - population) > np.maximum(2.0, 0.01 * population)
        if off.any():
            i = int(np.flatnonzero(off)[0])
            problems.add(cols["population"], _file_rows(rows, off),
                         f"the three age columns add up to {total[i]:,.0f}, not "
                         f"{population[i]:,.0f}",
                         "expected children, 16-59 and 60+ to add up to the total population "
                         "(within 1%)")  # fmt: skip
    problems.raise_any()
    if rank is not None:
        deprivation = 1.0 - (rank - 0.5) / N_LSOA_ENGLAND
        if decile is None:
            decile = _decile_of(rank)
    else:
        deprivation = 1.0 - (decile - 0.5) / 10.0
    return {"codes": codes.to_numpy(), "population": population,
            "decile": decile.astype(np.int64), "deprivation": deprivation,
            "ages": ages}  # fmt: skip


def _decile_of(rank: np.ndarray) -> np.ndarray:
    """The national decile of each IMD rank (1 = the most deprived tenth of LSOAs)."""
    return np.clip(np.ceil(rank * 10 / N_LSOA_ENGLAND), 1, 10)


def load_locality(path: str | Path, local_authority: str | None = None) -> Locality:
    """Read ``path`` and return the neighbourhoods of ``local_authority`` (a name or a code as
    the table spells it, any case; optional when the table holds one authority)."""
    path = Path(path)
    where = str(path)
    table = table_of(path)
    mask, authority = _pick_authority(table, local_authority, where)
    rows = table.rows[mask]
    values = check_rows(table, rows, where)
    if values["population"].sum() <= 0:
        raise LocalityError(f"{where}: {authority} has no residents (all populations are 0)")
    cols = table.columns
    code = rows[cols["la_code"]].iloc[0].strip() if "la_code" in cols else ""
    older_ratio = None
    if values["ages"] is not None and table.older_share_all > 0:
        _, working, older = values["ages"]
        adults = working + older
        share = np.divide(older, adults, out=np.full(len(adults), table.older_share_all),
                          where=adults > 0)  # fmt: skip
        older_ratio = share / table.older_share_all
    return Locality(
        source=path,
        local_authority=authority,
        codes=tuple(values["codes"]),
        population=values["population"],
        decile=values["decile"],
        deprivation=values["deprivation"],
        authority_code=code,
        population_column=cols["population"],
        authority_column=cols.get("la_name", ""),
        ages=values["ages"],
        older_ratio=older_ratio,
    )


def authorities(path: str | Path) -> pd.DataFrame:
    """Every local authority of a table, in the table's order: name, code (if the table has
    one), LSOAs and residents; the whole table is checked first (every problem in one line)."""
    path = Path(path)
    table = table_of(path)
    values = check_rows(table, table.rows, str(path))
    if "la_name" not in table.columns:
        raise LocalityError(f"{path}: has no 'Local Authority District name' column, so its "
                            "councils cannot be told apart")  # fmt: skip
    frame = pd.DataFrame({
        "council": table.authority_names.to_numpy(),
        "code": (table.rows[table.columns["la_code"]].str.strip().to_numpy()
                 if "la_code" in table.columns else ""),
        "residents": values["population"], "lsoas": 1,
    })  # fmt: skip
    grouped = frame.groupby("council", sort=False)
    return pd.DataFrame({
        "council": list(grouped.groups),
        "code": grouped["code"].first().to_numpy(),
        "lsoas": grouped["lsoas"].sum().to_numpy(),
        "residents": grouped["residents"].sum().to_numpy(),
    })  # fmt: skip


def find_table(name: str | Path, beside: Path | None = None) -> Path:
    """The deprivation table a scenario names: a path relative to ``beside`` (the scenario's
    folder) or the working folder, else the shipped table of that name
    (``shipped/data/localities``), else the name as given (its own "no such table" error)."""
    from .shipped import shipped_folder

    given = Path(name)
    candidates = [beside / given] if beside is not None and not given.is_absolute() else []
    candidates += [given, shipped_folder("data") / "localities" / given.name]
    return next((c for c in candidates if c.is_file()), given)


@lru_cache(maxsize=512)
def _cached(path: str, local_authority: str | None, modified: float) -> Locality:
    return load_locality(path, local_authority)


def locality_of(table: str, local_authority: str = "") -> Locality:
    """``load_locality`` of a scenario's ``locality_table`` and ``local_authority``, found as
    ``find_table`` finds it and read once per process (many runs of one council read the table
    once; a changed file is read again)."""
    path = find_table(table)
    modified = path.stat().st_mtime if path.is_file() else 0.0
    return _cached(str(path), local_authority or None, modified)


@dataclass(frozen=True)
class Layout:
    """The model's neighbourhoods: citizens in each, national deprivation in (0, 1) (1 = most
    deprived), the fifth each is reported in (0 least ... 4 most deprived) and, when the table
    has its age columns, the share of citizens aged 65+ in each (else None: the scenario's
    ``older_share`` everywhere)."""

    sizes: np.ndarray
    deprivation: np.ndarray
    quintile: np.ndarray
    older_share: np.ndarray | None = None


def layout_of(
    locality: Locality,
    scale: float,
    fifths: str = "national",
    older_share: float | None = None,
    young_share: float = 0.0,
) -> Layout:
    """The neighbourhoods of ``locality`` at ``scale`` citizens per resident, reported in
    ``national`` or ``local`` fifths. With ``older_share`` (the scenario's share of citizens
    aged 65+, read as the share in the table as a whole) and age columns in the table, each
    neighbourhood's share of older citizens is that share times its ``older_ratio`` (capped so
    that young and older citizens fit): a council older than the table has more older citizens,
    and more need (the model's need grows fastest among them). The table counts 60+ and the
    model 65+: the ratio, not the level, is taken from the table."""
    older = None
    if older_share is not None and locality.older_ratio is not None:
        older = np.clip(older_share * locality.older_ratio, 0.0, 1.0 - young_share)
    return Layout(locality.sizes(scale), locality.deprivation.copy(),
                  locality.fifths(fifths).copy(), older)  # fmt: skip


def layout_for(p) -> Layout:
    """The layout of the locality that parameters ``p`` name (``locality_table``,
    ``local_authority``, ``locality_scale``, ``locality_fifths``, the age shares)."""
    locality = locality_of(p.locality_table, p.local_authority)
    return layout_of(locality, p.locality_scale, p.locality_fifths, p.older_share, p.young_share)


def shipped_table_name(path: Path) -> str | None:
    """The short name of ``path`` if it is a shipped table (kept short in parameters, so a run
    finds it on any machine), else None."""
    from .shipped import shipped_folder

    folder = shipped_folder("data") / "localities"
    try:
        same = path.is_file() and path.resolve().parent == folder.resolve()
    except OSError:
        return None
    return path.name if same else None
