"""Unit tests of every mechanism, and of the Ledger, on small hand-made arrays.

Each test checks one documented behaviour of one pure function against values computed by hand
(the arithmetic is in the comments), or one trade-off the model exists to show. Constants of
the mechanisms that a hand computation relies on are asserted first, so a change of constant
fails with a clear message instead of a puzzling number.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal

from coauthor_sim.mechanisms import (
    engagement,
    governance,
    need,
    providers,
    servants,
    support,
    wellbeing,
)
from coauthor_sim.state import SECTORS, SPENDING_KINDS, Ledger

T, F = True, False


def arr(*values) -> np.ndarray:
    return np.array(values, dtype=float)


def unit_floats(n: int, **kw) -> st.SearchStrategy[np.ndarray]:
    """Arrays of ``n`` floats in [0, 1]."""
    return hnp.arrays(np.float64, n, elements=st.floats(0.0, 1.0, **kw))


# ============================================================================================
# need
# ============================================================================================


def test_accrue_need_hand_computed_faster_when_deprived_slower_with_prevention():
    """rate = growth age (1 + gradient (1 - context)) (1 - effect prevention); u = 0.5 gives
    the mean rate. Deprivation speeds need up, prevention slows it down."""
    new = need.accrue_need(
        need=arr(0.2, 0.2, 0.2),
        context=arr(1.0, 0.0, 0.0),
        prevention=arr(0.0, 0.0, 1.0),
        age_factor=arr(1.0, 1.0, 1.0),
        growth=0.1,
        gradient=1.0,
        prevention_effect=0.5,
        uniform=arr(0.5, 0.5, 0.5),
    )
    # rates 0.1, 0.2, 0.1; need + rate * (1 - 0.2)
    assert_allclose(new, [0.28, 0.36, 0.28])
    assert new[1] > new[0]  # deprived context: faster
    assert new[2] < new[1]  # same context with prevention: slower


def test_accrue_need_without_events_leaves_need_unchanged():
    """A month with u = 0 brings no new need."""
    start = arr(0.0, 0.3, 1.0)
    new = need.accrue_need(
        start, arr(0.2, 0.5, 0.9), arr(0, 0, 0), arr(1, 1, 1), 0.3, 2.0, 0.5, arr(0, 0, 0)
    )
    assert_array_equal(new, start)


@given(
    start=unit_floats(6),
    context=unit_floats(6),
    prevention=unit_floats(6),
    uniform=unit_floats(6),
    growth=st.floats(0.0, 0.5),
    gradient=st.floats(0.0, 10.0),
    effect=st.floats(0.0, 1.0),
)
def test_accrue_need_never_falls_and_never_exceeds_one(
    start, context, prevention, uniform, growth, effect, gradient
):
    """Whatever the (in-range) inputs, need accrues monotonically and is capped at 1, even at
    the largest growth and gradient where the raw rate is far above 1."""
    age = need.AGE_NEED_FACTOR[np.arange(6) % 3]
    new = need.accrue_need(start, context, prevention, age, growth, gradient, effect, uniform)
    assert np.all(new >= start)
    assert np.all(new <= 1.0)


def test_accrue_need_caps_at_one_at_extreme_growth():
    """growth 0.5, gradient 10, most deprived, u = 1: need + 5.5 x 2 (1 - need) > 1 -> 1."""
    new = need.accrue_need(arr(0.5, 1.0), arr(0, 0), arr(0, 0), arr(1, 1), 0.5, 10.0, 0.0,
                           arr(1, 1))  # fmt: skip
    assert_array_equal(new, [1.0, 1.0])


def test_accrue_need_grows_faster_with_age():
    """Same context and draw: the older citizen's need grows fastest, the young's slowest."""
    young, adult, older = need.AGE_NEED_FACTOR
    assert young < adult < older
    new = need.accrue_need(arr(0.2, 0.2, 0.2), arr(0.5, 0.5, 0.5), arr(0, 0, 0),
                           need.AGE_NEED_FACTOR, 0.1, 1.0, 0.0, arr(0.5, 0.5, 0.5))  # fmt: skip
    assert new[0] < new[1] < new[2]
    assert_allclose(new - 0.2, 0.1 * 1.5 * 0.8 * need.AGE_NEED_FACTOR)


def test_detect_crises_chance_rises_from_threshold_to_full_need():
    """Chance = probability x (need - threshold) / (1 - threshold): 0, 0, 0.25 and 0.5 for
    need 0.5, 0.6, 0.8, 1 at threshold 0.6 and probability 0.5."""
    levels = arr(0.5, 0.6, 0.8, 0.8, 1.0, 1.0)
    crisis = need.detect_crises(levels, 0.6, 0.5, arr(0, 0, 0.24, 0.26, 0.49, 0.51))
    assert_array_equal(crisis, [F, F, T, F, T, F])


def test_self_help_meets_need_up_to_rate_times_capacity():
    """need - rate x capacity, never below 0: 0.5 - 0.1 x 0.8 = 0.42; 0.05 - 0.1 -> 0."""
    new = need.self_help(arr(0.5, 0.5, 0.05), arr(0.8, 0.0, 1.0), 0.1)
    assert_allclose(new, [0.42, 0.5, 0.0])


def test_detect_crises_never_below_threshold_even_with_certainty():
    """probability 1 makes every citizen above the threshold fall into crisis, nobody else."""
    levels = np.linspace(0, 1, 11)
    crisis = need.detect_crises(levels, 0.45, 1.0, np.zeros(11))
    assert_array_equal(crisis, levels > 0.45)


def test_respond_to_crises_cuts_need_by_funded_relief_not_below_zero():
    """Cut = relief x funded share = 0.4 x 0.5 = 0.2 for those in crisis; need stays >= 0."""
    new = need.respond_to_crises(arr(0.7, 0.7, 0.1), np.array([T, F, T]), 0.5, 0.4)
    assert_allclose(new, [0.5, 0.7, 0.0])
    unfunded = need.respond_to_crises(arr(0.7, 0.7), np.array([T, T]), 0.0, 0.4)
    assert_allclose(unfunded, [0.7, 0.7])


# ============================================================================================
# engagement
# ============================================================================================


def test_exposure_from_counts_fractional_and_counts():
    """Share of ties engaged (0 for the tie-less) or the raw count."""
    counts, degree = arr(2, 0, 3), arr(4, 0, 3)
    assert_allclose(engagement.exposure_from_counts(counts, degree, True), [0.5, 0.0, 1.0])
    assert_array_equal(engagement.exposure_from_counts(counts, degree, False), counts)


def test_neighbour_exposure_on_a_path():
    """Path 0 - 1 - 2 with the two ends engaged: the middle sees 2 engaged of 2 ties."""
    adj = sp.csr_array(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float))
    active, degree = np.array([T, F, T]), arr(1, 2, 1)
    assert_allclose(engagement.neighbour_exposure(adj, active, degree), [0, 1, 0])
    assert_allclose(engagement.neighbour_exposure(adj, active, degree, False), [0, 2, 0])


def test_threshold_rule_fires_at_or_above_threshold():
    """Adoption when exposure >= threshold (the classic rule includes equality)."""
    fired = engagement.threshold_rule(arr(0.2, 0.5, 0.7), arr(0.5, 0.5, 0.5))
    assert_array_equal(fired, [F, T, T])


def test_community_level_saturates_below_one():
    """m / (m + half): 0 -> 0, half -> 0.5, 3 x half -> 0.75, huge -> below 1."""
    half = engagement.COMMUNITY_HALF_SATURATION
    level = engagement.community_level(arr(0, half, 3 * half, 1e9))
    assert_allclose(level[:3], [0.0, 0.5, 0.75])
    assert 0.99 < level[3] < 1.0


def test_engagement_thresholds_fall_with_willingness_and_community_resources():
    """scale x odds against, (1 - w) / w, x (1 - effect x level): odds 3, 1, 0 give 2.7, 0.9,
    0 at scale 0.9; community level 0.5 at effect 0.5 cuts them by a quarter. The wholly
    unwilling have an infinite threshold."""
    willing = arr(0.25, 0.5, 1.0, 0.0)
    none = engagement.engagement_thresholds(willing, np.zeros(4), 0.9, 0.5)
    some = engagement.engagement_thresholds(willing, np.full(4, 0.5), 0.9, 0.5)
    assert_allclose(none, [2.7, 0.9, 0.0, np.inf])
    assert_allclose(some, [2.025, 0.675, 0.0, np.inf])


def test_reluctant_citizens_never_join_by_the_threshold_rule():
    """A threshold above 1 cannot be reached by any share of engaged ties."""
    threshold = engagement.engagement_thresholds(arr(0.25, 0.0), np.zeros(2), 0.9, 0.5)
    assert not engagement.threshold_rule(np.ones(2), threshold).any()


def test_watched_crisis_rate_smooths_one_bad_month():
    """A month at 0.03 after calm months lifts the watched rate by a third of the jump; it
    takes sustained crises to pass a trigger of 0.02."""
    one = governance.watched_crisis_rate(0.0, 0.03)
    assert one == pytest.approx(0.01)
    rate = 0.0
    for _ in range(6):
        rate = governance.watched_crisis_rate(rate, 0.03)
    assert rate > 0.02


def test_engagement_thresholds_never_nan():
    """threshold_scale 0 and willingness 0 are both in range; the threshold must be a number
    (inf: the wholly unwilling never join), not NaN."""
    threshold = engagement.engagement_thresholds(arr(0.0, 0.5), np.zeros(2), 0.0, 0.5)
    assert not np.isnan(threshold).any()


def test_update_engagement_hand_cases():
    """Join by the rule, blocked without spare capacity, leave without it, drop out, stay,
    spontaneous start scaled by willingness."""
    new = engagement.update_engagement(
        engaged=np.array([F, F, T, T, T, F, F]),
        exposure=arr(0.6, 0.6, 0.6, 0.6, 0.6, 0.0, 0.0),
        threshold=arr(0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5),
        spare_capacity=arr(0.3, 0.1, 0.1, 0.3, 0.3, 0.3, 0.3),
        willingness=arr(1, 1, 1, 1, 1, 1.0, 0.2),
        capacity_floor=0.25,
        spontaneous_rate=0.01,
        dropout_rate=0.05,
        uniform=arr(0.5, 0.5, 0.5, 0.01, 0.5, 0.005, 0.005),
    )
    # 0 joins; 1 cannot (no spare capacity); 2 leaves (lost it); 3 drops out (u < 0.05);
    # 4 stays; 5 starts (0.005 < 0.01 x 1); 6 does not (0.005 >= 0.01 x 0.2).
    assert_array_equal(new, [T, F, F, F, T, T, F])


@given(
    engaged=hnp.arrays(bool, 8),
    exposure=unit_floats(8),
    threshold=unit_floats(8),
    spare=hnp.arrays(np.float64, 8, elements=st.floats(-1.0, 1.0)),
    willingness=unit_floats(8),
    uniform=unit_floats(8, exclude_max=True),
    floor=st.floats(0.0, 1.0),
    spontaneous=st.floats(0.0, 1.0),
    dropout=st.floats(0.0, 1.0),
)
def test_update_engagement_never_engages_a_citizen_without_spare_capacity(
    engaged, exposure, threshold, spare, willingness, uniform, floor, spontaneous, dropout
):
    """Deprivation acts on entry: below the capacity floor nobody is engaged next month,
    whatever the social pressure or chance."""
    new = engagement.update_engagement(
        engaged, exposure, threshold, spare, willingness, floor, spontaneous, dropout, uniform
    )
    assert not np.any(new & (spare < floor))


@given(
    engaged=hnp.arrays(bool, 8),
    spare=hnp.arrays(np.float64, 8, elements=st.floats(-1.0, 1.0)),
    uniform=unit_floats(8, exclude_max=True),
)
def test_update_engagement_without_dropout_or_starters_keeps_the_able_engaged(
    engaged, spare, uniform
):
    """dropout 0 and spontaneous 0, nobody exposed: the engaged who stay able stay engaged, and
    nobody new joins (thresholds above every exposure)."""
    new = engagement.update_engagement(
        engaged, np.zeros(8), np.ones(8), spare, np.ones(8), 0.25, 0.0, 0.0, uniform
    )
    assert_array_equal(new, engaged & (spare >= 0.25))


# ============================================================================================
# governance
# ============================================================================================


def test_formula_shares_weight_deprived_places_up_and_sum_to_one():
    """Weights population x (1 + deprivation): 100 and 200, so shares 1/3 and 2/3; the most
    deprived place gets twice as much per head."""
    shares = governance.formula_shares(arr(100, 100, 50), arr(0.0, 1.0, 0.5), 1.0)
    assert_allclose(shares, [100 / 375, 200 / 375, 75 / 375])
    assert shares.sum() == pytest.approx(1.0)
    flat = governance.formula_shares(arr(100, 100, 50), arr(0.0, 1.0, 0.5), 0.0)
    assert_allclose(flat, [0.4, 0.4, 0.2])  # no deprivation premium: per head alike


def test_central_grant_applies_shock_only_from_shock_month():
    """60 GBP x 100 citizens = 6000 before month 5, 4800 (a 20% cut) from month 5 on."""
    grants = [governance.central_grant(60.0, 100, -0.2, m, 5) for m in (0, 4, 5, 6, 100)]
    assert grants == pytest.approx([6000, 6000, 4800, 4800, 4800])
    assert governance.central_grant(60.0, 100, -1.0, 5, 5) == 0.0
    assert governance.central_grant(60.0, 100, 0.5, 5, 5) == pytest.approx(9000)


def test_should_intervene_needs_crises_above_trigger_and_a_draw():
    """Strictly above the trigger, and only with chance ``propensity``."""
    assert governance.should_intervene(0.03, 0.02, 0.8, 0.5)
    assert not governance.should_intervene(0.02, 0.02, 1.0, 0.0)  # at the trigger
    assert not governance.should_intervene(0.03, 0.02, 0.8, 0.9)  # draw above propensity
    assert not governance.should_intervene(1.0, 0.02, 0.0, 0.0)  # settlement: never


def test_effective_local_control_is_cut_under_ring_fencing():
    """Ring-fencing leaves RING_FENCED_CONTROL (a quarter) of local control."""
    assert governance.RING_FENCED_CONTROL == 0.25
    assert governance.effective_local_control(0.8, True) == pytest.approx(0.2)
    assert governance.effective_local_control(0.8, False) == pytest.approx(0.8)


def test_voice_propensity_rises_with_control_and_capacity():
    """rate x mean of control and capacity."""
    prop = governance.voice_propensity(arr(0, 1, 0.5), arr(0, 1, 0.3), arr(0, 0, 0), 0.1, 3.0)
    assert_allclose(prop, [0.0, 0.1, 0.04])


def test_engaged_citizens_voice_more_often_and_the_chance_stays_a_probability():
    prop = governance.voice_propensity(arr(0.5, 0.5, 1.0), arr(0.5, 0.5, 1.0),
                                       np.array([F, T, T]), 0.2, 3.0)  # fmt: skip
    assert_allclose(prop, [0.1, 0.4, 0.8])
    assert governance.voice_propensity(arr(1.0), arr(1.0), np.array([T]), 0.5, 10.0)[0] == 1.0


def test_voice_weights_hand_computed():
    """Inclusion 0: one each. Inclusion 1: mean propensity / own propensity (0.2 / 0.1 = 2,
    0.2 / 0.3). Half way in between at 0.5. The silent carry no weight."""
    voiced, prop = np.array([T, T, F]), arr(0.1, 0.3, 0.2)
    assert_allclose(governance.voice_weights(voiced, prop, 0.0), [1, 1, 0])
    assert_allclose(governance.voice_weights(voiced, prop, 1.0), [2, 2 / 3, 0])
    assert_allclose(governance.voice_weights(voiced, prop, 0.5), [1.5, 5 / 6, 0])


def test_voice_weights_full_inclusion_equalises_expected_weight():
    """Expected weight = chance of speaking x weight when speaking. With inclusion 1 it is the
    same for every propensity (each group counts by its size); with 0 the loud dominate."""
    prop = arr(0.01, 0.05, 0.1, 0.4)
    speaking = np.ones(4, dtype=bool)
    equal = prop * governance.voice_weights(speaking, prop, 1.0)
    assert_allclose(equal, np.full(4, prop.mean()))
    loud = prop * governance.voice_weights(speaking, prop, 0.0)
    assert np.all(np.diff(loud) > 0)


def test_update_priorities_blends_memory_with_voiced_need():
    """Voiced need by place [0.2, 0.6] -> shares [0.25, 0.75]; 0.8 x [0.5, 0.5] + 0.2 x that."""
    assert governance.PRIORITY_MEMORY == 0.8
    new = governance.update_priorities(
        arr(0.5, 0.5), arr(1, 1, 0), arr(0.2, 0.6, 0.9), np.array([0, 1, 1])
    )
    assert_allclose(new, [0.45, 0.55])
    assert new.sum() == pytest.approx(1.0)


def test_update_priorities_unchanged_when_nobody_voices():
    """No voice, no information: the council keeps last month's priorities as they were."""
    old = arr(0.1, 0.3, 0.6)
    new = governance.update_priorities(old, np.zeros(4), arr(0.5, 0.9, 0.2, 1), np.arange(4) % 3)
    assert_array_equal(new, old)


