"""CoauthorModel: parameters -> state -> the monthly order of mechanisms -> outcomes.

``step`` reads as the ODD process overview (docs/ODD.md, section 3): one block per submodel,
each calling the pure functions of ``coauthor_sim.mechanisms`` on whole arrays.
"""

from __future__ import annotations

import warnings
from functools import partial
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from .agents import Citizen, Provider, PublicServant
from .groups import GroupSums
from .localities import layout_for
from .mechanisms import engagement, governance, need, providers, servants, support, wellbeing
from .network import (
    adjacency,
    adjacency_from_ties,
    block_ties,
    build_network,
    evolve_ties,
    neighbourhood_sizes,
    tie_counter,
    tie_list,
)
from .outcomes import MOST_DEPRIVED, OUTCOME_NAMES, compute_outcomes
from .params import SPECS, Parameters, defaults, parse_paths, resolve
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
N_UNIFORM = 8  # uniform draws per citizen per month, taken as one block (see step)
# One random stream per purpose; a new purpose is added at the end, so the streams before it
# (children of one SeedSequence, by index) stay as they were.
STREAMS = ("network", "citizens", "servants", "providers", "events", "reviews", "council", "ties",
           "economy")  # fmt: skip
TIE_INTERVAL = 12  # months between changes of the network (ties made and faded)


def _read_outcome(name: str, model: CoauthorModel) -> float:
    """DataCollector reporter: one outcome of the month (used through a picklable partial)."""
    return model.outcomes[name]


def _complete(params: dict[str, Any]) -> Parameters:
    """Every parameter: those given, the rest from the calibrated status quo (read through
    ``api.calibrated_parameters`` on first need, so the model itself reads no file)."""
    if params.keys() >= SPECS.keys():
        return resolve(params)
    from .api import calibrated_parameters

    return resolve({**calibrated_parameters(), **params})


_unseeded_warned = False


def _warn_unseeded() -> None:
    """Say once per process that a model without a seed cannot be run again identically."""
    global _unseeded_warned
    if not _unseeded_warned:
        _unseeded_warned = True
        warnings.warn(
            "CoauthorModel without a seed: its runs cannot be repeated. Pass seed=... (with "
            'mesa.batch_run, put "seed": [1, 2, ...] among the parameters)',
            UserWarning, stacklevel=3,
        )  # fmt: skip


def wellbeing_weights(p: Parameters) -> dict[str, float]:
    """The weights of the well-being target (``wellbeing.wellbeing_target``) from parameters."""
    return {
        "base": p.wellbeing_base,
        "need": p.wellbeing_need_weight,
        "ties": p.wellbeing_ties_weight,
        "control": p.wellbeing_control_weight,
        "context": p.wellbeing_context_weight,
        "capacity": p.wellbeing_capacity_weight,
        "engagement": p.wellbeing_engagement_weight,
        "unemployment": p.unemployment_wellbeing_loss,
    }


class OutcomeCollector(mesa.DataCollector):
    """Mesa's DataCollector with a fast path for the model's outcomes.

    The model reporters are declared as usual (one picklable partial per outcome, so tables,
    validation and ``get_model_vars_dataframe`` behave as Mesa documents), but ``collect``
    appends each month's outcomes directly: they are plain Python floats, immutable, so Mesa's
    deep copy of every reported value (about 2 microseconds for each of some 70 columns, a
    sixth of a month's step at 1,000 citizens) buys nothing. Agent tables go through Mesa.
    """

    def collect(self, model: CoauthorModel) -> None:
        reporters, self.model_reporters = self.model_reporters, {}
        try:
            super().collect(model)  # agent and agent-type tables, if any
        finally:
            self.model_reporters = reporters
        outcomes = model.outcomes
        for name, column in self.model_vars.items():
            column.append(outcomes[name])

    def get_agent_vars_dataframe(self) -> pd.DataFrame:
        """The per-citizen records of a model with ``collect_agents=True`` (citizens are the
        only agents recorded), indexed by ``Step`` and ``AgentID`` as Mesa's."""
        if not self.agent_reporters and Citizen in self.agenttype_reporters:
            return self.get_agenttype_vars_dataframe(Citizen)
        if not self.agent_reporters:
            raise ValueError("no agents were recorded: make the model with collect_agents=True")
        return super().get_agent_vars_dataframe()


class CoauthorModel(mesa.Model):
    """Citizens, public servants, providers and governments on a social network.

    ``CoauthorModel(seed=1)`` is the calibrated status quo (the shipped ``status_quo``
    scenario), and ``CoauthorModel(seed=1, co_production=0.4)`` the status quo with one lever
    changed, so ``mesa.batch_run(CoauthorModel, {...})`` sweeps around the calibrated baseline.
    ``CoauthorModel.uncalibrated(...)`` starts from the schema's bare defaults instead; given
    every parameter (as sweeps do), neither is read. Without a seed the runs cannot be
    repeated: the first such model of a process warns.

    Every parameter of ``coauthor_sim.params`` may be given as a keyword argument. Bad names or
    values raise ``ParameterError`` (a ``ValueError``) before anything is built.
    All randomness comes from ``seed``: Mesa's ``self.rng`` seeds one independent numpy stream
    per purpose (network, citizens, servants, providers, monthly events, reviews), so the same
    seed gives the same outcome table, bit for bit, in any process; and two scenarios run with
    the same seed share their citizens and monthly draws even when a lever changes how many
    draws another purpose takes (common random numbers).
    """

    def __init__(self, seed: int | None = None, **params: Any):
        p = _complete(params)
        if seed is None:
            _warn_unseeded()
        layout = None
        if p.locality_table:  # the neighbourhoods of a real council (``localities``)
            layout = layout_for(p)
            p = resolve({**p, "n_citizens": int(layout.sizes.sum()),
                         "n_neighbourhoods": len(layout.sizes)})  # fmt: skip
        # Yearly paths (a scenario's [paths]): the first year's values from the start.
        self._paths = parse_paths(p.paths)
        if self._paths:
            p = resolve({**p, **self._year_values(1)})
        if seed is None:  # a fresh seed, kept: the bond's counterfactual twin needs the same
            seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 1)
        super().__init__(seed=seed)
        self.p: Parameters = p
        self.seed = seed

        streams = np.random.SeedSequence(int(self.rng.integers(2**63))).spawn(len(STREAMS))
        self.streams = dict(zip(STREAMS, map(np.random.default_rng, streams), strict=True))
        if layout is None:
            sizes = neighbourhood_sizes(p.n_citizens, p.n_neighbourhoods)
        else:
            sizes = layout.sizes
        self.n_hood = len(sizes)
        network_seed = int(self.streams["network"].integers(2**31 - 1))
        self._graph: nx.Graph | None = None  # the networkx graph, made on first use (network)
        self._ties = None  # sorted tie lists (rows < cols), made at the first tie change
        self._ones = np.ones(0)  # read-only ones lent to each adjacency as entries (_ones_for)
        if p.network_kind == "neighbourhood_blocks":  # drawn as arrays: no graph object
            self._ties = block_ties(sizes, p.mean_degree, p.bridging_share, network_seed)
            self.adjacency = adjacency_from_ties(
                *self._ties, int(sizes.sum()), self._ones_for(2 * self._ties[0].size)
            )
        else:
            self._graph = build_network(
                p.network_kind, sizes, p.mean_degree, p.rewiring_prob, p.bridging_share,
                seed=network_seed,
            )  # fmt: skip
            self.adjacency = adjacency(self._graph)
        self._hood_sizes = sizes
        self._hood_starts = np.cumsum(sizes) - sizes
        degree = np.diff(self.adjacency.indptr).astype(np.float64)
        self.citizens, self.deprivation = init_citizens(
            p, self.streams["citizens"], sizes, degree,
            *((layout.deprivation, layout.quintile) if layout is not None else ()),
            older_share=layout.older_share if layout is not None else None,
        )  # fmt: skip
        self.servants = init_servants(p, self.streams["servants"], self.n_hood)
        self.providers = init_providers(p, self.streams["providers"], self.n_hood)

        c = self.citizens
        self.population = np.bincount(c.neighbourhood, minlength=self.n_hood).astype(float)
        self.population_share = self.population / c.n
        self.formula_share = governance.formula_shares(
            self.population, self.deprivation, p.formula_deprivation_weight
        )
        self._quintile_counts = np.bincount(c.deprivation_quintile, minlength=5)  # fixed
        # Sums by neighbourhood and by fifth, as np.bincount's but faster (groups.GroupSums).
        self._sum_by_hood = GroupSums(c.neighbourhood, self.n_hood)
        self._sum_by_quintile = GroupSums(c.deprivation_quintile, 5)
        self._most_deprived = np.flatnonzero(c.deprivation_quintile == MOST_DEPRIVED)
        self._age_need = need.AGE_NEED_FACTOR[c.age_group]
        self._tie_column = np.empty(c.n)  # reused each month for the first product
        self._counter: tuple = (None, None)  # (adjacency, its tie_counter) for engaged ties
        self._uniform = np.empty((N_UNIFORM, c.n))  # the month's uniform draws (step)
        self._normal = np.empty(c.n)  # the month's normal draws (step)
        # Servants' coverage (fixed) as a sparse matrix: each covers one or a few neighbourhoods.
        self._coverage = sp.csr_array(self.servants.coverage)
        self._coverage_t = self._coverage.T  # kept: see servants.by_neighbourhood
        # Which provider of each kind serves each citizen (providers are replaced in place).
        self._provider_of = self.providers.serves[:, c.neighbourhood]
        self._wb_weights = wellbeing_weights(p)
        # Who is out of work: a fixed employability rank per citizen, from its own stream.
        c.employability = self.streams["economy"].random(c.n)
        self._working_age = np.isin(c.age_group, wellbeing.WORKING_AGE)
        self._set_unemployment()
        self.central = CentralGovernment()
        misjudgement = np.exp(
            p.council_error * self.streams["council"].standard_normal(self.n_hood)
        )
        self.local = LocalGovernment(
            priorities=self.formula_share.copy(),
            fragmentation=p.initial_fragmentation,
            misjudgement=misjudgement,
            baseline_need=float(c.need.mean()),
        )
        c.hours = engagement.hours_given(c.engaged, c.commitment)
        self._sessions = np.maximum(c.commitment, 1.0)  # commitment is fixed per citizen
        self._session_hours = engagement.SESSION_HOURS * self._sessions
        self._start_log = np.zeros((VOICE_MONTHS, 2), dtype=np.int64)  # spells started, by ties
        self._spendable = 0.0
        # One-off restructuring cost, paid over the first year (governance.restructuring).
        self._transition_bill = (
            p.transition_cost * c.n * governance.restructuring(p, defaults())
            / governance.RESTRUCTURING_MONTHS
        )  # fmt: skip
        # Pooled money is repaid only if the outcome target is met against the same world
        # without it: a counterfactual twin, same seed and parameters but no pooled money,
        # stepped in lock-step (common random numbers), as a bond's comparison group.
        self._twin: CoauthorModel | None = None
        if p.pooled_budget > 0:
            self._twin = CoauthorModel(seed=seed, **{**p, "pooled_budget": 0.0})

        # Derived initial state: connectedness from ties, well-being at its target.
        c.connectedness = wellbeing.connectedness_from_ties(
            self.adjacency @ (c.capacity * (1.0 + c.engaged)), p.ties_half_saturation
        )
        target = wellbeing.wellbeing_target(
            c.need, c.connectedness, c.control, c.context, c.capacity, c.engaged,
            c.burden, c.disposition, self._wb_weights, c.unemployed,
        )  # fmt: skip
        c.wellbeing = np.clip(
            target + p.wellbeing_noise * self.streams["citizens"].standard_normal(c.n), 0, 1
        )

        # A year of voice history, so "voiced in the last 12 months" is right from month 1.
        propensity = governance.voice_propensity(
            c.control, c.capacity, c.engaged, p.voice_rate, p.engaged_voice_boost
        )
        c.voice_log = self.streams["citizens"].random((VOICE_MONTHS, c.n)) < propensity

        self._faces: tuple[list, list, list] | None = None  # Mesa agents, made on first use

        self.ledger = Ledger(available=0.0)
        self.outcomes = compute_outcomes(
            c, self.ledger, 0, self.local.fragmentation, 0.0, need_line=p.seek_threshold,
            coproduction_hours=p.coproduction_time,
        )  # fmt: skip
        agent_reporters = (
            {"wellbeing": "wellbeing", "need": "need", "engaged": "engaged"}
            if p.collect_agents
            else None
        )
        self.datacollector = OutcomeCollector(
            model_reporters={name: partial(_read_outcome, name) for name in OUTCOME_NAMES},
            agenttype_reporters={Citizen: agent_reporters} if agent_reporters else None,
        )
        self.datacollector.collect(self)

    # ------------------------------------------------------------------------------------
    def step(self) -> None:
        """One month. Mesa has already advanced ``self.steps``, which is the month number.

        A step asked for past the horizon (``steps``) simulates nothing and stops the model
        (``running = False``): ``mesa.batch_run`` then reports every month, the last included
        (it reports months 0 to ``model.steps - 1``)."""
        if self.steps > self.p.steps:
            self.running = False
            return
        p, c, s, gov = self.p, self.citizens, self.servants, self.local
        month, n, hood = self.steps, c.n, c.neighbourhood
        if self._twin is not None:
            self._twin.step()
        if self._paths and month > 1 and (month - 1) % 12 == 0:  # a new year of the paths
            self._set_parameters(self._year_values((month - 1) // 12 + 1))
        events = self.streams["events"]
        # Drawn into buffers kept between months (the same numbers as fresh arrays, in the same
        # order): at a million citizens the 64 MB block would otherwise be mapped afresh, and
        # page-faulted, every month.
        u = events.random(out=self._uniform)
        normal = events.standard_normal(out=self._normal)
        government_draw = events.random()

        # 1. Budget: central grant (and rescue money in an intervention), pooled external money,
        #    the reserve, and the fixed costs (fees, bond repayments, servants, training, links).
        ledger, income, intervening = self._open_budget(month)
        local_control = governance.effective_local_control(p.local_control, intervening)

        # 2. Need: accrual, self-help, crises. The acute response (an emergency admission) is
        #    the NHS's: the centre pays it on top of the grant, so crises cost the locality's
        #    services nothing and their savings, when prevented, go to the centre (v3).
        c.need = need.accrue_need(
            c.need, c.context, c.prevention, self._age_need, p.need_growth,
            p.deprivation_need_gradient, p.prevention_effect, u[0],
        )  # fmt: skip
        c.need = need.self_help(c.need, c.capacity, p.self_help_rate)
        c.crisis = need.detect_crises(c.need, p.crisis_threshold, p.crisis_prob, u[1])
        n_crises = int(c.crisis.sum())
        crisis_bill = n_crises * p.crisis_cost
        ledger.available += crisis_bill
        gov.income_centre += crisis_bill
        self._spendable += crisis_bill
        ledger.pay("crisis", PUBLIC, crisis_bill)
        c.need = need.respond_to_crises(c.need, c.crisis, 1.0, p.crisis_relief)
        centre = self.central
        centre.watched_crisis_rate = governance.watched_crisis_rate(
            centre.watched_crisis_rate, n_crises / n
        )
        if governance.should_intervene(
            centre.watched_crisis_rate, p.intervention_trigger, p.central_intervention,
            government_draw,
        ):  # fmt: skip
            gov.ring_fenced_until = month + self.central.intervention_months

        # 3. Servants: training (and deliberation) take time; architect and storyteller.
        if p.servant_training > 0:
            s.skills = servants.train(s.skills, p.servant_training)
        working = servants.working_time(
            p.servant_training, p.training_time, p.deliberation_inclusion,
            p.deliberation_staff_time,
        )  # fmt: skip
        effort = servants.role_effort(s.role_time, s.skills, working)
        # (role, neighbourhood)
        per_hood = servants.by_neighbourhood(effort, self._coverage, self._coverage_t)
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

        # 4. Voice and priorities (deliberation), the entitlement floor, and how money is
        #    shared between places.
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
        gov.priorities = governance.update_priorities(
            gov.priorities, weights, c.need, hood, p.connective_government, self._sum_by_hood
        )
        if p.entitlements > 0:
            gov.entitlement_level = governance.entitlement_level(weights, c.need, p.seek_threshold)
        heard = governance.voice_heard(weights, local_control, p.local_priority_setting)
        shares = gov.allocation = governance.allocation_shares(
            self.formula_share, gov.priorities, local_control, p.local_priority_setting,
            gov.misjudgement,
        )  # fmt: skip

        # 5. Dedicated resources for citizen and community action; capacity building.
        community_money = ledger.pay(
            "community_action", COMMUNITY, self._spendable * p.community_resources
        )
        level = engagement.community_level(community_money * shares / self.population)
        if p.capacity_building > 0:
            building_money = ledger.pay(
                "capacity_building", PUBLIC, self._spendable * p.capacity_building
            )
            building = engagement.community_level(building_money * shares / self.population)
            c.capacity_base = wellbeing.build_capacity(
                c.capacity_base, building[hood], p.capacity_building_effect
            )

        # 6. Ties: connectedness, exposure to engaged neighbours, help given (one product).
        #    Weavers and community money each raise the help given and the ties made, each
        #    through its own coefficient (weaver_effect; community_help_effect and
        #    community_tie_effect, which may be negative or zero).
        boost = servants.weaving_boost(per_hood[WEAVER], self.population, p.weaver_effect)
        give = support.help_given(
            c.engaged, c.capacity, c.degree, p.informal_give_rate,
            (boost + p.community_help_effect * level)[hood], self._sessions,
        )  # fmt: skip
        # Three CSR mat-vecs on contiguous vectors: 35% faster than one product with a
        # three-column block (scipy's csr_matvecs), and bit-identical (each sum runs over a
        # row's ties in the same order). Engaged ties are counted in small integers (exact).
        resources = self.adjacency @ np.multiply(c.capacity, 1.0 + c.engaged, out=self._tie_column)
        engaged_ties = self._count_ties(c.engaged)
        help_received = self.adjacency @ give
        c.connectedness = wellbeing.connectedness_from_ties(resources, p.ties_half_saturation)
        exposure = engagement.exposure_from_counts(engaged_ties, c.degree, fractional=True)

        # 7. Navigator, then formal support: commissioning, rationing, co-production.
        self._formal_support(ledger, shares, per_hood, effort, working, intervening, u)

        # 8. Informal support through ties.
        c.informal = support.informal_support(help_received, c.need, p.tie_support_effect)
        c.need = c.need - c.informal

        # 9. Engagement: spells by the threshold rule over the network, a pause after a spell,
        #    and taking part (with hours) as often as each citizen's commitment allows.
        threshold = engagement.engagement_thresholds(
            c.willingness, level[hood], p.threshold_scale, p.community_action_effect
        )
        was = c.spell
        c.spell = engagement.update_engagement(
            was, exposure, threshold, c.capacity - c.need, c.willingness,
            p.engagement_capacity_floor, p.spontaneous_rate, p.dropout_rate, u[6],
            c.rest_until >= month,
        )  # fmt: skip
        starts = c.spell & ~was
        n_starts = np.count_nonzero(starts)
        n_by_ties = n_starts and np.count_nonzero(
            engagement.started_by_ties(starts, c.willingness, p.spontaneous_rate, u[6])
        )
        self._start_log[month % VOICE_MONTHS] = n_starts, n_by_ties
        # One draw serves the pause of those who stopped and the sessions of those in a spell
        # (disjoint groups).
        ended = was & ~c.spell
        if ended.any():
            c.rest_until = engagement.rest_after_spell(
                ended, c.rest_until, month, p.rest_months, u[7]
            )
        c.engaged = engagement.take_part(c.spell, c.commitment, u[7])
        # hours_given with its per-citizen part precomputed (> 0, so x (0 or 1) is np.where)
        c.hours = self._session_hours * c.engaged

        # 10. Well-being, capacity, control and willingness respond.
        target = wellbeing.wellbeing_target(
            c.need, c.connectedness, c.control, c.context, c.capacity, c.engaged, c.burden,
            c.disposition, self._wb_weights, c.unemployed,
        )  # fmt: skip
        c.wellbeing = wellbeing.update_wellbeing(
            c.wellbeing, target, c.crisis, p.wellbeing_adjustment, p.crisis_wellbeing_loss,
            p.wellbeing_noise * normal,
        )  # fmt: skip
        c.capacity = wellbeing.update_capacity(
            c.capacity, c.capacity_base, c.engaged, c.contribution, c.need, c.crisis,
            p.capacity_learning,
        )  # fmt: skip
        c.control = wellbeing.update_control(c.control, c.control_base, heard, p.control_from_voice)
        c.last_engaged[np.flatnonzero(c.engaged)] = month  # an index: faster than a mask
        c.willingness = wellbeing.update_willingness(c.willingness, c.willingness_base)

        # 11. Yearly: review of providers and learning; ties made and faded; settlement of
        #     the reserve and of pooled money with investors.
        if month % providers.REVIEW_INTERVAL == 0:
            self._review_providers(month)
        if month % TIE_INTERVAL == 0 and (p.tie_formation > 0 or p.tie_fade > 0):
            self._evolve_ties(month, (boost + p.community_tie_effect * level)[hood])
        self._close_budget(ledger, income, month)

        # 12. Outcomes.
        self.ledger = ledger
        self.outcomes = compute_outcomes(
            c, ledger, month, gov.fragmentation, gov.voice_share_most_deprived,
            *self._start_log.sum(axis=0).tolist(), quintile_counts=self._quintile_counts,
            sum_by_quintile=self._sum_by_quintile, need_line=p.seek_threshold,
            coproduction_hours=p.coproduction_time, flows=self._money_flows(),
        )  # fmt: skip
        self.datacollector.collect(self)

    # ------------------------------------------------------------------------------------
    def _open_budget(self, month: int) -> tuple[Ledger, float, bool]:
        """The month's money before need is met: income (central grant, rescue money while the
        centre intervenes, pooled external money) plus the reserve, less the fixed costs.

        Sets ``self._spendable``, what the council plans to spend this month: its income and
        a share RESERVE_SPEND_RATE of its reserve; the rest of the reserve stays as a buffer
        for statutory costs (crises) when income falls short. Returns the ledger, the income
        and whether central government is intervening this month."""
        p, gov, n = self.p, self.local, self.citizens.n
        intervening = month <= gov.ring_fenced_until
        grant = governance.central_grant(
            p.grant_per_citizen, n, p.budget_shock, month, p.shock_step
        )
        rescue = p.rescue_funding * grant if intervening else 0.0
        external = p.pooled_budget * grant
        gov.bond_capital += external
        income = grant + rescue + external
        gov.income_centre, gov.income_investors = grant + rescue, external
        ledger = Ledger(available=income + gov.reserve, carried_in=gov.reserve)
        ledger.pay("finance", PRIVATE, external * p.pooled_finance_cost)
        if gov.instalments_left > 0:
            ledger.pay("repayment", PRIVATE, gov.bond_instalment)
            gov.instalments_left -= 1
        if month <= governance.RESTRUCTURING_MONTHS and self._transition_bill > 0:
            ledger.pay("transition", PUBLIC, self._transition_bill)
        ledger.pay("servants", self.servants.sector, np.full(self.servants.n, p.servant_cost))
        ledger.pay("training", PUBLIC, self.servants.n * p.training_cost * p.servant_training)
        if p.connective_cost * p.connective_government > 0:
            ledger.pay("connective", PUBLIC, n * p.connective_cost * p.connective_government)
        gov.budget = ledger.available
        self._spendable = income + governance.RESERVE_SPEND_RATE * gov.reserve
        return ledger, income, intervening

    def _year_values(self, year: int) -> dict[str, float]:
        """The paths' values for ``year`` (1 = months 1-12); a path past its end keeps its
        last value."""
        return {name: values[min(year, len(values)) - 1] for name, values in self._paths.items()}

    def _set_parameters(self, changes: dict[str, Any]) -> None:
        """Parameters that change during a run (a year of the paths): checked as any
        parameter (``params.resolve``), with the state read from them at the start brought
        into line (well-being weights; who is out of work)."""
        self.p = resolve({**self.p, **changes})
        self._wb_weights = wellbeing_weights(self.p)
        self._set_unemployment()
        self.formula_share = governance.formula_shares(
            self.population, self.deprivation, self.p.formula_deprivation_weight
        )

    def _set_unemployment(self) -> None:
        """Who is out of work at the current unemployment rate (``wellbeing.unemployment``)."""
        c, p = self.citizens, self.p
        c.unemployed = wellbeing.unemployment(
            c.employability, self._working_age, c.context, p.unemployment_rate,
            p.unemployment_gradient,
        )  # fmt: skip

    def _money_flows(self) -> dict[str, float]:
        """The month's money flows for the who-pays split (outcomes.MONEY_FLOWS)."""
        gov = self.local
        on_track = (
            gov.bond_capital > 0
            and self._twin is not None
            and governance.bond_target_met(gov.year_need, gov.twin_year_need)
        )
        return {
            "income_centre": gov.income_centre,
            "income_investors": gov.income_investors,
            "bond_liability": gov.bond_liability(self.p.sib_return, on_track),
        }

    def _close_budget(self, ledger: Ledger, income: float, month: int) -> None:
        """Carry unspent money into the reserve; at each yearly settlement return what exceeds
        the cap to the centre and settle with the investors of pooled money (repaid with
        their return, in monthly instalments over the next year, only if the outcome target
        was met)."""
        p, gov = self.p, self.local
        gov.reserve = ledger.carried_over
        gov.year_need += float(self.citizens.need.mean())
        if self._twin is not None:
            gov.twin_year_need += float(self._twin.citizens.need.mean())
        if month % governance.SETTLEMENT_INTERVAL != 0:
            return
        gov.reserve, ledger.returned = governance.settle_reserve(gov.reserve, income)
        if gov.bond_capital > 0:
            met = governance.bond_target_met(gov.year_need, gov.twin_year_need)
            owed = governance.bond_repayment(gov.bond_capital, met, p.sib_return)
            gov.bond_instalment = owed / governance.SETTLEMENT_INTERVAL
            gov.instalments_left = governance.SETTLEMENT_INTERVAL if owed > 0 else 0
        gov.bond_capital = 0.0
        gov.year_need = gov.twin_year_need = 0.0

    def _formal_support(
        self,
        ledger: Ledger,
        shares: np.ndarray,
        per_hood: np.ndarray,
        effort: np.ndarray,
        working: float,
        intervening: bool,
        u: np.ndarray,
    ) -> None:
        """Navigators guide the poorly connected; providers and casework supply support,
        rationed place by place (the entitlement floor first); citizens co-produce it; providers
        are paid (block sums, or reported results under outcome contracts)."""
        p, c, s, pr, gov = self.p, self.citizens, self.servants, self.providers, self.local
        n_hood, hood, month = self.n_hood, c.neighbourhood, self.steps
        seeking = np.flatnonzero(c.need > p.seek_threshold)  # a tenth or so: work on them
        priority = np.zeros(c.n)
        priority[seeking] = c.need[seeking] * (1.0 - c.connectedness[seeking])
        c.navigated = servants.navigate(
            priority, hood, per_hood[NAVIGATOR] * p.navigator_caseload, u[4]
        )
        # Each servant's caseload: its share of the navigator effort in each place it covers.
        navigated_per_effort = np.divide(  # counts in integers: the float sums, exactly
            np.bincount(hood[np.flatnonzero(c.navigated)], minlength=n_hood), per_hood[NAVIGATOR],
            out=np.zeros(n_hood), where=per_hood[NAVIGATOR] > 0,
        )  # fmt: skip
        s.caseload = effort[:, NAVIGATOR] * (self._coverage @ navigated_per_effort)
        access = support.access_probability(
            c.connectedness, c.navigated, p.access_base, p.navigator_effect,
            p.connective_access_effect * p.connective_government,
        )  # fmt: skip
        demand = support.seek_support(c.need, access, p.seek_threshold, u[5])

        provider_money = min(ledger.remaining, max(self._spendable - ledger.spent, 0.0))
        if p.outcome_contract_overhead > 0 and pr.outcome_contract.any():
            # Designing, measuring and managing outcome contracts: a share of the money that
            # would go to outcome-paid providers (their share of providers), paid first.
            overhead = provider_money * p.outcome_contract_overhead * pr.outcome_contract.mean()
            provider_money -= ledger.pay("contract_management", PUBLIC, overhead)
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
            servants.casework_units(s.role_time, s.skills, p.casework_units, working),
            self._coverage,
            self._coverage_t,
        )
        running = providers.transition_factor(pr.transition_until, month, p.switching_disruption)
        lost = (1.0 - gov.fragmentation) * (1.0 - p.intervention_disruption if intervening else 1.0)
        allocated = np.zeros(pr.n)
        delivered = np.zeros(pr.n)
        received = []
        for kind in (PREVENTATIVE, RESPONSIVE):
            serving = pr.serves[kind]
            money_h = kind_money[kind] * shares
            provider_units = money_h / unit_cost[serving] * running[serving]
            extra = casework if kind == RESPONSIVE else 0.0
            supply = (provider_units + extra) * lost
            who = self._provider_of[kind]
            helped = None  # (who asked, what each got) when the rationing gives it sparse
            if kind == PREVENTATIVE:
                asked = support.prevention_outreach(c.need, c.prevention, p.seek_threshold)
                helped = support.ration(asked, c.need, hood, supply, sparse=True)
            else:
                rank = (  # 1 for everyone unless some provider is paid by outcomes
                    support.outcome_priority(c.need, pr.outcome_contract[who], p.cream_skimming)
                    if pr.outcome_contract.any()
                    else 1.0
                )
                if p.entitlements > 0:
                    entitled = c.need >= gov.entitlement_level
                    got, lapsed = support.entitled_first(
                        demand, rank, hood, supply, entitled, p.entitlements,
                        p.entitlement_assessment,
                    )  # fmt: skip
                    # Floor money the entitled did not use is not spent (ring-fenced).
                    money_h = money_h * (1.0 - np.divide(
                        lapsed, supply, out=np.zeros(n_hood), where=supply > 0))  # fmt: skip
                else:
                    helped = support.ration(demand, rank, hood, supply, sparse=True)
            if helped is not None:
                got = np.zeros(c.n)
                got[helped[0]] = helped[1]
            got_h = self._sum_by_hood(got)
            received.append(got)
            allocated += np.bincount(serving, money_h, minlength=pr.n)
            from_provider = np.divide(
                provider_units, provider_units + extra, out=np.zeros(n_hood),
                where=provider_units > 0,
            )  # fmt: skip
            delivered += np.bincount(serving, got_h * from_provider, minlength=pr.n)
            if kind == PREVENTATIVE:
                c.prevention = support.build_prevention(
                    c.prevention, got, efficacy[who] * multiplier
                )
            elif helped is not None:  # only those helped change: need - min(need, 0) = need
                took, units = helped
                reduced = c.need.copy()
                reduced[took] -= np.minimum(
                    reduced[took], units * efficacy[who[took]] * multiplier[took]
                )
                c.need = reduced
            else:
                c.need = c.need - np.minimum(c.need, got * efficacy[who] * multiplier)
        c.support = received[RESPONSIVE]
        c.contribution, c.burden = support.coproduction_effort(
            received[PREVENTATIVE] + received[RESPONSIVE], c.capacity, p.co_production,
            p.coproduction_burden,
        )  # fmt: skip
        # Capacity used includes what fragmentation wasted on the way to citizens.
        used_cost = delivered * unit_cost / max(1.0 - gov.fragmentation, 1e-12)
        payments = providers.provider_payments(
            allocated, used_cost, pr.outcome_contract, p.outcome_gaming
        )
        for kind, label in ((PREVENTATIVE, "preventative"), (RESPONSIVE, "responsive")):
            mask = pr.kind == kind
            ledger.pay(label, pr.sector[mask], payments[mask], float(allocated[mask].sum()))
        pr.delivered, pr.paid = delivered, payments
        pr.year_allocated += allocated
        pr.year_paid += payments

    def _review_providers(self, month: int) -> None:
        """Local government measures every provider (with error that shrinks with feedback from
        users, and inflated by what outcome-paid providers game) and, with chance ``learning``
        per kind, replaces the worst one it sees; outcome-paid providers that lost money over
        the year may leave. A new provider takes TRANSITION_MONTHS to run at full strength."""
        p, pr, rng = self.p, self.providers, self.streams["reviews"]
        pr.track_record = providers.measured_performance(
            pr.effectiveness,
            pr.unit_cost,
            p.connective_government,
            rng.standard_normal(pr.n),
            p.outcome_gaming * pr.outcome_contract,
        )

        def replace(j: int) -> None:
            pr.sector[j], pr.unit_cost[j], pr.effectiveness[j] = draw_provider(
                p, rng, int(pr.kind[j])
            )
            pr.transition_until[j] = month + providers.TRANSITION_MONTHS

        for kind in (PREVENTATIVE, RESPONSIVE):
            if rng.random() < p.learning:
                replace(providers.worst_of_kind(pr.track_record, pr.kind, kind))
        if p.provider_exit_rate > 0 and pr.outcome_contract.any():
            leaving = providers.leaves_market(
                pr.outcome_contract, pr.year_paid, pr.year_allocated, p.provider_exit_rate,
                rng.random(pr.n),
            )  # fmt: skip
            for j in np.flatnonzero(leaving).tolist():
                replace(j)
        pr.year_allocated[:] = 0.0
        pr.year_paid[:] = 0.0

    def _ones_for(self, size: int) -> np.ndarray:
        """At least ``size`` ones (float64, read-only) for the adjacency's entries: one buffer,
        with a quarter to spare (the status quo's network grows some 20% over five years),
        shared by the matrices of successive years rather than written afresh at every tie
        change (80 MB of new memory a year at a million citizens)."""
        if self._ones.size < size:
            self._ones = np.ones(size + size // 4)
            self._ones.flags.writeable = False
        return self._ones

    def _count_ties(self, flags: np.ndarray) -> np.ndarray:
        """How many of each citizen's ties have ``flags`` set: ``adjacency @ flags`` in small
        integers (``network.tie_counter``), made again whenever the adjacency is replaced."""
        matrix, counter = self._counter
        if matrix is not self.adjacency:
            matrix, counter = self._counter = self.adjacency, tie_counter(self.adjacency)
        if counter is None:  # a weighted network: its own product
            return matrix @ flags.astype(np.float64)
        return counter @ flags.astype(counter.dtype)

    def _evolve_ties(self, month: int, boost: np.ndarray) -> None:
        """A year of tie change (``network.evolve_ties``): citizens who took part in community
        action this year make new ties in their neighbourhood, more where weavers and community
        money work (``boost``); ties idle at both ends fade. The networkx graph is rebuilt only
        when something asks for it (``network``)."""
        p, c = self.p, self.citizens
        used = month - c.last_engaged < TIE_INTERVAL
        new_ties = np.where(used, p.tie_formation * (1.0 + boost), 0.0)
        if self._ties is None:
            self._ties = tie_list(self.adjacency)
        self._ties = evolve_ties(
            *self._ties, c.n, used, new_ties, self._hood_starts, self._hood_sizes, p.tie_fade,
            self.streams["ties"],
        )  # fmt: skip
        self.adjacency = adjacency_from_ties(
            *self._ties, c.n, self._ones_for(2 * self._ties[0].size)
        )
        c.degree = np.diff(self.adjacency.indptr).astype(np.float64)
        self._graph = None

    # ------------------------------------------------------------------------------------
    # Mesa agents (the faces users touch) are made on first use: a batch run that only reads
    # outcomes never pays for a Python object per citizen. Their state is always the arrays,
    # so faces made late see the same numbers they would have shown all along.
    def _make_faces(self) -> tuple[list, list, list]:
        faces = self.__dict__.get("_faces", ())  # () while Mesa's own set-up runs
        if faces is None:
            self._faces = faces = (
                [Citizen(self, i) for i in range(self.citizens.n)],
                [PublicServant(self, j) for j in range(self.servants.n)],
                [Provider(self, k) for k in range(self.providers.n)],
            )
        return faces or ([], [], [])

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """Every agent (citizens, servants, providers); made on first use."""
        self._make_faces()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type[mesa.Agent], mesa.agent.AgentSet]:
        """The agents of each type; made on first use."""
        self._make_faces()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        self._make_faces()
        return super().agent_types

    @property
    def citizen_agents(self) -> list[Citizen]:
        """Citizen faces in citizen order (``citizen_agents[i].index == i``)."""
        return self._make_faces()[0]

    @property
    def servant_agents(self) -> list[PublicServant]:
        return self._make_faces()[1]

    @property
    def provider_agents(self) -> list[Provider]:
        return self._make_faces()[2]

    @property
    def network(self) -> nx.Graph:
        """The social network as a networkx graph (the ties as they are now)."""
        if self._graph is None:
            graph = nx.from_scipy_sparse_array(self.adjacency)
            graph.graph["kind"] = self.p.network_kind
            self._graph = graph
        return self._graph

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
    def uncalibrated(cls, seed: int | None = None, **params: Any) -> CoauthorModel:
        """A model on the schema's bare defaults (``coauthor_sim.params``) rather than the
        calibrated status quo, with ``params`` applied: for docking, teaching and tests of
        the mechanisms."""
        return cls(seed=seed, **{**defaults(), **params})

    @classmethod
    def from_scenario(
        cls, name_or_path: str, seed: int | None = None, **overrides: Any
    ) -> CoauthorModel:
        """A model of a scenario (a name such as ``"status_quo"`` or a .toml path), with
        ``overrides`` applied; a bad override raises ``ParameterError`` naming it, a bad file
        ``ScenarioError`` naming the file and key."""
        from .api import scenario_parameters  # reading files stays outside the core

        return cls(seed=seed, **scenario_parameters(name_or_path, **overrides))
