"""The one schema of every model parameter.

Every parameter the model reads is declared here once, with its group, type, allowed range,
default, unit and a one-line meaning. Validation, CLI flags, scenario files, browser sliders and
the ODD parameter table are all derived from this table, so no two places can disagree about a
range or a default.

Groups:
    population   who lives in the locality and who serves it
    network      the shape of the social network
    lever        policy choices (the ten features of Local Public Support, the four conditions,
                 and the size of the central grant)
    uncertainty  things we do not know and that no policy chooses: behaviour, effect sizes,
                 need growth, budget shocks
    run          how long to simulate and what to record
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

GROUPS = ("population", "network", "lever", "uncertainty", "run")
MAX_TEXT = 500  # longest free-text value (a file path, a local authority's name)
MAX_PATHS_TEXT = 10_000  # the yearly paths of a run (``paths``): many values
NETWORK_KINDS = ("neighbourhood_blocks", "small_world", "scale_free", "random")


class ParameterError(ValueError):
    """A parameter value or name is not allowed. The message names the parameter, the value
    and what is allowed."""


@dataclass(frozen=True)
class Spec:
    """Declaration of one parameter."""

    name: str
    group: str
    default: Any
    kind: type
    low: float | None = None
    high: float | None = None
    unit: str = ""
    meaning: str = ""
    choices: tuple[str, ...] | None = None
    reason: str = ""  # why this default and range (source, calibration or judgement)

    def allowed(self) -> str:
        """Human-readable description of the allowed values."""
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind is bool:
            return "true or false"
        if self.kind is str:
            return f"a line of text (at most {MAX_TEXT} characters)"
        if self.kind is int:
            return f"an integer from {int(self.low):,} to {int(self.high):,}"
        return f"a number from {self.low:g} to {self.high:g}"

    def check(self, value: Any) -> Any:
        """Return ``value`` converted to this parameter's type, or raise ParameterError."""
        bad = f"{self.name} = {value!r} is not allowed: expected {self.allowed()}"
        if self.kind is bool:
            if not isinstance(value, bool):
                raise ParameterError(bad)
            return value
        if self.kind is str:
            if self.choices is None:  # free text: one line, e.g. a file or a place name
                limit = MAX_PATHS_TEXT if self.name == "paths" else MAX_TEXT
                if not isinstance(value, str) or len(value) > limit or not value.isprintable():
                    raise ParameterError(bad)
                return value.strip()
            if not isinstance(value, str) or value not in self.choices:
                raise ParameterError(bad)
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParameterError(bad)
        if self.kind is int:
            if isinstance(value, float) and not value.is_integer():
                raise ParameterError(bad)
            value = int(value)
        else:
            value = float(value)
        if value != value or not (self.low <= value <= self.high):  # NaN or out of range
            raise ParameterError(bad)
        return value


def _p(
    name, group, default, low=None, high=None, unit="", meaning="", choices=None, reason=""
) -> Spec:
    kind = type(default)
    return Spec(name, group, default, kind, low, high, unit, meaning, choices, reason)


