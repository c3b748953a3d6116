"""The browser app, tested in a real browser against the real server, plus its pure parts.

The test starts ``python -m coauthor_sim.app`` (the same ``serve`` that ``coauthor-sim viz``
calls) on a free port of 127.0.0.1 and drives Debian's Chromium with Playwright. Playwright
never downloads a browser of its own here. Without Chromium or Playwright these tests are
skipped on a developer's machine, but fail when ``CI`` is set, so CI cannot pass by skipping.

Set ``COAUTHOR_SIM_UPDATE_SCREENSHOT=1`` to rewrite ``docs/img/app.png`` from the running app, and
``COAUTHOR_SIM_CHROMIUM`` to use a Chromium other than ``/usr/bin/chromium``.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from coauthor_sim.app_components import (
    MODEL_DEFAULTS,
    CompareRequest,
    ParameterError,
    Settings,
    compare_rows,
    label_of,
    parse_number,
    run_compare,
    verdict,
)
from coauthor_sim.app_text import backfire_texts, parse_backfire
from coauthor_sim.params import SPECS

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("COAUTHOR_SIM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 90  # seconds for the server to answer (two shared cores, cold imports)
# Milliseconds for something to appear on the page: generous, because the machine may be shared
# (tests wait on page state, never for a fixed time, so a generous limit costs nothing when idle).
UI_TIMEOUT = 90_000
LEVERS = [name for name, spec in SPECS.items() if spec.group == "lever"]
# Every chart box counts its drawings in ``data-drawn`` (a new month updates the data of the
# existing drawing rather than replacing its canvas).
CHARTS_FRESH = """(n) => {
    const boxes = [...document.querySelectorAll('.coauthor-chart .coauthor-vega')];
    return boxes.length >= n && boxes.every(b => +(b.dataset.drawn || 0) >= 1
        && b.querySelector('canvas.marks'));
}"""
MARK_CHARTS = """() => { window.drawnBefore = [...document.querySelectorAll(
    '.coauthor-chart .coauthor-vega')].map(b => +(b.dataset.drawn || 0)); }"""
CHARTS_REDRAWN = """(n) => {
    const boxes = [...document.querySelectorAll('.coauthor-chart .coauthor-vega')];
    return boxes.length >= n
        && boxes.every((b, i) => +(b.dataset.drawn || 0) > window.drawnBefore[i]);
}"""


def _missing(reason: str) -> None:
    """Skip on a developer's machine, fail in CI (where CI is set)."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _require_app() -> None:
    for module in ("solara", "mesa.visualization"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Solara's hook checker on Mesa's code
                __import__(module)
        except ImportError as err:
            _missing(f"the app needs {module} (pip install -e '.[app]'): {err}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app server, started as students start it, stopped at the end."""
    _require_app()
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "coauthor_sim.app", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(url):
            if process.poll() is not None:
                pytest.fail(f"server exited with {process.returncode}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"server did not answer within {START_TIMEOUT} s:\n{log.read_text()}")
            time.sleep(0.3)
        # Serves on 127.0.0.1 by default, and says "open" once it answers.
        while f"open http://127.0.0.1:{port}/" not in log.read_text():
            if time.monotonic() > deadline:
                pytest.fail(f"no 'open' message within {START_TIMEOUT} s:\n{log.read_text()}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert not _answers(url), "the server still answers after being stopped"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed (pip install -e '.[test]')")
    if not (Path(CHROMIUM).exists() and shutil.which(CHROMIUM)):
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


class PageProblems:
    """Console errors, page errors and failed requests seen by one page."""

    def __init__(self, page, origin: str):
        self.errors: list[str] = []
        self.external: list[str] = []
        self.origin = origin
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.errors.append(f"page error: {err}"))
        page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url}"))
        page.on("request", self._request)
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text}")

    def _request(self, request) -> None:
        if not request.url.startswith((self.origin, "ws://127.0.0.1", "data:", "blob:")):
            self.external.append(request.url)

    def _response(self, response) -> None:
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def check(self) -> None:
        assert not self.external, f"requests left this computer: {self.external}"
        assert not self.errors, "\n".join(self.errors)


DEVELOPER_CONTROLS = (
    "Play Interval",
    "Render Interval",
    "Use Threads",
    "PAGE 0",
    "Model Parameters",
)