@given(
    pop=hnp.arrays(np.float64, 5, elements=st.floats(0.01, 1.0)),
    prio=hnp.arrays(np.float64, 5, elements=st.floats(0.0, 1.0)),
    local_control=st.floats(0.0, 1.0),
    setting=st.floats(0.0, 1.0),
)
def test_allocation_shares_sum_to_one_and_are_non_negative(pop, prio, local_control, setting):
    """Per-head and priority shares both sum to 1, so any blend of them does too."""
    pop = pop / pop.sum()
    prio = prio / prio.sum() if prio.sum() > 0 else pop
    shares = governance.allocation_shares(pop, prio, local_control, setting)
    assert shares.sum() == pytest.approx(1.0)
    assert np.all(shares >= 0)


def test_allocation_shares_hand_computed():
    """steered = 0.5 x 0.4 = 0.2: 0.8 x [0.25, 0.75] + 0.2 x [0.5, 0.5]."""
    shares = governance.allocation_shares(arr(0.25, 0.75), arr(0.5, 0.5), 0.5, 0.4)
    assert_allclose(shares, [0.3, 0.7])


def test_voice_heard_hand_computed_and_capped():
    """Weights [2, 1, 0, 1]: mean voice 4/3, relative [1.5, .75, 0, .75], times 0.5 x 0.8.
    With all money following voices the loudest is capped at 1."""
    w = arr(2, 1, 0, 1)
    assert_allclose(governance.voice_heard(w, 0.5, 0.8), [0.6, 0.3, 0.0, 0.3])
    assert_allclose(governance.voice_heard(w, 1.0, 1.0), [1.0, 0.75, 0.0, 0.75])
    assert_array_equal(governance.voice_heard(np.zeros(3), 1.0, 1.0), np.zeros(3))


