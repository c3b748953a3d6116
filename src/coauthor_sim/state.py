"""Model state as numpy arrays, and its initialisation.

Citizen attributes are one array each (structure of arrays), indexed by citizen number
``0 .. n-1``; the same layout holds for servants and providers. Mesa agents (``agents.py``) are
thin faces that read and write these arrays, so the dynamics can work on whole arrays at once.

Codes used throughout:
    sector: 0 public, 1 private, 2 third sector, 3 community
    provider kind: 0 preventative, 1 responsive
    age group: 0 young (16-24), 1 adult (25-64), 2 older (65+)
    deprivation quintile: 0 least deprived ... 4 most deprived
    servant role (column of ``role_time``): 0 navigator, 1 weaver, 2 storyteller, 3 architect
    servant skill (column of ``skills``): 0 interpersonal, 1 organising, 2 communication,
        3 synthesising (the skill each role draws on, in the same order)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import kernels
from .mechanisms.wellbeing import set_points
from .params import Parameters

SECTORS = ("public", "private", "third", "community")
KINDS = ("preventative", "responsive")
ROLES = ("navigator", "weaver", "storyteller", "architect")
SKILLS = ("interpersonal", "organising", "communication", "synthesising")
AGE_GROUPS = ("young", "adult", "older")
VOICE_MONTHS = 12  # months of voice history kept: the surveys ask about the last 12 months
SPENDING_KINDS = (
    "servants",
    "training",
    "connective",
    "finance",
    "repayment",
    "transition",
    "contract_management",
    "crisis",
    "community_action",
    "capacity_building",
    "preventative",
    "responsive",
)

# Provider characteristics by sector (public, private, third, community). They encode a
# hypothesis, not a finding: non-public providers are cheaper per unit but no better value on
# average (effectiveness per pound equals the public sector's, 0.6 per unit of public cost, times
# the uncertainty ``nonpublic_value``, 1 by default),
# and more variable, so plural provision pays only where commissioning can tell good providers
# from bad ones and replace the bad.
SECTOR_COST_FACTOR = np.array([1.0, 0.85, 0.9, 0.6])
SECTOR_EFFECTIVENESS_MEAN = 0.6 * SECTOR_COST_FACTOR
SECTOR_EFFECTIVENESS_SD = np.array([0.05, 0.15, 0.1, 0.15])
# Among non-public providers, the chance of each sector (private, third, community).
NON_PUBLIC_SECTOR_WEIGHTS = np.array([0.45, 0.4, 0.15])
UNTRAINED_SKILL = 0.4  # mean skill of a servant before any training


@dataclass
class CitizenState:
    """Per-citizen arrays. All well-being and four-C variables lie in [0, 1]."""

    neighbourhood: np.ndarray
    age_group: np.ndarray
    context: np.ndarray  # favourability of the neighbourhood: 1 = least deprived
    deprivation_quintile: np.ndarray
    capacity_base: np.ndarray  # capacity a citizen returns to without events
    capacity: np.ndarray
    control_base: np.ndarray
    control: np.ndarray
    connectedness: np.ndarray  # derived from ties each month, never set freely
    willingness_base: np.ndarray  # willingness a citizen returns to when stories fade
    willingness: np.ndarray
    wellbeing: np.ndarray
    disposition: np.ndarray  # fixed personal offset of the well-being target (set point)
    need: np.ndarray  # need not yet met (unmet need), in need units
    prevention: np.ndarray  # stock of preventative support received, decays monthly
    engaged: np.ndarray  # bool: takes part in community action this month
    degree: np.ndarray
    spell: np.ndarray = field(default=None)  # bool: in a spell of community action
    commitment: np.ndarray = field(default=None)  # sessions a month while in a spell (fixed)
    rest_until: np.ndarray = field(default=None)  # last month of the pause after a spell
    hours: np.ndarray = field(default=None)  # hours of community action this month
    # Results of the current month, kept for outcomes and for the agents' faces.
    contribution: np.ndarray = field(default=None)  # co-production effort
    burden: np.ndarray = field(default=None)
    support: np.ndarray = field(default=None)  # formal support units received
    informal: np.ndarray = field(default=None)  # need met through ties
    crisis: np.ndarray = field(default=None)
    navigated: np.ndarray = field(default=None)
    voice_log: np.ndarray = field(default=None)  # (12, n) bool: voiced in each of 12 months
    last_engaged: np.ndarray = field(default=None)  # month last engaged, -10**9 if never
    employability: np.ndarray = field(default=None)  # fixed rank: the lowest lose work first
    unemployed: np.ndarray = field(default=None)  # bool: of working age and out of work

    def __post_init__(self) -> None:
        n = len(self.capacity)
        for name in ("contribution", "burden", "support", "informal"):
            if getattr(self, name) is None:
                setattr(self, name, np.zeros(n))
        for name in ("crisis", "navigated"):
            if getattr(self, name) is None:
                setattr(self, name, np.zeros(n, dtype=bool))
        if self.voice_log is None:
            self.voice_log = np.zeros((VOICE_MONTHS, n), dtype=bool)
        if self.last_engaged is None:
            self.last_engaged = np.where(self.engaged, 0, -(10**9)).astype(np.int64)
        if self.spell is None:
            self.spell = self.engaged.copy()
        if self.commitment is None:
            self.commitment = np.ones(n)
        if self.rest_until is None:
            self.rest_until = np.full(n, -(10**9), dtype=np.int64)
        if self.hours is None:
            self.hours = np.zeros(n)

    @property
    def n(self) -> int:
        return len(self.capacity)


@dataclass
class ServantState:
    """Per-servant arrays; ``role_time`` and ``skills`` have one column per role/skill."""

    sector: np.ndarray
    neighbourhood: np.ndarray  # the first (home) neighbourhood each servant covers
    coverage: np.ndarray  # (S, H) share of each servant's time in each neighbourhood
    role_time: np.ndarray  # (S, 4) share of time in each new role; the rest is casework
    skills: np.ndarray  # (S, 4)
    caseload: np.ndarray  # citizens navigated last month

    @property
    def n(self) -> int:
        return len(self.sector)


@dataclass
class ProviderState:
    """Per-provider arrays, plus which provider of each kind serves each neighbourhood."""

    sector: np.ndarray
    kind: np.ndarray
    unit_cost: np.ndarray  # GBP per unit of support
    effectiveness: np.ndarray  # need units removed per unit of support
    outcome_contract: np.ndarray  # bool: paid for need reduced rather than for capacity
    track_record: np.ndarray  # as measured by local government (with error)
    delivered: np.ndarray  # units delivered last month
    paid: np.ndarray  # GBP paid last month
    serves: np.ndarray  # (2, H): provider index for each kind and neighbourhood
    transition_until: np.ndarray = field(default=None)  # last month of a new provider's take-over
    year_allocated: np.ndarray = field(default=None)  # GBP allocated since the last review
    year_paid: np.ndarray = field(default=None)  # GBP paid since the last review

    def __post_init__(self) -> None:
        m = len(self.sector)
        if self.transition_until is None:
            self.transition_until = np.full(m, -1, dtype=np.int64)
        for name in ("year_allocated", "year_paid"):
            if getattr(self, name) is None:
                setattr(self, name, np.zeros(m))

    @property
    def n(self) -> int:
        return len(self.sector)


@dataclass
class LocalGovernment:
    """The locality's council: a model component, not an agent (there is one per model).

    It holds the pooled budget of the month, the priorities it has heard from citizens, the
    fragmentation of the support system it runs, and any central ring-fencing imposed on it.
    """

    priorities: np.ndarray  # (H,) share of locally steered money each neighbourhood gets
    fragmentation: float
    allocation: np.ndarray | None = None  # (H,) share of this month's spending per place
    budget: float = 0.0
    ring_fenced_until: int = -1  # month until which central government has taken back control
    voice_share_most_deprived: float = 0.0
    misjudgement: np.ndarray | None = None  # (H,) lasting factor on how it sees each place
    reserve: float = 0.0  # unspent money carried over (GBP)
    entitlement_level: float = 1.0  # need past which support is a right (set by deliberation)
    bond_capital: float = 0.0  # pooled external money raised since the last settlement
    bond_instalment: float = 0.0  # monthly repayment owed to investors this year
    instalments_left: int = 0  # instalments of bond_instalment still to pay
    baseline_need: float = 0.0  # mean unmet need at the start (kept for reference)
    year_need: float = 0.0  # sum of monthly mean unmet need since the last settlement
    twin_year_need: float = 0.0  # the same in the counterfactual without the bond
    income_centre: float = 0.0  # this month's central money (grant and any rescue money)
    income_investors: float = 0.0  # this month's pooled external money

    def bond_liability(self, annual_return: float, on_track: bool) -> float:
        """What the council owes investors beyond this month: instalments still to pay, and
        the capital raised since the last settlement with its return if the outcome target is
        being met so far (a liability carried to the end of a run, not dropped)."""
        accrued = self.bond_capital * (1.0 + annual_return) if on_track else 0.0
        return self.bond_instalment * self.instalments_left + accrued


@dataclass
class CentralGovernment:
    """Central government: when crises exceed the settlement's trigger (the
    ``intervention_trigger`` parameter) it may re-impose ring-fencing for a while. The grant it
    pays is ``governance.central_grant`` of the parameters, computed each month."""

    intervention_months: int = 12  # how long re-imposed ring-fencing lasts
    watched_crisis_rate: float = 0.0  # crises per citizen per month, smoothed


@dataclass
class Ledger:
    """The month's money: what is available and what was spent, by kind and by sector.

    ``pay`` never lets spending exceed what is available; it returns what was actually paid.
    """

    available: float
    spent: float = 0.0
    committed: float = 0.0  # money assigned to uses (a provider's allocation, not its payment)
    carried_in: float = 0.0  # reserve brought into the month
    returned: float = 0.0  # unspent money returned to the centre at a settlement
    by_kind: dict[str, float] = field(default_factory=lambda: dict.fromkeys(SPENDING_KINDS, 0.0))
    by_sector: np.ndarray = field(default_factory=lambda: np.zeros(len(SECTORS)))

    @property
    def remaining(self) -> float:
        return max(self.available - self.spent, 0.0)

    @property
    def carried_over(self) -> float:
        """Money left unspent at the end of the month (before any return to the centre)."""
        return self.remaining

    def pay(
        self,
        kind: str,
        sector: int | np.ndarray,
        amount: float | np.ndarray,
        committed: float | None = None,
    ) -> float:
        """Pay ``amount`` (a scalar for one sector, or one amount per entry of an array of
        sectors) as far as the money goes, scaling every part down alike if it does not;
        return the total paid. Spending never exceeds what is available, not even by
        rounding. ``committed`` (default: the amount asked) is what the payment was budgeted
        at, e.g. an outcome contract's allocation when it is paid less."""
        if type(sector) is int and type(amount) is float:  # one sector: plain floats, no numpy
            paid = self._spend(kind, amount, committed)
            if amount <= 0:
                return paid
            self.by_sector[sector] += amount * (paid / amount)
            return paid
        amounts = np.asarray(amount, dtype=float)
        if np.ndim(sector) != amounts.ndim or np.shape(sector) != amounts.shape:
            raise ValueError("pay: give one amount per sector")
        if amounts.ndim != 1:  # one payee given as arrays
            return self.pay(kind, int(sector), float(amounts), committed)
        # amounts.sum() and np.add.at's booking, the same numbers in one compiled call each
        total = kernels.pairwise_sum(amounts)
        paid = self._spend(kind, total, committed)
        if total <= 0:
            return paid
        kernels.book(self.by_sector, np.asarray(sector), amounts, paid / total)
        return paid

    def _spend(self, kind: str, total: float, committed: float | None) -> float:
        """Record a payment of ``total`` (budgeted at ``committed``) as far as the money goes;
        return what was paid."""
        self.committed += total if committed is None else committed
        if total <= 0:
            return 0.0
        remaining = self.remaining
        paid = min(total, remaining)
        self.spent = self.available if paid == remaining else self.spent + paid
        self.by_kind[kind] += paid
        return paid


