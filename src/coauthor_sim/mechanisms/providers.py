"""Providers: payment under block or outcome contracts, and review with learning."""

from __future__ import annotations

import numpy as np

REVIEW_INTERVAL = 12  # months between reviews of providers
FEEDBACK_NOISE = 0.5  # spread of measurement error when the council hears nothing from users
OUTCOME_RISK_PREMIUM = 0.1  # mark-up providers charge for bearing the risk of payment by results


def provider_payments(
    allocated: np.ndarray, used_cost: np.ndarray, outcome_contract: np.ndarray
) -> np.ndarray:
    """What each provider is paid: on a block contract, the money allocated to it (capacity is
    paid for whether used or not); on an outcome contract, the cost of the capacity its
    results used, marked up by OUTCOME_RISK_PREMIUM, never more than its allocation."""
    paid_for_results = np.minimum(used_cost * (1.0 + OUTCOME_RISK_PREMIUM), allocated)
    return np.where(outcome_contract, paid_for_results, allocated)


def measured_performance(
    effectiveness: np.ndarray,
    unit_cost: np.ndarray,
    feedback_quality: float,
    normal: np.ndarray,
) -> np.ndarray:
    """Need removed per 1,000 GBP as the council sees it: the truth times log-normal error
    whose spread shrinks as feedback from users improves."""
    truth = 1000.0 * effectiveness / unit_cost
    return truth * np.exp(FEEDBACK_NOISE * (1.0 - feedback_quality) * normal)


def worst_of_kind(track_record: np.ndarray, kind: np.ndarray, which: int) -> int:
    """Index of the provider of kind ``which`` with the worst track record."""
    idx = np.flatnonzero(kind == which)
    return int(idx[np.argmin(track_record[idx])])
