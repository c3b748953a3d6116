"""The parts of the browser app (``coauthor_sim.app``) that do not depend on the server.

* ``Settings`` and ``controls_for``: the values the sidebar controls show, and which widget
  each parameter gets. Both are derived from the one parameter schema (``coauthor_sim.params``),
  so a parameter added there appears in the app with its range, unit and meaning.
* ``SessionModel``: the model a browser session runs, built from its current settings.
* ``NetworkLayout``: where each citizen, servant and provider is drawn. It is computed once per
  model and reused every step; only colours and sizes change between steps.
* ``CHARTS`` and ``panel_spec``: the outcome charts, as Vega-Lite specifications (with the
  warm-up months shaded, the previous run faded behind, and fixed axes on request).
* ``parse_number``: what a student types into a number field, checked (no NaN, no infinity).
* ``run_compare``: "my settings" against a scenario over several paired seeds, for the
  comparison view; ``compare_rows`` and ``compare_chart_spec`` show it.

Charts are plain Vega-Lite dictionaries. They carry no ``$schema``: the browser side is the
Vega-Lite 5 shipped by ``solara-assets``, and a newer schema version in the spec only makes
vega-embed warn.
"""

from __future__ import annotations

import math
import os
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from .compare import SUMMARY_MONTHS
from .experiment import replication_seeds
from .model import CoauthorModel
from .outcomes import HIGHER_IS_BETTER
from .params import SPECS, ParameterError, Spec, defaults, resolve
from .scenario import Scenario, ScenarioError, find_scenarios, load_scenario
from .state import KINDS, SECTORS, SPENDING_KINDS

DEFAULT_SEED = 1
# Groups of parameters that get a control in the sidebar, in this order. Uncertainties are not
# shown (there are dozens); a scenario file can still set them.
SHOWN_GROUPS = ("lever", "population", "network")
GROUP_TITLES = {
    "lever": "Policy levers",
    "population": "Population",
    "network": "Social network",
    "run": "Run length",
}
# Upper limits the app sets below the schema's, so that a classroom browser stays responsive.
APP_MAX = {
    "n_citizens": 20_000,
    "n_neighbourhoods": 2_000,
    "servants_per_1000": 100.0,
    "steps": 1_200,
}
SLIDER_SPAN = 10.0  # numbers whose allowed range is at most this wide get a slider
MAX_DRAWN_CITIZENS = 1_500  # bigger models show a fixed random sample of citizens
MAX_DRAWN_TIES = 1_200  # and a fixed random sample of the ties among them
SECTOR_COLOURS = ("#1f77b4", "#d62728", "#9467bd", "#2ca02c")  # public, private, third, community
KIND_SHAPES = ("square", "diamond")  # preventative, responsive
# No export menu on charts: its "open in editor" link would leave the page for the internet.
NO_ACTIONS = {"embedOptions": {"actions": False}}


# --------------------------------------------------------------------------------------------
# Controls generated from the parameter schema
# --------------------------------------------------------------------------------------------
# Plain-language labels for the controls (the schema's names are for code and files).
NICE_LABELS: dict[str, str] = {
    "deliberation_inclusion": "Quiet voices count as much as loud ones",
    "entitlements": "Guaranteed support for those in most need",
    "local_priority_setting": "Local priorities follow what citizens say",
    "outcome_commissioning": "Providers paid for outcomes",
    "co_production": "Citizens help design their own support",
    "community_resources": "Money for community action",
    "prevention_share": "Money for prevention",
    "plural_provision": "Providers from other sectors",
    "pooled_budget": "Outside money pooled in",
    "local_control": "Budget steered by local politicians",
    "learning": "Reviews replace the worst provider",
    "capacity_building": "Building citizens' capacity",
    "servant_new_roles": "Public servants' time in new roles",
    "servant_training": "Training for public servants",
    "connective_government": "How well the council listens and connects",
    "central_intervention": "Readiness of the centre to step in",
    "intervention_trigger": "Crisis level that lets the centre step in",
    "grant_per_citizen": "Central grant (GBP per citizen per month)",
    "n_citizens": "Number of citizens",
    "n_neighbourhoods": "Number of neighbourhoods",
    "servants_per_1000": "Public servants per 1,000 citizens",
    "n_providers": "Number of providers",
    "deprivation_spread": "Gap between richest and poorest places",
    "young_share": "Share aged 16-24",
    "older_share": "Share aged 65 and over",
    "network_kind": "Kind of social network",
    "mean_degree": "Average number of social ties",
    "rewiring_prob": "Random far-away ties (small-world network only)",
    "bridging_share": "Ties to other neighbourhoods",
    "steps": "Months to run",
    "collect_agents": "Record every citizen every month",
}


def label_of(name: str) -> str:
    """A parameter's plain-language label (``prevention_share`` -> ``Money for prevention``);
    parameters without one get their name in words (``n_citizens`` -> ``Number of citizens``)."""
    if name in NICE_LABELS:
        return NICE_LABELS[name]
    text = name.replace("n_", "number of ", 1) if name.startswith("n_") else name
    text = text.replace("_", " ")
    return text[0].upper() + text[1:]


