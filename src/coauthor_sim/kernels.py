"""Compiled kernels of the monthly step: the per-citizen work of several mechanisms fused into
one loop each (numba), so a month at 1,000 citizens is a dozen calls instead of some hundred
small numpy operations.

The mechanisms in ``coauthor_sim.mechanisms`` stay the readable reference: each kernel below
names the functions it fuses and computes the same formulas, operation for operation, in the
same order, so its results are equal to theirs bit for bit (``tests/test_kernels.py`` pins
every kernel against its reference on small worlds, the model against a step written with the
references alone). Three rules keep them equal:

- elementwise arithmetic is written in the reference's order of operations (``a * b * c`` is
  ``(a * b) * c``; a scalar product such as ``0.5 * effect`` is formed first, as Python does);
  IEEE arithmetic without fast-math is exact to the bit in numpy and here alike;
- sums by group (``np.bincount``, ``groups.GroupSums``, scipy's CSR products) add their terms
  one after another from 0 in index order, as the loops here do;
- sums of whole arrays (``ndarray.sum``, ``mean``) use numpy's pairwise summation, which
  ``pairwise_sum`` reproduces exactly (blocks of 128, eight accumulators).

Only the rare branches (an entitlement floor, outcome contracts' ranks) and the few
transcendental functions (the exponential pause after a spell, set points at start-up) stay
with the numpy references. Parameters are passed in as plain arguments, so a new coefficient
of a mechanism is a new argument here.

Kernels are compiled once per machine and kept in numba's cache (``cache=True``: beside this
file, or in the user's cache folder when the package folder is read-only), so worker processes
load them instead of compiling. Where no cache folder is writable they are compiled in each
process instead (a few seconds), with the same results.
"""

from __future__ import annotations

import warnings

import numba
import numpy as np

PREVENTION_DECAY = 0.1  # support.PREVENTION_DECAY (checked equal by the tests)


def _jit(function):
    """``numba.njit`` with the on-disk cache where one can be written, without it elsewhere.
    Division follows numpy (``error_model="numpy"``: x / 0 is inf or NaN, as in the
    mechanisms, rather than Python's ZeroDivisionError), and kernels release the GIL."""
    try:
        return numba.njit(cache=True, nogil=True, error_model="numpy")(function)
    except RuntimeError as err:  # "cannot cache function ...: no locator available"
        warnings.warn(f"numba cache unavailable ({err}); kernels compile in each process",
                      RuntimeWarning, stacklevel=2)  # fmt: skip
        return numba.njit(cache=False, nogil=True, error_model="numpy")(function)


