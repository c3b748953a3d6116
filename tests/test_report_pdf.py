"""The comparison report a policy team can put in a briefing: summary first and free of
p-values, carrying value for money and caveats; and `compare --pdf` printing it to A4 with
headless Chromium in at most 12 pages (a tiny comparison of every shipped scenario, seconds)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coauthor_sim.analysis import pdf

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
P_VALUE = re.compile(r"\bp(-value)?\s*[=<]|p-value|adj\. p|significan", re.IGNORECASE)
MAX_PAGES = 12
TINY = ["--replications", "3", "--steps", "12", "--citizens", "120", "--seed", "4"]


def _missing(reason: str) -> None:
    """Skip on a developer's machine, fail in CI (where CI is set)."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """Every shipped scenario compared in a tiny model, printed to PDF."""
    if not pdf.available():
        _missing(pdf.INSTALL_HINT)
    out = tmp_path_factory.mktemp("pdf") / "out"
    done = subprocess.run(
        [sys.executable, "-m", "coauthor_sim.cli", "compare", *TINY, "--dir", str(SCENARIOS),
         "--jobs", "1", "--out", str(out), "--pdf"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    if not (out / "report.pdf").exists():
        _missing(f"Chromium could not print here: {done.stderr.strip()[-300:]}")
    return out, done


def _summary(html: str) -> str:
    body = html[html.index("<body>") :]
    return body[body.index('<section id="summary">') : body.index("</section>")]


def test_summary_comes_first_with_verdicts_value_and_caveats_and_no_p_values(printed):
    out, _ = printed
    html = (out / "report.html").read_text()
    body = html[html.index("<body>") :]
    assert body.index('<section id="summary">') < body.index("<h2>")
    summary = _summary(html)
    assert not P_VALUE.search(summary)
    n = len(list(SCENARIOS.glob("*.toml"))) - 1  # every scenario but the baseline
    assert summary.count("<li>") == n
    assert summary.count("Value for money:") == n
    assert summary.count("plausible worlds") >= n
    # each scenario that changes a lever carries that lever's caveat from docs/levers.md
    assert "Caveats of the levers it changes" in summary and "co_production" in summary
    # at most three levers each: a scenario that changes many points to the detail for the rest
    assert re.search(r"and \d+ more levers \(see How each lever can fail or backfire\)", summary)
    # the calibration's caveats, read from the shipped calibration, not typed in
    assert "<b>Calibration.</b>" in summary and "published UK figures" in summary


def test_value_for_money_speaks_in_dominance_with_an_interval_on_every_figure(printed):
    out, _ = printed
    html = (out / "report.html").read_text()
    value = html[html.index('id="value"') : html.index('id="robust"')]
    assert "stylised" in value and "3.5%" in value and "1.5%" in value
    assert all(f"£{v:,}" in value for v in (10_000, 13_000, 16_000))
    assert not re.search(r"−£[\d.,]+[km]? per WELLBY", html)  # no negative prices
    import pandas as pd

    table = pd.read_csv(out / "value_for_money.csv").set_index("scenario")
    # austerity cuts the grant: whatever its effect on well-being, it is the cheaper option
    assert table.loc["austerity", "verdict"].startswith("cheaper")
    for stem in ("extra_cost", "wellbys", "net_low", "net_central", "net_high"):
        assert (table[f"{stem}_low"] <= table[f"{stem}_mean"] + 1e-9).all()
        assert (table[f"{stem}_mean"] <= table[f"{stem}_high"] + 1e-9).all()
    # a higher value of a WELLBY raises the net value of a gain and lowers that of a loss
    gains = table["wellbys_mean"] > 0
    assert (table.loc[gains, "net_high_mean"] >= table.loc[gains, "net_low_mean"]).all()
    assert (table.loc[~gains, "net_high_mean"] <= table.loc[~gains, "net_low_mean"]).all()
    rows = value[value.index("Cost and benefit") :].split("<tr>")[2:]
    assert rows and all(" to " in row for row in rows)  # a range under every figure


def test_pdf_is_a4_within_twelve_pages_summary_first(printed):
    pypdf = pytest.importorskip("pypdf")
    out, done = printed
    assert "printed:" in done.stdout
    reader = pypdf.PdfReader(out / "report.pdf")
    assert 1 <= len(reader.pages) <= MAX_PAGES
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (
        210,
        297,
    )
    first = reader.pages[0].extract_text()
    assert first.lstrip().startswith("Scenario comparison") and "Summary against" in first
    text = "".join(page.extract_text() for page in reader.pages)
    head = text[: text.index("How to read this")]
    assert not P_VALUE.search(head)
    # nothing cut: the last section and the last scenario's parameters reach the PDF
    assert "Parameters" in text and "prevention_share" in text


def test_without_chromium_pdf_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("COAUTHOR_SIM_CHROMIUM", str(tmp_path / "no-such-chromium"))
    monkeypatch.setattr(pdf, "_playwright", lambda: False)
    assert pdf.system_chromium() is None and not pdf.available()
    page = tmp_path / "report.html"
    page.write_text("<!doctype html><p>x</p>")
    with pytest.raises(pdf.PdfError, match="Chromium"):
        pdf.print_pdf(page)
    assert not (tmp_path / "report.pdf").exists()


def test_system_chromium_prints_without_playwright(monkeypatch, tmp_path):
    """The fallback route: the system's Chromium alone (--print-to-pdf)."""
    if pdf.system_chromium() is None or shutil.which(pdf.system_chromium()) is None:
        _missing("no system Chromium")
    monkeypatch.setattr(pdf, "_playwright", lambda: False)
    page = tmp_path / "report.html"
    page.write_text("<!doctype html><style>@page { size: A4 }</style><h1>Summary</h1>")
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(pdf.print_pdf(page))
    assert len(reader.pages) == 1 and "Summary" in reader.pages[0].extract_text()