def parse_number(text: Any, spec: Spec) -> int | float:
    """A number typed into a field, checked against the parameter's schema entry.

    Accepts ``1000``, ``1,000``, `` 2.5 ``; refuses empty text, words, ``NaN``, infinities, a
    fraction for a whole-number parameter and anything outside the allowed range, with a
    ParameterError that says what is allowed (in plain words, with the label).
    """
    label = label_of(spec.name)
    allowed = f"a {'whole ' if spec.kind is int else ''}number from {spec.low:,g} to {spec.high:,g}"
    raw = str(text).strip().replace(",", "").replace("_", "")
    try:
        value = float(raw)
    except ValueError:
        raise ParameterError(f"{label}: '{text}' is not a number; enter {allowed}") from None
    if not math.isfinite(value):
        raise ParameterError(f"{label}: '{text}' is not a finite number; enter {allowed}")
    if spec.kind is int:
        if not value.is_integer():
            raise ParameterError(f"{label}: '{text}' is not a whole number; enter {allowed}")
        return int(value)
    return value


def _slider_step(span: float, start: float) -> float:
    """A round slider step (1, 2 or 5 times a power of ten, about a hundredth of ``span``) on
    whose grid ``start`` (the default's distance from the low end) lies, so that a slider never
    moves a default value when it appears."""
    power = 10 ** math.floor(math.log10(span / 100))
    steps = [m * power / 10**k for k in range(4) for m in (5, 2, 1)]
    for step in steps:
        if step <= span / 100 * (1 + 1e-9):
            ratio = start / step
            if abs(ratio - round(ratio)) < 1e-6:
                return step
    return steps[-1]


@dataclass(frozen=True)
class Control:
    """How one parameter is shown: its schema entry, widget kind and limits."""

    spec: Spec
    widget: str  # "checkbox", "select", "slider" or "number"
    low: float | None = None
    high: float | None = None
    step: float | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def label(self) -> str:
        return label_of(self.spec.name)

    @property
    def help(self) -> str:
        """The parameter's meaning, unit and allowed range, in plain words."""
        spec = self.spec
        unit = f" Unit: {spec.unit}." if spec.unit else ""
        if self.widget == "number":
            unit += f" Allowed here: {self.low:,g} to {self.high:,g}."
        meaning = re.sub(r"^(\d+\.|Condition \d+:)\s*", "", spec.meaning)  # no report numbering
        return f"{meaning}{unit}"


def control_for(spec: Spec) -> Control:
    """The widget a parameter gets: a checkbox (true/false), a select (a list of choices), a
    slider (a number with a narrow range) or a number field (a number with a wide range)."""
    if spec.kind is bool:
        return Control(spec, "checkbox")
    if spec.choices is not None:
        return Control(spec, "select")
    high = min(spec.high, APP_MAX.get(spec.name, spec.high))
    span = high - spec.low
    if spec.kind is float and span <= SLIDER_SPAN:
        return Control(spec, "slider", spec.low, high, _slider_step(span, spec.default - spec.low))
    if spec.kind is int and span <= 100:
        return Control(spec, "slider", spec.low, high, 1)
    return Control(spec, "number", spec.low, high)


def controls_for(group: str) -> list[Control]:
    """Controls for every parameter of a schema group, in schema order."""
    free_text = {name for name, spec in SPECS.items() if spec.kind is str and not spec.choices}
    return [control_for(s) for s in SPECS.values() if s.group == group and s.name not in free_text]


def format_value(value: Any) -> str:
    """A parameter value as people read it (``0.1``, ``1,000``, ``yes``)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) >= 1000 else f"{value:.4g}"
    return str(value)


@dataclass(frozen=True)
class Settings:
    """What the controls show: the parameters the next Reset builds a model with.

    ``values`` always passes ``resolve`` (a change that would break a rule is refused with a
    message instead), so Reset can never fail.
    """

    values: Mapping[str, Any]
    scenario: str | None = None  # name of the scenario file last loaded, if any
    edited: tuple[str, ...] = ()  # parameters changed by hand since then

    @classmethod
    def defaults(cls) -> Settings:
        """Every parameter at its model default."""
        return cls(values=dict(resolve()))

    @classmethod
    def initial(cls) -> Settings:
        """Where a session starts: the calibrated status quo when its scenario file is found
        (the world the published figures describe), else the model defaults."""
        try:
            return cls.defaults().with_scenario(load_named("status_quo"))
        except (ScenarioError, OSError):
            return cls.defaults()

    def with_value(self, name: str, value: Any) -> Settings:
        """These settings with one parameter changed; raises ParameterError if not allowed."""
        spec = SPECS[name]
        label = label_of(name)
        try:
            value = spec.check(value)
        except ParameterError:
            raise ParameterError(
                f"{label}: {format_value(value)} is not allowed; enter {spec.allowed()}"
            ) from None
        limit = APP_MAX.get(name)
        if limit is not None and value > limit:
            raise ParameterError(
                f"{label}: {format_value(value)} is more than the browser app allows "
                f"({limit:,}); use the command line for bigger runs"
            )
        try:
            values = dict(resolve({**self.values, name: value}))
        except ParameterError as err:
            raise ParameterError(f"{label}: not applied, because {err}") from None
        edited = self.edited if name in self.edited else (*self.edited, name)
        return replace(self, values=values, edited=edited)

    def with_scenario(self, scenario: Scenario) -> Settings:
        """The settings of a scenario file (every parameter, also those not shown)."""
        return Settings(values=dict(scenario.params), scenario=scenario.name)

    @property
    def source(self) -> str:
        """Where the settings come from, in words."""
        base = f"scenario '{self.scenario}'" if self.scenario else "model defaults"
        if self.edited:
            base += ", changed by hand: " + ", ".join(label_of(n) for n in self.edited)
        return base


def changed_from_defaults(values: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(name, value, default) for every parameter that differs from the model default."""
    base = defaults()
    return [(k, v, base[k]) for k, v in values.items() if base.get(k) != v]


