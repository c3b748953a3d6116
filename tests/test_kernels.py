"""The compiled kernels of the monthly step (``coauthor_sim.kernels``) give the same numbers,
bit for bit, as the readable mechanisms they fuse (``coauthor_sim.mechanisms``): kernel by
kernel on the states of small worlds a few months in (every scenario's kind of state, the
branches the shipped scenarios leave off, and the terms of model science v3: community money
through coefficients that may harm, unemployment, learning and control as parameters), and as
whole runs: the model with its kernels against the same model stepped with the mechanisms
alone (``MECHANISMS``, the numpy step block by block), with yearly paths crossing years, a
social impact bond with its counterfactual twin and restructuring. ``benchmarks/
identity_check.py --against`` checks the whole model against another tree (the numpy step of
``main``). Also: numba's on-disk cache is used by a fresh process, and the kernels still work
where no cache can be written."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sp

from coauthor_sim import CoauthorModel, kernels, outcomes, state
from coauthor_sim import model as model_module
from coauthor_sim.mechanisms import (
    engagement,
    governance,
    need,
    providers,
    servants,
    support,
    wellbeing,
)
from coauthor_sim.model import ARCHITECT, NAVIGATOR, STORYTELLER
from coauthor_sim.state import Ledger

# The terms of model science v3 and of the yearly paths, switched on together: community money
# whose coefficients harm (help and joining) or do nothing (ties), mass unemployment, faster
# learning and control, a stretched locality with a social impact bond (so a counterfactual
# twin, repaid), outcome contracts (their management paid first) and restructuring.
V3_TERMS = {
    "community_resources": 0.05,
    "community_help_effect": -0.8,
    "community_action_effect": -0.6,
    "community_tie_effect": 0.0,
    "unemployment_rate": 0.2,
    "unemployment_gradient": 2.5,
    "capacity_learning": 0.08,
    "control_from_voice": 0.4,
    "pooled_budget": 0.3,
    "grant_per_citizen": 40.0,
    "outcome_commissioning": 0.5,
    "co_production": 0.4,
    "paths": "unemployment_rate: 0.25 0.1 0.04; community_resources: 0.05 0.1;"
    " formula_deprivation_weight: 1.0 0.2 0.6; community_help_effect: -0.8 0.5",
}

WORLDS = {
    "status_quo": ("status_quo", {}),
    "market": ("market_commissioning", {}),
    "levers_on": (
        "local_public_support",
        {  # the branches the shipped scenarios leave off
            "entitlements": 0.4,
            "outcome_commissioning": 0.6,
            "cream_skimming": 0.3,
            "servant_training": 0.5,
            "deliberation_inclusion": 0.8,
        },
    ),
    "v3_terms": ("status_quo", V3_TERMS),
}


def same(a, b) -> bool:
    """Equal bit for bit (the sign of zero included), for arrays and numbers alike."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


@pytest.fixture(scope="module", params=list(WORLDS))
def world(request):
    """A small world after a few months (state with engagement, crises and support under
    way), and the month's draws as the model takes them."""
    scenario, overrides = WORLDS[request.param]
    overrides = {"steps": 20, **overrides}
    model = CoauthorModel.from_scenario(scenario, seed=3, n_citizens=600, **overrides)
    model.run(14 if overrides.get("paths") else 7)  # past a year of the paths
    rng = np.random.default_rng(11)
    return model, rng.random((8, model.citizens.n)), rng.standard_normal(model.citizens.n)


def test_constants_are_the_mechanisms():
    assert kernels.RATION_ROUNDS == support.RATION_ROUNDS
    assert kernels.PREVENTION_DECAY == support.PREVENTION_DECAY
    assert kernels.OUTCOME_RISK_PREMIUM == providers.OUTCOME_RISK_PREMIUM
    for name in ("CAPACITY_EROSION", "CAPACITY_RELAXATION", "CAPACITY_CRISIS_LOSS",
                 "CONTROL_RELAXATION", "WILLINGNESS_RELAXATION"):  # fmt: skip
        assert getattr(kernels, name) == getattr(wellbeing, name)


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e8])
def test_pairwise_sum_is_numpys_sum(scale):
    rng = np.random.default_rng(int(scale) % 97)
    for n in [*range(0, 300), 1_000, 4_097, 65_537, 1_000_003]:
        x = rng.normal(size=n) * scale
        assert same(kernels.pairwise_sum(x), x.sum()), n