@given(
    weights=hnp.arrays(np.float64, 6, elements=st.floats(0.0, 100.0)),
    local_control=st.floats(0.0, 1.0),
    setting=st.floats(0.0, 1.0),
)
def test_voice_heard_in_unit_interval(weights, local_control, setting):
    """voice_heard feeds control, which must stay in [0, 1]."""
    heard = governance.voice_heard(weights, local_control, setting)
    assert np.all((heard >= 0) & (heard <= 1))


# ============================================================================================
# providers
# ============================================================================================


def test_provider_payments_block_pays_allocation_outcome_pays_used_cost_capped():
    """Block: allocation whatever is used. Outcome: cost of the capacity used plus the risk
    premium (10%), never more than the allocation: 50 -> 55, 150 -> capped at 100."""
    assert providers.OUTCOME_RISK_PREMIUM == 0.1
    paid = providers.provider_payments(
        allocated=arr(100, 100, 100, 100),
        used_cost=arr(50, 150, 50, 0),
        outcome_contract=np.array([F, T, T, T]),
    )
    assert_allclose(paid, [100, 100, 55, 0])


def test_measured_performance_exact_with_perfect_feedback():
    """Truth = 1000 x effectiveness / unit cost; no error at feedback quality 1."""
    perf = providers.measured_performance(arr(0.6, 0.3), arr(200, 300), 1.0, arr(2.0, -1.0))
    assert_allclose(perf, [3.0, 1.0])


def test_measured_performance_log_normal_error_without_feedback():
    """Quality 0: truth x exp(FEEDBACK_NOISE x normal) = 3 e^1 and 1 e^-0.5."""
    assert providers.FEEDBACK_NOISE == 0.5
    perf = providers.measured_performance(arr(0.6, 0.3), arr(200, 300), 0.0, arr(2.0, -1.0))
    assert_allclose(perf, [3.0 * np.e, np.exp(-0.5)])


def test_worst_of_kind_picks_the_worst_of_the_right_kind():
    """The globally worst (index 2) is responsive; the worst preventative is index 0."""
    record, kind = arr(1.0, 5.0, 0.5, 2.0), np.array([0, 0, 1, 1])
    assert providers.worst_of_kind(record, kind, 0) == 0
    assert providers.worst_of_kind(record, kind, 1) == 2