# --- sums as numpy makes them -----------------------------------------------------------------
@_jit
def _block_sum(a, lo, n):
    """numpy's sum of a block of at most 128 numbers: eight accumulators, then the rest."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    m = n - n % 8
    while i < m:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@_jit
def pairwise_sum(a):
    """``a.sum()`` of a contiguous float64 array, bit for bit as numpy computes it: numpy's
    pairwise summation (``DOUBLE_pairwise_sum``: halves split at a multiple of 8 down to blocks
    of at most 128), walked with a stack rather than by recursion (numba's cache cannot hold
    recursive functions safely)."""
    start = np.empty(64, dtype=np.int64)  # the ranges being summed, outermost first
    size = np.empty(64, dtype=np.int64)
    state = np.empty(64, dtype=np.int64)  # 0: not split, 1: adding the left, 2: the right half
    left = np.empty(64)  # a range's left-half sum while its right half is added
    depth = 0
    start[0], size[0], state[0] = 0, a.size, 0
    while True:
        lo, n = start[depth], size[depth]
        if n > 128:  # split: the left half first
            half = n // 2 - (n // 2) % 8
            state[depth] = 1
            depth += 1
            start[depth], size[depth], state[depth] = lo, half, 0
            continue
        value = _block_sum(a, lo, n)
        depth -= 1
        while depth >= 0 and state[depth] == 2:  # ranges whose right half this completes
            value = left[depth] + value
            depth -= 1
        if depth < 0:
            return 0.0 + value
        left[depth] = value  # a left half done: now the right half
        state[depth] = 2
        lo, n = start[depth], size[depth]
        half = n // 2 - (n // 2) % 8
        depth += 1
        start[depth], size[depth], state[depth] = lo + half, n - half, 0


# --- 1. budget: the ledger ----------------------------------------------------------------------
@_jit
def book(by_sector, sectors, amounts, scale):
    """Ledger.pay's booking of a payment to many payees: each part ``amount x scale`` added
    to its payee's sector in payee order, as ``np.add.at(by_sector, sectors, amounts *
    scale)`` adds them (in place)."""
    for i in range(amounts.size):
        by_sector[sectors[i]] += amounts[i] * scale


# --- 2. need ----------------------------------------------------------------------------------
@_jit
def need_month(need, context, prevention, age_factor, capacity, u_need, u_crisis, growth,
               gradient, prevention_effect, self_help_rate, threshold, probability):  # fmt: skip
    """need.accrue_need, need.self_help and need.detect_crises in one pass. Returns the new
    need, the crisis flags and the number of crises."""
    n = need.size
    out = np.empty(n)
    crisis = np.empty(n, dtype=np.bool_)
    span = max(1.0 - threshold, 1e-12)
    count = 0
    for i in range(n):
        rate = (growth * age_factor[i] * (1.0 + gradient * (1.0 - context[i]))
                * (1.0 - prevention_effect * prevention[i]))  # fmt: skip
        x = min(need[i] + rate * (1.0 - need[i]) * (2.0 * u_need[i]), 1.0)
        x = max(x - self_help_rate * capacity[i], 0.0)
        excess = min(max((x - threshold) / span, 0.0), 1.0)
        hit = (x > threshold) and (u_crisis[i] < probability * excess)
        crisis[i] = hit
        count += hit
        out[i] = x
    return out, crisis, count


@_jit
def respond_to_crises(need, crisis, cut):
    """need.respond_to_crises with ``cut = relief x funded_share``."""
    out = need.copy()
    for i in range(need.size):
        if crisis[i]:
            out[i] = max(need[i] - cut, 0.0)
    return out


# --- 3. servants: storytelling ----------------------------------------------------------------
@_jit
def tell_stories(willingness, capacity, u_story, reach, hood, effect):
    """servants.tell_stories for the citizens a story reaches (``u < reach`` of their place)."""
    w, c = willingness.copy(), capacity.copy()
    half = 0.5 * effect
    for i in range(w.size):
        if u_story[i] < reach[hood[i]]:
            w[i] += effect * (1.0 - w[i])
            c[i] += half * (1.0 - c[i])
    return w, c


@_jit
def servant_work(role_time, skills, working, cover_ptr, cover_hood, cover_share, n_hood,
                 casework_units):  # fmt: skip
    """servants.role_effort, servants.casework_units and servants.by_neighbourhood of both
    (each place's sum over its servants in servant order, as the sparse product adds them),
    and the architects' total effort. Returns (effort per servant and role, effort per role
    and place, architect effort, casework units per place)."""
    n_servants, n_roles = role_time.shape
    effort = np.empty((n_servants, n_roles))
    casework = np.empty(n_servants)
    scale = casework_units * working
    for j in range(n_servants):
        time_in_roles = 0.0
        skill = 0.0
        for r in range(n_roles):
            e = role_time[j, r] * skills[j, r]
            effort[j, r] = e * working if working != 1.0 else e
            time_in_roles += role_time[j, r]
            skill += skills[j, r]
        casework[j] = scale * max(1.0 - time_in_roles, 0.0) * (0.5 + skill / n_roles)
    per_place = np.zeros((n_roles, n_hood))
    casework_by_place = np.zeros(n_hood)
    for j in range(n_servants):
        for k in range(cover_ptr[j], cover_ptr[j + 1]):
            h, share = cover_hood[k], cover_share[k]
            for r in range(n_roles):
                per_place[r, h] += share * effort[j, r]
            casework_by_place[h] += share * casework[j]
    architects = np.empty(n_servants)
    for j in range(n_servants):
        architects[j] = effort[j, n_roles - 1]
    return effort, per_place, pairwise_sum(architects), casework_by_place


# --- 4. voice ---------------------------------------------------------------------------------
@_jit
def voice(control, capacity, engaged, u_voice, rate, engaged_boost, inclusion, most_deprived,
          hood, n_hood, need, local_control, priority_setting):  # fmt: skip
    """governance.voice_propensity, the month's voices, governance.voice_weights, the most
    deprived fifth's share of voice, the voiced need by place (the first sum of
    governance.update_priorities) and governance.voice_heard. Returns (voiced, weights,
    total weight, most deprived share, voiced need by place, heard)."""
    n = control.size
    propensity = np.empty(n)
    voiced = np.empty(n, dtype=np.bool_)
    half_rate = rate * 0.5
    for i in range(n):
        e = 1.0 if engaged[i] else 0.0
        propensity[i] = min(half_rate * (control[i] + capacity[i]) * (1.0 + engaged_boost * e),
                            1.0)  # fmt: skip
        voiced[i] = u_voice[i] < propensity[i]
    weights = np.zeros(n)
    if inclusion == 0:
        for i in range(n):
            if voiced[i]:
                weights[i] = 1.0
    else:
        mean = pairwise_sum(propensity) / n if n else 0.0
        keep = 1.0 - inclusion
        for i in range(n):
            if voiced[i]:
                inverse = mean / propensity[i] if propensity[i] > 0 else 1.0
                weights[i] = keep + inclusion * inverse
    total = pairwise_sum(weights)
    gathered = np.empty(most_deprived.size)
    for k in range(most_deprived.size):
        gathered[k] = weights[most_deprived[k]]
    share = pairwise_sum(gathered) / total if total > 0 else 0.0
    by_place = np.zeros(n_hood)
    spoke = 0
    for i in range(n):
        if weights[i] != 0:
            by_place[hood[i]] += weights[i] * need[i]
        if weights[i] > 0:
            spoke += 1
    heard = np.zeros(n)
    if spoke:
        voices = np.empty(spoke)
        k = 0
        for i in range(n):
            if weights[i] > 0:
                voices[k] = weights[i]
                k += 1
        mean_voice = pairwise_sum(voices) / spoke
        for i in range(n):
            if weights[i] > 0:
                heard[i] = min(1.0, weights[i] / mean_voice * local_control * priority_setting)
    return voiced, weights, total, share, by_place, heard


# --- 6. ties ----------------------------------------------------------------------------------
@_jit
def ties(indptr, indices, data, engaged, capacity, degree, sessions, boost_by_place, hood,
         give_rate, half_saturation):  # fmt: skip
    """support.help_given, then the products over ties (resources of ties, engaged ties, help
    received) in one pass over the CSR rows, then wellbeing.connectedness_from_ties and
    engagement.exposure_from_counts (fractional). Returns (connectedness, exposure, help
    received)."""
    n = capacity.size
    # What each citizen brings to its ties, side by side (one cache line per neighbour): the
    # resources (capacity, doubled when engaged), the engaged flag and the help given.
    brings = np.empty((n, 3))
    for i in range(n):
        e = 1.0 if engaged[i] else 0.0
        total = capacity[i] * give_rate * sessions[i] * (1.0 + boost_by_place[hood[i]]) * e
        brings[i, 0] = capacity[i] * (1.0 + e)
        brings[i, 1] = e
        brings[i, 2] = total / degree[i] if degree[i] > 0 else 0.0
    connectedness = np.empty(n)
    exposure = np.empty(n)
    received = np.empty(n)
    one = np.uint64(1)
    for i in range(n):
        resources = 0.0
        count = 0.0
        help_in = 0.0
        # Unsigned positions: numba then skips its check for negative indices on every read
        # (the loop runs about twice as fast); the sums are the same, in the same order.
        jj, end = np.uint64(indptr[i]), np.uint64(indptr[i + 1])
        while jj < end:
            j = np.uint64(indices[jj])
            a = data[jj]
            resources += a * brings[j, 0]
            count += a * brings[j, 1]
            help_in += a * brings[j, 2]
            jj += one
        connectedness[i] = resources / (resources + half_saturation)
        exposure[i] = count / degree[i] if degree[i] > 0 else 0.0
        received[i] = help_in
    return connectedness, exposure, received


# --- 7. formal support ------------------------------------------------------------------------
RATION_ROUNDS = 10  # support.RATION_ROUNDS (checked equal by the tests)


@_jit
def _water_fill(want, weight, where, supply):
    """support._water_fill: the rounds of the rationing among those asking, to the bit."""
    m = want.size
    got = np.zeros(m)
    if m == 0:
        return got
    n_groups = supply.size
    left = np.empty(n_groups)
    for g in range(n_groups):
        left[g] = max(supply[g], 0.0)
    asked = np.zeros(n_groups)
    for k in range(m):
        asked[where[k]] += weight[k]
    offer = np.empty(m)
    taken = np.zeros(n_groups)
    any_served = False
    for k in range(m):
        g = where[k]
        offer[k] = left[g] * (weight[k] / asked[g])
        got[k] = min(want[k], offer[k]) + 0.0
        taken[g] += got[k]
    any_left = False
    for g in range(n_groups):
        left[g] = max(left[g] - taken[g], 0.0)
        any_left = any_left or left[g] != 0
    waiting = np.empty(m, dtype=np.int64)
    count = 0
    for k in range(m):
        if offer[k] >= want[k]:
            any_served = True
        else:
            waiting[count] = k
            count += 1
    if not any_served or not any_left:
        return got
    for _ in range(RATION_ROUNDS - 1):
        if count == 0:
            break
        asked[:] = 0.0
        for q in range(count):
            k = waiting[q]
            asked[where[k]] += weight[k]
        taken[:] = 0.0
        kept = 0
        any_served = False
        for q in range(count):
            k = waiting[q]
            g = where[k]
            offered = left[g] * (weight[k] / asked[g])
            room = want[k] - got[k]
            take = min(room, offered)
            got[k] += take
            taken[g] += take
            if offered >= room:
                any_served = True
            else:
                waiting[kept] = k
                kept += 1
        any_left = False
        for g in range(n_groups):
            left[g] = max(left[g] - taken[g], 0.0)
            any_left = any_left or left[g] != 0
        if not any_served or not any_left:
            break
        count = kept
    return got


@_jit
def _asking(demand, priority, group):
    """Those whose demand x priority is above 0, in increasing order, with what each wants,
    its weight (demand x priority) and its group: the members support.ration works on.
    ``demand`` None: one unit each; ``priority`` None: 1 for everyone (x 1 changes nothing)."""
    n = group.size
    asking = np.empty(n, dtype=np.int64)
    want = np.empty(n)
    weight = np.empty(n)
    where = np.empty(n, dtype=np.int64)
    k = 0
    for i in range(n):
        d = 1.0 if demand is None else demand[i]
        w = d if priority is None else d * priority[i]
        if w > 0:
            asking[k] = i
            want[k] = d
            weight[k] = w
            where[k] = group[i]
            k += 1
    return asking[:k], want[:k], weight[:k], where[:k]


@_jit
def ration(demand, priority, group, supply):
    """support.ration(demand, priority, group, supply, sparse=True) for per-citizen ``demand``
    and ``priority`` (None: 1 for everyone): (members who asked, in increasing order; what
    each got)."""
    asking, want, weight, where = _asking(demand, priority, group)
    return asking, _water_fill(want, weight, where, supply)


@_jit
def navigate_and_seek(need, connectedness, hood, navigator_capacity, u_navigate, u_seek,
                      seek_threshold, access_base, navigator_effect, connective):  # fmt: skip
    """The navigators' priority (need of those seeking help times how poorly connected they
    are), servants.navigate (the water filling with one unit per citizen), the guided by
    place, support.access_probability and support.seek_support. Returns (navigated, guided
    per place, demand)."""
    n = need.size
    priority = np.zeros(n)
    for i in range(n):
        if need[i] > seek_threshold:
            priority[i] = need[i] * (1.0 - connectedness[i])
    # each citizen with priority wants one "unit" (1 x priority is the priority)
    asking, chance = ration(None, priority, hood, navigator_capacity)
    navigated = np.zeros(n, dtype=np.bool_)
    guided = np.zeros(navigator_capacity.size, dtype=np.int64)
    for k in range(asking.size):
        i = asking[k]
        if u_navigate[i] < chance[k]:
            navigated[i] = True
            guided[hood[i]] += 1
    base = access_base + connective * (1.0 - access_base)
    demand = np.empty(n)
    for i in range(n):
        access = base + (1.0 - base) * connectedness[i]
        if navigated[i]:
            access += navigator_effect * (1.0 - access)
        asks = (need[i] > seek_threshold) and (u_seek[i] < access)
        demand[i] = need[i] * (1.0 if asks else 0.0)
    return navigated, guided, demand


@_jit
def prevention_asked(need, prevention, seek_threshold):
    """support.prevention_outreach."""
    n = need.size
    out = np.empty(n)
    low = 0.5 * seek_threshold
    for i in range(n):
        rising = (need[i] > low) and (need[i] <= seek_threshold)
        out[i] = (1.0 - prevention[i]) * (1.0 if rising else 0.0)
    return out


@_jit
def scatter(n, members, values):
    """Dense per-citizen array of what ``members`` got (zero for the others)."""
    out = np.zeros(n)
    for k in range(members.size):
        out[members[k]] = values[k]
    return out


@_jit
def coproduction_effort(preventative, responsive, capacity, intensity, burden):
    """support.coproduction_effort of all support received (preventative plus responsive)."""
    n = capacity.size
    effort = np.empty(n)
    cost = np.empty(n)
    weight = intensity * burden
    for i in range(n):
        h = 1.0 if preventative[i] + responsive[i] > 0 else 0.0
        effort[i] = intensity * capacity[i] * h
        cost[i] = weight * (1.0 - capacity[i]) * h
    return effort, cost


@_jit
def _supply(money, shares, serving, unit_cost, running, extra, lost):
    """Money, units and supply of one kind of provider in each place: the money its share of
    the month's spending buys at the provider's unit cost and running strength, plus
    ``extra`` (casework), less what fragmentation loses."""
    n_hood = shares.size
    money_h = np.empty(n_hood)
    units = np.empty(n_hood)
    supply = np.empty(n_hood)
    for h in range(n_hood):
        money_h[h] = money * shares[h]
        units[h] = money_h[h] / unit_cost[serving[h]] * running[serving[h]]
        supply[h] = (units[h] + extra[h]) * lost
    return money_h, units, supply


@_jit
def _deliver(allocated, delivered, serving, money_h, units, extra, members, got, hood):
    """A kind's money allocated to, and units delivered by, each provider (the share of each
    place's support that came from its provider rather than casework)."""
    n_hood = money_h.size
    got_h = np.zeros(n_hood)
    for k in range(members.size):
        got_h[hood[members[k]]] += got[k]
    for h in range(n_hood):
        allocated[serving[h]] += money_h[h]
    for h in range(n_hood):
        share = units[h] / (units[h] + extra[h]) if units[h] > 0 else 0.0
        delivered[serving[h]] += got_h[h] * share


