"""The briefing: a comparison's results folder holds everything its report needs (read back
exactly), `coauthor-sim report` refuses a folder it cannot read before writing anything, and
page 1's words follow the tables (how sure, the price, the flag, switching values)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coauthor_sim.analysis import answer, costs, payers, store
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


@pytest.fixture(scope="module")
def council():
    """Two scenarios in a small council of the shipped synthetic national table (its money in
    real terms and per resident, two national fifths empty), three worlds (seconds)."""
    where = {"locality_table": "synthetic_england_iod2019.csv.gz",
             "local_authority": "Chelworth", "locality_scale": 0.05, "steps": 12}  # fmt: skip
    scenarios = [load_scenario(SCENARIOS / f"{n}.toml", where)
                 for n in ("status_quo", "local_public_support")]  # fmt: skip
    return run_comparison(scenarios, 3, seed=3, jobs=1, progress=False, discover=False)


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
    pd.testing.assert_frame_equal(back.payers, small.payers, check_exact=True,
                                  check_dtype=False)  # fmt: skip
    # who pays adds up to the value-for-money table's extra cost
    totals = small.payers[small.payers["payer"] == "total"].set_index("scenario")["mean"]
    extra = small.appraisal.set_index("scenario")["extra_cost_mean"]
    pd.testing.assert_series_equal(totals, extra.loc[totals.index], check_names=False)
    # an empty table keeps its header
    assert list(pd.read_csv(tmp_path / "failure_boxes.csv").columns)[:2] == [
        "scenario",
        "parameter",
    ]


def test_a_stored_council_reads_back_exactly(council, tmp_path):
    """A council's comparison keeps the council in its folder (report.json and two CSVs), so
    its report is drawn without the deprivation table."""
    store.save(council, tmp_path)
    back = store.load(tmp_path).council
    assert (back.name, back.residents, back.citizens) == (
        council.council.name,
        council.council.residents,
        council.council.citizens,
    )
    assert back.empty_fifths() == council.council.empty_fifths() == [4, 5]
    assert back.small_fifths() == council.council.small_fifths()
    assert back.fifths_words() == council.council.fifths_words()
    pd.testing.assert_frame_equal(back.neighbourhoods, council.council.neighbourhoods,
                                  check_dtype=False)  # fmt: skip
    appraisal = store.load(tmp_path).appraisal
    assert "net_central_mean_per_resident" in appraisal
    pd.testing.assert_frame_equal(appraisal, council.appraisal, check_exact=True,
                                  check_dtype=False)  # fmt: skip


def test_a_councils_money_by_who_pays_is_in_its_real_terms(council):
    """Every money flow of a council's runs is scaled to its residents (``councils``): in the
    status quo the centre pays about the grant per resident a month and the council draws
    next to nothing (unscaled flows would leave nine tenths of the money with the council),
    and who pays adds up to the appraisal's extra cost."""
    runs = council.runs[council.runs["scenario"] == "status_quo"]
    grant = council.scenarios[0].params["grant_per_citizen"]
    centre = runs["pv_centre"] / (council.council.residents * 12)  # 12 months, undiscounted
    assert ((centre > 0.9 * grant) & (centre < 1.3 * grant)).all(), centre
    assert (runs["pv_council"].abs() < 0.05 * runs["pv_money_cost"]).all()
    totals = council.payers[council.payers["payer"] == "total"].set_index("scenario")["mean"]
    extra = council.appraisal.set_index("scenario")["extra_cost_mean"]
    assert np.allclose(totals, extra.loc[totals.index])


@pytest.mark.parametrize("which", ["small", "council"])
def test_every_money_column_says_its_price_base_and_whether_it_is_discounted(which, request,
                                                                             tmp_path):  # fmt: skip
    small = request.getfixturevalue(which)
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
            money_rows = table[table["unit"].fillna("").str.startswith("GBP")]
            assert money_rows["unit"].str.contains(str(store.PRICE_BASE)).all(), path.name
            assert money_rows["unit"].str.contains("discounted").all(), path.name
    vfm = pd.read_csv(tmp_path / "appraisal.csv")
    assert "extra_cost_gbp_2019_discounted_mean" in vfm
    assert "extra_cost_gbp_2019_discounted_p05" in vfm
    if which == "council":  # its money also per resident, and the money table per resident
        assert "net_value_at_central_wellby_per_resident_gbp_2019_discounted_mean" in vfm
        assert pd.read_csv(tmp_path / "money.csv")["unit"].str.contains("per resident").all()
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
    stops = "Local public support stops being better than status quo"
    assert f"{stops} if the need growth is above 0.09" in said
    never = answer.switching_html(table.iloc[1:], "status_quo")
    assert "holds</b> across the whole range" in never