@pytest.mark.parametrize("payees", [0, 1, 10, 500])
@pytest.mark.parametrize("available", [1e9, 3_000.0])  # paid in full; scaled down
def test_ledger_books_as_numpy_does(payees, available):
    """Ledger.pay's total and booking by sector (kernels.pairwise_sum and kernels.book) are
    numpy's: ``amounts.sum()`` and ``np.add.at(by_sector, sectors, amounts x paid / total)``,
    and a payment to one payee given as arrays is the same as given as numbers."""
    rng = np.random.default_rng(payees)
    sectors, amounts = rng.integers(0, 4, payees), rng.random(payees) * 100.0
    ledger = Ledger(available=available, by_sector=rng.random(4))
    expected = ledger.by_sector.copy()
    paid = ledger.pay("responsive", sectors, amounts, committed=7.0)
    total = amounts.sum()
    assert same(paid, min(total, available))
    if total > 0:
        np.add.at(expected, sectors, amounts * (paid / total))
    assert same(ledger.by_sector, expected) and ledger.committed == 7.0
    one, other = Ledger(available=available), Ledger(available=available)
    assert same(one.pay("crisis", np.int64(2), np.float64(4e3)), other.pay("crisis", 2, 4e3))
    assert same(one.by_sector, other.by_sector) and one.by_kind == other.by_kind


def test_need_month_is_accrual_self_help_and_crises(world):
    model, u, _ = world
    c, p = model.citizens, model.p
    expected = need.accrue_need(c.need, c.context, c.prevention, model._age_need, p.need_growth,
                                p.deprivation_need_gradient, p.prevention_effect, u[0])  # fmt: skip
    expected = need.self_help(expected, c.capacity, p.self_help_rate)
    crisis = need.detect_crises(expected, p.crisis_threshold, p.crisis_prob, u[1])
    got, got_crisis, count = kernels.need_month(
        c.need, c.context, c.prevention, model._age_need, c.capacity, u[0], u[1], p.need_growth,
        p.deprivation_need_gradient, p.prevention_effect, p.self_help_rate,
        p.crisis_threshold, p.crisis_prob,
    )  # fmt: skip
    assert same(got, expected) and same(got_crisis, crisis) and count == crisis.sum()
    flags = u[2] < 0.2  # many crises, to see the response
    assert same(kernels.respond_to_crises(c.need, flags, 0.3 * 0.7),
                need.respond_to_crises(c.need, flags, 0.7, 0.3))  # fmt: skip


def test_storytelling_and_servants_work(world):
    model, u, _ = world
    c, s, p = model.citizens, model.servants, model.p
    working = servants.working_time(0.5, p.training_time, 0.7, p.deliberation_staff_time)
    cover = model._coverage
    effort, per_hood, architects, casework = kernels.servant_work(
        s.role_time, s.skills, working, cover.indptr, cover.indices, cover.data, model.n_hood,
        p.casework_units,
    )  # fmt: skip
    expected = servants.role_effort(s.role_time, s.skills, working)
    assert same(effort, expected)
    assert same(per_hood, np.ascontiguousarray(servants.by_neighbourhood(expected, cover)))
    assert same(architects, expected[:, 3].sum())
    units = servants.casework_units(s.role_time, s.skills, p.casework_units, working)
    assert same(casework, servants.by_neighbourhood(units, cover))
    reach = servants.storytelling_reach(per_hood[STORYTELLER] * 50, model.population, 1.0)
    w, k = servants.tell_stories(c.willingness, c.capacity, u[2] < reach[c.neighbourhood], 0.3)
    got = kernels.tell_stories(c.willingness, c.capacity, u[2], reach, c.neighbourhood, 0.3)
    assert same(got[0], w) and same(got[1], k)


@pytest.mark.parametrize("inclusion", [0.0, 0.6])
def test_voice_is_propensity_weights_share_and_heard(world, inclusion):
    model, u, _ = world
    c, p, hood = model.citizens, model.p, model.citizens.neighbourhood
    propensity = governance.voice_propensity(c.control, c.capacity, c.engaged, p.voice_rate,
                                             p.engaged_voice_boost)  # fmt: skip
    voiced = u[3] < propensity
    weights = governance.voice_weights(voiced, propensity, inclusion)
    got = kernels.voice(c.control, c.capacity, c.engaged, u[3], p.voice_rate,
                        p.engaged_voice_boost, inclusion, model._most_deprived, hood,
                        model.n_hood, c.need, 0.4, 0.6)  # fmt: skip
    assert same(got[0], voiced) and same(got[1], weights) and same(got[2], weights.sum())
    assert same(got[3], weights[model._most_deprived].sum() / weights.sum())
    priorities = model.local.priorities
    assert same(governance.update_priorities(priorities, weights, c.need, hood, 0.3),
                governance.update_priorities(priorities, weights, c.need, hood, 0.3, None,
                                             got[4]))  # fmt: skip
    assert same(got[5], governance.voice_heard(weights, 0.4, 0.6))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("help_effect", [0.3, -0.8])  # community money helps, or crowds out
