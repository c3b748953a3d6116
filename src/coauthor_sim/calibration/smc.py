"""Sequential approximate Bayesian computation (ABC-SMC) of the uncertain parameters, with
pyabc.

Why ABC-SMC: the model is stochastic and has no likelihood we can write down, but it is cheap
to run. Rejection ABC over a fixed design wastes most runs on implausible points and cannot
narrow the tolerance below the noise of a few replications; ABC-SMC (Toni et al. 2009, Beaumont
et al. 2009, as implemented by pyabc, Klinger et al. 2018) moves a population of particles
towards the targets generation by generation, each tolerance a quantile of the distances of
the previous generation, and weights the particles so the result is a sample of the posterior.

Choices, and why:
- distance: ``BandDistance``, the root mean square over fitted targets of the distance from
  each target's value, each side scaled by the value's distance to that side's band edge (so
  1 = on average at a band's edge); the bands are the published statements of how close
  counts, so they are the scale.
- statistics: the mean of ``replications`` runs per particle at the population size of
  experiments, enough that the distance is not dominated by noise (``noise.distance_noise``
  measures it; docs/validation.md states it).
- tolerance: ``QuantileEpsilon`` at the 30% quantile of the previous generation's distances
  (``alpha``; pyabc's default, the median, narrowed too slowly here: 0.82 per generation in a
  pilot), the first generation accepting every prior draw; proposals: pyabc's multivariate
  normal transition with the weighted covariance (``KERNEL_SCALING``) and a small ridge
  (``_regularised_transition``).
- stopping: the tolerance reaches ``min_epsilon``, the acceptance rate falls below
  ``min_acceptance`` (further generations would cost more than they narrow), ``generations``
  are done, or the time budget ``max_minutes`` is spent.
- execution: pyabc's ``ConcurrentFutureSampler`` over any ``concurrent.futures.Executor``: a
  local process pool by default (BLAS single-threaded in workers, as the sweep runner does),
  or a Dask client's executor. Only as many particles are in flight as there are workers.
- resuming: pyabc stores every finished generation in an SQLite database in the output
  folder; rerunning the same calibration into the same folder loads it and continues from the
  last complete generation (a generation interrupted part-way is run again).

Reproducibility: each particle's runs have seeds derived from the calibration seed and the
particle's values (``statistics.point_seeds``), so any evaluation can be repeated exactly; and
each proposal is drawn from numpy's and Python's global streams seeded by (calibration seed,
generation, proposal number) wherever it runs (``_seeded_batch``), while pyabc keeps the first
accepted proposals in proposal order, not in the order workers finish. So the same settings
and seed give the same particles, bit for bit, on one process, on several and on Dask (only
the count of evaluations started and cancelled may differ).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..experiment.design import Factor
from ..experiment.runner import SINGLE_THREAD_ENV, SPAWN, default_jobs
from ..messages import FolderMismatch
from ..params import SPECS
from ..scenario import GROUP_TABLE, toml_value
from .statistics import BandDistance, Simulator
from .targets import Target

DB_NAME = "abc.db"
STATE_NAME = "calibration.json"
# Which distance a calibration used (part of its fingerprint, so a folder made with another
# distance is never continued with this one): 2 = each side of a band scaled by the value's
# distance to that edge (v4); v3's distance scaled both sides by the half-band.
DISTANCE_VERSION = 2


class CalibrationMismatch(FolderMismatch):
    """The output folder holds a different calibration, or one made by other code:
    continuing it would mix two."""


class BudgetSpent(RuntimeError):
    """The time budget ran out during a generation: it is abandoned (not stored), and the
    calibration ends with the generations before it."""


class _Deadline:
    """The end of the time budget (a ``time.perf_counter`` value; none until set), checked
    before each new particle is started."""

    deadline = float("inf")

    def check(self) -> None:
        if time.perf_counter() > self.deadline:
            raise BudgetSpent("the time budget ran out during the generation")


@dataclass(frozen=True)
class Settings:
    """Everything that decides what a calibration computes (its fingerprint) and when it
    stops."""

    scenario: str
    base: dict[str, Any]  # the scenario's resolved parameters (with overrides)
    priors: list[Factor]
    targets: list[Target]
    population: int = 100
    replications: int = 4
    generations: int = 20
    min_epsilon: float = 0.5
    min_acceptance: float = 0.02
    max_minutes: float = 40.0
    seed: int = 1
    alpha: float = 0.3  # each tolerance is this quantile of the previous generation's distances
    kernel_scaling: float = 1.0  # proposal covariance over the particles' (KERNEL_SCALING)

    @property
    def fitted(self) -> list[Target]:
        return [t for t in self.targets if t.fitted]

    @property
    def recorded(self) -> list[str]:
        """Statistics stored for each particle: every fitted and held-out target's."""
        return sorted({t.statistic for t in self.targets if t.role != "inactive"})

    def fingerprint(self) -> str:
        """Hash of what the calibration computes; stopping rules may change between sessions."""
        text = json.dumps({
            "distance": DISTANCE_VERSION,
            "scenario": self.scenario, "base": self.base,
            "priors": [f.__dict__ for f in self.priors],
            "fitted": [(t.name, t.statistic, t.value, t.low, t.high) for t in self.fitted],
            "recorded": self.recorded, "population": self.population,
            "replications": self.replications, "seed": self.seed,
            "alpha": self.alpha, "kernel_scaling": self.kernel_scaling,
        }, sort_keys=True, default=str)  # fmt: skip
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Generation:
    """One finished generation: its tolerance, cost and effective sample size."""

    t: int
    epsilon: float
    evaluations: int
    accepted: int
    acceptance_rate: float
    ess: float
    end_time: str