@pytest.fixture
def page(browser, server: str) -> Iterator[object]:
    """A fresh browser tab (so a new session with its own model) at 1280x720, on Start here."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT)
    problems = PageProblems(page, server)
    page.goto(server)
    page.get_by_text("Start here: what is this?", exact=True).wait_for()
    try:
        yield page
        problems.check()
    finally:
        context.close()


def _explore(page) -> None:
    """Open the Explore tab and wait until the network and the 5 chart panels are drawn."""
    page.get_by_role("tab", name="Explore").click()
    page.locator(".month-indicator").wait_for()
    page.wait_for_function(CHARTS_FRESH, arg=6)


def _month(page) -> int:
    """The month the run has reached (``Month 3 of 120``)."""
    return int(page.locator(".month-indicator").inner_text().split()[1])


STEP_SHOWN = """(month) => {
    const latest = [...document.querySelectorAll('.chart-latest')];
    const title = document.querySelector('.network-view .chart-title');
    return latest.length >= 4 && latest.every(e => e.textContent.startsWith(`Month ${month}:`))
        && title.textContent.endsWith(`month ${month}`);
}"""


def _step(page) -> None:
    """Press Step once and wait until the counter and every chart show the new month."""
    month = _month(page)
    page.get_by_role("button", name="Step").click()
    page.locator(".month-indicator", has_text=f"Month {month + 1} of").wait_for()
    page.wait_for_function(STEP_SHOWN, arg=month + 1)


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Vuetify select labelled ``label``."""
    select = page.locator(".v-select").filter(has=page.get_by_text(label, exact=True))
    select.locator(".v-input__slot").click()
    page.locator(".menuable__content__active").get_by_role("option", name=option).click()


MONTH_AT_LEAST = "(m) => +document.querySelector('.month-indicator').textContent.split(' ')[1] >= m"


def _in_first_screen(locator, height: int = 720) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] + min(box["height"], 40) <= height


def test_start_here_comes_first_with_levers_beside_it_and_no_developer_controls(page) -> None:
    """What a student sees first: the start text, the scenario picker and the first lever, all
    within a 1280x720 screen; none of Mesa's developer controls; each lever's backfire text."""
    assert _in_first_screen(page.get_by_text("Start here: what is this?", exact=True))
    assert _in_first_screen(page.get_by_text("Three first steps", exact=True))
    assert _in_first_screen(page.locator(".scenario-picker"))
    first_lever = next(name for name, spec in SPECS.items() if spec.group == "lever")
    assert _in_first_screen(page.locator(f".param-{first_lever}"))
    text = page.locator("body").inner_text()
    for developer in DEVELOPER_CONTROLS:
        assert developer not in text
    for name, spec in SPECS.items():
        if spec.group == "lever":
            control = page.locator(f".param-{name}")
            assert control.count() == 1, f"no control for lever {name}"
            assert label_of(name) in control.inner_text()
            assert name not in control.inner_text()  # plain words, not the code's name
    backfire = backfire_texts()
    lever = "prevention_share"
    page.locator(f".backfire-{lever}").get_by_text(label_of(lever), exact=True).click()
    page.locator(f".backfire-{lever} .backfire").wait_for()
    assert backfire[lever][:60] in page.locator(f".backfire-{lever} .backfire").inner_text()
    _explore(page)
    text = page.locator("body").inner_text()
    for developer in DEVELOPER_CONTROLS:
        assert developer not in text
    for key in ("wellbeing", "engagement", "need", "money"):
        assert page.locator(f".chart-{key} canvas.marks").count() >= 1, key


def test_step_advances_the_month_and_redraws_the_charts(page) -> None:
    _explore(page)
    assert _month(page) == 0
    page.evaluate(MARK_CHARTS)
    _step(page)
    page.wait_for_function(CHARTS_REDRAWN, arg=6)
    _step(page)
    assert page.locator(".chart-money .chart-latest").inner_text().startswith("Month 2:")


# Records every month the counter shows, in order, from inside the page.
WATCH_MONTHS = """() => {
    window.seenMonths = [];
    const box = document.querySelector('.month-indicator');
    const note = () => {
        const month = +box.textContent.split(' ')[1];
        if (window.seenMonths[window.seenMonths.length - 1] !== month) {
            window.seenMonths.push(month);
        }
    };
    note();
    new MutationObserver(note).observe(box, {subtree: true, childList: true, characterData: true});
}"""


