"""Speed and memory of CoauthorModel's construction and monthly step, against bare numpy/scipy
references of the same size and the per-agent Mesa reference.

Run from the repository root::

    python benchmarks/bench_step.py            # 1,000 / 10,000 / 100,000 citizens
    python benchmarks/bench_step.py --quick    # fewer steps, for a smoke run
    python benchmarks/bench_step.py --council  # 100,000 / 300,000 / 1,000,000, no reference
    python benchmarks/bench_step.py --sizes 300000 --reference-sizes   # any sizes
    python benchmarks/bench_step.py --profile 100000   # also cProfile one step at that size
    python benchmarks/bench_step.py --worlds           # many small worlds (compare, calibration)

What is measured, and how:

* The locality is the calibrated status quo (``scenarios/status_quo.toml``) at ``n`` citizens,
  in neighbourhoods of about 1,500 citizens (an English LSOA; at least 20 neighbourhoods), mean
  degree 10, one public servant per 100 citizens.
* **Throughput** of the fast model: citizen-steps per second, i.e. citizens x months / CPU
  seconds, over ``--steps`` months after one warm-up month, with the normal DataCollector
  collecting every month's outcomes (as in any real run). CPU time of the process
  (``time.process_time``) is used rather than wall time, so another job on the machine does not
  count against the model; wall time is printed beside it.
* **Construction** (network, citizens; Mesa agents and the networkx graph are made only on
  first use, so a batch run never builds them) is timed in CPU seconds.
* **Bare references**, measured in the same process right after the model, so that the ratios
  do not depend on the machine's load: *build*, drawing as many random ties as the model's
  network holds with numpy and making the symmetric CSR matrix with scipy; *mat-vec*, one
  diffusion step ``x = (A @ x) / degree`` on the model's own matrix. The ratios model/bare are
  the figures of merit (targets: build <= 20x, a month <= 8x). The bare step is a generous
  yardstick: its vector is the one it just wrote, hot in cache, while the model's pass over
  the ties (``kernels.ties``: resources of ties, engaged ties and help received, three sums
  per citizen in one pass) reads three values per neighbour and costs two to three bare
  steps. The uniform and normal draws cost another 1.5 bare steps at 300,000 (0.75 at a
  million). Below about 300,000 citizens
  the matrix fits in the last-level cache and the bare step is fast, so the same month is a
  larger multiple of it than at a million. ``ab_month.py`` times this tree against another one
  in alternation.
* **Peak memory**: the peak resident set size of the process (``resource.getrusage``
  ``ru_maxrss``), read before the bare references run; it includes the interpreter, numpy,
  scipy, networkx and Mesa themselves (about 100 MB before any model exists). Target: under
  1.5 GB at 1,000,000 citizens.
* **Reference**: ``reference_mesa.ReferenceModel``, the same dynamics written per agent, started
  from a fast model's state; its throughput is measured the same way over fewer months.

* **Many small worlds** (``--worlds``, also part of the default run): what the science runs
  most, 1,000-citizen worlds of 120 months. *Compare*: the marginal CPU cost of 30 more worlds
  in a two-scenario ``run_comparison`` (status quo against local public support, posterior
  and effect-size draws as ``coauthor-sim compare`` makes them, one process): the run with
  32 worlds less the run with 2, so the fixed costs of a comparison (PRIM, tables) cancel.
  Its bare reference does the same citizen-months with numpy/scipy alone: per world, a random
  graph of the same size and mean degree built as a CSR matrix, then per month one diffusion
  mat-vec and one normal draw per citizen. Target: at most 10x. *Calibration*: evaluations
  per second of the calibration's own model call (``calibration.statistics.Simulator`` at the
  default 4 replications, every statistic the default targets record), in one process; the
  ratio to the same call on another source tree (``ab_month.py --calibration``) says how many
  more evaluations a 40-minute budget holds (``ab_month.py --worlds``: the compare margin).

Each measurement runs in a fresh Python subprocess (so one size's memory peak cannot hide
another's) with numpy/BLAS limited to one thread, so "one core" is what is measured. Targets:
at least 100x the reference's throughput at 10,000 citizens; at least 3 million citizen-steps
per second at 100,000 citizens; at most 1 GB peak memory at 100,000 citizens.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ONE_THREAD = {
    name: "1"
    for name in (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "BLIS_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
        "NUMEXPR_NUM_THREADS",
    )
}
TARGET_RATIO = 100.0  # fast / reference throughput at 10,000 citizens
TARGET_RATE = 3_000_000.0  # citizen-steps per second at 100,000 citizens
TARGET_MEMORY_MB = 1024.0  # peak memory at 100,000 citizens
RATIO_SIZE, RATE_SIZE = 10_000, 100_000
TARGET_BUILD_RATIO = 20.0  # model construction / bare CSR build of as many random ties
TARGET_MONTH_RATIO = 8.0  # a month / one bare CSR mat-vec diffusion step
TARGET_BIG_MB, BIG_SIZE = 1536.0, 1_000_000  # peak memory at a million citizens
TARGET_WORLDS_RATIO = 10.0  # 30 more worlds of a compare / their bare reference
WORLD_SIZE, WORLD_MONTHS = 1_000, 120  # the many small worlds of compare and calibration
COUNCIL_SIZES = [100_000, 300_000, 1_000_000]
LSOA = 1_500  # citizens per neighbourhood in the benchmark locality (an English LSOA)


def model_params(n: int, steps: int) -> dict:
    """Parameters of a benchmark locality of ``n`` citizens: the calibrated status quo, mean
    degree 10, one neighbourhood per 1,500 citizens (at least 20), one public servant per 100
    citizens."""
    from coauthor_sim.api import scenario_parameters

    return dict(scenario_parameters(
        "status_quo", n_citizens=n, n_neighbourhoods=max(20, n // LSOA),
        servants_per_1000=10.0, mean_degree=10.0, steps=max(steps + 1, 1),
    ))  # fmt: skip


def bare_references(adjacency, seed: int, repeats: int = 20) -> tuple[float, float]:
    """CPU seconds of the bare numpy/scipy references of the model's size: drawing as many
    random ties as ``adjacency`` holds and making their symmetric CSR matrix; and one diffusion
    step ``x = (A @ x) / degree`` on ``adjacency`` itself (the mean of ``repeats``, after one
    warm-up, as the months are timed)."""
    import numpy as np
    import scipy.sparse as sp

    n, ties = adjacency.shape[0], adjacency.nnz // 2
    rng = np.random.default_rng(seed)
    cpu = time.process_time()
    ends = rng.integers(0, n, size=(2, ties))
    both = np.concatenate([ends, ends[::-1]], axis=1)
    bare = sp.csr_array((np.ones(2 * ties), (both[0], both[1])), shape=(n, n))
    build = time.process_time() - cpu
    del ends, both, bare
    inverse_degree = 1.0 / np.maximum(np.diff(adjacency.indptr), 1)
    x = (adjacency @ rng.random(n)) * inverse_degree  # warm-up
    cpu = time.process_time()
    for _ in range(repeats):
        x = (adjacency @ x) * inverse_degree
    return build, (time.process_time() - cpu) / repeats


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (Linux reports kB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def timed_steps(model, steps: int) -> tuple[float, float]:
    """CPU and wall seconds for ``steps`` months of ``model``."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(steps):
        model.step()
    return time.process_time() - cpu, time.perf_counter() - wall


