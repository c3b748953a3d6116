"""The public API: the model as a function, one definition of final outcomes, self-contained
stored runs, any Executor, and scripts that forget ``if __name__ == "__main__":``.

Real models, real sweeps, real subprocesses; no numbers of the current dynamics are pinned:
only reproducibility, agreement between paths, shapes and types."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

import coauthor_sim
from coauthor_sim import (
    CoauthorModel,
    ScenarioError,
    batch_outcomes,
    final_outcomes,
    load_experiment,
    load_results,
    rerun,
    run_parameters,
    run_sweep,
    scenario_parameters,
    simulate,
)
from coauthor_sim.compare import run_summary
from coauthor_sim.experiment import guard
from coauthor_sim.outcomes import OUTCOME_NAMES
from coauthor_sim.params import SPECS, defaults
from helpers import experiment_file

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"n_citizens": 150, "steps": 18}
VOLATILE = ["seconds", "worker", "finished"]

SWEEP = """
description = "api test"
scenario = "status_quo"
seed = 9
replications = 2
[fixed]
n_citizens = 120
steps = 14
[design]
kind = "full_factorial"
[levers]
co_production = [0.1, 0.4]
pooled_budget = [0.0, 0.2]
[record]
every = 0
"""


# --- simulate and from_scenario ------------------------------------------------------------
def test_simulate_returns_every_final_outcome_and_reproduces():
    first = simulate("status_quo", seed=4, co_production=0.3, **SMALL)
    assert list(first) == list(OUTCOME_NAMES)
    assert all(isinstance(v, float) for v in first.values())
    assert simulate("status_quo", seed=4, co_production=0.3, **SMALL) == first
    assert simulate("status_quo", seed=5, co_production=0.3, **SMALL) != first


def test_simulate_equals_from_scenario_then_final_outcomes():
    model = CoauthorModel.from_scenario("status_quo", seed=2, co_production=0.4, **SMALL)
    assert model.p.co_production == 0.4 and model.p.n_citizens == 150
    assert final_outcomes(model.run()) == simulate("status_quo", 2, co_production=0.4, **SMALL)


def test_bare_model_is_the_calibrated_status_quo_and_uncalibrated_the_schema_default():
    calibrated = scenario_parameters("status_quo")
    differs = [k for k, v in defaults().items() if calibrated[k] != v]
    assert differs, "status_quo should differ from the schema defaults (it is calibrated)"
    small = {"n_citizens": 50, "n_neighbourhoods": 5}
    assert CoauthorModel(seed=1, **small).p == scenario_parameters("status_quo", **small)
    assert dict(CoauthorModel.uncalibrated(seed=1, **small).p) == {**defaults(), **small}
    by_path = scenario_parameters(ROOT / "scenarios" / "austerity.toml")
    assert by_path == scenario_parameters("austerity")


def test_a_user_scenarios_folder_does_not_change_what_the_bare_model_is(tmp_path, monkeypatch):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "status_quo.toml").write_text(
        'description = "mine"\n[levers]\nco_production = 0.9\n'
    )
    monkeypatch.chdir(tmp_path)
    assert scenario_parameters("status_quo")["co_production"] == 0.9  # a name: the user's own
    assert CoauthorModel(seed=1, n_citizens=50).p["co_production"] != 0.9  # the shipped one


def test_a_model_without_a_seed_warns_once(monkeypatch):
    from coauthor_sim import model

    monkeypatch.setattr(model, "_unseeded_warned", False)
    with pytest.warns(UserWarning, match="without a seed"):
        CoauthorModel(n_citizens=50, n_neighbourhoods=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CoauthorModel(n_citizens=50, n_neighbourhoods=5)  # said once is enough
        CoauthorModel(seed=2, n_citizens=50, n_neighbourhoods=5)


def test_one_error_type_per_kind_of_mistake_without_command_line_wording():
    from coauthor_sim import ParameterError

    for bad in (lambda: simulate("status_quo", seed=1, co_productoin=0.3),
                lambda: CoauthorModel(seed=1, co_productoin=0.3),
                lambda: CoauthorModel.from_scenario("status_quo", seed=1, co_productoin=0.3),
                lambda: scenario_parameters("status_quo", co_productoin=0.3)):  # fmt: skip
        with pytest.raises(ParameterError, match=r"co_productoin.*co_production") as err:
            bad()
        assert not isinstance(err.value, ScenarioError) and "command line" not in str(err.value)
    with pytest.raises(ParameterError, match=r"co_production = 3.*from 0 to 1"):
        CoauthorModel.from_scenario("status_quo", co_production=3)
    with pytest.raises(ParameterError, match=r"n_neighbourhoods = 80 .*at most n_citizens"):
        simulate("status_quo", n_citizens=50, n_neighbourhoods=80)  # a rule across two
    with pytest.raises(ScenarioError, match=r"statu_quo.*did you mean 'status_quo'"):
        simulate("statu_quo")


def test_agent_records_are_a_mesa_agent_table():
    model = CoauthorModel(seed=1, n_citizens=60, n_neighbourhoods=5, collect_agents=True)
    model.run(2)
    table = model.datacollector.get_agent_vars_dataframe()
    assert table.index.names == ["Step", "AgentID"] and len(table) == 3 * 60
    assert list(table.columns) == ["wellbeing", "need", "engaged"]
    last = table.xs(2, level="Step")["wellbeing"].to_numpy()
    assert (last == model.citizens.wellbeing).all()
    with pytest.raises(ValueError, match="collect_agents=True"):
        CoauthorModel(
            seed=1, n_citizens=60, n_neighbourhoods=5
        ).datacollector.get_agent_vars_dataframe()


def test_final_outcomes_is_the_mean_of_the_last_year_without_month_zero():
    table = pd.DataFrame({"a": np.arange(30.0), "b": np.ones(30)})
    assert final_outcomes(table) == {"a": float(np.mean(np.arange(18, 30))), "b": 1.0}
    short = pd.DataFrame({"a": [100.0, 1.0, 3.0]})
    assert final_outcomes(short) == {"a": 2.0}  # month 0, the initial state, is left out
    assert final_outcomes(pd.DataFrame({"a": [5.0]})) == {"a": 5.0}


def test_comparison_uses_the_same_final_outcomes():
    table = CoauthorModel.from_scenario("status_quo", seed=3, **SMALL).run()
    finals, summary = final_outcomes(table), run_summary(table, 150)
    for name in ("life_satisfaction", "wellbeing_gap", "crisis_rate", "wellbeing_fifth_1"):
        assert summary[name] == finals[name]


def test_batch_run_is_the_calibrated_status_quo_with_its_final_month():
    """The natural call: no scenario, the horizon as the model's own ``steps``, a seed."""
    horizon = 14
    grid = {"co_production": [0.1, 0.5], "n_citizens": 120, "steps": horizon, "seed": 6}
    rows = mesa.batch_run(CoauthorModel, grid, data_collection_period=1,
                          display_progress=False)  # fmt: skip
    assert max(r["Step"] for r in rows) == horizon  # the final month is reported
    finals = batch_outcomes(rows).sort_values("co_production")
    assert list(finals["months"]) == [horizon, horizon]
    for _, row in finals.iterrows():
        alone = simulate("status_quo", 6, n_citizens=120, steps=horizon,
                         co_production=row["co_production"])  # fmt: skip
        assert {k: row[k] for k in OUTCOME_NAMES} == alone
    with pytest.raises(ValueError, match="data_collection_period=1"):
        batch_outcomes(mesa.batch_run(CoauthorModel, {**grid, "co_production": 0.1},
                                      max_steps=3, display_progress=False))  # fmt: skip


