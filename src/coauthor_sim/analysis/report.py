"""Writing a comparison to disk: CSV tables, PNG pictures, a self-contained HTML report, and
the manifest. This is the only module of the comparison that touches files."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..compare import COMPARED, TRAJECTORY, Comparison
from ..outcomes import HIGHER_IS_BETTER, OUTCOME_LABELS
from ..params import SPECS, defaults
from ..scenario import GROUP_TABLE
from . import plots, robustness
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
    life satisfaction for everyone): the change for everyone and for the least and most
    deprived fifths, how sure in plain words, regret, and the plausibility flag. No p-values:
    these are the headline."""
    if result.robust.empty:
        return []
    robust = result.robust.set_index(["scenario", "group"])
    regret = result.regret.set_index("scenario")
    guard = result.plausibility.set_index("scenario") if not result.plausibility.empty else None
    cost = result.cost_effectiveness.set_index("scenario")
    p0 = result.scenarios[0].params
    person_years = p0["n_citizens"] * p0["steps"] / 12.0
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
            "mean_regret": regret.loc[name, "mean_regret"],
            "worst_regret": regret.loc[name, "worst_regret"],
            "implausible": bool(guard is not None and guard.loc[name, "outside_published"]),
            "ratio": guard.loc[name, "benefit_cost_ratio"] if guard is not None else np.nan,
            "failure": result.box_words.get(name, ""),
            "extra_cost": cost.loc[name, "extra_cost"] / person_years,
        })  # fmt: skip
    return sorted(out, key=lambda v: -v["difference"])


def _pts(value: float) -> str:
    return f"{value:+.2f}"