@_jit
def provider_accounts(guided, navigator_per_place, navigator_effort, cover_ptr, cover_hood,
                      cover_share, delivered, unit_cost, fragmentation, allocated,
                      outcome_contract, gaming):  # fmt: skip
    """After formal support: each servant's caseload (its navigator effort times the citizens
    guided per unit of navigator effort in the places it covers, summed over its places as
    the sparse coverage product adds them), and providers.provider_payments of the capacity
    each provider's results used (what fragmentation wasted on the way included). Returns
    (caseload, payments)."""
    n_hood = guided.size
    per_effort = np.zeros(n_hood)  # counts in integers: the float sums, exactly
    for h in range(n_hood):
        if navigator_per_place[h] > 0:
            per_effort[h] = guided[h] / navigator_per_place[h]
    caseload = np.empty(navigator_effort.size)
    for j in range(navigator_effort.size):
        total = 0.0
        for k in range(cover_ptr[j], cover_ptr[j + 1]):
            total += cover_share[k] * per_effort[cover_hood[k]]
        caseload[j] = navigator_effort[j] * total
    wasted = max(1.0 - fragmentation, 1e-12)
    payments = np.empty(unit_cost.size)
    for j in range(unit_cost.size):
        reported = delivered[j] * unit_cost[j] / wasted * (1.0 + gaming)
        paid_for_results = min(reported * (1.0 + OUTCOME_RISK_PREMIUM), allocated[j])
        payments[j] = paid_for_results if outcome_contract[j] else allocated[j]
    return caseload, payments


