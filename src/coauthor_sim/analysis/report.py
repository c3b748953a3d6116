"""Writing a comparison to disk: CSV tables, PNG pictures, a self-contained HTML report, and
the manifest. This is the only module of the comparison that touches files."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

import pandas as pd

from ..compare import COMPARED, TRAJECTORY, Comparison
from ..outcomes import HIGHER_IS_BETTER, OUTCOME_LABELS
from ..params import SPECS, defaults
from ..scenario import GROUP_TABLE
from . import plots
from .stats import WELLBY_GBP


def _fmt(value: float, outcome: str) -> str:
    if value != value:  # NaN
        return "n/a"
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
    ("wellbeing_most_deprived", "most dep."),
    ("wellbeing_gap", "gap"),
    ("low_wellbeing_share", "low LS"),
    ("engagement_rate", "engaged"),
    ("unmet_need", "unmet"),
    ("crisis_rate", "crises"),
    ("spending_total", "GBP/month"),
]


def terminal_table(result: Comparison) -> str:
    """A one-screen text table, one row per scenario: final-year means of key outcomes, with
    ``+``/``-`` where a scenario is significantly better/worse than the baseline (paired
    t-test, Benjamini-Hochberg correction over every difference)."""
    names = [s.name for s in result.scenarios]
    summary = result.summary.set_index(["scenario", "outcome"])
    diffs = result.differences.set_index(["scenario", "outcome"]) if len(names) > 1 else None
    width = max(len("scenario"), *(len(n) for n in names))
    head = f"{'scenario':{width}}" + "".join(f"{label:>12}" for _, label in TERMINAL_COLUMNS)
    lines = [head, "-" * len(head)]
    for name in names:
        cells = []
        for outcome, _ in TERMINAL_COLUMNS:
            text = _fmt(summary.loc[(name, outcome), "mean"], outcome)
            mark = " "
            if diffs is not None and name != result.baseline and outcome in HIGHER_IS_BETTER:
                row = diffs.loc[(name, outcome)]
                if row["significant"]:
                    better = (row["difference"] > 0) == HIGHER_IS_BETTER.get(outcome, True)
                    mark = "+" if better else "-"
            cells.append(f"{text + mark:>12}")
        lines.append(f"{name:{width}}" + "".join(cells))
    lines += [
        "",
        "Final-year means over "
        f"{result.settings['replications']} replications. most dep. = well-being (0-1) of the "
        "most deprived fifth; gap = least minus most deprived fifth; low LS = share with life "
        "satisfaction 0-4; crises per 1,000 citizens per month.",
        f"+ / - = significantly better / worse than {result.baseline} (paired t-test, "
        "Benjamini-Hochberg false discovery rate 5%); spending is not marked.",
    ]
    return "\n".join(lines)


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def write_comparison(result: Comparison, folder: Path, manifest: dict[str, Any]) -> Path:
    """Write tables, pictures, the HTML report and the manifest into ``folder``; return the
    report's path."""
    from ..provenance import write_json

    folder.mkdir(parents=True, exist_ok=True)
    result.runs.to_csv(folder / "runs.csv", index=False)
    result.trajectories.to_csv(folder / "trajectories.csv", index=False)
    result.summary.to_csv(folder / "summary.csv", index=False)
    result.differences.to_csv(folder / "differences.csv", index=False)
    result.cost_effectiveness.to_csv(folder / "cost_effectiveness.csv", index=False)

    names = [s.name for s in result.scenarios]
    n_citizens = result.scenarios[0].params["n_citizens"]
    steps = result.scenarios[0].params["steps"]
    person_years = n_citizens * steps / 12.0
    figures = {
        "trajectories": plots.trajectories(result.trajectories, TRAJECTORY, names),
        "fifths": plots.fifths(result.summary, names),
    }
    if len(names) > 1:
        figures["cost_vs_gain"] = plots.cost_vs_gain(result.cost_effectiveness, person_years)
    images = {}
    for key, fig in figures.items():
        images[key] = _png(fig)
        (folder / f"{key}.png").write_bytes(images[key])

    report = folder / "report.html"
    report.write_text(_html(result, images, person_years), encoding="utf-8")
    files = [*sorted(p.name for p in folder.iterdir()), "manifest.json"]
    write_json(folder / "manifest.json", {**manifest, "files": files})
    return report