def parse_seed(seed: int | str | None) -> int:
    """A seed typed in the browser as a model seed: a whole number is used as it is, any other
    text is turned into a number (so a student may type a word), empty means the default."""
    if seed is None:
        return DEFAULT_SEED
    if isinstance(seed, int) and not isinstance(seed, bool):
        return abs(seed)
    text = str(seed).strip()
    if not text:
        return DEFAULT_SEED
    if re.fullmatch(r"\d+", text):
        return int(text)
    return zlib.crc32(text.encode("utf-8"))


class SessionModel(CoauthorModel):
    """The model one browser session runs: a ``CoauthorModel`` built from the session's
    current settings.

    Mesa's Reset button rebuilds the model as ``type(model)(**model_parameters)``; passing the
    session's settings holder (anything with a ``.value`` that is a ``Settings``) as a fixed
    parameter lets Reset pick up whatever the controls show at that moment.
    """

    def __init__(self, settings: Any, seed: int | str | None = DEFAULT_SEED):
        current: Settings = settings.value if hasattr(settings, "value") else settings
        super().__init__(seed=parse_seed(seed), **current.values)
        self.settings = current


def scenario_folder() -> Path:
    """The folder of scenario files: ``$COAUTHOR_SIM_SCENARIOS``, else ``./scenarios``, else
    the scenarios installed with the package."""
    from .shipped import shipped_folder

    env = os.environ.get("COAUTHOR_SIM_SCENARIOS")
    candidates = [Path(env)] if env else []
    candidates += [Path.cwd() / "scenarios", shipped_folder("scenarios")]
    for folder in candidates:
        if folder.is_dir():
            return folder
    return candidates[0]


def scenario_names(folder: Path | None = None) -> list[str]:
    """Names of the scenario files, status quo first."""
    paths = find_scenarios(folder or scenario_folder())
    return [p.stem for p in sorted(paths, key=lambda p: (p.stem != "status_quo", p.stem))]


def load_named(name: str, folder: Path | None = None) -> Scenario:
    """Load scenario ``name`` from the scenario folder (raises ScenarioError)."""
    return load_scenario((folder or scenario_folder()) / f"{name}.toml")


# --------------------------------------------------------------------------------------------
# The network picture
# --------------------------------------------------------------------------------------------
def _sunflower(count: int, radius: float) -> np.ndarray:
    """``count`` points spread evenly over a disc (Vogel's spiral), shape (count, 2)."""
    k = np.arange(count) + 0.5
    r = radius * np.sqrt(k / max(count, 1))
    theta = k * math.pi * (3 - math.sqrt(5))
    return np.column_stack((r * np.cos(theta), r * np.sin(theta)))


