"""Money and value for money of a comparison, as a finance officer reads them.

**Cost** is the extra money a scenario spends compared with the baseline (the status quo),
month by month, discounted to present value at the Green Book's social time preference rate
(3.5% a year) and summed over the run. Money committed but not spent, carried over in the
reserve or returned to the centre is reported beside it, not counted as a cost or a saving.

**Benefit** is the extra well-being, in WELLBYs (one point of life satisfaction, 0-10, for one
person for one year), discounted at 1.5% a year, and valued at the Treasury's low, central and
high values of a WELLBY: GBP 10,000, 13,000 and 16,000 in 2019 prices (HM Treasury, Green Book
supplementary guidance "Wellbeing guidance for appraisal", July 2021).

Discount rates. The Green Book (2020, Annex A6) builds its 3.5% rate from time preference
(1.5%) and a wealth effect (2%, growth of consumption times the elasticity of its marginal
utility), and names health as the case where a component is adjusted: health and life values
are discounted at 1.5%, the rate without the wealth effect, because their value in money
already rises with income. Wellbeing values are treated like health values here. The 1.5% rate was
read in a secondary source, and that the wellbeing guidance prescribes it for WELLBYs could not
be checked against its text; the report says so (``RATE_CHECKED``). Discounting follows the Green
Book's yearly convention: the first twelve months (year 0) are not discounted, month m falls in
year (m - 1) // 12.

**Full cost** (model science v3). The extra cost of a scenario is what it uses that the
baseline does not, whoever bears it:

- *money spent on services* (support, staff, training, crises, community money, restructuring,
  contract management, finance fees): the locality's spending less its repayments to investors,
  which move money between payers and use nothing up. It is paid for by the *centre* (grant
  and rescue money less what is returned), *investors* (pooled money less what they are repaid,
  and less what is still owed to them at the end of the run) and the *council* (what it draws
  from its reserve, and the bond repayments it still owes at the end: a liability, not dropped);
- *citizens' time*: hours of community action and of co-producing support, valued at an hourly
  rate (``HOUR_VALUES``: zero, low, central, high; central by default).

The model's pounds are stylised: a model locality's budget, set by the scenario's grant per
citizen, not a real council's accounts. Price base: 2019 prices, as the WELLBY values; the
hourly values say what each rests on (``HOUR_SOURCE``).

Every figure is given as the mean over plausible worlds with the range that holds 90% of them,
and every verdict is counted in worlds ("cheaper and better in 24 of 30 worlds").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

COST_RATE = 0.035  # Green Book STPR, years 0-30 (HM Treasury 2020, Annex A6)
WELLBEING_RATE = 0.015  # the STPR without its wealth effect: health and life values (A6)
WELLBY_VALUES = {"low": 10_000, "central": 13_000, "high": 16_000}  # GBP, 2019 prices
WELLBY_SOURCE = (
    'HM Treasury, Green Book supplementary guidance "Wellbeing guidance for appraisal", '
    "July 2021: GBP 13,000 per WELLBY (range 10,000 to 16,000), 2019 prices"
)
RATE_SOURCE = (
    "HM Treasury, The Green Book (2020), Annex A6: social time preference rate 3.5% a year "
    "(1.5% time preference plus 2% wealth effect); health and life values at 1.5%, without "
    "the wealth effect"
)
RATE_CHECKED = (
    "Checked: the 3.5% rate and its parts (time preference and wealth effect), and that a part "
    "is adjusted for health, in the Green Book (2020, A6.5-A6.8); the 1.5% rate for health in "
    "a secondary source (the greenbook R package's table of Treasury schedules). Not checked "
    "at its source: that the wellbeing guidance discounts WELLBYs at 1.5%."
)
# Value of an hour of citizens' time (GBP). "zero" is a reader's option: time given freely and
# counted as costing nothing.
HOUR_VALUES = {"zero": 0.0, "low": 8.21, "central": 11.27, "high": 15.60}
HOUR_SOURCE = (
    "low: the National Living Wage from April 2019 (GBP 8.21 an hour); central: the ONS "
    "replacement cost of regular formal volunteering, GBP 23.9bn for 2.12bn hours in 2012/13 "
    "(ONS Household Satellite Account, as summarised by NCVO, 26 Jun 2014), about GBP 11.27 an "
    "hour in 2012/13 prices, not uprated (a low figure in 2019 prices); high: median gross "
    "weekly earnings of full-time employees, GBP 585 in April 2019 (ONS ASHE 2019), over a "
    "37.5-hour week, about GBP 15.60 (derived)"
)
PRICE_BASE = 2019  # the year of the prices every money figure is given in
PAYERS = ("council", "centre", "investors", "citizens' time")
WORLD_Q = (0.05, 0.95)  # 90% of plausible worlds
SAME_COST = 1e-3  # extra cost within 0.1% of the baseline's spending counts as the same cost
# Money columns each run adds to its summary (see ``run_money``).
MONEY = ["total_committed", "total_spending", "total_returned", "reserve_end"]
PRESENT_VALUES = ["pv_spending", "pv_wellbys", "pv_money_cost", "pv_full_cost", "pv_citizen_hours",
                  "pv_centre", "pv_investors", "pv_council", "pv_restructuring",
                  "pv_contract_management"]  # fmt: skip


def discount_factors(months: np.ndarray, rate: float) -> np.ndarray:
    """Discount factor of each month (1, 2, ...): the Green Book's yearly convention, year 0
    (months 1-12) undiscounted, month m in year (m - 1) // 12."""
    years = (np.asarray(months, dtype=int) - 1) // 12
    return (1.0 + rate) ** -years.astype(float)


