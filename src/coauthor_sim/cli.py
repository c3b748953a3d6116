"""Command line: ``coauthor-sim run ...``. Parses, validates, calls the library, reports.

Bad input gives one line on stderr and exit code 2, before any work and before anything is
written.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .effects import DEFAULT_EFFECTS
from .params import SPECS, ParameterError, defaults, resolve
from .scenario import (
    ScenarioError,
    find_scenarios,
    load_scenario,
    scenario_path,
)

EXIT_BAD_INPUT = 2
DEFAULT_SEED = 1
BASELINE = "status_quo"  # the scenario every other is compared with by default
SENSITIVITY_OUTCOMES = [
    "life_satisfaction", "wellbeing_gap", "engagement_rate", "unmet_need", "crisis_rate",
]  # fmt: skip
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


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Parameter values given on the command line (--set, --steps, --citizens)."""
    overrides = dict(_parse_setting(s) for s in args.set)
    if args.steps is not None:
        overrides["steps"] = args.steps
    if args.citizens is not None:
        overrides["n_citizens"] = args.citizens
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
        return path
    path = Path(out)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise UsageError(f"--out {out}: folder exists and is not empty; choose a new folder")
    return path


def cmd_run(args: argparse.Namespace) -> int:
    """Run one simulation and write its outcome table and manifest."""
    from .model import CoauthorModel
    from .provenance import manifest, write_json

    overrides = _overrides(args)
    if args.scenario:
        scenario = load_scenario(scenario_path(args.scenario, args.dir), overrides)
        params, name = scenario.params, scenario.name
    else:
        params, name = resolve(overrides), None  # raises ParameterError before any work
    folder = _fresh_folder(args.out, args.seed, prefix=name or "run")

    t0 = time.perf_counter()
    model = CoauthorModel(seed=args.seed, **params)
    t1 = time.perf_counter()
    work = params.steps * params.n_citizens
    from tqdm import tqdm

    with tqdm(
        total=params.steps, unit="month", disable=True if work < PROGRESS_WORK else None
    ) as bar:
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
            scenario=str(scenario.path) if args.scenario else None,
            parameters=dict(params),
            seed=args.seed,
            timings={"build_s": t1 - t0, "run_s": t2 - t1, "total_s": time.perf_counter() - t0},
            files=["outcomes.csv"],
        ),
    )
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
    for label, col, fmt in rows:
        lines.append(f"{label:34} {fmt.format(first[col]):>12} {fmt.format(last[col]):>12}")
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
    paths = find_scenarios(args.dir)
    if not paths:
        raise UsageError(f"no scenario files (*.toml) in {args.dir}")
    scenarios = [load_scenario(p) for p in paths]  # validates every file
    width = max(len(s.name) for s in scenarios)
    for s in scenarios:
        print(f"{s.name:{width}}  {s.summary}")
    return 0


def _show(scenario) -> str:
    """The fully resolved scenario as TOML, values that differ from the defaults marked."""
    from .scenario import TABLES, toml_value

    base = defaults()
    lines = [f"# {scenario.name}: {scenario.path}", f"# {scenario.summary}"]
    if len(scenario.chain) > 1:
        lines.append("# extends: " + " <- ".join(str(p) for p in scenario.chain[1:]))
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


def _all_scenarios(folder: str) -> list[str]:
    """Every scenario file in ``folder``, the status quo first (it is the baseline)."""
    paths = find_scenarios(folder)
    if not paths:
        raise UsageError(f"no scenario files (*.toml) in {folder}")
    return [str(p) for p in sorted(paths, key=lambda p: (p.stem != BASELINE, p.stem))]


def cmd_compare(args: argparse.Namespace) -> int:
    """Run a scenario comparison and write its tables, pictures and report."""
    from . import __version__
    from .analysis.report import terminal_table, write_comparison
    from .compare import load_posterior, run_comparison
    from .effects import load_effects
    from .provenance import manifest, now

    if args.replications < 2:
        raise UsageError("--replications must be at least 2 (confidence intervals need two)")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if not 0 <= args.minimum_difference < 10:
        raise UsageError("--minimum-difference must be from 0 to 10 life-satisfaction points")
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
    else:
        chosen = args.scenarios or _all_scenarios(args.dir)
    scenarios = [load_scenario(scenario_path(s, args.dir), overrides) for s in chosen]
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
    posterior = load_posterior(source) if source else None
    effects_file = None if args.fix_uncertainty or not args.effects else Path(args.effects)
    effects = (
        load_effects(effects_file, set(posterior.columns) if posterior is not None else set())
        if effects_file else None
    )  # fmt: skip
    folder = _fresh_folder(args.out, args.seed, prefix="compare")
    client, executor = _executor(args.scheduler)
    started = now()
    t0 = time.perf_counter()
    drawn = [
        *([f"the calibrated posterior {source} ({len(posterior)} draws)"] if source else []),
        *([f"{len(effects)} effect-size priors from {effects_file}"] if effects else []),
    ]
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
    try:
        result = run_comparison(scenarios, args.replications, args.seed, jobs=args.jobs,
                                posterior=posterior, effects=effects, executor=executor,
                                mid=args.minimum_difference)  # fmt: skip
    finally:
        if client is not None:
            client.close()
    result.settings.update(created=started, version=__version__, uncertainty=uncertainty)
    report = write_comparison(
        result,
        folder,
        manifest(
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
            minimum_important_difference=args.minimum_difference,
            started=started,
            timings={
                "runs_s": result.settings["run_seconds"],
                "total_s": time.perf_counter() - t0,
            },
        ),
    )
    print(terminal_table(result))
    print(f"\n{uncertainty}.")
    print(f"report: {report}\ntables: {folder}/*.csv  ({time.perf_counter() - t0:.0f} s)")
    return 0


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


