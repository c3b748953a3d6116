"""Who pays: a scenario's extra cost against the baseline, split by who bears it.

The split is read from cost rows, one per world, scenario and item, each with a ``payer``
(council, centre, investors, citizens, or any other the cost model names) and its extra cost
against the baseline in that world at present value (``COLUMNS``). The cost model
(``analysis.costs``) may give them (a function ``cost_rows(runs, baseline)`` returning that
table); until it does, ``money_rows`` makes them from the money flows each run reports:

- **centre**: extra central money paid in (grant and any rescue money, the model's
  ``income_centre``) less extra money returned to it at the yearly settlements;
- **investors**: extra pooled money they put in (``income_investors``) less what the council
  repaid them within the run and what it still owes them at its end (``bond_liability``);
- **council**: the rest of the extra spending, drawn from (or added to) its reserve.

The rows of a world add up to the appraisal's extra cost in that world, so the table's totals
are the value-for-money table's figures. A run that reports no money flows leaves the whole
extra spending with the council, and the report says the split is not available.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import costs

COLUMNS = ["scenario", "replication", "payer", "item", "extra_cost"]
ORDER = ("council", "centre", "investors", "citizens")  # shown first, in this order
LABELS = {"council": "council", "centre": "central government", "investors": "investors",
          "citizens": "citizens' time"}  # fmt: skip
# Run-summary columns (present values at costs.COST_RATE) of the flows named in the docstring.
CENTRE, INVESTORS = "pv_centre_net", "pv_investors_net"


def run_flows(table: pd.DataFrame) -> dict[str, float]:
    """One run's money flows by payer at present value (``CENTRE``, ``INVESTORS``), from the
    outcome table's monthly ``income_centre``, ``money_returned``, ``income_investors``,
    ``spending_repayment`` and end-of-run ``bond_liability``; {} when the model reports no
    income by source."""
    months = table.iloc[1:]
    if not {"income_centre", "income_investors"} <= set(months.columns) or months.empty:
        return {}
    factor = costs.discount_factors(np.arange(1, len(months) + 1), costs.COST_RATE)

    def pv(column: str) -> float:
        return float((months[column].to_numpy() * factor).sum()) if column in months else 0.0

    owed = float(months["bond_liability"].iloc[-1]) * factor[-1] if (
        "bond_liability" in months) else 0.0  # fmt: skip
    return {
        CENTRE: pv("income_centre") - pv("money_returned"),
        INVESTORS: pv("income_investors") - pv("spending_repayment") - owed,
    }


def money_rows(runs: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Cost rows (``COLUMNS``) from the runs' money: per world, each scenario's extra centre
    and investor money against ``baseline`` and the rest of its extra spending (present
    value) as the council's. Without flows in the runs, one council row holds it all."""
    base = runs[runs["scenario"] == baseline].set_index("replication")
    split = {CENTRE, INVESTORS} <= set(runs.columns)
    rows = []
    for scenario, frame in runs.groupby("scenario", sort=False):
        if scenario == baseline:
            continue
        frame = frame.set_index("replication").loc[base.index]
        extra = frame["pv_spending"] - base["pv_spending"]
        parts = {}
        if split:
            parts["centre"] = frame[CENTRE] - base[CENTRE]
            parts["investors"] = frame[INVESTORS] - base[INVESTORS]
        parts["council"] = extra - sum(parts.values())
        for payer, values in parts.items():
            item = "extra spending" if not split else f"extra money from {LABELS[payer]}"
            rows += [{"scenario": scenario, "replication": r, "payer": payer, "item": item,
                      "extra_cost": float(v)} for r, v in values.items()]  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def cost_rows(runs: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """The cost rows of a comparison: the cost model's own (``costs.cost_rows``) when it
    gives them, else ``money_rows``."""
    own = getattr(costs, "cost_rows", None)
    return own(runs, baseline) if own is not None else money_rows(runs, baseline)


def who_pays(rows: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and payer, the extra cost it bears, summed over items world by world:
    the mean over worlds and the range holding 90% of them (``costs.WORLD_Q``), and a
    "total" per scenario over every payer (the appraisal's extra cost, plus any cost the
    cost model counts beyond money)."""
    out = ["scenario", "payer", "mean", "low", "high"]
    if rows.empty:
        return pd.DataFrame(columns=out)
    per_world = rows.groupby(["scenario", "payer", "replication"], sort=False)["extra_cost"].sum()
    total = rows.groupby(["scenario", "replication"], sort=False)["extra_cost"].sum()
    found = []
    for scenario in dict.fromkeys(rows["scenario"]):
        payers = list(dict.fromkeys(rows.loc[rows["scenario"] == scenario, "payer"]))
        payers.sort(key=lambda p: ORDER.index(p) if p in ORDER else len(ORDER))
        for payer in [*payers, "total"]:
            values = (total.loc[scenario] if payer == "total"
                      else per_world.loc[(scenario, payer)]).to_numpy()  # fmt: skip
            low, high = np.quantile(values, costs.WORLD_Q)
            found.append({"scenario": scenario, "payer": payer, "mean": float(values.mean()),
                          "low": float(low), "high": float(high)})  # fmt: skip
    return pd.DataFrame(found, columns=out)


def who_pays_html(table: pd.DataFrame, ranked: list[str], cell: Any) -> str:
    """The who-pays table: one row per scenario (in the order of ``ranked``), one column per
    payer and the total, each the mean extra cost with the range holding 90% of worlds below
    it (``cell(mean, low, high)`` gives its HTML); a note when the model reports no split."""
    import html

    if table.empty:
        return ""
    payers = [p for p in dict.fromkeys(table["payer"]) if p != "total"]
    payers.sort(key=lambda p: ORDER.index(p) if p in ORDER else len(ORDER))
    cells = table.set_index(["scenario", "payer"])
    rows = []
    for scenario in [s for s in ranked if s in set(table["scenario"])]:
        row = [f"<b>{html.escape(scenario)}</b>"]
        for payer in [*payers, "total"]:
            if (scenario, payer) in cells.index:
                c = cells.loc[(scenario, payer)]
                row.append(cell(c["mean"], c["low"], c["high"]))
            else:
                row.append("")
        rows.append(row)
    header = "".join(f"<th>{html.escape(LABELS.get(p, p))}</th>" for p in [*payers, "total"])
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    note = (
        "<p><small>The model reports no money flows by source in these runs, so all extra "
        "spending is shown as the council's.</small></p>"
        if payers == ["council"]
        else ""
    )
    return (
        "<h3>Who pays</h3><p>The extra cost against the baseline split by who bears it, at "
        "present value over the run: mean over worlds, below it the range holding 90% of "
        "them. Central government: extra grant and rescue money less money returned to it; "
        "investors: extra pooled money less repayments and what is still owed them at the "
        "end; council: the rest, from its reserve. A negative figure is a saving. The total "
        "is the extra cost of the value-for-money table (with any cost counted beyond money, "
        "such as citizens' time).</p>"
        f'<table class="payers"><thead><tr><th>scenario</th>{header}</tr></thead>'
        f"<tbody>{body}</tbody></table>{note}"
    )
