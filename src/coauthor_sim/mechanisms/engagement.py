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
    odds_against = np.divide(
        1.0 - willingness, willingness, out=np.zeros_like(willingness), where=willingness > 0
    )
    threshold = threshold_scale * odds_against * (1.0 - effect * community_level)
    return np.where(willingness > 0, threshold, np.inf)  # the wholly unwilling never join


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
) -> np.ndarray:
    """Who is engaged next month.

    A citizen can engage only with spare capacity (capacity minus need) of at least
    ``capacity_floor``: deprivation acts on the decision to enter. A citizen not engaged joins
    when the threshold rule fires, or spontaneously with chance ``spontaneous_rate x
    willingness``. An engaged citizen stays unless it loses its spare capacity or drops out
    with chance ``dropout_rate``. ``uniform`` holds one U(0, 1) draw per citizen (the two
    chances apply to disjoint groups, so one draw serves both).
    """
    able = spare_capacity >= capacity_floor
    joins = ~engaged & (
        threshold_rule(exposure, threshold) | (uniform < spontaneous_rate * willingness)
    )
    stays = engaged & (uniform >= dropout_rate)
    return able & (joins | stays)
