"""CoauthorModel: parameters -> state -> the monthly order of mechanisms -> outcomes.

``step`` reads as the ODD process overview (docs/ODD.md, section 3): one block per submodel,
each calling the pure functions of ``coauthor_sim.mechanisms`` on whole arrays.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import mesa
import numpy as np
import pandas as pd

from .agents import Citizen, Provider, PublicServant
from .mechanisms import engagement, governance, need, providers, servants, support, wellbeing
from .network import adjacency, build_network, neighbourhood_sizes
from .outcomes import MOST_DEPRIVED, OUTCOME_NAMES, compute_outcomes
from .params import Parameters, resolve
from .state import (
    VOICE_MONTHS,
    CentralGovernment,
    Ledger,
    LocalGovernment,
    draw_provider,
    init_citizens,
    init_providers,
    init_servants,
)

PUBLIC, PRIVATE, THIRD, COMMUNITY = range(4)
PREVENTATIVE, RESPONSIVE = 0, 1
NAVIGATOR, WEAVER, STORYTELLER, ARCHITECT = range(4)
N_UNIFORM = 7  # uniform draws per citizen per month, taken as one block (see step)
STREAMS = ("network", "citizens", "servants", "providers", "events", "reviews")


def _read_outcome(name: str, model: CoauthorModel) -> float:
    """DataCollector reporter: one outcome of the month (used through a picklable partial)."""
    return model.outcomes[name]


class CoauthorModel(mesa.Model):
    """Citizens, public servants, providers and governments on a social network.

    ``CoauthorModel()`` alone is the uncalibrated schema default: for the calibrated status
    quo use ``CoauthorModel.from_scenario("status_quo", seed=...)``.

    Every parameter of ``coauthor_sim.params`` may be given as a keyword argument; all have
    defaults. Bad values raise ``ParameterError`` (a ``ValueError``) before anything is built.
    All randomness comes from ``seed``: Mesa's ``self.rng`` seeds one independent numpy stream
    per purpose (network, citizens, servants, providers, monthly events, reviews), so the same
    seed gives the same outcome table, bit for bit, in any process; and two scenarios run with
    the same seed share their citizens and monthly draws even when a lever changes how many
    draws another purpose takes (common random numbers).
    """

    def __init__(self, seed: int | None = None, **params: Any):
        p = resolve(params)
        super().__init__(seed=seed)
        self.p: Parameters = p
        self.seed = seed

        streams = np.random.SeedSequence(int(self.rng.integers(2**63))).spawn(len(STREAMS))
        self.streams = dict(zip(STREAMS, map(np.random.default_rng, streams), strict=True))
        sizes = neighbourhood_sizes(p.n_citizens, p.n_neighbourhoods)
        self.n_hood = len(sizes)
        self.network = build_network(
            p.network_kind,
            sizes,
            p.mean_degree,
            p.rewiring_prob,
            p.bridging_share,
            seed=int(self.streams["network"].integers(2**31 - 1)),
        )
        self.adjacency = adjacency(self.network)
        degree = np.asarray(self.adjacency.sum(axis=1)).ravel()
        self.citizens, self.deprivation = init_citizens(p, self.streams["citizens"], sizes, degree)
        self.servants = init_servants(p, self.streams["servants"], self.n_hood)
        self.providers = init_providers(p, self.streams["providers"], self.n_hood)

        c = self.citizens
        self.population = np.bincount(c.neighbourhood, minlength=self.n_hood).astype(float)
        self.population_share = self.population / c.n
        self.formula_share = governance.formula_shares(self.population, self.deprivation)
        self._most_deprived = c.deprivation_quintile == MOST_DEPRIVED
        self._age_need = need.AGE_NEED_FACTOR[c.age_group]
        self._tie_columns = np.empty((c.n, 3))  # reused each month for the one product
        # Which provider of each kind serves each citizen (providers are replaced in place).
        self._provider_of = self.providers.serves[:, c.neighbourhood]
        self._wb_weights = {
            "base": p.wellbeing_base,
            "need": p.wellbeing_need_weight,
            "ties": p.wellbeing_ties_weight,
            "control": p.wellbeing_control_weight,
            "context": p.wellbeing_context_weight,
            "capacity": p.wellbeing_capacity_weight,
            "engagement": p.wellbeing_engagement_weight,
        }
        self.central = CentralGovernment()
        self.local = LocalGovernment(
            priorities=self.formula_share.copy(), fragmentation=p.initial_fragmentation
        )

        # Derived initial state: connectedness from ties, well-being at its target.
        c.connectedness = wellbeing.connectedness_from_ties(
            self.adjacency @ (c.capacity * (1.0 + c.engaged)), p.ties_half_saturation
        )
        target = wellbeing.wellbeing_target(
            c.need, c.connectedness, c.control, c.context, c.capacity, c.engaged,
            c.burden, c.disposition, self._wb_weights,
        )  # fmt: skip
        c.wellbeing = np.clip(
            target + p.wellbeing_noise * self.streams["citizens"].standard_normal(c.n), 0, 1
        )

        # A year of voice history, so "voiced in the last 12 months" is right from month 1.
        propensity = governance.voice_propensity(
            c.control, c.capacity, c.engaged, p.voice_rate, p.engaged_voice_boost
        )
        c.voice_log = self.streams["citizens"].random((VOICE_MONTHS, c.n)) < propensity

        self.citizen_agents = [Citizen(self, i) for i in range(c.n)]
        self.servant_agents = [PublicServant(self, j) for j in range(self.servants.n)]
        self.provider_agents = [Provider(self, k) for k in range(self.providers.n)]

        self.ledger = Ledger(available=0.0)
        self.outcomes = compute_outcomes(c, self.ledger, 0, self.local.fragmentation, 0.0)
        agent_reporters = (
            {"wellbeing": "wellbeing", "need": "need", "engaged": "engaged"}
            if p.collect_agents
            else None
        )
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(_read_outcome, name) for name in OUTCOME_NAMES},
            agenttype_reporters={Citizen: agent_reporters} if agent_reporters else None,
        )
        self.datacollector.collect(self)

    # ------------------------------------------------------------------------------------
    def step(self) -> None:
        """One month. Mesa has already advanced ``self.steps``, which is the month number."""
        p, c, s, pr, gov = self.p, self.citizens, self.servants, self.providers, self.local
        month, n, n_hood, hood = self.steps, c.n, self.n_hood, c.neighbourhood
        events = self.streams["events"]
        u = events.random((N_UNIFORM, n))
        normal = events.standard_normal(n)
        government_draw = events.random()

        # 1. Budget: central grant, pooled external money, fixed costs.
        ring_fenced = month <= gov.ring_fenced_until
        local_control = governance.effective_local_control(p.local_control, ring_fenced)
        grant = governance.central_grant(
            p.grant_per_citizen, n, p.budget_shock, month, p.shock_step
        )
        external = p.pooled_budget * grant
        ledger = Ledger(available=grant + external)
        ledger.pay("finance", PRIVATE, external * p.pooled_finance_cost)
        ledger.pay("servants", s.sector, np.full(s.n, p.servant_cost))
        ledger.pay("training", PUBLIC, s.n * p.training_cost * p.servant_training)
        gov.budget = ledger.available

        # 2. Need: accrual, self-help, crises (the acute response is statutory: paid first).
        c.need = need.accrue_need(
            c.need, c.context, c.prevention, self._age_need, p.need_growth,
            p.deprivation_need_gradient, p.prevention_effect, u[0],
        )  # fmt: skip
        c.need = need.self_help(c.need, c.capacity, p.self_help_rate)
        c.crisis = need.detect_crises(c.need, p.crisis_threshold, p.crisis_prob, u[1])
        n_crises = int(c.crisis.sum())
        crisis_bill = n_crises * p.crisis_cost
        paid = ledger.pay("crisis", PUBLIC, crisis_bill)
        funded = paid / crisis_bill if crisis_bill > 0 else 1.0
        c.need = need.respond_to_crises(c.need, c.crisis, funded, p.crisis_relief)
        centre = self.central
        centre.watched_crisis_rate = governance.watched_crisis_rate(
            centre.watched_crisis_rate, n_crises / n
        )
        if governance.should_intervene(
            centre.watched_crisis_rate, p.intervention_trigger, p.central_intervention,
            government_draw,
        ):  # fmt: skip
            gov.ring_fenced_until = month + self.central.intervention_months

        # 3. Servants: training, architect and storyteller.
        if p.servant_training > 0:
            s.skills = servants.train(s.skills, p.servant_training)
        effort = servants.role_effort(s.role_time, s.skills)
        per_hood = servants.by_neighbourhood(effort, s.coverage)  # (role, neighbourhood)
        gov.fragmentation = servants.architect(
            gov.fragmentation, float(effort[:, ARCHITECT].sum()), n, p.architect_effect,
            p.initial_fragmentation, local_control,
        )  # fmt: skip
        if per_hood[STORYTELLER].any():
            reach = servants.storytelling_reach(
                per_hood[STORYTELLER], self.population, p.storyteller_reach
            )
            c.willingness, c.capacity = servants.tell_stories(
                c.willingness, c.capacity, u[2] < reach[hood], p.storyteller_effect
            )

        # 4. Voice and priorities (deliberation), and how money is shared between places.
        propensity = governance.voice_propensity(
            c.control, c.capacity, c.engaged, p.voice_rate, p.engaged_voice_boost
        )
        voiced = u[3] < propensity
        c.voice_log[month % VOICE_MONTHS] = voiced
        weights = governance.voice_weights(voiced, propensity, p.deliberation_inclusion)
        total_weight = weights.sum()
        gov.voice_share_most_deprived = (
            float(weights[self._most_deprived].sum() / total_weight) if total_weight > 0 else 0.0
        )
        gov.priorities = governance.update_priorities(gov.priorities, weights, c.need, hood)
        heard = governance.voice_heard(weights, local_control, p.local_priority_setting)
        shares = gov.allocation = governance.allocation_shares(
            self.formula_share, gov.priorities, local_control, p.local_priority_setting
        )

        # 5. Dedicated resources for citizen and community action; capacity building.
        community_money = ledger.pay(
            "community_action", COMMUNITY, ledger.available * p.community_resources
        )
        level = engagement.community_level(community_money * shares / self.population)
        if p.capacity_building > 0:
            building_money = ledger.pay(
                "capacity_building", PUBLIC, ledger.available * p.capacity_building
            )
            building = engagement.community_level(building_money * shares / self.population)
            c.capacity_base = wellbeing.build_capacity(
                c.capacity_base, building[hood], p.capacity_building_effect
            )

        # 6. Ties: connectedness, exposure to engaged neighbours, help given (one product).
        boost = servants.weaving_boost(per_hood[WEAVER], self.population, p.weaver_effect)
        give = support.help_given(
            c.engaged, c.capacity, c.degree, p.informal_give_rate, (boost + level)[hood]
        )
        columns = self._tie_columns
        np.multiply(c.capacity, 1.0 + c.engaged, out=columns[:, 0])
        columns[:, 1] = c.engaged
        columns[:, 2] = give
        ties = self.adjacency @ columns
        c.connectedness = wellbeing.connectedness_from_ties(ties[:, 0], p.ties_half_saturation)
        exposure = engagement.exposure_from_counts(ties[:, 1], c.degree, fractional=True)

        # 7. Navigator, then formal support: commissioning, rationing, co-production.
        seeking = c.need > p.seek_threshold
        priority = np.where(seeking, c.need * (1.0 - c.connectedness), 0.0)
        c.navigated = servants.navigate(
            priority, hood, per_hood[NAVIGATOR] * p.navigator_caseload, u[4]
        )
        # Each servant's caseload: its share of the navigator effort in each place it covers.
        navigated_per_effort = np.divide(
            np.bincount(hood, c.navigated, minlength=n_hood), per_hood[NAVIGATOR],
            out=np.zeros(n_hood), where=per_hood[NAVIGATOR] > 0,
        )  # fmt: skip
        s.caseload = effort[:, NAVIGATOR] * (s.coverage @ navigated_per_effort)
        access = support.access_probability(
            c.connectedness, c.navigated, p.access_base, p.navigator_effect
        )
        demand = support.seek_support(c.need, access, p.seek_threshold, u[5])

        provider_money = ledger.remaining
        kind_money = (
            provider_money * p.prevention_share,
            provider_money * (1.0 - p.prevention_share),
        )
        unit_cost = pr.unit_cost * (1.0 - p.coproduction_saving * p.co_production)
        multiplier = support.coproduction_multiplier(
            c.capacity, p.co_production, p.coproduction_effect
        )
        efficacy = pr.effectiveness * (1.0 + p.outcome_contract_effort * pr.outcome_contract)
        casework = servants.by_neighbourhood(
            servants.casework_units(s.role_time, s.skills, p.casework_units), s.coverage
        )
        allocated = np.zeros(pr.n)
        delivered = np.zeros(pr.n)
        received = []
        for kind in (PREVENTATIVE, RESPONSIVE):
            serving = pr.serves[kind]
            money_h = kind_money[kind] * shares
            provider_units = money_h / unit_cost[serving]
            extra = casework if kind == RESPONSIVE else 0.0
            supply = (provider_units + extra) * (1.0 - gov.fragmentation)
            who = self._provider_of[kind]
            if kind == PREVENTATIVE:
                asked = support.prevention_outreach(c.need, c.prevention, p.seek_threshold)
                rank = c.need
            else:
                asked = demand
                rank = support.outcome_priority(c.need, pr.outcome_contract[who], p.cream_skimming)
            got = support.ration(asked, rank, hood, supply)
            received.append(got)
            allocated += np.bincount(serving, money_h, minlength=pr.n)
            from_provider = np.divide(
                provider_units, provider_units + extra, out=np.zeros(n_hood),
                where=provider_units > 0,
            )  # fmt: skip
            got_h = np.bincount(hood, got, minlength=n_hood)
            delivered += np.bincount(serving, got_h * from_provider, minlength=pr.n)
            if kind == PREVENTATIVE:
                c.prevention = support.build_prevention(
                    c.prevention, got, efficacy[who] * multiplier
                )
            else:
                c.need = c.need - np.minimum(c.need, got * efficacy[who] * multiplier)
        c.support = received[RESPONSIVE]
        c.contribution, c.burden = support.coproduction_effort(
            received[PREVENTATIVE] + received[RESPONSIVE], c.capacity, p.co_production,
            p.coproduction_burden,
        )  # fmt: skip
        # Capacity used includes what fragmentation wasted on the way to citizens.
        used_cost = delivered * unit_cost / max(1.0 - gov.fragmentation, 1e-12)
        payments = providers.provider_payments(allocated, used_cost, pr.outcome_contract)
        for kind, label in ((PREVENTATIVE, "preventative"), (RESPONSIVE, "responsive")):
            mask = pr.kind == kind
            ledger.pay(label, pr.sector[mask], payments[mask])
        pr.delivered, pr.paid = delivered, payments

        # 8. Informal support through ties.
        c.informal = support.informal_support(ties[:, 2], c.need, p.tie_support_effect)
        c.need = c.need - c.informal

        # 9. Engagement: threshold rule over the network.
        threshold = engagement.engagement_thresholds(
            c.willingness, level[hood], p.threshold_scale, p.community_action_effect
        )
        c.engaged = engagement.update_engagement(
            c.engaged, exposure, threshold, c.capacity - c.need, c.willingness,
            p.engagement_capacity_floor, p.spontaneous_rate, p.dropout_rate, u[6],
        )  # fmt: skip

        # 10. Well-being, capacity, control and willingness respond.
        target = wellbeing.wellbeing_target(
            c.need, c.connectedness, c.control, c.context, c.capacity, c.engaged, c.burden,
            c.disposition, self._wb_weights,
        )  # fmt: skip
        c.wellbeing = wellbeing.update_wellbeing(
            c.wellbeing, target, c.crisis, p.wellbeing_adjustment, p.crisis_wellbeing_loss,
            p.wellbeing_noise * normal,
        )  # fmt: skip
        c.capacity = wellbeing.update_capacity(
            c.capacity, c.capacity_base, c.engaged, c.contribution, c.need, c.crisis
        )
        c.control = wellbeing.update_control(c.control, c.control_base, heard)
        c.last_engaged[c.engaged] = month
        c.willingness = wellbeing.update_willingness(c.willingness, c.willingness_base)

        # 11. Review of providers and learning.
        if month % providers.REVIEW_INTERVAL == 0:
            self._review_providers()

        # 12. Outcomes.
        self.ledger = ledger
        self.outcomes = compute_outcomes(
            c, ledger, month, gov.fragmentation, gov.voice_share_most_deprived
        )
        self.datacollector.collect(self)
        if month >= p.steps:
            self.running = False

    def _review_providers(self) -> None:
        """Local government measures every provider (with error that shrinks with feedback from
        users) and, with chance ``learning`` per kind, replaces the worst one it sees."""
        p, pr, rng = self.p, self.providers, self.streams["reviews"]
        pr.track_record = providers.measured_performance(
            pr.effectiveness,
            pr.unit_cost,
            p.connective_government,
            rng.standard_normal(pr.n),
        )
        for kind in (PREVENTATIVE, RESPONSIVE):
            if rng.random() < p.learning:
                j = providers.worst_of_kind(pr.track_record, pr.kind, kind)
                pr.sector[j], pr.unit_cost[j], pr.effectiveness[j] = draw_provider(p, rng, kind)

    # ------------------------------------------------------------------------------------
    def run(self, steps: int | None = None) -> pd.DataFrame:
        """Run ``steps`` months (default: the ``steps`` parameter) and return the outcomes."""
        for _ in range(self.p.steps if steps is None else steps):
            self.step()
        return self.outcome_table()

    def outcome_table(self) -> pd.DataFrame:
        """One row per month (0 = initial state), one column per outcome."""
        table = self.datacollector.get_model_vars_dataframe()
        table.index = pd.RangeIndex(len(table), name="month")
        return table

    @classmethod
    def from_scenario(
        cls, name_or_path: str, seed: int | None = None, **overrides: Any
    ) -> CoauthorModel:
        """A model of a scenario (a name such as ``"status_quo"`` or a .toml path), with
        ``overrides`` applied; bad values raise ``ScenarioError`` naming the file and key."""
        from .api import scenario_parameters  # reading files stays outside the core

        return cls(seed=seed, **scenario_parameters(name_or_path, **overrides))