# ----------------------------------------------------------------------------------------------
# Workers: each runs in its own subprocess and prints one JSON line.
# ----------------------------------------------------------------------------------------------
def work_fast(n: int, steps: int, seed: int) -> dict:
    """Build the fast model, take one warm-up month, then time ``steps`` months."""
    from coauthor_sim import CoauthorModel

    params = model_params(n, steps + 1)
    cpu, wall = time.process_time(), time.perf_counter()
    model = CoauthorModel(seed=seed, **params)
    build_cpu, build_wall = time.process_time() - cpu, time.perf_counter() - wall
    model.step()  # warm-up: first-call costs (imports, caches) are not the step's
    step_cpu, step_wall = timed_steps(model, steps)
    rows = len(model.outcome_table())
    assert rows == steps + 2, "the DataCollector must have collected every month"
    result = summary(n, steps, build_cpu, build_wall, step_cpu, step_wall)
    adjacency = model.adjacency
    del model
    result["bare_build"], result["bare_matvec"] = bare_references(adjacency, seed)
    return result


def bare_worlds(worlds: int, n: int, mean_degree: float, months: int, seed: int) -> float:
    """CPU seconds of the bare reference of ``worlds`` small worlds: per world a random graph
    of ``n`` citizens and ``mean_degree`` built as a symmetric CSR matrix, then per month one
    diffusion step ``x = (A @ x) / degree`` and one normal draw per citizen."""
    import numpy as np
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    ties = round(n * mean_degree / 2)
    cpu = time.process_time()
    for _ in range(worlds):
        ends = rng.integers(0, n, size=(2, ties))
        both = np.concatenate([ends, ends[::-1]], axis=1)
        matrix = sp.csr_array((np.ones(2 * ties), (both[0], both[1])), shape=(n, n))
        inverse_degree = 1.0 / np.maximum(np.diff(matrix.indptr), 1)
        x = rng.random(n)
        for _ in range(months):
            x = (matrix @ x) * inverse_degree
            x += 1e-3 * rng.standard_normal(n)
    return time.process_time() - cpu


