"""A/B timing of the monthly step: this tree against another source tree (e.g. the commit before
a speed-up, unpacked with ``git archive <commit> src | tar -x -C /tmp/before``), run in
alternation so that both see the same machine load.

    python benchmarks/ab_month.py /tmp/before/src --sizes 100000 300000 --reps 3
    python benchmarks/ab_month.py /tmp/before/src --calibration --reps 5

Each run is one ``bench_step.py`` worker (a fresh single-threaded subprocess: build, one warm-up
month, then ``--steps`` timed months, 24 by default so the yearly tie change is counted exactly
twice, then the bare mat-vec reference on the model's own matrix). Per size and version it
prints the best and the median over the repetitions of: CPU ms per month, the bare mat-vec,
their ratio and citizen-steps per second. On a shared machine, compare the versions within one
run of this script, not across runs.

With ``--calibration`` it times the calibration's model call instead (``bench_step.py``'s
``calibration_times``: three evaluations of 4 runs of 1,000 citizens x 120 months per worker
after a warm-up) and prints each version's evaluations per CPU second, best and median, and
B's rate over A's: how many more evaluations B fits in the same calibration budget.

With ``--worlds`` it times the many small worlds of a comparison instead (``bench_step.py``'s
``compare_margin``: the CPU cost of 30 more worlds of a two-scenario ``run_comparison`` at
1,000 citizens x 120 months, and its bare numpy/scipy reference in the same worker) and prints
each version's margin, its ratio to the bare reference, and B's margin over A's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_step import ONE_THREAD, machine_line  # noqa: E402


def run(src: str | None, n: int, steps: int, seed: int, worker: str = "fast") -> dict:
    """One worker run with ``src`` first on the import path (None: this tree)."""
    env = {**os.environ, **ONE_THREAD}
    if src:
        env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    args = ["--worker", worker, "--n", str(n), "--steps", str(steps), "--seed", str(seed)]
    done = subprocess.run(
        [sys.executable, str(HERE / "bench_step.py"), *args],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def calibration(before: str, reps: int, seed: int) -> None:
    """Evaluations per CPU second of the calibration's model call, A and B in alternation."""
    versions = {"A (other)": before, "B (this)": None}
    times: dict[str, list[float]] = {name: [] for name in versions}
    for _ in range(reps):
        for name, src in versions.items():
            times[name] += run(src, 1_000, 120, seed, worker="calibration")
    rates = {name: [1.0 / t for t in spent] for name, spent in times.items()}
    print(f"{'version':>10} {'evaluations per CPU second':>28} {'evaluations':>12}")
    print(f"{'':>10} {'best   median':>28}")
    for name, values in rates.items():
        print(f"{name:>10} {max(values):>20.2f} {statistics.median(values):>7.2f} "
              f"{len(values):>12}")  # fmt: skip
    a, b = rates["A (other)"], rates["B (this)"]
    print(
        f"B over A: {max(b) / max(a):.2f}x (best), "
        f"{statistics.median(b) / statistics.median(a):.2f}x (median)"
    )


def worlds(before: str, reps: int, seed: int) -> None:
    """CPU seconds of 30 more worlds of a two-scenario comparison, A and B in alternation."""
    versions = {"A (other)": before, "B (this)": None}
    rows: dict[str, list[dict]] = {name: [] for name in versions}
    for _ in range(reps):
        for name, src in versions.items():
            rows[name].append(run(src, 1_000, 120, seed, worker="compare"))
    print(f"{'version':>10} {'30 more worlds s':>18} {'bare s':>14} {'ratio':>14}")
    print(f"{'':>10} {'best  median':>18} {'best  median':>14} {'best median':>14}")
    medians = {}
    for name, found in rows.items():
        margin = [r["compare_margin"] for r in found]
        bare = [r["bare_worlds"] for r in found]
        ratio = [m / b for m, b in zip(margin, bare, strict=True)]
        medians[name] = statistics.median(margin)
        print(f"{name:>10} {min(margin):>8.2f} {medians[name]:>8.2f} {min(bare):>6.3f} "
              f"{statistics.median(bare):>6.3f} {min(ratio):>6.1f}x "
              f"{statistics.median(ratio):>5.1f}x")  # fmt: skip
    print(f"B's margin over A's (median): {medians['B (this)'] / medians['A (other)']:.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", help="the other tree's src folder (A)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--steps", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--calibration",
        action="store_true",
        help="time the calibration's model call instead of a month",
    )
    parser.add_argument(
        "--worlds",
        action="store_true",
        help="time 30 more worlds of a two-scenario comparison instead",
    )
    args = parser.parse_args(argv)

    print(machine_line())
    if args.calibration:
        calibration(args.before, args.reps, args.seed)
        return
    if args.worlds:
        worlds(args.before, args.reps, args.seed)
        print(machine_line())
        return
    versions = {"A (other)": args.before, "B (this)": None}
    print(f"{'citizens':>9} {'version':>10} {'month ms':>16} {'mat-vec ms':>16} "
          f"{'ratio':>14} {'citizen-steps/s':>22}")  # fmt: skip
    print(f"{'':>9} {'':>10} {'best  median':>16} {'best  median':>16} "
          f"{'best median':>14} {'best    median':>22}")  # fmt: skip
    for n in args.sizes:
        results: dict[str, list[dict]] = {name: [] for name in versions}
        for _ in range(args.reps):
            for name, src in versions.items():
                results[name].append(run(src, n, args.steps, args.seed))
        for name, rows in results.items():
            month = [1e3 * r["step_cpu"] for r in rows]
            bare = [1e3 * r["bare_matvec"] for r in rows]
            ratio = [m / b for m, b in zip(month, bare, strict=True)]
            rate = [r["rate"] for r in rows]
            print(
                f"{n:>9,} {name:>10} {min(month):>7.1f} {statistics.median(month):>7.1f} "
                f"{min(bare):>7.2f} {statistics.median(bare):>7.2f} "
                f"{min(ratio):>6.1f}x {statistics.median(ratio):>5.1f}x "
                f"{max(rate):>11,.0f} {statistics.median(rate):>10,.0f}",
                flush=True,
            )
    print(machine_line())


if __name__ == "__main__":
    main()