# ============================================================================================
# servants
# ============================================================================================


def test_role_effort_is_time_times_skill():
    effort = servants.role_effort(np.array([[0.1, 0.2, 0.0, 0.3]]), np.array([[0.5, 0.5, 1, 0.2]]))
    assert_allclose(effort, [[0.05, 0.1, 0.0, 0.06]])


def test_casework_units_use_time_left_by_new_roles():
    """10 x (1 - 0.5) x (0.5 + 0.5) = 5; no new roles and full skill: 10 x 1 x 1.5 = 15."""
    units = servants.casework_units(
        np.array([[0.1, 0.1, 0.1, 0.2], [0, 0, 0, 0]]), np.array([[0.5] * 4, [1.0] * 4]), 10.0
    )
    assert_allclose(units, [5.0, 15.0])


def test_casework_units_never_negative_with_all_time_in_new_roles():
    """Shares 0 + 0.34 + 0.56 + 0.1 = 1 (1 + 1.1e-16 in floats): no casework, not less."""
    units = servants.casework_units(np.array([[0.0, 0.34, 0.56, 0.1]]), np.full((1, 4), 0.5), 10)
    assert units[0] >= 0.0


def test_by_neighbourhood_sums_by_share_of_time_including_empty_places():
    """Servant 0 works only in place 0, servant 1 splits its time between places 1 and 2,
    nobody covers place 3; a matrix of efforts (servant x role) comes back role x place."""
    coverage = np.array([[1.0, 0, 0, 0], [0, 0.5, 0.5, 0]])
    assert_allclose(servants.by_neighbourhood(arr(2, 4), coverage), [2, 2, 2, 0])
    per_role = servants.by_neighbourhood(np.array([[1.0, 10.0], [2.0, 20.0]]), coverage)
    assert_allclose(per_role, [[1, 1, 1, 0], [10, 10, 10, 0]])


def test_train_closes_a_share_of_the_skill_gap_and_nothing_without_training():
    skills = arr(0.4, 0.9)
    assert_array_equal(servants.train(skills, 0.0), skills)
    assert_allclose(servants.train(skills, 1.0), skills + servants.TRAINING_RATE * (1 - skills))
    many = skills
    for _ in range(500):
        many = servants.train(many, 1.0)
    assert np.all(many <= 1.0) and np.all(many > 0.99)


def test_navigate_hand_computed():
    """Place 0: capacity 1 over priorities summing to 1, so chances [0.75, 0.25, 0]. Place 1
    has no navigators. Zero priority is never navigated, even with u = 0."""
    guided = servants.navigate(
        priority=arr(0.75, 0.25, 0.0, 0.5),
        neighbourhood=np.array([0, 0, 0, 1]),
        capacity_per_hood=arr(1.0, 0.0),
        uniform=arr(0.5, 0.5, 0.0, 0.0),
    )
    assert_array_equal(guided, [T, F, F, F])


def test_navigate_reaches_high_priority_first():
    """For every draw, whenever a lower-priority citizen is guided, so is a higher one with the
    same draw: the poorly connected with high need come first."""
    priority, hood, cap = arr(0.9, 0.4, 0.1), np.zeros(3, dtype=int), arr(0.8)
    for u in np.linspace(0, 0.999, 200):
        guided = servants.navigate(priority, hood, cap, np.full(3, u))
        assert np.all(np.diff(guided.astype(int)) <= 0)


def test_navigate_respects_capacity_on_average():
    """4000 copies of one place with capacity 1.5: on average 1.5 guided per place (the
    chances 0.75 x priority stay below 1, so the capacity is used in full)."""
    copies = 4000
    priority = np.tile(arr(0.9, 0.5, 0.3, 0.2, 0.1), copies)
    hood = np.repeat(np.arange(copies), 5)
    guided = servants.navigate(
        priority, hood, np.full(copies, 1.5), np.random.default_rng(7).random(priority.size)
    )
    assert guided.sum() / copies == pytest.approx(1.5, abs=0.06)


def test_navigate_guides_every_seeker_when_capacity_covers_them_all():
    """Capacity 3 for 3 seekers: all should be guided. With priorities [1, .01, .01] the
    chances are min(1, p x 3 / 1.02) = [1, .029, .029]: one guided, two left alone."""
    guided = servants.navigate(
        arr(1.0, 0.01, 0.01), np.zeros(3, dtype=int), arr(3.0), np.full(3, 0.5)
    )
    assert guided.all()


def test_weaving_boost_saturates_at_effect():
    """Density per 100 citizens d: effect d / (1 + d). One weaver per 100 gives half; density
    counts per head, so 2 per 200 is the same; it rises but never reaches ``effect``."""
    boost = servants.weaving_boost(arr(0, 1, 2, 10, 1e6), arr(100, 100, 200, 100, 100), 2.0)
    assert_allclose(boost[:3], [0.0, 1.0, 1.0])
    assert np.all(np.diff(boost[[0, 1, 3, 4]]) > 0)
    assert boost[4] < 2.0
    assert boost[4] == pytest.approx(2.0, rel=1e-5)


def test_storytelling_reach_is_a_chance():
    """effort x reach / population, at most 1, and no division by an empty place."""
    reach = servants.storytelling_reach(arr(0.5, 0.5, 10, 0.5), arr(100, 200, 100, 0), 100.0)
    assert_allclose(reach, [0.5, 0.25, 1.0, 1.0])


def test_tell_stories_moves_only_those_reached():
    """Willingness closes ``effect`` of its gap, capacity half that share."""
    w, c = servants.tell_stories(arr(0.2, 0.2), arr(0.4, 0.4), np.array([T, F]), 0.5)
    assert_allclose(w, [0.6, 0.2])  # 0.2 + 0.5 x 0.8
    assert_allclose(c, [0.55, 0.4])  # 0.4 + 0.25 x 0.6


def test_architect_cuts_fragmentation():
    """Effort 2 for 1000 citizens at effect 0.05: cut 0.1 x 0.3 = 0.03, no drift when the
    system starts at its initial level or local control is full."""
    assert servants.architect(0.3, 2.0, 1000, 0.05, 0.3, 1.0) == pytest.approx(0.27)
    assert servants.architect(0.3, 2.0, 1000, 0.05, 0.3, 0.0) == pytest.approx(0.27)
    assert servants.architect(0.3, 5.0, 1000, 1.0, 0.3, 1.0) == 0.0  # cut saturates


def test_architect_ring_fencing_pulls_fragmentation_back():
    """No architects, fragmentation 0.1 below its initial 0.3: it drifts back by SILO_DRIFT x
    (1 - local control) x 0.2 (0.01 at no local control, 0.005 at half, none at full)."""
    assert servants.SILO_DRIFT == 0.05
    drift = [servants.architect(0.1, 0.0, 1000, 0.05, 0.3, lc) for lc in (0.0, 0.5, 1.0)]
    assert drift == pytest.approx([0.11, 0.105, 0.1])


# ============================================================================================
# support
# ============================================================================================


