"""Providers: payment under block or outcome contracts, and review with learning."""

from __future__ import annotations

import numpy as np

REVIEW_INTERVAL = 12  # months between reviews of providers
FEEDBACK_NOISE = 0.5  # spread of measurement error when the council hears nothing from users


def provider_payments(
    allocated: np.ndarray, delivered_cost: np.ndarray, outcome_contract: np.ndarray
) -> np.ndarray:
    """What each provider is paid: the money allocated to it on a block contract (capacity is
    paid for whether used or not); the cost of what it delivered on an outcome contract."""
    return np.where(outcome_contract, np.minimum(delivered_cost, allocated), allocated)


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