def test_ties_are_the_three_products_over_ties(world, weighted, help_effect):
    model, _, _ = world
    c, p, hood = model.citizens, model.p, model.citizens.neighbourhood
    a = model.adjacency
    if weighted:  # a weighted network: entries other than 1 enter every sum
        a = sp.csr_array((np.linspace(0.5, 2.0, a.nnz), a.indices, a.indptr), shape=a.shape)
    level = np.linspace(0.0, 1.5, model.n_hood)  # with -0.8, help turns negative in places
    weaving = servants.weaving_boost(np.full(model.n_hood, 0.3), model.population, 0.5)
    boost = weaving + help_effect * level
    give = support.help_given(c.engaged, c.capacity, c.degree, p.informal_give_rate,
                              boost[hood], model._sessions)  # fmt: skip
    resources = a @ (c.capacity * (1.0 + c.engaged))
    counts = a @ c.engaged.astype(np.float64)
    got = kernels.ties(a.indptr, a.indices, a.data, c.engaged, c.capacity, c.degree,
                       model._sessions, boost, hood, p.informal_give_rate,
                       p.ties_half_saturation)  # fmt: skip
    assert same(got[0], wellbeing.connectedness_from_ties(resources, p.ties_half_saturation))
    assert same(got[1], engagement.exposure_from_counts(counts, c.degree, fractional=True))
    assert same(got[2], a @ give)


# --- the numpy step: each kernel's work done by the mechanisms, as model.py did before the
# kernels (and as main's numpy step does), with the kernel's arguments and results -----------
def _coverage(ptr, hood, share, n_hood):
    """The servants' coverage (servants x places) from its CSR parts."""
    return sp.csr_array((share, hood, ptr), shape=(ptr.size - 1, n_hood))


def _need_month(need_, context, prevention, age_factor, capacity, u_need, u_crisis, growth,
                gradient, prevention_effect, self_help_rate, threshold, probability):  # fmt: skip
    x = need.accrue_need(need_, context, prevention, age_factor, growth, gradient,
                         prevention_effect, u_need)  # fmt: skip
    x = need.self_help(x, capacity, self_help_rate)
    crisis = need.detect_crises(x, threshold, probability, u_crisis)
    return x, crisis, int(crisis.sum())


def _servant_work(role_time, skills, working, ptr, hood, share, n_hood, units):
    cover = _coverage(ptr, hood, share, n_hood)
    effort = servants.role_effort(role_time, skills, working)
    casework = servants.casework_units(role_time, skills, units, working)
    return (effort, servants.by_neighbourhood(effort, cover, cover.T),
            float(effort[:, ARCHITECT].sum()),
            servants.by_neighbourhood(casework, cover, cover.T))  # fmt: skip


def _voice(control, capacity, engaged, u_voice, rate, engaged_boost, inclusion, most_deprived,
           hood, n_hood, need_, local_control, priority_setting):  # fmt: skip
    propensity = governance.voice_propensity(control, capacity, engaged, rate, engaged_boost)
    voiced = u_voice < propensity
    weights = governance.voice_weights(voiced, propensity, inclusion)
    total = weights.sum()
    share = float(weights[most_deprived].sum() / total) if total > 0 else 0.0
    heard = governance.voice_heard(weights, local_control, priority_setting)
    return voiced, weights, total, share, None, heard  # None: update_priorities sums itself


def _ties(indptr, indices, data, engaged, capacity, degree, sessions, boost, hood, give_rate,
          half_saturation):  # fmt: skip
    a = sp.csr_array((data, indices, indptr), shape=(capacity.size, capacity.size))
    give = support.help_given(engaged, capacity, degree, give_rate, boost[hood], sessions)
    resources = a @ (capacity * (1.0 + engaged))
    counts = a @ engaged.astype(np.float64)
    return (wellbeing.connectedness_from_ties(resources, half_saturation),
            engagement.exposure_from_counts(counts, degree, fractional=True), a @ give)  # fmt: skip


