"""Execution of many model runs on local processes or any ``concurrent.futures.Executor``.

One code path: every run is a ``RunSpec`` (fully resolved parameters plus a seed), executed by a
picklable top-level function. Results come back as runs finish, so the caller can stream them
to disk; nothing forces all results into memory at once.

Failures are isolated: a run that raises comes back as a failed ``RunResult`` with its error
and traceback, and the others go on. A local worker process that dies (``BrokenProcessPool``)
is survived: the pool is rebuilt, the runs that were in flight are retried one at a time to
find the culprit, and a run that kills its worker twice on its own is recorded as failed.

Workers die with their parent: if the main process is killed (``kill -9``, the out-of-memory
killer), each worker gets SIGKILL from the kernel (Linux ``PR_SET_PDEATHSIG``) and, as a second
guard on every system, a watchdog thread ends it once its parent is gone. Nothing is left
running.

Inside ``cached_results(folder)``, every finished run is also kept in ``folder`` and a later
``execute`` of the same runs (same function, parameters, seed and code version) returns the kept
result instead of running again: an interrupted comparison resumes where it stopped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .guard import pool_hazard

# Workers are always spawned (fresh interpreters), whatever the process's default start method:
# ``import mesa`` forces spawn, but the package no longer imports Mesa until a model is made,
# and forking a process with threads running (a progress bar, a Dask client) can deadlock.
SPAWN = multiprocessing.get_context("spawn")
SOLO_ATTEMPTS = 2  # times a suspect run may kill its worker on its own before it is failed
WATCHDOG_SECONDS = 0.5  # how often a worker checks that its parent is still alive
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@dataclass(frozen=True)
class RunSpec:
    """One simulation: a unique key, every parameter value, and its seed."""

    key: str
    params: dict[str, Any]
    seed: int
    labels: dict[str, Any] = field(default_factory=dict)  # e.g. scenario and replication


@dataclass
class RunResult:
    """What became of one run: its value, or its error and traceback."""

    spec: RunSpec
    value: Any = None
    error: str | None = None
    traceback: str | None = None
    seconds: float = 0.0
    worker: str = ""
    code: dict[str, Any] | None = None  # the worker's code (``provenance.run_code``)

    @property
    def ok(self) -> bool:
        return self.error is None


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Independent seeds for ``replications`` runs, spawned from one experiment seed.

    ``SeedSequence.spawn`` gives statistically independent streams; the same experiment seed
    always gives the same list, so any run can be reproduced alone from its stored seed.
    Scenarios compared with the same list share their random numbers (common random numbers),
    which makes paired differences between them far less noisy.
    """
    return [child_seed(child) for child in np.random.SeedSequence(seed).spawn(replications)]


def child_seed(child: np.random.SeedSequence) -> int:
    """A 63-bit integer seed drawn from a spawned SeedSequence (fits SQLite and JSON)."""
    return int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


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


def call(func: Callable[[RunSpec], Any], spec: RunSpec) -> RunResult:
    """Run ``func(spec)`` in the worker, capturing any exception as a failed result; either
    way labelled with the worker's code (``provenance.run_code``)."""
    from ..provenance import run_code

    start = time.perf_counter()
    worker = f"{os.uname().nodename}:{os.getpid()}"
    try:
        value = func(spec)
    except Exception as err:  # any error of one run is that run's result, not the batch's
        return RunResult(spec, None, f"{type(err).__name__}: {err}", traceback.format_exc(),
                         time.perf_counter() - start, worker, run_code())  # fmt: skip
    return RunResult(spec, value, seconds=time.perf_counter() - start, worker=worker,
                     code=run_code())  # fmt: skip


