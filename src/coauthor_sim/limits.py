"""Estimates of the work and memory a command asks for, refused above a limit.

A typo such as ``--replications 1000000000`` or ``n_citizens = 5_000_000`` with
``mean_degree = 200`` would otherwise hang for days or exhaust memory part-way. Before any
work, each command estimates

- work: citizen-months simulated (runs x citizens x months), and
- memory: bytes one run needs (citizens and their network ties) times the runs held at once,

and refuses, naming the numbers and ``--force``, when the work exceeds ``MAX_WORK`` or the
memory exceeds what the machine has free. ``--jobs`` above the cores available is lowered to
them unless forced.

The constants were measured on this model (``CoauthorModel`` after two months, peak resident
memory): about 760 bytes per citizen plus 245 bytes per citizen per unit of mean degree, on
top of a Python process of about 150 MB.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .messages import UsageError

MAX_WORK = 5_000_000_000  # citizen-months per command: roughly 5 core-hours at today's speed
MAX_RUNS = 1_000_000  # runs per command: their specifications alone take about 1 GB
MAX_POINTS = 10_000_000  # design points held in memory; a hard limit (not overridable)
BYTES_PER_CITIZEN = 800
BYTES_PER_TIE = 250  # per citizen per unit of mean degree
PROCESS_BYTES = 150_000_000
# Citizen-months per second on one core, building included; for the time estimate only.
# Measured (v4's shipped calibration): 8,221 evaluations of 4 runs of 1,000 citizens x 120
# months in 2,240 s on 2 processes, about 880,000; a little less is assumed.
SPEED = 800_000


@dataclass(frozen=True)
class Estimate:
    """The size of a command: runs, citizen-months, and peak memory of one run (bytes)."""

    runs: int
    work: int
    run_bytes: int

    def hours(self) -> float:
        return self.work / SPEED / 3600

    def time_text(self) -> str:
        """The estimated time on one core, in words."""
        seconds = self.work / SPEED
        if seconds < 90:
            return f"{seconds:.0f} s of one core"
        if seconds < 5400:
            return f"{seconds / 60:.0f} min of one core"
        return f"{seconds / 3600:,.0f} hours of one core"


def estimate(settings: Iterable[tuple[Mapping[str, Any], int]]) -> Estimate:
    """Size of runs given as (parameters, number of runs with them) pairs."""
    runs = work = peak = 0
    for params, count in settings:
        runs += count
        work += count * int(params["n_citizens"]) * int(params["steps"])
        peak = max(peak, run_bytes(params))
    return Estimate(runs, work, peak)


def run_bytes(params: Mapping[str, Any]) -> int:
    """Approximate peak memory of one run with these parameters."""
    n = int(params["n_citizens"])
    return int(n * (BYTES_PER_CITIZEN + BYTES_PER_TIE * float(params["mean_degree"])))


def available_cores() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def available_memory() -> int | None:
    """Bytes of memory free for new work (MemAvailable), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        return None


def check_jobs(jobs: int | None, force: bool, flag: str = "--jobs") -> int | None:
    """``jobs`` checked: at least 1, and lowered to the available cores unless ``force``."""
    if jobs is None:
        return None
    if jobs < 1:
        raise UsageError(f"{flag} {jobs}: expected a whole number of processes from 1")
    cores = available_cores()
    if jobs > cores and not force:
        import sys

        print(f"coauthor-sim: {flag} {jobs} lowered to the {cores} cores available "
              "(--force to keep it)", file=sys.stderr)  # fmt: skip
        return cores
    return jobs


def check_size(
    size: Estimate, jobs: int | None, force: bool, what: str, local: bool = True
) -> None:
    """Refuse ``size`` when it is above the limits, unless ``force``; ``what`` names the
    command's input (e.g. "compare of 7 scenarios x 30 replications"). Memory is checked
    against this machine only when the runs are ``local``."""
    if size.runs > MAX_POINTS:
        raise UsageError(f"{what}: {_count(size.runs)} runs is more than this program can hold "
                         f"(at most {MAX_POINTS:,})")  # fmt: skip
    if force:
        return
    if size.runs > MAX_RUNS:
        raise UsageError(f"{what}: {_count(size.runs)} runs is above the limit of {MAX_RUNS:,}; "
                         "use --force if you mean it")  # fmt: skip
    if size.work > MAX_WORK:
        raise UsageError(
            f"{what}: {size.work:.3g} citizen-months (about {size.time_text()}) is "
            f"above the limit of {MAX_WORK:.3g}; use fewer runs, citizens or months, or "
            "--force if you mean it"
        )
    free = available_memory() if local else None
    held = min(size.runs, jobs or available_cores())
    need = held * (size.run_bytes + PROCESS_BYTES)
    if free is not None and need > free:
        raise UsageError(
            f"{what}: needs about {size_text(need)} of memory ({held} run(s) at once of "
            f"{size_text(size.run_bytes)} each: citizens x mean_degree) but "
            f"{size_text(free)} is free; "
            "use fewer citizens, a lower mean_degree or fewer --jobs, or --force"
        )


def _count(n: int | float) -> str:
    return f"{n:,}" if n < 10**15 else f"{n:.3g}"


def size_text(n: int) -> str:
    """Bytes as MB or GB for messages."""
    return f"{n / 1e9:.1f} GB" if n >= 1e8 else f"{math.ceil(n / 1e6)} MB"