@dataclass
class NetworkLayout:
    """Fixed positions for one model: neighbourhoods on a grid from least deprived (top left)
    to most deprived (bottom right), each neighbourhood's citizens on a disc in its cell,
    servants as triangles at the corner of the neighbourhood they work in, providers in a row
    below the grid. Built once per model (cheap: no force-directed layout)."""

    drawn: np.ndarray  # indices of the citizens drawn
    xy: np.ndarray  # (len(drawn), 2)
    ties: list[dict[str, float]]
    labels: list[dict[str, Any]]
    servants: list[dict[str, Any]]
    providers: list[dict[str, Any]]
    width: float
    height: float
    sampled: bool = field(default=False)

    @classmethod
    def build(cls, model: CoauthorModel) -> NetworkLayout:
        """Compute the layout of ``model`` (its network never changes during a run)."""
        c = model.citizens
        n, n_hood = c.n, model.n_hood
        rng = np.random.default_rng(12345)  # layout only: never touches the model's streams
        drawn = np.arange(n)
        if n > MAX_DRAWN_CITIZENS:
            drawn = np.sort(rng.choice(n, MAX_DRAWN_CITIZENS, replace=False))
        hood = c.neighbourhood
        fifth = np.zeros(n_hood, dtype=int)
        fifth[hood] = c.deprivation_quintile  # same for everybody in a neighbourhood
        order = np.lexsort((model.deprivation, fifth))  # least deprived first
        cols = math.ceil(math.sqrt(n_hood))
        rows = math.ceil(n_hood / cols)
        cell = np.empty(n_hood, dtype=int)
        cell[order] = np.arange(n_hood)
        centre = np.column_stack((cell % cols + 0.5, rows - cell // cols - 0.5 + 1.0))

        xy = np.empty((len(drawn), 2))
        drawn_hood = hood[drawn]
        for h in range(n_hood):
            members = np.flatnonzero(drawn_hood == h)
            if len(members):
                xy[members] = (
                    centre[h] + _sunflower(len(members), 0.4)[rng.permutation(len(members))]
                )

        position = np.full(n, -1)
        position[drawn] = np.arange(len(drawn))
        coo = model.adjacency.tocoo()
        keep = (coo.row < coo.col) & (position[coo.row] >= 0) & (position[coo.col] >= 0)
        a, b = position[coo.row[keep]], position[coo.col[keep]]
        if len(a) > MAX_DRAWN_TIES:
            pick = rng.choice(len(a), MAX_DRAWN_TIES, replace=False)
            a, b = a[pick], b[pick]
        ends = np.round(np.column_stack((xy[a], xy[b])), 2).tolist()
        ties = [{"x": p, "y": q, "x2": r, "y2": s} for p, q, r, s in ends]

        labels = [
            {"x": float(centre[h, 0] - 0.45), "y": float(centre[h, 1] + 0.45),
             "text": str(fifth[h] + 1)}
            for h in range(n_hood)
        ]  # fmt: skip
        servants = []
        per_hood: dict[int, int] = {}
        for agent in model.servant_agents:
            h = int(agent.neighbourhood)
            k = per_hood.get(h, 0)
            per_hood[h] = k + 1
            roles = ", ".join(f"{r} {t:.0%}" for r, t in agent.roles.items())
            servants.append(
                {"x": float(centre[h, 0] + 0.45 - 0.12 * (k % 4)),
                 "y": float(centre[h, 1] + 0.45 - 0.12 * (k // 4)),
                 "sector": agent.sector, "neighbourhood": h, "time": roles}
            )  # fmt: skip
        providers = []
        n_prov = len(model.provider_agents)
        for k, agent in enumerate(model.provider_agents):
            served = np.flatnonzero(model.providers.serves[model.providers.kind[k]] == k)
            providers.append(
                {"x": float((k + 0.5) * cols / n_prov), "y": 0.35, "kind": agent.kind,
                 "contract": agent.contract, "neighbourhoods": len(served), "index": k}
            )  # fmt: skip
        return cls(
            drawn=drawn,
            xy=np.round(xy, 2),
            ties=ties,
            labels=labels,
            servants=servants,
            providers=providers,
            width=float(cols),
            height=float(rows + 1),
            sampled=len(drawn) < n,
        )

    def data(self, model: CoauthorModel) -> dict[str, list[dict[str, Any]]]:
        """What changes from month to month: the drawn citizens and the providers, as the
        named datasets ``citizens`` and ``providers`` of ``frame``."""
        c = model.citizens
        idx = self.drawn
        wb = np.round(c.wellbeing[idx], 2).tolist()
        need = np.round(c.need[idx], 2).tolist()
        cap = np.round(c.capacity[idx], 2).tolist()
        eng = c.engaged[idx].tolist()
        hood = c.neighbourhood[idx].tolist()
        xs, ys = self.xy[:, 0].tolist(), self.xy[:, 1].tolist()
        citizens = [
            {"x": xs[i], "y": ys[i], "wellbeing": wb[i], "need": need[i], "capacity": cap[i],
             "engaged": "yes" if eng[i] else "no", "neighbourhood": hood[i]}
            for i in range(len(idx))
        ]  # fmt: skip
        pr = model.providers
        providers = [
            {**p, "sector": SECTORS[pr.sector[k]], "delivered": round(float(pr.delivered[k]), 1),
             "paid": round(float(pr.paid[k]))}
            for k, p in enumerate(self.providers)
        ]  # fmt: skip
        return {"citizens": citizens, "providers": providers}

    def spec(self, model: CoauthorModel, height: int = 290) -> dict[str, Any]:
        """Vega-Lite specification of the network in the model's current state."""
        return {**self.frame(height), "datasets": self.data(model)}

    def frame(self, height: int = 290) -> dict[str, Any]:
        """The specification without the month's data (named datasets ``citizens`` and
        ``providers``): it stays the same for the whole run, so only the data need be sent."""
        x = {"field": "x", "type": "quantitative", "axis": None,
             "scale": {"domain": [0, self.width], "nice": False}}  # fmt: skip
        y = {"field": "y", "type": "quantitative", "axis": None,
             "scale": {"domain": [0, self.height], "nice": False}}  # fmt: skip
        layers: list[dict[str, Any]] = [
            {
                "data": {"values": self.ties},
                "mark": {"type": "rule", "color": "#8a8a8a", "opacity": 0.18, "strokeWidth": 0.6},
                "encoding": {"x": x, "y": y, "x2": {"field": "x2"}, "y2": {"field": "y2"}},
            },
            {
                "data": {"values": self.labels},
                "mark": {"type": "text", "color": "#777", "fontSize": 9, "align": "left"},
                "encoding": {"x": x, "y": y, "text": {"field": "text"}},
            },
            {
                "data": {"name": "citizens"},
                "mark": {"type": "circle", "opacity": 0.9, "stroke": "#333", "strokeWidth": 0.3},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": {
                        "field": "wellbeing",
                        "type": "quantitative",
                        "title": "Well-being",
                        "scale": {"scheme": "redyellowgreen", "domain": [0, 1]},
                    },
                    "size": {
                        "field": "engaged",
                        "type": "ordinal",
                        "title": "Engaged",
                        "scale": {"domain": ["no", "yes"], "range": [14, 70]},
                    },
                    "tooltip": [
                        {"field": "wellbeing", "title": "well-being"},
                        {"field": "need", "title": "unmet need"},
                        {"field": "capacity"},
                        {"field": "engaged"},
                        {"field": "neighbourhood"},
                    ],
                },
            },
            {
                "data": {"values": self.servants},
                "mark": {
                    "type": "point",
                    "shape": "triangle-up",
                    "filled": True,
                    "color": "black",
                    "size": 90,
                    "opacity": 0.9,
                },
                "encoding": {
                    "x": x,
                    "y": y,
                    "tooltip": [
                        {"field": "sector", "title": "public servant, sector"},
                        {"field": "neighbourhood"},
                        {"field": "time", "title": "time in new roles"},
                    ],
                },
            },
            {
                "data": {"name": "providers"},
                "mark": {
                    "type": "point",
                    "filled": True,
                    "size": 160,
                    "opacity": 0.95,
                    "stroke": "black",
                    "strokeWidth": 0.5,
                },
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": {
                        "field": "sector",
                        "type": "nominal",
                        "title": "Provider sector",
                        "scale": {"domain": list(SECTORS), "range": list(SECTOR_COLOURS)},
                    },
                    "shape": {
                        "field": "kind",
                        "type": "nominal",
                        "title": "Provider kind",
                        "scale": {"domain": list(KINDS), "range": list(KIND_SHAPES)},
                    },
                    "tooltip": [
                        {"field": "kind", "title": "provider"},
                        {"field": "sector"},
                        {"field": "contract"},
                        {"field": "neighbourhoods"},
                        {"field": "delivered", "title": "units delivered last month"},
                        {"field": "paid", "title": "paid last month (GBP)"},
                    ],
                },
            },
        ]
        return {
            "width": "container",
            "height": height,
            "layer": layers,
            "resolve": {"scale": {"color": "independent", "size": "independent"}},
            "config": {
                "view": {"stroke": None},
                "legend": {
                    "orient": "right",
                    "gradientLength": 80,
                    "labelFontSize": 10,
                    "titleFontSize": 11,
                    "rowPadding": 1,
                    "titlePadding": 3,
                    "padding": 0,
                },
            },
            "usermeta": NO_ACTIONS,
        }


