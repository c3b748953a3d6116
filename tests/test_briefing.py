"""The briefing: a comparison's results folder holds everything its report needs (read back
exactly), `coauthor-sim report` refuses a folder it cannot read before writing anything, and
page 1's words follow the tables (how sure, the price, the flag, switching values)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from coauthor_sim.analysis import answer, store
from coauthor_sim.compare import run_comparison
from coauthor_sim.effects import load_effects
from coauthor_sim.scenario import load_scenario
from helpers import run_cli

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def small():
    """Three scenarios in three plausible worlds of a tiny locality (in-process, seconds)."""
    scenarios = [load_scenario(SCENARIOS / f"{n}.toml", {"steps": 12, "n_citizens": 80})
                 for n in ("status_quo", "austerity", "prevention_first")]  # fmt: skip
    return run_comparison(scenarios, 3, seed=3, jobs=1, progress=False, effects=load_effects(),
                          discover=False)  # fmt: skip


def test_a_stored_comparison_reads_back_exactly(small, tmp_path):
    written = store.save(small, tmp_path, extra={"calibrated": False})
    assert "report.json" in written and "value_for_money.csv" in written
    back = store.load(tmp_path)
    assert [s.name for s in back.scenarios] == [s.name for s in small.scenarios]
    assert dict(back.scenarios[1].params) == dict(small.scenarios[1].params)
    assert back.seeds == small.seeds and back.baseline == small.baseline
    for field in ("runs", "trajectories", "summary", "differences", "worlds", "money",
                  "robust", "regret", "plausibility", "appraisal", "profile"):  # fmt: skip
        pd.testing.assert_frame_equal(
            getattr(back, field).reset_index(drop=True),
            getattr(small, field).reset_index(drop=True),
            check_exact=True, check_dtype=False, obj=field,
        )  # fmt: skip
    assert back.settings["replications"] == 3 and back.settings["calibrated"] is False
    # an empty table keeps its header
    assert list(pd.read_csv(tmp_path / "failure_boxes.csv").columns)[:2] == [
        "scenario",
        "parameter",
    ]


def test_every_money_column_says_its_price_base_and_whether_it_is_discounted(small, tmp_path):
    store.save(small, tmp_path)
    money_words = ("cost", "gbp", "spend", "net_value", "benefit", "reserve", "returned",
                   "committed")  # fmt: skip
    for path in tmp_path.glob("*.csv"):
        if path.name == "worlds.csv":
            continue  # parameter values drawn per world: their units are in the schema
        table = pd.read_csv(path)
        for column in table.columns:
            numbers = table.empty or pd.api.types.is_numeric_dtype(table[column])
            if (
                numbers
                and any(w in column for w in money_words)
                and not column.startswith("worlds_")
            ):
                if "ratio" not in column:  # a ratio of pounds to pounds has no price base
                    assert f"gbp_{store.PRICE_BASE}" in column, (path.name, column)
                assert "discounted" in column, (path.name, column)  # or "undiscounted"
        if "unit" in table:  # long tables: the unit of each money row
            money_rows = table[table["unit"].fillna("") != ""]
            assert money_rows["unit"].str.contains(str(store.PRICE_BASE)).all(), path.name
            assert money_rows["unit"].str.contains("discounted").all(), path.name
    vfm = pd.read_csv(tmp_path / "value_for_money.csv")
    assert "extra_cost_gbp_2019_discounted_mean" in vfm
    assert "extra_cost_gbp_2019_discounted_p05" in vfm
    assert not (tmp_path / "cost_effectiveness.csv").exists()  # undiscounted twin: gone


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p / "nowhere", ["nowhere", "no such folder"]),
        (lambda p: p, ["not a comparison's results folder", "report.json"]),
    ],
)
def test_report_refuses_a_folder_it_cannot_read_and_writes_nothing(tmp_path, capsys, make,
                                                                   words):  # fmt: skip
    folder = make(tmp_path)
    code, _, err = run_cli(capsys, "report", folder)
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    for word in words:
        assert word in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("better", "words"),
    [(30, "is likely to help"), (27, "is likely to help"), (22, "more likely than not to help"),
     (15, "as likely to harm as to help"), (5, "more likely than not to harm"),
     (0, "is likely to harm")],
)  # fmt: skip
def test_how_sure_in_words_that_do_not_overstate(better, words):
    said = answer.likelihood(better, 30)
    assert words in said
    assert not any(w in said for w in ("certain", "very likely", "will"))


def _vfm(verdict: str, ratio: float = math.nan, extra: float = 764.0) -> pd.Series:
    return pd.Series({"verdict": verdict, "gbp_per_wellby": ratio, "extra_cost_mean": extra})


def test_the_price_in_words_has_no_ratio_where_there_is_no_extra_cost():
    assert answer.money_words(_vfm("better at no extra cost")) == "at no extra cost"
    assert "at £2.6k per WELLBY gained (below its £13k)" in answer.money_words(
        _vfm("dearer and better", 2_600.0, 1e6)
    )
    assert "saving £960 per WELLBY lost" in answer.money_words(
        _vfm("cheaper and worse", 960.0, -1.5e6)
    )


def test_every_flag_of_the_guard_gives_a_reason_even_one_not_known_by_name():
    guard = pd.Series({"benefit_cost_ratio": 47.4, "gain_ls": 0.34, "ratio_above_limit": True,
                       "gain_above_limit": False, "volunteering_outside_england": True,
                       "outside_published": True})  # fmt: skip
    reasons = answer.flag_reasons(guard)
    assert len(reasons) == 2
    assert "47 times its extra cost" in reasons[0] and "up to about 6" in reasons[0]
    assert "volunteering outside england" in reasons[1]
    quiet = guard.copy()
    quiet[["ratio_above_limit", "volunteering_outside_england"]] = False
    assert answer.flag_reasons(quiet) == []


def test_switching_values_fill_their_slot_only_when_given():
    assert answer.switching_html(None, "status_quo") == ""
    assert answer.switching_html(pd.DataFrame(), "status_quo") == ""
    table = pd.DataFrame({
        "scenario": ["local_public_support", "local_public_support"],
        "parameter": ["need_growth", "coproduction_effect"],
        "switching_value": [0.09, float("nan")],
        "direction": ["above", ""],
    })  # fmt: skip
    said = answer.switching_html(table, "status_quo")
    assert "This ranking holds unless" in said
    assert "Local public support stops being better than status quo if the need growth above 0.09"\
        in said  # fmt: skip
    never = answer.switching_html(table.iloc[1:], "status_quo")
    assert "holds</b> across the whole range" in never
