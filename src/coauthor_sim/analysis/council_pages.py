"""The council's part of a comparison report: who the council is, how it is simulated, its
fifths (empty and small ones marked), and its money per resident. Pure text and tables: the
report writer puts them on disk (``analysis.report``)."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from ..councils import Council
from .briefing import gbp, table

esc = html.escape
NONE_HERE = "none here"
SMALL = "small sample"


def fifth_mark(council: Council | None, fifth: int) -> str:
    """'none here', 'small sample' or '' for fifth 1 (least) ... 5 (most deprived)."""
    if council is None:
        return ""
    status = council.fifth_status(fifth)
    return NONE_HERE if status == "empty" else SMALL if status == "small" else ""


def group_fifth(group: str) -> int | None:
    """The fifth of a robustness group ('fifth 3' -> 3; 'everyone' -> None)."""
    return int(group.split()[1]) if group.startswith("fifth ") else None


def tables(council: Council) -> dict[str, pd.DataFrame]:
    """CSV tables of the council (``store.COUNCIL_TABLES``): its fifths (with their status) and
    its neighbourhoods (with the small ones marked 'small'; ``councils.from_stored`` reads
    them back)."""
    hoods = council.neighbourhoods.assign(
        small=council.neighbourhoods["small"].map({True: "small", False: ""})
    )
    return {"council_fifths": council.fifths, "neighbourhoods": hoods}


def terminal_lines(council: Council) -> list[str]:
    """The council in a few lines for the terminal summary."""
    return [f"Council: {council.title}, {council.population_words()}; "
            f"{council.resolution_words()}.", *council.fifths_words()]  # fmt: skip


def per_resident_words(row: Any) -> str:
    """Net value per resident at the central WELLBY value, when the council is known."""
    if "net_central_mean_per_resident" not in row:
        return ""
    return (f" ({gbp(row['net_central_mean_per_resident'])} per resident; 90% of worlds "
            f"{gbp(row['net_central_low_per_resident'])} to "
            f"{gbp(row['net_central_high_per_resident'])})")  # fmt: skip


def council_html(result: Any) -> str:
    """The council section at the head of the report: name, code and population (with its
    year), the resolution, the age profile, the fifths with their sizes and status, and the
    money of each scenario per resident."""
    council: Council | None = result.council
    if council is None:
        return ""
    rows = [
        [esc(r.label), esc(r.imd_deciles), f"{r.neighbourhoods:,}", f"{r.residents:,.0f}",
         f"{r.citizens:,}", "<b>none here</b>" if r.status == "empty"
         else "<b>small sample</b>" if r.status == "small" else "reported"]
        for r in council.fifths.itertuples()
    ]  # fmt: skip
    ages = ""
    if council.ages:
        a = council.ages
        ages = (f"<p>Ages in the table: {a['children']:.0%} children (0-15), "
                f"{a['aged_16_59']:.0%} aged 16-59, {a['aged_60_plus']:.0%} aged 60 and over. "
                "Each neighbourhood's share of older citizens follows its share of people "
                "aged 60+ against the table as a whole (need grows fastest among older "
                "people); WELLBYs count the residents aged 16 and over.</p>")  # fmt: skip
    else:
        ages = ("<p>The table has no age columns: every neighbourhood has the scenario's age "
                "mix, and WELLBYs count every resident.</p>")  # fmt: skip
    money = ""
    if not result.money.empty:
        spent = result.money[result.money["item"] == "spent"]
        money_rows = [[f"<b>{esc(r.scenario)}</b>", f"£{r.mean:,.0f}",
                       f"£{r.low:,.0f} to £{r.high:,.0f}"]
                      for r in spent.itertuples()]  # fmt: skip
        money = ("<p>Money spent, GBP per resident per year (mean over plausible worlds and "
                 "the range holding 90% of them):</p>"
                 + table(["scenario", "spent per resident a year", "90% of worlds"],
                         money_rows))  # fmt: skip
    notes = "".join(f"<p class='note'>{esc(line)}</p>" for line in council.fifths_words())
    return f"""<section id="council">
<h2>The council: {esc(council.title)}</h2>
<p>{esc(council.population_words())}, from {esc(_table_name(council.table))}. Every scenario
runs in its {len(council.neighbourhoods):,} neighbourhoods (LSOAs), each with its national
deprivation; {esc(council.resolution_words())}.</p>
{ages}
{notes}
{
        table(
            [
                "fifth",
                "IMD deciles",
                "neighbourhoods",
                "residents",
                "citizens simulated",
                "figures",
            ],
            rows,
        )
    }
{money}
</section>"""


def _table_name(table_path: str) -> str:
    """A table's file name only: no path of this machine in a report."""
    return table_path.replace("\\", "/").rsplit("/", 1)[-1]


def fifth_labels(council: Council | None) -> dict[int, str]:
    """Marks for a picture's fifth labels ({fifth: 'none here' | 'small sample'})."""
    if council is None:
        return {}
    return {q: m for q in range(1, 6) if (m := fifth_mark(council, q))}