# --------------------------------------------------------------------------------------------
# Outcome charts
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Panel:
    """One small chart: outcome columns drawn against the month."""

    y_title: str
    series: tuple[tuple[str, str, str], ...]  # (outcome column, legend label, colour)
    scale: float = 1.0  # multiply values by this before drawing
    fmt: str = ".2f"  # d3 format of the axis and of the caption
    stacked: bool = False  # stacked areas (parts of a whole) instead of lines
    # The y range used when the student fixes the axes: numbers, or "budget" for 0 to the
    # month's budget (so a pile of money is drawn against what there was to spend).
    fixed: tuple[float, float] | str | None = None


@dataclass(frozen=True)
class ChartDef:
    """A chart component: a title, one or more panels and a plain-language explanation."""

    key: str
    title: str
    panels: tuple[Panel, ...]
    explanation: str


PURPOSE_LABELS = {
    "servants": "Public servants",
    "training": "Training",
    "connective": "Listening council",
    "finance": "Finance costs",
    "repayment": "Investors repaid",
    "transition": "Restructuring",
    "contract_management": "Contract management",
    "crisis": "Crises",
    "community_action": "Community action",
    "capacity_building": "Capacity building",
    "preventative": "Prevention",
    "responsive": "Responsive support",
}
PURPOSE_COLOURS = ("#7f7f7f", "#bcbd22", "#9467bd", "#8c564b", "#e377c2", "#aec7e8",
                   "#98df8a", "#d62728", "#2ca02c", "#17becf", "#1f77b4",
                   "#ff7f0e")  # fmt: skip
WARM_UP_MONTHS = 24  # shaded on the charts: the town settles from its starting state
PREVIOUS_OPACITY = 0.3

CHARTS: tuple[ChartDef, ...] = (
    ChartDef(
        "wellbeing",
        "Well-being",
        (
            Panel(
                "Well-being (0-1)",
                (
                    ("mean_wellbeing", "Everyone", "#333333"),
                    ("wellbeing_least_deprived", "Least deprived fifth", "#2ca02c"),
                    ("wellbeing_most_deprived", "Most deprived fifth", "#d62728"),
                ),
                fmt=".2f",
                fixed=(0.0, 1.0),
            ),
        ),
        "Average well-being (10 times it is life satisfaction, 0-10) of everyone and of the "
        "citizens in the least and the most deprived fifth of neighbourhoods. The distance "
        "between the green and the red line is the inequality between places.",
    ),
    ChartDef(
        "engagement",
        "Engagement",
        (
            Panel(
                "Share engaged",
                (("engagement_rate", "Engaged", "#1f77b4"),),
                fmt=".0%",
                fixed=(0.0, 1.0),
            ),
        ),
        "Share of citizens taking part in community action this month. Citizens join when "
        "enough of their ties already take part and they have capacity to spare.",
    ),
    ChartDef(
        "need",
        "Unmet need and crises",
        (
            Panel(
                "Mean unmet need (0-1)",
                (("unmet_need", "Unmet need", "#ff7f0e"),),
                fixed=(0.0, 1.0),
            ),
            Panel(
                "Crises per 1,000",
                (("crisis_rate", "Crises", "#8c564b"),),
                scale=1000.0,
                fmt=".1f",
                fixed=(0.0, 20.0),
            ),
        ),
        "Need that no formal, informal or self-help support has met yet, averaged over "
        "citizens; and crises this month (need past the crisis threshold), per 1,000 citizens.",
    ),
    ChartDef(
        "money",
        "Money by purpose",
        (
            Panel(
                "GBP per month",
                tuple(
                    (f"spending_{k}", PURPOSE_LABELS[k], colour)
                    for k, colour in zip(SPENDING_KINDS, PURPOSE_COLOURS, strict=True)
                ),
                fmt=",.0f",
                stacked=True,
                fixed="budget",
            ),
        ),
        "What the month's budget paid for. Servants, training, listening to users, finance "
        "costs and investors' repayments, crises (first among services: they are statutory), "
        "community action and capacity building are paid before providers, who get what is "
        "left for prevention and responsive support. So money for one lever is taken from "
        "formal support. Money not spent is carried over in a reserve, not lost.",
    ),
)


def outcome_columns(model: CoauthorModel) -> dict[str, list[float]]:
    """The model's outcome series so far (month 0 first), straight from its DataCollector."""
    return model.datacollector.model_vars


