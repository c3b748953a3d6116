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
from ..messages import FolderMismatch, ScenarioError
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


def check_folder(experiment: Experiment, folder: Path, allow_mixed_code: bool = False) -> None:
    """Refuse, without writing anything, a folder that holds results of a different
    experiment, files that are not a sweep's, or runs made by other code (unless
    ``allow_mixed_code``: then the runs table's code columns say which run came from which)."""
    from ..provenance import code_identity, describe
    from ..safe_output import LOCK_NAME

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ScenarioError(f"{folder}: exists and is not a folder")
    if folder.exists() and any(p.name != LOCK_NAME for p in folder.iterdir()):
        if not (folder / "results.sqlite").exists():
            raise ScenarioError(f"{folder}: not empty and not a sweep results folder; "
                                "choose a new results folder")  # fmt: skip
        with Store(folder) as store:
            stored = store.get_meta("fingerprint")
            codes = store.codes()
        if stored != experiment.fingerprint():
            raise FolderMismatch(
                f"{folder}: holds results of a different experiment (or of an earlier version "
                f"of {experiment.path.name}); its runs would not match. Use a new results "
                "folder, or restore the experiment file that made it"
            )
        other = {code: n for code, n in codes.items() if code != code_identity()}
        if other and not allow_mixed_code:
            code, n = max(other.items(), key=lambda item: item[1])
            raise FolderMismatch(
                f"{folder}: {n} of its runs were made by {describe(code)}, not by this code "
                f"({code_identity()}); resuming would mix two versions in one table. Use a new "
                "results folder, or allow mixed code (--allow-mixed-code, or "
                "allow_mixed_code=True) to go on with each run labelled by its code"
            )


def prepare_folder(experiment: Experiment, folder: Path, allow_mixed_code: bool = False) -> Store:
    """Open (or create) the store in ``folder`` for ``experiment``, after ``check_folder``."""
    folder = Path(folder)
    fingerprint = experiment.fingerprint()
    check_folder(experiment, folder, allow_mixed_code)
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
            experiment_file=shown_path(experiment.path), experiment_text=experiment.text,
            n_runs=experiment.n_runs, created=time.time(),
        )  # fmt: skip
    return store


def _final_columns() -> list[str]:
    from ..outcomes import OUTCOME_NAMES

    return list(OUTCOME_NAMES)


def shown_path(path: Path) -> str:
    """An experiment file as a manifest records it: a shipped one by its name
    (``shipped:small_example.toml``, found by name on any machine), a user's as given."""
    from ..shipped import shipped_folder

    folder = shipped_folder("experiments")
    try:
        return f"shipped:{Path(path).resolve().relative_to(folder.resolve()).as_posix()}"
    except ValueError:
        return str(path)


def executor_label(executor: Executor | None) -> str:
    """How a session ran, for its manifest: "local", a Dask scheduler's address, or the
    executor's class."""
    if executor is None:
        return "local"
    client = getattr(executor, "_client", None)  # distributed's ClientExecutor
    address = getattr(getattr(client, "scheduler", None), "address", None)
    return str(address) if address else type(executor).__name__


def sweep_manifest(experiment: Experiment, store: Store, sessions: list[dict]) -> dict:
    """The manifest of a sweep's folder: provenance, the experiment, counts of runs (and of
    the runs each code made) and every session. The command line and ``run_sweep`` from
    Python write the same one (it is written only here)."""
    from ..provenance import manifest

    counts = dict(store.db.execute("SELECT status, COUNT(*) FROM runs GROUP BY status"))
    return manifest(
        kind="sweep", experiment=experiment.name, experiment_file=shown_path(experiment.path),
        experiment_file_sha256=experiment.file_hash(), fingerprint=experiment.fingerprint(),
        design=experiment.kind, points=len(experiment.points),
        replications=experiment.replications, seed=experiment.seed,
        runs_total=experiment.n_runs, runs_done=counts.get("done", 0),
        runs_failed=counts.get("failed", 0),
        runs_by_code={str(k): v for k, v in store.codes().items()},
        base_parameters=experiment.base, factors=[f.__dict__ for f in experiment.factors],
        sessions=sessions,
    )  # fmt: skip


MANIFEST = "manifest.json"


