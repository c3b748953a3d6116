"""Page 1 of the comparison report: the answer, readable in two minutes.

One chart (each scenario's change in life satisfaction for everyone and for the most and least
deprived fifths, with its range across plausible worlds), then one sentence per scenario that a
cabinet member can repeat: whether it is likely to help, for whom most, at what price per
WELLBY, and when it fails. A scenario whose result rests on implausible figures (the
plausibility guard) is shown apart with the reason, not in the ranking. How sure is said in
counts of worlds and in words that do not overstate them.

Every figure here is read from the comparison's stored tables (``analysis.store``): the
differences from ``robust``, the money from ``value_for_money`` (``analysis.costs``), the flag
from ``plausibility``, the failure conditions from ``failure_boxes``; nothing is computed twice.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from . import costs, robustness
from .briefing import gbp

esc = html.escape
WORDS_MAX = 400  # page 1 must be readable in two minutes
WORDS_AIM = 385  # words page 1 is written to, in HTML: the printed page counts a few more
SWITCHING_SHOWN = 3  # switching values on page 1; the rest in switching_values.csv


def plain_name(name: str) -> str:
    """A scenario's file name as words: ``local_public_support`` -> "Local public support"."""
    words = name.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def pts(value: float) -> str:
    """A change in life-satisfaction points with its sign (a true minus sign)."""
    return f"{value:+.2f}".replace("-", "−")


def likelihood(better: int, worlds: int) -> str:
    """How likely a scenario is to help, in words no stronger than a count of worlds allows:
    the share of worlds in which it does better, in five bands (never "certain")."""
    share = better / worlds if worlds else math.nan
    if share >= 0.9:
        return "is likely to help"
    if share >= 2 / 3:
        return "is more likely than not to help"
    if share > 1 / 3:
        return "is as likely to harm as to help"
    if share > 0.1:
        return "is more likely than not to harm"
    return "is likely to harm"


def _who(d: dict[str, Any], figures: bool = True) -> str:
    """For whom most: the deprivation fifth with the larger change in the scenario's
    direction, with both fifths' changes (``figures``) or without. A council's fifth it has no
    neighbourhood in is said to be "none here", and a small one is marked (``council_pages``)."""
    most, least = d["most"], d["least"]
    marks = d.get("marks", {})
    if most != most or least != least:  # a council without one of the two fifths
        known = [(k, v) for k, v in (("most", most), ("least", least)) if v == v]
        empty = "; ".join(f"{k} deprived fifth: none here" for k in ("most", "least")
                          if d[k] != d[k])  # fmt: skip
        if not known or not figures:
            return empty
        k, v = known[0]
        return f"{k} deprived fifth {pts(v)}{marks.get(k, '')}; {empty}"
    helps = d["difference"] >= 0
    first = "most for" if helps else "hardest on"
    if (most >= least) == helps:
        said, other = ("most", most), ("least", least)
    else:
        said, other = ("least", least), ("most", most)
    text = f"{first} the {said[0]} deprived fifth"
    if not figures:
        return text
    return (f"{text} ({pts(said[1])}{marks.get(said[0], '')}; {other[0]} deprived "
            f"{pts(other[1])}{marks.get(other[0], '')})")  # fmt: skip


