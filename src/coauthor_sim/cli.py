"""Command line: ``coauthor-sim run ...``. Parses, validates, calls the library, reports.

Bad input gives one line on stderr and exit code 2, before any work and before anything is
written (see ``coauthor_sim.preflight`` and ``coauthor_sim.limits``). A failure that is not the
user's input (disk full, a damaged store) gives one line with the cause and the remedy and exit
code 1; set COAUTHOR_SIM_TRACEBACK=1 to see the traceback as well.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import limits, preflight
from .effects import DEFAULT_EFFECTS
from .messages import Fault, UsageError, one_line, printable, unknown_name
from .params import SPECS, ParameterError, defaults, resolve
from .preflight import DryRun
from .safe_output import check_writable, fault_of
from .scenario import (
    ScenarioError,
    find_scenarios,
    load_scenario,
    scenario_path,
)
from .shipped import default_scenario_folder, find_data, shipped_folder

EXIT_BAD_INPUT = 2
EXIT_FAULT = 1
DEFAULT_SEED = 1
BASELINE = "status_quo"  # the scenario every other is compared with by default
SENSITIVITY_OUTCOMES = [
    "life_satisfaction", "wellbeing_gap", "engagement_rate", "unmet_need", "crisis_rate",
]  # fmt: skip
DIR_HELP = "folder of your scenario files (default ./scenarios; shipped ones are found too)"
PROGRESS_WORK = 5_000_000  # citizen-months above which a run shows a progress bar


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage block), exit code 2."""

    def error(self, message: str):  # type: ignore[override]
        print(one_line(f"{self.prog}: error: {message} (see {self.prog} --help)"),
              file=sys.stderr)  # fmt: skip
        raise SystemExit(EXIT_BAD_INPUT)


