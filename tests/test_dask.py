"""A real Dask cluster: a scheduler and two workers started as processes on 127.0.0.1. A sweep
through it gives the same tables, bit for bit, as the same sweep on local processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from coauthor_sim.experiment.store import load_results
from helpers import experiment_file

pytest.importorskip("distributed")  # the test extra installs it; CI fails without the extra

VOLATILE = ["seconds", "worker", "finished"]
EXPERIMENT = """
description = "dask"
scenario = "status_quo"
seed = 21
replications = 3
[fixed]
n_citizens = 150
steps = 12
[design]
kind = "latin_hypercube"
samples = 4
[uncertainties]
need_growth = {low = 0.05, high = 0.12}
[record]
every = 6
outcomes = ["life_satisfaction"]
"""


def _start(args: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dask", *args], stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def cluster(tmp_path):
    scheduler_file = tmp_path / "scheduler.json"
    procs = [_start(["scheduler", "--host", "127.0.0.1", "--port", "0",
                     "--dashboard-address", "127.0.0.1:0", "--scheduler-file",
                     str(scheduler_file)], tmp_path / "scheduler.log")]  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists():
            assert procs[0].poll() is None, (tmp_path / "scheduler.log").read_text()
            assert time.monotonic() < deadline, "scheduler did not start"
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        for k in range(2):
            procs.append(_start(["worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                                 "--dashboard-address", "127.0.0.1:0", "--name", f"w{k}"],
                                tmp_path / f"worker{k}.log"))  # fmt: skip
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for proc in reversed(procs):
            _stop(proc)


def test_sweep_on_dask_equals_local_sweep(cluster, tmp_path):
    path = experiment_file(tmp_path, EXPERIMENT, "dask")
    for out, extra in (("dask", ["--scheduler", cluster]), ("local", ["--jobs", "2"])):
        done = subprocess.run(
            [sys.executable, "-m", "coauthor_sim.cli", "sweep", str(path), "--out",
             str(tmp_path / out), "--quiet", *extra], capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "12/12 runs done, 0 failed" in done.stdout
    dask_runs, dask_series = load_results(tmp_path / "dask")
    local_runs, local_series = load_results(tmp_path / "local")
    assert dask_runs["worker"].str.contains(":").all()
    assert set(dask_runs["worker"]) != set(local_runs["worker"])  # ran elsewhere
    pd.testing.assert_frame_equal(
        dask_runs.drop(columns=VOLATILE), local_runs.drop(columns=VOLATILE), check_exact=True
    )
    pd.testing.assert_frame_equal(dask_series, local_series, check_exact=True)
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["sessions"][-1]["executor"] == cluster
    from distributed import Client

    from coauthor_sim.experiment.runner import slots

    with Client(cluster, timeout="30s") as client:  # runs in flight follow the cluster's size
        assert slots(client.get_executor(pure=False), 1) == 2  # two one-thread workers