OUTCOME_RISK_PREMIUM = 0.1  # providers.OUTCOME_RISK_PREMIUM (checked equal by the tests)


@_jit
def formal_support(need, connectedness, capacity, prevention, hood, provider_of, u_navigate,
                   u_seek, navigator_capacity, shares, casework, serves, unit_cost,
                   transition_until, month, disruption, efficacy, outcome_contract,
                   money_preventative, money_responsive, lost, seek_threshold, access_base,
                   navigator_effect, connective, co_production, coproduction_effect,
                   coproduction_burden, cream_skimming, entitlements, entitlement_level,
                   entitlement_assessment):  # fmt: skip
    """The per-citizen and per-place work of the model's formal support, in the model's
    order: navigate_and_seek; providers.transition_factor; for each kind of provider
    (preventative, then responsive) the supply of each place (money over unit cost, at the
    provider's running strength, plus casework for responsive support, less what
    fragmentation loses), the rationing (support.prevention_outreach and support.ration for
    prevention; support.outcome_priority and support.ration, or support.entitled_first with
    an entitlement floor, for responsive support), the money allocated to and the units
    delivered by each provider, and the effect with support.coproduction_multiplier
    (support.build_prevention, or need met); then support.coproduction_effort. Work on those
    who ask is done on them alone: everyone else gets 0, which changes no sum. Returns
    (navigated, guided per place, prevention, need, responsive support received,
    contribution, burden, allocated, delivered)."""
    n, n_hood, m = need.size, shares.size, unit_cost.size
    navigated, guided, demand = navigate_and_seek(
        need, connectedness, hood, navigator_capacity, u_navigate, u_seek, seek_threshold,
        access_base, navigator_effect, connective,
    )  # fmt: skip
    scale = co_production * coproduction_effect  # support.coproduction_multiplier's
    running = np.empty(m)  # providers.transition_factor
    for j in range(m):
        running[j] = 1.0 - disruption if transition_until[j] >= month else 1.0
    allocated = np.zeros(m)
    delivered = np.zeros(m)
    no_extra = np.zeros(n_hood)

    # Preventative support: outreach to rising need, rationed by need.
    serving = serves[0]
    money_h, units, supply = _supply(money_preventative, shares, serving, unit_cost, running,
                                     no_extra, lost)  # fmt: skip
    asking, got = ration(prevention_asked(need, prevention, seek_threshold), need, hood, supply)
    _deliver(allocated, delivered, serving, money_h, units, no_extra, asking, got, hood)
    preventative = scatter(n, asking, got)
    who = provider_of[0]
    keep = 1.0 - PREVENTION_DECAY
    new_prevention = np.empty(n)
    for i in range(n):
        multiplier = max(1.0 + scale * (2.0 * capacity[i] - 1.0), 0.0)
        new_prevention[i] = min(
            prevention[i] * keep + preventative[i] * (efficacy[who[i]] * multiplier), 1.0
        )

    # Responsive support: those who reach it, ranked by outcome-paid providers; casework adds.
    serving = serves[1]
    money_h, units, supply = _supply(money_responsive, shares, serving, unit_cost, running,
                                     casework, lost)  # fmt: skip
    who = provider_of[1]
    rank = None  # 1 for everyone unless some provider is paid by outcomes
    if outcome_contract.any():
        rank = np.ones(n)
        for i in range(n):
            if outcome_contract[who[i]]:
                rank[i] = 1.0 - cream_skimming * need[i]
    if entitlements > 0:  # support.entitled_first: the floor first, among the entitled
        floor = np.empty(n_hood)
        usable = np.empty(n_hood)
        rest_supply = np.empty(n_hood)
        for h in range(n_hood):
            floor[h] = supply[h] * entitlements
            usable[h] = floor[h] * (1.0 - entitlement_assessment)
            rest_supply[h] = supply[h] - floor[h]
        floor_demand = np.empty(n)
        for i in range(n):
            floor_demand[i] = demand[i] if need[i] >= entitlement_level else 0.0
        first_asking, first_got = ration(floor_demand, rank, hood, usable)
        first = scatter(n, first_asking, first_got)
        rest_asking, rest_got = ration(demand - first, rank, hood, rest_supply)
        responsive = first + scatter(n, rest_asking, rest_got)
        used = np.zeros(n_hood)
        for k in range(first_asking.size):
            used[hood[first_asking[k]]] += first_got[k]
        for h in range(n_hood):  # floor money the entitled did not use is not spent
            lapsed = max(usable[h] - used[h], 0.0)
            money_h[h] = money_h[h] * (1.0 - (lapsed / supply[h] if supply[h] > 0 else 0.0))
        members = np.flatnonzero(responsive)
        amounts = responsive[members]
    else:
        members, units_got = ration(demand, rank, hood, supply)
        responsive = scatter(n, members, units_got)
        amounts = units_got
    _deliver(allocated, delivered, serving, money_h, units, casework, members, amounts, hood)
    new_need = need.copy()
    for k in range(members.size):  # only those helped change: need - min(need, 0) = need
        i = members[k]
        multiplier = max(1.0 + scale * (2.0 * capacity[i] - 1.0), 0.0)
        new_need[i] = need[i] - min(need[i], amounts[k] * efficacy[who[i]] * multiplier)

    contribution, burden = coproduction_effort(
        preventative, responsive, capacity, co_production, coproduction_burden
    )
    return (navigated, guided, new_prevention, new_need, responsive, contribution, burden,
            allocated, delivered)  # fmt: skip


