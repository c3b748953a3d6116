"""A comparison's results folder: what ``coauthor-sim compare`` stores, and reading it back.

The report is always drawn from this folder, never from the comparison in memory: ``compare``
stores its tables (CSV) and a small ``report.json`` (scenarios, settings, the words of scenario
discovery, the calibration's record), then renders the report from what it stored; ``coauthor-sim
report FOLDER`` renders it again from the same files without running anything. So every figure
in the report, its summary and its caveats comes from the tables beside it.

Floats are written in their shortest round-trip form and read back exactly
(``float_precision="round_trip"``), so the report drawn from the folder is the report of the
run. Money columns are stored under names that say their price base and whether they are
discounted (``MONEY_LABELS``); they are read back under the names the code uses.

A council's comparison (``councils``) also stores the council: who it is, its population and
its own figures in report.json (``councils.stored``), its fifths and neighbourhoods (small ones
marked) in ``council_fifths.csv`` and ``neighbourhoods.csv``; its report is drawn from them
too, without the deprivation table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from ..messages import UsageError
from ..params import Parameters
from ..scenario import Scenario
from . import costs

REPORT_DATA = "report.json"
FORMAT = 2  # version of report.json; a folder of another version is refused with the reason
PRICE_BASE = costs.PRICE_BASE  # stylised pounds, read in the price base of the WELLBY values
_GBP = f"gbp_{PRICE_BASE}"

# Table file (without .csv) -> Comparison field. The first four exist for every comparison, the
# rest only against a baseline (two or more scenarios).
TABLES = {
    "runs": "runs", "trajectories": "trajectories", "summary": "summary",
    "differences": "differences", "worlds": "worlds", "money": "money",
    "robust": "robust", "regret": "regret", "plausibility": "plausibility",
    "failure_boxes": "boxes", "appraisal": "appraisal", "value_for_money": "cost_items",
    "net_value_by_month": "profile", "who_pays": "payers",
    "switching_values": "switching",
}  # fmt: skip
AGAINST_BASELINE = ("robust", "regret", "plausibility", "failure_boxes", "appraisal",
                    "value_for_money", "net_value_by_month", "who_pays",
                    "switching_values")  # fmt: skip
# Tables a folder may lack: who_pays (written from this version on) and switching_values
# (written only when switching values were found; page 1 then says "this ranking holds
# unless ...").
OPTIONAL = ("who_pays", "switching_values")
COUNCIL_TABLES = ("council_fifths", "neighbourhoods")  # a council's comparison only
# Columns an empty table still carries (a CSV keeps its header even with no rows).
EMPTY_COLUMNS = {
    "failure_boxes": ["scenario", "parameter", "low", "high", "coverage", "density", "mass",
                      "failures", "worlds"],
    "who_pays": ["scenario", "payer", "mean", "low", "high"],
    "value_for_money": costs.VALUE_COLUMNS,
}  # fmt: skip


def _money(stem: str, discounted: bool) -> str:
    return f"{stem}_{_GBP}_{'discounted' if discounted else 'undiscounted'}"


def _spread_labels(stem: str, label: str) -> dict[str, str]:
    """``stem_mean/low/high`` -> ``label_mean/p05/p95``: the mean over worlds and the range
    holding 90% of them, from the same draws."""
    return {f"{stem}_mean": f"{label}_mean", f"{stem}_low": f"{label}_p05",
            f"{stem}_high": f"{label}_p95"}  # fmt: skip


def _vfm_labels() -> dict[str, str]:
    labels = {
        **_spread_labels("extra_cost", _money("extra_cost", True)),
        **_spread_labels("wellbys", "wellbys_gained_discounted"),
        "gbp_per_wellby": _money("cost_per_wellby", True),
        "gbp_per_wellby_low": _money("cost_per_wellby", True) + "_p05_bootstrap",
        "gbp_per_wellby_high": _money("cost_per_wellby", True) + "_p95_bootstrap",
    }
    for value in ("low", "central", "high"):
        labels |= _spread_labels(f"net_{value}", _money(f"net_value_at_{value}_wellby", True))
        labels[f"net_{value}_positive"] = f"worlds_net_value_at_{value}_wellby_positive"
    # a council's money also per resident (``councils.per_resident``): the same figures
    # divided by its residents, over the whole run
    money = [k for k in labels if k.startswith(("extra_cost_", "net_")) and "positive" not in k]
    labels |= {f"{k}_per_resident": labels[k].replace(f"_{_GBP}", f"_per_resident_{_GBP}")
               for k in money}  # fmt: skip
    return labels


# Internal column name -> the name in the CSV, per table. Every money column says its price base
# and whether it is discounted; ranges say which quantiles they are.
MONEY_LABELS: dict[str, dict[str, str]] = {
    "appraisal": _vfm_labels(),
    "plausibility": {"benefit_gbp": _money("benefit", True) + "_mean",
                     "extra_cost_gbp": _money("extra_cost", True) + "_mean",
                     "benefit_cost_ratio": "benefit_cost_ratio_discounted"},
    "money": {"mean": "mean", "low": "p05", "high": "p95"},
    "net_value_by_month": {"mean": _money("cumulative_net_value", True) + "_mean",
                           "low": _money("cumulative_net_value", True) + "_p05",
                           "high": _money("cumulative_net_value", True) + "_p95"},
    "who_pays": {"mean": _money("extra_cost", True) + "_mean",
                 "low": _money("extra_cost", True) + "_p05",
                 "high": _money("extra_cost", True) + "_p95"},
    "runs": {"spending_total": _money("spending_per_month_final_year", False),
             "total_spending": _money("spending_whole_run", False),
             "total_committed": _money("committed_whole_run", False),
             "total_returned": _money("returned_whole_run", False),
             "reserve_end": _money("reserve_at_end", False),
             "pv_spending": _money("spending_whole_run", True),
             "pv_money_cost": _money("services_whole_run", True),
             "pv_full_cost": _money("full_cost_whole_run", True),
             "pv_centre": _money("centre_net_money_whole_run", True),
             "pv_investors": _money("investors_net_money_whole_run", True),
             "pv_council": _money("council_money_whole_run", True),
             "pv_restructuring": _money("restructuring_whole_run", True),
             "pv_contract_management": _money("contract_management_whole_run", True),
             "pv_citizen_hours": "citizen_hours_whole_run_discounted",
             "wellbys": "wellbys_whole_run_undiscounted",
             "pv_wellbys": "wellbys_whole_run_discounted"},
    "trajectories": {"spending_total": _money("spending_per_month", False),
                     "spending_repayment": _money("repayment_per_month", False)},
}  # fmt: skip
MONEY_UNITS = {  # unit of a row of the long tables (summary, differences) that holds money
    "spending_total": f"GBP ({PRICE_BASE} prices) per month, undiscounted",
    "total_spending": f"GBP ({PRICE_BASE} prices) over the whole run, undiscounted",
}


def _labelled(name: str, table: pd.DataFrame, per: str = "citizen") -> pd.DataFrame:
    """``table`` with its money columns under their labels and, for the long tables, a unit
    per row; ``per``: whom the money table's figures are per (a council's: "resident")."""
    table = table.rename(columns=MONEY_LABELS.get(name, {}))
    if name == "money" and "item" in table:
        table = table.assign(
            unit=table["item"].map(
                lambda item: (
                    f"GBP ({PRICE_BASE} prices) per {per}"
                    + ("" if item == "reserve at the end" else " per year")
                    + ", undiscounted"
                )
            )
        )
    if name in ("summary", "differences") and "outcome" in table:
        table = table.assign(unit=table["outcome"].map(MONEY_UNITS).fillna(""))
    return table


def _unlabelled(name: str, table: pd.DataFrame) -> pd.DataFrame:
    back = {v: k for k, v in MONEY_LABELS.get(name, {}).items()}
    table = table.rename(columns=back)
    return table.drop(columns=["unit"]) if name in ("money", "summary", "differences") and (
        "unit" in table) else table  # fmt: skip


def _jsonable(value: Any) -> Any:
    """Numbers and containers as plain JSON values (numpy scalars become Python ones)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


