"""Caveats of the comparison report: the levers' failure paragraphs come from the one parser of
docs/levers.md (shared with the app), and the calibration's misses are read generically from
the shipped targets and the baseline's runs, whatever the current calibration is."""

from __future__ import annotations

import pandas as pd

from coauthor_sim import app_text, levers_guide
from coauthor_sim.analysis import caveats
from coauthor_sim.scenario import load_scenario
from coauthor_sim.shipped import find_scenario


def test_the_app_and_the_report_share_one_parser_of_the_lever_guide():
    assert app_text.parse_backfire is levers_guide.parse_backfire
    assert app_text.backfire_texts is levers_guide.backfire_texts


def test_lever_caveats_are_the_changed_levers_with_their_guide_paragraph():
    base = load_scenario(find_scenario("status_quo"))
    austerity = load_scenario(find_scenario("austerity"))
    found = caveats.lever_caveats(dict(austerity.params), dict(base.params))
    assert [c.lever for c in found] == ["grant_per_citizen"]
    texts = levers_guide.backfire_texts()  # the guide is installed with the package
    assert found[0].text == caveats.without_earlier_runs(texts["grant_per_citizen"])
    assert found[0].short and texts["grant_per_citizen"].startswith(found[0].short)
    assert caveats.lever_caveats(dict(base.params), dict(base.params)) == []


def test_a_lead_in_first_sentence_takes_the_next_one_along():
    text = "Two ways. First, it costs money every month of the run. Second, it pays late."
    caveat = caveats.LeverCaveat("x", 0, 1, text)
    assert caveat.short == "Two ways. First, it costs money every month of the run."
    assert caveats.LeverCaveat("x", 0, 1, "").short == ""


def test_calibration_misses_are_targets_whose_median_leaves_the_band():
    targets = caveats._active_targets()
    checkable = [t for t in targets if t.statistic not in ("high_wellbeing_share",
                                                           "wellbeing_sd_ratio")]  # fmt: skip
    assert checkable, "the shipped targets name statistics a run's table holds"
    inside = {f"{caveats.PREFIX}{t.statistic}": [t.value] * 3 for t in checkable}
    ok = caveats.calibration_caveats(pd.DataFrame(inside), None)
    assert ok.missed == [] and ok.checked == len(checkable)
    assert not ok.calibrated
    first = checkable[0]
    outside = dict(inside)
    outside[f"{caveats.PREFIX}{first.statistic}"] = [first.high + 10 * first.half_band] * 3
    missed = caveats.calibration_caveats(pd.DataFrame(outside), None)
    assert len(missed.missed) >= 1 and first.description in missed.missed[0]


def test_the_shipped_calibration_record_is_read_without_naming_targets():
    base = load_scenario(find_scenario("status_quo"))
    record = caveats.calibration_record(base.posterior)
    assert base.posterior is None or "generations" in record or record == ""


def test_caveats_quote_no_earlier_runs_and_no_test_files():
    """The guide's figures from earlier runs are not this comparison's: the report drops them
    (its own run's figures are given instead), and keeps the mechanisms."""
    text = (
        "Cuts do not fall evenly. In our runs, cutting the grant by a quarter lowered mean "
        "life satisfaction by about 0.28. It harms where supply is short (test worlds in "
        "tests/test_lever_outcomes.py). Raising it lowered it in every seed."
    )
    kept = caveats.without_earlier_runs(text)
    assert kept == "Cuts do not fall evenly. It harms where supply is short."
    for lever, paragraph in levers_guide.backfire_texts().items():
        shown = caveats.without_earlier_runs(paragraph)
        assert shown, lever  # every lever keeps a caveat
        assert "our runs" not in shown and "tests/" not in shown and "seed" not in shown