def run_money(
    table: pd.DataFrame, n_citizens: float, adults: float | None = None
) -> dict[str, float]:
    """One run's money and discounted totals: committed, spent and returned over the run,
    the reserve carried over at its end, spending at present value (3.5%) and WELLBYs at
    present value (1.5%); and the parts of its full cost at present value (3.5%): money spent
    on services (spending less repayments to investors), hours of citizens' time, and who paid
    for the money (centre, investors, council; they add up to the money spent on services),
    with the restructuring and contract-management costs inside it. ``table`` is the model's
    outcome table from month 0; ``n_citizens`` the people its money stands for (their hours
    are counted); ``adults`` the people whose life satisfaction WELLBYs count, when not all of
    them (a council's residents aged 16+, ``councils``)."""
    months = table.iloc[1:]
    index = np.arange(1, len(months) + 1)
    cost_factor = discount_factors(index, COST_RATE)

    def pv(values) -> float:
        return float((np.asarray(values, dtype=float) * cost_factor).sum())

    def column(name: str) -> np.ndarray:  # outcome tables written before v3 lack the new ones
        return months[name].to_numpy() if name in months else np.zeros(len(months))

    people = n_citizens if adults is None else adults
    wellbys = months["life_satisfaction"].to_numpy() * people / 12.0
    spent = months["spending_total"].to_numpy()
    repaid = column("spending_repayment")
    owed_at_end = float(column("bond_liability")[-1]) if len(months) else 0.0
    money_cost = pv(spent - repaid)
    centre = pv(column("income_centre") - months["money_returned"].to_numpy())
    investors = pv(column("income_investors") - repaid) - owed_at_end * float(cost_factor[-1])
    hours = (column("volunteer_hours") + column("coproduction_hours")) * n_citizens
    return {
        "total_committed": float(months["money_committed"].sum()),
        "total_returned": float(months["money_returned"].sum()),
        "reserve_end": float(months["money_carried_over"].iloc[-1]),
        "pv_spending": pv(spent),
        "pv_wellbys": float((wellbys * discount_factors(index, WELLBEING_RATE)).sum()),
        "pv_money_cost": money_cost,
        "pv_full_cost": money_cost + HOUR_VALUES["central"] * pv(hours),
        "pv_citizen_hours": pv(hours),
        "pv_centre": centre,
        "pv_investors": investors,
        "pv_council": money_cost - centre - investors,  # reserve drawn, repayments still owed
        "pv_restructuring": pv(column("spending_transition")),
        "pv_contract_management": pv(column("spending_contract_management")),
    }


def full_cost(runs: pd.DataFrame, hour_value: str = "central") -> pd.Series:
    """Each run's full cost at present value: money spent on services plus citizens' hours at
    ``HOUR_VALUES[hour_value]`` an hour."""
    return runs["pv_money_cost"] + HOUR_VALUES[hour_value] * runs["pv_citizen_hours"]