def _outcomes(grant: float, external: float, repaid: float, owed: float, months: int = 24):
    """A run's outcome table (month 0 first) with the money flows the model reports: the
    council spends all it gets, and money returned is nil."""
    table = pd.DataFrame({
        "income_centre": grant, "income_investors": external, "money_returned": 0.0,
        "spending_repayment": repaid, "bond_liability": owed, "life_satisfaction": 7.5,
        "spending_total": grant + external, "money_committed": grant + external,
        "money_carried_over": 0.0, "volunteer_hours": 5.0, "coproduction_hours": 1.0,
    }, index=range(months + 1))  # fmt: skip
    table.loc[0] = 0.0
    return table


def test_money_flows_split_by_who_bears_them_at_present_value():
    money = costs.run_money(_outcomes(1_000.0, 100.0, 20.0, 50.0), n_citizens=10)
    factor = costs.discount_factors(np.arange(1, 25), costs.COST_RATE)
    assert money["pv_centre"] == pytest.approx(1_000.0 * factor.sum())
    owed = 50.0 * factor[-1]
    assert money["pv_investors"] == pytest.approx(80.0 * factor.sum() - owed)
    # the three payers add up to the money spent on services (spending less repayments)
    parts = money["pv_centre"] + money["pv_investors"] + money["pv_council"]
    assert parts == pytest.approx(money["pv_money_cost"]) == pytest.approx(1_080 * factor.sum())
    assert money["pv_citizen_hours"] == pytest.approx(6.0 * 10 * factor.sum())


def _runs_with_flows(seed: int = 0, worlds: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for name, more in (("base", 0.0), ("policy", 1.0)):
        centre = 1e6 + more * rng.normal(5e4, 1e4, worlds)
        investors = more * rng.normal(3e4, 5e3, worlds)
        council = more * rng.normal(1e4, 2e3, worlds)
        hours = 1e4 + more * rng.normal(100, 20, worlds)
        rows.append(pd.DataFrame({
            "scenario": name, "replication": np.arange(worlds),
            "pv_money_cost": centre + investors + council, "pv_centre": centre,
            "pv_investors": investors, "pv_council": council, "pv_citizen_hours": hours,
            "pv_wellbys": 7_000 + more * rng.normal(20, 5, worlds),
        }))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


def test_who_pays_adds_up_to_the_extra_cost_of_the_appraisal_world_by_world():
    runs = _runs_with_flows()
    rows = costs.cost_rows(runs, "base")
    assert set(rows["payer"]) == {"council", "centre", "investors", "citizens"}
    by_world = rows.groupby("replication")["extra_cost"].sum().to_numpy()
    full = costs.full_cost(runs)
    extra = full[runs.scenario == "policy"].to_numpy() - full[runs.scenario == "base"].to_numpy()
    np.testing.assert_allclose(by_world, extra, rtol=1e-12)
    table = payers.who_pays(rows).set_index(["scenario", "payer"])
    appraisal = costs.appraisal(runs, "base").set_index("scenario")
    total = table.loc[("policy", "total")]
    assert total["mean"] == pytest.approx(appraisal.loc["policy", "extra_cost_mean"])
    assert total["low"] == pytest.approx(appraisal.loc["policy", "extra_cost_low"])
    assert table.loc[("policy", "centre"), "mean"] == pytest.approx(5e4, rel=0.15)
    assert list(payers.who_pays(rows)["payer"]) == [
        "council", "centre", "investors", "citizens", "total"
    ]  # fmt: skip


def test_citizens_time_appears_in_the_who_pays_table():
    table = payers.who_pays(costs.cost_rows(_runs_with_flows(), "base"))
    html = payers.who_pays_html(table, ["policy"], lambda *v: str(v))
    assert "citizens&#x27; time" in html and "central government" in html


def test_page_one_gives_switching_values_only_when_there_are_some(small, tmp_path):
    store.save(small, tmp_path)
    assert not (tmp_path / "switching_values.csv").exists()
    assert "ranking holds" not in answer.answer_html(store.load(tmp_path), "")
    pd.DataFrame({"scenario": ["prevention_first"], "parameter": ["prevention_effect"],
                  "switching_value": [0.12], "direction": ["below"]}).to_csv(
        tmp_path / "switching_values.csv", index=False)  # fmt: skip
    back = store.load(tmp_path)
    said = answer.answer_html(back, "", back.switching)
    assert "This ranking holds unless</b> Prevention first stops being better than status " \
        "quo if the prevention effect is below 0.12" in said  # fmt: skip