@dataclass
class Outcome:
    """What a calibration produced: the generations, the final weighted particles, why it
    stopped and how long it took."""

    settings: Settings
    folder: Path
    generations: list[Generation]
    particles: pd.DataFrame  # final generation: parameters, weight, distance, statistics
    stopped: str
    sessions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return float(sum(s["seconds"] for s in self.sessions))

    def generations_table(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(g) for g in self.generations])


def prior_distribution(priors: list[Factor]) -> Any:
    """pyabc's uniform prior over each factor's range."""
    import pyabc

    return pyabc.Distribution(
        **{f.name: pyabc.RV("uniform", f.low, f.high - f.low) for f in priors}
    )


def _seeded_batch(
    simulate_one_pickle: bytes, batch_size: int, job_ids: list[int], base: tuple[int, int]
) -> list[tuple[Any, bool, int]]:
    """pyabc's remote evaluation of ``batch_size`` proposals (its
    ``_global_full_submit_function_pickle``), with each proposal's draws seeded by
    (calibration seed, generation, proposal number) instead of the operating system's entropy:
    the proposal numbered k of a generation is the same on any worker."""
    import random

    import cloudpickle

    simulate_one = cloudpickle.loads(simulate_one_pickle)
    out = []
    for job in job_ids[:batch_size]:
        seed = [*base, job]
        random.seed(str(seed))
        np.random.seed(seed)  # noqa: NPY002 - pyabc proposes from the global stream
        result = simulate_one()
        out.append((result, result.accepted, job))
    return out


class _Inline(Executor):
    """Runs each submitted call at once in this process: pyabc's futures sampling on one
    process, so ``--jobs 1`` proposes and accepts exactly as a pool does."""

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # the future carries it, as a pool's would
            future.set_exception(err)
        return future


