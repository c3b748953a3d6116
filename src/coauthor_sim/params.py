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
        word = "an integer" if self.kind is int else "a number"
        return f"{word} from {self.low:g} to {self.high:g}"

    def check(self, value: Any) -> Any:
        """Return ``value`` converted to this parameter's type, or raise ParameterError."""
        bad = f"{self.name} = {value!r} is not allowed: expected {self.allowed()}"
        if self.kind is bool:
            if not isinstance(value, bool):
                raise ParameterError(bad)
            return value
        if self.kind is str:
            if not isinstance(value, str) or value not in (self.choices or ()):
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
       "Number of adult citizens in the locality."),
    _p("n_neighbourhoods", "population", 20, 5, 100_000, "neighbourhoods",
       "Number of neighbourhoods; each has one level of deprivation (context)."),
    _p("n_servants", "population", 10, 0, 1_000_000, "servants",
       "Number of public servants (any sector) working in the locality."),
    _p("n_providers", "population", 12, 2, 10_000, "providers",
       "Number of support providers; a third (at least one) do preventative work."),
    _p("deprivation_spread", "population", 0.6, 0.0, 1.0, "context units",
       "Difference in context between the least and the most deprived neighbourhood."),
    _p("young_share", "population", 0.14, 0.0, 1.0, "share", "Share of citizens aged 16-24."),
    _p("older_share", "population", 0.24, 0.0, 1.0, "share", "Share of citizens aged 65+."),
    # --- network ------------------------------------------------------------------------------
    _p("network_kind", "network", "neighbourhood_blocks", unit="",
       meaning="Generator of the social network.", choices=NETWORK_KINDS),
    _p("mean_degree", "network", 10.0, 2.0, 200.0, "ties per citizen",
       "Average number of social ties per citizen."),
    _p("rewiring_prob", "network", 0.1, 0.0, 1.0, "probability",
       "Small-world only: chance that a tie is rewired to a random citizen."),
    _p("bridging_share", "network", 0.1, 0.0, 1.0, "share of ties",
       "Neighbourhood blocks only: share of ties that bridge to other neighbourhoods."),
    # --- levers: the ten features of Local Public Support -----------------------------------
    _p("deliberation_inclusion", "lever", 0.0, 0.0, 1.0, "intensity",
       "1. Rights by deliberation: weight that makes quiet and marginalised voices count as "
       "much as loud ones (0 = voices count as they come)."),
    _p("local_priority_setting", "lever", 0.2, 0.0, 1.0, "share",
       "2. Share of the locally steered budget that follows citizens' voiced priorities "
       "rather than a per-head formula."),
    _p("outcome_commissioning", "lever", 0.0, 0.0, 1.0, "share of providers",
       "3. Share of providers on outcome-based contracts (paid for need reduced, not capacity)."),
    _p("co_production", "lever", 0.1, 0.0, 1.0, "intensity",
       "4. How much citizens are asked to contribute to the design and delivery of their own "
       "support."),
    _p("community_resources", "lever", 0.0, 0.0, 0.3, "share of budget",
       "5. Share of the budget dedicated to citizen and community action."),
    _p("prevention_share", "lever", 0.1, 0.0, 1.0, "share of provider budget",
       "6. Share of provider spending on preventative rather than responsive support."),
    _p("plural_provision", "lever", 0.3, 0.0, 1.0, "share of providers",
       "7. Share of providers from the private, third and community sectors."),
    _p("pooled_budget", "lever", 0.0, 0.0, 0.5, "share of grant",
       "8. External (private, charitable, philanthropic) money pooled into the local budget, "
       "as a share of the central grant; it carries a finance cost."),
    _p("local_control", "lever", 0.2, 0.0, 1.0, "share of budget",
       "9. Share of the budget steered by local politicians rather than ring-fenced centrally."),
    _p("learning", "lever", 0.0, 0.0, 1.0, "probability per review",
       "10. Chance that each review replaces the worst-performing provider of each kind."),
    # --- levers: conditions for success and the settlement ----------------------------------
    _p("capacity_building", "lever", 0.0, 0.0, 0.3, "share of budget",
       "Condition 1: share of the budget spent building citizens' capability and confidence "
       "(learning, mentoring), aimed at those with least capacity."),
    _p("servant_new_roles", "lever", 0.2, 0.0, 1.0, "share of servant time",
       "Condition 2: share of servants' time in the new roles (navigator, weaver, storyteller, "
       "architect) rather than professional casework."),
    _p("servant_training", "lever", 0.0, 0.0, 1.0, "intensity",
       "Condition 2: training that raises servants' skills; it costs money every month."),
    _p("connective_government", "lever", 0.2, 0.0, 1.0, "intensity",
       "Condition 3: quality of feedback from users that local government uses to judge "
       "providers (1 = providers' performance seen without error)."),
    _p("central_intervention", "lever", 0.8, 0.0, 1.0, "probability",
       "Condition 4: chance per month that central government re-imposes ring-fencing when "
       "crises exceed its trigger."),
    _p("grant_per_citizen", "lever", 60.0, 0.0, 10_000.0, "GBP per citizen per month",
       "Central government grant to the locality."),
    # --- uncertainties: behaviour ------------------------------------------------------------
    _p("willingness_mean", "uncertainty", 0.45, 0.0, 1.0, "share",
       "Average willingness to be actively involved (report's survey: almost half)."),
    _p("threshold_scale", "uncertainty", 0.9, 0.0, 1.0, "share of ties",
       "Share of engaged ties a wholly unwilling citizen would need to see before joining."),
    _p("spontaneous_rate", "uncertainty", 0.01, 0.0, 1.0, "per month",
       "Chance per month that a fully willing citizen starts engaging without social cues."),
    _p("dropout_rate", "uncertainty", 0.05, 0.0, 1.0, "per month",
       "Chance per month that an engaged citizen stops."),
    _p("engagement_capacity_floor", "uncertainty", 0.25, 0.0, 1.0, "capacity units",
       "Spare capacity (capacity minus need) a citizen must have to engage."),
    _p("voice_rate", "uncertainty", 0.08, 0.0, 1.0, "per month",
       "Monthly chance of voicing priorities for a citizen with full control and capacity."),
    # --- uncertainties: need and crises ------------------------------------------------------
    _p("need_growth", "uncertainty", 0.045, 0.0, 0.5, "need units per month",
       "Speed at which unmet need grows in the least deprived context."),
    _p("deprivation_need_gradient", "uncertainty", 1.5, 0.0, 10.0, "multiplier",
       "How much faster need grows at the most deprived context (1 + gradient x deprivation)."),
    _p("crisis_threshold", "uncertainty", 0.6, 0.0, 1.0, "need units",
       "Need above which a citizen is at risk of crisis."),
    _p("crisis_prob", "uncertainty", 0.15, 0.0, 1.0, "per month",
       "Monthly chance of crisis for a citizen above the crisis threshold."),
    _p("budget_shock", "uncertainty", 0.0, -1.0, 1.0, "share of grant",
       "Change to the central grant from shock_step on (-0.2 = a 20% cut)."),
    _p("shock_step", "uncertainty", 0, 0, 100_000, "month", "Month the budget shock starts."),
    # --- uncertainties: access and fragmentation ------------------------------------------
    _p("seek_threshold", "uncertainty", 0.2, 0.0, 1.0, "need units",
       "Need above which a citizen looks for formal support."),
    _p("access_base", "uncertainty", 0.4, 0.0, 1.0, "probability",
       "Chance that a citizen with no ties and no navigator finds formal support in a month."),
    _p("ties_half_saturation", "uncertainty", 5.0, 0.01, 1000.0, "capacity units",
       "Resources from ties (summed capacity of ties) that give connectedness one half."),
    _p("initial_fragmentation", "uncertainty", 0.3, 0.0, 0.9, "share",
       "Share of formal support lost to hand-offs and duplication in the silo system."),
    # --- uncertainties: costs ----------------------------------------------------------------
    _p("servant_cost", "uncertainty", 1500.0, 0.0, 100_000.0, "GBP per servant per month",
       "Cost of one public servant."),
    _p("training_cost", "uncertainty", 300.0, 0.0, 100_000.0, "GBP per servant per month",
       "Cost of full-intensity training for one servant."),
    _p("responsive_unit_cost", "uncertainty", 400.0, 1.0, 100_000.0, "GBP per unit",
       "Cost of one unit of responsive support from a public provider."),
    _p("preventive_unit_cost", "uncertainty", 200.0, 1.0, 100_000.0, "GBP per unit",
       "Cost of one unit of preventative support from a public provider."),
    _p("crisis_cost", "uncertainty", 1000.0, 0.0, 1_000_000.0, "GBP per crisis",
       "Cost of the acute response to one crisis (statutory: paid first)."),
    _p("crisis_relief", "uncertainty", 0.4, 0.0, 1.0, "need units",
       "Need removed by a funded acute response."),
    _p("pooled_finance_cost", "uncertainty", 0.1, 0.0, 1.0, "share per month",
       "Finance cost of pooled external money (returns to investors, fees)."),
    _p("informal_give_rate", "uncertainty", 0.05, 0.0, 1.0, "need units per month",
       "Help an engaged citizen with full capacity can give its ties each month."),
    _p("navigator_caseload", "uncertainty", 40.0, 0.0, 10_000.0, "citizens per month",
       "Citizens a full-time navigator can guide each month."),
    _p("storyteller_reach", "uncertainty", 100.0, 0.0, 100_000.0, "citizens per month",
       "Citizens a full-time storyteller reaches each month."),
    _p("casework_units", "uncertainty", 10.0, 0.0, 10_000.0, "support units per month",
       "Responsive support one full-time servant gives through professional casework."),
    # --- uncertainties: effect sizes ---------------------------------------------------------
    _p("navigator_effect", "uncertainty", 0.8, 0.0, 1.0, "share",
       "Share of the access gap a navigator closes for a citizen it reaches."),
    _p("tie_support_effect", "uncertainty", 0.3, 0.0, 5.0, "need units per unit given",
       "Informal support a citizen receives per unit of help given by engaged ties."),
    _p("coproduction_effect", "uncertainty", 0.5, 0.0, 2.0, "multiplier",
       "How strongly co-production raises (high capacity) or lowers (low capacity) the "
       "effectiveness of support."),
    _p("coproduction_burden", "uncertainty", 0.15, 0.0, 1.0, "well-being units",
       "Well-being cost of co-producing at full intensity with no capacity."),
    _p("coproduction_saving", "uncertainty", 0.3, 0.0, 0.9, "share of unit cost",
       "Unit cost saved by providers at full co-production."),
    _p("prevention_effect", "uncertainty", 0.5, 0.0, 1.0, "share",
       "Largest reduction in need growth from a full prevention stock."),
    _p("storyteller_effect", "uncertainty", 0.05, 0.0, 1.0, "share of gap",
       "Rise in willingness and confidence of a citizen a storyteller reaches."),
    _p("weaver_effect", "uncertainty", 1.0, 0.0, 10.0, "multiplier",
       "Largest boost to informal support from weavers in a neighbourhood."),
    _p("architect_effect", "uncertainty", 0.05, 0.0, 1.0, "share per month",
       "Monthly fall in fragmentation from one full-time architect per 1,000 citizens."),
    _p("capacity_building_effect", "uncertainty", 0.005, 0.0, 0.1, "share per month",
       "Monthly share of the gap to full capacity that capacity building closes at its "
       "largest level."),
    _p("community_action_effect", "uncertainty", 0.5, 0.0, 1.0, "share",
       "Largest reduction in engagement thresholds from dedicated community resources."),
    _p("outcome_contract_effort", "uncertainty", 0.15, 0.0, 1.0, "share",
       "Extra effectiveness of providers paid by outcomes."),
    _p("cream_skimming", "uncertainty", 0.6, 0.0, 1.0, "share",
       "How far providers paid by outcomes favour citizens with low need."),
    # --- uncertainties: well-being ------------------------------------------------------------
    _p("wellbeing_base", "uncertainty", 0.35, 0.0, 1.0, "well-being units",
       "Well-being target of a citizen with all needs met but no other resource."),
    _p("wellbeing_need_weight", "uncertainty", 0.3, 0.0, 1.0, "well-being units",
       "Well-being lost when need is wholly unmet."),
    _p("wellbeing_ties_weight", "uncertainty", 0.12, 0.0, 1.0, "well-being units",
       "Well-being from full connectedness."),
    _p("wellbeing_control_weight", "uncertainty", 0.05, 0.0, 1.0, "well-being units",
       "Well-being from full control."),
    _p("wellbeing_context_weight", "uncertainty", 0.1, 0.0, 1.0, "well-being units",
       "Well-being from the most favourable context."),
    _p("wellbeing_capacity_weight", "uncertainty", 0.1, 0.0, 1.0, "well-being units",
       "Well-being from full capacity."),
    _p("wellbeing_engagement_weight", "uncertainty", 0.02, 0.0, 1.0, "well-being units",
       "Well-being from being engaged (kept small: trials find little effect)."),
    _p("wellbeing_disposition_sd", "uncertainty", 0.14, 0.0, 0.5, "well-being units",
       "Spread of citizens' personal set points (well-being not explained by the model)."),
    _p("wellbeing_adjustment", "uncertainty", 0.2, 0.0, 1.0, "share per month",
       "Speed at which well-being moves towards its target."),
    _p("wellbeing_noise", "uncertainty", 0.02, 0.0, 0.5, "well-being units",
       "Standard deviation of monthly personal events in well-being."),
    _p("crisis_wellbeing_loss", "uncertainty", 0.1, 0.0, 1.0, "well-being units",
       "Immediate loss of well-being in a crisis."),
    # --- run ---------------------------------------------------------------------------------
    _p("steps", "run", 120, 1, 1_000_000, "months", "Number of monthly steps to simulate."),
    _p("collect_agents", "run", False, unit="",
       meaning="Record per-citizen series every step (memory grows with citizens x steps)."),
)
# fmt: on

