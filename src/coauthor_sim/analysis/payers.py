"""Who pays: a scenario's extra cost against the baseline, split by who bears it.

The split is read from cost rows (``analysis.costs.cost_rows``), one per world, scenario and
payer: the council, the centre, investors and citizens' time, each with its extra cost
against the baseline in that world at present value (``COLUMNS``). The rows of a world add up
to the appraisal's extra (full) cost in that world, so the table's totals are the
value-for-money table's figures.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import costs

COLUMNS = costs.COST_ROW_COLUMNS
SUMMARY_COLUMNS = ["scenario", "payer", "mean", "low", "high"]
ORDER = ("council", "centre", "investors", "citizens")  # shown first, in this order
LABELS = {"council": "council", "centre": "central government", "investors": "investors",
          "citizens": "citizens' time"}  # fmt: skip


def who_pays(rows: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and payer, the extra cost it bears, summed over items world by world:
    the mean over worlds and the range holding 90% of them (``costs.WORLD_Q``), and a
    "total" per scenario over every payer (the appraisal's extra cost, plus any cost the
    cost model counts beyond money)."""
    out = SUMMARY_COLUMNS
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
    it (``cell(mean, low, high)`` gives its HTML)."""
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
    return (
        "<h3>Who pays</h3><p>The extra cost against the baseline split by who bears it, at "
        "present value over the run: mean over worlds, below it the range holding 90% of "
        "them. Central government: extra grant, rescue money and payment for crises (the "
        "NHS's acute response) less money returned to it; investors: extra pooled money less "
        "repayments and what is still owed them at the end; council: the rest, from its "
        "reserve and what it still owes; citizens' time: extra hours of community action and "
        f"of co-producing support at £{costs.HOUR_VALUES['central']:,.2f} an hour. A negative "
        "figure is a saving. The total is the full extra cost of the value-for-money table."
        "</p>"
        f'<table class="payers"><thead><tr><th>scenario</th>{header}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )
