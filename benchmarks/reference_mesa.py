"""The reference: CoauthorModel's monthly dynamics written the way a Mesa user would write them.

``coauthor_sim.model.CoauthorModel`` keeps citizens in numpy arrays and steps all of them at once.
This module implements the same dynamics the ordinary Mesa way, so that it can serve two purposes:

* a **yardstick for speed** (``bench_step.py``): how much the array design gains over a per-agent
  implementation of the same model;
* an **independent check of correctness** (``tests/test_reference_agreement.py``): every formula
  is written out again here for one agent at a time, in plain Python floats, without the
  vectorised mechanisms, so an indexing slip or a wrong broadcast in the fast model shows up as a
  disagreement between the two trajectories.

Citizens are ``mesa.discrete_space.FixedAgent``s, one per cell of a
``mesa.discrete_space.Network`` built on the fast model's networkx graph; each keeps its own
attributes and reads its social ties through ``self.cell.neighborhood.agents``, as in Mesa's
``virus_on_network`` example. Servants and providers are ``mesa.Agent``s. Neighbourhoods, the
council and the month's budget ledger are plain Python objects updated in Python loops.

Exact comparison needs the same random numbers. The fast model draws from one numpy Generator per
purpose (``CoauthorModel.streams``); ``ReferenceModel`` copies the state of every one of them when
it is built and then draws exactly what ``CoauthorModel.step`` draws, from the same stream and in
the same order: from ``events``, seven uniforms and one normal per citizen as one block and one
uniform for central government; from ``reviews``, at every provider review, one normal per
provider and the draws for replacements. Citizen ``i`` is handed column ``i`` of the block.

The monthly order of phases follows ``CoauthorModel.step``; where the fast model uses a value
computed earlier in the month (for example connectedness from the ties, before support is
rationed), so does the reference. When a mechanism of the fast model changes, the same change
must be made here: ``tests/test_reference_agreement.py`` fails until the two agree again.
"""

from __future__ import annotations

import dataclasses
import math
from functools import partial
from typing import TYPE_CHECKING

import mesa
import numpy as np
import pandas as pd
from mesa.discrete_space import FixedAgent, Network

from coauthor_sim.mechanisms.engagement import COMMUNITY_HALF_SATURATION, SESSION_HOURS
from coauthor_sim.mechanisms.governance import (
    CRISIS_WATCH,
    PRIORITY_MEMORY,
    RESERVE_CAP_MONTHS,
    RESERVE_SPEND_RATE,
    RESTRUCTURING_LEVERS,
    RESTRUCTURING_MONTHS,
    RING_FENCED_CONTROL,
    SETTLEMENT_INTERVAL,
)
from coauthor_sim.mechanisms.need import AGE_NEED_FACTOR
from coauthor_sim.mechanisms.providers import (
    EXIT_REVENUE_SHARE,
    FEEDBACK_NOISE,
    OUTCOME_RISK_PREMIUM,
    REVIEW_INTERVAL,
    TRANSITION_MONTHS,
)
from coauthor_sim.mechanisms.servants import SILO_DRIFT, TRAINING_RATE
from coauthor_sim.mechanisms.support import PREVENTION_DECAY, RATION_ROUNDS
from coauthor_sim.mechanisms.wellbeing import (
    CAPACITY_CRISIS_LOSS,
    CAPACITY_EROSION,
    CAPACITY_RELAXATION,
    CONTROL_RELAXATION,
    WILLINGNESS_RELAXATION,
)
from coauthor_sim.outcomes import MOST_DEPRIVED, OUTCOME_NAMES, compute_outcomes
from coauthor_sim.params import defaults
from coauthor_sim.state import (
    NON_PUBLIC_SECTOR_WEIGHTS,
    SECTOR_COST_FACTOR,
    SECTOR_EFFECTIVENESS_MEAN,
    SECTOR_EFFECTIVENESS_SD,
    SECTORS,
    SPENDING_KINDS,
    VOICE_MONTHS,
    CitizenState,
    ProviderState,
    ServantState,
)

if TYPE_CHECKING:
    from coauthor_sim.model import CoauthorModel

PUBLIC, PRIVATE, THIRD, COMMUNITY = range(4)
PREVENTATIVE, RESPONSIVE = 0, 1
NAVIGATOR, WEAVER, STORYTELLER, ARCHITECT = range(4)
N_UNIFORM = 8  # uniforms per citizen per month, as in CoauthorModel.step

# Attributes copied from (and gathered back into) the fast model's state: every field of its
# state classes, so a field added there is carried here too. ``serves`` (which provider serves
# which neighbourhood) is held by the Neighbourhood objects instead.
CITIZEN_FIELDS = tuple(f.name for f in dataclasses.fields(CitizenState))
SERVANT_FIELDS = tuple(f.name for f in dataclasses.fields(ServantState))
PROVIDER_FIELDS = tuple(f.name for f in dataclasses.fields(ProviderState) if f.name != "serves")


def _copy_generator(generator: np.random.Generator) -> np.random.Generator:
    """A new Generator of the same kind whose state equals ``generator``'s: it will draw the
    same numbers, without disturbing the original."""
    twin = np.random.Generator(type(generator.bit_generator)())
    twin.bit_generator.state = generator.bit_generator.state
    return twin


def _clip01(x: float) -> float:
    """``x`` limited to [0, 1]."""
    return min(max(x, 0.0), 1.0)


