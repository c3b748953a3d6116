"""The parts of the browser app (``coauthor_sim.app``) that do not depend on the server.

* ``Settings`` and ``controls_for``: the values the sidebar controls show, and which widget
  each parameter gets. Both are derived from the one parameter schema (``coauthor_sim.params``),
  so a parameter added there appears in the app with its range, unit and meaning.
* ``SessionModel``: the model a browser session runs, built from its current settings.
* ``NetworkLayout``: where each citizen, servant and provider is drawn. It is computed once per
  model and reused every step; only colours and sizes change between steps.
* ``CHARTS`` and ``panel_spec``: the outcome charts, as Vega-Lite specifications.
* ``run_pair``: the same seed run under two scenarios, for the comparison view.

Charts are plain Vega-Lite dictionaries. They carry no ``$schema``: the browser side is the
Vega-Lite 5 shipped by ``solara-assets``, and a newer schema version in the spec only makes
vega-embed warn.
"""

from __future__ import annotations

import math
import os
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from .model import CoauthorModel
from .params import SPECS, ParameterError, Spec, defaults, resolve
from .scenario import Scenario, ScenarioError, find_scenarios, load_scenario
from .state import KINDS, SECTORS

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
def label_of(name: str) -> str:
    """A parameter name as a short label: ``prevention_share`` -> ``Prevention share``."""
    text = name.replace("n_", "number of ", 1) if name.startswith("n_") else name
    text = text.replace("_", " ")
    return text[0].upper() + text[1:]


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
        return f"{spec.meaning}{unit}"


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
    return [control_for(spec) for spec in SPECS.values() if spec.group == group]


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
        value = spec.check(value)
        limit = APP_MAX.get(name)
        if limit is not None and value > limit:
            raise ParameterError(
                f"{name} = {value!r} is more than the browser app allows ({limit:,}); "
                "use the command line for bigger runs"
            )
        values = dict(resolve({**self.values, name: value}))
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
            base += ", changed by hand: " + ", ".join(self.edited)
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
    the ``scenarios`` folder of the source checkout this package was installed from."""
    env = os.environ.get("COAUTHOR_SIM_SCENARIOS")
    candidates = [Path(env)] if env else []
    candidates += [Path.cwd() / "scenarios", Path(__file__).resolve().parents[2] / "scenarios"]
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

    def spec(self, model: CoauthorModel, height: int = 290) -> dict[str, Any]:
        """Vega-Lite specification of the network in the model's current state."""
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
                "data": {"values": citizens},
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
                "data": {"values": providers},
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


@dataclass(frozen=True)
class ChartDef:
    """A chart component: a title, one or more panels and a plain-language explanation."""

    key: str
    title: str
    panels: tuple[Panel, ...]
    explanation: str


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
            ),
        ),
        "Average well-being (10 times it is life satisfaction, 0-10) of everyone and of the "
        "citizens in the least and the most deprived fifth of neighbourhoods. The distance "
        "between the green and the red line is the inequality between places.",
    ),
    ChartDef(
        "engagement",
        "Engagement",
        (Panel("Share engaged", (("engagement_rate", "Engaged", "#1f77b4"),), fmt=".0%"),),
        "Share of citizens taking part in community action this month. Citizens join when "
        "enough of their ties already take part and they have capacity to spare.",
    ),
    ChartDef(
        "need",
        "Unmet need and crises",
        (
            Panel("Mean unmet need (0-1)", (("unmet_need", "Unmet need", "#ff7f0e"),)),
            Panel(
                "Crises per 1,000 citizens",
                (("crisis_rate", "Crises", "#8c564b"),),
                scale=1000.0,
                fmt=".1f",
            ),
        ),
        "Need that no formal, informal or self-help support has met yet, averaged over "
        "citizens; and crises this month (need past the crisis threshold), per 1,000 citizens.",
    ),
    ChartDef(
        "spending",
        "Spending by sector",
        (
            Panel(
                "GBP per month",
                tuple(
                    (f"spending_{s}", s.capitalize(), colour)
                    for s, colour in zip(SECTORS, SECTOR_COLOURS, strict=True)
                ),
                fmt=",.0f",
                stacked=True,
            ),
        ),
        "Money spent this month, stacked by the sector it went to: public, private, third "
        "(voluntary) and community. The top of the pile is the month's total spending.",
    ),
)


def outcome_columns(model: CoauthorModel) -> dict[str, list[float]]:
    """The model's outcome series so far (month 0 first), straight from its DataCollector."""
    return model.datacollector.model_vars


def _values(table: Mapping[str, Sequence[float]], column: str, scale: float) -> list[float]:
    return [round(float(v) * scale, 6) for v in table[column]]


def panel_domain(panel: Panel, tables: Sequence[Mapping[str, Sequence[float]]]) -> list[float]:
    """A y range that holds the panel's values in every table (to share axes in a comparison)."""
    highs, lows = [], []
    for table in tables:
        cols = np.array([_values(table, col, panel.scale) for col, _, _ in panel.series])
        top = cols.sum(axis=0) if panel.stacked else cols.max(axis=0)
        highs.append(float(top.max()))
        lows.append(0.0 if panel.stacked else float(cols.min()))
    low, high = min(lows), max(highs)
    pad = 0.05 * (high - low) or 0.05 * abs(high) or 0.01
    return [0.0 if panel.stacked else low - pad, high + pad]