def execute(
    specs: Iterable[RunSpec],
    func: Callable[[RunSpec], Any],
    *,
    jobs: int | None = None,
    executor: Executor | None = None,
    progress: bool = True,
    desc: str = "runs",
) -> Iterator[RunResult]:
    """Yield a ``RunResult`` for every spec, in the order runs finish.

    With ``executor`` given (a process pool, a Dask ``Client.get_executor()``, ...), runs are
    submitted to it; otherwise ``jobs`` local processes are used (default: all cores), or the
    current process when ``jobs`` is 1. At most a few runs per worker are in flight at once, so
    memory stays flat however long the list. The progress bar shows runs done, failed and the
    time left.
    """
    specs = list(specs)
    jobs = default_jobs() if jobs is None else jobs
    cache = _active_cache
    if cache is not None:
        kept = [r for r in map(cache.get, specs) if r is not None]
        if kept:
            yield from kept
            done = {r.spec.key for r in kept}
            specs = [s for s in specs if s.key not in done]
        for result in _execute(specs, func, jobs, executor, progress, desc):
            if result.ok:
                cache.put(result)
            yield result
        return
    yield from _execute(specs, func, jobs, executor, progress, desc)


def _execute(
    specs: list[RunSpec],
    func: Callable[[RunSpec], Any],
    jobs: int,
    executor: Executor | None,
    progress: bool,
    desc: str,
) -> Iterator[RunResult]:
    from tqdm import tqdm

    # disable=None: shown on a terminal only, so logs and CI output stay readable
    bar = tqdm(total=len(specs), desc=desc, unit="run", disable=None if progress else True,
               smoothing=0.1)  # fmt: skip
    failed = 0

    def report(result: RunResult) -> RunResult:
        nonlocal failed
        failed += not result.ok
        bar.update()
        if failed:
            bar.set_postfix(failed=failed)
        return result

    with bar:
        if executor is None and jobs > 1 and (hazard := pool_hazard()):
            warnings.warn(hazard, RuntimeWarning, stacklevel=3)  # see experiment/guard.py
            jobs = 1
        if executor is None and jobs <= 1:
            for spec in specs:
                yield report(call(func, spec))
            return
        if executor is not None:
            window = 2 * slots(executor, jobs) + 2
            for result in _stream(executor, specs, func, window=window):
                yield report(result)
            return
        yield from map(report, _local(specs, func, jobs))


def slots(executor: Executor, jobs: int = 1) -> int:
    """How many runs ``executor`` can run at once (never fewer than ``jobs``): the threads of
    a Dask cluster's workers, the workers of a process pool. Keeping about twice that many in
    flight keeps a big cluster busy without queueing the whole batch at its scheduler."""
    client = getattr(executor, "_client", None)  # distributed's ClientExecutor
    if client is not None and callable(getattr(client, "nthreads", None)):
        try:
            return max(jobs, sum(client.nthreads().values()))
        except (OSError, TimeoutError):  # scheduler unreachable: the runs will say so
            return jobs
    return max(jobs, getattr(executor, "_max_workers", jobs))


def _stream(
    executor: Executor, specs: list[RunSpec], func: Callable, window: int
) -> Iterator[RunResult]:
    """Submit ``specs`` keeping at most ``window`` in flight; yield results as they finish.
    A future that fails without a result (e.g. Dask's KilledWorker) becomes a failed run."""
    queue = iter(specs)
    flight: dict[Future, RunSpec] = {}

    def refill() -> None:
        while len(flight) < window:
            spec = next(queue, None)
            if spec is None:
                return
            flight[executor.submit(call, func, spec)] = spec

    refill()
    while flight:
        done, _ = wait(flight, return_when=FIRST_COMPLETED)
        for future in done:
            spec = flight.pop(future)
            yield _result_of(future, spec)
        refill()


def _result_of(future: Future, spec: RunSpec) -> RunResult:
    try:
        return future.result()
    except BrokenProcessPool:
        raise
    except BaseException as err:  # lost with its worker, cancelled, ...
        return RunResult(spec, None, f"{type(err).__name__}: {err}", None)