# fmt: off
_SPECS: tuple[Spec, ...] = (
    # --- population -------------------------------------------------------------------------
    _p("n_citizens", "population", 1000, 10, 5_000_000, "citizens",
       "Number of adult citizens in the locality.",
       reason="Modelling judgement: enough citizens for stable shares in every neighbourhood and "
       "a run of about a second; outcomes are per head, so results compare across sizes."),
    _p("n_neighbourhoods", "population", 20, 5, 100_000, "neighbourhoods",
       "Number of neighbourhoods; each has one level of deprivation (context).",
       reason="Modelling judgement: four neighbourhoods per deprivation fifth. Each stands for a "
       "small area but holds far fewer people than an English LSOA (about 1,500 residents, "
       "IoD2019)."),
    _p("servants_per_1000", "population", 10.0, 0.0, 1000.0, "servants per 1,000 citizens",
       "Public servants (any sector) working in the locality, per 1,000 citizens; the count is "
       "rounded to a whole number of servants.",
       reason="Modelling judgement (one servant per 100 citizens), not from workforce data. "
       "Given per head so that a policy means the same at every model size. Servants share "
       "their time between neighbourhoods when there are fewer servants than "
       "neighbourhoods."),
    _p("n_providers", "population", 12, 2, 10_000, "providers",
       "Number of support providers; a third (at least one) do preventative work.",
       reason="Modelling judgement: a few providers of each kind, each serving several "
       "neighbourhoods, so that replacing one at review matters; to be calibrated."),
    _p("deprivation_spread", "uncertainty", 0.45, 0.0, 1.0, "context units",
       "Difference in context between the least and the most deprived neighbourhood.",
       reason="Judgement, an uncertainty for calibration against the participation gradient by "
       "deprivation (CLS 2016/17: 48% vs 34%, least vs most deprived fifth, a ratio of 1.3-1.5); "
       "0.45 gives a ratio near 1.3-1.5 with the other defaults (0.6 gave about 1.9)."),
    _p("young_share", "population", 0.14, 0.0, 1.0, "share", "Share of citizens aged 16-24.",
       reason="Roughly the share of 16-24s among adults in England (ONS population estimates; "
       "approximate, not in the targets file). Age sets how fast need grows (AGE_NEED_FACTOR)."),
    _p("older_share", "population", 0.24, 0.0, 1.0, "share", "Share of citizens aged 65+.",
       reason="Roughly the share of people aged 65+ among adults in England (ONS population "
       "estimates; approximate, not in the targets file). Need grows fastest in this group."),
    _p("locality_table", "population", "", unit="",
       meaning="Deprivation table (CSV in the format of the English Indices of Deprivation, "
       "e.g. IoD2019 File 7) whose LSOAs become the neighbourhoods, with their populations and "
       "national deprivation; a path relative to the scenario file, or the name of a shipped "
       "table (example_iod2019.csv). Empty: a stylised locality of n_neighbourhoods "
       "neighbourhoods with evenly spread deprivation. With a table, n_citizens and "
       "n_neighbourhoods follow from it.",
       reason="A council's own neighbourhoods: the report expects local systems to be as "
       "diverse as the localities they serve. Off by default (the stylised locality)."),
    _p("local_authority", "population", "", unit="",
       meaning="Local authority whose rows of locality_table are used (its name or code as the "
       "table spells them, any case); may be left empty when the table holds one authority.",
       reason="Names follow the official file (Local Authority District name or code)."),
    _p("locality_scale", "population", 0.1, 0.0001, 1.0, "citizens per resident",
       "With locality_table: citizens per resident of each neighbourhood (1 = one citizen per "
       "resident; 0.1 = a tenth, rounded so the total is kept), at least one per neighbourhood.",
       reason="Modelling judgement: a tenth keeps a council of 300,000 residents to 30,000 "
       "citizens, a run of seconds; outcomes are per head, so 1:1 is for checks of scale."),
    _p("locality_fifths", "population", "national", unit="",
       meaning="With locality_table: the deprivation fifths outcomes are reported in. "
       "'national': the national IMD deciles (1-2 most deprived), so a council without "
       "neighbourhoods in some deciles has empty fifths, said to be empty; 'local': the "
       "council's own neighbourhoods ranked, each fifth about a fifth of its residents "
       "('national' or 'local', checked with the table; without one it is not used).",
       reason="National fifths compare councils on one scale; local fifths answer a council's "
       "own question (its most against its least deprived). Only the reporting changes."),
    # --- network ------------------------------------------------------------------------------
    _p("network_kind", "network", "neighbourhood_blocks", unit="",
       meaning="Generator of the social network.", choices=NETWORK_KINDS,
       reason="Neighbourhood blocks make inequality between places visible; the other kinds "
       "serve robustness checks and docking with Watts (2002) on random graphs."),
    _p("mean_degree", "network", 10.0, 2.0, 200.0, "ties per citizen",
       "Average number of social ties per citizen.",
       reason="Modelling judgement: a modest number of regular contacts. The range spans the "
       "cascade window of Watts (2002), mean degree about 1 to 6 at threshold 0.18, and much "
       "denser networks."),
    _p("rewiring_prob", "network", 0.1, 0.0, 1.0, "probability",
       "Small-world only: chance that a tie is rewired to a random citizen.",
       reason="Small-world regime of Watts and Strogatz (1998): clustered ties yet short paths; "
       "modelling judgement."),
    _p("bridging_share", "network", 0.1, 0.0, 1.0, "share of ties",
       "Neighbourhood blocks only: share of ties that bridge to other neighbourhoods.",
       reason="Modelling judgement: most ties stay within the neighbourhood; to be checked "
       "against data on ties across areas."),
    # --- levers: the ten features of Local Public Support -----------------------------------
    _p("deliberation_inclusion", "lever", 0.0, 0.0, 1.0, "intensity",
       "1. Rights by deliberation: weight that makes quiet and marginalised voices count as "
       "much as loud ones (0 = voices count as they come).",
       reason="Status quo: quiet voices get no protection, so the confident dominate (the report "
       "asks that weak voices not be marginalised). The range runs to full inverse-propensity "
       "weighting."),
    _p("entitlements", "lever", 0.0, 0.0, 1.0, "share of responsive money",
       "1. Rights by deliberation: share of responsive provider money reserved as a support "
       "floor, funded first for citizens whose need passes the level agreed in deliberation.",
       reason="Status quo: no agreed entitlement, support is rationed by who asks. The range "
       "runs to all responsive money going first to those past the agreed need level; the level "
       "itself is set each month by the weighted voices (deliberation_inclusion)."),
    _p("local_priority_setting", "lever", 0.2, 0.0, 1.0, "share",
       "2. Share of the locally steered budget that follows citizens' voiced priorities "
       "rather than the central needs formula.",
       reason="Status-quo judgement: little of the locally steered money follows citizens' "
       "priorities. The range runs from none to all of it."),
    _p("outcome_commissioning", "lever", 0.0, 0.0, 1.0, "share of providers",
       "3. Share of providers on outcome-based contracts (paid for capacity their results "
       "used, plus a risk premium, rather than a block sum).",
       reason="Status quo: block contracts only. The range runs to every provider paid by "
       "outcomes."),
    _p("co_production", "lever", 0.1, 0.0, 1.0, "intensity",
       "4. How much citizens are asked to contribute to the design and delivery of their own "
       "support.",
       reason="Status-quo judgement: citizens are asked for little. The range runs to full "
       "co-production; its effects are uncertain (Durose et al. 2017), see coproduction_effect."),
    _p("community_resources", "lever", 0.0, 0.0, 0.3, "share of budget",
       "5. Share of the budget dedicated to citizen and community action.",
       reason="Status quo: no dedicated money for citizen action. Capped at 30% of the budget, "
       "beyond which little would be left for providers (modelling judgement)."),
    _p("prevention_share", "lever", 0.1, 0.0, 1.0, "share of provider budget",
       "6. Share of provider spending on preventative rather than responsive support.",
       reason="Status-quo judgement: most provider money responds to need rather than preventing "
       "it; not a measured share."),
    _p("plural_provision", "lever", 0.3, 0.0, 1.0, "share of providers",
       "7. Share of providers from the private, third and community sectors.",
       reason="Status-quo judgement: private and third-sector providers are already established "
       "in many services, as the report notes; not a measured share."),
    _p("pooled_budget", "lever", 0.0, 0.0, 0.5, "share of grant",
       "8. External (private, charitable, philanthropic) money pooled into the local budget, "
       "as a share of the central grant; it carries a finance cost.",
       reason="Status quo: no pooled external money. Capped at half the grant (judgement): "
       "social investment has been small in practice (the Peterborough SIB covered two cohorts "
       "of 1,000)."),
    _p("local_control", "lever", 0.2, 0.0, 1.0, "share of budget",
       "9. Share of the budget steered by local politicians rather than ring-fenced centrally.",
       reason="Status-quo judgement: most money is ring-fenced centrally. The range runs from "
       "none to all of the budget steered locally."),
    _p("learning", "lever", 0.0, 0.0, 1.0, "probability per review",
       "10. Chance that each review replaces the worst-performing provider of each kind.",
       reason="Status-quo judgement: providers are rarely reviewed and replaced. The range runs "
       "to replacing the worst-seen provider of each kind at every review."),
    # --- levers: conditions for success and the settlement ----------------------------------
    _p("capacity_building", "lever", 0.0, 0.0, 0.3, "share of budget",
       "Condition 1: share of the budget spent building citizens' capability and confidence "
       "(learning, mentoring); shared between places like other money, it closes a share "
       "of each citizen's gap to full capacity, so the least capable gain most.",
       reason="Status quo: no spending on citizens' capacity. Capped at 30% of the budget like "
       "community_resources (modelling judgement)."),
    _p("servant_new_roles", "lever", 0.2, 0.0, 1.0, "share of servant time",
       "Condition 2: share of servants' time in the new roles (navigator, weaver, storyteller, "
       "architect) rather than professional casework.",
       reason="Status-quo judgement: servants mostly do professional casework. The range runs to "
       "no casework at all."),
    _p("servant_training", "lever", 0.0, 0.0, 1.0, "intensity",
       "Condition 2: training that raises servants' skills; it costs money every month.",
       reason="Status quo: no training for the new roles. The range runs to full-intensity "
       "training (cost: training_cost); skills then rise gradually (TRAINING_RATE a month)."),
    _p("connective_government", "lever", 0.2, 0.0, 1.0, "intensity",
       "Condition 3: quality of feedback from users that local government uses to judge "
       "providers (1 = providers' performance seen without error).",
       reason="Status-quo judgement: the council hears little from users. 1 means providers' "
       "performance is seen without error."),
    _p("central_intervention", "lever", 0.8, 0.0, 1.0, "probability",
       "Condition 4: chance per month that central government re-imposes ring-fencing when "
       "crises exceed its trigger.",
       reason="Status-quo judgement: the centre steps in readily when crises rise; the report "
       "asks it to intervene only on legal breach or safety concerns."),
    _p("intervention_trigger", "lever", 0.005, 0.0, 1.0, "crises per citizen per month",
       "Condition 4: the settlement's rule for when central government may step in.",
       reason="Modelling judgement: about four times the status quo's usual crisis rate, so the "
       "centre acts on a real deterioration, not on noise; reached under deep cuts."),
    _p("formula_deprivation_weight", "lever", 0.217, 0.0, 3.0, "extra weight per head",
       "Condition 4: how much more per head the centre's needs formula gives the most deprived "
       "neighbourhood (1 + weight x deprivation, deprivation 0 to 1).",
       reason="Set so that spending per head in the most deprived fifth is 17% above the least "
       "deprived's, the deprivation premium of English councils in 2014/15 after it fell from "
       "45% in 2010/11 (JRF, Hastings et al., The cost of the cuts, 2015, read in a secondary "
       "source): the fifths' mean deprivation is 0.9 and 0.1, so (1 + 0.9w)/(1 + 0.1w) = 1.17 "
       "gives w = 0.217 (0.596 for 45%). Was 1.0, a premium of 73%."),
    _p("grant_per_citizen", "lever", 60.0, 0.0, 10_000.0, "GBP per citizen per month",
       "Central government grant to the locality.",
       reason="Modelling judgement, not from local government accounts: set with the cost "
       "parameters so the status quo is stretched but not in crisis; to be calibrated."),
    # --- uncertainties: behaviour ------------------------------------------------------------
    _p("willingness_mean", "uncertainty", 0.45, 0.0, 1.0, "share",
       "Average willingness to be actively involved (report's survey: almost half).",
       reason="Report's survey: almost half of young people surveyed were willing to be actively "
       "involved (LVQ Research, April 2011); CLS: about half want more say. Applied to all "
       "adults, an assumption. Calibrated: the status quo uses the ABC value (data/priors.toml)."),
    _p("threshold_scale", "uncertainty", 0.45, 0.0, 1.0, "share of ties",
       "Share of engaged ties a citizen with even odds of being willing (willingness 0.5) "
       "needs to see before joining; thresholds scale with the odds against willingness.",
       reason="Threshold rule of Granovetter (1978) and Watts (2002); default hand-tuned towards "
       "monthly formal volunteering of about 22% (CLS). Fixed, not fitted: the volunteering "
       "targets move with it as with willingness_mean (docs/ODD.md 6.2)."),
    _p("spontaneous_rate", "uncertainty", 0.01, 0.0, 1.0, "per month",
       "Chance per month that a fully willing citizen starts engaging without social cues.",
       reason="Default hand-tuned with threshold_scale and dropout_rate towards monthly formal "
       "volunteering of about 22% (CLS online, 2016/17-2019/20). Fixed, not fitted: survey "
       "levels do not tell spontaneous from spread starts (docs/ODD.md 6.2)."),
    _p("dropout_rate", "uncertainty", 0.05, 0.0, 1.0, "per month",
       "Chance per month that an engaged citizen stops.",
       reason="Not tied to deprivation: volunteers in deprived areas are as regular as others "
       "(Citizenship Survey 2009/10, via poverty.org.uk). Default hand-tuned; calibrated: the "
       "status quo uses the ABC value (data/priors.toml)."),
    _p("engagement_capacity_floor", "uncertainty", 0.25, 0.0, 1.0, "capacity units",
       "Spare capacity (capacity minus need) a citizen must have to engage.",
       reason="Deprivation acts on entering volunteering, not on frequency (Citizenship Survey "
       "2009/10, via poverty.org.uk; NCVO barriers). Default hand-tuned; fixed, not fitted "
       "(docs/ODD.md 6.2): the held-out volunteering gradient checks it."),
    _p("rest_months", "uncertainty", 6.0, 0.0, 120.0, "months",
       "Mean length of the pause after a spell of community action ends, before the citizen "
       "can start again (0 = may restart next month).",
       reason="Judgement, set so that yearly over monthly formal volunteering can reach the "
       "CLS ratio of about 1.68 (37% / 22%, online 2016/17-2019/20): people who stop do not "
       "come back the next month. Wide range for calibration."),
    _p("commitment_median", "uncertainty", 3.0, 0.05, 5.0, "sessions per month",
       "Median sessions a month a citizen in a spell of community action gives (heavy-tailed "
       "across people; below 1 means taking part only in some months).",
       reason="Judgement: most formal volunteers give a session or so a month, a few give a "
       "great deal; a small 'civic core' gives most hours (Mohan & Bulloch 2012, not re-read "
       "here). Sets how many in a spell take part in a given month."),
    _p("commitment_spread", "uncertainty", 1.0, 0.0, 2.5, "log units",
       "Spread (log-normal sigma) of commitment across citizens: the heavy tail of hours.",
       reason="Judgement: sigma 1 puts about half of all hours with the top fifth of "
       "volunteers; to be checked against the distribution of volunteering hours."),
    _p("control_mean", "uncertainty", 0.35, 0.05, 0.95, "control units",
       "Average starting control over decisions (higher in favourable contexts).",
       reason="Default a modelling judgement. Calibrated against the share who feel able to "
       "influence local decisions (CLS online, about a quarter): the status quo uses the ABC "
       "value (data/priors.toml)."),
    _p("voice_rate", "uncertainty", 0.05, 0.0, 1.0, "per month",
       "Monthly chance of voicing priorities for a citizen with full control and capacity.",
       reason="Default hand-tuned so about 35-40% voice priorities in 12 months (CLS online civic "
       "participation 33-42%). Calibrated: the status quo uses the ABC value (data/priors.toml)."),
    _p("engaged_voice_boost", "uncertainty", 6.0, 0.0, 20.0, "multiplier",
       "How much more often citizens engaged in community action voice priorities.",
       reason="Modelling judgement: volunteering and civic participation go together in the "
       "Community Life Survey. Calibrated with voice_rate against participation, consultation "
       "and activism: the status quo uses the ABC value (data/priors.toml)."),
    # --- uncertainties: need and crises ------------------------------------------------------
    _p("need_growth", "uncertainty", 0.0625, 0.0, 0.5, "need units per month",
       "Speed at which unmet need grows in the least deprived context.",
       reason="Set (v3) so that the status quo's older citizens living with unmet need match "
       "Age UK's 14% of people aged 65+ (2018, band 12-18%; a held-out target in "
       "data/targets.toml); a scan put the band at 0.058-0.068, the prior drawn per world "
       "(data/effects.toml). Was 0.08, hand-tuned, which gave about 26%."),
    _p("deprivation_need_gradient", "uncertainty", 1.5, 0.0, 10.0, "multiplier",
       "How much faster need grows at the most deprived context (1 + gradient x deprivation).",
       reason="Modelling judgement: needs arise faster in deprived places (the direction is well "
       "established, the size is not); to be calibrated against the gap by deprivation."),
    _p("self_help_rate", "uncertainty", 0.1, 0.0, 1.0, "need units per month",
       "Need a citizen with full capacity meets each month by its own and its household's "
       "means, before any public support.",
       reason="Modelling judgement: citizens meet part of their need by their own and their "
       "household's means, more with more capacity; to be calibrated."),
    _p("crisis_threshold", "uncertainty", 0.3, 0.0, 1.0, "need units",
       "Need above which a citizen is at risk of crisis.",
       reason="Set (v3) with crisis_prob so that the status quo's crisis rate matches the "
       "preventable emergency admissions of England (about 0.002 per adult per month, HES "
       "2012/13 and QualityWatch 2013; a held-out target in data/targets.toml): crises become "
       "possible above the help-seeking level. Was 0.55, which gave a tenth of that rate."),
    _p("crisis_prob", "uncertainty", 0.4, 0.0, 1.0, "per month",
       "Monthly chance of crisis for a citizen at full need (rising from 0 at the threshold).",
       reason="Set (v3) with crisis_threshold to the preventable admission rate (see there); "
       "drawn per world over the range the band allows (data/effects.toml)."),
    _p("budget_shock", "uncertainty", 0.0, -1.0, 1.0, "share of grant",
       "Change to the central grant from shock_step on (-0.2 = a 20% cut).",
       reason="No shock by default. The range runs from losing the whole grant to doubling it."),
    _p("shock_step", "uncertainty", 0, 0, 100_000, "month", "Month the budget shock starts.",
       reason="From the start by default; it has no effect while budget_shock is 0."),
    # --- uncertainties: access and fragmentation ------------------------------------------
    _p("seek_threshold", "uncertainty", 0.2, 0.0, 1.0, "need units",
       "Need above which a citizen looks for formal support.",
       reason="Modelling judgement: citizens look for formal help once need is clearly above "
       "everyday levels; to be calibrated."),
    _p("access_base", "uncertainty", 0.4, 0.0, 1.0, "probability",
       "Chance that a citizen with no ties and no navigator finds formal support in a month.",
       reason="Modelling judgement: with no ties and no navigator, finding formal support in a "
       "month is less likely than not; to be calibrated."),
    _p("ties_half_saturation", "uncertainty", 5.0, 0.01, 1000.0, "capacity units",
       "Resources from ties (summed capacity of ties) that give connectedness one half.",
       reason="Modelling judgement: an average number of ties of average capacity gives "
       "connectedness of about one half; to be calibrated."),
    _p("initial_fragmentation", "uncertainty", 0.3, 0.0, 0.9, "share",
       "Share of formal support lost to hand-offs and duplication in the silo system.",
       reason="Modelling judgement: no published measure of support lost to hand-offs and "
       "duplication between silo services was found."),
    _p("tie_formation", "uncertainty", 0.6, 0.0, 5.0, "new ties per year",
       "New ties a citizen who takes part in community action makes in a year with no weavers "
       "or community money (each adds to that); 0 with tie_fade 0 keeps the network fixed.",
       reason="Judgement, set with tie_fade so the status quo keeps about its mean degree over "
       "ten years; community action and weavers make new ties (the report's connectedness)."),
    _p("tie_fade", "uncertainty", 0.06, 0.0, 1.0, "share per year",
       "Share of unused ties (neither end took part in community action that year) that fade "
       "each year.",
       reason="Judgement: ties not kept up fade over years; set with tie_formation."),
    # --- uncertainties: costs ----------------------------------------------------------------
    _p("servant_cost", "uncertainty", 1500.0, 0.0, 100_000.0, "GBP per servant per month",
       "Cost of one public servant.",
       reason="Round figure, modelling judgement, not from pay data; to be calibrated with the "
       "grant and the unit costs."),
    _p("training_cost", "uncertainty", 300.0, 0.0, 100_000.0, "GBP per servant per month",
       "Cost of full-intensity training for one servant.",
       reason="Round figure, modelling judgement; to be calibrated."),
    _p("responsive_unit_cost", "uncertainty", 400.0, 1.0, 100_000.0, "GBP per unit",
       "Cost of one unit of responsive support from a public provider.",
       reason="Round figure, modelling judgement: with the grant it sets how much responsive "
       "support the budget buys; to be calibrated."),
    _p("preventive_unit_cost", "uncertainty", 200.0, 1.0, 100_000.0, "GBP per unit",
       "Cost of one unit of preventative support from a public provider.",
       reason="Modelling judgement: a unit of preventative support is assumed cheaper than a "
       "responsive one; to be calibrated."),
    _p("crisis_cost", "uncertainty", 1000.0, 0.0, 1_000_000.0, "GBP per crisis",
       "Cost of the acute response to one crisis (an emergency admission: paid by the centre, "
       "the NHS, on top of the grant).",
       reason="Modelling judgement: an acute response costs more than a unit of planned support; "
       "to be calibrated."),
    _p("crisis_relief", "uncertainty", 0.5, 0.0, 1.0, "need units",
       "Need removed by a funded acute response.",
       reason="Modelling judgement: a funded acute response relieves much, but not all, of a "
       "citizen's need."),
    _p("pooled_finance_cost", "uncertainty", 0.03, 0.0, 1.0, "share of external money",
       "Fees for arranging pooled external money (intermediaries, legal, evaluation), paid "
       "when the money comes in, whatever the outcome.",
       reason="Judgement: arranging and evaluating a social impact bond costs a few per cent "
       "of the money raised; repayment to investors is separate (sib_return)."),
    _p("transition_cost", "uncertainty", 8.0, 0.0, 200.0, "GBP per citizen per unit",
       "One-off cost of restructuring services (redesign, re-procurement, new systems, "
       "redundancy and recruitment), per citizen and per unit of restructuring (the sum over "
       "the structural levers of how far each moves from today's arrangements), paid by the "
       "council over the first year.",
       reason="Judgement (data/effects.toml), zero in the range: reorganisations cost money "
       "before they save any; at 8 GBP a unit, Local Public Support's restructuring costs about "
       "a twentieth of a year's grant."),
    _p("outcome_contract_overhead", "uncertainty", 0.05, 0.0, 0.3, "share of contract money",
       "Share of the money for outcome-paid providers that the council spends designing, "
       "measuring and verifying outcomes and managing the contracts.",
       reason="Judgement (data/effects.toml), zero in the range: outcome contracts need "
       "outcome measurement and contract management that block contracts do not."),
    _p("coproduction_time", "uncertainty", 3.0, 0.0, 40.0, "hours per month",
       "Hours a month a citizen with full capacity gives to co-producing the support it "
       "receives at full co-production (time priced as citizens' time in the appraisal).",
       reason="Judgement (data/effects.toml), zero in the range: co-production asks for "
       "citizens' time (meetings, self-management, peer support); no UK figure was found."),
    _p("sib_return", "uncertainty", 0.03, 0.0, 0.15, "share per year",
       "Yearly return paid to investors on top of their capital when the outcome target is met.",
       reason="Peterborough SIB: investors got their capital back plus just over 3% a year "
       "(Pioneers Post 2017; empirical-targets 5a). Range to 15% for riskier bonds (judgement)."),
    _p("informal_give_rate", "uncertainty", 0.05, 0.0, 1.0, "need units per month",
       "Help an engaged citizen with full capacity can give its ties each month.",
       reason="Modelling judgement, hand-tuned so that help through ties meets a modest part of "
       "need; to be calibrated."),
    _p("navigator_caseload", "uncertainty", 40.0, 0.0, 10_000.0, "citizens per month",
       "Citizens a full-time navigator can guide each month.",
       reason="Modelling judgement; no caseload figure for navigators or local area coordinators "
       "was found."),
    _p("storyteller_reach", "uncertainty", 100.0, 0.0, 100_000.0, "citizens per month",
       "Citizens a full-time storyteller reaches each month.",
       reason="Modelling judgement of how many citizens one full-time storyteller reaches in a "
       "month."),
    _p("casework_units", "uncertainty", 2.0, 0.0, 10_000.0, "support units per month",
       "Responsive support one full-time servant gives through professional casework.",
       reason="Set (v3) so that the status quo rations support, as English councils do by "
       "eligibility criteria (Fair Access to Care Services, 2003-2015): a quarter less money "
       "leaves about a quarter more need unmet. At 10 (before v3) the status quo had about "
       "twice the support its citizens reached, so money changed almost nothing (a quarter's "
       "cut: 2% more need unmet). Drawn per world (data/effects.toml)."),
    # --- uncertainties: effect sizes ---------------------------------------------------------
    _p("navigator_effect", "uncertainty", 0.8, 0.0, 1.0, "share",
       "Share of the access gap a navigator closes for a citizen it reaches.",
       reason="Modelling judgement. For scale, voluntary support with intensive outreach engaged "
       "74-87% of those offered it in the Peterborough SIB (Pioneers Post 2017)."),
    _p("tie_support_effect", "uncertainty", 0.3, 0.0, 5.0, "need units per unit given",
       "Informal support a citizen receives per unit of help given by engaged ties.",
       reason="Ties matter for well-being independently (Helliwell & Putnam 2004); the support "
       "per unit of help given is a judgement."),
    _p("coproduction_effect", "uncertainty", 0.5, 0.0, 2.0, "multiplier",
       "How strongly co-production raises (high capacity) or lowers (low capacity) the "
       "effectiveness of support.",
       reason="Evidence on co-production is weak and case-study based (Durose et al. 2017), so "
       "the prior is wide; the default is a middle judgement."),
    _p("coproduction_burden", "uncertainty", 0.15, 0.0, 1.0, "well-being units",
       "Well-being cost of co-producing at full intensity with no capacity.",
       reason="Modelling judgement. Barriers such as cost and health or caring weigh more in "
       "deprived areas (NCVO Time Well Spent), so the burden falls on low capacity."),
    _p("coproduction_saving", "uncertainty", 0.3, 0.0, 0.9, "share of unit cost",
       "Unit cost saved by providers at full co-production.",
       reason="Modelling judgement. NESTA/nef (2010) claim savings up to six times the "
       "investment, an advocacy upper bound; capped below 1 so support never becomes free."),
    _p("prevention_effect", "uncertainty", 0.25, 0.0, 1.0, "share",
       "Largest reduction in need growth from a full prevention stock.",
       reason="Set (v3) so that tripling the status quo's prevention share (0.1 to 0.3, as Local "
       "Public Support does) cuts crises by about 12%, the order of the Peterborough SIB's 9% "
       "fewer adverse events on a high-need group (Barrow Cadbury Trust 2017); at 0.5 (before "
       "v3) the same change cut crises by half, beyond any evaluation. Drawn per world."),
    _p("storyteller_effect", "uncertainty", 0.02, 0.0, 1.0, "share of gap",
       "Rise in willingness and confidence of a citizen a storyteller reaches.",
       reason="Modelling judgement: a story closes a small share of the gap in willingness."),
    _p("weaver_effect", "uncertainty", 1.0, 0.0, 10.0, "multiplier",
       "Largest boost to informal support from weavers in a neighbourhood.",
       reason="Modelling judgement: weavers can at most double the help engaged citizens give."),
    _p("architect_effect", "uncertainty", 0.05, 0.0, 1.0, "share per month",
       "Monthly fall in fragmentation from one full-time architect per 1,000 citizens.",
       reason="Modelling judgement: architects cut fragmentation slowly; no published figure was "
       "found."),
    _p("capacity_building_effect", "uncertainty", 0.0015, 0.0, 0.0025, "share per month",
       "Monthly share of the gap to full capacity that capacity building closes at its "
       "largest level.",
       reason="Cut from 0.005 (a benefit/cost of about 27:1 at 3% of the budget over ten years, "
       "13,000 GBP per WELLBY) so that the top of the range gives about 6-10:1 (0.002: ~7:1), "
       "the most optimistic published figures (NESTA/nef up to 6x; Local Area Coordination "
       "SROI forecasts up to 4:1; empirical-targets 5a); default 0.0015 is about 3-4:1. Zero "
       "(no effect) is in the range."),
    _p("community_action_effect", "uncertainty", 0.2, -1.0, 1.0, "share",
       "Largest change in engagement thresholds from dedicated community resources: a share "
       "cut from the social proof needed to join (below 0: funded, formalised groups put "
       "casual joiners off, so thresholds rise).",
       reason="Judgement (data/effects.toml): no evaluation measures it. Harm is in the range: "
       "formal requirements (checks, training, paperwork) are among the barriers volunteers "
       "name (NCVO Time Well Spent 2019)."),
    _p("community_help_effect", "uncertainty", 0.3, -1.0, 2.0, "multiplier",
       "Change in the help engaged citizens give their ties at the largest level of dedicated "
       "community resources (help x (1 + effect x level)); below 0, funded groups crowd out "
       "the help neighbours gave of their own accord.",
       reason="Judgement (data/effects.toml): no evaluation measures how much community money "
       "adds to informal help; crowding-out of private effort by public money is in the range "
       "(see the prior's source). Until v3 this was a hard-coded coefficient of 1."),
    _p("community_tie_effect", "uncertainty", 0.3, 0.0, 3.0, "multiplier",
       "Rise in the new ties citizens taking part in community action make at the largest "
       "level of dedicated community resources (ties made x (1 + effect x level)).",
       reason="Judgement (data/effects.toml): community groups are where new ties form, but no "
       "evaluation sizes the effect of funding them; no effect is in the range. Until v3 this "
       "was a hard-coded coefficient of 1."),
    _p("outcome_contract_effort", "uncertainty", 0.15, 0.0, 1.0, "share",
       "Extra effectiveness of providers paid by outcomes.",
       reason="Modelling judgement. For scale, the Peterborough SIB cut reconvictions by 8.4-9% "
       "against a 7.5% target (Civil Society 2014; Barrow Cadbury Trust)."),
    _p("cream_skimming", "uncertainty", 0.6, 0.0, 1.0, "share",
       "How far providers paid by outcomes favour citizens with low need.",
       reason="Modelling judgement: favouring easy cases is a known risk of payment by results; "
       "no figure in the targets file."),
    _p("outcome_gaming", "uncertainty", 0.1, 0.0, 0.5, "share",
       "Share by which providers paid by outcomes overstate their results (paid for, and seen "
       "at review, but never delivered).",
       reason="Judgement, with zero in the range: gaming of payment-by-results measures is a "
       "known risk; no figure in the targets file."),
    _p("provider_exit_rate", "uncertainty", 0.5, 0.0, 1.0, "probability per review",
       "Chance at review that a provider paid by outcomes whose payments fell short of its "
       "allocation by more than a fifth over the year leaves the market.",
       reason="Judgement: providers losing money on outcome contracts withdraw; zero in the "
       "range."),
    _p("switching_disruption", "uncertainty", 0.3, 0.0, 0.8, "share",
       "Share of a newly contracted provider's support lost in its first months "
       "(TRANSITION_MONTHS) while it takes over.",
       reason="Judgement, zero in the range: changing provider interrupts care and loses staff "
       "and knowledge; no figure in the targets file."),
    _p("intervention_disruption", "uncertainty", 0.15, 0.0, 0.5, "share",
       "Share of formal support lost while central government runs an intervention (new "
       "managers, paused programmes, local priorities overridden).",
       reason="Judgement, zero in the range: takeovers disrupt services before they fix them."),
    _p("rescue_funding", "uncertainty", 0.1, 0.0, 0.5, "share of grant",
       "Extra central money per month while central government intervenes in a failing "
       "locality.",
       reason="Judgement: interventions usually bring some money and expertise; zero in the "
       "range (intervention by direction alone)."),
    _p("connective_access_effect", "uncertainty", 0.15, 0.0, 0.5, "share",
       "Share of the gap in reaching formal support that a fully connective council closes "
       "(it knows its communities and points people to help).",
       reason="Judgement, zero in the range; for scale, Local Area Coordination is forecast to "
       "return up to 4 pounds per pound (Derby, Thurrock SROI; empirical-targets 5a)."),
    _p("connective_cost", "uncertainty", 1.0, 0.0, 5.0, "GBP per citizen per month",
       "Cost of running a fully connective council (user feedback, community links), paid "
       "each month in proportion to connective_government.",
       reason="Judgement: about 2% of the status-quo grant at full intensity; zero in the range."),
    _p("deliberation_staff_time", "uncertainty", 0.1, 0.0, 0.3, "share of servant time",
       "Share of servants' time that fully inclusive deliberation takes from casework (outreach "
       "to quiet voices, facilitation).",
       reason="Judgement: inclusive deliberation is labour-intensive; zero in the range."),
    _p("entitlement_assessment", "uncertainty", 0.1, 0.0, 0.3, "share of the floor",
       "Share of the entitlement floor used up in assessing who is entitled (eligibility "
       "checks, reviews, appeals) rather than delivered.",
       reason="Judgement: rights need assessment, which costs; zero in the range."),
    _p("nonpublic_value", "uncertainty", 1.0, 0.6, 1.6, "multiplier",
       "Value per pound of private, third-sector and community providers relative to public "
       "ones (1 = the same need met per pound, on average).",
       reason="Judgement: evidence on whether outsourced provision is better or worse value is "
       "mixed, so the range is wide around parity; plural provision can only help "
       "above 1 or through learning that keeps the good providers."),
    _p("council_error", "uncertainty", 0.3, 0.0, 1.5, "log units",
       "How far the council misjudges places when it steers money itself (log-normal sigma of a "
       "lasting misjudgement per neighbourhood); local control amplifies it.",
       reason="Judgement: a weak council misreads its places; zero in the range (a perfect "
       "council)."),
    _p("training_time", "uncertainty", 0.1, 0.0, 0.3, "share of servant time",
       "Share of servants' working time spent in training at full intensity, away from "
       "casework and the new roles.",
       reason="Judgement: roughly half a day a week at full intensity; zero in the range."),
    # --- uncertainties: well-being ------------------------------------------------------------
    _p("wellbeing_base", "uncertainty", 0.33, 0.0, 1.0, "well-being units",
       "Well-being target of a citizen with all needs met but no other resource.",
       reason="Default hand-tuned towards mean life satisfaction of 7.5-7.7 (ONS APS "
       "2013/14-2018/19). Calibrated: the status quo uses the ABC value (data/priors.toml)."),
    _p("wellbeing_need_weight", "uncertainty", 0.3, 0.0, 1.0, "well-being units",
       "Well-being lost when need is wholly unmet.",
       reason="Modelling judgement: the largest weight, so unmet need drives the low tail; tuned "
       "towards 5-8% with LS 0-4 (APS 2011/12: 6.6%; DCLG 2013: 7%)."),
    _p("wellbeing_ties_weight", "uncertainty", 0.03, 0.0, 1.0, "well-being units",
       "Direct well-being from full connectedness (company and belonging), on top of what ties "
       "do through the modelled channels (help through ties, finding support, engagement).",
       reason="One channel per effect (v3): ties already act through informal help, access to "
       "support and engagement, so only their direct part is counted here. Helliwell & Putnam "
       "(2004) find ties related to life satisfaction with health and income held constant, so "
       "a direct part is plausible; its size is judgement, drawn per world from a prior that "
       "includes 0 (data/effects.toml). Was 0.12 until v3, a total association."),
    _p("wellbeing_control_weight", "uncertainty", 0.05, 0.0, 1.0, "well-being units",
       "Direct well-being from full control over decisions (autonomy), the only path by which "
       "control reaches well-being.",
       reason="Judgement: a small weight, drawn per world from a prior that includes 0 "
       "(data/effects.toml)."),
    _p("wellbeing_context_weight", "uncertainty", 0.1, 0.0, 1.0, "well-being units",
       "Well-being from the most favourable context.",
       reason="Area differences in life satisfaction are mostly compositional (DCLG, Gill & "
       "Green 2013), so the direct weight of context is small."),
    _p("wellbeing_capacity_weight", "uncertainty", 0.02, 0.0, 1.0, "well-being units",
       "Direct well-being from full capacity (confidence, self-efficacy), on top of what "
       "capacity does through the modelled channels (self-help, co-production, engagement, "
       "voice, help given).",
       reason="One channel per effect (v3): the APS employment gradient (45% of unemployed vs "
       "20% of employed with LS below 7, 2011/12) is a total association, most of which the "
       "modelled channels already carry; the direct part is judgement, drawn per world from a "
       "prior that includes 0 (data/effects.toml). Was 0.10 until v3."),
    _p("wellbeing_engagement_weight", "uncertainty", 0.02, 0.0, 1.0, "well-being units",
       "Well-being from being engaged (kept small: trials find little effect).",
       reason="Kept small, with zero in the range: cohort studies link volunteering with "
       "well-being but trials do not confirm it (Jenkinson et al. 2013)."),
    _p("wellbeing_disposition_sd", "uncertainty", 0.14, 0.0, 0.5, "well-being units",
       "Spread of citizens' personal set points (well-being not explained by the model).",
       reason="Default hand-tuned to the spread of life satisfaction (APS: 5-8% with LS 0-4). "
       "Calibrated: the status quo uses the ABC value (data/priors.toml)."),
    _p("wellbeing_disposition_skew", "uncertainty", 0.0, -1.5, 0.0, "shape",
       "Skew of citizens' personal set points: 0 = normal; below 0, a long lower tail (Tukey's "
       "g-distribution, rescaled to mean 0 and sd wellbeing_disposition_sd).",
       reason="UK life satisfaction is left-skewed (APS: mean 7.6 with 77% at 7-10 and 6.6% at "
       "0-4, which no symmetric spread gives); fitted by calibration (data/priors.toml)."),
    _p("wellbeing_adjustment", "uncertainty", 0.2, 0.0, 1.0, "share per month",
       "Speed at which well-being moves towards its target.",
       reason="Modelling judgement: well-being recovers from shocks within months, in line with "
       "the partial recovery within a year after 2020/21 (APS 7.39 to 7.54)."),
    _p("wellbeing_noise", "uncertainty", 0.02, 0.0, 0.5, "well-being units",
       "Standard deviation of monthly personal events in well-being.",
       reason="Modelling judgement: small personal events each month around the target."),
    _p("capacity_learning", "uncertainty", 0.02, 0.0, 0.2, "share per month",
       "Share of the gap to full capacity a citizen closes in a month of full engagement or "
       "co-production effort (learning by doing).",
       reason="Judgement (data/effects.toml), zero in the range: volunteering and co-producing "
       "build skills and confidence, but no estimate of how fast was found. A constant "
       "(CAPACITY_LEARNING) until v3."),
    _p("control_from_voice", "uncertainty", 0.1, 0.0, 1.0, "share per month",
       "Share of the gap to full control a citizen closes in a month when its voice fully "
       "changes decisions (the sense of influence that being heard gives).",
       reason="Judgement (data/effects.toml), zero in the range: the Community Life Survey's "
       "'able to influence local decisions' stayed at 25-27% through 2013/14-2019/20, so being "
       "heard moves it slowly if at all. A constant of 0.3 (CONTROL_GAIN) until v3."),
    _p("unemployment_rate", "uncertainty", 0.043, 0.0, 0.5, "share of working age",
       "Share of working-age citizens (16-64) out of work: the economic context, given by a "
       "scenario (a yearly path in the 2010-2019 history).",
       reason="ILO unemployment, UK (ONS Labour Force Survey): about 4.3% over 2016/17-2018/19, "
       "the years the status quo is calibrated on (3.9% in June-August 2019, derived from the "
       "October 2020 bulletin; 8.4% in September-November 2011)."),
    _p("unemployment_wellbeing_loss", "uncertainty", 0.06, 0.0, 0.3, "well-being units",
       "Loss of well-being of a citizen out of work (0.06 = 0.6 points of life satisfaction).",
       reason="Layard & De Neve, Wellbeing: Science and Policy (2023), ch. 11: in studies that "
       "follow people over time, unemployment typically lowers life satisfaction by at least "
       "0.6 points out of 10; the APS gap between employed and unemployed people is larger "
       "(7.51 against 6.40, 2011/12, TUC summary), part of it selection. Drawn per world."),
    _p("unemployment_gradient", "uncertainty", 1.0, 0.0, 5.0, "multiplier",
       "How much likelier a working-age citizen in the most deprived context is to be out of "
       "work than one in the least (1 + gradient x deprivation).",
       reason="Judgement: unemployment is concentrated in deprived areas (employment is a "
       "domain of the Indices of Deprivation), at least twice as common in the most deprived "
       "places; no rate by fifth was read."),
    _p("crisis_wellbeing_loss", "uncertainty", 0.1, 0.0, 1.0, "well-being units",
       "Immediate loss of well-being in a crisis.",
       reason="Modelling judgement: a crisis costs about one point of life satisfaction at once."),
    # --- run ---------------------------------------------------------------------------------
    _p("steps", "run", 120, 1, 1_000_000, "months", "Number of monthly steps to simulate.",
       reason="Ten years of months: long enough for slow effects such as prevention and capacity "
       "building to show."),
    _p("paths", "run", "", unit="",
       meaning="Yearly paths of parameters that change during a run (a scenario file's [paths] "
       "table: one value per year, from month 1; after its last year a path keeps its last "
       "value), e.g. a settlement that cuts the grant year by year. Levers and uncertainties "
       "only; written here as 'name: v1 v2 ...; name2: ...'. Empty: nothing changes.",
       reason="Settlements change over time (issue 24: the 2010-2019 decade): a path is "
       "validated like any parameter, value by value."),
    _p("collect_agents", "run", False, unit="",
       meaning="Record per-citizen series every step (memory grows with citizens x steps).",
       reason="Off by default: per-citizen series grow with citizens x steps."),
)
# fmt: on