def _sweep(args: argparse.Namespace, experiment) -> tuple[Path, int]:
    """Run (or resume) ``experiment`` into its folder; write the manifest; return the folder
    and the number of failed runs stored."""
    import json

    from .experiment.store import Store
    from .experiment.sweep import prepare_folder, run_sweep
    from .provenance import manifest, now, write_json

    folder = Path(args.out) if args.out else Path("results") / experiment.name
    prepare_folder(experiment, folder).close()  # refuses a mismatched folder before any work
    client, executor = _executor(args.scheduler)
    started = now()
    try:
        summary = run_sweep(experiment, folder, executor=executor, jobs=args.jobs,
                            progress=not args.quiet,
                            retry_failed=getattr(args, "retry_failed", False))  # fmt: skip
    finally:
        if client is not None:
            client.close()
    with Store(folder) as store:
        counts = dict(store.db.execute("SELECT status, COUNT(*) FROM runs GROUP BY status"))
    path = folder / "manifest.json"
    sessions = json.loads(path.read_text()).get("sessions", []) if path.exists() else []
    sessions.append({"started": started, "ended": now(), "ran": summary.ran,
                     "failed": summary.failed, "executor": args.scheduler or "local",
                     "jobs": args.jobs})  # fmt: skip
    write_json(path, manifest(
        kind="sweep", experiment=experiment.name, experiment_file=str(experiment.path),
        experiment_file_sha256=experiment.file_hash(), fingerprint=experiment.fingerprint(),
        design=experiment.kind, points=len(experiment.points),
        replications=experiment.replications, seed=experiment.seed,
        runs_total=experiment.n_runs, runs_done=counts.get("done", 0),
        runs_failed=counts.get("failed", 0), base_parameters=experiment.base,
        factors=[f.__dict__ for f in experiment.factors], sessions=sessions,
    ))  # fmt: skip
    print(
        f"{experiment.name}: {counts.get('done', 0)}/{experiment.n_runs} runs done, "
        f"{counts.get('failed', 0)} failed ({summary.already_done} were already done, "
        f"{summary.ran} run now in {summary.seconds:.1f} s) -> {folder}"
    )
    return folder, counts.get("failed", 0)


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


def cmd_export(args: argparse.Namespace) -> int:
    """Export a sweep's runs and series tables as CSV or Parquet."""
    from .experiment.store import load_results

    folder = Path(args.folder)
    try:
        runs, series = load_results(folder)
    except FileNotFoundError as err:
        raise UsageError(str(err)) from None
    target = Path(args.to) if args.to else folder
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
    )  # fmt: skip
    folder = Path(args.out) if args.out else Path("results") / f"calibration-{scenario.name}"
    try:
        smc.check_folder(settings, folder)
    except smc.CalibrationMismatch as err:
        raise UsageError(f"--out {err}") from None
    client, executor = _executor(args.scheduler)
    workers = sum(client.nthreads().values()) if client is not None else None
    # SIGTERM ends the calibration like Ctrl-C: its workers are stopped; a rerun continues
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    t0 = time.perf_counter()
    try:
        outcome = smc.calibrate(settings, folder, executor=executor, workers=workers,
                                jobs=args.jobs, progress=not args.quiet)  # fmt: skip
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
        written = smc.write_calibrated_scenario(outcome, Path(args.write_scenario))
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

    if args.realisations < 1 or args.replications < 2 or args.noise_repeats < 2:
        raise UsageError("--realisations must be at least 1, --replications and "
                         "--noise-repeats at least 2")  # fmt: skip
    path = write_validation(
        Path(args.out), realisations=args.realisations, replications=args.replications,
        seed=args.seed, jobs=args.jobs, scenario=scenario_path(args.scenario, args.dir),
        targets_path=Path(args.targets), noise_repeats=args.noise_repeats,
    )  # fmt: skip
    print(f"wrote {path} and its pictures in {Path(args.out) / 'img'}")
    return 0