def compare_cpu(replications: int, n: int, months: int, seed: int) -> float:
    """CPU seconds of a two-scenario comparison (status quo, local public support) with
    ``replications`` worlds drawn as ``coauthor-sim compare`` draws them, in this process."""
    from coauthor_sim.compare import load_posterior, run_comparison
    from coauthor_sim.effects import load_effects
    from coauthor_sim.scenario import load_scenario, scenario_path

    overrides = {"n_citizens": n, "steps": months}
    scenarios = [load_scenario(scenario_path(name), overrides)
                 for name in ("status_quo", "local_public_support")]  # fmt: skip
    posterior = load_posterior(scenarios[0].posterior)
    effects = load_effects(exclude=set(posterior.columns))
    cpu = time.process_time()
    run_comparison(scenarios, replications, seed, posterior=posterior, effects=effects, jobs=1,
                   progress=False)  # fmt: skip
    return time.process_time() - cpu


def calibration_rate(n: int, months: int, seed: int, evaluations: int) -> float:
    """Evaluations per CPU second of the calibration's model call (``Simulator`` with the
    default replications, recording every statistic of the default targets) at the default
    priors' mid-points, after one warm-up evaluation."""
    return evaluations / sum(calibration_times(n, months, seed, evaluations))


def calibration_times(n: int, months: int, seed: int, evaluations: int) -> list[float]:
    """CPU seconds of each of ``evaluations`` calls of the calibration's model (see
    ``calibration_rate``), after one warm-up call."""
    from coauthor_sim.api import scenario_parameters
    from coauthor_sim.calibration.statistics import Simulator
    from coauthor_sim.calibration.targets import load_priors, load_targets
    from coauthor_sim.params import SPECS
    from coauthor_sim.shipped import find_data

    priors = load_priors(find_data("priors.toml"))
    targets = load_targets(find_data("targets.toml"))
    recorded = sorted({t.statistic for t in targets if t.role != "inactive"})
    base = dict(scenario_parameters("status_quo", n_citizens=n, steps=months))
    base.update({f.name: SPECS[f.name].default for f in priors})  # as `calibrate` starts
    simulator = Simulator(base, recorded, replications=4, seed=seed)
    values = {f.name: (f.low + f.high) / 2 for f in priors}
    simulator(values)
    times = []
    for k in range(evaluations):
        cpu = time.process_time()
        simulator({**values, priors[0].name: values[priors[0].name] * (1 + 1e-3 * k)})
        times.append(time.process_time() - cpu)
    return times


def compare_margin(n: int, months: int, seed: int) -> dict:
    """CPU seconds of 30 more worlds of a two-scenario comparison (the run with 32 worlds less
    the run with 2, after a warm-up run) and of their bare reference, in this process."""
    few, many = 2, 32
    compare_cpu(few, n, months, seed)  # warm-up: imports, kernels loaded, caches
    # PRIM (EMA Workbench, imported on first use: some 3 s of CPU) runs only once some worlds
    # fail and others not, which 2 worlds rarely give: imported here, so the margin does not
    # count it.
    from coauthor_sim.analysis import robustness

    if hasattr(robustness, "_prim") and robustness.prim_available():
        robustness._prim()
    margin = compare_cpu(many, n, months, seed) - compare_cpu(few, n, months, seed)
    bare = bare_worlds(2 * (many - few), n, 10.0, months, seed)
    return {"n": n, "months": months, "worlds": many - few, "compare_margin": margin,
            "bare_worlds": bare}  # fmt: skip