def water_fill(weights: list[float], demands: list[float], supply: float) -> list[float]:
    """One place's rationing in plain Python, round by round as ``support.ration``: share
    what is left in proportion to the weights of those still waiting, cap each at what it
    asked, and hand the rest on."""
    given = [0.0] * len(weights)
    waiting = [w > 0 for w in weights]
    left = max(supply, 0.0)
    for _ in range(RATION_ROUNDS):
        asked = sum(w for w, wait in zip(weights, waiting, strict=True) if wait)
        if asked <= 0:
            break
        taken, served = 0.0, False
        for k, weight in enumerate(weights):
            if not waiting[k]:
                continue
            offer = left * (weight / asked)
            room = demands[k] - given[k]
            take = min(room, offer)
            given[k] += take
            taken += take
            if offer >= room:
                waiting[k] = False
                served = True
        left = max(left - taken, 0.0)
        if not served or left == 0:
            break
    return given


# ----------------------------------------------------------------------------------------------
# Plain bookkeeping objects: the month's ledger, a neighbourhood, the council.
# ----------------------------------------------------------------------------------------------
class MonthLedger:
    """The month's money in plain Python: what is available, what was spent, by kind and sector.

    ``pay`` never spends more than remains; if the money does not go round, every part of the
    payment is scaled down alike. It has the attributes ``compute_outcomes`` reads.
    """

    def __init__(self, available: float, carried_in: float = 0.0):
        self.available = available
        self.spent = 0.0
        self.committed = 0.0
        self.carried_in = carried_in
        self.returned = 0.0
        self.by_kind = dict.fromkeys(SPENDING_KINDS, 0.0)
        self.by_sector = [0.0] * len(SECTORS)

    @property
    def remaining(self) -> float:
        """Money not yet spent this month (never negative)."""
        return max(self.available - self.spent, 0.0)

    @property
    def carried_over(self) -> float:
        """Money left unspent at the end of the month."""
        return self.remaining

    def pay(
        self, kind: str, parts: list[tuple[int, float]], committed: float | None = None
    ) -> float:
        """Pay each ``(sector, amount)`` part as far as the money goes; return the total paid.
        ``committed`` (default: the amount asked) is what the payment was budgeted at."""
        total = sum(amount for _, amount in parts)
        self.committed += total if committed is None else committed
        if total <= 0:
            return 0.0
        scale = min(1.0, self.remaining / total)
        paid = total * scale
        self.spent += paid
        self.by_kind[kind] += paid
        for sector, amount in parts:
            self.by_sector[sector] += amount * scale
        return paid


class Neighbourhood:
    """One neighbourhood: its residents, providers and the sums the month collects over them.

    Not an agent: it does nothing by itself, it only holds what the council, servants and
    citizens add up place by place.
    """

    def __init__(self, index: int, population: float, formula_share: float, priority: float):
        self.index = index
        self.population = population
        self.formula_share = formula_share  # its share of formula (not voice-led) money
        self.priority = priority  # the council's priority for this place (memory of voices)
        self.providers: list[ReferenceProvider] = []  # [preventative, responsive]
        self.residents: list[ReferenceCitizen] = []
        self.new_month()

    def new_month(self) -> None:
        """Reset the month's sums."""
        self.effort = [0.0, 0.0, 0.0, 0.0]  # servants' effort per role
        self.casework = 0.0
        self.voiced_need = 0.0
        self.nav_priority = 0.0
        self.navigated = 0
        self.asked = 0.0
        self.got = 0.0
        self.story_reach = 0.0
        self.share = 0.0
        self.community_level = 0.0
        self.building_level = 0.0
        self.help_boost = 0.0
        self.nav_share = 0.0
        self.ratio = 0.0


class Council:
    """Local government's state: fragmentation, ring-fencing, the budget and whose voice counts.

    The priorities it holds for each place live on the ``Neighbourhood`` objects.
    """

    def __init__(self, fragmentation: float, budget: float, ring_fenced_until: int, share: float):
        self.fragmentation = fragmentation
        self.budget = budget
        self.ring_fenced_until = ring_fenced_until
        self.voice_share_most_deprived = share
        self.allocation: list[float] | None = None  # this month's share of spending per place
        self.income_centre = 0.0  # this month's grant and rescue money
        self.income_investors = 0.0  # this month's pooled money


class GatheredCitizens:
    """Citizens' attributes as arrays, gathered from the agents when first read.

    Stands in for ``CitizenState`` where ``compute_outcomes`` needs whole arrays; gathering
    lazily means only the attributes the outcomes use are collected.
    """

    def __init__(self, citizens):
        self._citizens = citizens
        self.n = len(citizens)

    def __getattr__(self, name: str) -> np.ndarray:
        if name.startswith("_"):
            raise AttributeError(name)
        values = np.array([getattr(citizen, name) for citizen in self._citizens])
        if name == "voice_log":  # each citizen keeps its own 12 months; the state is (12, n)
            values = values.T
        setattr(self, name, values)
        return values