def cmd_viz(args: argparse.Namespace) -> int:
    """Serve the browser app (its packages come with: pip install -e '.[app]')."""
    try:
        from .app import serve
    except ImportError as err:
        raise UsageError(f"the browser app needs: pip install -e '.[app]' ({err})") from None
    return serve(args.host, args.port)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coauthor-sim",
        description="Agent-based model of citizen co-authorship of well-being.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one simulation and write its outcomes")
    run.add_argument("scenario", nargs="?", help="scenario file or name (default: defaults)")
    run.add_argument("--dir", default="scenarios", help="folder of scenario files")
    run.add_argument("--steps", type=int, help="months to simulate (default 120)")
    run.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 1)")
    run.add_argument("--citizens", type=int, help="number of citizens (default 1000)")
    run.add_argument("--out", help="new folder for the results (default results/run-...)")
    run.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE",
        help="set any model parameter, e.g. --set co_production=0.5 (repeatable)",
    )  # fmt: skip
    run.set_defaults(func=cmd_run)

    scen = sub.add_parser("scenarios", help="list scenarios, or show one fully resolved")
    scen.add_argument("action", nargs="?", choices=["list", "show"], default="list")
    scen.add_argument("name", nargs="?", help="scenario name or file (with show)")
    scen.add_argument("--dir", default="scenarios", help="folder of scenario files")
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
    comp.add_argument("--dir", default="scenarios", help="folder of scenario files")
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
    comp.set_defaults(func=cmd_compare)

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
        cmd.set_defaults(func=func)

    cal = sub.add_parser(
        "calibrate", help="calibrate uncertain parameters to targets (ABC-SMC, resumable)"
    )
    cal.add_argument("scenario", help="base scenario file or name")
    cal.add_argument("--targets", default="data/targets.toml", help="targets file")
    cal.add_argument("--priors", default="data/priors.toml", help="prior ranges file")
    cal.add_argument("--population", type=int, default=200, help="particles per generation (200)")
    cal.add_argument("--replications", type=int, default=8,
                     help="runs averaged per particle (8; see docs/validation.md)")  # fmt: skip
    cal.add_argument("--generations", type=int, default=10, help="most generations (10)")
    cal.add_argument("--min-epsilon", type=float, default=0.5,
                     help="stop at this tolerance (0.5 half-bands)")  # fmt: skip
    cal.add_argument("--min-acceptance", type=float, default=0.02,
                     help="stop when a generation accepts less (0.02)")  # fmt: skip
    cal.add_argument("--max-minutes", type=float, default=40.0,
                     help="stop after the generation passing this (40)")  # fmt: skip
    cal.add_argument("--seed", type=int, default=DEFAULT_SEED, help="calibration seed (1)")
    cal.add_argument("--steps", type=int, help="months per run (default: scenario's)")
    cal.add_argument("--citizens", type=int, help="citizens per run (default: scenario's)")
    cal.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    cal.add_argument("--jobs", type=int, help="local processes (default: all cores)")
    cal.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    cal.add_argument("--out", help="results folder (default results/calibration-<scenario>); "
                     "rerun with the same folder to continue")  # fmt: skip
    cal.add_argument("--dir", default="scenarios", help="folder of scenario files")
    cal.add_argument(
        "--write-scenario", metavar="FILE",
        help="write the calibrated scenario here (with FILE.posterior.csv and FILE.abc.json)",
    )  # fmt: skip
    cal.add_argument("--quiet", action="store_true", help="no progress bar")
    cal.set_defaults(func=cmd_calibrate)

    val = sub.add_parser("validate", help="regenerate docs/validation.md")
    val.add_argument("--out", default="docs", help="folder for validation.md and img/ (docs)")
    val.add_argument("--scenario", default="status_quo", help="calibrated baseline scenario")
    val.add_argument("--targets", default="data/targets.toml", help="targets file")
    val.add_argument("--realisations", type=int, default=40, help="docking runs per point (40)")
    val.add_argument("--replications", type=int, default=100,
                     help="posterior predictive runs, one posterior draw each (100)")  # fmt: skip
    val.add_argument("--noise-repeats", type=int, default=10,
                     help="repeats per replication count (10)")  # fmt: skip
    val.add_argument("--seed", type=int, default=DEFAULT_SEED)
    val.add_argument("--jobs", type=int, help="local processes (default: all cores)")
    val.add_argument("--dir", default="scenarios", help="folder of scenario files")
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``coauthor-sim`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # the reader went away (e.g. `| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ParameterError, ScenarioError, UsageError) as err:
        print(f"coauthor-sim: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