def _parse_setting(text: str) -> tuple[str, Any]:
    """``key=value`` with value read as a TOML value (numbers, true/false, "strings")."""
    import tomllib

    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"--set {printable(repr(text))}: expected key=value")
    try:
        parsed = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value.strip()  # a bare word such as small_world
    return key.strip(), parsed


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Parameter values given on the command line (--set, --steps, --citizens), each checked
    against the schema with the flag that gave it named in any error."""
    given = [(f"--set {s}", *_parse_setting(s)) for s in args.set]
    if args.steps is not None:
        given.append((f"--steps {args.steps}", "steps", args.steps))
    if args.citizens is not None:
        given.append((f"--citizens {args.citizens}", "n_citizens", args.citizens))
    overrides = {}
    for flag, key, value in given:
        if key not in SPECS:
            raise UsageError(f"{printable(flag)}: {unknown_name(key, SPECS, 'parameter')}")
        try:
            overrides[key] = SPECS[key].check(value)
        except ParameterError as err:
            raise UsageError(f"{printable(flag)}: {err}") from None
    return overrides


def _fresh_folder(out: str | None, seed: int, prefix: str = "run") -> Path:
    """The folder a command writes into: ``--out`` if new or empty, else a new folder under
    results/ named after the command, the time and the seed."""
    if out is None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = Path("results") / f"{prefix}-{stamp}-seed{seed}"
        k = 1
        while path.exists():
            k += 1
            path = Path("results") / f"{prefix}-{stamp}-seed{seed}-{k}"
        check_writable(path, "results folder")
        return path
    path = Path(out)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise UsageError(f"--out {out}: folder exists and is not empty; choose a new folder")
    check_writable(path, "--out")
    return path


def _size_check(args: argparse.Namespace, settings, what: str, local: bool = True) -> None:
    """Refuse work or memory above the limits (unless --force); end a --dry-run here. Memory
    is checked against this machine only for local runs (not on a Dask cluster)."""
    size = limits.estimate(settings)
    limits.check_size(size, getattr(args, "jobs", None), args.force, what, local)
    if args.dry_run:
        print(f"{what}: {size.runs:,} runs, {size.work:,} citizen-months (about "
              f"{size.time_text()}), about {limits.size_text(size.run_bytes)} per run; "
              "all inputs are valid")  # fmt: skip
        raise DryRun


def _check_common(args: argparse.Namespace) -> None:
    """Seed and jobs, checked for every command that has them (jobs lowered to the cores)."""
    if getattr(args, "seed", None) is not None:
        preflight.check_seed(args.seed)
    if hasattr(args, "jobs"):
        args.jobs = limits.check_jobs(args.jobs, getattr(args, "force", False))


def cmd_run(args: argparse.Namespace) -> int:
    """Run one simulation and write its outcome table and manifest."""
    from .model import CoauthorModel
    from .provenance import manifest, write_json
    from .safe_output import stage_folder

    _check_common(args)
    overrides = _overrides(args)
    if args.scenario:
        scenario = load_scenario(scenario_path(args.scenario, args.dir), overrides)
        params, name = scenario.params, scenario.name
    else:
        params, name = resolve(overrides), None  # raises ParameterError before any work
    folder = _fresh_folder(args.out, args.seed, prefix=name or "run")
    _size_check(args, [(params, 1)], "run")

    t0 = time.perf_counter()
    model = CoauthorModel(seed=args.seed, **params)
    t1 = time.perf_counter()
    work = params.steps * params.n_citizens
    from tqdm import tqdm

    with tqdm(
        total=params.steps,
        unit="month",
        disable=True if args.quiet or work < PROGRESS_WORK else None,
    ) as bar:
        for _ in range(params.steps):
            model.step()
            bar.update()
    table = model.outcome_table()
    t2 = time.perf_counter()

    staged = stage_folder(folder, "run")  # moved into place once both files are written
    table.to_csv(staged.out / "outcomes.csv")
    write_json(
        staged.out / "manifest.json",
        manifest(
            kind="run",
            scenario=str(scenario.path) if args.scenario else None,
            parameters=dict(params),
            seed=args.seed,
            timings={"build_s": t1 - t0, "run_s": t2 - t1, "total_s": time.perf_counter() - t0},
            files=["outcomes.csv"],
        ),
    )
    staged.finish()
    print(_summary(table, params, args.seed, folder, t2 - t0))
    return 0


def _summary(table, params, seed: int, folder: Path, seconds: float) -> str:
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
    show = lambda v, fmt: fmt.format(v) if v == v else "none here"  # noqa: E731 (NaN: empty)
    for label, col, fmt in rows:
        lines.append(f"{label:34} {show(first[col], fmt):>12} {show(last[col], fmt):>12}")
    from .councils import council_of, council_words

    council = council_of(params)
    if council is not None:
        lines += ["", council_words(council, scaled=False), *council.fifths_words()]
    lines += ["", f"wrote {folder}/outcomes.csv and manifest.json in {seconds:.1f} s"]
    return "\n".join(lines)


def cmd_scenarios(args: argparse.Namespace) -> int:
    """List the scenarios of a folder, or print one fully resolved."""
    if args.action == "show":
        if not args.name:
            raise UsageError("scenarios show: name a scenario, e.g. scenarios show status_quo")
        scenario = load_scenario(scenario_path(args.name, args.dir))
        print(_show(scenario))
        return 0
    folder = default_scenario_folder(args.dir)
    paths = find_scenarios(folder)
    if not paths:
        raise UsageError(f"no scenario files (*.toml) in {folder}")
    scenarios = []
    for path in paths:  # a broken file is named with its reason, and the rest still listed
        try:
            scenarios.append(load_scenario(path))
        except ScenarioError as err:
            _say(f"skipped {path.name}: {err}")
    if not scenarios:
        raise UsageError(f"no scenario file in {folder} could be read (reasons above)")
    width = max(len(s.name) for s in scenarios)
    for s in scenarios:
        print(f"{printable(s.name):{width}}  {printable(s.summary)}")
    return 0


def _show(scenario) -> str:
    """The fully resolved scenario as TOML, values that differ from the defaults marked."""
    from .scenario import TABLES, toml_value

    base = defaults()
    lines = [f"# {printable(scenario.name)}: {printable(scenario.path)}",
             f"# {printable(scenario.summary)}"]  # fmt: skip
    if len(scenario.chain) > 1:
        lines.append("# extends: " + " <- ".join(printable(p) for p in scenario.chain[1:]))
    lines.append("# (* = differs from the model default)")
    for table, group in TABLES.items():
        lines += ["", f"[{table}]"]
        for name, spec in SPECS.items():
            if spec.group == group:
                value = scenario.params[name]
                mark = "*" if value != base[name] else " "
                setting = f"{name} = {toml_value(value)}"
                lines.append(f"{setting:<44} # {mark} {spec.unit}".rstrip())
    return "\n".join(lines)


def _all_scenarios(given: str | None) -> list[str]:
    """Every scenario file in ``--dir`` (default ./scenarios, else the shipped ones), the
    status quo first (it is the baseline)."""
    folder = default_scenario_folder(given)
    paths = find_scenarios(folder)
    if not paths:
        raise UsageError(f"no scenario files (*.toml) in {folder}")
    return [str(p) for p in sorted(paths, key=lambda p: (p.stem != BASELINE, p.stem))]


def cmd_compare(args: argparse.Namespace) -> int:
    """Run a scenario comparison and write its tables, pictures and report."""
    from . import __version__
    from .analysis.report import terminal_table, write_comparison
    from .compare import run_comparison
    from .effects import load_effects
    from .provenance import manifest, now
    from .safe_output import stage_folder

    if args.replications < 2:
        raise UsageError("--replications must be at least 2 (confidence intervals need two)")
    _check_common(args)
    if not 0 <= args.minimum_difference < 10:
        raise UsageError("--minimum-difference must be from 0 to 10 life-satisfaction points")
    from .analysis.pdf import INSTALL_HINT, available

    if args.pdf and not available():
        raise UsageError(INSTALL_HINT)
    overrides = _overrides(args)
    if args.experiment:  # a comparison file sets scenarios, worlds, seed and fixed parameters
        from .compare import load_compare_plan

        if args.scenarios:
            raise UsageError("give scenarios either on the command line or in --experiment")
        plan = load_compare_plan(args.experiment)
        chosen = [str(p) for p in plan.scenarios]
        overrides = {**plan.fixed, **overrides}
        args.replications, args.seed, args.minimum_difference = plan.worlds, plan.seed, plan.mid
        args.effects = "" if not plan.draw_effects else str(plan.effects or args.effects)
        args.council, args.table = args.council or plan.council, args.table or plan.table
        args.fifths = args.fifths or plan.fifths
        args.local_figures = args.local_figures or plan.local_figures
    else:
        chosen = args.scenarios or _all_scenarios(args.dir)
    _check_compare_choice(chosen)
    scenarios = [load_scenario(scenario_path(s, args.dir), overrides) for s in chosen]
    council = _council_settings(args, scenarios)  # one council for every scenario compared
    if council:
        scenarios = [load_scenario(scenario_path(s, args.dir), {**overrides, **council})
                     for s in chosen]  # fmt: skip
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise UsageError("each scenario may be named only once: " + ", ".join(names))
    if len({(s.params["n_citizens"], s.params["steps"]) for s in scenarios}) > 1:
        raise UsageError(
            "scenarios differ in n_citizens or steps; set them alike (--citizens, --steps)"
        )
    source = None if args.no_posterior or args.fix_uncertainty else (
        Path(args.posterior) if args.posterior else scenarios[0].posterior
    )  # fmt: skip
    posterior = _posterior(args, source)
    figures = _local_figures(args, scenarios[0].params)
    effects_file = None if args.fix_uncertainty or not args.effects else Path(args.effects)
    effects = (
        load_effects(effects_file, set(posterior.columns) if posterior is not None else set())
        if effects_file else None
    )  # fmt: skip
    folder = _fresh_folder(args.out, args.seed, prefix="compare")
    try:
        _check_compare_size(args, scenarios, folder)
    except DryRun:
        _say_council(scenarios[0].params, sys.stdout)
        raise
    preflight.check_scheduler(args.scheduler)
    client, executor = _executor(args.scheduler)
    started = now()
    t0 = time.perf_counter()
    drawn = [  # file names only: this text goes into the report (no path of this machine)
        *([f"the calibrated posterior {source.name} ({len(posterior)} draws)"] if source
          else []),
        *([f"{len(effects)} effect-size priors from {effects_file.name}"] if effects else []),
    ]  # fmt: skip
    uncertainty = (
        "each replication a plausible world: uncertain parameters drawn from "
        + " and ".join(drawn) if drawn
        else "uncertain parameters fixed at the scenarios' values; worlds differ in seeds only"
    )  # fmt: skip
    print(
        f"comparing {len(scenarios)} scenarios x {args.replications} replications "
        f"({scenarios[0].params['n_citizens']:,} citizens, {scenarios[0].params['steps']} "
        f"months); {uncertainty}", file=sys.stderr,
    )  # fmt: skip
    _say_council(scenarios[0].params, sys.stderr)
    staged = stage_folder(folder)  # moved into place when complete; resumable if killed
    try:
        result = run_comparison(scenarios, args.replications, args.seed, jobs=args.jobs,
                                posterior=posterior, effects=effects, executor=executor,
                                mid=args.minimum_difference, progress=not args.quiet)  # fmt: skip
    finally:
        if client is not None:
            client.close()
    result.settings.update(created=started, version=__version__, uncertainty=uncertainty)
    if figures is not None:  # the council's own figures: for the checks of its baseline
        result.council = dataclasses.replace(result.council, figures=figures)
    report = write_comparison(
        result,
        staged.out,
        pdf=args.pdf,
        manifest=manifest(
            kind="compare",
            scenarios={
                s.name: {"file": str(s.path), "parameters": dict(s.params)} for s in scenarios
            },
            baseline=result.baseline,
            seed=args.seed,
            replication_seeds=result.seeds,
            replications=args.replications,
            uncertainty=uncertainty,
            posterior=str(source) if source else None,
            effects=str(effects_file) if effects else None,
            experiment=args.experiment,
            council=result.council.record() if result.council is not None else None,
            minimum_important_difference=args.minimum_difference,
            started=started,
            timings={
                "runs_s": result.settings["run_seconds"],
                "total_s": time.perf_counter() - t0,
            },
        ),
    )
    staged.finish()
    report = folder / report.name
    print(terminal_table(result))
    print(f"\n{uncertainty}.")
    pdf = report.with_suffix(".pdf")
    printed = f"\nprinted: {pdf}" if args.pdf and pdf.exists() else ""
    if args.pdf and not pdf.exists():
        print(f"report.pdf not printed (reason in manifest.json): {INSTALL_HINT}",
              file=sys.stderr)  # fmt: skip
    print(f"report: {report}{printed}\ntables: {folder}/*.csv  "
          f"({time.perf_counter() - t0:.0f} s)")  # fmt: skip
    return 0


def _council_settings(args: argparse.Namespace, scenarios) -> dict[str, Any]:
    """The council every compared scenario runs in: --council, --table, --scale and --fifths
    over the one a scenario file names (``councils.shared_council``); {} for none."""
    from .councils import shared_council
    from .localities import LocalityError

    try:
        settings = shared_council(scenarios) or {}
    except LocalityError as err:
        raise UsageError(str(err)) from None
    flags = {"locality_table": args.table, "local_authority": args.council,
             "locality_scale": args.scale, "locality_fifths": args.fifths}  # fmt: skip
    given = {k: v for k, v in flags.items() if v is not None}
    if given and not (settings or args.table):
        flag = {"local_authority": "--council", "locality_scale": "--scale",
                "locality_fifths": "--fifths"}[next(iter(given))]  # fmt: skip
        raise UsageError(f"{flag} needs a deprivation table: --table FILE (IoD2019 File 7 "
                         "saved as CSV), or a scenario that names a locality_table")  # fmt: skip
    if args.table and args.council is None and "local_authority" in settings:
        given["local_authority"] = ""  # a new table: its own council, or name one
    return {**settings, **given}


def _local_figures(args: argparse.Namespace, params):
    """The council's own figures (--local-figures FILE), checked before any work."""
    from .councils import council_of, load_local_figures

    if not args.local_figures:
        return None
    council = council_of(params)
    if council is None:
        raise UsageError("--local-figures needs a council: --council NAME --table FILE")
    return load_local_figures(args.local_figures, council)