def work_worlds(n: int, months: int, seed: int) -> dict:
    """The many-small-worlds workload: the compare margin, its bare reference, and the
    calibration's evaluation rate, all in this process."""
    return {
        **compare_margin(n, months, seed),
        "calibration_rate": calibration_rate(n, months, seed, evaluations=5),
        "peak_mb": peak_rss_mb(),
    }


def summary(
    n: int, steps: int, build_cpu: float, build_wall: float, step_cpu: float, step_wall: float
) -> dict:
    """One row of the results: per-month times, throughput and this process's peak memory."""
    return {
        "n": n,
        "steps": steps,
        "build_cpu": build_cpu,
        "build_wall": build_wall,
        "step_cpu": step_cpu / steps,
        "step_wall": step_wall / steps,
        "rate": n * steps / step_cpu,
        "peak_mb": peak_rss_mb(),
    }


def work_reference(n: int, steps: int, seed: int) -> dict:
    """Build a fast model, copy it into the per-agent reference, then time ``steps`` months of
    the reference (one warm-up month first, as for the fast model)."""
    sys.path.insert(0, str(HERE))
    from coauthor_sim import CoauthorModel
    from reference_mesa import ReferenceModel

    source = CoauthorModel(seed=seed, **model_params(n, steps + 1))
    cpu, wall = time.process_time(), time.perf_counter()
    model = ReferenceModel(source)
    build_cpu, build_wall = time.process_time() - cpu, time.perf_counter() - wall
    model.step()
    step_cpu, step_wall = timed_steps(model, steps)
    return summary(n, steps, build_cpu, build_wall, step_cpu, step_wall)


def work_profile(n: int, seed: int, top: int, months: int) -> str:
    """cProfile of the fast model at ``n`` citizens: ``months`` months after a warm-up month
    (several months, because one month at 100,000 citizens takes only some 25 ms and a single
    sample is noisy); the times printed are totals over those months."""
    from coauthor_sim import CoauthorModel

    model = CoauthorModel(seed=seed, **model_params(n, months + 1))
    model.step()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(months):
        model.step()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def spawn(*args: str) -> str:
    """Run this script as a worker in a fresh, single-threaded subprocess; return its stdout."""
    env = {**os.environ, **ONE_THREAD}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"worker {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def measure(kind: str, n: int, steps: int, seed: int) -> dict:
    """One worker run, parsed."""
    out = spawn("--worker", kind, "--n", str(n), "--steps", str(steps), "--seed", str(seed))
    return json.loads(out.strip().splitlines()[-1])


# ----------------------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------------------
def machine_line() -> str:
    """Python, numpy, Mesa, CPU and load, for the record."""
    import mesa
    import numpy as np
    import scipy

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = f"{names[0]} x{len(names)}" if names else cpu
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"Mesa {mesa.__version__}; {cpu}; load average {load}"
    )


def fmt_rate(rate: float | None) -> str:
    """A throughput with thousands separators, or a dash when not measured."""
    return "-" if rate is None else f"{rate:,.0f}"


def worlds_report(w: dict) -> list[str]:
    """The many-small-worlds lines of the report."""
    ratio = w["compare_margin"] / w["bare_worlds"]
    return [
        f"Many small worlds ({w['n']:,} citizens x {w['months']} months, one process, CPU time)",
        f"  compare, {w['worlds']} more worlds x 2 scenarios: {w['compare_margin']:.2f} s; bare "
        f"reference (graph per world, mat-vec + normal draw a month): {w['bare_worlds']:.3f} s; "
        f"ratio {ratio:.1f}x",
        f"  calibration model call (4 replications): {w['calibration_rate']:.2f} evaluations "
        f"per CPU second ({1 / w['calibration_rate']:.3f} s each)",
        f"  [{'MET' if ratio <= TARGET_WORLDS_RATIO else 'NOT MET'}] 30 more worlds of a "
        f"two-scenario compare <= {TARGET_WORLDS_RATIO:.0f}x the bare reference: {ratio:.1f}x",
        "",
    ]