def save(result: Any, folder: Path, extra: dict[str, Any] | None = None) -> list[str]:
    """Store ``result`` (a ``compare.Comparison``) in ``folder``: one CSV per table and
    ``report.json``; return the names of the files written. ``extra`` goes into report.json's
    settings (e.g. the calibration's record)."""
    from .. import councils

    folder.mkdir(parents=True, exist_ok=True)
    against = len(result.scenarios) > 1
    council = getattr(result, "council", None)
    per = "citizen" if council is None else "resident"
    written = []
    for name, field in TABLES.items():
        if name in AGAINST_BASELINE and not against:
            continue
        table = getattr(result, field, None)
        if table is None:
            continue
        if name == "switching_values" and table.empty:
            continue
        if table.empty and not len(table.columns):
            table = pd.DataFrame(columns=EMPTY_COLUMNS.get(name, []))
        _labelled(name, table, per).to_csv(folder / f"{name}.csv", index=False)
        written.append(f"{name}.csv")
    if council is not None:  # its fifths and neighbourhoods, small ones marked
        from .council_pages import tables

        for name, table in tables(council).items():
            table.to_csv(folder / f"{name}.csv", index=False)
            written.append(f"{name}.csv")
    data = {
        "format": FORMAT,
        "baseline": result.baseline,
        "scenarios": [
            {"name": s.name, "description": s.description,
             "files": [Path(p).name for p in s.chain], "parameters": dict(s.params)}
            for s in result.scenarios
        ],
        "seeds": list(result.seeds),
        "box_words": dict(result.box_words),
        "settings": {**result.settings, **(extra or {})},
        **({"council": councils.stored(council)} if council is not None else {}),
    }  # fmt: skip
    (folder / REPORT_DATA).write_text(json.dumps(_jsonable(data), indent=1), encoding="utf-8")
    return [*written, REPORT_DATA]