def _say_council(params, stream) -> None:
    """The council and its fifths, one line each, before the work starts."""
    from .councils import council_of, council_words

    council = council_of(params)
    if council is not None:
        for line in (council_words(council), *council.fifths_words()):
            print(f"council: {line}", file=stream)


def cmd_report(args: argparse.Namespace) -> int:
    """Draw a comparison's report again from its results folder, running nothing."""
    from .analysis.pdf import INSTALL_HINT, available
    from .analysis.report import render
    from .provenance import now, write_json
    from .safe_output import read_json_or_none

    folder = Path(args.folder)
    if not folder.is_dir():
        raise UsageError(f"{printable(args.folder)}: no such folder")
    if args.pdf and not available():
        raise UsageError(INSTALL_HINT)
    report, error = render(folder, args.pdf)  # refuses a folder it cannot read, writing nothing
    manifest_path = folder / "manifest.json"
    old = read_json_or_none(manifest_path) if manifest_path.is_file() else None
    if isinstance(old, dict):
        files = sorted({*old.get("files", []), *(p.name for p in folder.iterdir())})
        write_json(manifest_path, {**old, "files": files, "report_drawn": now(),
                                   **({"pdf_error": error} if error else {})})  # fmt: skip
    pdf = report.with_suffix(".pdf")
    if args.pdf and error:
        print(f"report.pdf not printed: {one_line(error)}", file=sys.stderr)
    print(f"report: {report}" + (f"\nprinted: {pdf}" if args.pdf and not error else ""))
    return 0


def _check_compare_choice(chosen: list[str]) -> None:
    example = printable(chosen[0]) if chosen and chosen[0] != BASELINE else "austerity"
    if len(chosen) < 2:
        raise UsageError(
            f"compare needs two or more scenarios, the first being the baseline (got "
            f"{len(chosen)}); e.g. coauthor-sim compare status_quo {example} -- to run one "
            "scenario alone use coauthor-sim run"
        )


def _posterior(args: argparse.Namespace, source: Path | None):
    """The posterior sample to draw from, checked without echoing a wrong file's content."""
    from .compare import load_posterior
    from .scenario import check_posterior

    if source is None:
        return None
    if args.posterior:
        check_posterior(source, f"--posterior {printable(args.posterior)}")
    return load_posterior(source)


def _check_compare_size(args: argparse.Namespace, scenarios, folder: Path) -> None:
    """Months enough for the final-year summary; work and memory within limits; say where an
    interrupted comparison resumes."""
    from .compare import SUMMARY_MONTHS

    steps = scenarios[0].params["steps"]
    if steps < SUMMARY_MONTHS:
        raise UsageError(f"compare summarises the final {SUMMARY_MONTHS} months: steps = "
                         f"{steps} is too few (--steps {SUMMARY_MONTHS} or more)")  # fmt: skip
    what = f"compare of {len(scenarios)} scenarios x {args.replications:,} replications"
    _size_check(args, [(s.params, args.replications) for s in scenarios], what)
    if not args.out:
        print(f"writing {folder}; if interrupted, rerun with --out {folder} to resume",
              file=sys.stderr)  # fmt: skip


def _executor(scheduler: str | None):
    """A Dask executor for ``--scheduler``, or None for local processes."""
    if not scheduler:
        return None, None
    try:
        from distributed import Client
    except ImportError:
        raise UsageError(
            "--scheduler needs Dask: pip install 'coauthor-sim[distributed]'"
        ) from None
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as err:
        raise UsageError(f"--scheduler {scheduler}: cannot connect ({err})") from None
    return client, client.get_executor(pure=False)


def _sweep(args: argparse.Namespace, experiment, worker=None) -> tuple[Path, int]:
    """Run (or resume) ``experiment`` into its folder (``run_sweep`` writes the manifest);
    return the folder and the number of failed runs stored. Everything is checked before
    anything is written. ``worker`` replaces what each run records (``run_sweep``)."""
    from .experiment.store import Store
    from .experiment.sweep import check_folder, run_sweep

    folder = Path(args.out) if args.out else Path("results") / experiment.name
    mixed = getattr(args, "allow_mixed_code", False)
    _check_sweep(args, experiment, folder)
    check_folder(experiment, folder, mixed)  # refuses a mismatched folder before any work
    client, executor = _executor(args.scheduler)
    try:
        summary = run_sweep(experiment, folder, executor=executor, jobs=args.jobs,
                            progress=not args.quiet, allow_mixed_code=mixed, worker=worker,
                            retry_failed=getattr(args, "retry_failed", False))  # fmt: skip
    finally:
        if client is not None:
            client.close()
    with Store(folder) as store:
        counts = dict(store.db.execute("SELECT status, COUNT(*) FROM runs GROUP BY status"))
    print(
        f"{experiment.name}: {counts.get('done', 0)}/{experiment.n_runs} runs done, "
        f"{counts.get('failed', 0)} failed ({summary.already_done} were already done, "
        f"{summary.ran} run now in {summary.seconds:.1f} s) -> {folder}"
    )
    return folder, counts.get("failed", 0)