# --- 8-10. informal support, engagement, well-being -------------------------------------------
@_jit
def informal_support(received_help, need, efficiency):
    """support.informal_support, and need less it. Returns (informal, need)."""
    n = need.size
    informal = np.empty(n)
    after = np.empty(n)
    for i in range(n):
        informal[i] = min(need[i], efficiency * received_help[i])
        after[i] = need[i] - informal[i]
    return informal, after


@_jit
def engagement_month(spell, exposure, willingness, level_by_place, hood, capacity, need,
                     rest_until, month, u_join, threshold_scale, community_effect,
                     capacity_floor, spontaneous_rate, dropout_rate):  # fmt: skip
    """engagement.engagement_thresholds, engagement.update_engagement (with the pause after a
    spell) and engagement.started_by_ties. Returns (spell, ended, starts, starts by ties)."""
    n = spell.size
    new = np.empty(n, dtype=np.bool_)
    ended = np.empty(n, dtype=np.bool_)
    starts = 0
    by_ties = 0
    for i in range(n):
        w = willingness[i]
        if w > 0:
            threshold = (
                threshold_scale
                * ((1.0 - w) / w)
                * (1.0 - community_effect * level_by_place[hood[i]])
            )
        else:
            threshold = np.inf
        able = capacity[i] - need[i] >= capacity_floor
        spontaneous = u_join[i] < spontaneous_rate * w
        if spell[i]:
            now = able and u_join[i] >= dropout_rate
        else:
            free = rest_until[i] < month
            now = able and free and (exposure[i] >= threshold or spontaneous)
            if now:
                starts += 1
                by_ties += not spontaneous
        new[i] = now
        ended[i] = spell[i] and not now
    return new, ended, starts, by_ties


