"""Command line: ``coauthor-sim run ...``. Parses, validates, calls the library, reports.

Bad input gives one line on stderr and exit code 2, before any work and before anything is
written.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .params import ParameterError, resolve

EXIT_BAD_INPUT = 2
DEFAULT_SEED = 1
PROGRESS_WORK = 5_000_000  # citizen-months above which a run shows a progress bar


class UsageError(Exception):
    """Bad command-line input that argparse cannot see (files, folders, key=value pairs)."""


def _parse_setting(text: str) -> tuple[str, Any]:
    """``key=value`` with value read as a TOML value (numbers, true/false, "strings")."""
    import tomllib

    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"--set {text!r}: expected key=value")
    try:
        parsed = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value.strip()  # a bare word such as small_world
    return key.strip(), parsed


def _fresh_folder(out: str | None, seed: int) -> Path:
    if out is None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = Path("results") / f"run-{stamp}-seed{seed}"
        k = 1
        while path.exists():
            k += 1
            path = Path("results") / f"run-{stamp}-seed{seed}-{k}"
        return path
    path = Path(out)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise UsageError(f"--out {out}: folder exists and is not empty; choose a new folder")
    return path


def cmd_run(args: argparse.Namespace) -> int:
    """Run one simulation and write its outcome table and manifest."""
    from .model import CoauthorModel
    from .provenance import manifest, write_json

    overrides = dict(_parse_setting(s) for s in args.set)
    if args.steps is not None:
        overrides["steps"] = args.steps
    if args.citizens is not None:
        overrides["n_citizens"] = args.citizens
    params = resolve(overrides)  # raises ParameterError before any work
    folder = _fresh_folder(args.out, args.seed)

    t0 = time.perf_counter()
    model = CoauthorModel(seed=args.seed, **params)
    t1 = time.perf_counter()
    work = params.steps * params.n_citizens
    from tqdm import tqdm

    with tqdm(total=params.steps, unit="month", disable=work < PROGRESS_WORK) as bar:
        for _ in range(params.steps):
            model.step()
            bar.update()
    table = model.outcome_table()
    t2 = time.perf_counter()

    folder.mkdir(parents=True, exist_ok=True)
    table.to_csv(folder / "outcomes.csv")
    write_json(
        folder / "manifest.json",
        manifest(
            kind="run",
            parameters=dict(params),
            seed=args.seed,
            timings={"build_s": t1 - t0, "run_s": t2 - t1, "total_s": time.perf_counter() - t0},
            files=["outcomes.csv"],
        ),
    )
    print(_summary(table, params, args.seed, folder, t2 - t0))
    return 0


def _summary(table, params, seed: int, folder: Path, seconds: float) -> str:
    from .params import defaults

    first, last = table.iloc[0], table.iloc[-1]
    changed = {k: v for k, v in params.items() if defaults()[k] != v}
    rows = [
        ("life satisfaction (0-10)", "life_satisfaction", "{:.2f}"),
        ("well-being, least deprived fifth", "wellbeing_least_deprived", "{:.3f}"),
        ("well-being, most deprived fifth", "wellbeing_most_deprived", "{:.3f}"),
        ("gap between them", "wellbeing_gap", "{:.3f}"),
        ("Gini of well-being", "gini_wellbeing", "{:.3f}"),
        ("engaged in community action", "engagement_rate", "{:.1%}"),
        ("civic participation (12 months)", "civic_participation", "{:.1%}"),
        ("mean unmet need", "unmet_need", "{:.3f}"),
        ("crises this month", "crises", "{:.0f}"),
        ("spending this month (GBP)", "spending_total", "{:,.0f}"),
    ]
    lines = [
        f"coauthor-sim run: {params.n_citizens:,} citizens, {params.steps} months, seed {seed}",
        "changed from defaults: " + (", ".join(f"{k}={v}" for k, v in changed.items()) or "none"),
        "",
        f"{'outcome':34} {'month 0':>12} {'month ' + str(len(table) - 1):>12}",
    ]
    for label, col, fmt in rows:
        lines.append(f"{label:34} {fmt.format(first[col]):>12} {fmt.format(last[col]):>12}")
    lines += ["", f"wrote {folder}/outcomes.csv and manifest.json in {seconds:.1f} s"]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coauthor-sim",
        description="Agent-based model of citizen co-authorship of well-being.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one simulation and write its outcomes")
    run.add_argument("--steps", type=int, help="months to simulate (default 120)")
    run.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 1)")
    run.add_argument("--citizens", type=int, help="number of citizens (default 1000)")
    run.add_argument("--out", help="new folder for the results (default results/run-...)")
    run.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE",
        help="set any model parameter, e.g. --set co_production=0.5 (repeatable)",
    )  # fmt: skip
    run.set_defaults(func=cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``coauthor-sim`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ParameterError, UsageError) as err:
        print(f"coauthor-sim: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
