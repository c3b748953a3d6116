"""Browser app for students: run the model step by step, or compare two scenarios.

Start it with ``coauthor-sim viz`` (or ``python -m coauthor_sim.app``, or
``solara run coauthor_sim.app``) and open the address it prints; see docs/app.md.

The page is Mesa's ``SolaraViz`` (Step, Play/Pause, Reset, play and render intervals) with:

* the social network (citizens coloured by well-being and sized by engagement; servants as
  black triangles in the neighbourhood they work in; providers in a row below);
* four outcome charts (well-being with the most and least deprived fifths, engagement, unmet
  need and crises, spending by sector);
* a scenario picker and controls for every population, network and policy parameter, generated
  from the parameter schema, each with its meaning in plain words;
* a second tab that runs two scenarios with the same seed and shows them side by side.

Every browser session builds its own model in ``Page``; nothing is shared between sessions.
Front-end files come from installed Python packages (``solara-assets``), never from the
internet: ``ensure_offline_assets`` adds the few links Solara needs into that package's folder.
"""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

import ipyvuetify
import solara
import solara.lab
import traitlets

with warnings.catch_warnings():
    # Solara's hook checker objects to a pattern inside Mesa 3.3's ComponentsView; harmless.
    warnings.filterwarnings("ignore", message=".*use_state. found despite early return")
    from mesa.visualization import SolaraViz
    from mesa.visualization.utils import update_counter

from .app_components import (
    CHARTS,
    DEFAULT_SEED,
    GROUP_TITLES,
    MAX_DRAWN_CITIZENS,
    SHOWN_GROUPS,
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
    control_for,
    controls_for,
    format_value,
    label_of,
    load_named,
    outcome_columns,
    panel_domain,
    panel_spec,
    run_pair,
    scenario_names,
    summary_rows,
)
from .params import SPECS

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP_MODULE = "coauthor_sim.app"
DEFAULTS_LABEL = "(model defaults)"
# Solara asks for these packages by major version only; solara-assets ships exact versions.
VEGA_ALIASES = (("vega", 5), ("vega-lite", 5), ("vega-embed", 6))
# Folders of solara-assets that the page needs (checked by ``missing_offline_assets``).
NEEDED_ASSETS = (
    "@widgetti/solara-vuetify-app@*",
    "@widgetti/vue-grid-layout@*",
    "requirejs@*",
    "font-awesome@*",
    "vega@5.*",
    "vega-lite@5.*",
    "vega-embed@6.*",
)

CSS = """
.param-title { font-weight: 500; font-size: 0.9rem; }
.param-help { font-size: 0.78rem; color: #555; line-height: 1.25; margin-bottom: 12px; }
.param-error { color: #b00020; font-size: 0.8rem; }
.chart-title { font-weight: 600; font-size: 1rem; }
.chart-help { font-size: 0.78rem; color: #555; line-height: 1.25; }
.chart-latest { font-size: 0.8rem; color: #222; }
.coauthor-chart { width: 100%; padding: 4px 8px; }
.coauthor-chart .vega-embed { width: 100%; }
.compare-side { border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; }
.compare-description { min-height: 4.5em; }
.vue-grid-layout { margin-bottom: 48px; }  /* room for Solara's badge at the bottom right */
"""


# --------------------------------------------------------------------------------------------
# Offline front-end assets and the server
# --------------------------------------------------------------------------------------------
def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", path.name.rsplit("@", 1)[-1]))