def test_access_rises_with_connectedness_and_navigator_helps_poorly_connected_most():
    """base + (1 - base) conn: 0.4, 0.7, 1. The navigator closes 0.8 of the gap: +0.48 for the
    unconnected but +0.24 for the half connected."""
    conn = arr(0, 0.5, 1, 0, 0.5)
    access = support.access_probability(conn, np.array([F, F, F, T, T]), 0.4, 0.8)
    assert_allclose(access, [0.4, 0.7, 1.0, 0.88, 0.94])
    assert access[3] - access[0] > access[4] - access[1]


def test_seek_support_asks_for_need_above_threshold_when_reached():
    """Only need strictly above the threshold and a successful draw produce a demand."""
    demand = support.seek_support(
        arr(0.1, 0.5, 0.5, 0.2), arr(1, 1, 0.3, 1), 0.2, arr(0, 0.5, 0.5, 0)
    )
    assert_allclose(demand, [0.0, 0.5, 0.0, 0.0])


def test_ration_shares_supply_in_proportion_to_demand():
    """Group 0 asks 4 of supply 2: everyone gets half. Group 1 asks 0.5 of 10: gets 0.5."""
    got = support.ration(arr(1, 1, 2, 0.5), np.ones(4), np.array([0, 0, 0, 1]), arr(2, 10))
    assert_allclose(got, [0.5, 0.5, 1.0, 0.5])


def test_prevention_outreach_reaches_only_rising_need_up_to_the_room_in_the_stock():
    """Seek threshold 0.2: outreach covers need in (0.1, 0.2]; offered 1 - prevention."""
    offered = support.prevention_outreach(
        arr(0.05, 0.15, 0.15, 0.2, 0.3), arr(0.0, 0.0, 0.6, 0.0, 0.0), 0.2
    )
    assert_allclose(offered, [0.0, 1.0, 0.4, 1.0, 0.0])


def test_ration_splits_by_demand_times_priority():
    """Weighted demand [1, 0.5]: supply 0.6 is split 2 : 1."""
    got = support.ration(arr(1, 1), arr(1, 0.5), np.array([0, 0]), arr(0.6))
    assert_allclose(got, [0.4, 0.2])


@given(
    demand=hnp.arrays(np.float64, 10, elements=st.floats(0.0, 1.0)),
    priority=hnp.arrays(np.float64, 10, elements=st.floats(0.0, 1.0)),
    group=hnp.arrays(np.int64, 10, elements=st.integers(0, 2)),
    supply=hnp.arrays(np.float64, 3, elements=st.floats(0.0, 20.0)),
)
def test_ration_never_more_than_asked_nor_than_supply(demand, priority, group, supply):
    """Nobody gets more than it asked, no group more than its supply, and nothing is negative."""
    got = support.ration(demand, priority, group, supply)
    assert np.all(got >= 0)
    assert np.all(got <= demand)
    assert np.all(np.bincount(group, got, minlength=3) <= supply * (1 + 1e-12) + 1e-15)


def test_sparse_ration_lists_who_asked_and_what_each_got():
    """The sparse form gives those with demand x priority above zero, in order, and their
    shares; everyone else gets nothing from ration."""
    demand, priority, group = arr(1, 0, 2, 0.5), arr(1, 1, 0, 1), np.array([0, 0, 1, 1])
    asking, got = support.ration(demand, priority, group, arr(1, 1), sparse=True)
    assert asking.tolist() == [0, 3]
    assert_allclose(got, [1.0, 0.5])
    assert_allclose(support.ration(demand, priority, group, arr(1, 1)), [1.0, 0, 0, 0.5])


def test_ration_serves_all_demand_when_supply_covers_it():
    """Supply 1.3 covers total demand 1.2, so everyone gets what it asked, whatever the
    priorities: what the first is not asking for is handed on to the second."""
    demand = arr(0.3, 0.9)
    got = support.ration(demand, arr(0.82, 0.46), np.array([0, 0]), arr(1.3))
    assert_allclose(got, demand)


def test_ration_never_returns_nan_for_tiny_priorities():
    """A priority of 1e-309 is in [0, 1]; the one asking gets its demand, the other 0."""
    got = support.ration(arr(1.0, 0.5), arr(1e-309, 0.0), np.array([0, 0]), arr(1.0))
    assert not np.isnan(got).any()


def test_outcome_priority_favours_low_need_only_under_outcome_contracts():
    """1 - cream x need under outcome contracts; 1 on block contracts."""
    prio = support.outcome_priority(arr(0.2, 0.8, 0.2, 0.8), np.array([T, T, F, F]), 0.5)
    assert_allclose(prio, [0.9, 0.6, 1.0, 1.0])


def test_outcome_contracts_cream_skim_low_need_citizens():
    """Scarce supply, same demand as need: on outcome contracts the low-need citizen gets a
    larger share of what it asked than the high-need one; on block contracts both get the
    same share."""
    need_, group, supply = arr(0.3, 0.9), np.array([0, 0]), arr(0.6)
    for contract, skims in ((T, True), (F, False)):
        prio = support.outcome_priority(need_, np.array([contract, contract]), 0.6)
        served = support.ration(need_, prio, group, supply) / need_
        assert (served[0] > served[1] + 1e-9) == skims
    block = support.ration(need_, np.ones(2), group, supply) / need_
    assert_allclose(block, [0.5, 0.5])


def test_coproduction_multiplier_backfires_for_low_capacity():
    """1 + intensity x effect x (2 capacity - 1): 1.4, 1, 0.6, 0.5 at effect 0.5; above 1 for
    high capacity, below 1 for low capacity; never negative; 1 without co-production."""
    cap = arr(0.9, 0.5, 0.1, 0.0)
    assert_allclose(support.coproduction_multiplier(cap, 1.0, 0.5), [1.4, 1.0, 0.6, 0.5])
    assert_allclose(support.coproduction_multiplier(cap, 0.0, 2.0), np.ones(4))
    assert support.coproduction_multiplier(arr(0.0), 1.0, 2.0)[0] == 0.0  # 1 - 2 floored


def test_coproduction_effort_and_burden_heavier_for_low_capacity():
    """Effort intensity x capacity; burden intensity x burden x (1 - capacity); none for
    citizens who received no support."""
    effort, burden = support.coproduction_effort(arr(1, 1, 0), arr(0.8, 0.2, 0.5), 0.5, 0.2)
    assert_allclose(effort, [0.4, 0.1, 0.0])
    assert_allclose(burden, [0.02, 0.08, 0.0])
    assert burden[1] > burden[0]


def test_build_prevention_decays_grows_and_is_capped():
    """Decay PREVENTION_DECAY = 0.1 a month; units x effectiveness added; capped at 1."""
    assert support.PREVENTION_DECAY == 0.1
    new = support.build_prevention(arr(0.5, 1.0, 0.0, 0.9), arr(0, 0, 0.2, 1), arr(1, 1, 0.5, 1))
    assert_allclose(new, [0.45, 0.9, 0.1, 1.0])


def test_prevention_stock_wears_off_without_support():
    """Without new support the stock falls every month towards 0 and never below."""
    stock = arr(1.0, 0.3)
    for _ in range(60):
        new = support.build_prevention(stock, np.zeros(2), np.ones(2))
        assert np.all(new < stock) and np.all(new >= 0)
        stock = new
    assert np.all(stock < 0.01)