class _Progress(Executor, _Deadline):
    """An executor that counts the evaluations and acceptances of the executor it wraps,
    for the progress bar (pyabc's futures samplers show none), and keeps the time budget:
    past ``deadline`` (a ``time.perf_counter`` value) it refuses new work, which ends pyabc's
    generation with ``BudgetSpent``."""

    def __init__(self, inner: Executor, show: bool):
        from tqdm import tqdm

        self.inner, self.show = inner, show
        self.bar = tqdm(disable=True)
        self.evaluations = 0
        self.generation = (0, 0)  # (calibration seed, generation) seeding each proposal

    def new_bar(self, desc: str, total: int) -> None:
        from tqdm import tqdm

        self.bar.close()
        self.bar = tqdm(total=total, desc=desc, unit="accepted", disable=None if self.show
                        else True, smoothing=0.05, leave=False)  # fmt: skip
        self.evaluations = 0

    def _done(self, future: Future) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        batch = future.result()
        self.evaluations += len(batch)
        accepted = sum(1 for item in batch if item[1])
        if accepted:
            self.bar.update(accepted)
        self.bar.set_postfix(evaluations=self.evaluations, refresh=False)

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        self.check()
        from pyabc.sampler.eps_mixin import _global_full_submit_function_pickle

        if fn is _global_full_submit_function_pickle:  # pyabc's proposals: seeded by number
            fn, args = _seeded_batch, (*args, self.generation)
        future = self.inner.submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.bar.close()
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)