def test_batch_outcomes_warns_about_unseeded_or_cut_short_runs():
    grid = {"n_citizens": 60, "n_neighbourhoods": 5, "steps": 5}
    with pytest.warns(UserWarning, match="no seed"), warnings.catch_warnings():
        warnings.filterwarnings("ignore", "CoauthorModel without a seed")
        batch_outcomes(mesa.batch_run(CoauthorModel, grid, data_collection_period=1,
                                      display_progress=False))  # fmt: skip
    cut = mesa.batch_run(CoauthorModel, {**grid, "seed": 1}, max_steps=3,
                         data_collection_period=1, display_progress=False)  # fmt: skip
    with pytest.warns(UserWarning, match="before their horizon"):
        assert list(batch_outcomes(cut)["months"]) == [3]


def test_lazy_public_names_resolve():
    for name in coauthor_sim.__all__:
        assert getattr(coauthor_sim, name) is not None
    with pytest.raises(AttributeError):
        coauthor_sim.no_such_thing  # noqa: B018


# --- runs table: design roles and every parameter; rerun ----------------------------------
def test_runs_table_has_every_parameter_and_rerun_reproduces_each_row(tmp_path):
    experiment = load_experiment(experiment_file(tmp_path, SWEEP))
    run_sweep(experiment, tmp_path / "out", jobs=1, progress=False)
    runs, _ = load_results(tmp_path / "out")
    assert {"role", "design_row", *SPECS} <= set(runs.columns)
    assert runs["role"].isna().all() and (runs["design_row"] == -1).all()
    assert (runs["n_citizens"] == 120).all() and set(runs["co_production"]) == {0.1, 0.4}
    assert (runs["co_production"] == runs["x_co_production"]).all()
    row = runs.iloc[5]
    params = run_parameters(row)
    assert params == {**experiment.base, **experiment.points[int(row["point"])].values}
    assert {type(params[k]) for k in SPECS if SPECS[k].kind is bool} <= {bool}
    again = rerun(tmp_path / "out", int(row["run_id"]))
    assert again == {k: row[k] for k in OUTCOME_NAMES}
    with pytest.raises(KeyError, match="no run 99"):
        rerun(tmp_path / "out", 99)