@_jit
def take_part(spell, commitment, u_part, session_hours, last_engaged, month):
    """engagement.take_part and the month's hours (engagement.hours_given with its per-citizen
    part precomputed); marks the month in ``last_engaged`` (in place). Returns (engaged,
    hours)."""
    n = spell.size
    engaged = np.empty(n, dtype=np.bool_)
    hours = np.empty(n)
    for i in range(n):
        e = spell[i] and u_part[i] < commitment[i]
        engaged[i] = e
        hours[i] = session_hours[i] * (1.0 if e else 0.0)
        if e:
            last_engaged[i] = month
    return engaged, hours


@_jit
def wellbeing_month(wellbeing, need, connectedness, control, context, capacity, engaged,
                    burden, disposition, unemployed, crisis, contribution, capacity_base,
                    control_base, heard, willingness, willingness_base, normal, w_base, w_need,
                    w_ties, w_control, w_context, w_capacity, w_engagement, w_unemployment,
                    adjustment, crisis_loss, noise, learning, gain):  # fmt: skip
    """wellbeing.wellbeing_target, update_wellbeing, update_capacity (learning by doing at
    ``learning``), update_control (``gain`` from being heard) and update_willingness. Returns
    (well-being, capacity, control, willingness)."""
    n = wellbeing.size
    wb = np.empty(n)
    cap = np.empty(n)
    ctl = np.empty(n)
    will = np.empty(n)
    for i in range(n):
        e = 1.0 if engaged[i] else 0.0
        hit = 1.0 if crisis[i] else 0.0
        target = (w_base + disposition[i] + w_need * (1.0 - need[i])
                  + w_ties * connectedness[i] + w_control * control[i]
                  + w_context * context[i] + w_capacity * capacity[i]
                  + w_engagement * e - burden[i]
                  - w_unemployment * (1.0 if unemployed[i] else 0.0))  # fmt: skip
        x = (wellbeing[i] + adjustment * (target - wellbeing[i]) + noise * normal[i]
             - crisis_loss * hit)  # fmt: skip
        wb[i] = min(max(x, 0.0), 1.0)
        c = capacity[i]
        grow = learning * (e + contribution[i]) * (1.0 - c)
        lose = (CAPACITY_EROSION * need[i] + CAPACITY_CRISIS_LOSS * hit) * c
        y = c + grow - lose + CAPACITY_RELAXATION * (capacity_base[i] - c)
        cap[i] = min(max(y, 0.0), 1.0)
        k = control[i]
        z = k + gain * heard[i] * (1.0 - k) + CONTROL_RELAXATION * (control_base[i] - k)
        ctl[i] = min(max(z, 0.0), 1.0)
        will[i] = willingness[i] + WILLINGNESS_RELAXATION * (willingness_base[i] - willingness[i])
    return wb, cap, ctl, will