def _values(table: Mapping[str, Sequence[float]], column: str, scale: float) -> list[float]:
    return [round(float(v) * scale, 6) for v in table[column]]


def panel_domain(panel: Panel, tables: Sequence[Mapping[str, Sequence[float]]]) -> list[float]:
    """A y range that holds the panel's values in every table (to share axes)."""
    highs, lows = [], []
    for table in tables:
        cols = np.array([_values(table, col, panel.scale) for col, _, _ in panel.series])
        top = cols.sum(axis=0) if panel.stacked else cols.max(axis=0)
        highs.append(float(top.max()))
        lows.append(0.0 if panel.stacked else float(cols.min()))
    low, high = min(lows), max(highs)
    pad = 0.05 * (high - low) or 0.05 * abs(high) or 0.01
    return [0.0 if panel.stacked else low - pad, high + pad]


def fixed_domain(panel: Panel, table: Mapping[str, Sequence[float]]) -> list[float] | None:
    """The panel's fixed y range (see ``Panel.fixed``), or None if it has none."""
    if panel.fixed is None:
        return None
    if panel.fixed == "budget":
        budget = max((float(v) for v in table.get("budget_available", [])), default=0.0)
        return [0.0, budget * panel.scale * 1.05 or 1.0]
    low, high = panel.fixed
    return [low, high]


def _rows(panel: Panel, table: Mapping[str, Sequence[float]]) -> list[dict[str, Any]]:
    rows = []
    for column, label, _ in panel.series:
        for month, value in enumerate(_values(table, column, panel.scale)):
            rows.append({"month": month, "series": label, "value": value})
    return rows


def panel_data(panel: Panel, table: Mapping[str, Sequence[float]]) -> dict[str, list[dict]]:
    """The panel's run so far, as the dataset ``now`` of ``panel_spec``."""
    return {"now": _rows(panel, table)}


def panel_spec(
    panel: Panel,
    table: Mapping[str, Sequence[float]],
    height: int = 150,
    y_domain: Sequence[float] | None = None,
    *,
    months: int | None = None,
    previous: Mapping[str, Sequence[float]] | None = None,
    warm_up: int = WARM_UP_MONTHS,
) -> dict[str, Any]:
    """Vega-Lite specification of one panel, drawn from an outcome table.

    ``months`` fixes the x axis to the whole run (the lines grow from left to right);
    ``previous`` is the table of the run before the last Reset, drawn faded behind (its total
    only, for a stacked panel); the first ``warm_up`` months are shaded.
    """
    shown = len(table[panel.series[0][0]])
    x_end = max(months if months is not None else shown - 1, 1)
    x = {
        "field": "month",
        "type": "quantitative",
        "title": "Month",
        "scale": {"domain": [0, x_end], "nice": False},
        "axis": {"tickMinStep": 1, "format": "d"},
    }
    y: dict[str, Any] = {
        "field": "value",
        "type": "quantitative",
        "title": panel.y_title,
        "axis": {"format": panel.fmt},
        "scale": {"zero": panel.stacked},
    }
    if y_domain is not None:
        y["scale"] = {"domain": list(y_domain), "nice": False}
    colour = {
        "field": "series",
        "type": "nominal",
        "title": None,
        "scale": {"domain": [s[1] for s in panel.series], "range": [s[2] for s in panel.series]},
        "legend": {"orient": "bottom", "direction": "horizontal", "columns": 4}
        if len(panel.series) > 1
        else None,
    }
    tooltip = [{"field": "month"}, {"field": "series"}, {"field": "value", "format": panel.fmt}]
    layers: list[dict[str, Any]] = []
    if warm_up > 0:
        layers.append(
            {
                "data": {"values": [{"start": 0, "end": min(warm_up, x_end)}]},
                "mark": {"type": "rect", "color": "#9e9e9e", "opacity": 0.12},
                "encoding": {"x": {**x, "field": "start"}, "x2": {"field": "end"}},
            }
        )
    if previous is not None and len(previous.get(panel.series[0][0], [])) > 1:
        if panel.stacked:
            totals = np.sum([_values(previous, c, panel.scale) for c, _, _ in panel.series], 0)
            old = [{"month": m, "value": float(v)} for m, v in enumerate(totals)]
            old_encoding = {"x": x, "y": {**y, "stack": None}}
            old_mark = {"type": "line", "color": "#000000", "strokeDash": [4, 3]}
        else:
            old = _rows(panel, previous)
            old_encoding = {"x": x, "y": y, "color": colour, "detail": {"field": "series"}}
            old_mark = {"type": "line", "strokeDash": [4, 3]}
        layers.append(
            {
                "data": {"values": old},
                "mark": {**old_mark, "opacity": PREVIOUS_OPACITY, "strokeWidth": 1.5,
                         "clip": True},
                "encoding": old_encoding,
            }
        )  # fmt: skip
    if panel.stacked:
        mark: dict[str, Any] = {"type": "area", "opacity": 0.85, "line": False, "clip": True}
        encoding = {"x": x, "y": {**y, "stack": "zero"}, "color": colour,
                    "order": {"field": "series"}, "tooltip": tooltip}  # fmt: skip
    else:
        mark = {"type": "line", "strokeWidth": 2, "point": shown <= 1, "clip": True}
        encoding = {"x": x, "y": y, "color": colour, "tooltip": tooltip}
    layers.append({"data": {"name": "now"}, "mark": mark, "encoding": encoding})
    return {
        "width": "container",
        "height": height,
        "layer": layers,
        "datasets": panel_data(panel, table),
        "config": {"view": {"stroke": None}, "legend": {"labelFontSize": 10}},
        "usermeta": NO_ACTIONS,
    }