def report(fast: dict[int, dict], ref: dict[int, dict]) -> list[str]:
    """The table and the verdict on each target, as lines of text."""
    lines = [
        "Fast model (CoauthorModel, DataCollector on, one thread)",
        "  build s: construction, wall clock; step ms: CPU per month; wall ms: wall clock",
        f"{'citizens':>9} {'build s':>8} {'step ms':>8} {'wall ms':>8} "
        f"{'citizen-steps/s':>16} {'peak RSS MB':>12} {'ref c-steps/s':>14} {'fast/ref':>9}",
    ]
    for n in sorted(fast):
        f = fast[n]
        r = ref.get(n)
        ratio = f"{f['rate'] / r['rate']:,.0f}x" if r else "-"
        lines.append(
            f"{n:>9,} {f['build_wall']:>8.2f} {1e3 * f['step_cpu']:>8.2f} "
            f"{1e3 * f['step_wall']:>8.2f} {fmt_rate(f['rate']):>16} {f['peak_mb']:>12.0f} "
            f"{fmt_rate(r['rate'] if r else None):>14} {ratio:>9}"
        )
    lines += [
        "",
        "Against bare numpy/scipy of the same size, same process (CPU time)",
        "  bare build: as many random ties + their symmetric CSR; bare mat-vec: (A @ x) / degree",
        f"{'citizens':>9} {'build s':>8} {'bare s':>7} {'ratio':>6} {'month ms':>9} "
        f"{'mat-vec ms':>11} {'ratio':>6}",
    ]
    for n in sorted(fast):
        f = fast[n]
        lines.append(
            f"{n:>9,} {f['build_cpu']:>8.2f} {f['bare_build']:>7.3f} "
            f"{f['build_cpu'] / f['bare_build']:>5.1f}x {1e3 * f['step_cpu']:>9.1f} "
            f"{1e3 * f['bare_matvec']:>11.2f} {f['step_cpu'] / f['bare_matvec']:>5.1f}x"
        )
    if ref:
        lines += ["", "Per-agent Mesa reference (ReferenceModel)"]
        lines.append(
            f"{'citizens':>9} {'months':>7} {'build s':>8} {'step ms':>10} {'wall ms':>10} "
            f"{'citizen-steps/s':>16} {'peak RSS MB':>12}"
        )
        for n in sorted(ref):
            r = ref[n]
            lines.append(
                f"{n:>9,} {r['steps']:>7} {r['build_wall']:>8.2f} {1e3 * r['step_cpu']:>10.1f} "
                f"{1e3 * r['step_wall']:>10.1f} {fmt_rate(r['rate']):>16} {r['peak_mb']:>12.0f}"
            )

    def verdict(ok: bool | None) -> str:
        return "NOT MEASURED" if ok is None else ("MET" if ok else "NOT MET")

    lines += ["", "Targets"]
    if RATIO_SIZE in fast and RATIO_SIZE in ref:
        ratio = fast[RATIO_SIZE]["rate"] / ref[RATIO_SIZE]["rate"]
        lines.append(
            f"  [{verdict(ratio >= TARGET_RATIO)}] >= {TARGET_RATIO:.0f}x the reference at "
            f"{RATIO_SIZE:,} citizens: {ratio:,.0f}x"
        )
    else:
        lines.append(f"  [{verdict(None)}] >= {TARGET_RATIO:.0f}x the reference at {RATIO_SIZE:,}")
    if RATE_SIZE in fast:
        rate, peak = fast[RATE_SIZE]["rate"], fast[RATE_SIZE]["peak_mb"]
        lines.append(
            f"  [{verdict(rate >= TARGET_RATE)}] >= {TARGET_RATE:,.0f} citizen-steps/s at "
            f"{RATE_SIZE:,} citizens (one core, collection on): {rate:,.0f}"
        )
        lines.append(
            f"  [{verdict(peak <= TARGET_MEMORY_MB)}] <= {TARGET_MEMORY_MB:,.0f} MB peak memory "
            f"at {RATE_SIZE:,} citizens (peak RSS, ru_maxrss): {peak:,.0f} MB"
        )
    else:
        lines.append(f"  [{verdict(None)}] rate and memory at {RATE_SIZE:,} citizens")
    for n in sorted(k for k in fast if k >= COUNCIL_SIZES[0]):  # targets set for council sizes
        f = fast[n]
        build, month = f["build_cpu"] / f["bare_build"], f["step_cpu"] / f["bare_matvec"]
        lines.append(
            f"  [{verdict(build <= TARGET_BUILD_RATIO)}] build <= {TARGET_BUILD_RATIO:.0f}x the "
            f"bare CSR build at {n:,}: {build:.1f}x; [{verdict(month <= TARGET_MONTH_RATIO)}] "
            f"a month <= {TARGET_MONTH_RATIO:.0f}x the bare mat-vec: {month:.1f}x"
        )
    if BIG_SIZE in fast:
        peak = fast[BIG_SIZE]["peak_mb"]
        lines.append(
            f"  [{verdict(peak < TARGET_BIG_MB)}] < {TARGET_BIG_MB:,.0f} MB peak memory at "
            f"{BIG_SIZE:,} citizens: {peak:,.0f} MB"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    """Parse arguments; either act as a worker or run every measurement and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--steps", type=int, default=None, help="timed months (fast model)")
    parser.add_argument(
        "--reference-sizes", type=int, nargs="*", default=[1_000, 10_000], metavar="N"
    )
    parser.add_argument("--reference-steps", type=int, default=None, help="timed months")
    parser.add_argument("--quick", action="store_true", help="few months: a smoke run")
    parser.add_argument(
        "--council", action="store_true",
        help=f"council sizes {', '.join(f'{n:,}' for n in COUNCIL_SIZES)}, no Mesa reference",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", type=int, default=None, metavar="N", help="cProfile at N")
    parser.add_argument("--top", type=int, default=25, help="rows of the profile to print")
    parser.add_argument("--profile-months", type=int, default=10, help="months profiled")
    parser.add_argument(
        "--worlds",
        action="store_true",
        help="only the many-small-worlds workload (compare and calibration)",
    )
    parser.add_argument("--no-worlds", action="store_true", help="skip the many small worlds")
    parser.add_argument(
        "--worker",
        choices=("fast", "reference", "profile", "worlds", "calibration", "compare"),
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker == "profile":
        print(work_profile(args.n, args.seed, args.top, args.profile_months))
        return
    if args.worker == "worlds":
        print(json.dumps(work_worlds(args.n, args.steps, args.seed)))
        return
    if args.worker == "compare":  # ab_month.py --worlds
        print(json.dumps(compare_margin(args.n, args.steps, args.seed)))
        return
    if args.worker == "calibration":  # ab_month.py --calibration
        print(json.dumps(calibration_times(args.n, args.steps, args.seed, evaluations=3)))
        return
    if args.worker:
        work = work_fast if args.worker == "fast" else work_reference
        print(json.dumps(work(args.n, args.steps, args.seed)))
        return

    if args.council:
        args.sizes, args.reference_sizes = COUNCIL_SIZES, []
    steps = args.steps or (5 if args.quick else 30)
    print(machine_line())
    print("numpy/BLAS threads: 1 in every worker; each measurement in a fresh subprocess\n")
    if not (args.council or args.no_worlds):
        months = 24 if args.quick else WORLD_MONTHS
        out = spawn("--worker", "worlds", "--n", str(WORLD_SIZE), "--steps", str(months),
                    "--seed", str(args.seed))  # fmt: skip
        print("\n".join(worlds_report(json.loads(out.strip().splitlines()[-1]))), flush=True)
        if args.worlds:
            return
    fast = {}
    for n in args.sizes:
        fast[n] = measure("fast", n, steps, args.seed)
        print(f"  fast {n:>9,}: {fmt_rate(fast[n]['rate'])} citizen-steps/s", flush=True)
    ref = {}
    for n in args.reference_sizes:
        ref_steps = args.reference_steps or (1 if args.quick else (3 if n >= 10_000 else 10))
        ref[n] = measure("reference", n, ref_steps, args.seed)
        print(f"  reference {n:>9,}: {fmt_rate(ref[n]['rate'])} citizen-steps/s", flush=True)
    print()
    print("\n".join(report(fast, ref)))
    if args.profile:
        months = args.profile_months
        print(f"\ncProfile of the fast model at {args.profile:,} citizens, {months} months after a")
        print("warm-up month (times are totals over those months; one thread). cProfile does")
        print("not see calls through numpy's array-function dispatch (np.bincount, np.where) or")
        print("Generator methods: their time is counted in the caller's tottime (step's own).\n")
        print(spawn("--worker", "profile", "--n", str(args.profile), "--seed", str(args.seed),
                    "--top", str(args.top), "--profile-months", str(months)))  # fmt: skip


if __name__ == "__main__":
    main()
