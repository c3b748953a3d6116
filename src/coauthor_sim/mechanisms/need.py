"""Need: how it grows, and crises when it is left too high."""

from __future__ import annotations

import numpy as np

AGE_NEED_FACTOR = np.array([0.8, 1.0, 1.4])  # young, adult, older: need grows faster with age


def accrue_need(
    need: np.ndarray,
    context: np.ndarray,
    prevention: np.ndarray,
    age_factor: np.ndarray,
    growth: float,
    gradient: float,
    prevention_effect: float,
    uniform: np.ndarray,
) -> np.ndarray:
    """Need after a month of life events.

    Need grows towards 1 at rate ``growth x age_factor x (1 + gradient x deprivation) x (1 -
    prevention_effect x prevention)``, where deprivation is ``1 - context`` and ``age_factor``
    is AGE_NEED_FACTOR of the citizen's age group; the month's events
    scale it by ``2u`` (u uniform), so the mean rate is as stated and some months bring more;
    need never exceeds 1.
    """
    rate = (
        growth * age_factor * (1.0 + gradient * (1.0 - context))
        * (1.0 - prevention_effect * prevention)
    )  # fmt: skip
    return np.minimum(need + rate * (1.0 - need) * (2.0 * uniform), 1.0)


def self_help(need: np.ndarray, capacity: np.ndarray, rate: float) -> np.ndarray:
    """Need after citizens meet what they can themselves: up to ``rate x capacity`` a month,
    so those with more capability and confidence depend less on public support."""
    return np.maximum(need - rate * capacity, 0.0)


def detect_crises(
    need: np.ndarray, threshold: float, probability: float, uniform: np.ndarray
) -> np.ndarray:
    """Citizens above the need ``threshold`` fall into crisis with a chance that rises from 0
    at the threshold to ``probability`` at full need, so crises come gradually, not as a
    cliff at one level of need."""
    excess = np.clip((need - threshold) / max(1.0 - threshold, 1e-12), 0.0, 1.0)
    return (need > threshold) & (uniform < probability * excess)


def respond_to_crises(
    need: np.ndarray, crisis: np.ndarray, funded_share: float, relief: float
) -> np.ndarray:
    """Need after the acute response: each crisis has its need cut by ``relief`` times the share
    of the response that could be paid for."""
    after = np.array(need, dtype=float)
    hit = np.flatnonzero(crisis)  # a handful each month: change only theirs
    after[hit] = np.maximum(need[hit] - relief * funded_share, 0.0)
    return after