def caption(chart: ChartDef, table: Mapping[str, Sequence[float]]) -> str:
    """The latest values of a chart in words, e.g. ``Month 12: Everyone 0.74, ...``."""
    parts = []
    for panel in chart.panels:
        for column, label, _ in panel.series:
            value = float(table[column][-1]) * panel.scale
            parts.append(f"{label} {format(value, panel.fmt)}")
    months = len(table[chart.panels[0].series[0][0]]) - 1
    return f"Month {months}: " + ", ".join(parts)


# --------------------------------------------------------------------------------------------
# "My settings" against a scenario, over several paired seeds
# --------------------------------------------------------------------------------------------
MODEL_DEFAULTS = "(model defaults)"
MAX_COMPARE_SEEDS = 10
MIN_COMPARE_SEEDS = 2
# (outcome column, label, d3 format, scale) of the comparison table and charts.
COMPARE_OUTCOMES: tuple[tuple[str, str, str, float], ...] = (
    ("life_satisfaction", "Life satisfaction (0-10)", ".2f", 1.0),
    ("wellbeing_most_deprived", "Well-being, most deprived fifth (0-1)", ".3f", 1.0),
    ("wellbeing_gap", "Gap between least and most deprived fifth", ".3f", 1.0),
    ("engagement_rate", "Share engaged in community action", ".1%", 1.0),
    ("unmet_need", "Mean unmet need (0-1)", ".3f", 1.0),
    ("crisis_rate", "Crises per 1,000 citizens per month", ".2f", 1000.0),
    ("spending_total", "Spending per month (GBP)", ",.0f", 1.0),
)
COMPARE_CHARTS = ("life_satisfaction", "wellbeing_gap", "engagement_rate", "unmet_need",
                  "crisis_rate", "spending_total")  # fmt: skip
SIDE_COLOURS = ("#1f77b4", "#e6550d")  # my settings, the scenario


@dataclass(frozen=True)
class CompareRequest:
    """What to compare "my settings" with, and how: scenario name, seeds, size."""

    other: str
    seeds: int = 5
    months: int = 120
    citizens: int = 1000
    seed: int = DEFAULT_SEED

    def check(self) -> None:
        """Raise ParameterError (in plain words) if the request is outside the app's limits."""
        limits = (
            ("Towns (seeds)", self.seeds, MIN_COMPARE_SEEDS, MAX_COMPARE_SEEDS),
            ("Months", self.months, SUMMARY_MONTHS, APP_MAX["steps"]),
            ("Citizens", self.citizens, int(SPECS["n_citizens"].low), APP_MAX["n_citizens"]),
        )
        for label, value, low, high in limits:
            if not low <= value <= high:
                raise ParameterError(f"{label}: {value:,} is not allowed here; enter a whole "
                                     f"number from {low:,} to {high:,}")  # fmt: skip


@dataclass
class CompareResult:
    """Both sides of a comparison, run with the same seeds.

    ``finals[side]`` has one row per seed: the final-year mean of each outcome (the last
    ``SUMMARY_MONTHS`` months, as in ``coauthor-sim compare``); ``paths[side][outcome]`` is an
    array (seeds x months + 1) of the monthly values.
    """

    request: CompareRequest
    names: tuple[str, str]
    description: str
    seeds: list[int]
    finals: tuple[dict[str, np.ndarray], dict[str, np.ndarray]]
    paths: tuple[dict[str, np.ndarray], dict[str, np.ndarray]]
    differences: list[tuple[str, Any, Any]]


def _other_params(request: CompareRequest, folder: Path | None) -> tuple[str, dict[str, Any]]:
    overrides = {"n_citizens": request.citizens, "steps": request.months}
    if request.other == MODEL_DEFAULTS:
        return "Model defaults: every parameter at its default, uncalibrated.", dict(
            resolve(overrides)
        )
    scenario = load_scenario((folder or scenario_folder()) / f"{request.other}.toml", overrides)
    return scenario.description, dict(scenario.params)


