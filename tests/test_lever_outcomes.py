"""Every lever can help and can harm: outcome-level checks on a small model with paired seeds.

For each lever there is one world (a setting of the other levers and of plausible uncertain
parameters, every value inside its schema range) where moving the lever from the status quo
raises life satisfaction or narrows the gap between the least and most deprived fifths, and one
where it lowers life satisfaction or widens the gap. Nothing is free: each help case shows the
conditions the lever needs, each harm case its cost or failure mode (docs/levers.md).

Runs are small (300 citizens, 3 paired seeds, 4-8 years) and compare the mean of the last two
years; tests assert the direction of the paired mean difference only, never its size.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from coauthor_sim import CoauthorModel
from coauthor_sim.compare import load_posterior
from coauthor_sim.effects import load_effects
from coauthor_sim.params import SPECS
from coauthor_sim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
STATUS_QUO = dict(load_scenario(SCENARIOS / "status_quo.toml").params)
LPS = dict(load_scenario(SCENARIOS / "local_public_support.toml").params)
SIZE = {"n_citizens": 300, "n_neighbourhoods": 10, "servants_per_1000": 15.0}
SEEDS = (21, 22, 23)
TIGHT = {"grant_per_citizen": 42.0}  # money binds: supply is rationed
LS, GAP = "life_satisfaction", "wellbeing_gap"


def paired_difference(
    base: dict, change: dict, outcome: str, months: int = 48, seeds=SEEDS
) -> float:
    """Mean over seeds of (changed - base) in ``outcome``, averaged over the last 24 months."""
    diffs = []
    for seed in seeds:
        a = CoauthorModel(seed=seed, **{**SIZE, **base}).run(months)
        b = CoauthorModel(seed=seed, **{**SIZE, **base, **change}).run(months)
        diffs.append((b[outcome] - a[outcome]).iloc[-24:].mean())
    return float(np.mean(diffs))


# lever: (value, world, outcome that improves, months). "Improves" is a rise in life
# satisfaction or a narrower gap.
HELPS = {
    # Inclusion helps where money follows voices: the quiet, needier places are heard.
    "deliberation_inclusion": (1.0, dict(deliberation_staff_time=0.0, local_control=1.0,
        local_priority_setting=1.0, council_error=0.0, connective_government=0.0), GAP, 48),
    "entitlements": (0.6, dict(deliberation_inclusion=1.0, deliberation_staff_time=0.0,
        entitlement_assessment=0.0, grant_per_citizen=38.0), LS, 48),
    "local_priority_setting": (1.0, dict(local_control=1.0, council_error=1.5), LS, 48),
    "outcome_commissioning": (1.0, dict(outcome_gaming=0.0, provider_exit_rate=0.0,
        cream_skimming=0.0, outcome_contract_effort=0.3), LS, 48),
    "co_production": (0.6, dict(coproduction_effect=1.5, coproduction_burden=0.0), LS, 48),
    "community_resources": (0.05, dict(community_action_effect=1.0), LS, 48),
    "prevention_share": (0.4, dict(prevention_effect=1.0), LS, 48),
    "plural_provision": (1.0, dict(nonpublic_value=1.5, **TIGHT), LS, 48),
    "pooled_budget": (0.3, dict(sib_return=0.0, pooled_finance_cost=0.0), LS, 48),
    "local_control": (1.0, dict(council_error=0.0, servant_new_roles=0.6), LS, 48),
    "learning": (1.0, dict(connective_government=1.0, switching_disruption=0.0,
        plural_provision=1.0), LS, 48),
    "capacity_building": (0.03, dict(capacity_building_effect=0.0025), LS, 96),
    "servant_new_roles": (0.4, dict(casework_units=2.0), LS, 48),
    "servant_training": (1.0, dict(training_time=0.0, training_cost=0.0), LS, 48),
    "connective_government": (1.0, dict(connective_cost=0.0, connective_access_effect=0.5),
        LS, 48),
    # A centre that never steps in spares a sound locality needless takeovers...
    "central_intervention": (0.0, dict(intervention_trigger=0.0005, rescue_funding=0.0,
        intervention_disruption=0.5), LS, 48),
    # ... and a trigger low enough to reach a failing locality rescues it.
    "intervention_trigger": (0.002, dict(grant_per_citizen=30.0, rescue_funding=0.5,
        intervention_disruption=0.0, central_intervention=1.0), LS, 48),
    "grant_per_citizen": (70.0, dict(), LS, 48),
    # More per head for deprived places where money is short narrows the gap.
    "formula_deprivation_weight": (1.0, dict(**TIGHT), GAP, 48),
}  # fmt: skip

# lever: (value, world, outcome that worsens, months). "Worsens" is a fall in life
# satisfaction or a wider gap.
HARMS = {
    # Inclusive deliberation takes servants' time from casework where support is rationed.
    "deliberation_inclusion": (1.0, dict(deliberation_staff_time=0.2, **TIGHT), LS, 48),
    "entitlements": (0.5, dict(entitlement_assessment=0.2, **TIGHT), LS, 48),
    # Priorities set by the loudest voices (no inclusion, no measured need) pull money
    # towards the less deprived.
    "local_priority_setting": (1.0, dict(local_control=1.0, council_error=0.0,
        connective_government=0.0), GAP, 48),
    "outcome_commissioning": (1.0, dict(outcome_gaming=0.3, provider_exit_rate=1.0,
        cream_skimming=1.0, outcome_contract_effort=0.0, switching_disruption=0.6,
        grant_per_citizen=35.0), LS, 72),
    "co_production": (0.6, dict(coproduction_effect=0.0, coproduction_burden=0.3), LS, 48),
    "community_resources": (0.3, dict(community_action_effect=0.0, grant_per_citizen=35.0),
        LS, 48),
    "prevention_share": (0.6, dict(prevention_effect=0.0), LS, 48),
    "plural_provision": (1.0, dict(nonpublic_value=0.75), LS, 48),
    "local_control": (1.0, dict(council_error=1.0), LS, 48),
    "learning": (1.0, dict(connective_government=0.0, switching_disruption=0.6,
        plural_provision=0.0, grant_per_citizen=38.0), LS, 48),
    "capacity_building": (0.1, dict(capacity_building_effect=0.0), LS, 48),
    # New roles that achieve nothing take servants from casework.
    "servant_new_roles": (1.0, dict(navigator_effect=0.0, weaver_effect=0.0,
        storyteller_effect=0.0, architect_effect=0.0), LS, 48),
    "servant_training": (1.0, dict(training_time=0.2, **TIGHT), LS, 48),
    "connective_government": (1.0, dict(connective_cost=3.0, connective_access_effect=0.0,
        **TIGHT), LS, 48),
    # A centre that never steps in leaves a failing locality without rescue...
    "central_intervention": (0.0, dict(grant_per_citizen=30.0, rescue_funding=0.3,
        intervention_disruption=0.0, intervention_trigger=0.002), LS, 48),
    # ... and a hair trigger disrupts a sound one.
    "intervention_trigger": (0.0, dict(rescue_funding=0.0, intervention_disruption=0.4,
        central_intervention=1.0), LS, 48),
    "grant_per_citizen": (45.0, dict(), LS, 48),
    # A flat formula (no deprivation premium) leaves the deprived with less per unit of need.
    "formula_deprivation_weight": (0.0, dict(**TIGHT), GAP, 48),
}  # fmt: skip

LEVERS = sorted(name for name, spec in SPECS.items() if spec.group == "lever")
# Levers with no harm case inside the ranges comparisons draw, and why (a finding, kept honest:
# a test below checks that the reason still holds in its most unfavourable world).
NO_HARM_INSIDE_DRAWN = {
    "pooled_budget": "pooled money is repaid only when it beats its counterfactual (v3), and "
    "its fees (at most 10%) come out of the money itself: a failed bond costs its investors, "
    "a dear one the council's money later, but neither lowers life satisfaction in any "
    "drawn world tried (tight or generous grants, fees and returns at the top of their "
    "priors, restructuring at 20 GBP a unit)",
}
PRIORS = {prior.name: prior for prior in load_effects()}
POSTERIOR = load_posterior(SCENARIOS / "calibration" / "calibrated_baseline.posterior.csv")


def drawn(name: str, value: float) -> bool:
    """Whether a comparison's plausible worlds can hold ``value`` of parameter ``name``: any
    setting of a lever (a choice), an uncertain parameter inside its effect prior or the
    calibrated posterior's range, and any other parameter only at the status quo's value."""
    if SPECS[name].group == "lever":
        return True
    if name in PRIORS:
        return PRIORS[name].low <= value <= PRIORS[name].high
    if name in POSTERIOR:
        return POSTERIOR[name].min() <= value <= POSTERIOR[name].max()
    return value == STATUS_QUO[name]


def test_every_lever_has_a_help_and_a_harm_case_inside_the_schema():
    assert sorted(HELPS) == LEVERS and sorted([*HARMS, *NO_HARM_INSIDE_DRAWN]) == LEVERS
    for lever, (value, world, _, _) in {**HELPS, **HARMS}.items():
        SPECS[lever].check(value)
        for name, setting in world.items():
            SPECS[name].check(setting)
        assert value != STATUS_QUO[lever], lever


def test_every_harm_case_lies_inside_the_ranges_comparisons_draw():
    """The harms are not bought with effect sizes no comparison would draw."""
    for lever, (_, world, _, _) in HARMS.items():
        outside = [f"{k} = {v}" for k, v in world.items() if not drawn(k, v)]
        assert not outside, f"{lever}: {outside}"


def _direction(lever: str, case: tuple) -> float:
    value, world, outcome, months = case
    base = {**STATUS_QUO, **world}
    diff = paired_difference(base, {lever: value}, outcome, months)
    return diff if outcome == LS else -diff  # positive = better


@pytest.mark.parametrize("lever", sorted(HELPS))
def test_lever_helps_somewhere(lever):
    assert _direction(lever, HELPS[lever]) > 0


@pytest.mark.parametrize("lever", sorted(HARMS))
def test_lever_harms_somewhere(lever):
    assert _direction(lever, HARMS[lever]) < 0


def test_pooled_money_at_its_dearest_drawn_terms_still_does_not_lower_wellbeing():
    """The documented exception: fees and returns at the top of their priors, restructuring
    at its dearest, a locality that can use little more money: pooled money still does not
    lower life satisfaction (if this starts failing, give pooled_budget a harm case)."""
    world = dict(grant_per_citizen=90.0, pooled_finance_cost=PRIORS["pooled_finance_cost"].high,
                 sib_return=PRIORS["sib_return"].high,
                 transition_cost=PRIORS["transition_cost"].high)  # fmt: skip
    assert all(drawn(k, v) for k, v in world.items())
    assert _direction("pooled_budget", (0.5, world, LS, 24)) >= 0


# Unfavourable but plausible: every value inside its schema range and its published or judged
# prior; co-production burdens without helping, capacity building and community money do
# nothing, outcome contracts are gamed, the council misjudges places, switching and deliberation
# cost time, the connective council and the bond are dear, prevention works weakly.
UNFAVOURABLE = dict(
    coproduction_effect=0.0,
    coproduction_burden=0.3,
    capacity_building_effect=0.0,
    community_action_effect=0.0,
    outcome_contract_effort=0.0,
    outcome_gaming=0.3,
    council_error=1.0,
    switching_disruption=0.5,
    deliberation_staff_time=0.2,
    training_time=0.2,
    connective_access_effect=0.0,
    connective_cost=3.0,
    sib_return=0.1,
    prevention_effect=0.1,
    entitlement_assessment=0.2,
    nonpublic_value=0.8,
)


def test_local_public_support_loses_to_the_status_quo_under_unfavourable_effect_sizes():
    for name, value in UNFAVOURABLE.items():
        SPECS[name].check(value)
        assert SPECS[name].group == "uncertainty", name
        assert drawn(name, value), name
    change = {k: v for k, v in LPS.items() if SPECS[k].group == "lever"}
    diff = paired_difference({**STATUS_QUO, **UNFAVOURABLE}, change, LS, months=48)
    assert diff < 0