def _spread(x: np.ndarray) -> dict[str, float]:
    low, high = np.quantile(x, WORLD_Q) if len(x) else (np.nan, np.nan)
    return {"mean": float(np.mean(x)) if len(x) else np.nan, "low": float(low),
            "high": float(high)}  # fmt: skip


def money_table(runs: pd.DataFrame, n_citizens: int, steps: int) -> pd.DataFrame:
    """Per scenario: money committed, spent and returned, in GBP per citizen per year
    (undiscounted, averaged over the run), and the reserve carried over at the end of the run
    in GBP per citizen; each as the mean over worlds and the range holding 90% of them."""
    person_years = n_citizens * steps / 12.0
    rows = []
    for scenario, frame in runs.groupby("scenario", sort=False):
        for item, column, per in (
            ("committed", "total_committed", person_years),
            ("spent", "total_spending", person_years),
            ("returned to the centre", "total_returned", person_years),
            ("reserve at the end", "reserve_end", n_citizens),
        ):
            if column in frame:
                rows.append({"scenario": scenario, "item": item,
                             **_spread(frame[column].to_numpy() / per)})  # fmt: skip
    return pd.DataFrame(rows)


def dominance(extra_cost: float, gain: float, same: float) -> str:
    """Where a scenario sits against the baseline, in words: "cheaper and better", "better at
    no extra cost", "dearer and better", "dearer and worse", "cheaper and worse", "worse at
    no extra cost" or "no change". ``same``: extra costs within it count as no extra cost."""
    cost = "same" if abs(extra_cost) <= same else "dearer" if extra_cost > 0 else "cheaper"
    if gain > 0:
        return {"same": "better at no extra cost", "dearer": "dearer and better",
                "cheaper": "cheaper and better"}[cost]  # fmt: skip
    if gain < 0:
        return {"same": "worse at no extra cost", "dearer": "dearer and worse",
                "cheaper": "cheaper and worse"}[cost]  # fmt: skip
    return {"same": "no change", "dearer": "dearer, no gain", "cheaper": "cheaper, no loss"}[cost]


def _ratio_interval(dc: np.ndarray, dw: np.ndarray, rng: np.random.Generator):
    """90% percentile bootstrap interval (over worlds) of mean cost / mean gain, and the share
    of resamples in which the mean cost and the mean gain keep their signs."""
    n = len(dc)
    picks = rng.integers(n, size=(2000, n))
    c, w = dc[picks].mean(axis=1), dw[picks].mean(axis=1)
    same = (np.sign(c) == np.sign(dc.mean())) & (np.sign(w) == np.sign(dw.mean()))
    ratio = c[same] / w[same]
    if same.mean() < 0.95 or ratio.size == 0:
        return np.nan, np.nan, float(same.mean())
    low, high = np.quantile(ratio, WORLD_Q)
    return float(low), float(high), float(same.mean())


def _paired(runs: pd.DataFrame, baseline: str):
    """(scenario, its runs, the baseline's runs) in the same worlds, for every scenario but
    the baseline."""
    base = runs[runs["scenario"] == baseline].set_index("replication")
    for scenario, frame in runs.groupby("scenario", sort=False):
        if scenario != baseline:
            yield scenario, frame.set_index("replication").loc[base.index], base


