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

from . import kernels
from .agents import Citizen, Provider, PublicServant
from .groups import GroupSums
from .localities import layout_for
from .mechanisms import engagement, governance, need, providers, servants, wellbeing
from .network import (
    adjacency,
    adjacency_from_ties,
    block_ties,
    build_network,
    evolve_ties,
    neighbourhood_sizes,
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
NEVER = 2**62  # a report_from past any run: no month's outcomes computed


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
        self._uniform = np.empty((N_UNIFORM, c.n))  # the month's uniform draws (step)
        self._normal = np.empty(c.n)  # the month's normal draws (step)
        # Servants' coverage (fixed) as a sparse matrix: each covers one or a few neighbourhoods.
        self._coverage = sp.csr_array(self.servants.coverage)
        # Which provider of each kind serves each citizen (providers are replaced in place).
        self._provider_of = self.providers.serves[:, c.neighbourhood]
        self._of_kind = [np.flatnonzero(self.providers.kind == k) for k in (0, 1)]
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
            # Only the twin's need is read (the bond's test): it computes no outcomes.
            self._twin.report_from = NEVER

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
        # First month whose outcomes are computed and collected (besides month 0): a run read
        # only for its final months (a calibration run) sets it and skips the others' outcomes.
        self.report_from = 1

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
        # (need.accrue_need, need.self_help, need.detect_crises: fused in kernels.need_month)
        c.need, c.crisis, n_crises = kernels.need_month(
            c.need, c.context, c.prevention, self._age_need, c.capacity, u[0], u[1],
            p.need_growth, p.deprivation_need_gradient, p.prevention_effect, p.self_help_rate,
            p.crisis_threshold, p.crisis_prob,
        )  # fmt: skip
        crisis_bill = n_crises * p.crisis_cost
        ledger.available += crisis_bill
        gov.income_centre += crisis_bill
        self._spendable += crisis_bill
        ledger.pay("crisis", PUBLIC, crisis_bill)
        if n_crises:  # need.respond_to_crises, with the response paid in full
            c.need = kernels.respond_to_crises(c.need, c.crisis, p.crisis_relief)
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
        # servants.role_effort, casework_units, and both by_neighbourhood (role, place):
        # kernels.servant_work
        cover = self._coverage
        effort, per_hood, architect_effort, casework = kernels.servant_work(
            s.role_time, s.skills, working, cover.indptr, cover.indices, cover.data,
            self.n_hood, p.casework_units,
        )  # fmt: skip
        gov.fragmentation = servants.architect(
            gov.fragmentation, architect_effort, n, p.architect_effect, p.initial_fragmentation,
            local_control,
        )  # fmt: skip
        if per_hood[STORYTELLER].any():
            reach = servants.storytelling_reach(
                per_hood[STORYTELLER], self.population, p.storyteller_reach
            )
            c.willingness, c.capacity = kernels.tell_stories(
                c.willingness, c.capacity, u[2], reach, hood, p.storyteller_effect
            )

        # 4. Voice and priorities (deliberation), the entitlement floor, and how money is
        #    shared between places.
        # (governance.voice_propensity, voice_weights, voice_heard: kernels.voice)
        voiced, weights, _, share, voiced_need, heard = kernels.voice(
            c.control, c.capacity, c.engaged, u[3], p.voice_rate, p.engaged_voice_boost,
            p.deliberation_inclusion, self._most_deprived, hood, self.n_hood, c.need,
            local_control, p.local_priority_setting,
        )  # fmt: skip
        c.voice_log[month % VOICE_MONTHS] = voiced
        gov.voice_share_most_deprived = float(share)
        gov.priorities = governance.update_priorities(
            gov.priorities, weights, c.need, hood, p.connective_government, self._sum_by_hood,
            voiced_need,
        )  # fmt: skip
        if p.entitlements > 0:
            gov.entitlement_level = governance.entitlement_level(weights, c.need, p.seek_threshold)
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
        # support.help_given, the three products over ties (resources, engaged ties, help),
        # wellbeing.connectedness_from_ties and engagement.exposure_from_counts: one pass
        # over the ties (kernels.ties), each sum in the order of a CSR mat-vec.
        a = self.adjacency
        c.connectedness, exposure, help_received = kernels.ties(
            a.indptr, a.indices, a.data, c.engaged, c.capacity, c.degree, self._sessions,
            boost + p.community_help_effect * level, hood, p.informal_give_rate,
            p.ties_half_saturation,
        )  # fmt: skip

        # 7. Navigator, then formal support: commissioning, rationing, co-production.
        self._formal_support(ledger, shares, per_hood, effort, casework, intervening, u)

        # 8. Informal support through ties.
        c.informal, c.need = kernels.informal_support(help_received, c.need, p.tie_support_effect)

        # 9. Engagement: spells by the threshold rule over the network, a pause after a spell,
        #    and taking part (with hours) as often as each citizen's commitment allows.
        # (engagement.engagement_thresholds, update_engagement, started_by_ties: fused in
        # kernels.engagement_month)
        c.spell, ended, n_starts, n_by_ties = kernels.engagement_month(
            c.spell, exposure, c.willingness, level, hood, c.capacity, c.need, c.rest_until,
            month, u[6], p.threshold_scale, p.community_action_effect,
            p.engagement_capacity_floor, p.spontaneous_rate, p.dropout_rate,
        )  # fmt: skip
        self._start_log[month % VOICE_MONTHS] = n_starts, n_by_ties
        # One draw serves the pause of those who stopped and the sessions of those in a spell
        # (disjoint groups).
        if ended.any():
            c.rest_until = engagement.rest_after_spell(
                ended, c.rest_until, month, p.rest_months, u[7]
            )
        # engagement.take_part; hours_given with its per-citizen part precomputed; the month
        # marked in last_engaged
        c.engaged, c.hours = kernels.take_part(
            c.spell, c.commitment, u[7], self._session_hours, c.last_engaged, month
        )

        # 10. Well-being, capacity, control and willingness respond.
        # (wellbeing.wellbeing_target, update_wellbeing, update_capacity, update_control,
        # update_willingness: fused in kernels.wellbeing_month)
        w = self._wb_weights
        c.wellbeing, c.capacity, c.control, c.willingness = kernels.wellbeing_month(
            c.wellbeing, c.need, c.connectedness, c.control, c.context, c.capacity, c.engaged,
            c.burden, c.disposition, c.unemployed, c.crisis, c.contribution, c.capacity_base,
            c.control_base, heard, c.willingness, c.willingness_base, normal, w["base"],
            w["need"], w["ties"], w["control"], w["context"], w["capacity"], w["engagement"],
            w["unemployment"], p.wellbeing_adjustment, p.crisis_wellbeing_loss,
            p.wellbeing_noise, p.capacity_learning, p.control_from_voice,
        )  # fmt: skip

        # 11. Yearly: review of providers and learning; ties made and faded; settlement of
        #     the reserve and of pooled money with investors.
        if month % providers.REVIEW_INTERVAL == 0:
            self._review_providers(month)
        if month % TIE_INTERVAL == 0 and (p.tie_formation > 0 or p.tie_fade > 0):
            self._evolve_ties(month, (boost + p.community_tie_effect * level)[hood])
        self._close_budget(ledger, income, month)

        # 12. Outcomes (from month ``report_from`` on: outcomes feed nothing back).
        self.ledger = ledger
        if month >= self.report_from:
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
        # the mean unmet need (need.mean(), bit for bit, in one compiled call), and the twin's
        gov.year_need += kernels.pairwise_sum(self.citizens.need) / self.citizens.n
        if self._twin is not None:
            twin = self._twin.citizens
            gov.twin_year_need += kernels.pairwise_sum(twin.need) / twin.n
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
        casework: np.ndarray,
        intervening: bool,
        u: np.ndarray,
    ) -> None:
        """Navigators guide the poorly connected; providers and casework supply support,
        rationed place by place (the entitlement floor first); citizens co-produce it; providers
        are paid (block sums, or reported results under outcome contracts)."""
        p, c, s, pr, gov = self.p, self.citizens, self.servants, self.providers, self.local
        hood, month = c.neighbourhood, self.steps
        provider_money = min(ledger.remaining, max(self._spendable - ledger.spent, 0.0))
        if p.outcome_contract_overhead > 0 and pr.outcome_contract.any():
            # Designing, measuring and managing outcome contracts: a share of the money that
            # would go to outcome-paid providers (their share of providers), paid first.
            overhead = provider_money * p.outcome_contract_overhead * pr.outcome_contract.mean()
            provider_money -= ledger.pay("contract_management", PUBLIC, overhead)
        navigators = per_hood[NAVIGATOR]
        unit_cost = pr.unit_cost * (1.0 - p.coproduction_saving * p.co_production)
        efficacy = pr.effectiveness * (1.0 + p.outcome_contract_effort * pr.outcome_contract)
        lost = (1.0 - gov.fragmentation) * (1.0 - p.intervention_disruption if intervening else 1.0)
        # Per citizen and per place, in one compiled pass (kernels.formal_support, which names
        # the mechanisms it runs): the navigators guide the poorly connected; each kind of
        # provider's money (and casework, for responsive support) becomes supply place by
        # place, at the provider's running strength (providers.transition_factor), rationed
        # among those who ask (prevention goes to rising need; responsive support to those who
        # reach it, the entitled first where there is a floor); support builds prevention or
        # meets need, and those helped co-produce.
        (c.navigated, guided, c.prevention, c.need, c.support, c.contribution, c.burden,
         allocated, delivered) = kernels.formal_support(
            c.need, c.connectedness, c.capacity, c.prevention, hood, self._provider_of, u[4],
            u[5], navigators * p.navigator_caseload, shares, casework, pr.serves, unit_cost,
            pr.transition_until, month, p.switching_disruption, efficacy, pr.outcome_contract,
            provider_money * p.prevention_share, provider_money * (1.0 - p.prevention_share),
            lost, p.seek_threshold, p.access_base, p.navigator_effect,
            p.connective_access_effect * p.connective_government, p.co_production,
            p.coproduction_effect, p.coproduction_burden, p.cream_skimming, p.entitlements,
            gov.entitlement_level, p.entitlement_assessment,
        )  # fmt: skip
        # Each servant's caseload (its share of the navigator effort in each place it covers)
        # and what providers are paid: block sums, or reported results under outcome
        # contracts, for capacity used including what fragmentation wasted on the way
        # (providers.provider_payments, in kernels.provider_accounts).
        cover = self._coverage
        s.caseload, payments = kernels.provider_accounts(
            guided, navigators, effort[:, NAVIGATOR], cover.indptr, cover.indices, cover.data,
            delivered, unit_cost, gov.fragmentation, allocated, pr.outcome_contract,
            p.outcome_gaming,
        )  # fmt: skip
        for kind, label in ((PREVENTATIVE, "preventative"), (RESPONSIVE, "responsive")):
            mine = self._of_kind[kind]  # providers never change kind
            ledger.pay(label, pr.sector[mine], payments[mine], float(allocated[mine].sum()))
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
        """One row per month (0 = initial state), one column per outcome; with
        ``report_from`` set past 1, month 0 and the months from it on."""
        table = self.datacollector.get_model_vars_dataframe()
        first = max(self.report_from, 1)
        table.index = pd.Index([0, *range(first, first + len(table) - 1)], name="month")
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
