"""Execution of many model runs on local processes or any ``concurrent.futures.Executor``.

One code path: every run is a ``RunSpec`` (fully resolved parameters plus a seed), executed by
the picklable top-level function ``simulate``. Results come back as runs finish; the caller
decides what to keep, so nothing forces all results into memory at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class RunSpec:
    """One simulation: a unique key, every parameter value, and its seed."""

    key: str
    params: dict[str, Any]
    seed: int
    labels: dict[str, Any] = field(default_factory=dict)  # e.g. scenario and replication


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Independent seeds for ``replications`` runs, spawned from one experiment seed.

    ``SeedSequence.spawn`` gives statistically independent streams; the same experiment seed
    always gives the same list, so any run can be reproduced alone from its stored seed.
    Scenarios compared with the same list share their random numbers (common random numbers),
    which makes paired differences between them far less noisy.
    """
    children = np.random.SeedSequence(seed).spawn(replications)
    return [int(child.generate_state(1, dtype=np.uint64)[0]) for child in children]


def simulate(spec: RunSpec) -> pd.DataFrame:
    """Run one simulation to its ``steps`` and return its outcome table (one row per month)."""
    from ..model import CoauthorModel

    return CoauthorModel(seed=spec.seed, **spec.params).run()


def default_jobs() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def execute(
    specs: Iterable[RunSpec],
    func: Callable[[RunSpec], Any] = simulate,
    *,
    jobs: int | None = None,
    executor: Executor | None = None,
    progress: bool = True,
    desc: str = "runs",
) -> Iterator[tuple[RunSpec, Any]]:
    """Yield ``(spec, func(spec))`` for every spec, in the order runs finish.

    With ``executor`` given, runs are submitted to it (a process pool, a Dask executor, ...);
    otherwise ``jobs`` local processes are used (default: all cores), or the current process
    when ``jobs`` is 1. A progress bar with runs done and time left is shown when ``progress``.
    """
    from tqdm import tqdm

    specs = list(specs)
    jobs = default_jobs() if jobs is None else jobs
    bar = tqdm(total=len(specs), desc=desc, unit="run", disable=not progress, smoothing=0.1)
    with bar:
        if executor is None and (jobs <= 1 or len(specs) <= 1):
            for spec in specs:
                result = func(spec)
                bar.update()
                yield spec, result
            return
        own = executor is None
        pool = ProcessPoolExecutor(max_workers=jobs) if own else executor
        try:
            futures = {pool.submit(func, spec): spec for spec in specs}
            for future in as_completed(futures):
                bar.update()
                yield futures[future], future.result()
        finally:
            if own:
                pool.shutdown(cancel_futures=True)
