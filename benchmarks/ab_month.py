"""A/B timing of the monthly step: this tree against another source tree (e.g. the commit before
a speed-up, unpacked with ``git archive <commit> src | tar -x -C /tmp/before``), run in
alternation so that both see the same machine load.

    python benchmarks/ab_month.py /tmp/before/src --sizes 100000 300000 --reps 3

Each run is one ``bench_step.py`` worker (a fresh single-threaded subprocess: build, one warm-up
month, then ``--steps`` timed months, 24 by default so the yearly tie change is counted exactly
twice, then the bare mat-vec reference on the model's own matrix). Per size and version it
prints the best and the median over the repetitions of: CPU ms per month, the bare mat-vec,
their ratio and citizen-steps per second. On a shared machine, compare the versions within one
run of this script, not across runs.
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


def run(src: str | None, n: int, steps: int, seed: int) -> dict:
    """One worker run with ``src`` first on the import path (None: this tree)."""
    env = {**os.environ, **ONE_THREAD}
    if src:
        env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    args = ["--worker", "fast", "--n", str(n), "--steps", str(steps), "--seed", str(seed)]
    done = subprocess.run(
        [sys.executable, str(HERE / "bench_step.py"), *args],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", help="the other tree's src folder (A)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--steps", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    print(machine_line())
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