def _formal_support(need_, connectedness, capacity, prevention, hood, provider_of, u_navigate,
                    u_seek, navigator_capacity, shares, casework, serves, unit_cost,
                    transition_until, month, disruption, efficacy, outcome_contract,
                    money_preventative, money_responsive, lost, seek_threshold, access_base,
                    navigator_effect, connective, co_production, coproduction_effect,
                    coproduction_burden, cream_skimming, entitlements, entitlement_level,
                    entitlement_assessment):  # fmt: skip
    """Formal support as the numpy step wrote it (what kernels.formal_support must equal)."""
    n, n_hood, m = need_.size, shares.size, unit_cost.size
    seeking = np.flatnonzero(need_ > seek_threshold)
    priority = np.zeros(n)
    priority[seeking] = need_[seeking] * (1.0 - connectedness[seeking])
    navigated = servants.navigate(priority, hood, navigator_capacity, u_navigate)
    guided = np.bincount(hood[np.flatnonzero(navigated)], minlength=n_hood)
    access = support.access_probability(connectedness, navigated, access_base, navigator_effect,
                                        connective)  # fmt: skip
    demand = support.seek_support(need_, access, seek_threshold, u_seek)
    multiplier = support.coproduction_multiplier(capacity, co_production, coproduction_effect)
    running = providers.transition_factor(transition_until, month, disruption)
    allocated, delivered, received = np.zeros(m), np.zeros(m), []
    for kind, money in enumerate((money_preventative, money_responsive)):
        serving = serves[kind]
        money_h = money * shares
        units = money_h / unit_cost[serving] * running[serving]
        extra = casework if kind == 1 else 0.0
        supply = (units + extra) * lost
        who = provider_of[kind]
        helped = None
        if kind == 0:
            asked = support.prevention_outreach(need_, prevention, seek_threshold)
            helped = support.ration(asked, need_, hood, supply, sparse=True)
        else:
            rank = (support.outcome_priority(need_, outcome_contract[who], cream_skimming)
                    if outcome_contract.any() else 1.0)  # fmt: skip
            if entitlements > 0:
                got, lapsed = support.entitled_first(
                    demand, rank, hood, supply, need_ >= entitlement_level, entitlements,
                    entitlement_assessment)  # fmt: skip
                money_h = money_h * (1.0 - np.divide(lapsed, supply, out=np.zeros(n_hood),
                                                     where=supply > 0))  # fmt: skip
            else:
                helped = support.ration(demand, rank, hood, supply, sparse=True)
        if helped is not None:
            got = np.zeros(n)
            got[helped[0]] = helped[1]
        received.append(got)
        allocated += np.bincount(serving, money_h, minlength=m)
        share = np.divide(units, units + extra, out=np.zeros(n_hood), where=units > 0)
        delivered += np.bincount(serving, np.bincount(hood, got, minlength=n_hood) * share,
                                 minlength=m)  # fmt: skip
        if kind == 0:
            prevention = support.build_prevention(prevention, got, efficacy[who] * multiplier)
        else:
            need_ = need_ - np.minimum(need_, got * efficacy[who] * multiplier)
    effort, burden = support.coproduction_effort(received[0] + received[1], capacity,
                                                 co_production, coproduction_burden)  # fmt: skip
    return (navigated, guided, prevention, need_, received[1], effort, burden, allocated,
            delivered)  # fmt: skip


def _provider_accounts(guided, navigators, navigator_effort, ptr, hood, share, delivered,
                       unit_cost, fragmentation, allocated, outcome_contract, gaming):  # fmt: skip
    per_effort = np.divide(guided, navigators, out=np.zeros(guided.size),
                           where=navigators > 0)  # fmt: skip
    caseload = navigator_effort * (_coverage(ptr, hood, share, guided.size) @ per_effort)
    used_cost = delivered * unit_cost / max(1.0 - fragmentation, 1e-12)
    return caseload, providers.provider_payments(allocated, used_cost, outcome_contract, gaming)


def _informal_support(received, need_, efficiency):
    informal = support.informal_support(received, need_, efficiency)
    return informal, need_ - informal


def _engagement_month(spell, exposure, willingness, level, hood, capacity, need_, rest_until,
                      month, u_join, threshold_scale, community_effect, capacity_floor,
                      spontaneous_rate, dropout_rate):  # fmt: skip
    threshold = engagement.engagement_thresholds(willingness, level[hood], threshold_scale,
                                                 community_effect)  # fmt: skip
    new = engagement.update_engagement(spell, exposure, threshold, capacity - need_,
                                       willingness, capacity_floor, spontaneous_rate,
                                       dropout_rate, u_join, rest_until >= month)  # fmt: skip
    starts = new & ~spell
    by_ties = engagement.started_by_ties(starts, willingness, spontaneous_rate, u_join)
    return new, spell & ~new, int(starts.sum()), int(by_ties.sum())


def _take_part(spell, commitment, u_part, session_hours, last_engaged, month):
    engaged = engagement.take_part(spell, commitment, u_part)
    last_engaged[np.flatnonzero(engaged)] = month
    return engaged, session_hours * engaged


def _wellbeing_month(wb, need_, connectedness, control, context, capacity, engaged, burden,
                     disposition, unemployed, crisis, contribution, capacity_base, control_base,
                     heard, willingness, willingness_base, normal, w_base, w_need, w_ties,
                     w_control, w_context, w_capacity, w_engagement, w_unemployment,
                     adjustment, crisis_loss, noise, learning, gain):  # fmt: skip
    w = {"base": w_base, "need": w_need, "ties": w_ties, "control": w_control,
         "context": w_context, "capacity": w_capacity, "engagement": w_engagement,
         "unemployment": w_unemployment}  # fmt: skip
    target = wellbeing.wellbeing_target(need_, connectedness, control, context, capacity,
                                        engaged, burden, disposition, w, unemployed)  # fmt: skip
    return (
        wellbeing.update_wellbeing(wb, target, crisis, adjustment, crisis_loss, noise * normal),
        wellbeing.update_capacity(
            capacity, capacity_base, engaged, contribution, need_, crisis, learning
        ),
        wellbeing.update_control(control, control_base, heard, gain),
        wellbeing.update_willingness(willingness, willingness_base),
    )


