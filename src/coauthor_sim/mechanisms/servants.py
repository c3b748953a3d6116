"""The four new roles of twenty-first-century public servants, and professional casework.

A servant's effort in a role is the share of its time in that role times its skill for it
(navigator: interpersonal; weaver: organising; storyteller: communication; architect:
synthesising). Time not spent in the new roles goes to professional casework, which adds
responsive support, so moving servants into new roles is a trade-off, not a free gain.
"""

from __future__ import annotations

import numpy as np

SILO_DRIFT = 0.05  # monthly pull of fragmentation back to its initial level under ring-fencing


def role_effort(role_time: np.ndarray, skills: np.ndarray) -> np.ndarray:
    """Effort per servant and role (S x 4): time in the role times the matching skill."""
    return role_time * skills


def casework_units(
    role_time: np.ndarray, skills: np.ndarray, units_per_servant: float
) -> np.ndarray:
    """Responsive support units each servant gives through casework in the time the new roles
    leave, scaled by its average skill (0.5 to 1.5 times ``units_per_servant``)."""
    return units_per_servant * (1.0 - role_time.sum(axis=1)) * (0.5 + skills.mean(axis=1))


def by_neighbourhood(values: np.ndarray, where: np.ndarray, n_hood: int) -> np.ndarray:
    """Sum of per-servant ``values`` in each neighbourhood."""
    return np.bincount(where, values, minlength=n_hood)


def navigate(
    priority: np.ndarray,
    neighbourhood: np.ndarray,
    capacity_per_hood: np.ndarray,
    uniform: np.ndarray,
) -> np.ndarray:
    """Navigator: who is guided to support this month.

    Each neighbourhood's navigators can guide up to ``capacity_per_hood`` citizens; each
    citizen's chance is proportional to its ``priority`` (need of those seeking help times how
    poorly connected they are), capped at 1, so the poorly connected are reached first. When
    some chances are capped, the capacity they could not use is not passed on to others.
    """
    total = np.bincount(neighbourhood, priority, minlength=len(capacity_per_hood))
    share = np.divide(
        capacity_per_hood, total, out=np.zeros_like(total, dtype=float), where=total > 0
    )
    return uniform < np.minimum(1.0, priority * share[neighbourhood])


def weaving_boost(weave_per_hood: np.ndarray, pop_per_hood: np.ndarray, effect: float):
    """Weaver: boost to the help engaged citizens give, from weaving effort per 100 citizens
    (saturating: effect x d / (1 + d))."""
    density = weave_per_hood / np.maximum(pop_per_hood / 100.0, 1e-12)
    return effect * density / (1.0 + density)


def storytelling_reach(
    story_per_hood: np.ndarray, pop_per_hood: np.ndarray, reach: float
) -> np.ndarray:
    """Storyteller: chance that a citizen of each neighbourhood hears a story this month."""
    return np.minimum(1.0, story_per_hood * reach / np.maximum(pop_per_hood, 1))


def tell_stories(
    willingness: np.ndarray, capacity: np.ndarray, reached: np.ndarray, effect: float
) -> tuple[np.ndarray, np.ndarray]:
    """Storyteller: citizens reached close a share ``effect`` of their willingness gap and half
    that share of their confidence (capacity) gap."""
    w = np.where(reached, willingness + effect * (1.0 - willingness), willingness)
    c = np.where(reached, capacity + 0.5 * effect * (1.0 - capacity), capacity)
    return w, c


def architect(
    fragmentation: float,
    architect_effort: float,
    n_citizens: int,
    effect: float,
    initial: float,
    local_control: float,
) -> float:
    """Architect: fragmentation of the support system next month.

    Architects cut a share ``effect x density`` of the current fragmentation, where density is
    architect effort (full-time equivalents) per 1,000 citizens; central ring-fencing (1 - local
    control) pulls it back towards its initial level.
    """
    density = architect_effort / (n_citizens / 1000.0)
    cut = min(effect * density, 1.0) * fragmentation
    drift = SILO_DRIFT * (1.0 - local_control) * (initial - fragmentation)
    return float(np.clip(fragmentation - cut + drift, 0.0, 1.0))