def beta_with_mean(rng: np.random.Generator, mean: np.ndarray, concentration: float) -> np.ndarray:
    """Beta draws with the given means (clipped into (0.01, 0.99)) and concentration a + b."""
    m = np.clip(mean, 0.01, 0.99)
    return rng.beta(m * concentration, (1 - m) * concentration)


def init_citizens(
    p: Parameters,
    rng: np.random.Generator,
    sizes: np.ndarray,
    degree: np.ndarray,
    deprivation: np.ndarray | None = None,
    quintile: np.ndarray | None = None,
    older_share: np.ndarray | None = None,
) -> tuple[CitizenState, np.ndarray]:
    """Draw the initial citizens. Returns their state and each neighbourhood's deprivation.

    Without a locality table, deprivation ranks are spread evenly over neighbourhoods (as the
    English indices are by construction) and shuffled, so neighbourhood id says nothing about
    deprivation, and quintiles are fifths of that spread. From a table (``localities``), each
    neighbourhood's ``deprivation`` (in (0, 1), 1 = most deprived) and ``quintile`` (0 least ...
    4 most deprived) are national and given, not re-ranked inside the locality.
    ``older_share`` (per neighbourhood, from a table's age columns) replaces ``p.older_share``
    there; the draws are the same uniform numbers either way.
    """
    n_hood = len(sizes)
    if deprivation is None:
        deprivation = (rng.permutation(n_hood) + 0.5) / n_hood  # in (0, 1), 1 = most deprived
        quintile = np.minimum((deprivation * 5).astype(np.int8), 4)
    hood_context = 0.5 + p.deprivation_spread * (0.5 - deprivation)
    neighbourhood = np.repeat(np.arange(n_hood), sizes)
    n = len(neighbourhood)
    context = hood_context[neighbourhood]
    quintile = np.asarray(quintile, dtype=np.int8)[neighbourhood]
    shares = np.array([p.young_share, max(0.0, 1.0 - p.young_share - p.older_share),
                       p.older_share])  # fmt: skip
    if older_share is None:
        age = rng.choice(3, size=n, p=shares / shares.sum()).astype(np.int8)
    else:  # as rng.choice draws: one uniform number each, against per-citizen thresholds
        u = rng.random(n)
        older = np.asarray(older_share, dtype=float)[neighbourhood]
        age = ((u >= p.young_share).astype(np.int8) + (u >= 1.0 - older)).astype(np.int8)
    capacity = beta_with_mean(rng, 0.3 + 0.5 * context, 8.0)
    control = beta_with_mean(rng, p.control_mean + 0.4 * (context - 0.5), 6.0)
    willingness = beta_with_mean(rng, np.full(n, p.willingness_mean), 4.0)
    need = beta_with_mean(rng, 0.05 + 0.12 * (1 - context), 6.0)  # near the status quo's level
    spell = rng.random(n) < 0.5 * willingness * capacity
    commitment = p.commitment_median * np.exp(p.commitment_spread * rng.standard_normal(n))
    engaged = spell & (rng.random(n) < commitment)
    state = CitizenState(
        neighbourhood=neighbourhood,
        age_group=age,
        context=context,
        deprivation_quintile=quintile,
        capacity_base=capacity.copy(),
        capacity=capacity,
        control_base=control.copy(),
        control=control,
        connectedness=np.zeros(n),
        willingness_base=willingness.copy(),
        willingness=willingness,
        wellbeing=np.zeros(n),  # set by the model once connectedness is known
        disposition=set_points(
            rng.standard_normal(n), p.wellbeing_disposition_sd, p.wellbeing_disposition_skew
        ),
        need=need,
        prevention=np.zeros(n),
        engaged=engaged,
        degree=degree.astype(np.float64),
        spell=spell,
        commitment=commitment,
    )
    return state, deprivation