def money_words(row: pd.Series | None) -> str:
    """The price of a scenario in a few words, from its row of ``value_for_money``: the cost
    per WELLBY gained (or saved per WELLBY lost) against the £13,000 a WELLBY is worth, or "no
    extra cost" where the extra cost counts as none (then no ratio is formed)."""
    if row is None:
        return ""
    central = costs.WELLBY_VALUES["central"]
    verdict, ratio = row["verdict"], row["gbp_per_wellby"]
    worth = f"£{central // 1000}k"
    if verdict == "dearer and better" and ratio == ratio:
        where = "below" if ratio < central else "above"
        return f"at {gbp(ratio)} per WELLBY gained ({where} its {worth})"
    if verdict == "cheaper and worse" and ratio == ratio:
        where = "below" if ratio < central else "above"
        return f"saving {gbp(ratio)} per WELLBY lost ({where} its {worth})"
    return {
        "better at no extra cost": "at no extra cost",
        "cheaper and better": f"while spending {gbp(-row['extra_cost_mean'])} less",
        "dearer and better": f"at an extra cost of {gbp(row['extra_cost_mean'])}",
        "dearer and worse": f"at an extra cost of {gbp(row['extra_cost_mean'])}",
        "worse at no extra cost": "with no saving",
        "cheaper and worse": f"saving {gbp(-row['extra_cost_mean'])}",
    }.get(verdict, "")


def failure_words(name: str, d: dict[str, Any], boxes: pd.DataFrame,
                  worlds: pd.DataFrame) -> str:  # fmt: skip
    """When it fails (does worse than the baseline, everyone), in words: the uncertain figures
    PRIM found the failures concentrate in, or that it found none. The count of worlds is in
    the sentence already; a scenario that mostly harms gets no failure clause."""
    failed = d["worlds"] - d["better"]
    if failed == 0 or d["better"] * 2 <= d["worlds"]:
        return ""
    rows = boxes[boxes["scenario"] == name] if not boxes.empty else boxes
    if rows.empty:
        return "No single cause of its failures was found."
    parts = []
    for r in rows.itertuples(index=False):
        span = worlds[r.parameter] if r.parameter in worlds else pd.Series([-math.inf, math.inf])
        parts.append(robustness.condition(r.parameter, r.low, r.high, span.min(), span.max(),
                                          plain=True))  # fmt: skip
    return "It fails mostly where " + " and ".join(parts) + "."


def flag_reasons(guard: pd.Series | None) -> list[str]:
    """Why a result is outside published experience, one phrase per flag of the plausibility
    guard; flags this module does not know by name are given by their column name, so a new
    flag is never dropped silently."""
    if guard is None:
        return []
    known = {
        "ratio_above_limit": lambda g: (
            f"its benefit is {g['benefit_cost_ratio']:.0f} times its extra cost (published "
            f"evaluations: up to about {robustness.PLAUSIBLE_RATIO:g})"
        ),
        "gain_above_limit": lambda g: (
            f"its gain exceeds the {robustness.PLAUSIBLE_GAIN:g}-point rise of the UK mean "
            "in 2011-2019"
        ),
        "experience_outside_england": lambda g: (
            f"it goes beyond anything England has seen: {g['beyond_experience']}"
        ),
    }
    reasons = []
    for column, value in guard.items():
        if not str(column).endswith(("_above_limit", "_outside_england")) or not bool(value):
            continue
        if column in known:
            reasons.append(known[column](guard))
        else:
            reasons.append(f"{str(column).replace('_', ' ')} (see the plausibility guard)")
    return reasons


def briefs(result: Any) -> list[dict[str, Any]]:
    """One entry per scenario other than the baseline, best first (mean change in life
    satisfaction for everyone), with what page 1 says of it."""
    if result.robust.empty:
        return []
    from .council_pages import fifth_mark

    robust = result.robust.set_index(["scenario", "group"])
    value = result.appraisal.set_index("scenario") if not result.appraisal.empty else None
    guard = result.plausibility.set_index("scenario") if not result.plausibility.empty else None
    council = getattr(result, "council", None)
    marks = {k: f" ({mark})" for k, q in (("most", 5), ("least", 1))
             if (mark := fifth_mark(council, q))}  # fmt: skip
    out = []
    for s in result.scenarios[1:]:
        every = robust.loc[(s.name, "everyone")]
        d = {
            "scenario": s.name, "label": plain_name(s.name),
            "difference": float(every["difference"]), "low": float(every["worlds_low"]),
            "high": float(every["worlds_high"]), "better": int(every["better"]),
            "worlds": int(every["worlds"]),
            "most": float(robust.loc[(s.name, "fifth 5"), "difference"]),
            "least": float(robust.loc[(s.name, "fifth 1"), "difference"]),
            "value": value.loc[s.name] if value is not None and s.name in value.index else None,
            "marks": marks,
        }  # fmt: skip
        d["reasons"] = flag_reasons(guard.loc[s.name] if guard is not None else None)
        out.append(d)
    return sorted(out, key=lambda d: -d["difference"])