def run_compare(
    request: CompareRequest,
    mine: Settings,
    folder: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> CompareResult | None:
    """Run "my settings" and the scenario ``request.other`` with the same list of seeds.

    The same seed gives both sides the same citizens, ties and monthly chance events (the model
    keeps one random stream per purpose), so a difference between the sides comes from their
    settings; several seeds show how much of it is luck. ``progress(done, total)`` is called
    after every run; when ``stop()`` turns true the comparison ends early and returns None.
    Raises ScenarioError or ParameterError with a readable message.
    """
    request.check()
    description, other = _other_params(request, folder)
    own = dict(resolve({**mine.values, "n_citizens": request.citizens, "steps": request.months}))
    seeds = replication_seeds(request.seed, request.seeds)
    sides = (own, other)
    finals: tuple[dict[str, list], dict[str, list]] = ({}, {})
    paths: tuple[dict[str, list], dict[str, list]] = ({}, {})
    total, done = 2 * len(seeds), 0
    for seed in seeds:
        for side, params in enumerate(sides):
            if stop is not None and stop():
                return None
            model = CoauthorModel(seed=seed, **params)
            for _ in range(request.months):
                model.step()
            table = outcome_columns(model)
            for column, _, _, scale in COMPARE_OUTCOMES:
                values = np.asarray(table[column], dtype=float) * scale
                finals[side].setdefault(column, []).append(values[1:][-SUMMARY_MONTHS:].mean())
                paths[side].setdefault(column, []).append(values)
            done += 1
            if progress is not None:
                progress(done, total)
    differences = [(k, own[k], other[k]) for k in SPECS
                   if k not in ("steps", "n_citizens") and own[k] != other[k]]  # fmt: skip
    name = "Model defaults" if request.other == MODEL_DEFAULTS else request.other
    as_arrays = [{k: np.asarray(v) for k, v in d.items()} for d in (*finals, *paths)]
    return CompareResult(request, ("Your settings", name), description, seeds,
                         (as_arrays[0], as_arrays[1]), (as_arrays[2], as_arrays[3]),
                         differences)  # fmt: skip


def _mean_range(values: np.ndarray, fmt: str, signed: bool = False) -> str:
    def f(v: float) -> str:
        text = format(v, fmt)
        return ("+" + text) if signed and v > 0 and not text.startswith("-") else text

    return f"{f(float(values.mean()))} ({f(float(values.min()))} to {f(float(values.max()))})"


def verdict(column: str, differences: np.ndarray) -> tuple[str, str]:
    """Whether "my settings" did better or worse on an outcome, over paired seeds:
    ``(word, sentence)`` with word one of better, worse, unclear, same or "" (no better or
    worse: spending). Better or worse needs the same direction in at least 4 of 5 seeds."""
    higher = HIGHER_IS_BETTER.get(column)
    n = len(differences)
    if np.all(np.abs(differences) < 1e-12):
        return "same", f"the same in all {n} towns"
    if higher is None:
        return "", ""
    better = int(np.sum(differences > 0) if higher else np.sum(differences < 0))
    worse = int(np.sum(differences < 0) if higher else np.sum(differences > 0))
    if better >= 0.8 * n:
        return "better", f"better in {better} of {n} towns"
    if worse >= 0.8 * n:
        return "worse", f"worse in {worse} of {n} towns"
    return "unclear", f"unclear: better in {better}, worse in {worse} of {n} towns"


def compare_rows(result: CompareResult) -> list[list[str]]:
    """The comparison table: [outcome, mine, other, mine minus other, verdict] rows, each
    number a mean over seeds with its range."""
    mine, other = result.finals
    rows = []
    for column, label, fmt, _ in COMPARE_OUTCOMES:
        diff = mine[column] - other[column]
        rows.append([
            label,
            _mean_range(mine[column], fmt),
            _mean_range(other[column], fmt),
            _mean_range(diff, fmt, signed=True),
            verdict(column, diff)[1],
        ])  # fmt: skip
    return rows


def compare_chart_spec(result: CompareResult, column: str, height: int = 150) -> dict[str, Any]:
    """Both sides of a comparison on the same axes: the mean over seeds as a line, and the
    range over seeds as a band, month by month."""
    label, fmt = next((lab, f) for c, lab, f, _ in COMPARE_OUTCOMES if c == column)
    rows = []
    for name, paths in zip(result.names, result.paths, strict=True):
        values = paths[column]
        for month in range(1, values.shape[1]):  # month 0: before anything has happened
            col = values[:, month]
            mean, low, high = (round(float(f(col)), 6) for f in (np.mean, np.min, np.max))
            rows.append({"month": month, "side": name, "mean": mean, "low": low, "high": high})
    x = {"field": "month", "type": "quantitative", "title": "Month",
         "scale": {"nice": False}, "axis": {"format": "d"}}  # fmt: skip
    colour = {"field": "side", "type": "nominal", "title": None,
              "scale": {"domain": list(result.names), "range": list(SIDE_COLOURS)},
              "legend": {"orient": "bottom", "direction": "horizontal"}}  # fmt: skip
    y_title = label if len(label) < 40 else label[:38] + "..."
    return {
        "width": "container",
        "height": height,
        "data": {"values": rows},
        "layer": [
            {"mark": {"type": "rect", "color": "#9e9e9e", "opacity": 0.12},
             "data": {"values": [{"start": 0, "end": WARM_UP_MONTHS}]},
             "encoding": {"x": {**x, "field": "start"}, "x2": {"field": "end"}}},
            {"mark": {"type": "area", "opacity": 0.18},
             "encoding": {"x": x, "y": {"field": "low", "type": "quantitative",
                                        "title": y_title, "axis": {"format": fmt},
                                        "scale": {"zero": False}},
                          "y2": {"field": "high"}, "color": colour}},
            {"mark": {"type": "line", "strokeWidth": 2},
             "encoding": {"x": x, "y": {"field": "mean", "type": "quantitative"},
                          "color": colour,
                          "tooltip": [{"field": "month"}, {"field": "side"},
                                      {"field": "mean", "format": fmt},
                                      {"field": "low", "format": fmt},
                                      {"field": "high", "format": fmt}]}},
        ],
        "config": {"view": {"stroke": None}},
        "usermeta": NO_ACTIONS,
    }  # fmt: skip


__all__ = [
    "CHARTS",
    "COMPARE_OUTCOMES",
    "DEFAULT_SEED",
    "MODEL_DEFAULTS",
    "ChartDef",
    "CompareRequest",
    "CompareResult",
    "Control",
    "NetworkLayout",
    "Panel",
    "ParameterError",
    "ScenarioError",
    "SessionModel",
    "Settings",
    "caption",
    "changed_from_defaults",
    "compare_chart_spec",
    "compare_rows",
    "control_for",
    "controls_for",
    "fixed_domain",
    "format_value",
    "label_of",
    "load_named",
    "panel_domain",
    "panel_spec",
    "parse_number",
    "parse_seed",
    "run_compare",
    "scenario_folder",
    "scenario_names",
    "verdict",
]
