"""Localities from data: neighbourhoods, their sizes and deprivation from an IoD table.

A council analyst already has the English Indices of Deprivation file (one row per LSOA, the
small areas of about 1,500 residents that the indices rank). This module reads such a table as
it is downloaded, keeps the rows of one local authority, and turns them into the model's
neighbourhoods: one neighbourhood per LSOA, with a number of citizens proportional to its
population (at 1:1 or a chosen scale) and its national deprivation.

Column names are those of the official files, matched by their stable beginning so that
vintages differ only in the year in brackets (IoD2019 File 7: ``LSOA code (2011)``,
``Local Authority District name (2019)``, ``Index of Multiple Deprivation (IMD) Decile (where 1
is most deprived 10% of LSOAs)``, ``Total population: mid 2015 (excluding prisoners)``; the
IoD2025 files name 2021 LSOAs and a mid-2022 population). Short names (``lsoa_code``,
``local_authority``, ``population``, ``imd_decile``, ``imd_rank``, ``imd_score``) are accepted
too, for tables made by hand.

Deprivation in the model runs from 0 (least) to 1 (most deprived) and is national, so a run of
Knowsley and a run of Wokingham sit on the same scale: it is taken from the national IMD rank
when the table has one (32,844 LSOAs in IoD2019), else from the decile (the middle of the
decile's tenth). Neighbourhood quintiles follow the national deciles (deciles 1-2 are the most
deprived fifth).

Every problem (no such file, a missing column, a decile outside 1-10, a negative or missing
population, a duplicated LSOA, an unknown local authority) raises ``LocalityError`` naming the
file, the column or row, and what is allowed. Nothing here touches the model: the result is
plain arrays that the model's set-up takes.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

N_LSOA_ENGLAND = 32_844  # LSOAs ranked in IoD2015 and IoD2019 (MHCLG IoD2019 release)

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
}
REQUIRED = ("code", "population")


class LocalityError(ValueError):
    """A deprivation table cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Locality:
    """The neighbourhoods of one local authority, read from a deprivation table.

    ``population`` is the residents of each LSOA as the table gives them; ``deprivation`` is
    national, in (0, 1) with 1 the most deprived; ``decile`` is the national IMD decile
    (1 = most deprived 10%)."""

    source: Path
    local_authority: str
    codes: tuple[str, ...]
    population: np.ndarray
    decile: np.ndarray
    deprivation: np.ndarray

    @property
    def n_neighbourhoods(self) -> int:
        return len(self.codes)

    @property
    def quintile(self) -> np.ndarray:
        """Model quintile of each neighbourhood: 0 least deprived ... 4 most deprived."""
        return 4 - (self.decile - 1) // 2

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
    return found


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a deprivation table (CSV, UTF-8 with or without a byte-order mark)."""
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise LocalityError(f"{where}: no such deprivation table")
    if path.suffix.lower() in (".xlsx", ".xls", ".ods"):
        raise LocalityError(
            f"{where}: a spreadsheet; save the sheet as CSV (the IoD files are also published "
            "as CSV, e.g. IoD2019 File 7)"
        )
    try:
        return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    except UnicodeDecodeError:
        raise LocalityError(f"{where}: not UTF-8 text; save it as CSV in UTF-8") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as err:
        message = " ".join(str(err).split())
        raise LocalityError(f"{where}: not a readable CSV table: {message}") from None


def _numbers(table: pd.DataFrame, column: str, where: str, whole: bool) -> np.ndarray:
    text = table[column].str.replace(",", "", regex=False).str.strip()
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (whole & (values != np.round(values)))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        kind = "a whole number" if whole else "a number"
        raise LocalityError(
            f"{where}: column '{column}', row {i + 2}: {table[column].iloc[i]!r} is not {kind}"
        )
    return values


def _pick_authority(table: pd.DataFrame, cols: dict[str, str], wanted: str | None, where: str):
    """Rows of the wanted local authority (by name or code, case-insensitive)."""
    la_cols = [cols[r] for r in ("la_name", "la_code") if r in cols]
    if not la_cols:
        if wanted:
            raise LocalityError(
                f"{where}: local_authority = {wanted!r} asked for, but the table has no "
                "'Local Authority District name' or code column"
            )
        return table, "(whole table)"
    names = table[la_cols[0]].str.strip()
    if wanted is None:
        distinct = sorted(set(names))
        if len(distinct) == 1:
            return table, distinct[0]
        raise LocalityError(
            f"{where}: holds {len(distinct)} local authorities; choose one with local_authority "
            f"(one of {', '.join(distinct[:8])}{', ...' if len(distinct) > 8 else ''})"
        )
    key = wanted.strip().casefold()
    mask = np.zeros(len(table), dtype=bool)
    for col in la_cols:
        mask |= table[col].str.strip().str.casefold().to_numpy() == key
    if not mask.any():
        distinct = sorted(set(names))
        close = difflib.get_close_matches(wanted, distinct, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "one of " + ", ".join(distinct[:8])
        raise LocalityError(f"{where}: local_authority = {wanted!r} is not in the table: {hint}")
    return table[mask], str(names[mask].iloc[0])


def load_locality(path: str | Path, local_authority: str | None = None) -> Locality:
    """Read ``path`` and return the neighbourhoods of ``local_authority`` (a name or a code as
    the table spells it, any case; optional when the table holds one authority)."""
    path = Path(path)
    where = str(path)
    table = read_table(path)
    if table.empty:
        raise LocalityError(f"{where}: the table has no rows")
    cols = _find_columns(list(table.columns), where)
    rows, authority = _pick_authority(table, cols, local_authority, where)

    codes = rows[cols["code"]].str.strip()
    duplicated = codes[codes.duplicated()]
    if not duplicated.empty:
        raise LocalityError(f"{where}: LSOA {duplicated.iloc[0]!r} appears more than once")
    population = _numbers(rows, cols["population"], where, whole=False)
    if (population < 0).any():
        i = int(np.flatnonzero(population < 0)[0])
        raise LocalityError(
            f"{where}: column '{cols['population']}', LSOA {codes.iloc[i]!r}: population "
            f"{population[i]:g} is not allowed: expected 0 or more"
        )
    if population.sum() <= 0:
        raise LocalityError(f"{where}: {authority} has no residents (all populations are 0)")

    if "rank" in cols:
        rank = _numbers(rows, cols["rank"], where, whole=True)
        if ((rank < 1) | (rank > N_LSOA_ENGLAND)).any():
            i = int(np.flatnonzero((rank < 1) | (rank > N_LSOA_ENGLAND))[0])
            raise LocalityError(
                f"{where}: column '{cols['rank']}', LSOA {codes.iloc[i]!r}: rank {rank[i]:g} is "
                f"not allowed: expected 1 to {N_LSOA_ENGLAND:,} (1 = most deprived)"
            )
        deprivation = 1.0 - (rank - 0.5) / N_LSOA_ENGLAND
    if "decile" in cols:
        decile = _numbers(rows, cols["decile"], where, whole=True)
        if ((decile < 1) | (decile > 10)).any():
            i = int(np.flatnonzero((decile < 1) | (decile > 10))[0])
            raise LocalityError(
                f"{where}: column '{cols['decile']}', LSOA {codes.iloc[i]!r}: decile "
                f"{decile[i]:g} is not allowed: expected a whole number from 1 to 10 "
                "(1 = most deprived)"
            )
        decile = decile.astype(np.int64)
        if "rank" not in cols:
            deprivation = 1.0 - (decile - 0.5) / 10.0
    else:
        decile = np.minimum((rank - 1) * 10 // N_LSOA_ENGLAND + 1, 10).astype(np.int64)

    return Locality(
        source=path,
        local_authority=authority,
        codes=tuple(codes),
        population=population,
        decile=decile,
        deprivation=deprivation,
    )


def find_table(name: str | Path, beside: Path | None = None) -> Path:
    """The deprivation table a scenario names: a path relative to ``beside`` (the scenario's
    folder) or the working folder, else the shipped table of that name
    (``shipped/data/localities``), else the name as given (its own "no such table" error)."""
    from .shipped import shipped_folder

    given = Path(name)
    candidates = [beside / given] if beside is not None and not given.is_absolute() else []
    candidates += [given, shipped_folder("data") / "localities" / given.name]
    return next((c for c in candidates if c.is_file()), given)


@lru_cache(maxsize=16)
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
    deprived) and the model quintile (0 least ... 4 most deprived)."""

    sizes: np.ndarray
    deprivation: np.ndarray
    quintile: np.ndarray


def layout_of(locality: Locality, scale: float) -> Layout:
    """The neighbourhoods of ``locality`` at ``scale`` citizens per resident."""
    return Layout(locality.sizes(scale), locality.deprivation.copy(), locality.quintile.copy())


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
