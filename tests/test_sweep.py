"""Batch experiments: definitions, designs, the streamed store, resume after kill -9, failures,
dead workers, and seeds. Real processes and real signals; no mocks."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coauthor_sim import CoauthorModel
from coauthor_sim.experiment.definition import load_experiment
from coauthor_sim.experiment.runner import RunSpec, execute
from coauthor_sim.experiment.store import load_results
from coauthor_sim.experiment.sweep import final_outcomes, run_sweep
from coauthor_sim.scenario import ScenarioError
from helpers import experiment_file, run_cli
from sweep_workers import die_on_run_3, fail_on_odd_points

ROOT = Path(__file__).resolve().parents[1]
VOLATILE = ["seconds", "worker", "finished"]  # differ between executions by nature


BASIC = """
description = "test"
scenario = "status_quo"
seed = 3
replications = 2
[fixed]
n_citizens = 120
servants_per_1000 = 16.0
steps = 14
[design]
kind = "full_factorial"
[levers]
co_production = [0.1, 0.4]
[uncertainties]
need_growth = [0.06, 0.1]
[record]
every = 6
outcomes = ["life_satisfaction", "engagement_rate"]
"""


def stable(runs: pd.DataFrame) -> pd.DataFrame:
    return runs.drop(columns=VOLATILE).sort_values("run_id").reset_index(drop=True)


def cli(*args, cwd=None, **kw):
    return subprocess.run([sys.executable, "-m", "coauthor_sim.cli", *args],
                          capture_output=True, text=True, cwd=cwd, **kw)  # fmt: skip


# --- definitions and designs -------------------------------------------------------------
def test_shipped_experiments_load():
    for path in sorted((ROOT / "experiments").glob("*.toml")):
        experiment = load_experiment(path)
        assert experiment.n_runs > 0 and experiment.description


def test_factorial_points_and_seeds(tmp_path):
    experiment = load_experiment(experiment_file(tmp_path, BASIC))
    values = [p.values for p in experiment.points]
    assert values == [
        {"co_production": 0.1, "need_growth": 0.06}, {"co_production": 0.1, "need_growth": 0.1},
        {"co_production": 0.4, "need_growth": 0.06}, {"co_production": 0.4, "need_growth": 0.1},
    ]  # fmt: skip
    runs = experiment.runs()
    assert len(runs) == 8 and len({r.seed for r in runs}) == 8
    assert [r.labels["run_id"] for r in runs] == list(range(8))
    assert runs[3].params["co_production"] == 0.1 and runs[3].params["n_citizens"] == 120


def test_latin_hypercube_and_sobol_designs(tmp_path):
    lhs = load_experiment(experiment_file(tmp_path, """
description = "lhs"
scenario = "status_quo"
[design]
kind = "latin_hypercube"
samples = 10
[uncertainties]
need_growth = {low = 0.05, high = 0.1}
[population]
n_providers = {low = 2, high = 9}
""", "lhs"))  # fmt: skip
    growth = sorted(p.values["need_growth"] for p in lhs.points)
    strata = np.floor((np.array(growth) - 0.05) / 0.005).astype(int)
    assert sorted(strata) == list(range(10))  # one point per stratum
    assert all(isinstance(p.values["n_providers"], int) for p in lhs.points)
    sobol = load_experiment(experiment_file(tmp_path, """