# Constants of wellbeing.py (checked equal by the tests).
CAPACITY_EROSION = 0.03
CAPACITY_RELAXATION = 0.05
CAPACITY_CRISIS_LOSS = 0.1
CONTROL_RELAXATION = 0.05
WILLINGNESS_RELAXATION = 0.05


# --- 11. yearly: ties ---------------------------------------------------------------------------
@_jit
def symmetric_csr(rows, cols, indptr, indices):
    """Fill ``indptr`` (n + 1 zeros) and ``indices`` (2 x ties) with the symmetric 0/1 CSR
    pattern of the ties ``rows < cols`` (sorted by row, then column), columns sorted within
    each row: every row's lower entries (its ties to smaller ids, in increasing order as the
    sorted list gives them), then its upper ones. Linear in the number of ties, in the index
    type the arrays are given in."""
    n = indptr.size - 1
    lower = np.zeros(n, dtype=np.int64)
    for k in range(rows.size):
        indptr[rows[k] + 1] += 1
        indptr[cols[k] + 1] += 1
        lower[cols[k]] += 1
    for i in range(n):
        indptr[i + 1] += indptr[i]
    fill = np.empty(n, dtype=np.int64)  # next free place of each row's lower entries
    upper = np.empty(n, dtype=np.int64)  # ... and of its upper ones
    for i in range(n):
        fill[i] = indptr[i]
        upper[i] = indptr[i] + lower[i]
    for k in range(rows.size):
        r, c = rows[k], cols[k]
        indices[fill[c]] = r
        fill[c] += 1
        indices[upper[r]] = c
        upper[r] += 1


