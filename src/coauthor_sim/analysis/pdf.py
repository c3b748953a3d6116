"""Printing the HTML report to an A4 PDF with headless Chromium.

Two routes, the first that works: Playwright's ``page.pdf()`` (the ``pdf`` or ``test`` extra),
driving the system's Chromium if there is one, else a browser Playwright installed; or the
system's Chromium alone (``chromium --headless --print-to-pdf``). The report's print style sheet
(``@page`` A4, page breaks before major sections, tables that wrap, pictures that fit) does the
layout; both routes honour it. ``COAUTHOR_SIM_CHROMIUM`` names a Chromium of one's choice.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = (
    "--pdf needs Chromium: install it (e.g. apt-get install chromium), or "
    "pip install 'coauthor-sim[pdf]' and run 'playwright install chromium'"
)
TIMEOUT_S = 120


class PdfError(RuntimeError):
    """The report could not be printed to PDF."""


def system_chromium() -> str | None:
    """The Chromium to print with: ``COAUTHOR_SIM_CHROMIUM`` if set, else the first of the
    usual names on the PATH; None when there is none."""
    given = os.environ.get("COAUTHOR_SIM_CHROMIUM")
    if given:
        return given if shutil.which(given) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _playwright() -> bool:
    return importlib.util.find_spec("playwright") is not None


def available() -> bool:
    """Whether some route can print (checked before a long comparison starts)."""
    return system_chromium() is not None or _playwright()


def _args() -> list[str]:
    args = ["--disable-gpu", "--no-first-run", "--disable-background-networking"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return args


def _with_playwright(html: Path, pdf: Path, chromium: str | None) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        options = {"headless": True, "args": _args()}
        if chromium:
            options["executable_path"] = chromium
        browser = p.chromium.launch(**options)
        try:
            page = browser.new_page()
            page.goto(html.resolve().as_uri(), wait_until="load")
            page.emulate_media(media="print")
            page.pdf(path=str(pdf), format="A4", print_background=True,
                     prefer_css_page_size=True)  # fmt: skip
        finally:
            browser.close()


def _with_chromium(html: Path, pdf: Path, chromium: str) -> None:
    with tempfile.TemporaryDirectory(prefix="coauthor-pdf-") as profile:
        command = [chromium, "--headless", *_args(), f"--user-data-dir={profile}",
                   "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                   html.resolve().as_uri()]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
    if done.returncode != 0 or not pdf.exists():
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise PdfError(f"{chromium} could not print {html}: {last}")


def print_pdf(html: Path, pdf: Path | None = None) -> Path:
    """Print ``html`` to ``pdf`` (default: beside it, same name, ``.pdf``) on A4; return the
    PDF's path. Raises PdfError with a one-line reason when no route works."""
    pdf = pdf or html.with_suffix(".pdf")
    chromium = system_chromium()
    errors = []
    if _playwright():
        try:
            _with_playwright(html, pdf, chromium)
            return pdf
        except Exception as err:  # Playwright without a browser, or a browser that fails
            errors.append(f"Playwright: {str(err).strip().splitlines()[0]}")
    if chromium:
        try:
            _with_chromium(html, pdf, chromium)
            return pdf
        except (PdfError, OSError, subprocess.TimeoutExpired) as err:
            errors.append(str(err))
    raise PdfError("; ".join(errors) if errors else INSTALL_HINT)