def test_informal_support_never_exceeds_need():
    """efficiency x help, capped at need: 0.3 capped to 0.2; 0.03; 0."""
    got = support.informal_support(arr(1.0, 0.1, 0.0), arr(0.2, 0.5, 0.5), 0.3)
    assert_allclose(got, [0.2, 0.03, 0.0])


def test_help_given_is_shared_among_ties():
    """Total help capacity x rate x (1 + boost) split over the giver's ties; nobody gives when
    not engaged or without ties."""
    per_tie = support.help_given(
        np.array([T, T, F, T]), arr(0.5, 1, 1, 1), arr(2, 4, 3, 0), 0.1, arr(0, 1, 0, 0)
    )
    assert_allclose(per_tie, [0.025, 0.05, 0.0, 0.0])


def test_help_given_is_conserved_over_the_network():
    """Summed over receivers (adjacency @ per-tie help), what arrives equals what the engaged
    givers with ties give in total: help is shared, not multiplied."""
    edges = [(0, 1), (0, 2), (1, 2), (2, 3), (3, 4)]
    adj = np.zeros((6, 6))  # citizen 5 has no ties
    for a, b in edges:
        adj[a, b] = adj[b, a] = 1
    degree = adj.sum(axis=1)
    engaged, cap = np.array([T, F, T, T, F, T]), arr(0.9, 0.8, 0.6, 0.3, 0.5, 1.0)
    boost = arr(0.5, 0.5, 0.5, 0.0, 0.0, 0.0)
    arriving = sp.csr_array(adj) @ support.help_given(engaged, cap, degree, 0.1, boost)
    given_total = np.where(engaged & (degree > 0), cap * 0.1 * (1 + boost), 0)
    assert arriving.sum() == pytest.approx(given_total.sum())


# ============================================================================================
# wellbeing
# ============================================================================================


def test_connectedness_from_ties_is_in_unit_interval():
    """r / (r + half): 0, 0.5, 0.75, and below 1 however rich the ties."""
    conn = wellbeing.connectedness_from_ties(arr(0, 5, 15, 1e6), 5.0)
    assert_allclose(conn[:3], [0.0, 0.5, 0.75])
    assert 0 <= conn[3] < 1


def test_wellbeing_target_hand_computed():
    """0.3 + 0.01 + 0.2 x 0.5 + 0.1 x 0.5 + 0.05 x 0.4 + 0.1 x 1 + 0.1 x 0.6 + 0.02 - 0.05."""
    w = {
        "base": 0.3,
        "need": 0.2,
        "ties": 0.1,
        "control": 0.05,
        "context": 0.1,
        "capacity": 0.1,
        "engagement": 0.02,
    }
    target = wellbeing.wellbeing_target(
        arr(0.5), arr(0.5), arr(0.4), arr(1.0), arr(0.6), np.array([T]), arr(0.05), arr(0.01), w
    )
    assert_allclose(target, [0.61])


def test_update_wellbeing_moves_towards_target_drops_in_crisis_and_clips():
    """0.5 + 0.25 x 0.4 = 0.6; same less 0.1 in crisis; clipped at 0 and at 1."""
    new = wellbeing.update_wellbeing(
        arr(0.5, 0.5, 0.05, 0.99),
        arr(0.9, 0.9, 0.0, 1.5),
        np.array([F, T, T, F]),
        0.25,
        0.1,
        arr(0, 0, 0, 0.02),
    )
    assert_allclose(new, [0.6, 0.5, 0.0, 1.0])


def test_update_capacity_hand_computed():
    """Grow 0.02 x (1 + 0.5) x 0.5 = 0.015; erode 0.03 x 0.4 x 0.5 = 0.006; relax 0.05 x 0.1
    = 0.005 -> 0.514. A crisis costs a further 0.1 x 0.5 -> 0.464."""
    assert wellbeing.CAPACITY_EROSION == 0.03
    assert (wellbeing.CAPACITY_RELAXATION, wellbeing.CAPACITY_CRISIS_LOSS) == (0.05, 0.1)
    new = wellbeing.update_capacity(
        arr(0.5, 0.5), arr(0.6, 0.6), np.array([T, T]), arr(0.5, 0.5), arr(0.4, 0.4),
        np.array([F, T]), 0.02,
    )  # fmt: skip
    assert_allclose(new, [0.514, 0.464])
    # learning at 0 (its prior's "no effect"): engagement and effort build nothing
    still = wellbeing.update_capacity(
        arr(0.5), arr(0.6), np.array([T]), arr(0.5), arr(0.4), np.array([F]), 0.0
    )
    assert_allclose(still, [0.499])


@given(
    capacity=unit_floats(6),
    base=unit_floats(6),
    engaged=hnp.arrays(bool, 6),
    effort=unit_floats(6),
    need_=unit_floats(6),
    crisis=hnp.arrays(bool, 6),
    control=unit_floats(6),
    heard=unit_floats(6),
)
def test_capacity_and_control_updates_stay_in_unit_interval(
    capacity, base, engaged, effort, need_, crisis, control, heard
):
    """For any states in [0, 1], the updated capacity and control are in [0, 1] too."""
    cap = wellbeing.update_capacity(capacity, base, engaged, effort, need_, crisis)
    ctl = wellbeing.update_control(control, base, heard)
    assert np.all((cap >= 0) & (cap <= 1))
    assert np.all((ctl >= 0) & (ctl <= 1))


def test_update_control_rises_when_heard_and_relaxes_otherwise():
    """0.2 + 0.3 x 1 x 0.8 = 0.44; unheard at base stays 0.2; above base relaxes 0.05 x 0.4;
    with a gain of 0 (its prior's "no effect") being heard changes nothing."""
    assert wellbeing.CONTROL_RELAXATION == 0.05
    new = wellbeing.update_control(arr(0.2, 0.2, 0.9), arr(0.2, 0.2, 0.5), arr(1, 0, 0), 0.3)
    assert_allclose(new, [0.44, 0.2, 0.88])
    none = wellbeing.update_control(arr(0.2, 0.9), arr(0.2, 0.5), arr(1, 1), 0.0)
    assert_allclose(none, [0.2, 0.88])


def test_update_willingness_fades_back_to_base():
    """Willingness raised by stories returns WILLINGNESS_RELAXATION = 5% of the way a month:
    0.8 -> 0.78 towards 0.4; at its base it stays."""
    assert wellbeing.WILLINGNESS_RELAXATION == 0.05
    assert_allclose(wellbeing.update_willingness(arr(0.8, 0.4), arr(0.4, 0.4)), [0.78, 0.4])


def test_build_capacity_closes_the_gap_most_for_the_least_capable():
    """Closes effect x level = 0.05 of the gap: 0.2 -> 0.24, 0.8 -> 0.81; repeated, it
    approaches but never passes 1."""
    base = wellbeing.build_capacity(arr(0.2, 0.8), arr(0.5, 0.5), 0.1)
    assert_allclose(base, [0.24, 0.81])
    assert base[0] - 0.2 > base[1] - 0.8
    for _ in range(500):
        base = wellbeing.build_capacity(base, arr(0.99, 0.99), 0.1)
    assert np.all(base <= 1.0) and np.all(base > 0.99)


