"""The four new roles of twenty-first-century public servants, and professional casework.

A servant's effort in a role is the share of its time in that role times its skill for it
(navigator: interpersonal; weaver: organising; storyteller: communication; architect:
synthesising). Time not spent in the new roles goes to professional casework, which adds
responsive support, so moving servants into new roles is a trade-off, not a free gain.
"""

from __future__ import annotations

import numpy as np

SILO_DRIFT = 0.05  # monthly pull of fragmentation back to its initial level under ring-fencing
TRAINING_RATE = 0.03  # monthly share of the skill gap closed by full-intensity training


def working_time(
    training: float, training_time: float, inclusion: float, deliberation_time: float
) -> float:
    """Share of servants' time left for their roles and casework after training (a share
    ``training_time`` at full intensity) and inclusive deliberation (``deliberation_time`` at
    full inclusion): neither is free."""
    return max(1.0 - training * training_time - inclusion * deliberation_time, 0.0)


def role_effort(role_time: np.ndarray, skills: np.ndarray, working: float = 1.0) -> np.ndarray:
    """Effort per servant and role (S x 4): time in the role times the matching skill, times
    the share of time left after training and deliberation."""
    effort = role_time * skills
    return effort * working if working != 1.0 else effort


def casework_units(
    role_time: np.ndarray, skills: np.ndarray, units_per_servant: float, working: float = 1.0
) -> np.ndarray:
    """Responsive support units each servant gives through casework in the time the new roles
    leave, scaled by its average skill (0.5 to 1.5 times ``units_per_servant``) and by the
    share of time left after training and deliberation."""
    casework_time = np.maximum(1.0 - role_time.sum(axis=1), 0.0)  # rounding can pass 1
    return units_per_servant * working * casework_time * (0.5 + skills.mean(axis=1))


def by_neighbourhood(values: np.ndarray, coverage, coverage_t=None) -> np.ndarray:
    """Per-servant ``values`` (S, or S x k) summed into neighbourhoods (H, or k x H) by the
    share of each servant's time in each neighbourhood. ``coverage`` (S x H) may be a dense
    array or a scipy sparse array; the model passes the sparse form, since a servant covers
    few neighbourhoods: each neighbourhood's sum then runs over its own servants, in servant
    order, and costs nothing like the dense S x H product (53 MB read three times a month at a
    million citizens). A caller that keeps the transpose ``coverage.T`` passes it as
    ``coverage_t`` (the model does: coverage is fixed, and making the transposed sparse view
    costs more than the product itself at a thousand citizens); the sums are the same."""
    return np.asarray(((coverage.T if coverage_t is None else coverage_t) @ values).T)


def train(skills: np.ndarray, intensity: float) -> np.ndarray:
    """Training: each month servants close a share ``TRAINING_RATE x intensity`` of the gap
    between their skills and full skill, so training pays off gradually while it costs money
    every month."""
    return skills + TRAINING_RATE * intensity * (1.0 - skills)


def navigate(
    priority: np.ndarray,
    neighbourhood: np.ndarray,
    capacity_per_hood: np.ndarray,
    uniform: np.ndarray,
) -> np.ndarray:
    """Navigator: who is guided to support this month.

    Each neighbourhood's navigators can guide up to ``capacity_per_hood`` citizens (on
    average). A citizen's chance of being guided is proportional to its ``priority`` (need of
    those seeking help times how poorly connected they are), so the poorly connected are
    reached first; a chance cannot exceed 1, and the capacity that caps leave over goes to the
    others (the same water filling as ``support.ration``, with one "unit" per citizen).
    """
    from .support import ration

    # everyone with priority wants one "unit" (1 x priority is priority: the same weights)
    asking, chance = ration(1.0, priority, neighbourhood, capacity_per_hood, sparse=True)
    guided = np.zeros(np.shape(priority), dtype=bool)  # the others' chance is 0: never guided
    guided[asking] = uniform[asking] < chance
    return guided


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
    who = np.flatnonzero(reached)  # a few: the others keep their values
    w, c = willingness.copy(), capacity.copy()
    w[who] += effect * (1.0 - w[who])
    c[who] += 0.5 * effect * (1.0 - c[who])
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
    return min(max(fragmentation - cut + drift, 0.0), 1.0)  # np.clip's value, on floats
