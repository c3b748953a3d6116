"""Support: finding it, rationing it, co-producing it, prevention, and help through ties."""

from __future__ import annotations

import numpy as np

from ..groups import GroupSums

PREVENTION_DECAY = 0.1  # share of the prevention stock that wears off each month


def access_probability(
    connectedness: np.ndarray,
    navigated: np.ndarray,
    access_base: float,
    navigator_effect: float,
    connective: float = 0.0,
) -> np.ndarray:
    """Chance of reaching formal support this month.

    Ties help people find support (``access_base`` for the unconnected, 1 for the fully
    connected); a connective council, linked into its communities, closes a share
    ``connective`` of the gap for everyone; a navigator closes a share ``navigator_effect`` of
    the remaining gap, which helps the poorly connected most.
    """
    base = access_base + connective * (1.0 - access_base)
    access = base + (1.0 - base) * connectedness
    if np.ndim(access) == 0 or np.shape(navigated) != np.shape(access):  # scalars, broadcasts
        return np.where(navigated, access + navigator_effect * (1.0 - access), access)
    guided = np.flatnonzero(navigated)  # few: change only theirs
    access[guided] += navigator_effect * (1.0 - access[guided])
    return access


def seek_support(
    need: np.ndarray, access: np.ndarray, seek_threshold: float, uniform: np.ndarray
) -> np.ndarray:
    """Formal support each citizen asks for: its need, if above ``seek_threshold`` and it
    reaches a provider this month; zero otherwise."""
    # need >= 0, so need x (0 or 1) is np.where(..., need, 0.0) exactly, without its branches
    return need * ((need > seek_threshold) & (uniform < access))


RATION_ROUNDS = 10  # rounds of handing on what fully served citizens leave over