def _citizen_statistics(wb, quintile, counts, voice_log, engaged, contribution, last_engaged,
                        month, window, spell, hours, control, capacity, connectedness, need_,
                        low_wellbeing, consultation, activism, age_group, older,
                        need_line):  # fmt: skip
    voices = voice_log.sum(axis=0, dtype=np.int8)
    among = age_group == older
    flags = [wb < low_wellbeing, engaged, contribution > 0, last_engaged > month - window,
             spell, voices >= 1, voices >= consultation, voices >= activism, control > 0.5,
             among, among & (need_ > need_line)]  # fmt: skip
    tally = np.array([np.count_nonzero(f) for f in flags])
    ratios = np.array([outcomes._ratio(voices >= 1, quintile, counts),
                       outcomes._ratio(engaged, quintile, counts)])  # fmt: skip
    means = np.array([x.mean() for x in (wb, hours, capacity, connectedness, control, need_,
                                         contribution)])  # fmt: skip
    return outcomes.quintile_means(wb, quintile, counts), tally, ratios, means


MECHANISMS = SimpleNamespace(
    pairwise_sum=np.sum,
    book=lambda by_sector, sectors, amounts, scale: np.add.at(by_sector, sectors, amounts * scale),
    need_month=_need_month,
    respond_to_crises=lambda need_, crisis, cut: need.respond_to_crises(need_, crisis, 1.0, cut),
    tell_stories=lambda w, k, u, reach, hood, effect: servants.tell_stories(
        w, k, u < reach[hood], effect
    ),
    servant_work=_servant_work,
    voice=_voice,
    ties=_ties,
    formal_support=_formal_support,
    provider_accounts=_provider_accounts,
    informal_support=_informal_support,
    engagement_month=_engagement_month,
    take_part=_take_part,
    wellbeing_month=_wellbeing_month,
    citizen_statistics=_citizen_statistics,
)


def test_formal_support_is_its_mechanisms(world):
    model, u, _ = world
    c, p, pr = model.citizens, model.p, model.providers
    rng = np.random.default_rng(5)
    shares = rng.dirichlet(np.ones(model.n_hood))
    per_hood = rng.random((4, model.n_hood)) * 3.0
    casework = rng.random(model.n_hood) * 20.0
    money, lost = (4_000.0, 30_000.0), 0.7
    until = np.where(np.arange(pr.n) % 3 == 0, 9, 2)  # a third of providers taking over
    arguments = (
        c.need, c.connectedness, c.capacity, c.prevention, c.neighbourhood, model._provider_of,
        u[4], u[5], per_hood[NAVIGATOR] * p.navigator_caseload, shares, casework, pr.serves,
        pr.unit_cost * (1.0 - p.coproduction_saving * p.co_production), until, 8, 0.3,
        pr.effectiveness * (1.0 + p.outcome_contract_effort * pr.outcome_contract),
        pr.outcome_contract, *money, lost, p.seek_threshold, p.access_base, p.navigator_effect,
        p.connective_access_effect * p.connective_government, p.co_production,
        p.coproduction_effect, p.coproduction_burden, p.cream_skimming, p.entitlements,
        model.local.entitlement_level, p.entitlement_assessment,
    )  # fmt: skip
    expected = _formal_support(*arguments)
    got = kernels.formal_support(*arguments)
    names = ("navigated", "guided", "prevention", "need", "support", "contribution", "burden",
             "allocated", "delivered")  # fmt: skip
    for name, a, b in zip(names, got, expected, strict=True):
        assert same(a, b), name
    assert got[1].sum() > 0 and got[4].any()  # the navigators and the rationing did work

    # The accounts after it: servants' caseloads and providers' payments.
    s, cover, fragmentation = model.servants, model._coverage, 0.35
    effort = rng.random((s.n, 4))
    per_effort = np.divide(got[1], per_hood[NAVIGATOR], out=np.zeros(model.n_hood),
                           where=per_hood[NAVIGATOR] > 0)  # fmt: skip
    used_cost = got[8] * pr.unit_cost / max(1.0 - fragmentation, 1e-12)
    contracts = np.arange(pr.n) % 2 == 0  # half on outcome contracts, whatever the world
    caseload, payments = kernels.provider_accounts(
        got[1], per_hood[NAVIGATOR], effort[:, NAVIGATOR], cover.indptr, cover.indices,
        cover.data, got[8], pr.unit_cost, fragmentation, got[7], contracts, 0.2,
    )  # fmt: skip
    assert same(caseload, effort[:, NAVIGATOR] * (cover @ per_effort))
    assert same(payments, providers.provider_payments(got[7], used_cost, contracts, 0.2))


