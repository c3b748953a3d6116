"""Caveats a briefing must carry: how each lever a scenario changes can fail or backfire, and
which published figures the calibrated baseline does not reproduce.

Lever caveats are read from the lever guide (``docs/levers.md``) by the one parser the app uses
(``coauthor_sim.levers_guide``). Calibration caveats are read from the calibration's own
record (``<name>.abc.json`` beside the posterior sample: how it stopped, how far its accepted
parameter sets lie from the targets) and checked on the comparison's own baseline runs: each
run is one posterior draw in one world, so the baseline's runs are a posterior predictive check,
and a target whose median over them lies outside its band is a target the calibration misses.
Nothing here names a target: whichever calibration is shipped, the caveats follow it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from ..levers_guide import backfire_texts, first_sentence
from ..messages import ScenarioError
from ..params import SPECS

SHORT_MIN = 60  # a first sentence shorter than this is a lead-in: the next one is added
PREFIX = "target_"  # runs.csv columns holding a target's statistic (final-year mean)


@dataclass(frozen=True)
class LeverCaveat:
    """One lever a scenario sets apart from the baseline, and how it can fail."""

    lever: str
    baseline: Any
    value: Any
    text: str  # the guide's whole paragraph ("" when the guide has none)

    @property
    def short(self) -> str:
        """The paragraph's opening: its first sentence, or two when the first is a mere
        lead-in ("Two ways.")."""
        first = first_sentence(self.text) if self.text else ""
        if 0 < len(first) < SHORT_MIN < len(self.text):
            rest = self.text[len(first) :].strip()
            first = f"{first} {first_sentence(rest)}"
        return first

    @property
    def size(self) -> float:
        """How far the lever moves, as a share of its allowed range (1 for a non-numeric
        lever), so a summary can show the biggest changes first."""
        spec = SPECS[self.lever]
        try:
            return abs(float(self.value) - float(self.baseline)) / (spec.high - spec.low)
        except (TypeError, ValueError, ZeroDivisionError):
            return 1.0


# Figures the guide quotes from earlier runs ("In our runs ... by about 0.28", "in every seed")
# and its pointers to test files are not this comparison's: a report leaves them out and gives
# its own run's figures instead (``briefing.run_caveats_html``).
_OWN_RUNS = re.compile(r"\b(?:our (?:test )?runs|our test worlds|test worlds?|every seed|"
                       r"seeds?|tests?/\S+|test_\w+|in both|at \d+% and \d+%)", re.I)  # fmt: skip
_TEST_ASIDE = re.compile(r"\s*\([^()]*\btests?\b[^()]*\)", re.I)
_LEAD_IN = re.compile(r"^(?:Two|Three|Four) ways\.$")
_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def without_earlier_runs(text: str) -> str:
    """A caveat paragraph without what it quotes from earlier runs or test files: asides that
    point to tests are removed, and sentences that report figures of "our runs" or "seeds"
    are dropped; the mechanisms it describes stay."""
    text = _TEST_ASIDE.sub("", text)
    kept = [s for s in _SENTENCES.split(text) if s and not _OWN_RUNS.search(s)]
    if len(kept) > 1 and _LEAD_IN.match(kept[0]) and not kept[1].startswith("First"):
        kept = kept[1:]  # "Two ways." whose ways were both figures of earlier runs
    return " ".join(kept).strip()


def lever_caveats(params: dict[str, Any], baseline: dict[str, Any]) -> list[LeverCaveat]:
    """The levers ``params`` sets differently from ``baseline``, each with its backfire text
    from the lever guide (empty when the guide or its paragraph is missing), without figures
    quoted from earlier runs (``without_earlier_runs``)."""
    texts = backfire_texts()
    return [
        LeverCaveat(name, baseline[name], value, without_earlier_runs(texts.get(name, "")))
        for name, value in params.items()
        if SPECS[name].group == "lever" and value != baseline[name]
    ]


@cache
def _active_targets() -> tuple[Any, ...]:
    """The shipped calibration targets a run can be checked against (role fit or holdout)."""
    from ..calibration.targets import load_targets
    from ..shipped import shipped_folder

    try:
        targets = load_targets(shipped_folder("data") / "targets.toml")
    except (ScenarioError, OSError):  # a broken targets file must not stop a comparison
        return ()
    return tuple(t for t in targets if t.role != "inactive")


def target_statistics(table: pd.DataFrame) -> dict[str, float]:
    """Final-year means of the statistics the calibration targets name, where the outcome
    table holds them (statistics read from the model's state are left out), as
    ``target_<statistic>`` columns of a run's summary."""
    from ..api import final_outcomes

    final = final_outcomes(table)
    final["life_satisfaction_gap"] = 10.0 * final.get("wellbeing_gap", float("nan"))
    if {"civic_activism", "civic_consultation", "civic_participation"} <= final.keys():
        final["civic_nesting"] = float(
            final["civic_activism"] < final["civic_consultation"] < final["civic_participation"]
        )
    return {f"{PREFIX}{t.statistic}": final[t.statistic] for t in _active_targets()
            if t.statistic in final}  # fmt: skip


@dataclass
class CalibrationCaveats:
    """What the calibration of the baseline does not achieve."""

    calibrated: bool
    record: str = ""  # how the calibration ran and stopped, in words
    missed: list[str] = field(default_factory=list)  # one sentence per missed target
    unchecked: list[str] = field(default_factory=list)  # targets this comparison cannot check
    checked: int = 0
    runs: int = 0


def calibration_record(posterior: Path | None) -> str:
    """The calibration's own record (``.abc.json``) in one sentence, from whatever keys it
    has."""
    if posterior is None:
        return ""
    from ..calibration.diagnostics import load_diagnostics

    try:
        abc = load_diagnostics(posterior) or {}
    except (OSError, ValueError):
        return ""
    parts = []
    if abc.get("method"):
        parts.append(str(abc["method"]))
    generations = abc.get("generations")
    if isinstance(generations, list) and generations:
        parts.append(f"{len(generations)} generations of {abc.get('population', '?')} particles")
    if abc.get("stopped"):
        parts.append(f"stopped: {abc['stopped']}")
    final = abc.get("final_particles") or {}
    if isinstance(final, dict) and "distance_median" in final:
        parts.append(
            f"accepted parameter sets lie a median {final['distance_median']:.2f} "
            "from the targets (root mean square; 1 = at the edge of a band)"
        )
    return "; ".join(parts)


def calibration_caveats(
    baseline_runs: pd.DataFrame,
    posterior: Path | None,
    settings: str = "",
    targets: Sequence[Any] | None = None,
) -> CalibrationCaveats:
    """Targets whose median over the baseline's runs lies outside the published band (the
    runs carry ``target_<statistic>`` columns, see ``target_statistics``), the targets that
    cannot be checked on a comparison's runs, and the calibration's record. ``targets``
    replaces the shipped ones (a council's own figures, ``councils.council_targets``)."""
    out = CalibrationCaveats(calibrated=posterior is not None, record=calibration_record(posterior),
                             runs=len(baseline_runs))  # fmt: skip
    for t in _active_targets() if targets is None else targets:
        column = f"{PREFIX}{t.statistic}"
        role = "fitted" if t.role == "fit" else "held out"
        if column not in baseline_runs:
            out.unchecked.append(f"{t.description} ({role})")
            continue
        values = baseline_runs[column].dropna()
        if values.empty:
            continue
        out.checked += 1
        median = float(values.median())
        if not t.low <= median <= t.high:
            out.missed.append(
                f"{t.description} ({role}): {median:.3g} against the published "
                f"{t.low:.3g} to {t.high:.3g}{settings}"
            )
    return out
