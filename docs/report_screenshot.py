"""Regenerate docs/img/report_summary.png: page 1 of a real report of the default comparison
(every shipped scenario against status_quo, 30 plausible worlds), the answer, as Chromium
renders it.

    python docs/report_screenshot.py                 # runs `coauthor-sim compare` (~1-5 min)
    python docs/report_screenshot.py results/compare-.../report.html   # an existing report

Needs Playwright and Chromium (the test extra: pip install -e '.[test]'); the Chromium is
``COAUTHOR_SIM_CHROMIUM`` or the first on the PATH, else one Playwright installed.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img" / "report_summary.png"
WIDTH = 1000  # pixels: a laptop browser window, readable when the README scales it down


def default_report(folder: Path) -> Path:
    """Run the default comparison into ``folder`` and return its report."""
    subprocess.run(
        [sys.executable, "-m", "coauthor_sim.cli", "compare", "--out", str(folder)],
        check=True, cwd=ROOT,
    )  # fmt: skip
    return folder / "report.html"


def screenshot(report: Path, out: Path = OUT) -> Path:
    """A PNG of the report's first page, the answer (the element ``#answer``)."""
    from playwright.sync_api import sync_playwright

    from coauthor_sim.analysis.pdf import _args, system_chromium

    with sync_playwright() as p:
        options = {"headless": True, "args": _args()}
        chromium = system_chromium()
        if chromium:
            options["executable_path"] = chromium
        browser = p.chromium.launch(**options)
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": 900})
            page.goto(report.resolve().as_uri(), wait_until="load")
            page.locator("#answer").screenshot(path=str(out))
        finally:
            browser.close()
    return out


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(screenshot(Path(sys.argv[1])))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            print(screenshot(default_report(Path(tmp) / "compare")))
