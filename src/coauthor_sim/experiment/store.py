"""The results store of a sweep: one SQLite file per results folder.

Why SQLite: it ships with Python, needs no server, and commits each run in one atomic
transaction, so a sweep killed at any instant (even ``kill -9``) leaves every finished run
stored whole and no run half-stored; a rerun then does only what is missing. Pandas reads it
in one call, and it is easily exported to CSV or Parquet.

Tables:
    meta(key, value)               fingerprint, experiment file, created ...
    runs(run_id, point, replication, seed, status, error, traceback, seconds, worker,
         finished, x_<factor> columns, <final outcome columns>, role, design_row,
         <one column per model parameter>, code_version, code_commit, code_dirty, code_id)
    series(run_id, month, <outcome columns>)   one row per recorded month
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd

STORE_NAME = "results.sqlite"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Store:
    """Append-only store of one sweep's runs; safe to reopen after a crash."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / STORE_NAME
        self.db = sqlite3.connect(self.path, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- metadata --------------------------------------------------------------------------
    def get_meta(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_meta(self, **items: Any) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [(k, json.dumps(v, default=str)) for k, v in items.items()],
            )

    # -- schema ----------------------------------------------------------------------------
    def create_tables(self, factors: list[str], finals: list[str], series: list[str]) -> None:
        """Create the runs and series tables (once; a reopened store keeps its own)."""
        run_cols = ", ".join(f"{_quote('x_' + f)}" for f in factors)
        final_cols = ", ".join(f"{_quote(o)} REAL" for o in finals)
        series_cols = ", ".join(f"{_quote(o)} REAL" for o in series)
        with self.db:
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS runs (run_id INTEGER PRIMARY KEY, point INTEGER, "
                "replication INTEGER, seed INTEGER, status TEXT, error TEXT, traceback TEXT, "
                "seconds REAL, worker TEXT, finished REAL"
                + (f", {run_cols}" if run_cols else "")
                + (f", {final_cols}" if final_cols else "")
                + ")"
            )
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS series (run_id INTEGER, month INTEGER"
                + (f", {series_cols}" if series_cols else "")
                + ", PRIMARY KEY (run_id, month))"
            )

    # -- writing -----------------------------------------------------------------------------
    def done_ids(self, retry_failed: bool = False) -> set[int]:
        """Ids of runs already stored: done or failed, or only done when failed runs are to
        be tried again."""
        sql = "SELECT run_id FROM runs" + (" WHERE status = 'done'" if retry_failed else "")
        return {r[0] for r in self.db.execute(sql)}

    def add_run(self, row: dict[str, Any], series: pd.DataFrame | None) -> None:
        """Store one run and its series in one transaction (all or nothing)."""
        self._add_missing_columns(row)
        with self.db:
            self.db.execute("DELETE FROM series WHERE run_id = ?", (row["run_id"],))
            cols = ", ".join(_quote(k) for k in row)
            marks = ", ".join("?" for _ in row)
            self.db.execute(
                f"INSERT OR REPLACE INTO runs ({cols}) VALUES ({marks})", list(row.values())
            )
            if series is not None and len(series):
                cols = ", ".join(_quote(c) for c in series.columns)
                marks = ", ".join("?" for _ in series.columns)
                self.db.executemany(
                    f"INSERT INTO series ({cols}) VALUES ({marks})",
                    series.itertuples(index=False, name=None),
                )

    def _add_missing_columns(self, row: dict[str, Any]) -> None:
        """Add a column for any key of ``row`` the runs table lacks (the design and parameter
        columns of ``run_columns``; a store written by an older version gains them)."""
        if not hasattr(self, "_columns"):
            self._columns = {r[1] for r in self.db.execute("PRAGMA table_info(runs)")}
        missing = [k for k in row if k not in self._columns]
        if missing:
            with self.db:
                for name in missing:
                    self.db.execute(f"ALTER TABLE runs ADD COLUMN {_quote(name)}")
            self._columns.update(missing)

    # -- reading -----------------------------------------------------------------------------
    def codes(self) -> dict[str | None, int]:
        """How many finished runs each code made (``code_id``; None for runs stored by a
        version that did not label them)."""
        if "runs" not in {r[0] for r in self.db.execute("SELECT name FROM sqlite_master")}:
            return {}
        columns = {r[1] for r in self.db.execute("PRAGMA table_info(runs)")}
        label = "code_id" if "code_id" in columns else "NULL"
        sql = f"SELECT {label}, COUNT(*) FROM runs WHERE status = 'done' GROUP BY 1"
        return dict(self.db.execute(sql).fetchall())

    def runs(self) -> pd.DataFrame:
        return pd.read_sql_query("SELECT * FROM runs ORDER BY run_id", self.db)

    def series(self) -> pd.DataFrame:
        return pd.read_sql_query("SELECT * FROM series ORDER BY run_id, month", self.db)


def run_columns(point: Any, params: dict[str, Any]) -> dict[str, Any]:
    """The columns that make a stored run self-contained: its design role (``role``: "A", "B"
    or "AB:<factor>" in a Sobol design, empty otherwise; ``design_row``: its row in the Sobol
    matrices, -1 otherwise) and every model parameter it ran with, fixed or varied, under the
    parameter's own name (no prefix): ``coauthor_sim.api.rerun`` reruns a run from them."""
    return {"role": point.role or None, "design_row": point.row, **params}


def load_results(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The runs table and the time-series table of a sweep's results folder, as DataFrames.

    Factor columns are named ``x_<parameter>``; final outcomes keep their outcome names; the
    design role and every parameter of the run follow (see ``run_columns``)."""
    path = Path(folder) / STORE_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{folder}: no {STORE_NAME} here (not a sweep results folder)")
    with Store(Path(folder)) as store:
        return store.runs(), store.series()
