"""Connectedness, well-being, capacity and control: how citizens' states respond."""

from __future__ import annotations

import numpy as np

CAPACITY_EROSION = 0.03  # capacity lost per month at full unmet need
CAPACITY_RELAXATION = 0.05  # monthly return towards a citizen's base capacity
CAPACITY_CRISIS_LOSS = 0.1  # share of capacity lost in a crisis
CONTROL_RELAXATION = 0.05  # monthly return towards a citizen's base control
WILLINGNESS_RELAXATION = 0.05  # monthly return towards a citizen's base willingness


NEGLIGIBLE_SKEW = 1e-6  # set points differ from the normal draw by ~1e-7 sd at this skew


def set_points(normal: np.ndarray, sd: float, skew: float) -> np.ndarray:
    """Personal set points of well-being from standard normal draws: ``sd x normal`` when
    ``skew`` is 0, otherwise Tukey's g-transform ``(exp(skew z) - 1) / skew`` rescaled to mean 0
    and standard deviation ``sd``, so a negative ``skew`` gives a long lower tail (a minority far
    below the rest, as life satisfaction has) without moving the mean or the spread. A skew
    closer to 0 than ``NEGLIGIBLE_SKEW`` is the normal draw: the g-transform tends to it, and its
    rescaling would divide 0 by 0 in floating point."""
    if abs(skew) < NEGLIGIBLE_SKEW:
        return sd * normal
    g = np.expm1(skew * normal) / skew
    mean = np.expm1(skew**2 / 2.0) / skew
    spread = np.sqrt(np.exp(skew**2) * np.expm1(skew**2)) / abs(skew)
    return sd * (g - mean) / spread


def connectedness_from_ties(tie_resources: np.ndarray, half_saturation: float) -> np.ndarray:
    """Connectedness in [0, 1) from the resources a citizen's ties bring (the sum over its ties
    of their capacity, doubled for engaged ties): r / (r + half_saturation)."""
    return tie_resources / (tie_resources + half_saturation)


def wellbeing_target(
    need: np.ndarray,
    connectedness: np.ndarray,
    control: np.ndarray,
    context: np.ndarray,
    capacity: np.ndarray,
    engaged: np.ndarray,
    burden: np.ndarray,
    disposition: np.ndarray,
    w: dict[str, float],
    unemployed: np.ndarray | float = 0.0,
) -> np.ndarray:
    """The well-being a citizen's situation supports: its personal set point plus a weighted
    sum of needs met and the four Cs, less the burden of co-production and, for those out of
    work, the loss unemployment brings (``w["unemployment"]``, 0 when not given)."""
    return (
        w["base"]
        + disposition
        + w["need"] * (1.0 - need)
        + w["ties"] * connectedness
        + w["control"] * control
        + w["context"] * context
        + w["capacity"] * capacity
        + w["engagement"] * engaged
        - burden
        - w.get("unemployment", 0.0) * unemployed
    )


WORKING_AGE = (0, 1)  # the age groups that may be out of work (16-24, 25-64: AGE_GROUPS)


def unemployment(
    employability: np.ndarray,
    working_age: np.ndarray,
    context: np.ndarray,
    rate: float,
    gradient: float,
) -> np.ndarray:
    """Who is out of work when a share ``rate`` of working-age citizens is: each one's chance
    rises with deprivation (``1 + gradient x (1 - context)``, scaled so the working-age mean is
    ``rate``), and a citizen is out of work when its fixed ``employability`` rank (uniform on
    [0, 1)) is below that chance. So a falling rate brings back to work first those most
    employable, and the same people stay out of work as long as the rate holds."""
    weight = (1.0 + gradient * (1.0 - context)) * working_age
    mean = weight.sum() / max(np.count_nonzero(working_age), 1)
    chance = rate * weight / mean if mean > 0 else 0.0 * weight
    return working_age & (employability < chance)


def update_wellbeing(
    wellbeing: np.ndarray,
    target: np.ndarray,
    crisis: np.ndarray,
    adjustment: float,
    crisis_loss: float,
    noise: np.ndarray,
) -> np.ndarray:
    """Well-being moves a share ``adjustment`` towards its target, drops by ``crisis_loss`` in
    a crisis, and takes the month's personal events (``noise``); it stays in [0, 1]."""
    new = wellbeing + adjustment * (target - wellbeing) + noise - crisis_loss * crisis
    return np.clip(new, 0.0, 1.0)


def update_capacity(
    capacity: np.ndarray,
    base: np.ndarray,
    engaged: np.ndarray,
    effort: np.ndarray,
    need: np.ndarray,
    crisis: np.ndarray,
    learning: float = 0.02,
) -> np.ndarray:
    """Capacity grows with engagement and co-production effort (learning by doing: a share
    ``learning`` of the gap to full capacity per month of full engagement or effort), erodes
    with unmet need and crises, and relaxes towards the citizen's base; it stays in [0, 1]."""
    grow = learning * (engaged + effort) * (1.0 - capacity)
    lose = (CAPACITY_EROSION * need + CAPACITY_CRISIS_LOSS * crisis) * capacity
    new = capacity + grow - lose + CAPACITY_RELAXATION * (base - capacity)
    return np.clip(new, 0.0, 1.0)


def update_control(
    control: np.ndarray, base: np.ndarray, heard: np.ndarray, gain: float = 0.1
) -> np.ndarray:
    """Control rises when a citizen's voice changes decisions (``heard`` in [0, 1]: a share
    ``gain`` of the gap to full control when fully heard) and relaxes towards its base
    otherwise; it stays in [0, 1]."""
    new = control + gain * heard * (1.0 - control) + CONTROL_RELAXATION * (base - control)
    return np.clip(new, 0.0, 1.0)


def update_willingness(willingness: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Willingness raised by stories fades back towards the citizen's base each month."""
    return willingness + WILLINGNESS_RELAXATION * (base - willingness)


def build_capacity(base: np.ndarray, level: np.ndarray, effect: float) -> np.ndarray:
    """Capacity building: each citizen's base capacity closes a share ``effect x level`` of its
    gap to full capacity each month (``level`` in [0, 1) from money per head), so those with
    least capacity gain most."""
    return base + effect * level * (1.0 - base)
