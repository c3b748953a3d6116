"""Each lever alone: changed from the status quo, it moves the quantity its own mechanism acts
on, and leaves the mechanisms upstream of it in the month untouched.

Both runs share a seed. Citizens, servants, providers, monthly events and reviews draw from
separate random streams, so a lever that changes how many draws one of them takes cannot shift
the others: month 1 of the two runs differs only through the lever's mechanism.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from coauthor_sim import CoauthorModel
from coauthor_sim.params import SPECS
from coauthor_sim.scenario import load_scenario

STATUS_QUO = dict(
    load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "status_quo.toml").params
)
SIZE = {"n_citizens": 600, "n_neighbourhoods": 10, "servants_per_1000": 13.0}


def pair(lever: str, value, months: int = 1, seed: int = 5, **extra):
    """Status quo and status quo with one lever changed, same seed, run ``months``."""
    base = {**STATUS_QUO, **SIZE, **extra}
    a = CoauthorModel(seed=seed, **base)
    b = CoauthorModel(seed=seed, **{**base, lever: value})
    a.run(months)
    b.run(months)
    return a, b


def same(a, b, *arrays: str) -> None:
    """The named citizen arrays are bit-identical in both runs."""
    for name in arrays:
        assert np.array_equal(getattr(a.citizens, name), getattr(b.citizens, name)), name


UPSTREAM = ("crisis", "voice_log", "connectedness")  # decided before provision each month


def test_deliberation_inclusion_gives_the_most_deprived_more_voice():
    a, b = pair("deliberation_inclusion", 1.0, months=12)
    va = a.outcome_table()["voice_share_most_deprived"].iloc[1:].mean()
    vb = b.outcome_table()["voice_share_most_deprived"].iloc[1:].mean()
    assert vb > va
    a1, b1 = pair("deliberation_inclusion", 1.0, deliberation_staff_time=0.0)
    same(a1, b1, *UPSTREAM)  # who speaks is unchanged; only how much each voice weighs


def test_inclusive_deliberation_costs_servants_time():
    a, b = pair("deliberation_inclusion", 1.0, deliberation_staff_time=0.3, servant_new_roles=0.0)
    assert b.citizens.support.sum() < a.citizens.support.sum()  # less casework


def test_entitlements_serve_those_past_the_agreed_level_first():
    a, b = pair("entitlements", 0.5, months=3)
    level = b.local.entitlement_level
    assert 0 < level < 1 and a.local.entitlement_level == 1.0
    high = b.citizens.need >= level
    assert not np.array_equal(a.citizens.support, b.citizens.support)
    same(*pair("entitlements", 0.5), *UPSTREAM)
    assert high.any()


def test_local_priority_setting_moves_money_towards_voiced_priorities():
    a, b = pair("local_priority_setting", 1.0, council_error=0.0)
    assert np.array_equal(a.local.priorities, b.local.priorities)  # same voices heard
    formula = a.formula_share
    assert np.abs(b.local.allocation - formula).sum() > np.abs(a.local.allocation - formula).sum()
    same(a, b, *UPSTREAM)


def test_outcome_commissioning_puts_providers_on_outcome_contracts_and_changes_who_is_served():
    a, b = pair("outcome_commissioning", 1.0, months=3)
    assert not a.providers.outcome_contract.any() and b.providers.outcome_contract.all()
    served_a, served_b = a.citizens.support > 0, b.citizens.support > 0
    assert not np.array_equal(a.citizens.support, b.citizens.support)
    a1, b1 = pair("outcome_commissioning", 1.0)
    same(a1, b1, *UPSTREAM, "willingness")
    assert served_a.any() and served_b.any()


def test_co_production_raises_citizens_contributions_and_burden():
    a, b = pair("co_production", 0.6)
    assert b.citizens.contribution.sum() > a.citizens.contribution.sum()
    assert b.citizens.burden.sum() > a.citizens.burden.sum()
    same(a, b, *UPSTREAM)


def test_community_resources_are_spent_and_lower_the_bar_to_engagement():
    a, b = pair("community_resources", 0.15)
    assert a.outcomes["spending_community_action"] == 0
    assert b.outcomes["spending_community_action"] > 0
    assert b.outcomes["engagement_rate"] >= a.outcomes["engagement_rate"]
    same(a, b, *UPSTREAM)


def test_prevention_share_moves_spending_to_prevention_and_cuts_crises_at_full_effect():
    a, b = pair("prevention_share", 0.6)
    assert b.outcomes["spending_preventative"] > a.outcomes["spending_preventative"]
    assert b.citizens.prevention.sum() > a.citizens.prevention.sum()
    same(a, b, *UPSTREAM)
    # Over years, with prevention at its largest effect, crises fall.
    a, b = pair("prevention_share", 0.6, months=120, prevention_effect=1.0)
    assert b.outcome_table()["crises"].iloc[60:].sum() < a.outcome_table()["crises"].iloc[60:].sum()


def test_plural_provision_changes_the_sector_mix():
    a, b = pair("plural_provision", 1.0)
    assert (b.providers.sector > 0).all() and (a.providers.sector == 0).any()
    assert b.outcomes["spending_public"] < a.outcomes["spending_public"]
    same(a, b, *UPSTREAM, "willingness")


def grant_money(model) -> float:
    """The month's money less the centre's payment for crises (paid on top, v3)."""
    return model.outcomes["budget_available"] - model.outcomes["spending_crisis"]


def test_pooled_budget_adds_money_at_a_finance_cost():
    a, b = pair("pooled_budget", 0.3)
    assert grant_money(b) == pytest.approx(1.3 * grant_money(a))
    assert b.outcomes["spending_finance"] > 0 == a.outcomes["spending_finance"]
    same(a, b, *UPSTREAM)


def test_local_control_lets_priorities_steer_and_weakens_the_silo_pull():
    a, b = pair("local_control", 1.0, council_error=0.0)
    formula = a.formula_share
    assert np.abs(b.local.allocation - formula).sum() > np.abs(a.local.allocation - formula).sum()
    same(a, b, *UPSTREAM)
    a, b = pair("local_control", 1.0, months=60, servant_new_roles=0.8)
    assert b.local.fragmentation < a.local.fragmentation


def test_local_control_spreads_a_poor_councils_misjudgement():
    a, b = pair("local_control", 1.0, council_error=1.0)
    formula = a.formula_share
    off_a = np.abs(a.local.allocation - formula).sum()
    assert np.abs(b.local.allocation - formula).sum() > off_a


def test_learning_acts_only_at_reviews_and_new_providers_start_slowly():
    # (its restructuring cost, paid from month 1, is set aside here: see test_model_science)
    a, b = pair("learning", 1.0, months=11, transition_cost=0.0)
    assert a.outcome_table().equals(b.outcome_table())  # nothing happens before month 12
    a, b = pair("learning", 1.0, months=12, transition_cost=0.0)
    changed = (a.providers.effectiveness != b.providers.effectiveness).sum()
    assert changed == 2  # the worst preventative and the worst responsive provider
    assert (b.providers.transition_until > 12).sum() == 2 and (
        a.providers.transition_until < 0
    ).all()


def test_capacity_building_raises_base_capacity_most_for_the_least_capable():
    a, b = pair("capacity_building", 0.1)
    gain = b.citizens.capacity_base - a.citizens.capacity_base
    assert (gain >= 0).all() and gain.sum() > 0
    low = a.citizens.capacity_base < np.median(a.citizens.capacity_base)
    assert gain[low].mean() > gain[~low].mean()
    same(a, b, *UPSTREAM)


def test_servant_new_roles_trade_casework_for_navigation():
    a, b = pair("servant_new_roles", 0.9, months=3)
    assert b.servants.role_time.sum() > a.servants.role_time.sum()
    assert b.citizens.navigated.sum() > a.citizens.navigated.sum()
    a1, b1 = pair("servant_new_roles", 0.9)
    # Crises come before the servants' work in the month; voices do not: storytellers raise
    # the capacity of those they reach first (step order, docs/ODD.md 3), so a citizen whose
    # draw falls between the two chances of speaking may voice in one run and not the other.
    same(a1, b1, "crisis")


def test_servant_training_raises_skills_at_a_cost():
    a, b = pair("servant_training", 1.0)
    assert b.servants.skills.mean() > a.servants.skills.mean()
    assert b.outcomes["spending_training"] > 0 == a.outcomes["spending_training"]
    same(a, b, "crisis")  # not voices: skills move storytellers' effort before them
    # Time away from casework: less responsive support while they learn.
    a, b = pair(
        "servant_training", 1.0, training_time=0.3, servant_new_roles=0.0, training_cost=0.0
    )
    assert b.citizens.support.sum() < a.citizens.support.sum()


def test_connective_government_sharpens_reviews_raises_access_and_costs_money():
    a, b = pair("connective_government", 1.0, months=12)
    truth = 1000 * b.providers.effectiveness / b.providers.unit_cost
    assert np.allclose(b.providers.track_record, truth)
    assert not np.allclose(a.providers.track_record, truth)
    assert b.outcomes["spending_connective"] > a.outcomes["spending_connective"]
    # Alone (no learning) it still acts: more people reach formal support.
    a, b = pair("connective_government", 1.0, months=3, connective_cost=0.0)
    assert (b.citizens.support > 0).sum() > (a.citizens.support > 0).sum()


def test_central_intervention_reimposes_ring_fencing_only_under_crisis():
    a, b = pair("central_intervention", 0.0, months=24, grant_per_citizen=15.0)
    assert a.outcome_table()["crisis_rate"].max() > a.p.intervention_trigger
    assert a.local.ring_fenced_until > 0 and b.local.ring_fenced_until == -1
    calm_a, calm_b = pair("central_intervention", 0.0, months=24)
    assert calm_a.outcome_table().equals(calm_b.outcome_table())  # no crisis, no intervention


def test_intervention_trigger_decides_when_the_centre_may_step_in():
    strict, lax = pair("intervention_trigger", 0.5, months=24, grant_per_citizen=15.0)
    assert strict.local.ring_fenced_until > 0 and lax.local.ring_fenced_until == -1
    first_strict, first_lax = pair("intervention_trigger", 0.5, grant_per_citizen=15.0)
    same(first_strict, first_lax, *UPSTREAM)


def test_grant_sets_the_money_available():
    a, b = pair("grant_per_citizen", 30.0)
    assert grant_money(b) == pytest.approx(grant_money(a) / 2)
    same(a, b, "crisis", "voice_log", "connectedness")


def test_the_needs_formula_moves_money_towards_deprived_places():
    a, b = pair("formula_deprivation_weight", 1.0)
    most = a.deprivation > 0.8
    per_head_a = a.formula_share / a.population
    per_head_b = b.formula_share / b.population
    assert per_head_b[most].mean() > per_head_a[most].mean()
    assert per_head_b[~most].min() < per_head_a[~most].max()
    same(a, b, *UPSTREAM)


def test_every_lever_has_a_test_here():
    levers = {name for name, spec in SPECS.items() if spec.group == "lever"}
    source = Path(__file__).read_text()
    missing = {name for name in levers if f'"{name}"' not in source}
    assert not missing