@pytest.mark.parametrize("action_effect", [0.2, -0.6])  # money lowers or raises thresholds
def test_engagement_and_wellbeing_months(world, action_effect):
    model, u, normal = world
    c, p, hood, month = model.citizens, model.p, model.citizens.neighbourhood, 8
    level = np.linspace(0.0, 0.6, model.n_hood)
    exposure = np.linspace(0.0, 1.0, c.n)
    threshold = engagement.engagement_thresholds(c.willingness, level[hood], p.threshold_scale,
                                                 action_effect)  # fmt: skip
    spell = engagement.update_engagement(
        c.spell, exposure, threshold, c.capacity - c.need, c.willingness,
        p.engagement_capacity_floor, p.spontaneous_rate, p.dropout_rate, u[6],
        c.rest_until >= month,
    )  # fmt: skip
    starts = spell & ~c.spell
    by_ties = engagement.started_by_ties(starts, c.willingness, p.spontaneous_rate, u[6])
    got = kernels.engagement_month(
        c.spell, exposure, c.willingness, level, hood, c.capacity, c.need, c.rest_until, month,
        u[6], p.threshold_scale, action_effect, p.engagement_capacity_floor,
        p.spontaneous_rate, p.dropout_rate,
    )  # fmt: skip
    assert same(got[0], spell) and same(got[1], c.spell & ~spell)
    assert got[2] == starts.sum() and got[3] == by_ties.sum()

    last = c.last_engaged.copy()
    engaged, hours = kernels.take_part(spell, c.commitment, u[7], model._session_hours, last,
                                       month)  # fmt: skip
    assert same(engaged, engagement.take_part(spell, c.commitment, u[7]))
    assert same(hours, engagement.hours_given(engaged, c.commitment))
    assert same(last, np.where(engaged, month, c.last_engaged))

    informal = support.informal_support(u[0], c.need, p.tie_support_effect)
    got = kernels.informal_support(u[0], c.need, p.tie_support_effect)
    assert same(got[0], informal) and same(got[1], c.need - informal)

    w = model._wb_weights
    heard = np.where(u[1] < 0.3, u[2], 0.0)
    unemployed = c.unemployed | (u[4] < 0.1)  # more out of work than the world has
    assert w["unemployment"] > 0 and unemployed.any()
    target = wellbeing.wellbeing_target(c.need, c.connectedness, c.control, c.context,
                                        c.capacity, engaged, c.burden, c.disposition, w,
                                        unemployed)  # fmt: skip
    crisis = u[3] < 0.05
    learning, gain = 0.07, 0.25
    expected = (
        wellbeing.update_wellbeing(c.wellbeing, target, crisis, p.wellbeing_adjustment,
                                   p.crisis_wellbeing_loss, p.wellbeing_noise * normal),
        wellbeing.update_capacity(c.capacity, c.capacity_base, engaged, c.contribution, c.need,
                                  crisis, learning),
        wellbeing.update_control(c.control, c.control_base, heard, gain),
        wellbeing.update_willingness(c.willingness, c.willingness_base),
    )  # fmt: skip
    got = kernels.wellbeing_month(
        c.wellbeing, c.need, c.connectedness, c.control, c.context, c.capacity, engaged,
        c.burden, c.disposition, unemployed, crisis, c.contribution, c.capacity_base,
        c.control_base, heard, c.willingness, c.willingness_base, normal, w["base"], w["need"],
        w["ties"], w["control"], w["context"], w["capacity"], w["engagement"],
        w["unemployment"], p.wellbeing_adjustment, p.crisis_wellbeing_loss, p.wellbeing_noise,
        learning, gain,
    )  # fmt: skip
    for a, b in zip(got, expected, strict=True):
        assert same(a, b)


