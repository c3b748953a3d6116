"""Providers: payment under block or outcome contracts, and review with learning."""

from __future__ import annotations

import numpy as np

REVIEW_INTERVAL = 12  # months between reviews of providers
FEEDBACK_NOISE = 0.5  # spread of measurement error when the council hears nothing from users
OUTCOME_RISK_PREMIUM = 0.1  # mark-up providers charge for bearing the risk of payment by results
TRANSITION_MONTHS = 6  # months a newly contracted provider takes to run at full strength
EXIT_REVENUE_SHARE = (
    0.8  # outcome-paid providers earning less than this share of allocation may leave
)


def provider_payments(
    allocated: np.ndarray,
    used_cost: np.ndarray,
    outcome_contract: np.ndarray,
    gaming: float = 0.0,
) -> np.ndarray:
    """What each provider is paid: on a block contract, the money allocated to it (capacity is
    paid for whether used or not); on an outcome contract, the cost of the capacity its
    results used, as reported (overstated by ``gaming``), marked up by OUTCOME_RISK_PREMIUM,
    never more than its allocation."""
    reported = used_cost * (1.0 + gaming)
    paid_for_results = np.minimum(reported * (1.0 + OUTCOME_RISK_PREMIUM), allocated)
    return np.where(outcome_contract, paid_for_results, allocated)


def measured_performance(
    effectiveness: np.ndarray,
    unit_cost: np.ndarray,
    feedback_quality: float,
    normal: np.ndarray,
    gaming: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Need removed per 1,000 GBP as the council sees it: the truth, inflated by what a
    provider games (``gaming``, zero on block contracts), times log-normal error whose spread
    shrinks as feedback from users improves."""
    truth = 1000.0 * effectiveness / unit_cost * (1.0 + gaming)
    return truth * np.exp(FEEDBACK_NOISE * (1.0 - feedback_quality) * normal)


def leaves_market(
    outcome_contract: np.ndarray,
    year_paid: np.ndarray,
    year_allocated: np.ndarray,
    exit_rate: float,
    uniform: np.ndarray,
) -> np.ndarray:
    """Providers on outcome contracts whose payments over the year fell below
    EXIT_REVENUE_SHARE of their allocation leave, each with chance ``exit_rate``."""
    losing = year_paid < EXIT_REVENUE_SHARE * year_allocated
    return outcome_contract & losing & (uniform < exit_rate)


def transition_factor(transition_until: np.ndarray, month: int, disruption: float) -> np.ndarray:
    """Share of its support each provider delivers this month: ``1 - disruption`` while a
    newly contracted provider is taking over (up to ``transition_until``), 1 otherwise."""
    return np.where(transition_until >= month, 1.0 - disruption, 1.0)


def worst_of_kind(track_record: np.ndarray, kind: np.ndarray, which: int) -> int:
    """Index of the provider of kind ``which`` with the worst track record."""
    idx = np.flatnonzero(kind == which)
    return int(idx[np.argmin(track_record[idx])])