def cdn_folder() -> Path:
    """The folder Solara serves ``/_solara/cdn/`` from (filled by ``solara-assets``)."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def ensure_offline_assets(folder: Path | None = None) -> list[Path]:
    """Make Solara's front end work with no internet; return the links it made.

    Solara's charts ask for ``vega@5``, ``vega-lite@5`` and ``vega-embed@6``, while
    ``solara-assets`` ships them under their exact versions (``vega@5.21.0``, ...). This adds a
    link from each short name to the newest matching folder. It is idempotent (existing names
    are left alone), runs whenever the app starts, and can be run by hand or by CI with
    ``python -m coauthor_sim.app --setup-only``. If the folder cannot be written, it warns.
    """
    folder = cdn_folder() if folder is None else folder
    made = []
    for package, major in VEGA_ALIASES:
        alias = folder / f"{package}@{major}"
        if alias.exists():
            continue
        found = [p for p in folder.glob(f"{package}@{major}.*") if p.is_dir()]
        if not found:
            continue  # reported by missing_offline_assets
        target = max(found, key=_version_key)
        try:
            if alias.is_symlink():  # a broken link left by an older solara-assets
                alias.unlink()
            alias.symlink_to(target.name, target_is_directory=True)
        except OSError as err:
            warnings.warn(f"could not link {alias} -> {target.name}: {err}", stacklevel=2)
            continue
        made.append(alias)
    return made


def missing_offline_assets(folder: Path | None = None) -> list[str]:
    """Front-end packages the page needs that are not installed (empty when all are)."""
    folder = cdn_folder() if folder is None else folder
    missing = [pattern for pattern in NEEDED_ASSETS if not any(folder.glob(pattern))]
    missing += [f"{p}@{m}" for p, m in VEGA_ALIASES if not (folder / f"{p}@{m}").exists()]
    return missing


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def app_url(host: str, port: int) -> str:
    """The address to open in a browser for a server listening on ``host``:``port``."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def server_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line that serves the app."""
    return [
        sys.executable, "-m", "solara", "run", APP_MODULE, "--host", host, "--port", str(port),
        "--production", "--no-open", "--no-check-version", "--log-level", "warning",
    ]  # fmt: skip


def server_environment() -> dict[str, str]:
    """Environment for the server process: no telemetry."""
    return {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> int:
    """Serve the browser app on ``host``:``port`` until interrupted; return an exit code.

    It listens on 127.0.0.1 (this computer only) unless told otherwise. Solara's development
    server is not hardened for a network: expose it to other computers only on a network you
    trust (for a classroom, put a proper reverse proxy in front). Port 0 picks a free port.
    """
    ensure_offline_assets()
    missing = missing_offline_assets()
    if missing:
        print(
            "coauthor-sim viz: warning: front-end files missing (" + ", ".join(missing) + "); "
            'install them with: pip install "coauthor-sim[app]"',
            file=sys.stderr,
        )
    if port == 0:
        port = _free_port(host)
    if not _is_loopback(host):
        print(
            f"coauthor-sim viz: warning: listening on {host}, not only on this computer. "
            "The development server is not meant for an open network.",
            file=sys.stderr,
        )
    print(f"coauthor-sim app: open {app_url(host, port)} in a browser (Ctrl-C stops it)")
    sys.stdout.flush()
    process = subprocess.Popen(server_command(host, port), env=server_environment())
    handled = (signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM))
    previous = {}
    if threading.current_thread() is threading.main_thread():
        # Stopping this process (e.g. `kill`) must stop the server too, not orphan it.
        for sig in handled:
            previous[sig] = signal.signal(sig, lambda *_: process.terminate())
    try:
        code = process.wait()
        return 0 if code in (-signal.SIGTERM, -signal.SIGINT) else code
    except KeyboardInterrupt:
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m coauthor_sim.app [--host H] [--port P] [--setup-only]``."""
    parser = argparse.ArgumentParser(prog="python -m coauthor_sim.app", description=__doc__)
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (8765; 0 = free)")
    parser.add_argument(
        "--setup-only",
        action="store_true",
        help="only prepare the offline front-end files, report what is missing, and exit",
    )
    args = parser.parse_args(argv)
    if args.setup_only:
        for link in ensure_offline_assets():
            print(f"linked {link}")
        missing = missing_offline_assets()
        if missing:
            print("missing front-end files: " + ", ".join(missing), file=sys.stderr)
            return 1
        print(f"offline front-end files ready in {cdn_folder()}")
        return 0
    return serve(args.host, args.port)


def _prepare_server_process() -> None:
    """Also when started as ``solara run coauthor_sim.app``: no telemetry, offline assets."""
    # Solara warns at every first request over plain http that it falls back to SameSite=Lax
    # cookies: expected on 127.0.0.1, and twelve lines of noise in a student's terminal.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)
    try:
        from solara.server import settings

        settings.telemetry.mixpanel_enable = False
        ensure_offline_assets()
    except Exception as err:  # never stop the app from loading over this
        warnings.warn(f"could not prepare offline front-end files: {err}", stacklevel=2)


_prepare_server_process()


# --------------------------------------------------------------------------------------------
# Components
# --------------------------------------------------------------------------------------------
# The browser side of a chart. Solara's own Vega-Lite widget waits 0.1 s before each redraw,
# never releases the views it replaces (memory grows while a model plays), and fails with a
# console error when a redraw lands after the chart has left the page (a Reset or a change of
# tab at the wrong moment). This one redraws as soon as a new specification arrives, skips to
# the newest when several arrive during a redraw, releases the old view, stops when gone, and
# follows the width of its box.
VEGA_TEMPLATE = """
<template>
  <div ref="box" class="coauthor-vega"></div>