def _check_sweep(args: argparse.Namespace, experiment, folder: Path) -> None:
    """Flags, output folder, and the size of the sweep, before anything is written."""
    _check_common(args)
    preflight.check_scheduler(args.scheduler)
    check_writable(folder, "--out")
    settings = [({**experiment.base, **p.values}, experiment.replications)
                for p in experiment.points]  # fmt: skip
    _size_check(args, settings, f"{experiment.path}", local=not args.scheduler)


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run or resume a sweep; exit 1 if any run failed."""
    from .experiment.definition import load_experiment

    experiment = load_experiment(args.experiment)
    folder, failed = _sweep(args, experiment)
    if failed:
        print(f"{failed} runs failed: see the error and traceback columns of "
              f"{folder}/results.sqlite (coauthor-sim results export {folder}); "
              "rerun with --retry-failed to try them again", file=sys.stderr)  # fmt: skip
        return 1
    return 0


def cmd_councils(args: argparse.Namespace) -> int:
    """Run (or resume) a policy against its baseline in every council of a table, then write
    the per-council table and picture (``all_councils``)."""
    from . import all_councils as every

    flags = {k: v for k, v in {
        "table": args.table, "policy": args.policy, "baseline": args.baseline,
        "councils": args.councils, "scale": args.scale, "steps": args.steps,
        "worlds": args.worlds, "seed": args.seed, "fifths": args.fifths,
        "uncertainty": "fixed" if args.fix_uncertainty else None,
    }.items() if v is not None}  # fmt: skip
    if args.plan:
        plan = every.load_plan(args.plan, flags)
    else:
        if "table" not in flags or "policy" not in flags:
            raise UsageError("councils: give a plan file (experiments/councils/*.toml), or "
                             "--table FILE and --policy SCENARIO")  # fmt: skip
        name = f"councils-{Path(flags['policy']).stem}"
        plan = every.plan_of(name, None, flags, "command line")
    experiment = every.build_experiment(plan)
    folder, failed = _sweep(args, experiment, worker=every.CouncilRecorder())
    table = every.write_outputs(folder, experiment)
    print("\n".join(every.summary_lines(table, experiment)))
    print(f"per council: {folder}/councils.csv; picture: {folder}/councils.png")
    if failed:
        print(f"{failed} runs failed; rerun with --retry-failed", file=sys.stderr)
        return 1
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export a sweep's runs and series tables as CSV or Parquet."""
    from .experiment.store import load_results

    folder = Path(args.folder)
    try:
        runs, series = load_results(folder)
    except FileNotFoundError as err:
        raise UsageError(str(err)) from None
    target = Path(args.to) if args.to else folder
    check_writable(target, "--to" if args.to else "folder")
    target.mkdir(parents=True, exist_ok=True)
    if args.format == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise UsageError("parquet needs pyarrow: pip install 'coauthor-sim[parquet]'") from None
        runs.to_parquet(target / "runs.parquet", index=False)
        series.to_parquet(target / "series.parquet", index=False)
    else:
        runs.to_csv(target / "runs.csv", index=False)
        series.to_csv(target / "series.csv", index=False)
    print(f"wrote {len(runs)} runs and {len(series)} series rows to {target} ({args.format})")
    return 0