def appraisal(runs: pd.DataFrame, baseline: str, hour_value: str = "central") -> pd.DataFrame:
    """Every scenario against ``baseline``, world by world, at present values: extra full
    cost (GBP: money spent on services plus citizens' time at ``HOUR_VALUES[hour_value]``),
    WELLBYs gained, net value at the low, central and high WELLBY values (WELLBYs x value -
    extra cost), the dominance verdict and how many worlds share it, and, for a scenario that
    is dearer and better, its cost per WELLBY with a 90% bootstrap interval.

    A gain at no extra cost, or with a saving, is "no extra cost": it has no cost per WELLBY
    (a ratio would read as a negative price), and a loss with a saving is given as the saving
    per WELLBY lost."""
    base_runs = runs[runs["scenario"] == baseline]
    same = SAME_COST * float(full_cost(base_runs, hour_value).abs().mean())
    rows = []
    for scenario, frame, base in _paired(runs, baseline):
        dc = (full_cost(frame, hour_value) - full_cost(base, hour_value)).to_numpy()
        dw = (frame["pv_wellbys"] - base["pv_wellbys"]).to_numpy()
        verdict = dominance(float(dc.mean()), float(dw.mean()), same)
        per_world = [dominance(c, w, same) for c, w in zip(dc, dw, strict=True)]
        row: dict[str, Any] = {
            "scenario": scenario, "verdict": verdict,
            "worlds_with_verdict": int(sum(v == verdict for v in per_world)),
            "worlds": len(dc),
            **{f"extra_cost_{k}": v for k, v in _spread(dc).items()},
            **{f"wellbys_{k}": v for k, v in _spread(dw).items()},
        }  # fmt: skip
        for name, value in WELLBY_VALUES.items():
            net = dw * value - dc
            row |= {f"net_{name}_{k}": v for k, v in _spread(net).items()}
            row[f"net_{name}_positive"] = int((net > 0).sum())
        ratio = low = high = np.nan
        if verdict in ("dearer and better", "cheaper and worse") and len(dc) >= 2:
            ratio = float(dc.mean() / dw.mean())
            low, high, _ = _ratio_interval(dc, dw, np.random.default_rng(0))
        row |= {"gbp_per_wellby": ratio, "gbp_per_wellby_low": low,
                "gbp_per_wellby_high": high, "hour_value": hour_value}  # fmt: skip
        rows.append(row)
    return pd.DataFrame(rows)


COST_ROW_COLUMNS = ["scenario", "replication", "payer", "item", "extra_cost"]
# payer -> (item, the run-summary column(s) it is made from)
_PAYER_ITEMS = (
    ("council", "money from the council", "pv_council"),
    ("centre", "money from the centre", "pv_centre"),
    ("investors", "money from investors", "pv_investors"),
    ("citizens", "citizens' time", "pv_citizen_hours"),
)


def cost_rows(runs: pd.DataFrame, baseline: str, hour_value: str = "central") -> pd.DataFrame:
    """The full extra cost of every scenario against ``baseline``, world by world, split by
    who bears it (``COST_ROW_COLUMNS``): money from the council, the centre and investors
    (which add up to the extra money spent on services) and citizens' time at
    ``HOUR_VALUES[hour_value]`` an hour. Present value, 2019 prices. The rows of a world add up
    to its extra cost in ``appraisal``."""
    rows = []
    for scenario, frame, base in _paired(runs, baseline):
        for payer, item, column in _PAYER_ITEMS:
            scale = HOUR_VALUES[hour_value] if payer == "citizens" else 1.0
            extra = (frame[column] - base[column]) * scale
            rows += [{"scenario": scenario, "replication": r, "payer": payer, "item": item,
                      "extra_cost": float(v)} for r, v in extra.items()]  # fmt: skip
    return pd.DataFrame(rows, columns=COST_ROW_COLUMNS)


VALUE_COLUMNS = ["scenario", "item", "payer", "unit", "discounted", "price_base", "mean", "low",
                 "high"]  # fmt: skip
GBP_UNIT = f"GBP ({PRICE_BASE} prices), discounted"
PAYER_ITEMS = {payer: item for payer, item, _ in _PAYER_ITEMS}


def value_for_money_rows(
    runs: pd.DataFrame, baseline: str, who_pays: pd.DataFrame, hour_value: str = "central"
) -> pd.DataFrame:
    """Value for money against ``baseline`` as rows, one figure each, with its unit, whether
    it is discounted and its price base: the extra cost payer by payer and in total (from
    ``who_pays``, the summary of ``cost_rows``), inside the money the cost of restructuring and
    of managing outcome contracts, the WELLBYs gained, and the net value at the low, central
    and high WELLBY values. Mean over worlds and the range holding 90% of them."""

    def row(scenario, item, payer, unit, spread, price_base: float = PRICE_BASE):
        return {"scenario": scenario, "item": item, "payer": payer, "unit": unit,
                "discounted": True, "price_base": price_base, **spread}  # fmt: skip

    rows = []
    for scenario, frame, base in _paired(runs, baseline):
        for r in who_pays[who_pays["scenario"] == scenario].itertuples(index=False):
            item = "total extra cost" if r.payer == "total" else PAYER_ITEMS.get(r.payer, r.payer)
            payer = "all" if r.payer == "total" else r.payer
            rows.append(row(scenario, item, payer, GBP_UNIT,
                            {"mean": r.mean, "low": r.low, "high": r.high}))  # fmt: skip
        for item, column in (
            ("of which restructuring", "pv_restructuring"),
            ("of which contract management", "pv_contract_management"),
        ):
            d = (frame[column] - base[column]).to_numpy()
            rows.append(row(scenario, item, "council", GBP_UNIT, _spread(d)))
        dw = (frame["pv_wellbys"] - base["pv_wellbys"]).to_numpy()
        dc = (full_cost(frame, hour_value) - full_cost(base, hour_value)).to_numpy()
        rows.append(row(scenario, "WELLBYs gained", "all", "WELLBYs, discounted", _spread(dw),
                        float("nan")))  # fmt: skip
        for value in WELLBY_VALUES.values():
            rows.append(row(scenario, f"net value at GBP {value:,} a WELLBY", "all", GBP_UNIT,
                            _spread(dw * value - dc)))  # fmt: skip
    return pd.DataFrame(rows, columns=VALUE_COLUMNS)


