"""Writing a comparison to disk: CSV tables, PNG pictures, a self-contained HTML report, and
the manifest. This is the only module of the comparison that touches files."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

import pandas as pd

from ..compare import COMPARED, Comparison
from ..levers_guide import lever_titles
from ..outcomes import HEADLINE_OUTCOMES, HIGHER_IS_BETTER, OUTCOME_LABELS
from ..params import SPECS, defaults
from ..scenario import GROUP_TABLE
from . import answer, briefing, caveats, costs, council_pages, plots, robustness
from .briefing import gbp
from .stats import WELLBY_GBP


def _on_ls_scale(outcome: str) -> bool:
    """Well-being outcomes (0-1) are shown as life satisfaction (0-10), one scale throughout."""
    return outcome.startswith("wellbeing_")


def _label(outcome: str) -> str:
    label = OUTCOME_LABELS.get(outcome, outcome)
    if _on_ls_scale(outcome):
        label = label.replace("Well-being", "Life satisfaction") + " (0-10)"
    return label


def _fmt(value: float, outcome: str) -> str:
    if value != value:  # NaN
        return "n/a"
    if _on_ls_scale(outcome):
        return f"{10 * value:.2f}"
    if outcome in ("spending_total", "total_spending"):
        return f"{value:,.0f}"
    if outcome == "wellbys":
        return f"{value:,.0f}"
    if outcome == "life_satisfaction":
        return f"{value:.2f}"
    if outcome.endswith(("_share", "_rate", "participation")) and outcome != "crisis_rate":
        return f"{100 * value:.1f}%"
    if outcome == "crisis_rate":
        return f"{1000 * value:.2f}‰"
    return f"{value:.3f}"


def _cell(summary_row: pd.Series, outcome: str) -> str:
    return (
        f"{_fmt(summary_row['mean'], outcome)} "
        f"[{_fmt(summary_row['ci_low'], outcome)}, {_fmt(summary_row['ci_high'], outcome)}]"
    )


def _diff_mark(row: pd.Series, outcome: str) -> str:
    if not row["significant"]:
        return "≈ no clear difference"
    if outcome not in HIGHER_IS_BETTER:
        return "▲ higher" if row["difference"] > 0 else "▼ lower"
    better = (row["difference"] > 0) == HIGHER_IS_BETTER[outcome]
    return "▲ better" if better else "▼ worse"


TERMINAL_COLUMNS = [
    ("life_satisfaction", "LS 0-10"),
    ("wellbeing_most_deprived", "LS most dep"),
    ("wellbeing_gap", "gap"),
    ("low_wellbeing_share", "low LS"),
    ("engagement_rate", "engaged"),
    ("unmet_need", "unmet"),
    ("crisis_rate", "crises"),
    ("spending_total", "GBP/month"),
]


def verdicts(result: Comparison) -> list[dict[str, Any]]:
    """One verdict per scenario other than the baseline, best first (by the mean change in
    life satisfaction for everyone; those flagged by the plausibility guard last, as page 1
    shows them apart): the change for everyone and for the least and most
    deprived fifths, how sure in plain words, regret, and the plausibility flag. No p-values:
    these are the headline."""
    if result.robust.empty:
        return []
    robust = result.robust.set_index(["scenario", "group"])
    regret = result.regret.set_index("scenario")
    guard = result.plausibility.set_index("scenario") if not result.plausibility.empty else None
    value = result.appraisal.set_index("scenario") if not result.appraisal.empty else None
    breaks = costs.break_even(result.profile) if not result.profile.empty else {}
    out = []
    for name in [s.name for s in result.scenarios[1:]]:
        every = robust.loc[(name, "everyone")]
        out.append({
            "scenario": name,
            "difference": every["difference"],
            "worlds_low": every["worlds_low"],
            "worlds_high": every["worlds_high"],
            "better": int(every["better"]),
            "better_by_mid": int(every["better_by_mid"]),
            "worse_by_mid": int(every["worse_by_mid"]),
            "worlds": int(every["worlds"]),
            "least": robust.loc[(name, "fifth 1"), "difference"],
            "most": robust.loc[(name, "fifth 5"), "difference"],
            "least_mark": council_pages.fifth_mark(result.council, 1),
            "most_mark": council_pages.fifth_mark(result.council, 5),
            "mean_regret": regret.loc[name, "mean_regret"],
            "worst_regret": regret.loc[name, "worst_regret"],
            "implausible": bool(answer.flag_reasons(guard.loc[name] if guard is not None
                                                    else None)),
            "flag": flag_words(guard.loc[name]) if guard is not None else "",
            "failure": result.box_words.get(name, ""),
            "value": value_words(value.loc[name], breaks.get(name, -1))
            if value is not None else "",
        })  # fmt: skip
    return sorted(out, key=lambda v: (v["implausible"], -v["difference"]))


def _pts(value: float) -> str:
    return f"{value:+.2f}" if value == value else "n/a"


def _fifth_pts(v: dict[str, Any], key: str, name: str) -> str:
    """A fifth's change in a verdict: 'none here' for a fifth the council lacks, marked
    when its sample is small."""
    mark = v.get(f"{key}_mark", "")
    if mark == council_pages.NONE_HERE or v[key] != v[key]:
        return f"{name}: none here"
    return f"{name} {_pts(v[key])}" + (f" ({mark})" if mark else "")


def verdict_line(v: dict[str, Any], mid: float) -> str:
    """A verdict in one line of plain words."""
    return (
        f"{_pts(v['difference'])} points of life satisfaction (0-10) for everyone "
        f"(90% of worlds: {_pts(v['worlds_low'])} to {_pts(v['worlds_high'])}); "
        f"{robustness.certainty_words(v['better'], v['worlds'])}, by {mid:g} points or more "
        f"in {v['better_by_mid']}; {_fifth_pts(v, 'most', 'most deprived fifth')}, "
        f"{_fifth_pts(v, 'least', 'least deprived')}"
    )


def _range(low: float, high: float, fmt=gbp) -> str:
    return f"{fmt(low)} to {fmt(high)}"


def value_words(row: pd.Series, breaks: int | None = -1) -> str:
    """Value for money in words, from one row of ``costs.appraisal``: dominance (with the worlds
    that share it), the cost per WELLBY of a dearer and better scenario against the Green
    Book's values, the net value at the central value with its 90% range, and when it breaks
    even (``breaks``: a month, None for not within the run, -1 for not known)."""
    low, central, high = costs.WELLBY_VALUES.values()
    verdict = row["verdict"]
    words = f"{verdict} in {row['worlds_with_verdict']} of {row['worlds']} worlds"
    ratio = row["gbp_per_wellby"]
    if ratio == ratio:
        interval = (
            f" (90%: {_range(row['gbp_per_wellby_low'], row['gbp_per_wellby_high'])})"
            if row["gbp_per_wellby_low"] == row["gbp_per_wellby_low"]
            else " (interval not given: the gain or cost changes sign in resampled worlds)"
        )
        if verdict == "dearer and better":
            where = ("below the Green Book's low value" if ratio < low else
                     "above the Green Book's high value" if ratio > high else
                     "within the Green Book's range")  # fmt: skip
            words += f": {gbp(ratio)} per WELLBY{interval}, {where}"
        else:
            where = ("less than a WELLBY is worth at any Green Book value" if ratio < low
                     else "more than a WELLBY is worth at any Green Book value" if ratio > high
                     else "within the Green Book's range")  # fmt: skip
            words += f": saves {gbp(ratio)} per WELLBY lost{interval}, {where}"
    words += (
        f"; net value {gbp(row['net_central_mean'])} (90% of worlds: "
        f"{_range(row['net_central_low'], row['net_central_high'])}) at £{central:,} per "
        f"WELLBY{council_pages.per_resident_words(row)}, positive in "
        f"{row['net_central_positive']} of {row['worlds']} worlds"
    )
    if breaks != -1:
        words += f"; breaks even: {costs.break_even_words(breaks)}"
    return words


def flag_words(guard: pd.Series) -> str:
    """The plausibility flag in words (the same phrases as page 1), or "" when within
    published experience."""
    reasons = answer.flag_reasons(guard)
    if not reasons:
        return ""
    return ("Outside published experience: " + "; ".join(reasons) + ". Check the effect sizes "
            "behind it before relying on it.")  # fmt: skip


def terminal_table(result: Comparison) -> str:
    """A one-screen text table, one row per scenario (final-year means of key outcomes), then
    one verdict per scenario against the baseline: how much, for whom, and how sure, counted
    in plausible worlds (no p-values)."""
    names = [s.name for s in result.scenarios]
    summary = result.summary.set_index(["scenario", "outcome"])
    width = max(len("scenario"), *(len(n) for n in names))
    head = f"{'scenario':{width}}" + "".join(f"{label:>12}" for _, label in TERMINAL_COLUMNS)
    lines = [head, "-" * len(head)]
    for name in names:
        cells = [
            f"{_fmt(summary.loc[(name, outcome), 'mean'], outcome):>12}"
            for outcome, _ in TERMINAL_COLUMNS
        ]
        lines.append(f"{name:{width}}" + "".join(cells))
    lines += [
        "",
        "Final-year means over "
        f"{result.settings['replications']} plausible worlds. LS = life satisfaction (0-10); "
        "LS most dep = life "
        "satisfaction of the most deprived fifth; gap = least minus most deprived fifth (LS "
        "points); low LS = share with "
        "life satisfaction 0-4; crises per 1,000 citizens per month.",
    ]
    if result.council is not None:
        lines += ["", *council_pages.terminal_lines(result.council)]
        if "gap" in head and result.council.empty_fifths():
            lines.append("n/a: a figure that needs a fifth the council lacks (the gap needs "
                         "both the least and the most deprived fifth).")  # fmt: skip
    mid = result.settings.get("minimum_important_difference", robustness.MID_DEFAULT)
    found = verdicts(result)
    if found:
        lines += ["", f"Against {result.baseline}, best first:"]
        for v in found:
            lines.append(f"  {v['scenario']}: {verdict_line(v, mid)}.")
            if v["value"]:
                lines.append(f"    value for money: {v['value']}.")
            if v["flag"]:
                lines.append(f"    ! {v['flag']}")
    return "\n".join(lines)


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def write_comparison(
    result: Comparison, folder: Path, manifest: dict[str, Any], pdf: bool = False
) -> Path:
    """Store the comparison's tables and report.json in ``folder`` (``analysis.store``), then
    draw the report from what was stored (``render``: pictures, report.html and, with ``pdf``,
    its A4 print report.pdf), and write the manifest; return the report's path. A failed print
    must not lose the comparison: its reason goes in the manifest."""
    from ..provenance import write_json
    from . import store

    baseline = result.scenarios[0]
    store.save(result, folder, extra={
        "calibrated": baseline.posterior is not None,
        "calibration_record": caveats.calibration_record(baseline.posterior),
    })  # fmt: skip
    report, error = render(folder, pdf)
    if error:
        manifest = {**manifest, "pdf_error": error}
    files = [*sorted(p.name for p in folder.iterdir() if p.name != "manifest.json"),
             "manifest.json"]  # fmt: skip
    write_json(folder / "manifest.json", {**manifest, "files": files})
    return report


def figures(result: Comparison) -> dict[str, Any]:
    """The report's charts (matplotlib Figures by file stem), each scenario in its one colour
    (``plots.scenario_colours``) and under its plain name in every chart."""
    names = [s.name for s in result.scenarios]
    colours = plots.scenario_colours(names)
    labels = {n: answer.plain_name(n) for n in names}
    found = {
        "trajectories": plots.trajectories(
            result.trajectories, list(HEADLINE_OUTCOMES), colours, labels
        ),
        "fifths": plots.fifths(
            result.summary, colours, labels, council_pages.fifth_labels(result.council)
        ),
    }
    if len(names) > 1:
        ranked = [v["scenario"] for v in verdicts(result)]  # best first, as in the summary
        found["differences"] = plots.differences(
            result.robust,
            ranked,
            result.baseline,
            colours,
            labels,
            answer.apart_names(result),
            council_pages.fifth_labels(result.council),
        )
        found["cost_vs_gain"] = plots.value_plane(
            result.appraisal, costs.WELLBY_VALUES, colours, labels
        )
        found["time_profile"] = plots.time_profile(
            result.profile, ranked, result.baseline, costs.WELLBY_VALUES["central"], colours,
            labels,
        )  # fmt: skip
    return found


def render(folder: Path, pdf: bool = False) -> tuple[Path, str | None]:
    """Draw the report of the comparison stored in ``folder`` from its files alone (no
    simulation): the pictures, report.html and, with ``pdf``, report.pdf. Returns the report's
    path and, if the PDF could not be printed, the reason (else None)."""
    from . import store

    result = store.load(folder)
    images = {}
    for key, fig in figures(result).items():
        images[key] = _png(fig)
        (folder / f"{key}.png").write_bytes(images[key])
    report = folder / "report.html"
    report.write_text(_html(result, images, folder), encoding="utf-8")
    if not pdf:
        return report, None
    from .pdf import PdfError, print_pdf

    try:
        print_pdf(report)
    except PdfError as err:
        return report, str(err)
    return report, None


_table = briefing.table


CSS = """
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.35em 0.6em; vertical-align: top; text-align: left; }
th { background: #f0f3f7; }
table.small, ul.small { font-size: 0.8em; }
figure { margin: 1em 0; } img { max-width: 100%; }
.flag { background: #fde2e4; padding: 0 0.3em; }
#answer { border: 2px solid #1b5e9a; padding: 0.2em 1.2em; margin: 1em 0; }
#answer h1 { margin-top: 0.4em; }
#answer li { margin-bottom: 0.45em; }
#answer .apart { background: #fdf0f1; border-left: 4px solid #d55e00; padding: 0.1em 0.8em; }
#answer img { max-width: 760px; }
#summary li { margin-bottom: 0.5em; }
p.caveats { font-size: 0.8em; color: #444; margin: 0.2em 0; }
.caveat, .note { background: #fff6e0; border-left: 4px solid #edae49; padding: 0.6em 1em; }
small { color: #555; }
@page { size: A4; margin: 11mm 10mm 12mm 10mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 8.5pt; line-height: 1.28; }
  h1 { font-size: 15pt; margin: 0 0 0.3em; } h2 { font-size: 12pt; margin: 0.8em 0 0.3em; }
  h3 { font-size: 10pt; margin: 0.7em 0 0.25em; } p { margin: 0.35em 0; }
  #answer { break-after: page; border-width: 1px; padding: 0 0.8em; font-size: 9pt; }
  #answer img { max-height: 105mm; max-width: 100%; }
  section.major { break-before: page; }
  h2, h3 { break-after: avoid; }
  p, li, .caveat, .note, .apart { break-inside: avoid; orphans: 3; widows: 3; }
  table { width: 100%; font-size: 7.5pt; margin: 0.4em 0; }
  th, td { padding: 0.15em 0.3em; overflow-wrap: break-word; }
  tr, figure, img { break-inside: avoid; }
  figure { margin: 0.4em 0; text-align: center; }
  img { max-width: 100%; max-height: 95mm; object-fit: contain; }
  #summary li { margin-bottom: 0.3em; }
  p.caveats, ul.small { font-size: 7pt; }
  details:not([open]) { display: none; }
  .screen-only { display: none; }
}
"""


def _shown(value: Any) -> str:
    """A parameter value as the report shows it: a file path by its name only (no path of the
    machine that ran the comparison)."""
    text = str(value)
    return Path(text).name if isinstance(value, str) and Path(text).is_absolute() else text


def _html(result: Comparison, images: dict[str, bytes], folder: Path) -> str:
    from . import store

    names = [s.name for s in result.scenarios]
    base = result.baseline
    summary = result.summary.set_index(["scenario", "outcome"])
    diffs = result.differences.set_index(["scenario", "outcome"]) if len(names) > 1 else None
    reps = result.settings["replications"]
    p0 = result.scenarios[0].params
    esc = html.escape
    titles = lever_titles()

    scen_rows = [[f"<b>{esc(s.name)}</b>", esc(s.description)] for s in result.scenarios]

    key_rows = []
    for outcome in COMPARED:
        row = [esc(_label(outcome))]
        if summary.loc[(base, outcome), "mean"] != summary.loc[(base, outcome), "mean"]:
            key_rows.append(row + ["none here: it needs a fifth the council lacks"] * len(names))
            continue
        for name in names:
            cell = _cell(summary.loc[(name, outcome)], outcome)
            if diffs is not None and name != base:
                d = diffs.loc[(name, outcome)]
                cell += (
                    f"<br><small>{_diff_mark(d, outcome)}: {_fmt(d['difference'], outcome)} "
                    f"[{_fmt(d['ci_low'], outcome)}, {_fmt(d['ci_high'], outcome)}], "
                    f"adj. p = {d['p_adjusted']:.3g}</small>"
                )
            row.append(cell)
        key_rows.append(row)

    param_sections = []
    dflt = defaults()
    for s in result.scenarios:
        changed = [
            [esc(titles.get(k, k)) + (f"<br><small>{esc(k)}</small>" if k in titles else ""),
             esc(GROUP_TABLE[SPECS[k].group]), esc(_shown(p0[k])), f"<b>{esc(_shown(v))}</b>"]
            for k, v in s.params.items()
            if v != p0[k]
        ]  # fmt: skip
        full = [
            [esc(k), esc(GROUP_TABLE[SPECS[k].group]), esc(_shown(v)), esc(_shown(dflt[k])),
             esc(SPECS[k].meaning)]
            for k, v in s.params.items() if k in SPECS
        ]  # fmt: skip
        chain = " ← ".join(esc(Path(p).name) for p in s.chain)
        changed_html = (
            _table(["parameter", "table", base, s.name], changed)
            if changed and s.name != base
            else "<p>(the baseline)</p>"
            if s.name == base
            else "<p>Same parameters as the baseline.</p>"
        )
        param_sections.append(
            f"<h3>{esc(s.name)}</h3><p><small>file: {chain}</small></p>{changed_html}"
            f"<details><summary>All {len(full)} resolved parameters</summary>"
            f"{_table(['parameter', 'table', 'value', 'default', 'meaning'], full, 'small')}"
            "</details>"
        )

    def img(key: str, alt: str) -> str:
        if key not in images:
            return ""
        data = base64.b64encode(images[key]).decode("ascii")
        return f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}"></figure>'

    mid = result.settings.get("minimum_important_difference", robustness.MID_DEFAULT)
    answer_html = answer.answer_html(
        result,
        img("differences", "change in life satisfaction against the baseline, for everyone "
            "and the most and least deprived fifths, across plausible worlds"),
        result.switching,
    )  # fmt: skip
    summary_html = _summary_html(result, mid)
    robust_html = _robust_html(result, mid)
    value_html = (
        briefing.value_for_money_html(
            result,
            {"time_profile": img("time_profile", "cumulative net value by month")},
            costs.break_even(result.profile),
            [v["scenario"] for v in verdicts(result)],
        )
        if len(names) > 1
        else ""
    )
    caveats_html = (
        '<section id="caveats"><h2>Caveats</h2>'
        + briefing.run_caveats_html(result, mid)
        + briefing.lever_caveats_html(result)
        + briefing.calibration_html(result, short=False)
        + "</section>"
        if len(names) > 1
        else ""
    )
    sig = "" if len(names) < 2 else (
        "<p>Under each result: the difference from the baseline with its 95% confidence "
        "interval, ▲/▼ where it is significant after Benjamini-Hochberg correction over all "
        "tests in this report (false discovery rate 5%), ≈ where it is not.</p>"
    )  # fmt: skip
    uncertainty = esc(
        result.settings.get("uncertainty", "").removeprefix("each replication a plausible world: ")
    )
    tables = ", ".join(sorted(p.name for p in folder.glob("*.csv"))) or "none"
    title = f": {esc(result.council.title)}" if result.council is not None else ""
    heading = "" if answer_html else f"<h1>Scenario comparison{title}</h1>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>coauthor-sim scenario comparison{title}</title>
<style>{CSS}</style></head><body>
{heading}
{answer_html}
{council_pages.council_html(result)}
{summary_html}
<p>{len(names)} scenarios, {reps} plausible worlds each, {p0["n_citizens"]:,} citizens,
{p0["steps"]} months. Baseline: <b>{esc(base)}</b>. Generated
{esc(result.settings.get("created", ""))} by coauthor-sim
{esc(result.settings.get("version", ""))}.</p>
<div class="caveat"><b>How to read this.</b> These are projections of a simulation model
whose mechanisms are hypotheses drawn from the Policy Commission report, not forecasts. Each
replication is one plausible world ({uncertainty}); every
scenario runs in the same worlds, so "better in 27 of 30 plausible worlds" counts paired
worlds, and the ranges show how far the worlds disagree. A range that leaves out what we do
not know would be too narrow: where parameters are fixed, the report says so. Changes in life
satisfaction are averages over the final year of each run, in points (0-10); money and WELLBYs
are summed over the whole run. Every figure is the mean over worlds unless it says otherwise,
and its range holds 90% of the same worlds. Read differences between scenarios, not levels,
and read them together with the caveats below and the mechanisms described in the lever guide
(docs/levers.md).</div>
<h2>Scenarios</h2>
{_table(["scenario", "description"], scen_rows)}
{value_html}
<section id="robust">{robust_html}</section>
{caveats_html}
<section id="detail">
<h2>Detail for researchers: final-year means and tests</h2>
{sig}
{_table(["outcome", *names], key_rows, "small")}
<h3>Trajectories</h3>
<p>Mean over replications, month by month, with 95% confidence bands.</p>
{img("trajectories", "outcome trajectories per scenario")}
<h3>Who gains: life satisfaction by deprivation fifth</h3>
{img("fifths", "life satisfaction by deprivation fifth")}
<h3>Cost against well-being gained</h3>
<p>Extra spending against WELLBYs gained, both at present value over the whole run, mean over
worlds with the range holding 90% of them; the lines are the Green Book's low, central and
high values of a WELLBY.</p>
{img("cost_vs_gain", "cost against well-being gained")}
<h3>Method</h3>
<ul>
<li>Worlds: {reps}; drawn uncertain parameters: {
        esc(", ".join(result.settings.get("drawn_parameters", [])) or "none")
    }. A scenario that sets one of them differently from the baseline keeps its own value.
{esc(result.settings.get("prim_note", ""))}</li>
<li>Seeds: {reps} seeds spawned from experiment seed {result.settings["seed"]} with
numpy's SeedSequence; replication r of every scenario uses the same seed (common random
numbers), so differences are paired.</li>
<li>Each run is summarised by the mean of each outcome over its final
{result.settings["summary_months"]} months; money and WELLBYs are summed over the whole run,
at present value where the report says so (costs at {costs.COST_RATE:.1%} a year, WELLBYs at
{costs.WELLBEING_RATE:.1%}). Money is in the model's stylised pounds{
        "" if result.council is None else ", scaled to the council's residents"
    }, read in
{store.PRICE_BASE} prices, the price base of the Treasury's WELLBY values.</li>
<li>Confidence intervals: Student t over replications; differences: paired t-test;
correction for multiple comparisons: Benjamini-Hochberg over every difference in this report;
cost per WELLBY: 90% percentile bootstrap over worlds (2,000 resamples).</li>
<li>This report was drawn from the tables beside it ({esc(tables)}) and report.json, and can
be drawn again from them without running anything: <code>coauthor-sim report FOLDER</code>.
Money columns carry their price base and whether they are discounted in their names;
provenance is in manifest.json.</li>
</ul>
</section>
<section id="parameters">
<h2>Parameters</h2>
<p class="screen-only"><small>Open a scenario's "All resolved parameters" to see every value;
manifest.json holds them all.</small></p>
{"".join(param_sections)}
</section>
</body></html>
"""


def _summary_html(result: Comparison, mid: float) -> str:
    """Each scenario against the baseline in detail, in the order of page 1: the change for
    everyone and the deprived fifths in plain words, value for money, where it fails, the
    plausibility flag and the caveats of the levers it changes; then the calibration's
    caveats. No p-values."""
    found = verdicts(result)
    if not found:
        return ""
    esc = html.escape
    lever_notes = briefing.summary_caveats_html(result)
    items = []
    for v in found:
        line = f"<b>{esc(v['scenario'])}</b>: {esc(verdict_line(v, mid))}."
        if v["value"]:
            line += f"<br>Value for money: {esc(v['value'])}."
        if v["failure"] and v["better"] < v["worlds"]:
            line += f"<br><small>Where it fails: {esc(v['failure'])}</small>"
        if v["flag"]:
            line += f'<br><span class="flag">{esc(v["flag"])}</span>'
        line += lever_notes.get(v["scenario"], "")
        items.append(f"<li>{line}</li>")
    return (
        f'<section id="summary"><h2>Each option against {esc(result.baseline)}, '
        "in detail</h2><ol>"
        + "".join(items)
        + "</ol>"
        + briefing.calibration_html(result, short=True)
        + f"<p><small>Life satisfaction 0-10, final-year means; money at present value over "
        f"the whole run, {_pounds(result)}. {mid:g} points is the "
        "smallest difference counted as important.</small></p>"
        "</section>"
    )


def _pounds(result: Comparison) -> str:
    """What the report's pounds are: a model locality's, or scaled to a council's people."""
    if result.council is None:
        return "in the stylised pounds of a model locality"
    return (f"in pounds scaled to the {result.council.residents:,.0f} residents of "
            f"{html.escape(result.council.name)}")  # fmt: skip


def _robust_cell(r: pd.Series, mark: str, mid: float) -> str:
    """One group's change in the robustness table; 'none here' for an empty fifth."""
    if r["worlds"] == 0 or mark == council_pages.NONE_HERE:
        return "none here<br><small>no neighbourhood of the council in this fifth</small>"
    flag = f"<br><small><b>{mark}</b></small>" if mark else ""
    return (
        f"{_pts(r['difference'])}<br><small>{_pts(r['worlds_low'])} to "
        f"{_pts(r['worlds_high'])}<br>better in {int(r['better'])}; by ≥{mid:g} in "
        f"{int(r['better_by_mid'])}; worse by ≥{mid:g} in {int(r['worse_by_mid'])}"
        f"</small>{flag}"
    )


def _robust_html(result: Comparison, mid: float) -> str:
    """Differences for everyone and each deprivation fifth, regret, scenario discovery and the
    plausibility guard, as tables."""
    if result.robust.empty:
        return ""
    esc = html.escape
    ranked = [v["scenario"] for v in verdicts(result)]
    table = result.robust.set_index(["scenario", "group"])
    rows = []
    for scenario in ranked:
        row = [f"<b>{esc(scenario)}</b>"]
        for group in robustness.GROUPS:
            fifth = council_pages.group_fifth(group)
            mark = council_pages.fifth_mark(result.council, fifth) if fifth else ""
            row.append(_robust_cell(table.loc[(scenario, group)], mark, mid))
        rows.append(row)
    regret_rows = [
        [esc(r.scenario), f"{r.mean_regret:.2f}", f"{r.worst_regret:.2f}", f"{r.share_best:.0%}"]
        for r in result.regret.itertuples(index=False)
    ]
    box_rows = [
        [esc(r.scenario), esc(r.parameter), f"{r.low:.4g}", f"{r.high:.4g}",
         f"{r.coverage:.2f}", f"{r.density:.2f}", f"{r.failures} of {r.worlds}"]
        for r in result.boxes.itertuples(index=False)
    ]  # fmt: skip
    words = (
        "".join(f"<li><b>{esc(k)}</b>: {esc(v)}</li>" for k, v in result.box_words.items())
        or f"<li>{esc(result.settings.get('prim_note') or 'no uncertain parameters drawn')}</li>"
    )
    guard_rows = []
    for r in result.plausibility.itertuples(index=False):
        ratio = (
            f"{r.benefit_cost_ratio:.1f} : 1" if r.cost_kind == "extra cost"
            else "none: gain at no extra cost" if r.cost_kind == "no extra cost"
            else "none: no gain"
        )  # fmt: skip
        flags = [w for w, on in (("ratio", r.ratio_above_limit), ("gain", r.gain_above_limit))
                 if on]  # fmt: skip
        guard_rows.append([
            esc(r.scenario), gbp(r.benefit_gbp), gbp(r.extra_cost_gbp), ratio,
            _pts(r.gain_ls),
            f"<b>outside published experience ({' and '.join(flags)})</b>" if flags
            else "within",
        ])  # fmt: skip
    return f"""<h2>How much better, for whom, how sure</h2>
<p>Change in life satisfaction (0-10) against {esc(result.baseline)}, paired world by world,
for everyone and for each fifth of neighbourhoods by deprivation: the mean over worlds; below
it the range holding 90% of worlds, and in how many of the {int(result.robust["worlds"].iloc[0])}
worlds the scenario is better, better by at least {mid:g} points, and worse by at least
{mid:g} points.</p>
{_table(["scenario", *(robustness.GROUP_LABELS[g] for g in robustness.GROUPS)], rows)}
<p>The chart on page 1 draws the columns for everyone and the most and least deprived
fifths.</p>
<h3>Regret</h3>
<p>In each world, how far a scenario falls short of the best compared scenario in that world
(life-satisfaction points, everyone): its mean, its worst case, and how often it is the
best.</p>
{_table(["scenario", "mean regret", "worst regret", "best in"], regret_rows)}
<h3>Where a policy fails: scenario discovery</h3>
<p>For each scenario that is not better in every world, PRIM (Friedman &amp; Fisher 1999, as
implemented in EMA Workbench) looks for ranges of the uncertain parameters in which the
scenario does worse than {esc(result.baseline)}. Coverage: the share of all failures inside the
box; density: the share of worlds inside the box that fail.</p>
<ul>{words}</ul>
{
        _table(["scenario", "parameter", "from", "to", "coverage", "density", "failures"], box_rows)
        if box_rows
        else ""
    }
<h3>Plausibility guard</h3>
<p>Benefit = WELLBYs gained × £{WELLBY_GBP:,} (HM Treasury wellbeing guidance, 2019 prices) and
extra cost = extra spending, both at present value over the whole run, mean over worlds.
Published experience tops out near {robustness.PLAUSIBLE_RATIO:g} : 1 (NESTA/nef 2010, an
advocacy bound; local area coordination SROI forecasts of about 4 : 1), so a larger ratio is
flagged. A gain at no extra cost has no ratio; it, like any gain, is flagged only if the gain
itself exceeds {robustness.PLAUSIBLE_GAIN:g} points for everyone (the rise of UK mean life
satisfaction from 2011/12 to 2018/19, ONS). Money is {_pounds(result)}.</p>
{
        _table(
            [
                "scenario",
                "benefit (PV)",
                "extra cost (PV)",
                "benefit : extra cost",
                "change in LS, everyone",
                "flag",
            ],
            guard_rows,
        )
    }
"""