# ----------------------------------------------------------------------------------------------
# Agents
# ----------------------------------------------------------------------------------------------
class ReferenceCitizen(FixedAgent):
    """A citizen holding its own state as Python numbers, fixed to one cell of the network.

    Attributes are those of ``coauthor_sim.state.CitizenState`` (capacity, need, wellbeing, ...),
    one number each, plus the month's working values (its random draws, voice, the help it
    offers its ties, what it asked of providers). Each method is one part of the month; the model
    calls them for all citizens in turn, phase by phase, so that what a citizen reads from its
    neighbours was set in an earlier phase (a synchronous update, as in the fast model).
    """

    def __init__(self, model: ReferenceModel, cell, place: Neighbourhood, state: dict):
        super().__init__(model)
        self.cell = cell
        self.place = place
        place.residents.append(self)
        for name, value in state.items():
            setattr(self, name, value)
        self.draws: list[float] = []
        self.normal_draw = 0.0
        self.give = 0.0
        self.got = [0.0, 0.0]

    # 2. need and crises
    def live_a_month(self) -> None:
        """Need grows with the month's events, faster where context is poor and slower with a
        stock of prevention, and less with the capacity to help oneself; a citizen above the
        crisis threshold may fall into crisis, the more likely the higher its need."""
        p, u = self.model.p, self.draws
        rate = (
            p.need_growth
            * float(AGE_NEED_FACTOR[self.age_group])
            * (1.0 + p.deprivation_need_gradient * (1.0 - self.context))
            * (1.0 - p.prevention_effect * self.prevention)
        )
        self.need = min(self.need + rate * (1.0 - self.need) * (2.0 * u[0]), 1.0)
        # Self-help: a citizen meets some need itself, in proportion to its capacity.
        self.need = max(self.need - p.self_help_rate * self.capacity, 0.0)
        # The chance of crisis rises from 0 at the threshold to crisis_prob at full need.
        excess = _clip01((self.need - p.crisis_threshold) / max(1.0 - p.crisis_threshold, 1e-12))
        self.crisis = self.need > p.crisis_threshold and u[1] < p.crisis_prob * excess

    def get_acute_response(self, funded: float) -> None:
        """A crisis has its need cut in proportion to the share of the acute bill that was paid."""
        if self.crisis:
            self.need = max(self.need - self.model.p.crisis_relief * funded, 0.0)

    # 3. storytellers
    def hear_story(self) -> None:
        """Reached by a storyteller, a citizen closes part of its willingness and confidence
        gaps."""
        if self.draws[2] < self.place.story_reach:
            effect = self.model.p.storyteller_effect
            self.willingness = self.willingness + effect * (1.0 - self.willingness)
            self.capacity = self.capacity + 0.5 * effect * (1.0 - self.capacity)

    # 4. voice
    def consider_speaking(self) -> None:
        """Voice priorities this month with a chance that grows with control and capacity."""
        p = self.model.p
        lift = 1.0 + p.engaged_voice_boost * self.engaged
        self.propensity = min(p.voice_rate * 0.5 * (self.control + self.capacity) * lift, 1.0)
        self.voiced = self.draws[3] < self.propensity
        self.voice_log[self.model.steps % VOICE_MONTHS] = self.voiced

    def weigh_voice(self, mean_propensity: float) -> None:
        """Weight of its voice (inclusive deliberation lifts the quiet), and the need it voices
        for its neighbourhood."""
        if self.voiced:
            inclusion = self.model.p.deliberation_inclusion
            inverse = mean_propensity / self.propensity if self.propensity > 0 else 1.0
            self.voice_weight = (1.0 - inclusion) + inclusion * inverse
        else:
            self.voice_weight = 0.0
        self.place.voiced_need += self.voice_weight * self.need

    def learn_if_heard(self, mean_weight: float, local_control: float) -> None:
        """How far its voice changed decisions this month, in [0, 1]: its weight relative to
        the average voice, times the share of money that follows voices."""
        if mean_weight > 0:
            relative = self.voice_weight / mean_weight
            self.heard = min(1.0, relative * local_control * self.model.p.local_priority_setting)
        else:
            self.heard = 0.0

    # 5. capacity building
    def attend_capacity_building(self) -> None:
        """Capacity building closes part of the gap between base capacity and full capacity."""
        effect = self.model.p.capacity_building_effect
        base = self.capacity_base
        self.capacity_base = base + effect * self.place.building_level * (1.0 - base)

    # 6. ties
    def offer_help(self) -> None:
        """An engaged citizen offers help in proportion to its capacity, shared among its ties."""
        if self.engaged and self.degree > 0:
            rate = self.model.p.informal_give_rate
            sessions = max(self.commitment, 1.0)
            self.give = (
                self.capacity * rate * sessions * (1.0 + self.place.help_boost) / self.degree
            )
        else:
            self.give = 0.0

    def look_at_ties(self) -> None:
        """Loop over the neighbours: resources they bring (capacity, doubled if engaged) give
        connectedness; the share engaged is the exposure; their offers are the help received."""
        resources = 0.0
        n_engaged = 0
        offered = 0.0
        for other in self.cell.neighborhood.agents:
            resources += other.capacity * (1.0 + other.engaged)
            n_engaged += other.engaged
            offered += other.give
        self.connectedness = resources / (resources + self.model.p.ties_half_saturation)
        self.exposure = n_engaged / self.degree if self.degree > 0 else 0.0
        self.help_received = offered

    # 7. navigators and formal support
    def ask_for_navigation(self) -> None:
        """Those seeking help are candidates for a navigator, the needy and unconnected first."""
        self.seeking = self.need > self.model.p.seek_threshold
        self.nav_priority = self.need * (1.0 - self.connectedness) if self.seeking else 0.0
        self.place.nav_priority += self.nav_priority

    def look_for_support(self) -> None:
        """Meet a navigator or not; try to reach formal support; note how co-production will
        change the support's effect for this citizen."""
        p, place = self.model.p, self.place
        self.navigated = self.draws[4] < self.nav_chance
        base = p.access_base + p.connective_access_effect * p.connective_government * (
            1.0 - p.access_base
        )
        access = base + (1.0 - base) * self.connectedness
        if self.navigated:
            place.navigated += 1
            access = access + p.navigator_effect * (1.0 - access)
        found = self.need > p.seek_threshold and self.draws[5] < access
        self.demand = self.need if found else 0.0
        lift = p.co_production * p.coproduction_effect * (2.0 * self.capacity - 1.0)
        self.multiplier = max(1.0 + lift, 0.0)

    def ask_provider(self, kind: int) -> None:
        """Ask this place's provider of ``kind``: preventative outreach to rising need, or the
        responsive support it sought (outcome-paid providers favour easier cases)."""
        p = self.model.p
        if kind == PREVENTATIVE:
            rising = self.need > 0.5 * p.seek_threshold and not self.seeking
            self.asked = 1.0 - self.prevention if rising else 0.0
            rank = self.need
        else:
            self.asked = self.demand
            contract = self.place.providers[RESPONSIVE].outcome_contract
            rank = 1.0 - p.cream_skimming * self.need if contract else 1.0
        self.weighted = self.asked * rank
        self.place.asked += self.weighted

    def receive_support(self, kind: int) -> None:
        """Take its ration of the place's supply and feel its effect: prevention builds a stock,
        responsive support meets need."""
        got = self.allotted
        self.got[kind] = got
        self.place.got += got
        efficacy = self.place.providers[kind].efficacy
        if kind == PREVENTATIVE:
            stock = self.prevention * (1.0 - PREVENTION_DECAY) + got * (efficacy * self.multiplier)
            self.prevention = min(stock, 1.0)
        else:
            self.need = self.need - min(self.need, got * efficacy * self.multiplier)

    def coproduce(self) -> None:
        """Anyone helped puts effort into its support, at a well-being cost heavier for those
        with little capacity."""
        p = self.model.p
        self.support = self.got[RESPONSIVE]
        if self.got[PREVENTATIVE] + self.got[RESPONSIVE] > 0:
            self.contribution = p.co_production * self.capacity
            self.burden = p.co_production * p.coproduction_burden * (1.0 - self.capacity)
        else:
            self.contribution = 0.0
            self.burden = 0.0

    # 8-10. informal help, engagement, well-being
    def end_month(self) -> None:
        """Accept help from ties, decide whether to engage, and let well-being, capacity,
        control and willingness respond to the month."""
        p = self.model.p
        # 8. informal support
        self.informal = min(self.need, p.tie_support_effect * self.help_received)
        self.need = self.need - self.informal
        # 9. engagement: threshold rule, with a capacity gate, starters and drop-outs
        # Threshold: the odds against being willing (the unwilling never join), lowered by
        # dedicated community resources.
        w = self.willingness
        odds_against = (1.0 - w) / w if w > 0 else math.inf
        threshold = (
            p.threshold_scale
            * odds_against
            * (1.0 - p.community_action_effect * self.place.community_level)
        )
        able = self.capacity - self.need >= p.engagement_capacity_floor
        u, month = self.draws[6], self.model.steps
        was = self.spell
        spontaneous = u < p.spontaneous_rate * self.willingness
        if was:
            self.spell = able and u >= p.dropout_rate
        else:
            resting = self.rest_until >= month
            joins = not resting and (self.exposure >= threshold or spontaneous)
            self.spell = able and joins
        if self.spell and not was:
            self.model.started[0] += 1
            self.model.started[1] += not spontaneous
        if was and not self.spell:  # a pause after a spell, of length ceil(Exp(rest_months))
            if p.rest_months > 0:
                self.rest_until = month + math.ceil(-p.rest_months * math.log1p(-self.draws[7]))
            else:
                self.rest_until = month
        # Take part this month as often as commitment allows; hours per session.
        self.engaged = self.spell and self.draws[7] < self.commitment
        self.hours = SESSION_HOURS * max(self.commitment, 1.0) if self.engaged else 0.0
        # 10. well-being moves towards the target its situation supports
        target = (
            p.wellbeing_base
            + self.disposition
            + p.wellbeing_need_weight * (1.0 - self.need)
            + p.wellbeing_ties_weight * self.connectedness
            + p.wellbeing_control_weight * self.control
            + p.wellbeing_context_weight * self.context
            + p.wellbeing_capacity_weight * self.capacity
            + p.wellbeing_engagement_weight * self.engaged
            - self.burden
            - p.unemployment_wellbeing_loss * self.unemployed
        )
        self.wellbeing = _clip01(
            self.wellbeing
            + p.wellbeing_adjustment * (target - self.wellbeing)
            + p.wellbeing_noise * self.normal_draw
            - p.crisis_wellbeing_loss * self.crisis
        )
        capacity = self.capacity
        grow = p.capacity_learning * (self.engaged + self.contribution) * (1.0 - capacity)
        lose = (CAPACITY_EROSION * self.need + CAPACITY_CRISIS_LOSS * self.crisis) * capacity
        self.capacity = _clip01(
            capacity + grow - lose + CAPACITY_RELAXATION * (self.capacity_base - capacity)
        )
        control = self.control
        self.control = _clip01(
            control
            + p.control_from_voice * self.heard * (1.0 - control)
            + CONTROL_RELAXATION * (self.control_base - control)
        )
        # Willingness raised by stories fades back towards its base.
        self.willingness = self.willingness + WILLINGNESS_RELAXATION * (
            self.willingness_base - self.willingness
        )
        if self.engaged:
            self.last_engaged = self.model.steps