def sentence(d: dict[str, Any], result: Any, detail: int = 2) -> str:
    """The sentence a cabinet member can repeat, as HTML: "X is likely to help: better in 27
    of 30 worlds, +0.20 points on average (90% of worlds +0.05 to +0.33), most for the most
    deprived fifth (...), at £Y per WELLBY gained (...). It fails in 3 of 30 worlds, mostly
    where ...". ``detail`` 2 says everything; 1 leaves out the fifths' figures; 0 also leaves
    out for whom and when it fails (for page 1 of a comparison of many scenarios)."""
    side = "better" if d["difference"] >= 0 or d["better"] * 2 > d["worlds"] else "worse"
    count = d["better"] if side == "better" else d["worlds"] - d["better"]
    money = money_words(d["value"])
    who = f", {_who(d, figures=detail >= 2)}" if detail else ""
    text = (
        f"<b>{esc(d['label'])}</b> {likelihood(d['better'], d['worlds'])}: {side} in {count} "
        f"of {d['worlds']} worlds, {pts(d['difference'])} points (90% range {pts(d['low'])} "
        f"to {pts(d['high'])}){who}{', ' + esc(money) if money else ''}."
    )
    if not detail:
        return text
    fails = failure_words(d["scenario"], d, result.boxes, result.worlds)
    return f"{text} {fails}".strip()


def apart_sentence(d: dict[str, Any]) -> str:
    """A flagged scenario, shown apart: its result, why it is implausible, and what to do."""
    return (
        f"<b>{esc(d['label'])}</b>: {pts(d['difference'])} points, better in {d['better']} of "
        f"{d['worlds']} worlds; but {esc(' and '.join(d['reasons']))}. Unproven until its "
        "effect sizes are checked (docs/report.md, Checking a flagged result)."
    )


def switching_html(table: pd.DataFrame | None, baseline: str) -> str:
    """ "This ranking holds unless ...": switching values (the value of an uncertain figure at
    which a scenario stops being better than the baseline), when the comparison has a
    ``switching_values.csv``; nothing otherwise. Columns read: ``scenario``, ``parameter``,
    ``switching_value`` (empty: never within its range) and, if present, ``direction``
    ("below" or "above") and ``criterion`` (what stops holding)."""
    if (
        table is None
        or table.empty
        or not {"scenario", "parameter", "switching_value"} <= set(table.columns)
    ):
        return ""
    found = table[pd.to_numeric(table["switching_value"], errors="coerce").notna()]
    never = len(table) - len(found)
    items = []
    for r in found.head(SWITCHING_SHOWN).itertuples(index=False):
        given = getattr(r, "direction", "")
        direction = f"is {given}" if isinstance(given, str) and given else "reaches"
        what = getattr(r, "criterion", "") or f"better than {plain_name(baseline).lower()}"
        items.append(
            f"{esc(plain_name(r.scenario))} stops being {esc(str(what))} if the "
            f"{esc(str(r.parameter).replace('_', ' '))} {esc(str(direction))} "
            f"{float(r.switching_value):.3g}"
        )
    if not items:
        return (f"<p><b>This ranking holds</b> across the whole range of the {never} "
                "uncertain figures tested (switching_values.csv).</p>")  # fmt: skip
    more = len(found) - len(items)
    tail = f"; {more} more in switching_values.csv" if more else ""
    return f"<p><b>This ranking holds unless</b> {'; '.join(items)}{tail}.</p>"


