"""HTML sections of the comparison report that a briefing quotes: value for money (as a finance
officer reads it) and the caveats (of each lever a scenario changes, and of the calibration).

Pure text: each function takes the comparison's tables and returns HTML; pictures arrive as
ready ``<figure>`` elements. Numbers come from ``analysis.costs`` and ``analysis.caveats``.
"""

from __future__ import annotations

import html
from typing import Any

from ..levers_guide import lever_titles
from . import caveats, costs, payers, store

esc = html.escape


def table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    """An HTML table; cells are HTML already, headers are escaped (and may break after an
    underscore, so long scenario names do not push a printed table off the page)."""
    th = "".join(f"<th>{esc(h).replace('_', '_<wbr>')}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def gbp(value: float) -> str:
    """Money in a briefing's words: £1.23m, £45.6k, £950 (minus sign in front)."""
    if value != value:
        return "n/a"
    sign, x = ("−" if value < 0 else ""), abs(value)
    if x >= 1e6:
        return f"{sign}£{x / 1e6:.2f}m"
    if x >= 1e4:
        return f"{sign}£{x / 1e3:.0f}k"
    if x >= 1e3:
        return f"{sign}£{x / 1e3:.1f}k"
    return f"{sign}£{x:.0f}"


_gbp = gbp


OUTSIDE = "†"  # marks a mean that lies outside the range holding 90% of the same worlds


def _cell(mean: float, low: float, high: float, fmt=_gbp) -> str:
    """A mean over worlds with, below it, the range holding 90% of the same worlds; a mean
    that a few far-off worlds pull outside that range is marked (``OUTSIDE``)."""
    mark = OUTSIDE if mean == mean and not low - 1e-9 <= mean <= high + 1e-9 else ""
    return f"{fmt(mean)}{mark}<br><small>{fmt(low)} to {fmt(high)}</small>"


def _extra_cost_cell(r: Any) -> str:
    """The extra cost, or "no extra cost" where the appraisal counts it as none (within
    ``costs.SAME_COST`` of the baseline's spending): no figure that reads as a price."""
    if "no extra cost" in r.verdict or r.verdict == "no change":
        return (f"no extra cost<br><small>mean {_gbp(r.extra_cost_mean)}; 90% of worlds "
                f"{_gbp(r.extra_cost_low)} to {_gbp(r.extra_cost_high)}</small>")  # fmt: skip
    return _cell(r.extra_cost_mean, r.extra_cost_low, r.extra_cost_high)


def value_for_money_html(
    result: Any, figures: dict[str, str], breaks: dict[str, int | None], ranked: list[str]
) -> str:
    """Money committed, spent, returned and in reserve per scenario; cost and benefit of each
    scenario against the baseline at present value, with dominance in words, net value at the
    three Green Book values, and when it breaks even (scenarios in the order of ``ranked``);
    the time profile; what the pounds are."""
    p0 = result.scenarios[0].params
    n, steps, base = p0["n_citizens"], p0["steps"], result.baseline
    money = result.money
    items = list(dict.fromkeys(money["item"])) if not money.empty else []
    money_rows = []
    for scenario in [s.name for s in result.scenarios]:
        part = money[money["scenario"] == scenario].set_index("item")
        money_rows.append([f"<b>{esc(scenario)}</b>"] + [
            _cell(part.loc[i, "mean"], part.loc[i, "low"], part.loc[i, "high"],
                  lambda x: f"£{x:,.0f}")
            if i in part.index else "n/a" for i in items
        ])  # fmt: skip
    hour = f"£{costs.HOUR_VALUES['central']:,.2f}"
    low, central, high = costs.WELLBY_VALUES.values()
    value_rows = []
    order = {name: k for k, name in enumerate(ranked)}
    appraisal = result.appraisal.sort_values("scenario", key=lambda c: c.map(order))
    for r in appraisal.itertuples(index=False):
        interval = (
            f"{_gbp(r.gbp_per_wellby_low)} to {_gbp(r.gbp_per_wellby_high)}"
            if r.gbp_per_wellby_low == r.gbp_per_wellby_low
            else "no interval: the sign of cost or gain varies"
        )
        ratio = (
            f"{_gbp(r.gbp_per_wellby)}{' saved per WELLBY lost' if 'cheaper' in r.verdict else ''}"
            f"<br><small>{interval}</small>"
            if r.gbp_per_wellby == r.gbp_per_wellby
            else "none: " + ("no extra cost" if "better" in r.verdict else "no gain")
        )
        nets = "<br>".join(
            f"{_gbp(getattr(r, f'net_{k}_mean'))} <small>({_gbp(getattr(r, f'net_{k}_low'))} "
            f"to {_gbp(getattr(r, f'net_{k}_high'))})</small>"
            for k in costs.WELLBY_VALUES
        )
        value_rows.append([
            f"<b>{esc(r.scenario)}</b>",
            f"{esc(r.verdict)}<br><small>in {r.worlds_with_verdict} of {r.worlds} worlds</small>",
            _extra_cost_cell(r),
            _cell(r.wellbys_mean, r.wellbys_low, r.wellbys_high, lambda x: f"{x:+,.0f}"),
            ratio, nets, f"{r.net_central_positive} of {r.worlds}",
            esc(costs.break_even_words(breaks.get(r.scenario))),
        ])  # fmt: skip
    council = getattr(result, "council", None)
    who = "citizen" if council is None else "resident"
    pounds = (
        f"""<p class="note"><b>The pounds are stylised.</b> They are the budget of a model
locality of {n:,} citizens (a grant of £{p0["grant_per_citizen"]:,.0f} per citizen a month in
the baseline), not a real council's accounts: read them as proportions of that budget and as
differences between scenarios, not as sums to enter in a budget.</p>"""
        if council is None else
        f"""<p class="note"><b>The pounds are {esc(council.name)}'s, in real terms.</b> Each of
the model's {n:,} citizens stands for {council.residents / n:,.0f} of the council's
{council.residents:,.0f} residents, so every sum is scaled up by that much (a grant of
£{p0["grant_per_citizen"]:,.0f} per resident a month in the baseline); the model's resolution
changes only the noise of these sums, not their size. They are the model's budget, not the
council's accounts: read them as differences between scenarios.</p>"""
    )  # fmt: skip
    where = "the model locality" if council is None else "the council's residents"
    return f"""<section class="major" id="value">
<h2>Value for money</h2>
{pounds}
<h3>Money committed, spent and left unspent</h3>
<p>GBP per {who} per year, averaged over the {steps} months of the run (not discounted);
the reserve carried over at the end of the run in GBP per {who}. Mean over plausible worlds,
below it the range holding 90% of them. Money committed but not spent is carried over in the
reserve, and the reserve above its cap is returned to the centre each year. {OUTSIDE} marks a
mean that a few worlds far from the rest pull outside the range holding 90% of worlds.</p>
{table(["scenario", *items], money_rows, "money")}
<h3>Cost and benefit against {esc(base)}</h3>
<p><b>Cost</b> = the extra resources a scenario uses compared with {esc(base)}, month by month,
discounted at {costs.COST_RATE:.1%} a year and summed over the run (present value, {where},
GBP, {costs.PRICE_BASE} prices): the money spent on services (repayments to investors
are transfers, not costs) and citizens' time (hours of community action and of co-producing
support at {hour} an hour); "Who pays" below splits it.
<b>Benefit</b> = the extra WELLBYs (one point of life satisfaction for one
person for one year), discounted at {costs.WELLBEING_RATE:.1%} a year, valued at the Treasury's
low, central and high values of £{low:,}, £{central:,} and £{high:,} per WELLBY (2019 prices).
<b>Net value</b> = benefit − cost. Each figure: mean over plausible worlds, then the range
holding 90% of them. A scenario that gains at no extra cost, or with a saving, has no cost per
WELLBY (it is simply better value); an extra cost within {costs.SAME_COST:.1%} of the
baseline's spending counts as no extra cost. One that saves money and loses well-being is shown
as the saving per WELLBY lost. {OUTSIDE} marks a mean that a few worlds far from the rest pull
outside the range holding 90% of worlds (value_for_money.csv and runs.csv hold every world).
Money in {store.PRICE_BASE} prices, the price base of the WELLBY values.</p>
{
        table(
            [
                "scenario",
                "verdict",
                "extra cost (PV)",
                "WELLBYs gained (PV)",
                "cost per WELLBY",
                f"net value at £{low // 1000}k / £{central // 1000}k / £{high // 1000}k",
                f"net value > 0 at £{central // 1000}k",
                "breaks even",
            ],
            value_rows,
            "value",
        )
    }
{payers.who_pays_html(result.payers, ranked, _cell)}
<h3>When it pays: net value over time</h3>
<p>Cumulative net value against {esc(base)} at £{central:,} per WELLBY, month by month, at
present value. A scenario breaks even in the month from which its mean line stays above zero
to the end of the run; "not within the run" when it ends below zero.</p>
{figures.get("time_profile", "")}
<p><small>Sources: {esc(costs.WELLBY_SOURCE)}. {esc(costs.RATE_SOURCE)}. {esc(costs.RATE_CHECKED)}
Discounting follows the Green Book's yearly convention: months 1-12 are year 0, undiscounted.
</small></p>
</section>"""


def _value(x: Any) -> str:
    """A lever's value as a reader writes it: 0.8, 60, not 60.0."""
    return f"{x:g}" if isinstance(x, float) else str(x)


def run_caveats_html(result: Any, mid: float) -> str:
    """Caveats from this comparison's own worlds (no figure quoted from earlier runs): for
    each scenario, in how many worlds it does worse than the baseline for everyone and for the
    most deprived fifth, and in how many its net value at the central WELLBY value is
    negative."""
    if result.robust.empty:
        return ""
    robust = result.robust.set_index(["scenario", "group"])
    value = result.appraisal.set_index("scenario") if not result.appraisal.empty else None
    items = []
    for s in result.scenarios[1:]:
        every, most = robust.loc[(s.name, "everyone")], robust.loc[(s.name, "fifth 5")]
        n = int(every["worlds"])
        line = (f"worse than {esc(result.baseline)} for everyone in {n - int(every['better'])} "
                f"of {n} worlds (by {mid:g} points or more in {int(every['worse_by_mid'])}); "
                f"for the most deprived fifth in {n - int(most['better'])} (by {mid:g} or more "
                f"in {int(most['worse_by_mid'])})")  # fmt: skip
        if value is not None and s.name in value.index:
            negative = n - int(value.loc[s.name, "net_central_positive"])
            line += (f"; net value below zero at £{costs.WELLBY_VALUES['central']:,} per "
                     f"WELLBY in {negative} of {n}")  # fmt: skip
        items.append(f"<li><b>{esc(s.name)}</b>: {line}.</li>")
    return ("<h3>What this comparison's worlds show</h3><p>Computed from this run's worlds; "
            "the lever guide's paragraphs below describe mechanisms, and figures it quotes "
            "from earlier runs are left out.</p>"
            f'<ul class="small">{"".join(items)}</ul>')  # fmt: skip


SUMMARY_CAVEATS = 3  # lever caveats per scenario in the summary; the rest in the detail


def summary_caveats_html(result: Any) -> dict[str, str]:
    """Per scenario, the caveats of the levers it changes against the baseline, one line each
    (the opening of the lever guide's "how it can fail or backfire" paragraph): the
    ``SUMMARY_CAVEATS`` levers it moves furthest across their range, then how many more the
    detail lists, so a scenario that changes many levers keeps a short summary."""
    base = result.scenarios[0].params
    out = {}
    for s in result.scenarios[1:]:
        found = caveats.lever_caveats(dict(s.params), dict(base))
        if not found:
            continue
        shown = sorted(found, key=lambda c: -c.size)[:SUMMARY_CAVEATS]
        titles = lever_titles()
        lines = " · ".join(
            f"<b>{esc(titles.get(c.lever, c.lever))}</b> {esc(_value(c.baseline))} → "
            f"{esc(_value(c.value))}" + (f": {esc(c.short)}" if c.short else "")
            for c in shown
        )
        more = len(found) - len(shown)
        if more:
            lines += (f" · and {more} more lever{'s' if more > 1 else ''} (see How each lever "
                      "can fail or backfire)")  # fmt: skip
        title = "Caveats of the levers it changes" + (" most" if more else "")
        out[s.name] = f'<p class="caveats">{title}: {lines}</p>'
    return out


def calibration_html(result: Any, short: bool) -> str:
    """The calibration's caveats: the targets the baseline misses in this comparison's worlds
    (read from its runs), the targets a comparison cannot check, and the calibration's own
    record. ``short``: one paragraph for the summary; else the full section. A council's
    baseline is checked against its own figures where it has them (``council_pages``)."""
    if getattr(result, "council", None) is not None:
        from .council_pages import baseline_html

        return baseline_html(result, short)
    baseline = result.scenarios[0]
    runs = result.runs[result.runs["scenario"] == result.baseline]
    found = caveats.calibration_caveats(runs, None)
    found.calibrated = bool(result.settings.get("calibrated", False))  # stored with the run
    found.record = str(result.settings.get("calibration_record", ""))
    p0 = baseline.params
    where = (
        f"the {found.runs} baseline worlds of this comparison ({p0['n_citizens']:,} citizens, "
        f"{p0['steps']} months; final-year medians)"
    )
    if found.checked == 0:
        return "" if short else "<p>No calibration target could be checked.</p>"
    state = "The calibrated baseline" if found.calibrated else "The baseline (not calibrated)"
    if short:
        if not found.missed:
            return (f"<p><b>Calibration.</b> {state} reproduces all {found.checked} published "
                    f"figures checked in {esc(where)}.</p>")  # fmt: skip
        names = "; ".join(esc(m.split(" (")[0]) for m in found.missed)
        return (
            f"<p><b>Calibration.</b> {state} misses {len(found.missed)} of the {found.checked} "
            f"published UK figures checked in {esc(where)}: {names}. Results lean on its "
            "mechanisms more than on a close fit; see Caveats.</p>"
        )
    missed = "".join(f"<li>{esc(m)}</li>" for m in found.missed) or "<li>none</li>"
    unchecked = "".join(f"<li>{esc(u)}</li>" for u in found.unchecked)
    record = f"<p>The calibration's record: {esc(found.record)}.</p>" if found.record else ""
    return f"""<h3>Calibration</h3>
<p>{state} is checked against the published UK figures of the calibration's targets in
{esc(where)}: each world draws its own calibrated parameters, so these runs are a posterior
predictive check. A target is missed when the median lies outside its published band.</p>
<ul>{missed}</ul>
{
        f"<p>Not checked on a comparison's runs (they need the model's state; see "
        f"<code>coauthor-sim validate</code>):</p><ul>{unchecked}</ul>"
        if unchecked
        else ""
    }
{record}"""


def lever_caveats_html(result: Any) -> str:
    """The full "how it can fail or backfire" paragraph of every lever some scenario changes,
    once each, with the scenarios that change it."""
    base = result.scenarios[0].params
    by_lever: dict[str, list[str]] = {}
    texts: dict[str, str] = {}
    for s in result.scenarios[1:]:
        for c in caveats.lever_caveats(dict(s.params), dict(base)):
            by_lever.setdefault(c.lever, []).append(s.name)
            texts[c.lever] = c.text
    if not by_lever:
        return "<p>No scenario changes a lever.</p>"
    if not any(texts.values()):
        return ("<p>The lever guide (docs/levers.md) was not found, so the levers' caveats are "
                "not shown: read them in the guide.</p>")  # fmt: skip
    titles = lever_titles()
    items = "".join(
        f"<li><b>{esc(titles.get(lever, lever))}</b> <small>({esc(lever)}; changed by "
        f"{esc(', '.join(names))})</small>: "
        f"{esc(texts[lever]) or 'no caveat written in the guide.'}</li>"
        for lever, names in by_lever.items()
    )
    return f'<h3>How each lever can fail or backfire</h3><ul class="small">{items}</ul>'