def time_profile(
    paths: pd.DataFrame,
    baseline: str,
    n_citizens: float,
    value: float = WELLBY_VALUES["central"],
    adults: float | None = None,
) -> pd.DataFrame:
    """Cumulative discounted net value of each scenario against ``baseline``, month by month
    (WELLBYs gained x ``value`` - extra full cost, both at present value): mean over worlds
    and the range holding 90% of them. ``paths`` holds each run's monthly
    ``life_satisfaction``, ``spending_total``, ``spending_repayment``, ``volunteer_hours`` and
    ``coproduction_hours`` (the comparison's trajectories); citizens' hours are valued at
    the central HOUR_VALUES, for ``n_citizens``; WELLBYs count ``adults`` when given (as
    ``run_money``)."""
    paths = paths[paths["month"] >= 1].assign(
        full_cost=lambda f: (
            f["spending_total"]
            - f.get("spending_repayment", 0.0)
            + HOUR_VALUES["central"]
            * n_citizens
            * (f.get("volunteer_hours", 0.0) + f.get("coproduction_hours", 0.0))
        )
    )
    wide = {
        k: paths.pivot_table(index=["replication", "month"], columns="scenario", values=k)
        for k in ("life_satisfaction", "full_cost")
    }
    wide["spending_total"] = wide.pop("full_cost")
    months = wide["spending_total"].index.get_level_values("month").to_numpy()
    people = n_citizens if adults is None else adults
    dcost = discount_factors(months, COST_RATE)
    dwell = discount_factors(months, WELLBEING_RATE)
    rows = []
    for scenario in wide["spending_total"].columns:
        if scenario == baseline:
            continue
        gain = wide["life_satisfaction"][scenario] - wide["life_satisfaction"][baseline]
        cost = wide["spending_total"][scenario] - wide["spending_total"][baseline]
        net = gain * people / 12.0 * value * dwell - cost * dcost
        cumulative = net.groupby(level="replication").cumsum()
        by_month = cumulative.groupby(level="month")
        frame = pd.DataFrame({
            "mean": by_month.mean(), "low": by_month.quantile(WORLD_Q[0]),
            "high": by_month.quantile(WORLD_Q[1]),
        })  # fmt: skip
        rows.append(frame.reset_index().assign(scenario=scenario))
    if not rows:
        return pd.DataFrame(columns=["scenario", "month", "mean", "low", "high"])
    return pd.concat(rows, ignore_index=True)[["scenario", "month", "mean", "low", "high"]]


def break_even(profile: pd.DataFrame) -> dict[str, int | None]:
    """Per scenario, the month from which its mean cumulative net value stays at or above zero
    to the end of the run (1: from the start); None if it ends below zero ("not within the
    run")."""
    out: dict[str, int | None] = {}
    for scenario, frame in profile.groupby("scenario", sort=False):
        values = frame.sort_values("month")
        below = values[values["mean"] < 0]
        if below.empty:
            out[scenario] = int(values["month"].iloc[0])
        elif below["month"].iloc[-1] == values["month"].iloc[-1]:
            out[scenario] = None
        else:
            out[scenario] = int(below["month"].iloc[-1]) + 1
    return out


def break_even_words(month: int | None) -> str:
    """A break-even month in words."""
    if month is None:
        return "not within the run"
    if month <= 1:
        return "from the first month"
    return f"month {month} (year {(month - 1) // 12 + 1})"