def intro(result: Any) -> str:
    """What was compared, with "plausible world", life satisfaction and WELLBY defined where
    they are first used."""
    p0 = result.scenarios[0].params
    years = p0["steps"] / 12
    n = len(result.scenarios) - 1
    summary = result.scenarios[0].summary.rstrip(".")
    summary = summary[:1].lower() + summary[1:]
    council = getattr(result, "council", None)
    where = (
        f"a model locality of {p0['n_citizens']:,} citizens" if council is None
        else f"{esc(council.name)} ({esc(council.code) + '; ' if council.code else ''}"
        f"{council.residents:,.0f} residents, {council.citizens:,} simulated citizens)"
    )  # fmt: skip
    return (
        f"<p>{n} option{'s' if n != 1 else ''} against "
        f"<b>{esc(plain_name(result.baseline).lower())}</b> ({esc(summary)}), for {where} "
        f"over {years:g} year{'s' if years != 1 else ''}"
        f", each in the same {result.settings['replications']} <i>plausible worlds</i> (one "
        "world: one draw of all the model does not know, from chance to every effect size). "
        "Changes are mean life-satisfaction points (0-10, the ONS scale) in the final year; "
        "ranges hold 90% of worlds. A <i>WELLBY</i> is one point for one person for a year, "
        f"worth £{costs.WELLBY_VALUES['central']:,} to the Treasury (2019 prices).</p>"
    )


HOW_SURE = ('<p class="howsure"><b>How sure.</b> Counts of worlds show how far the model\'s '
            "uncertain figures disagree, not every way it could be wrong. Pounds are the model "
            "locality's. Details follow.</p>")  # fmt: skip


def how_sure(result: Any) -> str:
    """``HOW_SURE``; for a council, its pounds are the model's scaled to its residents."""
    council = getattr(result, "council", None)
    if council is None:
        return HOW_SURE
    return HOW_SURE.replace("Pounds are the model locality's.",
                            f"Pounds are the model's, scaled to {esc(council.name)}'s "
                            "residents.")  # fmt: skip


def words(html_text: str) -> int:
    """Words a reader reads in an HTML fragment (tags left out)."""
    import re

    return len(re.sub(r"<[^>]+>", " ", html.unescape(html_text)).split())


def answer_html(result: Any, chart: str, switching: pd.DataFrame | None = None) -> str:
    """Page 1: title, what was compared, the chart, one sentence per scenario best first,
    the scenarios shown apart with their reasons, switching values when there are any, and
    how sure in words. With many scenarios the sentences say less (the fifths' figures, then
    for whom and when it fails), so the page stays within ``WORDS_MAX`` words."""
    found = briefs(result)
    if not found:
        return ""
    ranked = [d for d in found if not d["reasons"]]
    apart = [d for d in found if d["reasons"]]
    apart_html = (
        '<div class="apart"><p><b>Shown apart: results that rest on implausible figures</b> '
        "(not ranked)</p><ul>"
        + "".join(f"<li>{apart_sentence(d)}</li>" for d in apart)
        + "</ul></div>"
        if apart
        else ""
    )

    def page(detail: int) -> str:
        items = "".join(f"<li>{sentence(d, result, detail)}</li>" for d in ranked)
        return (
            '<section id="answer"><h1>Which option helps, for whom, and at what cost</h1>'
            + intro(result) + chart + (f"<ol>{items}</ol>" if items else "") + apart_html
            + switching_html(switching, result.baseline) + how_sure(result) + "</section>"
        )  # fmt: skip

    for detail in (2, 1):
        said = page(detail)
        if words(said) <= WORDS_AIM:
            return said
    return page(0)


def apart_names(result: Any) -> list[str]:
    """The scenarios page 1 shows apart (flagged by the plausibility guard)."""
    return [d["scenario"] for d in briefs(result) if d["reasons"]]
