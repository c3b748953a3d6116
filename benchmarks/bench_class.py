"""A class on one server: many browser sessions of the student app at once.

Run from the repository root (needs the ``test`` extra and Debian's ``chromium``)::

    python benchmarks/bench_class.py                     # 20 sessions, 15 steps each
    python benchmarks/bench_class.py --sessions 5 --steps 5 --players 2   # a smaller class

What it does, and what is measured:

* Starts the app server exactly as ``coauthor-sim viz`` does (``solara run coauthor_sim.app``,
  one Python process), on a free port of 127.0.0.1, with sessions released 10 s after their
  page closes (``SOLARA_KERNEL_CULL_TIMEOUT``) so the release can be seen within the run.
* Opens ``--sessions`` pages in one headless Chromium (Playwright's async API drives them all
  at the same time; Playwright never downloads a browser here), each a separate session.
  ``--players`` of them press Play (2 months a second) and keep playing; the others press Step
  ``--steps`` times, as fast as the page allows.
* **Step latency**: for each press of Step, the wall time from the click until the page shows
  the new month in the counter, under the network picture and under all four charts (so the
  server has stepped the model and built the charts, and the browser has received them).
  Median, 95th percentile and maximum over all presses of all stepping sessions.
* **Server memory**: resident set size of the server process (``/proc/<pid>/status``) before
  any page, with all sessions open (peak), and 20 s after every page closed.
* **Pause and tab switch**: after the steps, the time from pressing Pause in each playing
  session until Play shows again, and from clicking the Start here tab in each stepping session
  (while the players play on) until its text shows.
* **Server CPU**: CPU seconds the server process used per step while the class was stepping
  (``/proc/<pid>/stat``); from it, how many students playing at 2 months a second one server
  process could carry (it runs on one core: Python's lock lets one thread compute at a time).

The browser runs on the same machine as the server, so its drawing competes with the server for
the same cores: the latencies are an upper bound for a class on separate computers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from coauthor_sim.app import server_command, server_environment

CHROMIUM = os.environ.get("COAUTHOR_SIM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip
TIMEOUT_MS = 180_000  # generous: the machine may be shared
SHOWN = """(month) => {
    const latest = [...document.querySelectorAll('.chart-latest')];
    const title = document.querySelector('.network-view .chart-title');
    const box = document.querySelector('.month-indicator');
    return box && box.textContent.startsWith(`Month ${month} of`) && latest.length >= 4
        && latest.every(e => e.textContent.startsWith(`Month ${month}:`))
        && title && title.textContent.endsWith(`month ${month}`);
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


async def _open(browser, url: str, width: int = 1280, height: int = 720):
    context = await browser.new_context(viewport={"width": width, "height": height})
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    await page.goto(url)
    await page.get_by_role("tab", name="Explore").click()
    await page.wait_for_function(SHOWN, arg=0)
    return context, page


async def _stepper(page, steps: int, latencies: list[float]) -> None:
    for month in range(1, steps + 1):
        started = time.perf_counter()
        await page.get_by_role("button", name="Step").click()
        await page.wait_for_function(SHOWN, arg=month)
        latencies.append(time.perf_counter() - started)


async def _player(page) -> None:
    await page.get_by_role("button", name="Play").click()
    await page.get_by_role("button", name="Pause").wait_for()


async def _respond(page, click, appears) -> float:
    """Seconds from a click until something appears (the page answering a button or tab)."""
    started = time.perf_counter()
    await click.click()
    await appears.wait_for()
    return time.perf_counter() - started


async def run(sessions: int, steps: int, players: int) -> dict:
    from playwright.async_api import async_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {**server_environment(), "SOLARA_KERNEL_CULL_TIMEOUT": "10s"}
    server = subprocess.Popen(server_command("127.0.0.1", port), env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    result: dict = {"sessions": sessions, "steps_each": steps, "players": players,
                    "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                    "load_before": _load()}  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("bench_class: the server did not start") from None
                await asyncio.sleep(0.3)
        result["rss_mb_idle"] = round(_rss_mb(server.pid), 1)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                               args=CHROMIUM_ARGS)  # fmt: skip
            started = time.perf_counter()
            opened = await asyncio.gather(*(_open(browser, url) for _ in range(sessions)))
            result["open_all_s"] = round(time.perf_counter() - started, 1)
            result["rss_mb_sessions_open"] = round(_rss_mb(server.pid), 1)
            pages = [page for _, page in opened]
            await asyncio.gather(*(_player(p) for p in pages[:players]))
            latencies: list[float] = []
            cpu0, wall0 = _cpu_seconds(server.pid), time.perf_counter()
            await asyncio.gather(*(_stepper(p, steps, latencies) for p in pages[players:]))
            cpu, wall = _cpu_seconds(server.pid) - cpu0, time.perf_counter() - wall0
            played = [int((await p.locator(".month-indicator").inner_text()).split()[1])
                      for p in pages[:players]]  # fmt: skip
            # While the others play: Pause in each playing session, then a change of tab in
            # each stepping session (both should answer within half a second on a calm machine).
            pauses = [
                await _respond(
                    p, p.get_by_role("button", name="Pause"), p.get_by_role("button", name="Play")
                )
                for p in pages[:players]
            ]
            await asyncio.gather(*(_player(p) for p in pages[:players]))
            tabs = [await _respond(p, p.get_by_role("tab", name="Start here"),
                                   p.get_by_text("Start here: what is this?", exact=True))
                    for p in pages[players:]]  # fmt: skip
            result["rss_mb_peak_during"] = round(_rss_mb(server.pid), 1)
            result["load_during"] = _load()
            for context, _ in opened:
                await context.close()
            await browser.close()
        stepped = len(latencies)
        months = stepped + sum(played)
        latencies.sort()
        result.update({
            "steps_measured": stepped,
            "months_played_meanwhile": sum(played),
            "step_latency_s": {
                "median": round(statistics.median(latencies), 3) if latencies else None,
                "p95": round(latencies[int(0.95 * (stepped - 1))], 3) if latencies else None,
                "max": round(latencies[-1], 3) if latencies else None,
            },
            "pause_response_s": {"median": round(statistics.median(pauses), 3),
                                 "max": round(max(pauses), 3)} if pauses else None,
            "tab_switch_response_s": {"median": round(statistics.median(tabs), 3),
                                      "max": round(max(tabs), 3)} if tabs else None,
            "stepping_wall_s": round(wall, 1),
            "server_cpu_s": round(cpu, 1),
            "server_cpu_ms_per_month": round(1000 * cpu / max(months, 1), 1),
            "rss_mb_per_session": round(
                (result["rss_mb_sessions_open"] - result["rss_mb_idle"]) / sessions, 1),
        })  # fmt: skip
        # One server process computes on one core at a time; a student playing at 2 months a
        # second asks for 2 months of server work a second.
        per_month = cpu / max(months, 1)
        result["players_at_2_per_s_one_process_can_carry"] = int(1.0 / (2 * per_month))
        await asyncio.sleep(25)  # sessions released 10 s after their page closed
        result["rss_mb_after_close"] = round(_rss_mb(server.pid), 1)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="browser sessions (20)")
    parser.add_argument("--steps", type=int, default=15, help="Step presses per session (15)")
    parser.add_argument("--players", type=int, default=0, help="sessions that Play instead")
    parser.add_argument("--out", help="also write the figures to this JSON file")
    args = parser.parse_args()
    if args.sessions < 1 or not 0 <= args.players < args.sessions:
        parser.error("need --sessions >= 1 and 0 <= --players < --sessions")
    result = asyncio.run(run(args.sessions, args.steps, args.players))
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