def test_parameter_columns_cannot_collide_with_other_columns():
    others = {"run_id", "point", "replication", "seed", "status", "error", "traceback",
              "seconds", "worker", "finished", "role", "design_row", *OUTCOME_NAMES}  # fmt: skip
    assert not others & set(SPECS) and not any(name.startswith("x_") for name in SPECS)


def test_sobol_runs_carry_their_design_role(tmp_path):
    body = SWEEP.replace('kind = "full_factorial"', 'kind = "sobol"\nsamples = 4').replace(
        "co_production = [0.1, 0.4]\npooled_budget = [0.0, 0.2]",
        "co_production = {low = 0.1, high = 0.4}\npooled_budget = {low = 0.0, high = 0.2}",
    )
    experiment = load_experiment(
        experiment_file(tmp_path, body.replace("replications = 2", "replications = 1"))
    )
    run_sweep(experiment, tmp_path / "out", jobs=1, progress=False)
    runs, _ = load_results(tmp_path / "out")
    assert runs.groupby("role").size().to_dict() == {
        "A": 4, "B": 4, "AB:co_production": 4, "AB:pooled_budget": 4,
    }  # fmt: skip
    for _, row in runs.iterrows():
        point = experiment.points[int(row["point"])]
        assert (row["role"], row["design_row"]) == (point.role, point.row)


def test_an_older_store_gains_the_new_columns(tmp_path):
    import sqlite3

    experiment = load_experiment(experiment_file(tmp_path, SWEEP))
    from coauthor_sim.experiment.sweep import prepare_folder

    prepare_folder(experiment, tmp_path / "out").close()
    with sqlite3.connect(tmp_path / "out" / "results.sqlite") as db:
        columns = {r[1] for r in db.execute("PRAGMA table_info(runs)")}
    assert "role" not in columns  # as an older version created it
    run_sweep(experiment, tmp_path / "out", jobs=1, progress=False)
    assert "role" in load_results(tmp_path / "out")[0].columns