def _read(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, float_precision="round_trip")
    except pd.errors.EmptyDataError:  # written by an older version without a header
        return pd.DataFrame()


def load(folder: str | Path) -> Any:
    """The comparison stored in ``folder`` (a ``compare.Comparison``), read from its CSVs and
    report.json. Raises UsageError naming the folder and what is missing."""
    from ..compare import Comparison

    folder = Path(folder)
    meta = folder / REPORT_DATA
    if not meta.is_file():
        raise UsageError(f"{folder}: not a comparison's results folder (no {REPORT_DATA}; "
                         "it is written by coauthor-sim compare)")  # fmt: skip
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UsageError(f"{meta}: cannot be read: {err}") from None
    if data.get("format") != FORMAT:
        raise UsageError(f"{meta}: format {data.get('format')!r}, this version reads format "
                         f"{FORMAT}; rerun coauthor-sim compare")  # fmt: skip
    scenarios = [
        Scenario(s["name"], Path(s["files"][0]), s["description"], Parameters(s["parameters"]),
                 tuple(Path(f) for f in s["files"]))
        for s in data["scenarios"]
    ]  # fmt: skip
    tables: dict[str, pd.DataFrame] = {}
    for name, field in TABLES.items():
        path = folder / f"{name}.csv"
        needed = name not in OPTIONAL and (name not in AGAINST_BASELINE or len(scenarios) > 1)
        if path.is_file():
            tables[field] = _unlabelled(name, _read(path))
        elif needed:
            raise UsageError(f"{folder}: {name}.csv is missing; rerun coauthor-sim compare")
    council = None
    if "council" in data:
        from ..councils import from_stored

        found = []
        for name in COUNCIL_TABLES:
            path = folder / f"{name}.csv"
            if not path.is_file():
                raise UsageError(f"{folder}: {name}.csv is missing; rerun coauthor-sim compare")
            found.append(_read(path))
        council = from_stored(data["council"], *found)
    return Comparison(
        council=council,
        scenarios=scenarios,
        seeds=list(data["seeds"]),
        cost_effectiveness=pd.DataFrame(),
        box_words=dict(data.get("box_words", {})),
        settings=dict(data["settings"]),
        **tables,
    )