def test_play_advances_month_by_month_until_paused(page) -> None:
    """Play shows every month in turn (no jumps), Pause stops it, and Step then adds exactly one
    month (so nothing was still playing)."""
    _explore(page)
    page.evaluate(WATCH_MONTHS)
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("() => window.seenMonths[window.seenMonths.length - 1] >= 4")
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for()
    seen = page.evaluate("window.seenMonths")
    assert seen[0] == 0
    assert all(b - a == 1 for a, b in itertools.pairwise(seen)), seen
    month = _month(page)
    assert month >= 4
    _step(page)  # Step is enabled only when paused, and adds one month
    assert _month(page) == month + 1


def test_reset_always_resets_and_keeps_the_previous_run(page) -> None:
    """Reset during Play stops it and starts again from month 0, with a changed lever."""
    slider = page.locator(".param-prevention_share [role=slider]")
    slider.focus()
    slider.press("End")
    page.locator(".param-prevention_share .param-title").filter(
        has_text=re.compile(r": 1$")
    ).wait_for()
    _explore(page)
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(MONTH_AT_LEAST, arg=2)  # checked every frame: no month missed
    page.get_by_role("button", name="Reset").click()
    page.locator(".month-indicator", has_text="Month 0 of").wait_for()
    page.get_by_role("button", name="Play").wait_for()  # not playing
    page.get_by_text("About this run", exact=True).click()
    page.locator(".run-summary", has_text="Money for prevention: 1 (default 0.1)").wait_for()
    _step(page)
    assert _month(page) == 1


def test_nan_infinity_and_out_of_range_are_refused_and_step_still_works(page) -> None:
    grant = page.locator(".param-grant_per_citizen input")
    source = page.locator(".settings-source")
    before = source.inner_text()
    for typed, why in (("NaN", "not a finite number"), ("inf", "not a finite number"),
                       ("-1e400", "not a finite number"), ("-5", "not allowed"),
                       ("lots", "not a number")):  # fmt: skip
        grant.fill(typed)
        grant.press("Enter")
        error = page.locator(".param-grant_per_citizen .param-error", has_text=typed)
        assert why in error.inner_text()  # waits for this entry's message, not the last one
        assert source.inner_text() == before  # nothing applied
    _explore(page)
    _step(page)
    _step(page)
    assert _month(page) == 2
    page.get_by_role("tab", name="Start here").click()
    grant = page.locator(".param-grant_per_citizen input")
    grant.fill("45")
    grant.press("Enter")
    page.locator(".settings-source", has_text="changed by hand: Central grant").wait_for()
    page.locator(".param-grant_per_citizen .param-error").wait_for(state="detached")


# Notes whether the comparison's progress indicator was ever on the page.
WATCH_PROGRESS = """() => {
    window.sawProgress = false;
    new MutationObserver(() => {
        if (document.querySelector('.compare-progress')) { window.sawProgress = true; }
    }).observe(document.body, {subtree: true, childList: true});
}"""


def test_my_settings_against_a_scenario_over_several_seeds(page) -> None:
    """The student's own (changed) settings against a scenario, over 5 paired towns: the table
    comes first with means, ranges and better/worse, then both runs on shared charts."""
    grant = page.locator(".param-grant_per_citizen input")
    grant.fill("70")
    grant.press("Enter")
    page.locator(".settings-source", has_text="changed by hand").wait_for()
    page.get_by_role("tab", name="Compare").click()
    _choose(page, "Compare with", "austerity")
    page.evaluate(WATCH_PROGRESS)
    page.get_by_role("button", name="Compare", exact=True).click()
    table = page.locator(".compare-table")
    table.wait_for()
    assert page.evaluate("window.sawProgress")
    text = table.inner_text()
    assert "Your settings" in text and "austerity" in text
    assert "Life satisfaction" in text
    assert re.search(r"of 5 towns", text), text
    assert re.search(r"\(-?[\d.]+ to -?[\d.]+\)", text), text  # a range over the seeds
    page.locator(".compare-differences", has_text="Central grant").wait_for()
    differences = page.locator(".compare-differences").inner_text()
    assert "70" in differences and "45" in differences
    page.wait_for_function(
        "() => document.querySelectorAll('.compare-charts canvas.marks').length >= 6"
    )
    charts = page.locator(".compare-charts").bounding_box()
    assert table.bounding_box()["y"] < charts["y"]  # the table first
    page.get_by_role("tab", name="Explore").click()  # the session's run is still there
    page.locator(".month-indicator", has_text="Month 0 of").wait_for()