</template>
<script>
module.exports = {
  mounted() {
    this.request();
    if (window.ResizeObserver) {
      // Charts as wide as their box: draw again when the box's width changes (a panel is
      // resized, the sidebar opens or closes).
      this.watcher = new ResizeObserver(() => {
        const width = this.$refs.box ? this.$refs.box.clientWidth : 0;
        if (width && this.width && Math.abs(width - this.width) > 2) { this.request(); }
      });
      this.watcher.observe(this.$refs.box);
    }
  },
  beforeDestroy() {
    this.gone = true;
    if (this.watcher) { this.watcher.disconnect(); }
    this.release();
  },
  watch: { spec() { this.request(); } },
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
    request() {
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
          this.release();
          this.width = this.$refs.box.clientWidth;
          const result = await embed(this.$refs.box, this.spec, {actions: false});
          if (this.gone) { result.view.finalize(); return; }
          this.view = result.view;
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
    spec = traitlets.Dict().tag(sync=True)


def VegaLite(spec: dict[str, Any]) -> solara.Element:
    """A Vega-Lite chart from a specification dictionary."""
    return VegaChartWidget.element(spec=spec)


@solara.component
def ParameterControl(control: Control, settings: solara.Reactive[Settings]) -> None:
    """One parameter: a widget chosen from its schema entry, its meaning, and any error."""
    value = settings.value.values[control.name]
    error, set_error = solara.use_state(None)

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
            set_error(None)
        except ParameterError as err:
            set_error(f"Not applied: {err}")

    with solara.Column(gap="0px", classes=["coauthor-param", f"param-{control.name}"]):
        if control.widget == "slider":
            solara.Text(f"{control.label}: {format_value(value)}", classes=["param-title"])
            slider = solara.SliderInt if control.spec.kind is int else solara.SliderFloat
            slider(
                "",
                value=value,
                min=control.low,
                max=control.high,
                step=control.step,
                on_value=commit,
            )
        elif control.widget == "number":
            field = solara.InputInt if control.spec.kind is int else solara.InputFloat
            field(control.label, value=value, on_value=commit, continuous_update=False)
        elif control.widget == "select":
            solara.Select(
                control.label, value=value, values=list(control.spec.choices), on_value=commit
            )
        else:
            solara.Checkbox(label=control.label, value=value, on_value=commit)
        solara.Text(control.help, classes=["param-help"])
        if error:
            solara.Text(error, classes=["param-error"])


CONTROL_GROUPS: dict[str, list[Control]] = {g: controls_for(g) for g in SHOWN_GROUPS}
CONTROL_GROUPS["run"] = [control_for(SPECS["steps"])]


@solara.component
def SettingsPanel(settings: solara.Reactive[Settings]) -> None:
    """Controls for the levers, population, network and run length, grouped."""
    with solara.Card("Settings for the next run", classes=["settings-panel"]):
        solara.Text(
            "Changes take effect when you press Reset. Now: " + settings.value.source + ".",
            classes=["param-help"],
        )
        for group, controls in CONTROL_GROUPS.items():
            with (
                solara.Details(summary=GROUP_TITLES[group], expand=group == "lever"),
                solara.Column(gap="2px"),
            ):
                for control in controls:
                    ParameterControl(control, settings)


@solara.component
def ScenarioPicker(settings: solara.Reactive[Settings]) -> None:
    """Select a scenario file; its values are loaded into the controls."""
    names = solara.use_memo(scenario_names, [])
    message, set_message = solara.use_state(("", ""))

    def load(name: str) -> None:
        if name == DEFAULTS_LABEL:
            settings.set(Settings.defaults())
            set_message(("info", "Model defaults loaded into the controls. Press Reset to run."))
            return
        try:
            scenario = load_named(name)
        except ScenarioError as err:
            set_message(("error", str(err)))
            return
        settings.set(settings.value.with_scenario(scenario))
        set_message(
            ("info", f"Loaded '{name}' into the controls. Press Reset to run it. "
             f"{scenario.description}")
        )  # fmt: skip

    with solara.Card("Scenario", classes=["scenario-picker"]):
        solara.Select(
            "Load a scenario file",
            values=[DEFAULTS_LABEL, *names],
            value=settings.value.scenario or DEFAULTS_LABEL,
            on_value=load,
        )
        kind, text = message
        if kind == "error":
            solara.Error(text, classes=["scenario-message"])
        elif text:
            solara.Text(text, classes=["param-help", "scenario-message"])


@solara.component
def RunSummary(model: solara.Reactive[SessionModel]) -> None:
    """What the run on screen was built with (it changes only at Reset)."""
    current = model.value
    p = current.p
    settings = getattr(current, "settings", None)
    source = settings.source if settings is not None else "model defaults"
    with solara.Card("This run", classes=["run-summary"]), solara.Column(gap="2px"):
        solara.Text(
            f"From {source}. Seed {current.seed}, {p.n_citizens:,} citizens in "
            f"{p.n_neighbourhoods} neighbourhoods, {p.steps} months.",
            classes=["param-help"],
        )
        changed = [(k, v, d) for k, v, d in changed_from_defaults(p) if k != "steps"]
        if changed:
            lines = [f"{label_of(k)}: {format_value(v)} (default {format_value(d)})"
                     for k, v, d in changed]  # fmt: skip
            solara.Text("Changed from the model defaults:", classes=["param-help"])
            for line in lines:
                solara.Text(line, classes=["param-help", "run-changed"])
        else:
            solara.Text("Every parameter at its model default.", classes=["param-help"])


NETWORK_HELP = (
    "Lines are social ties. Triangles: public servants. Bottom row: providers. Small numbers: "
    "deprivation fifth (1 least, 5 most deprived). Hover over anything for details."
)


@solara.component
def NetworkView(model: SessionModel) -> None:
    """The social network in the model's current state (its layout is computed once)."""
    update_counter.get()
    layout = solara.use_memo(lambda: NetworkLayout.build(model), [model])
    with solara.Column(gap="2px", classes=["coauthor-chart", "network-view"]):
        solara.Text(f"Social network, month {model.steps}", classes=["chart-title"])
        VegaLite(layout.spec(model))
        note = NETWORK_HELP
        if layout.sampled:
            note += f" (A fixed random sample of {MAX_DRAWN_CITIZENS:,} citizens is shown.)"
        solara.Text(note, classes=["chart-help"])


def chart_component(chart: ChartDef) -> Callable[[SessionModel], solara.Element]:
    """A SolaraViz component drawing one chart of ``CHARTS``; it redraws after each step."""

    @solara.component
    def OutcomeChart(model: SessionModel) -> None:
        update_counter.get()
        table = outcome_columns(model)
        with solara.Column(gap="2px", classes=["coauthor-chart", f"chart-{chart.key}"]):
            solara.Text(chart.title, classes=["chart-title"])
            for panel in chart.panels:
                VegaLite(panel_spec(panel, table, height=150 if len(chart.panels) == 1 else 55))
            solara.Text(caption(chart, table), classes=["chart-latest"])
            solara.Text(chart.explanation, classes=["chart-help"])

    OutcomeChart.__name__ = f"{chart.key.capitalize()}Chart"
    return OutcomeChart


CHART_COMPONENTS = [chart_component(chart) for chart in CHARTS]
VIEW_COMPONENTS = [(NetworkView, 0), *((c, 0) for c in CHART_COMPONENTS)]


@solara.component
def ExploreView(model: solara.Reactive[SessionModel], settings: solara.Reactive[Settings]) -> None:
    """Mesa's SolaraViz with the session's model, plus the scenario picker and settings."""
    SolaraViz(
        model,
        components=VIEW_COMPONENTS,
        model_params={
            "settings": settings,
            "seed": {"type": "InputText", "value": str(DEFAULT_SEED), "label": "Random seed"},
        },
        name="coauthor-sim: citizens as co-authors of their well-being",
    )
    SidebarCards(model, settings)


@solara.component
def SidebarCards(model: solara.Reactive[SessionModel], settings: solara.Reactive[Settings]) -> None:
    """The app's own sidebar cards, below Mesa's (Solara orders sidebar parts by depth)."""
    with solara.Column(gap="0px"):
        _SidebarCards(model, settings)


@solara.component
def _SidebarCards(
    model: solara.Reactive[SessionModel], settings: solara.Reactive[Settings]
) -> None:
    with solara.Sidebar():
        RunSummary(model)
        ScenarioPicker(settings)
        SettingsPanel(settings)


@solara.component
def SideOfComparison(
    label: str, result: CompareResult, which: int, domains: list[list[list[float]]]
) -> None:
    """One run of a comparison: its scenario and its charts (axes shared with the other)."""
    scenario, table = result.scenarios[which], result.tables[which]
    with solara.Column(gap="4px", classes=["compare-side", f"compare-{label.lower()}"]):
        solara.Text(f"{label}: {scenario.name}", classes=["chart-title"])
        solara.Text(scenario.description, classes=["chart-help", "compare-description"])
        for chart, chart_domains in zip(CHARTS, domains, strict=True):
            with solara.Column(gap="2px", classes=["coauthor-chart", f"chart-{chart.key}"]):
                solara.Text(chart.title, classes=["chart-title"])
                for panel, domain in zip(chart.panels, chart_domains, strict=True):
                    height = 140 if len(chart.panels) == 1 else 70
                    VegaLite(panel_spec(panel, table, height=height, y_domain=domain))
                solara.Text(caption(chart, table), classes=["chart-latest"])


@solara.component
def SimpleTable(
    header: list[str], rows: list[list[str]], classes: list[str] | None = None
) -> solara.Element:
    """A plain table (Solara's Markdown would try to fetch KaTeX from the internet)."""
    v = solara.v

    def row(cells: list[str], tag: str) -> solara.Element:
        return v.Html(tag="tr", children=[v.Html(tag=tag, children=[str(c)]) for c in cells])

    return v.SimpleTable(
        dense=True,
        class_=" ".join(classes or []),
        children=[
            v.Html(tag="thead", children=[row(header, "th")]),
            v.Html(tag="tbody", children=[row(r, "td") for r in rows]),
        ],
    )


@solara.component
def ComparisonResult(result: CompareResult) -> None:
    """Both runs side by side, what differs between them, and their last month."""
    a, b = result.scenarios
    req = result.request
    solara.Text(
        f"Both runs: seed {req.seed}, {req.citizens:,} citizens, {req.months} months. The same "
        "seed gives the same citizens, ties and monthly chance events, so the differences "
        "below come from the settings that differ.",
        classes=["chart-help"],
    )
    if result.differences:
        rows = [[label_of(k), format_value(va), format_value(vb), SPECS[k].meaning]
                for k, va, vb in result.differences]  # fmt: skip
        solara.Text("What differs", classes=["chart-title"])
        SimpleTable(
            ["Setting", f"A: {a.name}", f"B: {b.name}", "Meaning"], rows, ["compare-differences"]
        )
    else:
        solara.Text("The two scenarios have the same settings.", classes=["chart-help"])
    domains = [[panel_domain(p, result.tables) for p in chart.panels] for chart in CHARTS]
    with solara.Columns([1, 1]):
        SideOfComparison("A", result, 0, domains)
        SideOfComparison("B", result, 1, domains)
    rows = summary_rows(result)
    solara.Text(f"Month {req.months}", classes=["chart-title"])
    SimpleTable(["Outcome", f"A: {a.name}", f"B: {b.name}", "B - A"], rows, ["compare-summary"])


def default_compare_request() -> CompareRequest:
    """The comparison shown first: the status quo against prevention first, if present."""
    names = scenario_names()
    a = "status_quo" if "status_quo" in names else (names[0] if names else "status_quo")
    others = [n for n in names if n != a]
    b = "prevention_first" if "prevention_first" in others else (others[0] if others else a)
    return CompareRequest(a=a, b=b)


@solara.component
def CompareView(request: solara.Reactive[CompareRequest]) -> None:
    """Run two scenarios with the same seed and show their charts side by side."""
    names = solara.use_memo(scenario_names, [])
    draft = solara.use_reactive(request.value)

    def run() -> tuple[CompareResult | None, str]:
        try:
            return run_pair(request.value), ""
        except (ScenarioError, ParameterError) as err:
            return None, str(err)

    result, error = solara.use_memo(run, [request.value])

    def field(name: str) -> Callable[[Any], None]:
        def update(value: Any) -> None:
            if value is not None:
                draft.set(dataclasses.replace(draft.value, **{name: value}))

        return update

    with solara.Card("Compare two scenarios", classes=["compare-view"]):
        solara.Text(
            "Pick two scenarios and press Run both. Each runs from the same seed for the same "
            "number of months, so you can see what changing the levers does.",
            classes=["chart-help"],
        )
        with solara.Row(gap="12px", style={"flex-wrap": "wrap", "align-items": "center"}):
            solara.Select("Scenario A", values=names, value=draft.value.a, on_value=field("a"))
            solara.Select("Scenario B", values=names, value=draft.value.b, on_value=field("b"))
            solara.InputInt("Seed", value=draft.value.seed, on_value=field("seed"))
            solara.InputInt("Months", value=draft.value.months, on_value=field("months"))
            solara.InputInt("Citizens", value=draft.value.citizens, on_value=field("citizens"))
            solara.Button("Run both", color="primary", on_click=lambda: request.set(draft.value))
    if error:
        solara.Error(error, classes=["compare-error"])
    elif result is not None:
        ComparisonResult(result)


@solara.component
def Page() -> None:
    """The app. Everything stateful is created here, once per browser session."""
    initial = solara.use_memo(Settings.initial, [])
    settings = solara.use_reactive(initial)
    first_model = solara.use_memo(lambda: SessionModel(settings, seed=DEFAULT_SEED), [])
    model = solara.use_reactive(first_model)
    compare = solara.use_reactive(solara.use_memo(default_compare_request, []))
    view = solara.use_reactive(0)

    solara.Title("coauthor-sim")
    solara.Style(CSS)
    with solara.AppBar(), solara.lab.Tabs(value=view, align="center"):
        solara.lab.Tab("Explore one scenario")
        solara.lab.Tab("Compare two scenarios")
    if view.value == 0:
        ExploreView(model, settings)
    else:
        CompareView(compare)


__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "Page",
    "app_url",
    "ensure_offline_assets",
    "main",
    "missing_offline_assets",
    "serve",
    "server_command",
]

if __name__ == "__main__":
    sys.exit(main())