def ration(
    demand: np.ndarray,
    priority: np.ndarray,
    group: np.ndarray,
    supply: np.ndarray,
    sparse: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Share each group's ``supply`` among its members in proportion to demand x priority,
    never giving anyone more than it asked for, and handing what fully served members leave
    over to the others ("water filling"), so supply is not left idle while anyone with
    priority waits. Stops after RATION_ROUNDS rounds (each round serves at least one member
    fully or hands out all that is left).

    Only members with demand x priority above zero take part, and each round works on those
    still waiting, so the cost follows the number asking, not the population. With
    ``sparse`` the result is (members who asked, in increasing order; what each got), since
    everyone else got 0: sums over groups can then run over those who asked alone (the same
    sums, bit for bit, as adding zeros changes no sum). A scalar ``demand`` is everyone's."""
    weighted = demand * priority
    asking = np.flatnonzero(weighted > 0)
    want = demand[asking] if np.ndim(demand) else np.full(asking.size, float(demand))
    got = _water_fill(want, weighted[asking], group[asking], supply)
    if sparse:
        return asking, got
    given = np.zeros_like(weighted, dtype=float)
    given[asking] = got
    return given


def _water_fill(
    want: np.ndarray, weight: np.ndarray, where: np.ndarray, supply: np.ndarray
) -> np.ndarray:
    """The rounds of ``ration`` among those asking alone: what each of them gets, given what
    each wants, its weight (demand x priority, above zero) and its group."""
    if want.size == 0:
        return np.zeros(0)
    n_groups = len(supply)
    left = np.maximum(np.asarray(supply, dtype=float), 0.0)
    # Round 1: all asking wait and have got nothing (0 + take, exactly as a later round adds).
    by_group = GroupSums(where, n_groups)  # two sums over the same groups: np.bincount's
    asked = by_group(weight)
    offer = left[where] * (weight / asked[where])  # weight / asked <= 1: nothing overflows
    got = np.minimum(want, offer)
    got += 0.0
    left = np.maximum(left - by_group(got), 0.0)
    served = offer >= want
    if not served.any() or not left.any():
        return got
    waiting = np.flatnonzero(~served)
    for _ in range(RATION_ROUNDS - 1):
        if waiting.size == 0:
            break
        g, w = where[waiting], weight[waiting]
        asked = np.bincount(g, w, minlength=n_groups)
        offer = left[g] * (w / asked[g])
        room = want[waiting] - got[waiting]
        take = np.minimum(room, offer)
        got[waiting] += take
        left = np.maximum(left - np.bincount(g, take, minlength=n_groups), 0.0)
        served = offer >= room
        if not served.any() or not left.any():
            break
        waiting = waiting[~served]
    return got


def entitled_first(
    demand: np.ndarray,
    rank: np.ndarray,
    group: np.ndarray,
    supply: np.ndarray,
    entitled: np.ndarray,
    floor_share: float,
    assessment: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Rationing with an entitlement floor: a share ``floor_share`` of each group's supply is
    rationed first among the ``entitled`` (need past the agreed level), the rest among everyone
    for what is still wanted. Assessing who is entitled uses up a share ``assessment`` of the
    floor. The floor is ring-fenced: what the entitled leave of it is not spent this month.
    Returns what each citizen got and each group's unspent floor."""
    floor = supply * floor_share
    usable = floor * (1.0 - assessment)
    first = ration(np.where(entitled, demand, 0.0), rank, group, usable)
    rest = ration(demand - first, rank, group, supply - floor)
    unspent = usable - np.bincount(group, first, minlength=len(supply))
    return first + rest, np.maximum(unspent, 0.0)


def outcome_priority(need: np.ndarray, outcome_contract: np.ndarray, cream: float) -> np.ndarray:
    """Priority a provider gives each citizen: providers paid by outcomes favour easy cases
    (low need) by ``cream``; others serve all alike."""
    return np.where(outcome_contract, 1.0 - cream * need, 1.0)


def coproduction_multiplier(capacity: np.ndarray, intensity: float, effect: float) -> np.ndarray:
    """Effectiveness multiplier of co-produced support.

    Co-production helps those with capacity above one half and hinders those below it: the same
    lever that empowers the confident burdens the least able.
    """
    return np.maximum(1.0 + intensity * effect * (2.0 * capacity - 1.0), 0.0)


def coproduction_effort(
    support: np.ndarray, capacity: np.ndarray, intensity: float, burden: float
) -> tuple[np.ndarray, np.ndarray]:
    """Effort citizens put into the support they receive, and its well-being burden (heavier
    for those with little capacity)."""
    helped = support > 0  # both terms are >= 0, so x (0 or 1) is np.where(helped, ., 0.0)
    effort = intensity * capacity * helped
    cost = intensity * burden * (1.0 - capacity) * helped
    return effort, cost


def prevention_outreach(
    need: np.ndarray, prevention: np.ndarray, seek_threshold: float
) -> np.ndarray:
    """Preventative support each citizen is offered: outreach to rising need, i.e. those
    with need between half the help-seeking level and that level (not yet asking), up to the
    room left in their prevention stock."""
    rising = (need > 0.5 * seek_threshold) & (need <= seek_threshold)
    return (1.0 - prevention) * rising  # prevention <= 1: np.where(rising, ., 0.0) exactly


def build_prevention(prevention: np.ndarray, units: np.ndarray, effectiveness: np.ndarray):
    """Prevention stock after a month: it wears off by PREVENTION_DECAY and grows with
    preventative support received; it stays in [0, 1]."""
    return np.minimum(prevention * (1.0 - PREVENTION_DECAY) + units * effectiveness, 1.0)


def informal_support(received_help: np.ndarray, need: np.ndarray, efficiency: float) -> np.ndarray:
    """Need met through ties: the help neighbours give (already summed over ties) times its
    ``efficiency``, never more than the need."""
    return np.minimum(need, efficiency * received_help)


def help_given(
    engaged: np.ndarray,
    capacity: np.ndarray,
    degree: np.ndarray,
    give_rate: float,
    boost: np.ndarray,
    sessions: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Help each citizen taking part gives to each of its ties: its capacity times
    ``give_rate`` per session (``sessions`` this month), raised by weavers and community
    resources (``boost``), shared among its ties."""
    # every factor is >= 0, so x (0 or 1) is np.where(engaged, ., 0.0) exactly
    total = capacity * give_rate * sessions * (1.0 + boost) * engaged
    return np.divide(total, degree, out=np.zeros_like(total), where=degree > 0)