def _watch_parent(parent: int) -> None:
    """Worker initializer: end the worker when the calibration that started it is gone (a
    ``kill -9`` of the calibration would otherwise leave its workers waiting for work)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _generations(history: Any) -> list[Generation]:
    from pyabc.weighted_statistics import effective_sample_size

    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    out = []
    for row in pops.itertuples():
        t = int(row.t)
        _, w = history.get_distribution(m=0, t=t)
        out.append(Generation(
            t=t, epsilon=float(row.epsilon), evaluations=int(row.samples),
            accepted=int(row.particles),
            acceptance_rate=float(row.particles / row.samples) if row.samples else float("nan"),
            ess=float(effective_sample_size(np.asarray(w))), end_time=str(row.population_end_time),
        ))  # fmt: skip
    return out


def final_particles(history: Any, settings: Settings) -> pd.DataFrame:
    """The last generation's particles: parameter values, normalised weight, distance, and
    the recorded statistics (mean over the particle's replications)."""
    population = history.get_population(t=history.max_t)
    names = [f.name for f in settings.priors]
    rows = []
    for p in population.particles:
        row = {n: float(p.parameter[n]) for n in names}
        row.update(weight=float(p.weight), distance=float(p.distance))
        row.update({k: float(np.asarray(v)) for k, v in p.sum_stat.items()})
        rows.append(row)
    table = pd.DataFrame(rows)
    table["weight"] /= table["weight"].sum()
    return table


# Proposal kernel: a normal with KERNEL_SCALING times the weighted covariance of the previous
# generation (``Settings.kernel_scaling``). pyabc's default (Silverman's bandwidth, about 0.5 x
# the covariance with 13 parameters) collapsed in v2: the weights degenerated to an effective
# sample size of 1-3 of 100 particles by the third generation. Beaumont et al. (2009) use 2; in
# a v3 pilot (10 parameters, the same generation resumed both ways) 2 accepted 12% of its
# proposals with an effective sample size of 69 of 100, and 1 accepted 17% with 40: 1 reaches a
# given tolerance with about a quarter fewer runs and keeps enough effective particles.
KERNEL_SCALING = 1.0


def _unit_bandwidth(n: float, d: int) -> float:
    """Bandwidth factor 1, so the kernel covariance is KERNEL_SCALING x the sample's."""
    return 1.0


# Ridge added to the kernel's covariance, as a share of each parameter's own variance: with
# fewer effectively distinct particles than parameters (small populations, uneven weights) the
# sample covariance is singular, some proposals then have zero kernel density, and pyabc's
# importance weights become 0/0.
KERNEL_RIDGE = 1e-3


def _regularised_transition(scaling: float = KERNEL_SCALING):
    """pyabc's multivariate normal transition, with the covariance kept positive definite."""
    import pyabc
    import scipy.stats as st

    class RegularisedNormal(pyabc.MultivariateNormalTransition):
        def fit(self, X, w) -> None:
            super().fit(X, w)
            scale = np.maximum(np.diag(self.cov), 1e-12)
            self.cov = self.cov + np.diag(KERNEL_RIDGE * scale)
            self.normal = st.multivariate_normal(cov=self.cov)

    return RegularisedNormal(scaling=scaling, bandwidth_selector=_unit_bandwidth)


# The next generation is started if one GROWTH times as costly as the last would end within the
# time budget. A generation can cost several times its predecessor when acceptance collapses,
# so the budget is also kept while a generation runs (``_Progress.deadline``): one still
# running when the budget is spent is abandoned, and the calibration ends with the generations
# before it. That makes the budget a promise, so the guess can be the plain one (the same cost
# again): in the v3 calibration a guess of 1.5 times stopped a run at 31 minutes of its 40
# before an eighth generation that then took 12.7 minutes, 1.0 times its predecessor.
GROWTH = 1.0


def _stop_reason(
    gens: list[Generation], settings: Settings, seconds: float, last_seconds: float
) -> str | None:
    """Why to stop before the next generation, or None to go on. The time budget: a
    generation is not started unless one GROWTH times the cost of the last would end within
    it (and one that runs past it is abandoned, see ``GROWTH``)."""
    if not gens:
        return None
    last = gens[-1]
    if last.t + 1 >= settings.generations:
        return f"{settings.generations} generations done"
    if last.t > 0 and last.epsilon <= settings.min_epsilon:
        return f"tolerance {last.epsilon:.3g} reached min_epsilon {settings.min_epsilon}"
    if last.t > 0 and last.acceptance_rate < settings.min_acceptance:
        return (f"acceptance rate {last.acceptance_rate:.3g} fell below "
                f"{settings.min_acceptance}")  # fmt: skip
    if seconds + GROWTH * last_seconds >= 60.0 * settings.max_minutes:
        spent, next_one = seconds / 60, GROWTH * last_seconds / 60
        return (f"time budget of {settings.max_minutes:g} minutes: {spent:.1f} spent, the "
                f"next generation would take about {next_one:.1f}")  # fmt: skip
    return None


def stored_generations(db_path: Path) -> int:
    """How many complete generations a calibration database holds (0 if none or no file)."""
    if not db_path.exists():
        return 0
    with contextlib.closing(sqlite3.connect(db_path)) as con:
        try:
            row = con.execute("SELECT COUNT(*) FROM populations WHERE t >= 0").fetchone()
        except sqlite3.OperationalError:  # the tables were never created
            return 0
    return int(row[0])


def _read_state(folder: Path) -> dict[str, Any] | None:
    path = folder / STATE_NAME
    return json.loads(path.read_text()) if path.exists() else None


def _write_state(folder: Path, state: dict[str, Any], settings: Settings) -> None:
    """The calibration's state (what a resumed session reads) and its ``manifest.json`` (the
    provenance every results folder carries: code, libraries, settings and every session)."""
    from ..provenance import manifest, write_json

    tmp = folder / (STATE_NAME + ".tmp")
    tmp.write_text(json.dumps(state, indent=2, default=str))
    os.replace(tmp, folder / STATE_NAME)
    write_json(folder / "manifest.json", manifest(
        kind="calibration", scenario=settings.scenario, fingerprint=settings.fingerprint(),
        method="ABC-SMC (pyabc)", population=settings.population,
        replications=settings.replications, seed=settings.seed, alpha=settings.alpha,
        kernel_scaling=settings.kernel_scaling, generations_most=settings.generations,
        min_epsilon=settings.min_epsilon, min_acceptance=settings.min_acceptance,
        max_minutes=settings.max_minutes,
        priors={f.name: [f.low, f.high] for f in settings.priors},
        fitted=[t.name for t in settings.fitted], base_parameters=settings.base,
        stopped=state.get("stopped"), sessions=state["sessions"],
    ))  # fmt: skip


def check_folder(settings: Settings, folder: Path, allow_mixed_code: bool = False) -> None:
    """Refuse an output folder that holds a different calibration, or generations computed
    by other code (unless ``allow_mixed_code``: each session records its code), before any
    work."""
    from ..provenance import code_identity, describe

    state = _read_state(folder)
    if state is None:
        return
    if state["fingerprint"] != settings.fingerprint():
        raise CalibrationMismatch(
            f"{folder}: holds a different calibration (other scenario, priors, fitted targets, "
            "population, replications, seed or distance version); choose another results "
            "folder or delete it"
        )
    other = [(s.get("code") or {}).get("code_id") for s in state["sessions"]
             if s.get("generations")]  # fmt: skip
    other = [code for code in other if code != code_identity()]
    if other and not allow_mixed_code:
        raise CalibrationMismatch(
            f"{folder}: its generations were computed by {describe(other[-1])}, not by this "
            f"code ({code_identity()}); continuing would mix two versions in one posterior. "
            "Choose another results folder, or allow mixed code (--allow-mixed-code, or "
            "allow_mixed_code=True)"
        )


def calibrate(
    settings: Settings,
    folder: Path,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    jobs: int | None = None,
    progress: bool = True,
    log: Callable[[str], None] = print,
    allow_mixed_code: bool = False,
) -> Outcome:
    """Run, or continue, an ABC-SMC calibration into ``folder`` until a stopping rule holds.

    With ``executor`` (e.g. a Dask client's) particles run there, ``workers`` at a time;
    otherwise on ``jobs`` local processes (default: all cores). The folder's
    ``manifest.json`` records the code and libraries of every session; a folder whose
    generations other code computed is refused unless ``allow_mixed_code``.
    """
    import pyabc
    from pyabc.sampler import ConcurrentFutureSampler

    from ..provenance import session_code

    folder.mkdir(parents=True, exist_ok=True)
    check_folder(settings, folder, allow_mixed_code)
    state = _read_state(folder) or {"fingerprint": settings.fingerprint(), "sessions": []}
    db_path = folder / DB_NAME
    db = f"sqlite:///{db_path.resolve()}"
    logging.getLogger("ABC").setLevel(logging.WARNING)  # our own progress lines instead
    logging.getLogger("pyabc").setLevel(logging.WARNING)

    jobs = default_jobs() if jobs is None else jobs
    in_process = executor is None and jobs == 1
    own_pool = executor is None and not in_process
    if own_pool:
        for name in SINGLE_THREAD_ENV:  # read by the workers when they start
            os.environ.setdefault(name, "1")
        executor = ProcessPoolExecutor(max_workers=jobs, mp_context=SPAWN,
                                       initializer=_watch_parent,
                                       initargs=(os.getpid(),))  # fmt: skip
        workers = jobs
    label = "local" if executor is None else type(executor).__name__
    if in_process:  # the same futures sampling, run at once in this process
        executor, workers = _Inline(), 1
    # the wrapper keeps the time budget (it refuses new particles past the deadline) and seeds
    # each proposal by its number, so every executor proposes and accepts alike
    wrapped = budget = _Progress(executor, progress)
    sampler = ConcurrentFutureSampler(wrapped, client_max_jobs=max(1, workers or 1))
    model = Simulator(settings.base, settings.recorded, settings.replications, settings.seed)
    fitted = settings.fitted
    resumed = stored_generations(db_path) > 0
    # The first generation accepts every prior draw; a resumed calibration takes its first
    # tolerance as the median distance of the last stored generation, as an uninterrupted one
    # would have done.
    eps = pyabc.QuantileEpsilon(
        initial_epsilon="from_sample" if resumed else np.inf, alpha=settings.alpha
    )
    abc = pyabc.ABCSMC(
        model, prior_distribution(settings.priors), BandDistance(fitted),
        population_size=settings.population, sampler=sampler, eps=eps,
        transitions=_regularised_transition(settings.kernel_scaling),
    )  # fmt: skip
    observed = {t.statistic: t.value for t in fitted}
    t0 = time.perf_counter()
    session = {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "executor": label,
               "workers": workers, "code": session_code()}  # fmt: skip
    state["sessions"].append({**session, "seconds": 0.0, "generations": 0})
    _write_state(folder, state, settings)  # before any work: the folder now names its calibration
    try:
        if resumed:
            history = abc.load(db, 1)
            log(f"resuming {folder}: {history.max_t + 1} generation(s) already stored")
        else:
            if db_path.exists():
                db_path.unlink()  # killed before its first generation was stored
            history = abc.new(db, observed)
        before = sum(s["seconds"] for s in state["sessions"][:-1])
        gens = _generations(history) if history.max_t >= 0 else []
        last = float(state.get("last_generation_seconds", 0.0))
        while (
            reason := _stop_reason(gens, settings, before + time.perf_counter() - t0, last)
        ) is None:
            t = history.max_t + 1
            wrapped.new_bar(f"generation {t}", settings.population)
            wrapped.generation = (settings.seed, t)
            np.random.seed([settings.seed, t])  # noqa: NPY002 - pyabc draws from the global stream
            g0 = time.perf_counter()
            # the budget's end, in this session's clock (generation 0 always runs to the end:
            # without it there is no calibration to report)
            budget.deadline = t0 + 60.0 * settings.max_minutes - before if gens else np.inf
            # pyabc caches the population it calibrates a resumed tolerance from; drop it so
            # each generation's tolerance comes from the generation just before it
            abc._initial_population = None
            try:
                abc.run(max_nr_populations=1)
            except BudgetSpent:
                # what it cost so far is the least the next attempt should expect
                last = state["last_generation_seconds"] = max(last, time.perf_counter() - g0)
                spent = (before + time.perf_counter() - t0) / 60
                reason = (f"time budget of {settings.max_minutes:g} minutes spent ({spent:.1f}) "
                          f"during generation {t}, which was abandoned after "
                          f"{(time.perf_counter() - g0) / 60:.1f} minutes")  # fmt: skip
                log(reason)
                break
            last = state["last_generation_seconds"] = time.perf_counter() - g0
            gens = _generations(history)
            g = gens[-1]
            state["sessions"][-1].update(
                seconds=time.perf_counter() - t0,
                generations=state["sessions"][-1]["generations"] + 1,
            )
            _write_state(folder, state, settings)
            log(f"generation {g.t}: tolerance {g.epsilon:.3g}, accepted {g.accepted} of "
                f"{g.evaluations} ({g.acceptance_rate:.0%}), ESS {g.ess:.0f}, "
                f"{time.perf_counter() - t0:.0f} s this session")  # fmt: skip
            if (warning := ess_warning(g.ess, settings.population)) is not None:
                log(warning)
    finally:
        wrapped.bar.close()
        if own_pool:
            executor.shutdown(wait=True, cancel_futures=True)
        state["sessions"][-1].update(seconds=time.perf_counter() - t0,
                                     ended=time.strftime("%Y-%m-%dT%H:%M:%S%z"))  # fmt: skip
        _write_state(folder, state, settings)
    state["stopped"] = reason
    _write_state(folder, state, settings)
    particles = final_particles(history, settings)
    return Outcome(settings, folder, gens, particles, reason, state["sessions"])


ESS_FLOOR = 0.2  # an effective sample size below this share of the population has collapsed


def ess_warning(ess: float, population: int) -> str | None:
    """A warning when a generation's effective sample size has collapsed (below ESS_FLOOR of
    the population): a few particles carry the weight, so the posterior is a handful of
    points, whatever its size says."""
    if ess >= ESS_FLOOR * population:
        return None
    return (f"warning: effective sample size {ess:.1f} of {population} particles: the weights "
            "have collapsed onto a few particles; widen a prior only with a larger population "
            "(--population) or a longer budget, and do not read the posterior's spread as "
            "the evidence's")  # fmt: skip


# --- what a calibration will cost ---------------------------------------------------------
def expected_evaluations(population: int, generations: int, acceptance: list[float]) -> int:
    """Evaluations (particles simulated) that ``generations`` generations of ``population``
    accepted particles take at the acceptance rates of a past calibration (``acceptance``,
    by generation; its last rate for later generations): population / rate per generation.
    Counting population x generations, as dry runs did until v5, was 1.7 to 4.6 times too low:
    every generation after the first rejects most of its proposals."""
    total = 0.0
    for t in range(generations):
        rate = acceptance[min(t, len(acceptance) - 1)]
        total += population / max(rate, 1e-3)
    return round(total)


def recorded_acceptance(record: Path, alpha: float) -> list[float]:
    """The acceptance rates by generation of a calibration's diagnostics (``.abc.json``);
    without one, every prior draw accepted and then a share ``alpha`` (the tolerance's
    quantile) in each later generation, an optimistic guess."""
    try:
        rates = [float(g["acceptance_rate"]) for g in json.loads(record.read_text())["generations"]]
    except (OSError, ValueError, KeyError, TypeError):
        rates = []
    return rates or [1.0, alpha]


# --- the posterior sample comparisons draw from ---------------------------------------------
def posterior_sample(particles: pd.DataFrame, priors: list[Factor], size: int, seed: int):
    """An equally weighted sample of the posterior: the final particles resampled by weight
    (comparisons draw rows uniformly, so weights must be turned into repeats)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7,)))
    w = particles["weight"].to_numpy(dtype=float)
    rows = rng.choice(len(particles), size=size, replace=True, p=w / w.sum())
    return particles.iloc[rows][[f.name for f in priors]].reset_index(drop=True)


def medoid(sample: pd.DataFrame, priors: list[Factor]) -> dict[str, Any]:
    """The sampled point closest, on average, to all others (each parameter scaled by its
    prior range): a real, accepted parameter set near the posterior's centre, written into the
    calibrated scenario for single runs. (The mean of each parameter need not be a point the
    posterior supports.)"""
    names = [f.name for f in priors]
    x = sample[names].to_numpy(dtype=float)
    x = (x - [f.low for f in priors]) / [f.high - f.low for f in priors]
    unique, index = np.unique(x, axis=0, return_index=True)
    total = np.abs(unique[:, None, :] - x[None, :, :]).sum(axis=(1, 2))
    row = sample.iloc[index[int(np.argmin(total))]]
    return {n: (int(row[n]) if SPECS[n].kind is int else float(row[n])) for n in names}


# The calibrated point: the final particles with the smallest distances are evaluated again,
# each with CHECK_REPLICATIONS fresh runs (seeds from a stream the calibration did not use, so
# the particle that was merely lucky in its own runs does not win), and the best is written.
CHECK_CANDIDATES = 12
CHECK_REPLICATIONS = 16
CHECK_SEED_OFFSET = 7919  # the re-evaluation's seed is the calibration's plus this


def _distance_of(task: tuple[Simulator, BandDistance, dict[str, float]]) -> float:
    simulator, distance, values = task
    return distance(simulator(values))


def best_point(
    outcome: Outcome,
    sample: pd.DataFrame,
    candidates: int = CHECK_CANDIDATES,
    replications: int = CHECK_REPLICATIONS,
    jobs: int | None = None,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """The best-supported single point of the posterior: of the particles in the posterior
    ``sample`` with the smallest distances, the one whose distance, re-evaluated with
    ``replications`` fresh runs, is smallest. Returns the point and the re-evaluation table
    (candidate values, their distance in the calibration and re-evaluated)."""
    settings = outcome.settings
    names = [f.name for f in settings.priors]
    drawn = sample[names].drop_duplicates()
    known = outcome.particles[[*names, "distance"]].drop_duplicates(subset=names)
    pool = drawn.merge(known, on=names, how="inner").nsmallest(candidates, "distance")
    simulator = Simulator(settings.base, [t.statistic for t in settings.fitted], replications,
                          settings.seed + CHECK_SEED_OFFSET)  # fmt: skip
    distance = BandDistance(settings.fitted)
    tasks = [(simulator, distance, {n: float(row[n]) for n in names})
             for _, row in pool.iterrows()]  # fmt: skip
    jobs = default_jobs() if jobs is None else jobs
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=SPAWN) as ex:
            again = list(ex.map(_distance_of, tasks))
    else:
        again = [_distance_of(t) for t in tasks]
    table = pool[[*names, "distance"]].assign(distance_again=again).reset_index(drop=True)
    row = table.loc[int(np.argmin(table["distance_again"].to_numpy()))]
    point = {n: (round(row[n]) if SPECS[n].kind is int else float(row[n])) for n in names}
    return point, table


def calibrated_scenario_text(
    point: dict[str, Any], base: str, posterior_file: str, diagnostics_file: str,
    fingerprint: str,
) -> str:  # fmt: skip
    """A scenario file holding the calibrated point and naming the posterior sample that
    comparisons draw from."""
    lines = [
        "# Written by `coauthor-sim calibrate`: do not edit by hand; rerun the command instead.",
        f"# Calibrated from {base} (fingerprint {fingerprint[:12]}); generations, tolerances and",
        f"# run time in {diagnostics_file}.",
        'description = """',
        "The calibrated baseline: the uncertain parameters fitted to the published UK figures in",
        "data/targets.toml by ABC-SMC (see docs/validation.md). The values below are the",
        "posterior particle that fits best when evaluated again with fresh runs, for single runs;",
        "policy scenarios extend it through status_quo, and comparisons draw their runs from its",
        "posterior sample.",
        '"""',
        f'posterior = "{posterior_file}"',
    ]
    by_table: dict[str, list[str]] = {}
    for name, value in point.items():
        table = GROUP_TABLE[SPECS[name].group]
        rounded = value if isinstance(value, int) else round(value, 6)
        by_table.setdefault(table, []).append(f"{name} = {toml_value(rounded)}")
    for table, entries in by_table.items():
        lines += ["", f"[{table}]", *entries]
    return "\n".join(lines) + "\n"