def _contrast_sensitivity(args: argparse.Namespace) -> int:
    """Sensitivity of a policy contrast (A - B): Morris screening of every uncertainty with a
    stated range, then Sobol indices of the few above the noise floor."""
    if args.experiment:
        raise UsageError("give either an experiment file or --contrast A B, not both")
    for flag in ("replications", "trajectories", "top"):
        if getattr(args, flag) < 1:
            raise UsageError(f"--{flag} must be at least 1")
    if args.samples < 2 or args.samples & (args.samples - 1):
        raise UsageError(f"--samples {args.samples}: expected a power of 2 (e.g. 32, 64)")
    from .outcomes import OUTCOME_NAMES

    outcome = (args.outcomes or ["life_satisfaction"])[0]
    if outcome not in OUTCOME_NAMES:
        raise UsageError(f"--outcomes {outcome}: not an outcome of the model")
    overrides = {"n_citizens": 500, **_overrides(args)}
    treated_name, base_name = args.contrast
    treated = load_scenario(scenario_path(treated_name, args.dir), overrides)
    base = load_scenario(scenario_path(base_name, args.dir), overrides)
    from .analysis import sensitivity as sa
    from .compare import load_posterior
    from .effects import load_effects
    from .provenance import manifest, write_json

    posterior = load_posterior(base.posterior) if base.posterior else None
    drawn = set(posterior.columns) if posterior is not None else set()
    effects = load_effects(Path(args.effects), drawn)
    factors = (
        [
            sa.Uncertain(name, float(posterior[name].min()), float(posterior[name].max()))
            for name in sorted(drawn)
        ]
        + [sa.Uncertain(p.name, p.low, p.high, p.ppf) for p in effects]
        + [sa.Uncertain(sa.NOISE)]
    )
    folder = _fresh_folder(args.out, args.seed, prefix="sensitivity")
    # Morris: (factors + 1) points per trajectory; Sobol (Saltelli): (kept + 2) per sample,
    # at most --top factors kept plus the noise dummy; each point runs both scenarios
    kept = min(args.top, len(factors) - 1) + 1
    points = args.trajectories * (len(factors) + 1) + args.samples * (kept + 2)
    runs = points * args.replications
    _size_check(args, [(base.params, runs), (treated.params, runs)],
                "contrast sensitivity (at most)")  # fmt: skip
    contrast = sa.Contrast(dict(base.params), dict(treated.params), outcome, args.replications,
                           args.seed)  # fmt: skip
    client, executor = _executor(args.scheduler)
    t0 = time.perf_counter()
    run = {"jobs": args.jobs, "executor": executor, "progress": not args.quiet}
    try:
        screen = sa.morris_screen(contrast, factors, args.trajectories, args.seed, **run)
        keep = screen[screen["above_noise"]]["factor"].head(args.top).tolist()
        chosen = [f for f in factors if f.name in keep] + [factors[-1]]
        sobol = (
            sa.sobol_contrast(contrast, chosen, args.samples, args.seed, **run) if keep else None
        )
    finally:
        if client is not None:
            client.close()
    folder.mkdir(parents=True, exist_ok=True)
    screen.to_csv(folder / "morris.csv", index=False)
    files = ["morris.csv"]
    label = f"{outcome}: {treated.name} - {base.name}"
    if sobol is not None:
        sobol.assign(outcome=label).to_csv(folder / "sobol_contrast.csv", index=False)
        sa.plot_indices(sobol.assign(outcome=label)).savefig(folder / "sobol_contrast.png",
                                                             dpi=110)  # fmt: skip
        files += ["sobol_contrast.csv", "sobol_contrast.png"]
    write_json(folder / "manifest.json", manifest(
        kind="sensitivity-contrast", treated=str(treated.path), baseline=str(base.path),
        outcome=outcome, parameters=dict(base.params), seed=args.seed,
        replications=args.replications, trajectories=args.trajectories, samples=args.samples,
        factors=[[f.name, f.low, f.high] for f in factors], screened_in=keep,
        timings={"total_s": time.perf_counter() - t0}, files=[*files, "manifest.json"],
    ))  # fmt: skip
    print(f"Contrast {label} (final-year mean, same seeds in the same world), "
          f"{len(factors) - 1} uncertainties and the noise dummy {sa.NOISE}.")  # fmt: skip
    print("\nMorris screening (mu* = mean absolute elementary effect):")
    print(screen.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    if sobol is None:
        print(f"\nNo uncertainty stands above the noise floor ({sa.NOISE}); no Sobol stage.")
    else:
        print(f"\nSobol indices of the {len(keep)} above the noise floor (95% intervals):")
        cols = ["factor", "first_order", "first_order_low", "first_order_high", "total",
                "total_low", "total_high", "above_noise"]  # fmt: skip
        print(sobol[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"\nwrote {folder}/ ({', '.join(files)}) in {time.perf_counter() - t0:.0f} s")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Sobol indices from a sobol-design experiment file, or the sensitivity of a policy
    contrast (--contrast A B)."""
    from .analysis.sensitivity import arrange, plot_indices, sobol_table
    from .experiment.definition import load_experiment
    from .experiment.store import load_results

    if args.contrast:
        return _contrast_sensitivity(args)
    preflight.check_outcomes(args.outcomes)
    if not args.experiment:
        raise UsageError("sensitivity: give an experiment file, or --contrast A B")
    experiment = load_experiment(args.experiment)
    if experiment.kind != "sobol":
        raise UsageError(
            f'{experiment.path}: sensitivity needs [design] kind = "sobol" '
            f"(this experiment is {experiment.kind})"
        )
    folder, failed = _sweep(args, experiment)
    if failed:
        raise UsageError(f"{failed} runs failed; indices need every run (rerun to retry them)")
    runs, _ = load_results(folder)
    outcomes = args.outcomes or SENSITIVITY_OUTCOMES
    means = runs.groupby("point")[outcomes].mean()
    means["role"] = [experiment.points[i].role for i in means.index]
    means["row"] = [experiment.points[i].row for i in means.index]
    factors = [f.name for f in experiment.factors]
    table = sobol_table(arrange(means, factors, outcomes, experiment.samples), factors,
                        outcomes, experiment.samples)  # fmt: skip
    table.to_csv(folder / "sobol_indices.csv", index=False)
    plot_indices(table).savefig(folder / "sobol_indices.png", dpi=110)
    with_ci = table.assign(
        S1=table.apply(lambda r: f"{r.first_order:.2f} [{r.first_order_low:.2f}, "
                       f"{r.first_order_high:.2f}]", axis=1),
        ST=table.apply(lambda r: f"{r.total:.2f} [{r.total_low:.2f}, {r.total_high:.2f}]",
                       axis=1),
    )  # fmt: skip
    print(with_ci[["outcome", "factor", "S1", "ST"]].to_string(index=False))
    print(f"\nwrote {folder}/sobol_indices.csv and sobol_indices.png")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Calibrate the uncertain parameters of a scenario to published targets (ABC-SMC);
    rerun with the same --out to continue an interrupted calibration."""
    _check_calibrate(args)
    try:
        import pyabc  # noqa: F401 - the calibration's engine, an optional extra
    except ImportError as err:
        raise UsageError(
            f"calibration needs pyabc: pip install -e '.[calibration]' ({err})"
        ) from None
    from .calibration import smc
    from .calibration.targets import load_priors, load_targets

    checks = [
        (args.population >= 2, "--population must be at least 2"),
        (args.replications >= 1, "--replications must be at least 1"),
        (args.generations >= 1, "--generations must be at least 1"),
        (args.min_epsilon >= 0, "--min-epsilon must be at least 0"),
        (0 <= args.min_acceptance < 1, "--min-acceptance must be a share in [0, 1)"),
        (args.max_minutes > 0, "--max-minutes must be above 0"),
        (0 < args.alpha < 1, "--alpha must be a share in (0, 1)"),
        (args.kernel_scaling > 0, "--kernel-scaling must be above 0"),
        (args.jobs is None or args.jobs >= 1, "--jobs must be at least 1"),
    ]
    for ok, message in checks:
        if not ok:
            raise UsageError(message)
    targets = load_targets(args.targets)
    priors = load_priors(args.priors)
    path = scenario_path(args.scenario, args.dir)
    scenario = load_scenario(path, _overrides(args))
    # The calibrated parameters start from their schema defaults, not from whatever an earlier
    # calibration wrote into the scenario: every particle sets them anyway, and this keeps the
    # calibration (and so its fingerprint and folder) the same when it is repeated.
    base = {**scenario.params, **{f.name: SPECS[f.name].default for f in priors}}
    settings = smc.Settings(
        scenario=str(args.scenario), base=base, priors=priors, targets=targets,
        population=args.population, replications=args.replications,
        generations=args.generations, min_epsilon=args.min_epsilon,
        min_acceptance=args.min_acceptance, max_minutes=args.max_minutes, seed=args.seed,
        alpha=args.alpha, kernel_scaling=args.kernel_scaling,
    )  # fmt: skip
    # --dry-run ends here: the evaluations expected at the acceptance rates by generation of
    # the shipped calibration (smc.expected_evaluations), each ``replications`` runs; the time
    # budget may stop it sooner
    record = shipped_folder("scenarios") / "calibration" / "calibrated_baseline.abc.json"
    rates = smc.recorded_acceptance(record, args.alpha)
    evaluations = smc.expected_evaluations(args.population, args.generations, rates)
    # the time budget stops it first when the generations would take longer (limits.SPEED)
    per_run = int(base["n_citizens"]) * int(base["steps"])
    from .experiment.runner import default_jobs

    workers = args.jobs or default_jobs()
    within = int(args.max_minutes * 60 * limits.SPEED * workers / (per_run * args.replications))
    if args.dry_run:
        print(f"calibrate: about {evaluations:,} evaluations over {args.generations} "
              f"generations at the shipped calibration's acceptance rates; the "
              f"{args.max_minutes:g}-minute budget allows about {within:,} on {workers} "
              "process(es), and stops it first if that is fewer")  # fmt: skip
    _size_check(args, [(base, min(evaluations, within) * args.replications)], "calibrate",
                local=not args.scheduler)  # fmt: skip
    folder = Path(args.out) if args.out else Path("results") / f"calibration-{scenario.name}"
    try:
        smc.check_folder(settings, folder, args.allow_mixed_code)
    except smc.CalibrationMismatch as err:
        raise UsageError(f"--out {err}") from None
    client, executor = _executor(args.scheduler)
    workers = sum(client.nthreads().values()) if client is not None else None
    # SIGTERM ends the calibration like Ctrl-C: its workers are stopped; a rerun continues
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    t0 = time.perf_counter()
    try:
        outcome = smc.calibrate(settings, folder, executor=executor, workers=workers,
                                jobs=args.jobs, progress=not args.quiet,
                                allow_mixed_code=args.allow_mixed_code)  # fmt: skip
    finally:
        if client is not None:
            client.close()
    outcome.generations_table().to_csv(folder / "generations.csv", index=False)
    outcome.particles.to_csv(folder / "particles.csv", index=False)
    print(f"stopped: {outcome.stopped}; {len(outcome.generations)} generations, "
          f"{sum(g.evaluations for g in outcome.generations)} evaluations, "
          f"{outcome.seconds / 60:.1f} min in all sessions "
          f"({time.perf_counter() - t0:.0f} s now)")  # fmt: skip
    if args.write_scenario:
        written = smc.write_calibrated_scenario(outcome, Path(args.write_scenario), jobs=args.jobs)
        print("wrote " + ", ".join(str(p) for p in written))
    print(
        f"details: {folder}/ (abc.db, generations.csv, particles.csv); diagnostics: "
        "coauthor-sim validate"
    )
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Regenerate docs/validation.md: docking, the calibration's diagnostics and the
    calibrated baseline against every target."""
    from .validation import write_validation

    _check_validate(args)
    if args.realisations < 1 or args.replications < 2 or args.noise_repeats < 2:
        raise UsageError("--realisations must be at least 1, --replications and "
                         "--noise-repeats at least 2")  # fmt: skip
    path = write_validation(
        Path(args.out), realisations=args.realisations, replications=args.replications,
        seed=args.seed, jobs=args.jobs, scenario=scenario_path(args.scenario, args.dir),
        targets_path=Path(args.targets), noise_repeats=args.noise_repeats,
        history_worlds=args.history_worlds,
    )  # fmt: skip
    print(f"wrote {path} and its pictures in {Path(args.out) / 'img'}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    """Run the 2010-2019 decade from the 2010 baseline in plausible worlds; write the yearly
    table, the pre-registered criteria's results, a picture and a manifest."""
    from .experiment.runner import default_jobs
    from .history import (
        BURN_IN_YEARS,
        judge,
        load_decade,
        plot_history,
        result_markdown,
        run_history,
        summary,
    )
    from .provenance import manifest, write_json
    from .safe_output import stage_folder

    _check_common(args)
    if not 2 <= args.worlds <= 100_000:
        raise UsageError(f"--worlds {args.worlds}: expected 2 to 100,000 plausible worlds")
    decade = load_decade(find_data(args.history))
    baseline = load_scenario(scenario_path(args.baseline, args.dir), _overrides(args))
    steps = 12 * (BURN_IN_YEARS + len(decade.years))
    citizens = args.citizens or baseline.params["n_citizens"]
    sized = {**baseline.params, "steps": steps, "n_citizens": citizens}
    _size_check(args, [(sized, args.worlds * (1 if args.no_counterfactual else 2))], "history",
                local=not args.scheduler)  # fmt: skip
    folder = _fresh_folder(args.out, args.seed, prefix="history")
    preflight.check_scheduler(args.scheduler)
    client, executor = _executor(args.scheduler)
    t0 = time.perf_counter()
    try:
        runs = run_history(decade, baseline, args.worlds, args.seed, n_citizens=args.citizens,
                           counterfactual=not args.no_counterfactual, jobs=args.jobs,
                           executor=executor, progress=not args.quiet)  # fmt: skip
    finally:
        if client is not None:
            client.close()
    seconds = time.perf_counter() - t0
    judged = judge(decade, runs)
    settings = {"worlds": args.worlds, "baseline": baseline.name, "citizens": citizens,
                "seed": args.seed, "seconds": seconds,
                "jobs": args.jobs or default_jobs()}  # fmt: skip
    staged = stage_folder(folder, "history")
    runs.to_csv(staged.out / "history_runs.csv", index=False)
    summary(runs).to_csv(staged.out / "history.csv", index=False)
    judged.to_csv(staged.out / "criteria.csv", index=False)
    (staged.out / "history.md").write_text(result_markdown(decade, runs, judged, settings))
    plot_history(runs, decade).savefig(staged.out / "history.png", dpi=110)
    files = ["history_runs.csv", "history.csv", "criteria.csv", "history.md", "history.png"]
    write_json(staged.out / "manifest.json", manifest(
        kind="history", scenario=str(baseline.path), parameters=dict(baseline.params),
        seed=args.seed, timings={"total_s": seconds}, files=files,
        history={"file": decade.path.name, "worlds": args.worlds, "citizens": citizens,
                 "burn_in_years": BURN_IN_YEARS},
    ))  # fmt: skip
    staged.finish()
    passed = int(judged["passes"].sum())
    print(f"{passed} of {len(judged)} pre-registered criteria pass "
          f"({args.worlds} worlds, {seconds:.0f} s)")  # fmt: skip
    for r in judged.itertuples(index=False):
        scale = 100 if r.change == "relative" else 1
        unit = "%" if r.change == "relative" else ""
        print(f"  {'pass' if r.passes else 'MISS'}  {r.criterion}: model {r.median * scale:+.3g}"
              f"{unit} (90%: {r.p05 * scale:+.3g} to {r.p95 * scale:+.3g}), England "
              f"{r.observed * scale:+.3g}{unit}, band {r.band_low * scale:+.3g} to "
              f"{r.band_high * scale:+.3g}")  # fmt: skip
    print(f"written: {folder}")
    return 0


def _check_calibrate(args: argparse.Namespace) -> None:
    """Calibration's flags and files (targets, priors: shipped ones found by name), the folder
    of --write-scenario, and a bound on the number of runs, before anything runs."""
    _check_common(args)
    args.targets = str(find_data(args.targets))
    args.priors = str(find_data(args.priors))
    preflight.check_data_file(args.targets, "--targets", "targets file")
    preflight.check_data_file(args.priors, "--priors", "priors file")
    if args.write_scenario:
        preflight.check_new_file(args.write_scenario, "--write-scenario")
    if args.out:
        check_writable(args.out, "--out")
    runs = args.population * args.replications * args.generations
    if runs > limits.MAX_RUNS and not args.force:
        raise UsageError(f"--population x --replications x --generations = {runs:,} runs at "
                         f"most: above the limit of {limits.MAX_RUNS:,} (--force if you mean "
                         "it)")  # fmt: skip


def _check_validate(args: argparse.Namespace) -> None:
    """Validation's flags, its targets file (the shipped one by name) and its output folder."""
    _check_common(args)
    args.targets = str(find_data(args.targets))
    preflight.check_data_file(args.targets, "--targets", "targets file")
    check_writable(args.out, "--out")
    if args.replications > limits.MAX_RUNS or args.realisations > limits.MAX_RUNS:
        raise UsageError(f"--replications and --realisations: at most {limits.MAX_RUNS:,}")


def cmd_viz(args: argparse.Namespace) -> int:
    """Serve the browser app (its packages come with: pip install -e '.[app]')."""
    preflight.check_port(args.port, args.host)
    try:
        from .app import serve
    except ImportError as err:
        raise UsageError(f"the browser app needs: pip install -e '.[app]' ({err})") from None
    return serve(args.host, args.port)


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = Parser(
        prog="coauthor-sim",
        description="Agent-based model of citizen co-authorship of well-being.",
    )
    parser.add_argument("--version", action="version", version=f"coauthor-sim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one simulation and write its outcomes")
    run.add_argument("scenario", nargs="?", help="scenario file or name (default: defaults)")
    run.add_argument("--dir", help=DIR_HELP)
    run.add_argument("--steps", type=int, help="months to simulate (default 120)")
    run.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 1)")
    run.add_argument("--citizens", type=int, help="number of citizens (default 1000)")
    run.add_argument("--out", help="new folder for the results (default results/run-...)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE",
        help="set any model parameter, e.g. --set co_production=0.5 (repeatable)",
    )  # fmt: skip
    _add_guards(run)
    run.set_defaults(func=cmd_run)

    scen = sub.add_parser("scenarios", help="list scenarios, or show one fully resolved")
    scen.add_argument("action", nargs="?", choices=["list", "show"], default="list")
    scen.add_argument("name", nargs="?", help="scenario name or file (with show)")
    scen.add_argument("--dir", help=DIR_HELP)
    scen.set_defaults(func=cmd_scenarios)

    comp = sub.add_parser("compare", help="compare scenarios over replications")
    comp.add_argument(
        "scenarios", nargs="*",
        help="scenario files or names, the first being the baseline (default: every scenario "
        "in --dir, status_quo first)",
    )  # fmt: skip
    comp.add_argument("--replications", type=int, default=30, help="runs per scenario (30)")
    comp.add_argument("--steps", type=int, help="months to simulate (default: scenario's)")
    comp.add_argument("--citizens", type=int, help="citizens (default: scenario's)")
    comp.add_argument("--seed", type=int, default=DEFAULT_SEED, help="experiment seed (1)")
    comp.add_argument("--jobs", type=int, help="parallel processes (default: all cores)")
    comp.add_argument("--out", help="new folder for the results (default results/compare-...)")
    comp.add_argument("--dir", help=DIR_HELP)
    comp.add_argument("--posterior", help="posterior sample CSV to draw uncertain parameters "
                      "from (default: the baseline scenario's, if calibrated)")  # fmt: skip
    comp.add_argument("--no-posterior", action="store_true",
                      help="keep calibrated parameters at the scenarios' values")  # fmt: skip
    comp.add_argument(
        "--effects",
        default=str(DEFAULT_EFFECTS),
        help="effect-size priors drawn for each world (default data/effects.toml)",
    )
    comp.add_argument(
        "--fix-uncertainty",
        action="store_true",
        help="worlds differ in seeds only: no posterior, no effect-size draws",
    )
    comp.add_argument(
        "--minimum-difference",
        type=float,
        default=0.05,
        metavar="POINTS",
        help="smallest important change in life satisfaction, 0-10 (0.05)",
    )
    comp.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    comp.add_argument(
        "--experiment",
        metavar="FILE",
        help="a comparison file (experiments/compare/*.toml): scenarios, worlds, "
        "seed and fixed parameters, e.g. thousands of worlds on Dask",
    )
    comp.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                      help="set a parameter in every scenario (repeatable)")  # fmt: skip
    comp.add_argument("--council", metavar="NAME",
                      help="run every scenario in this local authority of --table (its name "
                      "or code, any case)")  # fmt: skip
    comp.add_argument(
        "--table",
        metavar="FILE",
        help="deprivation table of the council: IoD2019 File 7 saved as CSV",
    )
    comp.add_argument(
        "--scale",
        type=float,
        metavar="S",
        help="citizens per resident of the council (default 0.1)",
    )
    comp.add_argument(
        "--fifths",
        choices=["national", "local"],
        help="the council's deprivation fifths: national deciles (default; "
        "a fifth the council lacks is empty) or its own neighbourhoods ranked",
    )
    comp.add_argument("--local-figures", metavar="FILE",
                      help="the council's own figures (e.g. ONS life satisfaction for the local "
                      "authority) to check its baseline against, instead of England's")  # fmt: skip
    comp.add_argument("--pdf", action="store_true",
                      help="also print report.pdf (A4) with headless Chromium")  # fmt: skip
    comp.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_guards(comp)
    comp.set_defaults(func=cmd_compare)

    rep = sub.add_parser("report", help="draw a comparison's report again from its results "
                         "folder, running nothing")  # fmt: skip
    rep.add_argument("folder", help="a folder written by coauthor-sim compare")
    rep.add_argument("--pdf", action="store_true",
                     help="also print report.pdf (A4) with headless Chromium")  # fmt: skip
    rep.set_defaults(func=cmd_report)

    for name, func, text in (
        ("sweep", cmd_sweep, "run or resume a batch experiment (experiments/*.toml)"),
        ("sensitivity", cmd_sensitivity, "Sobol indices from a sobol-design experiment"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("experiment", nargs="?" if name == "sensitivity" else None,
                         help="experiment file")  # fmt: skip
        cmd.add_argument("--jobs", type=int, help="local processes (default: all cores)")
        cmd.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")
        cmd.add_argument("--out", help="results folder (default results/<experiment>); "
                         "rerun with the same folder to resume")  # fmt: skip
        cmd.add_argument("--quiet", action="store_true", help="no progress bar")
        cmd.add_argument("--retry-failed", action="store_true",
                         help="run again the runs stored as failed")  # fmt: skip
        cmd.add_argument("--allow-mixed-code", action="store_true",
                         help="resume a folder whose runs other code made (each run is "
                         "labelled with its code)")  # fmt: skip
        if name == "sensitivity":
            cmd.add_argument("--outcomes", nargs="+", help="outcomes to analyse")
            cmd.add_argument(
                "--contrast",
                nargs=2,
                metavar=("A", "B"),
                help="sensitivity of scenario A minus scenario B (no experiment "
                "file): Morris screening, then Sobol on the few that matter",
            )
            cmd.add_argument("--dir", default="scenarios", help="folder of scenario files")
            cmd.add_argument(
                "--effects",
                default=str(DEFAULT_EFFECTS),
                help="effect-size priors (default data/effects.toml)",
            )
            cmd.add_argument(
                "--trajectories", type=int, default=10, help="Morris trajectories (10)"
            )
            cmd.add_argument(
                "--samples", type=int, default=32, help="Sobol base samples, a power of 2 (32)"
            )
            cmd.add_argument(
                "--top",
                type=int,
                default=4,
                help="uncertainties kept for Sobol, above the noise floor (4)",
            )
            cmd.add_argument(
                "--replications",
                type=int,
                default=2,
                help="runs averaged per design point, same seeds for A and B (2)",
            )
            cmd.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed (1)")
            cmd.add_argument("--steps", type=int, help="months per run (default: scenario's)")
            cmd.add_argument("--citizens", type=int, help="citizens per run (default 500)")
            cmd.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
        _add_guards(cmd)
        cmd.set_defaults(func=func)

    cou = sub.add_parser("councils", help="a policy against its baseline in every council of a "
                         "deprivation table, side by side (resumable, local or Dask)")  # fmt: skip
    cou.add_argument("plan", nargs="?", help="plan file (experiments/councils/*.toml)")
    cou.add_argument("--table", help="deprivation table: IoD2019 File 7 saved as CSV")
    cou.add_argument("--policy", help="the policy scenario")
    cou.add_argument("--baseline", help="the baseline scenario (status_quo)")
    cou.add_argument("--councils", nargs="+", metavar="NAME", help="only these councils")
    cou.add_argument("--scale", type=float, help="citizens per resident (0.002)")
    cou.add_argument("--steps", type=int, help="months per run (36)")
    cou.add_argument("--worlds", type=int, help="plausible worlds per council (3)")
    cou.add_argument("--seed", type=int, help="seed of the worlds (2027)")
    cou.add_argument("--fifths", choices=["national", "local"], help="deprivation fifths")
    cou.add_argument(
        "--fix-uncertainty",
        action="store_true",
        help="worlds differ in seeds only: no posterior, no effect-size draws",
    )
    cou.add_argument("--jobs", type=int, help="local processes (default: all cores)")
    cou.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    cou.add_argument("--out", help="results folder (default results/<plan>); rerun with the "
                     "same folder to resume")  # fmt: skip
    cou.add_argument("--quiet", action="store_true", help="no progress bar")
    cou.add_argument("--retry-failed", action="store_true",
                     help="run again the runs stored as failed")  # fmt: skip
    _add_guards(cou)
    cou.set_defaults(func=cmd_councils)

    cal = sub.add_parser(
        "calibrate", help="calibrate uncertain parameters to targets (ABC-SMC, resumable)"
    )
    cal.add_argument("scenario", help="base scenario file or name")
    cal.add_argument("--targets", default="targets.toml",
                     help="targets file (default: the shipped targets.toml)")  # fmt: skip
    cal.add_argument("--priors", default="priors.toml",
                     help="prior ranges file (default: the shipped priors.toml)")  # fmt: skip
    cal.add_argument("--population", type=int, default=100, help="particles per generation (100)")
    cal.add_argument("--replications", type=int, default=4,
                     help="runs averaged per particle (4; see docs/validation.md)")  # fmt: skip
    cal.add_argument("--generations", type=int, default=20, help="most generations (20)")
    cal.add_argument("--min-epsilon", type=float, default=0.5,
                     help="stop at this tolerance (0.5; 1 = at the band edges)")  # fmt: skip
    cal.add_argument("--min-acceptance", type=float, default=0.02,
                     help="stop when a generation accepts less (0.02)")  # fmt: skip
    cal.add_argument("--max-minutes", type=float, default=40.0,
                     help="time budget over all sessions; a generation still running "
                     "when it is spent is abandoned (40)")  # fmt: skip
    cal.add_argument("--alpha", type=float, default=0.3,
                     help="tolerance: this quantile of the last distances (0.3)")  # fmt: skip
    cal.add_argument("--kernel-scaling", type=float, default=1.0,
                     help="proposal covariance over the particles' covariance (1)")  # fmt: skip
    cal.add_argument("--seed", type=int, default=DEFAULT_SEED, help="calibration seed (1)")
    cal.add_argument("--steps", type=int, help="months per run (default: scenario's)")
    cal.add_argument("--citizens", type=int, help="citizens per run (default: scenario's)")
    cal.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    cal.add_argument("--jobs", type=int, help="local processes (default: all cores)")
    cal.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    cal.add_argument("--out", help="results folder (default results/calibration-<scenario>); "
                     "rerun with the same folder to continue")  # fmt: skip
    cal.add_argument("--dir", help=DIR_HELP)
    cal.add_argument(
        "--write-scenario", metavar="FILE",
        help="write the calibrated scenario here (with FILE.posterior.csv and FILE.abc.json)",
    )  # fmt: skip
    cal.add_argument("--quiet", action="store_true", help="no progress bar")
    cal.add_argument("--allow-mixed-code", action="store_true",
                     help="continue a calibration whose generations other code "
                     "computed")  # fmt: skip
    _add_guards(cal)
    cal.set_defaults(func=cmd_calibrate)

    his = sub.add_parser(
        "history", help="the 2010-2019 decade from the 2010 baseline, against what England saw"
    )
    his.add_argument("--baseline", default="history/baseline_2010",
                     help="the 2010 baseline (default: history/baseline_2010)")  # fmt: skip
    his.add_argument("--history", default="history.toml",
                     help="inputs and pre-registered criteria (default: shipped)")  # fmt: skip
    his.add_argument("--worlds", type=int, default=30, help="plausible worlds (30)")
    his.add_argument("--citizens", type=int, help="citizens per run (default: the baseline's)")
    his.add_argument("--no-counterfactual", action="store_true",
                     help="skip the decade with the grant held at 2010/11's level")  # fmt: skip
    his.add_argument("--seed", type=int, default=2010)
    his.add_argument("--jobs", type=int, help="local processes (default: all cores)")
    his.add_argument("--scheduler", help="a Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    his.add_argument("--out", help="output folder (default: a new one under results/)")
    his.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                     help="change a parameter of the baseline")  # fmt: skip
    his.add_argument("--dir", help=DIR_HELP)
    his.add_argument("--dry-run", action="store_true", help="check the inputs and stop")
    his.add_argument("--force", action="store_true", help="allow work above the limits")
    his.add_argument("--quiet", action="store_true", help="no progress bar")
    his.set_defaults(func=cmd_history, steps=None)

    val = sub.add_parser("validate", help="regenerate docs/validation.md")
    val.add_argument("--out", default="docs", help="folder for validation.md and img/ (docs)")
    val.add_argument("--scenario", default="status_quo", help="calibrated baseline scenario")
    val.add_argument("--targets", default="targets.toml",
                     help="targets file (default: the shipped targets.toml)")  # fmt: skip
    val.add_argument("--realisations", type=int, default=40, help="docking runs per point (40)")
    val.add_argument("--replications", type=int, default=100,
                     help="posterior predictive runs, one posterior draw each (100)")  # fmt: skip
    val.add_argument("--noise-repeats", type=int, default=10,
                     help="repeats per replication count (10)")  # fmt: skip
    val.add_argument("--history-worlds", type=int, default=30,
                     help="plausible worlds of the history test (30; 0 leaves it out)")  # fmt: skip
    val.add_argument("--seed", type=int, default=DEFAULT_SEED)
    val.add_argument("--jobs", type=int, help="local processes (default: all cores)")
    val.add_argument("--dir", help=DIR_HELP)
    val.add_argument("--force", action="store_true", help="keep --jobs above the cores")
    val.set_defaults(func=cmd_validate)

    viz = sub.add_parser("viz", help="explore the model in a web browser")
    viz.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 = any free)")
    viz.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: this computer only)"
    )
    viz.set_defaults(func=cmd_viz)

    results = sub.add_parser("results", help="work with a sweep's results")
    rsub = results.add_subparsers(dest="results_command", required=True)
    export = rsub.add_parser("export", help="export runs and series as CSV or Parquet")
    export.add_argument("folder", help="a sweep results folder")
    export.add_argument("--format", choices=["csv", "parquet"], default="csv")
    export.add_argument("--to", help="folder to write into (default: the results folder)")
    export.set_defaults(func=cmd_export)
    return parser