# ============================================================================================
# Ledger (state.py)
# ============================================================================================


def test_ledger_pays_in_full_and_books_by_kind_and_sector():
    """Within the budget everything is paid and booked under its kind and sector(s)."""
    ledger = Ledger(available=1000.0)
    assert ledger.pay("servants", np.array([0, 2, 2]), arr(100, 50, 50)) == pytest.approx(200)
    assert ledger.pay("crisis", 0, 300.0) == pytest.approx(300)
    assert ledger.spent == pytest.approx(500)
    assert ledger.remaining == pytest.approx(500)
    assert ledger.by_kind["servants"] == pytest.approx(200)
    assert ledger.by_kind["crisis"] == pytest.approx(300)
    assert_allclose(ledger.by_sector, [400, 0, 100, 0])
    assert set(ledger.by_kind) == set(SPENDING_KINDS)
    assert len(ledger.by_sector) == len(SECTORS)


def test_ledger_scales_every_part_alike_when_short():
    """60 left for a bill of 120: every part is paid half."""
    ledger = Ledger(available=100.0)
    ledger.pay("training", 0, 40.0)
    paid = ledger.pay("responsive", np.array([1, 2, 3]), arr(30, 30, 60))
    assert paid == pytest.approx(60)
    assert_allclose(ledger.by_sector, [40, 15, 15, 30])
    assert ledger.spent == pytest.approx(100)
    assert ledger.remaining == 0.0
    assert ledger.pay("crisis", 0, 10.0) == 0.0  # nothing left
    assert ledger.pay("crisis", 0, 0.0) == 0.0  # nothing asked


@given(
    available=st.floats(0.0, 1e7),
    bills=st.lists(
        st.tuples(
            st.sampled_from(SPENDING_KINDS),
            hnp.arrays(np.int64, 3, elements=st.integers(0, 3)),
            hnp.arrays(np.float64, 3, elements=st.floats(0.0, 1e6)),
        ),
        max_size=8,
    ),
)
def test_ledger_never_overspends_and_books_add_up(available, bills):
    """After any sequence of bills: spent <= available (up to rounding), and spending by kind
    and by sector each add up to the total spent."""
    ledger = Ledger(available=available)
    for kind, sector, amount in bills:
        paid = ledger.pay(kind, sector, amount)
        assert 0.0 <= paid <= amount.sum() * (1 + 1e-12)
        assert ledger.spent <= ledger.available + 1e-9 * max(1.0, ledger.available)
    assert sum(ledger.by_kind.values()) == pytest.approx(ledger.spent, rel=1e-9, abs=1e-6)
    assert ledger.by_sector.sum() == pytest.approx(ledger.spent, rel=1e-9, abs=1e-6)
    assert np.all(ledger.by_sector >= 0)


def test_ledger_spent_never_exceeds_available_exactly():
    """Spending the last 0.9 of 1.0 on a bill of 7 should leave spent == available, not one
    rounding step above it."""
    ledger = Ledger(available=1.0)
    ledger.pay("crisis", 0, 0.1)
    ledger.pay("crisis", 0, 7.0)
    assert ledger.spent <= ledger.available


def test_ledger_scalar_amount_over_several_sectors_books_consistently():
    """Either refuse the ambiguous call or book exactly what was paid across the sectors."""
    ledger = Ledger(available=100.0)
    try:
        paid = ledger.pay("crisis", np.array([0, 1]), 10.0)
    except ValueError:
        return
    assert ledger.by_sector.sum() == pytest.approx(paid)


# ============================================================================================
# Coverage of this file
# ============================================================================================


@pytest.mark.parametrize(
    "module", [engagement, governance, need, providers, servants, support, wellbeing]
)
def test_every_public_mechanism_has_a_unit_test_here(module):
    """Each public function of each mechanism module is called somewhere in this file, so a
    new mechanism cannot arrive without a unit test."""
    source = Path(__file__).read_text()
    public = [
        name
        for name, obj in vars(module).items()
        if inspect.isfunction(obj) and obj.__module__ == module.__name__ and name[0] != "_"
    ]
    short = module.__name__.rsplit(".", 1)[1]
    missing = [name for name in public if f"{short}.{name}(" not in source]
    assert not missing, f"no unit test calls {short}.{missing}"


# ============================================================================================
# new in the model-science round: engagement memory and intensity, honest money, levers'
# costs and failure modes
# ============================================================================================


def test_rest_after_spell_keeps_those_who_stopped_out_for_a_while():
    """Only ended spells get a pause; its length is ceil(-mean x log(1 - u)); mean 0 means
    the citizen may start again next month."""
    ended = np.array([T, T, F])
    before = np.array([-5, -5, 40])
    u = arr(0.5, 0.0, 0.9)
    rest = engagement.rest_after_spell(ended, before, 10, 6.0, u)
    assert rest[0] == 10 + np.ceil(-6.0 * np.log(0.5))  # 10 + ceil(4.16) = 15
    assert rest[1] == 10  # u = 0: no pause
    assert rest[2] == 40  # not ended: unchanged
    assert_array_equal(engagement.rest_after_spell(ended, before, 10, 0.0, u), [10, 10, 40])


def test_resting_citizens_cannot_start_a_spell_even_when_the_rule_fires():
    new = engagement.update_engagement(
        engaged=np.array([F, F]), exposure=arr(1, 1), threshold=arr(0.1, 0.1),
        spare_capacity=arr(1, 1), willingness=arr(1, 1), capacity_floor=0.0,
        spontaneous_rate=0.0, dropout_rate=0.0, uniform=arr(0.5, 0.5),
        resting=np.array([T, F]),
    )  # fmt: skip
    assert_array_equal(new, [F, T])


def test_started_by_ties_excludes_spontaneous_starts():
    starts = np.array([T, T, F])
    # spontaneous chance 0.1 x willingness 1: u = 0.05 is a spontaneous start, 0.5 is not.
    assert_array_equal(
        engagement.started_by_ties(starts, arr(1, 1, 1), 0.1, arr(0.05, 0.5, 0.05)), [F, T, F]
    )


def test_take_part_every_month_at_commitment_one_or_more_and_sometimes_below():
    spell = np.array([T, T, T, F])
    commitment = arr(3.0, 0.3, 0.3, 5.0)
    active = engagement.take_part(spell, commitment, arr(0.99, 0.2, 0.5, 0.0))
    assert_array_equal(active, [T, T, F, F])


def test_hours_given_are_sessions_times_session_hours_at_least_one_session():
    hours = engagement.hours_given(np.array([T, T, F]), arr(3.0, 0.3, 9.0))
    assert_allclose(hours, [3 * engagement.SESSION_HOURS, engagement.SESSION_HOURS, 0.0])


def test_settle_reserve_keeps_up_to_the_cap_and_returns_the_rest():
    cap = governance.RESERVE_CAP_MONTHS * 1000.0
    assert governance.settle_reserve(cap + 250.0, 1000.0) == pytest.approx((cap, 250.0))
    assert governance.settle_reserve(100.0, 1000.0) == (100.0, 0.0)