def test_citizen_statistics_are_the_outcomes_numpy_forms(world):
    model, _, _ = world
    c, p = model.citizens, model.p
    q, month = c.deprivation_quintile, model.steps
    counts = np.bincount(q, minlength=5)
    by_q, tally, ratios, means = kernels.citizen_statistics(
        c.wellbeing, q, counts, c.voice_log, c.engaged, c.contribution, c.last_engaged, month,
        outcomes.CIVIC_WINDOW, c.spell, c.hours, c.control, c.capacity, c.connectedness,
        c.need, outcomes.LOW_WELLBEING, outcomes.CONSULTATION_VOICES, outcomes.ACTIVISM_VOICES,
        c.age_group, outcomes.OLDER, p.seek_threshold,
    )  # fmt: skip
    assert same(by_q, outcomes.quintile_means(c.wellbeing, q, counts))
    voices = c.voice_log.sum(axis=0, dtype=np.int8)
    older = c.age_group == outcomes.OLDER
    flags = [c.wellbeing < outcomes.LOW_WELLBEING, c.engaged, c.contribution > 0,
             c.last_engaged > month - outcomes.CIVIC_WINDOW, c.spell, voices >= 1,
             voices >= outcomes.CONSULTATION_VOICES, voices >= outcomes.ACTIVISM_VOICES,
             c.control > 0.5, older, older & (c.need > p.seek_threshold)]  # fmt: skip
    assert tally.tolist() == [int(np.count_nonzero(f)) for f in flags]
    assert 0 < tally[10] < tally[9]  # some of the older live with unmet need, not all
    assert same(tally[10] / tally[9], outcomes._share_above(c.need, older, p.seek_threshold))
    assert same(ratios[0], outcomes._ratio(voices >= 1, q, counts))
    assert same(ratios[1], outcomes._ratio(c.engaged, q, counts))
    for got, values in zip(means, (c.wellbeing, c.hours, c.capacity, c.connectedness,
                                   c.control, c.need, c.contribution), strict=True):  # fmt: skip
        assert same(got, values.mean())
    nobody = np.zeros(c.n, dtype=bool)  # a rate of 0 in the most deprived fifth: NaN
    _, tally, ratios, _ = kernels.citizen_statistics(
        c.wellbeing, q, counts, np.zeros_like(c.voice_log), nobody, c.contribution,
        c.last_engaged, month, 12, c.spell, c.hours, c.control, c.capacity, c.connectedness,
        c.need, 0.5, 2, 3, np.zeros_like(c.age_group), outcomes.OLDER, 0.2,
    )  # fmt: skip
    assert np.isnan(ratios).all() and tally[9] == tally[10] == 0  # no one older: share 0


# --- whole runs: the model with its kernels against the model stepped by the mechanisms -------
MODEL_WORLDS = {
    # two years of the paths' changes (months 13 and 25), the bond settled twice
    "v3_terms": ("status_quo", V3_TERMS),
    "levers_on": WORLDS["levers_on"],  # restructuring, outcome contracts, the rarer branches
    "austerity_decade": ("history/austerity_decade", {}),  # the shipped history's yearly paths
}


def run_record(model) -> dict[str, np.ndarray]:
    """Every number a run leaves: its outcome table, the final state of citizens, servants,
    providers and governments, the network, and the twin's citizens when there is one."""
    table = model.run()
    out = {"outcomes": table.to_numpy(), "network": model.adjacency.indices}
    parts = [(name, getattr(model, name)) for name in ("citizens", "servants", "providers",
                                                       "local", "central")]  # fmt: skip
    if model._twin is not None:
        parts.append(("twin", model._twin.citizens))
    for name, values in parts:
        for field in dataclasses.fields(values):
            out[f"{name}.{field.name}"] = np.asarray(getattr(values, field.name))
    return out


@pytest.mark.parametrize("name", list(MODEL_WORLDS))
def test_the_model_is_its_mechanisms(name, monkeypatch):
    """Whole runs, bit for bit: every kernel's work done instead by the mechanisms it fuses
    (``MECHANISMS``, in the model, its outcomes and its ledger) changes no number of the
    run."""
    scenario, overrides = MODEL_WORLDS[name]
    settings = {"n_citizens": 400, "steps": 26, **overrides}
    compiled = CoauthorModel.from_scenario(scenario, seed=5, **settings)
    fast = run_record(compiled)
    for module in (model_module, outcomes, state):
        monkeypatch.setattr(module, "kernels", MECHANISMS)
    reference = CoauthorModel.from_scenario(scenario, seed=5, **settings)
    slow = run_record(reference)
    assert fast.keys() == slow.keys()
    for key in fast:
        assert same(fast[key], slow[key]), key
    # the run went through the branches it is here for
    table = compiled.outcome_table()
    assert table["spending_transition"].iloc[1:13].gt(0).all() == (name != "austerity_decade")
    if name == "v3_terms":
        assert table["spending_repayment"].sum() > 0 and table["bond_liability"].gt(0).any()
        assert table["spending_contract_management"].iloc[1:].gt(0).all()
        assert compiled.p.unemployment_rate == 0.04 and compiled._twin.p.pooled_budget == 0


# --- numba's cache ----------------------------------------------------------------------------
KERNEL_CALL = """
import numpy as np
from coauthor_sim import kernels
x = np.random.default_rng(1).random(1_000)
assert kernels.pairwise_sum(x) == x.sum()
stats = kernels.pairwise_sum.stats
print(stats.cache_hits.get(next(iter(stats.cache_hits), None), 0) if stats.cache_hits else 0,
      sum(stats.cache_misses.values()))
"""


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=300)  # fmt: skip


