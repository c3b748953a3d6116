"""Local and central government: the month's budget, voices and priorities, ring-fencing."""

from __future__ import annotations

import numpy as np

PRIORITY_MEMORY = 0.8  # share of last month's priorities the council keeps
RING_FENCED_CONTROL = 0.25  # share of local control left while central government intervenes
FORMULA_DEPRIVATION_WEIGHT = 1.0  # extra weight per head in the most deprived neighbourhood


def formula_shares(population: np.ndarray, deprivation: np.ndarray) -> np.ndarray:
    """Shares of money a central needs formula gives each neighbourhood: per head, weighted
    up by ``1 + FORMULA_DEPRIVATION_WEIGHT x deprivation`` (deprivation in [0, 1]). Like
    real funding formulas it is static: it knows places' deprivation, not this month's need."""
    weight = population * (1.0 + FORMULA_DEPRIVATION_WEIGHT * deprivation)
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
    mean = propensity.mean() if propensity.size else 0.0
    inverse = np.divide(mean, propensity, out=np.ones_like(propensity), where=propensity > 0)
    return np.where(voiced, (1.0 - inclusion) + inclusion * inverse, 0.0)


def update_priorities(
    priorities: np.ndarray,
    weights: np.ndarray,
    need: np.ndarray,
    neighbourhood: np.ndarray,
) -> np.ndarray:
    """The council's priorities over neighbourhoods: its memory blended with the need voiced
    this month (weighted voices times the speakers' need)."""
    voiced = np.bincount(neighbourhood, weights * need, minlength=len(priorities))
    total = voiced.sum()
    if total <= 0:
        return priorities
    return PRIORITY_MEMORY * priorities + (1.0 - PRIORITY_MEMORY) * voiced / total


def allocation_shares(
    formula_share: np.ndarray,
    priorities: np.ndarray,
    local_control: float,
    priority_setting: float,
) -> np.ndarray:
    """Share of the month's spending each neighbourhood gets: the ring-fenced part and the
    formula part of the local budget follow the central needs formula; the rest follows
    voiced priorities."""
    steered = local_control * priority_setting
    return (1.0 - steered) * formula_share + steered * priorities


def voice_heard(weights: np.ndarray, local_control: float, priority_setting: float) -> np.ndarray:
    """How far each voice changed decisions, in [0, 1]: its weight relative to the average
    voice, times the share of money that follows voices."""
    spoke = weights > 0
    if not spoke.any():
        return np.zeros_like(weights)
    relative = weights / weights[spoke].mean()
    return np.minimum(1.0, relative * local_control * priority_setting)