DRAWER_CLOSED = """() => {
    const d = document.querySelector('.coauthor-drawer');
    return d && d.getBoundingClientRect().right <= 0;
}"""
DRAWER_OPEN = """() => {
    const d = document.querySelector('.coauthor-drawer');
    return d && d.getBoundingClientRect().left >= 0 && d.getBoundingClientRect().width > 200;
}"""


def test_phone_layout_drawer_closed_and_charts_stacked(browser, server: str) -> None:
    context = browser.new_context(viewport={"width": 400, "height": 800}, has_touch=True)
    try:
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT)
        problems = PageProblems(page, server)
        page.goto(server)
        start = page.get_by_text("Start here: what is this?", exact=True)
        start.wait_for()
        page.wait_for_function(DRAWER_CLOSED)
        assert start.bounding_box()["x"] >= 0
        page.locator(".drawer-toggle").click()
        page.wait_for_function(DRAWER_OPEN)
        page.locator(".v-overlay--active").wait_for()
        page.mouse.click(390, 400)  # tap the page beside the drawer
        page.wait_for_function(DRAWER_CLOSED)
        _explore(page)
        boxes = [page.locator(f".chart-{k}").bounding_box() for k in ("wellbeing", "engagement")]
        assert boxes[1]["y"] >= boxes[0]["y"] + boxes[0]["height"] - 1  # one under the other
        assert all(b["x"] >= 0 and b["x"] + b["width"] <= 401 for b in boxes)
        _step(page)
        problems.check()
    finally:
        context.close()


def test_each_browser_session_has_its_own_model(page, browser, server: str) -> None:
    _explore(page)
    _step(page)
    _step(page)
    other = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        second = other.new_page()
        second.set_default_timeout(UI_TIMEOUT)
        second.goto(server)
        second.get_by_role("tab", name="Explore").click()
        second.locator(".month-indicator", has_text="Month 0 of").wait_for()
        second.get_by_role("button", name="Step").click()
        second.locator(".month-indicator", has_text="Month 1 of").wait_for()
    finally:
        other.close()
    assert _month(page) == 2


@pytest.mark.skipif(
    not os.environ.get("COAUTHOR_SIM_UPDATE_SCREENSHOT"), reason="writes docs/img/app.png"
)
def test_screenshot_for_the_docs(browser, server: str) -> None:
    """docs/img/app.png: the app after two years of the status quo, at 1400x1000."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT)
        page.goto(server)
        _explore(page)
        _choose(page, "Pace", "4 months a second")
        page.get_by_role("button", name="Play").click()
        page.wait_for_function(MONTH_AT_LEAST, arg=24)
        page.get_by_role("button", name="Pause").click()
        page.get_by_role("button", name="Play").wait_for()
        page.wait_for_function(STEP_SHOWN, arg=_month(page))
        target = ROOT / "docs" / "img" / "app.png"
        page.screenshot(path=str(target))
        assert target.stat().st_size > 50_000  # a drawn page, not a loading spinner
    finally:
        context.close()


def test_offline_asset_links_are_made_once(tmp_path: Path) -> None:
    """ensure_offline_assets links the major-version names Solara asks for, idempotently."""
    _require_app()
    from coauthor_sim.app import ensure_offline_assets, missing_offline_assets

    for folder in ("vega@5.21.0", "vega@4.0.0", "vega-lite@5.2.0", "vega-embed@6.20.2"):
        (tmp_path / folder).mkdir()
    made = ensure_offline_assets(tmp_path)
    assert sorted(p.name for p in made) == ["vega-embed@6", "vega-lite@5", "vega@5"]
    assert (tmp_path / "vega@5").resolve() == (tmp_path / "vega@5.21.0").resolve()
    assert ensure_offline_assets(tmp_path) == []
    assert "requirejs@*" in missing_offline_assets(tmp_path)


# --------------------------------------------------------------------------------------------
# The pure parts (no browser)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["NaN", "nan", "inf", "-Infinity", "1e400", "", "lots", "1.5"])
def test_parse_number_refuses_what_is_not_a_finite_whole_number(typed: str) -> None:
    with pytest.raises(ParameterError, match="Number of citizens"):
        parse_number(typed, SPECS["n_citizens"])


def test_parse_number_reads_plain_numbers_and_settings_check_the_range() -> None:
    assert parse_number(" 1,000 ", SPECS["n_citizens"]) == 1000
    assert parse_number("2.5", SPECS["grant_per_citizen"]) == 2.5
    settings = Settings.defaults()
    with pytest.raises(ParameterError, match="Central grant"):
        settings.with_value("grant_per_citizen", parse_number("-5", SPECS["grant_per_citizen"]))
    with pytest.raises(ParameterError, match="browser app allows"):
        settings.with_value("n_citizens", 100_000)
    assert settings.with_value("grant_per_citizen", 45.0).values["grant_per_citizen"] == 45.0


def test_backfire_paragraphs_are_read_from_the_guide_and_missing_ones_are_left_out(
    tmp_path: Path,
) -> None:
    guide = """# Levers
