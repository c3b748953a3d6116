"""Outcomes reported every month: functions of the model's state, no side effects."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from . import kernels
from .state import SECTORS, SPENDING_KINDS, CitizenState, Ledger

CIVIC_WINDOW = 12  # months: "took part in the last 12 months", as the surveys ask
# Depth of civic involvement read from how often a citizen voiced in the last 12 months: any
# voice = civic participation; CONSULTATION_VOICES or more = took part in consultations;
# ACTIVISM_VOICES or more = civic activism (a decision-making role). A mapping of ours, chosen so
# that the three nest as the Community Life Survey's measures do.
CONSULTATION_VOICES = 2
ACTIVISM_VOICES = 3
# The headline outcomes followed month by month: the comparison's trajectories and the
# outcomes the EMA Workbench adapter reports unless told otherwise.
HEADLINE_OUTCOMES = (
    "life_satisfaction",
    "wellbeing_gap",
    "engagement_rate",
    "unmet_need",
    "crisis_rate",
    "spending_total",
)
RATIO_OUTCOMES = (  # NaN when undefined
    "civic_participation_ratio",
    "engagement_ratio",
    "volunteering_year_month_ratio",
)
LOW_WELLBEING = 0.5  # well-being below this maps to life satisfaction 0-4 (see docs/ODD.md)
MOST_DEPRIVED, LEAST_DEPRIVED = 4, 0  # wellbeing_fifth_1 is least, _5 most deprived
OLDER = 2  # the age group of citizens aged 65 and over (state.AGE_GROUPS)
# Money flows of the month, for the appraisal's who-pays split (analysis.costs): central money
# in (grant and rescue money), pooled money in from investors, and what the council still owes
# investors beyond the month (the bond's liability).
MONEY_FLOWS = ("income_centre", "income_investors", "bond_liability")

OUTCOME_NAMES: tuple[str, ...] = (
    "mean_wellbeing",
    "life_satisfaction",
    "wellbeing_most_deprived",
    "wellbeing_least_deprived",
    "wellbeing_gap",
    *(f"wellbeing_fifth_{q + 1}" for q in range(5)),
    "gini_wellbeing",
    "low_wellbeing_share",
    "engagement_rate",
    "coproduction_rate",
    "engaged_last_year",
    "volunteering_year_month_ratio",
    "in_spell_rate",
    "volunteer_hours",
    "coproduction_hours",
    "hours_top_fifth_share",
    "starts_via_ties",
    "civic_participation",
    "civic_consultation",
    "civic_activism",
    "civic_participation_ratio",
    "engagement_ratio",
    "influence_share",
    "voice_share_most_deprived",
    "mean_capacity",
    "mean_connectedness",
    "mean_control",
    "unmet_need",
    "older_unmet_share",
    "crises",
    "crisis_rate",
    "fragmentation",
    "budget_available",
    "money_committed",
    "spending_total",
    "money_carried_over",
    "money_returned",
    *MONEY_FLOWS,
    *(f"spending_{k}" for k in SPENDING_KINDS),
    *(f"spending_{s}" for s in SECTORS),
)


RADIX_MIN_SIZE = 20_000  # below this np.sort is as fast as the two radix passes
ONE_PASS_MIN_SIZE = 500_000  # from here one radix pass and a longer fix-up are faster
_KEY_SPAN = 4294967040.0  # keys in [0, 2**32 - 256]: rounding cannot push one past 2**32 - 1


def sorted_values(values: np.ndarray) -> np.ndarray:
    """``np.sort(values)`` for float arrays, the same numbers in the same order, faster for
    large arrays of non-negative finite values (a month's well-being at 300,000 citizens: some
    5 ms instead of 13).

    Two stable radix passes (numpy's stable argsort of 16-bit keys is a counting sort) order
    the values by a 32-bit key ``floor(x * span / max)``, which never decreases as ``x`` grows;
    only values sharing a key (closer than max / 2**32) can stay out of order, and a final
    stable sort (timsort, on data now sorted but for a handful of neighbours) fixes them. From
    ONE_PASS_MIN_SIZE values, where each pass's scattered reads miss the cache, one pass on 16
    bits and a longer fix-up are faster. The result is sorted either way, so it equals
    np.sort's whatever the keys."""
    x = np.asarray(values)
    if x.dtype != np.float64 or x.ndim != 1 or x.size < RADIX_MIN_SIZE:
        return np.sort(x)
    top = float(x.max())
    scale = _KEY_SPAN / top if 0.0 < top < math.inf else math.inf  # inf: NaN, inf, tiny max
    if not math.isfinite(scale) or x.min() < 0.0:  # ... or for negatives: plain sort
        return np.sort(x)
    if x.size >= ONE_PASS_MIN_SIZE:  # cache misses make each pass dear: one pass of 16 bits
        key16 = (x * (scale / 65536.0)).astype(np.uint16)
        return np.sort(x[np.argsort(key16, kind="stable")], kind="stable")
    key = (x * scale).astype(np.uint32)
    low = np.argsort(key.astype(np.uint16), kind="stable")
    high = (key >> 16).astype(np.uint16)[low]
    nearly = x[low[np.argsort(high, kind="stable")]]
    return np.sort(nearly, kind="stable")


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = all equal)."""
    x = sorted_values(values)
    n = x.size
    total = x.sum()
    if n == 0 or total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    value = 2.0 * np.dot(ranks, x) / (n * total) - (n + 1) / n
    return float(min(max(value, 0.0), 1.0))  # rounding can stray a hair outside [0, 1]


def top_fifth_share(hours: np.ndarray) -> float:
    """Share of all hours given by the fifth of those giving any who give most (0 when nobody
    gives): how concentrated community action is in a civic core."""
    giving = hours[np.flatnonzero(hours > 0)]  # an index, not a boolean mask: 5x faster
    if giving.size == 0:
        return 0.0
    k = max(1, giving.size // 5)
    top = np.partition(giving, giving.size - k)[giving.size - k :]
    return float(top.sum() / giving.sum())


def quintile_means(
    values: np.ndarray,
    quintile: np.ndarray,
    counts: np.ndarray | None = None,
    sum_by_quintile: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """Mean of ``values`` in each deprivation quintile (NaN for an empty quintile);
    ``counts`` (citizens per quintile) may be passed when known, and ``sum_by_quintile`` (e.g.
    ``groups.GroupSums``) to sum by quintile faster than np.bincount, with the same result."""
    if sum_by_quintile is None:
        sums = np.bincount(quintile, values, minlength=5)
    else:
        sums = sum_by_quintile(values)
    if counts is None:
        counts = np.bincount(quintile, minlength=5)
    return np.divide(sums, counts, out=np.full(5, np.nan), where=counts > 0)


def _ratio(flags: np.ndarray, quintile: np.ndarray, counts: np.ndarray) -> float:
    """Rate among the least deprived fifth over the rate among the most deprived fifth (NaN
    when the most deprived rate is zero)."""
    # Per-quintile counts of the flags, in integers (exactly the float sums of 0/1 weights),
    # from one code per citizen (quintile and flag): no float weights, no boolean-mask copy.
    codes = quintile * np.int8(2) + flags if quintile.dtype == np.int8 else 2 * quintile + flags
    hits = np.bincount(codes, minlength=10)[1::2].astype(np.float64)
    rates = np.divide(hits, counts, out=np.full(5, np.nan), where=counts > 0)
    most = rates[MOST_DEPRIVED]
    return float(rates[LEAST_DEPRIVED] / most) if most > 0 else float("nan")


def _share_above(values: np.ndarray, among: np.ndarray, line: float) -> float:
    """Share of those flagged in ``among`` whose value is above ``line`` (0 if none)."""
    total = np.count_nonzero(among)
    return np.count_nonzero(among & (values > line)) / total if total else 0.0


def compute_outcomes(
    c: CitizenState,
    ledger: Ledger,
    month: int,
    fragmentation: float,
    voice_share_most_deprived: float,
    starts: int = 0,
    starts_by_ties: int = 0,
    quintile_counts: np.ndarray | None = None,
    sum_by_quintile: Callable[[np.ndarray], np.ndarray] | None = None,
    *,
    need_line: float = 0.2,
    coproduction_hours: float = 0.0,
    flows: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """All outcomes of the month, as plain floats keyed by OUTCOME_NAMES. ``starts`` and
    ``starts_by_ties`` count the spells of community action started in the last 12 months and
    those started through ties (not by a spontaneous draw); the share is 0 when none started.
    ``quintile_counts`` (citizens per deprivation quintile, fixed in a run) and
    ``sum_by_quintile`` (see ``quintile_means``) may be passed when known. ``need_line`` is the
    need past which a citizen looks for help (``seek_threshold``): older citizens still above
    it at the month's end live with unmet need. ``coproduction_hours`` turns co-production
    effort into hours; ``flows`` holds the month's MONEY_FLOWS (zero when not given)."""
    wb, n, quintile = c.wellbeing, c.n, c.deprivation_quintile
    counts = np.bincount(quintile, minlength=5) if quintile_counts is None else quintile_counts
    # Every per-citizen sum, count, mean and rate in one pass (kernels.citizen_statistics: the
    # same numbers, bit for bit, as quintile_means, _ratio, _share_above and the numpy means,
    # pinned in tests/test_kernels.py); ``sum_by_quintile`` adds in the same order, so is not
    # needed.
    by_q, tally, ratios, means = kernels.citizen_statistics(
        wb, quintile, counts, c.voice_log, c.engaged, c.contribution, c.last_engaged, month,
        CIVIC_WINDOW, c.spell, c.hours, c.control, c.capacity, c.connectedness, c.need,
        LOW_WELLBEING, CONSULTATION_VOICES, ACTIVISM_VOICES, c.age_group, OLDER, need_line,
    )  # fmt: skip
    (low, engaged, coproducing, yearly, spell, spoke, consulted, activists, influence, older,
     older_unmet) = tally.tolist()  # fmt: skip
    # As Python floats (the same numbers as numpy's scalars, and cheaper to read one by one).
    by_q, ratios, means = by_q.tolist(), ratios.tolist(), means.tolist()
    crises = int(np.count_nonzero(c.crisis))
    mean_wb = means[0]
    monthly = engaged / n
    yearly = yearly / n  # month - last < window, in integers

    out = {
        "mean_wellbeing": mean_wb,
        "life_satisfaction": 10.0 * mean_wb,
        "wellbeing_most_deprived": by_q[MOST_DEPRIVED],
        "wellbeing_least_deprived": by_q[LEAST_DEPRIVED],
        "wellbeing_gap": by_q[LEAST_DEPRIVED] - by_q[MOST_DEPRIVED],
        **dict(zip(_FIFTH_NAMES, by_q, strict=True)),
        "gini_wellbeing": gini(wb),
        "low_wellbeing_share": low / n,
        "engagement_rate": monthly,
        "coproduction_rate": coproducing / n,
        "engaged_last_year": yearly,
        "volunteering_year_month_ratio": yearly / monthly if monthly > 0 else float("nan"),
        "in_spell_rate": spell / n,
        "volunteer_hours": means[1],
        "coproduction_hours": float(coproduction_hours * means[6]),
        # Hours are positive exactly for those taking part, and top_fifth_share keeps the
        # positive ones itself: no separate copy of the engaged's hours.
        "hours_top_fifth_share": top_fifth_share(c.hours),
        "starts_via_ties": starts_by_ties / starts if starts > 0 else 0.0,
        "civic_participation": spoke / n,
        "civic_consultation": consulted / n,
        "civic_activism": activists / n,
        "civic_participation_ratio": ratios[0],
        "engagement_ratio": ratios[1],
        "influence_share": influence / n,
        "voice_share_most_deprived": float(voice_share_most_deprived),
        "mean_capacity": means[2],
        "mean_connectedness": means[3],
        "mean_control": means[4],
        "unmet_need": means[5],
        "older_unmet_share": older_unmet / older if older else 0.0,
        "crises": float(crises),
        "crisis_rate": crises / n,
        "fragmentation": float(fragmentation),
        "budget_available": float(ledger.available),
        "money_committed": float(ledger.committed),
        "spending_total": float(ledger.spent),
        "money_carried_over": float(ledger.carried_over - ledger.returned),
        "money_returned": float(ledger.returned),
        **{name: float((flows or {}).get(name, 0.0)) for name in MONEY_FLOWS},
    }
    for kind, amount in ledger.by_kind.items():
        out[_SPENDING_NAMES[kind]] = float(amount)
    out.update(zip(_SECTOR_NAMES, np.asarray(ledger.by_sector, dtype=float).tolist(), strict=True))
    return out