def servant_count(p: Parameters) -> int:
    """Number of public servants: ``servants_per_1000`` per 1,000 citizens, rounded."""
    return round(p.servants_per_1000 * p.n_citizens / 1000.0)


def servant_coverage(n_servants: int, n_hood: int) -> np.ndarray:
    """Which neighbourhoods each servant covers, as shares of its time (rows sum to 1).

    With at least as many servants as neighbourhoods, servant j works in neighbourhood
    j mod H; with fewer, servant j covers every neighbourhood h with h mod S = j, splitting its
    time evenly, so no neighbourhood is left without servants."""
    cover = np.zeros((n_servants, n_hood))
    if n_servants == 0:
        return cover
    hoods = np.arange(n_hood)
    if n_servants >= n_hood:
        cover[np.arange(n_servants), np.arange(n_servants) % n_hood] = 1.0
    else:
        cover[hoods % n_servants, hoods] = 1.0
        cover /= cover.sum(axis=1, keepdims=True)
    return cover


def init_servants(p: Parameters, rng: np.random.Generator, n_hood: int) -> ServantState:
    """Servants spread over neighbourhoods; each splits its new-role time unevenly. Skills
    start untrained (mean 0.4); training raises them month by month."""
    s = servant_count(p)
    sector = rng.choice(3, size=s, p=[0.7, 0.1, 0.2]).astype(np.int8)
    mix = rng.dirichlet(np.full(4, 2.0), size=s) if s else np.zeros((0, 4))
    skills = beta_with_mean(rng, np.full((s, 4), UNTRAINED_SKILL), 10.0)
    coverage = servant_coverage(s, n_hood)
    return ServantState(
        sector=sector,
        neighbourhood=coverage.argmax(axis=1) if s else np.zeros(0, dtype=np.int64),
        coverage=coverage,
        role_time=p.servant_new_roles * mix,
        skills=skills,
        caseload=np.zeros(s),
    )