# One thread per worker for the numerical libraries. The model's matrix products are tiny, and
# an idle OpenBLAS thread pool busy-waits on the other cores: measured here, two worker
# processes each ran at half speed (parallel efficiency 52%) until this was set, and at full
# speed (100%) after. Workers read these variables when they start; values a user has set win.
SINGLE_THREAD_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _local(specs: list[RunSpec], func: Callable, jobs: int) -> Iterator[RunResult]:
    """Run on a local process pool that is rebuilt whenever a worker dies."""
    for name in SINGLE_THREAD_ENV:
        os.environ.setdefault(name, "1")
    pending = list(specs)
    attempts: dict[str, int] = {}
    while pending:
        pool = _pool(jobs)
        finished: set[str] = set()
        try:
            for result in _stream(pool, pending, func, window=2 * jobs):
                finished.add(result.spec.key)
                yield result
            pending = []
        except BrokenProcessPool:
            pending = [s for s in pending if s.key not in finished]
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if pending:
            # The culprit was among the runs in flight: retry the first few alone.
            suspects, pending = pending[: 2 * jobs], pending[2 * jobs :]
            for spec in suspects:
                yield _solo(spec, func, attempts)


def _solo(spec: RunSpec, func: Callable, attempts: dict[str, int]) -> RunResult:
    """Run one suspect alone in a fresh single-worker pool until it finishes or has killed its
    worker SOLO_ATTEMPTS times."""
    while True:
        with _pool(1) as pool:
            try:
                return pool.submit(call, func, spec).result()
            except BrokenProcessPool:
                attempts[spec.key] = attempts.get(spec.key, 0) + 1
                if attempts[spec.key] >= SOLO_ATTEMPTS:
                    return RunResult(
                        spec, None,
                        f"WorkerDied: the worker process died {SOLO_ATTEMPTS} times running "
                        "this run alone (killed, out of memory, or a crash in native code)",
                    )  # fmt: skip


def _pool(jobs: int) -> ProcessPoolExecutor:
    """A local process pool whose workers die with this process."""
    return ProcessPoolExecutor(max_workers=jobs, mp_context=SPAWN, initializer=die_with_parent,
                               initargs=(os.getpid(),))  # fmt: skip


def die_with_parent(parent: int) -> None:
    """Worker initializer: end this process when ``parent`` ends, so a killed sweep leaves no
    worker behind (SIGKILL from the kernel on Linux; a watchdog thread everywhere)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watchdog remains
            pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCHDOG_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


class ResultCache:
    """Finished runs kept as one file each in a folder, keyed by everything that decides them
    (function, parameters, seed, labels and the code's version)."""

    def __init__(self, folder: Path):
        from ..provenance import code_identity

        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.code = code_identity()

    def _file(self, spec: RunSpec) -> Path:
        blob = json.dumps(
            {"key": spec.key, "params": dict(spec.params), "seed": spec.seed,
             "labels": spec.labels, "code": self.code},
            sort_keys=True, default=str,
        )  # fmt: skip
        return self.folder / (hashlib.sha256(blob.encode()).hexdigest()[:32] + ".pickle")

    def get(self, spec: RunSpec) -> RunResult | None:
        """The kept result of ``spec``, or None (also for a damaged file: it is rerun)."""
        path = self._file(spec)
        try:
            with open(path, "rb") as kept:
                result = pickle.load(kept)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return None
        return RunResult(spec, result.value, None, None, result.seconds, result.worker)

    def put(self, result: RunResult) -> None:
        from ..safe_output import write_atomic

        write_atomic(self._file(result.spec), pickle.dumps(result, pickle.HIGHEST_PROTOCOL))


_active_cache: ResultCache | None = None


@contextlib.contextmanager
def cached_results(folder: Path) -> Iterator[ResultCache]:
    """Within the block, ``execute`` keeps every finished run in ``folder`` and serves runs
    kept there before instead of running them again."""
    global _active_cache
    previous, _active_cache = _active_cache, ResultCache(folder)
    try:
        yield _active_cache
    finally:
        _active_cache = previous