_FIFTH_NAMES = tuple(f"wellbeing_fifth_{q + 1}" for q in range(5))
_SPENDING_NAMES = {kind: f"spending_{kind}" for kind in SPENDING_KINDS}
_SECTOR_NAMES = tuple(f"spending_{name}" for name in SECTORS)


# Plain-language labels for tables and pictures.
OUTCOME_LABELS: dict[str, str] = {
    "life_satisfaction": "Life satisfaction (0-10)",
    "mean_wellbeing": "Mean well-being (0-1)",
    "wellbeing_least_deprived": "Well-being, least deprived fifth",
    "wellbeing_most_deprived": "Well-being, most deprived fifth",
    "wellbeing_gap": "Well-being gap (least minus most deprived fifth)",
    "gini_wellbeing": "Inequality of well-being (Gini)",
    "low_wellbeing_share": "Share with low life satisfaction (0-4)",
    "engagement_rate": "Share engaged in community action",
    "coproduction_rate": "Share co-producing their support",
    "civic_participation": "Share who voiced priorities in the last 12 months",
    "engaged_last_year": "Share engaged in community action in the last 12 months",
    "volunteering_year_month_ratio": "Engaged in the last 12 months over engaged this month",
    "in_spell_rate": "Share in a spell of community action (taking part or between sessions)",
    "volunteer_hours": "Hours of community action per citizen per month",
    "coproduction_hours": "Hours of co-producing support per citizen per month",
    "older_unmet_share": "Share of citizens aged 65+ living with unmet need",
    "bond_liability": "Owed to investors beyond this month (GBP)",
    "hours_top_fifth_share": "Share of hours given by the most committed fifth of volunteers",
    "starts_via_ties": "Share of spells of community action started through ties (12 months)",
    "money_committed": "Money committed per month (GBP)",
    "money_carried_over": "Unspent money carried over in reserve (GBP)",
    "money_returned": "Unspent money returned to the centre this month (GBP)",
    "civic_consultation": "Share who took part in consultations (2+ voices a year)",
    "civic_activism": "Share in civic activism (3+ voices a year)",
    "civic_participation_ratio": "Civic participation, least over most deprived fifth",
    "engagement_ratio": "Engagement, least over most deprived fifth",
    "influence_share": "Share who feel able to influence decisions",
    "voice_share_most_deprived": "Most deprived fifth's share of voice",
    "unmet_need": "Mean unmet need (0-1)",
    "crisis_rate": "Crises per citizen per month",
    "spending_total": "Spending per month (GBP)",
    "total_spending": "Spending over the run (GBP)",
    "wellbys": "Well-being over the run (WELLBYs)",
    **{f"wellbeing_fifth_{q}": f"Well-being, deprivation fifth {q}" for q in range(1, 6)},
}
# Whether more is better, for the outcomes where that is not a matter of opinion (spending is
# left out: less spending is a saving or a cut depending on what it buys).
HIGHER_IS_BETTER: dict[str, bool] = {
    "life_satisfaction": True,
    "mean_wellbeing": True,
    "wellbeing_least_deprived": True,
    "wellbeing_most_deprived": True,
    "engagement_rate": True,
    "civic_participation": True,
    "influence_share": True,
    **{f"wellbeing_fifth_{q}": True for q in range(1, 6)},
    "wellbys": True,
    "wellbeing_gap": False,
    "gini_wellbeing": False,
    "low_wellbeing_share": False,
    "unmet_need": False,
    "crisis_rate": False,
}