# --- any Executor ---------------------------------------------------------------------------
class InlineExecutor(Executor):
    """A minimal stand-in for a cluster's executor (mpi4py's MPIPoolExecutor, Dask's
    client.get_executor()): runs each task when it is submitted, in this process."""

    def __init__(self):
        self.submitted = 0

    def submit(self, fn, /, *args, **kwargs):
        self.submitted += 1
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:
            future.set_exception(err)
        return future


def _stable(runs: pd.DataFrame) -> pd.DataFrame:
    return runs.drop(columns=VOLATILE).sort_values("run_id").reset_index(drop=True)


def test_any_executor_gives_the_same_table_as_local_processes(tmp_path):
    experiment = load_experiment(experiment_file(tmp_path, SWEEP))
    run_sweep(experiment, tmp_path / "local", jobs=2, progress=False)
    inline = InlineExecutor()
    run_sweep(experiment, tmp_path / "inline", executor=inline, progress=False)
    with ThreadPoolExecutor(max_workers=2) as threads:
        run_sweep(experiment, tmp_path / "threads", executor=threads, progress=False)
    local = _stable(load_results(tmp_path / "local")[0])
    assert inline.submitted == experiment.n_runs
    pd.testing.assert_frame_equal(local, _stable(load_results(tmp_path / "inline")[0]))
    pd.testing.assert_frame_equal(local, _stable(load_results(tmp_path / "threads")[0]))


# --- scripts without the __main__ guard ------------------------------------------------------
def _script(folder: Path, body: str) -> subprocess.CompletedProcess:
    (folder / "experiments").mkdir(exist_ok=True)
    (folder / "experiments" / "tiny.toml").write_text(SWEEP)
    if not (folder / "scenarios").exists():
        (folder / "scenarios").symlink_to(ROOT / "scenarios")
    path = folder / "script.py"
    path.write_text(textwrap.dedent(body))
    return subprocess.run([sys.executable, str(path)], cwd=folder, capture_output=True,
                          text=True, timeout=300)  # fmt: skip


UNGUARDED = """
from coauthor_sim import load_experiment, load_results, run_sweep

run_sweep(load_experiment("experiments/tiny.toml"), "results/tiny", jobs=2, progress=False)
print(len(load_results("results/tiny")[0]))
"""


def test_unguarded_script_runs_in_process_with_a_clear_warning(tmp_path):
    done = _script(tmp_path, UNGUARDED)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["8"]  # printed once: no worker ran the script again
    assert "bootstrapping" not in done.stderr
    assert 'if __name__ == "__main__":' in done.stderr and "script.py:4" in done.stderr


GUARDED = """
import os

from coauthor_sim import load_experiment, load_results, run_sweep

if __name__ == "__main__":
    run_sweep(load_experiment("experiments/tiny.toml"), "results/tiny", jobs=2, progress=False)
    print(len(load_results("results/tiny")[0]), os.getpid())
"""


def test_guarded_script_uses_worker_processes_without_warning(tmp_path):
    done = _script(tmp_path, GUARDED)
    assert done.returncode == 0, done.stderr
    count, pid = done.stdout.split()
    assert count == "8" and "RuntimeWarning" not in done.stderr
    workers = load_results(tmp_path / "results" / "tiny")[0]["worker"]
    assert not workers.str.endswith(f":{pid}").any()  # the runs ran in worker processes


def test_main_guard_detection_reads_the_script(tmp_path):
    assert guard.pool_hazard() is None  # pytest's own entry point is guarded
    probe = """
    from coauthor_sim.experiment.guard import unguarded_main_line

    def check():
        return unguarded_main_line()

    print(check())
    if __name__ == "__main__":
        print(check())
    """
    done = _script(tmp_path, probe)
    lines = done.stdout.splitlines()
    assert lines[0].endswith("script.py', 7)") and lines[1] == "None", done.stderr


def test_a_worker_still_importing_the_script_gets_a_clear_error():
    import multiprocessing

    process = multiprocessing.current_process()
    process._inheriting = True  # what spawn sets in a worker while it imports the script
    try:
        with pytest.raises(guard.UnguardedScriptError, match="__main__"):
            guard.pool_hazard()
    finally:
        del process._inheriting