SPECS: dict[str, Spec] = {s.name: s for s in _SPECS}


def closest_name(name: str) -> str | None:
    """The valid parameter name closest to ``name``, if any is reasonably close."""
    match = difflib.get_close_matches(name, SPECS, n=1, cutoff=0.5)
    return match[0] if match else None


class Parameters(Mapping[str, Any]):
    """A complete, validated, read-only set of parameter values.

    Read values as attributes (``p.n_citizens``) or as a mapping (``p["n_citizens"]``).
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]):
        object.__setattr__(self, "_values", dict(values))

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
            hint = closest_name(name)
            extra = f"; did you mean {hint!r}?" if hint else ""
            raise ParameterError(f"unknown parameter {name!r}{extra}")
        values[name] = spec.check(value)
    _check_together(values)
    return Parameters(values)


def _check_together(v: dict[str, Any]) -> None:
    """Constraints that involve more than one parameter."""
    n = v["n_citizens"]
    for name in ("n_servants", "n_neighbourhoods"):
        if v[name] > n:
            raise ParameterError(
                f"{name} = {v[name]} is not allowed: expected at most n_citizens ({n})"
            )
    if v["mean_degree"] >= n:
        raise ParameterError(
            f"mean_degree = {v['mean_degree']} is not allowed: expected less than n_citizens ({n})"
        )
    if v["young_share"] + v["older_share"] > 1:
        raise ParameterError(
            f"young_share + older_share = {v['young_share'] + v['older_share']:g} is not "
            "allowed: expected at most 1"
        )