class ReferenceServant(mesa.Agent):
    """A public servant: time in the four new roles times matching skill, the rest casework."""

    def __init__(self, model: ReferenceModel, place: Neighbourhood, state: dict):
        super().__init__(model)
        self.place = place
        for name, value in state.items():
            setattr(self, name, value)

    def train(self) -> None:
        """Training closes a share of the gap to full skill each month."""
        intensity = self.model.p.servant_training
        self.skills = [x + TRAINING_RATE * intensity * (1.0 - x) for x in self.skills]

    def report_effort(self) -> None:
        """Add its effort in each role and its casework units to the neighbourhoods it
        covers, in proportion to its time in each."""
        places = self.model.places
        covered = [(places[h], share) for h, share in enumerate(self.coverage) if share > 0]
        working = self.model.working
        for role in range(4):
            self.effort[role] = self.role_time[role] * self.skills[role]
            if working != 1.0:
                self.effort[role] *= working
            for place, share in covered:
                place.effort[role] += self.effort[role] * share
        share_in_casework = max(1.0 - sum(self.role_time), 0.0)
        skill = 0.5 + sum(self.skills) / 4
        units = self.model.p.casework_units * working * share_in_casework * skill
        for place, share in covered:
            place.casework += units * share

    def count_caseload(self) -> None:
        """Its part of the citizens guided in each place it covers (its share of the place's
        navigator effort)."""
        mine = self.effort[NAVIGATOR]
        self.caseload = 0.0
        for h, share in enumerate(self.coverage):
            place = self.model.places[h]
            total = place.effort[NAVIGATOR]
            if share > 0 and total > 0:
                self.caseload += mine * share * (place.navigated / total)