def draw_provider(p: Parameters, rng: np.random.Generator, kind: int) -> tuple[int, float, float]:
    """Draw a new provider of ``kind``: its sector, unit cost and effectiveness."""
    if rng.random() < p.plural_provision:
        sector = 1 + int(rng.choice(3, p=NON_PUBLIC_SECTOR_WEIGHTS))
    else:
        sector = 0
    base = p.preventive_unit_cost if kind == 0 else p.responsive_unit_cost
    cost = base * SECTOR_COST_FACTOR[sector]
    mean = SECTOR_EFFECTIVENESS_MEAN[sector] * (p.nonpublic_value if sector > 0 else 1.0)
    eff = float(np.clip(rng.normal(mean, SECTOR_EFFECTIVENESS_SD[sector]), 0.05, 1.0))
    return sector, cost, eff


def init_providers(p: Parameters, rng: np.random.Generator, n_hood: int) -> ProviderState:
    """A third of providers (at least one) are preventative; each kind's providers share the
    neighbourhoods between them in turn."""
    m = p.n_providers
    n_prev = max(1, round(m / 3))
    kind = np.array([0] * n_prev + [1] * (m - n_prev), dtype=np.int8)
    outcome = rng.random(m) < p.outcome_commissioning
    sector = np.zeros(m, dtype=np.int8)
    cost = np.zeros(m)
    eff = np.zeros(m)
    for j in range(m):
        sector[j], cost[j], eff[j] = draw_provider(p, rng, int(kind[j]))
    serves = np.stack([
        np.arange(n_hood) % n_prev,
        n_prev + np.arange(n_hood) % (m - n_prev),
    ])  # fmt: skip
    return ProviderState(
        sector=sector,
        kind=kind,
        unit_cost=cost,
        effectiveness=eff,
        outcome_contract=outcome,
        track_record=1000.0 * eff / cost,  # need removed per 1,000 GBP, as reviews measure
        delivered=np.zeros(m),
        paid=np.zeros(m),
        serves=serves,
    )
