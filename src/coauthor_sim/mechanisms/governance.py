"""Local and central government: the month's budget and reserve, pooled money and its
repayment, voices and priorities, the entitlement floor, central intervention."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

PRIORITY_MEMORY = 0.8  # share of last month's priorities the council keeps
RING_FENCED_CONTROL = 0.25  # share of local control left while central government intervenes


def formula_shares(
    population: np.ndarray, deprivation: np.ndarray, deprivation_weight: float = 1.0
) -> np.ndarray:
    """Shares of money a central needs formula gives each neighbourhood: per head, weighted
    up by ``1 + deprivation_weight x deprivation`` (deprivation in [0, 1]). Like real funding
    formulas it is static: it knows places' deprivation, not this month's need."""
    weight = population * (1.0 + deprivation_weight * deprivation)
    return weight / weight.sum()


def central_grant(grant_per_citizen: float, n: int, shock: float, month: int, shock_month: int):
    """Central grant for the month, after any budget shock from ``shock_month`` on."""
    factor = 1.0 + shock if month >= shock_month else 1.0
    return max(grant_per_citizen * n * factor, 0.0)


CRISIS_WATCH = 1.0 / 3.0  # weight of this month in the crisis rate the centre watches


def watched_crisis_rate(previous: float, this_month: float) -> float:
    """The crisis rate central government watches: an exponential moving average (about a
    quarter's memory), so one bad month in a small locality does not trigger intervention."""
    return (1.0 - CRISIS_WATCH) * previous + CRISIS_WATCH * this_month


RESERVE_CAP_MONTHS = 1.0  # months of income a locality may keep in reserve at the year's end
RESERVE_SPEND_RATE = 1.0 / 12.0  # share of the reserve the council budgets to spend each month
SETTLEMENT_INTERVAL = 12  # months between settlements (reserve returns, bond repayments)
SIB_TARGET = 0.075  # fall in unmet need investors are paid for (Peterborough's target: 7.5%)


def settle_reserve(reserve: float, monthly_income: float) -> tuple[float, float]:
    """Year-end settlement of unspent money: the locality keeps up to RESERVE_CAP_MONTHS of
    its monthly income in reserve and returns the rest to the centre. Returns (kept,
    returned)."""
    cap = RESERVE_CAP_MONTHS * max(monthly_income, 0.0)
    kept = min(max(reserve, 0.0), cap)
    return kept, max(reserve - kept, 0.0)


def bond_target_met(year_unmet_need: float, counterfactual_need: float) -> bool:
    """The bond's outcome test, as real bonds judge it against a comparison group: the year's
    mean unmet need is at least SIB_TARGET below the same year's in the counterfactual (the
    same world without the bond's money). Need that falls anyway does not count."""
    return year_unmet_need <= (1.0 - SIB_TARGET) * counterfactual_need


def bond_repayment(capital: float, met: bool, annual_return: float) -> float:
    """What a year's social-impact-bond investors are owed at settlement: their capital plus
    ``annual_return`` if the outcome target was met (``bond_target_met``), nothing otherwise
    (the investors carry the risk)."""
    return capital * (1.0 + annual_return) if met else 0.0


# The structural levers and how restructuring is counted: the sum over them of how far each
# moves from today's arrangements (its schema default, the status quo). Money levers
# (community_resources, capacity_building, servant_training, the grant) and the centre's rules
# are paid or set month by month and restructure nothing.
RESTRUCTURING_LEVERS = (
    "deliberation_inclusion",
    "entitlements",
    "local_priority_setting",
    "outcome_commissioning",
    "co_production",
    "prevention_share",
    "plural_provision",
    "pooled_budget",
    "local_control",
    "learning",
    "servant_new_roles",
    "connective_government",
)
RESTRUCTURING_MONTHS = 12  # the restructuring cost is paid in equal parts over the first year


def restructuring(levers: Mapping[str, float], today: Mapping[str, float]) -> float:
    """How much a set of levers restructures services: the sum over RESTRUCTURING_LEVERS of
    the distance of each from ``today`` (the status quo's arrangements)."""
    return float(sum(abs(levers[name] - today[name]) for name in RESTRUCTURING_LEVERS))


def should_intervene(crisis_rate: float, trigger: float, propensity: float, uniform: float):
    """Central government re-imposes ring-fencing when the watched crisis rate exceeds its
    trigger, with chance ``propensity`` (the settlement: 0 = never intervene locally)."""
    return crisis_rate > trigger and uniform < propensity


def effective_local_control(local_control: float, ring_fenced: bool) -> float:
    """Share of the budget steered locally this month."""
    return local_control * (RING_FENCED_CONTROL if ring_fenced else 1.0)


def voice_propensity(
    control: np.ndarray,
    capacity: np.ndarray,
    engaged: np.ndarray,
    rate: float,
    engaged_boost: float,
) -> np.ndarray:
    """Monthly chance of voicing priorities: those with more control and capacity speak more,
    and those engaged in community action speak ``1 + engaged_boost`` times as often (civic
    involvement and volunteering go together), capped at 1."""
    return np.minimum(rate * 0.5 * (control + capacity) * (1.0 + engaged_boost * engaged), 1.0)


def voice_weights(voiced: np.ndarray, propensity: np.ndarray, inclusion: float) -> np.ndarray:
    """Weight each voice carries in deliberation.

    With ``inclusion`` 0 every voice counts once, so the loud dominate; with 1 each voice is
    weighted by the inverse of its speaker's propensity to speak, so every group counts in
    proportion to its size (democratic deliberation that protects weak voices).
    """
    if inclusion == 0:  # voices count as they come (the same numbers, without the inverse)
        return voiced.astype(float)
    mean = propensity.mean() if propensity.size else 0.0
    inverse = np.divide(mean, propensity, out=np.ones_like(propensity), where=propensity > 0)
    return np.where(voiced, (1.0 - inclusion) + inclusion * inverse, 0.0)


def update_priorities(
    priorities: np.ndarray,
    weights: np.ndarray,
    need: np.ndarray,
    neighbourhood: np.ndarray,
    measured: float = 0.0,
    sum_by_place: Callable[[np.ndarray], np.ndarray] | None = None,
    voiced: np.ndarray | None = None,
) -> np.ndarray:
    """The council's priorities over neighbourhoods: its memory blended with what it heard this
    month. What it hears is the need voiced (weighted voices times the speakers' need) and, for
    a connective council (``measured`` in [0, 1]), the need it measures directly from users and
    communities (each place's share of all need), mixed in proportion ``measured``.
    ``sum_by_place`` (e.g. ``groups.GroupSums``) may give the sums of all citizens' values by
    neighbourhood faster than ``np.bincount``, with the same result; ``voiced``, the voiced need
    by place (the first sum below), may be given when already known (``kernels.voice``)."""
    if voiced is None:
        # Only those who spoke add anything: summing over them alone gives the same sums, bit
        # for bit (in the same order, without the zeros), at a tenth of the cost.
        spoke = np.flatnonzero(weights != 0)  # a flag array first: 5x faster than on floats
        voiced = np.bincount(
            neighbourhood[spoke], weights[spoke] * need[spoke], minlength=len(priorities)
        )
    total = voiced.sum()
    heard = voiced / total if total > 0 else priorities
    if measured > 0:
        actual = (
            np.bincount(neighbourhood, need, minlength=len(priorities))
            if sum_by_place is None
            else sum_by_place(need)
        )
        if actual.sum() > 0:
            heard = (1.0 - measured) * heard + measured * actual / actual.sum()
    if total <= 0 and measured <= 0:
        return priorities
    return PRIORITY_MEMORY * priorities + (1.0 - PRIORITY_MEMORY) * heard


def council_view(priorities: np.ndarray, misjudgement: np.ndarray) -> np.ndarray:
    """Where the council actually sends the money it steers: its priorities distorted by a
    lasting misjudgement of each place (a factor ``exp(error x z)``), renormalised."""
    seen = priorities * misjudgement
    total = seen.sum()
    return seen / total if total > 0 else priorities


def entitlement_level(weights: np.ndarray, need: np.ndarray, seek_threshold: float) -> float:
    """The need level past which support is a right, as deliberation agrees it: the
    voice-weighted mean of the speakers' own need (each speaker draws the line where it would
    itself qualify), never below the help-seeking threshold. When quiet voices carry little
    weight the confident, with little need, set the line low and the floor loses its aim."""
    total = weights.sum()
    if total <= 0:
        return 1.0
    return max(float(np.dot(weights, need) / total), seek_threshold)


def allocation_shares(
    formula_share: np.ndarray,
    priorities: np.ndarray,
    local_control: float,
    priority_setting: float,
    misjudgement: np.ndarray | None = None,
) -> np.ndarray:
    """Share of the month's spending each neighbourhood gets. The ring-fenced part follows the
    central needs formula. The locally steered part follows the council's own plan (the
    formula, with a share ``priority_setting`` following voiced priorities) as the council sees
    it: distorted by its lasting ``misjudgement`` of places, so more local control means more
    of the money carries the council's errors."""
    local_plan = (1.0 - priority_setting) * formula_share + priority_setting * priorities
    if misjudgement is not None:
        local_plan = council_view(local_plan, misjudgement)
    return (1.0 - local_control) * formula_share + local_control * local_plan


def voice_heard(weights: np.ndarray, local_control: float, priority_setting: float) -> np.ndarray:
    """How far each voice changed decisions, in [0, 1]: its weight relative to the average
    voice, times the share of money that follows voices."""
    spoke = np.flatnonzero(weights > 0)
    heard = np.zeros_like(weights)
    if spoke.size == 0:
        return heard
    voices = weights[spoke]  # the others' relative weight is 0: never heard
    heard[spoke] = np.minimum(1.0, voices / voices.mean() * local_control * priority_setting)
    return heard