def baseline_html(result: Any, short: bool) -> str:
    """The checks of a council's baseline: against its own figures where it gave them
    (``--local-figures``), against England's elsewhere, said apart, with why a council may
    differ from England. ``short``: one paragraph for the summary; else the full section."""
    from ..councils import WHY_NATIONAL, council_targets
    from . import caveats

    council: Council = result.council
    runs = result.runs[result.runs["scenario"] == result.baseline]
    targets, own = council_targets(council.figures)
    used = [t for t in targets if t.name not in own]  # England's, where it gave none
    mine = caveats.calibration_caveats(runs, None, targets=[t for t in targets if t.name in own])
    england = caveats.calibration_caveats(runs, None, targets=used)
    record = str(result.settings.get("calibration_record", ""))  # stored with the comparison
    state = ("The calibrated baseline" if result.settings.get("calibrated")
             else "The baseline (not calibrated)")  # fmt: skip
    where = f"{len(runs)} baseline worlds of this comparison (final-year medians)"
    name = esc(council.name)
    own_words = (
        f"against {name}'s own {mine.checked} figure{'s' if mine.checked != 1 else ''} "
        + (f"it misses {len(mine.missed)}: " + "; ".join(esc(m.split(" (")[0])
                                                         for m in mine.missed)
           if mine.missed else "it is within every band")
        if own else f"no figure of {name}'s own was given (--local-figures)"
    )  # fmt: skip
    unchecked = len(used) - england.checked
    national_words = (
        f"against {england.checked} national figures of England"
        + (f" ({unchecked} more cannot be checked on a comparison's runs or need a fifth "
           "the council lacks)" if unchecked else "")
        + (f" it misses {len(england.missed)}: "
           + "; ".join(esc(m.split(" (")[0]) for m in england.missed)
           if england.missed else ", within every band")
    )  # fmt: skip
    if short:
        return (f"<p><b>Checks of {name}'s baseline</b> in the {esc(where)}: {own_words}; "
                f"{national_words}. {esc(WHY_NATIONAL)}</p>")  # fmt: skip
    described = {t.name: t.description for t in targets}
    own_rows = [
        [esc(described[f.target]), f"{f.value:g}", f"{f.low:g} to {f.high:g}",
         esc(f.source), esc(f.year)]
        for f in (council.figures.figures if council.figures else ())
    ]  # fmt: skip
    national_rows = [[esc(t.description), f"{t.value:g}", f"{t.low:g} to {t.high:g}",
                      esc(t.series)] for t in used]  # fmt: skip
    missed = "".join(f"<li>{esc(m)}</li>" for m in mine.missed + england.missed) or (
        "<li>none</li>"
    )
    return f"""<h3>Checks of {name}'s baseline</h3>
<p>{state} is checked in the {esc(where)}: {own_words}; {national_words}.</p>
{table(["figure", "value", "band", "source", "year"], own_rows) if own_rows else ""}
<p>National figures used (England; {name} gave no figure of its own for them):</p>
{table(["figure", "England", "band", "series"], national_rows, "small")}
<p>{esc(WHY_NATIONAL)} Where a council has its own estimate (the ONS publishes life
satisfaction by local authority; some councils survey volunteering or civic participation),
give it in a file of local figures (see docs/councils.md).</p>
<p>Missed:</p><ul>{missed}</ul>
{f"<p>The calibration's record: {esc(record)}.</p>" if record else ""}"""


def councils_figure(councils: pd.DataFrame, policy: str, baseline: str, plan: Any = None):
    """Each council's gain against its deprivation, at a glance: left, the change in life
    satisfaction (0-10) for everyone; right, the net value per resident at the central WELLBY
    value. One dot per council (area by residents; hollow: a small sample), a bar for the range
    holding 90% of worlds, and the mean over councils in tenths of deprivation as a line."""
    import numpy as np
    from matplotlib.figure import Figure

    left_out = councils[councils["worlds"] == 0]
    councils = councils[councils["worlds"] > 0]
    fig = Figure(figsize=(12, 5.2), layout="constrained")
    axes = fig.subplots(1, 2)
    x = councils["deprivation_percentile"].to_numpy(float)
    size = 8 + 60 * np.sqrt(councils["residents"] / max(councils["residents"].max(), 1))
    small = (councils["status"] == "small sample").to_numpy()
    panels = (("gain", "change in life satisfaction (0-10 points), everyone"),
              ("net_value_per_resident", "net value per resident (GBP, present value, "
               "£13,000 per WELLBY)"))  # fmt: skip
    for ax, (key, label) in zip(axes, panels, strict=True):
        mean = councils[f"{key}_mean"].to_numpy(float)
        low, high = councils[f"{key}_low"].to_numpy(float), councils[f"{key}_high"].to_numpy(float)
        ax.vlines(x, low, high, color="#1b5e9a", alpha=0.25, lw=1)
        ax.scatter(x[~small], mean[~small], s=size[~small], color="#1b5e9a", alpha=0.7,
                   edgecolor="white", lw=0.4, label="council (area: residents)")  # fmt: skip
        if small.any():
            ax.scatter(x[small], mean[small], s=size[small], facecolor="none",
                       edgecolor="#d1495b", lw=1, label="small sample")  # fmt: skip
        if len(x) >= 10:
            bins = np.clip((x / 10).astype(int), 0, 9)
            centres = [x[bins == b].mean() for b in range(10) if (bins == b).any()]
            means = [mean[bins == b].mean() for b in range(10) if (bins == b).any()]
            ax.plot(centres, means, color="#d1495b", lw=2, label="mean by tenth of deprivation")
        ax.axhline(0, color="#444", lw=0.8)
        ax.set_xlabel("council's deprivation (national percentile, 100 = most deprived)",
                      fontsize=9)  # fmt: skip
        ax.set_ylabel(label, fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, loc="best")
    worlds = int(councils["worlds"].max()) if len(councils) else 0
    scale = (f", {plan.scale:g} citizens per resident (small councils finer), {plan.steps} "
             "months" if plan else "")  # fmt: skip
    missing = ("; not simulated (too few neighbourhoods): " + ", ".join(left_out["council"])
               if not left_out.empty else "")  # fmt: skip
    fig.suptitle(f"{policy} against {baseline} in {len(councils)} councils: each council's "
                 f"gain against its deprivation\n{worlds} plausible worlds{scale}; bars: the "
                 f"range holding 90% of worlds{missing}", fontsize=10)  # fmt: skip
    return fig