def panel_spec(
    panel: Panel,
    table: Mapping[str, Sequence[float]],
    height: int = 150,
    y_domain: Sequence[float] | None = None,
) -> dict[str, Any]:
    """Vega-Lite specification of one panel, drawn from an outcome table."""
    rows = []
    for column, label, _ in panel.series:
        for month, value in enumerate(_values(table, column, panel.scale)):
            rows.append({"month": month, "series": label, "value": value})
    months = len(table[panel.series[0][0]])
    y: dict[str, Any] = {
        "field": "value",
        "type": "quantitative",
        "title": panel.y_title,
        "axis": {"format": panel.fmt},
        "scale": {"zero": panel.stacked},
    }
    if y_domain is not None:
        y["scale"] = {"domain": list(y_domain), "nice": False}
    if panel.stacked:
        y["stack"] = "zero"
        mark: dict[str, Any] = {"type": "area", "opacity": 0.85, "line": False}
    else:
        mark = {"type": "line", "strokeWidth": 2, "point": months <= 2}
    return {
        "width": "container",
        "height": height,
        "data": {"values": rows},
        "mark": mark,
        "encoding": {
            "x": {
                "field": "month",
                "type": "quantitative",
                "title": "Month",
                "scale": {"domain": [0, max(months - 1, 1)], "nice": False},
                "axis": {"tickMinStep": 1, "format": "d"},
            },
            "y": y,
            "color": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "scale": {
                    "domain": [s[1] for s in panel.series],
                    "range": [s[2] for s in panel.series],
                },
                "legend": {"orient": "bottom", "direction": "horizontal"}
                if len(panel.series) > 1
                else None,
            },
            "order": {"field": "series"} if panel.stacked else {"value": 0},
            "tooltip": [
                {"field": "month"},
                {"field": "series"},
                {"field": "value", "format": panel.fmt},
            ],
        },
        "config": {"view": {"stroke": None}},
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
# Comparison of two scenarios
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CompareRequest:
    """Two scenario names and how to run them."""

    a: str
    b: str
    seed: int = DEFAULT_SEED
    months: int = 120
    citizens: int = 1000


@dataclass
class CompareResult:
    """Both runs of a comparison: scenarios, outcome tables and the parameters that differ."""

    request: CompareRequest
    scenarios: tuple[Scenario, Scenario]
    tables: tuple[dict[str, list[float]], dict[str, list[float]]]
    differences: list[tuple[str, Any, Any]]


SUMMARY_OUTCOMES: tuple[tuple[str, str, str], ...] = (
    ("life_satisfaction", "Life satisfaction (0-10)", ".2f"),
    ("wellbeing_most_deprived", "Well-being, most deprived fifth", ".3f"),
    ("wellbeing_gap", "Gap between least and most deprived fifth", ".3f"),
    ("engagement_rate", "Share engaged in community action", ".1%"),
    ("unmet_need", "Mean unmet need", ".3f"),
    ("crises", "Crises this month", ".0f"),
    ("spending_total", "Spending this month (GBP)", ",.0f"),
)


def run_pair(request: CompareRequest, folder: Path | None = None) -> CompareResult:
    """Run scenarios ``a`` and ``b`` with the same seed, months and number of citizens.

    The same seed means the same citizens, network and monthly chance events (the model keeps
    one random stream per purpose), so what differs between the runs comes from the
    parameters. Raises ScenarioError or ParameterError with a readable message.
    """
    for name, value in (("n_citizens", request.citizens), ("steps", request.months)):
        if value > APP_MAX[name]:
            raise ParameterError(
                f"{name} = {value:,} is more than the browser app allows ({APP_MAX[name]:,}); "
                "use coauthor-sim compare for bigger runs"
            )
    overrides = {"n_citizens": request.citizens, "steps": request.months}
    scenarios = tuple(load_scenario(
        (folder or scenario_folder()) / f"{name}.toml", overrides
    ) for name in (request.a, request.b))  # fmt: skip
    tables = []
    for scenario in scenarios:
        model = CoauthorModel(seed=parse_seed(request.seed), **scenario.params)
        for _ in range(request.months):
            model.step()
        tables.append(outcome_columns(model))
    a, b = scenarios
    differences = [(k, a.params[k], b.params[k]) for k in SPECS if a.params[k] != b.params[k]]
    return CompareResult(request, (a, b), (tables[0], tables[1]), differences)


def summary_rows(result: CompareResult) -> list[list[str]]:
    """Last-month outcomes of both runs and their difference: [outcome, A, B, B - A] rows."""
    ta, tb = result.tables
    rows = []
    for column, label, fmt in SUMMARY_OUTCOMES:
        va, vb = float(ta[column][-1]), float(tb[column][-1])
        diff = ("+" if vb > va else "") + format(vb - va, fmt)
        rows.append([label, format(va, fmt), format(vb, fmt), diff])
    return rows


__all__ = [
    "CHARTS",
    "DEFAULT_SEED",
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
    "control_for",
    "controls_for",
    "format_value",
    "label_of",
    "load_named",
    "panel_domain",
    "panel_spec",
    "parse_seed",
    "run_pair",
    "scenario_folder",
    "scenario_names",
    "summary_rows",
]