def _add_guards(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--force", action="store_true",
                     help="run even above the work and memory limits, and keep --jobs above "
                     "the cores available")  # fmt: skip
    cmd.add_argument("--dry-run", action="store_true",
                     help="check every input, print the size of the work, run nothing")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``coauthor-sim`` command: 0 done, 2 bad input (nothing written),
    1 a failure that is not the input's (one line with the cause and the remedy)."""
    from .safe_output import close_all

    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help, --version, or an argparse error already printed
        return done.code if isinstance(done.code, int) else EXIT_BAD_INPUT
    try:
        return args.func(args)
    except DryRun:
        return 0
    except BrokenPipeError:  # the reader went away (e.g. `| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ParameterError, ScenarioError, UsageError) as err:
        _say(f"coauthor-sim: error: {err}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _say("coauthor-sim: interrupted; rerun the same command to resume where it can")
        return 130
    except Fault as err:
        _say(f"coauthor-sim: failed: {err}")
        return EXIT_FAULT
    except Exception as err:  # anything else: one line, the traceback only when asked for
        fault = fault_of(err)
        if fault is None:
            where = f"{type(err).__name__}: {err}"
            fault = Fault(f"unexpected error ({where}); rerun with COAUTHOR_SIM_TRACEBACK=1 "
                          "for details and report it")  # fmt: skip
        if os.environ.get("COAUTHOR_SIM_TRACEBACK"):
            import traceback

            traceback.print_exc()
        _say(f"coauthor-sim: failed: {fault}")
        return EXIT_FAULT
    finally:
        close_all()


def _say(message: str) -> None:
    """One line on stderr, whatever the message holds."""
    print(one_line(message), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
