"""Engagement in community action: a threshold rule spreading over the social network.

The rule is Granovetter's (1978) and Watts's (2002): a citizen joins when the exposure to
engaged neighbours (their number, or their share of its ties) reaches its threshold. The model
adds willingness, a capacity gate, spontaneous starters and drop-out around that rule; with
those switched off (see ``coauthor_sim.docking``) it is the classic rule exactly.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def exposure_from_counts(counts: np.ndarray, degree: np.ndarray, fractional: bool) -> np.ndarray:
    """Exposure of each citizen: engaged neighbours as a count, or as a share of its ties
    (zero for a citizen with no ties)."""
    if not fractional:
        return counts
    return np.divide(counts, degree, out=np.zeros_like(counts, dtype=float), where=degree > 0)


def neighbour_exposure(
    adjacency: sp.sparray, active: np.ndarray, degree: np.ndarray, fractional: bool = True
) -> np.ndarray:
    """Exposure of every citizen to the ``active`` ones through ``adjacency`` (one mat-vec)."""
    return exposure_from_counts(adjacency @ active.astype(float), degree, fractional)


def threshold_rule(exposure: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """True where exposure reaches the threshold: the adoption rule of the threshold models."""
    return exposure >= threshold


COMMUNITY_HALF_SATURATION = 5.0  # GBP per citizen per month giving half the largest effect


def community_level(money_per_head: np.ndarray) -> np.ndarray:
    """Level of dedicated community resources in [0, 1) from money per head (saturating)."""
    return money_per_head / (money_per_head + COMMUNITY_HALF_SATURATION)


def engagement_thresholds(
    willingness: np.ndarray, community_level: np.ndarray, threshold_scale: float, effect: float
) -> np.ndarray:
    """Share of engaged ties each citizen needs to see before joining.

    The threshold is ``threshold_scale`` times the odds against being willing,
    ``(1 - w) / w``: the keen need little social proof, the reluctant a great deal, and the
    unwilling (thresholds above 1) never join however many of their ties do. Dedicated
    community resources (a level in [0, 1) per citizen's neighbourhood) lower every threshold
    by up to a share ``effect``.
    """
    willing = willingness > 0
    with np.errstate(divide="ignore", invalid="ignore"):  # the unwilling are set apart below
        odds_against = (1.0 - willingness) / willingness
        threshold = threshold_scale * odds_against * (1.0 - effect * community_level)
    if np.ndim(threshold) == 0 or np.shape(threshold) != np.shape(willing):  # scalars, broadcasts
        return np.where(willing, threshold, np.inf)
    threshold[np.flatnonzero(~willing)] = np.inf  # the wholly unwilling never join (few, if any)
    return threshold


def update_engagement(
    engaged: np.ndarray,
    exposure: np.ndarray,
    threshold: np.ndarray,
    spare_capacity: np.ndarray,
    willingness: np.ndarray,
    capacity_floor: float,
    spontaneous_rate: float,
    dropout_rate: float,
    uniform: np.ndarray,
    resting: np.ndarray | None = None,
) -> np.ndarray:
    """Who is in a spell of community action next month.

    A citizen can engage only with spare capacity (capacity minus need) of at least
    ``capacity_floor``: deprivation acts on the decision to enter. A citizen not in a spell and
    not ``resting`` after one joins when the threshold rule fires, or spontaneously with chance
    ``spontaneous_rate x willingness``. A citizen in a spell stays unless it loses its spare
    capacity or drops out with chance ``dropout_rate``. ``uniform`` holds one U(0, 1) draw per
    citizen (the two chances apply to disjoint groups, so one draw serves both). Without
    ``resting`` (and with the extras off) this is the classic threshold rule of the docking.
    """
    able = spare_capacity >= capacity_floor
    free = ~engaged if resting is None else ~engaged & ~resting
    joins = free & (
        threshold_rule(exposure, threshold) | (uniform < spontaneous_rate * willingness)
    )
    stays = engaged & (uniform >= dropout_rate)
    return able & (joins | stays)


def started_by_ties(
    starts: np.ndarray, willingness: np.ndarray, spontaneous_rate: float, uniform: np.ndarray
) -> np.ndarray:
    """Of the spells started this month, those the spontaneous draw alone would not have
    started: the starts spread through ties (same ``uniform`` as ``update_engagement``)."""
    return starts & ~(uniform < spontaneous_rate * willingness)


def rest_after_spell(
    ended: np.ndarray, rest_until: np.ndarray, month: int, rest_months: float, uniform: np.ndarray
) -> np.ndarray:
    """Memory of a spell: a citizen whose spell ended this month rests (cannot start again) up to
    a month drawn from an exponential with mean ``rest_months`` (rounded up), so people who
    stop do not simply return the next month."""
    rest = rest_until.copy()
    who = np.flatnonzero(ended)  # an index: faster than a boolean mask, twice
    if rest_months <= 0:
        rest[who] = month
    else:
        rest[who] = month + np.ceil(-rest_months * np.log1p(-uniform[who]))
    return rest


SESSION_HOURS = 4.0  # hours of one session of community action (judgement)


def take_part(spell: np.ndarray, commitment: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Who takes part this month: a citizen in a spell with commitment ``k`` sessions a month
    takes part every month if ``k >= 1`` and with chance ``k`` otherwise (an occasional
    volunteer), so monthly participation is below the share in a spell and yearly above it."""
    return spell & (uniform < commitment)


def hours_given(active: np.ndarray, commitment: np.ndarray) -> np.ndarray:
    """Hours of community action this month: SESSION_HOURS per session, at least one session
    for a citizen taking part; heavy-tailed because commitment is."""
    return np.where(active, SESSION_HOURS * np.maximum(commitment, 1.0), 0.0)