def test_bond_repaid_with_return_only_when_the_outcome_target_is_met():
    """Judged against the counterfactual's need, not against where need started: need that
    falls as much without the bond does not count."""
    target = governance.SIB_TARGET
    assert governance.bond_target_met((1 - target) * 0.4 - 1e-9, 0.4)
    assert not governance.bond_target_met(0.39, 0.4)  # 2.5% below the counterfactual: short
    assert not governance.bond_target_met(0.4, 0.4)  # nothing changed: not met
    met = governance.bond_repayment(1000.0, True, 0.03)
    assert met == pytest.approx(1030.0)
    assert governance.bond_repayment(1000.0, False, 0.03) == 0.0  # investors lose


def test_restructuring_counts_how_far_structural_levers_move_from_today():
    today = {name: 0.2 for name in governance.RESTRUCTURING_LEVERS}
    assert governance.restructuring(today, today) == 0.0
    moved = {**today, "local_control": 0.8, "co_production": 0.0, "grant_per_citizen": 1e6}
    assert governance.restructuring(moved, today) == pytest.approx(0.6 + 0.2)  # money: none


def test_council_view_distorts_and_renormalises():
    view = governance.council_view(arr(0.5, 0.5), arr(3.0, 1.0))
    assert_allclose(view, [0.75, 0.25])
    shares = governance.allocation_shares(arr(0.5, 0.5), arr(0.5, 0.5), 1.0, 0.0, arr(3.0, 1.0))
    assert_allclose(shares, [0.75, 0.25])  # all money local: the misjudgement decides
    shares = governance.allocation_shares(arr(0.5, 0.5), arr(0.5, 0.5), 0.0, 0.0, arr(3.0, 1.0))
    assert_allclose(shares, [0.5, 0.5])  # all ring-fenced: the formula decides


def test_entitlement_level_follows_the_weighted_speakers_and_never_falls_below_seeking():
    need_ = arr(0.1, 0.8)
    loud = governance.entitlement_level(arr(1.0, 0.0), need_, 0.2)  # only the low-need speak
    inclusive = governance.entitlement_level(arr(1.0, 1.0), need_, 0.2)
    assert loud == 0.2 and inclusive == pytest.approx(0.45)
    assert governance.entitlement_level(arr(0.0, 0.0), need_, 0.2) == 1.0  # nobody spoke


def test_update_priorities_with_measured_need_moves_towards_actual_need():
    prior = arr(0.5, 0.5)
    weights, need_, hood = arr(1.0, 0.0), arr(0.4, 0.4), np.array([0, 1])
    deaf = governance.update_priorities(prior, weights, need_, hood, 0.0)
    connected = governance.update_priorities(prior, weights, need_, hood, 1.0)
    assert deaf[0] > connected[0] and connected == pytest.approx(arr(0.5, 0.5))


def test_leaves_market_only_outcome_providers_losing_money():
    leave = providers.leaves_market(
        np.array([T, T, F]), arr(50, 95, 10), arr(100, 100, 100), 1.0, arr(0.5, 0.5, 0.5)
    )
    assert_array_equal(leave, [T, F, F])


def test_transition_factor_cuts_new_providers_for_their_first_months():
    assert_allclose(providers.transition_factor(np.array([5, 3, -1]), 4, 0.3), [0.7, 1.0, 1.0])


def test_gaming_raises_payments_and_what_reviews_see():
    paid = providers.provider_payments(arr(1000.0), arr(500.0), np.array([T]), 0.2)
    assert paid[0] == pytest.approx(500 * 1.2 * (1 + providers.OUTCOME_RISK_PREMIUM))
    seen = providers.measured_performance(arr(0.5), arr(100.0), 1.0, arr(0.0), 0.2)
    assert seen[0] == pytest.approx(1000 * 0.5 / 100 * 1.2)


def test_working_time_is_taken_by_training_and_deliberation():
    assert servants.working_time(1.0, 0.1, 1.0, 0.1) == pytest.approx(0.8)
    assert servants.working_time(0.0, 0.3, 0.0, 0.3) == 1.0
    full = servants.casework_units(np.zeros((1, 4)), np.full((1, 4), 0.5), 10.0)
    less = servants.casework_units(np.zeros((1, 4)), np.full((1, 4), 0.5), 10.0, 0.8)
    assert less[0] == pytest.approx(0.8 * full[0])


def test_connective_council_raises_everyones_access():
    base = support.access_probability(arr(0.0), np.array([F]), 0.4, 0.8)
    linked = support.access_probability(arr(0.0), np.array([F]), 0.4, 0.8, 0.5)
    assert base[0] == pytest.approx(0.4) and linked[0] == pytest.approx(0.7)


def test_entitled_first_serves_the_entitled_and_ring_fences_the_floor():
    demand, rank, group = arr(1.0, 1.0), arr(1.0, 1.0), np.array([0, 0])
    got, lapsed = support.entitled_first(demand, rank, group, arr(1.0), np.array([T, F]), 0.5)
    # floor 0.5 to citizen 0; the other 0.5 shared by what is still wanted (0.5 and 1): 1/6, 1/3.
    assert_allclose(got, [2 / 3, 1 / 3])
    assert_allclose(lapsed, [0.0])
    got, lapsed = support.entitled_first(demand, rank, group, arr(1.0), np.array([F, F]), 0.5)
    assert_allclose(got, [0.25, 0.25])
    assert_allclose(lapsed, [0.5])  # nobody entitled: the floor is not spent


def test_help_given_grows_with_sessions():
    one = support.help_given(np.array([T]), arr(1.0), arr(2.0), 0.1, arr(0.0))
    three = support.help_given(np.array([T]), arr(1.0), arr(2.0), 0.1, arr(0.0), arr(3.0))
    assert three[0] == pytest.approx(3 * one[0])


def test_set_points_keep_mean_and_spread_and_skew_to_a_long_lower_tail():
    """(More in tests/test_wellbeing_set_points.py.)"""
    z = np.random.default_rng(5).standard_normal(200_000)
    assert np.array_equal(wellbeing.set_points(z, 0.1, 0.0), 0.1 * z)
    x = wellbeing.set_points(z, 0.1, -0.6)
    assert abs(x.mean()) < 0.002 and abs(x.std() - 0.1) < 0.005
    assert -np.quantile(x, 0.01) > np.quantile(x, 0.99)


def test_unemployment_takes_the_least_employable_and_more_of_them_where_deprived():
    """The working-age mean is the rate; the deprived are likelier out of work; a falling
    rate brings the most employable back first; nobody of retirement age counts."""
    rng = np.random.default_rng(0)
    n = 20_000
    employability = rng.random(n)
    working = rng.random(n) < 0.8
    context = np.where(np.arange(n) % 2 == 0, 0.0, 1.0)  # half most, half least deprived
    out = wellbeing.unemployment(employability, working, context, 0.08, 1.0)
    assert not out[~working].any()
    assert abs(out[working].mean() - 0.08) < 0.005
    assert out[working & (context == 0)].mean() > 1.7 * out[working & (context == 1)].mean()
    fewer = wellbeing.unemployment(employability, working, context, 0.04, 1.0)
    assert not (fewer & ~out).any()  # nobody loses work when the rate falls
    assert not wellbeing.unemployment(employability, working, context, 0.0, 1.0).any()