def _table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def _html(result: Comparison, images: dict[str, bytes], person_years: float) -> str:
    names = [s.name for s in result.scenarios]
    base = result.baseline
    summary = result.summary.set_index(["scenario", "outcome"])
    diffs = result.differences.set_index(["scenario", "outcome"]) if len(names) > 1 else None
    reps = result.settings["replications"]
    p0 = result.scenarios[0].params
    esc = html.escape

    scen_rows = [[f"<b>{esc(s.name)}</b>", esc(s.description)] for s in result.scenarios]

    key_rows = []
    for outcome in COMPARED:
        row = [esc(OUTCOME_LABELS.get(outcome, outcome))]
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

    ce_rows = []
    for r in result.cost_effectiveness.itertuples(index=False):
        per = person_years
        ratio = (
            f"{r.cost_per_wellby:,.0f} [{r.cost_per_wellby_low:,.0f}, "
            f"{r.cost_per_wellby_high:,.0f}]"
            if r.cost_per_wellby == r.cost_per_wellby
            else "no clear gain: no price given"
        )
        ce_rows.append([
            esc(r.scenario),
            f"{r.extra_cost / per:,.1f} [{r.extra_cost_low / per:,.1f}, "
            f"{r.extra_cost_high / per:,.1f}]",
            f"{r.wellbys_gained / per:.3f} [{r.wellbys_low / per:.3f}, "
            f"{r.wellbys_high / per:.3f}]",
            ratio,
            f"{r.net_value_gbp / per:,.0f}",
        ])  # fmt: skip

    param_sections = []
    dflt = defaults()
    for s in result.scenarios:
        changed = [
            [esc(k), esc(GROUP_TABLE[SPECS[k].group]), esc(str(p0[k])), f"<b>{esc(str(v))}</b>"]
            for k, v in s.params.items()
            if v != p0[k]
        ]
        full = [
            [esc(k), esc(GROUP_TABLE[SPECS[k].group]), esc(str(v)), esc(str(dflt[k])),
             esc(SPECS[k].meaning)]
            for k, v in s.params.items()
        ]  # fmt: skip
        chain = " ← ".join(esc(str(p)) for p in s.chain)
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

    sig = "" if len(names) < 2 else (
        "<p>Under each result: the difference from the baseline with its 95% confidence "
        "interval, ▲/▼ where it is significant after Benjamini-Hochberg correction over all "
        "tests in this report (false discovery rate 5%), ≈ where it is not.</p>"
    )  # fmt: skip
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>coauthor-sim scenario comparison</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }}
table {{ border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }}
th, td {{ border: 1px solid #ccc; padding: 0.35em 0.6em; vertical-align: top; text-align: left; }}
th {{ background: #f0f3f7; }}
table.small {{ font-size: 0.8em; }}
figure {{ margin: 1em 0; }} img {{ max-width: 100%; }}
.caveat {{ background: #fff6e0; border-left: 4px solid #edae49; padding: 0.6em 1em; }}
small {{ color: #555; }}
</style></head><body>
<h1>Scenario comparison</h1>
<p>{len(names)} scenarios, {reps} replications each, {p0["n_citizens"]:,} citizens,
{p0["steps"]} months. Baseline: <b>{esc(base)}</b>. Generated {
        esc(result.settings.get("created", ""))
    } by coauthor-sim {esc(result.settings.get("version", ""))}.</p>
<div class="caveat"><b>How to read this.</b> These are projections of a simulation model whose
mechanisms are hypotheses drawn from the Policy Commission report, not forecasts. Results are
averages over the final year of each run, with 95% confidence intervals that describe the
model's randomness across replications (each scenario used the same seeds), and
{esc(result.settings.get("uncertainty", "uncertain parameters fixed"))}; where they are fixed,
the intervals leave out what we do not know about the parameters. Read differences between
scenarios, not levels, and read them together with the mechanisms described in
docs/levers.md.</div>
<h2>Scenarios</h2>
{_table(["scenario", "description"], scen_rows)}
<h2>Results</h2>
{sig}
{_table(["outcome", *names], key_rows)}
<h2>Trajectories</h2>
<p>Mean over replications, month by month, with 95% confidence bands.</p>
{img("trajectories", "outcome trajectories per scenario")}
<h2>Who gains: well-being by deprivation fifth</h2>
{img("fifths", "well-being by deprivation fifth")}
<h2>Cost and well-being</h2>
<p>Against the baseline, per citizen per year. A WELLBY is one point of life satisfaction for
one person for one year; HM Treasury's Green Book (2021) values it at GBP {WELLBY_GBP:,}
(2019 prices). Net value = WELLBYs gained × GBP {WELLBY_GBP:,} − extra spending. A cost per
WELLBY is shown only where the gain is clearly positive.</p>
{img("cost_vs_gain", "cost against well-being gained")}
{
        _table(
            [
                "scenario",
                "extra spending, GBP per citizen-year",
                "extra life satisfaction, points per citizen-year",
                "GBP per WELLBY",
                "net value, GBP per citizen-year",
            ],
            ce_rows,
        )
    }
<h2>Method</h2>
<ul>
<li>Seeds: {reps} seeds spawned from experiment seed {result.settings["seed"]} with
numpy's SeedSequence; replication r of every scenario uses the same seed (common random
numbers), so differences are paired.</li>
<li>Each run is summarised by the mean of each outcome over its final
{result.settings["summary_months"]} months; spending and WELLBYs are summed over the whole
run.</li>
<li>Confidence intervals: Student t over replications; differences: paired t-test;
correction for multiple comparisons: Benjamini-Hochberg over every difference in this report;
cost per WELLBY: percentile bootstrap over pairs (2,000 resamples).</li>
<li>Tables as CSV beside this file: runs.csv, summary.csv, differences.csv,
cost_effectiveness.csv, trajectories.csv; provenance in manifest.json.</li>
</ul>
<h2>Parameters</h2>
{"".join(param_sections)}
</body></html>
"""