def test_a_fresh_process_loads_the_kernels_from_the_cache(tmp_path):
    """The first process compiles and writes the cache (here in a folder of its own, as for
    an installation whose package folder is read-only); the next loads it and compiles
    nothing."""
    first = _python(KERNEL_CALL, NUMBA_CACHE_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert any(Path(tmp_path).rglob("*.nbi")), "the cache index was not written"
    second = _python(KERNEL_CALL, NUMBA_CACHE_DIR=str(tmp_path))
    assert second.returncode == 0, second.stderr
    hits, misses = map(int, second.stdout.split())
    assert hits >= 1 and misses == 0


def test_kernels_work_where_no_cache_can_be_written():
    """Where numba finds no writable cache folder, the kernels compile in the process (with a
    warning saying so) and give the same numbers."""
    code = """
    import warnings
    import numba.core.caching as caching
    impl = getattr(caching, "CacheImpl", None) or caching._CacheImpl  # renamed in numba 0.59
    impl._locator_classes = []  # no cache folder anywhere
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from coauthor_sim import kernels
    assert any("numba cache unavailable" in str(w.message) for w in caught), caught
    import numpy as np
    x = np.random.default_rng(2).random(5_000)
    assert kernels.pairwise_sum(x) == x.sum()
    print("ok")
    """
    done = _python(code)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


# --- the same numbers on any executor ---------------------------------------------------------
def test_calibration_evaluations_are_identical_in_process_on_threads_and_processes():
    """The calibration's model call (its runs' statistics) is the same, bit for bit, in this
    process, on threads (the kernels release the GIL) and in worker processes."""
    from coauthor_sim.api import scenario_parameters
    from coauthor_sim.calibration.statistics import Simulator

    base = dict(scenario_parameters("status_quo", n_citizens=200, steps=14))
    simulator = Simulator(base, ["civic_participation", "engagement_rate"], 2, seed=4)
    points = [{"voice_rate": v} for v in (0.05, 0.08, 0.11)]
    here = [simulator(v) for v in points]
    with ThreadPoolExecutor(3) as threads:
        on_threads = list(threads.map(simulator, points))
    with ProcessPoolExecutor(1) as processes:  # a spawned worker: its own import and cache
        in_processes = list(processes.map(simulator, points))
    assert here == on_threads == in_processes


def test_kernels_divide_as_numpy_does():
    """A division by zero gives numpy's inf or NaN, as in the mechanisms, not an exception:
    connectedness with no resources and a half-saturation of 0 is 0 / 0."""
    a = sp.csr_array(np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]))
    engaged, capacity = np.array([True, False, False]), np.array([0.5, 0.0, 0.2])
    degree = np.diff(a.indptr).astype(np.float64)
    got = kernels.ties(a.indptr, a.indices, a.data, engaged, capacity, degree, np.ones(3),
                       np.zeros(1), np.zeros(3, dtype=np.int64), 0.1, 0.0)  # fmt: skip
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = wellbeing.connectedness_from_ties(a @ (capacity * (1.0 + engaged)), 0.0)
    assert same(got[0], expected) and np.isnan(got[0][2])


def test_a_calibration_run_skips_only_outcomes_it_does_not_read():
    """A calibration run computes outcomes for its final year alone (``report_from``); its
    statistics are those of the same run with every month's outcomes, and the shortened
    table is labelled with the months it holds."""
    import math

    from coauthor_sim.api import scenario_parameters
    from coauthor_sim.calibration import statistics

    params = dict(scenario_parameters("status_quo", n_citizens=150, steps=20))
    fast = statistics.run_statistics(params, seed=8)
    full = CoauthorModel(seed=8, **params)
    full_table = full.run()
    final = full_table.iloc[-12:].mean()
    for name, value in final.items():
        assert same(fast[name], float(value)) or (math.isnan(value) and math.isnan(fast[name]))
    short = CoauthorModel(seed=8, **params)
    short.report_from = 9
    table = short.run()
    assert table.index.tolist() == [0, *range(9, 21)]
    assert table.loc[9:].equals(full_table.loc[9:]) and table.loc[[0]].equals(full_table.loc[[0]])


def test_a_sensitivity_contrast_is_the_difference_of_final_outcomes():
    """The contrast's runs read their final year alone (as a calibration run does) and give
    the difference of final_outcomes(simulate(...)) of the two scenarios, number for number."""
    from coauthor_sim.analysis.sensitivity import NOISE, Contrast
    from coauthor_sim.api import final_outcomes, scenario_parameters
    from coauthor_sim.experiment.runner import RunSpec, simulate

    base = dict(scenario_parameters("status_quo", n_citizens=120, steps=15))
    treated = dict(scenario_parameters("prevention_first", n_citizens=120, steps=15))
    contrast = Contrast(base, treated, "unmet_need", 2, seed=5)
    point = RunSpec("0", {"prevention_effect": 0.6, NOISE: 0.2}, 0)
    plain = 0.0
    for seed in contrast.seeds(0.2):
        for sign, params in ((1.0, treated), (-1.0, base)):
            run = RunSpec("0", {**params, "prevention_effect": 0.6}, seed)
            plain += sign * final_outcomes(simulate(run))["unmet_need"]
    assert contrast(point) == plain / 2
