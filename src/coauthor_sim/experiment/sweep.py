"""Sweeps: every run of an experiment, streamed into a resumable store as it finishes.

``run_sweep`` is the one code path for local processes, a single process and Dask: it takes
any ``concurrent.futures.Executor``. A run's results depend only on its parameters and seed,
so the stored tables are the same whichever executor ran them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..api import final_outcomes
from ..scenario import ScenarioError
from .runner import RunSpec, execute, simulate
from .store import Store, run_columns

if TYPE_CHECKING:  # workers import this module: keep them from loading scipy.stats
    from .definition import Experiment


@dataclass
class SweepSummary:
    """What a call of ``run_sweep`` did."""

    total: int
    already_done: int
    ran: int
    failed: int
    seconds: float
    folder: Path


def record_run(spec: RunSpec, every: int, series: tuple[str, ...]) -> dict[str, Any]:
    """Worker: simulate one run; return its final outcomes and its series every ``every``
    months (month 0 and the last month always included)."""
    table = simulate(spec)
    out: dict[str, Any] = {"final": final_outcomes(table)}
    if every > 0:
        months = sorted(set(range(0, len(table), every)) | {len(table) - 1})
        out["series"] = table.loc[months, list(series)].reset_index()
    return out


class _Recorder:
    """Picklable worker function bound to what an experiment records."""

    def __init__(self, every: int, series: tuple[str, ...]):
        self.every, self.series = every, series

    def __call__(self, spec: RunSpec) -> dict[str, Any]:
        return record_run(spec, self.every, self.series)


def check_folder(experiment: Experiment, folder: Path) -> None:
    """Refuse, without writing anything, a folder that holds results of a different
    experiment, or files that are not a sweep's."""
    from ..safe_output import LOCK_NAME

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ScenarioError(f"{folder}: exists and is not a folder")
    if folder.exists() and any(p.name != LOCK_NAME for p in folder.iterdir()):
        if not (folder / "results.sqlite").exists():
            raise ScenarioError(f"{folder}: not empty and not a sweep results folder; "
                                "choose a new --out")  # fmt: skip
        with Store(folder) as store:
            stored = store.get_meta("fingerprint")
        if stored != experiment.fingerprint():
            raise ScenarioError(
                f"{folder}: holds results of a different experiment (or of an earlier version "
                f"of {experiment.path.name}); its runs would not match. Use a new --out, or "
                "restore the experiment file that made it"
            )


def prepare_folder(experiment: Experiment, folder: Path) -> Store:
    """Open (or create) the store in ``folder`` for ``experiment``, after ``check_folder``."""
    folder = Path(folder)
    fingerprint = experiment.fingerprint()
    check_folder(experiment, folder)
    folder.mkdir(parents=True, exist_ok=True)
    store = Store(folder)
    if store.get_meta("fingerprint") is None:
        store.create_tables(
            [f.name for f in experiment.factors] or sorted(
                {k for p in experiment.points for k in p.values}),
            _final_columns(), list(experiment.series),
        )  # fmt: skip
        store.set_meta(
            fingerprint=fingerprint, experiment=experiment.name,
            experiment_file=str(experiment.path), experiment_text=experiment.text,
            n_runs=experiment.n_runs, created=time.time(),
        )  # fmt: skip
    return store


def _final_columns() -> list[str]:
    from ..outcomes import OUTCOME_NAMES

    return list(OUTCOME_NAMES)


def run_sweep(
    experiment: Experiment,
    folder: Path,
    *,
    executor: Executor | None = None,
    jobs: int | None = None,
    progress: bool = True,
    worker: Callable[[RunSpec], dict[str, Any]] | None = None,
    retry_failed: bool = False,
) -> SweepSummary:
    """Run every run of ``experiment`` not yet stored in ``folder``, storing each as it
    finishes. Safe to call again after a crash: stored runs are never redone or duplicated;
    runs stored as failed are tried again only with ``retry_failed``.

    ``worker`` replaces what each run does (default: simulate and record the experiment's
    outcomes); it must be picklable and return ``{"final": {...}, "series": DataFrame}``."""
    start = time.perf_counter()
    store = prepare_folder(experiment, folder)
    try:
        done = store.done_ids(retry_failed)
        todo = [s for s in experiment.runs() if s.labels["run_id"] not in done]
        factor_names = sorted({k for p in experiment.points for k in p.values})
        failed = 0
        recorder = worker or _Recorder(experiment.every, experiment.series)
        for result in execute(todo, recorder, jobs=jobs, executor=executor, progress=progress,
                              desc=experiment.name):  # fmt: skip
            spec = result.spec
            point = experiment.points[spec.labels["point"]]
            row: dict[str, Any] = {
                **{k: spec.labels[k] for k in ("run_id", "point", "replication")},
                "seed": spec.seed,
                "status": "done" if result.ok else "failed",
                "error": result.error,
                "traceback": result.traceback,
                "seconds": result.seconds,
                "worker": result.worker,
                "finished": time.time(),
                **{f"x_{k}": point.values.get(k) for k in factor_names},
                **run_columns(point, spec.params),
            }
            series = None
            if result.ok:
                row.update(result.value["final"])
                series = result.value.get("series")
                if series is not None:
                    series = series.assign(run_id=spec.labels["run_id"])
            failed += not result.ok
            store.add_run(row, series)
        return SweepSummary(
            total=experiment.n_runs, already_done=len(done), ran=len(todo), failed=failed,
            seconds=time.perf_counter() - start, folder=Path(folder),
        )  # fmt: skip
    finally:
        store.close()
