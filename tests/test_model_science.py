"""Model science v3: one channel per effect, every cost priced, a bond that can fail, outcomes
checked against English experience.

Each effect that v3 named reaches the model through its own parameter, and that parameter at
its prior's "no effect" removes the channel entirely; the appraisal counts the full cost, paid
by someone; the social impact bond is judged against the same world without its money.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coauthor_sim import CoauthorModel
from coauthor_sim.analysis import costs, payers, robustness
from coauthor_sim.effects import load_effects
from coauthor_sim.mechanisms import engagement, governance, wellbeing
from coauthor_sim.params import SPECS, ParameterError, defaults, parse_paths, paths_text
from coauthor_sim.scenario import ScenarioError, load_scenario, to_toml

SMALL = {"n_citizens": 300, "n_neighbourhoods": 10, "servants_per_1000": 15.0}
NO_COMMUNITY_EFFECT = {
    "community_action_effect": 0.0,
    "community_help_effect": 0.0,
    "community_tie_effect": 0.0,
}


def test_v3_channels_have_priors_that_include_no_effect():
    priors = {p.name: p for p in load_effects()}
    for name in (
        *NO_COMMUNITY_EFFECT,
        "wellbeing_ties_weight",
        "wellbeing_capacity_weight",
        "wellbeing_control_weight",
        "capacity_learning",
        "control_from_voice",
    ):
        prior = priors[name]
        assert prior.low <= 0.0 == prior.no_effect <= prior.high, name
    # community money may harm: crowding out of help, formal groups that put joiners off
    assert priors["community_help_effect"].low < 0
    assert priors["community_action_effect"].low < 0


def test_community_money_at_no_effect_reaches_nothing_but_the_budget(monkeypatch):
    """With its three coefficients at 0, the level of community money changes nothing: the
    same run with the level forced to 0 everywhere is identical, bit for bit. (Before v3 a
    hard-coded coefficient of 1 still multiplied help and ties.)"""
    params = {**SMALL, "community_resources": 0.2, **NO_COMMUNITY_EFFECT}
    real = CoauthorModel(seed=4, **params).run(30)
    assert real["spending_community_action"].iloc[1:].gt(0).mean() > 0.9
    monkeypatch.setattr(engagement, "community_level", lambda money: np.zeros_like(money))
    forced = CoauthorModel(seed=4, **params).run(30)
    pd.testing.assert_frame_equal(real, forced)


def test_community_money_channels_each_act_when_switched_on(monkeypatch):
    """The converse: each coefficient alone makes the level matter (the channel exists)."""
    params = {**SMALL, "community_resources": 0.2, **NO_COMMUNITY_EFFECT}
    for name, value in (("community_help_effect", 1.0), ("community_tie_effect", 1.0),
                        ("community_action_effect", 0.5)):  # fmt: skip
        with monkeypatch.context() as patch:
            real = CoauthorModel(seed=4, **{**params, name: value}).run(30)
            patch.setattr(engagement, "community_level", lambda money: np.zeros_like(money))
            forced = CoauthorModel(seed=4, **{**params, name: value}).run(30)
        assert not real.equals(forced), name


def test_direct_wellbeing_weights_at_zero_remove_their_state_from_the_target():
    rng = np.random.default_rng(0)
    state = [rng.random(50) for _ in range(8)]
    weights = {
        "base": 0.3, "need": 0.3, "ties": 0.0, "control": 0.0, "context": 0.1,
        "capacity": 0.0, "engagement": 0.02,
    }  # fmt: skip
    target = wellbeing.wellbeing_target(*state, weights)
    other = list(state)
    other[1], other[2], other[4] = rng.random(50), rng.random(50), rng.random(50)
    np.testing.assert_array_equal(target, wellbeing.wellbeing_target(*other, weights))


def test_restructuring_cost_is_paid_in_the_first_year_only_and_not_in_the_status_quo():
    quo = CoauthorModel(seed=1, **SMALL).run(24)
    assert quo["spending_transition"].sum() == 0.0
    moved = {"local_control": 0.8, "outcome_commissioning": 0.5}
    run = CoauthorModel(seed=1, **SMALL, **moved).run(24)
    paid = run["spending_transition"]
    months = governance.RESTRUCTURING_MONTHS
    expected = SPECS["transition_cost"].default * SMALL["n_citizens"] * (0.6 + 0.5) / months
    np.testing.assert_allclose(paid.iloc[1 : months + 1], expected)
    assert paid.iloc[months + 1 :].sum() == 0.0
    # contract management is paid only with outcome contracts
    assert run["spending_contract_management"].iloc[1:].gt(0).all()
    assert quo["spending_contract_management"].sum() == 0.0


def test_bond_investors_are_not_repaid_when_the_money_changes_nothing():
    """Pooled money that buys no support (unit costs at the schema's ceiling) leaves need as
    in the counterfactual twin: the target is never met, nothing is repaid, nothing is owed.
    (Judged against need at the start, as before v3, they were repaid every year.)"""
    useless = {**SMALL, "pooled_budget": 0.3, "responsive_unit_cost": 100_000.0,
               "preventive_unit_cost": 100_000.0}  # fmt: skip
    model = CoauthorModel(seed=2, **useless)
    table = model.run(60)
    assert table["income_investors"].iloc[1:].gt(0).all()
    assert table["spending_repayment"].sum() == 0.0
    assert table["bond_liability"].iloc[-1] == 0.0


def test_bond_investors_are_repaid_when_the_money_meets_the_target_and_owed_at_the_end():
    """In a stretched locality the same bond buys support that cuts need well below the
    twin's: investors are repaid with their return, and what is due after the run is carried
    as a liability, not dropped."""
    tight = {**SMALL, "pooled_budget": 0.3, "grant_per_citizen": 40.0}
    model = CoauthorModel(seed=2, **tight)
    table = model.run(48)
    assert table["spending_repayment"].sum() > 0
    assert model._twin is not None and model._twin.p.pooled_budget == 0.0
    # a run that ends on a settlement whose target was met owes the next year's instalments
    met = [m for m in (12, 24, 36, 48) if table["bond_liability"].iloc[m] > 0]
    assert met
    ending = CoauthorModel(seed=2, **tight).run(met[0])
    owed = ending["bond_liability"].iloc[-1]
    assert owed > 0
    money = costs.run_money(ending, SMALL["n_citizens"])
    repaid = ending["spending_repayment"].iloc[1:].to_numpy()
    into = ending["income_investors"].iloc[1:].to_numpy()
    factors = costs.discount_factors(np.arange(1, met[0] + 1), costs.COST_RATE)
    expected = float(((into - repaid) * factors).sum()) - owed * factors[-1]
    assert money["pv_investors"] == pytest.approx(expected)


def _runs(**columns) -> pd.DataFrame:
    """A tiny runs table: two scenarios in two worlds."""
    base = {
        "scenario": ["a", "a", "b", "b"], "replication": [0, 1, 0, 1],
        "pv_wellbys": [100.0, 100.0, 101.0, 102.0], "pv_money_cost": [1000.0] * 4,
        "pv_citizen_hours": [10.0] * 4, "pv_centre": [800.0] * 4, "pv_investors": [0.0] * 4,
        "pv_council": [200.0] * 4, "pv_restructuring": [0.0] * 4,
        "pv_contract_management": [0.0] * 4,
    }  # fmt: skip
    frame = pd.DataFrame(base)
    for name, values in columns.items():
        frame[name] = values
    return frame


def test_cost_rows_add_up_by_payer_and_price_citizens_time():
    runs = _runs(
        pv_money_cost=[1000.0, 1000.0, 1300.0, 1500.0],
        pv_centre=[800.0, 800.0, 800.0, 900.0],
        pv_investors=[0.0, 0.0, 100.0, 100.0],
        pv_council=[200.0, 200.0, 400.0, 500.0],
        pv_citizen_hours=[10.0, 10.0, 30.0, 50.0],
    )
    rows = costs.cost_rows(runs, "a")
    per_world = rows.groupby("replication")["extra_cost"].sum()
    money = rows[rows["payer"] != "citizens"].groupby("replication")["extra_cost"].sum()
    np.testing.assert_allclose(money.to_numpy(), [300.0, 500.0])  # extra money on services
    hour = costs.HOUR_VALUES["central"]
    np.testing.assert_allclose(per_world.to_numpy(), [300.0 + 20 * hour, 500.0 + 40 * hour])
    table = costs.appraisal(runs, "a").set_index("scenario")
    assert table.loc["b", "extra_cost_mean"] == pytest.approx(per_world.mean())
    zero = costs.cost_rows(runs, "a", hour_value="zero")
    assert zero["extra_cost"].sum() == pytest.approx(800.0)
    items = costs.value_for_money_rows(runs, "a", payers.who_pays(rows)).set_index("item")
    assert items.loc["citizens' time", "mean"] == pytest.approx(30 * hour)
    assert items.loc["total extra cost", "mean"] == pytest.approx(per_world.mean())
    assert {"of which restructuring", "of which contract management", "WELLBYs gained"} <= set(
        items.index
    )
    assert items["unit"].str.contains("discounted").all()


def test_outcomes_beyond_english_experience_are_flagged_only_when_the_scenario_goes_there():
    base = pd.DataFrame({"engagement_rate": [0.22, 0.23], "civic_activism": [0.12, 0.12]})
    same = robustness.outside_experience(base, base)
    assert same == []  # the baseline's own miss is the calibration's, not the policy's
    pushed = base.assign(engagement_rate=[0.35, 0.36])
    flags = robustness.outside_experience(pushed, base)
    assert len(flags) == 1 and "volunteering" in flags[0] and "27%" in flags[0]


def test_service_side_parameters_sit_inside_their_grounded_priors():
    priors = {p.name: p for p in load_effects()}
    values = defaults()
    for name in ("need_growth", "crisis_prob"):
        assert priors[name].low <= values[name] <= priors[name].high, name


def test_a_yearly_path_changes_a_parameter_at_the_start_of_each_year_and_then_holds():
    """The grant follows its path (one value a year from month 1, the last one kept); a run
    with a constant path equals the run without one, bit for bit."""
    path = {"grant_per_citizen": [60.0, 45.0], "unemployment_rate": [0.08, 0.04]}
    model = CoauthorModel(seed=3, **SMALL, paths=paths_text(path), central_intervention=0.0)
    table = model.run(30)
    grant = table["income_centre"] - table["spending_crisis"]  # the grant (no rescue money)
    assert grant.iloc[1:13].eq(60.0 * SMALL["n_citizens"]).all()
    assert grant.iloc[13:31].eq(45.0 * SMALL["n_citizens"]).all()
    assert model.p.grant_per_citizen == 45.0 and model.p.unemployment_rate == 0.04
    flat = CoauthorModel(seed=3, **SMALL, paths=paths_text({"grant_per_citizen": [60.0]}))
    plain = CoauthorModel(seed=3, **SMALL)
    pd.testing.assert_frame_equal(flat.run(14), plain.run(14))


def test_fewer_out_of_work_raises_wellbeing():
    """Unemployment's loss of well-being reaches life satisfaction through those out of work
    alone: at a lower rate fewer are, and mean life satisfaction is higher."""
    high = CoauthorModel(seed=5, **SMALL, unemployment_rate=0.12)
    low = CoauthorModel(seed=5, **SMALL, unemployment_rate=0.02)
    assert high.citizens.unemployed.sum() > 3 * low.citizens.unemployed.sum()
    assert low.run(24)["life_satisfaction"].iloc[-12:].mean() > (
        high.run(24)["life_satisfaction"].iloc[-12:].mean()
    )
    none = CoauthorModel(seed=5, **SMALL, unemployment_rate=0.12, unemployment_wellbeing_loss=0.0)
    zero = CoauthorModel(seed=5, **SMALL, unemployment_rate=0.0, unemployment_wellbeing_loss=0.0)
    pd.testing.assert_frame_equal(none.run(12), zero.run(12))  # the channel is the loss alone


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("grant_per_citizen 60 50", "expected 'name: value value ...'"),
        ("grant_per_cit: 60", "did you mean 'grant_per_citizen'"),
        ("n_citizens: 100 200", "cannot follow a path"),
        ("servant_new_roles: 0.2 0.5", "cannot follow a path"),
        ("grant_per_citizen: 60 -5", "grant_per_citizen = -5.0 is not allowed"),
        ("grant_per_citizen: 60 lots", "'lots' is not a number"),
        ("grant_per_citizen: 60; grant_per_citizen: 50", "two paths"),
    ],
)
def test_bad_paths_are_refused_by_name(text, words):
    with pytest.raises(ParameterError, match="paths") as err:
        CoauthorModel(seed=1, **SMALL, paths=text)
    assert words in str(err.value)


def test_a_scenario_file_gives_paths_as_a_table_and_shows_them_back(tmp_path):
    path = tmp_path / "decade.toml"
    path.write_text('description = "A cut."\nextends = "status_quo"\n\n[paths]\n'
                    "grant_per_citizen = [60, 50, 40]\n")  # fmt: skip
    scenario = load_scenario(path)
    assert parse_paths(scenario.params["paths"]) == {"grant_per_citizen": (60.0, 50.0, 40.0)}
    again = tmp_path / "again.toml"
    again.write_text(to_toml(scenario))
    assert load_scenario(again).params["paths"] == scenario.params["paths"]
    path.write_text('description = "A cut."\nextends = "status_quo"\n\n[paths]\n'
                    'grant_per_citizen = [60, "fifty"]\n')  # fmt: skip
    with pytest.raises(ScenarioError, match=r"decade.toml: \[paths\] grant_per_citizen"):
        load_scenario(path)