def run_sweep(
    experiment: Experiment,
    folder: Path,
    *,
    executor: Executor | None = None,
    jobs: int | None = None,
    progress: bool = True,
    worker: Callable[[RunSpec], dict[str, Any]] | None = None,
    retry_failed: bool = False,
    allow_mixed_code: bool = False,
    figures: bool = True,
) -> SweepSummary:
    """Run every run of ``experiment`` not yet stored in ``folder``, storing each as it
    finishes. Safe to call again after a crash: stored runs are never redone or duplicated;
    runs stored as failed are tried again only with ``retry_failed``.

    The folder's ``manifest.json`` records the provenance (code, libraries, the experiment)
    and every session from its start; each stored run is labelled with the code that made it
    (``code_version``, ``code_commit``, ``code_dirty``, ``code_id``). A folder holding runs of
    other code is refused (``FolderMismatch``) unless ``allow_mixed_code``; a worker running
    other code than this process has its runs stored as failed, unless ``allow_mixed_code``.
    One sweep writes to a folder at a time (a second gets ``UsageError``).

    At the end the standard figures are drawn into ``folder/figures`` (``figures=False``:
    none; see ``analysis.sweep_figures``).

    ``worker`` replaces what each run does (default: simulate and record the experiment's
    outcomes); it must be picklable and return ``{"final": {...}, "series": DataFrame}``."""
    from ..provenance import begin_session, code_identity, describe, now, write_json
    from ..safe_output import folder_lock

    start = time.perf_counter()
    folder = Path(folder)
    check_folder(experiment, folder, allow_mixed_code)  # before the lock creates the folder
    with folder_lock(folder, "sweep"):
        store = prepare_folder(experiment, folder, allow_mixed_code)
        try:
            path = folder / MANIFEST
            sessions = begin_session(path, {"started": now(), "ended": None,
                                            "executor": executor_label(executor), "jobs": jobs,
                                            "allow_mixed_code": allow_mixed_code})  # fmt: skip
            write_json(path, sweep_manifest(experiment, store, sessions))
            done = store.done_ids(retry_failed)
            todo = [s for s in experiment.runs() if s.labels["run_id"] not in done]
            factor_names = sorted({k for p in experiment.points for k in p.values})
            failed = 0
            here = code_identity()
            recorder = worker or _Recorder(experiment.every, experiment.series)
            for result in execute(todo, recorder, jobs=jobs, executor=executor,
                                  progress=progress, desc=experiment.name):  # fmt: skip
                spec = result.spec
                point = experiment.points[spec.labels["point"]]
                code = result.code or {}
                error, trace = result.error, result.traceback
                if result.ok and code.get("code_id") != here and not allow_mixed_code:
                    error = (
                        f"CodeMismatch: the worker ran {describe(code.get('code_id'))}, "
                        f"this sweep {here}; not stored (allow_mixed_code to keep it)"
                    )
                row: dict[str, Any] = {
                    **{k: spec.labels[k] for k in ("run_id", "point", "replication")},
                    "seed": spec.seed,
                    "status": "done" if error is None else "failed",
                    "error": error,
                    "traceback": trace,
                    "seconds": result.seconds,
                    "worker": result.worker,
                    "finished": time.time(),
                    **{f"x_{k}": point.values.get(k) for k in factor_names},
                    **run_columns(point, spec.params),
                    **{k: code.get(k) for k in CODE_COLUMNS},
                }
                series = None
                if error is None:
                    row.update(result.value["final"])
                    series = result.value.get("series")
                    if series is not None:
                        series = series.assign(run_id=spec.labels["run_id"])
                failed += error is not None
                store.add_run(row, series)
            sessions[-1].update(ended=now(), status="finished", ran=len(todo), failed=failed,
                                figures=_figures(folder) if figures else None)  # fmt: skip
            write_json(path, sweep_manifest(experiment, store, sessions))
        finally:
            store.close()
    return SweepSummary(
        total=experiment.n_runs, already_done=len(done), ran=len(todo), failed=failed,
        seconds=time.perf_counter() - start, folder=folder,
    )  # fmt: skip


CODE_COLUMNS = ("code_version", "code_commit", "code_dirty", "code_id")


def _figures(folder: Path) -> list[str] | str:
    """Draw the standard figures; the files written, or why none could be (a figure that
    fails must not fail a sweep whose runs are all stored)."""
    from ..analysis.sweep_figures import write_figures

    try:
        return [str(p.relative_to(folder)) for p in write_figures(folder)]
    except Exception as err:  # reported in the manifest; the runs are safe
        return f"not drawn: {type(err).__name__}: {err}"