class ReferenceProvider(mesa.Agent):
    """A provider of preventative or responsive support, paid by block or outcome contract."""

    def __init__(self, model: ReferenceModel, state: dict):
        super().__init__(model)
        for name, value in state.items():
            setattr(self, name, value)
        self.allocated = 0.0

    def prepare(self) -> None:
        """This month's unit cost (co-production saves some) and effect per unit (outcome
        contracts add effort); nothing allocated or delivered yet."""
        p = self.model.p
        self.month_unit_cost = self.unit_cost * (1.0 - p.coproduction_saving * p.co_production)
        self.efficacy = self.effectiveness * (
            1.0 + p.outcome_contract_effort * self.outcome_contract
        )
        self.allocated = 0.0
        self.delivered = 0.0
        new = self.transition_until >= self.model.steps
        self.running = 1.0 - p.switching_disruption if new else 1.0

    def invoice(self, fragmentation: float) -> float:
        """Block contract: the money allocated. Outcome contract: the cost of the capacity its
        results used (what reached citizens plus what fragmentation wasted on the way), with a
        premium for the risk it bears, never more than allocated."""
        if self.outcome_contract:
            used = self.delivered * self.month_unit_cost / max(1.0 - fragmentation, 1e-12)
            reported = used * (1.0 + self.model.p.outcome_gaming)
            self.paid = min(reported * (1.0 + OUTCOME_RISK_PREMIUM), self.allocated)
        else:
            self.paid = self.allocated
        self.year_allocated += self.allocated
        self.year_paid += self.paid
        return self.paid

    def be_measured(self, normal: float) -> None:
        """The council's view of its need removed per 1,000 GBP, with log-normal error that
        shrinks as feedback from users improves."""
        truth = 1000.0 * self.effectiveness / self.unit_cost
        if self.outcome_contract:
            truth *= 1.0 + self.model.p.outcome_gaming
        spread = FEEDBACK_NOISE * (1.0 - self.model.p.connective_government)
        self.track_record = truth * math.exp(spread * normal)

    def be_replaced(self, rng: np.random.Generator) -> None:
        """A new provider of the same kind takes over the contract: new sector, cost and
        effectiveness, drawn as ``coauthor_sim.state.draw_provider`` draws them."""
        p = self.model.p
        if rng.random() < p.plural_provision:
            self.sector = 1 + int(rng.choice(3, p=NON_PUBLIC_SECTOR_WEIGHTS))
        else:
            self.sector = 0
        base = p.preventive_unit_cost if self.kind == PREVENTATIVE else p.responsive_unit_cost
        self.unit_cost = base * float(SECTOR_COST_FACTOR[self.sector])
        mean = float(SECTOR_EFFECTIVENESS_MEAN[self.sector])
        if self.sector > 0:
            mean *= p.nonpublic_value
        drawn = rng.normal(mean, SECTOR_EFFECTIVENESS_SD[self.sector])
        self.effectiveness = min(max(float(drawn), 0.05), 1.0)
        self.transition_until = self.model.steps + TRANSITION_MONTHS


# ----------------------------------------------------------------------------------------------
# The model
# ----------------------------------------------------------------------------------------------
def _read_outcome(name: str, model: ReferenceModel) -> float:
    """DataCollector reporter: one outcome of the month."""
    return model.outcomes[name]


