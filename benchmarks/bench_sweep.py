"""Throughput of the sweep engine: runs per minute with 1 and 2 processes, parallel efficiency,
and the runner's overhead against the bare model.

Usage::

    python benchmarks/bench_sweep.py              # 24 runs of about 1.1 s each
    python benchmarks/bench_sweep.py --quick      # a smaller check

What is measured:
- bare model: the same runs called one after another in this process, with no runner, no
  store, no pickling (``simulate`` directly) -- the floor;
- sweep, 1 process: ``run_sweep`` with ``jobs=1`` (the runner and the SQLite store in the
  same process), so its extra time over the bare model is the runner's overhead;
- sweep, 2 processes: ``run_sweep`` with ``jobs=2`` on a local process pool; parallel
  efficiency = (time with 1 process) / (2 x time with 2 processes).
Targets: parallel efficiency >= 85% on 2 cores for runs of >= 1 s; overhead < 2% of model time.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = """
description = "benchmark"
scenario = "status_quo"
seed = 1
replications = {reps}
[fixed]
n_citizens = {citizens}
steps = {steps}
[design]
kind = "latin_hypercube"
samples = 2
[uncertainties]
need_growth = {{low = 0.06, high = 0.1}}
[record]
every = 12
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--citizens", type=int, default=20_000)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--replications", type=int, default=12, help="per design point (x2)")
    parser.add_argument("--quick", action="store_true", help="smaller runs (about 0.2 s)")
    args = parser.parse_args()
    if args.quick:
        args.citizens, args.replications = 2_000, 4
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

    from coauthor_sim.experiment.definition import load_experiment
    from coauthor_sim.experiment.runner import simulate
    from coauthor_sim.experiment.sweep import run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "experiments").mkdir()
        (tmp / "scenarios").symlink_to(ROOT / "scenarios")
        path = tmp / "experiments" / "bench.toml"
        path.write_text(EXPERIMENT.format(reps=args.replications, citizens=args.citizens,
                                          steps=args.steps))  # fmt: skip
        experiment = load_experiment(path)
        specs = experiment.runs()
        n = len(specs)

        simulate(specs[0])  # warm caches and imports
        start = time.perf_counter()
        for spec in specs:
            simulate(spec)
        bare = time.perf_counter() - start

        timings = {}
        for jobs in (1, 2):
            start = time.perf_counter()
            summary = run_sweep(experiment, tmp / f"out{jobs}", jobs=jobs, progress=False)
            timings[jobs] = time.perf_counter() - start
            assert summary.failed == 0 and summary.ran == n

    per_run = bare / n
    overhead = (timings[1] - bare) / bare
    efficiency = timings[1] / (2 * timings[2])
    print(f"{n} runs of {args.citizens:,} citizens x {args.steps} months "
          f"({per_run:.2f} s per run, bare model)")  # fmt: skip
    print(f"{'':28}{'seconds':>10}{'runs/min':>10}")
    print(f"{'bare model, in process':28}{bare:10.1f}{60 * n / bare:10.1f}")
    for jobs in (1, 2):
        label = f"sweep, {jobs} process{'es' if jobs > 1 else ''}"
        print(f"{label:28}{timings[jobs]:10.1f}{60 * n / timings[jobs]:10.1f}")
    print()
    print(
        f"runner overhead (1 process vs bare): {100 * overhead:+.1f}%   target < 2%   "
        f"[{'MET' if overhead < 0.02 else 'NOT MET'}]"
    )
    print(
        f"parallel efficiency on 2 processes:  {100 * efficiency:.0f}%   target >= 85%   "
        f"[{'MET' if efficiency >= 0.85 else 'NOT MET'}]"
        + ("" if per_run >= 1.0 else "   (runs shorter than the 1 s the target assumes)")
    )
    print(
        f"cores available: {len(os.sched_getaffinity(0))}; load average now: "
        f"{os.getloadavg()[0]:.1f} (another busy process lowers the 2-process figure)"
    )


if __name__ == "__main__":
    main()