def write_calibrated_scenario(
    outcome: Outcome, path: Path, size: int | None = None, jobs: int | None = None,
    candidates: int = CHECK_CANDIDATES, replications: int = CHECK_REPLICATIONS,
) -> tuple[Path, Path, Path]:  # fmt: skip
    """Write the calibrated scenario at ``path`` (the best-supported point, ``best_point``),
    its posterior sample beside it (``<stem>.posterior.csv``) and its diagnostics
    (``<stem>.abc.json``); return the three."""
    settings = outcome.settings
    size = size or len(outcome.particles)
    sample = posterior_sample(outcome.particles, settings.priors, size, settings.seed)
    point, checked = best_point(outcome, sample, candidates, replications, jobs)
    posterior_path = path.with_suffix(".posterior.csv")
    diagnostics_path = path.with_suffix(".abc.json")
    sample.to_csv(posterior_path, index=False)
    diagnostics = {
        "scenario": settings.scenario,
        "fingerprint": settings.fingerprint(),
        "method": "ABC-SMC (pyabc), band-scaled RMS distance, tolerance at the "
        f"{settings.alpha:.0%} quantile of the previous generation's distances",
        "population": settings.population,
        "replications": settings.replications,
        "n_citizens": settings.base.get("n_citizens"),
        "steps": settings.base.get("steps"),
        "seed": settings.seed,
        "stopped": outcome.stopped,
        "seconds": outcome.seconds,
        "sessions": outcome.sessions,
        "evaluations": int(sum(g.evaluations for g in outcome.generations)),
        "generations": [asdict(g) for g in outcome.generations],
        "priors": {f.name: [f.low, f.high] for f in settings.priors},
        "fitted": [t.name for t in settings.fitted],
        "final_particles": {
            "distance_median": float(outcome.particles["distance"].median()),
            "distance_max": float(outcome.particles["distance"].max()),
        },
        "point": {
            "rule": f"best of the {len(checked)} final particles with the smallest distances, "
            f"each evaluated again with {replications} fresh runs",
            "values": point,
            "candidates": checked.to_dict(orient="records"),
        },
    }
    diagnostics_path.write_text(json.dumps(diagnostics, indent=2, default=str) + "\n")
    path.write_text(calibrated_scenario_text(
        point, settings.scenario, posterior_path.name,
        diagnostics_path.name, settings.fingerprint(),
    ))  # fmt: skip
    return path, posterior_path, diagnostics_path