class ReferenceModel(mesa.Model):
    """Per-agent Mesa implementation of ``CoauthorModel``'s dynamics, started from its state.

    ``ReferenceModel(fast)`` copies the fast model's parameters, network, every citizen, servant
    and provider attribute, the councils' state, the last ledger and the state of each of its
    random number streams. Build it right after the fast model (or at any later month) and step
    both: month by month they draw the same random numbers and, up to rounding, follow the same
    trajectory. ``outcome_table()`` has the fast model's columns.
    """

    def __init__(self, source: CoauthorModel):
        super().__init__(seed=source.seed)
        self.p = source.p
        self.steps = source.steps
        # Our own Generators, one per purpose, each in the exact state of the fast model's.
        self.streams = {name: _copy_generator(gen) for name, gen in source.streams.items()}

        c, s, pr, gov = source.citizens, source.servants, source.providers, source.local
        self.n = c.n
        self.places = [
            Neighbourhood(h, float(pop), float(share), float(prio))
            for h, (pop, share, prio) in enumerate(
                zip(source.population, source.formula_share, gov.priorities, strict=True)
            )
        ]
        self.council = Council(
            gov.fragmentation, gov.budget, gov.ring_fenced_until, gov.voice_share_most_deprived
        )
        if gov.allocation is not None:
            self.council.allocation = gov.allocation.tolist()
        for name in ("reserve", "bond_capital", "bond_instalment", "instalments_left",
                     "year_need", "income_centre", "income_investors"):  # fmt: skip
            setattr(self.council, name, getattr(gov, name))
        self.start_log = [list(row) for row in source._start_log.tolist()]
        self.started = [0, 0]
        self.working = 1.0
        self.spendable = source._spendable
        self.intervention_months = source.central.intervention_months
        self.watched_crisis_rate = source.central.watched_crisis_rate
        self.initial_fragmentation = self.p.initial_fragmentation

        self.grid = Network(source.network, capacity=1, random=self.random)
        cell_of = {cell.coordinate: cell for cell in self.grid.all_cells}
        columns = {name: getattr(c, name).tolist() for name in CITIZEN_FIELDS}
        columns["voice_log"] = c.voice_log.T.tolist()  # one list of 12 months per citizen
        for i in range(c.n):
            state = {name: columns[name][i] for name in CITIZEN_FIELDS}
            ReferenceCitizen(self, cell_of[i], self.places[state["neighbourhood"]], state)
        self.citizens = self.agents_by_type[ReferenceCitizen]

        servant_columns = {name: getattr(s, name).tolist() for name in SERVANT_FIELDS}
        self.servants = []
        for j in range(s.n):
            state = {name: servant_columns[name][j] for name in SERVANT_FIELDS}
            state["effort"] = [0.0, 0.0, 0.0, 0.0]
            self.servants.append(ReferenceServant(self, self.places[state["neighbourhood"]], state))

        provider_columns = {name: getattr(pr, name).tolist() for name in PROVIDER_FIELDS}
        self.providers = [
            ReferenceProvider(self, {name: provider_columns[name][k] for name in PROVIDER_FIELDS})
            for k in range(pr.n)
        ]
        for kind in (PREVENTATIVE, RESPONSIVE):
            for h, k in enumerate(pr.serves[kind].tolist()):
                self.places[h].providers.append(self.providers[k])

        self.ledger = MonthLedger(source.ledger.available, source.ledger.carried_in)
        self.ledger.spent = source.ledger.spent
        self.ledger.committed = source.ledger.committed
        self.ledger.returned = source.ledger.returned
        self.ledger.by_kind = dict(source.ledger.by_kind)
        self.ledger.by_sector = [float(x) for x in source.ledger.by_sector]

        self.outcomes = self.measure(self.steps)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(_read_outcome, name) for name in OUTCOME_NAMES}
        )
        self.datacollector.collect(self)

    # ------------------------------------------------------------------------------------------
    def step(self) -> None:
        """One month, in the order of ``CoauthorModel.step``."""
        p, council, places, citizens = self.p, self.council, self.places, self.citizens
        month, n = self.steps, self.n
        events = self.streams["events"]
        draws = events.random((N_UNIFORM, n))
        normal = events.standard_normal(n)
        government_draw = events.random()
        for citizen, column, z in zip(citizens, draws.T.tolist(), normal.tolist(), strict=True):
            citizen.draws = column
            citizen.normal_draw = z
        for place in places:
            place.new_month()

        # 1. Budget: grant (and rescue money in an intervention), pooled money, the reserve,
        #    fixed costs; the council plans to spend its income and a twelfth of its reserve.
        ring_fenced = month <= council.ring_fenced_until
        local_control = p.local_control * (RING_FENCED_CONTROL if ring_fenced else 1.0)
        factor = 1.0 + p.budget_shock if month >= p.shock_step else 1.0
        grant = max(p.grant_per_citizen * n * factor, 0.0)
        rescue = p.rescue_funding * grant if ring_fenced else 0.0
        external = p.pooled_budget * grant
        council.bond_capital += external
        income = grant + rescue + external
        council.income_centre, council.income_investors = grant + rescue, external
        ledger = MonthLedger(income + council.reserve, council.reserve)
        ledger.pay("finance", [(PRIVATE, external * p.pooled_finance_cost)])
        if council.instalments_left > 0:
            ledger.pay("repayment", [(PRIVATE, council.bond_instalment)])
            council.instalments_left -= 1
        if month <= RESTRUCTURING_MONTHS:
            today = defaults()
            moved = sum(abs(p[name] - today[name]) for name in RESTRUCTURING_LEVERS)
            bill = p.transition_cost * n * moved / RESTRUCTURING_MONTHS
            if bill > 0:
                ledger.pay("transition", [(PUBLIC, bill)])
        ledger.pay("servants", [(servant.sector, p.servant_cost) for servant in self.servants])
        training = len(self.servants) * p.training_cost * p.servant_training
        ledger.pay("training", [(PUBLIC, training)])
        if p.connective_cost * p.connective_government > 0:
            ledger.pay("connective", [(PUBLIC, n * p.connective_cost * p.connective_government)])
        council.budget = ledger.available
        spendable = income + RESERVE_SPEND_RATE * council.reserve
        self.started = [0, 0]

        # 2. Need and crises; the acute response is the NHS's: the centre pays it on top.
        citizens.do("live_a_month")
        n_crises = sum(1 for citizen in citizens if citizen.crisis)
        bill = n_crises * p.crisis_cost
        ledger.available += bill
        council.income_centre += bill
        spendable += bill
        ledger.pay("crisis", [(PUBLIC, bill)])
        citizens.do("get_acute_response", 1.0)
        self.watched_crisis_rate = (
            1.0 - CRISIS_WATCH
        ) * self.watched_crisis_rate + CRISIS_WATCH * n_crises / n
        if (
            self.watched_crisis_rate > p.intervention_trigger
            and government_draw < p.central_intervention
        ):
            council.ring_fenced_until = month + self.intervention_months

        # 3. Servants: training, architects cut fragmentation, storytellers reach citizens.
        self.working = max(
            1.0
            - p.servant_training * p.training_time
            - p.deliberation_inclusion * p.deliberation_staff_time,
            0.0,
        )
        for servant in self.servants:
            if p.servant_training > 0:
                servant.train()
            servant.report_effort()
        architects = sum(servant.effort[ARCHITECT] for servant in self.servants)
        density = architects / (n / 1000.0)
        frag = council.fragmentation
        cut = min(p.architect_effect * density, 1.0) * frag
        drift = SILO_DRIFT * (1.0 - local_control) * (self.initial_fragmentation - frag)
        council.fragmentation = _clip01(frag - cut + drift)
        for place in places:
            story = place.effort[STORYTELLER] * p.storyteller_reach
            place.story_reach = min(1.0, story / max(place.population, 1))
        citizens.do("hear_story")

        # 4. Voice, the council's priorities, and how money is shared between places.
        citizens.do("consider_speaking")
        mean_propensity = sum(citizen.propensity for citizen in citizens) / n
        citizens.do("weigh_voice", mean_propensity)
        weights = [citizen.voice_weight for citizen in citizens]
        total_weight = sum(weights)
        council.voice_share_most_deprived = 0.0
        if total_weight > 0:
            deprived = sum(
                c.voice_weight for c in citizens if c.deprivation_quintile == MOST_DEPRIVED
            )
            council.voice_share_most_deprived = deprived / total_weight
        voiced = sum(place.voiced_need for place in places)
        measured = p.connective_government
        if voiced > 0 or measured > 0:
            actual = [0.0] * len(places)
            for citizen in citizens:
                actual[citizen.place.index] += citizen.need
            all_need = sum(actual)
            for place in places:
                heard = place.voiced_need / voiced if voiced > 0 else place.priority
                if measured > 0 and all_need > 0:
                    heard = (1.0 - measured) * heard + measured * actual[place.index] / all_need
                place.priority = PRIORITY_MEMORY * place.priority + (1.0 - PRIORITY_MEMORY) * heard
        speakers = [w for w in weights if w > 0]
        mean_weight = sum(speakers) / len(speakers) if speakers else 0.0
        citizens.do("learn_if_heard", mean_weight, local_control)
        steered = local_control * p.local_priority_setting
        for place in places:
            place.share = (1.0 - steered) * place.formula_share + steered * place.priority
        council.allocation = [place.share for place in places]

        # 5. Money for community action; capacity building.
        community = ledger.pay("community_action", [(COMMUNITY, spendable * p.community_resources)])
        for place in places:
            per_head = community * place.share / place.population
            place.community_level = per_head / (per_head + COMMUNITY_HALF_SATURATION)
        if p.capacity_building > 0:
            building = ledger.pay("capacity_building", [(PUBLIC, spendable * p.capacity_building)])
            for place in places:
                per_head = building * place.share / place.population
                place.building_level = per_head / (per_head + COMMUNITY_HALF_SATURATION)
            citizens.do("attend_capacity_building")

        # 6. Ties: every citizen offers help, then looks at what its neighbours bring.
        for place in places:
            weave = place.effort[WEAVER] / max(place.population / 100.0, 1e-12)
            boost = p.weaver_effect * weave / (1.0 + weave)
            place.help_boost = boost + p.community_help_effect * place.community_level
        citizens.do("offer_help")
        citizens.do("look_at_ties")

        # 7. Navigators, then formal support rationed place by place.
        citizens.do("ask_for_navigation")
        for place in places:
            guide = place.effort[NAVIGATOR] * p.navigator_caseload
            people = place.residents
            wants = [1.0 if c.nav_priority > 0 else 0.0 for c in people]
            weights = [w * c.nav_priority for w, c in zip(wants, people, strict=True)]
            for c, chance in zip(people, water_fill(weights, wants, guide), strict=True):
                c.nav_chance = chance
        citizens.do("look_for_support")
        for servant in self.servants:
            servant.count_caseload()

        provider_money = min(ledger.remaining, max(spendable - ledger.spent, 0.0))
        outcome_paid = sum(1 for pv in self.providers if pv.outcome_contract)
        if p.outcome_contract_overhead > 0 and outcome_paid:
            share = outcome_paid / len(self.providers)
            overhead = provider_money * p.outcome_contract_overhead * share
            provider_money -= ledger.pay("contract_management", [(PUBLIC, overhead)])
        lost = (1.0 - council.fragmentation) * (
            1.0 - p.intervention_disruption if ring_fenced else 1.0
        )
        kind_money = (
            provider_money * p.prevention_share,
            provider_money * (1.0 - p.prevention_share),
        )
        for provider in self.providers:
            provider.prepare()
        for kind in (PREVENTATIVE, RESPONSIVE):
            for place in places:
                place.asked = 0.0
                place.got = 0.0
            citizens.do("ask_provider", kind)
            from_provider = []
            for place in places:
                provider = place.providers[kind]
                money = kind_money[kind] * place.share
                units = money / provider.month_unit_cost * provider.running
                extra = place.casework if kind == RESPONSIVE else 0.0
                supply = (units + extra) * lost
                people = place.residents
                shares = water_fill([c.weighted for c in people], [c.asked for c in people],
                                    supply)  # fmt: skip
                for c, allotted in zip(people, shares, strict=True):
                    c.allotted = allotted
                provider.allocated += money
                from_provider.append(units / (units + extra) if units > 0 else 0.0)
            citizens.do("receive_support", kind)
            for place, own_share in zip(places, from_provider, strict=True):
                place.providers[kind].delivered += place.got * own_share
        citizens.do("coproduce")
        for kind, label in ((PREVENTATIVE, "preventative"), (RESPONSIVE, "responsive")):
            of_kind = [pv for pv in self.providers if pv.kind == kind]
            bills = [(pv.sector, pv.invoice(council.fragmentation)) for pv in of_kind]
            ledger.pay(label, bills, sum(pv.allocated for pv in of_kind))

        # 8-10. Informal help, engagement, well-being, capacity and control.
        citizens.do("end_month")
        self.start_log[month % VOICE_MONTHS] = list(self.started)

        # 11. Review of providers and learning.
        if month % REVIEW_INTERVAL == 0:
            self.review_providers()

        # Carry unspent money; yearly settlement of the reserve and of pooled money.
        council.reserve = ledger.carried_over
        council.year_need += sum(c.need for c in citizens) / n
        if month % SETTLEMENT_INTERVAL == 0:
            cap = RESERVE_CAP_MONTHS * max(income, 0.0)
            kept = min(max(council.reserve, 0.0), cap)
            ledger.returned = max(council.reserve - kept, 0.0)
            council.reserve = kept
            if council.bond_capital > 0:  # pooled money: its counterfactual twin is not
                raise NotImplementedError("the reference does not mirror the bond's twin")
            council.bond_capital = 0.0
            council.year_need = 0.0

        # 12. Outcomes.
        self.ledger = ledger
        self.outcomes = self.measure(month)
        self.datacollector.collect(self)
        if month >= p.steps:
            self.running = False

    def review_providers(self) -> None:
        """Measure every provider; with chance ``learning`` per kind, replace the worst seen."""
        rng = self.streams["reviews"]
        for provider, z in zip(
            self.providers, rng.standard_normal(len(self.providers)).tolist(), strict=True
        ):
            provider.be_measured(z)
        for kind in (PREVENTATIVE, RESPONSIVE):
            if rng.random() < self.p.learning:
                of_kind = [pv for pv in self.providers if pv.kind == kind]
                worst = min(of_kind, key=lambda pv: pv.track_record)
                worst.be_replaced(rng)
        outcome_paid = [pv for pv in self.providers if pv.outcome_contract]
        if self.p.provider_exit_rate > 0 and outcome_paid:
            draws = rng.random(len(self.providers)).tolist()
            for provider, u in zip(self.providers, draws, strict=True):
                losing = provider.year_paid < EXIT_REVENUE_SHARE * provider.year_allocated
                if provider.outcome_contract and losing and u < self.p.provider_exit_rate:
                    provider.be_replaced(rng)
        for provider in self.providers:
            provider.year_allocated = 0.0
            provider.year_paid = 0.0

    # ------------------------------------------------------------------------------------------
    def measure(self, month: int) -> dict[str, float]:
        """The month's outcomes: ``compute_outcomes`` on the citizens' attributes gathered into
        arrays (only the dynamics need to be per agent; the definitions of the outcomes are
        shared, so the two models report exactly the same things)."""
        council = self.council
        return compute_outcomes(
            GatheredCitizens(self.citizens),
            self.ledger,
            month,
            council.fragmentation,
            council.voice_share_most_deprived,
            sum(row[0] for row in self.start_log),
            sum(row[1] for row in self.start_log),
            need_line=self.p.seek_threshold,
            coproduction_hours=self.p.coproduction_time,
            flows={
                "income_centre": council.income_centre,
                "income_investors": council.income_investors,
                "bond_liability": council.bond_instalment * council.instalments_left,
            },
        )

    def run(self, steps: int) -> None:
        """Run ``steps`` months."""
        for _ in range(steps):
            self.step()

    def outcome_table(self) -> pd.DataFrame:
        """One row per month (the first is the state copied at construction)."""
        table = self.datacollector.get_model_vars_dataframe()
        table.index = pd.RangeIndex(len(table), name="month")
        return table

    # ------------------------------------------------------------------------------------------
    def citizen_arrays(self) -> dict[str, np.ndarray]:
        """Citizens' attributes gathered into arrays named as in ``CitizenState``."""
        gathered = GatheredCitizens(self.citizens)
        return {name: getattr(gathered, name) for name in CITIZEN_FIELDS}

    def servant_arrays(self) -> dict[str, np.ndarray]:
        """Servants' attributes gathered into arrays named as in ``ServantState``."""
        return {
            name: np.array([getattr(s, name) for s in self.servants]) for name in SERVANT_FIELDS
        }

    def provider_arrays(self) -> dict[str, np.ndarray]:
        """Providers' attributes gathered into arrays named as in ``ProviderState``."""
        return {
            name: np.array([getattr(pv, name) for pv in self.providers]) for name in PROVIDER_FIELDS
        }
