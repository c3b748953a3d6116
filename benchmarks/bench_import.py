"""Start-up time of the package and the command line, against an earlier commit (A/B).

Run from the repository root::

    python benchmarks/bench_import.py                  # against main
    python benchmarks/bench_import.py --against 8f442d9 --repeats 15

The earlier commit's ``src/`` is exported with ``git archive`` into a temporary folder; each
measurement is a fresh interpreter (``python -c "import coauthor_sim"``, and
``python -m coauthor_sim.cli --version``) with ``PYTHONPATH`` pointing at one source tree or the
other, the two alternated so that a busy machine slows both alike. Prints the median wall time
of each and their ratio. What a worker process or the command line pays before doing anything.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBES = {
    "import coauthor_sim": ["-c", "import coauthor_sim"],
    "coauthor-sim --version": ["-m", "coauthor_sim.cli", "--version"],
}


def export(ref: str, into: Path) -> Path:
    """``src/`` of commit ``ref``, unpacked into ``into``; returns its path."""
    archive = subprocess.run(["git", "archive", ref, "src"], cwd=ROOT, capture_output=True,
                             check=True).stdout  # fmt: skip
    tar = into / "src.tar"
    tar.write_bytes(archive)
    with tarfile.open(tar) as files:
        files.extractall(into, filter="data")
    return into / "src"


def once(src: Path, args: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(src)}
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="main", help="earlier commit (default main)")
    parser.add_argument("--repeats", type=int, default=9, help="runs of each (9)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = export(args.against, Path(tmp))
        trees = {args.against: old, "this tree": ROOT / "src"}
        for name, probe in PROBES.items():
            times: dict[str, list[float]] = {label: [] for label in trees}
            for src in trees.values():
                once(src, probe)  # warm the file cache
            for _ in range(args.repeats):
                for label, src in trees.items():
                    times[label].append(once(src, probe))
            a, b = (statistics.median(times[label]) for label in trees)
            print(f"{name:<24} {args.against}: {a:.3f} s   this tree: {b:.3f} s   "
                  f"ratio {b / a:.2f}  (medians of {args.repeats})")  # fmt: skip


if __name__ == "__main__":
    main()