def verdict_line(v: dict[str, Any], mid: float) -> str:
    """A verdict in one line of plain words."""
    return (
        f"{_pts(v['difference'])} points of life satisfaction (0-10) for everyone "
        f"(90% of worlds: {_pts(v['worlds_low'])} to {_pts(v['worlds_high'])}); "
        f"{robustness.certainty_words(v['better'], v['worlds'])}, by {mid:g} points or more "
        f"in {v['better_by_mid']}; most deprived fifth {_pts(v['most'])}, least deprived "
        f"{_pts(v['least'])}; spending {v['extra_cost']:+,.0f} GBP per citizen a year"
    )


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
    mid = result.settings.get("minimum_important_difference", robustness.MID_DEFAULT)
    found = verdicts(result)
    if found:
        lines += ["", f"Against {result.baseline}, best first:"]
        for v in found:
            lines.append(f"  {v['scenario']}: {verdict_line(v, mid)}.")
            if v["implausible"]:
                lines.append(
                    f"    ! benefit/cost above {robustness.PLAUSIBLE_RATIO:g}:1 at Green Book "
                    "values: outside published experience; check the effect sizes."
                )
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
    result.worlds.to_csv(folder / "worlds.csv", index=False)
    if len(result.scenarios) > 1:
        result.robust.to_csv(folder / "robust.csv", index=False)
        result.regret.to_csv(folder / "regret.csv", index=False)
        result.plausibility.to_csv(folder / "plausibility.csv", index=False)
        result.boxes.to_csv(folder / "failure_boxes.csv", index=False)

    names = [s.name for s in result.scenarios]
    n_citizens = result.scenarios[0].params["n_citizens"]
    steps = result.scenarios[0].params["steps"]
    person_years = n_citizens * steps / 12.0
    figures = {
        "trajectories": plots.trajectories(result.trajectories, TRAJECTORY, names),
        "fifths": plots.fifths(result.summary, names),
    }
    if len(names) > 1:
        ranked = [v["scenario"] for v in verdicts(result)]  # best first, as in the summary
        figures["differences"] = plots.differences(result.robust, ranked, result.baseline)
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
        row = [esc(_label(outcome))]
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

    mid = result.settings.get("minimum_important_difference", robustness.MID_DEFAULT)
    summary_html = _summary_html(result, mid)
    robust_html = _robust_html(
        result, mid, img("differences", "differences from the baseline across worlds")
    )
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
.flag {{ background: #fde2e4; padding: 0 0.3em; }}
#summary {{ border: 2px solid #1b5e9a; padding: 0.2em 1.2em; margin: 1em 0; }}
.caveat {{ background: #fff6e0; border-left: 4px solid #edae49; padding: 0.6em 1em; }}
small {{ color: #555; }}
</style></head><body>
<h1>Scenario comparison</h1>
{summary_html}
<p>{len(names)} scenarios, {reps} plausible worlds each, {p0["n_citizens"]:,} citizens,
{p0["steps"]} months. Baseline: <b>{esc(base)}</b>. Generated {
        esc(result.settings.get("created", ""))
    } by coauthor-sim {esc(result.settings.get("version", ""))}.</p>
<div class="caveat"><b>How to read this.</b> These are projections of a simulation model
whose mechanisms are hypotheses drawn from the Policy Commission report, not forecasts. Each
replication is one plausible world ({
        esc(
            result.settings.get("uncertainty", "").removeprefix(
                "each replication a plausible world: "
            )
        )
    }); every
scenario runs in the same worlds, so "better in 27 of 30 plausible worlds" counts paired
worlds, and the ranges show how far the worlds disagree. A range that leaves out what we do
not know would be too narrow: where parameters are fixed, the report says so. Results are
averages over the final year of each run, in life-satisfaction points (0-10). Read
differences between scenarios, not levels, and read them together with the mechanisms
described in docs/levers.md.</div>
<h2>Scenarios</h2>
{_table(["scenario", "description"], scen_rows)}
{robust_html}
<h2>Detail for researchers: final-year means and tests</h2>
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
<li>Worlds: {reps}; drawn uncertain parameters: {
        esc(", ".join(result.settings.get("drawn_parameters", [])) or "none")
    }. A scenario that sets one of them differently from the baseline keeps its own value.
{esc(result.settings.get("prim_note", ""))}</li>
<li>Seeds: {reps} seeds spawned from experiment seed {result.settings["seed"]} with
numpy's SeedSequence; replication r of every scenario uses the same seed (common random
numbers), so differences are paired.</li>
<li>Each run is summarised by the mean of each outcome over its final
{result.settings["summary_months"]} months; spending and WELLBYs are summed over the whole
run.</li>
<li>Confidence intervals: Student t over replications; differences: paired t-test;
correction for multiple comparisons: Benjamini-Hochberg over every difference in this report;
cost per WELLBY: percentile bootstrap over pairs (2,000 resamples).</li>
<li>Tables as CSV beside this file: runs.csv, worlds.csv, robust.csv, regret.csv,
failure_boxes.csv, plausibility.csv, summary.csv, differences.csv, cost_effectiveness.csv,
trajectories.csv; provenance in manifest.json.</li>
</ul>
<h2>Parameters</h2>
{"".join(param_sections)}
</body></html>
"""


def _summary_html(result: Comparison, mid: float) -> str:
    """The summary a briefing can quote: one ranked verdict per scenario, in plain words and
    on the life-satisfaction scale, with where it fails and the plausibility flag. No
    p-values."""
    found = verdicts(result)
    if not found:
        return ""
    esc = html.escape
    items = []
    for v in found:
        line = f"<b>{esc(v['scenario'])}</b>: {esc(verdict_line(v, mid))}."
        if v["failure"] and v["better"] < v["worlds"]:
            line += f" <small>Where it fails: {esc(v['failure'])}</small>"
        if v["implausible"]:
            line += (
                f' <span class="flag">Benefit/cost above {robustness.PLAUSIBLE_RATIO:g}:1 at '
                "Green Book values: outside published experience; read with care.</span>"
            )
        items.append(f"<li>{line}</li>")
    return (
        f'<section id="summary"><h2>Summary against {esc(result.baseline)}</h2><ol>'
        + "".join(items)
        + f"</ol><p><small>Life satisfaction 0-10, final-year means. A plausible world is one "
        f"draw of everything the model does not know (seed, calibrated parameters, effect "
        f"sizes); {mid:g} points is the smallest difference counted as important.</small></p>"
        "</section>"
    )


def _robust_html(result: Comparison, mid: float, figure: str) -> str:
    """Differences for everyone and each deprivation fifth, regret, scenario discovery and the
    plausibility guard, as tables."""
    if result.robust.empty:
        return ""
    esc = html.escape
    rank = {v["scenario"]: k for k, v in enumerate(verdicts(result))}
    group_rank = {g: k for k, g in enumerate(robustness.GROUPS)}
    ordered = result.robust.sort_values(
        ["scenario", "group"],
        key=lambda col: col.map(rank if col.name == "scenario" else group_rank),
    )
    rows = []
    for r in ordered.itertuples(index=False):
        rows.append([
            esc(r.scenario), esc(robustness.GROUP_LABELS[r.group]), _pts(r.difference),
            f"{_pts(r.worlds_low)} to {_pts(r.worlds_high)}", f"{r.better} of {r.worlds}",
            f"{r.better_by_mid} of {r.worlds}", f"{r.worse_by_mid} of {r.worlds}",
        ])  # fmt: skip
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
            "no gain" if r.benefit_cost_ratio != r.benefit_cost_ratio
            else "gain at no extra cost" if np.isinf(r.benefit_cost_ratio)
            else f"{r.benefit_cost_ratio:.1f} : 1"
        )  # fmt: skip
        guard_rows.append([
            esc(r.scenario), f"{r.benefit_gbp:,.0f}", f"{r.extra_cost_gbp:,.0f}", ratio,
            f"{r.benefit_per_gbp_spent:.2f}",
            "<b>outside published experience</b>" if r.outside_published else "within",
        ])  # fmt: skip
    return f"""<h2>How much better, for whom, how sure</h2>
<p>Change in life satisfaction (0-10) against {esc(result.baseline)}, paired world by world.
"Worlds" counts plausible worlds; the range holds 90% of them.</p>
{
        _table(
            [
                "scenario",
                "who",
                "mean change",
                "90% of worlds",
                "better in",
                f"better by ≥ {mid:g}",
                f"worse by ≥ {mid:g}",
            ],
            rows,
        )
    }
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
<p>Benefit = WELLBYs gained × GBP {WELLBY_GBP:,} (HM Treasury Green Book, 2019 prices), mean
over worlds, for the whole run; extra cost = extra spending. Published experience tops out
near {robustness.PLAUSIBLE_RATIO:g}:1 (NESTA/nef 2010, an advocacy bound; local area
coordination SROI forecasts of about 4:1), so larger ratios are flagged. The model's pounds are
stylised.</p>
{
        _table(
            [
                "scenario",
                "benefit, GBP",
                "extra cost, GBP",
                "benefit : extra cost",
                "benefit per GBP spent",
                "flag",
            ],
            guard_rows,
        )
    }
<h3>Differences with their spread across worlds</h3>
{figure}
"""