description = "sobol"
scenario = "status_quo"
[design]
kind = "sobol"
samples = 8
[uncertainties]
need_growth = {low = 0.05, high = 0.1}
self_help_rate = {low = 0.05, high = 0.15}
""", "sobol"))  # fmt: skip
    roles = [p.role for p in sobol.points]
    assert len(roles) == 8 * 4
    assert roles.count("A") == roles.count("B") == roles.count("AB:need_growth") == 8
    a = {p.row: p.values for p in sobol.points if p.role == "A"}
    b = {p.row: p.values for p in sobol.points if p.role == "B"}
    for p in (p for p in sobol.points if p.role == "AB:need_growth"):
        assert p.values == {**a[p.row], "need_growth": b[p.row]["need_growth"]}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (BASIC.replace("co_production = [0.1, 0.4]", "co_productoin = [0.1]"),
         ["co_productoin", "did you mean 'co_production'"]),
        (BASIC.replace("co_production = [0.1, 0.4]", "co_production = [0.1, 4.0]"),
         ["co_production", "4.0", "from 0 to 1"]),
        (BASIC.replace("need_growth = [0.06, 0.1]", "need_growth = [0.06]\nlearning = [0.5]"),
         ["learning", "belongs in [levers]"]),
        (BASIC.replace('kind = "full_factorial"', 'kind = "grid"'), ["kind", "grid", "sobol"]),
        (BASIC.replace('kind = "full_factorial"', 'kind = "sobol"\nsamples = 6'),
         ["power of 2"]),
        (BASIC.replace('kind = "full_factorial"', 'kind = "latin_hypercube"\nsamples = 4'),
         ["co_production", "range"]),
        (BASIC.replace('scenario = "status_quo"', 'scenario = "nowhere"'),
         ["nowhere", "no such scenario file"]),
        (BASIC.replace("replications = 2", "replications = 0"), ["replications", "at least 1"]),
        (BASIC.replace("seed = 3", "seed = 'x'"), ["seed", "whole number"]),
        (BASIC.replace("every = 6", "every = -1"), ["every"]),
        (BASIC.replace('"engagement_rate"]', '"engagment_rate"]'),
         ["engagment_rate", "engagement_rate"]),
        (BASIC.replace("steps = 14", "n_neighbourhoods = 500"), ["n_neighbourhoods", "n_citizens"]),
        (BASIC + "\nbogus = 1\n", ["bogus"]),
        (BASIC.replace("[design]", "[design\n"), ["line"]),
    ],
)  # fmt: skip
def test_bad_experiment_files_name_file_key_and_allowed_values(tmp_path, body, words):
    path = experiment_file(tmp_path, body)
    with pytest.raises(ScenarioError) as err:
        load_experiment(path)
    assert "exp.toml" in str(err.value)
    for word in words:
        assert word in str(err.value)


def test_bad_experiment_on_the_command_line_is_exit_2_and_writes_nothing(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    path = experiment_file(tmp_path, BASIC.replace("seed = 3", "seed = -3"))
    code, _, err = run_cli(capsys, "sweep", path)
    assert code == 2 and "seed" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "results").exists()


# --- running, storing, resuming ---------------------------------------------------------
def test_sweep_stores_every_run_and_each_run_reproduces_alone(tmp_path):
    experiment = load_experiment(experiment_file(tmp_path, BASIC))
    summary = run_sweep(experiment, tmp_path / "out", jobs=1, progress=False)
    assert (summary.ran, summary.failed) == (8, 0)
    runs, series = load_results(tmp_path / "out")
    assert len(runs) == 8 and (runs["status"] == "done").all()
    assert set(series["month"]) == {0, 6, 12, 14}
    figures = sorted(p.name for p in (tmp_path / "out" / "figures").iterdir())
    assert figures == ["main_effects.png", "trajectories.png"]  # the standard figures
    assert list(series.columns) == ["run_id", "month", "life_satisfaction", "engagement_rate"]
    row = runs.iloc[5]
    params = {**experiment.base, "co_production": row["x_co_production"],
              "need_growth": row["x_need_growth"]}  # fmt: skip
    alone = final_outcomes(CoauthorModel(seed=int(row["seed"]), **params).run())
    assert alone["life_satisfaction"] == row["life_satisfaction"]
    again = run_sweep(experiment, tmp_path / "out", jobs=1, progress=False)
    assert (again.already_done, again.ran) == (8, 0)


def test_changed_experiment_is_refused_on_an_existing_folder(tmp_path, capsys):
    run_sweep(load_experiment(experiment_file(tmp_path, BASIC)), tmp_path / "out", jobs=1,
              progress=False)  # fmt: skip
    changed = experiment_file(tmp_path, BASIC.replace("seed = 3", "seed = 4"))
    code, _, err = run_cli(capsys, "sweep", changed, "--out", tmp_path / "out", "--quiet")
    assert code == 2 and "different experiment" in err
    assert len(load_results(tmp_path / "out")[0]) == 8


SLOW = BASIC.replace("replications = 2", "replications = 8").replace(
    "n_citizens = 120\nservants_per_1000 = 16.0\nsteps = 14", "n_citizens = 2000\nsteps = 60"
)


def _done(folder: Path) -> int:
    path = folder / "results.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM runs WHERE status='done'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _wait_for(condition, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def test_resume_after_kill_9_runs_only_what_is_missing(tmp_path):
    path = experiment_file(tmp_path, SLOW)
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "coauthor_sim.cli", "sweep", str(path), "--out", str(out),
         "--jobs", "2", "--quiet"], start_new_session=True,
    )  # fmt: skip
    _wait_for(lambda: _done(out) >= 5)
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its workers, mid-flight
    proc.wait()
    interrupted = _done(out)
    assert 5 <= interrupted < 32
    done = cli("sweep", str(path), "--out", str(out), "--jobs", "2", "--quiet")
    assert done.returncode == 0, done.stderr
    assert f"{interrupted} were already done, {32 - interrupted} run now" in done.stdout
    straight = tmp_path / "straight"  # the same sweep uninterrupted, here in this process
    assert run_sweep(load_experiment(path), straight, jobs=1, progress=False).failed == 0
    resumed_runs, resumed_series = load_results(out)
    runs, series = load_results(straight)
    assert resumed_runs["run_id"].is_unique and len(resumed_runs) == 32
    pd.testing.assert_frame_equal(stable(resumed_runs), stable(runs), check_exact=True)
    pd.testing.assert_frame_equal(resumed_series, series, check_exact=True)


def test_a_failing_run_is_stored_with_its_traceback_and_the_sweep_goes_on(tmp_path):
    experiment = load_experiment(experiment_file(tmp_path, BASIC))
    summary = run_sweep(experiment, tmp_path / "out", jobs=2, progress=False,
                        worker=fail_on_odd_points)  # fmt: skip
    assert (summary.ran, summary.failed) == (8, 4)
    runs, _ = load_results(tmp_path / "out")
    failed = runs[runs["status"] == "failed"]
    assert set(failed["point"]) == {1, 3}
    assert failed["error"].str.contains("ValueError: point").all()
    assert failed["traceback"].str.contains("fail_on_odd_points").all()
    assert runs.loc[runs["status"] == "done", "life_satisfaction"].notna().all()


def test_cli_exit_code_is_non_zero_while_failed_runs_remain(tmp_path, capsys):
    path = experiment_file(tmp_path, BASIC)
    out = tmp_path / "out"
    run_sweep(load_experiment(path), out, jobs=1, progress=False, worker=fail_on_odd_points)
    code, stdout, stderr = run_cli(capsys, "sweep", path, "--out", out, "--quiet", "--jobs", "1")
    assert code == 1
    assert "4 failed" in stdout and "--retry-failed" in stderr
    code, stdout, stderr = run_cli(capsys, "sweep", path, "--out", out, "--quiet", "--jobs", "1",
                                   "--retry-failed")  # fmt: skip
    assert code == 0, stderr  # the real model does not fail
    assert "8/8 runs done, 0 failed (4 were already done, 4 run now" in stdout


def test_a_run_that_kills_its_worker_is_failed_and_the_others_finish():
    specs = [RunSpec(str(k), {}, k) for k in range(12)]
    results = {r.spec.key: r for r in execute(specs, die_on_run_3, jobs=2, progress=False)}
    assert sorted(results, key=int) == [str(k) for k in range(12)]
    assert not results["3"].ok and "WorkerDied" in results["3"].error
    assert all(results[str(k)].ok and results[str(k)].value == k for k in range(12) if k != 3)


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def test_sweep_survives_a_worker_killed_from_outside(tmp_path):
    path = experiment_file(tmp_path, SLOW)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "coauthor_sim.cli", "sweep", str(path), "--out", str(out),
         "--jobs", "2", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    _wait_for(lambda: _done(out) >= 3)
    workers = [k for k in _children(proc.pid) if "python" in Path(f"/proc/{k}/cmdline")
               .read_bytes().decode(errors="ignore")]  # fmt: skip
    assert workers
    os.kill(workers[-1], signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert "32/32 runs done, 0 failed" in stdout
    runs, _ = load_results(out)
    assert runs["run_id"].is_unique and (runs["status"] == "done").all()