# --- 12. outcomes -----------------------------------------------------------------------------
@_jit
def citizen_statistics(wellbeing, quintile, counts, voice_log, engaged, contribution,
                       last_engaged, month, window, spell, hours, control, capacity,
                       connectedness, need, low_wellbeing, consultation, activism, age_group,
                       older, need_line):  # fmt: skip
    """The per-citizen sums and counts of outcomes.compute_outcomes, in one pass (the Gini and
    the top fifth's share of hours stay with numpy). ``counts`` are the citizens of each
    deprivation fifth. Returns (mean well-being by fifth, NaN for an empty one; counts of
    [low well-being, engaged, co-producing, engaged in the window, in a spell, voiced,
    consulted, activists, with influence, in age group ``older``, of them with need above
    ``need_line`` (outcomes._share_above)]; the least over the most deprived fifth's rate of
    [voiced, engaged], NaN when the latter is 0 (outcomes._ratio); means of [well-being,
    hours, capacity, connectedness, control, need, contribution])."""
    n = wellbeing.size
    sums = np.zeros(5)
    tally = np.zeros(11, dtype=np.int64)
    hits = np.zeros((2, 5), dtype=np.int64)
    months = voice_log.shape[0]
    for i in range(n):
        q = quintile[i]
        sums[q] += wellbeing[i]
        voices = 0
        for m in range(months):
            voices += voice_log[m, i]
        tally[0] += wellbeing[i] < low_wellbeing
        tally[1] += engaged[i]
        tally[2] += contribution[i] > 0
        tally[3] += last_engaged[i] > month - window
        tally[4] += spell[i]
        tally[5] += voices >= 1
        tally[6] += voices >= consultation
        tally[7] += voices >= activism
        tally[8] += control[i] > 0.5
        if age_group[i] == older:
            tally[9] += 1
            tally[10] += need[i] > need_line
        hits[0, q] += voices >= 1
        hits[1, q] += engaged[i]
    by_fifth = np.full(5, np.nan)
    for q in range(5):
        if counts[q] > 0:
            by_fifth[q] = sums[q] / counts[q]
    ratios = np.full(2, np.nan)
    for k in range(2):
        if counts[4] > 0 and hits[k, 4] > 0:  # the most deprived fifth's rate above 0
            least = hits[k, 0] / counts[0] if counts[0] > 0 else np.nan
            ratios[k] = least / (hits[k, 4] / counts[4])
    means = np.empty(7)
    means[0] = pairwise_sum(wellbeing) / n
    means[1] = pairwise_sum(hours) / n
    means[2] = pairwise_sum(capacity) / n
    means[3] = pairwise_sum(connectedness) / n
    means[4] = pairwise_sum(control) / n
    means[5] = pairwise_sum(need) / n
    means[6] = pairwise_sum(contribution) / n
    return by_fifth, tally, ratios, means
