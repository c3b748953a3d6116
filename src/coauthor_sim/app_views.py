"""The pages of the browser app: Start here, Explore (one run, month by month) and Compare.

Everything stateful is created in ``Page``, once per browser session, so sessions never share a
model. ``Page`` also owns the Play loop and the comparison's worker thread, so that switching
tabs neither stops a comparison nor leaves a loop running behind a hidden tab.

Play is a loop on a thread of its own: it steps the model one month, lets the page redraw, and
waits until the next month is due at the pace the student chose. It waits on an event, so Pause
and Reset stop it at once instead of after the next month. Step, Reset and the loop take one
lock, so a model is never stepped while it is being replaced.

The layout is the app's own (a Vuetify app bar, a navigation drawer and the content), not
Solara's ``AppLayout`` and not Mesa's ``SolaraViz`` page: the scenario picker and the levers
come first, Mesa's developer controls (play and render intervals, threads) are not shown, and on
a narrow screen the drawer starts closed and closes when the page is tapped.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipyvuetify
import solara
import solara.lab
import traitlets

from .app_components import (
    CHARTS,
    COMPARE_CHARTS,
    DEFAULT_SEED,
    GROUP_TITLES,
    MAX_COMPARE_SEEDS,
    MAX_DRAWN_CITIZENS,
    MIN_COMPARE_SEEDS,
    MODEL_DEFAULTS,
    WARM_UP_MONTHS,
    ChartDef,
    CompareRequest,
    CompareResult,
    Control,
    NetworkLayout,
    ParameterError,
    ScenarioError,
    SessionModel,
    Settings,
    caption,
    changed_from_defaults,
    compare_chart_spec,
    compare_rows,
    control_for,
    controls_for,
    fixed_domain,
    format_value,
    label_of,
    load_named,
    outcome_columns,
    panel_spec,
    parse_number,
    run_compare,
    scenario_names,
)
from .app_text import FIRST_STEPS, THINGS_TO_NOTICE, THINGS_TO_TRY, WHAT_IT_IS, backfire_texts
from .params import SPECS

APP_TITLE = "coauthor-sim: citizens as co-authors of their well-being"
# Months per second the student can choose while playing (label -> pace).
PACES = {
    "Slow: 1 month every 2 s": 0.5,
    "1 month a second": 1.0,
    "2 months a second": 2.0,
    "4 months a second": 4.0,
}
DEFAULT_PACE = "2 months a second"
TABS = ("Start here", "Explore", "Compare")
EXPLORE, COMPARE = 1, 2

CSS = """
.param-title { font-weight: 500; font-size: 0.9rem; }
.param-help { font-size: 0.78rem; color: #555; line-height: 1.25; margin-bottom: 10px; }
.param-error { color: #b00020; font-size: 0.82rem; font-weight: 500; }
.chart-title { font-weight: 600; font-size: 1rem; }
.chart-help { font-size: 0.78rem; color: #555; line-height: 1.25; }
.chart-latest { font-size: 0.8rem; color: #222; }
.coauthor-chart { width: 100%; min-width: 0; padding: 4px 8px; border: 1px solid #eee;
                  border-radius: 6px; }
.coauthor-chart .vega-embed, .coauthor-vega { width: 100%; }
.chart-grid { display: grid; gap: 10px; width: 100%;
              grid-template-columns: repeat(auto-fill, minmax(min(100%, 400px), 1fr)); }
.chart-grid .network-view { grid-column: 1 / -1; }
.run-controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.month-indicator { font-size: 1.1rem; font-weight: 600; min-width: 9em; }
.start-here { max-width: 62em; }
.start-here p, .start-here li { font-size: 0.95rem; line-height: 1.4; }
.backfire { font-size: 0.85rem; color: #333; }
.compare-table td, .compare-table th { font-size: 0.85rem; }
.verdict-better { color: #1b7f2a; font-weight: 600; }
.verdict-worse { color: #b00020; font-weight: 600; }
.coauthor-drawer .v-navigation-drawer__content { padding: 8px 12px; }
.coauthor-drawer { max-width: 85vw; }  /* on a phone, a strip of the page stays visible */
.coauthor-main { padding: 12px; }
@media (max-width: 600px) { .coauthor-main { padding: 4px; } .month-indicator { min-width: 0; } }
"""


# The browser side of a chart. Solara's own Vega-Lite widget waits 0.1 s before each redraw,
# never releases the views it replaces (memory grows while a model plays), and fails with a
# console error when a redraw lands after the chart has left the page (a Reset or a change of
# tab at the wrong moment). This one redraws as soon as a new specification arrives, skips to
# the newest when several arrive during a redraw, releases the old view, stops when gone, and
# follows the width of its box. The specification (``spec``) and the data that change every
# month (``datasets``: named datasets) are sent apart: a new month sends only the data, which the
# chart swaps into its existing view instead of drawing it again from scratch. After every
# drawing its box's ``data-drawn`` counter goes up by one (the browser tests wait on it).
VEGA_TEMPLATE = """
<template>
  <div ref="box" class="coauthor-vega"></div>
</template>
<script>
module.exports = {
  mounted() {
    this.request(true);
    if (window.ResizeObserver) {
      // Charts as wide as their box: draw again when the box's width changes (a panel is
      // resized, the sidebar opens or closes, a hidden tab is shown).
      this.watcher = new ResizeObserver(() => {
        const width = this.$refs.box ? this.$refs.box.clientWidth : 0;
        if (width && Math.abs(width - (this.width || 0)) > 2) { this.request(true); }
      });
      this.watcher.observe(this.$refs.box);
    }
  },
  beforeDestroy() {
    this.gone = true;
    if (this.watcher) { this.watcher.disconnect(); }
    this.release();
  },
  watch: { spec_json() { this.request(true); }, datasets_json() { this.request(false); } },
  methods: {
    cdn() {
      return (window.solara && window.solara.cdn) || "./_solara/cdn";
    },
    library() {
      if (!window.coauthorVegaEmbed) {
        const cdn = this.cdn();
        window.coauthorVegaEmbed = new Promise((resolve, reject) => {
          const load = () => {
            window.requirejs.config({paths: {
              "vega": cdn + "/vega@5/build/vega.min",
              "vega-lite": cdn + "/vega-lite@5/build/vega-lite.min",
              "vega-embed": cdn + "/vega-embed@6/build/vega-embed.min",
            }});
            window.requirejs(["vega-embed"], resolve, reject);
          };
          if (window.requirejs) { load(); return; }
          const script = document.createElement("script");
          script.src = cdn + "/requirejs@2.3.6/require.js";
          script.onload = load;
          script.onerror = reject;
          document.head.appendChild(script);
        });
      }
      return window.coauthorVegaEmbed;
    },
    release() {
      if (this.view) { this.view.finalize(); this.view = null; }
    },
    request(full) {
      if (full) { this.full = true; }
      if (this.busy) { this.again = true; return; }
      this.draw();
    },
    async draw() {
      this.busy = true;
      try {
        const embed = await this.library();
        do {
          this.again = false;
          if (this.gone || !this.$refs.box) { return; }
          const vega = embed.vega;
          if (!this.$refs.box.clientWidth) { this.full = true; return; }  // hidden: draw when shown
          const datasets = JSON.parse(this.datasets_json || "{}");
          if (this.full || !this.view || !vega) {
            this.full = false;
            this.release();
            this.width = this.$refs.box.clientWidth;
            const spec = JSON.parse(this.spec_json || "{}");
            spec.datasets = Object.assign({}, spec.datasets || {}, datasets);
            const result = await embed(this.$refs.box, spec, {actions: false});
            if (this.gone) { result.view.finalize(); return; }
            this.view = result.view;
          } else {
            for (const [name, rows] of Object.entries(datasets)) {
              this.view.change(name, vega.changeset().remove(vega.truthy).insert(rows));
            }
            await this.view.runAsync();
          }
          const box = this.$refs.box;
          if (box) { box.dataset.drawn = String(1 + Number(box.dataset.drawn || 0)); }
        } while (this.again);
      } catch (error) {
        console.error("coauthor-sim chart:", error);
      } finally {
        this.busy = false;
      }
    },
  },
};
</script>
"""


class VegaChartWidget(ipyvuetify.VuetifyTemplate):
    """A Vega-Lite chart drawn in the browser with the Vega files of ``solara-assets``."""

    template = traitlets.Unicode(VEGA_TEMPLATE).tag(sync=True)
    # JSON text rather than dictionaries: Solara (reacton) would otherwise walk every row of
    # the data at every redraw, looking for nested components, and traitlets would compare them.
    spec_json = traitlets.Unicode("{}").tag(sync=True)
    datasets_json = traitlets.Unicode("{}").tag(sync=True)


def VegaLite(spec: dict[str, Any] | str, data: dict[str, list] | None = None) -> solara.Element:
    """A Vega-Lite chart from a specification (a dictionary, or its JSON text). ``data`` holds
    named datasets that change often (the specification refers to them as ``{"name": ...}``);
    a change of ``data`` alone updates the chart without drawing it again."""
    return VegaChartWidget.element(spec_json=_json(spec), datasets_json=_json(data or {}))


def _json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


# --------------------------------------------------------------------------------------------
# The session
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CompareJob:
    """One press of Compare: what to compare, with the settings of that moment."""

    request: CompareRequest
    mine: Settings
    number: int = 0


@dataclass
class Session:
    """The reactive state of one browser session (made in ``Page``, passed to every part)."""

    settings: solara.Reactive[Settings]
    model: solara.Reactive[SessionModel]
    previous: solara.Reactive[dict[str, list[float]] | None]  # the run before the last Reset
    tick: solara.Reactive[int]  # bumped after every step: redraws the run's views
    playing: solara.Reactive[bool]
    pace: solara.Reactive[str]
    fixed_axes: solara.Reactive[bool]
    seed: solara.Reactive[str]
    tab: solara.Reactive[int]
    job: solara.Reactive[CompareJob | None]
    progress: solara.Reactive[tuple[int, int]]
    result: solara.Reactive[tuple[CompareResult | None, str]]
    lock: threading.Lock

    @classmethod
    def start(cls) -> Session:
        """A new session: the calibrated status quo at month 0.

        Its reactive values are made here, once (``Page`` memoises this), rather than with
        ``use_reactive`` in ``Page``: then ``Page`` redraws only for the values it reads itself
        (tab, playing, the model, the comparison), not after every step of the run."""
        initial = Settings.initial()
        return cls(
            settings=solara.reactive(initial),
            model=solara.reactive(SessionModel(initial, seed=DEFAULT_SEED)),
            previous=solara.reactive(None),
            tick=solara.reactive(0),
            playing=solara.reactive(False),
            pace=solara.reactive(DEFAULT_PACE),
            fixed_axes=solara.reactive(False),
            seed=solara.reactive(str(DEFAULT_SEED)),
            tab=solara.reactive(0),
            job=solara.reactive(None),
            progress=solara.reactive((0, 0)),
            result=solara.reactive((None, "")),
            lock=threading.Lock(),
        )

    def step(self) -> None:
        """One month of the run on screen (nothing once the run has finished)."""
        with self.lock:
            model = self.model.value
            if model.steps < model.p.steps:
                model.step()
        self.tick.set(self.tick.value + 1)

    def reset(self) -> None:
        """Stop playing and build a new model from the settings; keep the old run's lines."""
        self.playing.set(False)
        with self.lock:
            old = self.model.value
            if old.steps > 0:
                self.previous.set({k: list(v) for k, v in outcome_columns(old).items()})
            self.model.set(SessionModel(self.settings.value, seed=self.seed.value))
        self.tick.set(self.tick.value + 1)

    @property
    def finished(self) -> bool:
        model = self.model.value
        return model.steps >= model.p.steps

    def play_loop(self, cancel: threading.Event) -> None:
        """Step month after month at the chosen pace until paused, reset or finished."""
        if not self.playing.value:
            return
        due = time.monotonic()
        model = self.model.value
        while self.playing.value and not cancel.is_set() and self.model.value is model:
            if self.finished:
                self.playing.set(False)
                return
            self.step()
            due += 1.0 / PACES.get(self.pace.value, 1.0)
            now = time.monotonic()
            due = max(due, now)  # never catch up in a burst after a slow month
            cancel.wait(due - now)

    def compare_loop(self, cancel: threading.Event) -> None:
        """Run the comparison asked for last, reporting progress; a newer one cancels it."""
        job = self.job.value
        if job is None:
            return
        total = 2 * job.request.seeds
        self.progress.set((0, total))
        try:
            result = run_compare(
                job.request,
                job.mine,
                progress=lambda done, total: self.progress.set((done, total)),
                stop=cancel.is_set,
            )
        except (ScenarioError, ParameterError) as err:
            self.result.set((None, str(err)))
        else:
            if result is not None:
                self.result.set((result, ""))
        finally:
            if not cancel.is_set():
                self.progress.set((0, 0))


# --------------------------------------------------------------------------------------------
# Controls
# --------------------------------------------------------------------------------------------
@solara.component
def NumberField(control: Control, settings: solara.Reactive[Settings]) -> None:
    """A number typed as text and checked here, so NaN, infinities, words and out-of-range
    values are refused with a message and never reach the model (or the page's renderer)."""
    value = settings.value.values[control.name]
    text, set_text = solara.use_state(format_value(value).replace(",", ""))
    error, set_error = solara.use_state("")

    def commit(new: str) -> None:
        set_text(new)
        try:
            number = parse_number(new, control.spec)
            if number != settings.value.values[control.name]:
                settings.set(settings.value.with_value(control.name, number))
            set_error("")
        except ParameterError as err:
            set_error(f"Not applied: {err}. The previous value ({format_value(value)}) is kept.")

    solara.InputText(control.label, value=text, on_value=commit, continuous_update=False)
    if error:
        solara.Text(error, classes=["param-error"])


@solara.component
def ParameterControl(control: Control, settings: solara.Reactive[Settings]) -> None:
    """One parameter: a widget chosen from its schema entry, its meaning, and any error."""
    value = settings.value.values[control.name]
    error, set_error = solara.use_state("")

    def commit(new: Any) -> None:
        current = settings.value.values[control.name]
        if control.widget == "slider" and control.spec.kind is float:
            new = round(float(new), 6)
            if abs(new - current) < 0.49 * control.step:
                return  # the slider only rounded a value that lies between its steps
        if new == current:
            return  # nothing changed (a widget may echo its value back)
        try:
            settings.set(settings.value.with_value(control.name, new))
            set_error("")
        except ParameterError as err:
            set_error(f"Not applied: {err}")

    with solara.Column(gap="0px", classes=["coauthor-param", f"param-{control.name}"]):
        if control.widget == "slider":
            solara.Text(f"{control.label}: {format_value(value)}", classes=["param-title"])
            slider = solara.SliderInt if control.spec.kind is int else solara.SliderFloat
            slider("", value=value, min=control.low, max=control.high, step=control.step,
                   on_value=commit)  # fmt: skip
        elif control.widget == "number":
            # Keyed on the value: a loaded scenario shows its value, a refused entry stays.
            NumberField(control, settings).key(f"{control.name}={value!r}")
        elif control.widget == "select":
            solara.Select(control.label, value=value, values=list(control.spec.choices),
                          on_value=commit)  # fmt: skip
        else:
            solara.Checkbox(label=control.label, value=value, on_value=commit)
        solara.Text(control.help, classes=["param-help"])
        if error:
            solara.Text(error, classes=["param-error"])


LEVER_CONTROLS = controls_for("lever")
MORE_CONTROLS = [*controls_for("population"), *controls_for("network"), control_for(SPECS["steps"])]


@solara.component
def ScenarioPicker(settings: solara.Reactive[Settings]) -> None:
    """Select a scenario file; its values are loaded into the controls."""
    names = solara.use_memo(scenario_names, [])
    message, set_message = solara.use_state(("", ""))

    def load(name: str) -> None:
        if name == MODEL_DEFAULTS:
            settings.set(Settings.defaults())
            set_message(("info", "Model defaults loaded. Press Reset to run them."))
            return
        try:
            scenario = load_named(name)
        except ScenarioError as err:
            set_message(("error", str(err)))
            return
        settings.set(settings.value.with_scenario(scenario))
        set_message(("info", f"Loaded '{name}'. Press Reset to run it. {scenario.description}"))

    with solara.Column(gap="2px", classes=["scenario-picker"]):
        solara.Select(
            "Start from a scenario",
            values=[*names, MODEL_DEFAULTS],
            value=settings.value.scenario or MODEL_DEFAULTS,
            on_value=load,
        )
        kind, text = message
        if kind == "error":
            solara.Error(text, classes=["scenario-message"])
        elif text:
            solara.Text(text, classes=["param-help", "scenario-message"])


@solara.component
def Fold(summary: str, content: Callable[[], None], classes: str = "") -> None:
    """A folded section that builds its content only while open. (Solara's ``Details`` builds
    it also when closed, and every part of the page costs time at every step.)"""
    is_open, set_open = solara.use_state(False)
    v = solara.v
    panels = v.ExpansionPanels(v_model=0 if is_open else None, class_=classes,
                               on_v_model=lambda index: set_open(index == 0))  # fmt: skip
    with panels, v.ExpansionPanel():
        v.ExpansionPanelHeader(children=[summary])
        with v.ExpansionPanelContent():
            if is_open:
                content()


@solara.component
def CalibrationDetails(settings: solara.Reactive[Settings]) -> None:
    """The uncertain parameters the settings carry away from their defaults (the calibrated
    values of the status quo), folded away: they are not levers."""
    changed = [(k, v, d) for k, v, d in changed_from_defaults(settings.value.values)
               if SPECS[k].group == "uncertainty"]  # fmt: skip

    def content() -> None:
        solara.Text(
            "Behaviour and effect sizes nobody knows exactly. The status quo uses values fitted "
            "to UK survey figures (see docs/validation.md); scenarios may set others. They are "
            "not policy choices, so they have no controls here.",
            classes=["param-help"],
        )
        for name, value, default in changed:
            solara.Text(f"{label_of(name)}: {format_value(value)} (default "
                        f"{format_value(default)})", classes=["param-help"])  # fmt: skip

    Fold(f"Calibration details ({len(changed)} values)", content)


@solara.component
def Drawer(session: Session) -> None:
    """The drawer: scenario, levers, then (folded) the town, network and calibration."""
    settings = session.settings
    solara.Text("Settings for the next run", classes=["chart-title"])
    solara.Text(
        "Changes take effect when you press Reset. Now: " + settings.value.source + ".",
        classes=["param-help", "settings-source"],
    )
    ScenarioPicker(settings)
    with solara.Column(gap="2px", classes=["settings-panel"]):
        solara.Text(GROUP_TITLES["lever"], classes=["chart-title"])
        for control in LEVER_CONTROLS:
            ParameterControl(control, settings)

        def more() -> None:
            solara.InputText("Random seed (any number or word)", value=session.seed,
                             continuous_update=False)  # fmt: skip
            solara.Text("The same seed gives the same town and the same chance events.",
                        classes=["param-help"])  # fmt: skip
            for control in MORE_CONTROLS:
                ParameterControl(control, settings)

        Fold("The town, its network and the run", more)
        CalibrationDetails(settings)


# --------------------------------------------------------------------------------------------
# Explore: one run, month by month
# --------------------------------------------------------------------------------------------
@solara.component
def RunControls(session: Session, version: int) -> None:
    """Step, Play or Pause, Reset, the pace, fixed axes, and where the run has got to.
    (``version``, like that of the views below, changes after every step: it redraws them.)"""
    model = session.model.value
    playing = session.playing.value
    finished = session.finished
    with solara.Row(classes=["run-controls"], gap="8px"):
        solara.Text(f"Month {model.steps} of {model.p.steps}", classes=["month-indicator"])
        solara.Button("Step", icon_name="mdi-skip-next", on_click=session.step,
                      disabled=playing or finished, color="primary", outlined=True)  # fmt: skip
        if playing:
            solara.Button("Pause", icon_name="mdi-pause", color="primary",
                          on_click=lambda: session.playing.set(False))  # fmt: skip
        else:
            solara.Button("Play", icon_name="mdi-play", color="primary", disabled=finished,
                          on_click=lambda: session.playing.set(True))  # fmt: skip
        solara.Button("Reset", icon_name="mdi-restart", on_click=session.reset, outlined=True)
        with solara.Div(style={"width": "15em"}):
            solara.Select("Pace", values=list(PACES), value=session.pace)
        solara.Checkbox(label="Fixed y-axes", value=session.fixed_axes)
    if finished:
        solara.Success(
            f"Run finished: all {model.p.steps} months are done. Press Reset to run again; "
            "change a lever first to see what it does (this run stays as faded lines).",
            classes=["run-finished"],
        )


@solara.component
def RunSummary(session: Session) -> None:
    """What the run on screen was built with (it changes only at Reset)."""
    current = session.model.value
    p = current.p
    source = current.settings.source
    changed = [(k, v, d) for k, v, d in changed_from_defaults(p)
               if SPECS[k].group in ("lever", "population", "network")]  # fmt: skip

    def content() -> None:
        with solara.Column(gap="2px", classes=["run-summary"]):
            solara.Text(
                f"From {source}. Seed {current.seed}, {p.n_citizens:,} citizens in "
                f"{p.n_neighbourhoods} neighbourhoods, {p.steps} months.",
                classes=["param-help"],
            )
            for k, v, d in changed:
                solara.Text(f"{label_of(k)}: {format_value(v)} (default {format_value(d)})",
                            classes=["param-help", "run-changed"])  # fmt: skip

    Fold("About this run", content)


NETWORK_HELP = (
    "Each dot is a citizen, coloured by well-being and drawn bigger when taking part in "
    "community action; lines are social ties. Neighbourhoods run from the least deprived (top "
    "left, small number 1) to the most deprived (bottom right, 5). Triangles: public servants. "
    "Bottom row: providers. Hover over anything for details."
)


@solara.component
def NetworkView(session: Session, version: int) -> None:
    """The social network in the model's current state (its layout is computed once)."""
    model = session.model.value
    layout = solara.use_memo(lambda: NetworkLayout.build(model), [model])
    frame = solara.use_memo(lambda: _json(layout.frame()), [layout])
    with solara.Column(gap="2px", classes=["coauthor-chart", "network-view"]):
        solara.Text(f"Social network, month {model.steps}", classes=["chart-title"])
        VegaLite(frame, layout.data(model))
        note = NETWORK_HELP
        if layout.sampled:
            note += f" (A fixed random sample of {MAX_DRAWN_CITIZENS:,} citizens is shown.)"
        solara.Text(note, classes=["chart-help"])


@solara.component
def OutcomeChart(chart: ChartDef, session: Session, version: int) -> None:
    """One chart of ``CHARTS``: the run so far, the previous run faded, warm-up shaded."""
    model = session.model.value
    table = outcome_columns(model)
    fixed = session.fixed_axes.value
    previous = session.previous.value
    with solara.Column(gap="2px", classes=["coauthor-chart", f"chart-{chart.key}"]):
        solara.Text(chart.title, classes=["chart-title"])
        for panel in chart.panels:
            spec = panel_spec(
                panel,
                table,
                height=150 if len(chart.panels) == 1 else 70,
                y_domain=fixed_domain(panel, table) if fixed else None,
                months=model.p.steps,
                previous=previous,
            )
            VegaLite(spec, spec.pop("datasets"))
        solara.Text(caption(chart, table), classes=["chart-latest"])
        solara.Text(chart.explanation, classes=["chart-help"])


@solara.component
def ExploreView(session: Session) -> None:
    """One run: controls, then the network and the charts (stacked on a narrow screen).

    Only this component reads the step counter: one step redraws its parts in one pass (each
    reader of a reactive value would otherwise cost a pass over the whole page)."""
    version = session.tick.value
    RunControls(session, version)
    RunSummary(session)
    legend = (
        f"Grey band: the first {WARM_UP_MONTHS} months, while the town settles from its "
        "starting state. Dashed faded lines: the run before your last Reset."
    )
    solara.Text(legend, classes=["chart-help"])
    with solara.Div(classes=["chart-grid"]):
        NetworkView(session, version)
        for chart in CHARTS:
            OutcomeChart(chart, session, version)


# --------------------------------------------------------------------------------------------
# Start here
# --------------------------------------------------------------------------------------------
def _html(tag: str, text: str, classes: str = "") -> solara.Element:
    return solara.v.Html(tag=tag, children=[text], class_=classes)


def _list(items: tuple[str, ...], tag: str = "ol") -> solara.Element:
    return solara.v.Html(tag=tag, children=[_html("li", item) for item in items])


@solara.component
def StartHere(session: Session) -> None:
    """What the model is, three first steps, things to try and to notice, and each lever's
    "what can backfire" from the lever guide (read when the app starts)."""
    backfire = solara.use_memo(backfire_texts, [])
    with solara.Column(classes=["start-here"], gap="4px"):
        _html("h2", "Start here: what is this?")
        _html("p", WHAT_IT_IS)
        _html("h3", "Three first steps")
        _list(FIRST_STEPS)
        solara.Button("Go to Explore", color="primary", on_click=lambda: session.tab.set(EXPLORE))
        _html("h3", "Things to try")
        _list(THINGS_TO_TRY, "ul")
        _html("h3", "Things to notice")
        _list(THINGS_TO_NOTICE, "ul")
        _html("h3", "What each lever does, and how it can backfire")
        _html(
            "p",
            "The levers are in the panel on the left (the menu button opens it on a small "
            "screen). Under each: the lever's meaning; here: how it can fail or backfire in "
            "this model, from the lever guide (docs/levers.md). The full description of the "
            "model is docs/ODD.md in the project folder.",
        )
        for control in LEVER_CONTROLS:
            text = backfire.get(control.name, "")

            def content(control: Control = control, text: str = text) -> None:
                solara.Text(control.help, classes=["param-help"])
                if text:
                    solara.Text("How it can backfire: " + text, classes=["backfire"])

            Fold(control.label, content, f"backfire-{control.name}")


# --------------------------------------------------------------------------------------------
# Compare: my settings against a scenario, over several seeds
# --------------------------------------------------------------------------------------------
@solara.component
def SimpleTable(
    header: list[str], rows: list[list[str]], classes: list[str] | None = None,
    cell_classes: Callable[[int, int, str], str] | None = None,
) -> solara.Element:  # fmt: skip
    """A plain table (Solara's Markdown would try to fetch KaTeX from the internet)."""
    v = solara.v

    def row(cells: list[str], tag: str, r: int) -> solara.Element:
        return v.Html(tag="tr", children=[
            v.Html(tag=tag, children=[str(c)],
                   class_=cell_classes(r, k, str(c)) if cell_classes and r >= 0 else "")
            for k, c in enumerate(cells)
        ])  # fmt: skip

    return v.SimpleTable(
        dense=True,
        class_=" ".join(classes or []),
        children=[
            v.Html(tag="thead", children=[row(header, "th", -1)]),
            v.Html(tag="tbody", children=[row(r, "td", i) for i, r in enumerate(rows)]),
        ],
    )


def _verdict_class(_row: int, column: int, text: str) -> str:
    if column != 4:
        return ""
    if text.startswith("better"):
        return "verdict-better"
    if text.startswith("worse"):
        return "verdict-worse"
    return ""


@solara.component
def ComparisonResult(result: CompareResult) -> None:
    """The table first (final-year means and ranges, better or worse), then what differs,
    then both sides on the same axes."""
    mine, other = result.names
    req = result.request
    solara.Text(
        f"{mine} against '{other}': {req.seeds} towns (seeds), each run under both, "
        f"{req.citizens:,} citizens, {req.months} months. Numbers are the mean of the final "
        "year over the towns, with the lowest and highest town in brackets. The same seed "
        "gives both sides the same citizens, ties and chance events, so a difference that "
        "holds in (nearly) every town comes from the settings, not from luck.",
        classes=["chart-help"],
    )
    SimpleTable(
        ["Outcome, final year", mine, other, f"{mine} minus {other}", "Your settings are"],
        compare_rows(result),
        ["compare-table"],
        _verdict_class,
    )
    if result.differences:
        rows = [[label_of(k), format_value(a), format_value(b)] for k, a, b in result.differences]
        solara.Text("What differs", classes=["chart-title"])
        SimpleTable(["Setting", mine, other], rows, ["compare-differences"])
    else:
        solara.Text("Your settings and the scenario are the same.", classes=["chart-help"])
    solara.Text(
        "Month by month: the line is the mean over the towns, the band their range.",
        classes=["chart-help"],
    )
    with solara.Div(classes=["chart-grid", "compare-charts"]):
        for column in COMPARE_CHARTS:
            with solara.Column(gap="2px", classes=["coauthor-chart", f"compare-{column}"]):
                VegaLite(compare_chart_spec(result, column))


@solara.component
def CompareView(session: Session) -> None:
    """Pick a scenario, the number of towns and the size; press Compare."""
    names = solara.use_memo(scenario_names, [])
    default_other = "prevention_first" if "prevention_first" in names else MODEL_DEFAULTS
    other = solara.use_reactive(default_other)
    seeds = solara.use_reactive(5)
    months = solara.use_reactive(120)
    citizens = solara.use_reactive(1000)
    done, total = session.progress.value
    running = total > 0
    result, error = session.result.value

    def start() -> None:
        request = CompareRequest(other.value, seeds.value, months.value, citizens.value)
        number = session.job.value.number + 1 if session.job.value else 1
        session.progress.set((0, 2 * request.seeds))
        session.job.set(CompareJob(request, session.settings.value, number))

    with solara.Card("Compare your settings with a scenario", classes=["compare-view"]):
        solara.Text(
            "Your settings are whatever the panel on the left shows now (" +
            session.settings.value.source + "). They are run against the scenario you pick, "
            "in several towns (seeds).", classes=["chart-help"],
        )  # fmt: skip
        with solara.Row(gap="12px", style={"flex-wrap": "wrap", "align-items": "center"}):
            with solara.Div(style={"width": "16em"}):
                solara.Select("Compare with", values=[*names, MODEL_DEFAULTS], value=other)
            with solara.Div(style={"width": "14em"}):
                solara.SliderInt(f"Towns (seeds): {seeds.value}", value=seeds,
                                 min=MIN_COMPARE_SEEDS, max=MAX_COMPARE_SEEDS)  # fmt: skip
            with solara.Div(style={"width": "8em"}):
                solara.Select("Months", values=[60, 120, 240], value=months)
            with solara.Div(style={"width": "8em"}):
                solara.Select("Citizens", values=[500, 1000, 2000], value=citizens)
            solara.Button("Compare", color="primary", on_click=start, disabled=running)
        if running:
            with solara.Column(classes=["compare-progress"], gap="2px"):
                solara.Text(f"Running: {done} of {total} runs done", classes=["chart-help"])
                solara.ProgressLinear(value=100 * done / total if total else True)
    if error:
        solara.Error(error, classes=["compare-error"])
    elif result is not None:
        with solara.Div(style={"opacity": "0.5"} if running else {}):
            ComparisonResult(result)
    elif not running:
        solara.Text("Press Compare to run both.", classes=["chart-help"])


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------
@solara.component
def Layout(children: list[solara.Element] = []) -> solara.Element:  # noqa: B006
    """No Solara AppLayout: ``Page`` draws its own app bar and drawer."""
    return solara.Div(children=children)


@solara.component
def Page() -> None:
    """The app. Everything stateful is created here, once per browser session."""
    session = solara.use_memo(Session.start, [])
    drawer = solara.use_reactive(None)  # None: open on a wide screen, closed on a phone
    solara.use_thread(session.play_loop, [session.playing.value, id(session.model.value)],
                      intrusive_cancel=False)  # fmt: skip
    job_number = session.job.value.number if session.job.value else 0
    solara.use_thread(session.compare_loop, [job_number], intrusive_cancel=False)

    def change_tab(index: int) -> None:
        if index != EXPLORE:
            session.playing.set(False)  # nothing plays behind a hidden tab
        session.tab.set(index)

    v = solara.v
    solara.Title("coauthor-sim")
    solara.Style(CSS)
    with solara.Div(classes=["coauthor-app"]):
        with v.NavigationDrawer(
            app=True, clipped=True, width=380, v_model=drawer.value, on_v_model=drawer.set,
            mobile_break_point=960, class_="coauthor-drawer",
        ):  # fmt: skip
            Drawer(session)
        with v.AppBar(app=True, clipped_left=True, dark=True, color="primary", dense=True):
            solara.Button(icon_name="mdi-menu", icon=True, classes=["drawer-toggle"],
                          on_click=lambda: drawer.set(not bool(drawer.value)))  # fmt: skip
            v.ToolbarTitle(children=[APP_TITLE], class_="app-title")
        with v.Content(), solara.Column(classes=["coauthor-main"], gap="8px"):
            with solara.lab.Tabs(value=session.tab.value, on_value=change_tab):
                for title in TABS:
                    solara.lab.Tab(title)
            # All three stay on the page and the others are hidden: changing tab then only
            # shows and hides (building the Start page again took over half a second).
            for index, view in enumerate((StartHere, ExploreView, CompareView)):
                hidden = {} if session.tab.value == index else {"display": "none"}
                with solara.Div(style=hidden, classes=[f"tab-{index}"]):
                    view(session)