### 1. One (`alpha`)
<!-- BEGIN generated -->
**Parameter** `alpha`.
<!-- END generated -->

**How it can fail or backfire.** It can go
wrong, see [the ODD](ODD.md) and `beta`.

**Cost.** None.

### 2. Two (`beta`)

**Cost.** Some, and no backfire paragraph.

## Next part
**How it can fail or backfire.** Not a lever's.
"""
    assert parse_backfire(guide) == {"alpha": "It can go wrong, see the ODD and beta."}
    assert backfire_texts(tmp_path / "missing.md") == {}
    shipped = backfire_texts()
    levers = [name for name, spec in SPECS.items() if spec.group == "lever"]
    assert shipped, "docs/levers.md gave no backfire text"
    assert set(shipped) <= set(SPECS)
    assert sum(name in shipped for name in levers) >= len(levers) // 2


def test_verdict_needs_agreement_across_seeds() -> None:
    assert verdict("life_satisfaction", np.array([0.1, 0.2, 0.1, 0.3, 0.1]))[0] == "better"
    assert verdict("crisis_rate", np.array([0.1, 0.2, 0.1, 0.3, -0.1]))[0] == "worse"
    assert verdict("life_satisfaction", np.array([0.1, -0.2, 0.1, -0.3, 0.1]))[0] == "unclear"
    assert verdict("spending_total", np.array([1.0, 2.0]))[0] == ""
    assert verdict("unmet_need", np.zeros(3))[0] == "same"


def test_compare_is_paired_and_reproducible() -> None:
    """The same settings on both sides give identical runs (same seeds); a second comparison
    gives the same numbers; a cut grant is worse for unmet need in most towns."""
    request = CompareRequest(MODEL_DEFAULTS, seeds=2, months=24, citizens=200)
    same = run_compare(request, Settings.defaults())
    assert all(row[4].startswith("the same") for row in compare_rows(same))
    assert same.differences == []
    cut = Settings.defaults().with_value("grant_per_citizen", 20.0)
    first = run_compare(request, cut)
    again = run_compare(request, cut)
    for side in (0, 1):
        for column, values in first.finals[side].items():
            assert np.array_equal(values, again.finals[side][column])
    assert first.differences == [("grant_per_citizen", 20.0, 60.0)]
    assert first.paths[0]["unmet_need"].shape == (2, 25)
    assert np.mean(first.finals[0]["unmet_need"] - first.finals[1]["unmet_need"]) > 0


def test_compare_request_outside_the_limits_is_refused_in_words() -> None:
    for bad in (CompareRequest("x", seeds=1), CompareRequest("x", seeds=11),
                CompareRequest("x", months=5), CompareRequest("x", citizens=10**6)):  # fmt: skip
        with pytest.raises(ParameterError, match="not allowed here"):
            bad.check()
    progress: list[tuple[int, int]] = []
    stopped = run_compare(CompareRequest(MODEL_DEFAULTS, seeds=2, months=12, citizens=100),
                          Settings.defaults(), progress=lambda *a: progress.append(a),
                          stop=lambda: len(progress) >= 1)  # fmt: skip
    assert stopped is None and progress == [(1, 4)]