SPECS: dict[str, Spec] = {s.name: s for s in _SPECS}


def closest_name(name: str) -> str | None:
    """The valid parameter name closest to ``name``, if any is reasonably close."""
    match = difflib.get_close_matches(name, SPECS, n=1, cutoff=0.5)
    return match[0] if match else None


def unknown_key(name: str, where: str = "") -> str:
    """Message for a name that is no parameter: where it was found and the closest valid
    name, e.g. "unknown key 'co_productoin' in [levers]; did you mean 'co_production'?"."""
    hint = closest_name(name)
    place = f" in {where}" if where else ""
    return f"unknown key '{name}'{place}" + (f"; did you mean '{hint}'?" if hint else "")


class Parameters(Mapping[str, Any]):
    """A complete, validated, read-only set of parameter values.

    Read values as attributes (``p.n_citizens``) or as a mapping (``p["n_citizens"]``).
    Each value is also an instance attribute, so an attribute read is a plain lookup (the
    monthly step reads some 75 a month).
    """

    def __init__(self, values: Mapping[str, Any]):
        object.__setattr__(self, "_values", dict(values))
        self.__dict__.update(self._values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Parameters are read-only; use resolve(...) to make a new set")

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Parameters({self._values!r})"

    def __reduce__(self):
        return (Parameters, (self._values,))


def defaults() -> dict[str, Any]:
    """Every parameter at its default value."""
    return {name: spec.default for name, spec in SPECS.items()}


def resolve(overrides: Mapping[str, Any] | None = None) -> Parameters:
    """Defaults updated with ``overrides``, each checked against the schema.

    Raises ParameterError (a ValueError) naming the first bad parameter, its value and the
    allowed values, before anything is built.
    """
    values = defaults()
    for name, value in (overrides or {}).items():
        spec = SPECS.get(name)
        if spec is None:
            raise ParameterError(unknown_key(name).replace("unknown key", "unknown parameter"))
        values[name] = spec.check(value)
    _check_together(values)
    return Parameters(values)


PATH_GROUPS = ("lever", "uncertainty")  # what may follow a yearly path
# Parameters that set up the run and are read only when it is built: no path may move them.
UNPATHED = ("steps", "shock_step", "n_providers", "pooled_budget", "servant_new_roles",
            "outcome_commissioning")  # fmt: skip


def parse_paths(text: str) -> dict[str, tuple[float, ...]]:
    """The yearly paths of the ``paths`` parameter: 'name: v1 v2 ...; name2: ...' as
    {name: (v1, v2, ...)}, each value checked against its parameter's schema; raises
    ParameterError naming the path and the value when one is wrong."""
    out: dict[str, tuple[float, ...]] = {}
    for part in filter(None, (piece.strip() for piece in text.split(";"))):
        name, sep, rest = part.partition(":")
        name = name.strip()
        spec = SPECS.get(name)
        if not sep or spec is None:
            hint = closest_name(name) if name else None
            raise ParameterError(
                f"paths: {part!r} is not allowed: expected 'name: value value ...' with a "
                f"lever or uncertainty as name" + (f"; did you mean '{hint}'?" if hint else "")
            )
        if spec.group not in PATH_GROUPS or spec.kind not in (int, float) or name in UNPATHED:
            raise ParameterError(
                f"paths: {name} cannot follow a path: expected a numeric lever or uncertainty "
                f"read every month (not {', '.join(UNPATHED)})"
            )
        if name in out:
            raise ParameterError(f"paths: {name} has two paths")
        words = rest.split()
        if not words:
            raise ParameterError(f"paths: {name} has no values: expected one value per year")
        values = []
        for word in words:
            try:
                number = float(word)
            except ValueError:
                raise ParameterError(f"paths: {name} value {word!r} is not a number") from None
            try:
                values.append(spec.check(number))
            except ParameterError as err:
                raise ParameterError(f"paths: {err}") from None
        out[name] = tuple(values)
    return out


def paths_text(paths: Mapping[str, Any]) -> str:
    """The ``paths`` parameter's text for {name: [v1, v2, ...]} (the inverse of
    ``parse_paths``), names in the order given."""
    return "; ".join(f"{name}: {' '.join(f'{v:g}' for v in values)}"
                     for name, values in paths.items())  # fmt: skip


def _check_together(v: dict[str, Any]) -> None:
    """Constraints that involve more than one parameter."""
    if v["paths"]:
        parse_paths(v["paths"])
    n = v["n_citizens"]
    if v["n_neighbourhoods"] > n:
        raise ParameterError(
            f"n_neighbourhoods = {v['n_neighbourhoods']} is not allowed: expected at most "
            f"n_citizens ({n})"
        )
    if v["mean_degree"] >= n:
        raise ParameterError(
            f"mean_degree = {v['mean_degree']} is not allowed: expected less than n_citizens ({n})"
        )
    if v["local_authority"] and not v["locality_table"]:
        raise ParameterError(
            f"local_authority = {v['local_authority']!r} is not allowed without a locality_table "
            "(a deprivation table holding that authority's neighbourhoods)"
        )
    if v["young_share"] + v["older_share"] > 1:
        raise ParameterError(
            f"young_share + older_share = {v['young_share'] + v['older_share']:g} is not "
            "allowed: expected at most 1"
        )
